/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The burst's stages (lib/sk_burst.c) against the engine fed one frame at
 * a time: two engines with one secret and one clock, the same frames, one
 * engine gets them one by one, the other in a single burst. A burst that
 * mixes every kind of frame (ARP, ICMP, SYNs of every option layout, cookie
 * ACKs, data and FINs of flows made earlier in the same burst, RSTs, bad
 * cookies, closed ports, malformed frames) must give the same answers,
 * byte for byte and in the same order, and the same counters.
 *
 * By stage: classify (every drop reason ends in a counter, ARP and ICMP
 * answered in place), lookup (segments of a flow created or freed earlier
 * in the burst see it), cookies (the burst API against one cookie at a
 * time: the ISNs must match), tcp (the state machine's answers), synack
 * (the template: every option layout, checksums checked by an independent
 * parser), commit (arrival order; every mbuf not answered is freed: the
 * pool's count comes back).
 */

#include <string.h>

#include <rte_arp.h>
#include <rte_icmp.h>
#include <rte_mbuf.h>

#include "sk_cksum.h"
#include "sk_common.h"
#include "sk_config.h"
#include "sk_engine.h"
#include "sk_flow.h"
#include "sk_frames.h"
#include "sk_stats.h"
#include "sk_test.h"

#define ENGINE_IP 0xc6120002u  /* 198.18.0.2 */
#define PEER_IP   0xc6120001u  /* 198.18.0.1 */
static const uint8_t ENGINE_IP6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
#define NFLOWS    12

static struct rte_mempool *pool;
static struct sk_engine *one, *all;   /* one at a time; the whole burst */
static uint64_t now = 7000000;

static struct sk_engine *
engine_tx(bool tx_offload)
{
	static const uint8_t secret[16] = { 9, 8, 7, 6, 5, 4, 3, 2, 1 };
	struct sk_config c;

	sk_config_defaults(&c);
	c.n_addrs = 1;
	c.addrs[0].addr = rte_cpu_to_be_32(ENGINE_IP);
	c.addrs[0].prefix = 24;
	c.n_addrs6 = 1;
	memcpy(c.addrs6[0].addr, ENGINE_IP6, 16);
	c.addrs6[0].prefix = 64;
	c.n_listen = 2;
	c.listen[0].port = 8080;
	c.listen[0].app = SK_APP_HELLO;
	c.listen[1].port = 7;
	c.listen[1].app = SK_APP_ECHO;
	c.flow_capacity = 256;
	c.challenge_ack_limit = 1000;
	c.cookie_rotate_s = 0;
	c.secret_set = true;
	memcpy(c.secret, secret, sizeof(secret));
	return skt_engine_tx(&c, pool, now, tx_offload);
}

static struct sk_engine *
engine(void)
{
	return engine_tx(false);
}

/* ---- frames ------------------------------------------------------------ */

static struct rte_mbuf *frames[SK_BURST_MAX];
static const char *names[SK_BURST_MAX];
static unsigned int nframes;

static void
add(struct rte_mbuf *m, const char *name)
{
	if (m == NULL || nframes == SK_BURST_MAX) {
		printf("Bail out! cannot build frame %s\n", name);
		exit(1);
	}
	names[nframes] = name;
	frames[nframes++] = m;
}

static uint16_t
cport(unsigned int i)
{
	return (uint16_t)(40000 + i);
}

static uint32_t
cisn(unsigned int i)
{
	return 0x10000000u * (i + 1) + 77;
}

/* Options: Linux's SYN (MSS, SACK-permitted, TS, NOP, WS 7). */
static const uint8_t linux_syn[20] = {
	2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0x10, 0, 0, 0, 0, 0, 1, 3, 3, 7,
};
static const uint8_t ts_only[12] = {
	1, 1, 8, 10, 0, 0, 0x10, 0, 0, 0, 0, 0,
};
static const uint8_t ts_sack[16] = {
	2, 4, 0x05, 0x78, 4, 2, 8, 10, 0, 0, 0x10, 0, 0, 0, 0, 0,
};
static const uint8_t mss_ws[8] = { 2, 4, 0x02, 0x18, 1, 3, 3, 2 };

static struct rte_mbuf *
tcp(unsigned int i, uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack,
		const uint8_t *opts, uint8_t optlen, const char *data)
{
	struct skt_frame f = {
		.saddr = PEER_IP, .daddr = ENGINE_IP,
		.sport = cport(i), .dport = dport,
		.seq = seq, .ack = ack, .flags = flags,
		.opts = opts, .optlen = optlen,
		.data = data, .len = data ? (uint16_t)strlen(data) : 0,
	};

	return skt_build(pool, &f);
}

/* The same over IPv6, from 2001:db8::100 + i. */
static struct rte_mbuf *
tcp6(unsigned int i, uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack,
		const uint8_t *opts, uint8_t optlen)
{
	struct skt_frame6 f = {
		.saddr = { 0x20, 0x01, 0x0d, 0xb8, [14] = 1, [15] = (uint8_t)i },
		.sport = cport(i), .dport = dport,
		.seq = seq, .ack = ack, .flags = flags,
		.opts = opts, .optlen = optlen,
	};

	memcpy(f.daddr, ENGINE_IP6, 16);
	return skt_build6(pool, &f);
}

static struct rte_mbuf *
arp_request(void)
{
	return skt_build_arp(pool, RTE_ARP_OP_REQUEST, PEER_IP, ENGINE_IP,
		RTE_ETHER_ADDR_LEN, false);
}

/* An ICMP echo request, built as a TCP frame then turned into ICMP. */
static struct rte_mbuf *
icmp_echo(void)
{
	struct rte_mbuf *m = tcp(0, 1, 0, 0, 0, NULL, 0, "ping-payload");
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *ic;
	uint16_t l4;

	if (m == NULL)
		return NULL;
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, 14);
	ip->next_proto_id = IPPROTO_ICMP;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	l4 = (uint16_t)(rte_be_to_cpu_16(ip->total_length) - sizeof(*ip));
	ic = (struct rte_icmp_hdr *)(ip + 1);
	ic->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	ic->icmp_code = 0;
	ic->icmp_cksum = 0;
	ic->icmp_cksum = (uint16_t)~rte_raw_cksum(ic, l4);
	return m;
}

/* ---- running both engines ---------------------------------------------- */

struct answers {
	unsigned int n;
	struct rte_mbuf *m[SK_BURST_MAX * 2];
};

static void
run_one_by_one(struct answers *a, struct rte_mbuf **rx, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		a->n += sk_engine_input(one, &rx[i], 1, &a->m[a->n], now);
}

static void
run_burst(struct answers *a, struct rte_mbuf **rx, unsigned int n)
{
	a->n += sk_engine_input(all, rx, (uint16_t)n, &a->m[a->n], now);
}

/* Give both engines the frames built so far; compare. The answers of
 * the one-by-one engine are returned in @p out (freed by the caller). */
static void
both(const char *phase, struct answers *out)
{
	struct rte_mbuf *copy[SK_BURST_MAX];
	struct answers b = { 0 };
	unsigned int same = 0;
	const struct sk_stats *s1, *s2;
	bool stats_same = true;

	for (unsigned int i = 0; i < nframes; i++) {
		copy[i] = rte_pktmbuf_copy(frames[i], pool, 0, UINT32_MAX);
		if (copy[i] == NULL) {
			printf("Bail out! mbuf copy\n");
			exit(1);
		}
	}
	memset(out, 0, sizeof(*out));
	run_one_by_one(out, frames, nframes);
	run_burst(&b, copy, nframes);
	CHECK_EQ(b.n, out->n, "%s: %u frames, as many answers in one burst "
		"as one at a time", phase, nframes);
	for (unsigned int i = 0; i < RTE_MIN(out->n, b.n); i++) {
		const struct rte_mbuf *x = out->m[i], *y = b.m[i];

		if (x->data_len == y->data_len &&
				memcmp(rte_pktmbuf_mtod(x, void *),
				       rte_pktmbuf_mtod(y, void *),
				       x->data_len) == 0 &&
				x->ol_flags == y->ol_flags)
			same++;
		else
			printf("# %s: answer %u differs\n", phase, i);
	}
	CHECK_EQ(same, out->n, "%s: every answer byte for byte the same, "
		"in the same order", phase);
	s1 = sk_engine_stats(one);
	s2 = sk_engine_stats(all);
	for (unsigned int k = 0; k < SK_STATS_N; k++) {
		const uint64_t *v1 = (const uint64_t *)s1, *v2 =
			(const uint64_t *)s2;

		if (v1[k] != v2[k]) {
			printf("# %s: counter %s: %llu one by one, %llu in a "
				"burst\n", phase, sk_stats_names[k],
				(unsigned long long)v1[k],
				(unsigned long long)v2[k]);
			stats_same = false;
		}
	}
	CHECK(stats_same, "%s: every counter the same", phase);
	CHECK_EQ(sk_flow_count(sk_engine_flows(all)),
		sk_flow_count(sk_engine_flows(one)), "%s: as many flows",
		phase);
	rte_pktmbuf_free_bulk(b.m, b.n);
	nframes = 0;
}

/* The answer to the frame for flow port @p p with flags @p fl. */
static bool
find(const struct answers *a, uint16_t p, uint8_t fl, struct skt_resp *r)
{
	for (unsigned int i = 0; i < a->n; i++)
		if (skt_read(a->m[i], r) && r->dport == p && r->flags == fl)
			return true;
	return false;
}

/* The checksum fold the builders and the parser use, against the plain
 * four-step fold of RFC 1071, on edge values and pseudo-random sums. */
static void
test_fold(void)
{
	static const uint64_t edge[] = {
		0, 1, 0xffff, 0x10000, 0xffffffff, 0x100000000ull,
		0xffff0000ffffull, 0xffffffffffffffffull, 0x8000800080008000ull,
		0xfffeffff0001ull,
	};
	uint64_t x = 0x243f6a8885a308d3ull;
	unsigned int bad = 0;

	for (unsigned int i = 0; i < 200000 + RTE_DIM(edge); i++) {
		uint64_t v = i < RTE_DIM(edge) ? edge[i] : x, r = v;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		r = (r & 0xffffffff) + (r >> 32);
		r = (r & 0xffffffff) + (r >> 32);
		r = (r & 0xffff) + (r >> 16);
		r = (r & 0xffff) + (r >> 16);
		bad += sk_csum_fold(v) != (uint16_t)r;
	}
	CHECK_EQ(bad, 0, "checksum fold: the same as RFC 1071's for edge "
		"values and 200,000 random sums");
}

/* What a NIC does with a frame whose checksums were left to it, after
 * checking the frame asks as DPDK says it must: the flags, the lengths in
 * tx_offload, the IPv4 header checksum 0 and the pseudo header's sum in
 * the TCP checksum field. False when it does not. */
static bool
nic_complete(struct rte_mbuf *m)
{
	uint8_t *base = rte_pktmbuf_mtod(m, uint8_t *);
	const uint64_t fl = m->ol_flags;
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(base + m->l2_len +
		m->l3_len);

	if ((fl & RTE_MBUF_F_TX_L4_MASK) != RTE_MBUF_F_TX_TCP_CKSUM ||
			m->l2_len != sizeof(struct rte_ether_hdr))
		return false;
	if (fl & RTE_MBUF_F_TX_IPV4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(base +
			m->l2_len);

		if (!(fl & RTE_MBUF_F_TX_IP_CKSUM) || ip->hdr_checksum != 0 ||
				m->l3_len != sizeof(*ip) ||
				th->cksum != rte_ipv4_phdr_cksum(ip, fl))
			return false;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		th->cksum = 0;
		th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	} else if (fl & RTE_MBUF_F_TX_IPV6) {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(base +
			m->l2_len);

		if (m->l3_len != sizeof(*ip6) ||
				th->cksum != rte_ipv6_phdr_cksum(ip6, fl))
			return false;
		th->cksum = 0;
		th->cksum = rte_ipv6_udptcp_cksum(ip6, th);
	} else {
		return false;
	}
	m->ol_flags = 0;
	return true;
}

/* Frames for the TX offload test: SYNs of every layout over both
 * families, a closed port, then data on the flows they open. */
static void
offload_frames(unsigned int phase, const uint32_t *isn)
{
	const uint8_t S = RTE_TCP_SYN_FLAG, A = RTE_TCP_ACK_FLAG,
		P = RTE_TCP_PSH_FLAG;

	if (phase == 0) {
		add(tcp(60, 8080, S, cisn(60), 0, linux_syn, 20, NULL),
			"SYN, Linux options");
		add(tcp(61, 8080, S, cisn(61), 0, NULL, 0, NULL),
			"SYN, no options");
		add(tcp(62, 7, S | RTE_TCP_ECE_FLAG | RTE_TCP_CWR_FLAG,
			cisn(62), 0, ts_sack, 16, NULL), "ECN SYN");
		add(tcp(63, 7, S, cisn(63), 0, mss_ws, 8, NULL),
			"SYN, MSS WS");
		add(tcp(64, 9999, S, 1, 0, NULL, 0, NULL), "SYN, closed port");
		add(tcp6(65, 8080, S, cisn(65), 0, linux_syn, 20),
			"IPv6 SYN, Linux options");
		add(tcp6(66, 8080, S, cisn(66), 0, NULL, 0),
			"IPv6 SYN, no options");
		add(tcp6(67, 9999, S, 1, 0, NULL, 0), "IPv6 SYN, closed port");
		return;
	}
	add(tcp(61, 8080, A | P, cisn(61) + 1, isn[61 - 60] + 1, NULL, 0,
		"Hello Server\n"), "data: hello answers and closes");
	add(tcp(63, 7, A | P, cisn(63) + 1, isn[63 - 60] + 1, NULL, 0,
		"echo"), "data: echoed");
}

/* With TX checksum offload claimed, every answer (SYN-ACKs from the
 * template, RSTs, data, FIN) leaves its checksums to the port as DPDK
 * requires, and, completed as a NIC would, is byte for byte the answer
 * of an engine that computes them itself. */
static void
test_tx_offload(void)
{
	struct sk_engine *soft = engine_tx(false), *hard = engine_tx(true);
	uint32_t isn[8] = { 0 };

	for (unsigned int phase = 0; phase < 2; phase++) {
		struct rte_mbuf *copy[SK_BURST_MAX];
		struct answers x = { 0 }, y = { 0 };
		unsigned int asked = 0, same = 0, data = 0;

		offload_frames(phase, isn);
		for (unsigned int i = 0; i < nframes; i++) {
			copy[i] = rte_pktmbuf_copy(frames[i], pool, 0,
				UINT32_MAX);
			if (copy[i] == NULL) {
				printf("Bail out! mbuf copy\n");
				exit(1);
			}
		}
		x.n = sk_engine_input(soft, frames, (uint16_t)nframes, x.m,
			now);
		y.n = sk_engine_input(hard, copy, (uint16_t)nframes, y.m, now);
		nframes = 0;
		CHECK(x.n == y.n && x.n >= (phase == 0 ? 8u : 2u),
			"TX offload, phase %u: %u answers, as many as without",
			phase, y.n);
		for (unsigned int i = 0; i < RTE_MIN(x.n, y.n); i++) {
			struct skt_resp r;
			struct skt_resp6 r6;

			asked += nic_complete(y.m[i]);
			if (x.m[i]->ol_flags == 0 &&
					x.m[i]->data_len == y.m[i]->data_len &&
					memcmp(rte_pktmbuf_mtod(x.m[i], void *),
					rte_pktmbuf_mtod(y.m[i], void *),
					x.m[i]->data_len) == 0)
				same++;
			if (phase != 0) {
				data += skt_read(x.m[i], &r) && r.len > 0;
				continue;
			}
			if (skt_read(x.m[i], &r) && r.sport != 9999 &&
					r.dport >= cport(60) &&
					r.dport < cport(68))
				isn[r.dport - cport(60)] = r.seq;
			else if (skt_read6(x.m[i], &r6) &&
					r6.dport >= cport(60) &&
					r6.dport < cport(68))
				isn[r6.dport - cport(60)] = r6.seq;
		}
		CHECK_EQ(asked, y.n, "TX offload, phase %u: every answer "
			"leaves both checksums to the port as DPDK asks "
			"(flags, lengths, pseudo header sum)", phase);
		CHECK_EQ(same, x.n, "TX offload, phase %u: completed, every "
			"answer the same as the software checksums' one",
			phase);
		if (phase != 0)
			CHECK_EQ(data, 2, "TX offload: the cookie ACKs made "
				"flows that answered with data");
		rte_pktmbuf_free_bulk(x.m, x.n);
		rte_pktmbuf_free_bulk(y.m, y.n);
	}
	sk_engine_free(soft);
	sk_engine_free(hard);
}

int
main(void)
{
	struct answers a;
	struct skt_resp r;
	uint32_t isn[NFLOWS] = { 0 };
	unsigned int avail, layouts = 0;
	const uint8_t S = RTE_TCP_SYN_FLAG, A = RTE_TCP_ACK_FLAG,
		F = RTE_TCP_FIN_FLAG, R = RTE_TCP_RST_FLAG,
		P = RTE_TCP_PSH_FLAG;
	struct rte_mbuf *m;

	test_fold();
	pool = skt_eal("test_burst");
	avail = rte_mempool_avail_count(pool);
	one = engine();
	all = engine();

	/* Phase 1: SYNs of every option layout among other kinds. */
	add(arp_request(), "ARP request");
	for (unsigned int i = 0; i < 8; i++)
		add(tcp(i, 8080, S, cisn(i), 0, linux_syn, 20, NULL),
			"SYN, Linux options");
	add(icmp_echo(), "ICMP echo");
	add(tcp(8, 8080, S, cisn(8), 0, NULL, 0, NULL), "SYN, no options");
	add(tcp(9, 8080, S, cisn(9), 0, ts_only, 12, NULL), "SYN, TS only");
	m = tcp(10, 7, S | RTE_TCP_ECE_FLAG | RTE_TCP_CWR_FLAG, cisn(10), 0,
		ts_sack, 16, NULL);
	add(m, "ECN SYN, MSS SACK TS");
	add(tcp(11, 7, S, cisn(11), 0, mss_ws, 8, NULL), "SYN, MSS WS");
	add(tcp(20, 9999, S, 1, 0, NULL, 0, NULL), "SYN, closed port");
	add(tcp(21, 9999, A, 1, 2, NULL, 0, NULL), "ACK, closed port");
	m = tcp(22, 8080, S, 5, 0, NULL, 0, NULL);
	rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *, 34)->cksum ^= 1;
	add(m, "SYN, bad checksum");
	m = tcp(23, 8080, S, 5, 0, NULL, 0, NULL);
	rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr.addr_bytes[5]
		^= 0x40;
	add(m, "SYN, not our MAC");
	add(tcp(24, 8080, R, 5, 0, NULL, 0, NULL), "RST, no flow");
	add(tcp(25, 8080, F, 5, 0, NULL, 0, NULL), "FIN without ACK");
	add(tcp(26, 8080, S | A, 5, 6, NULL, 0, NULL), "SYN-ACK to a server");
	add(tcp(0, 8080, S, cisn(0), 0, linux_syn, 20, NULL),
		"SYN, retransmitted");
	both("SYNs among every kind", &a);
	for (unsigned int i = 0; i < NFLOWS; i++) {
		if (find(&a, cport(i), S | A, &r) ||
				find(&a, cport(i), S | A | RTE_TCP_ECE_FLAG,
					&r)) {
			isn[i] = r.seq;
			layouts |= 1u << ((r.has_ts ? 1 : 0) |
				(r.sack_ok ? 2 : 0) | (r.wscale >= 0 ? 4 : 0));
			CHECK(r.ip_ok && r.tcp_ok && r.ack == cisn(i) + 1,
				"flow %u: SYN-ACK with valid checksums, ACK "
				"= ISN + 1", i);
		}
	}
	CHECK_EQ(layouts, 0x1 | 0x2 | 0x8 | 0x80,
		"SYN-ACKs in the four option layouts (none, TS, TS+SACK, "
		"TS+SACK+WS)");
	CHECK(find(&a, cport(10), S | A | RTE_TCP_ECE_FLAG, &r),
		"ECN-setup SYN: SYN-ACK with ECE");
	CHECK(find(&a, cport(20), R | A, &r) && r.ack == 2,
		"closed port: RST, ACK = SEQ + 1");
	rte_pktmbuf_free_bulk(a.m, a.n);

	/* Phase 2: handshakes completed, used and torn down in one burst. */
	add(tcp(0, 8080, A | P, cisn(0) + 1, isn[0] + 1, NULL, 0,
		"Hello Server\n"), "ACK with data: hello answers");
	add(tcp(1, 8080, A, cisn(1) + 1, isn[1] + 1, NULL, 0, NULL),
		"bare ACK: flow 1 made");
	add(tcp(1, 8080, A | P, cisn(1) + 1, isn[1] + 1, NULL, 0, "Hi"),
		"data on flow 1, made earlier in this burst");
	add(arp_request(), "ARP request");
	add(tcp(1, 8080, A | P, cisn(1) + 3, isn[1] + 1, NULL, 0, "\n"),
		"the line's end: hello answers and closes");
	add(tcp(2, 8080, A | F, cisn(2) + 1, isn[2] + 1, NULL, 0, NULL),
		"ACK with FIN");
	add(tcp(3, 8080, A, cisn(3) + 1, isn[3] + 1, NULL, 0, NULL),
		"flow 3 made");
	add(tcp(3, 8080, R, cisn(3) + 1, 0, NULL, 0, NULL),
		"exact RST: flow 3 freed");
	add(tcp(3, 8080, A, cisn(3) + 1, isn[3] + 1, NULL, 0, NULL),
		"flow 3 made again from its cookie");
	add(tcp(4, 8080, A, cisn(4) + 1, isn[4] + 2, NULL, 0, NULL),
		"bad cookie (ACK + 1): RST");
	add(tcp(5, 8080, A, cisn(5) + 1, isn[5] + 1, NULL, 0, NULL),
		"flow 5 made");
	add(tcp(5, 8080, S, cisn(5), 0, linux_syn, 20, NULL),
		"SYN on flow 5: challenge ACK");
	add(tcp(6, 8080, A, cisn(6) + 2, isn[6] + 1, NULL, 0, NULL),
		"bad cookie (SEQ + 1): RST");
	add(icmp_echo(), "ICMP echo");
	add(tcp(7, 8080, A | P, cisn(7) + 1, isn[7] + 1, NULL, 0,
		"Hello Server\n"), "flow 7: data in the third segment");
	add(tcp(7, 8080, A | F, cisn(7) + 14, isn[7] + 1, NULL, 0, NULL),
		"flow 7: FIN after the request");
	add(tcp(10, 7, A | P, cisn(10) + 1, isn[10] + 1, NULL, 0, "echo me"),
		"echo: data back");
	add(tcp(30, 8080, S, cisn(30), 0, linux_syn, 20, NULL),
		"a new SYN among them");
	add(tcp(8, 8080, A, cisn(8) + 1, isn[8] + 1, NULL, 0, NULL),
		"flow 8 (no options) made");
	add(tcp(8, 8080, A | F, cisn(8) + 1, isn[8] + 1, NULL, 0, NULL),
		"flow 8: FIN");
	both("handshakes and closes in one burst", &a);
	CHECK(find(&a, cport(0), A | P | F, &r) && r.len == 13 &&
		memcmp(r.data, "Hello Client\n", 13) == 0,
		"flow 0: \"Hello Client\" and FIN");
	CHECK(find(&a, cport(4), R, &r) && r.seq == isn[4] + 2,
		"flow 4: RST for the bad cookie");
	CHECK(find(&a, cport(10), A | P, &r) && r.len == 7,
		"flow 10: echoed");
	CHECK(find(&a, cport(30), S | A, &r), "flow 30: SYN-ACK");
	CHECK_EQ(sk_engine_stats(all)->flow_created, 9,
		"flows made: 0, 1, 2, 3 twice, 5, 7, 8, 10");
	rte_pktmbuf_free_bulk(a.m, a.n);

	/* Phase 3: a flow freed and another made in one burst (the entry is
	 * reused at once), then a segment for the freed one: it must not be
	 * taken for the new flow (issue 15's stale lookup). */
	add(tcp(5, 8080, R, cisn(5) + 1, 0, NULL, 0, NULL),
		"exact RST: flow 5 freed");
	add(tcp(9, 8080, A, cisn(9) + 1, isn[9] + 1, NULL, 0, NULL),
		"flow 9 made, in flow 5's entry");
	add(tcp(5, 8080, A | P, cisn(5) + 1, isn[5] + 1, NULL, 0, "x\n"),
		"data for the freed flow 5");
	both("a flow freed, another made, the first one's data", &a);
	CHECK(find(&a, cport(5), A | P | F, &r) && r.len == 13,
		"flow 5 made again from the cookie its data segment carries, "
		"and answered: no state of flow 9 was used");
	rte_pktmbuf_free_bulk(a.m, a.n);

	/* Phase 4: IPv4 and IPv6 in one burst: SYNs (their IPv6 cookie
	 * tuples' address digests hashed together on the lanes), then the
	 * ACKs, a bad one of each family among them. */
	for (unsigned int i = 40; i < 52; i++) {
		if (i % 3 == 0)
			add(tcp(i, 8080, S, cisn(i), 0, linux_syn, 20, NULL),
				"IPv4 SYN among IPv6 ones");
		else
			add(tcp6(i, 8080, S, cisn(i), 0, linux_syn, 20),
				"IPv6 SYN");
	}
	both("IPv4 and IPv6 SYNs in one burst", &a);
	uint32_t isn6[52] = { 0 };
	uint64_t bad0;
	uint32_t flows0 = sk_flow_count(sk_engine_flows(all));

	for (unsigned int i = 40; i < 52; i++) {
		struct skt_resp6 r6;
		bool got = false;

		for (unsigned int k = 0; k < a.n && !got; k++) {
			if (skt_read6(a.m[k], &r6) && r6.dport == cport(i)) {
				isn6[i] = r6.seq;
				got = true;
			} else if (skt_read(a.m[k], &r) &&
					r.dport == cport(i)) {
				isn6[i] = r.seq;
				got = true;
			}
		}
		CHECK(got, "SYN-ACK for %s client %u", i % 3 ? "IPv6" :
			"IPv4", i);
	}
	rte_pktmbuf_free_bulk(a.m, a.n);
	bad0 = sk_engine_stats(all)->cookie_bad_mac;
	for (unsigned int i = 40; i < 52; i++) {
		uint32_t bad = i == 43 || i == 44;  /* one of each family */

		if (i % 3 == 0)
			add(tcp(i, 8080, A, cisn(i) + 1, isn6[i] + 1 + bad,
				ts_only, 12, NULL), "IPv4 cookie ACK");
		else
			add(tcp6(i, 8080, A, cisn(i) + 1, isn6[i] + 1 + bad,
				ts_only, 12), "IPv6 cookie ACK");
	}
	both("IPv4 and IPv6 cookie ACKs in one burst", &a);
	CHECK_EQ(sk_engine_stats(all)->cookie_bad_mac - bad0, 2,
		"the bad IPv4 and IPv6 cookies refused, the 10 others taken");
	CHECK_EQ(sk_flow_count(sk_engine_flows(all)) - flows0, 10,
		"10 flows made, IPv4 and IPv6");
	rte_pktmbuf_free_bulk(a.m, a.n);

	sk_engine_free(one);
	sk_engine_free(all);
	test_tx_offload();
	CHECK_EQ(rte_mempool_avail_count(pool), avail,
		"every mbuf freed or returned (commit stage)");
	skt_eal_done();
	return sk_test_done();
}

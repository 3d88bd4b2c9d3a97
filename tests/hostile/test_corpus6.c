/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hostile IPv6 through the whole engine (issue 13; sk_engine_input: parser,
 * cookies, flow table, responders), as test_corpus.c does for IPv4. One
 * table row per case with its expected outcome:
 *
 *   DROP     no response, exactly the named drop_* counter moved by one
 *            (and no other drop_*, no tx_* counter)
 *   IGNORE   no response, no drop, the named counter moved (rx_nd_other)
 *   SYNACK   one SYN-ACK over IPv6 acking the client's ISN + 1, no flow
 *   RST      one RST (forged ACK: <SEQ=SEG.ACK>; closed port: RST|ACK,
 *            ack = ISN + 1)
 *   NA, ECHO one Neighbor Advertisement / ICMPv6 echo reply
 *
 * Extension-header loops, bad payload lengths and jumbograms included.
 * Then the whole table again as one burst (the same counters and
 * responses), a SYN flood and a forged-ACK flood from random IPv6 sources
 * with a legitimate IPv6 handshake completing in the middle of each, two
 * peers whose addresses fold to the same flow key told apart, and every
 * mbuf back in the pool at the end.
 */

#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>

#include "sk_config.h"
#include "sk_engine.h"
#include "sk_flow.h"
#include "sk_frames.h"
#include "sk_stats.h"
#include "sk_test.h"

#define NS_PER_MS 1000000ull
#define F(x) RTE_TCP_ ## x ## _FLAG

static const uint8_t E6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
static const uint8_t P6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t O6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 9 };
static const uint8_t ALLNODES[16] = { 0xff, 0x02, [15] = 1 };
static const struct rte_ether_addr MAC_ALLNODES = {
	.addr_bytes = { 0x33, 0x33, 0, 0, 0, 1 } };

static struct rte_mempool *pool;
static struct sk_engine *eng;
static uint64_t now;
static uint8_t ext[2048];

enum outcome { DROP, IGNORE, SYNACK, RST, NA, ECHO };
static const char *const outcome_name[] = {
	"counted drop", "ignored and counted", "SYN-ACK", "RST", "NA",
	"echo reply",
};

struct want {
	uint32_t isn;        /* SYNACK, RST to a SYN: ack = isn + 1 */
	uint32_t rst_seq;    /* RST to an ACK: seq */
	bool rst_ack;        /* RST|ACK (to a SYN) */
};

struct hcase {
	const char *name;
	enum outcome out;
	const char *counter;
	struct rte_mbuf *(*build)(struct want *w);
};

/* ---- engine, counters -------------------------------------------------- */

static void
engine_new(void)
{
	static const uint8_t secret[16] = { 0x5e, 0xc2, 0xe7, 6 };
	struct sk_config c;

	sk_config_defaults(&c);
	c.n_addrs = 1;
	c.addrs[0].addr = RTE_BE32(0xc6120002);
	c.addrs[0].prefix = 24;
	c.n_addrs6 = 1;
	memcpy(c.addrs6[0].addr, E6, 16);
	c.addrs6[0].prefix = 64;
	c.n_listen = 2;
	c.listen[0] = (struct sk_config_listen){ 8080, SK_APP_HELLO };
	c.listen[1] = (struct sk_config_listen){ 9, SK_APP_HOLD };
	c.flow_capacity = 256;
	c.secret_set = true;
	memcpy(c.secret, secret, sizeof(secret));
	now = 5 * NS_PER_MS;
	eng = skt_engine(&c, pool, now);
}

static int
stat_index(const char *name)
{
	for (size_t i = 0; i < SK_STATS_N; i++)
		if (strcmp(name, sk_stats_names[i]) == 0)
			return (int)i;
	return -1;
}

static uint64_t
counter(const struct sk_stats *s, size_t i)
{
	return ((const uint64_t *)(const void *)s)[i];
}

static uint32_t
flows(void)
{
	return sk_flow_count(sk_engine_flows(eng));
}

/* ---- frames ------------------------------------------------------------ */

static struct rte_mbuf *
must(struct rte_mbuf *m)
{
	if (m == NULL) {
		printf("Bail out! mbuf pool empty\n");
		exit(1);
	}
	return m;
}

static struct skt_frame6
tcp6(uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack)
{
	struct skt_frame6 f = {
		.sport = 40000, .dport = dport, .seq = seq, .ack = ack,
		.flags = flags,
	};

	memcpy(f.saddr, P6, 16);
	memcpy(f.daddr, E6, 16);
	return f;
}

static struct rte_mbuf *
syn_with(const struct skt_frame6 *f, struct want *w)
{
	w->isn = f->seq;
	return must(skt_build6(pool, f));
}

static uint16_t
opts_hdr(uint8_t *b, uint8_t nh)
{
	memset(b, 0, 8);
	b[0] = nh;
	b[2] = 1;
	b[3] = 4;
	return 8;
}

static uint16_t
chain(unsigned int n, uint8_t last)
{
	uint16_t off = 0;

	for (unsigned int i = 0; i < n; i++)
		off += opts_hdr(ext + off, i + 1 < n ? 60 : last);
	return off;
}

static struct rte_mbuf *
b_loop(struct want *w)
{
	struct skt_frame6 f = tcp6(8080, F(SYN), 1, 0);

	f.ext = ext;
	f.extlen = chain(170, 60);
	f.ext_nh = 60;
	f.proto = 60;
	f.len = 0;
	(void)w;
	return must(skt_build6(pool, &f));
}

static struct rte_mbuf *
b_chain9(struct want *w)
{
	struct skt_frame6 f = tcp6(8080, F(SYN), 1, 0);

	f.ext = ext;
	f.extlen = chain(9, IPPROTO_TCP);
	f.ext_nh = 0;
	(void)w;
	return must(skt_build6(pool, &f));
}

static struct rte_mbuf *
b_ext_huge(struct want *w)
{
	struct skt_frame6 f = tcp6(8080, F(SYN), 1, 0);

	f.ext = ext;
	f.extlen = opts_hdr(ext, IPPROTO_TCP);
	ext[1] = 255;
	f.ext_nh = 0;
	(void)w;
	return must(skt_build6(pool, &f));
}

static struct rte_mbuf *
b_hbh_second(struct want *w)
{
	struct skt_frame6 f = tcp6(8080, F(SYN), 1, 0);

	f.ext = ext;
	f.extlen = opts_hdr(ext, 0);
	f.extlen += opts_hdr(ext + 8, IPPROTO_TCP);
	f.ext_nh = 60;
	(void)w;
	return must(skt_build6(pool, &f));
}

static struct rte_mbuf *
frag(bool atomic)
{
	struct skt_frame6 f = tcp6(8080, F(SYN), 1, 0);

	memset(ext, 0, 8);
	ext[0] = IPPROTO_TCP;
	ext[3] = atomic ? 0 : 1;
	ext[7] = 7;
	f.ext = ext;
	f.extlen = 8;
	f.ext_nh = 44;
	return must(skt_build6(pool, &f));
}

static struct rte_mbuf *
b_frag(struct want *w)
{
	(void)w;
	return frag(false);
}

static struct rte_mbuf *
b_frag_atomic(struct want *w)
{
	(void)w;
	return frag(true);
}

static struct rte_mbuf *
plen(uint16_t n)
{
	struct skt_frame6 f = tcp6(8080, F(SYN), 1, 0);

	f.plen_set = true;
	f.plen = n;
	return must(skt_build6(pool, &f));
}

static struct rte_mbuf *
b_plen_long(struct want *w)
{
	(void)w;
	return plen(21);
}

static struct rte_mbuf *
b_plen_max(struct want *w)
{
	(void)w;
	return plen(0xffff);
}

static struct rte_mbuf *
b_plen_zero(struct want *w)
{
	(void)w;
	return plen(0);
}

static struct rte_mbuf *
b_plen_short(struct want *w)
{
	(void)w;
	return plen(12);
}

static struct rte_mbuf *
jumbo(bool zero)
{
	struct skt_frame6 f = tcp6(8080, F(SYN), 1, 0);

	memset(ext, 0, 8);
	ext[0] = IPPROTO_TCP;
	ext[2] = 0xc2;
	ext[3] = 4;
	ext[7] = 28;
	f.ext = ext;
	f.extlen = 8;
	f.ext_nh = 0;
	f.plen_set = zero;
	f.plen = 0;
	return must(skt_build6(pool, &f));
}

static struct rte_mbuf *
b_jumbogram(struct want *w)
{
	(void)w;
	return jumbo(true);
}

static struct rte_mbuf *
b_jumbo_opt(struct want *w)
{
	(void)w;
	return jumbo(false);
}

static struct rte_mbuf *
b_short_hdr(struct want *w)
{
	struct skt_frame6 f = tcp6(8080, F(SYN), 1, 0);
	struct rte_mbuf *m = must(skt_build6(pool, &f));

	(void)w;
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_data_len(m) - 44));
	return m;
}

static struct rte_mbuf *
b_hlim0(struct want *w)
{
	struct skt_frame6 f = tcp6(8080, F(SYN), 1, 0);

	(void)w;
	f.hlim0 = true;
	return must(skt_build6(pool, &f));
}

static struct rte_mbuf *
b_src_mc(struct want *w)
{
	struct skt_frame6 f = tcp6(8080, F(SYN), 1, 0);

	(void)w;
	memcpy(f.saddr, ALLNODES, 16);
	return must(skt_build6(pool, &f));
}

static struct rte_mbuf *
b_src_ours(struct want *w)
{
	struct skt_frame6 f = tcp6(8080, F(SYN), 1, 0);

	(void)w;
	memcpy(f.saddr, E6, 16);
	return must(skt_build6(pool, &f));
}

static struct rte_mbuf *
b_dst_other(struct want *w)
{
	struct skt_frame6 f = tcp6(8080, F(SYN), 1, 0);

	(void)w;
	memcpy(f.daddr, O6, 16);
	return must(skt_build6(pool, &f));
}

static struct rte_mbuf *
b_dst_group(struct want *w)
{
	struct skt_frame6 f = tcp6(8080, F(SYN), 1, 0);

	(void)w;
	skt_snm6(E6, f.daddr, NULL);
	return must(skt_build6(pool, &f));
}

static struct rte_mbuf *
b_udp(struct want *w)
{
	struct skt_frame6 f = tcp6(8080, 0, 0, 0);

	(void)w;
	f.proto = IPPROTO_UDP;
	f.data = "\x9c\x40\x1f\x90\x00\x08\x00\x00";
	f.len = 8;
	return must(skt_build6(pool, &f));
}

static struct rte_mbuf *
b_esp(struct want *w)
{
	struct skt_frame6 f = tcp6(8080, 0, 0, 0);

	(void)w;
	f.proto = 50;
	f.data = "\0\0\1\0\0\0\0\1";
	f.len = 8;
	return must(skt_build6(pool, &f));
}

static struct rte_mbuf *
b_bad_cksum(struct want *w)
{
	struct skt_frame6 f = tcp6(8080, F(SYN), 1, 0);

	(void)w;
	f.bad_cksum = true;
	return must(skt_build6(pool, &f));
}

static struct rte_mbuf *
b_syn_fin(struct want *w)
{
	struct skt_frame6 f = tcp6(8080, F(SYN) | F(FIN), 1, 0);

	(void)w;
	return must(skt_build6(pool, &f));
}

static uint8_t nsmsg[32];

static struct skt_frame6
ns(uint8_t hlim)
{
	static uint8_t snm[16];
	static struct rte_ether_addr mac;
	struct skt_frame6 f = { .proto = IPPROTO_ICMPV6, .data = nsmsg,
		.len = 32, .hlim = hlim, .dmac = &mac };

	memset(nsmsg, 0, sizeof(nsmsg));
	nsmsg[0] = 135;
	memcpy(nsmsg + 8, E6, 16);
	nsmsg[24] = 1;
	nsmsg[25] = 1;
	memcpy(nsmsg + 26, &skt_peer_mac, 6);
	skt_snm6(E6, snm, &mac);
	memcpy(f.saddr, P6, 16);
	memcpy(f.daddr, snm, 16);
	return f;
}

static struct rte_mbuf *
b_ns_hlim(struct want *w)
{
	struct skt_frame6 f = ns(64);

	(void)w;
	return must(skt_build6(pool, &f));
}

static struct rte_mbuf *
b_ns(struct want *w)
{
	struct skt_frame6 f = ns(255);

	(void)w;
	return must(skt_build6(pool, &f));
}

static struct rte_mbuf *
b_ra(struct want *w)
{
	static uint8_t ra[16] = { 134, 0, 0, 0, 64, 0, 7, 8 };
	struct skt_frame6 f = { .proto = IPPROTO_ICMPV6, .data = ra,
		.len = 16, .hlim = 255, .dmac = &MAC_ALLNODES };

	(void)w;
	memcpy(f.saddr, P6, 16);
	memcpy(f.daddr, ALLNODES, 16);
	return must(skt_build6(pool, &f));
}

static struct rte_mbuf *
b_echo_hbh(struct want *w)
{
	static uint8_t msg[1408] = { 128, 0, 0, 0, 0, 1, 0, 2 };
	struct skt_frame6 f = { .proto = IPPROTO_ICMPV6, .data = msg,
		.len = sizeof(msg) };

	(void)w;
	for (unsigned int i = 8; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	memcpy(f.saddr, P6, 16);
	memcpy(f.daddr, E6, 16);
	f.ext = ext;
	f.extlen = opts_hdr(ext, IPPROTO_ICMPV6);
	f.ext_nh = 0;
	return must(skt_build6(pool, &f));
}

static struct rte_mbuf *
b_syn_data(struct want *w)
{
	struct skt_frame6 f = tcp6(8080, F(SYN), 0x5000, 0);

	f.data = "Hello Server\n";
	f.len = 13;
	return syn_with(&f, w);
}

static struct rte_mbuf *
b_syn_ext(struct want *w)
{
	struct skt_frame6 f = tcp6(8080, F(SYN), 0x6000, 0);

	f.ext = ext;
	f.extlen = chain(8, IPPROTO_TCP);
	f.ext_nh = 0;
	return syn_with(&f, w);
}

static struct rte_mbuf *
b_forged_ack(struct want *w)
{
	struct skt_frame6 f = tcp6(8080, F(ACK), 0x7001, 0x12345678);

	w->rst_seq = 0x12345678;
	return must(skt_build6(pool, &f));
}

static struct rte_mbuf *
b_closed(struct want *w)
{
	struct skt_frame6 f = tcp6(9999, F(SYN), 0x8000, 0);

	w->rst_ack = true;
	return syn_with(&f, w);
}

static const struct hcase cases[] = {
	{ "170 destination options headers, each naming the next", DROP,
		"drop_ip6_exthdr", b_loop },
	{ "9 extension headers (bound 8)", DROP, "drop_ip6_exthdr", b_chain9 },
	{ "hop-by-hop header of 2048 bytes in 8", DROP, "drop_ip6_short",
		b_ext_huge },
	{ "hop-by-hop second", DROP, "drop_ip6_exthdr", b_hbh_second },
	{ "first fragment", DROP, "drop_ip6_frag", b_frag },
	{ "atomic fragment", DROP, "drop_ip6_frag", b_frag_atomic },
	{ "payload length 21, 20 bytes", DROP, "drop_ip6_len", b_plen_long },
	{ "payload length 65535", DROP, "drop_ip6_len", b_plen_max },
	{ "payload length 0", DROP, "drop_ip6_len", b_plen_zero },
	{ "payload length 12 with TCP", DROP, "drop_tcp_short", b_plen_short },
	{ "jumbogram (length 0, jumbo option)", DROP, "drop_ip6_len",
		b_jumbogram },
	{ "jumbo option, length not 0", DROP, "drop_ip6_exthdr", b_jumbo_opt },
	{ "30 bytes of IPv6 header", DROP, "drop_ip6_short", b_short_hdr },
	{ "hop limit 0", DROP, "drop_ip6_hlim", b_hlim0 },
	{ "multicast source", DROP, "drop_ip6_src", b_src_mc },
	{ "our own source", DROP, "drop_ip6_src", b_src_ours },
	{ "another destination", DROP, "drop_ip6_dst", b_dst_other },
	{ "TCP to our solicited-node group", DROP, "drop_ip6_dst",
		b_dst_group },
	{ "UDP", DROP, "drop_ip6_proto", b_udp },
	{ "ESP", DROP, "drop_ip6_exthdr", b_esp },
	{ "bad TCP checksum", DROP, "drop_tcp_cksum", b_bad_cksum },
	{ "SYN+FIN", DROP, "drop_tcp_flags", b_syn_fin },
	{ "NS with hop limit 64", DROP, "drop_icmp6", b_ns_hlim },
	{ "router advertisement", IGNORE, "rx_nd_other", b_ra },
	{ "SYN with 13 bytes of data", SYNACK, "tx_synack", b_syn_data },
	{ "SYN behind 8 extension headers", SYNACK, "tx_synack", b_syn_ext },
	{ "forged ACK", RST, "cookie_bad_mac", b_forged_ack },
	{ "SYN to a closed port", RST, "tx_rst_closed_port", b_closed },
	{ "NS for 2001:db8::2", NA, "tx_nd_na", b_ns },
	{ "1400-byte echo request behind hop-by-hop", ECHO, "tx_icmp6_reply",
		b_echo_hbh },
};
#define N_CASES RTE_DIM(cases)

/* ---- checking a response ---------------------------------------------- */

static const char *
check_resp(const struct hcase *hc, const struct want *w, struct rte_mbuf *m)
{
	const uint8_t *b = rte_pktmbuf_mtod(m, const uint8_t *);
	uint16_t n = rte_pktmbuf_data_len(m);
	struct skt_resp6 r;

	if (hc->out == NA || hc->out == ECHO) {
		uint16_t plen;

		if (n < 62 || b[12] != 0x86 || b[13] != 0xdd || b[20] != 58)
			return "not ICMPv6";
		plen = (uint16_t)(b[18] << 8 | b[19]);
		if (54 + plen != n)
			return "payload length does not match the frame";
		if (skt_cksum6(b + 22, b + 38, 58, b + 54, plen) != 0)
			return "bad ICMPv6 checksum";
		if (memcmp(b + 22, E6, 16) != 0 || memcmp(b + 38, P6, 16) != 0)
			return "not from 2001:db8::2 to 2001:db8::1";
		if (hc->out == NA)
			return b[54] == 136 && b[21] == 255 && plen == 32 ?
				NULL : "not an NA (type 136, hop limit 255)";
		return b[54] == 129 && plen == 1408 ? NULL :
			"not a 1408-byte echo reply";
	}
	if (!skt_read6(m, &r))
		return "not TCP over IPv6";
	if (!r.tcp_ok)
		return "bad TCP checksum";
	if (memcmp(r.saddr, E6, 16) != 0 || memcmp(r.daddr, P6, 16) != 0 ||
			r.dport != 40000)
		return "not to the sender";
	if (!rte_is_same_ether_addr(&r.dst, &skt_peer_mac))
		return "not to the sender's MAC";
	if (hc->out == SYNACK)
		return r.flags == (F(SYN) | F(ACK)) && r.ack == w->isn + 1 &&
			r.len == 0 && r.mss == 1440 ? NULL :
			"not SYN|ACK, ack ISN + 1, MSS 1440, no data";
	if (w->rst_ack)
		return r.flags == (F(RST) | F(ACK)) && r.seq == 0 &&
			r.ack == w->isn + 1 ? NULL :
			"not RST|ACK, seq 0, ack ISN + 1";
	return r.flags == F(RST) && r.seq == w->rst_seq ? NULL :
		"not RST with seq = the ACK's ack";
}

/* Run one case; returns whether everything about it was right. */
static void
run_case(const struct hcase *hc)
{
	struct sk_stats before = *sk_engine_stats(eng);
	const struct sk_stats *after;
	struct want w = { 0 };
	struct rte_mbuf *m = hc->build(&w), *tx[4];
	uint16_t n = sk_engine_input(eng, &m, 1, tx, now);
	int ci = stat_index(hc->counter);
	bool bad_other = false;
	const char *why = NULL;

	after = sk_engine_stats(eng);
	for (size_t i = 0; i < SK_STATS_N; i++) {
		uint64_t d = counter(after, i) - counter(&before, i);
		const char *name = sk_stats_names[i];

		if ((int)i == ci || d == 0)
			continue;
		if (strncmp(name, "drop_", 5) == 0 ||
				(hc->out <= IGNORE && strncmp(name, "tx_", 3) == 0)) {
			printf("# %s: %s moved by %llu\n", hc->name, name,
				(unsigned long long)d);
			bad_other = true;
		}
	}
	if (ci < 0) {
		why = "no such counter";
	} else if (counter(after, (size_t)ci) - counter(&before, (size_t)ci)
			!= 1) {
		why = "the named counter did not move by one";
	} else if (hc->out <= IGNORE) {
		if (n != 0)
			why = "a response to a frame that needs none";
	} else if (n != 1) {
		why = "not exactly one response";
	} else {
		why = check_resp(hc, &w, tx[0]);
	}
	for (uint16_t i = 0; i < n; i++)
		rte_pktmbuf_free(tx[i]);
	if (why != NULL)
		printf("# %s: %s\n", hc->name, why);
	CHECK(why == NULL && !bad_other && flows() == 0,
		"%s: %s (%s), no flow", hc->name, outcome_name[hc->out],
		hc->counter);
}

/* The whole table as one burst: the same counters and responses. */
static void
run_burst(void)
{
	struct sk_stats before = *sk_engine_stats(eng);
	struct rte_mbuf *rx[N_CASES], *tx[N_CASES];
	struct want w[N_CASES];
	unsigned int want_tx = 0, bad = 0, k = 0;
	uint16_t n;

	memset(w, 0, sizeof(w));
	for (unsigned int i = 0; i < N_CASES; i++) {
		rx[i] = cases[i].build(&w[i]);
		want_tx += cases[i].out > IGNORE;
	}
	n = sk_engine_input(eng, rx, N_CASES, tx, now);
	CHECK_EQ(n, want_tx, "the table as one burst: one response per case "
		"that has one");
	for (unsigned int i = 0; i < N_CASES && k < n; i++) {
		const char *why;

		if (cases[i].out <= IGNORE)
			continue;
		why = check_resp(&cases[i], &w[i], tx[k++]);
		if (why != NULL) {
			printf("# burst: %s: %s\n", cases[i].name, why);
			bad++;
		}
	}
	for (uint16_t i = 0; i < n; i++)
		rte_pktmbuf_free(tx[i]);
	CHECK_EQ(bad, 0, "the table as one burst: each response right, in order");
	for (size_t i = 0; i < SK_STATS_N; i++) {
		uint64_t d = counter(sk_engine_stats(eng), i) -
			counter(&before, i);
		uint64_t e = 0;

		if (strncmp(sk_stats_names[i], "drop_", 5) != 0)
			continue;
		for (unsigned int c = 0; c < N_CASES; c++)
			e += strcmp(cases[c].counter, sk_stats_names[i]) == 0;
		if (d != e) {
			printf("# burst: %s moved by %llu, expected %llu\n",
				sk_stats_names[i], (unsigned long long)d,
				(unsigned long long)e);
			bad++;
		}
	}
	CHECK_EQ(bad, 0, "the table as one burst: every drop counter as one "
		"by one");
	CHECK_EQ(flows(), 0, "the table as one burst: no flow");
}

/* ---- floods ------------------------------------------------------------ */

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint64_t
rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* A legitimate handshake from 2001:db8::1 port @p sport: SYN, SYN-ACK,
 * ACK; returns whether a flow is made. */
static bool
handshake(uint16_t sport)
{
	struct skt_frame6 f = tcp6(9, F(SYN), 0xabc000u + sport, 0);
	struct rte_mbuf *m, *tx[4];
	struct skt_resp6 r;
	uint32_t before = flows();
	uint16_t n;

	f.sport = sport;
	m = must(skt_build6(pool, &f));
	n = sk_engine_input(eng, &m, 1, tx, now);
	if (n != 1 || !skt_read6(tx[0], &r) || r.flags != (F(SYN) | F(ACK))) {
		for (uint16_t i = 0; i < n; i++)
			rte_pktmbuf_free(tx[i]);
		return false;
	}
	rte_pktmbuf_free(tx[0]);
	f.flags = F(ACK);
	f.seq = r.ack;
	f.ack = r.seq + 1;
	m = must(skt_build6(pool, &f));
	n = sk_engine_input(eng, &m, 1, tx, now);
	for (uint16_t i = 0; i < n; i++)
		rte_pktmbuf_free(tx[i]);
	return n == 0 && flows() == before + 1;
}

static void
flood(bool syn, unsigned int total)
{
	const struct sk_stats *s = sk_engine_stats(eng);
	uint64_t sa0 = s->tx_synack, bm0 = s->cookie_bad_mac, rst0 = s->tx_rst;
	unsigned int bad = 0, sent = 0;
	uint32_t flows0 = flows();
	bool legit = false;

	while (sent < total) {
		struct rte_mbuf *rx[32], *tx[32];
		uint16_t n;

		for (unsigned int i = 0; i < 32; i++) {
			struct skt_frame6 f = tcp6(8080, syn ? F(SYN) : F(ACK),
				(uint32_t)rnd(), syn ? 0 : (uint32_t)rnd());
			uint64_t a = rnd(), b = rnd();

			f.saddr[0] = 0xfd;
			memcpy(f.saddr + 1, &a, 8);
			memcpy(f.saddr + 9, &b, 7);
			f.sport = (uint16_t)(1024 + (rnd() & 0x7fff));
			rx[i] = must(skt_build6(pool, &f));
		}
		n = sk_engine_input(eng, rx, 32, tx, now);
		bad += n != 32;
		for (uint16_t i = 0; i < n; i++) {
			struct skt_resp6 r;

			if (!skt_read6(tx[i], &r) || !r.tcp_ok ||
					r.flags != (syn ? (F(SYN) | F(ACK)) :
						F(RST)))
				bad++;
			rte_pktmbuf_free(tx[i]);
		}
		sent += 32;
		now += NS_PER_MS / 10;
		if (!legit && sent >= total / 2)
			legit = handshake(syn ? 50001 : 50002);
	}
	CHECK_EQ(bad, 0, "%s flood over IPv6: %u frames, one right %s each",
		syn ? "SYN" : "forged-ACK", sent, syn ? "SYN-ACK" : "RST");
	if (syn)
		CHECK_EQ(s->tx_synack - sa0, sent + 1, "SYN flood: tx_synack = "
			"SYNs (flood and the legitimate one)");
	else
		CHECK(s->cookie_bad_mac - bm0 == sent &&
			s->tx_rst - rst0 == sent,
			"forged-ACK flood: cookie_bad_mac = tx_rst = %u", sent);
	CHECK(legit, "%s flood over IPv6: a legitimate IPv6 handshake "
		"completes in the middle of it", syn ? "SYN" : "forged-ACK");
	CHECK_EQ(flows(), flows0 + legit, "%s flood: no flow but the "
		"legitimate one", syn ? "SYN" : "forged-ACK");
}

/* ---- flow-key fold collisions ----------------------------------------- */

/* Two peer addresses (fd00::/8) whose 32-bit folds in the flow key are
 * equal, found by a birthday search; false if none in 2^20 tries. */
static bool
fold_collision(uint8_t *a, uint8_t *b)
{
	enum { BITS = 21, SLOTS = 1u << BITS, TRIES = 1u << 20 };
	struct slot { uint32_t fold; uint64_t lo; bool used; } *tab;
	bool found = false;

	tab = calloc(SLOTS, sizeof(*tab));
	if (tab == NULL)
		return false;
	for (uint32_t i = 0; i < TRIES && !found; i++) {
		struct sk_flow_key6 k;
		uint8_t addr[16] = { 0xfd, 0x00, 0xc0, 0x11 };
		uint64_t lo = rnd();
		uint32_t h;

		memcpy(addr + 8, &lo, 8);
		sk_flow_key6_make(&k, addr, E6, RTE_BE16(40000), RTE_BE16(9));
		h = k.k.raddr;
		for (uint32_t j = h & (SLOTS - 1); tab[j].used;
				j = (j + 1) & (SLOTS - 1)) {
			if (tab[j].fold == h && tab[j].lo != lo) {
				memcpy(a, addr, 16);
				memcpy(b, addr, 8);
				memcpy(b + 8, &tab[j].lo, 8);
				found = true;
				break;
			}
		}
		if (!found) {
			uint32_t j = h & (SLOTS - 1);

			while (tab[j].used)
				j = (j + 1) & (SLOTS - 1);
			tab[j] = (struct slot){ h, lo, true };
		}
	}
	free(tab);
	return found;
}

/* A handshake from [@p src]:@p sport to port 9 (hold); on success the
 * client's next sequence and the engine's are in *snd, *rcv. */
static bool
handshake_from(const uint8_t *src, uint16_t sport, uint32_t *snd,
		uint32_t *rcv)
{
	struct skt_frame6 f = tcp6(9, F(SYN), 0x11110000u + sport, 0);
	struct rte_mbuf *m, *tx[4];
	struct skt_resp6 r;
	uint16_t n;
	bool ok;

	memcpy(f.saddr, src, 16);
	f.sport = sport;
	m = must(skt_build6(pool, &f));
	n = sk_engine_input(eng, &m, 1, tx, now);
	ok = n == 1 && skt_read6(tx[0], &r) && r.flags == (F(SYN) | F(ACK));
	for (uint16_t i = 0; i < n; i++)
		rte_pktmbuf_free(tx[i]);
	if (!ok)
		return false;
	f.flags = F(ACK);
	f.seq = r.ack;
	f.ack = r.seq + 1;
	m = must(skt_build6(pool, &f));
	n = sk_engine_input(eng, &m, 1, tx, now);
	for (uint16_t i = 0; i < n; i++)
		rte_pktmbuf_free(tx[i]);
	*snd = f.seq;
	*rcv = f.ack;
	return n == 0;
}

/* One segment from [@p src]:40000 to port 9; returns the number of
 * responses, the first one read into @p r. */
static uint16_t
seg_from(const uint8_t *src, uint8_t flags, uint32_t seq, uint32_t ack,
		const char *data, struct skt_resp6 *r)
{
	struct skt_frame6 f = tcp6(9, flags, seq, ack);
	struct rte_mbuf *m, *tx[4];
	uint16_t n;

	memcpy(f.saddr, src, 16);
	f.data = data;
	f.len = data ? (uint16_t)strlen(data) : 0;
	m = must(skt_build6(pool, &f));
	n = sk_engine_input(eng, &m, 1, tx, now);
	memset(r, 0, sizeof(*r));
	if (n > 0)
		skt_read6(tx[0], r);
	for (uint16_t i = 0; i < n; i++)
		rte_pktmbuf_free(tx[i]);
	return n;
}

/* Peers A and B whose addresses fold alike, same ports: the flow table
 * must tell them apart by their full addresses. */
static void
test_fold_collision(void)
{
	uint8_t a[16], b[16];
	uint32_t a_snd, a_rcv, b_snd, b_rcv;
	uint32_t f0 = flows();
	const struct sk_stats *s = sk_engine_stats(eng);
	uint64_t closes0;
	struct skt_resp6 r;
	uint16_t n;

	bool found = fold_collision(a, b);

	CHECK(found, "two IPv6 peers whose flow-key folds collide (birthday "
		"search)");
	if (!found)
		return;
	CHECK(handshake_from(a, 40000, &a_snd, &a_rcv),
		"fold collision: A's handshake makes a flow");
	CHECK_EQ(flows(), f0 + 1, "fold collision: one flow");
	/* B sends what A would: in window, A's numbers */
	n = seg_from(b, F(ACK) | F(PSH), a_snd, a_rcv, "not A\n", &r);
	CHECK(n == 1 && r.flags == F(RST) && memcmp(r.daddr, b, 16) == 0,
		"fold collision: B's segment with A's numbers does not reach A's "
		"flow (a RST to B: no cookie)");
	n = seg_from(b, F(RST), a_snd, 0, NULL, &r);
	CHECK_EQ(flows(), f0 + 1, "fold collision: B's exact RST for A's "
		"numbers kills no flow");
	/* A's flow is intact: its data is ACKed */
	n = seg_from(a, F(ACK) | F(PSH), a_snd, a_rcv, "still A\n", &r);
	CHECK(n == 1 && r.flags == F(ACK) && r.ack == a_snd + 8 &&
		memcmp(r.daddr, a, 16) == 0,
		"fold collision: A's flow is intact (its data ACKed)");
	a_snd += 8;
	/* B gets a flow of its own beside A's */
	CHECK(handshake_from(b, 40000, &b_snd, &b_rcv),
		"fold collision: B's own handshake makes a flow");
	CHECK_EQ(flows(), f0 + 2, "fold collision: two flows, one each");
	/* each closes its own: A first */
	closes0 = s->close_normal;
	n = seg_from(a, F(FIN) | F(ACK), a_snd, a_rcv, NULL, &r);
	CHECK(n >= 1 && (r.flags & F(FIN)) && memcmp(r.daddr, a, 16) == 0,
		"fold collision: A's FIN answered by a FIN to A");
	n = seg_from(a, F(ACK), a_snd + 1, r.seq + 1, NULL, &r);
	CHECK_EQ(s->close_normal - closes0, 1, "fold collision: A's flow "
		"closed");
	CHECK_EQ(flows(), f0 + 1, "fold collision: B's flow left");
	n = seg_from(b, F(ACK) | F(PSH), b_snd, b_rcv, "B\n", &r);
	CHECK(n == 1 && r.flags == F(ACK) && r.ack == b_snd + 2 &&
		memcmp(r.daddr, b, 16) == 0,
		"fold collision: B's flow still answers B");
}

/* 802.1Q: each answer keeps the tag (VID 100) */
static void
test_vlan6(void)
{
	static uint8_t echo[16] = { 128, 0, 0, 0, 0, 9, 0, 9 };
	struct skt_frame6 fs[3];
	const char *what[3] = { "SYN", "NS", "echo request" };
	const uint8_t type[3] = { 6, 136, 129 };

	fs[0] = tcp6(8080, F(SYN), 0x7777, 0);
	fs[1] = ns(255);
	fs[2] = (struct skt_frame6){ .proto = IPPROTO_ICMPV6, .data = echo,
		.len = sizeof(echo) };
	memcpy(fs[2].saddr, P6, 16);
	memcpy(fs[2].daddr, E6, 16);
	for (unsigned int i = 0; i < 3; i++) {
		struct rte_mbuf *m, *tx[4];
		const uint8_t *b;
		uint16_t n, len;
		bool ok;

		fs[i].vlan = true;
		m = must(skt_build6(pool, &fs[i]));
		n = sk_engine_input(eng, &m, 1, tx, now);
		ok = n == 1;
		if (ok) {
			b = rte_pktmbuf_mtod(tx[0], const uint8_t *);
			len = rte_pktmbuf_data_len(tx[0]);
			ok = len >= 18 + 40 + 8 && b[12] == 0x81 && b[13] == 0 &&
				(b[14] & 0x0f) == 0 && b[15] == 100 &&
				b[16] == 0x86 && b[17] == 0xdd &&
				18 + 40 + (b[22] << 8 | b[23]) == len &&
				skt_cksum6(b + 26, b + 42, b[24], b + 58,
					(uint32_t)(len - 58)) == 0 &&
				(type[i] == 6 ? b[24] == 6 &&
					b[58 + 13] == (F(SYN) | F(ACK)) :
					b[24] == 58 && b[58] == type[i]);
		}
		for (uint16_t k = 0; k < n; k++)
			rte_pktmbuf_free(tx[k]);
		CHECK(ok, "IPv6 %s in 802.1Q VID 100: answered in VID 100, "
			"lengths and checksum right", what[i]);
	}
}

int
main(void)
{
	unsigned int avail;
	uint16_t n;
	struct rte_mbuf *tx[64];

	pool = skt_eal("test_hostile_corpus6");
	avail = rte_mempool_avail_count(pool);
	engine_new();

	for (unsigned int i = 0; i < N_CASES; i++)
		run_case(&cases[i]);
	run_burst();
	flood(true, 20000);
	flood(false, 20000);
	test_fold_collision();
	test_vlan6();

	/* let every flow time out, then everything is back */
	for (unsigned int i = 0; i < 200; i++) {
		now += 100 * NS_PER_MS;
		n = sk_engine_timers(eng, now, tx, RTE_DIM(tx));
		for (uint16_t k = 0; k < n; k++)
			rte_pktmbuf_free(tx[k]);
	}
	sk_engine_free(eng);
	CHECK_EQ(rte_mempool_avail_count(pool), avail, "no mbuf leaked");
	skt_eal_done();
	return sk_test_done();
}

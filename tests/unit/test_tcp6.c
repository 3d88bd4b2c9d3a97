/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The engine over IPv6, segment by segment with a fake clock: the cookie
 * handshake, a responder's answer and the closing handshake, a closed
 * port's RST, a timer's segment (the addresses come from the flow table's
 * side array), Neighbor Discovery and echo, and IPv4 and IPv6 flows side by
 * side. Each check reads what a peer would see: the response's bytes,
 * checksums over the IPv6 pseudo header, and the counters.
 */

#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "sk_cksum.h"
#include "sk_common.h"
#include "sk_config.h"
#include "sk_engine.h"
#include "sk_flow.h"
#include "sk_frames.h"
#include "sk_test.h"

#define NS_PER_MS 1000000ull
#define F(x) RTE_TCP_ ## x ## _FLAG

static const uint8_t ENG6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
static const uint8_t PEER6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t OTHER6[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 1, 1 };

static struct rte_mempool *pool;
static struct sk_engine *eng;
static uint64_t now;

static const struct sk_stats *
st(void)
{
	return sk_engine_stats(eng);
}

static void
engine_new(void)
{
	static const uint8_t secret[16] = { 9, 8, 7, 6, 5, 4, 3, 2, 1 };
	struct sk_config c;

	if (eng != NULL)
		sk_engine_free(eng);
	sk_config_defaults(&c);
	c.n_addrs = 1;
	c.addrs[0].addr = RTE_BE32(0xc6120002);
	c.addrs[0].prefix = 24;
	c.n_addrs6 = 1;
	memcpy(c.addrs6[0].addr, ENG6, 16);
	c.addrs6[0].prefix = 64;
	c.n_listen = 1;
	c.listen[0].port = 8080;
	c.listen[0].app = SK_APP_HELLO;
	c.flow_capacity = 64;
	c.rto_ms = 100;
	c.rto_max_ms = 400;
	c.fin_retries = 2;
	c.time_wait_ms = 1000;
	c.secret_set = true;
	memcpy(c.secret, secret, sizeof(secret));
	now = 5 * NS_PER_MS;
	eng = skt_engine(&c, pool, now);
}

/* An IPv6 frame from PEER6 (or @p src) to @p dst with next header @p nh
 * and @p len bytes of payload @p l4, whose checksum field at @p ck_off
 * (-1: none) is filled over the pseudo header. */
static struct rte_mbuf *
frame6(const uint8_t *src, const uint8_t *dst, const struct rte_ether_addr *d,
		uint8_t nh, uint8_t hops, const uint8_t *l4, uint16_t len,
		int ck_off)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ether_hdr *eh;
	struct rte_ipv6_hdr *ip6;
	uint8_t *p;

	if (m == NULL)
		return NULL;
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
		(uint16_t)(sizeof(*eh) + sizeof(*ip6) + len));
	eh->dst_addr = *d;
	eh->src_addr = skt_peer_mac;
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	ip6 = (struct rte_ipv6_hdr *)(eh + 1);
	ip6->vtc_flow = RTE_BE32(0x60000000);
	ip6->payload_len = rte_cpu_to_be_16(len);
	ip6->proto = nh;
	ip6->hop_limits = hops;
	memcpy(ip6->src_addr, src, 16);
	memcpy(ip6->dst_addr, dst, 16);
	p = (uint8_t *)(ip6 + 1);
	memcpy(p, l4, len);
	if (ck_off >= 0) {
		uint16_t ck;

		p[ck_off] = p[ck_off + 1] = 0;
		ck = sk_csum_l4_6(ip6, nh, p, len);
		memcpy(p + ck_off, &ck, 2);
	}
	return m;
}

/* What came back, IPv6 and TCP. */
struct r6 {
	bool ok;              /* IPv6 over Ethernet, checksum right */
	struct rte_ether_addr dst;
	uint8_t src[16], dstip[16];
	uint8_t nh, hops;
	uint16_t plen;
	const uint8_t *l4;
	uint8_t flags;
	uint32_t seq, ack;
	uint16_t mss;
	uint32_t tsval;
	uint8_t data[64];
	uint16_t dlen;
};

static void
read6(struct rte_mbuf *m, struct r6 *r)
{
	const struct rte_ether_hdr *eh =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv6_hdr *ip6 = (const void *)(eh + 1);
	const struct rte_tcp_hdr *th = (const void *)(ip6 + 1);

	memset(r, 0, sizeof(*r));
	if (eh->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV6) ||
			rte_pktmbuf_data_len(m) < sizeof(*eh) + sizeof(*ip6))
		return;
	r->dst = eh->dst_addr;
	memcpy(r->src, ip6->src_addr, 16);
	memcpy(r->dstip, ip6->dst_addr, 16);
	r->nh = ip6->proto;
	r->hops = ip6->hop_limits;
	r->plen = rte_be_to_cpu_16(ip6->payload_len);
	r->l4 = (const uint8_t *)(ip6 + 1);
	if (rte_pktmbuf_data_len(m) != sizeof(*eh) + sizeof(*ip6) + r->plen)
		return;
	r->ok = sk_csum_fold(sk_csum_add(sk_csum_phdr6(ip6->src_addr,
		ip6->dst_addr, ip6->proto, r->plen), r->l4, r->plen)) ==
		0xffff;
	if (ip6->proto != IPPROTO_TCP)
		return;
	r->flags = th->tcp_flags;
	r->seq = rte_be_to_cpu_32(th->sent_seq);
	r->ack = rte_be_to_cpu_32(th->recv_ack);
	{
		const uint8_t *o = (const uint8_t *)(th + 1);
		unsigned int ol = (th->data_off >> 4) * 4u - sizeof(*th);

		for (unsigned int i = 0; i < ol;) {
			if (o[i] <= 1) {
				i++;
				continue;
			}
			if (o[i] == 2)
				r->mss = (uint16_t)(o[i + 2] << 8 | o[i + 3]);
			if (o[i] == 8) {
				memcpy(&r->tsval, o + i + 2, 4);
				r->tsval = rte_be_to_cpu_32(r->tsval);
			}
			i += o[i + 1];
		}
		r->dlen = (uint16_t)(r->plen - (th->data_off >> 4) * 4u);
		if (r->dlen <= sizeof(r->data))
			memcpy(r->data, o + ol, r->dlen);
	}
}

/* Send one frame; returns responses, the first read into *r. */
static unsigned int
input(struct rte_mbuf *m, struct r6 *r)
{
	struct rte_mbuf *tx[4];
	uint16_t n = sk_engine_input(eng, &m, 1, tx, now);

	memset(r, 0, sizeof(*r));
	if (n >= 1)
		read6(tx[0], r);
	for (uint16_t i = 0; i < n; i++)
		rte_pktmbuf_free(tx[i]);
	return n;
}

/* A TCP segment from PEER6 (or @p src) with timestamps when @p tsval. */
static struct rte_mbuf *
tcp6(const uint8_t *src, uint16_t sport, uint16_t dport, uint8_t flags,
		uint32_t seq, uint32_t ack, uint32_t tsval, uint32_t tsecr,
		bool syn_opts, const char *data)
{
	uint8_t seg[128] = { 0 };
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)seg;
	uint8_t *o = seg + sizeof(*th);
	unsigned int ol = 0, dl = data ? (unsigned int)strlen(data) : 0;

	th->src_port = rte_cpu_to_be_16(sport);
	th->dst_port = rte_cpu_to_be_16(dport);
	th->sent_seq = rte_cpu_to_be_32(seq);
	th->recv_ack = rte_cpu_to_be_32(ack);
	th->tcp_flags = flags;
	th->rx_win = RTE_BE16(65535);
	if (syn_opts) {
		/* MSS 1440, SACK-permitted, TS, NOP, WS 7: Linux's SYN */
		static const uint8_t so[8] = { 2, 4, 0x05, 0xa0, 4, 2, 8, 10 };

		memcpy(o, so, 8);
		ol = 8;
	} else {
		o[0] = o[1] = 1;
		o[2] = 8;
		o[3] = 10;
		ol = 4;
	}
	skt_put32(o + ol, tsval);
	skt_put32(o + ol + 4, tsecr);
	ol += 8;
	if (syn_opts) {
		o[ol++] = 1;
		o[ol++] = 3;
		o[ol++] = 3;
		o[ol++] = 7;
	}
	th->data_off = (uint8_t)(((sizeof(*th) + ol) / 4) << 4);
	if (dl != 0)
		memcpy(o + ol, data, dl);
	return frame6(src, ENG6, &skt_engine_mac, IPPROTO_TCP, 64, seg,
		(uint16_t)(sizeof(*th) + ol + dl), 16);
}

static void
test_handshake_hello_close(void)
{
	struct r6 r;
	uint32_t isn, ts;
	struct sk_flow_info fi[4];
	bool more;

	engine_new();
	CHECK_EQ(input(tcp6(PEER6, 40000, 8080, F(SYN), 1000, 0, 500, 0, true,
		NULL), &r), 1, "IPv6 SYN answered");
	CHECK(r.ok, "SYN-ACK: IPv6, checksum right over the pseudo header");
	CHECK(r.flags == (F(SYN) | F(ACK)) && r.ack == 1001,
		"SYN-ACK acks the SYN");
	CHECK(memcmp(r.src, ENG6, 16) == 0 && memcmp(r.dstip, PEER6, 16) == 0,
		"from our address to the peer's");
	CHECK(rte_is_same_ether_addr(&r.dst, &skt_peer_mac), "to its MAC");
	CHECK_EQ(r.hops, 64, "hop limit 64");
	CHECK_EQ(r.mss, 1460 - 20, "MSS: the IPv4 one less 20 bytes");
	CHECK_EQ(st()->rx_tcp6, 1, "rx_tcp6");
	CHECK_EQ(st()->tx_ipv6, 1, "tx_ipv6");
	isn = r.seq;
	ts = r.tsval;

	/* a cookie made for one IPv6 peer does not open a flow for another */
	CHECK_EQ(input(tcp6(OTHER6, 40000, 8080, F(ACK), 1001, isn + 1, 501,
		ts, false, NULL), &r), 1, "the cookie from another address");
	CHECK(r.ok && (r.flags & F(RST)), "is refused with a RST");
	CHECK_EQ(st()->cookie_bad_mac, 1, "cookie_bad_mac");

	CHECK_EQ(input(tcp6(PEER6, 40000, 8080, F(ACK), 1001, isn + 1, 501,
		ts, false, NULL), &r), 0, "the cookie ACK: no answer");
	CHECK_EQ(st()->flow_created, 1, "flow created");
	CHECK_EQ(sk_engine_flow_snapshot(eng, now, 0, fi, 4, &more), 1,
		"one flow listed");
	CHECK(fi[0].family == 6 && memcmp(fi[0].raddr6, PEER6, 16) == 0 &&
		memcmp(fi[0].laddr6, ENG6, 16) == 0 &&
		fi[0].key.lport == RTE_BE16(8080), "as IPv6, its addresses");

	CHECK_EQ(input(tcp6(PEER6, 40000, 8080, F(ACK) | F(PSH), 1001, isn + 1,
		502, ts, false, "Hello Server\n"), &r), 1, "hello answered");
	CHECK(r.ok && r.dlen == 13 && memcmp(r.data, "Hello Client\n", 13) == 0,
		"\"Hello Client\" over IPv6");
	CHECK(r.flags == (F(ACK) | F(PSH) | F(FIN)) && r.ack == 1014,
		"with our FIN, acking the line");
	/* lose it: the timer sends it again from the flow's own addresses */
	now += 150 * NS_PER_MS;
	{
		struct rte_mbuf *tx[8];
		uint16_t n = sk_engine_timers(eng, now, tx, 8);

		CHECK_EQ(n, 1, "retransmitted by the timer");
		if (n == 1) {
			read6(tx[0], &r);
			rte_pktmbuf_free(tx[0]);
		}
		for (uint16_t i = 1; i < n; i++)
			rte_pktmbuf_free(tx[i]);
	}
	CHECK(r.ok && memcmp(r.src, ENG6, 16) == 0 &&
		memcmp(r.dstip, PEER6, 16) == 0 && r.dlen == 13 &&
		(r.flags & F(FIN)), "timer segment: IPv6, the flow's addresses");
	CHECK(rte_is_same_ether_addr(&r.dst, &skt_peer_mac),
		"to the MAC learnt from the handshake");
	CHECK_EQ(input(tcp6(PEER6, 40000, 8080, F(ACK) | F(FIN), 1014,
		isn + 1 + 14, 503, ts, false, NULL), &r), 1,
		"the peer's FIN acking ours");
	CHECK(r.ok && r.flags == F(ACK) && r.ack == 1015, "is ACKed");
	CHECK_EQ(st()->flows[SK_ST_TIME_WAIT], 1, "-> TIME_WAIT");
}

static void
test_closed_port_mixed(void)
{
	struct r6 r;
	struct skt_frame f4 = {
		.saddr = 0xc6120001, .daddr = 0xc6120002, .sport = 1234,
		.dport = 8080, .seq = 7, .flags = F(SYN),
	};
	struct rte_mbuf *tx[4];
	struct rte_mbuf *m;
	uint16_t n;

	engine_new();
	CHECK_EQ(input(tcp6(PEER6, 40001, 81, F(SYN), 5, 0, 1, 0, true, NULL),
		&r), 1, "SYN to a closed port");
	CHECK(r.ok && r.flags == (F(RST) | F(ACK)) && r.ack == 6,
		"RST|ACK over IPv6");
	/* the same ports over IPv4 are another flow */
	m = skt_build(pool, &f4);
	n = sk_engine_input(eng, &m, 1, tx, now);
	CHECK_EQ(n, 1, "IPv4 SYN beside IPv6 ones");
	if (n == 1) {
		struct skt_resp r4;

		skt_read(tx[0], &r4);
		CHECK(r4.flags == (F(SYN) | F(ACK)) && r4.tcp_ok,
			"answered over IPv4");
		rte_pktmbuf_free(tx[0]);
	}
	CHECK_EQ(st()->rx_tcp6, 1, "rx_tcp6 counts the IPv6 segment only");
	CHECK_EQ(st()->rx_tcp, 2, "rx_tcp counts both");
}

static void
test_nd_echo(void)
{
	static const struct rte_ether_addr sn_mac = {
		{ 0x33, 0x33, 0xff, 0, 0, 2 } };
	static const uint8_t sn[16] = { 0xff, 2, [11] = 1, 0xff, 0, 0, 2 };
	uint8_t ns[32] = { 135, 0 };
	uint8_t echo[16] = { 128, 0, 0, 0, 0x12, 0x34, 0, 1, 'p', 'i', 'n' };
	struct r6 r;

	engine_new();
	memcpy(ns + 8, ENG6, 16);
	ns[24] = 1;     /* source link-layer address */
	ns[25] = 1;
	memcpy(ns + 26, &skt_peer_mac, 6);
	CHECK_EQ(input(frame6(PEER6, sn, &sn_mac, 58, 255, ns, 32, 2), &r), 1,
		"NS to our solicited-node group answered");
	CHECK(r.ok && r.nh == 58 && r.hops == 255 && r.plen == 32,
		"NA: ICMPv6, hop limit 255, 32 bytes, checksum right");
	CHECK(r.l4 != NULL && r.l4[0] == 136 && r.l4[4] == 0x60 &&
		memcmp(r.l4 + 8, ENG6, 16) == 0 && r.l4[24] == 2 &&
		memcmp(r.l4 + 26, &skt_engine_mac, 6) == 0,
		"solicited, override, our address and MAC");
	CHECK(memcmp(r.src, ENG6, 16) == 0 && memcmp(r.dstip, PEER6, 16) == 0,
		"from the target to the solicitor");
	CHECK_EQ(st()->rx_nd_ns, 1, "rx_nd_ns");
	CHECK_EQ(st()->tx_nd_na, 1, "tx_nd_na");
	CHECK_EQ(input(frame6(PEER6, sn, &sn_mac, 58, 64, ns, 32, 2), &r), 0,
		"NS with hop limit 64: dropped (RFC 4861 7.1.1)");
	CHECK_EQ(st()->drop_icmp6, 1, "as drop_icmp6");
	memcpy(ns + 8, OTHER6, 16);
	CHECK_EQ(input(frame6(PEER6, sn, &sn_mac, 58, 255, ns, 32, 2), &r), 0,
		"NS for another address: not answered");
	CHECK_EQ(st()->rx_nd_other, 1, "counted in rx_nd_other");

	CHECK_EQ(input(frame6(PEER6, ENG6, &skt_engine_mac, 58, 64, echo,
		sizeof(echo), 2), &r), 1, "echo request answered");
	CHECK(r.ok && r.l4 != NULL && r.l4[0] == 129 &&
		memcmp(r.l4 + 4, echo + 4, sizeof(echo) - 4) == 0,
		"echo reply with the same identifier, sequence and data");
	CHECK_EQ(st()->tx_icmp6_reply, 1, "tx_icmp6_reply");
}

int
main(void)
{
	unsigned int avail;

	pool = skt_eal("test_tcp6");
	avail = rte_mempool_avail_count(pool);
	test_handshake_hello_close();
	test_closed_port_mixed();
	test_nd_echo();
	sk_engine_free(eng);
	CHECK_EQ(rte_mempool_avail_count(pool), avail, "no mbuf leaked");
	skt_eal_done();
	return sk_test_done();
}

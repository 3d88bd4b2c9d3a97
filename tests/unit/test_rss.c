/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The flow-to-worker mapping of drivers/sk_dispatch: both directions of a
 * flow hash alike (the symmetric key), flows spread evenly over workers,
 * and the software hash gives the published Toeplitz known answers.
 */

#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_thash.h>

#include "sk_dispatch.h"
#include "sk_test.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

/*
 * Known answers: the verification suite of Microsoft's RSS specification
 * ("Verifying the RSS Hash Calculation", Windows driver docs), which NIC
 * datasheets (Intel 82599 7.1.2.8.3) and DPDK's test_thash.c also carry.
 * Input order on the wire: source address, destination address, source
 * port, destination port.
 */
static const uint8_t ms_key[SK_RSS_KEY_LEN] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

static const struct {
	uint32_t dst, src;        /* host order */
	uint16_t dport, sport;
	uint32_t ip, tcp;         /* IPv4 only, IPv4 with TCP */
} v4[] = {
	{ IP4(161, 142, 100, 80), IP4(66, 9, 149, 187), 1766, 2794,
	  0x323e8fc2, 0x51ccc178 },
	{ IP4(65, 69, 140, 83), IP4(199, 92, 111, 2), 4739, 14230,
	  0xd718262a, 0xc626b0ea },
	{ IP4(12, 22, 207, 184), IP4(24, 19, 198, 95), 38024, 12898,
	  0xd2d0a5de, 0x5c2b394a },
	{ IP4(209, 142, 163, 6), IP4(38, 27, 205, 30), 2217, 48228,
	  0x82989176, 0xafc7327f },
	{ IP4(202, 188, 127, 2), IP4(153, 39, 163, 191), 1303, 44251,
	  0x5d1809c5, 0x10e828a2 },
};

static const struct {
	uint8_t dst[16], src[16];
	uint16_t dport, sport;
	uint32_t ip, tcp;         /* IPv6 only, IPv6 with TCP */
} v6[] = {
	{ /* 3ffe:2501:200:3::1 (1766) <- 3ffe:2501:200:1fff::7 (2794) */
	  { 0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x00, 0x03,
	    0, 0, 0, 0, 0, 0, 0, 0x01 },
	  { 0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x1f, 0xff,
	    0, 0, 0, 0, 0, 0, 0, 0x07 },
	  1766, 2794, 0x2cc18cd5, 0x40207d3d },
	{ /* ff02::1 (4739) <- 3ffe:501:8::260:97ff:fe40:efab (14230) */
	  { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01 },
	  { 0x3f, 0xfe, 0x05, 0x01, 0x00, 0x08, 0x00, 0x00,
	    0x02, 0x60, 0x97, 0xff, 0xfe, 0x40, 0xef, 0xab },
	  4739, 14230, 0x0f0c461c, 0xdde51bbf },
	{ /* fe80::200:f8ff:fe21:67cf (38024) <-
	   * 3ffe:1900:4545:3:200:f8ff:fe21:67cf (44251) */
	  { 0xfe, 0x80, 0, 0, 0, 0, 0, 0,
	    0x02, 0x00, 0xf8, 0xff, 0xfe, 0x21, 0x67, 0xcf },
	  { 0x3f, 0xfe, 0x19, 0x00, 0x45, 0x45, 0x00, 0x03,
	    0x02, 0x00, 0xf8, 0xff, 0xfe, 0x21, 0x67, 0xcf },
	  38024, 44251, 0x4b61e985, 0x02d1feef },
};

/* Big-endian bytes as the host-order words rte_softrss reads. */
static void
words(uint32_t *w, const uint8_t *b, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		w[i] = (uint32_t)b[4 * i] << 24 | b[4 * i + 1] << 16 |
			b[4 * i + 2] << 8 | b[4 * i + 3];
}

static void
known_answers(void)
{
	unsigned int i;

	/* IPv4 with TCP: sk_rss_hash's own code, with the suite's key */
	for (i = 0; i < RTE_DIM(v4); i++)
		CHECK_EQ(sk_rss_hash_key(ms_key, rte_cpu_to_be_32(v4[i].src),
			rte_cpu_to_be_32(v4[i].dst),
			rte_cpu_to_be_16(v4[i].sport),
			rte_cpu_to_be_16(v4[i].dport)), v4[i].tcp,
			"Toeplitz IPv4/TCP vector %u: 0x%08x", i, v4[i].tcp);
	/* a wrong port order or byte order must not pass: the first
	 * vector with its ports swapped gives another hash */
	CHECK(sk_rss_hash_key(ms_key, rte_cpu_to_be_32(v4[0].src),
		rte_cpu_to_be_32(v4[0].dst), rte_cpu_to_be_16(v4[0].dport),
		rte_cpu_to_be_16(v4[0].sport)) != v4[0].tcp,
		"ports swapped: not the vector's hash");

	/* IPv6 with TCP: sk_rss_hash6's own code */
	for (i = 0; i < RTE_DIM(v6); i++)
		CHECK_EQ(sk_rss_hash6_key(ms_key, v6[i].src, v6[i].dst,
			rte_cpu_to_be_16(v6[i].sport),
			rte_cpu_to_be_16(v6[i].dport)), v6[i].tcp,
			"Toeplitz IPv6/TCP vector %u: 0x%08x", i, v6[i].tcp);
	CHECK(sk_rss_hash6_key(ms_key, v6[0].dst, v6[0].src,
		rte_cpu_to_be_16(v6[0].sport), rte_cpu_to_be_16(v6[0].dport))
		!= v6[0].tcp, "IPv6 addresses swapped: not the vector's hash");
	CHECK(sk_rss_hash6_key(ms_key, v6[0].src, v6[0].dst,
		rte_cpu_to_be_16(v6[0].dport), rte_cpu_to_be_16(v6[0].sport))
		!= v6[0].tcp, "IPv6 ports swapped: not the vector's hash");

	/*
	 * IPv4 only and IPv6 (2- and 4-tuple): sk_rss_hash cannot express
	 * the address-only ones; they check the Toeplitz primitive it is
	 * built on (rte_softrss over the tuple's big-endian words).
	 */
	for (i = 0; i < RTE_DIM(v4); i++) {
		uint32_t t[2] = { v4[i].src, v4[i].dst };

		CHECK_EQ(rte_softrss(t, 2, ms_key), v4[i].ip,
			"Toeplitz IPv4 vector %u: 0x%08x", i, v4[i].ip);
	}
	for (i = 0; i < RTE_DIM(v6); i++) {
		uint32_t t[9];

		words(t, v6[i].src, 4);
		words(t + 4, v6[i].dst, 4);
		t[8] = (uint32_t)v6[i].sport << 16 | v6[i].dport;
		CHECK_EQ(rte_softrss(t, 8, ms_key), v6[i].ip,
			"Toeplitz IPv6 vector %u: 0x%08x", i, v6[i].ip);
		CHECK_EQ(rte_softrss(t, 9, ms_key), v6[i].tcp,
			"Toeplitz IPv6/TCP vector %u: 0x%08x", i, v6[i].tcp);
	}
}

/* A frame in @p buf seen through a bare mbuf (no pool, no EAL). */
static struct rte_mbuf *
frame(struct rte_mbuf *m, uint8_t *buf, uint16_t len)
{
	memset(m, 0, sizeof(*m));
	m->buf_addr = buf;
	m->data_off = 0;
	m->data_len = len;
	m->pkt_len = len;
	return m;
}

/* Ethernet (+ VLAN when @p vlan) + IPv6 + 20 bytes of TCP; returns the
 * length. */
static uint16_t
ip6_frame(uint8_t *buf, bool vlan, uint8_t next, const uint8_t *src,
		const uint8_t *dst, uint16_t sport, uint16_t dport)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)buf;
	unsigned int l2 = sizeof(*eh);
	struct rte_ipv6_hdr *ip6;
	struct rte_tcp_hdr *th;

	memset(buf, 0, 128);
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
	if (vlan) {
		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN);
		((struct rte_vlan_hdr *)(eh + 1))->eth_proto =
			rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
		l2 += sizeof(struct rte_vlan_hdr);
	}
	ip6 = (struct rte_ipv6_hdr *)(buf + l2);
	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16(20);
	ip6->proto = next;
	ip6->hop_limits = 64;
	memcpy(ip6->src_addr, src, 16);
	memcpy(ip6->dst_addr, dst, 16);
	th = (struct rte_tcp_hdr *)(ip6 + 1);
	th->src_port = rte_cpu_to_be_16(sport);
	th->dst_port = rte_cpu_to_be_16(dport);
	th->data_off = 5 << 4;
	return (uint16_t)(l2 + sizeof(*ip6) + sizeof(*th));
}

/* sk_dispatch_tuple: which frames are dispatched, and on what. */
static void
tuples(void)
{
	static const uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 };
	static const uint8_t b[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x02 };
	uint8_t buf[128], rbuf[128];
	struct sk_dispatch_flow f, r;
	struct rte_mbuf m, rm;
	uint16_t len;

	len = ip6_frame(buf, false, IPPROTO_TCP, a, b, 40000, 8080);
	CHECK(sk_dispatch_tuple(frame(&m, buf, len), &f) && f.family == 6 &&
		memcmp(f.saddr6, a, 16) == 0 && memcmp(f.daddr6, b, 16) == 0 &&
		f.sport == rte_cpu_to_be_16(40000) &&
		f.dport == rte_cpu_to_be_16(8080), "IPv6/TCP: its 4-tuple");
	CHECK_EQ(sk_dispatch_flow_hash(&f), sk_rss_hash6(a, b,
		rte_cpu_to_be_16(40000), rte_cpu_to_be_16(8080)),
		"IPv6/TCP: hashed as sk_rss_hash6");
	len = ip6_frame(rbuf, true, IPPROTO_TCP, b, a, 8080, 40000);
	CHECK(sk_dispatch_tuple(frame(&rm, rbuf, len), &r) && r.family == 6 &&
		memcmp(r.saddr6, b, 16) == 0 && r.sport ==
		rte_cpu_to_be_16(8080), "IPv6/TCP behind a VLAN tag");
	CHECK_EQ(sk_dispatch_flow_hash(&r), sk_dispatch_flow_hash(&f),
		"IPv6: the reply frame hashes as the request");
	len = ip6_frame(buf, false, IPPROTO_TCP, a, b, 1, 2);
	CHECK(sk_dispatch_tuple(frame(&m, buf, 14 + 40 + 4), &f),
		"IPv6: 40-byte header and the ports are enough");
	CHECK(!sk_dispatch_tuple(frame(&m, buf, 14 + 40 + 3), &f),
		"IPv6: truncated in the ports: not dispatched");
	CHECK(!sk_dispatch_tuple(frame(&m, buf, 14 + 39), &f),
		"IPv6: truncated header: not dispatched");
	len = ip6_frame(buf, false, 0, a, b, 1, 2);
	CHECK(!sk_dispatch_tuple(frame(&m, buf, len), &f),
		"IPv6 with a hop-by-hop header: stays where it arrived");
	len = ip6_frame(buf, false, 44, a, b, 1, 2);
	CHECK(!sk_dispatch_tuple(frame(&m, buf, len), &f),
		"IPv6 fragment: stays where it arrived");
	len = ip6_frame(buf, false, IPPROTO_ICMPV6, a, b, 1, 2);
	CHECK(!sk_dispatch_tuple(frame(&m, buf, len), &f),
		"ICMPv6 (Neighbor Discovery): stays where it arrived");
	len = ip6_frame(buf, false, IPPROTO_UDP, a, b, 1, 2);
	CHECK(!sk_dispatch_tuple(frame(&m, buf, len), &f),
		"IPv6/UDP: stays where it arrived");

	/* IPv4 as before, through the same call */
	{
		struct rte_ether_hdr *eh = (struct rte_ether_hdr *)buf;
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);

		memset(buf, 0, sizeof(buf));
		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
		ip->version_ihl = 0x45;
		ip->next_proto_id = IPPROTO_TCP;
		ip->src_addr = rte_cpu_to_be_32(IP4(198, 18, 0, 1));
		ip->dst_addr = rte_cpu_to_be_32(IP4(198, 18, 0, 2));
		th->src_port = rte_cpu_to_be_16(40000);
		th->dst_port = rte_cpu_to_be_16(80);
		CHECK(sk_dispatch_tuple(frame(&m, buf, 54), &f) &&
			f.family == 4 && f.saddr == ip->src_addr &&
			f.dport == rte_cpu_to_be_16(80) &&
			sk_dispatch_flow_hash(&f) == sk_rss_hash(ip->src_addr,
				ip->dst_addr, th->src_port, th->dst_port),
			"IPv4/TCP: its 4-tuple and sk_rss_hash");
		ip->next_proto_id = IPPROTO_UDP;
		CHECK(!sk_dispatch_tuple(frame(&m, buf, 54), &f),
			"IPv4/UDP: stays where it arrived");
	}
}

int
main(void)
{
	struct sk_dispatch d;
	char err[128];
	unsigned int asym = 0, owner_diff = 0;
	unsigned int per[4] = { 0 };
	const unsigned int n = 100000;

	CHECK_EQ(sk_dispatch_init(&d, 2, false, 0, 0, 0, err, sizeof(err)), 0,
		"dispatch for 2 workers, no rings");
	for (unsigned int i = 0; i < n; i++) {
		rte_be32_t a = rte_cpu_to_be_32(rnd()), b = rte_cpu_to_be_32(rnd());
		rte_be16_t p = rte_cpu_to_be_16((uint16_t)rnd());
		rte_be16_t q = rte_cpu_to_be_16((uint16_t)rnd());
		uint32_t h1 = sk_rss_hash(a, b, p, q), h2 = sk_rss_hash(b, a, q, p);

		asym += h1 != h2;
		owner_diff += sk_dispatch_owner(&d, h1) !=
			sk_dispatch_owner(&d, h2);
		per[sk_dispatch_owner(&d, h1)]++;
	}
	CHECK_EQ(asym, 0, "%u random tuples: reverse direction, same hash", n);
	CHECK_EQ(owner_diff, 0, "... and the same worker");
	CHECK(per[0] > n * 45 / 100 && per[1] > n * 45 / 100,
		"spread over 2 workers: %u / %u", per[0], per[1]);

	/* 3 workers over a 128-entry table: each gets 42 or 43 entries */
	d.n = 3;
	memset(per, 0, sizeof(per));
	for (unsigned int i = 0; i < n; i++)
		per[sk_dispatch_owner(&d, sk_rss_hash(rnd(), rnd(),
			(uint16_t)rnd(), (uint16_t)rnd()))]++;
	CHECK(per[0] > n * 30 / 100 && per[1] > n * 30 / 100 &&
		per[2] > n * 30 / 100, "spread over 3 workers: %u / %u / %u",
		per[0], per[1], per[2]);

	/* IPv6 under the 0x6d5a key: the source/destination swap moves the
	 * addresses by 128 bits, a multiple of the key's 16-bit period */
	asym = 0;
	owner_diff = 0;
	d.n = 2;
	memset(per, 0, sizeof(per));
	for (unsigned int i = 0; i < n; i++) {
		uint8_t a[16], b[16];
		rte_be16_t p = rte_cpu_to_be_16((uint16_t)rnd());
		rte_be16_t q = rte_cpu_to_be_16((uint16_t)rnd());
		uint32_t h1, h2;

		for (unsigned int j = 0; j < 16; j++) {
			a[j] = (uint8_t)rnd();
			b[j] = (uint8_t)rnd();
		}
		h1 = sk_rss_hash6(a, b, p, q);
		h2 = sk_rss_hash6(b, a, q, p);
		asym += h1 != h2;
		owner_diff += sk_dispatch_owner(&d, h1) !=
			sk_dispatch_owner(&d, h2);
		per[sk_dispatch_owner(&d, h1)]++;
	}
	CHECK_EQ(asym, 0, "%u random IPv6 tuples: reverse direction, same "
		"hash", n);
	CHECK_EQ(owner_diff, 0, "... and the same worker");
	CHECK(per[0] > n * 45 / 100 && per[1] > n * 45 / 100,
		"IPv6 spread over 2 workers: %u / %u", per[0], per[1]);
	{
		/* the key must matter: Microsoft's key is not symmetric */
		uint8_t a[16] = { 0x20, 0x01, [15] = 1 };
		uint8_t b[16] = { 0x20, 0x01, [15] = 2 };

		CHECK(sk_rss_hash6_key(ms_key, a, b, 1, 2) !=
			sk_rss_hash6_key(ms_key, b, a, 2, 1),
			"an asymmetric key tells the directions apart");
	}

	known_answers();
	tuples();

	/* the client role: exactly one of 3 workers may open an IPv6 tuple,
	 * and it is the one the server's answer is dispatched to */
	{
		struct sk_client_tuples ct[3];
		unsigned int none = 0, several = 0, elsewhere = 0;
		uint8_t buf[128];
		struct rte_mbuf m;
		struct sk_dispatch_flow f;

		d.n = 3;
		for (unsigned int w = 0; w < 3; w++)
			ct[w] = (struct sk_client_tuples){ .d = &d, .id = w };
		for (unsigned int i = 0; i < 20000; i++) {
			uint8_t la[16] = { 0x20, 0x01, 0x0d, 0xb8 };
			uint8_t ra[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
			uint16_t lp = (uint16_t)(1024 + i), rp = 8080;
			unsigned int ok = 0, who = 0;

			la[12] = (uint8_t)rnd();
			la[15] = (uint8_t)(i >> 8);
			for (unsigned int w = 0; w < 3; w++)
				if (sk_dispatch_client_tuple6_ok(&ct[w], la, ra,
						rte_cpu_to_be_16(lp),
						rte_cpu_to_be_16(rp))) {
					ok++;
					who = w;
				}
			none += ok == 0;
			several += ok > 1;
			/* the SYN-ACK: from the server's address and port */
			(void)sk_dispatch_tuple(frame(&m, buf, ip6_frame(buf,
				false, IPPROTO_TCP, ra, la, rp, lp)), &f);
			elsewhere += ok == 1 && sk_dispatch_owner(&d,
				sk_dispatch_flow_hash(&f)) != who;
		}
		CHECK(none == 0 && several == 0, "client IPv6 tuples: one "
			"worker each (%u with none, %u with several)", none,
			several);
		CHECK_EQ(elsewhere, 0, "client IPv6 tuples: the answer goes "
			"to the worker that opened it");
	}
	CHECK(sk_dispatch_init(&d, 0, false, 0, 0, 0, err, sizeof(err)) == -1 &&
		strstr(err, "workers") != NULL, "0 workers refused: %s", err);
	return sk_test_done();
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The flow-to-worker mapping of drivers/sk_dispatch: both directions of a
 * flow hash alike (the symmetric key), flows spread evenly over workers,
 * and the software hash gives the published Toeplitz known answers.
 */

#include <stdlib.h>

#include <rte_byteorder.h>
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

	/*
	 * IPv4 only and IPv6 (2- and 4-tuple): synack hashes IPv4/TCP
	 * tuples only, so sk_rss_hash cannot express these; they check the
	 * Toeplitz primitive it is built on (rte_softrss over the tuple's
	 * big-endian words), ready for an IPv6 dispatch.
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

	known_answers();
	CHECK(sk_dispatch_init(&d, 0, false, 0, 0, 0, err, sizeof(err)) == -1 &&
		strstr(err, "workers") != NULL, "0 workers refused: %s", err);
	return sk_test_done();
}

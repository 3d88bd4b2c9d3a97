/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * SipHash-2-4 against the published test vectors, the fixed-length
 * variants against the generic function, and every multi-lane
 * implementation this CPU has against both, for every lane count 0..67
 * (tails of each vector width). An implementation the CPU lacks is reported
 * as a TAP skip, not passed. No EAL.
 */

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_cpuflags.h>
#include <rte_vect.h>

#include "sk_siphash.h"
#include "sk_test.h"

/*
 * vectors_sip64 of the reference implementation (github.com/veorq/SipHash,
 * vectors.h; also the appendix of the SipHash paper): 64-bit SipHash-2-4
 * output, as little-endian bytes, for key 00 01 .. 0f and message
 * 00 01 .. (i - 1) of length i = 0..63.
 */
static const uint8_t vectors_sip64[64][8] = {
	{ 0x31, 0x0e, 0x0e, 0xdd, 0x47, 0xdb, 0x6f, 0x72 },
	{ 0xfd, 0x67, 0xdc, 0x93, 0xc5, 0x39, 0xf8, 0x74 },
	{ 0x5a, 0x4f, 0xa9, 0xd9, 0x09, 0x80, 0x6c, 0x0d },
	{ 0x2d, 0x7e, 0xfb, 0xd7, 0x96, 0x66, 0x67, 0x85 },
	{ 0xb7, 0x87, 0x71, 0x27, 0xe0, 0x94, 0x27, 0xcf },
	{ 0x8d, 0xa6, 0x99, 0xcd, 0x64, 0x55, 0x76, 0x18 },
	{ 0xce, 0xe3, 0xfe, 0x58, 0x6e, 0x46, 0xc9, 0xcb },
	{ 0x37, 0xd1, 0x01, 0x8b, 0xf5, 0x00, 0x02, 0xab },
	{ 0x62, 0x24, 0x93, 0x9a, 0x79, 0xf5, 0xf5, 0x93 },
	{ 0xb0, 0xe4, 0xa9, 0x0b, 0xdf, 0x82, 0x00, 0x9e },
	{ 0xf3, 0xb9, 0xdd, 0x94, 0xc5, 0xbb, 0x5d, 0x7a },
	{ 0xa7, 0xad, 0x6b, 0x22, 0x46, 0x2f, 0xb3, 0xf4 },
	{ 0xfb, 0xe5, 0x0e, 0x86, 0xbc, 0x8f, 0x1e, 0x75 },
	{ 0x90, 0x3d, 0x84, 0xc0, 0x27, 0x56, 0xea, 0x14 },
	{ 0xee, 0xf2, 0x7a, 0x8e, 0x90, 0xca, 0x23, 0xf7 },
	{ 0xe5, 0x45, 0xbe, 0x49, 0x61, 0xca, 0x29, 0xa1 },
	{ 0xdb, 0x9b, 0xc2, 0x57, 0x7f, 0xcc, 0x2a, 0x3f },
	{ 0x94, 0x47, 0xbe, 0x2c, 0xf5, 0xe9, 0x9a, 0x69 },
	{ 0x9c, 0xd3, 0x8d, 0x96, 0xf0, 0xb3, 0xc1, 0x4b },
	{ 0xbd, 0x61, 0x79, 0xa7, 0x1d, 0xc9, 0x6d, 0xbb },
	{ 0x98, 0xee, 0xa2, 0x1a, 0xf2, 0x5c, 0xd6, 0xbe },
	{ 0xc7, 0x67, 0x3b, 0x2e, 0xb0, 0xcb, 0xf2, 0xd0 },
	{ 0x88, 0x3e, 0xa3, 0xe3, 0x95, 0x67, 0x53, 0x93 },
	{ 0xc8, 0xce, 0x5c, 0xcd, 0x8c, 0x03, 0x0c, 0xa8 },
	{ 0x94, 0xaf, 0x49, 0xf6, 0xc6, 0x50, 0xad, 0xb8 },
	{ 0xea, 0xb8, 0x85, 0x8a, 0xde, 0x92, 0xe1, 0xbc },
	{ 0xf3, 0x15, 0xbb, 0x5b, 0xb8, 0x35, 0xd8, 0x17 },
	{ 0xad, 0xcf, 0x6b, 0x07, 0x63, 0x61, 0x2e, 0x2f },
	{ 0xa5, 0xc9, 0x1d, 0xa7, 0xac, 0xaa, 0x4d, 0xde },
	{ 0x71, 0x65, 0x95, 0x87, 0x66, 0x50, 0xa2, 0xa6 },
	{ 0x28, 0xef, 0x49, 0x5c, 0x53, 0xa3, 0x87, 0xad },
	{ 0x42, 0xc3, 0x41, 0xd8, 0xfa, 0x92, 0xd8, 0x32 },
	{ 0xce, 0x7c, 0xf2, 0x72, 0x2f, 0x51, 0x27, 0x71 },
	{ 0xe3, 0x78, 0x59, 0xf9, 0x46, 0x23, 0xf3, 0xa7 },
	{ 0x38, 0x12, 0x05, 0xbb, 0x1a, 0xb0, 0xe0, 0x12 },
	{ 0xae, 0x97, 0xa1, 0x0f, 0xd4, 0x34, 0xe0, 0x15 },
	{ 0xb4, 0xa3, 0x15, 0x08, 0xbe, 0xff, 0x4d, 0x31 },
	{ 0x81, 0x39, 0x62, 0x29, 0xf0, 0x90, 0x79, 0x02 },
	{ 0x4d, 0x0c, 0xf4, 0x9e, 0xe5, 0xd4, 0xdc, 0xca },
	{ 0x5c, 0x73, 0x33, 0x6a, 0x76, 0xd8, 0xbf, 0x9a },
	{ 0xd0, 0xa7, 0x04, 0x53, 0x6b, 0xa9, 0x3e, 0x0e },
	{ 0x92, 0x59, 0x58, 0xfc, 0xd6, 0x42, 0x0c, 0xad },
	{ 0xa9, 0x15, 0xc2, 0x9b, 0xc8, 0x06, 0x73, 0x18 },
	{ 0x95, 0x2b, 0x79, 0xf3, 0xbc, 0x0a, 0xa6, 0xd4 },
	{ 0xf2, 0x1d, 0xf2, 0xe4, 0x1d, 0x45, 0x35, 0xf9 },
	{ 0x87, 0x57, 0x75, 0x19, 0x04, 0x8f, 0x53, 0xa9 },
	{ 0x10, 0xa5, 0x6c, 0xf5, 0xdf, 0xcd, 0x9a, 0xdb },
	{ 0xeb, 0x75, 0x09, 0x5c, 0xcd, 0x98, 0x6c, 0xd0 },
	{ 0x51, 0xa9, 0xcb, 0x9e, 0xcb, 0xa3, 0x12, 0xe6 },
	{ 0x96, 0xaf, 0xad, 0xfc, 0x2c, 0xe6, 0x66, 0xc7 },
	{ 0x72, 0xfe, 0x52, 0x97, 0x5a, 0x43, 0x64, 0xee },
	{ 0x5a, 0x16, 0x45, 0xb2, 0x76, 0xd5, 0x92, 0xa1 },
	{ 0xb2, 0x74, 0xcb, 0x8e, 0xbf, 0x87, 0x87, 0x0a },
	{ 0x6f, 0x9b, 0xb4, 0x20, 0x3d, 0xe7, 0xb3, 0x81 },
	{ 0xea, 0xec, 0xb2, 0xa3, 0x0b, 0x22, 0xa8, 0x7f },
	{ 0x99, 0x24, 0xa4, 0x3c, 0xc1, 0x31, 0x57, 0x24 },
	{ 0xbd, 0x83, 0x8d, 0x3a, 0xaf, 0xbf, 0x8d, 0xb7 },
	{ 0x0b, 0x1a, 0x2a, 0x32, 0x65, 0xd5, 0x1a, 0xea },
	{ 0x13, 0x50, 0x79, 0xa3, 0x23, 0x1c, 0xe6, 0x60 },
	{ 0x93, 0x2b, 0x28, 0x46, 0xe4, 0xd7, 0x06, 0x66 },
	{ 0xe1, 0x91, 0x5f, 0x5c, 0xb1, 0xec, 0xa4, 0x6c },
	{ 0xf3, 0x25, 0x96, 0x5c, 0xa1, 0x6d, 0x62, 0x9f },
	{ 0x57, 0x5f, 0xf2, 0x8e, 0x60, 0x38, 0x1b, 0xe5 },
	{ 0x72, 0x45, 0x06, 0xeb, 0x4c, 0x32, 0x8a, 0x95 },
};

/* A little-endian byte string as a number, independent of the host. */
static uint64_t
le64(const uint8_t *b)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

static void
test_reference_vectors(void)
{
	uint8_t key[16], msg[64];
	uint64_t k0, k1;

	for (unsigned int i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (unsigned int i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
	k0 = le64(key);
	k1 = le64(key + 8);
	/* the first vector as the paper prints it, so that le64() and the
	 * byte order of the table are checked too */
	CHECK_EQ(le64(vectors_sip64[0]), UINT64_C(0x726fdb47dd0e0e31),
		"vector table: empty message hashes to 726fdb47dd0e0e31");
	for (unsigned int i = 0; i < 64; i++)
		CHECK_EQ(sk_siphash(k0, k1, msg, i), le64(vectors_sip64[i]),
			"reference vector: %u-byte message", i);
}

/* The unaligned path: the same bytes at every offset hash the same. */
static void
test_unaligned_input(void)
{
	uint64_t aligned[8];
	uint8_t buf[64 + 8];
	uint64_t k0 = UINT64_C(0x0706050403020100);
	uint64_t k1 = UINT64_C(0x0f0e0d0c0b0a0908);
	unsigned int bad = 0;

	for (unsigned int i = 0; i < 64; i++)
		((uint8_t *)aligned)[i] = (uint8_t)(i * 7 + 1);
	for (unsigned int off = 1; off < 8; off++) {
		memcpy(buf + off, aligned, 64);
		for (unsigned int len = 0; len <= 64; len++)
			if (sk_siphash(k0, k1, buf + off, len) !=
					sk_siphash(k0, k1, aligned, len))
				bad++;
	}
	CHECK_EQ(bad, 0, "unaligned input: same hash at offsets 1..7");
}

static void
test_fixed_length_variants(void)
{
	static const uint32_t w[][6] = {
		{ 0, 0, 0, 0, 0, 0 },
		{ 0x0100007f, 0x0200007f, 0x50001f90, 0xdeadbeef, 7, 3 },
		{ 0xffffffff, 0x80000000, 0x00000001, 0x7fffffff,
			0x12345678, 0x9abcdef0 },
	};
	static const uint64_t keys[][2] = {
		{ UINT64_C(0x0706050403020100), UINT64_C(0x0f0e0d0c0b0a0908) },
		{ UINT64_C(0xfedcba9876543210), UINT64_C(0x0123456789abcdef) },
	};

	for (unsigned int k = 0; k < RTE_DIM(keys); k++) {
		for (unsigned int i = 0; i < RTE_DIM(w); i++) {
			uint32_t a[6];

			memcpy(a, w[i], sizeof(a));
			CHECK_EQ(sk_siphash_4u32(keys[k][0], keys[k][1], a[0],
					a[1], a[2], a[3]),
				sk_siphash(keys[k][0], keys[k][1], a, 16),
				"4u32 equals sk_siphash over the same 16 bytes "
				"(key %u, words %u)", k, i);
			CHECK_EQ(sk_siphash_6u32(keys[k][0], keys[k][1], a[0],
					a[1], a[2], a[3], a[4], a[5]),
				sk_siphash(keys[k][0], keys[k][1], a, 24),
				"6u32 equals sk_siphash over the same 24 bytes "
				"(key %u, words %u)", k, i);
		}
		/* 32 bytes: every message of the table, and its bytes reversed */
		for (unsigned int i = 0; i + 1 < RTE_DIM(w); i++) {
			uint8_t m[32];

			memcpy(m, w[i], 24);
			memcpy(m + 24, w[i + 1], 8);
			CHECK_EQ(sk_siphash_32(keys[k][0], keys[k][1], m),
				sk_siphash(keys[k][0], keys[k][1], m, 32),
				"_32 equals sk_siphash over the same 32 bytes "
				"(key %u, message %u)", k, i);
		}
	}
	/* the message 00 01 .. 0f as words: reference vector 16 */
	CHECK_EQ(sk_siphash_4u32(UINT64_C(0x0706050403020100),
			UINT64_C(0x0f0e0d0c0b0a0908),
			rte_le_to_cpu_32(0x03020100),
			rte_le_to_cpu_32(0x07060504),
			rte_le_to_cpu_32(0x0b0a0908),
			rte_le_to_cpu_32(0x0f0e0d0c)),
		le64(vectors_sip64[16]),
		"4u32 of bytes 00..0f gives reference vector 16");
}

/* A TAP test point that did not run, with the reason. */
#define SKIP(...) do { \
	sk_test_n++; \
	printf("ok %u # SKIP ", sk_test_n); \
	printf(__VA_ARGS__); \
	printf("\n"); \
} while (0)

/* xorshift64*: reproducible pseudo-random words */
static uint64_t rnd_state = UINT64_C(0x9e3779b97f4a7c15);

static uint64_t
rnd(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * UINT64_C(0x2545f4914f6cdd1d);
}

/* the three message words as the bytes sk_siphash() reads */
static void
words_bytes(uint64_t a, uint64_t b, uint64_t c, uint8_t out[24])
{
	const uint64_t w[3] = { a, b, c };

	for (unsigned int i = 0; i < 24; i++)
		out[i] = (uint8_t)(w[i / 8] >> (8 * (i % 8)));
}

#define LANES_MAX 67
#define GUARD 9   /* words past the lanes that must stay untouched */
#define POISON UINT64_C(0x5a5a5a5a5a5a5a5a)

static const enum sk_siphash_impl all_impls[] = {
	SK_SIPHASH_IMPL_SCALAR,
	SK_SIPHASH_IMPL_AVX2X4,
	SK_SIPHASH_IMPL_AVX512X8,
};

/* The published 16- and 24-byte vectors on every lane of n. */
static void
lanes_reference_vectors(const char *name, unsigned int n)
{
	const uint64_t k0 = UINT64_C(0x0706050403020100);
	const uint64_t k1 = UINT64_C(0x0f0e0d0c0b0a0908);
	uint64_t w0[LANES_MAX] = { 0 }, w1[LANES_MAX] = { 0 };
	uint64_t w2[LANES_MAX] = { 0 };
	uint64_t h16[LANES_MAX], h24[LANES_MAX], g16[LANES_MAX];
	uint64_t g24[LANES_MAX], mid[SK_SIPHASH_MID_WORDS(LANES_MAX)];
	unsigned int bad = 0;

	for (unsigned int i = 0; i < n; i++) {
		w0[i] = UINT64_C(0x0706050403020100);
		w1[i] = UINT64_C(0x0f0e0d0c0b0a0908);
		w2[i] = UINT64_C(0x1716151413121110);
	}
	sk_siphash_lanes_16_24(k0, k1, w0, w1, w2, n, h16, h24);
	sk_siphash_lanes_16(k0, k1, w0, w1, n, g16, mid);
	sk_siphash_lanes_24_mid(mid, w2, n, g24);
	for (unsigned int i = 0; i < n; i++)
		bad += (h16[i] != le64(vectors_sip64[16])) +
			(h24[i] != le64(vectors_sip64[24])) +
			(g16[i] != le64(vectors_sip64[16])) +
			(g24[i] != le64(vectors_sip64[24]));
	CHECK_EQ(bad, 0, "%s: published vectors 16 and 24 (bytes 00..0f, "
		"00..17) on all %u lanes, fused and through mid", name, n);
}

/*
 * Random keys and words for n = 0..LANES_MAX lanes, arrays one word off
 * any vector alignment: each lane equals sk_siphash() over its bytes and
 * the scalar implementation's result, and nothing past lane n is written.
 */
static void
lanes_random(const char *name, enum sk_siphash_impl impl)
{
	unsigned int bad_ref = 0, bad_scalar = 0, bad_mid = 0, bad_guard = 0;
	unsigned int tested = 0;

	for (unsigned int n = 0; n <= LANES_MAX; n++) {
		uint64_t w0b[LANES_MAX + 1], w1b[LANES_MAX + 1];
		uint64_t w2b[LANES_MAX + 1];
		uint64_t h16b[LANES_MAX + 1 + GUARD];
		uint64_t h24b[LANES_MAX + 1 + GUARD];
		uint64_t g16b[LANES_MAX + 1 + GUARD];
		uint64_t g24b[LANES_MAX + 1 + GUARD];
		uint64_t s16[LANES_MAX], s24[LANES_MAX];
		uint64_t mid[SK_SIPHASH_MID_WORDS(LANES_MAX) + GUARD];
		uint64_t *w0 = w0b + 1, *w1 = w1b + 1, *w2 = w2b + 1;
		uint64_t *h16 = h16b + 1, *h24 = h24b + 1;
		uint64_t *g16 = g16b + 1, *g24 = g24b + 1;
		uint64_t k0 = rnd(), k1 = rnd();
		size_t mid_n = SK_SIPHASH_MID_WORDS(n);

		for (unsigned int i = 0; i < n; i++) {
			w0[i] = rnd();
			w1[i] = rnd();
			w2[i] = rnd();
		}
		for (unsigned int i = 0; i < LANES_MAX + 1 + GUARD; i++)
			h16b[i] = h24b[i] = g16b[i] = g24b[i] = POISON;
		for (unsigned int i = 0; i < RTE_DIM(mid); i++)
			mid[i] = POISON;

		/* the reference: scalar lanes */
		sk_siphash_impl_set(SK_SIPHASH_IMPL_SCALAR);
		sk_siphash_lanes_16_24(k0, k1, w0, w1, w2, n, s16, s24);
		sk_siphash_impl_set(impl);
		sk_siphash_lanes_16_24(k0, k1, w0, w1, w2, n, h16, h24);
		sk_siphash_lanes_16(k0, k1, w0, w1, n, g16, mid);
		sk_siphash_lanes_24_mid(mid, w2, n, g24);

		for (unsigned int i = 0; i < n; i++) {
			uint8_t msg[24];

			words_bytes(w0[i], w1[i], w2[i], msg);
			bad_ref += (h16[i] != sk_siphash(k0, k1, msg, 16)) +
				(h24[i] != sk_siphash(k0, k1, msg, 24));
			bad_scalar += (h16[i] != s16[i]) + (h24[i] != s24[i]);
			bad_mid += (g16[i] != h16[i]) + (g24[i] != h24[i]);
			tested++;
		}
		/* one word before and GUARD words after the lanes */
		for (unsigned int i = 0; i < LANES_MAX + 1 + GUARD; i++)
			if (i < 1 || i > n)
				bad_guard += (h16b[i] != POISON) +
					(h24b[i] != POISON) +
					(g16b[i] != POISON) +
					(g24b[i] != POISON);
		for (size_t i = mid_n; i < RTE_DIM(mid); i++)
			bad_guard += mid[i] != POISON;
	}
	CHECK_EQ(bad_ref, 0, "%s: lanes equal sk_siphash() over the same 16 "
		"and 24 bytes, n = 0..%u (%u lanes, random keys and words)",
		name, LANES_MAX, tested);
	CHECK_EQ(bad_scalar, 0, "%s: lanes equal the scalar implementation, "
		"n = 0..%u", name, LANES_MAX);
	CHECK_EQ(bad_mid, 0, "%s: lanes_16 + lanes_24_mid equal lanes_16_24, "
		"n = 0..%u", name, LANES_MAX);
	CHECK_EQ(bad_guard, 0, "%s: nothing written outside lanes 0..n-1 "
		"(nor past SK_SIPHASH_MID_WORDS(n) of mid)", name);
}

/* The 32-byte lanes (IPv6 address pairs) the same way: each lane equals
 * sk_siphash() over its 32 bytes and the scalar lanes, n = 0..LANES_MAX,
 * nothing written past lane n. */
static void
lanes32_random(const char *name, enum sk_siphash_impl impl)
{
	unsigned int bad_ref = 0, bad_scalar = 0, bad_guard = 0;

	for (unsigned int n = 0; n <= LANES_MAX; n++) {
		uint64_t wb[4][LANES_MAX + 1], hb[LANES_MAX + 1 + GUARD];
		uint64_t sref[LANES_MAX];
		uint64_t *w[4] = { wb[0] + 1, wb[1] + 1, wb[2] + 1, wb[3] + 1 };
		uint64_t *h = hb + 1;
		uint64_t k0 = rnd(), k1 = rnd();

		for (unsigned int i = 0; i < n; i++)
			for (unsigned int j = 0; j < 4; j++)
				w[j][i] = rnd();
		for (unsigned int i = 0; i < RTE_DIM(hb); i++)
			hb[i] = POISON;
		sk_siphash_impl_set(SK_SIPHASH_IMPL_SCALAR);
		sk_siphash_lanes_32(k0, k1, w[0], w[1], w[2], w[3], n, sref);
		sk_siphash_impl_set(impl);
		sk_siphash_lanes_32(k0, k1, w[0], w[1], w[2], w[3], n, h);
		for (unsigned int i = 0; i < n; i++) {
			uint8_t msg[32];

			for (unsigned int b = 0; b < 32; b++)
				msg[b] = (uint8_t)(w[b / 8][i] >> (8 * (b % 8)));
			bad_ref += h[i] != sk_siphash(k0, k1, msg, 32);
			bad_scalar += h[i] != sref[i];
		}
		for (unsigned int i = 0; i < RTE_DIM(hb); i++)
			if (i < 1 || i > n)
				bad_guard += hb[i] != POISON;
	}
	CHECK_EQ(bad_ref, 0, "%s: 32-byte lanes equal sk_siphash() over the "
		"same bytes, n = 0..%u", name, LANES_MAX);
	CHECK_EQ(bad_scalar, 0, "%s: 32-byte lanes equal the scalar ones",
		name);
	CHECK_EQ(bad_guard, 0, "%s: 32-byte lanes write nothing outside "
		"lanes 0..n-1", name);
}

static void
test_lanes(void)
{
	char done[64] = "";

	for (unsigned int j = 0; j < RTE_DIM(all_impls); j++) {
		enum sk_siphash_impl impl = all_impls[j];
		const char *name = sk_siphash_impl_name(impl);

		if (!sk_siphash_impl_supported(impl)) {
			CHECK_EQ(sk_siphash_impl_set(impl), -ENOTSUP,
				"%s: cannot be forced on this CPU", name);
			SKIP("%s: this CPU or build lacks it", name);
			continue;
		}
		CHECK_EQ(sk_siphash_impl_set(impl), 0, "%s: forced", name);
		CHECK_EQ(sk_siphash_impl_get(), impl, "%s: in use", name);
		CHECK(strcmp(sk_siphash_impl_current(), name) == 0,
			"%s: sk_siphash_impl_current() names it", name);
		for (unsigned int n = 0; n <= 17; n++)
			lanes_reference_vectors(name, n);
		lanes_reference_vectors(name, 64);
		lanes_random(name, impl);
		lanes32_random(name, impl);
		strcat(done, " ");
		strcat(done, name);
	}
	printf("# multi-lane implementations exercised:%s\n", done);
	sk_siphash_impl_set(SK_SIPHASH_IMPL_AUTO);
}

/* The automatic choice follows the CPU flags and EAL's SIMD limit. */
static void
test_selection(void)
{
	bool avx2 = false, avx512 = false;
	static const struct {
		uint16_t bits;
		const char *what;
	} limits[] = {
		{ RTE_VECT_SIMD_DISABLED, "64 (SIMD disabled)" },
		{ RTE_VECT_SIMD_128, "128" },
		{ RTE_VECT_SIMD_256, "256" },
		{ RTE_VECT_SIMD_512, "512" },
		{ RTE_VECT_SIMD_MAX, "max" },
	};

#ifdef RTE_ARCH_X86
	avx2 = rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX2) > 0;
	avx512 = rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX512F) > 0;
#endif
	printf("# CPU: avx2 %s, avx512f %s\n", avx2 ? "yes" : "no",
		avx512 ? "yes" : "no");
	CHECK_EQ(sk_siphash_impl_supported(SK_SIPHASH_IMPL_AVX2X4), avx2,
		"avx2x4 supported exactly when the CPU has AVX2");
	CHECK_EQ(sk_siphash_impl_supported(SK_SIPHASH_IMPL_AVX512X8), avx512,
		"avx512x8 supported exactly when the CPU has AVX-512F");
	CHECK(sk_siphash_impl_supported(SK_SIPHASH_IMPL_SCALAR),
		"scalar always supported");

	/* before rte_eal_init() EAL's limit is 0: the default applies */
	CHECK_EQ(rte_vect_get_max_simd_bitwidth(), 0,
		"no EAL: no SIMD limit set yet");
	CHECK_EQ(sk_siphash_impl_set(SK_SIPHASH_IMPL_AUTO), 0, "auto");
	CHECK_EQ(sk_siphash_impl_get(),
		avx2 ? SK_SIPHASH_IMPL_AVX2X4 : SK_SIPHASH_IMPL_SCALAR,
		"no EAL: EAL's default limit (256 bits on x86) picks %s",
		sk_siphash_impl_current());

	for (unsigned int i = 0; i < RTE_DIM(limits); i++) {
		enum sk_siphash_impl want = SK_SIPHASH_IMPL_SCALAR;

		if (avx512 && limits[i].bits >= RTE_VECT_SIMD_512)
			want = SK_SIPHASH_IMPL_AVX512X8;
		else if (avx2 && limits[i].bits >= RTE_VECT_SIMD_256)
			want = SK_SIPHASH_IMPL_AVX2X4;
		CHECK_EQ(rte_vect_set_max_simd_bitwidth(limits[i].bits), 0,
			"set the SIMD limit to %s", limits[i].what);
		CHECK_EQ(sk_siphash_impl_select(), want,
			"SIMD limit %s: auto picks %s", limits[i].what,
			sk_siphash_impl_name(want));
	}

	/* a forced choice outlives select() (sk_cookie_init() calls it) */
	CHECK_EQ(rte_vect_set_max_simd_bitwidth(RTE_VECT_SIMD_MAX), 0,
		"no SIMD limit");
	CHECK_EQ(sk_siphash_impl_set(SK_SIPHASH_IMPL_SCALAR), 0,
		"force scalar");
	CHECK_EQ(sk_siphash_impl_select(), SK_SIPHASH_IMPL_SCALAR,
		"select keeps a forced implementation");
	CHECK_EQ(sk_siphash_impl_set(SK_SIPHASH_IMPL_AUTO), 0, "auto again");
	CHECK(sk_siphash_impl_get() != SK_SIPHASH_IMPL_SCALAR ||
			(!avx2 && !avx512),
		"auto again: back to the best one (%s)",
		sk_siphash_impl_current());

	CHECK_EQ(sk_siphash_impl_set(SK_SIPHASH_IMPL_N), -EINVAL,
		"an unknown implementation is refused");
	CHECK(sk_siphash_impl_name(SK_SIPHASH_IMPL_N) == NULL,
		"an unknown implementation has no name");
	for (unsigned int i = 0; i < SK_SIPHASH_IMPL_N; i++)
		CHECK_EQ(sk_siphash_impl_parse(sk_siphash_impl_name(i)), i,
			"parse(\"%s\")", sk_siphash_impl_name(i));
	CHECK_EQ(sk_siphash_impl_parse("avx1024"), -EINVAL,
		"parse: an unknown name is refused");
	CHECK_EQ(sk_siphash_impl_parse(NULL), -EINVAL,
		"parse: NULL is refused");
}

int
main(void)
{
	test_reference_vectors();
	test_unaligned_input();
	test_fixed_length_variants();
	test_selection();
	test_lanes();
	return sk_test_done();
}

/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * SYN cookies over the IPv6 tuple (issue 13, docs/cookies.md): round trips
 * for every MSS class of the IPv6 table, a cookie refused for any other
 * address (each of the 256 bits of the two addresses flipped in turn),
 * port, ISN or cookie bit, the address digest unchanged by key rotation
 * (a cookie minted before a rotation still passes in the grace period and
 * not after it), two engines sharing a secret agreeing, and the IPv6 MSS
 * table (1220 minimum MTU, 1440 for a 1500-byte link, jumbo). No EAL.
 */

#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "sk_cookie.h"
#include "sk_siphash.h"
#include "sk_test.h"

#define TICK SK_COOKIE_TICK_S
#define T0 UINT32_C(1700000000)     /* starts a time-counter unit */

static const uint8_t secret_a[16] = {
	0x3c, 0x91, 0x07, 0xee, 0x52, 0x6a, 0xd4, 0x18,
	0x9f, 0x20, 0xb7, 0x45, 0x0c, 0x83, 0xfa, 0x61,
};
static const uint8_t secret_b[16] = {
	0x3c, 0x91, 0x07, 0xee, 0x52, 0x6a, 0xd4, 0x18,
	0x9f, 0x20, 0xb7, 0x45, 0x0c, 0x83, 0xfa, 0x60,
};

static const uint8_t P6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t E6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
#define SPORT RTE_BE16(40001)
#define DPORT RTE_BE16(8080)

static enum sk_cookie_result
check6(const struct sk_cookie_ctx *c, const uint8_t *src, const uint8_t *dst,
		rte_be16_t sport, rte_be16_t dport, uint32_t cisn,
		uint32_t cookie, uint32_t now_s, unsigned int *mss_idx,
		uint32_t *ts_off)
{
	struct sk_cookie_tuple t;
	unsigned int mi = 99;
	uint32_t to = 0;

	sk_cookie_tuple6(c, src, dst, sport, dport, &t);
	return sk_cookie_check(c, &t, cisn, cookie, now_s,
		mss_idx ? mss_idx : &mi, ts_off ? ts_off : &to);
}

static uint32_t
make6(const struct sk_cookie_ctx *c, const uint8_t *src, const uint8_t *dst,
		uint32_t cisn, unsigned int mss_idx, uint32_t now_s,
		uint32_t *ts_off)
{
	struct sk_cookie_tuple t;
	uint32_t to;

	sk_cookie_tuple6(c, src, dst, SPORT, DPORT, &t);
	return sk_cookie_make(c, &t, cisn, mss_idx, now_s, ts_off ? ts_off : &to);
}

static void
test_mss_table6(void)
{
	/* Linux's IPv6 table: what an IPv6 peer sends on common links */
	static const struct {
		uint16_t mss, want;
	} cases[] = {
		{ 1220, 1220 },  /* the IPv6 minimum MTU, 1280 - 60 */
		{ 1280, 1220 },
		{ 1419, 1220 },
		{ 1420, 1420 },
		{ 1440, 1440 },  /* a 1500-byte link */
		{ 1460, 1440 },
		{ 8940, 8940 },  /* a 9000-byte jumbo link */
		{ 65535, 8940 },
	};

	for (unsigned int i = 0; i + 1 < SK_COOKIE_MSS_N; i++)
		CHECK(sk_cookie_msstab6[i] < sk_cookie_msstab6[i + 1],
			"IPv6 MSS table ascending at %u", i);
	CHECK_EQ(sk_cookie_msstab6[0], 1220, "IPv6 MSS table starts at 1220");
	for (unsigned int i = 0; i < RTE_DIM(cases); i++) {
		unsigned int idx = sk_cookie_mss_index6(cases[i].mss);

		CHECK_EQ(sk_cookie_mss_value6(idx), cases[i].want,
			"IPv6 client MSS %u carried as %u", cases[i].mss,
			cases[i].want);
	}
	/* never more than the client asked for, from 1220 up */
	{
		unsigned int bad = 0;

		for (uint32_t mss = 1220; mss <= 65535; mss++)
			bad += sk_cookie_mss_value6(
				sk_cookie_mss_index6((uint16_t)mss)) > mss;
		CHECK_EQ(bad, 0, "IPv6 cookie MSS never above the client's "
			"(1220..65535)");
	}
}

static void
test_round_trip6(void)
{
	struct sk_cookie_ctx c;
	unsigned int bad = 0;
	uint32_t now_s = T0 + 5;

	sk_cookie_init(&c, secret_a, 0, 2 * TICK, T0);
	for (unsigned int m = 0; m < SK_COOKIE_MSS_N; m++) {
		for (uint32_t k = 0; k < 256; k++) {
			uint32_t cisn = k * 0x9e3779b9u, ts0, ts1 = 0;
			unsigned int mi = 99;
			uint32_t ck = make6(&c, P6, E6, cisn, m, now_s, &ts0);

			if (check6(&c, P6, E6, SPORT, DPORT, cisn, ck, now_s,
					&mi, &ts1) != SK_COOKIE_OK || mi != m ||
					ts1 != ts0)
				bad++;
		}
	}
	CHECK_EQ(bad, 0, "IPv6 round trips: 4 MSS classes x 256 ISNs, the "
		"MSS index and TSval offset given back");

	/* still good at the end of its age, refused after */
	{
		uint32_t ck = make6(&c, P6, E6, 77, 2, T0, NULL);

		CHECK_EQ(check6(&c, P6, E6, SPORT, DPORT, 77, ck, T0 + 2 * TICK - 1,
			NULL, NULL), SK_COOKIE_OK, "IPv6 cookie within its age");
		CHECK_EQ(check6(&c, P6, E6, SPORT, DPORT, 77, ck,
			T0 + 3 * TICK + 1, NULL, NULL), SK_COOKIE_TOO_OLD,
			"IPv6 cookie past its age: too old");
	}
}

static void
test_tuple6(void)
{
	struct sk_cookie_ctx c;
	struct sk_cookie_tuple a, b;
	uint32_t now_s = T0 + 5, cisn = 0x01020304u, ck;
	unsigned int bad = 0;
	uint8_t x[16];

	sk_cookie_init(&c, secret_a, 0, 2 * TICK, T0);
	sk_cookie_tuple6(&c, P6, E6, SPORT, DPORT, &a);
	sk_cookie_tuple6(&c, P6, E6, SPORT, DPORT, &b);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0, "the IPv6 tuple is deterministic");
	CHECK(a.sport == SPORT && a.dport == DPORT,
		"the IPv6 tuple keeps the ports as they are");
	sk_cookie_tuple6(&c, E6, P6, SPORT, DPORT, &b);
	CHECK(a.saddr != b.saddr || a.daddr != b.daddr,
		"swapping the two addresses changes the digest");

	ck = make6(&c, P6, E6, cisn, 1, now_s, NULL);
	/* every bit of either address matters */
	for (unsigned int i = 0; i < 128; i++) {
		memcpy(x, P6, 16);
		x[i / 8] ^= (uint8_t)(0x80 >> (i % 8));
		bad += check6(&c, x, E6, SPORT, DPORT, cisn, ck, now_s, NULL,
			NULL) != SK_COOKIE_BAD_MAC;
		memcpy(x, E6, 16);
		x[i / 8] ^= (uint8_t)(0x80 >> (i % 8));
		bad += check6(&c, P6, x, SPORT, DPORT, cisn, ck, now_s, NULL,
			NULL) != SK_COOKIE_BAD_MAC;
	}
	CHECK_EQ(bad, 0, "an IPv6 cookie is refused for any address differing "
		"in one bit (256 cases)");
	bad = 0;
	for (unsigned int i = 0; i < 16; i++) {
		bad += check6(&c, P6, E6, SPORT ^ RTE_BE16(1u << i), DPORT, cisn,
			ck, now_s, NULL, NULL) != SK_COOKIE_BAD_MAC;
		bad += check6(&c, P6, E6, SPORT, DPORT ^ RTE_BE16(1u << i), cisn,
			ck, now_s, NULL, NULL) != SK_COOKIE_BAD_MAC;
	}
	CHECK_EQ(bad, 0, "refused for either port differing in one bit");
	bad = 0;
	for (unsigned int i = 0; i < 32; i++) {
		bad += check6(&c, P6, E6, SPORT, DPORT, cisn ^ (1u << i), ck,
			now_s, NULL, NULL) == SK_COOKIE_OK;
		bad += check6(&c, P6, E6, SPORT, DPORT, cisn, ck ^ (1u << i),
			now_s, NULL, NULL) == SK_COOKIE_OK;
	}
	CHECK_EQ(bad, 0, "refused for a client ISN or cookie differing in any "
		"of their 32 bits");
	/* the IPv4 tuple of the same ports with our IPv4-mapped address
	 * does not take it */
	{
		struct sk_cookie_tuple t4 = {
			.saddr = RTE_BE32(0xc6120001), .daddr = RTE_BE32(0xc6120002),
			.sport = SPORT, .dport = DPORT,
		};
		unsigned int mi;
		uint32_t to;

		CHECK(sk_cookie_check(&c, &t4, cisn, ck, now_s, &mi, &to) !=
			SK_COOKIE_OK, "an IPv6 cookie does not pass for an IPv4 "
			"tuple with the same ports");
	}
}

static void
test_rotation6(void)
{
	struct sk_cookie_ctx c;
	struct sk_cookie_tuple before, after;
	const uint32_t rot = 4 * TICK;     /* grace (2 + 1) * 64 < 256 */
	/* 10 s before a rotation (T0 is a multiple of 256) */
	uint32_t t = T0 + rot - 10, ck;

	CHECK_EQ(sk_cookie_init(&c, secret_a, rot, 2 * TICK, t), 0,
		"rotating context");
	sk_cookie_tuple6(&c, P6, E6, SPORT, DPORT, &before);
	ck = make6(&c, P6, E6, 4242, 3, t, NULL);
	/* 10 s after it: the key changed, the digest did not */
	t += 20;
	sk_cookie_tick(&c, t);
	sk_cookie_tuple6(&c, P6, E6, SPORT, DPORT, &after);
	CHECK(memcmp(&before, &after, sizeof(before)) == 0,
		"the IPv6 address digest does not rotate with the keys");
	CHECK(make6(&c, P6, E6, 4242, 3, t, NULL) != ck,
		"a new key after the rotation makes another cookie");
	CHECK_EQ(check6(&c, P6, E6, SPORT, DPORT, 4242, ck, t, NULL, NULL),
		SK_COOKIE_OK, "an IPv6 cookie of the previous key passes in its "
		"grace period");
	t += 3 * TICK + 1;
	sk_cookie_tick(&c, t);
	CHECK(check6(&c, P6, E6, SPORT, DPORT, 4242, ck, t, NULL, NULL) !=
		SK_COOKIE_OK, "and not after it");
}

static void
test_shared_secret6(void)
{
	struct sk_cookie_ctx a, b, other;
	uint32_t now_s = T0 + 70, ck;

	sk_cookie_init(&a, secret_a, 0, 2 * TICK, T0);
	sk_cookie_init(&b, secret_a, 0, 2 * TICK, now_s);
	sk_cookie_init(&other, secret_b, 0, 2 * TICK, T0);
	ck = make6(&a, P6, E6, 99, 2, now_s, NULL);
	CHECK_EQ(check6(&b, P6, E6, SPORT, DPORT, 99, ck, now_s, NULL, NULL),
		SK_COOKIE_OK, "two engines with one secret agree on IPv6 cookies");
	CHECK_EQ(check6(&other, P6, E6, SPORT, DPORT, 99, ck, now_s, NULL,
		NULL), SK_COOKIE_BAD_MAC,
		"a secret differing in one bit refuses the IPv6 cookie");
}

/* The burst digest (SIMD lanes) equals the single one for bursts of 0 to
 * 70 tuples (past SK_COOKIE_BURST_MAX), on every implementation this CPU
 * has, and leaves the ports alone. */
static void
test_tuple6_burst(void)
{
	static const enum sk_siphash_impl impls[] = {
		SK_SIPHASH_IMPL_SCALAR, SK_SIPHASH_IMPL_AVX2X4,
		SK_SIPHASH_IMPL_AVX512X8,
	};
	struct sk_cookie_ctx c;
	uint8_t src[70][16], dst[70][16];
	const uint8_t *sp[70], *dp[70];
	struct sk_cookie_tuple got[70], want, *tp[70];
	unsigned int bad = 0, tested = 0;

	sk_cookie_init(&c, secret_a, 0, 2 * TICK, T0);
	for (unsigned int i = 0; i < 70; i++) {
		memcpy(src[i], P6, 16);
		memcpy(dst[i], E6, 16);
		src[i][15] = (uint8_t)(i * 7 + 1);
		src[i][9] = (uint8_t)i;
		dst[i][3] ^= (uint8_t)(i & 1);
		sp[i] = src[i];
		dp[i] = dst[i];
		tp[i] = &got[i];
	}
	for (unsigned int j = 0; j < RTE_DIM(impls); j++) {
		if (sk_siphash_impl_set(impls[j]) != 0)
			continue;
		for (unsigned int n = 0; n <= 70; n += n < 17 ? 1 : 53) {
			for (unsigned int i = 0; i < n; i++) {
				got[i].sport = RTE_BE16(1000);
				got[i].dport = RTE_BE16(80);
			}
			sk_cookie_tuple6_burst(&c, sp, dp, n, tp);
			for (unsigned int i = 0; i < n; i++) {
				sk_cookie_tuple6(&c, src[i], dst[i],
					RTE_BE16(1000), RTE_BE16(80), &want);
				bad += memcmp(&got[i], &want, sizeof(want)) != 0;
				tested++;
			}
		}
	}
	sk_siphash_impl_set(SK_SIPHASH_IMPL_AUTO);
	CHECK(tested > 0 && bad == 0, "burst digests equal the single ones "
		"(%u tuples, every implementation this CPU has)", tested);
}

int
main(void)
{
	test_mss_table6();
	test_tuple6_burst();
	test_round_trip6();
	test_tuple6();
	test_rotation6();
	test_shared_secret6();
	return sk_test_done();
}

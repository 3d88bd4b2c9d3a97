/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * SYN cookies: round trips, every way a cookie must be refused, ageing,
 * key rotation, agreement between engines, the TSval option bits, a
 * statistical look at the ISN bits, and the burst functions against the
 * single ones for every multi-lane SipHash this CPU has (one it lacks is a
 * TAP skip). No EAL.
 */

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "sk_cookie.h"
#include "sk_siphash.h"
#include "sk_test.h"

#define TICK SK_COOKIE_TICK_S
/* a wall clock second that starts a time-counter unit (1700000000 / 64) */
#define T0 UINT32_C(1700000000)

static const uint8_t secret_a[16] = {
	0x3c, 0x91, 0x07, 0xee, 0x52, 0x6a, 0xd4, 0x18,
	0x9f, 0x20, 0xb7, 0x45, 0x0c, 0x83, 0xfa, 0x61,
};
static const uint8_t secret_b[16] = {
	0x3c, 0x91, 0x07, 0xee, 0x52, 0x6a, 0xd4, 0x18,
	0x9f, 0x20, 0xb7, 0x45, 0x0c, 0x83, 0xfa, 0x60,
};

static const struct sk_cookie_tuple tup = {
	.saddr = RTE_BE32(0xc0a80a02),  /* 192.168.10.2 */
	.daddr = RTE_BE32(0xc0a80a01),  /* 192.168.10.1 */
	.sport = RTE_BE16(40001),
	.dport = RTE_BE16(80),
};

static enum sk_cookie_result
check(const struct sk_cookie_ctx *c, const struct sk_cookie_tuple *t,
		uint32_t cisn, uint32_t cookie, uint32_t now_s)
{
	unsigned int mss_idx;
	uint32_t ts_off;

	return sk_cookie_check(c, t, cisn, cookie, now_s, &mss_idx, &ts_off);
}

static void
test_init_arguments(void)
{
	struct sk_cookie_ctx c;

	CHECK_EQ(sk_cookie_init(NULL, secret_a, 0, 128, T0), -EINVAL,
		"init: NULL context rejected");
	CHECK_EQ(sk_cookie_init(&c, NULL, 0, 128, T0), -EINVAL,
		"init: NULL secret rejected");
	CHECK_EQ(sk_cookie_init(&c, secret_a, 0, 0, T0), -EINVAL,
		"init: max_age 0 s (0 units) rejected");
	CHECK_EQ(sk_cookie_init(&c, secret_a, 0, 15 * TICK + 1, T0), -EINVAL,
		"init: max_age 961 s (16 units) rejected");
	CHECK_EQ(sk_cookie_init(&c, secret_a, 0, UINT32_MAX, T0), -EINVAL,
		"init: max_age UINT32_MAX rejected");

	CHECK_EQ(sk_cookie_init(&c, secret_a, 0, 1, T0), 0,
		"init: max_age 1 s accepted");
	CHECK_EQ(c.max_age, 1, "init: max_age 1 s rounds up to 1 unit");
	CHECK_EQ(sk_cookie_init(&c, secret_a, 0, TICK, T0), 0,
		"init: max_age 64 s accepted");
	CHECK_EQ(c.max_age, 1, "init: max_age 64 s is 1 unit");
	CHECK_EQ(sk_cookie_init(&c, secret_a, 0, TICK + 1, T0), 0,
		"init: max_age 65 s accepted");
	CHECK_EQ(c.max_age, 2, "init: max_age 65 s rounds up to 2 units");
	CHECK_EQ(sk_cookie_init(&c, secret_a, 0, 15 * TICK, T0), 0,
		"init: max_age 960 s (15 units) accepted");
	CHECK_EQ(c.max_age, 15, "init: max_age 960 s is 15 units");

	/* 2 units: the previous key's grace is 3 * 64 = 192 s */
	CHECK_EQ(sk_cookie_init(&c, secret_a, 191, 2 * TICK, T0), -EINVAL,
		"init: rotation shorter than the grace period rejected");
	CHECK_EQ(sk_cookie_init(&c, secret_a, 192, 2 * TICK, T0), 0,
		"init: rotation equal to the grace period accepted");
}

static void
test_mss_table(void)
{
	static const struct {
		uint16_t mss;
		unsigned int idx;
	} cases[] = {
		{ 0, 0 }, { 88, 0 }, { 535, 0 }, { 536, 0 }, { 1299, 0 },
		{ 1300, 1 }, { 1439, 1 }, { 1440, 2 }, { 1459, 2 },
		{ 1460, 3 }, { 1461, 3 }, { 8960, 3 }, { 65535, 3 },
	};
	static const uint16_t table[SK_COOKIE_MSS_N] = {
		536, 1300, 1440, 1460,
	};

	for (unsigned int i = 0; i < RTE_DIM(cases); i++)
		CHECK_EQ(sk_cookie_mss_index(cases[i].mss), cases[i].idx,
			"mss index of %u", cases[i].mss);
	for (unsigned int i = 0; i < SK_COOKIE_MSS_N; i++) {
		CHECK_EQ(sk_cookie_mss_value(i), table[i],
			"mss value of index %u", i);
		CHECK_EQ(sk_cookie_mss_value(i + SK_COOKIE_MSS_N), table[i],
			"mss value of index %u uses its low 2 bits",
			i + SK_COOKIE_MSS_N);
		CHECK_EQ(sk_cookie_mss_index(table[i]), i,
			"mss index of table entry %u is %u", table[i], i);
	}
}

static void
test_ts_options(void)
{
	static const uint32_t now[] = {
		0, 1, 5, 62, 63, 64, 65, 127, 128, 1000, 0x12345678,
		0x7fffffc0, 0x7fffffff, 0x80000000, 0xffffffc0, 0xffffffc1,
		0xffffffff,
	};

	for (unsigned int i = 0; i < RTE_DIM(now); i++) {
		unsigned int bad_decode = 0, ahead = 0, far = 0;

		for (unsigned int o = 0; o < 64; o++) {
			uint32_t ts = sk_cookie_ts_encode(now[i], o);

			if (sk_cookie_ts_decode(ts) != o)
				bad_decode++;
			if ((int32_t)(ts - now[i]) > 0)
				ahead++;
			if (now[i] - ts >= 64)
				far++;
		}
		CHECK_EQ(bad_decode, 0,
			"ts options: all 64 values decode back (ts_now %#x)",
			now[i]);
		CHECK_EQ(ahead, 0,
			"ts options: TSval never ahead of ts_now %#x", now[i]);
		CHECK_EQ(far, 0,
			"ts options: TSval within 63 of ts_now %#x", now[i]);
	}
	CHECK_EQ(sk_cookie_ts_encode(0x1000, 0x25), 0xfe5,
		"ts options: low bits above ts_now's borrow one 64 step");
	CHECK_EQ(sk_cookie_ts_encode(0x1030, 0x25), 0x1025,
		"ts options: low bits below ts_now's keep its high bits");
	CHECK_EQ(sk_cookie_ts_encode(5, 0x3f), 0xffffffff,
		"ts options: ts_now < 64 wraps back below zero");
	CHECK_EQ(sk_cookie_ts_encode(0x1010, 0x40 | 3), 0x1003,
		"ts options: bits above the 6 option bits are ignored");
}

static void
test_round_trip(void)
{
	static const unsigned int opts[] = {
		SK_TSOPT_WSCALE_NONE,
		0,
		7 | SK_TSOPT_SACK,
		14 | SK_TSOPT_SACK | SK_TSOPT_ECN,
		SK_TSOPT_WSCALE_NONE | SK_TSOPT_SACK | SK_TSOPT_ECN,
		2 | SK_TSOPT_ECN,
	};
	struct sk_cookie_ctx c;
	uint32_t now_s = T0 + 17;
	uint32_t ts_now = 0x9abc0123;

	sk_cookie_init(&c, secret_a, 0, 2 * TICK, now_s);
	for (unsigned int m = 0; m < SK_COOKIE_MSS_N; m++) {
		for (unsigned int i = 0; i < RTE_DIM(opts); i++) {
			uint32_t cisn = 0x1000 * m + i * 0x01000193u;
			uint32_t off_make, off_check = 0, tsval;
			unsigned int mss_idx = 99;
			uint32_t cookie;

			cookie = sk_cookie_make(&c, &tup, cisn, m, now_s,
					&off_make);
			tsval = sk_cookie_ts_encode(ts_now + off_make,
					opts[i]);
			CHECK_EQ(sk_cookie_check(&c, &tup, cisn, cookie,
					now_s + 3, &mss_idx, &off_check),
				SK_COOKIE_OK,
				"round trip: accepted (mss %u, opts %#x)",
				m, opts[i]);
			CHECK_EQ(mss_idx, m,
				"round trip: MSS index comes back (mss %u, "
				"opts %#x)", m, opts[i]);
			CHECK_EQ(off_check, off_make,
				"round trip: ts_off identical in make and "
				"check (mss %u, opts %#x)", m, opts[i]);
			CHECK_EQ(sk_cookie_ts_decode(tsval), opts[i],
				"round trip: options come back from the TSecr "
				"(mss %u, opts %#x)", m, opts[i]);
		}
	}
	CHECK_EQ(sk_cookie_make(&c, &tup, 1234, 2, now_s, &(uint32_t){ 0 }),
		sk_cookie_make(&c, &tup, 1234, 2, now_s, &(uint32_t){ 0 }),
		"make is deterministic");
	{
		uint32_t x;
		uint32_t a = sk_cookie_make(&c, &tup, 1234, 1, now_s, &x);
		uint32_t b = sk_cookie_make(&c, &tup, 1234, 2, now_s, &x);

		CHECK(a != b, "cookies for two MSS indexes differ");
		a = sk_cookie_make(&c, &tup, 1234, 1, now_s, &x);
		b = sk_cookie_make(&c, &tup, 1234, 1, now_s + TICK, &x);
		CHECK(a != b, "cookies one time unit apart differ");
	}
}

static void
test_rejections(void)
{
	struct sk_cookie_ctx c, other;
	struct sk_cookie_tuple t;
	uint32_t now_s = T0 + 5;
	uint32_t cisn = 0xfffffffe;  /* +1 and +2 wrap */
	uint32_t ts_off, cookie;
	unsigned int flips = 0;

	sk_cookie_init(&c, secret_a, 0, 2 * TICK, now_s);
	cookie = sk_cookie_make(&c, &tup, cisn, 3, now_s, &ts_off);
	CHECK_EQ(check(&c, &tup, cisn, cookie, now_s), SK_COOKIE_OK,
		"rejections: the unmodified cookie is accepted");

	t = tup;
	t.saddr ^= RTE_BE32(1);
	CHECK_EQ(check(&c, &t, cisn, cookie, now_s), SK_COOKIE_BAD_MAC,
		"rejected: client address changed");
	t = tup;
	t.daddr ^= RTE_BE32(0x100);
	CHECK_EQ(check(&c, &t, cisn, cookie, now_s), SK_COOKIE_BAD_MAC,
		"rejected: our address changed");
	t = tup;
	t.sport = RTE_BE16(40002);
	CHECK_EQ(check(&c, &t, cisn, cookie, now_s), SK_COOKIE_BAD_MAC,
		"rejected: client port changed");
	t = tup;
	t.dport = RTE_BE16(81);
	CHECK_EQ(check(&c, &t, cisn, cookie, now_s), SK_COOKIE_BAD_MAC,
		"rejected: our port changed");
	t = tup;
	t.sport = tup.dport;
	t.dport = tup.sport;
	CHECK_EQ(check(&c, &t, cisn, cookie, now_s), SK_COOKIE_BAD_MAC,
		"rejected: ports swapped");
	t = tup;
	t.saddr = tup.daddr;
	t.daddr = tup.saddr;
	CHECK_EQ(check(&c, &t, cisn, cookie, now_s), SK_COOKIE_BAD_MAC,
		"rejected: addresses swapped");

	/* better than Linux: the MAC covers the client ISN itself */
	CHECK_EQ(check(&c, &tup, cisn + 1, cookie, now_s), SK_COOKIE_BAD_MAC,
		"rejected: client ISN + 1 (ACK sequence off by one)");
	CHECK_EQ(check(&c, &tup, cisn - 1, cookie, now_s), SK_COOKIE_BAD_MAC,
		"rejected: client ISN - 1");
	CHECK_EQ(check(&c, &tup, cisn + 2, cookie, now_s), SK_COOKIE_BAD_MAC,
		"rejected: client ISN + 2 (wrapping)");

	CHECK_EQ(check(&c, &tup, cisn, cookie + 1, now_s), SK_COOKIE_BAD_MAC,
		"rejected: cookie + 1");
	CHECK_EQ(check(&c, &tup, cisn, cookie - 1, now_s), SK_COOKIE_BAD_MAC,
		"rejected: cookie - 1");
	for (unsigned int b = 0; b < 32; b++)
		if (check(&c, &tup, cisn, cookie ^ (1u << b), now_s) !=
				SK_COOKIE_BAD_MAC)
			flips++;
	CHECK_EQ(flips, 0, "rejected: every single-bit change of the cookie");

	sk_cookie_init(&other, secret_b, 0, 2 * TICK, now_s);
	CHECK_EQ(check(&other, &tup, cisn, cookie, now_s), SK_COOKIE_BAD_MAC,
		"rejected: context with another secret (one bit differs)");
}

/*
 * Ageing with max_age units: a cookie made at any second of unit t is
 * accepted at any second of units t .. t + max_age, TOO_OLD in unit
 * t + max_age + 1 (and beyond, until the 4 time bits wrap).
 */
static void
test_age(unsigned int max_age)
{
	static const uint32_t offs[] = { 0, 1, 31, 62, 63 };
	struct sk_cookie_ctx c;
	unsigned int bad_ok = 0, bad_old = 0, bad_early = 0;

	sk_cookie_init(&c, secret_a, 0, max_age * TICK, T0);
	for (unsigned int i = 0; i < RTE_DIM(offs); i++) {
		uint32_t made = T0 + offs[i];
		uint32_t ts_off, cookie;

		cookie = sk_cookie_make(&c, &tup, 77, 1, made, &ts_off);
		for (unsigned int j = 0; j < RTE_DIM(offs); j++) {
			uint32_t at_max = T0 + max_age * TICK + offs[j];
			uint32_t next = at_max + TICK;

			if (check(&c, &tup, 77, cookie, at_max) !=
					SK_COOKIE_OK)
				bad_ok++;
			if (max_age < 15 && check(&c, &tup, 77, cookie,
					next) != SK_COOKIE_TOO_OLD)
				bad_old++;
			/* a cookie from the future (clock stepped back) */
			if (check(&c, &tup, 77, cookie, T0 - TICK + offs[j]) ==
					SK_COOKIE_OK)
				bad_early++;
		}
	}
	CHECK_EQ(bad_ok, 0, "age %u: accepted at age max_age units, any "
		"second of the make and check units", max_age);
	if (max_age < 15)
		CHECK_EQ(bad_old, 0, "age %u: TOO_OLD at age max_age + 1 "
			"units, any second of the units", max_age);
	CHECK_EQ(bad_early, 0, "age %u: not accepted one unit before it "
		"was made", max_age);
}

static void
test_age_limits(void)
{
	struct sk_cookie_ctx c;
	uint32_t ts_off, cookie;

	test_age(1);
	test_age(2);
	test_age(7);
	test_age(15);

	/* with 15 units, age 16 aliases age 0 of a later unit: the MAC,
	 * which covers the full counter, refuses it */
	sk_cookie_init(&c, secret_a, 0, 15 * TICK, T0);
	cookie = sk_cookie_make(&c, &tup, 5, 0, T0, &ts_off);
	CHECK_EQ(check(&c, &tup, 5, cookie, T0 + 16 * TICK),
		SK_COOKIE_BAD_MAC,
		"age 15: a cookie 16 units old (time bits wrapped) is refused");
	cookie = sk_cookie_make(&c, &tup, 5, 0, T0, &ts_off);
	CHECK_EQ(check(&c, &tup, 5, cookie, T0 + 17 * TICK),
		SK_COOKIE_BAD_MAC,
		"age 15: a cookie 17 units old is refused");
}

/* The keys a context holds, for comparisons. */
static bool
same_keys(const struct sk_cookie_ctx *a, const struct sk_cookie_ctx *b)
{
	if (a->epoch != b->epoch || a->have_prev != b->have_prev ||
			memcmp(a->key[0], b->key[0], sizeof(a->key[0])) != 0)
		return false;
	if (a->have_prev && (a->prev_until_s != b->prev_until_s ||
			memcmp(a->key[1], b->key[1], sizeof(a->key[1])) != 0))
		return false;
	return true;
}

static void
test_rotation_period(uint32_t rotate_s, unsigned int max_age)
{
	/* the first epoch boundary after T0 */
	uint32_t b = (T0 / rotate_s + 1) * rotate_s;
	uint32_t grace = (max_age + 1) * TICK;
	uint32_t made = b - 1;
	uint32_t last_ok = ((made / TICK) + max_age + 1) * TICK - 1;
	struct sk_cookie_ctx c, fresh, before;
	uint32_t off_make, off_check, cookie, cookie_new;
	unsigned int idx, bad_ok = 0, bad_old = 0;

	CHECK_EQ(sk_cookie_init(&c, secret_a, rotate_s, max_age * TICK,
			b - 100), 0,
		"rotation %u s: init with max_age %u units", rotate_s, max_age);
	sk_cookie_tick(&c, made);
	cookie = sk_cookie_make(&c, &tup, 4242, 2, made, &off_make);
	sk_cookie_tick(&c, b);
	CHECK(c.have_prev && c.epoch == b / rotate_s,
		"rotation %u s: new epoch at the boundary, previous key kept",
		rotate_s);
	CHECK_EQ(c.prev_until_s, b + grace,
		"rotation %u s: previous key accepted for (max_age + 1) * 64 s",
		rotate_s);

	idx = 99;
	CHECK_EQ(sk_cookie_check(&c, &tup, 4242, cookie, b, &idx, &off_check),
		SK_COOKIE_OK,
		"rotation %u s: cookie made 1 s before the boundary validates "
		"after it", rotate_s);
	CHECK(idx == 2 && off_check == off_make,
		"rotation %u s: ... with its MSS index and ts_off", rotate_s);

	/* every second of the grace period: OK while young enough, then
	 * TOO_OLD (with 15 units, age 16 wraps the time bits: BAD_MAC) */
	for (uint32_t s = b; s < b + grace; s++) {
		enum sk_cookie_result r;

		sk_cookie_tick(&c, s);
		r = check(&c, &tup, 4242, cookie, s);
		if (s <= last_ok && r != SK_COOKIE_OK)
			bad_ok++;
		if (s > last_ok && (max_age < SK_COOKIE_MAX_AGE_MAX ?
				r != SK_COOKIE_TOO_OLD : r == SK_COOKIE_OK))
			bad_old++;
	}
	CHECK_EQ(bad_ok, 0, "rotation %u s: old-key cookie accepted up to "
		"age max_age", rotate_s);
	CHECK_EQ(bad_old, 0, "rotation %u s: old-key cookie refused (TOO_OLD "
		"below 15 units) after that, while its key is in grace",
		rotate_s);

	CHECK_EQ(check(&c, &tup, 4242, cookie, b + grace), SK_COOKIE_BAD_MAC,
		"rotation %u s: previous key refused at the end of its grace "
		"even before tick", rotate_s);
	sk_cookie_tick(&c, b + grace);
	if (rotate_s > grace)
		CHECK(!c.have_prev, "rotation %u s: tick drops the previous "
			"key after its grace", rotate_s);
	else    /* the grace ends where the next epoch starts */
		CHECK(c.have_prev && c.epoch == b / rotate_s + 1,
			"rotation %u s: grace ends at the next boundary, "
			"which keeps the epoch's key as previous", rotate_s);
	CHECK_EQ(check(&c, &tup, 4242, cookie, b + grace), SK_COOKIE_BAD_MAC,
		"rotation %u s: old-key cookie BAD_MAC once the grace ended",
		rotate_s);

	/* the new key works, and is what a fresh context derives */
	cookie_new = sk_cookie_make(&c, &tup, 4242, 2, b + grace, &off_make);
	CHECK(cookie_new != cookie,
		"rotation %u s: the new key makes another cookie", rotate_s);
	CHECK_EQ(check(&c, &tup, 4242, cookie_new, b + grace), SK_COOKIE_OK,
		"rotation %u s: new-key cookie accepted", rotate_s);
	sk_cookie_init(&fresh, secret_a, rotate_s, max_age * TICK, b + grace);
	CHECK(same_keys(&c, &fresh),
		"rotation %u s: a context started now has the same keys",
		rotate_s);
	sk_cookie_init(&fresh, secret_a, rotate_s, max_age * TICK, b + 1);
	CHECK_EQ(check(&fresh, &tup, 4242, cookie, b + 1), SK_COOKIE_OK,
		"rotation %u s: a context started in the grace period accepts "
		"the previous epoch's cookie", rotate_s);

	if (rotate_s <= grace)
		return;
	/* nothing changes between events */
	before = c;
	sk_cookie_tick(&c, b + grace + 1);
	sk_cookie_tick(&c, b + rotate_s - 1);
	CHECK(same_keys(&c, &before),
		"rotation %u s: tick inside an epoch changes nothing",
		rotate_s);
	sk_cookie_tick(&c, b + rotate_s);
	CHECK(c.epoch == before.epoch + 1 && c.have_prev &&
		memcmp(c.key[1], before.key[0], sizeof(c.key[1])) == 0,
		"rotation %u s: next boundary: the current key becomes the "
		"previous one", rotate_s);
}

static void
test_rotation(void)
{
	struct sk_cookie_ctx c, before;
	uint32_t ts_off, cookie;

	test_rotation_period(3600, 2);    /* boundary inside a time unit */
	test_rotation_period(1500, 15);
	test_rotation_period(192, 2);     /* shortest allowed */

	/* rotate_s 0: one key forever */
	sk_cookie_init(&c, secret_a, 0, 2 * TICK, T0);
	before = c;
	sk_cookie_tick(&c, T0 + 86400 * 365);
	CHECK(same_keys(&c, &before) && !c.have_prev,
		"no rotation: the key never changes");
	cookie = sk_cookie_make(&c, &tup, 1, 0, T0 + 86400 * 365, &ts_off);
	CHECK_EQ(check(&c, &tup, 1, cookie, T0 + 86400 * 365), SK_COOKIE_OK,
		"no rotation: cookies still validate a year later");

	/* a clock stepped backwards gets that time's keys */
	sk_cookie_init(&c, secret_a, 3600, 2 * TICK, T0 + 7200);
	sk_cookie_tick(&c, T0);
	sk_cookie_init(&before, secret_a, 3600, 2 * TICK, T0);
	CHECK(same_keys(&c, &before),
		"rotation: a clock stepped back gets the keys of that time");
}

static void
test_engines_agree(void)
{
	struct sk_cookie_ctx a, b;
	uint32_t now_s = T0 + 12345;
	uint32_t off_a, off_b = 0, cookie_a, cookie_b;
	unsigned int idx = 99;

	sk_cookie_init(&a, secret_a, 3600, 2 * TICK, now_s);
	sk_cookie_init(&b, secret_a, 3600, 2 * TICK, now_s);
	cookie_a = sk_cookie_make(&a, &tup, 99, 1, now_s, &off_a);
	cookie_b = sk_cookie_make(&b, &tup, 99, 1, now_s, &off_b);
	CHECK_EQ(cookie_a, cookie_b,
		"engines: same secret and time make the same cookie");
	CHECK_EQ(off_a, off_b, "engines: ... and the same ts_off");
	CHECK_EQ(sk_cookie_check(&b, &tup, 99, cookie_a, now_s + 70, &idx,
			&off_b), SK_COOKIE_OK,
		"engines: a cookie made by one is accepted by the other");
	CHECK(idx == 1 && off_b == off_a,
		"engines: ... with the same MSS index and ts_off");
}

/* Each of the 32 bits set in 40..60 % of n values. */
static void
check_bits(const char *what, const uint32_t *v, unsigned int n)
{
	unsigned int lo = n * 2 / 5, hi = n * 3 / 5, bad = 0;

	for (unsigned int b = 0; b < 32; b++) {
		unsigned int ones = 0;

		for (unsigned int i = 0; i < n; i++)
			ones += (v[i] >> b) & 1;
		if (ones < lo || ones > hi) {
			printf("# %s: bit %u set %u of %u times\n", what, b,
				ones, n);
			bad++;
		}
	}
	CHECK_EQ(bad, 0, "statistics: every bit of %s set 40-60 %% of the "
		"time over %u values", what, n);
}

static void
test_isn_statistics(void)
{
	enum { N = 4096 };
	static uint32_t isn[N], off[N], delta[N];
	struct sk_cookie_ctx c;
	uint32_t now_s = T0 + 3;

	sk_cookie_init(&c, secret_a, 0, 2 * TICK, now_s);

	for (unsigned int i = 0; i < N; i++)
		isn[i] = sk_cookie_make(&c, &tup, 1000 + i, 3, now_s, &off[i]);
	check_bits("the ISN for successive client ISNs", isn, N);
	check_bits("ts_off for successive client ISNs", off, N);
	/* successive client ISNs: the ISN must not move along with them */
	for (unsigned int i = 0; i < N; i++)
		delta[i] = isn[i] - (1000 + i);
	check_bits("ISN - client ISN for successive client ISNs", delta, N);

	for (unsigned int i = 0; i < N; i++) {
		struct sk_cookie_tuple t = tup;

		t.sport = rte_cpu_to_be_16((uint16_t)(1024 + i));
		isn[i] = sk_cookie_make(&c, &t, 1000, 0, now_s, &off[i]);
	}
	check_bits("the ISN for successive client ports", isn, N);
	check_bits("ts_off for successive client ports", off, N);

	for (unsigned int i = 0; i < N; i++) {
		struct sk_cookie_tuple t = tup;

		t.saddr = rte_cpu_to_be_32(0x0a000001 + i);
		isn[i] = sk_cookie_make(&c, &t, 1000, 0, now_s, &off[i]);
	}
	check_bits("the ISN for successive client addresses", isn, N);

	/* one flow at successive time units (a SYN retransmitted for an
	 * hour): neither the time bits nor the MSS bits show */
	for (unsigned int i = 0; i < N; i++)
		isn[i] = sk_cookie_make(&c, &tup, 1000 + i, i & 3,
				now_s + i * TICK, &off[i]);
	check_bits("the ISN over successive time units and MSS indexes",
		isn, N);
}

/* ---- bursts ------------------------------------------------------------ */

/* A TAP test point that did not run, with the reason. */
#define SKIP(...) do { \
	sk_test_n++; \
	printf("ok %u # SKIP ", sk_test_n); \
	printf(__VA_ARGS__); \
	printf("\n"); \
} while (0)

/* xorshift64*: reproducible pseudo-random numbers */
static uint64_t rnd_state = UINT64_C(0x6a09e667f3bcc909);

static uint32_t
rnd32(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return (uint32_t)((rnd_state * UINT64_C(0x2545f4914f6cdd1d)) >> 32);
}

static void
rnd_tuple(struct sk_cookie_tuple *t)
{
	t->saddr = rnd32();
	t->daddr = rnd32();
	t->sport = (uint16_t)rnd32();
	t->dport = (uint16_t)rnd32();
}

#define BURST_TEST_MAX 67   /* lanes 0..67: every tail of 4 and 8 lanes */
#define GUARD 5
#define POISON8 0xa5
#define POISON32 UINT32_C(0xa5a5a5a5)

/* make_burst == sk_cookie_make for n = 0..67, random SYNs. */
static void
burst_make(const char *name)
{
	struct sk_cookie_ctx c;
	unsigned int bad = 0, bad_guard = 0, lanes = 0;

	sk_cookie_init(&c, secret_a, 3600, 2 * TICK, T0);
	for (unsigned int n = 0; n <= BURST_TEST_MAX; n++) {
		struct sk_cookie_tuple t[BURST_TEST_MAX];
		uint32_t cisn[BURST_TEST_MAX];
		uint8_t idx[BURST_TEST_MAX];
		uint32_t isn[BURST_TEST_MAX + GUARD];
		uint32_t off[BURST_TEST_MAX + GUARD];
		uint32_t now_s = T0 + rnd32() % 3600;

		sk_cookie_tick(&c, now_s);
		for (unsigned int i = 0; i < n; i++) {
			rnd_tuple(&t[i]);
			cisn[i] = rnd32();
			idx[i] = (uint8_t)rnd32();  /* low 2 bits count */
		}
		for (unsigned int i = 0; i < n + GUARD; i++)
			isn[i] = off[i] = POISON32;
		sk_cookie_make_burst(&c, t, cisn, idx, n, now_s, isn, off);
		for (unsigned int i = 0; i < n; i++) {
			uint32_t o;
			uint32_t want = sk_cookie_make(&c, &t[i], cisn[i],
					idx[i], now_s, &o);

			bad += (isn[i] != want) + (off[i] != o);
			lanes++;
		}
		for (unsigned int i = n; i < n + GUARD; i++)
			bad_guard += (isn[i] != POISON32) +
				(off[i] != POISON32);
	}
	CHECK_EQ(bad, 0, "%s: make_burst gives sk_cookie_make's ISN and "
		"ts_off, n = 0..%u (%u SYNs)", name, BURST_TEST_MAX, lanes);
	CHECK_EQ(bad_guard, 0, "%s: make_burst writes nothing past lane n",
		name);
}

/* What an ACK of the check scenarios is. */
enum ack_kind {
	ACK_VALID,       /* made with the current key, young */
	ACK_PREV_KEY,    /* made 1 s before the epoch boundary */
	ACK_OLD,         /* made 3 units before the check */
	ACK_AGE_EDGE,    /* made 2 to 3 units before: age max_age or one more */
	ACK_SEQ_PLUS,    /* SEG.SEQ one too far */
	ACK_SEQ_MINUS,
	ACK_ACK_PLUS,    /* SEG.ACK one too far */
	ACK_ACK_MINUS,
	ACK_TUPLE,       /* another client address */
	ACK_FORGED,      /* a random cookie */
	ACK_KIND_N,
};

struct burst_tally {
	unsigned int lanes, bad, bad_guard;
	unsigned int res[3];       /* by result */
	unsigned int prev_ok;      /* ACK_PREV_KEY lanes accepted */
};

/*
 * n ACKs of random kinds, checked at now_s by c with check_burst and with
 * sk_cookie_check one by one: results, MSS indexes and TSval offsets must
 * agree, and the outputs of lanes that are not OK stay untouched.
 * Cookies are made by a context of the same secret and settings ticked to
 * the make time.
 */
static void
burst_check_run(struct sk_cookie_ctx *c, uint32_t rotate_s, uint32_t b,
		uint32_t now_s, bool tick, unsigned int n,
		struct burst_tally *tl)
{
	struct sk_cookie_tuple t[BURST_TEST_MAX] = { 0 };
	uint32_t cisn[BURST_TEST_MAX] = { 0 }, cookie[BURST_TEST_MAX] = { 0 };
	uint8_t res[BURST_TEST_MAX + GUARD], idx[BURST_TEST_MAX + GUARD];
	uint32_t off[BURST_TEST_MAX + GUARD];
	enum ack_kind kind[BURST_TEST_MAX];
	struct sk_cookie_ctx m;

	for (unsigned int i = 0; i < n; i++) {
		uint32_t made, o;

		kind[i] = rnd32() % ACK_KIND_N;
		made = kind[i] == ACK_PREV_KEY ? b - 1 :
			kind[i] == ACK_OLD ? now_s - 3 * TICK :
			kind[i] == ACK_AGE_EDGE ?
				now_s - 2 * TICK - rnd32() % TICK :
			now_s - rnd32() % 60;
		sk_cookie_init(&m, secret_a, rotate_s, 2 * TICK, made);
		rnd_tuple(&t[i]);
		cisn[i] = rnd32();
		cookie[i] = sk_cookie_make(&m, &t[i], cisn[i], rnd32(), made,
				&o);
		switch (kind[i]) {
		case ACK_SEQ_PLUS:
			cisn[i]++;
			break;
		case ACK_SEQ_MINUS:
			cisn[i]--;
			break;
		case ACK_ACK_PLUS:
			cookie[i]++;
			break;
		case ACK_ACK_MINUS:
			cookie[i]--;
			break;
		case ACK_TUPLE:
			t[i].saddr ^= RTE_BE32(1);
			break;
		case ACK_FORGED:
			cookie[i] = rnd32();
			break;
		default:
			break;
		}
	}
	for (unsigned int i = 0; i < n + GUARD; i++) {
		res[i] = idx[i] = POISON8;
		off[i] = POISON32;
	}
	if (tick)
		sk_cookie_tick(c, now_s);
	sk_cookie_check_burst(c, t, cisn, cookie, n, now_s, res, idx, off);
	for (unsigned int i = 0; i < n; i++) {
		unsigned int want_idx = POISON8;
		uint32_t want_off = POISON32;
		enum sk_cookie_result want;

		want = sk_cookie_check(c, &t[i], cisn[i], cookie[i], now_s,
				&want_idx, &want_off);
		tl->bad += (res[i] != want) + (idx[i] != want_idx) +
			(off[i] != want_off);
		tl->lanes++;
		if (want <= SK_COOKIE_TOO_OLD)
			tl->res[want]++;
		if (kind[i] == ACK_PREV_KEY && want == SK_COOKIE_OK)
			tl->prev_ok++;
	}
	for (unsigned int i = n; i < n + GUARD; i++)
		tl->bad_guard += (res[i] != POISON8) + (idx[i] != POISON8) +
			(off[i] != POISON32);
}

static void
burst_check(const char *name)
{
	static const struct {
		uint32_t rotate_s;
		uint32_t after_b;   /* check time - epoch boundary */
		bool tick;          /* context ticked to the check time */
		const char *what;
	} sc[] = {
		{ 3600, 30, true,
			"rotation, previous key in its grace period" },
		{ 3600, 3 * TICK + 30, true, "rotation, grace period over" },
		{ 3600, 3 * TICK + 30, false,
			"rotation, grace period over but not ticked" },
		{ 0, 1000, true, "no rotation" },
	};

	for (unsigned int s = 0; s < RTE_DIM(sc); s++) {
		uint32_t b = sc[s].rotate_s ?
			(T0 / sc[s].rotate_s + 1) * sc[s].rotate_s : T0;
		uint32_t now_s = b + sc[s].after_b;
		struct burst_tally tl = { 0 };
		struct sk_cookie_ctx c;

		/* not ticked: set up inside the grace period */
		sk_cookie_init(&c, secret_a, sc[s].rotate_s, 2 * TICK,
			sc[s].tick ? now_s : b + 30);
		for (unsigned int n = 0; n <= BURST_TEST_MAX; n++)
			burst_check_run(&c, sc[s].rotate_s, b, now_s,
				sc[s].tick, n, &tl);
		CHECK_EQ(tl.bad, 0, "%s, %s: check_burst gives "
			"sk_cookie_check's result, MSS index and ts_off, n = 0..%u (%u ACKs: %u "
			"OK, %u BAD_MAC, %u TOO_OLD)", name, sc[s].what,
			BURST_TEST_MAX, tl.lanes, tl.res[SK_COOKIE_OK],
			tl.res[SK_COOKIE_BAD_MAC], tl.res[SK_COOKIE_TOO_OLD]);
		CHECK_EQ(tl.bad_guard, 0, "%s, %s: check_burst writes nothing "
			"past lane n", name, sc[s].what);
		/* the mix must hold every outcome, or the comparison above
		 * proves little */
		CHECK(tl.res[SK_COOKIE_OK] > 100 &&
			tl.res[SK_COOKIE_BAD_MAC] > 100 &&
			tl.res[SK_COOKIE_TOO_OLD] > 100,
			"%s, %s: the ACKs cover OK, BAD_MAC and TOO_OLD",
			name, sc[s].what);
		if (!sc[s].tick)
			CHECK(c.have_prev, "%s, %s: the context still holds "
				"the previous key", name, sc[s].what);
		if (s == 0)
			CHECK(tl.prev_ok > 50, "%s, %s: %u ACKs accepted with "
				"the previous key", name, sc[s].what,
				tl.prev_ok);
		else if (sc[s].rotate_s)
			CHECK_EQ(tl.prev_ok, 0, "%s, %s: none accepted with "
				"the previous key", name, sc[s].what);
	}
}

/* Bursts larger than SK_COOKIE_BURST_MAX are done in steps. */
static void
burst_large(const char *name)
{
	enum { N = 3 * SK_COOKIE_BURST_MAX + 5 };
	static struct sk_cookie_tuple t[N];
	static uint32_t cisn[N], isn[N], off[N], off2[N];
	static uint8_t idx[N], res[N], idx2[N];
	struct sk_cookie_ctx c;
	unsigned int bad = 0;

	sk_cookie_init(&c, secret_a, 0, 2 * TICK, T0);
	for (unsigned int i = 0; i < N; i++) {
		rnd_tuple(&t[i]);
		cisn[i] = rnd32();
		idx[i] = (uint8_t)(i & 3);
	}
	sk_cookie_make_burst(&c, t, cisn, idx, N, T0, isn, off);
	sk_cookie_check_burst(&c, t, cisn, isn, N, T0 + 1, res, idx2, off2);
	for (unsigned int i = 0; i < N; i++) {
		uint32_t o;

		bad += (isn[i] != sk_cookie_make(&c, &t[i], cisn[i], idx[i],
				T0, &o)) + (off[i] != o);
		bad += (res[i] != SK_COOKIE_OK) + (idx2[i] != idx[i]) +
			(off2[i] != off[i]);
	}
	CHECK_EQ(bad, 0, "%s: bursts of %u (over SK_COOKIE_BURST_MAX) made "
		"and checked like single cookies", name, N);
}

static void
test_bursts(void)
{
	static const enum sk_siphash_impl impls[] = {
		SK_SIPHASH_IMPL_SCALAR,
		SK_SIPHASH_IMPL_AVX2X4,
		SK_SIPHASH_IMPL_AVX512X8,
	};
	char done[64] = "";

	for (unsigned int j = 0; j < RTE_DIM(impls); j++) {
		const char *name = sk_siphash_impl_name(impls[j]);

		if (!sk_siphash_impl_supported(impls[j])) {
			SKIP("%s: this CPU or build lacks it", name);
			continue;
		}
		CHECK_EQ(sk_siphash_impl_set(impls[j]), 0, "%s: forced", name);
		burst_make(name);
		burst_check(name);
		burst_large(name);
		CHECK_EQ(sk_siphash_impl_get(), impls[j],
			"%s: still in use after the sk_cookie_init() calls",
			name);
		strcat(done, " ");
		strcat(done, name);
	}
	printf("# burst tests ran with:%s\n", done);
	sk_siphash_impl_set(SK_SIPHASH_IMPL_AUTO);
}

int
main(void)
{
	test_init_arguments();
	test_mss_table();
	test_ts_options();
	test_round_trip();
	test_rejections();
	test_age_limits();
	test_rotation();
	test_engines_agree();
	test_isn_statistics();
	test_bursts();
	return sk_test_done();
}

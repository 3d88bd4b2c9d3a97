/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * SYN cookies: round trips, every way a cookie must be refused, ageing,
 * key rotation, agreement between engines, the TSval option bits, and a
 * statistical look at the ISN bits. No EAL.
 */

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "sk_cookie.h"
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
	return sk_test_done();
}

/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Timer wheel: expiry order, never early, lateness at most
 * max(1 tick, delay / 8), cancel and re-arm, 100k random timers, large
 * jumps of the clock, wrap of the 32-bit tick, the max bound of expire.
 * The timers live in flow-table entries, as in the engine. No EAL.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>
#include <rte_memory.h>

#include "sk_flow.h"
#include "sk_timer.h"
#include "sk_test.h"

#define NT 100000u              /* timers in the random test */
#define OUT_MAX 4096u
#define TEN_MIN (10u * 60 * 1000)

static struct sk_flow_table *ft;
static struct sk_flow *ent;
static uint32_t id[NT];         /* entry index of timer i */
static uint32_t *rev;           /* timer of entry index */
static uint32_t out[OUT_MAX];

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dull) >> 32);
}

static int32_t
diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

static uint32_t
late_max(uint32_t delay)
{
	return RTE_MAX(1u, delay / 8);
}

/* Entries for the timers, inserted as the engine would. */
static bool
setup(void)
{
	ft = sk_flow_table_create(NT, SOCKET_ID_ANY);
	if (ft == NULL)
		return false;
	ent = sk_flow_entries(ft);
	rev = calloc(sk_flow_capacity(ft), sizeof(*rev));
	if (rev == NULL)
		return false;
	for (uint32_t i = 0; i < NT; i++) {
		struct sk_flow_key k = {
			.raddr = i, .laddr = 0x0100000a, .rport = 7, .lport = 80,
		};
		struct sk_flow *f = sk_flow_insert(ft, &k, sk_flow_hash(&k));

		if (f == NULL)
			return false;
		f->state = SK_ST_ESTABLISHED;
		id[i] = sk_flow_index(ft, f);
		rev[id[i]] = i;
	}
	return true;
}

static bool
armed(uint32_t i)
{
	return (ent[id[i]].flags & SK_FF_TIMER) != 0;
}

/* Delays 1..63 shuffled in level 0: one big expire returns them sorted,
 * and one tick at a time returns exactly the one due. */
static void
test_order(uint32_t start)
{
	struct sk_wheel w;
	uint32_t d[63];
	unsigned int n;
	bool sorted = true, exact = true;

	for (unsigned int i = 0; i < 63; i++)
		d[i] = i + 1;
	for (unsigned int i = 62; i > 0; i--) {
		unsigned int j = rnd() % (i + 1);
		uint32_t x = d[i];

		d[i] = d[j];
		d[j] = x;
	}
	sk_wheel_init(&w, ent, start);
	for (unsigned int i = 0; i < 63; i++)
		sk_wheel_arm(&w, id[i], start + d[i]);
	CHECK_EQ(w.count, 63, "63 timers armed (start %u)", start);
	n = sk_wheel_expire(&w, start + 63, out, OUT_MAX);
	CHECK_EQ(n, 63, "one expire over 63 ticks returns all 63");
	for (unsigned int i = 1; i < n; i++)
		if (diff(ent[out[i]].tl.expire, ent[out[i - 1]].tl.expire) <= 0)
			sorted = false;
	CHECK(sorted, "returned in order of expiry");

	for (unsigned int i = 0; i < 63; i++)
		sk_wheel_arm(&w, id[i], start + 63 + d[i]);
	for (uint32_t t = 1; t <= 63; t++) {
		n = sk_wheel_expire(&w, start + 63 + t, out, OUT_MAX);
		if (n != 1 || ent[out[0]].tl.expire != start + 63 + t)
			exact = false;
	}
	CHECK(exact, "tick by tick: each timer alone on its tick");
	CHECK_EQ(w.count, 0, "wheel empty");
}

/* One timer at a time, delays on and around every level's boundaries and
 * beyond the top level, from differently aligned starts: silent one tick
 * before its expiry, out within max(1, delay / 8) after it. */
static void
test_bounds(void)
{
	static const uint32_t starts[] = {
		0, 1, 7, 63, 511, 4095, 0x1fffff, 0x12345678, UINT32_MAX - 3,
	};
	uint32_t delays[256];
	unsigned int nd = 0;
	bool early = false, late = false, extra = false;
	struct sk_wheel w;

	for (unsigned int lvl = 0; lvl <= SK_WHEEL_LEVELS; lvl++) {
		uint32_t span = SK_WHEEL_SLOTS << (lvl * SK_WHEEL_LVL_SHIFT);

		for (int o = -9; o <= 9; o++)
			delays[nd++] = (uint32_t)((int64_t)span + o);
		delays[nd++] = span - span / 64;
		delays[nd++] = span + span / 7;
	}
	delays[nd++] = 1;
	delays[nd++] = 2;
	delays[nd++] = UINT32_C(1) << 30;         /* 12 days: clamped */
	delays[nd++] = (UINT32_C(1) << 31) - 1;   /* the longest allowed */
	for (unsigned int i = 0; i < 20; i++)
		delays[nd++] = 1 + rnd() % (UINT32_C(1) << 28);

	for (unsigned int s = 0; s < RTE_DIM(starts); s++) {
		for (unsigned int i = 0; i < nd; i++) {
			uint32_t d = delays[i], e = starts[s] + d;

			sk_wheel_init(&w, ent, starts[s]);
			sk_wheel_arm(&w, id[0], e);
			if (sk_wheel_expire(&w, e - 1, out, OUT_MAX) != 0) {
				early = true;
				printf("# early: start %u delay %u\n",
					starts[s], d);
			}
			if (sk_wheel_expire(&w, e + late_max(d), out,
					OUT_MAX) != 1) {
				late = true;
				printf("# late: start %u delay %u\n",
					starts[s], d);
			}
			if (sk_wheel_expire(&w, e + 2 * late_max(d) + 64, out,
					OUT_MAX) != 0 ||
					w.count != 0 || armed(0))
				extra = true;
		}
	}
	CHECK(!early, "never early (%u delays x %u starts)", nd,
		(unsigned int)RTE_DIM(starts));
	CHECK(!late, "lateness <= max(1 tick, delay / 8)");
	CHECK(!extra, "fires once, then disarmed");
}

static void
test_cancel_rearm(void)
{
	struct sk_wheel w;
	unsigned int n;

	sk_wheel_init(&w, ent, 1000);
	sk_wheel_arm(&w, id[0], 1010);
	sk_wheel_arm(&w, id[1], 1010);
	sk_wheel_arm(&w, id[2], 5000);
	sk_wheel_cancel(&w, id[0]);
	CHECK(!armed(0) && w.count == 2, "cancel disarms");
	sk_wheel_cancel(&w, id[0]);
	sk_wheel_cancel(&w, id[3]);
	CHECK_EQ(w.count, 2, "cancel of an unarmed entry is a no-op");
	n = sk_wheel_expire(&w, 100000, out, OUT_MAX);
	CHECK(n == 2 && out[0] == id[1] && out[1] == id[2],
		"cancelled timer never fires, the others do");

	sk_wheel_init(&w, ent, 0);
	sk_wheel_arm(&w, id[0], 100);
	sk_wheel_arm(&w, id[0], 10);
	CHECK_EQ(w.count, 1, "re-arm keeps one timer");
	n = sk_wheel_expire(&w, 10, out, OUT_MAX);
	CHECK(n == 1 && out[0] == id[0], "re-armed earlier: fires at the new tick");
	n = sk_wheel_expire(&w, 200, out, OUT_MAX);
	CHECK_EQ(n, 0, "and not again at the old one");

	sk_wheel_arm(&w, id[0], 210);
	sk_wheel_arm(&w, id[0], 5000);
	n = sk_wheel_expire(&w, 4999, out, OUT_MAX);
	CHECK_EQ(n, 0, "re-armed later: silent at the old tick");
	n = sk_wheel_expire(&w, 5000 + late_max(4800), out, OUT_MAX);
	CHECK(n == 1 && out[0] == id[0], "fires at the new one");

	/* cancel from every place a timer can sit: head, middle, tail of a
	 * slot, and the due list */
	sk_wheel_init(&w, ent, 0);
	for (unsigned int i = 0; i < 5; i++)
		sk_wheel_arm(&w, id[i], 30);
	for (unsigned int i = 5; i < 10; i++)
		sk_wheel_arm(&w, id[i], 0);
	sk_wheel_cancel(&w, id[0]);
	sk_wheel_cancel(&w, id[2]);
	sk_wheel_cancel(&w, id[4]);
	sk_wheel_cancel(&w, id[5]);
	sk_wheel_cancel(&w, id[7]);
	sk_wheel_cancel(&w, id[9]);
	n = sk_wheel_expire(&w, 0, out, OUT_MAX);
	CHECK(n == 2 && out[0] == id[6] && out[1] == id[8],
		"due list: survivors in arming order, at the same tick");
	n = sk_wheel_expire(&w, 30, out, OUT_MAX);
	CHECK(n == 2 && ((out[0] == id[1] && out[1] == id[3]) ||
		(out[0] == id[3] && out[1] == id[1])),
		"slot: survivors of cancels at head, middle and tail");
	CHECK_EQ(w.count, 0, "wheel empty");
	CHECK_EQ(w.pending[0], 0, "no pending slot left");

	/* already due when armed */
	sk_wheel_init(&w, ent, 500);
	sk_wheel_arm(&w, id[0], 495);
	sk_wheel_arm(&w, id[1], 500);
	n = sk_wheel_expire(&w, 500, out, OUT_MAX);
	CHECK(n == 2 && out[0] == id[0] && out[1] == id[1],
		"expiry in the past or now fires at the next expire, same tick");
}

/* NT timers armed over the first 1000 ticks, delays 1 ms .. 10 min (half
 * uniform, half log-uniform), some cancelled or re-armed on the way; the
 * clock steps one tick at a time across the 32-bit wrap. */
static void
test_many(uint32_t start)
{
	static uint32_t arm_at[NT], exp_at[NT];
	static uint8_t fired[NT];
	static bool cancelled[NT];
	struct sk_wheel w;
	uint32_t now = start, next = 0;
	unsigned int nfired = 0, ncancel = 0, early = 0, late = 0, twice = 0;
	unsigned int wrong = 0, worst_num = 0, worst_den = 1;
	struct timespec t0, t1;

	memset(fired, 0, sizeof(fired));
	memset(cancelled, 0, sizeof(cancelled));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	sk_wheel_init(&w, ent, now);
	while (nfired + ncancel < NT) {
		unsigned int n;

		now++;
		n = sk_wheel_expire(&w, now, out, OUT_MAX);
		for (unsigned int j = 0; j < n; j++) {
			uint32_t i = rev[out[j]];
			int32_t l;
			uint32_t d;

			if (i >= NT || cancelled[i]) {
				wrong++;
				continue;
			}
			l = diff(now, exp_at[i]);
			d = exp_at[i] - arm_at[i];
			if (fired[i]++)
				twice++;
			if (l < 0)
				early++;
			else if ((uint32_t)l > late_max(d))
				late++;
			else if ((uint64_t)l * worst_den >
					(uint64_t)worst_num * d) {
				worst_num = (unsigned int)l;
				worst_den = d;
			}
			nfired++;
		}
		/* arm 100 a tick for the first 1000 ticks */
		for (unsigned int j = 0; j < 100 && next < NT; j++, next++) {
			uint32_t d = (next & 1) ? 1 + rnd() % TEN_MIN :
				RTE_MIN(TEN_MIN, 1u << (rnd() % 20)) +
				rnd() % 8;

			arm_at[next] = now;
			exp_at[next] = now + d;
			sk_wheel_arm(&w, id[next], exp_at[next]);
		}
		/* now and then cancel or move an armed timer */
		if (next > 0 && (now & 15) == 0 &&
				diff(now, start) < (int32_t)TEN_MIN) {
			uint32_t i = rnd() % next;

			if (!fired[i] && !cancelled[i]) {
				if (rnd() & 1) {
					sk_wheel_cancel(&w, id[i]);
					cancelled[i] = true;
					ncancel++;
				} else {
					uint32_t d = 1 + rnd() % TEN_MIN;

					arm_at[i] = now;
					exp_at[i] = now + d;
					sk_wheel_arm(&w, id[i], exp_at[i]);
				}
			}
		}
		if (diff(now, start) > (int32_t)(3 * TEN_MIN))  /* a bug */
			break;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# ran from tick %u to %u (%u ticks, across the wrap)\n",
		start, now, now - start);
	CHECK_EQ(nfired + ncancel, NT, "every timer fired or was cancelled "
		"(%u fired, %u cancelled)", nfired, ncancel);
	CHECK_EQ(twice, 0, "none fired twice");
	CHECK_EQ(wrong, 0, "no cancelled timer fired");
	CHECK_EQ(early, 0, "none early");
	CHECK_EQ(late, 0, "none later than max(1, delay / 8)");
	CHECK_EQ(w.count, 0, "wheel empty at the end");
	printf("# worst lateness %u ticks on a delay of %u (%.2f%%), %.0f ms\n",
		worst_num, worst_den, 100.0 * worst_num / worst_den,
		(t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
}

/* The poll loop stalls: now jumps by hours in one call. */
static void
test_jump(void)
{
	struct sk_wheel w;
	uint32_t d[448];
	unsigned int n;
	bool sorted = true;
	struct timespec t0, t1;
	double ms;

	/* k * 8^L (k = 1..63, not a multiple of 8, L = 0..7): every level
	 * holds them exactly, so they come out on their tick, sorted */
	n = 0;
	for (unsigned int lvl = 0; lvl < SK_WHEEL_LEVELS; lvl++)
		for (uint32_t k = 1; k < 64; k++)
			if (k % 8 != 0)
				d[n++] = k << (3 * lvl);
	for (unsigned int i = RTE_DIM(d) - 1; i > 0; i--) {
		unsigned int j = rnd() % (i + 1);
		uint32_t x = d[i];

		d[i] = d[j];
		d[j] = x;
	}
	sk_wheel_init(&w, ent, 0);
	for (unsigned int i = 0; i < RTE_DIM(d); i++)
		sk_wheel_arm(&w, id[i], d[i]);
	n = sk_wheel_expire(&w, (63u << 21) - 1, out, OUT_MAX);
	CHECK_EQ(n, RTE_DIM(d) - 1,
		"jump of 36 h: all but the last (63 * 8^7 ms), none early");
	for (unsigned int i = 1; i < n; i++)
		if (ent[out[i]].tl.expire <= ent[out[i - 1]].tl.expire)
			sorted = false;
	CHECK(sorted, "in order of expiry");
	CHECK_EQ(w.now, (63u << 21) - 1, "now advanced to the jump");
	n = sk_wheel_expire(&w, 63u << 21, out, OUT_MAX);
	CHECK_EQ(n, 1, "the last on its tick");

	/* random delays up to 10 s, then 60 s in one call */
	sk_wheel_init(&w, ent, 12345);
	for (unsigned int i = 0; i < 1000; i++)
		sk_wheel_arm(&w, id[i], 12345 + 1 + rnd() % 10000);
	n = sk_wheel_expire(&w, 12345 + 60000, out, OUT_MAX);
	CHECK_EQ(n, 1000, "jump of 60 s returns all 1000");
	CHECK_EQ(w.now, 12345 + 60000, "now at the jump's end");

	/* a jump of 12 days over a sparse wheel must not walk every tick;
	 * the 12-day timer is beyond the top level (clamped, re-placed) */
	sk_wheel_init(&w, ent, 0);
	sk_wheel_arm(&w, id[0], 5);
	sk_wheel_arm(&w, id[1], 3600 * 1000);
	sk_wheel_arm(&w, id[2], UINT32_C(1) << 30);
	n = sk_wheel_expire(&w, (UINT32_C(1) << 30) - 1, out, OUT_MAX);
	CHECK(n == 2 && out[0] == id[0] && out[1] == id[1],
		"12-day timer silent a tick before it is due");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	n = sk_wheel_expire(&w, (UINT32_C(1) << 30) + (UINT32_C(1) << 27),
		out, OUT_MAX) + n;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	CHECK(n == 3 && out[0] == id[2],
		"... and out within 1/8 of its delay");
	CHECK(ms < 100, "... in %.3f ms (skips empty slots)", ms);
	n = sk_wheel_expire(&w, (UINT32_C(1) << 31) + 12345, out, OUT_MAX);
	CHECK(n == 0 && w.now == (UINT32_C(1) << 31) + 12345,
		"empty wheel: now jumps straight");
}

/* Timers on both sides of the 32-bit wrap. */
static void
test_wrap(void)
{
	struct sk_wheel w;
	uint32_t start = UINT32_MAX - 5000;
	uint32_t now = start;
	unsigned int nfired = 0, bad = 0;

	sk_wheel_init(&w, ent, start);
	for (unsigned int i = 0; i < 1000; i++)
		sk_wheel_arm(&w, id[i], start + 1 + (uint32_t)i * 10);
	while (nfired < 1000 && diff(now, start) < 20000) {
		unsigned int n;

		now += 1 + rnd() % 3;
		n = sk_wheel_expire(&w, now, out, OUT_MAX);
		for (unsigned int j = 0; j < n; j++) {
			uint32_t e = ent[out[j]].tl.expire;

			if (diff(now, e) < 0 || (uint32_t)diff(now, e) >
					late_max(e - start) + 2)
				bad++;
		}
		nfired += n;
	}
	CHECK_EQ(nfired, 1000, "all 1000 fire across the wrap");
	CHECK_EQ(bad, 0, "none early or late across the wrap");
	CHECK(diff(w.now, start) > 0 && w.now < start, "now wrapped (%u)",
		w.now);
}

/* max bounds one call; the rest stay armed for the next. */
static void
test_max(void)
{
	struct sk_wheel w;
	uint8_t seen[150] = {0};
	unsigned int n, total = 0, calls = 0, dup = 0;
	bool first_all_before = true;
	uint32_t tick_of_last_a = 0;

	sk_wheel_init(&w, ent, 0);
	for (unsigned int i = 0; i < 100; i++)
		sk_wheel_arm(&w, id[i], 40);
	for (unsigned int i = 100; i < 150; i++)
		sk_wheel_arm(&w, id[i], 41 + i % 2 * 4000);
	n = sk_wheel_expire(&w, 100, out, 0);
	CHECK(n == 0 && w.count == 150, "max 0: nothing taken, nothing lost");
	n = sk_wheel_expire(&w, 100, out, 30);
	CHECK_EQ(n, 30, "max 30: 30 returned");
	CHECK_EQ(w.count, 120, "the rest still armed");
	do {
		for (unsigned int j = 0; j < n; j++) {
			uint32_t i = rev[out[j]];

			if (i >= 150 || seen[i]++)
				dup++;
			else if (i < 100)
				tick_of_last_a = total + j;
			else if (total + j < 100)
				first_all_before = false;
		}
		total += n;
		calls++;
		n = sk_wheel_expire(&w, 5000, out, 30);
	} while (n > 0);
	CHECK_EQ(total, 150, "all 150 come out over %u calls", calls);
	CHECK_EQ(dup, 0, "each once");
	CHECK(first_all_before && tick_of_last_a == 99,
		"the 100 of tick 40 before those of later ticks");
	CHECK_EQ(calls, 5, "30 a call");
}

int
main(void)
{
	if (!setup()) {
		CHECK(0, "set up %u entries", NT);
		return sk_test_done();
	}
	test_order(0);
	test_order(UINT32_MAX - 30);
	test_bounds();
	test_cancel_rearm();
	test_jump();
	test_wrap();
	test_max();
	test_many(UINT32_MAX - 200000);
	sk_flow_table_free(ft);
	free(rev);
	return sk_test_done();
}

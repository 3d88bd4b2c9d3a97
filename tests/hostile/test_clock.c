/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The clock stepped back and forward (issue 15, docs/robustness.md "Faults
 * and soak"). synackd takes its wall clock once at start (main.c:
 * wall_ms_at_zero) and then counts TSC ticks, so a step of the host's
 * clock reaches an engine only through a new engine (a restart, another
 * synackd sharing the secret); inside the library, time is whatever the
 * caller passes. Both are driven here on a fake clock:
 *
 *  1. sk_cookie_tick() with the seconds jumping back and forward at random
 *     (days, epochs, grace periods): after every tick the context must be
 *     exactly what sk_cookie_init() builds for that second (keys, previous
 *     key, its grace end): docs/cookies.md "a context's keys depend only on
 *     the secret, the settings and the current second".
 *  2. Cookies made before a step, checked after it, as docs/cookies.md
 *     "Clock steps" says: a step back inside the same 64 s unit and epoch
 *     still validates; back into an earlier unit is refused as BAD_MAC (the
 *     cookie looks as if it came from the future); forward within max_age
 *     validates (previous key while in grace); forward past max_age is
 *     TOO_OLD, past 16 units BAD_MAC; stepping back to the original second
 *     validates again; cookies made after a step validate at once.
 *  3. The same through two engines sharing the secret (synackd restarted
 *     after the host clock stepped): refusals are counted (cookie_too_old,
 *     cookie_bad_mac, tx_rst_bad_cookie), no flow, and new handshakes on the
 *     stepped engine complete at once.
 *  4. Timers (the idle abort) with the engine's now jumping: forward, every
 *     due timer fires at once and none before its delay; backward, a timer
 *     armed before the step does not fire early and does fire; a timer
 *     armed after a backward step does not fire before its delay either
 *     (the engine's now never goes back).
 */

#include <string.h>

#include <rte_mbuf.h>

#include "sk_common.h"
#include "sk_config.h"
#include "sk_cookie.h"
#include "sk_engine.h"
#include "sk_flow.h"
#include "sk_frames.h"
#include "sk_stats.h"
#include "sk_test.h"

#define ENGINE_IP 0xc6120002u
#define PEER_IP   0xc6120001u
#define NS_PER_MS 1000000ull
#define SEC_NS 1000000000ull  /* the fake TSC runs at 1 GHz */
#define ROTATE_S 192    /* = the grace period: the previous key always held */
#define MAX_AGE_S 128   /* 2 units of 64 s */
#define F(x) RTE_TCP_ ## x ## _FLAG

static struct rte_mempool *pool;
static const uint8_t secret[16] = { 0xc1, 0x0c, 0x57, 0xe9, 1, 2, 3, 4 };
/* an epoch boundary, also a 64 s unit boundary (192 = 3 * 64) */
static const uint32_t boundary_s = (1700000000u / ROTATE_S + 1) * ROTATE_S;

/* -- 1. the key state after jumps --------------------------------------- */

static bool
ctx_equal(const struct sk_cookie_ctx *a, const struct sk_cookie_ctx *b)
{
	return a->epoch == b->epoch && a->have_prev == b->have_prev &&
		memcmp(a->key[0], b->key[0], sizeof(a->key[0])) == 0 &&
		(!a->have_prev || (memcmp(a->key[1], b->key[1],
			sizeof(a->key[1])) == 0 &&
			a->prev_until_s == b->prev_until_s));
}

static void
test_key_state(uint32_t rotate_s)
{
	struct sk_cookie_ctx c, fresh;
	uint32_t now = boundary_s - 5, rnd = 99 + rotate_s;
	unsigned int bad = 0, back = 0, fwd = 0, prev_seen = 0;

	CHECK_EQ(sk_cookie_init(&c, secret, rotate_s, MAX_AGE_S, now), 0,
		"cookie context, rotation %u s, at boundary - 5 s", rotate_s);
	for (unsigned int i = 0; i < 20000; i++) {
		int32_t step;

		rnd = rnd * 1103515245u + 12345u;
		switch (rnd >> 29) {
		case 0: /* a big step: up to +-3 days */
			step = (int32_t)((rnd >> 3) % 518400) - 259200;
			break;
		case 1: /* a step back or forward of a few epochs */
			step = (int32_t)((rnd >> 3) % 2000) - 1000;
			break;
		default: /* a second, or a few */
			step = (int32_t)((rnd >> 3) % 5);
			break;
		}
		now += (uint32_t)step;
		if (step < 0)
			back++;
		else if (step > 1)
			fwd++;
		sk_cookie_tick(&c, now);
		sk_cookie_init(&fresh, secret, rotate_s, MAX_AGE_S, now);
		prev_seen += c.have_prev;
		if (!ctx_equal(&c, &fresh)) {
			if (bad++ < 5)
				printf("# after a step of %+d s to %u: epoch %u "
					"(fresh %u), prev %d (fresh %d)\n", step,
					now, c.epoch, fresh.epoch, c.have_prev,
					fresh.have_prev);
		}
	}
	printf("# rotation %u s: 20000 ticks, %u steps back, %u forward, "
		"previous key held at %u of them\n", rotate_s, back, fwd,
		prev_seen);
	CHECK_EQ(bad, 0, "rotation %u s: after every step the keys are those "
		"of a context started at that second", rotate_s);
	CHECK(back > 1000 && fwd > 1000 && prev_seen > 100 &&
		(rotate_s == ROTATE_S || prev_seen < 19000),
		"the steps covered back, forward, in and out of grace periods");
}

/* -- 2. cookies across a step, on the context ---------------------------- */

static const struct sk_cookie_tuple tup = {
	.saddr = RTE_BE32(PEER_IP), .daddr = RTE_BE32(ENGINE_IP),
	.sport = RTE_BE16(40000), .dport = RTE_BE16(8080),
};

/* A cookie made at @p made_s, checked at @p check_s on a context that
 * ticked from made_s to check_s in one step. */
static enum sk_cookie_result
across(uint32_t made_s, uint32_t check_s)
{
	struct sk_cookie_ctx c;
	uint32_t ts_off, ts2;
	unsigned int mss;
	uint32_t ck;
	enum sk_cookie_result r;

	sk_cookie_init(&c, secret, ROTATE_S, MAX_AGE_S, made_s);
	ck = sk_cookie_make(&c, &tup, 12345, 3, made_s, &ts_off);
	sk_cookie_tick(&c, check_s);
	r = sk_cookie_check(&c, &tup, 12345, ck, check_s, &mss, &ts2);
	if (r == SK_COOKIE_OK && (mss != 3 || ts2 != ts_off))
		return (enum sk_cookie_result)99;
	return r;
}

static void
test_cookie_steps(void)
{
	/* made 40 s into an epoch (and into its first 64 s unit) */
	uint32_t m = boundary_s + 40;
	struct sk_cookie_ctx c;
	uint32_t ck, ts_off;
	unsigned int mss;

	CHECK_EQ(across(m, m - 30), SK_COOKIE_OK,
		"step back 30 s inside the same unit and epoch: accepted");
	CHECK_EQ(across(m, m - 60), SK_COOKIE_BAD_MAC,
		"step back 60 s into the previous unit and epoch: BAD_MAC "
		"(from the future)");
	CHECK_EQ(across(m, m - 3600), SK_COOKIE_BAD_MAC,
		"step back one hour: BAD_MAC");
	CHECK_EQ(across(m, m + 100), SK_COOKIE_OK,
		"step forward 100 s (within max_age): accepted");
	CHECK_EQ(across(boundary_s - 10, boundary_s + 100), SK_COOKIE_OK,
		"made 10 s before a rotation, step forward 110 s across it: "
		"accepted with the previous key");
	CHECK_EQ(across(m, m + 3 * 64), SK_COOKIE_TOO_OLD,
		"step forward 3 units (past max_age): TOO_OLD");
	CHECK_EQ(across(boundary_s + 1, boundary_s + 1 + 10 * 64),
		SK_COOKIE_BAD_MAC, "step forward 10 units, across the next "
		"rotation and past its grace: BAD_MAC (the key is gone)");
	CHECK_EQ(across(m, m + 20 * 64), SK_COOKIE_BAD_MAC,
		"step forward 20 units (past the 4 time bits): BAD_MAC");

	/* back one hour, then forward to where it was: accepted again */
	sk_cookie_init(&c, secret, ROTATE_S, MAX_AGE_S, m);
	ck = sk_cookie_make(&c, &tup, 777, 1, m, &ts_off);
	sk_cookie_tick(&c, m - 3600);
	CHECK_EQ(sk_cookie_check(&c, &tup, 777, ck, m - 3600, &mss, &ts_off),
		SK_COOKIE_BAD_MAC, "an hour back: refused");
	sk_cookie_tick(&c, m + 5);
	CHECK_EQ(sk_cookie_check(&c, &tup, 777, ck, m + 5, &mss, &ts_off),
		SK_COOKIE_OK, "and forward again to 5 s after it was made: "
		"accepted");
	/* after any step, a cookie made then validates then */
	for (int32_t step = -86400; step <= 86400; step += 3607) {
		uint32_t t = m + (uint32_t)step, c2;

		sk_cookie_tick(&c, t);
		c2 = sk_cookie_make(&c, &tup, 888, 2, t, &ts_off);
		if (sk_cookie_check(&c, &tup, 888, c2, t + 1, &mss,
				&ts_off) != SK_COOKIE_OK) {
			CHECK(0, "cookie made after a step of %+d s refused",
				step);
			return;
		}
	}
	CHECK(1, "cookies made after each of 48 steps (-1 d .. +1 d) are "
		"accepted at once");
}

/* -- 3 and 4: engines ---------------------------------------------------- */

static struct sk_engine *
engine_at(uint64_t wall_ms_at_zero, uint32_t idle_ms)
{
	struct sk_config c;
	struct sk_engine_params p = { 0 };
	struct sk_engine *e;

	sk_config_defaults(&c);
	c.n_addrs = 1;
	c.addrs[0].addr = rte_cpu_to_be_32(ENGINE_IP);
	c.addrs[0].prefix = 24;
	c.n_listen = 1;
	c.listen[0] = (struct sk_config_listen){ 9, SK_APP_HOLD };
	c.flow_capacity = 1024;
	c.time_wait_ms = 1000;
	c.idle_ms = idle_ms;
	c.cookie_rotate_s = ROTATE_S;
	c.cookie_max_age_s = MAX_AGE_S;
	c.secret_set = true;
	memcpy(c.secret, secret, sizeof(secret));
	p.mac = skt_engine_mac;
	p.socket_id = SOCKET_ID_ANY;
	p.pool = pool;
	p.tsc_hz = SEC_NS;
	p.wall_ms_at_zero = wall_ms_at_zero;
	e = sk_engine_create(&c, &p, 0);
	if (e == NULL) {
		printf("Bail out! engine create failed\n");
		exit(1);
	}
	return e;
}

static uint16_t
xmit(struct sk_engine *e, uint64_t now, const struct skt_frame *f,
		struct skt_resp *r)
{
	struct rte_mbuf *m = skt_build(pool, f), *tx[4];
	uint16_t n;

	if (m == NULL) {
		printf("Bail out! mbuf pool empty\n");
		exit(1);
	}
	n = sk_engine_input(e, &m, 1, tx, now);
	for (uint16_t i = 0; i < n; i++) {
		if (i == 0 && r != NULL)
			skt_read(tx[i], r);
		rte_pktmbuf_free(tx[i]);
	}
	return n;
}

/* Timers at @p now; returns how many segments they sent. */
static unsigned int
timers(struct sk_engine *e, uint64_t now)
{
	struct rte_mbuf *tx[SK_BURST_MAX];
	unsigned int total = 0;
	uint16_t n;

	do {
		n = sk_engine_timers(e, now, tx, SK_BURST_MAX);
		rte_pktmbuf_free_bulk(tx, n);
		total += n;
	} while (n == SK_BURST_MAX);
	return total;
}

/* SYN to @p e; the cookie, or 0 with *ok false. */
static uint32_t
syn(struct sk_engine *e, uint64_t now, uint16_t sport, uint32_t isn,
		bool *ok)
{
	struct skt_frame f = {
		.saddr = PEER_IP, .daddr = ENGINE_IP, .sport = sport,
		.dport = 9, .seq = isn, .flags = F(SYN),
	};
	struct skt_resp r;

	*ok = xmit(e, now, &f, &r) == 1 && r.flags == (F(SYN) | F(ACK)) &&
		r.ack == isn + 1;
	return r.seq;
}

/* The completing ACK: true when accepted silently (a flow made). */
static bool
ack(struct sk_engine *e, uint64_t now, uint16_t sport, uint32_t isn,
		uint32_t cookie, struct skt_resp *r)
{
	struct skt_frame f = {
		.saddr = PEER_IP, .daddr = ENGINE_IP, .sport = sport,
		.dport = 9, .seq = isn + 1, .ack = cookie + 1, .flags = F(ACK),
	};

	return xmit(e, now, &f, r) == 0;
}

/* SYN on engine A (wall clock right), ACK on engine B sharing the secret,
 * started after the host clock was stepped by @p step_s. */
static void
test_engines_stepped(void)
{
	/* A has run 10 minutes; the SYN at boundary + 40 s */
	uint64_t zero_a = ((uint64_t)boundary_s - 600) * 1000;
	uint64_t syn_now = 640 * SEC_NS;
	static const struct {
		int32_t step_s;       /* B's clock - A's at the ACK */
		uint32_t after_ms;    /* ACK this long after the SYN (true) */
		int want;             /* 0 ok, 1 bad_mac, 2 too_old */
		const char *what;
	} cases[] = {
		{ -20, 2000, 0, "clock 20 s back (same unit): accepted" },
		{ -3600, 2000, 1, "clock an hour back: BAD_MAC, RST" },
		{ 150, 0, 0, "clock 150 s forward (within max_age): accepted" },
		{ 200, 0, 2, "clock 200 s forward (past max_age, previous "
			"key still held): TOO_OLD, RST" },
		{ 3600, 0, 1, "clock an hour forward (the key is gone): "
			"BAD_MAC, RST" },
	};

	for (unsigned int i = 0; i < RTE_DIM(cases); i++) {
		struct sk_engine *a = engine_at(zero_a, 1000);
		/* B's wall at its now 0 = A's wall at the ACK + step */
		uint64_t ack_wall_ms = zero_a + syn_now / NS_PER_MS +
			cases[i].after_ms;
		struct sk_engine *b = engine_at((uint64_t)((int64_t)ack_wall_ms +
			(int64_t)cases[i].step_s * 1000), 1000);
		const struct sk_stats *st = sk_engine_stats(b);
		struct skt_resp r;
		uint32_t ck, ck2;
		bool ok, acc;

		ck = syn(a, syn_now, (uint16_t)(41000 + i), 1000 + i, &ok);
		acc = ack(b, 0, (uint16_t)(41000 + i), 1000 + i, ck, &r);
		switch (cases[i].want) {
		case 0:
			CHECK(ok && acc && st->cookie_ok == 1 &&
				st->flow_created == 1, "%s", cases[i].what);
			break;
		default:
			CHECK(ok && !acc && (r.flags & F(RST)) &&
				r.seq == ck + 1 && st->flow_created == 0 &&
				st->tx_rst_bad_cookie == 1 &&
				(cases[i].want == 1 ? st->cookie_bad_mac :
				st->cookie_too_old) == 1,
				"%s (bad_mac %" PRIu64 ", too_old %" PRIu64
				", rst %" PRIu64 ", flows %" PRIu64 ")",
				cases[i].what, st->cookie_bad_mac,
				st->cookie_too_old, st->tx_rst_bad_cookie,
				st->flow_created);
			break;
		}
		/* the stepped engine serves new handshakes at once */
		ck2 = syn(b, SEC_NS, (uint16_t)(42000 + i), 5000 + i, &ok);
		CHECK(ok && ack(b, 2 * SEC_NS, (uint16_t)(42000 + i),
			5000 + i, ck2, &r), "a new handshake on the stepped "
			"engine completes");
		timers(a, 3600 * SEC_NS);
		timers(b, 3600 * SEC_NS);
		CHECK_EQ(sk_flow_count(sk_engine_flows(b)), 0,
			"the stepped engine's flows end (idle abort)");
		sk_engine_free(a);
		sk_engine_free(b);
	}
}

/* Open a hold flow at @p now; true when made. The timers run first, as
 * synackd's poll loop runs them every millisecond: the wheel's now is then
 * the engine's (a timer is placed relative to the wheel's now). */
static bool
open_flow(struct sk_engine *e, uint64_t now, uint16_t sport)
{
	struct skt_resp r;
	bool ok;
	uint32_t ck;

	timers(e, now);
	ck = syn(e, now, sport, sport * 7u, &ok);

	return ok && ack(e, now, sport, sport * 7u, ck, &r);
}

/* The idle abort (5 s) with the engine's now stepping. */
static void
test_timers_stepped(void)
{
	const uint64_t idle = 5000, late = idle + idle / 8 + 1;
	struct sk_engine *e = engine_at((uint64_t)boundary_s * 1000, idle);
	const struct sk_stats *st = sk_engine_stats(e);
	struct sk_flow_table *ft = sk_engine_flows(e);
	uint64_t t = 100 * SEC_NS;

	/* a. steady: not before 5 s, by 5 s + 1/8 (sk_timer.h: a timer
	 * fires at most 1/8 of its delay late, never early) */
	CHECK(open_flow(e, t, 50001), "flow a opened");
	timers(e, t + (idle - 10) * NS_PER_MS);
	CHECK_EQ(st->close_idle, 0, "a: not aborted 10 ms before its 5 s");
	timers(e, t + late * NS_PER_MS);
	CHECK_EQ(st->close_idle, 1, "a: aborted by 5 s + 1/8");

	/* b. forward one hour: every due timer fires at once */
	t = 200 * SEC_NS;
	for (uint16_t i = 0; i < 10; i++)
		open_flow(e, t + i * NS_PER_MS, (uint16_t)(50100 + i));
	timers(e, t + 1000 * NS_PER_MS);
	CHECK_EQ(st->close_idle, 1, "b: none of 10 aborted after 1 s");
	timers(e, t + 3600 * SEC_NS);
	CHECK_EQ(st->close_idle, 11, "b: a step of one hour forward: all 10 "
		"aborted at once");
	CHECK_EQ(sk_flow_count(ft), 0, "b: no flow left");

	/* c. back 60 s with a flow armed before the step: not early, fires */
	t = 4000 * SEC_NS;
	CHECK(open_flow(e, t, 50200), "flow c opened");
	timers(e, t + 2000 * NS_PER_MS);
	timers(e, t - 60 * SEC_NS);    /* the step back */
	CHECK_EQ(st->close_idle, 11, "c: not aborted by a step back");
	timers(e, t - 60 * SEC_NS + late * NS_PER_MS);
	CHECK_EQ(st->close_idle, 11, "c: not aborted 5 s after the step "
		"back (its 5 s counted on the clock it was armed on are not "
		"over)");
	timers(e, t + late * NS_PER_MS);
	CHECK_EQ(st->close_idle, 12, "c: aborted once the clock passes its "
		"expiry again");

	/* d. a flow opened after a step back: its 5 s from its own start */
	t = 5000 * SEC_NS;
	timers(e, t);                    /* the wheel at t */
	CHECK(open_flow(e, t - 30 * SEC_NS, 50300),
		"flow d opened 30 s after a step back");
	timers(e, t - 30 * SEC_NS + 1000 * NS_PER_MS);
	/* The wheel keeps the highest tick it processed; a timer armed on a
	 * clock stepped back below it would expire "in the past": the
	 * engine's now is clamped to never go back (sk_engine_clock). */
	CHECK(st->close_idle == 12, "d: not aborted 1 s after it opened, on "
		"a clock stepped back (close_idle %" PRIu64 ", 12 expected)",
		st->close_idle);
	/* fires at the latest 5 s + 1/8 after the highest clock seen (with
	 * now clamped, the clock stands still until it passes t again) */
	timers(e, t + late * NS_PER_MS);
	CHECK_EQ(st->close_idle, 13, "d: aborted once the clock is 5 s + 1/8 "
		"past the highest time seen");
	timers(e, t + 3600 * SEC_NS);
	CHECK_EQ(sk_flow_count(ft), 0, "no flow left");
	sk_engine_free(e);
}

int
main(void)
{
	unsigned int avail;

	pool = skt_eal("test_clock");
	avail = rte_mempool_avail_count(pool);
	test_key_state(ROTATE_S);
	test_key_state(600);
	test_cookie_steps();
	test_engines_stepped();
	test_timers_stepped();
	CHECK_EQ(rte_mempool_avail_count(pool), avail, "no mbuf leaked");
	skt_eal_done();
	return sk_test_done();
}

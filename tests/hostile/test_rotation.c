/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cookie key rotation under a steady handshake load, on a fake clock (the
 * 192 s rotation of `--cookie-rotate 192s --cookie-max-age 128s` cannot be
 * waited out in a test): the wall clock starts 20 s before an epoch
 * boundary; every 25 ms a new client sends a SYN, and each completes its
 * handshake 0 to 4 s later, so hundreds of handshakes have their SYN
 * before the boundary and their ACK after it. Every one must be accepted
 * (cookie_ok, a flow, and the hello responder's reply on it). Then: the
 * same across a boundary with the ACK going to a second engine sharing
 * the secret (another worker, or an engine restarted after the rotation),
 * the previous key's grace period end, and a control that a cookie past
 * its age is refused, so the test can fail.
 */

#include <string.h>

#include <rte_mbuf.h>

#include "sk_common.h"
#include "sk_config.h"
#include "sk_engine.h"
#include "sk_flow.h"
#include "sk_frames.h"
#include "sk_stats.h"
#include "sk_test.h"

#define ENGINE_IP 0xc6120002u
#define PEER_IP   0xc6120001u
#define NS_PER_MS 1000000ull
#define ROTATE_S 192
#define MAX_AGE_S 128
#define F(x) RTE_TCP_ ## x ## _FLAG

static struct rte_mempool *pool;
/* an epoch boundary: a multiple of ROTATE_S, in seconds */
static const uint64_t boundary_s = (1700000000ull / ROTATE_S + 1) * ROTATE_S;

struct eng {
	struct sk_engine *e;
	uint64_t zero_ms;  /* wall clock at now == 0 */
};

static struct sk_engine *
engine_at(uint64_t wall_ms_at_zero)
{
	struct sk_config c;
	struct sk_engine_params p = { 0 };
	static const uint8_t secret[16] = { 0x70, 0x7a, 0x7e, 9, 8, 7 };
	struct sk_engine *e;

	sk_config_defaults(&c);
	c.n_addrs = 1;
	c.addrs[0].addr = rte_cpu_to_be_32(ENGINE_IP);
	c.addrs[0].prefix = 24;
	c.n_listen = 1;
	c.listen[0] = (struct sk_config_listen){ 8080, SK_APP_HELLO };
	c.flow_capacity = 4096;
	c.time_wait_ms = 1000;
	c.cookie_rotate_s = ROTATE_S;
	c.cookie_max_age_s = MAX_AGE_S;
	c.secret_set = true;
	memcpy(c.secret, secret, sizeof(secret));
	p.mac = skt_engine_mac;
	p.socket_id = SOCKET_ID_ANY;
	p.pool = pool;
	p.tsc_hz = 1000000000ull;
	p.wall_ms_at_zero = wall_ms_at_zero;
	e = sk_engine_create(&c, &p, 0);
	if (e == NULL) {
		printf("Bail out! engine create failed\n");
		exit(1);
	}
	return e;
}

/* One segment in; the response (if any) read into r. */
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

static void
timers(struct sk_engine *e, uint64_t now)
{
	struct rte_mbuf *tx[SK_BURST_MAX];
	uint16_t n;

	do {
		n = sk_engine_timers(e, now, tx, SK_BURST_MAX);
		rte_pktmbuf_free_bulk(tx, n);
	} while (n == SK_BURST_MAX);
}

struct client {
	uint16_t sport;
	uint32_t isn, cookie, tsval, tsecr;
	uint64_t ack_at;   /* fake ns at which it sends the ACK */
	bool synced, done;
};

static const uint8_t syn_opts[20] = {
	2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 3, 7,
};

/* SYN from @p c to @p e at @p now; false if not answered by a SYN-ACK. */
static bool
send_syn(struct sk_engine *e, uint64_t now, struct client *c)
{
	uint8_t o[20];
	struct skt_frame f = {
		.saddr = PEER_IP, .daddr = ENGINE_IP, .sport = c->sport,
		.dport = 8080, .seq = c->isn, .flags = F(SYN),
		.opts = o, .optlen = sizeof(o),
	};
	struct skt_resp r;

	memcpy(o, syn_opts, sizeof(o));
	*(uint32_t *)&o[8] = rte_cpu_to_be_32(c->tsval);
	if (xmit(e, now, &f, &r) != 1 || r.flags != (F(SYN) | F(ACK)) ||
			r.ack != c->isn + 1)
		return false;
	c->cookie = r.seq;
	c->tsecr = r.tsval;
	c->synced = true;
	return true;
}

/* The ACK completing @p c's handshake, then "Hello Server\n": true when
 * the flow was created silently and the reply came on it. */
static bool
complete(struct sk_engine *e, uint64_t now, struct client *c)
{
	uint8_t o[12] = { 1, 1, 8, 10 };
	struct skt_frame f = {
		.saddr = PEER_IP, .daddr = ENGINE_IP, .sport = c->sport,
		.dport = 8080, .seq = c->isn + 1, .ack = c->cookie + 1,
		.flags = F(ACK), .opts = o, .optlen = sizeof(o),
	};
	struct skt_resp r;

	*(uint32_t *)&o[4] = rte_cpu_to_be_32(++c->tsval);
	*(uint32_t *)&o[8] = rte_cpu_to_be_32(c->tsecr);
	if (xmit(e, now, &f, &r) != 0)
		return false;
	f.flags = F(ACK) | F(PSH);
	f.data = "Hello Server\n";
	f.len = 13;
	*(uint32_t *)&o[4] = rte_cpu_to_be_32(++c->tsval);
	if (xmit(e, now, &f, &r) != 1)
		return false;
	c->done = true;
	return r.len == 13 && memcmp(r.data, "Hello Client\n", 13) == 0 &&
		r.ack == c->isn + 1 + 13 && r.seq == c->cookie + 1;
}

/* Steady load across the boundary on one engine. */
static void
test_steady_load(void)
{
	/* the engine has run for a while: started 10 minutes before */
	uint64_t zero_ms = (boundary_s - 600) * 1000;
	struct sk_engine *e = engine_at(zero_ms);
	const struct sk_stats *st = sk_engine_stats(e);
	static struct client cl[1600];
	unsigned int n = 0, ok = 0, across = 0, fail_syn = 0, fail_ack = 0;
	uint64_t t0 = (600 - 20) * 1000 * NS_PER_MS;   /* boundary - 20 s */
	uint64_t t_end = (600 + 20) * 1000 * NS_PER_MS; /* boundary + 20 s */
	uint64_t b = 600 * 1000 * NS_PER_MS;
	uint32_t rnd = 12345;

	for (uint64_t now = t0; now < t_end + 5000 * NS_PER_MS;
			now += 25 * NS_PER_MS) {
		timers(e, now);
		if (now < t_end && n < RTE_DIM(cl)) {
			struct client *c = &cl[n];

			rnd = rnd * 1103515245u + 12345u;
			c->sport = (uint16_t)(10000 + n);
			c->isn = rnd;
			c->tsval = rnd >> 7;
			/* ACK 0 to 4 s after the SYN */
			c->ack_at = now + (uint64_t)(rnd >> 16) % 4000 *
				NS_PER_MS;
			if (!send_syn(e, now, c))
				fail_syn++;
			n++;
		}
		for (unsigned int i = 0; i < n; i++) {
			struct client *c = &cl[i];

			if (!c->synced || c->done || now < c->ack_at)
				continue;
			if (complete(e, now, c))
				ok++;
			else
				fail_ack++;
			c->done = true;
		}
	}
	for (unsigned int i = 0; i < n; i++) {
		/* SYN before the boundary, ACK after */
		uint64_t syn_at = t0 + (uint64_t)i * 25 * NS_PER_MS;

		if (syn_at < b && cl[i].ack_at >= b)
			across++;
	}
	printf("# %u handshakes, %u with the SYN before the rotation and the "
		"ACK after, %u ok\n", n, across, ok);
	CHECK_EQ(fail_syn, 0, "every SYN answered with a SYN-ACK");
	CHECK_EQ(fail_ack, 0, "no handshake failed across the rotation");
	CHECK_EQ(ok, n, "all %u handshakes completed and answered", n);
	CHECK(across >= 50, "%u handshakes straddle the boundary", across);
	CHECK_EQ(st->cookie_ok, n, "cookie_ok");
	CHECK_EQ(st->cookie_bad_mac + st->cookie_too_old, 0,
		"no cookie refused");
	CHECK_EQ(st->flow_created, n, "a flow per handshake");
	timers(e, t_end + 600000 * NS_PER_MS);
	sk_engine_free(e);
}

/* SYN on engine A before the boundary, ACK on engine B after it: B shares
 * the secret and the wall clock (another worker, or synackd restarted
 * after the rotation), and keeps the previous key for its grace period. */
static void
test_two_engines(void)
{
	uint64_t zero_a = (boundary_s - 600) * 1000;
	/* B starts 1 s after the boundary */
	uint64_t zero_b = (boundary_s + 1) * 1000;
	struct sk_engine *a = engine_at(zero_a);
	struct sk_engine *bb = engine_at(zero_b);
	uint64_t syn_now = (600 - 2) * 1000 * NS_PER_MS; /* boundary - 2 s */
	unsigned int ok = 0;
	struct client c[20];

	for (unsigned int i = 0; i < RTE_DIM(c); i++) {
		memset(&c[i], 0, sizeof(c[i]));
		c[i].sport = (uint16_t)(20000 + i);
		c[i].isn = 0x01000000u * i + 77;
		c[i].tsval = 500 + i;
		send_syn(a, syn_now + i * NS_PER_MS, &c[i]);
	}
	for (unsigned int i = 0; i < RTE_DIM(c); i++)
		/* B's now: 1 s + i * 3 s after the boundary */
		ok += complete(bb, (uint64_t)i * 3000 * NS_PER_MS, &c[i]);
	CHECK_EQ(ok, RTE_DIM(c), "SYN on one engine before the rotation, ACK "
		"on another after it: %u of %u accepted", ok,
		(unsigned int)RTE_DIM(c));
	CHECK_EQ(sk_engine_stats(bb)->cookie_ok, RTE_DIM(c),
		"cookie_ok on the second engine");
	sk_engine_free(a);
	sk_engine_free(bb);
}

/* The limits: the previous key is dropped at boundary + (max_age + 1) *
 * 64 s, by which time its cookies are too old anyway; a cookie older than
 * max_age is refused whatever the key. */
static void
test_grace_and_age(void)
{
	uint64_t zero = (boundary_s - 600) * 1000;
	struct sk_engine *e = engine_at(zero);
	const struct sk_stats *st = sk_engine_stats(e);
	uint64_t b = 600 * 1000 * NS_PER_MS;
	struct client c = { .sport = 30000, .isn = 4242, .tsval = 9 };
	struct client d = { .sport = 30001, .isn = 4343, .tsval = 9 };

	/* SYN 1 s before the boundary, ACK 120 s after: 121 s old, within
	 * max_age (2 units of 64 s, so between 128 and 191 s accepted
	 * depending on the phase): accepted with the previous key */
	send_syn(e, b - 1000 * NS_PER_MS, &c);
	CHECK(complete(e, b + 120000 * NS_PER_MS, &c),
		"SYN 1 s before the rotation, ACK 120 s after: accepted");
	/* SYN 1 s before, ACK 300 s after: too old, refused */
	send_syn(e, b - 1000 * NS_PER_MS, &d);
	CHECK(!complete(e, b + 300000 * NS_PER_MS, &d),
		"a cookie 301 s old is refused");
	CHECK_EQ(st->cookie_too_old + st->cookie_bad_mac, 1,
		"counted as a refused cookie");
	timers(e, b + 900000 * NS_PER_MS);
	sk_engine_free(e);
}

int
main(void)
{
	unsigned int avail;

	pool = skt_eal("test_rotation");
	avail = rte_mempool_avail_count(pool);
	test_steady_load();
	test_two_engines();
	test_grace_and_age();
	CHECK_EQ(rte_mempool_avail_count(pool), avail, "no mbuf leaked");
	skt_eal_done();
	return sk_test_done();
}

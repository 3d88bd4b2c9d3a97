/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/sk_client_report.c: the client role's figures as synackd's summary
 * and telemetry's /synack/client give them. First on hand-made reports
 * (state, times, rate, latency, merging engines), then read from engines
 * on a fake clock: a server-only engine has none, a client engine goes
 * from resolving to opening, its handshake shows in the counters and the
 * histogram, and its offered rate is the configured --cps.
 */

#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_tcp.h>

#include "sk_client_report.h"
#include "sk_config.h"
#include "sk_engine.h"
#include "sk_frames.h"
#include "sk_test.h"

#define ENGINE_IP 0xc6120002u  /* 198.18.0.2 */
#define SERVER_IP 0xc6120001u  /* 198.18.0.1 */
#define HZ 1000000000ull       /* the fake TSC counts ns */

static bool
near(double a, double b)
{
	return a - b < 1e-9 && b - a < 1e-9;
}

static void
test_finish(void)
{
	struct sk_client_report r;

	sk_client_report_init(&r);
	r.engines = 1;
	sk_client_report_finish(&r, 5 * HZ, HZ);
	CHECK(r.state == SK_CLIENT_RESOLVING && r.open_s == 0 &&
		r.run_s == 0 && r.cps == 0 && r.mean_us == 0 &&
		r.min_us == 0 && r.q_us[2] == 0,
		"before the first SYN: resolving, no time, no rate, no latency");
	CHECK(strcmp(sk_client_state_name(r.state), "resolving") == 0,
		"state name resolving");

	r.started = true;
	r.start = 2 * HZ;
	r.established = 300;
	sk_client_report_finish(&r, 5 * HZ, HZ);
	CHECK(r.state == SK_CLIENT_OPENING && near(r.open_s, 3) &&
		near(r.run_s, 3) && near(r.cps, 100),
		"opening: times up to now, cps = established / opening time");
	sk_client_report_finish(&r, 1 * HZ, HZ);
	CHECK(r.open_s == 0 && r.run_s == 0 && r.cps == 0,
		"a clock behind the first SYN gives 0, not a wrapped time");

	r.opening_over = true;
	r.end = 4 * HZ;
	sk_client_report_finish(&r, 10 * HZ, HZ);
	CHECK(r.state == SK_CLIENT_DRAINING && near(r.open_s, 2) &&
		near(r.run_s, 8) && near(r.cps, 150),
		"draining: the opening time stops, the run time goes on");
	r.finished = true;
	r.stop = 6 * HZ;
	sk_client_report_finish(&r, 10 * HZ, HZ);
	CHECK(r.state == SK_CLIENT_FINISHED && near(r.run_s, 4),
		"finished: the run time stops");
	CHECK(strcmp(sk_client_state_name(r.state), "finished") == 0,
		"state name finished");
	r.error = "no ARP reply";
	sk_client_report_finish(&r, 10 * HZ, HZ);
	CHECK(r.state == SK_CLIENT_FAILED &&
		strcmp(sk_client_state_name(r.state), "failed") == 0,
		"an error makes the run failed");
	CHECK(strcmp(sk_client_state_name(SK_CLIENT_OPENING), "opening") == 0 &&
		strcmp(sk_client_state_name(SK_CLIENT_DRAINING), "draining") == 0,
		"state names opening, draining");

	/* latency: 1..100 us, one each; a quantile is its bucket's upper
	 * bound (2 us wide from 64 on), capped at the maximum */
	sk_client_report_init(&r);
	for (uint32_t v = 1; v <= 100; v++)
		sk_hist_add(&r.latency_us, v);
	sk_client_report_finish(&r, 0, HZ);
	CHECK(r.min_us == 1 && near(r.mean_us, 50.5) && r.q_us[0] == 50 &&
		r.q_us[1] == 91 && r.q_us[2] == 99 && r.q_us[3] == 100,
		"latency: min %u mean %.1f p50 %u p90 %u p99 %u p99.9 %u",
		r.min_us, r.mean_us, r.q_us[0], r.q_us[1], r.q_us[2],
		r.q_us[3]);
	CHECK(strcmp(sk_client_report_qname[3], "p99_9") == 0 &&
		sk_client_report_q[3] == 0.999, "quantile names and values");
}

static void
test_merge(void)
{
	struct sk_client_report a, b, sum;

	sk_client_report_init(&a);
	a.engines = 1;
	a.attempted = 10;
	a.established = 8;
	a.completed = 7;
	a.fail_rst = 1;
	a.failed = 1;
	a.concurrent = 2;
	a.started = a.opening_over = a.finished = true;
	a.start = 5;
	a.end = 50;
	a.stop = 60;
	a.rate_cps = 100;
	a.ramp_steps = 3;
	a.ramp_backoffs = 2;
	sk_hist_add(&a.latency_us, 40);
	b = a;
	memset(&b.latency_us, 0, sizeof(b.latency_us));
	sk_hist_add(&b.latency_us, 400);
	b.start = 3;
	b.end = 70;
	b.finished = false;
	b.ramp_steps = 5;
	b.error = "why";

	sk_client_report_init(&sum);
	sk_client_report_merge(&sum, &a);
	sk_client_report_merge(&sum, &b);
	CHECK(sum.engines == 2 && sum.attempted == 20 && sum.established == 16 &&
		sum.completed == 14 && sum.failed == 2 && sum.fail_rst == 2 &&
		sum.concurrent == 4, "merge: counters and concurrency summed");
	CHECK(sum.started && sum.start == 3 && sum.opening_over &&
		sum.end == 70 && !sum.finished,
		"merge: earliest start, latest end, finished only when all are");
	CHECK(sum.error != NULL && strcmp(sum.error, "why") == 0,
		"merge: an engine's error is the run's");
	CHECK(sum.rate_cps == 200 && sum.ramp_steps == 5 &&
		sum.ramp_backoffs == 4,
		"merge: rates and backoffs summed, ramp steps the most of any "
		"engine");
	CHECK(sum.latency_us.count == 2 && sum.latency_us.min == 40 &&
		sum.latency_us.max == 400, "merge: histograms summed");
	sk_client_report_init(&b);
	sk_client_report_merge(&sum, &b);
	CHECK(sum.engines == 2 && sum.attempted == 20,
		"merge: an empty report changes nothing");
}

static void
client_config(struct sk_config *c)
{
	snprintf(c->client_target, sizeof(c->client_target),
		"198.18.0.1:8080");
	snprintf(c->client_src_ports, sizeof(c->client_src_ports),
		"40000-40009");
	snprintf(c->client_gateway_mac, sizeof(c->client_gateway_mac),
		"02:00:00:00:00:02");
	c->client_cps = 100;
	c->client_concurrency = 1;
	c->client_duration_ms = 1000;
	c->client_syn_rto_ms = 1000;
	c->client_syn_retries = 2;
	c->client_timeout_ms = 1000;
}

/* An engine takes the [client] section parsed by sk_config_finalize()
 * and never parses the strings itself: without it, no engine. */
static void
test_not_finalized(struct rte_mempool *pool)
{
	struct sk_engine_params p = { 0 };
	struct sk_config c;
	struct sk_engine *e;
	char err[256];

	sk_config_defaults(&c);
	c.n_addrs = 1;
	c.addrs[0].addr = rte_cpu_to_be_32(ENGINE_IP);
	c.addrs[0].prefix = 24;
	c.flow_capacity = 1024;
	c.secret_set = true;
	client_config(&c);
	p.mac = skt_engine_mac;
	p.socket_id = SOCKET_ID_ANY;
	p.pool = pool;
	p.tsc_hz = 1000000000ull;
	e = sk_engine_create(&c, &p, 0);
	CHECK(e == NULL && rte_errno == EINVAL,
		"client: an engine refuses a configuration not finalized");
	if (e != NULL)
		sk_engine_free(e);
	CHECK(sk_config_finalize(&c, err, sizeof(err)) == 0 &&
		(e = sk_engine_create(&c, &p, 0)) != NULL,
		"client: and takes it finalized: %s", err);
	if (e != NULL)
		sk_engine_free(e);
}

static struct sk_engine *
engine(struct rte_mempool *pool, bool client, uint64_t now)
{
	struct sk_config c;

	sk_config_defaults(&c);
	c.n_addrs = 1;
	c.addrs[0].addr = rte_cpu_to_be_32(ENGINE_IP);
	c.addrs[0].prefix = 24;
	c.flow_capacity = 1024;
	c.secret_set = true;
	if (!client) {
		c.n_listen = 1;
		c.listen[0].port = 8080;
		c.listen[0].app = SK_APP_HELLO;
	} else {
		client_config(&c);
	}
	return skt_engine(&c, pool, now);
}

static void
test_engine(struct rte_mempool *pool)
{
	static const uint8_t opts[4] = { 2, 4, 0x05, 0xb4 }; /* MSS 1460 */
	struct sk_client_report r;
	struct rte_mbuf *tx[64], *m;
	struct skt_resp resp;
	struct sk_engine *e;
	uint64_t now = 5 * HZ;
	uint16_t n, port = 0;
	uint32_t iss = 0;

	e = engine(pool, false, now);
	sk_client_report_init(&r);
	CHECK(sk_client_report_add(&r, e) == -ENOTSUP && r.engines == 0,
		"a server-only engine has no client report");
	sk_engine_free(e);

	e = engine(pool, true, now);
	CHECK(sk_client_report_add(&r, e) == 0 && r.engines == 1,
		"a client engine is added");
	sk_client_report_finish(&r, now, HZ);
	CHECK(r.state == SK_CLIENT_RESOLVING && r.attempted == 0,
		"before its first timer pass: resolving");
	CHECK_EQ(r.rate_cps, 100, "a fixed rate: the engine's, the configured "
		"--cps");
	CHECK(!r.ramp, "no ramp");

	now += HZ / 100;
	n = sk_engine_timers(e, now, tx, 64);
	for (uint16_t i = 0; i < n; i++) {
		if (skt_read(tx[i], &resp) && resp.flags == RTE_TCP_SYN_FLAG) {
			port = resp.sport;
			iss = resp.seq;
		}
		rte_pktmbuf_free(tx[i]);
	}
	CHECK(port != 0, "the first SYN left");
	sk_client_report_init(&r);
	sk_client_report_add(&r, e);
	sk_client_report_finish(&r, now + HZ / 10, HZ);
	CHECK(r.state == SK_CLIENT_OPENING && r.attempted == 1 &&
		r.established == 0 && r.concurrent == 1 &&
		r.latency_us.count == 0 && r.open_s > 0.09,
		"opening: attempted 1, concurrent 1, no latency yet (open %.3f s)",
		r.open_s);

	/* the server's SYN-ACK, 250 us later */
	now += 250000;
	{
		struct skt_frame f = {
			.saddr = SERVER_IP, .daddr = ENGINE_IP,
			.sport = 8080, .dport = port,
			.seq = 777000, .ack = iss + 1,
			.flags = RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG,
			.opts = opts, .optlen = sizeof(opts),
		};

		m = skt_build(pool, &f);
		n = sk_engine_input(e, &m, 1, tx, now);
		for (uint16_t i = 0; i < n; i++)
			rte_pktmbuf_free(tx[i]);
	}
	sk_client_report_init(&r);
	sk_client_report_add(&r, e);
	sk_client_report_finish(&r, now, HZ);
	CHECK(r.attempted == 1 && r.established == 1 &&
		r.latency_us.count == 1 && r.failed == 0,
		"established 1, one latency sample");
	CHECK(r.min_us >= 249 && r.min_us <= 251 && r.q_us[2] >= r.min_us &&
		r.q_us[2] <= r.latency_us.max,
		"latency about 250 us: min %u p99 %u max %u", r.min_us,
		r.q_us[2], r.latency_us.max);
	sk_engine_free(e);
}

int
main(void)
{
	struct rte_mempool *pool;

	test_finish();
	test_merge();
	pool = skt_eal("test_client_report");
	test_engine(pool);
	test_not_finalized(pool);
	skt_eal_done();
	return sk_test_done();
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SYN proxy in a chain of three engines, all synack, in one process
 * on one lcore: a client role (198.18.0.1) opens connections to a proxy
 * (198.18.0.2:8080, `--listen 8080:proxy`), which splices each one whose
 * cookie ACK checks to a server (198.18.1.3:80, `--listen 80:hello`).
 * The client sends "Hello Server\n", expects "Hello Client\n" and closes;
 * every frame crosses the proxy.
 *
 * The wires are arrays in memory: a frame one engine writes is handed to
 * the engine its destination MAC names (broadcasts and multicasts, copied,
 * to every other engine on that wire), in bursts of up to 32, the way a
 * port would hand them over. One wire for all three (one arm), or with -2
 * the proxy's two arms: clients on its DPDK port 0, the server on port 1
 * with a MAC of its own there (docs/proxy.md "Two arms"). -6: the same
 * over IPv6 (2001:db8::1 -> [2001:db8::2]:8080 -> [2001:db8:1::3]:80).
 *
 * Only the proxy's calls (sk_engine_input and sk_engine_timers) are timed
 * (TSC) and, for callgrind, reached through chain_px_input and
 * chain_px_timers (--toggle-collect=chain_px_input
 * --toggle-collect=chain_px_timers): the proxy's cost per proxied
 * connection and per frame it handles, without the client's and the
 * server's (which run on the same core, in turn, and share its caches: a
 * pessimistic setting for the proxy). What a kernel or a PMD would add per
 * frame is not in these figures: series 9 measures that over taps.
 *
 *   bench_chain [-n CONNECTIONS] [-c CONCURRENCY] [-2] [-6]
 *
 * Prints one JSON object; exits 1 when a connection failed or the run did
 * not end in time (a broken chain is not a benchmark).
 */

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_mbuf.h>

#include "sk_client_report.h"
#include "sk_common.h"
#include "sk_config.h"
#include "sk_engine.h"
#include "sk_frames.h"
#include "sk_stats.h"

#define BURST 32
#define QCAP 16384      /* frames waiting for one engine */
#define RUN_LIMIT_S 60  /* a chain that has not finished by then is broken */

enum { CLI, PX, SRV, NE };
static const char *const ename[NE] = { "client", "proxy", "server" };

static struct rte_mempool *pool;
static struct sk_engine *eng[NE];
static uint64_t tsc_hz;
static bool two_arm, v6;

static const struct rte_ether_addr mac[NE] = {
	{ .addr_bytes = { 0x02, 0, 0, 0, 0xc0, 0x01 } },
	{ .addr_bytes = { 0x02, 0, 0, 0, 0xc0, 0x02 } },
	{ .addr_bytes = { 0x02, 0, 0, 0, 0xc0, 0x03 } },
};
/* the proxy's MAC on its inside port (-2) */
static const struct rte_ether_addr px_in_mac = {
	.addr_bytes = { 0x02, 0, 0, 0, 0xc0, 0x22 } };

/* frames waiting for each engine, with the port they arrive on */
struct inbox {
	struct rte_mbuf *m[QCAP];
	uint32_t head, tail;
};
static struct inbox in[NE];
static uint64_t wire_drops;

/* the proxy's TSC ticks in its calls (timers: of them), frames, calls */
static uint64_t px_cycles, px_timer_cycles, px_in, px_out, px_bursts;

__attribute__((noinline, used)) uint16_t
chain_px_input(struct rte_mbuf **rx, uint16_t n, struct rte_mbuf **tx,
		uint64_t now);
__attribute__((noinline, used)) uint16_t
chain_px_input(struct rte_mbuf **rx, uint16_t n, struct rte_mbuf **tx,
		uint64_t now)
{
	return sk_engine_input(eng[PX], rx, n, tx, now);
}

__attribute__((noinline, used)) uint16_t
chain_px_timers(uint64_t now, struct rte_mbuf **tx, uint16_t cap);
__attribute__((noinline, used)) uint16_t
chain_px_timers(uint64_t now, struct rte_mbuf **tx, uint16_t cap)
{
	return sk_engine_timers(eng[PX], now, tx, cap);
}

static void
push(unsigned int to, struct rte_mbuf *m, uint16_t port)
{
	struct inbox *b = &in[to];

	if (b->tail - b->head == QCAP) {
		wire_drops++;
		rte_pktmbuf_free(m);
		return;
	}
	m->port = port;
	b->m[b->tail++ % QCAP] = m;
}

/* Hand frame @p m, written by engine @p from (out of its port m->port),
 * to whoever its destination MAC names on that wire. */
static void
route(unsigned int from, struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eh =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	/* the wire's members: engine and the port it sees the wire on */
	unsigned int who[NE], nw = 0;
	uint16_t port[NE];
	const struct rte_ether_addr *their[NE];

	if (!two_arm) {
		for (unsigned int e = 0; e < NE; e++) {
			who[nw] = e;
			port[nw] = 0;
			their[nw++] = &mac[e];
		}
	} else if (from == CLI || (from == PX && m->port == 0)) {
		who[0] = CLI; port[0] = 0; their[0] = &mac[CLI];
		who[1] = PX; port[1] = 0; their[1] = &mac[PX];
		nw = 2;
	} else {
		who[0] = PX; port[0] = 1; their[0] = &px_in_mac;
		who[1] = SRV; port[1] = 0; their[1] = &mac[SRV];
		nw = 2;
	}
	if (rte_is_multicast_ether_addr(&eh->dst_addr)) {
		bool sent = false;

		for (unsigned int i = 0; i < nw; i++) {
			struct rte_mbuf *c;

			if (who[i] == from)
				continue;
			c = sent ? rte_pktmbuf_copy(m, pool, 0, UINT32_MAX) : m;
			if (c == NULL) {
				wire_drops++;
				continue;
			}
			push(who[i], c, port[i]);
			sent = true;
		}
		if (!sent)
			rte_pktmbuf_free(m);
		return;
	}
	for (unsigned int i = 0; i < nw; i++) {
		if (who[i] != from &&
				rte_is_same_ether_addr(&eh->dst_addr, their[i])) {
			push(who[i], m, port[i]);
			return;
		}
	}
	wire_drops++;
	rte_pktmbuf_free(m);
}

static void
route_all(unsigned int from, struct rte_mbuf **tx, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		route(from, tx[i]);
}

/* Timers of engine @p e, then every frame waiting for it. */
static void
run_engine(unsigned int e)
{
	struct rte_mbuf *rx[BURST], *tx[BURST * 2];
	struct inbox *b = &in[e];
	uint64_t t0 = rte_rdtsc(), t1;
	uint16_t n;

	n = e == PX ? chain_px_timers(t0, tx, RTE_DIM(tx)) :
		sk_engine_timers(eng[e], t0, tx, RTE_DIM(tx));
	if (e == PX) {
		t1 = rte_rdtsc();
		px_cycles += t1 - t0;
		px_timer_cycles += t1 - t0;
		px_out += n;
	}
	route_all(e, tx, n);
	while (b->tail != b->head) {
		uint16_t k = (uint16_t)RTE_MIN((uint32_t)BURST,
				b->tail - b->head);

		for (uint16_t i = 0; i < k; i++)
			rx[i] = b->m[b->head++ % QCAP];
		t0 = rte_rdtsc();
		if (e == PX) {
			n = chain_px_input(rx, k, tx, t0);
			t1 = rte_rdtsc();
			px_cycles += t1 - t0;
			px_in += k;
			px_bursts++;
			px_out += n;
		} else {
			n = sk_engine_input(eng[e], rx, k, tx, t0);
		}
		route_all(e, tx, n);
	}
}

static void
addr4(struct sk_config *c, uint32_t a, uint8_t prefix)
{
	c->addrs[c->n_addrs].addr = rte_cpu_to_be_32(a);
	c->addrs[c->n_addrs++].prefix = prefix;
}

static void
addr6(struct sk_config *c, uint8_t net, uint8_t host)
{
	uint8_t *a = c->addrs6[c->n_addrs6].addr;

	memset(a, 0, 16);
	a[0] = 0x20; a[1] = 0x01; a[2] = 0x0d; a[3] = 0xb8;
	a[5] = net;
	a[15] = host;
	c->addrs6[c->n_addrs6++].prefix = 64;
}

static struct sk_engine *
make(unsigned int e, uint32_t conns, uint32_t conc)
{
	static const uint8_t secret[16] = { 0xc4, 0xa1, 0x17, 1, 2, 3 };
	struct sk_engine_params p;
	struct sk_config c;

	sk_config_defaults(&c);
	c.flow_capacity = 65536;
	c.secret_set = true;
	memcpy(c.secret, secret, sizeof(secret));
	switch (e) {
	case CLI:
		v6 ? addr6(&c, 0, 1) : addr4(&c, 0xc6120001u, 24);
		snprintf(c.client_target, sizeof(c.client_target), "%s",
			v6 ? "[2001:db8::2]:8080" : "198.18.0.2:8080");
		snprintf(c.client_request, sizeof(c.client_request),
			"Hello Server\\n");
		snprintf(c.client_expect, sizeof(c.client_expect),
			"Hello Client\\n");
		c.client_connections = conns;
		c.client_concurrency = conc;
		c.client_cps = 0; /* no limit: the concurrency paces it */
		c.client_duration_ms = RUN_LIMIT_S * 1000;
		break;
	case PX:
		/* the clients' prefix and the server's */
		if (v6) {
			addr6(&c, 0, 2);
			addr6(&c, 1, 2);
		} else {
			addr4(&c, 0xc6120002u, 24);
			addr4(&c, 0xc6120102u, 24);
		}
		c.n_listen = 1;
		c.listen[0].port = 8080;
		c.listen[0].app = SK_APP_PROXY;
		c.n_backends = 1;
		c.backends[0].family = v6 ? 6 : 4;
		c.backends[0].port = 80;
		if (v6) {
			memcpy(c.backends[0].addr6, c.addrs6[1].addr, 16);
			c.backends[0].addr6[15] = 3;
		} else {
			c.backends[0].addr = rte_cpu_to_be_32(0xc6120103u);
		}
		break;
	default:
		v6 ? addr6(&c, 1, 3) : addr4(&c, 0xc6120103u, 24);
		c.n_listen = 1;
		c.listen[0].port = 80;
		c.listen[0].app = SK_APP_HELLO;
		break;
	}
	skt_engine_params(&p, pool);
	p.mac = mac[e];
	p.tsc_hz = tsc_hz;
	p.wall_ms_at_zero = SKT_WALL_MS_AT_ZERO;
	if (e == PX && two_arm) {
		p.two_arm = 1;
		p.port_id = 0;
		p.inside_port = 1;
		p.inside_mac = px_in_mac;
	}
	return skt_engine_create(&c, &p, rte_rdtsc());
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench_chain [-n CONNECTIONS] [-c CONCURRENCY] "
		"[-2] [-6]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	unsigned long conns = 20000, conc = 256;
	const struct sk_stats *sp, *ss;
	struct sk_client_report r;
	uint64_t t0, t1, relayed;
	bool done = false, ok;
	double px_s;
	int o;

	while ((o = getopt(argc, argv, "n:c:26")) != -1) {
		switch (o) {
		case 'n': conns = strtoul(optarg, NULL, 0); break;
		case 'c': conc = strtoul(optarg, NULL, 0); break;
		case '2': two_arm = true; break;
		case '6': v6 = true; break;
		default: usage();
		}
	}
	/* the proxy's source ports toward the server (28,232 by default)
	 * stay in TIME_WAIT 5 s: a run of more would measure port reuse */
	if (conns == 0 || conns > 25000 || conc == 0 || conc > 4096)
		usage();
	if (getenv("SK_TEST_FILE_PREFIX") == NULL)
		setenv("SK_TEST_FILE_PREFIX", "sk-bench-chain", 1);
	skt_eal("bench_chain");
	pool = rte_pktmbuf_pool_create("chain_pool", 16383, 256, 0,
			RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (pool == NULL) {
		fprintf(stderr, "bench_chain: mbuf pool: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	tsc_hz = rte_get_tsc_hz();
	for (unsigned int e = 0; e < NE; e++)
		eng[e] = make(e, (uint32_t)conns, (uint32_t)conc);

	t0 = rte_rdtsc();
	while (rte_rdtsc() - t0 < RUN_LIMIT_S * tsc_hz) {
		for (unsigned int e = 0; e < NE; e++)
			run_engine(e);
		if (sk_engine_client_done(eng[CLI])) {
			done = true;
			break;
		}
	}
	t1 = rte_rdtsc();

	sk_client_report_init(&r);
	sk_client_report_add(&r, eng[CLI]);
	sk_client_report_finish(&r, t1, tsc_hz);
	sp = sk_engine_stats(eng[PX]);
	ss = sk_engine_stats(eng[SRV]);
	relayed = sp->proxy_fwd_c2b + sp->proxy_fwd_b2c;
	px_s = (double)px_cycles / tsc_hz;
	ok = done && r.completed == conns && r.failed == 0;
	printf("{\"mode\": \"chain\", \"family\": %d, \"arms\": %d, "
		"\"connections\": %lu, \"concurrency\": %lu, \"tsc_hz\": %"
		PRIu64 ", \"finished\": %s, \"wall_s\": %.3f, "
		"\"wire_drops\": %" PRIu64 ",\n", v6 ? 6 : 4, two_arm ? 2 : 1,
		conns, conc, tsc_hz, done ? "true" : "false",
		(double)(t1 - t0) / tsc_hz, wire_drops);
	printf("  \"client\": {\"completed\": %" PRIu64 ", \"failed\": %"
		PRIu64 ", \"syn_retx\": %" PRIu64 "},\n", r.completed,
		r.failed, r.syn_retx);
	printf("  \"server\": {\"rx_syn\": %" PRIu64 ", \"flow_created\": %"
		PRIu64 "},\n", ss->rx_syn, ss->flow_created);
	printf("  \"proxy\": {\"opened\": %" PRIu64 ", \"established\": %"
		PRIu64 ", \"closed\": %" PRIu64 ", \"reset\": %" PRIu64
		", \"relayed\": %" PRIu64 ", \"frames_in\": %" PRIu64
		", \"frames_out\": %" PRIu64 ", \"cycles\": %" PRIu64
		", \"timer_cycles\": %" PRIu64 ", \"bursts\": %" PRIu64
		", \"ns_per_connection\": %.1f, \"connections_per_s\": %.0f"
		", \"ns_per_frame_in\": %.1f, \"frames_in_mpps\": %.3f}\n}\n",
		sp->proxy_opened, sp->proxy_established, sp->proxy_closed,
		sp->proxy_reset, relayed, px_in, px_out, px_cycles,
		px_timer_cycles, px_bursts,
		sp->proxy_established ? px_s * 1e9 / sp->proxy_established : 0,
		px_s > 0 ? sp->proxy_established / px_s : 0,
		px_in ? px_s * 1e9 / px_in : 0,
		px_s > 0 ? px_in / px_s / 1e6 : 0);
	if (!ok) {
		fprintf(stderr, "bench_chain: %s: %" PRIu64 " of %lu completed, "
			"%" PRIu64 " failed\n", done ? "broken chain" :
			"no end in " RTE_STR(RUN_LIMIT_S) " s",
			r.completed, conns, r.failed);
		for (unsigned int e = 0; e < NE; e++) {
			fprintf(stderr, "--- %s\n", ename[e]);
			sk_stats_print(sk_engine_stats(eng[e]), stderr);
		}
	}
	for (unsigned int e = 0; e < NE; e++)
		sk_engine_free(eng[e]);
	for (unsigned int e = 0; e < NE; e++)
		while (in[e].tail != in[e].head)
			rte_pktmbuf_free(in[e].m[in[e].head++ % QCAP]);
	rte_mempool_free(pool);
	skt_eal_done();
	return ok ? 0 : 1;
}

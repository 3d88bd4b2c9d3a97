/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synackd: EAL start-up, configuration, one port, one engine per worker
 * lcore (each with its own queues, flow-table shard, timers and counters),
 * signals, final counters. The work is in lib/ and drivers/.
 */

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "sk_client_report.h"
#include "sk_config.h"
#include "sk_engine.h"
#include "sk_dispatch.h"
#include "sk_port.h"
#include "sk_telemetry.h"
#include "sk_version.h"
#include "sk_worker.h"

/* Exit codes: 1 = bad configuration or command line, 2 = the EAL, a port
 * or memory could not be set up. */
#define EXIT_CONFIG 1
#define EXIT_SETUP 2

/* Hand-over ring size per pair of workers (software dispatch). */
#define SK_DISPATCH_RING 1024

/* Set by the signal handler, read by every loop. */
static volatile int quit;

static struct sk_worker workers[SK_MAX_WORKERS];
static unsigned int n_workers;

/* client role on several workers: the next hop they share, and which
 * tuples each may open */
static struct sk_client_shared client_shared;
static struct sk_client_tuples client_tuples[SK_MAX_WORKERS];

static void
on_signal(int sig)
{
	(void)sig;
	/* atomic: the workers read it, and any thread may take the signal */
	__atomic_store_n(&quit, 1, __ATOMIC_RELAXED);
}

/* Workers that have returned. Their release, and the acquire after
 * rte_eal_mp_wait_lcore(), order what they did before what this thread
 * then reads and frees in terms the C memory model (and ThreadSanitizer)
 * can see; the EAL's own order lives inside its uninstrumented library. */
static unsigned int workers_done;

static int
worker_main(void *arg)
{
	int ret = sk_worker_loop(arg);

	__atomic_add_fetch(&workers_done, 1, __ATOMIC_RELEASE);
	return ret;
}

/* Counters of every worker, summed with relaxed loads. */
static void
sum_counters(struct sk_stats *sum)
{
	memset(sum, 0, sizeof(*sum));
	for (unsigned int i = 0; i < n_workers; i++)
		sk_stats_accumulate(sum, sk_engine_stats(workers[i].engine));
}

static void
print_counters(FILE *f)
{
	struct sk_stats sum;

	sum_counters(&sum);
	sk_stats_print(&sum, f);
}

/* mbufs in use once the port is up (its RX rings filled) and after the
 * workers stopped: equal unless an mbuf leaked. */
static unsigned int mbufs_start, mbufs_end, mbufs_pool;

static int
write_stats_file(const char *path)
{
	struct sk_stats sum;
	char tmp[300], extra[160];
	FILE *f;

	sum_counters(&sum);
	/* write then rename, so a reader never sees half a file */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (f == NULL) {
		fprintf(stderr, "synackd: error: stats file '%s': %s\n", tmp,
			strerror(errno));
		return -1;
	}
	snprintf(extra, sizeof(extra), "\"mbufs\": {\"pool\": %u, "
		"\"in_use_start\": %u, \"in_use_end\": %u}", mbufs_pool,
		mbufs_start, mbufs_end);
	sk_stats_json(&sum, f, extra);
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		fprintf(stderr, "synackd: error: stats file '%s': %s\n", path,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* --- client role ------------------------------------------------------ */

/* Every worker's client role, summed (the same figures as telemetry's
 * /synack/client: lib/sk_client_report.h). */
static void
client_report(struct sk_client_report *r)
{
	sk_client_report_init(r);
	for (unsigned int i = 0; i < n_workers; i++)
		sk_client_report_add(r, workers[i].engine);
	sk_client_report_finish(r, rte_rdtsc(), rte_get_tsc_hz());
}

static void
client_progress(unsigned int sec, uint64_t *last_attempted)
{
	struct sk_client_report r;

	client_report(&r);
	printf("synackd: client: %us attempted %" PRIu64 " established %"
		PRIu64 " completed %" PRIu64 " failed %" PRIu64 " cps %" PRIu64
		" concurrent %u", sec, r.attempted, r.established,
		r.completed, r.failed, r.attempted - *last_attempted,
		r.concurrent);
	if (r.ramp)
		printf(" offered %u best-clean %u backoffs %u", r.rate_cps,
			r.best_cps, r.ramp_backoffs);
	printf("\n");
	fflush(stdout);
	*last_attempted = r.attempted;
}

/* The final figures: text, or one JSON line with --json. Returns 0, or -1
 * when the run failed as a whole (no ARP reply). */
static int
client_summary(const struct sk_config *cfg)
{
	struct sk_client_report r;
	const struct sk_hist *h;

	client_report(&r);
	h = &r.latency_us;
	if (cfg->client_json) {
		printf("{\"client\": {\"target\": \"%s\", \"attempted\": %"
			PRIu64 ", \"established\": %" PRIu64
			", \"completed\": %" PRIu64 ", \"failed\": %" PRIu64
			", \"fail_timeout\": %" PRIu64 ", \"fail_rst\": %"
			PRIu64 ", \"fail_bad_synack\": %" PRIu64
			", \"fail_response\": %" PRIu64 ", \"fail_closed\": %"
			PRIu64 ", \"syn_retx\": %" PRIu64 ", \"no_tuple\": %"
			PRIu64 ", \"open_s\": %.3f, \"run_s\": %.3f, "
			"\"cps\": %.1f, \"latency_us\": {\"count\": %" PRIu64
			", \"min\": %u, \"mean\": %.1f",
			cfg->client_target, r.attempted, r.established,
			r.completed, r.failed, r.fail_timeout, r.fail_rst,
			r.fail_bad_synack, r.fail_response, r.fail_closed,
			r.syn_retx, r.no_tuple, r.open_s, r.run_s, r.cps,
			h->count, r.min_us, r.mean_us);
		for (unsigned int i = 0; i < SK_CLIENT_REPORT_NQ; i++)
			printf(", \"%s\": %u", sk_client_report_qname[i],
				r.q_us[i]);
		printf(", \"max\": %u}", h->max);
		if (r.ramp)
			printf(", \"ramp\": {\"best_cps\": %u, \"offered_cps\": "
				"%u, \"step_ms\": %u, \"steps\": %u, "
				"\"backoffs\": %u}", r.best_cps, r.rate_cps,
				cfg->client_ramp_step_ms, r.ramp_steps,
				r.ramp_backoffs);
		else
			printf(", \"ramp\": null");
		printf(", \"error\": %s%s%s}}\n",
			r.error ? "\"" : "",
			r.error ? r.error : "null",
			r.error ? "\"" : "");
	} else {
		printf("synackd: client summary: target %s, %.3f s opening, "
			"%.3f s in all\n"
			"  attempted %" PRIu64 ", established %" PRIu64
			", completed %" PRIu64 ", failed %" PRIu64 " (timeout %"
			PRIu64 ", rst %" PRIu64 ", bad SYN-ACK %" PRIu64
			", response %" PRIu64 ", closed early %" PRIu64 ")\n"
			"  SYN retransmissions %" PRIu64 ", no free tuple %"
			PRIu64 "\n"
			"  achieved %.1f connections/s (established / opening "
			"time)\n",
			cfg->client_target, r.open_s, r.run_s, r.attempted,
			r.established, r.completed, r.failed, r.fail_timeout,
			r.fail_rst, r.fail_bad_synack, r.fail_response,
			r.fail_closed, r.syn_retx, r.no_tuple, r.cps);
		printf("  handshake latency (SYN -> SYN-ACK, us, %" PRIu64
			" samples): min %u p50 %u p90 %u p99 %u p99.9 %u max "
			"%u\n", h->count, r.min_us, r.q_us[0], r.q_us[1],
			r.q_us[2], r.q_us[3], h->max);
		if (r.ramp)
			printf("  --cps max: highest clean rate %u connections/s "
				"(%u steps of %u ms, %u backoffs, offered %u at "
				"the end)\n", r.best_cps, r.ramp_steps,
				cfg->client_ramp_step_ms, r.ramp_backoffs,
				r.rate_cps);
	}
	fflush(stdout);
	if (r.error != NULL) {
		fprintf(stderr, "synackd: error: client: %s (%s)\n",
			r.error, cfg->client_target);
		return -1;
	}
	return 0;
}

static bool
client_all_done(void)
{
	for (unsigned int i = 0; i < n_workers; i++)
		if (!sk_engine_client_done(workers[i].engine))
			return false;
	return true;
}

static uint64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
describe(const struct sk_config *c, const struct sk_port *p,
		const struct sk_dispatch *d)
{
	char mac[RTE_ETHER_ADDR_FMT_SIZE];

	rte_ether_format_addr(mac, sizeof(mac), &p->mac);
	printf("synackd: ready: port %u (%s, %s) mac %s, addresses", p->id,
		p->name, p->driver, mac);
	for (unsigned int i = 0; i < c->n_addrs; i++) {
		const uint8_t *a = (const uint8_t *)&c->addrs[i].addr;

		printf(" %u.%u.%u.%u/%u", a[0], a[1], a[2], a[3],
			c->addrs[i].prefix);
	}
	printf(", listening");
	for (unsigned int i = 0; i < c->n_listen; i++)
		printf(" %u:%s", c->listen[i].port,
			sk_app_name(c->listen[i].app));
	if (sk_config_is_client(c))
		printf(", client to %s", c->client_target);
	printf(", offloads tx-ip %s tx-tcp %s rx %s, %u worker%s (%s)\n",
		p->tx_ip_cksum ? "on" : "off", p->tx_tcp_cksum ? "on" : "off",
		p->rx_cksum ? "on" : "off", d->n, d->n > 1 ? "s" : "",
		d->n == 1 ? "one queue" : d->software ?
			"software dispatch" : p->rss ? "RSS" :
			"device flow steering");
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	struct sk_engine_params par = { 0 };
	struct sk_telemetry_worker tw[SK_MAX_WORKERS];
	struct sk_telemetry_params tp = { 0 };
	static struct sk_dispatch disp;
	unsigned int lcores[SK_MAX_WORKERS];
	struct sk_config cfg;
	struct rte_mempool *pool;
	struct sk_port port;
	char err[512];
	bool secret_random, on_main = false, tel_busy = false;
	unsigned int lcore, need;
	uint16_t port_id;
	uint64_t t0, next_print;
	int ret = EXIT_SETUP;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "synackd: error: EAL initialisation failed: %s "
			"(hugepages reserved? try the EAL option --no-huge -m 512)\n",
			rte_strerror(rte_errno));
		return EXIT_SETUP;
	}
	argc -= ret;
	argv += ret;

	sk_config_defaults(&cfg);
	ret = sk_config_parse_args(&cfg, argc, argv, err, sizeof(err));
	if (ret == 0 && sk_config_validate(&cfg, err, sizeof(err)) != 0)
		ret = -1;
	if (ret != 0) {
		if (ret < 0)
			fprintf(stderr, "synackd: error: %s\n", err);
		rte_eal_cleanup();
		return ret < 0 ? EXIT_CONFIG : 0;
	}
	/* One secret for every lcore: engines sharing a secret derive the
	 * same keys, so a cookie checks on whichever worker owns the flow. */
	secret_random = !cfg.secret_set;
	if (!cfg.secret_set) {
		if (getrandom(cfg.secret, sizeof(cfg.secret), 0) !=
				sizeof(cfg.secret)) {
			fprintf(stderr, "synackd: error: getrandom: %s\n",
				strerror(errno));
			rte_eal_cleanup();
			return EXIT_SETUP;
		}
		cfg.secret_set = true;
	}

	/* Workers: every lcore but the main one, which does control and
	 * telemetry; with a single lcore, the main one works too. */
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (n_workers == SK_MAX_WORKERS) {
			fprintf(stderr, "synackd: error: more than %u worker "
				"lcores\n", SK_MAX_WORKERS);
			rte_eal_cleanup();
			return EXIT_CONFIG;
		}
		lcores[n_workers++] = lcore;
	}
	if (n_workers == 0) {
		lcores[n_workers++] = rte_get_main_lcore();
		on_main = true;
	}

	if (sk_port_find(cfg.port, &port_id, err, sizeof(err)) != 0) {
		fprintf(stderr, "synackd: error: %s\n", err);
		rte_eal_cleanup();
		return EXIT_SETUP;
	}
	/* Descriptor rings, per-lcore caches and a burst in flight per
	 * worker must fit in the pool, or RX starves silently. */
	need = n_workers * (cfg.rx_desc + cfg.tx_desc + 256u +
		2u * SK_BURST_MAX) + n_workers * (n_workers - 1) * SK_BURST_MAX;
	if (cfg.mbufs < need) {
		fprintf(stderr, "synackd: error: [port] mbufs %u too small for "
			"%u worker(s) with %u RX / %u TX descriptors: need at "
			"least %u (--mbufs)\n", cfg.mbufs, n_workers, cfg.rx_desc,
			cfg.tx_desc, need);
		rte_eal_cleanup();
		return EXIT_CONFIG;
	}
	pool = rte_pktmbuf_pool_create("sk_mbufs", cfg.mbufs,
			RTE_MIN(256u, cfg.mbufs / 4), 0,
			RTE_MBUF_DEFAULT_BUF_SIZE, rte_eth_dev_socket_id(port_id));
	if (pool == NULL) {
		fprintf(stderr, "synackd: error: mbuf pool of %u: %s "
			"(not enough hugepage memory? raise nr_hugepages or "
			"lower [port] mbufs)\n", cfg.mbufs,
			rte_strerror(rte_errno));
		rte_eal_cleanup();
		return EXIT_SETUP;
	}
	if (sk_port_start(port_id, n_workers, cfg.rx_desc, cfg.tx_desc, pool,
			&port, err, sizeof(err)) != 0) {
		fprintf(stderr, "synackd: error: %s\n", err);
		if (port.unclosable)  /* see sk_port_start(): exit as is */
			return EXIT_SETUP;
		rte_mempool_free(pool);
		rte_eal_cleanup();
		return EXIT_SETUP;
	}
	/* A client role on a steering device (net_tap) is dispatched in
	 * software too: tun steers a flow's frames to the queue it last
	 * wrote, but computes a SYN-ACK's queue before it knows the flow. */
	if (sk_dispatch_init(&disp, n_workers, !port.rss && (!port.steer ||
			sk_config_is_client(&cfg)),
			port.reta_size, SK_DISPATCH_RING, port.socket_id, err,
			sizeof(err)) != 0) {
		fprintf(stderr, "synackd: error: %s\n", err);
		ret = EXIT_SETUP;
		goto stop_port;
	}
	disp.rss = port.rss;

	par.mac = port.mac;
	par.pool = pool;
	par.tsc_hz = rte_get_tsc_hz();
	t0 = rte_rdtsc();
	par.wall_ms_at_zero = wall_ms() - t0 / (par.tsc_hz / 1000);
	par.tx_ip_cksum = port.tx_ip_cksum;
	par.tx_tcp_cksum = port.tx_tcp_cksum;
	par.rx_cksum = port.rx_cksum;
	if (sk_config_is_client(&cfg) && n_workers > 1) {
		/* each worker opens its share, on tuples that come back to it */
		par.client_parts = n_workers;
		par.client_shared = &client_shared;
		par.client_tuple_ok = sk_dispatch_client_tuple_ok;
	}
	for (unsigned int i = 0; i < n_workers; i++) {
		struct sk_worker *w = &workers[i];

		client_tuples[i] = (struct sk_client_tuples){
			.d = &disp, .id = i,
		};
		par.client_part = i;
		par.client_tuple_arg = &client_tuples[i];
		/* each shard on its own lcore's NUMA node */
		par.socket_id = (int)rte_lcore_to_socket_id(lcores[i]);
		w->engine = sk_engine_create(&cfg, &par, t0);
		if (w->engine == NULL) {
			fprintf(stderr, "synackd: error: engine %u: %s\n", i,
				rte_strerror(rte_errno));
			ret = rte_errno == EINVAL ? EXIT_CONFIG : EXIT_SETUP;
			goto free_engines;
		}
		w->disp = &disp;
		w->quit = &quit;
		w->port = port_id;
		w->rxq = i < port.n_rxq ? (uint16_t)i : UINT16_MAX;
		w->txq = (uint16_t)i;
		w->burst = cfg.burst;
		w->id = i;
		w->lcore = lcores[i];
		w->client = sk_config_is_client(&cfg);
		tw[i].engine = w->engine;
		tw[i].lcore = lcores[i];
	}
	memset(cfg.secret, 0, sizeof(cfg.secret));
	tp.workers = tw;
	tp.n_workers = n_workers;
	tp.ports = &port_id;
	tp.n_ports = 1;
	tp.secret_random = secret_random;
	tp.pool = pool;
	ret = sk_telemetry_init(&tp);
	if (ret != 0) {
		fprintf(stderr, "synackd: error: telemetry: %s\n",
			strerror(-ret));
		ret = EXIT_SETUP;
		goto free_engines;
	}

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	mbufs_pool = pool->size;
	mbufs_start = rte_mempool_in_use_count(pool);
	describe(&cfg, &port, &disp);

	if (!on_main) {
		for (unsigned int i = 0; i < n_workers; i++)
			rte_eal_remote_launch(worker_main, &workers[i],
				lcores[i]);
		uint64_t next_progress = rte_rdtsc() + rte_get_tsc_hz();
		uint64_t last_attempted = 0;
		unsigned int sec = 0;

		next_print = rte_rdtsc() + (uint64_t)cfg.stats_interval_ms *
			(rte_get_tsc_hz() / 1000);
		while (!__atomic_load_n(&quit, __ATOMIC_RELAXED)) {
			usleep(sk_config_is_client(&cfg) ? 10 * 1000 :
				100 * 1000);
			if (sk_config_is_client(&cfg)) {
				if (client_all_done()) {
					__atomic_store_n(&quit, 1,
						__ATOMIC_RELAXED);
					break;
				}
				if (rte_rdtsc() >= next_progress) {
					client_progress(++sec, &last_attempted);
					next_progress += rte_get_tsc_hz();
				}
			}
			if (cfg.stats_interval_ms && rte_rdtsc() >= next_print) {
				printf("synackd: counters\n");
				print_counters(stdout);
				fflush(stdout);
				next_print += (uint64_t)cfg.stats_interval_ms *
					(rte_get_tsc_hz() / 1000);
			}
		}
		rte_eal_mp_wait_lcore();
		(void)__atomic_load_n(&workers_done, __ATOMIC_ACQUIRE);
	} else {
		sk_worker_loop(&workers[0]);
	}

	tel_busy = sk_telemetry_fini() != 0;
	/* frames still in hand-over rings go back first, counted as dropped
	 * by the worker they were for (stopped: its counters are ours now) */
	{
		unsigned int left[SK_MAX_WORKERS] = { 0 };

		sk_dispatch_free(&disp, left);
		for (unsigned int i = 0; i < n_workers; i++)
			SK_STAT_ADD(sk_engine_stats_w(workers[i].engine),
				drop_handoff, left[i]);
	}
	mbufs_end = rte_mempool_in_use_count(pool);
	printf("synackd: stopping, final counters:\n");
	print_counters(stdout);
	printf("mbufs in use: %u at start, %u now (pool of %u)\n", mbufs_start,
		mbufs_end, mbufs_pool);
	fflush(stdout);
	ret = 0;
	if (sk_config_is_client(&cfg) && client_summary(&cfg) != 0)
		ret = EXIT_SETUP;
	if (cfg.stats_file[0] && write_stats_file(cfg.stats_file))
		ret = EXIT_SETUP;
free_engines:
	if (tel_busy)  /* a telemetry handler may still read them */
		return ret;
	for (unsigned int i = 0; i < n_workers; i++)
		sk_engine_free(workers[i].engine);
	sk_dispatch_free(&disp, NULL);
stop_port:
	sk_port_stop(&port);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return ret;
}

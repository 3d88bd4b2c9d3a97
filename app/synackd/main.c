/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synackd: EAL start-up, configuration, one port, one worker lcore running
 * the engine's poll loop, signals, final counters. The work is in lib/ and
 * drivers/.
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

#include "sk_config.h"
#include "sk_engine.h"
#include "sk_port.h"
#include "sk_version.h"

/* Exit codes: 1 = bad configuration or command line, 2 = the EAL, a port
 * or memory could not be set up. */
#define EXIT_CONFIG 1
#define EXIT_SETUP 2

/* Set by the signal handler, read by every loop. */
static volatile sig_atomic_t quit;

struct worker {
	struct sk_engine *engine;
	uint16_t port;
	uint16_t burst;
};

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static inline void
send_burst(struct worker *w, struct rte_mbuf **tx, uint16_t n)
{
	uint16_t sent;

	if (n == 0)
		return;
	sent = rte_eth_tx_burst(w->port, 0, tx, n);
	if (unlikely(sent < n)) {
		rte_pktmbuf_free_bulk(&tx[sent], n - sent);
		sk_engine_tx_dropped(w->engine, n - sent);
	}
}

/* The poll loop: receive, answer, transmit; timers about every 100 us. */
static int
worker_loop(void *arg)
{
	struct worker *w = arg;
	struct rte_mbuf *rx[SK_BURST_MAX], *tx[SK_BURST_MAX];
	const uint64_t timer_period = rte_get_tsc_hz() / 10000;
	uint64_t next_timer = 0;

	while (!quit) {
		uint16_t n = rte_eth_rx_burst(w->port, 0, rx, w->burst);
		uint64_t now = rte_rdtsc();

		if (n != 0)
			send_burst(w, tx, sk_engine_input(w->engine, rx, n, tx,
					now));
		if (now >= next_timer) {
			uint16_t k;

			do {
				k = sk_engine_timers(w->engine, now, tx,
						SK_BURST_MAX);
				send_burst(w, tx, k);
			} while (k == SK_BURST_MAX);
			next_timer = now + timer_period;
		}
	}
	return 0;
}

static void
print_counters(const struct sk_engine *e, FILE *f)
{
	struct sk_stats sum;

	memset(&sum, 0, sizeof(sum));
	sk_stats_accumulate(&sum, sk_engine_stats(e));
	sk_stats_print(&sum, f);
}

static int
write_stats_file(const struct sk_engine *e, const char *path)
{
	struct sk_stats sum;
	char tmp[300];
	FILE *f;

	memset(&sum, 0, sizeof(sum));
	sk_stats_accumulate(&sum, sk_engine_stats(e));
	/* write then rename, so a reader never sees half a file */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (f == NULL) {
		fprintf(stderr, "synackd: error: stats file '%s': %s\n", tmp,
			strerror(errno));
		return -1;
	}
	sk_stats_json(&sum, f);
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		fprintf(stderr, "synackd: error: stats file '%s': %s\n", path,
			strerror(errno));
		return -1;
	}
	return 0;
}

static uint64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
describe(const struct sk_config *c, const struct sk_port *p)
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
	printf(", offloads tx-ip %s tx-tcp %s rx %s\n",
		p->tx_ip_cksum ? "on" : "off", p->tx_tcp_cksum ? "on" : "off",
		p->rx_cksum ? "on" : "off");
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	struct sk_engine_params par = { 0 };
	struct sk_config cfg;
	struct rte_mempool *pool;
	struct sk_port port;
	struct worker w;
	char err[512];
	unsigned int lcore;
	uint16_t port_id;
	uint64_t t0, next_print;
	int ret;

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
	/* One secret for every lcore, so a flow's cookie checks wherever
	 * its ACK lands. */
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

	if (sk_port_find(cfg.port, &port_id, err, sizeof(err)) != 0) {
		fprintf(stderr, "synackd: error: %s\n", err);
		rte_eal_cleanup();
		return EXIT_SETUP;
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
	if (sk_port_start(port_id, cfg.rx_desc, cfg.tx_desc, pool, &port, err,
			sizeof(err)) != 0) {
		fprintf(stderr, "synackd: error: %s\n", err);
		rte_eal_cleanup();
		return EXIT_SETUP;
	}

	/* One worker: the first worker lcore, or the main one if alone. */
	lcore = rte_get_next_lcore(-1, 1, 0);
	if (lcore >= RTE_MAX_LCORE)
		lcore = rte_get_main_lcore();

	par.mac = port.mac;
	par.socket_id = (int)rte_lcore_to_socket_id(lcore);
	par.pool = pool;
	par.tsc_hz = rte_get_tsc_hz();
	t0 = rte_rdtsc();
	par.wall_ms_at_zero = wall_ms() - t0 / (par.tsc_hz / 1000);
	par.tx_ip_cksum = port.tx_ip_cksum;
	par.tx_tcp_cksum = port.tx_tcp_cksum;
	par.rx_cksum = port.rx_cksum;
	w.engine = sk_engine_create(&cfg, &par, t0);
	memset(cfg.secret, 0, sizeof(cfg.secret));
	if (w.engine == NULL) {
		fprintf(stderr, "synackd: error: engine: %s\n",
			rte_strerror(rte_errno));
		sk_port_stop(&port);
		rte_eal_cleanup();
		return rte_errno == EINVAL ? EXIT_CONFIG : EXIT_SETUP;
	}
	w.port = port_id;
	w.burst = cfg.burst;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	describe(&cfg, &port);

	if (lcore != rte_get_main_lcore()) {
		rte_eal_remote_launch(worker_loop, &w, lcore);
		next_print = rte_rdtsc() + (uint64_t)cfg.stats_interval_ms *
			(rte_get_tsc_hz() / 1000);
		while (!quit) {
			usleep(100 * 1000);
			if (cfg.stats_interval_ms && rte_rdtsc() >= next_print) {
				printf("synackd: counters\n");
				print_counters(w.engine, stdout);
				fflush(stdout);
				next_print += (uint64_t)cfg.stats_interval_ms *
					(rte_get_tsc_hz() / 1000);
			}
		}
		rte_eal_mp_wait_lcore();
	} else {
		worker_loop(&w);
	}

	printf("synackd: stopping, final counters:\n");
	print_counters(w.engine, stdout);
	fflush(stdout);
	ret = 0;
	if (cfg.stats_file[0] && write_stats_file(w.engine, cfg.stats_file))
		ret = EXIT_SETUP;
	sk_port_stop(&port);
	sk_engine_free(w.engine);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return ret;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synackd: command line (--help, --version and --check before the EAL
 * starts), EAL start-up, configuration, one port, one engine per worker
 * lcore (each with its own queues, flow-table shard, timers and counters),
 * signals (SIGTERM/SIGINT stop, SIGHUP reloads), final counters. The work
 * is in lib/ and drivers/.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "sk_client_figures.h"
#include "sk_client_report.h"
#include "sk_common.h"
#include "sk_config.h"
#include "sk_engine.h"
#include "sk_dispatch.h"
#include "sk_exit.h"
#include "sk_port.h"
#include "sk_reload.h"
#include "sk_siphash.h"
#include "sk_telemetry.h"
#include "sk_version.h"
#include "sk_worker.h"

/* Hand-over ring size per pair of workers (software dispatch). */
#define SK_DISPATCH_RING 1024

/* Set by the signal handlers: quit is read by every loop, hup by the
 * main lcore's housekeeping. */
static volatile int quit;
static volatile sig_atomic_t hup;

static struct sk_worker workers[SK_MAX_WORKERS];
static unsigned int n_workers;

/* client role on several workers: the next hop they share, and which
 * tuples each may open */
static struct sk_client_shared client_shared;
static struct sk_client_shared proxy_shared[SK_MAX_BACKENDS];
static struct sk_client_tuples client_tuples[SK_MAX_WORKERS];

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		hup = 1;
	else
		/* atomic: the workers read it, and any thread may take the
		 * signal */
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
		SK_LOG_APP(ERR, "stats file '%s': %s", tmp, strerror(errno));
		return -1;
	}
	snprintf(extra, sizeof(extra), "\"mbufs\": {\"pool\": %u, "
		"\"in_use_start\": %u, \"in_use_end\": %u}", mbufs_pool,
		mbufs_start, mbufs_end);
	sk_stats_json(&sum, f, extra);
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		SK_LOG_APP(ERR, "stats file '%s': %s", path,
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
		printf("{\"client\": {\"target\": \"%s\"",
			cfg->client_target);
#define SK_CLIENT_JSON(field, key, label, help) \
		printf(", \"" key "\": %" PRIu64, r.field);
		SK_FOREACH_CLIENT_COUNT(SK_CLIENT_JSON)
#undef SK_CLIENT_JSON
		printf(", \"open_s\": %.3f, \"run_s\": %.3f, \"cps\": %.1f, "
			"\"latency_us\": {\"count\": %" PRIu64 ", \"min\": %u, "
			"\"mean\": %.1f", r.open_s, r.run_s, r.cps, h->count,
			r.min_us, r.mean_us);
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
		SK_LOG_APP(ERR, "client: %s (%s)", r.error,
			cfg->client_target);
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

/* Addresses as "A.B.C.D/P 2001:db8::2/P" (IPv6 in RFC 5952 form) and
 * listeners as "80:http 7:echo". */
static void
print_addrs_listen(FILE *f, const struct sk_config *c)
{
	for (unsigned int i = 0; i < c->n_addrs; i++) {
		const uint8_t *a = (const uint8_t *)&c->addrs[i].addr;

		fprintf(f, " %u.%u.%u.%u/%u", a[0], a[1], a[2], a[3],
			c->addrs[i].prefix);
	}
	for (unsigned int i = 0; i < c->n_addrs6; i++) {
		char s[INET6_ADDRSTRLEN];

		if (inet_ntop(AF_INET6, c->addrs6[i].addr, s, sizeof(s)) ==
				NULL)
			snprintf(s, sizeof(s), "?");
		fprintf(f, " %s/%u", s, c->addrs6[i].prefix);
	}
	fprintf(f, ", listening");
	for (unsigned int i = 0; i < c->n_listen; i++)
		fprintf(f, " %u:%s", c->listen[i].port,
			sk_app_name(c->listen[i].app));
	if (c->n_listen == 0)
		fprintf(f, " nowhere");
}

/* The "synackd: ready" line: tests and usertools/demo parse it on stdout,
 * so it stays a plain line there (not a log line). */
static void
describe(const struct sk_config *c, const struct sk_port *p,
		const struct sk_port *in, const struct sk_dispatch *d)
{
	char mac[RTE_ETHER_ADDR_FMT_SIZE];

	rte_ether_format_addr(mac, sizeof(mac), &p->mac);
	printf("synackd: ready: port %u (%s, %s) mac %s, ", p->id,
		p->name, p->driver, mac);
	if (in != NULL) {
		rte_ether_format_addr(mac, sizeof(mac), &in->mac);
		printf("backends on port %u (%s, %s) mac %s, ", in->id,
			in->name, in->driver, mac);
	}
	printf("addresses");
	print_addrs_listen(stdout, c);
	if (sk_config_is_client(c))
		printf(", client to %s", c->client_target);
	printf(", offloads tx-ip %s tx-tcp %s rx %s, %u worker%s (%s), "
		"cookies siphash %s, link %s\n",
		p->tx_ip_cksum && (in == NULL || in->tx_ip_cksum) ? "on" : "off",
		p->tx_tcp_cksum && (in == NULL || in->tx_tcp_cksum) ? "on" :
			"off",
		p->rx_cksum && (in == NULL || in->rx_cksum) ? "on" : "off",
		d->n, d->n > 1 ? "s" : "",
		d->n == 1 ? "one queue" : d->software ?
			"software dispatch" : p->rss ? "RSS" :
			"device flow steering",
		sk_siphash_impl_current(),
		!p->link_known ? "unknown" : p->link_up ? "up" : "down");
	fflush(stdout);
}

/* --- the command line, before the EAL ------------------------------------ */

/* synackd's options as given (argv[0] first), kept for SIGHUP: a reload
 * reads the same files and applies the same options over them. */
static int sk_argc;
static char **sk_argv;

/* "  N  text" wrapped at 78 columns, continued under the text. */
static void
print_wrapped(unsigned int code, const char *text)
{
	const char *p = text;
	int col = printf("  %u ", code);

	while (*p != '\0') {
		const char *sp = strchr(p, ' ');
		int len = sp != NULL ? (int)(sp - p) : (int)strlen(p);

		if (col + 1 + len > 78)
			col = printf("\n    ") - 1;
		col += printf(" %.*s", len, p);
		p += len;
		while (*p == ' ')
			p++;
	}
	printf("\n");
}

static void
usage(const char *prog)
{
	sk_config_usage(stdout, prog);
	printf("\n"
		"synackd's options go after \"--\", EAL options before it:\n"
		"  synackd [EAL options] -- [options]\n"
		"  synackd --check [options]   check the configuration file "
		"and the options,\n"
		"                              start nothing, print the result "
		"(exit 0 or 1)\n"
		"  synackd --eal-help          DPDK's own list of EAL options\n"
		"  synackd --help-man          the options and the file's keys "
		"as groff (man page)\n"
		"Common EAL options: -l CORES or --lcores MAP (the first lcore "
		"is the main one,\n"
		"the others are workers), -a PCI_ADDRESS, --vdev "
		"DEVICE[,ARGS], --no-pci,\n"
		"--file-prefix NAME (also synackctl's -p), --huge-unlink, "
		"--no-huge -m MB,\n"
		"--log-level=synack.*:debug (log types synack.engine, "
		"synack.port,\n"
		"synack.config, synack.app), --syslog FACILITY.\n"
		"\n"
		"Signals: SIGTERM or SIGINT stop with the final counters; "
		"SIGHUP re-reads the\n"
		"configuration and applies what can change live "
		"(docs/operations.md).\n"
		"\n"
		"Exit codes:\n");
#define SK_EXIT_HELP(n, v, text) print_wrapped(v, text);
	SK_FOREACH_EXIT(SK_EXIT_HELP)
#undef SK_EXIT_HELP
}

/* DPDK's usage text: the EAL prints it for --help and exits before it
 * touches hugepages, devices or /var/run/dpdk. */
static int
eal_help(const char *prog)
{
	char *args[] = { (char *)(uintptr_t)prog, (char *)(uintptr_t)"--help",
		NULL };

	rte_eal_init(2, args);
	return SK_EXIT_OK;
}

static const char *const log_level_names[] = {
	NULL, "emergency", "alert", "critical", "error", "warning", "notice",
	"info", "debug",
};

static int
parse_level(const char *s, size_t len)
{
	char *end;
	unsigned long v;

	for (unsigned int i = 1; i < RTE_DIM(log_level_names); i++)
		if (strlen(log_level_names[i]) == len &&
				strncasecmp(s, log_level_names[i], len) == 0)
			return (int)i;
	v = strtoul(s, &end, 10);
	if (end == s + len && len > 0 && v >= RTE_LOG_EMERG &&
			v <= RTE_LOG_DEBUG)
		return (int)v;
	return -1;
}

/*
 * [log] level: "LEVEL" or "PATTERN:LEVEL" items separated by commas, as
 * the EAL's --log-level (a bare level is the global one). Checked, and
 * applied when @p apply. Returns 0 or -1 with a message in @p err.
 */
static int
log_levels(const char *spec, bool apply, char *err, size_t errlen)
{
	char item[128], pattern[128];
	const char *p = spec, *comma, *colon;
	size_t len;
	int level;

	while (*p != '\0') {
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (len == 0 || len >= sizeof(item)) {
			snprintf(err, errlen, "[log] level: empty or too long "
				"item in '%s'", spec);
			return -1;
		}
		memcpy(item, p, len);
		item[len] = '\0';
		colon = strrchr(item, ':');
		if (colon == NULL) {
			pattern[0] = '\0';
			level = parse_level(item, len);
		} else {
			snprintf(pattern, sizeof(pattern), "%.*s",
				(int)(colon - item), item);
			level = parse_level(colon + 1, strlen(colon + 1));
		}
		if (level < 0 || (colon != NULL && pattern[0] == '\0')) {
			snprintf(err, errlen, "[log] level: '%s' is not "
				"[PATTERN:]LEVEL (LEVEL: emergency, alert, "
				"critical, error, warning, notice, info, debug "
				"or 1..8)", item);
			return -1;
		}
		if (apply) {
			if (pattern[0] == '\0')
				rte_log_set_global_level((uint32_t)level);
			else
				rte_log_set_level_pattern(pattern,
					(uint32_t)level);
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* The configuration of @p argv (synackd's options, argv[0] first): parsed
 * over the defaults and checked. Returns 0, 1 (--help or --version
 * handled), or -1 with a message in @p err. */
static int
read_config(struct sk_config *c, int argc, char **argv, char *err,
		size_t errlen)
{
	int ret;

	sk_config_defaults(c);
	ret = sk_config_parse_args(c, argc, argv, err, errlen);
	if (ret != 0)
		return ret;
	if (sk_config_finalize(c, err, errlen) != 0 ||
			log_levels(c->log_level, false, err, errlen) != 0)
		return -1;
	return 0;
}

/* --check: what a start would use, or the one error; touches nothing. */
static int
check(const struct sk_config *c)
{
	printf("synackd: check: configuration valid: addresses");
	print_addrs_listen(stdout, c);
	if (sk_config_is_client(c))
		printf(", client to %s", c->client_target);
	printf(", port %s, %u flows per worker\n",
		c->port[0] ? c->port : "(the first one)", c->flow_capacity);
	printf("# effective configuration (the secret not shown)\n");
	sk_config_print(c, stdout);
	fflush(stdout);
	return SK_EXIT_OK;
}

/* Why the EAL failed, with a hint only where one is known to help. */
static void
eal_failed(int e)
{
	const char *hint = "";

	if (e == ENOMEM || e == EACCES)
		hint = " (memory or hugepages: reserve some, e.g. "
			"dpdk-hugepages.py -p 2M --setup 512M, or add the EAL "
			"options --no-huge -m 512)";
	else if (e == EINVAL)
		hint = " (a wrong EAL option, see the message above: EAL "
			"options go before \"--\", synackd's after it; "
			"synackd --help)";
	else if (e == EALREADY)
		hint = " (the EAL is already running in this process)";
	SK_LOG_APP(ERR, "EAL initialisation failed: %s%s", rte_strerror(e),
		hint);
}

static bool
is_arg(const char *a, const char *s1, const char *s2)
{
	return strcmp(a, s1) == 0 || (s2 != NULL && strcmp(a, s2) == 0);
}

/*
 * Everything synackd can decide without the EAL. Returns -1 to go on and
 * start, or an exit code. Fills sk_argc/sk_argv and @p c.
 */
static int
before_eal(int argc, char **argv, int *eal_argc, struct sk_config *c)
{
	char err[512];
	bool checking = false;
	int dd, i, ret;

	for (dd = 1; dd < argc && strcmp(argv[dd], "--") != 0; dd++)
		;
	*eal_argc = dd;
	sk_argv = calloc((size_t)argc + 1, sizeof(*sk_argv));
	if (sk_argv == NULL)
		return SK_EXIT_SETUP;
	sk_argv[sk_argc++] = argv[0];
	/* before "--": the EAL's, but for ours that start nothing */
	for (i = 1; i < dd; i++) {
		if (is_arg(argv[i], "-h", "--help")) {
			usage(argv[0]);
			return SK_EXIT_OK;
		}
		if (is_arg(argv[i], "-V", "--version")) {
			printf("synackd %s\n", SK_VERSION);
			return SK_EXIT_OK;
		}
		if (is_arg(argv[i], "--eal-help", NULL))
			return eal_help(argv[0]);
		if (is_arg(argv[i], "--help-man", NULL)) {
			/* docs/man/synackd.8's options, from the key table */
			sk_config_man(stdout);
			return SK_EXIT_OK;
		}
		if (is_arg(argv[i], "--check", NULL))
			checking = true;
	}
	if (checking && dd == argc) {
		/* synackd --check -f FILE: no EAL part at all */
		for (i = 1; i < dd; i++)
			if (!is_arg(argv[i], "--check", NULL))
				sk_argv[sk_argc++] = argv[i];
	} else {
		for (i = 1; i < dd; i++)
			if (is_arg(argv[i], "-f", "--config")) {
				SK_LOG_CONFIG(ERR, "'%s' is synackd's option: put "
					"it after \"--\" (synackd [EAL options] "
					"-- -f FILE), or check a file with "
					"synackd --check -f FILE", argv[i]);
				return SK_EXIT_CONFIG;
			}
		for (i = dd + 1; i < argc; i++) {
			if (is_arg(argv[i], "--check", NULL))
				checking = true;
			else
				sk_argv[sk_argc++] = argv[i];
		}
	}
	ret = read_config(c, sk_argc, sk_argv, err, sizeof(err));
	if (ret == 1)
		return SK_EXIT_OK;
	if (ret != 0) {
		SK_LOG_CONFIG(ERR, "%s", err);
		return SK_EXIT_CONFIG;
	}
	if (checking)
		return check(c);
	return -1;
}

/* --- the main lcore's periodic work ---------------------------------------- */

static struct {
	struct sk_config cfg;       /* running configuration */
	struct sk_config next;      /* published to the workers (reload) */
	uint32_t gen;               /* last generation published */
	bool on_main;               /* the only worker runs here */
	bool secret_set;            /* given by the configuration */
	uint64_t secret_digest;     /* of that secret (the secret is wiped) */
	const struct sk_port *port;
	uint64_t hz;
	uint64_t next_print;        /* --stats-interval */
	uint64_t next_progress;     /* client role, every second */
	uint64_t last_attempted;
	unsigned int sec;
	/* TCP checksums failing: drop_tcp_cksum and rx_tcp at the last good
	 * TCP segment, looked at once a second */
	uint64_t next_cksum, cksum_drops, cksum_good;  /* check_cksum() */
	bool cksum_warned;
	/* the port's link, looked at once a second (check_link()) */
	struct sk_port *link_port;
	uint64_t link_warn_at;
	bool link_was_up, link_warned;
} hk;

#define SK_DIGEST_K0 0x73796e61636b6421ull  /* any constant: a digest */
#define SK_DIGEST_K1 0x7365637265742121ull

static uint64_t
secret_digest(const struct sk_config *c)
{
	return sk_siphash(SK_DIGEST_K0, SK_DIGEST_K1, c->secret,
		sizeof(c->secret));
}

/* Wait (bounded) until every worker applied generation hk.gen. */
static bool
workers_applied(unsigned int wait_ms)
{
	for (unsigned int t = 0;; t++) {
		bool all = true;

		for (unsigned int i = 0; i < n_workers; i++)
			if (__atomic_load_n(&workers[i].reload_done,
					__ATOMIC_ACQUIRE) != hk.gen)
				all = false;
		if (all || t >= wait_ms)
			return all;
		usleep(1000);
	}
}

/*
 * SIGHUP: read the configuration again (the same files, the same options
 * over them), check it, and hand the live part to every worker, which
 * applies it between two bursts. On any error the running configuration
 * stays, whole.
 */
static void
reload(void)
{
	static struct sk_config nc;
	char err[512], live[1536], fixed[256];
	bool secret_differs;
	unsigned int n;

	if (!workers_applied(0)) {
		SK_LOG_CONFIG(ERR, "reload: a worker has not applied the "
			"previous reload yet: try again");
		return;
	}
	if (read_config(&nc, sk_argc, sk_argv, err, sizeof(err)) != 0) {
		SK_LOG_CONFIG(ERR, "reload: %s: kept the running configuration",
			err);
		return;
	}
	secret_differs = nc.secret_set != hk.secret_set ||
		(nc.secret_set && secret_digest(&nc) != hk.secret_digest);
	memset(nc.secret, 0, sizeof(nc.secret));
	n = sk_reload_diff(&hk.cfg, &nc, secret_differs, live, sizeof(live),
		fixed, sizeof(fixed));
	if (fixed[0] != '\0')
		SK_LOG_CONFIG(WARNING, "reload: not changed, needs a restart: "
			"%s", fixed);
	if (n == 0) {
		SK_LOG_CONFIG(INFO, "reload: nothing to change live");
		return;
	}
	/* what the workers get: the running configuration with the live
	 * part of the new one */
	hk.next = hk.cfg;
	sk_reload_merge(&hk.next, &nc);
	hk.gen++;
	for (unsigned int i = 0; i < n_workers; i++) {
		workers[i].reload_cfg = &hk.next;
		__atomic_store_n(&workers[i].reload_gen, hk.gen,
			__ATOMIC_RELEASE);
	}
	if (hk.on_main)
		sk_worker_reload_poll(&workers[0]);
	if (!workers_applied(2000)) {
		SK_LOG_CONFIG(ERR, "reload: a worker did not take the new "
			"configuration within 2 s (it will between two bursts)");
	}
	for (unsigned int i = 0; i < n_workers; i++)
		if (workers[i].reload_ret != 0)
			SK_LOG_CONFIG(ERR, "reload: worker %u refused the cookie "
				"parameters (%s): kept its own", i,
				strerror(-workers[i].reload_ret));
	if (hk.cfg.stats_interval_ms != hk.next.stats_interval_ms)
		hk.next_print = rte_rdtsc() + (uint64_t)
			hk.next.stats_interval_ms * (hk.hz / 1000);
	log_levels(hk.next.log_level, true, err, sizeof(err));
	hk.cfg = hk.next;
	SK_LOG_CONFIG(NOTICE, "reload: applied: %s", live);
}

/* A kernel peer (veth, tap) with TX checksum offload leaves TCP checksums
 * partial: every segment fails ours, and connections just time out (a SYN
 * retransmitted at 1, 2, 4 s...). Said once, after SK_CKSUM_WARN bad TCP
 * checksums with not one good TCP segment since. */
#define SK_CKSUM_WARN 3

static void
check_cksum(void)
{
	struct sk_stats s;
	uint64_t drops;

	sum_counters(&s);
	if (s.rx_tcp != hk.cksum_good) {
		/* good TCP: count the bad ones from here */
		hk.cksum_good = s.rx_tcp;
		hk.cksum_drops = s.drop_tcp_cksum;
		return;
	}
	drops = s.drop_tcp_cksum - hk.cksum_drops;
	if (hk.cksum_warned || drops < SK_CKSUM_WARN)
		return;
	hk.cksum_warned = true;
	SK_LOG_PORT(WARNING, "port %u (%s): %" PRIu64 " TCP segments with a "
		"bad checksum and not one good: the peer leaves TCP checksums "
		"partial (checksum offload of a veth or tap): run "
		"`ethtool -K PEER tx off` on the peer interface",
		hk.port->id, hk.port->name, drops);
}

/* The link: every change said, and a warning when it is still down a
 * while after the start (no cable or peer, or a start that failed though
 * the driver said it worked). */
static void
check_link(uint64_t now)
{
	struct sk_port *p = hk.link_port;
	bool was = p->link_up;

	if (!p->link_known)
		return;
	sk_port_link_update(p);
	if (p->link_up != was) {
		if (p->link_up)
			SK_LOG_PORT(INFO, "port %u (%s): link up, %u Mb/s",
				p->id, p->name, p->link_speed);
		else
			SK_LOG_PORT(WARNING, "port %u (%s): link down", p->id,
				p->name);
	}
	hk.link_was_up |= p->link_up;
	if (!hk.link_was_up && !hk.link_warned && now >= hk.link_warn_at) {
		hk.link_warned = true;
		SK_LOG_PORT(WARNING, "port %u (%s): link still down %u s after "
			"the start: no cable or peer yet, or the device did not "
			"really start (see the driver's messages above)", p->id,
			p->name, SK_PORT_LINK_WARN_MS / 1000);
	}
}

/* Signals, counters, the client's progress: every 100 ms (10 ms with a
 * client role) on the main lcore, or between bursts when the only worker
 * runs there. */
static void
housekeeping(void *arg)
{
	uint64_t now = rte_rdtsc();

	(void)arg;
	if (hup) {
		hup = 0;
		reload();
	}
	if (sk_config_is_client(&hk.cfg) && !hk.on_main) {
		if (client_all_done()) {
			__atomic_store_n(&quit, 1, __ATOMIC_RELAXED);
			return;
		}
		if (now >= hk.next_progress) {
			client_progress(++hk.sec, &hk.last_attempted);
			hk.next_progress += hk.hz;
		}
	}
	if (hk.cfg.stats_interval_ms && now >= hk.next_print) {
		printf("synackd: counters\n");
		print_counters(stdout);
		fflush(stdout);
		hk.next_print = now + (uint64_t)hk.cfg.stats_interval_ms *
			(hk.hz / 1000);
	}
	if (now >= hk.next_cksum) {
		check_cksum();
		check_link(now);
		hk.next_cksum = now + hk.hz;
	}
}

int
main(int argc, char **argv)
{
	struct sk_engine_params par = { 0 };
	struct sk_telemetry_worker tw[SK_MAX_WORKERS];
	struct sk_telemetry_params tp = { 0 };
	static struct sk_dispatch disp;
	unsigned int lcores[SK_MAX_WORKERS] = { 0 };
	static struct sk_config cfg;
	struct sigaction sa;
	struct rte_mempool *pool;
	struct sk_port port;
	static struct sk_port in_port;  /* [proxy] port: two arms */
	uint16_t port_ids[2];
	bool two_arm;
	char err[512];
	bool secret_random, on_main = false, tel_busy = false;
	unsigned int lcore, need;
	uint16_t port_id;
	uint64_t t0;
	int ret, eal_argc;

	ret = before_eal(argc, argv, &eal_argc, &cfg);
	if (ret >= 0)
		return ret;

	/* until the port's queues are set up: net_tap polls its queues
	 * rather than wait for a signal per frame (drivers/sk_port.h) */
	sk_port_tap_poll_begin();
	ret = rte_eal_init(eal_argc, argv);
	if (ret < 0) {
		eal_failed(rte_errno);
		return SK_EXIT_SETUP;
	}
	/* checked by read_config(): this cannot fail */
	log_levels(cfg.log_level, true, err, sizeof(err));
	/* From here a signal never kills: SIGTERM/SIGINT during the set-up
	 * stop right after it, a SIGHUP is taken at the first look. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;  /* as signal() did: DPDK's threads too */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	/* One secret for every lcore: engines sharing a secret derive the
	 * same keys, so a cookie checks on whichever worker owns the flow. */
	secret_random = !cfg.secret_set;
	hk.secret_set = cfg.secret_set;
	if (cfg.secret_set)
		hk.secret_digest = secret_digest(&cfg);
	if (!cfg.secret_set) {
		if (getrandom(cfg.secret, sizeof(cfg.secret), 0) !=
				sizeof(cfg.secret)) {
			SK_LOG_APP(ERR, "getrandom: %s", strerror(errno));
			rte_eal_cleanup();
			return SK_EXIT_SETUP;
		}
		cfg.secret_set = true;
	}

	/* Workers: every lcore but the main one, which does control and
	 * telemetry; with a single lcore, the main one works too. */
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (n_workers == SK_MAX_WORKERS) {
			SK_LOG_APP(ERR, "more than %u worker lcores",
				SK_MAX_WORKERS);
			rte_eal_cleanup();
			return SK_EXIT_CONFIG;
		}
		lcores[n_workers++] = lcore;
	}
	if (n_workers == 0) {
		lcores[n_workers++] = rte_get_main_lcore();
		on_main = true;
	}

	if (sk_port_find(cfg.port, &port_id, err, sizeof(err)) != 0) {
		SK_LOG_PORT(ERR, "%s", err);
		rte_eal_cleanup();
		return SK_EXIT_SETUP;
	}
	/* Descriptor rings, per-lcore caches and a burst in flight per
	 * worker must fit in the pool, or RX starves silently. */
	two_arm = cfg.proxy_port[0] != '\0';
	if (two_arm) {
		if (sk_port_find(cfg.proxy_port, &in_port.id, err,
				sizeof(err)) != 0) {
			/* (its messages name [port] device: "port: ...") */
			SK_LOG_PORT(ERR, "[proxy] port: %s",
				strncmp(err, "port: ", 6) == 0 ? err + 6 : err);
			rte_eal_cleanup();
			return SK_EXIT_SETUP;
		}
		if (in_port.id == port_id) {
			SK_LOG_CONFIG(ERR, "[proxy] port '%s' is port %u, the "
				"clients' port ([port] device '%s') too: two "
				"arms need two ports", cfg.proxy_port,
				port_id, cfg.port);
			rte_eal_cleanup();
			return SK_EXIT_CONFIG;
		}
	}
	/* (a second port: its rings and bursts too) */
	need = (two_arm ? 2 : 1) * n_workers * (cfg.rx_desc + cfg.tx_desc +
		256u + 2u * SK_BURST_MAX) + n_workers * (n_workers - 1) *
		SK_BURST_MAX;
	if (cfg.mbufs < need) {
		SK_LOG_CONFIG(ERR, "[port] mbufs %u too small for %u worker(s) "
			"with %u RX / %u TX descriptors: need at least %u "
			"(--mbufs)", cfg.mbufs, n_workers, cfg.rx_desc,
			cfg.tx_desc, need);
		rte_eal_cleanup();
		return SK_EXIT_CONFIG;
	}
	pool = rte_pktmbuf_pool_create("sk_mbufs", cfg.mbufs,
			RTE_MIN(256u, cfg.mbufs / 4), 0,
			RTE_MBUF_DEFAULT_BUF_SIZE, rte_eth_dev_socket_id(port_id));
	if (pool == NULL) {
		SK_LOG_APP(ERR, "mbuf pool of %u: %s (not enough hugepage "
			"memory? raise nr_hugepages or lower [port] mbufs)",
			cfg.mbufs, rte_strerror(rte_errno));
		rte_eal_cleanup();
		return SK_EXIT_SETUP;
	}
	ret = sk_port_start(port_id, n_workers, cfg.rx_desc, cfg.tx_desc, pool,
			&port, err, sizeof(err));
	if (ret == 0 && two_arm) {
		ret = sk_port_start(in_port.id, n_workers, cfg.rx_desc,
				cfg.tx_desc, pool, &in_port, err, sizeof(err));
		if (ret != 0) {
			SK_LOG_PORT(ERR, "[proxy] port: %s", err);
			if (in_port.unclosable)
				return SK_EXIT_SETUP;
			sk_port_stop(&port);
			rte_mempool_free(pool);
			rte_eal_cleanup();
			return SK_EXIT_SETUP;
		}
	}
	sk_port_tap_poll_end();
	if (ret != 0) {
		SK_LOG_PORT(ERR, "%s", err);
		if (port.unclosable)  /* see sk_port_start(): exit as is */
			return SK_EXIT_SETUP;
		rte_mempool_free(pool);
		rte_eal_cleanup();
		return SK_EXIT_SETUP;
	}
	if (strcmp(port.driver, "net_tap") == 0 ||
			(two_arm && strcmp(in_port.driver, "net_tap") == 0))
		SK_LOG_PORT(INFO, "net_tap: queues read at every poll, "
			"without net_tap's signal per frame (its \"rt-signals "
			"in use\" lines above say so)");
	if (cfg.n_addrs6 != 0) {
		/* the groups of our addresses and of the client's sources
		 * (up to SK_PORT_MC_MAX of them: more take all-multicast) */
		static uint8_t a6[SK_MAX_ADDRS + SK_PORT_MC_MAX + 1][16];
		const struct sk_client_cfg *cc = &cfg.client;
		unsigned int n6 = 0;

		for (unsigned int i = 0; i < cfg.n_addrs6; i++)
			memcpy(a6[n6++], cfg.addrs6[i].addr, 16);
		if (sk_config_is_client(&cfg) && cc->ready && cc->v6) {
			for (uint64_t v = cc->src_lo; v <= cc->src_hi &&
					n6 < RTE_DIM(a6); v++) {
				uint32_t w = rte_cpu_to_be_32((uint32_t)v);

				memcpy(a6[n6], cc->src6, 12);
				memcpy(a6[n6++] + 12, &w, 4);
			}
		}
		for (unsigned int k = 0; k < (two_arm ? 2u : 1u); k++) {
			struct sk_port *pk = k == 0 ? &port : &in_port;

			if (sk_port_ipv6_groups(pk,
					(const uint8_t (*)[16])a6, n6) != 0)
				SK_LOG_PORT(WARNING, "port %u (%s): takes "
					"neither a multicast list nor "
					"all-multicast: IPv6 neighbours may "
					"not find synackd", pk->id, pk->name);
			else
				SK_LOG_PORT(INFO, "port %u (%s): IPv6 "
					"multicast: %s", pk->id, pk->name,
					pk->mcast);
		}
	}
	/* A client role or a proxy on a steering device (net_tap) is
	 * dispatched in software too: tun steers a flow's frames to the
	 * queue it last wrote, but computes the queue of a SYN-ACK (to our
	 * SYN, or the backend's to the proxy) before it knows the flow. */
	/* Two arms: RSS only where both ports hash alike (same key, same
	 * table size), else software dispatch for both. */
	if (sk_dispatch_init(&disp, n_workers, two_arm ? !(port.rss &&
			in_port.rss && port.reta_size == in_port.reta_size) :
			!port.rss && (!port.steer ||
			sk_config_is_client(&cfg) || sk_config_is_proxy(&cfg)),
			port.reta_size, SK_DISPATCH_RING, port.socket_id, err,
			sizeof(err)) != 0) {
		SK_LOG_APP(ERR, "%s", err);
		ret = SK_EXIT_SETUP;
		goto stop_port;
	}
	disp.rss = port.rss && (!two_arm || in_port.rss);
	disp.rss6 = port.rss6 && (!two_arm || in_port.rss6);

	par.mac = port.mac;
	par.pool = pool;
	par.tsc_hz = rte_get_tsc_hz();
	t0 = rte_rdtsc();
	par.wall_ms_at_zero = wall_ms() - t0 / (par.tsc_hz / 1000);
	/* the offloads both ports have: a frame may leave by either */
	par.tx_ip_cksum = port.tx_ip_cksum && (!two_arm || in_port.tx_ip_cksum);
	par.tx_tcp_cksum = port.tx_tcp_cksum &&
		(!two_arm || in_port.tx_tcp_cksum);
	par.rx_cksum = port.rx_cksum && (!two_arm || in_port.rx_cksum);
	par.two_arm = two_arm;
	par.port_id = port_id;
	par.inside_port = in_port.id;
	par.inside_mac = in_port.mac;
	if (sk_config_is_client(&cfg) && n_workers > 1) {
		/* each worker opens its share, on tuples that come back to it */
		par.client_parts = n_workers;
		par.client_shared = &client_shared;
		par.client_tuple_ok = sk_dispatch_client_tuple_ok;
		par.client_tuple6_ok = sk_dispatch_client_tuple6_ok;
	}
	if (sk_config_is_proxy(&cfg) && n_workers > 1) {
		/* a backend connection on a tuple that comes back to the
		 * worker holding its client's side (docs/proxy.md) */
		par.proxy_shared = proxy_shared;
		par.client_tuple_ok = sk_dispatch_client_tuple_ok;
		par.client_tuple6_ok = sk_dispatch_client_tuple6_ok;
	}
	for (unsigned int i = 0; i < n_workers; i++) {
		struct sk_worker *w = &workers[i];

		client_tuples[i] = (struct sk_client_tuples){
			.d = &disp, .id = i,
		};
		par.client_part = i;
		/* [port] announce: the first worker tells the link our MAC
		 * (gratuitous ARP, unsolicited NA): a restart on net_tap
		 * brings a new one.
		 * Not into a capture file replayed (net_pcap) nor a ring
		 * (net_ring, often looped back to us): no peer there. */
		par.announce = cfg.announce && i == 0 &&
			strcmp(port.driver, "net_pcap") != 0 &&
			strcmp(port.driver, "net_ring") != 0;
		par.client_tuple_arg = &client_tuples[i];
		/* each shard on its own lcore's NUMA node */
		par.socket_id = (int)rte_lcore_to_socket_id(lcores[i]);
		w->engine = sk_engine_create(&cfg, &par, t0);
		if (w->engine == NULL) {
			SK_LOG_APP(ERR, "engine %u: %s", i,
				rte_strerror(rte_errno));
			ret = rte_errno == EINVAL ? SK_EXIT_CONFIG :
				SK_EXIT_SETUP;
			goto free_engines;
		}
		w->disp = &disp;
		w->quit = &quit;
		w->port = port_id;
		w->rxq = i < port.n_rxq ? (uint16_t)i : UINT16_MAX;
		w->txq = (uint16_t)i;
		w->two_arm = two_arm;
		w->in_port = in_port.id;
		w->in_rxq = two_arm && i < in_port.n_rxq ? (uint16_t)i :
			UINT16_MAX;
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
	port_ids[0] = port_id;
	port_ids[1] = in_port.id;
	tp.ports = port_ids;
	tp.n_ports = two_arm ? 2 : 1;
	tp.secret_random = secret_random;
	tp.pool = pool;
	ret = sk_telemetry_init(&tp);
	if (ret != 0) {
		SK_LOG_APP(ERR, "telemetry: %s", strerror(-ret));
		ret = SK_EXIT_SETUP;
		goto free_engines;
	}

	hk.cfg = cfg;
	hk.on_main = on_main;
	hk.port = &port;
	hk.hz = rte_get_tsc_hz();
	hk.next_progress = rte_rdtsc() + hk.hz;
	hk.next_print = rte_rdtsc() + (uint64_t)cfg.stats_interval_ms *
		(hk.hz / 1000);
	hk.next_cksum = rte_rdtsc() + hk.hz;
	hk.link_port = &port;
	hk.link_was_up = port.link_up;
	hk.link_warn_at = rte_rdtsc() + hk.hz * SK_PORT_LINK_WARN_MS / 1000;
	mbufs_pool = pool->size;
	mbufs_start = rte_mempool_in_use_count(pool);
	describe(&cfg, &port, two_arm ? &in_port : NULL, &disp);

	if (!on_main) {
		for (unsigned int i = 0; i < n_workers; i++)
			rte_eal_remote_launch(worker_main, &workers[i],
				lcores[i]);
		while (!__atomic_load_n(&quit, __ATOMIC_RELAXED)) {
			usleep(sk_config_is_client(&hk.cfg) ? 10 * 1000 :
				100 * 1000);
			housekeeping(NULL);
		}
		rte_eal_mp_wait_lcore();
		(void)__atomic_load_n(&workers_done, __ATOMIC_ACQUIRE);
	} else {
		workers[0].housekeeping = housekeeping;
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
	/* the final counters: tests and usertools/demo parse them on stdout */
	printf("synackd: stopping, final counters:\n");
	print_counters(stdout);
	printf("mbufs in use: %u at start, %u now (pool of %u)\n", mbufs_start,
		mbufs_end, mbufs_pool);
	fflush(stdout);
	ret = SK_EXIT_OK;
	if (sk_config_is_client(&cfg) && client_summary(&cfg) != 0)
		ret = SK_EXIT_SETUP;
	/* the stats file as configured now (a reload may have changed it) */
	if (hk.cfg.stats_file[0] && write_stats_file(hk.cfg.stats_file))
		ret = SK_EXIT_SETUP;
free_engines:
	if (tel_busy)  /* a telemetry handler may still read them */
		return ret;
	for (unsigned int i = 0; i < n_workers; i++)
		sk_engine_free(workers[i].engine);
	sk_dispatch_free(&disp, NULL);
stop_port:
	if (two_arm)
		sk_port_stop(&in_port);
	sk_port_stop(&port);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return ret;
}

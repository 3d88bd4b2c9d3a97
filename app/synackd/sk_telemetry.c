/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The /synack/ telemetry commands and the pdump server. Every handler runs
 * on a telemetry thread, never on a worker: it sums counters with relaxed
 * loads, copies flow entries it lists, and writes nothing the workers read.
 *
 * Replies must fit DPDK's telemetry limits (22.11): names of alphanumerics,
 * '_' or '/', strings under 128 bytes, 256 entries per dict, and a reply of
 * at most 16 KiB of JSON (what does not fit is silently left out by the
 * library, so the flow list budgets its own size and says "more").
 */

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_memory.h>
#include <rte_errno.h>
#include <rte_pdump.h>
#include <rte_telemetry.h>
#include <rte_version.h>

#include "sk_client_figures.h"
#include "sk_client_report.h"
#include "sk_common.h"
#include "sk_config.h"
#include "sk_engine.h"
#include "sk_stats.h"
#include "sk_telemetry.h"
#include "sk_version.h"

/* DPDK 22.11 telemetry: the largest reply, in bytes of JSON. */
#define TEL_MAX_OUTPUT 16384
/* What the flow list may use of it: the rest is the header and slack. */
#define FLOW_LIST_BUDGET (TEL_MAX_OUTPUT - 1024)
/* Flow list: default and largest N. */
#define FLOW_LIST_DEFAULT 100
#define FLOW_LIST_MAX 1000000
/* Entries in one dict, less room for the few fixed keys beside them. */
#define DICT_ROOM (RTE_TEL_MAX_DICT_ENTRIES - 8)

static struct {
	struct sk_telemetry_worker workers[RTE_MAX_LCORE];
	unsigned int n_workers;
	uint16_t ports[RTE_MAX_ETHPORTS];
	unsigned int n_ports;
	bool secret_random;
	const struct rte_mempool *pool;
	bool pdump;
	const char *pdump_off; /* why live capture is unavailable */
	uint64_t start_tsc;
} tel;

/* Handlers in progress, whether tel is set up (sk_telemetry_init) and
 * whether the engines are going away. */
static unsigned int tel_active;
static bool tel_ready, tel_stopping;

/* How long sk_telemetry_fini waits for handlers in progress. A handler
 * reads memory and asks the ethdev layer: it takes microseconds, unless a
 * driver call hangs. */
#define TEL_DRAIN_MS 5000

static int
tel_enter(void)
{
	if (!__atomic_load_n(&tel_ready, __ATOMIC_ACQUIRE))
		return -ENODEV;
	__atomic_add_fetch(&tel_active, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&tel_stopping, __ATOMIC_SEQ_CST)) {
		__atomic_sub_fetch(&tel_active, 1, __ATOMIC_SEQ_CST);
		return -ENODEV;
	}
	return 0;
}

static void
tel_leave(void)
{
	__atomic_sub_fetch(&tel_active, 1, __ATOMIC_SEQ_CST);
}

/*
 * Refuse new handlers, then wait (TEL_DRAIN_MS at most) for those in
 * progress. tel_enter's increment-then-check and this store-then-load are
 * both sequentially consistent, so once tel_active reads 0 here no handler
 * runs and none will touch an engine again. Returns 0, or -EBUSY when a
 * handler was still running at the bound.
 */
static int
tel_drain(void)
{
	uint64_t hz = rte_get_timer_hz(), deadline;

	__atomic_store_n(&tel_stopping, true, __ATOMIC_SEQ_CST);
	deadline = rte_get_timer_cycles() + hz * TEL_DRAIN_MS / 1000;
	while (__atomic_load_n(&tel_active, __ATOMIC_SEQ_CST) != 0) {
		if (rte_get_timer_cycles() >= deadline)
			return -EBUSY;
		usleep(1000);
	}
	return 0;
}

/* --- parameters ---------------------------------------------------------- */

/* A decimal number in [min, max] ending at ',' or the end; *s moves past
 * it and the comma. Returns 0 or -EINVAL. */
static int
parse_uint(const char **s, uint64_t min, uint64_t max, uint64_t *out)
{
	const char *p = *s;
	uint64_t v = 0;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (*p == ',')
		p++;
	else if (*p != '\0')
		return -EINVAL;
	if (v < min || v > max)
		return -EINVAL;
	*s = p;
	*out = v;
	return 0;
}

static bool
no_params(const char *params)
{
	return params == NULL || params[0] == '\0';
}

/* --- shared pieces ----------------------------------------------------- */

static void
sum_stats(struct sk_stats *sum, const struct sk_engine *only)
{
	memset(sum, 0, sizeof(*sum));
	for (unsigned int i = 0; i < tel.n_workers; i++)
		if (only == NULL || tel.workers[i].engine == only)
			sk_stats_accumulate(sum, sk_engine_stats(tel.workers[i].engine));
}

static uint64_t
flow_total(const struct sk_stats *s)
{
	uint64_t n = 0;

	for (unsigned int st = 1; st < SK_ST_MAX; st++)
		n += s->flows[st];
	return n;
}

/* A dict of the live flows per state (FREE left out). */
static struct rte_tel_data *
states_dict(const struct sk_stats *s)
{
	struct rte_tel_data *d = rte_tel_data_alloc();

	if (d == NULL)
		return NULL;
	rte_tel_data_start_dict(d);
	for (unsigned int st = 1; st < SK_ST_MAX; st++)
		rte_tel_data_add_dict_u64(d, sk_state_name(st), s->flows[st]);
	return d;
}

/* {"counters": {...}, "flows": {...}, "flow_count": N}, the same layout as
 * synackd's --stats-file. */
static int
add_stats(struct rte_tel_data *d, const struct sk_stats *s)
{
	const uint64_t *v = (const uint64_t *)s;
	struct rte_tel_data *c = rte_tel_data_alloc();
	struct rte_tel_data *f = states_dict(s);

	if (c == NULL || f == NULL) {
		rte_tel_data_free(c);
		rte_tel_data_free(f);
		return -ENOMEM;
	}
	rte_tel_data_start_dict(c);
	for (size_t i = 0; i < SK_STATS_N; i++)
		rte_tel_data_add_dict_u64(c, sk_stats_names[i], v[i]);
	rte_tel_data_add_dict_container(d, "counters", c, 0);
	rte_tel_data_add_dict_container(d, "flows", f, 0);
	rte_tel_data_add_dict_u64(d, "flow_count", flow_total(s));
	return 0;
}

static struct rte_tel_data *
lcore_array(void)
{
	struct rte_tel_data *a = rte_tel_data_alloc();

	if (a == NULL)
		return NULL;
	rte_tel_data_start_array(a, RTE_TEL_U64_VAL);
	for (unsigned int i = 0; i < tel.n_workers; i++)
		rte_tel_data_add_array_u64(a, tel.workers[i].lcore);
	return a;
}

static const struct sk_telemetry_worker *
worker_of_lcore(uint64_t lcore)
{
	for (unsigned int i = 0; i < tel.n_workers; i++)
		if (tel.workers[i].lcore == lcore)
			return &tel.workers[i];
	return NULL;
}

/* --- /synack/stats ------------------------------------------------------ */

static int
cmd_stats(struct rte_tel_data *d, const char *params)
{
	struct sk_stats sum;

	if (!no_params(params))
		return -EINVAL;
	sum_stats(&sum, NULL);
	rte_tel_data_start_dict(d);
	return add_stats(d, &sum);
}

static int
cmd_stats_help(struct rte_tel_data *d, const char *params)
{
	if (!no_params(params))
		return -EINVAL;
	rte_tel_data_start_dict(d);
	for (size_t i = 0; i < SK_STATS_N; i++)
		rte_tel_data_add_dict_string(d, sk_stats_names[i],
			sk_stats_help[i]);
	return 0;
}

/* --- /synack/lcores[,ID] ------------------------------------------------ */

static int
cmd_lcores(struct rte_tel_data *d, const char *params)
{
	const struct sk_telemetry_worker *only = NULL;
	struct rte_tel_data *ids;
	uint64_t id;
	int ret;

	if (!no_params(params)) {
		if (parse_uint(&params, 0, RTE_MAX_LCORE - 1, &id) != 0 ||
				*params != '\0')
			return -EINVAL;
		only = worker_of_lcore(id);
		if (only == NULL)
			return -EINVAL;
	}
	rte_tel_data_start_dict(d);
	ids = lcore_array();
	if (ids == NULL)
		return -ENOMEM;
	rte_tel_data_add_dict_container(d, "lcores", ids, 0);
	for (unsigned int i = 0; i < tel.n_workers; i++) {
		const struct sk_telemetry_worker *w = &tel.workers[i];
		struct rte_tel_data *l;
		struct sk_stats s;
		char name[16];

		if (only != NULL && w != only)
			continue;
		l = rte_tel_data_alloc();
		if (l == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(l);
		rte_tel_data_add_dict_u64(l, "lcore", w->lcore);
		rte_tel_data_add_dict_u64(l, "socket",
			rte_lcore_to_socket_id(w->lcore));
		sum_stats(&s, w->engine);
		ret = add_stats(l, &s);
		if (ret != 0) {
			rte_tel_data_free(l);
			return ret;
		}
		snprintf(name, sizeof(name), "%u", w->lcore);
		rte_tel_data_add_dict_container(d, name, l, 0);
	}
	return 0;
}

/* --- /synack/ports[,ID] ------------------------------------------------- */

/* Telemetry names allow only alphanumerics, '_' and '/'. */
static void
tel_name(char *dst, size_t len, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < len && src[i] != '\0'; i++) {
		char c = src[i];

		dst[i] = ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == '/') ? c : '_';
	}
	dst[i] = '\0';
}

static struct rte_tel_data *
xstats_dict(uint16_t port)
{
	struct rte_eth_xstat_name *names = NULL;
	struct rte_eth_xstat *vals = NULL;
	struct rte_tel_data *x;
	bool all;
	int n;

	x = rte_tel_data_alloc();
	if (x == NULL)
		return NULL;
	rte_tel_data_start_dict(x);
	n = rte_eth_xstats_get_names(port, NULL, 0);
	if (n <= 0)
		return x;
	names = calloc((size_t)n, sizeof(*names));
	vals = calloc((size_t)n, sizeof(*vals));
	if (names == NULL || vals == NULL ||
			rte_eth_xstats_get_names(port, names, n) != n ||
			rte_eth_xstats_get(port, vals, n) != n)
		goto out;
	/* A NIC with hundreds of xstats: only the non-zero ones fit. */
	all = (unsigned int)n <= DICT_ROOM;
	for (int i = 0; i < n; i++) {
		char name[RTE_ETH_XSTATS_NAME_SIZE];

		if (!all && vals[i].value == 0)
			continue;
		if (vals[i].id >= (uint64_t)n)
			continue;
		tel_name(name, sizeof(name), names[vals[i].id].name);
		rte_tel_data_add_dict_u64(x, name, vals[i].value);
	}
out:
	free(names);
	free(vals);
	return x;
}

static int
add_port(struct rte_tel_data *d, uint16_t port)
{
	struct rte_eth_dev_info info;
	struct rte_eth_stats st;
	struct rte_eth_link link;
	struct rte_ether_addr mac;
	char buf[RTE_ETH_NAME_MAX_LEN];
	struct rte_tel_data *p, *s, *x;

	p = rte_tel_data_alloc();
	s = rte_tel_data_alloc();
	x = xstats_dict(port);
	if (p == NULL || s == NULL || x == NULL) {
		rte_tel_data_free(p);
		rte_tel_data_free(s);
		rte_tel_data_free(x);
		return -ENOMEM;
	}
	rte_tel_data_start_dict(p);
	rte_tel_data_add_dict_u64(p, "port", port);
	if (rte_eth_dev_get_name_by_port(port, buf) == 0)
		rte_tel_data_add_dict_string(p, "name", buf);
	if (rte_eth_dev_info_get(port, &info) == 0 && info.driver_name != NULL)
		rte_tel_data_add_dict_string(p, "driver", info.driver_name);
	if (rte_eth_macaddr_get(port, &mac) == 0) {
		rte_ether_format_addr(buf, sizeof(buf), &mac);
		rte_tel_data_add_dict_string(p, "mac", buf);
	}
	memset(&link, 0, sizeof(link));
	if (rte_eth_link_get_nowait(port, &link) == 0) {
		rte_tel_data_add_dict_u64(p, "link_up", link.link_status);
		rte_tel_data_add_dict_u64(p, "link_speed_mbps",
			link.link_speed == RTE_ETH_SPEED_NUM_UNKNOWN ?
			0 : link.link_speed);
	}
	rte_tel_data_start_dict(s);
	if (rte_eth_stats_get(port, &st) == 0) {
#define PORT_STAT(f) rte_tel_data_add_dict_u64(s, #f, st.f)
		PORT_STAT(ipackets);
		PORT_STAT(opackets);
		PORT_STAT(ibytes);
		PORT_STAT(obytes);
		PORT_STAT(imissed);
		PORT_STAT(ierrors);
		PORT_STAT(oerrors);
		PORT_STAT(rx_nombuf);
#undef PORT_STAT
	}
	rte_tel_data_add_dict_container(p, "stats", s, 0);
	rte_tel_data_add_dict_container(p, "xstats", x, 0);
	snprintf(buf, sizeof(buf), "%u", port);
	rte_tel_data_add_dict_container(d, buf, p, 0);
	return 0;
}

static int
cmd_ports(struct rte_tel_data *d, const char *params)
{
	struct rte_tel_data *ids;
	uint64_t id = UINT64_MAX;
	bool found = false;

	if (!no_params(params)) {
		if (parse_uint(&params, 0, RTE_MAX_ETHPORTS - 1, &id) != 0 ||
				*params != '\0')
			return -EINVAL;
		for (unsigned int i = 0; i < tel.n_ports; i++)
			found |= tel.ports[i] == id;
		if (!found)
			return -EINVAL;
	}
	rte_tel_data_start_dict(d);
	ids = rte_tel_data_alloc();
	if (ids == NULL)
		return -ENOMEM;
	rte_tel_data_start_array(ids, RTE_TEL_U64_VAL);
	for (unsigned int i = 0; i < tel.n_ports; i++)
		rte_tel_data_add_array_u64(ids, tel.ports[i]);
	rte_tel_data_add_dict_container(d, "ports", ids, 0);
	if (tel.pool != NULL) {
		/* a live gauge: it rises and stays up if mbufs leak */
		rte_tel_data_add_dict_u64(d, "mbufs_pool", tel.pool->size);
		rte_tel_data_add_dict_u64(d, "mbufs_in_use",
			rte_mempool_in_use_count(tel.pool));
	}
	for (unsigned int i = 0; i < tel.n_ports; i++) {
		int ret;

		if (id != UINT64_MAX && tel.ports[i] != id)
			continue;
		ret = add_port(d, tel.ports[i]);
		if (ret != 0)
			return ret;
	}
	return 0;
}

/* --- /synack/flows ------------------------------------------------------ */

static void
fmt_occupancy(char *buf, size_t len, uint64_t used, uint64_t cap)
{
	uint64_t bp = cap ? used * 10000 / cap : 0; /* hundredths of a % */

	snprintf(buf, len, "%" PRIu64 ".%02" PRIu64 "%%", bp / 100, bp % 100);
}

static int
cmd_flows(struct rte_tel_data *d, const char *params)
{
	struct rte_tel_data *lc, *f;
	struct sk_stats sum;
	uint64_t cap = 0;
	char buf[32];

	if (!no_params(params))
		return -EINVAL;
	rte_tel_data_start_dict(d);
	lc = rte_tel_data_alloc();
	if (lc == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(lc);
	for (unsigned int i = 0; i < tel.n_workers; i++) {
		const struct sk_telemetry_worker *w = &tel.workers[i];
		const struct sk_flow_table *ft = sk_engine_flows(w->engine);
		struct rte_tel_data *l = rte_tel_data_alloc();
		struct rte_tel_data *st;
		struct sk_stats s;
		uint64_t c = sk_flow_capacity(ft), used;

		sum_stats(&s, w->engine);
		st = states_dict(&s);
		if (l == NULL || st == NULL) {
			rte_tel_data_free(l);
			rte_tel_data_free(st);
			rte_tel_data_free(lc);
			return -ENOMEM;
		}
		used = flow_total(&s);
		cap += c;
		rte_tel_data_start_dict(l);
		rte_tel_data_add_dict_u64(l, "lcore", w->lcore);
		rte_tel_data_add_dict_u64(l, "flow_count", used);
		rte_tel_data_add_dict_u64(l, "capacity", c);
		fmt_occupancy(buf, sizeof(buf), used, c);
		rte_tel_data_add_dict_string(l, "occupancy", buf);
		rte_tel_data_add_dict_u64(l, "memory_bytes", sk_flow_memory(ft));
		rte_tel_data_add_dict_string(l, "pages", sk_flow_pages(ft));
		rte_tel_data_add_dict_container(l, "flows", st, 0);
		snprintf(buf, sizeof(buf), "%u", w->lcore);
		rte_tel_data_add_dict_container(lc, buf, l, 0);
	}
	sum_stats(&sum, NULL);
	f = states_dict(&sum);
	if (f == NULL) {
		rte_tel_data_free(lc);
		return -ENOMEM;
	}
	rte_tel_data_add_dict_u64(d, "flow_count", flow_total(&sum));
	rte_tel_data_add_dict_u64(d, "capacity", cap);
	fmt_occupancy(buf, sizeof(buf), flow_total(&sum), cap);
	rte_tel_data_add_dict_string(d, "occupancy", buf);
	rte_tel_data_add_dict_container(d, "flows", f, 0);
	rte_tel_data_add_dict_container(d, "lcores", lc, 0);
	return 0;
}

/* --- /synack/flows/list[,N[,SKIP]] -------------------------------------- */

/* "A.B.C.D:PORT", or "[2001:db8::1]:PORT" for an IPv6 flow: RFC 5952
 * text (inet_ntop), in brackets as in a URL (RFC 3986). The key of an
 * IPv6 flow holds folds of its addresses; the addresses are in @p fi. */
static int
fmt_endpoint(char *buf, size_t len, const struct sk_flow_info *fi,
		bool remote)
{
	rte_be32_t addr = remote ? fi->key.raddr : fi->key.laddr;
	rte_be16_t port = remote ? fi->key.rport : fi->key.lport;
	const uint8_t *a = (const uint8_t *)&addr;
	char s[INET6_ADDRSTRLEN];

	if (fi->family == 6) {
		if (inet_ntop(AF_INET6, remote ? fi->raddr6 : fi->laddr6, s,
				sizeof(s)) == NULL)
			snprintf(s, sizeof(s), "?");
		return snprintf(buf, len, "[%s]:%u", s,
			rte_be_to_cpu_16(port));
	}
	return snprintf(buf, len, "%u.%u.%u.%u:%u", a[0], a[1], a[2], a[3],
		rte_be_to_cpu_16(port));
}

static int
cmd_flows_list(struct rte_tel_data *d, const char *params)
{
	struct sk_flow_info fi[DICT_ROOM];
	uint64_t want = FLOW_LIST_DEFAULT, skip = 0, shown = 0;
	uint64_t now = rte_rdtsc();
	struct rte_tel_data *list;
	struct sk_stats all;
	size_t used = 0;
	bool more = false, full = false;

	if (!no_params(params)) {
		if (parse_uint(&params, 1, FLOW_LIST_MAX, &want) != 0)
			return -EINVAL;
		if (*params != '\0' && (parse_uint(&params, 0, UINT64_MAX,
				&skip) != 0 || *params != '\0'))
			return -EINVAL;
	}
	sum_stats(&all, NULL);
	rte_tel_data_start_dict(d);
	list = rte_tel_data_alloc();
	if (list == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(list);

	for (unsigned int i = 0; i < tel.n_workers && !full; i++) {
		const struct sk_telemetry_worker *w = &tel.workers[i];
		uint64_t max = RTE_MIN(want - shown, (uint64_t)RTE_DIM(fi));
		struct sk_stats s;
		uint64_t live;
		unsigned int n;
		bool m;

		sum_stats(&s, w->engine);
		live = flow_total(&s);
		if (skip >= live) {
			/* the whole lcore is before the page */
			skip -= live;
			continue;
		}
		n = sk_engine_flow_snapshot(w->engine, now, skip, fi,
			(unsigned int)max, &m);
		skip = 0;
		for (unsigned int j = 0; j < n; j++) {
			struct rte_tel_data *f;
			/* "[" INET6_ADDRSTRLEN "]:65535" */
			char key[24], rem[56], loc[56];
			size_t sz;

			fmt_endpoint(rem, sizeof(rem), &fi[j], true);
			fmt_endpoint(loc, sizeof(loc), &fi[j], false);
			snprintf(key, sizeof(key), "%" PRIu64, shown);
			/* The JSON this entry adds, generously: keys, quotes,
			 * separators and 20 digits per number. */
			sz = strlen(key) + strlen(rem) + strlen(loc) +
				strlen(sk_state_name(fi[j].state)) +
				strlen(sk_app_name(fi[j].app)) + 2 * 20 + 90;
			if (used + sz > FLOW_LIST_BUDGET ||
					shown >= DICT_ROOM) {
				more = full = true;
				break;
			}
			f = rte_tel_data_alloc();
			if (f == NULL) {
				rte_tel_data_free(list);
				return -ENOMEM;
			}
			rte_tel_data_start_dict(f);
			rte_tel_data_add_dict_u64(f, "lcore", w->lcore);
			rte_tel_data_add_dict_string(f, "remote", rem);
			rte_tel_data_add_dict_string(f, "local", loc);
			rte_tel_data_add_dict_string(f, "state",
				sk_state_name(fi[j].state));
			rte_tel_data_add_dict_string(f, "app",
				sk_app_name(fi[j].app));
			rte_tel_data_add_dict_u64(f, "age_ms", fi[j].age_ms);
			rte_tel_data_add_dict_container(list, key, f, 0);
			used += sz;
			shown++;
		}
		if (m)
			more = true;
		if (shown >= want) {
			/* later lcores may still hold flows */
			for (unsigned int k = i + 1; k < tel.n_workers && !more;
					k++) {
				sum_stats(&s, tel.workers[k].engine);
				more = flow_total(&s) != 0;
			}
			break;
		}
	}
	rte_tel_data_add_dict_u64(d, "flow_count", flow_total(&all));
	rte_tel_data_add_dict_u64(d, "shown", shown);
	rte_tel_data_add_dict_u64(d, "more", more);
	rte_tel_data_add_dict_container(d, "flows", list, 0);
	return 0;
}

/* --- /synack/cookies ---------------------------------------------------- */

static int
cmd_cookies(struct rte_tel_data *d, const char *params)
{
	const struct sk_config *c;
	struct rte_tel_data *r;
	struct sk_stats s;

	if (!no_params(params))
		return -EINVAL;
	sum_stats(&s, NULL);
	c = sk_engine_config(tel.workers[0].engine);
	r = rte_tel_data_alloc();
	if (r == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "sent", s.cookie_sent);
	rte_tel_data_add_dict_u64(d, "accepted", s.cookie_ok);
	rte_tel_data_add_dict_u64(d, "rejected", s.cookie_bad_mac +
		s.cookie_too_old);
	/* No "bad MSS index": the index is inside the MAC, so a changed
	 * index is a bad MAC. */
	rte_tel_data_start_dict(r);
	rte_tel_data_add_dict_u64(r, "bad_mac", s.cookie_bad_mac);
	rte_tel_data_add_dict_u64(r, "too_old", s.cookie_too_old);
	rte_tel_data_add_dict_container(d, "rejected_by_reason", r, 0);
	rte_tel_data_add_dict_u64(d, "rst_bad_cookie", s.tx_rst_bad_cookie);
	rte_tel_data_add_dict_u64(d, "rst_table_full", s.tx_rst_table_full);
	rte_tel_data_add_dict_u64(d, "max_age_s", c->cookie_max_age_s);
	rte_tel_data_add_dict_u64(d, "rotate_s", c->cookie_rotate_s);
	rte_tel_data_add_dict_string(d, "secret",
		tel.secret_random ? "(random)" : "(set)");
	return 0;
}

/* --- /synack/config ----------------------------------------------------- */

/* A list value ("a, b, c") as an array of strings. */
static struct rte_tel_data *
string_array(struct rte_tel_data *a, char *val)
{
	char *save = NULL, *tok;

	if (a == NULL) {
		a = rte_tel_data_alloc();
		if (a == NULL)
			return NULL;
		rte_tel_data_start_array(a, RTE_TEL_STRING_VAL);
	}
	for (tok = strtok_r(val, ", ", &save); tok != NULL;
			tok = strtok_r(NULL, ", ", &save))
		rte_tel_data_add_array_string(a, tok);
	return a;
}

/* The configuration as sk_config_print writes it (INI, the secret shown
 * as "(set)" or "(random)"), one dict per section. */
static int
cmd_config(struct rte_tel_data *d, const char *params)
{
	struct sk_config c;
	struct rte_tel_data *sec = NULL, *ids, *list = NULL;
	char section[64] = "", *text = NULL, *line, *save = NULL;
	char list_name[64] = "";
	size_t len = 0;
	FILE *f;

	if (!no_params(params))
		return -EINVAL;
	c = *sk_engine_config(tel.workers[0].engine);
	memset(c.secret, 0, sizeof(c.secret));
	c.secret_set = !tel.secret_random;
	f = open_memstream(&text, &len);
	if (f == NULL)
		return -ENOMEM;
	sk_config_print(&c, f);
	if (fclose(f) != 0) {
		free(text);
		return -ENOMEM;
	}
	rte_tel_data_start_dict(d);
	for (line = strtok_r(text, "\n", &save); line != NULL;
			line = strtok_r(NULL, "\n", &save)) {
		char *eq, *key, *val, *end;
		char name[64];

		if (line[0] == '[') {
			if (sec != NULL)
				rte_tel_data_add_dict_container(d, section, sec, 0);
			sec = rte_tel_data_alloc();
			if (sec == NULL)
				break;
			rte_tel_data_start_dict(sec);
			end = strchr(line, ']');
			if (end != NULL)
				*end = '\0';
			tel_name(section, sizeof(section), line + 1);
			list = NULL;
			continue;
		}
		eq = strchr(line, '=');
		if (sec == NULL || eq == NULL)
			continue;
		key = line;
		for (end = eq; end > key && end[-1] == ' '; end--)
			;
		*end = '\0';
		val = eq + 1;
		while (*val == ' ')
			val++;
		tel_name(name, sizeof(name), key);
		if (strcmp(name, "addresses") == 0 ||
				strcmp(name, "listen") == 0) {
			/* a long list is printed over several lines: one
			 * array (the dict holds a pointer to it) */
			if (list != NULL && strcmp(name, list_name) == 0) {
				string_array(list, val);
				continue;
			}
			list = string_array(NULL, val);
			snprintf(list_name, sizeof(list_name), "%s", name);
			if (list != NULL)
				rte_tel_data_add_dict_container(sec, name, list,
					0);
		} else {
			list = NULL;
			rte_tel_data_add_dict_string(sec, name, val);
		}
	}
	if (sec != NULL)
		rte_tel_data_add_dict_container(d, section, sec, 0);
	free(text);
	ids = lcore_array();
	if (ids != NULL)
		rte_tel_data_add_dict_container(d, "workers", ids, 0);
	return 0;
}

/* --- /synack/version ---------------------------------------------------- */

static int
cmd_version(struct rte_tel_data *d, const char *params)
{
	uint64_t hz = rte_get_tsc_hz();

	if (!no_params(params))
		return -EINVAL;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "synack", SK_VERSION);
	rte_tel_data_add_dict_string(d, "dpdk", rte_version());
	rte_tel_data_add_dict_u64(d, "pid", (uint64_t)getpid());
	rte_tel_data_add_dict_u64(d, "uptime_ms", hz ?
		(rte_rdtsc() - tel.start_tsc) / (hz / 1000) : 0);
	rte_tel_data_add_dict_u64(d, "workers", tel.n_workers);
	rte_tel_data_add_dict_u64(d, "ports", tel.n_ports);
	rte_tel_data_add_dict_u64(d, "pdump", tel.pdump);
	if (!tel.pdump && tel.pdump_off != NULL)
		rte_tel_data_add_dict_string(d, "pdump_off", tel.pdump_off);
	return 0;
}

/* --- /synack/client ----------------------------------------------------- */

/* A figure to the nearest whole number (telemetry carries no floats). */
static uint64_t
round_u64(double v)
{
	return v > 0 ? (uint64_t)(v + 0.5) : 0;
}

/* The client role's live state, summed over the workers: the figures of
 * synackd's client summary (lib/sk_client_report.h), times in ms. An
 * engine without a client role answers {"role": "server"}. */
static int
cmd_client(struct rte_tel_data *d, const char *params)
{
	struct sk_client_report r;
	struct rte_tel_data *lat;
	const struct sk_hist *h;
	unsigned int n = 0;

	if (!no_params(params))
		return -EINVAL;
	sk_client_report_init(&r);
	for (unsigned int i = 0; i < tel.n_workers; i++)
		n += sk_client_report_add(&r, tel.workers[i].engine) == 0;
	rte_tel_data_start_dict(d);
	if (n == 0) {
		rte_tel_data_add_dict_string(d, "role", "server");
		return 0;
	}
	sk_client_report_finish(&r, rte_rdtsc(), rte_get_tsc_hz());
	h = &r.latency_us;
	lat = rte_tel_data_alloc();
	if (lat == NULL)
		return -ENOMEM;
	rte_tel_data_add_dict_string(d, "role", "client");
	rte_tel_data_add_dict_string(d, "target",
		sk_engine_config(tel.workers[0].engine)->client_target);
	rte_tel_data_add_dict_string(d, "state", sk_client_state_name(r.state));
	if (r.error != NULL)
		rte_tel_data_add_dict_string(d, "error", r.error);
	rte_tel_data_add_dict_u64(d, "run_ms", round_u64(r.run_s * 1000));
	rte_tel_data_add_dict_u64(d, "open_ms", round_u64(r.open_s * 1000));
#define SK_CLIENT_TEL(field, key, label, help) \
	rte_tel_data_add_dict_u64(d, key, r.field);
	SK_FOREACH_CLIENT_COUNT(SK_CLIENT_TEL)
#undef SK_CLIENT_TEL
	rte_tel_data_add_dict_u64(d, "concurrent", r.concurrent);
	rte_tel_data_add_dict_u64(d, "cps", round_u64(r.cps));
	rte_tel_data_add_dict_u64(d, "ramp", r.ramp);
	rte_tel_data_add_dict_u64(d, "rate_cps", r.rate_cps);
	rte_tel_data_add_dict_u64(d, "best_cps", r.best_cps);
	rte_tel_data_add_dict_u64(d, "ramp_steps", r.ramp_steps);
	rte_tel_data_add_dict_u64(d, "ramp_backoffs", r.ramp_backoffs);
	rte_tel_data_start_dict(lat);
	rte_tel_data_add_dict_u64(lat, "count", h->count);
	rte_tel_data_add_dict_u64(lat, "sum", h->sum);
	rte_tel_data_add_dict_u64(lat, "min", r.min_us);
	rte_tel_data_add_dict_u64(lat, "mean", round_u64(r.mean_us));
	for (unsigned int i = 0; i < SK_CLIENT_REPORT_NQ; i++)
		rte_tel_data_add_dict_u64(lat, sk_client_report_qname[i],
			r.q_us[i]);
	rte_tel_data_add_dict_u64(lat, "max", h->max);
	rte_tel_data_add_dict_container(d, "latency_us", lat, 0);
	return 0;
}

/* --- /synack/proxy ------------------------------------------------------ */

/* One backend, summed over the workers. */
struct tel_backend {
	struct sk_proxy_backend_info bi; /* the first worker's, counters summed */
	unsigned int resolved;           /* workers that know its MAC */
	unsigned int down;               /* workers that hold it down */
};

static bool
same_backend(const struct sk_proxy_backend_info *a,
		const struct sk_proxy_backend_info *b)
{
	if (a->family != b->family || a->port != b->port)
		return false;
	return a->family == 6 ? memcmp(a->addr6, b->addr6, 16) == 0 :
		a->addr == b->addr;
}

/* "198.18.0.3:8080" or "[2001:db8::3]:8080" in @p ap, the address alone
 * in @p a. */
static void
fmt_backend(const struct sk_proxy_backend_info *bi, char *a, size_t alen,
		char *ap, size_t aplen)
{
	if (inet_ntop(bi->family == 6 ? AF_INET6 : AF_INET,
			bi->family == 6 ? (const void *)bi->addr6 :
			(const void *)&bi->addr, a, (socklen_t)alen) == NULL)
		snprintf(a, alen, "?");
	snprintf(ap, aplen, bi->family == 6 ? "[%s]:%u" : "%s:%u", a, bi->port);
}

/*
 * The proxy's backends: {"0": {...}, "1": {...}}, a dict per backend keyed
 * by its position in the configuration (DPDK 22.11 cannot put a dict in
 * an array, and an address is no valid telemetry name), its counters
 * summed over the workers (each worker has its own connections to every
 * backend). Health is judged per worker: "resolved" is 1 when every worker
 * knows the backend's MAC, "down" is 1 when at least one holds it down
 * after failures in a row ("down_workers" says how many). Backends are
 * matched by address and port, not by position, so that no backend's
 * counters are ever added to another's. No proxy: {}.
 */
static int
cmd_proxy(struct rte_tel_data *d, const char *params)
{
	struct sk_proxy_backend_info one[SK_MAX_BACKENDS];
	struct tel_backend be[SK_MAX_BACKENDS];
	unsigned int n_be = 0;
	uint64_t now = rte_rdtsc();

	if (!no_params(params))
		return -EINVAL;
	for (unsigned int i = 0; i < tel.n_workers; i++) {
		unsigned int n = sk_engine_proxy_backends(tel.workers[i].engine,
			now, one, RTE_DIM(one));

		for (unsigned int j = 0; j < n; j++) {
			struct tel_backend *b = NULL;

			for (unsigned int k = 0; k < n_be && b == NULL; k++)
				if (same_backend(&be[k].bi, &one[j]))
					b = &be[k];
			if (b == NULL) {
				if (n_be == RTE_DIM(be))
					continue;
				b = &be[n_be++];
				memset(b, 0, sizeof(*b));
				b->bi = one[j];
				memset(&b->bi.st, 0, sizeof(b->bi.st));
			}
			b->resolved += one[j].resolved;
			b->down += one[j].down;
			b->bi.st.opened += one[j].st.opened;
			b->bi.st.established += one[j].st.established;
			b->bi.st.failed += one[j].st.failed;
			b->bi.st.bytes_c2b += one[j].st.bytes_c2b;
			b->bi.st.bytes_b2c += one[j].st.bytes_b2c;
			b->bi.st.flows += one[j].st.flows;
		}
	}
	rte_tel_data_start_dict(d);
	for (unsigned int k = 0; k < n_be; k++) {
		const struct tel_backend *b = &be[k];
		struct rte_tel_data *x = rte_tel_data_alloc();
		char a[INET6_ADDRSTRLEN], ap[INET6_ADDRSTRLEN + 8], key[16];

		if (x == NULL)
			return -ENOMEM;
		fmt_backend(&b->bi, a, sizeof(a), ap, sizeof(ap));
		rte_tel_data_start_dict(x);
		rte_tel_data_add_dict_string(x, "backend", ap);
		rte_tel_data_add_dict_string(x, "address", a);
		rte_tel_data_add_dict_u64(x, "port", b->bi.port);
		rte_tel_data_add_dict_u64(x, "family", b->bi.family);
		/* the proxied port it serves, 0: every port without its
		 * own set */
		rte_tel_data_add_dict_u64(x, "listen_port", b->bi.lport);
		rte_tel_data_add_dict_u64(x, "resolved",
			b->resolved == tel.n_workers);
		rte_tel_data_add_dict_u64(x, "down", b->down > 0);
		rte_tel_data_add_dict_u64(x, "down_workers", b->down);
		rte_tel_data_add_dict_u64(x, "opened", b->bi.st.opened);
		rte_tel_data_add_dict_u64(x, "established",
			b->bi.st.established);
		rte_tel_data_add_dict_u64(x, "failed", b->bi.st.failed);
		rte_tel_data_add_dict_u64(x, "bytes_c2b", b->bi.st.bytes_c2b);
		rte_tel_data_add_dict_u64(x, "bytes_b2c", b->bi.st.bytes_b2c);
		rte_tel_data_add_dict_u64(x, "flows", b->bi.st.flows);
		snprintf(key, sizeof(key), "%u", k);
		if (rte_tel_data_add_dict_container(d, key, x, 0) != 0) {
			rte_tel_data_free(x);
			return -ENOSPC;
		}
	}
	return 0;
}

/* --- live capture ------------------------------------------------------ */

static int
first_seg_fd(const struct rte_memseg_list *msl, const struct rte_memseg *ms,
		void *arg)
{
	int fd = rte_memseg_get_fd_thread_unsafe(ms);

	RTE_SET_USED(msl);
	if (fd < 0)
		return 0;
	*(int *)arg = fd;
	return 1;
}

/*
 * dpdk-dumpcap and dpdk-pdump are secondary processes: they map the
 * primary's hugepage files. Without them (--no-huge; --huge-unlink and
 * --in-memory, whose files have no name once mapped) they cannot start. Returns why, or
 * NULL when capture can work.
 */
static const char *
capture_blocker(void)
{
	struct stat st;
	int fd = -1;

	if (!rte_eal_has_hugepages())
		return "started with --no-huge: dpdk-dumpcap needs hugepages";
	rte_memseg_walk(first_seg_fd, &fd);
	if (fd >= 0 && fstat(fd, &st) == 0 && st.st_nlink == 0)
		return "started with --huge-unlink or --in-memory: "
			"dpdk-dumpcap needs the hugepage files";
	return NULL;
}

/* --- registration ------------------------------------------------------- */

typedef int (*sk_tel_fn)(struct rte_tel_data *d, const char *params);

static const struct {
	const char *cmd;
	sk_tel_fn fn;
	const char *help; /* under 128 bytes: the telemetry library's limit */
} commands[] = {
	{ "/synack/stats", cmd_stats,
	  "Totals of every counter, and flows per state. No parameters." },
	{ "/synack/stats/help", cmd_stats_help,
	  "What each counter of /synack/stats counts. No parameters." },
	{ "/synack/lcores", cmd_lcores,
	  "Counters and flows of each worker lcore. Parameters: int lcore id (optional)." },
	{ "/synack/ports", cmd_ports,
	  "Port stats (rte_eth_stats) and xstats. Parameters: int port id (optional)." },
	{ "/synack/flows", cmd_flows,
	  "Flows per state, capacity and occupancy per lcore. No parameters." },
	{ "/synack/flows/list", cmd_flows_list,
	  "Up to N flows (default 100): tuple, state, age, lcore. Parameters: int N, int skip (optional)." },
	{ "/synack/cookies", cmd_cookies,
	  "SYN cookies sent, accepted, rejected: bad_mac, too_old (the MSS index is in the MAC). No parameters." },
	{ "/synack/config", cmd_config,
	  "The effective configuration; the cookie secret shows as (set) or (random). No parameters." },
	{ "/synack/version", cmd_version,
	  "synack and DPDK versions, pid, uptime. No parameters." },
	{ "/synack/client", cmd_client,
	  "The client role: state, counters, rates, handshake latency percentiles; or role server. No parameters." },
	{ "/synack/proxy", cmd_proxy,
	  "Proxy backends by position: address, health, connections, bytes, summed over workers; {} without a proxy. No parameters." },
};

static int
dispatch(const char *cmd, const char *params, struct rte_tel_data *d)
{
	int ret = -EINVAL;

	if (tel_enter() != 0)
		return -ENODEV;
	for (size_t i = 0; i < RTE_DIM(commands); i++)
		if (strcmp(cmd, commands[i].cmd) == 0) {
			ret = commands[i].fn(d, params);
			break;
		}
	tel_leave();
	return ret;
}

int
sk_telemetry_init(const struct sk_telemetry_params *p)
{
	if (p == NULL || p->n_workers == 0 || p->n_workers > RTE_MAX_LCORE ||
			p->n_ports > RTE_MAX_ETHPORTS || p->workers == NULL ||
			(p->n_ports != 0 && p->ports == NULL)) {
		SK_LOG(ERR, "telemetry: bad parameters");
		return -EINVAL;
	}
	for (unsigned int i = 0; i < p->n_workers; i++) {
		if (p->workers[i].engine == NULL) {
			SK_LOG(ERR, "telemetry: worker %u has no engine", i);
			return -EINVAL;
		}
		tel.workers[i] = p->workers[i];
	}
	tel.n_workers = p->n_workers;
	for (unsigned int i = 0; i < p->n_ports; i++)
		tel.ports[i] = p->ports[i];
	tel.n_ports = p->n_ports;
	tel.secret_random = p->secret_random;
	tel.pool = p->pool;
	tel.start_tsc = rte_rdtsc();

	/* Live capture by dpdk-dumpcap / dpdk-pdump: set up before the
	 * commands exist, as /synack/ports reads what it found. */
	tel.pdump_off = capture_blocker();
	if (tel.pdump_off == NULL) {
		if (rte_pdump_init() == 0) {
			tel.pdump = true;
		} else {
			tel.pdump_off = "rte_pdump_init failed";
			SK_LOG(WARNING, "pdump: live capture unavailable: %s",
				rte_strerror(rte_errno));
		}
	} else {
		SK_LOG(INFO, "live capture unavailable: %s", tel.pdump_off);
	}

	/* Publish tel (and the engines the caller made) to the handlers:
	 * they run on DPDK's telemetry threads, and only this release and
	 * tel_enter's acquire order them after what we wrote (DPDK's own
	 * lock around its command list is nothing we may rely on). */
	__atomic_store_n(&tel_ready, true, __ATOMIC_RELEASE);
	for (size_t i = 0; i < RTE_DIM(commands); i++) {
		int ret = rte_telemetry_register_cmd(commands[i].cmd, dispatch,
			commands[i].help);

		if (ret != 0) {
			SK_LOG(ERR, "telemetry: cannot register %s: %s",
				commands[i].cmd, strerror(-ret));
			/* the ones registered stay (DPDK cannot unregister):
			 * they must not touch the engines the caller frees */
			if (tel_drain() != 0)
				SK_LOG(ERR, "telemetry: a handler is still "
					"running");
			if (tel.pdump) {
				rte_pdump_uninit();
				tel.pdump = false;
			}
			return ret;
		}
	}
	return 0;
}

int
sk_telemetry_fini(void)
{
	int ret = tel_drain();

	if (ret != 0)
		SK_LOG(ERR, "telemetry: %u handler(s) still running after %u "
			"ms: the engines, ports and pool must not be freed",
			__atomic_load_n(&tel_active, __ATOMIC_SEQ_CST),
			TEL_DRAIN_MS);
	if (tel.pdump) {
		rte_pdump_uninit();
		tel.pdump = false;
	}
	return ret;
}

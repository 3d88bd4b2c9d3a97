/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synackctl's commands: ask synackd through its telemetry socket, print
 * aligned tables, JSON, Prometheus text, or a live view with rates.
 */

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <libsmartcols/libsmartcols.h>

#include "ctl.h"
#include "ctl_json.h"
#include "ctl_show.h"
#include "sk_client_figures.h"
#include "ctl_tel.h"
#include "sk_version.h"

/* Flows asked for per /synack/flows/list request (the engine may answer
 * fewer: its replies are limited to 16 KiB). */
#define FLOW_PAGE 100

/* --- small helpers -------------------------------------------------------- */

static void *
xmalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (p == NULL) {
		ctl_error(CTL_ERR, "out of memory");
		exit(CTL_ERR);
	}
	return p;
}

static const char *
u64s(char *buf, size_t len, uint64_t v)
{
	snprintf(buf, len, "%" PRIu64, v);
	return buf;
}

/* "850 ms", "12.3 s", "4 m 05 s", "3 h 04 m", "2 d 03 h" */
static const char *
duration(char *buf, size_t len, uint64_t ms)
{
	uint64_t s = ms / 1000;

	if (ms < 1000)
		snprintf(buf, len, "%" PRIu64 " ms", ms);
	else if (s < 60)
		snprintf(buf, len, "%" PRIu64 ".%03" PRIu64 " s", s, ms % 1000);
	else if (s < 3600)
		snprintf(buf, len, "%" PRIu64 " m %02" PRIu64 " s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%" PRIu64 " h %02" PRIu64 " m", s / 3600,
			s / 60 % 60);
	else
		snprintf(buf, len, "%" PRIu64 " d %02" PRIu64 " h", s / 86400,
			s / 3600 % 24);
	return buf;
}

static const char *
bytes_h(char *buf, size_t len, uint64_t b)
{
	if (b >= (1ull << 30))
		snprintf(buf, len, "%.1f GiB", (double)b / (1ull << 30));
	else if (b >= (1ull << 20))
		snprintf(buf, len, "%.1f MiB", (double)b / (1ull << 20));
	else if (b >= 1024)
		snprintf(buf, len, "%.1f KiB", (double)b / 1024);
	else
		snprintf(buf, len, "%" PRIu64 " B", b);
	return buf;
}

static int
json_out(const json_t *v)
{
	cj_print(stdout, v, 0);
	putchar('\n');
	return CTL_OK;
}

static int
reply_shape(const char *cmd)
{
	return ctl_error(CTL_PROTO, "unexpected reply to %s", cmd);
}

/* --- aligned tables -------------------------------------------------------- */

/*
 * The tables are libsmartcols tables (util-linux, as lsblk's), in the
 * plain form the tests and docs read: the column titles are the first
 * row (group titles such as "received" sit in the first column, so no
 * separate header line), two spaces between columns, no padding after
 * the last non-empty cell (minout), and the same layout on a terminal as
 * on a pipe (termforce never: no truncation to the terminal's width).
 */

#define TBL_MAXCOL 16

struct tbl {
	struct libscols_table *tb;
	struct libscols_line *last;
	unsigned int ncol;
};

static void
tbl_oom(const void *p)
{
	if (p == NULL) {
		ctl_error(CTL_ERR, "out of memory");
		exit(CTL_ERR);
	}
}

/* @p align: one letter per column, 'l' or 'r'. */
static void
tbl_init(struct tbl *t, const char *align)
{
	t->ncol = (unsigned int)strlen(align);
	t->last = NULL;
	t->tb = scols_new_table();
	tbl_oom(t->tb);
	scols_table_enable_noheadings(t->tb, 1);
	scols_table_enable_minout(t->tb, 1);
	scols_table_set_column_separator(t->tb, "  ");
	scols_table_set_termforce(t->tb, SCOLS_TERMFORCE_NEVER);
	for (unsigned int c = 0; c < t->ncol; c++)
		tbl_oom(scols_table_new_column(t->tb, "", 0,
			align[c] == 'r' ? SCOLS_FL_RIGHT : 0));
}

/* Set one cell of the last row (copied; NULL leaves it empty). */
static void
tbl_set(struct tbl *t, unsigned int col, const char *s)
{
	if (s != NULL && scols_line_set_data(t->last, col, s) != 0)
		tbl_oom(NULL);
}

/* One row: ncol strings (NULL for an empty cell). */
static void
tbl_add(struct tbl *t, ...)
{
	va_list ap;

	t->last = scols_table_new_line(t->tb, NULL);
	tbl_oom(t->last);
	va_start(ap, t);
	for (unsigned int c = 0; c < t->ncol; c++)
		tbl_set(t, c, va_arg(ap, const char *));
	va_end(ap);
}

static void
tbl_print(struct tbl *t, FILE *f)
{
	fflush(f);
	scols_table_set_stream(t->tb, f);
	scols_print_table(t->tb);
}

static void
tbl_free(struct tbl *t)
{
	scols_unref_table(t->tb);
	t->tb = NULL;
	t->last = NULL;
}

/* --- counters ------------------------------------------------------------ */

/* Counters by the prefixes of their names, in this order; a counter goes
 * to the group of its longest matching prefix (rx_nd_ before rx_). IPv6
 * frames are in received and sent (rx_ipv6, rx_tcp6, rx_icmp6_echo, ...),
 * Neighbor Discovery both ways in a group of its own, drop_ip6_* and
 * drop_icmp6 among the drops. */
static const struct {
	const char *prefix[2];
	const char *title;
} groups[] = {
	{ { "rx_" }, "received" },
	{ { "tx_" }, "sent" },
	{ { "rx_nd_", "tx_nd_" }, "IPv6 Neighbor Discovery" },
	{ { "cookie_" }, "SYN cookies" },
	{ { "flow_" }, "flows created" },
	{ { "close_" }, "flows closed" },
	{ { "drop_" }, "dropped" },
	{ { "" }, "other" },
};

static unsigned int
group_of(const char *name)
{
	unsigned int best = 0;
	size_t best_len = 0;

	for (unsigned int g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
		for (unsigned int k = 0; k < 2; k++) {
			const char *pf = groups[g].prefix[k];

			if (pf != NULL && strncmp(name, pf, strlen(pf)) == 0 &&
					(strlen(pf) > best_len ||
					 (best_len == 0 && pf[0] == '\0'))) {
				best = g;
				best_len = strlen(pf);
			}
		}
	return best;
}

/* Sum of the counters whose names start with @p prefix. */
static uint64_t
sum_prefix(const json_t *counters, const char *prefix)
{
	const char *key;
	json_t *val;
	uint64_t s = 0;

	CJ_FOREACH(counters, key, val)
		if (strncmp(key, prefix, strlen(prefix)) == 0)
			s += cj_u64(val, 0);
	return s;
}

static int
check_stats_shape(const json_t *s, const char *cmd)
{
	const json_t *c = json_object_get(s, "counters");

	if (!json_is_object(c) || json_object_size(c) == 0)
		return reply_shape(cmd);
	return CTL_OK;
}

/* --- stats ------------------------------------------------------------------ */

int
ctl_show_stats(struct ctl_tel *t, const struct ctl_opts *o)
{
	json_t *s, *help = NULL;
	const json_t *c, *fl;
	const char *key;
	json_t *val;
	unsigned int ngroups = sizeof(groups) / sizeof(groups[0]);
	char num[24];
	struct tbl tb;
	int ret;

	ret = ctl_tel_get(t, "/synack/stats", &s);
	if (ret != CTL_OK)
		return ret;
	ret = check_stats_shape(s, "/synack/stats");
	if (ret != CTL_OK || o->json) {
		if (ret == CTL_OK)
			json_out(s);
		json_decref(s);
		return ret;
	}
	if (o->verbose) {
		ret = ctl_tel_get(t, "/synack/stats/help", &help);
		if (ret != CTL_OK) {
			json_decref(s);
			return ret;
		}
	}
	c = json_object_get(s, "counters");
	tbl_init(&tb, o->verbose ? "lrl" : "lr");
	tbl_add(&tb, "COUNTER", "VALUE", NULL);
	for (unsigned int g = 0; g < ngroups; g++) {
		bool titled = false;

		CJ_FOREACH(c, key, val) {
			uint64_t v = cj_u64(val, 0);
			char name[160];

			if (group_of(key) != g || (v == 0 && !o->all))
				continue;
			if (!titled) {
				tbl_add(&tb, groups[g].title, NULL, NULL);
				titled = true;
			}
			snprintf(name, sizeof(name), "  %s", key);
			tbl_add(&tb, name, u64s(num, sizeof(num), v),
				cj_get_str(help, key, NULL));
		}
	}
	fl = json_object_get(s, "flows");
	tbl_add(&tb, "flows now", NULL, NULL);
	CJ_FOREACH(fl, key, val) {
		char name[160];
		uint64_t v = cj_u64(val, 0);

		if (v == 0 && !o->all)
			continue;
		snprintf(name, sizeof(name), "  %s", key);
		tbl_add(&tb, name, u64s(num, sizeof(num), v), NULL);
	}
	tbl_add(&tb, "  total", u64s(num, sizeof(num),
		cj_get_u64(s, "flow_count", 0)), NULL);
	tbl_print(&tb, stdout);
	tbl_free(&tb);
	json_decref(help);
	json_decref(s);
	return CTL_OK;
}

/* --- lcores ---------------------------------------------------------------- */

/* /synack/lcores, completed: a reply that did not fit lacks some lcores,
 * which are then asked for one by one. *out = {"<id>": {...}, ...}. */
static int
get_lcores(struct ctl_tel *t, json_t **out)
{
	json_t *r, *res;
	const json_t *ids;
	int ret;

	*out = NULL;
	ret = ctl_tel_get(t, "/synack/lcores", &r);
	if (ret != CTL_OK)
		return ret;
	ids = json_object_get(r, "lcores");
	if (!json_is_array(ids)) {
		json_decref(r);
		return reply_shape("/synack/lcores");
	}
	res = json_object();
	if (res == NULL) {
		json_decref(r);
		return ctl_error(CTL_ERR, "out of memory");
	}
	for (size_t i = 0; i < json_array_size(ids); i++) {
		char key[24], cmd[48];
		json_t *l, *one;
		uint64_t id = cj_u64(json_array_get(ids, i), UINT64_MAX);

		u64s(key, sizeof(key), id);
		l = json_incref(json_object_get(r, key));
		if (l == NULL) {
			snprintf(cmd, sizeof(cmd), "/synack/lcores,%s", key);
			ret = ctl_tel_get(t, cmd, &one);
			if (ret != CTL_OK) {
				json_decref(r);
				json_decref(res);
				return ret;
			}
			l = json_incref(json_object_get(one, key));
			json_decref(one);
		}
		if (l == NULL || check_stats_shape(l, "/synack/lcores") != CTL_OK) {
			json_decref(l);
			json_decref(r);
			json_decref(res);
			return reply_shape("/synack/lcores");
		}
		if (json_object_set_new(res, key, l) != 0) {
			json_decref(r);
			json_decref(res);
			return ctl_error(CTL_ERR, "out of memory");
		}
	}
	json_decref(r);
	*out = res;
	return CTL_OK;
}

int
ctl_show_lcores(struct ctl_tel *t, const struct ctl_opts *o)
{
	json_t *ls;
	const json_t *c0, *f0;
	struct cj_members m;
	char num[24], head[32];
	char align[TBL_MAXCOL + 1];
	struct tbl tb;
	size_t nl;
	int ret;

	ret = get_lcores(t, &ls);
	if (ret != CTL_OK)
		return ret;
	if (o->json) {
		json_out(ls);
		json_decref(ls);
		return CTL_OK;
	}
	cj_members(ls, &m);
	nl = m.n;
	if (nl == 0) {
		printf("no worker lcores\n");
		cj_members_free(&m);
		json_decref(ls);
		return CTL_OK;
	}
	if (nl > TBL_MAXCOL - 2) {
		/* one table per lcore */
		nl = TBL_MAXCOL - 2;
		fprintf(stderr, "synackctl: showing the first %zu of %zu lcores "
			"(--json shows all)\n", nl, m.n);
	}
	memset(align, 'r', sizeof(align));
	align[0] = 'l';
	align[nl + (nl > 1 ? 2 : 1)] = '\0';
	tbl_init(&tb, align);
	tbl_add(&tb, "COUNTER", NULL, NULL, NULL, NULL, NULL, NULL, NULL,
		NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
	for (size_t l = 0; l < nl; l++) {
		snprintf(head, sizeof(head), "LCORE %s", m.k[l]);
		tbl_set(&tb, (unsigned int)l + 1, head);
	}
	if (nl > 1)
		tbl_set(&tb, (unsigned int)nl + 1, "TOTAL");
	c0 = json_object_get(m.v[0], "counters");
	f0 = json_object_get(m.v[0], "flows");
	for (int part = 0; part < 2; part++) {
		const json_t *names = part == 0 ? c0 : f0;
		const char *key;
		json_t *val;

		CJ_FOREACH(names, key, val) {
			uint64_t total = 0;
			char label[160];

			for (size_t l = 0; l < nl; l++)
				total += cj_get_u64(json_object_get(m.v[l], part == 0 ?
					"counters" : "flows"), key, 0);
			if (total == 0 && !o->all)
				continue;
			if (part == 0)
				snprintf(label, sizeof(label), "%s", key);
			else
				snprintf(label, sizeof(label), "flows %s", key);
			tbl_add(&tb, label, NULL, NULL, NULL, NULL, NULL, NULL,
				NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
			for (size_t l = 0; l < nl; l++)
				tbl_set(&tb, (unsigned int)l + 1, u64s(num, sizeof(num),
					cj_get_u64(json_object_get(m.v[l], part == 0 ?
					"counters" : "flows"), key, 0)));
			if (nl > 1)
				tbl_set(&tb, (unsigned int)nl + 1,
					u64s(num, sizeof(num), total));
		}
	}
	tbl_print(&tb, stdout);
	tbl_free(&tb);
	cj_members_free(&m);
	json_decref(ls);
	return CTL_OK;
}

/* --- ports ------------------------------------------------------------------ */

int
ctl_show_ports(struct ctl_tel *t, const struct ctl_opts *o)
{
	json_t *r;
	const json_t *ids;
	char num[24];
	int ret;

	ret = ctl_tel_get(t, "/synack/ports", &r);
	if (ret != CTL_OK)
		return ret;
	ids = json_object_get(r, "ports");
	if (!json_is_array(ids)) {
		json_decref(r);
		return reply_shape("/synack/ports");
	}
	if (o->json) {
		json_out(r);
		json_decref(r);
		return CTL_OK;
	}
	for (size_t i = 0; i < json_array_size(ids); i++) {
		const json_t *p, *st, *xs;
		const char *name;
		json_t *val;
		uint64_t speed;
		struct tbl tb;
		char key[24];

		p = json_object_get(r, u64s(key, sizeof(key),
			cj_u64(json_array_get(ids, i), 0)));
		if (p == NULL)
			continue;
		speed = cj_get_u64(p, "link_speed_mbps", 0);
		printf("%sport %s: %s (%s), mac %s, link %s", i ? "\n" : "", key,
			cj_get_str(p, "name", "?"), cj_get_str(p, "driver", "?"),
			cj_get_str(p, "mac", "?"),
			cj_get_u64(p, "link_up", 0) ? "up" : "down");
		if (speed >= 1000)
			printf(" %" PRIu64 " Gb/s", speed / 1000);
		else if (speed > 0)
			printf(" %" PRIu64 " Mb/s", speed);
		printf("\n");
		tbl_init(&tb, "lr");
		tbl_add(&tb, "  STAT", "VALUE");
		st = json_object_get(p, "stats");
		CJ_FOREACH(st, name, val) {
			char label[160];

			snprintf(label, sizeof(label), "  %s", name);
			tbl_add(&tb, label, u64s(num, sizeof(num), cj_u64(val, 0)));
		}
		xs = json_object_get(p, "xstats");
		if (json_is_object(xs) && json_object_size(xs) > 0) {
			tbl_add(&tb, o->all ? "  xstats" : "  xstats (non-zero)",
				NULL);
			CJ_FOREACH(xs, name, val) {
				char label[160];
				uint64_t v = cj_u64(val, 0);

				if (v == 0 && !o->all)
					continue;
				snprintf(label, sizeof(label), "    %s", name);
				tbl_add(&tb, label, u64s(num, sizeof(num), v));
			}
		}
		tbl_print(&tb, stdout);
		tbl_free(&tb);
	}
	if (json_object_get(r, "mbufs_pool") != NULL)
		printf("\nmbufs in use: %" PRIu64 " of %" PRIu64 "\n",
			cj_get_u64(r, "mbufs_in_use", 0),
			cj_get_u64(r, "mbufs_pool", 0));
	json_decref(r);
	return CTL_OK;
}

/* --- flows ------------------------------------------------------------------ */

static int
show_flow_list(struct ctl_tel *t, const struct ctl_opts *o)
{
	json_t *all, *list, *page = NULL;
	uint64_t got = 0, total = 0;
	bool more = false;
	char num[24];
	int ret;

	all = json_object();
	list = json_object();
	if (all == NULL || list == NULL) {
		json_decref(all);
		json_decref(list);
		return ctl_error(CTL_ERR, "out of memory");
	}
	/* Page through the table: each reply holds what fits in 16 KiB. */
	while (got < o->list) {
		uint64_t want = o->list - got < FLOW_PAGE ? o->list - got : FLOW_PAGE;
		json_t *fl, *val;
		const char *key;
		char cmd[96];
		uint64_t shown;

		snprintf(cmd, sizeof(cmd), "/synack/flows/list,%" PRIu64 ",%" PRIu64,
			want, got);
		ret = ctl_tel_get(t, cmd, &page);
		if (ret != CTL_OK)
			goto out;
		fl = json_object_get(page, "flows");
		if (!json_is_object(fl)) {
			ret = reply_shape("/synack/flows/list");
			goto out;
		}
		total = cj_get_u64(page, "flow_count", 0);
		more = cj_get_u64(page, "more", 0) != 0;
		shown = 0;
		CJ_FOREACH(fl, key, val) {
			if (got >= o->list)
				break;
			if (json_object_set(list, u64s(num, sizeof(num), got),
					val) != 0) {
				ret = ctl_error(CTL_ERR, "out of memory");
				goto out;
			}
			got++;
			shown++;
		}
		json_decref(page);
		page = NULL;
		if (!more || shown == 0)
			break;
	}
	if (got >= o->list && !more)
		more = false;
	if (json_object_set_new(all, "flow_count",
			json_integer((json_int_t)total)) != 0 ||
			json_object_set_new(all, "shown",
			json_integer((json_int_t)got)) != 0 ||
			json_object_set_new(all, "more",
			json_integer((json_int_t)more)) != 0 ||
			json_object_set(all, "flows", list) != 0) {
		ret = ctl_error(CTL_ERR, "out of memory");
		goto out;
	}
	if (o->json) {
		json_out(all);
	} else {
		const char *key;
		json_t *f;
		struct tbl tb;

		tbl_init(&tb, "rlllll");
		tbl_add(&tb, "LCORE", "REMOTE", "LOCAL", "STATE", "APP", "AGE");
		CJ_FOREACH(list, key, f) {
			char age[32];

			tbl_add(&tb, u64s(num, sizeof(num),
					cj_get_u64(f, "lcore", 0)),
				cj_get_str(f, "remote", "?"),
				cj_get_str(f, "local", "?"),
				cj_get_str(f, "state", "?"),
				cj_get_str(f, "app", "?"),
				duration(age, sizeof(age),
					cj_get_u64(f, "age_ms", 0)));
		}
		if (json_object_size(list) > 0)
			tbl_print(&tb, stdout);
		tbl_free(&tb);
		printf("%" PRIu64 " flow%s shown, %" PRIu64 " live%s\n", got,
			got == 1 ? "" : "s", total,
			more ? " (more: raise --list)" : "");
	}
	ret = CTL_OK;
out:
	json_decref(page);
	json_decref(list);
	json_decref(all);
	return ret;
}

int
ctl_show_flows(struct ctl_tel *t, const struct ctl_opts *o)
{
	json_t *r, *val;
	const json_t *lc, *fl;
	struct cj_members m;
	const char *key;
	char num[24], cap[24], mem[32], head[32];
	struct tbl tb;
	int ret;

	if (o->list != 0)
		return show_flow_list(t, o);
	ret = ctl_tel_get(t, "/synack/flows", &r);
	if (ret != CTL_OK)
		return ret;
	lc = json_object_get(r, "lcores");
	fl = json_object_get(r, "flows");
	if (!json_is_object(lc) || !json_is_object(fl)) {
		json_decref(r);
		return reply_shape("/synack/flows");
	}
	if (o->json) {
		json_out(r);
		json_decref(r);
		return CTL_OK;
	}
	tbl_init(&tb, "lrrrrl");
	tbl_add(&tb, "LCORE", "FLOWS", "CAPACITY", "OCCUPANCY", "MEMORY",
		"PAGES");
	cj_members(lc, &m);
	for (size_t i = 0; i < m.n; i++) {
		const json_t *l = m.v[i];

		tbl_add(&tb, m.k[i],
			u64s(num, sizeof(num), cj_get_u64(l, "flow_count", 0)),
			u64s(cap, sizeof(cap), cj_get_u64(l, "capacity", 0)),
			cj_get_str(l, "occupancy", "?"),
			bytes_h(mem, sizeof(mem), cj_get_u64(l, "memory_bytes", 0)),
			cj_get_str(l, "pages", "?"));
	}
	if (m.n > 1)
		tbl_add(&tb, "total",
			u64s(num, sizeof(num), cj_get_u64(r, "flow_count", 0)),
			u64s(cap, sizeof(cap), cj_get_u64(r, "capacity", 0)),
			cj_get_str(r, "occupancy", "?"), NULL, NULL);
	tbl_print(&tb, stdout);
	tbl_free(&tb);
	putchar('\n');
	/* flows per state: one column per lcore, then the total */
	{
		size_t nl = m.n < TBL_MAXCOL - 2 ? m.n : TBL_MAXCOL - 2;
		char align[TBL_MAXCOL + 1];

		memset(align, 'r', sizeof(align));
		align[0] = 'l';
		align[nl + 2] = '\0';
		tbl_init(&tb, align);
		tbl_add(&tb, "STATE", NULL, NULL, NULL, NULL, NULL, NULL, NULL,
			NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
		for (size_t l = 0; l < nl; l++) {
			snprintf(head, sizeof(head), "LCORE %s", m.k[l]);
			tbl_set(&tb, (unsigned int)l + 1, head);
		}
		tbl_set(&tb, (unsigned int)nl + 1, "TOTAL");
		CJ_FOREACH(fl, key, val) {
			uint64_t v = cj_u64(val, 0);

			if (v == 0 && !o->all)
				continue;
			tbl_add(&tb, key, NULL, NULL, NULL, NULL, NULL, NULL,
				NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
			for (size_t l = 0; l < nl; l++)
				tbl_set(&tb, (unsigned int)l + 1, u64s(num,
					sizeof(num), cj_get_u64(json_object_get(m.v[l],
					"flows"), key, 0)));
			tbl_set(&tb, (unsigned int)nl + 1, u64s(num, sizeof(num), v));
		}
		tbl_add(&tb, "total", NULL, NULL, NULL, NULL, NULL, NULL, NULL,
			NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
		for (size_t l = 0; l < nl; l++)
			tbl_set(&tb, (unsigned int)l + 1, u64s(num, sizeof(num),
				cj_get_u64(m.v[l], "flow_count", 0)));
		tbl_set(&tb, (unsigned int)nl + 1, u64s(num, sizeof(num),
			cj_get_u64(r, "flow_count", 0)));
		tbl_print(&tb, stdout);
		tbl_free(&tb);
	}
	cj_members_free(&m);
	json_decref(r);
	return CTL_OK;
}

/* --- cookies ---------------------------------------------------------------- */

int
ctl_show_cookies(struct ctl_tel *t, const struct ctl_opts *o)
{
	json_t *r;
	const json_t *rej;
	char a[24], b[24];
	struct tbl tb;
	int ret;

	ret = ctl_tel_get(t, "/synack/cookies", &r);
	if (ret != CTL_OK)
		return ret;
	rej = json_object_get(r, "rejected_by_reason");
	if (!json_is_object(rej)) {
		json_decref(r);
		return reply_shape("/synack/cookies");
	}
	if (o->json) {
		json_out(r);
		json_decref(r);
		return CTL_OK;
	}
	tbl_init(&tb, "lrl");
	tbl_add(&tb, "sent", u64s(a, sizeof(a), cj_get_u64(r, "sent", 0)),
		"SYN-ACKs carrying a cookie ISN");
	tbl_add(&tb, "accepted", u64s(a, sizeof(a),
		cj_get_u64(r, "accepted", 0)), "valid cookies: flows created");
	tbl_add(&tb, "rejected", u64s(a, sizeof(a),
		cj_get_u64(r, "rejected", 0)), NULL);
	tbl_add(&tb, "  bad_mac", u64s(a, sizeof(a),
		cj_get_u64(rej, "bad_mac", 0)),
		"not ours for this tuple and ISN (a changed MSS index too)");
	tbl_add(&tb, "  too_old", u64s(a, sizeof(a),
		cj_get_u64(rej, "too_old", 0)), "older than max_age");
	tbl_add(&tb, "RST for a bad cookie", u64s(a, sizeof(a),
		cj_get_u64(r, "rst_bad_cookie", 0)), NULL);
	tbl_add(&tb, "RST, table full", u64s(a, sizeof(a),
		cj_get_u64(r, "rst_table_full", 0)),
		"valid cookie, no room for the flow");
	tbl_print(&tb, stdout);
	tbl_free(&tb);
	printf("max age %s s, key rotation %s, secret %s\n",
		u64s(a, sizeof(a), cj_get_u64(r, "max_age_s", 0)),
		cj_get_u64(r, "rotate_s", 0) ? (snprintf(b, sizeof(b),
			"every %" PRIu64 " s", cj_get_u64(r, "rotate_s", 0)), b) :
			"off",
		cj_get_str(r, "secret", "?"));
	printf("There is no \"bad MSS index\" reason: the MSS index is covered "
		"by the MAC, so a changed index counts as bad_mac.\n");
	json_decref(r);
	return CTL_OK;
}

/* --- config ----------------------------------------------------------------- */

int
ctl_show_config(struct ctl_tel *t, const struct ctl_opts *o)
{
	const char *section;
	json_t *r, *sec;
	bool first = true;
	int ret;

	ret = ctl_tel_get(t, "/synack/config", &r);
	if (ret != CTL_OK)
		return ret;
	if (!json_is_object(r)) {
		json_decref(r);
		return reply_shape("/synack/config");
	}
	if (o->json) {
		json_out(r);
		json_decref(r);
		return CTL_OK;
	}
	CJ_FOREACH(r, section, sec) {
		const char *key;
		json_t *v;
		size_t w = 0;

		if (!json_is_object(sec))
			continue;
		printf("%s[%s]\n", first ? "" : "\n", section);
		first = false;
		CJ_FOREACH(sec, key, v)
			if (strlen(key) > w)
				w = strlen(key);
		CJ_FOREACH(sec, key, v) {
			printf("%-*s =", (int)w, key);
			if (json_is_string(v)) {
				const char *str = json_string_value(v);

				printf("%s%s", str[0] ? " " : "", str);
			} else if (json_is_array(v)) {
				for (size_t j = 0; j < json_array_size(v); j++) {
					const char *str = json_string_value(
						json_array_get(v, j));

					printf("%s%s", j ? ", " : " ",
						str != NULL ? str : "?");
				}
			} else {
				putchar(' ');
				cj_print(stdout, v, 0);
			}
			putchar('\n');
		}
	}
	{
		const json_t *w = json_object_get(r, "workers");

		if (json_is_array(w)) {
			printf("\n# worker lcores:");
			for (size_t j = 0; j < json_array_size(w); j++)
				printf(" %" PRIu64, cj_u64(json_array_get(w, j), 0));
			printf("\n");
		}
	}
	json_decref(r);
	return CTL_OK;
}

/* --- version ----------------------------------------------------------------- */

int
ctl_show_version(struct ctl_tel *t, const struct ctl_opts *o)
{
	json_t *r;
	char up[32];
	uint64_t w, p;
	int ret;

	ret = ctl_tel_get(t, "/synack/version", &r);
	if (ret != CTL_OK)
		return ret;
	if (!json_is_object(r)) {
		json_decref(r);
		return reply_shape("/synack/version");
	}
	if (o->json) {
		json_out(r);
		json_decref(r);
		return CTL_OK;
	}
	w = cj_get_u64(r, "workers", 0);
	p = cj_get_u64(r, "ports", 0);
	printf("synackctl %s\n", SK_VERSION);
	printf("synackd   %s (%s), pid %" PRIu64 ", up %s, %" PRIu64
		" worker lcore%s, %" PRIu64 " port%s\n",
		cj_get_str(r, "synack", "?"), cj_get_str(r, "dpdk", "?"),
		cj_get_u64(r, "pid", 0),
		duration(up, sizeof(up), cj_get_u64(r, "uptime_ms", 0)),
		w, w == 1 ? "" : "s", p, p == 1 ? "" : "s");
	if (cj_get_u64(r, "pdump", 0))
		printf("capture   on: dpdk-dumpcap --file-prefix=%s -i 0 -w FILE\n",
			t->prefix);
	else
		printf("capture   off (%s)\n", cj_get_str(r, "pdump_off", "?"));
	printf("socket    %s\n", t->path);
	json_decref(r);
	return CTL_OK;
}

int
ctl_show_raw(struct ctl_tel *t, const struct ctl_opts *o, const char *cmd)
{
	json_t *r;
	int ret;

	if (cmd[0] != '/')
		return ctl_error(CTL_USAGE, "a telemetry command starts with '/': "
			"%s", cmd);
	ret = ctl_tel_get(t, cmd, &r);
	if (ret != CTL_OK)
		return ret;
	cj_print(stdout, r, o->json ? 0 : 2);
	putchar('\n');
	json_decref(r);
	return CTL_OK;
}

/* --- client ------------------------------------------------------------------ */

/* /synack/client of an engine that runs a client role, checked: NULL with
 * the exit code in *ret (CTL_UNAVAILABLE, and a message unless @p quiet,
 * when it runs none or is too old to say). */
static json_t *
get_client(struct ctl_tel *t, bool quiet, int *ret)
{
	const json_t *lat;
	json_t *r;
	const char *role;

	*ret = ctl_tel_get_opt(t, "/synack/client", &r);
	if (*ret != CTL_OK)
		return NULL;
	if (r == NULL) {
		*ret = quiet ? CTL_UNAVAILABLE : ctl_error(CTL_UNAVAILABLE,
			"the engine with file prefix '%s' has no /synack/client "
			"command (a synackd older than this synackctl)",
			t->prefix);
		return NULL;
	}
	role = cj_get_str(r, "role", NULL);
	if (role != NULL && strcmp(role, "client") != 0) {
		json_decref(r);
		*ret = quiet ? CTL_UNAVAILABLE : ctl_error(CTL_UNAVAILABLE,
			"the engine with file prefix '%s' runs no client role "
			"(synackd started without --client)", t->prefix);
		return NULL;
	}
	lat = json_object_get(r, "latency_us");
	if (role == NULL || !json_is_object(lat) ||
			json_object_get(r, "attempted") == NULL) {
		json_decref(r);
		*ret = reply_shape("/synack/client");
		return NULL;
	}
	return r;
}

/* "2.512 s" from milliseconds */
static const char *
secs_ms(char *buf, size_t len, uint64_t ms)
{
	snprintf(buf, len, "%" PRIu64 ".%03" PRIu64 " s", ms / 1000, ms % 1000);
	return buf;
}

int
ctl_show_client(struct ctl_tel *t, const struct ctl_opts *o)
{
	static const struct {
		const char *key, *label, *help;
	} rows[] = {
#define CTL_CLIENT_ROW(field, key, label, help) { key, label, help },
		SK_FOREACH_CLIENT_COUNT(CTL_CLIENT_ROW)
#undef CTL_CLIENT_ROW
		{ "concurrent", "concurrent", "open now, counting against --concurrency" },
	};
	static const struct {
		const char *key, *label;
	} lrows[] = {
		{ "min", "  min" }, { "p50", "  p50" }, { "p90", "  p90" },
		{ "p99", "  p99" }, { "p99_9", "  p99.9" }, { "max", "  max" },
	};
	const json_t *lat;
	const char *state;
	char a[32], b[32], num[32];
	uint64_t count, rate;
	struct tbl tb;
	json_t *r;
	int ret;

	r = get_client(t, false, &ret);
	if (r == NULL)
		return ret;
	if (o->json) {
		json_out(r);
		json_decref(r);
		return CTL_OK;
	}
	lat = json_object_get(r, "latency_us");
	state = cj_get_str(r, "state", "?");
	printf("target  %s\n", cj_get_str(r, "target", "?"));
	printf("state   %s", state);
	if (strcmp(state, "resolving") == 0)
		printf(" (no SYN sent yet: waiting for the next hop's ARP reply)");
	printf("\n");
	if (json_object_get(r, "error") != NULL)
		printf("error   %s\n", cj_get_str(r, "error", "?"));
	printf("time    %s since the first SYN, %s of them opening\n",
		secs_ms(a, sizeof(a), cj_get_u64(r, "run_ms", 0)),
		secs_ms(b, sizeof(b), cj_get_u64(r, "open_ms", 0)));
	rate = cj_get_u64(r, "rate_cps", 0);
	if (cj_get_u64(r, "ramp", 0))
		printf("rate    ramp (--cps max): offering %" PRIu64 " cps, best "
			"clean step %" PRIu64 " cps, %" PRIu64 " steps, %" PRIu64
			" backoffs; %" PRIu64 " achieved\n", rate,
			cj_get_u64(r, "best_cps", 0),
			cj_get_u64(r, "ramp_steps", 0),
			cj_get_u64(r, "ramp_backoffs", 0),
			cj_get_u64(r, "cps", 0));
	else if (rate == 0)
		printf("rate    no limit (--cps 0), %" PRIu64 " cps achieved "
			"(established / opening time)\n", cj_get_u64(r, "cps", 0));
	else
		printf("rate    %" PRIu64 " cps offered, %" PRIu64 " achieved "
			"(established / opening time)\n", rate,
			cj_get_u64(r, "cps", 0));
	putchar('\n');
	tbl_init(&tb, "lrl");
	tbl_add(&tb, "CONNECTIONS", "COUNT", NULL);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		tbl_add(&tb, rows[i].label, u64s(num, sizeof(num),
			cj_get_u64(r, rows[i].key, 0)), rows[i].help);
	count = cj_get_u64(lat, "count", 0);
	snprintf(a, sizeof(a), "%" PRIu64, count);
	tbl_add(&tb, "latency_us", a,
		"handshake (SYN -> SYN-ACK) samples, microseconds:");
	for (size_t i = 0; i < sizeof(lrows) / sizeof(lrows[0]); i++) {
		tbl_add(&tb, lrows[i].label, u64s(num, sizeof(num),
			cj_get_u64(lat, lrows[i].key, 0)), NULL);
		if (strcmp(lrows[i].key, "min") == 0) {
			/* the exact mean, as synackd's summary prints it */
			snprintf(num, sizeof(num), "%.1f", count ? (double)
				cj_get_u64(lat, "sum", 0) / (double)count : 0.0);
			tbl_add(&tb, "  mean", num, NULL);
		}
	}
	tbl_print(&tb, stdout);
	tbl_free(&tb);
	json_decref(r);
	return CTL_OK;
}

/* --- proxy ------------------------------------------------------------------- */

/* /synack/proxy, checked and turned into an array of the backends in
 * configuration order ([] without a proxy): the engine answers a dict
 * keyed "0", "1", ... (DPDK 22.11 telemetry has no arrays of dicts). NULL
 * with the exit code in *ret (CTL_UNAVAILABLE, and a message unless
 * @p quiet, for an engine older than the command). */
static json_t *
get_proxy(struct ctl_tel *t, bool quiet, int *ret)
{
	json_t *r, *list;

	*ret = ctl_tel_get_opt(t, "/synack/proxy", &r);
	if (*ret != CTL_OK)
		return NULL;
	if (r == NULL) {
		*ret = quiet ? CTL_UNAVAILABLE : ctl_error(CTL_UNAVAILABLE,
			"the engine with file prefix '%s' has no /synack/proxy "
			"command (a synackd older than this synackctl)",
			t->prefix);
		return NULL;
	}
	list = json_array();
	if (list == NULL) {
		json_decref(r);
		*ret = ctl_error(CTL_ERR, "out of memory");
		return NULL;
	}
	*ret = json_is_object(r) ? CTL_OK : CTL_PROTO;
	for (size_t i = 0; *ret == CTL_OK && i < json_object_size(r); i++) {
		char key[24];
		json_t *b = json_object_get(r, u64s(key, sizeof(key), i));

		if (!json_is_object(b) || cj_get_str(b, "backend", NULL) == NULL)
			*ret = CTL_PROTO;
		else if (json_array_append(list, b) != 0)
			*ret = CTL_ERR;
	}
	json_decref(r);
	if (*ret != CTL_OK) {
		json_decref(list);
		*ret = *ret == CTL_ERR ? ctl_error(CTL_ERR, "out of memory") :
			reply_shape("/synack/proxy");
		return NULL;
	}
	return list;
}

/* A backend's health in a word: down (some worker holds it down after
 * failures in a row), unresolved (no MAC yet on some worker: ARP or ND
 * unanswered), or up. */
static const char *
backend_health(const json_t *b)
{
	if (cj_get_u64(b, "down", 0))
		return "down";
	if (!cj_get_u64(b, "resolved", 0))
		return "unresolved";
	return "up";
}

/* The proxied port a backend serves, "any" for every port without its
 * own set (and from a synackd that does not say). */
static const char *
listen_port(const json_t *b, char *buf, size_t size)
{
	uint64_t lp = cj_get_u64(b, "listen_port", 0);

	if (lp == 0)
		snprintf(buf, size, "any");
	else
		u64s(buf, size, lp);
	return buf;
}

#define N_PROXY_COLS 6

int
ctl_show_proxy(struct ctl_tel *t, const struct ctl_opts *o)
{
	static const char *const cols[] = {
		"opened", "established", "failed", "bytes_c2b", "bytes_b2c", "flows",
	};
	char num[N_PROXY_COLS][24];
	struct tbl tb;
	json_t *r;
	int ret;

	r = get_proxy(t, false, &ret);
	if (r == NULL)
		return ret;
	if (o->json) {
		json_out(r);
		json_decref(r);
		return CTL_OK;
	}
	if (json_array_size(r) == 0) {
		printf("no proxy: no port listens with app proxy "
			"(--listen PORT:proxy --backend ADDR:PORT)\n");
		json_decref(r);
		return CTL_OK;
	}
	tbl_init(&tb, "llllrrrrrr");
	tbl_add(&tb, "BACKEND", "PORT", "RESOLVED", "HEALTH", "OPENED",
		"ESTABLISHED", "FAILED", "BYTES_C2B", "BYTES_B2C", "FLOWS");
	for (size_t i = 0; i < json_array_size(r); i++) {
		const json_t *b = json_array_get(r, i);
		char health[48], lport[24];

		if (cj_get_u64(b, "down", 0) && cj_get_u64(b, "down_workers", 0))
			snprintf(health, sizeof(health), "down (%" PRIu64
				" worker%s)", cj_get_u64(b, "down_workers", 0),
				cj_get_u64(b, "down_workers", 0) == 1 ? "" : "s");
		else
			snprintf(health, sizeof(health), "%s", backend_health(b));
		for (size_t c = 0; c < N_PROXY_COLS; c++)
			u64s(num[c], sizeof(num[c]), cj_get_u64(b, cols[c], 0));
		listen_port(b, lport, sizeof(lport));
		tbl_add(&tb, cj_get_str(b, "backend", "?"), lport,
			cj_get_u64(b, "resolved", 0) ? "yes" : "no", health,
			num[0], num[1], num[2], num[3], num[4], num[5]);
	}
	tbl_print(&tb, stdout);
	tbl_free(&tb);
	printf("port: the proxied port it serves (any: every proxied port "
		"without backends of its own); bytes_c2b: payload relayed from "
		"clients to the backend; bytes_b2c: from the backend to "
		"clients; flows: proxied connections now\n");
	json_decref(r);
	return CTL_OK;
}

/* --- watch ------------------------------------------------------------------- */

static volatile sig_atomic_t interrupted;

static void
on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One row of the live view: a rate from counter deltas. */
enum rate_kind { RATE_PER_S, RATE_MPPS };

static const struct {
	const char *label;
	const char *key;       /* JSON name in watch --json */
	const char *counter;   /* one counter, or */
	const char *prefix;    /* the sum of those starting with this, */
	const char *plus;      /* plus this one */
	enum rate_kind kind;
} rate_rows[] = {
	{ "SYN/s", "syn", "rx_syn", NULL, NULL, RATE_PER_S },
	{ "SYN-ACK/s", "synack", "tx_synack", NULL, NULL, RATE_PER_S },
	{ "established/s", "established", "flow_created", NULL, NULL, RATE_PER_S },
	{ "closed/s", "closed", NULL, "close_", NULL, RATE_PER_S },
	{ "RST sent/s", "rst_sent", "tx_rst", NULL, NULL, RATE_PER_S },
	{ "RST received/s", "rst_received", "rx_rst", NULL, NULL, RATE_PER_S },
	{ "drops/s", "drops", NULL, "drop_", "tx_full", RATE_PER_S },
	{ "rx Mpps", "rx_mpps", "rx_packets", NULL, NULL, RATE_MPPS },
	{ "tx Mpps", "tx_mpps", "tx_packets", NULL, NULL, RATE_MPPS },
	{ "IPv6 rx/s", "ipv6_rx", "rx_ipv6", NULL, NULL, RATE_PER_S },
};
#define N_RATES (sizeof(rate_rows) / sizeof(rate_rows[0]))

static uint64_t
row_value(const json_t *counters, size_t i)
{
	if (rate_rows[i].counter != NULL)
		return cj_get_u64(counters, rate_rows[i].counter, 0);
	return sum_prefix(counters, rate_rows[i].prefix) +
		(rate_rows[i].plus != NULL ?
		 cj_get_u64(counters, rate_rows[i].plus, 0) : 0);
}

static uint64_t
delta(uint64_t now, uint64_t then)
{
	return now >= then ? now - then : 0;
}

struct sample {
	uint64_t ns;
	uint64_t v[N_RATES];
	json_t *stats;
	json_t *client;    /* /synack/client when a client role runs */
};

/* Whether watch shows the client line: until the engine says it runs no
 * client role (asked once, at the first sample). */
static bool watch_client = true;

static int
take_sample(struct ctl_tel *t, struct sample *s)
{
	uint64_t t0 = mono_ns();
	const json_t *c;
	int ret;

	json_decref(s->stats);
	json_decref(s->client);
	s->stats = s->client = NULL;
	ret = ctl_tel_get(t, "/synack/stats", &s->stats);
	if (ret != CTL_OK)
		return ret;
	ret = check_stats_shape(s->stats, "/synack/stats");
	if (ret != CTL_OK)
		return ret;
	s->ns = t0 + (mono_ns() - t0) / 2;
	c = json_object_get(s->stats, "counters");
	for (size_t i = 0; i < N_RATES; i++)
		s->v[i] = row_value(c, i);
	if (watch_client) {
		s->client = get_client(t, true, &ret);
		if (s->client == NULL) {
			if (ret != CTL_UNAVAILABLE)
				return ret;
			watch_client = false;
		}
	}
	return CTL_OK;
}

/* The client role's rates over the interval (from the counters of
 * /synack/stats), its connections open now and its p99 over the run. */
struct client_rates {
	double attempted, established, failed;
};

static void
client_rates(const struct sample *a, const struct sample *b, double dt,
		struct client_rates *r)
{
	const json_t *ca = json_object_get(a->stats, "counters");
	const json_t *cb = json_object_get(b->stats, "counters");

	memset(r, 0, sizeof(*r));
	if (dt <= 0)
		return;
	r->attempted = (double)delta(cj_get_u64(cb, "client_syn_sent", 0),
		cj_get_u64(ca, "client_syn_sent", 0)) / dt;
	r->established = (double)delta(cj_get_u64(cb, "client_established", 0),
		cj_get_u64(ca, "client_established", 0)) / dt;
	r->failed = (double)delta(sum_prefix(cb, "client_fail_"),
		sum_prefix(ca, "client_fail_")) / dt;
}

static void
flows_line(FILE *f, const json_t *stats)
{
	const json_t *fl = json_object_get(stats, "flows");
	const char *key;
	json_t *val;
	bool any = false;

	fprintf(f, "flows %" PRIu64, cj_get_u64(stats, "flow_count", 0));
	CJ_FOREACH(fl, key, val) {
		uint64_t v = cj_u64(val, 0);

		if (v == 0)
			continue;
		fprintf(f, "%s%s %" PRIu64, any ? ", " : " (", key, v);
		any = true;
	}
	fprintf(f, "%s\n", any ? ")" : "");
}

static void
print_block(struct ctl_tel *t, const struct ctl_opts *o,
		const struct sample *a, const struct sample *b, bool tty)
{
	double dt = (double)(b->ns - a->ns) / 1e9;
	char when[32], rate[32], tot[24];
	time_t now = time(NULL);
	struct client_rates cr;
	struct tm tm;
	struct tbl tb;

	client_rates(a, b, dt, &cr);
	localtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	if (o->json) {
		printf("{\"time\": %lld, \"interval_s\": %.3f, \"rates\": {",
			(long long)now, dt);
		for (size_t i = 0; i < N_RATES; i++) {
			double r = dt > 0 ? (double)(b->v[i] - a->v[i]) / dt : 0;

			if (rate_rows[i].kind == RATE_MPPS)
				printf("%s\"%s\": %.6f", i ? ", " : "",
					rate_rows[i].key, r / 1e6);
			else
				printf("%s\"%s\": %.1f", i ? ", " : "",
					rate_rows[i].key, r);
		}
		printf("}, \"totals\": ");
		cj_print(stdout, json_object_get(b->stats, "counters"), 0);
		printf(", \"flow_count\": %" PRIu64,
			cj_get_u64(b->stats, "flow_count", 0));
		if (b->client != NULL) {
			printf(", \"client\": {\"state\": ");
			cj_print_string(stdout, cj_get_str(b->client, "state", "?"));
			printf(", \"attempted\": %.1f, \"established\": %.1f, "
				"\"failed\": %.1f, \"concurrent\": %" PRIu64
				", \"p99_us\": %" PRIu64 "}", cr.attempted,
				cr.established, cr.failed,
				cj_get_u64(b->client, "concurrent", 0),
				cj_get_u64(json_object_get(b->client, "latency_us"), "p99", 0));
		}
		printf("}\n");
		fflush(stdout);
		return;
	}
	if (tty)
		fputs("\033[H\033[J", stdout);
	printf("synackd pid %" PRIu64 ", prefix %s, %s, interval %.2f s\n",
		t->pid, t->prefix, when, dt);
	tbl_init(&tb, "lrr");
	tbl_add(&tb, "", "RATE", "TOTAL");
	for (size_t i = 0; i < N_RATES; i++) {
		double r = dt > 0 ? (double)(b->v[i] - a->v[i]) / dt : 0;

		if (rate_rows[i].kind == RATE_MPPS)
			snprintf(rate, sizeof(rate), "%.6f", r / 1e6);
		else
			snprintf(rate, sizeof(rate), "%.1f", r);
		tbl_add(&tb, rate_rows[i].label, rate,
			u64s(tot, sizeof(tot), b->v[i]));
	}
	tbl_print(&tb, stdout);
	tbl_free(&tb);
	flows_line(stdout, b->stats);
	if (b->client != NULL)
		printf("client %s: attempted/s %.1f, established/s %.1f, "
			"failed/s %.1f, concurrent %" PRIu64 ", p99 %" PRIu64
			" us\n", cj_get_str(b->client, "state", "?"), cr.attempted,
			cr.established, cr.failed,
			cj_get_u64(b->client, "concurrent", 0),
			cj_get_u64(json_object_get(b->client, "latency_us"), "p99", 0));
	if (!tty)
		putchar('\n');
	fflush(stdout);
}

/* watch reads keys (q quits) when stdin is a terminal: in non-canonical
 * mode without echo, so that q needs no Enter, and with ISIG kept, so
 * that Ctrl-C still sends SIGINT. The terminal's settings are put back on
 * every way out: the end of ctl_watch, and exit() (atexit) for the rest. */
static struct termios tty_saved, tty_raw_tio;
static volatile sig_atomic_t tty_raw_on;

static void
tty_restore(void)
{
	if (tty_raw_on) {
		tcsetattr(STDIN_FILENO, TCSANOW, &tty_saved);
		tty_raw_on = false;
	}
}

static void
tty_raw(void)
{
	static bool registered;
	struct termios raw;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &tty_saved) != 0)
		return;
	if (!registered) {
		atexit(tty_restore);
		registered = true;
	}
	raw = tty_saved;
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	tty_raw_tio = raw;
	tty_raw_on = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
}

/* Ctrl-Z: the shell gets its terminal back as it was while watch is
 * stopped, and watch its raw mode when continued (fg). Only
 * async-signal-safe calls. */
static void
on_tstp(int sig)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL }, me = { .sa_handler = on_tstp };
	int saved_errno = errno;
	sigset_t set;

	if (tty_raw_on)
		tcsetattr(STDIN_FILENO, TCSANOW, &tty_saved);
	sigaction(sig, &dfl, NULL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);             /* stops here until SIGCONT */
	/* cppcheck-suppress unreachableCode ; raise() returns on SIGCONT */
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigemptyset(&me.sa_mask);
	sigaction(sig, &me, NULL);
	if (tty_raw_on)
		tcsetattr(STDIN_FILENO, TCSANOW, &tty_raw_tio);
	errno = saved_errno;
}

/* Sleep until @p deadline_ns (monotonic), reading keys when stdin is a
 * terminal; false when interrupted or q was pressed. */
static bool
sleep_until(uint64_t deadline_ns)
{
	while (!interrupted) {
		uint64_t now = mono_ns();
		struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
		char keys[16];
		ssize_t n;

		if (now >= deadline_ns)
			return true;
		if (!tty_raw_on) {
			struct timespec ts = {
				.tv_sec = (time_t)((deadline_ns - now) / 1000000000u),
				.tv_nsec = (long)((deadline_ns - now) % 1000000000u),
			};

			nanosleep(&ts, NULL);
			continue;
		}
		/* ms, rounded up: no busy loop in the last millisecond */
		if (poll(&p, 1, (int)((deadline_ns - now + 999999) / 1000000)) <= 0)
			continue;
		n = read(STDIN_FILENO, keys, sizeof(keys));
		if (n == 0) {
			tty_restore();  /* the terminal hung up: no more keys */
			continue;
		}
		for (ssize_t i = 0; i < n; i++)
			if (keys[i] == 'q' || keys[i] == 'Q')
				return false;
	}
	return false;
}

/* --- watch --lcores ---------------------------------------------------------- */

/* One refresh of watch --lcores: every worker lcore's counters (get_lcores:
 * /synack/lcores, completed one lcore at a time when the reply did not
 * fit) and the flow table per lcore (/synack/flows). */
struct lsample {
	uint64_t ns;          /* when the counters were read (midpoint) */
	json_t *ls;        /* {"<id>": {"counters": ...}, ...} */
	json_t *flows;     /* /synack/flows */
};

static int
take_lsample(struct ctl_tel *t, struct lsample *s)
{
	uint64_t t0 = mono_ns();
	const json_t *lc;
	int ret;

	json_decref(s->ls);
	json_decref(s->flows);
	s->ls = s->flows = NULL;
	ret = get_lcores(t, &s->ls);
	if (ret != CTL_OK)
		return ret;
	s->ns = t0 + (mono_ns() - t0) / 2;
	if (json_object_size(s->ls) == 0)
		return ctl_error(CTL_ERR, "the engine has no worker lcores");
	ret = ctl_tel_get(t, "/synack/flows", &s->flows);
	if (ret != CTL_OK)
		return ret;
	lc = json_object_get(s->flows, "lcores");
	if (!json_is_object(lc))
		return reply_shape("/synack/flows");
	return CTL_OK;
}

static const char *
rate_str(char *buf, size_t len, size_t row, double r)
{
	if (rate_rows[row].kind == RATE_MPPS)
		snprintf(buf, len, "%.6f", r / 1e6);
	else
		snprintf(buf, len, "%.1f", r);
	return buf;
}

/* What one column shows: rates over the interval, the counters at its end,
 * the flow table now. */
struct lcol {
	double rate[N_RATES];
	uint64_t total[N_RATES];
	bool have_rate;       /* the lcore was in the previous sample too */
	uint64_t inuse, cap;
};

static void
lcol_of(const struct lsample *a, const struct lsample *b, const char *key,
		double dt, struct lcol *c)
{
	const json_t *now = json_object_get(json_object_get(b->ls, key),
		"counters");
	const json_t *prev = json_object_get(a->ls, key);
	const json_t *fl = json_object_get(json_object_get(b->flows, "lcores"), key);

	memset(c, 0, sizeof(*c));
	c->have_rate = prev != NULL;
	prev = json_object_get(prev, "counters");
	for (size_t i = 0; i < N_RATES; i++) {
		c->total[i] = row_value(now, i);
		if (c->have_rate && dt > 0)
			c->rate[i] = (double)delta(c->total[i],
				row_value(prev, i)) / dt;
	}
	c->inuse = cj_get_u64(fl, "flow_count", 0);
	c->cap = cj_get_u64(fl, "capacity", 0);
}

static double
occupancy(uint64_t inuse, uint64_t cap)
{
	return cap > 0 ? 100.0 * (double)inuse / (double)cap : 0;
}

static void
lcol_json(const struct lcol *c)
{
	char r[32];

	printf("{\"rates\": {");
	for (size_t i = 0; i < N_RATES; i++)
		printf("%s\"%s\": %s", i ? ", " : "", rate_rows[i].key,
			rate_str(r, sizeof(r), i, c->rate[i]));
	printf("}, \"totals\": {");
	for (size_t i = 0; i < N_RATES; i++)
		printf("%s\"%s\": %" PRIu64, i ? ", " : "", rate_rows[i].key,
			c->total[i]);
	printf("}, \"flow_count\": %" PRIu64 ", \"capacity\": %" PRIu64
		", \"occupancy_pct\": %.2f}", c->inuse, c->cap,
		occupancy(c->inuse, c->cap));
}

static void
print_lblock(struct ctl_tel *t, const struct ctl_opts *o,
		const struct lsample *a, const struct lsample *b, bool tty)
{
	double dt = (double)(b->ns - a->ns) / 1e9;
	struct cj_members m;
	size_t nl, shown;
	struct lcol *col, *sum;
	char when[32], buf[48], align[TBL_MAXCOL + 1];
	time_t now = time(NULL);
	struct tm tm;
	struct tbl tb;

	cj_members(b->ls, &m);
	nl = m.n;
	shown = nl < TBL_MAXCOL - 2 ? nl : TBL_MAXCOL - 2;
	col = xmalloc((nl + 1) * sizeof(*col));
	sum = &col[nl];
	for (size_t l = 0; l < nl; l++) {
		lcol_of(a, b, m.k[l], dt, &col[l]);
		for (size_t i = 0; i < N_RATES; i++) {
			sum->rate[i] += col[l].rate[i];
			sum->total[i] += col[l].total[i];
		}
		sum->inuse += col[l].inuse;
		sum->cap += col[l].cap;
	}
	localtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	if (o->json) {
		printf("{\"time\": %lld, \"interval_s\": %.3f, \"lcores\": {",
			(long long)now, dt);
		for (size_t l = 0; l < nl; l++) {
			printf("%s", l ? ", " : "");
			cj_print_string(stdout, m.k[l]);
			printf(": ");
			lcol_json(&col[l]);
		}
		printf("}, \"total\": ");
		lcol_json(sum);
		printf("}\n");
		fflush(stdout);
		free(col);
		cj_members_free(&m);
		return;
	}
	if (tty)
		fputs("\033[H\033[J", stdout);
	printf("synackd pid %" PRIu64 ", prefix %s, %s, interval %.2f s\n",
		t->pid, t->prefix, when, dt);
	memset(align, 'r', sizeof(align));
	align[0] = 'l';
	align[shown + 2] = '\0';
	tbl_init(&tb, align);
#define NULLS15 NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, \
		NULL, NULL, NULL, NULL, NULL
	tbl_add(&tb, "", NULLS15);
	for (size_t l = 0; l < shown; l++) {
		snprintf(buf, sizeof(buf), "LCORE %s", m.k[l]);
		tbl_set(&tb, (unsigned int)l + 1, buf);
	}
	tbl_set(&tb, (unsigned int)shown + 1, "TOTAL");
	for (size_t i = 0; i < N_RATES; i++) {
		tbl_add(&tb, rate_rows[i].label, NULLS15);
		for (size_t l = 0; l < shown; l++)
			tbl_set(&tb, (unsigned int)l + 1, col[l].have_rate ?
				rate_str(buf, sizeof(buf), i, col[l].rate[i]) : "-");
		tbl_set(&tb, (unsigned int)shown + 1,
			rate_str(buf, sizeof(buf), i, sum->rate[i]));
	}
	for (int k = 0; k < 3; k++) {
		static const char *const labels[] = {
			"flows in use", "flow capacity", "occupancy %",
		};

		tbl_add(&tb, labels[k], NULLS15);
		for (size_t l = 0; l <= shown; l++) {
			const struct lcol *c = l < shown ? &col[l] : sum;

			if (k == 0)
				u64s(buf, sizeof(buf), c->inuse);
			else if (k == 1)
				u64s(buf, sizeof(buf), c->cap);
			else
				snprintf(buf, sizeof(buf), "%.2f",
					occupancy(c->inuse, c->cap));
			tbl_set(&tb, (unsigned int)l + 1, buf);
		}
	}
#undef NULLS15
	tbl_print(&tb, stdout);
	tbl_free(&tb);
	if (shown < nl)
		printf("(the first %zu of %zu lcores; TOTAL counts them all, "
			"--json shows each)\n", shown, nl);
	if (!tty)
		putchar('\n');
	fflush(stdout);
	free(col);
	cj_members_free(&m);
}

static int
watch_lcores(struct ctl_tel *t, const struct ctl_opts *o, bool tty)
{
	struct lsample s[2] = { { 0 } };
	uint64_t period = (uint64_t)(o->interval_s * 1e9), next;
	int cur = 0, ret;

	ret = take_lsample(t, &s[cur]);
	next = s[cur].ns;
	for (uint64_t k = 0; ret == CTL_OK && (o->count == 0 || k < o->count);
			k++) {
		next += period;
		if (!sleep_until(next))
			break;
		ret = take_lsample(t, &s[cur ^ 1]);
		if (ret != CTL_OK)
			break;
		print_lblock(t, o, &s[cur], &s[cur ^ 1], tty);
		cur ^= 1;
	}
	for (int i = 0; i < 2; i++) {
		json_decref(s[i].ls);
		json_decref(s[i].flows);
	}
	return ret;
}

int
ctl_watch(struct ctl_tel *t, const struct ctl_opts *o)
{
	struct sample s[2] = { { 0 } };
	struct sigaction sa;
	bool tty = isatty(STDOUT_FILENO) && !o->json;
	uint64_t period = (uint64_t)(o->interval_s * 1e9), next;
	int cur = 0, ret;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_interrupt;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	tty_raw();
	if (tty_raw_on) {
		sa.sa_handler = on_tstp;
		sigaction(SIGTSTP, &sa, NULL);
	}

	if (o->lcores) {
		ret = watch_lcores(t, o, tty);
		tty_restore();
		return ret;
	}
	ret = take_sample(t, &s[cur]);
	next = s[cur].ns;
	for (uint64_t k = 0; ret == CTL_OK && (o->count == 0 || k < o->count);
			k++) {
		next += period;
		if (!sleep_until(next))
			break;
		ret = take_sample(t, &s[cur ^ 1]);
		if (ret != CTL_OK)
			break;
		print_block(t, o, &s[cur], &s[cur ^ 1], tty);
		cur ^= 1;
	}
	for (int i = 0; i < 2; i++) {
		json_decref(s[i].stats);
		json_decref(s[i].client);
	}
	tty_restore();
	return ret;
}

/* --- prometheus -------------------------------------------------------------- */

/* Prometheus label values: backslash, quote and newline escaped. */
static void
prom_label(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n') {
			fputs("\\n", f);
			continue;
		}
		fputc(*s, f);
	}
}

/* HELP text: backslash and newline escaped. */
static void
prom_head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s ", name);
	for (; *help != '\0'; help++) {
		if (*help == '\\')
			fputs("\\\\", f);
		else if (*help == '\n')
			fputs("\\n", f);
		else
			fputc(*help, f);
	}
	fprintf(f, "\n# TYPE %s %s\n", name, type);
}

/* Counters grouped into one labelled family each. */
static const struct {
	const char *prefix;   /* counters named prefix + reason */
	const char *metric;
	const char *label;    /* the reason's label */
	const char *help;
	const char *only[4];  /* when set, only these reasons */
} families[] = {
	{ "drop_", "synack_drops_total", "reason",
	  "Frames dropped by the engine, by reason (synackctl stats -v explains each).",
	  { NULL } },
	{ "cookie_", "synack_cookies_rejected_total", "reason",
	  "SYN cookies rejected, by reason (the MSS index is covered by the MAC).",
	  { "bad_mac", "too_old", NULL } },
	{ "close_", "synack_flows_closed_total", "reason",
	  "Flows ended, by cause.", { NULL } },
	{ "rx_nd_", "synack_nd_received_total", "kind",
	  "IPv6 Neighbor Discovery received, by kind (ns: for one of our addresses; other: ignored, RS, RA, NA, redirects, MLD).",
	  { NULL } },
	{ "tx_nd_", "synack_nd_sent_total", "kind",
	  "IPv6 Neighbor Discovery sent, by kind (na: answers to solicitations).",
	  { NULL } },
};
#define N_FAMILIES (sizeof(families) / sizeof(families[0]))

static int
family_of(const char *name, const char **reason)
{
	for (size_t f = 0; f < N_FAMILIES; f++) {
		size_t pl = strlen(families[f].prefix);

		if (strncmp(name, families[f].prefix, pl) != 0)
			continue;
		if (families[f].only[0] == NULL) {
			*reason = name + pl;
			return (int)f;
		}
		for (size_t k = 0; families[f].only[k] != NULL; k++)
			if (strcmp(name + pl, families[f].only[k]) == 0) {
				*reason = name + pl;
				return (int)f;
			}
	}
	return -1;
}

static bool
metric_name_ok(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
				(*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/* The client role (/synack/client), summed over the workers: what the
 * per-lcore synack_client_*_total counters do not say. Base units, as
 * Prometheus wants them: seconds, not milliseconds or microseconds. */
static void
prom_client(FILE *f, const json_t *c)
{
	static const char *const states[] = {
		"resolving", "opening", "draining", "finished", "failed",
	};
	static const struct {
		const char *key, *metric, *type, *help;
	} g[] = {
		{ "concurrent", "synack_client_concurrent", "gauge",
		  "Client connections open now (counting against --concurrency)." },
		{ "cps", "synack_client_cps", "gauge",
		  "Client connections established per second of opening time, so far." },
		{ "rate_cps", "synack_client_rate_cps", "gauge",
		  "The client's offered rate now, connections per second (0 = no limit)." },
		{ "ramp", "synack_client_ramp", "gauge",
		  "1 when the client rate is searched for (--cps max), 0 when fixed." },
		{ "best_cps", "synack_client_ramp_best_cps", "gauge",
		  "--cps max: established per second of the best clean step." },
		{ "ramp_steps", "synack_client_ramp_steps_total", "counter",
		  "--cps max: rate steps measured." },
		{ "ramp_backoffs", "synack_client_ramp_backoffs_total", "counter",
		  "--cps max: steps that failed and lowered the rate." },
	};
	static const struct {
		const char *key, *quantile;
	} q[] = {
		{ "min", "0" }, { "p50", "0.5" }, { "p90", "0.9" }, { "p99", "0.99" },
		{ "p99_9", "0.999" }, { "max", "1" },
	};
	const json_t *lat = json_object_get(c, "latency_us");
	const char *state = cj_get_str(c, "state", "?");

	prom_head(f, "synack_client_info", "gauge",
		"The client role's target (the value is 1).");
	fputs("synack_client_info{target=\"", f);
	prom_label(f, cj_get_str(c, "target", "?"));
	fputs("\"} 1\n", f);
	prom_head(f, "synack_client_state", "gauge",
		"The client run's state: 1 for the current one.");
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		fprintf(f, "synack_client_state{state=\"%s\"} %d\n", states[i],
			strcmp(state, states[i]) == 0);
	prom_head(f, "synack_client_run_seconds", "gauge",
		"Seconds since the client's first SYN (until the run finished).");
	fprintf(f, "synack_client_run_seconds %.3f\n",
		(double)cj_get_u64(c, "run_ms", 0) / 1000);
	prom_head(f, "synack_client_open_seconds", "gauge",
		"Seconds of the client's opening window so far.");
	fprintf(f, "synack_client_open_seconds %.3f\n",
		(double)cj_get_u64(c, "open_ms", 0) / 1000);
	for (size_t i = 0; i < sizeof(g) / sizeof(g[0]); i++) {
		prom_head(f, g[i].metric, g[i].type, g[i].help);
		fprintf(f, "%s %" PRIu64 "\n", g[i].metric,
			cj_get_u64(c, g[i].key, 0));
	}
	/* microseconds from the engine, seconds here: %.6f keeps every digit */
	prom_head(f, "synack_client_latency_seconds", "summary",
		"Client handshake latency, SYN to SYN-ACK, over the run "
		"(quantile 0 is the minimum, 1 the maximum).");
	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++)
		fprintf(f, "synack_client_latency_seconds{quantile=\"%s\"} %.6f\n",
			q[i].quantile,
			(double)cj_get_u64(lat, q[i].key, 0) / 1e6);
	fprintf(f, "synack_client_latency_seconds_sum %.6f\n",
		(double)cj_get_u64(lat, "sum", 0) / 1e6);
	fprintf(f, "synack_client_latency_seconds_count %" PRIu64 "\n",
		cj_get_u64(lat, "count", 0));
}

/* The port statistics (rte_eth_stats) as counters, one family each. */
static void
prom_ports(FILE *f, const json_t *ports)
{
	static const struct {
		const char *stat, *metric, *help;
	} ps[] = {
		{ "ipackets", "synack_port_rx_packets_total", "Packets received by the port." },
		{ "opackets", "synack_port_tx_packets_total", "Packets sent by the port." },
		{ "ibytes", "synack_port_rx_bytes_total", "Bytes received by the port." },
		{ "obytes", "synack_port_tx_bytes_total", "Bytes sent by the port." },
		{ "imissed", "synack_port_rx_missed_total", "Packets the port dropped: RX queues full." },
		{ "ierrors", "synack_port_rx_errors_total", "Erroneous packets received." },
		{ "oerrors", "synack_port_tx_errors_total", "Packets the port failed to send." },
		{ "rx_nombuf", "synack_port_rx_nombuf_total", "RX mbuf allocation failures." },
	};
	const json_t *ids = json_object_get(ports, "ports");
	const char *xname;
	json_t *val;
	char key[24];

	for (size_t k = 0; k < sizeof(ps) / sizeof(ps[0]); k++) {
		prom_head(f, ps[k].metric, "counter", ps[k].help);
		for (size_t i = 0; i < json_array_size(ids); i++) {
			const json_t *p = json_object_get(ports, u64s(key,
				sizeof(key), cj_u64(json_array_get(ids, i), 0)));

			if (p == NULL)
				continue;
			fprintf(f, "%s{port=\"%s\",name=\"", ps[k].metric, key);
			prom_label(f, cj_get_str(p, "name", "?"));
			fprintf(f, "\"} %" PRIu64 "\n", cj_get_u64(json_object_get(p,
				"stats"), ps[k].stat, 0));
		}
	}
	/* xstats mix counters and gauges under driver-chosen names: untyped */
	prom_head(f, "synack_port_xstat", "untyped",
		"The port's extended statistics (rte_eth_xstats), by name.");
	for (size_t i = 0; i < json_array_size(ids); i++) {
		const json_t *p = json_object_get(ports, u64s(key, sizeof(key),
			cj_u64(json_array_get(ids, i), 0)));

		CJ_FOREACH(json_object_get(p, "xstats"), xname, val) {
			fprintf(f, "synack_port_xstat{port=\"%s\",name=\"", key);
			prom_label(f, cj_get_str(p, "name", "?"));
			fputs("\",xstat=\"", f);
			prom_label(f, xname);
			fprintf(f, "\"} %" PRIu64 "\n", cj_u64(val, 0));
		}
	}
	if (json_object_get(ports, "mbufs_pool") != NULL) {
		prom_head(f, "synack_mbufs_in_use", "gauge",
			"Packet buffers (mbufs) taken from the pool now.");
		fprintf(f, "synack_mbufs_in_use %" PRIu64 "\n",
			cj_get_u64(ports, "mbufs_in_use", 0));
		prom_head(f, "synack_mbufs", "gauge",
			"Packet buffers (mbufs) in the pool.");
		fprintf(f, "synack_mbufs %" PRIu64 "\n",
			cj_get_u64(ports, "mbufs_pool", 0));
	}
}

/* The proxy's backends (/synack/proxy), summed over the workers, a
 * sample per backend labelled backend="ADDR:PORT" ("[V6]:PORT") and
 * listen_port, the proxied port it serves ("any": every port without its
 * own backends). No backends: no families at all. */
static void
prom_proxy(FILE *f, const json_t *px)
{
	static const struct {
		const char *key, *metric, *type, *help;
	} g[] = {
		{ "resolved", "synack_proxy_backend_resolved", "gauge",
		  "1 when every worker knows the proxy backend's MAC (ARP/ND answered)." },
		{ "down", "synack_proxy_backend_down", "gauge",
		  "1 when a worker holds the proxy backend down after failures in a row." },
		{ "opened", "synack_proxy_backend_opened_total", "counter",
		  "Connections to the proxy backend attempted (a valid cookie's ACK)." },
		{ "established", "synack_proxy_backend_established_total", "counter",
		  "Handshakes the proxy backend completed: client and backend spliced." },
		{ "failed", "synack_proxy_backend_failed_total", "counter",
		  "Connections to the proxy backend refused, unanswered or unusable." },
		{ "flows", "synack_proxy_backend_flows", "gauge",
		  "Proxied connections to the backend now." },
	};
	static const char *const dirs[] = { "c2b", "b2c" };

	if (json_array_size(px) == 0)
		return;
	for (size_t k = 0; k < sizeof(g) / sizeof(g[0]); k++) {
		prom_head(f, g[k].metric, g[k].type, g[k].help);
		for (size_t i = 0; i < json_array_size(px); i++) {
			const json_t *b = json_array_get(px, i);

			char lport[24];

			fprintf(f, "%s{backend=\"", g[k].metric);
			prom_label(f, cj_get_str(b, "backend", "?"));
			fprintf(f, "\",listen_port=\"%s\"} %" PRIu64 "\n",
				listen_port(b, lport, sizeof(lport)),
				cj_get_u64(b, g[k].key, 0));
		}
	}
	prom_head(f, "synack_proxy_backend_bytes_total", "counter",
		"Payload bytes relayed through the proxy, by backend and direction "
		"(c2b: client to backend, b2c: backend to client).");
	for (size_t i = 0; i < json_array_size(px); i++) {
		const json_t *b = json_array_get(px, i);

		for (size_t d = 0; d < 2; d++) {
			char key[16], lport[24];

			snprintf(key, sizeof(key), "bytes_%s", dirs[d]);
			fputs("synack_proxy_backend_bytes_total{backend=\"", f);
			prom_label(f, cj_get_str(b, "backend", "?"));
			fprintf(f, "\",listen_port=\"%s\",direction=\"%s\"} %"
				PRIu64 "\n", listen_port(b, lport, sizeof(lport)),
				dirs[d], cj_get_u64(b, key, 0));
		}
	}
}

int
ctl_prom_text(struct ctl_tel *t, char **text, size_t *len)
{
	json_t *ls = NULL, *help = NULL, *ver = NULL, *ports = NULL;
	json_t *flows = NULL, *client = NULL, *cookies = NULL, *val;
	json_t *proxy = NULL;
	const json_t *names;
	struct cj_members m = { 0 };
	const char *key;
	FILE *f;
	int ret;

	*text = NULL;
	*len = 0;
	ret = ctl_tel_get(t, "/synack/version", &ver);
	if (ret == CTL_OK)
		ret = get_lcores(t, &ls);
	if (ret == CTL_OK)
		ret = ctl_tel_get(t, "/synack/stats/help", &help);
	if (ret == CTL_OK)
		ret = ctl_tel_get(t, "/synack/flows", &flows);
	if (ret == CTL_OK)
		ret = ctl_tel_get(t, "/synack/ports", &ports);
	if (ret == CTL_OK)
		ret = ctl_tel_get(t, "/synack/cookies", &cookies);
	if (ret == CTL_OK) {
		client = get_client(t, true, &ret);
		if (ret == CTL_UNAVAILABLE)
			ret = CTL_OK;  /* no client role: no client figures */
	}
	if (ret == CTL_OK) {
		proxy = get_proxy(t, true, &ret);
		if (ret == CTL_UNAVAILABLE)
			ret = CTL_OK;  /* an older engine: no proxy figures */
	}
	if (ret != CTL_OK)
		goto out;
	cj_members(ls, &m);
	if (m.n == 0) {
		ret = reply_shape("/synack/lcores");
		goto out;
	}
	/* Built in memory, written at once: a scrape never sees half. */
	f = open_memstream(text, len);
	if (f == NULL) {
		ret = ctl_error(CTL_ERR, "out of memory");
		goto out;
	}
	prom_head(f, "synack_info", "gauge",
		"synackd version, DPDK version and pid (the value is 1).");
	fputs("synack_info{version=\"", f);
	prom_label(f, cj_get_str(ver, "synack", "?"));
	fputs("\",dpdk=\"", f);
	prom_label(f, cj_get_str(ver, "dpdk", "?"));
	fprintf(f, "\",pid=\"%" PRIu64 "\"} 1\n", cj_get_u64(ver, "pid", 0));
	prom_head(f, "synack_uptime_seconds", "gauge",
		"Seconds since synackd started its workers.");
	fprintf(f, "synack_uptime_seconds %.3f\n",
		(double)cj_get_u64(ver, "uptime_ms", 0) / 1000);

	/* plain counters, one family each, a sample per worker lcore */
	names = json_object_get(m.v[0], "counters");
	CJ_FOREACH(names, key, val) {
		const char *reason;
		char metric[160];

		if (family_of(key, &reason) >= 0)
			continue;
		snprintf(metric, sizeof(metric), "synack_%s_total", key);
		if (!metric_name_ok(metric))
			continue;
		prom_head(f, metric, "counter", cj_get_str(help, key, key));
		for (size_t l = 0; l < m.n; l++)
			fprintf(f, "%s{lcore=\"%s\"} %" PRIu64 "\n", metric,
				m.k[l], cj_get_u64(json_object_get(m.v[l],
				"counters"), key, 0));
	}
	/* labelled families */
	for (size_t fam = 0; fam < N_FAMILIES; fam++) {
		bool any = false;

		/* an engine older than a family's counters: no empty family */
		CJ_FOREACH(names, key, val) {
			const char *reason;

			any = any || family_of(key, &reason) == (int)fam;
		}
		if (!any)
			continue;
		prom_head(f, families[fam].metric, "counter", families[fam].help);
		for (size_t l = 0; l < m.n; l++)
			CJ_FOREACH(names, key, val) {
				const char *reason;

				if (family_of(key, &reason) != (int)fam)
					continue;
				fprintf(f, "%s{lcore=\"%s\",%s=\"",
					families[fam].metric, m.k[l],
					families[fam].label);
				prom_label(f, reason);
				fprintf(f, "\"} %" PRIu64 "\n", cj_get_u64(
					json_object_get(m.v[l], "counters"), key, 0));
			}
	}
	/* gauges */
	prom_head(f, "synack_flows", "gauge", "Live flows, by TCP state.");
	for (size_t l = 0; l < m.n; l++)
		CJ_FOREACH(json_object_get(m.v[l], "flows"), key, val) {
			fprintf(f, "synack_flows{lcore=\"%s\",state=\"", m.k[l]);
			prom_label(f, key);
			fprintf(f, "\"} %" PRIu64 "\n", cj_u64(val, 0));
		}
	prom_head(f, "synack_flow_capacity", "gauge",
		"Flow table entries, per worker lcore.");
	CJ_FOREACH(json_object_get(flows, "lcores"), key, val)
		fprintf(f, "synack_flow_capacity{lcore=\"%s\"} %" PRIu64 "\n",
			key, cj_get_u64(val, "capacity", 0));
	prom_head(f, "synack_flow_memory_bytes", "gauge",
		"Memory of the flow table, per worker lcore.");
	CJ_FOREACH(json_object_get(flows, "lcores"), key, val)
		fprintf(f, "synack_flow_memory_bytes{lcore=\"%s\"} %" PRIu64 "\n",
			key, cj_get_u64(val, "memory_bytes", 0));
	prom_ports(f, ports);
	prom_head(f, "synack_cookie_max_age_seconds", "gauge",
		"SYN cookies older than this are rejected (too_old).");
	fprintf(f, "synack_cookie_max_age_seconds %" PRIu64 "\n",
		cj_get_u64(cookies, "max_age_s", 0));
	prom_head(f, "synack_cookie_rotation_seconds", "gauge",
		"The cookie key changes this often (0 = never).");
	fprintf(f, "synack_cookie_rotation_seconds %" PRIu64 "\n",
		cj_get_u64(cookies, "rotate_s", 0));
	if (client != NULL)
		prom_client(f, client);
	if (proxy != NULL)
		prom_proxy(f, proxy);
	if (fclose(f) != 0) {
		ret = ctl_error(CTL_ERR, "out of memory");
		goto out;
	}
out:
	if (ret != CTL_OK) {
		free(*text);
		*text = NULL;
		*len = 0;
	}
	cj_members_free(&m);
	json_decref(ls);
	json_decref(help);
	json_decref(ver);
	json_decref(ports);
	json_decref(flows);
	json_decref(client);
	json_decref(cookies);
	json_decref(proxy);
	return ret;
}

int
ctl_prometheus(struct ctl_tel *t, const struct ctl_opts *o)
{
	char *text;
	size_t len;
	int ret;

	(void)o;
	ret = ctl_prom_text(t, &text, &len);
	if (ret != CTL_OK)
		return ret;
	if (fwrite(text, 1, len, stdout) != len)
		ret = ctl_error(CTL_ERR, "writing the output: %s", strerror(errno));
	free(text);
	return ret;
}

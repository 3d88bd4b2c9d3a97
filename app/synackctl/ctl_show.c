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
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "ctl_json.h"
#include "ctl_show.h"
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

static char *
xstrdup(const char *s)
{
	char *d = xmalloc(strlen(s) + 1);

	memcpy(d, s, strlen(s) + 1);
	return d;
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
json_out(const struct cj *v)
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

#define TBL_MAXCOL 16

struct tbl {
	unsigned int ncol;
	unsigned int nrow;
	unsigned int cap;
	char **cell;              /* nrow x ncol; NULL = empty */
	bool right[TBL_MAXCOL];   /* right-aligned (numbers) */
};

/* @p align: one letter per column, 'l' or 'r'. */
static void
tbl_init(struct tbl *t, const char *align)
{
	memset(t, 0, sizeof(*t));
	t->ncol = (unsigned int)strlen(align);
	for (unsigned int c = 0; c < t->ncol && c < TBL_MAXCOL; c++)
		t->right[c] = align[c] == 'r';
}

/* One row: ncol strings (NULL for an empty cell). */
static void
tbl_add(struct tbl *t, ...)
{
	va_list ap;

	if (t->nrow == t->cap) {
		unsigned int ncap = t->cap ? t->cap * 2 : 32;
		char **nc = realloc(t->cell, (size_t)ncap * t->ncol * sizeof(*nc));

		if (nc == NULL) {
			ctl_error(CTL_ERR, "out of memory");
			exit(CTL_ERR);
		}
		t->cell = nc;
		t->cap = ncap;
	}
	va_start(ap, t);
	for (unsigned int c = 0; c < t->ncol; c++) {
		const char *s = va_arg(ap, const char *);

		t->cell[t->nrow * t->ncol + c] = s != NULL ? xstrdup(s) : NULL;
	}
	va_end(ap);
	t->nrow++;
}

/* Set one cell of the last row. */
static void
tbl_set(struct tbl *t, unsigned int col, const char *s)
{
	char **cell = &t->cell[(t->nrow - 1) * t->ncol + col];

	free(*cell);
	*cell = s != NULL ? xstrdup(s) : NULL;
}

static void
tbl_print(struct tbl *t, FILE *f)
{
	size_t w[TBL_MAXCOL] = { 0 };

	for (unsigned int r = 0; r < t->nrow; r++)
		for (unsigned int c = 0; c < t->ncol; c++) {
			const char *s = t->cell[r * t->ncol + c];

			if (s != NULL && strlen(s) > w[c])
				w[c] = strlen(s);
		}
	for (unsigned int r = 0; r < t->nrow; r++) {
		size_t pending = 0; /* spaces owed before the next cell */

		for (unsigned int c = 0; c < t->ncol; c++) {
			const char *s = t->cell[r * t->ncol + c];
			size_t len = s != NULL ? strlen(s) : 0;
			bool last = true;

			for (unsigned int k = c + 1; k < t->ncol; k++)
				if (t->cell[r * t->ncol + k] != NULL)
					last = false;
			if (c > 0)
				pending += 2;
			if (t->right[c]) {
				fprintf(f, "%*s%s", (int)(pending + w[c] - len), "",
					s != NULL ? s : "");
				pending = 0;
			} else {
				fprintf(f, "%*s%s", (int)pending, "",
					s != NULL ? s : "");
				pending = w[c] - len;
			}
			if (last)
				break;
		}
		fputc('\n', f);
	}
}

static void
tbl_free(struct tbl *t)
{
	for (unsigned int i = 0; i < t->nrow * t->ncol; i++)
		free(t->cell[i]);
	free(t->cell);
	memset(t, 0, sizeof(*t));
}

/* --- counters ------------------------------------------------------------ */

static const struct {
	const char *prefix;
	const char *title;
} groups[] = {
	{ "rx_", "received" },
	{ "tx_", "sent" },
	{ "cookie_", "SYN cookies" },
	{ "flow_", "flows created" },
	{ "close_", "flows closed" },
	{ "drop_", "dropped" },
	{ "", "other" },
};

static unsigned int
group_of(const char *name)
{
	for (unsigned int g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
		if (strncmp(name, groups[g].prefix, strlen(groups[g].prefix)) == 0)
			return g;
	return 0;
}

/* Sum of the counters whose names start with @p prefix. */
static uint64_t
sum_prefix(const struct cj *counters, const char *prefix)
{
	uint64_t s = 0;

	if (counters == NULL || counters->type != CJ_OBJ)
		return 0;
	for (size_t i = 0; i < counters->n; i++)
		if (strncmp(counters->k[i], prefix, strlen(prefix)) == 0)
			s += cj_u64(counters->v[i], 0);
	return s;
}

static int
check_stats_shape(const struct cj *s, const char *cmd)
{
	const struct cj *c = cj_get(s, "counters");

	if (c == NULL || c->type != CJ_OBJ || c->n == 0)
		return reply_shape(cmd);
	return CTL_OK;
}

/* --- stats ------------------------------------------------------------------ */

int
ctl_show_stats(struct ctl_tel *t, const struct ctl_opts *o)
{
	struct cj *s, *help = NULL;
	const struct cj *c, *fl;
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
		cj_free(s);
		return ret;
	}
	if (o->verbose) {
		ret = ctl_tel_get(t, "/synack/stats/help", &help);
		if (ret != CTL_OK) {
			cj_free(s);
			return ret;
		}
	}
	c = cj_get(s, "counters");
	tbl_init(&tb, o->verbose ? "lrl" : "lr");
	tbl_add(&tb, "COUNTER", "VALUE", NULL);
	for (unsigned int g = 0; g < ngroups; g++) {
		bool titled = false;

		for (size_t i = 0; i < c->n; i++) {
			uint64_t v = cj_u64(c->v[i], 0);

			if (group_of(c->k[i]) != g || (v == 0 && !o->all))
				continue;
			if (!titled) {
				tbl_add(&tb, groups[g].title, NULL, NULL);
				titled = true;
			}
			tbl_add(&tb, "", u64s(num, sizeof(num), v),
				cj_get_str(help, c->k[i], NULL));
			{
				char name[160];

				snprintf(name, sizeof(name), "  %s", c->k[i]);
				tbl_set(&tb, 0, name);
			}
		}
	}
	fl = cj_get(s, "flows");
	tbl_add(&tb, "flows now", NULL, NULL);
	for (size_t i = 0; fl != NULL && fl->type == CJ_OBJ && i < fl->n; i++) {
		char name[160];
		uint64_t v = cj_u64(fl->v[i], 0);

		if (v == 0 && !o->all)
			continue;
		snprintf(name, sizeof(name), "  %s", fl->k[i]);
		tbl_add(&tb, name, u64s(num, sizeof(num), v), NULL);
	}
	tbl_add(&tb, "  total", u64s(num, sizeof(num),
		cj_get_u64(s, "flow_count", 0)), NULL);
	tbl_print(&tb, stdout);
	tbl_free(&tb);
	cj_free(help);
	cj_free(s);
	return CTL_OK;
}

/* --- lcores ---------------------------------------------------------------- */

/* /synack/lcores, completed: a reply that did not fit lacks some lcores,
 * which are then asked for one by one. *out = {"<id>": {...}, ...}. */
static int
get_lcores(struct ctl_tel *t, struct cj **out)
{
	struct cj *r, *res;
	const struct cj *ids;
	int ret;

	*out = NULL;
	ret = ctl_tel_get(t, "/synack/lcores", &r);
	if (ret != CTL_OK)
		return ret;
	ids = cj_get(r, "lcores");
	if (ids == NULL || ids->type != CJ_ARR) {
		cj_free(r);
		return reply_shape("/synack/lcores");
	}
	res = cj_new(CJ_OBJ);
	if (res == NULL) {
		cj_free(r);
		return ctl_error(CTL_ERR, "out of memory");
	}
	for (size_t i = 0; i < ids->n; i++) {
		char key[24], cmd[48];
		struct cj *l = NULL, *one;
		uint64_t id = cj_u64(ids->v[i], UINT64_MAX);

		u64s(key, sizeof(key), id);
		for (size_t k = 0; k < r->n; k++)
			if (strcmp(r->k[k], key) == 0)
				l = cj_take(r, k);
		if (l == NULL) {
			snprintf(cmd, sizeof(cmd), "/synack/lcores,%s", key);
			ret = ctl_tel_get(t, cmd, &one);
			if (ret != CTL_OK) {
				cj_free(r);
				cj_free(res);
				return ret;
			}
			for (size_t k = 0; k < one->n; k++)
				if (strcmp(one->k[k], key) == 0)
					l = cj_take(one, k);
			cj_free(one);
		}
		if (l == NULL || check_stats_shape(l, "/synack/lcores") != CTL_OK) {
			cj_free(l);
			cj_free(r);
			cj_free(res);
			return reply_shape("/synack/lcores");
		}
		cj_add(res, key, l);
	}
	cj_free(r);
	*out = res;
	return CTL_OK;
}

int
ctl_show_lcores(struct ctl_tel *t, const struct ctl_opts *o)
{
	struct cj *ls;
	const struct cj *c0, *f0;
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
		cj_free(ls);
		return CTL_OK;
	}
	nl = ls->n;
	if (nl == 0) {
		printf("no worker lcores\n");
		cj_free(ls);
		return CTL_OK;
	}
	if (nl > TBL_MAXCOL - 2) {
		/* one table per lcore */
		nl = TBL_MAXCOL - 2;
		fprintf(stderr, "synackctl: showing the first %zu of %zu lcores "
			"(--json shows all)\n", nl, ls->n);
	}
	memset(align, 'r', sizeof(align));
	align[0] = 'l';
	align[nl + (nl > 1 ? 2 : 1)] = '\0';
	tbl_init(&tb, align);
	tbl_add(&tb, "COUNTER", NULL, NULL, NULL, NULL, NULL, NULL, NULL,
		NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
	for (size_t l = 0; l < nl; l++) {
		snprintf(head, sizeof(head), "LCORE %s", ls->k[l]);
		tbl_set(&tb, (unsigned int)l + 1, head);
	}
	if (nl > 1)
		tbl_set(&tb, (unsigned int)nl + 1, "TOTAL");
	c0 = cj_get(ls->v[0], "counters");
	f0 = cj_get(ls->v[0], "flows");
	for (int part = 0; part < 2; part++) {
		const struct cj *names = part == 0 ? c0 : f0;

		for (size_t i = 0; names != NULL && names->type == CJ_OBJ &&
				i < names->n; i++) {
			const char *key = names->k[i];
			uint64_t total = 0;
			char label[160];

			for (size_t l = 0; l < nl; l++)
				total += cj_get_u64(cj_get(ls->v[l], part == 0 ?
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
					cj_get_u64(cj_get(ls->v[l], part == 0 ?
					"counters" : "flows"), key, 0)));
			if (nl > 1)
				tbl_set(&tb, (unsigned int)nl + 1,
					u64s(num, sizeof(num), total));
		}
	}
	tbl_print(&tb, stdout);
	tbl_free(&tb);
	cj_free(ls);
	return CTL_OK;
}

/* --- ports ------------------------------------------------------------------ */

int
ctl_show_ports(struct ctl_tel *t, const struct ctl_opts *o)
{
	struct cj *r;
	const struct cj *ids;
	char num[24];
	int ret;

	ret = ctl_tel_get(t, "/synack/ports", &r);
	if (ret != CTL_OK)
		return ret;
	ids = cj_get(r, "ports");
	if (ids == NULL || ids->type != CJ_ARR) {
		cj_free(r);
		return reply_shape("/synack/ports");
	}
	if (o->json) {
		json_out(r);
		cj_free(r);
		return CTL_OK;
	}
	for (size_t i = 0; i < ids->n; i++) {
		const struct cj *p, *st, *xs;
		uint64_t speed;
		struct tbl tb;
		char key[24];

		p = cj_get(r, u64s(key, sizeof(key), cj_u64(ids->v[i], 0)));
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
		st = cj_get(p, "stats");
		for (size_t k = 0; st != NULL && st->type == CJ_OBJ && k < st->n;
				k++) {
			char label[160];

			snprintf(label, sizeof(label), "  %s", st->k[k]);
			tbl_add(&tb, label, u64s(num, sizeof(num),
				cj_u64(st->v[k], 0)));
		}
		xs = cj_get(p, "xstats");
		if (xs != NULL && xs->type == CJ_OBJ && xs->n > 0) {
			tbl_add(&tb, o->all ? "  xstats" : "  xstats (non-zero)",
				NULL);
			for (size_t k = 0; k < xs->n; k++) {
				char label[160];
				uint64_t v = cj_u64(xs->v[k], 0);

				if (v == 0 && !o->all)
					continue;
				snprintf(label, sizeof(label), "    %s", xs->k[k]);
				tbl_add(&tb, label, u64s(num, sizeof(num), v));
			}
		}
		tbl_print(&tb, stdout);
		tbl_free(&tb);
	}
	if (cj_get(r, "mbufs_pool") != NULL)
		printf("\nmbufs in use: %" PRIu64 " of %" PRIu64 "\n",
			cj_get_u64(r, "mbufs_in_use", 0),
			cj_get_u64(r, "mbufs_pool", 0));
	cj_free(r);
	return CTL_OK;
}

/* --- flows ------------------------------------------------------------------ */

static int
show_flow_list(struct ctl_tel *t, const struct ctl_opts *o)
{
	struct cj *all, *list, *page = NULL;
	uint64_t got = 0, total = 0;
	bool more = false;
	char num[24];
	int ret;

	all = cj_new(CJ_OBJ);
	list = cj_new(CJ_OBJ);
	if (all == NULL || list == NULL) {
		cj_free(all);
		cj_free(list);
		return ctl_error(CTL_ERR, "out of memory");
	}
	/* Page through the table: each reply holds what fits in 16 KiB. */
	while (got < o->list) {
		uint64_t want = o->list - got < FLOW_PAGE ? o->list - got : FLOW_PAGE;
		struct cj *fl;
		char cmd[96];
		uint64_t shown;

		snprintf(cmd, sizeof(cmd), "/synack/flows/list,%" PRIu64 ",%" PRIu64,
			want, got);
		ret = ctl_tel_get(t, cmd, &page);
		if (ret != CTL_OK)
			goto out;
		fl = cj_get(page, "flows");
		if (fl == NULL || fl->type != CJ_OBJ) {
			ret = reply_shape("/synack/flows/list");
			goto out;
		}
		total = cj_get_u64(page, "flow_count", 0);
		more = cj_get_u64(page, "more", 0) != 0;
		shown = 0;
		for (size_t i = 0; i < fl->n && got < o->list; i++) {
			cj_add(list, u64s(num, sizeof(num), got), cj_take(fl, i));
			got++;
			shown++;
		}
		cj_free(page);
		page = NULL;
		if (!more || shown == 0)
			break;
	}
	if (got >= o->list && !more)
		more = false;
	cj_add(all, "flow_count", cj_new_u64(total));
	cj_add(all, "shown", cj_new_u64(got));
	cj_add(all, "more", cj_new_u64(more));
	cj_add(all, "flows", list);
	list = NULL;
	if (o->json) {
		json_out(all);
	} else {
		const struct cj *fl = cj_get(all, "flows");
		struct tbl tb;

		tbl_init(&tb, "rlllll");
		tbl_add(&tb, "LCORE", "REMOTE", "LOCAL", "STATE", "APP", "AGE");
		for (size_t i = 0; i < fl->n; i++) {
			const struct cj *f = fl->v[i];
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
		if (fl->n > 0)
			tbl_print(&tb, stdout);
		tbl_free(&tb);
		printf("%" PRIu64 " flow%s shown, %" PRIu64 " live%s\n", got,
			got == 1 ? "" : "s", total,
			more ? " (more: raise --list)" : "");
	}
	ret = CTL_OK;
out:
	cj_free(page);
	cj_free(list);
	cj_free(all);
	return ret;
}

int
ctl_show_flows(struct ctl_tel *t, const struct ctl_opts *o)
{
	struct cj *r;
	const struct cj *lc, *fl;
	char num[24], cap[24], mem[32], head[32];
	struct tbl tb;
	int ret;

	if (o->list != 0)
		return show_flow_list(t, o);
	ret = ctl_tel_get(t, "/synack/flows", &r);
	if (ret != CTL_OK)
		return ret;
	lc = cj_get(r, "lcores");
	fl = cj_get(r, "flows");
	if (lc == NULL || lc->type != CJ_OBJ || fl == NULL ||
			fl->type != CJ_OBJ) {
		cj_free(r);
		return reply_shape("/synack/flows");
	}
	if (o->json) {
		json_out(r);
		cj_free(r);
		return CTL_OK;
	}
	tbl_init(&tb, "lrrrr");
	tbl_add(&tb, "LCORE", "FLOWS", "CAPACITY", "OCCUPANCY", "MEMORY");
	for (size_t i = 0; i < lc->n; i++) {
		const struct cj *l = lc->v[i];

		tbl_add(&tb, lc->k[i],
			u64s(num, sizeof(num), cj_get_u64(l, "flow_count", 0)),
			u64s(cap, sizeof(cap), cj_get_u64(l, "capacity", 0)),
			cj_get_str(l, "occupancy", "?"),
			bytes_h(mem, sizeof(mem), cj_get_u64(l, "memory_bytes", 0)));
	}
	if (lc->n > 1)
		tbl_add(&tb, "total",
			u64s(num, sizeof(num), cj_get_u64(r, "flow_count", 0)),
			u64s(cap, sizeof(cap), cj_get_u64(r, "capacity", 0)),
			cj_get_str(r, "occupancy", "?"), NULL);
	tbl_print(&tb, stdout);
	tbl_free(&tb);
	putchar('\n');
	/* flows per state: one column per lcore, then the total */
	{
		size_t nl = lc->n < TBL_MAXCOL - 2 ? lc->n : TBL_MAXCOL - 2;
		char align[TBL_MAXCOL + 1];

		memset(align, 'r', sizeof(align));
		align[0] = 'l';
		align[nl + 2] = '\0';
		tbl_init(&tb, align);
		tbl_add(&tb, "STATE", NULL, NULL, NULL, NULL, NULL, NULL, NULL,
			NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
		for (size_t l = 0; l < nl; l++) {
			snprintf(head, sizeof(head), "LCORE %s", lc->k[l]);
			tbl_set(&tb, (unsigned int)l + 1, head);
		}
		tbl_set(&tb, (unsigned int)nl + 1, "TOTAL");
		for (size_t i = 0; i < fl->n; i++) {
			uint64_t v = cj_u64(fl->v[i], 0);

			if (v == 0 && !o->all)
				continue;
			tbl_add(&tb, fl->k[i], NULL, NULL, NULL, NULL, NULL, NULL,
				NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
			for (size_t l = 0; l < nl; l++)
				tbl_set(&tb, (unsigned int)l + 1, u64s(num,
					sizeof(num), cj_get_u64(cj_get(lc->v[l],
					"flows"), fl->k[i], 0)));
			tbl_set(&tb, (unsigned int)nl + 1, u64s(num, sizeof(num), v));
		}
		tbl_add(&tb, "total", NULL, NULL, NULL, NULL, NULL, NULL, NULL,
			NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
		for (size_t l = 0; l < nl; l++)
			tbl_set(&tb, (unsigned int)l + 1, u64s(num, sizeof(num),
				cj_get_u64(lc->v[l], "flow_count", 0)));
		tbl_set(&tb, (unsigned int)nl + 1, u64s(num, sizeof(num),
			cj_get_u64(r, "flow_count", 0)));
		tbl_print(&tb, stdout);
		tbl_free(&tb);
	}
	cj_free(r);
	return CTL_OK;
}

/* --- cookies ---------------------------------------------------------------- */

int
ctl_show_cookies(struct ctl_tel *t, const struct ctl_opts *o)
{
	struct cj *r;
	const struct cj *rej;
	char a[24], b[24];
	struct tbl tb;
	int ret;

	ret = ctl_tel_get(t, "/synack/cookies", &r);
	if (ret != CTL_OK)
		return ret;
	rej = cj_get(r, "rejected_by_reason");
	if (rej == NULL || rej->type != CJ_OBJ) {
		cj_free(r);
		return reply_shape("/synack/cookies");
	}
	if (o->json) {
		json_out(r);
		cj_free(r);
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
	cj_free(r);
	return CTL_OK;
}

/* --- config ----------------------------------------------------------------- */

int
ctl_show_config(struct ctl_tel *t, const struct ctl_opts *o)
{
	struct cj *r;
	bool first = true;
	int ret;

	ret = ctl_tel_get(t, "/synack/config", &r);
	if (ret != CTL_OK)
		return ret;
	if (r->type != CJ_OBJ) {
		cj_free(r);
		return reply_shape("/synack/config");
	}
	if (o->json) {
		json_out(r);
		cj_free(r);
		return CTL_OK;
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct cj *sec = r->v[i];
		size_t w = 0;

		if (sec->type != CJ_OBJ)
			continue;
		printf("%s[%s]\n", first ? "" : "\n", r->k[i]);
		first = false;
		for (size_t k = 0; k < sec->n; k++)
			if (strlen(sec->k[k]) > w)
				w = strlen(sec->k[k]);
		for (size_t k = 0; k < sec->n; k++) {
			const struct cj *v = sec->v[k];

			printf("%-*s =", (int)w, sec->k[k]);
			if (v->type == CJ_STR) {
				printf("%s%s", v->s[0] ? " " : "", v->s);
			} else if (v->type == CJ_ARR) {
				for (size_t j = 0; j < v->n; j++)
					printf("%s%s", j ? ", " : " ",
						v->v[j]->type == CJ_STR ?
						v->v[j]->s : "?");
			} else {
				putchar(' ');
				cj_print(stdout, v, 0);
			}
			putchar('\n');
		}
	}
	{
		const struct cj *w = cj_get(r, "workers");

		if (w != NULL && w->type == CJ_ARR) {
			printf("\n# worker lcores:");
			for (size_t j = 0; j < w->n; j++)
				printf(" %" PRIu64, cj_u64(w->v[j], 0));
			printf("\n");
		}
	}
	cj_free(r);
	return CTL_OK;
}

/* --- version ----------------------------------------------------------------- */

int
ctl_show_version(struct ctl_tel *t, const struct ctl_opts *o)
{
	struct cj *r;
	char up[32];
	uint64_t w, p;
	int ret;

	ret = ctl_tel_get(t, "/synack/version", &r);
	if (ret != CTL_OK)
		return ret;
	if (r->type != CJ_OBJ) {
		cj_free(r);
		return reply_shape("/synack/version");
	}
	if (o->json) {
		json_out(r);
		cj_free(r);
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
	cj_free(r);
	return CTL_OK;
}

int
ctl_show_raw(struct ctl_tel *t, const struct ctl_opts *o, const char *cmd)
{
	struct cj *r;
	int ret;

	if (cmd[0] != '/')
		return ctl_error(CTL_USAGE, "a telemetry command starts with '/': "
			"%s", cmd);
	ret = ctl_tel_get(t, cmd, &r);
	if (ret != CTL_OK)
		return ret;
	cj_print(stdout, r, o->json ? 0 : 2);
	putchar('\n');
	cj_free(r);
	return CTL_OK;
}

/* --- client ------------------------------------------------------------------ */

/* /synack/client of an engine that runs a client role, checked: NULL with
 * the exit code in *ret (CTL_UNAVAILABLE, and a message unless @p quiet,
 * when it runs none or is too old to say). */
static struct cj *
get_client(struct ctl_tel *t, bool quiet, int *ret)
{
	const struct cj *lat;
	struct cj *r;
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
		cj_free(r);
		*ret = quiet ? CTL_UNAVAILABLE : ctl_error(CTL_UNAVAILABLE,
			"the engine with file prefix '%s' runs no client role "
			"(synackd started without --client)", t->prefix);
		return NULL;
	}
	lat = cj_get(r, "latency_us");
	if (role == NULL || lat == NULL || lat->type != CJ_OBJ ||
			cj_get(r, "attempted") == NULL) {
		cj_free(r);
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
		{ "attempted", "attempted", "first SYN sent" },
		{ "established", "established", "SYN-ACK received" },
		{ "completed", "completed", "response read, closed as asked" },
		{ "failed", "failed", NULL },
		{ "fail_timeout", "  timeout",
		  "no SYN-ACK after the retries, or no response in time" },
		{ "fail_rst", "  rst", "reset by the server" },
		{ "fail_bad_synack", "  bad_synack",
		  "only unacceptable SYN-ACKs came back" },
		{ "fail_response", "  response", "not the expected bytes" },
		{ "fail_closed", "  closed",
		  "the server closed before the whole response" },
		{ "syn_retx", "syn_retx", "SYNs retransmitted" },
		{ "no_tuple", "no_tuple",
		  "not opened: no free source address and port" },
		{ "concurrent", "concurrent", "open now, counting against --concurrency" },
	};
	static const struct {
		const char *key, *label;
	} lrows[] = {
		{ "min", "  min" }, { "p50", "  p50" }, { "p90", "  p90" },
		{ "p99", "  p99" }, { "p99_9", "  p99.9" }, { "max", "  max" },
	};
	const struct cj *lat;
	const char *state;
	char a[32], b[32], num[32];
	uint64_t count, rate;
	struct tbl tb;
	struct cj *r;
	int ret;

	r = get_client(t, false, &ret);
	if (r == NULL)
		return ret;
	if (o->json) {
		json_out(r);
		cj_free(r);
		return CTL_OK;
	}
	lat = cj_get(r, "latency_us");
	state = cj_get_str(r, "state", "?");
	printf("target  %s\n", cj_get_str(r, "target", "?"));
	printf("state   %s", state);
	if (strcmp(state, "resolving") == 0)
		printf(" (no SYN sent yet: waiting for the next hop's ARP reply)");
	printf("\n");
	if (cj_get(r, "error") != NULL)
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
	cj_free(r);
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
};
#define N_RATES (sizeof(rate_rows) / sizeof(rate_rows[0]))

static uint64_t
row_value(const struct cj *counters, size_t i)
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
	struct cj *stats;
	struct cj *client;    /* /synack/client when a client role runs */
};

/* Whether watch shows the client line: until the engine says it runs no
 * client role (asked once, at the first sample). */
static bool watch_client = true;

static int
take_sample(struct ctl_tel *t, struct sample *s)
{
	uint64_t t0 = mono_ns();
	const struct cj *c;
	int ret;

	cj_free(s->stats);
	cj_free(s->client);
	s->stats = s->client = NULL;
	ret = ctl_tel_get(t, "/synack/stats", &s->stats);
	if (ret != CTL_OK)
		return ret;
	ret = check_stats_shape(s->stats, "/synack/stats");
	if (ret != CTL_OK)
		return ret;
	s->ns = t0 + (mono_ns() - t0) / 2;
	c = cj_get(s->stats, "counters");
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
	const struct cj *ca = cj_get(a->stats, "counters");
	const struct cj *cb = cj_get(b->stats, "counters");

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
flows_line(FILE *f, const struct cj *stats)
{
	const struct cj *fl = cj_get(stats, "flows");
	bool any = false;

	fprintf(f, "flows %" PRIu64, cj_get_u64(stats, "flow_count", 0));
	for (size_t i = 0; fl != NULL && fl->type == CJ_OBJ && i < fl->n; i++) {
		uint64_t v = cj_u64(fl->v[i], 0);

		if (v == 0)
			continue;
		fprintf(f, "%s%s %" PRIu64, any ? ", " : " (", fl->k[i], v);
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
		cj_print(stdout, cj_get(b->stats, "counters"), 0);
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
				cj_get_u64(cj_get(b->client, "latency_us"), "p99", 0));
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
			cj_get_u64(cj_get(b->client, "latency_us"), "p99", 0));
	if (!tty)
		putchar('\n');
	fflush(stdout);
}

/* Sleep until @p deadline_ns (monotonic); false when interrupted. */
static bool
sleep_until(uint64_t deadline_ns)
{
	while (!interrupted) {
		uint64_t now = mono_ns();
		struct timespec ts;

		if (now >= deadline_ns)
			return true;
		ts.tv_sec = (time_t)((deadline_ns - now) / 1000000000u);
		ts.tv_nsec = (long)((deadline_ns - now) % 1000000000u);
		nanosleep(&ts, NULL);
	}
	return false;
}

/* --- watch --lcores ---------------------------------------------------------- */

/* One refresh of watch --lcores: every worker lcore's counters (get_lcores:
 * /synack/lcores, completed one lcore at a time when the reply did not
 * fit) and the flow table per lcore (/synack/flows). */
struct lsample {
	uint64_t ns;          /* when the counters were read (midpoint) */
	struct cj *ls;        /* {"<id>": {"counters": ...}, ...} */
	struct cj *flows;     /* /synack/flows */
};

static int
take_lsample(struct ctl_tel *t, struct lsample *s)
{
	uint64_t t0 = mono_ns();
	const struct cj *lc;
	int ret;

	cj_free(s->ls);
	cj_free(s->flows);
	s->ls = s->flows = NULL;
	ret = get_lcores(t, &s->ls);
	if (ret != CTL_OK)
		return ret;
	s->ns = t0 + (mono_ns() - t0) / 2;
	if (s->ls->n == 0)
		return ctl_error(CTL_ERR, "the engine has no worker lcores");
	ret = ctl_tel_get(t, "/synack/flows", &s->flows);
	if (ret != CTL_OK)
		return ret;
	lc = cj_get(s->flows, "lcores");
	if (lc == NULL || lc->type != CJ_OBJ)
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
lcol_of(const struct lsample *a, const struct lsample *b, size_t l,
		double dt, struct lcol *c)
{
	const char *key = b->ls->k[l];
	const struct cj *now = cj_get(b->ls->v[l], "counters");
	const struct cj *prev = cj_get(a->ls, key);
	const struct cj *fl = cj_get(cj_get(b->flows, "lcores"), key);

	memset(c, 0, sizeof(*c));
	c->have_rate = prev != NULL;
	prev = cj_get(prev, "counters");
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
	size_t nl = b->ls->n;
	size_t shown = nl < TBL_MAXCOL - 2 ? nl : TBL_MAXCOL - 2;
	struct lcol *col = xmalloc((nl + 1) * sizeof(*col));
	struct lcol *sum = &col[nl];
	char when[32], buf[48], align[TBL_MAXCOL + 1];
	time_t now = time(NULL);
	struct tm tm;
	struct tbl tb;

	for (size_t l = 0; l < nl; l++) {
		lcol_of(a, b, l, dt, &col[l]);
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
			cj_print_string(stdout, b->ls->k[l]);
			printf(": ");
			lcol_json(&col[l]);
		}
		printf("}, \"total\": ");
		lcol_json(sum);
		printf("}\n");
		fflush(stdout);
		free(col);
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
		snprintf(buf, sizeof(buf), "LCORE %s", b->ls->k[l]);
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
		cj_free(s[i].ls);
		cj_free(s[i].flows);
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

	if (o->lcores)
		return watch_lcores(t, o, tty);
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
		cj_free(s[i].stats);
		cj_free(s[i].client);
	}
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
	const char *help;
	const char *only[4];  /* when set, only these reasons */
} families[] = {
	{ "drop_", "synack_drops_total",
	  "Frames dropped by the engine, by reason (synackctl stats -v explains each).",
	  { NULL } },
	{ "cookie_", "synack_cookies_rejected_total",
	  "SYN cookies rejected, by reason (the MSS index is covered by the MAC).",
	  { "bad_mac", "too_old", NULL } },
	{ "close_", "synack_flows_closed_total",
	  "Flows ended, by cause.", { NULL } },
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
 * per-lcore synack_client_*_total counters do not say. */
static void
prom_client(FILE *f, const struct cj *c)
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
	const struct cj *lat = cj_get(c, "latency_us");
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
	prom_head(f, "synack_client_latency_us", "summary",
		"Client handshake latency, SYN to SYN-ACK, microseconds, over the "
		"run (quantile 0 is the minimum, 1 the maximum).");
	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++)
		fprintf(f, "synack_client_latency_us{quantile=\"%s\"} %" PRIu64
			"\n", q[i].quantile, cj_get_u64(lat, q[i].key, 0));
	fprintf(f, "synack_client_latency_us_sum %" PRIu64 "\n",
		cj_get_u64(lat, "sum", 0));
	fprintf(f, "synack_client_latency_us_count %" PRIu64 "\n",
		cj_get_u64(lat, "count", 0));
}

int
ctl_prometheus(struct ctl_tel *t, const struct ctl_opts *o)
{
	struct cj *ls = NULL, *help = NULL, *ver = NULL, *ports = NULL;
	struct cj *flows = NULL, *client = NULL;
	const struct cj *names;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	(void)o;
	ret = ctl_tel_get(t, "/synack/version", &ver);
	if (ret == CTL_OK)
		ret = get_lcores(t, &ls);
	if (ret == CTL_OK)
		ret = ctl_tel_get(t, "/synack/stats/help", &help);
	if (ret == CTL_OK)
		ret = ctl_tel_get(t, "/synack/flows", &flows);
	if (ret == CTL_OK)
		ret = ctl_tel_get(t, "/synack/ports", &ports);
	if (ret == CTL_OK) {
		client = get_client(t, true, &ret);
		if (ret == CTL_UNAVAILABLE)
			ret = CTL_OK;  /* no client role: no client figures */
	}
	if (ret != CTL_OK)
		goto out;
	if (ls->n == 0) {
		ret = reply_shape("/synack/lcores");
		goto out;
	}
	/* Built in memory, written at once: a scrape never sees half. */
	f = open_memstream(&text, &len);
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

	/* plain counters, one family each */
	names = cj_get(ls->v[0], "counters");
	for (size_t i = 0; i < names->n; i++) {
		const char *reason;
		char metric[160];

		if (family_of(names->k[i], &reason) >= 0)
			continue;
		snprintf(metric, sizeof(metric), "synack_%s_total", names->k[i]);
		if (!metric_name_ok(metric))
			continue;
		prom_head(f, metric, "counter",
			cj_get_str(help, names->k[i], names->k[i]));
		for (size_t l = 0; l < ls->n; l++)
			fprintf(f, "%s{lcore=\"%s\"} %" PRIu64 "\n", metric,
				ls->k[l], cj_get_u64(cj_get(ls->v[l], "counters"),
				names->k[i], 0));
	}
	/* labelled families */
	for (size_t fam = 0; fam < N_FAMILIES; fam++) {
		prom_head(f, families[fam].metric, "counter", families[fam].help);
		for (size_t l = 0; l < ls->n; l++)
			for (size_t i = 0; i < names->n; i++) {
				const char *reason;

				if (family_of(names->k[i], &reason) != (int)fam)
					continue;
				fprintf(f, "%s{lcore=\"%s\",reason=\"", families[fam].metric,
					ls->k[l]);
				prom_label(f, reason);
				fprintf(f, "\"} %" PRIu64 "\n", cj_get_u64(cj_get(
					ls->v[l], "counters"), names->k[i], 0));
			}
	}
	/* gauges */
	prom_head(f, "synack_flows", "gauge", "Live flows, by TCP state.");
	for (size_t l = 0; l < ls->n; l++) {
		const struct cj *fl = cj_get(ls->v[l], "flows");

		for (size_t i = 0; fl != NULL && fl->type == CJ_OBJ && i < fl->n;
				i++) {
			fprintf(f, "synack_flows{lcore=\"%s\",state=\"", ls->k[l]);
			prom_label(f, fl->k[i]);
			fprintf(f, "\"} %" PRIu64 "\n", cj_u64(fl->v[i], 0));
		}
	}
	{
		const struct cj *lc = cj_get(flows, "lcores");

		prom_head(f, "synack_flow_capacity", "gauge",
			"Flow table entries, per worker lcore.");
		for (size_t l = 0; lc != NULL && lc->type == CJ_OBJ && l < lc->n; l++)
			fprintf(f, "synack_flow_capacity{lcore=\"%s\"} %" PRIu64 "\n",
				lc->k[l], cj_get_u64(lc->v[l], "capacity", 0));
	}
	/* ports */
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
		const struct cj *ids = cj_get(ports, "ports");

		for (size_t k = 0; k < sizeof(ps) / sizeof(ps[0]); k++) {
			prom_head(f, ps[k].metric, "counter", ps[k].help);
			for (size_t i = 0; ids != NULL && ids->type == CJ_ARR &&
					i < ids->n; i++) {
				char key[24];
				const struct cj *p = cj_get(ports, u64s(key,
					sizeof(key), cj_u64(ids->v[i], 0)));

				if (p == NULL)
					continue;
				fprintf(f, "%s{port=\"%s\",name=\"", ps[k].metric, key);
				prom_label(f, cj_get_str(p, "name", "?"));
				fprintf(f, "\"} %" PRIu64 "\n", cj_get_u64(cj_get(p,
					"stats"), ps[k].stat, 0));
			}
		}
		prom_head(f, "synack_port_xstat", "untyped",
			"The port's extended statistics (rte_eth_xstats), by name.");
		for (size_t i = 0; ids != NULL && ids->type == CJ_ARR && i < ids->n;
				i++) {
			char key[24];
			const struct cj *p = cj_get(ports, u64s(key, sizeof(key),
				cj_u64(ids->v[i], 0)));
			const struct cj *xs = cj_get(p, "xstats");

			for (size_t k = 0; xs != NULL && xs->type == CJ_OBJ &&
					k < xs->n; k++) {
				fprintf(f, "synack_port_xstat{port=\"%s\",name=\"", key);
				prom_label(f, cj_get_str(p, "name", "?"));
				fputs("\",xstat=\"", f);
				prom_label(f, xs->k[k]);
				fprintf(f, "\"} %" PRIu64 "\n", cj_u64(xs->v[k], 0));
			}
		}
	}
	if (client != NULL)
		prom_client(f, client);
	if (fclose(f) != 0) {
		ret = ctl_error(CTL_ERR, "out of memory");
		goto out;
	}
	if (fwrite(text, 1, len, stdout) != len)
		ret = ctl_error(CTL_ERR, "writing the output: %s", strerror(errno));
out:
	free(text);
	cj_free(ls);
	cj_free(help);
	cj_free(ver);
	cj_free(ports);
	cj_free(flows);
	cj_free(client);
	return ret;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration reload: what changed (sk_reload_diff, main lcore) and the
 * engine's side of applying it (sk_engine_reload, the engine's own lcore).
 * The engine is reached through sk_engine_priv.h; nothing here runs in
 * the burst loop.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>

#include "sk_common.h"
#include "sk_tcp.h"
#include "sk_reload.h"

/* --- what changed ---------------------------------------------------- */

struct text {
	char *buf;
	size_t len, used;
	unsigned int n;
};

static void __rte_format_printf(2, 3)
add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (t->used >= t->len)
		return;
	if (t->n++ > 0 && t->used + 2 < t->len) {
		memcpy(t->buf + t->used, "; ", 3);
		t->used += 2;
	}
	va_start(ap, fmt);
	w = vsnprintf(t->buf + t->used, t->len - t->used, fmt, ap);
	va_end(ap);
	if (w > 0)
		t->used = RTE_MIN(t->used + (size_t)w, t->len - 1);
}

static void
add_name(struct text *t, const char *name)
{
	if (t->used >= t->len)
		return;
	if (t->n++ > 0 && t->used + 2 < t->len) {
		memcpy(t->buf + t->used, ", ", 3);
		t->used += 2;
	}
	snprintf(t->buf + t->used, t->len - t->used, "%s", name);
	t->used = RTE_MIN(t->used + strlen(name), t->len - 1);
}

/* A duration in the configuration's own words ("60s", "250ms", "0"). */
static const char *
dur(uint64_t ms, char *b, size_t n)
{
	if (ms != 0 && ms % 1000 == 0)
		snprintf(b, n, "%" PRIu64 "s", ms / 1000);
	else
		snprintf(b, n, "%" PRIu64 "%s", ms, ms ? "ms" : "");
	return b;
}

static void
diff_ms(struct text *t, const char *name, uint64_t a, uint64_t b)
{
	char x[32], y[32];

	if (a != b)
		add(t, "%s %s -> %s", name, dur(a, x, sizeof(x)),
			dur(b, y, sizeof(y)));
}

static void
diff_u(struct text *t, const char *name, uint64_t a, uint64_t b)
{
	if (a != b)
		add(t, "%s %" PRIu64 " -> %" PRIu64, name, a, b);
}

static void
diff_s(struct text *t, const char *name, const char *a, const char *b)
{
	if (strcmp(a, b) != 0)
		add(t, "%s '%s' -> '%s'", name, a, b);
}

static const struct sk_config_listen *
find_listen(const struct sk_config *c, uint16_t port)
{
	for (unsigned int i = 0; i < c->n_listen && i < SK_MAX_LISTEN; i++)
		if (c->listen[i].port == port)
			return &c->listen[i];
	return NULL;
}

/* "listen +8081:echo -9:hold 8080:hello->http" */
static void
diff_listen(struct text *t, const struct sk_config *a,
		const struct sk_config *b)
{
	char buf[SK_MAX_LISTEN * 2 * 20], *p = buf;
	size_t left = sizeof(buf);
	const struct sk_config_listen *o;
	unsigned int i;
	int w;

	buf[0] = '\0';
	for (i = 0; i < b->n_listen && i < SK_MAX_LISTEN; i++) {
		o = find_listen(a, b->listen[i].port);
		if (o == NULL)
			w = snprintf(p, left, " +%u:%s", b->listen[i].port,
				sk_app_name(b->listen[i].app));
		else if (o->app != b->listen[i].app)
			w = snprintf(p, left, " %u:%s->%s", b->listen[i].port,
				sk_app_name(o->app),
				sk_app_name(b->listen[i].app));
		else
			continue;
		if (w < 0 || (size_t)w >= left)
			break;
		p += w;
		left -= (size_t)w;
	}
	for (i = 0; i < a->n_listen && i < SK_MAX_LISTEN; i++) {
		if (find_listen(b, a->listen[i].port) != NULL)
			continue;
		w = snprintf(p, left, " -%u:%s", a->listen[i].port,
			sk_app_name(a->listen[i].app));
		if (w < 0 || (size_t)w >= left)
			break;
		p += w;
		left -= (size_t)w;
	}
	if (buf[0] != '\0')
		add(t, "listen%s", buf);
}

static bool
same_addrs(const struct sk_config *a, const struct sk_config *b)
{
	if (a->n_addrs != b->n_addrs)
		return false;
	for (unsigned int i = 0; i < a->n_addrs && i < SK_MAX_ADDRS; i++)
		if (a->addrs[i].addr != b->addrs[i].addr ||
				a->addrs[i].prefix != b->addrs[i].prefix)
			return false;
	if (a->n_addrs6 != b->n_addrs6)
		return false;
	for (unsigned int i = 0; i < a->n_addrs6 && i < SK_MAX_ADDRS; i++)
		if (memcmp(a->addrs6[i].addr, b->addrs6[i].addr, 16) != 0 ||
				a->addrs6[i].prefix != b->addrs6[i].prefix)
			return false;
	return true;
}

/* Every [client] key: the client role is one run, set at start. */
static bool
same_client(const struct sk_config *a, const struct sk_config *b)
{
	return strcmp(a->client_target, b->client_target) == 0 &&
		a->client_cps == b->client_cps &&
		a->client_duration_ms == b->client_duration_ms &&
		a->client_ramp_step_ms == b->client_ramp_step_ms &&
		a->client_tw_reuse_ms == b->client_tw_reuse_ms &&
		a->client_concurrency == b->client_concurrency &&
		a->client_connections == b->client_connections &&
		strcmp(a->client_request, b->client_request) == 0 &&
		a->client_http == b->client_http &&
		strcmp(a->client_expect, b->client_expect) == 0 &&
		strcmp(a->client_close, b->client_close) == 0 &&
		strcmp(a->client_src_ips, b->client_src_ips) == 0 &&
		strcmp(a->client_src_ports, b->client_src_ports) == 0 &&
		a->client_syn_rto_ms == b->client_syn_rto_ms &&
		a->client_syn_retries == b->client_syn_retries &&
		a->client_timeout_ms == b->client_timeout_ms &&
		strcmp(a->client_gateway_mac, b->client_gateway_mac) == 0 &&
		a->client_json == b->client_json;
}

/* The [proxy] keys but its two timeouts: the data path takes its
 * backends, their source addresses and the source ports at start
 * (sk_proxy_create(), sk_proxy.c), and a connection's PROXY header is
 * owed from its first segment. The timeouts are read from the engine's
 * configuration each time a backend SYN's timer is armed: live. */
static bool
same_proxy(const struct sk_config *a, const struct sk_config *b)
{
	if (a->n_backends != b->n_backends ||
			a->proxy_port_lo != b->proxy_port_lo ||
			a->proxy_port_hi != b->proxy_port_hi ||
			a->proxy_protocol != b->proxy_protocol ||
			a->proxy_client_isn != b->proxy_client_isn)
		return false;
	for (unsigned int i = 0; i < a->n_backends && i < SK_MAX_BACKENDS;
			i++) {
		const struct sk_config_backend *x = &a->backends[i];
		const struct sk_config_backend *y = &b->backends[i];

		if (x->family != y->family || x->port != y->port ||
				x->lport != y->lport ||
				(x->family == 6 ?
				 memcmp(x->addr6, y->addr6, 16) != 0 :
				 x->addr != y->addr))
			return false;
	}
	return true;
}

/* The same ports are proxied in both. A port cannot become proxied live
 * (the backends it needs are set at start), nor stop being: then the
 * whole listen change waits for a restart, the rest of it included, so
 * that what runs is always one configuration that was validated. */
static bool
same_proxied_ports(const struct sk_config *a, const struct sk_config *b)
{
	const struct sk_config_listen *o;
	unsigned int i;

	for (i = 0; i < a->n_listen && i < SK_MAX_LISTEN; i++) {
		if (a->listen[i].app != SK_APP_PROXY)
			continue;
		o = find_listen(b, a->listen[i].port);
		if (o == NULL || o->app != SK_APP_PROXY)
			return false;
	}
	for (i = 0; i < b->n_listen && i < SK_MAX_LISTEN; i++) {
		if (b->listen[i].app != SK_APP_PROXY)
			continue;
		o = find_listen(a, b->listen[i].port);
		if (o == NULL || o->app != SK_APP_PROXY)
			return false;
	}
	return true;
}

unsigned int
sk_reload_diff(const struct sk_config *a, const struct sk_config *b,
		bool secret_differs, char *live, size_t live_len, char *fixed,
		size_t fixed_len)
{
	struct text l = { live, live_len, 0, 0 };
	struct text f = { fixed, fixed_len, 0, 0 };

	if (live_len)
		live[0] = '\0';
	if (fixed_len)
		fixed[0] = '\0';

	/* live */
	if (same_proxied_ports(a, b))
		diff_listen(&l, a, b);
	diff_u(&l, "mss", a->mss, b->mss);
	diff_u(&l, "challenge_ack_limit", a->challenge_ack_limit,
		b->challenge_ack_limit);
	diff_ms(&l, "time_wait", a->time_wait_ms, b->time_wait_ms);
	diff_ms(&l, "fin_wait2", a->fin_wait2_ms, b->fin_wait2_ms);
	diff_ms(&l, "idle", a->idle_ms, b->idle_ms);
	diff_ms(&l, "rto", a->rto_ms, b->rto_ms);
	diff_ms(&l, "rto_max", a->rto_max_ms, b->rto_max_ms);
	diff_u(&l, "fin_retries", a->fin_retries, b->fin_retries);
	diff_ms(&l, "cookie max_age", a->cookie_max_age_s * 1000ull,
		b->cookie_max_age_s * 1000ull);
	diff_ms(&l, "cookie rotate", a->cookie_rotate_s * 1000ull,
		b->cookie_rotate_s * 1000ull);
	diff_u(&l, "burst", a->burst, b->burst);
	diff_ms(&l, "stats interval", a->stats_interval_ms,
		b->stats_interval_ms);
	diff_s(&l, "stats file", a->stats_file, b->stats_file);
	diff_s(&l, "log level", a->log_level, b->log_level);
	diff_ms(&l, "proxy connect_timeout", a->proxy_connect_ms,
		b->proxy_connect_ms);
	diff_ms(&l, "proxy syn_rto", a->proxy_syn_rto_ms, b->proxy_syn_rto_ms);
	diff_ms(&l, "proxy time_wait", a->proxy_time_wait_ms,
		b->proxy_time_wait_ms);

	/* a restart is needed */
	if (!same_addrs(a, b))
		add_name(&f, "addresses");
	if (a->flow_capacity != b->flow_capacity)
		add_name(&f, "flow_capacity");
	if (secret_differs)
		add_name(&f, "cookie secret");
	if (strcmp(a->port, b->port) != 0)
		add_name(&f, "port device");
	if (strcmp(a->proxy_port, b->proxy_port) != 0)
		add_name(&f, "proxy port");
	if (a->rx_desc != b->rx_desc)
		add_name(&f, "rx_desc");
	if (a->tx_desc != b->tx_desc)
		add_name(&f, "tx_desc");
	if (a->mbufs != b->mbufs)
		add_name(&f, "mbufs");
	if (a->announce != b->announce)
		add_name(&f, "announce");
	if (!same_client(a, b))
		add_name(&f, "[client]");
	if (!same_proxied_ports(a, b))
		add_name(&f, "listen (a port to or from proxy)");
	if (!same_proxy(a, b))
		add_name(&f, "[proxy]");
	return l.n;
}

void
sk_reload_merge(struct sk_config *c, const struct sk_config *next)
{
	/* Telemetry copies an engine's cfg from another thread: every field
	 * is written whole, and a string's last byte stays 0. */
	if (same_proxied_ports(c, next)) {
		c->n_listen = next->n_listen;
		memcpy(c->listen, next->listen, sizeof(c->listen));
	}
	c->mss = next->mss;
	c->challenge_ack_limit = next->challenge_ack_limit;
	c->time_wait_ms = next->time_wait_ms;
	c->fin_wait2_ms = next->fin_wait2_ms;
	c->idle_ms = next->idle_ms;
	c->rto_ms = next->rto_ms;
	c->rto_max_ms = next->rto_max_ms;
	c->fin_retries = next->fin_retries;
	c->cookie_max_age_s = next->cookie_max_age_s;
	c->cookie_rotate_s = next->cookie_rotate_s;
	c->burst = next->burst;
	c->stats_interval_ms = next->stats_interval_ms;
	memcpy(c->stats_file, next->stats_file, sizeof(c->stats_file) - 1);
	memcpy(c->log_level, next->log_level, sizeof(c->log_level) - 1);
	c->proxy_connect_ms = next->proxy_connect_ms;
	c->proxy_syn_rto_ms = next->proxy_syn_rto_ms;
	c->proxy_time_wait_ms = next->proxy_time_wait_ms;
}

/* --- the engine's side ------------------------------------------------- */

int
sk_engine_reload(struct sk_engine *e, const struct sk_config *next)
{
	struct sk_config *c = &e->cfg;
	struct sk_cookie_ctx ck;
	unsigned int i;

	/* cookies first: the only part that can fail */
	if (next->cookie_rotate_s != c->cookie_rotate_s ||
			next->cookie_max_age_s != c->cookie_max_age_s) {
		uint32_t grace, rest;

		if (sk_cookie_init(&ck, e->ck.master, next->cookie_rotate_s,
				next->cookie_max_age_s, e->now_s) != 0)
			return -EINVAL;
		/* The key that made the SYN-ACKs now in flight stays
		 * accepted as the previous one for the cookie age, as after
		 * a scheduled rotation; the next rekey (sk_cookie_tick())
		 * forgets it, so it comes no later than that. */
		if (memcmp(ck.key[0], e->ck.key[0], sizeof(ck.key[0])) != 0) {
			grace = (ck.max_age + 1) * SK_COOKIE_TICK_S;
			rest = ck.span_start_s + ck.span_len_s - e->now_s;
			memcpy(ck.key[1], e->ck.key[0], sizeof(ck.key[1]));
			ck.have_prev = true;
			ck.prev_until_s = e->now_s + grace;
			ck.span_start_s = e->now_s;
			ck.span_len_s = RTE_MIN(rest, grace);
		}
		e->ck = ck;
		memset(&ck, 0, sizeof(ck));
	}

	/* responders: ports no longer listed answer RST again; open
	 * connections keep the responder in their flow (f->app) */
	for (i = 0; i < c->n_listen && i < SK_MAX_LISTEN; i++)
		e->app[c->listen[i].port] = SK_APP_NONE;
	for (i = 0; i < next->n_listen && i < SK_MAX_LISTEN; i++)
		e->app[next->listen[i].port] = next->listen[i].app;

	/* The engine reads these from e->cfg each time it arms a timer or
	 * writes an option; the SYN-ACK template carries the MSS, so it is
	 * built again. */
	sk_reload_merge(c, next);
	sk_tcp_synack_template(e);
	return 0;
}

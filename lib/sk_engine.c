/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The engine of one worker lcore: its creation on the worker's NUMA node,
 * its clocks, the timer pass, and what the control plane reads of it. The
 * burst's data path is sk_burst.c.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>

#include <numa.h>
#include <rte_errno.h>
#include <rte_prefetch.h>

#include "sk_tcp.h"

/* The engine struct holds the per-port responder table and the neighbour
 * cache: ~120 KiB, placed on the worker's node like the flow table. */
static void *
zalloc_node(size_t size, int socket_id)
{
	void *p;

	if (socket_id >= 0 && numa_available() >= 0)
		p = numa_alloc_onnode(size, socket_id);
	else
		p = numa_alloc(size);
	if (p != NULL)
		memset(p, 0, size);
	return p;
}

void
sk_engine_clock(struct sk_engine *e, uint64_t now)
{
	uint64_t ms;

	/* The clock never goes back: the timer wheel keeps the highest tick
	 * it has processed, and a timer armed on a clock stepped back below
	 * it would be due at once (tests/hostile/test_clock.c). synackd's
	 * TSC does not go back; a library caller's clock may. */
	if (unlikely(now < e->now_tsc))
		now = e->now_tsc;
	ms = now / e->tsc_per_ms;
	uint64_t wall = e->par.wall_ms_at_zero + ms;
	uint32_t s = (uint32_t)(wall / 1000);

	e->now_tsc = now;
	e->now_ms = (uint32_t)ms;
	e->ts_now = (uint32_t)wall;
	if (s != e->now_s) {
		e->now_s = s;
		sk_cookie_tick(&e->ck, s);
	}
}

struct sk_engine *
sk_engine_create(const struct sk_config *cfg,
		const struct sk_engine_params *par, uint64_t now)
{
	struct sk_engine *e;
	uint8_t secret[16];
	char err[256];

	if (cfg == NULL || par == NULL || par->tsc_hz < 1000) {
		rte_errno = EINVAL;
		return NULL;
	}
	if (sk_config_validate(cfg, err, sizeof(err)) != 0) {
		SK_LOG(ERR, "%s", err);
		rte_errno = EINVAL;
		return NULL;
	}
	e = zalloc_node(sizeof(*e), par->socket_id);
	if (e == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	e->cfg = *cfg;
	e->par = *par;
	e->tsc_per_ms = par->tsc_hz / 1000;
	e->pc.mac = par->mac;
	e->pc.two_arm = par->two_arm;
	/* one port: a port id no mbuf carries (RTE_MBUF_PORT_INVALID is
	 * what a fresh mbuf has) */
	e->pc.in_port = par->two_arm ? par->inside_port : UINT16_MAX - 1;
	e->pc.out_port = par->two_arm ? par->port_id : RTE_MBUF_PORT_INVALID;
	e->pc.in_mac = par->two_arm ? par->inside_mac : par->mac;
	e->pc.rx_cksum = par->rx_cksum;
	e->pc.n_addrs = cfg->n_addrs;
	for (unsigned int i = 0; i < cfg->n_addrs; i++) {
		uint8_t pl = cfg->addrs[i].prefix;

		e->pc.addrs[i] = cfg->addrs[i].addr;
		/* the directed broadcast of the prefix, none for /31 and /32 */
		e->pc.bcast[i] = pl <= 30 ? cfg->addrs[i].addr |
			rte_cpu_to_be_32(UINT32_MAX >> pl) : 0;
	}
	e->pc.n_addrs6 = cfg->n_addrs6;
	for (unsigned int i = 0; i < cfg->n_addrs6; i++)
		memcpy(e->pc.addrs6[i], cfg->addrs6[i].addr, 16);
	for (unsigned int i = 0; i < cfg->n_listen; i++)
		e->app[cfg->listen[i].port] = cfg->listen[i].app;

	if (cfg->secret_set) {
		memcpy(secret, cfg->secret, sizeof(secret));
	} else if (getrandom(secret, sizeof(secret), 0) != sizeof(secret)) {
		SK_LOG(ERR, "getrandom: %s", strerror(errno));
		numa_free(e, sizeof(*e));
		rte_errno = EIO;
		return NULL;
	}
	sk_engine_clock(e, now);
	if (sk_cookie_init(&e->ck, secret, cfg->cookie_rotate_s,
			cfg->cookie_max_age_s, e->now_s) != 0) {
		SK_LOG(ERR, "cookie_max_age %u s / rotate %u s not usable",
			cfg->cookie_max_age_s, cfg->cookie_rotate_s);
		numa_free(e, sizeof(*e));
		rte_errno = EINVAL;
		return NULL;
	}
	memset(secret, 0, sizeof(secret));

	/* IPv6 flows: an IPv6 address of ours, or a client role opening
	 * IPv6 connections (its sources need not be among our addresses) */
	e->v6 = cfg->n_addrs6 != 0 ||
		(sk_config_is_client(cfg) && cfg->client.v6);
	e->ft = sk_flow_table_create_ex(cfg->flow_capacity, par->socket_id,
			(e->v6 ? SK_FLOW_F_IPV6 : 0) |
			(par->table_small_pages ? SK_FLOW_F_SMALL_PAGES : 0));
	if (e->ft == NULL) {
		int err_no = rte_errno;

		SK_LOG(ERR, "flow table of %u entries: %s", cfg->flow_capacity,
			rte_strerror(err_no));
		numa_free(e, sizeof(*e));
		rte_errno = err_no;
		return NULL;
	}
	e->flows = sk_flow_entries(e->ft);
	sk_wheel_init(&e->wheel, e->flows, e->now_ms);
	if (sk_config_is_client(cfg)) {
		int ret = sk_client_create(e);

		if (ret != 0) {
			sk_flow_table_free(e->ft);
			numa_free(e, sizeof(*e));
			rte_errno = -ret;
			return NULL;
		}
	}
	e->lookup_all = e->cl != NULL;
	if (sk_config_is_proxy(cfg)) {
		int ret = sk_proxy_create(e);

		if (ret != 0) {
			sk_client_free(e);
			sk_flow_table_free(e->ft);
			numa_free(e, sizeof(*e));
			rte_errno = -ret;
			return NULL;
		}
	}
	sk_tcp_synack_template(e);
	e->chal_left = cfg->challenge_ack_limit;
	e->chal_sec = e->now_s;
	return e;
}

void
sk_engine_free(struct sk_engine *e)
{
	if (e == NULL)
		return;
	sk_client_free(e);
	sk_proxy_free(e);
	sk_flow_table_free(e->ft);
	memset(&e->ck, 0, sizeof(e->ck));
	numa_free(e, sizeof(*e));
}

uint16_t
sk_engine_timers(struct sk_engine *e, uint64_t now, struct rte_mbuf **tx,
		uint16_t cap)
{
	uint32_t idx[SK_BURST_MAX];
	unsigned int n;
	uint16_t ntx = 0, ntx0 = 0;
	uint64_t bytes = 0;

	sk_engine_clock(e, now);
	if (unlikely(e->par.announce) && !e->announced) {
		uint16_t k = sk_neigh_announce(e, tx, cap);

		e->announced = true;
		SK_STAT_ADD(&e->st, tx_packets, k);
		for (uint16_t i = 0; i < k; i++)
			SK_STAT_ADD(&e->st, tx_bytes, tx[i]->pkt_len);
		tx += k;
		cap = (uint16_t)(cap - k);
		ntx0 = k;
		if (cap < 2)
			return k;
	}
	if (e->px != NULL) {
		/* held segments first: they are the oldest */
		uint16_t k = sk_proxy_drain(e, tx, cap);

		tx += k;
		cap = (uint16_t)(cap - k);
		ntx0 = (uint16_t)(ntx0 + k);
		if (cap < 2)
			return ntx0;
	}
	/* a proxied connection's timer may send two segments */
	n = sk_wheel_expire(&e->wheel, e->now_ms, idx,
			RTE_MIN(cap, (uint16_t)SK_BURST_MAX) / (e->px ? 2 : 1));
	for (unsigned int i = 0; i < n; i++) {
		struct sk_flow *f = &e->flows[idx[i]];

		if (unlikely(f->app == SK_APP_PROXY)) {
			unsigned int k = sk_proxy_timer(e, f, &tx[ntx]);

			for (unsigned int j = 0; j < k; j++)
				bytes += tx[ntx + j]->pkt_len;
			ntx = (uint16_t)(ntx + k);
		} else if (sk_tcp_timer(e, f, &tx[ntx])) {
			bytes += tx[ntx]->pkt_len;
			ntx++;
		}
	}
	if (e->cl != NULL) {
		uint16_t k = sk_client_poll(e, now, &tx[ntx], cap - ntx);

		for (uint16_t i = 0; i < k; i++)
			bytes += tx[ntx + i]->pkt_len;
		ntx = (uint16_t)(ntx + k);
	}
	if (e->px != NULL) {
		uint16_t k = sk_proxy_poll(e, now, &tx[ntx], cap - ntx);

		for (uint16_t i = 0; i < k; i++)
			bytes += tx[ntx + i]->pkt_len;
		ntx = (uint16_t)(ntx + k);
	}
	SK_STAT_ADD(&e->st, tx_packets, ntx);
	SK_STAT_ADD(&e->st, tx_bytes, bytes);
	return (uint16_t)(ntx0 + ntx);
}

void
sk_engine_tx_dropped(struct sk_engine *e, unsigned int n)
{
	SK_STAT_ADD(&e->st, tx_full, n);
}

const struct sk_stats *
sk_engine_stats(const struct sk_engine *e)
{
	return &e->st;
}

struct sk_stats *
sk_engine_stats_w(struct sk_engine *e)
{
	return &e->st;
}

struct sk_flow_table *
sk_engine_flows(struct sk_engine *e)
{
	return e->ft;
}

const struct sk_config *
sk_engine_config(const struct sk_engine *e)
{
	return &e->cfg;
}

unsigned int
sk_engine_flow_snapshot(const struct sk_engine *e, uint64_t now,
		uint64_t skip, struct sk_flow_info *out, unsigned int max,
		bool *more)
{
	const uint32_t cap = sk_flow_capacity(e->ft);
	const uint32_t now_ms = (uint32_t)(now / e->tsc_per_ms);
	uint64_t live = 0, seen = 0;
	unsigned int n = 0;

	/* The per-state gauges say how many entries are live, so the walk
	 * can stop at the last one instead of reading the whole table. */
	for (unsigned int s = 1; s < SK_ST_MAX; s++)
		live += __atomic_load_n(&e->st.flows[s], __ATOMIC_RELAXED);
	*more = false;
	for (uint32_t i = 0; i < cap && seen < live; i++) {
		const uint64_t *src = (const uint64_t *)&e->flows[i];
		union {
			struct sk_flow f;
			uint64_t w[sizeof(struct sk_flow) / sizeof(uint64_t)];
		} c;

		/* Relaxed loads of a copy: the worker may be writing it. */
		for (size_t k = 0; k < RTE_DIM(c.w); k++)
			c.w[k] = __atomic_load_n(&src[k], __ATOMIC_RELAXED);
		if (c.f.state == SK_ST_FREE || c.f.state >= SK_ST_MAX)
			continue;
		if (seen++ < skip)
			continue;
		if (n == max) {
			*more = true;
			break;
		}
		out[n].key = c.f.key;
		out[n].family = 4;
		if (sk_flow_key_is_v6(&c.f.key)) {
			const uint64_t *a = (const uint64_t *)
				sk_flow_addr6(e->ft, &e->flows[i]);
			uint64_t w[4];

			for (size_t k = 0; k < RTE_DIM(w); k++)
				w[k] = __atomic_load_n(&a[k],
					__ATOMIC_RELAXED);
			out[n].family = 6;
			memcpy(out[n].raddr6, w, 16);
			memcpy(out[n].laddr6, w + 2, 16);
		}
		out[n].state = c.f.state;
		out[n].app = c.f.app;
		out[n].age_ms = now_ms - c.f.born;
		n++;
	}
	return n;
}

bool
sk_engine_client_done(const struct sk_engine *e)
{
	return e->cl == NULL ||
		__atomic_load_n(&e->cl->finished, __ATOMIC_ACQUIRE);
}

int
sk_engine_client_info(const struct sk_engine *e, struct sk_client_info *ci)
{
	const struct sk_client *cl = e->cl;

	memset(ci, 0, sizeof(*ci));
	if (cl == NULL)
		return -ENOTSUP;
	ci->active = __atomic_load_n(&cl->active, __ATOMIC_RELAXED);
	ci->started = __atomic_load_n(&cl->started, __ATOMIC_RELAXED);
	ci->opening_over = __atomic_load_n(&cl->opening_over,
		__ATOMIC_RELAXED);
	ci->finished = __atomic_load_n(&cl->finished, __ATOMIC_ACQUIRE);
	ci->start = __atomic_load_n(&cl->start, __ATOMIC_RELAXED);
	ci->end = __atomic_load_n(&cl->end, __ATOMIC_RELAXED);
	ci->stop = __atomic_load_n(&cl->stop, __ATOMIC_RELAXED);
	ci->error = ci->finished ? cl->error : NULL;
	ci->ramp = cl->ramp;
	ci->rate_cps = __atomic_load_n(&cl->rate, __ATOMIC_RELAXED);
	ci->best_cps = __atomic_load_n(&cl->best_cps, __ATOMIC_RELAXED);
	ci->ramp_steps = __atomic_load_n(&cl->steps, __ATOMIC_RELAXED);
	ci->ramp_backoffs = __atomic_load_n(&cl->backoffs, __ATOMIC_RELAXED);
	sk_hist_accumulate(&ci->latency_us, &cl->hist);
	return 0;
}

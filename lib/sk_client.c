/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The client role of one engine: resolve the next hop (ARP, or Neighbor
 * Discovery over IPv6), then open
 * connections from the timer pass at the configured rate, never more than
 * `concurrency` at once; count how each one ended. The TCP side (SYN_SENT,
 * the request, reading the response, closing) is in sk_tcp.c.
 */

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <numa.h>
#include <rte_arp.h>
#include <rte_ip.h>
#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include "sk_cksum.h"
#include "sk_engine_priv.h"
#include "sk_siphash.h"

/* Most connections opened in one call; the poll loop calls again while a
 * call fills its burst, so a pass (every ~100 us) is bounded by the
 * concurrency and the token bucket, not by this. */
#define SK_CLIENT_OPEN_MAX SK_BURST_MAX
/* Tuples tried for one new connection before giving up this pass. */
#define SK_CLIENT_TUPLE_TRIES 64
/* ARP or NS: one request a second, this many before the run fails. */
#define SK_CLIENT_ARP_TRIES 5

/*
 * --cps max, the ramp. The offered rate starts at SK_RAMP_START and is
 * adjusted at the end of each step ([client] ramp_step) from what the step
 * saw, the way TCP probes for bandwidth:
 * - a failure, or SYN retransmissions above 1/SK_RAMP_RETX_DIV of the
 *   SYNs sent, halves the rate (a backoff): the server is overloaded, and
 *   a stall must not turn into a storm of retransmissions;
 * - otherwise, when fewer than 90 % of the offered connections were
 *   established (the server, the opener's lcore or the concurrency limit
 *   is the ceiling), the rate is set just above what was achieved;
 * - otherwise it doubles until the first backoff or ceiling, then grows
 *   by 1/8 a step.
 * The figure reported is not the offered rate but the highest rate of
 * connections established in one clean step, counting only connections
 * opened in that step and only when none of them failed and under
 * 1/SK_RAMP_RETX_DIV retransmitted their SYN (struct sk_ramp_step).
 */
#define SK_RAMP_START 1000u
#define SK_RAMP_FLOOR 100u
#define SK_RAMP_CEIL 100000000u
#define SK_RAMP_RETX_DIV 1000u

/* Part @p i of @p n of @p v: the remainder goes to the first parts. */
static uint64_t
share(uint64_t v, uint32_t i, uint32_t n)
{
	return v / n + (i < v % n);
}

int
sk_client_create(struct sk_engine *e)
{
	struct sk_client *cl;
	uint64_t k[2];

	cl = numa_alloc(sizeof(*cl));
	if (cl == NULL)
		return -ENOMEM;
	memset(cl, 0, sizeof(*cl));
	/* parsed once, before the engines were made (the engine's copy of
	 * the configuration carries it): no engine re-reads the strings */
	if (!e->cfg.client.ready) {
		SK_LOG(ERR, "client role: the configuration has not been "
			"through sk_config_finalize()");
		numa_free(cl, sizeof(*cl));
		return -EINVAL;
	}
	cl->cc = e->cfg.client;
	if (getrandom(k, sizeof(k), 0) != sizeof(k) ||
			getrandom(&cl->ts_off, sizeof(cl->ts_off), 0) !=
			sizeof(cl->ts_off)) {
		numa_free(cl, sizeof(*cl));
		return -EIO;
	}
	cl->k0 = k[0];
	cl->k1 = k[1];
	cl->tsc_per_us = RTE_MAX(e->par.tsc_hz / 1000000, (uint64_t)1);
	cl->cur_ip = cl->cc.src_lo;
	cl->cur_port = cl->cc.sport_lo;
	cl->parts = RTE_MAX(e->par.client_parts, 1u);
	cl->ramp = e->cfg.client_cps == SK_CPS_MAX;
	cl->ramp_ss = true;
	cl->step_ms = e->cfg.client_ramp_step_ms;
	cl->rate = cl->ramp ? SK_RAMP_START : (uint32_t)share(e->cfg.client_cps,
		e->par.client_part, cl->parts);
	cl->concurrency = (uint32_t)RTE_MAX(share(e->cfg.client_concurrency,
		e->par.client_part, cl->parts), (uint64_t)1);
	cl->connections = e->cfg.client_connections == 0 ? UINT64_MAX :
		share(e->cfg.client_connections, e->par.client_part, cl->parts);
	/* fewer connections per second than engines: this one opens none */
	if (e->cfg.client_cps != 0 && !cl->ramp && cl->rate == 0)
		cl->connections = 0;
	/* cl is zeroed above and e->par set by the caller
	 * NOLINTNEXTLINE(clang-analyzer-core.UndefinedBinaryOperatorResult) */
	cl->cost = cl->rate ? e->par.tsc_hz / cl->rate : 0;
	cl->nexthop = cl->cc.target;
	if (cl->cc.have_gw_mac) {
		memcpy(cl->mac.addr_bytes, cl->cc.gw_mac, RTE_ETHER_ADDR_LEN);
		cl->resolved = true;
	}
	e->pc.src_lo = cl->cc.src_lo;
	e->pc.src_n = (uint64_t)cl->cc.src_hi - cl->cc.src_lo + 1;
	if (cl->cc.v6) {
		/* cppcheck-suppress shadowVariable ; the outer k is done */
		struct sk_flow_key6 k;

		/* the neighbour cache is keyed by the flow key's fold */
		sk_flow_key6_make(&k, cl->cc.target6, cl->cc.src6, 0, 0);
		cl->nexthop = k.k.raddr;
		e->pc.nd_na = true;
		e->pc.src6 = true;
		memcpy(e->pc.src6_pfx, cl->cc.src6, sizeof(e->pc.src6_pfx));
		/* the IPv4 range check must not match */
		e->pc.src_lo = 0;
		e->pc.src_n = 0;
		e->pc.src6_n = (uint64_t)cl->cc.src_hi - cl->cc.src_lo + 1;
		e->pc.src6_lo = cl->cc.src_lo;
	} else {
		e->pc.arp_reply = true;
	}
	e->cl = cl;
	return 0;
}

void
sk_client_free(struct sk_engine *e)
{
	if (e->cl != NULL)
		numa_free(e->cl, sizeof(*e->cl));
	e->cl = NULL;
}

/* Where segments to the target go: the neighbour cache the timers use. */
static void
set_neigh(struct sk_engine *e)
{
	struct sk_client *cl = e->cl;
	struct sk_neigh *n = &e->neigh[rte_be_to_cpu_32(cl->nexthop) &
		(SK_NEIGH_N - 1)];

	n->ip = cl->nexthop;
	n->mac = cl->mac;
	n->vlan = 0;
	e->last_peer = *n;
}

static struct rte_mbuf *
arp_request(struct sk_engine *e)
{
	struct sk_client *cl = e->cl;
	struct rte_mbuf *m = sk_neigh_arp_request(e,
			rte_cpu_to_be_32(cl->cc.src_lo), cl->nexthop, false);

	if (m != NULL)
		SK_STAT_INC(&e->st, client_arp_request);
	return m;
}

/* A Neighbor Solicitation for the IPv6 target, from our first source
 * address. */
static struct rte_mbuf *
ns_request(struct sk_engine *e)
{
	struct sk_client *cl = e->cl;
	uint32_t lo = rte_cpu_to_be_32(cl->cc.src_lo);
	uint8_t src[16];

	memcpy(src, cl->cc.src6, 12);
	memcpy(src + 12, &lo, 4);
	return sk_neigh_ns_request(e, src, cl->cc.target6, false);
}

/* The next hop's MAC is known (from ARP, ND or another worker). */
static void
learnt(struct sk_engine *e, const struct rte_ether_addr *mac)
{
	struct sk_client *cl = e->cl;
	struct sk_client_shared *sh = e->par.client_shared;

	if (cl->resolved)
		return;
	cl->mac = *mac;
	cl->resolved = true;
	set_neigh(e);
	/* the other workers' engines take it from here */
	if (sh != NULL && !__atomic_load_n(&sh->resolved, __ATOMIC_ACQUIRE)) {
		sh->mac = cl->mac;
		__atomic_store_n(&sh->resolved, 1, __ATOMIC_RELEASE);
	}
}

void
sk_client_nd_input(struct sk_engine *e, const struct sk_pkt *p)
{
	struct sk_client *cl = e->cl;
	const uint8_t *target;
	const uint8_t *mac = sk_neigh_na_target_mac(p, &target);

	if (e->px != NULL && sk_proxy_nd_input(e, target, mac))
		return;
	if (cl == NULL || !cl->cc.v6 || memcmp(target, cl->cc.target6, 16) != 0) {
		SK_STAT_INC(&e->st, rx_nd_other);
		return;
	}
	SK_STAT_INC(&e->st, rx_nd_na);
	if (mac != NULL)
		learnt(e, (const struct rte_ether_addr *)mac);
}

void
sk_client_arp_input(struct sk_engine *e, struct rte_mbuf *m, uint16_t l2_len)
{
	struct sk_client *cl = e->cl;
	const struct rte_arp_hdr *a =
		rte_pktmbuf_mtod_offset(m, const struct rte_arp_hdr *, l2_len);

	if (e->px != NULL && sk_proxy_arp_input(e, a->arp_data.arp_sip,
			&a->arp_data.arp_sha))
		return;
	if (cl == NULL || cl->cc.v6 || a->arp_data.arp_sip != cl->nexthop) {
		SK_STAT_INC(&e->st, drop_arp);
		return;
	}
	SK_STAT_INC(&e->st, rx_arp_reply);
	learnt(e, &a->arp_data.arp_sha);
}

/* --- the ramp ------------------------------------------------------------ */

/* The ring slot of the step that began at or before @p ms, or NULL when
 * that step has left the ring (or the run has no ramp). */
static struct sk_ramp_step *
ramp_slot(struct sk_client *cl, uint32_t ms)
{
	uint32_t id;
	struct sk_ramp_step *st;

	if (!cl->ramp || !cl->started)
		return NULL;
	id = (uint32_t)(ms - cl->ramp_t0) / cl->step_ms;
	if ((int32_t)(ms - cl->ramp_t0) < 0)
		id = 0;
	st = &cl->ring[id % SK_RAMP_RING];
	return st->id == id ? st : NULL;
}

static bool
step_clean(const struct sk_ramp_step *st)
{
	return st->att != 0 && st->fail == 0 && st->est == st->att &&
		(uint64_t)st->retx * SK_RAMP_RETX_DIV < st->att;
}

/* Connections established per second in step @p st of @p ms. */
static uint32_t
step_rate(const struct sk_ramp_step *st, uint32_t ms)
{
	return (uint32_t)((uint64_t)st->est * 1000 / RTE_MAX(ms, 1u));
}

/* The best clean step: those gone from the ring, then those in it up to
 * step @p upto (the current one is partial, the one before may not have
 * settled), the last of length @p last_ms. */
static uint32_t
ramp_best(const struct sk_client *cl, uint32_t upto, uint32_t last_ms)
{
	uint32_t best = cl->best_folded;

	for (unsigned int i = 0; i < SK_RAMP_RING; i++) {
		const struct sk_ramp_step *st = &cl->ring[i];
		uint32_t ms = st->id == upto ? last_ms : cl->step_ms;

		if (st->id > upto || !step_clean(st) || ms < cl->step_ms / 2)
			continue;
		best = RTE_MAX(best, step_rate(st, ms));
	}
	return best;
}

/* Step @p id begins: its slot is taken from the step SK_RAMP_RING older,
 * whose result is kept in best_folded. */
static void
ramp_new_step(struct sk_client *cl, uint32_t id)
{
	struct sk_ramp_step *st = &cl->ring[id % SK_RAMP_RING];

	if (st->id + SK_RAMP_RING == id && step_clean(st))
		cl->best_folded = RTE_MAX(cl->best_folded,
			step_rate(st, cl->step_ms));
	memset(st, 0, sizeof(*st));
	st->id = id;
}

/* The end of a step: adjust the offered rate from what the step saw. */
static void
ramp_adjust(struct sk_engine *e)
{
	struct sk_client *cl = e->cl;
	const struct sk_stats *s = &e->st;
	uint64_t att = s->client_syn_sent - cl->w_att;
	uint64_t est = s->client_established - cl->w_est;
	uint64_t fail = cl->fresh_bad;
	uint64_t retx = cl->fresh_retx;
	uint32_t ms = RTE_MAX(e->now_ms - cl->w_ms, 1u);
	uint64_t achieved = est * 1000 / ms;
	uint64_t rate = cl->rate;

	cl->w_ms = e->now_ms;
	cl->w_att = s->client_syn_sent;
	cl->w_est = s->client_established;
	cl->fresh_bad = 0;
	cl->fresh_retx = 0;
	__atomic_store_n(&cl->steps, cl->steps + 1, __ATOMIC_RELAXED);
	if (fail != 0 || retx * SK_RAMP_RETX_DIV > att) {
		rate /= 2;
		cl->good = rate;
		cl->ramp_ss = false;
		cl->backoff_step = cl->step_cur + 1;
		__atomic_store_n(&cl->backoffs, cl->backoffs + 1,
			__ATOMIC_RELAXED);
	} else if (achieved * 10 < rate * 9) {
		/* a ceiling; a stall of our own lcore looks the same, so
		 * the cut is at most half, and what was good before is
		 * regained by doubling */
		rate = RTE_MAX(achieved + achieved / 8, rate / 2);
		cl->ramp_ss = false;
	} else {
		cl->good = RTE_MAX(cl->good, rate);
		rate = cl->ramp_ss || rate * 2 <= cl->good ? rate * 2 :
			rate + rate / 8;
	}
	__atomic_store_n(&cl->rate, (uint32_t)RTE_MIN(RTE_MAX(rate,
		(uint64_t)SK_RAMP_FLOOR), (uint64_t)SK_RAMP_CEIL),
		__ATOMIC_RELAXED);
	cl->cost = e->par.tsc_hz / cl->rate;
}

/* Called from the poll: step boundaries. */
static void
ramp_tick(struct sk_engine *e)
{
	struct sk_client *cl = e->cl;
	uint32_t id = (uint32_t)(e->now_ms - cl->ramp_t0) / cl->step_ms;

	if (id == cl->step_cur)
		return;
	ramp_adjust(e);
	/* a stall of several steps: the missing ones stay empty */
	while (cl->step_cur != id)
		ramp_new_step(cl, ++cl->step_cur);
	__atomic_store_n(&cl->best_cps, ramp_best(cl, id - RTE_MIN(id, 2u),
		cl->step_ms), __ATOMIC_RELAXED);
}

/* The run is over: every connection has ended, so every step is settled. */
static void
ramp_finish(struct sk_engine *e)
{
	struct sk_client *cl = e->cl;
	uint32_t end_ms = (uint32_t)((cl->end - cl->start) / e->tsc_per_ms);
	uint32_t last = RTE_MIN(cl->step_cur, end_ms / cl->step_ms);

	__atomic_store_n(&cl->best_cps, ramp_best(cl, last,
		end_ms - last * cl->step_ms), __ATOMIC_RELAXED);
}

void
sk_client_established(struct sk_engine *e, const struct sk_flow *f,
		uint32_t lat_us)
{
	struct sk_ramp_step *st = ramp_slot(e->cl, f->born);

	sk_hist_add(&e->cl->hist, lat_us);
	if (st != NULL)
		st->est++;
}

/* Count a failure or retransmission of @p f in its step; true when it
 * is fresh (sent at the rate of the current backoff). */
static bool
ramp_bad(struct sk_client *cl, const struct sk_flow *f, bool retx)
{
	struct sk_ramp_step *st = ramp_slot(cl, f->born);

	if (st == NULL)
		return false;
	if (retx)
		st->retx++;
	else
		st->fail++;
	return st->id >= cl->backoff_step;
}

void
sk_client_syn_retx(struct sk_engine *e, const struct sk_flow *f)
{
	if (ramp_bad(e->cl, f, true))
		e->cl->fresh_retx++;
}

void
sk_client_release(struct sk_engine *e, struct sk_flow *f,
		enum sk_cl_end why)
{
	struct sk_client *cl = e->cl;

	f->flags &= ~SK_FF_CLACTIVE;
	/* telemetry reads active, started, start, end, stop and finished
	 * from another thread (sk_engine_client_info): this worker, their
	 * only writer, stores them atomically */
	__atomic_store_n(&cl->active, cl->active - 1, __ATOMIC_RELAXED);
	if ((why != SK_CL_DONE || !(f->match & SK_CLM_OK)) &&
			ramp_bad(cl, f, false))
		cl->fresh_bad++;
	switch (why) {
	case SK_CL_DONE:
		if (f->match & SK_CLM_OK)
			SK_STAT_INC(&e->st, client_completed);
		else
			SK_STAT_INC(&e->st, client_fail_closed);
		break;
	case SK_CL_TIMEOUT:
		if (f->state == SK_ST_SYN_SENT && (f->match & SK_CLM_BAD))
			SK_STAT_INC(&e->st, client_fail_bad_synack);
		else
			SK_STAT_INC(&e->st, client_fail_timeout);
		break;
	case SK_CL_RST:
		SK_STAT_INC(&e->st, client_fail_rst);
		break;
	case SK_CL_RESPONSE:
		SK_STAT_INC(&e->st, client_fail_response);
		break;
	}
}

/*
 * May the tuple of @p f, ours in TIME_WAIT, be used again before TIME_WAIT
 * ends? Only when the connection used timestamps, as Linux's tcp_tw_reuse
 * does: our TSval is the wall clock in ms plus a per-engine offset, so the
 * new connection's SYN carries a TSval above every one of the old one, and
 * the server accepts it even in its own TIME_WAIT (RFC 6191) while PAWS
 * (RFC 7323 5) discards stray segments of the old one. The delay
 * ([client] tw_reuse, default 1 s, as Linux) leaves time for our last ACK
 * to arrive and the clock to move past the old connection's last TSval.
 */
static bool
tw_reusable(const struct sk_engine *e, const struct sk_flow *f)
{
	return e->cfg.client_tw_reuse_ms != 0 &&
		f->state == SK_ST_TIME_WAIT &&
		(f->flags & (SK_FF_CLIENT | SK_FF_TS | SK_FF_CLACTIVE)) ==
			(SK_FF_CLIENT | SK_FF_TS) &&
		e->now_ms - f->born >= e->cfg.client_tw_reuse_ms;
}

/* Next (source address, source port), skipping tuples with a live flow
 * (one of ours in TIME_WAIT is reused only as tw_reusable() says).
 * Returns the new entry, or NULL. */
static struct sk_flow *
new_flow(struct sk_engine *e)
{
	struct sk_client *cl = e->cl;
	struct sk_flow_key6 k6 = { 0 };
	struct sk_flow_key *key = &k6.k;

	for (unsigned int i = 0; i < SK_CLIENT_TUPLE_TRIES * cl->parts; i++) {
		const rte_be32_t ip = rte_cpu_to_be_32(cl->cur_ip);
		const rte_be16_t port = rte_cpu_to_be_16(cl->cur_port);
		struct sk_flow *f;
		uint32_t h;

		if (cl->cur_port == cl->cc.sport_hi) {
			cl->cur_port = cl->cc.sport_lo;
			cl->cur_ip = cl->cur_ip == cl->cc.src_hi ?
				cl->cc.src_lo : cl->cur_ip + 1;
		} else {
			cl->cur_port++;
		}
		if (cl->cc.v6) {
			uint8_t la[16];

			memcpy(la, cl->cc.src6, 12);
			memcpy(la + 12, &ip, 4);
			sk_flow_key6_make(&k6, cl->cc.target6, la,
					cl->cc.tport, port);
			/* another worker's tuple: its answers would not come
			 * here */
			if (e->par.client_tuple6_ok != NULL &&
					!e->par.client_tuple6_ok(
						e->par.client_tuple_arg, la,
						cl->cc.target6, port,
						cl->cc.tport))
				continue;
		} else {
			key->raddr = cl->cc.target;
			key->rport = cl->cc.tport;
			key->laddr = ip;
			key->lport = port;
			if (e->par.client_tuple_ok != NULL &&
					!e->par.client_tuple_ok(
						e->par.client_tuple_arg,
						key->laddr, key->raddr,
						key->lport, key->rport))
				continue;
		}
		h = sk_flow_hash(key);
		f = sk_flow_lookup(e->ft, key, h);
		if (f != NULL) {
			if (!tw_reusable(e, f))
				continue;
			sk_tcp_flow_free(e, f);
			SK_STAT_INC(&e->st, client_tw_reuse);
		}
		f = sk_flow_insert(e->ft, key, h);
		if (f == NULL)
			return NULL; /* table full */
		return f;
	}
	return NULL;
}

/* RFC 6528: ISS = M + F(4-tuple, secret), M a 4 us timer; the counter makes
 * each reuse of a tuple draw a fresh F. */
static uint32_t
client_iss(struct sk_engine *e, const struct sk_flow *f, uint32_t now_us)
{
	struct sk_client *cl = e->cl;
	uint32_t ports = (uint32_t)f->key.lport << 16 | f->key.rport;

	if (sk_flow_key_is_v6(&f->key)) {
		uint8_t in[40];
		const uint32_t ctr = cl->iss_ctr++;

		memcpy(in, sk_flow_addr6(e->ft, f), 32);
		memcpy(in + 32, &ports, 4);
		memcpy(in + 36, &ctr, 4);
		return now_us / 4 + (uint32_t)sk_siphash(cl->k0, cl->k1, in,
				sizeof(in));
	}
	return now_us / 4 + (uint32_t)sk_siphash_4u32(cl->k0, cl->k1,
		f->key.laddr, f->key.raddr, ports, cl->iss_ctr++);
}

static struct rte_mbuf *
open_one(struct sk_engine *e)
{
	struct sk_client *cl = e->cl;
	struct sk_flow *f = new_flow(e);
	struct rte_mbuf *m;
	uint32_t now_us;

	if (f == NULL) {
		SK_STAT_INC(&e->st, client_no_tuple);
		return NULL;
	}
	now_us = sk_client_now_us(e);
	f->iss = client_iss(e, f, now_us);
	f->snd_una = f->iss;
	f->snd_nxt = f->iss + 1;
	f->flags = SK_FF_CLIENT | SK_FF_CLACTIVE;
	f->app = SK_APP_NONE;
	f->ts_off = cl->ts_off;
	f->ts_recent = now_us;       /* SYN_SENT: when the first SYN left */
	f->born = e->now_ms;
	f->state = SK_ST_SYN_SENT;
	SK_STAT_INC(&e->st, flows[SK_ST_SYN_SENT]);
	m = sk_tcp_client_syn(e, f);
	if (m == NULL) {
		SK_STAT_ADD(&e->st, flows[SK_ST_SYN_SENT], -1);
		sk_flow_remove(e->ft, f);
		return NULL;
	}
	__atomic_store_n(&cl->active, cl->active + 1, __ATOMIC_RELAXED);
	sk_wheel_arm(&e->wheel, sk_flow_index(e->ft, f),
		e->now_ms + e->cfg.client_syn_rto_ms);
	SK_STAT_INC(&e->st, client_syn_sent);
	if (cl->ramp)
		cl->ring[cl->step_cur % SK_RAMP_RING].att++;
	return m;
}

uint16_t
sk_client_poll(struct sk_engine *e, uint64_t now, struct rte_mbuf **tx,
		uint16_t cap)
{
	struct sk_client *cl = e->cl;
	uint16_t n = 0, max;

	if (cl == NULL || cl->finished || cap == 0)
		return 0;
	if (!cl->resolved && e->par.client_shared != NULL &&
			__atomic_load_n(&e->par.client_shared->resolved,
				__ATOMIC_ACQUIRE)) {
		/* another worker's engine got the ARP reply */
		cl->mac = e->par.client_shared->mac;
		cl->resolved = true;
		set_neigh(e);
	}
	if (!cl->resolved) {
		if (now < cl->arp_next)
			return 0;
		if (cl->arp_tries == SK_CLIENT_ARP_TRIES) {
			/* error and stop before finished (release): a
			 * reader that sees finished sees them */
			cl->error = cl->cc.v6 ?
				"no Neighbor Advertisement from the next hop" :
				"no ARP reply from the next hop";
			__atomic_store_n(&cl->stop, now, __ATOMIC_RELAXED);
			__atomic_store_n(&cl->finished, true, __ATOMIC_RELEASE);
			return 0;
		}
		cl->arp_tries++;
		cl->arp_next = now + e->par.tsc_hz;
		tx[0] = cl->cc.v6 ? ns_request(e) : arp_request(e);
		return tx[0] != NULL;
	}
	if (!cl->started) {
		if (cl->cc.have_gw_mac)
			set_neigh(e);
		__atomic_store_n(&cl->start, now, __ATOMIC_RELAXED);
		__atomic_store_n(&cl->end, now +
			(uint64_t)e->cfg.client_duration_ms * e->tsc_per_ms,
			__ATOMIC_RELAXED);
		/* after start and end, with release: a reader that sees
		 * started with an acquire load finds them set */
		__atomic_store_n(&cl->started, true, __ATOMIC_RELEASE);
		cl->last = now;
		cl->credit = cl->cost;
		cl->ramp_t0 = e->now_ms;
		cl->w_ms = e->now_ms;
	}
	if (!cl->opening_over && (now >= cl->end ||
			e->st.client_syn_sent >= cl->connections)) {
		/* the opening window ends early at the connection limit */
		__atomic_store_n(&cl->end, RTE_MIN(cl->end, now),
			__ATOMIC_RELAXED);
		__atomic_store_n(&cl->opening_over, true, __ATOMIC_RELAXED);
	}
	if (cl->opening_over) {
		if (cl->active == 0) {
			if (cl->ramp)
				ramp_finish(e);
			__atomic_store_n(&cl->stop, now, __ATOMIC_RELAXED);
			__atomic_store_n(&cl->finished, true, __ATOMIC_RELEASE);
		}
		return 0;
	}
	if (cl->ramp)
		ramp_tick(e);
	if (cl->cost != 0) {
		/* The bucket holds 100 ms of tokens (at least one pass's
		 * worth): a short stall of this lcore is made up at no more
		 * than SK_CLIENT_OPEN_MAX a pass; a long one is not. */
		cl->credit = RTE_MIN(cl->credit + (now - cl->last),
			RTE_MAX(cl->cost * SK_CLIENT_OPEN_MAX,
				e->par.tsc_hz / 10));
		cl->last = now;
	}
	max = RTE_MIN(cap, (uint16_t)SK_CLIENT_OPEN_MAX);
	max = (uint16_t)RTE_MIN((uint64_t)max,
		cl->connections - e->st.client_syn_sent);
	while (n < max && cl->active < cl->concurrency &&
			(cl->cost == 0 || cl->credit >= cl->cost)) {
		struct rte_mbuf *m = open_one(e);

		if (m == NULL)
			break;
		tx[n++] = m;
		cl->credit -= cl->cost;
	}
	return n;
}

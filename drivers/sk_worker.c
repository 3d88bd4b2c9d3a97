/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "sk_reload.h"
#include "sk_worker.h"

/* Main lcore's periodic work when it is also the only worker. */
#define SK_HOUSEKEEPING_US 100000

void
sk_worker_reload_poll(struct sk_worker *w)
{
	uint32_t gen = __atomic_load_n(&w->reload_gen, __ATOMIC_ACQUIRE);

	if (likely(gen == w->reload_done))
		return;
	w->reload_ret = sk_engine_reload(w->engine, w->reload_cfg);
	if (w->reload_ret == 0)
		w->burst = RTE_MIN(w->reload_cfg->burst, SK_BURST_MAX);
	__atomic_store_n(&w->reload_done, gen, __ATOMIC_RELEASE);
}

static inline void
send_port(struct sk_worker *w, uint16_t port, struct rte_mbuf **tx,
		uint16_t n)
{
	uint16_t sent;

	if (n == 0)
		return;
	sent = rte_eth_tx_burst(port, w->txq, tx, n);
	if (unlikely(sent < n)) {
		rte_pktmbuf_free_bulk(&tx[sent], n - sent);
		sk_engine_tx_dropped(w->engine, n - sent);
	}
}

/* The engine's frames out: with two arms, those it marked for the
 * backends' port (m->port, lib/sk_pkt.h sk_pkt_set_side()) go there, in
 * their order, the rest to the clients' port. */
static inline void
send_burst(struct sk_worker *w, struct rte_mbuf **tx, uint16_t n)
{
	struct rte_mbuf *in[SK_BURST_MAX];
	uint16_t ni = 0, no = 0;

	if (likely(!w->two_arm)) {
		send_port(w, w->port, tx, n);
		return;
	}
	for (uint16_t i = 0; i < n; i++) {
		if (tx[i]->port == w->in_port)
			in[ni++] = tx[i];
		else
			tx[no++] = tx[i];
	}
	send_port(w, w->port, tx, no);
	send_port(w, w->in_port, in, ni);
}

/* Software dispatch: keep own flows in @p rx, pass the rest to their
 * owners, then take what the other workers passed to us. */
static uint16_t
handoff(struct sk_worker *w, struct rte_mbuf **rx, uint16_t n)
{
	const struct sk_dispatch *d = w->disp;
	struct rte_mbuf *out[SK_MAX_WORKERS][SK_BURST_MAX];
	uint16_t nout[SK_MAX_WORKERS] = { 0 };
	struct sk_stats *st = sk_engine_stats_w(w->engine);
	uint16_t keep = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct sk_dispatch_flow f;
		unsigned int o;

		if (!sk_dispatch_tuple(rx[i], &f) ||
				(o = sk_dispatch_owner(d,
					sk_dispatch_flow_hash(&f))) == w->id)
			rx[keep++] = rx[i];
		else
			out[o][nout[o]++] = rx[i];
	}
	for (unsigned int o = 0; o < d->n; o++) {
		unsigned int sent;

		if (nout[o] == 0)
			continue;
		sent = rte_ring_sp_enqueue_burst(d->ring[w->id][o],
				(void **)out[o], nout[o], NULL);
		SK_STAT_ADD(st, tx_handoff, sent);
		if (sent < nout[o]) {
			rte_pktmbuf_free_bulk(&out[o][sent], nout[o] - sent);
			SK_STAT_ADD(st, drop_handoff, nout[o] - sent);
		}
	}
	for (unsigned int o = 0; o < d->n && keep < SK_BURST_MAX; o++) {
		unsigned int got;

		if (o == w->id)
			continue;
		got = rte_ring_sc_dequeue_burst(d->ring[o][w->id],
				(void **)&rx[keep], SK_BURST_MAX - keep, NULL);
		SK_STAT_ADD(st, rx_handoff, got);
		keep = (uint16_t)(keep + got);
	}
	return keep;
}

/* RSS: every TCP frame this queue receives must belong to this worker.
 * The device's hash is used where it gives one, else the same in software
 * (sk_dispatch_flow_hash: IPv4 or IPv6). IPv6 is checked only where the
 * device hashes IPv6/TCP as we do. */
static void
check_owner(struct sk_worker *w, struct rte_mbuf **rx, uint16_t n)
{
	unsigned int wrong = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct sk_dispatch_flow f;
		uint32_t h;

		if (!sk_dispatch_tuple(rx[i], &f) ||
				(f.family == 6 && !w->disp->rss6))
			continue;
		h = (rx[i]->ol_flags & RTE_MBUF_F_RX_RSS_HASH) ?
			rx[i]->hash.rss : sk_dispatch_flow_hash(&f);
		wrong += sk_dispatch_owner(w->disp, h) != w->id;
	}
	if (wrong)
		SK_STAT_ADD(sk_engine_stats_w(w->engine), rx_wrong_worker,
			wrong);
}

int
sk_worker_loop(void *arg)
{
	struct sk_worker *w = arg;
	struct rte_mbuf *rx[SK_BURST_MAX], *tx[SK_BURST_MAX];
	const uint64_t timer_period = rte_get_tsc_hz() / 10000; /* 100 us */
	const bool software = w->disp->software;
	/* with RSS, the hash must send each flow to its owner; a steering
	 * device (net_tap) has its own hash, there is nothing to compare */
	const bool check = w->disp->n > 1 && !software && w->disp->rss;
	uint64_t next_timer = 0;
	const uint64_t hk_period = rte_get_tsc_hz() / (1000000 /
			SK_HOUSEKEEPING_US);
	uint64_t next_hk = rte_rdtsc() + hk_period;
	const unsigned int sides = w->two_arm ? 2 : 1;

	while (!__atomic_load_n(w->quit, __ATOMIC_RELAXED)) {
		uint64_t now = 0;

		/* the clients' port, then (two arms) the backends' */
		for (unsigned int s = 0; s < sides; s++) {
			const uint16_t port = s == 0 ? w->port : w->in_port;
			const uint16_t q = s == 0 ? w->rxq : w->in_rxq;
			uint16_t n = 0;

			if (q != UINT16_MAX)
				n = rte_eth_rx_burst(port, q, rx, w->burst);
			if (software)
				n = handoff(w, rx, n);
			else if (check && n != 0)
				check_owner(w, rx, n);
			now = rte_rdtsc();
			if (n != 0)
				send_burst(w, tx, sk_engine_input(w->engine,
						rx, n, tx, now));
		}
		if (now >= next_timer) {
			uint16_t k;

			do {
				k = sk_engine_timers(w->engine, now, tx,
						SK_BURST_MAX);
				send_burst(w, tx, k);
			} while (k == SK_BURST_MAX);
			next_timer = now + timer_period;
			sk_worker_reload_poll(w);
			if (w->housekeeping != NULL && now >= next_hk) {
				w->housekeeping(w->housekeeping_arg);
				next_hk = now + hk_period;
			}
			/* alone, a client worker ends its run itself; with
			 * others it goes on receiving (and handing over) until
			 * the main lcore sees every run over and sets quit */
			if (w->client && w->disp->n == 1 &&
					sk_engine_client_done(w->engine))
				break;
		}
	}
	return 0;
}

/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SK_WORKER_H
#define SK_WORKER_H

/**
 * @file
 * The poll loop of one worker lcore: receive from its queue (if it has
 * one; from its queue on each port for a two-arm proxy), hand other
 * workers' flows over (software dispatch) or check that RSS delivered only
 * its own, run the engine, transmit on its own queue (of the port each
 * frame goes out on), run the timers.
 */

#include <stdint.h>

#include <rte_common.h>

#include "sk_dispatch.h"
#include "sk_engine.h"

struct sk_worker {
	/* read-only while running, but for burst (reload) */
	struct sk_engine *engine;
	const struct sk_dispatch *disp;
	const volatile int *quit;   /**< loop ends when *quit != 0 */
	uint16_t port;
	uint16_t rxq;               /**< its RX queue, or UINT16_MAX: none */
	uint16_t txq;
	/* a two-arm proxy ([proxy] port): the backends' port, its RX queue
	 * (or UINT16_MAX) and, as on the clients' port, TX queue txq; the
	 * engine marks what leaves there (m->port == in_port) */
	bool two_arm;
	uint16_t in_port;
	uint16_t in_rxq;
	uint16_t burst;
	unsigned int id;            /**< worker index: owner number */
	unsigned int lcore;
	bool client;                /**< engine has a client role: the loop
	                                 also ends when its run is over */
	/* Configuration reload (lib/sk_reload.h): the main lcore writes
	 * reload_cfg, then reload_gen with release; the worker sees the new
	 * generation with acquire between bursts, applies the configuration
	 * to its engine and its burst size itself, and stores the generation
	 * in reload_done with release. reload_cfg is not touched again until
	 * every worker is done. */
	const struct sk_config *reload_cfg;
	uint32_t reload_gen;
	uint32_t reload_done;
	int reload_ret;             /**< sk_engine_reload()'s result */
	/* Only when the worker runs on the main lcore (one lcore in all):
	 * the main lcore's periodic work (signals, counters, reload), called
	 * between bursts every 100 ms, since nothing else runs there. */
	void (*housekeeping)(void *arg);
	void *housekeeping_arg;
} __rte_cache_aligned;

/** rte_eal_remote_launch() entry point; @p arg is a struct sk_worker. */
int sk_worker_loop(void *arg);

/** Apply a published reload if there is one (the worker's own lcore, or
 * the main lcore when the worker runs there). */
void sk_worker_reload_poll(struct sk_worker *w);

#endif /* SK_WORKER_H */

/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SK_WORKER_H
#define SK_WORKER_H

/**
 * @file
 * The poll loop of one worker lcore: receive from its queue (if it has
 * one), hand other workers' flows over (software dispatch) or check that
 * RSS delivered only its own, run the engine, transmit on its own queue,
 * run the timers.
 */

#include <stdint.h>

#include <rte_common.h>

#include "sk_dispatch.h"
#include "sk_engine.h"

struct sk_worker {
	/* read-only while running */
	struct sk_engine *engine;
	const struct sk_dispatch *disp;
	const volatile int *quit;   /**< loop ends when *quit != 0 */
	uint16_t port;
	uint16_t rxq;               /**< its RX queue, or UINT16_MAX: none */
	uint16_t txq;
	uint16_t burst;
	unsigned int id;            /**< worker index: owner number */
	unsigned int lcore;
	bool client;                /**< engine has a client role: the loop
	                                 also ends when its run is over */
} __rte_cache_aligned;

/** rte_eal_remote_launch() entry point; @p arg is a struct sk_worker. */
int sk_worker_loop(void *arg);

#endif /* SK_WORKER_H */

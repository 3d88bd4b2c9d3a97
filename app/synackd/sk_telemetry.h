/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SK_TELEMETRY_H
#define SK_TELEMETRY_H

/**
 * @file
 * synackd's control plane: the `/synack/...` telemetry commands read by
 * synackctl and by DPDK's own dpdk-telemetry.py, and the pdump server that
 * lets dpdk-dumpcap / dpdk-pdump capture a running engine's traffic.
 *
 * The handlers run on DPDK's telemetry threads. They read counters with
 * relaxed loads (sk_stats_accumulate) and the flow table through copies
 * (sk_engine_flow_snapshot); they never lock, never write engine state and
 * never wait on a worker lcore. docs/synackctl.md describes every command.
 */

#include <stdbool.h>

#include <rte_mempool.h>
#include <stdint.h>

#include "sk_engine.h"

/** One worker lcore and the engine it runs. */
struct sk_telemetry_worker {
	struct sk_engine *engine;
	unsigned int lcore;
};

struct sk_telemetry_params {
	const struct sk_telemetry_worker *workers; /**< copied */
	unsigned int n_workers;
	const uint16_t *ports;                     /**< copied */
	unsigned int n_ports;
	/** The cookie secret came from getrandom() at start, not from the
	 * configuration (shown as "(random)" rather than "(set)"). */
	bool secret_random;
	/** The mbuf pool, for its in-use count in /synack/ports. */
	const struct rte_mempool *pool;
};

/**
 * Register the `/synack/` commands for the engines in @p p and start the
 * pdump server (rte_pdump_init). Call once, after the engines exist and
 * before the workers start. A pdump failure is logged, not fatal: the
 * engine runs without live capture.
 * @return 0, or a negative errno (EINVAL for bad parameters, or the error
 * of rte_telemetry_register_cmd).
 */
int sk_telemetry_init(const struct sk_telemetry_params *p);

/**
 * Stop answering: from now on the commands reply null (they cannot be
 * unregistered), and this waits for the handlers already running. Call
 * after the workers have stopped and before the engines are freed. Also
 * stops the pdump server.
 *
 * The wait is bounded (5 s; a handler only reads memory and asks the
 * ethdev layer, so only a hung driver call can take that long).
 * @return 0 when no handler runs and none will touch an engine, port or
 * the pool again: they may be freed. -EBUSY when a handler was still
 * running at the bound (logged): nothing it may read may be freed, and
 * the caller should exit without freeing them (synackd does).
 */
int sk_telemetry_fini(void);

#endif /* SK_TELEMETRY_H */

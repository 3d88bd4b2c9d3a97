/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SK_CLIENT_REPORT_H
#define SK_CLIENT_REPORT_H

/**
 * @file
 * The client role's figures summed over engines, as synackd's progress
 * lines and summary print them and as telemetry's /synack/client serves
 * them, so that every view agrees (docs/client.md, "What is measured").
 *
 * sk_client_report_add() reads one engine from any thread while its lcore
 * runs: relaxed loads (acquire fences between groups of them), nothing
 * written. The groups are read in an order that keeps a live snapshot's
 * figures in their natural order (the engine counts a connection
 * attempted, then its latency, then established, then completed or
 * failed): completed and failed first, established next, then the
 * histogram and the run state, attempted last. So even mid-run (on x86,
 * whose stores and loads keep their order) attempted >= latency count >=
 * established >= completed; a finished run's figures are exact.
 */

#include <stdbool.h>
#include <stdint.h>

#include "sk_engine.h"
#include "sk_hist.h"

/** Where a client run is (sk_client_report_state()). */
enum sk_client_state {
	SK_CLIENT_RESOLVING, /**< next hop not resolved, no SYN sent yet */
	SK_CLIENT_OPENING,   /**< opening connections */
	SK_CLIENT_DRAINING,  /**< opening window over, connections ending */
	SK_CLIENT_FINISHED,  /**< every connection ended */
	SK_CLIENT_FAILED,    /**< the run failed as a whole (error set) */
};

/** Quantiles reported: 0.5, 0.9, 0.99, 0.999. */
#define SK_CLIENT_REPORT_NQ 4
extern const double sk_client_report_q[SK_CLIENT_REPORT_NQ];
/** Their names: "p50", "p90", "p99", "p99_9". */
extern const char *const sk_client_report_qname[SK_CLIENT_REPORT_NQ];

struct sk_client_report {
	unsigned int engines;     /**< engines with a client role added */
	/* counters, summed (struct sk_stats client_*) */
	uint64_t attempted;       /**< client_syn_sent */
	uint64_t established;     /**< client_established */
	uint64_t completed;       /**< client_completed */
	uint64_t failed;          /**< the sum of the five below */
	uint64_t fail_timeout, fail_rst, fail_bad_synack, fail_response,
		fail_closed;
	uint64_t syn_retx;        /**< client_syn_retx */
	uint64_t no_tuple;        /**< client_no_tuple */
	uint32_t concurrent;      /**< connections open now (active), summed */
	/* run state: started by any engine, over / finished when all are */
	bool started, opening_over, finished;
	const char *error;        /**< the first engine's error, or NULL */
	uint64_t start;           /**< the earliest first SYN (TSC) */
	uint64_t end;             /**< the latest end of opening (TSC) */
	uint64_t stop;            /**< the latest finish (TSC) */
	/* offered rate: rates and backoffs summed, steps the most of any
	 * engine (they step side by side) */
	bool ramp;                /**< --cps max: the rate is searched for */
	uint32_t rate_cps;        /**< offered now, 0 = no limit */
	uint32_t best_cps;        /**< ramp: best clean step */
	uint32_t ramp_steps, ramp_backoffs;
	struct sk_hist latency_us; /**< handshake latency, summed */

	/* derived by sk_client_report_finish() */
	enum sk_client_state state;
	double open_s;            /**< first SYN to end of opening (or now) */
	double run_s;             /**< first SYN to finish (or now) */
	double cps;               /**< established / open_s, 0 before a SYN */
	double mean_us;           /**< latency mean, 0 when no sample */
	uint32_t min_us;          /**< latency min, 0 when no sample */
	uint32_t q_us[SK_CLIENT_REPORT_NQ]; /**< sk_client_report_q values */
};

/** Empty @p r (no engine added). */
void sk_client_report_init(struct sk_client_report *r);

/**
 * Add engine @p e's client role to @p r (read-only, see above).
 * @return 0, or -ENOTSUP when @p e has no client role (@p r unchanged).
 */
int sk_client_report_add(struct sk_client_report *r, const struct sk_engine *e);

/** Merge @p src, a report of other engines, into @p dst. */
void sk_client_report_merge(struct sk_client_report *dst,
		const struct sk_client_report *src);

/**
 * Compute the derived figures of @p r: state, open_s and run_s (against
 * @p now while the opening or the run goes on, @p hz TSC ticks a second),
 * cps, and the latency min, mean and quantiles.
 */
void sk_client_report_finish(struct sk_client_report *r, uint64_t now,
		uint64_t hz);

/** "resolving", "opening", "draining", "finished" or "failed". */
const char *sk_client_state_name(enum sk_client_state s);

#endif /* SK_CLIENT_REPORT_H */

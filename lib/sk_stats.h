/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SK_STATS_H
#define SK_STATS_H

/**
 * @file
 * Per-lcore counters. One list (sk_counters.h, no DPDK) gives the struct
 * fields, the names and the help text. The owning lcore writes them with
 * relaxed stores (a plain add on x86-64, no locked instruction); readers
 * on other threads use relaxed loads and sum over lcores, so there is no
 * data race and no cost on the fast path.
 */

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>

#include "sk_common.h"
#include "sk_counters.h"

struct sk_stats {
#define SK_STATS_FIELD(n, h) uint64_t n;
	SK_FOREACH_COUNTER(SK_STATS_FIELD)
#undef SK_STATS_FIELD
	uint64_t flows[SK_ST_MAX]; /**< gauge: live flows per state */
} __rte_cache_aligned;

/** Add @p v to a counter: a relaxed read-modify-write by the one writer. */
#define SK_STAT_ADD(s, f, v) \
	__atomic_store_n(&(s)->f, (s)->f + (v), __ATOMIC_RELAXED)
#define SK_STAT_INC(s, f) SK_STAT_ADD(s, f, 1)

/** Number of plain counters (not the per-state gauges). */
#define SK_STATS_N (offsetof(struct sk_stats, flows) / sizeof(uint64_t))

/** Names and help texts, in field order, SK_STATS_N of each. */
extern const char *const sk_stats_names[];
extern const char *const sk_stats_help[];

/** Add @p src into @p dst, reading @p src with relaxed loads (safe while
 * its lcore runs). */
void sk_stats_accumulate(struct sk_stats *dst, const struct sk_stats *src);

/** Write every counter (zeros too), flows per state and their total as
 * one JSON object: {"counters": {...}, "flows": {...}, "flow_count": N}.
 * @p extra, when not NULL, is more members ("\"k\": v, ...") put last. */
void sk_stats_json(const struct sk_stats *s, FILE *f, const char *extra);

/** Print non-zero counters, one "name value" line each, and flows per state. */
void sk_stats_print(const struct sk_stats *s, FILE *f);

#endif /* SK_STATS_H */

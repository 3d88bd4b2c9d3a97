/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SK_TIMER_H
#define SK_TIMER_H

/**
 * @file
 * Per-lcore hierarchical timer wheel over flow-table entries, ticks of one
 * millisecond. Arm and cancel are O(1); expiry visits only due slots. No
 * cascading: a timer far in the future sits in a coarse level and fires at
 * that level's granularity (at most 1/8 of its delay late, never early).
 *
 * Written here rather than using rte_timer because rte_timer keeps a 64-byte
 * struct per timer outside the entry and a skiplist per lcore; synack keeps
 * 12 bytes of links inside the flow's own cache line (struct sk_tlink).
 */

#include <stdint.h>

#include "sk_flow.h"

#define SK_WHEEL_BITS 6
#define SK_WHEEL_SLOTS (1u << SK_WHEEL_BITS)  /* slots per level */
#define SK_WHEEL_LVL_SHIFT 3                  /* granularity x8 per level */
#define SK_WHEEL_LEVELS 8                     /* spans 64 ms .. 37 h */

struct sk_wheel {
	struct sk_flow *base;  /**< entries the indices refer to */
	uint32_t now;          /**< last tick processed */
	uint32_t count;        /**< timers armed */
	uint64_t pending[SK_WHEEL_LEVELS]; /**< bit per non-empty slot */
	uint32_t head[SK_WHEEL_LEVELS][SK_WHEEL_SLOTS];
};

/** Set up an empty wheel whose indices refer to @p base, starting at @p now. */
void sk_wheel_init(struct sk_wheel *w, struct sk_flow *base, uint32_t now);

/** Arm (or re-arm) entry @p idx to expire at tick @p expire. A tick in the
 * past fires at the next sk_wheel_expire(). */
void sk_wheel_arm(struct sk_wheel *w, uint32_t idx, uint32_t expire);

/** Disarm entry @p idx; harmless when it is not armed. */
void sk_wheel_cancel(struct sk_wheel *w, uint32_t idx);

/**
 * Advance to tick @p now and take off the wheel up to @p max entries that
 * are due, oldest slot first, writing their indices to @p out. Entries not
 * returned because of @p max stay armed and come out on the next call.
 * @return how many indices were written.
 */
unsigned int sk_wheel_expire(struct sk_wheel *w, uint32_t now,
		uint32_t *out, unsigned int max);

#endif /* SK_TIMER_H */

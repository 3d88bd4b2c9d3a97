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
 *
 * Levels (as Linux's kernel/time/timer.c): level L has SK_WHEEL_SLOTS
 * slots of 8^L ticks; slot s of level L is looked at on the ticks that are
 * multiples of 8^L with (tick >> 3L) % 64 == s. A timer due at tick e goes
 * in the lowest level whose window holds e rounded UP to the level's
 * granularity, so it never fires early. Where that rounding would make it
 * later than delay / 8 (the last few slots of each level's window), or the
 * delay is beyond the top level's window (about 37 h), it goes instead in
 * the last slot it can reach, which comes before e: when that slot is
 * looked at, the timer is not returned but placed again from there, with
 * the smaller delay left. Ticks are 32-bit and compared modulo 2^32: an
 * expiry must be less than 2^31 ticks (24 days) ahead of the wheel's now.
 *
 * Lists are doubly linked through the entries' struct sk_tlink: next and
 * prev are entry indices, next == SK_FLOW_NIL ends a list, and the first
 * entry's prev is SK_WHEEL_HEAD | list number (like Linux's hlist pprev),
 * so cancel unlinks without knowing where the timer was placed. Entry
 * indices are below SK_FLOW_CAPACITY_MAX (2^31), so the marker bit is free.
 */

#include <assert.h>
#include <stdint.h>

#include "sk_flow.h"

#define SK_WHEEL_BITS 6
#define SK_WHEEL_SLOTS (1u << SK_WHEEL_BITS)  /* slots per level */
#define SK_WHEEL_LVL_SHIFT 3                  /* granularity x8 per level */
#define SK_WHEEL_LEVELS 8                     /* spans 64 ms .. 37 h */
/* list numbers: level * SK_WHEEL_SLOTS + slot, then the due list */
#define SK_WHEEL_DUE (SK_WHEEL_LEVELS * SK_WHEEL_SLOTS)
#define SK_WHEEL_LISTS (SK_WHEEL_DUE + 1)
/* tl.prev of a list's first entry: this bit | the list number */
#define SK_WHEEL_HEAD UINT32_C(0x80000000)

static_assert(SK_WHEEL_SLOTS == 64, "pending bitmaps are 64-bit words");
static_assert((SK_WHEEL_LEVELS - 1) * SK_WHEEL_LVL_SHIFT +
	SK_WHEEL_BITS < 31,
	"top level's window is below 2^31 ticks: wrap-safe compares hold");

struct sk_wheel {
	struct sk_flow *base;  /**< entries the indices refer to */
	uint32_t now;          /**< last tick processed */
	uint32_t count;        /**< timers armed */
	uint32_t due_tail;     /**< last of the due list (FIFO) */
	uint64_t pending[SK_WHEEL_LEVELS]; /**< bit per non-empty slot */
	/** first entry of each slot, level by level, then of the due list:
	 * timers armed for a tick already processed, returned first by the
	 * next sk_wheel_expire() */
	uint32_t head[SK_WHEEL_LISTS];
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

/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Timer wheel (see sk_timer.h for the levels and the list encoding).
 *
 * Invariants, with n = w->now (every tick up to n has been processed):
 *  - a timer on the wheel in level L, slot s, is taken off at the first
 *    tick T > n that is a multiple of G = 8^L with (T >> 3L) % 64 == s,
 *    and T - n < 64 * G, so no slot ever holds timers for two rounds;
 *  - T >= its expiry, except for the timers placed in a slot before their
 *    expiry on purpose (too late in the right level, or beyond the top
 *    level): those are placed again, never returned, when T comes;
 *  - pending[L] has bit s set exactly when slot s of level L is not empty.
 *
 * Expiry finds, for each level, the next slot with timers from the bitmap
 * (a rotate and a count of trailing zeros), jumps straight to the nearest
 * such tick, and takes the slots due on it, coarsest level first (their
 * timers may be due before that tick, level 0's are due on it). A jump of
 * now over empty ticks costs one such search, whatever its length.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>
#include <rte_debug.h>

#include "sk_timer.h"

/* a - b as a signed distance: wrap-safe tick comparisons */
#define TICK_DIFF(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)))

static inline unsigned int
lvl_shift(unsigned int lvl)
{
	return lvl * SK_WHEEL_LVL_SHIFT;
}

static inline uint64_t
rotr64(uint64_t x, unsigned int r)
{
	r &= 63;
	return r == 0 ? x : (x >> r) | (x << (64 - r));
}

static inline struct sk_tlink *
tl(struct sk_wheel *w, uint32_t idx)
{
	return &w->base[idx].tl;
}

/* Push @p idx at the head of wheel list @p list (a slot). */
static inline void
slot_add(struct sk_wheel *w, uint32_t list, uint32_t idx)
{
	struct sk_tlink *l = tl(w, idx);
	uint32_t h = w->head[list];

	l->next = h;
	l->prev = SK_WHEEL_HEAD | list;
	if (h != SK_FLOW_NIL)
		tl(w, h)->prev = idx;
	w->head[list] = idx;
	w->pending[list >> SK_WHEEL_BITS] |=
		UINT64_C(1) << (list & (SK_WHEEL_SLOTS - 1));
}

/* Append @p idx to the due list. */
static inline void
due_add(struct sk_wheel *w, uint32_t idx)
{
	struct sk_tlink *l = tl(w, idx);

	l->next = SK_FLOW_NIL;
	if (w->due_tail == SK_FLOW_NIL) {
		l->prev = SK_WHEEL_HEAD | SK_WHEEL_DUE;
		w->head[SK_WHEEL_DUE] = idx;
	} else {
		l->prev = w->due_tail;
		tl(w, w->due_tail)->next = idx;
	}
	w->due_tail = idx;
}

static inline void
list_del(struct sk_wheel *w, uint32_t idx)
{
	struct sk_tlink *l = tl(w, idx);

	if (l->next != SK_FLOW_NIL)
		tl(w, l->next)->prev = l->prev;
	else if (w->due_tail == idx)
		w->due_tail = (l->prev & SK_WHEEL_HEAD) ? SK_FLOW_NIL : l->prev;
	if (l->prev & SK_WHEEL_HEAD) {
		uint32_t list = l->prev & ~SK_WHEEL_HEAD;

		RTE_ASSERT(list < SK_WHEEL_LISTS && w->head[list] == idx);
		w->head[list] = l->next;
		if (l->next == SK_FLOW_NIL && list != SK_WHEEL_DUE)
			w->pending[list >> SK_WHEEL_BITS] &= ~(UINT64_C(1) <<
				(list & (SK_WHEEL_SLOTS - 1)));
	} else {
		tl(w, l->prev)->next = l->next;
	}
}

/*
 * Put armed entry @p idx on the wheel as seen from tick @p n (processed):
 * see the invariants above.
 */
static void
place(struct sk_wheel *w, uint32_t idx, uint32_t n)
{
	uint32_t e = tl(w, idx)->expire;
	int32_t delta = TICK_DIFF(e, n);
	unsigned int lvl, sh;
	uint32_t t;

	if (delta <= 0) {
		due_add(w, idx);
		return;
	}
	for (lvl = 0; lvl < SK_WHEEL_LEVELS; lvl++) {
		uint32_t g = UINT32_C(1) << lvl_shift(lvl);

		t = (e + g - 1) & ~(g - 1);  /* e rounded up, mod 2^32 */
		if (t - n < (SK_WHEEL_SLOTS << lvl_shift(lvl)))
			break;
	}
	if (lvl == SK_WHEEL_LEVELS || (lvl > 0 &&
			t - e > (uint32_t)delta >> SK_WHEEL_LVL_SHIFT)) {
		/* beyond the top level, or too late at lvl: the last slot
		 * of the level below (or the top), before e, comes back here */
		lvl--;
		sh = lvl_shift(lvl);
		t = (n + (SK_WHEEL_SLOTS << sh) - 1) &
			~((UINT32_C(1) << sh) - 1);
	}
	sh = lvl_shift(lvl);
	slot_add(w, lvl * SK_WHEEL_SLOTS + ((t >> sh) & (SK_WHEEL_SLOTS - 1)),
		idx);
}

void
sk_wheel_init(struct sk_wheel *w, struct sk_flow *base, uint32_t now)
{
	memset(w, 0, sizeof(*w));
	w->base = base;
	w->now = now;
	w->due_tail = SK_FLOW_NIL;
	for (unsigned int i = 0; i < SK_WHEEL_LISTS; i++)
		w->head[i] = SK_FLOW_NIL;
}

void
sk_wheel_arm(struct sk_wheel *w, uint32_t idx, uint32_t expire)
{
	struct sk_flow *f = &w->base[idx];

	RTE_ASSERT(idx < SK_FLOW_CAPACITY_MAX);
	if (f->flags & SK_FF_TIMER) {
		list_del(w, idx);
	} else {
		f->flags |= SK_FF_TIMER;
		w->count++;
	}
	f->tl.expire = expire;
	place(w, idx, w->now);
}

void
sk_wheel_cancel(struct sk_wheel *w, uint32_t idx)
{
	struct sk_flow *f = &w->base[idx];

	if (!(f->flags & SK_FF_TIMER))
		return;
	list_del(w, idx);
	f->flags &= ~SK_FF_TIMER;
	w->count--;
}

/* Nearest tick after w->now with a non-empty slot; false when none. */
static bool
next_tick(const struct sk_wheel *w, uint32_t *tick)
{
	uint32_t n = w->now;
	uint32_t best = 0;
	bool found = false;

	for (unsigned int lvl = 0; lvl < SK_WHEEL_LEVELS; lvl++) {
		unsigned int sh = lvl_shift(lvl);
		uint32_t pos, t;
		unsigned int j;

		if (w->pending[lvl] == 0)
			continue;
		/* bit j of the rotated map: slot of the (j+1)-th boundary */
		pos = (n >> sh) + 1;
		j = (unsigned int)__builtin_ctzll(rotr64(w->pending[lvl],
			pos & (SK_WHEEL_SLOTS - 1)));
		t = (pos + j) << sh;
		if (!found || t - n < best) {
			best = t - n;
			found = true;
		}
	}
	*tick = n + best;
	return found;
}

static inline void
fire(struct sk_wheel *w, uint32_t idx, uint32_t *out, unsigned int *k)
{
	w->base[idx].flags &= ~SK_FF_TIMER;
	w->count--;
	out[(*k)++] = idx;
}

unsigned int
sk_wheel_expire(struct sk_wheel *w, uint32_t now, uint32_t *out,
		unsigned int max)
{
	unsigned int k = 0;

	/* armed for a tick already processed */
	while (k < max && w->head[SK_WHEEL_DUE] != SK_FLOW_NIL) {
		uint32_t idx = w->head[SK_WHEEL_DUE];

		list_del(w, idx);
		fire(w, idx, out, &k);
	}

	while (k < max && TICK_DIFF(now, w->now) > 0) {
		uint32_t t;
		int top;
		bool done = true;

		if (!next_tick(w, &t) || TICK_DIFF(now, t) < 0) {
			w->now = now;  /* nothing due up to now: jump */
			break;
		}
		/* levels whose boundary t is: tick 0 of every level at t=0 */
		top = t == 0 ? SK_WHEEL_LEVELS - 1 :
			RTE_MIN(SK_WHEEL_LEVELS - 1,
				__builtin_ctz(t) / SK_WHEEL_LVL_SHIFT);
		for (int lvl = top; lvl >= 0 && done; lvl--) {
			unsigned int sh = lvl_shift((unsigned int)lvl);
			uint32_t list = (uint32_t)lvl * SK_WHEEL_SLOTS +
				((t >> sh) & (SK_WHEEL_SLOTS - 1));

			while (w->head[list] != SK_FLOW_NIL) {
				uint32_t idx = w->head[list];

				if (k == max) {
					done = false;
					break;
				}
				list_del(w, idx);
				if (TICK_DIFF(tl(w, idx)->expire, t) > 0)
					place(w, idx, t);  /* early on purpose */
				else
					fire(w, idx, out, &k);
			}
		}
		/* stopped by max inside tick t: come back to it next call */
		w->now = done ? t : t - 1;
	}
	return k;
}

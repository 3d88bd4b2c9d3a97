/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SK_HIST_H
#define SK_HIST_H

/**
 * @file
 * A log-linear histogram of 32-bit values (microseconds) in fixed memory,
 * as HdrHistogram lays it out: values below 64 have a bucket each; above,
 * every power of two is split into 32 equal buckets, so a bucket is at
 * most 1/32 (3.1 %) of its values wide. 896 buckets of 8 bytes cover
 * 0 .. 2^32 - 1. Written by one lcore with relaxed stores, read by any
 * thread with relaxed loads (like struct sk_stats).
 */

#include <stdint.h>

#define SK_HIST_SUB_BITS 5
#define SK_HIST_SUB (1u << SK_HIST_SUB_BITS)                 /* 32 */
#define SK_HIST_BUCKETS ((32 - SK_HIST_SUB_BITS) * SK_HIST_SUB + SK_HIST_SUB)

struct sk_hist {
	uint64_t count;
	uint64_t sum;
	uint32_t min;
	uint32_t max;
	uint64_t b[SK_HIST_BUCKETS];
};

/** Bucket of value @p v. */
static inline unsigned int
sk_hist_bucket(uint32_t v)
{
	unsigned int msb, shift;

	if (v < 2 * SK_HIST_SUB)
		return v;
	msb = 31u - (unsigned int)__builtin_clz(v);
	shift = msb - SK_HIST_SUB_BITS;
	return (shift + 1) * SK_HIST_SUB + ((v >> shift) - SK_HIST_SUB);
}

/** Smallest and largest value of bucket @p i. */
void sk_hist_bounds(unsigned int i, uint32_t *lo, uint32_t *hi);

/** Record @p v (by the owning lcore). */
void sk_hist_add(struct sk_hist *h, uint32_t v);

/** Add @p src into @p dst, reading @p src with relaxed loads. */
void sk_hist_accumulate(struct sk_hist *dst, const struct sk_hist *src);

/** The value at quantile @p q (0..1): the upper bound of the bucket that
 * holds it, capped at the maximum seen; 0 when empty. */
uint32_t sk_hist_quantile(const struct sk_hist *h, double q);

#endif /* SK_HIST_H */

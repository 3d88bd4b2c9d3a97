/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <rte_common.h>

#include "sk_hist.h"

#define STORE(p, v) __atomic_store_n(p, v, __ATOMIC_RELAXED)
#define LOAD(p) __atomic_load_n(p, __ATOMIC_RELAXED)

void
sk_hist_bounds(unsigned int i, uint32_t *lo, uint32_t *hi)
{
	uint64_t shift, mant;

	if (i < 2 * SK_HIST_SUB) {
		*lo = *hi = i;
		return;
	}
	shift = i / SK_HIST_SUB - 1;
	mant = SK_HIST_SUB + i % SK_HIST_SUB;
	*lo = (uint32_t)(mant << shift);
	*hi = (uint32_t)(((mant + 1) << shift) - 1);
}

void
sk_hist_add(struct sk_hist *h, uint32_t v)
{
	unsigned int i = sk_hist_bucket(v);

	if (h->count == 0 || v < h->min)
		STORE(&h->min, v);
	if (v > h->max)
		STORE(&h->max, v);
	STORE(&h->b[i], h->b[i] + 1);
	STORE(&h->sum, h->sum + v);
	STORE(&h->count, h->count + 1);
}

void
sk_hist_accumulate(struct sk_hist *dst, const struct sk_hist *src)
{
	uint64_t n = LOAD(&src->count);
	uint32_t mn = LOAD(&src->min), mx = LOAD(&src->max);

	if (n == 0)
		return;
	if (dst->count == 0 || mn < dst->min)
		dst->min = mn;
	if (mx > dst->max)
		dst->max = mx;
	dst->count += n;
	dst->sum += LOAD(&src->sum);
	for (unsigned int i = 0; i < SK_HIST_BUCKETS; i++)
		dst->b[i] += LOAD(&src->b[i]);
}

uint32_t
sk_hist_quantile(const struct sk_hist *h, double q)
{
	uint64_t total = 0, rank, seen = 0;
	uint32_t lo, hi;

	for (unsigned int i = 0; i < SK_HIST_BUCKETS; i++)
		total += h->b[i];
	if (total == 0)
		return 0;
	/* the smallest value with at least q of the samples at or below */
	rank = (uint64_t)(q * (double)total + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > total)
		rank = total;
	for (unsigned int i = 0; i < SK_HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank) {
			sk_hist_bounds(i, &lo, &hi);
			return RTE_MIN(hi, h->max);
		}
	}
	return h->max;
}

/* SPDX-License-Identifier: BSD-3-Clause */
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "sk_stats.h"

const char *const sk_stats_names[] = {
#define SK_STATS_NAME(n, h) #n,
	SK_FOREACH_COUNTER(SK_STATS_NAME)
#undef SK_STATS_NAME
};

const char *const sk_stats_help[] = {
#define SK_STATS_HELP(n, h) h,
	SK_FOREACH_COUNTER(SK_STATS_HELP)
#undef SK_STATS_HELP
};

static_assert(RTE_DIM(sk_stats_names) == SK_STATS_N,
	"a name for every counter");

void
sk_stats_accumulate(struct sk_stats *dst, const struct sk_stats *src)
{
	const uint64_t *s = (const uint64_t *)src;
	uint64_t *d = (uint64_t *)dst;

	for (size_t i = 0; i < SK_STATS_N + SK_ST_MAX; i++)
		d[i] += __atomic_load_n(&s[i], __ATOMIC_RELAXED);
}

void
sk_stats_print(const struct sk_stats *s, FILE *f)
{
	const uint64_t *v = (const uint64_t *)s;

	for (size_t i = 0; i < SK_STATS_N; i++)
		if (v[i] != 0)
			fprintf(f, "%-24s %" PRIu64 "\n", sk_stats_names[i], v[i]);
	for (unsigned int i = 1; i < SK_ST_MAX; i++)
		if (s->flows[i] != 0)
			fprintf(f, "flows[%s]%*s %" PRIu64 "\n", sk_state_name(i),
				(int)(16 - strlen(sk_state_name(i))), "",
				s->flows[i]);
}

void
sk_stats_json(const struct sk_stats *s, FILE *f, const char *extra)
{
	const uint64_t *v = (const uint64_t *)s;
	uint64_t total = 0;

	fprintf(f, "{\"counters\": {");
	for (size_t i = 0; i < SK_STATS_N; i++)
		fprintf(f, "%s\"%s\": %" PRIu64, i ? ", " : "",
			sk_stats_names[i], v[i]);
	fprintf(f, "}, \"flows\": {");
	for (unsigned int i = 1; i < SK_ST_MAX; i++) {
		fprintf(f, "%s\"%s\": %" PRIu64, i > 1 ? ", " : "",
			sk_state_name(i), s->flows[i]);
		total += s->flows[i];
	}
	fprintf(f, "}, \"flow_count\": %" PRIu64 "%s%s}\n", total,
		extra ? ", " : "", extra ? extra : "");
}

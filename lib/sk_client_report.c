/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include "sk_client_report.h"
#include "sk_config.h"
#include "sk_stats.h"

#define LOAD(p) __atomic_load_n(p, __ATOMIC_RELAXED)

const double sk_client_report_q[SK_CLIENT_REPORT_NQ] = {
	0.5, 0.9, 0.99, 0.999,
};
const char *const sk_client_report_qname[SK_CLIENT_REPORT_NQ] = {
	"p50", "p90", "p99", "p99_9",
};

void
sk_client_report_init(struct sk_client_report *r)
{
	memset(r, 0, sizeof(*r));
}

/* What ends a connection: read before what starts it (see the header). */
static void
load_ends(struct sk_client_report *r, const struct sk_stats *s)
{
	r->completed = LOAD(&s->client_completed);
	r->fail_timeout = LOAD(&s->client_fail_timeout);
	r->fail_rst = LOAD(&s->client_fail_rst);
	r->fail_bad_synack = LOAD(&s->client_fail_bad_synack);
	r->fail_response = LOAD(&s->client_fail_response);
	r->fail_closed = LOAD(&s->client_fail_closed);
	r->failed = r->fail_timeout + r->fail_rst + r->fail_bad_synack +
		r->fail_response + r->fail_closed;
	/* keep the groups in this order (on x86 no instruction, only the
	 * compiler is held; nothing is written) */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	r->established = LOAD(&s->client_established);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
}

static void
load_starts(struct sk_client_report *r, const struct sk_stats *s)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	r->attempted = LOAD(&s->client_syn_sent);
	r->syn_retx = LOAD(&s->client_syn_retx);
	r->no_tuple = LOAD(&s->client_no_tuple);
}

int
sk_client_report_add(struct sk_client_report *r, const struct sk_engine *e)
{
	const struct sk_stats *s = sk_engine_stats(e);
	struct sk_client_report one;
	struct sk_client_info ci;

	if (!sk_config_is_client(sk_engine_config(e)))
		return -ENOTSUP;
	memset(&one, 0, sizeof(one));
	load_ends(&one, s);
	if (sk_engine_client_info(e, &ci) != 0)
		return -ENOTSUP;
	load_starts(&one, s);
	if (ci.finished) {
		/* read with acquire: the counters are final, read them again
		 * so that a finished run's figures are exact */
		load_ends(&one, s);
		load_starts(&one, s);
	}
	one.engines = 1;
	one.concurrent = ci.active;
	one.started = ci.started;
	one.opening_over = ci.opening_over;
	one.finished = ci.finished;
	one.error = ci.error;
	one.start = ci.start;
	one.end = ci.end;
	one.stop = ci.stop;
	one.ramp = ci.ramp;
	one.rate_cps = ci.rate_cps;
	one.best_cps = ci.best_cps;
	one.ramp_steps = ci.ramp_steps;
	one.ramp_backoffs = ci.ramp_backoffs;
	one.latency_us = ci.latency_us;
	sk_client_report_merge(r, &one);
	return 0;
}

void
sk_client_report_merge(struct sk_client_report *dst,
		const struct sk_client_report *src)
{
	bool first = dst->engines == 0;

	if (src->engines == 0)
		return;
	dst->attempted += src->attempted;
	dst->established += src->established;
	dst->completed += src->completed;
	dst->failed += src->failed;
	dst->fail_timeout += src->fail_timeout;
	dst->fail_rst += src->fail_rst;
	dst->fail_bad_synack += src->fail_bad_synack;
	dst->fail_response += src->fail_response;
	dst->fail_closed += src->fail_closed;
	dst->syn_retx += src->syn_retx;
	dst->no_tuple += src->no_tuple;
	dst->concurrent += src->concurrent;
	if (src->started) {
		if (!dst->started || src->start < dst->start)
			dst->start = src->start;
		dst->started = true;
	}
	dst->opening_over = (first || dst->opening_over) && src->opening_over;
	dst->finished = (first || dst->finished) && src->finished;
	if (src->opening_over && src->end > dst->end)
		dst->end = src->end;
	if (src->finished && src->stop > dst->stop)
		dst->stop = src->stop;
	if (dst->error == NULL)
		dst->error = src->error;
	dst->ramp |= src->ramp;
	dst->rate_cps += src->rate_cps;
	dst->best_cps += src->best_cps;
	if (src->ramp_steps > dst->ramp_steps)
		dst->ramp_steps = src->ramp_steps;
	dst->ramp_backoffs += src->ramp_backoffs;
	sk_hist_accumulate(&dst->latency_us, &src->latency_us);
	dst->engines += src->engines;
}

void
sk_client_report_finish(struct sk_client_report *r, uint64_t now,
		uint64_t hz)
{
	const struct sk_hist *h = &r->latency_us;

	r->open_s = r->run_s = r->cps = r->mean_us = 0;
	if (r->started && hz > 0) {
		uint64_t end = r->opening_over ? r->end : now;
		uint64_t stop = r->finished ? r->stop : now;

		/* another thread's clock may lag the first SYN a little */
		if (end > r->start)
			r->open_s = (double)(end - r->start) / (double)hz;
		if (stop > r->start)
			r->run_s = (double)(stop - r->start) / (double)hz;
	}
	if (r->open_s > 0)
		r->cps = (double)r->established / r->open_s;
	r->min_us = h->count ? h->min : 0;
	if (h->count)
		r->mean_us = (double)h->sum / (double)h->count;
	for (unsigned int i = 0; i < SK_CLIENT_REPORT_NQ; i++)
		r->q_us[i] = sk_hist_quantile(h, sk_client_report_q[i]);
	if (r->error != NULL)
		r->state = SK_CLIENT_FAILED;
	else if (r->finished)
		r->state = SK_CLIENT_FINISHED;
	else if (r->opening_over)
		r->state = SK_CLIENT_DRAINING;
	else if (r->started)
		r->state = SK_CLIENT_OPENING;
	else
		r->state = SK_CLIENT_RESOLVING;
}

const char *
sk_client_state_name(enum sk_client_state s)
{
	switch (s) {
	case SK_CLIENT_RESOLVING: return "resolving";
	case SK_CLIENT_OPENING: return "opening";
	case SK_CLIENT_DRAINING: return "draining";
	case SK_CLIENT_FINISHED: return "finished";
	case SK_CLIENT_FAILED: return "failed";
	}
	return "?";
}

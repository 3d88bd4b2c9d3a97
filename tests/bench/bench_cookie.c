/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cost of SYN cookies, not a test: ns (and, where the kernel lets us count
 * them, instructions) per cookie made and per cookie checked, one at a time
 * (sk_cookie_make/check) and in bursts (sk_cookie_*_burst) with each
 * multi-lane SipHash implementation this CPU has. No EAL, no packets: only
 * the cookie functions run, over 4096 distinct pre-built tuples.
 *
 *   bench_cookie [-i IMPL] [-b BURST] [-r ROUNDS] [-o OP]
 *
 * IMPL: scalar, avx2x4, avx512x8 (default: each the CPU has); BURST: 1 to
 * SK_COOKIE_BURST_MAX (default: 32 and 64); ROUNDS: passes over the 4096
 * tuples per timed repetition (default 4). Each row is timed REPS (31)
 * times and the fastest repetition is reported, so that other processes
 * on a shared machine inflate the numbers less; the whole run takes about
 * a second.
 *
 * Rows: "make", "check" (valid cookies, current key), "check_prev" (valid
 * cookies of the previous key during its grace period: every lane fails
 * with the current key first, the worst case), "check_forged" (random
 * cookies during the grace period: both keys tried, all refused). The
 * "single" rows call the one-cookie functions in a loop; they do not depend
 * on IMPL. -o OP measures only that row (make, check, check_prev,
 * check_forged).
 *
 * For callgrind: the bench_run_* functions are never inlined, so
 * --toggle-collect=bench_run_make_burst (say) with -o make counts one row;
 * each row runs 1 + 31 * ROUNDS passes of 4096 cookies (4096 / BURST
 * whole bursts).
 * Valgrind does not run AVX-512 code and hides it from CPUID, so under it
 * only scalar and avx2x4 can be measured.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include <rte_common.h>

#include "sk_cookie.h"
#include "sk_siphash.h"

#define FLOWS 4096
#define T0 UINT32_C(1700000000)
#define ROTATE_S 3600
#define REPS 31

static struct sk_cookie_tuple tup[FLOWS];
static uint32_t cisn[FLOWS], isn[FLOWS], isn_prev[FLOWS], forged[FLOWS];
static uint32_t out_isn[FLOWS], out_off[FLOWS];
static uint8_t mss[FLOWS], out_res[FLOWS], out_idx[FLOWS];
static volatile uint32_t sink;

/* contexts: ck for make/check at now_s; ck is inside the grace period of
 * the previous epoch, whose cookies isn_prev are */
static struct sk_cookie_ctx ck;
static uint32_t now_s;

static int perf_fd = -1;

static void
perf_open(void)
{
	struct perf_event_attr pa;

	memset(&pa, 0, sizeof(pa));
	pa.type = PERF_TYPE_HARDWARE;
	pa.size = sizeof(pa);
	pa.config = PERF_COUNT_HW_INSTRUCTIONS;
	pa.disabled = 1;
	pa.exclude_kernel = 1;
	pa.exclude_hv = 1;
	perf_fd = (int)syscall(SYS_perf_event_open, &pa, 0, -1, -1, 0);
}

static void
perf_start(void)
{
	if (perf_fd >= 0) {
		ioctl(perf_fd, PERF_EVENT_IOC_RESET, 0);
		ioctl(perf_fd, PERF_EVENT_IOC_ENABLE, 0);
	}
}

/* instructions since perf_start(), or -1 */
static int64_t
perf_stop(void)
{
	uint64_t n;

	if (perf_fd < 0)
		return -1;
	ioctl(perf_fd, PERF_EVENT_IOC_DISABLE, 0);
	if (read(perf_fd, &n, sizeof(n)) != sizeof(n))
		return -1;
	return (int64_t)n;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

enum row { ROW_MAKE, ROW_CHECK, ROW_CHECK_PREV, ROW_CHECK_FORGED, ROW_N };

static const char *const row_names[ROW_N] = {
	"make", "check", "check_prev", "check_forged",
};

static const uint32_t *
row_cookies(enum row r)
{
	return r == ROW_CHECK ? isn : r == ROW_CHECK_PREV ? isn_prev : forged;
}

__attribute__((noinline)) void bench_run_make_single(unsigned int rounds);
__attribute__((noinline)) void
bench_run_make_single(unsigned int rounds)
{
	uint32_t x = 0;

	for (unsigned int r = 0; r < rounds; r++)
		for (unsigned int i = 0; i < FLOWS; i++)
			x ^= sk_cookie_make(&ck, &tup[i], cisn[i], mss[i],
					now_s, &out_off[i]);
	sink = x;
}

__attribute__((noinline)) void bench_run_check_single(unsigned int rounds,
		const uint32_t *cookies);
__attribute__((noinline)) void
bench_run_check_single(unsigned int rounds, const uint32_t *cookies)
{
	uint32_t x = 0;

	for (unsigned int r = 0; r < rounds; r++) {
		for (unsigned int i = 0; i < FLOWS; i++) {
			unsigned int idx = 0;
			uint32_t off = 0;

			x += sk_cookie_check(&ck, &tup[i], cisn[i], cookies[i],
					now_s, &idx, &off);
			x ^= off + idx;
		}
	}
	sink = x;
}

__attribute__((noinline)) void bench_run_make_burst(unsigned int rounds,
		unsigned int burst);
__attribute__((noinline)) void
bench_run_make_burst(unsigned int rounds, unsigned int burst)
{
	for (unsigned int r = 0; r < rounds; r++)
		for (unsigned int i = 0; i + burst <= FLOWS; i += burst)
			sk_cookie_make_burst(&ck, &tup[i], &cisn[i], &mss[i],
					burst, now_s, &out_isn[i],
					&out_off[i]);
	sink = out_isn[FLOWS - 1];
}

__attribute__((noinline)) void bench_run_check_burst(unsigned int rounds,
		unsigned int burst, const uint32_t *cookies);
__attribute__((noinline)) void
bench_run_check_burst(unsigned int rounds, unsigned int burst,
		const uint32_t *cookies)
{
	for (unsigned int r = 0; r < rounds; r++)
		for (unsigned int i = 0; i + burst <= FLOWS; i += burst)
			sk_cookie_check_burst(&ck, &tup[i], &cisn[i],
					&cookies[i], burst, now_s,
					&out_res[i], &out_idx[i],
					&out_off[i]);
	sink = out_res[0];
}

/* cookies handled per pass: whole bursts only */
static unsigned int
per_pass(unsigned int burst)
{
	return FLOWS / burst * burst;
}

static void
report(const char *impl, unsigned int burst, enum row r, uint64_t ns,
		int64_t insns, uint64_t cookies)
{
	printf("%-9s %5u  %-13s %8.2f", impl, burst, row_names[r],
		(double)ns / (double)cookies);
	if (insns >= 0)
		printf(" %9.1f", (double)insns / (double)cookies);
	else
		printf(" %9s", "n/a");
	printf("\n");
}

static void
run(unsigned int burst, enum row r, unsigned int rounds)
{
	if (burst == 0) {
		if (r == ROW_MAKE)
			bench_run_make_single(rounds);
		else
			bench_run_check_single(rounds, row_cookies(r));
	} else {
		if (r == ROW_MAKE)
			bench_run_make_burst(rounds, burst);
		else
			bench_run_check_burst(rounds, burst, row_cookies(r));
	}
}

static void
measure(const char *impl, unsigned int burst, enum row r,
		unsigned int rounds)
{
	uint64_t best = UINT64_MAX, cookies;
	int64_t insns = -1;

	/* one untimed pass: caches, branch predictors, AVX-512 warm-up */
	run(burst, r, 1);
	for (unsigned int k = 0; k < REPS; k++) {
		uint64_t t = now_ns();
		int64_t n;

		perf_start();
		run(burst, r, rounds);
		n = perf_stop();
		t = now_ns() - t;
		if (t < best) {
			best = t;
			insns = n;
		}
	}
	cookies = (uint64_t)rounds * (burst ? per_pass(burst) : FLOWS);
	report(impl, burst, r, best, insns, cookies);
}

/* Flows, their cookies from the current and the previous epoch, and
 * forged cookies; the burst results are checked once against these. */
static int
setup(void)
{
	uint32_t b = (T0 / ROTATE_S + 1) * ROTATE_S;   /* epoch boundary */
	struct sk_cookie_ctx old;
	uint64_t x = UINT64_C(0x243f6a8885a308d3);
	uint32_t off;
	int ret;

	now_s = b + 30;
	ret = sk_cookie_init(&ck, (const uint8_t *)"bench_cookie key",
			ROTATE_S, 2 * SK_COOKIE_TICK_S, now_s);
	ret |= sk_cookie_init(&old, (const uint8_t *)"bench_cookie key",
			ROTATE_S, 2 * SK_COOKIE_TICK_S, b - 1);
	if (ret != 0 || !ck.have_prev)
		return -1;
	for (unsigned int i = 0; i < FLOWS; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		tup[i].saddr = (uint32_t)x;
		tup[i].daddr = (uint32_t)(x >> 32);
		tup[i].sport = (uint16_t)(x >> 7);
		tup[i].dport = (uint16_t)(x >> 23);
		cisn[i] = (uint32_t)(x >> 17);
		mss[i] = (uint8_t)(i & 3);
		forged[i] = (uint32_t)(x >> 29);
		isn[i] = sk_cookie_make(&ck, &tup[i], cisn[i], mss[i], now_s,
				&off);
		isn_prev[i] = sk_cookie_make(&old, &tup[i], cisn[i], mss[i],
				b - 1, &off);
	}
	return 0;
}

/* A wrong answer would make every number meaningless: check once. */
static int
verify(const char *impl)
{
	static const uint8_t want[ROW_N] = {
		0, SK_COOKIE_OK, SK_COOKIE_OK, SK_COOKIE_BAD_MAC,
	};
	unsigned int bad = 0;

	sk_cookie_make_burst(&ck, tup, cisn, mss, FLOWS, now_s, out_isn,
			out_off);
	for (unsigned int i = 0; i < FLOWS; i++)
		bad += out_isn[i] != isn[i];
	for (unsigned int r = ROW_CHECK; r < ROW_N; r++) {
		sk_cookie_check_burst(&ck, tup, cisn, row_cookies(r), FLOWS,
				now_s, out_res, out_idx, out_off);
		for (unsigned int i = 0; i < FLOWS; i++)
			bad += out_res[i] != want[r] &&
				!(r == ROW_CHECK_FORGED &&
				  out_res[i] == SK_COOKIE_TOO_OLD);
	}
	if (bad)
		fprintf(stderr, "bench_cookie: %s gives %u wrong results\n",
			impl, bad);
	return bad ? -1 : 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench_cookie [-i scalar|avx2x4|avx512x8] "
		"[-b BURST (1-%d)] [-r ROUNDS] "
		"[-o make|check|check_prev|check_forged]\n",
		SK_COOKIE_BURST_MAX);
	exit(2);
}

int
main(int argc, char **argv)
{
	static const unsigned int def_bursts[] = { 32, 64 };
	unsigned int bursts[2], n_bursts = 2, rounds = 4;
	int only = -1, only_row = -1, opt;

	memcpy(bursts, def_bursts, sizeof(bursts));
	while ((opt = getopt(argc, argv, "i:b:r:o:")) != -1) {
		char *end;
		unsigned long v;

		switch (opt) {
		case 'i':
			only = sk_siphash_impl_parse(optarg);
			if (only <= SK_SIPHASH_IMPL_AUTO)
				usage();
			if (!sk_siphash_impl_supported(only)) {
				fprintf(stderr, "bench_cookie: this CPU lacks "
					"%s\n", optarg);
				return 1;
			}
			break;
		case 'o':
			for (unsigned int r = 0; r < ROW_N; r++)
				if (strcmp(optarg, row_names[r]) == 0)
					only_row = (int)r;
			if (only_row < 0)
				usage();
			break;
		case 'b':
		case 'r':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || v == 0 || v > 1000000 ||
					(opt == 'b' && v > SK_COOKIE_BURST_MAX))
				usage();
			if (opt == 'b') {
				bursts[0] = (unsigned int)v;
				n_bursts = 1;
			} else {
				rounds = (unsigned int)v;
			}
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (setup() != 0) {
		fprintf(stderr, "bench_cookie: cookie context set-up failed\n");
		return 1;
	}
	perf_open();

	printf("# %u flows x %u rounds, best of %u; ns and instructions per "
		"cookie%s\n", FLOWS, rounds, REPS, perf_fd < 0 ?
		" (instructions: perf_event_open unavailable)" : "");
	printf("%-9s %5s  %-13s %8s %9s\n", "impl", "burst", "op", "ns",
		"insns");
	for (unsigned int r = 0; r < ROW_N; r++)
		if (only_row < 0 || (int)r == only_row)
			measure("single", 0, r, rounds);
	for (int impl = SK_SIPHASH_IMPL_SCALAR; impl < SK_SIPHASH_IMPL_N;
			impl++) {
		const char *name = sk_siphash_impl_name(impl);

		if (only >= 0 && impl != only)
			continue;
		if (!sk_siphash_impl_supported(impl)) {
			printf("# %s: not supported by this CPU, skipped\n",
				name);
			continue;
		}
		sk_siphash_impl_set(impl);
		if (verify(name) != 0)
			return 1;
		for (unsigned int j = 0; j < n_bursts; j++)
			for (unsigned int r = 0; r < ROW_N; r++)
				if (only_row < 0 || (int)r == only_row)
					measure(name, bursts[j], r, rounds);
	}
	return 0;
}

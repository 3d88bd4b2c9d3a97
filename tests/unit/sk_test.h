/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SK_TEST_H
#define SK_TEST_H

/*
 * Minimal TAP producer for unit tests: meson runs each test binary with
 * protocol 'tap' and counts every CHECK as a test point, so a failing
 * assertion is named in the summary.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned int sk_test_n, sk_test_failed;

#define CHECK(cond, ...) do { \
	sk_test_n++; \
	if (cond) { \
		printf("ok %u - ", sk_test_n); \
	} else { \
		sk_test_failed++; \
		printf("not ok %u - %s:%d: (%s) ", sk_test_n, __FILE__, \
			__LINE__, #cond); \
	} \
	printf(__VA_ARGS__); \
	printf("\n"); \
} while (0)

#define CHECK_EQ(a, b, ...) do { \
	unsigned long long _a = (unsigned long long)(a); \
	unsigned long long _b = (unsigned long long)(b); \
	if (_a != _b) \
		printf("# %s = %llu (0x%llx), expected %s = %llu (0x%llx)\n", \
			#a, _a, _a, #b, _b, _b); \
	CHECK(_a == _b, __VA_ARGS__); \
} while (0)

/* Print the plan and return the exit status. */
static inline int
sk_test_done(void)
{
	printf("1..%u\n", sk_test_n);
	if (sk_test_failed)
		printf("# %u of %u checks failed\n", sk_test_failed, sk_test_n);
	return sk_test_failed ? 1 : 0;
}

#endif /* SK_TEST_H */

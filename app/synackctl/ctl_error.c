/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synackctl's error line, apart from main.c so that the fuzz harness
 * (tests/fuzz/fuzz_ctl.c) links the same code.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "ctl.h"

bool ctl_error_quiet;
static char last_error[512];

int
ctl_error(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	if (!ctl_error_quiet) {
		fflush(stdout);
		fprintf(stderr, "synackctl: error: %s\n", last_error);
	}
	return code;
}

const char *
ctl_last_error(void)
{
	return last_error;
}

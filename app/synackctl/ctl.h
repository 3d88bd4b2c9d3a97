/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CTL_H
#define CTL_H

/*
 * synackctl: shared definitions. Every failure prints one line,
 * "synackctl: error: ...", on stderr and exits with one of these codes
 * (synackctl --help and docs/synackctl.md list them).
 */

#include <stdbool.h>
#include <stdint.h>

enum ctl_exit {
	CTL_OK = 0,
	CTL_ERR = 1,          /* anything else: a rejected request, output */
	CTL_USAGE = 2,        /* bad command line */
	CTL_NO_ENGINE = 3,    /* no telemetry socket for the prefix */
	CTL_NOT_SYNACK = 4,   /* a DPDK process, but not synackd */
	CTL_PERM = 5,         /* permission denied on the socket */
	CTL_GONE = 6,         /* the engine closed the connection or is stopping */
	CTL_TIMEOUT = 7,      /* no answer within the timeout */
	CTL_PROTO = 8,        /* a reply that is not telemetry JSON */
	CTL_UNAVAILABLE = 9,  /* the engine does not run what was asked for
	                       * (client: no client role) */
};

struct ctl_opts {
	bool json;          /* --json: the reply as JSON */
	bool all;           /* --all: zero counters too */
	bool verbose;       /* --verbose: what each counter counts */
	uint64_t list;      /* flows --list N, 0 = the summary */
	double interval_s;  /* watch -i */
	uint64_t count;     /* watch -n, 0 = until interrupted */
	bool lcores;        /* watch --lcores: a column per worker lcore */
	const char *prefix; /* for messages */
	const char *listen; /* exporter --listen ADDR:PORT */
};

/* Print "synackctl: error: <message>" on stderr (unless ctl_error_quiet)
 * and keep <message> for ctl_last_error(); returns @p code. */
int ctl_error(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The message of the last ctl_error, "" before any. */
const char *ctl_last_error(void);
/* Set by the exporter: a failed read of synackd is a scrape's answer. */
extern bool ctl_error_quiet;

#endif /* CTL_H */

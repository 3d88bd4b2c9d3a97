/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CTL_TEL_H
#define CTL_TEL_H

/*
 * A DPDK telemetry (v2) client: a SOCK_SEQPACKET Unix socket at
 * <runtime dir>/dpdk_telemetry.v2. The server first sends a hello object
 * ({"version", "pid", "max_output_len"}); then each message sent is one
 * command ("/synack/stats" or "/synack/flows/list,10") and each message
 * received one reply, {"<command>": <value>}, with null for an unknown
 * command or a request the handler refused.
 *
 * Every operation is bounded by the timeout; every failure prints one line
 * (ctl_error) and returns an exit code of ctl.h.
 */

#include <stddef.h>
#include <stdint.h>

#include "ctl_json.h"

#define CTL_PREFIX_DEFAULT "rte"

struct ctl_tel {
	int fd;
	int timeout_ms;
	char prefix[256];
	char path[108];        /* sizeof(sun_path) */
	char *buf;             /* one reply */
	size_t buflen;
	uint64_t pid;          /* from the hello */
	char dpdk_version[64];
	int synack;            /* -1 unknown, 0 no /synack/ commands, 1 yes */
};

/* The runtime directory DPDK uses for @p prefix, by EAL's rules: /var/run
 * for root, else $XDG_RUNTIME_DIR or /tmp; then dpdk/<prefix>. */
void ctl_runtime_dir(const char *prefix, char *out, size_t len);

/* Connect to the engine with file prefix @p prefix (or to @p socket_path
 * when not NULL) and read the hello. Returns CTL_OK or an exit code. */
int ctl_tel_open(struct ctl_tel *t, const char *prefix,
		const char *socket_path, int timeout_ms);
void ctl_tel_close(struct ctl_tel *t);

/* Send @p cmd and return its reply's value in *out (the caller frees it).
 * A null value is turned into an error that says why: not synackd, the
 * engine stopping, or a request it refused. Returns CTL_OK or a code. */
int ctl_tel_get(struct ctl_tel *t, const char *cmd, json_t **out);

/* The same for a command an older engine may lack: when it answers null
 * and does not list @p cmd among its commands, returns CTL_OK with *out
 * NULL (and prints nothing). */
int ctl_tel_get_opt(struct ctl_tel *t, const char *cmd, json_t **out);

/* Print the file prefixes that have a telemetry socket; returns CTL_OK. */
int ctl_list_prefixes(void);

#endif /* CTL_TEL_H */

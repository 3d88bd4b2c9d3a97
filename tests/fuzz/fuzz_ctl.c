/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for synackctl's reading of telemetry replies: the
 * input is split at NUL bytes into up to 8 replies, queued on one end of
 * a SOCK_SEQPACKET socket pair as a DPDK telemetry server would send them,
 * and one of synackctl's commands (picked by the first byte's low four
 * bits; its high bits are --json, --all, --verbose) runs on the
 * other end through ctl_tel.c, jansson (ctl_json.c) and ctl_show.c's views,
 * Prometheus text included. After the last reply the server end stops
 * writing, so a command that asks for more sees the engine close the
 * connection, as when synackd stops: every path ends at once.
 *
 * What it looks for: crashes and sanitizer reports on any reply, whatever
 * its shape (wrong types, missing members, huge numbers, bad UTF-8).
 * Output goes to /dev/null and error lines are kept quiet, unless
 * FUZZ_CTL_SHOW is set (to see what an input does: fuzz_ctl FILE).
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctl.h"
#include "ctl_show.h"
#include "ctl_tel.h"

#define MAX_REPLIES 8

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (getenv("FUZZ_CTL_SHOW") != NULL)
		return 0;
	if (freopen("/dev/null", "w", stdout) == NULL)
		abort();
	ctl_error_quiet = true;
	return 0;
}

static int
run(struct ctl_tel *t, uint8_t which)
{
	struct ctl_opts o = { .interval_s = 1.0, .prefix = "fuzz" };
	char *text;
	size_t len;
	int ret;

	o.json = which & 0x10;
	o.all = which & 0x20;
	o.verbose = which & 0x40;
	switch ((which & 0x0f) % 12) {
	case 0:
		return ctl_show_stats(t, &o);
	case 1:
		return ctl_show_lcores(t, &o);
	case 2:
		return ctl_show_ports(t, &o);
	case 3:
		return ctl_show_flows(t, &o);
	case 4:
		o.list = 1 + (which >> 4);
		return ctl_show_flows(t, &o);
	case 5:
		return ctl_show_cookies(t, &o);
	case 6:
		return ctl_show_config(t, &o);
	case 7:
		return ctl_show_version(t, &o);
	case 8:
		return ctl_show_client(t, &o);
	case 9:
		return ctl_show_raw(t, &o, "/synack/stats");
	case 10:
		return ctl_show_proxy(t, &o);
	default:
		ret = ctl_prom_text(t, &text, &len);
		if (ret == CTL_OK)
			fwrite(text, 1, len, stdout);
		free(text);
		return ret;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_tel t;
	int sv[2];
	size_t off = 1, n = 0;

	if (size < 1)
		return 0;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		abort();
	while (off <= size && n < MAX_REPLIES) {
		const uint8_t *end = memchr(data + off, '\0', size - off);
		size_t len = end != NULL ? (size_t)(end - (data + off)) :
			size - off;

		/* an empty message reads as the engine closing: fine too */
		if (send(sv[1], data + off, len, MSG_NOSIGNAL) < 0)
			break;
		off += len + 1;
		n++;
	}
	/* No more replies; the commands synackctl sends still go in. */
	shutdown(sv[1], SHUT_WR);

	memset(&t, 0, sizeof(t));
	t.fd = sv[0];
	t.timeout_ms = 1000;  /* never reached: replies are queued or EOF */
	t.synack = -1;
	t.pid = 1;
	snprintf(t.prefix, sizeof(t.prefix), "fuzz");
	snprintf(t.path, sizeof(t.path), "fuzz");
	t.buflen = 65536 + 1;
	t.buf = malloc(t.buflen);
	if (t.buf == NULL)
		abort();
	run(&t, data[0]);
	ctl_tel_close(&t);  /* closes sv[0], frees buf */
	close(sv[1]);
	return 0;
}

/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CTL_EXPORTER_H
#define CTL_EXPORTER_H

/*
 * synackctl exporter: serve the prometheus command's text at
 * http://LISTEN/metrics (libmicrohttpd), reading synackd's telemetry on
 * every scrape; 503 and a one-line reason when it cannot be read. Runs
 * until SIGINT or SIGTERM; returns an exit code of ctl.h.
 */

int ctl_exporter(const char *prefix, const char *socket_path, int timeout_ms,
		const char *listen_spec);

#endif /* CTL_EXPORTER_H */

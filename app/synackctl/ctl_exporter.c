/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synackctl exporter: the prometheus command's text served over HTTP for
 * Prometheus to scrape, by libmicrohttpd. Each scrape of /metrics connects
 * to synackd's telemetry socket afresh and reads every figure then, so the
 * exporter outlives restarts of synackd and may start before it.
 *
 * When synackd cannot be read (not running, stopping, not synackd, too
 * slow), a scrape answers 503 Service Unavailable with the one-line reason
 * as its body: Prometheus then records up == 0 for the target, the usual
 * signal, and keeps no stale figures (Prometheus' "writing exporters"
 * guide: return a 5xx when the application cannot be reached at all).
 */

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "ctl.h"
#include "ctl_exporter.h"
#include "ctl_show.h"
#include "ctl_tel.h"

#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct exporter {
	const char *prefix;
	const char *socket_path;
	int timeout_ms;
	/* the last scrape's failure ("" after a good one): a change is
	 * logged, a repeat is not (Prometheus scrapes every few seconds) */
	char last[512];
	bool scraped;
};

static enum MHD_Result
respond(struct MHD_Connection *conn, unsigned int status, const char *type,
		char *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, body, mode);
	if (r == NULL) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
text_reply(struct MHD_Connection *conn, unsigned int status, const char *fmt,
		...) __attribute__((format(printf, 3, 4)));

static enum MHD_Result
text_reply(struct MHD_Connection *conn, unsigned int status, const char *fmt,
		...)
{
	char body[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	if (n < 0)
		return MHD_NO;
	if ((size_t)n >= sizeof(body))
		n = sizeof(body) - 1;
	return respond(conn, status, "text/plain; charset=utf-8", body,
		(size_t)n, MHD_RESPMEM_MUST_COPY);
}

/* One scrape: telemetry read now, or the reason it could not be. */
static enum MHD_Result
scrape(struct exporter *e, struct MHD_Connection *conn)
{
	struct ctl_tel t;
	char *text = NULL;
	size_t len = 0;
	int ret;

	ret = ctl_tel_open(&t, e->prefix, e->socket_path, e->timeout_ms);
	if (ret == CTL_OK)
		ret = ctl_prom_text(&t, &text, &len);
	ctl_tel_close(&t);
	if (ret != CTL_OK) {
		const char *why = ctl_last_error();

		if (strcmp(why, e->last) != 0)
			fprintf(stderr, "synackctl: exporter: scrapes answer 503: "
				"%s\n", why);
		snprintf(e->last, sizeof(e->last), "%s", why);
		return text_reply(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
			"synackd unavailable: %s\n", why);
	}
	if (e->last[0] != '\0' || !e->scraped)
		fprintf(stderr, "synackctl: exporter: scraping synackd (pid "
			"%llu)\n", (unsigned long long)t.pid);
	e->last[0] = '\0';
	e->scraped = true;
	return respond(conn, MHD_HTTP_OK, PROM_CONTENT_TYPE, text, len,
		MHD_RESPMEM_MUST_FREE);
}

/* libmicrohttpd's request handler. One internal thread calls it, one
 * request at a time: the exporter's state needs no lock. */
static enum MHD_Result
answer(void *cls, struct MHD_Connection *conn, const char *url,
		const char *method, const char *version, const char *upload_data,
		size_t *upload_data_size, void **req_cls)
{
	struct exporter *e = cls;

	(void)version;
	(void)upload_data;
	if (*req_cls == NULL) {
		/* the headers are in; answer on the next call, as MHD asks */
		*req_cls = e;
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		*upload_data_size = 0;  /* a body we do not read */
		return MHD_YES;
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
			strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return text_reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
			"only GET and HEAD\n");
	if (strcmp(url, "/metrics") == 0)
		return scrape(e, conn);
	if (strcmp(url, "/") == 0)
		return text_reply(conn, MHD_HTTP_OK, "synackctl exporter for "
			"synackd (file prefix '%s'): metrics at /metrics\n",
			e->prefix);
	return text_reply(conn, MHD_HTTP_NOT_FOUND, "no %s here: metrics are "
		"at /metrics\n", url);
}

/* "ADDR:PORT", "[V6ADDR]:PORT" or ":PORT" (every address) into a
 * listening socket. Port 0 takes a free one. */
static int
listen_on(const char *spec, int *fd_out, char *shown, size_t shown_len)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_PASSIVE | AI_NUMERICSERV,
	};
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[256], port[16], h[NI_MAXHOST], p[NI_MAXSERV];
	struct addrinfo *res;
	const char *colon = strrchr(spec, ':'), *given = spec;
	size_t hl;
	int fd, one = 1, r;

	if (colon == NULL || colon[1] == '\0' || strlen(colon + 1) >= sizeof(port) ||
			strspn(colon + 1, "0123456789") != strlen(colon + 1))
		return ctl_error(CTL_USAGE, "--listen: '%s' is not ADDR:PORT "
			"(e.g. 127.0.0.1:9469, [::1]:9469, :9469)", spec);
	hl = (size_t)(colon - spec);
	if (hl >= 2 && spec[0] == '[' && spec[hl - 1] == ']') {
		spec++;
		hl -= 2;
	}
	if (hl >= sizeof(host))
		return ctl_error(CTL_USAGE, "--listen: address too long");
	memcpy(host, spec, hl);
	host[hl] = '\0';
	snprintf(port, sizeof(port), "%s", colon + 1);
	if (strtoul(port, NULL, 10) > 65535)
		return ctl_error(CTL_USAGE, "--listen: port %s is over 65535", port);
	r = getaddrinfo(host[0] != '\0' ? host : NULL, port, &hints, &res);
	if (r != 0)
		return ctl_error(CTL_USAGE, "--listen: address '%s': %s", host,
			gai_strerror(r));
	fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC,
		res->ai_protocol);
	if (fd < 0) {
		freeaddrinfo(res);
		return ctl_error(CTL_ERR, "socket: %s", strerror(errno));
	}
	/* a restarted exporter rebinds while old connections linger */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, res->ai_addr, res->ai_addrlen) != 0 ||
			listen(fd, 64) != 0) {
		int err = errno;

		freeaddrinfo(res);
		close(fd);
		return ctl_error(CTL_ERR, "cannot listen on %s: %s%s", given,
			strerror(err),
			err == EADDRINUSE ? " (another exporter? pick another "
			"port with --listen)" : "");
	}
	freeaddrinfo(res);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0 &&
			getnameinfo((struct sockaddr *)&ss, sl, h, sizeof(h), p,
			sizeof(p), NI_NUMERICHOST | NI_NUMERICSERV) == 0)
		snprintf(shown, shown_len, ss.ss_family == AF_INET6 ? "[%s]:%s" :
			"%s:%s", h, p);
	else
		snprintf(shown, shown_len, "%s", given);
	*fd_out = fd;
	return CTL_OK;
}

int
ctl_exporter(const char *prefix, const char *socket_path, int timeout_ms,
		const char *listen_spec)
{
	struct exporter e = {
		.prefix = prefix,
		.socket_path = socket_path,
		.timeout_ms = timeout_ms,
	};
	struct MHD_Daemon *d;
	char shown[300];
	sigset_t stop;
	int fd = -1, sig = 0, ret;

	ret = listen_on(listen_spec, &fd, shown, sizeof(shown));
	if (ret != CTL_OK)
		return ret;
	/* From here on a failure to read synackd is a scrape's answer (and
	 * a line when it changes), not synackctl's error line. */
	ctl_error_quiet = true;
	{
		struct ctl_tel t;

		if (ctl_tel_open(&t, prefix, socket_path, timeout_ms) != CTL_OK) {
			fprintf(stderr, "synackctl: exporter: warning: %s; scrapes "
				"answer 503 until it can be read\n",
				ctl_last_error());
			snprintf(e.last, sizeof(e.last), "%s", ctl_last_error());
		}
		ctl_tel_close(&t);
	}
	/* Blocked before MHD's thread starts, so that it inherits the mask
	 * and the main thread alone takes them, in sigwait. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	d = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG,
		0, NULL, NULL, answer, &e,
		MHD_OPTION_LISTEN_SOCKET, fd,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)64,
		MHD_OPTION_END);
	if (d == NULL) {
		close(fd);
		ctl_error_quiet = false;
		return ctl_error(CTL_ERR, "libmicrohttpd could not start on %s",
			shown);
	}
	printf("synackctl: exporter: serving http://%s/metrics for file prefix "
		"'%s' (Ctrl-C stops)\n", shown, prefix);
	fflush(stdout);
	while (sigwait(&stop, &sig) != 0)
		;
	MHD_stop_daemon(d);  /* closes the listening socket too */
	fprintf(stderr, "synackctl: exporter: stopped (%s)\n",
		sig == SIGINT ? "SIGINT" : "SIGTERM");
	return CTL_OK;
}

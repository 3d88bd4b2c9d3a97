/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The telemetry socket client of synackctl. Plain libc: a non-blocking
 * SOCK_SEQPACKET socket, poll() for every wait, one deadline per operation.
 */

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "ctl_tel.h"

#define SOCKET_NAME "dpdk_telemetry.v2"
/* DPDK 22.11 replies are at most 16 KiB; room for a later, larger limit. */
#define REPLY_MIN 65536
/* The server reads a command into 1024 bytes, NUL included. */
#define CMD_MAX 1023

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static const char *
runtime_base(void)
{
	const char *xdg;

	if (getuid() == 0)
		return "/var/run";
	xdg = getenv("XDG_RUNTIME_DIR");
	return xdg != NULL && xdg[0] != '\0' ? xdg : "/tmp";
}

void
ctl_runtime_dir(const char *prefix, char *out, size_t len)
{
	snprintf(out, len, "%s/dpdk/%s", runtime_base(), prefix);
}

/* "(pid N, name)" or "(pid N)" for messages. */
static void
describe_pid(uint64_t pid, char *out, size_t len)
{
	char path[64], comm[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%llu/comm", (unsigned long long)pid);
	f = fopen(path, "r");
	if (f != NULL) {
		if (fgets(comm, sizeof(comm), f) != NULL)
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	if (comm[0] != '\0')
		snprintf(out, len, "pid %llu, %s", (unsigned long long)pid, comm);
	else
		snprintf(out, len, "pid %llu", (unsigned long long)pid);
}

static int
timeout_error(const struct ctl_tel *t, const char *what)
{
	return ctl_error(CTL_TIMEOUT, "timed out after %d.%d s %s (%s)",
		t->timeout_ms / 1000, t->timeout_ms % 1000 / 100, what,
		t->path);
}

static int
gone_error(const struct ctl_tel *t, const char *when)
{
	return ctl_error(CTL_GONE, "the engine closed the connection %s "
		"(synackd stopping? prefix '%s')", when, t->prefix);
}

/* Wait for @p events until @p deadline (ms). 1 ready, 0 timeout, -1 error. */
static int
wait_fd(int fd, short events, uint64_t deadline)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		uint64_t now = now_ms();
		int r;

		if (now >= deadline)
			return 0;
		r = poll(&p, 1, (int)(deadline - now));
		if (r > 0)
			return 1;
		if (r == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

/* One message into t->buf (NUL-terminated); *n its length. */
static int
recv_msg(struct ctl_tel *t, size_t *n, const char *when)
{
	uint64_t deadline = now_ms() + (uint64_t)t->timeout_ms;

	for (;;) {
		struct iovec iov = { .iov_base = t->buf, .iov_len = t->buflen - 1 };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t r;
		int w = wait_fd(t->fd, POLLIN, deadline);

		if (w == 0)
			return timeout_error(t, when);
		if (w < 0)
			return ctl_error(CTL_ERR, "poll: %s", strerror(errno));
		r = recvmsg(t->fd, &mh, 0);
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			if (errno == ECONNRESET || errno == EPIPE)
				return gone_error(t, when);
			return ctl_error(CTL_ERR, "reading %s: %s", t->path,
				strerror(errno));
		}
		if (r == 0)
			return gone_error(t, when);
		if (mh.msg_flags & MSG_TRUNC)
			return ctl_error(CTL_PROTO, "a reply larger than %zu bytes "
				"%s", t->buflen - 1, when);
		t->buf[r] = '\0';
		*n = (size_t)r;
		return CTL_OK;
	}
}

static int
send_msg(struct ctl_tel *t, const char *cmd)
{
	uint64_t deadline = now_ms() + (uint64_t)t->timeout_ms;
	size_t len = strlen(cmd);

	if (len > CMD_MAX)
		return ctl_error(CTL_USAGE, "command longer than %d bytes", CMD_MAX);
	for (;;) {
		int w = wait_fd(t->fd, POLLOUT, deadline);
		ssize_t r;

		if (w == 0)
			return timeout_error(t, "sending a command");
		if (w < 0)
			return ctl_error(CTL_ERR, "poll: %s", strerror(errno));
		r = send(t->fd, cmd, len, MSG_NOSIGNAL);
		if (r == (ssize_t)len)
			return CTL_OK;
		if (r >= 0)
			return ctl_error(CTL_PROTO, "short send to %s", t->path);
		if (errno == EINTR || errno == EAGAIN)
			continue;
		if (errno == EPIPE || errno == ECONNRESET)
			return gone_error(t, "before a command");
		return ctl_error(CTL_ERR, "writing %s: %s", t->path,
			strerror(errno));
	}
}

/* Send @p cmd, parse the reply {"cmd": value}, return value (maybe null). */
static int
request_raw(struct ctl_tel *t, const char *cmd, json_t **out)
{
	char err[128], when[96];
	json_t *r;
	size_t n;
	int ret;

	*out = NULL;
	ret = send_msg(t, cmd);
	if (ret != CTL_OK)
		return ret;
	snprintf(when, sizeof(when), "waiting for the reply to %.60s", cmd);
	ret = recv_msg(t, &n, when);
	if (ret != CTL_OK)
		return ret;
	r = cj_parse(t->buf, n, err, sizeof(err));
	if (r == NULL)
		return ctl_error(CTL_PROTO, "reply to %.60s is not JSON: %s", cmd,
			err);
	if (!json_is_object(r) || json_object_size(r) != 1) {
		json_decref(r);
		return ctl_error(CTL_PROTO, "reply to %.60s is not a telemetry "
			"reply", cmd);
	}
	*out = json_incref(json_object_iter_value(json_object_iter(r)));
	json_decref(r);
	return CTL_OK;
}

/* Does the process answer /synack/ commands? Sets t->synack. */
static int
probe_synack(struct ctl_tel *t)
{
	json_t *list;
	int ret;

	if (t->synack >= 0)
		return CTL_OK;
	ret = request_raw(t, "/", &list);
	if (ret != CTL_OK)
		return ret;
	t->synack = 0;
	for (size_t i = 0; i < json_array_size(list); i++) {
		const char *s = json_string_value(json_array_get(list, i));

		if (s != NULL && strcmp(s, "/synack/stats") == 0)
			t->synack = 1;
	}
	json_decref(list);
	return CTL_OK;
}

static int
not_synack(struct ctl_tel *t)
{
	char who[96];

	describe_pid(t->pid, who, sizeof(who));
	return ctl_error(CTL_NOT_SYNACK, "the DPDK process with file prefix "
		"'%s' (%s) is not synackd: it has no /synack/ telemetry commands",
		t->prefix, who);
}

/* Is @p cmd (parameters left out) in the engine's list of commands? */
static int
listed(struct ctl_tel *t, const char *cmd, bool *yes)
{
	size_t len = strcspn(cmd, ",");
	json_t *list;
	int ret;

	*yes = false;
	ret = request_raw(t, "/", &list);
	if (ret != CTL_OK)
		return ret;
	for (size_t i = 0; i < json_array_size(list); i++) {
		const char *s = json_string_value(json_array_get(list, i));

		if (s != NULL && strlen(s) == len && strncmp(s, cmd, len) == 0)
			*yes = true;
	}
	json_decref(list);
	return CTL_OK;
}

static int
get(struct ctl_tel *t, const char *cmd, json_t **out, bool optional)
{
	json_t *v, *ver;
	bool yes;
	int ret;

	*out = NULL;
	if (strncmp(cmd, "/synack/", 8) == 0 && t->synack == 0)
		return not_synack(t);
	ret = request_raw(t, cmd, &v);
	if (ret != CTL_OK)
		return ret;
	if (!json_is_null(v)) {
		*out = v;
		return CTL_OK;
	}
	json_decref(v);
	/* null: an unknown command, a refused parameter, or an engine that
	 * is shutting down. Find out which. */
	ret = probe_synack(t);
	if (ret != CTL_OK)
		return ret;
	if (!t->synack)
		return strncmp(cmd, "/synack/", 8) == 0 ? not_synack(t) :
			ctl_error(CTL_ERR, "the engine has no command %.60s", cmd);
	if (optional) {
		ret = listed(t, cmd, &yes);
		if (ret != CTL_OK || !yes)
			return ret;  /* not there: *out stays NULL */
	}
	ret = request_raw(t, "/synack/version", &ver);
	if (ret != CTL_OK)
		return ret;
	ret = json_is_null(ver) ?
		ctl_error(CTL_GONE, "the engine is stopping (prefix '%s')",
			t->prefix) :
		ctl_error(CTL_ERR, "the engine refused %.60s (unknown command "
			"or bad parameter)", cmd);
	json_decref(ver);
	return ret;
}

int
ctl_tel_get(struct ctl_tel *t, const char *cmd, json_t **out)
{
	return get(t, cmd, out, false);
}

int
ctl_tel_get_opt(struct ctl_tel *t, const char *cmd, json_t **out)
{
	return get(t, cmd, out, true);
}

static int
no_engine(const struct ctl_tel *t, const char *why)
{
	return ctl_error(CTL_NO_ENGINE, "no engine running with file prefix "
		"'%s' (%s)", t->prefix, why);
}

static bool
exists_or_denied(const char *path, int *err)
{
	struct stat st;

	if (stat(path, &st) == 0) {
		*err = 0;
		return true;
	}
	*err = errno;
	return errno == EACCES;
}

/* Pick the socket path by DPDK's rule. A non-root user whose own runtime
 * directory lacks the prefix is pointed at root's, /var/run/dpdk, where
 * engines started by root live: a permission problem there is reported as
 * one rather than as "no engine". */
static int
find_socket(struct ctl_tel *t, const char *socket_path)
{
	char dir[PATH_MAX], why[PATH_MAX + 128];
	int err;

	if (socket_path != NULL) {
		if (strlen(socket_path) >= sizeof(t->path))
			return ctl_error(CTL_USAGE, "socket path longer than %zu "
				"bytes", sizeof(t->path) - 1);
		snprintf(t->path, sizeof(t->path), "%s", socket_path);
		if (!exists_or_denied(t->path, &err)) {
			snprintf(why, sizeof(why), "no socket %s", t->path);
			return no_engine(t, why);
		}
		return CTL_OK;
	}
	if (strchr(t->prefix, '/') != NULL || t->prefix[0] == '\0' ||
			strcmp(t->prefix, ".") == 0 || strcmp(t->prefix, "..") == 0)
		return ctl_error(CTL_USAGE, "bad file prefix '%s'", t->prefix);
	ctl_runtime_dir(t->prefix, dir, sizeof(dir));
	if (getuid() != 0 && !exists_or_denied(dir, &err)) {
		char root[PATH_MAX];

		snprintf(root, sizeof(root), "/var/run/dpdk/%.*s", 256, t->prefix);
		if (exists_or_denied(root, &err)) {
			if (err == EACCES)
				return ctl_error(CTL_PERM, "permission denied "
					"looking for %s, and no directory %s (an "
					"engine started by root is visible to root "
					"only)", root, dir);
			snprintf(dir, sizeof(dir), "%s", root);
		}
	}
	if ((size_t)snprintf(t->path, sizeof(t->path), "%s/%s", dir,
			SOCKET_NAME) >= sizeof(t->path))
		return ctl_error(CTL_USAGE, "file prefix '%s' too long",
			t->prefix);
	if (exists_or_denied(t->path, &err))
		return CTL_OK;
	if (!exists_or_denied(dir, &err)) {
		snprintf(why, sizeof(why), "no directory %s", dir);
		return no_engine(t, why);
	}
	snprintf(why, sizeof(why), "no telemetry socket in %s: synackd "
		"stopped, or started with --no-telemetry", dir);
	return no_engine(t, why);
}

static int
connect_socket(struct ctl_tel *t)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	uint64_t deadline = now_ms() + (uint64_t)t->timeout_ms;
	char why[256];

	t->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (t->fd < 0)
		return ctl_error(CTL_ERR, "socket: %s", strerror(errno));
	memcpy(sun.sun_path, t->path, strlen(t->path) + 1);
	while (connect(t->fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		switch (errno) {
		case EINTR:
			continue;
		case EAGAIN:
			/* the listen backlog is full: try again shortly */
			if (now_ms() >= deadline)
				return timeout_error(t, "connecting");
			usleep(10 * 1000);
			continue;
		case EINPROGRESS:
			if (wait_fd(t->fd, POLLOUT, deadline) <= 0)
				return timeout_error(t, "connecting");
			return CTL_OK;
		case ECONNREFUSED:
			snprintf(why, sizeof(why), "stale socket %s: no process "
				"listens on it", t->path);
			return no_engine(t, why);
		case ENOENT:
			snprintf(why, sizeof(why), "no socket %s", t->path);
			return no_engine(t, why);
		case EACCES:
		case EPERM:
			return ctl_error(CTL_PERM, "permission denied on %s "
				"(synackd runs as root: run synackctl as root)",
				t->path);
		default:
			return ctl_error(CTL_ERR, "connecting to %s: %s", t->path,
				strerror(errno));
		}
	}
	return CTL_OK;
}

int
ctl_tel_open(struct ctl_tel *t, const char *prefix, const char *socket_path,
		int timeout_ms)
{
	json_t *hello;
	char err[128];
	size_t n = 0;   /* set by recv_msg() when it returns CTL_OK */
	uint64_t max;
	int ret;

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	t->synack = -1;
	t->timeout_ms = timeout_ms;
	snprintf(t->prefix, sizeof(t->prefix), "%s", prefix);
	ret = find_socket(t, socket_path);
	if (ret != CTL_OK)
		return ret;
	t->buflen = REPLY_MIN + 1;
	t->buf = malloc(t->buflen);
	if (t->buf == NULL)
		return ctl_error(CTL_ERR, "out of memory");
	ret = connect_socket(t);
	if (ret != CTL_OK)
		return ret;
	ret = recv_msg(t, &n, "waiting for the telemetry hello (too many "
		"clients? DPDK serves 10 at a time)");
	if (ret != CTL_OK)
		return ret;
	hello = cj_parse(t->buf, n, err, sizeof(err));
	if (!json_is_object(hello) ||
			json_object_get(hello, "max_output_len") == NULL) {
		json_decref(hello);
		return ctl_error(CTL_PROTO, "%s does not speak DPDK telemetry v2 "
			"(bad hello)", t->path);
	}
	t->pid = cj_get_u64(hello, "pid", 0);
	snprintf(t->dpdk_version, sizeof(t->dpdk_version), "%s",
		cj_get_str(hello, "version", "?"));
	max = cj_get_u64(hello, "max_output_len", 0);
	json_decref(hello);
	if (max + 1 > t->buflen && max < (1u << 26)) {
		char *nb = realloc(t->buf, (size_t)max + 1);

		if (nb == NULL)
			return ctl_error(CTL_ERR, "out of memory");
		t->buf = nb;
		t->buflen = (size_t)max + 1;
	}
	return CTL_OK;
}

void
ctl_tel_close(struct ctl_tel *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	free(t->buf);
	t->buf = NULL;
}

static void
list_dir(const char *base, int *found)
{
	char dir[512];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/dpdk", base);
	d = opendir(dir);
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char path[1024];
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/%s", dir, de->d_name,
			SOCKET_NAME);
		if (stat(path, &st) == 0 && S_ISSOCK(st.st_mode)) {
			printf("%-24s %s\n", de->d_name, path);
			(*found)++;
		}
	}
	closedir(d);
}

int
ctl_list_prefixes(void)
{
	int found = 0;

	list_dir(runtime_base(), &found);
	if (getuid() != 0)
		list_dir("/var/run", &found);
	if (found == 0)
		fprintf(stderr, "synackctl: no DPDK telemetry sockets under %s/dpdk\n",
			runtime_base());
	return CTL_OK;
}

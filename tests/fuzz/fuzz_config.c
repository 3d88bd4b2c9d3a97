/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for synackd's configuration: the INI reader
 * (sk_config_load, check_syntax and rte_cfgfile behind it), the
 * command-line parser (sk_config_parse_args), validation, the [client]
 * section's parser and the INI writer. Any crash or sanitizer report fails
 * it; so does a file that loads but whose printed form does not load back
 * to the same configuration.
 *
 * Input: the INI file's text up to the first NUL byte; after it, the
 * command-line arguments, separated by NUL bytes (argv[0] is "synackd").
 * The file is a memfd; when the text is not empty, "-f <it>" comes first
 * on the command line. Arguments that contain a '/' or name something that
 * exists are left out, so "-f" (or --config) in the fuzzed arguments can
 * open no file but the memfd.
 */

#define _GNU_SOURCE
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sk_config.h"

#define MAX_ARGS 64

static int ini_fd = -1, back_fd = -1;
static char ini_path[64], back_path[64];
static FILE *devnull;

/* libFuzzer's entry points (it declares none for C). */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t len);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	ini_fd = memfd_create("fuzz_config.ini", 0);
	back_fd = memfd_create("fuzz_config_back.ini", 0);
	devnull = fopen("/dev/null", "w");
	if (ini_fd < 0 || back_fd < 0 || devnull == NULL) {
		perror("fuzz_config: set-up");
		abort();
	}
	snprintf(ini_path, sizeof(ini_path), "/proc/self/fd/%d", ini_fd);
	snprintf(back_path, sizeof(back_path), "/proc/self/fd/%d", back_fd);
	/* --help and --version print to stdout: keep libFuzzer's log clean */
	if (freopen("/dev/null", "w", stdout) == NULL)
		abort();
	return 0;
}

static void
set_file(int fd, const void *d, size_t len)
{
	if (ftruncate(fd, 0) != 0 ||
			(len > 0 && pwrite(fd, d, len, 0) != (ssize_t)len))
		abort();
}

/* A string the INI format can carry: no control character, no blank at
 * either end (the reader strips those). A ';' is printed as "\;". */
static bool
plain(const char *s)
{
	size_t n = strlen(s);

	if (n > 0 && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' ||
			s[n - 1] == '\t'))
		return false;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* true when field f is the same in a and b; else says which it is */
#define SAME(f) (a->f == b->f || differs(#f))
#define SAME_STR(f) (!plain(a->f) || strcmp(a->f, b->f) == 0 || differs(#f))

static bool
differs(const char *field)
{
	fprintf(stderr, "fuzz_config: %s differs\n", field);
	return false;
}

static bool
same_config(const struct sk_config *a, const struct sk_config *b)
{
	return SAME(n_addrs) && (memcmp(a->addrs, b->addrs,
			a->n_addrs * sizeof(a->addrs[0])) == 0 ||
			differs("addrs")) &&
		SAME(n_addrs6) && (memcmp(a->addrs6, b->addrs6,
			a->n_addrs6 * sizeof(a->addrs6[0])) == 0 ||
			differs("addrs6")) &&
		SAME(n_listen) && (memcmp(a->listen, b->listen,
			a->n_listen * sizeof(a->listen[0])) == 0 ||
			differs("listen")) &&
		SAME(flow_capacity) && SAME(mss) &&
		SAME(challenge_ack_limit) && SAME(time_wait_ms) &&
		SAME(fin_wait2_ms) && SAME(idle_ms) && SAME(rto_ms) &&
		SAME(rto_max_ms) && SAME(fin_retries) &&
		SAME(cookie_max_age_s) && SAME(cookie_rotate_s) &&
		SAME_STR(port) && SAME(rx_desc) && SAME(tx_desc) &&
		SAME(mbufs) && SAME(burst) && SAME(stats_interval_ms) &&
		SAME_STR(stats_file) && SAME_STR(client_target) &&
		SAME(client_cps) && SAME(client_duration_ms) &&
		SAME(client_ramp_step_ms) && SAME(client_tw_reuse_ms) &&
		SAME(client_concurrency) && SAME(client_connections) &&
		SAME_STR(client_request) && SAME(client_http) &&
		SAME_STR(client_expect) && SAME_STR(client_close) &&
		SAME_STR(client_src_ips) && SAME_STR(client_src_ports) &&
		SAME(client_syn_rto_ms) && SAME(client_syn_retries) &&
		SAME(client_timeout_ms) && SAME_STR(client_gateway_mac) &&
		SAME(client_json);
}

/*
 * The printed configuration must read back as the same configuration
 * (sk_config_print's promise; test_config checks one case of it), but for
 * the secret, which it never prints, and strings the INI syntax cannot
 * carry as they are.
 */
static void
check_round_trip(const struct sk_config *c)
{
	struct sk_config back;
	char err[512], *text = NULL, *s;
	size_t size = 0;
	FILE *f;

	f = open_memstream(&text, &size);
	if (f == NULL)
		abort();
	sk_config_print(c, f);
	fclose(f);
	s = strstr(text, "\nsecret = (");
	if (s == NULL)
		abort();
	s[1] = ';';
	/* "key =" with no value is printed for an empty list or string,
	 * which the reader refuses for a list: comment those out too (the
	 * defaults they stand for are empty) */
	for (s = strstr(text, " =\n"); s != NULL; s = strstr(s + 1, " =\n")) {
		char *bol = s;

		while (bol > text && bol[-1] != '\n' && bol[-1] != ' ')
			bol--;
		/* only "key =": a value may end in " =" itself */
		if (bol == text || bol[-1] == '\n')
			*bol = ';';
	}
	set_file(back_fd, text, size);
	free(text);
	sk_config_defaults(&back);
	if (sk_config_load(&back, back_path, err, sizeof(err)) != 0) {
		/* a string the reader refuses (too long once printed...) */
		fprintf(stderr, "fuzz_config: printed config does not load: "
			"%s\n", err);
		abort();
	}
	if (!same_config(c, &back)) {
		fprintf(stderr, "fuzz_config: printed config reads back "
			"different\n");
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t len)
{
	char *buf, *argv[MAX_ARGS + 1], err[512];
	const uint8_t *nul = memchr(d, '\0', len);
	size_t ini_len = nul != NULL ? (size_t)(nul - d) : len;
	struct sk_client_cfg cc;
	struct sk_config c;
	int argc = 0, ret;
	size_t i;

	set_file(ini_fd, d, ini_len);
	/* the arguments: a NUL-terminated copy, split at each NUL */
	buf = malloc(len + 1);
	if (buf == NULL)
		abort();
	memcpy(buf, d, len);
	buf[len] = '\0';
	argv[argc++] = (char *)(uintptr_t)"synackd";
	if (ini_len > 0) {
		argv[argc++] = (char *)(uintptr_t)"-f";
		argv[argc++] = ini_path;
	}
	for (i = ini_len + 1; i < len && argc < MAX_ARGS;
			i += strlen(buf + i) + 1)
		if (strchr(buf + i, '/') == NULL && access(buf + i, F_OK) != 0)
			argv[argc++] = buf + i;
	argv[argc] = NULL;

	sk_config_defaults(&c);
	err[0] = '\0';
	ret = sk_config_parse_args(&c, argc, argv, err, sizeof(err));
	if (ret == -1 && (err[0] == '\0' || strchr(err, '\n') != NULL)) {
		/* every error is one line */
		fprintf(stderr, "fuzz_config: bad message '%s'\n", err);
		abort();
	}
	if (ret == 0) {
		sk_config_print(&c, devnull);
		(void)sk_config_has_addr(&c, 0);
		if (sk_config_validate(&c, err, sizeof(err)) == 0) {
			if (sk_config_is_client(&c))
				(void)sk_config_client(&c, &cc, err,
					sizeof(err));
			check_round_trip(&c);
		}
	}
	/* the file alone, as synackd -f reads it */
	if (ini_len > 0) {
		sk_config_defaults(&c);
		(void)sk_config_load(&c, ini_path, err, sizeof(err));
	}
	free(buf);
	return 0;
}

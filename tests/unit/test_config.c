/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of sk_config: defaults, INI files, command-line options,
 * validation and the messages a user sees. No EAL.
 */

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cfgfile.h>

#include "sk_common.h"
#include "sk_config.h"
#include "sk_test.h"

#define MAX_ARGS 64

static char err[512];

/* Temporary files made by write_ini(), removed at the end. */
static char tmp_files[64][32];
static unsigned int n_tmp_files;

/* Write @p text to a new file under /tmp and return its path. */
static const char *
write_ini(const char *text)
{
	char *path = tmp_files[n_tmp_files];
	FILE *f;
	int fd;

	if (n_tmp_files >= RTE_DIM(tmp_files))
		abort();
	snprintf(path, sizeof(tmp_files[0]), "/tmp/sk_cfg_XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		abort();
	f = fdopen(fd, "w");
	if (f == NULL)
		abort();
	fputs(text, f);
	fclose(f);
	n_tmp_files++;
	return path;
}

static void
remove_tmp_files(void)
{
	unsigned int i;

	for (i = 0; i < n_tmp_files; i++)
		unlink(tmp_files[i]);
}

/* Run sk_config_parse_args over defaults with argv = synackd ARGS... NULL. */
static int
args_v(struct sk_config *c, va_list ap)
{
	char *argv[MAX_ARGS + 1];
	const char *a;
	int argc = 0;

	argv[argc++] = (char *)(uintptr_t)"synackd";
	while ((a = va_arg(ap, const char *)) != NULL && argc < MAX_ARGS)
		argv[argc++] = (char *)(uintptr_t)a;
	argv[argc] = NULL;
	err[0] = '\0';
	return sk_config_parse_args(c, argc, argv, err, sizeof(err));
}

static int
args(struct sk_config *c, ...)
{
	va_list ap;
	int ret;

	va_start(ap, c);
	ret = args_v(c, ap);
	va_end(ap);
	return ret;
}

/* Parse over fresh defaults; true when it failed with an error that
 * contains every one of the strings given after the arguments' NULL. */
static bool
fails_with(const char *first, ...)
{
	struct sk_config c;
	const char *s;
	va_list ap;
	bool ok;

	sk_config_defaults(&c);
	va_start(ap, first);
	{
		char *argv[MAX_ARGS + 1];
		const char *a = first;
		int argc = 0;

		argv[argc++] = (char *)(uintptr_t)"synackd";
		while (a != NULL && argc < MAX_ARGS) {
			argv[argc++] = (char *)(uintptr_t)a;
			a = va_arg(ap, const char *);
		}
		argv[argc] = NULL;
		err[0] = '\0';
		ok = sk_config_parse_args(&c, argc, argv, err,
			sizeof(err)) == -1;
	}
	while ((s = va_arg(ap, const char *)) != NULL)
		if (strstr(err, s) == NULL)
			ok = false;
	va_end(ap);
	if (!ok)
		printf("# error was: %s\n", err);
	return ok;
}

/* Load @p text as a file over defaults. */
static int
load_text(struct sk_config *c, const char *text)
{
	sk_config_defaults(c);
	err[0] = '\0';
	return sk_config_load(c, write_ini(text), err, sizeof(err));
}

static bool
has(const char *s)
{
	if (strstr(err, s) != NULL)
		return true;
	printf("# error '%s' lacks '%s'\n", err, s);
	return false;
}

static rte_be32_t
ip(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		abort();
	return a.s_addr;
}

/* A configuration that passes validation. */
static void
valid_config(struct sk_config *c)
{
	sk_config_defaults(c);
	c->n_addrs = 1;
	c->addrs[0].addr = ip("198.18.0.2");
	c->addrs[0].prefix = 24;
	c->n_listen = 1;
	c->listen[0].port = 8080;
	c->listen[0].app = SK_APP_HELLO;
}

/* Run @p fn with stdout redirected into a buffer; returns malloc'ed text. */
static char *
capture_stdout(int (*fn)(void *), void *arg, int *ret)
{
	char path[] = "/tmp/sk_cfg_out_XXXXXX";
	char *text;
	int fd, saved;
	long n;
	FILE *f;

	fflush(stdout);
	fd = mkstemp(path);
	saved = dup(STDOUT_FILENO);
	if (fd < 0 || saved < 0 || dup2(fd, STDOUT_FILENO) < 0)
		abort();
	*ret = fn(arg);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(fd);
	f = fopen(path, "r");
	if (f == NULL)
		abort();
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)n + 1);
	if (text == NULL || fread(text, 1, (size_t)n, f) != (size_t)n)
		abort();
	fclose(f);
	unlink(path);
	return text;
}

static int
run_help(void *arg)
{
	return args(arg, "--help", NULL);
}

static int
run_short_help(void *arg)
{
	return args(arg, "-h", NULL);
}

static int
run_version(void *arg)
{
	return args(arg, "-V", NULL);
}

static char *
print_to_string(const struct sk_config *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		abort();
	sk_config_print(c, f);
	fclose(f);
	return buf;
}

static bool
same_config(const struct sk_config *a, const struct sk_config *b)
{
	return a->n_addrs == b->n_addrs &&
		memcmp(a->addrs, b->addrs, a->n_addrs * sizeof(a->addrs[0])) == 0 &&
		a->n_addrs6 == b->n_addrs6 &&
		memcmp(a->addrs6, b->addrs6,
			a->n_addrs6 * sizeof(a->addrs6[0])) == 0 &&
		a->n_listen == b->n_listen &&
		memcmp(a->listen, b->listen,
			a->n_listen * sizeof(a->listen[0])) == 0 &&
		a->flow_capacity == b->flow_capacity && a->mss == b->mss &&
		a->challenge_ack_limit == b->challenge_ack_limit &&
		a->time_wait_ms == b->time_wait_ms &&
		a->fin_wait2_ms == b->fin_wait2_ms &&
		a->idle_ms == b->idle_ms && a->rto_ms == b->rto_ms &&
		a->rto_max_ms == b->rto_max_ms &&
		a->fin_retries == b->fin_retries &&
		a->cookie_max_age_s == b->cookie_max_age_s &&
		a->cookie_rotate_s == b->cookie_rotate_s &&
		a->secret_set == b->secret_set &&
		(!a->secret_set ||
			memcmp(a->secret, b->secret, sizeof(a->secret)) == 0) &&
		strcmp(a->port, b->port) == 0 && a->rx_desc == b->rx_desc &&
		a->tx_desc == b->tx_desc && a->mbufs == b->mbufs &&
		a->burst == b->burst &&
		a->stats_interval_ms == b->stats_interval_ms &&
		strcmp(a->stats_file, b->stats_file) == 0;
}

static void
test_defaults(void)
{
	struct sk_config c;

	memset(&c, 0xa5, sizeof(c));
	sk_config_defaults(&c);
	CHECK_EQ(c.n_addrs, 0, "defaults: no address");
	CHECK_EQ(c.n_addrs6, 0, "defaults: no IPv6 address");
	CHECK_EQ(c.n_listen, 0, "defaults: no listening port");
	CHECK_EQ(c.flow_capacity, 262144, "defaults: flow_capacity");
	CHECK_EQ(c.mss, 1460, "defaults: mss");
	CHECK_EQ(c.challenge_ack_limit, 1000, "defaults: challenge_ack_limit");
	CHECK_EQ(c.time_wait_ms, 60000, "defaults: time_wait 60s");
	CHECK_EQ(c.fin_wait2_ms, 60000, "defaults: fin_wait2 60s");
	CHECK_EQ(c.idle_ms, 300000, "defaults: idle 300s");
	CHECK_EQ(c.rto_ms, 1000, "defaults: rto 1s");
	CHECK_EQ(c.rto_max_ms, 60000, "defaults: rto_max 60s");
	CHECK_EQ(c.fin_retries, 6, "defaults: fin_retries");
	CHECK_EQ(c.cookie_max_age_s, 128, "defaults: cookie max_age 128s");
	CHECK_EQ(c.cookie_rotate_s, 3600, "defaults: cookie rotate 3600s");
	CHECK(!c.secret_set, "defaults: no secret (random at start)");
	CHECK(c.port[0] == '\0', "defaults: device empty (first port)");
	CHECK_EQ(c.rx_desc, 1024, "defaults: rx_desc");
	CHECK_EQ(c.tx_desc, 1024, "defaults: tx_desc");
	CHECK_EQ(c.mbufs, 16383, "defaults: mbufs");
	CHECK_EQ(c.burst, 32, "defaults: burst");
	CHECK_EQ(c.stats_interval_ms, 0, "defaults: stats interval 0");
	CHECK(c.stats_file[0] == '\0', "defaults: no stats file");

	CHECK(sk_config_validate(&c, err, sizeof(err)) == -1 &&
		strcmp(err, "no address: set [engine] addresses or --addr") == 0,
		"defaults alone fail validation: no address");
	c.n_addrs = 1;
	c.addrs[0].addr = ip("198.18.0.2");
	c.addrs[0].prefix = 32;
	CHECK(sk_config_validate(&c, err, sizeof(err)) == -1 &&
		has("no listening port") && has("[engine] listen") &&
		has("--listen"), "address but no listen fails validation");
}

static const char full_ini[] =
	"; a full configuration, every key set to a value that is not the\n"
	"; default\n"
	"\n"
	"[engine]\n"
	"addresses = 198.18.0.2/24, 198.18.0.3 ,10.1.2.3/8\n"
	"listen = 8080:hello, 80:http, 7:echo , 9:hold ; four responders\n"
	"flow_capacity = 1024\n"
	"mss=9000\n"
	"  challenge_ack_limit   =   0   \n"
	"[timeouts]\n"
	"time_wait = 250ms\n"
	"fin_wait2 = 2m\n"
	"idle = 0\n"
	"rto = 200ms\n"
	"rto_max = 10m\n"
	"fin_retries = 15\n"
	"\n"
	"[cookies]\n"
	"max_age = 960s\n"
	"rotate = 0\n"
	"secret = 000102030405060708090a0b0c0d0E0F\n"
	"[port]\n"
	"device = net_tap0\n"
	"rx_desc = 16384\n"
	"tx_desc = 64\n"
	"mbufs = 16777216\n"
	"burst = 64\n"
	"[stats]\n"
	"interval = 5s\n"
	"file = /tmp/synack stats.json\n";

static void
test_file(void)
{
	static const uint8_t secret[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
		11, 12, 13, 14, 15 };
	struct sk_config c, back;
	char *text;
	const char *path;

	CHECK(load_text(&c, full_ini) == 0, "full file loads: %s", err);
	CHECK_EQ(c.n_addrs, 3, "file: three addresses");
	CHECK(c.addrs[0].addr == ip("198.18.0.2") && c.addrs[0].prefix == 24,
		"file: 198.18.0.2/24");
	CHECK(c.addrs[1].addr == ip("198.18.0.3") && c.addrs[1].prefix == 32,
		"file: address without prefix is /32");
	CHECK(c.addrs[2].addr == ip("10.1.2.3") && c.addrs[2].prefix == 8,
		"file: 10.1.2.3/8");
	CHECK_EQ(c.n_listen, 4, "file: four listening ports");
	CHECK(c.listen[0].port == 8080 && c.listen[0].app == SK_APP_HELLO &&
		c.listen[1].port == 80 && c.listen[1].app == SK_APP_HTTP &&
		c.listen[2].port == 7 && c.listen[2].app == SK_APP_ECHO &&
		c.listen[3].port == 9 && c.listen[3].app == SK_APP_HOLD,
		"file: ports and responders, comment after the value");
	CHECK_EQ(c.flow_capacity, 1024, "file: flow_capacity");
	CHECK_EQ(c.mss, 9000, "file: mss without spaces around '='");
	CHECK_EQ(c.challenge_ack_limit, 0, "file: challenge_ack_limit 0, "
		"indented");
	CHECK_EQ(c.time_wait_ms, 250, "file: time_wait 250ms");
	CHECK_EQ(c.fin_wait2_ms, 120000, "file: fin_wait2 2m");
	CHECK_EQ(c.idle_ms, 0, "file: idle 0 = off");
	CHECK_EQ(c.rto_ms, 200, "file: rto 200ms");
	CHECK_EQ(c.rto_max_ms, 600000, "file: rto_max 10m");
	CHECK_EQ(c.fin_retries, 15, "file: fin_retries");
	CHECK_EQ(c.cookie_max_age_s, 960, "file: max_age 960s");
	CHECK_EQ(c.cookie_rotate_s, 0, "file: rotate 0 = never");
	CHECK(c.secret_set && memcmp(c.secret, secret, 16) == 0,
		"file: secret, mixed case hex");
	CHECK(strcmp(c.port, "net_tap0") == 0, "file: device");
	CHECK_EQ(c.rx_desc, 16384, "file: rx_desc");
	CHECK_EQ(c.tx_desc, 64, "file: tx_desc");
	CHECK_EQ(c.mbufs, 1u << 24, "file: mbufs 2^24");
	CHECK_EQ(c.burst, 64, "file: burst");
	CHECK_EQ(c.stats_interval_ms, 5000, "file: stats interval 5s");
	CHECK(strcmp(c.stats_file, "/tmp/synack stats.json") == 0,
		"file: stats file with a space");
	CHECK(sk_config_validate(&c, err, sizeof(err)) == 0,
		"full file validates: %s", err);

	/* print, then read the printed text back (less the secret line) */
	text = print_to_string(&c);
	CHECK(strstr(text, "[engine]\naddresses = 198.18.0.2/24, "
		"198.18.0.3/32, 10.1.2.3/8\n") != NULL,
		"print: addresses with prefixes");
	CHECK(strstr(text, "listen = 8080:hello, 80:http, 7:echo, 9:hold\n")
		!= NULL, "print: listen");
	CHECK(strstr(text, "time_wait = 250ms\n") != NULL &&
		strstr(text, "fin_wait2 = 120s\n") != NULL &&
		strstr(text, "idle = 0\n") != NULL &&
		strstr(text, "rto_max = 600s\n") != NULL,
		"print: durations with units");
	CHECK(strstr(text, "secret = (set)\n") != NULL &&
		strstr(text, "0001020304") == NULL,
		"print: secret shown as (set), never its value");
	CHECK(strstr(text, "[stats]\ninterval = 5s\n"
		"file = /tmp/synack stats.json\n") != NULL, "print: [stats]");
	{
		char *s = strstr(text, "secret = (set)\n");

		memset(s, ' ', strlen("secret = (set)"));
		s[0] = ';';
	}
	path = write_ini(text);
	free(text);
	sk_config_defaults(&back);
	back.secret_set = true;
	memcpy(back.secret, c.secret, sizeof(back.secret));
	CHECK(sk_config_load(&back, path, err, sizeof(err)) == 0 &&
		same_config(&c, &back), "print output loads back to the same "
		"configuration: %s", err);

	sk_config_defaults(&c);
	text = print_to_string(&c);
	CHECK(strstr(text, "addresses =\n") != NULL &&
		strstr(text, "secret = (random)\n") != NULL &&
		strstr(text, "device =\n") != NULL &&
		strstr(text, "idle = 300s\n") != NULL &&
		strstr(text, "rotate = 3600s\n") != NULL &&
		strstr(text, "interval = 0\n") != NULL,
		"print: defaults, secret (random), empty values");
	free(text);

	CHECK(load_text(&c, "") == 0 && c.n_addrs == 0 && c.mss == 1460,
		"empty file: defaults stay");
	CHECK(load_text(&c, "[engine]\n[stats]\nfile =\n") == 0 &&
		c.stats_file[0] == '\0', "empty sections and an empty value");
	CHECK(load_text(&c, "[cookies]\nsecret =\n") == 0 && !c.secret_set,
		"empty secret: random at start");
	CHECK(load_text(&c, "[engine]\r\nmss = 1400\r\n") == 0 && c.mss == 1400,
		"CRLF line ends");
	CHECK(load_text(&c, "[engine]\nmss = 1400") == 0 && c.mss == 1400,
		"no newline at the end");
}

static void
test_file_errors(void)
{
	struct sk_config c;
	char long_line[400];
	const char *path;

	CHECK(load_text(&c, "[engine]\ncolour = blue\n") == -1 &&
		has("config: unknown key 'colour' in [engine]"),
		"file: unknown key named");
	CHECK(load_text(&c, "[engines]\nmss = 1400\n") == -1 &&
		has("unknown section [engines]"), "file: unknown section named");
	CHECK(load_text(&c, "[timeouts]\nmss = 1400\n") == -1 &&
		has("unknown key 'mss' in [timeouts]"),
		"file: key in the wrong section");
	CHECK(load_text(&c, "[engine]\nlisten = 80:foo\n") == -1 &&
		has(": [engine] listen: unknown responder 'foo' "
			"(hello, http, echo, hold, proxy)"),
		"file: unknown responder, with the file, section and key");
	CHECK(strncmp(err, tmp_files[n_tmp_files - 1],
		strlen(tmp_files[n_tmp_files - 1])) == 0,
		"file: value errors start with the file's path");
	CHECK(load_text(&c, "[engine]\nmss = 1400\nmss = 1500\n") == -1 &&
		has("[engine] mss") && has("twice"), "file: key set twice");
	CHECK(load_text(&c, "[engine]\nmss = 1400\n[engine]\nmss = 1500\n") ==
		-1 && has("[engine] mss") && has("twice"),
		"file: key set twice in two [engine] sections");
	CHECK(load_text(&c, "[engine]\nmss 1400\n") == -1 && has(":2:") &&
		has("'mss 1400'"), "file: line without '=' named with its "
		"number");
	CHECK(load_text(&c, "mss = 1400\n[engine]\n") == -1 && has(":1:") &&
		has("'mss'") && has("section"), "file: key before any section");
	CHECK(load_text(&c, "[engine\nmss = 1400\n") == -1 && has(":1:") &&
		has("[engine"), "file: unterminated section heading");
	CHECK(load_text(&c, "[engine] x\n") == -1 && has(":1:"),
		"file: junk after a section heading");
	CHECK(load_text(&c, "[]\n") == -1 && has("section name"),
		"file: empty section name");
	CHECK(load_text(&c, "[engine]\n = 3\n") == -1 && has(":2:") &&
		has("no key"), "file: no key before '='");
	memset(long_line, 'x', sizeof(long_line));
	memcpy(long_line, "[port]\ndevice = ", 16);
	long_line[16 + 300] = '\n';
	long_line[16 + 301] = '\0';
	CHECK(load_text(&c, long_line) == -1 && has(":2:") &&
		has("too long"), "file: value longer than rte_cfgfile keeps");
	long_line[16 + 300] = 'x';
	long_line[16 + 301] = 'x';
	long_line[sizeof(long_line) - 1] = '\0';
	CHECK(load_text(&c, long_line) == -1 && has(":2:") &&
		has("line too long"), "file: line longer than rte_cfgfile "
		"reads");
	CHECK(load_text(&c, "[port]\ndevice = 0123456789012345678901234567890"
		"1234567890123456789012345678901234567890123456789012345678901"
		"2345678901234567890123456789012345678901234567890123456789\n") ==
		-1 && has("[port] device") && has("too long"),
		"file: device name longer than the field");
	CHECK(load_text(&c, "[engine]\naddresses =\n") == -1 &&
		has("[engine] addresses") && has("at least one"),
		"file: empty address list");
	CHECK(load_text(&c, "[engine]\nmss =\n") == -1 &&
		has("[engine] mss") && has("needs a value"),
		"file: empty number");

	sk_config_defaults(&c);
	path = "/tmp/sk_cfg_does_not_exist.ini";
	CHECK(sk_config_load(&c, path, err, sizeof(err)) == -1 &&
		strcmp(err, "config: cannot read '/tmp/sk_cfg_does_not_exist.ini':"
			" No such file or directory") == 0,
		"file: missing file, with the reason");
	CHECK(sk_config_load(&c, "/tmp", err, sizeof(err)) == -1 &&
		has("config: cannot read '/tmp'") && has("directory"),
		"file: a directory is not a file");

	/* a failed load leaves the configuration as it was */
	sk_config_defaults(&c);
	CHECK(load_text(&c, "[engine]\nmss = 1400\nflow_capacity = 0\n") ==
		-1 && has("[engine] flow_capacity: '0' out of range "
			"(1..2147483648)"), "file: number out of range");
	sk_config_defaults(&c);
	path = write_ini("[engine]\nmss = 1400\nflow_capacity = x\n");
	CHECK(sk_config_load(&c, path, err, sizeof(err)) == -1 &&
		c.mss == 1460, "file: error leaves the configuration unchanged");
}

static void
test_options(void)
{
	struct sk_config c;
	const char *path;
	char *text;
	int ret;

	sk_config_defaults(&c);
	CHECK(args(&c, NULL) == 0, "no options: ok");
	CHECK(args(&c, "--addr", "198.18.0.2/24", "--listen", "8080:hello",
		"--flows", "100", "--mss", "1200", "--challenge-ack-limit", "7",
		"--time-wait", "30s", "--fin-wait2", "10s", "--idle", "1m",
		"--rto", "250ms", "--rto-max", "8s", "--fin-retries", "3",
		"--cookie-max-age", "64s", "--cookie-rotate", "1h",
		"--cookie-secret", "ffeeddccbbaa99887766554433221100",
		"--port", "1", "--rx-desc", "512", "--tx-desc", "2048",
		"--mbufs", "8191", "--burst", "16", "--stats-interval", "1s",
		"--stats-file", "/tmp/s.json", NULL) == 0,
		"every option: ok: %s", err);
	CHECK(c.n_addrs == 1 && c.addrs[0].addr == ip("198.18.0.2") &&
		c.addrs[0].prefix == 24, "--addr");
	CHECK(c.n_listen == 1 && c.listen[0].port == 8080 &&
		c.listen[0].app == SK_APP_HELLO, "--listen");
	CHECK(c.flow_capacity == 100 && c.mss == 1200 &&
		c.challenge_ack_limit == 7, "--flows, --mss, "
		"--challenge-ack-limit");
	CHECK(c.time_wait_ms == 30000 && c.fin_wait2_ms == 10000 &&
		c.idle_ms == 60000 && c.rto_ms == 250 && c.rto_max_ms == 8000 &&
		c.fin_retries == 3, "timeout options");
	CHECK(c.cookie_max_age_s == 64 && c.cookie_rotate_s == 3600 &&
		c.secret_set && c.secret[0] == 0xff && c.secret[15] == 0x00,
		"cookie options");
	CHECK(strcmp(c.port, "1") == 0 && c.rx_desc == 512 &&
		c.tx_desc == 2048 && c.mbufs == 8191 && c.burst == 16,
		"port options");
	CHECK(c.stats_interval_ms == 1000 &&
		strcmp(c.stats_file, "/tmp/s.json") == 0, "stats options");
	CHECK(sk_config_validate(&c, err, sizeof(err)) == 0,
		"every option: validates: %s", err);

	sk_config_defaults(&c);
	CHECK(args(&c, "--mss=1300", "--port=net_pcap0", NULL) == 0 &&
		c.mss == 1300 && strcmp(c.port, "net_pcap0") == 0,
		"--option=value form");
	CHECK(args(&c, "--mss", "1300", "--mss", "1400", NULL) == 0 &&
		c.mss == 1400, "an option given twice: the last one wins");

	/* --help and --version: return 1, print to stdout */
	sk_config_defaults(&c);
	text = capture_stdout(run_help, &c, &ret);
	CHECK_EQ(ret, 1, "--help returns 1");
	CHECK(strstr(text, "Usage: synackd") != NULL, "--help prints usage");
	{
		static const char *const opts[] = { "--config FILE", "--addr",
			"--listen", "--flows", "--mss", "--challenge-ack-limit",
			"--time-wait", "--fin-wait2", "--idle", "--rto ",
			"--rto-max", "--fin-retries", "--cookie-max-age",
			"--cookie-rotate", "--cookie-secret", "--port",
			"--rx-desc", "--tx-desc", "--mbufs", "--burst",
			"--stats-interval", "--stats-file", "--help",
			"--version" };
		unsigned int i, missing = 0;

		for (i = 0; i < RTE_DIM(opts); i++)
			if (strstr(text, opts[i]) == NULL) {
				printf("# usage lacks %s\n", opts[i]);
				missing++;
			}
		CHECK_EQ(missing, 0, "usage lists every option");
	}
	CHECK(strstr(text, "default: 262144") != NULL &&
		strstr(text, "default: 60s") != NULL &&
		strstr(text, "default: random at start") != NULL,
		"usage shows defaults");
	free(text);
	text = capture_stdout(run_short_help, &c, &ret);
	CHECK(ret == 1 && strstr(text, "Usage:") != NULL, "-h returns 1");
	free(text);
	text = capture_stdout(run_version, &c, &ret);
	CHECK(ret == 1 && strncmp(text, "synackd ", 8) == 0,
		"-V prints 'synackd VERSION' and returns 1");
	free(text);

	/* options override the file, -f applies first wherever it is */
	path = write_ini("[engine]\naddresses = 10.0.0.1/24, 10.0.0.2/24\n"
		"listen = 80:http\nmss = 1000\n[port]\nburst = 8\n");
	sk_config_defaults(&c);
	CHECK(args(&c, "-f", path, "--mss", "1200", NULL) == 0 &&
		c.mss == 1200 && c.burst == 8 && c.n_addrs == 2 &&
		c.n_listen == 1, "options override the file, the file the "
		"defaults");
	sk_config_defaults(&c);
	CHECK(args(&c, "--mss", "1200", "--config", path, NULL) == 0 &&
		c.mss == 1200 && c.burst == 8,
		"--config after an option is still applied first");
	sk_config_defaults(&c);
	CHECK(args(&c, "-f", path, "-f", write_ini("[engine]\nmss = 900\n"),
		NULL) == 0 && c.mss == 900 && c.burst == 8 && c.n_addrs == 2,
		"two files: applied in order");
	sk_config_defaults(&c);
	CHECK(args(&c, "--flo", "1024", NULL) == 0 && c.flow_capacity == 1024,
		"an unambiguous abbreviation of an option");
	sk_config_defaults(&c);
	CHECK(args(&c, "--burst=4", "--config=", NULL) == -1 &&
		has("config: cannot read ''"), "--config= with an empty name");
	sk_config_defaults(&c);
	CHECK(args(&c, "--addr", "10.9.9.9", "-f", path, NULL) == 0 &&
		c.n_addrs == 1 && c.addrs[0].addr == ip("10.9.9.9") &&
		c.addrs[0].prefix == 32, "the first --addr replaces the file's "
		"addresses");
	sk_config_defaults(&c);
	CHECK(args(&c, "-f", path, "--addr", "10.9.9.9,10.9.9.8/16", "--addr",
		"10.9.9.7", NULL) == 0 && c.n_addrs == 3 &&
		c.addrs[1].addr == ip("10.9.9.8") && c.addrs[1].prefix == 16 &&
		c.addrs[2].addr == ip("10.9.9.7"),
		"--addr is comma-separated, later ones append");
	sk_config_defaults(&c);
	CHECK(args(&c, "-f", path, "--listen", "1:echo", "--listen",
		"2:hold,3:hello", NULL) == 0 && c.n_listen == 3 &&
		c.listen[0].port == 1 && c.listen[2].app == SK_APP_HELLO,
		"--listen: first replaces the file's list, later ones append");
	sk_config_defaults(&c);
	CHECK(args(&c, "-f", path, "--listen", "80:echo", NULL) == 0 &&
		c.n_listen == 1 && c.listen[0].app == SK_APP_ECHO,
		"--listen may re-list a port of the file it replaces");
	CHECK(fails_with("-f", path, "--listen", "1:echo", "--listen",
		"1:hold", NULL, "--listen", "1", "twice", NULL),
		"--listen: a port twice across options");
	CHECK(fails_with("--addr", "10.0.0.1", "--addr", "10.0.0.1/8", NULL,
		"--addr", "duplicate address '10.0.0.1/8'", NULL),
		"--addr: the same address twice");

	/* a failed parse leaves the configuration unchanged */
	sk_config_defaults(&c);
	CHECK(args(&c, "--mss", "1200", "--flows", "0", NULL) == -1 &&
		c.mss == 1460, "error leaves the configuration unchanged");
}

static void
test_option_errors(void)
{
	struct sk_config c;

	CHECK(fails_with("--listen", "0:hello", NULL,
		"--listen: bad port '0' in '0:hello' (1..65535)", NULL),
		"--listen port 0");
	CHECK(fails_with("--listen", "65536:hello", NULL, "--listen",
		"'65536'", NULL), "--listen port 65536");
	CHECK(fails_with("--listen", "x:hello", NULL, "--listen", "'x'", NULL),
		"--listen port not a number");
	CHECK(fails_with("--listen", "80:foo", NULL,
		"--listen: unknown responder 'foo' "
		"(hello, http, echo, hold, proxy)", NULL),
		"--listen unknown responder");
	CHECK(fails_with("--listen", "80:none", NULL, "--listen", "'none'",
		NULL), "--listen: 'none' is no responder");
	CHECK(fails_with("--listen", "80", NULL, "--listen", "'80'",
		"PORT:APP", NULL), "--listen without a responder");
	CHECK(fails_with("--listen", "80:http,80:echo", NULL, "--listen",
		"80", "twice", NULL), "--listen duplicate port rejected");
	CHECK(fails_with("--listen", "80:http,,81:echo", NULL, "--listen",
		"empty entry", NULL), "--listen empty entry");
	CHECK(fails_with("--listen", "", NULL, "--listen", "at least one",
		NULL), "--listen empty");
	{
		char list[65 * 12];
		size_t n = 0;
		unsigned int i;

		for (i = 1; i <= 65; i++)
			n += snprintf(list + n, sizeof(list) - n, "%s%u:echo",
				i > 1 ? "," : "", i);
		CHECK(fails_with("--listen", list, NULL, "--listen",
			"more than 64", NULL), "--listen: 65 ports");
		list[n - strlen(",65:echo")] = '\0';
		sk_config_defaults(&c);
		CHECK(args(&c, "--listen", list, NULL) == 0 &&
			c.n_listen == 64, "--listen: 64 ports are accepted");
	}

	CHECK(fails_with("--flows", "0", NULL,
		"--flows: '0' out of range (1..2147483648)", NULL),
		"--flows 0");
	CHECK(fails_with("--flows", "2147483649", NULL, "--flows",
		"'2147483649' out of range", NULL), "--flows 2^31 + 1");
	CHECK(fails_with("--flows", "99999999999999999999999", NULL,
		"--flows", "'99999999999999999999999' out of range", NULL),
		"--flows overflow");
	CHECK(fails_with("--mss", "65536", NULL, "--mss",
		"'65536' out of range (536..9000)", NULL), "--mss too big");
	CHECK(fails_with("--mss", "535", NULL, "--mss", "'535'", NULL),
		"--mss too small");
	CHECK(fails_with("--mss", "12x", NULL, "--mss",
		"'12x' is not a number", NULL), "number with trailing junk");
	CHECK(fails_with("--mss", "-1400", NULL, "--mss", "'-1400'", NULL),
		"number with a minus sign");
	CHECK(fails_with("--mss", "+1400", NULL, "--mss", "'+1400'", NULL),
		"number with a plus sign");
	CHECK(fails_with("--mss", " 1400", NULL, "--mss", "' 1400'", NULL),
		"number with a leading space");
	CHECK(fails_with("--mss", "0x5dc", NULL, "--mss", "'0x5dc'", NULL),
		"hex number");
	CHECK(fails_with("--mss=", NULL, "--mss", "needs a value", NULL),
		"empty number");
	CHECK(fails_with("--fin-retries", "16", NULL, "--fin-retries",
		"'16' out of range (0..15)", NULL), "--fin-retries 16");
	CHECK(fails_with("--challenge-ack-limit", "4294967296", NULL,
		"--challenge-ack-limit", "'4294967296'", NULL),
		"--challenge-ack-limit over 32 bits");
	CHECK(fails_with("--rx-desc", "1000", NULL, "--rx-desc",
		"'1000' is not a power of two", NULL), "--rx-desc 1000");
	CHECK(fails_with("--tx-desc", "32", NULL, "--tx-desc",
		"'32' out of range (64..16384)", NULL), "--tx-desc 32");
	CHECK(fails_with("--rx-desc", "32768", NULL, "--rx-desc", "'32768'",
		NULL), "--rx-desc 32768");
	CHECK(fails_with("--mbufs", "1022", NULL, "--mbufs", "'1022'", NULL),
		"--mbufs 1022");
	CHECK(fails_with("--mbufs", "16777217", NULL, "--mbufs", "'16777217'",
		NULL), "--mbufs 2^24 + 1");
	CHECK(fails_with("--burst", "0", NULL, "--burst", "'0'", "1..64",
		NULL), "--burst 0");
	CHECK(fails_with("--burst", "65", NULL, "--burst", "'65'", NULL),
		"--burst 65");
	{
		char path[300];

		memset(path, 'a', sizeof(path) - 1);
		path[0] = '/';
		path[sizeof(path) - 1] = '\0';
		CHECK(fails_with("--stats-file", path, NULL, "--stats-file",
			"too long (at most 255 characters)", NULL),
			"--stats-file too long");
		path[128] = '\0';
		CHECK(fails_with("--port", path, NULL, "--port",
			"too long (at most 127 characters)", NULL),
			"--port name too long");
		path[127] = '\0';
		sk_config_defaults(&c);
		CHECK(args(&c, "--port", path, NULL) == 0 &&
			strlen(c.port) == 127, "--port name of 127 characters");
	}

	CHECK(fails_with("--bogus", NULL, "unknown option '--bogus'", NULL),
		"unknown long option");
	CHECK(fails_with("--bogus=3", NULL, "unknown option '--bogus'", NULL),
		"unknown long option with a value");
	CHECK(fails_with("-x", NULL, "unknown option '-x'", NULL),
		"unknown short option");
	CHECK(fails_with("--co", "x", NULL, "ambiguous option '--co'", NULL),
		"ambiguous abbreviation");
	CHECK(fails_with("--flows", NULL, "option '--flows' needs a value",
		NULL), "option without its value");
	CHECK(fails_with("-f", NULL, "option '-f' needs a value", NULL),
		"-f without a file");
	CHECK(fails_with("--help=yes", NULL, "'--help' takes no value", NULL),
		"--help with a value");
	CHECK(fails_with("stray", NULL, "unexpected argument 'stray'", NULL),
		"stray argument");
	CHECK(fails_with("--mss", "1400", "extra", NULL,
		"unexpected argument 'extra'", NULL), "stray argument after "
		"options");
	CHECK(fails_with("--", "extra", NULL, "unexpected argument 'extra'",
		NULL), "stray argument after --");
	/* found by fuzz_config: a control character in what the message
	 * quotes made it two lines (or a terminal escape) */
	CHECK(fails_with("a\nb\033[2J", NULL,
		"unexpected argument 'a?b?[2J'", NULL) &&
		strchr(err, '\n') == NULL && strchr(err, '\033') == NULL,
		"control characters in an error message shown as '?'");
	CHECK(fails_with("--mss", "14\n00", NULL, "'14?00'", NULL) &&
		strchr(err, '\n') == NULL, "a value with a newline: one line");
	/* found by fuzz_config: sk_config_print wrote such a value as it
	 * was, and the file it wrote read back differently */
	CHECK(fails_with("--stats-file", "x\n[engine]\nmss = 1", NULL,
		"--stats-file: control character in 'x?[engine]?mss = 1'",
		NULL), "a text value with a newline refused");
	{
		struct sk_config c;

		sk_config_defaults(&c);
		CHECK(args(&c, "--request", "GET\t/", NULL) == 0 &&
			strcmp(c.client_request, "GET\t/") == 0,
			"a tab inside a text value is kept");
	}
	CHECK(fails_with("-f", "/tmp/sk_cfg_nope.ini", NULL,
		"config: cannot read '/tmp/sk_cfg_nope.ini': "
		"No such file or directory", NULL), "-f missing file");
}

static void
test_durations(void)
{
	struct sk_config c;

	sk_config_defaults(&c);
	CHECK(args(&c, "--rto", "250ms", NULL) == 0 && c.rto_ms == 250,
		"duration 250ms");
	CHECK(args(&c, "--rto", "2s", NULL) == 0 && c.rto_ms == 2000,
		"duration 2s");
	CHECK(args(&c, "--time-wait", "5m", NULL) == 0 &&
		c.time_wait_ms == 300000, "duration 5m");
	CHECK(args(&c, "--idle", "1h", NULL) == 0 && c.idle_ms == 3600000,
		"duration 1h");
	CHECK(args(&c, "--idle", "0", NULL) == 0 && c.idle_ms == 0,
		"idle 0 (off) needs no unit");
	CHECK(args(&c, "--idle", "0s", NULL) == 0 && c.idle_ms == 0,
		"idle 0s");
	CHECK(args(&c, "--stats-interval", "0", NULL) == 0 &&
		c.stats_interval_ms == 0, "stats interval 0 needs no unit");
	CHECK(args(&c, "--cookie-rotate", "0", NULL) == 0 &&
		c.cookie_rotate_s == 0, "cookie rotate 0 (never)");
	CHECK(args(&c, "--cookie-max-age", "2m", NULL) == 0 &&
		c.cookie_max_age_s == 120, "cookie max age 2m, in seconds");
	CHECK(args(&c, "--cookie-max-age", "100000ms", NULL) == 0 &&
		c.cookie_max_age_s == 100, "cookie max age in ms, whole seconds");

	CHECK(fails_with("--idle", "300", NULL, "--idle", "'300' needs a unit",
		NULL), "bare number rejected");
	CHECK(fails_with("--time-wait", "0", NULL, "--time-wait", "'0'",
		"out of range", NULL), "time_wait 0 rejected");
	CHECK(fails_with("--fin-wait2", "0s", NULL, "--fin-wait2", "'0s'",
		NULL), "fin_wait2 0s rejected");
	CHECK(fails_with("--idle", "5d", NULL, "--idle",
		"'5d' is not a duration", NULL), "unknown unit");
	CHECK(fails_with("--idle", "5 s", NULL, "--idle", "'5 s'", NULL),
		"space before the unit");
	CHECK(fails_with("--idle", "1.5s", NULL, "--idle", "'1.5s'", NULL),
		"fraction");
	CHECK(fails_with("--idle", "5S", NULL, "--idle", "'5S'", NULL),
		"upper-case unit");
	CHECK(fails_with("--idle", "-5s", NULL, "--idle", "'-5s'", NULL),
		"negative duration");
	CHECK(fails_with("--idle", "s", NULL, "--idle", "'s'", NULL),
		"unit without a number");
	CHECK(fails_with("--idle", "25h", NULL, "--idle",
		"'25h' out of range (0, or 1ms..24h)", NULL),
		"idle over 24h");
	CHECK(fails_with("--idle", "99999999999999999999s", NULL, "--idle",
		"'99999999999999999999s' out of range", NULL),
		"duration overflowing 64 bits");
	CHECK(fails_with("--idle", "5124095576030432h", NULL, "--idle",
		"out of range", NULL),
		"duration overflowing 64 bits in ms");
	CHECK(fails_with("--idle", "4294968s", NULL, "--idle",
		"out of range", NULL), "duration overflowing 32-bit ms");
	CHECK(fails_with("--rto", "5ms", NULL, "--rto",
		"'5ms' out of range (10ms..60s)", NULL), "rto 5ms");
	CHECK(fails_with("--rto", "61s", NULL, "--rto", "'61s'", NULL),
		"rto 61s");
	CHECK(fails_with("--cookie-max-age", "63s", NULL, "--cookie-max-age",
		"'63s' out of range (64s..960s)", NULL), "cookie max age 63s");
	CHECK(fails_with("--cookie-max-age", "961s", NULL, "--cookie-max-age",
		"'961s'", NULL), "cookie max age 961s");
	CHECK(fails_with("--cookie-max-age", "100500ms", NULL,
		"--cookie-max-age", "'100500ms' is not a whole number of "
		"seconds", NULL), "cookie max age with a fraction of a second");
	CHECK(fails_with("--stats-interval", "10ms", NULL, "--stats-interval",
		"'10ms'", NULL), "stats interval 10ms");
}

static void
test_addresses(void)
{
	struct sk_config c;

	sk_config_defaults(&c);
	CHECK(args(&c, "--addr", "198.18.0.2", NULL) == 0 &&
		c.n_addrs == 1 && c.addrs[0].addr == ip("198.18.0.2") &&
		c.addrs[0].prefix == 32, "address without prefix: /32");
	CHECK(args(&c, "--addr", "198.18.0.2/24", NULL) == 0 &&
		c.addrs[0].prefix == 24, "address with prefix");
	CHECK(args(&c, "--addr", "198.18.0.0/24", NULL) == 0,
		"network address of a prefix accepted");
	CHECK(args(&c, "--addr", "198.18.0.3/31", NULL) == 0 &&
		c.addrs[0].prefix == 31, "/31: both addresses usable");
	CHECK(args(&c, "--addr", " 198.18.0.2/24 , 198.18.0.3 ", NULL) == 0 &&
		c.n_addrs == 2, "blanks around list entries");
	{
		char list[17 * 16];
		size_t n = 0;
		unsigned int i;

		for (i = 1; i <= 17; i++)
			n += snprintf(list + n, sizeof(list) - n, "%s10.0.0.%u",
				i > 1 ? "," : "", i);
		CHECK(fails_with("--addr", list, NULL, "--addr",
			"more than 16", NULL), "17 addresses rejected");
		list[n - strlen(",10.0.0.17")] = '\0';
		sk_config_defaults(&c);
		CHECK(args(&c, "--addr", list, NULL) == 0 && c.n_addrs == 16,
			"16 addresses accepted");
	}

	CHECK(fails_with("--addr", "0.0.0.0", NULL, "--addr", "'0.0.0.0'",
		NULL), "0.0.0.0 rejected");
	CHECK(fails_with("--addr", "255.255.255.255", NULL, "--addr",
		"'255.255.255.255'", "broadcast", NULL),
		"255.255.255.255 rejected");
	CHECK(fails_with("--addr", "224.0.0.1", NULL, "--addr", "'224.0.0.1'",
		"multicast", NULL), "multicast rejected");
	CHECK(fails_with("--addr", "239.255.255.250/32", NULL, "--addr",
		"multicast", NULL), "top of 224/4 rejected");
	CHECK(fails_with("--addr", "127.0.0.1", NULL, "--addr", "'127.0.0.1'",
		"loopback", NULL), "loopback rejected");
	CHECK(fails_with("--addr", "127.1.2.3/8", NULL, "--addr", "loopback",
		NULL), "any of 127/8 rejected");
	CHECK(fails_with("--addr", "198.18.0.255/24", NULL, "--addr",
		"'198.18.0.255/24'", "broadcast", NULL),
		"directed broadcast of its prefix rejected");
	CHECK(fails_with("--addr", "10.0.0.1/33", NULL, "--addr", "'/33'",
		"0..32", NULL), "prefix 33 rejected");
	CHECK(fails_with("--addr", "10.0.0.1/", NULL, "--addr", "'/'", NULL),
		"empty prefix rejected");
	CHECK(fails_with("--addr", "10.0.0.1/2x", NULL, "--addr", "'/2x'",
		NULL), "prefix with junk rejected");
	CHECK(fails_with("--addr", "10.0.0.1/-1", NULL, "--addr", "'/-1'",
		NULL), "negative prefix rejected");
	CHECK(fails_with("--addr", "10.0.1", NULL, "--addr", "'10.0.1'", NULL),
		"three-part address rejected");
	CHECK(fails_with("--addr", "10.0.0.256", NULL, "--addr",
		"'10.0.0.256'", NULL), "octet over 255 rejected");
	CHECK(fails_with("--addr", "010.0.0.1", NULL, "--addr", "'010.0.0.1'",
		NULL), "octal-looking octet rejected");
	CHECK(fails_with("--addr", "0x0a.0.0.1", NULL, "--addr", "'0x0a",
		NULL), "hex octet rejected");
	CHECK(fails_with("--addr", "example.com", NULL, "--addr",
		"'example.com'", NULL), "host name rejected");
	CHECK(fails_with("--addr", "10.0.0.1,", NULL, "--addr", "empty entry",
		NULL), "trailing comma rejected");
	CHECK(fails_with("--addr", "", NULL, "--addr", "at least one", NULL),
		"empty --addr rejected");

	valid_config(&c);
	c.n_addrs = 2;
	c.addrs[1].addr = ip("10.0.0.9");
	c.addrs[1].prefix = 8;
	CHECK(sk_config_has_addr(&c, ip("198.18.0.2")), "has_addr: first");
	CHECK(sk_config_has_addr(&c, ip("10.0.0.9")), "has_addr: second");
	CHECK(!sk_config_has_addr(&c, ip("10.0.0.8")), "has_addr: other");
	CHECK(!sk_config_has_addr(&c, 0), "has_addr: 0.0.0.0");

	/* 240/4 marks IPv6 flows in the flow table's IPv4-sized keys */
	CHECK(fails_with("--addr", "240.0.0.1", NULL, "--addr", "'240.0.0.1'",
		"240.0.0.0/4", NULL), "class E rejected");
	CHECK(fails_with("--addr", "254.255.255.254/8", NULL, "--addr",
		"240.0.0.0/4", NULL), "top of class E rejected");
}

static bool
ip6_is(const struct sk_config_addr6 *a, const char *s, unsigned int prefix)
{
	uint8_t b[16];

	if (inet_pton(AF_INET6, s, b) != 1)
		abort();
	return memcmp(a->addr, b, 16) == 0 && a->prefix == prefix;
}

static void
test_addresses6(void)
{
	struct sk_config c;
	uint8_t a6[16];
	char *text;

	sk_config_defaults(&c);
	CHECK(args(&c, "--addr", "2001:db8::2/64", NULL) == 0 &&
		c.n_addrs == 0 && c.n_addrs6 == 1 &&
		ip6_is(&c.addrs6[0], "2001:db8::2", 64), "IPv6 --addr");
	CHECK(args(&c, "--addr", "2001:db8::2", NULL) == 0 &&
		c.n_addrs6 == 1 && c.addrs6[0].prefix == 128,
		"IPv6 address without prefix: /128");
	CHECK(args(&c, "--addr", "2001:db8::2/0", NULL) == 0 &&
		c.addrs6[0].prefix == 0, "IPv6 prefix 0");
	CHECK(args(&c, "--addr", "2001:DB8:0:0:0:0:0:2/128", NULL) == 0 &&
		ip6_is(&c.addrs6[0], "2001:db8::2", 128),
		"IPv6 in full form, upper case");
	CHECK(args(&c, "--addr", "fe80::1/64", NULL) == 0 &&
		ip6_is(&c.addrs6[0], "fe80::1", 64), "link-local allowed");
	CHECK(args(&c, "--addr", "::ffff:1", NULL) == 0 &&
		c.n_addrs6 == 1, "::ffff:1 (not in ::ffff:0:0/96) allowed");
	CHECK(args(&c, "--addr", "198.18.0.2/24", "--addr", "2001:db8::2/64",
		"--addr", "10.0.0.1, 2001:db8:1::9/48", NULL) == 0 &&
		c.n_addrs == 2 && c.n_addrs6 == 2 &&
		c.addrs[0].addr == ip("198.18.0.2") &&
		c.addrs[1].addr == ip("10.0.0.1") &&
		ip6_is(&c.addrs6[0], "2001:db8::2", 64) &&
		ip6_is(&c.addrs6[1], "2001:db8:1::9", 48),
		"both families, repeated and in one list");
	c.n_listen = 1;
	c.listen[0].port = 80;
	c.listen[0].app = SK_APP_HTTP;
	CHECK(sk_config_validate(&c, err, sizeof(err)) == 0,
		"dual stack validates: %s", err);
	inet_pton(AF_INET6, "2001:db8:1::9", a6);
	CHECK(sk_config_has_addr6(&c, a6), "has_addr6: second");
	a6[15] = 8;
	CHECK(!sk_config_has_addr6(&c, a6), "has_addr6: other");

	/* IPv6 only: no IPv4 address needed any more */
	sk_config_defaults(&c);
	CHECK(args(&c, "--addr", "2001:db8::2/64", "--listen", "80:http",
		NULL) == 0 && sk_config_validate(&c, err, sizeof(err)) == 0,
		"IPv6 only validates: %s", err);

	/* the first --addr replaces the file's list, both families */
	CHECK(load_text(&c, "[engine]\naddresses = 198.18.0.2/24, "
		"2001:db8::2/64 ,fe80::2\nlisten = 80:http\n") == 0 &&
		c.n_addrs == 1 && c.n_addrs6 == 2 &&
		ip6_is(&c.addrs6[1], "fe80::2", 128), "IPv6 in the file: %s",
		err);
	CHECK(args(&c, "--addr", "2001:db8::7", NULL) == 0 && c.n_addrs == 0 &&
		c.n_addrs6 == 1 && ip6_is(&c.addrs6[0], "2001:db8::7", 128),
		"--addr replaces both families of the file's list");

	/* printed in RFC 5952 form, read back the same */
	sk_config_defaults(&c);
	CHECK(args(&c, "--addr", "2001:0DB8:0000:0000:0001:0000:0000:0002/64,"
		"198.18.0.2/24", "--addr", "fe80:0:0:0:0:0:0:1", "--listen",
		"80:http", NULL) == 0, "RFC 5952: parsed: %s", err);
	text = print_to_string(&c);
	CHECK(strstr(text, "addresses = 198.18.0.2/24, 2001:db8::1:0:0:2/64, "
		"fe80::1/128\n") != NULL, "print: IPv6 in RFC 5952 form");
	{
		struct sk_config back;
		char *sec = strstr(text, "\n[timeouts]");

		/* the [engine] section alone: the secret's "(random)" is
		 * not a value */
		if (sec == NULL)
			abort();
		sec[1] = '\0';
		sk_config_defaults(&back);
		err[0] = '\0';
		CHECK(sk_config_load(&back, write_ini(text), err,
			sizeof(err)) == 0 && back.n_addrs == 1 &&
			back.n_addrs6 == 2 && memcmp(back.addrs6, c.addrs6,
			2 * sizeof(c.addrs6[0])) == 0,
			"print: IPv6 addresses load back: %s", err);
	}
	free(text);

	CHECK(fails_with("--addr", "::", NULL, "--addr", "'::'",
		"unspecified", NULL), "IPv6 unspecified rejected");
	CHECK(fails_with("--addr", "::/0", NULL, "--addr", "unspecified",
		NULL), "IPv6 unspecified with a prefix rejected");
	CHECK(fails_with("--addr", "::1", NULL, "--addr", "'::1'", "loopback",
		NULL), "IPv6 loopback rejected");
	CHECK(fails_with("--addr", "ff02::1", NULL, "--addr", "'ff02::1'",
		"multicast", NULL), "IPv6 multicast rejected");
	CHECK(fails_with("--addr", "ff05::1:3/64", NULL, "--addr",
		"ff00::/8", NULL), "IPv6 site multicast rejected");
	CHECK(fails_with("--addr", "::ffff:198.18.0.2", NULL, "--addr",
		"'::ffff:198.18.0.2'", "IPv4-mapped", NULL),
		"IPv4-mapped rejected");
	CHECK(fails_with("--addr", "::ffff:c612:2/120", NULL, "--addr",
		"IPv4-mapped", NULL), "IPv4-mapped in hex rejected");
	CHECK(fails_with("--addr", "2001:db8::2/129", NULL, "--addr",
		"'/129'", "0..128", NULL), "IPv6 prefix 129 rejected");
	CHECK(fails_with("--addr", "2001:db8::2/", NULL, "--addr", "'/'",
		"0..128", NULL), "IPv6 empty prefix rejected");
	CHECK(fails_with("--addr", "2001:db8::2/6x", NULL, "--addr", "'/6x'",
		NULL), "IPv6 prefix with junk rejected");
	CHECK(fails_with("--addr", "2001:db8::2/-1", NULL, "--addr", "'/-1'",
		NULL), "IPv6 negative prefix rejected");
	CHECK(fails_with("--addr", "2001:db8:::2", NULL, "--addr",
		"bad IPv6 address '2001:db8:::2'", NULL), "':::' rejected");
	CHECK(fails_with("--addr", "2001:db8::g", NULL, "--addr",
		"bad IPv6 address", NULL), "non-hex group rejected");
	CHECK(fails_with("--addr", "1:2:3:4:5:6:7:8:9", NULL, "--addr",
		"bad IPv6 address", NULL), "nine groups rejected");
	CHECK(fails_with("--addr", "[2001:db8::2]/64", NULL, "--addr",
		"bad", NULL), "brackets rejected");
	CHECK(fails_with("--addr", "fe80::1%eth0", NULL, "--addr",
		"bad IPv6 address", NULL), "zone index rejected");
	CHECK(fails_with("--addr", "2001:db8::2/64, 2001:DB8:0::2/48", NULL,
		"--addr", "duplicate address '2001:DB8:0::2/48'", NULL),
		"IPv6 duplicate (other spelling, other prefix) rejected");
	CHECK(fails_with("--addr", "2001:db8::2", "--addr", "2001:db8::2",
		NULL, "--addr", "duplicate", NULL),
		"IPv6 duplicate over two options rejected");
	{
		char list[17 * 20];
		size_t n = 0;
		unsigned int i;

		for (i = 1; i <= 17; i++)
			n += snprintf(list + n, sizeof(list) - n,
				"%s2001:db8::%x", i > 1 ? "," : "", i);
		CHECK(fails_with("--addr", list, NULL, "--addr",
			"more than 16 IPv6", NULL),
			"17 IPv6 addresses rejected");
		list[n - strlen(",2001:db8::11")] = '\0';
		sk_config_defaults(&c);
		CHECK(args(&c, "--addr", list, "--addr", "10.0.0.1", NULL) == 0 &&
			c.n_addrs6 == 16 && c.n_addrs == 1,
			"16 IPv6 addresses and an IPv4 one accepted: %s", err);
	}

	/* a list goes on over several lines of a file; the printed form
	 * wraps a long one so that each value fits rte_cfgfile's 255 */
	CHECK(load_text(&c, "[engine]\naddresses = 198.18.0.2/24\n"
		"listen = 80:http\naddresses = 2001:db8::2/64, 10.0.0.1\n"
		"listen = 7:echo\n") == 0 && c.n_addrs == 2 &&
		c.n_addrs6 == 1 && c.n_listen == 2, "file: a list over two "
		"lines adds up: %s", err);
	CHECK(load_text(&c, "[engine]\naddresses = 2001:db8::2\n"
		"addresses = 2001:db8::2/64\n") == -1 && has("duplicate"),
		"file: a duplicate across list lines refused");
	{
		struct sk_config back;
		char *line, *save = NULL;
		unsigned int lines = 0, longest = 0;

		sk_config_defaults(&c);
		for (unsigned int i = 0; i < SK_MAX_ADDRS; i++) {
			c.addrs[i].addr = htonl(0xc6120000u + 0x0101u * i + 1);
			c.addrs[i].prefix = 32;
			memset(c.addrs6[i].addr, 0xfe, 16);
			c.addrs6[i].addr[0] = 0x20;
			c.addrs6[i].addr[15] = (uint8_t)i;
			c.addrs6[i].prefix = 127;
		}
		c.n_addrs = c.n_addrs6 = SK_MAX_ADDRS;
		for (unsigned int i = 0; i < SK_MAX_LISTEN; i++) {
			c.listen[i].port = (uint16_t)(65535 - i);
			c.listen[i].app = SK_APP_HELLO;
		}
		c.n_listen = SK_MAX_LISTEN;
		CHECK(sk_config_validate(&c, err, sizeof(err)) == 0,
			"longest lists validate: %s", err);
		text = print_to_string(&c);
		*strstr(text, "\n[timeouts]") = '\0';
		sk_config_defaults(&back);
		err[0] = '\0';
		CHECK(sk_config_load(&back, write_ini(text), err,
			sizeof(err)) == 0 && same_config(&c, &back),
			"longest lists printed load back the same: %s", err);
		for (line = strtok_r(text, "\n", &save); line != NULL;
				line = strtok_r(NULL, "\n", &save)) {
			if (strncmp(line, "addresses = ", 12) == 0 ||
					strncmp(line, "listen = ", 9) == 0)
				lines++;
			if (strchr(line, '=') != NULL &&
					strlen(strchr(line, '=') + 2) > longest)
				longest = (unsigned int)strlen(strchr(line,
					'=') + 2);
		}
		CHECK(lines > 2 && longest <= 255, "printed over %u lines, "
			"longest value %u characters", lines, longest);
		free(text);
	}

	/* set in code, found by validation */
	valid_config(&c);
	c.n_addrs6 = 1;
	inet_pton(AF_INET6, "2001:db8::2", c.addrs6[0].addr);
	c.addrs6[0].prefix = 129;
	CHECK(sk_config_validate(&c, err, sizeof(err)) == -1 &&
		has("prefix /129 of 2001:db8::2") && has("0..128"),
		"IPv6 prefix 129 set in code");
	c.addrs6[0].prefix = 64;
	CHECK(sk_config_validate(&c, err, sizeof(err)) == 0,
		"IPv6 set in code: %s", err);
	inet_pton(AF_INET6, "ff02::1:ff00:2", c.addrs6[0].addr);
	CHECK(sk_config_validate(&c, err, sizeof(err)) == -1 &&
		has("'ff02::1:ff00:2/64'") && has("multicast"),
		"IPv6 multicast set in code");
	inet_pton(AF_INET6, "::1", c.addrs6[0].addr);
	CHECK(sk_config_validate(&c, err, sizeof(err)) == -1 &&
		has("loopback"), "IPv6 loopback set in code");
	inet_pton(AF_INET6, "2001:db8::2", c.addrs6[0].addr);
	c.addrs6[1] = c.addrs6[0];
	c.n_addrs6 = 2;
	CHECK(sk_config_validate(&c, err, sizeof(err)) == -1 &&
		has("duplicate address '2001:db8::2'"),
		"IPv6 duplicate set in code");
	c.n_addrs6 = SK_MAX_ADDRS + 1;
	CHECK(sk_config_validate(&c, err, sizeof(err)) == -1 &&
		has("17 IPv6 addresses, at most 16"), "too many IPv6 in code");
}

static void
test_secret(void)
{
	struct sk_config c;

	sk_config_defaults(&c);
	CHECK(args(&c, "--cookie-secret", "00112233445566778899aabbccddeeff",
		NULL) == 0 && c.secret_set && c.secret[0] == 0x00 &&
		c.secret[1] == 0x11 && c.secret[15] == 0xff,
		"secret of 32 hex digits");
	CHECK(fails_with("--cookie-secret", "00112233445566778899aabbccddeef",
		NULL, "--cookie-secret", "31 hex digits", "exactly 32", NULL),
		"secret of 31 digits rejected");
	CHECK(fails_with("--cookie-secret", "00112233445566778899aabbccddeeff0",
		NULL, "--cookie-secret", "33 hex digits", NULL),
		"secret of 33 digits rejected");
	CHECK(fails_with("--cookie-secret", "0011223344556677g899aabbccddeeff",
		NULL, "--cookie-secret", "'g' (character 17)", NULL),
		"secret with a non-hex digit rejected");
	CHECK(strstr(err, "0011223344") == NULL,
		"a bad secret is not echoed in the message");
	CHECK(fails_with("--cookie-secret", "0x112233445566778899aabbccddeeff",
		NULL, "--cookie-secret", "'x'", NULL),
		"secret with 0x rejected");
	CHECK(args(&c, "--cookie-secret", "", NULL) == 0 && !c.secret_set,
		"empty secret: random at start");
}

static void
test_validate(void)
{
	struct sk_config c;

	valid_config(&c);
	CHECK(sk_config_validate(&c, err, sizeof(err)) == 0,
		"valid configuration: %s", err);
	c.n_listen = 0;
	CHECK(sk_config_validate(&c, err, sizeof(err)) == -1 &&
		has("no listening port: set [engine] listen or --listen"),
		"no listening port");

	valid_config(&c);
	c.rto_ms = 2000;
	c.rto_max_ms = 1000;
	CHECK(sk_config_validate(&c, err, sizeof(err)) == -1 &&
		has("rto_max (1s)") && has("rto (2s)"), "rto_max < rto");
	c.rto_max_ms = 2000;
	CHECK(sk_config_validate(&c, err, sizeof(err)) == 0,
		"rto_max == rto: %s", err);
	sk_config_defaults(&c);
	CHECK(args(&c, "--addr", "10.0.0.1", "--listen", "80:http", "--rto",
		"2s", "--rto-max", "1s", NULL) == 0 &&
		sk_config_validate(&c, err, sizeof(err)) == -1 &&
		has("rto_max"), "rto_max < rto from options: found by validation");

	valid_config(&c);
	c.cookie_max_age_s = 128;
	c.cookie_rotate_s = 191;
	CHECK(sk_config_validate(&c, err, sizeof(err)) == -1 &&
		has("[cookies] rotate (191s)") && has("(192s)"),
		"rotate < max_age (2 units) + 1 unit");
	c.cookie_rotate_s = 192;
	CHECK(sk_config_validate(&c, err, sizeof(err)) == 0,
		"rotate == max_age + 1 unit: %s", err);
	c.cookie_max_age_s = 65;
	c.cookie_rotate_s = 130;
	CHECK(sk_config_validate(&c, err, sizeof(err)) == -1 &&
		has("(192s)"), "max_age 65s counts as 2 units: rotate 130s refused");
	c.cookie_rotate_s = 0;
	CHECK(sk_config_validate(&c, err, sizeof(err)) == 0,
		"rotate 0 (never): %s", err);
	c.cookie_max_age_s = 960;
	c.cookie_rotate_s = 1000;
	CHECK(sk_config_validate(&c, err, sizeof(err)) == -1 &&
		has("rotate") && has("(1024s)"),
		"rotate < max_age + 1 unit at max_age 960s");

	valid_config(&c);
	c.mss = 100;
	CHECK(sk_config_validate(&c, err, sizeof(err)) == -1 &&
		has("[engine] mss") && has("100"), "mss set in code out of range");
	valid_config(&c);
	c.rx_desc = 1000;
	CHECK(sk_config_validate(&c, err, sizeof(err)) == -1 &&
		has("[port] rx_desc") && has("power of two"),
		"rx_desc set in code not a power of two");
	valid_config(&c);
	c.idle_ms = 0;
	c.time_wait_ms = 0;
	CHECK(sk_config_validate(&c, err, sizeof(err)) == -1 &&
		has("[timeouts] time_wait"), "time_wait 0 set in code");
	valid_config(&c);
	c.cookie_max_age_s = 10;
	CHECK(sk_config_validate(&c, err, sizeof(err)) == -1 &&
		has("[cookies] max_age") && has("10s"),
		"max_age set in code out of range");
	valid_config(&c);
	c.addrs[0].addr = ip("127.0.0.1");
	CHECK(sk_config_validate(&c, err, sizeof(err)) == -1 &&
		has("127.0.0.1") && has("loopback"), "loopback set in code");
	valid_config(&c);
	c.n_listen = 2;
	c.listen[1] = c.listen[0];
	CHECK(sk_config_validate(&c, err, sizeof(err)) == -1 &&
		has("8080") && has("twice"), "duplicate port set in code");
	valid_config(&c);
	c.listen[0].app = SK_APP_NONE;
	CHECK(sk_config_validate(&c, err, sizeof(err)) == -1 &&
		has("8080"), "port without a responder set in code");
	valid_config(&c);
	memset(c.port, 'x', sizeof(c.port));
	CHECK(sk_config_validate(&c, err, sizeof(err)) == -1 &&
		has("[port] device"), "unterminated device name set in code");
}

/* The [client] section (docs/client.md): options, the file, validation. */
static void
test_client(void)
{
	struct sk_client_cfg cc;
	struct sk_config c;
	char *text;

	sk_config_defaults(&c);
	CHECK(!sk_config_is_client(&c) && c.client_cps == 1000 &&
		c.client_duration_ms == 10000 && c.client_concurrency == 1024 &&
		c.client_syn_rto_ms == 1000 && c.client_syn_retries == 5 &&
		!c.client_http && !c.client_json, "client: defaults, role off");
	CHECK(args(&c, "--addr", "198.18.0.2/24", "--client",
		"198.18.0.1:8080", "--cps", "0", "--duration", "30s",
		"--concurrency", "64", "--request", "Hello Server\\n",
		"--close", "server", "--src-ips", "198.18.0.10-198.18.0.20",
		"--src-ports", "2000-3000", "--syn-rto", "250ms", "--json",
		"--connections", "100", NULL) == 0 &&
		sk_config_validate(&c, err, sizeof(err)) == 0,
		"client: options, no --listen needed: %s", err);
	CHECK(sk_config_is_client(&c) && c.client_cps == 0 &&
		c.client_duration_ms == 30000 && c.client_concurrency == 64 &&
		c.client_syn_rto_ms == 250 && c.client_json &&
		c.client_connections == 100, "client: values");
	CHECK(sk_config_client(&c, &cc, err, sizeof(err)) == 0 &&
		cc.target == ip("198.18.0.1") &&
		cc.tport == rte_cpu_to_be_16(8080) &&
		cc.src_lo == 0xc612000a && cc.src_hi == 0xc6120014 &&
		cc.sport_lo == 2000 && cc.sport_hi == 3000 &&
		cc.close == SK_CLOSE_SERVER && cc.req_len == 13 &&
		memcmp(cc.req, "Hello Server\n", 13) == 0 && cc.exp_len == 0,
		"client: parsed, escapes undone");
	text = print_to_string(&c);
	CHECK(strstr(text, "[client]\ntarget = 198.18.0.1:8080\ncps = 0\n")
		!= NULL && strstr(text, "json = yes\n") != NULL &&
		strstr(text, "http = no\n") != NULL, "client: printed");
	free(text);

	/* --cps max: the ramp, its step and TIME_WAIT reuse */
	sk_config_defaults(&c);
	CHECK(c.client_ramp_step_ms == 1000 && c.client_tw_reuse_ms == 1000,
		"client: ramp_step and tw_reuse default to 1 s");
	CHECK(args(&c, "--addr", "198.18.0.2/24", "--client", "198.18.0.1:80",
		"--cps", "max", "--ramp-step", "250ms", "--tw-reuse", "0",
		NULL) == 0 && sk_config_validate(&c, err, sizeof(err)) == 0 &&
		c.client_cps == SK_CPS_MAX && c.client_ramp_step_ms == 250 &&
		c.client_tw_reuse_ms == 0, "client: --cps max: %s", err);
	text = print_to_string(&c);
	CHECK(strstr(text, "cps = max\n") != NULL &&
		strstr(text, "ramp_step = 250ms\n") != NULL &&
		strstr(text, "tw_reuse = 0\n") != NULL,
		"client: cps = max printed");
	free(text);
	CHECK(load_text(&c, "[engine]\naddresses = 198.18.0.2/24\n"
		"[client]\ntarget = 198.18.0.1:8080\ncps = max\n") == 0 &&
		sk_config_validate(&c, err, sizeof(err)) == 0 &&
		c.client_cps == SK_CPS_MAX, "client: cps = max in a file");
	CHECK(args(&c, "--cps", "maximum", NULL) == -1 &&
		has("--cps") && has("or max"),
		"client: --cps maximum refused: %s", err);
	CHECK(args(&c, "--ramp-step", "10ms", NULL) == -1 &&
		has("--ramp-step"), "client: --ramp-step 10ms refused");

	sk_config_defaults(&c);
	CHECK(args(&c, "--addr", "198.18.0.2/24", "--client", "198.18.0.1:80",
		"--http", NULL) == 0 &&
		sk_config_client(&c, &cc, err, sizeof(err)) == 0 &&
		memcmp(cc.req, "GET / HTTP/1.1\r\nHost: 198.18.0.1\r\n", 34)
		== 0, "client: --http request");
	CHECK(args(&c, "--addr", "198.18.0.2/24", "--client", "198.18.0.1:80",
		"--http", "--request", "x", NULL) == 0 &&
		sk_config_validate(&c, err, sizeof(err)) == -1 &&
		has("[client] http"), "client: --http and --request refused");

	CHECK(load_text(&c, "[engine]\naddresses = 198.18.0.2/24\n"
		"[client]\ntarget = 198.18.0.1:8080\nclose = rst\n"
		"http = yes\nsrc_ports = 5000\n") == 0 &&
		sk_config_validate(&c, err, sizeof(err)) == 0 &&
		sk_config_client(&c, &cc, err, sizeof(err)) == 0 &&
		cc.close == SK_CLOSE_RST && cc.sport_lo == 5000 &&
		cc.sport_hi == 5000 && c.client_http, "client: [client] section");
	CHECK(load_text(&c, "[client]\nhttp = maybe\n") == -1 &&
		has("[client] http") && has("'maybe' is not yes or no"),
		"client: bad boolean in the file");

#define BAD(opt, val, msg) do { \
	sk_config_defaults(&c); \
	CHECK(args(&c, "--addr", "198.18.0.2/24", "--client", \
		"198.18.0.1:8080", opt, val, NULL) != 0 || \
		sk_config_validate(&c, err, sizeof(err)) == -1, \
		"client: %s %s refused", opt, val); \
	CHECK(has(msg), "client: message names '%s': %s", msg, err); \
} while (0)
	BAD("--client", "198.18.0.1", "[client] target");
	BAD("--client", "198.18.0.1:0", "[client] target");
	BAD("--client", "198.18.0.2:80", "one of our addresses");
	BAD("--client", "127.0.0.1:80", "loopback");
	BAD("--close", "later", "[client] close");
	BAD("--src-ips", "198.18.0.9-198.18.0.3", "[client] src_ips");
	BAD("--src-ips", "198.18.0.0-198.18.0.1", "is the target");
	BAD("--src-ports", "70000", "[client] src_ports");
	BAD("--src-ports", "3000-2000", "[client] src_ports");
	BAD("--request", "a\\q", "unknown escape");
	BAD("--gateway-mac", "01:00:00:00:00:01", "[client] gateway_mac");
	BAD("--concurrency", "300000", "flow_capacity");
	BAD("--syn-rto", "1ms", "--syn-rto");
	/* an IPv4 engine (the macro's --addr) has no IPv6 source */
	BAD("--client", "[2001:db8::1]:8080", "no IPv6 address");
	BAD("--client", "2001:db8::1:8080", "in brackets");
	BAD("--src-ips", "2001:db8::100-2001:db8::1ff", "both of one family");
	BAD("--src-ips", "2001:db8::100", "both of one family");
	BAD("--client", "[198.18.0.1]:80", "is not [IPV6]:PORT");
	/* class E marks IPv6 flows in the flow table: never a source */
	BAD("--src-ips", "240.0.0.1-240.0.0.2", "240.0.0.0/4");
	BAD("--client", "240.0.0.1:80", "240.0.0.0/4");
#undef BAD
	/* IPv6: the target in brackets, sources within one /96 */
#define BAD6(...) do { \
	sk_config_defaults(&c); \
	CHECK(args(&c, "--addr", "2001:db8::2/64", __VA_ARGS__, NULL) != 0 || \
		sk_config_validate(&c, err, sizeof(err)) == -1, \
		"client6: refused (%s)", err); \
} while (0)
	BAD6("--client", "[2001:db8::2]:80");
	CHECK(has("one of our addresses"), "client6: our address: %s", err);
	BAD6("--client", "[ff02::1]:80");
	CHECK(has("multicast"), "client6: multicast target: %s", err);
	BAD6("--client", "[2001:db8::1]:0");
	CHECK(has("[client] target"), "client6: port 0: %s", err);
	BAD6("--client", "[2001:db8::1:80");
	CHECK(has("[IPV6]:PORT"), "client6: no bracket: %s", err);
	BAD6("--client", "[2001:db8::1]:80", "--src-ips", "198.18.0.5");
	CHECK(has("both of one family"), "client6: IPv4 sources: %s", err);
	BAD6("--client", "[2001:db8::1]:80", "--src-ips",
		"2001:db8::100-2001:db9::1");
	CHECK(has("last 32 bits"), "client6: range over a /96: %s", err);
	BAD6("--client", "[2001:db8::1]:80", "--src-ips",
		"2001:db8::1ff-2001:db8::100");
	CHECK(has("A <= B"), "client6: reversed range: %s", err);
	BAD6("--client", "[2001:db8::1]:80", "--src-ips",
		"2001:db8::-2001:db8::ffff:ffff");
	CHECK(has("is the target"), "client6: a range holding the target, "
		"2^32 addresses, checked at once: %s", err);
	BAD6("--client", "[2001:db8::1]:80", "--src-ips", "::-::9");
	CHECK(has("unspecified"), "client6: :: as a source: %s", err);
#undef BAD6
	sk_config_defaults(&c);
	CHECK(args(&c, "--addr", "198.18.0.2/24,2001:db8::2/64", "--client",
		"[2001:db8::1]:8080", "--src-ips",
		"2001:db8::100-2001:db8::1ff", "--http", NULL) == 0 &&
		sk_config_validate(&c, err, sizeof(err)) == 0 &&
		sk_config_client(&c, &cc, err, sizeof(err)) == 0 &&
		cc.v6 && cc.target6[15] == 1 && cc.tport == RTE_BE16(8080) &&
		cc.src6[0] == 0x20 && cc.src6[1] == 0x01 &&
		cc.src_lo == 0x100 && cc.src_hi == 0x1ff &&
		strstr((const char *)cc.req, "Host: [2001:db8::1]\r\n") != NULL,
		"client6: target, sources and the HTTP Host in brackets: %s",
		err);
	sk_config_defaults(&c);
	CHECK(args(&c, "--addr", "2001:db8::2/64", "--client",
		"[2001:db8::1]:8080", NULL) == 0 &&
		sk_config_validate(&c, err, sizeof(err)) == 0 &&
		sk_config_client(&c, &cc, err, sizeof(err)) == 0 &&
		cc.src_lo == 2 && cc.src_hi == 2,
		"client6: our first IPv6 address by default: %s", err);
	CHECK(load_text(&c, "[engine]\naddresses = 2001:db8::2/64\n"
		"[client]\ntarget = [2001:db8::1]:8080\n") == 0,
		"client6: IPv6 target in a file: %s", err);
	sk_config_defaults(&c);
	CHECK(args(&c, "--addr", "2001:db8::2/64", "--client",
		"198.18.0.1:80", NULL) == 0 &&
		sk_config_validate(&c, err, sizeof(err)) == -1 &&
		has("no IPv4 address"),
		"client: an IPv4 target needs an IPv4 address: %s", err);
	sk_config_defaults(&c);
	CHECK(args(&c, "--addr", "2001:db8::2/64", "--client",
		"198.18.0.1:80", "--src-ips", "198.18.0.5", NULL) == 0 &&
		sk_config_validate(&c, err, sizeof(err)) == -1 &&
		has("no IPv4 address"),
		"client: IPv6 addresses only refused with IPv4 src_ips too: %s",
		err);
	sk_config_defaults(&c);
	CHECK(args(&c, "--addr", "198.18.0.2/24,2001:db8::2/64", "--client",
		"198.18.0.1:80", NULL) == 0 &&
		sk_config_validate(&c, err, sizeof(err)) == 0 &&
		sk_config_client(&c, &cc, err, sizeof(err)) == 0 &&
		cc.src_lo == 0xc6120002, "client: dual stack uses the IPv4 "
		"address: %s", err);
	sk_config_defaults(&c);
	CHECK(args(&c, "--addr", "198.18.0.2/24", "--listen", "8080:hello",
		"--client", "198.18.0.1:80", NULL) == 0 &&
		sk_config_validate(&c, err, sizeof(err)) == -1 &&
		has("listening port 8080"),
		"client: source ports must not include a listening port");
}

/*
 * What rte_cfgfile itself does with a file, as sk_config_ini.c relies on
 * it (repeated keys, "\;") and as it explains check_syntax() in front of
 * it (what rte_cfgfile skips or cuts without a word). When a check of the
 * second kind fails, DPDK changed: check_syntax() may be able to shrink.
 */
static void
test_rte_cfgfile(void)
{
	struct rte_cfgfile_entry ent[4];
	struct rte_cfgfile *cf;
	char sec[CFG_NAME_LEN], text[400];
	int n;

	cf = rte_cfgfile_load(write_ini("[engine]\naddresses = 198.18.0.2\n"
		"mss = 1400\naddresses = 2001:db8::2 ; two\n"),
		CFG_FLAG_EMPTY_VALUES);
	n = cf == NULL ? -1 : rte_cfgfile_section_entries_by_index(cf, 0, sec,
		ent, 4);
	CHECK(n == 3 && strcmp(ent[0].name, "addresses") == 0 &&
		strcmp(ent[0].value, "198.18.0.2") == 0 &&
		strcmp(ent[2].name, "addresses") == 0 &&
		strcmp(ent[2].value, "2001:db8::2") == 0,
		"rte_cfgfile: a repeated key kept, in file order");
	rte_cfgfile_close(cf);

	cf = rte_cfgfile_load(write_ini("[s]\na = x\\;y\\;z\nb = x;y\n"
		"c = x#y\nd = x\\\\;y\n"), CFG_FLAG_EMPTY_VALUES);
	CHECK(cf != NULL &&
		strcmp(rte_cfgfile_get_entry(cf, "s", "a"), "x;y;z") == 0 &&
		strcmp(rte_cfgfile_get_entry(cf, "s", "b"), "x") == 0 &&
		strcmp(rte_cfgfile_get_entry(cf, "s", "c"), "x#y") == 0 &&
		strcmp(rte_cfgfile_get_entry(cf, "s", "d"), "x\\;y") == 0,
		"rte_cfgfile: '\\;' a literal ';', '#' no comment");
	rte_cfgfile_close(cf);

	/* what check_syntax() is for */
	cf = rte_cfgfile_load(write_ini("[engine] junk\nmss 1400\n# note\n"
		"burst = 8\n"), CFG_FLAG_EMPTY_VALUES);
	CHECK(cf != NULL && rte_cfgfile_num_sections(cf, NULL, 0) == 1 &&
		rte_cfgfile_section_num_entries(cf, "engine") == 1,
		"rte_cfgfile: skips a line without '=', takes '[engine] junk'");
	rte_cfgfile_close(cf);
	memset(text, 'x', sizeof(text));
	memcpy(text, "[s]\nk = ", 8);
	text[8 + 300] = '\n';
	text[8 + 301] = '\0';
	cf = rte_cfgfile_load(write_ini(text), CFG_FLAG_EMPTY_VALUES);
	CHECK(cf != NULL && rte_cfgfile_get_entry(cf, "s", "k") != NULL &&
		strlen(rte_cfgfile_get_entry(cf, "s", "k")) == CFG_VALUE_LEN - 1,
		"rte_cfgfile: cuts a long value short without a word");
	rte_cfgfile_close(cf);
	cf = rte_cfgfile_load(write_ini("mss = 1400\n[engine]\n"),
		CFG_FLAG_EMPTY_VALUES);
	CHECK(cf == NULL, "rte_cfgfile: a key before any section: NULL, "
		"no line given back");
	rte_cfgfile_close(cf);
}

/* Strings holding the comment character (and '#', and a backslash before
 * a ';') print as a file that reads back the same: sk_config_print
 * writes ';' as "\;", rte_cfgfile's literal one. */
static void
test_print_comment_chars(void)
{
	static const char request[] = "GET /a;b?c#d HTTP/1.0\\r\\n;";
	struct sk_config c, back;
	char *text, *sec, many[200];

	sk_config_defaults(&c);
	CHECK(args(&c, "--addr", "198.18.0.2/24", "--listen", "80:hello",
		"--client", "198.18.0.1:8080", "--request", request, "--expect",
		"#ok; \\; done", "--stats-file", "/tmp/a;b#c\\;d",
		"--log-level", "synack.*:debug;", NULL) == 0,
		"comment chars: options taken: %s", err);
	text = print_to_string(&c);
	CHECK(strstr(text, "request = GET /a\\;b?c#d HTTP/1.0\\r\\n\\;\n") !=
		NULL && strstr(text, "file = /tmp/a\\;b#c\\\\;d\n") != NULL,
		"comment chars: ';' printed as '\\;', '#' as it is");
	sec = strstr(text, "\nsecret = (");
	if (sec == NULL)
		abort();
	sec[1] = ';';  /* "(random)" is not a value */
	sk_config_defaults(&back);
	err[0] = '\0';
	CHECK(sk_config_load(&back, write_ini(text), err, sizeof(err)) == 0,
		"comment chars: the printed file loads: %s", err);
	CHECK(strcmp(back.client_request, request) == 0 &&
		strcmp(back.client_expect, "#ok; \\; done") == 0 &&
		strcmp(back.stats_file, "/tmp/a;b#c\\;d") == 0 &&
		strcmp(back.log_level, "synack.*:debug;") == 0 &&
		strcmp(back.client_target, c.client_target) == 0,
		"comment chars: read back the same");
	free(text);

	/* a value must fit an INI line once printed: 128 ';' are 256 */
	memset(many, ';', 128);
	many[128] = '\0';
	CHECK(fails_with("--request", many, NULL, "--request",
		"too long", "counting two", NULL),
		"comment chars: too long once escaped, refused");
	many[127] = '\0';
	sk_config_defaults(&c);
	CHECK(args(&c, "--request", many, NULL) == 0,
		"comment chars: 127 of them fit: %s", err);
}

/* The [client] section parsed once, at finalize: every engine copies
 * c.client (plain data) instead of parsing the strings again. */
static void
test_client_finalize(void)
{
	struct sk_config c, copy;
	struct sk_client_cfg cc;

	sk_config_defaults(&c);
	CHECK(!c.client.ready, "finalize: not parsed after defaults");
	CHECK(args(&c, "--addr", "198.18.0.2/24", "--listen", "80:hello",
		NULL) == 0 && sk_config_finalize(&c, err, sizeof(err)) == 0 &&
		!c.client.ready && c.client.tport == 0,
		"finalize: server role, nothing parsed: %s", err);
	CHECK(args(&c, "--addr", "198.18.0.2/24,2001:db8::2/64", "--client",
		"[2001:db8::1]:8080", "--src-ips",
		"2001:db8::100-2001:db8::1ff", "--gateway-mac",
		"02:00:00:00:00:09", "--expect", "ok\\x21", "--close", "rst",
		NULL) == 0 && !c.client.ready &&
		sk_config_finalize(&c, err, sizeof(err)) == 0,
		"finalize: an IPv6 client: %s", err);
	CHECK(c.client.ready && c.client.v6 &&
		c.client.tport == rte_cpu_to_be_16(8080) &&
		c.client.target6[0] == 0x20 && c.client.target6[15] == 1 &&
		c.client.src_lo == 0x100 && c.client.src_hi == 0x1ff &&
		c.client.sport_lo == 1024 && c.client.sport_hi == 65535 &&
		c.client.close == SK_CLOSE_RST && c.client.have_gw_mac &&
		c.client.gw_mac[5] == 9 && c.client.exp_len == 3 &&
		memcmp(c.client.exp, "ok!", 3) == 0,
		"finalize: c.client holds the parsed section");
	CHECK(sk_config_client(&c, &cc, err, sizeof(err)) == 0 &&
		!cc.ready && (cc.ready = true, memcmp(&cc, &c.client,
			sizeof(cc)) == 0),
		"finalize: c.client is what sk_config_client() gives");
	copy = c;
	CHECK(copy.client.ready && copy.client.src_hi == 0x1ff &&
		sk_config_validate(&copy, err, sizeof(err)) == 0,
		"finalize: a copy (the engine's) keeps it, and validates");
	CHECK(sk_config_load(&c, write_ini("[client]\nsrc_ports = "
		"5000-5009\n"), err, sizeof(err)) == 0 && !c.client.ready,
		"finalize: a file read after it undoes it");
	CHECK(sk_config_finalize(&c, err, sizeof(err)) == 0 &&
		c.client.ready && c.client.sport_lo == 5000 &&
		c.client.sport_hi == 5009, "finalize: again, the new ports");
	sk_config_defaults(&c);
	CHECK(args(&c, "--addr", "198.18.0.2/24", "--client",
		"198.18.0.1:8080", "--close", "later", NULL) == 0 &&
		sk_config_finalize(&c, err, sizeof(err)) == -1 &&
		has("[client] close") && has("'later'") && !c.client.ready,
		"finalize: a bad section is refused, named");
	sk_config_defaults(&c);
	CHECK(args(&c, "--addr", "198.18.0.2/24", NULL) == 0 &&
		sk_config_finalize(&c, err, sizeof(err)) == -1 &&
		has("no listening port"), "finalize: validates the whole");
}

/* --- [proxy] (issue 14) ------------------------------------------------- */

static void
ip6(const char *s, uint8_t *a)
{
	if (inet_pton(AF_INET6, s, a) != 1)
		abort();
}

static bool
same_backends(const struct sk_config *a, const struct sk_config *b)
{
	if (a->n_backends != b->n_backends)
		return false;
	for (unsigned int i = 0; i < a->n_backends; i++) {
		const struct sk_config_backend *x = &a->backends[i];
		const struct sk_config_backend *y = &b->backends[i];

		if (x->family != y->family || x->port != y->port ||
				x->lport != y->lport ||
				(x->family == 4 && x->addr != y->addr) ||
				(x->family == 6 &&
				 memcmp(x->addr6, y->addr6, 16) != 0))
			return false;
	}
	return true;
}

static bool
same_proxy(const struct sk_config *a, const struct sk_config *b)
{
	return same_backends(a, b) &&
		a->proxy_connect_ms == b->proxy_connect_ms &&
		a->proxy_syn_rto_ms == b->proxy_syn_rto_ms &&
		a->proxy_port_lo == b->proxy_port_lo &&
		a->proxy_port_hi == b->proxy_port_hi &&
		a->proxy_protocol == b->proxy_protocol;
}

/* A valid proxy: 198.18.0.2/24 and 2001:db8::2/64 ours, 8080 proxied to
 * one backend of each family. */
static void
proxy_config(struct sk_config *c)
{
	valid_config(c);
	c->n_addrs6 = 1;
	ip6("2001:db8::2", c->addrs6[0].addr);
	c->addrs6[0].prefix = 64;
	c->listen[0].app = SK_APP_PROXY;
	c->n_backends = 2;
	c->backends[0].family = 4;
	c->backends[0].addr = ip("198.18.0.3");
	c->backends[0].port = 8080;
	c->backends[1].family = 6;
	ip6("2001:db8::3", c->backends[1].addr6);
	c->backends[1].port = 8081;
}

/* Validate @p c; true when it fails with a message holding @p s. */
static bool
invalid(const struct sk_config *c, const char *s)
{
	err[0] = '\0';
	return sk_config_validate(c, err, sizeof(err)) == -1 && has(s);
}

/* Print @p c, read the text back over defaults into @p back. */
static int
print_load(const struct sk_config *c, struct sk_config *back, char **text)
{
	char *secret;

	*text = print_to_string(c);
	/* "(random)" or "(set)" is no secret to read: a comment instead */
	secret = strstr(*text, "\nsecret = (");
	if (secret != NULL)
		secret[1] = ';';
	sk_config_defaults(back);
	err[0] = '\0';
	return sk_config_load(back, write_ini(*text), err, sizeof(err));
}

static void
test_proxy_values(void)
{
	struct sk_config c, back;
	uint8_t a6[16];
	char *text;

	sk_config_defaults(&c);
	CHECK(c.n_backends == 0 && c.proxy_connect_ms == 3000 &&
		c.proxy_syn_rto_ms == 1000 && c.proxy_port_lo == 32768 &&
		c.proxy_port_hi == 60999 && !c.proxy_protocol,
		"proxy defaults: no backend, 3s, 1s, 32768-60999, no PROXY "
		"header");

	CHECK(load_text(&c, "[engine]\n"
		"addresses = 198.18.0.2/24, 2001:db8::2/64\n"
		"listen = 8080:proxy, 80:http\n"
		"[proxy]\n"
		"backends = 198.18.0.3:8080, [2001:db8::3]:443 ,10.0.0.9:1\n"
		"connect_timeout = 500ms\n"
		"syn_rto = 200ms\n"
		"source_ports = 40000-40999\n"
		"proxy_protocol = yes\n") == 0, "[proxy] file loads: %s", err);
	ip6("2001:db8::3", a6);
	CHECK(c.n_listen == 2 && c.listen[0].app == SK_APP_PROXY &&
		c.listen[0].port == 8080, "listen 8080:proxy");
	CHECK(c.n_backends == 3 && c.backends[0].family == 4 &&
		c.backends[0].addr == ip("198.18.0.3") &&
		c.backends[0].port == 8080 && c.backends[1].family == 6 &&
		memcmp(c.backends[1].addr6, a6, 16) == 0 &&
		c.backends[1].port == 443 && c.backends[2].family == 4 &&
		c.backends[2].addr == ip("10.0.0.9") && c.backends[2].port == 1,
		"file: backends of both families, in order");
	CHECK(c.proxy_connect_ms == 500 && c.proxy_syn_rto_ms == 200 &&
		c.proxy_port_lo == 40000 && c.proxy_port_hi == 40999 &&
		c.proxy_protocol, "file: connect_timeout, syn_rto, "
		"source_ports, proxy_protocol");
	CHECK(sk_config_validate(&c, err, sizeof(err)) == 0,
		"[proxy] file validates: %s", err);

	CHECK(print_load(&c, &back, &text) == 0 && same_proxy(&c, &back) &&
		same_config(&c, &back), "[proxy] print loads back the same: %s",
		err);
	CHECK(strstr(text, "[proxy]\nbackends = 198.18.0.3:8080, "
		"[2001:db8::3]:443, 10.0.0.9:1\nconnect_timeout = 500ms\n"
		"syn_rto = 200ms\ntime_wait = 5s\nsource_ports = 40000-40999\n"
		"proxy_protocol = yes\n") != NULL, "print: [proxy] section");
	CHECK(strstr(text, "listen = 8080:proxy, 80:http\n") != NULL,
		"print: listen 8080:proxy");
	free(text);

	/* the defaults print and read back too: "backends =" is none */
	valid_config(&c);
	CHECK(print_load(&c, &back, &text) == 0 && same_proxy(&c, &back) &&
		back.n_backends == 0, "defaults' [proxy] reads back: %s", err);
	CHECK(strstr(text, "[proxy]\nbackends =\nconnect_timeout = 3s\n"
		"syn_rto = 1s\ntime_wait = 5s\nsource_ports = 32768-60999\n"
		"proxy_protocol = no\n") != NULL, "print: [proxy] defaults");
	free(text);

	/* SK_MAX_BACKENDS long IPv6 ones and IPv4 ones: over several lines */
	proxy_config(&c);
	c.n_backends = SK_MAX_BACKENDS;
	for (unsigned int i = 0; i < SK_MAX_BACKENDS; i++) {
		struct sk_config_backend *b = &c.backends[i];
		char a[64];

		b->port = (uint16_t)(65535 - i);
		if (i % 4 == 3) {
			b->family = 4;
			b->addr = htonl(0xc6120010u + i);
			continue;
		}
		b->family = 6;
		snprintf(a, sizeof(a), "2001:db8:ffff:ffff:ffff:ffff:ffff:%x",
			0xff00 + i);
		ip6(a, b->addr6);
	}
	CHECK(print_load(&c, &back, &text) == 0 && same_proxy(&c, &back),
		"16 backends print and read back: %s", err);
	{
		const char *p = text;
		unsigned int lines = 0;

		while ((p = strstr(p, "\nbackends = ")) != NULL) {
			lines++;
			p++;
		}
		CHECK(lines >= 3 && strstr(text, "[2001:db8:ffff:ffff:ffff:"
			"ffff:ffff:ff00]:65535, ") != NULL &&
			strstr(text, "198.18.0.31:65520") != NULL,
			"a long backend list goes on over %u lines", lines);
	}
	free(text);
	CHECK(load_text(&c, "[proxy]\nbackends = 10.0.0.1:80\n"
		"backends = [2001:db8::1]:80\n") == 0 && c.n_backends == 2 &&
		c.backends[1].family == 6, "file: a second backends line adds");
	CHECK(load_text(&c, "[proxy]\nbackends =\n") == 0 &&
		c.n_backends == 0, "file: empty backends = none");
	CHECK(load_text(&c, "[proxy]\nbackends = 8443=10.0.0.1:443, "
		"10.0.0.2:80, 8443=[2001:db8::1]:443\n") == 0 &&
		c.n_backends == 3 && c.backends[0].lport == 8443 &&
		c.backends[0].port == 443 && c.backends[1].lport == 0 &&
		c.backends[2].lport == 8443 && c.backends[2].family == 6,
		"file: a proxied port's own backends (LPORT=), both families");
	{
		struct sk_config back;

		proxy_config(&c);
		c.n_listen = 2;
		c.listen[1].port = 8443;
		c.listen[1].app = SK_APP_PROXY;
		c.backends[1].lport = 8443;
		CHECK(print_load(&c, &back, &text) == 0 &&
			same_proxy(&c, &back) &&
			strstr(text, "backends = 198.18.0.3:8080, "
				"8443=[2001:db8::3]:8081\n") != NULL,
			"a port's own backend prints as LPORT= and reads back: "
			"%s", err);
		free(text);
	}
	CHECK(load_text(&c, "[proxy]\nsource_ports = 5000\n") == 0 &&
		c.proxy_port_lo == 5000 && c.proxy_port_hi == 5000,
		"file: source_ports one port");
	CHECK(load_text(&c, "[proxy]\nproxy_protocol = off\n") == 0 &&
		!c.proxy_protocol, "file: proxy_protocol off");

	/* options */
	sk_config_defaults(&c);
	CHECK(args(&c, "--addr", "198.18.0.2/24", "--listen", "443:proxy",
		"--backend", "10.1.0.5:443,10.1.0.6:443", "--backend",
		"[2001:db8::5]:443", "--proxy-connect-timeout", "250ms",
		"--proxy-syn-rto", "50ms", "--proxy-source-ports", "2000-2999",
		"--proxy-protocol", NULL) == 0, "proxy options: %s", err);
	CHECK(c.n_backends == 3 && c.backends[0].addr == ip("10.1.0.5") &&
		c.backends[1].addr == ip("10.1.0.6") &&
		c.backends[2].family == 6 && c.backends[2].port == 443 &&
		c.proxy_connect_ms == 250 && c.proxy_syn_rto_ms == 50 &&
		c.proxy_port_lo == 2000 && c.proxy_port_hi == 2999 &&
		c.proxy_protocol, "--backend twice adds, --proxy-* set");
	sk_config_defaults(&c);
	CHECK(args(&c, "-f", write_ini("[proxy]\nbackends = 10.0.0.1:80, "
		"10.0.0.2:80\nproxy_protocol = yes\n"), "--backend",
		"10.0.0.3:81", NULL) == 0 && c.n_backends == 1 &&
		c.backends[0].addr == ip("10.0.0.3") &&
		c.backends[0].port == 81 && c.proxy_protocol,
		"the first --backend replaces the file's backends");
	sk_config_defaults(&c);
	CHECK(args(&c, "-f", write_ini("[proxy]\nbackends = 10.0.0.1:80\n"),
		"--backend", "", NULL) == 0 && c.n_backends == 0,
		"--backend '' clears the file's backends");
	{
		int ret;

		sk_config_defaults(&c);
		text = capture_stdout(run_help, &c, &ret);
		CHECK(ret == 1 &&
			strstr(text, "--backend [LPORT=]IP:PORT") != NULL &&
			strstr(text, "--proxy-connect-timeout DUR") != NULL &&
			strstr(text, "--proxy-syn-rto DUR") != NULL &&
			strstr(text, "--proxy-source-ports X-Y") != NULL &&
			strstr(text, "--proxy-protocol") != NULL &&
			strstr(text, "default: 32768-60999") != NULL &&
			strstr(text, "hold or proxy") != NULL,
			"--help lists the proxy options");
		free(text);
	}
}

static void
test_proxy_value_errors(void)
{
	struct sk_config c;
	char list[18 * 16];
	size_t n = 0;

	CHECK(fails_with("--backend", "198.18.0.3", NULL, "--backend",
		"bad backend '198.18.0.3'", "IP:PORT", NULL),
		"--backend without a port");
	CHECK(fails_with("--backend", "198.18.0.3:0", NULL, "--backend",
		"bad port '0' in '198.18.0.3:0' (1..65535)", NULL),
		"--backend port 0");
	CHECK(fails_with("--backend", "198.18.0.3:65536", NULL, "'65536'",
		NULL), "--backend port 65536");
	CHECK(fails_with("--backend", "198.18.0.3:80x", NULL, "'80x'", NULL),
		"--backend junk after the port");
	CHECK(fails_with("--backend", "198.18.0:80", NULL,
		"bad IPv4 address '198.18.0'", NULL), "--backend bad IPv4");
	CHECK(fails_with("--backend", "2001:db8::3:8080", NULL, "--backend",
		"'2001:db8::3:8080'", "brackets", NULL),
		"--backend IPv6 without brackets");
	CHECK(fails_with("--backend", "[2001:db8::3]8080", NULL,
		"bad backend '[2001:db8::3]8080'", NULL),
		"--backend no colon after ']'");
	CHECK(fails_with("--backend", "[2001:db8::3:8080", NULL,
		"bad backend", NULL), "--backend no ']'");
	CHECK(fails_with("--backend", "[2001:db8::zz]:80", NULL,
		"bad IPv6 address '2001:db8::zz'", NULL), "--backend bad IPv6");
	CHECK(fails_with("--backend", "[198.18.0.3]:80", NULL,
		"bad IPv6 address", NULL), "--backend IPv4 in brackets");
	CHECK(fails_with("--backend", "127.0.0.1:80", NULL,
		"'127.0.0.1:80' cannot be a backend", "loopback", NULL),
		"--backend loopback");
	CHECK(fails_with("--backend", "224.0.0.1:80", NULL, "multicast",
		NULL), "--backend multicast");
	CHECK(fails_with("--backend", "240.0.0.1:80", NULL, "reserved",
		NULL), "--backend class E (the flow table's IPv6 marker)");
	CHECK(fails_with("--backend", "0.0.0.0:80", NULL, "unspecified",
		NULL), "--backend 0.0.0.0");
	CHECK(fails_with("--backend", "[::1]:80", NULL, "loopback", NULL),
		"--backend ::1");
	CHECK(fails_with("--backend", "[ff02::1]:80", NULL, "multicast", NULL),
		"--backend IPv6 multicast");
	CHECK(fails_with("--backend", "[::ffff:10.0.0.1]:80", NULL,
		"IPv4-mapped", NULL), "--backend IPv4-mapped IPv6");
	CHECK(fails_with("--backend", "10.0.0.1:80, 10.0.0.1:80", NULL,
		"--backend: duplicate backend '10.0.0.1:80'", NULL),
		"--backend duplicate");
	CHECK(fails_with("--backend", "[2001:db8::1]:80",
		"--backend", "[2001:db8:0::1]:80", NULL,
		"duplicate backend '[2001:db8:0::1]:80'", NULL),
		"--backend duplicate IPv6 spelt differently, two options");
	sk_config_defaults(&c);
	CHECK(args(&c, "--backend", "10.0.0.1:80,10.0.0.1:81,"
		"[2001:db8::1]:80,10.0.0.2:80", NULL) == 0 &&
		c.n_backends == 4, "same address, other port: two backends");
	CHECK(fails_with("--backend", "10.0.0.1:80,,10.0.0.2:80", NULL,
		"empty entry", NULL), "--backend empty entry");
	CHECK(fails_with("--backend", "0=10.0.0.1:80", NULL, "--backend",
		"bad proxied port in '0=10.0.0.1:80' (LPORT=IP:PORT, LPORT "
		"1..65535)", NULL), "--backend proxied port 0");
	CHECK(fails_with("--backend", "x=10.0.0.1:80", NULL,
		"bad proxied port in 'x=10.0.0.1:80'", NULL),
		"--backend proxied port not a number");
	CHECK(fails_with("--backend", "=10.0.0.1:80", NULL,
		"bad proxied port", NULL), "--backend '=' alone");
	CHECK(fails_with("--backend", "443=10.0.0.1", NULL,
		"bad backend '443=10.0.0.1'", NULL),
		"--backend LPORT= without a port");
	CHECK(fails_with("--backend", "443=127.0.0.1:80", NULL,
		"'443=127.0.0.1:80' cannot be a backend", NULL),
		"--backend LPORT= names the whole entry in messages");
	CHECK(fails_with("--backend", "443=10.0.0.1:80,444=10.0.0.1:80", NULL,
		"duplicate backend '444=10.0.0.1:80'", NULL),
		"--backend the same server for two ports");
	for (unsigned int i = 0; i <= SK_MAX_BACKENDS; i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s10.0.0.%u:80",
			i ? "," : "", i + 1);
	CHECK(fails_with("--backend", list, NULL, "more than 16 backends",
		"'10.0.0.17:80'", NULL), "--backend: 17 backends");
	list[n - strlen(",10.0.0.17:80")] = '\0';
	sk_config_defaults(&c);
	CHECK(args(&c, "--backend", list, NULL) == 0 && c.n_backends == 16,
		"--backend: 16 backends are accepted");
	CHECK(load_text(&c, "[proxy]\nbackends = 10.0.0.1:80\n"
		"backends = 10.0.0.1:80\n") == -1 &&
		has("[proxy] backends: duplicate backend '10.0.0.1:80'"),
		"file: a duplicate over two lines");

	CHECK(fails_with("--proxy-connect-timeout", "3", NULL,
		"--proxy-connect-timeout", "needs a unit", NULL),
		"--proxy-connect-timeout without a unit");
	CHECK(fails_with("--proxy-connect-timeout", "0", NULL,
		"out of range (10ms..300s)", NULL),
		"--proxy-connect-timeout 0");
	CHECK(fails_with("--proxy-connect-timeout", "6m", NULL,
		"'6m' out of range", NULL), "--proxy-connect-timeout 6m");
	CHECK(fails_with("--proxy-syn-rto", "5ms", NULL, "--proxy-syn-rto",
		"'5ms' out of range (10ms..60s)", NULL), "--proxy-syn-rto 5ms");
	CHECK(fails_with("--proxy-source-ports", "9-8", NULL,
		"--proxy-source-ports: '9-8' is not X or X-Y", NULL),
		"--proxy-source-ports empty range");
	CHECK(fails_with("--proxy-source-ports", "0-8", NULL, "'0-8'", NULL),
		"--proxy-source-ports port 0");
	CHECK(fails_with("--proxy-source-ports", "1-65536", NULL,
		"'1-65536'", NULL), "--proxy-source-ports past 65535");
	CHECK(fails_with("--proxy-source-ports", "100-", NULL, "'100-'", NULL),
		"--proxy-source-ports no end");
	CHECK(fails_with("--proxy-source-ports", "", NULL,
		"--proxy-source-ports: ''", NULL), "--proxy-source-ports empty");
	CHECK(fails_with("--proxy-source-ports", "1000:2000", NULL,
		"'1000:2000'", NULL), "--proxy-source-ports with a colon");
	CHECK(load_text(&c, "[proxy]\nproxy_protocol = maybe\n") == -1 &&
		has("[proxy] proxy_protocol: 'maybe' is not yes or no"),
		"file: proxy_protocol not a bool");
	CHECK(load_text(&c, "[proxy]\nsyn_rto = 1\n") == -1 &&
		has("[proxy] syn_rto") && has("needs a unit"),
		"file: syn_rto without a unit");
	CHECK(load_text(&c, "[proxy]\nbackend = 10.0.0.1:80\n") == -1 &&
		has("unknown key 'backend' in [proxy]"),
		"file: unknown key in [proxy]");
	CHECK(load_text(&c, "[proxies]\n") == -1 &&
		has("unknown section [proxies]") && has("log, proxy, client"),
		"file: unknown section, [proxy] among the known ones");
	CHECK(fails_with("--proxy-protocol=yes", NULL,
		"option '--proxy-protocol' takes no value", NULL),
		"--proxy-protocol is a flag: a value is an error, named");

	/* two arms */
	sk_config_defaults(&c);
	CHECK(args(&c, "--addr", "10.0.0.2/24", "--addr", "10.1.0.2/24",
		"--listen", "80:proxy", "--backend", "10.1.0.3:80", "--port",
		"net_tap0", "--proxy-port", "net_tap1", NULL) == 0 &&
		strcmp(c.proxy_port, "net_tap1") == 0,
		"--proxy-port with --port: two arms");
	CHECK(load_text(&c, "[engine]\naddresses = 10.0.0.2/24\n"
		"listen = 80:proxy\n[port]\ndevice = 0\n[proxy]\n"
		"backends = 10.0.0.3:80\nport = 1\n") == 0 &&
		strcmp(c.proxy_port, "1") == 0, "file: [proxy] port");
	CHECK(sk_config_validate(&c, err, sizeof(err)) == 0,
		"[proxy] port 1 beside [port] device 0: valid: %s", err);
	c.port[0] = '\0';
	CHECK(invalid(&c, "[proxy] port: set, but not [port] device"),
		"--proxy-port without --port");
	snprintf(c.port, sizeof(c.port), "1");
	CHECK(invalid(&c, "[proxy] port: '1' is also [port] device"),
		"--proxy-port the same as --port");
	sk_config_defaults(&c);
	CHECK(args(&c, "--addr", "10.0.0.2/24", "--listen", "80:hello",
		"--port", "net_tap0", "--proxy-port", "net_tap1", NULL) == 0 &&
		invalid(&c, "[proxy] port: set, but no port is proxied"),
		"--proxy-port without a proxied port");
}

static void
test_proxy_validate(void)
{
	struct sk_config c;

	proxy_config(&c);
	CHECK(sk_config_validate(&c, err, sizeof(err)) == 0,
		"valid proxy: %s", err);

	/* a proxied port needs a backend, backends a proxied port */
	proxy_config(&c);
	c.n_backends = 0;
	CHECK(invalid(&c, "[engine] listen: port 8080 is proxy but no backend "
		"serves it: set [proxy] backends or --backend (IP:PORT for "
		"every proxied port, 8080=IP:PORT for this one)"),
		"a proxied port without a backend");

	/* per-port sets: LPORT= must name a proxied port; a port with no
	 * set of its own needs a backend for every port; one for every port
	 * must serve some port */
	proxy_config(&c);
	c.n_listen = 2;
	c.listen[1].port = 8443;
	c.listen[1].app = SK_APP_PROXY;
	c.backends[1].lport = 8443;
	CHECK(sk_config_validate(&c, err, sizeof(err)) == 0,
		"8080 to the IPv4 backend, 8443 to its own IPv6 one: %s", err);
	c.backends[0].lport = 8080;
	CHECK(sk_config_validate(&c, err, sizeof(err)) == 0,
		"two ports, each its own set: %s", err);
	c.backends[0].lport = 9999;
	CHECK(invalid(&c, "[proxy] backends: '9999=198.18.0.3:8080': port "
		"9999 is not proxied (add 9999:proxy to [engine] listen)"),
		"a set for a port that is not proxied");
	c.backends[0].lport = 8443;
	CHECK(invalid(&c, "[engine] listen: port 8080 is proxy but no backend "
		"serves it") && has("8080=IP:PORT for this one"),
		"a proxied port left without a backend by the sets");
	c.backends[0].lport = 8080;
	c.n_backends = 3;
	c.backends[2].family = 4;
	c.backends[2].addr = ip("198.18.0.4");
	c.backends[2].port = 80;
	CHECK(invalid(&c, "[proxy] backends: '198.18.0.4:80' serves no port: "
		"every proxied port has backends of its own"),
		"a backend for every port when each has its own");
	c.backends[2] = c.backends[0];
	c.backends[2].lport = 8443;
	CHECK(invalid(&c, "duplicate backend '8443=198.18.0.3:8080' (a server "
		"is in one port's set, or in the set of every port)"),
		"the same server in two ports' sets");
	proxy_config(&c);
	c.listen[0].app = SK_APP_HELLO;
	CHECK(invalid(&c, "[proxy] backends: set, but no port is proxied") &&
		has("--listen 8080:proxy"), "backends without a proxied port");

	/* each backend's family needs an address of ours */
	proxy_config(&c);
	c.n_addrs6 = 0;
	CHECK(invalid(&c, "[proxy] backends: '[2001:db8::3]:8081': no IPv6 "
		"address of ours to connect from (add one to [engine] "
		"addresses or --addr)"), "IPv6 backend, no IPv6 address of ours");
	proxy_config(&c);
	c.n_addrs = 0;
	CHECK(invalid(&c, "'198.18.0.3:8080': no IPv4 address of ours"),
		"IPv4 backend, no IPv4 address of ours");
	proxy_config(&c);
	c.n_addrs6 = 0;
	c.n_backends = 1;
	CHECK(sk_config_validate(&c, err, sizeof(err)) == 0,
		"IPv4 only, IPv4 backend: %s", err);

	/* a backend is not ours */
	proxy_config(&c);
	c.backends[0].addr = ip("198.18.0.2");
	CHECK(invalid(&c, "[proxy] backends: '198.18.0.2:8080' is one of our "
		"addresses"), "an IPv4 backend that is ours");
	proxy_config(&c);
	ip6("2001:db8::2", c.backends[1].addr6);
	CHECK(invalid(&c, "'[2001:db8::2]:8081' is one of our addresses"),
		"an IPv6 backend that is ours");

	/* set in code: what the parser refuses, validation refuses too */
	proxy_config(&c);
	c.backends[1] = c.backends[0];
	CHECK(invalid(&c, "duplicate backend '198.18.0.3:8080'"),
		"duplicate backend set in code");
	proxy_config(&c);
	c.backends[0].port = 0;
	CHECK(invalid(&c, "'198.18.0.3:0': port 0"), "backend port 0 in code");
	proxy_config(&c);
	c.backends[0].family = 0;
	CHECK(invalid(&c, "no address family"), "backend family 0 in code");
	proxy_config(&c);
	c.backends[0].addr = ip("127.0.0.9");
	CHECK(invalid(&c, "cannot be a backend") && has("loopback"),
		"loopback backend set in code");
	proxy_config(&c);
	c.n_backends = SK_MAX_BACKENDS + 1;
	CHECK(invalid(&c, "17 backends, at most 16"), "17 backends in code");

	/* source ports */
	proxy_config(&c);
	c.proxy_port_lo = 5000;
	c.proxy_port_hi = 4999;
	CHECK(invalid(&c, "[proxy] source_ports: '5000-4999' is not X-Y"),
		"source ports lo > hi in code");
	proxy_config(&c);
	c.proxy_port_lo = 0;
	CHECK(invalid(&c, "[proxy] source_ports: '0-60999'"),
		"source port 0 in code");
	proxy_config(&c);
	c.n_listen = 2;
	c.listen[1].port = 40000;
	c.listen[1].app = SK_APP_HTTP;
	CHECK(invalid(&c, "[proxy] source_ports: 32768-60999 includes "
		"listening port 40000 (--proxy-source-ports"),
		"the default source ports hold a listening port");
	c.proxy_port_lo = 40001;
	CHECK(sk_config_validate(&c, err, sizeof(err)) == 0,
		"source ports beside the listening port: %s", err);
	c.proxy_port_lo = 40000;
	c.proxy_port_hi = 40000;
	CHECK(invalid(&c, "40000-40000 includes listening port 40000"),
		"one source port, the listening one");
	proxy_config(&c);
	c.listen[0].port = 32768;
	CHECK(invalid(&c, "includes listening port 32768"),
		"the proxied port itself in the source ports");
	valid_config(&c);
	c.listen[0].port = 40000;
	CHECK(sk_config_validate(&c, err, sizeof(err)) == 0,
		"no proxy: the source ports are not looked at: %s", err);

	/* not with the client role yet */
	proxy_config(&c);
	strcpy(c.client_target, "198.18.0.1:80");
	CHECK(invalid(&c, "[proxy] cannot be combined with [client] yet"),
		"proxy and client");
	c.n_listen = 0;
	CHECK(invalid(&c, "[proxy] cannot be combined with [client] yet"),
		"backends and a client only engine");
	sk_config_defaults(&c);
	CHECK(args(&c, "--addr", "198.18.0.2/24", "--listen", "8080:proxy",
		"--backend", "198.18.0.3:80", "--client", "198.18.0.1:80",
		NULL) == 0 && sk_config_finalize(&c, err, sizeof(err)) == -1 &&
		has("[proxy] cannot be combined with [client] yet"),
		"--client with --backend: refused by finalize");

	/* the issue's own example */
	sk_config_defaults(&c);
	CHECK(args(&c, "--addr", "10.1.0.1/24", "--listen", "443:proxy",
		"--backend", "10.1.0.5:443,10.1.0.6:443", NULL) == 0 &&
		sk_config_finalize(&c, err, sizeof(err)) == 0,
		"--listen 443:proxy --backend 10.1.0.5:443,10.1.0.6:443: %s",
		err);
}

int
main(void)
{
	test_defaults();
	test_file();
	test_file_errors();
	test_options();
	test_option_errors();
	test_durations();
	test_addresses();
	test_addresses6();
	test_secret();
	test_validate();
	test_client();
	test_client_finalize();
	test_proxy_values();
	test_proxy_value_errors();
	test_proxy_validate();
	test_print_comment_chars();
	test_rte_cfgfile();
	remove_tmp_files();
	return sk_test_done();
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synackd's configuration. One table, cfg_keys[], lists every setting once:
 * its INI section and key, its command-line option, its type, default, range
 * and help text. Defaults, the INI loader, the option parser, validation,
 * sk_config_print() and the usage text are all driven by it, so they cannot
 * disagree. docs/configuration.md describes the same table for users.
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <rte_cfgfile.h>
#include <rte_common.h>

#include "sk_common.h"
#include "sk_config.h"
#include "sk_cookie.h"

#if defined(__has_include)
#if __has_include("sk_version.h")
#include "sk_version.h"
#endif
#endif
#ifndef SK_VERSION
#define SK_VERSION "dev"
#endif

#define MS_PER_S 1000ull
#define MS_PER_M (60 * MS_PER_S)
#define MS_PER_H (60 * MS_PER_M)

/* Largest burst the engine takes (SK_BURST_MAX in sk_engine.h). */
#define CFG_BURST_MAX 64

/* rte_cfgfile reads lines with fgets() into a buffer of this size and fails
 * on a longer line; we check first, to say which line. */
#define CFG_LINE_MAX (CFG_NAME_LEN + CFG_VALUE_LEN + 2)

enum cfg_type {
	CT_ADDRS,   /* list of A[/P] */
	CT_LISTEN,  /* list of PORT:APP */
	CT_UINT,    /* integer, min..max */
	CT_POW2,    /* power of two, min..max */
	CT_MS,      /* duration stored in milliseconds; min, max, def in ms */
	CT_SEC,     /* duration stored in whole seconds; min, max, def in ms */
	CT_SECRET,  /* 32 hex digits */
	CT_STR,     /* text, "" allowed */
	CT_BOOL,    /* yes/no; a command-line option without a value sets it */
};

/* 0 is allowed besides min..max (it means off / never); a bare "0" needs
 * no unit. */
#define CF_ZERO 0x1
/* The word "max" is accepted besides min..max and stored as SK_CPS_MAX
 * (the client's rate: search for the highest clean rate). */
#define CF_MAX 0x2

/* Room for a range in words: "0, or " + two 64-bit numbers with units. */
#define RANGE_LEN 64

struct cfg_key {
	const char *section;
	const char *name;     /* key in the INI section */
	const char *opt;      /* long option, without "--" */
	const char *arg;      /* the option's argument in the usage text */
	enum cfg_type type;
	unsigned int flags;   /* CF_ */
	size_t off;           /* field in struct sk_config */
	size_t size;          /* its size in bytes */
	uint64_t min, max;    /* range (ms for durations) */
	uint64_t def;         /* default (ms for durations) */
	const char *def_text; /* default in words, for keys without a number */
	const char *help;
};

#define FIELD(f) \
	.off = offsetof(struct sk_config, f), \
	.size = sizeof(((struct sk_config *)0)->f)

static const struct cfg_key cfg_keys[] = {
	{ "engine", "addresses", "addr", "A[/P]", CT_ADDRS, 0, FIELD(addrs),
	  1, SK_MAX_ADDRS, 0, "none, required",
	  "IPv4 or IPv6 address to answer on (no prefix: /32, /128)" },
	{ "engine", "listen", "listen", "PORT:APP", CT_LISTEN, 0, FIELD(listen),
	  1, SK_MAX_LISTEN, 0, "none, required",
	  "port and its responder: hello, http, echo or hold" },
	{ "engine", "flow_capacity", "flows", "N", CT_UINT, 0,
	  FIELD(flow_capacity), 1, 1ull << 31, 262144, NULL,
	  "flow table entries per worker lcore" },
	{ "engine", "mss", "mss", "N", CT_UINT, 0, FIELD(mss),
	  536, 9000, 1460, NULL, "MSS we advertise, bytes" },
	{ "engine", "challenge_ack_limit", "challenge-ack-limit", "N", CT_UINT, 0,
	  FIELD(challenge_ack_limit), 0, UINT32_MAX, 1000, NULL,
	  "challenge ACKs per second per lcore, 0 = none" },
	{ "timeouts", "time_wait", "time-wait", "DUR", CT_MS, 0,
	  FIELD(time_wait_ms), 1, 24 * MS_PER_H, 60 * MS_PER_S, NULL,
	  "TIME_WAIT duration (2*MSL)" },
	{ "timeouts", "fin_wait2", "fin-wait2", "DUR", CT_MS, 0,
	  FIELD(fin_wait2_ms), 1, 24 * MS_PER_H, 60 * MS_PER_S, NULL,
	  "FIN_WAIT_2 timeout" },
	{ "timeouts", "idle", "idle", "DUR", CT_MS, CF_ZERO, FIELD(idle_ms),
	  1, 24 * MS_PER_H, 300 * MS_PER_S, NULL,
	  "idle timeout of a connection, 0 = off" },
	{ "timeouts", "rto", "rto", "DUR", CT_MS, 0, FIELD(rto_ms),
	  10, 60 * MS_PER_S, MS_PER_S, NULL,
	  "first retransmission timeout of our FIN" },
	{ "timeouts", "rto_max", "rto-max", "DUR", CT_MS, 0, FIELD(rto_max_ms),
	  10, 10 * MS_PER_M, 60 * MS_PER_S, NULL,
	  "ceiling of the FIN retransmission backoff, >= rto" },
	{ "timeouts", "fin_retries", "fin-retries", "N", CT_UINT, 0,
	  FIELD(fin_retries), 0, 15, 6, NULL,
	  "FIN retransmissions before giving up" },
	{ "cookies", "max_age", "cookie-max-age", "DUR", CT_SEC, 0,
	  FIELD(cookie_max_age_s), 64 * MS_PER_S, 960 * MS_PER_S,
	  128 * MS_PER_S, NULL,
	  "oldest SYN cookie accepted (in units of 64 s, rounded up)" },
	{ "cookies", "rotate", "cookie-rotate", "DUR", CT_SEC, CF_ZERO,
	  FIELD(cookie_rotate_s), MS_PER_S, 8760 * MS_PER_H, 3600 * MS_PER_S,
	  NULL, "cookie key rotation period, 0 = never, else >= max_age + 64 s" },
	{ "cookies", "secret", "cookie-secret", "HEX", CT_SECRET, 0,
	  FIELD(secret), 0, 0, 0, "random at start",
	  "cookie secret, 32 hex digits (for engines that share one)" },
	{ "port", "device", "port", "NAME|ID", CT_STR, 0, FIELD(port),
	  0, 0, 0, "first available port",
	  "DPDK device name or port id" },
	{ "port", "rx_desc", "rx-desc", "N", CT_POW2, 0, FIELD(rx_desc),
	  64, 16384, 1024, NULL, "RX ring size, a power of two" },
	{ "port", "tx_desc", "tx-desc", "N", CT_POW2, 0, FIELD(tx_desc),
	  64, 16384, 1024, NULL, "TX ring size, a power of two" },
	{ "port", "mbufs", "mbufs", "N", CT_UINT, 0, FIELD(mbufs),
	  1023, 1ull << 24, 16383, NULL, "mbufs in the packet pool" },
	{ "port", "burst", "burst", "N", CT_UINT, 0, FIELD(burst),
	  1, CFG_BURST_MAX, 32, NULL, "RX burst size" },
	{ "stats", "interval", "stats-interval", "DUR", CT_MS, CF_ZERO,
	  FIELD(stats_interval_ms), 100, 24 * MS_PER_H, 0, NULL,
	  "print counters this often, 0 = only at exit" },
	{ "stats", "file", "stats-file", "PATH", CT_STR, 0, FIELD(stats_file),
	  0, 0, 0, "none",
	  "write the final counters as JSON to this file at exit" },
	{ "log", "level", "log-level", "[PAT:]LEVEL,...", CT_STR, 0,
	  FIELD(log_level), 0, 0, 0, "as the EAL options set them",
	  "log levels, EAL --log-level syntax (synack.*:debug), applied at "
	  "start and on SIGHUP" },
	{ "client", "target", "client", "IP:PORT", CT_STR, 0,
	  FIELD(client_target), 0, 0, 0, "none: server role only",
	  "client role: open connections to this server ([IPv6]:PORT)" },
	{ "client", "cps", "cps", "N|max", CT_UINT, CF_MAX, FIELD(client_cps),
	  0, 100000000, 1000, NULL,
	  "new connections per second, 0 = as fast as concurrency allows, "
	  "max = ramp to the highest rate with no failures" },
	{ "client", "duration", "duration", "DUR", CT_MS, 0,
	  FIELD(client_duration_ms), 1, 24 * MS_PER_H, 10 * MS_PER_S, NULL,
	  "open new connections for this long" },
	{ "client", "ramp_step", "ramp-step", "DUR", CT_MS, 0,
	  FIELD(client_ramp_step_ms), 50, 60 * MS_PER_S, MS_PER_S, NULL,
	  "--cps max: measure each offered rate this long" },
	{ "client", "tw_reuse", "tw-reuse", "DUR", CT_MS, CF_ZERO,
	  FIELD(client_tw_reuse_ms), 1, 24 * MS_PER_H, MS_PER_S, NULL,
	  "reuse a tuple of ours in TIME_WAIT this long after it entered it, "
	  "when the connection used timestamps (RFC 6191/7323), 0 = never" },
	{ "client", "concurrency", "concurrency", "N", CT_UINT, 0,
	  FIELD(client_concurrency), 1, 1ull << 31, 1024, NULL,
	  "most client connections open at once, <= flows" },
	{ "client", "connections", "connections", "N", CT_UINT, 0,
	  FIELD(client_connections), 0, UINT32_MAX, 0, NULL,
	  "stop opening after this many, 0 = only the duration limits" },
	{ "client", "request", "request", "STR", CT_STR, 0,
	  FIELD(client_request), 0, 0, 0, "none: connect only",
	  "bytes sent after the handshake (\\n \\r \\t \\\\ escapes)" },
	{ "client", "http", "http", NULL, CT_BOOL, 0, FIELD(client_http),
	  0, 0, 0, "no", "request = GET / HTTP/1.1 to the target" },
	{ "client", "expect", "expect", "STR", CT_STR, 0,
	  FIELD(client_expect), 0, 0, 0, "none: unchecked",
	  "the response must be exactly these bytes (escapes as --request)" },
	{ "client", "close", "close", "client|server|rst", CT_STR, 0,
	  FIELD(client_close), 0, 0, 0, "client",
	  "after the response: send FIN, wait for the server's FIN, or RST" },
	{ "client", "src_ips", "src-ips", "A-B", CT_STR, 0,
	  FIELD(client_src_ips), 0, 0, 0, "our first of the target's family",
	  "source addresses of client connections" },
	{ "client", "src_ports", "src-ports", "X-Y", CT_STR, 0,
	  FIELD(client_src_ports), 0, 0, 0, "1024-65535",
	  "source ports of client connections" },
	{ "client", "syn_rto", "syn-rto", "DUR", CT_MS, 0,
	  FIELD(client_syn_rto_ms), 10, 60 * MS_PER_S, MS_PER_S, NULL,
	  "first SYN retransmission timeout (doubles each time, RFC 6298)" },
	{ "client", "syn_retries", "syn-retries", "N", CT_UINT, 0,
	  FIELD(client_syn_retries), 0, 15, 5, NULL,
	  "SYN retransmissions before a connection fails" },
	{ "client", "timeout", "client-timeout", "DUR", CT_MS, 0,
	  FIELD(client_timeout_ms), 10, 24 * MS_PER_H, 10 * MS_PER_S, NULL,
	  "response timeout after the handshake" },
	{ "client", "gateway_mac", "gateway-mac", "MAC", CT_STR, 0,
	  FIELD(client_gateway_mac), 0, 0, 0, "none: ARP or ND for the target",
	  "next hop's MAC (no ARP or ND)" },
	{ "client", "json", "json", NULL, CT_BOOL, 0, FIELD(client_json),
	  0, 0, 0, "no", "print the client summary as JSON" },
};

#define CFG_N_KEYS RTE_DIM(cfg_keys)

/* getopt_long values of the options in cfg_keys[]: CFG_OPT_BASE + index. */
#define CFG_OPT_BASE 256

static const char *const cfg_sections[] = {
	"engine", "timeouts", "cookies", "port", "stats", "log", "client",
};

/* --- errors ---------------------------------------------------------- */

/* Write "WHERE: message" to err (WHERE may be NULL); returns -1. */
static int __rte_format_printf(4, 5)
fail(char *err, size_t errlen, const char *where, const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n = 0;

	if (err == NULL || errlen == 0)
		return -1;
	err[0] = '\0';
	if (where != NULL)
		n = snprintf(err, errlen, "%s: ", where);
	if (n >= 0 && (size_t)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - n, fmt, ap);
		va_end(ap);
	}
	/* the message quotes what the user gave: keep it one line and free
	 * of terminal escapes whatever that was (an argument may hold any
	 * byte but NUL) */
	for (p = err; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return -1;
}

/* --- field access ---------------------------------------------------- */

static void
field_set(struct sk_config *c, const struct cfg_key *k, uint64_t v)
{
	void *p = (char *)c + k->off;

	if (k->type == CT_SEC)
		v /= MS_PER_S;
	if (k->size == sizeof(uint16_t)) {
		uint16_t x = (uint16_t)v;

		memcpy(p, &x, sizeof(x));
	} else {
		uint32_t x = (uint32_t)v;

		memcpy(p, &x, sizeof(x));
	}
}

/* The value of a numeric key in the table's units (ms for durations). */
static uint64_t
field_get(const struct sk_config *c, const struct cfg_key *k)
{
	const void *p = (const char *)c + k->off;
	uint64_t v;

	if (k->size == sizeof(uint16_t)) {
		uint16_t x;

		memcpy(&x, p, sizeof(x));
		v = x;
	} else {
		uint32_t x;

		memcpy(&x, p, sizeof(x));
		v = x;
	}
	return k->type == CT_SEC ? v * MS_PER_S : v;
}

static bool
is_numeric(const struct cfg_key *k)
{
	return k->type == CT_UINT || k->type == CT_POW2 ||
		k->type == CT_MS || k->type == CT_SEC;
}

/* --- formatting ------------------------------------------------------ */

/* A duration as the docs write it: "250ms" when not whole seconds, else
 * "60s", "3600s"; whole hours from 2 h on ("24h"). */
static const char *
fmt_dur(uint64_t ms, char *buf, size_t size)
{
	uint64_t s = ms / MS_PER_S;

	if (ms == 0)
		snprintf(buf, size, "0");
	else if (ms % MS_PER_S != 0)
		snprintf(buf, size, "%" PRIu64 "ms", ms);
	else if (s >= 7200 && s % 3600 == 0)
		snprintf(buf, size, "%" PRIu64 "h", s / 3600);
	else
		snprintf(buf, size, "%" PRIu64 "s", s);
	return buf;
}

static const char *
fmt_num(const struct cfg_key *k, uint64_t v, char *buf, size_t size)
{
	if ((k->flags & CF_MAX) && v == SK_CPS_MAX) {
		snprintf(buf, size, "max");
		return buf;
	}
	if (k->type == CT_MS || k->type == CT_SEC)
		return fmt_dur(v, buf, size);
	snprintf(buf, size, "%" PRIu64, v);
	return buf;
}

/* "536..9000", or "0, or 10ms..24h" for keys where 0 means off. */
static const char *
fmt_range(const struct cfg_key *k, char *buf, size_t size)
{
	char lo[24], hi[24];

	snprintf(buf, size, "%s%s..%s%s", (k->flags & CF_ZERO) ? "0, or " : "",
		fmt_num(k, k->min, lo, sizeof(lo)),
		fmt_num(k, k->max, hi, sizeof(hi)),
		(k->flags & CF_MAX) ? ", or max" : "");
	return buf;
}

/* Entry @p i of list key @p k as text, IPv4 addresses before IPv6 ones;
 * false past the end. IPv6 in RFC 5952 form (glibc's inet_ntop writes
 * it), which parse_addrs reads back. */
static bool
list_item(const struct sk_config *c, const struct cfg_key *k, unsigned int i,
		char *buf, size_t size)
{
	char s[INET6_ADDRSTRLEN];
	unsigned int n4 = RTE_MIN(c->n_addrs, (unsigned int)SK_MAX_ADDRS);

	if (k->type == CT_LISTEN) {
		if (i >= c->n_listen || i >= SK_MAX_LISTEN)
			return false;
		snprintf(buf, size, "%u:%s", c->listen[i].port,
			sk_app_name(c->listen[i].app));
		return true;
	}
	if (i < n4) {
		if (inet_ntop(AF_INET, &c->addrs[i].addr, s, sizeof(s)) == NULL)
			snprintf(s, sizeof(s), "?");
		snprintf(buf, size, "%s/%u", s, c->addrs[i].prefix);
		return true;
	}
	i -= n4;
	if (i >= c->n_addrs6 || i >= SK_MAX_ADDRS)
		return false;
	if (inet_ntop(AF_INET6, c->addrs6[i].addr, s, sizeof(s)) == NULL)
		snprintf(s, sizeof(s), "?");
	snprintf(buf, size, "%s/%u", s, c->addrs6[i].prefix);
	return true;
}

/* "key = a, b, ...", over as many lines as the INI reader's value length
 * needs (later lines add to the list, see apply_file()). */
static void
print_list(FILE *f, const struct sk_config *c, const struct cfg_key *k)
{
	char item[64];
	size_t len = 0;
	unsigned int i;

	fprintf(f, "%s =", k->name);
	for (i = 0; list_item(c, k, i, item, sizeof(item)); i++) {
		if (len > 0 && len + 2 + strlen(item) > CFG_VALUE_LEN - 1) {
			fprintf(f, "\n%s =", k->name);
			len = 0;
		}
		fprintf(f, "%s%s", len > 0 ? ", " : " ", item);
		len += (len > 0 ? 2 : 0) + strlen(item);
	}
	fputc('\n', f);
}

static bool
is_list(const struct cfg_key *k)
{
	return k->type == CT_ADDRS || k->type == CT_LISTEN;
}

static bool
has_value(const struct sk_config *c, const struct cfg_key *k)
{
	switch (k->type) {
	case CT_STR:
		return ((const char *)c + k->off)[0] != '\0';
	default:
		return true;
	}
}

/* The value of a key as it would be written in the INI file. */
static void
print_value(FILE *f, const struct sk_config *c, const struct cfg_key *k)
{
	char buf[32];

	switch (k->type) {
	case CT_SECRET:
		fputs(c->secret_set ? "(set)" : "(random)", f);
		break;
	case CT_BOOL:
		fputs(*(const bool *)((const char *)c + k->off) ? "yes" : "no",
			f);
		break;
	case CT_STR:
		fprintf(f, "%.*s", (int)k->size, (const char *)c + k->off);
		break;
	default:
		fputs(fmt_num(k, field_get(c, k), buf, sizeof(buf)), f);
		break;
	}
}

/* --- value parsers ----------------------------------------------------- */

/*
 * Leading decimal digits of @p s: no sign, no space, no base prefix.
 * Returns 0, -EINVAL when @p s does not start with a digit, or -ERANGE on
 * overflow; *end points after the digits.
 */
static int
parse_digits(const char *s, uint64_t *v, const char **end)
{
	unsigned long long x;
	char *e;

	*end = s;
	/* s is set: the analyzer cannot see into glibc's isdigit table
	 * NOLINTNEXTLINE(clang-analyzer-core.uninitialized.ArraySubscript) */
	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	x = strtoull(s, &e, 10);
	*end = e;
	if (errno == ERANGE)
		return -ERANGE;
	*v = x;
	return 0;
}

static int
parse_uint(const struct cfg_key *k, const char *val, uint64_t *v,
		const char *where, char *err, size_t errlen)
{
	char range[RANGE_LEN];
	const char *end;
	int ret;

	fmt_range(k, range, sizeof(range));
	if (val[0] == '\0')
		return fail(err, errlen, where, "needs a value (%s)", range);
	if ((k->flags & CF_MAX) && strcmp(val, "max") == 0) {
		*v = SK_CPS_MAX;
		return 0;
	}
	ret = parse_digits(val, v, &end);
	if (ret == -EINVAL || (ret == 0 && *end != '\0'))
		return fail(err, errlen, where, "'%s' is not a number (%s)",
			val, range);
	if (ret == -ERANGE || *v < k->min || *v > k->max)
		return fail(err, errlen, where, "'%s' out of range (%s)",
			val, range);
	if (k->type == CT_POW2 && !rte_is_power_of_2((uint32_t)*v))
		return fail(err, errlen, where,
			"'%s' is not a power of two (%s)", val, range);
	return 0;
}

static int
parse_duration(const struct cfg_key *k, const char *val, uint64_t *ms,
		const char *where, char *err, size_t errlen)
{
	static const struct {
		const char *name;
		uint64_t ms;
	} units[] = {
		{ "ms", 1 }, { "s", MS_PER_S }, { "m", MS_PER_M },
		{ "h", MS_PER_H },
	};
	char range[RANGE_LEN];
	const char *end;
	uint64_t v, mult = 0;
	unsigned int i;
	int ret;

	fmt_range(k, range, sizeof(range));
	if (val[0] == '\0')
		return fail(err, errlen, where, "needs a value (%s)", range);
	ret = parse_digits(val, &v, &end);
	if (ret == -EINVAL)
		goto bad;
	if (ret == -ERANGE)
		goto out_of_range;
	if (*end == '\0') {
		if (v != 0)
			return fail(err, errlen, where,
				"'%s' needs a unit: ms, s, m or h (e.g. %ss)",
				val, val);
		if (!(k->flags & CF_ZERO))
			goto out_of_range;
		*ms = 0;
		return 0;
	}
	for (i = 0; i < RTE_DIM(units); i++)
		if (strcmp(end, units[i].name) == 0)
			mult = units[i].ms;
	if (mult == 0)
		goto bad;
	/* cppcheck-suppress zerodivcond ; mult is not 0 here */
	if (v > UINT64_MAX / mult)
		goto out_of_range;
	v *= mult;
	if (!(v == 0 && (k->flags & CF_ZERO)) && (v < k->min || v > k->max))
		goto out_of_range;
	if (k->type == CT_SEC && v % MS_PER_S != 0)
		return fail(err, errlen, where,
			"'%s' is not a whole number of seconds", val);
	*ms = v;
	return 0;
bad:
	return fail(err, errlen, where, "'%s' is not a duration (an integer "
		"and a unit: ms, s, m or h, e.g. 250ms, 60s, 5m)", val);
out_of_range:
	return fail(err, errlen, where, "'%s' out of range (%s)", val, range);
}

static int
hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* The secret itself is never echoed in a message: only its length or the
 * offending character. "" means no secret: a random one at start. */
static int
parse_secret(struct sk_config *c, const char *val, const char *where,
		char *err, size_t errlen)
{
	size_t len = strlen(val), i;
	uint8_t s[sizeof(c->secret)];

	if (len == 0) {
		c->secret_set = false;
		memset(c->secret, 0, sizeof(c->secret));
		return 0;
	}
	for (i = 0; i < len; i++)
		if (hex_digit(val[i]) < 0)
			return fail(err, errlen, where, "'%c' (character %zu) "
				"is not a hex digit (need exactly %zu hex "
				"digits)", isprint((unsigned char)val[i]) ?
				val[i] : '?', i + 1, 2 * sizeof(s));
	if (len != 2 * sizeof(s))
		return fail(err, errlen, where, "%zu hex digits given, need "
			"exactly %zu (%zu bits)", len, 2 * sizeof(s),
			8 * sizeof(s));
	for (i = 0; i < sizeof(s); i++)
		s[i] = (uint8_t)(hex_digit(val[2 * i]) << 4 |
			hex_digit(val[2 * i + 1]));
	memcpy(c->secret, s, sizeof(s));
	memset(s, 0, sizeof(s));
	c->secret_set = true;
	return 0;
}

static bool
is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/*
 * Next item of a comma-separated list at *p, trimmed, into @p item.
 * Returns 1 with an item (*p moves past it), 0 at the end of the list,
 * -1 with a message for an empty or too long item.
 */
static int
next_item(const char **p, char *item, size_t size, const char *val,
		const char *where, char *err, size_t errlen)
{
	const char *s = *p, *e;
	size_t n;

	if (s == NULL)
		return 0;
	e = strchr(s, ',');
	*p = e != NULL ? e + 1 : NULL;
	if (e == NULL)
		e = s + strlen(s);
	while (s < e && is_blank(*s))
		s++;
	while (e > s && is_blank(e[-1]))
		e--;
	n = (size_t)(e - s);
	/* cppcheck-suppress knownConditionTrueFalse ; n > 0 when e > s */
	if (n == 0)
		return fail(err, errlen, where, "empty entry in '%s'", val);
	if (n >= size)
		return fail(err, errlen, where, "entry '%.*s' too long",
			(int)n, s);
	memcpy(item, s, n);
	item[n] = '\0';
	return 1;
}

/*
 * Why an address cannot be one of the engine's (host order), or NULL.
 * 240.0.0.0/4 must stay refused, for our addresses and for the client's
 * source addresses alike: the flow table stores an IPv6 flow in an
 * IPv4-sized key with a class E value as the marker of the family
 * (sk_flow.h), so no real IPv4 flow may ever carry one.
 */
static const char *
addr_problem(uint32_t a, unsigned int prefix)
{
	if (a == 0)
		return "the unspecified address";
	if ((a >> 24) == 0)
		return "in 0.0.0.0/8 (this network)";
	if (a == UINT32_MAX)
		return "the limited broadcast address";
	if ((a >> 24) == 127)
		return "a loopback address (127.0.0.0/8)";
	if ((a >> 28) == 0xe)
		return "a multicast address (224.0.0.0/4)";
	if ((a >> 28) == 0xf)
		return "a reserved address (240.0.0.0/4)";
	if (prefix <= 30 && (a | (UINT32_MAX >> prefix)) == a)
		return "the broadcast address of its prefix";
	return NULL;
}

/* Why an IPv6 address cannot be one of the engine's, or NULL. Link-local
 * fe80::/10 is allowed: Neighbor Discovery works on it. */
static const char *
addr6_problem(const uint8_t *a)
{
	static const uint8_t zero[16], mapped[12] = {
		[10] = 0xff, [11] = 0xff };

	if (memcmp(a, zero, 16) == 0)
		return "the unspecified address ::";
	if (memcmp(a, zero, 15) == 0 && a[15] == 1)
		return "the loopback address ::1";
	if (a[0] == 0xff)
		return "a multicast address (ff00::/8)";
	if (memcmp(a, mapped, sizeof(mapped)) == 0)
		return "an IPv4-mapped address (::ffff:0:0/96): give the "
			"IPv4 address itself";
	return NULL;
}

/* One IPv6 "A[/P]" (@p ip is the address part) appended to c->addrs6. */
static int
parse_addr6(struct sk_config *c, const char *item, const char *ip,
		const char *slash, const char *where, char *err, size_t errlen)
{
	uint8_t a[16];
	const char *end, *why;
	uint64_t prefix = 128;
	unsigned int i;

	if (inet_pton(AF_INET6, ip, a) != 1)
		return fail(err, errlen, where, "bad IPv6 address '%s' "
			"(e.g. 2001:db8::2/64)", item);
	if (slash != NULL && (parse_digits(slash + 1, &prefix, &end) != 0 ||
			*end != '\0' || prefix > 128))
		return fail(err, errlen, where,
			"bad prefix '%s' in '%s' (0..128)", slash, item);
	why = addr6_problem(a);
	if (why != NULL)
		return fail(err, errlen, where, "'%s' is %s", item, why);
	for (i = 0; i < c->n_addrs6; i++)
		if (memcmp(c->addrs6[i].addr, a, 16) == 0)
			return fail(err, errlen, where,
				"duplicate address '%s'", item);
	if (c->n_addrs6 >= SK_MAX_ADDRS)
		return fail(err, errlen, where, "more than %u IPv6 "
			"addresses (at '%s')", SK_MAX_ADDRS, item);
	memcpy(c->addrs6[c->n_addrs6].addr, a, 16);
	c->addrs6[c->n_addrs6].prefix = (uint8_t)prefix;
	c->n_addrs6++;
	return 0;
}

/* "A[/P], ..." appended to c->addrs (IPv4) and c->addrs6 (IPv6: any entry
 * with a colon). */
static int
parse_addrs(struct sk_config *c, const char *val, const char *where,
		char *err, size_t errlen)
{
	char item[64], ip[INET6_ADDRSTRLEN];
	const char *p = val, *slash, *end, *why;
	struct in_addr in;
	uint64_t prefix;
	unsigned int i;
	size_t n;
	int ret;

	while ((ret = next_item(&p, item, sizeof(item), val, where, err,
			errlen)) > 0) {
		prefix = 32;
		slash = strchr(item, '/');
		n = slash != NULL ? (size_t)(slash - item) : strlen(item);
		if (n >= sizeof(ip))
			return fail(err, errlen, where, "bad address '%s'",
				item);
		memcpy(ip, item, n);
		ip[n] = '\0';
		if (strchr(ip, ':') != NULL) {
			if (parse_addr6(c, item, ip, slash, where, err,
					errlen) != 0)
				return -1;
			continue;
		}
		if (inet_pton(AF_INET, ip, &in) != 1)
			return fail(err, errlen, where, "bad address '%s' "
				"(dotted-quad IPv4, e.g. 198.18.0.2/24, or IPv6, "
				"e.g. 2001:db8::2/64)", item);
		if (slash != NULL && (parse_digits(slash + 1, &prefix,
				&end) != 0 || *end != '\0' || prefix > 32))
			return fail(err, errlen, where,
				"bad prefix '%s' in '%s' (0..32)", slash,
				item);
		why = addr_problem(ntohl(in.s_addr), (unsigned int)prefix);
		if (why != NULL)
			return fail(err, errlen, where, "'%s' is %s", item,
				why);
		for (i = 0; i < c->n_addrs; i++)
			if (c->addrs[i].addr == in.s_addr)
				return fail(err, errlen, where,
					"duplicate address '%s'", item);
		if (c->n_addrs >= SK_MAX_ADDRS)
			return fail(err, errlen, where, "more than %u "
				"addresses (at '%s')", SK_MAX_ADDRS, item);
		c->addrs[c->n_addrs].addr = in.s_addr;
		c->addrs[c->n_addrs].prefix = (uint8_t)prefix;
		c->n_addrs++;
	}
	return ret;
}

static const char *
app_list(char *buf, size_t size)
{
	size_t n = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = SK_APP_NONE + 1; i < SK_APP_MAX && n < size; i++)
		n += snprintf(buf + n, size - n, "%s%s", n ? ", " : "",
			sk_app_name(i));
	return buf;
}

/* "PORT:APP, ..." appended to c->listen. */
static int
parse_listen(struct sk_config *c, const char *val, const char *where,
		char *err, size_t errlen)
{
	char item[64], apps[64];
	const char *p = val, *end;
	char *colon, *name;
	enum sk_app app;
	uint64_t port;
	unsigned int i;
	int ret;

	while ((ret = next_item(&p, item, sizeof(item), val, where, err,
			errlen)) > 0) {
		colon = strchr(item, ':');
		if (colon == NULL)
			return fail(err, errlen, where, "bad entry '%s' "
				"(PORT:APP, e.g. 8080:hello)", item);
		name = colon + 1;
		while (is_blank(*name))
			name++;
		while (colon > item && is_blank(colon[-1]))
			colon--;
		*colon = '\0';
		if (parse_digits(item, &port, &end) != 0 || *end != '\0' ||
				port < 1 || port > UINT16_MAX)
			return fail(err, errlen, where, "bad port '%s' in "
				"'%s:%s' (1..65535)", item, item, name);
		app = sk_app_from_name(name);
		if (app == SK_APP_NONE)
			return fail(err, errlen, where,
				"unknown responder '%s' (%s)", name,
				app_list(apps, sizeof(apps)));
		for (i = 0; i < c->n_listen; i++)
			if (c->listen[i].port == port)
				return fail(err, errlen, where,
					"port %" PRIu64 " listed twice",
					port);
		if (c->n_listen >= SK_MAX_LISTEN)
			return fail(err, errlen, where, "more than %u ports "
				"(at '%s:%s')", SK_MAX_LISTEN, item, name);
		c->listen[c->n_listen].port = (uint16_t)port;
		c->listen[c->n_listen].app = (uint8_t)app;
		c->n_listen++;
	}
	return ret;
}

/*
 * Set key @p k from text @p val. Lists are replaced, or appended to when
 * @p append. @p where names the key or option in messages.
 */
static int
set_value(struct sk_config *c, const struct cfg_key *k, const char *val,
		bool append, const char *where, char *err, size_t errlen)
{
	uint64_t v = 0;

	switch (k->type) {
	case CT_ADDRS:
		if (!append) {
			c->n_addrs = 0;
			c->n_addrs6 = 0;
		}
		if (val[0] == '\0')
			return fail(err, errlen, where, "needs at least one "
				"address (A[/P], e.g. 198.18.0.2/24 or "
				"2001:db8::2/64)");
		return parse_addrs(c, val, where, err, errlen);
	case CT_LISTEN:
		if (!append)
			c->n_listen = 0;
		if (val[0] == '\0')
			return fail(err, errlen, where, "needs at least one "
				"port (PORT:APP, e.g. 8080:hello)");
		return parse_listen(c, val, where, err, errlen);
	case CT_UINT:
	case CT_POW2:
		if (parse_uint(k, val, &v, where, err, errlen) != 0)
			return -1;
		field_set(c, k, v);
		return 0;
	case CT_MS:
	case CT_SEC:
		if (parse_duration(k, val, &v, where, err, errlen) != 0)
			return -1;
		field_set(c, k, v);
		return 0;
	case CT_SECRET:
		return parse_secret(c, val, where, err, errlen);
	case CT_BOOL: {
		static const char *const yes[] = { "yes", "true", "on", "1" };
		static const char *const no[] = { "no", "false", "off", "0" };
		bool *b = (bool *)((char *)c + k->off);

		for (unsigned int i = 0; i < RTE_DIM(yes); i++) {
			if (strcmp(val, yes[i]) == 0) {
				*b = true;
				return 0;
			}
			if (strcmp(val, no[i]) == 0) {
				*b = false;
				return 0;
			}
		}
		return fail(err, errlen, where, "'%s' is not yes or no", val);
	}
	case CT_STR:
		if (strlen(val) >= k->size)
			return fail(err, errlen, where, "'%.32s...' too long "
				"(at most %zu characters)", val, k->size - 1);
		/* an INI line cannot carry one, so sk_config_print would
		 * write a file that reads back differently (found by
		 * fuzz_config: a newline in --stats-file) */
		for (const char *p = val; *p != '\0'; p++)
			if (((unsigned char)*p < 0x20 && *p != '\t') ||
					*p == 0x7f)
				return fail(err, errlen, where, "control "
					"character in '%s'", val);
		snprintf((char *)c + k->off, k->size, "%s", val);
		return 0;
	}
	return fail(err, errlen, where, "internal error: bad key type");
}

/* --- defaults ---------------------------------------------------------- */

void
sk_config_defaults(struct sk_config *c)
{
	unsigned int i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < CFG_N_KEYS; i++)
		if (is_numeric(&cfg_keys[i]))
			field_set(c, &cfg_keys[i], cfg_keys[i].def);
}

/* --- INI file ------------------------------------------------------------ */

static size_t
strip(char *s, size_t len)
{
	size_t start = 0;

	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	while (start < len && isspace((unsigned char)s[start]))
		start++;
	memmove(s, s + start, len - start);
	s[len - start] = '\0';
	return len - start;
}

/*
 * Check the file's syntax line by line before rte_cfgfile reads it:
 * rte_cfgfile skips lines it does not understand without a word, fails
 * without saying where, and truncates long names and values.
 */
static int
check_syntax(FILE *f, const char *path, char *err, size_t errlen)
{
	char *line = NULL, *p, *eq;
	bool in_section = false;
	unsigned int lineno = 0;
	size_t cap = 0, len;
	ssize_t got;
	int ret = 0;

	while (ret == 0 && (got = getline(&line, &cap, f)) >= 0) {
		len = (size_t)got;
		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (strlen(line) != len) {
			ret = fail(err, errlen, NULL, "config: %s:%u: NUL "
				"character in line", path, lineno);
			break;
		}
		if (len > CFG_LINE_MAX) {
			ret = fail(err, errlen, NULL, "config: %s:%u: line "
				"too long (at most %u characters)", path,
				lineno, CFG_LINE_MAX);
			break;
		}
		/* as rte_cfgfile: the first ';' starts a comment unless
		 * it is escaped as "\;" */
		p = memchr(line, CFG_DEFAULT_COMMENT_CHARACTER, len);
		if (p != NULL && (p == line || p[-1] != '\\'))
			len = (size_t)(p - line);
		len = strip(line, len);
		if (len == 0)
			continue;
		if (line[0] == '[') {
			if (line[len - 1] != ']' ||
					memchr(line, ']', len) != line + len - 1) {
				ret = fail(err, errlen, NULL, "config: %s:%u: "
					"bad section heading '%s' (expected "
					"[name])", path, lineno, line);
				break;
			}
			if (strip(line + 1, len - 2) == 0 ||
					strlen(line + 1) >= CFG_NAME_LEN) {
				ret = fail(err, errlen, NULL, "config: %s:%u: "
					"bad section name '%s'", path, lineno,
					line + 1);
				break;
			}
			in_section = true;
			continue;
		}
		eq = strchr(line, '=');
		if (eq == NULL) {
			ret = fail(err, errlen, NULL, "config: %s:%u: expected "
				"'key = value' or '[section]', got '%s'",
				path, lineno, line);
			break;
		}
		*eq = '\0';
		if (strip(line, (size_t)(eq - line)) == 0) {
			ret = fail(err, errlen, NULL, "config: %s:%u: no key "
				"before '='", path, lineno);
		} else if (strlen(line) >= CFG_NAME_LEN) {
			ret = fail(err, errlen, NULL, "config: %s:%u: key "
				"'%.32s...' too long", path, lineno, line);
		} else if (!in_section) {
			ret = fail(err, errlen, NULL, "config: %s:%u: key "
				"'%s' before any [section]", path, lineno,
				line);
		} else if (strip(eq + 1, strlen(eq + 1)) >= CFG_VALUE_LEN) {
			ret = fail(err, errlen, NULL, "config: %s:%u: value of "
				"'%s' too long (at most %u characters)", path,
				lineno, line, CFG_VALUE_LEN - 1);
		}
	}
	if (ret == 0 && ferror(f))
		ret = fail(err, errlen, NULL, "config: cannot read '%s': %s",
			path, strerror(errno));
	free(line);
	return ret;
}

static const struct cfg_key *
find_key(const char *section, const char *name)
{
	unsigned int i;

	for (i = 0; i < CFG_N_KEYS; i++)
		if (strcmp(cfg_keys[i].section, section) == 0 &&
				strcmp(cfg_keys[i].name, name) == 0)
			return &cfg_keys[i];
	return NULL;
}

static bool
known_section(const char *section)
{
	unsigned int i;

	for (i = 0; i < RTE_DIM(cfg_sections); i++)
		if (strcmp(cfg_sections[i], section) == 0)
			return true;
	return false;
}

static int
apply_file(struct sk_config *c, struct rte_cfgfile *cf, const char *path,
		char *err, size_t errlen)
{
	bool seen[CFG_N_KEYS] = { false };
	struct rte_cfgfile_entry *ent = NULL;
	char section[CFG_NAME_LEN], where[CFG_NAME_LEN * 2 + 512];
	const struct cfg_key *k;
	int ns, ne, i, j, ret = 0;

	ns = rte_cfgfile_num_sections(cf, NULL, 0);
	for (i = 0; ret == 0 && i < ns; i++) {
		ne = rte_cfgfile_section_num_entries_by_index(cf, section, i);
		if (ne < 0)
			return fail(err, errlen, NULL, "config: cannot parse "
				"'%s'", path);
		if (!known_section(section))
			return fail(err, errlen, NULL, "config: unknown "
				"section [%s] in '%s' (engine, timeouts, "
				"cookies, port, stats, log, client)", section, path);
		if (ne == 0)
			continue;
		ent = calloc((size_t)ne, sizeof(*ent));
		if (ent == NULL)
			return fail(err, errlen, NULL, "config: '%s': out of "
				"memory", path);
		ne = rte_cfgfile_section_entries_by_index(cf, i, section, ent,
			ne);
		for (j = 0; ret == 0 && j < ne; j++) {
			k = find_key(section, ent[j].name);
			if (k == NULL) {
				ret = fail(err, errlen, NULL, "config: unknown "
					"key '%s' in [%s] of '%s'",
					ent[j].name, section, path);
				break;
			}
			snprintf(where, sizeof(where), "%s: [%s] %s", path,
				section, k->name);
			/* a list may go on over several lines (a value
			 * holds at most CFG_VALUE_LEN - 1 characters: a few
			 * IPv6 addresses); any other key is set once */
			if (seen[k - cfg_keys] && !is_list(k)) {
				ret = fail(err, errlen, where, "set twice");
				break;
			}
			ret = set_value(c, k, ent[j].value, seen[k - cfg_keys],
				where, err, errlen);
			seen[k - cfg_keys] = true;
		}
		memset(ent, 0, (size_t)ne * sizeof(*ent));
		free(ent);
	}
	return ret;
}

int
sk_config_load(struct sk_config *c, const char *path, char *err,
		size_t errlen)
{
	struct rte_cfgfile *cf;
	struct sk_config tmp;
	FILE *f;
	int ret;

	if (c == NULL || path == NULL)
		return fail(err, errlen, NULL, "config: no file given");
	f = fopen(path, "r");
	if (f == NULL)
		return fail(err, errlen, NULL, "config: cannot read '%s': %s",
			path, strerror(errno));
	ret = check_syntax(f, path, err, errlen);
	fclose(f);
	if (ret != 0)
		return -1;

	cf = rte_cfgfile_load(path, CFG_FLAG_EMPTY_VALUES);
	if (cf == NULL)
		return fail(err, errlen, NULL, "config: cannot parse '%s'",
			path);
	/* applied to a copy: @p c is unchanged on error */
	tmp = *c;
	ret = apply_file(&tmp, cf, path, err, errlen);
	rte_cfgfile_close(cf);
	if (ret == 0)
		*c = tmp;
	memset(tmp.secret, 0, sizeof(tmp.secret));
	return ret;
}

/* --- command line ---------------------------------------------------------- */

static void
getopt_reset(void)
{
	opterr = 0;
#ifdef __GLIBC__
	/* glibc: 0 re-initialises getopt completely, dropping state left by
	 * the EAL's parse or by a scan that stopped early in a cluster of
	 * short options (1 would continue from that stale state). */
	optind = 0;
#else
	optind = 1;
#endif
}

/* The option as typed ("--flows", "-f"), without any "=value". */
static void
typed_option(int argc, char **argv, char *buf, size_t size)
{
	const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";
	size_t n = strcspn(arg, "=");

	snprintf(buf, size, "%.*s", (int)n, arg);
}

/* Message for getopt_long's '?' or ':' result. */
static int
option_error(int ch, const struct option *opts, int argc, char **argv,
		char *err, size_t errlen)
{
	char typed[64];
	unsigned int i, n = 0;
	size_t len;

	typed_option(argc, argv, typed, sizeof(typed));
	if (ch == ':')
		return fail(err, errlen, NULL, "option '%s' needs a value",
			typed);
	if (optopt == 'h' || optopt == 'V')
		return fail(err, errlen, NULL, "option '%s' takes no value",
			typed);
	if (optopt != 0)
		return fail(err, errlen, NULL, "unknown option '-%c'",
			isprint(optopt) ? optopt : '?');
	if (strncmp(typed, "--", 2) == 0) {
		len = strlen(typed + 2);
		for (i = 0; opts[i].name != NULL; i++)
			if (strncmp(opts[i].name, typed + 2, len) == 0)
				n++;
		if (n > 1)
			return fail(err, errlen, NULL,
				"ambiguous option '%s'", typed);
	}
	return fail(err, errlen, NULL, "unknown option '%s'", typed);
}

int
sk_config_parse_args(struct sk_config *c, int argc, char **argv, char *err,
		size_t errlen)
{
	static const char short_opts[] = ":f:hV";
	struct option opts[CFG_N_KEYS + 4];
	bool addr_seen = false, listen_seen = false;
	const struct cfg_key *k;
	struct sk_config tmp;
	char where[64];
	unsigned int i;
	int ch, ret = 0;

	if (c == NULL || argv == NULL || argc < 1)
		return fail(err, errlen, NULL, "no arguments");
	for (i = 0; i < CFG_N_KEYS; i++)
		opts[i] = (struct option){ cfg_keys[i].opt,
			cfg_keys[i].type == CT_BOOL ? no_argument :
			required_argument, NULL, CFG_OPT_BASE + (int)i };
	opts[i++] = (struct option){ "config", required_argument, NULL, 'f' };
	opts[i++] = (struct option){ "help", no_argument, NULL, 'h' };
	opts[i++] = (struct option){ "version", no_argument, NULL, 'V' };
	opts[i] = (struct option){ NULL, 0, NULL, 0 };

	/* pass 1: errors, --help, --version; stray arguments */
	getopt_reset();
	while ((ch = getopt_long(argc, argv, short_opts, opts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			sk_config_usage(stdout, argv[0]);
			return 1;
		case 'V':
			printf("synackd %s\n", SK_VERSION);
			return 1;
		case '?':
		case ':':
			return option_error(ch, opts, argc, argv, err, errlen);
		default:
			break;
		}
	}
	if (optind < argc)
		return fail(err, errlen, NULL, "unexpected argument '%s' "
			"(options start with --; see --help)", argv[optind]);

	/* pass 2: the files, in order; pass 3: the other options over them */
	tmp = *c;
	getopt_reset();
	while (ret == 0 &&
			(ch = getopt_long(argc, argv, short_opts, opts, NULL)) != -1)
		if (ch == 'f')
			ret = sk_config_load(&tmp, optarg, err, errlen);
	getopt_reset();
	while (ret == 0 &&
			(ch = getopt_long(argc, argv, short_opts, opts, NULL)) != -1) {
		if (ch < CFG_OPT_BASE || ch >= CFG_OPT_BASE + (int)CFG_N_KEYS)
			continue;
		k = &cfg_keys[ch - CFG_OPT_BASE];
		snprintf(where, sizeof(where), "--%s", k->opt);
		if (k->type == CT_ADDRS) {
			ret = set_value(&tmp, k, optarg, addr_seen, where, err,
				errlen);
			addr_seen = true;
		} else if (k->type == CT_LISTEN) {
			ret = set_value(&tmp, k, optarg, listen_seen, where,
				err, errlen);
			listen_seen = true;
		} else if (k->type == CT_BOOL) {
			ret = set_value(&tmp, k, "yes", false, where, err,
				errlen);
		} else {
			ret = set_value(&tmp, k, optarg, false, where, err,
				errlen);
		}
	}
	getopt_reset();
	if (ret == 0)
		*c = tmp;
	memset(tmp.secret, 0, sizeof(tmp.secret));
	return ret == 0 ? 0 : -1;
}

/* --- validation ---------------------------------------------------------- */

int
sk_config_validate(const struct sk_config *c, char *err, size_t errlen)
{
	char where[64], range[RANGE_LEN], a[INET6_ADDRSTRLEN], b[32];
	const struct cfg_key *k;
	struct in_addr in;
	const char *why;
	unsigned int i, j;
	uint64_t v, min_rotate;

	if (c == NULL)
		return fail(err, errlen, NULL, "no configuration");
	if (c->n_addrs == 0 && c->n_addrs6 == 0)
		return fail(err, errlen, NULL,
			"no address: set [engine] addresses or --addr");
	if (c->n_listen == 0 && !sk_config_is_client(c))
		return fail(err, errlen, NULL,
			"no listening port: set [engine] listen or --listen "
			"(or [client] target, --client)");
	if (c->n_addrs > SK_MAX_ADDRS)
		return fail(err, errlen, NULL, "[engine] addresses: %u "
			"addresses, at most %u", c->n_addrs, SK_MAX_ADDRS);
	if (c->n_addrs6 > SK_MAX_ADDRS)
		return fail(err, errlen, NULL, "[engine] addresses: %u IPv6 "
			"addresses, at most %u", c->n_addrs6, SK_MAX_ADDRS);
	if (c->n_listen > SK_MAX_LISTEN)
		return fail(err, errlen, NULL, "[engine] listen: %u ports, "
			"at most %u", c->n_listen, SK_MAX_LISTEN);
	for (i = 0; i < c->n_addrs; i++) {
		in.s_addr = c->addrs[i].addr;
		inet_ntop(AF_INET, &in, a, sizeof(a));
		if (c->addrs[i].prefix > 32)
			return fail(err, errlen, NULL, "[engine] addresses: "
				"prefix /%u of %s (0..32)",
				c->addrs[i].prefix, a);
		why = addr_problem(ntohl(in.s_addr), c->addrs[i].prefix);
		if (why != NULL)
			return fail(err, errlen, NULL, "[engine] addresses: "
				"'%s/%u' is %s", a, c->addrs[i].prefix, why);
		for (j = 0; j < i; j++)
			if (c->addrs[j].addr == c->addrs[i].addr)
				return fail(err, errlen, NULL, "[engine] "
					"addresses: duplicate address '%s'", a);
	}
	for (i = 0; i < c->n_addrs6; i++) {
		inet_ntop(AF_INET6, c->addrs6[i].addr, a, sizeof(a));
		if (c->addrs6[i].prefix > 128)
			return fail(err, errlen, NULL, "[engine] addresses: "
				"prefix /%u of %s (0..128)",
				c->addrs6[i].prefix, a);
		why = addr6_problem(c->addrs6[i].addr);
		if (why != NULL)
			return fail(err, errlen, NULL, "[engine] addresses: "
				"'%s/%u' is %s", a, c->addrs6[i].prefix, why);
		for (j = 0; j < i; j++)
			if (memcmp(c->addrs6[j].addr, c->addrs6[i].addr,
					16) == 0)
				return fail(err, errlen, NULL, "[engine] "
					"addresses: duplicate address '%s'", a);
	}
	for (i = 0; i < c->n_listen; i++) {
		if (c->listen[i].port == 0)
			return fail(err, errlen, NULL,
				"[engine] listen: port 0 (1..65535)");
		if (c->listen[i].app == SK_APP_NONE ||
				c->listen[i].app >= SK_APP_MAX)
			return fail(err, errlen, NULL, "[engine] listen: port "
				"%u has no valid responder (%u)",
				c->listen[i].port, c->listen[i].app);
		for (j = 0; j < i; j++)
			if (c->listen[j].port == c->listen[i].port)
				return fail(err, errlen, NULL, "[engine] "
					"listen: port %u listed twice",
					c->listen[i].port);
	}
	for (i = 0; i < CFG_N_KEYS; i++) {
		k = &cfg_keys[i];
		snprintf(where, sizeof(where), "[%s] %s", k->section, k->name);
		if (k->type == CT_STR &&
				memchr((const char *)c + k->off, '\0',
					k->size) == NULL)
			return fail(err, errlen, where, "not terminated");
		if (!is_numeric(k))
			continue;
		v = field_get(c, k);
		if ((v == 0 && (k->flags & CF_ZERO)) ||
				(v == SK_CPS_MAX && (k->flags & CF_MAX)))
			continue;
		if (v < k->min || v > k->max)
			return fail(err, errlen, where, "%s out of range (%s)",
				fmt_num(k, v, a, sizeof(a)),
				fmt_range(k, range, sizeof(range)));
		if (k->type == CT_POW2 && !rte_is_power_of_2((uint32_t)v))
			return fail(err, errlen, where, "%" PRIu64 " is not a "
				"power of two", v);
	}
	if (sk_config_is_client(c)) {
		struct sk_client_cfg cc;

		if (sk_config_client(c, &cc, err, errlen) != 0)
			return -1;
		if (c->client_concurrency > c->flow_capacity)
			return fail(err, errlen, NULL, "[client] concurrency "
				"(%u) is more than [engine] flow_capacity (%u) "
				"(--concurrency, --flows)",
				c->client_concurrency, c->flow_capacity);
	}
	if (c->rto_max_ms < c->rto_ms)
		return fail(err, errlen, NULL, "[timeouts] rto_max (%s) is less "
			"than rto (%s): raise rto_max (--rto-max) or lower rto "
			"(--rto)",
			fmt_dur(c->rto_max_ms, a, sizeof(a)),
			fmt_dur(c->rto_ms, b, sizeof(b)));
	/* Only one previous cookie key is kept (sk_cookie.c): it must stay
	 * accepted for the whole cookie age, which counts in 64 s units. */
	min_rotate = ((c->cookie_max_age_s + SK_COOKIE_TICK_S - 1) /
		SK_COOKIE_TICK_S + 1) * (uint64_t)SK_COOKIE_TICK_S;
	if (c->cookie_rotate_s != 0 && c->cookie_rotate_s < min_rotate)
		return fail(err, errlen, NULL, "[cookies] rotate (%s) must be 0 "
			"or at least max_age rounded up to 64 s, plus 64 s (%s) "
			"(--cookie-rotate, --cookie-max-age)",
			fmt_dur(c->cookie_rotate_s * MS_PER_S, a, sizeof(a)),
			fmt_dur(min_rotate * MS_PER_S, b, sizeof(b)));
	return 0;
}

/* --- output ---------------------------------------------------------------- */

void
sk_config_print(const struct sk_config *c, FILE *f)
{
	const char *section = NULL;
	unsigned int i;

	for (i = 0; i < CFG_N_KEYS; i++) {
		const struct cfg_key *k = &cfg_keys[i];

		if (section == NULL || strcmp(section, k->section) != 0) {
			fprintf(f, "%s[%s]\n", section != NULL ? "\n" : "",
				k->section);
			section = k->section;
		}
		if (is_list(k)) {
			print_list(f, c, k);
			continue;
		}
		fprintf(f, "%s =", k->name);
		if (has_value(c, k))
			fputc(' ', f);
		print_value(f, c, k);
		fputc('\n', f);
	}
}

void
sk_config_usage(FILE *f, const char *prog)
{
	char opt[48], def[48], range[RANGE_LEN];
	unsigned int i;

	fprintf(f,
		"Usage: %s [EAL options] -- [options]\n"
		"\n"
		"Options override the configuration file wherever -f appears.\n"
		"\n"
		"  -f, --config FILE            read this INI file first\n",
		prog != NULL ? prog : "synackd");
	for (i = 0; i < CFG_N_KEYS; i++) {
		const struct cfg_key *k = &cfg_keys[i];

		snprintf(opt, sizeof(opt), "--%s%s%s", k->opt,
			k->arg != NULL ? " " : "", k->arg != NULL ? k->arg : "");
		if (k->def_text != NULL)
			snprintf(def, sizeof(def), "%s", k->def_text);
		else
			fmt_num(k, k->def, def, sizeof(def));
		fprintf(f, "      %-24s %s\n%31s", opt, k->help, "");
		if (is_numeric(k))
			fprintf(f, "%s, ", fmt_range(k, range, sizeof(range)));
		fprintf(f, "default: %s\n", def);
	}
	fprintf(f,
		"  -h, --help                   print this help and exit\n"
		"  -V, --version                print the version and exit\n"
		"\n"
		"DUR is an integer and a unit: ms, s, m or h (250ms, 60s, 5m, "
		"1h); a bare 0\n"
		"is accepted where 0 means off. --addr and --listen take "
		"comma-separated lists;\n"
		"the first one replaces the file's list, later ones add to it.\n"
		"See docs/configuration.md.\n");
}

bool
sk_config_has_addr(const struct sk_config *c, rte_be32_t addr)
{
	unsigned int i;

	for (i = 0; i < c->n_addrs && i < SK_MAX_ADDRS; i++)
		if (c->addrs[i].addr == addr)
			return true;
	return false;
}

bool
sk_config_has_addr6(const struct sk_config *c, const uint8_t *addr)
{
	for (unsigned int i = 0; i < c->n_addrs6 && i < SK_MAX_ADDRS; i++)
		if (memcmp(c->addrs6[i].addr, addr, 16) == 0)
			return true;
	return false;
}

/* --- the client role ------------------------------------------------------ */

/* Undo C escapes (\n \r \t \\ \xHH) of @p s into @p out. */
static int
unescape(const char *s, uint8_t *out, uint16_t *len, const char *where,
		char *err, size_t errlen)
{
	size_t n = 0;

	for (; *s != '\0'; s++) {
		uint8_t ch = (uint8_t)*s;

		if (ch == '\\') {
			s++;
			switch (*s) {
			case 'n': ch = '\n'; break;
			case 'r': ch = '\r'; break;
			case 't': ch = '\t'; break;
			case '\\': ch = '\\'; break;
			case 'x':
				if (hex_digit(s[1]) < 0 || hex_digit(s[2]) < 0)
					return fail(err, errlen, where, "'\\x' "
						"needs two hex digits");
				ch = (uint8_t)(hex_digit(s[1]) << 4 |
					hex_digit(s[2]));
				s += 2;
				break;
			default:
				return fail(err, errlen, where, "unknown escape "
					"'\\%c' (\\n, \\r, \\t, \\\\, \\xHH)",
					*s != '\0' ? *s : '0');
			}
		}
		if (n == SK_CLIENT_DATA_MAX)
			return fail(err, errlen, where, "more than %u bytes",
				SK_CLIENT_DATA_MAX);
		out[n++] = ch;
	}
	*len = (uint16_t)n;
	return 0;
}

/*
 * "A" or "A-B" of IPv6 addresses that differ in their last 32 bits only
 * (the client's sources: one /96 at most): the common first 12 bytes in
 * @p pfx, the last 4 as host-order @p lo <= @p hi.
 */
static int
parse_ip6_range(const char *s, uint8_t *pfx, uint32_t *lo, uint32_t *hi)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	const char *dash = strchr(s, '-');
	uint8_t x[16], y[16];
	uint32_t w;

	if (dash == NULL) {
		if (strlen(s) >= sizeof(a))
			return -1;
		memcpy(a, s, strlen(s) + 1);
		memcpy(b, s, strlen(s) + 1);
	} else {
		if ((size_t)(dash - s) >= sizeof(a) ||
				strlen(dash + 1) >= sizeof(b))
			return -1;
		snprintf(a, sizeof(a), "%.*s", (int)(dash - s), s);
		snprintf(b, sizeof(b), "%s", dash + 1);
	}
	if (inet_pton(AF_INET6, a, x) != 1 || inet_pton(AF_INET6, b, y) != 1 ||
			memcmp(x, y, 12) != 0)
		return -1;
	memcpy(pfx, x, 16);
	memcpy(&w, x + 12, 4);
	*lo = ntohl(w);
	memcpy(&w, y + 12, 4);
	*hi = ntohl(w);
	return *lo <= *hi ? 0 : -1;
}

/* "A" or "A-B" of dotted IPv4 addresses, host order, A <= B. */
static int
parse_ip_range(const char *s, uint32_t *lo, uint32_t *hi)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	const char *dash = strchr(s, '-');
	struct in_addr x, y;

	if (dash == NULL) {
		if (strlen(s) >= sizeof(a))
			return -1;
		memcpy(a, s, strlen(s) + 1);
		memcpy(b, s, strlen(s) + 1);
	} else {
		if ((size_t)(dash - s) >= sizeof(a) ||
				strlen(dash + 1) >= sizeof(b))
			return -1;
		snprintf(a, sizeof(a), "%.*s", (int)(dash - s), s);
		snprintf(b, sizeof(b), "%s", dash + 1);
	}
	if (inet_pton(AF_INET, a, &x) != 1 || inet_pton(AF_INET, b, &y) != 1)
		return -1;
	*lo = ntohl(x.s_addr);
	*hi = ntohl(y.s_addr);
	return *lo <= *hi ? 0 : -1;
}

static int
parse_port(const char *s, const char **end, uint16_t *port)
{
	uint64_t v;

	if (parse_digits(s, &v, end) != 0 || v == 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

static int client_common(const struct sk_config *c, struct sk_client_cfg *o,
		const char *host, char *err, size_t errlen);

/* "[X:Y::Z]:PORT", and IPv6 sources: "A-B" within one /96, or our first
 * IPv6 address. */
static int
client_v6(const struct sk_config *c, struct sk_client_cfg *o, char *err,
		size_t errlen)
{
	const char *close = strchr(c->client_target, ']'), *end, *why;
	char host[INET6_ADDRSTRLEN + 2], a[INET6_ADDRSTRLEN];
	uint16_t port;

	if (close == NULL || close[1] != ':' ||
			(size_t)(close - c->client_target - 1) >= sizeof(a))
		return fail(err, errlen, "[client] target", "'%s' is not "
			"[IPV6]:PORT (e.g. [2001:db8::1]:8080)",
			c->client_target);
	snprintf(a, sizeof(a), "%.*s", (int)(close - c->client_target - 1),
		c->client_target + 1);
	if (inet_pton(AF_INET6, a, o->target6) != 1 ||
			parse_port(close + 2, &end, &port) != 0 || *end != '\0')
		return fail(err, errlen, "[client] target", "'%s' is not "
			"[IPV6]:PORT (e.g. [2001:db8::1]:8080)",
			c->client_target);
	why = addr6_problem(o->target6);
	if (why != NULL || sk_config_has_addr6(c, o->target6))
		return fail(err, errlen, "[client] target", "'%s' cannot be "
			"a server: %s", a, why != NULL ? why :
			"it is one of our addresses");
	o->v6 = true;
	o->tport = rte_cpu_to_be_16(port);
	snprintf(host, sizeof(host), "[%s]", a);

	if (c->client_src_ips[0] == '\0') {
		uint32_t w;

		if (c->n_addrs6 == 0)
			return fail(err, errlen, NULL, "no IPv6 address for an "
				"IPv6 target (add one to [engine] addresses "
				"or --addr)");
		memcpy(o->src6, c->addrs6[0].addr, 16);
		memcpy(&w, o->src6 + 12, 4);
		o->src_lo = o->src_hi = ntohl(w);
	} else if (strchr(c->client_src_ips, ':') == NULL) {
		return fail(err, errlen, "[client] src_ips", "'%s' is IPv4 and "
			"the target IPv6: both of one family",
			c->client_src_ips);
	} else if (parse_ip6_range(c->client_src_ips, o->src6, &o->src_lo,
			&o->src_hi) != 0) {
		return fail(err, errlen, "[client] src_ips", "'%s' is not A "
			"or A-B with A <= B differing in the last 32 bits only "
			"(e.g. 2001:db8::100-2001:db8::1ff)",
			c->client_src_ips);
	} else {
		/* addr6_problem() looks at the first 12 bytes, but for :: and
		 * ::1, so the range's ends say it all; the target is checked
		 * by value (a range may hold 2^32 addresses) */
		uint8_t x[16];
		uint32_t w, t;

		memcpy(x, o->src6, 16);
		for (unsigned int end_i = 0; end_i < 2; end_i++) {
			w = htonl(end_i ? o->src_hi : o->src_lo);
			memcpy(x + 12, &w, 4);
			why = addr6_problem(x);
			if (why == NULL && o->src_lo <= 1 &&
					memcmp(x, (const uint8_t[12]){ 0 },
						12) == 0)
				why = "the unspecified or loopback address";
			if (why != NULL)
				break;
		}
		memcpy(&t, o->target6 + 12, 4);
		t = ntohl(t);
		if (why == NULL && memcmp(o->src6, o->target6, 12) == 0 &&
				t >= o->src_lo && t <= o->src_hi) {
			memcpy(x, o->target6, 16);
			why = "";
		}
		if (why != NULL) {
			inet_ntop(AF_INET6, x, a, sizeof(a));
			return fail(err, errlen, "[client] src_ips",
				"'%s' includes %s, which %s%s",
				c->client_src_ips, a,
				*why ? "is " : "is the target", why);
		}
	}
	return client_common(c, o, host, err, errlen);
}

int
sk_config_client(const struct sk_config *c, struct sk_client_cfg *o,
		char *err, size_t errlen)
{
	char host[INET_ADDRSTRLEN];
	const char *colon, *end;
	struct in_addr in;
	uint16_t port;

	memset(o, 0, sizeof(*o));
	if (c->client_target[0] == '[')
		return client_v6(c, o, err, errlen);
	if (strchr(c->client_target, ':') != strrchr(c->client_target, ':'))
		return fail(err, errlen, "[client] target", "'%s' is not "
			"IP:PORT: an IPv6 target goes in brackets, "
			"[2001:db8::1]:8080", c->client_target);
	colon = strrchr(c->client_target, ':');
	if (colon == NULL || (size_t)(colon - c->client_target) >=
			sizeof(host))
		return fail(err, errlen, "[client] target", "'%s' is not "
			"IP:PORT (e.g. 198.18.0.1:8080)", c->client_target);
	snprintf(host, sizeof(host), "%.*s",
		(int)(colon - c->client_target), c->client_target);
	if (inet_pton(AF_INET, host, &in) != 1 ||
			parse_port(colon + 1, &end, &port) != 0 || *end != '\0')
		return fail(err, errlen, "[client] target", "'%s' is not "
			"IP:PORT (e.g. 198.18.0.1:8080)", c->client_target);
	if (addr_problem(ntohl(in.s_addr), 32) != NULL ||
			sk_config_has_addr(c, in.s_addr))
		return fail(err, errlen, "[client] target", "'%s' cannot be "
			"a server: %s", host, sk_config_has_addr(c, in.s_addr) ?
			"it is one of our addresses" :
			addr_problem(ntohl(in.s_addr), 32));
	o->target = in.s_addr;
	o->tport = rte_cpu_to_be_16(port);

	if (strchr(c->client_src_ips, ':') != NULL)
		return fail(err, errlen, "[client] src_ips", "'%s' is IPv6 and "
			"the target IPv4: both of one family",
			c->client_src_ips);
	if (c->n_addrs == 0)
		return fail(err, errlen, NULL, c->n_addrs6 == 0 ?
			"no address: set [engine] addresses or --addr" :
			"no IPv4 address for an IPv4 target (add one to "
			"[engine] addresses or --addr)");
	if (c->client_src_ips[0] == '\0') {
		o->src_lo = o->src_hi = ntohl(c->addrs[0].addr);
	} else if (parse_ip_range(c->client_src_ips, &o->src_lo,
			&o->src_hi) != 0) {
		return fail(err, errlen, "[client] src_ips", "'%s' is not A "
			"or A-B with A <= B (e.g. 198.18.0.2-198.18.0.9)",
			c->client_src_ips);
	} else {
		for (uint64_t a = o->src_lo; a <= o->src_hi; a++) {
			const char *why = addr_problem((uint32_t)a, 32);

			if (why != NULL || a == ntohl(in.s_addr)) {
				in.s_addr = htonl((uint32_t)a);
				inet_ntop(AF_INET, &in, host, sizeof(host));
				return fail(err, errlen, "[client] src_ips",
					"'%s' includes %s, which %s%s",
					c->client_src_ips, host,
					why ? "is " : "is the target",
					why ? why : "");
			}
			if (a == UINT32_MAX)
				break;
		}
	}
	return client_common(c, o, host, err, errlen);
}

/* What the client role's configuration says beyond its addresses. */
static int
client_common(const struct sk_config *c, struct sk_client_cfg *o,
		const char *host, char *err, size_t errlen)
{
	const char *end;

	if (c->client_src_ports[0] == '\0') {
		o->sport_lo = 1024;
		o->sport_hi = 65535;
	} else if (parse_port(c->client_src_ports, &end, &o->sport_lo) != 0 ||
			(*end == '\0' ? (o->sport_hi = o->sport_lo, false) :
			 *end != '-' || parse_port(end + 1, &end,
				&o->sport_hi) != 0 || *end != '\0' ||
			 o->sport_hi < o->sport_lo)) {
		return fail(err, errlen, "[client] src_ports", "'%s' is not X "
			"or X-Y with 1 <= X <= Y <= 65535",
			c->client_src_ports);
	}
	for (unsigned int i = 0; i < c->n_listen && i < SK_MAX_LISTEN; i++)
		if (c->listen[i].port >= o->sport_lo &&
				c->listen[i].port <= o->sport_hi)
			return fail(err, errlen, "[client] src_ports", "%u-%u "
				"includes listening port %u",
				o->sport_lo, o->sport_hi, c->listen[i].port);

	if (c->client_close[0] == '\0' || strcmp(c->client_close,
			"client") == 0)
		o->close = SK_CLOSE_CLIENT;
	else if (strcmp(c->client_close, "server") == 0)
		o->close = SK_CLOSE_SERVER;
	else if (strcmp(c->client_close, "rst") == 0)
		o->close = SK_CLOSE_RST;
	else
		return fail(err, errlen, "[client] close", "'%s' is not "
			"client, server or rst", c->client_close);

	if (c->client_gateway_mac[0] != '\0') {
		unsigned int m[6];
		char tail;

		/* %2x cannot overflow; the count and %c check the form
		 * NOLINTNEXTLINE(cert-err34-c) */
		if (sscanf(c->client_gateway_mac, "%2x:%2x:%2x:%2x:%2x:%2x%c",
				&m[0], &m[1], &m[2], &m[3], &m[4], &m[5],
				&tail) != 6 || (m[0] & 1) != 0)
			return fail(err, errlen, "[client] gateway_mac", "'%s' "
				"is not a unicast MAC (aa:bb:cc:dd:ee:ff)",
				c->client_gateway_mac);
		for (unsigned int i = 0; i < 6; i++)
			o->gw_mac[i] = (uint8_t)m[i];
		o->have_gw_mac = true;
	}

	if (c->client_http && c->client_request[0] != '\0')
		return fail(err, errlen, "[client] http", "and request are "
			"both set: choose one (--http or --request)");
	if (c->client_http) {
		int n = snprintf((char *)o->req, sizeof(o->req),
			"GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: synack\r\n"
			"Connection: close\r\n\r\n", host);

		o->req_len = (uint16_t)RTE_MIN((size_t)n, sizeof(o->req) - 1);
	} else if (unescape(c->client_request, o->req, &o->req_len,
			"[client] request", err, errlen) != 0) {
		return -1;
	}
	if (unescape(c->client_expect, o->exp, &o->exp_len, "[client] expect",
			err, errlen) != 0)
		return -1;
	return 0;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Values: text to a field of struct sk_config and back. Numbers with a
 * range, durations with units, the secret, address and port lists, and
 * the client's ranges, ports, MAC and escapes. Each parser's message
 * names where the value came from (@p where) and quotes it.
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sk_common.h"
#include "sk_config_priv.h"

/* --- formatting ------------------------------------------------------ */

/* A duration as the docs write it: "250ms" when not whole seconds, else
 * "60s", "3600s"; whole hours from 2 h on ("24h"). */
const char *
sk_cfg_fmt_dur(uint64_t ms, char *buf, size_t size)
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

const char *
sk_cfg_fmt_num(const struct sk_cfg_key *k, uint64_t v, char *buf, size_t size)
{
	if ((k->flags & CF_MAX) && v == SK_CPS_MAX) {
		snprintf(buf, size, "max");
		return buf;
	}
	if (k->type == CT_MS || k->type == CT_SEC)
		return sk_cfg_fmt_dur(v, buf, size);
	snprintf(buf, size, "%" PRIu64, v);
	return buf;
}

/* "536..9000", or "0, or 10ms..24h" for keys where 0 means off. */
const char *
sk_cfg_fmt_range(const struct sk_cfg_key *k, char *buf, size_t size)
{
	char lo[24], hi[24];

	snprintf(buf, size, "%s%s..%s%s", (k->flags & CF_ZERO) ? "0, or " : "",
		sk_cfg_fmt_num(k, k->min, lo, sizeof(lo)),
		sk_cfg_fmt_num(k, k->max, hi, sizeof(hi)),
		(k->flags & CF_MAX) ? ", or max" : "");
	return buf;
}

/* --- value parsers ----------------------------------------------------- */

/*
 * Leading decimal digits of @p s: no sign, no space, no base prefix.
 * Returns 0, -EINVAL when @p s does not start with a digit, or -ERANGE on
 * overflow; *end points after the digits.
 */
int
sk_cfg_parse_digits(const char *s, uint64_t *v, const char **end)
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
parse_uint(const struct sk_cfg_key *k, const char *val, uint64_t *v,
		const char *where, char *err, size_t errlen)
{
	char range[RANGE_LEN];
	const char *end;
	int ret;

	sk_cfg_fmt_range(k, range, sizeof(range));
	if (val[0] == '\0')
		return sk_cfg_fail(err, errlen, where,
			"needs a value (%s)", range);
	if ((k->flags & CF_MAX) && strcmp(val, "max") == 0) {
		*v = SK_CPS_MAX;
		return 0;
	}
	ret = sk_cfg_parse_digits(val, v, &end);
	if (ret == -EINVAL || (ret == 0 && *end != '\0'))
		return sk_cfg_fail(err, errlen, where,
			"'%s' is not a number (%s)",
			val, range);
	if (ret == -ERANGE || *v < k->min || *v > k->max)
		return sk_cfg_fail(err, errlen, where, "'%s' out of range (%s)",
			val, range);
	if (k->type == CT_POW2 && !rte_is_power_of_2((uint32_t)*v))
		return sk_cfg_fail(err, errlen, where,
			"'%s' is not a power of two (%s)", val, range);
	return 0;
}

static int
parse_duration(const struct sk_cfg_key *k, const char *val, uint64_t *ms,
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

	sk_cfg_fmt_range(k, range, sizeof(range));
	if (val[0] == '\0')
		return sk_cfg_fail(err, errlen, where,
			"needs a value (%s)", range);
	ret = sk_cfg_parse_digits(val, &v, &end);
	if (ret == -EINVAL)
		goto bad;
	if (ret == -ERANGE)
		goto out_of_range;
	if (*end == '\0') {
		if (v != 0)
			return sk_cfg_fail(err, errlen, where,
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
		return sk_cfg_fail(err, errlen, where,
			"'%s' is not a whole number of seconds", val);
	*ms = v;
	return 0;
bad:
	return sk_cfg_fail(err, errlen, where,
		"'%s' is not a duration (an integer "
		"and a unit: ms, s, m or h, e.g. 250ms, 60s, 5m)", val);
out_of_range:
	return sk_cfg_fail(err, errlen, where,
		"'%s' out of range (%s)", val, range);
}

int
sk_cfg_hex_digit(char ch)
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
		if (sk_cfg_hex_digit(val[i]) < 0)
			return sk_cfg_fail(err, errlen, where,
				"'%c' (character %zu) "
				"is not a hex digit (need exactly %zu hex "
				"digits)", isprint((unsigned char)val[i]) ?
				val[i] : '?', i + 1, 2 * sizeof(s));
	if (len != 2 * sizeof(s))
		return sk_cfg_fail(err, errlen, where,
			"%zu hex digits given, need "
			"exactly %zu (%zu bits)", len, 2 * sizeof(s),
			8 * sizeof(s));
	for (i = 0; i < sizeof(s); i++)
		s[i] = (uint8_t)(sk_cfg_hex_digit(val[2 * i]) << 4 |
			sk_cfg_hex_digit(val[2 * i + 1]));
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
		return sk_cfg_fail(err, errlen, where,
			"empty entry in '%s'", val);
	if (n >= size)
		return sk_cfg_fail(err, errlen, where, "entry '%.*s' too long",
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
const char *
sk_cfg_addr_problem(uint32_t a, unsigned int prefix)
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
const char *
sk_cfg_addr6_problem(const uint8_t *a)
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
		return sk_cfg_fail(err, errlen, where, "bad IPv6 address '%s' "
			"(e.g. 2001:db8::2/64)", item);
	if (slash != NULL && (sk_cfg_parse_digits(slash + 1, &prefix,
			&end) != 0 || *end != '\0' || prefix > 128))
		return sk_cfg_fail(err, errlen, where,
			"bad prefix '%s' in '%s' (0..128)", slash, item);
	why = sk_cfg_addr6_problem(a);
	if (why != NULL)
		return sk_cfg_fail(err, errlen, where, "'%s' is %s", item, why);
	for (i = 0; i < c->n_addrs6; i++)
		if (memcmp(c->addrs6[i].addr, a, 16) == 0)
			return sk_cfg_fail(err, errlen, where,
				"duplicate address '%s'", item);
	if (c->n_addrs6 >= SK_MAX_ADDRS)
		return sk_cfg_fail(err, errlen, where, "more than %u IPv6 "
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
			return sk_cfg_fail(err, errlen, where,
				"bad address '%s'",
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
			return sk_cfg_fail(err, errlen, where,
				"bad address '%s' "
				"(dotted-quad IPv4, e.g. 198.18.0.2/24, or IPv6, "
				"e.g. 2001:db8::2/64)", item);
		if (slash != NULL && (sk_cfg_parse_digits(slash + 1, &prefix,
				&end) != 0 || *end != '\0' || prefix > 32))
			return sk_cfg_fail(err, errlen, where,
				"bad prefix '%s' in '%s' (0..32)", slash,
				item);
		why = sk_cfg_addr_problem(ntohl(in.s_addr),
			(unsigned int)prefix);
		if (why != NULL)
			return sk_cfg_fail(err, errlen, where,
				"'%s' is %s", item,
				why);
		for (i = 0; i < c->n_addrs; i++)
			if (c->addrs[i].addr == in.s_addr)
				return sk_cfg_fail(err, errlen, where,
					"duplicate address '%s'", item);
		if (c->n_addrs >= SK_MAX_ADDRS)
			return sk_cfg_fail(err, errlen, where, "more than %u "
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
			return sk_cfg_fail(err, errlen, where, "bad entry '%s' "
				"(PORT:APP, e.g. 8080:hello)", item);
		name = colon + 1;
		while (is_blank(*name))
			name++;
		while (colon > item && is_blank(colon[-1]))
			colon--;
		*colon = '\0';
		if (sk_cfg_parse_digits(item, &port, &end) != 0 ||
				*end != '\0' || port < 1 || port > UINT16_MAX)
			return sk_cfg_fail(err, errlen, where,
				"bad port '%s' in "
				"'%s:%s' (1..65535)", item, item, name);
		app = sk_app_from_name(name);
		if (app == SK_APP_NONE)
			return sk_cfg_fail(err, errlen, where,
				"unknown responder '%s' (%s)", name,
				app_list(apps, sizeof(apps)));
		for (i = 0; i < c->n_listen; i++)
			if (c->listen[i].port == port)
				return sk_cfg_fail(err, errlen, where,
					"port %" PRIu64 " listed twice",
					port);
		if (c->n_listen >= SK_MAX_LISTEN)
			return sk_cfg_fail(err, errlen, where,
				"more than %u ports "
				"(at '%s:%s')", SK_MAX_LISTEN, item, name);
		c->listen[c->n_listen].port = (uint16_t)port;
		c->listen[c->n_listen].app = (uint8_t)app;
		c->n_listen++;
	}
	return ret;
}

/* A backend as the lists write it: "198.18.0.3:8080", "[2001:db8::3]:8080",
 * "8443=198.18.0.4:443" (proxied port 8443's own). */
const char *
sk_cfg_fmt_backend(const struct sk_config_backend *b, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN], lp[8] = "";

	if (b->lport != 0)
		snprintf(lp, sizeof(lp), "%u=", b->lport);
	if (b->family == 6) {
		if (inet_ntop(AF_INET6, b->addr6, a, sizeof(a)) == NULL)
			snprintf(a, sizeof(a), "?");
		snprintf(buf, size, "%s[%s]:%u", lp, a, b->port);
	} else {
		if (inet_ntop(AF_INET, &b->addr, a, sizeof(a)) == NULL)
			snprintf(a, sizeof(a), "?");
		snprintf(buf, size, "%s%s:%u", lp, a, b->port);
	}
	return buf;
}

/* One "[LPORT=]IP:PORT" or "[LPORT=][IPv6]:PORT" into @p b; the address
 * checked as one a server may have (whether it is ours, and whether LPORT
 * is proxied, is sk_config_validate()'s). */
static int
parse_backend(const char *whole, struct sk_config_backend *b,
		const char *where, char *err, size_t errlen)
{
	char ip[INET6_ADDRSTRLEN];
	const char *item = whole, *colon, *end, *why;
	size_t n;

	memset(b, 0, sizeof(*b));
	if (strchr(item, '=') != NULL) {
		if (sk_cfg_parse_port(item, &end, &b->lport) != 0 ||
				*end != '=')
			return sk_cfg_fail(err, errlen, where,
				"bad proxied port in '%s' (LPORT=IP:PORT, "
				"LPORT 1..65535)", whole);
		item = end + 1;
	}
	if (item[0] == '[') {
		const char *close = strchr(item, ']');

		if (close == NULL || close[1] != ':')
			goto bad;
		colon = close + 1;
		n = (size_t)(close - item - 1);
		if (n >= sizeof(ip))
			goto bad;
		memcpy(ip, item + 1, n);
		ip[n] = '\0';
		if (inet_pton(AF_INET6, ip, b->addr6) != 1)
			return sk_cfg_fail(err, errlen, where,
				"bad IPv6 address '%s' in '%s'", ip, whole);
		b->family = 6;
	} else {
		colon = strchr(item, ':');
		if (colon != NULL && strchr(colon + 1, ':') != NULL)
			return sk_cfg_fail(err, errlen, where,
				"'%s': an IPv6 backend goes in brackets, "
				"[2001:db8::3]:8080", whole);
		if (colon == NULL)
			goto bad;
		n = (size_t)(colon - item);
		if (n >= sizeof(ip))
			goto bad;
		memcpy(ip, item, n);
		ip[n] = '\0';
		if (inet_pton(AF_INET, ip, &b->addr) != 1)
			return sk_cfg_fail(err, errlen, where,
				"bad IPv4 address '%s' in '%s'", ip, whole);
		b->family = 4;
	}
	if (sk_cfg_parse_port(colon + 1, &end, &b->port) != 0 || *end != '\0')
		return sk_cfg_fail(err, errlen, where,
			"bad port '%s' in '%s' (1..65535)", colon + 1, whole);
	why = b->family == 6 ? sk_cfg_addr6_problem(b->addr6) :
		sk_cfg_addr_problem(ntohl(b->addr), 32);
	if (why != NULL)
		return sk_cfg_fail(err, errlen, where,
			"'%s' cannot be a backend: %s is %s", whole, ip, why);
	return 0;
bad:
	return sk_cfg_fail(err, errlen, where, "bad backend '%s' ([LPORT=]"
		"IP:PORT, e.g. 198.18.0.3:8080, [2001:db8::3]:8080 or "
		"8443=198.18.0.4:443)", whole);
}

/* "[LPORT=]IP:PORT, [LPORT=][IPv6]:PORT, ..." appended to c->backends. A
 * server (address and port) is given once: in one port's set, or in the
 * set of every port without one. */
static int
parse_backends(struct sk_config *c, const char *val, const char *where,
		char *err, size_t errlen)
{
	struct sk_config_backend b;
	const char *p = val;
	/* set: the analyzer cannot see that next_item() fills it whenever
	 * it returns 1 (sk_cfg_fail() is in another file) */
	char item[64] = "";
	unsigned int i;
	int ret;

	while ((ret = next_item(&p, item, sizeof(item), val, where, err,
			errlen)) > 0) {
		if (parse_backend(item, &b, where, err, errlen) != 0)
			return -1;
		for (i = 0; i < c->n_backends && i < SK_MAX_BACKENDS; i++)
			if (c->backends[i].family == b.family &&
					c->backends[i].port == b.port &&
					(b.family == 6 ?
					 memcmp(c->backends[i].addr6, b.addr6,
						16) == 0 :
					 c->backends[i].addr == b.addr))
				return sk_cfg_fail(err, errlen, where,
					"duplicate backend '%s'", item);
		if (c->n_backends >= SK_MAX_BACKENDS)
			return sk_cfg_fail(err, errlen, where, "more than %u "
				"backends (at '%s')", SK_MAX_BACKENDS, item);
		c->backends[c->n_backends++] = b;
	}
	return ret;
}

/*
 * Set key @p k from text @p val. Lists are replaced, or appended to when
 * @p append. @p where names the key or option in messages.
 */
int
sk_cfg_set_value(struct sk_config *c, const struct sk_cfg_key *k,
		const char *val, bool append, const char *where, char *err,
		size_t errlen)
{
	uint64_t v = 0;

	switch (k->type) {
	case CT_ADDRS:
		if (!append) {
			c->n_addrs = 0;
			c->n_addrs6 = 0;
		}
		if (val[0] == '\0')
			return sk_cfg_fail(err, errlen, where,
				"needs at least one "
				"address (A[/P], e.g. 198.18.0.2/24 or "
				"2001:db8::2/64)");
		return parse_addrs(c, val, where, err, errlen);
	case CT_LISTEN:
		if (!append)
			c->n_listen = 0;
		if (val[0] == '\0')
			return sk_cfg_fail(err, errlen, where,
				"needs at least one "
				"port (PORT:APP, e.g. 8080:hello)");
		return parse_listen(c, val, where, err, errlen);
	case CT_BACKENDS:
		if (!append) {
			c->n_backends = 0;
			memset(c->backends, 0, sizeof(c->backends));
		}
		/* "" = none: what sk_config_print() writes then */
		if (val[0] == '\0')
			return 0;
		return parse_backends(c, val, where, err, errlen);
	case CT_PORTS: {
		uint16_t lo, hi;

		if (sk_cfg_parse_port_range(val, &lo, &hi) != 0)
			return sk_cfg_fail(err, errlen, where,
				"'%s' is not X or X-Y with 1 <= X <= Y <= "
				"65535 (e.g. 32768-60999)", val);
		sk_cfg_field_set(c, k, SK_CFG_PORTS(lo, hi));
		return 0;
	}
	case CT_UINT:
	case CT_POW2:
		if (parse_uint(k, val, &v, where, err, errlen) != 0)
			return -1;
		sk_cfg_field_set(c, k, v);
		return 0;
	case CT_MS:
	case CT_SEC:
		if (parse_duration(k, val, &v, where, err, errlen) != 0)
			return -1;
		sk_cfg_field_set(c, k, v);
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
		return sk_cfg_fail(err, errlen, where,
			"'%s' is not yes or no", val);
	}
	case CT_STR: {
		size_t n = strlen(val), n_comment = 0;

		if (n >= k->size)
			return sk_cfg_fail(err, errlen, where,
				"'%.32s...' too long "
				"(at most %zu characters)", val, k->size - 1);
		/* sk_config_print writes a ';' as "\;": the value must fit
		 * an INI line that way too, as it does when read from one */
		for (const char *p = val; *p != '\0'; p++)
			n_comment += *p == CFG_DEFAULT_COMMENT_CHARACTER;
		if (n + n_comment >= CFG_VALUE_LEN)
			return sk_cfg_fail(err, errlen, where,
				"'%.32s...' too long "
				"(at most %u characters, a ';' counting two)",
				val, CFG_VALUE_LEN - 1);
		/* an INI line cannot carry one, so sk_config_print would
		 * write a file that reads back differently (found by
		 * fuzz_config: a newline in --stats-file) */
		for (const char *p = val; *p != '\0'; p++)
			if (((unsigned char)*p < 0x20 && *p != '\t') ||
					*p == 0x7f)
				return sk_cfg_fail(err, errlen, where,
					"control character in '%s'", val);
		snprintf((char *)c + k->off, k->size, "%s", val);
		return 0;
	}
	}
	return sk_cfg_fail(err, errlen, where, "internal error: bad key type");
}

/* --- the client role's values ------------------------------------------- */

/* Undo C escapes (\n \r \t \\ \xHH) of @p s into @p out. */
int
sk_cfg_unescape(const char *s, uint8_t *out, uint16_t *len, const char *where,
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
				if (sk_cfg_hex_digit(s[1]) < 0 ||
						sk_cfg_hex_digit(s[2]) < 0)
					return sk_cfg_fail(err, errlen, where,
						"'\\x' needs two hex digits");
				ch = (uint8_t)(sk_cfg_hex_digit(s[1]) << 4 |
					sk_cfg_hex_digit(s[2]));
				s += 2;
				break;
			default:
				return sk_cfg_fail(err, errlen, where,
					"unknown escape "
					"'\\%c' (\\n, \\r, \\t, \\\\, \\xHH)",
					*s != '\0' ? *s : '0');
			}
		}
		if (n == SK_CLIENT_DATA_MAX)
			return sk_cfg_fail(err, errlen, where,
				"more than %u bytes",
				SK_CLIENT_DATA_MAX);
		out[n++] = ch;
	}
	*len = (uint16_t)n;
	return 0;
}

/* "A" or "A-B" into @p a and @p b (A twice when there is no dash), each
 * at most @p n - 1 characters. */
static int
split_range(const char *s, char *a, char *b, size_t n)
{
	const char *dash = strchr(s, '-');

	if (dash == NULL) {
		if (strlen(s) >= n)
			return -1;
		memcpy(a, s, strlen(s) + 1);
		memcpy(b, s, strlen(s) + 1);
		return 0;
	}
	if ((size_t)(dash - s) >= n || strlen(dash + 1) >= n)
		return -1;
	snprintf(a, n, "%.*s", (int)(dash - s), s);
	snprintf(b, n, "%s", dash + 1);
	return 0;
}

/*
 * "A" or "A-B" of IPv6 addresses that differ in their last 32 bits only
 * (the client's sources: one /96 at most): the common first 12 bytes in
 * @p pfx, the last 4 as host-order @p lo <= @p hi.
 */
int
sk_cfg_parse_ip6_range(const char *s, uint8_t *pfx, uint32_t *lo, uint32_t *hi)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	uint8_t x[16], y[16];
	uint32_t w;

	if (split_range(s, a, b, sizeof(a)) != 0 ||
			inet_pton(AF_INET6, a, x) != 1 ||
			inet_pton(AF_INET6, b, y) != 1 || memcmp(x, y, 12) != 0)
		return -1;
	memcpy(pfx, x, 16);
	memcpy(&w, x + 12, 4);
	*lo = ntohl(w);
	memcpy(&w, y + 12, 4);
	*hi = ntohl(w);
	return *lo <= *hi ? 0 : -1;
}

/* "A" or "A-B" of dotted IPv4 addresses, host order, A <= B. */
int
sk_cfg_parse_ip_range(const char *s, uint32_t *lo, uint32_t *hi)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	struct in_addr x, y;

	if (split_range(s, a, b, sizeof(a)) != 0 ||
			inet_pton(AF_INET, a, &x) != 1 ||
			inet_pton(AF_INET, b, &y) != 1)
		return -1;
	*lo = ntohl(x.s_addr);
	*hi = ntohl(y.s_addr);
	return *lo <= *hi ? 0 : -1;
}

int
sk_cfg_parse_port(const char *s, const char **end, uint16_t *port)
{
	uint64_t v;

	if (sk_cfg_parse_digits(s, &v, end) != 0 || v == 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

int
sk_cfg_parse_port_range(const char *s, uint16_t *lo, uint16_t *hi)
{
	const char *end;

	if (sk_cfg_parse_port(s, &end, lo) != 0)
		return -1;
	if (*end == '\0') {
		*hi = *lo;
		return 0;
	}
	if (*end != '-' || sk_cfg_parse_port(end + 1, &end, hi) != 0 ||
			*end != '\0')
		return -1;
	return *lo <= *hi ? 0 : -1;
}

int
sk_cfg_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int m[6];
	char tail;

	/* %2x cannot overflow; the count and %c check the form
	 * NOLINTNEXTLINE(cert-err34-c) */
	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &m[0], &m[1], &m[2],
			&m[3], &m[4], &m[5], &tail) != 6 || (m[0] & 1) != 0)
		return -1;
	for (unsigned int i = 0; i < 6; i++)
		mac[i] = (uint8_t)m[i];
	return 0;
}

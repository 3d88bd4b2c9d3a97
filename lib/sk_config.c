/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synackd's configuration: defaults, validation of the whole, the
 * effective configuration printed as INI, and the helpers the engine
 * asks. sk_config_priv.h says which file does the rest.
 */

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sk_common.h"
#include "sk_config_priv.h"
#include "sk_cookie.h"

/* --- errors ---------------------------------------------------------- */

/* Write "WHERE: message" to err (WHERE may be NULL); returns -1. */
int
sk_cfg_fail(char *err, size_t errlen, const char *where, const char *fmt, ...)
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

/* --- defaults ---------------------------------------------------------- */

void
sk_config_defaults(struct sk_config *c)
{
	unsigned int i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < SK_CFG_N_KEYS; i++)
		if (sk_cfg_is_numeric(&sk_cfg_keys[i]) ||
				sk_cfg_keys[i].type == CT_PORTS)
			sk_cfg_field_set(c, &sk_cfg_keys[i],
				sk_cfg_keys[i].def);
}

/* --- validation ---------------------------------------------------------- */

static bool
same_backend(const struct sk_config_backend *a,
		const struct sk_config_backend *b)
{
	if (a->family != b->family || a->port != b->port)
		return false;
	return a->family == 6 ? memcmp(a->addr6, b->addr6, 16) == 0 :
		a->addr == b->addr;
}

static bool
is_proxied(const struct sk_config *c, uint16_t port)
{
	for (unsigned int i = 0; i < c->n_listen && i < SK_MAX_LISTEN; i++)
		if (c->listen[i].port == port &&
				c->listen[i].app == SK_APP_PROXY)
			return true;
	return false;
}

/* Proxied port @p port has a backend: one of its own, or one for every
 * port. */
static bool
port_has_backend(const struct sk_config *c, uint16_t port)
{
	for (unsigned int i = 0; i < c->n_backends && i < SK_MAX_BACKENDS; i++)
		if (c->backends[i].lport == 0 || c->backends[i].lport == port)
			return true;
	return false;
}

/* Some proxied port has no backend of its own: the backends for every
 * port serve it. */
static bool
generic_used(const struct sk_config *c)
{
	for (unsigned int i = 0; i < c->n_listen && i < SK_MAX_LISTEN; i++) {
		bool own = false;

		if (c->listen[i].app != SK_APP_PROXY)
			continue;
		for (unsigned int j = 0; j < c->n_backends &&
				j < SK_MAX_BACKENDS && !own; j++)
			own = c->backends[j].lport == c->listen[i].port;
		if (!own)
			return true;
	}
	return false;
}

/*
 * [proxy] against the rest: the proxied ports and the backends go
 * together, each backend is reachable from an address of ours of its
 * family and is not ours, and our source ports toward them cannot be
 * taken for a connection to a listening port. Nothing is checked while
 * neither a backend nor a PORT:proxy is configured, so the defaults never
 * trouble a configuration without the proxy.
 */
static int
validate_proxy(const struct sk_config *c, char *err, size_t errlen)
{
	const struct sk_config_backend *b;
	char s[64];
	const char *why;
	unsigned int i, j;

	if (c->n_backends > SK_MAX_BACKENDS)
		return sk_cfg_fail(err, errlen, NULL, "[proxy] backends: %u "
			"backends, at most %u", c->n_backends, SK_MAX_BACKENDS);
	if (c->proxy_port[0] != '\0' && !sk_config_is_proxy(c))
		return sk_cfg_fail(err, errlen, NULL, "[proxy] port: set, but "
			"no port is proxied: add PORT:proxy to [engine] listen "
			"(--listen 8080:proxy)");
	if (c->n_backends == 0 && !sk_config_is_proxy(c))
		return 0;
	/* the client role's engine opens its own connections from the same
	 * tuples; sharing the flow table and the ports with the proxy's is
	 * not designed yet */
	if (sk_config_is_client(c))
		return sk_cfg_fail(err, errlen, NULL,
			"[proxy] cannot be combined with [client] yet "
			"(--client with --backend or a PORT:proxy in --listen)");
	if (!sk_config_is_proxy(c))
		return sk_cfg_fail(err, errlen, NULL,
			"[proxy] backends: set, but no port is proxied: add "
			"PORT:proxy to [engine] listen (--listen 8080:proxy)");
	for (i = 0; i < c->n_backends; i++) {
		b = &c->backends[i];
		if (b->family != 4 && b->family != 6)
			return sk_cfg_fail(err, errlen, NULL,
				"[proxy] backends: entry %u has no address "
				"family (%u)", i + 1, b->family);
		sk_cfg_fmt_backend(b, s, sizeof(s));
		if (b->port == 0)
			return sk_cfg_fail(err, errlen, NULL,
				"[proxy] backends: '%s': port 0 (1..65535)", s);
		why = b->family == 6 ? sk_cfg_addr6_problem(b->addr6) :
			sk_cfg_addr_problem(ntohl(b->addr), 32);
		if (why != NULL)
			return sk_cfg_fail(err, errlen, NULL,
				"[proxy] backends: '%s' cannot be a backend: "
				"the address is %s", s, why);
		if (b->family == 6 ? sk_config_has_addr6(c, b->addr6) :
				sk_config_has_addr(c, b->addr))
			return sk_cfg_fail(err, errlen, NULL,
				"[proxy] backends: '%s' is one of our "
				"addresses (--backend, --addr)", s);
		if ((b->family == 6 ? c->n_addrs6 : c->n_addrs) == 0)
			return sk_cfg_fail(err, errlen, NULL,
				"[proxy] backends: '%s': no IPv%u address of "
				"ours to connect from (add one to [engine] "
				"addresses or --addr)", s, b->family);
		for (j = 0; j < i; j++)
			if (same_backend(&c->backends[j], b))
				return sk_cfg_fail(err, errlen, NULL,
					"[proxy] backends: duplicate backend "
					"'%s' (a server is in one port's set, "
					"or in the set of every port)", s);
		if (b->lport != 0 && !is_proxied(c, b->lport))
			return sk_cfg_fail(err, errlen, NULL,
				"[proxy] backends: '%s': port %u is not "
				"proxied (add %u:proxy to [engine] listen)",
				s, b->lport, b->lport);
		if (b->lport == 0 && !generic_used(c))
			return sk_cfg_fail(err, errlen, NULL,
				"[proxy] backends: '%s' serves no port: every "
				"proxied port has backends of its own", s);
	}
	for (i = 0; i < c->n_listen && i < SK_MAX_LISTEN; i++)
		if (c->listen[i].app == SK_APP_PROXY &&
				!port_has_backend(c, c->listen[i].port))
			return sk_cfg_fail(err, errlen, NULL,
				"[engine] listen: port %u is proxy but no "
				"backend serves it: set [proxy] backends or "
				"--backend (IP:PORT for every proxied port, "
				"%u=IP:PORT for this one)", c->listen[i].port,
				c->listen[i].port);
	if (c->proxy_port[0] != '\0' && strcmp(c->proxy_port, c->port) == 0)
		return sk_cfg_fail(err, errlen, NULL,
			"[proxy] port: '%s' is also [port] device: for one-arm "
			"leave [proxy] port out (--proxy-port)", c->proxy_port);
	if (c->proxy_port[0] != '\0' && c->port[0] == '\0')
		return sk_cfg_fail(err, errlen, NULL,
			"[proxy] port: set, but not [port] device: name the "
			"clients' port too (--port), so that the two are not "
			"taken for each other");
	if (c->proxy_port_lo == 0 || c->proxy_port_lo > c->proxy_port_hi)
		return sk_cfg_fail(err, errlen, NULL,
			"[proxy] source_ports: '%u-%u' is not X-Y with "
			"1 <= X <= Y <= 65535 (--proxy-source-ports)",
			c->proxy_port_lo, c->proxy_port_hi);
	for (i = 0; i < c->n_listen && i < SK_MAX_LISTEN; i++)
		if (c->listen[i].port >= c->proxy_port_lo &&
				c->listen[i].port <= c->proxy_port_hi)
			return sk_cfg_fail(err, errlen, NULL,
				"[proxy] source_ports: %u-%u includes "
				"listening port %u (--proxy-source-ports, "
				"--listen)", c->proxy_port_lo,
				c->proxy_port_hi, c->listen[i].port);
	return 0;
}

int
sk_config_validate(const struct sk_config *c, char *err, size_t errlen)
{
	char where[64], range[RANGE_LEN], a[INET6_ADDRSTRLEN], b[32];
	const struct sk_cfg_key *k;
	struct in_addr in;
	const char *why;
	unsigned int i, j;
	uint64_t v, min_rotate;

	if (c == NULL)
		return sk_cfg_fail(err, errlen, NULL, "no configuration");
	if (c->n_addrs == 0 && c->n_addrs6 == 0)
		return sk_cfg_fail(err, errlen, NULL,
			"no address: set [engine] addresses or --addr");
	if (c->n_listen == 0 && !sk_config_is_client(c))
		return sk_cfg_fail(err, errlen, NULL,
			"no listening port: set [engine] listen or --listen "
			"(or [client] target, --client)");
	if (c->n_addrs > SK_MAX_ADDRS)
		return sk_cfg_fail(err, errlen, NULL, "[engine] addresses: %u "
			"addresses, at most %u", c->n_addrs, SK_MAX_ADDRS);
	if (c->n_addrs6 > SK_MAX_ADDRS)
		return sk_cfg_fail(err, errlen, NULL,
			"[engine] addresses: %u IPv6 "
			"addresses, at most %u", c->n_addrs6, SK_MAX_ADDRS);
	if (c->n_listen > SK_MAX_LISTEN)
		return sk_cfg_fail(err, errlen, NULL,
			"[engine] listen: %u ports, "
			"at most %u", c->n_listen, SK_MAX_LISTEN);
	for (i = 0; i < c->n_addrs; i++) {
		in.s_addr = c->addrs[i].addr;
		inet_ntop(AF_INET, &in, a, sizeof(a));
		if (c->addrs[i].prefix > 32)
			return sk_cfg_fail(err, errlen, NULL,
				"[engine] addresses: prefix /%u of %s (0..32)",
				c->addrs[i].prefix, a);
		why = sk_cfg_addr_problem(ntohl(in.s_addr), c->addrs[i].prefix);
		if (why != NULL)
			return sk_cfg_fail(err, errlen, NULL,
				"[engine] addresses: "
				"'%s/%u' is %s", a, c->addrs[i].prefix, why);
		for (j = 0; j < i; j++)
			if (c->addrs[j].addr == c->addrs[i].addr)
				return sk_cfg_fail(err, errlen, NULL,
					"[engine] "
					"addresses: duplicate address '%s'", a);
	}
	for (i = 0; i < c->n_addrs6; i++) {
		inet_ntop(AF_INET6, c->addrs6[i].addr, a, sizeof(a));
		if (c->addrs6[i].prefix > 128)
			return sk_cfg_fail(err, errlen, NULL,
				"[engine] addresses: prefix /%u of %s (0..128)",
				c->addrs6[i].prefix, a);
		why = sk_cfg_addr6_problem(c->addrs6[i].addr);
		if (why != NULL)
			return sk_cfg_fail(err, errlen, NULL,
				"[engine] addresses: "
				"'%s/%u' is %s", a, c->addrs6[i].prefix, why);
		for (j = 0; j < i; j++)
			if (memcmp(c->addrs6[j].addr, c->addrs6[i].addr,
					16) == 0)
				return sk_cfg_fail(err, errlen, NULL,
					"[engine] "
					"addresses: duplicate address '%s'", a);
	}
	for (i = 0; i < c->n_listen; i++) {
		if (c->listen[i].port == 0)
			return sk_cfg_fail(err, errlen, NULL,
				"[engine] listen: port 0 (1..65535)");
		if (c->listen[i].app == SK_APP_NONE ||
				c->listen[i].app >= SK_APP_MAX)
			return sk_cfg_fail(err, errlen, NULL,
				"[engine] listen: port "
				"%u has no valid responder (%u)",
				c->listen[i].port, c->listen[i].app);
		for (j = 0; j < i; j++)
			if (c->listen[j].port == c->listen[i].port)
				return sk_cfg_fail(err, errlen, NULL,
					"[engine] listen: port %u listed twice",
					c->listen[i].port);
	}
	for (i = 0; i < SK_CFG_N_KEYS; i++) {
		k = &sk_cfg_keys[i];
		snprintf(where, sizeof(where), "[%s] %s", k->section, k->name);
		if (k->type == CT_STR &&
				memchr((const char *)c + k->off, '\0',
					k->size) == NULL)
			return sk_cfg_fail(err, errlen, where,
				"not terminated");
		if (!sk_cfg_is_numeric(k))
			continue;
		v = sk_cfg_field_get(c, k);
		if ((v == 0 && (k->flags & CF_ZERO)) ||
				(v == SK_CPS_MAX && (k->flags & CF_MAX)))
			continue;
		if (v < k->min || v > k->max)
			return sk_cfg_fail(err, errlen, where,
				"%s out of range (%s)",
				sk_cfg_fmt_num(k, v, a, sizeof(a)),
				sk_cfg_fmt_range(k, range, sizeof(range)));
		if (k->type == CT_POW2 && !rte_is_power_of_2((uint32_t)v))
			return sk_cfg_fail(err, errlen, where,
				"%" PRIu64 " is not a "
				"power of two", v);
	}
	/* before [client]'s own checks: with the proxy, that role is
	 * refused whole, whatever its keys say */
	if (validate_proxy(c, err, errlen) != 0)
		return -1;
	if (sk_config_is_client(c)) {
		struct sk_client_cfg cc;

		/* once finalized, the parsed section stands for the strings:
		 * each engine validates its configuration, none re-parses */
		if (!c->client.ready &&
				sk_config_client(c, &cc, err, errlen) != 0)
			return -1;
		if (c->client_concurrency > c->flow_capacity)
			return sk_cfg_fail(err, errlen, NULL,
				"[client] concurrency "
				"(%u) is more than [engine] flow_capacity (%u) "
				"(--concurrency, --flows)",
				c->client_concurrency, c->flow_capacity);
	}
	if (c->rto_max_ms < c->rto_ms)
		return sk_cfg_fail(err, errlen, NULL,
			"[timeouts] rto_max (%s) is less "
			"than rto (%s): raise rto_max (--rto-max) or lower rto "
			"(--rto)",
			sk_cfg_fmt_dur(c->rto_max_ms, a, sizeof(a)),
			sk_cfg_fmt_dur(c->rto_ms, b, sizeof(b)));
	/* Only one previous cookie key is kept (sk_cookie.c): it must stay
	 * accepted for the whole cookie age, which counts in 64 s units. */
	min_rotate = ((c->cookie_max_age_s + SK_COOKIE_TICK_S - 1) /
		SK_COOKIE_TICK_S + 1) * (uint64_t)SK_COOKIE_TICK_S;
	if (c->cookie_rotate_s != 0 && c->cookie_rotate_s < min_rotate)
		return sk_cfg_fail(err, errlen, NULL,
			"[cookies] rotate (%s) must be 0 "
			"or at least max_age rounded up to 64 s, plus 64 s (%s) "
			"(--cookie-rotate, --cookie-max-age)",
			sk_cfg_fmt_dur(c->cookie_rotate_s * MS_PER_S, a,
				sizeof(a)),
			sk_cfg_fmt_dur(min_rotate * MS_PER_S, b, sizeof(b)));
	return 0;
}

int
sk_config_finalize(struct sk_config *c, char *err, size_t errlen)
{
	if (c == NULL)
		return sk_cfg_fail(err, errlen, NULL, "no configuration");
	c->client.ready = false;
	if (sk_config_validate(c, err, errlen) != 0)
		return -1;
	if (!sk_config_is_client(c)) {
		memset(&c->client, 0, sizeof(c->client));
		return 0;
	}
	if (sk_config_client(c, &c->client, err, errlen) != 0)
		return -1;
	c->client.ready = true;
	return 0;
}

/* --- output ---------------------------------------------------------------- */


/* Entry @p i of list key @p k as text, IPv4 addresses before IPv6 ones,
 * backends in their order; false past the end. IPv6 in RFC 5952 form
 * (glibc's inet_ntop writes it), which parse_addrs() and parse_backends()
 * in sk_config_value.c read back. */
static bool
list_item(const struct sk_config *c, const struct sk_cfg_key *k, unsigned int i,
		char *buf, size_t size)
{
	char s[INET6_ADDRSTRLEN];
	unsigned int n4 = RTE_MIN(c->n_addrs, (unsigned int)SK_MAX_ADDRS);

	if (k->type == CT_BACKENDS) {
		if (i >= c->n_backends || i >= SK_MAX_BACKENDS)
			return false;
		sk_cfg_fmt_backend(&c->backends[i], buf, size);
		return true;
	}
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
 * needs (later lines add to the list: apply_file(), sk_config_ini.c). */
static void
print_list(FILE *f, const struct sk_config *c, const struct sk_cfg_key *k)
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
has_value(const struct sk_config *c, const struct sk_cfg_key *k)
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
print_value(FILE *f, const struct sk_config *c, const struct sk_cfg_key *k)
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
	case CT_PORTS: {
		uint64_t v = sk_cfg_field_get(c, k);

		fprintf(f, "%u-%u", SK_CFG_PORTS_LO(v), SK_CFG_PORTS_HI(v));
		break;
	}
	case CT_STR: {
		const char *v = (const char *)c + k->off;

		/* ';' would start a comment: "\;" is rte_cfgfile's literal
		 * one (its loader drops the backslash before each), so the
		 * file reads back the same string. '#' is no comment
		 * character there and goes as it is. */
		for (size_t i = 0; i < k->size && v[i] != '\0'; i++) {
			if (v[i] == CFG_DEFAULT_COMMENT_CHARACTER)
				fputc('\\', f);
			fputc(v[i], f);
		}
		break;
	}
	default:
		fputs(sk_cfg_fmt_num(k, sk_cfg_field_get(c, k), buf,
			sizeof(buf)), f);
		break;
	}
}

void
sk_config_print(const struct sk_config *c, FILE *f)
{
	const char *section = NULL;
	unsigned int i;

	for (i = 0; i < SK_CFG_N_KEYS; i++) {
		const struct sk_cfg_key *k = &sk_cfg_keys[i];

		if (section == NULL || strcmp(section, k->section) != 0) {
			fprintf(f, "%s[%s]\n", section != NULL ? "\n" : "",
				k->section);
			section = k->section;
		}
		if (sk_cfg_is_list(k)) {
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

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The client role's section: [client]'s strings (target, sources, ports,
 * close, gateway MAC, request and expected response) checked against
 * each other and the engine's addresses, into struct sk_client_cfg.
 */

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <rte_byteorder.h>

#include "sk_config_priv.h"

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
		return sk_cfg_fail(err, errlen, "[client] target",
			"'%s' is not [IPV6]:PORT (e.g. [2001:db8::1]:8080)",
			c->client_target);
	snprintf(a, sizeof(a), "%.*s", (int)(close - c->client_target - 1),
		c->client_target + 1);
	if (inet_pton(AF_INET6, a, o->target6) != 1 ||
			sk_cfg_parse_port(close + 2, &end, &port) != 0 ||
			*end != '\0')
		return sk_cfg_fail(err, errlen, "[client] target",
			"'%s' is not [IPV6]:PORT (e.g. [2001:db8::1]:8080)",
			c->client_target);
	why = sk_cfg_addr6_problem(o->target6);
	if (why != NULL || sk_config_has_addr6(c, o->target6))
		return sk_cfg_fail(err, errlen, "[client] target",
			"'%s' cannot be a server: %s", a, why != NULL ? why :
			"it is one of our addresses");
	o->v6 = true;
	o->tport = rte_cpu_to_be_16(port);
	snprintf(host, sizeof(host), "[%s]", a);

	if (c->client_src_ips[0] == '\0') {
		uint32_t w;

		if (c->n_addrs6 == 0)
			return sk_cfg_fail(err, errlen, NULL,
				"no IPv6 address for an "
				"IPv6 target (add one to [engine] addresses "
				"or --addr)");
		memcpy(o->src6, c->addrs6[0].addr, 16);
		memcpy(&w, o->src6 + 12, 4);
		o->src_lo = o->src_hi = ntohl(w);
	} else if (strchr(c->client_src_ips, ':') == NULL) {
		return sk_cfg_fail(err, errlen, "[client] src_ips",
			"'%s' is IPv4 and the target IPv6: both of one family",
			c->client_src_ips);
	} else if (sk_cfg_parse_ip6_range(c->client_src_ips, o->src6,
			&o->src_lo, &o->src_hi) != 0) {
		return sk_cfg_fail(err, errlen, "[client] src_ips",
			"'%s' is not A "
			"or A-B with A <= B differing in the last 32 bits only "
			"(e.g. 2001:db8::100-2001:db8::1ff)",
			c->client_src_ips);
	} else {
		/* sk_cfg_addr6_problem() looks at the first 12 bytes, but
		 * for :: and ::1, so the range's ends say it all; the target
		 * is checked by value (a range may hold 2^32 addresses) */
		uint8_t x[16];
		uint32_t w, t;

		memcpy(x, o->src6, 16);
		for (unsigned int end_i = 0; end_i < 2; end_i++) {
			w = htonl(end_i ? o->src_hi : o->src_lo);
			memcpy(x + 12, &w, 4);
			why = sk_cfg_addr6_problem(x);
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
			return sk_cfg_fail(err, errlen, "[client] src_ips",
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
		return sk_cfg_fail(err, errlen, "[client] target",
			"'%s' is not IP:PORT: an IPv6 target goes in brackets, "
			"[2001:db8::1]:8080", c->client_target);
	colon = strrchr(c->client_target, ':');
	if (colon == NULL || (size_t)(colon - c->client_target) >=
			sizeof(host))
		return sk_cfg_fail(err, errlen, "[client] target",
			"'%s' is not "
			"IP:PORT (e.g. 198.18.0.1:8080)", c->client_target);
	snprintf(host, sizeof(host), "%.*s",
		(int)(colon - c->client_target), c->client_target);
	if (inet_pton(AF_INET, host, &in) != 1 ||
			sk_cfg_parse_port(colon + 1, &end, &port) != 0 ||
			*end != '\0')
		return sk_cfg_fail(err, errlen, "[client] target",
			"'%s' is not "
			"IP:PORT (e.g. 198.18.0.1:8080)", c->client_target);
	if (sk_cfg_addr_problem(ntohl(in.s_addr), 32) != NULL ||
			sk_config_has_addr(c, in.s_addr))
		return sk_cfg_fail(err, errlen, "[client] target",
			"'%s' cannot be "
			"a server: %s", host, sk_config_has_addr(c, in.s_addr) ?
			"it is one of our addresses" :
			sk_cfg_addr_problem(ntohl(in.s_addr), 32));
	o->target = in.s_addr;
	o->tport = rte_cpu_to_be_16(port);

	if (strchr(c->client_src_ips, ':') != NULL)
		return sk_cfg_fail(err, errlen, "[client] src_ips",
			"'%s' is IPv6 and the target IPv4: both of one family",
			c->client_src_ips);
	if (c->n_addrs == 0)
		return sk_cfg_fail(err, errlen, NULL, c->n_addrs6 == 0 ?
			"no address: set [engine] addresses or --addr" :
			"no IPv4 address for an IPv4 target (add one to "
			"[engine] addresses or --addr)");
	if (c->client_src_ips[0] == '\0') {
		o->src_lo = o->src_hi = ntohl(c->addrs[0].addr);
	} else if (sk_cfg_parse_ip_range(c->client_src_ips, &o->src_lo,
			&o->src_hi) != 0) {
		return sk_cfg_fail(err, errlen, "[client] src_ips",
			"'%s' is not A "
			"or A-B with A <= B (e.g. 198.18.0.2-198.18.0.9)",
			c->client_src_ips);
	} else {
		for (uint64_t a = o->src_lo; a <= o->src_hi; a++) {
			const char *why = sk_cfg_addr_problem((uint32_t)a, 32);

			if (why != NULL || a == ntohl(in.s_addr)) {
				in.s_addr = htonl((uint32_t)a);
				inet_ntop(AF_INET, &in, host, sizeof(host));
				return sk_cfg_fail(err, errlen, "[client] src_ips",
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
	} else if (sk_cfg_parse_port(c->client_src_ports, &end,
				&o->sport_lo) != 0 ||
			(*end == '\0' ? (o->sport_hi = o->sport_lo, false) :
			 *end != '-' || sk_cfg_parse_port(end + 1, &end,
				&o->sport_hi) != 0 || *end != '\0' ||
			 o->sport_hi < o->sport_lo)) {
		return sk_cfg_fail(err, errlen, "[client] src_ports",
			"'%s' is not X or X-Y with 1 <= X <= Y <= 65535",
			c->client_src_ports);
	}
	for (unsigned int i = 0; i < c->n_listen && i < SK_MAX_LISTEN; i++)
		if (c->listen[i].port >= o->sport_lo &&
				c->listen[i].port <= o->sport_hi)
			return sk_cfg_fail(err, errlen, "[client] src_ports",
				"%u-%u includes listening port %u",
				o->sport_lo, o->sport_hi, c->listen[i].port);

	if (c->client_close[0] == '\0' || strcmp(c->client_close,
			"client") == 0)
		o->close = SK_CLOSE_CLIENT;
	else if (strcmp(c->client_close, "server") == 0)
		o->close = SK_CLOSE_SERVER;
	else if (strcmp(c->client_close, "rst") == 0)
		o->close = SK_CLOSE_RST;
	else
		return sk_cfg_fail(err, errlen, "[client] close", "'%s' is not "
			"client, server or rst", c->client_close);

	if (c->client_gateway_mac[0] != '\0') {
		if (sk_cfg_parse_mac(c->client_gateway_mac, o->gw_mac) != 0)
			return sk_cfg_fail(err, errlen, "[client] gateway_mac",
				"'%s' is not a unicast MAC (aa:bb:cc:dd:ee:ff)",
				c->client_gateway_mac);
		o->have_gw_mac = true;
	}

	if (c->client_http && c->client_request[0] != '\0')
		return sk_cfg_fail(err, errlen, "[client] http",
			"and request are "
			"both set: choose one (--http or --request)");
	if (c->client_http) {
		int n = snprintf((char *)o->req, sizeof(o->req),
			"GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: synack\r\n"
			"Connection: close\r\n\r\n", host);

		o->req_len = (uint16_t)RTE_MIN((size_t)n, sizeof(o->req) - 1);
	} else if (sk_cfg_unescape(c->client_request, o->req, &o->req_len,
			"[client] request", err, errlen) != 0) {
		return -1;
	}
	if (sk_cfg_unescape(c->client_expect, o->exp, &o->exp_len,
			"[client] expect", err, errlen) != 0)
		return -1;
	return 0;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The key table: every setting of synackd once, with its INI section and
 * key, its command-line option, its type, default, range and help text.
 * Defaults, the INI loader, the option parser, validation,
 * sk_config_print(), --help and --help-man are all driven by it, so they
 * cannot disagree. docs/configuration.md and docs/man/synackd.8 describe
 * the same table for users.
 */

#include <assert.h>
#include <string.h>

#include "sk_config_priv.h"

#define FIELD(f) \
	.off = offsetof(struct sk_config, f), \
	.size = sizeof(((struct sk_config *)0)->f)

const struct sk_cfg_key sk_cfg_keys[] = {
	{ "engine", "addresses", "addr", "A[/P]", CT_ADDRS, 0, FIELD(addrs),
	  1, SK_MAX_ADDRS, 0, "none, required",
	  "IPv4 or IPv6 address to answer on (no prefix: /32, /128)" },
	{ "engine", "listen", "listen", "PORT:APP", CT_LISTEN, 0, FIELD(listen),
	  1, SK_MAX_LISTEN, 0, "none, required",
	  "port and its responder: hello, http, echo, hold or proxy" },
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
	{ "port", "announce", "announce", NULL, CT_BOOL, 0, FIELD(announce),
	  0, 0, 0, "no",
	  "announce our addresses at start (a gratuitous ARP, an unsolicited "
	  "Neighbor Advertisement): peers that cached another MAC of ours "
	  "(net_tap brings a new one at every start) take the new one" },
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
	{ "proxy", "backends", "backend", "[LPORT=]IP:PORT,...", CT_BACKENDS,
	  0, FIELD(backends), 1, SK_MAX_BACKENDS, 0, "none",
	  "servers behind the PORT:proxy ports ([IPv6]:PORT); LPORT=: proxied "
	  "port LPORT's own, the others serve every port without its own" },
	{ "proxy", "connect_timeout", "proxy-connect-timeout", "DUR", CT_MS, 0,
	  FIELD(proxy_connect_ms), 10, 5 * MS_PER_M, 3 * MS_PER_S, NULL,
	  "bound on a backend's handshake; past it the client gets an RST" },
	{ "proxy", "syn_rto", "proxy-syn-rto", "DUR", CT_MS, 0,
	  FIELD(proxy_syn_rto_ms), 10, 60 * MS_PER_S, MS_PER_S, NULL,
	  "first retransmission timeout of the SYN to a backend" },
	{ "proxy", "time_wait", "proxy-time-wait", "DUR", CT_MS, 0,
	  FIELD(proxy_time_wait_ms), 10, 24 * MS_PER_H, 5 * MS_PER_S, NULL,
	  "how long a proxied connection closed by both FINs is kept, to "
	  "relay the last retransmissions (its ends keep their own "
	  "TIME_WAIT)" },
	{ "proxy", "source_ports", "proxy-source-ports", "X-Y", CT_PORTS, 0,
	  FIELD(proxy_port_lo), 1, 65535, SK_CFG_PORTS(32768, 60999),
	  "32768-60999", "our source ports toward the backends, no listening "
	  "port inside" },
	{ "proxy", "proxy_protocol", "proxy-protocol", NULL, CT_BOOL, 0,
	  FIELD(proxy_protocol), 0, 0, 0, "no",
	  "send a backend a PROXY protocol v2 header (the client's address) "
	  "first" },
	{ "proxy", "client_isn", "proxy-client-isn", NULL, CT_BOOL, 0,
	  FIELD(proxy_client_isn), 0, 0, 0, "no",
	  "the backend's SYN carries the client's ISN (no sequence shift "
	  "toward it), not our own RFC 6528 one" },
	{ "proxy", "port", "proxy-port", "NAME|ID", CT_STR, 0,
	  FIELD(proxy_port), 0, 0, 0, "none: one-arm",
	  "two-arm: the port toward the backends (DPDK device name or port "
	  "id), with its own MAC; the clients' port is [port] device" },
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

const char *const sk_cfg_sections[] = {
	"engine", "timeouts", "cookies", "port", "stats", "log", "proxy",
	"client",
};

static_assert(RTE_DIM(sk_cfg_keys) == SK_CFG_N_KEYS,
	"SK_CFG_N_KEYS is the number of keys in the table");
static_assert(RTE_DIM(sk_cfg_sections) == SK_CFG_N_SECTIONS,
	"SK_CFG_N_SECTIONS is the number of sections");
/* a CT_PORTS key's field is its low port, the high one comes next */
static_assert(offsetof(struct sk_config, proxy_port_hi) ==
	offsetof(struct sk_config, proxy_port_lo) + sizeof(uint16_t),
	"[proxy] source_ports: proxy_port_hi right after proxy_port_lo");

const struct sk_cfg_key *
sk_cfg_find_key(const char *section, const char *name)
{
	unsigned int i;

	for (i = 0; i < SK_CFG_N_KEYS; i++)
		if (strcmp(sk_cfg_keys[i].section, section) == 0 &&
				strcmp(sk_cfg_keys[i].name, name) == 0)
			return &sk_cfg_keys[i];
	return NULL;
}

bool
sk_cfg_known_section(const char *section)
{
	unsigned int i;

	for (i = 0; i < SK_CFG_N_SECTIONS; i++)
		if (strcmp(sk_cfg_sections[i], section) == 0)
			return true;
	return false;
}

const char *
sk_cfg_section_list(char *buf, size_t size)
{
	size_t n = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < SK_CFG_N_SECTIONS && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? ", " : "",
			sk_cfg_sections[i]);
	return buf;
}

/* --- field access ---------------------------------------------------- */

void
sk_cfg_field_set(struct sk_config *c, const struct sk_cfg_key *k, uint64_t v)
{
	void *p = (char *)c + k->off;

	if (k->type == CT_PORTS) {
		uint16_t x[2] = { SK_CFG_PORTS_LO(v), SK_CFG_PORTS_HI(v) };

		memcpy(p, x, sizeof(x));
		return;
	}
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
uint64_t
sk_cfg_field_get(const struct sk_config *c, const struct sk_cfg_key *k)
{
	const void *p = (const char *)c + k->off;
	uint64_t v;

	if (k->type == CT_PORTS) {
		uint16_t x[2];

		memcpy(x, p, sizeof(x));
		return SK_CFG_PORTS(x[0], x[1]);
	}
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

bool
sk_cfg_is_numeric(const struct sk_cfg_key *k)
{
	return k->type == CT_UINT || k->type == CT_POW2 ||
		k->type == CT_MS || k->type == CT_SEC;
}
bool
sk_cfg_is_list(const struct sk_cfg_key *k)
{
	return k->type == CT_ADDRS || k->type == CT_LISTEN ||
		k->type == CT_BACKENDS;
}

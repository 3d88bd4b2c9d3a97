/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SK_CONFIG_H
#define SK_CONFIG_H

/**
 * @file
 * synackd's configuration: defaults, an INI file read with rte_cfgfile,
 * command-line options that override the file, and validation. Every error
 * is one line naming the key or option and the bad value. No EAL needed.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_byteorder.h>

#include "sk_common.h"

#define SK_MAX_ADDRS 16
#define SK_MAX_LISTEN 64
#define SK_PORT_NAME_LEN 128

struct sk_config_addr {
	rte_be32_t addr;  /**< network order */
	uint8_t prefix;   /**< 0..32 */
};

/** An IPv6 address of ours, with its prefix length. */
struct sk_config_addr6 {
	uint8_t addr[16]; /**< network order */
	uint8_t prefix;   /**< 0..128 */
};

/** A server behind the proxied ports (--backend, [proxy] backends):
 * "IP:PORT" serves every proxied port that has no backend of its own,
 * "LPORT=IP:PORT" proxied port LPORT only. */
#define SK_MAX_BACKENDS 16
struct sk_config_backend {
	uint8_t family;   /**< 4 or 6 */
	rte_be32_t addr;  /**< IPv4, network order */
	uint8_t addr6[16]; /**< IPv6, network order */
	uint16_t port;    /**< host order, 1..65535 */
	uint16_t lport;   /**< the proxied port it serves, host order; 0:
			       every proxied port without a backend of
			       its own */
};

/** True when backend @p b serves proxied port @p lport, given whether
 * that port has backends of its own (@p own). */
static inline bool
sk_config_backend_serves(const struct sk_config_backend *b, uint16_t lport,
		bool own)
{
	return own ? b->lport == lport : b->lport == 0;
}

struct sk_config_listen {
	uint16_t port;    /**< host order, 1..65535 */
	uint8_t app;      /**< enum sk_app, never SK_APP_NONE */
};

/** client_cps: find the highest clean rate (a ramp with backoff). */
#define SK_CPS_MAX UINT32_MAX

/** How a client connection is closed once its response is read. */
enum sk_client_close {
	SK_CLOSE_CLIENT = 0,  /**< we send FIN (FIN_WAIT_1/2, TIME_WAIT) */
	SK_CLOSE_SERVER,      /**< we wait for the server's FIN (CLOSE_WAIT) */
	SK_CLOSE_RST,         /**< we abort with RST */
};

#define SK_CLIENT_DATA_MAX 256

/** The [client] section parsed (sk_config_client()), kept in struct
 * sk_config as plain data: engines copy it, never parse the strings. */
struct sk_client_cfg {
	bool ready;                 /**< filled by sk_config_finalize() from
				      the strings as they are now */
	rte_be32_t target;          /**< network order */
	rte_be16_t tport;           /**< network order */
	uint32_t src_lo, src_hi;    /**< source addresses, host order (IPv6:
				      their last 32 bits) */
	bool v6;                    /**< the target is an IPv6 address */
	uint8_t target6[16];        /**< IPv6 target, network order */
	uint8_t src6[16];           /**< IPv6 sources: the first 12 bytes are
				      every source's, src_lo..src_hi the
				      last 4 */
	uint16_t sport_lo, sport_hi; /**< source ports, host order */
	uint8_t close;              /**< enum sk_client_close */
	bool have_gw_mac;
	uint8_t gw_mac[6];
	uint16_t req_len, exp_len;
	uint8_t req[SK_CLIENT_DATA_MAX]; /**< request bytes, escapes undone */
	uint8_t exp[SK_CLIENT_DATA_MAX]; /**< expected response, 0 = unchecked */
};

struct sk_config {
	/* [engine] */
	unsigned int n_addrs;
	struct sk_config_addr addrs[SK_MAX_ADDRS];
	unsigned int n_addrs6;      /**< IPv6 addresses (--addr X:Y::Z/64) */
	struct sk_config_addr6 addrs6[SK_MAX_ADDRS];
	unsigned int n_listen;
	struct sk_config_listen listen[SK_MAX_LISTEN];
	uint32_t flow_capacity;     /**< entries per worker lcore */
	uint16_t mss;               /**< MSS we advertise */
	uint32_t challenge_ack_limit; /**< challenge ACKs per second per lcore */

	/* [timeouts], all in milliseconds */
	uint32_t time_wait_ms;      /**< 2*MSL */
	uint32_t fin_wait2_ms;
	uint32_t idle_ms;           /**< 0 = no idle timeout */
	uint32_t rto_ms;            /**< first FIN retransmission timeout */
	uint32_t rto_max_ms;        /**< backoff ceiling */
	uint32_t fin_retries;       /**< retransmissions before giving up */

	/* [cookies] */
	uint32_t cookie_max_age_s;
	uint32_t cookie_rotate_s;   /**< 0 = never */
	bool secret_set;            /**< else a random one at start */
	uint8_t secret[16];

	/* [port] */
	char port[SK_PORT_NAME_LEN]; /**< DPDK device name or port id; "" = first port */
	uint16_t rx_desc;
	uint16_t tx_desc;
	uint32_t mbufs;             /**< mbuf pool size */
	uint16_t burst;             /**< rx burst size, 1..64 */
	bool announce;              /**< gratuitous ARP / unsolicited NA at start */

	/* [stats] */
	uint32_t stats_interval_ms; /**< print counters this often, 0 = only at exit */
	char stats_file[256];       /**< write final counters as JSON here at exit; "" = none */

	/* [log] */
	char log_level[128];        /**< "[PATTERN:]LEVEL,...", as the EAL's
				      --log-level, applied at start and on
				      SIGHUP (synackd); "" = as the EAL set */

	/* [proxy]: ports whose app is "proxy" splice validated connections
	 * to these servers (docs/proxy.md) */
	unsigned int n_backends;
	struct sk_config_backend backends[SK_MAX_BACKENDS];
	uint32_t proxy_connect_ms;  /**< backend handshake bound: the client
				      gets an RST after it */
	uint32_t proxy_syn_rto_ms;  /**< first backend SYN retransmission */
	uint32_t proxy_time_wait_ms; /**< a pair closed by both FINs kept */
	uint16_t proxy_port_lo, proxy_port_hi; /**< our source ports toward
				      the backends, host order */
	bool proxy_protocol;        /**< PROXY protocol v2 header first */
	bool proxy_client_isn;      /**< the backend's SYN carries the client's
				      ISN, not our RFC 6528 one */
	char proxy_port[SK_PORT_NAME_LEN]; /**< two-arm: the inside port
				      toward the backends (DPDK device name or
				      port id); "" = one-arm, backends on the
				      clients' port */

	/* [client]: the active opener (docs/client.md); off while target is "" */
	char client_target[64];     /**< "A.B.C.D:PORT" or "[X:Y::Z]:PORT" */
	uint32_t client_cps;        /**< new connections per second, 0 = no limit,
				      SK_CPS_MAX = ramp (--cps max) */
	uint32_t client_duration_ms; /**< open new connections this long */
	uint32_t client_ramp_step_ms; /**< --cps max: length of one step */
	uint32_t client_tw_reuse_ms; /**< reuse our TIME_WAIT tuples after
				       this long (timestamps only), 0 = never */
	uint32_t client_concurrency; /**< most connections open at once */
	uint32_t client_connections; /**< stop after this many, 0 = no limit */
	char client_request[256];   /**< sent after the handshake, C escapes */
	bool client_http;           /**< request = a minimal HTTP/1.1 GET */
	char client_expect[256];    /**< the response must be exactly this */
	char client_close[8];       /**< client, server or rst; "" = client */
	char client_src_ips[96];    /**< "A-B" or "A", either family as the
				      target; "" = the first address */
	char client_src_ports[16];  /**< "X-Y" or "X"; "" = 1024-65535 */
	uint32_t client_syn_rto_ms; /**< first SYN retransmission timeout */
	uint32_t client_syn_retries; /**< SYN retransmissions before failing */
	uint32_t client_timeout_ms; /**< response timeout after the handshake */
	char client_gateway_mac[24]; /**< next hop's MAC, "" = ARP the target */
	bool client_json;           /**< final summary as JSON */
	struct sk_client_cfg client; /**< the strings above parsed, once, by
				       sk_config_finalize(); client.ready is
				       false until then and after any change
				       through sk_config_load() or
				       sk_config_parse_args() */
};

/** True when the configuration asks for the client role. */
static inline bool
sk_config_is_client(const struct sk_config *c)
{
	return c->client_target[0] != '\0';
}

/** True when a listening port's app is proxy. */
static inline bool
sk_config_is_proxy(const struct sk_config *c)
{
	for (unsigned int i = 0; i < c->n_listen && i < SK_MAX_LISTEN; i++)
		if (c->listen[i].app == SK_APP_PROXY)
			return true;
	return false;
}

/** Parse the [client] section of @p c into @p out (out->ready stays false:
 * sk_config_finalize() sets it for c->client). Returns 0, or -1 with a
 * one-line message naming the key in @p err. */
int sk_config_client(const struct sk_config *c, struct sk_client_cfg *out,
		char *err, size_t errlen);

/** Fill @p c with the defaults (docs/configuration.md lists them). */
void sk_config_defaults(struct sk_config *c);

/** Read an INI file over @p c. Unknown sections or keys are errors.
 * @return 0, or -1 with a one-line message in @p err. */
int sk_config_load(struct sk_config *c, const char *path,
		char *err, size_t errlen);

/**
 * Parse synackd's options (argv after the EAL's "--"; argv[0] is the
 * program name). "-f FILE" is applied first wherever it appears, so
 * options override the file. Returns 0, 1 when --help or --version was
 * handled (the caller exits 0), or -1 with a message in @p err.
 */
int sk_config_parse_args(struct sk_config *c, int argc, char **argv,
		char *err, size_t errlen);

/** Check the whole configuration (at least one address and one listening
 * port, sizes in range). Returns 0 or -1 with a message in @p err. */
int sk_config_validate(const struct sk_config *c, char *err, size_t errlen);

/**
 * sk_config_validate(), then the [client] section parsed into c->client
 * (when @p c is a client), once for every engine to copy: sk_client_create()
 * refuses a configuration that has not been through this. Whoever changes
 * [client] or the addresses by hand afterwards calls it again.
 * Returns 0 or -1 with a message in @p err.
 */
int sk_config_finalize(struct sk_config *c, char *err, size_t errlen);

/** Write the effective configuration as INI (the secret never shown). */
void sk_config_print(const struct sk_config *c, FILE *f);

/** Print the options' help. */
void sk_config_usage(FILE *f, const char *prog);

/** Print the options of the keys and the configuration file's sections as
 * groff, for docs/man/synackd.8 (synackd --help-man; the test man-sync
 * checks the page holds exactly this). */
void sk_config_man(FILE *f);

/** True when @p addr (network order) is one of the configured addresses. */
bool sk_config_has_addr(const struct sk_config *c, rte_be32_t addr);

/** @p addr (16 bytes, network order) is one of the IPv6 addresses of @p c. */
bool sk_config_has_addr6(const struct sk_config *c, const uint8_t *addr);

#endif /* SK_CONFIG_H */

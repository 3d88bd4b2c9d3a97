/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SK_ENGINE_H
#define SK_ENGINE_H

/**
 * @file
 * The protocol engine of one worker lcore. It owns a flow table, a timer
 * wheel, cookie keys and counters, and is fed bursts of received mbufs; it
 * answers in place in those mbufs and returns them for transmission. It does
 * no port I/O and needs no EAL of its own, only mbufs (and a pool for the
 * segments its timers send).
 */

#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "sk_config.h"
#include "sk_flow.h"
#include "sk_hist.h"
#include "sk_stats.h"

/** Most frames sk_engine_input() accepts in one call. */
#define SK_BURST_MAX 64

/** The next hop's MAC, shared by the client engines of one port: the
 * engine that receives the ARP reply publishes it (release), the others
 * take it from here (acquire). */
struct sk_client_shared {
	uint32_t resolved;
	struct rte_ether_addr mac;
};

/** May the client engine open a connection on this tuple (network order)?
 * With several workers, only on tuples whose answers the port brings back
 * to its own lcore. */
typedef bool (*sk_client_tuple_fn)(const void *arg, rte_be32_t laddr,
		rte_be32_t raddr, rte_be16_t lport, rte_be16_t rport);
/** The same for an IPv6 tuple (addresses 16 bytes each). */
typedef bool (*sk_client_tuple6_fn)(const void *arg, const uint8_t *laddr,
		const uint8_t *raddr, rte_be16_t lport, rte_be16_t rport);

/** What the engine needs to know of its port and clock. */
struct sk_engine_params {
	struct rte_ether_addr mac;   /**< our MAC on the port */
	int socket_id;               /**< NUMA node for the flow table */
	struct rte_mempool *pool;    /**< for timer-generated segments */
	uint64_t tsc_hz;             /**< ticks per second of the "now" clock */
	uint64_t wall_ms_at_zero;    /**< wall clock (ms) when now == 0 */
	unsigned int tx_ip_cksum : 1;  /**< port computes IPv4 header checksums */
	unsigned int tx_tcp_cksum : 1; /**< port computes TCP checksums */
	unsigned int rx_cksum : 1;     /**< trust RX checksum flags of mbufs */
	unsigned int announce : 1;     /**< announce our addresses at start
					    (gratuitous ARP, unsolicited NA) */
	unsigned int table_small_pages : 1; /**< no 1 GiB pages for the flow
						 table (SK_FLOW_F_SMALL_PAGES) */
	/* a two-arm proxy ([proxy] port, docs/proxy.md "Two arms"): frames
	 * from and to DPDK port inside_port are the backends' side; the
	 * others are port_id's. Off when two_arm is 0. */
	unsigned int two_arm : 1;
	uint16_t port_id;              /**< the clients' port (two_arm) */
	uint16_t inside_port;          /**< the backends' port (two_arm) */
	struct rte_ether_addr inside_mac; /**< our MAC there (two_arm) */
	/* client role with several workers (docs/client.md#several-workers):
	 * this engine is part @p client_part of @p client_parts of the run
	 * (rate, concurrency and connections split evenly) */
	unsigned int client_part, client_parts; /**< 0, 0: the whole run */
	sk_client_tuple_fn client_tuple_ok;     /**< NULL: every tuple */
	sk_client_tuple6_fn client_tuple6_ok;   /**< NULL: every tuple */
	const void *client_tuple_arg;
	struct sk_client_shared *client_shared; /**< NULL: ARP alone */
	/** proxy with several workers: the backends' MACs, learnt by
	 * whichever engine gets the ARP reply or NA (SK_MAX_BACKENDS) */
	struct sk_client_shared *proxy_shared;  /**< NULL: each its own */
};

struct sk_engine;

/**
 * Create an engine for @p cfg (copied in). The flow table is allocated on
 * params->socket_id. @return the engine or NULL with rte_errno set.
 */
struct sk_engine *sk_engine_create(const struct sk_config *cfg,
		const struct sk_engine_params *params, uint64_t now);
void sk_engine_free(struct sk_engine *e);

/**
 * Process @p n (<= SK_BURST_MAX) received frames at time @p now (TSC
 * units). Every mbuf is consumed: freed, or rewritten into a response and
 * written to @p tx (room for @p n). @return number of frames in @p tx.
 */
uint16_t sk_engine_input(struct sk_engine *e, struct rte_mbuf **rx,
		uint16_t n, struct rte_mbuf **tx, uint64_t now);

/**
 * Run timers due at @p now: retransmissions and timeouts. Segments to send
 * are allocated from the pool and written to @p tx (at most @p cap).
 * @return number of frames in @p tx.
 */
uint16_t sk_engine_timers(struct sk_engine *e, uint64_t now,
		struct rte_mbuf **tx, uint16_t cap);

/** Count frames the port refused (freed by the caller). */
void sk_engine_tx_dropped(struct sk_engine *e, unsigned int n);

/** This engine's counters (read from any thread with relaxed loads). */
const struct sk_stats *sk_engine_stats(const struct sk_engine *e);

/** The same for writing, by the engine's own lcore only (its poll loop
 * counts dispatch events there). */
struct sk_stats *sk_engine_stats_w(struct sk_engine *e);

/** The flow table, for inspection by the control plane (read-only, racy by
 * nature: telemetry lists are best-effort snapshots). */
struct sk_flow_table *sk_engine_flows(struct sk_engine *e);

/** The configuration the engine was created with (constant afterwards). */
const struct sk_config *sk_engine_config(const struct sk_engine *e);

/** A flow as another thread sees it (sk_engine_flow_snapshot()). */
struct sk_flow_info {
	struct sk_flow_key key; /**< network order, as in the table; for an
				  IPv6 flow raddr and laddr are folds (see
				  sk_flow.h), the addresses are below */
	uint8_t family;         /**< 4 or 6 */
	uint8_t raddr6[16];     /**< IPv6 flows: peer address */
	uint8_t laddr6[16];     /**< IPv6 flows: our address */
	uint8_t state;          /**< enum sk_state, never SK_ST_FREE */
	uint8_t app;            /**< enum sk_app */
	uint32_t age_ms;        /**< since the flow was established */
};

/**
 * Copy live flows of @p e for the control plane, from any thread, while
 * the engine's lcore runs. Each entry is read with relaxed loads into a
 * copy and FREE entries are skipped; the table is never written. The
 * result is a best-effort snapshot: a flow created or freed during the
 * walk may be missed or seen in a state it has just left. Skips the first
 * @p skip live flows (in table order), copies at most @p max into @p out,
 * with ages computed against @p now (TSC units, as for sk_engine_input()).
 * @return the number copied; *more is set when live flows remain after
 * the last one copied.
 */
unsigned int sk_engine_flow_snapshot(const struct sk_engine *e, uint64_t now,
		uint64_t skip, struct sk_flow_info *out, unsigned int max,
		bool *more);

/** The client role's state (docs/client.md), read from any thread. */
struct sk_client_info {
	uint32_t active;        /**< connections open, not yet ended */
	bool started;           /**< next hop resolved, first SYN sent */
	bool opening_over;      /**< the duration is over: no new ones */
	bool finished;          /**< over and every connection ended */
	uint64_t start, end;    /**< first SYN; end of the opening window (TSC) */
	uint64_t stop;          /**< when finished (TSC) */
	const char *error;      /**< why the run failed as a whole, or NULL */
	/* --cps max: the closed-loop ramp (docs/client.md) */
	bool ramp;              /**< the rate is searched for, not set */
	uint32_t rate_cps;      /**< offered rate now, 0 = no limit */
	uint32_t best_cps;      /**< ramp: highest clean step's established/s */
	uint32_t ramp_steps;    /**< ramp: steps measured */
	uint32_t ramp_backoffs; /**< ramp: steps that failed and halved the rate */
	struct sk_hist latency_us; /**< handshake latency: SYN -> SYN-ACK */
};

/** True when @p e has no client role, or its run is over (the duration
 * has passed and every connection has ended, or the run failed). */
bool sk_engine_client_done(const struct sk_engine *e);

/** Fill @p ci. @return 0, or
 * -ENOTSUP when @p e has no client role. */
int sk_engine_client_info(const struct sk_engine *e, struct sk_client_info *ci);

/** One proxy backend's counters, written by the engine's lcore, read with
 * relaxed loads from any thread (sk_engine_proxy_backends()). */
struct sk_px_stats {
	uint64_t opened;       /**< connections to it attempted */
	uint64_t established;  /**< handshakes it completed */
	uint64_t failed;       /**< refused, unanswered or unusable */
	uint64_t bytes_c2b;    /**< payload relayed to it */
	uint64_t bytes_b2c;    /**< payload relayed from it */
	uint64_t flows;        /**< gauge: proxied connections now */
};

/** A backend as the control plane sees it. */
struct sk_proxy_backend_info {
	uint8_t family;        /**< 4 or 6 */
	uint8_t addr6[16];     /**< IPv6 */
	rte_be32_t addr;       /**< IPv4 */
	uint16_t port;         /**< host order */
	uint16_t lport;        /**< the proxied port it serves; 0: every
				    proxied port without its own */
	bool resolved;         /**< its MAC is known */
	bool down;             /**< failed 3 times in a row: not chosen now */
	struct sk_px_stats st;
};

/** Copy the proxy's backends of @p e (at most @p max) at time @p now.
 * @return how many, or 0 when @p e has no proxy. */
unsigned int sk_engine_proxy_backends(const struct sk_engine *e, uint64_t now,
		struct sk_proxy_backend_info *out, unsigned int max);

#endif /* SK_ENGINE_H */

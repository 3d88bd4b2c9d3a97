/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SK_ENGINE_PRIV_H
#define SK_ENGINE_PRIV_H

/* The engine's insides, shared by sk_engine.c (burst loop, timers) and
 * sk_tcp.c (the TCP state machine). Everything here belongs to one lcore. */

#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "sk_config.h"
#include "sk_cookie.h"
#include "sk_engine.h"
#include "sk_flow.h"
#include "sk_pkt.h"
#include "sk_stats.h"
#include "sk_timer.h"

/* The window we advertise. synack consumes every in-order byte at once, so
 * the window never shrinks. Our window scale shift is 0. */
#define SK_RCV_WND 65535u

/* Neighbour cache: where to send segments the timers make, which have no
 * received frame to answer. Learnt from the ACK that creates each flow;
 * direct-mapped, a miss falls back to the last peer seen. */
#define SK_NEIGH_N 4096
struct sk_neigh {
	rte_be32_t ip;
	uint16_t vlan;  /* TCI in network order, 0 = untagged */
	struct rte_ether_addr mac;
};

struct sk_engine {
	/* read-mostly, touched by every burst */
	struct sk_pkt_ctx pc;
	struct sk_flow_table *ft;
	struct sk_flow *flows;     /* entry array of ft */
	uint8_t app[65536];        /* responder per local port, host order */
	struct sk_cookie_ctx ck;
	struct sk_config cfg;
	struct sk_engine_params par;
	uint64_t tsc_per_ms;

	/* clocks, updated once per burst */
	uint32_t now_ms;           /* wheel tick: ms since create */
	uint32_t now_s;            /* wall clock seconds, for cookies */
	uint32_t ts_now;           /* wall clock ms, low 32 bits: TSval base */

	/* RFC 5961 7: challenge ACK budget per second */
	uint32_t chal_sec;
	uint32_t chal_left;

	/* frames of the current burst that get no answer */
	struct rte_mbuf *to_free[SK_BURST_MAX];
	unsigned int n_free;

	struct sk_wheel wheel;
	struct sk_neigh last_peer;
	struct sk_neigh neigh[SK_NEIGH_N];

	struct sk_stats st;
};

/* One TCP segment of a burst (sk_tcp.c). Returns true when @p m now holds
 * a response to transmit, false when it was freed. @p f is the flow found
 * for the segment or NULL. */
bool sk_tcp_input(struct sk_engine *e, struct rte_mbuf *m, struct sk_pkt *p,
		struct sk_flow *f, const struct sk_flow_key *key, uint32_t hash);

/* A flow's timer fired (sk_tcp.c). May write one segment to *out (allocated
 * from the pool) and return true. */
bool sk_tcp_timer(struct sk_engine *e, struct sk_flow *f,
		struct rte_mbuf **out);

#endif /* SK_ENGINE_PRIV_H */

/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SK_ENGINE_PRIV_H
#define SK_ENGINE_PRIV_H

/* The engine's insides, shared by sk_engine.c (burst loop, timers) and
 * sk_tcp.c (the TCP state machine). Everything here belongs to one lcore. */

#include <stdint.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "sk_config.h"
#include "sk_cookie.h"
#include "sk_engine.h"
#include "sk_flow.h"
#include "sk_hist.h"
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

/* Client flows (flags): SK_FF_CLIENT marks a flow we opened; SK_FF_CLACTIVE
 * one that still counts against the concurrency limit (not yet completed,
 * failed or in TIME_WAIT). match bits of a client flow: */
#define SK_FF_CLIENT   0x40
#define SK_FF_CLACTIVE 0x80
#define SK_CLM_OK      0x01 /* response complete and as expected */
#define SK_CLM_BAD     0x02 /* an unacceptable SYN-ACK came back */

/* How a client connection ended, for sk_client_release(). */
enum sk_cl_end {
	SK_CL_DONE,     /* closed: completed when SK_CLM_OK, else fail_closed */
	SK_CL_TIMEOUT,
	SK_CL_RST,
	SK_CL_RESPONSE,
};

/* --cps max: what happened to the connections opened in one step of the
 * ramp, attributed by the time each was opened (f->born until it is
 * established, then its establishment: a few ms later at most). */
#define SK_RAMP_RING 256
struct sk_ramp_step {
	uint32_t id;              /* step number; slot = id % SK_RAMP_RING */
	uint32_t att, est;        /* SYNs sent, SYN-ACKs accepted */
	uint32_t retx, fail;      /* SYN retransmissions, failures */
};

/* The client role of one engine (sk_client.c); NULL in server-only mode. */
struct sk_client {
	struct sk_client_cfg cc;
	uint64_t k0, k1;          /* ISS key (RFC 6528) */
	uint32_t iss_ctr;
	uint32_t ts_off;          /* our TSval offset, one per engine */
	uint64_t tsc_per_us;
	/* next tuple to try */
	uint32_t cur_ip;
	uint16_t cur_port;
	/* this engine's part of the run (several workers share it) */
	uint32_t concurrency;     /* of [client] concurrency */
	uint64_t connections;     /* to open in all, UINT64_MAX = no limit */
	uint32_t parts;           /* engines sharing the run, >= 1 */
	/* token bucket on the TSC */
	uint64_t cost;            /* TSC per connection, 0 = no limit */
	uint64_t credit;
	uint64_t last;
	uint64_t start, end;      /* first SYN, end of the opening window */
	uint64_t stop;            /* when the last connection ended */
	uint32_t active;          /* connections counting against concurrency */
	bool started, opening_over, finished;
	/* next hop */
	bool resolved;
	rte_be32_t nexthop;       /* IPv4 target, or the IPv6 target's fold
				     (the neighbour cache's key) */
	struct rte_ether_addr mac;
	uint64_t arp_next;
	unsigned int arp_tries;
	const char *error;        /* why the run failed as a whole, or NULL */
	/* --cps max (sk_client.c, "the ramp") */
	bool ramp;
	bool ramp_ss;             /* still doubling (no backoff, no ceiling) */
	uint32_t rate;            /* offered rate now (cps), 0 = no limit */
	uint32_t step_ms;         /* [client] ramp_step */
	uint32_t ramp_t0;         /* e->now_ms when the first step began */
	uint32_t step_cur;        /* current step */
	uint64_t w_att, w_est;    /* e->st when the step began */
	uint32_t w_ms;            /* e->now_ms then */
	uint64_t good;            /* highest rate that ran clean since the
				     last backoff: regained by doubling */
	/* failures and SYN retransmissions this step of connections opened
	 * after the last backoff began (older ones were sent at the rate the
	 * backoff has already cut, and must not cut it again) */
	uint32_t fresh_bad, fresh_retx;
	uint32_t backoff_step;    /* first step at the rate after a backoff */
	uint32_t best_cps;        /* highest clean step so far (settled) */
	uint32_t best_folded;     /* best of the steps gone out of the ring */
	uint32_t steps, backoffs;
	struct sk_ramp_step ring[SK_RAMP_RING];
	struct sk_hist hist;      /* handshake latency, microseconds */
};

/* A SYN-ACK's IPv4 and TCP headers and options for one option layout,
 * with the one's complement sums of the words that never change. */
#define SK_SYNACK_MSS  0x0  /* MSS alone: the SYN had no timestamps */
#define SK_SYNACK_TS   0x1  /* + SACK-permitted or NOP NOP, timestamps */
#define SK_SYNACK_SACK 0x2
#define SK_SYNACK_WS   0x4  /* + NOP, window scale */
#define SK_SYNACK_PX   0x8  /* a proxied port: our shift SK_PX_WSCALE */
#define SK_SYNACK_LAYOUTS 16
/* The window scale a proxied port's SYN-ACK offers: the backend's windows
 * pass to the client rescaled, up to 8 MiB, not capped at 64 KiB (which
 * at 50 ms of RTT would hold a download to 10 Mbit/s). Our own
 * responders' windows fit 16 bits: shift 0. */
#define SK_PX_WSCALE 7
struct sk_synack_tpl {
	struct {
		struct rte_ipv4_hdr ip;
		struct rte_tcp_hdr tcp;
		uint8_t opt[24];  /* 20 used; 64 bytes copy as 2 vectors */
	} __rte_packed h;
	uint64_t ip_sum;           /* the IP header without addresses */
	uint64_t tcp_sum;          /* TCP header and options without ports,
				      sequence numbers, timestamps; the
				      pseudo header's protocol and length */
	uint16_t ip_len;           /* IP total length */
	uint8_t l4_len;            /* TCP header with options */
};

/* The same over IPv6: 80 bytes of headers, one sum. */
struct sk_synack_tpl6 {
	struct {
		struct rte_ipv6_hdr ip6;
		struct rte_tcp_hdr tcp;
		uint8_t opt[20];
	} __rte_packed h;
	uint64_t tcp_sum;          /* as tcp_sum above; the addresses, 32
				      bytes, are added per SYN-ACK */
	uint16_t len;              /* IPv6 header and TCP segment */
	uint8_t l4_len;
};

/* The proxy (sk_proxy.c); NULL when no port's app is proxy. */
#define SK_PX_PARK 1024
struct sk_px_backend {
	struct sk_config_backend cfg;
	rte_be32_t laddr;          /* our source toward it (IPv4) */
	uint8_t laddr6[16];        /* (IPv6) */
	uint32_t seed;             /* rendezvous hashing */
	bool resolved;
	struct rte_ether_addr mac;
	uint64_t next_try;         /* TSC: next ARP/NS while unresolved */
	uint32_t fails;            /* failed connects in a row */
	uint64_t down_until;       /* TSC: not chosen before, after 3 fails */
	struct sk_px_stats st;     /* read by the control plane */
};

struct sk_proxy {
	unsigned int n_be;
	struct sk_px_backend be[SK_MAX_BACKENDS];
	uint64_t k0, k1;           /* ISS key (RFC 6528) toward backends */
	uint16_t port_next;        /* next source port to try */
	uint64_t tsc_per_us;
	/* client segments held while their backend connects: chains of
	 * slots (park_next: next slot + 1, 0 = end), a free list */
	unsigned int n_free;
	uint16_t free[SK_PX_PARK];
	uint16_t park_next[SK_PX_PARK];
	struct rte_mbuf *park[SK_PX_PARK];
	struct sk_pkt park_pk[SK_PX_PARK];
	/* segments ready to send beyond a burst's own: a ring */
	unsigned int out_head, out_n;
	struct rte_mbuf *out[SK_PX_PARK];
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

	/* SYN-ACK headers by option layout (sk_tcp_out.c) */
	struct sk_synack_tpl synack[SK_SYNACK_LAYOUTS];
	struct sk_synack_tpl6 synack6[SK_SYNACK_LAYOUTS];

	struct sk_wheel wheel;
	struct sk_neigh last_peer;
	struct sk_neigh neigh[SK_NEIGH_N];

	struct sk_stats st;

	uint64_t now_tsc;          /* the last "now" given */
	bool v6;                   /* an IPv6 address, or an IPv6 client */
	bool announced;            /* our addresses announced (at start,
				      with par.announce) */
	bool lookup_all;           /* segments to any port may have a flow
				      (client role, proxy) */
	struct sk_client *cl;      /* client role, or NULL */
	struct sk_proxy *px;       /* proxy, or NULL */
};

/* Set the engine's clocks from @p now (TSC), once per burst or timer
 * pass; rotates cookie keys when the second changes (sk_engine.c). */
void sk_engine_clock(struct sk_engine *e, uint64_t now);

/* A flow's timer fired (sk_tcp_timer.c). May write one segment to *out
 * (allocated from the pool) and return true. */
bool sk_tcp_timer(struct sk_engine *e, struct sk_flow *f,
		struct rte_mbuf **out);

/* Free flow @p f (sk_tcp_fsm.c): its timer, its state count, its entry. */
void sk_tcp_flow_free(struct sk_engine *e, struct sk_flow *f);

/* Client role (sk_client_tcp.c): the first SYN or a retransmission of flow
 * @p f, in a fresh mbuf. */
struct rte_mbuf *sk_tcp_client_syn(struct sk_engine *e, struct sk_flow *f);

/* Client role (sk_client.c). */
int sk_client_create(struct sk_engine *e);
void sk_client_free(struct sk_engine *e);
uint16_t sk_client_poll(struct sk_engine *e, uint64_t now,
		struct rte_mbuf **tx, uint16_t cap);
/* A Neighbor Advertisement for one of our addresses (SK_PKT_ND_NA). */
void sk_client_nd_input(struct sk_engine *e, const struct sk_pkt *p);
/* An ARP reply for one of our addresses (validated by sk_pkt_parse). */
void sk_client_arp_input(struct sk_engine *e, struct rte_mbuf *m,
		uint16_t l2_len);
/* Client flow @p f got its SYN-ACK after @p lat_us (before f->born is
 * reset to the establishment). */
void sk_client_established(struct sk_engine *e, const struct sk_flow *f,
		uint32_t lat_us);
/* Client flow @p f retransmits its SYN. */
void sk_client_syn_retx(struct sk_engine *e, const struct sk_flow *f);
/* Count the end of client flow @p f and release its concurrency slot. */
void sk_client_release(struct sk_engine *e, struct sk_flow *f,
		enum sk_cl_end why);
/* Microseconds on the engine's clock (low 32 bits). */
static inline uint32_t
sk_client_now_us(const struct sk_engine *e)
{
	return (uint32_t)(e->now_tsc / e->cl->tsc_per_us);
}

/* Next-hop resolution (sk_neigh.c): requests in fresh mbufs, NULL when
 * the pool is empty (counted); out of the inside port (a two-arm proxy's
 * backends) when @p inside. */
struct rte_mbuf *sk_neigh_arp_request(struct sk_engine *e, rte_be32_t sip,
		rte_be32_t tip, bool inside);
struct rte_mbuf *sk_neigh_ns_request(struct sk_engine *e, const uint8_t *src,
		const uint8_t *target, bool inside);
/* Our addresses announced (ARP, unsolicited NA): returns how many
 * frames went to tx. */
uint16_t sk_neigh_announce(struct sk_engine *e, struct rte_mbuf **tx,
		uint16_t cap);
/* The target of Neighbor Advertisement @p p in *target, and the MAC of
 * its target link-layer address option, or NULL when it has none. */
const uint8_t *sk_neigh_na_target_mac(const struct sk_pkt *p,
		const uint8_t **target);

/* The proxy (sk_proxy.c). */
int sk_proxy_create(struct sk_engine *e);
void sk_proxy_free(struct sk_engine *e);
/* Segments queued beyond a burst's own answers, into tx (room for cap);
 * counted as sent. */
uint16_t sk_proxy_drain(struct sk_engine *e, struct rte_mbuf **tx,
		uint16_t cap);
/* ARP/NS for backends not resolved yet, into tx (room for cap). */
uint16_t sk_proxy_poll(struct sk_engine *e, uint64_t now,
		struct rte_mbuf **tx, uint16_t cap);
/* An ARP reply or NA: true when it was a backend's (learnt). */
bool sk_proxy_arp_input(struct sk_engine *e, rte_be32_t sip,
		const struct rte_ether_addr *mac);
bool sk_proxy_nd_input(struct sk_engine *e, const uint8_t *target,
		const uint8_t *mac);
/* The timer of a proxied connection (its client side's entry): writes up
 * to 2 segments to tx. */
unsigned int sk_proxy_timer(struct sk_engine *e, struct sk_flow *f,
		struct rte_mbuf **tx);

#endif /* SK_ENGINE_PRIV_H */

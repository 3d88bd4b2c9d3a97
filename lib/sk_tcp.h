/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SK_TCP_H
#define SK_TCP_H

/*
 * The TCP path's private interface, one lcore's. The files follow a
 * segment's way through the engine:
 *
 *   sk_burst.c       the stages over a whole burst (classify, lookup,
 *                    cookies, state machine, SYN-ACKs, commit)
 *   sk_tcp_in.c      a segment's arrival: LISTEN (cookies) and the
 *                    synchronized states, RFC 9293 3.10.7.4 in step order
 *   sk_tcp_fsm.c     the state transitions as tables (state x event)
 *   sk_tcp_out.c     building segments: replies in place, the SYN-ACK
 *                    template, segments the timers send
 *   sk_tcp_timer.c   a flow's timer firing
 *   sk_app.c         the server role: the built-in responders
 *   sk_client_tcp.c  the client role: SYN_SENT, the request and response
 *
 * A flow's "role" (struct sk_role) is the one interface between the
 * state machine and what the connection is for: the server's responders
 * or the client role's request. The state machine never asks which.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include <assert.h>
#include <stddef.h>
#include <string.h>

#include "sk_engine_priv.h"

#define SK_TH_FIN RTE_TCP_FIN_FLAG
#define SK_TH_SYN RTE_TCP_SYN_FLAG
#define SK_TH_RST RTE_TCP_RST_FLAG
#define SK_TH_PSH RTE_TCP_PSH_FLAG
#define SK_TH_ACK RTE_TCP_ACK_FLAG
#define SK_TH_ECE RTE_TCP_ECE_FLAG
#define SK_TH_CWR RTE_TCP_CWR_FLAG

/* The default MSS when a SYN has no MSS option (RFC 9293 3.7.1): 536 over
 * IPv4, 1220 over IPv6 (the IPv6 minimum MTU, 1280, less 60). */
#define SK_MSS_DEFAULT 536
#define SK_MSS_DEFAULT6 1220

/* The cookie MSS index for the MSS a SYN offers, in its family's table
 * (@p v6_on false: the engine has no IPv6, @p p is IPv4). */
static __rte_always_inline unsigned int
sk_tcp_mss_index(const struct sk_pkt *p, const bool v6_on)
{
	if (v6_on && unlikely(p->v6))
		return sk_cookie_mss_index6(p->mss ? p->mss : SK_MSS_DEFAULT6);
	return sk_cookie_mss_index(p->mss ? p->mss : SK_MSS_DEFAULT);
}

/* The MSS flow @p f may send, from its cookie MSS index. */
static inline uint16_t
sk_tcp_flow_mss(const struct sk_flow *f)
{
	return sk_flow_key_is_v6(&f->key) ? sk_cookie_mss_value6(f->mss_idx) :
		sk_cookie_mss_value(f->mss_idx);
}

static_assert(offsetof(struct sk_cookie_tuple, daddr) == 4 &&
	offsetof(struct sk_cookie_tuple, dport) == 10 &&
	offsetof(struct sk_flow_key, laddr) == 4 &&
	offsetof(struct sk_flow_key, lport) == 10,
	"addresses, then ports, side by side as in the headers");

/* The cookie tuple of segment @p p, either family. */
static inline void
sk_tcp_cookie_tuple(const struct sk_engine *e, const struct sk_pkt *p,
		struct sk_cookie_tuple *t)
{
	if (unlikely(p->v6)) {
		sk_cookie_tuple6(&e->ck, p->ip6->src_addr, p->ip6->dst_addr,
				p->tcp->src_port, p->tcp->dst_port, t);
		return;
	}
	/* source and destination lie side by side in both headers */
	memcpy(&t->saddr, &p->ip->src_addr, 8);
	memcpy(&t->sport, &p->tcp->src_port, 4);
}

/* The flow key of segment @p p as seen from synack, either family (@p
 * v6_on false: IPv4 only); the 12-byte key is k->k. */
static __rte_always_inline void
sk_tcp_flow_key(const struct sk_pkt *p, struct sk_flow_key6 *k,
		const bool v6_on)
{
	if (v6_on && unlikely(p->v6)) {
		sk_flow_key6_make(k, p->ip6->src_addr, p->ip6->dst_addr,
				p->tcp->src_port, p->tcp->dst_port);
		return;
	}
	memcpy(&k->k.raddr, &p->ip->src_addr, 8);
	memcpy(&k->k.rport, &p->tcp->src_port, 4);
}

/* ---- state transitions (sk_tcp_fsm.c) ------------------------------- */

/* What happens to a connection, beyond the per-segment checks. */
enum sk_tcp_event {
	SK_EV_FIN_ACKED, /* an acceptable ACK covers our FIN */
	SK_EV_PEER_FIN,  /* the peer's FIN, the next byte we expect */
	SK_EV_CLOSE,     /* our side closes: our FIN goes out */
	SK_EV_TIMER,     /* the flow's timer fired */
	SK_EV_MAX
};

/* What the caller does after the transition. */
enum sk_tcp_action {
	SK_ACT_NONE,       /* nothing more */
	SK_ACT_IGNORE,     /* the event has no meaning in this state */
	SK_ACT_CLOSED,     /* the connection ended normally: free the flow */
	SK_ACT_FW2_EXPIRE, /* FIN_WAIT_2 timed out: free the flow */
	SK_ACT_RETX,       /* retransmit from SND.UNA, or give up */
	SK_ACT_ROLE_TIMER, /* the role's timer (idle, client timeouts) */
};

/* Which timer the transition arms. */
enum sk_tcp_tmr {
	SK_TMR_KEEP,       /* leave the flow's timer as it is */
	SK_TMR_RTO,        /* retransmission: rto, backoff by the caller */
	SK_TMR_FIN_WAIT2,
	SK_TMR_TIME_WAIT,  /* 2 MSL */
};

struct sk_tcp_row {
	uint8_t next;      /* enum sk_state; the same state: no change */
	uint8_t action;    /* enum sk_tcp_action */
	uint8_t timer;     /* enum sk_tcp_tmr */
	const char *rule;  /* where RFC 9293 (or RFC 1122) says so */
};

extern const struct sk_tcp_row sk_tcp_fsm[SK_ST_MAX][SK_EV_MAX];

/* A client connection enters TIME_WAIT (sk_tcp_fsm.c). */
void sk_tcp_client_time_wait(struct sk_engine *e, struct sk_flow *f);

/* Enter state @p s (counts, the client role's TIME_WAIT bookkeeping). */
static inline void
sk_tcp_enter(struct sk_engine *e, struct sk_flow *f, enum sk_state s)
{
	SK_STAT_ADD(&e->st, flows[f->state], -1);
	SK_STAT_INC(&e->st, flows[s]);
	f->state = s;
	if (unlikely(f->flags & SK_FF_CLIENT) && s == SK_ST_TIME_WAIT)
		sk_tcp_client_time_wait(e, f);
}

/* Apply @p ev to @p f by the table: the state change and its timer.
 * Returns the row's action for the caller to carry out. */
static inline enum sk_tcp_action
sk_tcp_event(struct sk_engine *e, struct sk_flow *f, enum sk_tcp_event ev)
{
	const struct sk_tcp_row *r = &sk_tcp_fsm[f->state][ev];
	uint32_t ms;

	if (r->next != f->state)
		sk_tcp_enter(e, f, (enum sk_state)r->next);
	if (r->timer != SK_TMR_KEEP) {
		if (r->timer == SK_TMR_RTO) {
			f->retries = 0;
			ms = e->cfg.rto_ms;
		} else if (r->timer == SK_TMR_FIN_WAIT2) {
			ms = e->cfg.fin_wait2_ms;
		} else {
			ms = e->cfg.time_wait_ms;
		}
		sk_wheel_arm(&e->wheel, (uint32_t)(f - e->flows),
			e->now_ms + ms);
	}
	return (enum sk_tcp_action)r->action;
}

static inline void
sk_tcp_arm(struct sk_engine *e, const struct sk_flow *f, uint32_t ms)
{
	sk_wheel_arm(&e->wheel, (uint32_t)(f - e->flows), e->now_ms + ms);
}


/* ---- building segments (sk_tcp_out.c) ------------------------------- */

/* A segment to send. */
struct sk_seg {
	uint32_t seq;
	uint32_t ack;
	uint8_t flags;
	uint16_t len;           /* payload bytes */
	const uint8_t *data;    /* payload, or NULL when already in place */
	uint16_t win;           /* window field, 0: SK_RCV_WND */
};

/* Answer the received segment @p p in @p m (addresses swapped). Returns
 * true: @p m holds the answer. */
bool sk_tcp_reply(struct sk_engine *e, struct rte_mbuf *m,
		const struct sk_pkt *p, const struct sk_seg *s,
		const uint8_t *opts, unsigned int olen, const uint8_t *in_place);
/* <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> (ECE, timestamps as in use). */
bool sk_tcp_send_ack(struct sk_engine *e, struct rte_mbuf *m,
		const struct sk_pkt *p, const struct sk_flow *f);
/* RFC 9293 3.10.7.1: the reset for a segment that matches no connection. */
bool sk_tcp_send_rst(struct sk_engine *e, struct rte_mbuf *m,
		const struct sk_pkt *p);
/* RFC 5961 7: a challenge ACK within the per-second budget. */
bool sk_tcp_challenge_ack(struct sk_engine *e, struct rte_mbuf *m,
		const struct sk_pkt *p, const struct sk_flow *f);
/* Data (and FIN) from SND.NXT; advances SND.NXT. */
bool sk_tcp_send_data(struct sk_engine *e, struct rte_mbuf *m,
		const struct sk_pkt *p, struct sk_flow *f, const uint8_t *data,
		uint16_t len, bool fin, const uint8_t *in_place);
/* <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK> in @p m. */
bool sk_tcp_send_abort(struct sk_engine *e, struct rte_mbuf *m,
		const struct sk_pkt *p, const struct sk_flow *f);
/* A segment of @p f written over @p m from its start (whatever @p m held),
 * to the MAC of @p n. */
void sk_tcp_seg_to(struct sk_engine *e, struct rte_mbuf *m,
		const struct sk_flow *f, const struct sk_neigh *n,
		const struct sk_seg *s, const uint8_t *opts, unsigned int olen);
/* Where segments of @p f go: its peer in the neighbour cache, or the
 * last peer seen. */
const struct sk_neigh *sk_tcp_neigh(const struct sk_engine *e,
		const struct sk_flow *f);
/* A segment of @p f in a fresh mbuf (timers, the client's SYN). NULL when
 * the pool is empty (counted). */
struct rte_mbuf *sk_tcp_new_seg(struct sk_engine *e, const struct sk_flow *f,
		const struct sk_seg *s, const uint8_t *opts, unsigned int olen);
/* NOP NOP TS(tsval, tsecr): 12 bytes at @p o. */
unsigned int sk_tcp_opt_ts(uint8_t *o, uint32_t tsval, uint32_t tsecr);

/* The SYN-ACKs of a burst, from the engine's template: for each k < n
 * with ready[k], the SYN pk[at[k]] in rx[at[k]] becomes its SYN-ACK with
 * our ISN isn[k] (the cookie) and TSval offset ts_off[k]. @p v6: some of
 * the SYNs may be IPv6 (false: all are IPv4). Counts them and returns how
 * many. */
unsigned int sk_tcp_synack_burst(struct sk_engine *e, struct rte_mbuf **rx,
		const struct sk_pkt *pk, const uint8_t *at, const uint8_t *ready,
		const uint32_t *isn, const uint32_t *ts_off, unsigned int n,
		bool v6);
/* Build the engine's SYN-ACK template (at create). */
void sk_tcp_synack_template(struct sk_engine *e);

static inline uint32_t
sk_tcp_tsval(const struct sk_engine *e, const struct sk_flow *f)
{
	return e->ts_now + f->ts_off;
}

/* ---- arrival (sk_tcp_in.c) ------------------------------------------ */

/* A segment with no flow: closed port (@p listening false: nobody listens
 * on its port, or it came in on a two-arm proxy's inside port), LISTEN
 * (SYN -> *synack set and false returned with *synack = true, to be built
 * by the SYN-ACK stage; ACK -> cookie check with @p ck when the cookie
 * stage made it, or now). Returns true when @p m holds a response. */
struct sk_ack_ck {
	uint8_t valid;     /* the cookie stage checked this ACK */
	uint8_t res;       /* enum sk_cookie_result */
	uint8_t mss_idx;
	uint32_t ts_off;
};
bool sk_tcp_input_listen(struct sk_engine *e, struct rte_mbuf **mp,
		struct sk_pkt *p, const struct sk_flow_key *key, uint32_t hash,
		const struct sk_ack_ck *ck, bool listening, bool *synack);
/* A segment for flow @p f (any state). May set *synack as above (a SYN
 * that reopens TIME_WAIT). */
bool sk_tcp_input_flow(struct sk_engine *e, struct rte_mbuf *m,
		struct sk_pkt *p, struct sk_flow *f, bool *synack);

/* ---- roles: what a connection is for -------------------------------- */

/* What a role wants sent after new bytes or the peer's FIN. */
struct sk_out {
	const uint8_t *data;  /* NULL with len > 0: echo, payload in place */
	uint16_t len;
	bool fin;             /* close our side (SK_EV_CLOSE) */
	bool abort;           /* reset the connection instead */
};

struct sk_role {
	/* @p n new in-order bytes at @p d in ESTABLISHED (RCV.NXT not yet
	 * past them): what to send (*o zeroed by the caller). May take
	 * fewer bytes (echo): returns how many it took; the caller then
	 * advances RCV.NXT by that. */
	uint16_t (*data)(struct sk_engine *e, struct sk_flow *f,
			const uint8_t *d, uint16_t n, struct sk_out *o);
	/* The peer's FIN arrived in ESTABLISHED (RCV.NXT past it): *o says
	 * whether to close our side too, or to abort. */
	void (*peer_fin)(struct sk_engine *e, struct sk_flow *f,
			struct sk_out *o);
	/* The flow's timer in ESTABLISHED or CLOSE_WAIT (SYN_SENT too for
	 * the client). May write a segment to *out. */
	bool (*timer)(struct sk_engine *e, struct sk_flow *f,
			struct rte_mbuf **out);
	/* What went out before our FIN, for its retransmission: the bytes
	 * from sequence offset 0, NULL when none are kept. */
	const uint8_t *(*sent)(const struct sk_engine *e,
			const struct sk_flow *f, uint16_t *len);
	/* The connection ends (freed) with an exact RST from the peer. */
	void (*reset)(struct sk_engine *e, struct sk_flow *f);
	/* Our retransmissions gave up. */
	void (*gave_up)(struct sk_engine *e, struct sk_flow *f);
};

extern const struct sk_role sk_role_server;  /* sk_app.c */
extern const struct sk_role sk_role_client;  /* sk_client_tcp.c */

static inline const struct sk_role *
sk_tcp_role(const struct sk_flow *f)
{
	return unlikely(f->flags & SK_FF_CLIENT) ? &sk_role_client :
		&sk_role_server;
}

/* Remember the peer's MAC for the segments the timers send, under the
 * flow key's raddr: the IPv4 address, or an IPv6 address's fold (two IPv6
 * peers whose folds collide share a slot; the later one wins, and the
 * other's timer segments go to its MAC: a miss, as when the slot was
 * taken by any other peer). */
static inline void
sk_tcp_learn_neigh(struct sk_engine *e, const struct rte_mbuf *m,
		const struct sk_pkt *p, rte_be32_t raddr)
{
	const struct rte_ether_hdr *eh =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	struct sk_neigh *n = &e->neigh[sk_ntohl(raddr) & (SK_NEIGH_N - 1)];

	n->ip = raddr;
	n->mac = eh->src_addr;
	n->vlan = p->l2_len > sizeof(*eh) ?
		((const struct rte_vlan_hdr *)(eh + 1))->vlan_tci : 0;
	e->last_peer = *n;
}


/* What a segment does to a connection in SYN-SENT whose SYN had ISS @p iss
 * and SND.NXT @p nxt (RFC 9293 3.10.7.3: first the ACK bit, second the
 * RST bit, fourth the SYN bit; a SYN without ACK, simultaneous open, is
 * not supported): the client role's and the proxy's toward a backend. */
enum sk_syn_sent {
	SK_SS_SYNACK,    /* an acceptable SYN-ACK */
	SK_SS_BAD_ACK,   /* an unacceptable ACK: reset it, stay */
	SK_SS_REFUSED,   /* an acceptable RST: the peer refused */
	SK_SS_DROP,      /* nothing to do (counted here) */
};

static inline enum sk_syn_sent
sk_tcp_syn_sent(struct sk_engine *e, const struct sk_pkt *p, uint32_t iss,
		uint32_t nxt)
{
	const uint8_t fl = p->flags;

	/* SEG.ACK =< ISS or > SND.NXT: not for this connection */
	if ((fl & SK_TH_ACK) && (SK_SEQ_LEQ(p->ack, iss) ||
			SK_SEQ_GT(p->ack, nxt))) {
		if (fl & SK_TH_RST) {
			SK_STAT_INC(&e->st, drop_rst_oow);
			return SK_SS_DROP;
		}
		return SK_SS_BAD_ACK;
	}
	if (fl & SK_TH_RST) {
		SK_STAT_INC(&e->st, rx_rst);
		if (!(fl & SK_TH_ACK)) {
			SK_STAT_INC(&e->st, drop_rst_oow);
			return SK_SS_DROP;
		}
		return SK_SS_REFUSED;
	}
	if ((fl & (SK_TH_SYN | SK_TH_ACK)) != (SK_TH_SYN | SK_TH_ACK)) {
		SK_STAT_INC(&e->st, drop_state);
		return SK_SS_DROP;
	}
	return SK_SS_SYNACK;
}

/* ---- the proxy (sk_proxy.c) ------------------------------------------ */

/* A valid cookie's ACK on a proxied port: open the backend connection.
 * May put another mbuf in *mp (the ACK's data is held meanwhile). */
bool sk_proxy_open(struct sk_engine *e, struct rte_mbuf **mp,
		const struct sk_pkt *p, const struct sk_flow_key *key,
		uint32_t hash, unsigned int mss_idx, unsigned int tsopt);
/* A segment for either side of a proxied connection; as
 * sk_tcp_input_flow(), and may put another mbuf in *mp. */
bool sk_proxy_input(struct sk_engine *e, struct rte_mbuf **mp,
		struct sk_pkt *p, struct sk_flow *f, bool *synack);

/* The client role's SYN_SENT (RFC 9293 3.10.7.3), sk_client_tcp.c. */
bool sk_client_syn_sent(struct sk_engine *e, struct rte_mbuf *m,
		struct sk_pkt *p, struct sk_flow *f);

#endif /* SK_TCP_H */

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One burst through the engine, as stages that each run over the whole
 * burst (the way DPDK's vector PMDs and VPP's graph nodes work), so that
 * each stage's code and data stay hot and the cookie hashes run several
 * lanes at a time:
 *
 *   1 classify   parse and validate every frame (sk_pkt.c); answer ARP and
 *                ICMP echo in place; TCP segments to a listening port get
 *                their flow key and hash; everything else is a counted drop
 *   2 lookup     one bulk lookup of the TCP segments in the flow table
 *   3 cookies    SYN cookies for every SYN with no flow, and the check of
 *                every ACK with no flow, in bursts (multi-lane SipHash)
 *   4 tcp        the state machine, segment by segment in arrival order
 *                (sk_tcp_in.c); a later segment whose key may be one an
 *                earlier segment inserted or removed is looked up again
 *   5 synack     SYN-ACKs from the template (sk_tcp_out.c)
 *   6 commit     answers to the TX array in arrival order, the rest freed
 *                in one call, counters added once
 *
 * The answers come out in the order their frames came in, exactly as if
 * the frames had been given one at a time (tests/unit/test_burst.c).
 * Nothing here allocates, locks, makes a system call or prints.
 */

#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "sk_tcp.h"

/* What the stages know of one burst. Indices are positions in rx[]. */
struct sk_burst {
	struct sk_pkt pk[SK_BURST_MAX];
	uint8_t answer[SK_BURST_MAX];  /* rx[i] now holds an answer */
	/* TCP segments, in arrival order */
	unsigned int nt;
	uint8_t t_at[SK_BURST_MAX];    /* index in rx[] */
	uint8_t t_lookup[SK_BURST_MAX];/* 0: closed port, no flow can exist */
	uint8_t t_listen[SK_BURST_MAX];/* a responder listens on the port */
	struct sk_flow_key6 keys[SK_BURST_MAX]; /* IPv4: only .k is set */
	const struct sk_flow_key *kp[SK_BURST_MAX];
	uint32_t hash[SK_BURST_MAX];
	struct sk_flow *fl[SK_BURST_MAX];
	/* stage 3: the ACK check by TCP list position, the SYN cookie by
	 * position in the SYN list */
	struct sk_ack_ck ck[SK_BURST_MAX];
	unsigned int ns;
	uint8_t s_at[SK_BURST_MAX];    /* index in rx[] */
	uint8_t s_ready[SK_BURST_MAX]; /* stage 3 made its cookie */
	uint32_t s_isn[SK_BURST_MAX];
	uint32_t s_tsoff[SK_BURST_MAX];
	bool s_v6;                     /* the SYN list may hold IPv6 SYNs */
	uint8_t syn_ck[SK_BURST_MAX];  /* rx index -> SYN list position + 1 */
};


/* ---- 1 classify --------------------------------------------------------- */
static __rte_always_inline void
stage_classify(struct sk_engine *e, struct sk_burst *b,
		struct rte_mbuf **rx, uint16_t n, const bool v6)
{
	uint64_t bytes = 0;

	memset(b->answer, 0, sizeof(b->answer));
	memset(b->syn_ck, 0, sizeof(b->syn_ck));
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = rx[i];
		struct sk_pkt *p = &b->pk[i];
		enum sk_pkt_kind r;
		unsigned int j;

		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(rx[i + 1], void *));
		bytes += m->pkt_len;
		r = sk_pkt_parse(&e->pc, m, p, &e->st);
		/* TCP first, ahead of the switch: a test and a branch instead
		 * of the switch's range check and jump table per segment */
		if (likely(r == SK_PKT_TCP)) {
			j = b->nt++;
			b->t_at[j] = (uint8_t)i;
			b->t_listen[j] = e->app[sk_ntohs(p->tcp->dst_port)] !=
				SK_APP_NONE;
			/* closed port, server only: no flow can exist */
			b->t_lookup[j] = b->t_listen[j] || e->lookup_all;
			sk_tcp_flow_key(p, &b->keys[j], v6);
			b->kp[j] = &b->keys[j].k;
			b->hash[j] = b->t_lookup[j] ?
				sk_flow_hash(&b->keys[j].k) : 0;
			b->ck[j].valid = 0;
			continue;
		}
		switch (r) {
		case SK_PKT_ARP:
			sk_pkt_arp_reply(&e->pc, m);
			SK_STAT_INC(&e->st, tx_arp_reply);
			b->answer[i] = 1;
			break;
		case SK_PKT_ICMP:
			sk_pkt_icmp_reply(&e->pc, m, p->l2_len);
			SK_STAT_INC(&e->st, tx_icmp_reply);
			b->answer[i] = 1;
			break;
		case SK_PKT_ND_NS:
			if (!sk_pkt_nd_reply(&e->pc, m, p)) {
				SK_STAT_INC(&e->st, drop_mbuf);
				break;
			}
			SK_STAT_INC(&e->st, tx_nd_na);
			SK_STAT_INC(&e->st, tx_ipv6);
			b->answer[i] = 1;
			break;
		case SK_PKT_ICMP6:
			sk_pkt_icmp6_reply(&e->pc, m, p);
			SK_STAT_INC(&e->st, tx_icmp6_reply);
			SK_STAT_INC(&e->st, tx_ipv6);
			b->answer[i] = 1;
			break;
		case SK_PKT_ARP_REPLY:
			sk_client_arp_input(e, m, p->l2_len);
			break;
		case SK_PKT_ND_NA:
			sk_client_nd_input(e, p);
			break;
		default:
			break;
		}
	}
	SK_STAT_ADD(&e->st, rx_packets, n);
	SK_STAT_ADD(&e->st, rx_bytes, bytes);
}

/* ---- 2 lookup ----------------------------------------------------------- */
static void
stage_lookup(struct sk_engine *e, struct sk_burst *b)
{
	/* Closed-port segments are looked up too (their key is valid) but
	 * never use the result: one call beats splitting the list. */
	*sk_flow_changed(e->ft) = 0;
	if (b->nt != 0)
		sk_flow_lookup_bulk(e->ft, b->kp, b->hash, b->nt, b->fl);
}

/* ---- 3 cookies ---------------------------------------------------------- */

/* IPv6 tuples whose address digests are hashed together (SIMD lanes) */
struct v6_digests {
	unsigned int n;
	const uint8_t *src[SK_BURST_MAX], *dst[SK_BURST_MAX];
	struct sk_cookie_tuple *t[SK_BURST_MAX];
};

/* The cookie tuple of @p p: IPv4 at once; IPv6 its ports now and its
 * addresses' digest later, with the burst's others. */
static __rte_always_inline void
cookie_tuple(struct v6_digests *v6, const struct sk_pkt *p,
		struct sk_cookie_tuple *t, const bool v6_on)
{
	if (!v6_on || likely(!p->v6)) {
		/* source and destination lie side by side in both headers */
		memcpy(&t->saddr, &p->ip->src_addr, 8);
		memcpy(&t->sport, &p->tcp->src_port, 4);
		return;
	}
	memcpy(&t->sport, &p->tcp->src_port, 4);
	v6->src[v6->n] = p->ip6->src_addr;
	v6->dst[v6->n] = p->ip6->dst_addr;
	v6->t[v6->n++] = t;
}

static __rte_always_inline void
stage_cookies(struct sk_engine *e, struct sk_burst *b, struct rte_mbuf **rx,
		const bool v6_on, const bool two_arm)
{
	struct sk_cookie_tuple st[SK_BURST_MAX], at[SK_BURST_MAX];
	uint32_t s_cisn[SK_BURST_MAX], a_cisn[SK_BURST_MAX];
	uint32_t a_cookie[SK_BURST_MAX], a_tsoff[SK_BURST_MAX];
	uint8_t s_mss[SK_BURST_MAX], a_res[SK_BURST_MAX];
	uint8_t a_mss[SK_BURST_MAX], a_pos[SK_BURST_MAX];
	struct v6_digests v6;
	unsigned int na = 0;

	v6.n = 0;
	b->ns = 0;
	for (unsigned int j = 0; j < b->nt; j++) {
		const struct sk_pkt *p = &b->pk[b->t_at[j]];
		const uint8_t fl = p->flags;

		if (!b->t_listen[j] || b->fl[j] != NULL || (fl & SK_TH_RST))
			continue;
		/* A two-arm proxy listens on the clients' port only: a SYN
		 * or an ACK with no flow from the backends' side gets no
		 * cookie (and no flow): the closed port's RST. So SYN-ACKs
		 * always leave by the clients' port. */
		if (two_arm && rx[b->t_at[j]]->port == e->pc.in_port) {
			b->t_listen[j] = 0;
			continue;
		}
		if ((fl & (SK_TH_SYN | SK_TH_ACK)) == SK_TH_SYN) {
			unsigned int k = b->ns++;

			cookie_tuple(&v6, p, &st[k], v6_on);
			s_cisn[k] = p->seq;
			s_mss[k] = (uint8_t)sk_tcp_mss_index(p, v6_on);
			b->s_at[k] = b->t_at[j];
			b->s_ready[k] = 1;
			b->syn_ck[b->t_at[j]] = (uint8_t)(k + 1);
		} else if ((fl & (SK_TH_SYN | SK_TH_ACK)) == SK_TH_ACK) {
			cookie_tuple(&v6, p, &at[na], v6_on);
			a_cisn[na] = p->seq - 1;
			a_cookie[na] = p->ack - 1;
			a_pos[na++] = (uint8_t)j;
		}
	}
	/* IPv6 tuples among the SYNs or ACKs: on a dual-stack link, most
	 * bursts have none, and their SYN-ACKs take the IPv4-only loop */
	b->s_v6 = v6_on && v6.n != 0;
	if (v6_on && unlikely(v6.n != 0))
		sk_cookie_tuple6_burst(&e->ck, v6.src, v6.dst, v6.n, v6.t);
	if (b->ns != 0)
		sk_cookie_make_burst(&e->ck, st, s_cisn, s_mss, b->ns,
				e->now_s, b->s_isn, b->s_tsoff);
	if (na != 0) {
		sk_cookie_check_burst(&e->ck, at, a_cisn, a_cookie, na,
				e->now_s, a_res, a_mss, a_tsoff);
		for (unsigned int k = 0; k < na; k++) {
			struct sk_ack_ck *c = &b->ck[a_pos[k]];

			c->valid = 1;
			c->res = a_res[k];
			if (a_res[k] == SK_COOKIE_OK) {
				c->mss_idx = a_mss[k];
				c->ts_off = a_tsoff[k];
			}
		}
	}
}

/* ---- 4 tcp -------------------------------------------------------------- */
static void
stage_tcp(struct sk_engine *e, struct sk_burst *b, struct rte_mbuf **rx)
{
	const uint64_t *changed = sk_flow_changed(e->ft);

	for (unsigned int j = 0; j < b->nt; j++) {
		const unsigned int i = b->t_at[j];
		struct sk_pkt *p = &b->pk[i];
		struct sk_flow *f = b->fl[j];
		bool synack = false;

		if (!b->t_lookup[j]) {
			f = NULL;
		} else if (unlikely(*changed &
				(UINT64_C(1) << (b->hash[j] & 63)))) {
			/* An earlier segment of this burst created or freed a
			 * flow whose hash shares these 6 bits: the bulk result
			 * may be stale, look again. */
			f = sk_flow_lookup(e->ft, &b->keys[j].k, b->hash[j]);
		} else if (b->syn_ck[i] != 0) {
			/* LISTEN, a SYN: stage 3 made its cookie, and no
			 * flow has come since (RFC 9293 3.10.7.2) */
			b->answer[i] = 1;
			continue;
		}
		if (f != NULL && unlikely(f->app == SK_APP_PROXY))
			b->answer[i] = sk_proxy_input(e, &rx[i], p, f,
					&synack);
		else if (f != NULL)
			b->answer[i] = sk_tcp_input_flow(e, rx[i], p, f,
					&synack);
		else
			b->answer[i] = sk_tcp_input_listen(e, &rx[i], p,
					&b->keys[j].k, b->hash[j], &b->ck[j],
					b->t_listen[j], &synack);
		if (likely(!synack)) {
			if (b->syn_ck[i] != 0)
				/* stage 3 guessed LISTEN, but a flow made
				 * earlier in the burst took the SYN */
				b->s_ready[b->syn_ck[i] - 1] = 0;
			continue;
		}
		/* A SYN for the SYN-ACK stage. One stage 3 did not see (its
		 * flow was freed earlier in this burst, or it reopened a
		 * TIME_WAIT) gets its cookie here. */
		if (b->syn_ck[i] == 0) {
			struct sk_cookie_tuple t;
			unsigned int k = b->ns++;

			sk_tcp_cookie_tuple(e, p, &t);
			b->s_v6 |= p->v6;
			b->s_at[k] = (uint8_t)i;
			b->s_ready[k] = 1;
			b->syn_ck[i] = (uint8_t)(k + 1);
			b->s_isn[k] = sk_cookie_make(&e->ck, &t, p->seq,
				sk_tcp_mss_index(p, true), e->now_s,
				&b->s_tsoff[k]);
		}
		b->answer[i] = 1;
	}
}

/* ---- 5 synack ----------------------------------------------------------- */
static inline void
stage_synack(struct sk_engine *e, struct sk_burst *b, struct rte_mbuf **rx)
{
	if (b->ns != 0)
		sk_tcp_synack_burst(e, rx, b->pk, b->s_at, b->s_ready,
				b->s_isn, b->s_tsoff, b->ns, b->s_v6);
}

/* ---- 6 commit ----------------------------------------------------------- */
static uint16_t
stage_commit(struct sk_engine *e, struct sk_burst *b, struct rte_mbuf **rx,
		uint16_t n, struct rte_mbuf **tx)
{
	struct rte_mbuf *drop[SK_BURST_MAX];
	unsigned int nd = 0;
	uint16_t ntx = 0;
	uint64_t bytes = 0;

	for (uint16_t i = 0; i < n; i++) {
		if (b->answer[i]) {
			bytes += rx[i]->pkt_len;
			tx[ntx++] = rx[i];
		} else {
			drop[nd++] = rx[i];
		}
	}
	if (nd != 0)
		rte_pktmbuf_free_bulk(drop, nd);
	SK_STAT_ADD(&e->st, tx_packets, ntx);
	SK_STAT_ADD(&e->st, tx_bytes, bytes);
	return ntx;
}

/* The stages, with the IPv6 tests compiled out (@p v6 false) for an engine
 * that has no IPv6 address: it never classifies an IPv6 segment as TCP. */
static __rte_always_inline uint16_t
engine_input(struct sk_engine *e, struct rte_mbuf **rx, uint16_t n,
		struct rte_mbuf **tx, const bool v6, const bool two_arm)
{
	struct sk_burst b;
	uint16_t ntx;

	b.nt = 0;
	stage_classify(e, &b, rx, n, v6);
	stage_lookup(e, &b);
	stage_cookies(e, &b, rx, v6, two_arm);
	stage_tcp(e, &b, rx);
	stage_synack(e, &b, rx);
	ntx = stage_commit(e, &b, rx, n, tx);
	/* the proxy's held segments, released by a backend's SYN-ACK */
	if (unlikely(e->px != NULL) && ntx < n)
		ntx = (uint16_t)(ntx + sk_proxy_drain(e, &tx[ntx], n - ntx));
	return ntx;
}

uint16_t
sk_engine_input(struct sk_engine *e, struct rte_mbuf **rx, uint16_t n,
		struct rte_mbuf **tx, uint64_t now)
{
	RTE_ASSERT(n <= SK_BURST_MAX);
	sk_engine_clock(e, now);
	/* one instance per case, so that none tests per segment what the
	 * engine is (two_arm: a proxy with a port for its backends) */
	if (unlikely(e->pc.two_arm))
		return e->v6 ? engine_input(e, rx, n, tx, true, true) :
			engine_input(e, rx, n, tx, false, true);
	if (e->v6)
		return engine_input(e, rx, n, tx, true, false);
	return engine_input(e, rx, n, tx, false, false);
}

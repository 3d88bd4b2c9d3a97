/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Building TCP segments: answers written in place in the received mbuf,
 * SYN-ACKs from a per-engine template with checksums summed from the few
 * words that vary, and segments the timers send in fresh mbufs.
 */

#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "sk_cksum.h"
#include "sk_tcp.h"

/* Addresses of a segment, in network order as they go on the wire; the
 * IPv6 ones are copies, so the headers they came from may be overwritten. */
struct sk_addrs {
	rte_be32_t src, dst;
	rte_be16_t sport, dport;
	bool v6;
	uint8_t src6[16], dst6[16];
};

static inline void
put32(uint8_t *o, uint32_t v)
{
	v = sk_htonl(v);
	memcpy(o, &v, 4);
}

unsigned int
sk_tcp_opt_ts(uint8_t *o, uint32_t tsval, uint32_t tsecr)
{
	o[0] = SK_OPT_NOP;
	o[1] = SK_OPT_NOP;
	o[2] = SK_OPT_TS;
	o[3] = 10;
	put32(o + 4, tsval);
	put32(o + 8, tsecr);
	return 12;
}

/* Only the first segment is ever used: drop the rest of a chain. */
static inline void
one_segment(struct rte_mbuf *m, uint16_t len)
{
	if (unlikely(m->nb_segs > 1)) {
		rte_pktmbuf_free(m->next);
		m->next = NULL;
		m->nb_segs = 1;
	}
	m->data_len = len;
	m->pkt_len = len;
}

/* Offload flags and checksums of a finished IPv4/TCP segment. */
static inline void
finish_cksums(const struct sk_engine *e, struct rte_mbuf *m,
		struct rte_ipv4_hdr *ip, struct rte_tcp_hdr *th, uint16_t l4)
{
	m->ol_flags = 0;
	if (e->par.tx_ip_cksum)
		m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
	else
		ip->hdr_checksum = sk_csum_ip(ip);
	if (e->par.tx_tcp_cksum) {
		m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_CKSUM;
		/* rte_ipv4_phdr_cksum()'s value, without its copy of the
		 * pseudo header and 16-bit loop */
		th->cksum = sk_csum_fold(sk_csum_phdr(ip, l4));
	} else {
		th->cksum = sk_csum_l4(ip, th, l4);
	}
}

/* The same over IPv6. */
static inline void
finish_cksums6(const struct sk_engine *e, struct rte_mbuf *m,
		struct rte_ipv6_hdr *ip6, struct rte_tcp_hdr *th, uint16_t l4)
{
	m->ol_flags = 0;
	if (e->par.tx_tcp_cksum) {
		m->ol_flags |= RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_TCP_CKSUM;
		th->cksum = sk_csum_fold(sk_csum_phdr6(ip6->src_addr,
				ip6->dst_addr, IPPROTO_TCP, l4));
	} else {
		th->cksum = sk_csum_l4_6(ip6, IPPROTO_TCP, th, l4);
	}
}

/*
 * Write IP and TCP headers, options and payload at offset l2 of @p m and
 * set lengths, offload flags and checksums. When s->data is NULL the
 * payload is already in the mbuf at @p in_place and is moved into position.
 */
static void
tcp_emit(struct sk_engine *e, struct rte_mbuf *m, uint16_t l2,
		const struct sk_addrs *a, const struct sk_seg *s,
		const uint8_t *opts, unsigned int olen, const uint8_t *in_place)
{
	uint8_t *base = rte_pktmbuf_mtod(m, uint8_t *);
	const unsigned int l3 = a->v6 ? sizeof(struct rte_ipv6_hdr) :
		sizeof(struct rte_ipv4_hdr);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(base + l2);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(base + l2 + l3);
	uint8_t *pl = (uint8_t *)(th + 1) + olen;
	uint16_t len = s->len;
	uint32_t l4 = sizeof(*th) + olen + len;

	/* Move the payload first: the new headers may cover where it was. */
	if (len != 0) {
		if (s->data != NULL)
			memcpy(pl, s->data, len);
		else if (in_place != pl)
			/* in_place is NULL for a new segment only, whose
			 * s->data is set whenever s->len is
			 * NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker) */
			memmove(pl, in_place, len);
	}
	one_segment(m, (uint16_t)(l2 + l3 + l4));

	th->src_port = a->sport;
	th->dst_port = a->dport;
	th->sent_seq = sk_htonl(s->seq);
	th->recv_ack = sk_htonl(s->ack);
	th->data_off = (uint8_t)(((sizeof(*th) + olen) / 4) << 4);
	th->tcp_flags = s->flags;
	th->rx_win = s->win ? sk_htons(s->win) : RTE_BE16(SK_RCV_WND);
	th->cksum = 0;
	th->tcp_urp = 0;
	if (olen)
		memcpy(th + 1, opts, olen);
	m->l2_len = l2;
	m->l3_len = l3;
	m->l4_len = (uint8_t)(sizeof(*th) + olen);
	if (a->v6) {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)ip;

		sk_pkt_ip6_hdr(ip6, a->src6, a->dst6, IPPROTO_TCP, (uint16_t)l4,
				64);
		finish_cksums6(e, m, ip6, th, (uint16_t)l4);
		SK_STAT_INC(&e->st, tx_ipv6);
		return;
	}
	sk_pkt_ip4_hdr(ip, a->src, a->dst, IPPROTO_TCP, (uint16_t)(l3 + l4), 0,
			64);
	finish_cksums(e, m, ip, th, (uint16_t)l4);
}

bool
sk_tcp_reply(struct sk_engine *e, struct rte_mbuf *m, const struct sk_pkt *p,
		const struct sk_seg *s, const uint8_t *opts, unsigned int olen,
		const uint8_t *in_place)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct sk_addrs a = {
		.sport = p->tcp->dst_port, .dport = p->tcp->src_port,
		.v6 = p->v6,
	};

	if (p->v6) {
		memcpy(a.src6, p->ip6->dst_addr, 16);
		memcpy(a.dst6, p->ip6->src_addr, 16);
	} else {
		a.src = p->ip->dst_addr;
		a.dst = p->ip->src_addr;
	}
	eh->dst_addr = eh->src_addr;
	eh->src_addr = *sk_pkt_mac(&e->pc, m);
	tcp_emit(e, m, p->l2_len, &a, s, opts, olen, in_place);
	return true;
}

bool
sk_tcp_send_rst(struct sk_engine *e, struct rte_mbuf *m,
		const struct sk_pkt *p)
{
	struct sk_seg s = { 0 };

	if (p->flags & SK_TH_ACK) {
		s.seq = p->ack;
		s.flags = SK_TH_RST;
	} else {
		s.ack = p->seq + p->plen + !!(p->flags & SK_TH_SYN) +
			!!(p->flags & SK_TH_FIN);
		s.flags = SK_TH_RST | SK_TH_ACK;
	}
	SK_STAT_INC(&e->st, tx_rst);
	return sk_tcp_reply(e, m, p, &s, NULL, 0, NULL);
}

bool
sk_tcp_send_ack(struct sk_engine *e, struct rte_mbuf *m,
		const struct sk_pkt *p, const struct sk_flow *f)
{
	struct sk_seg s = {
		.seq = f->snd_nxt, .ack = f->rcv_nxt, .flags = SK_TH_ACK,
	};
	uint8_t o[12];
	unsigned int olen = 0;

	if (f->flags & SK_FF_ECE)
		s.flags |= SK_TH_ECE;
	if (f->flags & SK_FF_TS)
		olen = sk_tcp_opt_ts(o, sk_tcp_tsval(e, f), f->ts_recent);
	SK_STAT_INC(&e->st, tx_ack);
	return sk_tcp_reply(e, m, p, &s, o, olen, NULL);
}

bool
sk_tcp_challenge_ack(struct sk_engine *e, struct rte_mbuf *m,
		const struct sk_pkt *p, const struct sk_flow *f)
{
	if (e->chal_sec != e->now_s) {
		e->chal_sec = e->now_s;
		e->chal_left = e->cfg.challenge_ack_limit;
	}
	if (e->chal_left == 0) {
		SK_STAT_INC(&e->st, drop_challenge_limit);
		return false;
	}
	e->chal_left--;
	SK_STAT_INC(&e->st, tx_challenge_ack);
	return sk_tcp_send_ack(e, m, p, f);
}

bool
sk_tcp_send_data(struct sk_engine *e, struct rte_mbuf *m,
		const struct sk_pkt *p, struct sk_flow *f, const uint8_t *data,
		uint16_t len, bool fin, const uint8_t *in_place)
{
	struct sk_seg s = {
		.seq = f->snd_nxt, .ack = f->rcv_nxt, .flags = SK_TH_ACK,
		.len = len, .data = data,
	};
	uint8_t o[12];
	unsigned int olen = 0;

	if (len) {
		s.flags |= SK_TH_PSH;
		SK_STAT_INC(&e->st, tx_data);
	}
	if (fin) {
		s.flags |= SK_TH_FIN;
		SK_STAT_INC(&e->st, tx_fin);
	}
	if (f->flags & SK_FF_ECE)
		s.flags |= SK_TH_ECE;
	f->snd_nxt += len + fin;
	if (f->flags & SK_FF_TS)
		olen = sk_tcp_opt_ts(o, sk_tcp_tsval(e, f), f->ts_recent);
	return sk_tcp_reply(e, m, p, &s, o, olen, in_place);
}

bool
sk_tcp_send_abort(struct sk_engine *e, struct rte_mbuf *m,
		const struct sk_pkt *p, const struct sk_flow *f)
{
	struct sk_seg s = {
		.seq = f->snd_nxt, .ack = f->rcv_nxt,
		.flags = SK_TH_RST | SK_TH_ACK,
	};

	SK_STAT_INC(&e->st, tx_rst);
	return sk_tcp_reply(e, m, p, &s, NULL, 0, NULL);
}

const struct sk_neigh *
sk_tcp_neigh(const struct sk_engine *e, const struct sk_flow *f)
{
	const struct sk_neigh *n =
		&e->neigh[sk_ntohl(f->key.raddr) & (SK_NEIGH_N - 1)];

	return n->ip == f->key.raddr ? n : &e->last_peer;
}

void
sk_tcp_seg_to(struct sk_engine *e, struct rte_mbuf *m,
		const struct sk_flow *f, const struct sk_neigh *n,
		const struct sk_seg *s, const uint8_t *opts, unsigned int olen)
{
	struct rte_ether_hdr *eh;
	uint16_t l2 = sizeof(*eh);
	struct sk_addrs a = {
		.src = f->key.laddr, .dst = f->key.raddr,
		.sport = f->key.lport, .dport = f->key.rport,
		.v6 = sk_flow_key_is_v6(&f->key),
	};
	rte_be16_t type = RTE_BE16(RTE_ETHER_TYPE_IPV4);

	if (a.v6) {
		const struct sk_flow_addr6 *a6 = sk_flow_addr6(e->ft, f);

		memcpy(a.src6, a6->laddr, 16);
		memcpy(a.dst6, a6->raddr, 16);
		type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	}
	/* from the start of the buffer, whatever it held */
	m->data_off = RTE_MIN((uint16_t)RTE_PKTMBUF_HEADROOM, m->buf_len);
	eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	eh->dst_addr = n->mac;
	/* a two-arm proxy's backend side goes out of the inside port */
	sk_pkt_set_side(&e->pc, m, sk_flow_px_inside(f));
	eh->src_addr = *sk_pkt_mac(&e->pc, m);
	if (n->vlan) {
		struct rte_vlan_hdr *vh = (struct rte_vlan_hdr *)(eh + 1);

		eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_VLAN);
		vh->vlan_tci = n->vlan;
		vh->eth_proto = type;
		l2 += sizeof(*vh);
	} else {
		eh->ether_type = type;
	}
	tcp_emit(e, m, l2, &a, s, opts, olen, NULL);
}

struct rte_mbuf *
sk_tcp_new_seg(struct sk_engine *e, const struct sk_flow *f,
		const struct sk_seg *s, const uint8_t *opts, unsigned int olen)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(e->par.pool);

	if (m == NULL) {
		SK_STAT_INC(&e->st, drop_mbuf);
		return NULL;
	}
	sk_tcp_seg_to(e, m, f, sk_tcp_neigh(e, f), s, opts, olen);
	return m;
}

/* ---- the SYN-ACK template -----------------------------------------------
 *
 * A SYN-ACK is the same 40 to 60 bytes every time but for the addresses,
 * ports, sequence numbers and timestamps. The engine keeps one header per
 * option layout (sk_synack_tpl in sk_engine_priv.h), with the one's
 * complement sums of its constant words, so that a SYN-ACK is a copy, a
 * few stores, and checksums from a handful of additions (the sum is
 * commutative: swapping addresses and ports changes nothing, RFC 1624),
 * instead of summing the built segment again.
 */

/* Option layouts, by what the SYN offered, and whether the port is
 * proxied (our window scale: only where the SYN-ACK has the option). */
static __rte_always_inline unsigned int
synack_layout(const struct sk_engine *e, const struct sk_pkt *p, bool px)
{
	unsigned int k;

	if (!p->has_ts)
		return SK_SYNACK_MSS;
	k = ((unsigned int)p->sack_ok * SK_SYNACK_SACK) |
		((unsigned int)p->has_ws * SK_SYNACK_WS) | SK_SYNACK_TS;
	if (px && (k & SK_SYNACK_WS) &&
			e->app[sk_ntohs(p->tcp->dst_port)] == SK_APP_PROXY)
		k |= SK_SYNACK_PX;
	return k;
}

/* The TCP header and options of layout @p k advertising @p mss; returns
 * the header length with options. */
static unsigned int
synack_tcp_tpl(struct rte_tcp_hdr *th, uint8_t *o, unsigned int k,
		uint16_t mss)
{
	unsigned int olen = 4;
	unsigned int l4;

	o[0] = SK_OPT_MSS;
	o[1] = 4;
	o[2] = (uint8_t)(mss >> 8);
	o[3] = (uint8_t)mss;
	if (k & SK_SYNACK_TS) {
		if (k & SK_SYNACK_SACK) {
			o[4] = SK_OPT_SACK_PERM;
			o[5] = 2;
		} else {
			o[4] = SK_OPT_NOP;
			o[5] = SK_OPT_NOP;
		}
		o[6] = SK_OPT_TS;
		o[7] = 10;
		olen = 16;   /* TSval at 8, TSecr at 12: zero here */
		if (k & SK_SYNACK_WS) {
			o[16] = SK_OPT_NOP;
			o[17] = SK_OPT_WS;
			o[18] = 3;
			/* our shift: our window fits 16 bits; a proxied
			 * port relays the backend's */
			o[19] = k & SK_SYNACK_PX ? SK_PX_WSCALE : 0;
			olen = 20;
		}
	}
	l4 = sizeof(*th) + olen;
	th->data_off = (uint8_t)((l4 / 4) << 4);
	th->tcp_flags = SK_TH_SYN | SK_TH_ACK;
	th->rx_win = RTE_BE16(SK_RCV_WND);
	return l4;
}

/* The constant words of a SYN-ACK's TCP checksum: the TCP header and
 * options without ports, sequence numbers and timestamps (zero in the
 * template), plus the pseudo header's protocol and length. The IPv4 and
 * IPv6 pseudo headers sum the same but for the addresses: the length and
 * protocol are 16-bit values in either, as 32-bit ones in IPv6's. */
static uint64_t
synack_tcp_sum(const struct rte_tcp_hdr *th, unsigned int l4)
{
	return sk_csum_add(0, th, l4) + sk_htons((uint16_t)IPPROTO_TCP) +
		sk_htons((uint16_t)l4);
}

void
sk_tcp_synack_template(struct sk_engine *e)
{
	/* IPv6 headers are 20 bytes longer: the same link MTU allows a
	 * 20-byte smaller segment */
	const uint16_t mss6 = (uint16_t)(e->cfg.mss - 20);

	for (unsigned int k = 0; k < SK_SYNACK_LAYOUTS; k++) {
		struct sk_synack_tpl *t = &e->synack[k];
		struct sk_synack_tpl6 *t6 = &e->synack6[k];
		struct rte_ipv4_hdr *ip = &t->h.ip;
		struct rte_ipv6_hdr *ip6 = &t6->h.ip6;
		static const uint8_t zero16[16];

		memset(t, 0, sizeof(*t));
		t->l4_len = (uint8_t)synack_tcp_tpl(&t->h.tcp, t->h.opt, k,
				e->cfg.mss);
		t->ip_len = (uint16_t)(sizeof(*ip) + t->l4_len);
		sk_pkt_ip4_hdr(ip, 0, 0, IPPROTO_TCP, t->ip_len, 0, 64);
		/* the IP header without its addresses */
		t->ip_sum = sk_csum_add(0, ip, sizeof(*ip));
		t->tcp_sum = synack_tcp_sum(&t->h.tcp, t->l4_len);

		memset(t6, 0, sizeof(*t6));
		t6->l4_len = (uint8_t)synack_tcp_tpl(&t6->h.tcp, t6->h.opt, k,
				mss6);
		t6->len = (uint16_t)(sizeof(*ip6) + t6->l4_len);
		sk_pkt_ip6_hdr(ip6, zero16, zero16, IPPROTO_TCP, t6->l4_len,
				64);
		t6->tcp_sum = synack_tcp_sum(&t6->h.tcp, t6->l4_len);
	}
}

/* The TSval and TSecr of a SYN-ACK for layout @p k, and its flags: window
 * scale, SACK-permitted and ECN can only be remembered in the TSval, so
 * they are offered only with timestamps. */
static __rte_always_inline uint8_t
synack_ts(const struct sk_engine *e, const struct sk_pkt *p, unsigned int k,
		uint32_t ts_off, rte_be32_t *tsval, rte_be32_t *tsecr)
{
	uint8_t flags = SK_TH_SYN | SK_TH_ACK;
	unsigned int tsopt;

	*tsval = *tsecr = 0;
	if (!(k & SK_SYNACK_TS))
		return flags;
	tsopt = p->has_ws ? p->wscale : SK_TSOPT_WSCALE_NONE;
	if (p->sack_ok)
		tsopt |= SK_TSOPT_SACK;
	/* RFC 3168 6.1.1: an ECN-setup SYN has ECE and CWR */
	if ((p->flags & (SK_TH_ECE | SK_TH_CWR)) == (SK_TH_ECE | SK_TH_CWR)) {
		tsopt |= SK_TSOPT_ECN;
		flags |= SK_TH_ECE;
	}
	*tsval = sk_htonl(sk_cookie_ts_encode(e->ts_now + ts_off, tsopt));
	*tsecr = sk_htonl(p->tsval);
	return flags;
}

/* The fields of a SYN-ACK's TCP header that vary, over the template's
 * copy. */
static __rte_always_inline void
synack_tcp_fill(struct rte_tcp_hdr *th, unsigned int k, rte_be16_t sport,
		rte_be16_t dport, rte_be32_t seq, rte_be32_t ack, uint8_t flags,
		rte_be32_t tsval, rte_be32_t tsecr)
{
	th->src_port = dport;
	th->dst_port = sport;
	th->sent_seq = seq;
	th->recv_ack = ack;
	th->tcp_flags = flags;
	if (k & SK_SYNACK_TS) {
		uint8_t *o = (uint8_t *)(th + 1);

		memcpy(o + 8, &tsval, 4);
		memcpy(o + 12, &tsecr, 4);
	}
}

/* The one's complement sum of those fields, for a checksum computed here.
 * Apart from the fill, so that it is computed only then: the compiler did
 * not sink it past the offload test (callgrind, docs/benchmarks.md). */
static __rte_always_inline uint64_t
synack_var_sum(rte_be16_t sport, rte_be16_t dport, rte_be32_t seq,
		rte_be32_t ack, uint8_t flags, rte_be32_t tsval, rte_be32_t tsecr)
{
	uint64_t sum = (uint64_t)sport + dport + seq + ack + tsval + tsecr;

	if (flags & SK_TH_ECE)
		sum += sk_htons(SK_TH_ECE);
	return sum;
}

static __rte_always_inline void
synack(const struct sk_engine *e, struct rte_mbuf *m, const struct sk_pkt *p,
		uint32_t isn, uint32_t ts_off, bool px)
{
	const unsigned int k = synack_layout(e, p, px);
	const struct sk_synack_tpl *t = &e->synack[k];
	uint8_t *base = rte_pktmbuf_mtod(m, uint8_t *);
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)base;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(base + p->l2_len);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);
	/* read what the SYN says before the template covers it */
	const rte_be32_t saddr = p->ip->src_addr, daddr = p->ip->dst_addr;
	const rte_be16_t sport = p->tcp->src_port, dport = p->tcp->dst_port;
	const rte_be32_t seq = sk_htonl(isn);
	const rte_be32_t ack = sk_htonl(p->seq + 1);
	rte_be32_t tsval, tsecr;
	const uint8_t flags = synack_ts(e, p, k, ts_off, &tsval, &tsecr);

	/* SYN-ACKs leave by the clients' port (sk_burst.c, stage 3) */
	eh->dst_addr = eh->src_addr;
	eh->src_addr = e->pc.mac;
	/* the whole 64 bytes, a constant size the compiler copies with two
	 * vector moves; what lies past the SYN-ACK is not sent */
	if (likely(m->buf_len >= m->data_off + p->l2_len + sizeof(t->h)))
		memcpy(ip, &t->h, sizeof(t->h));
	else
		memcpy(ip, &t->h, sizeof(*ip) + t->l4_len);
	one_segment(m, (uint16_t)(p->l2_len + t->ip_len));
	ip->src_addr = daddr;
	ip->dst_addr = saddr;
	synack_tcp_fill(th, k, sport, dport, seq, ack, flags, tsval, tsecr);
	m->tx_offload = rte_mbuf_tx_offload(p->l2_len, sizeof(*ip),
			t->l4_len, 0, 0, 0, 0);
	m->ol_flags = 0;
	if (e->par.tx_ip_cksum)
		m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
	else
		ip->hdr_checksum = (uint16_t)~sk_csum_fold(t->ip_sum +
				(uint64_t)saddr + daddr);
	if (e->par.tx_tcp_cksum) {
		m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_CKSUM;
		/* the pseudo header's sum, the value rte_ipv4_phdr_cksum()
		 * gives, from what is in registers (that one sums a copy of
		 * the pseudo header 16 bits at a time: about 30 instructions
		 * more, callgrind) */
		th->cksum = sk_csum_fold((uint64_t)saddr + daddr +
				sk_htons((uint16_t)IPPROTO_TCP) +
				sk_htons((uint16_t)t->l4_len));
		return;
	}
	th->cksum = (uint16_t)~sk_csum_fold(synack_var_sum(sport, dport, seq,
			ack, flags, tsval, tsecr) + t->tcp_sum +
			(uint64_t)saddr + daddr);
}

/* The same over IPv6: a SYN that came with extension headers gets a
 * SYN-ACK without. */
static void
synack6(struct sk_engine *e, struct rte_mbuf *m, const struct sk_pkt *p,
		uint32_t isn, uint32_t ts_off)
{
	const unsigned int k = synack_layout(e, p, e->px != NULL);
	const struct sk_synack_tpl6 *t = &e->synack6[k];
	uint8_t *base = rte_pktmbuf_mtod(m, uint8_t *);
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)base;
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(base + p->l2_len);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip6 + 1);
	const rte_be16_t sport = p->tcp->src_port, dport = p->tcp->dst_port;
	const rte_be32_t seq = sk_htonl(isn);
	const rte_be32_t ack = sk_htonl(p->seq + 1);
	rte_be32_t tsval, tsecr;
	const uint8_t flags = synack_ts(e, p, k, ts_off, &tsval, &tsecr);
	uint8_t addr[32];          /* our address, then the peer's */

	memcpy(addr, p->ip6->dst_addr, 16);
	memcpy(addr + 16, p->ip6->src_addr, 16);
	eh->dst_addr = eh->src_addr;
	eh->src_addr = e->pc.mac;
	if (likely(m->buf_len >= m->data_off + p->l2_len + sizeof(t->h)))
		memcpy(ip6, &t->h, sizeof(t->h));
	else
		memcpy(ip6, &t->h, sizeof(*ip6) + t->l4_len);
	one_segment(m, (uint16_t)(p->l2_len + t->len));
	memcpy(ip6->src_addr, addr, 16);
	memcpy(ip6->dst_addr, addr + 16, 16);
	synack_tcp_fill(th, k, sport, dport, seq, ack, flags, tsval, tsecr);
	m->tx_offload = rte_mbuf_tx_offload(p->l2_len, sizeof(*ip6),
			t->l4_len, 0, 0, 0, 0);
	m->ol_flags = 0;
	if (e->par.tx_tcp_cksum) {
		m->ol_flags |= RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_TCP_CKSUM;
		th->cksum = sk_csum_fold(sk_csum_add(sk_csum_add64(
				sk_htonl((uint32_t)IPPROTO_TCP),
				sk_htonl((uint32_t)t->l4_len)), addr,
				sizeof(addr)));
	} else {
		th->cksum = (uint16_t)~sk_csum_fold(sk_csum_add(
				synack_var_sum(sport, dport, seq, ack, flags,
					tsval, tsecr) + t->tcp_sum, addr,
				sizeof(addr)));
	}
	SK_STAT_INC(&e->st, tx_ipv6);
}

unsigned int
sk_tcp_synack_burst(struct sk_engine *e, struct rte_mbuf **rx,
		const struct sk_pkt *pk, const uint8_t *at, const uint8_t *ready,
		const uint32_t *isn, const uint32_t *ts_off, unsigned int n,
		bool v6)
{
	const bool px = e->px != NULL;
	unsigned int sent = 0;

	/* Two loops, so that IPv4 SYNs to a server with no proxied port (the
	 * common case) pay for neither test (6 instructions per SYN-ACK,
	 * callgrind). */
	if (likely(!v6 && !px)) {
		for (unsigned int k = 0; k < n; k++) {
			if (!ready[k])
				continue;
			synack(e, rx[at[k]], &pk[at[k]], isn[k], ts_off[k],
				false);
			sent++;
		}
	} else {
		for (unsigned int k = 0; k < n; k++) {
			if (!ready[k])
				continue;
			if (unlikely(pk[at[k]].v6))
				synack6(e, rx[at[k]], &pk[at[k]], isn[k],
					ts_off[k]);
			else
				synack(e, rx[at[k]], &pk[at[k]], isn[k],
					ts_off[k], px);
			sent++;
		}
	}
	SK_STAT_ADD(&e->st, rx_syn, sent);
	SK_STAT_ADD(&e->st, tx_synack, sent);
	SK_STAT_ADD(&e->st, cookie_sent, sent);
	return sent;
}

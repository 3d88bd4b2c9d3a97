/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TCP state machine of the server role, RFC 9293 3.10.7 step by step,
 * with RFC 5961 for RST, SYN and ACK checks and RFC 7323 for timestamps.
 * LISTEN and SYN-RECEIVED hold no state: the SYN-ACK's ISN is a cookie and
 * the ACK that completes the handshake creates the flow (sk_cookie.c).
 *
 * Responses are built in place in the received mbuf.
 */

#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_tcp.h>

#include "sk_cksum.h"
#include "sk_engine_priv.h"

#define F_SYN RTE_TCP_SYN_FLAG
#define F_ACK RTE_TCP_ACK_FLAG
#define F_RST RTE_TCP_RST_FLAG
#define F_FIN RTE_TCP_FIN_FLAG
#define F_PSH RTE_TCP_PSH_FLAG
#define F_ECE RTE_TCP_ECE_FLAG
#define F_CWR RTE_TCP_CWR_FLAG

/* What the built-in responders say. */
static const char hello_reply[] = "Hello Client\n";
static const char http_reply[] =
	"HTTP/1.1 200 OK\r\n"
	"Server: synack\r\n"
	"Content-Type: text/plain\r\n"
	"Content-Length: 18\r\n"
	"Connection: close\r\n"
	"\r\n"
	"Hello from synack\n";

/* The default MSS when a SYN has no MSS option (RFC 9293 3.7.1). */
#define SK_MSS_DEFAULT 536

/* A segment to send. */
struct sk_seg {
	uint32_t seq;
	uint32_t ack;
	uint8_t flags;
	uint16_t len;           /* payload bytes */
	const uint8_t *data;    /* payload, or NULL when already in place */
};

/* Addresses of a response, in network order as they go on the wire. */
struct sk_addrs {
	rte_be32_t src, dst;
	rte_be16_t sport, dport;
};

static inline void
put32(uint8_t *o, uint32_t v)
{
	v = rte_cpu_to_be_32(v);
	memcpy(o, &v, 4);
}

static inline void
set_state(struct sk_engine *e, struct sk_flow *f, enum sk_state s)
{
	SK_STAT_ADD(&e->st, flows[f->state], -1);
	SK_STAT_INC(&e->st, flows[s]);
	f->state = s;
	/* a client connection in TIME_WAIT has ended; from now on its born
	 * is when it entered TIME_WAIT ([client] tw_reuse) */
	if (unlikely(f->flags & SK_FF_CLIENT) && s == SK_ST_TIME_WAIT) {
		if (f->flags & SK_FF_CLACTIVE)
			sk_client_release(e, f, SK_CL_DONE);
		f->born = e->now_ms;
	}
}

static inline void
arm(struct sk_engine *e, struct sk_flow *f, uint32_t ms)
{
	sk_wheel_arm(&e->wheel, (uint32_t)(f - e->flows), e->now_ms + ms);
}

static void
flow_free(struct sk_engine *e, struct sk_flow *f)
{
	sk_wheel_cancel(&e->wheel, (uint32_t)(f - e->flows));
	if (unlikely(f->flags & SK_FF_CLACTIVE))
		sk_client_release(e, f, SK_CL_DONE);
	SK_STAT_ADD(&e->st, flows[f->state], -1);
	sk_flow_remove(e->ft, f);
}

void
sk_tcp_flow_free(struct sk_engine *e, struct sk_flow *f)
{
	flow_free(e, f);
}

static inline uint32_t
our_tsval(const struct sk_engine *e, const struct sk_flow *f)
{
	return e->ts_now + f->ts_off;
}

/* NOP NOP TS: the timestamp option as every non-SYN segment carries it. */
static inline unsigned int
opt_ts(uint8_t *o, uint32_t tsval, uint32_t tsecr)
{
	o[0] = SK_OPT_NOP;
	o[1] = SK_OPT_NOP;
	o[2] = SK_OPT_TS;
	o[3] = 10;
	put32(o + 4, tsval);
	put32(o + 8, tsecr);
	return 12;
}

/*
 * Write IPv4 and TCP headers, options and payload at offset l2 of @p m and
 * set lengths, offload flags and checksums. When s->data is NULL the
 * payload is already in the mbuf at @p in_place and is moved into position.
 */
static void
tcp_emit(const struct sk_engine *e, struct rte_mbuf *m, uint16_t l2,
		const struct sk_addrs *a, const struct sk_seg *s,
		const uint8_t *opts, unsigned int olen, const uint8_t *in_place)
{
	uint8_t *base = rte_pktmbuf_mtod(m, uint8_t *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(base + l2);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ip + 1);
	uint8_t *pl = (uint8_t *)(th + 1) + olen;
	uint16_t len = s->len;
	uint32_t total = sizeof(*ip) + sizeof(*th) + olen + len;

	/* Move the payload first: the new headers may cover where it was. */
	if (len != 0) {
		if (s->data != NULL)
			memcpy(pl, s->data, len);
		else if (in_place != pl)
			memmove(pl, in_place, len);
	}
	if (m->nb_segs > 1) {
		rte_pktmbuf_free(m->next);
		m->next = NULL;
		m->nb_segs = 1;
	}
	m->data_len = (uint16_t)(l2 + total);
	m->pkt_len = m->data_len;

	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = 0;
	ip->total_length = rte_cpu_to_be_16((uint16_t)total);
	ip->packet_id = 0; /* DF set: the ID has no meaning (RFC 6864) */
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_TCP;
	ip->hdr_checksum = 0;
	ip->src_addr = a->src;
	ip->dst_addr = a->dst;

	th->src_port = a->sport;
	th->dst_port = a->dport;
	th->sent_seq = rte_cpu_to_be_32(s->seq);
	th->recv_ack = rte_cpu_to_be_32(s->ack);
	th->data_off = (uint8_t)(((sizeof(*th) + olen) / 4) << 4);
	th->tcp_flags = s->flags;
	th->rx_win = RTE_BE16(SK_RCV_WND);
	th->cksum = 0;
	th->tcp_urp = 0;
	if (olen)
		memcpy(th + 1, opts, olen);

	m->l2_len = l2;
	m->l3_len = sizeof(*ip);
	m->l4_len = (uint8_t)(sizeof(*th) + olen);
	m->ol_flags = 0;
	if (e->par.tx_ip_cksum)
		m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
	else
		ip->hdr_checksum = sk_csum_ip(ip);
	if (e->par.tx_tcp_cksum) {
		m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_CKSUM;
		th->cksum = rte_ipv4_phdr_cksum(ip, m->ol_flags);
	} else {
		th->cksum = sk_csum_l4(ip, th,
				(uint16_t)(total - sizeof(*ip)));
	}
}

/* Answer the received segment @p p in @p m: swap addresses and MACs. */
static void
reply(struct sk_engine *e, struct rte_mbuf *m, const struct sk_pkt *p,
		const struct sk_seg *s, const uint8_t *opts, unsigned int olen,
		const uint8_t *in_place)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct sk_addrs a = {
		.src = p->ip->dst_addr, .dst = p->ip->src_addr,
		.sport = p->tcp->dst_port, .dport = p->tcp->src_port,
	};

	eh->dst_addr = eh->src_addr;
	eh->src_addr = e->pc.mac;
	tcp_emit(e, m, p->l2_len, &a, s, opts, olen, in_place);
}

/* RFC 9293 3.10.7.1: the reset for a segment that matches no connection. */
static bool
send_rst(struct sk_engine *e, struct rte_mbuf *m, const struct sk_pkt *p)
{
	struct sk_seg s = { 0 };

	if (p->flags & F_ACK) {
		s.seq = p->ack;
		s.flags = F_RST;
	} else {
		s.ack = p->seq + p->plen + !!(p->flags & F_SYN) +
			!!(p->flags & F_FIN);
		s.flags = F_RST | F_ACK;
	}
	reply(e, m, p, &s, NULL, 0, NULL);
	SK_STAT_INC(&e->st, tx_rst);
	return true;
}

/* Consume a segment that gets no answer: freed with the burst's others in
 * one rte_pktmbuf_free_bulk() at the end of sk_engine_input(). */
static inline bool
drop(struct sk_engine *e, struct rte_mbuf *m)
{
	e->to_free[e->n_free++] = m;
	return false;
}

/* <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, with timestamps when in use. */
static bool
send_ack(struct sk_engine *e, struct rte_mbuf *m, const struct sk_pkt *p,
		const struct sk_flow *f)
{
	struct sk_seg s = {
		.seq = f->snd_nxt, .ack = f->rcv_nxt, .flags = F_ACK,
	};
	uint8_t o[12];
	unsigned int olen = 0;

	if (f->flags & SK_FF_ECE)
		s.flags |= F_ECE;
	if (f->flags & SK_FF_TS)
		olen = opt_ts(o, our_tsval(e, f), f->ts_recent);
	reply(e, m, p, &s, o, olen, NULL);
	SK_STAT_INC(&e->st, tx_ack);
	return true;
}

/* RFC 5961 3.2, 4.2, 5.2: a challenge ACK, within the per-second budget
 * (section 7) so that synack cannot be used to amplify. */
static bool
challenge_ack(struct sk_engine *e, struct rte_mbuf *m, const struct sk_pkt *p,
		const struct sk_flow *f)
{
	if (e->chal_sec != e->now_s) {
		e->chal_sec = e->now_s;
		e->chal_left = e->cfg.challenge_ack_limit;
	}
	if (e->chal_left == 0) {
		SK_STAT_INC(&e->st, drop_challenge_limit);
		return drop(e, m);
	}
	e->chal_left--;
	SK_STAT_INC(&e->st, tx_challenge_ack);
	return send_ack(e, m, p, f);
}

/* LISTEN, SYN: answer with a cookie; no state is kept (RFC 4987 3.6). */
static bool
syn_cookie(struct sk_engine *e, struct rte_mbuf *m, const struct sk_pkt *p)
{
	const struct sk_cookie_tuple t = {
		.saddr = p->ip->src_addr, .daddr = p->ip->dst_addr,
		.sport = p->tcp->src_port, .dport = p->tcp->dst_port,
	};
	unsigned int mss_idx = sk_cookie_mss_index(p->mss ? p->mss :
			SK_MSS_DEFAULT);
	struct sk_seg s = { .ack = p->seq + 1, .flags = F_SYN | F_ACK };
	uint32_t ts_off;
	uint8_t o[20];
	unsigned int olen = 4;

	SK_STAT_INC(&e->st, rx_syn);
	s.seq = sk_cookie_make(&e->ck, &t, p->seq, mss_idx, e->now_s, &ts_off);
	o[0] = SK_OPT_MSS;
	o[1] = 4;
	o[2] = (uint8_t)(e->cfg.mss >> 8);
	o[3] = (uint8_t)e->cfg.mss;
	/* Window scale, SACK-permitted and ECN can only be remembered in the
	 * TSval, so they are offered only when the client sent timestamps. */
	if (p->has_ts) {
		unsigned int tsopt = p->has_ws ? p->wscale :
			SK_TSOPT_WSCALE_NONE;
		uint32_t tsval;

		if (p->sack_ok)
			tsopt |= SK_TSOPT_SACK;
		/* RFC 3168 6.1.1: an ECN-setup SYN has ECE and CWR */
		if ((p->flags & (F_ECE | F_CWR)) == (F_ECE | F_CWR)) {
			tsopt |= SK_TSOPT_ECN;
			s.flags |= F_ECE;
		}
		tsval = sk_cookie_ts_encode(e->ts_now + ts_off, tsopt);
		if (p->sack_ok) {
			o[4] = SK_OPT_SACK_PERM;
			o[5] = 2;
		} else {
			o[4] = SK_OPT_NOP;
			o[5] = SK_OPT_NOP;
		}
		o[6] = SK_OPT_TS;
		o[7] = 10;
		put32(o + 8, tsval);
		put32(o + 12, p->tsval);
		olen = 16;
		if (p->has_ws) {
			o[16] = SK_OPT_NOP;
			o[17] = SK_OPT_WS;
			o[18] = 3;
			o[19] = 0; /* our shift: the window fits 16 bits */
			olen = 20;
		}
	}
	reply(e, m, p, &s, o, olen, NULL);
	SK_STAT_INC(&e->st, tx_synack);
	SK_STAT_INC(&e->st, cookie_sent);
	return true;
}

static void
learn_neigh(struct sk_engine *e, const struct rte_mbuf *m,
		const struct sk_pkt *p)
{
	const struct rte_ether_hdr *eh =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	struct sk_neigh *n = &e->neigh[rte_be_to_cpu_32(p->ip->src_addr) &
		(SK_NEIGH_N - 1)];

	n->ip = p->ip->src_addr;
	n->mac = eh->src_addr;
	n->vlan = p->l2_len > sizeof(*eh) ?
		((const struct rte_vlan_hdr *)(eh + 1))->vlan_tci : 0;
	e->last_peer = *n;
}

static bool flow_input(struct sk_engine *e, struct rte_mbuf *m,
		struct sk_pkt *p, struct sk_flow *f);

/* LISTEN, ACK: the third segment of the handshake (RFC 4987 3.6). */
static bool
cookie_ack(struct sk_engine *e, struct rte_mbuf *m, struct sk_pkt *p,
		const struct sk_flow_key *key, uint32_t hash)
{
	const struct sk_cookie_tuple t = {
		.saddr = p->ip->src_addr, .daddr = p->ip->dst_addr,
		.sport = p->tcp->src_port, .dport = p->tcp->dst_port,
	};
	unsigned int mss_idx, tsopt;
	uint32_t ts_off;
	struct sk_flow *f;

	switch (sk_cookie_check(&e->ck, &t, p->seq - 1, p->ack - 1, e->now_s,
			&mss_idx, &ts_off)) {
	case SK_COOKIE_OK:
		break;
	case SK_COOKIE_TOO_OLD:
		SK_STAT_INC(&e->st, cookie_too_old);
		SK_STAT_INC(&e->st, tx_rst_bad_cookie);
		return send_rst(e, m, p);
	default:
		SK_STAT_INC(&e->st, cookie_bad_mac);
		SK_STAT_INC(&e->st, tx_rst_bad_cookie);
		return send_rst(e, m, p);
	}
	SK_STAT_INC(&e->st, cookie_ok);
	f = sk_flow_insert(e->ft, key, hash);
	if (f == NULL) {
		/* Full: refuse cleanly; the table never grows. */
		SK_STAT_INC(&e->st, tx_rst_table_full);
		return send_rst(e, m, p);
	}
	/* Options remembered in the TSval we sent, now echoed in TSecr. */
	tsopt = p->has_ts ? sk_cookie_ts_decode(p->tsecr) :
		SK_TSOPT_WSCALE_NONE;
	f->state = SK_ST_ESTABLISHED;
	SK_STAT_INC(&e->st, flows[SK_ST_ESTABLISHED]);
	f->app = e->app[rte_be_to_cpu_16(p->tcp->dst_port)];
	f->iss = p->ack - 1;
	f->snd_una = f->snd_nxt = p->ack;
	f->irs = p->seq - 1;
	f->rcv_nxt = p->seq;
	f->ts_off = ts_off;
	f->mss_idx = mss_idx;
	f->snd_wnd = rte_be_to_cpu_16(p->tcp->rx_win);
	f->born = e->now_ms;
	if (p->has_ts) {
		f->flags |= SK_FF_TS;
		f->ts_recent = p->tsval;
	}
	if ((tsopt & SK_TSOPT_WSCALE_NONE) != SK_TSOPT_WSCALE_NONE) {
		f->flags |= SK_FF_WSCALE;
		f->snd_wscale = RTE_MIN(tsopt & SK_TSOPT_WSCALE_NONE,
				SK_WSCALE_MAX);
	}
	if (tsopt & SK_TSOPT_SACK)
		f->flags |= SK_FF_SACK;
	if (tsopt & SK_TSOPT_ECN)
		f->flags |= SK_FF_ECN;
	SK_STAT_INC(&e->st, flow_created);
	learn_neigh(e, m, p);
	if (e->cfg.idle_ms)
		arm(e, f, e->cfg.idle_ms);
	/* The ACK may carry data or a FIN: go on as ESTABLISHED. */
	return flow_input(e, m, p, f);
}

/* RFC 9293 3.10.7.4, first check: is the segment in the receive window? */
static inline bool
seq_acceptable(const struct sk_flow *f, uint32_t seq, uint32_t len)
{
	uint32_t nxt = f->rcv_nxt;

	if (len == 0)
		return SK_SEQ_GEQ(seq, nxt) && SK_SEQ_LT(seq, nxt + SK_RCV_WND);
	return (SK_SEQ_GEQ(seq, nxt) && SK_SEQ_LT(seq, nxt + SK_RCV_WND)) ||
		(SK_SEQ_GEQ(seq + len - 1, nxt) &&
		 SK_SEQ_LT(seq + len - 1, nxt + SK_RCV_WND));
}

/* What a responder answers to @p n new in-order bytes at @p d. */
struct sk_out {
	const uint8_t *data;  /* NULL with len > 0: echo, payload in place */
	uint16_t len;
	bool fin;
};

/* http: the request head ends at the first empty line ("\r\n\r\n" or
 * "\n\n"). match bit 0: at the start of a line, bit 1: a CR there. */
static bool
http_head_end(struct sk_flow *f, const uint8_t *d, uint16_t n)
{
	unsigned int st = f->match;

	for (uint16_t i = 0; i < n; i++) {
		if (d[i] == '\n') {
			if (st & 1) {
				f->match = 0;
				return true;
			}
			st = 1;
		} else if (d[i] == '\r' && (st & 1) && !(st & 2)) {
			st |= 2;
		} else {
			st = 0;
		}
	}
	f->match = st & 3;
	return false;
}

static void
app_input(struct sk_flow *f, const uint8_t *d, uint16_t n, struct sk_out *o)
{
	switch (f->app) {
	case SK_APP_HELLO:
		/* The seeds' server: read one line, answer, close. */
		if (memchr(d, '\n', n) != NULL) {
			o->data = (const uint8_t *)hello_reply;
			o->len = sizeof(hello_reply) - 1;
			o->fin = true;
		}
		break;
	case SK_APP_HTTP:
		if (http_head_end(f, d, n)) {
			o->data = (const uint8_t *)http_reply;
			o->len = sizeof(http_reply) - 1;
			o->fin = true;
		}
		break;
	case SK_APP_ECHO:
		o->data = NULL;
		o->len = n;
		break;
	default: /* hold */
		break;
	}
}

/* The fixed reply of a responder, for retransmission; NULL for echo and
 * hold, whose bytes are not kept. */
static const char *
app_reply(unsigned int app, uint16_t *len)
{
	if (app == SK_APP_HELLO) {
		*len = sizeof(hello_reply) - 1;
		return hello_reply;
	}
	if (app == SK_APP_HTTP) {
		*len = sizeof(http_reply) - 1;
		return http_reply;
	}
	*len = 0;
	return NULL;
}

/* Client role hooks, defined with the rest of the client's TCP below. */
enum cl_data { CLD_MORE, CLD_FIN, CLD_RST, CLD_BAD };
static enum cl_data client_data(struct sk_engine *e, struct sk_flow *f,
		const uint8_t *d, uint16_t n);
static bool client_peer_fin(struct sk_engine *e, struct sk_flow *f);
static bool client_abort(struct sk_engine *e, struct rte_mbuf *m,
		const struct sk_pkt *p, struct sk_flow *f, enum sk_cl_end why);
static bool client_syn_sent(struct sk_engine *e, struct rte_mbuf *m,
		struct sk_pkt *p, struct sk_flow *f);
static bool client_timer(struct sk_engine *e, struct sk_flow *f,
		struct rte_mbuf **out);

/* A segment for a flow in a synchronized state, RFC 9293 3.10.7.4. */
static bool
flow_input(struct sk_engine *e, struct rte_mbuf *m, struct sk_pkt *p,
		struct sk_flow *f)
{
	const uint8_t fl = p->flags;
	uint32_t seg_len = p->plen + !!(fl & F_SYN) + !!(fl & F_FIN);
	struct sk_out out = { 0 };
	const uint8_t *in_place = NULL;
	bool need_ack = false;
	bool fin_acked;

	/* RFC 9293 3.6.1 with RFC 6191 2: a new SYN may reopen TIME_WAIT.
	 * When both incarnations use timestamps the timestamp decides (a
	 * greater one, or an equal one with a greater sequence); otherwise
	 * the sequence must be above the old connection's. */
	if (f->state == SK_ST_TIME_WAIT && (fl & (F_SYN | F_ACK)) == F_SYN &&
			((f->flags & SK_FF_TS) && p->has_ts ?
			 SK_SEQ_GT(p->tsval, f->ts_recent) ||
			 (p->tsval == f->ts_recent &&
			  SK_SEQ_GT(p->seq, f->rcv_nxt)) :
			 SK_SEQ_GT(p->seq, f->rcv_nxt))) {
		flow_free(e, f);
		SK_STAT_INC(&e->st, flow_tw_reuse);
		return syn_cookie(e, m, p);
	}

	/* RFC 7323 5.3 R1 (PAWS): an older timestamp is a stale duplicate. */
	if ((f->flags & SK_FF_TS) && p->has_ts && !(fl & F_RST) &&
			SK_SEQ_LT(p->tsval, f->ts_recent)) {
		SK_STAT_INC(&e->st, drop_paws);
		return send_ack(e, m, p, f);
	}

	/* RFC 5961 4.2: a SYN on a synchronized connection, whatever its
	 * sequence number, gets a challenge ACK. */
	if (fl & F_SYN)
		return challenge_ack(e, m, p, f);

	/* First: sequence number. */
	if (!seq_acceptable(f, p->seq, seg_len)) {
		if (fl & F_RST) {
			/* RFC 5961 3.2: out of window, drop silently */
			SK_STAT_INC(&e->st, drop_rst_oow);
			return drop(e, m);
		}
		/* A retransmitted FIN restarts the 2 MSL wait (3.10.7.4). */
		if (f->state == SK_ST_TIME_WAIT && (fl & F_FIN))
			arm(e, f, e->cfg.time_wait_ms);
		SK_STAT_INC(&e->st, tx_oow_ack);
		return send_ack(e, m, p, f);
	}

	/* Second: RST. RFC 5961 3.2: only an exact match resets. */
	if (fl & F_RST) {
		SK_STAT_INC(&e->st, rx_rst);
		if (p->seq == f->rcv_nxt) {
			SK_STAT_INC(&e->st, close_rst);
			if ((f->flags & SK_FF_CLACTIVE) &&
					!(f->match & SK_CLM_OK))
				sk_client_release(e, f, SK_CL_RST);
			flow_free(e, f);
			return drop(e, m);
		}
		return challenge_ack(e, m, p, f);
	}

	/* Fifth: ACK. */
	if (!(fl & F_ACK)) {
		SK_STAT_INC(&e->st, drop_no_ack);
		return drop(e, m);
	}
	/* RFC 5961 5.2: acceptable ACKs lie in
	 * [SND.UNA - MAX.SND.WND, SND.NXT]; the peer's current window stands
	 * in for its largest. */
	if (SK_SEQ_GT(p->ack, f->snd_nxt) ||
			SK_SEQ_LT(p->ack, f->snd_una -
				RTE_MAX((uint32_t)f->snd_wnd << f->snd_wscale,
					1u))) {
		SK_STAT_INC(&e->st, drop_old_ack);
		return challenge_ack(e, m, p, f);
	}
	if (SK_SEQ_GT(p->ack, f->snd_una)) {
		f->snd_una = p->ack;
		f->retries = 0;
	}
	f->snd_wnd = rte_be_to_cpu_16(p->tcp->rx_win);
	/* RFC 7323 4.3: TS.Recent follows the segment that fills the left
	 * edge of the window. */
	if ((f->flags & SK_FF_TS) && p->has_ts &&
			SK_SEQ_LEQ(p->seq, f->rcv_nxt))
		f->ts_recent = p->tsval;
	/* RFC 3168 6.1.3: echo CE with ECE until the sender says CWR. */
	if (f->flags & SK_FF_ECN) {
		if (fl & F_CWR)
			f->flags &= ~SK_FF_ECE;
		if (p->ce)
			f->flags |= SK_FF_ECE;
	}

	fin_acked = f->snd_una == f->snd_nxt;
	switch (f->state) {
	case SK_ST_FIN_WAIT_1:
		if (fin_acked) {
			set_state(e, f, SK_ST_FIN_WAIT_2);
			arm(e, f, e->cfg.fin_wait2_ms);
		}
		break;
	case SK_ST_CLOSING:
		if (fin_acked) {
			set_state(e, f, SK_ST_TIME_WAIT);
			arm(e, f, e->cfg.time_wait_ms);
		}
		break;
	case SK_ST_LAST_ACK:
		if (fin_acked) {
			SK_STAT_INC(&e->st, close_normal);
			flow_free(e, f);
			return drop(e, m);
		}
		break;
	default:
		break;
	}

	/* Seventh: segment text. */
	if (p->plen != 0) {
		uint32_t off = f->rcv_nxt - p->seq; /* bytes we already have */
		uint16_t n;

		if (SK_SEQ_GT(p->seq, f->rcv_nxt)) {
			/* A hole before it: nothing is queued, ask again. */
			SK_STAT_INC(&e->st, tx_dup_ack);
			return send_ack(e, m, p, f);
		}
		if (f->state == SK_ST_ESTABLISHED &&
				(f->flags & SK_FF_CLIENT)) {
			n = (uint16_t)(p->plen - off);
			f->rcv_nxt += n;
			SK_STAT_ADD(&e->st, rx_payload_bytes, n);
			need_ack = true;
			switch (client_data(e, f, p->payload + off, n)) {
			case CLD_MORE:
				break;
			case CLD_FIN:
				out.fin = true;
				break;
			case CLD_RST:
				return client_abort(e, m, p, f, SK_CL_DONE);
			default:
				return client_abort(e, m, p, f,
						SK_CL_RESPONSE);
			}
		} else switch (f->state) {
		case SK_ST_ESTABLISHED:
			n = (uint16_t)(p->plen - off);
			/* Echo sends back what it takes: never more than the
			 * peer's MSS; the rest is not ACKed and comes again. */
			if (f->app == SK_APP_ECHO)
				n = RTE_MIN(n, sk_cookie_mss_value(f->mss_idx));
			f->rcv_nxt += n;
			SK_STAT_ADD(&e->st, rx_payload_bytes, n);
			app_input(f, p->payload + off, n, &out);
			in_place = p->payload + off;
			need_ack = true;
			if (e->cfg.idle_ms && !(f->flags & SK_FF_CLIENT))
				arm(e, f, e->cfg.idle_ms);
			break;
		case SK_ST_FIN_WAIT_1:
		case SK_ST_FIN_WAIT_2:
			/* We closed: new data has no reader. RFC 1122
			 * 4.2.2.13 and RFC 9293 3.6: reset. */
			if (off < p->plen) {
				struct sk_seg s = {
					.seq = f->snd_nxt, .ack = f->rcv_nxt,
					.flags = F_RST | F_ACK,
				};
				SK_STAT_INC(&e->st, drop_state);
				SK_STAT_INC(&e->st, tx_rst);
				flow_free(e, f);
				reply(e, m, p, &s, NULL, 0, NULL);
				return true;
			}
			break;
		default:
			/* After the peer's FIN: ignore the text (3.10.7.4). */
			SK_STAT_INC(&e->st, drop_state);
			return drop(e, m);
		}
	}

	/* Eighth: FIN, when it is the next byte we expect. */
	if (fl & F_FIN) {
		need_ack = true;
		if (p->seq + p->plen == f->rcv_nxt) {
			f->rcv_nxt++;
			SK_STAT_INC(&e->st, rx_fin);
			switch (f->state) {
			case SK_ST_ESTABLISHED:
				if ((f->flags & SK_FF_CLIENT) &&
						client_peer_fin(e, f))
					return client_abort(e, m, p, f,
							SK_CL_DONE);
				/* Every responder closes when the peer does:
				 * CLOSE_WAIT, then our FIN below. hello
				 * answers first, as the seeds' server does:
				 * its readLine() returns at end of stream. */
				set_state(e, f, SK_ST_CLOSE_WAIT);
				out.fin = true;
				if (f->app == SK_APP_HELLO && out.len == 0) {
					out.data = (const uint8_t *)hello_reply;
					out.len = sizeof(hello_reply) - 1;
				}
				break;
			case SK_ST_FIN_WAIT_1:
				set_state(e, f, SK_ST_CLOSING);
				break;
			case SK_ST_FIN_WAIT_2:
				set_state(e, f, SK_ST_TIME_WAIT);
				arm(e, f, e->cfg.time_wait_ms);
				break;
			default:
				break;
			}
		}
	}

	if (out.len != 0 || out.fin) {
		struct sk_seg s = {
			.seq = f->snd_nxt, .ack = f->rcv_nxt, .flags = F_ACK,
			.len = out.len, .data = out.data,
		};
		uint8_t o[12];
		unsigned int olen = 0;

		if (out.len) {
			s.flags |= F_PSH;
			SK_STAT_INC(&e->st, tx_data);
		}
		if (out.fin) {
			s.flags |= F_FIN;
			SK_STAT_INC(&e->st, tx_fin);
			set_state(e, f, f->state == SK_ST_CLOSE_WAIT ?
					SK_ST_LAST_ACK : SK_ST_FIN_WAIT_1);
			f->retries = 0;
			arm(e, f, e->cfg.rto_ms);
		}
		if (f->flags & SK_FF_ECE)
			s.flags |= F_ECE;
		f->snd_nxt += out.len + out.fin;
		if (f->flags & SK_FF_TS)
			olen = opt_ts(o, our_tsval(e, f), f->ts_recent);
		reply(e, m, p, &s, o, olen, in_place);
		return true;
	}
	if (need_ack)
		return send_ack(e, m, p, f);
	return drop(e, m);
}

bool
sk_tcp_input(struct sk_engine *e, struct rte_mbuf *m, struct sk_pkt *p,
		struct sk_flow *f, const struct sk_flow_key *key, uint32_t hash)
{
	const uint8_t fl = p->flags;

	if (f != NULL) {
		if (unlikely(f->state == SK_ST_SYN_SENT))
			return client_syn_sent(e, m, p, f);
		return flow_input(e, m, p, f);
	}

	/* No connection. RST: never answered (3.10.7.1). */
	if (fl & F_RST) {
		SK_STAT_INC(&e->st, rx_rst);
		SK_STAT_INC(&e->st, drop_no_flow);
		return drop(e, m);
	}
	if (e->app[rte_be_to_cpu_16(p->tcp->dst_port)] == SK_APP_NONE) {
		/* CLOSED: nobody listens here. */
		SK_STAT_INC(&e->st, tx_rst_closed_port);
		return send_rst(e, m, p);
	}
	/* LISTEN (3.10.7.2): an ACK-bearing segment is the cookie's test. */
	if (fl & F_ACK) {
		if (fl & F_SYN) {
			/* A SYN-ACK to a server port: reset, as for any
			 * unacceptable ACK in LISTEN. */
			SK_STAT_INC(&e->st, cookie_bad_mac);
			SK_STAT_INC(&e->st, tx_rst_bad_cookie);
			return send_rst(e, m, p);
		}
		return cookie_ack(e, m, p, key, hash);
	}
	if (fl & F_SYN)
		return syn_cookie(e, m, p);
	/* A FIN without ACK and nothing else: no connection to apply it to. */
	SK_STAT_INC(&e->st, drop_no_flow);
	return drop(e, m);
}

/* Build a segment the timer sends, in a fresh mbuf, addressed through the
 * neighbour cache. */
static struct rte_mbuf *
timer_seg(struct sk_engine *e, const struct sk_flow *f,
		const struct sk_seg *s, const uint8_t *opts, unsigned int olen)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(e->par.pool);
	const struct sk_neigh *n;
	struct rte_ether_hdr *eh;
	uint16_t l2 = sizeof(*eh);
	struct sk_addrs a = {
		.src = f->key.laddr, .dst = f->key.raddr,
		.sport = f->key.lport, .dport = f->key.rport,
	};

	if (m == NULL) {
		SK_STAT_INC(&e->st, drop_mbuf);
		return NULL;
	}
	n = &e->neigh[rte_be_to_cpu_32(f->key.raddr) & (SK_NEIGH_N - 1)];
	if (n->ip != f->key.raddr)
		n = &e->last_peer;
	eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	eh->dst_addr = n->mac;
	eh->src_addr = e->pc.mac;
	if (n->vlan) {
		struct rte_vlan_hdr *vh = (struct rte_vlan_hdr *)(eh + 1);

		eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_VLAN);
		vh->vlan_tci = n->vlan;
		vh->eth_proto = RTE_BE16(RTE_ETHER_TYPE_IPV4);
		l2 += sizeof(*vh);
	} else {
		eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	}
	tcp_emit(e, m, l2, &a, s, opts, olen, NULL);
	return m;
}

bool
sk_tcp_timer(struct sk_engine *e, struct sk_flow *f, struct rte_mbuf **out)
{
	struct sk_seg s = { .seq = f->snd_nxt, .ack = f->rcv_nxt };
	uint8_t o[12];
	unsigned int olen = 0;

	if (unlikely(f->flags & SK_FF_CLIENT) && (f->state ==
			SK_ST_SYN_SENT || f->state == SK_ST_ESTABLISHED ||
			f->state == SK_ST_CLOSE_WAIT))
		return client_timer(e, f, out);
	switch (f->state) {
	case SK_ST_FIN_WAIT_1:
	case SK_ST_CLOSING:
	case SK_ST_LAST_ACK: {
		/* Our FIN (and the reply before it) is not acknowledged:
		 * retransmit from SND.UNA with exponential backoff. */
		uint16_t rlen;
		const char *r = app_reply(f->app, &rlen);
		uint32_t off = f->snd_una - (f->iss + 1);
		/* what went out before the FIN: the reply, or nothing when
		 * the peer closed before asking */
		uint32_t sent = f->snd_nxt - 1 - (f->iss + 1);
		uint32_t rto;

		if (f->retries >= e->cfg.fin_retries) {
			SK_STAT_INC(&e->st, close_fin_timeout);
			/* a client connection that could not close as asked
			 * has not completed */
			if (unlikely(f->flags & SK_FF_CLACTIVE))
				sk_client_release(e, f, SK_CL_TIMEOUT);
			flow_free(e, f);
			return false;
		}
		f->retries++;
		rto = e->cfg.rto_ms << RTE_MIN(f->retries, 20u);
		arm(e, f, RTE_MIN(rto, e->cfg.rto_max_ms));
		s.flags = F_ACK | F_FIN;
		if (r != NULL && sent == rlen && off < rlen) {
			s.seq = f->snd_una;
			s.data = (const uint8_t *)r + off;
			s.len = (uint16_t)(rlen - off);
			s.flags |= F_PSH;
		} else {
			/* echo and hold keep no bytes: the FIN alone */
			s.seq = f->snd_nxt - 1;
		}
		if (f->flags & SK_FF_TS)
			olen = opt_ts(o, our_tsval(e, f), f->ts_recent);
		*out = timer_seg(e, f, &s, o, olen);
		if (*out == NULL)
			return false;
		SK_STAT_INC(&e->st, tx_fin_retx);
		return true;
	}
	case SK_ST_FIN_WAIT_2:
		SK_STAT_INC(&e->st, close_fin_wait2);
		if (unlikely(f->flags & SK_FF_CLACTIVE))
			sk_client_release(e, f, SK_CL_TIMEOUT);
		flow_free(e, f);
		return false;
	case SK_ST_TIME_WAIT:
		SK_STAT_INC(&e->st, close_normal);
		flow_free(e, f);
		return false;
	case SK_ST_ESTABLISHED:
	case SK_ST_CLOSE_WAIT:
		/* Idle too long: abort with a reset (RFC 9293 3.10.5). */
		s.flags = F_RST | F_ACK;
		*out = timer_seg(e, f, &s, NULL, 0);
		SK_STAT_INC(&e->st, close_idle);
		flow_free(e, f);
		if (*out == NULL)
			return false;
		SK_STAT_INC(&e->st, tx_rst);
		SK_STAT_INC(&e->st, tx_rst_idle);
		return true;
	default:
		return false;
	}
}

/* --- client role: the active opener ------------------------------------- */

static uint32_t
backoff(uint32_t rto, unsigned int n, uint32_t max)
{
	uint64_t v = (uint64_t)rto << RTE_MIN(n, 20u);

	return (uint32_t)RTE_MIN(v, (uint64_t)max);
}

struct rte_mbuf *
sk_tcp_client_syn(struct sk_engine *e, struct sk_flow *f)
{
	struct sk_seg s = { .seq = f->iss, .flags = F_SYN };
	uint8_t o[20];

	/* MSS, SACK-permitted, timestamps, NOP, window scale 0: 20 bytes */
	o[0] = SK_OPT_MSS;
	o[1] = 4;
	o[2] = (uint8_t)(e->cfg.mss >> 8);
	o[3] = (uint8_t)e->cfg.mss;
	o[4] = SK_OPT_SACK_PERM;
	o[5] = 2;
	o[6] = SK_OPT_TS;
	o[7] = 10;
	put32(o + 8, our_tsval(e, f));
	put32(o + 12, 0);
	o[16] = SK_OPT_NOP;
	o[17] = SK_OPT_WS;
	o[18] = 3;
	o[19] = 0; /* our window fits 16 bits */
	return timer_seg(e, f, &s, o, sizeof(o));
}

/* Abort a client connection with <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>
 * in @p m, count why, free the flow. */
static bool
client_abort(struct sk_engine *e, struct rte_mbuf *m, const struct sk_pkt *p,
		struct sk_flow *f, enum sk_cl_end why)
{
	struct sk_seg s = {
		.seq = f->snd_nxt, .ack = f->rcv_nxt, .flags = F_RST | F_ACK,
	};

	if (why != SK_CL_DONE && (f->flags & SK_FF_CLACTIVE))
		sk_client_release(e, f, why);
	flow_free(e, f);
	reply(e, m, p, &s, NULL, 0, NULL);
	SK_STAT_INC(&e->st, tx_rst);
	return true;
}

/* The response is complete: what the close mode asks for next. */
static enum cl_data
client_complete(struct sk_engine *e, struct sk_flow *f)
{
	f->match |= SK_CLM_OK;
	switch (e->cl->cc.close) {
	case SK_CLOSE_CLIENT:
		return CLD_FIN;
	case SK_CLOSE_RST:
		return CLD_RST;
	default:
		return CLD_MORE;
	}
}

/* @p n new in-order response bytes at @p d (RCV.NXT already past them). */
static enum cl_data
client_data(struct sk_engine *e, struct sk_flow *f, const uint8_t *d,
		uint16_t n)
{
	const struct sk_client_cfg *cc = &e->cl->cc;
	uint32_t got = f->rcv_nxt - n - (f->irs + 1); /* bytes before */

	if (f->match & SK_CLM_OK)
		return cc->exp_len ? CLD_BAD : CLD_MORE;
	if (cc->exp_len == 0)
		/* unchecked: the first bytes are the response, unless the
		 * server's FIN is to end it */
		return cc->close == SK_CLOSE_SERVER ? CLD_MORE :
			client_complete(e, f);
	if (got + n > cc->exp_len || memcmp(d, cc->exp + got, n) != 0)
		return CLD_BAD;
	if (got + n == cc->exp_len)
		return client_complete(e, f);
	return CLD_MORE;
}

/* The server's FIN in ESTABLISHED: true when the connection is to be
 * reset now (close mode rst), else it goes on to CLOSE_WAIT and our FIN. */
static bool
client_peer_fin(struct sk_engine *e, struct sk_flow *f)
{
	if (!(f->match & SK_CLM_OK) && e->cl->cc.exp_len == 0)
		client_complete(e, f);
	return (f->match & SK_CLM_OK) && e->cl->cc.close == SK_CLOSE_RST;
}

/* SYN_SENT, RFC 9293 3.10.7.3. */
static bool
client_syn_sent(struct sk_engine *e, struct rte_mbuf *m, struct sk_pkt *p,
		struct sk_flow *f)
{
	const struct sk_client_cfg *cc = &e->cl->cc;
	const uint8_t fl = p->flags;
	struct sk_seg s;
	uint8_t o[12];
	unsigned int olen = 0;
	uint32_t lat;

	/* First: the ACK bit. SEG.ACK =< ISS or > SND.NXT: not for this
	 * connection; reset it (unless it is a reset) and stay. */
	if ((fl & F_ACK) && (SK_SEQ_LEQ(p->ack, f->iss) ||
			SK_SEQ_GT(p->ack, f->snd_nxt))) {
		if (fl & F_RST) {
			SK_STAT_INC(&e->st, drop_rst_oow);
			return drop(e, m);
		}
		SK_STAT_INC(&e->st, client_rx_bad_synack);
		f->match |= SK_CLM_BAD;
		return send_rst(e, m, p);
	}
	/* Second: RST. With an acceptable ACK the server refused. */
	if (fl & F_RST) {
		SK_STAT_INC(&e->st, rx_rst);
		if (!(fl & F_ACK)) {
			SK_STAT_INC(&e->st, drop_rst_oow);
			return drop(e, m);
		}
		SK_STAT_INC(&e->st, close_rst);
		sk_client_release(e, f, SK_CL_RST);
		flow_free(e, f);
		return drop(e, m);
	}
	/* Fourth: SYN. A SYN without ACK (simultaneous open) is not
	 * supported: dropped, the SYN timer goes on. */
	if ((fl & (F_SYN | F_ACK)) != (F_SYN | F_ACK)) {
		SK_STAT_INC(&e->st, drop_state);
		return drop(e, m);
	}

	lat = sk_client_now_us(e) - f->ts_recent;
	sk_client_established(e, f, lat);
	f->irs = p->seq;
	f->rcv_nxt = p->seq + 1;
	f->snd_una = p->ack;
	f->snd_wnd = rte_be_to_cpu_16(p->tcp->rx_win);
	f->mss_idx = sk_cookie_mss_index(p->mss ? p->mss : SK_MSS_DEFAULT);
	f->ts_recent = 0;
	if (p->has_ts) {
		f->flags |= SK_FF_TS;
		f->ts_recent = p->tsval;
	}
	if (p->has_ws) {
		f->flags |= SK_FF_WSCALE;
		f->snd_wscale = RTE_MIN(p->wscale, SK_WSCALE_MAX);
	}
	if (p->sack_ok)
		f->flags |= SK_FF_SACK;
	f->retries = 0;
	f->born = e->now_ms;
	set_state(e, f, SK_ST_ESTABLISHED);
	SK_STAT_INC(&e->st, client_established);

	/* The ACK of the handshake carries the request. */
	s = (struct sk_seg){
		.seq = f->snd_nxt, .ack = f->rcv_nxt, .flags = F_ACK,
		.len = cc->req_len, .data = cc->req,
	};
	if (cc->req_len == 0 && cc->exp_len == 0 &&
			cc->close != SK_CLOSE_SERVER) {
		/* nothing to send or read: close at once */
		if (client_complete(e, f) == CLD_RST)
			return client_abort(e, m, p, f, SK_CL_DONE);
		s.flags |= F_FIN;
		SK_STAT_INC(&e->st, tx_fin);
		set_state(e, f, SK_ST_FIN_WAIT_1);
		arm(e, f, e->cfg.rto_ms);
	} else if (cc->req_len != 0) {
		s.flags |= F_PSH;
		SK_STAT_INC(&e->st, tx_data);
		arm(e, f, e->cfg.rto_ms);
	} else {
		SK_STAT_INC(&e->st, tx_ack);
		arm(e, f, e->cfg.client_timeout_ms);
	}
	f->snd_nxt += cc->req_len + !!(s.flags & F_FIN);
	if (f->flags & SK_FF_TS)
		olen = opt_ts(o, our_tsval(e, f), f->ts_recent);
	reply(e, m, p, &s, o, olen, NULL);
	return true;
}

/* A client flow's timer: SYN retransmission (RFC 6298 backoff), request
 * retransmission, response timeout. */
static bool
client_timer(struct sk_engine *e, struct sk_flow *f, struct rte_mbuf **out)
{
	const struct sk_client_cfg *cc = &e->cl->cc;
	struct sk_seg s = { .seq = f->snd_nxt, .ack = f->rcv_nxt };
	uint8_t o[12];
	unsigned int olen = 0;
	uint32_t elapsed;

	if (f->state == SK_ST_SYN_SENT) {
		if (f->retries >= e->cfg.client_syn_retries) {
			sk_client_release(e, f, SK_CL_TIMEOUT);
			flow_free(e, f);
			return false;
		}
		f->retries++;
		arm(e, f, backoff(e->cfg.client_syn_rto_ms, f->retries,
			RTE_MAX(e->cfg.rto_max_ms, e->cfg.client_syn_rto_ms)));
		*out = sk_tcp_client_syn(e, f);
		if (*out == NULL)
			return false;
		SK_STAT_INC(&e->st, client_syn_retx);
		sk_client_syn_retx(e, f);
		return true;
	}
	if (f->flags & SK_FF_TS)
		olen = opt_ts(o, our_tsval(e, f), f->ts_recent);
	elapsed = e->now_ms - f->born;
	if (f->snd_una != f->snd_nxt && f->retries < e->cfg.fin_retries &&
			elapsed < e->cfg.client_timeout_ms) {
		/* the request is not acknowledged: send it again */
		uint32_t off = f->snd_una - (f->iss + 1);

		f->retries++;
		arm(e, f, backoff(e->cfg.rto_ms, f->retries,
				e->cfg.rto_max_ms));
		if (off >= cc->req_len)
			return false;
		s.seq = f->snd_una;
		s.flags = F_ACK | F_PSH;
		s.data = cc->req + off;
		s.len = (uint16_t)(cc->req_len - off);
		*out = timer_seg(e, f, &s, o, olen);
		if (*out == NULL)
			return false;
		SK_STAT_INC(&e->st, tx_data);
		return true;
	}
	if (f->snd_una == f->snd_nxt && elapsed < e->cfg.client_timeout_ms) {
		arm(e, f, e->cfg.client_timeout_ms - elapsed);
		return false;
	}
	/* no answer in time: abort */
	s.flags = F_RST | F_ACK;
	*out = timer_seg(e, f, &s, NULL, 0);
	sk_client_release(e, f, SK_CL_TIMEOUT);
	flow_free(e, f);
	if (*out == NULL)
		return false;
	SK_STAT_INC(&e->st, tx_rst);
	return true;
}

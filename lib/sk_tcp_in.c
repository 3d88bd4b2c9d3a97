/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A segment's arrival, RFC 9293 3.10.7 step by step, with RFC 5961 for
 * RST, SYN and ACK checks and RFC 7323 for timestamps. LISTEN and
 * SYN-RECEIVED hold no state: the SYN-ACK's ISN is a cookie and the ACK
 * that completes the handshake creates the flow (sk_cookie.c). What the
 * state becomes is the table's (sk_tcp_fsm.c); what a connection says is
 * its role's (sk_app.c, sk_client_tcp.c).
 *
 * Every function returns true when the received mbuf now holds the
 * answer, false when it gets none (the burst frees it).
 */

#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>

#include "sk_tcp.h"

/* Reset the connection: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>. */
static bool
abort_flow(struct sk_engine *e, struct rte_mbuf *m, const struct sk_pkt *p,
		struct sk_flow *f)
{
	sk_tcp_send_abort(e, m, p, f);
	sk_tcp_flow_free(e, f);
	return true;
}

/* LISTEN, ACK: the third segment of the handshake (RFC 4987 3.6). */
static bool
cookie_ack(struct sk_engine *e, struct rte_mbuf **mp, struct sk_pkt *p,
		const struct sk_flow_key *key, uint32_t hash,
		const struct sk_ack_ck *ck, bool *synack)
{
	struct rte_mbuf *m = *mp;
	enum sk_cookie_result res;
	unsigned int mss_idx, tsopt;
	uint32_t ts_off;
	struct sk_flow *f;

	if (ck != NULL && ck->valid) {
		res = (enum sk_cookie_result)ck->res;
		mss_idx = ck->mss_idx;
		ts_off = ck->ts_off;
	} else {
		struct sk_cookie_tuple t;

		sk_tcp_cookie_tuple(e, p, &t);
		res = sk_cookie_check(&e->ck, &t, p->seq - 1, p->ack - 1,
				e->now_s, &mss_idx, &ts_off);
	}
	switch (res) {
	case SK_COOKIE_OK:
		break;
	case SK_COOKIE_TOO_OLD:
		SK_STAT_INC(&e->st, cookie_too_old);
		SK_STAT_INC(&e->st, tx_rst_bad_cookie);
		return sk_tcp_send_rst(e, m, p);
	default:
		SK_STAT_INC(&e->st, cookie_bad_mac);
		SK_STAT_INC(&e->st, tx_rst_bad_cookie);
		return sk_tcp_send_rst(e, m, p);
	}
	SK_STAT_INC(&e->st, cookie_ok);
	/* Options remembered in the TSval we sent, now echoed in TSecr. */
	tsopt = p->has_ts ? sk_cookie_ts_decode(p->tsecr) :
		SK_TSOPT_WSCALE_NONE;
	if (unlikely(e->px != NULL) &&
			e->app[sk_ntohs(p->tcp->dst_port)] == SK_APP_PROXY)
		return sk_proxy_open(e, mp, p, key, hash, mss_idx, tsopt);
	f = sk_flow_insert(e->ft, key, hash);
	if (f == NULL) {
		/* Full: refuse cleanly; the table never grows. */
		SK_STAT_INC(&e->st, tx_rst_table_full);
		return sk_tcp_send_rst(e, m, p);
	}
	f->state = SK_ST_ESTABLISHED;
	SK_STAT_INC(&e->st, flows[SK_ST_ESTABLISHED]);
	f->app = e->app[sk_ntohs(p->tcp->dst_port)];
	f->iss = p->ack - 1;
	f->snd_una = f->snd_nxt = p->ack;
	f->irs = p->seq - 1;
	f->rcv_nxt = p->seq;
	f->ts_off = ts_off;
	f->mss_idx = mss_idx;
	f->snd_wnd = sk_ntohs(p->tcp->rx_win);
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
	sk_tcp_learn_neigh(e, m, p, key->raddr);
	if (e->cfg.idle_ms)
		sk_tcp_arm(e, f, e->cfg.idle_ms);
	/* A bare ACK is consumed: its sequence number is RCV.NXT and its
	 * acknowledgment SND.NXT by the cookie's check, so every step of
	 * 3.10.7.4 passes and none has anything to do, but for an ECN CE
	 * mark to echo. One that carries data or a FIN goes on as
	 * ESTABLISHED. */
	if (p->plen == 0 && !(p->flags & SK_TH_FIN) &&
			!(p->ce && (f->flags & SK_FF_ECN)))
		return false;
	return sk_tcp_input_flow(e, m, p, f, synack);
}

bool
sk_tcp_input_listen(struct sk_engine *e, struct rte_mbuf **mp,
		struct sk_pkt *p, const struct sk_flow_key *key, uint32_t hash,
		const struct sk_ack_ck *ck, bool listening, bool *synack)
{
	struct rte_mbuf *m = *mp;
	const uint8_t fl = p->flags;

	/* No connection. RST: never answered (3.10.7.1). */
	if (fl & SK_TH_RST) {
		SK_STAT_INC(&e->st, rx_rst);
		SK_STAT_INC(&e->st, drop_no_flow);
		return false;
	}
	if (!listening) {
		/* CLOSED: nobody listens here. */
		SK_STAT_INC(&e->st, tx_rst_closed_port);
		return sk_tcp_send_rst(e, m, p);
	}
	/* LISTEN (3.10.7.2): an ACK-bearing segment is the cookie's test. */
	if (fl & SK_TH_ACK) {
		if (fl & SK_TH_SYN) {
			/* A SYN-ACK to a server port: reset, as for any
			 * unacceptable ACK in LISTEN. */
			SK_STAT_INC(&e->st, cookie_bad_mac);
			SK_STAT_INC(&e->st, tx_rst_bad_cookie);
			return sk_tcp_send_rst(e, m, p);
		}
		return cookie_ack(e, mp, p, key, hash, ck, synack);
	}
	/* A SYN: answered with a cookie and no state (RFC 4987 3.6), by the
	 * burst's SYN-ACK stage. */
	if (fl & SK_TH_SYN) {
		*synack = true;
		return false;
	}
	/* A FIN without ACK and nothing else: no connection to apply it to. */
	SK_STAT_INC(&e->st, drop_no_flow);
	return false;
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

/* RFC 9293 3.6.1 with RFC 6191 2: may a new SYN reopen TIME_WAIT? When
 * both incarnations use timestamps the timestamp decides (a greater one,
 * or an equal one with a greater sequence); otherwise the sequence must be
 * above the old connection's. */
static inline bool
tw_reopens(const struct sk_flow *f, const struct sk_pkt *p)
{
	if (f->state != SK_ST_TIME_WAIT ||
			(p->flags & (SK_TH_SYN | SK_TH_ACK)) != SK_TH_SYN)
		return false;
	if ((f->flags & SK_FF_TS) && p->has_ts)
		return SK_SEQ_GT(p->tsval, f->ts_recent) ||
			(p->tsval == f->ts_recent &&
			 SK_SEQ_GT(p->seq, f->rcv_nxt));
	return SK_SEQ_GT(p->seq, f->rcv_nxt);
}

bool
sk_tcp_input_flow(struct sk_engine *e, struct rte_mbuf *m, struct sk_pkt *p,
		struct sk_flow *f, bool *synack)
{
	const uint8_t fl = p->flags;
	const struct sk_role *role;
	uint32_t seg_len;
	struct sk_out out = { 0 };
	const uint8_t *in_place = NULL;
	bool need_ack = false;

	if (unlikely(f->state == SK_ST_SYN_SENT))
		return sk_client_syn_sent(e, m, p, f);
	if (unlikely(tw_reopens(f, p))) {
		sk_tcp_flow_free(e, f);
		SK_STAT_INC(&e->st, flow_tw_reuse);
		*synack = true;
		return false;
	}

	/* RFC 7323 5.3 R1 (PAWS): an older timestamp is a stale duplicate. */
	if ((f->flags & SK_FF_TS) && p->has_ts && !(fl & SK_TH_RST) &&
			SK_SEQ_LT(p->tsval, f->ts_recent)) {
		SK_STAT_INC(&e->st, drop_paws);
		return sk_tcp_send_ack(e, m, p, f);
	}

	/* RFC 5961 4.2: a SYN on a synchronized connection, whatever its
	 * sequence number, gets a challenge ACK. */
	if (fl & SK_TH_SYN)
		return sk_tcp_challenge_ack(e, m, p, f);

	/* First: sequence number. */
	seg_len = p->plen + !!(fl & SK_TH_FIN);
	if (!seq_acceptable(f, p->seq, seg_len)) {
		if (fl & SK_TH_RST) {
			/* RFC 5961 3.2: out of window, drop silently */
			SK_STAT_INC(&e->st, drop_rst_oow);
			return false;
		}
		/* A retransmitted FIN restarts the 2 MSL wait (3.10.7.4). */
		if (f->state == SK_ST_TIME_WAIT && (fl & SK_TH_FIN))
			sk_tcp_event(e, f, SK_EV_PEER_FIN);
		SK_STAT_INC(&e->st, tx_oow_ack);
		return sk_tcp_send_ack(e, m, p, f);
	}

	role = sk_tcp_role(f);
	/* Second: RST. RFC 5961 3.2: only an exact match resets. */
	if (fl & SK_TH_RST) {
		SK_STAT_INC(&e->st, rx_rst);
		if (p->seq == f->rcv_nxt) {
			SK_STAT_INC(&e->st, close_rst);
			role->reset(e, f);
			sk_tcp_flow_free(e, f);
			return false;
		}
		return sk_tcp_challenge_ack(e, m, p, f);
	}

	/* Fifth: ACK. */
	if (!(fl & SK_TH_ACK)) {
		SK_STAT_INC(&e->st, drop_no_ack);
		return false;
	}
	/* RFC 5961 5.2: acceptable ACKs lie in
	 * [SND.UNA - MAX.SND.WND, SND.NXT]; the peer's current window stands
	 * in for its largest. */
	if (SK_SEQ_GT(p->ack, f->snd_nxt) ||
			SK_SEQ_LT(p->ack, f->snd_una -
				RTE_MAX((uint32_t)f->snd_wnd << f->snd_wscale,
					1u))) {
		SK_STAT_INC(&e->st, drop_old_ack);
		return sk_tcp_challenge_ack(e, m, p, f);
	}
	if (SK_SEQ_GT(p->ack, f->snd_una)) {
		f->snd_una = p->ack;
		f->retries = 0;
	}
	f->snd_wnd = sk_ntohs(p->tcp->rx_win);
	/* RFC 7323 4.3: TS.Recent follows the segment that fills the left
	 * edge of the window. */
	if ((f->flags & SK_FF_TS) && p->has_ts &&
			SK_SEQ_LEQ(p->seq, f->rcv_nxt))
		f->ts_recent = p->tsval;
	/* RFC 3168 6.1.3: echo CE with ECE until the sender says CWR. */
	if (f->flags & SK_FF_ECN) {
		if (fl & SK_TH_CWR)
			f->flags &= ~SK_FF_ECE;
		if (p->ce)
			f->flags |= SK_FF_ECE;
	}
	if (f->snd_una == f->snd_nxt &&
			sk_tcp_event(e, f, SK_EV_FIN_ACKED) == SK_ACT_CLOSED) {
		SK_STAT_INC(&e->st, close_normal);
		sk_tcp_flow_free(e, f);
		return false;
	}

	/* Seventh: segment text. */
	if (p->plen != 0) {
		uint32_t off = f->rcv_nxt - p->seq; /* bytes we already have */
		uint16_t n;

		if (SK_SEQ_GT(p->seq, f->rcv_nxt)) {
			/* A hole before it: nothing is queued, ask again. */
			SK_STAT_INC(&e->st, tx_dup_ack);
			return sk_tcp_send_ack(e, m, p, f);
		}
		switch (f->state) {
		case SK_ST_ESTABLISHED:
			in_place = p->payload + off;
			n = role->data(e, f, in_place,
					(uint16_t)(p->plen - off), &out);
			f->rcv_nxt += n;
			SK_STAT_ADD(&e->st, rx_payload_bytes, n);
			if (out.abort)
				return abort_flow(e, m, p, f);
			need_ack = true;
			break;
		case SK_ST_FIN_WAIT_1:
		case SK_ST_FIN_WAIT_2:
			/* We closed: new data has no reader. RFC 1122
			 * 4.2.2.13 and RFC 9293 3.6: reset. */
			if (off < p->plen) {
				SK_STAT_INC(&e->st, drop_state);
				return abort_flow(e, m, p, f);
			}
			break;
		default:
			/* After the peer's FIN: ignore the text (3.10.7.4). */
			SK_STAT_INC(&e->st, drop_state);
			return false;
		}
	}

	/* Eighth: FIN, when it is the next byte we expect. */
	if (fl & SK_TH_FIN) {
		need_ack = true;
		if (p->seq + p->plen == f->rcv_nxt) {
			f->rcv_nxt++;
			SK_STAT_INC(&e->st, rx_fin);
			if (f->state == SK_ST_ESTABLISHED) {
				role->peer_fin(e, f, &out);
				if (out.abort)
					return abort_flow(e, m, p, f);
			}
			sk_tcp_event(e, f, SK_EV_PEER_FIN);
		}
	}

	if (out.len != 0 || out.fin) {
		if (out.fin)
			sk_tcp_event(e, f, SK_EV_CLOSE);
		return sk_tcp_send_data(e, m, p, f, out.data, out.len, out.fin,
				in_place);
	}
	if (need_ack)
		return sk_tcp_send_ack(e, m, p, f);
	return false;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The client role's TCP: SYN_SENT (RFC 9293 3.10.7.3), the request it
 * sends with the handshake's ACK, the response it checks, its timers
 * (RFC 6298 SYN backoff, request retransmission, response timeout) and
 * how each connection ends, for the counters (docs/client.md). Opening
 * connections at a rate and ARP are in sk_client.c. The state machine
 * reaches this file only through sk_role_client and sk_client_syn_sent().
 */

#include <string.h>

#include "sk_tcp.h"

static uint32_t
backoff(uint32_t rto, unsigned int n, uint32_t max)
{
	uint64_t v = (uint64_t)rto << RTE_MIN(n, 20u);

	return (uint32_t)RTE_MIN(v, (uint64_t)max);
}

struct rte_mbuf *
sk_tcp_client_syn(struct sk_engine *e, struct sk_flow *f)
{
	struct sk_seg s = { .seq = f->iss, .flags = SK_TH_SYN };
	uint32_t tsval = rte_cpu_to_be_32(sk_tcp_tsval(e, f));
	/* the same link MTU leaves 20 bytes less over IPv6 */
	const uint16_t mss = (uint16_t)(e->cfg.mss -
			(sk_flow_key_is_v6(&f->key) ? 20 : 0));
	uint8_t o[20];

	/* MSS, SACK-permitted, timestamps, NOP, window scale 0: 20 bytes */
	o[0] = SK_OPT_MSS;
	o[1] = 4;
	o[2] = (uint8_t)(mss >> 8);
	o[3] = (uint8_t)mss;
	o[4] = SK_OPT_SACK_PERM;
	o[5] = 2;
	o[6] = SK_OPT_TS;
	o[7] = 10;
	memcpy(o + 8, &tsval, 4);
	memset(o + 12, 0, 4);
	o[16] = SK_OPT_NOP;
	o[17] = SK_OPT_WS;
	o[18] = 3;
	o[19] = 0; /* our window fits 16 bits */
	return sk_tcp_new_seg(e, f, &s, o, sizeof(o));
}

/* The response is complete: what the close mode asks for next. */
static void
client_complete(struct sk_engine *e, struct sk_flow *f, struct sk_out *o)
{
	f->match |= SK_CLM_OK;
	switch (e->cl->cc.close) {
	case SK_CLOSE_CLIENT:
		o->fin = true;
		break;
	case SK_CLOSE_RST:
		o->abort = true;
		break;
	default:
		break;
	}
}

/* Response bytes: compared with [client] expect when set. */
static uint16_t
client_data(struct sk_engine *e, struct sk_flow *f, const uint8_t *d,
		uint16_t n, struct sk_out *o)
{
	const struct sk_client_cfg *cc = &e->cl->cc;
	uint32_t got = f->rcv_nxt - (f->irs + 1); /* bytes before these */

	if (f->match & SK_CLM_OK) {
		/* more than the expected response */
		if (cc->exp_len)
			goto bad;
		return n;
	}
	if (cc->exp_len == 0) {
		/* unchecked: the first bytes are the response, unless the
		 * server's FIN is to end it */
		if (cc->close != SK_CLOSE_SERVER)
			client_complete(e, f, o);
		return n;
	}
	if (got + n > cc->exp_len || memcmp(d, cc->exp + got, n) != 0)
		goto bad;
	if (got + n == cc->exp_len)
		client_complete(e, f, o);
	return n;
bad:
	if (f->flags & SK_FF_CLACTIVE)
		sk_client_release(e, f, SK_CL_RESPONSE);
	o->abort = true;
	return n;
}

/* The server's FIN in ESTABLISHED: reset now in close mode rst, else our
 * FIN follows (CLOSE_WAIT -> LAST_ACK). */
static void
client_peer_fin(struct sk_engine *e, struct sk_flow *f, struct sk_out *o)
{
	struct sk_out ignore = { 0 };

	if (!(f->match & SK_CLM_OK) && e->cl->cc.exp_len == 0)
		client_complete(e, f, &ignore);
	if ((f->match & SK_CLM_OK) && e->cl->cc.close == SK_CLOSE_RST)
		o->abort = true;
	else
		o->fin = true;
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
			sk_tcp_flow_free(e, f);
			return false;
		}
		f->retries++;
		sk_tcp_arm(e, f, backoff(e->cfg.client_syn_rto_ms, f->retries,
			RTE_MAX(e->cfg.rto_max_ms, e->cfg.client_syn_rto_ms)));
		*out = sk_tcp_client_syn(e, f);
		if (*out == NULL)
			return false;
		SK_STAT_INC(&e->st, client_syn_retx);
		sk_client_syn_retx(e, f);
		return true;
	}
	if (f->flags & SK_FF_TS)
		olen = sk_tcp_opt_ts(o, sk_tcp_tsval(e, f), f->ts_recent);
	elapsed = e->now_ms - f->born;
	if (f->snd_una != f->snd_nxt && f->retries < e->cfg.fin_retries &&
			elapsed < e->cfg.client_timeout_ms) {
		/* the request is not acknowledged: send it again */
		uint32_t off = f->snd_una - (f->iss + 1);

		f->retries++;
		sk_tcp_arm(e, f, backoff(e->cfg.rto_ms, f->retries,
				e->cfg.rto_max_ms));
		if (off >= cc->req_len)
			return false;
		s.seq = f->snd_una;
		s.flags = SK_TH_ACK | SK_TH_PSH;
		s.data = cc->req + off;
		s.len = (uint16_t)(cc->req_len - off);
		*out = sk_tcp_new_seg(e, f, &s, o, olen);
		if (*out == NULL)
			return false;
		SK_STAT_INC(&e->st, tx_data);
		return true;
	}
	if (f->snd_una == f->snd_nxt && elapsed < e->cfg.client_timeout_ms) {
		sk_tcp_arm(e, f, e->cfg.client_timeout_ms - elapsed);
		return false;
	}
	/* no answer in time: abort */
	s.flags = SK_TH_RST | SK_TH_ACK;
	*out = sk_tcp_new_seg(e, f, &s, NULL, 0);
	sk_client_release(e, f, SK_CL_TIMEOUT);
	sk_tcp_flow_free(e, f);
	if (*out == NULL)
		return false;
	SK_STAT_INC(&e->st, tx_rst);
	return true;
}

/* Our FIN retransmissions gave up, or FIN_WAIT_2 timed out: the
 * connection could not close as asked, so it has not completed. */
static void
client_gave_up(struct sk_engine *e, struct sk_flow *f)
{
	if (f->flags & SK_FF_CLACTIVE)
		sk_client_release(e, f, SK_CL_TIMEOUT);
}

/* An exact RST before the response was complete is a failure. */
static void
client_reset(struct sk_engine *e, struct sk_flow *f)
{
	if ((f->flags & SK_FF_CLACTIVE) && !(f->match & SK_CLM_OK))
		sk_client_release(e, f, SK_CL_RST);
}

/* The request is not kept for a FIN's retransmission: the FIN goes alone
 * (the response was complete, so the request had been acknowledged). */
static const uint8_t *
client_sent(const struct sk_engine *e, const struct sk_flow *f,
		uint16_t *len)
{
	RTE_SET_USED(e);
	RTE_SET_USED(f);
	*len = 0;
	return NULL;
}

const struct sk_role sk_role_client = {
	.data = client_data,
	.peer_fin = client_peer_fin,
	.timer = client_timer,
	.sent = client_sent,
	.reset = client_reset,
	.gave_up = client_gave_up,
};

/* SYN_SENT, RFC 9293 3.10.7.3. */
bool
sk_client_syn_sent(struct sk_engine *e, struct rte_mbuf *m, struct sk_pkt *p,
		struct sk_flow *f)
{
	const struct sk_client_cfg *cc = &e->cl->cc;
	struct sk_out out = { 0 };

	switch (sk_tcp_syn_sent(e, p, f->iss, f->snd_nxt)) {
	case SK_SS_SYNACK:
		break;
	case SK_SS_BAD_ACK:
		SK_STAT_INC(&e->st, client_rx_bad_synack);
		f->match |= SK_CLM_BAD;
		return sk_tcp_send_rst(e, m, p);
	case SK_SS_REFUSED:
		SK_STAT_INC(&e->st, close_rst);
		sk_client_release(e, f, SK_CL_RST);
		sk_tcp_flow_free(e, f);
		return false;
	default:
		return false;
	}

	sk_client_established(e, f, sk_client_now_us(e) - f->ts_recent);
	f->irs = p->seq;
	f->rcv_nxt = p->seq + 1;
	f->snd_una = p->ack;
	f->snd_wnd = rte_be_to_cpu_16(p->tcp->rx_win);
	f->mss_idx = sk_tcp_mss_index(p, true);
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
	sk_tcp_enter(e, f, SK_ST_ESTABLISHED);
	SK_STAT_INC(&e->st, client_established);

	/* The ACK of the handshake carries the request. */
	if (cc->req_len == 0 && cc->exp_len == 0 &&
			cc->close != SK_CLOSE_SERVER) {
		/* nothing to send or read: close at once */
		client_complete(e, f, &out);
		if (out.abort) {
			sk_tcp_send_abort(e, m, p, f);
			sk_tcp_flow_free(e, f);
			return true;
		}
		sk_tcp_event(e, f, SK_EV_CLOSE);
		return sk_tcp_send_data(e, m, p, f, NULL, 0, true, NULL);
	}
	if (cc->req_len != 0) {
		sk_tcp_arm(e, f, e->cfg.rto_ms);
		return sk_tcp_send_data(e, m, p, f, cc->req, cc->req_len,
				false, NULL);
	}
	sk_tcp_arm(e, f, e->cfg.client_timeout_ms);
	return sk_tcp_send_ack(e, m, p, f);
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A flow's timer fired (the wheel is sk_timer.c; the engine runs it from
 * sk_engine_timers()). The table (sk_tcp_fsm.c, event SK_EV_TIMER) says
 * what each state does: retransmit our FIN, let TIME_WAIT or FIN_WAIT_2
 * end, or ask the role (the server's idle abort, the client's SYN and
 * request retransmissions and timeouts).
 */

#include "sk_tcp.h"

/* Our FIN (and the reply before it) is not acknowledged: retransmit from
 * SND.UNA with exponential backoff (RFC 6298 5.5), or give up. */
static bool
retransmit(struct sk_engine *e, struct sk_flow *f, struct rte_mbuf **out)
{
	const struct sk_role *role = sk_tcp_role(f);
	struct sk_seg s = { .ack = f->rcv_nxt, .flags = SK_TH_ACK | SK_TH_FIN };
	uint16_t rlen;
	const uint8_t *r = role->sent(e, f, &rlen);
	uint32_t off = f->snd_una - (f->iss + 1);
	/* what went out before the FIN: the reply, or nothing when the peer
	 * closed before asking */
	uint32_t sent = f->snd_nxt - 1 - (f->iss + 1);
	uint8_t o[12];
	unsigned int olen = 0;
	uint32_t rto;

	if (f->retries >= e->cfg.fin_retries) {
		SK_STAT_INC(&e->st, close_fin_timeout);
		role->gave_up(e, f);
		sk_tcp_flow_free(e, f);
		return false;
	}
	f->retries++;
	rto = e->cfg.rto_ms << RTE_MIN(f->retries, 20u);
	sk_tcp_arm(e, f, RTE_MIN(rto, e->cfg.rto_max_ms));
	if (r != NULL && sent == rlen && off < rlen) {
		s.seq = f->snd_una;
		s.data = r + off;
		s.len = (uint16_t)(rlen - off);
		s.flags |= SK_TH_PSH;
	} else {
		/* echo and hold keep no bytes: the FIN alone */
		s.seq = f->snd_nxt - 1;
	}
	if (f->flags & SK_FF_TS)
		olen = sk_tcp_opt_ts(o, sk_tcp_tsval(e, f), f->ts_recent);
	*out = sk_tcp_new_seg(e, f, &s, o, olen);
	if (*out == NULL)
		return false;
	SK_STAT_INC(&e->st, tx_fin_retx);
	return true;
}

bool
sk_tcp_timer(struct sk_engine *e, struct sk_flow *f, struct rte_mbuf **out)
{
	switch (sk_tcp_event(e, f, SK_EV_TIMER)) {
	case SK_ACT_ROLE_TIMER:
		return sk_tcp_role(f)->timer(e, f, out);
	case SK_ACT_RETX:
		return retransmit(e, f, out);
	case SK_ACT_FW2_EXPIRE:
		SK_STAT_INC(&e->st, close_fin_wait2);
		sk_tcp_role(f)->gave_up(e, f);
		sk_tcp_flow_free(e, f);
		return false;
	case SK_ACT_CLOSED:
		SK_STAT_INC(&e->st, close_normal);
		sk_tcp_flow_free(e, f);
		return false;
	default:
		return false;
	}
}

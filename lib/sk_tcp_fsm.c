/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TCP state transitions, as one table of state x event. Each row says
 * the next state, what the caller does, the timer it arms and the rule it
 * follows, so that it can be checked line by line against RFC 9293. The
 * per-segment checks (sequence window, RST, SYN, ACK, text, FIN) stay in
 * sk_tcp_in.c in RFC 9293 3.10.7.4's step order; this table is what the
 * fifth (ACK) and eighth (FIN) steps, a CLOSE (3.10.4) and the timeouts
 * (3.10.8) do to the state.
 *
 * LISTEN and SYN-RECEIVED never appear: they live in the SYN cookie, and
 * the ACK that completes the handshake creates the flow in ESTABLISHED
 * (sk_tcp_in.c). SYN_SENT's input is the client role's (sk_client_tcp.c,
 * RFC 9293 3.10.7.3); only its timer passes through here.
 */

#include "sk_tcp.h"

#define ROW(n, a, t, r) { SK_ST_ ## n, SK_ACT_ ## a, SK_TMR_ ## t, r }
#define NOTHING(s) ROW(s, IGNORE, KEEP, "no such event in this state")

const struct sk_tcp_row sk_tcp_fsm[SK_ST_MAX][SK_EV_MAX] = {
	[SK_ST_FREE] = {
		[SK_EV_FIN_ACKED] = NOTHING(FREE),
		[SK_EV_PEER_FIN] = NOTHING(FREE),
		[SK_EV_CLOSE] = NOTHING(FREE),
		[SK_EV_TIMER] = NOTHING(FREE),
	},
	[SK_ST_SYN_SENT] = {
		[SK_EV_FIN_ACKED] = NOTHING(SYN_SENT),
		[SK_EV_PEER_FIN] = NOTHING(SYN_SENT),
		[SK_EV_CLOSE] = NOTHING(SYN_SENT),
		[SK_EV_TIMER] = ROW(SYN_SENT, ROLE_TIMER, KEEP,
			"3.8.1, RFC 6298 5.5: retransmit the SYN with backoff"),
	},
	[SK_ST_ESTABLISHED] = {
		[SK_EV_FIN_ACKED] = NOTHING(ESTABLISHED),
		[SK_EV_PEER_FIN] = ROW(CLOSE_WAIT, NONE, KEEP,
			"3.10.7.4 eighth: ESTABLISHED: enter CLOSE-WAIT"),
		[SK_EV_CLOSE] = ROW(FIN_WAIT_1, NONE, RTO,
			"3.10.4 CLOSE: ESTABLISHED: send FIN, enter FIN-WAIT-1"),
		[SK_EV_TIMER] = ROW(ESTABLISHED, ROLE_TIMER, KEEP,
			"3.10.5 ABORT when idle (server), client timeouts"),
	},
	[SK_ST_FIN_WAIT_1] = {
		[SK_EV_FIN_ACKED] = ROW(FIN_WAIT_2, NONE, FIN_WAIT2,
			"3.10.7.4 fifth: FIN-WAIT-1: our FIN ACKed, enter FIN-WAIT-2"),
		[SK_EV_PEER_FIN] = ROW(CLOSING, NONE, KEEP,
			"3.10.7.4 eighth: FIN-WAIT-1, FIN not ACKed: enter CLOSING"),
		[SK_EV_CLOSE] = NOTHING(FIN_WAIT_1),
		[SK_EV_TIMER] = ROW(FIN_WAIT_1, RETX, KEEP,
			"3.8.1: retransmit the FIN (and data before it)"),
	},
	[SK_ST_FIN_WAIT_2] = {
		[SK_EV_FIN_ACKED] = NOTHING(FIN_WAIT_2),
		[SK_EV_PEER_FIN] = ROW(TIME_WAIT, NONE, TIME_WAIT,
			"3.10.7.4 eighth: FIN-WAIT-2: enter TIME-WAIT, start 2 MSL"),
		[SK_EV_CLOSE] = NOTHING(FIN_WAIT_2),
		[SK_EV_TIMER] = ROW(FIN_WAIT_2, FW2_EXPIRE, KEEP,
			"no FIN from the peer in fin_wait2 (Linux tcp_fin_timeout)"),
	},
	[SK_ST_CLOSING] = {
		[SK_EV_FIN_ACKED] = ROW(TIME_WAIT, NONE, TIME_WAIT,
			"3.10.7.4 fifth: CLOSING: our FIN ACKed, enter TIME-WAIT"),
		[SK_EV_PEER_FIN] = ROW(CLOSING, NONE, KEEP,
			"3.10.7.4 eighth: CLOSING: remain"),
		[SK_EV_CLOSE] = NOTHING(CLOSING),
		[SK_EV_TIMER] = ROW(CLOSING, RETX, KEEP,
			"3.8.1: retransmit the FIN"),
	},
	[SK_ST_TIME_WAIT] = {
		[SK_EV_FIN_ACKED] = NOTHING(TIME_WAIT),
		[SK_EV_PEER_FIN] = ROW(TIME_WAIT, NONE, TIME_WAIT,
			"3.10.7.4 eighth: TIME-WAIT: remain, restart 2 MSL"),
		[SK_EV_CLOSE] = NOTHING(TIME_WAIT),
		[SK_EV_TIMER] = ROW(TIME_WAIT, CLOSED, KEEP,
			"3.10.8: time-wait timeout: delete the TCB"),
	},
	[SK_ST_CLOSE_WAIT] = {
		[SK_EV_FIN_ACKED] = NOTHING(CLOSE_WAIT),
		[SK_EV_PEER_FIN] = ROW(CLOSE_WAIT, NONE, KEEP,
			"3.10.7.4 eighth: CLOSE-WAIT: remain"),
		[SK_EV_CLOSE] = ROW(LAST_ACK, NONE, RTO,
			"3.10.4 CLOSE: CLOSE-WAIT: send FIN, enter LAST-ACK"),
		[SK_EV_TIMER] = ROW(CLOSE_WAIT, ROLE_TIMER, KEEP,
			"3.10.5 ABORT when idle (server), client timeouts"),
	},
	[SK_ST_LAST_ACK] = {
		[SK_EV_FIN_ACKED] = ROW(LAST_ACK, CLOSED, KEEP,
			"3.10.7.4 fifth: LAST-ACK: our FIN ACKed, delete the TCB"),
		[SK_EV_PEER_FIN] = ROW(LAST_ACK, NONE, KEEP,
			"3.10.7.4 eighth: LAST-ACK: remain"),
		[SK_EV_CLOSE] = NOTHING(LAST_ACK),
		[SK_EV_TIMER] = ROW(LAST_ACK, RETX, KEEP,
			"3.8.1: retransmit the FIN"),
	},
};

/* From now on its born is when it entered TIME_WAIT ([client] tw_reuse):
 * a client connection in TIME_WAIT has ended. */
void
sk_tcp_client_time_wait(struct sk_engine *e, struct sk_flow *f)
{
	if (f->flags & SK_FF_CLACTIVE)
		sk_client_release(e, f, SK_CL_DONE);
	f->born = e->now_ms;
}

void
sk_tcp_flow_free(struct sk_engine *e, struct sk_flow *f)
{
	sk_wheel_cancel(&e->wheel, (uint32_t)(f - e->flows));
	if (unlikely(f->flags & SK_FF_CLACTIVE))
		sk_client_release(e, f, SK_CL_DONE);
	SK_STAT_ADD(&e->st, flows[f->state], -1);
	sk_flow_remove(e->ft, f);
}

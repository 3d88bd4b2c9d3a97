/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The server role: the built-in responders (hello, http, echo, hold) and
 * the server's idle timeout. The state machine reaches them only through
 * struct sk_role (sk_tcp.h).
 */

#include <string.h>

#include "sk_tcp.h"

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

static inline void
say(struct sk_out *o, const char *s, size_t len)
{
	o->data = (const uint8_t *)s;
	o->len = (uint16_t)len;
	o->fin = true;
}

static uint16_t
server_data(struct sk_engine *e, struct sk_flow *f, const uint8_t *d,
		uint16_t n, struct sk_out *o)
{
	switch (f->app) {
	case SK_APP_HELLO:
		/* The seeds' server: read one line, answer, close. */
		if (memchr(d, '\n', n) != NULL)
			say(o, hello_reply, sizeof(hello_reply) - 1);
		break;
	case SK_APP_HTTP:
		if (http_head_end(f, d, n))
			say(o, http_reply, sizeof(http_reply) - 1);
		break;
	case SK_APP_ECHO:
		/* Echo sends back what it takes: never more than the peer's
		 * MSS; the rest is not ACKed and comes again. */
		n = RTE_MIN(n, sk_tcp_flow_mss(f));
		o->data = NULL;
		o->len = n;
		break;
	default: /* hold */
		break;
	}
	if (e->cfg.idle_ms)
		sk_tcp_arm(e, f, e->cfg.idle_ms);
	return n;
}

/* Every responder closes when the peer does: CLOSE_WAIT, then our FIN.
 * hello answers first, as the seeds' server does: its readLine() returns
 * at end of stream. */
static void
server_peer_fin(struct sk_engine *e, struct sk_flow *f, struct sk_out *o)
{
	RTE_SET_USED(e);
	o->fin = true;
	if (f->app == SK_APP_HELLO && o->len == 0)
		say(o, hello_reply, sizeof(hello_reply) - 1);
}

/* Idle too long in ESTABLISHED or CLOSE_WAIT: abort with a reset (RFC
 * 9293 3.10.5). */
static bool
server_timer(struct sk_engine *e, struct sk_flow *f, struct rte_mbuf **out)
{
	struct sk_seg s = {
		.seq = f->snd_nxt, .ack = f->rcv_nxt,
		.flags = SK_TH_RST | SK_TH_ACK,
	};

	*out = sk_tcp_new_seg(e, f, &s, NULL, 0);
	SK_STAT_INC(&e->st, close_idle);
	sk_tcp_flow_free(e, f);
	if (*out == NULL)
		return false;
	SK_STAT_INC(&e->st, tx_rst);
	SK_STAT_INC(&e->st, tx_rst_idle);
	return true;
}

/* The fixed reply of a responder, for retransmission; NULL for echo and
 * hold, whose bytes are not kept. */
static const uint8_t *
server_sent(const struct sk_engine *e, const struct sk_flow *f,
		uint16_t *len)
{
	RTE_SET_USED(e);
	if (f->app == SK_APP_HELLO) {
		*len = sizeof(hello_reply) - 1;
		return (const uint8_t *)hello_reply;
	}
	if (f->app == SK_APP_HTTP) {
		*len = sizeof(http_reply) - 1;
		return (const uint8_t *)http_reply;
	}
	*len = 0;
	return NULL;
}

static void
server_nothing(struct sk_engine *e, struct sk_flow *f)
{
	RTE_SET_USED(e);
	RTE_SET_USED(f);
}

const struct sk_role sk_role_server = {
	.data = server_data,
	.peer_fin = server_peer_fin,
	.timer = server_timer,
	.sent = server_sent,
	.reset = server_nothing,
	.gave_up = server_nothing,
};

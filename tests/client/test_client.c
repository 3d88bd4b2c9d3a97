/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The client role driven through the engine with a fake clock: ARP of the
 * next hop, the SYN and its options, SYN_SENT per RFC 9293 3.10.7.3 (an
 * acceptable SYN-ACK, a bad one, a RST), SYN retransmission with backoff,
 * the request, the response check, the three close modes, the rate and
 * concurrency limits and the end of a run. Each check looks at the bytes
 * a server would see and at the counters.
 */

#include <string.h>

#include <rte_arp.h>
#include <rte_mbuf.h>

#include "sk_common.h"
#include "sk_config.h"
#include "sk_engine.h"
#include "sk_frames.h"
#include "sk_test.h"

#define ENGINE_IP 0xc6120002u  /* 198.18.0.2 */
#define SERVER_IP 0xc6120001u  /* 198.18.0.1 */
#define NS_PER_MS 1000000ull

static struct rte_mempool *pool;
static struct sk_engine *eng;
static uint64_t now;  /* fake TSC: 1 GHz, so ns */

static struct skt_resp resp;
static struct rte_mbuf *last_arp;
static unsigned int nresp, narp;

static const struct sk_stats *
st(void)
{
	return sk_engine_stats(eng);
}

struct opts {
	const char *close;
	const char *expect;
	const char *request;
	const char *ports;
	bool gw_mac;
	uint32_t cps, concurrency, duration_ms, syn_retries;
	uint32_t tw_reuse_ms;
};

static void
engine_new(const struct opts *o)
{
	struct sk_config c;

	if (eng != NULL)
		sk_engine_free(eng);
	sk_config_defaults(&c);
	c.n_addrs = 1;
	c.addrs[0].addr = rte_cpu_to_be_32(ENGINE_IP);
	c.addrs[0].prefix = 24;
	c.flow_capacity = 1024;
	c.time_wait_ms = 1000;
	c.rto_ms = 100;
	c.rto_max_ms = 400;
	c.fin_retries = 3;
	snprintf(c.client_target, sizeof(c.client_target),
		"198.18.0.1:8080");
	snprintf(c.client_src_ports, sizeof(c.client_src_ports), "%s",
		o->ports ? o->ports : "40000-40009");
	snprintf(c.client_request, sizeof(c.client_request), "%s",
		o->request ? o->request : "Hello Server\\n");
	snprintf(c.client_expect, sizeof(c.client_expect), "%s",
		o->expect ? o->expect : "Hello Client\\n");
	snprintf(c.client_close, sizeof(c.client_close), "%s",
		o->close ? o->close : "client");
	if (o->gw_mac)
		snprintf(c.client_gateway_mac, sizeof(c.client_gateway_mac),
			"02:00:00:00:00:02");
	c.client_cps = o->cps;
	c.client_concurrency = o->concurrency ? o->concurrency : 1;
	c.client_duration_ms = o->duration_ms ? o->duration_ms : 5;
	c.client_syn_rto_ms = 100;
	c.client_syn_retries = o->syn_retries ? o->syn_retries : 2;
	c.client_timeout_ms = 1000;
	if (o->tw_reuse_ms)
		c.client_tw_reuse_ms = o->tw_reuse_ms;
	c.secret_set = true;
	now = 5 * NS_PER_MS;
	eng = skt_engine(&c, pool, now);
}

/* Run timers; TCP segments are kept in resp, an ARP request in last_arp. */
static unsigned int
timers(void)
{
	struct rte_mbuf *tx[64];
	uint16_t n = sk_engine_timers(eng, now, tx, 64);

	nresp = 0;
	for (uint16_t i = 0; i < n; i++) {
		if (skt_read(tx[i], &resp)) {
			nresp++;
			rte_pktmbuf_free(tx[i]);
		} else {
			narp++;
			rte_pktmbuf_free(last_arp);
			last_arp = tx[i];
		}
	}
	return n;
}

static void
advance_ms(uint64_t ms)
{
	for (uint64_t i = 0; i < ms; i += 10) {
		now += 10 * NS_PER_MS;
		timers();
	}
}

/* The server sends a segment to our connection; returns responses. */
static unsigned int
server_send(uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack,
		const char *data, const uint8_t *opts, uint8_t optlen)
{
	struct skt_frame f = {
		.saddr = SERVER_IP, .daddr = ENGINE_IP,
		.sport = 8080, .dport = dport,
		.seq = seq, .ack = ack, .flags = flags,
		.opts = opts, .optlen = optlen,
		.data = data, .len = data ? (uint16_t)strlen(data) : 0,
	};
	struct rte_mbuf *m = skt_build(pool, &f), *tx[4];
	uint16_t n = sk_engine_input(eng, &m, 1, tx, now);

	nresp = n;
	if (n == 1) {
		skt_read(tx[0], &resp);
		rte_pktmbuf_free(tx[0]);
	}
	return n;
}

#define SYNACK_OPTS_LEN 20
static const uint8_t synack_opts[SYNACK_OPTS_LEN] = {
	2, 4, 0x05, 0xb4,                      /* MSS 1460 */
	4, 2,                                  /* SACK permitted */
	8, 10, 0, 0, 0x20, 0, 0, 0, 0, 0,      /* TS val 8192, ecr patched */
	1, 3, 3, 7,                            /* NOP, WS 7 */
};

/* What the test's server knows of one connection. */
struct conn {
	uint16_t lport;         /* synack's source port */
	uint32_t iss;           /* synack's ISS */
	uint32_t srv_nxt;       /* the server's next sequence */
};

/* The first SYN of a run: expects it in resp. */
static bool
take_syn(struct conn *c)
{
	if (nresp != 1 || resp.flags != RTE_TCP_SYN_FLAG)
		return false;
	c->lport = resp.sport;
	c->iss = resp.seq;
	c->srv_nxt = 777000;
	return true;
}

static unsigned int
synack(struct conn *c, uint32_t ack)
{
	uint8_t o[SYNACK_OPTS_LEN];
	unsigned int n;

	memcpy(o, synack_opts, sizeof(o));
	n = server_send(c->lport, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG,
		c->srv_nxt, ack, NULL, o, sizeof(o));
	c->srv_nxt++;
	return n;
}

static uint32_t
done_count(void)
{
	return (uint32_t)(st()->client_completed + st()->client_fail_timeout +
		st()->client_fail_rst + st()->client_fail_bad_synack +
		st()->client_fail_response + st()->client_fail_closed);
}

static void
test_arp(void)
{
	struct opts o = { 0 };
	struct rte_ether_hdr *eh;
	struct rte_arp_hdr *a;
	struct rte_mbuf *m, *tx[4];
	struct sk_client_info ci;

	engine_new(&o);
	narp = 0;
	timers();
	CHECK_EQ(narp, 1, "ARP: a request before any SYN");
	CHECK_EQ(st()->client_syn_sent, 0, "ARP: no SYN while unresolved");
	eh = rte_pktmbuf_mtod(last_arp, struct rte_ether_hdr *);
	a = (struct rte_arp_hdr *)(eh + 1);
	CHECK(eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP) &&
		rte_is_broadcast_ether_addr(&eh->dst_addr) &&
		a->arp_opcode == RTE_BE16(RTE_ARP_OP_REQUEST) &&
		a->arp_data.arp_tip == rte_cpu_to_be_32(SERVER_IP) &&
		a->arp_data.arp_sip == rte_cpu_to_be_32(ENGINE_IP) &&
		rte_is_same_ether_addr(&a->arp_data.arp_sha, &skt_engine_mac),
		"ARP: broadcast request who-has 198.18.0.1 tell 198.18.0.2");
	advance_ms(500);
	CHECK_EQ(narp, 1, "ARP: no second request within a second");
	advance_ms(600);
	CHECK_EQ(narp, 2, "ARP: retried after a second");

	/* the reply: turn our request around */
	m = last_arp;
	last_arp = NULL;
	eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	a = (struct rte_arp_hdr *)(eh + 1);
	eh->dst_addr = skt_engine_mac;
	eh->src_addr = skt_peer_mac;
	a->arp_opcode = RTE_BE16(RTE_ARP_OP_REPLY);
	a->arp_data.arp_tha = skt_engine_mac;
	a->arp_data.arp_tip = rte_cpu_to_be_32(ENGINE_IP);
	a->arp_data.arp_sha = skt_peer_mac;
	a->arp_data.arp_sip = rte_cpu_to_be_32(SERVER_IP);
	CHECK_EQ(sk_engine_input(eng, &m, 1, tx, now), 0,
		"ARP: the reply is consumed");
	CHECK_EQ(st()->rx_arp_reply, 1, "ARP: reply learnt");
	timers();
	CHECK(nresp == 1 && resp.flags == RTE_TCP_SYN_FLAG &&
		rte_is_same_ether_addr(&resp.dst, &skt_peer_mac),
		"ARP: the first SYN goes to the learnt MAC");

	/* no reply at all: the run fails after 5 requests */
	engine_new(&o);
	narp = 0;
	advance_ms(6000);
	CHECK_EQ(narp, 5, "ARP: five requests, one a second");
	CHECK(sk_engine_client_done(eng), "ARP: the run ends");
	sk_engine_client_info(eng, &ci);
	CHECK(ci.error != NULL && strstr(ci.error, "ARP") != NULL,
		"ARP: the run fails with a reason: %s", ci.error);
	CHECK_EQ(st()->client_syn_sent, 0, "ARP: no SYN was sent");
	rte_pktmbuf_free(last_arp);
	last_arp = NULL;
}

static void
test_handshake_close_client(void)
{
	struct opts o = { .gw_mac = true };
	struct sk_client_info ci;
	struct conn c;
	uint32_t our_ts;

	engine_new(&o);
	timers();
	CHECK(take_syn(&c), "SYN sent at once with a gateway MAC");
	CHECK(resp.saddr == ENGINE_IP && resp.daddr == SERVER_IP &&
		resp.sport == 40000 && resp.dport == 8080 && resp.ip_ok &&
		resp.tcp_ok, "SYN: tuple and checksums");
	CHECK(resp.mss == 1460 && resp.sack_ok && resp.has_ts &&
		resp.wscale == 0 && resp.tsecr == 0 && resp.len == 0,
		"SYN: MSS, SACK-permitted, TS, WS options");
	CHECK(rte_is_same_ether_addr(&resp.dst, &skt_peer_mac) &&
		rte_is_same_ether_addr(&resp.src, &skt_engine_mac),
		"SYN: MACs");
	our_ts = resp.tsval;
	CHECK_EQ(st()->client_syn_sent, 1, "client_syn_sent");
	CHECK_EQ(st()->flows[SK_ST_SYN_SENT], 1, "flow in SYN_SENT");

	now += 250000; /* 250 us */
	CHECK_EQ(synack(&c, c.iss + 1), 1, "SYN-ACK answered");
	CHECK(resp.flags == (RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG) &&
		resp.seq == c.iss + 1 && resp.ack == c.srv_nxt &&
		resp.len == 13 && memcmp(resp.data, "Hello Server\n", 13) == 0,
		"the handshake's ACK carries the request");
	CHECK(resp.has_ts && resp.tsecr == 8192 && resp.tsval >= our_ts,
		"ACK: timestamps echo the server's");
	CHECK_EQ(st()->client_established, 1, "client_established");
	CHECK_EQ(st()->flows[SK_ST_ESTABLISHED], 1, "flow ESTABLISHED");
	sk_engine_client_info(eng, &ci);
	CHECK(ci.latency_us.count == 1 && ci.latency_us.max >= 249 &&
		ci.latency_us.max <= 251, "latency recorded: %u us",
		ci.latency_us.max);

	/* the response, then our FIN */
	CHECK_EQ(server_send(c.lport, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG,
		c.srv_nxt, c.iss + 14, "Hello Client\n", NULL, 0), 1,
		"response answered");
	c.srv_nxt += 13;
	CHECK(resp.flags == (RTE_TCP_ACK_FLAG | RTE_TCP_FIN_FLAG) &&
		resp.seq == c.iss + 14 && resp.ack == c.srv_nxt,
		"close client: FIN after the response");
	CHECK_EQ(st()->flows[SK_ST_FIN_WAIT_1], 1, "FIN_WAIT_1");
	/* the server acknowledges and closes */
	CHECK_EQ(server_send(c.lport, RTE_TCP_ACK_FLAG | RTE_TCP_FIN_FLAG,
		c.srv_nxt, c.iss + 15, NULL, NULL, 0), 1, "server FIN ACKed");
	CHECK(resp.flags == RTE_TCP_ACK_FLAG && resp.ack == c.srv_nxt + 1,
		"ACK of the server's FIN");
	CHECK_EQ(st()->flows[SK_ST_TIME_WAIT], 1, "TIME_WAIT");
	CHECK_EQ(st()->client_completed, 1, "client_completed");
	CHECK_EQ(done_count(), 1, "no failure");
	advance_ms(10);
	CHECK(sk_engine_client_done(eng), "run over: duration past, none open");
	advance_ms(1200);
	CHECK_EQ(st()->flows[SK_ST_TIME_WAIT], 0, "TIME_WAIT expired");
}

static void
test_close_modes(void)
{
	struct opts o = { .gw_mac = true, .close = "server" };
	struct conn c;

	engine_new(&o);
	timers();
	take_syn(&c);
	synack(&c, c.iss + 1);
	CHECK_EQ(server_send(c.lport, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG |
		RTE_TCP_FIN_FLAG, c.srv_nxt, c.iss + 14, "Hello Client\n",
		NULL, 0), 1, "close server: response with FIN answered");
	CHECK(resp.flags == (RTE_TCP_ACK_FLAG | RTE_TCP_FIN_FLAG) &&
		resp.ack == c.srv_nxt + 14, "close server: our FIN after theirs");
	CHECK_EQ(st()->flows[SK_ST_LAST_ACK], 1, "LAST_ACK");
	CHECK_EQ(server_send(c.lport, RTE_TCP_ACK_FLAG, c.srv_nxt + 14,
		c.iss + 15, NULL, NULL, 0), 0, "last ACK consumed");
	CHECK_EQ(st()->client_completed, 1, "close server: completed");
	CHECK_EQ(sk_flow_count(sk_engine_flows(eng)), 0, "flow freed");

	o.close = "rst";
	engine_new(&o);
	timers();
	take_syn(&c);
	synack(&c, c.iss + 1);
	CHECK_EQ(server_send(c.lport, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG,
		c.srv_nxt, c.iss + 14, "Hello Client\n", NULL, 0), 1,
		"close rst: answered");
	CHECK(resp.flags == (RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG) &&
		resp.seq == c.iss + 14, "close rst: RST after the response");
	CHECK_EQ(st()->client_completed, 1, "close rst: completed");
	CHECK_EQ(sk_flow_count(sk_engine_flows(eng)), 0, "flow freed");

	/* a wrong response */
	o.close = "client";
	engine_new(&o);
	timers();
	take_syn(&c);
	synack(&c, c.iss + 1);
	CHECK_EQ(server_send(c.lport, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG,
		c.srv_nxt, c.iss + 14, "Hello Clien!\n", NULL, 0), 1,
		"bad response answered");
	CHECK(resp.flags & RTE_TCP_RST_FLAG, "bad response: RST");
	CHECK_EQ(st()->client_fail_response, 1, "client_fail_response");
	CHECK_EQ(st()->client_completed, 0, "not completed");

	/* the server closes before the whole response */
	engine_new(&o);
	timers();
	take_syn(&c);
	synack(&c, c.iss + 1);
	server_send(c.lport, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG |
		RTE_TCP_FIN_FLAG, c.srv_nxt, c.iss + 14, "Hello", NULL, 0);
	CHECK(resp.flags & RTE_TCP_FIN_FLAG, "short response: FIN answered");
	server_send(c.lport, RTE_TCP_ACK_FLAG, c.srv_nxt + 6, c.iss + 15,
		NULL, NULL, 0);
	CHECK_EQ(st()->client_fail_closed, 1, "client_fail_closed");
}

/* A close that does not finish is not a completion: our FIN never
 * acknowledged (FIN_WAIT_1 or LAST_ACK after fin_retries), or the server's
 * FIN never coming (FIN_WAIT_2 timeout) fails the connection as a
 * timeout, as a server that never closes does in close mode server. */
static void
test_close_timeouts(void)
{
	struct opts o = { .gw_mac = true };
	struct conn c;

	engine_new(&o);
	timers();
	take_syn(&c);
	synack(&c, c.iss + 1);
	server_send(c.lport, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, c.srv_nxt,
		c.iss + 14, "Hello Client\n", NULL, 0);
	CHECK_EQ(st()->flows[SK_ST_FIN_WAIT_1], 1, "our FIN: FIN_WAIT_1");
	advance_ms(1500); /* 3 retransmissions 100, 200, 400 ms apart, then */
	CHECK_EQ(st()->close_fin_timeout, 1, "FIN never ACKed: given up");
	CHECK_EQ(st()->client_fail_timeout, 1,
		"FIN never ACKed: client_fail_timeout");
	CHECK_EQ(st()->client_completed, 0, "FIN never ACKed: not completed");
	CHECK_EQ(done_count(), 1, "counted once");
	CHECK_EQ(sk_flow_count(sk_engine_flows(eng)), 0, "flow freed");

	engine_new(&o);
	timers();
	take_syn(&c);
	synack(&c, c.iss + 1);
	server_send(c.lport, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, c.srv_nxt,
		c.iss + 14, "Hello Client\n", NULL, 0);
	server_send(c.lport, RTE_TCP_ACK_FLAG, c.srv_nxt + 13, c.iss + 15,
		NULL, NULL, 0);
	CHECK_EQ(st()->flows[SK_ST_FIN_WAIT_2], 1, "FIN ACKed: FIN_WAIT_2");
	/* fin_wait2: 60 s by default, the wheel up to 1/8 late */
	advance_ms(68000);
	CHECK_EQ(st()->close_fin_wait2, 1, "no FIN from the server: given up");
	CHECK_EQ(st()->client_fail_timeout, 1,
		"no FIN from the server: client_fail_timeout");
	CHECK_EQ(st()->client_completed, 0,
		"no FIN from the server: not completed");
	CHECK_EQ(done_count(), 1, "counted once");

	o.close = "server";
	engine_new(&o);
	timers();
	take_syn(&c);
	synack(&c, c.iss + 1);
	server_send(c.lport, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG |
		RTE_TCP_FIN_FLAG, c.srv_nxt, c.iss + 14, "Hello Client\n",
		NULL, 0);
	CHECK_EQ(st()->flows[SK_ST_LAST_ACK], 1, "our FIN: LAST_ACK");
	advance_ms(1500);
	CHECK_EQ(st()->client_fail_timeout, 1,
		"LAST_ACK, FIN never ACKed: client_fail_timeout");
	CHECK_EQ(st()->client_completed, 0, "LAST_ACK: not completed");
	CHECK_EQ(done_count(), 1, "counted once");
	CHECK(sk_engine_client_done(eng), "run over");
}

static void
test_syn_sent(void)
{
	struct opts o = { .gw_mac = true };
	struct conn c;

	/* RFC 9293 3.10.7.3: an unacceptable ACK gets <SEQ=SEG.ACK><RST> */
	engine_new(&o);
	timers();
	take_syn(&c);
	CHECK_EQ(synack(&c, c.iss + 5), 1, "bad SYN-ACK answered");
	CHECK(resp.flags == RTE_TCP_RST_FLAG && resp.seq == c.iss + 5,
		"bad SYN-ACK: RST with SEQ = SEG.ACK");
	CHECK_EQ(st()->client_rx_bad_synack, 1, "client_rx_bad_synack");
	CHECK_EQ(st()->flows[SK_ST_SYN_SENT], 1, "still SYN_SENT");
	CHECK_EQ(synack(&c, c.iss), 1, "SEG.ACK = ISS is unacceptable too");
	CHECK_EQ(server_send(c.lport, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG,
		0, c.iss + 3, NULL, NULL, 0), 0, "RST with a bad ACK dropped");
	CHECK_EQ(st()->flows[SK_ST_SYN_SENT], 1, "still SYN_SENT after it");
	/* SYN retransmissions: 100 ms, then 200, then fail at 400 */
	advance_ms(90);
	CHECK_EQ(st()->client_syn_retx, 0, "no retransmission before the RTO");
	advance_ms(30);
	CHECK_EQ(st()->client_syn_retx, 1, "SYN retransmitted after the RTO");
	CHECK(resp.flags == RTE_TCP_SYN_FLAG && resp.seq == c.iss,
		"the same SYN again");
	advance_ms(160);
	CHECK_EQ(st()->client_syn_retx, 1, "backoff: not again at 280 ms");
	advance_ms(80);
	CHECK_EQ(st()->client_syn_retx, 2, "second retransmission by 360 ms");
	advance_ms(500);
	CHECK_EQ(st()->client_fail_bad_synack, 1,
		"failed: only bad SYN-ACKs came back");
	CHECK_EQ(sk_flow_count(sk_engine_flows(eng)), 0, "flow freed");
	CHECK(sk_engine_client_done(eng), "run over");

	engine_new(&o);
	timers();
	take_syn(&c);
	advance_ms(800);
	CHECK_EQ(st()->client_fail_timeout, 1, "no answer: client_fail_timeout");

	engine_new(&o);
	timers();
	take_syn(&c);
	CHECK_EQ(server_send(c.lport, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG,
		0, c.iss + 1, NULL, NULL, 0), 0, "refused: RST consumed");
	CHECK_EQ(st()->client_fail_rst, 1, "client_fail_rst");
	CHECK_EQ(sk_flow_count(sk_engine_flows(eng)), 0, "flow freed");
	/* a segment for the freed tuple now gets a RST */
	CHECK_EQ(synack(&c, c.iss + 1), 1, "late SYN-ACK answered");
	CHECK(resp.flags & RTE_TCP_RST_FLAG, "late SYN-ACK: RST");
}

static void
test_rate(void)
{
	struct opts o = { .gw_mac = true, .cps = 1000, .concurrency = 4,
		.duration_ms = 100, .syn_retries = 15 };
	struct opts u = o;

	/* 1000 per second for 100 ms, at most 4 open: the bucket gives 4
	 * then none until some end; none ends, so 4 in all */
	engine_new(&o);
	advance_ms(50);
	CHECK_EQ(st()->client_syn_sent, 4, "concurrency caps open connections");
	/* concurrency allows more: the rate limits */
	u.concurrency = 1000;
	u.ports = "10000-20000";
	engine_new(&u);
	advance_ms(200);
	/* polled every 10 ms here: the window's last 10 ms open none */
	CHECK(st()->client_syn_sent >= 90 && st()->client_syn_sent <= 101,
		"1000 cps for 100 ms: %" PRIu64 " opened",
		st()->client_syn_sent);
	/* tuples: 10 ports, so no more than 10 at once */
	u.cps = 0;
	u.ports = NULL;
	engine_new(&u);
	advance_ms(20);
	CHECK_EQ(st()->client_syn_sent, 10, "10 source ports: 10 opened");
	CHECK(st()->client_no_tuple > 0, "then no free tuple, counted");
}


/* One connection on port 40000 through to our TIME_WAIT; @p ts: the
 * server's SYN-ACK carries timestamps. Returns our last TSval. */
static uint32_t
one_to_time_wait(struct conn *c, bool ts)
{
	uint32_t ts_last;

	c->srv_nxt = 777000;
	if (ts)
		synack(c, c->iss + 1);
	else
		server_send(c->lport, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG,
			c->srv_nxt++, c->iss + 1, NULL, NULL, 0);
	server_send(c->lport, RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG, c->srv_nxt,
		c->iss + 14, "Hello Client\n", NULL, 0);
	c->srv_nxt += 13;
	server_send(c->lport, RTE_TCP_ACK_FLAG | RTE_TCP_FIN_FLAG, c->srv_nxt,
		c->iss + 15, NULL, NULL, 0);
	ts_last = resp.tsval;
	return ts_last;
}

static void
test_tw_reuse(void)
{
	struct opts o = { .gw_mac = true, .ports = "40000",
		.duration_ms = 3000, .tw_reuse_ms = 300 };
	struct conn c;
	uint32_t ts_last, iss1;

	/* timestamps on: the tuple comes back 300 ms into TIME_WAIT */
	engine_new(&o);
	timers();
	CHECK(take_syn(&c), "tw_reuse: first SYN");
	iss1 = c.iss;
	ts_last = one_to_time_wait(&c, true);
	CHECK_EQ(st()->flows[SK_ST_TIME_WAIT], 1, "tw_reuse: ours in TIME_WAIT");
	advance_ms(200);
	CHECK_EQ(st()->client_syn_sent, 1,
		"tw_reuse: the tuple is not reused 200 ms into TIME_WAIT");
	CHECK(st()->client_no_tuple > 0, "tw_reuse: no free tuple meanwhile");
	advance_ms(150);
	CHECK_EQ(st()->client_syn_sent, 2, "tw_reuse: reused after 300 ms");
	CHECK_EQ(st()->client_tw_reuse, 1, "tw_reuse: counted");
	CHECK(resp.flags == RTE_TCP_SYN_FLAG && resp.sport == 40000 &&
		resp.has_ts && (int32_t)(resp.tsval - ts_last) > 0 &&
		resp.seq != iss1,
		"tw_reuse: the new SYN's TSval is above the old connection's "
		"(RFC 6191), a new ISS");
	CHECK_EQ(st()->flows[SK_ST_TIME_WAIT], 0, "tw_reuse: old flow gone");
	CHECK_EQ(st()->flows[SK_ST_SYN_SENT], 1, "tw_reuse: new one opening");

	/* no timestamps: the tuple waits for TIME_WAIT (1 s) to end */
	engine_new(&o);
	timers();
	take_syn(&c);
	one_to_time_wait(&c, false);
	CHECK_EQ(st()->flows[SK_ST_TIME_WAIT], 1, "tw_reuse, no TS: TIME_WAIT");
	advance_ms(600);
	CHECK_EQ(st()->client_syn_sent, 1,
		"tw_reuse, no TS: not reused before TIME_WAIT ends");
	advance_ms(600);
	CHECK(st()->client_syn_sent == 2 && st()->client_tw_reuse == 0,
		"tw_reuse, no TS: reused once TIME_WAIT expired");
}

/*
 * --cps max against a simulated server, 1 ms at a time. @p cap_per_ms
 * SYN-ACKs a millisecond at most (the SYNs beyond are dropped, as by a full
 * backlog); each answered @p delay_ms after its SYN arrived. The client
 * resets each connection once established (no request, no response,
 * close rst: one answer per connection).
 */
struct sim_syn {
	uint16_t port;
	uint32_t seq;
	uint64_t due;
};

/* The lcore does nothing from this ms of a ramp_run() for stall_ms. */
static uint32_t stall_at, stall_ms;
/* The offered rate just before the stall. */
static uint32_t rate_before_stall;
/* The SYN retransmission timeout of a ramp_run(). */
static uint32_t ramp_syn_rto = 50;

static void
ramp_run(uint32_t cap_per_ms, uint32_t delay_ms, uint32_t concurrency,
		uint32_t run_ms, struct sk_client_info *ci)
{
	static struct sim_syn q[1 << 16];
	unsigned int qh = 0, qt = 0;
	struct sk_config c;

	if (eng != NULL)
		sk_engine_free(eng);
	sk_config_defaults(&c);
	c.n_addrs = 1;
	c.addrs[0].addr = rte_cpu_to_be_32(ENGINE_IP);
	c.addrs[0].prefix = 24;
	c.flow_capacity = 1 << 16;
	snprintf(c.client_target, sizeof(c.client_target),
		"198.18.0.1:8080");
	snprintf(c.client_src_ports, sizeof(c.client_src_ports),
		"2000-62000");
	snprintf(c.client_close, sizeof(c.client_close), "rst");
	snprintf(c.client_gateway_mac, sizeof(c.client_gateway_mac),
		"02:00:00:00:00:02");
	c.client_cps = SK_CPS_MAX;
	c.client_ramp_step_ms = 100;
	c.client_concurrency = concurrency;
	c.client_duration_ms = run_ms;
	c.client_syn_rto_ms = ramp_syn_rto;
	c.client_syn_retries = 15;
	c.secret_set = true;
	now = 5 * NS_PER_MS;
	eng = skt_engine(&c, pool, now);

	for (uint32_t ms = 0; ms < run_ms + 2000 &&
			!sk_engine_client_done(eng); ms++) {
		struct rte_mbuf *tx[64];
		uint32_t budget = cap_per_ms;
		uint16_t n;

		now += NS_PER_MS;
		if (stall_ms != 0 && ms == stall_at) {
			sk_engine_client_info(eng, ci);
			rate_before_stall = ci->rate_cps;
		}
		if (stall_ms != 0 && ms >= stall_at && ms < stall_at + stall_ms)
			continue;
		do {
			n = sk_engine_timers(eng, now, tx, 64);
			for (uint16_t i = 0; i < n; i++) {
				struct skt_resp r;

				if (skt_read(tx[i], &r) &&
						r.flags == RTE_TCP_SYN_FLAG &&
						budget > 0 &&
						qt - qh < RTE_DIM(q)) {
					budget--;
					q[qt++ % RTE_DIM(q)] = (struct sim_syn){
						r.sport, r.seq,
						now + delay_ms * NS_PER_MS };
				}
				rte_pktmbuf_free(tx[i]);
			}
		} while (n == 64);
		while (qh != qt && q[qh % RTE_DIM(q)].due <= now) {
			struct sim_syn *y = &q[qh++ % RTE_DIM(q)];

			server_send(y->port, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG,
				555000, y->seq + 1, NULL, NULL, 0);
		}
	}
	sk_engine_client_info(eng, ci);
}

static void
test_ramp(void)
{
	struct sk_client_info ci;
	uint64_t att;

	/* a server that answers 20 SYNs a ms (20,000 cps) and drops the
	 * rest: the ramp doubles up to it, backs off on retransmissions and
	 * reports a clean rate no higher than the server's */
	ramp_run(20, 1, 60000, 3000, &ci);
	att = st()->client_syn_sent;
	CHECK(ci.finished && ci.ramp, "ramp: the run ends");
	CHECK(ci.ramp_backoffs >= 1, "ramp: backed off (%u times)",
		ci.ramp_backoffs);
	CHECK(ci.best_cps >= 10000 && ci.best_cps <= 20000,
		"ramp: best clean rate %u within the server's 10k..20k",
		ci.best_cps);
	CHECK(ci.rate_cps >= 5000 && ci.rate_cps <= 40000,
		"ramp: offered %u at the end, near the server's 20k",
		ci.rate_cps);
	CHECK_EQ(done_count(), att, "ramp: every connection ended");
	CHECK(st()->client_syn_retx > 0 && st()->client_fail_timeout == 0,
		"ramp: dropped SYNs retransmitted (%" PRIu64 "), none failed",
		st()->client_syn_retx);
	CHECK(att < 3 * 20000 * 2, "ramp: no SYN storm (%" PRIu64
		" opened in 3 s against 20k cps)", att);

	/* a server that answers every SYN after 10 ms, 100 connections at
	 * most: the concurrency caps the rate at 10,000 cps; no SYN is lost,
	 * so no backoff, and the ramp settles just above what it gets */
	ramp_run(1000, 10, 100, 2000, &ci);
	CHECK(ci.finished, "ramp, ceiling: the run ends");
	CHECK_EQ(ci.ramp_backoffs, 0, "ramp, ceiling: no backoff");
	CHECK_EQ(st()->client_syn_retx, 0, "ramp, ceiling: no retransmission");
	CHECK(ci.best_cps >= 8000 && ci.best_cps <= 10100,
		"ramp, ceiling: best %u near the 10k that 100 / 10 ms allow",
		ci.best_cps);
	CHECK(ci.rate_cps <= 10000 * 5 / 4 + 100,
		"ramp, ceiling: offered %u not run away", ci.rate_cps);
	CHECK_EQ(done_count(), st()->client_syn_sent,
		"ramp, ceiling: every connection completed");
	CHECK_EQ(st()->client_completed, st()->client_syn_sent,
		"ramp, ceiling: all completed");

	/* the same, with the lcore stalled for 350 ms (3.5 steps) at 1 s:
	 * the stalled step looks like a ceiling far below the rate; the cut
	 * is at most half, and the rate that was good comes back by
	 * doubling, not by 1/8 a step */
	stall_at = 1000;
	stall_ms = 350;
	ramp_syn_rto = 1000; /* no SYN waits out its timer in the stall */
	ramp_run(1000, 10, 100, 2000, &ci);
	stall_ms = 0;
	ramp_syn_rto = 50;
	CHECK(ci.finished && ci.ramp_backoffs == 0,
		"ramp, stall: ends, no backoff");
	CHECK(rate_before_stall >= 9000 && ci.rate_cps >= 9000,
		"ramp, stall: offered %u before the stall, %u at the end",
		rate_before_stall, ci.rate_cps);
	CHECK_EQ(st()->client_completed, st()->client_syn_sent,
		"ramp, stall: all completed");
}

int
main(void)
{
	pool = skt_eal("test_client");
	test_arp();
	test_handshake_close_client();
	test_close_modes();
	test_close_timeouts();
	test_syn_sent();
	test_rate();
	test_tw_reuse();
	test_ramp();
	sk_engine_free(eng);
	skt_eal_done();
	return sk_test_done();
}

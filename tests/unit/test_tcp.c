/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The engine's TCP state machine driven segment by segment with a fake clock:
 * one case per transition of RFC 9293's closing handshakes in both orders,
 * the cookie handshake, RFC 5961 RST/SYN/ACK rules, timers and limits. Each
 * check looks at what a peer would see: the bytes of the response and the
 * counters.
 */

#include <string.h>

#include <rte_mbuf.h>

#include "sk_common.h"
#include "sk_config.h"
#include "sk_engine.h"
#include "sk_flow.h"
#include "sk_frames.h"
#include "sk_test.h"

#define ENGINE_IP 0xc6120002u  /* 198.18.0.2 */
#define PEER_IP   0xc6120001u  /* 198.18.0.1 */
#define NS_PER_MS 1000000ull

static struct rte_mempool *pool;
static struct sk_engine *eng;
static uint64_t now;  /* fake TSC: 1 GHz, so ns */

static const struct sk_stats *
st(void)
{
	return sk_engine_stats(eng);
}

static void
engine_new(uint32_t capacity, uint32_t chal)
{
	struct sk_config c;
	static const uint8_t secret[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };

	if (eng != NULL)
		sk_engine_free(eng);
	sk_config_defaults(&c);
	c.n_addrs = 1;
	c.addrs[0].addr = rte_cpu_to_be_32(ENGINE_IP);
	c.addrs[0].prefix = 24;
	c.n_listen = 4;
	c.listen[0].port = 8080;
	c.listen[0].app = SK_APP_HELLO;
	c.listen[1].port = 80;
	c.listen[1].app = SK_APP_HTTP;
	c.listen[2].port = 7;
	c.listen[2].app = SK_APP_ECHO;
	c.listen[3].port = 9;
	c.listen[3].app = SK_APP_HOLD;
	c.flow_capacity = capacity;
	c.challenge_ack_limit = chal;
	c.time_wait_ms = 1000;
	c.fin_wait2_ms = 2000;
	c.idle_ms = 10000;
	c.rto_ms = 100;
	c.rto_max_ms = 400;
	c.fin_retries = 3;
	c.cookie_max_age_s = 128;
	c.cookie_rotate_s = 0;
	c.secret_set = true;
	memcpy(c.secret, secret, sizeof(secret));
	now = 5 * NS_PER_MS;
	eng = skt_engine(&c, pool, now);
}

/* A client and what it knows of the connection. */
struct peer {
	uint16_t sport, dport;
	uint32_t snd_nxt;   /* our (the client's) next sequence */
	uint32_t rcv_nxt;   /* next sequence we expect from synack */
	bool ts;
	uint32_t tsval, tsecr;
};

static struct skt_resp resp;
static unsigned int nresp;

/* Send one segment; returns the number of responses (0 or 1), kept in
 * resp. */
static unsigned int
xmit(struct peer *c, uint8_t flags, uint32_t seq, uint32_t ack,
		const char *data, const uint8_t *opts, uint8_t optlen)
{
	struct skt_frame f = {
		.saddr = PEER_IP, .daddr = ENGINE_IP,
		.sport = c->sport, .dport = c->dport,
		.seq = seq, .ack = ack, .flags = flags,
		.opts = opts, .optlen = optlen,
		.data = data, .len = data ? (uint16_t)strlen(data) : 0,
	};
	uint8_t tsopt[12];
	struct rte_mbuf *m, *tx[4];
	uint16_t n;

	if (opts == NULL && c->ts) {
		tsopt[0] = 1;
		tsopt[1] = 1;
		tsopt[2] = 8;
		tsopt[3] = 10;
		*(uint32_t *)&tsopt[4] = rte_cpu_to_be_32(c->tsval);
		*(uint32_t *)&tsopt[8] = rte_cpu_to_be_32(c->tsecr);
		f.opts = tsopt;
		f.optlen = 12;
	}
	m = skt_build(pool, &f);
	n = sk_engine_input(eng, &m, 1, tx, now);
	nresp = n;
	if (n == 1) {
		skt_read(tx[0], &resp);
		if (resp.has_ts)
			c->tsecr = resp.tsval;
		rte_pktmbuf_free(tx[0]);
	}
	return n;
}

/* Run timers at the current time; returns segments sent (kept in resp). */
static unsigned int
timers(void)
{
	struct rte_mbuf *tx[64];
	uint16_t n = sk_engine_timers(eng, now, tx, 64);

	nresp = n;
	for (uint16_t i = 0; i < n; i++) {
		skt_read(tx[i], &resp);
		rte_pktmbuf_free(tx[i]);
	}
	return n;
}

static void
advance_ms(uint64_t ms)
{
	/* step through so each timer level gets its turn */
	for (uint64_t i = 0; i < ms; i += 10) {
		now += 10 * NS_PER_MS;
		timers();
	}
}

#define SYN_OPTS_ALL_LEN 20
static const uint8_t syn_opts_all[SYN_OPTS_ALL_LEN] = {
	2, 4, 0x05, 0xb4,               /* MSS 1460 */
	4, 2,                           /* SACK permitted */
	8, 10, 0, 0, 0x10, 0, 0, 0, 0, 0, /* TS val 4096 ecr 0 */
	1, 3, 3, 7,                     /* NOP, WS 7 */
};

/* Three-way handshake with timestamps; returns true if established. */
static bool
connect_peer(struct peer *c, uint16_t sport, uint16_t dport, uint32_t isn)
{
	memset(c, 0, sizeof(*c));
	c->sport = sport;
	c->dport = dport;
	c->snd_nxt = isn;
	if (xmit(c, RTE_TCP_SYN_FLAG, isn, 0, NULL, syn_opts_all,
			SYN_OPTS_ALL_LEN) != 1 ||
			resp.flags != (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG))
		return false;
	c->snd_nxt = isn + 1;
	c->rcv_nxt = resp.seq + 1;
	c->ts = true;
	c->tsval = 4097;
	c->tsecr = resp.tsval;
	xmit(c, RTE_TCP_ACK_FLAG, c->snd_nxt, c->rcv_nxt, NULL, NULL, 0);
	return nresp == 0;
}

/* Send data (PSH|ACK) and account for it. */
static unsigned int
send_data(struct peer *c, const char *d)
{
	unsigned int n;

	c->tsval++;
	n = xmit(c, RTE_TCP_PSH_FLAG | RTE_TCP_ACK_FLAG, c->snd_nxt,
		c->rcv_nxt, d, NULL, 0);
	c->snd_nxt += (uint32_t)strlen(d);
	return n;
}

static unsigned int
send_flags(struct peer *c, uint8_t flags)
{
	unsigned int n;

	c->tsval++;
	n = xmit(c, flags, c->snd_nxt, c->rcv_nxt, NULL, NULL, 0);
	if (flags & (RTE_TCP_FIN_FLAG | RTE_TCP_SYN_FLAG))
		c->snd_nxt++;
	return n;
}

#define F(x) RTE_TCP_ ## x ## _FLAG

static void
test_handshake(void)
{
	struct peer c;
	uint32_t isn = 1000;

	engine_new(64, 1000);
	memset(&c, 0, sizeof(c));
	c.sport = 40000;
	c.dport = 8080;
	CHECK_EQ(xmit(&c, F(SYN), isn, 0, NULL, syn_opts_all,
		SYN_OPTS_ALL_LEN), 1, "SYN is answered");
	CHECK_EQ(resp.flags, F(SYN) | F(ACK), "with SYN|ACK");
	CHECK_EQ(resp.ack, isn + 1, "acking the client ISN + 1");
	CHECK_EQ(resp.sport, 8080, "from the listening port");
	CHECK_EQ(resp.dport, 40000, "to the client port");
	CHECK_EQ(resp.saddr, ENGINE_IP, "from our address");
	CHECK(rte_is_same_ether_addr(&resp.dst, &skt_peer_mac),
		"to the client's MAC");
	CHECK(rte_is_same_ether_addr(&resp.src, &skt_engine_mac),
		"from our MAC");
	CHECK_EQ(resp.mss, 1460, "MSS option carried");
	CHECK(resp.sack_ok, "SACK-permitted echoed");
	CHECK_EQ(resp.wscale, 0, "window scale echoed (our shift 0)");
	CHECK(resp.has_ts && resp.tsecr == 4096, "timestamp echoed");
	CHECK(resp.ip_ok && resp.tcp_ok, "checksums valid");
	CHECK_EQ(sk_flow_count(sk_engine_flows(eng)), 0,
		"a SYN creates no state");
	CHECK_EQ(st()->tx_synack, 1, "tx_synack counted");

	/* SYN without options: MSS only, nothing else offered */
	c.sport = 40001;
	xmit(&c, F(SYN), 77, 0, NULL, NULL, 0);
	CHECK(resp.mss == 1460 && !resp.has_ts && !resp.sack_ok &&
		resp.wscale == -1, "bare SYN: MSS only in the SYN-ACK");

	/* the completing ACK */
	CHECK(connect_peer(&c, 40002, 8080, 5000),
		"ACK with a valid cookie establishes, silently");
	CHECK_EQ(st()->cookie_ok, 1, "cookie_ok counted");
	CHECK_EQ(st()->flow_created, 1, "flow_created counted");
	CHECK_EQ(st()->flows[SK_ST_ESTABLISHED], 1, "one ESTABLISHED flow");

	/* off-by-one ACKs never validate */
	memset(&c, 0, sizeof(c));
	c.sport = 40003;
	c.dport = 8080;
	xmit(&c, F(SYN), 9000, 0, NULL, NULL, 0);
	{
		uint32_t cookie = resp.seq;

		CHECK_EQ(xmit(&c, F(ACK), 9001, cookie + 2, NULL, NULL, 0), 1,
			"ACK = cookie + 2 answered");
		CHECK_EQ(resp.flags, F(RST), "... with RST");
		CHECK_EQ(resp.seq, cookie + 2, "RST seq = SEG.ACK");
		xmit(&c, F(ACK), 9002, cookie + 1, NULL, NULL, 0);
		CHECK_EQ(resp.flags, F(RST), "seq off by one: RST");
		xmit(&c, F(ACK), 9000, cookie + 1, NULL, NULL, 0);
		CHECK_EQ(resp.flags, F(RST), "seq off by minus one: RST");
		CHECK_EQ(st()->cookie_bad_mac, 3, "three bad cookies counted");
		CHECK_EQ(st()->flow_created, 1, "and no flow created");
		/* too old */
		now += 400ull * 1000 * NS_PER_MS;
		xmit(&c, F(ACK), 9001, cookie + 1, NULL, NULL, 0);
		CHECK_EQ(resp.flags, F(RST), "cookie 400 s old: RST");
		CHECK_EQ(st()->cookie_too_old, 1, "cookie_too_old counted");
	}
}

static void
test_closed_port(void)
{
	struct peer c = { .sport = 40000, .dport = 9999 };

	engine_new(64, 1000);
	CHECK_EQ(xmit(&c, F(SYN), 100, 0, NULL, NULL, 0), 1,
		"SYN to a closed port answered");
	CHECK_EQ(resp.flags, F(RST) | F(ACK), "with RST|ACK");
	CHECK(resp.seq == 0 && resp.ack == 101, "seq 0, ack = SEG.SEQ + 1");
	xmit(&c, F(ACK), 100, 5555, NULL, NULL, 0);
	CHECK(resp.flags == F(RST) && resp.seq == 5555,
		"ACK to a closed port: RST with seq = SEG.ACK");
	CHECK_EQ(xmit(&c, F(RST), 100, 0, NULL, NULL, 0), 0,
		"RST to a closed port: silence");
	CHECK_EQ(st()->tx_rst_closed_port, 2, "tx_rst_closed_port counted");
}

/* hello: synack closes first: FIN_WAIT_1 -> FIN_WAIT_2 -> TIME_WAIT */
static void
test_hello_close_first(void)
{
	struct peer c;

	engine_new(64, 1000);
	CHECK(connect_peer(&c, 41000, 8080, 1), "hello: established");
	CHECK_EQ(send_data(&c, "Hello Server\n"), 1, "line answered");
	CHECK_EQ(resp.len, 13, "13 bytes");
	CHECK(memcmp(resp.data, "Hello Client\n", 13) == 0,
		"\"Hello Client\\n\"");
	CHECK_EQ(resp.flags, F(ACK) | F(PSH) | F(FIN), "with FIN (close first)");
	CHECK_EQ(resp.ack, c.snd_nxt, "acking the line exactly");
	CHECK(resp.has_ts && resp.tsecr == c.tsval, "TS on data segments");
	CHECK_EQ(st()->flows[SK_ST_FIN_WAIT_1], 1, "-> FIN_WAIT_1");
	c.rcv_nxt = resp.seq + 13 + 1;
	CHECK_EQ(send_flags(&c, F(ACK)), 0, "ACK of FIN: no answer");
	CHECK_EQ(st()->flows[SK_ST_FIN_WAIT_2], 1, "-> FIN_WAIT_2");
	CHECK_EQ(send_flags(&c, F(FIN) | F(ACK)), 1, "client FIN answered");
	CHECK(resp.flags == F(ACK) && resp.ack == c.snd_nxt,
		"with an ACK of the FIN");
	CHECK_EQ(st()->flows[SK_ST_TIME_WAIT], 1, "-> TIME_WAIT");
	/* a retransmitted FIN in TIME_WAIT is ACKed again */
	c.snd_nxt--;
	CHECK_EQ(send_flags(&c, F(FIN) | F(ACK)), 1,
		"retransmitted FIN in TIME_WAIT: ACK");
	advance_ms(900);
	CHECK_EQ(st()->flows[SK_ST_TIME_WAIT], 1, "TIME_WAIT holds");
	advance_ms(400);
	CHECK_EQ(st()->close_normal, 1, "freed after 2 MSL");
	CHECK_EQ(sk_flow_count(sk_engine_flows(eng)), 0, "table empty");
}

/* FIN_WAIT_1 + FIN (our FIN not yet ACKed) -> CLOSING -> TIME_WAIT */
static void
test_simultaneous_close(void)
{
	struct peer c;
	uint32_t our_fin;

	engine_new(64, 1000);
	connect_peer(&c, 41001, 8080, 1);
	send_data(&c, "Hello Server\n");
	our_fin = resp.seq + 13;
	c.rcv_nxt = our_fin; /* data seen, FIN not yet */
	CHECK_EQ(send_flags(&c, F(FIN) | F(ACK)), 1,
		"FIN before acking ours answered");
	CHECK_EQ(st()->flows[SK_ST_CLOSING], 1, "-> CLOSING");
	c.rcv_nxt = our_fin + 1;
	CHECK_EQ(send_flags(&c, F(ACK)), 0, "ACK of our FIN");
	CHECK_EQ(st()->flows[SK_ST_TIME_WAIT], 1, "CLOSING -> TIME_WAIT");

	/* FIN+ACK of everything at once: FIN_WAIT_1 -> TIME_WAIT */
	connect_peer(&c, 41002, 8080, 1);
	send_data(&c, "Hello Server\n");
	c.rcv_nxt = resp.seq + 14;
	CHECK_EQ(send_flags(&c, F(FIN) | F(ACK)), 1, "FIN|ACK answered");
	CHECK_EQ(st()->flows[SK_ST_TIME_WAIT], 2,
		"FIN_WAIT_1 -> TIME_WAIT directly");
}

/* hold: the client closes first: CLOSE_WAIT -> LAST_ACK -> CLOSED */
static void
test_hold_peer_closes(void)
{
	struct peer c;

	engine_new(64, 1000);
	connect_peer(&c, 42000, 9, 1);
	CHECK_EQ(send_data(&c, "abc"), 1, "hold: data ACKed");
	CHECK(resp.flags == F(ACK) && resp.ack == c.snd_nxt && resp.len == 0,
		"a pure ACK of exactly 3 bytes");
	CHECK_EQ(send_flags(&c, F(FIN) | F(ACK)), 1, "client FIN answered");
	CHECK_EQ(resp.flags, F(FIN) | F(ACK), "with our FIN at once");
	CHECK_EQ(resp.ack, c.snd_nxt, "acking the client's FIN");
	CHECK_EQ(st()->flows[SK_ST_LAST_ACK], 1, "-> LAST_ACK");
	c.rcv_nxt = resp.seq + 1;
	CHECK_EQ(send_flags(&c, F(ACK)), 0, "last ACK: no answer");
	CHECK_EQ(st()->close_normal, 1, "LAST_ACK -> CLOSED");
	CHECK_EQ(sk_flow_count(sk_engine_flows(eng)), 0, "flow freed");
}

/* Our FIN is lost: retransmit with backoff, then give up. */
static void
test_fin_retransmit(void)
{
	struct peer c;
	uint32_t fin_seq;

	engine_new(64, 1000);
	connect_peer(&c, 42001, 9, 1);
	send_flags(&c, F(FIN) | F(ACK));
	fin_seq = resp.seq;
	now += 99 * NS_PER_MS;
	CHECK_EQ(timers(), 0, "nothing before the RTO");
	now += 20 * NS_PER_MS;
	CHECK_EQ(timers(), 1, "FIN retransmitted after the RTO");
	CHECK(resp.flags == (F(FIN) | F(ACK)) && resp.seq == fin_seq,
		"same FIN, same sequence");
	CHECK(rte_is_same_ether_addr(&resp.dst, &skt_peer_mac),
		"to the peer's MAC (neighbour cache)");
	CHECK(resp.ip_ok && resp.tcp_ok, "timer segment checksums valid");
	now += 150 * NS_PER_MS;
	CHECK_EQ(timers(), 0, "backoff: not again after 150 ms");
	now += 100 * NS_PER_MS;
	CHECK_EQ(timers(), 1, "second retransmission after 2 x RTO");
	advance_ms(2000);
	CHECK_EQ(st()->tx_fin_retx, 3, "fin_retries = 3 retransmissions");
	CHECK_EQ(st()->close_fin_timeout, 1, "then the flow is freed");

	/* hello's reply is lost too: the retransmission carries it */
	connect_peer(&c, 42002, 8080, 1);
	send_data(&c, "Hello Server\n");
	now += 120 * NS_PER_MS;
	timers();
	CHECK(resp.len == 13 && memcmp(resp.data, "Hello Client\n", 13) == 0 &&
		(resp.flags & F(FIN)), "lost reply retransmitted with the FIN");

	/* http closed by the peer before a whole request: our FIN carries
	 * no reply, so its retransmission carries none either */
	connect_peer(&c, 42003, 80, 1);
	send_data(&c, "GET / HT");
	send_flags(&c, F(FIN) | F(ACK));
	fin_seq = resp.seq;
	CHECK(resp.len == 0 && (resp.flags & F(FIN)), "http: bare FIN");
	now += 120 * NS_PER_MS;
	timers();
	CHECK(resp.len == 0 && resp.seq == fin_seq && (resp.flags & F(FIN)),
		"its retransmission is the bare FIN at the same sequence");

	/* hello half-closed by the peer without a newline: the seeds'
	 * server reads to end of stream and still answers */
	connect_peer(&c, 42004, 8080, 1);
	send_data(&c, "Hello Server");
	CHECK_EQ(send_flags(&c, F(FIN) | F(ACK)), 1, "hello: FIN answered");
	CHECK(resp.len == 13 && memcmp(resp.data, "Hello Client\n", 13) == 0 &&
		(resp.flags & F(FIN)) && resp.ack == c.snd_nxt,
		"with the reply, our FIN and an ACK of theirs");
	fin_seq = resp.seq;
	now += 120 * NS_PER_MS;
	timers();
	CHECK(resp.len == 13 && resp.seq == fin_seq && (resp.flags & F(FIN)),
		"retransmitted whole");
}

static void
test_fin_wait2_timeout(void)
{
	struct peer c;

	engine_new(64, 1000);
	connect_peer(&c, 43000, 8080, 1);
	send_data(&c, "Hello Server\n");
	c.rcv_nxt = resp.seq + 14;
	send_flags(&c, F(ACK));
	CHECK_EQ(st()->flows[SK_ST_FIN_WAIT_2], 1, "in FIN_WAIT_2");
	advance_ms(2400);
	CHECK_EQ(st()->close_fin_wait2, 1, "FIN_WAIT_2 timeout frees it");
	CHECK_EQ(sk_flow_count(sk_engine_flows(eng)), 0, "table empty");
}

static void
test_rst(void)
{
	struct peer c;

	engine_new(64, 1000);
	connect_peer(&c, 44000, 9, 1000);
	CHECK_EQ(xmit(&c, F(RST), c.snd_nxt + 100, 0, NULL, NULL, 0), 1,
		"in-window inexact RST: challenge ACK");
	CHECK(resp.flags == F(ACK) && resp.ack == c.snd_nxt,
		"challenge ACK acks RCV.NXT");
	CHECK_EQ(st()->tx_challenge_ack, 1, "tx_challenge_ack counted");
	CHECK_EQ(xmit(&c, F(RST), c.snd_nxt + 200000, 0, NULL, NULL, 0), 0,
		"out-of-window RST dropped silently");
	CHECK_EQ(st()->drop_rst_oow, 1, "drop_rst_oow counted");
	CHECK_EQ(st()->flows[SK_ST_ESTABLISHED], 1, "flow survives both");
	CHECK_EQ(xmit(&c, F(RST), c.snd_nxt, 0, NULL, NULL, 0), 0,
		"exact RST: no answer");
	CHECK_EQ(st()->close_rst, 1, "exact RST closes");
	CHECK_EQ(sk_flow_count(sk_engine_flows(eng)), 0, "flow freed");
}

static void
test_syn_on_flow_and_limit(void)
{
	struct peer c;

	engine_new(64, 2);
	connect_peer(&c, 45000, 9, 1000);
	/* SYNs carry a current timestamp: an old one would be a PAWS
	 * duplicate, answered before the SYN check (RFC 7323 5.3) */
	CHECK_EQ(xmit(&c, F(SYN), 1000, 0, NULL, NULL, 0), 1,
		"SYN on an established flow answered");
	CHECK(resp.flags == F(ACK) && resp.ack == c.snd_nxt,
		"with a challenge ACK, not a SYN-ACK");
	xmit(&c, F(SYN), 7777777, 0, NULL, NULL, 0);
	CHECK_EQ(st()->tx_challenge_ack, 2, "second challenge ACK");
	CHECK_EQ(xmit(&c, F(SYN), 1000, 0, NULL, NULL, 0), 0,
		"third within the second: limited");
	CHECK_EQ(st()->drop_challenge_limit, 1, "drop_challenge_limit");
	now += 1000 * NS_PER_MS;
	CHECK_EQ(xmit(&c, F(SYN), 1000, 0, NULL, NULL, 0), 1,
		"budget refills the next second");
	CHECK_EQ(st()->flows[SK_ST_ESTABLISHED], 1, "flow untouched");
}

static void
test_windows(void)
{
	struct peer c;
	uint32_t una;

	engine_new(64, 1000);
	connect_peer(&c, 46000, 9, 1000);
	una = c.rcv_nxt;
	CHECK_EQ(xmit(&c, F(ACK) | F(PSH), c.snd_nxt + 100000, una, "zz",
		NULL, 0), 1, "data beyond the window: ACK");
	CHECK(resp.flags == F(ACK) && resp.ack == c.snd_nxt,
		"ACK of RCV.NXT");
	CHECK_EQ(st()->tx_oow_ack, 1, "tx_oow_ack");
	CHECK_EQ(xmit(&c, F(ACK) | F(PSH), c.snd_nxt + 10, una, "zz", NULL,
		0), 1, "data after a hole: dup ACK");
	CHECK_EQ(resp.ack, c.snd_nxt, "acking RCV.NXT");
	CHECK_EQ(st()->tx_dup_ack, 1, "tx_dup_ack");
	CHECK_EQ(xmit(&c, F(ACK), c.snd_nxt, una + 10, NULL, NULL, 0), 1,
		"ACK of data never sent: challenge ACK");
	CHECK_EQ(st()->drop_old_ack, 1, "drop_old_ack");
	/* overlap: 2 old bytes then 3 new */
	send_data(&c, "ab");
	c.snd_nxt -= 2;
	send_data(&c, "abcde");
	CHECK_EQ(resp.ack, c.snd_nxt, "overlapping segment: new bytes acked");
	/* PAWS */
	c.tsval = 1;
	CHECK_EQ(send_data(&c, "x"), 1, "old timestamp: answered");
	c.snd_nxt--;
	CHECK(resp.ack == c.snd_nxt && resp.len == 0,
		"with an ACK that does not take the byte");
	CHECK_EQ(st()->drop_paws, 1, "drop_paws");
	/* no ACK flag */
	c.tsval = 100000;
	CHECK_EQ(xmit(&c, F(FIN), c.snd_nxt, 0, NULL, NULL, 0), 0,
		"FIN without ACK dropped");
	CHECK_EQ(st()->drop_no_ack, 1, "drop_no_ack");
}

static void
test_echo_http(void)
{
	struct peer c;

	engine_new(64, 1000);
	connect_peer(&c, 47000, 7, 1);
	CHECK_EQ(send_data(&c, "ping 123"), 1, "echo answers");
	CHECK(resp.len == 8 && memcmp(resp.data, "ping 123", 8) == 0,
		"the same bytes");
	CHECK(resp.ack == c.snd_nxt && (resp.flags & F(PSH)),
		"acked, pushed");
	CHECK(resp.ip_ok && resp.tcp_ok, "checksums valid");
	connect_peer(&c, 47001, 80, 1);
	CHECK_EQ(send_data(&c, "GET / HTTP/1.1\r\nHost: x\r\n"), 1,
		"partial request head: ACK only");
	CHECK_EQ(resp.len, 0, "no response yet");
	CHECK_EQ(send_data(&c, "\r\n"), 1, "end of head");
	CHECK(resp.len > 17 && memcmp(resp.data, "HTTP/1.1 200 OK\r\n", 17) == 0,
		"HTTP/1.1 200");
	CHECK(resp.flags & F(FIN), "then close");
}

static void
test_time_wait_reuse(void)
{
	struct peer c;

	engine_new(64, 1000);
	connect_peer(&c, 48000, 8080, 1000);
	send_data(&c, "Hello Server\n");
	c.rcv_nxt = resp.seq + 14;
	send_flags(&c, F(FIN) | F(ACK));
	CHECK_EQ(st()->flows[SK_ST_TIME_WAIT], 1, "in TIME_WAIT");
	memset(&c, 0, sizeof(c));
	c.sport = 48000;
	c.dport = 8080;
	CHECK_EQ(xmit(&c, F(SYN), 500, 0, NULL, NULL, 0), 1,
		"old-sequence SYN in TIME_WAIT answered");
	CHECK_EQ(resp.flags, F(ACK), "with an ACK, not a SYN-ACK");
	CHECK_EQ(xmit(&c, F(SYN), 900000, 0, NULL, NULL, 0), 1,
		"newer SYN in TIME_WAIT answered");
	CHECK_EQ(resp.flags, F(SYN) | F(ACK), "with a SYN-ACK");
	CHECK_EQ(st()->flow_tw_reuse, 1, "flow_tw_reuse");
	CHECK_EQ(sk_flow_count(sk_engine_flows(eng)), 0, "old flow freed");

	/* RFC 6191 with timestamps on both: the timestamp decides */
	engine_new(64, 1000);
	connect_peer(&c, 48001, 8080, 1000);
	send_data(&c, "Hello Server\n");
	c.rcv_nxt = resp.seq + 14;
	send_flags(&c, F(FIN) | F(ACK));
	CHECK_EQ(st()->flows[SK_ST_TIME_WAIT], 1, "TS: in TIME_WAIT");
	c.ts = true;
	c.tsval -= 100; /* older than the old connection's last */
	xmit(&c, F(SYN), 900000, 0, NULL, NULL, 0);
	CHECK(st()->flow_tw_reuse == 0 &&
		st()->flows[SK_ST_TIME_WAIT] == 1 &&
		(nresp == 0 || !(resp.flags & F(SYN))),
		"TS: a greater sequence with an older timestamp does not "
		"reopen TIME_WAIT");
	c.tsval += 200; /* newer */
	CHECK_EQ(xmit(&c, F(SYN), 500, 0, NULL, NULL, 0), 1,
		"TS: newer timestamp, lower sequence answered");
	CHECK(resp.flags == (F(SYN) | F(ACK)) && st()->flow_tw_reuse == 1,
		"TS: reopened with a SYN-ACK");
}

static void
test_data_after_close(void)
{
	struct peer c;

	engine_new(64, 1000);
	connect_peer(&c, 49000, 8080, 1);
	send_data(&c, "Hello Server\n");
	c.rcv_nxt = resp.seq + 14;
	send_flags(&c, F(ACK));
	CHECK_EQ(send_data(&c, "more"), 1, "data after our close answered");
	CHECK(resp.flags & F(RST), "with RST (RFC 1122 4.2.2.13)");
	CHECK_EQ(sk_flow_count(sk_engine_flows(eng)), 0, "flow freed");
}

static void
test_table_full(void)
{
	struct peer c;

	engine_new(2, 1000);
	CHECK(connect_peer(&c, 50000, 9, 1), "flow 1");
	CHECK(connect_peer(&c, 50001, 9, 1), "flow 2");
	CHECK(!connect_peer(&c, 50002, 9, 1), "flow 3 refused");
	CHECK_EQ(resp.flags, F(RST), "with RST");
	CHECK_EQ(st()->tx_rst_table_full, 1, "tx_rst_table_full");
	CHECK_EQ(sk_flow_count(sk_engine_flows(eng)), 2, "table still 2");
}

static void
test_idle(void)
{
	struct peer c;

	engine_new(64, 1000);
	connect_peer(&c, 51000, 9, 1);
	advance_ms(11500);
	CHECK_EQ(st()->close_idle, 1, "idle timeout closes");
	CHECK_EQ(st()->tx_rst_idle, 1, "with a RST");
	CHECK_EQ(sk_flow_count(sk_engine_flows(eng)), 0, "flow freed");
}

int
main(void)
{
	unsigned int avail;

	pool = skt_eal("test_tcp");
	avail = rte_mempool_avail_count(pool);
	test_handshake();
	test_closed_port();
	test_hello_close_first();
	test_simultaneous_close();
	test_hold_peer_closes();
	test_fin_retransmit();
	test_fin_wait2_timeout();
	test_rst();
	test_syn_on_flow_and_limit();
	test_windows();
	test_echo_http();
	test_time_wait_reuse();
	test_data_after_close();
	test_table_full();
	test_idle();
	sk_engine_free(eng);
	CHECK_EQ(rte_mempool_avail_count(pool), avail, "no mbuf leaked");
	skt_eal_done();
	return sk_test_done();
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SYN proxy driven segment by segment with a fake clock, both ends
 * played by the test: a client on 198.18.0.1 and a backend on 198.18.0.3
 * (and over IPv6). Every segment the engine sends is read back as the
 * peer would: addresses, ports, sequence and acknowledgment numbers,
 * timestamps, SACK blocks, windows, payload and checksums.
 */

#include <string.h>

#include <rte_mbuf.h>

#include "sk_common.h"
#include "sk_config.h"
#include "sk_engine.h"
#include "sk_frames.h"
#include "sk_test.h"

#define ENGINE_IP  0xc6120002u  /* 198.18.0.2 */
#define CLIENT_IP  0xc6120001u  /* 198.18.0.1 */
#define BACKEND_IP 0xc6120003u  /* 198.18.0.3 */
#define BACKEND_IP2 0xc6120004u /* 198.18.0.4 */
#define NS_PER_MS 1000000ull
#define PX_PORT 8080
#define PX_PORT2 8443
#define BE_PORT 80

static struct rte_mempool *pool;
static struct sk_engine *eng;
static uint64_t now;

/* A big-endian 32-bit field anywhere in a frame. */
static uint32_t
be32_at(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return rte_be_to_cpu_32(v);
}

static const struct sk_stats *
st(void)
{
	return sk_engine_stats(eng);
}

static uint64_t
live_flows(void)
{
	uint64_t n = 0;

	for (unsigned int s = 1; s < SK_ST_MAX; s++)
		n += st()->flows[s];
	return n;
}

static bool pp2;  /* the next engine sends PROXY protocol headers */
static bool client_isn;  /* the next engine: [proxy] client_isn */
/* the next engine proxies PX_PORT2 too, to BACKEND_IP2, its own backend,
 * and PX_PORT to the others */
static bool two_ports;
/* the next engine: one source port, pairs kept 5 s in TIME_WAIT */
static bool one_port;
/* the next engine: two arms, the backends on DPDK port 1 (the clients'
 * is port 0), with a MAC of its own there */
static bool two_arm;
static const struct rte_ether_addr inside_mac = {
	.addr_bytes = { 0x02, 0, 0, 0, 0, 0x22 } };

static void
engine_new(void)
{
	struct sk_config c;
	static const uint8_t secret[16] = { 9, 8, 7, 6, 5, 4, 3, 2, 1 };
	static const uint8_t e6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	static const uint8_t b6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 3 };

	if (eng != NULL)
		sk_engine_free(eng);
	sk_config_defaults(&c);
	c.n_addrs = 1;
	c.addrs[0].addr = rte_cpu_to_be_32(ENGINE_IP);
	c.addrs[0].prefix = 24;
	c.n_addrs6 = 1;
	memcpy(c.addrs6[0].addr, e6, 16);
	c.addrs6[0].prefix = 64;
	c.n_listen = 1;
	c.listen[0].port = PX_PORT;
	c.listen[0].app = SK_APP_PROXY;
	c.n_backends = 2;
	c.backends[0].family = 4;
	c.backends[0].addr = rte_cpu_to_be_32(BACKEND_IP);
	c.backends[0].port = BE_PORT;
	c.backends[1].family = 6;
	memcpy(c.backends[1].addr6, b6, 16);
	c.backends[1].port = BE_PORT;
	if (two_ports) {
		c.n_listen = 2;
		c.listen[1].port = PX_PORT2;
		c.listen[1].app = SK_APP_PROXY;
		c.n_backends = 3;
		c.backends[2].family = 4;
		c.backends[2].addr = rte_cpu_to_be_32(BACKEND_IP2);
		c.backends[2].port = BE_PORT;
		c.backends[2].lport = PX_PORT2;
	}
	c.proxy_connect_ms = 3000;
	c.proxy_syn_rto_ms = 1000;
	c.proxy_port_lo = 40000;
	c.proxy_port_hi = 40009;
	c.proxy_protocol = pp2;
	c.proxy_client_isn = client_isn;

	c.flow_capacity = 1024;
	c.time_wait_ms = 1000;
	c.proxy_time_wait_ms = 1000;
	if (one_port) {
		c.proxy_port_hi = c.proxy_port_lo;
		c.proxy_time_wait_ms = 5000;
	}
	c.idle_ms = 0;
	c.cookie_max_age_s = 128;
	c.cookie_rotate_s = 0;
	c.secret_set = true;
	memcpy(c.secret, secret, sizeof(secret));
	now = 5 * NS_PER_MS;
	eng = two_arm ? skt_engine_two_arm(&c, pool, now, &inside_mac) :
		skt_engine(&c, pool, now);
}

/* ---- segments in and out ------------------------------------------------- */

static struct skt_resp out[4];
static uint16_t out_port[4];   /* m->port of what came out */
static unsigned int nout;
/* the port the next frames come in on (two arms: 1 is the backends',
 * with its own MAC as destination); RTE_MBUF_PORT_INVALID: as built */
static uint16_t rx_port = RTE_MBUF_PORT_INVALID;

static unsigned int
feed(struct rte_mbuf *m)
{
	struct rte_mbuf *tx[4];

	if (rx_port != RTE_MBUF_PORT_INVALID) {
		m->port = rx_port;
		if (rx_port == 1)
			rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr =
				inside_mac;
	}
	nout = sk_engine_input(eng, &m, 1, tx, now);
	for (unsigned int i = 0; i < nout; i++) {
		skt_read(tx[i], &out[i]);
		out_port[i] = tx[i]->port;
		rte_pktmbuf_free(tx[i]);
	}
	return nout;
}

static unsigned int
timers(void)
{
	struct rte_mbuf *tx[64];

	nout = sk_engine_timers(eng, now, tx, 64);
	for (unsigned int i = 0; i < nout; i++) {
		if (i < 4) {
			skt_read(tx[i], &out[i]);
			out_port[i] = tx[i]->port;
		}
		rte_pktmbuf_free(tx[i]);
	}
	return nout;
}

/* A new engine whose first timer pass has asked for the backends, and
 * which has heard the IPv4 backend's ARP reply. */
static void
engine_resolved(void)
{
	engine_new();
	now += 10 * NS_PER_MS;
	timers();
	feed(skt_build_arp(pool, RTE_ARP_OP_REPLY, BACKEND_IP, ENGINE_IP, 6,
			false));
}

/* A TCP segment over IPv4, TS option when @p ts, extra options after. */
static unsigned int
seg(uint32_t saddr, uint16_t sport, uint16_t dport, uint8_t flags,
		uint32_t seq, uint32_t ack, uint16_t win, bool ts,
		uint32_t tsval, uint32_t tsecr, const uint8_t *more,
		uint8_t morelen, const char *data)
{
	uint8_t o[40];
	uint8_t ol = 0;
	struct skt_frame f = {
		.saddr = saddr, .daddr = ENGINE_IP,
		.sport = sport, .dport = dport,
		.seq = seq, .ack = ack, .flags = flags, .win = win,
		.data = data, .len = data ? (uint16_t)strlen(data) : 0,
	};

	if (ts) {
		o[0] = 1;
		o[1] = 1;
		o[2] = 8;
		o[3] = 10;
		skt_put32(o + 4, tsval);
		skt_put32(o + 8, tsecr);
		ol = 12;
	}
	if (morelen) {
		memcpy(o + ol, more, morelen);
		ol = (uint8_t)(ol + morelen);
	}
	f.opts = o;
	f.optlen = ol;
	return feed(skt_build(pool, &f));
}

static const uint8_t syn_more[8] = {
	2, 4, 0x05, 0xb4,   /* MSS 1460 */
	1, 3, 3, 7,         /* NOP, WS 7 */
};
static const uint8_t sack_perm[4] = { 1, 1, 4, 2 };

#define ACK RTE_TCP_ACK_FLAG
#define SYN RTE_TCP_SYN_FLAG
#define FIN RTE_TCP_FIN_FLAG
#define RST RTE_TCP_RST_FLAG
#define PSH RTE_TCP_PSH_FLAG

/* A client connection up to the backend's SYN; what each side knows. */
struct conn {
	uint16_t cport;
	uint32_t c_isn, s_isn;      /* client's ISN, the cookie */
	uint32_t c_ts, s_ts;        /* client's TSval now, cookie TSval */
	int s_ws;                   /* the SYN-ACK's window scale */
	uint16_t bport;             /* our port toward the backend */
	uint32_t b_isn_ours;        /* our SYN to the backend */
	uint32_t b_ts_ours;         /* its TSval */
	uint32_t b_isn;             /* the backend's ISN */
	uint32_t b_ts;              /* the backend's TSval */
};

/* SYN (with timestamps, SACK, WS 7), SYN-ACK, ACK: returns with the SYN
 * the engine sent to the backend in out[0]. */
static uint16_t conn_port = PX_PORT;  /* the proxied port open_conn() uses */

static bool
open_conn(struct conn *k, uint16_t cport, bool with_data)
{
	uint8_t more[12];

	memset(k, 0, sizeof(*k));
	k->cport = cport;
	k->c_isn = 1000000u * cport;
	k->c_ts = 5000;
	memcpy(more, syn_more, 8);
	memcpy(more + 8, sack_perm, 4);
	if (seg(CLIENT_IP, cport, conn_port, SYN, k->c_isn, 0, 29200, true,
			k->c_ts, 0, more, 12, NULL) != 1 ||
			out[0].flags != (SYN | ACK))
		return false;
	k->s_isn = out[0].seq;
	k->s_ts = out[0].tsval;
	k->s_ws = out[0].wscale;
	k->c_ts++;
	if (seg(CLIENT_IP, cport, conn_port, ACK | (with_data ? PSH : 0),
			k->c_isn + 1, k->s_isn + 1, 229, true, k->c_ts,
			k->s_ts, NULL, 0, with_data ? "GET /\n" : NULL) != 1)
		return false;
	k->bport = out[0].sport;
	k->b_isn_ours = out[0].seq;
	k->b_ts_ours = out[0].tsval;
	return true;
}

/* ---- cases ---------------------------------------------------------------- */

static void
test_arp(void)
{
	struct conn k;

	engine_new();
	now += 10 * NS_PER_MS;
	timers();
	CHECK(st()->proxy_arp_request == 2,
		"ARP and NS for the two backends (%lu)",
		(unsigned long)st()->proxy_arp_request);
	/* before any answer, a valid ACK waits for the backend's MAC... */
	CHECK(!open_conn(&k, 1111, false) && nout == 0,
		"unresolved backend: the ACK is held, nothing sent");
	CHECK(live_flows() == 2 && st()->proxy_fail_unresolved == 0,
		"the pair waits");
	now += 500 * NS_PER_MS;
	CHECK(timers() == 1 && st()->proxy_arp_request == 3,
		"no SYN while the MAC is unknown, the ARP request again (100 ms "
		"after the last while a client waits, not a second): %u out, "
		"%lu requests", nout, (unsigned long)st()->proxy_arp_request);
	/* ...until [proxy] connect_timeout: then the client is reset */
	now += 2600 * NS_PER_MS;
	{
		/* with the ARP and NS requests of the second */
		unsigned int n = timers(), rst = 0;

		for (unsigned int i = 0; i < n && i < 4; i++)
			rst += (out[i].flags & RST) &&
				out[i].daddr == CLIENT_IP &&
				out[i].seq == k.s_isn + 1;
		CHECK(rst == 1, "never resolved: the client reset at "
			"connect_timeout (%u frames out)", n);
	}
	CHECK(st()->proxy_fail_unresolved == 1 &&
		st()->proxy_fail_timeout == 0, "counted unresolved");
	CHECK(live_flows() == 0, "pair freed");
	/* a second one waits, the MAC comes, the SYN goes within 10 ms */
	CHECK(!open_conn(&k, 1112, false) && nout == 0 && live_flows() == 2,
		"held again");
	feed(skt_build_arp(pool, RTE_ARP_OP_REPLY, BACKEND_IP, ENGINE_IP, 6,
			false));
	CHECK(st()->rx_arp_reply == 1, "the backend's ARP reply learnt");
	now += 10 * NS_PER_MS;
	CHECK(timers() == 1 && out[0].flags == SYN &&
		out[0].daddr == BACKEND_IP && out[0].dport == BE_PORT &&
		out[0].tcp_ok, "then the SYN to the backend");
	CHECK_EQ(st()->proxy_syn_retx, 0u, "not counted as a retransmission");
	CHECK(seg(CLIENT_IP, 1112, PX_PORT, RST | ACK, k.c_isn + 1,
		k.s_isn + 1, 0, false, 0, 0, NULL, 0, NULL) <= 1 &&
		live_flows() == 0, "a client RST ends it");
}

static void
test_splice(void)
{
	struct conn k;
	const struct skt_resp *r = &out[0];
	uint32_t c_nxt, b_nxt;
	/* client SACK: backend bytes 3..6 of "Hello there\n" as the client
	 * numbers them */
	uint8_t sack[12] = { 1, 1, 5, 10 };

	CHECK(open_conn(&k, 2222, false), "handshake and backend SYN");
	CHECK_EQ(k.s_ws, 7, "a proxied port's SYN-ACK offers window scale 7");
	CHECK(r->saddr == ENGINE_IP && r->daddr == BACKEND_IP &&
		r->dport == BE_PORT && r->flags == SYN,
		"SYN from our address to the backend");
	CHECK(r->sport >= 40000 && r->sport <= 40009, "source port in range");
	CHECK(r->tcp_ok && r->ip_ok, "SYN checksums");
	CHECK(r->mss != 0 && r->mss <= 1460, "client's MSS (%u)", r->mss);
	CHECK(r->wscale == 7, "client's window scale asked (%d)", r->wscale);
	CHECK(r->sack_ok, "SACK-permitted");
	CHECK(r->has_ts && r->tsecr == 0, "our TSval, TSecr 0");
	CHECK(r->seq != k.c_isn, "our own ISN toward the backend");
	CHECK_EQ(r->win, 229u * 128 > 65535 ? 65535u : 229u * 128,
		"the client's window, unscaled");
	CHECK_EQ(st()->proxy_opened, 3u, "opened (and two in test_arp)");

	/* the client's request before the backend answered: held */
	k.c_ts++;
	CHECK(seg(CLIENT_IP, k.cport, PX_PORT, ACK | PSH, k.c_isn + 1,
		k.s_isn + 1, 229, true, k.c_ts, k.s_ts, NULL, 0,
		"GET /\n") == 0, "data held while connecting");
	CHECK_EQ(st()->proxy_parked, 1u, "parked");

	/* the backend's SYN-ACK (WS 2): the held request goes, ACKing it */
	k.b_isn = 70000;
	k.b_ts = 900;
	{
		uint8_t more[4] = { 1, 3, 3, 2 };

		CHECK(seg(BACKEND_IP, BE_PORT, k.bport, SYN | ACK, k.b_isn,
			k.b_isn_ours + 1, 65160, true, k.b_ts, k.b_ts_ours,
			more, 4, NULL) == 1, "SYN-ACK answered");
	}
	CHECK(r->daddr == BACKEND_IP && r->sport == k.bport &&
		r->flags == (ACK | PSH) && r->len == 6 &&
		memcmp(r->data, "GET /\n", 6) == 0,
		"the held request, to the backend");
	CHECK_EQ(r->seq, k.b_isn_ours + 1, "its sequence in our space");
	CHECK_EQ(r->ack, k.b_isn + 1, "it ACKs the SYN-ACK");
	CHECK_EQ(r->tsval, k.b_ts_ours + 1, "client TSval shifted onto ours");
	CHECK_EQ(r->tsecr, k.b_ts,
		"its echo of the cookie's TSval: exactly the SYN-ACK's (Linux "
		"ignores data with an older echo)");
	CHECK(r->tcp_ok && r->ip_ok, "checksums after translation");
	CHECK_EQ(st()->proxy_established, 1u, "established");
	c_nxt = k.c_isn + 1 + 6;
	b_nxt = k.b_isn + 1;

	/* the backend answers: to the client in its numbers */
	k.b_ts += 5;
	CHECK(seg(BACKEND_IP, BE_PORT, k.bport, ACK | PSH, b_nxt,
		k.b_isn_ours + 7, 1000, true, k.b_ts, k.b_ts_ours + 1, NULL,
		0, "Hello there\n") == 1, "the backend's reply relayed");
	CHECK(r->saddr == ENGINE_IP && r->daddr == CLIENT_IP &&
		r->sport == PX_PORT && r->dport == k.cport,
		"from the proxied port to the client");
	CHECK_EQ(r->seq, k.s_isn + 1, "sequence continues the cookie's");
	CHECK_EQ(r->ack, c_nxt, "ACK in the client's numbers");
	CHECK_EQ(r->tsecr, k.c_ts, "TSecr: the client's TSval back");
	CHECK_EQ(r->tsval, k.s_ts + 5,
		"TSval: the cookie SYN-ACK's, as far on as the backend's clock");
	CHECK_EQ(r->win, 4000u >> 7,
		"window 1000 << 2 (the backend's shift), >> 7 (ours to the client)");
	CHECK(r->len == 12 && memcmp(r->data, "Hello there\n", 12) == 0,
		"payload");
	CHECK(r->tcp_ok && r->ip_ok, "checksums");
	/* a retransmission is relayed; bytes count when the receiver ACKs
	 * them, once */
	CHECK(seg(BACKEND_IP, BE_PORT, k.bport, ACK | PSH, b_nxt,
		k.b_isn_ours + 7, 1000, true, k.b_ts, k.b_ts_ours + 1, NULL,
		0, "Hello there\n") == 1 && r->seq == k.s_isn + 1,
		"a retransmission relayed as it is");
	CHECK_EQ(st()->proxy_bytes_b2c, 0u, "not counted before the client ACKs");
	CHECK_EQ(st()->proxy_bytes_c2b, 6u, "the request: the backend ACKed it");
	b_nxt += 12;

	/* a SACK block from the client, shifted into the backend's space */
	skt_put32(sack + 4, k.s_isn + 1 + 3);
	skt_put32(sack + 8, k.s_isn + 1 + 6);
	k.c_ts++;
	CHECK(seg(CLIENT_IP, k.cport, PX_PORT, ACK, c_nxt, k.s_isn + 1, 229,
		true, k.c_ts, r->tsval, sack, 12, NULL) == 1, "ACK relayed");
	{
		const uint8_t *o = NULL;
		struct rte_mbuf *m;
		struct rte_mbuf *tx[2];
		struct skt_frame f = {
			.saddr = CLIENT_IP, .daddr = ENGINE_IP,
			.sport = k.cport, .dport = PX_PORT, .seq = c_nxt,
			.ack = k.s_isn + 1, .flags = ACK, .win = 229,
			.opts = sack, .optlen = 12,
		};

		m = skt_build(pool, &f);
		CHECK(sk_engine_input(eng, &m, 1, tx, now) == 1,
			"SACK relayed");
		o = rte_pktmbuf_mtod_offset(tx[0], const uint8_t *,
			14 + 20 + 20);
		CHECK(o[2] == 5 && o[3] == 10, "SACK option kept");
		CHECK_EQ(be32_at(o + 4),
			k.b_isn + 1 + 3, "SACK left edge in the backend's space");
		CHECK_EQ(be32_at(o + 8),
			k.b_isn + 1 + 6, "SACK right edge");
		skt_read(tx[0], &out[0]);
		CHECK(out[0].tcp_ok, "checksum with SACK translated");
		rte_pktmbuf_free(tx[0]);
	}

	/* close: backend FIN, client FIN+ACK, backend ACK */
	k.b_ts++;
	CHECK(seg(BACKEND_IP, BE_PORT, k.bport, ACK | FIN, b_nxt,
		k.b_isn_ours + 7, 1000, true, k.b_ts, k.b_ts_ours + 2, NULL,
		0, NULL) == 1 && r->flags == (ACK | FIN), "backend FIN relayed");
	CHECK_EQ(r->seq, k.s_isn + 1 + 12, "FIN's sequence");
	k.c_ts++;
	CHECK(seg(CLIENT_IP, k.cport, PX_PORT, ACK | FIN, c_nxt,
		k.s_isn + 1 + 13, 229, true, k.c_ts, r->tsval, NULL, 0,
		NULL) == 1 && r->flags == (ACK | FIN), "client FIN relayed");
	CHECK_EQ(r->ack, b_nxt + 1, "it ACKs the backend's FIN");
	k.b_ts++;
	CHECK(seg(BACKEND_IP, BE_PORT, k.bport, ACK, b_nxt + 1,
		k.b_isn_ours + 8, 1000, true, k.b_ts, r->tsval, NULL, 0,
		NULL) == 1, "last ACK relayed");
	CHECK_EQ(st()->proxy_closed, 1u, "closed by both FINs");
	CHECK_EQ(st()->flows[SK_ST_TIME_WAIT], 2u, "pair in TIME_WAIT");
	now += 1100 * NS_PER_MS;
	timers();
	CHECK_EQ(live_flows(), 0u, "pair freed after TIME_WAIT");
	CHECK_EQ(st()->proxy_bytes_c2b, 6u, "bytes to the backend");
	CHECK_EQ(st()->proxy_bytes_b2c, 12u, "bytes to the client");
}

/* A client's first flight before the backend answered: all of it held,
 * then sent in order, the first in place of the SYN-ACK, the rest on the
 * next timer pass. */
static void
test_park_flight(void)
{
	struct conn k;
	static const char *const parts[3] = { "one ", "two ", "three\n" };
	uint32_t seq;
	unsigned int got = 0;

	CHECK(open_conn(&k, 6666, false), "handshake");
	seq = k.c_isn + 1;
	for (unsigned int i = 0; i < 3; i++) {
		k.c_ts++;
		CHECK(seg(CLIENT_IP, k.cport, PX_PORT, ACK | PSH, seq,
			k.s_isn + 1, 229, true, k.c_ts, k.s_ts, NULL, 0,
			parts[i]) == 0, "segment %u held", i);
		seq += (uint32_t)strlen(parts[i]);
	}
	CHECK(seg(BACKEND_IP, BE_PORT, k.bport, SYN | ACK, 424242,
		k.b_isn_ours + 1, 65160, true, 7, k.b_ts_ours, NULL, 0,
		NULL) == 1 && out[0].len == 4 &&
		memcmp(out[0].data, "one ", 4) == 0,
		"the first held segment answers the SYN-ACK");
	CHECK_EQ(out[0].ack, 424243u, "ACKing it");
	now += NS_PER_MS;
	CHECK(timers() == 2, "the other two on the next pass (%u)", nout);
	if (nout == 2) {
		CHECK(out[0].len == 4 && memcmp(out[0].data, "two ", 4) == 0 &&
			out[1].len == 6 && memcmp(out[1].data, "three\n", 6) == 0,
			"in order");
		CHECK_EQ(out[1].seq, k.b_isn_ours + 1 + 8, "numbers follow");
		got = out[0].tcp_ok && out[1].tcp_ok;
	}
	CHECK(got, "checksums");
	/* end it: client RST */
	CHECK(seg(CLIENT_IP, k.cport, PX_PORT, RST | ACK, seq, k.s_isn + 1,
		0, false, 0, 0, NULL, 0, NULL) == 1, "RST relayed");
	CHECK_EQ(live_flows(), 0u, "pair freed");
}

/* The backend ACKs our SYN with an old connection's numbers (it holds
 * the tuple in TIME_WAIT): a reset, and the SYN again at once. */
static void
test_time_wait_ack(void)
{
	struct conn k;

	CHECK(open_conn(&k, 6767, false), "handshake");
	CHECK(seg(BACKEND_IP, BE_PORT, k.bport, ACK, 999, 12345, 1000, true,
		3, 4, NULL, 0, NULL) == 1 && out[0].flags == RST &&
		out[0].seq == 12345 && out[0].daddr == BACKEND_IP,
		"the unacceptable ACK reset (RFC 9293 3.10.7.3)");
	now += NS_PER_MS;
	CHECK(timers() == 1 && out[0].flags == SYN &&
		out[0].seq == k.b_isn_ours && out[0].tsval == k.b_ts_ours,
		"the same SYN again at once");
	CHECK(seg(BACKEND_IP, BE_PORT, k.bport, SYN | ACK, 777,
		k.b_isn_ours + 1, 65160, true, 5, k.b_ts_ours, NULL, 0,
		NULL) == 1 && out[0].flags == ACK, "then spliced");
	CHECK(seg(CLIENT_IP, k.cport, PX_PORT, RST | ACK, k.c_isn + 1,
		k.s_isn + 1, 0, false, 0, 0, NULL, 0, NULL) == 1, "RST");
	CHECK_EQ(live_flows(), 0u, "pair freed");
}

static void
test_refused(void)
{
	struct conn k;

	CHECK(open_conn(&k, 3333, true), "handshake with data");
	CHECK_EQ(st()->proxy_parked, 5u, "the ACK's data held");
	CHECK(seg(BACKEND_IP, BE_PORT, k.bport, RST | ACK, 0,
		k.b_isn_ours + 1, 0, false, 0, 0, NULL, 0, NULL) == 1,
		"RST from the backend answered");
	CHECK(out[0].daddr == CLIENT_IP && (out[0].flags & RST) &&
		out[0].seq == k.s_isn + 1, "the client is reset");
	CHECK(out[0].tcp_ok, "RST checksum");
	CHECK_EQ(st()->proxy_fail_refused, 1u, "refused counted");
	CHECK_EQ(live_flows(), 0u, "pair freed, held data freed");
}

static void
test_timeout(void)
{
	struct conn k;
	unsigned int retx = 0, rst = 0;

	CHECK(open_conn(&k, 4444, false), "handshake");
	for (unsigned int i = 0; i < 400; i++) {
		now += 10 * NS_PER_MS;
		timers();
		for (unsigned int j = 0; j < nout && j < 4; j++) {
			if (out[j].flags == SYN && out[j].seq == k.b_isn_ours &&
					out[j].tsval == k.b_ts_ours)
				retx++;
			if ((out[j].flags & RST) && out[j].daddr == CLIENT_IP)
				rst++;
		}
	}
	CHECK(retx == 1, "SYN retransmitted at 1 s, same ISN and TSval (%u)",
		retx);
	CHECK(rst == 1, "client reset at connect_timeout (%u)", rst);
	CHECK_EQ(st()->proxy_fail_timeout, 1u, "timeout counted");
	CHECK_EQ(live_flows(), 0u, "pair freed");
}

static void
test_reuse(void)
{
	struct conn k;

	/* a pair closed by RST from the client, exact */
	CHECK(open_conn(&k, 5555, false), "handshake");
	CHECK(seg(BACKEND_IP, BE_PORT, k.bport, SYN | ACK, 123,
		k.b_isn_ours + 1, 65160, true, 1, k.b_ts_ours, NULL, 0,
		NULL) == 1 && out[0].flags == ACK, "bare handshake ACK");
	CHECK_EQ(out[0].tsecr, 1u, "handshake ACK echoes the backend's TSval");
	CHECK_EQ(out[0].tsval, k.b_ts_ours, "with our SYN's TSval");
	CHECK(seg(CLIENT_IP, k.cport, PX_PORT, RST | ACK, k.c_isn + 1,
		k.s_isn + 1, 0, false, 0, 0, NULL, 0, NULL) == 1 &&
		(out[0].flags & RST) && out[0].daddr == BACKEND_IP,
		"client RST relayed");
	CHECK_EQ(out[0].seq, k.b_isn_ours + 1, "in the backend's numbers");
	CHECK_EQ(live_flows(), 0u, "pair freed on exact RST");
}

/* PROXY protocol v2: the header on the handshake's ACK, the client's
 * bytes after it, the backend's ACKs shifted back, the header sent again
 * when the backend ACKs below its end. */
static void
test_pp2(void)
{
	static const uint8_t sig[12] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
		0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a };
	const struct skt_resp *r = &out[0];
	struct conn k;
	uint32_t hdr_end;

	pp2 = true;
	engine_resolved();
	CHECK(open_conn(&k, 7777, false), "handshake");
	CHECK(seg(BACKEND_IP, BE_PORT, k.bport, SYN | ACK, 5000,
		k.b_isn_ours + 1, 65160, true, 1, k.b_ts_ours, NULL, 0,
		NULL) == 1, "SYN-ACK answered");
	CHECK(r->flags == (ACK | PSH) && r->len == 28, "header, 28 bytes (%u)",
		r->len);
	CHECK(memcmp(r->data, sig, 12) == 0 && r->data[12] == 0x21 &&
		r->data[13] == 0x11 && r->data[15] == 12,
		"v2 PROXY TCP4, 12 address bytes");
	CHECK(be32_at(r->data + 16) == CLIENT_IP &&
		be32_at(r->data + 20) == ENGINE_IP,
		"client and proxied addresses");
	CHECK((r->data[24] << 8 | r->data[25]) == 7777 &&
		(r->data[26] << 8 | r->data[27]) == PX_PORT, "ports");
	CHECK_EQ(r->seq, k.b_isn_ours + 1, "header first in the stream");
	CHECK_EQ(r->ack, 5001u, "ACKs the SYN-ACK");
	CHECK(r->tcp_ok, "checksum");
	hdr_end = k.b_isn_ours + 1 + 28;
	/* the client's request comes after the header */
	k.c_ts++;
	CHECK(seg(CLIENT_IP, k.cport, PX_PORT, ACK | PSH, k.c_isn + 1,
		k.s_isn + 1, 229, true, k.c_ts, k.s_ts, NULL, 0, "hi\n") == 1,
		"request relayed");
	CHECK_EQ(r->seq, hdr_end, "shifted by the header");
	/* the backend ACKs only the header's start: sent again */
	CHECK(seg(BACKEND_IP, BE_PORT, k.bport, ACK, 5001, k.b_isn_ours + 1,
		1000, true, 2, k.b_ts_ours, NULL, 0, NULL) == 1, "ACK relayed");
	now += NS_PER_MS;
	CHECK(timers() == 1 && r->len == 28 && r->seq == k.b_isn_ours + 1,
		"header sent again");
	CHECK_EQ(st()->proxy_pp2_retx, 1u, "counted");
	/* the backend ACKs all: the client sees its own numbers */
	CHECK(seg(BACKEND_IP, BE_PORT, k.bport, ACK, 5001, hdr_end + 3,
		1000, true, 3, k.b_ts_ours, NULL, 0, NULL) == 1, "ACK relayed");
	CHECK_EQ(r->ack, k.c_isn + 1 + 3, "ACK in the client's numbers");
	CHECK(seg(CLIENT_IP, k.cport, PX_PORT, RST | ACK, k.c_isn + 4,
		k.s_isn + 1, 0, false, 0, 0, NULL, 0, NULL) == 1, "RST");
	CHECK_EQ(live_flows(), 0u, "pair freed");
	pp2 = false;
}

/* [proxy] client_isn: the backend's SYN carries the client's ISN, and the
 * client's numbers reach the backend unshifted (with a PROXY header: by
 * its length only); the backend's still shift onto the cookie. */
static void
test_client_isn(void)
{
	const struct skt_resp *r = &out[0];
	struct conn k;

	for (int with_pp2 = 0; with_pp2 <= 1; with_pp2++) {
		const uint32_t hl = with_pp2 ? 28 : 0;

		client_isn = true;
		pp2 = with_pp2;
		engine_resolved();
		CHECK(open_conn(&k, 3333, false), "client_isn%s: handshake",
			with_pp2 ? ", PROXY header" : "");
		CHECK_EQ(k.b_isn_ours, k.c_isn,
			"client_isn: the backend's SYN carries the client's ISN");
		CHECK(seg(BACKEND_IP, BE_PORT, k.bport, SYN | ACK, 424242,
			k.c_isn + 1, 65160, true, 77, k.b_ts_ours, NULL, 0,
			NULL) == 1, "client_isn: the SYN-ACK answered");
		CHECK(r->seq == k.c_isn + 1 && r->ack == 424243,
			"client_isn: the handshake's ACK (or the header) in the "
			"client's numbers");
		k.c_ts++;
		CHECK(seg(CLIENT_IP, k.cport, PX_PORT, ACK | PSH, k.c_isn + 1,
			k.s_isn + 1, 229, true, k.c_ts, k.s_ts, NULL, 0,
			"GET /\n") == 1, "client_isn: the request relayed");
		CHECK(r->daddr == BACKEND_IP && r->seq == k.c_isn + 1 + hl &&
			r->ack == 424243 && r->tcp_ok,
			"client_isn: its sequence number %s, checksum",
			with_pp2 ? "after the header" : "unshifted");
		CHECK(seg(BACKEND_IP, BE_PORT, k.bport, ACK | PSH, 424243,
			k.c_isn + 1 + hl + 6, 1000, true, 78, r->tsval, NULL, 0,
			"ok\n") == 1 && r->daddr == CLIENT_IP &&
			r->seq == k.s_isn + 1 && r->ack == k.c_isn + 7,
			"client_isn: the backend's reply in the cookie's numbers, "
			"ACKing the client's own");
		CHECK(seg(CLIENT_IP, k.cport, PX_PORT, RST | ACK, k.c_isn + 7,
			k.s_isn + 4, 0, false, 0, 0, NULL, 0, NULL) == 1,
			"client_isn: RST relayed");
		CHECK_EQ(live_flows(), 0u, "client_isn: pair freed");
	}
	client_isn = false;
	pp2 = false;
}

/* [port] announce: a gratuitous ARP and an unsolicited NA at the first
 * timer pass, once. */
static void
test_announce(void)
{
	struct sk_engine_params par = { 0 };
	struct sk_config c;
	struct rte_mbuf *tx[8];
	struct sk_engine *e;
	char err[256];
	uint16_t n;

	sk_config_defaults(&c);
	c.n_addrs = 1;
	c.addrs[0].addr = rte_cpu_to_be_32(ENGINE_IP);
	c.addrs[0].prefix = 24;
	c.n_addrs6 = 1;
	c.addrs6[0].addr[0] = 0x20;
	c.addrs6[0].addr[1] = 0x01;
	c.addrs6[0].addr[15] = 2;
	c.addrs6[0].prefix = 64;
	c.n_listen = 1;
	c.listen[0].port = 7;
	c.listen[0].app = SK_APP_ECHO;
	c.announce = true;
	CHECK(sk_config_finalize(&c, err, sizeof(err)) == 0, "config: %s", err);
	par.mac = skt_engine_mac;
	par.socket_id = SOCKET_ID_ANY;
	par.pool = pool;
	par.tsc_hz = 1000000000ull;
	par.wall_ms_at_zero = SKT_WALL_MS_AT_ZERO;
	par.announce = 1;
	e = sk_engine_create(&c, &par, now);
	CHECK(e != NULL, "engine");
	if (e == NULL)
		return;
	n = sk_engine_timers(e, now + NS_PER_MS, tx, 8);
	CHECK(n == 2, "two announcements (%u)", n);
	for (uint16_t i = 0; i < n; i++) {
		const struct rte_ether_hdr *eh =
			rte_pktmbuf_mtod(tx[i], const struct rte_ether_hdr *);

		if (eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP)) {
			const struct rte_arp_hdr *a =
				(const struct rte_arp_hdr *)(eh + 1);

			CHECK(a->arp_opcode == RTE_BE16(RTE_ARP_OP_REQUEST) &&
				a->arp_data.arp_sip == a->arp_data.arp_tip &&
				a->arp_data.arp_sip ==
					rte_cpu_to_be_32(ENGINE_IP),
				"gratuitous ARP: our address as sender and "
				"target");
		} else {
			const uint8_t *na = (const uint8_t *)(eh + 1) + 40;

			CHECK(eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV6) &&
				na[0] == 136 && na[4] == 0x20 &&
				eh->dst_addr.addr_bytes[0] == 0x33,
				"unsolicited NA, Override, to all nodes");
		}
		rte_pktmbuf_free(tx[i]);
	}
	CHECK_EQ(sk_engine_stats(e)->tx_announce, 2u, "counted");
	CHECK(sk_engine_timers(e, now + 2 * NS_PER_MS, tx, 8) == 0, "once");
	sk_engine_free(e);
}

/* Two proxied ports: PX_PORT2 has its own backend (LPORT=), PX_PORT the
 * backends for every port without its own; each connection goes to its
 * port's set, whichever backend the hash would favour. */
static void
test_port_sets(void)
{
	unsigned int to1 = 0, to2 = 0, wrong = 0;

	two_ports = true;
	engine_new();
	two_ports = false;
	feed(skt_build_arp(pool, RTE_ARP_OP_REPLY, BACKEND_IP, ENGINE_IP, 6,
			false));
	feed(skt_build_arp(pool, RTE_ARP_OP_REPLY, BACKEND_IP2, ENGINE_IP, 6,
			false));
	for (unsigned int i = 0; i < 8; i++) {
		struct conn k;

		conn_port = i % 2 ? PX_PORT2 : PX_PORT;
		if (!open_conn(&k, (uint16_t)(5000 + i), false) ||
				out[0].flags != SYN) {
			wrong++;
			continue;
		}
		if (conn_port == PX_PORT2 && out[0].daddr == BACKEND_IP2)
			to2++;
		else if (conn_port == PX_PORT && out[0].daddr == BACKEND_IP)
			to1++;
		else
			wrong++;
	}
	conn_port = PX_PORT;
	CHECK(to1 == 4 && to2 == 4 && wrong == 0,
		"each proxied port's connections to its own set: %u to "
		"port %u's backend, %u to the others' (%u wrong)", to2,
		PX_PORT2, to1, wrong);
	{
		struct sk_proxy_backend_info bi[4];
		unsigned int n = sk_engine_proxy_backends(eng, now, bi, 4);

		CHECK(n == 3 && bi[0].lport == 0 && bi[2].lport == PX_PORT2 &&
			bi[2].st.opened == 4 && bi[0].st.opened == 4,
			"the backends say which port they serve, and count "
			"their own connections");
	}
	engine_new();
}

/* A pair closed by both FINs, on the only source port. */
static bool
closed_pair(uint16_t cport)
{
	struct conn k;
	bool ok;

	if (!open_conn(&k, cport, false))
		return false;
	k.b_isn = 90000;
	ok = seg(BACKEND_IP, BE_PORT, k.bport, SYN | ACK, k.b_isn,
		k.b_isn_ours + 1, 65160, true, 10, k.b_ts_ours, NULL, 0,
		NULL) == 1 &&
		seg(BACKEND_IP, BE_PORT, k.bport, ACK | FIN, k.b_isn + 1,
		k.b_isn_ours + 1, 1000, true, 11, k.b_ts_ours, NULL, 0,
		NULL) == 1 &&
		seg(CLIENT_IP, cport, PX_PORT, ACK | FIN, k.c_isn + 1,
		k.s_isn + 2, 229, true, k.c_ts + 1, out[0].tsval, NULL, 0,
		NULL) == 1 &&
		seg(BACKEND_IP, BE_PORT, k.bport, ACK, k.b_isn + 2,
		k.b_isn_ours + 2, 1000, true, 12, out[0].tsval, NULL, 0,
		NULL) == 1;
	return ok && st()->flows[SK_ST_TIME_WAIT] == 2;
}

/* TIME_WAIT reuse of a source port (tcp_tw_reuse's rule): with one
 * source port and [proxy] time_wait 5 s, a second connection right after
 * the first closed finds no port (reset); one after 1 s takes the port,
 * the old pair freed. */
static void
test_tw_reuse(void)
{
	struct conn k;

	one_port = true;
	engine_new();
	one_port = false;
	feed(skt_build_arp(pool, RTE_ARP_OP_REPLY, BACKEND_IP, ENGINE_IP, 6,
			false));
	CHECK(closed_pair(7001), "a pair closed by both FINs, in TIME_WAIT");
	CHECK(seg(CLIENT_IP, 7002, PX_PORT, SYN, 5, 0, 29200, false, 0, 0,
		NULL, 0, NULL) == 1, "a second SYN answered");
	CHECK(seg(CLIENT_IP, 7002, PX_PORT, ACK, 6, out[0].seq + 1, 229,
		false, 0, 0, NULL, 0, NULL) == 1 && (out[0].flags & RST),
		"its ACK at once: no source port, reset");
	CHECK_EQ(st()->proxy_fail_no_port, 1u, "counted no port");
	CHECK_EQ(st()->proxy_tw_reuse, 0u, "the pair not taken before 1 s");
	now += 1100 * NS_PER_MS;
	timers();
	CHECK_EQ(st()->flows[SK_ST_TIME_WAIT], 2u, "the pair still there");
	CHECK(open_conn(&k, 7003, false) && out[0].flags == SYN &&
		out[0].sport == 40000, "1.1 s later: the port taken again");
	CHECK_EQ(st()->proxy_tw_reuse, 1u, "counted");
	CHECK_EQ(st()->flows[SK_ST_TIME_WAIT], 0u, "the old pair freed");
	CHECK_EQ(live_flows(), 2u, "the new pair only");
	CHECK(seg(CLIENT_IP, 7003, PX_PORT, RST | ACK, k.c_isn + 1,
		k.s_isn + 1, 0, false, 0, 0, NULL, 0, NULL) == 1, "RST");
	engine_new();
}

/* Two arms: what goes to or comes from the backends uses port 1 and its
 * MAC, what goes to the clients port 0 and ours. */
static void
test_two_arm(void)
{
	struct conn k;
	unsigned int n;
	const struct skt_resp *r = &out[0];

	two_arm = true;
	engine_new();
	rx_port = 0;
	now += 10 * NS_PER_MS;
	n = timers();
	CHECK(n == 2 && out_port[0] == 1 && out_port[1] == 1 &&
		rte_is_same_ether_addr(&out[0].src, &inside_mac) &&
		rte_is_same_ether_addr(&out[1].src, &inside_mac),
		"ARP and NS for the backends: out of the inside port, from its "
		"MAC (%u frames)", n);
	/* no listener on the inside: a SYN there gets the closed port's RST,
	 * on that port */
	rx_port = 1;
	CHECK(seg(BACKEND_IP, 5555, PX_PORT, SYN, 1, 0, 29200, false, 0, 0,
		NULL, 0, NULL) == 1 && r->flags == (RST | ACK) &&
		out_port[0] == 1 && rte_is_same_ether_addr(&r->src, &inside_mac),
		"a SYN from the inside: RST, out of the inside port");
	CHECK_EQ(st()->cookie_sent, 0u, "no cookie for it");
	feed(skt_build_arp(pool, RTE_ARP_OP_REPLY, BACKEND_IP, ENGINE_IP, 6,
			false));
	CHECK_EQ(st()->rx_arp_reply, 1u, "the backend's ARP reply, inside");
	/* a frame on the clients' port to the inside MAC is not ours */
	rx_port = 0;
	{
		struct rte_mbuf *m = skt_build_arp(pool, RTE_ARP_OP_REPLY,
				BACKEND_IP, ENGINE_IP, 6, false);

		m->port = 0;
		rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr =
			inside_mac;
		rx_port = RTE_MBUF_PORT_INVALID;
		feed(m);
		rx_port = 0;
	}
	CHECK_EQ(st()->drop_l2_dst, 1u,
		"the inside MAC on the clients' port: drop_l2_dst");

	CHECK(open_conn(&k, 2222, false) && r->flags == SYN &&
		r->daddr == BACKEND_IP && out_port[0] == 1 &&
		rte_is_same_ether_addr(&r->src, &inside_mac),
		"the backend's SYN: out of the inside port, from its MAC");
	rx_port = 1;
	{
		uint8_t more[4] = { 1, 3, 3, 2 };

		k.b_isn = 70000;
		k.b_ts = 900;
		CHECK(seg(BACKEND_IP, BE_PORT, k.bport, SYN | ACK, k.b_isn,
			k.b_isn_ours + 1, 65160, true, k.b_ts, k.b_ts_ours,
			more, 4, NULL) == 1 && r->flags == ACK &&
			out_port[0] == 1 &&
			rte_is_same_ether_addr(&r->src, &inside_mac),
			"the handshake ACK: back out of the inside port");
	}
	rx_port = 0;
	k.c_ts++;
	CHECK(seg(CLIENT_IP, k.cport, PX_PORT, ACK | PSH, k.c_isn + 1,
		k.s_isn + 1, 229, true, k.c_ts, k.s_ts, NULL, 0,
		"GET /\n") == 1 && r->daddr == BACKEND_IP && out_port[0] == 1 &&
		rte_is_same_ether_addr(&r->src, &inside_mac) && r->tcp_ok,
		"client data relayed: out of the inside port");
	rx_port = 1;
	k.b_ts += 5;
	CHECK(seg(BACKEND_IP, BE_PORT, k.bport, ACK | PSH, k.b_isn + 1,
		k.b_isn_ours + 7, 1000, true, k.b_ts, k.b_ts_ours + 1, NULL,
		0, "Hello\n") == 1 && r->daddr == CLIENT_IP &&
		out_port[0] == 0 &&
		rte_is_same_ether_addr(&r->src, &skt_engine_mac) && r->tcp_ok,
		"backend data relayed: out of the clients' port, from our MAC");
	CHECK_EQ(st()->proxy_established, 1u, "spliced");
	rx_port = RTE_MBUF_PORT_INVALID;
	two_arm = false;
}

int
main(void)
{
	pool = skt_eal("test_proxy");
	test_arp();
	test_splice();
	test_park_flight();
	test_time_wait_ack();
	test_refused();
	test_timeout();
	test_reuse();
	test_pp2();
	test_client_isn();
	test_announce();
	test_port_sets();
	test_tw_reuse();
	test_two_arm();
	sk_engine_free(eng);
	skt_eal_done();
	return sk_test_done();
}

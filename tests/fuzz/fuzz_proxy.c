/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the SYN proxy (lib/sk_proxy.c): the fuzzer plays
 * the clients and the backends. Clients complete cookie handshakes on the
 * proxied port, the engine opens backend connections, and the fuzzer
 * answers them from what the engine sent (SYN-ACK, RST, data, FIN, wrong
 * numbers), IPv4 and IPv6, with and without PROXY protocol. Any crash,
 * sanitizer report, bad checksum, flow left after every timer ran out or
 * lost mbuf fails it.
 *
 * Input: the first byte's bit 0 turns PROXY protocol on, bit 1 two arms
 * (the backends on port 1 with a MAC of their own: every frame that
 * leaves must carry its port's MAC, and every segment to a backend leave
 * by port 1, to a client by the other), bit 2 [proxy] client_isn; then
 * records, each starting with
 * an op byte:
 *   op % 5 == 0  advance the clock by (op >> 3) * 25 ms and run timers
 *   op % 5 == 1  raw frame: 2-byte length, then the bytes; with op & 8
 *                its checksums made right (fuzz_common.h); with two
 *                arms, on the inside port (and to its MAC) when op & 16
 *   op % 5 == 2  a client segment from 8 bytes, as fuzz_engine.c's op 2:
 *                flags, client port (one of 4), the proxied or a closed
 *                port, seq/ack deltas, payload length, TS; over IPv6 when
 *                bit 2 of the fourth byte is set
 *   op % 5 == 3  the ACK that completes the last client's handshake, from
 *                2 bytes (flags OR'ed in, payload length)
 *   op % 5 == 4  a backend segment from 8 bytes, on one of the last 4
 *                backend connections the engine opened, in sequence with
 *                what the engine last sent it (deltas as for clients)
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_tcp.h>

#include "fuzz_common.h"
#include "sk_config.h"
#include "sk_engine.h"
#include "sk_flow.h"
#include "sk_frames.h"

#define ENGINE_IP 0xc6120002u
#define PEER_IP 0xc6120001u
#define BACKEND_IP 0xc6120003u
#define PX_PORT 8080
#define BE_PORT 80
static const uint8_t ENGINE_IP6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
static const uint8_t PEER_IP6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t BACKEND_IP6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 3 };

static struct rte_mempool *pool;
static unsigned int pool_avail;
/* this input's engine has two arms: the backends on port 1 */
static bool two_arm;
/* the frame in hand is a raw one: its answer goes back to its port,
 * whatever its addresses say */
static bool raw_in;
static const struct rte_ether_addr inside_mac = {
	.addr_bytes = { 0x02, 0, 0, 0, 0, 0x22 } };

/* With two arms, @p m comes in on the inside port (to its MAC) or on the
 * clients' port 0. */
static struct rte_mbuf *
on_port(struct rte_mbuf *m, bool inside)
{
	if (two_arm && m != NULL) {
		m->port = inside ? 1 : 0;
		if (inside)
			rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr =
				inside_mac;
	}
	return m;
}

/* What a peer last learnt of its connection. */
struct cli {
	uint32_t snd_nxt, rcv_nxt, tsecr;
	bool v6;
	uint16_t port;  /* backends: our source port */
};

static void
config(struct sk_config *c, bool pp2)
{
	static const uint8_t secret[16] = { 5, 5, 5 };

	sk_config_defaults(c);
	c->n_addrs = 1;
	c->addrs[0].addr = rte_cpu_to_be_32(ENGINE_IP);
	c->addrs[0].prefix = 24;
	c->n_addrs6 = 1;
	memcpy(c->addrs6[0].addr, ENGINE_IP6, 16);
	c->addrs6[0].prefix = 64;
	c->n_listen = 1;
	c->listen[0] = (struct sk_config_listen){ PX_PORT, SK_APP_PROXY };
	c->n_backends = 2;
	c->backends[0].family = 4;
	c->backends[0].addr = rte_cpu_to_be_32(BACKEND_IP);
	c->backends[0].port = BE_PORT;
	c->backends[1].family = 6;
	memcpy(c->backends[1].addr6, BACKEND_IP6, 16);
	c->backends[1].port = BE_PORT;
	c->proxy_connect_ms = 1000;
	c->proxy_syn_rto_ms = 200;
	c->proxy_time_wait_ms = 500;
	/* few ports and entries: both running out are reachable */
	c->proxy_port_lo = 50000;
	c->proxy_port_hi = 50003;
	c->proxy_protocol = pp2;
	c->flow_capacity = 8;
	c->challenge_ack_limit = 4;
	c->time_wait_ms = 500;
	c->idle_ms = 2000;
	c->secret_set = true;
	memcpy(c->secret, secret, sizeof(secret));
}

/* libFuzzer's entry points (it declares none for C). */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t len);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	pool = skt_eal("fuzz_proxy");
	pool_avail = rte_mempool_avail_count(pool);
	return 0;
}

/* Responses: to a backend (destination port BE_PORT) or to a client. */
static void
drain(struct rte_mbuf **tx, uint16_t n, struct cli *c, struct cli *bk)
{
	for (uint16_t i = 0; i < n; i++) {
		struct fuzz_resp r;
		struct cli *p = c;
		const bool in = tx[i]->port == 1;

		/* two arms: each frame from the MAC of the port it leaves by */
		if (two_arm && !rte_is_same_ether_addr(&rte_pktmbuf_mtod(tx[i],
				struct rte_ether_hdr *)->src_addr,
				in ? &inside_mac : &skt_engine_mac))
			abort();
		/* every TCP response must be well formed (or abort) */
		if (!fuzz_read(tx[i], &r)) {
			rte_pktmbuf_free(tx[i]);
			continue;
		}
		/* two arms: from our source ports to a backend by the inside
		 * port, from the proxied port to a client by the other (but
		 * answers to raw frames, which go back to their port) */
		if (two_arm && !raw_in &&
				((r.dport == BE_PORT && r.sport >= 50000 &&
				  r.sport <= 50003 && !in) ||
				 (r.sport == PX_PORT && r.dport >= 40000 &&
				  r.dport <= 40003 && in)))
			abort();
		if (r.dport == BE_PORT) {
			p = &bk[r.sport & 3];
			p->port = r.sport;
			p->v6 = r.v6;
		}
		if (p != NULL) {
			p->rcv_nxt = r.seq + r.len +
				!!(r.flags & (RTE_TCP_SYN_FLAG | RTE_TCP_FIN_FLAG));
			p->snd_nxt = (r.flags & RTE_TCP_ACK_FLAG) ? r.ack :
				p->snd_nxt;
			if (r.has_ts)
				p->tsecr = r.tsval;
		}
		rte_pktmbuf_free(tx[i]);
	}
}

/* The backends' MACs, as their ARP reply and Neighbor Advertisement. */
static void
resolve(struct sk_engine *e, uint64_t now)
{
	struct rte_mbuf *m, *tx[SK_BURST_MAX];
	uint8_t na[32] = { 136, 0, 0, 0, 0x60 };
	struct skt_frame6 f6 = { .proto = IPPROTO_ICMPV6, .hlim = 255,
		.data = na, .len = sizeof(na) };

	m = on_port(skt_build_arp(pool, RTE_ARP_OP_REPLY, BACKEND_IP,
			ENGINE_IP, 6, false), true);
	drain(tx, sk_engine_input(e, &m, 1, tx, now), NULL, NULL);
	memcpy(na + 8, BACKEND_IP6, 16);
	na[24] = 2;     /* target link-layer address */
	na[25] = 1;
	memcpy(na + 26, &skt_peer_mac, 6);
	memcpy(f6.saddr, BACKEND_IP6, 16);
	memcpy(f6.daddr, ENGINE_IP6, 16);
	m = on_port(skt_build6(pool, &f6), true);
	if (m == NULL)
		abort();
	drain(tx, sk_engine_input(e, &m, 1, tx, now), NULL, NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t len)
{
	struct cli cli[4] = { 0 }, bk[4] = { 0 };
	struct rte_mbuf *m, *tx[SK_BURST_MAX];
	struct sk_config cfg;
	struct sk_engine *e;
	uint64_t now = 1000000;
	uint32_t tsval = 1000, btsval = 7000;
	int last = 0;
	size_t i = 1;

	if (len == 0)
		return 0;
	config(&cfg, d[0] & 1);
	cfg.proxy_client_isn = (d[0] & 4) != 0;
	two_arm = (d[0] & 2) != 0;
	e = two_arm ? skt_engine_two_arm(&cfg, pool, now, &inside_mac) :
		skt_engine(&cfg, pool, now);
	resolve(e, now);

	while (i < len) {
		uint8_t op = d[i++];

		switch (op % 5) {
		case 0:
			now += (uint64_t)(op >> 3) * 25 * 1000000ull;
			drain(tx, sk_engine_timers(e, now, tx, SK_BURST_MAX),
				NULL, bk);
			break;
		case 1:
			m = on_port(fuzz_raw_frame(pool, d, len, &i, op & 8),
				op & 16);
			if (m == NULL)
				goto out;
			raw_in = true;
			drain(tx, sk_engine_input(e, &m, 1, tx, now), NULL, bk);
			raw_in = false;
			break;
		default: {
			uint8_t b[8] = { 0 }, opts[12];
			struct skt_frame f = { 0 };
			struct cli *c;
			const uint8_t *s6 = PEER_IP6;
			size_t k = op % 5 == 3 ? 2 : 8;

			if (i + k > len)
				goto out;
			memcpy(b, d + i, k);
			i += k;
			f.saddr = PEER_IP;
			if (op % 5 == 2) {
				last = b[1] & 3;
				c = &cli[last];
				fuzz_seg_fields(&f, b, c->snd_nxt, c->rcv_nxt,
					&tsval, c->tsecr, opts);
				f.dport = b[1] & 4 ? 9999 : PX_PORT;
				f.sport = (uint16_t)(40000 + last);
				if (f.flags & RTE_TCP_SYN_FLAG) {
					c->snd_nxt = f.seq;
					c->v6 = (b[3] & 4) != 0;
				}
			} else if (op % 5 == 3) {
				c = &cli[last];
				f.flags = RTE_TCP_ACK_FLAG | (b[0] & 0x39);
				f.dport = PX_PORT;
				f.sport = (uint16_t)(40000 + last);
				f.seq = c->snd_nxt;
				f.ack = c->rcv_nxt;
				f.len = b[1] & 31;
			} else {
				c = &bk[b[1] & 3];
				if (c->port == 0)
					break;
				fuzz_seg_fields(&f, b, c->snd_nxt, c->rcv_nxt,
					&btsval, c->tsecr, opts);
				f.saddr = BACKEND_IP;
				f.sport = BE_PORT;
				f.dport = c->port;
				s6 = BACKEND_IP6;
			}
			f.daddr = ENGINE_IP;
			f.data = d + i;
			f.len = (uint16_t)RTE_MIN((size_t)f.len, len - i);
			i += f.len;
			m = on_port(fuzz_segment(pool, c->v6, &f, s6,
				ENGINE_IP6), op % 5 == 4);
			if (m == NULL)
				abort();
			drain(tx, sk_engine_input(e, &m, 1, tx, now),
				op % 5 == 4 ? NULL : c, bk);
			if (op % 5 == 4 && (f.flags & RTE_TCP_SYN_FLAG))
				c->snd_nxt = f.seq + 1;
			break;
		}
		}
	}
out:
	/* let every timer run out: all flows end, every mbuf comes back */
	for (int k = 0; k < 40; k++) {
		now += 1000 * 1000000ull;
		drain(tx, sk_engine_timers(e, now, tx, SK_BURST_MAX), NULL, bk);
	}
	if (sk_flow_count(sk_engine_flows(e)) != 0)
		abort();
	sk_engine_free(e);
	if (rte_mempool_avail_count(pool) != pool_avail)
		abort();
	return 0;
}

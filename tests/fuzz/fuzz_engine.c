/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness: arbitrary frames, and arbitrary sequences of frames,
 * into a live engine (flow table, timers, cookies) through the same entry
 * points synackd uses. Any crash, sanitizer report or lost mbuf fails it.
 *
 * Input: a sequence of records, each starting with an op byte:
 *   op % 4 == 0  advance the clock by (op >> 2) * 25 ms and run timers
 *   op % 4 == 1  raw frame: 2-byte length, then that many bytes; with
 *                op & 4, its checksums are made right first, IPv4 or
 *                IPv6 (fuzz_common.h: mutation would hardly ever find
 *                them, and every check behind them needs them)
 *   op % 4 == 2  a well-formed TCP segment from 8 bytes: flags, client port
 *                (one of 4), listening port (one of 5, one closed), seq and
 *                ack deltas against what the client last saw, payload
 *                length (0..63, bytes from the input), TS option or not;
 *                over IPv6 when bit 2 of the fourth byte is set (each
 *                client port keeps the family of its last SYN)
 *   op % 4 == 3  the ACK that completes the last handshake, from 2 bytes
 *                (a flags byte OR'ed in, payload length)
 * so that mutation explores both the parser (raw) and the state machine
 * (segments that pass every check).
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
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
static const uint8_t ENGINE_IP6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
static const uint8_t PEER_IP6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

static struct rte_mempool *pool;
static unsigned int pool_avail;

/* What the client side last learnt, per client port. */
struct cli {
	uint32_t snd_nxt, rcv_nxt, tsecr;
	bool v6;
};

static void
config(struct sk_config *c)
{
	static const uint8_t secret[16] = { 7, 7, 7 };

	sk_config_defaults(c);
	c->n_addrs = 1;
	c->addrs[0].addr = rte_cpu_to_be_32(ENGINE_IP);
	c->addrs[0].prefix = 24;
	/* and 2001:db8::2/64: the IPv6 seeds (make_corpus.py) reach past
	 * the destination check */
	c->n_addrs6 = 1;
	memcpy(c->addrs6[0].addr, ENGINE_IP6, 16);
	c->addrs6[0].prefix = 64;
	c->n_listen = 4;
	c->listen[0] = (struct sk_config_listen){ 8080, SK_APP_HELLO };
	c->listen[1] = (struct sk_config_listen){ 80, SK_APP_HTTP };
	c->listen[2] = (struct sk_config_listen){ 7, SK_APP_ECHO };
	c->listen[3] = (struct sk_config_listen){ 9, SK_APP_HOLD };
	c->flow_capacity = 8;  /* small: the full table is reachable */
	c->challenge_ack_limit = 4;
	c->time_wait_ms = 500;
	c->fin_wait2_ms = 700;
	c->idle_ms = 2000;
	c->rto_ms = 50;
	c->rto_max_ms = 200;
	c->fin_retries = 2;
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
	pool = skt_eal("fuzz_engine");
	pool_avail = rte_mempool_avail_count(pool);
	return 0;
}

static void
drain(struct rte_mbuf **tx, uint16_t n, struct cli *c)
{
	for (uint16_t i = 0; i < n; i++) {
		struct fuzz_resp r;

		/* every TCP response must be well formed (or abort) */
		if (fuzz_read(tx[i], &r) && c != NULL) {
			c->rcv_nxt = r.seq + r.len +
				!!(r.flags & (RTE_TCP_SYN_FLAG | RTE_TCP_FIN_FLAG));
			c->snd_nxt = r.ack ? r.ack : c->snd_nxt;
			if (r.has_ts)
				c->tsecr = r.tsval;
		}
		rte_pktmbuf_free(tx[i]);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t len)
{
	static const uint16_t lports[5] = { 8080, 80, 7, 9, 9999 };
	struct cli cli[4] = { 0 };
	struct rte_mbuf *m, *tx[SK_BURST_MAX];
	struct sk_config cfg;
	struct sk_engine *e;
	uint64_t now = 1000000;
	uint32_t tsval = 1000;
	int last = 0;
	size_t i = 0;

	config(&cfg);
	e = skt_engine(&cfg, pool, now);

	while (i < len) {
		uint8_t op = d[i++];

		switch (op & 3) {
		case 0:
			now += (uint64_t)(op >> 2) * 25 * 1000000ull;
			drain(tx, sk_engine_timers(e, now, tx, SK_BURST_MAX),
				NULL);
			break;
		case 1: {
			m = fuzz_raw_frame(pool, d, len, &i, op & 4);
			if (m == NULL)
				goto out;
			drain(tx, sk_engine_input(e, &m, 1, tx, now), NULL);
			break;
		}
		case 2:
		case 3: {
			uint8_t b[8] = { 0 }, opts[12];
			struct skt_frame f = { 0 };
			struct cli *c;
			size_t k = (op & 3) == 2 ? 8 : 2;

			if (i + k > len)
				goto out;
			memcpy(b, d + i, k);
			i += k;
			if ((op & 3) == 2) {
				last = b[1] & 3;
				c = &cli[last];
				fuzz_seg_fields(&f, b, c->snd_nxt, c->rcv_nxt,
					&tsval, c->tsecr, opts);
				f.dport = lports[(b[1] >> 2) % 5];
				if (f.flags & RTE_TCP_SYN_FLAG) {
					c->snd_nxt = f.seq;
					c->v6 = (b[3] & 4) != 0;
				}
			} else {
				c = &cli[last];
				f.flags = RTE_TCP_ACK_FLAG | (b[0] & 0x39);
				f.dport = 8080;
				f.seq = c->snd_nxt;
				f.ack = c->rcv_nxt;
				f.len = b[1] & 31;
			}
			f.saddr = PEER_IP;
			f.daddr = ENGINE_IP;
			f.sport = (uint16_t)(40000 + last);
			f.data = d + i;
			f.len = (uint16_t)RTE_MIN((size_t)f.len, len - i);
			i += f.len;
			m = fuzz_segment(pool, c->v6, &f, PEER_IP6, ENGINE_IP6);
			if (m == NULL)
				abort();
			drain(tx, sk_engine_input(e, &m, 1, tx, now), c);
			break;
		}
		}
	}
out:
	/* let every timer run out: all flows end, every mbuf comes back */
	for (int k = 0; k < 40; k++) {
		now += 1000 * 1000000ull;
		drain(tx, sk_engine_timers(e, now, tx, SK_BURST_MAX), NULL);
	}
	if (sk_flow_count(sk_engine_flows(e)) != 0)
		abort();
	sk_engine_free(e);
	if (rte_mempool_avail_count(pool) != pool_avail)
		abort();
	return 0;
}

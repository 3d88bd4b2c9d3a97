/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the client role: an engine that opens connections
 * to a server (IPv4 or IPv6), and a fuzzed server answering them. Any
 * crash, sanitizer report, bad checksum, lost mbuf or flow left at the end
 * fails it.
 *
 * Input: the first byte chooses the family (bit 0: IPv6); then records,
 * each starting with an op byte:
 *   op % 4 == 0  advance the clock by (op >> 2) * 10 ms and run the timer
 *                pass (which opens connections: their SYNs are noted)
 *   op % 4 == 1  raw frame: 2-byte length, then that many bytes; with
 *                op & 4 its checksums are made right first
 *   op % 4 == 2  a segment of the server from 8 bytes: flags, connection
 *                (one of the last 4 SYNs the engine sent), seq and ack
 *                deltas against what the server last saw, payload length
 *                (0..63, bytes from the input), TS option or not
 *   op % 4 == 3  the SYN-ACK for a connection, from 8 bytes: extra flags,
 *                connection, the server's ISN (4 bytes), an ack delta,
 *                which options (MSS, SACK-permitted, timestamps, window
 *                scale)
 * The client sends "Hello Server\n" and expects "Hello Client\n" (the
 * dictionary has both), closing first, with short timeouts, so that a run
 * goes through SYN_SENT, the request, the response check and the close.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_tcp.h>

#include "fuzz_common.h"
#include "sk_config.h"
#include "sk_engine.h"
#include "sk_flow.h"
#include "sk_frames.h"

#define ENGINE_IP 0xc6120002u   /* 198.18.0.2 */
#define SERVER_IP 0xc6120001u   /* 198.18.0.1 */
#define SERVER_PORT 8080
static const uint8_t ENGINE_IP6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
static const uint8_t SERVER_IP6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

static struct rte_mempool *pool;
static unsigned int pool_avail;

/* A connection the engine opened, as the server sees it. */
struct conn {
	uint16_t port;          /* the engine's source port, 0: none yet */
	uint32_t iss;           /* the engine's ISS */
	uint32_t snd_nxt;       /* the server's next sequence */
	uint32_t rcv_nxt;       /* the next byte the server expects */
	uint32_t tsecr;         /* the engine's last TSval */
};

static void
config(struct sk_config *c, bool v6)
{
	static const uint8_t secret[16] = { 5, 5, 5 };

	sk_config_defaults(c);
	c->n_addrs = 1;
	c->addrs[0].addr = rte_cpu_to_be_32(ENGINE_IP);
	c->addrs[0].prefix = 24;
	c->n_addrs6 = 1;
	memcpy(c->addrs6[0].addr, ENGINE_IP6, 16);
	c->addrs6[0].prefix = 64;
	c->n_listen = 0;
	c->flow_capacity = 8;
	c->time_wait_ms = 300;
	c->fin_wait2_ms = 400;
	c->rto_ms = 50;
	c->rto_max_ms = 200;
	c->fin_retries = 2;
	c->secret_set = true;
	memcpy(c->secret, secret, sizeof(secret));
	strcpy(c->client_target, v6 ? "[2001:db8::1]:8080" :
		"198.18.0.1:8080");
	strcpy(c->client_gateway_mac, "02:00:00:00:00:02");
	strcpy(c->client_src_ports, "20000-20015");
	strcpy(c->client_request, "Hello Server\\n");
	strcpy(c->client_expect, "Hello Client\\n");
	c->client_cps = 0;
	c->client_concurrency = 4;
	c->client_connections = 8;
	c->client_duration_ms = 500;
	c->client_syn_rto_ms = 50;
	c->client_syn_retries = 2;
	c->client_timeout_ms = 400;
}

/* libFuzzer's entry points (it declares none for C). */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t len);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	pool = skt_eal("fuzz_client");
	pool_avail = rte_mempool_avail_count(pool);
	return 0;
}

/* Free what the engine sent; note each SYN as a connection (round robin
 * over 4 slots) and what each segment tells the server. */
static void
drain(struct rte_mbuf **tx, uint16_t n, struct conn *cs, unsigned int *next)
{
	for (uint16_t i = 0; i < n; i++) {
		struct fuzz_resp r;

		if (fuzz_read(tx[i], &r) && r.dport == SERVER_PORT) {
			struct conn *c = NULL;

			for (unsigned int k = 0; k < 4; k++)
				if (cs[k].port == r.sport)
					c = &cs[k];
			if ((r.flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) ==
					RTE_TCP_SYN_FLAG) {
				if (c == NULL)
					c = &cs[(*next)++ & 3];
				memset(c, 0, sizeof(*c));
				c->port = r.sport;
				c->iss = r.seq;
				c->rcv_nxt = r.seq + 1;
			} else if (c != NULL) {
				c->rcv_nxt = r.seq + r.len +
					!!(r.flags & RTE_TCP_FIN_FLAG);
			}
			if (c != NULL && r.has_ts)
				c->tsecr = r.tsval;
		}
		rte_pktmbuf_free(tx[i]);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t len)
{
	struct conn cs[4] = { 0 };
	struct rte_mbuf *m, *tx[SK_BURST_MAX];
	struct sk_config cfg;
	struct sk_engine *e;
	uint64_t now = 1000000;
	uint32_t tsval = 5000;
	unsigned int next = 0;
	size_t i = 1;
	bool v6;

	if (len == 0)
		return 0;
	v6 = d[0] & 1;
	config(&cfg, v6);
	e = skt_engine(&cfg, pool, now);

	while (i < len) {
		uint8_t op = d[i++];

		switch (op & 3) {
		case 0:
			now += (uint64_t)(op >> 2) * 10 * 1000000ull;
			drain(tx, sk_engine_timers(e, now, tx, SK_BURST_MAX),
				cs, &next);
			break;
		case 1: {
			m = fuzz_raw_frame(pool, d, len, &i, op & 4);
			if (m == NULL)
				goto out;
			drain(tx, sk_engine_input(e, &m, 1, tx, now), cs,
				&next);
			break;
		}
		case 2:
		case 3: {
			uint8_t b[8] = { 0 }, opts[24];
			struct skt_frame f = { 0 };
			struct conn *c;

			if (i + 8 > len)
				goto out;
			memcpy(b, d + i, 8);
			i += 8;
			c = &cs[b[1] & 3];
			f.saddr = SERVER_IP;
			f.daddr = ENGINE_IP;
			f.sport = SERVER_PORT;
			f.dport = c->port ? c->port : 20000;
			f.win = 64000;
			if ((op & 3) == 3) {
				uint8_t o = 0;

				f.flags = RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG |
					(b[0] & 0xc9);
				memcpy(&f.seq, &b[2], 4);
				f.ack = c->iss + 1 + (int8_t)b[6];
				if (b[7] & 1) {
					opts[o++] = 2;
					opts[o++] = 4;
					opts[o++] = b[7] & 0x80 ? 0x02 : 0x05;
					opts[o++] = 0xb4;
				}
				if (b[7] & 2) {
					opts[o++] = 1;
					opts[o++] = 1;
					opts[o++] = 4;
					opts[o++] = 2;
				}
				if (b[7] & 4) {
					opts[o++] = 1;
					opts[o++] = 1;
					opts[o++] = 8;
					opts[o++] = 10;
					tsval += 7;
					skt_put32(&opts[o], tsval);
					skt_put32(&opts[o + 4], c->tsecr);
					o += 8;
				}
				if (b[7] & 8) {
					opts[o++] = 1;
					opts[o++] = 3;
					opts[o++] = 3;
					opts[o++] = (uint8_t)(b[7] >> 4);
				}
				f.opts = opts;
				f.optlen = o;
				c->snd_nxt = f.seq + 1;
			} else {
				fuzz_seg_fields(&f, b, c->snd_nxt, c->rcv_nxt,
					&tsval, c->tsecr, opts);
				f.data = d + i;
				f.len = (uint16_t)RTE_MIN((size_t)f.len,
					len - i);
				i += f.len;
				c->snd_nxt = f.seq + f.len +
					!!(f.flags & (RTE_TCP_SYN_FLAG |
						RTE_TCP_FIN_FLAG));
			}
			m = fuzz_segment(pool, v6, &f, SERVER_IP6, ENGINE_IP6);
			if (m == NULL)
				abort();
			drain(tx, sk_engine_input(e, &m, 1, tx, now), cs,
				&next);
			break;
		}
		}
	}
out:
	/* the opening window closes, every connection ends (timeouts at
	 * worst), every flow goes, every mbuf comes back */
	for (int k = 0; k < 40; k++) {
		now += 500 * 1000000ull;
		drain(tx, sk_engine_timers(e, now, tx, SK_BURST_MAX), cs,
			&next);
	}
	if (sk_flow_count(sk_engine_flows(e)) != 0 ||
			!sk_engine_client_done(e))
		abort();
	sk_engine_free(e);
	if (rte_mempool_avail_count(pool) != pool_avail)
		abort();
	return 0;
}

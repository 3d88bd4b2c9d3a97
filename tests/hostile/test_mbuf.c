/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The mbuf pool exhausted (issue 15, docs/robustness.md "Faults and
 * soak"), in-process: synackd's own pool cannot run dry from traffic (the
 * engine answers in the received mbuf and keeps none; the pool is sized
 * for the rings at start), so the test takes every free mbuf itself, the
 * way a port holding mbufs or a leak elsewhere would, and checks:
 *
 *  - the receive path does not allocate: SYNs, handshake ACKs, data and
 *    RSTs received while the pool is empty are answered as usual (in
 *    place);
 *  - the timers, which do allocate (FIN retransmissions), count each
 *    segment they could not send as drop_mbuf, keep the flow and its
 *    backoff, and send on the next try once mbufs are back;
 *  - the flows then close normally and every mbuf is back in the pool.
 */

#include <string.h>

#include <rte_mbuf.h>

#include "sk_common.h"
#include "sk_config.h"
#include "sk_engine.h"
#include "sk_flow.h"
#include "sk_frames.h"
#include "sk_stats.h"
#include "sk_test.h"

#define ENGINE_IP 0xc6120002u
#define PEER_IP   0xc6120001u
#define MS 1000000ull            /* the fake TSC runs at 1 GHz */
#define NFLOWS 32
#define F(x) RTE_TCP_ ## x ## _FLAG

static struct rte_mempool *pool;

struct conn {
	uint16_t sport;
	uint32_t isn, cookie;
};

/* Feed @p m (already built) at @p now; the response read into @p r. */
static uint16_t
feed(struct sk_engine *e, uint64_t now, struct rte_mbuf *m,
		struct skt_resp *r)
{
	struct rte_mbuf *tx[4];
	uint16_t n = sk_engine_input(e, &m, 1, tx, now);

	for (uint16_t i = 0; i < n; i++) {
		if (i == 0 && r != NULL)
			skt_read(tx[i], r);
		rte_pktmbuf_free(tx[i]);
	}
	return n;
}

static struct rte_mbuf *
build(const struct skt_frame *f)
{
	struct rte_mbuf *m = skt_build(pool, f);

	if (m == NULL) {
		printf("Bail out! mbuf pool empty while building\n");
		exit(1);
	}
	return m;
}

static unsigned int
timers(struct sk_engine *e, uint64_t now)
{
	struct rte_mbuf *tx[SK_BURST_MAX];
	unsigned int total = 0;
	uint16_t n;

	do {
		n = sk_engine_timers(e, now, tx, SK_BURST_MAX);
		rte_pktmbuf_free_bulk(tx, n);
		total += n;
	} while (n == SK_BURST_MAX);
	return total;
}

static struct rte_mbuf *
syn_frame(const struct conn *c)
{
	struct skt_frame f = {
		.saddr = PEER_IP, .daddr = ENGINE_IP, .sport = c->sport,
		.dport = 8080, .seq = c->isn, .flags = F(SYN),
	};

	return build(&f);
}

static struct rte_mbuf *
seg_frame(const struct conn *c, uint32_t seq_off, uint32_t ack_off,
		uint8_t flags, const char *data)
{
	struct skt_frame f = {
		.saddr = PEER_IP, .daddr = ENGINE_IP, .sport = c->sport,
		.dport = 8080, .seq = c->isn + 1 + seq_off,
		.ack = c->cookie + 1 + ack_off, .flags = flags,
		.data = data, .len = data ? (uint16_t)strlen(data) : 0,
	};

	return build(&f);
}

int
main(void)
{
	struct sk_config cfg;
	struct sk_engine *e;
	const struct sk_stats *st;
	static struct rte_mbuf *held[8192];
	struct rte_mbuf *pre[NFLOWS][3];
	struct conn c[NFLOWS];
	struct skt_resp r;
	unsigned int avail0, nheld = 0, ok;
	uint64_t t = 1000 * MS;

	pool = skt_eal("test_mbuf");
	avail0 = rte_mempool_avail_count(pool);
	sk_config_defaults(&cfg);
	cfg.n_addrs = 1;
	cfg.addrs[0].addr = rte_cpu_to_be_32(ENGINE_IP);
	cfg.addrs[0].prefix = 24;
	cfg.n_listen = 1;
	cfg.listen[0] = (struct sk_config_listen){ 8080, SK_APP_HELLO };
	cfg.flow_capacity = 1024;
	cfg.time_wait_ms = 1000;
	cfg.rto_ms = 200;
	cfg.rto_max_ms = 10000;
	e = skt_engine(&cfg, pool, 0);
	st = sk_engine_stats(e);

	/* frames of the clients, built while mbufs are there */
	for (unsigned int i = 0; i < NFLOWS; i++) {
		c[i].sport = (uint16_t)(30000 + i);
		c[i].isn = 0x10000000u * (i & 15) + i * 7919u;
		pre[i][0] = syn_frame(&c[i]);
	}
	/* the pool runs dry: every free mbuf taken */
	while (nheld < RTE_DIM(held) &&
			(held[nheld] = rte_pktmbuf_alloc(pool)) != NULL)
		nheld++;
	CHECK_EQ(rte_mempool_avail_count(pool), 0, "pool empty (%u mbufs "
		"taken)", nheld);

	/* 1. receive path with the pool empty: SYN -> SYN-ACK in place */
	timers(e, t);
	ok = 0;
	for (unsigned int i = 0; i < NFLOWS; i++)
		if (feed(e, t, pre[i][0], &r) == 1 &&
				r.flags == (F(SYN) | F(ACK)) &&
				r.ack == c[i].isn + 1) {
			c[i].cookie = r.seq;
			ok++;
		}
	CHECK_EQ(ok, NFLOWS, "pool empty: every SYN answered (in place)");
	/* the responses were the received mbufs, freed above: those are all
	 * the pool has */
	CHECK_EQ(rte_mempool_avail_count(pool), NFLOWS, "the %u responses "
		"freed are the only mbufs back", NFLOWS);
	/* the next frames need mbufs to be built: give back as many, build
	 * them, and the pool is empty again */
	for (unsigned int i = 0; i < NFLOWS; i++)
		rte_pktmbuf_free(held[--nheld]);
	for (unsigned int i = 0; i < NFLOWS; i++) {
		pre[i][1] = seg_frame(&c[i], 0, 0, F(ACK), NULL);
		pre[i][2] = seg_frame(&c[i], 0, 0, F(ACK) | F(PSH),
			"Hello Server\n");
	}
	CHECK_EQ(rte_mempool_avail_count(pool), 0, "pool empty again");
	ok = 0;
	for (unsigned int i = 0; i < NFLOWS; i++) {
		bool made = feed(e, t, pre[i][1], NULL) == 0;
		bool ans = feed(e, t, pre[i][2], &r) == 1 && r.len == 13 &&
			memcmp(r.data, "Hello Client\n", 13) == 0 &&
			(r.flags & F(FIN));

		ok += made && ans;
	}
	CHECK_EQ(ok, NFLOWS, "pool empty: handshakes completed, each request "
		"answered with the reply and FIN (in place)");
	CHECK_EQ(sk_flow_count(sk_engine_flows(e)), NFLOWS, "%u flows",
		NFLOWS);
	/* the answers came back to the pool: take them again */
	while (nheld < RTE_DIM(held) &&
			(held[nheld] = rte_pktmbuf_alloc(pool)) != NULL)
		nheld++;
	CHECK_EQ(rte_mempool_avail_count(pool), 0, "pool empty");

	/* 2. the client does not ACK: the first retransmission (200 ms) finds
	 * the pool empty */
	CHECK_EQ(timers(e, t + 260 * MS), 0, "no segment sent: pool empty");
	CHECK_EQ(st->drop_mbuf, NFLOWS, "each retransmission not sent counted "
		"as drop_mbuf");
	CHECK_EQ(st->tx_fin_retx, 0, "tx_fin_retx unchanged");
	CHECK_EQ(sk_flow_count(sk_engine_flows(e)), NFLOWS, "flows kept");
	/* still empty at the next try (400 ms later): counted again */
	CHECK_EQ(timers(e, t + 700 * MS), 0, "second try: nothing sent");
	CHECK_EQ(st->drop_mbuf, 2 * NFLOWS, "drop_mbuf counts each try");

	/* 3. mbufs back: the next try (800 ms later) sends */
	while (nheld > 0)
		rte_pktmbuf_free(held[--nheld]);
	CHECK_EQ(timers(e, t + 1560 * MS), NFLOWS, "pool refilled: the next "
		"retransmission goes out for every flow");
	CHECK_EQ(st->tx_fin_retx, NFLOWS, "tx_fin_retx");
	CHECK_EQ(st->drop_mbuf, 2 * NFLOWS, "no more drop_mbuf");

	/* 4. the client ACKs the reply and FIN and closes: TIME_WAIT, then
	 * gone */
	ok = 0;
	for (unsigned int i = 0; i < NFLOWS; i++) {
		struct rte_mbuf *m = seg_frame(&c[i], 13, 14, F(ACK) | F(FIN),
			NULL);

		ok += feed(e, t + 1600 * MS, m, &r) == 1 && r.flags == F(ACK);
	}
	CHECK_EQ(ok, NFLOWS, "each client FIN ACKed");
	timers(e, t + 5000 * MS);
	CHECK_EQ(sk_flow_count(sk_engine_flows(e)), 0, "no flow left");
	CHECK_EQ(st->close_normal, NFLOWS, "all closed normally");
	CHECK_EQ(st->close_fin_timeout, 0, "none gave up");
	sk_engine_free(e);
	CHECK_EQ(rte_mempool_avail_count(pool), avail0, "every mbuf back in "
		"the pool");
	skt_eal_done();
	return sk_test_done();
}

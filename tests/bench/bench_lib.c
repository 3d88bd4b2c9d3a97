/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The engine's fast path driven directly, in one process on one lcore:
 * frames are built in memory (tests/unit/sk_frames.h), handed to
 * sk_engine_input() in bursts of 32 and only that call is timed (TSC), the
 * way a NIC hands over frames it has already written to memory. Used by
 * usertools/bench for series 2 (callgrind: the bench_in_* wrappers name each
 * phase so that --toggle-collect can pick one), 3 (full handshake) and 4
 * (table scaling and memory). Prints one JSON object on stdout.
 *
 *   bench_lib syn       [-n FLOWS] [-p PACKETS]  SYN -> SYN-ACK only
 *   bench_lib ack       [-n FLOWS]               SYNs (untimed), then the
 *                                                ACKs with valid cookies
 *   bench_lib handshake [-n FLOWS] [-r ROUNDS]   SYN, ACK, FIN, last ACK
 *   bench_lib scale     [-n FLOWS] [-l LOOKUPS]  establish N flows in a table
 *                                                of N (SYNs then ACKs, 1 M
 *                                                flows at a time), then pure
 *                                                ACKs to them in random order
 *   bench_lib memory    [-n FLOWS]               sk_flow_memory of a table
 *
 * Flows: client i is 10.x.y.z (a bijection of the low 24 bits of i, so up
 * to 16 M distinct addresses) with a pseudo-random source port (plus
 * i >> 24: above 16 M flows an address serves several, on distinct ports;
 * up to BENCH_MAX_FLOWS), to
 * 198.18.0.2:8080 (responder "hold": it only ACKs, and answers the peer's
 * FIN with its own). SYNs carry Linux's options: MSS 1460, SACK-permitted,
 * timestamps, window scale 7 (20 option bytes, 74-byte frames). No checksum
 * offload is claimed (unless BENCH_OFFLOAD=1): the engine verifies and
 * computes checksums in software, as on net_pcap.
 *
 * BENCH_FAMILY=6: the same flows over IPv6, client i at 2001:db8::a00:0/104
 * plus the IPv4 address's low 24 bits, to [2001:db8::2]:8080 (94-byte
 * SYNs); the engine then has an IPv6 address too (the flow table its
 * address slots). "memory" reports the table with them. BENCH_FAMILY=46:
 * the IPv4 flows to an engine with an IPv6 address as well (the IPv4 path
 * of a dual-stack engine).
 *
 * BENCH_PAGES=small: the flow table never in 1 GiB pages (by default a
 * table of 1 GiB or more takes them where the kernel's pool has enough;
 * "table_pages" in the output says what it got).
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include "sk_cksum.h"
#include "sk_common.h"
#include "sk_config.h"
#include "sk_engine.h"
#include "sk_flow.h"
#include "sk_frames.h"
#include "sk_siphash.h"
#include "sk_stats.h"

#define ENGINE_IP 0xc6120002u /* 198.18.0.2 */
#define LPORT 8080
#define BURST 32
/* -n: up to 1 G flows (2^30 x 64-byte entries, 64 G of table); the scale
 * mode of usertools/bench --long goes to 100 M */
#define BENCH_MAX_FLOWS (UINT64_C(1) << 30)
/* scale: flows established per chunk (SYNs, then their ACKs), so that a
 * cookie is checked seconds after it was made, not minutes (cookie
 * max_age) however large the table */
#define SCALE_CHUNK (UINT64_C(1) << 20)

static struct rte_mempool *pool;
static struct sk_engine *eng;
static uint64_t tsc_hz;
/* BENCH_OFFLOAD=1: claim RX checksum checks and TX checksum computation by
 * the port (mbufs marked RX_IP/L4_CKSUM_GOOD), as on a physical NIC. */
static bool offload;
/* BENCH_FAMILY=6: the flows are IPv6; 46: IPv4 flows, the engine has an
 * IPv6 address too (a dual-stack engine's IPv4 path) */
static bool v6, dual;
static const uint8_t engine_ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

/* Per flow: what the client learnt from synack's answers. */
static uint32_t *f_iss;   /* synack's ISN (the cookie) */
static uint32_t *f_tsv;   /* synack's last TSval (the client's TSecr) */

/* Each phase has its own entry point so that callgrind can collect one
 * (--toggle-collect=bench_in_ack) and report it inclusively. */
#define WRAP(name) \
	__attribute__((noinline, used)) uint16_t name(struct rte_mbuf **rx, \
		uint16_t n, struct rte_mbuf **tx, uint64_t now); \
	__attribute__((noinline, used)) uint16_t name(struct rte_mbuf **rx, \
		uint16_t n, struct rte_mbuf **tx, uint64_t now) \
	{ return sk_engine_input(eng, rx, n, tx, now); }
WRAP(bench_in_syn)
WRAP(bench_in_ack)
WRAP(bench_in_fin)
WRAP(bench_in_last)
WRAP(bench_in_lookup)

typedef uint16_t (*input_fn)(struct rte_mbuf **, uint16_t, struct rte_mbuf **,
		uint64_t);

enum seg { SEG_SYN, SEG_ACK, SEG_FIN, SEG_LAST };

static uint32_t
cli_addr(uint32_t i)
{
	/* odd multiplier: a bijection of the low 24 bits */
	return 0x0a000000u | ((i * 0x9e3779b1u) & 0xffffffu);
}

static uint16_t
cli_port(uint32_t i)
{
	uint32_t h = (i & 0xffffffu) * 0x85ebca6bu;

	h ^= h >> 13;
	/* flows i and i + 2^24 share an address (cli_addr): i >> 24 moves
	 * the port, so every tuple is distinct up to 64000 x 2^24 flows */
	return (uint16_t)(1024 + (h % 64000 + (i >> 24)) % 64000);
}

static uint32_t
cli_isn(uint32_t i)
{
	uint32_t h = (i + 1) * 0xc2b2ae35u;

	return h ^ (h >> 16);
}

static uint32_t
cli_tsval(uint32_t i)
{
	return 100000u + (i & 0xffff);
}

/* The IPv6 address of the client whose IPv4 address is @p a (host order). */
static void
cli_addr6(uint32_t a, uint8_t *out)
{
	static const uint8_t pfx[12] = { 0x20, 0x01, 0x0d, 0xb8 };

	memcpy(out, pfx, sizeof(pfx));
	a = rte_cpu_to_be_32(a);
	memcpy(out + 12, &a, 4);
}

/* The same segment over IPv6, in a fresh mbuf (@p m4 is freed). */
static struct rte_mbuf *
to_ipv6(struct rte_mbuf *m4)
{
	const struct rte_ether_hdr *e4 =
		rte_pktmbuf_mtod(m4, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip = (const void *)(e4 + 1);
	const uint16_t l4 = (uint16_t)(rte_be_to_cpu_16(ip->total_length) -
			sizeof(*ip));
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct rte_ether_hdr *eh;
	struct rte_ipv6_hdr *ip6;
	struct rte_tcp_hdr *th;

	if (m == NULL) {
		rte_pktmbuf_free(m4);
		return NULL;
	}
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
		(uint16_t)(sizeof(*eh) + sizeof(*ip6) + l4));
	*eh = *e4;
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	ip6 = (struct rte_ipv6_hdr *)(eh + 1);
	ip6->vtc_flow = RTE_BE32(0x60000000);
	ip6->payload_len = rte_cpu_to_be_16(l4);
	ip6->proto = IPPROTO_TCP;
	ip6->hop_limits = 64;
	cli_addr6(rte_be_to_cpu_32(ip->src_addr), ip6->src_addr);
	memcpy(ip6->dst_addr, engine_ip6, 16);
	th = (struct rte_tcp_hdr *)(ip6 + 1);
	memcpy(th, ip + 1, l4);
	th->cksum = 0;
	th->cksum = sk_csum_l4_6(ip6, IPPROTO_TCP, th, l4);
	rte_pktmbuf_free(m4);
	return m;
}

/* What run_phase_from() needs of a response, either family: false when
 * it is not TCP. */
static bool
read_resp(const struct rte_mbuf *m, struct skt_resp *r)
{
	const struct rte_ether_hdr *eh =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv6_hdr *ip6 = (const void *)(eh + 1);
	const struct rte_tcp_hdr *th = (const void *)(ip6 + 1);
	const uint8_t *o = (const uint8_t *)(th + 1);
	unsigned int ol, i;
	uint32_t a;

	if (eh->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV6))
		return skt_read(m, r);
	memset(r, 0, sizeof(*r));
	if (ip6->proto != IPPROTO_TCP)
		return false;
	memcpy(&a, ip6->dst_addr + 12, 4);
	r->daddr = rte_be_to_cpu_32(a);
	r->dport = rte_be_to_cpu_16(th->dst_port);
	r->flags = th->tcp_flags;
	r->seq = rte_be_to_cpu_32(th->sent_seq);
	ol = (th->data_off >> 4) * 4u - sizeof(*th);
	for (i = 0; i < ol;) {
		if (o[i] <= 1) {
			i++;
			continue;
		}
		if (o[i] == 8 && i + 10 <= ol) {
			r->has_ts = true;
			memcpy(&r->tsval, o + i + 2, 4);
			r->tsval = rte_be_to_cpu_32(r->tsval);
		}
		if (o[i + 1] < 2)
			break;
		i += o[i + 1];
	}
	return true;
}

static struct rte_mbuf *
build(uint32_t i, enum seg s)
{
	uint8_t o[20];
	struct skt_frame f = {
		.saddr = cli_addr(i), .daddr = ENGINE_IP,
		.sport = cli_port(i), .dport = LPORT,
		.win = 64240, .opts = o,
	};
	uint32_t tsv = rte_cpu_to_be_32(cli_tsval(i));
	uint32_t tse = rte_cpu_to_be_32(f_tsv ? f_tsv[i] : 0);

	if (s == SEG_SYN) {
		/* Linux: MSS, SACK-permitted, TS, NOP, WS 7 */
		static const uint8_t head[4] = { 2, 4, 0x05, 0xb4 };

		memcpy(o, head, 4);
		o[4] = 4;
		o[5] = 2;
		o[6] = 8;
		o[7] = 10;
		memcpy(&o[8], &tsv, 4);
		memset(&o[12], 0, 4);
		o[16] = 1;
		o[17] = 3;
		o[18] = 3;
		o[19] = 7;
		f.optlen = 20;
		f.seq = cli_isn(i);
		f.flags = RTE_TCP_SYN_FLAG;
	} else {
		o[0] = 1;
		o[1] = 1;
		o[2] = 8;
		o[3] = 10;
		memcpy(&o[4], &tsv, 4);
		memcpy(&o[8], &tse, 4);
		f.optlen = 12;
		f.win = 502;
		f.seq = cli_isn(i) + 1 + (s == SEG_LAST);
		f.ack = f_iss[i] + 1 + (s == SEG_LAST);
		f.flags = RTE_TCP_ACK_FLAG |
			(s == SEG_FIN ? RTE_TCP_FIN_FLAG : 0);
	}
	struct rte_mbuf *m = skt_build(pool, &f);

	if (m != NULL && v6)
		m = to_ipv6(m);
	if (m != NULL && offload)
		m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_GOOD |
			RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	return m;
}

static uint64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The established flows' idle timeout (0: synackd's default). */
static uint32_t idle_ms;
/* BENCH_PAGES=small */
static bool small_pages;

static void
engine_new(uint32_t capacity)
{
	static const uint8_t secret[16] = { 0x5e, 0xc2, 0xe7, 1, 2, 3, 4, 5 };
	struct sk_engine_params p = { 0 };
	struct sk_config c;
	uint64_t now = rte_rdtsc();

	if (eng != NULL)
		sk_engine_free(eng);
	sk_config_defaults(&c);
	c.n_addrs = 1;
	c.addrs[0].addr = rte_cpu_to_be_32(ENGINE_IP);
	c.addrs[0].prefix = 24;
	if (v6 || dual) {
		c.n_addrs6 = 1;
		memcpy(c.addrs6[0].addr, engine_ip6, 16);
		c.addrs6[0].prefix = 64;
	}
	c.n_listen = 1;
	c.listen[0].port = LPORT;
	c.listen[0].app = SK_APP_HOLD;
	c.flow_capacity = capacity;
	if (idle_ms != 0)
		c.idle_ms = idle_ms;
	c.secret_set = true; /* the fixed-secret option */
	memcpy(c.secret, secret, sizeof(secret));
	p.mac = skt_engine_mac;
	p.socket_id = SOCKET_ID_ANY;
	p.pool = pool;
	p.tsc_hz = tsc_hz;
	p.rx_cksum = offload;
	p.tx_ip_cksum = offload;
	p.tx_tcp_cksum = offload;
	p.table_small_pages = small_pages;
	p.wall_ms_at_zero = wall_ms() - now / (tsc_hz / 1000);
	eng = sk_engine_create(&c, &p, now);
	if (eng == NULL) {
		fprintf(stderr, "bench_lib: engine create (%u flows): %s\n",
			capacity, rte_strerror(rte_errno));
		exit(1);
	}
}

struct phase {
	uint64_t pkts;
	uint64_t cycles; /* inside sk_engine_input only */
	uint64_t responses;
};

/*
 * Feed segment @p s for flows idx(k), k in [first, first + count), in
 * bursts of 32 and time the engine calls. Responses update what the client
 * knows (ISN and TSval of synack) and are freed.
 */
static void
run_phase_from(enum seg s, input_fn in, const uint32_t *order, uint64_t first,
		uint64_t count, uint32_t nflows, struct phase *ph)
{
	struct rte_mbuf *rx[BURST], *tx[BURST];
	uint32_t ids[BURST];

	for (uint64_t k = first; k < first + count; k += BURST) {
		uint16_t n = (uint16_t)RTE_MIN((uint64_t)BURST,
				first + count - k);
		uint64_t t0, t1;
		uint16_t nt;

		for (uint16_t j = 0; j < n; j++) {
			uint64_t x = k + j;

			ids[j] = order ? order[x % nflows] : (uint32_t)(x % nflows);
			rx[j] = build(ids[j], s);
			if (rx[j] == NULL) {
				fprintf(stderr, "bench_lib: mbuf pool empty\n");
				exit(1);
			}
		}
		t0 = rte_rdtsc();
		nt = in(rx, n, tx, t0);
		t1 = rte_rdtsc();
		ph->cycles += t1 - t0;
		ph->pkts += n;
		ph->responses += nt;
		for (uint16_t j = 0; j < nt; j++) {
			struct skt_resp r;

			if (read_resp(tx[j], &r)) {
				/* find the flow: the burst's flows by port+addr */
				for (uint16_t q = 0; q < n; q++) {
					uint32_t i = ids[q];

					if (r.dport == cli_port(i) &&
							r.daddr == cli_addr(i)) {
						if (r.flags & RTE_TCP_SYN_FLAG)
							f_iss[i] = r.seq;
						if (r.has_ts)
							f_tsv[i] = r.tsval;
						break;
					}
				}
			}
		}
		rte_pktmbuf_free_bulk(tx, nt);
	}
}

static void
run_phase(enum seg s, input_fn in, const uint32_t *order, uint64_t count,
		uint32_t nflows, struct phase *ph)
{
	run_phase_from(s, in, order, 0, count, nflows, ph);
}

static double
ns_per(const struct phase *ph)
{
	return ph->pkts ? (double)ph->cycles * 1e9 / tsc_hz / ph->pkts : 0;
}

static double
mpps(const struct phase *ph)
{
	return ph->cycles ? ph->pkts / ((double)ph->cycles / tsc_hz) / 1e6 : 0;
}

static void
print_phase(const char *name, const struct phase *ph, int comma)
{
	printf("  \"%s\": {\"packets\": %" PRIu64 ", \"responses\": %" PRIu64
		", \"ns_per_packet\": %.2f, \"cycles_per_packet\": %.1f"
		", \"mpps\": %.4f}%s\n", name, ph->pkts, ph->responses,
		ns_per(ph), ph->pkts ? (double)ph->cycles / ph->pkts : 0,
		mpps(ph), comma ? "," : "");
}

static void
alloc_state(uint32_t n)
{
	f_iss = calloc(n, sizeof(*f_iss));
	f_tsv = calloc(n, sizeof(*f_tsv));
	if (f_iss == NULL || f_tsv == NULL) {
		fprintf(stderr, "bench_lib: out of memory\n");
		exit(1);
	}
}

static void
print_stats(void)
{
	const struct sk_stats *st = sk_engine_stats(eng);

	printf("  \"counters\": {\"rx_packets\": %" PRIu64
		", \"tx_synack\": %" PRIu64 ", \"cookie_ok\": %" PRIu64
		", \"cookie_bad_mac\": %" PRIu64 ", \"flow_created\": %" PRIu64
		", \"tx_rst\": %" PRIu64 ", \"tx_rst_table_full\": %" PRIu64
		", \"tx_fin\": %" PRIu64 ", \"close_normal\": %" PRIu64
		", \"live_flows\": %u}\n",
		st->rx_packets, st->tx_synack, st->cookie_ok,
		st->cookie_bad_mac, st->flow_created, st->tx_rst,
		st->tx_rst_table_full, st->tx_fin, st->close_normal,
		sk_flow_count(sk_engine_flows(eng)));
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench_lib syn|ack|handshake|scale|memory "
		"[-n FLOWS] [-p PACKETS] [-r ROUNDS] [-l LOOKUPS]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	uint64_t nflows = 65536, npkts = 0, rounds = 3, nlook = 0;
	const char *mode;
	int c;

	if (argc < 2)
		usage();
	mode = argv[1];
	optind = 2;
	while ((c = getopt(argc, argv, "n:p:r:l:")) != -1) {
		switch (c) {
		case 'n': nflows = strtoull(optarg, NULL, 0); break;
		case 'p': npkts = strtoull(optarg, NULL, 0); break;
		case 'r': rounds = strtoull(optarg, NULL, 0); break;
		case 'l': nlook = strtoull(optarg, NULL, 0); break;
		default: usage();
		}
	}
	if (nflows == 0 || nflows > BENCH_MAX_FLOWS)
		usage();
	if (getenv("SK_TEST_FILE_PREFIX") == NULL)
		setenv("SK_TEST_FILE_PREFIX", "sk-bench-lib", 1);
	small_pages = getenv("BENCH_PAGES") != NULL &&
		strcmp(getenv("BENCH_PAGES"), "small") == 0;
	offload = getenv("BENCH_OFFLOAD") != NULL &&
		strcmp(getenv("BENCH_OFFLOAD"), "1") == 0;
	if (getenv("BENCH_FAMILY") != NULL) {
		if (strcmp(getenv("BENCH_FAMILY"), "6") != 0 &&
				strcmp(getenv("BENCH_FAMILY"), "4") != 0 &&
				strcmp(getenv("BENCH_FAMILY"), "46") != 0) {
			fprintf(stderr, "bench_lib: BENCH_FAMILY=%s: 4, 6 or "
				"46\n", getenv("BENCH_FAMILY"));
			return 2;
		}
		v6 = strcmp(getenv("BENCH_FAMILY"), "6") == 0;
		dual = strcmp(getenv("BENCH_FAMILY"), "46") == 0;
	}
	pool = skt_eal("bench_lib");
	tsc_hz = rte_get_tsc_hz();
	/* BENCH_SIPHASH=scalar|avx2x4|avx512x8: the cookies' SipHash lanes
	 * (default: the widest the CPU and DPDK's SIMD limit allow) */
	if (getenv("BENCH_SIPHASH") != NULL) {
		int impl = sk_siphash_impl_parse(getenv("BENCH_SIPHASH"));

		if (impl < 0 || sk_siphash_impl_set(
				(enum sk_siphash_impl)impl) != 0) {
			fprintf(stderr, "bench_lib: BENCH_SIPHASH=%s: unknown "
				"or not supported here\n",
				getenv("BENCH_SIPHASH"));
			skt_eal_done();
			return 2;
		}
	}

	if (strcmp(mode, "memory") == 0) {
		struct sk_flow_table *t = sk_flow_table_create_ex(
			(uint32_t)nflows, SOCKET_ID_ANY,
			(v6 || dual) ? SK_FLOW_F_IPV6 : 0);

		if (t == NULL) {
			fprintf(stderr, "bench_lib: table of %" PRIu64
				": %s\n", nflows, rte_strerror(rte_errno));
			return 1;
		}
		printf("{\"mode\": \"memory\", \"capacity\": %u, \"bytes\": %zu"
			", \"bytes_per_flow\": %.2f, \"entry_bytes\": %zu}\n",
			sk_flow_capacity(t), sk_flow_memory(t),
			(double)sk_flow_memory(t) / sk_flow_capacity(t),
			sizeof(struct sk_flow));
		sk_flow_table_free(t);
		skt_eal_done();
		return 0;
	}

	alloc_state((uint32_t)nflows);
	printf("{\"mode\": \"%s\", \"flows\": %" PRIu64 ", \"tsc_hz\": %" PRIu64
		", \"family\": %d, \"offload\": %s, \"siphash\": \"%s\",\n",
		mode, nflows, tsc_hz, v6 ? 6 : 4, offload ? "true" : "false",
		sk_siphash_impl_name(sk_siphash_impl_select()));
	if (strcmp(mode, "syn") == 0) {
		struct phase ph = { 0 };

		engine_new(1024);
		run_phase(SEG_SYN, bench_in_syn, NULL, npkts ? npkts : nflows,
			(uint32_t)nflows, &ph);
		print_phase("syn", &ph, 1);
	} else if (strcmp(mode, "ack") == 0) {
		struct phase s = { 0 }, a = { 0 };

		engine_new((uint32_t)nflows);
		run_phase(SEG_SYN, bench_in_syn, NULL, nflows,
			(uint32_t)nflows, &s);
		run_phase(SEG_ACK, bench_in_ack, NULL, nflows,
			(uint32_t)nflows, &a);
		print_phase("syn", &s, 1);
		print_phase("ack", &a, 1);
	} else if (strcmp(mode, "handshake") == 0) {
		struct phase p[4] = { 0 };
		uint64_t t_all = 0;

		engine_new((uint32_t)nflows);
		for (uint64_t r = 0; r < rounds; r++) {
			run_phase(SEG_SYN, bench_in_syn, NULL, nflows,
				(uint32_t)nflows, &p[0]);
			run_phase(SEG_ACK, bench_in_ack, NULL, nflows,
				(uint32_t)nflows, &p[1]);
			run_phase(SEG_FIN, bench_in_fin, NULL, nflows,
				(uint32_t)nflows, &p[2]);
			run_phase(SEG_LAST, bench_in_last, NULL, nflows,
				(uint32_t)nflows, &p[3]);
		}
		for (int i = 0; i < 4; i++)
			t_all += p[i].cycles;
		print_phase("syn", &p[0], 1);
		print_phase("ack", &p[1], 1);
		print_phase("fin", &p[2], 1);
		print_phase("last_ack", &p[3], 1);
		/* a handshake = SYN + ACK; a close = FIN + last ACK */
		printf("  \"handshakes_per_s\": %.0f,\n",
			(double)p[0].pkts * tsc_hz / (p[0].cycles + p[1].cycles));
		printf("  \"closes_per_s\": %.0f,\n",
			(double)p[2].pkts * tsc_hz / (p[2].cycles + p[3].cycles));
		printf("  \"connections_per_s\": %.0f,\n",
			(double)p[0].pkts * tsc_hz / t_all);
	} else if (strcmp(mode, "scale") == 0) {
		struct phase s = { 0 }, a = { 0 }, l = { 0 };
		uint32_t *order;
		uint64_t x = 88172645463325252ull;

		/* an hour: no flow of a table of 100 M times out while the
		 * last ones are established and looked up */
		idle_ms = 3600 * 1000;
		engine_new((uint32_t)nflows);
		for (uint64_t k = 0; k < nflows; k += SCALE_CHUNK) {
			uint64_t m = RTE_MIN(SCALE_CHUNK, nflows - k);

			run_phase_from(SEG_SYN, bench_in_syn, NULL, k, m,
				(uint32_t)nflows, &s);
			run_phase_from(SEG_ACK, bench_in_ack, NULL, k, m,
				(uint32_t)nflows, &a);
		}
		/* lookups: pure ACKs to established flows in a random order */
		if (nlook == 0)
			nlook = RTE_MAX(nflows, (uint64_t)1 << 20);
		order = malloc(nflows * sizeof(*order));
		if (order == NULL)
			return 1;
		for (uint32_t i = 0; i < nflows; i++)
			order[i] = i;
		for (uint32_t i = (uint32_t)nflows - 1; i > 0; i--) {
			uint32_t j, t;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			j = (uint32_t)(x % (i + 1));
			t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
		run_phase(SEG_ACK, bench_in_lookup, order, nlook,
			(uint32_t)nflows, &l);
		print_phase("syn", &s, 1);
		print_phase("establish", &a, 1);
		print_phase("lookup", &l, 1);
		printf("  \"table_bytes\": %zu,\n",
			sk_flow_memory(sk_engine_flows(eng)));
		printf("  \"table_capacity\": %u, \"entry_bytes\": %zu,\n",
			sk_flow_capacity(sk_engine_flows(eng)),
			sizeof(struct sk_flow));
		printf("  \"table_pages\": \"%s\",\n",
			sk_flow_pages(sk_engine_flows(eng)));
		free(order);
	} else {
		usage();
	}
	print_stats();
	printf("}\n");
	sk_engine_free(eng);
	skt_eal_done();
	return 0;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IPv6 half of the frame parser (issue 13), one broken thing at a time,
 * as test_pkt.c does for IPv4: each case builds a valid frame
 * (sk_frames.h: skt_build6, checksums computed here, not by the library),
 * breaks exactly one thing, parses it and checks the verdict and that
 * exactly the expected counters moved. Truncated frames are parsed with
 * their end against an inaccessible page, so a read past the frame is a
 * crash, not a silent pass. The Neighbor Advertisement and the ICMPv6
 * echo reply the library builds are compared byte for byte with frames
 * built here from the RFCs (4861 7.2.4, 4443 4.2).
 */

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_mbuf.h>

#include "sk_frames.h"
#include "sk_pkt.h"
#include "sk_stats.h"
#include "sk_test.h"

#define ENGINE_IP  0xc6120002u  /* 198.18.0.2: dual stack */

#define ND_NS 135
#define ND_NA 136
#define ND_RS 133
#define ND_RA 134
#define ICMP6_ECHO_REQ 128
#define ICMP6_ECHO_REP 129
#define MLD2_REPORT 143

#define NH_HBH 0
#define NH_ROUTING 43
#define NH_FRAG 44
#define NH_NONE 59
#define NH_DSTOPTS 60

static const uint8_t E6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
static const uint8_t E6B[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 3 };
static const uint8_t P6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t O6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 9 };
static const uint8_t ALLNODES[16] = { 0xff, 0x02, [15] = 1 };
static const uint8_t MLDV2[16] = { 0xff, 0x02, [15] = 0x16 };
static const uint8_t UNSPEC[16];
static const uint8_t LOOP6[16] = { [15] = 1 };
static const struct rte_ether_addr MAC_ALLNODES = {
	.addr_bytes = { 0x33, 0x33, 0, 0, 0, 1 } };
static const struct rte_ether_addr MAC_MLDV2 = {
	.addr_bytes = { 0x33, 0x33, 0, 0, 0, 0x16 } };

static struct rte_mempool *pool;
static struct sk_pkt_ctx ctx;
static struct sk_stats st;
static struct sk_pkt pk;

/* ---- counters ---------------------------------------------------------- */

static int
stat_index(const char *name)
{
	for (size_t i = 0; i < SK_STATS_N; i++)
		if (strcmp(name, sk_stats_names[i]) == 0)
			return (int)i;
	printf("# no counter named %s\n", name);
	return -1;
}

static bool
in_list(const char *const *l, const char *name)
{
	for (; l != NULL && *l != NULL; l++)
		if (strcmp(*l, name) == 0)
			return true;
	return false;
}

/* True when every counter in @p want is 1, exactly one counter of @p oneof
 * (when not NULL) is 1, counters in @p maybe are 0 or 1, and every other
 * counter and gauge is 0. Prints each one that is not. */
static bool
counters_are(const char *const *want, const char *const *oneof,
		const char *const *maybe)
{
	const uint64_t *v = (const uint64_t *)(const void *)&st;
	unsigned int n_oneof = 0;
	bool ok = true;

	for (const char *const *w = want; *w != NULL; w++)
		ok &= stat_index(*w) >= 0;
	for (const char *const *w = oneof; w != NULL && *w != NULL; w++)
		ok &= stat_index(*w) >= 0;
	for (size_t i = 0; i < SK_STATS_N; i++) {
		const char *name = sk_stats_names[i];

		if (in_list(want, name)) {
			if (v[i] != 1) {
				printf("# counter %s = %llu, expected 1\n", name,
					(unsigned long long)v[i]);
				ok = false;
			}
		} else if (in_list(oneof, name)) {
			if (v[i] > 1) {
				printf("# counter %s = %llu, expected 0 or 1\n",
					name, (unsigned long long)v[i]);
				ok = false;
			}
			n_oneof += v[i] == 1;
		} else if (in_list(maybe, name)) {
			if (v[i] > 1) {
				printf("# counter %s = %llu, expected 0 or 1\n",
					name, (unsigned long long)v[i]);
				ok = false;
			}
		} else if (v[i] != 0) {
			printf("# counter %s = %llu, expected 0\n", name,
				(unsigned long long)v[i]);
			ok = false;
		}
	}
	if (oneof != NULL && n_oneof != 1) {
		printf("# %u of the counters", n_oneof);
		for (const char *const *w = oneof; *w != NULL; w++)
			printf(" %s", *w);
		printf(" moved, expected exactly one\n");
		ok = false;
	}
	for (size_t i = 0; i < SK_ST_MAX; i++) {
		if (st.flows[i] != 0) {
			printf("# flows[%zu] = %llu, expected 0\n", i,
				(unsigned long long)st.flows[i]);
			ok = false;
		}
	}
	return ok;
}

#define L(...) ((const char *const []){ __VA_ARGS__, NULL })

/* ---- frames ------------------------------------------------------------ */

static struct rte_mbuf *
build6(const struct skt_frame6 *f)
{
	struct rte_mbuf *m = skt_build6(pool, f);

	if (m == NULL) {
		printf("Bail out! mbuf pool empty\n");
		exit(1);
	}
	return m;
}

/* A SYN from 2001:db8::1 port 40000 to 2001:db8::2 port 80. */
static struct skt_frame6
syn6(void)
{
	struct skt_frame6 f = {
		.sport = 40000, .dport = 80, .seq = 0x11223344,
		.flags = RTE_TCP_SYN_FLAG,
	};

	memcpy(f.saddr, P6, 16);
	memcpy(f.daddr, E6, 16);
	return f;
}

/* An ICMPv6 message from the peer: @p msg (checksum computed), hop limit
 * @p hlim, to @p dst at @p dmac. */
static struct skt_frame6
icmp6(const uint8_t *dst, const struct rte_ether_addr *dmac, uint8_t hlim,
		const uint8_t *msg, uint16_t len)
{
	struct skt_frame6 f = {
		.proto = IPPROTO_ICMPV6, .data = msg, .len = len, .hlim = hlim,
		.dmac = dmac,
	};

	memcpy(f.saddr, P6, 16);
	memcpy(f.daddr, dst, 16);
	return f;
}

/* The body of a Neighbor Solicitation for @p target, with a source
 * link-layer address option (the peer's MAC) when @p slla; returns its
 * length. */
static uint16_t
ns_msg(uint8_t *b, const uint8_t *target, bool slla)
{
	memset(b, 0, 32);
	b[0] = ND_NS;
	memcpy(b + 8, target, 16);
	if (!slla)
		return 24;
	b[24] = 1;
	b[25] = 1;
	memcpy(b + 26, &skt_peer_mac, 6);
	return 32;
}

/* A Neighbor Solicitation from the peer for @p target, sent to the
 * target's solicited-node multicast group (as the kernel resolves). */
static struct skt_frame6
ns_frame(uint8_t *msg, const uint8_t *target, bool slla)
{
	static uint8_t snm[16];
	static struct rte_ether_addr snm_mac;
	struct skt_frame6 f;
	uint16_t len = ns_msg(msg, target, slla);

	skt_snm6(target, snm, &snm_mac);
	f = icmp6(snm, &snm_mac, 255, msg, len);
	return f;
}

static uint8_t *
bytes(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod(m, uint8_t *);
}

/* ---- parsing, plain and against a guard page ----------------------------- */

static enum sk_pkt_kind
parse(struct rte_mbuf *m)
{
	memset(&st, 0, sizeof(st));
	memset(&pk, 0, sizeof(pk));
	return sk_pkt_parse(&ctx, m, &pk, &st);
}

static uint8_t *guard;          /* one page, then a PROT_NONE page */
static size_t page;
static struct rte_mbuf_ext_shared_info guard_shinfo;

static void
guard_free(void *addr, void *opaque)
{
	(void)addr;
	(void)opaque;
}

static void
guard_init(void)
{
	page = (size_t)sysconf(_SC_PAGESIZE);
	guard = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (guard == MAP_FAILED || mprotect(guard + page, page, PROT_NONE)) {
		printf("Bail out! guard page\n");
		exit(1);
	}
	guard_shinfo.free_cb = guard_free;
}

/* An mbuf whose @p len bytes of data (a copy of @p frame) end where the
 * inaccessible page begins: exactly for an even length, one byte before
 * it for an odd one (the frame starts 2-byte aligned, as an Ethernet
 * header must; a read of one byte past an odd-length frame is seen at the
 * next length). */
static struct rte_mbuf *
guarded(const uint8_t *frame, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	size_t start = (page - len) & ~(size_t)1;

	if (m == NULL) {
		printf("Bail out! mbuf pool empty\n");
		exit(1);
	}
	memset(guard, 0xa5, page);
	memcpy(guard + start, frame, len);
	rte_mbuf_ext_refcnt_set(&guard_shinfo, 1);
	rte_pktmbuf_attach_extbuf(m, guard, 0, (uint16_t)page, &guard_shinfo);
	m->data_off = (uint16_t)start;
	m->data_len = len;
	m->pkt_len = len;
	return m;
}

/* Parse @p m, expect a drop counted under @p counter (and rx_ipv6), free
 * it. */
static void
expect_drop(struct rte_mbuf *m, const char *counter, const char *what)
{
	enum sk_pkt_kind k = parse(m);

	CHECK_EQ(k, SK_PKT_DROP, "%s: dropped", what);
	CHECK(counters_are(L("rx_ipv6", counter), NULL, NULL),
		"%s: counted under rx_ipv6 and %s only", what, counter);
	rte_pktmbuf_free(m);
}

/* Parse @p m, expect a drop under one of @p oneof (and rx_ipv6), free
 * it: where more than one reason is right. */
static void
expect_drop_oneof(struct rte_mbuf *m, const char *const *oneof,
		const char *what)
{
	enum sk_pkt_kind k = parse(m);

	CHECK_EQ(k, SK_PKT_DROP, "%s: dropped", what);
	CHECK(counters_are(L("rx_ipv6"), oneof, NULL),
		"%s: counted under rx_ipv6 and one of %s%s%s%s%s", what,
		oneof[0], oneof[1] ? ", " : "", oneof[1] ? oneof[1] : "",
		oneof[1] && oneof[2] ? ", " : "",
		oneof[1] && oneof[2] ? oneof[2] : "");
	rte_pktmbuf_free(m);
}

/* Parse @p m, expect an accepted TCP segment (rx_ipv6, rx_tcp, rx_tcp6);
 * the caller checks the fields and frees it. */
static bool
expect_tcp(struct rte_mbuf *m, const char *what)
{
	enum sk_pkt_kind k = parse(m);

	CHECK_EQ(k, SK_PKT_TCP, "%s: accepted as TCP", what);
	CHECK(counters_are(L("rx_ipv6", "rx_tcp", "rx_tcp6"), NULL, NULL),
		"%s: counted under rx_ipv6, rx_tcp and rx_tcp6 only", what);
	return k == SK_PKT_TCP;
}

/* ---- cases: TCP ------------------------------------------------------- */

static void
test_valid(void)
{
	static const uint8_t opts[20] = { 2, 4, 0x05, 0xa0, 4, 2, 8, 10,
		0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7 };
	static const char data[] = "Hello Server\n";
	struct skt_frame6 f = syn6();
	struct rte_mbuf *m;

	m = build6(&f);
	if (expect_tcp(m, "IPv6 SYN")) {
		CHECK_EQ(pk.v6, 1, "IPv6 SYN: v6 set");
		CHECK_EQ(pk.l2_len, 14, "IPv6 SYN: l2_len");
		CHECK_EQ(pk.l3_len, 40, "IPv6 SYN: l3_len");
		CHECK((uint8_t *)pk.ip6 == bytes(m) + 14,
			"IPv6 SYN: p.ip6 points at the IPv6 header");
		CHECK((uint8_t *)pk.tcp == bytes(m) + 54,
			"IPv6 SYN: p.tcp points at the TCP header");
		CHECK_EQ(pk.l4_len, 20, "IPv6 SYN: l4_len");
		CHECK_EQ(pk.plen, 0, "IPv6 SYN: no payload");
		CHECK_EQ(pk.flags, RTE_TCP_SYN_FLAG, "IPv6 SYN: flags");
		CHECK_EQ(pk.seq, 0x11223344, "IPv6 SYN: seq in host order");
		CHECK_EQ(pk.ack, 0, "IPv6 SYN: ack");
		CHECK_EQ(pk.mss, 0, "IPv6 SYN: no MSS");
		CHECK_EQ(rte_pktmbuf_data_len(m), 74, "IPv6 SYN: length kept");
	}
	rte_pktmbuf_free(m);

	/* Linux's SYN options */
	f.opts = opts;
	f.optlen = sizeof(opts);
	m = build6(&f);
	if (expect_tcp(m, "IPv6 SYN with options")) {
		CHECK_EQ(pk.mss, 1440, "IPv6 SYN with options: MSS 1440");
		CHECK(pk.sack_ok && pk.has_ts && pk.has_ws && pk.wscale == 7 &&
			pk.tsval == 1, "IPv6 SYN with options: SACK, TS, WS 7");
		CHECK_EQ(pk.l4_len, 40, "IPv6 SYN with options: l4_len");
	}
	rte_pktmbuf_free(m);

	/* data, with 10 bytes of trailing padding the parser cuts */
	f = syn6();
	f.flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG;
	f.ack = 0xdeadbeef;
	f.data = data;
	f.len = (uint16_t)strlen(data);
	m = build6(&f);
	memset(rte_pktmbuf_append(m, 10), 0, 10);
	if (expect_tcp(m, "IPv6 ACK with data and padding")) {
		CHECK_EQ(pk.ack, 0xdeadbeef, "IPv6 ACK: ack in host order");
		CHECK_EQ(pk.plen, strlen(data), "IPv6 ACK: plen");
		CHECK(pk.payload == bytes(m) + 74 &&
			memcmp(pk.payload, data, strlen(data)) == 0,
			"IPv6 ACK: payload points at the data");
		CHECK_EQ(rte_pktmbuf_data_len(m), 74 + strlen(data),
			"IPv6 ACK: padding cut off");
	}
	rte_pktmbuf_free(m);

	/* our second address */
	f = syn6();
	memcpy(f.daddr, E6B, 16);
	m = build6(&f);
	expect_tcp(m, "IPv6 SYN to the second address");
	rte_pktmbuf_free(m);

	/* hop limit 1 is fine (only 0 is not) */
	f = syn6();
	f.hlim = 1;
	m = build6(&f);
	expect_tcp(m, "IPv6 SYN with hop limit 1");
	rte_pktmbuf_free(m);

	/* an 802.1Q tag */
	f = syn6();
	f.vlan = true;
	m = build6(&f);
	if (parse(m) == SK_PKT_TCP) {
		CHECK(1, "IPv6 SYN in 802.1Q: accepted");
		CHECK_EQ(pk.l2_len, 18, "IPv6 SYN in 802.1Q: l2_len");
		CHECK(pk.v6 && (uint8_t *)pk.tcp == bytes(m) + 58,
			"IPv6 SYN in 802.1Q: TCP header found");
	} else {
		CHECK(0, "IPv6 SYN in 802.1Q: accepted");
	}
	CHECK(counters_are(L("rx_ipv6", "rx_tcp", "rx_tcp6", "rx_vlan"), NULL,
		NULL), "IPv6 SYN in 802.1Q: rx_vlan, rx_ipv6, rx_tcp, rx_tcp6");
	rte_pktmbuf_free(m);

	/* traffic class CE (ECN 3) */
	f = syn6();
	f.tc = 0x03;
	m = build6(&f);
	if (expect_tcp(m, "IPv6 SYN with ECN CE"))
		CHECK_EQ(pk.ce, 1, "IPv6 traffic class ECN CE: ce set");
	rte_pktmbuf_free(m);
}

static void
test_ip6_header(void)
{
	struct skt_frame6 f = syn6();
	struct rte_mbuf *m;

	/* IPv6 EtherType, version 4 */
	m = build6(&f);
	bytes(m)[14] = 0x45;
	expect_drop_oneof(m, L("drop_ip_version", "drop_ip6_short"),
		"EtherType IPv6, version 4");

	/* payload length longer than the frame */
	f.plen_set = true;
	f.plen = 21;
	m = build6(&f);
	expect_drop(m, "drop_ip6_len", "payload length 21, 20 bytes follow");

	f.plen = 1480;
	m = build6(&f);
	expect_drop(m, "drop_ip6_len", "payload length 1480, 20 bytes follow");

	f.plen = 0xffff;
	m = build6(&f);
	expect_drop(m, "drop_ip6_len", "payload length 65535");

	/* 0 without a jumbo payload option (RFC 2675): not a datagram */
	f.plen = 0;
	m = build6(&f);
	expect_drop_oneof(m, L("drop_ip6_len", "drop_tcp_short"),
		"payload length 0, 20 bytes follow");

	/* shorter than the TCP header it carries */
	f.plen = 12;
	m = build6(&f);
	expect_drop_oneof(m, L("drop_ip6_len", "drop_tcp_short"),
		"payload length 12 with a TCP next header");

	/* hop limit 0 */
	f = syn6();
	f.hlim0 = true;
	m = build6(&f);
	expect_drop(m, "drop_ip6_hlim", "hop limit 0");

	/* next headers that are not TCP, ICMPv6 or a walked extension */
	f = syn6();
	f.proto = IPPROTO_UDP;
	f.data = "\x9c\x40\x00\x35\x00\x08\x00\x00";
	f.len = 8;
	m = build6(&f);
	expect_drop(m, "drop_ip6_proto", "next header UDP");

	f.proto = NH_NONE;
	m = build6(&f);
	expect_drop(m, "drop_ip6_proto", "next header 59 (no next header)");

	f.proto = 132; /* SCTP */
	f.len = 8;
	m = build6(&f);
	expect_drop(m, "drop_ip6_proto", "next header SCTP");
}

static void
test_ip6_addrs(void)
{
	struct skt_frame6 f = syn6();
	struct rte_mbuf *m;

	memcpy(f.daddr, O6, 16);
	m = build6(&f);
	expect_drop(m, "drop_ip6_dst", "destination 2001:db8::9, not ours");

	/* our MAC but a multicast destination */
	memcpy(f.daddr, ALLNODES, 16);
	m = build6(&f);
	expect_drop(m, "drop_ip6_dst", "TCP to ff02::1");

	/* a TCP SYN to our solicited-node group */
	skt_snm6(E6, f.daddr, NULL);
	m = build6(&f);
	expect_drop(m, "drop_ip6_dst", "TCP to our solicited-node group");

	/* our IPv4 address as an IPv4-mapped IPv6 address */
	memset(f.daddr, 0, 16);
	f.daddr[10] = f.daddr[11] = 0xff;
	f.daddr[12] = 198;
	f.daddr[13] = 18;
	f.daddr[14] = 0;
	f.daddr[15] = 2;
	m = build6(&f);
	expect_drop(m, "drop_ip6_dst", "TCP to ::ffff:198.18.0.2");

	f = syn6();
	memcpy(f.saddr, ALLNODES, 16);
	m = build6(&f);
	expect_drop(m, "drop_ip6_src", "source ff02::1 (multicast)");

	memcpy(f.saddr, UNSPEC, 16);
	m = build6(&f);
	expect_drop(m, "drop_ip6_src", "source :: (unspecified)");

	memcpy(f.saddr, LOOP6, 16);
	m = build6(&f);
	expect_drop(m, "drop_ip6_src", "source ::1 (loopback)");

	memcpy(f.saddr, E6, 16);
	m = build6(&f);
	expect_drop(m, "drop_ip6_src", "source 2001:db8::2 (ours: LAND)");

	memcpy(f.saddr, E6B, 16);
	m = build6(&f);
	expect_drop(m, "drop_ip6_src", "source 2001:db8::3 (our other address)");

	memset(f.saddr, 0, 16);
	f.saddr[10] = f.saddr[11] = 0xff;
	f.saddr[12] = 198;
	f.saddr[13] = 18;
	f.saddr[15] = 1;
	m = build6(&f);
	expect_drop(m, "drop_ip6_src", "source ::ffff:198.18.0.1 (IPv4-mapped)");
}

static void
test_tcp6(void)
{
	struct skt_frame6 f = syn6();
	struct rte_mbuf *m;
	uint8_t *th;

	f.bad_cksum = true;
	m = build6(&f);
	expect_drop(m, "drop_tcp_cksum", "TCP checksum off by one bit");

	/* the checksum an IPv4-minded sender would compute: no pseudo
	 * header at all */
	f.bad_cksum = false;
	m = build6(&f);
	th = bytes(m) + 54;
	th[16] = th[17] = 0;
	{
		uint16_t ck = (uint16_t)~skt_sum(0, th, 20);

		th[16] = (uint8_t)(ck >> 8);
		th[17] = (uint8_t)ck;
	}
	expect_drop(m, "drop_tcp_cksum", "TCP checksum without the pseudo header");

	/* the pseudo header with the wrong destination (our other address) */
	m = build6(&f);
	memcpy(bytes(m) + 14 + 24, E6B, 16);
	expect_drop(m, "drop_tcp_cksum",
		"TCP checksum over another destination address");

	/* data offset past the segment, checksum right */
	m = build6(&f);
	th = bytes(m) + 54;
	th[12] = 0x60;
	th[16] = th[17] = 0;
	{
		uint16_t ck = skt_cksum6(P6, E6, IPPROTO_TCP, th, 20);

		th[16] = (uint8_t)(ck >> 8);
		th[17] = (uint8_t)ck;
	}
	expect_drop(m, "drop_tcp_doff", "TCP data offset 24 in a 20-byte segment");

	/* SYN+FIN */
	f.flags = RTE_TCP_SYN_FLAG | RTE_TCP_FIN_FLAG;
	m = build6(&f);
	expect_drop(m, "drop_tcp_flags", "IPv6 SYN+FIN");

	/* offload: a checksum the port says is good is trusted */
	f = syn6();
	f.bad_cksum = true;
	ctx.rx_cksum = true;
	m = build6(&f);
	m->ol_flags = RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	expect_tcp(m, "rx_cksum: IPv6 L4 flagged good, sum wrong");
	rte_pktmbuf_free(m);
	f.bad_cksum = false;
	m = build6(&f);
	m->ol_flags = RTE_MBUF_F_RX_L4_CKSUM_BAD;
	expect_drop(m, "drop_tcp_cksum", "rx_cksum: IPv6 L4 flagged bad, sum right");
	ctx.rx_cksum = false;
}

/* ---- cases: extension headers ------------------------------------------ */

/* An extension header of @p len8 8-octet units (total (len8 + 1) * 8
 * bytes) naming @p nh next, padded with PadN (a valid options header). */
static uint16_t
ext_opts(uint8_t *b, uint8_t nh, uint8_t len8)
{
	unsigned int n = (len8 + 1u) * 8u;

	memset(b, 0, n);
	b[0] = nh;
	b[1] = len8;
	b[2] = 1;                       /* PadN */
	b[3] = (uint8_t)(n - 4);
	return (uint16_t)n;
}

/* @p n options headers (hop-by-hop first, then destination options),
 * the last naming TCP. Returns the bytes written. */
static uint16_t
ext_chain(uint8_t *b, unsigned int n, uint8_t last)
{
	uint16_t off = 0;

	for (unsigned int i = 0; i < n; i++)
		off += ext_opts(b + off, i + 1 < n ? NH_DSTOPTS : last, 0);
	return off;
}

static void
test_exthdr(void)
{
	static uint8_t ext[4096];
	struct skt_frame6 f = syn6();
	struct rte_mbuf *m;
	uint16_t n;

	/* hop-by-hop, then destination options, then TCP */
	n = ext_opts(ext, NH_DSTOPTS, 0);
	n += ext_opts(ext + n, IPPROTO_TCP, 1);
	f.ext = ext;
	f.extlen = n;
	f.ext_nh = NH_HBH;
	m = build6(&f);
	if (expect_tcp(m, "hop-by-hop + destination options + TCP")) {
		CHECK_EQ(pk.l3_len, 40 + 8 + 16, "HBH + DST: l3_len");
		CHECK((uint8_t *)pk.tcp == bytes(m) + 14 + 64,
			"HBH + DST: p.tcp past both extension headers");
		CHECK_EQ(pk.seq, 0x11223344, "HBH + DST: seq");
	}
	rte_pktmbuf_free(m);

	/* a routing header with segments left 0 is skipped (RFC 8200 4.4) */
	memset(ext, 0, 8);
	ext[0] = IPPROTO_TCP;
	ext[1] = 0;
	ext[2] = 4;     /* routing type 4 (segment routing), any type */
	ext[3] = 0;     /* segments left */
	f.extlen = 8;
	f.ext_nh = NH_ROUTING;
	m = build6(&f);
	expect_tcp(m, "routing header, segments left 0, then TCP");
	rte_pktmbuf_free(m);

	/* SK_IP6_EXT_MAX headers: the most walked */
	f.extlen = ext_chain(ext, SK_IP6_EXT_MAX, IPPROTO_TCP);
	f.ext_nh = NH_HBH;
	m = build6(&f);
	if (expect_tcp(m, "a chain of SK_IP6_EXT_MAX (8) extension headers"))
		CHECK_EQ(pk.l3_len, 40 + 8 * SK_IP6_EXT_MAX,
			"8 extension headers: l3_len");
	rte_pktmbuf_free(m);

	/* one more: dropped */
	f.extlen = ext_chain(ext, SK_IP6_EXT_MAX + 1, IPPROTO_TCP);
	m = build6(&f);
	expect_drop(m, "drop_ip6_exthdr",
		"a chain of 9 extension headers (bound 8)");

	/* a loop-like chain: destination options naming destination options,
	 * as far as the frame goes (180 headers); the walk stops at the bound */
	f.extlen = ext_chain(ext, 180, NH_DSTOPTS);
	m = build6(&f);
	expect_drop(m, "drop_ip6_exthdr",
		"180 destination options headers, each naming the next");

	/* the same loop, the frame ending inside it */
	f.len = 0;
	f.extlen = ext_chain(ext, 4, NH_DSTOPTS);
	f.proto = NH_DSTOPTS;
	m = build6(&f);
	expect_drop_oneof(m, L("drop_ip6_short", "drop_ip6_exthdr"),
		"4 destination options headers, the last naming a 5th that is "
		"not there");
	f.proto = 0;

	/* a header claiming more than the datagram holds */
	f.extlen = ext_opts(ext, IPPROTO_TCP, 0);
	ext[1] = 255;
	m = build6(&f);
	expect_drop_oneof(m, L("drop_ip6_short", "drop_ip6_exthdr"),
		"hop-by-hop header of 2048 bytes in 8");

	/* hop-by-hop anywhere but first (RFC 8200 4.1) */
	f = syn6();
	f.ext = ext;
	n = ext_opts(ext, NH_HBH, 0);
	n += ext_opts(ext + n, IPPROTO_TCP, 0);
	f.extlen = n;
	f.ext_nh = NH_DSTOPTS;
	m = build6(&f);
	expect_drop(m, "drop_ip6_exthdr",
		"destination options, then hop-by-hop");

	/* a routing header asking to be forwarded (segments left 1) */
	memset(ext, 0, 24);
	ext[0] = IPPROTO_TCP;
	ext[1] = 2;
	ext[2] = 4;
	ext[3] = 1;
	f.extlen = 24;
	f.ext_nh = NH_ROUTING;
	m = build6(&f);
	expect_drop(m, "drop_ip6_exthdr", "routing header, segments left 1");

	/* an unknown option whose type says skip it (high bits 00) */
	f.extlen = ext_opts(ext, IPPROTO_TCP, 0);
	ext[2] = 0x1e;
	f.ext_nh = NH_DSTOPTS;
	m = build6(&f);
	expect_tcp(m, "destination option 0x1e (unknown, skip)");
	rte_pktmbuf_free(m);

	/* ... and one whose type says discard the packet (high bits 10) */
	ext[2] = 0x9e;
	m = build6(&f);
	expect_drop(m, "drop_ip6_exthdr",
		"destination option 0x9e (unknown, discard)");

	/* a hop-by-hop option running past its header */
	f.extlen = ext_opts(ext, IPPROTO_TCP, 0);
	ext[3] = 5;
	f.ext_nh = NH_HBH;
	m = build6(&f);
	expect_drop(m, "drop_ip6_exthdr", "hop-by-hop PadN running past the header");

	/* ESP: an extension header synack does not walk */
	f = syn6();
	f.proto = 50;
	f.data = "\0\0\1\0\0\0\0\1";
	f.len = 8;
	m = build6(&f);
	expect_drop(m, "drop_ip6_exthdr", "next header ESP");
	f.proto = 0;
	f.len = 0;
	f.ext = ext;

	/* a fragment header: first fragment, more to come */
	memset(ext, 0, 8);
	ext[0] = IPPROTO_TCP;
	ext[3] = 1;             /* offset 0, M */
	ext[7] = 0x2a;          /* identification */
	f.extlen = 8;
	f.ext_nh = NH_FRAG;
	m = build6(&f);
	expect_drop(m, "drop_ip6_frag", "fragment header (first fragment)");

	/* a later fragment */
	ext[2] = 0x05;
	ext[3] = 0xa8;          /* offset 181 * 8, no M */
	m = build6(&f);
	expect_drop(m, "drop_ip6_frag", "fragment header (last fragment)");

	/* a fragment header behind hop-by-hop */
	n = ext_opts(ext, NH_FRAG, 0);
	memset(ext + n, 0, 8);
	ext[n] = IPPROTO_TCP;
	ext[n + 3] = 1;
	f.extlen = (uint16_t)(n + 8);
	f.ext_nh = NH_HBH;
	m = build6(&f);
	expect_drop(m, "drop_ip6_frag", "hop-by-hop then a fragment header");

	/* hop-by-hop then a next header that is no protocol of ours */
	f.extlen = ext_opts(ext, IPPROTO_UDP, 0);
	f.ext_nh = NH_HBH;
	f.proto = IPPROTO_UDP;
	f.data = "\x9c\x40\x00\x35\x00\x08\x00\x00";
	f.len = 8;
	m = build6(&f);
	expect_drop(m, "drop_ip6_proto", "hop-by-hop then UDP");
	f.proto = 0;
	f.len = 0;

	/* a jumbogram (RFC 2675): payload length 0, jumbo payload option */
	memset(ext, 0, 8);
	ext[0] = IPPROTO_TCP;
	ext[1] = 0;
	ext[2] = 0xc2;          /* Jumbo Payload */
	ext[3] = 4;
	ext[4] = 0;
	ext[5] = 0;
	ext[6] = 0;
	ext[7] = 28;            /* 8 + 20 */
	f = syn6();
	f.ext = ext;
	f.extlen = 8;
	f.ext_nh = NH_HBH;
	f.plen_set = true;
	f.plen = 0;
	m = build6(&f);
	expect_drop_oneof(m, L("drop_ip6_len", "drop_ip6_exthdr"),
		"jumbogram: payload length 0 and a jumbo payload option");

	/* a jumbo option with a sane payload length: still not ours */
	f.plen_set = false;
	m = build6(&f);
	expect_drop_oneof(m, L("drop_ip6_len", "drop_ip6_exthdr"),
		"jumbo payload option with a non-zero payload length");

	/* payload length ending inside the extension header */
	f = syn6();
	f.extlen = ext_opts(ext, IPPROTO_TCP, 1);
	f.ext = ext;
	f.ext_nh = NH_HBH;
	f.plen_set = true;
	f.plen = 8;
	m = build6(&f);
	expect_drop_oneof(m, L("drop_ip6_len", "drop_ip6_short",
		"drop_ip6_exthdr"),
		"payload length 8, a 16-byte hop-by-hop header");
}

/* ---- cases: truncation at every length ---------------------------------- */

/* Parse every proper prefix of @p m's frame (guarded: a byte read past
 * the prefix is a crash) and expect a counted drop each time: under
 * drop_l2_short below 14 bytes, drop_ip6_short below a whole IPv6 header,
 * and past it under one of @p tail. Frees @p m. */
static void
truncations(struct rte_mbuf *m, const char *what, const char *const *tail)
{
	uint8_t frame[2048];
	uint16_t len = rte_pktmbuf_data_len(m);
	unsigned int l2 = bytes(m)[12] == 0x81 ? 18 : 14;
	unsigned int bad = 0, first = 0;

	memcpy(frame, bytes(m), len);
	rte_pktmbuf_free(m);
	for (uint16_t n = 0; n < len; n++) {
		struct rte_mbuf *g = guarded(frame, n);
		enum sk_pkt_kind k = parse(g);
		bool ok;

		if (n < l2)
			ok = counters_are(L("drop_l2_short"), NULL,
				L("rx_vlan"));
		else if (n < l2 + 40)
			ok = counters_are(L("rx_ipv6", "drop_ip6_short"), NULL,
				L("rx_vlan"));
		else
			ok = counters_are(L("rx_ipv6"), tail, L("rx_vlan"));
		if (k != SK_PKT_DROP || !ok) {
			if (bad++ == 0)
				first = n;
			printf("# %s cut to %u bytes: kind %d\n", what, n, k);
		}
		rte_pktmbuf_free(g);
	}
	CHECK(bad == 0, "%s cut at each of its %u lengths: a counted drop "
		"(%u wrong, first at %u bytes)", what, len, bad, first);
}

static void
test_truncated(void)
{
	static uint8_t ext[64];
	static const uint8_t ts[12] = { 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0 };
	uint8_t msg[64];
	struct skt_frame6 f = syn6();
	struct rte_mbuf *m;

	/* a whole frame through the guarded path is accepted: the harness
	 * itself is right */
	m = build6(&f);
	{
		uint8_t frame[128];
		uint16_t len = rte_pktmbuf_data_len(m);
		struct rte_mbuf *g;

		memcpy(frame, bytes(m), len);
		g = guarded(frame, len);
		expect_tcp(g, "IPv6 SYN against the guard page");
		rte_pktmbuf_free(g);
	}
	truncations(m, "IPv6 SYN", L("drop_ip6_len", "drop_ip6_short"));

	f.opts = ts;
	f.optlen = sizeof(ts);
	f.vlan = true;
	m = build6(&f);
	truncations(m, "IPv6 ACK with timestamps in 802.1Q",
		L("drop_ip6_len", "drop_ip6_short"));

	f = syn6();
	f.extlen = ext_chain(ext, 3, IPPROTO_TCP);
	f.ext = ext;
	f.ext_nh = NH_HBH;
	m = build6(&f);
	truncations(m, "IPv6 SYN behind 3 extension headers",
		L("drop_ip6_len", "drop_ip6_short"));

	f = ns_frame(msg, E6, true);
	m = build6(&f);
	truncations(m, "Neighbor Solicitation",
		L("drop_ip6_len", "drop_ip6_short"));

	msg[0] = ICMP6_ECHO_REQ;
	msg[1] = 0;
	memset(msg + 4, 0x5a, 36);
	f = icmp6(E6, NULL, 64, msg, 40);
	m = build6(&f);
	truncations(m, "ICMPv6 echo request",
		L("drop_ip6_len", "drop_ip6_short"));
}

/* ---- cases: Neighbor Discovery ----------------------------------------- */

/* The Neighbor Advertisement RFC 4861 7.2.4 asks for: from our MAC and
 * @p target (ours) to @p dmac / @p dst, hop limit 255, Solicited (unless
 * @p dad: the answer to a Duplicate Address Detection probe) and Override,
 * a target link-layer address option with our MAC; in an 802.1Q tag (VID
 * 100) with @p vlan. 86 bytes, 90 with the tag; returns the length. */
static uint16_t
expected_na(uint8_t *b, const struct rte_ether_addr *dmac, const uint8_t *dst,
		const uint8_t *target, bool dad, bool vlan)
{
	uint16_t l2 = vlan ? 18 : 14;
	uint8_t *ip = b + l2, *ic = b + l2 + 40;
	uint16_t ck;

	memset(b, 0, 90);
	memcpy(b, dmac, 6);
	memcpy(b + 6, &skt_engine_mac, 6);
	if (vlan) {
		b[12] = 0x81;
		b[15] = 100;
	}
	b[l2 - 2] = 0x86;
	b[l2 - 1] = 0xdd;
	ip[0] = 0x60;
	ip[5] = 32;
	ip[6] = IPPROTO_ICMPV6;
	ip[7] = 255;
	memcpy(ip + 8, target, 16);
	memcpy(ip + 24, dst, 16);
	ic[0] = ND_NA;
	ic[4] = dad ? 0x20 : 0x60;      /* (S) | O */
	memcpy(ic + 8, target, 16);
	ic[24] = 2;             /* target link-layer address */
	ic[25] = 1;
	memcpy(ic + 26, &skt_engine_mac, 6);
	ck = skt_cksum6(target, dst, IPPROTO_ICMPV6, ic, 32);
	ic[2] = (uint8_t)(ck >> 8);
	ic[3] = (uint8_t)ck;
	return (uint16_t)(l2 + 72);
}

static void
dump_diff(const uint8_t *got, uint16_t glen, const uint8_t *want,
		uint16_t wlen)
{
	for (unsigned int i = 0; i < glen && i < wlen; i++)
		if (got[i] != want[i])
			printf("# byte %u: 0x%02x, expected 0x%02x\n", i, got[i],
				want[i]);
	if (glen != wlen)
		printf("# length %u, expected %u\n", glen, wlen);
}

/* Parse NS frame @p f; expect SK_PKT_ND_NS (rx_ipv6, rx_nd_ns, and rx_vlan
 * in a tag), build the reply and compare it with the expected NA: to the
 * solicitor, or with @p dad to all nodes. */
static void
ns_case(const struct skt_frame6 *f, const uint8_t *target, bool dad,
		const char *what)
{
	uint8_t want[90];
	struct rte_mbuf *m = build6(f);
	enum sk_pkt_kind k = parse(m);
	uint16_t wlen;

	CHECK_EQ(k, SK_PKT_ND_NS, "%s: SK_PKT_ND_NS", what);
	CHECK(counters_are(f->vlan ? L("rx_ipv6", "rx_nd_ns", "rx_vlan") :
			L("rx_ipv6", "rx_nd_ns"), NULL, NULL),
		"%s: counted under rx_ipv6 and rx_nd_ns only", what);
	if (k == SK_PKT_ND_NS) {
		bool same;

		CHECK(sk_pkt_nd_reply(&ctx, m, &pk),
			"%s: sk_pkt_nd_reply builds the reply", what);
		wlen = dad ? expected_na(want, &MAC_ALLNODES, ALLNODES, target,
				true, f->vlan) :
			expected_na(want, &skt_peer_mac, f->saddr, target,
				false, f->vlan);
		same = rte_pktmbuf_data_len(m) == wlen &&
			rte_pktmbuf_pkt_len(m) == wlen &&
			memcmp(bytes(m), want, wlen) == 0;
		if (!same)
			dump_diff(bytes(m), rte_pktmbuf_data_len(m), want, wlen);
		CHECK(same, "%s: the reply is the NA of RFC 4861 7.2.4, byte "
			"for byte", what);
	}
	rte_pktmbuf_free(m);
}

static void
test_nd(void)
{
	uint8_t msg[64];
	struct skt_frame6 f;
	struct rte_mbuf *m;
	uint16_t len;

	/* what the kernel sends to resolve us */
	f = ns_frame(msg, E6, true);
	ns_case(&f, E6, false, "NS for 2001:db8::2 to its solicited-node group");

	f = ns_frame(msg, E6B, true);
	ns_case(&f, E6B, false, "NS for our second address");

	f = ns_frame(msg, E6, true);
	f.vlan = true;
	ns_case(&f, E6, false, "NS in an 802.1Q tag (the NA keeps the tag)");

	/* Duplicate Address Detection of our address by another node (RFC
	 * 4862 5.4.3): from ::, no SLLA, to the solicited-node group; the
	 * NA goes to all nodes, Solicited clear (RFC 4861 7.2.4) */
	f = ns_frame(msg, E6, false);
	memcpy(f.saddr, UNSPEC, 16);
	ns_case(&f, E6, true, "DAD probe for 2001:db8::2 from ::");

	/* a DAD probe must not carry a source link-layer option (7.1.1) */
	f = ns_frame(msg, E6, true);
	memcpy(f.saddr, UNSPEC, 16);
	m = build6(&f);
	expect_drop(m, "drop_icmp6", "NS from :: with a source link-layer option");

	/* nor go to a unicast address */
	len = ns_msg(msg, E6, false);
	f = icmp6(E6, NULL, 255, msg, len);
	memcpy(f.saddr, UNSPEC, 16);
	m = build6(&f);
	expect_drop(m, "drop_icmp6", "NS from :: to our unicast address");

	/* reachability confirmation: unicast to us, no SLLA option (the
	 * reply is longer than the request) */
	len = ns_msg(msg, E6, false);
	f = icmp6(E6, NULL, 255, msg, len);
	ns_case(&f, E6, false, "unicast NS without a source link-layer option");

	/* with a nonce option after the SLLA (RFC 7527): the reply does not
	 * echo it */
	len = ns_msg(msg, E6, true);
	msg[len] = 14;
	msg[len + 1] = 1;
	memset(msg + len + 2, 0x77, 6);
	f = icmp6(E6, NULL, 255, msg, (uint16_t)(len + 8));
	ns_case(&f, E6, false, "unicast NS with SLLA and a nonce option");

	/* hop limit not 255: it may have crossed a router (RFC 4861 7.1.1) */
	f = ns_frame(msg, E6, true);
	f.hlim = 254;
	m = build6(&f);
	expect_drop(m, "drop_icmp6", "NS with hop limit 254");

	f = ns_frame(msg, E6, true);
	f.hlim = 1;
	m = build6(&f);
	expect_drop(m, "drop_icmp6", "NS with hop limit 1");

	/* bad checksum */
	f = ns_frame(msg, E6, true);
	f.bad_cksum = true;
	m = build6(&f);
	expect_drop(m, "drop_icmp6", "NS with a bad ICMPv6 checksum");

	/* code not 0 */
	f = ns_frame(msg, E6, true);
	msg[1] = 1;
	m = build6(&f);
	expect_drop(m, "drop_icmp6", "NS with code 1");

	/* shorter than an NS (20 of 24 bytes) */
	f = ns_frame(msg, E6, false);
	f.len = 20;
	m = build6(&f);
	expect_drop(m, "drop_icmp6", "NS of 20 bytes");

	/* an option of length 0 (RFC 4861 4.6: must be dropped) */
	f = ns_frame(msg, E6, true);
	msg[25] = 0;
	m = build6(&f);
	expect_drop(m, "drop_icmp6", "NS with an option of length 0");

	/* an option running past the message */
	f = ns_frame(msg, E6, true);
	msg[25] = 2;
	m = build6(&f);
	expect_drop(m, "drop_icmp6", "NS with an option past its end");

	/* target multicast */
	f = ns_frame(msg, E6, true);
	memcpy(msg + 8, ALLNODES, 16);
	m = build6(&f);
	expect_drop_oneof(m, L("drop_icmp6", "rx_nd_other"),
		"NS whose target is multicast");

	/* not ours: unicast to us (our MAC, our address), target another */
	len = ns_msg(msg, O6, true);
	f = icmp6(E6, NULL, 255, msg, len);
	m = build6(&f);
	CHECK_EQ(parse(m), SK_PKT_DROP, "NS for 2001:db8::9 sent to us: dropped");
	CHECK(counters_are(L("rx_ipv6", "rx_nd_other"), NULL, NULL),
		"NS for 2001:db8::9 sent to us: counted under rx_nd_other only");
	rte_pktmbuf_free(m);

	/* not ours, to its own solicited-node group: no reply, whichever
	 * check turns it away */
	f = ns_frame(msg, O6, true);
	m = build6(&f);
	CHECK_EQ(parse(m), SK_PKT_DROP,
		"NS for 2001:db8::9 to its solicited-node group: dropped");
	CHECK(counters_are(L("rx_ipv6"), L("rx_nd_other", "drop_ip6_dst"),
		NULL) || counters_are(L("drop_l2_dst"), NULL, NULL),
		"NS for 2001:db8::9 to its group: rx_nd_other, drop_ip6_dst or "
		"drop_l2_dst");
	rte_pktmbuf_free(m);

	/* a router advertisement to all nodes: ignored, counted */
	memset(msg, 0, 16);
	msg[0] = ND_RA;
	msg[4] = 64;            /* cur hop limit */
	msg[6] = 0x07;
	msg[7] = 0x08;          /* router lifetime 1800 */
	f = icmp6(ALLNODES, &MAC_ALLNODES, 255, msg, 16);
	m = build6(&f);
	CHECK_EQ(parse(m), SK_PKT_DROP, "router advertisement: not answered");
	CHECK(counters_are(L("rx_ipv6", "rx_nd_other"), NULL, NULL),
		"router advertisement to ff02::1: counted under rx_nd_other");
	rte_pktmbuf_free(m);

	/* a router solicitation to us */
	memset(msg, 0, 8);
	msg[0] = ND_RS;
	f = icmp6(E6, NULL, 255, msg, 8);
	m = build6(&f);
	CHECK_EQ(parse(m), SK_PKT_DROP, "router solicitation: not answered");
	CHECK(counters_are(L("rx_ipv6", "rx_nd_other"), NULL, NULL),
		"router solicitation: counted under rx_nd_other");
	rte_pktmbuf_free(m);

	/* an MLDv2 report (what the kernel sends when the link comes up):
	 * hop-by-hop router alert, hop limit 1, to ff02::16 */
	{
		static const uint8_t hbh[8] = { IPPROTO_ICMPV6, 0, 5, 2, 0, 0,
			1, 0 };
		uint8_t rep[28] = { MLD2_REPORT, 0, 0, 0, 0, 0, 0, 1,
			4, 0, 0, 0, 0xff, 0x02, [27] = 0xfb };

		f = icmp6(MLDV2, &MAC_MLDV2, 1, rep, sizeof(rep));
		f.ext = hbh;
		f.extlen = 8;
		f.ext_nh = NH_HBH;
		m = build6(&f);
		CHECK_EQ(parse(m), SK_PKT_DROP, "MLDv2 report: not answered");
		CHECK(counters_are(L("rx_ipv6", "rx_nd_other"), NULL, NULL),
			"MLDv2 report to ff02::16 behind hop-by-hop: counted "
			"under rx_nd_other");
		rte_pktmbuf_free(m);
	}

	/* a Neighbor Advertisement: synackd resolves nobody, nothing to
	 * learn */
	memset(msg, 0, 32);
	msg[0] = ND_NA;
	msg[4] = 0x60;
	memcpy(msg + 8, P6, 16);
	msg[24] = 2;
	msg[25] = 1;
	memcpy(msg + 26, &skt_peer_mac, 6);
	f = icmp6(E6, NULL, 255, msg, 32);
	m = build6(&f);
	CHECK_EQ(parse(m), SK_PKT_DROP, "NA to us: not taken");
	CHECK(counters_are(L("rx_ipv6", "rx_nd_other"), NULL, NULL),
		"NA to us: counted under rx_nd_other");
	rte_pktmbuf_free(m);
}

/* ---- cases: ICMPv6 echo ------------------------------------------------ */

/* An echo request to @p dst with @p plen bytes of data, behind a
 * hop-by-hop header with @p hbh; the reply must be the RFC's, with no
 * extension header. */
static void
echo_case(const uint8_t *dst, uint16_t plen, bool hbh, const char *what)
{
	static const uint8_t hbh_hdr[8] = { IPPROTO_ICMPV6, 0, 1, 4 };
	static uint8_t msg[1500], want[1600];
	struct skt_frame6 f;
	struct rte_mbuf *m;
	enum sk_pkt_kind k;
	uint16_t len = (uint16_t)(8 + plen), ck;
	uint8_t *ip = want + 14, *ic = want + 54;

	msg[0] = ICMP6_ECHO_REQ;
	msg[1] = 0;
	msg[4] = 0x12;
	msg[5] = 0x34;          /* identifier */
	msg[6] = 0;
	msg[7] = 7;             /* sequence */
	for (unsigned int i = 0; i < plen; i++)
		msg[8 + i] = (uint8_t)(0xa0 + i * 7);
	f = icmp6(dst, NULL, 61, msg, len);
	if (hbh) {
		f.ext = hbh_hdr;
		f.extlen = 8;
		f.ext_nh = NH_HBH;
	}
	m = build6(&f);
	k = parse(m);
	CHECK_EQ(k, SK_PKT_ICMP6, "%s: SK_PKT_ICMP6", what);
	CHECK(counters_are(L("rx_ipv6", "rx_icmp6_echo"), NULL, NULL),
		"%s: counted under rx_ipv6 and rx_icmp6_echo only", what);
	if (k == SK_PKT_ICMP6) {
		bool same;

		sk_pkt_icmp6_reply(&ctx, m, &pk);
		/* the reply: addresses swapped (from the address the request
		 * went to), hop limit 64 as the IPv4 responder's TTL, type
		 * 129, the rest echoed */
		memcpy(want, &skt_peer_mac, 6);
		memcpy(want + 6, &skt_engine_mac, 6);
		want[12] = 0x86;
		want[13] = 0xdd;
		memset(ip, 0, 40);
		ip[0] = 0x60;
		ip[4] = (uint8_t)(len >> 8);
		ip[5] = (uint8_t)len;
		ip[6] = IPPROTO_ICMPV6;
		ip[7] = 64;
		memcpy(ip + 8, dst, 16);
		memcpy(ip + 24, P6, 16);
		memcpy(ic, msg, len);
		ic[0] = ICMP6_ECHO_REP;
		ic[2] = ic[3] = 0;
		ck = skt_cksum6(dst, P6, IPPROTO_ICMPV6, ic, len);
		ic[2] = (uint8_t)(ck >> 8);
		ic[3] = (uint8_t)ck;
		same = rte_pktmbuf_data_len(m) == 54 + len &&
			memcmp(bytes(m), want, 54u + len) == 0;
		if (!same)
			dump_diff(bytes(m), rte_pktmbuf_data_len(m), want,
				(uint16_t)(54 + len));
		CHECK(same, "%s: the echo reply of RFC 4443 4.2, byte for byte",
			what);
	}
	rte_pktmbuf_free(m);
}

static void
test_echo(void)
{
	uint8_t msg[64];
	struct skt_frame6 f;
	struct rte_mbuf *m;

	echo_case(E6, 56, false, "ICMPv6 echo request (ping -6's 56 bytes)");
	echo_case(E6, 56, true, "ICMPv6 echo request behind hop-by-hop");
	echo_case(E6, 0, false, "ICMPv6 echo request with no data");
	echo_case(E6, 1, false, "ICMPv6 echo request with 1 byte of data");
	echo_case(E6, 1400, false, "ICMPv6 echo request with 1400 bytes of data");
	echo_case(E6B, 56, false, "ICMPv6 echo request to our second address");

	memset(msg, 0, sizeof(msg));
	msg[0] = ICMP6_ECHO_REQ;
	f = icmp6(E6, NULL, 64, msg, 16);
	f.bad_cksum = true;
	m = build6(&f);
	expect_drop(m, "drop_icmp6", "ICMPv6 echo request with a bad checksum");

	f = icmp6(E6, NULL, 64, msg, 16);
	msg[1] = 1;
	m = build6(&f);
	expect_drop(m, "drop_icmp6", "ICMPv6 echo request with code 1");
	msg[1] = 0;

	/* an echo reply is not answered */
	msg[0] = ICMP6_ECHO_REP;
	f = icmp6(E6, NULL, 64, msg, 16);
	m = build6(&f);
	expect_drop(m, "drop_icmp6", "ICMPv6 echo reply to us");

	/* 3 bytes: not even an ICMPv6 header */
	msg[0] = ICMP6_ECHO_REQ;
	f = icmp6(E6, NULL, 64, msg, 3);
	m = build6(&f);
	expect_drop(m, "drop_icmp6", "ICMPv6 message of 3 bytes");

	/* echo to a destination not ours */
	f = icmp6(O6, NULL, 64, msg, 16);
	m = build6(&f);
	expect_drop(m, "drop_ip6_dst", "ICMPv6 echo request to 2001:db8::9");

	/* from the unspecified address: nobody to answer */
	f = icmp6(E6, NULL, 64, msg, 16);
	memcpy(f.saddr, UNSPEC, 16);
	m = build6(&f);
	expect_drop(m, "drop_ip6_src", "ICMPv6 echo request from ::");

	/* echo to all nodes: synack answers its own addresses only */
	f = icmp6(ALLNODES, &MAC_ALLNODES, 64, msg, 16);
	m = build6(&f);
	expect_drop(m, "drop_ip6_dst", "ICMPv6 echo request to ff02::1");

	/* hop limit 0 */
	f = icmp6(E6, NULL, 64, msg, 16);
	f.hlim0 = true;
	m = build6(&f);
	expect_drop(m, "drop_ip6_hlim", "ICMPv6 echo request, hop limit 0");
}

int
main(void)
{
	unsigned int avail;

	pool = skt_eal("test_pkt6");
	avail = rte_mempool_avail_count(pool);
	guard_init();

	ctx.mac = skt_engine_mac;
	ctx.n_addrs = 1;
	ctx.addrs[0] = rte_cpu_to_be_32(ENGINE_IP);
	ctx.bcast[0] = rte_cpu_to_be_32(0xc61200ffu);
	ctx.n_addrs6 = 2;
	memcpy(ctx.addrs6[0], E6, 16);
	memcpy(ctx.addrs6[1], E6B, 16);
	ctx.rx_cksum = false;

	test_valid();
	test_ip6_header();
	test_ip6_addrs();
	test_tcp6();
	test_exthdr();
	test_truncated();
	test_nd();
	test_echo();

	CHECK_EQ(rte_mempool_avail_count(pool), avail, "no mbuf leaked");
	skt_eal_done();
	return sk_test_done();
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The frame parser, one broken thing at a time: each case builds a valid
 * frame, corrupts exactly one field (checksums recomputed unless the case is
 * about a checksum), parses it and checks the verdict and that exactly the
 * expected counter moved. Accepted frames have the parsed fields checked, and
 * the ARP and ICMP responders are checked byte by byte.
 */

#include <string.h>
#include <unistd.h>

#include <rte_arp.h>
#include <rte_icmp.h>
#include <rte_mbuf.h>

#include "sk_frames.h"
#include "sk_pkt.h"
#include "sk_stats.h"
#include "sk_test.h"

#define ENGINE_IP  0xc6120002u  /* 198.18.0.2 */
#define ENGINE_IP2 0xc6120003u  /* 198.18.0.3 */
#define BCAST_IP   0xc61200ffu  /* 198.18.0.255 */
#define PEER_IP    0xc6120001u  /* 198.18.0.1 */
#define OTHER_IP   0xc6120009u  /* 198.18.0.9: on the link, not ours */

static struct rte_mempool *pool;
static struct sk_pkt_ctx ctx;
static struct sk_stats st;
static struct sk_pkt pk;

/* ---- counters ---------------------------------------------------------- */

/* True when every counter named in @p want (NULL-terminated) is 1 and every
 * other counter and gauge is 0; prints each one that is not. */
static bool
stats_match(const struct sk_stats *s, const char *const *want)
{
	const uint64_t *v = (const uint64_t *)(const void *)s;
	const char *const *w;
	bool ok = true;
	size_t i;

	for (w = want; *w != NULL; w++) {
		for (i = 0; i < SK_STATS_N; i++)
			if (strcmp(*w, sk_stats_names[i]) == 0)
				break;
		if (i == SK_STATS_N) {
			printf("# no counter named %s\n", *w);
			ok = false;
		}
	}
	for (i = 0; i < SK_STATS_N; i++) {
		uint64_t e = 0;

		for (w = want; *w != NULL; w++)
			if (strcmp(*w, sk_stats_names[i]) == 0)
				e = 1;
		if (v[i] != e) {
			printf("# counter %s = %llu, expected %llu\n",
				sk_stats_names[i], (unsigned long long)v[i],
				(unsigned long long)e);
			ok = false;
		}
	}
	for (i = 0; i < SK_ST_MAX; i++) {
		if (s->flows[i] != 0) {
			printf("# flows[%zu] = %llu, expected 0\n", i,
				(unsigned long long)s->flows[i]);
			ok = false;
		}
	}
	return ok;
}

#define STATS_ARE(...) \
	stats_match(&st, (const char *const []){ __VA_ARGS__, NULL })

/* ---- frame access ------------------------------------------------------ */

static uint8_t *
bytes(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod(m, uint8_t *);
}

static struct rte_ether_hdr *
eth(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
}

static uint16_t
l2of(struct rte_mbuf *m)
{
	return eth(m)->ether_type == RTE_BE16(RTE_ETHER_TYPE_VLAN) ? 18 : 14;
}

static struct rte_ipv4_hdr *
iph(struct rte_mbuf *m)
{
	return (struct rte_ipv4_hdr *)(bytes(m) + l2of(m));
}

static unsigned int
ihl_of(const struct rte_ipv4_hdr *ip)
{
	return (ip->version_ihl & 0xf) * 4u;
}

static struct rte_tcp_hdr *
tcph(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = iph(m);

	return (struct rte_tcp_hdr *)((uint8_t *)ip + ihl_of(ip));
}

/* Recompute the IP header checksum over the header as far as it is sane
 * (IHL clamped to [20, bytes present]). */
static void
fix_ip(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = iph(m);
	unsigned int avail = rte_pktmbuf_data_len(m) - l2of(m);
	unsigned int ihl = ihl_of(ip);

	if (ihl < sizeof(*ip))
		ihl = sizeof(*ip);
	if (ihl > avail)
		ihl = avail & ~1u;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = (uint16_t)~rte_raw_cksum(ip, ihl);
}

/* Recompute the TCP checksum where the datagram holds a whole header. */
static void
fix_tcp(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = iph(m);
	unsigned int ihl = ihl_of(ip);
	unsigned int tot = rte_be_to_cpu_16(ip->total_length);
	struct rte_tcp_hdr *th;

	if (ip->next_proto_id != IPPROTO_TCP || ihl < sizeof(*ip) ||
			tot < ihl + sizeof(*th) ||
			l2of(m) + tot > rte_pktmbuf_data_len(m))
		return;
	th = tcph(m);
	th->cksum = 0;
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
}

static void
fix(struct rte_mbuf *m)
{
	fix_ip(m);
	fix_tcp(m);
}

/* A SYN from the peer to 198.18.0.2:80. */
static struct skt_frame
syn(void)
{
	struct skt_frame f = {
		.saddr = PEER_IP, .daddr = ENGINE_IP,
		.sport = 40000, .dport = 80,
		.seq = 0x11223344, .flags = RTE_TCP_SYN_FLAG,
	};

	return f;
}

static struct rte_mbuf *
build(const struct skt_frame *f)
{
	struct rte_mbuf *m = skt_build(pool, f);

	if (m == NULL) {
		printf("Bail out! mbuf pool empty\n");
		exit(1);
	}
	return m;
}

static struct rte_mbuf *
build_syn(void)
{
	struct skt_frame f = syn();

	return build(&f);
}

static struct rte_mbuf *
build_opts(const uint8_t *opts, uint8_t optlen)
{
	struct skt_frame f = syn();

	f.opts = opts;
	f.optlen = optlen;
	return build(&f);
}

/* Insert @p n bytes of IP options after the 20-byte IP header. */
static void
insert_ip_opts(struct rte_mbuf *m, const uint8_t *opt, unsigned int n)
{
	struct rte_ipv4_hdr *ip;
	uint8_t *at;
	size_t tail;

	if (rte_pktmbuf_append(m, (uint16_t)n) == NULL) {
		printf("Bail out! append\n");
		exit(1);
	}
	ip = iph(m);
	at = (uint8_t *)(ip + 1);
	tail = rte_pktmbuf_data_len(m) - n - (size_t)(at - bytes(m));
	memmove(at + n, at, tail);
	memcpy(at, opt, n);
	ip->version_ihl = (uint8_t)(0x40 | ((sizeof(*ip) + n) / 4));
	ip->total_length = rte_cpu_to_be_16(
		(uint16_t)(rte_be_to_cpu_16(ip->total_length) + n));
	fix(m);
}

/* An ARP message from the peer, padded to the 60-byte minimum frame. */
static struct rte_mbuf *
build_arp(uint16_t op, uint32_t tip, uint8_t hlen, bool vlan)
{
	return skt_build_arp(pool, op, PEER_IP, tip, hlen, vlan);
}

#define ICMP_PAYLOAD 32

/* An ICMP echo request from the peer with a @p plen-byte payload. */
static struct rte_mbuf *
build_icmp(uint16_t plen)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint16_t tot = (uint16_t)(sizeof(struct rte_ipv4_hdr) +
		sizeof(struct rte_icmp_hdr) + plen);
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *ic;
	uint8_t *pl;

	if (m == NULL || rte_pktmbuf_append(m, 14 + tot) == NULL) {
		printf("Bail out! mbuf\n");
		exit(1);
	}
	eh = eth(m);
	eh->dst_addr = skt_engine_mac;
	eh->src_addr = skt_peer_mac;
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ip = (struct rte_ipv4_hdr *)(eh + 1);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(tot);
	ip->packet_id = RTE_BE16(0x4242);
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 61;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = rte_cpu_to_be_32(PEER_IP);
	ip->dst_addr = rte_cpu_to_be_32(ENGINE_IP);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	ic = (struct rte_icmp_hdr *)(ip + 1);
	ic->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	ic->icmp_code = 0;
	ic->icmp_ident = RTE_BE16(0x1234);
	ic->icmp_seq_nb = RTE_BE16(7);
	pl = (uint8_t *)(ic + 1);
	for (unsigned int i = 0; i < plen; i++)
		pl[i] = (uint8_t)(0xa0 + i * 7);
	ic->icmp_cksum = 0;
	ic->icmp_cksum = (uint16_t)~rte_raw_cksum(ic, sizeof(*ic) + plen);
	return m;
}

static struct rte_icmp_hdr *
icmph(struct rte_mbuf *m)
{
	return (struct rte_icmp_hdr *)tcph(m);
}

static void
fix_icmp(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = iph(m);
	struct rte_icmp_hdr *ic = icmph(m);
	unsigned int len = rte_be_to_cpu_16(ip->total_length) - ihl_of(ip);

	ic->icmp_cksum = 0;
	ic->icmp_cksum = (uint16_t)~rte_raw_cksum(ic, len);
}

/* ---- running the parser ------------------------------------------------ */

static enum sk_pkt_kind
parse(struct rte_mbuf *m)
{
	memset(&st, 0, sizeof(st));
	memset(&pk, 0, sizeof(pk));
	return sk_pkt_parse(&ctx, m, &pk, &st);
}

/* Parse @p m, expect a drop counted under @p counter alone, free it. */
static void
expect_drop(struct rte_mbuf *m, const char *counter, const char *what)
{
	enum sk_pkt_kind k = parse(m);

	CHECK_EQ(k, SK_PKT_DROP, "%s: dropped", what);
	CHECK(STATS_ARE(counter), "%s: counted under %s only", what, counter);
	rte_pktmbuf_free(m);
}

/* Parse @p m, expect an accepted TCP segment (rx_tcp only); the caller
 * checks the fields and frees it. */
static bool
expect_tcp(struct rte_mbuf *m, const char *what)
{
	enum sk_pkt_kind k = parse(m);

	CHECK_EQ(k, SK_PKT_TCP, "%s: accepted as TCP", what);
	CHECK(STATS_ARE("rx_tcp"), "%s: counted under rx_tcp only", what);
	return k == SK_PKT_TCP;
}

/* ---- cases ------------------------------------------------------------- */

static void
test_valid(void)
{
	struct skt_frame f = syn();
	struct rte_mbuf *m;
	static const char data[] = "hello";

	m = build_syn();
	if (expect_tcp(m, "plain SYN")) {
		CHECK_EQ(pk.l2_len, 14, "plain SYN: l2_len");
		CHECK(pk.ip == iph(m), "plain SYN: p.ip points at the IP header");
		CHECK(pk.tcp == tcph(m), "plain SYN: p.tcp points at the TCP header");
		CHECK_EQ(pk.l4_len, 20, "plain SYN: l4_len");
		CHECK_EQ(pk.plen, 0, "plain SYN: no payload");
		CHECK_EQ(pk.flags, RTE_TCP_SYN_FLAG, "plain SYN: flags");
		CHECK_EQ(pk.seq, 0x11223344, "plain SYN: seq in host order");
		CHECK_EQ(pk.ack, 0, "plain SYN: ack");
		CHECK_EQ(pk.ce, 0, "plain SYN: not CE");
		CHECK(pk.mss == 0 && !pk.has_ts && !pk.sack_ok && !pk.has_ws &&
			pk.wscale == 0, "plain SYN: no options");
		CHECK_EQ(rte_pktmbuf_data_len(m), 54, "plain SYN: length kept");
	}
	rte_pktmbuf_free(m);

	f.flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG;
	f.ack = 0xdeadbeef;
	f.data = data;
	f.len = 5;
	m = build(&f);
	if (expect_tcp(m, "ACK with data")) {
		CHECK_EQ(pk.ack, 0xdeadbeef, "ACK with data: ack in host order");
		CHECK_EQ(pk.plen, 5, "ACK with data: plen");
		CHECK(pk.payload == (uint8_t *)tcph(m) + 20 &&
			memcmp(pk.payload, data, 5) == 0,
			"ACK with data: payload points at the data");
	}
	rte_pktmbuf_free(m);

	/* a segment to our second address */
	f = syn();
	f.daddr = ENGINE_IP2;
	m = build(&f);
	expect_tcp(m, "SYN to the second address");
	rte_pktmbuf_free(m);
}

static void
test_l2(void)
{
	struct rte_mbuf *m, *v;
	struct skt_frame f = syn();

	/* 10 bytes: less than an Ethernet header */
	v = build_syn();
	m = rte_pktmbuf_alloc(pool);
	memcpy(rte_pktmbuf_append(m, 10), bytes(v), 10);
	rte_pktmbuf_free(v);
	expect_drop(m, "drop_l2_short", "10-byte frame");

	/* VLAN ethertype and 2 bytes of the 4-byte tag */
	f.vlan = true;
	m = build(&f);
	rte_pktmbuf_trim(m, rte_pktmbuf_data_len(m) - 16);
	expect_drop(m, "drop_l2_short", "truncated 802.1Q tag");

	/* another host's unicast MAC */
	m = build_syn();
	eth(m)->dst_addr.addr_bytes[5] = 0x09;
	expect_drop(m, "drop_l2_dst", "unicast dst MAC not ours");

	/* a multicast MAC is not ours either */
	m = build_syn();
	eth(m)->dst_addr.addr_bytes[0] = 0x01;
	expect_drop(m, "drop_l2_dst", "multicast dst MAC");

	/* broadcast dst with IPv4/TCP is accepted */
	m = build_syn();
	memset(&eth(m)->dst_addr, 0xff, RTE_ETHER_ADDR_LEN);
	expect_tcp(m, "broadcast dst MAC");
	rte_pktmbuf_free(m);

	/* IPv6 ethertype */
	m = build_syn();
	eth(m)->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	CHECK_EQ(parse(m), SK_PKT_DROP, "IPv4 bytes as IPv6: dropped");
	CHECK(STATS_ARE("rx_ipv6", "drop_ip_version"),
		"IPv6 ethertype, version 4: rx_ipv6 and drop_ip_version only");
	rte_pktmbuf_free(m);

	/* IPv6 behind a VLAN tag: rx_vlan counted, then parsed as IPv6 */
	f = syn();
	f.vlan = true;
	m = build(&f);
	((struct rte_vlan_hdr *)(eth(m) + 1))->eth_proto =
		RTE_BE16(RTE_ETHER_TYPE_IPV6);
	CHECK_EQ(parse(m), SK_PKT_DROP, "VLAN/IPv6: dropped");
	CHECK(STATS_ARE("rx_vlan", "rx_ipv6", "drop_ip_version"),
		"VLAN/IPv6: rx_vlan, rx_ipv6 and drop_ip_version only");
	rte_pktmbuf_free(m);

	/* VLAN-tagged TCP */
	f = syn();
	f.vlan = true;
	m = build(&f);
	CHECK_EQ(parse(m), SK_PKT_TCP, "VLAN TCP: accepted");
	CHECK(STATS_ARE("rx_vlan", "rx_tcp"), "VLAN TCP: rx_vlan and rx_tcp only");
	CHECK_EQ(pk.l2_len, 18, "VLAN TCP: l2_len 18");
	CHECK(pk.ip == (struct rte_ipv4_hdr *)(bytes(m) + 18),
		"VLAN TCP: p.ip after the tag");
	CHECK_EQ(pk.seq, 0x11223344, "VLAN TCP: seq");
	rte_pktmbuf_free(m);
}

static void
check_arp_reply(struct rte_mbuf *m, uint16_t l2, uint32_t ourip,
		const char *what)
{
	struct rte_ether_hdr *eh = eth(m);
	struct rte_arp_hdr *a = (struct rte_arp_hdr *)(bytes(m) + l2);
	struct rte_ether_addr sha = a->arp_data.arp_sha;
	struct rte_ether_addr tha = a->arp_data.arp_tha;
	rte_be32_t sip = a->arp_data.arp_sip, tip = a->arp_data.arp_tip;

	CHECK_EQ(rte_be_to_cpu_16(a->arp_opcode), RTE_ARP_OP_REPLY,
		"%s: opcode 2", what);
	CHECK(a->arp_hardware == RTE_BE16(RTE_ARP_HRD_ETHER) &&
		a->arp_protocol == RTE_BE16(RTE_ETHER_TYPE_IPV4) &&
		a->arp_hlen == 6 && a->arp_plen == 4,
		"%s: hardware/protocol fields kept", what);
	CHECK(rte_is_same_ether_addr(&sha, &skt_engine_mac),
		"%s: sender MAC is ours", what);
	CHECK_EQ(rte_be_to_cpu_32(sip), ourip, "%s: sender IP is ours", what);
	CHECK(rte_is_same_ether_addr(&tha, &skt_peer_mac),
		"%s: target MAC is the requester's", what);
	CHECK_EQ(rte_be_to_cpu_32(tip), PEER_IP,
		"%s: target IP is the requester's", what);
	CHECK(rte_is_same_ether_addr(&eh->dst_addr, &skt_peer_mac),
		"%s: eth dst is the requester", what);
	CHECK(rte_is_same_ether_addr(&eh->src_addr, &skt_engine_mac),
		"%s: eth src is us", what);
	CHECK_EQ(rte_pktmbuf_data_len(m), l2 + 28u,
		"%s: frame trimmed to the ARP message", what);
	CHECK_EQ(rte_pktmbuf_pkt_len(m), l2 + 28u, "%s: pkt_len too", what);
}

static void
test_arp(void)
{
	struct rte_mbuf *m;

	m = build_arp(RTE_ARP_OP_REQUEST, ENGINE_IP, 6, false);
	CHECK_EQ(parse(m), SK_PKT_ARP, "ARP request for us: SK_PKT_ARP");
	CHECK(STATS_ARE("rx_arp_request"),
		"ARP request for us: rx_arp_request only");
	CHECK_EQ(pk.l2_len, 14, "ARP request for us: l2_len");
	sk_pkt_arp_reply(&ctx, m);
	check_arp_reply(m, 14, ENGINE_IP, "ARP reply");
	CHECK_EQ(eth(m)->ether_type, RTE_BE16(RTE_ETHER_TYPE_ARP),
		"ARP reply: ethertype ARP");
	rte_pktmbuf_free(m);

	m = build_arp(RTE_ARP_OP_REQUEST, ENGINE_IP2, 6, false);
	CHECK_EQ(parse(m), SK_PKT_ARP, "ARP request for .3: SK_PKT_ARP");
	CHECK(STATS_ARE("rx_arp_request"),
		"ARP request for .3: rx_arp_request only");
	sk_pkt_arp_reply(&ctx, m);
	check_arp_reply(m, 14, ENGINE_IP2, "ARP reply for .3");
	rte_pktmbuf_free(m);

	m = build_arp(RTE_ARP_OP_REQUEST, ENGINE_IP, 6, true);
	CHECK_EQ(parse(m), SK_PKT_ARP, "VLAN ARP request: SK_PKT_ARP");
	CHECK(STATS_ARE("rx_vlan", "rx_arp_request"),
		"VLAN ARP request: rx_vlan and rx_arp_request only");
	CHECK_EQ(pk.l2_len, 18, "VLAN ARP request: l2_len");
	sk_pkt_arp_reply(&ctx, m);
	check_arp_reply(m, 18, ENGINE_IP, "VLAN ARP reply");
	CHECK_EQ(((struct rte_vlan_hdr *)(eth(m) + 1))->vlan_tci,
		RTE_BE16(100), "VLAN ARP reply: tag kept");
	rte_pktmbuf_free(m);

	expect_drop(build_arp(RTE_ARP_OP_REQUEST, OTHER_IP, 6, false),
		"drop_arp", "ARP request for another IP");
	expect_drop(build_arp(RTE_ARP_OP_REPLY, ENGINE_IP, 6, false),
		"drop_arp", "ARP reply opcode");
	expect_drop(build_arp(RTE_ARP_OP_REQUEST, ENGINE_IP, 8, false),
		"drop_arp", "ARP hlen 8");

	m = build_arp(RTE_ARP_OP_REQUEST, ENGINE_IP, 6, false);
	rte_pktmbuf_trim(m, rte_pktmbuf_data_len(m) - (14 + 20));
	expect_drop(m, "drop_arp", "truncated ARP (20 bytes)");

	m = build_arp(RTE_ARP_OP_REQUEST, ENGINE_IP, 6, false);
	((struct rte_arp_hdr *)(eth(m) + 1))->arp_data.arp_sip =
		rte_cpu_to_be_32(ENGINE_IP);
	expect_drop(m, "drop_arp", "ARP request from our own IP");
}

static void
test_ip_header(void)
{
	struct rte_mbuf *m;
	struct skt_frame f;

	/* 10 bytes of IP header */
	m = build_syn();
	rte_pktmbuf_trim(m, rte_pktmbuf_data_len(m) - (14 + 10));
	expect_drop(m, "drop_ip_short", "IPv4 header of 10 bytes");

	m = build_syn();
	iph(m)->version_ihl = 0x65;
	fix(m);
	expect_drop(m, "drop_ip_version", "IP version 6");

	m = build_syn();
	iph(m)->version_ihl = 0x44;
	fix_ip(m);
	expect_drop(m, "drop_ip_ihl", "IHL 4");

	m = build_syn();
	iph(m)->version_ihl = 0x4f;
	fix_ip(m);
	expect_drop(m, "drop_ip_ihl", "IHL 15 past the frame");

	m = build_syn();
	iph(m)->total_length = RTE_BE16(41);
	fix_ip(m);
	expect_drop(m, "drop_ip_len", "total length past the frame");

	m = build_syn();
	iph(m)->total_length = RTE_BE16(19);
	fix_ip(m);
	expect_drop(m, "drop_ip_len", "total length below IHL");

	/* Ethernet padding: 60-byte frame carrying a 40-byte datagram */
	m = build_syn();
	memset(rte_pktmbuf_append(m, 6), 0, 6);
	if (expect_tcp(m, "padded 60-byte frame")) {
		CHECK_EQ(rte_pktmbuf_data_len(m), 54,
			"padded frame: trimmed to l2 + total length");
		CHECK_EQ(rte_pktmbuf_pkt_len(m), 54,
			"padded frame: pkt_len trimmed too");
		CHECK_EQ(pk.plen, 0, "padded frame: padding is not payload");
	}
	rte_pktmbuf_free(m);

	m = build_syn();
	iph(m)->hdr_checksum ^= RTE_BE16(0x0100);
	expect_drop(m, "drop_ip_cksum", "bad IP checksum");

	m = build_syn();
	iph(m)->fragment_offset = RTE_BE16(RTE_IPV4_HDR_MF_FLAG);
	fix(m);
	expect_drop(m, "drop_ip_frag", "MF flag");

	m = build_syn();
	iph(m)->fragment_offset = RTE_BE16(185);
	fix(m);
	expect_drop(m, "drop_ip_frag", "fragment offset 185");

	f = syn();
	f.ttl0 = true;
	expect_drop(build(&f), "drop_ip_ttl", "TTL 0");

	f = syn();
	f.daddr = OTHER_IP;
	expect_drop(build(&f), "drop_ip_dst", "dst not ours");

	f = syn();
	f.daddr = BCAST_IP;
	expect_drop(build(&f), "drop_ip_dst", "dst our directed broadcast");

	m = build_syn();
	iph(m)->next_proto_id = IPPROTO_UDP;
	fix(m);
	expect_drop(m, "drop_ip_proto", "protocol UDP");
}

static void
test_ip_src(void)
{
	static const struct {
		uint32_t a;
		const char *what;
	} bad[] = {
		{ ENGINE_IP, "src 198.18.0.2 (LAND)" },
		{ ENGINE_IP2, "src 198.18.0.3 (our other address)" },
		{ 0x00000000u, "src 0.0.0.0" },
		{ 0xffffffffu, "src 255.255.255.255" },
		{ 0xe0000001u, "src 224.0.0.1" },
		{ BCAST_IP, "src 198.18.0.255 (directed broadcast)" },
		{ 0x7f000001u, "src 127.0.0.1" },
		{ 0xf0000001u, "src 240.0.0.1" },
	};

	for (unsigned int i = 0; i < RTE_DIM(bad); i++) {
		struct skt_frame f = syn();

		f.saddr = bad[i].a;
		expect_drop(build(&f), "drop_ip_src", bad[i].what);
	}
}

static void
test_ip_options(void)
{
	static const uint8_t opt[4] = { 1, 1, 1, 0 }; /* NOP NOP NOP EOL */
	struct rte_mbuf *m = build_syn();
	uint8_t *ip;

	insert_ip_opts(m, opt, sizeof(opt));
	ip = bytes(m) + 14;
	CHECK_EQ(rte_ipv4_udptcp_cksum_verify((struct rte_ipv4_hdr *)ip,
		ip + 24), 0, "IP options: test frame is valid");
	if (expect_tcp(m, "IP options (IHL 6)")) {
		CHECK(pk.ip == (struct rte_ipv4_hdr *)ip, "IP options: p.ip");
		CHECK(pk.tcp == (struct rte_tcp_hdr *)(ip + 24),
			"IP options: p.tcp points past the options");
		CHECK_EQ(pk.seq, 0x11223344, "IP options: seq");
		CHECK_EQ(pk.l4_len, 20, "IP options: l4_len");
		CHECK_EQ(pk.plen, 0, "IP options: plen");
	}
	rte_pktmbuf_free(m);
}

static void
test_tcp_header(void)
{
	static const uint8_t fl[] = {
		RTE_TCP_SYN_FLAG | RTE_TCP_FIN_FLAG,
		RTE_TCP_SYN_FLAG | RTE_TCP_RST_FLAG,
		0,
		0xff,
		RTE_TCP_PSH_FLAG | RTE_TCP_URG_FLAG,
	};
	static const char *const fl_what[] = {
		"SYN+FIN", "SYN+RST", "no flags", "all flags (0xff)",
		"PSH+URG only",
	};
	struct rte_mbuf *m;

	m = build_syn();
	iph(m)->total_length = RTE_BE16(30);
	rte_pktmbuf_trim(m, 10);
	fix(m);
	expect_drop(m, "drop_tcp_short", "TCP segment of 10 bytes");

	m = build_syn();
	tcph(m)->data_off = 0x40;
	fix(m);
	expect_drop(m, "drop_tcp_doff", "data offset 4");

	m = build_syn();
	tcph(m)->data_off = 0xf0;
	fix(m);
	expect_drop(m, "drop_tcp_doff", "data offset 15 past the segment");

	m = build_syn();
	tcph(m)->cksum ^= RTE_BE16(0x0001);
	expect_drop(m, "drop_tcp_cksum", "bad TCP checksum");

	for (unsigned int i = 0; i < RTE_DIM(fl); i++) {
		struct skt_frame f = syn();

		f.flags = fl[i];
		expect_drop(build(&f), "drop_tcp_flags", fl_what[i]);
	}

	/* each single flag that makes a segment meaningful is accepted */
	{
		static const uint8_t ok[] = {
			RTE_TCP_ACK_FLAG, RTE_TCP_RST_FLAG, RTE_TCP_FIN_FLAG,
			RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG,
			RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG,
			RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG |
				RTE_TCP_ECE_FLAG | RTE_TCP_CWR_FLAG,
		};

		for (unsigned int i = 0; i < RTE_DIM(ok); i++) {
			struct skt_frame f = syn();
			char what[48];

			f.flags = ok[i];
			snprintf(what, sizeof(what), "flags 0x%02x", ok[i]);
			m = build(&f);
			if (expect_tcp(m, what))
				CHECK_EQ(pk.flags, ok[i], "%s: p.flags", what);
			rte_pktmbuf_free(m);
		}
	}
}

static void
test_tcp_bad_opts(void)
{
	static const struct {
		uint8_t o[8];
		uint8_t len;
		const char *what;
	} bad[] = {
		{ { 2, 0, 5, 0xb4 }, 4, "option length 0" },
		{ { 2, 1, 5, 0xb4 }, 4, "option length 1" },
		{ { 2, 8, 5, 0xb4 }, 4, "option length past the header" },
		{ { 1, 1, 1, 1, 1, 3, 4, 9 }, 8, "WS length past the header" },
		{ { 1, 1, 1, 2 }, 4, "kind at the last byte, no length" },
	};

	for (unsigned int i = 0; i < RTE_DIM(bad); i++)
		expect_drop(build_opts(bad[i].o, bad[i].len), "drop_tcp_opts",
			bad[i].what);
}

static void
test_tcp_opts(void)
{
	static const uint8_t all[20] = {
		2, 4, 0x05, 0xb4,                       /* MSS 1460 */
		4, 2,                                   /* SACK permitted */
		8, 10, 0x01, 0x02, 0x03, 0x04,          /* TS val */
		0xa0, 0xb0, 0xc0, 0xd0,                 /* TS ecr */
		1,                                      /* NOP */
		3, 3, 7,                                /* WS 7 */
	};
	static const uint8_t ws20[4] = { 1, 3, 3, 20 };
	static const uint8_t nops[8] = { 1, 1, 1, 1, 2, 4, 0x05, 0xb4 };
	static const uint8_t eol[8] = { 2, 4, 0x02, 0x18, 0, 3, 3, 7 };
	static const uint8_t unk[8] = { 30, 4, 0xaa, 0xbb, 2, 4, 0x05, 0xb4 };
	static const uint8_t mss3[4] = { 2, 3, 0x05, 1 };
	static const uint8_t ts_only[12] = {
		1, 1, 8, 10, 0xff, 0xff, 0xff, 0xfe, 0, 0, 0, 1,
	};
	struct rte_mbuf *m;

	m = build_opts(all, sizeof(all));
	if (expect_tcp(m, "MSS/SACK/TS/NOP/WS")) {
		CHECK_EQ(pk.l4_len, 40, "options: l4_len 40");
		CHECK_EQ(pk.mss, 1460, "options: MSS 1460");
		CHECK_EQ(pk.sack_ok, 1, "options: SACK permitted");
		CHECK_EQ(pk.has_ts, 1, "options: has_ts");
		CHECK_EQ(pk.tsval, 0x01020304, "options: tsval");
		CHECK_EQ(pk.tsecr, 0xa0b0c0d0, "options: tsecr");
		CHECK_EQ(pk.has_ws, 1, "options: has_ws");
		CHECK_EQ(pk.wscale, 7, "options: WS 7");
		CHECK_EQ(pk.plen, 0, "options: no payload");
	}
	rte_pktmbuf_free(m);

	m = build_opts(ws20, sizeof(ws20));
	if (expect_tcp(m, "WS 20")) {
		CHECK_EQ(pk.has_ws, 1, "WS 20: has_ws");
		CHECK_EQ(pk.wscale, 14, "WS 20: clamped to 14");
		CHECK_EQ(pk.mss, 0, "WS 20: no MSS");
	}
	rte_pktmbuf_free(m);

	m = build_opts(nops, sizeof(nops));
	if (expect_tcp(m, "NOP padding"))
		CHECK_EQ(pk.mss, 1460, "NOP padding: MSS after the NOPs");
	rte_pktmbuf_free(m);

	m = build_opts(eol, sizeof(eol));
	if (expect_tcp(m, "EOL early")) {
		CHECK_EQ(pk.mss, 536, "EOL early: MSS before EOL");
		CHECK_EQ(pk.has_ws, 0, "EOL early: WS after EOL ignored");
		CHECK_EQ(pk.wscale, 0, "EOL early: wscale 0");
	}
	rte_pktmbuf_free(m);

	m = build_opts(unk, sizeof(unk));
	if (expect_tcp(m, "unknown kind 30"))
		CHECK_EQ(pk.mss, 1460, "unknown kind 30: skipped, MSS read");
	rte_pktmbuf_free(m);

	m = build_opts(mss3, sizeof(mss3));
	if (expect_tcp(m, "MSS length 3"))
		CHECK_EQ(pk.mss, 0, "MSS length 3: ignored");
	rte_pktmbuf_free(m);

	m = build_opts(ts_only, sizeof(ts_only));
	if (expect_tcp(m, "TS only")) {
		CHECK(pk.has_ts && pk.tsval == 0xfffffffeu && pk.tsecr == 1,
			"TS only: tsval/tsecr");
		CHECK(!pk.sack_ok && !pk.has_ws && pk.mss == 0,
			"TS only: nothing else");
	}
	rte_pktmbuf_free(m);
}

/* The options of @p o (@p len bytes) through the parser's fast paths and
 * through the general walk alone: the same verdict and the same fields. */
static bool
opts_agree(const uint8_t *o, unsigned int len)
{
	uint8_t hdr[sizeof(struct rte_tcp_hdr) + 40];
	struct sk_pkt a, b;
	bool ra, rb;

	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr + sizeof(struct rte_tcp_hdr), o, len);
	memset(&a, 0x5a, sizeof(a));
	memset(&b, 0xa5, sizeof(b));
	a.tcp = b.tcp = (struct rte_tcp_hdr *)hdr;
	a.l4_len = b.l4_len = (uint16_t)(sizeof(struct rte_tcp_hdr) + len);
	ra = sk_pkt_parse_opts(&a);
	rb = sk_pkt_opts_walk(&b);
	if (ra != rb)
		return false;
	if (!ra)
		return true;   /* a malformed list: the segment is dropped */
	return a.mss == b.mss && a.sack_ok == b.sack_ok &&
		a.has_ws == b.has_ws && a.wscale == b.wscale &&
		a.has_ts == b.has_ts &&
		(!a.has_ts || (a.tsval == b.tsval && a.tsecr == b.tsecr));
}

/*
 * The parser's fast paths for the layouts real stacks send (Linux with
 * and without SACK, window scaling or timestamps, Windows, macOS, MSS
 * alone, timestamps alone) against the general walk: each layout as
 * sent, then with every byte set in turn to each of a set of values
 * (kinds, lengths, NOP, EOL, 0xff, the byte's neighbours), so that a
 * layout the fast path would take wrongly shows as a difference.
 */
static void
test_opts_fast_paths(void)
{
	static const struct {
		const char *what;
		uint8_t len;
		uint8_t o[24];
	} lay[] = {
		{ "none", 0, { 0 } },
		{ "MSS", 4, { 2, 4, 5, 0xb4 } },
		{ "MSS, NOP, WS", 8, { 2, 4, 5, 0xb4, 1, 3, 3, 8 } },
		{ "TS (established)", 12, { 1, 1, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8 } },
		{ "Windows", 12, { 2, 4, 5, 0xb4, 1, 3, 3, 8, 1, 1, 4, 2 } },
		{ "MSS, NOP, NOP, TS", 16,
		  { 2, 4, 5, 0xb4, 1, 1, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0 } },
		{ "MSS, SACK, TS", 16,
		  { 2, 4, 5, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4, 0, 0, 0, 0 } },
		{ "Linux", 20, { 2, 4, 5, 0xb4, 4, 2, 8, 10, 1, 2, 3, 4, 0, 0,
				 0, 0, 1, 3, 3, 7 } },
		{ "Linux, no SACK", 20, { 2, 4, 5, 0xb4, 1, 1, 8, 10, 1, 2, 3,
					  4, 0, 0, 0, 0, 1, 3, 3, 7 } },
		{ "macOS", 24, { 2, 4, 5, 0xb4, 1, 3, 3, 6, 1, 1, 8, 10, 0xfe,
				 2, 3, 4, 0, 0, 0, 0, 4, 2, 0, 0 } },
	};
	static const uint8_t vals[] = { 0, 1, 2, 3, 4, 5, 8, 10, 11, 14, 15,
					 0x7f, 0xff };

	for (unsigned int l = 0; l < RTE_DIM(lay); l++) {
		unsigned int bad = 0, tries = 1;
		uint8_t o[24];

		if (!opts_agree(lay[l].o, lay[l].len))
			bad++;
		for (unsigned int i = 0; i < lay[l].len; i++) {
			for (unsigned int v = 0; v < RTE_DIM(vals) + 2; v++) {
				memcpy(o, lay[l].o, lay[l].len);
				o[i] = v < RTE_DIM(vals) ? vals[v] :
					(uint8_t)(lay[l].o[i] + (v == RTE_DIM(vals)
						? 1 : -1));
				tries++;
				if (!opts_agree(o, lay[l].len))
					bad++;
			}
		}
		CHECK(bad == 0, "option fast path, %s: the walk's result in "
			"%u of %u variants", lay[l].what, tries - bad, tries);
	}
}

static void
test_ecn(void)
{
	struct skt_frame f = syn();
	struct rte_mbuf *m;

	f.tos = 0x03;
	m = build(&f);
	if (expect_tcp(m, "CE"))
		CHECK_EQ(pk.ce, 1, "CE: p.ce set");
	rte_pktmbuf_free(m);

	f.tos = 0x02;
	m = build(&f);
	if (expect_tcp(m, "ECT(0)"))
		CHECK_EQ(pk.ce, 0, "ECT(0): p.ce clear");
	rte_pktmbuf_free(m);
}

static void
test_icmp_reply(uint16_t plen)
{
	struct rte_mbuf *m = build_icmp(plen);
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *ic;
	uint8_t payload[64];
	char what[32];
	uint16_t len0 = rte_pktmbuf_data_len(m);

	snprintf(what, sizeof(what), "ICMP echo (%u bytes)", plen);
	memcpy(payload, icmph(m) + 1, plen);
	CHECK_EQ(parse(m), SK_PKT_ICMP, "%s: SK_PKT_ICMP", what);
	CHECK(STATS_ARE("rx_icmp_echo"), "%s: rx_icmp_echo only", what);
	CHECK_EQ(pk.l2_len, 14, "%s: l2_len", what);
	sk_pkt_icmp_reply(&ctx, m, pk.l2_len);
	ip = iph(m);
	ic = icmph(m);
	CHECK_EQ(ic->icmp_type, RTE_IP_ICMP_ECHO_REPLY, "%s reply: type 0",
		what);
	CHECK_EQ(ic->icmp_code, 0, "%s reply: code 0", what);
	CHECK_EQ(rte_be_to_cpu_32(ip->src_addr), ENGINE_IP,
		"%s reply: src is us", what);
	CHECK_EQ(rte_be_to_cpu_32(ip->dst_addr), PEER_IP,
		"%s reply: dst is the peer", what);
	CHECK(ip->time_to_live > 0, "%s reply: TTL set", what);
	CHECK_EQ(rte_raw_cksum(ip, 20), 0xffff, "%s reply: IP checksum", what);
	CHECK_EQ(rte_raw_cksum(ic, sizeof(*ic) + plen), 0xffff,
		"%s reply: ICMP checksum", what);
	CHECK(ic->icmp_ident == RTE_BE16(0x1234) &&
		ic->icmp_seq_nb == RTE_BE16(7), "%s reply: id/seq kept", what);
	CHECK(memcmp(ic + 1, payload, plen) == 0, "%s reply: same payload",
		what);
	CHECK(rte_is_same_ether_addr(&eth(m)->dst_addr, &skt_peer_mac) &&
		rte_is_same_ether_addr(&eth(m)->src_addr, &skt_engine_mac),
		"%s reply: MACs swapped", what);
	CHECK_EQ(rte_pktmbuf_data_len(m), len0, "%s reply: same length", what);
	rte_pktmbuf_free(m);
}

/* The reply's checksum is updated incrementally: try every value of one
 * payload word, so every starting checksum is seen. */
static void
test_icmp_cksum_sweep(void)
{
	struct rte_mbuf *m = build_icmp(2);
	uint8_t *pl = (uint8_t *)(icmph(m) + 1);
	unsigned int bad = 0, v;

	for (v = 0; v < 65536; v++) {
		struct rte_icmp_hdr *ic;

		ic = icmph(m);
		ic->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
		pl[0] = (uint8_t)(v >> 8);
		pl[1] = (uint8_t)v;
		fix_icmp(m);
		if (parse(m) != SK_PKT_ICMP) {
			bad++;
			continue;
		}
		sk_pkt_icmp_reply(&ctx, m, pk.l2_len);
		if (rte_raw_cksum(ic, sizeof(*ic) + 2) != 0xffff) {
			if (bad++ < 3)
				printf("# payload 0x%04x: reply checksum 0x%04x "
					"wrong\n", v, ic->icmp_cksum);
		}
		/* back to a request from the peer */
		iph(m)->src_addr = rte_cpu_to_be_32(PEER_IP);
		iph(m)->dst_addr = rte_cpu_to_be_32(ENGINE_IP);
		eth(m)->dst_addr = skt_engine_mac;
		fix_ip(m);
	}
	CHECK_EQ(bad, 0, "ICMP reply checksum right for all 65536 payloads");
	rte_pktmbuf_free(m);
}

static void
test_icmp(void)
{
	struct rte_mbuf *m;

	test_icmp_reply(ICMP_PAYLOAD);
	test_icmp_reply(5);   /* odd length */
	test_icmp_reply(0);
	test_icmp_cksum_sweep();

	m = build_icmp(ICMP_PAYLOAD);
	icmph(m)->icmp_cksum ^= RTE_BE16(0x0100);
	expect_drop(m, "drop_icmp", "ICMP bad checksum");

	m = build_icmp(ICMP_PAYLOAD);
	icmph(m)->icmp_type = 13;
	fix_icmp(m);
	expect_drop(m, "drop_icmp", "ICMP type 13");

	m = build_icmp(ICMP_PAYLOAD);
	icmph(m)->icmp_code = 1;
	fix_icmp(m);
	expect_drop(m, "drop_icmp", "ICMP echo code 1");

	/* 4 bytes of ICMP: shorter than its header */
	m = build_icmp(0);
	iph(m)->total_length = RTE_BE16(24);
	rte_pktmbuf_trim(m, 4);
	fix_ip(m);
	expect_drop(m, "drop_icmp", "ICMP of 4 bytes");
}

static void
test_rx_cksum_flags(void)
{
	struct rte_mbuf *m;

	ctx.rx_cksum = true;

	m = build_syn();
	m->ol_flags = RTE_MBUF_F_RX_IP_CKSUM_BAD;
	expect_drop(m, "drop_ip_cksum", "rx_cksum: IP flagged bad, sum right");

	m = build_syn();
	tcph(m)->cksum ^= RTE_BE16(0x0001);
	m->ol_flags = RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	expect_tcp(m, "rx_cksum: L4 flagged good, sum wrong");
	rte_pktmbuf_free(m);

	m = build_syn();
	iph(m)->hdr_checksum ^= RTE_BE16(0x0100);
	m->ol_flags = RTE_MBUF_F_RX_IP_CKSUM_GOOD;
	expect_tcp(m, "rx_cksum: IP flagged good, sum wrong");
	rte_pktmbuf_free(m);

	m = build_syn();
	m->ol_flags = RTE_MBUF_F_RX_L4_CKSUM_BAD;
	expect_drop(m, "drop_tcp_cksum", "rx_cksum: L4 flagged bad, sum right");

	m = build_syn();
	tcph(m)->cksum ^= RTE_BE16(0x0001);
	m->ol_flags = RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN;
	expect_drop(m, "drop_tcp_cksum", "rx_cksum: L4 unknown, sum wrong");

	ctx.rx_cksum = false;

	/* flags are ignored when not trusted */
	m = build_syn();
	m->ol_flags = RTE_MBUF_F_RX_IP_CKSUM_BAD | RTE_MBUF_F_RX_L4_CKSUM_BAD;
	expect_tcp(m, "no rx_cksum: bad flags ignored");
	rte_pktmbuf_free(m);

	m = build_syn();
	tcph(m)->cksum ^= RTE_BE16(0x0001);
	m->ol_flags = RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	expect_drop(m, "drop_tcp_cksum", "no rx_cksum: good flag ignored");
}

int
main(void)
{
	unsigned int avail;

	pool = skt_eal("test_pkt");
	avail = rte_mempool_avail_count(pool);

	ctx.mac = skt_engine_mac;
	ctx.n_addrs = 2;
	ctx.addrs[0] = rte_cpu_to_be_32(ENGINE_IP);
	ctx.addrs[1] = rte_cpu_to_be_32(ENGINE_IP2);
	ctx.bcast[0] = rte_cpu_to_be_32(BCAST_IP);
	ctx.bcast[1] = rte_cpu_to_be_32(BCAST_IP);
	ctx.rx_cksum = false;

	test_valid();
	test_l2();
	test_arp();
	test_ip_header();
	test_ip_src();
	test_ip_options();
	test_tcp_header();
	test_tcp_bad_opts();
	test_tcp_opts();
	test_opts_fast_paths();
	test_ecn();
	test_icmp();
	test_rx_cksum_flags();

	CHECK_EQ(rte_mempool_avail_count(pool), avail, "no mbuf leaked");
	skt_eal_done();
	return sk_test_done();
}

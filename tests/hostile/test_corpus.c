/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The malformed-frame corpus of issue 6, run through the whole engine
 * (sk_engine_input: parser, flow lookup, state machine), one table row per
 * case with its expected outcome:
 *
 *   DROP    no response, exactly the named drop_* counter moved by one (and
 *           no other drop_* counter, no tx_* counter)
 *   RST     one RST whose flags, sequence and acknowledgment are checked
 *   CHAL    one challenge ACK (RFC 5961): <SEQ=SND.NXT><ACK=RCV.NXT><ACK>,
 *           tx_challenge_ack moved by one
 *   SYNACK  one SYN-ACK acking the client's ISN + 1 (so a SYN's payload is
 *           never acknowledged), no flow created
 *   ACK     one pure ACK of RCV.NXT (sequence out of window)
 *   SILENT  no response, no drop_* counter (consumed by the state machine)
 *
 * Cases on a connection get a flow of their own, established by a real
 * three-way handshake through the engine. After each case the flow table is
 * checked: nothing created by a hostile frame, nothing killed but by an
 * exact RST. After the table, every mbuf must be back in the pool.
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

#define ENGINE_IP 0xc6120002u  /* 198.18.0.2/24 */
#define PEER_IP   0xc6120001u  /* 198.18.0.1 */
#define NS_PER_MS 1000000ull
#define CHAL_LIMIT 8

#define F(x) RTE_TCP_ ## x ## _FLAG
#define ALL_FLAGS 0xff

static struct rte_mempool *pool;
static struct sk_engine *eng;
static uint64_t now;  /* fake TSC at 1 GHz */

enum outcome { DROP, RST, CHAL, SYNACK, ACK, SILENT };
static const char *const outcome_name[] = {
	"counted drop", "RST", "challenge ACK", "SYN-ACK", "ACK", "silence",
};

/* A client of one case and what it knows of its connection. */
struct peer {
	uint16_t sport, dport;
	uint32_t snd_nxt;  /* client's next sequence = engine's RCV.NXT */
	uint32_t rcv_nxt;  /* engine's SND.NXT */
	bool established;
};

/* What a builder expects of the response, beyond the row's outcome. */
struct want {
	uint8_t flags;
	uint32_t seq, ack;
	bool check_seq, check_ack;
	uint32_t flows_after;  /* flow count after the case */
};

struct hcase {
	const char *name;
	bool flow;           /* needs an established flow first */
	enum outcome out;
	const char *counter; /* must move by exactly 1 (NULL: none named) */
	const char *counter2;
	struct rte_mbuf *(*build)(struct peer *c, struct want *w);
};

/* ---- engine, counters -------------------------------------------------- */

static void
engine_new(void)
{
	struct sk_config c;
	static const uint8_t secret[16] = { 0x5e, 0xc2, 0xe7 };

	sk_config_defaults(&c);
	c.n_addrs = 1;
	c.addrs[0].addr = rte_cpu_to_be_32(ENGINE_IP);
	c.addrs[0].prefix = 24;
	c.n_listen = 2;
	c.listen[0] = (struct sk_config_listen){ 8080, SK_APP_HELLO };
	c.listen[1] = (struct sk_config_listen){ 9, SK_APP_HOLD };
	c.flow_capacity = 256;
	c.challenge_ack_limit = CHAL_LIMIT;
	c.secret_set = true;
	memcpy(c.secret, secret, sizeof(secret));
	now = 5 * NS_PER_MS;
	eng = skt_engine(&c, pool, now);
}

static uint64_t
counter(const struct sk_stats *s, size_t i)
{
	return ((const uint64_t *)(const void *)s)[i];
}

static uint32_t
flows(void)
{
	return sk_flow_count(sk_engine_flows(eng));
}

/* ---- frames ------------------------------------------------------------ */

static struct rte_mbuf *
must(struct rte_mbuf *m)
{
	if (m == NULL) {
		printf("Bail out! mbuf pool empty\n");
		exit(1);
	}
	return m;
}

static struct skt_frame
frame(const struct peer *c, uint8_t flags)
{
	struct skt_frame f = {
		.saddr = PEER_IP, .daddr = ENGINE_IP,
		.sport = c->sport, .dport = c->dport,
		.seq = c->snd_nxt, .ack = c->rcv_nxt, .flags = flags,
	};

	return f;
}

static struct rte_mbuf *
build(const struct skt_frame *f)
{
	return must(skt_build(pool, f));
}

/* A SYN from c, the base of most parser cases. */
static struct rte_mbuf *
syn_of(const struct peer *c)
{
	struct skt_frame f = frame(c, F(SYN));

	f.ack = 0;
	return build(&f);
}

static uint8_t *
bytes(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod(m, uint8_t *);
}

static struct rte_ipv4_hdr *
iph(struct rte_mbuf *m)
{
	return (struct rte_ipv4_hdr *)(bytes(m) + 14);
}

static struct rte_tcp_hdr *
tcph(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = iph(m);

	return (struct rte_tcp_hdr *)((uint8_t *)ip +
		(ip->version_ihl & 0xf) * 4u);
}

/* Recompute both checksums after a mutation, over what is sane to read. */
static void
fix(struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ip = iph(m);
	unsigned int ihl = (ip->version_ihl & 0xf) * 4u;
	unsigned int tot = rte_be_to_cpu_16(ip->total_length);
	unsigned int avail = rte_pktmbuf_data_len(m) - 14;
	unsigned int hl = RTE_MIN(RTE_MAX(ihl, 20u), avail & ~1u);
	struct rte_tcp_hdr *th;

	ip->hdr_checksum = 0;
	ip->hdr_checksum = (uint16_t)~rte_raw_cksum(ip, hl);
	if (ihl < 20 || tot < ihl + 20 || tot > avail)
		return;
	th = tcph(m);
	th->cksum = 0;
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
}

/* Cut the frame to @p len bytes. */
static struct rte_mbuf *
cut(struct rte_mbuf *m, uint16_t len)
{
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_data_len(m) - len));
	return m;
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
	ip->version_ihl = (uint8_t)(0x40 | ((20 + n) / 4));
	ip->total_length = rte_cpu_to_be_16(
		(uint16_t)(rte_be_to_cpu_16(ip->total_length) + n));
	fix(m);
}

static struct rte_mbuf *
syn_with_opts(const struct peer *c, const uint8_t *o, uint8_t n)
{
	struct skt_frame f = frame(c, F(SYN));

	f.ack = 0;
	f.opts = o;
	f.optlen = n;
	return build(&f);
}

static struct rte_mbuf *
syn_from(const struct peer *c, uint32_t saddr)
{
	struct skt_frame f = frame(c, F(SYN));

	f.ack = 0;
	f.saddr = saddr;
	return build(&f);
}

static struct rte_mbuf *
with_flags(const struct peer *c, uint8_t flags)
{
	struct skt_frame f = frame(c, flags);

	return build(&f);
}

/* ---- the handshake ----------------------------------------------------- */

static uint16_t next_port = 30000;

static uint16_t
input1(struct rte_mbuf *m, struct skt_resp *r)
{
	struct rte_mbuf *tx[4];
	uint16_t n = sk_engine_input(eng, &m, 1, tx, now);

	for (uint16_t i = 0; i < n; i++) {
		if (i == 0 && r != NULL)
			skt_read(tx[i], r);
		rte_pktmbuf_free(tx[i]);
	}
	return n;
}

/* A new client on @p dport; with @p connect, a real three-way handshake
 * (no options) through the engine. */
static bool
peer_new(struct peer *c, uint16_t dport, bool connect)
{
	struct skt_resp r;

	memset(c, 0, sizeof(*c));
	c->sport = next_port++;
	c->dport = dport;
	c->snd_nxt = 0x10000000u + c->sport * 7919u;
	if (!connect)
		return true;
	if (input1(syn_of(c), &r) != 1 || r.flags != (F(SYN) | F(ACK)) ||
			r.ack != c->snd_nxt + 1)
		return false;
	c->snd_nxt++;
	c->rcv_nxt = r.seq + 1;
	if (input1(with_flags(c, F(ACK)), NULL) != 0)
		return false;
	c->established = true;
	return true;
}

/* ---- builders: Ethernet ----------------------------------------------- */

static struct rte_mbuf *
b_eth_short(struct peer *c, struct want *w)
{
	(void)w;
	return cut(syn_of(c), 13);
}

static struct rte_mbuf *
b_vlan_short(struct peer *c, struct want *w)
{
	struct skt_frame f = frame(c, F(SYN));

	(void)w;
	f.vlan = true;
	return cut(build(&f), 16);
}

static struct rte_mbuf *
b_eth_dst(struct peer *c, struct want *w)
{
	struct rte_mbuf *m = syn_of(c);

	(void)w;
	bytes(m)[5] = 0x77;  /* someone else's unicast MAC */
	return m;
}

static struct rte_mbuf *
b_eth_mcast_dst(struct peer *c, struct want *w)
{
	struct rte_mbuf *m = syn_of(c);
	static const uint8_t mc[6] = { 0x01, 0x00, 0x5e, 0, 0, 1 };

	(void)w;
	memcpy(bytes(m), mc, 6);
	return m;
}

static struct rte_mbuf *
b_ethertype(struct peer *c, struct want *w)
{
	struct rte_mbuf *m = syn_of(c);

	(void)w;
	/* IEEE 802 local experimental: no protocol synack speaks */
	rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->ether_type =
		RTE_BE16(0x88b5);
	return m;
}

static struct rte_mbuf *
b_ethertype6(struct peer *c, struct want *w)
{
	struct rte_mbuf *m = syn_of(c);

	(void)w;
	/* an IPv4 datagram under the IPv6 EtherType: version 4 */
	rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->ether_type =
		RTE_BE16(RTE_ETHER_TYPE_IPV6);
	return m;
}

/* ---- builders: IPv4 ---------------------------------------------------- */

static struct rte_mbuf *
b_ip_short(struct peer *c, struct want *w)
{
	(void)w;
	return cut(syn_of(c), 14 + 19);
}

static struct rte_mbuf *
b_ip_version(struct peer *c, struct want *w)
{
	struct rte_mbuf *m = syn_of(c);

	(void)w;
	iph(m)->version_ihl = 0x65;
	fix(m);
	return m;
}

static struct rte_mbuf *
b_ihl4(struct peer *c, struct want *w)
{
	struct rte_mbuf *m = syn_of(c);

	(void)w;
	iph(m)->version_ihl = 0x44;
	fix(m);
	return m;
}

static struct rte_mbuf *
b_ihl0(struct peer *c, struct want *w)
{
	struct rte_mbuf *m = syn_of(c);

	(void)w;
	iph(m)->version_ihl = 0x40;
	fix(m);
	return m;
}

static struct rte_mbuf *
b_ihl_past_frame(struct peer *c, struct want *w)
{
	struct rte_mbuf *m = syn_of(c);

	(void)w;
	iph(m)->version_ihl = 0x4f;  /* 60 bytes in a 40-byte datagram */
	cut(m, 14 + 40);
	fix(m);
	return m;
}

static struct rte_mbuf *
b_tot_below_ihl(struct peer *c, struct want *w)
{
	struct rte_mbuf *m = syn_of(c);

	(void)w;
	iph(m)->total_length = RTE_BE16(16);
	fix(m);
	return m;
}

static struct rte_mbuf *
b_tot_cuts_tcp(struct peer *c, struct want *w)
{
	struct rte_mbuf *m = syn_of(c);

	(void)w;
	iph(m)->total_length = RTE_BE16(30);  /* 10 bytes of TCP header */
	fix(m);
	return m;
}

/* Total length shorter than the frame: Ethernet padding (a 60-byte
 * minimum frame carries a 40-byte SYN); trimmed and answered. */
static struct rte_mbuf *
b_tot_padding(struct peer *c, struct want *w)
{
	struct rte_mbuf *m = syn_of(c);

	memset(rte_pktmbuf_append(m, 18), 0xee, 18);
	w->flags = F(SYN) | F(ACK);
	w->ack = c->snd_nxt + 1;
	w->check_ack = true;
	return m;
}

/* Total length shorter than the segment it claims: the payload's last
 * bytes are outside the datagram, so the TCP checksum (computed over the
 * whole segment by the sender) fails. */
static struct rte_mbuf *
b_tot_cuts_payload(struct peer *c, struct want *w)
{
	struct skt_frame f = frame(c, F(SYN));
	struct rte_mbuf *m;

	(void)w;
	f.ack = 0;
	f.data = "0123456789";
	f.len = 10;
	m = build(&f);
	iph(m)->total_length = RTE_BE16(40 + 6);
	iph(m)->hdr_checksum = 0;
	iph(m)->hdr_checksum = rte_ipv4_cksum(iph(m));
	return m;
}

static struct rte_mbuf *
b_tot_past_frame(struct peer *c, struct want *w)
{
	struct rte_mbuf *m = syn_of(c);

	(void)w;
	iph(m)->total_length = RTE_BE16(41);
	fix(m);
	return m;
}

/* A frame in two segments: the parser reads the first one only. */
static struct rte_mbuf *
b_chained(struct peer *c, struct want *w)
{
	struct rte_mbuf *m = syn_of(c);
	struct rte_mbuf *t = must(rte_pktmbuf_alloc(pool));

	(void)w;
	memset(rte_pktmbuf_append(t, 10), 0, 10);
	if (rte_pktmbuf_chain(m, t) != 0) {
		printf("Bail out! chain\n");
		exit(1);
	}
	return m;
}

static struct rte_mbuf *
b_ip_cksum(struct peer *c, struct want *w)
{
	struct rte_mbuf *m = syn_of(c);

	(void)w;
	iph(m)->hdr_checksum ^= RTE_BE16(0x0101);
	return m;
}

static struct rte_mbuf *
b_frag_mf(struct peer *c, struct want *w)
{
	struct rte_mbuf *m = syn_of(c);

	(void)w;
	iph(m)->fragment_offset = RTE_BE16(RTE_IPV4_HDR_MF_FLAG);
	fix(m);
	return m;
}

static struct rte_mbuf *
b_frag_offset(struct peer *c, struct want *w)
{
	struct rte_mbuf *m = syn_of(c);

	(void)w;
	iph(m)->fragment_offset = RTE_BE16(185);  /* 1480 bytes in */
	fix(m);
	return m;
}

/* IP options (record route, then NOP/EOL padding): accepted, answered
 * with a SYN-ACK whose own IP header has no options. */
static struct rte_mbuf *
b_ip_options(struct peer *c, struct want *w)
{
	static const uint8_t rr[12] = { 7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	struct rte_mbuf *m = syn_of(c);

	insert_ip_opts(m, rr, sizeof(rr));
	w->flags = F(SYN) | F(ACK);
	w->ack = c->snd_nxt + 1;
	w->check_ack = true;
	return m;
}

static struct rte_mbuf *
b_ttl0(struct peer *c, struct want *w)
{
	struct skt_frame f = frame(c, F(SYN));

	(void)w;
	f.ack = 0;
	f.ttl0 = true;
	return build(&f);
}

static struct rte_mbuf *
b_dst_other(struct peer *c, struct want *w)
{
	struct skt_frame f = frame(c, F(SYN));

	(void)w;
	f.ack = 0;
	f.daddr = 0xc6120009u;  /* on our link, not ours */
	return build(&f);
}

static struct rte_mbuf *
b_proto_udp(struct peer *c, struct want *w)
{
	struct rte_mbuf *m = syn_of(c);

	(void)w;
	iph(m)->next_proto_id = IPPROTO_UDP;
	fix(m);
	return m;
}

static struct rte_mbuf *
b_land(struct peer *c, struct want *w)
{
	(void)w;
	return syn_from(c, ENGINE_IP);
}

/* LAND proper: same address and same port on both sides. */
static struct rte_mbuf *
b_land_port(struct peer *c, struct want *w)
{
	c->sport = c->dport;
	(void)w;
	return syn_from(c, ENGINE_IP);
}

#define SRC_CASE(fn, addr) \
static struct rte_mbuf * \
fn(struct peer *c, struct want *w) \
{ \
	(void)w; \
	return syn_from(c, addr); \
}
SRC_CASE(b_src_bcast, 0xffffffffu)
SRC_CASE(b_src_dbcast, 0xc61200ffu)   /* 198.18.0.255, our prefix's */
SRC_CASE(b_src_mcast, 0xe0000001u)    /* 224.0.0.1 */
SRC_CASE(b_src_zero, 0)
SRC_CASE(b_src_loop, 0x7f000001u)     /* 127.0.0.1 */
SRC_CASE(b_src_class_e, 0xf0000001u)  /* 240.0.0.1 */

/* ---- builders: TCP header --------------------------------------------- */

static struct rte_mbuf *
b_tcp_short(struct peer *c, struct want *w)
{
	struct rte_mbuf *m = syn_of(c);

	(void)w;
	iph(m)->total_length = RTE_BE16(20 + 19);
	cut(m, 14 + 39);
	fix(m);
	return m;
}

static struct rte_mbuf *
b_tcp_cksum(struct peer *c, struct want *w)
{
	struct rte_mbuf *m = syn_of(c);

	(void)w;
	tcph(m)->cksum ^= RTE_BE16(0x8000);
	return m;
}

static struct rte_mbuf *
b_doff4(struct peer *c, struct want *w)
{
	struct rte_mbuf *m = syn_of(c);

	(void)w;
	tcph(m)->data_off = 4 << 4;
	fix(m);
	return m;
}

static struct rte_mbuf *
b_doff0(struct peer *c, struct want *w)
{
	struct rte_mbuf *m = syn_of(c);

	(void)w;
	tcph(m)->data_off = 0;
	fix(m);
	return m;
}

static struct rte_mbuf *
b_doff_past(struct peer *c, struct want *w)
{
	struct rte_mbuf *m = syn_of(c);

	(void)w;
	tcph(m)->data_off = 6 << 4;  /* 24 bytes in a 20-byte segment */
	fix(m);
	return m;
}

static struct rte_mbuf *
b_doff15(struct peer *c, struct want *w)
{
	static const uint8_t o[8] = { 1, 1, 1, 1, 1, 1, 1, 1 };
	struct rte_mbuf *m = syn_with_opts(c, o, sizeof(o));

	(void)w;
	tcph(m)->data_off = 15 << 4;  /* 60 bytes in a 28-byte segment */
	fix(m);
	return m;
}

#define OPT_CASE(fn, ...) \
static struct rte_mbuf * \
fn(struct peer *c, struct want *w) \
{ \
	static const uint8_t o[] = { __VA_ARGS__ }; \
	(void)w; \
	return syn_with_opts(c, o, sizeof(o)); \
}
OPT_CASE(b_opt_len0, 2, 0, 5, 0xb4)               /* MSS, length 0 */
OPT_CASE(b_opt_len1, 1, 1, 8, 1)                  /* TS, length 1 */
OPT_CASE(b_opt_overflow, 2, 4, 5, 0xb4, 1, 1, 3, 9) /* WS, 9 > 3 left */
OPT_CASE(b_opt_no_len, 1, 1, 1, 8)                /* kind, no length byte */
OPT_CASE(b_opt_unknown_len0, 0xfe, 0, 1, 1)       /* unknown kind, len 0 */

/* Known options with a wrong length are ignored (as Linux does): the SYN
 * is answered, with only our MSS. */
static struct rte_mbuf *
b_opt_wrong_len(struct peer *c, struct want *w)
{
	static const uint8_t o[8] = { 2, 3, 5, 1, 3, 2, 1, 0 };

	w->flags = F(SYN) | F(ACK);
	w->ack = c->snd_nxt + 1;
	w->check_ack = true;
	return syn_with_opts(c, o, sizeof(o));
}

/* ---- builders: flags (no flow) ----------------------------------------- */

#define FLAG_CASE(fn, fl) \
static struct rte_mbuf * \
fn(struct peer *c, struct want *w) \
{ \
	(void)w; \
	return with_flags(c, fl); \
}
FLAG_CASE(b_syn_fin, F(SYN) | F(FIN))
FLAG_CASE(b_syn_rst, F(SYN) | F(RST))
FLAG_CASE(b_syn_fin_ack, F(SYN) | F(FIN) | F(ACK))
FLAG_CASE(b_no_flags, 0)
FLAG_CASE(b_psh_urg, F(PSH) | F(URG))
FLAG_CASE(b_all_flags, ALL_FLAGS)
FLAG_CASE(b_rst_no_flow, F(RST))
FLAG_CASE(b_fin_no_flow, F(FIN))

/* SYN with payload: the SYN-ACK acks the SYN only (ISN + 1). */
static struct rte_mbuf *
b_syn_payload(struct peer *c, struct want *w)
{
	struct skt_frame f = frame(c, F(SYN));

	f.ack = 0;
	f.data = "GET / HTTP/1.0\r\n\r\n";
	f.len = 18;
	w->flags = F(SYN) | F(ACK);
	w->ack = c->snd_nxt + 1;
	w->check_ack = true;
	return build(&f);
}

/* SYN-ACK to a listening port: <SEQ=SEG.ACK><CTL=RST>. */
static struct rte_mbuf *
b_synack_listen(struct peer *c, struct want *w)
{
	c->rcv_nxt = 0xabcdef01u;
	w->flags = F(RST);
	w->seq = c->rcv_nxt;
	w->check_seq = true;
	return with_flags(c, F(SYN) | F(ACK));
}

/* ACK with a forged cookie: <SEQ=SEG.ACK><CTL=RST>. */
static struct rte_mbuf *
b_forged_cookie(struct peer *c, struct want *w)
{
	c->rcv_nxt = 0x31337001u;
	w->flags = F(RST);
	w->seq = c->rcv_nxt;
	w->check_seq = true;
	return with_flags(c, F(ACK));
}

/* SYN to a closed port: <SEQ=0><ACK=SEG.SEQ+1><CTL=RST,ACK>. */
static struct rte_mbuf *
b_closed_port(struct peer *c, struct want *w)
{
	c->dport = 9999;
	w->flags = F(RST) | F(ACK);
	w->seq = 0;
	w->ack = c->snd_nxt + 1;
	w->check_seq = w->check_ack = true;
	return syn_of(c);
}

/* ---- builders: on an established flow --------------------------------- */

static void
want_chal(const struct peer *c, struct want *w)
{
	w->flags = F(ACK);
	w->seq = c->rcv_nxt;
	w->ack = c->snd_nxt;
	w->check_seq = w->check_ack = true;
}

static struct rte_mbuf *
b_syn_on_flow(struct peer *c, struct want *w)
{
	struct skt_frame f = frame(c, F(SYN));

	want_chal(c, w);
	f.seq = c->snd_nxt + 12345;  /* a new ISN: no SYN-ACK, no reset */
	f.ack = 0;
	return build(&f);
}

static struct rte_mbuf *
b_syn_on_flow_same_isn(struct peer *c, struct want *w)
{
	struct skt_frame f = frame(c, F(SYN));

	want_chal(c, w);
	f.seq = c->snd_nxt - 1;  /* the retransmitted original SYN */
	f.ack = 0;
	return build(&f);
}

static struct rte_mbuf *
b_ack_above(struct peer *c, struct want *w)
{
	struct skt_frame f = frame(c, F(ACK));

	want_chal(c, w);
	f.ack = c->rcv_nxt + 1000;  /* acks data never sent */
	return build(&f);
}

static struct rte_mbuf *
b_ack_below(struct peer *c, struct want *w)
{
	struct skt_frame f = frame(c, F(ACK));

	want_chal(c, w);
	f.ack = c->rcv_nxt - 200000;  /* below SND.UNA - the peer's window */
	return build(&f);
}

/* ACK below SND.UNA but within the peer's window: an old duplicate ACK,
 * acceptable (RFC 5961 5.2), consumed silently. */
static struct rte_mbuf *
b_ack_old_ok(struct peer *c, struct want *w)
{
	struct skt_frame f = frame(c, F(ACK));

	(void)w;
	f.ack = c->rcv_nxt - 1000;
	return build(&f);
}

static struct rte_mbuf *
b_seq_above_window(struct peer *c, struct want *w)
{
	struct skt_frame f = frame(c, F(ACK) | F(PSH));

	want_chal(c, w);
	f.seq = c->snd_nxt + 70000;
	f.data = "xy";
	f.len = 2;
	return build(&f);
}

static struct rte_mbuf *
b_seq_below_window(struct peer *c, struct want *w)
{
	struct skt_frame f = frame(c, F(ACK) | F(PSH));

	want_chal(c, w);
	f.seq = c->snd_nxt - 5000;  /* old data, wholly before RCV.NXT */
	f.data = "xy";
	f.len = 2;
	return build(&f);
}

static struct rte_mbuf *
b_rst_in_window(struct peer *c, struct want *w)
{
	struct skt_frame f = frame(c, F(RST));

	want_chal(c, w);
	f.seq = c->snd_nxt + 1;
	return build(&f);
}

static struct rte_mbuf *
b_rst_ack_in_window(struct peer *c, struct want *w)
{
	struct skt_frame f = frame(c, F(RST) | F(ACK));

	want_chal(c, w);
	f.seq = c->snd_nxt + 65534;  /* last byte of the window */
	return build(&f);
}

static struct rte_mbuf *
b_rst_oow_above(struct peer *c, struct want *w)
{
	struct skt_frame f = frame(c, F(RST));

	(void)w;
	f.seq = c->snd_nxt + 65535;  /* first byte past the window */
	return build(&f);
}

static struct rte_mbuf *
b_rst_oow_below(struct peer *c, struct want *w)
{
	struct skt_frame f = frame(c, F(RST));

	(void)w;
	f.seq = c->snd_nxt - 1;
	return build(&f);
}

static struct rte_mbuf *
b_rst_exact(struct peer *c, struct want *w)
{
	w->flows_after--;
	return with_flags(c, F(RST));
}

static struct rte_mbuf *
b_no_ack_on_flow(struct peer *c, struct want *w)
{
	(void)w;
	return with_flags(c, F(FIN));
}

static struct rte_mbuf *
b_flow_all_flags(struct peer *c, struct want *w)
{
	(void)w;
	return with_flags(c, ALL_FLAGS);
}

static struct rte_mbuf *
b_flow_bad_cksum(struct peer *c, struct want *w)
{
	struct rte_mbuf *m = with_flags(c, F(RST));

	(void)w;
	tcph(m)->cksum ^= RTE_BE16(1);
	return m;
}

/* ---- the table --------------------------------------------------------- */

static const struct hcase cases[] = {
	/* Ethernet */
	{ "truncated Ethernet header (13 bytes)", false, DROP, "drop_l2_short", NULL, b_eth_short },
	{ "truncated 802.1Q tag", false, DROP, "drop_l2_short", NULL, b_vlan_short },
	{ "destination MAC not ours", false, DROP, "drop_l2_dst", NULL, b_eth_dst },
	{ "multicast destination MAC", false, DROP, "drop_l2_dst", NULL, b_eth_mcast_dst },
	{ "EtherType 0x88b5 (none synack speaks)", false, DROP, "drop_ethertype", NULL, b_ethertype },
	{ "IPv4 bytes under the IPv6 EtherType", false, DROP, "drop_ip_version", "rx_ipv6", b_ethertype6 },
	/* IPv4 */
	{ "truncated IPv4 header (19 bytes)", false, DROP, "drop_ip_short", NULL, b_ip_short },
	{ "IP version 6 in an IPv4 frame", false, DROP, "drop_ip_version", NULL, b_ip_version },
	{ "IHL 4 (< 5)", false, DROP, "drop_ip_ihl", NULL, b_ihl4 },
	{ "IHL 0", false, DROP, "drop_ip_ihl", NULL, b_ihl0 },
	{ "IHL 15 past the frame", false, DROP, "drop_ip_ihl", NULL, b_ihl_past_frame },
	{ "total length below IHL", false, DROP, "drop_ip_len", NULL, b_tot_below_ihl },
	{ "total length longer than the frame", false, DROP, "drop_ip_len", NULL, b_tot_past_frame },
	{ "frame in two mbuf segments", false, DROP, "drop_ip_len", NULL, b_chained },
	{ "total length shorter than the frame (padding)", false, SYNACK, "tx_synack", NULL, b_tot_padding },
	{ "total length cuts the TCP header", false, DROP, "drop_tcp_short", NULL, b_tot_cuts_tcp },
	{ "total length cuts the payload", false, DROP, "drop_tcp_cksum", NULL, b_tot_cuts_payload },
	{ "bad IPv4 header checksum", false, DROP, "drop_ip_cksum", NULL, b_ip_cksum },
	{ "fragment: MF set", false, DROP, "drop_ip_frag", NULL, b_frag_mf },
	{ "fragment: offset 1480", false, DROP, "drop_ip_frag", NULL, b_frag_offset },
	{ "IP options (record route): accepted", false, SYNACK, "tx_synack", NULL, b_ip_options },
	{ "TTL 0", false, DROP, "drop_ip_ttl", NULL, b_ttl0 },
	{ "destination address not ours", false, DROP, "drop_ip_dst", NULL, b_dst_other },
	{ "IP protocol UDP", false, DROP, "drop_ip_proto", NULL, b_proto_udp },
	{ "LAND: source address ours", false, DROP, "drop_ip_src", NULL, b_land },
	{ "LAND: source address and port ours", false, DROP, "drop_ip_src", NULL, b_land_port },
	{ "source 255.255.255.255", false, DROP, "drop_ip_src", NULL, b_src_bcast },
	{ "source our prefix's broadcast", false, DROP, "drop_ip_src", NULL, b_src_dbcast },
	{ "source multicast 224.0.0.1", false, DROP, "drop_ip_src", NULL, b_src_mcast },
	{ "source 0.0.0.0", false, DROP, "drop_ip_src", NULL, b_src_zero },
	{ "source loopback", false, DROP, "drop_ip_src", NULL, b_src_loop },
	{ "source class E", false, DROP, "drop_ip_src", NULL, b_src_class_e },
	/* TCP header and options */
	{ "truncated TCP header (19 bytes)", false, DROP, "drop_tcp_short", NULL, b_tcp_short },
	{ "bad TCP checksum", false, DROP, "drop_tcp_cksum", NULL, b_tcp_cksum },
	{ "data offset 4 (< 5)", false, DROP, "drop_tcp_doff", NULL, b_doff4 },
	{ "data offset 0", false, DROP, "drop_tcp_doff", NULL, b_doff0 },
	{ "data offset past the segment (24 > 20)", false, DROP, "drop_tcp_doff", NULL, b_doff_past },
	{ "data offset 15 past the segment", false, DROP, "drop_tcp_doff", NULL, b_doff15 },
	{ "option length 0", false, DROP, "drop_tcp_opts", NULL, b_opt_len0 },
	{ "option length 1", false, DROP, "drop_tcp_opts", NULL, b_opt_len1 },
	{ "option length past the header", false, DROP, "drop_tcp_opts", NULL, b_opt_overflow },
	{ "option kind with no length byte", false, DROP, "drop_tcp_opts", NULL, b_opt_no_len },
	{ "unknown option, length 0", false, DROP, "drop_tcp_opts", NULL, b_opt_unknown_len0 },
	{ "known options, wrong lengths: ignored", false, SYNACK, "tx_synack", NULL, b_opt_wrong_len },
	/* flags, no connection */
	{ "SYN+FIN", false, DROP, "drop_tcp_flags", NULL, b_syn_fin },
	{ "SYN+FIN+ACK", false, DROP, "drop_tcp_flags", NULL, b_syn_fin_ack },
	{ "SYN+RST", false, DROP, "drop_tcp_flags", NULL, b_syn_rst },
	{ "no flags", false, DROP, "drop_tcp_flags", NULL, b_no_flags },
	{ "PSH+URG only", false, DROP, "drop_tcp_flags", NULL, b_psh_urg },
	{ "all flags (0xff)", false, DROP, "drop_tcp_flags", NULL, b_all_flags },
	{ "RST matching no flow", false, DROP, "drop_no_flow", "rx_rst", b_rst_no_flow },
	{ "FIN matching no flow", false, DROP, "drop_no_flow", NULL, b_fin_no_flow },
	{ "SYN with payload: SYN-ACK acks the SYN only", false, SYNACK, "tx_synack", NULL, b_syn_payload },
	{ "SYN-ACK to a listening port", false, RST, "tx_rst_bad_cookie", "cookie_bad_mac", b_synack_listen },
	{ "ACK with a forged cookie", false, RST, "tx_rst_bad_cookie", "cookie_bad_mac", b_forged_cookie },
	{ "SYN to a closed port", false, RST, "tx_rst_closed_port", NULL, b_closed_port },
	/* on an established connection */
	{ "second SYN on an established flow (new ISN)", true, CHAL, "tx_challenge_ack", NULL, b_syn_on_flow },
	{ "second SYN on an established flow (same ISN)", true, CHAL, "tx_challenge_ack", NULL, b_syn_on_flow_same_isn },
	{ "ACK above the window (data never sent)", true, CHAL, "tx_challenge_ack", "drop_old_ack", b_ack_above },
	{ "ACK below the window", true, CHAL, "tx_challenge_ack", "drop_old_ack", b_ack_below },
	{ "old ACK within the window: accepted", true, SILENT, NULL, NULL, b_ack_old_ok },
	{ "data above the receive window", true, ACK, "tx_oow_ack", NULL, b_seq_above_window },
	{ "data below the receive window", true, ACK, "tx_oow_ack", NULL, b_seq_below_window },
	{ "RST in window, not exact", true, CHAL, "tx_challenge_ack", "rx_rst", b_rst_in_window },
	{ "RST+ACK at the window's last byte", true, CHAL, "tx_challenge_ack", "rx_rst", b_rst_ack_in_window },
	{ "RST just past the window", true, DROP, "drop_rst_oow", NULL, b_rst_oow_above },
	{ "RST just below RCV.NXT", true, DROP, "drop_rst_oow", NULL, b_rst_oow_below },
	{ "FIN without ACK on a flow", true, DROP, "drop_no_ack", NULL, b_no_ack_on_flow },
	{ "all flags on a flow", true, DROP, "drop_tcp_flags", NULL, b_flow_all_flags },
	{ "exact RST with a bad checksum", true, DROP, "drop_tcp_cksum", NULL, b_flow_bad_cksum },
	{ "exact RST: closes the flow", true, SILENT, "close_rst", "rx_rst", b_rst_exact },
};

static bool
is_drop(size_t i)
{
	return strncmp(sk_stats_names[i], "drop_", 5) == 0;
}

static bool
named(const struct hcase *hc, size_t i)
{
	return (hc->counter && strcmp(hc->counter, sk_stats_names[i]) == 0) ||
		(hc->counter2 && strcmp(hc->counter2, sk_stats_names[i]) == 0);
}

static bool
responds(enum outcome o)
{
	return o != DROP && o != SILENT;
}

static void
check_resp(const struct hcase *hc, const struct peer *c,
		const struct want *w, const struct skt_resp *r)
{
	uint8_t flags = w->flags;

	if (hc->out == CHAL || hc->out == ACK)
		flags = F(ACK);
	CHECK_EQ(r->flags, flags, "%s: %s flags", hc->name,
		outcome_name[hc->out]);
	if (w->check_seq)
		CHECK_EQ(r->seq, w->seq, "%s: sequence number", hc->name);
	if (w->check_ack)
		CHECK_EQ(r->ack, w->ack, "%s: acknowledgment number", hc->name);
	CHECK(r->saddr == ENGINE_IP && r->daddr == PEER_IP &&
		r->sport == c->dport && r->dport == c->sport &&
		rte_is_same_ether_addr(&r->dst, &skt_peer_mac),
		"%s: addressed back to the sender", hc->name);
	CHECK(r->ip_ok && r->tcp_ok, "%s: response checksums valid", hc->name);
	CHECK_EQ(r->len, 0, "%s: response carries no payload", hc->name);
}

static void
run_case(const struct hcase *hc)
{
	const struct sk_stats *st = sk_engine_stats(eng);
	struct sk_stats before;
	struct want w = { 0 };
	struct skt_resp r;
	struct peer c;
	uint16_t n;
	bool drops_ok = true, named_ok = true;

	/* a fresh second: the challenge ACK budget refills */
	now += 1100 * NS_PER_MS;
	if (!peer_new(&c, hc->flow ? 9 : 8080, hc->flow)) {
		CHECK(false, "%s: handshake to set the case up", hc->name);
		return;
	}
	w.flows_after = flows();
	before = *st;
	n = input1(hc->build(&c, &w), &r);
	CHECK_EQ(n, responds(hc->out) ? 1 : 0, "%s: %s", hc->name,
		outcome_name[hc->out]);
	if (n == 1 && responds(hc->out))
		check_resp(hc, &c, &w, &r);
	for (size_t i = 0; i < SK_STATS_N; i++) {
		uint64_t d = counter(st, i) - counter(&before, i);

		if (named(hc, i) && d != 1) {
			printf("# %s moved by %llu, expected 1\n",
				sk_stats_names[i], (unsigned long long)d);
			named_ok = false;
		}
		if (is_drop(i) && !named(hc, i) && d != 0) {
			printf("# %s moved by %llu, expected 0\n",
				sk_stats_names[i], (unsigned long long)d);
			drops_ok = false;
		}
	}
	if (hc->counter)
		CHECK(named_ok, "%s: counted under %s%s%s", hc->name,
			hc->counter, hc->counter2 ? " and " : "",
			hc->counter2 ? hc->counter2 : "");
	CHECK(drops_ok, "%s: no other drop reason", hc->name);
	CHECK_EQ(st->rx_packets - before.rx_packets, 1, "%s: one frame in",
		hc->name);
	CHECK_EQ(st->tx_packets - before.tx_packets, n, "%s: tx_packets",
		hc->name);
	CHECK_EQ(flows(), w.flows_after, "%s: %u flows after (none created, "
		"none killed but by an exact RST)", hc->name, w.flows_after);
}

/* The same corpus (cases without a flow) in one burst: every frame ends in
 * exactly what it did alone. */
static void
test_one_burst(void)
{
	const struct sk_stats *st = sk_engine_stats(eng);
	struct rte_mbuf *rx[SK_BURST_MAX], *tx[SK_BURST_MAX];
	uint64_t want_drop[SK_STATS_N] = { 0 };
	struct sk_stats before;
	unsigned int nrx = 0, nresp = 0;
	uint32_t f0 = flows();
	bool ok = true;
	uint16_t n;

	now += 1100 * NS_PER_MS;
	for (size_t k = 0; k < RTE_DIM(cases) && nrx < SK_BURST_MAX; k++) {
		const struct hcase *hc = &cases[k];
		struct want w = { 0 };
		struct peer c;

		if (hc->flow)
			continue;
		peer_new(&c, 8080, false);
		rx[nrx++] = hc->build(&c, &w);
		nresp += responds(hc->out);
		for (size_t i = 0; i < SK_STATS_N; i++)
			if (is_drop(i) && named(hc, i))
				want_drop[i]++;
	}
	before = *st;
	n = sk_engine_input(eng, rx, (uint16_t)nrx, tx, now);
	CHECK_EQ(n, nresp, "one burst of %u corpus frames: %u responses",
		nrx, nresp);
	for (uint16_t i = 0; i < n; i++) {
		struct skt_resp r;

		if (skt_read(tx[i], &r) && !(r.ip_ok && r.tcp_ok))
			ok = false;
		rte_pktmbuf_free(tx[i]);
	}
	CHECK(ok, "one burst: every response's checksums valid");
	ok = true;
	for (size_t i = 0; i < SK_STATS_N; i++) {
		uint64_t d = counter(st, i) - counter(&before, i);

		if (is_drop(i) && d != want_drop[i]) {
			printf("# %s moved by %llu, expected %llu\n",
				sk_stats_names[i], (unsigned long long)d,
				(unsigned long long)want_drop[i]);
			ok = false;
		}
	}
	CHECK(ok, "one burst: the same drop reasons as one by one");
	CHECK_EQ(flows(), f0, "one burst: no flow created");
}

/* RFC 5961 7: challenge ACKs within the per-second budget; the rest are
 * counted drops, and the flow lives on. */
static void
test_challenge_limit(void)
{
	const struct sk_stats *st = sk_engine_stats(eng);
	uint64_t chal0, lim0;
	unsigned int answered = 0;
	struct peer c;

	now += 1100 * NS_PER_MS;
	CHECK(peer_new(&c, 9, true), "limit: flow established");
	chal0 = st->tx_challenge_ack;
	lim0 = st->drop_challenge_limit;
	for (unsigned int i = 0; i < CHAL_LIMIT + 5; i++) {
		struct skt_frame f = frame(&c, F(RST));

		f.seq = c.snd_nxt + 100 + i;
		answered += input1(build(&f), NULL);
	}
	CHECK_EQ(answered, CHAL_LIMIT, "limit: %u in-window RSTs in one second "
		"get %u challenge ACKs", CHAL_LIMIT + 5, CHAL_LIMIT);
	CHECK_EQ(st->tx_challenge_ack - chal0, CHAL_LIMIT,
		"limit: tx_challenge_ack");
	CHECK_EQ(st->drop_challenge_limit - lim0, 5,
		"limit: drop_challenge_limit counts the rest");
	CHECK_EQ(st->close_rst, 1, "limit: no flow killed (only the exact RST "
		"case's)");
	now += 1000 * NS_PER_MS;
	{
		struct skt_frame f = frame(&c, F(RST));

		f.seq = c.snd_nxt + 7;
		CHECK_EQ(input1(build(&f), NULL), 1,
			"limit: the budget refills the next second");
	}
}

int
main(void)
{
	struct rte_mbuf *tx[SK_BURST_MAX];
	unsigned int avail;

	pool = skt_eal("test_corpus");
	avail = rte_mempool_avail_count(pool);
	engine_new();
	for (size_t k = 0; k < RTE_DIM(cases); k++)
		run_case(&cases[k]);
	test_one_burst();
	test_challenge_limit();
	/* the flows the cases left: run every timer out */
	for (int k = 0; k < 400; k++) {
		uint16_t n;

		now += 1000 * NS_PER_MS;
		n = sk_engine_timers(eng, now, tx, SK_BURST_MAX);
		rte_pktmbuf_free_bulk(tx, n);
	}
	CHECK_EQ(flows(), 0, "every flow ended by its idle timer");
	sk_engine_free(eng);
	CHECK_EQ(rte_mempool_avail_count(pool), avail,
		"mbuf accounting: the pool is back to its start count");
	skt_eal_done();
	return sk_test_done();
}

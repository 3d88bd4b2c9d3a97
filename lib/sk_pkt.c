/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frame validation, outermost header first. Every check names the counter it
 * bumps; a frame that fails one is dropped under exactly that reason.
 */

#include <string.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "sk_cksum.h"
#include "sk_pkt.h"

#define DROP(st, reason) do { \
	SK_STAT_INC(st, reason); \
	return SK_PKT_DROP; \
} while (0)

static inline bool
is_our_addr(const struct sk_pkt_ctx *c, rte_be32_t a)
{
	uint32_t h;

	for (unsigned int i = 0; i < c->n_addrs; i++)
		if (c->addrs[i] == a)
			return true;
	h = sk_ntohl(a);
	return (uint64_t)(uint32_t)(h - c->src_lo) < c->src_n;
}

/* A source synack must never answer: unspecified, limited or directed
 * broadcast, multicast or class E, loopback, or our own (LAND attack). */
static inline bool
is_bad_src(const struct sk_pkt_ctx *c, rte_be32_t a)
{
	uint32_t h = sk_ntohl(a);

	if (h == 0 || (h >> 28) >= 0xe || (h >> 24) == 127)
		return true;
	for (unsigned int i = 0; i < c->n_addrs; i++)
		if (c->addrs[i] == a || c->bcast[i] == a)
			return true;
	return false;
}

/* The 8 bytes of a timestamp option's value: TSval, TSecr. */
static inline void
opt_ts(struct sk_pkt *p, const uint8_t *v)
{
	p->has_ts = true;
	memcpy(&p->tsval, v, 4);
	memcpy(&p->tsecr, v + 4, 4);
	p->tsval = sk_ntohl(p->tsval);
	p->tsecr = sk_ntohl(p->tsecr);
}

/* The option bytes of a segment whose header is valid, and their length. */
static inline const uint8_t *
opts_of(const struct sk_pkt *p, unsigned int *len)
{
	*len = p->l4_len - sizeof(struct rte_tcp_hdr);
	return (const uint8_t *)(p->tcp + 1);
}

static inline void
opts_clear(struct sk_pkt *p)
{
	p->mss = 0;
	p->has_ts = p->sack_ok = p->has_ws = false;
	p->wscale = 0;
}

static inline void
opt_mss(struct sk_pkt *p, const uint8_t *o)
{
	p->mss = (uint16_t)(o[2] << 8 | o[3]);
}

/* A window scale option's shift byte; RFC 7323 2.3: above 14 is 14. */
static inline void
opt_ws(struct sk_pkt *p, uint8_t shift)
{
	p->has_ws = true;
	p->wscale = RTE_MIN(shift, SK_WSCALE_MAX);
}

/* The general option walk, for any layout the fast paths below miss. */
static __rte_noinline bool
opts_walk(struct sk_pkt *p, const uint8_t *o, unsigned int len)
{
	unsigned int i = 0;

	while (i < len) {
		unsigned int kind = o[i], olen;

		if (kind == SK_OPT_EOL)
			break;
		if (kind == SK_OPT_NOP) {
			i++;
			continue;
		}
		/* Every other option has a length byte counting kind and
		 * length: below 2 it would loop or overlap, past the end it
		 * would read beyond the header. */
		if (i + 1 >= len)
			return false;
		olen = o[i + 1];
		if (olen < 2 || i + olen > len)
			return false;
		/* Known kinds with a wrong length are ignored, as Linux does. */
		switch (kind) {
		case SK_OPT_MSS:
			if (olen == 4)
				opt_mss(p, o + i);
			break;
		case SK_OPT_WS:
			if (olen == 3)
				opt_ws(p, o[i + 2]);
			break;
		case SK_OPT_SACK_PERM:
			if (olen == 2)
				p->sack_ok = true;
			break;
		case SK_OPT_TS:
			if (olen == 10)
				opt_ts(p, o + i + 2);
			break;
		default:
			break;
		}
		i += olen;
	}
	return true;
}

/* Words of the layouts below, big-endian: kind and length bytes, NOPs
 * (01), EOL (00); value bytes masked off by the shifts at their use. */
#define W_MSS      0x0204u      /* >> 16: MSS, length 4 */
#define W_NOP_WS   0x010303u    /* >> 8: NOP, WS, length 3 */
#define W_NOP2_TS  0x0101080au  /* NOP, NOP, TS, length 10 */
#define W_SACK_TS  0x0402080au  /* SACK-permitted, TS, length 10 */
#define W_NOP2_SACK 0x01010402u /* NOP, NOP, SACK-permitted */
#define W_SACK_EOL 0x04020000u  /* SACK-permitted, EOL, EOL */

/*
 * The SYN layouts of other stacks than Linux's default, as 32-bit words by
 * length (a memcmp() in the inlined parser became a library call), then
 * the general walk for anything else and for any of these with a byte out
 * of place: Windows, macOS, Linux without SACK, window scaling or
 * timestamps, MSS alone. On series 1's mix of SYNs 8 of 9 came here and
 * took the walk (5 % of the worker's time, perf). Not inlined: the two
 * layouts parse_opts() takes itself stay as cheap as they were.
 */
static __rte_noinline bool
opts_other(struct sk_pkt *p, const uint8_t *o, unsigned int len)
{
	uint32_t w1;

	if (len < 4 || sk_get_be32(o) >> 16 != W_MSS)
		return opts_walk(p, o, len);
	if (len == 4) {
		opt_mss(p, o);
		return true;
	}
	w1 = sk_get_be32(o + 4);
	switch (len) {
	case 8: /* MSS, NOP, WS */
		if (w1 >> 8 != W_NOP_WS)
			break;
		opt_mss(p, o);
		opt_ws(p, o[7]);
		return true;
	case 12: /* Windows: MSS, NOP, WS, NOP, NOP, SACK-permitted */
		if (w1 >> 8 != W_NOP_WS || sk_get_be32(o + 8) != W_NOP2_SACK)
			break;
		opt_mss(p, o);
		opt_ws(p, o[7]);
		p->sack_ok = true;
		return true;
	case 16: /* Linux without window scaling: MSS, [NOP NOP|SACK], TS */
		if (w1 != W_NOP2_TS && w1 != W_SACK_TS)
			break;
		opt_mss(p, o);
		p->sack_ok = w1 == W_SACK_TS;
		opt_ts(p, o + 8);
		return true;
	case 20: /* Linux without SACK: MSS, NOP, NOP, TS, NOP, WS */
		if (w1 != W_NOP2_TS || sk_get_be32(o + 16) >> 8 != W_NOP_WS)
			break;
		opt_mss(p, o);
		opt_ts(p, o + 8);
		opt_ws(p, o[19]);
		return true;
	case 24: /* macOS, BSD: MSS, NOP, WS, NOP, NOP, TS, SACK-permitted,
		  * EOL, EOL */
		if (w1 >> 8 != W_NOP_WS || sk_get_be32(o + 8) != W_NOP2_TS ||
				sk_get_be32(o + 20) != W_SACK_EOL)
			break;
		opt_mss(p, o);
		opt_ws(p, o[7]);
		opt_ts(p, o + 12);
		p->sack_ok = true;
		return true;
	default:
		break;
	}
	return opts_walk(p, o, len);
}

/* Options, inlined into the parser for the two layouts nearly every peer
 * sends (Linux, Android and most of what runs on them): NOP NOP TS on a
 * segment, and MSS, SACK-permitted, TS, NOP, WS on a SYN (a call and its
 * register saves per segment otherwise: 4 to 8 instructions, callgrind).
 * Every other list goes to opts_other(); test_pkt's "option fast path"
 * checks each fast path against the walk alone, byte by byte. */
static __rte_always_inline bool
parse_opts(struct sk_pkt *p)
{
	unsigned int len;
	const uint8_t *o = opts_of(p, &len);

	opts_clear(p);
	if (len == 12 && sk_get_be32(o) == W_NOP2_TS) {
		opt_ts(p, o + 4);
		return true;
	}
	if (len == 20 && sk_get_be32(o) >> 16 == W_MSS &&
			sk_get_be32(o + 4) == W_SACK_TS &&
			sk_get_be32(o + 16) >> 8 == W_NOP_WS) {
		opt_mss(p, o);
		p->sack_ok = true;
		opt_ts(p, o + 8);
		opt_ws(p, o[19]);
		return true;
	}
	return opts_other(p, o, len);
}

bool
sk_pkt_parse_opts(struct sk_pkt *p)
{
	return parse_opts(p);
}

bool
sk_pkt_opts_walk(struct sk_pkt *p)
{
	unsigned int len;
	const uint8_t *o = opts_of(p, &len);

	opts_clear(p);
	return opts_walk(p, o, len);
}

/* TCP, RFC 9293 3.1: the header fits and its data offset is sane. Returns
 * the header length with options, 0 when dropped. */
static __rte_always_inline unsigned int
tcp_hdr_ok(const struct rte_tcp_hdr *th, unsigned int l4len,
		struct sk_stats *st)
{
	unsigned int doff;

	if (unlikely(l4len < sizeof(*th))) {
		SK_STAT_INC(st, drop_tcp_short);
		return 0;
	}
	doff = (th->data_off >> 4) * 4u;
	if (unlikely(doff < sizeof(*th) || doff > l4len)) {
		SK_STAT_INC(st, drop_tcp_doff);
		return 0;
	}
	return doff;
}

/* The rest of a TCP segment at @p th, @p doff bytes of header, whose
 * checksum is right, either family. */
static __rte_always_inline enum sk_pkt_kind
tcp_fields(struct sk_pkt *p, struct rte_tcp_hdr *th, unsigned int l4len,
		unsigned int doff, struct sk_stats *st)
{
	const uint8_t fl = th->tcp_flags;

	/* SYN with FIN or RST has no meaning; a segment with none of SYN,
	 * ACK, RST, FIN carries nothing to act on. */
	if ((fl & (RTE_TCP_SYN_FLAG | RTE_TCP_FIN_FLAG)) ==
				(RTE_TCP_SYN_FLAG | RTE_TCP_FIN_FLAG) ||
			(fl & (RTE_TCP_SYN_FLAG | RTE_TCP_RST_FLAG)) ==
				(RTE_TCP_SYN_FLAG | RTE_TCP_RST_FLAG) ||
			!(fl & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG |
				RTE_TCP_RST_FLAG | RTE_TCP_FIN_FLAG)))
		DROP(st, drop_tcp_flags);
	p->flags = fl;
	p->l4_len = (uint16_t)doff;
	p->plen = (uint16_t)(l4len - doff);
	p->payload = (uint8_t *)th + doff;
	p->seq = sk_ntohl(th->sent_seq);
	p->ack = sk_ntohl(th->recv_ack);
	if (!parse_opts(p))
		DROP(st, drop_tcp_opts);
	SK_STAT_INC(st, rx_tcp);
	return SK_PKT_TCP;
}

static enum sk_pkt_kind
parse_arp(const struct sk_pkt_ctx *c, struct rte_mbuf *m, uint16_t l2,
		struct sk_stats *st)
{
	const struct rte_arp_hdr *a;

	if (rte_pktmbuf_data_len(m) < l2 + sizeof(*a))
		DROP(st, drop_arp);
	a = rte_pktmbuf_mtod_offset(m, const struct rte_arp_hdr *, l2);
	if (a->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
			a->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
			a->arp_hlen != RTE_ETHER_ADDR_LEN || a->arp_plen != 4)
		DROP(st, drop_arp);
	/* the client role learns its next hop's MAC from a reply */
	if (c->arp_reply && a->arp_opcode == RTE_BE16(RTE_ARP_OP_REPLY) &&
			is_our_addr(c, a->arp_data.arp_tip) &&
			!is_bad_src(c, a->arp_data.arp_sip) &&
			rte_is_unicast_ether_addr(&a->arp_data.arp_sha))
		return SK_PKT_ARP_REPLY;
	if (a->arp_opcode != RTE_BE16(RTE_ARP_OP_REQUEST) ||
			!is_our_addr(c, a->arp_data.arp_tip) ||
			is_bad_src(c, a->arp_data.arp_sip) ||
			!rte_is_unicast_ether_addr(&a->arp_data.arp_sha))
		DROP(st, drop_arp);
	SK_STAT_INC(st, rx_arp_request);
	return SK_PKT_ARP;
}

static enum sk_pkt_kind
parse_icmp(struct sk_pkt *p, unsigned int len, struct sk_stats *st)
{
	const struct rte_icmp_hdr *ic = (const struct rte_icmp_hdr *)p->tcp;

	if (len < sizeof(*ic) || ic->icmp_type != RTE_IP_ICMP_ECHO_REQUEST ||
			ic->icmp_code != 0 ||
			sk_csum_fold(sk_csum_add(0, ic, len)) != 0xffff)
		DROP(st, drop_icmp);
	SK_STAT_INC(st, rx_icmp_echo);
	return SK_PKT_ICMP;
}

/* ---- IPv6, RFC 8200 ----------------------------------------------------- */

#define IP6_NH_HOPOPTS 0
#define IP6_NH_ROUTING 43
#define IP6_NH_FRAGMENT 44
#define IP6_NH_ICMP 58
#define IP6_NH_NONE 59
#define IP6_NH_DSTOPTS 60

#define ICMP6_ECHO_REQUEST 128
#define ICMP6_ECHO_REPLY 129
#define ND_ROUTER_SOLICIT 133
#define ND_REDIRECT 137
#define ND_NEIGHBOR_SOLICIT 135
#define ND_NEIGHBOR_ADVERT 136
#define MLD_QUERY 130
#define MLD_DONE 132
#define MLD2_REPORT 143
#define ND_OPT_SOURCE_LLADDR 1
#define ND_OPT_TARGET_LLADDR 2
#define ND_HOP_LIMIT 255             /* RFC 4861 7.1.1 */
#define ND_NS_LEN 24                 /* type..target: options follow */

/* 16 bytes equal: two 64-bit compares, no library call */
static inline bool
ip6_eq(const uint8_t *a, const uint8_t *b)
{
	uint64_t x[2], y[2];

	memcpy(x, a, 16);
	memcpy(y, b, 16);
	return ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0;
}

/* One of our IPv6 addresses, or one of the client role's sources. */
static inline bool
our_addr6(const struct sk_pkt_ctx *c, const uint8_t *a)
{
	uint32_t low;

	for (unsigned int i = 0; i < c->n_addrs6; i++)
		if (ip6_eq(c->addrs6[i], a))
			return true;
	if (!c->src6 || memcmp(a, c->src6_pfx, sizeof(c->src6_pfx)) != 0)
		return false;
	memcpy(&low, a + 12, 4);
	return (uint64_t)(uint32_t)(sk_ntohl(low) - c->src6_lo) < c->src6_n;
}

static inline bool
ip6_unspecified(const uint8_t *a)
{
	static const uint8_t zero[16];

	return ip6_eq(a, zero);
}

/* ff02::1:ffXX:XXXX, the solicited-node group of one of our addresses
 * (RFC 4291 2.7.1), or ff02::1, all nodes. */
static bool
ip6_our_group(const struct sk_pkt_ctx *c, const uint8_t *a)
{
	static const uint8_t sn[13] = {
		0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff,
	};
	static const uint8_t all[16] = {
		0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	};

	if (ip6_eq(a, all))
		return true;
	if (memcmp(a, sn, sizeof(sn)) != 0)
		return false;
	for (unsigned int i = 0; i < c->n_addrs6; i++)
		if (memcmp(c->addrs6[i] + 13, a + 13, 3) == 0)
			return true;
	return false;
}

/* A source synack never answers: multicast, loopback, IPv4-mapped, or our
 * own. The unspecified address is left to the caller (only a Duplicate
 * Address Detection NS may come from it). */
static bool
ip6_bad_src(const struct sk_pkt_ctx *c, const uint8_t *a)
{
	static const uint8_t loop[16] = { [15] = 1 };
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	return a[0] == 0xff || ip6_eq(a, loop) ||
		memcmp(a, mapped, sizeof(mapped)) == 0 || our_addr6(c, a);
}

/* Next header values that are extension headers synack does not walk
 * (RFC 8200 4, IANA "IPv6 Extension Header Types"): ESP, AH, Mobility,
 * HIP, Shim6 and the two experimental ones. */
static inline bool
ip6_other_ext(unsigned int nh)
{
	return nh == 50 || nh == 51 || nh == 135 || nh == 139 || nh == 140 ||
		nh == 253 || nh == 254;
}

/* The options of a Hop-by-Hop or Destination Options header (RFC 8200
 * 4.2): well formed, and none whose type says to discard the packet when
 * the option is not recognised (the two high bits not 00): synack knows
 * only the padding options. A Jumbo Payload option (0xc2) says so too. */
static bool
ip6_opts_ok(const uint8_t *o, unsigned int n)
{
	unsigned int i = 0;

	while (i < n) {
		if (o[i] == 0) {            /* Pad1 */
			i++;
			continue;
		}
		if (i + 2 > n || i + 2u + o[i + 1] > n)
			return false;
		if (o[i] >> 6 != 0)
			return false;
		i += 2u + o[i + 1];
	}
	return true;
}

/* ND options (RFC 4861 4.6): every length non-zero and inside the message.
 * Sets *slla when a source link-layer address option is present, and
 * *tlla (when not NULL) to an Ethernet target link-layer address option's
 * address, or NULL. */
static bool
nd_opts_ok(const uint8_t *o, unsigned int n, bool *slla, const uint8_t **tlla)
{
	unsigned int i = 0;

	*slla = false;
	if (tlla != NULL)
		*tlla = NULL;
	while (i < n) {
		if (i + 2 > n || o[i + 1] == 0 || i + o[i + 1] * 8u > n)
			return false;
		if (o[i] == ND_OPT_SOURCE_LLADDR)
			*slla = true;
		if (o[i] == ND_OPT_TARGET_LLADDR && o[i + 1] == 1 &&
				tlla != NULL)
			*tlla = o + i + 2;
		i += o[i + 1] * 8u;
	}
	return true;
}

static enum sk_pkt_kind
parse_icmp6(const struct sk_pkt_ctx *c, struct sk_pkt *p, unsigned int len,
		bool group, bool unspec, struct sk_stats *st)
{
	const struct rte_ipv6_hdr *ip6 = p->ip6;
	const uint8_t *ic = (const uint8_t *)p->tcp;
	const uint8_t *tlla;
	bool slla;

	if (len < 8)
		DROP(st, drop_icmp6);
	if (!sk_csum_l4_ok6(ip6, IP6_NH_ICMP, ic, len))
		DROP(st, drop_icmp6);
	switch (ic[0]) {
	case ICMP6_ECHO_REQUEST:
		if (ic[1] != 0)
			DROP(st, drop_icmp6);
		if (unspec)
			DROP(st, drop_ip6_src);
		if (group)
			DROP(st, drop_ip6_dst);
		SK_STAT_INC(st, rx_icmp6_echo);
		return SK_PKT_ICMP6;
	case ND_NEIGHBOR_SOLICIT:
		/* RFC 4861 7.1.1: validity, in its order */
		if (ip6->hop_limits != ND_HOP_LIMIT || ic[1] != 0 ||
				len < ND_NS_LEN || ic[8] == 0xff ||
				!nd_opts_ok(ic + ND_NS_LEN, len - ND_NS_LEN,
					&slla, NULL) ||
				(unspec && (slla || !group ||
					ip6_eq(ip6->dst_addr, (const uint8_t[16]){
						0xff, 2, [15] = 1 }))))
			DROP(st, drop_icmp6);
		if (!our_addr6(c, ic + 8) ||
				(group && !ip6_our_group(c, ip6->dst_addr))) {
			/* another node's address: not ours to answer */
			SK_STAT_INC(st, rx_nd_other);
			return SK_PKT_DROP;
		}
		SK_STAT_INC(st, rx_nd_ns);
		return SK_PKT_ND_NS;
	case ND_NEIGHBOR_ADVERT:
		if (!c->nd_na)
			goto other;
		/* RFC 4861 7.1.2; the client role learns only an answer to
		 * one of our addresses that says which MAC is the target's */
		if (ip6->hop_limits != ND_HOP_LIMIT || ic[1] != 0 ||
				len < ND_NS_LEN || ic[8] == 0xff ||
				(group && (ic[4] & 0x40)) ||
				!nd_opts_ok(ic + ND_NS_LEN, len - ND_NS_LEN,
					&slla, &tlla))
			DROP(st, drop_icmp6);
		if (group || tlla == NULL ||
				!rte_is_unicast_ether_addr((const struct
					rte_ether_addr *)tlla))
			goto other;
		return SK_PKT_ND_NA;
	case MLD_QUERY:
	case MLD_QUERY + 1:
	case MLD_DONE:
	case ND_ROUTER_SOLICIT:
	case ND_ROUTER_SOLICIT + 1:
	case ND_REDIRECT:
	case MLD2_REPORT:
		/* Router Advertisements, the other ND messages and MLD: a
		 * server with static addresses has no use for them */
other:
		SK_STAT_INC(st, rx_nd_other);
		return SK_PKT_DROP;
	default:
		DROP(st, drop_icmp6);
	}
}

static enum sk_pkt_kind
parse_ip6(const struct sk_pkt_ctx *c, struct rte_mbuf *m, struct sk_pkt *p,
		struct sk_stats *st)
{
	const uint16_t l2 = p->l2_len, dlen = rte_pktmbuf_data_len(m);
	struct rte_ipv6_hdr *ip6;
	unsigned int plen, end, off, nh, l4len, doff;
	uint64_t cksum_flags;
	bool group = false, unspec;
	uint8_t *base;

	SK_STAT_INC(st, rx_ipv6);
	if (dlen < l2 + sizeof(*ip6))
		DROP(st, drop_ip6_short);
	ip6 = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, l2);
	if ((ip6->vtc_flow & RTE_BE32(0xf0000000)) != RTE_BE32(0x60000000))
		DROP(st, drop_ip_version);
	plen = sk_ntohs(ip6->payload_len);
	/* 0 is a jumbogram's (RFC 2675), which synack does not take */
	if (plen == 0 || l2 + sizeof(*ip6) + plen > dlen ||
			m->pkt_len != m->data_len)
		DROP(st, drop_ip6_len);
	if (ip6->hop_limits == 0)
		DROP(st, drop_ip6_hlim);
	if (!our_addr6(c, ip6->dst_addr)) {
		/* link-local multicast (ff02::/16) carries ND and MLD, which
		 * are looked at (and counted) below; other groups are not
		 * ours */
		if (ip6->dst_addr[0] != 0xff || ip6->dst_addr[1] != 0x02)
			DROP(st, drop_ip6_dst);
		group = true;
	}
	unspec = ip6_unspecified(ip6->src_addr);
	if (ip6_bad_src(c, ip6->src_addr))
		DROP(st, drop_ip6_src);
	end = sizeof(*ip6) + plen;
	if (l2 + end < dlen)
		rte_pktmbuf_trim(m, dlen - (l2 + end));

	/* Extension headers, at most SK_IP6_EXT_MAX, each inside the
	 * payload: the walk is bounded by both. */
	base = (uint8_t *)ip6;
	nh = ip6->proto;
	off = sizeof(*ip6);
	for (unsigned int n = 0; nh != IPPROTO_TCP && nh != IP6_NH_ICMP; n++) {
		const uint8_t *h = base + off;
		unsigned int hlen;

		if (nh == IP6_NH_FRAGMENT)
			DROP(st, drop_ip6_frag);
		if (nh != IP6_NH_HOPOPTS && nh != IP6_NH_ROUTING &&
				nh != IP6_NH_DSTOPTS) {
			if (ip6_other_ext(nh))
				DROP(st, drop_ip6_exthdr);
			DROP(st, drop_ip6_proto);
		}
		/* Hop-by-Hop comes first or not at all (RFC 8200 4.1) */
		if (n == SK_IP6_EXT_MAX || (nh == IP6_NH_HOPOPTS && n != 0))
			DROP(st, drop_ip6_exthdr);
		if (off + 8 > end)
			DROP(st, drop_ip6_short);
		hlen = (h[1] + 1u) * 8;
		if (off + hlen > end)
			DROP(st, drop_ip6_short);
		/* A routing header with segments left would have us forward
		 * the packet: synack is an end node only. */
		if (nh == IP6_NH_ROUTING ? h[3] != 0 :
				!ip6_opts_ok(h + 2, hlen - 2))
			DROP(st, drop_ip6_exthdr);
		nh = h[0];
		off += hlen;
	}
	p->v6 = 1;
	p->ip6 = ip6;
	p->l3_len = (uint16_t)off;
	p->tcp = (struct rte_tcp_hdr *)(base + off);
	l4len = end - off;
	if (nh == IP6_NH_ICMP)
		return parse_icmp6(c, p, l4len, group, unspec, st);
	if (unspec)
		DROP(st, drop_ip6_src);
	if (group)
		DROP(st, drop_ip6_dst);

	doff = tcp_hdr_ok(p->tcp, l4len, st);
	if (doff == 0)
		return SK_PKT_DROP;
	cksum_flags = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
	if (c->rx_cksum && cksum_flags == RTE_MBUF_F_RX_L4_CKSUM_BAD)
		DROP(st, drop_tcp_cksum);
	if ((!c->rx_cksum || cksum_flags != RTE_MBUF_F_RX_L4_CKSUM_GOOD) &&
			!sk_csum_l4_ok6(ip6, IPPROTO_TCP, p->tcp, l4len))
		DROP(st, drop_tcp_cksum);
	/* ECN: the low two bits of the traffic class */
	p->ce = (sk_ntohl(ip6->vtc_flow) >> 20 & 3) == 3;
	if (tcp_fields(p, p->tcp, l4len, doff, st) != SK_PKT_TCP)
		return SK_PKT_DROP;
	SK_STAT_INC(st, rx_tcp6);
	return SK_PKT_TCP;
}

enum sk_pkt_kind
sk_pkt_parse(const struct sk_pkt_ctx *c, struct rte_mbuf *m, struct sk_pkt *p,
		struct sk_stats *st)
{
	uint16_t dlen = rte_pktmbuf_data_len(m);
	const struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;
	rte_be16_t type;
	uint16_t l2 = sizeof(struct rte_ether_hdr);
	unsigned int ihl, tot, l4len, doff;
	uint64_t cksum_flags;
	bool l2_mc = false;

	/* The parser reads the first segment only; the headers must be in it. */
	if (dlen < sizeof(*eh))
		DROP(st, drop_l2_short);
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	/* (a two-arm proxy's inside port has a MAC of its own: tested only
	 * where the first compare fails) */
	if (unlikely(!rte_is_same_ether_addr(&eh->dst_addr, &c->mac)) &&
			!(c->two_arm && m->port == c->in_port &&
			  rte_is_same_ether_addr(&eh->dst_addr, &c->in_mac)) &&
			!rte_is_broadcast_ether_addr(&eh->dst_addr)) {
		/* IPv6 multicast (33:33:...) is for Neighbor Discovery:
		 * IPv6 frames only (behind a tag: checked below) */
		l2_mc = eh->dst_addr.addr_bytes[0] == 0x33 &&
			eh->dst_addr.addr_bytes[1] == 0x33;
		if (!l2_mc || (eh->ether_type !=
				RTE_BE16(RTE_ETHER_TYPE_IPV6) &&
				eh->ether_type != RTE_BE16(RTE_ETHER_TYPE_VLAN)))
			DROP(st, drop_l2_dst);
	}
	type = eh->ether_type;
	if (type == RTE_BE16(RTE_ETHER_TYPE_VLAN)) {
		const struct rte_vlan_hdr *vh;

		if (dlen < l2 + sizeof(*vh))
			DROP(st, drop_l2_short);
		vh = (const struct rte_vlan_hdr *)(eh + 1);
		type = vh->eth_proto;
		l2 += sizeof(*vh);
		SK_STAT_INC(st, rx_vlan);
		if (unlikely(l2_mc) && type != RTE_BE16(RTE_ETHER_TYPE_IPV6))
			DROP(st, drop_l2_dst);
	}
	p->l2_len = l2;
	if (unlikely(type != RTE_BE16(RTE_ETHER_TYPE_IPV4))) {
		if (type == RTE_BE16(RTE_ETHER_TYPE_IPV6))
			return parse_ip6(c, m, p, st);
		if (type == RTE_BE16(RTE_ETHER_TYPE_ARP))
			return parse_arp(c, m, l2, st);
		DROP(st, drop_ethertype);
	}
	p->v6 = 0;

	/* IPv4, RFC 791 and RFC 1122 3.2.1 */
	if (dlen < l2 + sizeof(*ip))
		DROP(st, drop_ip_short);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, l2);
	if ((ip->version_ihl >> 4) != 4)
		DROP(st, drop_ip_version);
	ihl = (ip->version_ihl & 0xf) * 4u;
	if (ihl < sizeof(*ip) || l2 + ihl > dlen)
		DROP(st, drop_ip_ihl);
	tot = sk_ntohs(ip->total_length);
	if (tot < ihl || l2 + tot > dlen || m->pkt_len != m->data_len)
		DROP(st, drop_ip_len);
	cksum_flags = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
	if (c->rx_cksum && cksum_flags == RTE_MBUF_F_RX_IP_CKSUM_BAD)
		DROP(st, drop_ip_cksum);
	if ((!c->rx_cksum || cksum_flags != RTE_MBUF_F_RX_IP_CKSUM_GOOD) &&
			!(likely(ihl == sizeof(*ip)) ?
				sk_csum_ip_ok(ip, sizeof(*ip)) :
				sk_csum_ip_ok(ip, ihl)))
		DROP(st, drop_ip_cksum);
	if (ip->fragment_offset &
			RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))
		DROP(st, drop_ip_frag);
	if (ip->time_to_live == 0)
		DROP(st, drop_ip_ttl);
	if (!is_our_addr(c, ip->dst_addr))
		DROP(st, drop_ip_dst);
	if (is_bad_src(c, ip->src_addr))
		DROP(st, drop_ip_src);
	/* Ethernet pads short frames: cut the frame to the IP datagram. */
	if (l2 + tot < dlen)
		rte_pktmbuf_trim(m, dlen - (l2 + tot));
	p->ip = ip;
	p->tcp = (struct rte_tcp_hdr *)((uint8_t *)ip + ihl);
	l4len = tot - ihl;
	if (ip->next_proto_id == IPPROTO_ICMP)
		return parse_icmp(p, l4len, st);
	if (ip->next_proto_id != IPPROTO_TCP)
		DROP(st, drop_ip_proto);

	th = p->tcp;
	doff = tcp_hdr_ok(th, l4len, st);
	if (doff == 0)
		return SK_PKT_DROP;
	cksum_flags = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
	if (c->rx_cksum && cksum_flags == RTE_MBUF_F_RX_L4_CKSUM_BAD)
		DROP(st, drop_tcp_cksum);
	if ((!c->rx_cksum || cksum_flags != RTE_MBUF_F_RX_L4_CKSUM_GOOD) &&
			!sk_csum_l4_ok(ip, th, (uint16_t)l4len))
		DROP(st, drop_tcp_cksum);
	p->ce = (ip->type_of_service & 3) == 3;
	return tcp_fields(p, th, l4len, doff, st);
}

void
sk_pkt_arp_reply(const struct sk_pkt_ctx *c, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	uint16_t l2 = sizeof(*eh);
	struct rte_arp_hdr *a;
	rte_be32_t tip;

	if (eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_VLAN))
		l2 += sizeof(struct rte_vlan_hdr);
	a = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, l2);
	tip = a->arp_data.arp_tip;
	a->arp_opcode = RTE_BE16(RTE_ARP_OP_REPLY);
	a->arp_data.arp_tha = a->arp_data.arp_sha;
	a->arp_data.arp_tip = a->arp_data.arp_sip;
	a->arp_data.arp_sha = *sk_pkt_mac(c, m);
	a->arp_data.arp_sip = tip;
	eh->dst_addr = a->arp_data.arp_tha;
	eh->src_addr = *sk_pkt_mac(c, m);
	/* keep only the ARP message; trailing padding is not ours to echo */
	rte_pktmbuf_trim(m, rte_pktmbuf_data_len(m) - (l2 + sizeof(*a)));
	m->ol_flags = 0;
}

void
sk_pkt_icmp_reply(const struct sk_pkt_ctx *c, struct rte_mbuf *m,
		uint16_t l2_len)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip =
		rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, l2_len);
	unsigned int ihl = (ip->version_ihl & 0xf) * 4u;
	struct rte_icmp_hdr *ic = (struct rte_icmp_hdr *)((uint8_t *)ip + ihl);
	rte_be32_t a = ip->src_addr;
	uint32_t sum;

	eh->dst_addr = eh->src_addr;
	eh->src_addr = *sk_pkt_mac(c, m);
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = a;
	ip->time_to_live = 64;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = sk_csum_ip(ip);
	/* Type 8 -> 0: adjust the checksum incrementally (RFC 1624). */
	ic->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	sum = (uint32_t)(uint16_t)~ic->icmp_cksum +
		(uint16_t)~RTE_BE16(RTE_IP_ICMP_ECHO_REQUEST << 8) +
		RTE_BE16(RTE_IP_ICMP_ECHO_REPLY << 8);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ic->icmp_cksum = (uint16_t)~sum;
	m->ol_flags = 0;
}

void
sk_pkt_na_write(const struct rte_ether_addr *mac, struct rte_ipv6_hdr *ip6,
		const uint8_t *target, const uint8_t *dst, uint8_t flags)
{
	uint8_t *na = (uint8_t *)(ip6 + 1);

	sk_pkt_ip6_hdr(ip6, target, dst, IP6_NH_ICMP, 32, ND_HOP_LIMIT);
	memset(na, 0, 32);
	na[0] = ND_NEIGHBOR_ADVERT;
	na[4] = flags;
	memcpy(na + 8, target, 16);
	na[24] = ND_OPT_TARGET_LLADDR;
	na[25] = 1;                 /* in units of 8 bytes */
	memcpy(na + 26, mac, RTE_ETHER_ADDR_LEN);
	{
		uint16_t ck = sk_csum_l4_6(ip6, IP6_NH_ICMP, na, 32);

		memcpy(na + 2, &ck, 2);
	}
}

bool
sk_pkt_nd_reply(const struct sk_pkt_ctx *c, struct rte_mbuf *m,
		const struct sk_pkt *p)
{
	static const uint8_t all_nodes[16] = { 0xff, 2, [15] = 1 };
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv6_hdr *ip6 = p->ip6;
	const uint16_t len = p->l2_len + sizeof(*ip6) + 32;
	uint8_t target[16], dst[16];
	bool dad = ip6_unspecified(ip6->src_addr);

	if (m->buf_len < m->data_off + len)
		return false;
	memcpy(target, (const uint8_t *)p->tcp + 8, 16);
	/* RFC 4861 7.2.4: to the solicitor; a Duplicate Address Detection
	 * probe (from ::) gets an unsolicited answer to all nodes, which
	 * tells the prober the address is taken. */
	memcpy(dst, dad ? all_nodes : ip6->src_addr, 16);
	if (dad) {
		static const struct rte_ether_addr all = {
			{ 0x33, 0x33, 0, 0, 0, 1 } };

		eh->dst_addr = all;
	} else {
		eh->dst_addr = eh->src_addr;
	}
	eh->src_addr = *sk_pkt_mac(c, m);
	/* Solicited (not for DAD), Override */
	sk_pkt_na_write(sk_pkt_mac(c, m), ip6, target, dst,
			dad ? 0x20 : 0x60);
	m->data_len = len;
	m->pkt_len = len;
	m->ol_flags = 0;
	return true;
}

void
sk_pkt_icmp6_reply(const struct sk_pkt_ctx *c, struct rte_mbuf *m,
		const struct sk_pkt *p)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv6_hdr *ip6 = p->ip6;
	uint8_t *ic = (uint8_t *)(ip6 + 1);
	const uint16_t len = (uint16_t)(rte_pktmbuf_data_len(m) - p->l2_len -
			p->l3_len);
	uint8_t src[16], dst[16];
	uint16_t ck;

	memcpy(src, ip6->dst_addr, 16);
	memcpy(dst, ip6->src_addr, 16);
	eh->dst_addr = eh->src_addr;
	eh->src_addr = *sk_pkt_mac(c, m);
	/* the reply carries no extension headers: the message moves up */
	if (p->l3_len != sizeof(*ip6))
		memmove(ic, p->tcp, len);
	sk_pkt_ip6_hdr(ip6, src, dst, IP6_NH_ICMP, len, 64);
	ic[0] = ICMP6_ECHO_REPLY;
	ic[2] = ic[3] = 0;
	ck = sk_csum_l4_6(ip6, IP6_NH_ICMP, ic, len);
	memcpy(ic + 2, &ck, 2);
	m->data_len = (uint16_t)(p->l2_len + sizeof(*ip6) + len);
	m->pkt_len = m->data_len;
	m->ol_flags = 0;
}

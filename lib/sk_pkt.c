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
	p->has_ts = 1;
	memcpy(&p->tsval, v, 4);
	memcpy(&p->tsecr, v + 4, 4);
	p->tsval = sk_ntohl(p->tsval);
	p->tsecr = sk_ntohl(p->tsecr);
}

bool
sk_pkt_parse_opts(struct sk_pkt *p)
{
	const uint8_t *o = (const uint8_t *)(p->tcp + 1);
	unsigned int len = p->l4_len - sizeof(struct rte_tcp_hdr);
	unsigned int i = 0;

	p->mss = 0;
	p->has_ts = p->sack_ok = p->has_ws = 0;
	p->wscale = 0;
	/* Fast paths for the two layouts nearly every peer sends (Linux,
	 * BSD): NOP NOP TS on a segment, and MSS, SACK-permitted, TS, NOP, WS
	 * on a SYN. Anything else takes the general loop. */
	if (len == 12 && memcmp(o, "\x01\x01\x08\x0a", 4) == 0) {
		opt_ts(p, o + 4);
		return true;
	}
	if (len == 20 && memcmp(o, "\x02\x04", 2) == 0 &&
			memcmp(o + 4, "\x04\x02\x08\x0a", 4) == 0 &&
			memcmp(o + 16, "\x01\x03\x03", 3) == 0) {
		p->mss = (uint16_t)(o[2] << 8 | o[3]);
		p->sack_ok = 1;
		opt_ts(p, o + 8);
		p->has_ws = 1;
		p->wscale = RTE_MIN(o[19], SK_WSCALE_MAX);
		return true;
	}
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
				p->mss = (uint16_t)(o[i + 2] << 8 | o[i + 3]);
			break;
		case SK_OPT_WS:
			if (olen == 3) {
				p->has_ws = 1;
				/* RFC 7323 2.3: a shift above 14 is used as 14 */
				p->wscale = RTE_MIN(o[i + 2], SK_WSCALE_MAX);
			}
			break;
		case SK_OPT_SACK_PERM:
			if (olen == 2)
				p->sack_ok = 1;
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

	/* The parser reads the first segment only; the headers must be in it. */
	if (dlen < sizeof(*eh))
		DROP(st, drop_l2_short);
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (!rte_is_same_ether_addr(&eh->dst_addr, &c->mac) &&
			!rte_is_broadcast_ether_addr(&eh->dst_addr))
		DROP(st, drop_l2_dst);
	type = eh->ether_type;
	if (type == RTE_BE16(RTE_ETHER_TYPE_VLAN)) {
		const struct rte_vlan_hdr *vh;

		if (dlen < l2 + sizeof(*vh))
			DROP(st, drop_l2_short);
		vh = (const struct rte_vlan_hdr *)(eh + 1);
		type = vh->eth_proto;
		l2 += sizeof(*vh);
		SK_STAT_INC(st, rx_vlan);
	}
	p->l2_len = l2;
	if (type == RTE_BE16(RTE_ETHER_TYPE_ARP))
		return parse_arp(c, m, l2, st);
	if (type != RTE_BE16(RTE_ETHER_TYPE_IPV4))
		DROP(st, drop_ethertype);

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

	/* TCP, RFC 9293 3.1 */
	th = p->tcp;
	if (l4len < sizeof(*th))
		DROP(st, drop_tcp_short);
	doff = (th->data_off >> 4) * 4u;
	if (doff < sizeof(*th) || doff > l4len)
		DROP(st, drop_tcp_doff);
	cksum_flags = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
	if (c->rx_cksum && cksum_flags == RTE_MBUF_F_RX_L4_CKSUM_BAD)
		DROP(st, drop_tcp_cksum);
	if ((!c->rx_cksum || cksum_flags != RTE_MBUF_F_RX_L4_CKSUM_GOOD) &&
			!sk_csum_l4_ok(ip, th, (uint16_t)l4len))
		DROP(st, drop_tcp_cksum);
	p->flags = th->tcp_flags;
	/* SYN with FIN or RST has no meaning; a segment with none of SYN,
	 * ACK, RST, FIN carries nothing to act on. */
	if ((p->flags & (RTE_TCP_SYN_FLAG | RTE_TCP_FIN_FLAG)) ==
				(RTE_TCP_SYN_FLAG | RTE_TCP_FIN_FLAG) ||
			(p->flags & (RTE_TCP_SYN_FLAG | RTE_TCP_RST_FLAG)) ==
				(RTE_TCP_SYN_FLAG | RTE_TCP_RST_FLAG) ||
			!(p->flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG |
				RTE_TCP_RST_FLAG | RTE_TCP_FIN_FLAG)))
		DROP(st, drop_tcp_flags);
	p->l4_len = (uint16_t)doff;
	p->plen = (uint16_t)(l4len - doff);
	p->payload = (uint8_t *)th + doff;
	p->seq = sk_ntohl(th->sent_seq);
	p->ack = sk_ntohl(th->recv_ack);
	p->ce = (ip->type_of_service & 3) == 3;
	if (!sk_pkt_parse_opts(p))
		DROP(st, drop_tcp_opts);
	SK_STAT_INC(st, rx_tcp);
	return SK_PKT_TCP;
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
	a->arp_data.arp_sha = c->mac;
	a->arp_data.arp_sip = tip;
	eh->dst_addr = a->arp_data.arp_tha;
	eh->src_addr = c->mac;
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
	eh->src_addr = c->mac;
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

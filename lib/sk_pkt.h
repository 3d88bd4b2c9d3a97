/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SK_PKT_H
#define SK_PKT_H

/**
 * @file
 * Frame parsing and validation (Ethernet, 802.1Q, ARP, IPv4, ICMP, TCP and
 * its options) and in-place building of responses. Internal to libsynack.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "sk_stats.h"

/* Byte order for the fast path: DPDK 22.11's rte_cpu_to_be_16/32 and
 * rte_be_to_cpu_16/32 are `asm volatile` on x86, which the compiler can
 * neither schedule nor fold (a swap of a swap, a swap into a store as
 * movbe). These are the same swaps as builtins. */
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
#define sk_ntohs(x) ((uint16_t)__builtin_bswap16((uint16_t)(x)))
#define sk_ntohl(x) ((uint32_t)__builtin_bswap32((uint32_t)(x)))
#else
#define sk_ntohs(x) ((uint16_t)(x))
#define sk_ntohl(x) ((uint32_t)(x))
#endif
#define sk_htons(x) sk_ntohs(x)
#define sk_htonl(x) sk_ntohl(x)

/* TCP option kinds (RFC 9293, 2018, 7323) */
#define SK_OPT_EOL 0
#define SK_OPT_NOP 1
#define SK_OPT_MSS 2
#define SK_OPT_WS 3
#define SK_OPT_SACK_PERM 4
#define SK_OPT_TS 8

/** Largest window scale shift (RFC 7323 2.3). */
#define SK_WSCALE_MAX 14u

/** What sk_pkt_parse() found in a frame. */
enum sk_pkt_kind {
	SK_PKT_DROP = 0,  /**< dropped; the reason was counted */
	SK_PKT_ARP,       /**< ARP request for one of our addresses */
	SK_PKT_ICMP,      /**< ICMP echo request to one of our addresses */
	SK_PKT_TCP,       /**< valid TCP segment to one of our addresses */
	SK_PKT_ARP_REPLY, /**< ARP reply to one of our addresses (client role) */
	SK_PKT_ND_NS,     /**< Neighbor Solicitation for an IPv6 address of
			       ours: answer with sk_pkt_nd_reply() */
	SK_PKT_ICMP6,     /**< ICMPv6 echo request to one of our addresses */
	SK_PKT_ND_NA,     /**< Neighbor Advertisement with a target
			       link-layer address, to one of our addresses
			       (client role: its next hop answering) */
};

/** Most IPv6 extension headers walked before TCP or ICMPv6: a chain
 * longer than this is dropped (drop_ip6_exthdr). */
#define SK_IP6_EXT_MAX 8

/** A parsed frame; pointers into the mbuf's first segment. */
struct sk_pkt {
	union {
		struct rte_ipv4_hdr *ip;    /**< when v6 is 0 */
		struct rte_ipv6_hdr *ip6;   /**< when v6 is 1 */
	};
	struct rte_tcp_hdr *tcp;    /**< TCP, or the ICMP/ICMPv6 header */
	uint8_t *payload;
	uint16_t l2_len;       /**< 14, or 18 with an 802.1Q tag */
	uint16_t l3_len;       /**< IPv6: 40 + its extension headers (IPv4:
				    not set, the IHL says it) */
	uint8_t v6;            /**< the frame is IPv6 */
	uint16_t l4_len;       /**< TCP header length, options included */
	uint16_t plen;         /**< TCP payload bytes */
	uint8_t flags;         /**< TCP flags byte */
	uint8_t ce;            /**< IP ECN field is CE */
	/* bool: bytes, not bits (no read-modify-write), and known to be 0
	 * or 1, so a layout index is shifts and ORs, no compares */
	bool has_ts;
	bool sack_ok;
	bool has_ws;
	uint8_t wscale;        /**< peer's shift, clamped to 14 */
	uint16_t mss;          /**< 0 when absent */
	uint32_t seq;          /**< host order */
	uint32_t ack;          /**< host order */
	uint32_t tsval;
	uint32_t tsecr;
};

/** Addresses and checks a parser needs: a view of the engine. */
struct sk_pkt_ctx {
	struct rte_ether_addr mac;
	unsigned int n_addrs;
	rte_be32_t addrs[16];
	rte_be32_t bcast[16];     /**< directed broadcast of each prefix */
	bool rx_cksum;            /**< trust the mbuf's RX checksum flags */
	bool arp_reply;           /**< accept ARP replies (client role) */
	uint32_t src_lo;          /**< client source range, host order, also */
	uint64_t src_n;           /**< ours: src_n addresses from src_lo */
	unsigned int n_addrs6;
	uint8_t addrs6[16][16];   /**< our IPv6 addresses, network order */
	bool nd_na;               /**< accept Neighbor Advertisements (client) */
	bool src6;                /**< client IPv6 sources, also ours: */
	uint8_t src6_pfx[12];     /**< their first 12 bytes, */
	uint32_t src6_lo;         /**< src6_n values of the last 4 from */
	uint64_t src6_n;          /**< src6_lo (host order) */
	/* two-arm proxy (docs/proxy.md "Two arms"): frames that came in on,
	 * or go out on, DPDK port in_port are the inside port's, with its
	 * own MAC; the others the clients' port's (out_port) */
	bool two_arm;
	uint16_t in_port;         /**< inside port, else a port id never seen */
	uint16_t out_port;        /**< the clients' port */
	struct rte_ether_addr in_mac;
};

/** Our MAC on the port @p m came in on or goes out on (m->port). */
static inline const struct rte_ether_addr *
sk_pkt_mac(const struct sk_pkt_ctx *c, const struct rte_mbuf *m)
{
	return unlikely(c->two_arm) && m->port == c->in_port ?
		&c->in_mac : &c->mac;
}

/** Send @p m out of the inside port (@p inside) or the clients' port: the
 * worker transmits by m->port (drivers/sk_worker.c); builders take the
 * source MAC from it (sk_pkt_mac()). Nothing to do with one port. */
static inline void
sk_pkt_set_side(const struct sk_pkt_ctx *c, struct rte_mbuf *m, bool inside)
{
	if (unlikely(c->two_arm))
		m->port = inside ? c->in_port : c->out_port;
}

/**
 * Parse and validate frame @p m. On SK_PKT_TCP, @p p is filled and the
 * mbuf is trimmed to the IP total length. On SK_PKT_DROP the reason has
 * been counted in @p st and the caller frees the mbuf.
 */
enum sk_pkt_kind sk_pkt_parse(const struct sk_pkt_ctx *c, struct rte_mbuf *m,
		struct sk_pkt *p, struct sk_stats *st);

/** Parse TCP options of a segment whose header is valid. Returns false on
 * a malformed option list (length byte 0/1, running past the header). */
bool sk_pkt_parse_opts(struct sk_pkt *p);

/** The same with the general option walk alone, none of the fast paths
 * for common layouts: the reference sk_pkt_parse_opts() is tested
 * against. */
bool sk_pkt_opts_walk(struct sk_pkt *p);

/** Turn an ARP request (validated by sk_pkt_parse) into its reply. */
void sk_pkt_arp_reply(const struct sk_pkt_ctx *c, struct rte_mbuf *m);

/** The big-endian 32-bit word at @p p (anywhere: no alignment), in host
 * order: TCP option fields. */
static inline uint32_t
sk_get_be32(const uint8_t *p)
{
	uint32_t w;

	memcpy(&w, p, 4);
	return sk_ntohl(w);
}

/** Write an IPv4 header (no options, DF set, checksum 0) from @p src to
 * @p dst for @p len bytes in all (header included) of @p proto, with
 * @p tos and @p ttl. The ID stays 0: with DF it has no meaning (RFC 6864
 * 4.1). */
static inline void
sk_pkt_ip4_hdr(struct rte_ipv4_hdr *ip, rte_be32_t src, rte_be32_t dst,
		uint8_t proto, uint16_t len, uint8_t tos, uint8_t ttl)
{
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = tos;
	ip->total_length = sk_htons(len);
	ip->packet_id = 0;
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = ttl;
	ip->next_proto_id = proto;
	ip->hdr_checksum = 0;
	ip->src_addr = src;
	ip->dst_addr = dst;
}

/** Write an IPv6 header from @p src to @p dst (16 bytes each, neither
 * inside the header written) for @p plen bytes of @p proto, hop limit
 * @p hops. No traffic class or flow label: synack answers one segment at a
 * time, nothing a label would help keep in order. */
static inline void
sk_pkt_ip6_hdr(struct rte_ipv6_hdr *ip6, const uint8_t *src,
		const uint8_t *dst, uint8_t proto, uint16_t plen, uint8_t hops)
{
	ip6->vtc_flow = RTE_BE32(0x60000000);
	ip6->payload_len = sk_htons(plen);
	ip6->proto = proto;
	ip6->hop_limits = hops;
	memcpy(ip6->src_addr, src, 16);
	memcpy(ip6->dst_addr, dst, 16);
}

/** A Neighbor Advertisement for our @p target to @p dst, with @p flags
 * (0x20 Override, 0x40 Solicited) and our MAC as its target link-layer
 * address, written at @p ip6 (IPv6 header and 32 bytes after it). */
void sk_pkt_na_write(const struct rte_ether_addr *mac, struct rte_ipv6_hdr *ip6,
		const uint8_t *target, const uint8_t *dst, uint8_t flags);

/** Turn a Neighbor Solicitation (SK_PKT_ND_NS) into the solicited
 * Neighbor Advertisement (RFC 4861 7.2.4): Solicited and Override set,
 * our MAC in a target link-layer address option, sent to the soliciting
 * node. False when the mbuf has no room for it (the caller drops it). */
bool sk_pkt_nd_reply(const struct sk_pkt_ctx *c, struct rte_mbuf *m,
		const struct sk_pkt *p);

/** Turn an ICMPv6 echo request (SK_PKT_ICMP6) into its reply (RFC 4443
 * 4.2), from the address it was sent to. */
void sk_pkt_icmp6_reply(const struct sk_pkt_ctx *c, struct rte_mbuf *m,
		const struct sk_pkt *p);

/** Turn an ICMP echo request (validated by sk_pkt_parse) into its reply. */
void sk_pkt_icmp_reply(const struct sk_pkt_ctx *c, struct rte_mbuf *m,
		uint16_t l2_len);

#endif /* SK_PKT_H */

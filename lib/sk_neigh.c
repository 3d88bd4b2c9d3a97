/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Neighbours: the ARP request and the IPv6 Neighbor Solicitation that the
 * client role (its target or gateway) and the proxy (its backends) send
 * from the timer pass, in fresh mbufs (their answers come back through
 * the parser: SK_PKT_ARP_REPLY, SK_PKT_ND_NA), and the announcement of
 * our own addresses at start.
 */

#include <string.h>

#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "sk_cksum.h"
#include "sk_engine_priv.h"

struct rte_mbuf *
sk_neigh_arp_request(struct sk_engine *e, rte_be32_t sip, rte_be32_t tip,
		bool inside)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(e->par.pool);
	struct rte_ether_hdr *eh;
	struct rte_arp_hdr *a;

	if (m == NULL) {
		SK_STAT_INC(&e->st, drop_mbuf);
		return NULL;
	}
	sk_pkt_set_side(&e->pc, m, inside);
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
			sizeof(*eh) + sizeof(*a));
	memset(&eh->dst_addr, 0xff, sizeof(eh->dst_addr));
	eh->src_addr = *sk_pkt_mac(&e->pc, m);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	a = (struct rte_arp_hdr *)(eh + 1);
	a->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = RTE_ETHER_ADDR_LEN;
	a->arp_plen = 4;
	a->arp_opcode = RTE_BE16(RTE_ARP_OP_REQUEST);
	a->arp_data.arp_sha = eh->src_addr;
	a->arp_data.arp_sip = sip;
	memset(&a->arp_data.arp_tha, 0, sizeof(a->arp_data.arp_tha));
	a->arp_data.arp_tip = tip;
	m->ol_flags = 0;
	return m;
}

/*
 * A Neighbor Solicitation for @p target (RFC 4861 7.2.2), to its
 * solicited-node group, from @p src, with our MAC in a source link-layer
 * address option.
 */
struct rte_mbuf *
sk_neigh_ns_request(struct sk_engine *e, const uint8_t *src,
		const uint8_t *target, bool inside)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(e->par.pool);
	struct rte_ether_hdr *eh;
	struct rte_ipv6_hdr *ip6;
	uint8_t *ns;
	/* the target's solicited-node group */
	uint8_t dst[16] = { 0xff, 0x02, [11] = 1, [12] = 0xff };
	uint16_t ck;

	if (m == NULL) {
		SK_STAT_INC(&e->st, drop_mbuf);
		return NULL;
	}
	sk_pkt_set_side(&e->pc, m, inside);
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
			sizeof(*eh) + sizeof(*ip6) + 32);
	ip6 = (struct rte_ipv6_hdr *)(eh + 1);
	ns = (uint8_t *)(ip6 + 1);
	/* 33:33:ff and ff02::1:ff00:0/104 with the target's last 24 bits */
	eh->dst_addr = (struct rte_ether_addr){ { 0x33, 0x33, 0xff,
		target[13], target[14], target[15] } };
	eh->src_addr = *sk_pkt_mac(&e->pc, m);
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
	memcpy(dst + 13, target + 13, 3);
	sk_pkt_ip6_hdr(ip6, src, dst, IPPROTO_ICMPV6, 32, 255);
	memset(ns, 0, 32);
	ns[0] = 135;
	memcpy(ns + 8, target, 16);
	ns[24] = 1;     /* source link-layer address, 8 bytes */
	ns[25] = 1;
	memcpy(ns + 26, &eh->src_addr, RTE_ETHER_ADDR_LEN);
	ck = sk_csum_l4_6(ip6, IPPROTO_ICMPV6, ns, 32);
	memcpy(ns + 2, &ck, 2);
	m->ol_flags = 0;
	SK_STAT_INC(&e->st, tx_nd_ns);
	SK_STAT_INC(&e->st, tx_ipv6);
	return m;
}

const uint8_t *
sk_neigh_na_target_mac(const struct sk_pkt *p, const uint8_t **target)
{
	const uint8_t *na = (const uint8_t *)p->tcp;
	const unsigned int len = (unsigned int)(sk_ntohs(p->ip6->payload_len) -
			(p->l3_len - sizeof(struct rte_ipv6_hdr)));

	*target = na + 8;
	/* the parser found a target link-layer address option */
	for (unsigned int i = 24; i + 8 <= len; i += na[i + 1] * 8u)
		if (na[i] == 2 && na[i + 1] == 1)
			return na + i + 2;
	return NULL;
}

/*
 * Announce our addresses, once, at start: an ARP announcement for each
 * IPv4 address (RFC 5227 3: a request with our address as both sender
 * and target, broadcast) and an unsolicited Neighbor Advertisement with
 * Override for each IPv6 one (RFC 4861 7.2.6, to all nodes), so that a
 * peer that cached another MAC for them (a restart on net_tap brings a
 * new one) takes ours at once; with two arms (a proxy's inside port) on
 * both ports. Writes at most @p cap frames; returns how many.
 */
uint16_t
sk_neigh_announce(struct sk_engine *e, struct rte_mbuf **tx, uint16_t cap)
{
	static const uint8_t all_nodes[16] = { 0xff, 2, [15] = 1 };
	static const struct rte_ether_addr all = { { 0x33, 0x33, 0, 0, 0, 1 } };
	const unsigned int n4 = e->pc.n_addrs, n = n4 + e->pc.n_addrs6;
	const unsigned int sides = e->pc.two_arm ? 2 : 1;
	uint16_t k = 0;

	for (unsigned int j = 0; j < n * sides && k < cap; j++) {
		const unsigned int i = j % n;
		const bool inside = j >= n;
		struct rte_mbuf *m;

		if (i < n4) {
			m = sk_neigh_arp_request(e, e->pc.addrs[i],
					e->pc.addrs[i], inside);
		} else {
			struct rte_ether_hdr *eh;

			m = rte_pktmbuf_alloc(e->par.pool);
			if (m == NULL) {
				SK_STAT_INC(&e->st, drop_mbuf);
			} else {
				sk_pkt_set_side(&e->pc, m, inside);
				eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
					sizeof(*eh) + sizeof(struct rte_ipv6_hdr) + 32);
				eh->dst_addr = all;
				eh->src_addr = *sk_pkt_mac(&e->pc, m);
				eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV6);
				sk_pkt_na_write(&eh->src_addr,
					(struct rte_ipv6_hdr *)(eh + 1),
					e->pc.addrs6[i - n4], all_nodes, 0x20);
				m->ol_flags = 0;
				SK_STAT_INC(&e->st, tx_ipv6);
			}
		}
		if (m != NULL) {
			tx[k++] = m;
			SK_STAT_INC(&e->st, tx_announce);
		}
	}
	return k;
}

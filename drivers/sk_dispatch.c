/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_thash.h>

#include "sk_dispatch.h"

const uint8_t sk_rss_key[SK_RSS_KEY_LEN] = {
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
	0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a, 0x6d, 0x5a,
};

uint32_t
sk_rss_hash(rte_be32_t saddr, rte_be32_t daddr, rte_be16_t sport,
		rte_be16_t dport)
{
	return sk_rss_hash_key(sk_rss_key, saddr, daddr, sport, dport);
}

uint32_t
sk_rss_hash_key(const uint8_t *key, rte_be32_t saddr, rte_be32_t daddr,
		rte_be16_t sport, rte_be16_t dport)
{
	/* rte_softrss takes the tuple in host order, ports packed as NICs
	 * feed them: source in the high half. */
	uint32_t t[3] = {
		rte_be_to_cpu_32(saddr), rte_be_to_cpu_32(daddr),
		(uint32_t)rte_be_to_cpu_16(sport) << 16 |
			rte_be_to_cpu_16(dport),
	};

	return rte_softrss(t, RTE_DIM(t), key);
}

uint32_t
sk_rss_hash6(const uint8_t *saddr, const uint8_t *daddr, rte_be16_t sport,
		rte_be16_t dport)
{
	return sk_rss_hash6_key(sk_rss_key, saddr, daddr, sport, dport);
}

uint32_t
sk_rss_hash6_key(const uint8_t *key, const uint8_t *saddr,
		const uint8_t *daddr, rte_be16_t sport, rte_be16_t dport)
{
	/* as sk_rss_hash_key: 32-bit words in host order, the addresses'
	 * bytes in wire order, then the ports (source high) */
	uint32_t t[9];

	for (unsigned int i = 0; i < 4; i++) {
		t[i] = (uint32_t)saddr[4 * i] << 24 | saddr[4 * i + 1] << 16 |
			saddr[4 * i + 2] << 8 | saddr[4 * i + 3];
		t[4 + i] = (uint32_t)daddr[4 * i] << 24 |
			daddr[4 * i + 1] << 16 | daddr[4 * i + 2] << 8 |
			daddr[4 * i + 3];
	}
	t[8] = (uint32_t)rte_be_to_cpu_16(sport) << 16 |
		rte_be_to_cpu_16(dport);
	return rte_softrss(t, RTE_DIM(t), key);
}

bool
sk_dispatch_tuple(const struct rte_mbuf *m, struct sk_dispatch_flow *f)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint16_t len = rte_pktmbuf_data_len(m);
	const struct rte_ether_hdr *eh = (const struct rte_ether_hdr *)p;
	unsigned int l2 = sizeof(*eh), ihl;
	rte_be16_t type;
	const struct rte_ipv4_hdr *ip;
	const struct rte_ipv6_hdr *ip6;
	const struct rte_tcp_hdr *th;

	if (len < l2 + sizeof(*ip))
		return false;
	type = eh->ether_type;
	if (type == RTE_BE16(RTE_ETHER_TYPE_VLAN)) {
		type = ((const struct rte_vlan_hdr *)(eh + 1))->eth_proto;
		l2 += sizeof(struct rte_vlan_hdr);
	}
	if (type == RTE_BE16(RTE_ETHER_TYPE_IPV6)) {
		/* TCP right after the fixed header only: with extension
		 * headers (fragments included) the frame stays where it
		 * arrived, as NICs' IPv6/TCP RSS leaves it unhashed */
		ip6 = (const struct rte_ipv6_hdr *)(p + l2);
		if (len < l2 + sizeof(*ip6) + 4 || ip6->proto != IPPROTO_TCP)
			return false;
		th = (const struct rte_tcp_hdr *)(ip6 + 1);
		f->family = 6;
		f->saddr6 = ip6->src_addr;
		f->daddr6 = ip6->dst_addr;
		f->sport = th->src_port;
		f->dport = th->dst_port;
		return true;
	}
	if (type != RTE_BE16(RTE_ETHER_TYPE_IPV4) || len < l2 + sizeof(*ip))
		return false;
	ip = (const struct rte_ipv4_hdr *)(p + l2);
	ihl = (ip->version_ihl & 0xf) * 4u;
	if (ip->next_proto_id != IPPROTO_TCP || ihl < sizeof(*ip) ||
			len < l2 + ihl + 4)
		return false;
	th = (const struct rte_tcp_hdr *)(p + l2 + ihl);
	f->family = 4;
	f->saddr = ip->src_addr;
	f->daddr = ip->dst_addr;
	f->sport = th->src_port;
	f->dport = th->dst_port;
	return true;
}

int
sk_dispatch_init(struct sk_dispatch *d, unsigned int n, bool software,
		uint16_t reta_size, unsigned int ring_size, int socket_id,
		char *err, size_t errlen)
{
	memset(d, 0, sizeof(*d));
	if (n == 0 || n > SK_MAX_WORKERS) {
		snprintf(err, errlen, "workers: %u out of range (1..%u)", n,
			(unsigned int)SK_MAX_WORKERS);
		return -1;
	}
	d->n = n;
	d->software = software && n > 1;
	d->reta_size = reta_size ? reta_size : SK_RETA_SIZE;
	if (!d->software)
		return 0;
	for (unsigned int from = 0; from < n; from++)
		for (unsigned int to = 0; to < n; to++) {
			char name[RTE_RING_NAMESIZE];

			if (from == to)
				continue;
			snprintf(name, sizeof(name), "sk_disp_%u_%u", from, to);
			d->ring[from][to] = rte_ring_create(name, ring_size,
				socket_id, RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (d->ring[from][to] == NULL) {
				snprintf(err, errlen, "dispatch ring %s: %s",
					name, rte_strerror(rte_errno));
				sk_dispatch_free(d, NULL);
				return -1;
			}
		}
	return 0;
}

void
sk_dispatch_free(struct sk_dispatch *d, unsigned int *left)
{
	for (unsigned int from = 0; from < SK_MAX_WORKERS; from++)
		for (unsigned int to = 0; to < SK_MAX_WORKERS; to++) {
			struct rte_ring *r = d->ring[from][to];
			void *m;

			if (r == NULL)
				continue;
			/* free what stopped workers left in flight */
			while (rte_ring_sc_dequeue(r, &m) == 0) {
				rte_pktmbuf_free(m);
				if (left != NULL)
					left[to]++;
			}
			rte_ring_free(r);
			d->ring[from][to] = NULL;
		}
}

bool
sk_dispatch_client_tuple_ok(const void *arg, rte_be32_t laddr,
		rte_be32_t raddr, rte_be16_t lport, rte_be16_t rport)
{
	const struct sk_client_tuples *t = arg;

	return sk_dispatch_owner(t->d, sk_rss_hash(laddr, raddr, lport,
		rport)) == t->id;
}

bool
sk_dispatch_client_tuple6_ok(const void *arg, const uint8_t *laddr,
		const uint8_t *raddr, rte_be16_t lport, rte_be16_t rport)
{
	const struct sk_client_tuples *t = arg;

	return sk_dispatch_owner(t->d, sk_rss_hash6(laddr, raddr, lport,
		rport)) == t->id;
}

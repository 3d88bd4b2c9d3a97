/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SK_FRAMES_H
#define SK_FRAMES_H

/*
 * Test helpers: an EAL in --no-huge mode for an mbuf pool, a builder of
 * Ethernet/IPv4/TCP frames with valid checksums (each field overridable so
 * tests can break one thing at a time), and a reader of responses.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_arp.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "sk_engine.h"

/* Start an EAL with no hugepages, no PCI, no files, and a pool. */
static inline struct rte_mempool *
skt_eal(const char *name)
{
	const char *pfx = getenv("SK_TEST_FILE_PREFIX");
	char prefix[128];
	char *argv[] = {
		(char *)name, "--no-huge", "-m", "128", "--no-pci",
		"--no-shconf", "--no-telemetry", "-l", "0",
		"--log-level", "lib.eal:error", "--file-prefix", prefix,
	};
	struct rte_mempool *mp;

	snprintf(prefix, sizeof(prefix), "%s-%d", pfx ? pfx : "sk-test",
		(int)getpid());
	if (rte_eal_init((int)RTE_DIM(argv), argv) < 0) {
		printf("Bail out! EAL init failed\n");
		exit(1);
	}
	mp = rte_pktmbuf_pool_create("skt_pool", 4095, 0, 0,
			RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (mp == NULL) {
		printf("Bail out! mbuf pool\n");
		exit(1);
	}
	return mp;
}

/* Stop the EAL and remove its (empty) runtime folder. --no-huge means
 * legacy memory, which rules out --in-memory, so the EAL makes one. */
static inline void
skt_eal_done(void)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	rmdir(dir);
}

static const struct rte_ether_addr skt_engine_mac = {
	.addr_bytes = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 } };
static const struct rte_ether_addr skt_peer_mac = {
	.addr_bytes = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 } };

/* A test engine for @p c on a fake clock: a 1 GHz "TSC" (nanoseconds)
 * whose zero is 2023-11-14 22:13:20 UTC, our MAC, no checksum offload.
 * Bails out of the test when creation fails. */
#define SKT_WALL_MS_AT_ZERO 1700000000000ull

static inline struct sk_engine *
skt_engine(const struct sk_config *c, struct rte_mempool *mp, uint64_t now)
{
	struct sk_engine_params p = { 0 };
	struct sk_engine *e;

	p.mac = skt_engine_mac;
	p.socket_id = SOCKET_ID_ANY;
	p.pool = mp;
	p.tsc_hz = 1000000000ull;
	p.wall_ms_at_zero = SKT_WALL_MS_AT_ZERO;
	e = sk_engine_create(c, &p, now);
	if (e == NULL) {
		printf("Bail out! engine create failed\n");
		exit(1);
	}
	return e;
}

/* A TCP/IPv4 frame description. Zero fields take sane defaults where said. */
struct skt_frame {
	uint32_t saddr, daddr;      /* host order */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;               /* 0 -> 65535 */
	const uint8_t *opts;        /* raw option bytes, padded by caller */
	uint8_t optlen;             /* multiple of 4 */
	const void *data;
	uint16_t len;
	uint8_t ttl;                /* 0 -> 64; use ttl0 for a real 0 */
	bool ttl0;
	bool vlan;                  /* add an 802.1Q tag, VID 100 */
	uint8_t tos;
};

/* Build @p f into a fresh mbuf with valid checksums. */
static inline struct rte_mbuf *
skt_build(struct rte_mempool *mp, const struct skt_frame *f)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	uint16_t l2 = sizeof(struct rte_ether_hdr) +
		(f->vlan ? sizeof(struct rte_vlan_hdr) : 0);
	uint16_t thl = (uint16_t)(sizeof(struct rte_tcp_hdr) + f->optlen);
	uint16_t tot = (uint16_t)(sizeof(struct rte_ipv4_hdr) + thl + f->len);
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	struct rte_tcp_hdr *th;

	if (m == NULL)
		return NULL;
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, l2 + tot);
	eh->dst_addr = skt_engine_mac;
	eh->src_addr = skt_peer_mac;
	if (f->vlan) {
		struct rte_vlan_hdr *vh = (struct rte_vlan_hdr *)(eh + 1);

		eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_VLAN);
		vh->vlan_tci = RTE_BE16(100);
		vh->eth_proto = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	} else {
		eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	}
	ip = (struct rte_ipv4_hdr *)((uint8_t *)eh + l2);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = f->tos;
	ip->total_length = rte_cpu_to_be_16(tot);
	ip->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = f->ttl0 ? 0 : (f->ttl ? f->ttl : 64);
	ip->next_proto_id = IPPROTO_TCP;
	ip->src_addr = rte_cpu_to_be_32(f->saddr);
	ip->dst_addr = rte_cpu_to_be_32(f->daddr);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	th = (struct rte_tcp_hdr *)(ip + 1);
	memset(th, 0, sizeof(*th));
	th->src_port = rte_cpu_to_be_16(f->sport);
	th->dst_port = rte_cpu_to_be_16(f->dport);
	th->sent_seq = rte_cpu_to_be_32(f->seq);
	th->recv_ack = rte_cpu_to_be_32(f->ack);
	th->data_off = (uint8_t)((thl / 4) << 4);
	th->tcp_flags = f->flags;
	th->rx_win = rte_cpu_to_be_16(f->win ? f->win : 65535);
	if (f->optlen)
		memcpy(th + 1, f->opts, f->optlen);
	if (f->len)
		memcpy((uint8_t *)(th + 1) + f->optlen, f->data, f->len);
	th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	return m;
}

/* An ARP message (@p op) from the peer (@p sip) for @p tip (host order),
 * broadcast, padded to the 60-byte minimum frame; @p hlen is the hardware
 * address length it claims, @p vlan adds an 802.1Q tag (VID 100). */
static inline struct rte_mbuf *
skt_build_arp(struct rte_mempool *mp, uint16_t op, uint32_t sip, uint32_t tip,
		uint8_t hlen, bool vlan)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	uint16_t l2 = vlan ? 18 : 14;
	struct rte_ether_hdr *eh;
	struct rte_arp_hdr *a;

	if (m == NULL || rte_pktmbuf_append(m, 60) == NULL) {
		printf("Bail out! mbuf\n");
		exit(1);
	}
	eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	memset(eh, 0, 60);
	memset(&eh->dst_addr, 0xff, sizeof(eh->dst_addr));
	eh->src_addr = skt_peer_mac;
	if (vlan) {
		struct rte_vlan_hdr *vh = (struct rte_vlan_hdr *)(eh + 1);

		eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_VLAN);
		vh->vlan_tci = RTE_BE16(100);
		vh->eth_proto = RTE_BE16(RTE_ETHER_TYPE_ARP);
	} else {
		eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	}
	a = (struct rte_arp_hdr *)((uint8_t *)eh + l2);
	a->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = hlen;
	a->arp_plen = 4;
	a->arp_opcode = rte_cpu_to_be_16(op);
	a->arp_data.arp_sha = skt_peer_mac;
	a->arp_data.arp_sip = rte_cpu_to_be_32(sip);
	a->arp_data.arp_tip = rte_cpu_to_be_32(tip);
	return m;
}

/* A response read back from an mbuf the engine returned. */
struct skt_resp {
	struct rte_ether_addr dst, src;
	uint32_t saddr, daddr;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	uint16_t mss;               /* 0 if absent */
	int wscale;                 /* -1 if absent */
	bool sack_ok, has_ts;
	uint32_t tsval, tsecr;
	uint8_t data[2048];
	uint16_t len;
	bool ip_ok, tcp_ok;         /* checksums valid */
	bool vlan;
};

/* Parse a TCP response; checksums verified in software (the test pool's
 * mbufs carry no offload flags). Returns false if not IPv4/TCP. */
static inline bool
skt_read(const struct rte_mbuf *m, struct skt_resp *r)
{
	const struct rte_ether_hdr *eh =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	uint16_t l2 = sizeof(*eh);
	rte_be16_t type = eh->ether_type;
	const struct rte_ipv4_hdr *ip;
	const struct rte_tcp_hdr *th;
	const uint8_t *o;
	unsigned int thl, i;

	memset(r, 0, sizeof(*r));
	r->wscale = -1;
	r->dst = eh->dst_addr;
	r->src = eh->src_addr;
	if (type == RTE_BE16(RTE_ETHER_TYPE_VLAN)) {
		type = ((const struct rte_vlan_hdr *)(eh + 1))->eth_proto;
		l2 += sizeof(struct rte_vlan_hdr);
		r->vlan = true;
	}
	if (type != RTE_BE16(RTE_ETHER_TYPE_IPV4))
		return false;
	ip = (const struct rte_ipv4_hdr *)((const uint8_t *)eh + l2);
	if (ip->next_proto_id != IPPROTO_TCP)
		return false;
	r->ip_ok = rte_ipv4_cksum(ip) == 0 || rte_raw_cksum(ip, 20) == 0xffff;
	th = (const struct rte_tcp_hdr *)(ip + 1);
	r->tcp_ok = rte_ipv4_udptcp_cksum_verify(ip, th) == 0;
	r->saddr = rte_be_to_cpu_32(ip->src_addr);
	r->daddr = rte_be_to_cpu_32(ip->dst_addr);
	r->sport = rte_be_to_cpu_16(th->src_port);
	r->dport = rte_be_to_cpu_16(th->dst_port);
	r->seq = rte_be_to_cpu_32(th->sent_seq);
	r->ack = rte_be_to_cpu_32(th->recv_ack);
	r->flags = th->tcp_flags;
	r->win = rte_be_to_cpu_16(th->rx_win);
	thl = (th->data_off >> 4) * 4u;
	o = (const uint8_t *)(th + 1);
	for (i = 0; i + sizeof(*th) < thl;) {
		unsigned int k = o[i], l;

		if (k == 0)
			break;
		if (k == 1) {
			i++;
			continue;
		}
		l = o[i + 1];
		if (l < 2)
			break;
		if (k == 2 && l == 4)
			r->mss = (uint16_t)(o[i + 2] << 8 | o[i + 3]);
		if (k == 3 && l == 3)
			r->wscale = o[i + 2];
		if (k == 4 && l == 2)
			r->sack_ok = true;
		if (k == 8 && l == 10) {
			r->has_ts = true;
			r->tsval = (uint32_t)o[i + 2] << 24 | o[i + 3] << 16 |
				o[i + 4] << 8 | o[i + 5];
			r->tsecr = (uint32_t)o[i + 6] << 24 | o[i + 7] << 16 |
				o[i + 8] << 8 | o[i + 9];
		}
		i += l;
	}
	r->len = (uint16_t)(rte_be_to_cpu_16(ip->total_length) - 20 - thl);
	if (r->len > sizeof(r->data))
		r->len = sizeof(r->data);
	memcpy(r->data, (const uint8_t *)th + thl, r->len);
	return true;
}

#endif /* SK_FRAMES_H */

/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SK_FRAMES_H
#define SK_FRAMES_H

/*
 * Test helpers: an EAL in --no-huge mode for an mbuf pool, a builder of
 * Ethernet/IPv4/TCP and Ethernet/IPv6 frames with valid checksums (each
 * field overridable so tests can break one thing at a time), and readers of
 * responses.
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
 * whose zero is 2023-11-14 22:13:20 UTC, our MAC, TX checksum offload
 * claimed or not (skt_engine: not).
 * @p c is finalized first (as synackd does: the [client] strings parsed
 * once). Bails out of the test when creation fails. */
#define SKT_WALL_MS_AT_ZERO 1700000000000ull

/* The test engines' parameters: our MAC, a 1 GHz clock, no offload. */
static inline void
skt_engine_params(struct sk_engine_params *p, struct rte_mempool *mp)
{
	memset(p, 0, sizeof(*p));
	p->mac = skt_engine_mac;
	p->socket_id = SOCKET_ID_ANY;
	p->pool = mp;
	p->tsc_hz = 1000000000ull;
	p->wall_ms_at_zero = SKT_WALL_MS_AT_ZERO;
}

/* An engine for @p c (finalized first) with parameters @p p. */
static inline struct sk_engine *
skt_engine_create(const struct sk_config *c, const struct sk_engine_params *p,
		uint64_t now)
{
	struct sk_config fc = *c;
	struct sk_engine *e;
	char err[256];

	if (sk_config_finalize(&fc, err, sizeof(err)) != 0) {
		printf("Bail out! configuration: %s\n", err);
		exit(1);
	}
	e = sk_engine_create(&fc, p, now);
	if (e == NULL) {
		printf("Bail out! engine create failed\n");
		exit(1);
	}
	return e;
}

static inline struct sk_engine *
skt_engine_tx(const struct sk_config *c, struct rte_mempool *mp, uint64_t now,
		bool tx_offload)
{
	struct sk_engine_params p;

	skt_engine_params(&p, mp);
	p.tx_ip_cksum = tx_offload;
	p.tx_tcp_cksum = tx_offload;
	return skt_engine_create(c, &p, now);
}

/* An engine with two arms: the clients on DPDK port 0, the backends on
 * port 1, where our MAC is @p in_mac. */
static inline struct sk_engine *
skt_engine_two_arm(const struct sk_config *c, struct rte_mempool *mp,
		uint64_t now, const struct rte_ether_addr *in_mac)
{
	struct sk_engine_params p;

	skt_engine_params(&p, mp);
	p.two_arm = 1;
	p.port_id = 0;
	p.inside_port = 1;
	p.inside_mac = *in_mac;
	return skt_engine_create(c, &p, now);
}

static inline struct sk_engine *
skt_engine(const struct sk_config *c, struct rte_mempool *mp, uint64_t now)
{
	return skt_engine_tx(c, mp, now, false);
}

/* @p v big-endian at @p p, which may lie anywhere. */
static inline void
skt_put32(void *p, uint32_t v)
{
	v = rte_cpu_to_be_32(v);
	memcpy(p, &v, 4);
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

/* ---- IPv6 ---------------------------------------------------------------- */

/* The ones' complement sum of @p len bytes at @p p added to @p s, computed
 * here byte by byte (not with the library's helpers) so that a test checks
 * the engine's checksums against an independent computation. */
static inline uint32_t
skt_sum(uint32_t s, const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		s += (uint32_t)b[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

/* The TCP or ICMPv6 checksum (RFC 8200 8.1) of @p len bytes of @p l4
 * (checksum field included as it is) from @p src to @p dst, in host order:
 * store it big-endian. */
static inline uint16_t
skt_cksum6(const uint8_t *src, const uint8_t *dst, uint8_t proto,
		const void *l4, uint32_t len)
{
	uint8_t ph[40];

	memcpy(ph, src, 16);
	memcpy(ph + 16, dst, 16);
	ph[32] = (uint8_t)(len >> 24);
	ph[33] = (uint8_t)(len >> 16);
	ph[34] = (uint8_t)(len >> 8);
	ph[35] = (uint8_t)len;
	ph[36] = ph[37] = ph[38] = 0;
	ph[39] = proto;
	return (uint16_t)~skt_sum(skt_sum(0, ph, sizeof(ph)), l4, len);
}

/* The solicited-node multicast address of @p a (RFC 4291 2.7.1),
 * ff02::1:ffXX:XXXX, and its MAC 33:33:ff:XX:XX:XX (RFC 2464 7). */
static inline void
skt_snm6(const uint8_t *a, uint8_t *out, struct rte_ether_addr *mac)
{
	static const uint8_t pfx[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0x01, 0xff };

	memcpy(out, pfx, 13);
	memcpy(out + 13, a + 13, 3);
	if (mac != NULL) {
		mac->addr_bytes[0] = 0x33;
		mac->addr_bytes[1] = 0x33;
		memcpy(&mac->addr_bytes[2], out + 12, 4);
	}
}

/* An IPv6 frame description. The upper layer is TCP (proto 0 or 6: built
 * from the TCP fields as in skt_frame, checksum over the IPv6 pseudo
 * header), or with any other proto @p data is the whole upper-layer
 * message, copied as is except that with proto 58 (ICMPv6) its checksum
 * (bytes 2-3) is computed. @p ext are raw extension headers put between
 * the IPv6 header and the upper layer: the IPv6 header's next header is
 * then @p ext_nh, and the caller's last extension header names the upper
 * layer. */
struct skt_frame6 {
	uint8_t saddr[16], daddr[16];
	const struct rte_ether_addr *dmac;  /* NULL -> the engine's MAC */
	const struct rte_ether_addr *smac;  /* NULL -> the peer's MAC */
	uint8_t proto;              /* 0 -> TCP */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;               /* 0 -> 65535 */
	const uint8_t *opts;        /* raw TCP option bytes, padded */
	uint8_t optlen;
	const void *data;
	uint16_t len;
	const uint8_t *ext;
	uint16_t extlen;            /* multiple of 8 */
	uint8_t ext_nh;
	uint8_t hlim;               /* 0 -> 64; hlim0 for a real 0 */
	bool hlim0;
	bool vlan;                  /* 802.1Q tag, VID 100 */
	uint8_t tc;                 /* traffic class */
	bool bad_cksum;             /* flip a bit of the upper-layer checksum */
	bool plen_set;              /* payload length = plen, not the truth */
	uint16_t plen;
};

/* Build @p f into a fresh mbuf (NULL when the pool is empty). */
static inline struct rte_mbuf *
skt_build6(struct rte_mempool *mp, const struct skt_frame6 *f)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	uint8_t proto = f->proto ? f->proto : IPPROTO_TCP;
	uint16_t l2 = f->vlan ? 18 : 14;
	uint16_t l4len = proto == IPPROTO_TCP ?
		(uint16_t)(20 + f->optlen + f->len) : f->len;
	uint16_t plen = (uint16_t)(f->extlen + l4len);
	uint8_t *b, *ip, *l4;
	uint16_t ck;

	if (m == NULL)
		return NULL;
	b = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(l2 + 40 + plen));
	if (b == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memcpy(b, f->dmac ? f->dmac : &skt_engine_mac, 6);
	memcpy(b + 6, f->smac ? f->smac : &skt_peer_mac, 6);
	if (f->vlan) {
		b[12] = 0x81;
		b[13] = 0x00;
		b[14] = 0x00;
		b[15] = 100;
	}
	b[l2 - 2] = 0x86;
	b[l2 - 1] = 0xdd;
	ip = b + l2;
	ip[0] = (uint8_t)(0x60 | f->tc >> 4);
	ip[1] = (uint8_t)(f->tc << 4);
	ip[2] = ip[3] = 0;
	ip[4] = (uint8_t)((f->plen_set ? f->plen : plen) >> 8);
	ip[5] = (uint8_t)(f->plen_set ? f->plen : plen);
	ip[6] = f->extlen ? f->ext_nh : proto;
	ip[7] = f->hlim0 ? 0 : (f->hlim ? f->hlim : 64);
	memcpy(ip + 8, f->saddr, 16);
	memcpy(ip + 24, f->daddr, 16);
	if (f->extlen)
		memcpy(ip + 40, f->ext, f->extlen);
	l4 = ip + 40 + f->extlen;
	if (proto == IPPROTO_TCP) {
		uint16_t win = f->win ? f->win : 65535;

		memset(l4, 0, 20);
		l4[0] = (uint8_t)(f->sport >> 8);
		l4[1] = (uint8_t)f->sport;
		l4[2] = (uint8_t)(f->dport >> 8);
		l4[3] = (uint8_t)f->dport;
		l4[4] = (uint8_t)(f->seq >> 24);
		l4[5] = (uint8_t)(f->seq >> 16);
		l4[6] = (uint8_t)(f->seq >> 8);
		l4[7] = (uint8_t)f->seq;
		l4[8] = (uint8_t)(f->ack >> 24);
		l4[9] = (uint8_t)(f->ack >> 16);
		l4[10] = (uint8_t)(f->ack >> 8);
		l4[11] = (uint8_t)f->ack;
		l4[12] = (uint8_t)(((20 + f->optlen) / 4) << 4);
		l4[13] = f->flags;
		l4[14] = (uint8_t)(win >> 8);
		l4[15] = (uint8_t)win;
		if (f->optlen)
			memcpy(l4 + 20, f->opts, f->optlen);
		if (f->len)
			memcpy(l4 + 20 + f->optlen, f->data, f->len);
		ck = skt_cksum6(f->saddr, f->daddr, proto, l4, l4len);
		if (f->bad_cksum)
			ck ^= 0x0100;
		l4[16] = (uint8_t)(ck >> 8);
		l4[17] = (uint8_t)ck;
	} else {
		if (f->len)
			memcpy(l4, f->data, f->len);
		if (proto == IPPROTO_ICMPV6 && l4len >= 4) {
			l4[2] = l4[3] = 0;
			ck = skt_cksum6(f->saddr, f->daddr, proto, l4, l4len);
			if (f->bad_cksum)
				ck ^= 0x0100;
			l4[2] = (uint8_t)(ck >> 8);
			l4[3] = (uint8_t)ck;
		}
	}
	return m;
}

/* A TCP response over IPv6 read back (skt_read's fields that apply, the
 * addresses, the hop limit and whether the checksum is right). */
struct skt_resp6 {
	struct rte_ether_addr dst, src;
	uint8_t saddr[16], daddr[16];
	uint8_t hlim;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win, mss;
	bool tcp_ok;
	uint16_t len;               /* payload bytes */
};

/* Parse a TCP/IPv6 response with no extension header; false if it is
 * something else. */
static inline bool
skt_read6(const struct rte_mbuf *m, struct skt_resp6 *r)
{
	const uint8_t *b = rte_pktmbuf_mtod(m, const uint8_t *);
	uint16_t n = rte_pktmbuf_data_len(m), l2 = 14, plen;
	const uint8_t *ip, *th;
	unsigned int thl, i;

	memset(r, 0, sizeof(*r));
	if (n < 14)
		return false;
	if (b[12] == 0x81 && b[13] == 0x00)
		l2 = 18;
	if (n < l2 + 40 + 20 || b[l2 - 2] != 0x86 || b[l2 - 1] != 0xdd)
		return false;
	ip = b + l2;
	plen = (uint16_t)(ip[4] << 8 | ip[5]);
	if (ip[6] != IPPROTO_TCP || (ip[0] >> 4) != 6 || plen < 20 ||
			l2 + 40 + plen > n)
		return false;
	memcpy(&r->dst, b, 6);
	memcpy(&r->src, b + 6, 6);
	memcpy(r->saddr, ip + 8, 16);
	memcpy(r->daddr, ip + 24, 16);
	r->hlim = ip[7];
	th = ip + 40;
	r->tcp_ok = skt_cksum6(r->saddr, r->daddr, IPPROTO_TCP, th, plen) == 0;
	r->sport = (uint16_t)(th[0] << 8 | th[1]);
	r->dport = (uint16_t)(th[2] << 8 | th[3]);
	r->seq = (uint32_t)th[4] << 24 | th[5] << 16 | th[6] << 8 | th[7];
	r->ack = (uint32_t)th[8] << 24 | th[9] << 16 | th[10] << 8 | th[11];
	r->flags = th[13];
	r->win = (uint16_t)(th[14] << 8 | th[15]);
	thl = (th[12] >> 4) * 4u;
	for (i = 20; i + 1 < thl && th[i] != 0;) {
		if (th[i] == 1) {
			i++;
			continue;
		}
		if (th[i + 1] < 2)
			break;
		if (th[i] == 2 && th[i + 1] == 4 && i + 3 < thl)
			r->mss = (uint16_t)(th[i + 2] << 8 | th[i + 3]);
		i += th[i + 1];
	}
	r->len = (uint16_t)(plen > thl ? plen - thl : 0);
	return true;
}

#endif /* SK_FRAMES_H */

/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

/* What the engine harnesses (fuzz_engine.c, fuzz_client.c) share: making a
 * raw frame's checksums right, either family, and reading a response back
 * with the fields the harnesses track. */

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "sk_frames.h"

/* IPv6 extension headers fuzz_fix_cksums() walks to reach TCP or ICMPv6:
 * Hop-by-Hop, Routing, Destination Options, as the parser does. */
#define FUZZ_EXT_MAX 8

static inline void
fuzz_fix4(uint8_t *p, uint16_t n, uint16_t off)
{
	struct rte_ipv4_hdr *ip;
	uint16_t ihl, total;

	if (n < off + sizeof(struct rte_ipv4_hdr))
		return;
	ip = (struct rte_ipv4_hdr *)(p + off);
	ihl = (uint16_t)((ip->version_ihl & 0xf) * 4);
	if (ihl < sizeof(*ip) || n < off + ihl)
		return;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	total = rte_be_to_cpu_16(ip->total_length);
	if (total < ihl || n < off + total)
		return;
	if (ip->next_proto_id == IPPROTO_TCP &&
			total >= ihl + sizeof(struct rte_tcp_hdr)) {
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(p + off + ihl);

		th->cksum = 0;
		th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	} else if (ip->next_proto_id == IPPROTO_ICMP &&
			total >= ihl + sizeof(struct rte_icmp_hdr)) {
		struct rte_icmp_hdr *ih = (struct rte_icmp_hdr *)(p + off + ihl);

		ih->icmp_cksum = 0;
		ih->icmp_cksum = (uint16_t)~rte_raw_cksum(ih, total - ihl);
	}
}

static inline void
fuzz_fix6(uint8_t *p, uint16_t n, uint16_t off)
{
	uint8_t *ip = p + off, nh;
	uint32_t end, l4;
	uint16_t ck;

	if (n < off + 40)
		return;
	end = 40u + (uint32_t)(ip[4] << 8 | ip[5]);
	if (n < off + end)
		return;
	nh = ip[6];
	l4 = 40;
	for (unsigned int k = 0; k < FUZZ_EXT_MAX &&
			(nh == 0 || nh == 43 || nh == 60); k++) {
		if (l4 + 8 > end)
			return;
		nh = ip[l4];
		l4 += (ip[l4 + 1] + 1u) * 8;
	}
	if (l4 > end)
		return;
	if (nh == IPPROTO_TCP && end - l4 >= 20) {
		ip[l4 + 16] = ip[l4 + 17] = 0;
		ck = skt_cksum6(ip + 8, ip + 24, nh, ip + l4, end - l4);
		ip[l4 + 16] = (uint8_t)(ck >> 8);
		ip[l4 + 17] = (uint8_t)ck;
	} else if (nh == IPPROTO_ICMPV6 && end - l4 >= 4) {
		ip[l4 + 2] = ip[l4 + 3] = 0;
		ck = skt_cksum6(ip + 8, ip + 24, nh, ip + l4, end - l4);
		ip[l4 + 2] = (uint8_t)(ck >> 8);
		ip[l4 + 3] = (uint8_t)ck;
	}
}

/* Make the checksums of a raw frame right (IPv4 header and TCP or ICMP;
 * IPv6's TCP or ICMPv6 past its extension headers), where the frame holds
 * what they cover: mutation would hardly ever find them, and every check
 * behind them needs them. */
static inline void
fuzz_fix_cksums(struct rte_mbuf *m)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint16_t n = rte_pktmbuf_data_len(m), off = RTE_ETHER_HDR_LEN;
	uint16_t type;

	if (n < off)
		return;
	type = (uint16_t)(p[12] << 8 | p[13]);
	while (type == RTE_ETHER_TYPE_VLAN && n >= off + 4) {
		type = (uint16_t)(p[off + 2] << 8 | p[off + 3]);
		off += 4;
	}
	if (type == RTE_ETHER_TYPE_IPV4)
		fuzz_fix4(p, n, off);
	else if (type == RTE_ETHER_TYPE_IPV6)
		fuzz_fix6(p, n, off);
}

/* A TCP response, either family. */
struct fuzz_resp {
	bool v6;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t len;
	bool has_ts;
	uint32_t tsval;
};

/* Read a TCP response; abort() when its checksums are wrong (the engine
 * must never send a bad one); false when it is not TCP. */
static inline bool
fuzz_read(const struct rte_mbuf *m, struct fuzz_resp *r)
{
	struct skt_resp r4;
	struct skt_resp6 r6;

	memset(r, 0, sizeof(*r));
	if (skt_read(m, &r4)) {
		if (!r4.ip_ok || !r4.tcp_ok)
			abort();
		r->sport = r4.sport;
		r->dport = r4.dport;
		r->seq = r4.seq;
		r->ack = r4.ack;
		r->flags = r4.flags;
		r->len = r4.len;
		r->has_ts = r4.has_ts;
		r->tsval = r4.tsval;
		return true;
	}
	if (!skt_read6(m, &r6))
		return false;
	if (!r6.tcp_ok)
		abort();
	r->v6 = true;
	r->sport = r6.sport;
	r->dport = r6.dport;
	r->seq = r6.seq;
	r->ack = r6.ack;
	r->flags = r6.flags;
	r->len = r6.len;
	{
		/* the timestamps option, which skt_read6 does not read */
		const uint8_t *b = rte_pktmbuf_mtod(m, const uint8_t *);
		unsigned int l2 = b[12] == 0x81 && b[13] == 0 ? 18 : 14;
		const uint8_t *th = b + l2 + 40;
		unsigned int thl = (th[12] >> 4) * 4u;

		for (unsigned int i = 20; i + 1 < thl && th[i] != 0;) {
			if (th[i] == 1) {
				i++;
				continue;
			}
			if (th[i + 1] < 2)
				break;
			if (th[i] == 8 && th[i + 1] == 10 && i + 10 <= thl) {
				r->has_ts = true;
				r->tsval = (uint32_t)th[i + 2] << 24 |
					th[i + 3] << 16 | th[i + 4] << 8 |
					th[i + 5];
			}
			i += th[i + 1];
		}
	}
	return true;
}

/* The fields of a structured segment from its 8 input bytes @p b, in
 * sequence with what the peer last saw (@p snd_nxt, @p rcv_nxt): flags
 * b[0], seq and ack deltas b[2] and b[4] (x100000 by b[3] bits 0 and 1),
 * payload length b[5] & 63, a timestamps option when b[6] & 1 (TSval
 * moving by b[7] unless its top bit is set, TSecr @p tsecr) written to
 * @p opts (12 bytes). Ports, addresses and payload are the caller's. */
static inline void
fuzz_seg_fields(struct skt_frame *f, const uint8_t *b, uint32_t snd_nxt,
		uint32_t rcv_nxt, uint32_t *tsval, uint32_t tsecr,
		uint8_t *opts)
{
	f->flags = b[0];
	f->seq = snd_nxt + (uint32_t)((int8_t)b[2] * (b[3] & 1 ? 100000 : 1));
	f->ack = rcv_nxt + (uint32_t)((int8_t)b[4] * (b[3] & 2 ? 100000 : 1));
	f->len = b[5] & 63;
	if (b[6] & 1) {
		opts[0] = 1;
		opts[1] = 1;
		opts[2] = 8;
		opts[3] = 10;
		*tsval += b[7] & 0x80 ? 0 : (uint32_t)b[7];
		skt_put32(&opts[4], *tsval);
		skt_put32(&opts[8], tsecr);
		f->opts = opts;
		f->optlen = 12;
	}
}

/* Op "raw frame": a 2-byte length at d[*i], then that many bytes (cut to
 * what is left), into an mbuf; checksums made right when @p fix. NULL at
 * the end of the input. */
static inline struct rte_mbuf *
fuzz_raw_frame(struct rte_mempool *mp, const uint8_t *d, size_t len,
		size_t *i, bool fix)
{
	struct rte_mbuf *m;
	uint16_t n;

	if (*i + 2 > len)
		return NULL;
	n = (uint16_t)(d[*i] | d[*i + 1] << 8) % 1600;
	*i += 2;
	n = (uint16_t)RTE_MIN((size_t)n, len - *i);
	m = rte_pktmbuf_alloc(mp);
	if (m == NULL)
		abort();
	memcpy(rte_pktmbuf_append(m, n ? n : 1), d + *i, n);
	*i += n;
	if (fix)
		fuzz_fix_cksums(m);
	return m;
}

/* A TCP segment of the harness's peer, either family. */
static inline struct rte_mbuf *
fuzz_segment(struct rte_mempool *mp, bool v6, const struct skt_frame *f,
		const uint8_t *saddr6, const uint8_t *daddr6)
{
	struct skt_frame6 f6 = {
		.sport = f->sport, .dport = f->dport, .seq = f->seq,
		.ack = f->ack, .flags = f->flags, .win = f->win,
		.opts = f->opts, .optlen = f->optlen, .data = f->data,
		.len = f->len,
	};

	if (!v6)
		return skt_build(mp, f);
	memcpy(f6.saddr, saddr6, 16);
	memcpy(f6.daddr, daddr6, 16);
	return skt_build6(mp, &f6);
}

#endif /* FUZZ_COMMON_H */

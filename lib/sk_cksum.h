/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SK_CKSUM_H
#define SK_CKSUM_H

/**
 * @file
 * Internet checksum (RFC 1071) over 8 bytes at a time with a 64-bit
 * accumulator and end-around carry. Written here rather than using
 * rte_raw_cksum because DPDK 22.11's adds 16 bits per step: on the
 * 20-byte IPv4 header and 40-60-byte TCP segments of a handshake this one
 * takes about a quarter of the instructions (callgrind, docs/benchmarks.md).
 * Sums of native-order words, as rte_raw_cksum: the folded result is the
 * same.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>

/* One's complement add of a 64-bit word. */
static inline uint64_t
sk_csum_add64(uint64_t sum, uint64_t v)
{
	sum += v;
	return sum + (sum < v);
}

/** Add @p len bytes at @p buf to a running sum. */
static inline uint64_t
sk_csum_add(uint64_t sum, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t v;

	for (; len >= 8; len -= 8, p += 8) {
		memcpy(&v, p, 8);
		sum = sk_csum_add64(sum, v);
	}
	if (len >= 4) {
		uint32_t w;

		memcpy(&w, p, 4);
		sum = sk_csum_add64(sum, w);
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t h;

		memcpy(&h, p, 2);
		sum = sk_csum_add64(sum, h);
		p += 2;
		len -= 2;
	}
	if (len) {  /* odd byte: the first of a 16-bit word, as in memory */
		uint16_t h = 0;

		memcpy(&h, p, 1);
		sum = sk_csum_add64(sum, h);
	}
	return sum;
}

/** Fold a running sum to 16 bits (not complemented): 64 to 32 bits with
 * an end-around carry, then 32 to 16 as the kernel's csum_fold does, by
 * adding the word to itself rotated by 16 (the high half is then the
 * end-around sum of both halves). */
static inline uint16_t
sk_csum_fold(uint64_t sum)
{
	uint32_t lo = (uint32_t)sum, hi = (uint32_t)(sum >> 32);

	lo += hi;
	lo += lo < hi;
	return (uint16_t)((lo + ((lo << 16) | (lo >> 16))) >> 16);
}

/** Sum of the TCP/UDP pseudo header of @p ip for @p l4_len bytes. */
static inline uint64_t
sk_csum_phdr(const struct rte_ipv4_hdr *ip, uint16_t l4_len)
{
	uint64_t sum = (uint64_t)ip->src_addr + ip->dst_addr;

	sum += rte_cpu_to_be_16((uint16_t)ip->next_proto_id);
	sum += rte_cpu_to_be_16(l4_len);
	return sum;
}

/** True when the IPv4 header's checksum is right. */
static inline int
sk_csum_ip_ok(const struct rte_ipv4_hdr *ip, unsigned int ihl)
{
	return sk_csum_fold(sk_csum_add(0, ip, ihl)) == 0xffff;
}

/** Header checksum for an IPv4 header whose hdr_checksum is 0. */
static inline uint16_t
sk_csum_ip(const struct rte_ipv4_hdr *ip)
{
	return (uint16_t)~sk_csum_fold(sk_csum_add(0, ip, sizeof(*ip)));
}

/** True when the TCP/UDP checksum of @p l4_len bytes at @p l4 is right. */
static inline int
sk_csum_l4_ok(const struct rte_ipv4_hdr *ip, const void *l4, uint16_t l4_len)
{
	return sk_csum_fold(sk_csum_add(sk_csum_phdr(ip, l4_len), l4,
			l4_len)) == 0xffff;
}

/** TCP/UDP checksum of @p l4_len bytes whose checksum field is 0. 0 is
 * sent as 0xffff only for UDP; TCP never uses that rule. */
static inline uint16_t
sk_csum_l4(const struct rte_ipv4_hdr *ip, const void *l4, uint16_t l4_len)
{
	return (uint16_t)~sk_csum_fold(sk_csum_add(sk_csum_phdr(ip, l4_len),
			l4, l4_len));
}

/** Sum of the IPv6 pseudo header (RFC 8200 8.1): source, destination,
 * upper-layer length and next header, for @p l4_len bytes. */
static inline uint64_t
sk_csum_phdr6(const uint8_t *src, const uint8_t *dst, uint8_t proto,
		uint32_t l4_len)
{
	uint64_t sum = sk_csum_add(0, src, 16);

	sum = sk_csum_add(sum, dst, 16);
	sum = sk_csum_add64(sum, rte_cpu_to_be_32(l4_len));
	return sk_csum_add64(sum, rte_cpu_to_be_32((uint32_t)proto));
}

/** True when the checksum of @p l4_len bytes at @p l4 over IPv6 is right. */
static inline int
sk_csum_l4_ok6(const struct rte_ipv6_hdr *ip6, uint8_t proto, const void *l4,
		uint32_t l4_len)
{
	return sk_csum_fold(sk_csum_add(sk_csum_phdr6(ip6->src_addr,
			ip6->dst_addr, proto, l4_len), l4, l4_len)) == 0xffff;
}

/** Checksum over IPv6 of @p l4_len bytes whose checksum field is 0. */
static inline uint16_t
sk_csum_l4_6(const struct rte_ipv6_hdr *ip6, uint8_t proto, const void *l4,
		uint32_t l4_len)
{
	return (uint16_t)~sk_csum_fold(sk_csum_add(sk_csum_phdr6(
			ip6->src_addr, ip6->dst_addr, proto, l4_len), l4,
			l4_len));
}

#endif /* SK_CKSUM_H */

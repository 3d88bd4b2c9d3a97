/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SK_SIPHASH_H
#define SK_SIPHASH_H

/**
 * @file
 * SipHash-2-4 (Aumasson & Bernstein, 2012), 64-bit output. DPDK 22.11 has no
 * keyed PRF (rte_hash's CRC and jhash are not keyed MACs), hence this one.
 */

#include <stddef.h>
#include <stdint.h>

/** SipHash-2-4 of @p len bytes at @p in under key (k0, k1), the key's
 * little-endian halves as in the reference implementation. */
uint64_t sk_siphash(uint64_t k0, uint64_t k1, const void *in, size_t len);

/** The same for exactly four 32-bit words (16 bytes, native order), the
 * shape of a cookie input; no length loop. Equal to sk_siphash() over the
 * array { a, b, c, d } as it lies in memory. */
uint64_t sk_siphash_4u32(uint64_t k0, uint64_t k1,
		uint32_t a, uint32_t b, uint32_t c, uint32_t d);

/** The same for exactly six 32-bit words (24 bytes, native order): the
 * cookie MAC input. Equal to sk_siphash() over { a, b, c, d, e, f }. */
uint64_t sk_siphash_6u32(uint64_t k0, uint64_t k1,
		uint32_t a, uint32_t b, uint32_t c, uint32_t d,
		uint32_t e, uint32_t f);

#endif /* SK_SIPHASH_H */

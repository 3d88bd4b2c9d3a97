/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SK_SIPHASH_IMPL_H
#define SK_SIPHASH_IMPL_H

/*
 * Private to sk_siphash*.c: one table of entry points per multi-lane
 * implementation, and the constants they share.
 */

#include <stdint.h>

#include <rte_config.h>

/* "somepseudorandomlygeneratedbytes": v0..v3 = key half ^ these */
#define SK_SIP_C0 UINT64_C(0x736f6d6570736575)
#define SK_SIP_C1 UINT64_C(0x646f72616e646f6d)
#define SK_SIP_C2 UINT64_C(0x6c7967656e657261)
#define SK_SIP_C3 UINT64_C(0x7465646279746573)

/* The last message word of a 16- and a 24-byte message: no tail bytes,
 * the length in the top byte. */
#define SK_SIP_LAST16 ((uint64_t)16 << 56)
#define SK_SIP_LAST24 ((uint64_t)24 << 56)
#define SK_SIP_LAST32 ((uint64_t)32 << 56)

/* Lanes per block of the lanes_16 -> lanes_24_mid state: block b holds
 * v0[8], v1[8], v2[8], v3[8] of lanes 8b..8b+7 (SK_SIPHASH_MID_WORDS). */
#define SK_SIP_MID_BLOCK 8
#define SK_SIP_MID_AT(mid, lane, j) \
	((mid)[((lane) / SK_SIP_MID_BLOCK) * 4 * SK_SIP_MID_BLOCK + \
		(j) * SK_SIP_MID_BLOCK + (lane) % SK_SIP_MID_BLOCK])

struct sk_siphash_ops {
	void (*lanes_16_24)(uint64_t k0, uint64_t k1, const uint64_t *w0,
			const uint64_t *w1, const uint64_t *w2, unsigned int n,
			uint64_t *h16, uint64_t *h24);
	void (*lanes_16)(uint64_t k0, uint64_t k1, const uint64_t *w0,
			const uint64_t *w1, unsigned int n, uint64_t *h16,
			uint64_t *mid);
	void (*lanes_24_mid)(const uint64_t *mid, const uint64_t *w2,
			unsigned int n, uint64_t *h24);
	void (*lanes_32)(uint64_t k0, uint64_t k1, const uint64_t *w0,
			const uint64_t *w1, const uint64_t *w2,
			const uint64_t *w3, unsigned int n, uint64_t *h32);
};

#ifdef RTE_ARCH_X86
extern const struct sk_siphash_ops sk_siphash_ops_avx2x4;
extern const struct sk_siphash_ops sk_siphash_ops_avx512x8;
#endif

#endif /* SK_SIPHASH_IMPL_H */

/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SK_SIPHASH_H
#define SK_SIPHASH_H

/**
 * @file
 * SipHash-2-4 (Aumasson & Bernstein, 2012), 64-bit output. DPDK 22.11 has no
 * keyed PRF (rte_hash's CRC and jhash are not keyed MACs), hence this one.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_byteorder.h>

/** SipHash-2-4 of @p len bytes at @p in under key (k0, k1), the key's
 * little-endian halves as in the reference implementation. */
uint64_t sk_siphash(uint64_t k0, uint64_t k1, const void *in, size_t len);

/** The same for exactly four 32-bit words (16 bytes, native order), the
 * shape of a cookie input; no length loop. Equal to sk_siphash() over the
 * array { a, b, c, d } as it lies in memory. */
uint64_t sk_siphash_4u32(uint64_t k0, uint64_t k1,
		uint32_t a, uint32_t b, uint32_t c, uint32_t d);

/** The same for exactly 32 bytes (an IPv6 address pair); no length
 * loop. Equal to sk_siphash(k0, k1, in, 32). */
uint64_t sk_siphash_32(uint64_t k0, uint64_t k1, const void *in);

/** The same for exactly six 32-bit words (24 bytes, native order): the
 * cookie MAC input. Equal to sk_siphash() over { a, b, c, d, e, f }. */
uint64_t sk_siphash_6u32(uint64_t k0, uint64_t k1,
		uint32_t a, uint32_t b, uint32_t c, uint32_t d,
		uint32_t e, uint32_t f);

/*
 * Multi-lane SipHash-2-4: n messages of 16 or 24 bytes under one key, each
 * message given as 64-bit words in structure-of-arrays form (w0[i], w1[i],
 * w2[i] are lane i's first, second and third word, each the little-endian
 * value of 8 message bytes: sk_siphash_word()). The results are exactly
 * those of sk_siphash() over the same bytes, whatever implementation runs.
 *
 * A 16-byte and a 24-byte message that start with the same 16 bytes share
 * the SipHash state after their first two words; these functions compute
 * it once and finish both hashes from it (18 SipRounds for the pair instead
 * of 22). Where the third word depends on the first hash (the cookie check
 * unmasks before it knows its time counter), sk_siphash_lanes_16() keeps
 * that state in @p mid and sk_siphash_lanes_24_mid() resumes from it.
 *
 * n may be any number, 0 included; only lanes 0..n-1 of each array are read
 * or written. Arrays must not overlap.
 */

/** Implementations of the multi-lane functions. */
enum sk_siphash_impl {
	SK_SIPHASH_IMPL_AUTO = 0,   /**< the best one allowed (see select) */
	SK_SIPHASH_IMPL_SCALAR,     /**< one lane at a time, any CPU */
	SK_SIPHASH_IMPL_AVX2X4,     /**< AVX2, 4 x 64-bit lanes */
	SK_SIPHASH_IMPL_AVX512X8,   /**< AVX-512F, 8 x 64-bit lanes */
	SK_SIPHASH_IMPL_N,
};

/** uint64_t words a lanes_16 -> lanes_24_mid state for @p n lanes takes
 * (the four state words of each lane, in blocks of 8 lanes). */
#define SK_SIPHASH_MID_WORDS(n) (4 * (((size_t)(n) + 7) / 8 * 8))

/** The message word that 32-bit values @p lo, @p hi (native order, as they
 * lie in memory one after the other) make: what sk_siphash() reads from
 * those 8 bytes. */
static inline uint64_t
sk_siphash_word(uint32_t lo, uint32_t hi)
{
	return (uint64_t)rte_cpu_to_le_32(lo) |
		(uint64_t)rte_cpu_to_le_32(hi) << 32;
}

/** For each lane i < n: h16[i] = SipHash_K(w0[i], w1[i]) (16 bytes) and
 * h24[i] = SipHash_K(w0[i], w1[i], w2[i]) (24 bytes). */
void sk_siphash_lanes_16_24(uint64_t k0, uint64_t k1,
		const uint64_t *w0, const uint64_t *w1, const uint64_t *w2,
		unsigned int n, uint64_t *h16, uint64_t *h24);

/** h16[i] = SipHash_K(w0[i], w1[i]), and the state after (w0[i], w1[i])
 * in @p mid (SK_SIPHASH_MID_WORDS(n) words, layout private) for
 * sk_siphash_lanes_24_mid(). */
void sk_siphash_lanes_16(uint64_t k0, uint64_t k1,
		const uint64_t *w0, const uint64_t *w1, unsigned int n,
		uint64_t *h16, uint64_t *mid);

/** h24[i] = SipHash_K(w0[i], w1[i], w2[i]), from the @p mid that
 * sk_siphash_lanes_16() left for the same n lanes (and the same
 * implementation: do not change it in between). */
void sk_siphash_lanes_24_mid(const uint64_t *mid, const uint64_t *w2,
		unsigned int n, uint64_t *h24);

/** h32[i] = SipHash_K(w0[i], w1[i], w2[i], w3[i]) (32 bytes: an IPv6
 * address pair). */
void sk_siphash_lanes_32(uint64_t k0, uint64_t k1, const uint64_t *w0,
		const uint64_t *w1, const uint64_t *w2, const uint64_t *w3,
		unsigned int n, uint64_t *h32);

/**
 * Choose the implementation of the multi-lane functions: the widest one the
 * CPU has (rte_cpu_get_flag_enabled()) within EAL's SIMD limit
 * (rte_vect_get_max_simd_bitwidth(), --force-max-simd-bitwidth; before
 * rte_eal_init() the EAL default applies: 256 bits on x86, so AVX-512 needs
 * --force-max-simd-bitwidth=512). Does nothing while an implementation is
 * forced with sk_siphash_impl_set(). Runs once at load time and again in
 * every sk_cookie_init(), so engines created after rte_eal_init() follow
 * its option. Returns the implementation in use.
 */
enum sk_siphash_impl sk_siphash_impl_select(void);

/** Force @p impl (tests, benchmarks), or SK_SIPHASH_IMPL_AUTO to go back to
 * the automatic choice (which it makes at once). Returns 0, -EINVAL for an
 * unknown value, -ENOTSUP when this CPU or build lacks it. Not for use while
 * another thread hashes. */
int sk_siphash_impl_set(enum sk_siphash_impl impl);

/** Whether this CPU and build can run @p impl (AUTO: always). */
bool sk_siphash_impl_supported(enum sk_siphash_impl impl);

/** The implementation in use (never AUTO). */
enum sk_siphash_impl sk_siphash_impl_get(void);

/** Name of @p impl: "auto", "scalar", "avx2x4", "avx512x8"; NULL when
 * unknown. */
const char *sk_siphash_impl_name(enum sk_siphash_impl impl);

/** Name of the implementation in use, for logs and telemetry. */
const char *sk_siphash_impl_current(void);

/** The implementation called @p name (as sk_siphash_impl_name() spells
 * it), or -EINVAL. */
int sk_siphash_impl_parse(const char *name);

#endif /* SK_SIPHASH_H */

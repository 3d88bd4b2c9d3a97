/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Multi-lane SipHash-2-4 for x86: AVX2 (4 x 64-bit lanes) and AVX-512F
 * (8 lanes). Lane i of every vector is message i; one key for all lanes, so
 * the initial state is four broadcast constants. Each function does exactly
 * what the scalar one in sk_siphash.c does, per lane (the tests compare them
 * bit for bit).
 *
 * The code is compiled for its instruction set with function attributes,
 * not by -march, so the library still builds for any x86-64 level (meson
 * -Dcpu=x86-64-v2) and sk_siphash.c calls it only after checking the CPU
 * flags. Helpers are macros: an always-inline function would have to carry
 * the same target attribute as its caller.
 *
 * Tails (n not a multiple of the lane count) use masked loads and stores,
 * so no lane past n is ever read or written and callers need no padding.
 *
 * Rotations: AVX-512F has a 64-bit rotate (vprolq). AVX2 has none: 32 is a
 * dword shuffle, 16 a byte shuffle, 13, 17 and 21 two shifts and an OR.
 */

#include <stdint.h>

#include <rte_config.h>

#ifdef RTE_ARCH_X86

#include <immintrin.h>

#include "sk_siphash.h"
#include "sk_siphash_impl.h"

#define SIP_ROUND_V(ADD, XOR, ROT, v0, v1, v2, v3) do { \
	v0 = ADD(v0, v1); v1 = ROT(v1, 13); v1 = XOR(v1, v0); \
	v0 = ROT(v0, 32); \
	v2 = ADD(v2, v3); v3 = ROT(v3, 16); v3 = XOR(v3, v2); \
	v0 = ADD(v0, v3); v3 = ROT(v3, 21); v3 = XOR(v3, v0); \
	v2 = ADD(v2, v1); v1 = ROT(v1, 17); v1 = XOR(v1, v2); \
	v2 = ROT(v2, 32); \
} while (0)

/* ---- AVX2: 4 lanes ------------------------------------------------------ */

#define AVX2 __attribute__((target("avx2")))

/* the byte shuffle rotating each 64-bit lane left by 16 bits */
#define A2_ROT16_SHUF _mm256_setr_epi8( \
	6, 7, 0, 1, 2, 3, 4, 5, 14, 15, 8, 9, 10, 11, 12, 13, \
	6, 7, 0, 1, 2, 3, 4, 5, 14, 15, 8, 9, 10, 11, 12, 13)

#define A2_ADD(a, b) _mm256_add_epi64(a, b)
#define A2_XOR(a, b) _mm256_xor_si256(a, b)
#define A2_ROT(x, b) \
	((b) == 32 ? _mm256_shuffle_epi32(x, _MM_SHUFFLE(2, 3, 0, 1)) : \
	 (b) == 16 ? _mm256_shuffle_epi8(x, rot16) : \
	 _mm256_or_si256(_mm256_slli_epi64(x, b), \
		_mm256_srli_epi64(x, 64 - (b))))
#define A2_ROUND(v0, v1, v2, v3) \
	SIP_ROUND_V(A2_ADD, A2_XOR, A2_ROT, v0, v1, v2, v3)

/* absorb message word m: v3 ^= m, 2 SipRounds, v0 ^= m */
#define A2_WORD(v0, v1, v2, v3, m) do { \
	v3 = A2_XOR(v3, m); \
	A2_ROUND(v0, v1, v2, v3); \
	A2_ROUND(v0, v1, v2, v3); \
	v0 = A2_XOR(v0, m); \
} while (0)

/* absorb the length word, finalise, h = v0 ^ v1 ^ v2 ^ v3 */
#define A2_FINAL(h, v0, v1, v2, v3, last) do { \
	A2_WORD(v0, v1, v2, v3, last); \
	v2 = A2_XOR(v2, _mm256_set1_epi64x(0xff)); \
	A2_ROUND(v0, v1, v2, v3); \
	A2_ROUND(v0, v1, v2, v3); \
	A2_ROUND(v0, v1, v2, v3); \
	A2_ROUND(v0, v1, v2, v3); \
	h = A2_XOR(A2_XOR(v0, v1), A2_XOR(v2, v3)); \
} while (0)

/* all-ones in the lanes below rem (rem may exceed 4) */
#define A2_MASK(rem) _mm256_cmpgt_epi64(_mm256_set1_epi64x(rem), \
	_mm256_setr_epi64x(0, 1, 2, 3))
#define A2_LOAD(m, p) _mm256_maskload_epi64((const long long *)(p), m)
#define A2_STORE(m, p, v) _mm256_maskstore_epi64((long long *)(p), m, v)

static AVX2 void
sip_lanes_16_24_avx2(uint64_t k0, uint64_t k1, const uint64_t *w0,
		const uint64_t *w1, const uint64_t *w2, unsigned int n,
		uint64_t *h16, uint64_t *h24)
{
	const __m256i rot16 = A2_ROT16_SHUF;
	const __m256i last16 = _mm256_set1_epi64x((long long)SK_SIP_LAST16);
	const __m256i last24 = _mm256_set1_epi64x((long long)SK_SIP_LAST24);
	const __m256i i0 = _mm256_set1_epi64x((long long)(k0 ^ SK_SIP_C0));
	const __m256i i1 = _mm256_set1_epi64x((long long)(k1 ^ SK_SIP_C1));
	const __m256i i2 = _mm256_set1_epi64x((long long)(k0 ^ SK_SIP_C2));
	const __m256i i3 = _mm256_set1_epi64x((long long)(k1 ^ SK_SIP_C3));

	for (unsigned int i = 0; i < n; i += 4) {
		const __m256i m = A2_MASK((long long)(n - i));
		__m256i a = A2_LOAD(m, w0 + i);
		__m256i b = A2_LOAD(m, w1 + i);
		__m256i c = A2_LOAD(m, w2 + i);
		__m256i v0 = i0, v1 = i1, v2 = i2, v3 = i3;
		__m256i u0, u1, u2, u3, h;

		A2_WORD(v0, v1, v2, v3, a);
		A2_WORD(v0, v1, v2, v3, b);
		u0 = v0;
		u1 = v1;
		u2 = v2;
		u3 = v3;
		A2_FINAL(h, u0, u1, u2, u3, last16);
		A2_STORE(m, h16 + i, h);
		A2_WORD(v0, v1, v2, v3, c);
		A2_FINAL(h, v0, v1, v2, v3, last24);
		A2_STORE(m, h24 + i, h);
	}
}

static AVX2 void
sip_lanes_16_avx2(uint64_t k0, uint64_t k1, const uint64_t *w0,
		const uint64_t *w1, unsigned int n, uint64_t *h16,
		uint64_t *mid)
{
	const __m256i rot16 = A2_ROT16_SHUF;
	const __m256i last16 = _mm256_set1_epi64x((long long)SK_SIP_LAST16);
	const __m256i i0 = _mm256_set1_epi64x((long long)(k0 ^ SK_SIP_C0));
	const __m256i i1 = _mm256_set1_epi64x((long long)(k1 ^ SK_SIP_C1));
	const __m256i i2 = _mm256_set1_epi64x((long long)(k0 ^ SK_SIP_C2));
	const __m256i i3 = _mm256_set1_epi64x((long long)(k1 ^ SK_SIP_C3));

	for (unsigned int i = 0; i < n; i += 4) {
		const __m256i m = A2_MASK((long long)(n - i));
		__m256i a = A2_LOAD(m, w0 + i);
		__m256i b = A2_LOAD(m, w1 + i);
		__m256i v0 = i0, v1 = i1, v2 = i2, v3 = i3;
		__m256i h;

		A2_WORD(v0, v1, v2, v3, a);
		A2_WORD(v0, v1, v2, v3, b);
		/* i is a multiple of 4: these 4 lanes are contiguous */
		A2_STORE(m, &SK_SIP_MID_AT(mid, i, 0), v0);
		A2_STORE(m, &SK_SIP_MID_AT(mid, i, 1), v1);
		A2_STORE(m, &SK_SIP_MID_AT(mid, i, 2), v2);
		A2_STORE(m, &SK_SIP_MID_AT(mid, i, 3), v3);
		A2_FINAL(h, v0, v1, v2, v3, last16);
		A2_STORE(m, h16 + i, h);
	}
}

static AVX2 void
sip_lanes_24_mid_avx2(const uint64_t *mid, const uint64_t *w2,
		unsigned int n, uint64_t *h24)
{
	const __m256i rot16 = A2_ROT16_SHUF;
	const __m256i last24 = _mm256_set1_epi64x((long long)SK_SIP_LAST24);

	for (unsigned int i = 0; i < n; i += 4) {
		const __m256i m = A2_MASK((long long)(n - i));
		__m256i c = A2_LOAD(m, w2 + i);
		__m256i v0 = A2_LOAD(m, &SK_SIP_MID_AT(mid, i, 0));
		__m256i v1 = A2_LOAD(m, &SK_SIP_MID_AT(mid, i, 1));
		__m256i v2 = A2_LOAD(m, &SK_SIP_MID_AT(mid, i, 2));
		__m256i v3 = A2_LOAD(m, &SK_SIP_MID_AT(mid, i, 3));
		__m256i h;

		A2_WORD(v0, v1, v2, v3, c);
		A2_FINAL(h, v0, v1, v2, v3, last24);
		A2_STORE(m, h24 + i, h);
	}
}

static AVX2 void
sip_lanes_32_avx2(uint64_t k0, uint64_t k1, const uint64_t *w0,
		const uint64_t *w1, const uint64_t *w2, const uint64_t *w3,
		unsigned int n, uint64_t *h32)
{
	const __m256i rot16 = A2_ROT16_SHUF;
	const __m256i last32 = _mm256_set1_epi64x((long long)SK_SIP_LAST32);
	const __m256i i0 = _mm256_set1_epi64x((long long)(k0 ^ SK_SIP_C0));
	const __m256i i1 = _mm256_set1_epi64x((long long)(k1 ^ SK_SIP_C1));
	const __m256i i2 = _mm256_set1_epi64x((long long)(k0 ^ SK_SIP_C2));
	const __m256i i3 = _mm256_set1_epi64x((long long)(k1 ^ SK_SIP_C3));

	for (unsigned int i = 0; i < n; i += 4) {
		const __m256i m = A2_MASK((long long)(n - i));
		__m256i a = A2_LOAD(m, w0 + i);
		__m256i b = A2_LOAD(m, w1 + i);
		__m256i c = A2_LOAD(m, w2 + i);
		__m256i d = A2_LOAD(m, w3 + i);
		__m256i v0 = i0, v1 = i1, v2 = i2, v3 = i3;
		__m256i h;

		A2_WORD(v0, v1, v2, v3, a);
		A2_WORD(v0, v1, v2, v3, b);
		A2_WORD(v0, v1, v2, v3, c);
		A2_WORD(v0, v1, v2, v3, d);
		A2_FINAL(h, v0, v1, v2, v3, last32);
		A2_STORE(m, h32 + i, h);
	}
}

const struct sk_siphash_ops sk_siphash_ops_avx2x4 = {
	.lanes_16_24 = sip_lanes_16_24_avx2,
	.lanes_16 = sip_lanes_16_avx2,
	.lanes_24_mid = sip_lanes_24_mid_avx2,
	.lanes_32 = sip_lanes_32_avx2,
};

/* ---- AVX-512F: 8 lanes -------------------------------------------------- */

#define AVX512 __attribute__((target("avx512f")))

#define A5_ADD(a, b) _mm512_add_epi64(a, b)
#define A5_XOR(a, b) _mm512_xor_si512(a, b)
#define A5_ROT(x, b) _mm512_rol_epi64(x, b)
#define A5_ROUND(v0, v1, v2, v3) \
	SIP_ROUND_V(A5_ADD, A5_XOR, A5_ROT, v0, v1, v2, v3)

#define A5_WORD(v0, v1, v2, v3, m) do { \
	v3 = A5_XOR(v3, m); \
	A5_ROUND(v0, v1, v2, v3); \
	A5_ROUND(v0, v1, v2, v3); \
	v0 = A5_XOR(v0, m); \
} while (0)

#define A5_FINAL(h, v0, v1, v2, v3, last) do { \
	A5_WORD(v0, v1, v2, v3, last); \
	v2 = A5_XOR(v2, _mm512_set1_epi64(0xff)); \
	A5_ROUND(v0, v1, v2, v3); \
	A5_ROUND(v0, v1, v2, v3); \
	A5_ROUND(v0, v1, v2, v3); \
	A5_ROUND(v0, v1, v2, v3); \
	/* v0 ^ v1 ^ v2 ^ v3 in one vpternlogq and one vpxorq */ \
	h = A5_XOR(_mm512_ternarylogic_epi64(v0, v1, v2, 0x96), v3); \
} while (0)

#define A5_MASK(rem) ((__mmask8)((rem) >= 8 ? 0xff : (1u << (rem)) - 1))
#define A5_LOAD(m, p) _mm512_maskz_loadu_epi64(m, p)
#define A5_STORE(m, p, v) _mm512_mask_storeu_epi64(p, m, v)

static AVX512 void
sip_lanes_16_24_avx512(uint64_t k0, uint64_t k1, const uint64_t *w0,
		const uint64_t *w1, const uint64_t *w2, unsigned int n,
		uint64_t *h16, uint64_t *h24)
{
	const __m512i last16 = _mm512_set1_epi64((long long)SK_SIP_LAST16);
	const __m512i last24 = _mm512_set1_epi64((long long)SK_SIP_LAST24);
	const __m512i i0 = _mm512_set1_epi64((long long)(k0 ^ SK_SIP_C0));
	const __m512i i1 = _mm512_set1_epi64((long long)(k1 ^ SK_SIP_C1));
	const __m512i i2 = _mm512_set1_epi64((long long)(k0 ^ SK_SIP_C2));
	const __m512i i3 = _mm512_set1_epi64((long long)(k1 ^ SK_SIP_C3));

	for (unsigned int i = 0; i < n; i += 8) {
		const __mmask8 m = A5_MASK(n - i);
		__m512i a = A5_LOAD(m, w0 + i);
		__m512i b = A5_LOAD(m, w1 + i);
		__m512i c = A5_LOAD(m, w2 + i);
		__m512i v0 = i0, v1 = i1, v2 = i2, v3 = i3;
		__m512i u0, u1, u2, u3, h;

		A5_WORD(v0, v1, v2, v3, a);
		A5_WORD(v0, v1, v2, v3, b);
		u0 = v0;
		u1 = v1;
		u2 = v2;
		u3 = v3;
		A5_FINAL(h, u0, u1, u2, u3, last16);
		A5_STORE(m, h16 + i, h);
		A5_WORD(v0, v1, v2, v3, c);
		A5_FINAL(h, v0, v1, v2, v3, last24);
		A5_STORE(m, h24 + i, h);
	}
}

static AVX512 void
sip_lanes_16_avx512(uint64_t k0, uint64_t k1, const uint64_t *w0,
		const uint64_t *w1, unsigned int n, uint64_t *h16,
		uint64_t *mid)
{
	const __m512i last16 = _mm512_set1_epi64((long long)SK_SIP_LAST16);
	const __m512i i0 = _mm512_set1_epi64((long long)(k0 ^ SK_SIP_C0));
	const __m512i i1 = _mm512_set1_epi64((long long)(k1 ^ SK_SIP_C1));
	const __m512i i2 = _mm512_set1_epi64((long long)(k0 ^ SK_SIP_C2));
	const __m512i i3 = _mm512_set1_epi64((long long)(k1 ^ SK_SIP_C3));

	for (unsigned int i = 0; i < n; i += 8) {
		const __mmask8 m = A5_MASK(n - i);
		__m512i a = A5_LOAD(m, w0 + i);
		__m512i b = A5_LOAD(m, w1 + i);
		__m512i v0 = i0, v1 = i1, v2 = i2, v3 = i3;
		__m512i h;

		A5_WORD(v0, v1, v2, v3, a);
		A5_WORD(v0, v1, v2, v3, b);
		/* one block of the mid layout per 8 lanes */
		A5_STORE(m, &SK_SIP_MID_AT(mid, i, 0), v0);
		A5_STORE(m, &SK_SIP_MID_AT(mid, i, 1), v1);
		A5_STORE(m, &SK_SIP_MID_AT(mid, i, 2), v2);
		A5_STORE(m, &SK_SIP_MID_AT(mid, i, 3), v3);
		A5_FINAL(h, v0, v1, v2, v3, last16);
		A5_STORE(m, h16 + i, h);
	}
}

static AVX512 void
sip_lanes_24_mid_avx512(const uint64_t *mid, const uint64_t *w2,
		unsigned int n, uint64_t *h24)
{
	const __m512i last24 = _mm512_set1_epi64((long long)SK_SIP_LAST24);

	for (unsigned int i = 0; i < n; i += 8) {
		const __mmask8 m = A5_MASK(n - i);
		__m512i c = A5_LOAD(m, w2 + i);
		__m512i v0 = A5_LOAD(m, &SK_SIP_MID_AT(mid, i, 0));
		__m512i v1 = A5_LOAD(m, &SK_SIP_MID_AT(mid, i, 1));
		__m512i v2 = A5_LOAD(m, &SK_SIP_MID_AT(mid, i, 2));
		__m512i v3 = A5_LOAD(m, &SK_SIP_MID_AT(mid, i, 3));
		__m512i h;

		A5_WORD(v0, v1, v2, v3, c);
		A5_FINAL(h, v0, v1, v2, v3, last24);
		A5_STORE(m, h24 + i, h);
	}
}

static AVX512 void
sip_lanes_32_avx512(uint64_t k0, uint64_t k1, const uint64_t *w0,
		const uint64_t *w1, const uint64_t *w2, const uint64_t *w3,
		unsigned int n, uint64_t *h32)
{
	const __m512i last32 = _mm512_set1_epi64((long long)SK_SIP_LAST32);
	const __m512i i0 = _mm512_set1_epi64((long long)(k0 ^ SK_SIP_C0));
	const __m512i i1 = _mm512_set1_epi64((long long)(k1 ^ SK_SIP_C1));
	const __m512i i2 = _mm512_set1_epi64((long long)(k0 ^ SK_SIP_C2));
	const __m512i i3 = _mm512_set1_epi64((long long)(k1 ^ SK_SIP_C3));

	for (unsigned int i = 0; i < n; i += 8) {
		const __mmask8 m = A5_MASK(n - i);
		__m512i a = A5_LOAD(m, w0 + i);
		__m512i b = A5_LOAD(m, w1 + i);
		__m512i c = A5_LOAD(m, w2 + i);
		__m512i d = A5_LOAD(m, w3 + i);
		__m512i v0 = i0, v1 = i1, v2 = i2, v3 = i3;
		__m512i h;

		A5_WORD(v0, v1, v2, v3, a);
		A5_WORD(v0, v1, v2, v3, b);
		A5_WORD(v0, v1, v2, v3, c);
		A5_WORD(v0, v1, v2, v3, d);
		A5_FINAL(h, v0, v1, v2, v3, last32);
		A5_STORE(m, h32 + i, h);
	}
}

const struct sk_siphash_ops sk_siphash_ops_avx512x8 = {
	.lanes_16_24 = sip_lanes_16_24_avx512,
	.lanes_16 = sip_lanes_16_avx512,
	.lanes_24_mid = sip_lanes_24_mid_avx512,
	.lanes_32 = sip_lanes_32_avx512,
};

#endif /* RTE_ARCH_X86 */

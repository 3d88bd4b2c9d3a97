/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * SipHash-2-4, after the specification of J.-P. Aumasson and D. J. Bernstein,
 * "SipHash: a fast short-input PRF" (INDOCRYPT 2012), and checked against the
 * 64 test vectors of their reference implementation (tests/unit/
 * test_siphash.c). DPDK 22.11 offers no keyed PRF: rte_hash's CRC32 and
 * jhash are fast table hashes an attacker can invert or collide at will, so
 * they cannot serve as the MAC of a SYN cookie. Hence this file.
 *
 * The state is four 64-bit words initialised from the key (k0, k1); each
 * 8-byte little-endian message word m is absorbed as v3 ^= m, 2 SipRounds,
 * v0 ^= m. The last word holds the remaining 0..7 bytes and the message
 * length mod 256 in its top byte. Finalisation: v2 ^= 0xff, 4 SipRounds,
 * output v0 ^ v1 ^ v2 ^ v3.
 *
 * The multi-lane functions (sk_siphash_lanes_*) hash many fixed-length
 * messages under one key. Their scalar implementation is here; the AVX2 and
 * AVX-512 ones, which run the same steps on 4 or 8 lanes per instruction,
 * are in sk_siphash_x86.c. Which one runs is chosen at run time (CPU flags,
 * EAL's SIMD limit) through a table of entry points, so that one binary
 * built for any x86-64 level uses the vector units the machine has.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_cpuflags.h>
#include <rte_vect.h>

#include "sk_siphash.h"
#include "sk_siphash_impl.h"

#define SIP_ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))

#define SIP_ROUND(v0, v1, v2, v3) do { \
	v0 += v1; v1 = SIP_ROTL(v1, 13); v1 ^= v0; v0 = SIP_ROTL(v0, 32); \
	v2 += v3; v3 = SIP_ROTL(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = SIP_ROTL(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = SIP_ROTL(v1, 17); v1 ^= v2; v2 = SIP_ROTL(v2, 32); \
} while (0)

/* The state, so that the fixed-length variants below share the code. */
struct sip_state {
	uint64_t v0, v1, v2, v3;
};

static __rte_always_inline void
sip_init(struct sip_state *s, uint64_t k0, uint64_t k1)
{
	s->v0 = k0 ^ SK_SIP_C0;
	s->v1 = k1 ^ SK_SIP_C1;
	s->v2 = k0 ^ SK_SIP_C2;
	s->v3 = k1 ^ SK_SIP_C3;
}

/* Absorb one message word: SipHash-2-4 does 2 compression rounds. */
static __rte_always_inline void
sip_word(struct sip_state *s, uint64_t m)
{
	uint64_t v0 = s->v0, v1 = s->v1, v2 = s->v2, v3 = s->v3;

	v3 ^= m;
	SIP_ROUND(v0, v1, v2, v3);
	SIP_ROUND(v0, v1, v2, v3);
	v0 ^= m;
	s->v0 = v0;
	s->v1 = v1;
	s->v2 = v2;
	s->v3 = v3;
}

/* Absorb the last word (tail bytes and length), then 4 finalisation rounds. */
static __rte_always_inline uint64_t
sip_final(struct sip_state *s, uint64_t last)
{
	uint64_t v0, v1, v2, v3;

	sip_word(s, last);
	v0 = s->v0;
	v1 = s->v1;
	v2 = s->v2 ^ 0xff;
	v3 = s->v3;
	SIP_ROUND(v0, v1, v2, v3);
	SIP_ROUND(v0, v1, v2, v3);
	SIP_ROUND(v0, v1, v2, v3);
	SIP_ROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

/* Two native-order 32-bit words as the little-endian 64-bit message word
 * their 8 bytes make in memory (a no-op on little-endian CPUs). */
#define sip_pair sk_siphash_word

uint64_t
sk_siphash(uint64_t k0, uint64_t k1, const void *in, size_t len)
{
	const uint8_t *p = in;
	const uint8_t *end = p + (len & ~(size_t)7);
	struct sip_state s;
	uint64_t last = (uint64_t)len << 56;
	uint64_t m;

	sip_init(&s, k0, k1);
	for (; p != end; p += 8) {
		memcpy(&m, p, sizeof(m));
		sip_word(&s, rte_le_to_cpu_64(m));
	}
	switch (len & 7) {
	case 7:
		last |= (uint64_t)p[6] << 48;
		/* fall through */
	case 6:
		last |= (uint64_t)p[5] << 40;
		/* fall through */
	case 5:
		last |= (uint64_t)p[4] << 32;
		/* fall through */
	case 4:
		last |= (uint64_t)p[3] << 24;
		/* fall through */
	case 3:
		last |= (uint64_t)p[2] << 16;
		/* fall through */
	case 2:
		last |= (uint64_t)p[1] << 8;
		/* fall through */
	case 1:
		last |= (uint64_t)p[0];
		break;
	default:
		break;
	}
	return sip_final(&s, last);
}

uint64_t
sk_siphash_4u32(uint64_t k0, uint64_t k1,
		uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	struct sip_state s;

	sip_init(&s, k0, k1);
	sip_word(&s, sip_pair(a, b));
	sip_word(&s, sip_pair(c, d));
	return sip_final(&s, SK_SIP_LAST16);
}

uint64_t
sk_siphash_32(uint64_t k0, uint64_t k1, const void *in)
{
	const uint8_t *p = in;
	struct sip_state s;
	uint64_t m;

	sip_init(&s, k0, k1);
	for (unsigned int i = 0; i < 32; i += 8) {
		memcpy(&m, p + i, 8);
		sip_word(&s, rte_le_to_cpu_64(m));
	}
	return sip_final(&s, SK_SIP_LAST32);
}

uint64_t
sk_siphash_6u32(uint64_t k0, uint64_t k1,
		uint32_t a, uint32_t b, uint32_t c, uint32_t d,
		uint32_t e, uint32_t f)
{
	struct sip_state s;

	sip_init(&s, k0, k1);
	sip_word(&s, sip_pair(a, b));
	sip_word(&s, sip_pair(c, d));
	sip_word(&s, sip_pair(e, f));
	return sip_final(&s, SK_SIP_LAST24);
}

/*
 * Multi-lane, scalar: the reference the vector versions must match, and the
 * fallback on any CPU. One lane at a time; the state after the two shared
 * words is copied once and finished twice.
 *
 * GCC at -O3 with a wide -march would vectorise the lane loops on its own;
 * that is harmless but would make "scalar" in the benchmark mean something
 * else than one lane at a time, so the loops are kept scalar.
 */
#if defined(__GNUC__) && !defined(__clang__)
#define SIP_NO_VECTORIZE __attribute__((optimize("no-tree-vectorize")))
#else
#define SIP_NO_VECTORIZE
#endif

static SIP_NO_VECTORIZE void
sip_lanes_16_24_scalar(uint64_t k0, uint64_t k1, const uint64_t *w0,
		const uint64_t *w1, const uint64_t *w2, unsigned int n,
		uint64_t *h16, uint64_t *h24)
{
	for (unsigned int i = 0; i < n; i++) {
		struct sip_state s, s16;

		sip_init(&s, k0, k1);
		sip_word(&s, w0[i]);
		sip_word(&s, w1[i]);
		s16 = s;
		h16[i] = sip_final(&s16, SK_SIP_LAST16);
		sip_word(&s, w2[i]);
		h24[i] = sip_final(&s, SK_SIP_LAST24);
	}
}

static SIP_NO_VECTORIZE void
sip_lanes_16_scalar(uint64_t k0, uint64_t k1, const uint64_t *w0,
		const uint64_t *w1, unsigned int n, uint64_t *h16,
		uint64_t *mid)
{
	for (unsigned int i = 0; i < n; i++) {
		struct sip_state s;

		sip_init(&s, k0, k1);
		sip_word(&s, w0[i]);
		sip_word(&s, w1[i]);
		SK_SIP_MID_AT(mid, i, 0) = s.v0;
		SK_SIP_MID_AT(mid, i, 1) = s.v1;
		SK_SIP_MID_AT(mid, i, 2) = s.v2;
		SK_SIP_MID_AT(mid, i, 3) = s.v3;
		h16[i] = sip_final(&s, SK_SIP_LAST16);
	}
}

static SIP_NO_VECTORIZE void
sip_lanes_24_mid_scalar(const uint64_t *mid, const uint64_t *w2,
		unsigned int n, uint64_t *h24)
{
	for (unsigned int i = 0; i < n; i++) {
		struct sip_state s = {
			.v0 = SK_SIP_MID_AT(mid, i, 0),
			.v1 = SK_SIP_MID_AT(mid, i, 1),
			.v2 = SK_SIP_MID_AT(mid, i, 2),
			.v3 = SK_SIP_MID_AT(mid, i, 3),
		};

		sip_word(&s, w2[i]);
		h24[i] = sip_final(&s, SK_SIP_LAST24);
	}
}

static SIP_NO_VECTORIZE void
sip_lanes_32_scalar(uint64_t k0, uint64_t k1, const uint64_t *w0,
		const uint64_t *w1, const uint64_t *w2, const uint64_t *w3,
		unsigned int n, uint64_t *h32)
{
	for (unsigned int i = 0; i < n; i++) {
		struct sip_state s;

		sip_init(&s, k0, k1);
		sip_word(&s, w0[i]);
		sip_word(&s, w1[i]);
		sip_word(&s, w2[i]);
		sip_word(&s, w3[i]);
		h32[i] = sip_final(&s, SK_SIP_LAST32);
	}
}

static const struct sk_siphash_ops sip_ops_scalar = {
	.lanes_16_24 = sip_lanes_16_24_scalar,
	.lanes_16 = sip_lanes_16_scalar,
	.lanes_24_mid = sip_lanes_24_mid_scalar,
	.lanes_32 = sip_lanes_32_scalar,
};

static const char *const sip_impl_names[SK_SIPHASH_IMPL_N] = {
	[SK_SIPHASH_IMPL_AUTO] = "auto",
	[SK_SIPHASH_IMPL_SCALAR] = "scalar",
	[SK_SIPHASH_IMPL_AVX2X4] = "avx2x4",
	[SK_SIPHASH_IMPL_AVX512X8] = "avx512x8",
};

/*
 * The implementation in use. Written at load time, by sk_cookie_init() and
 * by tests, all before (or between) the bursts that read it; the fast path
 * reads it once per call. Relaxed atomics: engines created on several
 * threads at once may all store the same choice.
 */
static const struct sk_siphash_ops *sip_ops = &sip_ops_scalar;
static enum sk_siphash_impl sip_impl = SK_SIPHASH_IMPL_SCALAR;
static bool sip_forced;

static const struct sk_siphash_ops *
sip_impl_ops(enum sk_siphash_impl impl)
{
	switch (impl) {
	case SK_SIPHASH_IMPL_SCALAR:
		return &sip_ops_scalar;
#ifdef RTE_ARCH_X86
	case SK_SIPHASH_IMPL_AVX2X4:
		return &sk_siphash_ops_avx2x4;
	case SK_SIPHASH_IMPL_AVX512X8:
		return &sk_siphash_ops_avx512x8;
#endif
	default:
		return NULL;
	}
}

bool
sk_siphash_impl_supported(enum sk_siphash_impl impl)
{
	switch (impl) {
	case SK_SIPHASH_IMPL_AUTO:
	case SK_SIPHASH_IMPL_SCALAR:
		return true;
#ifdef RTE_ARCH_X86
	case SK_SIPHASH_IMPL_AVX2X4:
		return rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX2) > 0;
	case SK_SIPHASH_IMPL_AVX512X8:
		return rte_cpu_get_flag_enabled(RTE_CPUFLAG_AVX512F) > 0;
#endif
	default:
		return false;
	}
}

static void
sip_use(enum sk_siphash_impl impl)
{
	__atomic_store_n(&sip_ops, sip_impl_ops(impl), __ATOMIC_RELAXED);
	__atomic_store_n(&sip_impl, impl, __ATOMIC_RELAXED);
}

/* The widest implementation the CPU has within EAL's SIMD limit. */
static enum sk_siphash_impl
sip_best(void)
{
	unsigned int bits = rte_vect_get_max_simd_bitwidth();

	/* 0 before rte_eal_init(): the limit EAL will apply by default */
	if (bits == 0)
#ifdef RTE_VECT_DEFAULT_SIMD_BITWIDTH
		bits = RTE_VECT_DEFAULT_SIMD_BITWIDTH;
#else
		bits = RTE_VECT_SIMD_MAX;
#endif
	if (bits >= RTE_VECT_SIMD_512 &&
			sk_siphash_impl_supported(SK_SIPHASH_IMPL_AVX512X8))
		return SK_SIPHASH_IMPL_AVX512X8;
	if (bits >= RTE_VECT_SIMD_256 &&
			sk_siphash_impl_supported(SK_SIPHASH_IMPL_AVX2X4))
		return SK_SIPHASH_IMPL_AVX2X4;
	return SK_SIPHASH_IMPL_SCALAR;
}

enum sk_siphash_impl
sk_siphash_impl_select(void)
{
	if (!__atomic_load_n(&sip_forced, __ATOMIC_RELAXED))
		sip_use(sip_best());
	return sk_siphash_impl_get();
}

RTE_INIT(sk_siphash_impl_init)
{
	sk_siphash_impl_select();
}

int
sk_siphash_impl_set(enum sk_siphash_impl impl)
{
	if ((unsigned int)impl >= SK_SIPHASH_IMPL_N)
		return -EINVAL;
	if (!sk_siphash_impl_supported(impl))
		return -ENOTSUP;
	if (impl == SK_SIPHASH_IMPL_AUTO) {
		__atomic_store_n(&sip_forced, false, __ATOMIC_RELAXED);
		sk_siphash_impl_select();
		return 0;
	}
	__atomic_store_n(&sip_forced, true, __ATOMIC_RELAXED);
	sip_use(impl);
	return 0;
}

enum sk_siphash_impl
sk_siphash_impl_get(void)
{
	return __atomic_load_n(&sip_impl, __ATOMIC_RELAXED);
}

const char *
sk_siphash_impl_name(enum sk_siphash_impl impl)
{
	if ((unsigned int)impl >= SK_SIPHASH_IMPL_N)
		return NULL;
	return sip_impl_names[impl];
}

const char *
sk_siphash_impl_current(void)
{
	return sk_siphash_impl_name(sk_siphash_impl_get());
}

int
sk_siphash_impl_parse(const char *name)
{
	for (unsigned int i = 0; i < SK_SIPHASH_IMPL_N; i++)
		if (name != NULL && strcmp(name, sip_impl_names[i]) == 0)
			return (int)i;
	return -EINVAL;
}

void
sk_siphash_lanes_16_24(uint64_t k0, uint64_t k1, const uint64_t *w0,
		const uint64_t *w1, const uint64_t *w2, unsigned int n,
		uint64_t *h16, uint64_t *h24)
{
	__atomic_load_n(&sip_ops, __ATOMIC_RELAXED)->lanes_16_24(k0, k1, w0,
			w1, w2, n, h16, h24);
}

void
sk_siphash_lanes_16(uint64_t k0, uint64_t k1, const uint64_t *w0,
		const uint64_t *w1, unsigned int n, uint64_t *h16,
		uint64_t *mid)
{
	__atomic_load_n(&sip_ops, __ATOMIC_RELAXED)->lanes_16(k0, k1, w0, w1,
			n, h16, mid);
}

void
sk_siphash_lanes_32(uint64_t k0, uint64_t k1, const uint64_t *w0,
		const uint64_t *w1, const uint64_t *w2, const uint64_t *w3,
		unsigned int n, uint64_t *h32)
{
	__atomic_load_n(&sip_ops, __ATOMIC_RELAXED)->lanes_32(k0, k1, w0, w1,
			w2, w3, n, h32);
}

void
sk_siphash_lanes_24_mid(const uint64_t *mid, const uint64_t *w2,
		unsigned int n, uint64_t *h24)
{
	__atomic_load_n(&sip_ops, __ATOMIC_RELAXED)->lanes_24_mid(mid, w2, n,
			h24);
}

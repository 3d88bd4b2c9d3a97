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
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "sk_siphash.h"

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
	/* "somepseudorandomlygeneratedbytes" */
	s->v0 = k0 ^ UINT64_C(0x736f6d6570736575);
	s->v1 = k1 ^ UINT64_C(0x646f72616e646f6d);
	s->v2 = k0 ^ UINT64_C(0x6c7967656e657261);
	s->v3 = k1 ^ UINT64_C(0x7465646279746573);
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
static __rte_always_inline uint64_t
sip_pair(uint32_t lo, uint32_t hi)
{
	return (uint64_t)rte_cpu_to_le_32(lo) |
		(uint64_t)rte_cpu_to_le_32(hi) << 32;
}

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
	return sip_final(&s, (uint64_t)16 << 56);
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
	return sip_final(&s, (uint64_t)24 << 56);
}

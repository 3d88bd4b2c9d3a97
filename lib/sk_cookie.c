/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * SYN cookies (see docs/cookies.md for the reasoning at more length).
 *
 * Time counter: t = now_s / 64 (SK_COOKIE_TICK_S). A cookie keeps t's low 4
 * bits; the accepted age max_age is 1..15 units (max_age_s rounded up).
 *
 * Keys: the 128-bit master secret M (little-endian halves M0, M1) never
 * touches a packet. Each key epoch e = rotate_s ? now_s / rotate_s : 0 has
 * its own 128-bit key
 *
 *	K_e = ( SipHash_M(LE64(e) || LE64(1)), SipHash_M(LE64(e) || LE64(2)) )
 *
 * (16-byte inputs; the last word is the domain tag: 1 for K_e's first half,
 * 2 for its second). Engines sharing M and a wall clock derive the same
 * keys. When the epoch changes, K_(e-1) stays accepted until
 * e * rotate_s + (max_age + 1) * 64 s: a cookie made with it in the last
 * second of epoch e - 1 has t <= e * rotate_s / 64, so it is too old by then
 * anyway, and no handshake in flight fails across a rotation. Only one
 * previous key is kept, so rotate_s must be at least that grace period.
 *
 * Making a cookie for tuple (saddr, daddr, sport, dport), as the bytes lie
 * in the packet, and client ISN cisn, with K = K_e:
 *
 *	ports = sport | dport << 16             (raw network-order halves)
 *	H1    = SipHash_K(saddr, daddr, ports, cisn)                16 bytes
 *	mask  = H1 & 0xffffffff
 *	ts_off = H1 >> 32     (the flow's TSval offset, RFC 7323 5.4)
 *	H2    = SipHash_K(saddr, daddr, ports, cisn, t, mss_idx)    24 bytes
 *	mac26 = H2 >> 38      (top 26 bits)
 *
 *	 31                           6 5    2 1  0
 *	+------------------------------+------+----+
 *	|            mac26             | t&15 | mss|   plain
 *	+------------------------------+------+----+
 *
 *	ISN = plain ^ mask
 *
 * IPv6: saddr and daddr are the two halves of a 64-bit digest,
 * D = SipHash_A(src6 || dst6) with A = (SipHash_M(LE64(0) || LE64(3)),
 * SipHash_M(LE64(0) || LE64(4))), and everything else is as above. The MSS
 * index points into the IPv6 table (sk_cookie_msstab6).
 *
 * H1 and H2 have different input lengths (the length is hashed), so they
 * are independent PRF outputs. The mask hides t and the MSS index (RFC
 * 6528: nothing in clear, every ISN bit is keyed) and does not depend on t,
 * so the checker can unmask before it knows t. The MAC covers cisn itself:
 * only an ACK with SEG.SEQ == cisn + 1 and SEG.ACK == ISN + 1 validates.
 * Linux's cookie is a sum (H1 + cisn + (count << 24) + (H2 + data) mod
 * 2^24), so an ACK whose sequence is off by a few bytes recovers a shifted
 * data field that is still a valid MSS index, and validates.
 *
 * Checking (cookie = SEG.ACK - 1, cisn = SEG.SEQ - 1), now_t = now_s / 64:
 *
 *	plain  = cookie ^ mask(K)
 *	t_low  = plain >> 2 & 15,  mss_idx = plain & 3
 *	t_full = now_t - ((now_t - t_low) & 15)   (latest t <= now_t with
 *	                                           those low bits)
 *	MAC(K, t_full, mss_idx) != plain >> 6
 *	    -> retry with the previous key if it is still accepted, else
 *	       SK_COOKIE_BAD_MAC
 *	now_t - t_full > max_age -> SK_COOKIE_TOO_OLD
 *	else SK_COOKIE_OK, with mss_idx and ts_off (from that key's H1).
 *
 * A forged cookie passes with probability 2^-26 per try. The context is per
 * lcore and touched by that lcore only: plain fields, no atomics.
 *
 * Bursts: sk_cookie_make_burst() and sk_cookie_check_burst() compute the
 * same values for many SYNs or ACKs with the multi-lane SipHash (4 or 8
 * lanes per instruction where the CPU has AVX2 or AVX-512). H1 and H2 share
 * their first 16 bytes, so both continue from one state after
 * (saddr, daddr, ports, cisn). The check needs H1 (the mask) before it knows
 * t_full and mss_idx: it hashes H1 for all lanes, unmasks, then resumes H2
 * from the kept state; the lanes that fail with the current key are
 * gathered and checked again with the previous one. The single functions
 * above are the reference the tests hold the bursts to.
 */

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_byteorder.h>
#include <rte_common.h>

#include "sk_cookie.h"
#include "sk_siphash.h"

#define COOKIE_MSS_BITS 2       /* bits 0-1: MSS table index */
#define COOKIE_T_SHIFT COOKIE_MSS_BITS
#define COOKIE_T_BITS 4         /* bits 2-5: low bits of t */
#define COOKIE_T_MASK ((1u << COOKIE_T_BITS) - 1)
#define COOKIE_MAC_SHIFT (COOKIE_T_SHIFT + COOKIE_T_BITS)
#define COOKIE_MAC_BITS (32 - COOKIE_MAC_SHIFT)   /* bits 6-31: MAC */

/* Domain tags of the key derivation: one per half of K_e, and one per half
 * of the IPv6 address digest key (derived with epoch 0 whatever the
 * rotation: the digest only stands for the addresses, the MAC that
 * follows is keyed by K_e). */
#define KDF_TAG_K0 1
#define KDF_TAG_K1 2
#define KDF_TAG_A6_0 3
#define KDF_TAG_A6_1 4

static_assert(SK_COOKIE_MSS_N == 1 << COOKIE_MSS_BITS,
	"the MSS index fills its cookie field");
static_assert(SK_COOKIE_MAX_AGE_MAX == COOKIE_T_MASK,
	"ages 0..15 are told apart by the 4 time bits");
static_assert(COOKIE_MAC_BITS == 26, "26-bit MAC");

/*
 * MSS values a cookie can carry, from Linux net/ipv4/syncookies.c
 * (msstab[]), which chose them after S. Alcock and R. Nelson, "An Analysis
 * of TCP Maximum Segment Sizes" (2011): below 536 is rare (< 0.2 %), 1300
 * covers the 1300-1349 range of tunnels and VPNs (15-20 %), 1440 PPPoE and
 * similar, 1460 (Ethernet) is the most common single value. A client's MSS
 * is rounded down to an entry, so we never send more than it accepts.
 */
const uint16_t sk_cookie_msstab[SK_COOKIE_MSS_N] = {
	536, 1300, 1440, 1460,
};

/*
 * The IPv6 table, as Linux net/ipv6/syncookies.c: the IPv6 minimum MTU
 * (1280, RFC 8200 5) less 60 bytes of IPv6 and TCP headers, 1480 (a tunnel
 * in a 1500-byte link), 1500 (Ethernet) and 9000 (jumbo frames), each less
 * 60.
 */
const uint16_t sk_cookie_msstab6[SK_COOKIE_MSS_N] = {
	1220, 1420, 1440, 8940,
};

uint16_t
sk_cookie_mss_value6(unsigned int idx)
{
	return sk_cookie_msstab6[idx & (SK_COOKIE_MSS_N - 1)];
}

uint16_t
sk_cookie_mss_value(unsigned int idx)
{
	return sk_cookie_msstab[idx & (SK_COOKIE_MSS_N - 1)];
}

/* K_e[half] = SipHash_M(LE64(e) || LE64(tag)). */
static uint64_t
cookie_kdf(const uint8_t master[16], uint32_t epoch, uint64_t tag)
{
	uint64_t m0, m1, msg[2];

	memcpy(&m0, master, sizeof(m0));
	memcpy(&m1, master + 8, sizeof(m1));
	msg[0] = rte_cpu_to_le_64((uint64_t)epoch);
	msg[1] = rte_cpu_to_le_64(tag);
	return sk_siphash(rte_le_to_cpu_64(m0), rte_le_to_cpu_64(m1),
			msg, sizeof(msg));
}

static void
cookie_derive(const struct sk_cookie_ctx *c, uint32_t epoch, uint64_t k[2])
{
	k[0] = cookie_kdf(c->master, epoch, KDF_TAG_K0);
	k[1] = cookie_kdf(c->master, epoch, KDF_TAG_K1);
}

/*
 * Set the keys for now_s from scratch: the state is a function of the
 * secret, the settings and now_s only (a clock stepped backwards simply
 * gets that time's keys). Also records the span of seconds over which the
 * state holds, so that sk_cookie_tick() does nothing inside it.
 */
static void
cookie_rekey(struct sk_cookie_ctx *c, uint32_t now_s)
{
	uint32_t grace = (c->max_age + 1) * SK_COOKIE_TICK_S;
	uint32_t e, start;
	uint64_t until;

	if (c->rotate_s == 0) {
		c->epoch = 0;
		cookie_derive(c, 0, c->key[0]);
		c->have_prev = false;
		c->prev_until_s = 0;
		c->span_start_s = 0;
		c->span_len_s = UINT32_MAX;
		return;
	}
	e = now_s / c->rotate_s;
	start = e * c->rotate_s;
	until = (uint64_t)start + grace;
	c->epoch = e;
	cookie_derive(c, e, c->key[0]);
	if (e > 0 && now_s < until) {
		cookie_derive(c, e - 1, c->key[1]);
		c->have_prev = true;
		c->prev_until_s = until > UINT32_MAX ? UINT32_MAX :
			(uint32_t)until;
		c->span_start_s = start;
		c->span_len_s = c->prev_until_s - start;
	} else {
		memset(c->key[1], 0, sizeof(c->key[1]));
		c->have_prev = false;
		c->prev_until_s = 0;
		/* up to the next epoch; start + len may pass 2^32, which the
		 * unsigned difference in sk_cookie_tick() handles */
		c->span_start_s = e > 0 ? start + grace : 0;
		c->span_len_s = c->rotate_s - (c->span_start_s - start);
	}
}

int
sk_cookie_init(struct sk_cookie_ctx *c, const uint8_t secret[16],
		uint32_t rotate_s, uint32_t max_age_s, uint32_t now_s)
{
	uint32_t units;

	if (c == NULL || secret == NULL)
		return -EINVAL;
	if (max_age_s == 0 ||
			max_age_s > SK_COOKIE_MAX_AGE_MAX * SK_COOKIE_TICK_S)
		return -EINVAL;
	units = (max_age_s + SK_COOKIE_TICK_S - 1) / SK_COOKIE_TICK_S;
	/* one previous key is kept: it must be out of use before the next
	 * rotation replaces it */
	if (rotate_s != 0 && rotate_s < (units + 1) * SK_COOKIE_TICK_S)
		return -EINVAL;

	memset(c, 0, sizeof(*c));
	memcpy(c->master, secret, sizeof(c->master));
	sk_siphash_impl_select();
	c->rotate_s = rotate_s;
	c->max_age = units;
	c->key6[0] = cookie_kdf(c->master, 0, KDF_TAG_A6_0);
	c->key6[1] = cookie_kdf(c->master, 0, KDF_TAG_A6_1);
	cookie_rekey(c, now_s);
	return 0;
}

void
sk_cookie_tuple6(const struct sk_cookie_ctx *c, const uint8_t *src,
		const uint8_t *dst, rte_be16_t sport, rte_be16_t dport,
		struct sk_cookie_tuple *t)
{
	uint8_t a[32];
	uint64_t d;

	memcpy(a, src, 16);
	memcpy(a + 16, dst, 16);
	d = sk_siphash_32(c->key6[0], c->key6[1], a);
	t->saddr = (rte_be32_t)d;
	t->daddr = (rte_be32_t)(d >> 32);
	t->sport = sport;
	t->dport = dport;
}

void
sk_cookie_tick(struct sk_cookie_ctx *c, uint32_t now_s)
{
	if (likely((uint32_t)(now_s - c->span_start_s) < c->span_len_s))
		return;
	cookie_rekey(c, now_s);
}

static __rte_always_inline uint32_t
cookie_ports(const struct sk_cookie_tuple *t)
{
	return (uint32_t)t->sport | (uint32_t)t->dport << 16;
}

void
sk_cookie_tuple6_burst(const struct sk_cookie_ctx *c,
		const uint8_t *const *src, const uint8_t *const *dst,
		unsigned int n, struct sk_cookie_tuple *const *t)
{
	uint64_t w[4][SK_COOKIE_BURST_MAX], d[SK_COOKIE_BURST_MAX];

	while (n > 0) {
		unsigned int k = RTE_MIN(n, (unsigned int)SK_COOKIE_BURST_MAX);

		/* the message src || dst as four little-endian words, as
		 * sk_siphash_32() reads it */
		for (unsigned int i = 0; i < k; i++) {
			uint64_t x;

			memcpy(&x, src[i], 8);
			w[0][i] = rte_le_to_cpu_64(x);
			memcpy(&x, src[i] + 8, 8);
			w[1][i] = rte_le_to_cpu_64(x);
			memcpy(&x, dst[i], 8);
			w[2][i] = rte_le_to_cpu_64(x);
			memcpy(&x, dst[i] + 8, 8);
			w[3][i] = rte_le_to_cpu_64(x);
		}
		sk_siphash_lanes_32(c->key6[0], c->key6[1], w[0], w[1], w[2],
				w[3], k, d);
		for (unsigned int i = 0; i < k; i++) {
			t[i]->saddr = (rte_be32_t)d[i];
			t[i]->daddr = (rte_be32_t)(d[i] >> 32);
		}
		src += k;
		dst += k;
		t += k;
		n -= k;
	}
}

/* H1: low half the mask, high half the TSval offset. */
static __rte_always_inline uint64_t
cookie_h1(const uint64_t k[2], const struct sk_cookie_tuple *t, uint32_t cisn)
{
	return sk_siphash_4u32(k[0], k[1], t->saddr, t->daddr,
			cookie_ports(t), cisn);
}

/* mac26: the top bits of H2. */
static __rte_always_inline uint32_t
cookie_mac(const uint64_t k[2], const struct sk_cookie_tuple *t,
		uint32_t cisn, uint32_t t_full, uint32_t mss_idx)
{
	uint64_t h2 = sk_siphash_6u32(k[0], k[1], t->saddr, t->daddr,
			cookie_ports(t), cisn, t_full, mss_idx);

	return (uint32_t)(h2 >> (64 - COOKIE_MAC_BITS));
}

uint32_t
sk_cookie_make(const struct sk_cookie_ctx *c,
		const struct sk_cookie_tuple *t, uint32_t cisn,
		unsigned int mss_idx, uint32_t now_s, uint32_t *ts_off)
{
	uint32_t now_t = now_s / SK_COOKIE_TICK_S;
	uint64_t h1 = cookie_h1(c->key[0], t, cisn);
	uint32_t plain;

	mss_idx &= SK_COOKIE_MSS_N - 1;
	plain = (cookie_mac(c->key[0], t, cisn, now_t, mss_idx) <<
			COOKIE_MAC_SHIFT) |
		((now_t & COOKIE_T_MASK) << COOKIE_T_SHIFT) |
		mss_idx;
	*ts_off = (uint32_t)(h1 >> 32);
	return plain ^ (uint32_t)h1;
}

static enum sk_cookie_result
cookie_check_key(const struct sk_cookie_ctx *c, const uint64_t k[2],
		const struct sk_cookie_tuple *t, uint32_t cisn,
		uint32_t cookie, uint32_t now_t, unsigned int *mss_idx,
		uint32_t *ts_off)
{
	uint64_t h1 = cookie_h1(k, t, cisn);
	uint32_t plain = cookie ^ (uint32_t)h1;
	uint32_t t_low = (plain >> COOKIE_T_SHIFT) & COOKIE_T_MASK;
	uint32_t idx = plain & (SK_COOKIE_MSS_N - 1);
	/* the latest counter value <= now_t whose low bits are t_low */
	uint32_t t_full = now_t - ((now_t - t_low) & COOKIE_T_MASK);

	if (cookie_mac(k, t, cisn, t_full, idx) != plain >> COOKIE_MAC_SHIFT)
		return SK_COOKIE_BAD_MAC;
	if (now_t - t_full > c->max_age)
		return SK_COOKIE_TOO_OLD;
	*mss_idx = idx;
	*ts_off = (uint32_t)(h1 >> 32);
	return SK_COOKIE_OK;
}

enum sk_cookie_result
sk_cookie_check(const struct sk_cookie_ctx *c,
		const struct sk_cookie_tuple *t, uint32_t cisn, uint32_t cookie,
		uint32_t now_s, unsigned int *mss_idx, uint32_t *ts_off)
{
	uint32_t now_t = now_s / SK_COOKIE_TICK_S;
	enum sk_cookie_result r;

	r = cookie_check_key(c, c->key[0], t, cisn, cookie, now_t, mss_idx,
			ts_off);
	if (r == SK_COOKIE_BAD_MAC && c->have_prev && now_s < c->prev_until_s)
		r = cookie_check_key(c, c->key[1], t, cisn, cookie, now_t,
				mss_idx, ts_off);
	return r;
}

/* The first two message words of H1 and H2: (saddr, daddr), (ports, cisn). */
static __rte_always_inline uint64_t
cookie_w0(const struct sk_cookie_tuple *t)
{
	return sk_siphash_word(t->saddr, t->daddr);
}

static __rte_always_inline uint64_t
cookie_w1(const struct sk_cookie_tuple *t, uint32_t cisn)
{
	return sk_siphash_word(cookie_ports(t), cisn);
}

void
sk_cookie_make_burst(const struct sk_cookie_ctx *c,
		const struct sk_cookie_tuple *t, const uint32_t *cisn,
		const uint8_t *mss_idx, unsigned int n, uint32_t now_s,
		uint32_t *isn, uint32_t *ts_off)
{
	uint32_t now_t = now_s / SK_COOKIE_TICK_S;
	uint32_t t_bits = (now_t & COOKIE_T_MASK) << COOKIE_T_SHIFT;
	uint64_t w0[SK_COOKIE_BURST_MAX], w1[SK_COOKIE_BURST_MAX];
	uint64_t w2[SK_COOKIE_BURST_MAX];
	uint64_t h1[SK_COOKIE_BURST_MAX], h2[SK_COOKIE_BURST_MAX];

	while (n > 0) {
		unsigned int m = RTE_MIN(n, (unsigned int)SK_COOKIE_BURST_MAX);
		unsigned int i;

		for (i = 0; i < m; i++) {
			w0[i] = cookie_w0(&t[i]);
			w1[i] = cookie_w1(&t[i], cisn[i]);
			w2[i] = sk_siphash_word(now_t,
					mss_idx[i] & (SK_COOKIE_MSS_N - 1));
		}
		sk_siphash_lanes_16_24(c->key[0][0], c->key[0][1], w0, w1, w2,
				m, h1, h2);
		for (i = 0; i < m; i++) {
			uint32_t mac = (uint32_t)(h2[i] >>
					(64 - COOKIE_MAC_BITS));
			uint32_t plain = mac << COOKIE_MAC_SHIFT | t_bits |
				(mss_idx[i] & (SK_COOKIE_MSS_N - 1));

			isn[i] = plain ^ (uint32_t)h1[i];
			ts_off[i] = (uint32_t)(h1[i] >> 32);
		}
		t += m;
		cisn += m;
		mss_idx += m;
		isn += m;
		ts_off += m;
		n -= m;
	}
}

/*
 * cookie_check_key() for m <= SK_COOKIE_BURST_MAX lanes with key k: res[i],
 * and idx[i], off[i] for the lanes that are OK.
 */
static void
cookie_check_key_burst(const struct sk_cookie_ctx *c, const uint64_t k[2],
		const uint64_t *w0, const uint64_t *w1, const uint32_t *cookie,
		unsigned int m, uint32_t now_t, uint8_t *res, uint8_t *idx,
		uint32_t *off)
{
	uint64_t mid[SK_SIPHASH_MID_WORDS(SK_COOKIE_BURST_MAX)];
	uint64_t h1[SK_COOKIE_BURST_MAX], h2[SK_COOKIE_BURST_MAX];
	uint64_t w2[SK_COOKIE_BURST_MAX];
	uint32_t plain[SK_COOKIE_BURST_MAX], t_full[SK_COOKIE_BURST_MAX];
	unsigned int i;

	sk_siphash_lanes_16(k[0], k[1], w0, w1, m, h1, mid);
	for (i = 0; i < m; i++) {
		uint32_t p = cookie[i] ^ (uint32_t)h1[i];
		uint32_t t_low = (p >> COOKIE_T_SHIFT) & COOKIE_T_MASK;

		plain[i] = p;
		/* the latest counter value <= now_t whose low bits are t_low */
		t_full[i] = now_t - ((now_t - t_low) & COOKIE_T_MASK);
		w2[i] = sk_siphash_word(t_full[i], p & (SK_COOKIE_MSS_N - 1));
	}
	sk_siphash_lanes_24_mid(mid, w2, m, h2);
	for (i = 0; i < m; i++) {
		uint32_t mac = (uint32_t)(h2[i] >> (64 - COOKIE_MAC_BITS));

		if (mac != plain[i] >> COOKIE_MAC_SHIFT) {
			res[i] = SK_COOKIE_BAD_MAC;
		} else if (now_t - t_full[i] > c->max_age) {
			res[i] = SK_COOKIE_TOO_OLD;
		} else {
			res[i] = SK_COOKIE_OK;
			idx[i] = (uint8_t)(plain[i] & (SK_COOKIE_MSS_N - 1));
			off[i] = (uint32_t)(h1[i] >> 32);
		}
	}
}

void
sk_cookie_check_burst(const struct sk_cookie_ctx *c,
		const struct sk_cookie_tuple *t, const uint32_t *cisn,
		const uint32_t *cookie, unsigned int n, uint32_t now_s,
		uint8_t *res, uint8_t *mss_idx, uint32_t *ts_off)
{
	uint32_t now_t = now_s / SK_COOKIE_TICK_S;
	bool prev = c->have_prev && now_s < c->prev_until_s;
	uint64_t w0[SK_COOKIE_BURST_MAX], w1[SK_COOKIE_BURST_MAX];
	/* the lanes retried with the previous key, packed */
	uint64_t r_w0[SK_COOKIE_BURST_MAX], r_w1[SK_COOKIE_BURST_MAX];
	uint32_t r_cookie[SK_COOKIE_BURST_MAX], r_off[SK_COOKIE_BURST_MAX];
	uint8_t r_res[SK_COOKIE_BURST_MAX], r_idx[SK_COOKIE_BURST_MAX];
	uint8_t r_lane[SK_COOKIE_BURST_MAX];

	while (n > 0) {
		unsigned int m = RTE_MIN(n, (unsigned int)SK_COOKIE_BURST_MAX);
		unsigned int i, r = 0;

		for (i = 0; i < m; i++) {
			w0[i] = cookie_w0(&t[i]);
			w1[i] = cookie_w1(&t[i], cisn[i]);
		}
		cookie_check_key_burst(c, c->key[0], w0, w1, cookie, m, now_t,
				res, mss_idx, ts_off);
		if (prev) {
			for (i = 0; i < m; i++) {
				if (res[i] != SK_COOKIE_BAD_MAC)
					continue;
				r_lane[r] = (uint8_t)i;
				r_w0[r] = w0[i];
				r_w1[r] = w1[i];
				r_cookie[r] = cookie[i];
				r++;
			}
		}
		if (r > 0) {
			cookie_check_key_burst(c, c->key[1], r_w0, r_w1,
					r_cookie, r, now_t, r_res, r_idx,
					r_off);
			for (i = 0; i < r; i++) {
				unsigned int l = r_lane[i];

				res[l] = r_res[i];
				if (r_res[i] == SK_COOKIE_OK) {
					mss_idx[l] = r_idx[i];
					ts_off[l] = r_off[i];
				}
			}
		}
		t += m;
		cisn += m;
		cookie += m;
		res += m;
		mss_idx += m;
		ts_off += m;
		n -= m;
	}
}


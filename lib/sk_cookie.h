/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SK_COOKIE_H
#define SK_COOKIE_H

/**
 * @file
 * SYN cookies: the initial sequence number synack sends in a SYN-ACK encodes
 * everything it needs to accept the ACK that follows, so a SYN costs no
 * memory. The layout is documented in sk_cookie.c and docs/cookies.md.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>

/** Number of MSS values a cookie can carry (2 bits). */
#define SK_COOKIE_MSS_N 4
/** Seconds per unit of the cookie time counter (t = now_s / 64). */
#define SK_COOKIE_TICK_S 64
/** Largest accepted age, in time-counter units: the cookie keeps 4 bits of
 * the counter, so ages 0..15 can be told apart. */
#define SK_COOKIE_MAX_AGE_MAX 15

/** What a cookie is computed over: as in the packet, network order. An
 * IPv6 tuple carries a keyed 64-bit digest of its two addresses in saddr
 * and daddr (sk_cookie_tuple6()). */
struct sk_cookie_tuple {
	rte_be32_t saddr;  /**< client address (IPv6: digest, low half) */
	rte_be32_t daddr;  /**< synack's address (IPv6: digest, high half) */
	rte_be16_t sport;  /**< client port */
	rte_be16_t dport;  /**< synack's port */
};

enum sk_cookie_result {
	SK_COOKIE_OK = 0,
	SK_COOKIE_BAD_MAC,   /**< not a cookie of ours for this tuple and ISN */
	SK_COOKIE_TOO_OLD,   /**< ours, but older than the accepted age */
};

/** Keys and clock state of one lcore. Read-only but for rotation, which the
 * owning lcore does itself in sk_cookie_tick(); plain fields, never shared.
 * Everything but master is a function of (master, rotate_s, max_age, the
 * last now_s given), so contexts built from one secret agree. */
struct sk_cookie_ctx {
	uint8_t master[16];     /**< secret the per-epoch keys derive from */
	uint32_t rotate_s;      /**< key lifetime in seconds, 0 = never */
	uint32_t max_age;       /**< accepted age, in time-counter units */
	uint32_t epoch;         /**< current key epoch */
	uint64_t key[2][2];     /**< [current, previous][k0, k1] */
	uint64_t key6[2];       /**< IPv6 address digest key (from master) */
	bool have_prev;         /**< previous key still accepted */
	uint32_t prev_until_s;  /**< ...until this second (exclusive) */
	uint32_t span_start_s;  /**< keys stay as they are while */
	uint32_t span_len_s;    /**< now_s - span_start_s < span_len_s */
};

/** The MSS values a cookie can carry, ascending (sk_cookie.c). */
extern const uint16_t sk_cookie_msstab[SK_COOKIE_MSS_N];

/** MSS table index for a client's MSS: the largest entry <= mss (entry 0
 * when mss is smaller than all). */
static inline unsigned int
sk_cookie_mss_index(uint16_t mss)
{
	/* the table is sorted: count the entries above entry 0 that fit */
	return (mss >= sk_cookie_msstab[1]) + (mss >= sk_cookie_msstab[2]) +
		(mss >= sk_cookie_msstab[3]);
}

/** MSS value of a table index. */
uint16_t sk_cookie_mss_value(unsigned int idx);

/** The MSS values an IPv6 cookie can carry, ascending (sk_cookie.c). */
extern const uint16_t sk_cookie_msstab6[SK_COOKIE_MSS_N];

/** MSS table index for an IPv6 client's MSS (as sk_cookie_mss_index()). */
static inline unsigned int
sk_cookie_mss_index6(uint16_t mss)
{
	return (mss >= sk_cookie_msstab6[1]) + (mss >= sk_cookie_msstab6[2]) +
		(mss >= sk_cookie_msstab6[3]);
}

/** MSS value of an IPv6 table index. */
uint16_t sk_cookie_mss_value6(unsigned int idx);

/**
 * The cookie tuple of an IPv6 segment: @p src and @p dst (16 bytes each,
 * as in the packet) go through SipHash-2-4 keyed with a key derived from
 * the master secret (never rotated, so both ends of a rotation agree), and
 * the 64-bit digest takes the place of the two IPv4 addresses. A cookie
 * minted for one IPv6 tuple validates for another only if their digests
 * collide: 2^-64 for a peer that does not know the secret.
 */
void sk_cookie_tuple6(const struct sk_cookie_ctx *c, const uint8_t *src,
		const uint8_t *dst, rte_be16_t sport, rte_be16_t dport,
		struct sk_cookie_tuple *t);

/** The address digests of @p n IPv6 tuples at once, on the SIMD lanes
 * (sk_siphash_lanes_32()): t[i]->saddr and t[i]->daddr as
 * sk_cookie_tuple6() sets them from src[i] and dst[i]; the ports are left
 * alone. Any n, in steps of SK_COOKIE_BURST_MAX. */
void sk_cookie_tuple6_burst(const struct sk_cookie_ctx *c,
		const uint8_t *const *src, const uint8_t *const *dst,
		unsigned int n, struct sk_cookie_tuple *const *t);

/**
 * Set up @p c from a 128-bit secret. @p rotate_s: key rotation period in
 * seconds (0 = never rotate); @p max_age_s: oldest cookie accepted, seconds
 * (rounded up to whole time-counter units of 64 s, 1 to 15 units).
 * @p now_s: current time in seconds (wall clock, so that engines sharing a
 * secret agree on epochs). The previous epoch's key is set up too when it
 * is still in its grace period, as if @p c had been running all along.
 * Returns 0, or -EINVAL when @p c or @p secret is NULL, when max_age_s is 0
 * or above 15 * 64 s, or when rotate_s is not 0 but shorter than the
 * previous key's grace period ((max_age units + 1) * 64 s), since only one
 * previous key is kept. Also (re)chooses the multi-lane SipHash the burst
 * functions use (sk_siphash_impl_select()), so that an engine set up after
 * rte_eal_init() follows --force-max-simd-bitwidth.
 */
int sk_cookie_init(struct sk_cookie_ctx *c, const uint8_t secret[16],
		uint32_t rotate_s, uint32_t max_age_s, uint32_t now_s);

/** Rotate keys when the epoch changed, and drop the previous key when its
 * grace period ended; one subtraction and one compare when nothing changed.
 * Call it whenever now_s changes, before make/check with that now_s. */
void sk_cookie_tick(struct sk_cookie_ctx *c, uint32_t now_s);

/**
 * Cookie (our ISN) for a SYN from @p t with client ISN @p cisn, carrying
 * MSS index @p mss_idx (its low 2 bits), made with the current key.
 * *ts_off (not NULL) receives the TSval offset for the flow (derived from
 * the same hash as the mask, so the ACK check gives it back).
 */
uint32_t sk_cookie_make(const struct sk_cookie_ctx *c,
		const struct sk_cookie_tuple *t, uint32_t cisn,
		unsigned int mss_idx, uint32_t now_s, uint32_t *ts_off);

/**
 * Check the cookie of a handshake-completing ACK: @p cookie = SEG.ACK - 1,
 * @p cisn = SEG.SEQ - 1. Tries the current key, then the previous one while
 * it is in its grace period. On SK_COOKIE_OK, *mss_idx and *ts_off are set;
 * otherwise they are left alone.
 */
enum sk_cookie_result sk_cookie_check(const struct sk_cookie_ctx *c,
		const struct sk_cookie_tuple *t, uint32_t cisn, uint32_t cookie,
		uint32_t now_s, unsigned int *mss_idx, uint32_t *ts_off);

/** Largest burst the burst functions are sized for (they take any n, in
 * steps of this many). */
#define SK_COOKIE_BURST_MAX 64

/**
 * Cookies for @p n SYNs at once: for each i < n, isn[i] and ts_off[i] are
 * exactly what sk_cookie_make(c, &t[i], cisn[i], mss_idx[i], now_s,
 * &ts_off[i]) gives. The hashing runs on the multi-lane SipHash chosen at
 * start (sk_siphash_impl_select()). Output arrays must not overlap inputs.
 */
void sk_cookie_make_burst(const struct sk_cookie_ctx *c,
		const struct sk_cookie_tuple *t, const uint32_t *cisn,
		const uint8_t *mss_idx, unsigned int n, uint32_t now_s,
		uint32_t *isn, uint32_t *ts_off);

/**
 * Check the cookies of @p n ACKs at once (cookie[i] = SEG.ACK - 1, cisn[i]
 * = SEG.SEQ - 1): for each i < n, res[i] (an enum sk_cookie_result) is what
 * sk_cookie_check() returns for that ACK, previous key included, and on
 * SK_COOKIE_OK mss_idx[i] and ts_off[i] are set; otherwise they are left
 * alone, as sk_cookie_check() leaves its outputs.
 */
void sk_cookie_check_burst(const struct sk_cookie_ctx *c,
		const struct sk_cookie_tuple *t, const uint32_t *cisn,
		const uint32_t *cookie, unsigned int n, uint32_t now_s,
		uint8_t *res, uint8_t *mss_idx, uint32_t *ts_off);

/*
 * TCP options carried in the low 6 bits of the SYN-ACK's TSval when the
 * client sent timestamps (as Linux does): bits 0-3 the client's window
 * scale (15 = none), bit 4 SACK-permitted, bit 5 ECN.
 */
#define SK_TSOPT_BITS 6
#define SK_TSOPT_WSCALE_NONE 0xf
#define SK_TSOPT_SACK 0x10
#define SK_TSOPT_ECN 0x20

/** TSval for a SYN-ACK: @p ts_now with its low bits replaced by @p opts,
 * never greater than ts_now. */
static inline uint32_t
sk_cookie_ts_encode(uint32_t ts_now, unsigned int opts)
{
	const uint32_t mask = (1u << SK_TSOPT_BITS) - 1;
	uint32_t ts = (ts_now & ~mask) | (opts & mask);

	/* never ahead of the clock (wrap-safe), or the peer's PAWS and RTT
	 * samples would see time run backwards later */
	if ((int32_t)(ts - ts_now) > 0)
		ts -= 1u << SK_TSOPT_BITS;
	return ts;
}
/** Options from the TSecr of the completing ACK. */
static inline unsigned int
sk_cookie_ts_decode(uint32_t tsecr)
{
	return tsecr & ((1u << SK_TSOPT_BITS) - 1);
}

#endif /* SK_COOKIE_H */

/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SK_FLOW_H
#define SK_FLOW_H

/**
 * @file
 * Per-lcore flow table: a fixed number of 64-byte entries preallocated at
 * start on one NUMA node, found by a bucketed index with 16-bit signatures.
 * Touched by one lcore only: no locks, no atomics.
 */

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#include "sk_common.h"

/** Most buckets an insert probes from the key's home bucket; beyond,
 * it fails with ENOSPC (counted as a full table). */
#define SK_FLOW_PROBE_MAX 64

/** Index value meaning "no entry". */
#define SK_FLOW_NIL UINT32_MAX

/** The 4-tuple as it sits in the packet, seen from synack: r = remote peer,
 * l = local (one of synack's addresses). 12 bytes, compared as 3 words. */
struct sk_flow_key {
	rte_be32_t raddr;
	rte_be32_t laddr;
	rte_be16_t rport;
	rte_be16_t lport;
};
static_assert(sizeof(struct sk_flow_key) == 12, "flow key is 12 bytes");

/*
 * IPv6 flows share the table with IPv4 ones. Their key keeps the 12-byte
 * shape: raddr holds a fold (CRC32-C) of the peer's address, laddr a fold
 * of ours with its top four bits set, a value no IPv4 address of ours can
 * take (240.0.0.0/4 is refused by the configuration), which marks the key
 * as IPv6. The full addresses live in a side array of 32-byte slots, one
 * per entry, that exists only in a table created with SK_FLOW_F_IPV6; a
 * key matches only when its addresses match too, so folds that collide
 * cost a compare, never a wrong flow. An IPv4 flow costs its 64-byte
 * entry; with IPv6 on, every entry has its slot: 96 bytes a flow, either
 * family, in one shared capacity.
 */
#define SK_FLOW_V6_MARK RTE_BE32(0xf0000000)

/** The addresses of an IPv6 flow (network order). */
struct sk_flow_addr6 {
	uint8_t raddr[16];
	uint8_t laddr[16];
};

static_assert(sizeof(struct sk_flow_addr6) == 32, "two IPv6 addresses");

/** The key of an IPv6 flow: the folded 12-byte key first, then the
 * addresses. A pointer to its k may be given wherever a struct
 * sk_flow_key pointer is taken: the table reads on when k is marked. */
struct sk_flow_key6 {
	struct sk_flow_key k;
	struct sk_flow_addr6 a;
};

static inline bool
sk_flow_key_is_v6(const struct sk_flow_key *k)
{
	return (k->laddr & SK_FLOW_V6_MARK) == SK_FLOW_V6_MARK;
}

/** Fill @p k for the IPv6 tuple (addresses 16 bytes each, network order). */
void sk_flow_key6_make(struct sk_flow_key6 *k, const uint8_t *raddr,
		const uint8_t *laddr, rte_be16_t rport, rte_be16_t lport);

/** Timer wheel links of an entry (see sk_timer.h). Free entries use
 * next as the free-list link. */
struct sk_tlink {
	uint32_t next;
	uint32_t prev;
	uint32_t expire; /**< tick (ms) when due, wrap-safe compare */
};

/* flags */
#define SK_FF_TS      0x01 /**< timestamps in use (RFC 7323) */
#define SK_FF_SACK    0x02 /**< peer sent SACK-permitted */
#define SK_FF_ECN     0x04 /**< ECN negotiated (RFC 3168) */
#define SK_FF_ECE     0x08 /**< CE seen: set ECE until CWR arrives */
#define SK_FF_WSCALE  0x10 /**< window scaling in use */
#define SK_FF_TIMER   0x20 /**< entry is on the timer wheel */

/** One side of a proxied connection: the client's ("outside") or the
 * backend's ("inside") entry; each names the other. Sequence numbers of a
 * side are in its own space; what it sends reaches the other side with
 * seq_add added (and its TSvals with ts_add): a segment from side x to
 * side y gets seq + x.seq_add, ack - y.seq_add, TSval + x.ts_add and
 * TSecr - y.ts_add (docs/proxy.md). */
struct sk_flow_px {
	uint32_t peer;       /* 16: the other side's entry */
	uint32_t seq_add;    /* 20 */
	uint32_t ts_add;     /* 24 */
	uint32_t una;        /* 28: highest sequence of this side's the
				    other has ACKed (its FIN, when SK_PX_FIN,
				    is the one at nxt - 1) */
	uint32_t nxt;        /* 32: highest sequence this side sent, + 1 */
	uint32_t tmp;        /* 36: while connecting (sk_proxy.c) */
	uint16_t park;       /* 40: parked segment's slot + 1, 0 = none */
	uint8_t ws_in;       /* 42: shift of this side's window fields */
	uint8_t ws_to;       /* 43: shift this side reads ours with */
	uint8_t st;          /* 44: SK_PX_* */
	uint8_t be;          /* 45: backend index */
	uint8_t mss_idx;     /* 46: the client's MSS (cookie table index) */
	uint8_t pad;         /* 47 */
};
#define SK_PX_INSIDE     0x01 /**< the backend's side */
#define SK_PX_CONNECTING 0x02 /**< the backend has not answered yet */
#define SK_PX_FIN        0x04 /**< this side sent its FIN (at nxt - 1) */
#define SK_PX_FIN_ACKED  0x08 /**< the other side ACKed it */
#define SK_PX_HDR        0x10 /**< inside: our PROXY protocol header is
				    not ACKed yet */
#define SK_PX_RESOLVING  0x20 /**< outside, connecting: the backend's MAC is
				    not known yet, no SYN sent */

/**
 * One connection, in one cache line. Fields are ordered by use: the key,
 * read by every lookup, first; then what every segment touches.
 */
struct sk_flow {
	struct sk_flow_key key;  /* 0  */
	uint8_t state;           /* 12: enum sk_state */
	uint8_t app;             /* 13: enum sk_app */
	uint8_t flags;           /* 14: SK_FF_* */
	uint8_t retries;         /* 15: retransmissions of our FIN so far */
	union {
		/* an endpoint's connection (every app but proxy) */
		struct {
			uint32_t snd_una;   /* 16: oldest byte we sent not yet ACKed */
			uint32_t snd_nxt;   /* 20: next sequence we send */
			uint32_t rcv_nxt;   /* 24: next sequence we expect */
			uint32_t iss;       /* 28: our initial sequence (the cookie) */
			uint32_t irs;       /* 32: peer's initial sequence */
			uint32_t ts_recent; /* 36: last TSval from the peer (PAWS) */
			uint32_t ts_off;    /* 40: our TSval = ms clock + ts_off */
			uint16_t snd_wnd;   /* 44: peer window field, unscaled */
			uint8_t snd_wscale; /* 46: peer's shift (0..14) */
			uint8_t mss_idx : 2; /* 47: peer MSS, index in the cookie table */
			uint8_t match : 6;  /*     responder's parse progress */
		};
		/* one side of a proxied connection (app proxy, sk_proxy.c):
		 * a relay, which translates what it forwards */
		struct sk_flow_px px;
	};
	struct sk_tlink tl;      /* 48: timer wheel links */
	uint32_t born;           /* 60: tick (ms) when established */
} __rte_aligned(64);
static_assert(sizeof(struct sk_flow) == 64, "flow entry is one cache line");

/** Flow @p f is the backend's side of a proxied connection (its segments
 * go to and come from the backend: a two-arm proxy's inside port). */
static inline bool
sk_flow_px_inside(const struct sk_flow *f)
{
	return f->app == SK_APP_PROXY && (f->px.st & SK_PX_INSIDE);
}

struct sk_flow_table;

/** Largest capacity: entry indices stay below 2^31 (the timer wheel uses
 * the top bit of a link to mark a list head). */
#define SK_FLOW_CAPACITY_MAX (UINT32_C(1) << 31)

/**
 * Hash of a key: CRC32-C of its 12 bytes (three 32-bit words, fixed seed),
 * used for the index and by bulk lookup. The index takes the bucket from
 * the low bits and a 16-bit signature from the high 16 bits.
 *
 * Not keyed: it only spreads flows over the buckets. It gives a peer no
 * say over which lcore holds its flows beyond what RSS already gives, and
 * a flow exists only after a valid SYN cookie, so a peer places entries
 * only from addresses and ports it really owns. CRC is linear, though: a
 * peer with many addresses (a /16 gives 32 free bits) can craft tuples
 * that share one home bucket. A keyed hash (SipHash with a per-run secret,
 * several times the cost of three crc32 instructions) would resist such a
 * bucket-collision flood; here the flood is bounded instead: at most
 * 65535 flows can be pushed past any one bucket (its 16-bit overflow
 * counter), so at most 10 + 65535 share a home bucket; further inserts
 * there get ENOSPC and the table is not corrupted. The price is longer
 * probe chains, so slower lookups, for the flows homed in that stretch of
 * buckets (65545 flows in one home bucket: a chain of 6555 buckets).
 */
uint32_t sk_flow_hash(const struct sk_flow_key *key);

/**
 * Create a table of @p capacity entries on NUMA node @p socket_id
 * (SOCKET_ID_ANY for no preference). Memory comes from libnuma/mmap, not
 * the EAL, so tests and fuzzers can use it without rte_eal_init(). It is
 * one mapping, written in full here (prefaulted, transparent huge pages
 * asked for), so the fast path never takes a page fault.
 * @return the table, or NULL with rte_errno set: EINVAL (capacity 0 or
 * above SK_FLOW_CAPACITY_MAX, or a node libnuma does not know), ENOMEM.
 */
struct sk_flow_table *sk_flow_table_create(uint32_t capacity, int socket_id);

/** Flags of sk_flow_table_create_ex(). */
#define SK_FLOW_F_IPV6 0x1 /**< the table holds IPv6 flows too */
/** never 1 GiB pages, even for a table of 1 GiB or more where the kernel's
 * pool has them (the default takes them: sk_flow.c giga_map()) */
#define SK_FLOW_F_SMALL_PAGES 0x2

/** sk_flow_table_create() with @p flags (SK_FLOW_F_*). */
struct sk_flow_table *sk_flow_table_create_ex(uint32_t capacity,
		int socket_id, unsigned int flags);

/** The addresses of IPv6 flow @p f (sk_flow_key_is_v6(&f->key)). */
const struct sk_flow_addr6 *sk_flow_addr6(const struct sk_flow_table *t,
		const struct sk_flow *f);
void sk_flow_table_free(struct sk_flow_table *t);

/**
 * Look up @p n keys whose hashes (sk_flow_hash) are in @p hash. Works on
 * groups of up to 64 keys in three passes: prefetch every key's bucket,
 * then match signatures and prefetch the first candidate entry, then
 * compare keys. out[i] is the entry or NULL. The same key may appear more
 * than once in a burst.
 */
void sk_flow_lookup_bulk(struct sk_flow_table *t,
		const struct sk_flow_key *const *keys, const uint32_t *hash,
		unsigned int n, struct sk_flow **out);

/** Single lookup, NULL when absent. */
struct sk_flow *sk_flow_lookup(struct sk_flow_table *t,
		const struct sk_flow_key *key, uint32_t hash);

/**
 * Insert @p key, whose hash @p hash must be sk_flow_hash(key) (remove
 * recomputes it). The new entry is zeroed but for the key, state is
 * SK_ST_FREE and must be set by the caller. A full table is refused, never
 * grown; a refused insert changes nothing.
 * @return the entry, or NULL with rte_errno = ENOSPC (table full),
 * EEXIST (key present) or EINVAL (an IPv6 key, and the table was created
 * without SK_FLOW_F_IPV6).
 */
struct sk_flow *sk_flow_insert(struct sk_flow_table *t,
		const struct sk_flow_key *key, uint32_t hash);

/** Remove an entry returned by lookup or insert. The caller has taken it
 * off the timer wheel first. The entry goes back to the free list with
 * state SK_ST_FREE; its other fields are undefined until the next insert. */
void sk_flow_remove(struct sk_flow_table *t, struct sk_flow *f);

/** Entry array base, so the timer wheel can link entries by index. */
struct sk_flow *sk_flow_entries(struct sk_flow_table *t);
uint32_t sk_flow_capacity(const struct sk_flow_table *t);
uint32_t sk_flow_count(const struct sk_flow_table *t);
/** Where the table notes the keys it inserted or removed: bit (hash & 63)
 * of each. Entries never move, so after a bulk lookup only the result
 * for a key whose bit is set may have gone stale; the caller clears the
 * word before the lookup. */
uint64_t *sk_flow_changed(struct sk_flow_table *t);
/** Bytes allocated in all for the table (entries and index). */
size_t sk_flow_memory(const struct sk_flow_table *t);
/** The pages the table lies in: "1G" (hugetlb 1 GiB pages), "THP" (2 MiB
 * transparent huge pages advised, where the kernel has them) or "4K". */
const char *sk_flow_pages(const struct sk_flow_table *t);

/**
 * Validate the whole table, for tests and fuzzers (slow: O(capacity),
 * allocates). Checks that the free list and the index partition the
 * entries, that every indexed entry is found by lookup under its own
 * signature, that no key is indexed twice and that every bucket's overflow
 * counter equals the number of probe chains passing it.
 * @return 0 when consistent, -ENOMEM when the check could not allocate, or
 * another negative number naming the first broken rule (see sk_flow.c).
 */
int sk_flow_table_check(const struct sk_flow_table *t);

static inline uint32_t
sk_flow_index(struct sk_flow_table *t, const struct sk_flow *f)
{
	return (uint32_t)(f - sk_flow_entries(t));
}

#endif /* SK_FLOW_H */

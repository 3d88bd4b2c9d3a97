/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Per-lcore flow table.
 *
 * Memory: one mapping, laid out as
 *
 *	[struct sk_flow_table: 64 B][buckets: nb x 64 B][entries: cap x 64 B]
 *
 * from numa_alloc_onnode() on the lcore's node, or an anonymous mmap when
 * libnuma is unavailable or no node is asked for; a table of 1 GiB or more
 * from 1 GiB pages where the kernel's pool has them (giga_map()).
 * Everything is written at create (the free list, the empty buckets), so
 * the fast path never faults.
 *
 * Index: nb = 2^k buckets of one cache line each, nb about capacity / 8
 * rounded up to a power of two, SK_BKT_SLOTS (10) slots a bucket: the load
 * is at most 0.8 when every entry is in use. A slot holds the high 16 bits
 * of the key's hash (signature) and the entry index; an empty slot has
 * idx == SK_FLOW_NIL. A key's home bucket is hash & (nb - 1).
 *
 * Overflow (as F14's outbound overflow count): when the home bucket is
 * full, insert probes linearly to the next buckets and adds one to the
 * overflow counter of every full bucket it passes. So a lookup can stop at
 * the first bucket whose counter is 0: no key homed earlier was pushed
 * beyond it. Remove finds the entry's slot along the same path and takes
 * one off each counter it passed: no tombstones, and the counters are
 * exact at all times (sk_flow_table_check verifies it). A counter is 16
 * bits; an insert that would take one beyond UINT16_MAX, or that would
 * probe more than SK_FLOW_PROBE_MAX buckets, is refused with ENOSPC. The
 * cap bounds the cost of every lookup even when the hash is attacked (see
 * sk_flow_hash()): crafted keys can fill one neighbourhood of the table,
 * never make lookups walk it all. With random keys at full load the
 * longest chain seen was 35 buckets at 16 M entries.
 *
 * Free entries are chained through tl.next (SK_FLOW_NIL ends the list),
 * state SK_ST_FREE. The list starts in index order, so a lightly used
 * table stays in few pages.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/mman.h>

#include <numa.h>

#include <rte_common.h>
#include <rte_debug.h>
#include <rte_errno.h>
#include <rte_prefetch.h>
#ifdef RTE_ARCH_X86
#include <rte_vect.h>
#endif

#include <rte_hash_crc.h>

#include "sk_flow.h"

#define SK_BKT_SLOTS 10
#define SK_FLOW_HASH_SEED 0x5ac3e11bu  /* any constant: not a secret */
#define SK_FLOW_BULK 64                /* keys per bulk lookup pass */
#define SK_FLOW_HUGE_MIN (2u << 20)    /* madvise(MADV_HUGEPAGE) from 2 MiB */
#define SK_FLOW_GIGA ((size_t)1 << 30) /* 1 GiB pages from 1 GiB of table */
#ifndef MAP_HUGE_1GB
#define MAP_HUGE_1GB (30 << MAP_HUGE_SHIFT)
#endif

/* One cache line of index. */
struct sk_flow_bkt {
	uint16_t sig[SK_BKT_SLOTS];   /* high 16 bits of the hash */
	uint32_t idx[SK_BKT_SLOTS];   /* entry index, SK_FLOW_NIL when empty */
	uint16_t overflow;            /* probe chains passing this bucket */
	uint16_t pad;
} __rte_aligned(64);
static_assert(sizeof(struct sk_flow_bkt) == 64, "bucket is one cache line");
static_assert(offsetof(struct sk_flow_bkt, idx) == 20,
	"idx follows the signatures, 4-byte aligned");
static_assert(offsetof(struct sk_flow_bkt, overflow) == 60,
	"overflow after the slots");

struct sk_flow_table {
	/* read by every lookup */
	struct sk_flow_bkt *bkt;
	struct sk_flow *ent;
	uint32_t mask;       /* buckets - 1 */
	uint32_t count;      /* entries in use */
	/* insert and remove */
	uint32_t free_head;  /* first free entry, SK_FLOW_NIL when full */
	uint32_t capacity;
	uint64_t changed;    /* sk_flow_changed() */
	struct sk_flow_addr6 *a6; /* IPv6 addresses by entry, or NULL */
	/* cold */
	size_t mem_size;     /* the table, this header included; the mapping
				rounded up to 1 GiB when giga */
	bool numa;           /* from numa_alloc_onnode(), else mmap() */
	bool giga;           /* in 1 GiB pages (giga_map()) */
} __rte_cache_aligned;
static_assert(sizeof(struct sk_flow_table) == RTE_CACHE_LINE_SIZE,
	"table header is one cache line");
static_assert(RTE_CACHE_LINE_SIZE == 64, "layout assumes 64-byte lines");

uint32_t
sk_flow_hash(const struct sk_flow_key *key)
{
	uint32_t w[3];
	uint32_t h;

	memcpy(w, key, sizeof(w));
	h = rte_hash_crc_4byte(w[0], SK_FLOW_HASH_SEED);
	h = rte_hash_crc_4byte(w[1], h);
	return rte_hash_crc_4byte(w[2], h);
}

void
sk_flow_key6_make(struct sk_flow_key6 *k, const uint8_t *raddr,
		const uint8_t *laddr, rte_be16_t rport, rte_be16_t lport)
{
	uint64_t r[2], l[2];

	memcpy(k->a.raddr, raddr, 16);
	memcpy(k->a.laddr, laddr, 16);
	/* word by word from aligned copies: an address in a frame lies
	 * anywhere (rte_hash_crc() would load 8 bytes from it as they are).
	 * Not a secret: the addresses are compared in full on a match. */
	memcpy(r, raddr, 16);
	memcpy(l, laddr, 16);
	k->k.raddr = (rte_be32_t)rte_hash_crc_8byte(r[1],
		rte_hash_crc_8byte(r[0], SK_FLOW_HASH_SEED));
	k->k.laddr = (rte_hash_crc_8byte(l[1], rte_hash_crc_8byte(l[0],
		SK_FLOW_HASH_SEED)) & ~SK_FLOW_V6_MARK) | SK_FLOW_V6_MARK;
	k->k.rport = rport;
	k->k.lport = lport;
}

const struct sk_flow_addr6 *
sk_flow_addr6(const struct sk_flow_table *t, const struct sk_flow *f)
{
	return &t->a6[f - t->ent];
}

static inline uint16_t
hash_sig(uint32_t hash)
{
	return (uint16_t)(hash >> 16);
}

static inline bool
key_eq(const struct sk_flow_key *a, const struct sk_flow_key *b)
{
	uint32_t x[3], y[3];

	memcpy(x, a, sizeof(x));
	memcpy(y, b, sizeof(y));
	return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2])) == 0;
}

/* Two IPv6 address pairs equal: four 64-bit compares, no library call. */
static inline bool
addr6_eq(const struct sk_flow_addr6 *a, const struct sk_flow_addr6 *b)
{
	uint64_t x[4], y[4];

	memcpy(x, a, sizeof(x));
	memcpy(y, b, sizeof(y));
	return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) |
		(x[3] ^ y[3])) == 0;
}

/* Slots of @p b whose signature is @p sig: bit 2 * s for slot s. Empty
 * slots have signature 0, so a match must still check idx. */
static inline uint32_t
bkt_match(const struct sk_flow_bkt *b, uint16_t sig)
{
#ifdef RTE_ARCH_X86
	/* slots 0..7 and 2..9: two 16-byte loads inside the line */
	__m128i v = _mm_set1_epi16((short)sig);
	uint32_t lo = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi16(
		_mm_loadu_si128((const __m128i *)(const void *)&b->sig[0]), v));
	uint32_t hi = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi16(
		_mm_loadu_si128((const __m128i *)(const void *)&b->sig[2]), v));

	return (lo | hi << 4) & 0x55555;
#else
	uint32_t m = 0;

	for (unsigned int s = 0; s < SK_BKT_SLOTS; s++)
		m |= (uint32_t)(b->sig[s] == sig) << (2 * s);
	return m;
#endif
}

/* Search bucket @p b for @p key among the slots in @p m (bkt_match). */
static inline struct sk_flow *
bkt_find(const struct sk_flow_table *t, const struct sk_flow_bkt *b,
		uint32_t m, const struct sk_flow_key *key)
{
	while (m != 0) {
		unsigned int s = (unsigned int)__builtin_ctz(m) >> 1;
		uint32_t idx = b->idx[s];

		m &= m - 1;
		if (idx != SK_FLOW_NIL && key_eq(&t->ent[idx].key, key) &&
				(likely(!sk_flow_key_is_v6(key)) ||
				addr6_eq(&t->a6[idx], &((const struct
					sk_flow_key6 *)key)->a)))
			return &t->ent[idx];
	}
	return NULL;
}

/* Probe on from the bucket after @p b0 (whose overflow is not 0). */
static struct sk_flow *
lookup_chain(const struct sk_flow_table *t, const struct sk_flow_key *key,
		uint32_t hash, uint32_t b0)
{
	uint16_t sig = hash_sig(hash);

	for (uint32_t i = 1; i <= t->mask; i++) {
		const struct sk_flow_bkt *b = &t->bkt[(b0 + i) & t->mask];
		struct sk_flow *f = bkt_find(t, b, bkt_match(b, sig), key);

		if (f != NULL)
			return f;
		if (b->overflow == 0)
			break;
	}
	return NULL;
}

struct sk_flow *
sk_flow_lookup(struct sk_flow_table *t, const struct sk_flow_key *key,
		uint32_t hash)
{
	uint32_t b0 = hash & t->mask;
	const struct sk_flow_bkt *b = &t->bkt[b0];
	struct sk_flow *f;

	f = bkt_find(t, b, bkt_match(b, hash_sig(hash)), key);
	if (f != NULL || b->overflow == 0)
		return f;
	return lookup_chain(t, key, hash, b0);
}

void
sk_flow_lookup_bulk(struct sk_flow_table *t,
		const struct sk_flow_key *const *keys, const uint32_t *hash,
		unsigned int n, struct sk_flow **out)
{
	const struct sk_flow_bkt *b[SK_FLOW_BULK];
	uint32_t m[SK_FLOW_BULK];

	while (n > 0) {
		unsigned int k = RTE_MIN(n, (unsigned int)SK_FLOW_BULK);
		unsigned int i;

		/* 1: bring in every home bucket */
		for (i = 0; i < k; i++) {
			b[i] = &t->bkt[hash[i] & t->mask];
			rte_prefetch0(b[i]);
		}
		/* 2: match signatures, bring in the first candidate entry */
		for (i = 0; i < k; i++) {
			m[i] = bkt_match(b[i], hash_sig(hash[i]));
			if (m[i] != 0) {
				unsigned int s = __builtin_ctz(m[i]) >> 1;
				uint32_t idx = b[i]->idx[s];

				if (idx != SK_FLOW_NIL)
					rte_prefetch0(&t->ent[idx]);
			}
		}
		/* 3: compare keys; chains beyond the home bucket are rare */
		for (i = 0; i < k; i++) {
			struct sk_flow *f = bkt_find(t, b[i], m[i], keys[i]);

			if (f == NULL && b[i]->overflow != 0)
				f = lookup_chain(t, keys[i], hash[i],
					hash[i] & t->mask);
			out[i] = f;
		}
		keys += k;
		hash += k;
		out += k;
		n -= k;
	}
}

/* First empty slot of @p b, SK_BKT_SLOTS when full. */
static inline unsigned int
bkt_free(const struct sk_flow_bkt *b)
{
	unsigned int s;

	for (s = 0; s < SK_BKT_SLOTS; s++)
		if (b->idx[s] == SK_FLOW_NIL)
			break;
	return s;
}

struct sk_flow *
sk_flow_insert(struct sk_flow_table *t, const struct sk_flow_key *key,
		uint32_t hash)
{
	uint32_t b0 = hash & t->mask;
	uint16_t sig = hash_sig(hash);
	struct sk_flow_bkt *b, *dst = NULL;
	bool looking = true, blocked = false;
	uint32_t i, dist = 0, idx;
	unsigned int slot = 0;
	const bool v6 = sk_flow_key_is_v6(key);
	struct sk_flow *f;

	if (unlikely(v6) && t->a6 == NULL) {
		rte_errno = EINVAL;
		return NULL;
	}
	if (t->free_head == SK_FLOW_NIL) {
		rte_errno = sk_flow_lookup(t, key, hash) != NULL ?
			EEXIST : ENOSPC;
		return NULL;
	}
	/* The common case first: no chain passes the home bucket and it has
	 * an empty slot. The walk below would end there too, with the same
	 * result, after its loop's bookkeeping (about 35 instructions per
	 * new flow, callgrind). */
	b = &t->bkt[b0];
	if (likely(b->overflow == 0)) {
		if (bkt_find(t, b, bkt_match(b, sig), key) != NULL) {
			rte_errno = EEXIST;
			return NULL;
		}
		slot = bkt_free(b);
		if (likely(slot < SK_BKT_SLOTS)) {
			dst = b;
			goto place;
		}
		slot = 0;
	}
	/*
	 * One walk from the home bucket does both jobs: the lookup (until a
	 * bucket no chain passes) and the search for the first empty slot.
	 * Every full bucket before that slot will count one more chain, so
	 * one already at UINT16_MAX blocks the insert.
	 */
	for (i = 0; i <= t->mask; i++) {
		b = &t->bkt[(b0 + i) & t->mask];
		if (looking) {
			if (bkt_find(t, b, bkt_match(b, sig), key) != NULL) {
				rte_errno = EEXIST;
				return NULL;
			}
			looking = b->overflow != 0;
		}
		if (dst == NULL && !blocked) {
			unsigned int s = bkt_free(b);

			if (s < SK_BKT_SLOTS) {
				dst = b;
				slot = s;
				dist = i;
			} else if (b->overflow == UINT16_MAX ||
					i + 1 >= SK_FLOW_PROBE_MAX) {
				blocked = true;
			}
		}
		if (!looking && (dst != NULL || blocked))
			break;
	}
	if (dst == NULL) {
		rte_errno = ENOSPC;
		return NULL;
	}
	for (i = 0; i < dist; i++)
		t->bkt[(b0 + i) & t->mask].overflow++;
place:
	idx = t->free_head;
	f = &t->ent[idx];
	t->free_head = f->tl.next;
	memset(f, 0, sizeof(*f));
	f->key = *key;
	if (unlikely(v6))
		t->a6[idx] = ((const struct sk_flow_key6 *)key)->a;
	f->state = SK_ST_FREE;
	dst->sig[slot] = sig;
	dst->idx[slot] = idx;
	t->count++;
	t->changed |= UINT64_C(1) << (hash & 63);
	return f;
}

void
sk_flow_remove(struct sk_flow_table *t, struct sk_flow *f)
{
	uint32_t idx = sk_flow_index(t, f);
	uint32_t hash = sk_flow_hash(&f->key), b0 = hash & t->mask;
	uint32_t i, bi;

	RTE_ASSERT(idx < t->capacity);
	RTE_ASSERT(!(f->flags & SK_FF_TIMER));
	for (i = 0; i <= t->mask; i++) {
		struct sk_flow_bkt *b = &t->bkt[(b0 + i) & t->mask];

		for (unsigned int s = 0; s < SK_BKT_SLOTS; s++) {
			if (b->idx[s] != idx)
				continue;
			b->idx[s] = SK_FLOW_NIL;
			b->sig[s] = 0;
			for (bi = 0; bi < i; bi++)
				t->bkt[(b0 + bi) & t->mask].overflow--;
			f->state = SK_ST_FREE;
			f->flags = 0;
			f->tl.next = t->free_head;
			t->free_head = idx;
			t->count--;
			t->changed |= UINT64_C(1) << (hash & 63);
			return;
		}
		if (b->overflow == 0)
			break;
	}
	/* not indexed: a double remove, or not an entry of this table */
	RTE_ASSERT(0);
}

static void
mem_free(void *p, size_t size, bool numa, bool giga)
{
	if (giga)
		munmap(p, RTE_ALIGN_CEIL(size, SK_FLOW_GIGA));
	else if (numa)
		numa_free(p, size);
	else
		munmap(p, size);
}

/* Free 1 GiB pages in the kernel's pool: node @p node's, or the whole
 * pool's for node -1; 0 where the kernel has none or says nothing. */
static unsigned long
giga_free_pages(int node)
{
	char path[128], line[32], *end;
	unsigned long n;
	FILE *f;

	if (node >= 0)
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/"
			"hugepages/hugepages-1048576kB/free_hugepages", node);
	else
		snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/"
			"hugepages-1048576kB/free_hugepages");
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	fclose(f);
	errno = 0;
	n = strtoul(line, &end, 10);
	return errno == 0 && end != line ? n : 0;
}

/*
 * A large table in 1 GiB pages. Every lookup touches a bucket and an entry
 * at random places in the table: at 100 M flows 7 GiB, which 2 MiB pages
 * (transparent huge pages, the advice below) map with 3,600 TLB entries,
 * more than a core's second-level TLB holds (1,536 to 2,048 on recent x86),
 * so most lookups also walk the page tables; 1 GiB pages map it with 7
 * (docs/benchmarks.md, series 4). The kernel never gives an anonymous
 * mapping 1 GiB pages by itself: they come from its hugetlb pool, which the
 * administrator fills (`hugepagesz=1G hugepages=N` on the kernel command
 * line, or nr_hugepages under /sys/kernel/mm/hugepages/hugepages-1048576kB
 * at run time; docs/operations.md). Taken only where the pool (the node's,
 * when a node is asked for: a page fault on a node without one would kill
 * the process) has enough free pages; else NULL, and the caller maps as
 * for a smaller table. @p size is the table's size; the mapping is rounded
 * up to whole pages.
 */
static void *
giga_map(size_t size, int node)
{
	size_t map = RTE_ALIGN_CEIL(size, SK_FLOW_GIGA);
	void *p;

	if (size < SK_FLOW_GIGA || giga_free_pages(node) < map / SK_FLOW_GIGA)
		return NULL;
	p = mmap(NULL, map, PROT_READ | PROT_WRITE, MAP_PRIVATE |
		MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_1GB, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	/* before the first touch, which places the pages */
	if (node >= 0)
		numa_tonode_memory(p, map, node);
	return p;
}

struct sk_flow_table *
sk_flow_table_create(uint32_t capacity, int socket_id)
{
	return sk_flow_table_create_ex(capacity, socket_id, 0);
}

struct sk_flow_table *
sk_flow_table_create_ex(uint32_t capacity, int socket_id, unsigned int flags)
{
	struct sk_flow_table *t;
	uint32_t nb;
	size_t size;
	bool numa = false, giga = false;
	void *p;

	if (capacity == 0 || capacity > SK_FLOW_CAPACITY_MAX) {
		rte_errno = EINVAL;
		return NULL;
	}
	/* 10 slots a bucket: capacity / 8 buckets keep the load <= 0.8 */
	nb = rte_align32pow2((capacity + 7) / 8);
	size = sizeof(*t) + (size_t)nb * sizeof(struct sk_flow_bkt) +
		(size_t)capacity * sizeof(struct sk_flow);
	if (flags & SK_FLOW_F_IPV6)
		size += (size_t)capacity * sizeof(struct sk_flow_addr6);

	if (socket_id >= 0 && numa_available() >= 0 &&
			socket_id > numa_max_node()) {
		rte_errno = EINVAL;
		return NULL;
	}
	if (!(flags & SK_FLOW_F_SMALL_PAGES) &&
			(p = giga_map(size, socket_id >= 0 &&
				numa_available() >= 0 ? socket_id : -1)) != NULL) {
		giga = true;
	} else if (socket_id >= 0 && numa_available() >= 0) {
		p = numa_alloc_onnode(size, socket_id);
		numa = true;
	} else {
		p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			p = NULL;
	}
	if (p == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	/* advice only: a kernel without THP keeps small pages */
	if (!giga && size >= SK_FLOW_HUGE_MIN)
		(void)madvise(p, size, MADV_HUGEPAGE);

	/* writing every line below is also the prefault */
	t = p;
	memset(t, 0, sizeof(*t));
	t->bkt = (struct sk_flow_bkt *)(t + 1);
	t->ent = (struct sk_flow *)(t->bkt + nb);
	t->mask = nb - 1;
	t->capacity = capacity;
	if (flags & SK_FLOW_F_IPV6) {
		t->a6 = (struct sk_flow_addr6 *)(t->ent + capacity);
		memset(t->a6, 0, (size_t)capacity * sizeof(*t->a6));
	}
	t->mem_size = size;
	t->numa = numa;
	t->giga = giga;
	for (uint32_t i = 0; i < nb; i++) {
		struct sk_flow_bkt *b = &t->bkt[i];

		memset(b, 0, sizeof(*b));
		for (unsigned int s = 0; s < SK_BKT_SLOTS; s++)
			b->idx[s] = SK_FLOW_NIL;
	}
	for (uint32_t i = 0; i < capacity; i++) {
		struct sk_flow *f = &t->ent[i];

		memset(f, 0, sizeof(*f));
		f->state = SK_ST_FREE;
		f->tl.next = i + 1 < capacity ? i + 1 : SK_FLOW_NIL;
	}
	t->free_head = 0;
	return t;
}

void
sk_flow_table_free(struct sk_flow_table *t)
{
	if (t == NULL)
		return;
	mem_free(t, t->mem_size, t->numa, t->giga);
}

struct sk_flow *
sk_flow_entries(struct sk_flow_table *t)
{
	return t->ent;
}

uint32_t
sk_flow_capacity(const struct sk_flow_table *t)
{
	return t->capacity;
}

uint32_t
sk_flow_count(const struct sk_flow_table *t)
{
	return t->count;
}

uint64_t *
sk_flow_changed(struct sk_flow_table *t)
{
	return &t->changed;
}

size_t
sk_flow_memory(const struct sk_flow_table *t)
{
	return t->mem_size;
}

const char *
sk_flow_pages(const struct sk_flow_table *t)
{
	if (t->giga)
		return "1G";
	return t->mem_size >= SK_FLOW_HUGE_MIN ? "THP" : "4K";
}

/*
 * Rules checked, in order; the return value names the first broken one:
 *  -1  the free list is longer than capacity, leaves the array or loops
 *  -2  a free entry's state is not SK_ST_FREE
 *  -3  a slot's idx is out of range (not SK_FLOW_NIL, >= capacity)
 *  -4  an entry is both free and indexed, or indexed twice
 *  -5  free entries + indexed entries != capacity, or count is wrong
 *  -6  a slot's signature is not its key's, or an empty slot has one
 *  -7  an overflow counter differs from the chains passing its bucket
 *  -8  an indexed key is not found by lookup (or another entry has it)
 */
int
sk_flow_table_check(const struct sk_flow_table *t)
{
	struct sk_flow_table *tw = (struct sk_flow_table *)(uintptr_t)t;
	uint32_t nb = t->mask + 1;
	uint8_t *seen;     /* 1 free, 2 indexed */
	uint32_t *chains;  /* expected overflow per bucket */
	uint32_t nfree = 0, nused = 0;
	int rc = 0;

	seen = calloc(t->capacity, 1);
	chains = calloc(nb, sizeof(*chains));
	if (seen == NULL || chains == NULL) {
		free(seen);
		free(chains);
		return -ENOMEM;
	}
	for (uint32_t i = t->free_head; i != SK_FLOW_NIL;
			i = t->ent[i].tl.next) {
		if (i >= t->capacity || seen[i] != 0 || nfree >= t->capacity) {
			rc = -1;
			goto out;
		}
		if (t->ent[i].state != SK_ST_FREE) {
			rc = -2;
			goto out;
		}
		seen[i] = 1;
		nfree++;
	}
	for (uint32_t bi = 0; bi < nb; bi++) {
		const struct sk_flow_bkt *b = &t->bkt[bi];

		for (unsigned int s = 0; s < SK_BKT_SLOTS; s++) {
			uint32_t idx = b->idx[s];
			uint32_t h, home;

			if (idx == SK_FLOW_NIL) {
				if (b->sig[s] != 0) {
					rc = -6;
					goto out;
				}
				continue;
			}
			if (idx >= t->capacity) {
				rc = -3;
				goto out;
			}
			if (seen[idx] != 0) {
				rc = -4;
				goto out;
			}
			seen[idx] = 2;
			nused++;
			h = sk_flow_hash(&t->ent[idx].key);
			if (b->sig[s] != hash_sig(h)) {
				rc = -6;
				goto out;
			}
			/* the chain from home to here passes bi - home */
			for (home = h & t->mask; home != bi;
					home = (home + 1) & t->mask)
				chains[home]++;
		}
	}
	if (nfree + nused != t->capacity || nused != t->count) {
		rc = -5;
		goto out;
	}
	for (uint32_t bi = 0; bi < nb; bi++)
		if (chains[bi] != t->bkt[bi].overflow) {
			rc = -7;
			goto out;
		}
	for (uint32_t i = 0; i < t->capacity; i++) {
		const struct sk_flow *f = &t->ent[i];

		struct sk_flow_key6 k6 = { .k = f->key };

		if (seen[i] != 2)
			continue;
		if (sk_flow_key_is_v6(&f->key)) {
			if (t->a6 == NULL) {
				rc = -8;
				goto out;
			}
			k6.a = t->a6[i];
		}
		if (sk_flow_lookup(tw, &k6.k, sk_flow_hash(&f->key)) != f) {
			rc = -8;
			goto out;
		}
	}
out:
	free(seen);
	free(chains);
	return rc;
}

/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Flow table: create's checks, full table, lookups single and in bulk,
 * removal, probe chains of colliding keys, a randomized run against a
 * reference model, a crafted collision flood, and the memory per flow
 * (with rates on 1M entries as TAP comments; they are numbers, not
 * checks). No EAL.
 *
 * SK_TEST_QUICK=1 in the environment (for runs under valgrind) skips the
 * flood (its 2^20-entry table is slow to build under valgrind)
 * and sizes the big table at 2^16; SK_TEST_FLOW_BIG=n sets that size.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <numa.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_errno.h>
#include <rte_memory.h>

#include "sk_flow.h"
#include "sk_test.h"

static uint64_t rng = 0x243f6a8885a308d3ull;

static uint32_t
rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dull) >> 32);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Key number i: a client 10.x.y.z:port to 192.168.1.1:80. */
static struct sk_flow_key
key_of(uint32_t i)
{
	struct sk_flow_key k = {
		.raddr = rte_cpu_to_be_32(0x0a000000 | (i >> 14)),
		.laddr = RTE_BE32(0xc0a80101),
		.rport = rte_cpu_to_be_16((uint16_t)(1024 + (i & 0x3fff))),
		.lport = RTE_BE16(80),
	};

	return k;
}

static struct sk_flow *
ins(struct sk_flow_table *t, const struct sk_flow_key *k)
{
	return sk_flow_insert(t, k, sk_flow_hash(k));
}

static struct sk_flow *
look(struct sk_flow_table *t, const struct sk_flow_key *k)
{
	return sk_flow_lookup(t, k, sk_flow_hash(k));
}

static bool
key_same(const struct sk_flow_key *a, const struct sk_flow_key *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static void
test_create(void)
{
	struct sk_flow_table *t;

	rte_errno = 0;
	t = sk_flow_table_create(0, SOCKET_ID_ANY);
	CHECK(t == NULL && rte_errno == EINVAL, "capacity 0 refused (EINVAL)");
	rte_errno = 0;
	t = sk_flow_table_create(SK_FLOW_CAPACITY_MAX + 1, SOCKET_ID_ANY);
	CHECK(t == NULL && rte_errno == EINVAL,
		"capacity 2^31 + 1 refused (EINVAL)");
	rte_errno = 0;
	t = sk_flow_table_create(UINT32_MAX, SOCKET_ID_ANY);
	CHECK(t == NULL && rte_errno == EINVAL,
		"capacity 2^32 - 1 refused (EINVAL)");

	t = sk_flow_table_create(1, SOCKET_ID_ANY);
	CHECK(t != NULL && sk_flow_capacity(t) == 1 && sk_flow_count(t) == 0,
		"capacity 1 works");
	if (t != NULL) {
		struct sk_flow_key a = key_of(1), b = key_of(2);

		CHECK(ins(t, &a) != NULL && ins(t, &b) == NULL &&
			rte_errno == ENOSPC, "one entry, the second refused");
		sk_flow_table_free(t);
	}
	sk_flow_table_free(NULL);

	if (numa_available() >= 0) {
		t = sk_flow_table_create(1000, 0);
		CHECK(t != NULL && sk_flow_table_check(t) == 0,
			"on NUMA node 0 (libnuma)");
		sk_flow_table_free(t);
		rte_errno = 0;
		t = sk_flow_table_create(1000, numa_max_node() + 1);
		CHECK(t == NULL && rte_errno == EINVAL,
			"node %d that libnuma does not know: EINVAL",
			numa_max_node() + 1);
	} else {
		CHECK(1, "# SKIP no libnuma on this machine");
		CHECK(1, "# SKIP no libnuma on this machine");
	}
}

/* Bulk lookup of keys[0..n) in bursts of @p burst; want[i] the expected
 * result. */
static bool
bulk_ok(struct sk_flow_table *t, const struct sk_flow_key *keys,
		struct sk_flow *const *want, unsigned int n, unsigned int burst)
{
	const struct sk_flow_key *kp[128];
	uint32_t h[128];
	struct sk_flow *got[128];

	for (unsigned int i = 0; i < n; i += burst) {
		unsigned int m = RTE_MIN(burst, n - i);

		for (unsigned int j = 0; j < m; j++) {
			kp[j] = &keys[i + j];
			h[j] = sk_flow_hash(kp[j]);
			got[j] = (struct sk_flow *)(uintptr_t)1;
		}
		sk_flow_lookup_bulk(t, kp, h, m, got);
		for (unsigned int j = 0; j < m; j++)
			if (got[j] != want[i + j])
				return false;
	}
	return true;
}

#define C1 1000u

static void
test_fill(void)
{
	static struct sk_flow_key keys[2 * C1 + 64];
	static struct sk_flow *want[2 * C1 + 64];
	static struct sk_flow *ent[C1];
	struct sk_flow_table *t = sk_flow_table_create(C1, SOCKET_ID_ANY);
	struct sk_flow_key extra = key_of(5000);
	bool ok, found = true, bulk;
	unsigned int n, i;
	uint8_t *snap;
	size_t mem;

	if (t == NULL) {
		CHECK(0, "create %u", C1);
		return;
	}
	ok = true;
	for (i = 0; i < C1; i++) {
		struct sk_flow_key k = key_of(i);

		ent[i] = ins(t, &k);
		if (ent[i] == NULL || !key_same(&ent[i]->key, &k) ||
				ent[i]->state != SK_ST_FREE)
			ok = false;
		else
			ent[i]->state = SK_ST_ESTABLISHED;
	}
	CHECK(ok, "%u inserts up to capacity", C1);
	CHECK_EQ(sk_flow_count(t), C1, "count is capacity");
	CHECK_EQ(sk_flow_table_check(t), 0, "full table consistent");

	/* white box: the table is one mapping of sk_flow_memory() bytes that
	 * starts at t; a refused insert must not write a byte of it */
	mem = sk_flow_memory(t);
	snap = malloc(mem);
	if (snap != NULL) {
		memcpy(snap, t, mem);
		rte_errno = 0;
		CHECK(ins(t, &extra) == NULL && rte_errno == ENOSPC,
			"one more: ENOSPC");
		CHECK(memcmp(snap, t, mem) == 0, "table unchanged by ENOSPC");
		memcpy(snap, t, mem);
		{
			struct sk_flow_key k = key_of(7);

			rte_errno = 0;
			CHECK(ins(t, &k) == NULL && rte_errno == EEXIST,
				"present key: EEXIST");
		}
		CHECK(memcmp(snap, t, mem) == 0, "table unchanged by EEXIST");
		free(snap);
	}
	CHECK(look(t, &extra) == NULL, "refused key not found");
	CHECK_EQ(sk_flow_count(t), C1, "count unchanged");

	for (i = 0; i < C1; i++) {
		struct sk_flow_key k = key_of(i);

		if (look(t, &k) != ent[i])
			found = false;
	}
	CHECK(found, "every key found by lookup, its own entry");

	/* bursts: every key, hits and misses mixed, duplicates */
	n = 0;
	for (i = 0; i < C1; i++) {
		keys[n] = key_of(i);
		want[n++] = ent[i];
		if (i % 3 == 0) {
			keys[n] = key_of(C1 + i);  /* miss */
			want[n++] = NULL;
		}
		if (i % 5 == 0) {
			keys[n] = key_of(i);       /* again, in the same burst */
			want[n++] = ent[i];
		}
	}
	bulk = true;
	for (unsigned int b = 0; b < 5; b++) {
		static const unsigned int bursts[] = { 1, 7, 32, 64, 100 };

		if (!bulk_ok(t, keys, want, n, bursts[b])) {
			printf("# bulk lookup in bursts of %u wrong\n",
				bursts[b]);
			bulk = false;
		}
	}
	CHECK(bulk, "bulk lookup, bursts of 1, 7, 32, 64, 100, %u keys with "
		"misses and repeats", n);
	for (i = 0; i < 64; i++) {
		keys[i] = key_of(42);
		want[i] = ent[42];
	}
	CHECK(bulk_ok(t, keys, want, 64, 64), "one key 64 times in a burst");

	/* remove the even half */
	for (i = 0; i < C1; i += 2) {
		ent[i]->state = SK_ST_FREE;
		sk_flow_remove(t, ent[i]);
	}
	CHECK_EQ(sk_flow_count(t), C1 / 2, "half removed");
	CHECK_EQ(sk_flow_table_check(t), 0, "consistent after removal");
	ok = true;
	for (i = 0; i < C1; i++) {
		struct sk_flow_key k = key_of(i);
		struct sk_flow *f = look(t, &k);

		if (f != (i % 2 ? ent[i] : NULL))
			ok = false;
		keys[i] = k;
		want[i] = i % 2 ? ent[i] : NULL;
	}
	CHECK(ok, "removed keys miss, the others hit");
	CHECK(bulk_ok(t, keys, want, C1, 32), "same in bulk");

	ok = true;
	for (i = 0; i < C1; i += 2) {
		struct sk_flow_key k = key_of(i);

		ent[i] = ins(t, &k);
		if (ent[i] == NULL)
			ok = false;
	}
	CHECK(ok, "re-insert of the removed half");
	CHECK_EQ(sk_flow_count(t), C1, "full again");
	CHECK_EQ(sk_flow_table_check(t), 0, "consistent after re-insert");
	rte_errno = 0;
	CHECK(ins(t, &extra) == NULL && rte_errno == ENOSPC,
		"full again: ENOSPC");

	/* insert hands out a clean entry */
	{
		struct sk_flow *f = ent[1];
		struct sk_flow_key k = f->key;
		struct sk_flow zero;
		uint32_t idx = sk_flow_index(t, f);

		memset(f, 0xa5, sizeof(*f));
		f->key = k;
		f->flags = 0;
		sk_flow_remove(t, f);
		CHECK(f->state == SK_ST_FREE && look(t, &k) == NULL,
			"removed entry: state FREE, not found");
		f = ins(t, &k);
		memset(&zero, 0, sizeof(zero));
		zero.key = k;
		CHECK(f != NULL && sk_flow_index(t, f) == idx &&
			memcmp(f, &zero, sizeof(zero)) == 0,
			"insert zeroes the entry but the key (state FREE)");
	}
	sk_flow_table_free(t);
}

/*
 * Keys whose home bucket is @p home in a table of @p nb buckets (a power
 * of two), starting the search at key number *next.
 */
static unsigned int
colliding(uint32_t nb, uint32_t home, struct sk_flow_key *out,
		unsigned int n, uint32_t *next)
{
	unsigned int got = 0;

	while (got < n) {
		struct sk_flow_key k = key_of((*next)++);

		if ((sk_flow_hash(&k) & (nb - 1)) == home)
			out[got++] = k;
	}
	return got;
}

/* Buckets of a table created with @p capacity: capacity / 8, rounded up
 * to a power of two (sk_flow.c). */
static uint32_t
buckets_of(uint32_t capacity)
{
	uint32_t nb = 1;

	while (nb < (capacity + 7) / 8)
		nb <<= 1;
	return nb;
}

static void
test_collide(void)
{
	const uint32_t cap = 1000, nb = buckets_of(cap);
	static struct sk_flow_key k[1000], o[200];
	static struct sk_flow *f[1000], *g[200];
	static struct sk_flow *want[1000];
	struct sk_flow_table *t = sk_flow_table_create(cap, SOCKET_ID_ANY);
	uint32_t next = 0;
	unsigned int i, n;
	bool ok;

	if (t == NULL) {
		CHECK(0, "create");
		return;
	}
	/* 45 keys homed in the last bucket: the chain wraps to bucket 0..3,
	 * and keys homed in those buckets go after it */
	colliding(nb, nb - 1, k, 45, &next);
	ok = true;
	for (i = 0; i < 45; i++)
		if ((f[i] = ins(t, &k[i])) == NULL)
			ok = false;
	CHECK(ok, "45 keys in one bucket of 10 slots (chain of 5, wrapping)");
	for (i = 0; i < 40; i++) {
		colliding(nb, i / 10, &o[i], 1, &next);
		if ((g[i] = ins(t, &o[i])) == NULL)
			ok = false;
	}
	CHECK(ok, "40 keys homed in the buckets the chain passes");
	CHECK_EQ(sk_flow_table_check(t), 0, "consistent: overflow counters");
	ok = true;
	for (i = 0; i < 45; i++)
		if (look(t, &k[i]) != f[i])
			ok = false;
	for (i = 0; i < 40; i++)
		if (look(t, &o[i]) != g[i])
			ok = false;
	CHECK(ok, "all found through the chain");
	for (i = 0; i < 45; i++)
		want[i] = f[i];
	CHECK(bulk_ok(t, k, want, 45, 64), "all found in bulk");

	/* remove from the middle of the chain, then from its head */
	for (i = 12; i < 30; i += 2)
		sk_flow_remove(t, f[i]);
	for (i = 0; i < 5; i++)
		sk_flow_remove(t, f[i]);
	CHECK_EQ(sk_flow_table_check(t), 0,
		"consistent after removals inside the chain");
	ok = true;
	for (i = 0; i < 45; i++) {
		bool gone = i < 5 || (i >= 12 && i < 30 && i % 2 == 0);

		want[i] = gone ? NULL : f[i];
		if (look(t, &k[i]) != want[i])
			ok = false;
	}
	for (i = 0; i < 40; i++)
		if (look(t, &o[i]) != g[i])
			ok = false;
	CHECK(ok, "removed ones miss, the rest of the chain still hits");
	CHECK(bulk_ok(t, k, want, 45, 7), "same in bulk");
	ok = true;
	for (i = 0; i < 45; i++)
		if (want[i] == NULL && (f[i] = ins(t, &k[i])) == NULL)
			ok = false;
	CHECK(ok && sk_flow_table_check(t) == 0,
		"re-inserted into the holes, consistent");

	/* remove everything: counters back to 0 */
	for (i = 0; i < 45; i++)
		sk_flow_remove(t, f[i]);
	for (i = 0; i < 40; i++)
		sk_flow_remove(t, g[i]);
	CHECK(sk_flow_count(t) == 0 && sk_flow_table_check(t) == 0,
		"empty again, counters back to 0");

	/* the worst case: one home bucket takes the whole probe window */
	colliding(nb, 77 & (nb - 1), k, cap, &next);
	n = RTE_MIN(cap, 10u * SK_FLOW_PROBE_MAX);
	ok = true;
	for (i = 0; i < n; i++)
		if ((f[i] = ins(t, &k[i])) == NULL)
			ok = false;
	CHECK(ok && sk_flow_count(t) == n,
		"%u flows in one home bucket: all inserted", n);
	CHECK(ins(t, &k[n]) == NULL && rte_errno == ENOSPC,
		"one more: ENOSPC, the probe window is full");
	CHECK_EQ(sk_flow_table_check(t), 0, "consistent");
	for (i = 0; i < n; i++)
		want[i] = f[i];
	CHECK(bulk_ok(t, k, want, n, 64), "all found");
	for (i = 0; i < n; i += 3)
		sk_flow_remove(t, f[i]);
	ok = true;
	for (i = 0; i < n; i++) {
		want[i] = i % 3 ? f[i] : NULL;
		if (look(t, &k[i]) != want[i])
			ok = false;
	}
	CHECK(ok && sk_flow_table_check(t) == 0,
		"a third removed along the chain: consistent, lookups right");
	sk_flow_table_free(t);
}

static void
key_xor(struct sk_flow_key *a, const struct sk_flow_key *b)
{
	uint32_t x[3], y[3];

	memcpy(x, a, sizeof(x));
	memcpy(y, b, sizeof(y));
	for (unsigned int i = 0; i < 3; i++)
		x[i] ^= y[i];
	memcpy(a, x, sizeof(x));
}

/*
 * The hash is CRC32-C, linear over GF(2): hash(k ^ d) = hash(k) ^ L(d).
 * Find differences d in the peer's address and port bits with
 * L(d) & (nb - 1) == 0 (the kernel of a 48 x log2(nb) bit matrix), so that
 * every XOR of them keeps a key in its home bucket. This is what a peer
 * who knows the (unkeyed) hash can do; the table must refuse cleanly.
 */
static unsigned int
collision_basis(uint32_t nb, struct sk_flow_key *basis, unsigned int max)
{
	struct sk_flow_key zero, piv_key[32];
	uint32_t piv_val[32];
	unsigned int npiv = 0, nbasis = 0;
	uint32_t h0;

	memset(&zero, 0, sizeof(zero));
	h0 = sk_flow_hash(&zero);
	for (unsigned int bit = 0; bit < 48 && nbasis < max; bit++) {
		struct sk_flow_key d = zero;
		uint8_t *b = (uint8_t *)&d;
		uint32_t v;

		/* bits 0..31: raddr, 32..47: rport */
		b[bit < 32 ? bit / 8 : 8 + (bit - 32) / 8] = 1 << (bit % 8);
		v = (sk_flow_hash(&d) ^ h0) & (nb - 1);
		for (unsigned int p = 0; p < npiv; p++)
			if ((v ^ piv_val[p]) < v) {
				v ^= piv_val[p];
				key_xor(&d, &piv_key[p]);
			}
		if (v == 0) {
			basis[nbasis++] = d;
		} else {
			/* keep pivots sorted by top bit, highest first */
			unsigned int p = npiv++;

			while (p > 0 && piv_val[p - 1] < v) {
				piv_val[p] = piv_val[p - 1];
				piv_key[p] = piv_key[p - 1];
				p--;
			}
			piv_val[p] = v;
			piv_key[p] = d;
		}
	}
	return nbasis;
}

/* Key number @p j of the family k0 ^ span(basis). */
static struct sk_flow_key
family_key(const struct sk_flow_key *k0, const struct sk_flow_key *basis,
		uint32_t j)
{
	struct sk_flow_key k = *k0;

	for (unsigned int i = 0; j != 0; i++, j >>= 1)
		if (j & 1)
			key_xor(&k, &basis[i]);
	return k;
}

/*
 * A collision flood: keys crafted to share one home bucket of a 2^20-entry
 * table. They fill the SK_FLOW_PROBE_MAX buckets from home (10 slots
 * each); the next is refused with ENOSPC and changes nothing, other
 * buckets still take flows, lookups never walk further.
 */
static void
test_flood(void)
{
	const uint32_t cap = 1u << 20, nb = buckets_of(cap);
	struct sk_flow_key basis[24], k0 = key_of(123456), k;
	struct sk_flow_table *t = sk_flow_table_create(cap, SOCKET_ID_ANY);
	uint32_t home = sk_flow_hash(&k0) & (nb - 1), j;
	unsigned int nbasis = collision_basis(nb, basis, RTE_DIM(basis));
	bool same = true;
	double t0;
	uint8_t *snap;

	if (t == NULL) {
		CHECK(0, "create");
		return;
	}
	CHECK(nbasis >= 17, "%u independent colliding differences", nbasis);
	for (j = 0; j < 4096; j++) {
		k = family_key(&k0, basis, j);
		if ((sk_flow_hash(&k) & (nb - 1)) != home)
			same = false;
	}
	CHECK(same, "their span stays in one home bucket");

	t0 = now_s();
	for (j = 0; j < 70000; j++) {
		k = family_key(&k0, basis, j);
		if (ins(t, &k) == NULL)
			break;
	}
	CHECK_EQ(j, 10 * SK_FLOW_PROBE_MAX,
		"one home bucket takes 10 x SK_FLOW_PROBE_MAX flows (%.1f s)",
		now_s() - t0);
	CHECK_EQ(rte_errno, ENOSPC, "then ENOSPC: the probe cap");
	CHECK_EQ(sk_flow_table_check(t), 0, "consistent");
	snap = malloc(sk_flow_memory(t));
	if (snap != NULL) {
		memcpy(snap, t, sk_flow_memory(t));
		k = family_key(&k0, basis, j + 1);
		CHECK(ins(t, &k) == NULL && memcmp(snap, t,
			sk_flow_memory(t)) == 0, "refused again, nothing written");
		free(snap);
	}
	/* a flow homed far from the chain */
	for (j = 0; ; j++) {
		k = key_of(j);
		if (((sk_flow_hash(&k) - home) & (nb - 1)) > nb / 2)
			break;
	}
	CHECK(ins(t, &k) != NULL, "a flow homed elsewhere still goes in");
	CHECK(look(t, &k0) != NULL, "the flood's flows are found");
	sk_flow_table_free(t);
}

/*
 * Random inserts, removes and lookups against a reference model (entry per
 * key, or none). Keys from a universe larger than the table so that the
 * table fills; in @p collide mode the keys fall in a few home buckets.
 */
static void
test_random(unsigned int ops, bool collide)
{
	const uint32_t cap = 2000, nkeys = 4000, nb = buckets_of(cap);
	static struct sk_flow_key keys[4000];
	static struct sk_flow *ref[4000];
	struct sk_flow_table *t = sk_flow_table_create(cap, SOCKET_ID_ANY);
	unsigned int bad_ins = 0, bad_rm = 0, bad_look = 0, bad_count = 0;
	unsigned int bad_check = 0, nfull = 0, nexist = 0, nwindow = 0;
	uint32_t count = 0, next = 1000000;

	if (t == NULL) {
		CHECK(0, "create");
		return;
	}
	for (uint32_t i = 0; i < nkeys; i++) {
		if (collide)
			colliding(nb, (i % 16) * 5, &keys[i], 1, &next);
		else
			keys[i] = key_of(rnd());
		ref[i] = NULL;
	}
	/* key_of(rnd()) may repeat a key: make the universe distinct */
	for (uint32_t i = 0; i < nkeys; i++)
		for (uint32_t j = 0; j < i && !collide; j++)
			if (key_same(&keys[i], &keys[j])) {
				keys[i] = key_of(0x3fffffff - i);
				break;
			}

	for (unsigned int op = 0; op < ops; op++) {
		uint32_t i = rnd() % nkeys;
		unsigned int what = rnd() % 10;
		struct sk_flow *f;

		/* 5 inserts for 3 removes: the table fills, ENOSPC comes */
		if (what < 5) {
			rte_errno = 0;
			f = ins(t, &keys[i]);
			if (ref[i] != NULL) {
				nexist++;
				if (f != NULL || rte_errno != EEXIST)
					bad_ins++;
			} else if (count == cap) {
				nfull++;
				if (f != NULL || rte_errno != ENOSPC)
					bad_ins++;
			} else if (f == NULL) {
				/* colliding keys may fill their probe window
				 * (SK_FLOW_PROBE_MAX) before the table */
				if (collide && rte_errno == ENOSPC)
					nwindow++;
				else
					bad_ins++;
			} else {
				f->state = SK_ST_ESTABLISHED;
				f->iss = i;  /* tag: the entry must keep it */
				ref[i] = f;
				count++;
			}
		} else if (what < 8) {
			if (ref[i] != NULL) {
				if (look(t, &keys[i]) != ref[i])
					bad_rm++;
				sk_flow_remove(t, ref[i]);
				ref[i] = NULL;
				count--;
			}
		} else {
			f = look(t, &keys[i]);
			if (f != ref[i] || (f != NULL && f->iss != i))
				bad_look++;
		}
		if (sk_flow_count(t) != count)
			bad_count++;
		if (op % 20000 == 0 && sk_flow_table_check(t) != 0)
			bad_check++;
	}
	CHECK(bad_ins == 0, "%u ops%s: inserts as the model (%u EEXIST, "
		"%u ENOSPC, %u probe window full)", ops,
		collide ? " on 16 home buckets" : "", nexist, nfull, nwindow);
	CHECK_EQ(bad_rm, 0, "removes as the model");
	CHECK_EQ(bad_look, 0, "lookups as the model, entries keep their data");
	CHECK_EQ(bad_count, 0, "sk_flow_count as the model");
	CHECK_EQ(bad_check, 0, "consistent along the way");
	CHECK_EQ(sk_flow_table_check(t), 0, "consistent at the end");
	{
		const struct sk_flow_key *kp[64];
		uint32_t h[64];
		struct sk_flow *got[64];
		bool ok = true;

		for (uint32_t i = 0; i < nkeys; i += 64) {
			unsigned int m = RTE_MIN(64u, nkeys - i);

			for (unsigned int j = 0; j < m; j++) {
				kp[j] = &keys[i + j];
				h[j] = sk_flow_hash(kp[j]);
			}
			sk_flow_lookup_bulk(t, kp, h, m, got);
			for (unsigned int j = 0; j < m; j++)
				if (got[j] != ref[i + j])
					ok = false;
		}
		CHECK(ok, "bulk lookup of the whole universe as the model");
	}
	sk_flow_table_free(t);
}

/* 1M entries: memory per flow, and rates (comments, not checks). */
static void
test_big(uint32_t cap)
{
	struct sk_flow_table *t;
	struct sk_flow_key *keys = malloc(sizeof(*keys) * cap);
	uint32_t *hash = malloc(sizeof(*hash) * cap);
	uint32_t *order = malloc(sizeof(*order) * cap);
	double t0, t1, t2, t3, t4;
	unsigned int hits = 0;
	bool ok = true;

	if (keys == NULL || hash == NULL || order == NULL) {
		CHECK(0, "allocation");
		goto out;
	}
	t0 = now_s();
	t = sk_flow_table_create(cap, SOCKET_ID_ANY);
	t1 = now_s();
	if (t == NULL) {
		CHECK(0, "create %u", cap);
		goto out;
	}
	printf("# %u entries: %zu bytes, %.1f bytes per flow "
		"(64 entry + %.1f index), created in %.1f ms\n", cap,
		sk_flow_memory(t), (double)sk_flow_memory(t) / cap,
		(double)sk_flow_memory(t) / cap - 64, (t1 - t0) * 1e3);
	CHECK(sk_flow_memory(t) <= (size_t)cap * 80 + 4096,
		"memory per flow <= 80 bytes (%.1f)",
		(double)sk_flow_memory(t) / cap);
	for (uint32_t i = 0; i < cap; i++) {
		keys[i] = key_of(i * 7 + 3);
		hash[i] = sk_flow_hash(&keys[i]);
		order[i] = i;
	}
	for (uint32_t i = cap - 1; i > 0; i--) {
		uint32_t j = rnd() % (i + 1), x = order[i];

		order[i] = order[j];
		order[j] = x;
	}
	t1 = now_s();
	for (uint32_t i = 0; i < cap; i++)
		if (sk_flow_insert(t, &keys[i], hash[i]) == NULL)
			ok = false;
	t2 = now_s();
	CHECK(ok && sk_flow_count(t) == cap, "%u inserted", cap);
	/* bulk lookups of 32 keys in random order: cache misses, as in
	 * the engine */
	for (uint32_t i = 0; i + 32 <= cap; i += 32) {
		const struct sk_flow_key *kp[32];
		uint32_t h[32];
		struct sk_flow *got[32];

		for (unsigned int j = 0; j < 32; j++) {
			kp[j] = &keys[order[i + j]];
			h[j] = hash[order[i + j]];
		}
		sk_flow_lookup_bulk(t, kp, h, 32, got);
		for (unsigned int j = 0; j < 32; j++)
			hits += got[j] != NULL;
	}
	t3 = now_s();
	for (uint32_t i = 0; i < cap; i++) {
		uint32_t o = order[i];

		hits += sk_flow_lookup(t, &keys[o], hash[o]) != NULL;
	}
	t4 = now_s();
	CHECK_EQ(hits, cap / 32 * 32 + cap,
		"every key found");
	printf("# insert %.1f M/s, bulk lookup (32, random order) %.1f M/s, "
		"single lookup %.1f M/s\n", cap / (t2 - t1) / 1e6,
		(cap / 32 * 32) / (t3 - t2) / 1e6, cap / (t4 - t3) / 1e6);
	sk_flow_table_free(t);
out:
	free(keys);
	free(hash);
	free(order);
}

#define GIGA_POOL "/sys/kernel/mm/hugepages/hugepages-1048576kB/"

static long
giga_read(const char *name)
{
	char path[160];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), GIGA_POOL "%s", name);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static bool
giga_write(long n)
{
	FILE *f = fopen(GIGA_POOL "nr_hugepages", "w");
	bool ok;

	if (f == NULL)
		return false;
	ok = fprintf(f, "%ld\n", n) > 0;
	return fclose(f) == 0 && ok;
}

/* A table of 1 GiB or more in 1 GiB pages, when the kernel's pool has (or,
 * as root, can be given for the test) two free ones; the pool as it was
 * afterwards. A smaller table, and the same one with SK_FLOW_F_SMALL_PAGES,
 * never take them. */
static void
test_giga(void)
{
	/* 64 + 2^21 buckets of 64 + cap entries of 64: just over 1 GiB */
	const uint32_t cap = 15000000;
	long nr = giga_read("nr_hugepages"), fr = giga_read("free_hugepages");
	long added = 0;
	struct sk_flow_table *t;

	if (nr < 0) {
		CHECK(1, "# SKIP the kernel has no 1 GiB page pool");
		return;
	}
	if (fr < 2 && giga_write(nr + 2 - fr)) {
		added = giga_read("nr_hugepages") - nr;
		fr = giga_read("free_hugepages");
	}
	if (fr < 2) {
		CHECK(1, "# SKIP no two free 1 GiB pages (%ld free; root can "
			"add them at run time only with enough unfragmented "
			"memory)", fr);
		goto out;
	}
	t = sk_flow_table_create(1u << 20, SOCKET_ID_ANY);
	CHECK(t != NULL && strcmp(sk_flow_pages(t), "1G") != 0,
		"a table of 72 MiB: not in 1 GiB pages (%s)",
		t != NULL ? sk_flow_pages(t) : "-");
	sk_flow_table_free(t);
	t = sk_flow_table_create_ex(cap, SOCKET_ID_ANY, SK_FLOW_F_SMALL_PAGES);
	CHECK(t != NULL && strcmp(sk_flow_pages(t), "1G") != 0 &&
		giga_read("free_hugepages") == fr,
		"SK_FLOW_F_SMALL_PAGES: a table of 1 GiB not in 1 GiB pages");
	sk_flow_table_free(t);
	t = sk_flow_table_create(cap, SOCKET_ID_ANY);
	CHECK(t != NULL && strcmp(sk_flow_pages(t), "1G") == 0 &&
		giga_read("free_hugepages") == fr - 2 &&
		sk_flow_memory(t) > (size_t)1 << 30,
		"a table of %zu bytes in two 1 GiB pages",
		t != NULL ? sk_flow_memory(t) : 0);
	if (t != NULL) {
		bool ok = true;

		/* the first and last entries, buckets all over */
		for (uint32_t i = 0; i < 100000; i++) {
			struct sk_flow_key k = key_of(i * 7919 + 1);

			ok &= ins(t, &k) != NULL && look(t, &k) != NULL;
		}
		CHECK(ok && sk_flow_count(t) == 100000,
			"100,000 flows inserted and found");
		sk_flow_table_free(t);
	}
	CHECK_EQ(giga_read("free_hugepages"), fr,
		"freed: the pool's free pages as before");
out:
	if (added > 0)
		CHECK(giga_write(nr) && giga_read("nr_hugepages") == nr,
			"the pool back to %ld pages", nr);
}

int
main(void)
{
	const char *big = getenv("SK_TEST_FLOW_BIG");
	const char *quick = getenv("SK_TEST_QUICK");
	bool q = quick != NULL && strcmp(quick, "0") != 0;

	test_create();
	test_fill();
	test_collide();
	test_random(200000, false);
	test_random(200000, true);
	if (q)
		CHECK(1, "# SKIP collision flood (SK_TEST_QUICK)");
	else
		test_flood();
	if (q)
		CHECK(1, "# SKIP 1 GiB pages (SK_TEST_QUICK)");
	else
		test_giga();
	test_big(big != NULL ? (uint32_t)strtoul(big, NULL, 0) :
		q ? 1u << 16 : 1u << 20);
	return sk_test_done();
}

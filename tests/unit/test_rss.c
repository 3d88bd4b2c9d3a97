/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The flow-to-worker mapping of drivers/sk_dispatch: both directions of a
 * flow hash alike (the symmetric key), flows spread evenly over workers,
 * and the software hash agrees with the Toeplitz definition.
 */

#include <stdlib.h>

#include <rte_byteorder.h>
#include <rte_thash.h>

#include "sk_dispatch.h"
#include "sk_test.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

int
main(void)
{
	struct sk_dispatch d;
	char err[128];
	unsigned int asym = 0, owner_diff = 0;
	unsigned int per[4] = { 0 };
	const unsigned int n = 100000;

	CHECK_EQ(sk_dispatch_init(&d, 2, false, 0, 0, 0, err, sizeof(err)), 0,
		"dispatch for 2 workers, no rings");
	for (unsigned int i = 0; i < n; i++) {
		rte_be32_t a = rte_cpu_to_be_32(rnd()), b = rte_cpu_to_be_32(rnd());
		rte_be16_t p = rte_cpu_to_be_16((uint16_t)rnd());
		rte_be16_t q = rte_cpu_to_be_16((uint16_t)rnd());
		uint32_t h1 = sk_rss_hash(a, b, p, q), h2 = sk_rss_hash(b, a, q, p);

		asym += h1 != h2;
		owner_diff += sk_dispatch_owner(&d, h1) !=
			sk_dispatch_owner(&d, h2);
		per[sk_dispatch_owner(&d, h1)]++;
	}
	CHECK_EQ(asym, 0, "%u random tuples: reverse direction, same hash", n);
	CHECK_EQ(owner_diff, 0, "... and the same worker");
	CHECK(per[0] > n * 45 / 100 && per[1] > n * 45 / 100,
		"spread over 2 workers: %u / %u", per[0], per[1]);

	/* 3 workers over a 128-entry table: each gets 42 or 43 entries */
	d.n = 3;
	memset(per, 0, sizeof(per));
	for (unsigned int i = 0; i < n; i++)
		per[sk_dispatch_owner(&d, sk_rss_hash(rnd(), rnd(),
			(uint16_t)rnd(), (uint16_t)rnd()))]++;
	CHECK(per[0] > n * 30 / 100 && per[1] > n * 30 / 100 &&
		per[2] > n * 30 / 100, "spread over 3 workers: %u / %u / %u",
		per[0], per[1], per[2]);

	/* The same function as rte_softrss over the host-order tuple. */
	{
		uint32_t t[3] = { 0xc6120001, 0xc6120002, 40000u << 16 | 8080 };

		CHECK_EQ(sk_rss_hash(rte_cpu_to_be_32(t[0]),
			rte_cpu_to_be_32(t[1]), rte_cpu_to_be_16(40000),
			rte_cpu_to_be_16(8080)), rte_softrss(t, 3, sk_rss_key),
			"sk_rss_hash is Toeplitz over (saddr, daddr, ports)");
	}
	CHECK(sk_dispatch_init(&d, 0, false, 0, 0, 0, err, sizeof(err)) == -1 &&
		strstr(err, "workers") != NULL, "0 workers refused: %s", err);
	return sk_test_done();
}

/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SK_DISPATCH_H
#define SK_DISPATCH_H

/**
 * @file
 * Which worker owns a flow. Every packet of a flow must reach the worker
 * whose flow-table shard holds it. The owner is a function of the 4-tuple
 * through a symmetric Toeplitz hash (both directions of a flow hash alike,
 * which the client role needs) and a RETA-like table:
 *
 *     owner = (toeplitz(saddr, daddr, sport, dport) % reta_size) % workers
 *
 * for IPv4 and IPv6 alike (an IPv6 tuple is hashed over its 16-byte
 * addresses, as NICs do for RSS on IPv6/TCP).
 * (entry i of the redirection table is queue i % workers).
 * With a device that does RSS, the same key and table are programmed into
 * the NIC, so the hardware delivers each flow to its owner's queue. With a
 * device that does not (net_pcap, net_tap, most vdevs), each worker
 * computes the owner of what it receives and hands other workers' packets
 * over single-producer/single-consumer rings, counting the extra hop.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#define SK_RSS_KEY_LEN 40
#define SK_RETA_SIZE 128
#define SK_MAX_WORKERS 64

/** The symmetric Toeplitz key: 0x6d5a repeated (Woo and Park, 2012).
 * Toeplitz XORs, for each set input bit i, the 32 key bits from bit i on;
 * with a key of period 16 bits, moving an input field by a multiple of 16
 * bits changes nothing. Swapping the source and destination of a tuple
 * moves the addresses by 32 bits (IPv4) or 128 bits (IPv6) and the ports
 * by 16: both families hash alike in both directions. The 36-byte IPv6
 * input needs 36 + 4 = 40 key bytes, exactly SK_RSS_KEY_LEN. */
extern const uint8_t sk_rss_key[SK_RSS_KEY_LEN];

/** Toeplitz hash of a tuple as it lies in the packet (network order); the
 * same value for the reverse direction. */
uint32_t sk_rss_hash(rte_be32_t saddr, rte_be32_t daddr, rte_be16_t sport,
		rte_be16_t dport);

/** sk_rss_hash with another 40-byte @p key: the same code, for checking
 * it against published Toeplitz vectors (tests/unit/test_rss.c). */
uint32_t sk_rss_hash_key(const uint8_t *key, rte_be32_t saddr,
		rte_be32_t daddr, rte_be16_t sport, rte_be16_t dport);

/** The IPv6 variant of sk_rss_hash: 16-byte addresses (network order),
 * hashed as src, dst, sport, dport (NICs' RSS input for IPv6/TCP). */
uint32_t sk_rss_hash6(const uint8_t *saddr, const uint8_t *daddr,
		rte_be16_t sport, rte_be16_t dport);

/** sk_rss_hash6 with another 40-byte @p key (tests/unit/test_rss.c). */
uint32_t sk_rss_hash6_key(const uint8_t *key, const uint8_t *saddr,
		const uint8_t *daddr, rte_be16_t sport, rte_be16_t dport);

/** A frame's TCP tuple as dispatch sees it (sk_dispatch_tuple()). */
struct sk_dispatch_flow {
	uint8_t family;              /**< 4 or 6 */
	rte_be16_t sport, dport;
	rte_be32_t saddr, daddr;     /**< IPv4 */
	const uint8_t *saddr6;       /**< IPv6: in the frame, 16 bytes */
	const uint8_t *daddr6;
};

/** The 4-tuple of an IPv4/TCP or IPv6/TCP frame (optionally VLAN-tagged)
 * into @p f, or false for anything else, IPv6 with an extension header
 * before TCP included (such frames are handled where they arrive, as
 * IPv4 frames that are not TCP). */
bool sk_dispatch_tuple(const struct rte_mbuf *m, struct sk_dispatch_flow *f);

/** sk_rss_hash or sk_rss_hash6 of a tuple from sk_dispatch_tuple(). */
static inline uint32_t
sk_dispatch_flow_hash(const struct sk_dispatch_flow *f)
{
	return f->family == 6 ?
		sk_rss_hash6(f->saddr6, f->daddr6, f->sport, f->dport) :
		sk_rss_hash(f->saddr, f->daddr, f->sport, f->dport);
}

/** Rings between workers: ring[from][to], single producer and consumer. */
struct sk_dispatch {
	unsigned int n;                 /**< workers */
	bool software;                  /**< hand over by ring (no RSS) */
	bool rss;                       /**< the device hashes as we do */
	bool rss6;                      /**< ... IPv6/TCP too (else it leaves
					     IPv6 unhashed or hashes only
					     the addresses) */
	uint16_t reta_size;             /**< the device's, or SK_RETA_SIZE */
	struct rte_ring *ring[SK_MAX_WORKERS][SK_MAX_WORKERS];
};

/** Set up for @p n workers and a redirection table of @p reta_size (0:
 * SK_RETA_SIZE); with @p software, create n*(n-1) rings of @p ring_size
 * on @p socket_id. Returns 0 or -1 with a message in @p err. */
int sk_dispatch_init(struct sk_dispatch *d, unsigned int n, bool software,
		uint16_t reta_size, unsigned int ring_size, int socket_id,
		char *err, size_t errlen);
/** Free the rings and the frames still in them; with @p left (an array
 * of SK_MAX_WORKERS zeroes), count those frames per receiving worker. */
void sk_dispatch_free(struct sk_dispatch *d, unsigned int *left);

/** Worker owning a flow, from its hash. */
static inline unsigned int
sk_dispatch_owner(const struct sk_dispatch *d, uint32_t hash)
{
	return (hash % d->reta_size) % d->n;
}

/** Which tuples the client role of worker @p id may open (the engine's
 * client_tuple_ok with this as its argument). */
struct sk_client_tuples {
	const struct sk_dispatch *d;
	unsigned int id;
};

/** sk_client_tuple_fn over a struct sk_client_tuples: the tuples this
 * worker owns (RSS or software dispatch; a client role on a steering
 * device, net_tap, is dispatched in software: tun does not bring a
 * SYN-ACK back to the queue its SYN left on). */
bool sk_dispatch_client_tuple6_ok(const void *arg, const uint8_t *laddr,
		const uint8_t *raddr, rte_be16_t lport, rte_be16_t rport);
bool sk_dispatch_client_tuple_ok(const void *arg, rte_be32_t laddr,
		rte_be32_t raddr, rte_be16_t lport, rte_be16_t rport);

#endif /* SK_DISPATCH_H */

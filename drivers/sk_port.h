/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SK_PORT_H
#define SK_PORT_H

/**
 * @file
 * Bringing up one DPDK port of any class (physical NIC, net_tap, net_pcap,
 * net_ring, net_memif, af_packet) for synackd: find it by name or id, probe
 * its checksum offloads, configure queues, start it.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mempool.h>

struct sk_port {
	uint16_t id;
	int socket_id;                /**< NUMA node, SOCKET_ID_ANY if unknown */
	char name[RTE_ETH_NAME_MAX_LEN];
	char driver[64];
	struct rte_ether_addr mac;
	bool tx_ip_cksum;             /**< offloads enabled on the port */
	bool tx_tcp_cksum;
	bool rx_cksum;
	uint16_t n_rxq;               /**< RX queues: one per worker with RSS */
	uint16_t n_txq;               /**< TX queues: one per worker */
	bool rss;                     /**< the device spreads flows (RSS) */
	bool rss6;                    /**< ... IPv6/TCP ones on their 4-tuple */
	bool steer;                   /**< the device keeps each flow on the
	                                   queue it is answered on (net_tap) */
	uint16_t reta_size;           /**< its redirection table, if rss */
	bool unclosable;              /**< failed start: closing it (or the
	                                   EAL) would crash the PMD */
	bool link_known;              /**< the driver reports its link */
	bool link_up;                 /**< at the last sk_port_link_update() */
	uint32_t link_speed;          /**< Mb/s, RTE_ETH_SPEED_NUM_* */
	const char *mcast;            /**< sk_port_ipv6_groups(): "list",
	                                   "all-multicast", "none" or NULL */
};

/** A link still down this long after the start deserves a warning (ms): a
 * NIC negotiates for a second or two; a memif waits for its peer. */
#define SK_PORT_LINK_WARN_MS 3000

/**
 * Find the port named @p name (a device name such as "net_tap0" or
 * "0000:03:00.0", or a port id); empty means the first available port.
 * Returns 0, or -1 with a one-line message in @p err.
 */
int sk_port_find(const char *name, uint16_t *port_id, char *err, size_t errlen);

/**
 * Configure port @p port_id for @p workers worker lcores and start it: one
 * TX queue per worker (the device must offer that many); one RX queue per
 * worker with RSS on the TCP 4-tuple under the symmetric key of
 * sk_dispatch.h and an even redirection table where the device has RSS,
 * else as many RX queues as it offers, up to @p workers (software
 * dispatch then hands each flow to its owner). @p rx_desc / @p tx_desc
 * descriptors, RX buffers from @p pool, checksum offloads where the
 * device has them. Fills @p p. Returns 0, or -1 with a message in @p err.
 */
int sk_port_start(uint16_t port_id, unsigned int workers, uint16_t rx_desc,
		uint16_t tx_desc, struct rte_mempool *pool, struct sk_port *p,
		char *err, size_t errlen);

/** Most multicast MACs sk_port_ipv6_groups() programs before it asks for
 * all-multicast instead. */
#define SK_PORT_MC_MAX 64

/**
 * Let the frames IPv6 needs in (RFC 4861 7.2.1): those to all nodes
 * (33:33:00:00:00:01) and to the solicited-node group of each of the @p n
 * addresses (33:33:ff and the address's last 24 bits). The device's
 * multicast filter gets that list; a device without one, or a list longer
 * than SK_PORT_MC_MAX, gets all-multicast (the parser drops and counts what
 * is not ours). Sets p->mcast to what was done. Returns 0, or -1 when the
 * device took neither: a warning, not an error (net_tap, net_pcap and the
 * other virtual devices pass every frame anyway).
 */
int sk_port_ipv6_groups(struct sk_port *p, const uint8_t (*addrs)[16],
		unsigned int n);

/** Look at the link of started port @p p (no wait): fills link_known,
 * link_up and link_speed. */
void sk_port_link_update(struct sk_port *p);

/**
 * net_tap's per-frame signal, avoided. DPDK's tap PMD (22.11 and later)
 * asks the kernel for a queued real-time signal on every frame a queue
 * receives (O_ASYNC with F_SETSIG, the first free signal from SIGRTMIN + 1)
 * and reads a queue only after one came; where no real-time signal is free
 * it reads on every poll instead. One signal handler call per frame, often
 * on the sleeping main lcore through an inter-processor interrupt, cost a
 * proxied connection two thirds of its rate over a tap (docs/ports.md,
 * "net_tap"); a polling worker affords a readv() that finds the queue
 * empty. sk_port_tap_poll_begin() (before rte_eal_init(), which probes the
 * vdevs) sets every real-time signal the process has left at SIG_DFL to
 * SIG_IGN; sk_port_tap_poll_end() (after sk_port_start(), which sets up
 * the queues) puts them back. No effect on the other drivers.
 */
void sk_port_tap_poll_begin(void);
void sk_port_tap_poll_end(void);

/** Stop and close a started port. */
void sk_port_stop(const struct sk_port *p);

#endif /* SK_PORT_H */

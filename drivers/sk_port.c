/* SPDX-License-Identifier: BSD-3-Clause */
#define _GNU_SOURCE             /* fopencookie() */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_log.h>

#include "sk_common.h"
#include "sk_dispatch.h"
#include "sk_port.h"

/* The real-time signals sk_port_tap_poll_begin() took (bit s - SIGRTMIN). */
static uint64_t tap_signals_taken;

void
sk_port_tap_poll_begin(void)
{
	/* the PMD looks from SIGRTMIN + 1 up to SIGRTMAX - 1 */
	for (int s = SIGRTMIN + 1; s < SIGRTMAX && s - SIGRTMIN < 64; s++) {
		struct sigaction sa;

		if (sigaction(s, NULL, &sa) != 0 || sa.sa_handler != SIG_DFL)
			continue;
		sa.sa_handler = SIG_IGN;
		if (sigaction(s, &sa, NULL) == 0)
			tap_signals_taken |= UINT64_C(1) << (s - SIGRTMIN);
	}
}

void
sk_port_tap_poll_end(void)
{
	for (int s = SIGRTMIN + 1; s < SIGRTMAX && s - SIGRTMIN < 64; s++) {
		struct sigaction sa;

		if (!(tap_signals_taken & (UINT64_C(1) << (s - SIGRTMIN))) ||
				sigaction(s, NULL, &sa) != 0 ||
				sa.sa_handler != SIG_IGN)
			continue;
		sa.sa_handler = SIG_DFL;
		sigaction(s, &sa, NULL);
	}
	tap_signals_taken = 0;
}

int
sk_port_find(const char *name, uint16_t *port_id, char *err, size_t errlen)
{
	char *end;
	unsigned long id;
	uint16_t pid;

	if (rte_eth_dev_count_avail() == 0) {
		snprintf(err, errlen, "no DPDK port found: give a device to the "
			"EAL (e.g. --vdev net_tap0,iface=sk0 or -a PCI_ADDRESS) "
			"and check it is bound to a DPDK-capable driver");
		return -1;
	}
	if (name == NULL || name[0] == '\0') {
		RTE_ETH_FOREACH_DEV(pid) {
			*port_id = pid;
			return 0;
		}
		snprintf(err, errlen, "no DPDK port available (all owned?)");
		return -1;
	}
	errno = 0;
	id = strtoul(name, &end, 10);
	if (errno == 0 && *end == '\0' && end != name) {
		if (id >= RTE_MAX_ETHPORTS || !rte_eth_dev_is_valid_port(id)) {
			snprintf(err, errlen, "port: no port with id %lu "
				"(%u available)", id, rte_eth_dev_count_avail());
			return -1;
		}
		*port_id = (uint16_t)id;
		return 0;
	}
	if (rte_eth_dev_get_port_by_name(name, &pid) != 0) {
		snprintf(err, errlen, "port: no device named '%s'", name);
		return -1;
	}
	*port_id = pid;
	return 0;
}

/* RSS as synack needs it: on the TCP/IPv4 4-tuple (and the TCP/IPv6 one
 * where the device offers it), the symmetric key repeated to the device's
 * key size, where the device can. net_tap's RSS
 * works only through rte_flow and eBPF, not rss_conf; see is_steering(). */
static bool
want_rss(const struct rte_eth_dev_info *info, unsigned int workers)
{
	return workers > 1 && info->max_rx_queues >= workers &&
		(info->flow_type_rss_offloads & RTE_ETH_RSS_NONFRAG_IPV4_TCP) &&
		info->hash_key_size > 0 && info->reta_size > 0 &&
		strcmp(info->driver_name, "net_tap") != 0;
}

/*
 * A multi-queue tap is steered by the kernel (tun's automatic flow
 * steering): a flow's first frame goes to a queue chosen by the kernel's
 * own hash, and later ones to the queue synack last wrote that flow on.
 * A worker that answers on the queue a flow arrived on keeps the flow
 * there for good (the entry, and when it ages out the hash, both name that
 * queue). Handing such flows to another worker would make the kernel move
 * them mid-handshake: tun updates its entry only after the frame written
 * has been processed, so the ACK to a SYN-ACK still goes to the old queue
 * while the data after it goes to the new one, and they cross.
 */
static bool
is_steering(const struct rte_eth_dev_info *info, unsigned int workers)
{
	return workers > 1 && info->max_rx_queues >= workers &&
		strcmp(info->driver_name, "net_tap") == 0;
}

static int
set_reta(uint16_t port_id, uint16_t size, unsigned int workers)
{
	struct rte_eth_rss_reta_entry64 reta[size / RTE_ETH_RETA_GROUP_SIZE +
		1];

	if (workers == 0)       /* not with RSS (want_rss()): no queue */
		return -EINVAL;
	memset(reta, 0, sizeof(reta));
	for (uint16_t i = 0; i < size; i++) {
		reta[i / RTE_ETH_RETA_GROUP_SIZE].mask |=
			1ull << (i % RTE_ETH_RETA_GROUP_SIZE);
		reta[i / RTE_ETH_RETA_GROUP_SIZE].reta[i %
			RTE_ETH_RETA_GROUP_SIZE] = (uint16_t)(i % workers);
	}
	return rte_eth_dev_rss_reta_update(port_id, reta, size);
}

/*
 * Drivers whose start can fail and still return 0. DPDK 22.11's
 * virtio-user: virtio_user_start_device() (called from the DRIVER_OK
 * status write of virtio_init_device(), at probe and again when
 * rte_eth_dev_configure() changes the features) logs "Failed to start
 * device" at ERR and its callers go on; the port then reports its link
 * up, since that is the vhost-user socket being connected. What it logs
 * is the one signal: for these drivers, a line at ERR or worse logged by
 * the starting thread from rte_eth_dev_configure() to rte_eth_dev_start()
 * means the port did not start. Elsewhere the return value is trusted (a
 * PMD may log an error it then recovers from).
 */
static const char *const start_log_drivers[] = { "net_virtio_user" };

struct start_log {
	FILE *next;             /* DPDK's stream before: every line goes on */
	pthread_t self;         /* the thread that starts the port */
	bool error;             /* it logged at ERR or worse */
	char first[200];        /* the first such line */
};

static ssize_t
start_log_write(void *cookie, const char *buf, size_t size)
{
	struct start_log *l = cookie;
	int level = rte_log_cur_msg_loglevel();

	if (!l->error && level > 0 && level <= (int)RTE_LOG_ERR &&
			pthread_equal(pthread_self(), l->self)) {
		const char *nl = memchr(buf, '\n', size);
		size_t n = nl != NULL ? (size_t)(nl - buf) : size;

		l->error = true;
		snprintf(l->first, sizeof(l->first), "%.*s",
			(int)RTE_MIN(n, sizeof(l->first) - 1), buf);
	}
	fwrite(buf, 1, size, l->next);
	fflush(l->next);
	return (ssize_t)size;
}

/* Static and never closed: another thread (the EAL's interrupt thread)
 * may still hold the stream after it is put back. One port per process. */
static struct start_log watch_log;
static FILE *watch_f;
static bool watching;

/* For the drivers above, from here to watch_end(), note what the starting
 * thread logs at ERR or worse. */
static void
watch_begin(const char *driver)
{
	cookie_io_functions_t io = { .write = start_log_write };
	bool watch = false;

	for (size_t i = 0; i < RTE_DIM(start_log_drivers); i++)
		watch |= strcmp(driver, start_log_drivers[i]) == 0;
	if (!watch)
		return;
	if (watch_f == NULL) {
		watch_log.next = rte_log_get_stream();
		watch_f = fopencookie(&watch_log, "w", io);
		if (watch_f == NULL)    /* no stream: trust the driver */
			return;
	}
	watch_log.self = pthread_self();
	watch_log.error = false;
	watch_log.first[0] = '\0';
	rte_openlog_stream(watch_f);
	watching = true;
}

/* Whether the driver logged an error since watch_begin() (its first line
 * in @p first); DPDK's log stream as it was. */
static bool
watch_end(char *first, size_t firstlen)
{
	if (!watching)
		return false;
	rte_openlog_stream(watch_log.next);
	watching = false;
	snprintf(first, firstlen, "%s", watch_log.first);
	return watch_log.error;
}

int
sk_port_start(uint16_t port_id, unsigned int workers, uint16_t rx_desc,
		uint16_t tx_desc, struct rte_mempool *pool, struct sk_port *p,
		char *err, size_t errlen)
{
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_dev_info info;
	struct rte_eth_rxconf rxq;
	struct rte_eth_txconf txq;
	uint64_t rx_ck = RTE_ETH_RX_OFFLOAD_IPV4_CKSUM |
		RTE_ETH_RX_OFFLOAD_TCP_CKSUM;
	uint8_t key[256];
	char logline[200];
	bool logged;
	int ret;

	memset(p, 0, sizeof(*p));
	p->id = port_id;
	ret = rte_eth_dev_info_get(port_id, &info);
	if (ret != 0) {
		snprintf(err, errlen, "port %u: cannot get device info: %s",
			port_id, rte_strerror(-ret));
		return -1;
	}
	rte_eth_dev_get_name_by_port(port_id, p->name);
	snprintf(p->driver, sizeof(p->driver), "%s", info.driver_name);
	p->socket_id = rte_eth_dev_socket_id(port_id);
	if (info.max_tx_queues < workers) {
		snprintf(err, errlen, "port %u (%s): %u workers need %u TX "
			"queues, the device offers %u (net_pcap: one tx_pcap= "
			"per worker)", port_id, p->name, workers, workers,
			info.max_tx_queues);
		return -1;
	}
	p->n_txq = (uint16_t)workers;
	p->rss = want_rss(&info, workers);
	p->steer = is_steering(&info, workers);
	p->n_rxq = (uint16_t)RTE_MIN(workers, (unsigned int)info.max_rx_queues);
	if (p->rss) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		for (unsigned int i = 0; i < info.hash_key_size &&
				i < sizeof(key); i++)
			key[i] = sk_rss_key[i % 2];
		conf.rx_adv_conf.rss_conf.rss_key = key;
		conf.rx_adv_conf.rss_conf.rss_key_len =
			RTE_MIN(info.hash_key_size, (uint8_t)sizeof(key));
		/* the same key is symmetric for IPv6 (sk_dispatch.h); a
		 * device without IPv6/TCP RSS keeps each IPv6 flow on one
		 * queue all the same (hashed on the addresses, or not) */
		conf.rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads &
			(RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_IPV4 |
			 RTE_ETH_RSS_NONFRAG_IPV6_TCP | RTE_ETH_RSS_IPV6);
		p->rss6 = (info.flow_type_rss_offloads &
			RTE_ETH_RSS_NONFRAG_IPV6_TCP) != 0;
		p->reta_size = info.reta_size;
	}

	/* Offload what the device can; the engine does the rest in software. */
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM) {
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
		p->tx_ip_cksum = true;
	}
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_TCP_CKSUM) {
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
		p->tx_tcp_cksum = true;
	}
	if ((info.rx_offload_capa & rx_ck) == rx_ck) {
		conf.rxmode.offloads |= rx_ck;
		p->rx_cksum = true;
	}
	if (p->rss && (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_RSS_HASH))
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_RSS_HASH;
	/* virtio-user starts its device when configured (the status write
	 * of a feature change), not in rte_eth_dev_start() */
	watch_begin(p->driver);
	ret = rte_eth_dev_configure(port_id, p->n_rxq, p->n_txq, &conf);
	if (ret != 0) {
		watch_end(logline, sizeof(logline));
		snprintf(err, errlen, "port %u (%s): configure with %u RX / %u "
			"TX queues failed: %s", port_id, p->name, p->n_rxq,
			p->n_txq, rte_strerror(-ret));
		return -1;
	}
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &rx_desc, &tx_desc);
	if (ret != 0) {
		snprintf(err, errlen, "port %u (%s): descriptors: %s",
			port_id, p->name, rte_strerror(-ret));
		goto close;
	}
	rxq = info.default_rxconf;
	rxq.offloads = conf.rxmode.offloads;
	for (uint16_t q = 0; q < p->n_rxq; q++) {
		ret = rte_eth_rx_queue_setup(port_id, q, rx_desc, p->socket_id,
				&rxq, pool);
		if (ret != 0) {
			bool pcap = strcmp(p->driver, "net_pcap") == 0;

			snprintf(err, errlen, "port %u (%s): RX queue %u: %s%s",
				port_id, p->name, q, rte_strerror(-ret), pcap ?
				" (net_pcap with infinite_rx=1 preloads each "
				"rx_pcap file into mbufs: raise --mbufs)" : "");
			/* DPDK 22.11's net_pcap frees a failed infinite_rx
			 * queue's ring without forgetting it, and frees it
			 * again on close: a crash. Leave it unclosed. */
			if (pcap) {
				watch_end(logline, sizeof(logline));
				p->unclosable = true;
				return -1;
			}
			goto close;
		}
	}
	txq = info.default_txconf;
	txq.offloads = conf.txmode.offloads;
	for (uint16_t q = 0; q < p->n_txq; q++) {
		ret = rte_eth_tx_queue_setup(port_id, q, tx_desc, p->socket_id,
				&txq);
		if (ret != 0) {
			snprintf(err, errlen, "port %u (%s): TX queue %u: %s",
				port_id, p->name, q, rte_strerror(-ret));
			goto close;
		}
	}
	ret = rte_eth_macaddr_get(port_id, &p->mac);
	if (ret != 0) {
		snprintf(err, errlen, "port %u (%s): MAC address: %s", port_id,
			p->name, rte_strerror(-ret));
		goto close;
	}
	ret = rte_eth_dev_start(port_id);
	logged = watch_end(logline, sizeof(logline));
	if (ret != 0) {
		snprintf(err, errlen, "port %u (%s): start failed: %s",
			port_id, p->name, rte_strerror(-ret));
		goto close;
	}
	if (logged) {
		snprintf(err, errlen, "port %u (%s): did not start: %s reported "
			"success but logged \"%s\"%s", port_id, p->name,
			p->driver, logline,
			strcmp(p->driver, "net_virtio_user") == 0 ?
			" (vhost-user shares the EAL's memory: run with "
			"--single-file-segments, see docs/ports.md)" : "");
		rte_eth_dev_stop(port_id);
		goto close;
	}
	if (p->rss && set_reta(port_id, p->reta_size, workers) != 0) {
		snprintf(err, errlen, "port %u (%s): cannot program its RSS "
			"redirection table of %u entries", port_id, p->name,
			p->reta_size);
		rte_eth_dev_stop(port_id);
		goto close;
	}
	/* The link is not waited for here: synackd says its state and
	 * follows it (main.c). */
	sk_port_link_update(p);
	return 0;

close:
	watch_end(logline, sizeof(logline));
	/* Queues set up so far hold mbufs of the pool (net_pcap preloads
	 * its file): give them back before the caller frees the pool. */
	rte_eth_dev_close(port_id);
	return -1;
}

int
sk_port_ipv6_groups(struct sk_port *p, const uint8_t (*addrs)[16],
		unsigned int n)
{
	struct rte_ether_addr mc[SK_PORT_MC_MAX];
	unsigned int k = 0;

	mc[k++] = (struct rte_ether_addr){ { 0x33, 0x33, 0, 0, 0, 1 } };
	for (unsigned int i = 0; i < n && k <= SK_PORT_MC_MAX; i++) {
		struct rte_ether_addr a = { { 0x33, 0x33, 0xff, addrs[i][13],
			addrs[i][14], addrs[i][15] } };
		unsigned int j;

		for (j = 0; j < k && !rte_is_same_ether_addr(&mc[j], &a); j++)
			;
		if (j < k)
			continue;
		if (k == SK_PORT_MC_MAX) {
			k++;     /* too many: all-multicast */
			break;
		}
		mc[k++] = a;
	}
	if (k <= SK_PORT_MC_MAX &&
			rte_eth_dev_set_mc_addr_list(p->id, mc, k) == 0) {
		p->mcast = "list";
		return 0;
	}
	if (rte_eth_allmulticast_enable(p->id) == 0) {
		p->mcast = "all-multicast";
		return 0;
	}
	p->mcast = "none";
	return -1;
}

void
sk_port_link_update(struct sk_port *p)
{
	struct rte_eth_link link;

	memset(&link, 0, sizeof(link));
	if (rte_eth_link_get_nowait(p->id, &link) != 0) {
		p->link_known = false;  /* the driver cannot tell */
		return;
	}
	p->link_known = true;
	p->link_up = link.link_status == RTE_ETH_LINK_UP;
	p->link_speed = link.link_speed;
}

void
sk_port_stop(const struct sk_port *p)
{
	int ret = rte_eth_dev_stop(p->id);

	if (ret != 0)
		SK_LOG_PORT(WARNING, "port %u: stop: %s", p->id,
			rte_strerror(-ret));
	rte_eth_dev_close(p->id);
}

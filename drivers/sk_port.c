/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ethdev.h>

#include "sk_port.h"

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

int
sk_port_start(uint16_t port_id, uint16_t rx_desc, uint16_t tx_desc,
		struct rte_mempool *pool, struct sk_port *p,
		char *err, size_t errlen)
{
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_dev_info info;
	struct rte_eth_rxconf rxq;
	struct rte_eth_txconf txq;
	uint64_t rx_ck = RTE_ETH_RX_OFFLOAD_IPV4_CKSUM |
		RTE_ETH_RX_OFFLOAD_TCP_CKSUM;
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
	ret = rte_eth_dev_configure(port_id, 1, 1, &conf);
	if (ret != 0) {
		snprintf(err, errlen, "port %u (%s): configure failed: %s",
			port_id, p->name, rte_strerror(-ret));
		return -1;
	}
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &rx_desc, &tx_desc);
	if (ret != 0) {
		snprintf(err, errlen, "port %u (%s): descriptors: %s",
			port_id, p->name, rte_strerror(-ret));
		return -1;
	}
	rxq = info.default_rxconf;
	rxq.offloads = conf.rxmode.offloads;
	ret = rte_eth_rx_queue_setup(port_id, 0, rx_desc, p->socket_id, &rxq,
			pool);
	if (ret != 0) {
		snprintf(err, errlen, "port %u (%s): RX queue: %s", port_id,
			p->name, rte_strerror(-ret));
		return -1;
	}
	txq = info.default_txconf;
	txq.offloads = conf.txmode.offloads;
	ret = rte_eth_tx_queue_setup(port_id, 0, tx_desc, p->socket_id, &txq);
	if (ret != 0) {
		snprintf(err, errlen, "port %u (%s): TX queue: %s", port_id,
			p->name, rte_strerror(-ret));
		return -1;
	}
	ret = rte_eth_macaddr_get(port_id, &p->mac);
	if (ret != 0) {
		snprintf(err, errlen, "port %u (%s): MAC address: %s", port_id,
			p->name, rte_strerror(-ret));
		return -1;
	}
	ret = rte_eth_dev_start(port_id);
	if (ret != 0) {
		snprintf(err, errlen, "port %u (%s): start failed: %s",
			port_id, p->name, rte_strerror(-ret));
		return -1;
	}
	return 0;
}

void
sk_port_stop(const struct sk_port *p)
{
	int ret = rte_eth_dev_stop(p->id);

	if (ret != 0)
		fprintf(stderr, "synackd: port %u: stop: %s\n", p->id,
			rte_strerror(-ret));
	rte_eth_dev_close(p->id);
}

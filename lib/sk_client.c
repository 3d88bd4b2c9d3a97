/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The client role of one engine: resolve the next hop (ARP), then open
 * connections from the timer pass at the configured rate, never more than
 * `concurrency` at once; count how each one ended. The TCP side (SYN_SENT,
 * the request, reading the response, closing) is in sk_tcp.c.
 */

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <numa.h>
#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include "sk_engine_priv.h"
#include "sk_siphash.h"

/* Most connections opened in one call; the poll loop calls again while a
 * call fills its burst, so a pass (every ~100 us) is bounded by the
 * concurrency and the token bucket, not by this. */
#define SK_CLIENT_OPEN_MAX SK_BURST_MAX
/* Tuples tried for one new connection before giving up this pass. */
#define SK_CLIENT_TUPLE_TRIES 64
/* ARP: one request a second, this many before the run fails. */
#define SK_CLIENT_ARP_TRIES 5

int
sk_client_create(struct sk_engine *e)
{
	struct sk_client *cl;
	uint64_t k[2];
	char err[256];

	cl = numa_alloc(sizeof(*cl));
	if (cl == NULL)
		return -ENOMEM;
	memset(cl, 0, sizeof(*cl));
	if (sk_config_client(&e->cfg, &cl->cc, err, sizeof(err)) != 0) {
		SK_LOG(ERR, "%s", err);
		numa_free(cl, sizeof(*cl));
		return -EINVAL;
	}
	if (getrandom(k, sizeof(k), 0) != sizeof(k) ||
			getrandom(&cl->ts_off, sizeof(cl->ts_off), 0) !=
			sizeof(cl->ts_off)) {
		numa_free(cl, sizeof(*cl));
		return -EIO;
	}
	cl->k0 = k[0];
	cl->k1 = k[1];
	cl->tsc_per_us = RTE_MAX(e->par.tsc_hz / 1000000, (uint64_t)1);
	cl->cur_ip = cl->cc.src_lo;
	cl->cur_port = cl->cc.sport_lo;
	cl->cost = e->cfg.client_cps ? e->par.tsc_hz / e->cfg.client_cps : 0;
	cl->nexthop = cl->cc.target;
	if (cl->cc.have_gw_mac) {
		memcpy(cl->mac.addr_bytes, cl->cc.gw_mac, RTE_ETHER_ADDR_LEN);
		cl->resolved = true;
	}
	e->pc.arp_reply = true;
	e->pc.src_lo = cl->cc.src_lo;
	e->pc.src_n = (uint64_t)cl->cc.src_hi - cl->cc.src_lo + 1;
	e->cl = cl;
	return 0;
}

void
sk_client_free(struct sk_engine *e)
{
	if (e->cl != NULL)
		numa_free(e->cl, sizeof(*e->cl));
	e->cl = NULL;
}

/* Where segments to the target go: the neighbour cache the timers use. */
static void
set_neigh(struct sk_engine *e)
{
	struct sk_client *cl = e->cl;
	struct sk_neigh *n = &e->neigh[rte_be_to_cpu_32(cl->cc.target) &
		(SK_NEIGH_N - 1)];

	n->ip = cl->cc.target;
	n->mac = cl->mac;
	n->vlan = 0;
	e->last_peer = *n;
}

static struct rte_mbuf *
arp_request(struct sk_engine *e)
{
	struct sk_client *cl = e->cl;
	struct rte_mbuf *m = rte_pktmbuf_alloc(e->par.pool);
	struct rte_ether_hdr *eh;
	struct rte_arp_hdr *a;

	if (m == NULL) {
		SK_STAT_INC(&e->st, drop_mbuf);
		return NULL;
	}
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
			sizeof(*eh) + sizeof(*a));
	memset(&eh->dst_addr, 0xff, sizeof(eh->dst_addr));
	eh->src_addr = e->pc.mac;
	eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_ARP);
	a = (struct rte_arp_hdr *)(eh + 1);
	a->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = RTE_ETHER_ADDR_LEN;
	a->arp_plen = 4;
	a->arp_opcode = RTE_BE16(RTE_ARP_OP_REQUEST);
	a->arp_data.arp_sha = e->pc.mac;
	a->arp_data.arp_sip = rte_cpu_to_be_32(cl->cc.src_lo);
	memset(&a->arp_data.arp_tha, 0, sizeof(a->arp_data.arp_tha));
	a->arp_data.arp_tip = cl->nexthop;
	m->ol_flags = 0;
	SK_STAT_INC(&e->st, client_arp_request);
	return m;
}

void
sk_client_arp_input(struct sk_engine *e, struct rte_mbuf *m, uint16_t l2_len)
{
	struct sk_client *cl = e->cl;
	const struct rte_arp_hdr *a =
		rte_pktmbuf_mtod_offset(m, const struct rte_arp_hdr *, l2_len);

	if (cl == NULL || a->arp_data.arp_sip != cl->nexthop) {
		SK_STAT_INC(&e->st, drop_arp);
		return;
	}
	SK_STAT_INC(&e->st, rx_arp_reply);
	cl->mac = a->arp_data.arp_sha;
	if (!cl->resolved) {
		cl->resolved = true;
		set_neigh(e);
	}
}

void
sk_client_release(struct sk_engine *e, struct sk_flow *f,
		enum sk_cl_end why)
{
	struct sk_client *cl = e->cl;

	f->flags &= ~SK_FF_CLACTIVE;
	cl->active--;
	switch (why) {
	case SK_CL_DONE:
		if (f->match & SK_CLM_OK)
			SK_STAT_INC(&e->st, client_completed);
		else
			SK_STAT_INC(&e->st, client_fail_closed);
		break;
	case SK_CL_TIMEOUT:
		if (f->state == SK_ST_SYN_SENT && (f->match & SK_CLM_BAD))
			SK_STAT_INC(&e->st, client_fail_bad_synack);
		else
			SK_STAT_INC(&e->st, client_fail_timeout);
		break;
	case SK_CL_RST:
		SK_STAT_INC(&e->st, client_fail_rst);
		break;
	case SK_CL_RESPONSE:
		SK_STAT_INC(&e->st, client_fail_response);
		break;
	}
}

/* Next (source address, source port), skipping tuples with a live flow
 * (one of ours in TIME_WAIT included: the tuple is not reused until it
 * expires). Returns the new entry, or NULL. */
static struct sk_flow *
new_flow(struct sk_engine *e)
{
	struct sk_client *cl = e->cl;
	struct sk_flow_key key = {
		.raddr = cl->cc.target, .rport = cl->cc.tport,
	};

	for (unsigned int i = 0; i < SK_CLIENT_TUPLE_TRIES; i++) {
		struct sk_flow *f;
		uint32_t h;

		key.laddr = rte_cpu_to_be_32(cl->cur_ip);
		key.lport = rte_cpu_to_be_16(cl->cur_port);
		if (cl->cur_port == cl->cc.sport_hi) {
			cl->cur_port = cl->cc.sport_lo;
			cl->cur_ip = cl->cur_ip == cl->cc.src_hi ?
				cl->cc.src_lo : cl->cur_ip + 1;
		} else {
			cl->cur_port++;
		}
		h = sk_flow_hash(&key);
		if (sk_flow_lookup(e->ft, &key, h) != NULL)
			continue;
		f = sk_flow_insert(e->ft, &key, h);
		if (f == NULL)
			return NULL; /* table full */
		return f;
	}
	return NULL;
}

static struct rte_mbuf *
open_one(struct sk_engine *e)
{
	struct sk_client *cl = e->cl;
	struct sk_flow *f = new_flow(e);
	struct rte_mbuf *m;
	uint32_t now_us;

	if (f == NULL) {
		SK_STAT_INC(&e->st, client_no_tuple);
		return NULL;
	}
	now_us = sk_client_now_us(e);
	/* RFC 6528: ISS = M + F(4-tuple, secret), M a 4 us timer; the
	 * counter makes each reuse of a tuple draw a fresh F. */
	f->iss = now_us / 4 + (uint32_t)sk_siphash_4u32(cl->k0, cl->k1,
		f->key.laddr, f->key.raddr,
		(uint32_t)f->key.lport << 16 | f->key.rport, cl->iss_ctr++);
	f->snd_una = f->iss;
	f->snd_nxt = f->iss + 1;
	f->flags = SK_FF_CLIENT | SK_FF_CLACTIVE;
	f->app = SK_APP_NONE;
	f->ts_off = cl->ts_off;
	f->ts_recent = now_us;       /* SYN_SENT: when the first SYN left */
	f->born = e->now_ms;
	f->state = SK_ST_SYN_SENT;
	SK_STAT_INC(&e->st, flows[SK_ST_SYN_SENT]);
	m = sk_tcp_client_syn(e, f);
	if (m == NULL) {
		SK_STAT_ADD(&e->st, flows[SK_ST_SYN_SENT], -1);
		sk_flow_remove(e->ft, f);
		return NULL;
	}
	cl->active++;
	sk_wheel_arm(&e->wheel, sk_flow_index(e->ft, f),
		e->now_ms + e->cfg.client_syn_rto_ms);
	SK_STAT_INC(&e->st, client_syn_sent);
	return m;
}

uint16_t
sk_client_poll(struct sk_engine *e, uint64_t now, struct rte_mbuf **tx,
		uint16_t cap)
{
	struct sk_client *cl = e->cl;
	uint16_t n = 0, max;

	if (cl == NULL || cl->finished || cap == 0)
		return 0;
	if (!cl->resolved) {
		if (now < cl->arp_next)
			return 0;
		if (cl->arp_tries == SK_CLIENT_ARP_TRIES) {
			cl->error = "no ARP reply from the next hop";
			cl->stop = now;
			__atomic_store_n(&cl->finished, true, __ATOMIC_RELEASE);
			return 0;
		}
		cl->arp_tries++;
		cl->arp_next = now + e->par.tsc_hz;
		tx[0] = arp_request(e);
		return tx[0] != NULL;
	}
	if (!cl->started) {
		if (cl->cc.have_gw_mac)
			set_neigh(e);
		cl->started = true;
		cl->start = now;
		cl->end = now + (uint64_t)e->cfg.client_duration_ms *
			e->tsc_per_ms;
		cl->last = now;
		cl->credit = cl->cost;
	}
	if (!cl->opening_over && (now >= cl->end ||
			(e->cfg.client_connections != 0 &&
			 e->st.client_syn_sent >= e->cfg.client_connections))) {
		/* the opening window ends early at the connection limit */
		__atomic_store_n(&cl->end, RTE_MIN(cl->end, now),
			__ATOMIC_RELAXED);
		__atomic_store_n(&cl->opening_over, true, __ATOMIC_RELAXED);
	}
	if (cl->opening_over) {
		if (cl->active == 0) {
			cl->stop = now;
			__atomic_store_n(&cl->finished, true, __ATOMIC_RELEASE);
		}
		return 0;
	}
	if (cl->cost != 0) {
		/* The bucket holds 100 ms of tokens (at least one pass's
		 * worth): a short stall of this lcore is made up at no more
		 * than SK_CLIENT_OPEN_MAX a pass; a long one is not. */
		cl->credit = RTE_MIN(cl->credit + (now - cl->last),
			RTE_MAX(cl->cost * SK_CLIENT_OPEN_MAX,
				e->par.tsc_hz / 10));
		cl->last = now;
	}
	max = RTE_MIN(cap, (uint16_t)SK_CLIENT_OPEN_MAX);
	if (e->cfg.client_connections != 0)
		max = (uint16_t)RTE_MIN((uint64_t)max,
			e->cfg.client_connections - e->st.client_syn_sent);
	while (n < max && cl->active < e->cfg.client_concurrency &&
			(cl->cost == 0 || cl->credit >= cl->cost)) {
		struct rte_mbuf *m = open_one(e);

		if (m == NULL)
			break;
		tx[n++] = m;
		cl->credit -= cl->cost;
	}
	return n;
}

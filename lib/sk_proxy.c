/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SYN proxy: a port whose app is "proxy" answers SYNs with cookies
 * like any other (sk_burst.c stage 3), so a flood costs no memory and
 * never reaches a server. Only a client ACK with a valid cookie opens a
 * connection to a backend (sk_proxy_open), from our own address (full
 * NAT); when the backend's SYN-ACK arrives the two are spliced and every
 * segment is relayed with its numbers translated (relay()).
 *
 * A proxied connection is two flow entries, the client's side ("outside")
 * and the backend's ("inside"), each naming the other (struct sk_flow_px
 * in sk_flow.h), both in this lcore's table: the backend side's source
 * port is chosen so that the backend's answers come back to this lcore
 * (par.client_tuple_ok, as for the client role). The timer lives on the
 * outside entry.
 *
 * Numbers, side x forwarding to side y (docs/proxy.md):
 *  - sequence: the backend gets our own ISN (RFC 6528, as a client would),
 *    not the client's (unless [proxy] client_isn), and the client got the
 *    cookie: each side's
 *    sequence space is shifted by its seq_add on the way over; ACKs and
 *    SACK blocks, which name the other side's bytes, are shifted back;
 *  - timestamps: the backend's SYN carries our TSval (one clock for every
 *    backend connection, so a reused tuple in the backend's TIME_WAIT
 *    passes its PAWS test, RFC 7323 5.4); the client's TSvals are shifted
 *    onto it, the backend's so that its SYN-ACK's TSval becomes the one
 *    our cookie SYN-ACK gave the client; TSecr shifted back, so that
 *    each side sees exactly its own TSvals echoed (Linux rejects an
 *    echo older than its SYN-ACK: the kernel's SYNPROXY echoes a wrong
 *    one in its handshake ACK);
 *  - window: the backend's SYN asks for the client's window scale, so the
 *    client's window fields pass as they are; the client was promised
 *    shift 0 (the SYN-ACK template), so the backend's windows are
 *    rescaled and capped at 65535;
 *  - MSS: the backend's SYN carries the client's MSS (the cookie's value),
 *    SACK-permitted and window scale when the cookie kept them (the SYN
 *    had timestamps);
 *  - checksums: updated from the header words that changed (RFC 1624),
 *    the payload is never summed again; or left to the NIC.
 */

#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <sys/random.h>

#include <numa.h>

#include "sk_cksum.h"
#include "sk_siphash.h"
#include "sk_tcp.h"

/* A backend that failed this many connects in a row is left out of the
 * choice for SK_PX_DOWN_MS (unless every backend of the family is). */
#define SK_PX_FAILS_DOWN 3
#define SK_PX_DOWN_MS 5000
/* Source ports tried for one connection before giving up. */
#define SK_PX_PORT_TRIES 64
/* A source port whose last pair has been in TIME_WAIT this long is taken
 * again (the rule of Linux's tcp_tw_reuse for outgoing connections): its
 * new SYN starts above the old numbers (RFC 6528 ISN, wall-clock TSval),
 * so a backend still in TIME_WAIT takes it, and one that answers with an
 * ACK gets an RST and the SYN again (backend_answer()). Without it a backend
 * address takes about 28,000 ports / time_wait new connections a second
 * (5,600 at the default 5 s). */
#define SK_PX_TW_REUSE_MS 1000
/* A connection whose backend has not answered ARP/ND yet looks again this
 * often (the MAC comes in a round trip; the request goes out at once, then
 * every second). */
#define SK_PX_RESOLVE_POLL_MS 10
/* An unresolved backend is asked every second, and this often while a
 * client waits for it (held, SK_PX_RESOLVING). */
#define SK_PX_WAIT_ARP_MS 100

static inline struct sk_flow *
peer_of(struct sk_engine *e, const struct sk_flow *f)
{
	return &e->flows[f->px.peer];
}

/* ---- creation, backends, neighbours ------------------------------------ */

int
sk_proxy_create(struct sk_engine *e)
{
	const struct sk_config *c = &e->cfg;
	struct sk_proxy *px;
	uint64_t k[2];

	px = numa_alloc(sizeof(*px));
	if (px == NULL)
		return -ENOMEM;
	memset(px, 0, sizeof(*px));
	/*
	 * Toward a backend, a tuple comes back while the backend still holds
	 * its last connection in TIME_WAIT (the source ports cycle in
	 * seconds at a high rate), across a restart of synackd too. Linux
	 * takes the new SYN when its TSval is newer or, without timestamps,
	 * its sequence number higher. So our TSvals toward backends are the
	 * wall clock in ms, with no random offset (monotonic across
	 * restarts; it tells a backend our clock, which it may know anyway),
	 * and the ISS key (RFC 6528's F) comes from the cookie secret when
	 * one is configured, so that the ISS clock alone decides across
	 * restarts; a random key otherwise (docs/proxy.md).
	 */
	if (c->secret_set) {
		uint64_t s[2];

		memcpy(s, c->secret, sizeof(s));
		k[0] = sk_siphash(s[0], s[1], "synack proxy iss 0", 18);
		k[1] = sk_siphash(s[0], s[1], "synack proxy iss 1", 18);
	} else if (getrandom(k, sizeof(k), 0) != sizeof(k)) {
		numa_free(px, sizeof(*px));
		return -EIO;
	}
	px->k0 = k[0];
	px->k1 = k[1];
	px->tsc_per_us = RTE_MAX(e->par.tsc_hz / 1000000, (uint64_t)1);
	px->n_be = c->n_backends;
	for (unsigned int i = 0; i < c->n_backends; i++) {
		struct sk_px_backend *b = &px->be[i];

		b->cfg = c->backends[i];
		b->seed = rte_hash_crc_4byte(i, 0x9e3779b9u);
		/* our source: the first address of the family whose prefix
		 * holds the backend, else the first of the family */
		if (b->cfg.family == 6) {
			if (c->n_addrs6 != 0)
				memcpy(b->laddr6, c->addrs6[0].addr, 16);
			for (unsigned int j = 0; j < c->n_addrs6; j++) {
				const struct sk_config_addr6 *a = &c->addrs6[j];
				unsigned int bits = a->prefix, n = bits / 8;

				if (memcmp(a->addr, b->cfg.addr6, n) == 0 &&
						(bits % 8 == 0 ||
						 ((a->addr[n] ^ b->cfg.addr6[n]) >>
						  (8 - bits % 8)) == 0)) {
					memcpy(b->laddr6, a->addr, 16);
					break;
				}
			}
		} else {
			if (c->n_addrs != 0)
				b->laddr = c->addrs[0].addr;
			for (unsigned int j = 0; j < c->n_addrs; j++) {
				const struct sk_config_addr *a = &c->addrs[j];
				uint32_t mask = a->prefix ? UINT32_MAX <<
					(32 - a->prefix) : 0;

				if (((sk_ntohl(a->addr) ^
						sk_ntohl(b->cfg.addr)) & mask) == 0) {
					b->laddr = a->addr;
					break;
				}
			}
		}
	}
	px->port_next = c->proxy_port_lo;
	px->n_free = SK_PX_PARK;
	for (unsigned int i = 0; i < SK_PX_PARK; i++)
		px->free[i] = (uint16_t)(SK_PX_PARK - 1 - i);
	e->px = px;
	e->lookup_all = true;
	e->pc.arp_reply = true;
	e->pc.nd_na = true;
	return 0;
}

void
sk_proxy_free(struct sk_engine *e)
{
	struct sk_proxy *px = e->px;

	if (px == NULL)
		return;
	for (unsigned int i = 0; i < SK_PX_PARK; i++)
		if (px->park[i] != NULL)
			rte_pktmbuf_free(px->park[i]);
	while (px->out_n != 0) {
		rte_pktmbuf_free(px->out[px->out_head]);
		px->out_head = (px->out_head + 1) % SK_PX_PARK;
		px->out_n--;
	}
	numa_free(px, sizeof(*px));
	e->px = NULL;
}

uint16_t
sk_proxy_poll(struct sk_engine *e, uint64_t now, struct rte_mbuf **tx,
		uint16_t cap)
{
	struct sk_proxy *px = e->px;
	uint16_t n = 0;

	if (px == NULL)
		return 0;
	for (unsigned int i = 0; i < px->n_be && n < cap; i++) {
		struct sk_px_backend *b = &px->be[i];

		if (!b->resolved && e->par.proxy_shared != NULL &&
				__atomic_load_n(&e->par.proxy_shared[i].resolved,
					__ATOMIC_ACQUIRE)) {
			/* another worker's engine got the answer */
			b->mac = e->par.proxy_shared[i].mac;
			__atomic_store_n(&b->resolved, true, __ATOMIC_RELAXED);
		}
		if (b->resolved || now < b->next_try)
			continue;
		/* every second until it answers, and on: a backend may
		 * come up long after us */
		b->next_try = now + e->par.tsc_hz;
		tx[n] = b->cfg.family == 6 ?
			sk_neigh_ns_request(e, b->laddr6, b->cfg.addr6, true) :
			sk_neigh_arp_request(e, b->laddr, b->cfg.addr, true);
		if (tx[n] != NULL) {
			SK_STAT_INC(&e->st, proxy_arp_request);
			n++;
		}
	}
	return n;
}

static void
learnt(struct sk_engine *e, struct sk_px_backend *b,
		const struct rte_ether_addr *mac)
{
	struct sk_client_shared *sh = e->par.proxy_shared;

	b->mac = *mac;
	__atomic_store_n(&b->resolved, true, __ATOMIC_RELAXED);
	if (sh != NULL) {
		/* the other workers' engines take it from here: MAC first,
		 * then the flag with release */
		sh += b - e->px->be;
		sh->mac = *mac;
		__atomic_store_n(&sh->resolved, 1, __ATOMIC_RELEASE);
	}
}

bool
sk_proxy_arp_input(struct sk_engine *e, rte_be32_t sip,
		const struct rte_ether_addr *mac)
{
	struct sk_proxy *px = e->px;
	bool hit = false;

	for (unsigned int i = 0; i < px->n_be; i++)
		if (px->be[i].cfg.family == 4 && px->be[i].cfg.addr == sip) {
			learnt(e, &px->be[i], mac);
			hit = true;
		}
	if (hit)
		SK_STAT_INC(&e->st, rx_arp_reply);
	return hit;
}

bool
sk_proxy_nd_input(struct sk_engine *e, const uint8_t *target,
		const uint8_t *mac)
{
	struct sk_proxy *px = e->px;
	bool hit = false;

	for (unsigned int i = 0; i < px->n_be; i++)
		if (px->be[i].cfg.family == 6 &&
				memcmp(px->be[i].cfg.addr6, target, 16) == 0) {
			if (mac != NULL)
				learnt(e, &px->be[i],
					(const struct rte_ether_addr *)mac);
			hit = true;
		}
	if (hit)
		SK_STAT_INC(&e->st, rx_nd_na);
	return hit;
}

unsigned int
sk_engine_proxy_backends(const struct sk_engine *e, uint64_t now,
		struct sk_proxy_backend_info *out, unsigned int max)
{
	const struct sk_proxy *px = e->px;
	unsigned int n = 0;

	if (px == NULL)
		return 0;
	for (unsigned int i = 0; i < px->n_be && n < max; i++, n++) {
		const struct sk_px_backend *b = &px->be[i];
		const uint64_t *src = (const uint64_t *)&b->st;
		uint64_t *dst = (uint64_t *)&out[n].st;

		out[n].family = b->cfg.family;
		out[n].addr = b->cfg.addr;
		memcpy(out[n].addr6, b->cfg.addr6, 16);
		out[n].port = b->cfg.port;
		out[n].lport = b->cfg.lport;
		out[n].resolved = __atomic_load_n(&b->resolved,
				__ATOMIC_RELAXED);
		out[n].down = __atomic_load_n(&b->down_until,
				__ATOMIC_RELAXED) > now;
		for (size_t k = 0; k < sizeof(b->st) / 8; k++)
			dst[k] = __atomic_load_n(&src[k], __ATOMIC_RELAXED);
	}
	return n;
}

#define BE_ADD(b, f, v) \
	__atomic_store_n(&(b)->st.f, (b)->st.f + (v), __ATOMIC_RELAXED)

/* Rendezvous (highest random weight) hashing over the usable backends of
 * the client's family that serve proxied port @p lport (its own set, or
 * the set of every port without one): adding or removing one backend
 * moves only the flows that it wins or held. Returns the index, or -1.
 * When none of them has answered ARP/ND yet, one of those, with
 * @p *pending set: the connection waits for its MAC (the first clients
 * after a start, or after a backend came up). */
static int
choose_backend(struct sk_engine *e, uint32_t hash, bool v6, uint16_t lport,
		bool *pending)
{
	struct sk_proxy *px = e->px;
	const uint8_t family = v6 ? 6 : 4;
	int best = -1, best_any = -1, best_unres = -1;
	uint32_t score = 0, score_any = 0, score_unres = 0;
	bool own = false;

	*pending = false;
	for (unsigned int i = 0; i < px->n_be && !own; i++)
		own = px->be[i].cfg.lport == lport;
	for (unsigned int i = 0; i < px->n_be; i++) {
		const struct sk_px_backend *b = &px->be[i];
		uint32_t w;

		if (b->cfg.family != family ||
				!sk_config_backend_serves(&b->cfg, lport, own))
			continue;
		w = rte_hash_crc_4byte(hash, b->seed);
		if (!b->resolved) {
			if (best_unres < 0 || w > score_unres) {
				best_unres = (int)i;
				score_unres = w;
			}
			continue;
		}
		if (best_any < 0 || w > score_any) {
			best_any = (int)i;
			score_any = w;
		}
		if (b->down_until > e->now_tsc)
			continue;
		if (best < 0 || w > score) {
			best = (int)i;
			score = w;
		}
	}
	if (best >= 0)
		return best;
	if (best_any >= 0)
		return best_any;
	*pending = best_unres >= 0;
	if (*pending) {
		/* a client waits for it: ask again SK_PX_WAIT_ARP_MS after the
		 * last request, not a second (next_try is a second after it;
		 * 0 = at the next poll, left as it is) */
		struct sk_px_backend *u = &px->be[best_unres];
		const uint64_t soon = u->next_try - e->par.tsc_hz +
			e->par.tsc_hz / 1000 * SK_PX_WAIT_ARP_MS;

		if (soon < u->next_try)
			u->next_try = soon;
	}
	return best_unres;
}

/* ---- parking: client data that came before the backend answered -------
 *
 * A client's first flight (up to its initial window) may follow its ACK
 * before the backend's SYN-ACK is back: up to SK_PX_PARK_FLOW segments a
 * connection are held, in arrival order, in a chain of slots. When the
 * backend answers, the first goes out in place of the SYN-ACK's mbuf and
 * the others, translated, wait in the engine's out queue for the next
 * burst's spare TX room or the next timer pass (sk_proxy_drain()).
 */
#define SK_PX_PARK_FLOW 16

static bool
park(struct sk_engine *e, struct sk_flow *c, struct rte_mbuf *m,
		const struct sk_pkt *p)
{
	struct sk_proxy *px = e->px;
	unsigned int n = 0;
	uint16_t slot, *link = &c->px.park;

	while (*link != 0) {
		link = &px->park_next[*link - 1];
		n++;
	}
	if (n >= SK_PX_PARK_FLOW || px->n_free == 0) {
		SK_STAT_INC(&e->st, proxy_park_full);
		return false;
	}
	slot = px->free[--px->n_free];
	px->park[slot] = m;
	px->park_pk[slot] = *p;
	px->park_next[slot] = 0;
	*link = (uint16_t)(slot + 1);
	SK_STAT_INC(&e->st, proxy_parked);
	return true;
}

/* Take flow @p c's first parked segment back (NULL when none). */
static struct rte_mbuf *
unpark(struct sk_engine *e, struct sk_flow *c, struct sk_pkt *p)
{
	struct sk_proxy *px = e->px;
	struct rte_mbuf *m;
	uint16_t slot;

	if (c->px.park == 0)
		return NULL;
	slot = (uint16_t)(c->px.park - 1);
	m = px->park[slot];
	*p = px->park_pk[slot];
	px->park[slot] = NULL;
	px->free[px->n_free++] = slot;
	c->px.park = px->park_next[slot];
	return m;
}

/* Queue a segment ready to send (its mbuf freed when the queue is full). */
static void
out_push(struct sk_engine *e, struct rte_mbuf *m)
{
	struct sk_proxy *px = e->px;

	if (px->out_n == SK_PX_PARK) {
		SK_STAT_INC(&e->st, tx_full);
		rte_pktmbuf_free(m);
		return;
	}
	px->out[(px->out_head + px->out_n++) % SK_PX_PARK] = m;
}

uint16_t
sk_proxy_drain(struct sk_engine *e, struct rte_mbuf **tx, uint16_t cap)
{
	struct sk_proxy *px = e->px;
	uint16_t n = 0;
	uint64_t bytes = 0;

	while (n < cap && px->out_n != 0) {
		tx[n] = px->out[px->out_head];
		bytes += tx[n++]->pkt_len;
		px->out_head = (px->out_head + 1) % SK_PX_PARK;
		px->out_n--;
	}
	SK_STAT_ADD(&e->st, tx_packets, n);
	SK_STAT_ADD(&e->st, tx_bytes, bytes);
	return n;
}

/* ---- the pair's life ---------------------------------------------------- */

static void
pair_free(struct sk_engine *e, struct sk_flow *c)
{
	struct sk_flow *b = peer_of(e, c);
	struct sk_pkt pk;
	struct rte_mbuf *m;

	while ((m = unpark(e, c, &pk)) != NULL)
		rte_pktmbuf_free(m);
	BE_ADD(&e->px->be[c->px.be], flows, -1);
	sk_wheel_cancel(&e->wheel, (uint32_t)(c - e->flows));
	SK_STAT_ADD(&e->st, flows[c->state], -1);
	SK_STAT_ADD(&e->st, flows[b->state], -1);
	sk_flow_remove(e->ft, b);
	sk_flow_remove(e->ft, c);
}

/* The backend failed this connection: count it against the backend. */
static void
backend_failed(struct sk_engine *e, const struct sk_flow *c)
{
	struct sk_px_backend *b = &e->px->be[c->px.be];

	BE_ADD(b, failed, 1);
	if (++b->fails >= SK_PX_FAILS_DOWN)
		__atomic_store_n(&b->down_until, e->now_tsc +
			(uint64_t)SK_PX_DOWN_MS * e->tsc_per_ms,
			__ATOMIC_RELAXED);
}

/* Our next sequence toward side @p x: what the other side has sent, in
 * x's view. */
static inline uint32_t
next_to(struct sk_engine *e, const struct sk_flow *x)
{
	const struct sk_flow *y = peer_of(e, x);

	return y->px.nxt + y->px.seq_add;
}

/* <SEQ=next_to(x)><ACK=x.nxt><CTL=RST,ACK> to side @p x in @p m. */
static void
rst_to(struct sk_engine *e, struct rte_mbuf *m, const struct sk_flow *x,
		uint32_t seq)
{
	struct sk_seg s = {
		.seq = seq, .ack = x->px.nxt, .flags = SK_TH_RST | SK_TH_ACK,
	};
	const struct sk_neigh *n = sk_tcp_neigh(e, x);
	struct sk_neigh bn;

	if (sk_flow_px_inside(x)) {
		bn.ip = x->key.raddr;
		bn.vlan = 0;
		bn.mac = e->px->be[x->px.be].mac;
		n = &bn;
	}
	sk_tcp_seg_to(e, m, x, n, &s, NULL, 0);
	SK_STAT_INC(&e->st, tx_rst);
}

/* While connecting, the client has been told our cookie ISN, kept in the
 * inside entry's seq_add until the backend's ISN is known. */
static inline uint32_t
connecting_seq_to_client(struct sk_engine *e, const struct sk_flow *c)
{
	return peer_of(e, c)->px.seq_add + 1;
}

/* Fail a connection still connecting: RST to the client in @p m. */
static bool
connect_failed(struct sk_engine *e, struct rte_mbuf *m, struct sk_flow *c)
{
	rst_to(e, m, c, connecting_seq_to_client(e, c));
	backend_failed(e, c);
	pair_free(e, c);
	return true;
}

/* Inside entry @p b holds a pair closed by both FINs at least
 * SK_PX_TW_REUSE_MS ago: its tuple may carry a new connection. The pair's
 * timer (on the client's entry) was armed for [proxy] time_wait when both
 * sides had closed. */
static bool
tw_reusable(struct sk_engine *e, const struct sk_flow *b)
{
	const struct sk_flow *c;
	uint32_t left, tw = e->cfg.proxy_time_wait_ms;

	if (!sk_flow_px_inside(b) || b->state != SK_ST_TIME_WAIT ||
			tw <= SK_PX_TW_REUSE_MS)
		return false;
	c = peer_of(e, b);
	if (c->state != SK_ST_TIME_WAIT || !(c->flags & SK_FF_TIMER))
		return false;
	left = c->tl.expire - (uint32_t)e->now_ms;
	return (int32_t)left <= 0 || left <= tw - SK_PX_TW_REUSE_MS;
}

/* ---- the backend's SYN --------------------------------------------------- */

/* RFC 6528 ISS toward the backend: a 4 us clock plus a keyed hash of the
 * tuple, so that a tuple reused within the backend's TIME_WAIT starts
 * above the old connection's numbers. */
static uint32_t
backend_iss(struct sk_engine *e, const struct sk_flow *b)
{
	struct sk_proxy *px = e->px;
	uint32_t now_us = (uint32_t)(e->now_tsc / px->tsc_per_us);

	if (sk_flow_key_is_v6(&b->key)) {
		const struct sk_flow_addr6 *a = sk_flow_addr6(e->ft, b);
		uint8_t in[36];

		memcpy(in, a, 32);
		memcpy(in + 32, &b->key.rport, 4);
		return now_us / 4 + (uint32_t)sk_siphash(px->k0, px->k1, in,
				sizeof(in));
	}
	return now_us / 4 + (uint32_t)sk_siphash_4u32(px->k0, px->k1,
			b->key.raddr, b->key.laddr,
			(uint32_t)b->key.rport << 16 | b->key.lport, 0);
}

/* The SYN (or its retransmission) to the backend of outside entry @p c,
 * over @p m. */
static void
backend_syn(struct sk_engine *e, struct rte_mbuf *m, const struct sk_flow *c)
{
	const struct sk_flow *b = peer_of(e, c);
	const struct sk_px_backend *be = &e->px->be[c->px.be];
	const bool v6 = sk_flow_key_is_v6(&c->key);
	const uint16_t mss = v6 ? sk_cookie_mss_value6(c->px.mss_idx) :
		sk_cookie_mss_value(c->px.mss_idx);
	/* the client's window, unscaled as a SYN's always is */
	const uint32_t win = (uint32_t)c->px.tmp << c->px.ws_in;
	struct sk_seg s = {
		.seq = c->px.nxt - 1 + c->px.seq_add, .flags = SK_TH_SYN,
		.win = (uint16_t)(win < UINT16_MAX ? win : UINT16_MAX),
	};
	struct sk_neigh n = { .ip = b->key.raddr, .mac = be->mac };
	uint8_t o[24];
	unsigned int ol = 0;

	o[ol++] = SK_OPT_MSS;
	o[ol++] = 4;
	o[ol++] = (uint8_t)(mss >> 8);
	o[ol++] = (uint8_t)mss;
	if (c->flags & SK_FF_SACK) {
		o[ol++] = SK_OPT_NOP;
		o[ol++] = SK_OPT_NOP;
		o[ol++] = SK_OPT_SACK_PERM;
		o[ol++] = 2;
	}
	if (c->flags & SK_FF_TS)
		/* our TSval, kept in the inside entry's tmp */
		ol += sk_tcp_opt_ts(o + ol, b->px.tmp, 0);
	if (c->flags & SK_FF_WSCALE) {
		o[ol++] = SK_OPT_NOP;
		o[ol++] = SK_OPT_WS;
		o[ol++] = 3;
		o[ol++] = b->px.ws_to;
	}
	if (c->flags & SK_FF_ECN)
		s.flags |= SK_TH_ECE | SK_TH_CWR;
	sk_tcp_seg_to(e, m, b, &n, &s, o, ol);
}

/* A source port toward backend @p be for the client on @p c, with its
 * backend-side key in *k: one no flow uses, whose answers come back to
 * this lcore. */
static bool
choose_port(struct sk_engine *e, const struct sk_px_backend *be, bool v6,
		struct sk_flow_key6 *k, uint32_t *hash)
{
	struct sk_proxy *px = e->px;
	const struct sk_config *c = &e->cfg;
	const rte_be16_t rport = sk_htons(be->cfg.port);
	struct sk_flow *f;

	for (unsigned int t = 0; t < SK_PX_PORT_TRIES; t++) {
		uint16_t port = px->port_next;
		rte_be16_t lport = sk_htons(port);

		px->port_next = port >= c->proxy_port_hi ? c->proxy_port_lo :
			(uint16_t)(port + 1);
		if (e->app[port] != SK_APP_NONE)
			continue;
		if (v6) {
			if (e->par.client_tuple6_ok != NULL &&
					!e->par.client_tuple6_ok(
						e->par.client_tuple_arg,
						be->laddr6, be->cfg.addr6,
						lport, rport))
				continue;
			sk_flow_key6_make(k, be->cfg.addr6, be->laddr6, rport,
					lport);
		} else {
			if (e->par.client_tuple_ok != NULL &&
					!e->par.client_tuple_ok(
						e->par.client_tuple_arg,
						be->laddr, be->cfg.addr, lport,
						rport))
				continue;
			k->k.raddr = be->cfg.addr;
			k->k.laddr = be->laddr;
			k->k.rport = rport;
			k->k.lport = lport;
		}
		*hash = sk_flow_hash(&k->k);
		f = sk_flow_lookup(e->ft, &k->k, *hash);
		if (f == NULL)
			return true;
		if (tw_reusable(e, f)) {
			pair_free(e, peer_of(e, f));
			SK_STAT_INC(&e->st, proxy_tw_reuse);
			return true;
		}
	}
	return false;
}

bool
sk_proxy_open(struct sk_engine *e, struct rte_mbuf **mp,
		const struct sk_pkt *p, const struct sk_flow_key *key,
		uint32_t hash, unsigned int mss_idx, unsigned int tsopt)
{
	struct sk_proxy *px = e->px;
	struct rte_mbuf *m = *mp;
	struct sk_px_backend *be;
	struct sk_flow_key6 bk;
	struct sk_flow *c, *b;
	uint32_t bhash, tsb0;
	bool pending;
	int bi;

	bi = choose_backend(e, hash, p->v6, sk_ntohs(p->tcp->dst_port),
			&pending);
	if (bi < 0) {
		/* no backend of the client's family serves the port */
		SK_STAT_INC(&e->st, proxy_fail_unresolved);
		return sk_tcp_send_rst(e, m, p);
	}
	be = &px->be[bi];
	if (!choose_port(e, be, p->v6, &bk, &bhash)) {
		SK_STAT_INC(&e->st, proxy_fail_no_port);
		return sk_tcp_send_rst(e, m, p);
	}
	c = sk_flow_insert(e->ft, key, hash);
	if (c == NULL) {
		SK_STAT_INC(&e->st, proxy_fail_table_full);
		SK_STAT_INC(&e->st, tx_rst_table_full);
		return sk_tcp_send_rst(e, m, p);
	}
	b = sk_flow_insert(e->ft, &bk.k, bhash);
	if (b == NULL) {
		sk_flow_remove(e->ft, c);
		SK_STAT_INC(&e->st, proxy_fail_table_full);
		SK_STAT_INC(&e->st, tx_rst_table_full);
		return sk_tcp_send_rst(e, m, p);
	}
	SK_STAT_INC(&e->st, flow_created);
	SK_STAT_INC(&e->st, proxy_opened);
	BE_ADD(be, opened, 1);
	BE_ADD(be, flows, 1);
	c->app = b->app = SK_APP_PROXY;
	c->state = SK_ST_ESTABLISHED;
	b->state = SK_ST_SYN_SENT;
	SK_STAT_INC(&e->st, flows[SK_ST_ESTABLISHED]);
	SK_STAT_INC(&e->st, flows[SK_ST_SYN_SENT]);
	c->born = b->born = e->now_ms;
	c->px.peer = (uint32_t)(b - e->flows);
	b->px.peer = (uint32_t)(c - e->flows);
	c->px.be = b->px.be = (uint8_t)bi;
	c->px.st = SK_PX_CONNECTING;
	b->px.st = SK_PX_INSIDE | SK_PX_CONNECTING;
	c->px.mss_idx = (uint8_t)mss_idx;
	/* the client's options, from the cookie */
	if ((tsopt & SK_TSOPT_WSCALE_NONE) != SK_TSOPT_WSCALE_NONE) {
		c->flags |= SK_FF_WSCALE;
		c->px.ws_in = (uint8_t)RTE_MIN(tsopt & SK_TSOPT_WSCALE_NONE,
				SK_WSCALE_MAX);
		/* asked of the backend: the client's fields pass as they are */
		b->px.ws_to = c->px.ws_in;
	}
	if (tsopt & SK_TSOPT_SACK)
		c->flags |= SK_FF_SACK;
	if (tsopt & SK_TSOPT_ECN)
		c->flags |= SK_FF_ECN;
	/* the shift our SYN-ACK offered: SK_PX_WSCALE where it had the
	 * option (the client's SYN had window scale and timestamps) */
	c->px.ws_to = (c->flags & SK_FF_WSCALE) ? SK_PX_WSCALE : 0;
	c->px.nxt = p->seq;
	c->px.una = p->seq;
	c->px.tmp = sk_ntohs(p->tcp->rx_win);
	/* [proxy] client_isn: the client's own numbers toward the backend
	 * (a tuple reused while the backend holds it in TIME_WAIT may then
	 * start below it: the backend's ACK gets the TIME_WAIT reset and the
	 * SYN again, backend_answer()) */
	c->px.seq_add = e->cfg.proxy_client_isn ? 0 :
		backend_iss(e, b) - (p->seq - 1);
	tsb0 = e->ts_now;  /* the wall clock: see sk_proxy_create() */
	if (p->has_ts) {
		c->flags |= SK_FF_TS;
		c->px.ts_add = tsb0 - p->tsval;
	}
	/* kept in the inside entry until the backend's SYN-ACK: our ISN
	 * toward the client (the cookie), the TSval of our SYN-ACK to it
	 * (the client's TSecr now),
	 * the TSval of our SYN */
	b->px.seq_add = p->ack - 1;
	b->px.ts_add = p->tsecr;
	b->px.tmp = tsb0;
	sk_tcp_learn_neigh(e, m, p, key->raddr);
	if (pending)
		c->px.st |= SK_PX_RESOLVING;
	sk_wheel_arm(&e->wheel, (uint32_t)(c - e->flows),
		e->now_ms + RTE_MIN(pending ? SK_PX_RESOLVE_POLL_MS :
			e->cfg.proxy_syn_rto_ms, e->cfg.proxy_connect_ms));
	if (p->plen != 0 || (p->flags & SK_TH_FIN)) {
		/* data with the handshake's ACK: held, the SYN goes out in a
		 * fresh mbuf */
		struct rte_mbuf *n = rte_pktmbuf_alloc(e->par.pool);

		if (n == NULL) {
			SK_STAT_INC(&e->st, drop_mbuf);
			return false;  /* the client retransmits its data */
		}
		if (park(e, c, m, p))
			*mp = n;
		else
			rte_pktmbuf_free(n);
		m = *mp;
	}
	if (pending)
		return false;  /* the SYN once the MAC is known (the timer) */
	backend_syn(e, m, c);
	return true;
}

/* ---- PROXY protocol v2 ----------------------------------------------------
 *
 * With [proxy] proxy_protocol the backend's stream starts with a PROXY
 * protocol v2 header (haproxy's proxy-protocol.txt, section 2.2) naming
 * the client and the address it connected to; nginx (listen ...
 * proxy_protocol) and HAProxy (accept-proxy) read it. It shifts the
 * client's bytes: the outside entry's seq_add grows by its length. The
 * header rides on the handshake's ACK; while the backend has not ACKed
 * it (SK_PX_HDR), a pure ACK below its end sends it again.
 */
#define SK_PP2_MAX (16 + 36)

static const uint8_t pp2_sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,
};

static unsigned int
pp2_header(struct sk_engine *e, const struct sk_flow *c, uint8_t *h)
{
	const bool v6 = sk_flow_key_is_v6(&c->key);
	const uint16_t alen = v6 ? 36 : 12;
	uint8_t *a = h + 16;

	memcpy(h, pp2_sig, sizeof(pp2_sig));
	h[12] = 0x21;                  /* version 2, PROXY */
	h[13] = v6 ? 0x21 : 0x11;      /* TCP over IPv6 / IPv4 */
	h[14] = 0;
	h[15] = (uint8_t)alen;
	if (v6) {
		const struct sk_flow_addr6 *a6 = sk_flow_addr6(e->ft, c);

		memcpy(a, a6->raddr, 16);
		memcpy(a + 16, a6->laddr, 16);
		a += 32;
	} else {
		memcpy(a, &c->key.raddr, 4);
		memcpy(a + 4, &c->key.laddr, 4);
		a += 8;
	}
	memcpy(a, &c->key.rport, 2);
	memcpy(a + 2, &c->key.lport, 2);
	return 16u + alen;
}

/* ---- relaying ------------------------------------------------------------ */

#define SK_OPT_SACK 5

static inline void
put32(uint8_t *o, uint32_t v)
{
	v = sk_htonl(v);
	memcpy(o, &v, 4);
}

/* Translate the options of a segment from @p x to @p y in place: TSval
 * and TSecr, SACK blocks (which name y's bytes). The parser has checked
 * their lengths. */
static void
translate_opts(uint8_t *o, unsigned int len, const struct sk_flow *x,
		const struct sk_flow *y, bool ack)
{
	unsigned int i = 0;

	while (i < len) {
		unsigned int ol;

		if (o[i] == SK_OPT_EOL)
			break;
		if (o[i] == SK_OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len)
			break;
		ol = o[i + 1];
		if (ol < 2 || i + ol > len)
			break;
		if (o[i] == SK_OPT_TS && ol == 10) {
			put32(o + i + 2, sk_get_be32(o + i + 2) + x->px.ts_add);
			if (ack)
				put32(o + i + 6, sk_get_be32(o + i + 6) -
					y->px.ts_add);
		} else if (o[i] == SK_OPT_SACK) {
			for (unsigned int j = i + 2; j + 4 <= i + ol; j += 4)
				put32(o + j, sk_get_be32(o + j) - y->px.seq_add);
		}
		i += ol;
	}
}

/*
 * Forward segment @p p from side @p x, in @p m, to side @p y: the TCP
 * header translated where it lies, new IP and Ethernet headers written
 * just before it (the received ones may have been longer: IPv4 options,
 * IPv6 extension headers), the checksum updated from the words that
 * changed. Returns false when @p m cannot be reshaped (counted).
 */
static bool
relay(struct sk_engine *e, struct rte_mbuf *m, const struct sk_pkt *p,
		const struct sk_flow *x, const struct sk_flow *y)
{
	struct rte_tcp_hdr *th = p->tcp;
	const unsigned int hl = p->l4_len;
	const uint16_t tcp_len = (uint16_t)(hl + p->plen);
	const bool v6 = p->v6;
	/* with two arms a VLAN tag of one port's does not belong on the
	 * other: untagged there */
	const uint16_t l2 = e->pc.two_arm ? sizeof(struct rte_ether_hdr) :
		p->l2_len;
	const uint16_t l3 = v6 ? sizeof(struct rte_ipv6_hdr) :
		sizeof(struct rte_ipv4_hdr);
	const uint16_t ck = th->cksum;
	const struct sk_flow_addr6 *a6 = NULL;
	struct rte_ether_hdr *eh =
		rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	const rte_be16_t vlan = l2 > sizeof(*eh) ?
		((const struct rte_vlan_hdr *)(eh + 1))->vlan_tci : 0;
	const struct rte_ether_addr *dmac;
	uint64_t osum, nsum;
	uint32_t win, total;
	uint8_t tos;
	uint8_t *start;

	/* the sum of what changes, before */
	th->cksum = 0;
	osum = sk_csum_add(0, th, hl);
	if (v6) {
		osum = sk_csum_add(osum, p->ip6->src_addr, 32);
		tos = (uint8_t)(sk_ntohl(p->ip6->vtc_flow) >> 20);
	} else {
		osum = sk_csum_add(osum, &p->ip->src_addr, 8);
		tos = p->ip->type_of_service;
	}

	th->src_port = y->key.lport;
	th->dst_port = y->key.rport;
	th->sent_seq = sk_htonl(p->seq + x->px.seq_add);
	if (p->flags & SK_TH_ACK)
		th->recv_ack = sk_htonl(p->ack - y->px.seq_add);
	win = ((uint32_t)sk_ntohs(th->rx_win) << x->px.ws_in) >> y->px.ws_to;
	th->rx_win = sk_htons((uint16_t)RTE_MIN(win, (uint32_t)UINT16_MAX));
	if (hl > sizeof(*th))
		translate_opts((uint8_t *)(th + 1), hl - sizeof(*th), x, y,
				p->flags & SK_TH_ACK);

	/* and after */
	nsum = sk_csum_add(0, th, hl);
	if (v6) {
		a6 = sk_flow_addr6(e->ft, y);
		nsum = sk_csum_add(nsum, a6->laddr, 16);
		nsum = sk_csum_add(nsum, a6->raddr, 16);
	} else {
		nsum = sk_csum_add(nsum, &y->key.laddr, 4);
		nsum = sk_csum_add(nsum, &y->key.raddr, 4);
	}

	/* Ethernet and IP just before the TCP header */
	start = (uint8_t *)th - l3 - l2;
	total = (uint32_t)l2 + l3 + tcp_len;
	if (rte_pktmbuf_adj(m, (uint16_t)(start -
			rte_pktmbuf_mtod(m, uint8_t *))) == NULL ||
			(m->pkt_len > total &&
			 rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - total)) != 0)) {
		SK_STAT_INC(&e->st, drop_mbuf);
		return false;
	}
	eh = (struct rte_ether_hdr *)start;
	dmac = sk_flow_px_inside(y) ? &e->px->be[y->px.be].mac :
		&sk_tcp_neigh(e, y)->mac;
	eh->dst_addr = *dmac;
	sk_pkt_set_side(&e->pc, m, sk_flow_px_inside(y));
	eh->src_addr = *sk_pkt_mac(&e->pc, m);
	if (vlan) {
		struct rte_vlan_hdr *vh = (struct rte_vlan_hdr *)(eh + 1);

		eh->ether_type = RTE_BE16(RTE_ETHER_TYPE_VLAN);
		vh->vlan_tci = vlan;
		vh->eth_proto = v6 ? RTE_BE16(RTE_ETHER_TYPE_IPV6) :
			RTE_BE16(RTE_ETHER_TYPE_IPV4);
	} else {
		eh->ether_type = v6 ? RTE_BE16(RTE_ETHER_TYPE_IPV6) :
			RTE_BE16(RTE_ETHER_TYPE_IPV4);
	}
	m->l2_len = l2;
	m->l3_len = l3;
	m->l4_len = hl;
	m->ol_flags = 0;
	if (v6) {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(start + l2);

		sk_pkt_ip6_hdr(ip6, a6->laddr, a6->raddr, IPPROTO_TCP, tcp_len,
				64);
		/* traffic class kept: DSCP and ECN pass through */
		ip6->vtc_flow |= sk_htonl((uint32_t)tos << 20);
		SK_STAT_INC(&e->st, tx_ipv6);
		if (e->par.tx_tcp_cksum) {
			m->ol_flags = RTE_MBUF_F_TX_IPV6 |
				RTE_MBUF_F_TX_TCP_CKSUM;
			th->cksum = sk_csum_fold(sk_csum_phdr6(ip6->src_addr,
					ip6->dst_addr, IPPROTO_TCP, tcp_len));
			return true;
		}
	} else {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(start + l2);

		sk_pkt_ip4_hdr(ip, y->key.laddr, y->key.raddr, IPPROTO_TCP,
				(uint16_t)(l3 + tcp_len), tos, 64);
		if (e->par.tx_ip_cksum)
			m->ol_flags |= RTE_MBUF_F_TX_IPV4 |
				RTE_MBUF_F_TX_IP_CKSUM;
		else
			ip->hdr_checksum = sk_csum_ip(ip);
		if (e->par.tx_tcp_cksum) {
			m->ol_flags |= RTE_MBUF_F_TX_IPV4 |
				RTE_MBUF_F_TX_TCP_CKSUM;
			/* rte_ipv4_phdr_cksum()'s value (sk_tcp_out.c) */
			th->cksum = sk_csum_fold(sk_csum_phdr(ip, tcp_len));
			return true;
		}
	}
	/* RFC 1624 eqn. 3, over the changed words all at once */
	th->cksum = (uint16_t)~sk_csum_fold(sk_csum_add64(sk_csum_add64(
		(uint16_t)~ck, (uint16_t)~sk_csum_fold(osum)),
		sk_csum_fold(nsum)));
	return true;
}

/* Carry a segment over and count it. */
static bool
relay_counted(struct sk_engine *e, struct rte_mbuf *m, const struct sk_pkt *p,
		const struct sk_flow *x, const struct sk_flow *y)
{
	if (!relay(e, m, p, x, y))
		return false;
	if (sk_flow_px_inside(x))
		SK_STAT_INC(&e->st, proxy_fwd_b2c);
	else
		SK_STAT_INC(&e->st, proxy_fwd_c2b);
	return true;
}

/*
 * Side @p x sends segment @p p to side @p y: what x has sent so far, its
 * FIN; what of y's x ACKs now (the bytes counted each way are those the
 * receiver ACKed: each once, whatever the losses, reordering and
 * retransmissions on the way), y's FIN ACKed, the pair's end (both FINs
 * ACKed: TIME_WAIT), the idle timer; then the segment relayed.
 */
static bool
forward(struct sk_engine *e, struct rte_mbuf *m, const struct sk_pkt *p,
		struct sk_flow *x, struct sk_flow *y)
{
	struct sk_flow *c = sk_flow_px_inside(x) ? y : x;
	const uint8_t fl = p->flags;
	const uint32_t end = p->seq + p->plen + !!(fl & SK_TH_FIN);

	if (SK_SEQ_GT(end, x->px.nxt))
		x->px.nxt = end;
	if ((fl & SK_TH_FIN) && !(x->px.st & SK_PX_FIN)) {
		x->px.st |= SK_PX_FIN;
		SK_STAT_INC(&e->st, rx_fin);
		sk_tcp_enter(e, x, SK_ST_FIN_WAIT_1);
	}
	if (fl & SK_TH_ACK) {
		/* in y's own numbers; below una (old, or our PROXY
		 * header's) or past what y sent: nothing new */
		const uint32_t a = p->ack - y->px.seq_add;

		if (SK_SEQ_GT(a, y->px.una) && SK_SEQ_LEQ(a, y->px.nxt)) {
			const bool fin = (y->px.st & SK_PX_FIN) &&
				a == y->px.nxt;
			const uint32_t bytes = a - y->px.una - fin;
			struct sk_px_backend *be = &e->px->be[c->px.be];

			y->px.una = a;
			if (sk_flow_px_inside(y)) {
				SK_STAT_ADD(&e->st, proxy_bytes_b2c, bytes);
				BE_ADD(be, bytes_b2c, bytes);
			} else {
				SK_STAT_ADD(&e->st, proxy_bytes_c2b, bytes);
				BE_ADD(be, bytes_c2b, bytes);
			}
			if (fin) {
				y->px.st |= SK_PX_FIN_ACKED;
				sk_tcp_enter(e, y, SK_ST_FIN_WAIT_2);
			}
			if (fin && (x->px.st & SK_PX_FIN_ACKED)) {
				/* both closed: keep the pair a while for the
				 * last ACK's retransmissions and a reused
				 * client port; the two ends keep their own
				 * 2 MSL */
				sk_tcp_enter(e, x, SK_ST_TIME_WAIT);
				sk_tcp_enter(e, y, SK_ST_TIME_WAIT);
				SK_STAT_INC(&e->st, proxy_closed);
				SK_STAT_INC(&e->st, close_normal);
				sk_tcp_arm(e, c, e->cfg.proxy_time_wait_ms);
			}
		}
	}
	if (e->cfg.idle_ms && c->state != SK_ST_TIME_WAIT)
		sk_tcp_arm(e, c, e->cfg.idle_ms);
	return relay_counted(e, m, p, x, y);
}

/* A client segment while the backend has not answered: data and FIN are
 * held (one segment), an RST ends it all. */
static bool
client_early(struct sk_engine *e, struct rte_mbuf **mp,
		const struct sk_pkt *p, struct sk_flow *c)
{
	struct rte_mbuf *m = *mp;
	struct sk_flow *b = peer_of(e, c);

	if (p->flags & SK_TH_RST) {
		struct sk_seg s = {
			.seq = c->px.nxt + c->px.seq_add, .flags = SK_TH_RST,
		};
		struct sk_neigh n = {
			.ip = b->key.raddr, .mac = e->px->be[c->px.be].mac,
		};

		SK_STAT_INC(&e->st, rx_rst);
		SK_STAT_INC(&e->st, proxy_reset);
		/* the backend is in SYN-RECEIVED: our SYN's ISN + 1 resets
		 * it (RFC 9293 3.10.7.3) */
		sk_tcp_seg_to(e, m, b, &n, &s, NULL, 0);
		SK_STAT_INC(&e->st, tx_rst);
		pair_free(e, c);
		return true;
	}
	if ((p->plen != 0 || (p->flags & SK_TH_FIN)) && (p->flags & SK_TH_ACK)
			&& !(p->flags & SK_TH_SYN) && park(e, c, m, p)) {
		*mp = NULL;  /* kept: neither sent nor freed */
		return false;
	}
	/* A pure ACK tells the backend nothing yet: taken, as in
	 * ESTABLISHED. (With several workers reading the queues of a tap the
	 * client's handshake ACK may come after its first data segment,
	 * whose ACK carried the cookie too and made the pair.) */
	if ((p->flags & (SK_TH_SYN | SK_TH_ACK | SK_TH_FIN)) == SK_TH_ACK &&
			p->plen == 0)
		return false;
	SK_STAT_INC(&e->st, drop_state);
	return false;
}

/* Our ACK of the backend's SYN-ACK @p p, in place: the client's sequence
 * and window (@p cwin, as the client sent it) as the backend sees them,
 * and the backend's own TSval echoed (with the TSval of our SYN, which
 * the client's later ones, shifted, never fall below). With PROXY
 * protocol the header rides on it. */
static bool
handshake_ack(struct sk_engine *e, struct rte_mbuf *m, const struct sk_pkt *p,
		const struct sk_flow *c, const struct sk_flow *b, uint16_t cwin)
{
	const uint32_t win = ((uint32_t)cwin << c->px.ws_in) >> b->px.ws_to;
	struct sk_seg s = {
		.seq = c->px.nxt + c->px.seq_add, .ack = b->px.nxt,
		.flags = SK_TH_ACK,
		.win = (uint16_t)(win < UINT16_MAX ? win : UINT16_MAX),
	};
	uint8_t o[12], hdr[SK_PP2_MAX];
	unsigned int ol = 0;

	if (c->flags & SK_FF_TS)
		ol = sk_tcp_opt_ts(o, b->px.tmp, p->tsval);
	if (b->px.st & SK_PX_HDR) {
		s.len = (uint16_t)pp2_header(e, c, hdr);
		s.data = hdr;
		s.seq = c->px.tmp - s.len;
		s.flags |= SK_TH_PSH;
		SK_STAT_INC(&e->st, proxy_pp2_sent);
	} else {
		SK_STAT_INC(&e->st, tx_ack);
	}
	return sk_tcp_reply(e, m, p, &s, o, ol, NULL);
}

/* The PROXY protocol header again, in a fresh mbuf to the out queue: the
 * backend ACKs below its end (the first one was lost). */
static void
pp2_resend(struct sk_engine *e, const struct sk_flow *c, const struct sk_flow *b)
{
	uint8_t hdr[SK_PP2_MAX], o[12];
	struct sk_seg s = {
		/* never ACK more of the backend's than the client has */
		.ack = b->px.una, .flags = SK_TH_ACK | SK_TH_PSH,
		.data = hdr, .win = (uint16_t)(UINT16_MAX >> b->px.ws_to),
	};
	struct sk_neigh n = {
		.ip = b->key.raddr, .mac = e->px->be[b->px.be].mac,
	};
	struct rte_mbuf *m = rte_pktmbuf_alloc(e->par.pool);
	unsigned int ol = 0;

	if (m == NULL) {
		SK_STAT_INC(&e->st, drop_mbuf);
		return;
	}
	s.len = (uint16_t)pp2_header(e, c, hdr);
	s.seq = c->px.tmp - s.len;
	/* TSecr 0: no RTT sample from a retransmission (RFC 7323 4.1) */
	if (c->flags & SK_FF_TS)
		ol = sk_tcp_opt_ts(o, b->px.tmp, 0);
	sk_tcp_seg_to(e, m, b, &n, &s, o, ol);
	SK_STAT_INC(&e->st, proxy_pp2_retx);
	out_push(e, m);
}

/* The backend's answer to our SYN. */
static bool
backend_answer(struct sk_engine *e, struct rte_mbuf **mp, struct sk_pkt *p,
		struct sk_flow *c, struct sk_flow *b)
{
	struct rte_mbuf *m = *mp, *pm;
	const uint32_t snd_nxt = c->px.nxt + c->px.seq_add; /* our SYN + 1 */
	struct sk_pkt pk;
	uint32_t s0;
	uint16_t cwin;
	bool sent;

	switch (sk_tcp_syn_sent(e, p, snd_nxt - 1, snd_nxt)) {
	case SK_SS_SYNACK:
		break;
	case SK_SS_BAD_ACK: {
		struct rte_mbuf *syn;

		SK_STAT_INC(&e->st, drop_old_ack);
		/* Most likely the backend still holds this tuple's last
		 * connection in TIME_WAIT (after our restart, a sequence
		 * number below it) and ACKed that one. The reset ends its
		 * TIME_WAIT (Linux, RFC 1337 aside): send the SYN again at
		 * once, once, rather than at the next timeout. */
		if (c->retries == 0 &&
				(syn = rte_pktmbuf_alloc(e->par.pool)) != NULL) {
			c->retries = 1;
			sk_tcp_send_rst(e, m, p);
			backend_syn(e, syn, c);
			SK_STAT_INC(&e->st, proxy_syn_retx);
			out_push(e, syn);
			return true;
		}
		return sk_tcp_send_rst(e, m, p);
	}
	case SK_SS_REFUSED:
		SK_STAT_INC(&e->st, proxy_fail_refused);
		return connect_failed(e, m, c);
	default:
		return false;
	}
	if ((c->flags & SK_FF_TS) && !p->has_ts) {
		/* the client keeps timestamps on every segment (RFC 7323
		 * 3.2); one side without them cannot be spliced */
		SK_STAT_INC(&e->st, proxy_fail_options);
		return connect_failed(e, m, c);
	}
	/* the backend's numbers: its ISN, window scale, TSval */
	b->px.nxt = p->seq + 1;
	b->px.una = p->seq + 1;
	s0 = b->px.seq_add;
	b->px.seq_add = s0 - p->seq;
	if ((c->flags & SK_FF_WSCALE) && p->has_ws) {
		b->px.ws_in = p->wscale;
	} else {
		/* no scaling toward it: the client's windows unscaled */
		b->px.ws_in = 0;
		b->px.ws_to = 0;
	}
	b->px.ts_add = (c->flags & SK_FF_TS) ?
		b->px.ts_add - p->tsval : 0;
	cwin = (uint16_t)c->px.tmp;
	if (e->cfg.proxy_protocol) {
		uint8_t hdr[SK_PP2_MAX];
		unsigned int hl = pp2_header(e, c, hdr);

		/* the client's bytes come after the header; its end is
		 * kept for resending it */
		c->px.seq_add += hl;
		c->px.tmp = c->px.nxt + c->px.seq_add;
		b->px.st |= SK_PX_HDR;
	}
	c->px.st &= (uint8_t)~SK_PX_CONNECTING;
	b->px.st &= (uint8_t)~SK_PX_CONNECTING;
	sk_tcp_enter(e, b, SK_ST_ESTABLISHED);
	b->born = e->now_ms;
	c->retries = 0;
	SK_STAT_INC(&e->st, proxy_established);
	BE_ADD(&e->px->be[c->px.be], established, 1);
	e->px->be[c->px.be].fails = 0;
	if (e->cfg.idle_ms)
		sk_tcp_arm(e, c, e->cfg.idle_ms);
	else
		sk_wheel_cancel(&e->wheel, (uint32_t)(c - e->flows));

	pm = b->px.st & SK_PX_HDR ? NULL : unpark(e, c, &pk);
	if (pm != NULL) {
		/* the client's first data completes the backend's
		 * handshake: it ACKs the SYN-ACK as the bare ACK would */
		rte_pktmbuf_free(m);
		*mp = pm;
		sent = forward(e, pm, &pk, c, b);
	} else {
		sent = handshake_ack(e, m, p, c, b, cwin);
	}
	/* then, in order, whatever else the client sent meanwhile */
	while ((pm = unpark(e, c, &pk)) != NULL) {
		if (forward(e, pm, &pk, c, b))
			out_push(e, pm);
		else
			rte_pktmbuf_free(pm);
	}
	return sent;
}

bool
sk_proxy_input(struct sk_engine *e, struct rte_mbuf **mp, struct sk_pkt *p,
		struct sk_flow *f, bool *synack)
{
	struct sk_flow *y = peer_of(e, f);
	struct sk_flow *c = sk_flow_px_inside(f) ? y : f;
	struct sk_flow *b = sk_flow_px_inside(f) ? f : y;
	const uint8_t fl = p->flags;

	if (unlikely(c->px.st & SK_PX_CONNECTING)) {
		if (sk_flow_px_inside(f) && (c->px.st & SK_PX_RESOLVING)) {
			/* nothing sent on this tuple yet: an old
			 * connection's segment */
			SK_STAT_INC(&e->st, drop_state);
			return false;
		}
		return sk_flow_px_inside(f) ? backend_answer(e, mp, p, c, b) :
			client_early(e, mp, p, c);
	}
	if (unlikely(fl & SK_TH_SYN)) {
		if (!sk_flow_px_inside(f) && !(fl & SK_TH_ACK) &&
				((c->px.st | b->px.st) & SK_PX_FIN)) {
			/* the client reuses its tuple after a close we still
			 * remember (RFC 9293 3.6.1): a new connection, a new
			 * cookie and a new backend connection */
			pair_free(e, c);
			SK_STAT_INC(&e->st, flow_tw_reuse);
			*synack = true;
			return false;
		}
		if (sk_flow_px_inside(f) && (fl & SK_TH_ACK) &&
				p->seq + 1 == b->px.nxt) {
			/* the SYN-ACK again: our handshake ACK was lost */
			return handshake_ack(e, *mp, p, c, b,
				(uint16_t)(UINT16_MAX >> c->px.ws_in));
		}
		SK_STAT_INC(&e->st, drop_state);
		return false;
	}
	if (fl & SK_TH_RST) {
		/* relayed whatever its sequence: the endpoint checks it (RFC
		 * 5961 3.2); the pair ends when it is the exact next byte */
		const bool exact = p->seq == f->px.nxt;

		SK_STAT_INC(&e->st, rx_rst);
		if (!relay_counted(e, *mp, p, f, y))
			return false;
		if (exact) {
			SK_STAT_INC(&e->st, proxy_reset);
			SK_STAT_INC(&e->st, close_rst);
			pair_free(e, c);
		}
		return true;
	}
	if (!(fl & SK_TH_ACK)) {
		SK_STAT_INC(&e->st, drop_no_ack);
		return false;
	}
	if (unlikely(b->px.st & SK_PX_HDR) && f == b) {
		if (SK_SEQ_GEQ(p->ack, c->px.tmp) || (fl & SK_TH_FIN))
			b->px.st &= (uint8_t)~SK_PX_HDR;
		else if (p->plen == 0)
			pp2_resend(e, c, b);
	}
	return forward(e, *mp, p, f, y);
}

unsigned int
sk_proxy_timer(struct sk_engine *e, struct sk_flow *c, struct rte_mbuf **tx)
{
	struct sk_flow *b = peer_of(e, c);
	unsigned int n = 0;

	if (c->px.st & SK_PX_CONNECTING) {
		const uint32_t age = e->now_ms - c->born;
		uint32_t rto;
		bool first;

		if (age >= e->cfg.proxy_connect_ms) {
			if (c->px.st & SK_PX_RESOLVING)
				SK_STAT_INC(&e->st, proxy_fail_unresolved);
			else
				SK_STAT_INC(&e->st, proxy_fail_timeout);
			tx[0] = rte_pktmbuf_alloc(e->par.pool);
			if (tx[0] == NULL) {
				SK_STAT_INC(&e->st, drop_mbuf);
				backend_failed(e, c);
				pair_free(e, c);
				return 0;
			}
			connect_failed(e, tx[0], c);
			return 1;
		}
		first = (c->px.st & SK_PX_RESOLVING) != 0;
		if (first) {
			if (!__atomic_load_n(&e->px->be[c->px.be].resolved,
					__ATOMIC_RELAXED)) {
				sk_tcp_arm(e, c, RTE_MIN(
					(uint32_t)SK_PX_RESOLVE_POLL_MS,
					e->cfg.proxy_connect_ms - age));
				return 0;
			}
			/* the MAC came: the first SYN now */
			c->px.st &= (uint8_t)~SK_PX_RESOLVING;
			rto = RTE_MIN(e->cfg.proxy_syn_rto_ms,
				e->cfg.proxy_connect_ms - age);
		} else {
			/* RFC 6298 5.5: back off, but never past the bound */
			c->retries = (uint8_t)RTE_MIN(c->retries + 1u, 20u);
			rto = RTE_MIN((uint64_t)e->cfg.proxy_syn_rto_ms <<
				c->retries, (uint64_t)e->cfg.proxy_connect_ms -
				age);
		}
		sk_tcp_arm(e, c, rto);
		tx[0] = rte_pktmbuf_alloc(e->par.pool);
		if (tx[0] == NULL) {
			SK_STAT_INC(&e->st, drop_mbuf);
			return 0;  /* sent again at the next timeout */
		}
		backend_syn(e, tx[0], c);
		if (!first)
			SK_STAT_INC(&e->st, proxy_syn_retx);
		return 1;
	}
	if (c->state == SK_ST_TIME_WAIT) {
		pair_free(e, c);
		return 0;
	}
	/* idle: both ends reset (RFC 9293 3.10.5) */
	SK_STAT_INC(&e->st, proxy_idle);
	SK_STAT_INC(&e->st, close_idle);
	tx[n] = rte_pktmbuf_alloc(e->par.pool);
	if (tx[n] != NULL)
		rst_to(e, tx[n++], c, next_to(e, c));
	tx[n] = rte_pktmbuf_alloc(e->par.pool);
	if (tx[n] != NULL)
		rst_to(e, tx[n++], b, next_to(e, b));
	if (n < 2)
		SK_STAT_INC(&e->st, drop_mbuf);
	pair_free(e, c);
	return n;
}

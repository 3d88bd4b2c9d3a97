/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration reload (lib/sk_reload.h): what sk_reload_diff() reports,
 * and what an engine does after sk_engine_reload(), seen from a peer:
 * which ports answer, with which MSS, and whether a handshake begun before
 * a cookie rotation change still completes.
 */

#include <errno.h>
#include <string.h>

#include <rte_mbuf.h>

#include "sk_common.h"
#include "sk_config.h"
#include "sk_engine.h"
#include "sk_frames.h"
#include "sk_reload.h"
#include "sk_test.h"

#define ENGINE_IP 0xc6120002u  /* 198.18.0.2 */
#define PEER_IP   0xc6120001u  /* 198.18.0.1 */
#define NS_PER_MS 1000000ull

#define F(x) RTE_TCP_ ## x ## _FLAG

static struct rte_mempool *pool;
static struct sk_engine *eng;
static uint64_t now = 5 * NS_PER_MS;
static struct skt_resp resp;

static void
base_config(struct sk_config *c)
{
	sk_config_defaults(c);
	c->n_addrs = 1;
	c->addrs[0].addr = rte_cpu_to_be_32(ENGINE_IP);
	c->addrs[0].prefix = 24;
	c->n_listen = 2;
	c->listen[0].port = 8080;
	c->listen[0].app = SK_APP_HELLO;
	c->listen[1].port = 80;
	c->listen[1].app = SK_APP_HTTP;
	c->flow_capacity = 64;
	c->time_wait_ms = 1000;
	c->cookie_max_age_s = 128;
	c->cookie_rotate_s = 0;
	c->secret_set = true;
	memset(c->secret, 7, sizeof(c->secret));
}

/* One segment from the peer; the number of answers (kept in resp). */
static unsigned int
xmit(uint16_t sport, uint16_t dport, uint8_t flags, uint32_t seq,
		uint32_t ack)
{
	/* an MSS option, so the SYN-ACK's MSS is min(ours, 1460) */
	static const uint8_t mss[4] = { 2, 4, 0x05, 0xb4 };
	struct skt_frame f = {
		.saddr = PEER_IP, .daddr = ENGINE_IP,
		.sport = sport, .dport = dport,
		.seq = seq, .ack = ack, .flags = flags,
		.opts = flags & F(SYN) ? mss : NULL,
		.optlen = flags & F(SYN) ? 4 : 0,
	};
	struct rte_mbuf *m, *tx[4];
	uint16_t n;

	m = skt_build(pool, &f);
	n = sk_engine_input(eng, &m, 1, tx, now);
	if (n == 1) {
		skt_read(tx[0], &resp);
		rte_pktmbuf_free(tx[0]);
	}
	return n;
}

static bool
syn_answer(uint16_t sport, uint16_t dport, uint8_t want)
{
	return xmit(sport, dport, F(SYN), 1000, 0) == 1 && resp.flags == want;
}

static void
test_diff(void)
{
	struct sk_config a, b;
	char live[512], fixed[256];
	unsigned int n;

	base_config(&a);
	b = a;
	n = sk_reload_diff(&a, &b, false, live, sizeof(live), fixed,
		sizeof(fixed));
	CHECK(n == 0 && live[0] == '\0' && fixed[0] == '\0',
		"same configuration: nothing ('%s' / '%s')", live, fixed);

	b.listen[1].app = SK_APP_ECHO;          /* 80: http -> echo */
	b.listen[0].port = 81;                  /* 8080 gone, 81 new */
	b.listen[0].app = SK_APP_HOLD;
	b.time_wait_ms = 250;
	b.cookie_rotate_s = 3600;
	b.flow_capacity = 128;
	b.addrs[0].prefix = 16;
	n = sk_reload_diff(&a, &b, true, live, sizeof(live), fixed,
		sizeof(fixed));
	CHECK_EQ(n, 3, "three live changes");
	CHECK(strcmp(live, "listen +81:hold 80:http->echo -8080:hello; "
		"time_wait 1s -> 250ms; cookie rotate 0 -> 3600s") == 0,
		"live: '%s'", live);
	CHECK(strcmp(fixed, "addresses, flow_capacity, cookie secret") == 0,
		"needs a restart: '%s'", fixed);

	b = a;
	strcpy(b.client_target, "198.18.0.1:80");
	sk_reload_diff(&a, &b, false, live, sizeof(live), fixed,
		sizeof(fixed));
	CHECK(strcmp(fixed, "[client]") == 0, "client role: '%s'", fixed);

	b = a;
	b.n_addrs6 = 1;
	b.addrs6[0].addr[0] = 0x20;
	b.addrs6[0].prefix = 64;
	sk_reload_diff(&a, &b, false, live, sizeof(live), fixed,
		sizeof(fixed));
	CHECK(strcmp(fixed, "addresses") == 0, "IPv6 address added: '%s'",
		fixed);
	a = b;
	b.addrs6[0].prefix = 48;
	sk_reload_diff(&a, &b, false, live, sizeof(live), fixed,
		sizeof(fixed));
	CHECK(strcmp(fixed, "addresses") == 0, "IPv6 prefix: '%s'", fixed);
	base_config(&a);

	/* a short buffer is cut, never overrun */
	b = a;
	b.time_wait_ms = 2000;
	b.mss = 1200;
	sk_reload_diff(&a, &b, false, live, 12, fixed, sizeof(fixed));
	CHECK(strlen(live) < 12, "short buffer: '%s'", live);
}

/* [proxy] and which ports are proxied need a restart (the data path takes
 * its backends at start): reported as such, and never merged; but for the
 * two timeouts, live. */
static void
test_diff_proxy(void)
{
	struct sk_config a, b, m;
	char live[512], fixed[256];
	unsigned int n;

	base_config(&a);
	a.listen[0].app = SK_APP_PROXY;         /* 8080:proxy, 80:http */
	a.n_backends = 1;
	a.backends[0].family = 4;
	a.backends[0].addr = rte_cpu_to_be_32(PEER_IP + 8);
	a.backends[0].port = 80;
	b = a;
	n = sk_reload_diff(&a, &b, false, live, sizeof(live), fixed,
		sizeof(fixed));
	CHECK(n == 0 && live[0] == '\0' && fixed[0] == '\0',
		"proxy: same configuration, nothing ('%s' / '%s')", live,
		fixed);

	b.proxy_connect_ms = 5000;
	b.proxy_syn_rto_ms = 250;
	n = sk_reload_diff(&a, &b, false, live, sizeof(live), fixed,
		sizeof(fixed));
	CHECK(n == 2 && strcmp(live, "proxy connect_timeout 3s -> 5s; "
		"proxy syn_rto 1s -> 250ms") == 0 && fixed[0] == '\0',
		"connect_timeout, syn_rto: live '%s' / '%s'", live, fixed);
	m = a;
	sk_reload_merge(&m, &b);
	CHECK(m.proxy_connect_ms == 5000 && m.proxy_syn_rto_ms == 250,
		"and merged");
	b = a;
	b.backends[0].port = 81;
	sk_reload_diff(&a, &b, false, live, sizeof(live), fixed,
		sizeof(fixed));
	CHECK(strcmp(fixed, "[proxy]") == 0, "a backend's port: '%s'", fixed);
	b = a;
	b.backends[0].family = 6;
	b.backends[0].addr6[0] = 0x20;
	sk_reload_diff(&a, &b, false, live, sizeof(live), fixed,
		sizeof(fixed));
	CHECK(strcmp(fixed, "[proxy]") == 0, "a backend's family: '%s'",
		fixed);
	b = a;
	b.backends[1] = b.backends[0];
	b.backends[1].port = 82;
	b.n_backends = 2;
	sk_reload_diff(&a, &b, false, live, sizeof(live), fixed,
		sizeof(fixed));
	CHECK(strcmp(fixed, "[proxy]") == 0, "a backend added: '%s'", fixed);
	b = a;
	b.proxy_protocol = true;
	b.proxy_port_lo = 2000;
	n = sk_reload_diff(&a, &b, false, live, sizeof(live), fixed,
		sizeof(fixed));
	CHECK(n == 0 && strcmp(fixed, "[proxy]") == 0,
		"proxy_protocol, source_ports: '%s'", fixed);
	m = a;
	sk_reload_merge(&m, &b);
	CHECK(!m.proxy_protocol && m.proxy_port_lo == a.proxy_port_lo &&
		m.n_backends == 1, "not merged");

	/* a listen change that leaves the proxied ports alone is live */
	b = a;
	b.listen[1].app = SK_APP_ECHO;
	n = sk_reload_diff(&a, &b, false, live, sizeof(live), fixed,
		sizeof(fixed));
	CHECK(n == 1 && strcmp(live, "listen 80:http->echo") == 0 &&
		fixed[0] == '\0', "proxy kept, 80 http->echo: live '%s' / "
		"'%s'", live, fixed);
	m = a;
	sk_reload_merge(&m, &b);
	CHECK(m.listen[1].app == SK_APP_ECHO &&
		m.listen[0].app == SK_APP_PROXY, "and merged");

	/* a port that becomes proxied: the listen change waits, whole */
	b = a;
	b.listen[1].app = SK_APP_PROXY;
	b.n_listen = 3;
	b.listen[2].port = 7;
	b.listen[2].app = SK_APP_ECHO;
	b.time_wait_ms = 250;
	n = sk_reload_diff(&a, &b, false, live, sizeof(live), fixed,
		sizeof(fixed));
	CHECK(n == 1 && strcmp(live, "time_wait 1s -> 250ms") == 0 &&
		strcmp(fixed, "listen (a port to or from proxy)") == 0,
		"80 http->proxy: needs a restart: live '%s' / '%s'", live,
		fixed);
	m = a;
	sk_reload_merge(&m, &b);
	CHECK(m.n_listen == 2 && m.listen[1].app == SK_APP_HTTP &&
		m.time_wait_ms == 250,
		"not merged: 80 stays http, 7 not added; time_wait is");

	/* a port that stops being proxied, or goes */
	b = a;
	b.listen[0].app = SK_APP_HELLO;
	n = sk_reload_diff(&a, &b, false, live, sizeof(live), fixed,
		sizeof(fixed));
	CHECK(n == 0 && strcmp(fixed, "listen (a port to or from proxy)") == 0,
		"8080 proxy->hello: '%s' / '%s'", live, fixed);
	b = a;
	b.n_listen = 1;
	b.listen[0] = a.listen[1];
	n = sk_reload_diff(&a, &b, false, live, sizeof(live), fixed,
		sizeof(fixed));
	CHECK(n == 0 && strcmp(fixed, "listen (a port to or from proxy)") == 0,
		"8080:proxy removed: '%s' / '%s'", live, fixed);
	m = a;
	sk_reload_merge(&m, &b);
	CHECK(m.n_listen == 2 && m.listen[0].port == 8080 &&
		m.listen[0].app == SK_APP_PROXY, "not merged: 8080 stays");

	/* both at once */
	b = a;
	b.listen[0].app = SK_APP_HELLO;
	b.n_backends = 0;
	sk_reload_diff(&a, &b, false, live, sizeof(live), fixed,
		sizeof(fixed));
	CHECK(strcmp(fixed, "listen (a port to or from proxy), [proxy]") == 0,
		"proxy turned off: '%s'", fixed);
}

static void
test_engine(void)
{
	struct sk_config a, b;
	uint32_t cookie;

	base_config(&a);
	eng = skt_engine(&a, pool, now);
	CHECK(syn_answer(40000, 80, F(SYN) | F(ACK)), "80 listens");
	CHECK(syn_answer(40001, 81, F(RST) | F(ACK)), "81 closed");
	CHECK(syn_answer(40002, 8080, F(SYN) | F(ACK)), "8080 listens");
	/* a handshake in flight across the reload: SYN-ACK now, ACK after */
	CHECK(syn_answer(40003, 80, F(SYN) | F(ACK)), "SYN before the reload");
	cookie = resp.seq;

	b = a;
	b.listen[0].port = 81;
	b.listen[0].app = SK_APP_ECHO;
	b.mss = 1200;
	b.time_wait_ms = 5000;
	b.cookie_rotate_s = 3600;
	CHECK_EQ(sk_engine_reload(eng, &b), 0, "reload applied");
	CHECK(syn_answer(40004, 8080, F(RST) | F(ACK)),
		"8080 no longer listed: RST");
	CHECK(syn_answer(40005, 81, F(SYN) | F(ACK)), "81 added: SYN-ACK");
	CHECK_EQ(resp.mss, 1200, "the new MSS advertised");
	CHECK_EQ(sk_engine_config(eng)->time_wait_ms, 5000,
		"time_wait taken over");
	CHECK_EQ(sk_engine_config(eng)->cookie_rotate_s, 3600,
		"rotation taken over");
	CHECK_EQ(sk_engine_config(eng)->n_listen, 2, "two listeners");
	CHECK_EQ(sk_engine_config(eng)->flow_capacity, 64,
		"flow_capacity unchanged");

	xmit(40003, 80, F(ACK), 1001, cookie + 1);
	CHECK_EQ(sk_engine_stats(eng)->cookie_ok, 1,
		"a SYN-ACK sent before the new rotation: its ACK still checks");
	CHECK_EQ(sk_engine_stats(eng)->flow_created, 1, "flow created");

	/* refused cookie parameters: nothing changes */
	b.cookie_rotate_s = 100;   /* < max_age rounded up + 64 s */
	b.listen[1].app = SK_APP_HOLD;
	CHECK_EQ(sk_engine_reload(eng, &b), -EINVAL, "bad rotation refused");
	CHECK_EQ(sk_engine_config(eng)->listen[1].app, SK_APP_HTTP,
		"and nothing else applied");
	sk_engine_free(eng);
	eng = NULL;
}

int
main(void)
{
	unsigned int avail;

	pool = skt_eal("test_reload");
	avail = rte_mempool_avail_count(pool);
	test_diff();
	test_diff_proxy();
	test_engine();
	CHECK_EQ(rte_mempool_avail_count(pool), avail, "no mbuf leaked");
	skt_eal_done();
	return sk_test_done();
}

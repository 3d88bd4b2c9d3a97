/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SK_COMMON_H
#define SK_COMMON_H

/**
 * @file
 * Definitions shared by every part of libsynack: the log type, wrap-safe
 * TCP sequence arithmetic and a few helpers.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_log.h>

/*
 * Log types, registered with DPDK so that the EAL's --log-level
 * ("--log-level=synack.*:debug", "--log-level=synack.port:warning") and
 * --syslog apply to them:
 *   synack.engine  the protocol engine (lib/), SK_LOG()
 *   synack.port    bringing a port up, its link and offloads
 *   synack.config  the configuration file, --check, SIGHUP reloads
 *   synack.app     synackd itself: start-up, signals, shutdown
 * Messages at WARNING and above carry "warning: " / "error: " after the
 * prefix, as synackd's own one-line errors always have.
 */
extern int sk_logtype;          /* synack.engine */
extern int sk_logtype_port;     /* synack.port */
extern int sk_logtype_config;   /* synack.config */
extern int sk_logtype_app;      /* synack.app */
#define RTE_LOGTYPE_SYNACK sk_logtype

/** "error: ", "warning: " or "" for an RTE_LOG_ level. */
const char *sk_log_tag(uint32_t level);

/** Log one line of @p type at RTE_LOG_ @p level with @p prefix. */
#define SK_LOG_TYPE(type, level, prefix, fmt, ...) \
	rte_log(RTE_LOG_ ## level, (type), prefix "%s" fmt "\n", \
		sk_log_tag(RTE_LOG_ ## level), ##__VA_ARGS__)

/* The engine's log (synack.engine); lib/ uses this one. */
#define SK_LOG(level, fmt, ...) \
	SK_LOG_TYPE(sk_logtype, level, "synack: ", fmt, ##__VA_ARGS__)
/* synackd's own lines, by subject. */
#define SK_LOG_PORT(level, fmt, ...) \
	SK_LOG_TYPE(sk_logtype_port, level, "synackd: ", fmt, ##__VA_ARGS__)
#define SK_LOG_CONFIG(level, fmt, ...) \
	SK_LOG_TYPE(sk_logtype_config, level, "synackd: ", fmt, ##__VA_ARGS__)
#define SK_LOG_APP(level, fmt, ...) \
	SK_LOG_TYPE(sk_logtype_app, level, "synackd: ", fmt, ##__VA_ARGS__)

/* Sequence space comparisons, RFC 9293 3.4: wrap-safe modulo 2^32. */
#define SK_SEQ_LT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SK_SEQ_LEQ(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
#define SK_SEQ_GT(a, b) SK_SEQ_LT(b, a)
#define SK_SEQ_GEQ(a, b) SK_SEQ_LEQ(b, a)

/* Responders: what synack does with the bytes a client sends on a port. */
#define SK_FOREACH_APP(_) \
	_(NONE, "none")   /* port closed: RST */ \
	_(HELLO, "hello") /* read a line, answer "Hello Client\n", close first */ \
	_(HTTP, "http")   /* read a request head, answer a fixed 200, close first */ \
	_(ECHO, "echo")   /* send every byte back, close when the peer closes */ \
	_(HOLD, "hold")   /* swallow bytes, close when the peer closes */ \
	_(PROXY, "proxy") /* splice to a backend after the cookie (sk_proxy.c) */

enum sk_app {
#define SK_APP_ENUM(n, s) SK_APP_ ## n,
	SK_FOREACH_APP(SK_APP_ENUM)
#undef SK_APP_ENUM
	SK_APP_MAX
};

/** Name of a responder ("hello"), or "?" for an out-of-range value. */
const char *sk_app_name(unsigned int app);
/** Responder by name; returns SK_APP_NONE for an unknown name. */
enum sk_app sk_app_from_name(const char *name);

/* TCP states, RFC 9293 3.3.2. LISTEN and SYN-RECEIVED are implicit in the
 * SYN cookie: no entry ever holds them. FREE marks an unused table entry. */
#define SK_FOREACH_STATE(_) \
	_(FREE, "FREE") \
	_(SYN_SENT, "SYN_SENT") \
	_(ESTABLISHED, "ESTABLISHED") \
	_(FIN_WAIT_1, "FIN_WAIT_1") \
	_(FIN_WAIT_2, "FIN_WAIT_2") \
	_(CLOSING, "CLOSING") \
	_(TIME_WAIT, "TIME_WAIT") \
	_(CLOSE_WAIT, "CLOSE_WAIT") \
	_(LAST_ACK, "LAST_ACK")

enum sk_state {
#define SK_STATE_ENUM(n, s) SK_ST_ ## n,
	SK_FOREACH_STATE(SK_STATE_ENUM)
#undef SK_STATE_ENUM
	SK_ST_MAX
};

/** Name of a TCP state as in RFC 9293 ("FIN_WAIT_1"). */
const char *sk_state_name(unsigned int state);

#endif /* SK_COMMON_H */

/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SK_RELOAD_H
#define SK_RELOAD_H

/**
 * @file
 * Configuration reload (SIGHUP, docs/operations.md#reload). The main lcore
 * reads and validates the new configuration, sk_reload_diff() says what
 * changed and what cannot change while synackd runs, and each worker lcore
 * applies the live part to its own engine between two bursts with
 * sk_engine_reload(): nothing of an engine is ever written by another
 * thread.
 *
 * Live: the listeners and their responders, [timeouts], [cookies] rotate and
 * max_age, mss, challenge_ack_limit, [proxy] connect_timeout and syn_rto
 * (engine); burst (worker loop);
 * [stats] and [log] (main lcore). Connections already open keep the
 * responder they were accepted with, and timers already armed keep their
 * deadline: new values apply to what starts after the reload.
 *
 * Not live (a restart is needed): addresses, [port] (device, rings, mbufs),
 * flow_capacity, the cookie secret, the client role, the rest of [proxy]
 * (backends, source_ports, proxy_protocol) and which
 * ports are proxied (a listen change that makes a port proxy or not is
 * held back whole); lcores and devices are EAL options, outside the
 * configuration.
 */

#include <stdbool.h>
#include <stddef.h>

#include "sk_config.h"
#include "sk_engine.h"

/**
 * Compare the running configuration @p cur with the new one @p next.
 * @p live receives what changed and will be applied ("time_wait 60s -> 1s;
 * listen +8081:echo"), @p fixed the names of what changed but needs a
 * restart ("addresses, flow_capacity"); each is "" when there is none.
 * Secrets are compared only through @p cur_secret / @p next_secret
 * (callers that wiped the running secret keep a digest): true when the
 * secret differs. @return the number of live changes.
 */
unsigned int sk_reload_diff(const struct sk_config *cur,
		const struct sk_config *next, bool secret_differs,
		char *live, size_t live_len, char *fixed, size_t fixed_len);

/** Copy the live part of @p next into @p cur (what sk_engine_reload()
 * takes over; the main lcore keeps its running configuration with it). */
void sk_reload_merge(struct sk_config *cur, const struct sk_config *next);

/**
 * Make the live part of the engine's configuration @p next (validated,
 * sk_config_validate()). Call it only on the engine's own lcore, between
 * bursts: it rewrites the per-port responder table, the timeouts and the
 * cookie keys in place. What cannot change live is left as it is. The
 * cookie key in use stays accepted for the cookie age when the rotation
 * changes, so handshakes in flight complete. Never logs, never allocates.
 * @return 0, or -EINVAL when the cookie parameters are unusable (nothing
 * changed then).
 */
int sk_engine_reload(struct sk_engine *e, const struct sk_config *next);

#endif /* SK_RELOAD_H */

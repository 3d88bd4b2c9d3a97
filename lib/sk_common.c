/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <rte_log.h>

#include "sk_common.h"

/* Full names, not RTE_LOG_REGISTER_DEFAULT/_SUFFIX: those build the name
 * from RTE_LOG_DEFAULT_LOGTYPE, which only DPDK's own build defines (here
 * the type was literally called "RTE_LOG_DEFAULT_LOGTYPE"). */
RTE_LOG_REGISTER(sk_logtype, synack.engine, INFO);
RTE_LOG_REGISTER(sk_logtype_port, synack.port, INFO);
RTE_LOG_REGISTER(sk_logtype_config, synack.config, INFO);
RTE_LOG_REGISTER(sk_logtype_app, synack.app, INFO);

static const char *const app_names[] = {
#define SK_APP_NAME(n, s) s,
	SK_FOREACH_APP(SK_APP_NAME)
#undef SK_APP_NAME
};

static const char *const state_names[] = {
#define SK_STATE_NAME(n, s) s,
	SK_FOREACH_STATE(SK_STATE_NAME)
#undef SK_STATE_NAME
};

const char *
sk_app_name(unsigned int app)
{
	return app < SK_APP_MAX ? app_names[app] : "?";
}

enum sk_app
sk_app_from_name(const char *name)
{
	for (unsigned int i = 1; i < SK_APP_MAX; i++)
		if (strcmp(name, app_names[i]) == 0)
			return (enum sk_app)i;
	return SK_APP_NONE;
}

const char *
sk_log_tag(uint32_t level)
{
	return level <= RTE_LOG_ERR ? "error: " :
		level == RTE_LOG_WARNING ? "warning: " : "";
}

const char *
sk_state_name(unsigned int state)
{
	return state < SK_ST_MAX ? state_names[state] : "?";
}

/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CTL_SHOW_H
#define CTL_SHOW_H

/*
 * synackctl's commands: each asks the engine through @p t and prints a
 * table, the JSON (o->json), Prometheus text or a live view. Each returns
 * an exit code of ctl.h.
 */

#include "ctl.h"
#include "ctl_tel.h"

int ctl_show_stats(struct ctl_tel *t, const struct ctl_opts *o);
int ctl_show_lcores(struct ctl_tel *t, const struct ctl_opts *o);
int ctl_show_ports(struct ctl_tel *t, const struct ctl_opts *o);
int ctl_show_flows(struct ctl_tel *t, const struct ctl_opts *o);
int ctl_show_cookies(struct ctl_tel *t, const struct ctl_opts *o);
int ctl_show_config(struct ctl_tel *t, const struct ctl_opts *o);
int ctl_show_version(struct ctl_tel *t, const struct ctl_opts *o);
int ctl_show_client(struct ctl_tel *t, const struct ctl_opts *o);
int ctl_show_proxy(struct ctl_tel *t, const struct ctl_opts *o);
int ctl_show_raw(struct ctl_tel *t, const struct ctl_opts *o, const char *cmd);
int ctl_watch(struct ctl_tel *t, const struct ctl_opts *o);
int ctl_prometheus(struct ctl_tel *t, const struct ctl_opts *o);

/* The Prometheus text of every /synack/ figure, in memory (*text, *len;
 * the caller frees it): what prometheus prints and exporter serves.
 * Returns CTL_OK, or an exit code after ctl_error. */
int ctl_prom_text(struct ctl_tel *t, char **text, size_t *len);

#endif /* CTL_SHOW_H */

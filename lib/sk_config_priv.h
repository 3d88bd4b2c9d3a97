/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SK_CONFIG_PRIV_H
#define SK_CONFIG_PRIV_H

/*
 * What the sk_config*.c files share and nothing else includes: the key
 * table (sk_config_keys.c), the value parsers and formatters
 * (sk_config_value.c) and the one-line error writer. Each file does one
 * job:
 *
 *   sk_config_keys.c    every key: section, name, option, type, default,
 *                       range, help; lookup and typed field access
 *   sk_config_value.c   text to value and back: numbers, durations,
 *                       addresses, ranges, ports, MACs, escapes
 *   sk_config_ini.c     the INI file (rte_cfgfile)
 *   sk_config_args.c    the command line (getopt_long) and --help
 *   sk_config_client.c  the [client] section's strings to sk_client_cfg
 *   sk_config.c         defaults, validation (the [proxy] section's
 *                       against the rest too), print, the public helpers
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_cfgfile.h>
#include <rte_common.h>

#include "sk_config.h"

#define MS_PER_S 1000ull
#define MS_PER_M (60 * MS_PER_S)
#define MS_PER_H (60 * MS_PER_M)

/* Largest burst the engine takes (SK_BURST_MAX in sk_engine.h). */
#define CFG_BURST_MAX 64

enum sk_cfg_type {
	CT_ADDRS,   /* list of A[/P] */
	CT_LISTEN,  /* list of PORT:APP */
	CT_UINT,    /* integer, min..max */
	CT_POW2,    /* power of two, min..max */
	CT_MS,      /* duration stored in milliseconds; min, max, def in ms */
	CT_SEC,     /* duration stored in whole seconds; min, max, def in ms */
	CT_SECRET,  /* 32 hex digits */
	CT_STR,     /* text, "" allowed */
	CT_BOOL,    /* yes/no; a command-line option without a value sets it */
	CT_BACKENDS, /* list of IP:PORT or [IPv6]:PORT, "" = none */
	CT_PORTS,   /* "X-Y" or "X": two uint16_t fields, lo at off and hi
		     * right after it; def is SK_CFG_PORTS(lo, hi) */
};

/* A port range as one number: the default of a CT_PORTS key and what
 * sk_cfg_field_get() returns for it. */
#define SK_CFG_PORTS(lo, hi) ((uint64_t)(lo) << 16 | (uint64_t)(hi))
#define SK_CFG_PORTS_LO(v) ((uint16_t)((v) >> 16))
#define SK_CFG_PORTS_HI(v) ((uint16_t)(v))

/* 0 is allowed besides min..max (it means off / never); a bare "0" needs
 * no unit. */
#define CF_ZERO 0x1
/* The word "max" is accepted besides min..max and stored as SK_CPS_MAX
 * (the client's rate: search for the highest clean rate). */
#define CF_MAX 0x2

/* Room for a range in words: "0, or " + two 64-bit numbers with units. */
#define RANGE_LEN 64

struct sk_cfg_key {
	const char *section;
	const char *name;     /* key in the INI section */
	const char *opt;      /* long option, without "--" */
	const char *arg;      /* the option's argument in the usage text */
	enum sk_cfg_type type;
	unsigned int flags;   /* CF_ */
	size_t off;           /* field in struct sk_config */
	size_t size;          /* its size in bytes */
	uint64_t min, max;    /* range (ms for durations) */
	uint64_t def;         /* default (ms for durations) */
	const char *def_text; /* default in words, for keys without a number */
	const char *help;
};

/* How many keys sk_cfg_keys[] holds: a key added to the table without
 * raising this (or the other way round) fails to compile. */
#define SK_CFG_N_KEYS 49
#define SK_CFG_N_SECTIONS 8

extern const struct sk_cfg_key sk_cfg_keys[SK_CFG_N_KEYS];
extern const char *const sk_cfg_sections[SK_CFG_N_SECTIONS];

/* --- sk_config_keys.c --- */

/** The key @p name of [@p section], or NULL. */
const struct sk_cfg_key *sk_cfg_find_key(const char *section,
		const char *name);
bool sk_cfg_known_section(const char *section);
/** The section names, for messages ("engine, timeouts, ..."). */
const char *sk_cfg_section_list(char *buf, size_t size);
void sk_cfg_field_set(struct sk_config *c, const struct sk_cfg_key *k,
		uint64_t v);
/** The value of a numeric key in the table's units (ms for durations). */
uint64_t sk_cfg_field_get(const struct sk_config *c,
		const struct sk_cfg_key *k);
bool sk_cfg_is_numeric(const struct sk_cfg_key *k);
bool sk_cfg_is_list(const struct sk_cfg_key *k);

/* --- sk_config.c --- */

/** Write "WHERE: message" to err (WHERE may be NULL); returns -1. */
int sk_cfg_fail(char *err, size_t errlen, const char *where,
		const char *fmt, ...) __rte_format_printf(4, 5);

/* --- sk_config_value.c: formatting --- */

const char *sk_cfg_fmt_dur(uint64_t ms, char *buf, size_t size);
const char *sk_cfg_fmt_num(const struct sk_cfg_key *k, uint64_t v,
		char *buf, size_t size);
const char *sk_cfg_fmt_range(const struct sk_cfg_key *k, char *buf,
		size_t size);

/* --- sk_config_value.c: parsing --- */

int sk_cfg_parse_digits(const char *s, uint64_t *v, const char **end);
int sk_cfg_hex_digit(char ch);
/** Why an IPv4 address (host order) cannot be one of ours, or NULL. */
const char *sk_cfg_addr_problem(uint32_t a, unsigned int prefix);
/** Why an IPv6 address cannot be one of ours, or NULL. */
const char *sk_cfg_addr6_problem(const uint8_t *a);
/**
 * Set key @p k from text @p val. Lists are replaced, or appended to when
 * @p append. @p where names the key or option in messages.
 */
int sk_cfg_set_value(struct sk_config *c, const struct sk_cfg_key *k,
		const char *val, bool append, const char *where, char *err,
		size_t errlen);
int sk_cfg_unescape(const char *s, uint8_t *out, uint16_t *len,
		const char *where, char *err, size_t errlen);
int sk_cfg_parse_ip_range(const char *s, uint32_t *lo, uint32_t *hi);
int sk_cfg_parse_ip6_range(const char *s, uint8_t *pfx, uint32_t *lo,
		uint32_t *hi);
int sk_cfg_parse_port(const char *s, const char **end, uint16_t *port);
/** "X" or "X-Y" with 1 <= X <= Y <= 65535; 0 or -1. */
int sk_cfg_parse_port_range(const char *s, uint16_t *lo, uint16_t *hi);
/** A backend as --backend and [proxy] backends write it: "A.B.C.D:PORT",
 * "[X:Y::Z]:PORT" (RFC 5952). */
const char *sk_cfg_fmt_backend(const struct sk_config_backend *b, char *buf,
		size_t size);
/** "aa:bb:cc:dd:ee:ff", unicast, into @p mac; 0 or -1. */
int sk_cfg_parse_mac(const char *s, uint8_t mac[6]);

#endif /* SK_CONFIG_PRIV_H */

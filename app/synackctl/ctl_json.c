/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synackctl's JSON: jansson, and the few helpers every view needs.
 */

#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ctl_json.h"

json_t *
cj_parse(const char *text, size_t len, char *err, size_t errlen)
{
	json_error_t je;
	json_t *v;

	/* DECODE_ANY: a reply's value may be any JSON value; DPDK never
	 * writes a NUL inside a string, so one is refused (the default). */
	v = json_loadb(text, len, JSON_DECODE_ANY, &je);
	if (v == NULL)
		snprintf(err, errlen, "at byte %d: %s", je.position, je.text);
	return v;
}

uint64_t
cj_u64(const json_t *v, uint64_t def)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return def;
	return (uint64_t)json_integer_value(v);
}

uint64_t
cj_get_u64(const json_t *o, const char *key, uint64_t def)
{
	return cj_u64(json_object_get(o, key), def);
}

const char *
cj_get_str(const json_t *o, const char *key, const char *def)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : def;
}

void
cj_members(const json_t *o, struct cj_members *m)
{
	const char *key;
	json_t *val;
	size_t i = 0, n = json_is_object(o) ? json_object_size(o) : 0;

	m->n = n;
	m->k = calloc(n ? n : 1, sizeof(*m->k));
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): json_t pointers */
	m->v = calloc(n ? n : 1, sizeof(*m->v));
	if (m->k == NULL || m->v == NULL) {
		ctl_error(CTL_ERR, "out of memory");
		exit(CTL_ERR);
	}
	CJ_FOREACH(o, key, val) {
		m->k[i] = key;
		m->v[i] = val;
		i++;
	}
}

void
cj_members_free(struct cj_members *m)
{
	free(m->k);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

void
cj_print(FILE *f, const json_t *v, int indent)
{
	/* indent 0: ", " and ": " between members, all on one line */
	json_dumpf(v, f, JSON_ENCODE_ANY |
		(indent > 0 ? JSON_INDENT(indent) : 0));
}

void
cj_print_string(FILE *f, const char *s)
{
	json_t *j = json_string(s);

	if (j == NULL) {
		/* not UTF-8: jansson refuses it; no DPDK reply carries one */
		fputs("\"?\"", f);
		return;
	}
	json_dumpf(j, f, JSON_ENCODE_ANY);
	json_decref(j);
}

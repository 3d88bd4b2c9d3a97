/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CTL_JSON_H
#define CTL_JSON_H

/*
 * Thin helpers over jansson for DPDK telemetry replies. jansson keeps an
 * object's keys in the order they came (since 2.8), which the tables rely
 * on. Its integers are json_int_t (signed 64-bit): a counter above
 * 2^63 - 1 makes the reply unreadable ("too big integer"), which at a
 * billion events a second takes 292 years.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

/* Parse @p len bytes of @p text (one value, white space around it allowed).
 * Returns the tree, or NULL with a one-line reason in @p err. */
json_t *cj_parse(const char *text, size_t len, char *err, size_t errlen);

/* Unsigned value of @p v, or @p def when it is not a non-negative integer. */
uint64_t cj_u64(const json_t *v, uint64_t def);
/* Unsigned member @p key of @p o, or @p def. */
uint64_t cj_get_u64(const json_t *o, const char *key, uint64_t def);
/* String member @p key of @p o, or @p def. */
const char *cj_get_str(const json_t *o, const char *key, const char *def);

/* An object's members by position (the views index lcores by column):
 * pointers into the object, valid while it lives. */
struct cj_members {
	size_t n;
	const char **k;
	json_t **v;
};

/* Fill @p m from object @p o (none when @p o is not an object). Exits with
 * a message when out of memory. */
void cj_members(const json_t *o, struct cj_members *m);
void cj_members_free(struct cj_members *m);

/* Each member of object @p o (nothing when it is not one), in order;
 * jansson's foreach wants a non-const object but only reads it. */
#define CJ_FOREACH(o, key, val) \
	json_object_foreach((json_t *)(uintptr_t)(o), key, val)

/* Write @p v as JSON: on one line when @p indent is 0, else pretty-printed
 * with @p indent spaces per level. */
void cj_print(FILE *f, const json_t *v, int indent);
/* Write @p s as a JSON string, quotes included. */
void cj_print_string(FILE *f, const char *s);

#endif /* CTL_JSON_H */

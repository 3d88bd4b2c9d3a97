/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CTL_JSON_H
#define CTL_JSON_H

/*
 * A small JSON reader and writer, enough for DPDK telemetry replies: the
 * whole of RFC 8259 is parsed (objects keep their key order), numbers keep
 * their text so they are written back exactly, and non-negative integers
 * up to 2^64-1 are also available as uint64_t.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum cj_type { CJ_NULL, CJ_BOOL, CJ_NUM, CJ_STR, CJ_ARR, CJ_OBJ };

struct cj {
	enum cj_type type;
	bool b;           /* CJ_BOOL */
	bool is_u64;      /* CJ_NUM: an integer in 0..UINT64_MAX */
	uint64_t u;       /* CJ_NUM when is_u64 */
	double d;         /* CJ_NUM */
	char *s;          /* CJ_STR: decoded, NUL-terminated; CJ_NUM: the text */
	size_t n;         /* CJ_ARR, CJ_OBJ: number of members */
	struct cj **v;    /* members */
	char **k;         /* CJ_OBJ: keys, decoded */
};

/* Parse @p len bytes of @p text (one value, white space around it allowed).
 * Returns the tree, or NULL with a one-line reason in @p err. */
struct cj *cj_parse(const char *text, size_t len, char *err, size_t errlen);
void cj_free(struct cj *v);

/* Member @p key of object @p o, or NULL (also when @p o is not an object). */
struct cj *cj_get(const struct cj *o, const char *key);
/* Unsigned value of @p v, or @p def when it is not a non-negative integer. */
uint64_t cj_u64(const struct cj *v, uint64_t def);
/* Unsigned member @p key of @p o, or @p def. */
uint64_t cj_get_u64(const struct cj *o, const char *key, uint64_t def);
/* String member @p key of @p o, or @p def. */
const char *cj_get_str(const struct cj *o, const char *key, const char *def);

/* Detach member @p i of an object or array (the caller frees it). */
struct cj *cj_take(struct cj *o, size_t i);
/* Append @p val (owned afterwards) under @p key (copied) to object @p o,
 * or to array @p o when @p key is NULL. Returns 0 or -1 (no memory). */
int cj_add(struct cj *o, const char *key, struct cj *val);
/* New empty object, array, or unsigned number; NULL on no memory. */
struct cj *cj_new(enum cj_type type);
struct cj *cj_new_u64(uint64_t u);

/* Write @p v as JSON: compact on one line when @p indent is 0, else
 * pretty-printed with @p indent spaces per level. */
void cj_print(FILE *f, const struct cj *v, int indent);
/* Write @p s as a JSON string, quotes included. */
void cj_print_string(FILE *f, const char *s);

#endif /* CTL_JSON_H */

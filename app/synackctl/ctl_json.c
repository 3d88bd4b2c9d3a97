/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * JSON reader and writer for synackctl: a recursive-descent parser over a
 * byte buffer with a depth limit, and a printer. Every error is one line
 * naming the byte offset.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_json.h"

/* Telemetry replies nest a few levels; anything deeper is not ours. */
#define CJ_MAX_DEPTH 64

struct cj_parser {
	const char *p;
	const char *start;
	const char *end;
	char *err;
	size_t errlen;
	bool failed;
};

static void
fail(struct cj_parser *ps, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ps->failed)
		return;
	ps->failed = true;
	n = snprintf(ps->err, ps->errlen, "at byte %zu: ",
		(size_t)(ps->p - ps->start));
	if (n < 0 || (size_t)n >= ps->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static void
skip_ws(struct cj_parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
			*ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

struct cj *
cj_new(enum cj_type type)
{
	struct cj *v = calloc(1, sizeof(*v));

	if (v != NULL)
		v->type = type;
	return v;
}

struct cj *
cj_new_u64(uint64_t u)
{
	struct cj *v = cj_new(CJ_NUM);
	char buf[24];

	if (v == NULL)
		return NULL;
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)u);
	v->s = strdup(buf);
	if (v->s == NULL) {
		free(v);
		return NULL;
	}
	v->is_u64 = true;
	v->u = u;
	v->d = (double)u;
	return v;
}

void
cj_free(struct cj *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->n; i++) {
		cj_free(v->v[i]);
		if (v->k != NULL)
			free(v->k[i]);
	}
	free(v->v);
	free(v->k);
	free(v->s);
	free(v);
}

int
cj_add(struct cj *o, const char *key, struct cj *val)
{
	struct cj **nv;
	char *kc = NULL;

	if ((o->type == CJ_OBJ) != (key != NULL))
		return -1;
	if (key != NULL) {
		char **nk = realloc(o->k, (o->n + 1) * sizeof(*nk));

		if (nk == NULL)
			return -1;
		o->k = nk;
		kc = strdup(key);
		if (kc == NULL)
			return -1;
	}
	nv = realloc(o->v, (o->n + 1) * sizeof(*nv));
	if (nv == NULL) {
		free(kc);
		return -1;
	}
	o->v = nv;
	o->v[o->n] = val;
	if (kc != NULL)
		o->k[o->n] = kc;
	o->n++;
	return 0;
}

/* Append a code point as UTF-8. */
static size_t
put_utf8(char *out, uint32_t c)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

static int
hex4(struct cj_parser *ps, uint32_t *out)
{
	uint32_t v = 0;

	if (ps->end - ps->p < 4) {
		fail(ps, "truncated \\u escape");
		return -1;
	}
	for (int i = 0; i < 4; i++) {
		char c = *ps->p++;

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else {
			fail(ps, "bad hex digit in \\u escape");
			return -1;
		}
	}
	*out = v;
	return 0;
}

/* A string at ps->p (on the opening quote): decoded, malloc'd. */
static char *
parse_string(struct cj_parser *ps)
{
	const char *q = ps->p + 1;
	char *out, *o;

	/* The decoded text is never longer than the source. */
	while (q < ps->end && *q != '"')
		q += (*q == '\\' && q + 1 < ps->end) ? 2 : 1;
	if (q >= ps->end) {
		fail(ps, "unterminated string");
		return NULL;
	}
	out = malloc((size_t)(q - ps->p) + 4);
	if (out == NULL) {
		fail(ps, "out of memory");
		return NULL;
	}
	o = out;
	ps->p++;
	while (*ps->p != '"') {
		unsigned char c = (unsigned char)*ps->p++;
		uint32_t cp, lo;

		if (c < 0x20) {
			fail(ps, "control character in string");
			free(out);
			return NULL;
		}
		if (c != '\\') {
			*o++ = (char)c;
			continue;
		}
		c = (unsigned char)*ps->p++;
		switch (c) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/': *o++ = '/'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			if (hex4(ps, &cp) != 0) {
				free(out);
				return NULL;
			}
			if (cp >= 0xd800 && cp < 0xdc00 && ps->end - ps->p >= 6 &&
					ps->p[0] == '\\' && ps->p[1] == 'u') {
				const char *save = ps->p;

				ps->p += 2;
				if (hex4(ps, &lo) != 0) {
					free(out);
					return NULL;
				}
				if (lo >= 0xdc00 && lo < 0xe000)
					cp = 0x10000 + ((cp - 0xd800) << 10) +
						(lo - 0xdc00);
				else
					ps->p = save;
			}
			/* no NUL inside C strings, no lone surrogate in
			 * UTF-8 */
			if (cp == 0 || (cp >= 0xd800 && cp < 0xe000))
				cp = 0xfffd;
			o += put_utf8(o, cp);
			break;
		default:
			fail(ps, "bad escape \\%c", c);
			free(out);
			return NULL;
		}
	}
	ps->p++;
	*o = '\0';
	return out;
}

static struct cj *parse_value(struct cj_parser *ps, int depth);

static struct cj *
parse_number(struct cj_parser *ps)
{
	const char *s = ps->p;
	struct cj *v;
	bool integer = true, neg = false;
	uint64_t u = 0;
	bool overflow = false;

	if (ps->p < ps->end && *ps->p == '-') {
		neg = true;
		ps->p++;
	}
	if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') {
		fail(ps, "bad number");
		return NULL;
	}
	if (*ps->p == '0' && ps->p + 1 < ps->end && ps->p[1] >= '0' &&
			ps->p[1] <= '9') {
		fail(ps, "leading zero in number");
		return NULL;
	}
	while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
		unsigned int dgt = (unsigned int)(*ps->p - '0');

		if (u > (UINT64_MAX - dgt) / 10)
			overflow = true;
		else
			u = u * 10 + dgt;
		ps->p++;
	}
	if (ps->p < ps->end && *ps->p == '.') {
		integer = false;
		ps->p++;
		if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') {
			fail(ps, "bad fraction");
			return NULL;
		}
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		integer = false;
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') {
			fail(ps, "bad exponent");
			return NULL;
		}
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	v = cj_new(CJ_NUM);
	if (v == NULL || (v->s = strndup(s, (size_t)(ps->p - s))) == NULL) {
		free(v);
		fail(ps, "out of memory");
		return NULL;
	}
	v->d = strtod(v->s, NULL);
	v->is_u64 = integer && !neg && !overflow;
	v->u = v->is_u64 ? u : 0;
	return v;
}

static struct cj *
parse_container(struct cj_parser *ps, int depth, bool obj)
{
	struct cj *v = cj_new(obj ? CJ_OBJ : CJ_ARR);
	char close = obj ? '}' : ']';

	if (v == NULL) {
		fail(ps, "out of memory");
		return NULL;
	}
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return v;
	}
	for (;;) {
		char *key = NULL;
		struct cj *m;

		skip_ws(ps);
		if (obj) {
			if (ps->p >= ps->end || *ps->p != '"') {
				fail(ps, "expected a key");
				goto err;
			}
			key = parse_string(ps);
			if (key == NULL)
				goto err;
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':') {
				free(key);
				fail(ps, "expected ':'");
				goto err;
			}
			ps->p++;
		}
		m = parse_value(ps, depth + 1);
		if (m == NULL) {
			free(key);
			goto err;
		}
		if (cj_add(v, key, m) != 0) {
			free(key);
			cj_free(m);
			fail(ps, "out of memory");
			goto err;
		}
		free(key);
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			return v;
		}
		fail(ps, "expected ',' or '%c'", close);
		goto err;
	}
err:
	cj_free(v);
	return NULL;
}

static bool
literal(struct cj_parser *ps, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return false;
	ps->p += n;
	return true;
}

static struct cj *
parse_value(struct cj_parser *ps, int depth)
{
	struct cj *v;

	if (depth > CJ_MAX_DEPTH) {
		fail(ps, "nested more than %d levels", CJ_MAX_DEPTH);
		return NULL;
	}
	skip_ws(ps);
	if (ps->p >= ps->end) {
		fail(ps, "unexpected end");
		return NULL;
	}
	switch (*ps->p) {
	case '{':
		return parse_container(ps, depth, true);
	case '[':
		return parse_container(ps, depth, false);
	case '"':
		v = cj_new(CJ_STR);
		if (v == NULL) {
			fail(ps, "out of memory");
			return NULL;
		}
		v->s = parse_string(ps);
		if (v->s == NULL) {
			free(v);
			return NULL;
		}
		return v;
	case 't':
	case 'f':
		{
			bool t = literal(ps, "true");

			if (t || literal(ps, "false")) {
				v = cj_new(CJ_BOOL);
				if (v != NULL)
					v->b = t;
				return v;
			}
		}
		break;
	case 'n':
		if (literal(ps, "null"))
			return cj_new(CJ_NULL);
		break;
	default:
		if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
			return parse_number(ps);
		break;
	}
	fail(ps, "unexpected character '%c'", *ps->p);
	return NULL;
}

struct cj *
cj_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct cj_parser ps = {
		.p = text, .start = text, .end = text + len,
		.err = err, .errlen = errlen,
	};
	struct cj *v;

	if (errlen > 0)
		err[0] = '\0';
	v = parse_value(&ps, 0);
	if (v == NULL) {
		if (!ps.failed)
			fail(&ps, "out of memory");
		return NULL;
	}
	skip_ws(&ps);
	if (ps.p != ps.end) {
		fail(&ps, "text after the value");
		cj_free(v);
		return NULL;
	}
	return v;
}

struct cj *
cj_get(const struct cj *o, const char *key)
{
	if (o == NULL || o->type != CJ_OBJ)
		return NULL;
	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->k[i], key) == 0)
			return o->v[i];
	return NULL;
}

uint64_t
cj_u64(const struct cj *v, uint64_t def)
{
	return v != NULL && v->type == CJ_NUM && v->is_u64 ? v->u : def;
}

uint64_t
cj_get_u64(const struct cj *o, const char *key, uint64_t def)
{
	return cj_u64(cj_get(o, key), def);
}

const char *
cj_get_str(const struct cj *o, const char *key, const char *def)
{
	const struct cj *v = cj_get(o, key);

	return v != NULL && v->type == CJ_STR ? v->s : def;
}

struct cj *
cj_take(struct cj *o, size_t i)
{
	struct cj *v;

	if (i >= o->n)
		return NULL;
	v = o->v[i];
	o->v[i] = cj_new(CJ_NULL);
	return v;
}

void
cj_print_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (c < 0x20)
				fprintf(f, "\\u%04x", c);
			else
				fputc(c, f);
			break;
		}
	}
	fputc('"', f);
}

static void
print_rec(FILE *f, const struct cj *v, int indent, int level)
{
	bool obj;

	switch (v->type) {
	case CJ_NULL:
		fputs("null", f);
		return;
	case CJ_BOOL:
		fputs(v->b ? "true" : "false", f);
		return;
	case CJ_NUM:
		fputs(v->s, f);
		return;
	case CJ_STR:
		cj_print_string(f, v->s);
		return;
	case CJ_ARR:
	case CJ_OBJ:
		break;
	}
	obj = v->type == CJ_OBJ;
	fputc(obj ? '{' : '[', f);
	for (size_t i = 0; i < v->n; i++) {
		if (i > 0)
			fputc(',', f);
		if (indent > 0)
			fprintf(f, "\n%*s", indent * (level + 1), "");
		else if (i > 0)
			fputc(' ', f);
		if (obj) {
			cj_print_string(f, v->k[i]);
			fputs(": ", f);
		}
		print_rec(f, v->v[i], indent, level + 1);
	}
	if (indent > 0 && v->n > 0)
		fprintf(f, "\n%*s", indent * level, "");
	fputc(obj ? '}' : ']', f);
}

void
cj_print(FILE *f, const struct cj *v, int indent)
{
	print_rec(f, v, indent, 0);
}

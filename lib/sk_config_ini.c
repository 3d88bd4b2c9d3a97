/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The INI file. rte_cfgfile reads it: every section, key and value we use
 * comes from rte_cfgfile_load(), which keeps a key repeated in a section
 * as several entries in file order (a list over several lines, see
 * apply_file()) and drops the backslash of "\;" (sk_config_print()).
 *
 * rte_cfgfile cannot be the only reader, though, without losing what
 * users rely on (issue 12 asked to try; test_config's test_rte_cfgfile()
 * pins each point, so it fails the day DPDK changes one):
 *   - a line with neither '=' nor '[' ("mss 1400", "# note") is skipped
 *     without a word: a typo would silently leave a default;
 *   - a value over CFG_VALUE_LEN - 1 characters, or a key or section name
 *     over CFG_NAME_LEN - 1, is cut short without a word;
 *   - "[engine] x" is taken as [engine];
 *   - its errors (a line too long, no ']', a key before any section) go
 *     to its log as "line N" or nowhere, and the caller learns only NULL.
 * So check_syntax() reads the lines first and refuses each of those with
 * file:line; it takes no value from the file, and the lines it accepts
 * are exactly the ones rte_cfgfile parses as it says.
 */

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "sk_config_priv.h"

/* rte_cfgfile reads lines with fgets() into a buffer of this size and fails
 * on a longer line; we check first, to say which line. */
#define CFG_LINE_MAX (CFG_NAME_LEN + CFG_VALUE_LEN + 2)

/* --- INI file ------------------------------------------------------------ */

static size_t
strip(char *s, size_t len)
{
	size_t start = 0;

	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	while (start < len && isspace((unsigned char)s[start]))
		start++;
	memmove(s, s + start, len - start);
	s[len - start] = '\0';
	return len - start;
}

/*
 * Check the file's syntax line by line before rte_cfgfile reads it: what
 * it would skip, cut or refuse without saying where (see the top of this
 * file), refused here with file:line.
 */
static int
check_syntax(FILE *f, const char *path, char *err, size_t errlen)
{
	char *line = NULL, *p, *eq;
	bool in_section = false;
	unsigned int lineno = 0;
	size_t cap = 0, len;
	ssize_t got;
	int ret = 0;

	while (ret == 0 && (got = getline(&line, &cap, f)) >= 0) {
		len = (size_t)got;
		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (strlen(line) != len) {
			ret = sk_cfg_fail(err, errlen, NULL,
				"config: %s:%u: NUL "
				"character in line", path, lineno);
			break;
		}
		if (len > CFG_LINE_MAX) {
			ret = sk_cfg_fail(err, errlen, NULL,
				"config: %s:%u: line "
				"too long (at most %u characters)", path,
				lineno, CFG_LINE_MAX);
			break;
		}
		/* as rte_cfgfile: the first ';' starts a comment unless
		 * it is escaped as "\;" */
		p = memchr(line, CFG_DEFAULT_COMMENT_CHARACTER, len);
		if (p != NULL && (p == line || p[-1] != '\\'))
			len = (size_t)(p - line);
		len = strip(line, len);
		if (len == 0)
			continue;
		if (line[0] == '[') {
			if (line[len - 1] != ']' ||
					memchr(line, ']', len) != line + len - 1) {
				ret = sk_cfg_fail(err, errlen, NULL,
					"config: %s:%u: "
					"bad section heading '%s' (expected "
					"[name])", path, lineno, line);
				break;
			}
			if (strip(line + 1, len - 2) == 0 ||
					strlen(line + 1) >= CFG_NAME_LEN) {
				ret = sk_cfg_fail(err, errlen, NULL,
					"config: %s:%u: "
					"bad section name '%s'", path, lineno,
					line + 1);
				break;
			}
			in_section = true;
			continue;
		}
		eq = strchr(line, '=');
		if (eq == NULL) {
			ret = sk_cfg_fail(err, errlen, NULL,
				"config: %s:%u: expected "
				"'key = value' or '[section]', got '%s'",
				path, lineno, line);
			break;
		}
		*eq = '\0';
		if (strip(line, (size_t)(eq - line)) == 0) {
			ret = sk_cfg_fail(err, errlen, NULL,
				"config: %s:%u: no key "
				"before '='", path, lineno);
		} else if (strlen(line) >= CFG_NAME_LEN) {
			ret = sk_cfg_fail(err, errlen, NULL,
				"config: %s:%u: key "
				"'%.32s...' too long", path, lineno, line);
		} else if (!in_section) {
			ret = sk_cfg_fail(err, errlen, NULL,
				"config: %s:%u: key "
				"'%s' before any [section]", path, lineno,
				line);
		} else if (strip(eq + 1, strlen(eq + 1)) >= CFG_VALUE_LEN) {
			ret = sk_cfg_fail(err, errlen, NULL,
				"config: %s:%u: value of "
				"'%s' too long (at most %u characters)", path,
				lineno, line, CFG_VALUE_LEN - 1);
		}
	}
	if (ret == 0 && ferror(f))
		ret = sk_cfg_fail(err, errlen, NULL,
			"config: cannot read '%s': %s",
			path, strerror(errno));
	free(line);
	return ret;
}
static int
apply_file(struct sk_config *c, struct rte_cfgfile *cf, const char *path,
		char *err, size_t errlen)
{
	bool seen[SK_CFG_N_KEYS] = { false };
	struct rte_cfgfile_entry *ent = NULL;
	char section[CFG_NAME_LEN], where[CFG_NAME_LEN * 2 + 512], names[128];
	const struct sk_cfg_key *k;
	int ns, ne, i, j, ret = 0;

	ns = rte_cfgfile_num_sections(cf, NULL, 0);
	for (i = 0; ret == 0 && i < ns; i++) {
		ne = rte_cfgfile_section_num_entries_by_index(cf, section, i);
		if (ne < 0)
			return sk_cfg_fail(err, errlen, NULL,
				"config: cannot parse '%s'", path);
		if (!sk_cfg_known_section(section))
			return sk_cfg_fail(err, errlen, NULL, "config: unknown "
				"section [%s] in '%s' (%s)", section, path,
				sk_cfg_section_list(names, sizeof(names)));
		if (ne == 0)
			continue;
		ent = calloc((size_t)ne, sizeof(*ent));
		if (ent == NULL)
			return sk_cfg_fail(err, errlen, NULL,
				"config: '%s': out of memory", path);
		ne = rte_cfgfile_section_entries_by_index(cf, i, section, ent,
			ne);
		for (j = 0; ret == 0 && j < ne; j++) {
			k = sk_cfg_find_key(section, ent[j].name);
			if (k == NULL) {
				ret = sk_cfg_fail(err, errlen, NULL,
					"config: unknown "
					"key '%s' in [%s] of '%s'",
					ent[j].name, section, path);
				break;
			}
			snprintf(where, sizeof(where), "%s: [%s] %s", path,
				section, k->name);
			/* a list may go on over several lines (a value
			 * holds at most CFG_VALUE_LEN - 1 characters: a few
			 * IPv6 addresses); any other key is set once */
			if (seen[k - sk_cfg_keys] && !sk_cfg_is_list(k)) {
				ret = sk_cfg_fail(err, errlen, where,
					"set twice");
				break;
			}
			ret = sk_cfg_set_value(c, k, ent[j].value,
				seen[k - sk_cfg_keys], where, err, errlen);
			seen[k - sk_cfg_keys] = true;
		}
		memset(ent, 0, (size_t)ne * sizeof(*ent));
		free(ent);
	}
	return ret;
}

int
sk_config_load(struct sk_config *c, const char *path, char *err,
		size_t errlen)
{
	struct rte_cfgfile *cf;
	struct sk_config tmp;
	FILE *f;
	int ret;

	if (c == NULL || path == NULL)
		return sk_cfg_fail(err, errlen, NULL, "config: no file given");
	f = fopen(path, "r");
	if (f == NULL)
		return sk_cfg_fail(err, errlen, NULL,
			"config: cannot read '%s': %s",
			path, strerror(errno));
	ret = check_syntax(f, path, err, errlen);
	fclose(f);
	if (ret != 0)
		return -1;

	cf = rte_cfgfile_load(path, CFG_FLAG_EMPTY_VALUES);
	if (cf == NULL)
		return sk_cfg_fail(err, errlen, NULL,
			"config: cannot parse '%s'",
			path);
	/* applied to a copy: @p c is unchanged on error */
	tmp = *c;
	ret = apply_file(&tmp, cf, path, err, errlen);
	rte_cfgfile_close(cf);
	if (ret == 0) {
		tmp.client.ready = false;  /* sk_config_finalize() again */
		*c = tmp;
	}
	memset(tmp.secret, 0, sizeof(tmp.secret));
	return ret;
}

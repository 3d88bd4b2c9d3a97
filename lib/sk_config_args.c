/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The command line: one long option per key of the table, getopt_long
 * over argv in three passes (errors and --help; the -f files; the
 * options over them), and the usage text.
 */

#include <ctype.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "sk_config_priv.h"

#if defined(__has_include)
#if __has_include("sk_version.h")
#include "sk_version.h"
#endif
#endif
#ifndef SK_VERSION
#define SK_VERSION "dev"
#endif

/* getopt_long values of the options in sk_cfg_keys[]: CFG_OPT_BASE + index. */
#define CFG_OPT_BASE 256

/* --- command line ---------------------------------------------------------- */

static void
getopt_reset(void)
{
	opterr = 0;
#ifdef __GLIBC__
	/* glibc: 0 re-initialises getopt completely, dropping state left by
	 * the EAL's parse or by a scan that stopped early in a cluster of
	 * short options (1 would continue from that stale state). */
	optind = 0;
#else
	optind = 1;
#endif
}

/* The option as typed ("--flows", "-f"), without any "=value". */
static void
typed_option(int argc, char **argv, char *buf, size_t size)
{
	const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";
	size_t n = strcspn(arg, "=");

	snprintf(buf, size, "%.*s", (int)n, arg);
}

/* Message for getopt_long's '?' or ':' result. */
static int
option_error(int ch, const struct option *opts, int argc, char **argv,
		char *err, size_t errlen)
{
	char typed[64];
	unsigned int i, n = 0;
	size_t len;

	typed_option(argc, argv, typed, sizeof(typed));
	if (ch == ':')
		return sk_cfg_fail(err, errlen, NULL,
			"option '%s' needs a value",
			typed);
	/* getopt_long puts a long option's value in optopt when it was
	 * given "=value" but takes none (--http=yes, --proxy-protocol=1) */
	if (optopt == 'h' || optopt == 'V' || (optopt >= CFG_OPT_BASE &&
			optopt < CFG_OPT_BASE + (int)SK_CFG_N_KEYS))
		return sk_cfg_fail(err, errlen, NULL,
			"option '%s' takes no value",
			typed);
	if (optopt != 0)
		return sk_cfg_fail(err, errlen, NULL, "unknown option '-%c'",
			isprint(optopt) ? optopt : '?');
	if (strncmp(typed, "--", 2) == 0) {
		len = strlen(typed + 2);
		for (i = 0; opts[i].name != NULL; i++)
			if (strncmp(opts[i].name, typed + 2, len) == 0)
				n++;
		if (n > 1)
			return sk_cfg_fail(err, errlen, NULL,
				"ambiguous option '%s'", typed);
	}
	return sk_cfg_fail(err, errlen, NULL, "unknown option '%s'", typed);
}

int
sk_config_parse_args(struct sk_config *c, int argc, char **argv, char *err,
		size_t errlen)
{
	static const char short_opts[] = ":f:hV";
	struct option opts[SK_CFG_N_KEYS + 4];
	bool list_seen[SK_CFG_N_KEYS] = { false };
	const struct sk_cfg_key *k;
	struct sk_config tmp;
	char where[64];
	unsigned int i;
	int ch, ret = 0;

	if (c == NULL || argv == NULL || argc < 1)
		return sk_cfg_fail(err, errlen, NULL, "no arguments");
	for (i = 0; i < SK_CFG_N_KEYS; i++)
		opts[i] = (struct option){ sk_cfg_keys[i].opt,
			sk_cfg_keys[i].type == CT_BOOL ? no_argument :
			required_argument, NULL, CFG_OPT_BASE + (int)i };
	opts[i++] = (struct option){ "config", required_argument, NULL, 'f' };
	opts[i++] = (struct option){ "help", no_argument, NULL, 'h' };
	opts[i++] = (struct option){ "version", no_argument, NULL, 'V' };
	opts[i] = (struct option){ NULL, 0, NULL, 0 };

	/* pass 1: errors, --help, --version; stray arguments */
	getopt_reset();
	while ((ch = getopt_long(argc, argv, short_opts, opts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			sk_config_usage(stdout, argv[0]);
			return 1;
		case 'V':
			printf("synackd %s\n", SK_VERSION);
			return 1;
		case '?':
		case ':':
			return option_error(ch, opts, argc, argv, err, errlen);
		default:
			break;
		}
	}
	if (optind < argc)
		return sk_cfg_fail(err, errlen, NULL,
			"unexpected argument '%s' "
			"(options start with --; see --help)", argv[optind]);

	/* pass 2: the files, in order; pass 3: the other options over them */
	tmp = *c;
	getopt_reset();
	while (ret == 0 &&
			(ch = getopt_long(argc, argv, short_opts, opts, NULL)) != -1)
		if (ch == 'f')
			ret = sk_config_load(&tmp, optarg, err, errlen);
	getopt_reset();
	while (ret == 0 &&
			(ch = getopt_long(argc, argv, short_opts, opts, NULL)) != -1) {
		if (ch < CFG_OPT_BASE ||
				ch >= CFG_OPT_BASE + (int)SK_CFG_N_KEYS)
			continue;
		k = &sk_cfg_keys[ch - CFG_OPT_BASE];
		snprintf(where, sizeof(where), "--%s", k->opt);
		if (sk_cfg_is_list(k)) {
			/* the first replaces the files' list, later ones
			 * add to it */
			ret = sk_cfg_set_value(&tmp, k, optarg,
				list_seen[k - sk_cfg_keys], where, err, errlen);
			list_seen[k - sk_cfg_keys] = true;
		} else if (k->type == CT_BOOL) {
			ret = sk_cfg_set_value(&tmp, k, "yes", false, where,
				err, errlen);
		} else {
			ret = sk_cfg_set_value(&tmp, k, optarg, false, where,
				err, errlen);
		}
	}
	getopt_reset();
	if (ret == 0) {
		tmp.client.ready = false;  /* sk_config_finalize() again */
		*c = tmp;
	}
	memset(tmp.secret, 0, sizeof(tmp.secret));
	return ret == 0 ? 0 : -1;
}
void
sk_config_usage(FILE *f, const char *prog)
{
	char opt[48], def[48], range[RANGE_LEN];
	unsigned int i;

	fprintf(f,
		"Usage: %s [EAL options] -- [options]\n\n"
		"Options override the configuration file wherever -f appears.\n"
		"\n  -f, --config FILE            read this INI file first\n",
		prog != NULL ? prog : "synackd");
	for (i = 0; i < SK_CFG_N_KEYS; i++) {
		const struct sk_cfg_key *k = &sk_cfg_keys[i];

		snprintf(opt, sizeof(opt), "--%s%s%s", k->opt,
			k->arg != NULL ? " " : "", k->arg != NULL ? k->arg : "");
		if (k->def_text != NULL)
			snprintf(def, sizeof(def), "%s", k->def_text);
		else
			sk_cfg_fmt_num(k, k->def, def, sizeof(def));
		fprintf(f, "      %-24s %s\n%31s", opt, k->help, "");
		if (sk_cfg_is_numeric(k))
			fprintf(f, "%s, ", sk_cfg_fmt_range(k, range,
				sizeof(range)));
		fprintf(f, "default: %s\n", def);
	}
	fprintf(f,
		"  -h, --help                   print this help and exit\n"
		"  -V, --version                print the version and exit\n\n"
		"DUR is an integer and a unit: ms, s, m or h (250ms, 60s, 5m, "
		"1h); a bare 0\n"
		"is accepted where 0 means off. --addr, --listen and --backend "
		"take\ncomma-separated lists; the first one replaces the "
		"file's list, later ones\nadd to it.\n"
		"See docs/configuration.md.\n");
}

/* --- the man page ---------------------------------------------------------- */

/* @p s as groff text: a backslash is "\e", and with @p minus every '-' is
 * "\-" (an option's, which must not become a hyphen). */
static void
man_text(FILE *f, const char *s, bool minus)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\e", f);
		else if (*s == '-' && minus)
			fputs("\\-", f);
		else
			fputc(*s, f);
	}
}

void
sk_config_man(FILE *f)
{
	char def[48], range[RANGE_LEN];
	const char *section = NULL;
	unsigned int i;

	fprintf(f, ".SS \"Configuration options\"\n"
		"Each sets the key of the configuration file named with it "
		"(see\n.BR \"CONFIGURATION FILE\" ),\n"
		"over the files given with\n.BR \\-f ;\n"
		".I /usr/share/doc/synack/configuration.md\n"
		"describes each key at length.\n");
	for (i = 0; i < SK_CFG_N_KEYS; i++) {
		const struct sk_cfg_key *k = &sk_cfg_keys[i];

		fputs(".TP\n", f);
		fputs(k->arg != NULL ? ".BI \"\\-\\-" : ".B \\-\\-", f);
		man_text(f, k->opt, true);
		if (k->arg != NULL) {
			fputs(" \" ", f);
			man_text(f, k->arg, false);
		}
		fputc('\n', f);
		/* the help starts lower case, as it follows the option in
		 * --help; here it is a sentence */
		fputc(toupper((unsigned char)k->help[0]), f);
		man_text(f, k->help + 1, false);
		fputs(".\n.br\n", f);
		if (sk_cfg_is_numeric(k))
			fprintf(f, "Range %s. ",
				sk_cfg_fmt_range(k, range, sizeof(range)));
		if (k->def_text != NULL)
			snprintf(def, sizeof(def), "%s", k->def_text);
		else
			sk_cfg_fmt_num(k, k->def, def, sizeof(def));
		fputs("Default: ", f);
		man_text(f, def, false);
		/* \% : a key is never hyphenated */
		fprintf(f, ". File: [%s] \\%%%s.\n", k->section, k->name);
	}
	fprintf(f, ".PP\n"
		"DUR is an integer and a unit: ms, s, m or h (250ms, 60s, 5m, "
		"1h); a bare 0\nis accepted where 0 means off.\n"
		".BR \\-\\-addr ,\n.B \\-\\-listen\nand\n"
		".B \\-\\-backend\n"
		"take comma-separated lists; the first one replaces the "
		"file's list, later ones\nadd to it.\n");

	fprintf(f, ".SH \"CONFIGURATION FILE\"\n"
		"An INI file read with DPDK's rte_cfgfile:\n.RI [ section ]\n"
		"lines, then\n.IR key \" = \" value\n"
		"lines;\n.B ;\nstarts a comment and\n.B \\e;\n"
		"is a literal one. Unknown sections and keys are errors, each "
		"with the file\nand line. A key may appear once, but for\n"
		".BR addresses ,\n.B listen\nand\n.BR backends ,\n"
		"whose later lines add to the list. The sections and their "
		"keys (each has\nthe option that names it above):\n");
	for (i = 0; i < SK_CFG_N_KEYS; i++) {
		const struct sk_cfg_key *k = &sk_cfg_keys[i];

		if (section == NULL || strcmp(section, k->section) != 0) {
			fprintf(f, "%s.TP\n.B [%s]\n",
				section != NULL ? "\n" : "", k->section);
			section = k->section;
		} else {
			fputs(", ", f);
		}
		fprintf(f, "\\%%%s", k->name);
	}
	fputs("\n", f);
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * synackctl: synackd's statistics and state on the command line. It reads
 * DPDK telemetry (the Unix socket every DPDK process opens) and does not
 * link DPDK, so it starts at once and needs no EAL, hugepages or lcores.
 */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ctl_exporter.h"
#include "ctl_show.h"
#include "ctl_tel.h"
#include "sk_version.h"

#define TIMEOUT_DEFAULT_S 2.0

static void
usage(FILE *f)
{
	fprintf(f,
"Usage: synackctl [options] COMMAND\n"
"\n"
"Show a running synackd's statistics and state, read from its DPDK\n"
"telemetry socket (<runtime dir>/dpdk/<file prefix>/dpdk_telemetry.v2).\n"
"\n"
"Commands:\n"
"  stats              every counter (non-zero ones unless --all), flows per state\n"
"  lcores             counters per worker lcore\n"
"  ports              port statistics and xstats\n"
"  flows              flows per state, table capacity and occupancy per lcore\n"
"  flows --list N     list up to N flows: lcore, tuple, state, responder, age\n"
"  cookies            SYN cookies sent, accepted, rejected by reason\n"
"  config             the engine's effective configuration (secret not shown)\n"
"  version            synackd, DPDK and synackctl versions, pid, uptime\n"
"  client             the client role (--client): state, connections attempted,\n"
"                     established, completed, failed by cause, rates, handshake\n"
"                     latency percentiles\n"
"  proxy              the SYN proxy's backends: address, resolved (MAC known),\n"
"                     health, connections opened, established, failed, bytes\n"
"                     each way, proxied connections now\n"
"  watch              live rates: SYN/s, SYN-ACK/s, established/s, closed/s,\n"
"                     RST/s, drops/s, rx/tx Mpps, and totals (q or Ctrl-C\n"
"                     stops)\n"
"  watch --lcores     the same rates per worker lcore (a column each, and a\n"
"                     total), then flows in use, capacity and occupancy %%\n"
"  prometheus         every figure in Prometheus text format (base units)\n"
"  exporter --listen ADDR:PORT\n"
"                     serve that text at http://ADDR:PORT/metrics, read from\n"
"                     synackd on each scrape (503 and the reason while it\n"
"                     cannot be read); SIGINT or SIGTERM stops it\n"
"  prefixes           list the file prefixes that have a telemetry socket\n"
"  raw /CMD[,PARAMS]  send any telemetry command, print its JSON reply\n"
"\n"
"Options:\n"
"  -p, --prefix PREFIX  the engine's EAL --file-prefix (default: $SYNACK_FILE_PREFIX,\n"
"                       else \"rte\", DPDK's default)\n"
"  -s, --socket PATH    the telemetry socket itself, instead of --prefix\n"
"  -j, --json           print the reply as JSON (watch: one JSON line per interval)\n"
"  -a, --all            show zero counters too\n"
"  -v, --verbose        stats: say what each counter counts\n"
"  -l, --list N         flows: list up to N flows\n"
"  -i, --interval SEC   watch: seconds between refreshes (default 1)\n"
"  -n, --count N        watch: stop after N refreshes (default: until q or\n"
"                       Ctrl-C)\n"
"      --lcores         watch: a column per worker lcore, and flow-table occupancy\n"
"      --listen ADDR:PORT\n"
"                       exporter: where to serve (127.0.0.1:9469, [::1]:9469,\n"
"                       :9469 for every address; port 0 picks a free one)\n"
"  -t, --timeout SEC    limit on each socket operation (default 2)\n"
"  -h, --help           this text\n"
"  -V, --version        synackctl's version\n"
"\n"
"Exit codes:\n"
"  0  success\n"
"  1  other error (a request the engine refused, output failed)\n"
"  2  bad command line\n"
"  3  no engine: no telemetry socket for the prefix (synackd not running, wrong\n"
"     prefix, or a stale socket)\n"
"  4  the process at that prefix is not synackd (no /synack/ commands)\n"
"  5  permission denied on the socket (synackd runs as root)\n"
"  6  the engine closed the connection or is stopping\n"
"  7  timed out waiting for the engine\n"
"  8  a reply that is not DPDK telemetry JSON\n"
"  9  not available: the engine does not run what was asked for (client: no\n"
"     client role; proxy: an engine without /synack/proxy)\n");
}

static int
parse_count(const char *s, const char *opt, uint64_t min, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (s[0] < '0' || s[0] > '9')
		goto bad;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > 100000000ull)
		goto bad;
	*out = v;
	return CTL_OK;
bad:
	return ctl_error(CTL_USAGE, "%s: '%s' is not a whole number from %llu "
		"to 100000000", opt, s, (unsigned long long)min);
}

static int
parse_seconds(const char *s, const char *opt, double min, double max,
		double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v >= min && v <= max))
		return ctl_error(CTL_USAGE, "%s: '%s' is not a number of seconds "
			"from %g to %g", opt, s, min, max);
	*out = v;
	return CTL_OK;
}

static const char *const commands[] = {
	"stats", "lcores", "ports", "flows", "cookies", "config", "version",
	"client", "proxy", "watch", "prometheus", "exporter", "prefixes", "raw",
};

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "prefix", required_argument, NULL, 'p' },
		{ "file-prefix", required_argument, NULL, 'p' },
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "list", required_argument, NULL, 'l' },
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'n' },
		{ "lcores", no_argument, NULL, 'L' },
		{ "listen", required_argument, NULL, 'S' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl_opts o = { .interval_s = 1.0 };
	const char *prefix = getenv("SYNACK_FILE_PREFIX");
	const char *socket_path = NULL, *cmd = NULL, *arg = NULL;
	bool have_list = false, have_i = false, have_n = false;
	double timeout_s = TIMEOUT_DEFAULT_S;
	struct ctl_tel t;
	int c, ret;

	if (prefix == NULL || prefix[0] == '\0')
		prefix = CTL_PREFIX_DEFAULT;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+p:s:javl:i:n:t:hV", longopts,
			NULL)) != -1 || optind < argc) {
		if (c == -1) {
			/* a word: the command (and raw's argument); options may
			 * follow it */
			if (arg != NULL)
				return ctl_error(CTL_USAGE, "unexpected '%s' (see "
					"synackctl --help)", argv[optind]);
			if (cmd == NULL)
				cmd = argv[optind];
			else
				arg = argv[optind];
			optind++;
			continue;
		}
		switch (c) {
		case 'p':
			prefix = optarg;
			break;
		case 's':
			socket_path = optarg;
			break;
		case 'j':
			o.json = true;
			break;
		case 'a':
			o.all = true;
			break;
		case 'v':
			o.verbose = true;
			break;
		case 'l':
			if (parse_count(optarg, "--list", 1, &o.list) != CTL_OK)
				return CTL_USAGE;
			have_list = true;
			break;
		case 'i':
			if (parse_seconds(optarg, "--interval", 0.1, 86400,
					&o.interval_s) != CTL_OK)
				return CTL_USAGE;
			have_i = true;
			break;
		case 'n':
			if (parse_count(optarg, "--count", 1, &o.count) != CTL_OK)
				return CTL_USAGE;
			have_n = true;
			break;
		case 'L':
			o.lcores = true;
			break;
		case 'S':
			o.listen = optarg;
			break;
		case 't':
			if (parse_seconds(optarg, "--timeout", 0.01, 600,
					&timeout_s) != CTL_OK)
				return CTL_USAGE;
			break;
		case 'h':
			usage(stdout);
			return CTL_OK;
		case 'V':
			printf("synackctl %s\n", SK_VERSION);
			return CTL_OK;
		default:
			if (optopt == 'S')
				return ctl_error(CTL_USAGE, "option --listen needs "
					"an argument (see synackctl --help)");
			if (optopt != 0 && strchr("psilnt", optopt) != NULL)
				return ctl_error(CTL_USAGE, "option -%c needs an "
					"argument (see synackctl --help)", optopt);
			return ctl_error(CTL_USAGE, "unknown option '%s' (see "
				"synackctl --help)", argv[optind - 1]);
		}
	}
	o.prefix = prefix;
	if (cmd == NULL) {
		usage(stderr);
		return CTL_USAGE;
	}
	ret = -1;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(cmd, commands[i]) == 0)
			ret = 0;
	if (ret != 0)
		return ctl_error(CTL_USAGE, "unknown command '%s' (see synackctl "
			"--help)", cmd);
	if (have_list && strcmp(cmd, "flows") != 0)
		return ctl_error(CTL_USAGE, "--list goes with the flows command");
	if ((have_i || have_n) && strcmp(cmd, "watch") != 0)
		return ctl_error(CTL_USAGE, "--interval and --count go with the "
			"watch command");
	if (o.lcores && strcmp(cmd, "watch") != 0)
		return ctl_error(CTL_USAGE, "--lcores goes with the watch command "
			"(the lcores command shows the counters per lcore)");
	if (o.json && (strcmp(cmd, "prometheus") == 0 ||
			strcmp(cmd, "exporter") == 0))
		return ctl_error(CTL_USAGE, "--json does not go with %s", cmd);
	if (o.listen != NULL && strcmp(cmd, "exporter") != 0)
		return ctl_error(CTL_USAGE, "--listen goes with the exporter "
			"command");
	if (o.listen == NULL && strcmp(cmd, "exporter") == 0)
		return ctl_error(CTL_USAGE, "exporter needs --listen ADDR:PORT, "
			"e.g. synackctl exporter --listen 127.0.0.1:9469");
	if (strcmp(cmd, "raw") == 0 && arg == NULL)
		return ctl_error(CTL_USAGE, "raw needs a telemetry command, e.g. "
			"synackctl raw /ethdev/list");
	if (strcmp(cmd, "raw") != 0 && arg != NULL)
		return ctl_error(CTL_USAGE, "unexpected '%s' (see synackctl --help)",
			arg);
	if (strcmp(cmd, "prefixes") == 0)
		return ctl_list_prefixes();
	if (strcmp(cmd, "exporter") == 0)
		return ctl_exporter(prefix, socket_path, (int)(timeout_s * 1000),
			o.listen);

	ret = ctl_tel_open(&t, prefix, socket_path, (int)(timeout_s * 1000));
	if (ret == CTL_OK) {
		if (strcmp(cmd, "stats") == 0)
			ret = ctl_show_stats(&t, &o);
		else if (strcmp(cmd, "lcores") == 0)
			ret = ctl_show_lcores(&t, &o);
		else if (strcmp(cmd, "ports") == 0)
			ret = ctl_show_ports(&t, &o);
		else if (strcmp(cmd, "flows") == 0)
			ret = ctl_show_flows(&t, &o);
		else if (strcmp(cmd, "cookies") == 0)
			ret = ctl_show_cookies(&t, &o);
		else if (strcmp(cmd, "config") == 0)
			ret = ctl_show_config(&t, &o);
		else if (strcmp(cmd, "version") == 0)
			ret = ctl_show_version(&t, &o);
		else if (strcmp(cmd, "client") == 0)
			ret = ctl_show_client(&t, &o);
		else if (strcmp(cmd, "proxy") == 0)
			ret = ctl_show_proxy(&t, &o);
		else if (strcmp(cmd, "watch") == 0)
			ret = ctl_watch(&t, &o);
		else if (strcmp(cmd, "prometheus") == 0)
			ret = ctl_prometheus(&t, &o);
		else
			ret = ctl_show_raw(&t, &o, arg);
	}
	ctl_tel_close(&t);
	if (ret == CTL_OK && (fflush(stdout) != 0 || ferror(stdout)))
		ret = ctl_error(CTL_ERR, "writing the output: %s", strerror(errno));
	return ret;
}

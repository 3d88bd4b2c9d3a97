/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SK_EXIT_H
#define SK_EXIT_H

/*
 * synackd's exit codes, the only place they are defined. The man page
 * (docs/man/synackd.8), docs/operations.md and --help list them; keep the
 * three in step with this list.
 */

#define SK_FOREACH_EXIT(_) \
	_(OK, 0, "stopped by SIGTERM or SIGINT, a client run that ended, " \
		"--help, --version, --check of a valid configuration") \
	_(CONFIG, 1, "bad command line or configuration (--check of a bad " \
		"one too); nothing was started") \
	_(SETUP, 2, "the EAL, memory, the port or telemetry could not be " \
		"set up, or the run failed (client role failed as a whole, " \
		"stats file not written)")

enum sk_exit {
#define SK_EXIT_ENUM(n, v, text) SK_EXIT_ ## n = v,
	SK_FOREACH_EXIT(SK_EXIT_ENUM)
#undef SK_EXIT_ENUM
};

#endif /* SK_EXIT_H */

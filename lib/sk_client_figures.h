/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SK_CLIENT_FIGURES_H
#define SK_CLIENT_FIGURES_H

/*
 * The client role's counts, once: synackd's JSON summary (app/synackd/
 * main.c), the telemetry reply /synack/client (sk_telemetry.c) and
 * synackctl's client table (ctl_show.c) are all written from this list, in
 * this order. No DPDK here: synackctl includes it.
 *
 *   _(field of struct sk_client_report, JSON and telemetry key,
 *     synackctl's row label, synackctl's help text or NULL)
 */
#define SK_FOREACH_CLIENT_COUNT(_) \
	_(attempted, "attempted", "attempted", "first SYN sent") \
	_(established, "established", "established", "SYN-ACK received") \
	_(completed, "completed", "completed", \
		"response read, closed as asked") \
	_(failed, "failed", "failed", NULL) \
	_(fail_timeout, "fail_timeout", "  timeout", \
		"no SYN-ACK after the retries, or no response in time") \
	_(fail_rst, "fail_rst", "  rst", "reset by the server") \
	_(fail_bad_synack, "fail_bad_synack", "  bad_synack", \
		"only unacceptable SYN-ACKs came back") \
	_(fail_response, "fail_response", "  response", \
		"not the expected bytes") \
	_(fail_closed, "fail_closed", "  closed", \
		"the server closed before the whole response") \
	_(syn_retx, "syn_retx", "syn_retx", "SYNs retransmitted") \
	_(no_tuple, "no_tuple", "no_tuple", \
		"not opened: no free source address and port")

#endif /* SK_CLIENT_FIGURES_H */

/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SK_COUNTERS_H
#define SK_COUNTERS_H

/**
 * @file
 * The engine's counters, one list: each entry gives the field of struct
 * sk_stats (sk_stats.h), its name wherever it is shown (synackd's final
 * counters, telemetry, synackctl, Prometheus) and its help text. No DPDK
 * here, so that anything may render from it.
 *
 * Naming: rx_* / tx_* count frames by kind, drop_* count frames dropped by
 * reason (every received frame is either answered, consumed or dropped
 * under exactly one drop_* reason), cookie_* count SYN-cookie results,
 * flow_* count flow events, close_* count flows ended by cause, client_*
 * the client role's connections, proxy_* the SYN proxy's.
 */

#define SK_FOREACH_COUNTER(_) \
	_(rx_packets, "frames received") \
	_(rx_bytes, "bytes received (frame length)") \
	_(rx_vlan, "frames received with an 802.1Q tag") \
	_(rx_arp_request, "ARP requests for one of our addresses") \
	_(rx_icmp_echo, "ICMP echo requests to one of our addresses") \
	_(rx_tcp, "valid TCP segments to one of our addresses") \
	_(rx_ipv6, "IPv6 frames received (any next header)") \
	_(rx_tcp6, "valid TCP segments over IPv6 (also in rx_tcp)") \
	_(rx_nd_ns, "Neighbor Solicitations for one of our IPv6 addresses") \
	_(rx_nd_na, "Neighbor Advertisements from the client role's next hop, learnt") \
	_(rx_nd_other, "ND and MLD messages ignored (RS, RA, NA, redirect, MLD, NS not for us)") \
	_(rx_icmp6_echo, "ICMPv6 echo requests to one of our addresses") \
	_(rx_syn, "SYNs to a listening port") \
	_(rx_rst, "RSTs received") \
	_(rx_fin, "FINs received in order") \
	_(rx_payload_bytes, "TCP payload bytes accepted in order") \
	_(tx_packets, "frames handed to the port") \
	_(tx_bytes, "bytes handed to the port (frame length)") \
	_(tx_arp_reply, "ARP replies sent") \
	_(tx_icmp_reply, "ICMP echo replies sent") \
	_(tx_ipv6, "IPv6 frames handed to the port (also in tx_packets)") \
	_(tx_nd_na, "Neighbor Advertisements sent") \
	_(tx_icmp6_reply, "ICMPv6 echo replies sent") \
	_(tx_nd_ns, "Neighbor Solicitations sent for the client role's next hop") \
	_(tx_announce, "our addresses announced at start: gratuitous ARPs, unsolicited Neighbor Advertisements ([port] announce)") \
	_(tx_synack, "SYN-ACKs sent (cookie ISN)") \
	_(tx_ack, "pure ACKs sent") \
	_(tx_data, "segments with payload sent") \
	_(tx_fin, "FINs sent, first transmission") \
	_(tx_fin_retx, "segments retransmitted by the FIN timer") \
	_(tx_rst, "RSTs sent") \
	_(tx_rst_closed_port, "RSTs for a port nobody listens on") \
	_(tx_rst_bad_cookie, "RSTs for an ACK with no flow and a bad cookie") \
	_(tx_rst_table_full, "RSTs for a valid cookie when the flow table was full") \
	_(tx_rst_idle, "RSTs sent when the idle timeout closed a flow") \
	_(tx_challenge_ack, "challenge ACKs sent (RFC 5961)") \
	_(tx_oow_ack, "ACKs for unacceptable segments (RFC 9293 3.10.7.4)") \
	_(tx_dup_ack, "ACKs for out-of-order or duplicate data") \
	_(tx_full, "responses the port did not take (dropped)") \
	_(tx_handoff, "frames handed to the worker owning their flow") \
	_(rx_handoff, "frames taken over from another worker") \
	_(rx_wrong_worker, "TCP frames RSS delivered to a worker not owning them (must be 0)") \
	_(cookie_sent, "cookies minted (same as tx_synack)") \
	_(cookie_ok, "cookies accepted") \
	_(cookie_bad_mac, "cookies rejected: not ours for this tuple and ISN") \
	_(cookie_too_old, "cookies rejected: older than cookie_max_age") \
	_(flow_created, "flows created by a valid cookie") \
	_(flow_tw_reuse, "TIME_WAIT flows reused by a new SYN (RFC 9293 3.6.1)") \
	_(close_normal, "flows closed by the closing handshake") \
	_(close_rst, "flows closed by an exact RST from the peer") \
	_(close_fin_timeout, "flows freed after the last FIN retransmission") \
	_(close_fin_wait2, "flows freed by the FIN_WAIT_2 timeout") \
	_(close_idle, "flows reset by the idle timeout") \
	_(drop_l2_short, "dropped: frame shorter than its Ethernet/VLAN header") \
	_(drop_l2_dst, "dropped: destination MAC neither ours nor broadcast") \
	_(drop_ethertype, "dropped: EtherType not IPv4, IPv6 or ARP") \
	_(drop_arp, "dropped: ARP malformed or not a request for our address") \
	_(drop_ip_short, "dropped: truncated IPv4 header") \
	_(drop_ip_version, "dropped: IP version not 4") \
	_(drop_ip_ihl, "dropped: IHL below 5 or past the frame") \
	_(drop_ip_len, "dropped: IPv4 total length inconsistent with the frame") \
	_(drop_ip_cksum, "dropped: bad IPv4 header checksum") \
	_(drop_ip_frag, "dropped: IPv4 fragment") \
	_(drop_ip_ttl, "dropped: TTL 0") \
	_(drop_ip_dst, "dropped: destination is not one of our addresses") \
	_(drop_ip_src, "dropped: source is ours, zero, broadcast or multicast") \
	_(drop_ip_proto, "dropped: IP protocol not TCP or ICMP") \
	_(drop_icmp, "dropped: ICMP malformed, bad checksum or not an echo request") \
	_(drop_ip6_short, "dropped: truncated IPv6 header or extension header") \
	_(drop_ip6_len, "dropped: IPv6 payload length inconsistent with the frame (jumbograms included)") \
	_(drop_ip6_exthdr, "dropped: IPv6 extension header unknown, malformed or past the chain bound") \
	_(drop_ip6_frag, "dropped: IPv6 fragment") \
	_(drop_ip6_hlim, "dropped: IPv6 hop limit 0") \
	_(drop_ip6_dst, "dropped: IPv6 destination is not one of our addresses") \
	_(drop_ip6_src, "dropped: IPv6 source is ours, unspecified, loopback or multicast") \
	_(drop_ip6_proto, "dropped: IPv6 next header not TCP or ICMPv6") \
	_(drop_icmp6, "dropped: ICMPv6 malformed, bad checksum, or ND with hop limit not 255 (RFC 4861)") \
	_(drop_tcp_short, "dropped: truncated TCP header") \
	_(drop_tcp_doff, "dropped: data offset below 5 or past the segment") \
	_(drop_tcp_cksum, "dropped: bad TCP checksum") \
	_(drop_tcp_flags, "dropped: invalid flag combination (SYN+FIN, SYN+RST, none)") \
	_(drop_tcp_opts, "dropped: malformed TCP options (a length byte of 0 or 1, or past the header)") \
	_(drop_no_flow, "dropped: RST, FIN or bare segment matching no flow") \
	_(drop_rst_oow, "dropped: RST out of window (RFC 5961 3.2)") \
	_(drop_challenge_limit, "dropped: challenge ACK over the rate limit") \
	_(drop_paws, "dropped: timestamp older than ts_recent (RFC 7323 PAWS)") \
	_(drop_old_ack, "dropped: ACK for data never sent or too old (RFC 5961 5.2)") \
	_(drop_no_ack, "dropped: segment without ACK on a synchronized flow") \
	_(drop_state, "dropped: segment not acceptable in the flow's state") \
	_(drop_mbuf, "timer segments not sent: mbuf pool empty") \
	_(drop_handoff, "dropped: the owning worker's hand-over ring was full, or still held it at exit") \
	_(rx_arp_reply, "ARP replies from the client role's next hop, learnt") \
	_(client_arp_request, "ARP requests sent for the client role's next hop") \
	_(client_syn_sent, "client connections attempted (first SYN sent)") \
	_(client_syn_retx, "client SYNs retransmitted") \
	_(client_established, "client connections established (SYN-ACK received)") \
	_(client_completed, "client connections with the response read and closed as asked") \
	_(client_fail_timeout, "client connections failed: no SYN-ACK or no response in time") \
	_(client_fail_rst, "client connections failed: reset by the server") \
	_(client_fail_bad_synack, "client connections failed: only unacceptable SYN-ACKs came back") \
	_(client_fail_response, "client connections failed: response not the expected bytes") \
	_(client_fail_closed, "client connections failed: closed before the response was complete") \
	_(client_rx_bad_synack, "SYN-ACKs with an unacceptable ACK (RST sent, RFC 9293 3.10.7.3)") \
	_(client_no_tuple, "client connections not opened: no free source address and port") \
	_(client_tw_reuse, "client tuples of ours taken from TIME_WAIT early ([client] tw_reuse, timestamps)") \
	_(proxy_opened, "backend connections opened: a valid cookie's ACK on a proxied port") \
	_(proxy_established, "backend handshakes completed: client and backend spliced") \
	_(proxy_syn_retx, "backend SYNs retransmitted") \
	_(proxy_fail_timeout, "proxied connections reset: the backend did not answer in connect_timeout") \
	_(proxy_fail_refused, "proxied connections reset: the backend answered the SYN with RST") \
	_(proxy_fail_unresolved, "proxied connections reset: no backend's MAC known within connect_timeout (ARP/ND), or no backend of the family") \
	_(proxy_fail_no_port, "proxied connections reset: no free source port toward the backend") \
	_(proxy_fail_table_full, "proxied connections reset: no room for the backend side in the flow table") \
	_(proxy_fail_options, "proxied connections reset: the backend refused timestamps the client uses") \
	_(proxy_fwd_c2b, "segments relayed from clients to backends") \
	_(proxy_fwd_b2c, "segments relayed from backends to clients") \
	_(proxy_bytes_c2b, "payload bytes relayed from clients to backends") \
	_(proxy_bytes_b2c, "payload bytes relayed from backends to clients") \
	_(proxy_parked, "client segments held until the backend's handshake completed") \
	_(proxy_park_full, "client data dropped while connecting: parking full (the client retransmits)") \
	_(proxy_closed, "proxied connections ended by both FINs") \
	_(proxy_tw_reuse, "source ports toward a backend taken again from a pair in TIME_WAIT for 1 s") \
	_(proxy_reset, "proxied connections ended by an RST from either side") \
	_(proxy_idle, "proxied connections reset by the idle timeout") \
	_(proxy_arp_request, "ARP requests and Neighbor Solicitations sent for backends") \
	_(proxy_pp2_sent, "PROXY protocol v2 headers sent to backends") \
	_(proxy_pp2_retx, "PROXY protocol v2 headers sent again (the backend ACKed below their end)")

#endif /* SK_COUNTERS_H */

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Linux kernel's connections per second on loopback, for comparison
 * with synack's client and server roles (docs/benchmarks.md): a minimal
 * epoll server (accept, read the 1-byte request, write a 1-byte response,
 * close) on one thread and CPU, and a minimal client on another (C
 * connections in flight, each: connect, send 1 byte, read 1 byte, close),
 * the same exchange as the net_memif wire test minus its payloads. Prints
 * one JSON object. Not a test.
 *
 *   kernel_cps [-s SECONDS] [-c CONCURRENCY] [-p PORT]
 *
 * With -S ADDR only the server runs, on ADDR:PORT (on CPU -C, unpinned
 * without it), for -s seconds or until SIGINT/SIGTERM, and prints the
 * connections it served (a request byte read, the response byte written)
 * as JSON: the kernel's TCP as the server for synackd's client role over
 * net_tap (tests/bench/client_kernel.py). Each connection: read 1 byte,
 * write "y", close when the client has closed (or reset).
 *
 *   kernel_cps -S ADDR [-s SECONDS] [-p PORT] [-C CPU]
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static int port = 18080;
/* the server's counts: connections accepted, requests answered, and
 * connections that ended before an answer (EOF or an error first) */
static uint64_t srv_accepted, srv_served, srv_unanswered;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
pin(int cpu)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	pthread_setaffinity_np(pthread_self(), sizeof(s), &s);
}

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct srv_arg {
	int ls;
	int cpu; /* -1: not pinned */
};

static void *
server(void *arg)
{
	const struct srv_arg *sa = arg;
	int ls = sa->ls, ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN }, evs[256];

	ev.data.u64 = (uint32_t)ls;
	if (sa->cpu >= 0)
		pin(sa->cpu);
	epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
	while (!stop) {
		int n = epoll_wait(ep, evs, 256, 100);

		for (int i = 0; i < n; i++) {
			int fd = (int)(uint32_t)evs[i].data.u64;
			char b;

			if (fd == ls) {
				int c;

				while ((c = accept4(ls, NULL, NULL,
						SOCK_NONBLOCK)) >= 0) {
					ev.events = EPOLLIN;
					/* the fd, and bit 32: answered */
					ev.data.u64 = (uint32_t)c;
					epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
					srv_accepted++;
				}
				continue;
			}
			if (!(evs[i].data.u64 >> 32) && read(fd, &b, 1) == 1 &&
					write(fd, "y", 1) == 1) {
				/* the client closes; EPOLLIN again */
				ev.events = EPOLLIN;
				ev.data.u64 = (uint64_t)1 << 32 | (uint32_t)fd;
				epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
				srv_served++;
				continue;
			}
			if (!(evs[i].data.u64 >> 32))
				srv_unanswered++;
			close(fd);
		}
	}
	close(ep);
	return NULL;
}

/* -S: the server alone, on this thread, until -s seconds or a signal. */
static int
serve_only(struct srv_arg *sa, double secs)
{
	struct sigaction sig = { .sa_handler = on_signal };
	struct itimerval it = { 0 };
	double t0, t1;

	sigaction(SIGINT, &sig, NULL);
	sigaction(SIGTERM, &sig, NULL);
	sigaction(SIGALRM, &sig, NULL);
	it.it_value.tv_sec = (time_t)secs;
	it.it_value.tv_usec = (suseconds_t)((secs - (double)(time_t)secs) * 1e6);
	if (it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0)
		it.it_value.tv_usec = 1;
	setitimer(ITIMER_REAL, &it, NULL);
	t0 = now_s();
	server(sa);
	t1 = now_s();
	printf("{\"kernel_server\": {\"accepted\": %llu, \"served\": %llu, "
		"\"unanswered\": %llu, \"seconds\": %.2f, "
		"\"cpu\": %d}}\n", (unsigned long long)srv_accepted,
		(unsigned long long)srv_served,
		(unsigned long long)srv_unanswered, t1 - t0, sa->cpu);
	return 0;
}

int
main(int argc, char **argv)
{
	double secs = 5, t0, t1;
	int conc = 64, opt, ls, one = 1, ep;
	uint64_t done = 0, failed = 0;
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct epoll_event evs[1024];
	struct srv_arg sa = { .cpu = -2 };
	const char *only = NULL;
	pthread_t th;

	while ((opt = getopt(argc, argv, "s:c:p:S:C:")) != -1) {
		switch (opt) {
		case 's': secs = atof(optarg); break;
		case 'c': conc = atoi(optarg); break;
		case 'p': port = atoi(optarg); break;
		case 'S': only = optarg; break;
		case 'C': sa.cpu = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: kernel_cps [-s SECONDS] "
				"[-c CONCURRENCY] [-p PORT]\n"
				"       kernel_cps -S ADDR [-s SECONDS] [-p PORT] "
				"[-C CPU]\n");
			return 2;
		}
	}
	if (conc < 1 || conc > 1024 || secs <= 0 || port < 1 || port > 65535 ||
			(sa.cpu < 0 && sa.cpu != -2)) {
		fprintf(stderr, "kernel_cps: bad -c, -s, -p or -C\n");
		return 2;
	}
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (only != NULL) {
		if (inet_pton(AF_INET, only, &a.sin_addr) != 1) {
			fprintf(stderr, "kernel_cps: -S %s: not an IPv4 "
				"address\n", only);
			return 2;
		}
	}
	/* -C unset: the server on CPU 0 beside the client, alone unpinned */
	if (sa.cpu == -2)
		sa.cpu = only != NULL ? -1 : 0;
	ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(ls, (struct sockaddr *)&a, sizeof(a)) != 0 ||
			listen(ls, 4096) != 0) {
		perror("kernel_cps: listen");
		return 1;
	}
	sa.ls = ls;
	if (only != NULL)
		return serve_only(&sa, secs);
	pthread_create(&th, NULL, server, &sa);
	pin(1);
	ep = epoll_create1(0);
	t0 = now_s();
	/* one connection per slot, reopened as soon as it ends */
	for (int i = 0; i < conc; i++) {
		int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		struct epoll_event ev = { .events = EPOLLOUT, .data.fd = s };
		struct linger lg = { 1, 0 };

		/* RST on close: the client's TIME_WAITs would exhaust ports */
		setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		connect(s, (struct sockaddr *)&a, sizeof(a));
		epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
	}
	while ((t1 = now_s()) - t0 < secs) {
		int n = epoll_wait(ep, evs, 1024, 100);

		for (int i = 0; i < n; i++) {
			int s = evs[i].data.fd, ns;
			char b;
			struct epoll_event ev;
			struct linger lg = { 1, 0 };

			if (evs[i].events & EPOLLOUT) {
				if (write(s, "x", 1) == 1) {
					ev.events = EPOLLIN;
					ev.data.fd = s;
					epoll_ctl(ep, EPOLL_CTL_MOD, s, &ev);
					continue;
				}
				failed++;
			} else if (read(s, &b, 1) == 1) {
				done++;
			} else {
				failed++;
			}
			close(s);
			ns = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
			setsockopt(ns, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
			connect(ns, (struct sockaddr *)&a, sizeof(a));
			ev.events = EPOLLOUT;
			ev.data.fd = ns;
			epoll_ctl(ep, EPOLL_CTL_ADD, ns, &ev);
		}
	}
	stop = 1;
	pthread_join(th, NULL);
	printf("{\"kernel_loopback_cps\": %.0f, \"completed\": %llu, "
		"\"failed\": %llu, \"seconds\": %.2f, \"concurrency\": %d}\n",
		done / (t1 - t0), (unsigned long long)done,
		(unsigned long long)failed, t1 - t0, conc);
	return 0;
}

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
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static volatile int stop;
static int port = 18080;

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

static void *
server(void *arg)
{
	int ls = *(int *)arg, ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = ls }, evs[256];

	pin(0);
	epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
	while (!stop) {
		int n = epoll_wait(ep, evs, 256, 100);

		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			char b;

			if (fd == ls) {
				int c;

				while ((c = accept4(ls, NULL, NULL,
						SOCK_NONBLOCK)) >= 0) {
					ev.events = EPOLLIN;
					ev.data.fd = c;
					epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
				}
				continue;
			}
			if (read(fd, &b, 1) == 1 && write(fd, "y", 1) == 1)
				continue; /* the client closes; EPOLLIN again */
			close(fd);
		}
	}
	close(ep);
	return NULL;
}

int
main(int argc, char **argv)
{
	double secs = 5, t0, t1;
	int conc = 64, opt, ls, one = 1, ep;
	uint64_t done = 0, failed = 0;
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct epoll_event evs[1024];
	pthread_t th;

	while ((opt = getopt(argc, argv, "s:c:p:")) != -1) {
		switch (opt) {
		case 's': secs = atof(optarg); break;
		case 'c': conc = atoi(optarg); break;
		case 'p': port = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: kernel_cps [-s SECONDS] "
				"[-c CONCURRENCY] [-p PORT]\n");
			return 2;
		}
	}
	if (conc < 1 || conc > 1024 || secs <= 0) {
		fprintf(stderr, "kernel_cps: bad -c or -s\n");
		return 2;
	}
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(ls, (struct sockaddr *)&a, sizeof(a)) != 0 ||
			listen(ls, 4096) != 0) {
		perror("kernel_cps: listen");
		return 1;
	}
	pthread_create(&th, NULL, server, &ls);
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

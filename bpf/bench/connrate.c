// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * New-TCP-connections-per-second probe for the service benchmarks: no JVM, so it can be pinned to one CPU with the
 * server and measure the connect path, not cross-CPU wake-ups.
 *   connrate server PORT            accept; send 1 byte; close — forever
 *   connrate client IP PORT SECONDS connect, read the byte, close, as fast as possible; prints connections/s
 * IP may be IPv4 or IPv6. Built by bpf/bench/service-lb.sh with gcc.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int serve(int port)
{
    int s = socket(AF_INET6, SOCK_STREAM, 0), one = 1, zero = 0;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
    struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = in6addr_any };
    if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 1024)) {
        perror("connrate server");
        return 1;
    }
    for (;;) {
        int c = accept(s, 0, 0);
        if (c < 0)
            continue;
        char b = 'k';
        if (write(c, &b, 1) < 0) { /* the client went away */ }
        close(c);
    }
}

static int client(const char *ip, int port, double seconds)
{
    struct sockaddr_storage ss = {0};
    socklen_t len;
    int family;
    if (strchr(ip, ':')) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = family = AF_INET6;
        a->sin6_port = htons(port);
        inet_pton(AF_INET6, ip, &a->sin6_addr);
        len = sizeof(*a);
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = family = AF_INET;
        a->sin_port = htons(port);
        inet_pton(AF_INET, ip, &a->sin_addr);
        len = sizeof(*a);
    }
    long n = 0;
    double start = now(), end = start + seconds;
    while (now() < end) {
        int s = socket(family, SOCK_STREAM, 0);
        /* RST on close instead of TIME_WAIT: thousands of connections a second would otherwise exhaust ports */
        struct linger l = { .l_onoff = 1, .l_linger = 0 };
        setsockopt(s, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
        char b;
        if (connect(s, (struct sockaddr *)&ss, len) || read(s, &b, 1) != 1) {
            fprintf(stderr, "connrate client: %s:%d: %s\n", ip, port, strerror(errno));
            return 1;
        }
        close(s);
        n++;
    }
    printf("%.0f\n", n / (now() - start));
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "server"))
        return serve(atoi(argv[2]));
    if (argc == 5 && !strcmp(argv[1], "client"))
        return client(argv[2], atoi(argv[3]), atof(argv[4]));
    fprintf(stderr, "usage: connrate server PORT | connrate client IP PORT SECONDS\n");
    return 2;
}

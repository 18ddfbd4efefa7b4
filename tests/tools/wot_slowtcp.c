/* wot_slowtcp.c - test tool: slow TCP clients against a DNS server.
 *
 * usage: wot_slowtcp [--conns N] [--seconds S] [--interval MS] [--idle]
 *                    ADDR PORT
 *
 * Keeps N (default 130) TCP connections to ADDR PORT open for S seconds
 * (default 10). Each one trickles a DNS query frame (length prefix, then
 * the message "example.com. A") one byte every MS milliseconds (default
 * 1000), over and over; with --idle it sends nothing at all. A connection
 * the server closes (EOF, reset, failed write) has its lifetime noted and
 * is opened again 50 ms later, as an attacker would. Prints
 *   opened=O closed_by_server=C max_life_ms=L oldest_open_ms=A
 * (L: the longest lifetime among those the server closed; A: the age of
 * the oldest connection still open at the end). Exit 0, 2 on usage or
 * when the address does not parse.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { MAX_CONNS = 1000, REOPEN_MS = 50 };

typedef struct {
	int fd;
	uint64_t opened, next_send, reopen_at;
	size_t sent; /* bytes of the frame sent so far */
} conn;

static const uint8_t frame[] = {
    0,	  29,						       /* length */
    0x12, 0x34, 0x01, 0,   0,	1,   0,	  0,   0, 0,   0,   0, /* header, RD */
    7,	  'e',	'x',  'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1};

static struct sockaddr_storage g_addr;
static socklen_t g_addrlen;
static unsigned long g_opened, g_closed;
static uint64_t g_max_life;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int parse_addr(const char *host, const char *port)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)&g_addr;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&g_addr;
	int p = atoi(port);

	if (p <= 0 || p > 65535)
		return -1;
	memset(&g_addr, 0, sizeof(g_addr));
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)p);
		g_addrlen = sizeof(*a4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)p);
		g_addrlen = sizeof(*a6);
		return 0;
	}
	return -1;
}

static void conn_open(conn *c, uint64_t now)
{
	c->fd = socket(g_addr.ss_family, SOCK_STREAM, 0);
	c->sent = 0;
	c->opened = now;
	c->next_send = now;
	if (c->fd < 0) {
		c->reopen_at = now + REOPEN_MS;
		return;
	}
	/* A blocking connect: on loopback it is at once or refused. */
	if (connect(c->fd, (struct sockaddr *)&g_addr, g_addrlen) < 0) {
		close(c->fd);
		c->fd = -1;
		c->reopen_at = now + REOPEN_MS;
		return;
	}
	fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
	g_opened++;
}

static void conn_lost(conn *c, uint64_t now)
{
	if (now - c->opened > g_max_life)
		g_max_life = now - c->opened;
	g_closed++;
	close(c->fd);
	c->fd = -1;
	c->reopen_at = now + REOPEN_MS;
}

/* Read what the server sent; 0 while the connection stays open. */
static int conn_read(conn *c)
{
	uint8_t buf[4096];
	ssize_t n;

	for (;;) {
		n = recv(c->fd, buf, sizeof(buf), 0);
		if (n > 0)
			continue; /* answers are not what we test */
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		return -1;
	}
}

static int conn_send(conn *c, uint64_t now, unsigned interval)
{
	if (now < c->next_send)
		return 0;
	c->next_send = now + interval;
	if (send(c->fd, frame + c->sent, 1, MSG_NOSIGNAL) != 1)
		return errno == EAGAIN ? 0 : -1;
	c->sent = (c->sent + 1) % sizeof(frame);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: wot_slowtcp [--conns N] [--seconds S] "
			"[--interval MS] [--idle] ADDR PORT\n");
}

static void run(conn *v, int n, unsigned seconds, unsigned interval, int idle)
{
	struct pollfd pf[MAX_CONNS];
	uint64_t end = now_ms() + (uint64_t)seconds * 1000;

	for (uint64_t now = now_ms(); now < end; now = now_ms()) {
		for (int i = 0; i < n; i++) {
			if (v[i].fd < 0 && now >= v[i].reopen_at)
				conn_open(&v[i], now);
			if (v[i].fd >= 0 && !idle &&
			    conn_send(&v[i], now, interval) < 0)
				conn_lost(&v[i], now);
			pf[i].fd = v[i].fd;
			pf[i].events = POLLIN;
			pf[i].revents = 0;
		}
		if (poll(pf, (nfds_t)n, 10) <= 0)
			continue;
		now = now_ms();
		for (int i = 0; i < n; i++)
			if (v[i].fd >= 0 && pf[i].revents &&
			    conn_read(&v[i]) < 0)
				conn_lost(&v[i], now);
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"conns", required_argument, NULL, 'n'},
	    {"seconds", required_argument, NULL, 's'},
	    {"interval", required_argument, NULL, 'i'},
	    {"idle", no_argument, NULL, 'I'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	int n = 130, idle = 0, o;
	unsigned seconds = 10, interval = 1000;
	uint64_t oldest = 0, now;
	conn *v;

	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (o == 'n')
			n = atoi(optarg);
		else if (o == 's')
			seconds = (unsigned)atoi(optarg);
		else if (o == 'i')
			interval = (unsigned)atoi(optarg);
		else if (o == 'I')
			idle = 1;
		else {
			usage();
			return o == 'h' ? 0 : 2;
		}
	}
	if (argc - optind != 2 || n < 1 || n > MAX_CONNS || !interval ||
	    parse_addr(argv[optind], argv[optind + 1]) < 0) {
		usage();
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (!(v = calloc((size_t)n, sizeof(*v))))
		return 1;
	for (int i = 0; i < n; i++)
		v[i].fd = -1;
	run(v, n, seconds, interval, idle);
	now = now_ms();
	for (int i = 0; i < n; i++) {
		if (v[i].fd < 0)
			continue;
		if (now - v[i].opened > oldest)
			oldest = now - v[i].opened;
		close(v[i].fd);
	}
	printf("opened=%lu closed_by_server=%lu max_life_ms=%llu "
	       "oldest_open_ms=%llu\n",
	       g_opened, g_closed, (unsigned long long)g_max_life,
	       (unsigned long long)oldest);
	free(v);
	return 0;
}

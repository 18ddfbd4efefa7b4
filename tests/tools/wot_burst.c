/* wot_burst.c - test tool: a UDP query burst against a DNS server.
 *
 * usage: wot_burst [--count N] [--inflight C] [--timeout MS] [--type T]
 *                  ADDR PORT NAMEFILE
 *
 * Sends N queries (default 200000) for the names in NAMEFILE (one a line,
 * cycled), qtype T (number, default 1 = A), RD set, no EDNS, to ADDR PORT
 * over UDP, with at most C (default 500) waiting at any time. IDs are
 * random and unique among the queries in flight; a reply counts when its
 * ID, QR bit and question match. Nothing is retransmitted: a query not
 * answered within MS milliseconds (default 2000, which is also the final
 * drain) is lost. Prints
 *   sent=N answered=M lost=L elapsed_ms=T
 *   rcode_errors=E stray=S qps=Q
 * (E: answers whose rcode was not NOERROR; S: replies matching nothing).
 * Exit 0 only when every query was answered, 1 otherwise, 2 on usage.
 */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { Q_UNSENT = 0, Q_WAIT = 1, Q_DONE = 2, Q_LOST = 3, NAME_MAX_WIRE = 255 };

typedef struct {
	uint8_t pkt[12 + NAME_MAX_WIRE + 4];
	size_t len;
} tmpl;

static struct {
	tmpl *names;
	size_t nnames;
	uint64_t *sent_at;
	uint32_t *name_of;
	uint16_t *id_of;
	uint8_t *state;
	int32_t slot[65536]; /* id -> query index, -1 when free */
	unsigned long sent, answered, lost, errors, stray;
	size_t oldest, inflight;
	uint64_t rng;
} g;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint16_t rand16(void)
{
	/* xorshift64*: plenty for spreading IDs in a test */
	g.rng ^= g.rng >> 12;
	g.rng ^= g.rng << 25;
	g.rng ^= g.rng >> 27;
	return (uint16_t)((g.rng * 2685821657736338717ULL) >> 48);
}

/* Wire query for a dotted name; -1 if the name is not valid. */
static int build(tmpl *t, const char *name, uint16_t qtype)
{
	size_t o = 12, len = strlen(name);
	const char *p = name;

	memset(t->pkt, 0, 12);
	t->pkt[2] = 0x01; /* RD */
	t->pkt[5] = 1;
	if (len && name[len - 1] == '.')
		len--;
	while (len) {
		const char *dot = memchr(p, '.', len);
		size_t l = dot ? (size_t)(dot - p) : len;
		if (l == 0 || l > 63 || o - 12 + l + 2 > NAME_MAX_WIRE)
			return -1;
		t->pkt[o++] = (uint8_t)l;
		memcpy(t->pkt + o, p, l);
		o += l;
		p += l + (dot ? 1 : 0);
		len -= l + (dot ? 1 : 0);
	}
	t->pkt[o++] = 0;
	t->pkt[o++] = (uint8_t)(qtype >> 8);
	t->pkt[o++] = (uint8_t)qtype;
	t->pkt[o++] = 0;
	t->pkt[o++] = 1; /* IN */
	t->len = o;
	return 0;
}

static int load_names(const char *path, uint16_t qtype)
{
	char line[1024];
	size_t cap = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, " \t\r\n")] = 0;
		if (!line[0])
			continue;
		if (g.nnames == cap) {
			tmpl *n;
			cap = cap ? cap * 2 : 1024;
			n = realloc(g.names, cap * sizeof(*n));
			if (!n) {
				fclose(f);
				return -1;
			}
			g.names = n;
		}
		if (build(&g.names[g.nnames], line, qtype) < 0) {
			fprintf(stderr, "wot_burst: bad name '%s'\n", line);
			fclose(f);
			return -1;
		}
		g.nnames++;
	}
	fclose(f);
	return g.nnames ? 0 : -1;
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Does the reply carry the question of query i? */
static int same_question(const uint8_t *p, size_t len, const tmpl *t)
{
	if (len < t->len || p[4] != 0 || p[5] != 1)
		return 0;
	for (size_t k = 12; k < t->len; k++)
		if (lower(p[k]) != lower(t->pkt[k]))
			return 0;
	return 1;
}

static void on_reply(const uint8_t *p, size_t len)
{
	int32_t i;

	if (len < 12 || !(p[2] & 0x80)) {
		g.stray++;
		return;
	}
	i = g.slot[(p[0] << 8) | p[1]];
	if (i < 0 || g.state[i] != Q_WAIT ||
	    !same_question(p, len, &g.names[g.name_of[i]])) {
		g.stray++;
		return;
	}
	g.state[i] = Q_DONE;
	g.slot[(p[0] << 8) | p[1]] = -1;
	g.inflight--;
	g.answered++;
	if (p[3] & 0xf)
		g.errors++;
}

/* Give up on queries older than timeout (they were sent in order). */
static void expire(uint64_t now, unsigned timeout)
{
	while (g.oldest < g.sent) {
		size_t i = g.oldest;
		if (g.state[i] == Q_WAIT) {
			if (g.sent_at[i] + timeout > now)
				return;
			g.state[i] = Q_LOST;
			g.slot[g.id_of[i]] = -1;
			g.inflight--;
			g.lost++;
		}
		g.oldest++;
	}
}

/* Send while there is room; 0 if the socket would block. */
static int send_some(int fd, unsigned long total, size_t max_inflight,
		     uint64_t now)
{
	while (g.sent < total && g.inflight < max_inflight) {
		size_t i = g.sent;
		tmpl *t = &g.names[i % g.nnames];
		uint16_t id;
		do
			id = rand16();
		while (g.slot[id] >= 0);
		t->pkt[0] = (uint8_t)(id >> 8);
		t->pkt[1] = (uint8_t)id;
		if (send(fd, t->pkt, t->len, 0) < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == ENOBUFS)
				return 0;
			perror("wot_burst: send");
			exit(1);
		}
		g.slot[id] = (int32_t)i;
		g.name_of[i] = (uint32_t)(i % g.nnames);
		g.id_of[i] = id;
		g.sent_at[i] = now;
		g.state[i] = Q_WAIT;
		g.sent++;
		g.inflight++;
	}
	return 1;
}

static void receive_all(int fd)
{
	static uint8_t buf[65536];

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0)
			return;
		on_reply(buf, (size_t)n);
	}
}

static int open_socket(const char *host, const char *port)
{
	struct addrinfo hints, *ai = NULL;
	int fd, size = 8 << 20;

	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	hints.ai_socktype = SOCK_DGRAM;
	if (getaddrinfo(host, port, &hints, &ai) != 0)
		return -1;
	fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(ai);
	return fd;
}

static void run(int fd, unsigned long total, size_t max_inflight,
		unsigned timeout)
{
	for (;;) {
		uint64_t now = now_ms();
		struct pollfd pf = {fd, POLLIN, 0};
		int room;
		expire(now, timeout);
		room = send_some(fd, total, max_inflight, now);
		if (g.sent == total && g.inflight == 0)
			return;
		if (!room)
			pf.events |= POLLOUT;
		poll(&pf, 1, 10);
		receive_all(fd);
	}
}

static int usage(void)
{
	fprintf(stderr, "usage: wot_burst [--count N] [--inflight C] "
			"[--timeout MS] [--type T] ADDR PORT NAMEFILE\n");
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"count", required_argument, NULL, 'n'},
	    {"inflight", required_argument, NULL, 'c'},
	    {"timeout", required_argument, NULL, 'w'},
	    {"type", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	unsigned long total = 200000;
	long inflight = 500, timeout = 2000, qtype = 1;
	uint64_t start, elapsed;
	int c, fd;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			total = strtoul(optarg, NULL, 10);
			break;
		case 'c':
			inflight = atol(optarg);
			break;
		case 'w':
			timeout = atol(optarg);
			break;
		case 't':
			qtype = atol(optarg);
			break;
		default:
			return usage();
		}
	}
	if (argc - optind != 3 || total == 0 || inflight < 1 ||
	    inflight > 30000 || timeout < 1 || qtype < 1 || qtype > 65535)
		return usage();
	if (load_names(argv[optind + 2], (uint16_t)qtype) < 0) {
		fprintf(stderr, "wot_burst: no names from %s\n",
			argv[optind + 2]);
		return 2;
	}
	fd = open_socket(argv[optind], argv[optind + 1]);
	g.sent_at = calloc(total, sizeof(*g.sent_at));
	g.name_of = calloc(total, sizeof(*g.name_of));
	g.state = calloc(total, sizeof(*g.state));
	g.id_of = calloc(total, sizeof(*g.id_of));
	if (fd < 0 || !g.sent_at || !g.name_of || !g.state || !g.id_of) {
		fprintf(stderr, "wot_burst: setup failed\n");
		return 1;
	}
	memset(g.slot, 0xff, sizeof(g.slot));
	g.rng = ((uint64_t)getpid() << 32) ^ now_ms() ^ 0x9e3779b97f4a7c15ULL;
	start = now_ms();
	run(fd, total, (size_t)inflight, (unsigned)timeout);
	elapsed = now_ms() - start;
	printf("sent=%lu answered=%lu lost=%lu elapsed_ms=%llu\n", g.sent,
	       g.answered, g.lost, (unsigned long long)elapsed);
	printf("rcode_errors=%lu stray=%lu qps=%llu\n", g.errors, g.stray,
	       (unsigned long long)(elapsed ? g.answered * 1000ULL / elapsed
					    : g.answered));
	close(fd);
	free(g.sent_at);
	free(g.name_of);
	free(g.state);
	free(g.id_of);
	free(g.names);
	return g.answered == g.sent && g.lost == 0 ? 0 : 1;
}

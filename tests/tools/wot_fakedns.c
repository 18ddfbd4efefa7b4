/* wot_fakedns.c - test tool: a fake upstream DNS server on loopback.
 *
 * usage: wot_fakedns --listen ADDR:PORT --mode MODE [--ttl N]
 *                    [--evil ZONE] [--port-file F] [--log F]
 *
 * Binds UDP and TCP on one port (port 0 picks a free one, written to
 * --port-file and printed on stdout). Every A query for any name gets one
 * A 192.0.2.53 (TTL --ttl, default 300); other types get NODATA with a SOA;
 * names whose first label is "nx" get NXDOMAIN with a SOA (SOA TTL 300,
 * MINIMUM 60). Class IN only (REFUSED otherwise). Over UDP an answer larger
 * than the client's size (512, or its EDNS0 size) is sent with TC and no
 * records. Modes:
 *   ok               answer
 *   timeout          never answer
 *   wrongid          answer with a wrong ID, and with the right ID but a
 *                    different question (both carry the lie 203.0.113.66)
 *   wrongid-then-ok  a wrong-ID lie, then the right answer 50 ms later
 *   servfail         SERVFAIL
 *   tc               UDP: TC and no answer; TCP: the answer
 *   big              A: 60 A records (UDP clients of 512 bytes get TC)
 *   hostile          A: the answer, plus lies about the overlay zone
 *                    --evil Z (default alice.wot): in the answer
 *                    "www.Z A 6.6.6.6" and "Z A 6.6.6.6"; in authority
 *                    "Z NS evil.ns.example." (out of bailiwick) and
 *                    "TLD NS ns.TLD." (the question's last label: in
 *                    bailiwick); in additional "evil.ns.example.",
 *                    "www.Z" and "unrelated.example." A 6.6.6.6 and
 *                    "ns.TLD. A 192.0.2.54". A first label "to-L" answers
 *                    with "CNAME L.Z" and "L.Z A 6.6.6.6" instead
 *   chclass          A: the answer record in class CH, not IN
 *   chquestion       A: the answer with the question's class set to CH
 * The query "count.fake. TXT" (class IN or CH) is answered in every mode
 * with TXT "udp=N tcp=M", the queries received so far, and is not counted.
 * --log appends one line per counted query: "udp|tcp port=P id=I type=T
 * name=N". SIGTERM and SIGINT exit cleanly (status 0).
 *
 * This file is the server (sockets, the modes' timing, the options); what
 * it answers is built in fakedns_answer.c.
 */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
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

#include "fakedns.h"

static const char *const mode_names[M_COUNT] = {
    "ok", "timeout", "wrongid", "wrongid-then-ok", "servfail",
    "tc", "big",     "hostile", "chclass",	   "chquestion"};

enum {
	MAX_CONNS = 64,
	MAX_LATER = 256,
	DELAY_MS = 50,
	BIND_TRIES = 16,
};

typedef struct {
	int fd;
	uint8_t *in;
	size_t len, cap;
} conn;

typedef struct {
	uint64_t due;
	struct sockaddr_storage to;
	socklen_t tolen;
	size_t len;
	uint8_t *data;
} later;

static struct {
	FILE *log;
	int udp, tcp;
	conn conns[MAX_CONNS];
	later later[MAX_LATER];
	size_t nlater;
} g;

fake_conf fake;

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- transport ------------------------------------------------------- */

typedef struct {
	int tcp;
	int fd;
	const struct sockaddr_storage *from;
	socklen_t fromlen;
	size_t limit;
} dest;

static void send_now(const dest *d, const uint8_t *p, size_t len)
{
	if (!len)
		return;
	if (d->tcp) {
		uint8_t hdr[2] = {(uint8_t)(len >> 8), (uint8_t)len};
		if (send(d->fd, hdr, 2, MSG_NOSIGNAL | MSG_MORE) == 2)
			(void)!send(d->fd, p, len, MSG_NOSIGNAL);
	} else {
		(void)!sendto(d->fd, p, len, 0,
			      (const struct sockaddr *)d->from, d->fromlen);
	}
}

static void send_later(const dest *d, const uint8_t *p, size_t len)
{
	later *l;

	if (d->tcp || g.nlater == MAX_LATER) {
		send_now(d, p, len);
		return;
	}
	l = &g.later[g.nlater];
	l->data = malloc(len);
	if (!l->data)
		return;
	memcpy(l->data, p, len);
	l->len = len;
	l->due = now_ms() + DELAY_MS;
	memcpy(&l->to, d->from, sizeof(l->to));
	l->tolen = d->fromlen;
	g.nlater++;
}

static void flush_later(void)
{
	uint64_t now = now_ms();
	size_t i = 0;

	while (i < g.nlater) {
		later *l = &g.later[i];
		if (l->due > now) {
			i++;
			continue;
		}
		(void)!sendto(g.udp, l->data, l->len, 0,
			      (const struct sockaddr *)&l->to, l->tolen);
		free(l->data);
		*l = g.later[--g.nlater];
	}
}

static unsigned src_port(const struct sockaddr_storage *sa)
{
	if (sa->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return ntohs(((const struct sockaddr_in *)sa)->sin_port);
}

/* An answer of the normal kind, truncated to the client's UDP size. */
static size_t sized_answer(const query *q, const dest *d, uint8_t *buf, int lie,
			   int tc)
{
	size_t len = build_answer(q, buf, d->limit, lie, tc);

	return len ? len : build_answer(q, buf, d->limit, lie, 1);
}

static void handle(const dest *dd, const uint8_t *p, size_t len)
{
	static uint8_t buf[MSG_MAX];
	dest d = *dd;
	query q;
	size_t n;

	if (parse_query(p, len, &q) < 0)
		return;
	d.limit =
	    d.tcp ? MSG_MAX : (q.edns && q.edns_size > 512 ? q.edns_size : 512);
	if ((q.qtype == T_TXT) && (q.qclass == C_IN || q.qclass == C_CH) &&
	    strcmp(q.text, "count.fake.") == 0) {
		send_now(&d, buf, build_count(&q, buf, d.limit));
		return;
	}
	if (d.tcp)
		fake.ntcp++;
	else
		fake.nudp++;
	if (g.log) {
		fprintf(g.log, "%s port=%u id=%u type=%u name=%s\n",
			d.tcp ? "tcp" : "udp", d.from ? src_port(d.from) : 0,
			q.id, q.qtype, q.text);
		fflush(g.log);
	}
	switch (fake.mode) {
	case M_TIMEOUT:
		return;
	case M_WRONGID:
		n = sized_answer(&q, &d, buf, 1, 0);
		if (n) {
			buf[0] ^= 0x5a;
			send_now(&d, buf, n);
		}
		send_now(&d, buf, build_other_question(&q, buf, d.limit));
		return;
	case M_WRONGID_OK:
		n = sized_answer(&q, &d, buf, 1, 0);
		if (n) {
			buf[0] ^= 0x5a;
			send_now(&d, buf, n);
		}
		send_later(&d, buf, sized_answer(&q, &d, buf, 0, 0));
		return;
	default:
		break;
	}
	send_now(&d, buf,
		 sized_answer(&q, &d, buf, 0, fake.mode == M_TC && !d.tcp));
}

static void on_udp(void)
{
	static uint8_t p[MSG_MAX];
	struct sockaddr_storage from;

	for (;;) {
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(g.udp, p, sizeof(p), MSG_DONTWAIT,
				     (struct sockaddr *)&from, &fl);
		if (n < 0)
			return;
		dest d = {0, g.udp, &from, fl, 512};
		handle(&d, p, (size_t)n);
	}
}

static void conn_close(conn *c)
{
	close(c->fd);
	free(c->in);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

static void on_accept(void)
{
	int fd = accept(g.tcp, NULL, NULL);

	if (fd < 0)
		return;
	for (int i = 0; i < MAX_CONNS; i++) {
		if (g.conns[i].fd < 0) {
			g.conns[i].fd = fd;
			return;
		}
	}
	close(fd);
}

static void on_conn(conn *c)
{
	uint8_t tmp[4096];
	ssize_t n = recv(c->fd, tmp, sizeof(tmp), 0);
	size_t off = 0;
	struct sockaddr_storage peer;
	socklen_t pl = sizeof(peer);

	if (n <= 0) {
		conn_close(c);
		return;
	}
	if (c->len + (size_t)n > c->cap) {
		size_t cap = (c->len + (size_t)n) * 2;
		uint8_t *in = realloc(c->in, cap);
		if (!in) {
			conn_close(c);
			return;
		}
		c->in = in;
		c->cap = cap;
	}
	memcpy(c->in + c->len, tmp, (size_t)n);
	c->len += (size_t)n;
	getpeername(c->fd, (struct sockaddr *)&peer, &pl);
	while (c->len - off >= 2) {
		size_t mlen = rd16(c->in + off);
		if (c->len - off < 2 + mlen)
			break;
		dest d = {1, c->fd, &peer, pl, MSG_MAX};
		handle(&d, c->in + off + 2, mlen);
		off += 2 + mlen;
	}
	memmove(c->in, c->in + off, c->len - off);
	c->len -= off;
}

/* ---- setup ----------------------------------------------------------- */

static int parse_listen(const char *spec, struct sockaddr_storage *sa,
			socklen_t *salen)
{
	char host[256];
	const char *port;
	struct addrinfo hints, *ai = NULL;

	if (spec[0] == '[') {
		const char *e = strchr(spec, ']');
		if (!e || e[1] != ':' || (size_t)(e - spec) > sizeof(host))
			return -1;
		memcpy(host, spec + 1, (size_t)(e - spec - 1));
		host[e - spec - 1] = 0;
		port = e + 2;
	} else {
		const char *e = strrchr(spec, ':');
		if (!e || (size_t)(e - spec) >= sizeof(host))
			return -1;
		memcpy(host, spec, (size_t)(e - spec));
		host[e - spec] = 0;
		port = e + 1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	hints.ai_socktype = SOCK_DGRAM;
	if (getaddrinfo(host, port, &hints, &ai) != 0)
		return -1;
	memcpy(sa, ai->ai_addr, ai->ai_addrlen);
	*salen = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

static void set_port(struct sockaddr_storage *sa, uint16_t port)
{
	if (sa->ss_family == AF_INET6)
		((struct sockaddr_in6 *)sa)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)sa)->sin_port = htons(port);
}

/* TCP first (port 0: the kernel picks), then UDP on the same port. */
static int bind_both(struct sockaddr_storage *sa, socklen_t salen)
{
	int one = 1, rcvbuf = 4 << 20, any = src_port(sa) == 0;

	for (int i = 0; i < BIND_TRIES; i++) {
		socklen_t l = salen;
		g.tcp = socket(sa->ss_family,
			       SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		g.udp = socket(sa->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (g.tcp < 0 || g.udp < 0)
			return -1;
		setsockopt(g.tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		/* Room for bursts: the kernel caps this at rmem_max. */
		setsockopt(g.udp, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
			   sizeof(rcvbuf));
		if (any)
			set_port(sa, 0);
		if (bind(g.tcp, (struct sockaddr *)sa, salen) == 0 &&
		    getsockname(g.tcp, (struct sockaddr *)sa, &l) == 0 &&
		    bind(g.udp, (struct sockaddr *)sa, salen) == 0 &&
		    listen(g.tcp, 64) == 0)
			return 0;
		close(g.tcp);
		close(g.udp);
		if (errno != EADDRINUSE || !any)
			return -1;
	}
	return -1;
}

static int write_port_file(const char *path, unsigned port)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	fprintf(f, "%u\n", port);
	if (fclose(f) != 0)
		return -1;
	return rename(tmp, path);
}

static void serve(void)
{
	struct pollfd pf[2 + MAX_CONNS];
	sigset_t none;

	sigemptyset(&none);
	while (!stopping) {
		int n = 0, timeout = -1;
		struct timespec ts, *tsp = NULL;
		pf[n++] = (struct pollfd){g.udp, POLLIN, 0};
		pf[n++] = (struct pollfd){g.tcp, POLLIN, 0};
		for (int i = 0; i < MAX_CONNS; i++)
			pf[n++] = (struct pollfd){g.conns[i].fd, POLLIN, 0};
		if (g.nlater)
			timeout = DELAY_MS / 5;
		if (timeout >= 0) {
			ts.tv_sec = 0;
			ts.tv_nsec = (long)timeout * 1000000;
			tsp = &ts;
		}
		if (ppoll(pf, (nfds_t)n, tsp, &none) < 0) {
			if (errno == EINTR)
				continue;
			perror("wot_fakedns: poll");
			return;
		}
		if (pf[0].revents)
			on_udp();
		if (pf[1].revents)
			on_accept();
		for (int i = 0; i < MAX_CONNS; i++)
			if (g.conns[i].fd >= 0 && pf[2 + i].revents)
				on_conn(&g.conns[i]);
		flush_later();
	}
}

static int usage(void)
{
	fprintf(stderr, "usage: wot_fakedns --listen ADDR:PORT --mode MODE "
			"[--ttl N] [--evil ZONE] [--port-file F] [--log F]\n"
			"modes: ok timeout wrongid wrongid-then-ok servfail "
			"tc big hostile chclass chquestion\n");
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"listen", required_argument, NULL, 'l'},
	    {"mode", required_argument, NULL, 'm'},
	    {"ttl", required_argument, NULL, 't'},
	    {"port-file", required_argument, NULL, 'p'},
	    {"log", required_argument, NULL, 'L'},
	    {"evil", required_argument, NULL, 'e'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *listen_spec = "127.0.0.1:0", *port_file = NULL;
	struct sockaddr_storage sa;
	socklen_t salen;
	struct sigaction act;
	sigset_t block;
	int c, mode = M_OK;

	fake.ttl = 300;
	fake.evil = "alice.wot";
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			listen_spec = optarg;
			break;
		case 'm':
			for (mode = 0; mode < M_COUNT; mode++)
				if (strcmp(optarg, mode_names[mode]) == 0)
					break;
			if (mode == M_COUNT)
				return usage();
			break;
		case 't':
			fake.ttl = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'p':
			port_file = optarg;
			break;
		case 'e':
			fake.evil = optarg;
			break;
		case 'L':
			g.log = fopen(optarg, "a");
			if (!g.log) {
				perror(optarg);
				return 1;
			}
			break;
		default:
			return usage();
		}
	}
	if (optind != argc)
		return usage();
	fake.mode = (enum mode)mode;
	for (int i = 0; i < MAX_CONNS; i++)
		g.conns[i].fd = -1;
	if (parse_listen(listen_spec, &sa, &salen) < 0) {
		fprintf(stderr, "wot_fakedns: bad --listen %s\n", listen_spec);
		return 2;
	}
	/* Signals arrive only inside ppoll(), so none is lost. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, NULL);
	memset(&act, 0, sizeof(act));
	act.sa_handler = on_signal;
	sigaction(SIGTERM, &act, NULL);
	sigaction(SIGINT, &act, NULL);
	if (bind_both(&sa, salen) < 0) {
		perror("wot_fakedns: bind");
		return 1;
	}
	if (port_file && write_port_file(port_file, src_port(&sa)) < 0) {
		perror(port_file);
		return 1;
	}
	printf("%u\n", src_port(&sa));
	fflush(stdout);
	serve();
	for (int i = 0; i < MAX_CONNS; i++)
		if (g.conns[i].fd >= 0)
			conn_close(&g.conns[i]);
	while (g.nlater)
		free(g.later[--g.nlater].data);
	close(g.udp);
	close(g.tcp);
	if (g.log)
		fclose(g.log);
	return 0;
}

/*
 * fuzz_tcp.c - a TCP byte stream (RFC 7766 framing: two length bytes, a
 * message, again) to the live resolver's TCP port and to the peer
 * listener's, both run by the one listener (src/dns/net/listen_tcp.c),
 * srv.h. The input is the whole stream a client sends before it
 * half-closes; whatever comes back must be whole frames of well-formed
 * answers, and the server must hang up once it has answered.
 */
#include "dns/resolver/resolver_int.h"
#include "fuzz.h"
#include "srv.h"
#include "util/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum { MAX_REPLY = 1 << 20, HANG_MS = 4000 };

/* A client socket from a new loopback address each time: no port runs
 * out to TIME_WAIT, no rate limit of the peer listener adds up. The
 * kernel completes the handshake; the server accepts when its loop runs.
 * A connect fails about once in 200,000 (some 100,000 sockets wait in
 * TIME_WAIT by then): the next address is tried, three times at most. */
static int connect_from_new_addr(const struct sockaddr_in *to)
{
	static uint32_t n;
	int err = 0;

	for (int tries = 0; tries < 3; tries++) {
		struct sockaddr_in from = {.sin_family = AF_INET};
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		n = (n + 1) % 0xfffff0u;
		from.sin_addr.s_addr = htonl(0x7f000002u + n);
		FUZZ_CHECK(fd >= 0);
		if (bind(fd, (struct sockaddr *)&from, sizeof(from)) == 0 &&
		    connect(fd, (const struct sockaddr *)to, sizeof(*to)) == 0)
			return fd;
		err = errno;
		close(fd);
	}
	fprintf(stderr, "fuzz_tcp: connect: %s\n", strerror(err));
	abort();
}

/* The fake upstream answers every forwarded UDP query at once (REFUSED). */
static void answer_upstream(int upfd)
{
	uint8_t buf[4096];
	struct sockaddr_storage from;
	socklen_t flen = sizeof(from);
	ssize_t n = recvfrom(upfd, buf, sizeof(buf), 0,
			     (struct sockaddr *)&from, &flen);

	if (n < WOT_DNS_HDR_LEN)
		return;
	buf[2] |= 0x80;
	buf[3] = (uint8_t)((buf[3] & 0xf0) | WOT_RCODE_REFUSED);
	sendto(upfd, buf, (size_t)n, 0, (struct sockaddr *)&from, flen);
}

/* Every reply is a whole frame holding a well-formed answer. */
static void check_stream(const uint8_t *r, size_t len)
{
	size_t off = 0;

	while (off < len) {
		size_t mlen;
		ldns_pkt *p = NULL;

		FUZZ_CHECK(len - off >= 2);
		mlen = wot_rd16(r + off);
		FUZZ_CHECK(len - off - 2 >= mlen && mlen >= WOT_DNS_HDR_LEN);
		FUZZ_CHECK(r[off + 4] & 0x80); /* QR */
		FUZZ_CHECK(wot_dns_wire2pkt(&p, r + off + 2, mlen) ==
			   LDNS_STATUS_OK);
		ldns_pkt_free(p);
		off += 2 + mlen;
	}
}

static void one_stream(const fuzz_srv *s, const struct sockaddr_in *to,
		       const uint8_t *data, size_t size)
{
	static uint8_t *reply;
	size_t got = 0;
	int fd = connect_from_new_addr(to), hung = 1;
	int fds[3] = {fd, s->upfd, s->uptcp};

	if (!reply)
		FUZZ_CHECK((reply = malloc(MAX_REPLY)) != NULL);
	/* a few KiB: the socket buffer takes it all */
	FUZZ_CHECK(size == 0 || write(fd, data, size) == (ssize_t)size);
	shutdown(fd, SHUT_WR);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	for (uint64_t end = uv_hrtime() + HANG_MS * 1000000ull;
	     uv_hrtime() < end;) {
		int who = fuzz_srv_wait(fds, 3, 100), up;
		ssize_t n;
		if (who == 1)
			answer_upstream(s->upfd);
		/* a TCP client's query goes to the upstream over TCP: hang
		 * up, so the forwarder fails over at once (SERVFAIL) */
		if (who == 2 && (up = accept(s->uptcp, NULL, NULL)) >= 0)
			close(up);
		if (who != 0)
			continue;
		n = read(fd, reply + got, MAX_REPLY - got);
		if (n > 0 && (got += (size_t)n) < MAX_REPLY)
			continue;
		if (n < 0 && errno == EAGAIN)
			continue;
		hung = 0; /* EOF, or reset: the server hung up */
		break;
	}
	close(fd);
	FUZZ_CHECK(!hung);
	check_stream(reply, got);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const fuzz_srv *s = fuzz_srv_get();

	one_stream(s, &s->addr, data, size);
	one_stream(s, &s->peer, data, size);
	wot_error_clear();
	return 0;
}

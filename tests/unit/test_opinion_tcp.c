/*
 * test_opinion_tcp.c - the asker's TCP retry (src/dns/peer/opinion_ask.c
 * on the engine, src/dns/net/client_*.c) against a fake peer on loopback (a thread with plain
 * sockets): a truncated UDP answer is asked again over TCP; hostile TCP
 * answers (oversized, undersized, cut, silent, another id, refused
 * connection) leave the truncated UDP answer; closing the asker mid-retry
 * runs no callback and leaks nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dns/peer/opinion.h"
#include "util/util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* What the fake peer does over TCP. */
enum {
	TCP_WHOLE,   /* one big answer, written a few bytes at a time */
	TCP_HUGE,    /* a frame length of 65535 */
	TCP_TINY,    /* a frame length of 5 */
	TCP_CUT,     /* half a frame, then EOF */
	TCP_SILENT,  /* reads the question, never answers */
	TCP_WRONGID, /* a whole answer with another id */
	TCP_NOLISTEN /* no TCP listener: connection refused */
};

enum { BIG = 3000 }; /* bytes of the TCP answer: more than UDP can carry */

typedef struct {
	int udp, tcp, mode, stop;
	unsigned port;
	pthread_t th;
	uint32_t udp_from, tcp_from; /* the asker's addresses seen */
} fake;

/* Header of a reply to q (question copied), flags as given. */
static size_t reply_to(const uint8_t *q, size_t qlen, uint16_t flags,
		       uint8_t *out)
{
	memcpy(out, q, qlen);
	out[2] = (uint8_t)(flags >> 8);
	out[3] = (uint8_t)flags;
	memset(out + 6, 0, 6); /* no answer, authority, additional */
	return qlen;
}

static void tcp_client(fake *f, int c)
{
	uint8_t in[600], out[2 + BIG];
	ssize_t n = recv(c, in, sizeof(in), 0);
	size_t qlen, len;

	if (n < 14)
		return;
	qlen = (size_t)n - 2;
	len = reply_to(in + 2, qlen, 0x8000, out + 2);
	memset(out + 2 + len, 0xAB, BIG - len); /* trailing junk: bounded */
	len = BIG;
	out[0] = (uint8_t)(len >> 8);
	out[1] = (uint8_t)len;
	switch (f->mode) {
	case TCP_WHOLE:
		for (size_t o = 0; o < len + 2; o += 700) {
			size_t k = len + 2 - o < 700 ? len + 2 - o : 700;
			send(c, out + o, k, MSG_NOSIGNAL);
			usleep(2000);
		}
		break;
	case TCP_HUGE:
		out[0] = out[1] = 0xff;
		send(c, out, 2 + BIG, MSG_NOSIGNAL);
		break;
	case TCP_TINY:
		out[0] = 0;
		out[1] = 5;
		send(c, out, 7, MSG_NOSIGNAL);
		break;
	case TCP_CUT:
		send(c, out, 2 + len / 2, MSG_NOSIGNAL);
		break;
	case TCP_SILENT:
		usleep(600 * 1000);
		break;
	case TCP_WRONGID:
		out[2] ^= 0x5a;
		send(c, out, 2 + len, MSG_NOSIGNAL);
		break;
	}
}

static void *serve(void *arg)
{
	fake *f = arg;
	int listening = f->mode != TCP_NOLISTEN;

	while (!f->stop) {
		struct pollfd p[2] = {{f->udp, POLLIN, 0}, {f->tcp, POLLIN, 0}};
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		uint8_t q[600], out[600];
		ssize_t n;

		if (poll(p, listening ? 2 : 1, 50) <= 0)
			continue;
		if (p[0].revents & POLLIN) {
			n = recvfrom(f->udp, q, sizeof(q), 0,
				     (struct sockaddr *)&from, &fl);
			f->udp_from = ntohl(from.sin_addr.s_addr);
			if (n >= 12)
				sendto(f->udp, out,
				       reply_to(q, (size_t)n, 0x8200, out), 0,
				       (struct sockaddr *)&from, fl);
		}
		if (listening && (p[1].revents & POLLIN)) {
			socklen_t tl = sizeof(from);
			int c = accept(f->tcp, (struct sockaddr *)&from, &tl);
			if (c >= 0) {
				f->tcp_from = ntohl(from.sin_addr.s_addr);
				tcp_client(f, c);
				close(c);
			}
		}
	}
	return NULL;
}

/* A UDP socket and a TCP one on one free port: the kernel picks the UDP
 * port, which may be taken for TCP, so try again until both bind. TCP is
 * bound even without a listener (TCP_NOLISTEN), so that nobody else can
 * listen there and connecting is refused. */
static void bind_pair(fake *f)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int one = 1;

	for (int tries = 0; tries < 100; tries++) {
		memset(&a, 0, sizeof(a));
		a.sin_family = AF_INET;
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		f->udp = socket(AF_INET, SOCK_DGRAM, 0);
		assert_int_equal(bind(f->udp, (struct sockaddr *)&a, sizeof(a)),
				 0);
		getsockname(f->udp, (struct sockaddr *)&a, &al);
		f->port = ntohs(a.sin_port);
		f->tcp = socket(AF_INET, SOCK_STREAM, 0);
		setsockopt(f->tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(f->tcp, (struct sockaddr *)&a, sizeof(a)) == 0)
			return;
		close(f->tcp);
		close(f->udp);
	}
	fail_msg("no port free for both UDP and TCP");
}

static void fake_start(fake *f, int mode)
{
	memset(f, 0, sizeof(*f));
	f->mode = mode;
	bind_pair(f);
	if (mode != TCP_NOLISTEN)
		assert_int_equal(listen(f->tcp, 4), 0);
	assert_int_equal(pthread_create(&f->th, NULL, serve, f), 0);
}

static void fake_stop(fake *f)
{
	f->stop = 1;
	pthread_join(f->th, NULL);
	close(f->udp);
	close(f->tcp);
}

typedef struct {
	int calls;
	size_t len;
	int tc;
	uint16_t id;
} got;

static void on_answer(void *data, const uint8_t *pkt, size_t len, uint16_t id)
{
	got *g = data;

	g->calls++;
	g->len = pkt ? len : 0;
	g->tc = pkt && len >= 4 && (pkt[2] & 0x02);
	g->id = id;
}

/* Ask the fake peer in mode one question; run the loop until answered. */
static void ask_from(const char *source, int mode, unsigned timeout_ms, got *g,
		     wot_opinion_ask_stats *st, uint64_t *ms, fake *seen)
{
	uv_loop_t loop;
	wot_opinion_asker *a;
	fake f;
	uint8_t q[300];
	size_t qlen;
	char ep[64];
	uint64_t t0;

	memset(g, 0, sizeof(*g));
	fake_start(&f, mode);
	snprintf(ep, sizeof(ep), "127.0.0.1:%u", f.port);
	assert_int_equal(uv_loop_init(&loop), 0);
	assert_int_equal(wot_opinion_asker_new(&a, &loop), 0);
	if (source)
		assert_int_equal(wot_opinion_asker_source(a, source), 0);
	assert_int_equal(wot_opinion_query_record(q, sizeof(q), 0x1234,
						  "big.alice.wot.", 16, &qlen),
			 0);
	t0 = uv_hrtime();
	assert_int_equal(
	    wot_opinion_ask(a, ep, q, qlen, timeout_ms, on_answer, g), 0);
	while (!g->calls && uv_hrtime() - t0 < 5000000000ull)
		uv_run(&loop, UV_RUN_ONCE);
	*ms = (uv_hrtime() - t0) / 1000000;
	wot_opinion_asker_stats(a, st);
	wot_opinion_asker_close(a, NULL, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&loop), 0);
	fake_stop(&f);
	if (seen)
		*seen = f;
}

static void ask(int mode, unsigned timeout_ms, got *g,
		wot_opinion_ask_stats *st, uint64_t *ms)
{
	ask_from(NULL, mode, timeout_ms, g, st, ms, NULL);
}

/* With a source address, the TCP retry leaves from it as the UDP
 * question did: the peer's rate limit sees one asker. */
static void tcp_retry_from_source(void **state)
{
	got g;
	wot_opinion_ask_stats st;
	uint64_t ms;
	fake f;

	(void)state;
	ask_from("127.0.0.2:5300", TCP_WHOLE, 1000, &g, &st, &ms, &f);
	assert_int_equal(g.len, BIG);
	assert_int_equal(f.udp_from, 0x7f000002);
	assert_int_equal(f.tcp_from, 0x7f000002);
	ask(TCP_WHOLE, 1000, &g, &st, &ms);
	assert_int_equal(g.len, BIG);
}

static void tcp_retry_whole(void **state)
{
	got g;
	wot_opinion_ask_stats st;
	uint64_t ms;

	(void)state;
	ask(TCP_WHOLE, 1000, &g, &st, &ms);
	assert_int_equal(g.calls, 1);
	assert_int_equal(g.len, BIG); /* the TCP answer, in pieces */
	assert_int_equal(g.tc, 0);
	assert_int_equal(g.id, 0x1234);
	assert_int_equal(st.tcp, 1);
	assert_int_equal(st.tcp_failed, 0);
	assert_int_equal(st.answered, 1);
	assert_true(st.bytes_in >= BIG);
}

/* Every hostile TCP answer leaves the truncated UDP one. */
static void tcp_retry_hostile(void **state)
{
	const int modes[] = {TCP_HUGE, TCP_TINY, TCP_CUT, TCP_WRONGID,
			     TCP_NOLISTEN};
	got g;
	wot_opinion_ask_stats st;
	uint64_t ms;

	(void)state;
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		ask(modes[i], 2000, &g, &st, &ms);
		print_message("mode %d: %zu bytes, tc %d, %llu ms\n", modes[i],
			      g.len, g.tc, (unsigned long long)ms);
		assert_int_equal(g.calls, 1);
		assert_true(g.tc);
		assert_true(g.len > 12 && g.len < 300);
		assert_int_equal(st.tcp, 1);
		assert_int_equal(st.tcp_failed, 1);
		assert_true(ms < 1500); /* refused at once, not timed out */
	}
}

static void tcp_retry_silent_times_out(void **state)
{
	got g;
	wot_opinion_ask_stats st;
	uint64_t ms;

	(void)state;
	ask(TCP_SILENT, 300, &g, &st, &ms);
	assert_int_equal(g.calls, 1);
	assert_true(g.tc);
	assert_int_equal(st.tcp_failed, 1);
	assert_true(ms >= 290 && ms < 2000);
}

static void tcp_retry_close_midway(void **state)
{
	uv_loop_t loop;
	wot_opinion_asker *a;
	fake f;
	got g = {0, 0, 0, 0};
	uint8_t q[300];
	size_t qlen;
	char ep[64];
	wot_opinion_ask_stats st;
	uint64_t t0 = uv_hrtime();

	(void)state;
	fake_start(&f, TCP_SILENT);
	snprintf(ep, sizeof(ep), "127.0.0.1:%u", f.port);
	assert_int_equal(uv_loop_init(&loop), 0);
	assert_int_equal(wot_opinion_asker_new(&a, &loop), 0);
	assert_int_equal(wot_opinion_query_record(q, sizeof(q), 7,
						  "big.alice.wot.", 16, &qlen),
			 0);
	assert_int_equal(wot_opinion_ask(a, ep, q, qlen, 2000, on_answer, &g),
			 0);
	/* until the retry is under way */
	do {
		uv_run(&loop, UV_RUN_ONCE);
		wot_opinion_asker_stats(a, &st);
	} while (!st.tcp && uv_hrtime() - t0 < 3000000000ull);
	assert_int_equal(st.tcp, 1);
	wot_opinion_asker_close(a, NULL, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&loop), 0);
	assert_int_equal(g.calls, 0);
	fake_stop(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(tcp_retry_whole),
	    cmocka_unit_test(tcp_retry_hostile),
	    cmocka_unit_test(tcp_retry_silent_times_out),
	    cmocka_unit_test(tcp_retry_close_midway),
	    cmocka_unit_test(tcp_retry_from_source),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_net_listen.c - the one listener (src/dns/net/listen*.c) with a fake
 * handler, on loopback: UDP datagrams and TCP frames reach the handler
 * whole (frames split at any byte, pipelined), its reply comes back
 * framed; a frame no message can be, an idle connection and a message
 * trickled past its deadline close the connection; a full table evicts
 * the idlest; a request kept for later is answered later, and a kept
 * request whose connection or listener closes is cancelled exactly once;
 * one-at-a-time connections answer in order and hang up on a drop.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dns/net/net.h"
#include "util/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { MSG = 12, MAXKEEP = 8 };

/* The fake handler: a message whose first byte is 'D' is dropped, 'L'
 * kept for later, anything else answered with itself, byte 2 set to 'R'. */
typedef struct {
	uv_loop_t loop;
	wot_net_listener *l;
	struct sockaddr_storage bound;
	int calls, cancels, closed;
	int tcp_seen;
	wot_net_req kept[MAXKEEP];
	int nkept;
} fx;

static int handle(void *ctx, wot_net_req *req, const uint8_t *msg, size_t len,
		  uint8_t *out, size_t cap, size_t *rlen)
{
	fx *f = ctx;

	f->calls++;
	f->tcp_seen = wot_net_req_tcp(req);
	if (msg[0] == 'D')
		return WOT_NET_DROP;
	if (msg[0] == 'L') {
		assert_true(f->nkept < MAXKEEP);
		wot_net_req_keep(&f->kept[f->nkept++], req);
		return WOT_NET_LATER;
	}
	assert_true(len <= cap);
	memcpy(out, msg, len);
	out[2] = 'R';
	*rlen = len;
	return WOT_NET_REPLY;
}

static void cancel(void *ctx, wot_net_req *req)
{
	fx *f = ctx;

	(void)req;
	f->cancels++;
}

static wot_net_listen_opts opts(fx *f, unsigned flags)
{
	wot_net_listen_opts o = {
	    .handle = handle,
	    .cancel = cancel,
	    .ctx = f,
	    .flags = flags,
	    .udp_max = 512,
	    .udp_reply_max = 512,
	    .tcp_reply_max = 4096,
	    .tcp_msg_max = 100,
	    .max_conns = 2,
	    .idle_ms = 800,
	    .msg_ms = 150,
	    .backlog = 8,
	    .wqueue_max = 1 << 16,
	};
	return o;
}

static void start(fx *f, unsigned flags)
{
	wot_net_listen_opts o = opts(f, flags);
	struct sockaddr_storage want;
	struct sockaddr_in *sin = (struct sockaddr_in *)&want;

	memset(f, 0, sizeof(*f));
	assert_int_equal(uv_loop_init(&f->loop), 0);
	assert_int_equal(wot_net_listener_new(&f->l, &f->loop, &o), 0);
	memset(&want, 0, sizeof(want));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(wot_net_listener_add(f->l, &want, &f->bound), 0);
	assert_int_not_equal(((struct sockaddr_in *)&f->bound)->sin_port, 0);
}

static void on_closed(void *data)
{
	((fx *)data)->closed++;
}

static void stop(fx *f)
{
	wot_net_listener_close(f->l, on_closed, f);
	assert_int_equal(uv_run(&f->loop, UV_RUN_DEFAULT), 0);
	assert_int_equal(f->closed, 1);
	assert_int_equal(uv_loop_close(&f->loop), 0);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Run the loop for about ms. */
static void pump(fx *f, unsigned ms)
{
	uint64_t end = now_ms() + ms;

	do {
		uv_run(&f->loop, UV_RUN_NOWAIT);
		usleep(1000);
	} while (now_ms() < end);
}

/* Read want bytes from fd within ms, running the loop meanwhile. Returns
 * the bytes read, -1 at EOF or reset before any. */
static ssize_t read_some(fx *f, int fd, uint8_t *buf, size_t want, unsigned ms)
{
	uint64_t end = now_ms() + ms;
	size_t got = 0;

	while (got < want && now_ms() < end) {
		ssize_t n = recv(fd, buf + got, want - got, MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN))
			return got ? (ssize_t)got : -1;
		if (n > 0)
			got += (size_t)n;
		else
			pump(f, 1);
	}
	return (ssize_t)got;
}

/* 1 if the server closed fd within ms. */
static int closed_within(fx *f, int fd, unsigned ms)
{
	uint8_t b[64];

	return read_some(f, fd, b, sizeof(b), ms) < 0;
}

static int sock(fx *f, int type)
{
	int fd = socket(AF_INET, type, 0);

	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&f->bound,
				 sizeof(struct sockaddr_in)),
			 0);
	return fd;
}

/* A message of MSG bytes starting with c, framed when framed. */
static size_t msg(uint8_t *buf, char c, int framed)
{
	uint8_t *m = framed ? buf + 2 : buf;

	if (framed) {
		buf[0] = 0;
		buf[1] = MSG;
	}
	memset(m, 'x', MSG);
	m[0] = (uint8_t)c;
	return MSG + (framed ? 2 : 0);
}

/* Close fd with a reset (not a half-close, which still waits for its
 * answers). */
static void reset(int fd)
{
	struct linger lg = {1, 0};

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

static void send_all(int fd, const uint8_t *buf, size_t len)
{
	assert_int_equal(send(fd, buf, len, 0), (ssize_t)len);
}

/* The reply to a message starting with c, as the fake makes it. */
static void expect_reply(const uint8_t *r, char c)
{
	assert_int_equal(r[0], (uint8_t)c);
	assert_int_equal(r[2], 'R');
}

static void udp_reply_and_drop(void **state)
{
	fx f;
	uint8_t q[64], r[64];
	int fd;

	(void)state;
	start(&f, WOT_NET_BATCH);
	fd = sock(&f, SOCK_DGRAM);
	send_all(fd, q, msg(q, 'a', 0));
	assert_int_equal(read_some(&f, fd, r, MSG, 1000), MSG);
	expect_reply(r, 'a');
	assert_false(f.tcp_seen);
	/* dropped: nothing comes back, the next one is answered */
	send_all(fd, q, msg(q, 'D', 0));
	send_all(fd, q, msg(q, 'b', 0));
	assert_int_equal(read_some(&f, fd, r, MSG, 1000), MSG);
	expect_reply(r, 'b');
	assert_int_equal(f.calls, 3);
	close(fd);
	stop(&f);
}

/* Bytes that arrive a few at a time, and frames pipelined in one write,
 * reach the handler as whole messages; each reply comes back framed. */
static void tcp_frames_split_and_pipelined(void **state)
{
	fx f;
	uint8_t q[3 * (MSG + 2)], r[3 * (MSG + 2)];
	size_t n = 0;
	int fd;

	(void)state;
	start(&f, 0);
	fd = sock(&f, SOCK_STREAM);
	n += msg(q, 'a', 1);
	for (size_t i = 0; i < n; i++) {
		send_all(fd, q + i, 1);
		pump(&f, 2);
	}
	assert_int_equal(read_some(&f, fd, r, MSG + 2, 1000), MSG + 2);
	assert_int_equal(r[1], MSG);
	expect_reply(r + 2, 'a');
	assert_true(f.tcp_seen);
	n = msg(q, 'b', 1);
	n += msg(q + n, 'c', 1);
	n += msg(q + n, 'd', 1);
	send_all(fd, q, n);
	assert_int_equal(read_some(&f, fd, r, n, 1000), (ssize_t)n);
	expect_reply(r + 2, 'b');
	expect_reply(r + MSG + 4, 'c');
	expect_reply(r + 2 * MSG + 6, 'd');
	assert_int_equal(f.calls, 4);
	close(fd);
	stop(&f);
}

/* A frame shorter than a DNS header, or longer than the largest message,
 * is no message: the framing is lost, the connection closes. */
static void tcp_bad_frame_closes(void **state)
{
	uint8_t tiny[] = {0, 5, 1, 2, 3, 4, 5}, big[] = {0, 101};
	wot_net_listen_stats st;
	fx f;
	int fd;

	(void)state;
	start(&f, 0);
	fd = sock(&f, SOCK_STREAM);
	send_all(fd, tiny, sizeof(tiny));
	assert_true(closed_within(&f, fd, 1000));
	close(fd);
	fd = sock(&f, SOCK_STREAM);
	send_all(fd, big, sizeof(big));
	assert_true(closed_within(&f, fd, 1000));
	close(fd);
	wot_net_listener_stats(f.l, &st);
	assert_int_equal(st.bad_frames, 2);
	assert_int_equal(f.calls, 0);
	stop(&f);
}

/* Idle past idle_ms between messages: closed. A message begun and
 * trickled a byte at a time: closed at msg_ms after its first byte, the
 * later bytes do not move the deadline. */
static void tcp_deadlines(void **state)
{
	wot_net_listen_stats st;
	uint8_t q[2 + 50] = {0, 50};
	uint64_t t0;
	fx f;
	int fd;

	(void)state;
	start(&f, 0);
	fd = sock(&f, SOCK_STREAM);
	t0 = now_ms();
	assert_true(closed_within(&f, fd, 3000));
	assert_true(now_ms() - t0 >= 700);
	close(fd);
	/* 40 bytes of a 50-byte message, one each 20 ms: 800 ms */
	fd = sock(&f, SOCK_STREAM);
	t0 = now_ms();
	for (size_t i = 0; i < 42; i++) {
		if (send(fd, q + i, 1, MSG_NOSIGNAL) != 1)
			break;
		pump(&f, 20);
	}
	assert_true(closed_within(&f, fd, 3000));
	/* neither the idle timeout nor a deadline each byte moved on */
	assert_true(now_ms() - t0 < 600);
	close(fd);
	wot_net_listener_stats(f.l, &st);
	assert_int_equal(st.expired, 1);
	assert_int_equal(f.calls, 0);
	stop(&f);
}

/* A full table: the connection idle for the longest makes way; one
 * waiting on a kept request is busy and stays. */
static void tcp_full_table_evicts_idlest(void **state)
{
	wot_net_listen_stats st;
	uint8_t q[MSG + 2], r[MSG + 2];
	int a, b, c;
	fx f;

	(void)state;
	start(&f, 0);
	a = sock(&f, SOCK_STREAM);
	pump(&f, 20);
	b = sock(&f, SOCK_STREAM);
	pump(&f, 20);
	/* a waits on a request kept for later: busy */
	send_all(a, q, msg(q, 'L', 1));
	pump(&f, 20);
	assert_int_equal(f.nkept, 1);
	c = sock(&f, SOCK_STREAM);
	assert_true(closed_within(&f, b, 1000));
	send_all(c, q, msg(q, 'c', 1));
	assert_int_equal(read_some(&f, c, r, sizeof(r), 1000), MSG + 2);
	wot_net_listener_stats(f.l, &st);
	assert_int_equal(st.evicted, 1);
	wot_net_req_reply(&f.kept[0], (const uint8_t *)"Lxxxxxxxxxxx", MSG);
	assert_int_equal(read_some(&f, a, r, sizeof(r), 1000), MSG + 2);
	assert_int_equal(r[2], 'L');
	assert_int_equal(f.cancels, 0);
	close(a);
	close(b);
	close(c);
	stop(&f);
}

/* Kept requests: answered later over UDP and TCP (a half-closed client
 * gets its answer, then the connection closes); ended twice, sent once;
 * a connection that closes with one kept cancels it, once; the listener
 * closing cancels what is still kept. */
static void kept_requests_end_once(void **state)
{
	uint8_t q[MSG + 2], r[2 * (MSG + 2)];
	int u, t;
	fx f;

	(void)state;
	start(&f, WOT_NET_BATCH);
	u = sock(&f, SOCK_DGRAM);
	t = sock(&f, SOCK_STREAM);
	send_all(u, q, msg(q, 'L', 0));
	send_all(t, q, msg(q, 'L', 1));
	pump(&f, 50);
	assert_int_equal(f.nkept, 2);
	assert_int_equal(wot_net_req_pending(&f.kept[0]) +
			     wot_net_req_pending(&f.kept[1]),
			 1);
	shutdown(t, SHUT_WR);
	pump(&f, 20);
	for (int i = 0; i < 2; i++) {
		msg(r, 'l', 0);
		wot_net_req_reply(&f.kept[i], r, MSG);
		wot_net_req_reply(&f.kept[i], r, MSG); /* ended: no-op */
	}
	assert_int_equal(read_some(&f, u, r, sizeof(r), 1000), MSG);
	assert_int_equal(read_some(&f, t, r, sizeof(r), 1000), MSG + 2);
	assert_true(closed_within(&f, t, 1000)); /* half-closed, answered */
	close(t);
	/* a connection reset with a request kept: cancelled once */
	t = sock(&f, SOCK_STREAM);
	send_all(t, q, msg(q, 'L', 1));
	pump(&f, 50);
	reset(t);
	pump(&f, 50);
	assert_int_equal(f.cancels, 1);
	wot_net_req_drop(&f.kept[2]); /* ended by the cancel: no-op */
	/* the listener closes with a UDP request kept */
	send_all(u, q, msg(q, 'L', 0));
	pump(&f, 50);
	assert_int_equal(f.nkept, 4);
	close(u);
	stop(&f);
	assert_int_equal(f.cancels, 2);
}

/* One at a time: pipelined messages are answered in order, each after the
 * last is written; a dropped one hangs up (the peer port). */
static void one_at_a_time_hangs_up_on_drop(void **state)
{
	uint8_t q[3 * (MSG + 2)], r[3 * (MSG + 2)];
	size_t n;
	fx f;
	int fd;

	(void)state;
	start(&f, WOT_NET_ONE_AT_A_TIME | WOT_NET_HANGUP_ON_DROP);
	fd = sock(&f, SOCK_STREAM);
	n = msg(q, 'a', 1);
	n += msg(q + n, 'b', 1);
	n += msg(q + n, 'D', 1);
	send_all(fd, q, n);
	assert_int_equal(read_some(&f, fd, r, 2 * (MSG + 2), 1000),
			 2 * (MSG + 2));
	expect_reply(r + 2, 'a');
	expect_reply(r + MSG + 4, 'b');
	assert_true(closed_within(&f, fd, 1000));
	assert_int_equal(f.calls, 3);
	close(fd);
	stop(&f);
}

static void bad_options_refused(void **state)
{
	wot_net_listener *l = NULL;
	wot_net_listen_opts o;
	uv_loop_t loop;
	fx f;

	(void)state;
	memset(&f, 0, sizeof(f));
	o = opts(&f, 0);
	o.tcp_msg_max = 5; /* shorter than a header */
	assert_int_equal(uv_loop_init(&loop), 0);
	assert_int_equal(wot_net_listener_new(&l, &loop, &o), WOT_EINVAL);
	assert_null(l);
	assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(udp_reply_and_drop),
	    cmocka_unit_test(tcp_frames_split_and_pipelined),
	    cmocka_unit_test(tcp_bad_frame_closes),
	    cmocka_unit_test(tcp_deadlines),
	    cmocka_unit_test(tcp_full_table_evicts_idlest),
	    cmocka_unit_test(kept_requests_end_once),
	    cmocka_unit_test(one_at_a_time_hangs_up_on_drop),
	    cmocka_unit_test(bad_options_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

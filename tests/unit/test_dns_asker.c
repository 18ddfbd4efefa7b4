/*
 * test_dns_asker.c - the opinion asker's source address
 * (src/dns/peer/opinion_ask.c): with a specific source its questions leave
 * from that address (what a peer's per-address rate limit sees), the any
 * address keeps the default; and the peer listener's rate limit
 * (src/dns/peer_listen.c) keeps one bucket per sender address, so nodes
 * asking from their own addresses are limited each alone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dns/peer/opinion.h"
#include "dns/peer/peer_int.h"
#include "util/util.h"

#include <stdio.h>
#include <string.h>

/* A UDP "peer" on addr: records where each question came from and echoes
 * it back as its answer. */
typedef struct {
	uv_udp_t udp;
	char from[80];
	int got;
	uint8_t buf[512];
} peer;

typedef struct {
	int answered, timeouts;
} asked;

static void peer_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	peer *p = h->data;

	(void)hint;
	*b = uv_buf_init((char *)p->buf, sizeof(p->buf));
}

static void peer_recv(uv_udp_t *u, ssize_t n, const uv_buf_t *b,
		      const struct sockaddr *from, unsigned flags)
{
	peer *p = u->data;
	uv_buf_t out;

	(void)flags;
	if (n <= 0 || !from)
		return;
	uv_ip4_name((const struct sockaddr_in *)from, p->from, sizeof(p->from));
	p->got++;
	if (n > 2)
		b->base[2] |= (char)0x80; /* QR: an answer, as peers send */
	out = uv_buf_init(b->base, (unsigned)n);
	uv_udp_try_send(u, &out, 1, from);
}

static void on_answer(void *data, const uint8_t *pkt, size_t len, uint16_t id)
{
	asked *a = data;

	(void)len;
	(void)id;
	if (pkt)
		a->answered++;
	else
		a->timeouts++;
}

static void closed(uv_handle_t *h)
{
	(void)h;
}

/* Ask the peer on 127.0.0.1 once from an asker with source src (NULL:
 * none); the peer's view of the sender is left in p->from. */
static void ask_once(const char *src, peer *p, asked *a)
{
	uv_loop_t loop;
	wot_opinion_asker *k = NULL;
	struct sockaddr_in sa;
	int len = sizeof(sa);
	char ep[64];
	uint8_t q[300];
	size_t qlen;

	memset(p, 0, sizeof(*p));
	memset(a, 0, sizeof(*a));
	assert_int_equal(uv_loop_init(&loop), 0);
	uv_udp_init(&loop, &p->udp);
	p->udp.data = p;
	uv_ip4_addr("127.0.0.1", 0, &sa);
	assert_int_equal(uv_udp_bind(&p->udp, (struct sockaddr *)&sa, 0), 0);
	uv_udp_getsockname(&p->udp, (struct sockaddr *)&sa, &len);
	uv_udp_recv_start(&p->udp, peer_alloc, peer_recv);
	snprintf(ep, sizeof(ep), "127.0.0.1:%d", ntohs(sa.sin_port));

	assert_int_equal(wot_opinion_asker_new(&k, &loop), 0);
	if (src)
		assert_int_equal(wot_opinion_asker_source(k, src), 0);
	assert_int_equal(
	    wot_opinion_query_record(q, sizeof(q), 77, "www.n3.wot.", 1, &qlen),
	    0);
	assert_int_equal(wot_opinion_ask(k, ep, q, qlen, 2000, on_answer, a),
			 0);
	while (!a->answered && !a->timeouts)
		uv_run(&loop, UV_RUN_ONCE);
	wot_opinion_asker_close(k, NULL, NULL);
	uv_close((uv_handle_t *)&p->udp, closed);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&loop), 0);
}

static void asker_sends_from_source(void **state)
{
	peer p;
	asked a;

	(void)state;
	ask_once("127.0.0.7:5353", &p, &a);
	assert_int_equal(p.got, 1);
	assert_string_equal(p.from, "127.0.0.7");
	/* the answer to that address came back to the asker */
	assert_int_equal(a.answered, 1);

	ask_once("127.0.0.9:0", &p, &a);
	assert_string_equal(p.from, "127.0.0.9");
}

static void asker_default_source(void **state)
{
	peer p;
	asked a;

	(void)state;
	ask_once(NULL, &p, &a);
	assert_string_equal(p.from, "127.0.0.1");
	assert_int_equal(a.answered, 1);
	/* the any address keeps the default */
	ask_once("0.0.0.0:5353", &p, &a);
	assert_string_equal(p.from, "127.0.0.1");
	/* a v6 source says nothing about v4 questions */
	ask_once("[::1]:5353", &p, &a);
	assert_string_equal(p.from, "127.0.0.1");
	assert_int_equal(a.answered, 1);
}

static void asker_bad_source(void **state)
{
	wot_opinion_asker *k = NULL;
	uv_loop_t loop;

	(void)state;
	assert_int_equal(uv_loop_init(&loop), 0);
	assert_int_equal(wot_opinion_asker_new(&k, &loop), 0);
	assert_int_equal(wot_opinion_asker_source(k, "not-an-address"),
			 WOT_EINVAL);
	wot_error_clear();
	wot_opinion_asker_close(k, NULL, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&loop), 0);
}

static size_t stub_answer(void *data, const uint8_t *pkt, size_t len,
			  uint8_t *out, size_t cap)
{
	(void)data;
	(void)cap;
	memcpy(out, pkt, len);
	return len;
}

/* A question from addr: 1 if answered. */
static int asked_from(wot_dns_peer_listener *l, const char *addr)
{
	struct sockaddr_in sa;
	uint8_t q[300], out[WOT_PEER_WBUF];
	size_t qlen, rlen = 0;

	uv_ip4_addr(addr, 40000, &sa);
	assert_int_equal(
	    wot_opinion_query_record(q, sizeof(q), 9, "www.n3.wot.", 1, &qlen),
	    0);
	wot_peer_handle(l, (const struct sockaddr *)&sa, q, qlen, out,
			sizeof(out), 0, &rlen);
	return rlen > 0;
}

static void listener_buckets_per_address(void **state)
{
	static wot_dns_peer_listener l; /* large: not on the stack */
	uv_loop_t loop;
	int n = 0;

	(void)state;
	assert_int_equal(uv_loop_init(&loop), 0);
	memset(&l, 0, sizeof(l));
	l.loop = &loop;
	l.qfn = stub_answer;
	/* node 2 spends its burst (time stands still: no refill) */
	for (int i = 0; i < 100; i++)
		n += asked_from(&l, "127.0.0.2");
	assert_true(n >= 20 && n < 100);
	assert_false(asked_from(&l, "127.0.0.2"));
	/* node 3, on its own address, is answered all the same */
	assert_true(asked_from(&l, "127.0.0.3"));
	assert_int_equal(l.st.dropped, 101 - (uint64_t)n);
	assert_int_equal(uv_loop_close(&loop), 0);
}

/* ---- DNS cookies on the peer port (cookie.c, wot_peer_handle) ---- */

static void cookie_server_cookie_checks(void **state)
{
	uint8_t secret[WOT_COOKIE_SECRET] = {1, 2, 3}, other[16] = {9};
	uint8_t q[400];
	struct sockaddr_in a, b;
	wot_dns_cookie c, got;
	size_t qlen, n;

	(void)state;
	uv_ip4_addr("127.0.0.1", 1, &a);
	uv_ip4_addr("127.0.0.2", 1, &b);
	assert_int_equal(
	    wot_opinion_query_record(q, sizeof(q), 7, "www.n.wot.", 1, &qlen),
	    0);
	assert_int_equal(wot_dns_cookie_read(q, qlen, &got), 0);
	assert_false(got.present);
	memset(&c, 0, sizeof(c));
	c.present = 1;
	memset(c.client, 0xab, sizeof(c.client));
	wot_dns_cookie_make(secret, (struct sockaddr *)&a, 1000000, &c);
	assert_int_equal(c.server_len, WOT_COOKIE_SERVER);
	n = wot_dns_cookie_put(q, qlen, sizeof(q), &c);
	assert_int_equal(n, qlen + WOT_COOKIE_OPT);
	assert_int_equal(wot_dns_cookie_read(q, n, &got), 0);
	assert_true(got.present);
	assert_memory_equal(got.client, c.client, WOT_COOKIE_CLIENT);
	assert_int_equal(got.server_len, WOT_COOKIE_SERVER);
	assert_true(wot_dns_cookie_valid(secret, (struct sockaddr *)&a,
					 1000000 + 3000, &got));
	/* another address, another secret, too old, from the future */
	assert_false(
	    wot_dns_cookie_valid(secret, (struct sockaddr *)&b, 1000000, &got));
	assert_false(
	    wot_dns_cookie_valid(other, (struct sockaddr *)&a, 1000000, &got));
	assert_false(wot_dns_cookie_valid(secret, (struct sockaddr *)&a,
					  1000000 + 3601, &got));
	assert_false(wot_dns_cookie_valid(secret, (struct sockaddr *)&a,
					  1000000 - 301, &got));
	got.server[15] ^= 1;
	assert_false(
	    wot_dns_cookie_valid(secret, (struct sockaddr *)&a, 1000000, &got));
	/* no room: the message stays as it was */
	assert_int_equal(wot_dns_cookie_put(q, qlen, qlen + 10, &c), 0);
}

static size_t seen_cap;

static size_t cap_answer(void *data, const uint8_t *pkt, size_t len,
			 uint8_t *out, size_t cap)
{
	(void)data;
	seen_cap = cap;
	return wot_opinion_answer(NULL, pkt, len, out, cap);
}

/* The room an opinion answer gets: 3x the question over UDP unless the
 * question's server cookie is valid, and the answer carries a fresh one. */
static void cookie_limits_udp_answers(void **state)
{
	static wot_dns_peer_listener l; /* large: not on the stack */
	uint8_t q[400], out[WOT_PEER_TCP_WBUF];
	struct sockaddr_in sa;
	wot_dns_cookie c, got;
	size_t qlen, clen, rlen = 0;
	uv_loop_t loop;

	(void)state;
	assert_int_equal(uv_loop_init(&loop), 0);
	memset(&l, 0, sizeof(l));
	l.loop = &loop;
	l.qfn = cap_answer;
	memset(l.cookie_secret, 5, sizeof(l.cookie_secret));
	uv_ip4_addr("127.0.0.4", 4000, &sa);
	assert_int_equal(
	    wot_opinion_query_record(q, sizeof(q), 7, "www.n.wot.", 1, &qlen),
	    0);
	wot_peer_handle(&l, (struct sockaddr *)&sa, q, qlen, out, WOT_PEER_WBUF,
			0, &rlen);
	assert_int_equal(seen_cap, 3 * qlen);
	wot_peer_handle(&l, (struct sockaddr *)&sa, q, qlen, out, sizeof(out),
			1, &rlen);
	assert_int_equal(seen_cap, sizeof(out));
	/* a client cookie: still 3x, less the cookie the answer gets */
	memset(&c, 0, sizeof(c));
	c.present = 1;
	memset(c.client, 0x11, sizeof(c.client));
	clen = wot_dns_cookie_put(q, qlen, sizeof(q), &c);
	assert_true(clen > qlen);
	wot_peer_handle(&l, (struct sockaddr *)&sa, q, clen, out, WOT_PEER_WBUF,
			0, &rlen);
	assert_int_equal(seen_cap, 3 * clen - WOT_COOKIE_OPT);
	assert_true(rlen > 0 && rlen <= 3 * clen);
	assert_int_equal(wot_dns_cookie_read(out, rlen, &got), 0);
	assert_true(got.present);
	assert_int_equal(got.server_len, WOT_COOKIE_SERVER);
	/* sent back: the whole UDP size */
	assert_int_equal(
	    wot_opinion_query_record(q, sizeof(q), 7, "www.n.wot.", 1, &qlen),
	    0);
	clen = wot_dns_cookie_put(q, qlen, sizeof(q), &got);
	assert_int_equal(clen, qlen + WOT_COOKIE_OPT);
	wot_peer_handle(&l, (struct sockaddr *)&sa, q, clen, out, WOT_PEER_WBUF,
			0, &rlen);
	assert_int_equal(seen_cap, WOT_PEER_WBUF - WOT_COOKIE_OPT);
	/* from another address it proves nothing */
	uv_ip4_addr("127.0.0.5", 4000, &sa);
	wot_peer_handle(&l, (struct sockaddr *)&sa, q, clen, out, WOT_PEER_WBUF,
			0, &rlen);
	assert_int_equal(seen_cap, 3 * clen - WOT_COOKIE_OPT);
	assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(asker_sends_from_source),
	    cmocka_unit_test(asker_default_source),
	    cmocka_unit_test(asker_bad_source),
	    cmocka_unit_test(cookie_server_cookie_checks),
	    cmocka_unit_test(cookie_limits_udp_answers),
	    cmocka_unit_test(listener_buckets_per_address),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

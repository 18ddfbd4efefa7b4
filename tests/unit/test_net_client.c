/*
 * test_net_client.c - the outgoing DNS engine (src/dns/net/client_*.c)
 * replayed on a fake network and a fake clock, as unbound's replay tests
 * do: each case is a table of rows "at t ms: this comes in / expect this
 * to go out / expect this callback". No socket, no sleep.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dns/net/net.h"
#include "net_fake.h"

#include <string.h>

/* ---- the table ---------------------------------------------------------- */

enum op {
	END,
	AT,	 /* the clock moves to t, the engine ticks */
	SEND,	 /* a new attempt went out: a = 1 over TCP */
	NOSEND,	 /* nothing went out since the last row */
	REPLY,	 /* an answer to the last attempt, a = R_* flags */
	OLD,	 /* an answer to the attempt before the last one */
	CB,	 /* the callback ran once: a = status, b = attempts */
	NOCB,	 /* the callback has not run */
	CANCEL,	 /* wot_net_cancel */
	CLOSE,	 /* wot_net_client_close */
	BADOPEN, /* the next attempt's socket cannot be opened */
	ERROR,	 /* the current attempt's socket fails */
	UNMATCH	 /* the engine counted a unmatched replies */
};

typedef struct {
	uint64_t t;
	enum op op;
	int a, b;
} row;

typedef struct {
	const char *name;
	wot_net_req_opts o; /* to, query, cb filled in by the runner */
	int reject;	    /* the check hook refuses every reply */
	row rows[24];
} scenario;

static int reject_all(wot_net_query *r, const uint8_t *pkt, size_t len)
{
	(void)r;
	(void)pkt;
	(void)len;
	return 1;
}

static void run_row(net_fake *f, wot_net_client *c, wot_net_query *r,
		    const row *w, size_t *seen)
{
	switch (w->op) {
	case AT:
		net_fake_at(f, c, w->t);
		break;
	case SEND:
		assert_int_equal(f->nsends, *seen + 1);
		assert_int_equal(f->sends[*seen].tcp, w->a);
		if (*seen) /* the attempt before it is closed */
			assert_true(f->sends[*seen - 1].closed);
		(*seen)++;
		break;
	case NOSEND:
		assert_int_equal(f->nsends, *seen);
		break;
	case REPLY:
	case OLD:
		net_fake_reply(f, c, r, w->op == OLD ? 1 : 0, w->a);
		break;
	case CB:
		assert_int_equal(f->ncb, 1);
		assert_int_equal(f->status, w->a);
		assert_int_equal(f->attempts, w->b);
		assert_int_equal(f->query_id, NET_FAKE_ID); /* restored */
		if (f->got_pkt)
			assert_int_equal(f->pkt_id, NET_FAKE_ID);
		break;
	case NOCB:
		assert_int_equal(f->ncb, 0);
		break;
	case CANCEL:
		wot_net_cancel(r);
		break;
	case CLOSE:
		wot_net_client_close(c, NULL, NULL);
		break;
	case BADOPEN:
		f->fail_open = 1;
		break;
	case ERROR:
		wot_net_client_fail(c, r, WOT_ENET);
		break;
	case UNMATCH: {
		wot_net_client_stats st;
		wot_net_client_stats_get(c, &st);
		assert_int_equal(st.unmatched, w->a);
		break;
	}
	case END:
		break;
	}
}

static void run(const scenario *s)
{
	net_fake f;
	wot_net_client *c = NULL;
	wot_net_query r;
	wot_net_req_opts o = s->o;
	uint8_t q[64];
	size_t seen = 0;
	int closed = 0;

	print_message("  scenario: %s\n", s->name);
	net_fake_init(&f);
	assert_int_equal(net_fake_client(&f, &c), 0);
	o.query = q;
	o.qlen = net_fake_query(q, sizeof(q));
	o.to = &f.peer;
	o.cb = net_fake_cb;
	o.data = &f;
	if (s->reject)
		o.check = reject_all;
	assert_int_equal(wot_net_request(c, &r, &o), 0);
	assert_int_equal(f.ncb, 0); /* never from the caller's stack */
	for (const row *w = s->rows; w->op != END; w++) {
		run_row(&f, c, &r, w, &seen);
		closed |= w->op == CLOSE;
	}
	assert_true(f.ncb <= 1);
	if (!closed)
		wot_net_client_close(c, NULL, NULL);
	assert_true(f.ncb == 1);	     /* exactly one callback, always */
	assert_int_equal(f.open_handles, 0); /* every socket closed */
}

#define T(ms)                                                                  \
	{                                                                      \
		ms, AT, 0, 0                                                   \
	}

static const scenario scenarios[] = {
    {"answered over UDP",
     {.timeout_ms = 1500},
     0,
     {T(0),
      {0, SEND, 0, 0},
      T(7),
      {0, REPLY, 0, 0},
      {0, CB, WOT_NET_OK, 1},
      {0, END, 0, 0}}},
    {"anything but our answer is dropped and counted",
     {.timeout_ms = 1500},
     0,
     {T(0),
      {0, SEND, 0, 0},
      {0, REPLY, R_WRONG_ID, 0},
      {0, REPLY, R_WRONG_ADDR, 0},
      {0, REPLY, R_WRONG_PORT, 0},
      {0, REPLY, R_WRONG_NAME, 0},
      {0, REPLY, R_WRONG_TYPE, 0},
      {0, REPLY, R_NO_QR, 0},
      {0, REPLY, R_SHORT, 0},
      {0, NOCB, 0, 0},
      {0, UNMATCH, 7, 0},
      {0, REPLY, R_UPPER, 0}, /* the name in another case is ours */
      {0, CB, WOT_NET_OK, 1},
      {0, END, 0, 0}}},
    {"one try: times out at its deadline, not before",
     {.timeout_ms = 1500},
     0,
     {T(0),
      {0, SEND, 0, 0},
      T(1499),
      {0, NOCB, 0, 0},
      T(1500),
      {0, CB, WOT_NET_TIMEOUT, 1},
      {0, NOSEND, 0, 0},
      {0, END, 0, 0}}},
    /* the NOTIFY schedule (notify_send.c): sends at 0, 0.2, 0.6, 1.4 s,
     * given up at 3 s */
    {"four tries, doubling: 0, 200, 600, 1400 ms, given up at 3000",
     {.timeout_ms = 200, .tries = 4, .backoff = 1},
     0,
     {T(0),
      {0, SEND, 0, 0},
      T(199),
      {0, NOSEND, 0, 0},
      T(200),
      {0, SEND, 0, 0},
      T(599),
      {0, NOSEND, 0, 0},
      T(600),
      {0, SEND, 0, 0},
      T(1399),
      {0, NOSEND, 0, 0},
      T(1400),
      {0, SEND, 0, 0},
      T(2999),
      {0, NOCB, 0, 0},
      T(3000),
      {0, CB, WOT_NET_TIMEOUT, 4},
      {0, NOSEND, 0, 0},
      {0, END, 0, 0}}},
    {"answered on the third try; a late answer to the second is dropped",
     {.timeout_ms = 200, .tries = 4, .backoff = 1},
     0,
     {T(0),
      {0, SEND, 0, 0},
      T(200),
      {0, SEND, 0, 0},
      T(600),
      {0, SEND, 0, 0},
      T(610),
      {0, OLD, 0, 0},
      {0, NOCB, 0, 0},
      {0, UNMATCH, 1, 0},
      T(620),
      {0, REPLY, 0, 0},
      {0, CB, WOT_NET_OK, 3},
      T(5000),
      {0, NOSEND, 0, 0},
      {0, END, 0, 0}}},
    {"without backoff every try waits the same",
     {.timeout_ms = 100, .tries = 3},
     0,
     {T(0),
      {0, SEND, 0, 0},
      T(100),
      {0, SEND, 0, 0},
      T(200),
      {0, SEND, 0, 0},
      T(299),
      {0, NOCB, 0, 0},
      T(300),
      {0, CB, WOT_NET_TIMEOUT, 3},
      {0, END, 0, 0}}},
    {"TC: asked again over TCP, same address, and answered",
     {.timeout_ms = 1000, .tc_tcp = 1},
     0,
     {T(0),
      {0, SEND, 0, 0},
      T(10),
      {0, REPLY, R_TC, 0},
      {0, SEND, 1, 0},
      {0, NOCB, 0, 0},
      T(30),
      {0, REPLY, 0, 0},
      {0, CB, WOT_NET_OK, 2},
      {0, END, 0, 0}}},
    {"TC without tc_tcp: the truncated reply is the answer",
     {.timeout_ms = 1000},
     0,
     {T(0),
      {0, SEND, 0, 0},
      {0, REPLY, R_TC, 0},
      {0, NOSEND, 0, 0},
      {0, CB, WOT_NET_OK, 1},
      {0, END, 0, 0}}},
    {"TC, TCP times out: the truncated UDP reply after the TCP deadline",
     {.timeout_ms = 1000, .tc_tcp = 1},
     0,
     {T(0),
      {0, SEND, 0, 0},
      T(10),
      {0, REPLY, R_TC, 0},
      {0, SEND, 1, 0},
      T(1009),
      {0, NOCB, 0, 0},
      T(1010),
      {0, CB, WOT_NET_TRUNCATED, 2},
      {0, END, 0, 0}}},
    {"TC, a TCP frame with another ID is dropped, the next one taken",
     {.timeout_ms = 1000, .tc_tcp = 1},
     0,
     {T(0),
      {0, SEND, 0, 0},
      T(10),
      {0, REPLY, R_TC, 0},
      {0, SEND, 1, 0},
      T(20),
      {0, REPLY, R_WRONG_ID, 0},
      {0, NOCB, 0, 0},
      {0, UNMATCH, 1, 0},
      {0, REPLY, 0, 0},
      {0, CB, WOT_NET_OK, 2},
      {0, END, 0, 0}}},
    {"TC, the TCP connection fails: the truncated reply, at once",
     {.timeout_ms = 1000, .tc_tcp = 1},
     0,
     {T(0),
      {0, SEND, 0, 0},
      T(10),
      {0, REPLY, R_TC, 0},
      {0, SEND, 1, 0},
      T(20),
      {0, ERROR, 0, 0},
      {0, NOCB, 0, 0},
      T(20),
      {0, CB, WOT_NET_TRUNCATED, 2},
      {0, END, 0, 0}}},
    {"TCP from the start: one try, no retry",
     {.timeout_ms = 500, .tries = 3, .tcp = 1},
     0,
     {T(0),
      {0, SEND, 1, 0},
      T(500),
      {0, CB, WOT_NET_TIMEOUT, 1},
      {0, NOSEND, 0, 0},
      {0, END, 0, 0}}},
    {"cancel: the callback runs at once, once",
     {.timeout_ms = 200, .tries = 4, .backoff = 1},
     0,
     {T(0),
      {0, SEND, 0, 0},
      T(50),
      {0, CANCEL, 0, 0},
      {0, CB, WOT_NET_CANCELLED, 1},
      {0, CANCEL, 0, 0},
      T(5000),
      {0, CB, WOT_NET_CANCELLED, 1},
      {0, NOSEND, 0, 0},
      {0, END, 0, 0}}},
    {"closing the engine cancels what is outstanding",
     {.timeout_ms = 200, .tries = 4, .backoff = 1},
     0,
     {T(0),
      {0, SEND, 0, 0},
      T(200),
      {0, SEND, 0, 0},
      {0, CLOSE, 0, 0},
      {0, CB, WOT_NET_CANCELLED, 2},
      {0, END, 0, 0}}},
    {"a socket that fails ends the request, no more tries",
     {.timeout_ms = 200, .tries = 4},
     0,
     {T(0),
      {0, SEND, 0, 0},
      T(5),
      {0, ERROR, 0, 0},
      {0, NOCB, 0, 0},
      T(5),
      {0, CB, WOT_NET_ENET, 1},
      {0, NOSEND, 0, 0},
      {0, END, 0, 0}}},
    {"the check hook refuses a matching reply",
     {.timeout_ms = 1000, .tc_tcp = 1},
     1,
     {T(0),
      {0, SEND, 0, 0},
      T(3),
      {0, REPLY, R_TC, 0},
      {0, NOSEND, 0, 0},
      {0, CB, WOT_NET_REJECTED, 1},
      {0, END, 0, 0}}},
};

static void test_net_client_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(*scenarios); i++)
		run(&scenarios[i]);
}

static void test_net_client_badopen(void **state)
{
	net_fake f;
	wot_net_client *c = NULL;
	wot_net_query r;
	uint8_t q[64];

	(void)state;
	net_fake_init(&f);
	assert_int_equal(net_fake_client(&f, &c), 0);
	f.fail_open = 1;
	assert_int_equal(
	    wot_net_request(c, &r,
			    &(wot_net_req_opts){.to = &f.peer,
						.query = q,
						.qlen = net_fake_query(q, 64),
						.timeout_ms = 200,
						.tries = 4,
						.cb = net_fake_cb,
						.data = &f}),
	    0);
	assert_int_equal(f.ncb, 0); /* never from the caller's stack */
	net_fake_at(&f, c, 0);
	assert_int_equal(f.ncb, 1);
	assert_int_equal(f.status, WOT_NET_ENET);
	wot_net_client_close(c, NULL, NULL);
	assert_int_equal(f.ncb, 1);
}

/* Many requests on one engine: each ends at its own deadline, once. */
static void test_net_client_many(void **state)
{
	enum { N = 60 };
	static net_fake f;
	static wot_net_query r[N];
	static uint8_t q[N][64];
	static int ends[N];
	wot_net_client *c = NULL;

	(void)state;
	net_fake_init(&f);
	f.ends = ends;
	f.base = r;
	assert_int_equal(net_fake_client(&f, &c), 0);
	for (int i = 0; i < N; i++)
		assert_int_equal(
		    wot_net_request(
			c, &r[i],
			&(wot_net_req_opts){.to = &f.peer,
					    .query = q[i],
					    .qlen = net_fake_query(q[i], 64),
					    .timeout_ms =
						(unsigned)(1 + (i * 7919) % N),
					    .cb = net_fake_cb,
					    .data = &f}),
		    0);
	for (uint64_t t = 0; t <= N; t++) {
		net_fake_at(&f, c, t);
		for (int i = 0; i < N; i++)
			assert_int_equal(ends[i],
					 (uint64_t)(1 + (i * 7919) % N) <= t);
	}
	assert_int_equal(f.open_handles, 0);
	wot_net_client_close(c, NULL, NULL);
}

/* The matcher alone, on hostile bytes. */
static void test_net_client_match(void **state)
{
	uint8_t q[64], p[64];
	size_t n = net_fake_query(q, sizeof(q));

	(void)state;
	memcpy(p, q, n);
	p[2] |= 0x80;
	assert_true(wot_net_reply_matches(q, n, p, n));
	assert_false(wot_net_reply_matches(q, n, p, n - 1)); /* no class */
	assert_false(wot_net_reply_matches(q, n, p, 11));
	p[12] = 0xc0; /* a pointer in place of the question's name */
	assert_false(wot_net_reply_matches(q, n, p, n));
	memcpy(p, q, n);
	p[2] |= 0x80;
	p[2] |= 4 << 3; /* another opcode */
	assert_false(wot_net_reply_matches(q, n, p, n));
	memcpy(p, q, n);
	p[2] |= 0x80;
	p[12] ^= 0x20; /* a length byte that differs only by 0x20 */
	assert_false(wot_net_reply_matches(q, n, p, n));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_net_client_table),
	    cmocka_unit_test(test_net_client_badopen),
	    cmocka_unit_test(test_net_client_many),
	    cmocka_unit_test(test_net_client_match),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_net_users.c - the timing of the engine's users, replayed on a fake
 * network and a fake clock (net_fake.h): upstream failover and choice by
 * RTT (src/dns/resolver/upstream.c), the NOTIFY retry schedule
 * (src/dns/peer/notify_send.c) and the opinion asker's timeouts and TC
 * then TCP (src/dns/peer/opinion_ask.c). Each row: at t ms, what goes
 * out, what comes in, what the caller sees. No socket, no sleep.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dns/peer/notify.h"
#include "dns/peer/opinion.h"
#include "dns/resolver/resolver_int.h"
#include "net_fake.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static const char FPR[] = "0123456789ABCDEF0123456789ABCDEF01234567";

static uint16_t port_of(const struct sockaddr_storage *a)
{
	return ntohs(((const struct sockaddr_in *)a)->sin_port);
}

/* ---- NOTIFY: 0, 200, 600, 1400 ms, given up at 3000 ------------------- */

typedef struct {
	uint64_t t;
	int sends;		   /* attempts made so far */
	int reply;		   /* 1: answer the last one now */
	uint64_t answered, failed; /* the sender's counters after it */
} notify_row;

static void notify_table(const notify_row *rows, size_t n)
{
	net_fake f;
	wot_net_client_opts o;
	wot_dns_notifier *s = NULL;
	const char *ep = "127.0.0.1:5353";
	wot_dns_notifier_stats st;
	wot_clock clock = {.now_ms = net_fake_now, .ctx = &f};
	wot_net_io io = {.open = net_fake_open,
			 .close = net_fake_close,
			 .arm = net_fake_arm,
			 .ctx = &f};

	net_fake_init(&f);
	o = (wot_net_client_opts){.clock = &clock, .io = &io};
	assert_int_equal(wot_dns_notifier_new_net(&s, &o), 0);
	assert_int_equal(wot_dns_notifier_send(s, FPR, &ep, 1), 0);
	for (size_t i = 0; i < n; i++) {
		net_fake_at(&f, NULL, rows[i].t);
		if (rows[i].reply)
			net_fake_reply(&f, NULL, NULL, 0, 0);
		if (rows[i].reply == 2) /* a newer change: retries restart */
			assert_int_equal(wot_dns_notifier_send(s, FPR, &ep, 1),
					 0);
		wot_dns_notifier_stats_get(s, &st);
		print_message("  t=%llu sends %zu\n",
			      (unsigned long long)rows[i].t, f.nsends);
		assert_int_equal(f.nsends, rows[i].sends);
		assert_int_equal(st.sent, rows[i].sends);
		assert_int_equal(st.answered, rows[i].answered);
		assert_int_equal(st.failed, rows[i].failed);
	}
	wot_dns_notifier_close(s, NULL, NULL);
	assert_int_equal(f.open_handles, 0);
}

/* Was t_notify's wait for retries with real sleeps. */
static void notify_gives_up(void **state)
{
	static const notify_row rows[] = {
	    {0, 1, 0, 0, 0},	{199, 1, 0, 0, 0},  {200, 2, 0, 0, 0},
	    {599, 2, 0, 0, 0},	{600, 3, 0, 0, 0},  {1399, 3, 0, 0, 0},
	    {1400, 4, 0, 0, 0}, {2999, 4, 0, 0, 0}, {3000, 4, 0, 0, 1},
	    {9000, 4, 0, 0, 1},
	};

	(void)state;
	notify_table(rows, sizeof(rows) / sizeof(*rows));
}

static void notify_until_answered(void **state)
{
	static const notify_row rows[] = {
	    {0, 1, 0, 0, 0},   {200, 2, 0, 0, 0},  {250, 2, 1, 1, 0},
	    {600, 2, 0, 1, 0}, {9000, 2, 0, 1, 0},
	};

	(void)state;
	notify_table(rows, sizeof(rows) / sizeof(*rows));
}

/* Each NOTIFY attempt carries a NOTIFY question for FPR with its own ID. */
static void notify_wire(void **state)
{
	net_fake f;
	wot_dns_notifier *s = NULL;
	const char *ep = "127.0.0.1:5353";
	wot_clock clock = {.now_ms = net_fake_now, .ctx = &f};
	wot_net_io io = {.open = net_fake_open,
			 .close = net_fake_close,
			 .arm = net_fake_arm,
			 .ctx = &f};
	char got[WOT_FPR_MAX];

	(void)state;
	net_fake_init(&f);
	assert_int_equal(
	    wot_dns_notifier_new_net(
		&s, &(wot_net_client_opts){.clock = &clock, .io = &io}),
	    0);
	assert_int_equal(wot_dns_notifier_send(s, FPR, &ep, 1), 0);
	net_fake_at(&f, NULL, 200);
	assert_int_equal(f.nsends, 2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(wot_dns_notify_classify(f.sends[i].pkt,
							 f.sends[i].len, got),
				 WOT_NOTIFY_OK);
		assert_string_equal(got, FPR);
		assert_int_equal(port_of(&f.sends[i].to), 5353);
	}
	wot_dns_notifier_close(s, NULL, NULL);
}

/* ---- upstream: failover and choice by RTT ------------------------------ */

typedef struct {
	int calls;
	size_t len;
	uint8_t resp[512];
} fwd_got;

static void on_fwd(void *data, const uint8_t *resp, size_t len)
{
	fwd_got *g = data;

	g->calls++;
	g->len = resp ? len : 0;
	if (resp && len <= sizeof(g->resp))
		memcpy(g->resp, resp, len);
}

typedef struct {
	net_fake f;
	wot_clock clock;
	wot_net_io io;
	wot_dns_upstream *u;
	uint8_t q[64];
	size_t qlen;
	wot_dns_query pq;
} up_fix;

/* Two upstreams, A on port 5353 (the fake peer) and B on 5354. */
/* The exploration's seed: fixed, so which server goes first depends on
 * the table's inputs only (with a random one, 1 query in 20 tries a
 * slower server first). */
enum { UP_SEED = 1 };

static void up_start(up_fix *x, unsigned timeout_ms)
{
	struct sockaddr_storage addrs[2];

	net_fake_init(&x->f);
	addrs[0] = addrs[1] = x->f.peer;
	((struct sockaddr_in *)&addrs[1])->sin_port = htons(5354);
	x->clock = (wot_clock){.now_ms = net_fake_now, .ctx = &x->f};
	x->io = (wot_net_io){.open = net_fake_open,
			     .close = net_fake_close,
			     .arm = net_fake_arm,
			     .ctx = &x->f};
	assert_int_equal(
	    wot_dns_upstream_new(
		&x->u, &(wot_dns_upstream_opts){.addrs = addrs,
						.n = 2,
						.timeout_ms = timeout_ms,
						.clock = &x->clock,
						.io = &x->io,
						.seed = UP_SEED}),
	    0);
	x->qlen = net_fake_query(x->q, sizeof(x->q));
	assert_int_equal(wot_dns_query_parse(x->q, x->qlen, &x->pq),
			 WOT_DNS_PARSE_OK);
}

static void up_ask(up_fix *x, fwd_got *g)
{
	memset(g, 0, sizeof(*g));
	assert_int_equal(wot_dns_upstream_query(x->u, x->q, x->qlen, &x->pq, 0,
						on_fwd, g, NULL),
			 0);
}

static uint16_t last_port(const up_fix *x)
{
	return port_of(&x->f.sends[x->f.nsends - 1].to);
}

static void up_failover_and_choice(void **state)
{
	up_fix x;
	fwd_got g;
	wot_dns_upstream_stat st;

	(void)state;
	up_start(&x, 1500);
	/* t=0: nothing measured, the configured order: A first */
	net_fake_at(&x.f, NULL, 0);
	up_ask(&x, &g);
	assert_int_equal(x.f.nsends, 1);
	assert_int_equal(last_port(&x), 5353);
	/* t=1499: still waiting for A; t=1500: A gave up, B asked */
	net_fake_at(&x.f, NULL, 1499);
	assert_int_equal(x.f.nsends, 1);
	net_fake_at(&x.f, NULL, 1500);
	assert_int_equal(x.f.nsends, 2);
	assert_int_equal(last_port(&x), 5354);
	assert_int_equal(g.calls, 0);
	/* t=1520: B answers in 20 ms: the client gets it, its ID and its
	 * spelling of the name back */
	net_fake_at(&x.f, NULL, 1520);
	net_fake_reply(&x.f, NULL, NULL, 0, 0);
	assert_int_equal(g.calls, 1);
	assert_int_equal(g.resp[0] << 8 | g.resp[1], NET_FAKE_ID);
	assert_memory_equal(g.resp + 12, x.q + 12, x.qlen - 12);
	assert_int_equal(wot_dns_upstream_get_stat(x.u, 0, &st), 0);
	assert_int_equal(st.timeouts, 1);
	assert_int_equal(st.srtt_ms, 1500);
	assert_int_equal(wot_dns_upstream_get_stat(x.u, 1, &st), 0);
	assert_int_equal(st.srtt_ms, 20);
	/* t=2000: B is the faster: asked first, with a timeout of
	 * max(300, 3 * 20 + 100) ms; silent, so A at t=2300 */
	net_fake_at(&x.f, NULL, 2000);
	up_ask(&x, &g);
	assert_int_equal(last_port(&x), 5354);
	net_fake_at(&x.f, NULL, 2299);
	assert_int_equal(x.f.nsends, 3);
	net_fake_at(&x.f, NULL, 2300);
	assert_int_equal(x.f.nsends, 4);
	assert_int_equal(last_port(&x), 5353);
	/* t=3800: A silent too: SERVFAIL (NULL) to the client, once */
	net_fake_at(&x.f, NULL, 3799);
	assert_int_equal(g.calls, 0);
	net_fake_at(&x.f, NULL, 3800);
	assert_int_equal(g.calls, 1);
	assert_int_equal(g.len, 0);
	assert_int_equal(x.f.nsends, 4);
	wot_dns_upstream_close(x.u, NULL, NULL);
	assert_int_equal(x.f.open_handles, 0);
}

/* A truncated reply is asked again over TCP of the same server; when
 * TCP brings nothing the next server is asked over TCP too. */
static void up_tc_then_tcp(void **state)
{
	up_fix x;
	fwd_got g;

	(void)state;
	up_start(&x, 1000);
	up_ask(&x, &g);
	net_fake_at(&x.f, NULL, 10);
	net_fake_reply(&x.f, NULL, NULL, 0, R_TC);
	assert_int_equal(x.f.nsends, 2);
	assert_true(x.f.sends[1].tcp);
	assert_int_equal(last_port(&x), 5353);
	net_fake_at(&x.f, NULL, 1010);
	assert_int_equal(x.f.nsends, 3);
	assert_true(x.f.sends[2].tcp);
	assert_int_equal(last_port(&x), 5354);
	net_fake_reply(&x.f, NULL, NULL, 0, 0);
	assert_int_equal(g.calls, 1);
	assert_true(g.len > 0);
	wot_dns_upstream_close(x.u, NULL, NULL);
}

/* Closing the forwarder with a query outstanding: no callback for a
 * cancelled query, every socket closed. */
static void up_close_outstanding(void **state)
{
	up_fix x;
	fwd_got g;
	wot_dns_fwd *fw = NULL;

	(void)state;
	up_start(&x, 1000);
	memset(&g, 0, sizeof(g));
	assert_int_equal(
	    wot_dns_upstream_query(x.u, x.q, x.qlen, &x.pq, 0, on_fwd, &g, &fw),
	    0);
	wot_dns_upstream_cancel(fw);
	up_ask(&x, &g);
	wot_dns_upstream_close(x.u, NULL, NULL);
	assert_int_equal(g.calls, 0);
	assert_int_equal(x.f.open_handles, 0);
}

/* ---- the opinion asker: timeouts, TC then TCP --------------------------- */

typedef struct {
	int calls;
	size_t len;
	uint8_t tc;
} op_got;

static void on_op(void *data, const uint8_t *pkt, size_t len, uint16_t id)
{
	op_got *g = data;

	(void)id;
	g->calls++;
	g->len = pkt ? len : 0;
	g->tc = pkt ? (pkt[2] & 0x02) : 0;
}

static wot_opinion_asker *op_start(net_fake *f, wot_clock *clock,
				   wot_net_io *io)
{
	wot_opinion_asker *a = NULL;

	net_fake_init(f);
	*clock = (wot_clock){.now_ms = net_fake_now, .ctx = f};
	*io = (wot_net_io){.open = net_fake_open,
			   .close = net_fake_close,
			   .arm = net_fake_arm,
			   .ctx = f};
	assert_int_equal(
	    wot_opinion_asker_new_net(
		&a, &(wot_net_client_opts){.clock = clock, .io = io}),
	    0);
	return a;
}

static void op_ask(wot_opinion_asker *a, op_got *g)
{
	uint8_t q[300];
	size_t qlen;

	memset(g, 0, sizeof(*g));
	assert_int_equal(wot_opinion_query_record(q, sizeof(q), 7,
						  "www.alice.wot.", 1, &qlen),
			 0);
	assert_int_equal(
	    wot_opinion_ask(a, "127.0.0.1:5353", q, qlen, 2000, on_op, g), 0);
}

static void op_timeout_and_tcp(void **state)
{
	net_fake f;
	wot_clock clock;
	wot_net_io io;
	wot_opinion_asker *a = op_start(&f, &clock, &io);
	wot_opinion_ask_stats st;
	op_got g;

	(void)state;
	/* sent once, never again; NULL at 2000 ms, not before */
	op_ask(a, &g);
	net_fake_at(&f, NULL, 1999);
	assert_int_equal(g.calls, 0);
	net_fake_at(&f, NULL, 2000);
	assert_int_equal(g.calls, 1);
	assert_int_equal(g.len, 0);
	assert_int_equal(f.nsends, 1);
	/* t=2000: TC at 2010, TCP to the same peer, answered at 2050 */
	op_ask(a, &g);
	net_fake_at(&f, NULL, 2010);
	net_fake_reply(&f, NULL, NULL, 0, R_TC);
	assert_int_equal(f.nsends, 3);
	assert_true(f.sends[2].tcp);
	assert_int_equal(port_of(&f.sends[2].to), 5353);
	net_fake_at(&f, NULL, 2050);
	net_fake_reply(&f, NULL, NULL, 0, 0);
	assert_int_equal(g.calls, 1);
	assert_int_equal(g.tc, 0);
	/* TC again, TCP silent: the truncated UDP reply at 2060 + 2000 */
	op_ask(a, &g);
	net_fake_at(&f, NULL, 2060);
	net_fake_reply(&f, NULL, NULL, 0, R_TC);
	net_fake_at(&f, NULL, 4059);
	assert_int_equal(g.calls, 0);
	net_fake_at(&f, NULL, 4060);
	assert_int_equal(g.calls, 1);
	assert_true(g.tc);
	wot_opinion_asker_stats(a, &st);
	assert_int_equal(st.sent, 3);
	assert_int_equal(st.timeouts, 1);
	assert_int_equal(st.answered, 2);
	assert_int_equal(st.tcp, 2);
	assert_int_equal(st.tcp_failed, 1);
	wot_opinion_asker_close(a, NULL, NULL);
	assert_int_equal(f.open_handles, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(notify_gives_up),
	    cmocka_unit_test(notify_until_answered),
	    cmocka_unit_test(notify_wire),
	    cmocka_unit_test(up_failover_and_choice),
	    cmocka_unit_test(up_tc_then_tcp),
	    cmocka_unit_test(up_close_outstanding),
	    cmocka_unit_test(op_timeout_and_tcp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

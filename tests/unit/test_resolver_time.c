/*
 * test_resolver_time.c - the resolver's timing as replay tables (unbound's
 * testdata .rpl files in spirit): the real server on 127.0.0.1, asked over a
 * real UDP socket as dig asks, on a fake clock (wot_dns_server_opts.clock)
 * and a fake upstream network (net_fake.h, wot_dns_server_opts.
 * upstream_io). Time moves only when a row says so, so the cache's TTL
 * countdown, negative caching (RFC 2308), serve-stale (RFC 8767) and
 * prefetch are checked to the millisecond, in milliseconds of real time.
 *
 * Each row is one question at a time t and what a user would see in dig:
 * the rcode, the TTL of the first record (answer, else authority) and
 * whether the upstream was asked.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dns/resolver/resolver.h"
#include "net_fake.h"
#include "server_close.h"
#include "util/util.h"

#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* What the upstream does for a row's question. */
enum {
	UP_NOT,	     /* not asked: the answer comes from the cache */
	UP_A,	     /* asked; answers one A record, TTL up_ttl */
	UP_NX,	     /* asked; NXDOMAIN, SOA TTL 3600 MINIMUM up_ttl */
	UP_NODATA,   /* asked; NOERROR, no answer, the same SOA */
	UP_NX_NOSOA, /* asked; NXDOMAIN without an SOA */
	UP_SILENT,   /* asked; never answers (gone) */
	UP_PREFETCH, /* answered from the cache at once, and asked in the
			background: answers one A record, TTL up_ttl */
	UP_HELD	     /* as UP_PREFETCH, but the upstream has not answered
			yet (upstream_answers later) */
};

enum { NO_RR = -1, TIMEOUT_MS = 1500 };

typedef struct {
	uint64_t t; /* ms on the fake clock */
	const char *name;
	int up;
	uint32_t up_ttl;
	int rcode;     /* LDNS_RCODE_* the client sees */
	int ttl;       /* TTL of the first record the client sees; NO_RR */
	uint16_t type; /* 0: A */
} row;

typedef struct {
	uv_loop_t loop;
	wot_dns_server *s;
	net_fake f;
	wot_clock clock;
	wot_net_io io;
	int fd;
	uint16_t id;
	uint64_t answered_at; /* fake time of the last answer */
	uint8_t resp[65536];
} rt;

/* ---- the world ---------------------------------------------------------- */

static void step(rt *x)
{
	struct pollfd pfd = {uv_backend_fd(&x->loop), POLLIN, 0};

	uv_run(&x->loop, UV_RUN_NOWAIT);
	poll(&pfd, 1, 1);
}

static void rt_start(rt *x)
{
	const char *listen[] = {"127.0.0.1:0"}, *ups[] = {"127.0.0.1:5353"};
	wot_dns_server_opts o = WOT_DNS_SERVER_OPTS_INIT;
	struct sockaddr_in sa = {0};
	char bound[64];

	memset(x, 0, sizeof(*x));
	assert_int_equal(uv_loop_init(&x->loop), 0);
	net_fake_init(&x->f);
	x->clock = (wot_clock){.now_ms = net_fake_now, .ctx = &x->f};
	x->io = (wot_net_io){.open = net_fake_open,
			     .close = net_fake_close,
			     .arm = net_fake_arm,
			     .ctx = &x->f};
	o.listen = listen;
	o.nlisten = 1;
	o.upstream = ups;
	o.nupstream = 1;
	o.upstream_timeout_ms = TIMEOUT_MS;
	o.cache_bytes = 1 << 20;
	o.clock = &x->clock;
	o.upstream_io = &x->io;
	assert_int_equal(wot_dns_server_new(&x->s, &x->loop, &o), 0);
	assert_int_equal(wot_dns_server_start(x->s), 0);
	assert_int_equal(wot_dns_server_bound(x->s, 0, bound, sizeof(bound)),
			 0);
	x->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(x->fd >= 0);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)atoi(strrchr(bound, ':') + 1));
	assert_int_equal(connect(x->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
}

static void rt_stop(rt *x)
{
	server_close_drain(x->s, &x->loop);
	assert_int_equal(x->f.open_handles, 0);
	close(x->fd);
}

/* The time is t: the upstream engine sees to its deadlines. */
static void at(rt *x, uint64_t t)
{
	net_fake_at(&x->f, NULL, t);
}

/* ---- the upstream ------------------------------------------------------- */

static void push(ldns_pkt *p, ldns_pkt_section sec, const char *fmt, ...)
{
	char text[512];
	ldns_rr *rr = NULL;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	assert_int_equal(ldns_rr_new_frm_str(&rr, text, 0, NULL, NULL),
			 LDNS_STATUS_OK);
	assert_true(ldns_pkt_push_rr(p, sec, rr));
}

/* The upstream answers its last attempt as up says. */
static void upstream_answers(rt *x, int up, uint32_t ttl)
{
	const net_fake_send *snd = &x->f.sends[x->f.nsends - 1];
	ldns_pkt *p = NULL;
	uint8_t *wire = NULL;
	size_t len = 0;
	char *owner, *zone;

	assert_int_equal(ldns_wire2pkt(&p, snd->pkt, snd->len), LDNS_STATUS_OK);
	owner = ldns_rdf2str(
	    ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_question(p), 0)));
	zone = strchr(owner, '.') + 1; /* the parent holds the SOA */
	ldns_pkt_set_qr(p, 1);
	ldns_pkt_set_ra(p, 1);
	if (up == UP_A || up == UP_PREFETCH)
		push(p, LDNS_SECTION_ANSWER, "%s %u IN A 192.0.2.53", owner,
		     ttl);
	if (up == UP_NX || up == UP_NX_NOSOA)
		ldns_pkt_set_rcode(p, LDNS_RCODE_NXDOMAIN);
	if (up == UP_NX || up == UP_NODATA)
		push(p, LDNS_SECTION_AUTHORITY,
		     "%s 3600 IN SOA ns.%s host.%s 1 3600 600 86400 %u", zone,
		     zone, zone, ttl);
	assert_int_equal(ldns_pkt2wire(&wire, p, &len), LDNS_STATUS_OK);
	wot_net_client_input(x->f.c, snd->r, &snd->to, wire, len);
	free(wire);
	free(owner);
	ldns_pkt_free(p);
}

/* ---- the client (as dig) ------------------------------------------------ */

static void ask(rt *x, const char *name, uint16_t type)
{
	ldns_pkt *p = ldns_pkt_query_new(ldns_dname_new_frm_str(name),
					 type ? type : LDNS_RR_TYPE_A,
					 LDNS_RR_CLASS_IN, LDNS_RD);
	uint8_t *wire = NULL;
	size_t len = 0;

	ldns_pkt_set_id(p, ++x->id);
	assert_int_equal(ldns_pkt2wire(&wire, p, &len), LDNS_STATUS_OK);
	assert_int_equal(send(x->fd, wire, len, 0), (ssize_t)len);
	free(wire);
	ldns_pkt_free(p);
}

/* Run the world (at most tries loop turns) until the answer to the last
 * question is in or the upstream was asked (sends > before); the answer,
 * or NULL. */
static ldns_pkt *pump_for(rt *x, size_t before, int tries)
{
	ldns_pkt *p = NULL;

	for (int i = 0; i < tries && !p; i++) {
		ssize_t n = recv(x->fd, x->resp, sizeof(x->resp), MSG_DONTWAIT);
		if (n > 0) {
			assert_int_equal(ldns_wire2pkt(&p, x->resp, (size_t)n),
					 LDNS_STATUS_OK);
			assert_int_equal(ldns_pkt_id(p), x->id);
			x->answered_at = x->f.now;
			break;
		}
		if (x->f.nsends > before)
			break;
		step(x);
	}
	return p;
}

static ldns_pkt *pump(rt *x, size_t before)
{
	return pump_for(x, before, 2000);
}

/* The silent upstream's deadlines pass, 100 ms at a time: the answer
 * that comes then (stale or SERVFAIL). */
static ldns_pkt *wait_out(rt *x)
{
	ldns_pkt *p = NULL;
	uint64_t t0 = x->f.now;

	while (!p && x->f.now < t0 + 10 * TIMEOUT_MS) {
		at(x, x->f.now + 100);
		p = pump_for(x, SIZE_MAX, 3);
	}
	assert_non_null(p);
	return p;
}

/* TTL of the first record of the answer, else of the authority. */
static int first_ttl(const ldns_pkt *p)
{
	const ldns_rr_list *l = ldns_pkt_answer(p);

	if (!ldns_rr_list_rr_count(l))
		l = ldns_pkt_authority(p);
	if (!ldns_rr_list_rr_count(l))
		return NO_RR;
	return (int)ldns_rr_ttl(ldns_rr_list_rr(l, 0));
}

static void check(const row *r, size_t i, const ldns_pkt *p, size_t asked,
		  uint64_t t)
{
	int want_asked = r->up != UP_NOT;
	int ttl = first_ttl(p), rcode = ldns_pkt_get_rcode(p);

	if (r->up == UP_SILENT && (t <= r->t || t > r->t + TIMEOUT_MS + 100))
		fail_msg("row %zu (t=%llu ms, %s): answered at %llu ms, not "
			 "when the upstream's timeout passed",
			 i, (unsigned long long)r->t, r->name,
			 (unsigned long long)t);
	if ((size_t)want_asked != asked || ttl != r->ttl || rcode != r->rcode)
		fail_msg("row %zu (t=%llu ms, %s): upstream asked %zu, rcode "
			 "%d, TTL %d; want asked %d, rcode %d, TTL %d",
			 i, (unsigned long long)r->t, r->name, asked, rcode,
			 ttl, want_asked, r->rcode, r->ttl);
}

/* One row: ask, let the upstream do what the row says, check. */
static void run_row(rt *x, const row *r, size_t i)
{
	size_t before = x->f.nsends;
	ldns_pkt *p;

	at(x, r->t);
	ask(x, r->name, r->type);
	p = pump(x, before);
	if (r->up == UP_HELD && p) {
		/* the refresh waits; the client has its answer */
	} else if (r->up == UP_PREFETCH && p) {
		/* The client has its answer; the refresh goes on alone. */
		if (x->f.nsends > before)
			upstream_answers(x, r->up, r->up_ttl);
	} else if (!p && x->f.nsends > before && r->up == UP_SILENT) {
		p = wait_out(x);
	} else if (!p && x->f.nsends > before) {
		upstream_answers(x, r->up, r->up_ttl);
		p = pump(x, SIZE_MAX);
	}
	if (!p)
		fail_msg("row %zu (t=%llu ms, %s): no answer", i,
			 (unsigned long long)r->t, r->name);
	check(r, i, p, x->f.nsends - before, x->answered_at);
	ldns_pkt_free(p);
}

static void run(rt *x, const row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		run_row(x, &rows[i], i);
}

#define NOERR LDNS_RCODE_NOERROR
#define NXDOM LDNS_RCODE_NXDOMAIN
#define SRVFAIL LDNS_RCODE_SERVFAIL
#define AAAA LDNS_RR_TYPE_AAAA
#define ROWS(r) (r), sizeof(r) / sizeof((r)[0])

/* ---- the tables --------------------------------------------------------- */

/* A cached answer's TTL counts down by whole seconds of its age, and the
 * upstream is asked again once the TTL is over. */
static void time_ttl_countdown(void **state)
{
	static const row rows[] = {
	    {0, "www.cache.test", UP_A, 300, NOERR, 300, 0},
	    {0, "once.cache.test", UP_A, 300, NOERR, 300, 0},
	    {1000, "www.cache.test", UP_NOT, 0, NOERR, 299, 0},
	    {1999, "www.cache.test", UP_NOT, 0, NOERR, 299, 0},
	    {299999, "once.cache.test", UP_NOT, 0, NOERR, 1, 0},
	    {300000, "www.cache.test", UP_A, 300, NOERR, 300, 0},
	    {300000, "once.cache.test", UP_A, 300, NOERR, 300, 0},
	    {301000, "www.cache.test", UP_NOT, 0, NOERR, 299, 0},
	    /* no TTL above a day; a TTL of 0 is never cached */
	    {301000, "big.cache.test", UP_A, 100000, NOERR, 86400, 0},
	    {302000, "big.cache.test", UP_NOT, 0, NOERR, 86399, 0},
	    {302000, "zero.cache.test", UP_A, 0, NOERR, 0, 0},
	    {302000, "zero.cache.test", UP_A, 0, NOERR, 0, 0},
	};
	rt x;

	(void)state;
	rt_start(&x);
	run(&x, ROWS(rows));
	rt_stop(&x);
}

/* RFC 2308: NXDOMAIN and NODATA live for the SOA's TTL capped by its
 * MINIMUM, answered with the SOA, its TTL that lifetime counting down
 * (the first answer carries the upstream's SOA as it came); without an
 * SOA they are not cached at all. */
static void time_negative(void **state)
{
	static const row rows[] = {
	    /* the upstream's own SOA first; the cached copy is capped */
	    {0, "nx.neg.test", UP_NX, 60, NXDOM, 3600, 0},
	    {0, "once.neg.test", UP_NX, 60, NXDOM, 3600, 0},
	    {1000, "nx.neg.test", UP_NOT, 0, NXDOM, 59, 0},
	    {59999, "once.neg.test", UP_NOT, 0, NXDOM, 1, 0},
	    {60000, "nx.neg.test", UP_NX, 60, NXDOM, 3600, 0},
	    {61000, "nx.neg.test", UP_NOT, 0, NXDOM, 59, 0},
	    {61000, "nodata.neg.test", UP_NODATA, 60, NOERR, 3600, AAAA},
	    {62000, "nodata.neg.test", UP_NOT, 0, NOERR, 59, AAAA},
	    {121000, "nodata.neg.test", UP_NODATA, 60, NOERR, 3600, AAAA},
	    /* a MINIMUM above the SOA's own TTL: the TTL (3600) */
	    {121000, "big.neg.test", UP_NX, 7200, NXDOM, 3600, 0},
	    {122000, "big.neg.test", UP_NOT, 0, NXDOM, 3599, 0},
	    {122000, "nosoa.neg.test", UP_NX_NOSOA, 0, NXDOM, NO_RR, 0},
	    {123000, "nosoa.neg.test", UP_NX_NOSOA, 0, NXDOM, NO_RR, 0},
	};
	rt x;

	(void)state;
	rt_start(&x);
	run(&x, ROWS(rows));
	rt_stop(&x);
}

/* RFC 8767: once the upstream is gone, an expired answer is served with
 * TTL 30 for a day after its expiry; a name never cached gets SERVFAIL. */
static void time_serve_stale(void **state)
{
	static const row rows[] = {
	    {0, "stale.up.test", UP_A, 1, NOERR, 1, 0},
	    {999, "stale.up.test", UP_NOT, 0, NOERR, 1, 0},
	    /* expired, the upstream asked and silent: stale, TTL 30 */
	    {2000, "stale.up.test", UP_SILENT, 0, NOERR, 30, 0},
	    {5000, "new.up.test", UP_SILENT, 0, SRVFAIL, NO_RR, 0},
	    {8000, "stale.up.test", UP_SILENT, 0, NOERR, 30, 0},
	    /* the stale window (a day after expiry at t=1 s) */
	    {86398000, "stale.up.test", UP_SILENT, 0, NOERR, 30, 0},
	    {86401000, "stale.up.test", UP_SILENT, 0, SRVFAIL, NO_RR, 0},
	    /* the upstream is back: a fresh answer */
	    {86410000, "stale.up.test", UP_A, 300, NOERR, 300, 0},
	};
	wot_dns_stats st;
	rt x;

	(void)state;
	rt_start(&x);
	run(&x, ROWS(rows));
	wot_dns_server_stats(x.s, &st);
	assert_int_equal(st.cache_stale, 3);
	assert_int_equal(st.upstream_fail, 2);
	/* latency on the same clock: the cached answer and the upstream's
	 * (at the instant asked) took no time, the five waits for the
	 * silent upstream (its timeout, 300 ms to 1.5 s as its RTT says)
	 * 0.1 s or more */
	assert_int_equal(st.latency[0], 3);
	assert_int_equal(st.latency[4] + st.latency[5], 5);
	rt_stop(&x);
}

static wot_dns_table *zone_table(const char *const *lines, size_t n)
{
	wot_dns_table *t = NULL;

	assert_int_equal(wot_dns_table_new(&t), 0);
	for (size_t i = 0; i < n; i++) {
		ldns_rr *rr = NULL;
		assert_int_equal(
		    ldns_rr_new_frm_str(&rr, lines[i], 0, NULL, NULL),
		    LDNS_STATUS_OK);
		assert_int_equal(wot_dns_table_add(t, rr), 0);
		ldns_rr_free(rr);
	}
	return t;
}

/* A new overlay that claims nothing the cache holds keeps the cache:
 * serve-stale still works after the swap (a reload). */
static void time_stale_after_reload(void **state)
{
	static const char *const v1[] = {
	    "bob.wot. 300 IN SOA ns.bob.wot. h.bob.wot. 1 3600 600 86400 60",
	    "bob.wot. 300 IN A 192.0.2.2"};
	static const char *const v2[] = {
	    "bob.wot. 300 IN SOA ns.bob.wot. h.bob.wot. 2 3600 600 86400 60",
	    "bob.wot. 300 IN A 192.0.2.2", "news.bob.wot. 300 IN A 192.0.2.3"};
	static const row before[] = {
	    {0, "www.example.test", UP_A, 1, NOERR, 1, 0},
	};
	static const row after[] = {
	    {500, "www.example.test", UP_NOT, 0, NOERR, 1, 0},
	    {1200, "www.example.test", UP_SILENT, 0, NOERR, 30, 0},
	};
	rt x;

	(void)state;
	rt_start(&x);
	wot_dns_server_set_table(x.s, zone_table(v1, 2));
	run(&x, ROWS(before));
	wot_dns_server_set_table(x.s, zone_table(v2, 3));
	run(&x, ROWS(after));
	rt_stop(&x);
}

/* Prefetch: an entry hit a second time in the last tenth of its TTL is
 * answered at once and refreshed from the upstream in the background,
 * so it never expires while in use. */
static void time_prefetch(void **state)
{
	static const row rows[] = {
	    {0, "hot.pf.test", UP_A, 10, NOERR, 10, 0},
	    {0, "cold.pf.test", UP_A, 10, NOERR, 10, 0},
	    /* first hit, 8.999 s: not yet in the last tenth */
	    {8999, "hot.pf.test", UP_NOT, 0, NOERR, 2, 0},
	    /* second hit at 9 s: the old answer now, a refresh behind it */
	    {9000, "hot.pf.test", UP_PREFETCH, 10, NOERR, 1, 0},
	    {9000, "hot.pf.test", UP_NOT, 0, NOERR, 10, 0},
	    /* one hit only: no refresh; it expires */
	    {9500, "cold.pf.test", UP_NOT, 0, NOERR, 1, 0},
	    {10000, "cold.pf.test", UP_A, 10, NOERR, 10, 0},
	    /* past the old entry's end: the refreshed one, no upstream */
	    {10500, "hot.pf.test", UP_NOT, 0, NOERR, 9, 0},
	    /* the refreshed entry is refreshed in its turn */
	    {18100, "hot.pf.test", UP_PREFETCH, 10, NOERR, 1, 0},
	    {19000, "hot.pf.test", UP_NOT, 0, NOERR, 10, 0},
	};
	wot_dns_stats st;
	rt x;

	(void)state;
	rt_start(&x);
	run(&x, ROWS(rows));
	wot_dns_server_stats(x.s, &st);
	assert_int_equal(st.prefetches, 2);
	rt_stop(&x);
}

/* A refresh is started once per entry: hits while it waits do not ask
 * again, and its answer replaces the entry when it comes. */
static void time_prefetch_once(void **state)
{
	static const row before[] = {
	    {0, "p.pf.test", UP_A, 10, NOERR, 10, 0},
	    {1000, "p.pf.test", UP_NOT, 0, NOERR, 9, 0},
	    {9000, "p.pf.test", UP_HELD, 0, NOERR, 1, 0},
	    {9100, "p.pf.test", UP_NOT, 0, NOERR, 1, 0},
	    {9200, "p.pf.test", UP_NOT, 0, NOERR, 1, 0},
	};
	/* answered at 9.25 s, within the attempt's 300 ms (the server
	 * answered in 0 ms before) */
	static const row after[] = {
	    {9300, "p.pf.test", UP_NOT, 0, NOERR, 10, 0},
	};
	wot_dns_stats st;
	rt x;

	(void)state;
	rt_start(&x);
	run(&x, ROWS(before));
	at(&x, 9250);
	upstream_answers(&x, UP_A, 10);
	run(&x, ROWS(after));
	wot_dns_server_stats(x.s, &st);
	assert_int_equal(st.prefetches, 1);
	rt_stop(&x);
}

/* A pool of threads takes no fake clock or network. */
static void time_pool_refuses_fakes(void **state)
{
	const char *listen[] = {"127.0.0.1:0"};
	wot_clock clock = {.now_ms = net_fake_now, .ctx = NULL};
	wot_dns_server_opts o = WOT_DNS_SERVER_OPTS_INIT;
	wot_dns_pool *p = NULL;
	uv_loop_t loop;

	(void)state;
	assert_int_equal(uv_loop_init(&loop), 0);
	o.listen = listen;
	o.nlisten = 1;
	o.clock = &clock;
	assert_int_equal(wot_dns_pool_new(&p, &loop, &o, 2), WOT_EINVAL);
	assert_null(p);
	assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(time_ttl_countdown),
	    cmocka_unit_test(time_negative),
	    cmocka_unit_test(time_serve_stale),
	    cmocka_unit_test(time_stale_after_reload),
	    cmocka_unit_test(time_prefetch),
	    cmocka_unit_test(time_prefetch_once),
	    cmocka_unit_test(time_pool_refuses_fakes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

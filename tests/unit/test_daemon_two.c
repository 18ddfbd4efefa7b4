/*
 * test_daemon_two.c - two daemons in one process: two homes, each served
 * by wot_daemon_run on its own thread and loop, on its own loopback ports
 * (real sockets). Nothing of one shows in the other: each answers its own
 * records, a withdrawal in one leaves the other's record served, and the
 * errors of one's accepted set stay out of the other's status.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dns/daemon/daemon_int.h"
#include "dns/peer/withdraw.h"
#include "dns/resolver/resolver.h"
#include "sync/sync.h"
#include "util/util.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <ldns/ldns.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SOA_ROOT ". 300 IN SOA ns. host. 1 3600 600 86400 60\n"
#define H40 "0123456789abcdef0123456789abcdef01234567"
#define KEY "24C13CB8DCAC48D63DB5E952D45366280B9A1D30"

typedef struct {
	char dir[64];
	wot_home *h;
	char listen[32], peer[32];
	const char *listen_v[1], *peer_v[1];
	uint16_t port;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	wot_daemon *d; /* set by ready */
	int done, rc;
} node;

static void write_file(const node *n, const char *rel, const char *text)
{
	char p[256];
	FILE *fp;

	snprintf(p, sizeof(p), "%s/%s", n->dir, rel);
	fp = fopen(p, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* Zone file of the shard of name at file generation gen; its manifest
 * line into line. */
static void shard(const node *n, const char *name, unsigned gen,
		  const char *text, char *line, size_t cap)
{
	char id[WOT_SHARD_ID_MAX], rel[64];

	wot_shard_id(wot_shard_of_name(name), id);
	snprintf(rel, sizeof(rel), "state/accepted/%s-%u.zone", id, gen);
	write_file(n, rel, text);
	snprintf(line, cap, "shard %s %u %s 1 1 1 0 0 -\n", id, gen, H40);
}

/* The accepted set of generation gen: own. (A ip) and shared.wot.
 * (A shared); with bad, also a shard the loader must skip (a syntax
 * error in it). */
static void accepted(const node *n, unsigned gen, const char *own,
		     const char *ip, const char *shared, const char *bad)
{
	char z[256], l1[128], l2[128], l3[128] = "", l4[128], m[768];

	/* own and shared must not share a shard: each its own part */
	assert_int_not_equal(wot_shard_of_name(own),
			     wot_shard_of_name("shared.wot"));
	snprintf(z, sizeof(z), "%s. 300 IN A %s\n", own, ip);
	shard(n, own, gen, z, l1, sizeof(l1));
	snprintf(z, sizeof(z), "shared.wot. 300 IN A %s\n", shared);
	shard(n, "shared.wot", gen, z, l2, sizeof(l2));
	if (bad) {
		assert_int_not_equal(wot_shard_of_name(bad),
				     wot_shard_of_name(own));
		assert_int_not_equal(wot_shard_of_name(bad),
				     wot_shard_of_name("shared.wot"));
		snprintf(z, sizeof(z), "%s. 300 IN A not-an-address\n", bad);
		shard(n, bad, gen, z, l3, sizeof(l3));
	}
	shard(n, ".", gen, SOA_ROOT, l4, sizeof(l4));
	snprintf(m, sizeof(m),
		 "wotdns accepted 3\ngen %u\ngenerated 0\ninputs 0\n"
		 "totals 3 3 3 0 0 0\n%s%s%s%s",
		 gen, l1, l2, l3, l4);
	write_file(n, "state/accepted/manifest", m);
}

/* A home whose accepted set is that of accepted(n, 1, ...). */
static void home(node *n, const char *own, const char *ip, const char *shared,
		 const char *bad)
{
	char p[128];

	snprintf(n->dir, sizeof(n->dir), "/tmp/test_daemon_twoXXXXXX");
	assert_non_null(mkdtemp(n->dir));
	snprintf(p, sizeof(p), "%s/state", n->dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/state/accepted", n->dir);
	mkdir(p, 0700);
	write_file(n, "config", "[identity]\nkey = " KEY "\n");
	accepted(n, 1, own, ip, shared, bad);
	assert_int_equal(wot_home_open(&n->h, n->dir), 0);
}

/* A loopback port free for UDP and TCP now. */
static uint16_t free_port(void)
{
	for (int tries = 0; tries < 50; tries++) {
		struct sockaddr_in a = {.sin_family = AF_INET};
		socklen_t al = sizeof(a);
		int u = socket(AF_INET, SOCK_DGRAM, 0);
		int t = socket(AF_INET, SOCK_STREAM, 0), ok;

		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		ok = bind(u, (struct sockaddr *)&a, sizeof(a)) == 0 &&
		     getsockname(u, (struct sockaddr *)&a, &al) == 0 &&
		     bind(t, (struct sockaddr *)&a, sizeof(a)) == 0;
		close(u);
		close(t);
		if (ok)
			return ntohs(a.sin_port);
	}
	fail_msg("no free loopback port");
	return 0;
}

static void on_ready(void *data, wot_daemon *d)
{
	node *n = data;

	pthread_mutex_lock(&n->lock);
	n->d = d;
	pthread_cond_broadcast(&n->cond);
	pthread_mutex_unlock(&n->lock);
}

static void *run(void *arg)
{
	node *n = arg;
	wot_daemon_opts o = WOT_DAEMON_OPTS_INIT;

	o.listen = n->listen_v;
	o.nlisten = 1;
	o.peer_listen = n->peer_v;
	o.npeer_listen = 1;
	o.sync_interval = 0;
	o.no_upstream = 1;
	o.threads = 1;
	o.no_signals = 1;
	o.ready = on_ready;
	o.ready_data = n;
	n->rc = wot_daemon_run(n->h, &o);
	if (n->rc < 0)
		fprintf(stderr, "daemon %s: %s\n", n->dir, wot_error_last());
	pthread_mutex_lock(&n->lock);
	n->done = 1;
	pthread_cond_broadcast(&n->cond);
	pthread_mutex_unlock(&n->lock);
	return NULL;
}

static void start(node *n)
{
	struct timespec until;

	n->port = free_port();
	snprintf(n->listen, sizeof(n->listen), "127.0.0.1:%u", n->port);
	snprintf(n->peer, sizeof(n->peer), "127.0.0.1:%u", free_port());
	n->listen_v[0] = n->listen;
	n->peer_v[0] = n->peer;
	pthread_mutex_init(&n->lock, NULL);
	pthread_cond_init(&n->cond, NULL);
	assert_int_equal(pthread_create(&n->thread, NULL, run, n), 0);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 20;
	pthread_mutex_lock(&n->lock);
	while (!n->d && !n->done &&
	       pthread_cond_timedwait(&n->cond, &n->lock, &until) == 0)
		;
	pthread_mutex_unlock(&n->lock);
	assert_non_null(n->d);
}

static void stop(node *n)
{
	char cmd[128];

	wot_daemon_stop(n->d);
	assert_int_equal(pthread_join(n->thread, NULL), 0);
	assert_int_equal(n->rc, 0);
	wot_home_free(n->h);
	pthread_mutex_destroy(&n->lock);
	pthread_cond_destroy(&n->cond);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", n->dir);
	assert_int_equal(system(cmd), 0);
}

/* The A record n serves for name over UDP on loopback, as text ("" for
 * an answer without one). */
static void ask_a(const node *n, const char *name, char *out, size_t cap)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	struct pollfd pfd;
	ldns_pkt *q = NULL, *r = NULL;
	uint8_t *wire = NULL, buf[4096];
	size_t wlen = 0;
	ssize_t got;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(n->port);
	assert_int_equal(ldns_pkt_query_new_frm_str(&q, name, LDNS_RR_TYPE_A,
						    LDNS_RR_CLASS_IN, LDNS_RD),
			 LDNS_STATUS_OK);
	ldns_pkt_set_id(q, 4242);
	assert_int_equal(ldns_pkt2wire(&wire, q, &wlen), LDNS_STATUS_OK);
	assert_int_equal(
	    sendto(fd, wire, wlen, 0, (struct sockaddr *)&a, sizeof(a)),
	    (ssize_t)wlen);
	pfd.fd = fd;
	pfd.events = POLLIN;
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	got = recv(fd, buf, sizeof(buf), 0);
	assert_true(got > 0);
	assert_int_equal(ldns_wire2pkt(&r, buf, (size_t)got), LDNS_STATUS_OK);
	assert_int_equal(ldns_pkt_id(r), 4242);
	out[0] = '\0';
	for (size_t i = 0; i < ldns_pkt_ancount(r); i++) {
		ldns_rr *rr = ldns_rr_list_rr(ldns_pkt_answer(r), i);
		char *s;
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_A)
			continue;
		s = ldns_rdf2str(ldns_rr_rdf(rr, 0));
		snprintf(out, cap, "%s", s);
		free(s);
	}
	ldns_pkt_free(q);
	ldns_pkt_free(r);
	free(wire);
	close(fd);
}

static void expect_a(const node *n, const char *name, const char *want)
{
	char got[64];

	ask_a(n, name, got, sizeof(got));
	if (strcmp(got, want))
		fail_msg("%s answered %s with '%s', wanted '%s'", n->listen,
			 name, got, want);
}

/* Wait (5 s at most) until n answers name with want: a reload swaps the
 * table on n's loop after the call returns. */
static void await_a(const node *n, const char *name, const char *want)
{
	char got[64] = "";

	for (int i = 0; i < 100; i++) {
		ask_a(n, name, got, sizeof(got));
		if (!strcmp(got, want))
			return;
		usleep(50000);
	}
	fail_msg("%s answered %s with '%s', wanted '%s'", n->listen, name, got,
		 want);
}

/* "load_errors" of n's status document, as JSON text. */
static char *load_errors(const node *n)
{
	char *json = NULL, *text;
	json_t *doc;

	assert_int_equal(wot_daemon_status(n->h, &json), 0);
	doc = json_loads(json, 0, NULL);
	assert_non_null(doc);
	text = json_dumps(json_object_get(doc, "load_errors"), JSON_COMPACT);
	json_decref(doc);
	free(json);
	return text;
}

static void daemon_two_in_one_process(void **state)
{
	node a = {0}, b = {0};
	char *ea, *eb;

	(void)state;
	home(&a, "own-a.wot", "192.0.2.1", "192.0.2.10", NULL);
	home(&b, "own-b.wot", "192.0.2.2", "192.0.2.20", "broken.wot");
	start(&a);
	start(&b);
	/* Each its own table. */
	expect_a(&a, "own-a.wot.", "192.0.2.1");
	expect_a(&a, "own-b.wot.", "");
	expect_a(&a, "shared.wot.", "192.0.2.10");
	expect_a(&b, "own-b.wot.", "192.0.2.2");
	expect_a(&b, "own-a.wot.", "");
	expect_a(&b, "shared.wot.", "192.0.2.20");

	/* Each its own accepted-set loader: B's skipped shard is B's. */
	ea = load_errors(&a);
	eb = load_errors(&b);
	assert_string_equal(ea, "[]");
	assert_non_null(strstr(eb, "skipped"));
	free(ea);
	free(eb);

	/* A withdrawal in A, then both reload (B with a change of its own,
	 * to see its reload done): A stops serving the RRset, B serves its
	 * own still. */
	assert_int_equal(wot_dns_withdraw_add(wot_daemon_withdrawn(a.d),
					      "shared.wot.", LDNS_RR_TYPE_A, 0,
					      "test"),
			 1);
	assert_false(wot_dns_withdraw_has(wot_daemon_withdrawn(b.d),
					  "shared.wot.", LDNS_RR_TYPE_A));
	accepted(&b, 2, "own-b.wot", "192.0.2.3", "192.0.2.20", NULL);
	wot_daemon_reload(a.d);
	wot_daemon_reload(b.d);
	await_a(&a, "shared.wot.", "");
	expect_a(&a, "own-a.wot.", "192.0.2.1");
	await_a(&b, "own-b.wot.", "192.0.2.3");
	expect_a(&b, "shared.wot.", "192.0.2.20");
	eb = load_errors(&b);
	assert_string_equal(eb, "[]");
	free(eb);

	/* Served again in A only. */
	assert_int_equal(wot_dns_withdraw_remove(wot_daemon_withdrawn(a.d),
						 "shared.wot", LDNS_RR_TYPE_A),
			 1);
	wot_daemon_reload(a.d);
	await_a(&a, "shared.wot.", "192.0.2.10");

	stop(&a);
	/* B goes on alone. */
	expect_a(&b, "own-b.wot.", "192.0.2.3");
	stop(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(daemon_two_in_one_process),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_dns_server.c - the real server on 127.0.0.1 port 0 on its own loop,
 * driven from the test thread, with fake upstreams made of plain sockets.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dns/resolver/resolver.h"
#include "server_close.h"
#include "util/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum {
	UP_GOOD,    /* answers 192.0.2.7 */
	UP_WRONGID, /* first a reply with a wrong ID (6.6.6.6) */
	UP_SPOOF,   /* wrong source port, then wrong question, then good */
	UP_SILENT,  /* never answers */
	UP_BIG,	    /* an answer larger than 512 bytes */
};

typedef struct {
	int mode;
	int udp, tcp, conn, spoof;
	unsigned port;
	int udp_seen, tcp_seen;
	char spec[32];
	uint8_t tcpbuf[4096];
	size_t tcplen;
} fake_up;

typedef struct {
	uv_loop_t loop;
	wot_dns_server *s;
	unsigned port;
	fake_up ups[3];
	int nups;
	uint8_t resp[65536];
} env;

/* ---- fake upstreams ----------------------------------------------------- */

static int bind_loopback(int type, unsigned port, unsigned *bound)
{
	struct sockaddr_in sa = {0};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0),
	    one = 1;

	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)port);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	getsockname(fd, (struct sockaddr *)&sa, &len);
	*bound = ntohs(sa.sin_port);
	return fd;
}

static void fake_open(fake_up *u, int mode)
{
	unsigned p;

	memset(u, 0, sizeof(*u));
	u->mode = mode;
	u->conn = -1;
	u->udp = -1;
	/* TCP picks the port; retry in the rare case UDP has it taken. */
	for (int i = 0; i < 8 && u->udp < 0; i++) {
		if (i)
			close(u->tcp);
		u->tcp = bind_loopback(SOCK_STREAM, 0, &u->port);
		assert_true(u->tcp >= 0);
		u->udp = bind_loopback(SOCK_DGRAM, u->port, &p);
	}
	assert_true(u->udp >= 0);
	assert_int_equal(listen(u->tcp, 8), 0);
	u->spoof = bind_loopback(SOCK_DGRAM, 0, &p);
	snprintf(u->spec, sizeof(u->spec), "127.0.0.1:%u", u->port);
}

static void fake_close(fake_up *u)
{
	close(u->udp);
	close(u->tcp);
	close(u->spoof);
	if (u->conn >= 0)
		close(u->conn);
}

/* Reply to query q: header and question copied, n A records of ip. */
static size_t build_reply(const uint8_t *q, size_t qlen, uint8_t *out,
			  uint16_t id, const uint8_t ip[4], int n)
{
	size_t off = 12;

	while (off < qlen && q[off])
		off += (size_t)q[off] + 1;
	off += 5;
	assert_true(off <= qlen);
	memcpy(out, q, off);
	out[0] = (uint8_t)(id >> 8);
	out[1] = (uint8_t)id;
	out[2] |= 0x80;
	out[3] = 0x80;
	out[6] = (uint8_t)(n >> 8);
	out[7] = (uint8_t)n;
	memset(out + 8, 0, 4);
	for (int i = 0; i < n; i++) {
		static const uint8_t rr[] = {0xC0, 12, 0, 1,  0, 1,
					     0,	   0,  0, 60, 0, 4};
		memcpy(out + off, rr, sizeof(rr));
		memcpy(out + off + sizeof(rr), ip, 4);
		out[off + sizeof(rr) + 3] = (uint8_t)(ip[3] + i);
		off += sizeof(rr) + 4;
	}
	return off;
}

static const uint8_t good_ip[4] = {192, 0, 2, 7};
static const uint8_t evil_ip[4] = {6, 6, 6, 6};

static void fake_udp(fake_up *u)
{
	uint8_t q[4096], r[8192];
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);
	ssize_t n;
	uint16_t id;
	size_t rl;

	if (u->mode == UP_SILENT)
		return;
	n = recvfrom(u->udp, q, sizeof(q), MSG_DONTWAIT,
		     (struct sockaddr *)&from, &flen);
	if (n < 12)
		return;
	u->udp_seen++;
	id = (uint16_t)((q[0] << 8) | q[1]);
	if (u->mode == UP_WRONGID) {
		rl = build_reply(q, (size_t)n, r, (uint16_t)(id ^ 0x5a5a),
				 evil_ip, 1);
		sendto(u->udp, r, rl, 0, (struct sockaddr *)&from, flen);
	}
	if (u->mode == UP_SPOOF) {
		rl = build_reply(q, (size_t)n, r, id, evil_ip, 1);
		sendto(u->spoof, r, rl, 0, (struct sockaddr *)&from, flen);
		r[rl - 16 - 3] ^= 1; /* the question type: A -> other */
		sendto(u->udp, r, rl, 0, (struct sockaddr *)&from, flen);
	}
	rl = build_reply(q, (size_t)n, r, id, good_ip,
			 u->mode == UP_BIG ? 60 : 1);
	sendto(u->udp, r, rl, 0, (struct sockaddr *)&from, flen);
}

static void fake_tcp(fake_up *u)
{
	uint8_t r[8192 + 2];
	ssize_t n;
	size_t ml, rl;

	if (u->conn < 0)
		u->conn = accept4(u->tcp, NULL, NULL, SOCK_NONBLOCK);
	if (u->conn < 0)
		return;
	n = recv(u->conn, u->tcpbuf + u->tcplen, sizeof(u->tcpbuf) - u->tcplen,
		 MSG_DONTWAIT);
	if (n > 0)
		u->tcplen += (size_t)n;
	if (u->tcplen < 2)
		return;
	ml = (size_t)((u->tcpbuf[0] << 8) | u->tcpbuf[1]);
	if (u->tcplen < 2 + ml)
		return;
	u->tcp_seen++;
	rl = build_reply(u->tcpbuf + 2, ml, r + 2,
			 (uint16_t)((u->tcpbuf[2] << 8) | u->tcpbuf[3]),
			 good_ip, u->mode == UP_BIG ? 60 : 1);
	r[0] = (uint8_t)(rl >> 8);
	r[1] = (uint8_t)rl;
	assert_int_equal(send(u->conn, r, rl + 2, 0), (ssize_t)(rl + 2));
	memmove(u->tcpbuf, u->tcpbuf + 2 + ml, u->tcplen - 2 - ml);
	u->tcplen -= 2 + ml;
}

/* ---- environment -------------------------------------------------------- */

/* One short loop iteration plus the fakes: the whole world advances. */
static void step(env *e)
{
	struct pollfd pfd = {uv_backend_fd(&e->loop), POLLIN, 0};

	uv_run(&e->loop, UV_RUN_NOWAIT);
	for (int i = 0; i < e->nups; i++) {
		fake_udp(&e->ups[i]);
		fake_tcp(&e->ups[i]);
	}
	poll(&pfd, 1, 1);
}

static void add_zone(wot_dns_table *t)
{
	static const char *const lines[] = {
	    "example.wot. 300 IN SOA ns1.example.wot. host.example.wot. 1 "
	    "3600 600 86400 60",
	    "www.example.wot. 300 IN A 192.0.2.1",
	};
	for (size_t i = 0; i < 2; i++) {
		ldns_rr *rr = NULL;
		assert_int_equal(
		    ldns_rr_new_frm_str(&rr, lines[i], 0, NULL, NULL),
		    LDNS_STATUS_OK);
		assert_int_equal(wot_dns_table_add(t, rr), 0);
		ldns_rr_free(rr);
	}
}

static void env_start(env *e, const int *modes, int nups, unsigned timeout,
		      int table)
{
	const char *ups[3], *listen[] = {"127.0.0.1:0"};
	wot_dns_server_opts o = WOT_DNS_SERVER_OPTS_INIT;
	wot_dns_table *t = NULL;
	char bound[64], *colon;

	memset(e, 0, sizeof(*e));
	assert_int_equal(uv_loop_init(&e->loop), 0);
	e->nups = nups;
	for (int i = 0; i < nups; i++) {
		fake_open(&e->ups[i], modes[i]);
		ups[i] = e->ups[i].spec;
	}
	o.listen = listen;
	o.nlisten = 1;
	o.upstream = ups;
	o.nupstream = (size_t)nups;
	o.upstream_timeout_ms = timeout;
	assert_int_equal(wot_dns_server_new(&e->s, &e->loop, &o), 0);
	assert_int_equal(wot_dns_server_start(e->s), 0);
	if (table) {
		assert_int_equal(wot_dns_table_new(&t), 0);
		add_zone(t);
		wot_dns_server_set_table(e->s, t);
	}
	assert_int_equal(wot_dns_server_bound(e->s, 0, bound, sizeof(bound)),
			 0);
	assert_memory_equal(bound, "127.0.0.1:", 10);
	colon = strrchr(bound, ':');
	e->port = (unsigned)atoi(colon + 1);
	assert_true(e->port > 0);
}

static void env_stop(env *e)
{
	server_close_drain(e->s, &e->loop);
	for (int i = 0; i < e->nups; i++)
		fake_close(&e->ups[i]);
}

static uint8_t *make_query(const char *name, ldns_rr_type type, uint16_t id,
			   int edns, size_t *len)
{
	ldns_pkt *p = ldns_pkt_query_new(ldns_dname_new_frm_str(name), type,
					 LDNS_RR_CLASS_IN, LDNS_RD);
	uint8_t *wire = NULL;

	ldns_pkt_set_id(p, id);
	if (edns > 0)
		ldns_pkt_set_edns_udp_size(p, (uint16_t)edns);
	assert_int_equal(ldns_pkt2wire(&wire, p, len), LDNS_STATUS_OK);
	ldns_pkt_free(p);
	return wire;
}

static int client_socket(env *e, int type)
{
	struct sockaddr_in sa = {0};
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)e->port);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* Ask over UDP; returns the parsed answer or NULL on timeout. */
static ldns_pkt *udp_ask(env *e, const char *name, ldns_rr_type type, int edns,
			 int timeout_ms, size_t *rlen)
{
	size_t qlen;
	uint8_t *q = make_query(name, type, 0xbeef, edns, &qlen);
	int fd = client_socket(e, SOCK_DGRAM);
	uint64_t end = wot_now_ms() + (uint64_t)timeout_ms;
	ldns_pkt *p = NULL;
	ssize_t n = -1;

	assert_int_equal(send(fd, q, qlen, 0), (ssize_t)qlen);
	while (n < 0 && wot_now_ms() < end) {
		step(e);
		n = recv(fd, e->resp, sizeof(e->resp), MSG_DONTWAIT);
	}
	if (n > 0) {
		assert_int_equal(ldns_wire2pkt(&p, e->resp, (size_t)n),
				 LDNS_STATUS_OK);
		assert_int_equal(ldns_pkt_id(p), 0xbeef);
		assert_true(ldns_pkt_qr(p));
		if (rlen)
			*rlen = (size_t)n;
	}
	close(fd);
	free(q);
	return p;
}

static void assert_a(const ldns_pkt *p, const char *want)
{
	char *s;

	assert_non_null(p);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_true(ldns_pkt_ancount(p) >= 1);
	s = ldns_rdf2str(
	    ldns_rr_rdf(ldns_rr_list_rr(ldns_pkt_answer(p), 0), 0));
	assert_string_equal(s, want);
	free(s);
}

/* ---- tests -------------------------------------------------------------- */

static void dns_server_udp_overlay(void **state)
{
	env *e = *state;
	wot_dns_stats st;
	ldns_pkt *p;

	env_start(e, NULL, 0, 0, 1);
	p = udp_ask(e, "www.example.wot.", LDNS_RR_TYPE_A, 1232, 2000, NULL);
	assert_a(p, "192.0.2.1");
	assert_true(ldns_pkt_aa(p));
	ldns_pkt_free(p);
	p = udp_ask(e, "nope.example.wot.", LDNS_RR_TYPE_A, 0, 2000, NULL);
	assert_non_null(p);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
	ldns_pkt_free(p);
	wot_dns_server_stats(e->s, &st);
	assert_int_equal(st.queries, 2);
	assert_int_equal(st.overlay, 2);
	assert_int_equal(st.forwarded, 0);
	env_stop(e);
}

static void dns_server_set_table(void **state)
{
	env *e = *state;
	wot_dns_table *t = NULL;
	ldns_pkt *p;

	env_start(e, NULL, 0, 0, 0);
	/* No table, no upstream: SERVFAIL straight away. */
	p = udp_ask(e, "www.example.wot.", LDNS_RR_TYPE_A, 0, 2000, NULL);
	assert_non_null(p);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_SERVFAIL);
	ldns_pkt_free(p);
	assert_int_equal(wot_dns_table_new(&t), 0);
	add_zone(t);
	wot_dns_server_set_table(e->s, t);
	p = udp_ask(e, "www.example.wot.", LDNS_RR_TYPE_A, 0, 2000, NULL);
	assert_a(p, "192.0.2.1");
	ldns_pkt_free(p);
	/* Replacing frees the old one (ASan would report a leak). */
	assert_int_equal(wot_dns_table_new(&t), 0);
	wot_dns_server_set_table(e->s, t);
	p = udp_ask(e, "www.example.wot.", LDNS_RR_TYPE_A, 0, 2000, NULL);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_SERVFAIL);
	ldns_pkt_free(p);
	env_stop(e);
}

/* Read framed TCP responses until n arrived; returns their IDs' bitmask. */
static unsigned tcp_read(env *e, int fd, int n, int timeout_ms)
{
	uint8_t buf[4096];
	size_t len = 0;
	unsigned seen = 0;
	uint64_t end = wot_now_ms() + (uint64_t)timeout_ms;

	while (n > 0 && wot_now_ms() < end) {
		ssize_t r;
		step(e);
		r = recv(fd, buf + len, sizeof(buf) - len, MSG_DONTWAIT);
		if (r > 0)
			len += (size_t)r;
		while (len >= 2 &&
		       len >= 2 + (size_t)((buf[0] << 8) | buf[1])) {
			size_t ml = (size_t)((buf[0] << 8) | buf[1]);
			ldns_pkt *p = NULL;
			assert_int_equal(ldns_wire2pkt(&p, buf + 2, ml),
					 LDNS_STATUS_OK);
			assert_int_equal(ldns_pkt_get_rcode(p),
					 LDNS_RCODE_NOERROR);
			seen |= 1u << (ldns_pkt_id(p) & 31);
			ldns_pkt_free(p);
			memmove(buf, buf + 2 + ml, len - 2 - ml);
			len -= 2 + ml;
			n--;
		}
	}
	return seen;
}

static size_t framed(uint8_t *out, const char *name, uint16_t id)
{
	size_t qlen;
	uint8_t *q = make_query(name, LDNS_RR_TYPE_A, id, 0, &qlen);

	out[0] = (uint8_t)(qlen >> 8);
	out[1] = (uint8_t)qlen;
	memcpy(out + 2, q, qlen);
	free(q);
	return qlen + 2;
}

static void dns_server_tcp_pipelined(void **state)
{
	env *e = *state;
	uint8_t buf[1024];
	size_t len = 0, third;
	int fd;

	env_start(e, NULL, 0, 0, 1);
	fd = client_socket(e, SOCK_STREAM);
	/* Two queries in one segment, a third split mid-length-prefix. */
	len += framed(buf + len, "www.example.wot.", 1);
	len += framed(buf + len, "WWW.example.wot.", 2);
	third = framed(buf + len, "www.EXAMPLE.wot.", 3);
	assert_int_equal(send(fd, buf, len + 1, 0), (ssize_t)(len + 1));
	for (int i = 0; i < 20; i++)
		step(e);
	assert_int_equal(send(fd, buf + len + 1, 5, 0), 5);
	for (int i = 0; i < 20; i++)
		step(e);
	assert_int_equal(send(fd, buf + len + 6, third - 6, 0),
			 (ssize_t)(third - 6));
	assert_int_equal(tcp_read(e, fd, 3, 3000),
			 (1u << 1) | (1u << 2) | (1u << 3));
	close(fd);
	env_stop(e);
}

static void dns_server_forward_udp(void **state)
{
	env *e = *state;
	int modes[] = {UP_GOOD};
	wot_dns_stats st;
	ldns_pkt *p;

	env_start(e, modes, 1, 1000, 1);
	p = udp_ask(e, "www.example.com.", LDNS_RR_TYPE_A, 1232, 3000, NULL);
	assert_a(p, "192.0.2.7");
	/* The question comes back exactly as asked. */
	assert_int_equal(
	    ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_question(p), 0)),
	    LDNS_RR_TYPE_A);
	ldns_pkt_free(p);
	assert_int_equal(e->ups[0].udp_seen, 1);
	wot_dns_server_stats(e->s, &st);
	assert_int_equal(st.forwarded, 1);
	assert_int_equal(st.upstream_fail, 0);
	env_stop(e);
}

static void dns_server_forward_wrong_id(void **state)
{
	env *e = *state;
	int modes[] = {UP_WRONGID};
	ldns_pkt *p;

	env_start(e, modes, 1, 1000, 0);
	p = udp_ask(e, "www.example.com.", LDNS_RR_TYPE_A, 0, 3000, NULL);
	assert_a(p, "192.0.2.7"); /* not the 6.6.6.6 of the wrong ID */
	ldns_pkt_free(p);
	env_stop(e);
}

static void dns_server_forward_spoof(void **state)
{
	env *e = *state;
	int modes[] = {UP_SPOOF};
	ldns_pkt *p;

	env_start(e, modes, 1, 1000, 0);
	p = udp_ask(e, "www.example.com.", LDNS_RR_TYPE_A, 0, 3000, NULL);
	assert_a(p, "192.0.2.7");
	ldns_pkt_free(p);
	env_stop(e);
}

static void dns_server_failover(void **state)
{
	env *e = *state;
	int modes[] = {UP_SILENT, UP_GOOD};
	uint64_t t0;
	ldns_pkt *p;
	char buf[512];

	env_start(e, modes, 2, 200, 0);
	t0 = wot_now_ms();
	p = udp_ask(e, "www.example.com.", LDNS_RR_TYPE_A, 0, 3000, NULL);
	assert_a(p, "192.0.2.7");
	assert_true(wot_now_ms() - t0 >= 190);
	ldns_pkt_free(p);
	/* The silent one was asked first. */
	assert_true(recv(e->ups[0].udp, buf, sizeof(buf), MSG_DONTWAIT) > 0);
	assert_int_equal(e->ups[1].udp_seen, 1);
	env_stop(e);
}

static void dns_server_servfail(void **state)
{
	env *e = *state;
	int modes[] = {UP_SILENT, UP_SILENT};
	wot_dns_stats st;
	ldns_pkt *p;

	env_start(e, modes, 2, 150, 0);
	p = udp_ask(e, "www.example.com.", LDNS_RR_TYPE_A, 1232, 3000, NULL);
	assert_non_null(p);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_SERVFAIL);
	assert_true(ldns_pkt_edns(p));
	ldns_pkt_free(p);
	wot_dns_server_stats(e->s, &st);
	assert_int_equal(st.upstream_fail, 1);
	env_stop(e);
}

static void dns_server_forward_tcp(void **state)
{
	env *e = *state;
	int modes[] = {UP_GOOD};
	uint8_t buf[512];
	size_t len;
	int fd;

	env_start(e, modes, 1, 1000, 0);
	fd = client_socket(e, SOCK_STREAM);
	len = framed(buf, "www.example.com.", 7);
	assert_int_equal(send(fd, buf, len, 0), (ssize_t)len);
	assert_int_equal(tcp_read(e, fd, 1, 3000), 1u << 7);
	assert_int_equal(e->ups[0].tcp_seen, 1);
	assert_int_equal(e->ups[0].udp_seen, 0);
	close(fd);
	env_stop(e);
}

static void dns_server_forward_truncates(void **state)
{
	env *e = *state;
	int modes[] = {UP_BIG};
	size_t rlen = 0;
	ldns_pkt *p;

	env_start(e, modes, 1, 1000, 0);
	p = udp_ask(e, "www.example.com.", LDNS_RR_TYPE_A, 0, 3000, &rlen);
	assert_non_null(p);
	assert_true(ldns_pkt_tc(p));
	assert_int_equal(ldns_pkt_ancount(p), 0);
	assert_int_equal(ldns_pkt_qdcount(p), 1);
	assert_true(rlen <= 512);
	ldns_pkt_free(p);
	env_stop(e);
}

static void dns_server_close_pending(void **state)
{
	env *e = *state;
	int modes[] = {UP_SILENT};
	size_t qlen;
	uint8_t *q =
	    make_query("www.example.com.", LDNS_RR_TYPE_A, 1, 0, &qlen);
	uint8_t buf[512];
	int u, t;

	env_start(e, modes, 1, 10000, 0);
	u = client_socket(e, SOCK_DGRAM);
	t = client_socket(e, SOCK_STREAM);
	assert_int_equal(send(u, q, qlen, 0), (ssize_t)qlen);
	qlen = framed(buf, "www.example.com.", 2);
	assert_int_equal(send(t, buf, qlen, 0), (ssize_t)qlen);
	for (int i = 0; i < 50; i++)
		step(e);
	/* Queries are waiting on upstreams and a TCP client is open. */
	env_stop(e);
	close(u);
	close(t);
	free(q);
}

static void dns_server_garbage(void **state)
{
	env *e = *state;
	int fd, t;
	uint8_t junk[64];
	ldns_pkt *p;

	env_start(e, NULL, 0, 0, 1);
	fd = client_socket(e, SOCK_DGRAM);
	t = client_socket(e, SOCK_STREAM);
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 37 + 11);
	for (size_t n = 0; n < sizeof(junk); n += 7)
		send(fd, junk, n, 0);
	/* A TCP frame claiming more than is sent, then a hang-up. */
	junk[0] = 0xff;
	send(t, junk, 40, 0);
	close(t);
	for (int i = 0; i < 50; i++)
		step(e);
	/* Still serving. */
	p = udp_ask(e, "www.example.wot.", LDNS_RR_TYPE_A, 0, 2000, NULL);
	assert_a(p, "192.0.2.1");
	ldns_pkt_free(p);
	close(fd);
	env_stop(e);
}

static void dns_server_refuses_nonloopback(void **state)
{
	const char *listen[] = {"0.0.0.0:0"}, *listen2[] = {"192.0.2.1:53"};
	wot_dns_server_opts o = WOT_DNS_SERVER_OPTS_INIT;
	wot_dns_server *s = NULL;
	uv_loop_t loop;

	(void)state;
	uv_loop_init(&loop);
	o.listen = listen;
	o.nlisten = 1;
	assert_int_equal(wot_dns_server_new(&s, &loop, &o), WOT_EINVAL);
	assert_null(s);
	assert_non_null(strstr(wot_error_last(), "loopback"));
	o.listen = listen2;
	assert_int_equal(wot_dns_server_new(&s, &loop, &o), WOT_EINVAL);
	/* Allowed when asked for; never started, closing is immediate. */
	o.allow_nonloopback = 1;
	assert_int_equal(wot_dns_server_new(&s, &loop, &o), 0);
	wot_dns_server_close(s, NULL, NULL);
	assert_int_equal(uv_loop_close(&loop), 0);
}

static int setup(void **state)
{
	*state = calloc(1, sizeof(env));
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(dns_server_udp_overlay),
	    T(dns_server_set_table),
	    T(dns_server_tcp_pipelined),
	    T(dns_server_forward_udp),
	    T(dns_server_forward_wrong_id),
	    T(dns_server_forward_spoof),
	    T(dns_server_failover),
	    T(dns_server_servfail),
	    T(dns_server_forward_tcp),
	    T(dns_server_forward_truncates),
	    T(dns_server_close_pending),
	    T(dns_server_garbage),
	    T(dns_server_refuses_nonloopback),
	};

	wot_log_set(NULL, NULL, WOT_LOG_WARNING);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_nss.c - the parts of libnss_wotdns.so.2 (src/dns/nss): the
 * configuration file, the question, hostile answers, the layout in
 * glibc's buffers (ERANGE when too small), and the exchange over real
 * loopback sockets (daemon down, silent daemon).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nss_int.h"

/* ---- configuration ---- */

static char conf_path[64];

static int write_conf(const char *text, size_t n)
{
	FILE *f = fopen(conf_path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, n, f), n);
	fclose(f);
	return wot_nss_conf_read(conf_path, &(struct sockaddr_storage){0},
				 &(socklen_t){0});
}

static void conf_port(const char *text, int family, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len = 0;

	assert_int_equal(write_conf(text, strlen(text)), 0);
	assert_int_equal(wot_nss_conf_read(conf_path, &ss, &len), 0);
	assert_int_equal(ss.ss_family, family);
	if (family == AF_INET) {
		assert_int_equal(len, sizeof(struct sockaddr_in));
		assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port),
				 port);
	} else {
		assert_int_equal(len, sizeof(struct sockaddr_in6));
		assert_int_equal(ntohs(((struct sockaddr_in6 *)&ss)->sin6_port),
				 port);
	}
}

static int conf_setup(void **state)
{
	(void)state;
	snprintf(conf_path, sizeof(conf_path), "/tmp/test_nss.%d.conf",
		 (int)getpid());
	return 0;
}

static int conf_teardown(void **state)
{
	(void)state;
	unlink(conf_path);
	return 0;
}

static void nss_conf_good(void **state)
{
	struct sockaddr_storage ss;
	socklen_t len;

	(void)state;
	unlink(conf_path);
	/* No file: the daemon's default port on 127.0.0.1. */
	assert_int_equal(wot_nss_conf_read(conf_path, &ss, &len), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr),
			 INADDR_LOOPBACK);
	assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 53);
	conf_port("server 127.0.0.1:5380\n", AF_INET, 5380);
	conf_port("# written by wotdns desktop setup --nss\n\n"
		  "  server\t127.0.0.2:53   # the daemon\n",
		  AF_INET, 53);
	conf_port("server [::1]:65535", AF_INET6, 65535);
	conf_port("", AF_INET, 53);
}

static void nss_conf_bad(void **state)
{
	static const char *bad[] = {
	    "server\n",
	    "server 127.0.0.1\n",
	    "server 127.0.0.1:0\n",
	    "server 127.0.0.1:65536\n",
	    "server 127.0.0.1:5x\n",
	    "server localhost:53\n",
	    "server ::1:53\n",
	    "server [::1]53\n",
	    "server [::1:53\n",
	    "server 127.0.0.1:53 extra\n",
	    "server 127.0.0.1:53\nserver 127.0.0.1:54\n",
	    "listen 127.0.0.1:53\n",
	    "server 127.0.0.1:000053\n",
	};
	char big[8192];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (write_conf(bad[i], strlen(bad[i])) != -1)
			fail_msg("accepted: %s", bad[i]);
	assert_int_equal(write_conf("server 127.0.0.1:53\0x\n", 22), -1);
	memset(big, '#', sizeof(big));
	assert_int_equal(write_conf(big, sizeof(big)), -1);
	/* A directory where the file should be: unreadable, not a crash. */
	assert_int_equal(wot_nss_conf_read("/", &(struct sockaddr_storage){0},
					   &(socklen_t){0}),
			 -1);
}

/* ---- the question ---- */

static void nss_query_build(void **state)
{
	uint8_t q[WOT_NSS_QUERY_MAX];
	size_t len = 0;
	ldns_pkt *p = NULL;
	const ldns_rr *qr;
	char *owner;

	(void)state;
	assert_int_equal(
	    wot_nss_query_build("Alice.wot", 28, 0xbeef, 0, q, &len), 0);
	assert_int_equal(ldns_wire2pkt(&p, q, len), LDNS_STATUS_OK);
	assert_int_equal(ldns_pkt_id(p), 0xbeef);
	assert_false(ldns_pkt_rd(p)); /* "is this the overlay's?" */
	assert_false(ldns_pkt_qr(p));
	assert_int_equal(ldns_pkt_qdcount(p), 1);
	assert_int_equal(ldns_pkt_edns_udp_size(p), 1232);
	qr = ldns_rr_list_rr(ldns_pkt_question(p), 0);
	owner = ldns_rdf2str(ldns_rr_owner(qr));
	assert_string_equal(owner, "Alice.wot.");
	free(owner);
	assert_int_equal(ldns_rr_get_type(qr), LDNS_RR_TYPE_AAAA);
	assert_int_equal(ldns_rr_get_class(qr), LDNS_RR_CLASS_IN);
	ldns_pkt_free(p);
	assert_int_equal(wot_nss_query_build("alice.wot.", 1, 1, 0, q, &len),
			 0);
	/* Not host names: never sent. */
	assert_int_equal(wot_nss_query_build("", 1, 1, 0, q, &len), -1);
	assert_int_equal(wot_nss_query_build(".", 1, 1, 0, q, &len), -1);
	assert_int_equal(wot_nss_query_build("a..wot", 1, 1, 0, q, &len), -1);
	assert_int_equal(wot_nss_query_build("a b.wot", 1, 1, 0, q, &len), -1);
	assert_int_equal(wot_nss_query_build("a\\046b.wot", 1, 1, 0, q, &len),
			 -1);
	{
		char label[70], name[300];
		memset(label, 'a', 64);
		label[64] = '\0';
		snprintf(name, sizeof(name), "%s.wot", label);
		assert_int_equal(wot_nss_query_build(name, 1, 1, 0, q, &len),
				 -1);
		memset(name, 'a', 299);
		for (int i = 10; i < 299; i += 11)
			name[i] = '.';
		name[299] = '\0';
		assert_int_equal(wot_nss_query_build(name, 1, 1, 0, q, &len),
				 -1);
	}
}

/* ---- answers ---- */

typedef struct {
	uint8_t q[WOT_NSS_QUERY_MAX];
	size_t qlen;
	uint8_t *a;
	size_t alen;
	wot_nss_result res;
} ans;

enum { F_AA = 1, F_TC = 2, F_NOQR = 4, F_RD = 8 };

/* The answer to a question for name/type (ID 0x4242) with these flags,
 * rcode and answer records (NULL-terminated), from question qname/qtype
 * (when not NULL, else the asked one) and ID id. */
static void build(ans *x, const char *name, uint16_t type, int flags,
		  ldns_pkt_rcode rcode, const char *qname, uint16_t id,
		  const char **rrs)
{
	ldns_pkt *p = ldns_pkt_new();
	ldns_rr *qr = ldns_rr_new();

	assert_int_equal(wot_nss_query_build(name, type, 0x4242,
					     (flags & F_RD) != 0, x->q,
					     &x->qlen),
			 0);
	ldns_pkt_set_id(p, id);
	ldns_pkt_set_qr(p, !(flags & F_NOQR));
	ldns_pkt_set_aa(p, flags & F_AA);
	ldns_pkt_set_tc(p, (flags & F_TC) != 0);
	ldns_pkt_set_ra(p, true);
	ldns_pkt_set_rcode(p, rcode);
	ldns_rr_set_question(qr, true);
	ldns_rr_set_owner(qr, ldns_dname_new_frm_str(qname ? qname : name));
	ldns_rr_set_type(qr, type);
	ldns_rr_set_class(qr, LDNS_RR_CLASS_IN);
	assert_true(ldns_pkt_push_rr(p, LDNS_SECTION_QUESTION, qr));
	for (; rrs && *rrs; rrs++) {
		ldns_rr *rr = NULL;
		assert_int_equal(ldns_rr_new_frm_str(&rr, *rrs, 0, NULL, NULL),
				 LDNS_STATUS_OK);
		assert_true(ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr));
	}
	free(x->a);
	assert_int_equal(ldns_pkt2wire(&x->a, p, &x->alen), LDNS_STATUS_OK);
	ldns_pkt_free(p);
}

static wot_nss_verdict read_ans(ans *x)
{
	return wot_nss_answer_read(x->q, x->qlen, x->a, x->alen, &x->res);
}

static void nss_answer_found(void **state)
{
	const char *rrs[] = {"alice.wot. 300 IN A 192.0.2.1",
			     "alice.wot. 60 IN A 192.0.2.2", NULL};
	ans x = {0};

	(void)state;
	build(&x, "alice.wot", 1, F_AA, LDNS_RCODE_NOERROR, NULL, 0x4242, rrs);
	assert_int_equal(read_ans(&x), WOT_NSS_FOUND);
	assert_int_equal(x.res.naddrs, 2);
	assert_int_equal(x.res.addrs[0].family, AF_INET);
	assert_memory_equal(x.res.addrs[1].addr, "\xc0\x00\x02\x02", 4);
	assert_int_equal(x.res.nnames, 1);
	assert_string_equal(x.res.names[0], "alice.wot");
	assert_int_equal(x.res.ttl, 60);
	/* 0x20: the question's case need not be ours. */
	build(&x, "alice.wot", 1, F_AA, LDNS_RCODE_NOERROR, "ALICE.wot.",
	      0x4242, rrs);
	assert_int_equal(read_ans(&x), WOT_NSS_FOUND);
	free(x.a);
}

static void nss_answer_cname_chain(void **state)
{
	const char *rrs[] = {"evil.example. 300 IN AAAA 2001:db8::666",
			     "web.alice.wot. 300 IN CNAME alice.wot.",
			     "www.alice.wot. 300 IN CNAME web.alice.wot.",
			     "alice.wot. 300 IN AAAA 2001:db8::1", NULL};
	const char *loop[] = {"a.wot. 300 IN CNAME b.wot.",
			      "b.wot. 300 IN CNAME a.wot.", NULL};
	const char *odd[] = {"a.wot. 300 IN CNAME b\\000c.wot.",
			     "b\\000c.wot. 300 IN A 192.0.2.1", NULL};
	const char *none[] = {"www.alice.wot. 300 IN CNAME alice.wot.",
			      "other.wot. 300 IN A 192.0.2.9", NULL};
	ans x = {0};

	(void)state;
	build(&x, "www.alice.wot", 28, F_AA, LDNS_RCODE_NOERROR, NULL, 0x4242,
	      rrs);
	assert_int_equal(read_ans(&x), WOT_NSS_FOUND);
	assert_int_equal(x.res.naddrs, 1); /* not evil.example's */
	assert_int_equal(x.res.addrs[0].family, AF_INET6);
	assert_int_equal(x.res.nnames, 3);
	assert_string_equal(x.res.names[0], "alice.wot"); /* canonical */
	assert_string_equal(x.res.names[1], "www.alice.wot");
	assert_string_equal(x.res.names[2], "web.alice.wot");
	build(&x, "a.wot", 1, F_AA, LDNS_RCODE_NOERROR, NULL, 0x4242, loop);
	assert_int_equal(read_ans(&x), WOT_NSS_NOTFOUND);
	build(&x, "a.wot", 1, F_AA, LDNS_RCODE_NOERROR, NULL, 0x4242, odd);
	assert_int_equal(read_ans(&x), WOT_NSS_NOTFOUND);
	assert_int_equal(x.res.naddrs, 0);
	/* The chain ends without an address: the name has none. */
	build(&x, "www.alice.wot", 1, F_AA, LDNS_RCODE_NOERROR, NULL, 0x4242,
	      none);
	assert_int_equal(read_ans(&x), WOT_NSS_NODATA);
	assert_int_equal(x.res.naddrs, 0);
	free(x.a);
}

static void nss_answer_not_overlay(void **state)
{
	const char *rrs[] = {"www.example.com. 300 IN A 203.0.113.7", NULL};
	ans x = {0};

	(void)state;
	/* The normal DNS's answer (no AA) is not the overlay's. */
	build(&x, "www.example.com", 1, 0, LDNS_RCODE_NOERROR, NULL, 0x4242,
	      rrs);
	assert_int_equal(read_ans(&x), WOT_NSS_NOTFOUND);
	assert_int_equal(x.res.naddrs, 0);
	build(&x, "www.example.com", 1, 0, LDNS_RCODE_REFUSED, NULL, 0x4242,
	      NULL);
	assert_int_equal(read_ans(&x), WOT_NSS_NOTFOUND);
	build(&x, "nothere.alice.wot", 1, F_AA, LDNS_RCODE_NXDOMAIN, NULL,
	      0x4242, NULL);
	assert_int_equal(read_ans(&x), WOT_NSS_NOTFOUND);
	build(&x, "alice.wot", 1, F_AA, LDNS_RCODE_SERVFAIL, NULL, 0x4242, rrs);
	assert_int_equal(read_ans(&x), WOT_NSS_NOTFOUND);
	build(&x, "alice.wot", 28, F_AA, LDNS_RCODE_NOERROR, NULL, 0x4242,
	      NULL);
	assert_int_equal(read_ans(&x), WOT_NSS_NODATA);
	free(x.a);
}

/* The second round for a chain that left the overlay asks with RD: the
 * normal DNS's answer (no AA) counts, REFUSED still does not. */
static void nss_answer_rd(void **state)
{
	const char *rrs[] = {"www.example.com. 300 IN A 203.0.113.7", NULL};
	ldns_pkt *p = NULL;
	ans x = {0};

	(void)state;
	build(&x, "www.example.com", 1, F_RD, LDNS_RCODE_NOERROR, NULL, 0x4242,
	      rrs);
	assert_int_equal(ldns_wire2pkt(&p, x.q, x.qlen), LDNS_STATUS_OK);
	assert_true(ldns_pkt_rd(p));
	ldns_pkt_free(p);
	assert_int_equal(read_ans(&x), WOT_NSS_FOUND);
	assert_string_equal(x.res.names[0], "www.example.com");
	build(&x, "www.example.com", 1, F_RD, LDNS_RCODE_REFUSED, NULL, 0x4242,
	      rrs);
	assert_int_equal(read_ans(&x), WOT_NSS_NOTFOUND);
	build(&x, "www.example.com", 1, F_RD, LDNS_RCODE_NOERROR, NULL, 0x4243,
	      rrs);
	assert_int_equal(read_ans(&x), WOT_NSS_IGNORE);
	free(x.a);
}

/* Not an answer to our question: ignored, whatever it holds. */
static void nss_answer_not_ours(void **state)
{
	const char *rrs[] = {"alice.wot. 300 IN A 6.6.6.6", NULL};
	ans x = {0};

	(void)state;
	build(&x, "alice.wot", 1, F_AA, LDNS_RCODE_NOERROR, NULL, 0x4243, rrs);
	assert_int_equal(read_ans(&x), WOT_NSS_IGNORE);
	build(&x, "alice.wot", 1, F_AA, LDNS_RCODE_REFUSED, NULL, 0x4243, rrs);
	assert_int_equal(read_ans(&x), WOT_NSS_IGNORE);
	build(&x, "alice.wot", 1, F_AA | F_NOQR, LDNS_RCODE_NOERROR, NULL,
	      0x4242, rrs);
	assert_int_equal(read_ans(&x), WOT_NSS_IGNORE);
	build(&x, "alice.wot", 1, F_AA | F_TC, LDNS_RCODE_NOERROR, NULL, 0x4242,
	      rrs);
	assert_int_equal(read_ans(&x), WOT_NSS_IGNORE);
	build(&x, "alice.wot", 1, F_AA, LDNS_RCODE_NOERROR, "bob.wot.", 0x4242,
	      rrs);
	assert_int_equal(read_ans(&x), WOT_NSS_IGNORE);
	assert_int_equal(x.res.naddrs, 0);
	/* Every cut of a good answer. */
	build(&x, "alice.wot", 1, F_AA, LDNS_RCODE_NOERROR, NULL, 0x4242, rrs);
	for (size_t n = 0; n < x.alen; n++) {
		wot_nss_verdict v =
		    wot_nss_answer_read(x.q, x.qlen, x.a, n, &x.res);
		if (v != WOT_NSS_IGNORE)
			fail_msg("answer cut to %zu bytes read as %d", n, v);
	}
	free(x.a);
}

/* Random bytes, and random bytes behind our header: never a crash, never
 * an address. */
static void nss_answer_random(void **state)
{
	uint8_t pkt[600];
	ans x = {0};
	unsigned seed = 14;

	(void)state;
	build(&x, "alice.wot", 1, F_AA, LDNS_RCODE_NOERROR, NULL, 0x4242, NULL);
	for (int i = 0; i < 20000; i++) {
		size_t n = (size_t)rand_r(&seed) % sizeof(pkt);
		for (size_t k = 0; k < n; k++)
			pkt[k] = (uint8_t)rand_r(&seed);
		if (i % 2 && n > x.qlen)
			memcpy(pkt, x.a, x.alen); /* ours, then noise */
		if (wot_nss_answer_read(x.q, x.qlen, pkt, n, &x.res) ==
		    WOT_NSS_FOUND)
			assert_true(x.res.naddrs > 0);
	}
	free(x.a);
}

/* ---- glibc's buffers ---- */

static wot_nss_result chain_result(void)
{
	wot_nss_result r = {0};

	strcpy(r.names[0], "alice.wot");
	strcpy(r.names[1], "www.alice.wot");
	r.nnames = 2;
	r.addrs[0].family = AF_INET;
	memcpy(r.addrs[0].addr, "\xc0\x00\x02\x01", 4);
	r.addrs[1].family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::1", r.addrs[1].addr);
	r.addrs[2].family = AF_INET;
	memcpy(r.addrs[2].addr, "\xc0\x00\x02\x02", 4);
	r.naddrs = 3;
	r.ttl = 300;
	return r;
}

static void nss_fill_hostent(void **state)
{
	wot_nss_result r = chain_result();
	char buf[1024], *b = buf + 1; /* misaligned on purpose */
	struct hostent h;
	int err = 0, herr = 0;
	size_t need = 0;

	(void)state;
	/* Every size too small is ERANGE; the first that fits succeeds. */
	for (size_t n = 0; n < sizeof(buf) - 1; n++) {
		enum nss_status st =
		    wot_nss_fill_hostent(&r, AF_INET, &h, b, n, &err, &herr);
		if (st == NSS_STATUS_SUCCESS) {
			need = n;
			break;
		}
		assert_int_equal(st, NSS_STATUS_TRYAGAIN);
		assert_int_equal(err, ERANGE);
		assert_int_equal(herr, NETDB_INTERNAL);
	}
	assert_true(need > 0);
	assert_string_equal(h.h_name, "alice.wot");
	assert_string_equal(h.h_aliases[0], "www.alice.wot");
	assert_null(h.h_aliases[1]);
	assert_int_equal(h.h_addrtype, AF_INET);
	assert_int_equal(h.h_length, 4);
	assert_memory_equal(h.h_addr_list[0], "\xc0\x00\x02\x01", 4);
	assert_memory_equal(h.h_addr_list[1], "\xc0\x00\x02\x02", 4);
	assert_null(h.h_addr_list[2]);
	assert_int_equal((uintptr_t)h.h_addr_list % sizeof(char *), 0);
	for (char **p = h.h_addr_list; *p; p++)
		assert_true(*p >= b && *p + 4 <= b + need);
	assert_int_equal(wot_nss_fill_hostent(&r, AF_INET6, &h, b,
					      sizeof(buf) - 1, &err, &herr),
			 NSS_STATUS_SUCCESS);
	assert_int_equal(h.h_length, 16);
	assert_non_null(h.h_addr_list[0]);
	assert_null(h.h_addr_list[1]);
	/* No address of the family: NOTFOUND, NO_DATA. */
	r.naddrs = 1;
	assert_int_equal(wot_nss_fill_hostent(&r, AF_INET6, &h, b,
					      sizeof(buf) - 1, &err, &herr),
			 NSS_STATUS_NOTFOUND);
	assert_int_equal(herr, NO_DATA);
}

static void nss_fill_tuples(void **state)
{
	wot_nss_result r = chain_result();
	char buf[1024], *b = buf + 3;
	struct gaih_addrtuple *pat = NULL, mine, *pm = &mine;
	int err = 0, herr = 0;
	size_t n;

	(void)state;
	for (n = 0; n < sizeof(buf) - 3; n++) {
		enum nss_status st =
		    wot_nss_fill_tuples(&r, &pat, b, n, &err, &herr);
		if (st == NSS_STATUS_SUCCESS)
			break;
		assert_int_equal(st, NSS_STATUS_TRYAGAIN);
		assert_int_equal(err, ERANGE);
		assert_int_equal(herr, NETDB_INTERNAL);
		assert_null(pat);
	}
	assert_non_null(pat);
	assert_int_equal((uintptr_t)pat % _Alignof(struct gaih_addrtuple), 0);
	assert_string_equal(pat->name, "alice.wot");
	assert_int_equal(pat->family, AF_INET);
	assert_int_equal(pat->next->family, AF_INET6);
	assert_int_equal(pat->next->next->family, AF_INET);
	assert_null(pat->next->next->next);
	assert_int_equal(pat->next->scopeid, 0);
	assert_true((char *)pat->next->next + sizeof(*pat) <= b + n);
	/* A tuple handed in receives the first. */
	assert_int_equal(
	    wot_nss_fill_tuples(&r, &pm, b, sizeof(buf) - 3, &err, &herr),
	    NSS_STATUS_SUCCESS);
	assert_ptr_equal(pm, &mine);
	assert_string_equal(mine.name, "alice.wot");
	assert_int_equal(mine.next->family, AF_INET6);
}

/* ---- the exchange, on real loopback sockets ---- */

static int bound_udp(struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	memset(ss, 0, sizeof(*ss));
	in->sin_family = AF_INET;
	in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	*len = sizeof(*in);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)ss, *len), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)ss, len), 0);
	return fd;
}

static double since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void nss_ask_down_and_silent(void **state)
{
	static const uint16_t types[2] = {1, 28};
	wot_nss_question q = {.name = "alice.wot",
			      .types = types,
			      .ntypes = 2,
			      .timeout_ms = WOT_NSS_TIMEOUT_MS};
	wot_nss_verdict v[2];
	wot_nss_result res[2];
	struct sockaddr_storage ss;
	struct timespec t0;
	socklen_t len;
	int fd;

	(void)state;
	/* A port nobody listens on: ECONNREFUSED, long before the 250 ms. */
	fd = bound_udp(&ss, &len);
	close(fd);
	q.addr = &ss;
	q.alen = len;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(wot_nss_ask(&q, v, res), -ECONNREFUSED);
	assert_true(since(&t0) < 0.2);
	/* A socket that reads and never answers: the deadline. */
	fd = bound_udp(&ss, &len);
	q.timeout_ms = 100;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(wot_nss_ask(&q, v, res), -ETIMEDOUT);
	assert_true(since(&t0) >= 0.09 && since(&t0) < 2);
	assert_int_equal(v[0], WOT_NSS_IGNORE);
	assert_int_equal(v[1], WOT_NSS_IGNORE);
	close(fd);
	/* Not a host name: NOTFOUND without a packet. */
	q.name = "a b";
	assert_int_equal(wot_nss_ask(&q, v, res), 0);
	assert_int_equal(v[0], WOT_NSS_NOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(nss_conf_good, conf_setup,
					    conf_teardown),
	    cmocka_unit_test_setup_teardown(nss_conf_bad, conf_setup,
					    conf_teardown),
	    cmocka_unit_test(nss_query_build),
	    cmocka_unit_test(nss_answer_found),
	    cmocka_unit_test(nss_answer_cname_chain),
	    cmocka_unit_test(nss_answer_not_overlay),
	    cmocka_unit_test(nss_answer_rd),
	    cmocka_unit_test(nss_answer_not_ours),
	    cmocka_unit_test(nss_answer_random),
	    cmocka_unit_test(nss_fill_hostent),
	    cmocka_unit_test(nss_fill_tuples),
	    cmocka_unit_test(nss_ask_down_and_silent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

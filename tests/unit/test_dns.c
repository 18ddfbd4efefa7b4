/*
 * test_dns.c - wot_dns_answer (pure, no sockets) on a table built here.
 * Table loading, addresses and resolv.conf: test_dns_table.c; the real
 * server: test_dns_server.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dns/resolver/resolver.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ZONE "example.wot."
#define RESP_CAP 65535

static const char *const zone_lines[] = {
    "example.wot. 300 IN SOA ns1.example.wot. host.example.wot. 1 3600 "
    "600 86400 60",
    "example.wot. 300 IN NS ns1.example.wot.",
    "ns1.example.wot. 300 IN A 192.0.2.53",
    "www.example.wot. 300 IN A 192.0.2.1",
    "www.example.wot. 300 IN AAAA 2001:db8::1",
    "alias.example.wot. 120 IN CNAME alias2.example.wot.",
    "alias2.example.wot. 120 IN CNAME www.example.wot.",
    "ext.example.wot. 120 IN CNAME www.example.com.",
    "loop1.example.wot. 120 IN CNAME loop2.example.wot.",
    "loop2.example.wot. 120 IN CNAME loop1.example.wot.",
    "dangling.example.wot. 120 IN CNAME nothere.example.wot.",
    "txt.example.wot. 300 IN TXT \"hello world\"",
    "mail.example.wot. 300 IN MX 10 mx1.example.wot.",
    "_sip._tcp.example.wot. 300 IN SRV 10 5 5060 sip.example.wot.",
    "sub.example.wot. 300 IN NS ns.elsewhere.net.",
    "*.wild.example.wot. 300 IN A 192.0.2.99",
    "*.wild.example.wot. 300 IN TXT \"wild\"",
    "a.b.c.example.wot. 300 IN TXT \"deep\"",
    /* A second zone, so CNAME chains can cross zones. */
    "other.wot. 300 IN SOA ns.other.wot. host.other.wot. 7 3600 600 "
    "86400 30",
    "cross.example.wot. 300 IN CNAME target.other.wot.",
    "target.other.wot. 300 IN A 198.51.100.7",
    "tomissing.example.wot. 300 IN CNAME missing.other.wot.",
};

typedef struct {
	wot_dns_table *t;
	uint8_t resp[RESP_CAP];
} fixture;

static void add_rr(wot_dns_table *t, const char *text)
{
	ldns_rr *rr = NULL;
	ldns_status st = ldns_rr_new_frm_str(&rr, text, 3600, NULL, NULL);

	if (st != LDNS_STATUS_OK)
		fail_msg("%s: %s", text, ldns_get_errorstr_by_id(st));
	assert_int_equal(wot_dns_table_add(t, rr), 0);
	ldns_rr_free(rr);
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(wot_dns_table_new(&f->t), 0);
	for (size_t i = 0; i < sizeof(zone_lines) / sizeof(zone_lines[0]); i++)
		add_rr(f->t, zone_lines[i]);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	wot_dns_table_free(f->t);
	free(f);
	return 0;
}

/* Wire query with these header flags (LDNS_RD, 0); edns < 0: none, else the
 * advertised size (version 0). */
static uint8_t *make_query_flags(const char *name, ldns_rr_type type, int edns,
				 uint16_t flags, size_t *len)
{
	ldns_pkt *p = ldns_pkt_query_new(ldns_dname_new_frm_str(name), type,
					 LDNS_RR_CLASS_IN, flags);
	uint8_t *wire = NULL;

	assert_non_null(p);
	ldns_pkt_set_id(p, 0x1234);
	if (edns >= 0)
		ldns_pkt_set_edns_udp_size(p, (uint16_t)edns);
	assert_int_equal(ldns_pkt2wire(&wire, p, len), LDNS_STATUS_OK);
	ldns_pkt_free(p);
	return wire;
}

static uint8_t *make_query(const char *name, ldns_rr_type type, int edns,
			   size_t *len)
{
	return make_query_flags(name, type, edns, LDNS_RD, len);
}

/* Answer and parse; asserts the action, returns the parsed response. */
static ldns_pkt *ask_wire(fixture *f, const uint8_t *q, size_t qlen, int tcp,
			  int want_action, size_t *rlen)
{
	ldns_pkt *p = NULL;
	size_t len = 0;
	int action = -1;

	assert_int_equal(wot_dns_answer(f->t, q, qlen, tcp, f->resp,
					sizeof(f->resp), &len, &action),
			 0);
	assert_int_equal(action, want_action);
	if (rlen)
		*rlen = len;
	if (action != WOT_DNS_REPLY && action != WOT_DNS_CHASE) {
		assert_int_equal(len, 0);
		return NULL;
	}
	assert_true(len >= 12);
	assert_int_equal(ldns_wire2pkt(&p, f->resp, len), LDNS_STATUS_OK);
	return p;
}

static ldns_pkt *ask(fixture *f, const char *name, ldns_rr_type type, int edns,
		     int tcp, size_t *rlen)
{
	size_t qlen;
	uint8_t *q = make_query(name, type, edns, &qlen);
	ldns_pkt *p = ask_wire(f, q, qlen, tcp, WOT_DNS_REPLY, rlen);

	free(q);
	return p;
}

static char *rr_str(const ldns_rr *rr)
{
	char *s = ldns_rr2str(rr);
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n'))
		s[--n] = '\0';
	for (char *p = s; *p; p++)
		if (*p == '\t')
			*p = ' ';
	return s;
}

static void assert_rr(const ldns_rr_list *l, size_t i, const char *want)
{
	char *s;

	assert_true(i < ldns_rr_list_rr_count(l));
	s = rr_str(ldns_rr_list_rr(l, i));
	if (strcmp(s, want) != 0)
		fail_msg("rr %zu: got '%s' want '%s'", i, s, want);
	free(s);
}

static void assert_auth_flags(const ldns_pkt *p, ldns_pkt_rcode rcode)
{
	assert_int_equal(ldns_pkt_get_rcode(p), rcode);
	assert_true(ldns_pkt_qr(p));
	assert_true(ldns_pkt_aa(p));
	assert_true(ldns_pkt_ra(p));
	assert_false(ldns_pkt_ad(p));
	assert_false(ldns_pkt_tc(p));
	assert_int_equal(ldns_pkt_id(p), 0x1234);
}

static void dns_answer_a(void **state)
{
	ldns_pkt *p =
	    ask(*state, "www.example.wot.", LDNS_RR_TYPE_A, -1, 0, NULL);

	assert_auth_flags(p, LDNS_RCODE_NOERROR);
	assert_true(ldns_pkt_rd(p)); /* RD is copied from the query */
	assert_int_equal(ldns_pkt_ancount(p), 1);
	assert_int_equal(ldns_pkt_nscount(p), 0);
	assert_int_equal(ldns_pkt_arcount(p), 0); /* no OPT without EDNS */
	assert_rr(ldns_pkt_answer(p), 0, "www.example.wot. 300 IN A 192.0.2.1");
	ldns_pkt_free(p);
}

static void dns_answer_aaaa(void **state)
{
	ldns_pkt *p =
	    ask(*state, "www.example.wot.", LDNS_RR_TYPE_AAAA, -1, 0, NULL);

	assert_auth_flags(p, LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_pkt_ancount(p), 1);
	assert_rr(ldns_pkt_answer(p), 0,
		  "www.example.wot. 300 IN AAAA 2001:db8::1");
	ldns_pkt_free(p);
}

static void dns_answer_cname_chain(void **state)
{
	ldns_pkt *p =
	    ask(*state, "alias.example.wot.", LDNS_RR_TYPE_A, -1, 0, NULL);

	assert_auth_flags(p, LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_pkt_ancount(p), 3);
	assert_rr(ldns_pkt_answer(p), 0,
		  "alias.example.wot. 120 IN CNAME alias2.example.wot.");
	assert_rr(ldns_pkt_answer(p), 1,
		  "alias2.example.wot. 120 IN CNAME www.example.wot.");
	assert_rr(ldns_pkt_answer(p), 2, "www.example.wot. 300 IN A 192.0.2.1");
	ldns_pkt_free(p);

	/* Asking for the CNAME itself does not follow it. */
	p = ask(*state, "alias.example.wot.", LDNS_RR_TYPE_CNAME, -1, 0, NULL);
	assert_int_equal(ldns_pkt_ancount(p), 1);
	ldns_pkt_free(p);
}

static void dns_answer_cname_leaves_overlay(void **state)
{
	size_t qlen;
	uint8_t *q = make_query("ext.example.wot.", LDNS_RR_TYPE_A, -1, &qlen);
	/* CHASE: the server appends the normal DNS's answer for the target. */
	ldns_pkt *p = ask_wire(*state, q, qlen, 0, WOT_DNS_CHASE, NULL);

	free(q);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	/* Not the overlay's answer alone: no AA (the upstream adds to it). */
	assert_false(ldns_pkt_aa(p));
	assert_true(ldns_pkt_ra(p));
	assert_int_equal(ldns_pkt_ancount(p), 1);
	assert_int_equal(ldns_pkt_nscount(p), 0);
	assert_rr(ldns_pkt_answer(p), 0,
		  "ext.example.wot. 120 IN CNAME www.example.com.");
	ldns_pkt_free(p);
}

static void dns_answer_cname_cross_zone(void **state)
{
	ldns_pkt *p =
	    ask(*state, "cross.example.wot.", LDNS_RR_TYPE_A, -1, 0, NULL);

	assert_auth_flags(p, LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_pkt_ancount(p), 2);
	assert_rr(ldns_pkt_answer(p), 1,
		  "target.other.wot. 300 IN A 198.51.100.7");
	ldns_pkt_free(p);

	/* RFC 6604: the rcode and SOA are those of the last name. */
	p = ask(*state, "tomissing.example.wot.", LDNS_RR_TYPE_A, -1, 0, NULL);
	assert_auth_flags(p, LDNS_RCODE_NXDOMAIN);
	assert_int_equal(ldns_pkt_ancount(p), 1);
	assert_int_equal(ldns_pkt_nscount(p), 1);
	assert_rr(ldns_pkt_authority(p), 0,
		  "other.wot. 30 IN SOA ns.other.wot. host.other.wot. 7 3600 "
		  "600 86400 30");
	ldns_pkt_free(p);
}

static void dns_answer_cname_loop_servfail(void **state)
{
	ldns_pkt *p =
	    ask(*state, "loop1.example.wot.", LDNS_RR_TYPE_A, -1, 0, NULL);

	/* A CNAME loop is a server failure, not an answer (RFC 1034 3.6.2:
	 * "CNAME chains should be followed and CNAME loops signalled as an
	 * error"). */
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_SERVFAIL);
	assert_false(ldns_pkt_aa(p));
	assert_int_equal(ldns_pkt_ancount(p), 0);
	ldns_pkt_free(p);
	p = ask(*state, "loop1.example.wot.", LDNS_RR_TYPE_A, -1, 1, NULL);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_SERVFAIL);
	ldns_pkt_free(p);

	p = ask(*state, "dangling.example.wot.", LDNS_RR_TYPE_A, -1, 0, NULL);
	assert_auth_flags(p, LDNS_RCODE_NXDOMAIN);
	assert_int_equal(ldns_pkt_ancount(p), 1);
	ldns_pkt_free(p);
}

static void dns_answer_txt_mx_srv_ns(void **state)
{
	ldns_pkt *p;

	p = ask(*state, "txt.example.wot.", LDNS_RR_TYPE_TXT, -1, 0, NULL);
	assert_auth_flags(p, LDNS_RCODE_NOERROR);
	assert_rr(ldns_pkt_answer(p), 0,
		  "txt.example.wot. 300 IN TXT \"hello world\"");
	ldns_pkt_free(p);
	p = ask(*state, "mail.example.wot.", LDNS_RR_TYPE_MX, -1, 0, NULL);
	assert_rr(ldns_pkt_answer(p), 0,
		  "mail.example.wot. 300 IN MX 10 mx1.example.wot.");
	ldns_pkt_free(p);
	p = ask(*state, "_sip._tcp.example.wot.", LDNS_RR_TYPE_SRV, -1, 0,
		NULL);
	assert_rr(ldns_pkt_answer(p), 0,
		  "_sip._tcp.example.wot. 300 IN SRV 10 5 5060 "
		  "sip.example.wot.");
	ldns_pkt_free(p);
	p = ask(*state, "example.wot.", LDNS_RR_TYPE_NS, -1, 0, NULL);
	assert_rr(ldns_pkt_answer(p), 0,
		  "example.wot. 300 IN NS ns1.example.wot.");
	ldns_pkt_free(p);
	/* NS below the apex is plain authoritative data here. */
	p = ask(*state, "sub.example.wot.", LDNS_RR_TYPE_NS, -1, 0, NULL);
	assert_auth_flags(p, LDNS_RCODE_NOERROR);
	assert_rr(ldns_pkt_answer(p), 0,
		  "sub.example.wot. 300 IN NS ns.elsewhere.net.");
	ldns_pkt_free(p);
}

static void dns_answer_wildcard(void **state)
{
	ldns_pkt *p;

	p = ask(*state, "foo.wild.example.wot.", LDNS_RR_TYPE_A, -1, 0, NULL);
	assert_auth_flags(p, LDNS_RCODE_NOERROR);
	assert_rr(ldns_pkt_answer(p), 0,
		  "foo.wild.example.wot. 300 IN A 192.0.2.99");
	ldns_pkt_free(p);
	/* Deeper names match the wildcard of their closest encloser. */
	p = ask(*state, "x.y.wild.example.wot.", LDNS_RR_TYPE_TXT, -1, 0, NULL);
	assert_rr(ldns_pkt_answer(p), 0,
		  "x.y.wild.example.wot. 300 IN TXT \"wild\"");
	ldns_pkt_free(p);
	/* Wildcard owner, other type: NODATA, not NXDOMAIN. */
	p = ask(*state, "foo.wild.example.wot.", LDNS_RR_TYPE_MX, -1, 0, NULL);
	assert_auth_flags(p, LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_pkt_ancount(p), 0);
	assert_int_equal(ldns_pkt_nscount(p), 1);
	ldns_pkt_free(p);
	/* The parent of the wildcard exists (empty): no synthesis there. */
	p = ask(*state, "wild.example.wot.", LDNS_RR_TYPE_A, -1, 0, NULL);
	assert_auth_flags(p, LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_pkt_ancount(p), 0);
	ldns_pkt_free(p);
	/* A wildcard only covers names below its own parent. */
	p = ask(*state, "foo.example.wot.", LDNS_RR_TYPE_A, -1, 0, NULL);
	assert_auth_flags(p, LDNS_RCODE_NXDOMAIN);
	ldns_pkt_free(p);
}

static void assert_soa_authority(const ldns_pkt *p, const char *want)
{
	assert_int_equal(ldns_pkt_ancount(p), 0);
	assert_int_equal(ldns_pkt_nscount(p), 1);
	assert_rr(ldns_pkt_authority(p), 0, want);
}

static void dns_answer_nxdomain(void **state)
{
	ldns_pkt *p =
	    ask(*state, "nope.example.wot.", LDNS_RR_TYPE_A, -1, 0, NULL);

	assert_auth_flags(p, LDNS_RCODE_NXDOMAIN);
	/* TTL = min(SOA TTL 300, SOA minimum 60). */
	assert_soa_authority(p, "example.wot. 60 IN SOA ns1.example.wot. "
				"host.example.wot. 1 3600 600 86400 60");
	ldns_pkt_free(p);
}

static void dns_answer_nodata(void **state)
{
	ldns_pkt *p =
	    ask(*state, "www.example.wot.", LDNS_RR_TYPE_MX, -1, 0, NULL);

	assert_auth_flags(p, LDNS_RCODE_NOERROR);
	assert_soa_authority(p, "example.wot. 60 IN SOA ns1.example.wot. "
				"host.example.wot. 1 3600 600 86400 60");
	ldns_pkt_free(p);
}

static void dns_answer_empty_nonterminal(void **state)
{
	ldns_pkt *p;

	/* b.c and c exist only as ancestors of a.b.c. */
	p = ask(*state, "b.c.example.wot.", LDNS_RR_TYPE_A, -1, 0, NULL);
	assert_auth_flags(p, LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_pkt_nscount(p), 1);
	ldns_pkt_free(p);
	p = ask(*state, "c.example.wot.", LDNS_RR_TYPE_TXT, -1, 0, NULL);
	assert_auth_flags(p, LDNS_RCODE_NOERROR);
	ldns_pkt_free(p);
	p = ask(*state, "x.c.example.wot.", LDNS_RR_TYPE_TXT, -1, 0, NULL);
	assert_auth_flags(p, LDNS_RCODE_NXDOMAIN);
	ldns_pkt_free(p);
}

static void dns_answer_case_preserved(void **state)
{
	fixture *f = *state;
	const char *asked = "WwW.ExAmPlE.WoT.";
	ldns_pkt *p = ask(f, asked, LDNS_RR_TYPE_A, -1, 0, NULL);
	ldns_rdf *want = ldns_dname_new_frm_str(asked);
	const ldns_rdf *qn, *owner;

	assert_auth_flags(p, LDNS_RCODE_NOERROR);
	qn = ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_question(p), 0));
	owner = ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_answer(p), 0));
	/* Byte-exact: 0x20 randomisation must survive. */
	assert_int_equal(ldns_rdf_size(qn), ldns_rdf_size(want));
	assert_memory_equal(ldns_rdf_data(qn), ldns_rdf_data(want),
			    ldns_rdf_size(want));
	assert_memory_equal(ldns_rdf_data(owner), ldns_rdf_data(want),
			    ldns_rdf_size(want));
	ldns_rdf_deep_free(want);
	ldns_pkt_free(p);
}

static void dns_answer_any_minimal(void **state)
{
	ldns_pkt *p =
	    ask(*state, "www.example.wot.", LDNS_RR_TYPE_ANY, -1, 0, NULL);

	assert_auth_flags(p, LDNS_RCODE_NOERROR);
	/* www has A and AAAA; RFC 8482 allows (and we send) one RRset. */
	assert_int_equal(ldns_pkt_ancount(p), 1);
	ldns_pkt_free(p);
}

static void dns_answer_forward(void **state)
{
	fixture *f = *state;
	wot_dns_table *empty = NULL;
	size_t qlen;
	uint8_t *q;
	ldns_pkt *p;

	q = make_query("www.example.com.", LDNS_RR_TYPE_A, -1, &qlen);
	p = ask_wire(f, q, qlen, 0, WOT_DNS_FORWARD, NULL);
	assert_null(p);
	free(q);
	/* Above the apex is outside the zone too. */
	q = make_query("wot.", LDNS_RR_TYPE_A, 1232, &qlen);
	p = ask_wire(f, q, qlen, 0, WOT_DNS_FORWARD, NULL);
	assert_null(p);
	/* An empty table and a NULL table forward everything. */
	assert_int_equal(wot_dns_table_new(&empty), 0);
	{
		size_t len = 99;
		int action = -1;
		assert_int_equal(wot_dns_answer(empty, q, qlen, 0, f->resp,
						sizeof(f->resp), &len, &action),
				 0);
		assert_int_equal(action, WOT_DNS_FORWARD);
		assert_int_equal(wot_dns_answer(NULL, q, qlen, 1, f->resp,
						sizeof(f->resp), &len, &action),
				 0);
		assert_int_equal(action, WOT_DNS_FORWARD);
	}
	wot_dns_table_free(empty);
	free(q);
}

/* Without RD (libnss_wotdns's "is this name the overlay's?"): a name
 * outside the overlay is REFUSED, never forwarded, whatever the table; an
 * overlay name is answered with AA as with RD; a CNAME leaving the overlay
 * is not chased: the overlay's part alone, with AA (it is the overlay's
 * whole answer for the name). */
static void dns_answer_norec(void **state)
{
	fixture *f = *state;
	size_t qlen, len = 0;
	int action = -1;
	uint8_t *q;
	ldns_pkt *p;

	q = make_query_flags("www.example.com.", LDNS_RR_TYPE_A, -1, 0, &qlen);
	p = ask_wire(f, q, qlen, 0, WOT_DNS_REPLY, NULL);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_REFUSED);
	assert_false(ldns_pkt_aa(p));
	assert_false(ldns_pkt_rd(p));
	assert_int_equal(ldns_pkt_ancount(p), 0);
	assert_int_equal(ldns_pkt_id(p), 0x1234);
	ldns_pkt_free(p);
	assert_int_equal(wot_dns_answer(NULL, q, qlen, 0, f->resp,
					sizeof(f->resp), &len, &action),
			 0);
	assert_int_equal(action, WOT_DNS_REPLY);
	assert_int_equal(f->resp[3] & 0x0f, LDNS_RCODE_REFUSED);
	free(q);

	q = make_query_flags("www.example.wot.", LDNS_RR_TYPE_A, 1232, 0,
			     &qlen);
	p = ask_wire(f, q, qlen, 0, WOT_DNS_REPLY, NULL);
	free(q);
	assert_true(ldns_pkt_aa(p));
	assert_false(ldns_pkt_rd(p));
	assert_rr(ldns_pkt_answer(p), 0, "www.example.wot. 300 IN A 192.0.2.1");
	ldns_pkt_free(p);

	q = make_query_flags("ext.example.wot.", LDNS_RR_TYPE_A, -1, 0, &qlen);
	p = ask_wire(f, q, qlen, 0, WOT_DNS_REPLY, NULL);
	free(q);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_true(ldns_pkt_aa(p));
	assert_int_equal(ldns_pkt_ancount(p), 1);
	assert_rr(ldns_pkt_answer(p), 0,
		  "ext.example.wot. 120 IN CNAME www.example.com.");
	ldns_pkt_free(p);
}

static void dns_answer_edns_sizes(void **state)
{
	fixture *f = *state;
	size_t len;
	ldns_pkt *p;
	char line[300], txt[201];

	/* 5 x ~230 bytes of TXT: fits 1232, not 512 or 600. */
	memset(txt, 'x', 200);
	txt[200] = '\0';
	for (int i = 0; i < 5; i++) {
		snprintf(line, sizeof(line),
			 "mid.example.wot. 300 IN TXT \"%d%s\"", i, txt);
		add_rr(f->t, line);
	}
	p = ask(f, "mid.example.wot.", LDNS_RR_TYPE_TXT, 4096, 0, &len);
	assert_false(ldns_pkt_tc(p));
	assert_int_equal(ldns_pkt_ancount(p), 5);
	assert_true(ldns_pkt_edns(p));
	assert_int_equal(ldns_pkt_edns_udp_size(p), 1232);
	assert_true(len > 600 && len <= 1232);
	ldns_pkt_free(p);

	p = ask(f, "mid.example.wot.", LDNS_RR_TYPE_TXT, 600, 0, &len);
	assert_true(ldns_pkt_tc(p));
	assert_int_equal(ldns_pkt_ancount(p), 0);
	assert_true(ldns_pkt_edns(p)); /* OPT kept even when truncated */
	assert_true(len <= 600);
	ldns_pkt_free(p);

	p = ask(f, "mid.example.wot.", LDNS_RR_TYPE_TXT, -1, 0, &len);
	assert_true(ldns_pkt_tc(p));
	assert_false(ldns_pkt_edns(p));
	assert_int_equal(ldns_pkt_qdcount(p), 1);
	assert_true(len <= 512);
	ldns_pkt_free(p);

	/* Sizes below 512 are treated as 512. */
	p = ask(f, "www.example.wot.", LDNS_RR_TYPE_A, 100, 0, &len);
	assert_false(ldns_pkt_tc(p));
	assert_int_equal(ldns_pkt_ancount(p), 1);
	ldns_pkt_free(p);
}

static void dns_answer_tc_udp_full_tcp(void **state)
{
	fixture *f = *state;
	char line[128];
	size_t len;
	ldns_pkt *p;

	for (int i = 0; i < 300; i++) {
		snprintf(line, sizeof(line),
			 "big.example.wot. 300 IN AAAA 2001:db8::%x", i + 1);
		add_rr(f->t, line);
	}
	p = ask(f, "big.example.wot.", LDNS_RR_TYPE_AAAA, 4096, 0, &len);
	assert_true(ldns_pkt_tc(p));
	assert_true(ldns_pkt_aa(p));
	assert_int_equal(ldns_pkt_ancount(p), 0);
	assert_int_equal(ldns_pkt_qdcount(p), 1);
	assert_true(len <= 1232);
	ldns_pkt_free(p);

	p = ask(f, "big.example.wot.", LDNS_RR_TYPE_AAAA, 4096, 1, &len);
	assert_false(ldns_pkt_tc(p));
	assert_int_equal(ldns_pkt_ancount(p), 300);
	assert_true(len > 1232);
	ldns_pkt_free(p);
}

static void dns_answer_badvers(void **state)
{
	fixture *f = *state;
	ldns_pkt *q =
	    ldns_pkt_query_new(ldns_dname_new_frm_str("www.example.wot."),
			       LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, 0);
	uint8_t *wire = NULL;
	size_t qlen;
	ldns_pkt *p;

	ldns_pkt_set_id(q, 0x1234);
	ldns_pkt_set_edns_udp_size(q, 1232);
	ldns_pkt_set_edns_version(q, 1);
	assert_int_equal(ldns_pkt2wire(&wire, q, &qlen), LDNS_STATUS_OK);
	p = ask_wire(f, wire, qlen, 0, WOT_DNS_REPLY, NULL);
	/* BADVERS = 16: 0 in the header, 1 in the OPT's extended rcode. */
	assert_int_equal(ldns_pkt_get_rcode(p), 0);
	assert_true(ldns_pkt_edns(p));
	assert_int_equal(ldns_pkt_edns_extended_rcode(p), 1);
	assert_int_equal(ldns_pkt_edns_version(p), 0);
	assert_int_equal(ldns_pkt_ancount(p), 0);
	ldns_pkt_free(p);
	ldns_pkt_free(q);
	free(wire);
}

/* Raw answer; returns the action, the response in f->resp. */
static int raw(fixture *f, const uint8_t *q, size_t qlen, size_t *len)
{
	int action = -1;

	assert_int_equal(wot_dns_answer(f->t, q, qlen, 0, f->resp,
					sizeof(f->resp), len, &action),
			 0);
	return action;
}

static void dns_answer_malformed(void **state)
{
	fixture *f = *state;
	size_t qlen, len;
	uint8_t *good =
	    make_query("www.example.wot.", LDNS_RR_TYPE_A, -1, &qlen);
	uint8_t buf[600];

	/* Truncated header: nothing to answer to. */
	for (size_t n = 0; n < 12; n++)
		assert_int_equal(raw(f, good, n, &len), WOT_DNS_DROP);
	/* Truncated question: FORMERR echoing the ID. */
	for (size_t n = 12; n < qlen; n++) {
		assert_int_equal(raw(f, good, n, &len), WOT_DNS_REPLY);
		assert_int_equal(f->resp[3] & 0xf, LDNS_RCODE_FORMERR);
		assert_int_equal(f->resp[0], 0x12);
		assert_int_equal(f->resp[1], 0x34);
		assert_true(f->resp[2] & 0x80);
	}
	/* A response (QR=1) is never answered. */
	memcpy(buf, good, qlen);
	buf[2] |= 0x80;
	assert_int_equal(raw(f, buf, qlen, &len), WOT_DNS_DROP);
	/* Opcode STATUS: NOTIMP. */
	memcpy(buf, good, qlen);
	buf[2] = (uint8_t)((buf[2] & 0x87) | (2 << 3));
	assert_int_equal(raw(f, buf, qlen, &len), WOT_DNS_REPLY);
	assert_int_equal(f->resp[3] & 0xf, LDNS_RCODE_NOTIMPL);
	/* qdcount 0 and 2: FORMERR. */
	memcpy(buf, good, qlen);
	buf[5] = 0;
	assert_int_equal(raw(f, buf, qlen, &len), WOT_DNS_REPLY);
	assert_int_equal(f->resp[3] & 0xf, LDNS_RCODE_FORMERR);
	buf[5] = 2;
	assert_int_equal(raw(f, buf, qlen, &len), WOT_DNS_REPLY);
	assert_int_equal(f->resp[3] & 0xf, LDNS_RCODE_FORMERR);
	/* Name that points at itself: FORMERR, no hang. */
	memcpy(buf, good, 12);
	buf[12] = 0xC0;
	buf[13] = 12;
	memset(buf + 14, 0, 4);
	assert_int_equal(raw(f, buf, 18, &len), WOT_DNS_REPLY);
	assert_int_equal(f->resp[3] & 0xf, LDNS_RCODE_FORMERR);
	/* Claims an additional record that is not there. */
	memcpy(buf, good, qlen);
	buf[11] = 1;
	assert_int_equal(raw(f, buf, qlen, &len), WOT_DNS_REPLY);
	assert_int_equal(f->resp[3] & 0xf, LDNS_RCODE_FORMERR);
	free(good);
}

static void dns_answer_two_opt_formerr(void **state)
{
	fixture *f = *state;
	size_t qlen, len;
	uint8_t *q =
	    make_query("www.example.wot.", LDNS_RR_TYPE_A, 1232, &qlen);
	uint8_t buf[600];

	assert_true(qlen + 11 < sizeof(buf));
	memcpy(buf, q, qlen);
	memcpy(buf + qlen, q + qlen - 11, 11); /* a second OPT */
	buf[11] = 2;
	assert_int_equal(raw(f, buf, qlen + 11, &len), WOT_DNS_REPLY);
	assert_int_equal(f->resp[3] & 0xf, LDNS_RCODE_FORMERR);
	free(q);
}

static void dns_answer_refused_class_axfr(void **state)
{
	fixture *f = *state;
	size_t qlen, len;
	uint8_t *q = make_query("example.wot.", LDNS_RR_TYPE_AXFR, -1, &qlen);

	assert_int_equal(raw(f, q, qlen, &len), WOT_DNS_REPLY);
	assert_int_equal(f->resp[3] & 0xf, LDNS_RCODE_REFUSED);
	free(q);
	q = make_query("www.example.wot.", LDNS_RR_TYPE_A, -1, &qlen);
	q[qlen - 1] = 3; /* class CH */
	assert_int_equal(raw(f, q, qlen, &len), WOT_DNS_REPLY);
	assert_int_equal(f->resp[3] & 0xf, LDNS_RCODE_REFUSED);
	free(q);
}

/* Every reply must be well-formed-ish and within the UDP limit. */
static void check_fuzz_reply(fixture *f, const uint8_t *q, size_t qlen)
{
	size_t len = 0;
	int action = -1;

	assert_int_equal(
	    wot_dns_answer(f->t, q, qlen, 0, f->resp, 4096, &len, &action), 0);
	if (action != WOT_DNS_REPLY) {
		assert_int_equal(len, 0);
		return;
	}
	assert_true(len >= 12 && len <= 1232);
	assert_true(f->resp[2] & 0x80);
	assert_memory_equal(f->resp, q, 2);
}

static void dns_answer_random_bytes(void **state)
{
	fixture *f = *state;
	uint8_t buf[512];
	size_t qlen;
	uint8_t *seed =
	    make_query("a.b.c.example.wot.", LDNS_RR_TYPE_TXT, 1232, &qlen);

	srand(1234);
	for (int i = 0; i < 20000; i++) {
		size_t n = (size_t)rand() % sizeof(buf);
		for (size_t k = 0; k < n; k++)
			buf[k] = (uint8_t)rand();
		if (n >= 4 && (i & 1))
			buf[2] &= 0x7f; /* let more of them past the QR check */
		check_fuzz_reply(f, buf, n);
	}
	/* Mutations of a valid query reach deeper into the parser. */
	for (int i = 0; i < 20000; i++) {
		size_t n = qlen - (size_t)(rand() % 3 == 0 ? rand() % 8 : 0);
		memcpy(buf, seed, qlen);
		for (int k = 0; k < 1 + rand() % 4; k++)
			buf[12 + (size_t)rand() % (qlen - 12)] =
			    (uint8_t)rand();
		check_fuzz_reply(f, buf, n);
	}
	free(seed);
}

static void dns_answer_small_buffer(void **state)
{
	fixture *f = *state;
	size_t qlen, len = 7;
	int action = -1;
	uint8_t *q = make_query("www.example.wot.", LDNS_RR_TYPE_A, -1, &qlen);

	/* Too small for even header+question: an error, never an overrun. */
	assert_true(
	    wot_dns_answer(f->t, q, qlen, 0, f->resp, 20, &len, &action) < 0);
	assert_int_equal(len, 0);
	/* Room for header+question only: TC. */
	assert_int_equal(
	    wot_dns_answer(f->t, q, qlen, 1, f->resp, qlen, &len, &action), 0);
	assert_int_equal(action, WOT_DNS_REPLY);
	assert_true(len <= qlen);
	assert_true(f->resp[2] & 0x02);
	free(q);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(dns_answer_a),
	    T(dns_answer_aaaa),
	    T(dns_answer_cname_chain),
	    T(dns_answer_cname_leaves_overlay),
	    T(dns_answer_cname_cross_zone),
	    T(dns_answer_cname_loop_servfail),
	    T(dns_answer_txt_mx_srv_ns),
	    T(dns_answer_wildcard),
	    T(dns_answer_nxdomain),
	    T(dns_answer_nodata),
	    T(dns_answer_empty_nonterminal),
	    T(dns_answer_case_preserved),
	    T(dns_answer_any_minimal),
	    T(dns_answer_forward),
	    T(dns_answer_norec),
	    T(dns_answer_edns_sizes),
	    T(dns_answer_tc_udp_full_tcp),
	    T(dns_answer_badvers),
	    T(dns_answer_malformed),
	    T(dns_answer_two_opt_formerr),
	    T(dns_answer_refused_class_axfr),
	    T(dns_answer_random_bytes),
	    T(dns_answer_small_buffer),
	};

	wot_log_set(NULL, NULL, WOT_LOG_WARNING);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

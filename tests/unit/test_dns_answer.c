/*
 * test_dns_answer.c - wot_dns_answer (pure, no sockets) on a table built
 * here: the records a question gets. The message around them (EDNS,
 * truncation, malformed queries): test_dns_answer_wire.c. Table loading,
 * addresses and resolv.conf: test_dns_table.c; the real server:
 * test_dns_server.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "answer_fixture.h"

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
	};

	wot_log_set(NULL, NULL, WOT_LOG_WARNING);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_dns_splice.c - wot_dns_splice (pure): answers built from the overlay
 * table and upstream replies written here with ldns, hostile ones among
 * them. The end-to-end view with a real daemon is t_scrub.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dns/resolver/resolver_int.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

static const char *const overlay[] = {
    "alice.wot. 300 IN SOA ns.alice.wot. h.alice.wot. 1 3600 600 86400 60",
    "www.alice.wot. 300 IN A 192.0.2.1",
    "out.alice.wot. 300 IN CNAME www.example.test.",
    "loop.alice.wot. 300 IN CNAME to.example.test.",
};

typedef struct {
	wot_dns_table *t;
	uint8_t buf[65535];
} fixture;

static ldns_rr *rr_of(const char *text)
{
	ldns_rr *rr = NULL;

	if (ldns_rr_new_frm_str(&rr, text, 300, NULL, NULL) != LDNS_STATUS_OK)
		fail_msg("bad record %s", text);
	return rr;
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(wot_dns_table_new(&f->t), 0);
	for (size_t i = 0; i < sizeof(overlay) / sizeof(overlay[0]); i++) {
		ldns_rr *rr = rr_of(overlay[i]);
		assert_int_equal(wot_dns_table_add(f->t, rr), 0);
		ldns_rr_free(rr);
	}
	assert_int_equal(wot_dns_table_seal(f->t), 0);
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

/* The client's query for name/A, parsed into q (wire kept in *wire). */
static void client_query(const char *name, uint8_t **wire, wot_dns_query *q)
{
	ldns_pkt *p =
	    ldns_pkt_query_new(ldns_dname_new_frm_str(name), LDNS_RR_TYPE_A,
			       LDNS_RR_CLASS_IN, LDNS_RD);
	size_t len;

	ldns_pkt_set_id(p, 7);
	ldns_pkt_set_edns_udp_size(p, 1232);
	assert_int_equal(ldns_pkt2wire(wire, p, &len), LDNS_STATUS_OK);
	ldns_pkt_free(p);
	assert_int_equal(wot_dns_query_parse(*wire, len, q), WOT_DNS_PARSE_OK);
}

/* An upstream reply to name/A with records "S text" (S: 1 answer, 2
 * authority, 3 additional), NULL-terminated. */
static uint8_t *reply(const char *name, ldns_pkt_rcode rcode,
		      const char *const *rrs, size_t *len)
{
	ldns_pkt *p =
	    ldns_pkt_query_new(ldns_dname_new_frm_str(name), LDNS_RR_TYPE_A,
			       LDNS_RR_CLASS_IN, LDNS_RD);
	static const ldns_pkt_section sec[] = {0, LDNS_SECTION_ANSWER,
					       LDNS_SECTION_AUTHORITY,
					       LDNS_SECTION_ADDITIONAL};
	uint8_t *wire = NULL;

	ldns_pkt_set_qr(p, 1);
	ldns_pkt_set_ra(p, 1);
	ldns_pkt_set_rcode(p, (uint8_t)rcode);
	for (; *rrs; rrs++)
		ldns_pkt_push_rr(p, sec[(*rrs)[0] - '0'], rr_of(*rrs + 2));
	assert_int_equal(ldns_pkt2wire(&wire, p, len), LDNS_STATUS_OK);
	ldns_pkt_free(p);
	return wire;
}

/* Splice q with the replies; parsed answer (NULL on NEED, need copied). */
static ldns_pkt *do_splice(fixture *f, const wot_dns_query *q,
			   const wot_dns_upreply *ups, size_t n, char *need)
{
	wot_dns_splice_in in = {f->t, q, ups, n, 3600};
	wot_dns_splice_out out;
	ldns_pkt *p = NULL;

	assert_int_equal(wot_dns_splice(&in, f->buf, sizeof(f->buf), &out), 0);
	if (out.status == WOT_DNS_SPLICE_NEED) {
		ldns_rdf *d =
		    ldns_dname_new_frm_data((uint16_t)out.need_len, out.need);
		char *s = ldns_rdf2str(d);
		strcpy(need, s);
		free(s);
		ldns_rdf_deep_free(d);
		return NULL;
	}
	assert_int_equal(ldns_wire2pkt(&p, f->buf, out.len), LDNS_STATUS_OK);
	return p;
}

/* Does the section hold a record whose text starts with prefix? */
static int holds(ldns_rr_list *l, const char *prefix)
{
	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++) {
		char *s = ldns_rr2str(ldns_rr_list_rr(l, i));
		int hit = strncmp(s, prefix, strlen(prefix)) == 0;
		free(s);
		if (hit)
			return 1;
	}
	return 0;
}

static int holds_any(ldns_pkt *p, const char *prefix)
{
	return holds(ldns_pkt_answer(p), prefix) ||
	       holds(ldns_pkt_authority(p), prefix) ||
	       holds(ldns_pkt_additional(p), prefix);
}

static void splice_forwarded_scrubbed(void **state)
{
	static const char *const rrs[] = {
	    "1 www.example.test. 4294967295 IN A 192.0.2.53",
	    "1 www.alice.wot. 300 IN A 6.6.6.6",
	    "1 invented.example.test. 300 IN A 6.6.6.6",
	    "2 alice.wot. 300 IN NS evil.ns.example.",
	    "2 other.test. 300 IN NS evil.ns.example.",
	    "2 test. 2000000000 IN NS ns.test.",
	    "3 evil.ns.example. 300 IN A 6.6.6.6",
	    "3 ns.test. 300 IN A 192.0.2.54",
	    "3 www.alice.wot. 300 IN A 6.6.6.6",
	    NULL};
	fixture *f = *state;
	uint8_t *qw = NULL, *rw;
	wot_dns_query q;
	wot_dns_upreply up;
	ldns_pkt *p;

	client_query("www.example.test.", &qw, &q);
	rw = reply("www.example.test.", LDNS_RCODE_NOERROR, rrs, &up.len);
	up.pkt = rw;
	p = do_splice(f, &q, &up, 1, NULL);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_false(ldns_pkt_aa(p));
	assert_int_equal(ldns_pkt_id(p), 7);
	assert_int_equal(ldns_pkt_ancount(p), 1);
	/* RFC 2181 section 8: 2^32-1 counts as 0. */
	assert_true(holds(ldns_pkt_answer(p),
			  "www.example.test.\t0\tIN\tA\t192.0.2.53"));
	assert_false(holds_any(p, "www.alice.wot."));
	assert_false(holds_any(p, "alice.wot."));
	assert_false(holds_any(p, "other.test."));
	assert_false(holds_any(p, "evil.ns.example."));
	/* In bailiwick, with its glue; the TTL capped at max_ttl. */
	assert_true(holds(ldns_pkt_authority(p), "test.\t3600\tIN\tNS"));
	assert_true(holds(ldns_pkt_additional(p), "ns.test.\t300\tIN\tA"));
	ldns_pkt_free(p);
	free(rw);
	free(qw);
}

/* The reply to www.example.test/A with rrs (its last record an A cut to
 * 3 bytes when short_a) is refused whole: SERVFAIL, no records. */
static void expect_refused(fixture *f, const char *const *rrs, int short_a)
{
	uint8_t *qw = NULL, *rw;
	wot_dns_query q;
	wot_dns_upreply up;
	ldns_pkt *p;

	client_query("www.example.test.", &qw, &q);
	rw = reply("www.example.test.", LDNS_RCODE_NOERROR, rrs, &up.len);
	if (short_a) { /* the record is last: RDLENGTH 4 -> 3, one byte less */
		assert_int_equal(rw[up.len - 5], 4);
		rw[up.len - 5] = 3;
		up.len--;
	}
	up.pkt = rw;
	p = do_splice(f, &q, &up, 1, NULL);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_SERVFAIL);
	assert_int_equal(ldns_pkt_ancount(p), 0);
	ldns_pkt_free(p);
	free(rw);
	free(qw);
}

static void splice_other_class_refused(void **state)
{
	static const char *const rrs[] = {
	    "1 www.example.test. 300 CH A 1.2.3.4", NULL};

	expect_refused(*state, rrs, 0);
}

/* An A record of 3 bytes (the fuzzer's find): the reply is malformed and
 * refused whole, never cached or relayed with a record no client reads. */
static void splice_short_address_refused(void **state)
{
	static const char *const rrs[] = {
	    "1 www.example.test. 300 IN A 192.0.2.1", NULL};

	expect_refused(*state, rrs, 1);
}

static void splice_chase_and_reenter(void **state)
{
	static const char *const rrs[] = {
	    "1 www.example.test. 300 IN CNAME www.alice.wot.",
	    "1 www.alice.wot. 300 IN A 6.6.6.6", NULL};
	fixture *f = *state;
	uint8_t *qw = NULL, *rw;
	wot_dns_query q;
	wot_dns_upreply up;
	char need[300] = "";
	ldns_pkt *p;

	client_query("out.alice.wot.", &qw, &q);
	/* No reply yet: the chain leaves the overlay, ask for the target. */
	assert_null(do_splice(f, &q, NULL, 0, need));
	assert_string_equal(need, "www.example.test.");
	rw = reply("www.example.test.", LDNS_RCODE_NOERROR, rrs, &up.len);
	up.pkt = rw;
	p = do_splice(f, &q, &up, 1, NULL);
	/* out -> www.example.test -> www.alice.wot, answered by the overlay */
	assert_int_equal(ldns_pkt_ancount(p), 3);
	assert_true(
	    holds(ldns_pkt_answer(p), "www.alice.wot.\t300\tIN\tA\t192.0.2.1"));
	assert_false(holds_any(p, "www.alice.wot.\t300\tIN\tA\t6.6.6.6"));
	assert_false(ldns_pkt_aa(p));
	ldns_pkt_free(p);
	free(rw);
	free(qw);
}

static void splice_loop_servfail(void **state)
{
	static const char *const rrs[] = {
	    "1 to.example.test. 300 IN CNAME loop.alice.wot.", NULL};
	fixture *f = *state;
	uint8_t *qw = NULL, *rw;
	wot_dns_query q;
	wot_dns_upreply up;
	ldns_pkt *p;

	client_query("loop.alice.wot.", &qw, &q);
	rw = reply("to.example.test.", LDNS_RCODE_NOERROR, rrs, &up.len);
	up.pkt = rw;
	p = do_splice(f, &q, &up, 1, NULL);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_SERVFAIL);
	assert_int_equal(ldns_pkt_ancount(p), 0);
	ldns_pkt_free(p);
	free(rw);
	free(qw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(splice_forwarded_scrubbed, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(splice_other_class_refused, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(splice_short_address_refused, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(splice_chase_and_reenter, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(splice_loop_servfail, setup,
					    teardown),
	};
	wot_log_set(NULL, NULL, WOT_LOG_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

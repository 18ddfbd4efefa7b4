/*
 * answer_fixture.h - what the tests of wot_dns_answer share
 * (test_dns_answer*.c): a table built here, queries built with ldns, the
 * answers parsed back with ldns. Include it after <cmocka.h>.
 */
#ifndef WOT_TEST_ANSWER_FIXTURE_H
#define WOT_TEST_ANSWER_FIXTURE_H

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

static inline void add_rr(wot_dns_table *t, const char *text)
{
	ldns_rr *rr = NULL;
	ldns_status st = ldns_rr_new_frm_str(&rr, text, 3600, NULL, NULL);

	if (st != LDNS_STATUS_OK)
		fail_msg("%s: %s", text, ldns_get_errorstr_by_id(st));
	assert_int_equal(wot_dns_table_add(t, rr), 0);
	ldns_rr_free(rr);
}

static inline int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(wot_dns_table_new(&f->t), 0);
	for (size_t i = 0; i < sizeof(zone_lines) / sizeof(zone_lines[0]); i++)
		add_rr(f->t, zone_lines[i]);
	*state = f;
	return 0;
}

static inline int teardown(void **state)
{
	fixture *f = *state;

	wot_dns_table_free(f->t);
	free(f);
	return 0;
}

/* Wire query with these header flags (LDNS_RD, 0); edns < 0: none, else the
 * advertised size (version 0). */
static inline uint8_t *make_query_flags(const char *name, ldns_rr_type type,
					int edns, uint16_t flags, size_t *len)
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

static inline uint8_t *make_query(const char *name, ldns_rr_type type, int edns,
				  size_t *len)
{
	return make_query_flags(name, type, edns, LDNS_RD, len);
}

/* Answer and parse; asserts the action, returns the parsed response. */
static inline ldns_pkt *ask_wire(fixture *f, const uint8_t *q, size_t qlen,
				 int tcp, int want_action, size_t *rlen)
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

static inline ldns_pkt *ask(fixture *f, const char *name, ldns_rr_type type,
			    int edns, int tcp, size_t *rlen)
{
	size_t qlen;
	uint8_t *q = make_query(name, type, edns, &qlen);
	ldns_pkt *p = ask_wire(f, q, qlen, tcp, WOT_DNS_REPLY, rlen);

	free(q);
	return p;
}

#endif

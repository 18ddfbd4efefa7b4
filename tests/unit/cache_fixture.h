/*
 * cache_fixture.h - what the cache's tests share (test_dns_cache*.c): a
 * fresh cache per test, client queries and upstream responses built with
 * ldns. Include it after <cmocka.h>.
 */
#ifndef WOT_TEST_CACHE_FIXTURE_H
#define WOT_TEST_CACHE_FIXTURE_H

#include "dns/resolver/cache.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 1000000ULL /* put time; ages are relative to it */
#define BIG 65535

enum { Q_RD = 1, Q_EDNS = 2, Q_DO = 4, Q_CD = 8, Q_AD = 16 };

typedef struct {
	wot_dns_cache *c;
	uint8_t buf[BIG + 1];
} fixture;

/* An upstream response: rr lines per section, NULL-terminated. */
typedef struct {
	const char *qname;
	ldns_rr_type qtype;
	ldns_pkt_rcode rcode;
	int tc, edns, aa_ad;
	const char *const *an, *const *ns, *const *ar;
} spec;

#define RRS(...) ((const char *const[]){__VA_ARGS__, NULL})

static inline int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(wot_dns_cache_new(&f->c, 1 << 20), 0);
	*state = f;
	return 0;
}

static inline int teardown(void **state)
{
	fixture *f = *state;

	wot_dns_cache_free(f->c);
	free(f);
	return 0;
}

static inline void mkquery(wot_dns_query *q, const char *name,
			   ldns_rr_type type, unsigned opts, uint16_t id)
{
	ldns_pkt *p = ldns_pkt_query_new(
	    ldns_dname_new_frm_str(name), type, LDNS_RR_CLASS_IN,
	    (uint16_t)(((opts & Q_RD) ? LDNS_RD : 0) |
		       ((opts & Q_CD) ? LDNS_CD : 0)));
	uint8_t *wire = NULL;
	size_t len = 0;

	assert_non_null(p);
	ldns_pkt_set_ad(p, (bool)((opts & Q_AD) != 0));
	ldns_pkt_set_id(p, id);
	if (opts & (Q_EDNS | Q_DO))
		ldns_pkt_set_edns_udp_size(p, 1232);
	if (opts & Q_DO)
		ldns_pkt_set_edns_do(p, 1);
	assert_int_equal(ldns_pkt2wire(&wire, p, &len), LDNS_STATUS_OK);
	assert_int_equal(wot_dns_query_parse(wire, len, q), WOT_DNS_PARSE_OK);
	assert_true(q->has_question);
	free(wire);
	ldns_pkt_free(p);
}

static inline void push_rrs(ldns_pkt *p, ldns_pkt_section sec,
			    const char *const *lines)
{
	for (; lines && *lines; lines++) {
		ldns_rr *rr = NULL;
		ldns_status st =
		    ldns_rr_new_frm_str(&rr, *lines, 0, NULL, NULL);
		if (st != LDNS_STATUS_OK)
			fail_msg("%s: %s", *lines, ldns_get_errorstr_by_id(st));
		ldns_pkt_push_rr(p, sec, rr);
	}
}

static inline uint8_t *mkresp(const spec *r, size_t *len)
{
	ldns_pkt *p = ldns_pkt_query_new(ldns_dname_new_frm_str(r->qname),
					 r->qtype, LDNS_RR_CLASS_IN, LDNS_RD);
	uint8_t *wire = NULL;

	assert_non_null(p);
	ldns_pkt_set_id(p, 0x4242);
	ldns_pkt_set_qr(p, 1);
	ldns_pkt_set_ra(p, 1);
	ldns_pkt_set_tc(p, (bool)(r->tc != 0));
	ldns_pkt_set_aa(p, (bool)(r->aa_ad != 0));
	ldns_pkt_set_ad(p, (bool)(r->aa_ad != 0));
	ldns_pkt_set_rcode(p, (uint8_t)r->rcode);
	push_rrs(p, LDNS_SECTION_ANSWER, r->an);
	push_rrs(p, LDNS_SECTION_AUTHORITY, r->ns);
	push_rrs(p, LDNS_SECTION_ADDITIONAL, r->ar);
	if (r->edns)
		ldns_pkt_set_edns_udp_size(p, 4096);
	assert_int_equal(ldns_pkt2wire(&wire, p, len), LDNS_STATUS_OK);
	ldns_pkt_free(p);
	return wire;
}

#endif

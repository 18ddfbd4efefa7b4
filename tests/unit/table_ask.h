/* table_ask.h - one query answered from a table, for the table tests
 * (header-only: each test binary is its own program). */
#ifndef WOT_TEST_TABLE_ASK_H
#define WOT_TEST_TABLE_ASK_H

#include "dns/resolver/resolver_int.h"

#include <ldns/ldns.h>
#include <stdlib.h>

/* Ask name/type over UDP without EDNS; returns the parsed response
 * (caller frees). Fails the test on any error. */
static inline ldns_pkt *table_ask(const wot_dns_table *t, const char *name,
				  ldns_rr_type type)
{
	ldns_pkt *q = ldns_pkt_query_new(ldns_dname_new_frm_str(name), type,
					 LDNS_RR_CLASS_IN, 0);
	uint8_t *wire = NULL, resp[512];
	size_t qlen, len = 0;
	ldns_pkt *p = NULL;
	int action = -1;

	assert_int_equal(ldns_pkt2wire(&wire, q, &qlen), LDNS_STATUS_OK);
	assert_int_equal(
	    wot_dns_answer(t, wire, qlen, 0, resp, sizeof(resp), &len, &action),
	    0);
	assert_int_equal(action, WOT_DNS_REPLY);
	assert_int_equal(ldns_wire2pkt(&p, resp, len), LDNS_STATUS_OK);
	ldns_pkt_free(q);
	free(wire);
	return p;
}

#endif

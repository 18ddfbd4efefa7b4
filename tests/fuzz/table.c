/* table.c - the overlay of table.h. */
#include "table.h"
#include "fuzz.h"

#include <stdio.h>

static const char *const records[] = {
    "alice.wot. 3600 IN SOA ns.alice.wot. h.alice.wot. 1 3600 600 86400 300",
    "alice.wot. 3600 IN NS ns.alice.wot.",
    "alice.wot. 3600 IN A 192.0.2.1",
    "alice.wot. 3600 IN MX 10 mail.alice.wot.",
    "alice.wot. 3600 IN TXT \"v=spf1 -all\"",
    "www.alice.wot. 300 IN A 192.0.2.2",
    "www.alice.wot. 300 IN AAAA 2001:db8::2",
    "*.dyn.alice.wot. 60 IN A 192.0.2.3",
    "in.alice.wot. 60 IN CNAME www.alice.wot.",
    "out.alice.wot. 60 IN CNAME www.example.com.",
    "loop1.alice.wot. 60 IN CNAME loop2.alice.wot.",
    "loop2.alice.wot. 60 IN CNAME loop1.alice.wot.",
    "deep.ent.alice.wot. 60 IN A 192.0.2.4",
    "sub.alice.wot. 60 IN NS ns.example.net.",
    "bob.com. 3600 IN SOA ns.bob.com. h.bob.com. 1 3600 600 86400 300",
    "bob.com. 3600 IN A 198.51.100.1",
};

static void add(wot_dns_table *t, const char *text)
{
	ldns_rr *rr = NULL;

	if (ldns_rr_new_frm_str(&rr, text, 3600, NULL, NULL) !=
		LDNS_STATUS_OK ||
	    wot_dns_table_add(t, rr) < 0) {
		fprintf(stderr, "fuzz table: cannot add %s\n", text);
		abort();
	}
	ldns_rr_free(rr);
}

const wot_dns_table *fuzz_table(void)
{
	static wot_dns_table *t;
	char big[128];

	if (t)
		return t;
	if (wot_dns_table_new(&t) < 0)
		abort();
	for (size_t i = 0; i < sizeof(records) / sizeof(records[0]); i++)
		add(t, records[i]);
	/* 200 addresses: more than a 512-byte UDP answer holds (TC). */
	for (int i = 0; i < 200; i++) {
		snprintf(big, sizeof(big), "big.alice.wot. 60 IN A 10.0.%d.%d",
			 i / 250, i % 250);
		add(t, big);
	}
	if (wot_dns_table_seal(t) < 0)
		abort();
	return t;
}

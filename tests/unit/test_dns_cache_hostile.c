/*
 * test_dns_cache_hostile.c - the upstream answer cache
 * (src/dns/resolver/cache.c) against hostile responses: cut short, bad
 * compression pointers, random mutations. What it stores is never made
 * worse than what came in.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cache_fixture.h"

/* Names everywhere, so compression pointers are everywhere. */
static const spec rich = {
    .qname = "www.example.com.",
    .qtype = LDNS_RR_TYPE_A,
    .edns = 1,
    .an = RRS("www.example.com. 300 IN CNAME web.example.com.",
	      "web.example.com. 300 IN A 192.0.2.1"),
    .ns = RRS("example.com. 300 IN NS ns1.example.com.",
	      "example.com. 300 IN NS ns2.example.com."),
    .ar = RRS(
	"ns1.example.com. 300 IN A 192.0.2.53",
	"ns2.example.com. 300 IN AAAA 2001:db8::53",
	"example.com. 300 IN MX 10 mail.example.com.",
	"example.com. 300 IN SOA ns1.example.com. host.example.com. 1 2 3 4 5",
	"_sip._tcp.example.com. 300 IN SRV 10 5 5060 sip.example.com.",
	"example.com. 300 IN TXT \"v=spf1 -all\"")};

typedef struct {
	int stored, in_bad_out_bad;
} fuzz_counts;

/*
 * Put one hostile response into a fresh cache and read it back with and
 * without EDNS and at the UDP minimum. Whatever comes out must parse
 * whenever the input did: the cache may pass on an upstream's nonsense
 * (a forwarder would too) but must never make any of its own.
 */
static void try_put(const wot_dns_query *qs, const uint8_t *wire, size_t len,
		    uint8_t *buf, fuzz_counts *n)
{
	static const size_t limits[] = {BIG, 512};
	wot_dns_cache *c = NULL;
	ldns_pkt *in = NULL;
	int in_ok = -1;

	assert_int_equal(wot_dns_cache_new(&c, 1 << 16), 0);
	assert_int_equal(wot_dns_cache_put(c, &qs[0], wire, len, T0), 0);
	for (int i = 0; i < 4; i++) {
		ldns_pkt *out = NULL;
		size_t olen = 0;
		int rc = wot_dns_cache_get(c, &qs[i & 1], T0 + 1000, 0, buf,
					   limits[i >> 1], &olen, NULL);
		if (rc == WOT_DNS_CACHE_MISS)
			break;
		assert_true(olen >= WOT_DNS_HDR_LEN && olen <= limits[i >> 1]);
		assert_int_equal(wot_rd16(buf), qs[i & 1].id);
		if (in_ok < 0) {
			in_ok = ldns_wire2pkt(&in, wire, len) == LDNS_STATUS_OK;
			n->stored++;
		}
		if (ldns_wire2pkt(&out, buf, olen) != LDNS_STATUS_OK) {
			if (in_ok)
				fail_msg("input parses, cached answer not");
			n->in_bad_out_bad++;
		}
		ldns_pkt_free(out);
	}
	ldns_pkt_free(in);
	wot_dns_cache_free(c);
}

static void rich_queries(wot_dns_query qs[2])
{
	mkquery(&qs[0], "www.example.com.", LDNS_RR_TYPE_A, Q_RD | Q_EDNS, 7);
	mkquery(&qs[1], "WWW.example.COM.", LDNS_RR_TYPE_A, Q_RD, 8);
}

static size_t count_stored(const wot_dns_query *q, const uint8_t *w, size_t len)
{
	wot_dns_cache *c = NULL;
	wot_dns_cache_stats st;

	assert_int_equal(wot_dns_cache_new(&c, 1 << 16), 0);
	assert_int_equal(wot_dns_cache_put(c, q, w, len, T0), 0);
	wot_dns_cache_get_stats(c, &st);
	wot_dns_cache_free(c);
	return st.entries;
}

static void cache_malformed_truncated(void **state)
{
	wot_dns_query qs[2];
	size_t len;
	uint8_t *wire = mkresp(&rich, &len);

	(void)state;
	rich_queries(qs);
	assert_int_equal(count_stored(&qs[0], wire, len), 1);
	for (size_t n = 0; n < len; n++)
		if (count_stored(&qs[0], wire, n) != 0)
			fail_msg("stored when cut at %zu of %zu", n, len);
	free(wire);
}

/* Offset of the first occurrence of pat in w, asserting there is one. */
static size_t find(const uint8_t *w, size_t len, const char *pat, size_t n)
{
	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(w + i, pat, n) == 0)
			return i;
	fail_msg("pattern not found");
	return 0;
}

static void cache_malformed_pointers(void **state)
{
	wot_dns_query qs[2];
	size_t len, qend, cname;
	uint8_t *wire = mkresp(&rich, &len), *w = malloc(len);

	(void)state;
	rich_queries(qs);
	qend = WOT_DNS_HDR_LEN + qs[0].qname_len + 4;
	assert_int_equal(wire[qend], 0xC0); /* owner: pointer to question */
	cname = find(wire, len, "\x03web", 4) + 4;
	assert_int_equal(wire[cname], 0xC0);
	const size_t target[] = {
	    len - 11, /* forward, to the OPT that is dropped */
	    qend,     /* itself */
	    cname,    /* the CNAME's own pointer */
	    2,	      /* the header */
	    13,	      /* inside a label, not a label start */
	    qend - 2, /* the question's class */
	    qend + 4, /* the TTL of the first record: rewritten on get */
	    0x3fff,   /* past the end */
	};
	for (size_t i = 0; i < sizeof(target) / sizeof(target[0]); i++) {
		for (int which = 0; which < 2; which++) {
			size_t at = which ? cname : qend;
			memcpy(w, wire, len);
			wot_wr16(w + at, (uint16_t)(0xC000 | target[i]));
			if (count_stored(&qs[0], w, len) != 0)
				fail_msg("pointer %zu at %zu stored", i, at);
		}
	}
	memcpy(w, wire, len);
	w[qend] = 0x40; /* extended label type */
	assert_int_equal(count_stored(&qs[0], w, len), 0);
	free(w);
	free(wire);
}

static void cache_malformed_random(void **state)
{
	fixture *f = *state;
	wot_dns_query qs[2];
	fuzz_counts n = {0, 0};
	size_t len;
	uint8_t *wire = mkresp(&rich, &len), *w = malloc(len + 700);

	rich_queries(qs);
	srand(4321);
	for (int i = 0; i < 3000; i++) {
		/* Half keep a valid header and question, so more get far. */
		size_t keep = (i & 1) ? qs[0].qname_len + 16 : 0;
		size_t wl = keep + (size_t)rand() % 600;
		memcpy(w, wire, keep);
		for (size_t k = keep; k < wl; k++)
			w[k] = (uint8_t)rand();
		try_put(qs, w, wl, f->buf, &n);
	}
	for (int i = 0; i < 6000; i++) {
		size_t wl = len - (rand() % 4 == 0 ? (size_t)rand() % 24 : 0);
		memcpy(w, wire, len);
		for (int k = 0; k < 1 + rand() % 4; k++)
			w[(size_t)rand() % len] = (uint8_t)rand();
		try_put(qs, w, wl, f->buf, &n);
	}
	print_message("mutations stored: %d (of those, %d unparsable in and "
		      "out)\n",
		      n.stored, n.in_bad_out_bad);
	assert_true(n.stored > 500); /* the test reached the get path */
	free(w);
	free(wire);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(cache_malformed_truncated),
	    T(cache_malformed_pointers),
	    T(cache_malformed_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

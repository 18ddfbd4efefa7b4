/*
 * test_dns_cache.c - the upstream answer cache (src/dns/resolver/cache.c):
 * real responses built with ldns go in, every answer that comes out is
 * parsed back with ldns. Hostile responses: test_dns_cache_hostile.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cache_fixture.h"

static const char *const www_a[] = {"www.example.com. 300 IN A 192.0.2.1",
				    NULL};
static const char *const soa_min60[] = {
    "example.com. 3600 IN SOA ns.example.com. host.example.com. 1 3600 600 "
    "86400 60",
    NULL};

static void put(fixture *f, const wot_dns_query *q, const spec *r, uint64_t now)
{
	size_t len;
	uint8_t *wire = mkresp(r, &len);

	assert_int_equal(wot_dns_cache_put(f->c, q, wire, len, now), 0);
	free(wire);
}

static size_t entries(const fixture *f)
{
	wot_dns_cache_stats st;

	wot_dns_cache_get_stats(f->c, &st);
	return st.entries;
}

/* Ask; assert the outcome; return the parsed answer (NULL on a miss). */
static ldns_pkt *get_full(fixture *f, const wot_dns_query *q, uint64_t now,
			  int stale, size_t limit, int want, int *prefetch)
{
	ldns_pkt *p = NULL;
	size_t len = 99;
	int rc = wot_dns_cache_get(f->c, q, now, stale, f->buf, limit, &len,
				   prefetch);

	assert_int_equal(rc, want);
	if (rc == WOT_DNS_CACHE_MISS) {
		assert_int_equal(len, 0);
		return NULL;
	}
	assert_true(len >= WOT_DNS_HDR_LEN && len <= limit);
	assert_int_equal(ldns_wire2pkt(&p, f->buf, len), LDNS_STATUS_OK);
	assert_int_equal(ldns_pkt_id(p), q->id);
	assert_true(ldns_pkt_qr(p));
	/* The question exactly as the client spelled it. */
	assert_memory_equal(f->buf + WOT_DNS_HDR_LEN, q->qname, q->qname_len);
	return p;
}

static ldns_pkt *get(fixture *f, const wot_dns_query *q, uint64_t now,
		     int stale, int want)
{
	return get_full(f, q, now, stale, BIG, want, NULL);
}

static uint32_t ttl_at(const ldns_pkt *p, ldns_pkt_section sec, size_t i)
{
	const ldns_rr_list *l = ldns_pkt_get_section_clone(p, sec);
	uint32_t ttl;

	assert_true(i < ldns_rr_list_rr_count(l));
	ttl = ldns_rr_ttl(ldns_rr_list_rr(l, i));
	ldns_rr_list_deep_free((ldns_rr_list *)l);
	return ttl;
}

static void cache_hit_client_id_and_case(void **state)
{
	fixture *f = *state;
	spec r = {
	    .qname = "www.example.com.", .qtype = LDNS_RR_TYPE_A, .an = www_a};
	wot_dns_query q1, q2;
	ldns_pkt *p;
	char *s;

	mkquery(&q1, "www.example.com.", LDNS_RR_TYPE_A, Q_RD, 0x1111);
	mkquery(&q2, "WwW.ExAmPlE.cOm.", LDNS_RR_TYPE_A, 0, 0x2222);
	put(f, &q1, &r, T0);
	p = get(f, &q2, T0, 0, WOT_DNS_CACHE_HIT);
	assert_false(ldns_pkt_rd(p)); /* RD as the client sent it */
	assert_true(ldns_pkt_ra(p));
	assert_false(ldns_pkt_tc(p));
	assert_false(ldns_pkt_edns(p));
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_pkt_ancount(p), 1);
	assert_int_equal(ttl_at(p, LDNS_SECTION_ANSWER, 0), 300);
	s = ldns_rdf2str(
	    ldns_rr_rdf(ldns_rr_list_rr(ldns_pkt_answer(p), 0), 0));
	assert_string_equal(s, "192.0.2.1");
	free(s);
	ldns_pkt_free(p);
	p = get(f, &q1, T0, 0, WOT_DNS_CACHE_HIT);
	assert_true(ldns_pkt_rd(p));
	ldns_pkt_free(p);
	/* A second answer for the same key replaces the first. */
	r.an = RRS("www.example.com. 300 IN A 192.0.2.2");
	put(f, &q1, &r, T0);
	assert_int_equal(entries(f), 1);
	p = get(f, &q1, T0, 0, WOT_DNS_CACHE_HIT);
	s = ldns_rdf2str(
	    ldns_rr_rdf(ldns_rr_list_rr(ldns_pkt_answer(p), 0), 0));
	assert_string_equal(s, "192.0.2.2");
	free(s);
	ldns_pkt_free(p);
}

static void cache_flags_aa_ad(void **state)
{
	fixture *f = *state;
	spec r = {.qname = "www.example.com.",
		  .qtype = LDNS_RR_TYPE_A,
		  .aa_ad = 1,
		  .an = www_a};
	wot_dns_query plain, ad;
	ldns_pkt *p;

	mkquery(&plain, "www.example.com.", LDNS_RR_TYPE_A, Q_RD, 1);
	mkquery(&ad, "www.example.com.", LDNS_RR_TYPE_A, Q_RD | Q_AD, 2);
	put(f, &ad, &r, T0);
	p = get(f, &plain, T0, 0, WOT_DNS_CACHE_HIT);
	assert_false(ldns_pkt_aa(p));
	assert_false(ldns_pkt_ad(p));
	ldns_pkt_free(p);
	p = get(f, &ad, T0, 0, WOT_DNS_CACHE_HIT);
	assert_false(ldns_pkt_aa(p));
	assert_true(ldns_pkt_ad(p));
	ldns_pkt_free(p);
}

static void cache_ttl_decreases_and_expires(void **state)
{
	fixture *f = *state;
	spec r = {.qname = "www.example.com.",
		  .qtype = LDNS_RR_TYPE_A,
		  .an = www_a,
		  .ns = RRS("example.com. 86400 IN NS ns.example.com."),
		  .ar = RRS("ns.example.com. 600 IN A 192.0.2.53")};
	wot_dns_query q;
	ldns_pkt *p;

	mkquery(&q, "www.example.com.", LDNS_RR_TYPE_A, Q_RD, 1);
	put(f, &q, &r, T0);
	p = get(f, &q, T0 + 100500, 0, WOT_DNS_CACHE_HIT);
	assert_int_equal(ttl_at(p, LDNS_SECTION_ANSWER, 0), 200);
	/* Capped at the entry's lifetime (300), then aged. */
	assert_int_equal(ttl_at(p, LDNS_SECTION_AUTHORITY, 0), 200);
	assert_int_equal(ttl_at(p, LDNS_SECTION_ADDITIONAL, 0), 200);
	ldns_pkt_free(p);
	p = get(f, &q, T0 + 299999, 0, WOT_DNS_CACHE_HIT);
	assert_int_equal(ttl_at(p, LDNS_SECTION_ANSWER, 0), 1);
	ldns_pkt_free(p);
	assert_null(get(f, &q, T0 + 300000, 0, WOT_DNS_CACHE_MISS));
}

static void cache_negative_soa_minimum(void **state)
{
	fixture *f = *state;
	spec nx = {.qname = "nx.example.com.",
		   .qtype = LDNS_RR_TYPE_A,
		   .rcode = LDNS_RCODE_NXDOMAIN,
		   .ns = soa_min60};
	spec nodata = {.qname = "www.example.com.",
		       .qtype = LDNS_RR_TYPE_AAAA,
		       .ns = RRS("example.com. 30 IN SOA ns.example.com. "
				 "host.example.com. 1 3600 600 86400 600")};
	wot_dns_query q1, q2;
	ldns_pkt *p;

	mkquery(&q1, "nx.example.com.", LDNS_RR_TYPE_A, Q_RD, 1);
	mkquery(&q2, "www.example.com.", LDNS_RR_TYPE_AAAA, Q_RD, 2);
	put(f, &q1, &nx, T0);
	put(f, &q2, &nodata, T0);
	assert_int_equal(entries(f), 2);
	p = get(f, &q1, T0 + 59999, 0, WOT_DNS_CACHE_HIT);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
	assert_int_equal(ldns_pkt_nscount(p), 1);
	assert_int_equal(ttl_at(p, LDNS_SECTION_AUTHORITY, 0), 1);
	ldns_pkt_free(p);
	assert_null(get(f, &q1, T0 + 60000, 0, WOT_DNS_CACHE_MISS));
	p = get(f, &q2, T0 + 29999, 0, WOT_DNS_CACHE_HIT);
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_pkt_ancount(p), 0);
	ldns_pkt_free(p);
	assert_null(get(f, &q2, T0 + 30000, 0, WOT_DNS_CACHE_MISS));
}

static void cache_not_cached(void **state)
{
	fixture *f = *state;
	const char *const *ns_only = RRS("example.com. 300 IN NS ns.a.net.");
	const spec bad[] = {
	    /* RFC 2308 section 5: no SOA, no negative caching. */
	    {.qname = "www.example.com.",
	     .qtype = LDNS_RR_TYPE_A,
	     .rcode = LDNS_RCODE_NXDOMAIN},
	    {.qname = "www.example.com.",
	     .qtype = LDNS_RR_TYPE_A,
	     .ns = ns_only},
	    {.qname = "www.example.com.",
	     .qtype = LDNS_RR_TYPE_A,
	     .rcode = LDNS_RCODE_SERVFAIL,
	     .an = www_a},
	    {.qname = "www.example.com.",
	     .qtype = LDNS_RR_TYPE_A,
	     .rcode = LDNS_RCODE_REFUSED,
	     .ns = soa_min60},
	    {.qname = "www.example.com.",
	     .qtype = LDNS_RR_TYPE_A,
	     .tc = 1,
	     .an = www_a}, /* TC */
	    {.qname = "www.example.com.",
	     .qtype = LDNS_RR_TYPE_A,
	     .an = RRS("www.example.com. 0 IN A 192.0.2.1")},
	    /* Answers to some other question. */
	    {.qname = "ftp.example.com.",
	     .qtype = LDNS_RR_TYPE_A,
	     .an = RRS("ftp.example.com. 300 IN A 192.0.2.1")},
	    {.qname = "www.example.com.",
	     .qtype = LDNS_RR_TYPE_AAAA,
	     .an = RRS("www.example.com. 300 IN AAAA 2001:db8::1")},
	    {.qname = "www.example.com.x.",
	     .qtype = LDNS_RR_TYPE_A,
	     .an = www_a},
	};
	wot_dns_query q;

	mkquery(&q, "www.example.com.", LDNS_RR_TYPE_A, Q_RD, 1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put(f, &q, &bad[i], T0);
		if (entries(f) != 0)
			fail_msg("case %zu was cached", i);
	}
	assert_null(get(f, &q, T0, 1, WOT_DNS_CACHE_MISS));
}

static void cache_stale(void **state)
{
	fixture *f = *state;
	spec r = {.qname = "www.example.com.",
		  .qtype = LDNS_RR_TYPE_A,
		  .an = www_a,
		  .ns = RRS("example.com. 3600 IN NS ns.example.com.")};
	uint64_t late = T0 + 400000, end = T0 + (300 + 86400) * 1000ULL;
	wot_dns_cache_stats st;
	wot_dns_query q;
	ldns_pkt *p;

	mkquery(&q, "www.example.com.", LDNS_RR_TYPE_A, Q_RD, 1);
	put(f, &q, &r, T0);
	assert_null(get(f, &q, late, 0, WOT_DNS_CACHE_MISS));
	p = get(f, &q, late, 1, WOT_DNS_CACHE_STALE);
	assert_int_equal(ttl_at(p, LDNS_SECTION_ANSWER, 0), 30);
	assert_int_equal(ttl_at(p, LDNS_SECTION_AUTHORITY, 0), 30);
	ldns_pkt_free(p);
	/* Refusing stale data did not drop it. */
	assert_null(get(f, &q, late, 0, WOT_DNS_CACHE_MISS));
	ldns_pkt_free(get(f, &q, end - 1, 1, WOT_DNS_CACHE_STALE));
	/* Past the window: gone, even for stale readers. */
	assert_null(get(f, &q, end, 1, WOT_DNS_CACHE_MISS));
	wot_dns_cache_get_stats(f->c, &st);
	assert_int_equal(st.entries, 0);
	assert_int_equal(st.stale, 2);
	assert_int_equal(st.expired, 1);
	assert_int_equal(st.misses, 3);
}

static void cache_do_and_cd_are_keys(void **state)
{
	fixture *f = *state;
	spec r = {.qname = "www.example.com.",
		  .qtype = LDNS_RR_TYPE_A,
		  .edns = 1,
		  .an = www_a};
	wot_dns_query plain, dnssec, cd;
	ldns_pkt *p;

	mkquery(&plain, "www.example.com.", LDNS_RR_TYPE_A, Q_EDNS, 1);
	mkquery(&dnssec, "www.example.com.", LDNS_RR_TYPE_A, Q_DO, 2);
	mkquery(&cd, "www.example.com.", LDNS_RR_TYPE_A, Q_EDNS | Q_CD, 3);
	assert_true(dnssec.edns_do);
	assert_false(plain.edns_do);
	put(f, &dnssec, &r, T0);
	assert_null(get(f, &plain, T0, 0, WOT_DNS_CACHE_MISS));
	assert_null(get(f, &cd, T0, 0, WOT_DNS_CACHE_MISS));
	p = get(f, &dnssec, T0, 0, WOT_DNS_CACHE_HIT);
	assert_true(ldns_pkt_edns_do(p));
	ldns_pkt_free(p);
	put(f, &cd, &r, T0);
	put(f, &plain, &r, T0);
	assert_int_equal(entries(f), 3);
	p = get(f, &plain, T0, 0, WOT_DNS_CACHE_HIT);
	assert_false(ldns_pkt_edns_do(p));
	ldns_pkt_free(p);
	p = get(f, &cd, T0, 0, WOT_DNS_CACHE_HIT);
	assert_true(ldns_pkt_cd(p));
	ldns_pkt_free(p);
}

static void cache_own_opt_only(void **state)
{
	fixture *f = *state;
	spec r = {.qname = "www.example.com.",
		  .qtype = LDNS_RR_TYPE_A,
		  .edns = 1,
		  .an = www_a,
		  .ar = RRS("www.example.com. 300 IN AAAA 2001:db8::1")};
	wot_dns_query qe, qn;
	ldns_pkt *p;

	mkquery(&qe, "www.example.com.", LDNS_RR_TYPE_A, Q_EDNS, 1);
	mkquery(&qn, "www.example.com.", LDNS_RR_TYPE_A, 0, 2);
	put(f, &qe, &r, T0); /* upstream's OPT said 4096 */
	p = get(f, &qe, T0, 0, WOT_DNS_CACHE_HIT);
	assert_true(ldns_pkt_edns(p));
	assert_int_equal(ldns_pkt_edns_udp_size(p), WOT_DNS_EDNS_SIZE);
	assert_int_equal(ldns_pkt_edns_version(p), 0);
	assert_false(ldns_pkt_edns_do(p));
	assert_int_equal(ldns_pkt_arcount(p), 1);
	assert_int_equal(wot_rd16(f->buf + 10), 2); /* AAAA + OPT */
	ldns_pkt_free(p);
	p = get(f, &qn, T0, 0, WOT_DNS_CACHE_HIT);
	assert_false(ldns_pkt_edns(p));
	assert_int_equal(wot_rd16(f->buf + 10), 1);
	assert_int_equal(ldns_pkt_arcount(p), 1);
	ldns_pkt_free(p);
}

static void cache_too_large_gives_tc(void **state)
{
	fixture *f = *state;
	char lines[30][200];
	const char *an[31] = {0};
	spec r = {
	    .qname = "big.example.com.", .qtype = LDNS_RR_TYPE_TXT, .an = an};
	wot_dns_query qn, qe;
	ldns_pkt *p;

	for (int i = 0; i < 30; i++) {
		snprintf(lines[i], sizeof(lines[i]),
			 "big.example.com. 300 IN TXT \"%02d%0100d\"", i, 0);
		an[i] = lines[i];
	}
	mkquery(&qn, "BIG.example.com.", LDNS_RR_TYPE_TXT, Q_RD, 1);
	mkquery(&qe, "big.EXAMPLE.com.", LDNS_RR_TYPE_TXT, Q_EDNS, 2);
	put(f, &qn, &r, T0);
	p = get_full(f, &qn, T0, 0, 512, WOT_DNS_CACHE_HIT, NULL);
	assert_true(ldns_pkt_tc(p));
	assert_int_equal(ldns_pkt_qdcount(p), 1);
	assert_int_equal(
	    ldns_pkt_ancount(p) + ldns_pkt_nscount(p) + ldns_pkt_arcount(p), 0);
	assert_false(ldns_pkt_edns(p));
	ldns_pkt_free(p);
	p = get_full(f, &qe, T0, 0, 1232, WOT_DNS_CACHE_HIT, NULL);
	assert_true(ldns_pkt_tc(p));
	assert_true(ldns_pkt_edns(p));
	assert_int_equal(ldns_pkt_ancount(p), 0);
	assert_int_equal(wot_rd16(f->buf + 10), 1);
	ldns_pkt_free(p);
	p = get(f, &qe, T0, 0, WOT_DNS_CACHE_HIT);
	assert_false(ldns_pkt_tc(p));
	assert_int_equal(ldns_pkt_ancount(p), 30);
	ldns_pkt_free(p);
	/* Not even room for the question: a miss, never an overrun. */
	assert_null(get_full(f, &qn, T0, 0, 20, WOT_DNS_CACHE_MISS, NULL));
}

static void put_name_query(int i, wot_dns_query *q)
{
	char name[64];

	snprintf(name, sizeof(name), "host%d.example.com.", i);
	mkquery(q, name, LDNS_RR_TYPE_A, Q_RD, (uint16_t)i);
}

static void put_name(fixture *f, int i, wot_dns_query *q)
{
	char name[64], line[128];
	spec r = {.qname = name, .qtype = LDNS_RR_TYPE_A};

	snprintf(name, sizeof(name), "host%d.example.com.", i);
	snprintf(line, sizeof(line), "%s 300 IN A 192.0.2.%d", name, i % 250);
	r.an = RRS(line);
	put_name_query(i, q);
	put(f, q, &r, T0);
}

static void cache_lru_eviction(void **state)
{
	fixture *f = *state;
	wot_dns_cache_stats st;
	wot_dns_query q0, q1, q;

	wot_dns_cache_free(f->c);
	assert_int_equal(wot_dns_cache_new(&f->c, 4096), 0);
	put_name(f, 0, &q0);
	put_name(f, 1, &q1);
	for (int i = 2; i < 100; i++) {
		/* host0 stays in use, host1 is never asked for again. */
		ldns_pkt_free(get(f, &q0, T0, 0, WOT_DNS_CACHE_HIT));
		put_name(f, i, &q);
		wot_dns_cache_get_stats(f->c, &st);
		assert_true(st.bytes <= st.max_bytes);
	}
	assert_true(st.evictions > 0);
	assert_true(st.entries > 10 && st.entries < 100);
	assert_int_equal(st.inserts, 100);
	assert_int_equal(st.entries + st.evictions, 100);
	/* Survivors: host0 and the newest ones; host1 went first. */
	for (int i = 0; i < 100; i++) {
		int kept = i == 0 || i > 100 - (int)st.entries;
		ldns_pkt *p;
		put_name_query(i, &q);
		p = get(f, &q, T0, 0,
			kept ? WOT_DNS_CACHE_HIT : WOT_DNS_CACHE_MISS);
		ldns_pkt_free(p);
	}
}

static void cache_prefetch_once_when_popular(void **state)
{
	fixture *f = *state;
	spec hot = {.qname = "hot.example.com.",
		    .qtype = LDNS_RR_TYPE_A,
		    .an = RRS("hot.example.com. 100 IN A 192.0.2.1")};
	spec cold = {.qname = "cold.example.com.",
		     .qtype = LDNS_RR_TYPE_A,
		     .an = RRS("cold.example.com. 100 IN A 192.0.2.2")};
	const uint64_t at[] = {0, 50000, 89999, 90000, 95000, 99000};
	const int want[] = {0, 0, 0, 1, 0, 0};
	wot_dns_query qh, qc;
	int pf;

	mkquery(&qh, "hot.example.com.", LDNS_RR_TYPE_A, Q_RD, 1);
	mkquery(&qc, "cold.example.com.", LDNS_RR_TYPE_A, Q_RD, 2);
	put(f, &qh, &hot, T0);
	put(f, &qc, &cold, T0);
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		pf = -1;
		ldns_pkt_free(get_full(f, &qh, T0 + at[i], 0, BIG,
				       WOT_DNS_CACHE_HIT, &pf));
		if (pf != want[i])
			fail_msg("hit at +%llu ms: prefetch %d",
				 (unsigned long long)at[i], pf);
	}
	/* One hit is not popular, even late. */
	ldns_pkt_free(
	    get_full(f, &qc, T0 + 95000, 0, BIG, WOT_DNS_CACHE_HIT, &pf));
	assert_int_equal(pf, 0);
	/* Stale answers never ask for a prefetch: the caller refreshes. */
	pf = -1;
	ldns_pkt_free(
	    get_full(f, &qc, T0 + 100000, 1, BIG, WOT_DNS_CACHE_STALE, &pf));
	assert_int_equal(pf, 0);
}

static void cache_disabled(void **state)
{
	fixture *f = *state;
	spec r = {
	    .qname = "www.example.com.", .qtype = LDNS_RR_TYPE_A, .an = www_a};
	wot_dns_cache_stats st;
	wot_dns_query q;

	wot_dns_cache_free(f->c);
	assert_int_equal(wot_dns_cache_new(&f->c, 0), 0);
	mkquery(&q, "www.example.com.", LDNS_RR_TYPE_A, Q_RD, 1);
	put(f, &q, &r, T0);
	assert_null(get(f, &q, T0, 1, WOT_DNS_CACHE_MISS));
	wot_dns_cache_get_stats(f->c, &st);
	assert_int_equal(st.entries, 0);
	assert_int_equal(st.bytes, 0);
	assert_int_equal(st.inserts, 0);
}

/* A sealed overlay holding the zone shop.example.com. */
static wot_dns_table *shop_overlay(void)
{
	static const char *const recs[] = {
	    "shop.example.com. 300 IN SOA ns.shop.example.com. "
	    "h.shop.example.com. 1 3600 600 86400 60",
	    "www.shop.example.com. 300 IN A 192.0.2.77",
	};
	wot_dns_table *t = NULL;

	assert_int_equal(wot_dns_table_new(&t), 0);
	for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
		ldns_rr *rr = NULL;
		assert_int_equal(
		    ldns_rr_new_frm_str(&rr, recs[i], 0, NULL, NULL),
		    LDNS_STATUS_OK);
		assert_int_equal(wot_dns_table_add(t, rr), 0);
		ldns_rr_free(rr);
	}
	assert_int_equal(wot_dns_table_seal(t), 0);
	return t;
}

/*
 * The overlay comes to claim shop.example.com: the entries holding one
 * of its names (as the question, an owner in any section, or a CNAME
 * target) are never served again, fresh or stale; every other entry,
 * an expired one included, still is.
 */
static void cache_overlay_change(void **state)
{
	fixture *f = *state;
	const spec claimed[] = {
	    {.qname = "shop.example.com.",
	     .qtype = LDNS_RR_TYPE_A,
	     .an = RRS("shop.example.com. 300 IN A 192.0.2.53")},
	    {.qname = "to.example.net.",
	     .qtype = LDNS_RR_TYPE_A,
	     .an = RRS("to.example.net. 300 IN CNAME www.shop.example.com.",
		       "www.shop.example.com. 300 IN A 6.6.6.6")},
	    {.qname = "nx.example.net.",
	     .qtype = LDNS_RR_TYPE_A,
	     .rcode = LDNS_RCODE_NXDOMAIN,
	     .an = RRS("nx.example.net. 300 IN CNAME gone.shop.example.com."),
	     .ns = RRS("example.com. 300 IN SOA ns.example.com. "
		       "h.example.com. 1 3600 600 86400 60")},
	    {.qname = "mx.example.org.",
	     .qtype = LDNS_RR_TYPE_A,
	     .an = RRS("mx.example.org. 300 IN A 192.0.2.9"),
	     .ns = RRS("example.org. 300 IN NS ns.shop.example.com."),
	     .ar = RRS("ns.shop.example.com. 300 IN A 6.6.6.6")},
	};
	spec old = {.qname = "old.example.com.",
		    .qtype = LDNS_RR_TYPE_A,
		    .an = RRS("old.example.com. 10 IN A 192.0.2.10")};
	spec kept = {.qname = "www.example.com.",
		     .qtype = LDNS_RR_TYPE_A,
		     .an = www_a,
		     .ns = RRS("example.com. 300 IN NS ns.example.com.")};
	wot_dns_table *t = shop_overlay();
	uint64_t now = T0 + 60000; /* old's 10 s are over */
	wot_dns_query q[4], qo, qk;
	wot_dns_cache_stats st;

	mkquery(&qo, old.qname, LDNS_RR_TYPE_A, Q_RD, 1);
	put(f, &qo, &old, T0);
	mkquery(&qk, kept.qname, LDNS_RR_TYPE_A, Q_RD, 2);
	put(f, &qk, &kept, T0);
	for (size_t i = 0; i < 4; i++) {
		mkquery(&q[i], claimed[i].qname, LDNS_RR_TYPE_A, Q_RD, 3);
		put(f, &q[i], &claimed[i], T0);
	}
	assert_int_equal(entries(f), 6);
	/* A change that claims none of their names keeps them all. */
	wot_dns_cache_set_overlay(f->c, NULL);
	for (size_t i = 0; i < 4; i++)
		ldns_pkt_free(get(f, &q[i], T0 + 1000, 0, WOT_DNS_CACHE_HIT));
	wot_dns_cache_set_overlay(f->c, t);
	ldns_pkt_free(get(f, &qk, now, 0, WOT_DNS_CACHE_HIT));
	ldns_pkt_free(get(f, &qo, now, 1, WOT_DNS_CACHE_STALE));
	for (size_t i = 0; i < 4; i++)
		assert_null(get(f, &q[i], now, 1, WOT_DNS_CACHE_MISS));
	wot_dns_cache_get_stats(f->c, &st);
	assert_int_equal(st.claimed, 4);
	assert_int_equal(st.entries, 2);
	ldns_pkt_free(get(f, &qk, now, 0, WOT_DNS_CACHE_HIT));
	wot_dns_cache_set_overlay(f->c, NULL);
	wot_dns_table_free(t);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(cache_hit_client_id_and_case),
	    T(cache_flags_aa_ad),
	    T(cache_ttl_decreases_and_expires),
	    T(cache_negative_soa_minimum),
	    T(cache_not_cached),
	    T(cache_stale),
	    T(cache_do_and_cd_are_keys),
	    T(cache_own_opt_only),
	    T(cache_too_large_gives_tc),
	    T(cache_lru_eviction),
	    T(cache_prefetch_once_when_popular),
	    T(cache_disabled),
	    T(cache_overlay_change),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

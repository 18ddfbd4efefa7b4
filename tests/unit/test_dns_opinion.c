/*
 * test_dns_opinion.c - opinion questions on the wire (src/dns/opinion_wire.c,
 * opinion_book.c): building questions, answering from an empty book, and
 * reading answers, hostile ones included; the verdict on a claimed commit
 * we cannot place (opinion_verify.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dns/resolver/resolver_int.h"
#include "dns/peer/opinion.h"
#include "dns/peer/opinion_int.h"
#include "sync/opinion_git.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FPR4 "0F1E2D3C4B5A69788796A5B4C3D2E1F00A1B2C3D"
#define C1 "8963e61bdb16aa2342c544066cc425c9d2a2c5f1"

/* A reply to question id about name/type built with ldns from records in
 * text ("NAME TTL IN TYPE RDATA"); section 1 answer, 3 additional. */
static size_t reply(uint8_t *out, size_t cap, uint16_t id, const char *name,
		    ldns_rr_type type, const char *const *an, size_t nan,
		    const char *const *ar, size_t nar)
{
	ldns_pkt *p = ldns_pkt_new();
	ldns_rr *q = NULL;
	uint8_t *wire = NULL;
	size_t len = 0;

	ldns_pkt_set_id(p, id);
	ldns_pkt_set_qr(p, 1);
	char qs[300], *tn = ldns_rr_type2str(type);

	snprintf(qs, sizeof(qs), "%s IN %s", name, tn);
	free(tn);
	assert_int_equal(ldns_rr_new_question_frm_str(&q, qs, NULL, NULL),
			 LDNS_STATUS_OK);
	ldns_pkt_push_rr(p, LDNS_SECTION_QUESTION, q);
	for (size_t i = 0; i < nan + nar; i++) {
		ldns_rr *rr = NULL;
		assert_int_equal(
		    ldns_rr_new_frm_str(&rr, i < nan ? an[i] : ar[i - nan], 0,
					NULL, NULL),
		    LDNS_STATUS_OK);
		ldns_pkt_push_rr(
		    p, i < nan ? LDNS_SECTION_ANSWER : LDNS_SECTION_ADDITIONAL,
		    rr);
	}
	assert_int_equal(ldns_pkt2wire(&wire, p, &len), LDNS_STATUS_OK);
	assert_true(len <= cap);
	memcpy(out, wire, len);
	free(wire);
	ldns_pkt_free(p);
	return len;
}

static const char *const good_txt[] = {
    "_opinion._wotdns. 0 IN TXT \"v=1\" \"source=" FPR4 "\" \"commit=" C1
    "\" \"name=alice\""};

static void opinion_parse_record(void **state)
{
	const char *an[] = {"www.alice.wot. 300 IN A 192.0.2.11",
			    "WWW.alice.wot. 60 IN A 192.0.2.10"};
	uint8_t pkt[1232];
	size_t len = reply(pkt, sizeof(pkt), 7, "www.alice.wot.",
			   LDNS_RR_TYPE_A, an, 2, good_txt, 1);
	wot_opinion_reply r;

	(void)state;
	assert_int_equal(
	    wot_opinion_reply_parse(pkt, len, 7, "www.alice.wot.", 1, &r), 0);
	assert_string_equal(r.fpr, FPR4);
	assert_string_equal(r.commit, C1);
	assert_string_equal(r.source, "alice");
	assert_false(r.none);
	/* sorted, TTL and case ignored */
	assert_string_equal(r.digest, "192.0.2.10\n192.0.2.11\n");
	wot_opinion_reply_dispose(&r);
	/* another id, another question: not our answer */
	assert_int_equal(
	    wot_opinion_reply_parse(pkt, len, 8, "www.alice.wot.", 1, &r),
	    WOT_EDNS);
	assert_int_equal(
	    wot_opinion_reply_parse(pkt, len, 7, "ftp.alice.wot.", 1, &r),
	    WOT_EDNS);
	assert_int_equal(
	    wot_opinion_reply_parse(pkt, len, 7, "www.alice.wot.", 28, &r),
	    WOT_EDNS);
}

static void opinion_parse_hostile(void **state)
{
	const char *an[] = {"www.alice.wot. 300 IN A 192.0.2.11"};
	const char *bad[] = {
	    "_opinion._wotdns. 0 IN TXT \"v=1\" \"source=XYZ\" \"commit=" C1
	    "\"",
	    "_opinion._wotdns. 0 IN TXT \"v=2\" \"source=" FPR4
	    "\" \"commit=" C1 "\"",
	    "_opinion._wotdns. 0 IN TXT \"v=1\" \"source=" FPR4
	    "\" \"commit=abc\""};
	uint8_t pkt[1232];
	wot_opinion_reply r;
	size_t len;

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		len = reply(pkt, sizeof(pkt), 9, "www.alice.wot.",
			    LDNS_RR_TYPE_A, an, 1, &bad[i], 1);
		assert_int_equal(wot_opinion_reply_parse(
				     pkt, len, 9, "www.alice.wot.", 1, &r),
				 WOT_EDNS);
		wot_opinion_reply_dispose(&r);
	}
	/* no opinion record at all */
	len = reply(pkt, sizeof(pkt), 9, "www.alice.wot.", LDNS_RR_TYPE_A, an,
		    1, NULL, 0);
	assert_int_equal(
	    wot_opinion_reply_parse(pkt, len, 9, "www.alice.wot.", 1, &r),
	    WOT_EDNS);
	/* every prefix of a good answer: refused or parsed, never a crash */
	len = reply(pkt, sizeof(pkt), 9, "www.alice.wot.", LDNS_RR_TYPE_A, an,
		    1, good_txt, 1);
	for (size_t n = 0; n < len; n++) {
		assert_int_not_equal(
		    wot_opinion_reply_parse(pkt, n, 9, "www.alice.wot.", 1, &r),
		    0);
		wot_opinion_reply_dispose(&r);
	}
}

/*
 * ldns 1.8.3 keeps the last TSIG of additional and leaks the others, and
 * reads an RDATA by its type's fields, not its RDLENGTH (found by
 * tests/fuzz/fuzz_peer and fuzz_upstream): such answers are refused.
 */
static void opinion_parse_ldns_traps(void **state)
{
	const char *an[] = {"www.alice.wot. 300 IN A 192.0.2.11"};
	static const uint8_t tsig[] = {0, 0, 250, 0, 255, 0, 0, 0, 0, 0};
	static const uint8_t hidden[] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0,
					 0,    0,    0, 4, 6, 6, 6, 6};
	uint8_t pkt[1232], bad[1300];
	wot_opinion_reply r;
	size_t len, a;
	ldns_pkt *p = NULL;

	(void)state;
	len = reply(pkt, sizeof(pkt), 9, "www.alice.wot.", LDNS_RR_TYPE_A, an,
		    1, good_txt, 1);
	assert_int_equal(wot_dns_wire2pkt(&p, pkt, len), LDNS_STATUS_OK);
	ldns_pkt_free(p);
	/* two TSIGs after the opinion record */
	memcpy(bad, pkt, len);
	memcpy(bad + len, tsig, sizeof(tsig));
	memcpy(bad + len + sizeof(tsig), tsig, sizeof(tsig));
	bad[11] += 2;
	assert_int_equal(wot_opinion_reply_parse(bad, len + 2 * sizeof(tsig), 9,
						 "www.alice.wot.", 1, &r),
			 WOT_EDNS);
	wot_opinion_reply_dispose(&r);
	/* an A record of 20 bytes: ldns reads 4 and a record in the rest */
	a = 12 + 15 + 4; /* header, question: the answer's owner pointer */
	assert_int_equal(pkt[a], 0xc0);
	memcpy(bad, pkt, a + 14);
	bad[a + 9] = 4 + sizeof(hidden);
	memcpy(bad + a + 14, hidden, sizeof(hidden));
	memcpy(bad + a + 14 + sizeof(hidden), pkt + a + 14, len - a - 14);
	assert_int_not_equal(wot_dns_wire2pkt(&p, bad, len + sizeof(hidden)),
			     LDNS_STATUS_OK);
	assert_null(p);
}

static void opinion_answer_empty_book(void **state)
{
	uint8_t q[300], out[1232];
	size_t qlen, olen;
	wot_opinion_reply r;

	(void)state;
	assert_int_equal(wot_opinion_query_record(q, sizeof(q), 42,
						  "www.alice.wot.", 1, &qlen),
			 0);
	olen = wot_opinion_answer(NULL, q, qlen, out, sizeof(out));
	assert_true(olen > 12);
	assert_int_equal(out[3] & 0x80, 0); /* no RA: never recurses */
	assert_int_equal(
	    wot_opinion_reply_parse(out, olen, 42, "www.alice.wot.", 1, &r), 0);
	assert_true(r.none);
	assert_int_equal(r.rcode, 0);
	wot_opinion_reply_dispose(&r);
	/* a head question nobody can answer: NXDOMAIN, "none" */
	assert_int_equal(wot_opinion_query_head(q, sizeof(q), 43, FPR4, &qlen),
			 0);
	olen = wot_opinion_answer(NULL, q, qlen, out, sizeof(out));
	assert_int_equal(out[3] & 0x0f, 3);
	assert_int_equal(
	    wot_opinion_reply_parse(out, olen, 43,
				    "0f1e2d3c4b5a69788796a5b4c3d2e1f00a1b2c3d."
				    "_wotdns.",
				    16, &r),
	    0);
	assert_true(r.none);
	/* an answer is never answered (no loops) */
	q[2] |= 0x80;
	assert_int_equal(wot_opinion_answer(NULL, q, qlen, out, sizeof(out)),
			 0);
	/* zone transfers and ANY are refused */
	assert_int_equal(wot_opinion_query_record(q, sizeof(q), 44,
						  "alice.wot.", 252, &qlen),
			 0);
	olen = wot_opinion_answer(NULL, q, qlen, out, sizeof(out));
	assert_int_equal(out[3] & 0x0f, 5);
}

/* What every reply to a hostile query must be: a well-formed DNS answer
 * to that very query (its id, its opcode, its question or none), never
 * recursing, within the sender's UDP size, with an rcode we give. */
static int check_reply(const uint8_t *q, size_t qlen, const uint8_t *r,
		       size_t rlen)
{
	ldns_pkt *rp = NULL;
	int ok, rc;

	assert_true(rlen >= 12);
	assert_true(rlen <= 1232);
	assert_memory_equal(r, q, 2);		 /* the query's id */
	assert_true(r[2] & 0x80);		 /* QR */
	assert_int_equal((r[2] >> 3) & 0x0f, 0); /* QUERY */
	assert_int_equal(r[3] & 0x80, 0);	 /* no RA */
	rc = r[3] & 0x0f;
	assert_true(rc == 0 || rc == 1 || rc == 2 || rc == 3 || rc == 5);
	assert_int_equal(ldns_wire2pkt(&rp, r, rlen), LDNS_STATUS_OK);
	/* none (FORMERR), or the question as it came, byte for byte */
	ok = ldns_pkt_qdcount(rp) == 0;
	if (ldns_pkt_qdcount(rp) == 1) {
		ldns_rr *qr = ldns_rr_list_rr(ldns_pkt_question(rp), 0);
		size_t qsz = ldns_rdf_size(ldns_rr_owner(qr)) + 4;
		ok = qlen >= 12 + qsz && rlen >= 12 + qsz &&
		     memcmp(r + 12, q + 12, qsz) == 0;
	}
	assert_true(ok);
	/* an answer is never a question of ours: no NS/SOA delegation
	 * games, no answers for another name than the question */
	for (size_t i = 0; i < ldns_pkt_ancount(rp); i++)
		assert_int_equal(
		    ldns_dname_compare(
			ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_answer(rp), i)),
			ldns_rr_owner(
			    ldns_rr_list_rr(ldns_pkt_question(rp), 0))),
		    0);
	ldns_pkt_free(rp);
	return rc;
}

static void opinion_answer_garbage(void **state)
{
	uint8_t pkt[600], out[1232], base[300];
	size_t blen, answered = 0, questions = 0;

	(void)state;
	srand(7);
	for (int i = 0; i < 20000; i++) {
		size_t n, olen;
		if (i % 2) { /* noise */
			n = (size_t)(rand() % (int)sizeof(pkt));
			for (size_t k = 0; k < n; k++)
				pkt[k] = (uint8_t)rand();
			if (n > 2)
				pkt[2] &= 0x07; /* mostly QUERYs */
		} else { /* a real question with a few bytes changed */
			assert_int_equal(
			    wot_opinion_query_record(
				base, sizeof(base), (uint16_t)i,
				i % 4 ? "www.alice.wot." : "alice.wot.",
				(uint16_t)(1 + rand() % 300), &blen),
			    0);
			n = blen;
			memcpy(pkt, base, n);
			for (int k = rand() % 3; k >= 0; k--)
				pkt[12 + rand() % (int)(n - 12)] =
				    (uint8_t)rand();
			pkt[2] &= 0x7f; /* a question, not an answer */
		}
		olen = wot_opinion_answer(NULL, pkt, n, out, sizeof(out));
		if (olen == 0)
			continue;
		answered++;
		check_reply(pkt, n, out, olen);
		questions += (out[5] | out[4] << 8) == 1;
	}
	/* the loop must have exercised answers, not only silence */
	assert_true(answered > 5000);
	assert_true(questions > 5000);
	/* never answered: an answer, another opcode */
	assert_int_equal(wot_opinion_query_record(base, sizeof(base), 1,
						  "www.alice.wot.", 1, &blen),
			 0);
	base[2] |= 0x80;
	assert_int_equal(wot_opinion_answer(NULL, base, blen, out, sizeof(out)),
			 0);
	base[2] = (uint8_t)((base[2] & 0x07) | (4 << 3)); /* NOTIFY */
	assert_int_equal(wot_opinion_answer(NULL, base, blen, out, sizeof(out)),
			 0);
}

static void opinion_digest_canonical(void **state)
{
	ldns_rr_list *a = ldns_rr_list_new(), *b = ldns_rr_list_new();
	const char *ra[] = {"x.wot. 60 IN MX 10 Mail.X.wot.",
			    "x.wot. 60 IN MX 20 b.x.wot.",
			    "x.wot. 60 IN A 192.0.2.1"};
	const char *rb[] = {"X.WOT. 3600 IN MX 20 b.x.wot.",
			    "x.wot. 5 IN MX 10 mail.x.wot."};
	char *da = NULL, *db = NULL;

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		ldns_rr *rr = NULL;
		ldns_rr_new_frm_str(&rr, ra[i], 0, NULL, NULL);
		ldns_rr_list_push_rr(a, rr);
	}
	for (size_t i = 0; i < 2; i++) {
		ldns_rr *rr = NULL;
		ldns_rr_new_frm_str(&rr, rb[i], 0, NULL, NULL);
		ldns_rr_list_push_rr(b, rr);
	}
	assert_int_equal(wot_opinion_digest(a, "x.wot.", 15, &da), 0);
	assert_int_equal(wot_opinion_digest(b, "x.wot.", 15, &db), 0);
	assert_string_equal(da, db);
	assert_string_equal(da, "10 mail.x.wot.\n20 b.x.wot.\n");
	free(da);
	free(db);
	ldns_rr_list_deep_free(a);
	ldns_rr_list_deep_free(b);
}

/* Never all k from one source's friends while others exist; weight
 * steers; -1 when everybody was asked. */
static void opinion_peer_pick(void **state)
{
	wot_opinion_peer v[5];
	int chosen[5];

	(void)state;
	memset(v, 0, sizeof(v));
	for (int i = 0; i < 5; i++) {
		snprintf(v[i].endpoint, sizeof(v[i].endpoint), "127.0.0.1:%d",
			 5300 + i);
		snprintf(v[i].group, sizeof(v[i].group), "%s",
			 i < 3 ? "bob" : "");
		v[i].weight = 1;
	}
	v[4].weight = 0; /* a proven liar */
	srand(1);
	for (int t = 0; t < 2000; t++) {
		size_t n = 0, bob = 0;
		for (; n < 3; n++) {
			chosen[n] =
			    wot_opinion_peer_pick(v, 5, chosen, n, 3, NULL);
			assert_true(chosen[n] >= 0 && chosen[n] < 5);
			bob += chosen[n] < 3;
		}
		assert_true(bob < 3);
		assert_int_not_equal(chosen[0], 4);
	}
	for (int i = 0; i < 5; i++)
		chosen[i] = i;
	assert_int_equal(wot_opinion_peer_pick(v, 5, chosen, 5, 3, NULL), -1);
	/* nobody else left: the liar is still asked rather than nobody */
	assert_int_equal(wot_opinion_peer_pick(v, 5, chosen, 4, 5, NULL), 4);
}

/* A commit nobody can provide yet is no proof: only the last try is. */
static void opinion_claim_verdicts(void **state)
{
	(void)state;
	assert_string_equal(wot_opinion_claim_verdict(WOT_PLACE_UNKNOWN, "", 0),
			    "unplaced");
	assert_string_equal(
	    wot_opinion_claim_verdict(WOT_PLACE_UNKNOWN, NULL, 0), "unplaced");
	assert_string_equal(wot_opinion_claim_verdict(WOT_PLACE_UNKNOWN, "", 1),
			    "lie");
	/* obtained, forking, not signed by the owner: proven at once */
	assert_string_equal(
	    wot_opinion_claim_verdict(WOT_PLACE_FORK, "rewrite", 0), "lie");
	assert_string_equal(wot_opinion_claim_verdict(WOT_PLACE_FORK, "", 0),
			    "lie");
	/* obtained, signed by the owner, forking: the proof is kept */
	assert_string_equal(
	    wot_opinion_claim_verdict(WOT_PLACE_FORK, "equivocation", 0),
	    "equivocation");
	assert_string_equal(
	    wot_opinion_claim_verdict(WOT_PLACE_FORK, "equivocation", 1),
	    "equivocation");
	assert_string_equal(wot_opinion_claim_verdict(WOT_PLACE_AHEAD, "", 1),
			    "ahead");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(opinion_parse_record),
	    cmocka_unit_test(opinion_parse_hostile),
	    cmocka_unit_test(opinion_parse_ldns_traps),
	    cmocka_unit_test(opinion_answer_empty_book),
	    cmocka_unit_test(opinion_answer_garbage),
	    cmocka_unit_test(opinion_digest_canonical),
	    cmocka_unit_test(opinion_peer_pick),
	    cmocka_unit_test(opinion_claim_verdicts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

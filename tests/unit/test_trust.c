/* test_trust.c - the claim engine and ownership history (pure core). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "trust/trust.h"
#include "util/util.h"

#define ALICE "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define MALLORY "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
#define CAROL "CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC"

static wot_claim claim(const char *name, const char *signer, int64_t since,
		       wot_validity v)
{
	wot_claim c;

	memset(&c, 0, sizeof(c));
	c.name = name;
	c.source = signer;
	c.signer = signer;
	c.commit = "0123456789abcdef0123456789abcdef01234567";
	c.since = since;
	c.validity = v;
	c.level = 1;
	return c;
}

static void trust_claims_untrusted_rejected(void **state)
{
	wot_owners *o = NULL;
	wot_claim c[] = {
	    claim("alice.wot.", ALICE, 10, WOT_VALIDITY_MARGINAL),
	    claim("bob.wot.", CAROL, 10, WOT_VALIDITY_UNKNOWN),
	    claim("carol.wot.", CAROL, 10, WOT_VALIDITY_FULL),
	};

	(void)state;
	assert_int_equal(wot_owners_new(&o), 0);
	assert_int_equal(wot_trust_accept(c, 3, o), 0);
	/* marginal alone does not suffice */
	assert_false(c[0].accepted);
	assert_non_null(strstr(c[0].reason, "untrusted"));
	assert_false(c[1].accepted);
	assert_true(c[2].accepted);
	assert_null(wot_owners_get(o, "alice.wot."));
	assert_string_equal(wot_owners_get(o, "carol.wot."), CAROL);
	wot_owners_free(o);
}

static void trust_claims_first_wins(void **state)
{
	wot_owners *o = NULL;
	wot_claim c[] = {
	    claim("alice.wot.", MALLORY, 20, WOT_VALIDITY_FULL),
	    claim("alice.wot.", ALICE, 10, WOT_VALIDITY_FULL),
	};

	(void)state;
	assert_int_equal(wot_owners_new(&o), 0);
	assert_int_equal(wot_trust_accept(c, 2, o), 0);
	assert_true(c[1].accepted);
	assert_false(c[0].accepted);
	assert_string_equal(c[0].winner, ALICE);
	assert_non_null(strstr(c[0].reason, "conflict"));
	wot_owners_free(o);
}

static void trust_claims_history_beats_earlier_time(void **state)
{
	wot_owners *o = NULL;
	/* mallory backdates: history still says alice came first. */
	wot_claim c[] = {
	    claim("alice.wot.", MALLORY, 1, WOT_VALIDITY_ULTIMATE),
	    claim("alice.wot.", ALICE, 50, WOT_VALIDITY_FULL),
	};

	(void)state;
	assert_int_equal(wot_owners_new(&o), 0);
	assert_int_equal(wot_owners_set(o, "alice.wot.", ALICE, 50), 0);
	assert_int_equal(wot_trust_accept(c, 2, o), 0);
	assert_true(c[1].accepted);
	assert_false(c[0].accepted);
	wot_owners_free(o);
}

static void trust_claims_subtree_owned(void **state)
{
	wot_owners *o = NULL;
	wot_claim c[] = {
	    claim("www.alice.wot.", MALLORY, 5, WOT_VALIDITY_FULL),
	    claim("alice.wot.", ALICE, 10, WOT_VALIDITY_FULL),
	    claim("www.alice.wot.", ALICE, 10, WOT_VALIDITY_FULL),
	    claim("deep.www.alice.wot.", ALICE, 10, WOT_VALIDITY_FULL),
	};

	(void)state;
	assert_int_equal(wot_owners_new(&o), 0);
	assert_int_equal(wot_trust_accept(c, 4, o), 0);
	/* the apex is decided first and carries its subtree */
	assert_true(c[1].accepted);
	assert_true(c[2].accepted);
	assert_true(c[3].accepted);
	assert_false(c[0].accepted);
	assert_string_equal(c[0].winner, ALICE);
	/* only the apex is recorded: the subtree follows from it */
	assert_null(wot_owners_get(o, "www.alice.wot."));
	wot_owners_free(o);
}

static void trust_claims_simultaneous_conflict(void **state)
{
	wot_owners *o = NULL;
	wot_claim c[] = {
	    claim("x.wot.", ALICE, 7, WOT_VALIDITY_FULL),
	    claim("x.wot.", MALLORY, 7, WOT_VALIDITY_FULL),
	};

	(void)state;
	assert_int_equal(wot_owners_new(&o), 0);
	assert_int_equal(wot_trust_accept(c, 2, o), 0);
	assert_false(c[0].accepted);
	assert_false(c[1].accepted);
	assert_null(c[0].winner);
	assert_non_null(strstr(c[0].reason, "at once"));
	assert_null(wot_owners_get(o, "x.wot."));
	wot_owners_free(o);
}

static void trust_claims_same_key_two_sources(void **state)
{
	wot_owners *o = NULL;
	wot_claim c[] = {
	    claim("alice.wot.", ALICE, 7, WOT_VALIDITY_FULL),
	    claim("alice.wot.", ALICE, 9, WOT_VALIDITY_FULL),
	};

	(void)state;
	c[1].source = "mirror";
	assert_int_equal(wot_owners_new(&o), 0);
	assert_int_equal(wot_trust_accept(c, 2, o), 0);
	assert_true(c[0].accepted);
	assert_true(c[1].accepted);
	wot_owners_free(o);
}

static void trust_owners_json_roundtrip(void **state)
{
	wot_owners *o = NULL, *back = NULL;
	char *json = NULL;

	(void)state;
	assert_int_equal(wot_owners_new(&o), 0);
	assert_int_equal(wot_owners_set(o, "alice.wot.", ALICE, 42), 0);
	assert_int_equal(wot_owners_set(o, "m.wot.", MALLORY, 43), 0);
	assert_int_equal(wot_owners_to_json(o, &json), 0);
	assert_int_equal(wot_owners_from_json(&back, json), 0);
	assert_string_equal(wot_owners_get(back, "alice.wot."), ALICE);
	assert_string_equal(wot_owners_get(back, "m.wot."), MALLORY);
	assert_null(wot_owners_get(back, "nobody.wot."));
	free(json);
	wot_owners_free(back);
	wot_owners_free(o);
}

static void trust_owners_json_bad(void **state)
{
	wot_owners *o = NULL;

	(void)state;
	assert_int_equal(wot_owners_from_json(&o, "{not json"), WOT_ESYNTAX);
	assert_null(o);
	assert_int_equal(
	    wot_owners_from_json(&o, "{\"names\":{\"a.\":{\"fpr\":\"xyz\"}}}"),
	    WOT_ESYNTAX);
	assert_non_null(strstr(wot_error_last(), "a."));
}

static void trust_ownertrust_parse(void **state)
{
	wot_ownertrust t;

	(void)state;
	assert_int_equal(wot_ownertrust_parse("full", &t), 0);
	assert_int_equal(t, WOT_OWNERTRUST_FULL);
	assert_int_equal(wot_ownertrust_parse("marginal", &t), 0);
	assert_int_equal(t, WOT_OWNERTRUST_MARGINAL);
	assert_int_equal(wot_ownertrust_parse("lots", &t), WOT_EINVAL);
	assert_string_equal(wot_validity_name(WOT_VALIDITY_FULL), "full");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(trust_claims_untrusted_rejected),
	    cmocka_unit_test(trust_claims_first_wins),
	    cmocka_unit_test(trust_claims_history_beats_earlier_time),
	    cmocka_unit_test(trust_claims_subtree_owned),
	    cmocka_unit_test(trust_claims_simultaneous_conflict),
	    cmocka_unit_test(trust_claims_same_key_two_sources),
	    cmocka_unit_test(trust_owners_json_roundtrip),
	    cmocka_unit_test(trust_owners_json_bad),
	    cmocka_unit_test(trust_ownertrust_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

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

static wot_claim claim(const char *name, const char *signer, int level,
		       wot_validity v)
{
	wot_claim c;

	memset(&c, 0, sizeof(c));
	c.name = name;
	c.source = signer;
	c.signer = signer;
	c.commit = "0123456789abcdef0123456789abcdef01234567";
	c.validity = v;
	c.level = level;
	return c;
}

/* Run the engine with signers of the given ownertrust/dead flags. */
static int decide(wot_claim *c, size_t n, wot_owners *o, const wot_grant *g,
		  size_t ng, const wot_trust_policy *pol, const char *dead)
{
	wot_signer s[] = {
	    {ALICE, WOT_VALIDITY_FULL, WOT_OWNERTRUST_FULL, 1, 0},
	    {MALLORY, WOT_VALIDITY_FULL, WOT_OWNERTRUST_FULL, 1, 0},
	    {CAROL, WOT_VALIDITY_FULL, WOT_OWNERTRUST_NONE, 2, 0},
	};
	wot_accept_opts opts = WOT_ACCEPT_OPTS_INIT;

	for (size_t i = 0; dead && i < 3; i++)
		s[i].dead = !strcmp(s[i].fpr, dead);
	opts.policy = pol;
	opts.signers = s;
	opts.nsigners = 3;
	opts.grants = g;
	opts.ngrants = ng;
	opts.now = 1000;
	return wot_trust_accept(c, n, o, &opts);
}

static void trust_claims_untrusted_rejected(void **state)
{
	wot_owners *o = NULL;
	wot_claim c[] = {
	    claim("alice.wot.", ALICE, 1, WOT_VALIDITY_MARGINAL),
	    claim("bob.wot.", CAROL, 1, WOT_VALIDITY_UNKNOWN),
	    claim("carol.wot.", CAROL, 2, WOT_VALIDITY_FULL),
	};

	(void)state;
	assert_int_equal(wot_owners_new(&o), 0);
	assert_int_equal(decide(c, 3, o, NULL, 0, NULL, NULL), 0);
	/* marginal alone does not suffice */
	assert_false(c[0].accepted);
	assert_non_null(strstr(c[0].reason, "untrusted"));
	assert_non_null(strstr(c[0].explain, "only fully valid keys count"));
	assert_false(c[1].accepted);
	assert_true(c[2].accepted);
	assert_null(wot_owners_get(o, "alice.wot."));
	assert_string_equal(wot_owners_get(o, "carol.wot."), CAROL);
	assert_int_equal(wot_owners_since(o, "carol.wot."), 1000);
	wot_owners_free(o);
}

static void trust_claims_heavier_wins_by_margin(void **state)
{
	wot_owners *o = NULL;
	wot_claim c[] = {
	    claim("x.wot.", CAROL, 3, WOT_VALIDITY_FULL),   /* 0.45 */
	    claim("x.wot.", ALICE, 1, WOT_VALIDITY_FULL),   /* 0.90 */
	    claim("y.wot.", MALLORY, 1, WOT_VALIDITY_FULL), /* 0.90 */
	    claim("y.wot.", ALICE, 2, WOT_VALIDITY_FULL),   /* 0.60 */
	};

	(void)state;
	assert_int_equal(wot_owners_new(&o), 0);
	assert_int_equal(decide(c, 4, o, NULL, 0, NULL, NULL), 0);
	assert_true(c[1].accepted);
	assert_false(c[0].accepted);
	assert_string_equal(c[0].winner, ALICE);
	assert_string_equal(wot_owners_get(o, "x.wot."), ALICE);
	/* 0.90 - 0.60 = 0.30 >= 0.25 */
	assert_true(c[2].accepted);
	assert_false(c[3].accepted);
	wot_owners_free(o);
}

static void trust_claims_no_clear_winner(void **state)
{
	wot_owners *o = NULL;
	wot_claim c[] = {
	    claim("x.wot.", ALICE, 1, WOT_VALIDITY_FULL),
	    claim("x.wot.", MALLORY, 1, WOT_VALIDITY_FULL),
	    claim("www.x.wot.", ALICE, 1, WOT_VALIDITY_FULL),
	};

	(void)state;
	assert_int_equal(wot_owners_new(&o), 0);
	assert_int_equal(decide(c, 3, o, NULL, 0, NULL, NULL), 0);
	assert_false(c[0].accepted);
	assert_false(c[1].accepted);
	assert_null(c[0].winner);
	assert_non_null(strstr(c[0].reason, "margin"));
	assert_null(wot_owners_get(o, "x.wot."));
	/* the subtree is a separate name with a single claimant */
	assert_true(c[2].accepted);
	wot_owners_free(o);
}

static void trust_claims_history_beats_weight(void **state)
{
	wot_owners *o = NULL;
	wot_claim c[] = {
	    claim("alice.wot.", MALLORY, 1, WOT_VALIDITY_FULL),
	    claim("alice.wot.", ALICE, 4, WOT_VALIDITY_FULL),
	};

	(void)state;
	assert_int_equal(wot_owners_new(&o), 0);
	assert_int_equal(wot_owners_set(o, "alice.wot.", ALICE, 50), 0);
	assert_int_equal(decide(c, 2, o, NULL, 0, NULL, NULL), 0);
	assert_true(c[1].accepted);
	assert_false(c[0].accepted);
	assert_string_equal(c[0].winner, ALICE);
	assert_int_equal(wot_owners_since(o, "alice.wot."), 50);
	wot_owners_free(o);
}

static void trust_claims_subtree_owned(void **state)
{
	wot_owners *o = NULL;
	wot_claim c[] = {
	    claim("www.alice.wot.", MALLORY, 1, WOT_VALIDITY_FULL),
	    claim("alice.wot.", ALICE, 1, WOT_VALIDITY_FULL),
	    claim("www.alice.wot.", ALICE, 1, WOT_VALIDITY_FULL),
	    claim("deep.www.alice.wot.", ALICE, 1, WOT_VALIDITY_FULL),
	};

	(void)state;
	assert_int_equal(wot_owners_new(&o), 0);
	assert_int_equal(decide(c, 4, o, NULL, 0, NULL, NULL), 0);
	assert_true(c[1].accepted);
	assert_true(c[2].accepted);
	assert_true(c[3].accepted);
	assert_false(c[0].accepted);
	assert_string_equal(c[0].winner, ALICE);
	assert_null(wot_owners_get(o, "www.alice.wot."));
	wot_owners_free(o);
}

/* A reserved name is never served, whatever the policy and the weight;
 * one held in history from before passes nothing down. */
static const char *reserved_co_uk(const char *name, void *ctx)
{
	(void)ctx;
	return !strcmp(name, "co.uk.") ? "reserved name: a public suffix"
				       : NULL;
}

static void trust_claims_reserved(void **state)
{
	wot_owners *o = NULL;
	wot_trust_policy pol = WOT_TRUST_POLICY_INIT;
	wot_signer s[] = {
	    {ALICE, WOT_VALIDITY_ULTIMATE, WOT_OWNERTRUST_ULTIMATE, 0, 0},
	    {MALLORY, WOT_VALIDITY_FULL, WOT_OWNERTRUST_FULL, 1, 0},
	};
	wot_claim c[] = {
	    claim("co.uk.", ALICE, 0, WOT_VALIDITY_ULTIMATE),
	    claim("bank.co.uk.", MALLORY, 1, WOT_VALIDITY_FULL),
	};
	wot_accept_opts opts = WOT_ACCEPT_OPTS_INIT;

	(void)state;
	pol.shadow = WOT_SHADOW_VALID;
	c[0].reserved = "reserved name: a public suffix";
	opts.policy = &pol;
	opts.signers = s;
	opts.nsigners = 2;
	opts.reserved = reserved_co_uk;
	assert_int_equal(wot_owners_new(&o), 0);
	/* Alice held co.uk. before the rule existed. */
	assert_int_equal(wot_owners_set(o, "co.uk.", ALICE, 1), 0);
	assert_int_equal(wot_trust_accept(c, 2, o, &opts), 0);
	assert_false(c[0].accepted);
	assert_string_equal(c[0].reason, "reserved name: a public suffix");
	assert_non_null(strstr(c[0].explain, "whatever the policy"));
	assert_true(c[1].accepted);
	assert_null(c[1].winner);
	wot_owners_free(o);
}

/* A name of one label holds only itself: the key holding "wot." does not
 * take the names under it that other keys claim, before or after. */
static void trust_claims_one_label_holds_itself(void **state)
{
	wot_owners *o = NULL;
	wot_claim c[] = {
	    claim("wot.", ALICE, 1, WOT_VALIDITY_FULL),
	    claim("bob.wot.", MALLORY, 1, WOT_VALIDITY_FULL),
	    claim("wot.", MALLORY, 1, WOT_VALIDITY_FULL),
	    claim("www.bob.wot.", ALICE, 1, WOT_VALIDITY_FULL),
	};

	(void)state;
	assert_int_equal(wot_owners_new(&o), 0);
	assert_int_equal(wot_owners_set(o, "wot.", ALICE, 1), 0);
	assert_int_equal(decide(c, 4, o, NULL, 0, NULL, NULL), 0);
	assert_true(c[0].accepted);
	assert_false(c[2].accepted); /* the one-label name itself: Alice's */
	assert_string_equal(c[2].winner, ALICE);
	assert_true(c[1].accepted);
	/* Two labels and more hold their subtree as before. */
	assert_false(c[3].accepted);
	assert_string_equal(c[3].winner, MALLORY);
	wot_owners_free(o);
}

static void trust_claims_same_key_two_sources(void **state)
{
	wot_owners *o = NULL;
	wot_claim c[] = {
	    claim("alice.wot.", ALICE, 1, WOT_VALIDITY_FULL),
	    claim("alice.wot.", ALICE, 1, WOT_VALIDITY_FULL),
	};

	(void)state;
	c[1].source = "mirror";
	assert_int_equal(wot_owners_new(&o), 0);
	assert_int_equal(decide(c, 2, o, NULL, 0, NULL, NULL), 0);
	assert_true(c[0].accepted);
	assert_true(c[1].accepted);
	wot_owners_free(o);
}

static void trust_claims_transfer(void **state)
{
	wot_owners *o = NULL;
	wot_grant g[] = {
	    {"alice.wot.", ALICE, MALLORY, WOT_GRANT_TRANSFER},
	    /* not the holder: ignored */
	    {"carol.wot.", MALLORY, MALLORY, WOT_GRANT_TRANSFER},
	};
	wot_claim c[] = {
	    claim("alice.wot.", ALICE, 1, WOT_VALIDITY_FULL),
	    claim("alice.wot.", MALLORY, 1, WOT_VALIDITY_FULL),
	    claim("carol.wot.", MALLORY, 1, WOT_VALIDITY_FULL),
	    claim("carol.wot.", CAROL, 2, WOT_VALIDITY_FULL),
	};

	(void)state;
	assert_int_equal(wot_owners_new(&o), 0);
	assert_int_equal(wot_owners_set(o, "alice.wot.", ALICE, 5), 0);
	assert_int_equal(wot_owners_set(o, "carol.wot.", CAROL, 5), 0);
	assert_int_equal(decide(c, 4, o, g, 2, NULL, NULL), 0);
	assert_true(c[1].accepted);
	assert_false(c[0].accepted);
	assert_string_equal(c[0].winner, MALLORY);
	/* recorded for good: the grant need not stay published */
	assert_string_equal(wot_owners_get(o, "alice.wot."), MALLORY);
	assert_int_equal(decide(c, 4, o, NULL, 0, NULL, NULL), 0);
	assert_true(c[1].accepted);
	assert_false(c[0].accepted);
	assert_true(c[3].accepted);
	assert_false(c[2].accepted);
	wot_owners_free(o);
}

static void trust_claims_delegation(void **state)
{
	wot_owners *o = NULL;
	wot_grant g[] = {
	    {"lab.alice.wot.", ALICE, MALLORY, WOT_GRANT_DELEGATE},
	};
	wot_claim c[] = {
	    claim("lab.alice.wot.", MALLORY, 1, WOT_VALIDITY_FULL),
	    claim("pc.lab.alice.wot.", MALLORY, 1, WOT_VALIDITY_FULL),
	    claim("www.alice.wot.", MALLORY, 1, WOT_VALIDITY_FULL),
	    claim("alice.wot.", ALICE, 1, WOT_VALIDITY_FULL),
	};

	(void)state;
	assert_int_equal(wot_owners_new(&o), 0);
	assert_int_equal(wot_owners_set(o, "alice.wot.", ALICE, 5), 0);
	assert_int_equal(decide(c, 4, o, g, 1, NULL, NULL), 0);
	assert_true(c[0].accepted);
	assert_true(c[1].accepted);
	assert_false(c[2].accepted); /* outside the delegated subtree */
	assert_true(c[3].accepted);
	/* a delegation lasts only while it is published */
	assert_null(wot_owners_get(o, "lab.alice.wot."));
	assert_int_equal(decide(c, 4, o, NULL, 0, NULL, NULL), 0);
	assert_false(c[0].accepted);
	assert_false(c[1].accepted);
	wot_owners_free(o);
}

static void trust_claims_dead_holder(void **state)
{
	wot_owners *o = NULL;
	wot_claim c[] = {
	    claim("alice.wot.", ALICE, 1, WOT_VALIDITY_FULL),
	    claim("alice.wot.", MALLORY, 1, WOT_VALIDITY_FULL),
	};

	(void)state;
	assert_int_equal(wot_owners_new(&o), 0);
	assert_int_equal(wot_owners_set(o, "alice.wot.", ALICE, 5), 0);
	/* alice's key is revoked: gpg shows it invalid, and she holds
	 * nothing any more; mallory is the only valid claim */
	c[0].validity = WOT_VALIDITY_NEVER;
	assert_int_equal(decide(c, 2, o, NULL, 0, NULL, ALICE), 0);
	assert_true(c[1].accepted);
	assert_non_null(strstr(c[1].explain, "revoked or expired"));
	assert_string_equal(wot_owners_get(o, "alice.wot."), MALLORY);
	wot_owners_free(o);
}

static void trust_claims_dead_holder_needs_margin(void **state)
{
	wot_owners *o = NULL;
	wot_claim c[] = {
	    claim("alice.wot.", CAROL, 1, WOT_VALIDITY_FULL),
	    claim("alice.wot.", MALLORY, 1, WOT_VALIDITY_FULL),
	};

	(void)state;
	assert_int_equal(wot_owners_new(&o), 0);
	assert_int_equal(wot_owners_set(o, "alice.wot.", ALICE, 5), 0);
	assert_int_equal(decide(c, 2, o, NULL, 0, NULL, ALICE), 0);
	assert_false(c[0].accepted);
	assert_false(c[1].accepted);
	assert_string_equal(wot_owners_get(o, "alice.wot."), ALICE);
	wot_owners_free(o);
}

static void trust_claims_shadow_policy(void **state)
{
	wot_trust_policy pol = WOT_TRUST_POLICY_INIT;
	wot_owners *o = NULL;
	wot_claim c[] = {
	    claim("bank.com.", MALLORY, 1, WOT_VALIDITY_FULL), /* friend */
	    claim("shop.com.", CAROL, 2, WOT_VALIDITY_FULL),   /* level 2 */
	    claim("me.com.", "DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD", 0,
		  WOT_VALIDITY_ULTIMATE),
	    claim("carol.wot.", CAROL, 2, WOT_VALIDITY_FULL),
	};

	(void)state;
	for (int i = 0; i < 3; i++)
		c[i].shadows = 1;
	assert_int_equal(wot_owners_new(&o), 0);
	assert_int_equal(decide(c, 4, o, NULL, 0, &pol, NULL), 0);
	assert_true(c[0].accepted);
	assert_false(c[1].accepted);
	assert_non_null(strstr(c[1].reason, "shadow"));
	assert_true(c[2].accepted);
	assert_true(c[3].accepted); /* not a normal-DNS TLD */
	wot_owners_free(o);

	pol.shadow = WOT_SHADOW_NOBODY;
	assert_int_equal(wot_owners_new(&o), 0);
	assert_int_equal(decide(c, 4, o, NULL, 0, &pol, NULL), 0);
	assert_false(c[0].accepted);
	assert_true(c[2].accepted);
	wot_owners_free(o);

	pol.shadow = WOT_SHADOW_VALID;
	assert_int_equal(wot_owners_new(&o), 0);
	assert_int_equal(decide(c, 4, o, NULL, 0, &pol, NULL), 0);
	assert_true(c[1].accepted);
	wot_owners_free(o);
}

static void trust_weights(void **state)
{
	wot_trust_policy p = WOT_TRUST_POLICY_INIT;

	(void)state;
	assert_true(wot_trust_weight(&p, WOT_VALIDITY_ULTIMATE, 0) == 1.0);
	assert_true(wot_trust_weight(&p, WOT_VALIDITY_FULL, 1) == 0.9);
	assert_true(wot_trust_weight(&p, WOT_VALIDITY_FULL, 3) == 0.45);
	assert_true(wot_trust_weight(&p, WOT_VALIDITY_MARGINAL, 1) == 0.4);
	assert_true(wot_trust_weight(&p, WOT_VALIDITY_NEVER, 1) == 0.0);
	assert_true(wot_trust_weight(&p, WOT_VALIDITY_UNKNOWN, 1) == 0.0);
	assert_true(wot_trust_weight(&p, WOT_VALIDITY_FULL, 2) <
		    wot_trust_weight(&p, WOT_VALIDITY_FULL, 1));
}

static void trust_grant_parse(void **state)
{
	char to[WOT_FPR_MAX];
	wot_grant_kind k;

	(void)state;
	assert_int_equal(wot_grant_parse("v=wotdns1; transfer=" ALICE, &k, to),
			 0);
	assert_int_equal(k, WOT_GRANT_TRANSFER);
	assert_string_equal(to, ALICE);
	assert_int_equal(
	    wot_grant_parse(" v=wotdns1 ;delegate=cccccccccccccccccccc"
			    "cccccccccccccccccccc ",
			    &k, to),
	    0);
	assert_int_equal(k, WOT_GRANT_DELEGATE);
	assert_string_equal(to, CAROL);
	assert_int_equal(wot_grant_parse("transfer=" ALICE, &k, to),
			 WOT_EINVAL);
	assert_int_equal(wot_grant_parse("v=wotdns1; transfer=ABC", &k, to),
			 WOT_EINVAL);
	assert_int_equal(wot_grant_parse("v=spf1 -all", &k, to), WOT_EINVAL);
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
	    cmocka_unit_test(trust_claims_heavier_wins_by_margin),
	    cmocka_unit_test(trust_claims_no_clear_winner),
	    cmocka_unit_test(trust_claims_history_beats_weight),
	    cmocka_unit_test(trust_claims_subtree_owned),
	    cmocka_unit_test(trust_claims_same_key_two_sources),
	    cmocka_unit_test(trust_claims_transfer),
	    cmocka_unit_test(trust_claims_delegation),
	    cmocka_unit_test(trust_claims_dead_holder),
	    cmocka_unit_test(trust_claims_dead_holder_needs_margin),
	    cmocka_unit_test(trust_claims_shadow_policy),
	    cmocka_unit_test(trust_claims_reserved),
	    cmocka_unit_test(trust_claims_one_label_holds_itself),
	    cmocka_unit_test(trust_weights),
	    cmocka_unit_test(trust_grant_parse),
	    cmocka_unit_test(trust_ownertrust_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_dns_book.c - the opinion book loaded shard by shard
 * (src/dns/opinion_book.c): lookups and provenance, a reload that keeps
 * the parts of unchanged shards and parses only the changed ones, the
 * changes the opinion daemon asks about, and withdrawn marks that stay in
 * their own book although its parts are shared.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dns/peer/opinion.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FPR "0F1E2D3C4B5A69788796A5B4C3D2E1F00A1B2C3D"
#define C1 "8963e61bdb16aa2342c544066cc425c9d2a2c5f1"
#define HASH_1 "1111111111111111111111111111111111111111"
#define HASH_2 "2222222222222222222222222222222222222222"

typedef struct {
	char dir[64];
	wot_home *h;
} fixture;

static void put(fixture *f, const char *rel, const char *text)
{
	char *path = wot_path_join(f->dir, rel);

	assert_non_null(path);
	assert_int_equal(wot_file_write_atomic(path, text, strlen(text)), 0);
	free(path);
}

/* Shard files of name's shard at filegen: one A record per name/address
 * pair, each claimed by source src. */
static void put_shard(fixture *f, const char *name, unsigned gen,
		      const char *src, const char *const *recs, size_t n)
{
	char id[WOT_SHARD_ID_MAX], rel[128];
	wot_buf z = WOT_BUF_INIT, j = WOT_BUF_INIT;

	wot_shard_id(wot_shard_of_name(name), id);
	assert_int_equal(wot_buf_printf(&j, "{\"version\": 2, \"claims\": ["),
			 0);
	for (size_t i = 0; i < n; i += 2) {
		assert_int_equal(wot_buf_printf(&z, "%s 3600 IN A %s\n",
						recs[i], recs[i + 1]),
				 0);
		assert_int_equal(
		    wot_buf_printf(&j,
				   "%s{\"name\": \"%s\", \"source\": \"%s\", "
				   "\"signer\": \"" FPR "\", \"commit\": "
				   "\"" C1 "\"}",
				   i ? ", " : "", recs[i], src),
		    0);
	}
	assert_int_equal(wot_buf_printf(&j, "]}"), 0);
	snprintf(rel, sizeof(rel), "state/accepted/%s-%u.zone", id, gen);
	put(f, rel, z.ptr);
	snprintf(rel, sizeof(rel), "state/accepted/%s-%u.json", id, gen);
	put(f, rel, j.ptr);
	wot_buf_dispose(&z);
	wot_buf_dispose(&j);
}

/* A manifest of generation gen naming shards of names[i] at gens[i]
 * with hashes[i] (names in shard order). */
static void put_manifest(fixture *f, unsigned gen, const char *const *names,
			 const unsigned *gens, const char *const *hashes,
			 size_t n)
{
	wot_buf b = WOT_BUF_INIT;

	assert_int_equal(wot_buf_printf(&b,
					"wotdns accepted 3\ngen %u\n"
					"generated 1700000000\ninputs 0\n"
					"until 0\ntotals 0 0 0 0 0 0\n",
					gen),
			 0);
	for (size_t i = 0; i < n; i++) {
		char id[WOT_SHARD_ID_MAX];
		wot_shard_id(wot_shard_of_name(names[i]), id);
		assert_int_equal(wot_buf_printf(&b,
						"shard %s %u %s 1 1 1 0 0 -\n",
						id, gens[i], hashes[i]),
				 0);
	}
	put(f, "state/accepted/manifest", b.ptr);
	wot_buf_dispose(&b);
}

static const char *const alice1[] = {"alice.wot.", "192.0.2.1",
				     "www.alice.wot.", "192.0.2.2"};
static const char *const alice2[] = {"alice.wot.", "192.0.2.9",
				     "www.alice.wot.", "192.0.2.2"};
static const char *const bob1[] = {"bob.wot.", "192.0.2.3"};

/* Shards in manifest order: alice's and bob's, whichever comes first. */
static int alice_first(void)
{
	return wot_shard_of_name("alice.wot.") < wot_shard_of_name("bob.wot.");
}

/* Generation gen: alice's shard at agen (its records a), bob's at 1. */
static void put_gen(fixture *f, unsigned gen, unsigned agen, const char *ahash)
{
	const char *names[2] = {"alice.wot.", "bob.wot."};
	const char *hashes[2] = {ahash, HASH_1};
	unsigned gens[2] = {agen, 1};

	if (!alice_first()) {
		names[0] = "bob.wot.", names[1] = "alice.wot.";
		hashes[0] = HASH_1, hashes[1] = ahash;
		gens[0] = 1, gens[1] = agen;
	}
	put_manifest(f, gen, names, gens, hashes, 2);
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	char *acc;

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/wot-book-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	put(f, "config", "[identity]\nkey = " FPR "\n");
	acc = wot_path_join(f->dir, "state");
	assert_int_equal(mkdir(acc, 0700), 0);
	free(acc);
	acc = wot_path_join(f->dir, "state/accepted");
	assert_int_equal(mkdir(acc, 0700), 0);
	free(acc);
	assert_int_equal(wot_home_open(&f->h, f->dir), 0);
	/* the test needs two shards; the hash decides, not us */
	assert_int_not_equal(wot_shard_of_name("alice.wot."),
			     wot_shard_of_name("bob.wot."));
	assert_int_equal(wot_shard_of_name("www.alice.wot."),
			 wot_shard_of_name("alice.wot."));
	put_shard(f, "alice.wot.", 1, "sa", alice1, 4);
	put_shard(f, "bob.wot.", 1, "sb", bob1, 2);
	put_gen(f, 1, 1, HASH_1);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	char cmd[128];

	wot_home_free(f->h);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void collect(void *ctx, const wot_opinion_rrset *s)
{
	wot_buf *b = ctx;

	assert_int_equal(wot_buf_printf(b, "%s ", s->name), 0);
}

/* The names fn is called with by wot_opinion_book_changes (caller frees). */
static char *changes(const wot_opinion_book *nb, const wot_opinion_book *ob)
{
	wot_buf b = WOT_BUF_INIT;

	assert_int_equal(wot_buf_printf(&b, "%s", ""), 0);
	wot_opinion_book_changes(nb, ob, collect, &b);
	return b.ptr;
}

static void book_load_lookup(void **state)
{
	fixture *f = *state;
	wot_opinion_book *b = NULL;
	const wot_opinion_rrset *s;

	assert_int_equal(wot_opinion_book_load(&b, f->h), 0);
	assert_int_equal(wot_opinion_book_count(b), 3);
	/* any case, absolute or not, found in its shard */
	s = wot_opinion_book_get(b, "WWW.Alice.wot", LDNS_RR_TYPE_A);
	assert_non_null(s);
	assert_string_equal(s->name, "www.alice.wot.");
	assert_string_equal(s->digest, "192.0.2.2\n");
	assert_string_equal(s->source, "sa");
	assert_string_equal(s->fpr, FPR);
	assert_string_equal(s->commit, C1);
	s = wot_opinion_book_get(b, "bob.wot.", LDNS_RR_TYPE_A);
	assert_non_null(s);
	assert_string_equal(s->source, "sb");
	assert_null(wot_opinion_book_get(b, "bob.wot.", LDNS_RR_TYPE_AAAA));
	assert_null(wot_opinion_book_get(b, "carol.wot.", LDNS_RR_TYPE_A));
	/* every entry once, each found again by its name */
	for (size_t i = 0; i < wot_opinion_book_count(b); i++) {
		s = wot_opinion_book_at(b, i);
		assert_ptr_equal(wot_opinion_book_get(b, s->name, s->type), s);
	}
	assert_null(wot_opinion_book_at(b, 3));
	wot_opinion_book_free(b);
}

static void book_reload_keeps_unchanged(void **state)
{
	fixture *f = *state;
	wot_opinion_book *b1 = NULL, *b2 = NULL;
	const wot_opinion_rrset *bob, *alice;
	char *ch;

	assert_int_equal(wot_opinion_book_load(&b1, f->h), 0);
	bob = wot_opinion_book_get(b1, "bob.wot.", LDNS_RR_TYPE_A);
	alice = wot_opinion_book_get(b1, "alice.wot.", LDNS_RR_TYPE_A);
	/* Alice's source changed: her shard is written at gen 2. Bob's
	 * files are garbled behind the manifest's back: a reload that
	 * read them again would fail. */
	put_shard(f, "alice.wot.", 2, "sa", alice2, 4);
	put_gen(f, 2, 2, HASH_2);
	{
		char id[WOT_SHARD_ID_MAX], rel[64];
		wot_shard_id(wot_shard_of_name("bob.wot."), id);
		snprintf(rel, sizeof(rel), "state/accepted/%s-1.zone", id);
		put(f, rel, "bob.wot. 3600 IN A not-an-address\n");
	}
	assert_int_equal(wot_opinion_book_reload(&b2, f->h, b1), 0);
	assert_int_equal(wot_opinion_book_count(b2), 3);
	/* bob's RRset is the same object; alice's is new */
	assert_ptr_equal(wot_opinion_book_get(b2, "bob.wot.", LDNS_RR_TYPE_A),
			 bob);
	assert_ptr_not_equal(
	    wot_opinion_book_get(b2, "alice.wot.", LDNS_RR_TYPE_A), alice);
	assert_string_equal(
	    wot_opinion_book_get(b2, "alice.wot.", LDNS_RR_TYPE_A)->digest,
	    "192.0.2.9\n");
	/* only the changed shard's RRsets are looked at */
	ch = changes(b2, b1);
	assert_string_equal(ch, "alice.wot. www.alice.wot. ");
	free(ch);
	ch = changes(b2, NULL);
	assert_int_equal(strlen(ch), strlen("alice.wot. www.alice.wot. "
					    "bob.wot. "));
	free(ch);
	/* the old book goes first: the shared part lives on in b2 */
	wot_opinion_book_free(b1);
	assert_string_equal(
	    wot_opinion_book_get(b2, "bob.wot.", LDNS_RR_TYPE_A)->digest,
	    "192.0.2.3\n");
	/* a full load does read bob's garbled file, with file:line */
	assert_int_equal(wot_opinion_book_load(&b1, f->h), WOT_ESYNTAX);
	assert_non_null(strstr(wot_error_last(), "-1.zone:"));
	assert_null(b1);
	wot_opinion_book_free(b2);
}

static void book_reload_drops_and_fails(void **state)
{
	fixture *f = *state;
	wot_opinion_book *b1 = NULL, *b2 = NULL;
	const char *names[] = {"alice.wot."};
	const unsigned gens[] = {3};
	const char *hashes[] = {HASH_2};
	char id[WOT_SHARD_ID_MAX], rel[64];

	assert_int_equal(wot_opinion_book_load(&b1, f->h), 0);
	/* bob's shard is empty now; alice's changed file does not parse */
	wot_shard_id(wot_shard_of_name("alice.wot."), id);
	snprintf(rel, sizeof(rel), "state/accepted/%s-3.zone", id);
	put(f, rel, "alice.wot. 3600 IN A 192.0.2.1\nalice.wot. IN A x\n");
	snprintf(rel, sizeof(rel), "state/accepted/%s-3.json", id);
	put(f, rel, "{\"claims\": []}");
	put_manifest(f, 3, names, gens, hashes, 1);
	assert_int_equal(wot_opinion_book_reload(&b2, f->h, b1), WOT_ESYNTAX);
	assert_null(b2);
	/* (ldns counts the line after the bad record) */
	assert_non_null(strstr(wot_error_last(), "-3.zone:"));
	assert_non_null(strstr(wot_error_last(), "rdata"));
	/* the previous book is untouched */
	assert_int_equal(wot_opinion_book_count(b1), 3);
	assert_non_null(wot_opinion_book_get(b1, "bob.wot.", LDNS_RR_TYPE_A));
	snprintf(rel, sizeof(rel), "state/accepted/%s-3.zone", id);
	put(f, rel, "alice.wot. 3600 IN A 192.0.2.1\n");
	assert_int_equal(wot_opinion_book_reload(&b2, f->h, b1), 0);
	assert_int_equal(wot_opinion_book_count(b2), 1);
	assert_null(wot_opinion_book_get(b2, "bob.wot.", LDNS_RR_TYPE_A));
	/* claims without provenance: the record still answers */
	assert_null(
	    wot_opinion_book_get(b2, "alice.wot.", LDNS_RR_TYPE_A)->source);
	wot_opinion_book_free(b2);
	wot_opinion_book_free(b1);
}

static void book_withdrawn_marks_own_book(void **state)
{
	fixture *f = *state;
	wot_opinion_book *b1 = NULL, *b2 = NULL, *b3 = NULL;
	const wot_opinion_rrset *bob;
	char *ch;

	assert_int_equal(wot_opinion_book_load(&b1, f->h), 0);
	assert_int_equal(wot_opinion_book_reload(&b2, f->h, b1), 0);
	bob = wot_opinion_book_get(b2, "bob.wot.", LDNS_RR_TYPE_A);
	assert_ptr_equal(bob,
			 wot_opinion_book_get(b1, "bob.wot.", LDNS_RR_TYPE_A));
	assert_int_equal(
	    wot_opinion_book_withdraw(b2, "Bob.wot", LDNS_RR_TYPE_A), 0);
	/* marked in b2 only, though both hold the same RRset */
	assert_int_equal(wot_opinion_book_withdrawn(b2, bob), 1);
	assert_int_equal(wot_opinion_book_withdrawn(b1, bob), 0);
	assert_int_equal(
	    wot_opinion_book_withdrawn(
		b2, wot_opinion_book_get(b2, "alice.wot.", LDNS_RR_TYPE_A)),
	    0);
	/* nothing changed between b1 and b2 */
	ch = changes(b2, b1);
	assert_string_equal(ch, "");
	free(ch);
	/* served again in b3: bob is a change although his shard is not */
	assert_int_equal(wot_opinion_book_reload(&b3, f->h, b2), 0);
	assert_int_equal(wot_opinion_book_withdrawn(b3, bob), 0);
	ch = changes(b3, b2);
	assert_string_equal(ch, "bob.wot. ");
	free(ch);
	wot_opinion_book_free(b1);
	wot_opinion_book_free(b2);
	wot_opinion_book_free(b3);
}

static void book_empty_home(void **state)
{
	fixture *f = *state;
	wot_opinion_book *b = NULL;
	char *path = wot_path_join(f->dir, "state/accepted/manifest");

	assert_int_equal(unlink(path), 0);
	free(path);
	assert_int_equal(wot_opinion_book_load(&b, f->h), 0);
	assert_int_equal(wot_opinion_book_count(b), 0);
	assert_null(wot_opinion_book_at(b, 0));
	assert_null(wot_opinion_book_get(b, "bob.wot.", LDNS_RR_TYPE_A));
	wot_opinion_book_free(b);
	assert_int_equal(wot_opinion_book_empty(&b), 0);
	assert_int_equal(wot_opinion_book_count(b), 0);
	wot_opinion_book_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(book_load_lookup, setup, teardown),
	    cmocka_unit_test_setup_teardown(book_reload_keeps_unchanged, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(book_reload_drops_and_fails, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(book_withdrawn_marks_own_book,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(book_empty_home, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_sources.c - sources.conf (mirrors, discovered, via) and the
 * ignore list of unfollowed sources. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync/sync.h"
#include "sync/source/source.h"
#include "util/util.h"

#define FPR_A "ED7E2CEE70A0E8B8200BBE0D0CDAF9DF1E081C20"
#define FPR_B "523F92BE9434B6BE2FE0BF8D72E8E25650A487B0"

static int setup(void **state)
{
	char tmpl[] = "/tmp/wot-sources.XXXXXX", *dir, *cfg;
	wot_home *h = NULL;

	assert_non_null(dir = mkdtemp(tmpl));
	cfg = wot_path_join(dir, "config");
	assert_int_equal(
	    wot_file_write_atomic(cfg, "[identity]\nkey = " FPR_A "\n",
				  strlen("[identity]\nkey = " FPR_A "\n")),
	    0);
	free(cfg);
	assert_int_equal(wot_home_open(&h, dir), 0);
	*state = h;
	return 0;
}

static int teardown(void **state)
{
	wot_home *h = *state;

	wot_rmtree(wot_home_dir(h));
	wot_home_free(h);
	return 0;
}

static void write_sources(wot_home *h, const char *text)
{
	char *p = wot_home_path(h, "sources.conf");

	assert_int_equal(wot_file_write_atomic(p, text, strlen(text)), 0);
	free(p);
}

static void sources_roundtrip_mirrors_discovered(void **state)
{
	wot_home *h = *state;
	wot_source *s = NULL, *s2 = NULL;
	size_t n = 0, n2 = 0;

	write_sources(h, "[bob]\nurl = /b.git\nmirror = git://x/b.git\n"
			 "mirror = https://y/b.git\nkey = " FPR_B "\n"
			 "[carol]\nurl = /c.git\nkey = " FPR_A "\n"
			 "discovered = yes\nvia = bob\n");
	assert_int_equal(wot_sources_load(h, &s, &n), 0);
	assert_int_equal(n, 3); /* self first */
	assert_string_equal(s[1].name, "bob");
	assert_string_equal(s[1].mirrors[0], "git://x/b.git");
	assert_string_equal(s[1].mirrors[1], "https://y/b.git");
	assert_null(s[1].mirrors[2]);
	assert_int_equal(s[1].discovered, 0);
	assert_int_equal(s[2].discovered, 1);
	assert_string_equal(s[2].via, "bob");
	assert_null(s[2].mirrors);
	/* saved and read back: nothing lost */
	assert_int_equal(wot_sources_save(h, s, n), 0);
	assert_int_equal(wot_sources_load(h, &s2, &n2), 0);
	assert_int_equal(n2, 3);
	assert_string_equal(s2[1].mirrors[1], "https://y/b.git");
	assert_string_equal(s2[1].key, FPR_B);
	assert_int_equal(s2[2].discovered, 1);
	assert_string_equal(s2[2].via, "bob");
	wot_sources_free(s, n);
	wot_sources_free(s2, n2);
}

static void sources_bad_keys_named(void **state)
{
	wot_home *h = *state;
	wot_source *s = NULL;
	size_t n = 0;

	write_sources(h, "[bob]\nurl = /b.git\ndiscovered = maybe\n");
	assert_int_equal(wot_sources_load(h, &s, &n), WOT_ESYNTAX);
	assert_non_null(strstr(wot_error_last(), "sources.conf:3:"));
	write_sources(h, "[bob]\nurl = /b.git\nvia = ../x\n");
	assert_int_equal(wot_sources_load(h, &s, &n), WOT_ESYNTAX);
	assert_non_null(strstr(wot_error_last(), "sources.conf:3:"));
	assert_null(s);
}

/* A line longer than libinih reads whole is refused with its line, not
 * split into two (tests/fuzz/fuzz_config found the split); a URL that
 * would make such a line is not written. */
static void sources_long_line_named(void **state)
{
	wot_home *h = *state;
	wot_source *s = NULL, bob;
	char text[400], url[260];
	size_t n = 0;

	memset(url, 'a', sizeof(url));
	url[200] = '\0';
	snprintf(text, sizeof(text), "[bob]\nkey = " FPR_B "\nurl = /%s\n",
		 url);
	write_sources(h, text);
	assert_int_equal(wot_sources_load(h, &s, &n), WOT_ESYNTAX);
	assert_non_null(
	    strstr(wot_error_last(), "sources.conf:3: line longer"));
	assert_null(s);
	memset(&bob, 0, sizeof(bob));
	snprintf(bob.name, sizeof(bob.name), "bob");
	snprintf(bob.key, sizeof(bob.key), FPR_B);
	bob.url = url;
	assert_int_equal(wot_sources_save(h, &bob, 1), WOT_ELIMIT);
}

static void sources_ignored_match_and_clear(void **state)
{
	wot_home *h = *state;
	char *p = wot_home_path(h, "ignored"), *text = NULL;
	char *mirrors[] = {"git://m/c.git", NULL};
	char *urls[] = {"/other", "git://m/c.git", NULL};
	char *none[] = {"/other", NULL};
	wot_source c;
	const char list[] = "# carol\nkey " FPR_B "\nurl /c.git\n"
			    "url git://m/c.git\n# dave\nurl /d.git\n";

	assert_int_equal(wot_ignored_load(h, &text), 0);
	assert_string_equal(text, ""); /* no file: nothing ignored */
	free(text);
	assert_int_equal(wot_file_write_atomic(p, list, strlen(list)), 0);
	assert_int_equal(wot_ignored_load(h, &text), 0);
	assert_true(wot_ignored_match(text, FPR_B, NULL));
	assert_true(wot_ignored_match(text, FPR_A, urls));
	assert_false(wot_ignored_match(text, FPR_A, none));
	/* a prefix of an ignored URL is not that URL */
	char *prefix[] = {"/c.gi", NULL};
	assert_false(wot_ignored_match(text, NULL, prefix));
	free(text);
	/* following carol again forgets her key and URLs, not dave */
	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "carol");
	snprintf(c.key, sizeof(c.key), FPR_B);
	c.url = "/c.git";
	c.mirrors = mirrors;
	assert_int_equal(wot_ignored_clear(h, &c), 0);
	assert_int_equal(wot_ignored_load(h, &text), 0);
	assert_false(wot_ignored_match(text, FPR_B, urls));
	assert_true(wot_ignored_match(text, NULL, (char *[]){"/d.git", NULL}));
	free(text);
	free(p);
}

/* The one table of state files: every entry inside HOME/state, per-source
 * files only in the per-source folders, anything else refused. */
static void sources_state_paths(void **state)
{
	wot_home *h = *state;
	char *p, *want;

	for (int f = 0; f < WOT_STATE_COUNT; f++) {
		const char *rel = wot_state_rel((wot_state_file)f);
		assert_non_null(rel);
		assert_true(!strcmp(rel, "state") ||
			    !strncmp(rel, "state/", 6));
		assert_non_null(p = wot_state_path(h, (wot_state_file)f));
		want = wot_home_path(h, rel);
		assert_string_equal(p, want);
		free(want);
		free(p);
	}
	assert_string_equal(wot_state_rel(WOT_STATE_MANIFEST),
			    "state/accepted/manifest");
	assert_null(wot_state_rel(WOT_STATE_COUNT));
	assert_null(wot_state_path(h, WOT_STATE_COUNT));
	assert_non_null(
	    p = wot_state_source_path(h, WOT_STATE_EVIDENCE, "alice"));
	want = wot_home_path(h, "state/evidence/alice.json");
	assert_string_equal(p, want);
	free(want);
	free(p);
	assert_non_null(p = wot_state_source_path(h, WOT_STATE_RRCACHE, "b"));
	want = wot_home_path(h, "state/cache/b.rr");
	assert_string_equal(p, want);
	free(want);
	free(p);
	assert_null(wot_state_source_path(h, WOT_STATE_MANIFEST, "alice"));
	assert_non_null(strstr(wot_error_last(), "per-source"));
	wot_error_clear();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(
		sources_roundtrip_mirrors_discovered, setup, teardown),
	    cmocka_unit_test_setup_teardown(sources_bad_keys_named, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(sources_long_line_named, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(sources_ignored_match_and_clear,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(sources_state_paths, setup,
					    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

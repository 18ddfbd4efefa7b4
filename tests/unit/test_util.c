/* test_util.c - errors, map, files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/util.h"

static void util_error_last(void **state)
{
	(void)state;
	wot_error_clear();
	assert_string_equal(wot_error_last(), "no error");
	assert_int_equal(wot_error_set(WOT_EINVAL, "bad %d", 7), WOT_EINVAL);
	assert_string_equal(wot_error_last(), "bad 7");
	assert_int_equal(wot_error_wrap(WOT_EIO, "file.txt"), WOT_EIO);
	assert_string_equal(wot_error_last(), "file.txt: bad 7");
	assert_int_equal(wot_error_last_code(), WOT_EIO);
	assert_string_equal(wot_errname(WOT_ESYNTAX), "ESYNTAX");
	assert_string_equal(wot_strerror(WOT_ENOENT), "not found");
}

static void util_map_grows(void **state)
{
	wot_map *m = NULL;
	char key[32];
	const char *k;
	void *v;
	size_t pos = 0, seen = 0;

	(void)state;
	assert_int_equal(wot_map_new(&m), 0);
	for (uintptr_t i = 1; i <= 5000; i++) {
		snprintf(key, sizeof(key), "name%lu.wot.", (unsigned long)i);
		assert_int_equal(wot_map_put(m, key, (void *)i, NULL), 0);
	}
	assert_int_equal(wot_map_count(m), 5000);
	assert_ptr_equal(wot_map_get(m, "name4321.wot."), (void *)4321);
	assert_null(wot_map_get(m, "name0.wot."));
	assert_int_equal(wot_map_put(m, "name1.wot.", (void *)9, &v), 0);
	assert_ptr_equal(v, (void *)1);
	assert_int_equal(wot_map_count(m), 5000);
	while (wot_map_next(m, &pos, &k, &v))
		seen++;
	assert_int_equal(seen, 5000);
	wot_map_free(m, NULL);
}

static void util_file_atomic_and_nofollow(void **state)
{
	char dir[] = "/tmp/wot-util-XXXXXX", *text = NULL;
	char *f, *link_, *sub;
	size_t len = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	f = wot_path_join(dir, "a.txt");
	link_ = wot_path_join(dir, "link");
	sub = wot_path_join(dir, "x/y/z");
	assert_int_equal(wot_file_write_atomic(f, "hello", 5), 0);
	assert_int_equal(wot_file_write_atomic(f, "world!", 6), 0);
	assert_int_equal(wot_file_read(f, 100, &text, &len), 0);
	assert_string_equal(text, "world!");
	assert_int_equal(len, 6);
	free(text);
	assert_int_equal(wot_file_read(f, 3, &text, &len), WOT_ELIMIT);
	/* symlinks are never followed */
	assert_int_equal(symlink(f, link_), 0);
	assert_true(wot_file_read(link_, 100, &text, &len) < 0);
	assert_int_equal(wot_file_write_atomic(link_, "x", 1), 0);
	assert_int_equal(wot_file_read(f, 100, &text, &len), 0);
	assert_string_equal(text, "world!");
	free(text);
	assert_int_equal(wot_mkdir_p(sub, 0700), 0);
	assert_int_equal(wot_mkdir_p(sub, 0700), 0);
	assert_int_equal(wot_file_read("/nonexistent/x", 10, &text, &len),
			 WOT_ENOENT);
	assert_int_equal(wot_rmtree(dir), 0);
	assert_false(wot_path_exists(dir));
	free(f);
	free(link_);
	free(sub);
}

static void util_fpr(void **state)
{
	char s[] = "7c78 91d5 887a ffd6 759f  ecbc 68e5 b088 4212 bc44";

	(void)state;
	wot_fpr_normalise(s);
	assert_string_equal(s, "7C7891D5887AFFD6759FECBC68E5B0884212BC44");
	assert_true(wot_fpr_valid(s));
	assert_false(wot_fpr_valid("7C7891D5"));
	assert_false(wot_fpr_valid("ZC7891D5887AFFD6759FECBC68E5B0884212BC44"));
	assert_false(wot_fpr_valid(NULL));
}

/* Hostile bytes in a JSON string literal: escaped, or '?' when not UTF-8. */
static void util_json_str(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"plain.wot.", "\"plain.wot.\""},
	    {"q\"b\\", "\"q\\\"b\\\\\""},
	    {"nl\n\x01\x1f", "\"nl\\u000a\\u0001\\u001f\""},
	    {"Zo\xc3\xab \xe2\x82\xac \xf0\x9f\x98\x80",
	     "\"Zo\xc3\xab \xe2\x82\xac \xf0\x9f\x98\x80\""},
	    {"bad\xff\xfe", "\"bad??\""},
	    {"overlong\xc0\xaf", "\"overlong??\""},
	    {"surrogate\xed\xa0\x80", "\"surrogate???\""},
	    {"cut\xe2\x82", "\"cut??\""},
	    {"big\xf4\x90\x80\x80", "\"big????\""},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		wot_buf b = WOT_BUF_INIT;
		assert_int_equal(wot_buf_json_str(&b, cases[i].in), 0);
		assert_string_equal(b.ptr, cases[i].out);
		wot_buf_dispose(&b);
	}
}

static int closer_calls;
static void closer_cb(void *data)
{
	closer_calls += *(int *)data;
}

/* Closing starts once; the callback runs once, after the last part. */
static void util_closer(void **state)
{
	wot_closer c = {.live = 2}, k;
	int one = 1;

	(void)state;
	closer_calls = 0;
	assert_int_equal(wot_closer_release(&c, &k), 0); /* not closing */
	assert_int_equal(wot_closer_begin(&c, closer_cb, &one), 1);
	assert_int_equal(wot_closer_begin(&c, closer_cb, &one), 0);
	assert_int_equal(wot_closer_begin(NULL, closer_cb, &one), 0);
	assert_int_equal(wot_closer_done(&c, &k), 0); /* one part open */
	assert_int_equal(closer_calls, 0);
	assert_int_equal(wot_closer_release(&c, &k), 1); /* the last part */
	wot_closer_end(&k);
	assert_int_equal(closer_calls, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(util_error_last),
	    cmocka_unit_test(util_map_grows),
	    cmocka_unit_test(util_file_atomic_and_nofollow),
	    cmocka_unit_test(util_fpr),
	    cmocka_unit_test(util_json_str),
	    cmocka_unit_test(util_closer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

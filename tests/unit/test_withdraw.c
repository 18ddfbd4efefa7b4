/* test_withdraw.c - withdrawn RRsets stay out of every loaded table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "dns/resolver/resolver_int.h"
#include "dns/peer/withdraw.h"
#include "util/util.h"

static char path[64];
static wot_dns_withdraw_set *ws; /* the test's own set */

static int setup(void **state)
{
	FILE *fp;
	int fd;

	(void)state;
	assert_int_equal(wot_dns_withdraw_new(&ws), 0);
	snprintf(path, sizeof(path), "/tmp/wot-withdraw-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	fputs("$ORIGIN a.wot.\n"
	      "@ 60 IN SOA ns h 1 3600 600 86400 60\n"
	      "www 60 IN A 192.0.2.1\n"
	      "www 60 IN A 192.0.2.2\n"
	      "www 60 IN TXT \"hello\"\n"
	      "mail 60 IN A 192.0.2.3\n",
	      fp);
	fclose(fp);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	wot_dns_withdraw_free(ws);
	ws = NULL;
	return 0;
}

/* Records of the file a load filtered by the set keeps. */
static size_t loaded(void)
{
	wot_dns_table *t = NULL;
	size_t n;

	assert_int_equal(wot_dns_table_new(&t), 0);
	assert_int_equal(
	    wot_dns_table_load_filtered(t, path, wot_dns_withdraw_skip_rr, ws),
	    0);
	assert_int_equal(wot_dns_table_seal(t), 0);
	n = wot_dns_table_count(t);
	wot_dns_table_free(t);
	return n;
}

static void withdraw_skips_rrset(void **state)
{
	wot_withdrawn w[4];

	(void)state;
	assert_int_equal(loaded(), 5);
	/* Any case, relative or absolute: the same RRset. */
	assert_int_equal(wot_dns_withdraw_add(ws, "WWW.a.wot", 1, 42, "test"),
			 1);
	assert_int_equal(wot_dns_withdraw_add(ws, "www.a.wot.", 1, 43, "again"),
			 0);
	assert_true(wot_dns_withdraw_has(ws, "www.A.wot.", 1));
	assert_false(wot_dns_withdraw_has(ws, "www.a.wot.", 16));
	/* Both A records go, the TXT of the same name stays. */
	assert_int_equal(loaded(), 3);
	assert_int_equal(wot_dns_withdraw_list(ws, w, 4), 1);
	assert_string_equal(w[0].name, "www.a.wot.");
	assert_int_equal(w[0].since, 42);
	assert_string_equal(w[0].why, "test");
	assert_int_equal(wot_dns_withdraw_remove(ws, "www.a.wot", 1), 1);
	assert_int_equal(wot_dns_withdraw_remove(ws, "www.a.wot", 1), 0);
	assert_int_equal(loaded(), 5);
	assert_int_equal(wot_dns_withdraw_add(ws, "", 1, 0, NULL), WOT_EINVAL);
}

/* Two sets (two daemons) know nothing of each other's withdrawals; a
 * load without a set keeps everything. */
static void withdraw_sets_are_separate(void **state)
{
	wot_dns_withdraw_set *other = NULL;
	wot_dns_table *t = NULL;

	(void)state;
	assert_int_equal(wot_dns_withdraw_new(&other), 0);
	assert_int_equal(wot_dns_withdraw_add(ws, "www.a.wot", 1, 0, "t"), 1);
	assert_true(wot_dns_withdraw_has(ws, "www.a.wot", 1));
	assert_false(wot_dns_withdraw_has(other, "www.a.wot", 1));
	assert_int_equal(wot_dns_withdraw_list(other, NULL, 0), 0);
	assert_int_equal(wot_dns_withdraw_epoch(other), 0);
	assert_int_equal(loaded(), 3);
	assert_int_equal(wot_dns_table_new(&t), 0);
	assert_int_equal(wot_dns_table_load_filtered(
			     t, path, wot_dns_withdraw_skip_rr, other),
			 0);
	assert_int_equal(wot_dns_table_count(t), 5);
	wot_dns_table_free(t);
	assert_int_equal(wot_dns_table_load_file(&t, path), 0);
	assert_int_equal(wot_dns_table_count(t), 5);
	wot_dns_table_free(t);
	wot_dns_withdraw_free(other);
}

static void withdraw_changes_by_name(void **state)
{
	char names[WOT_WITHDRAW_CHANGES][256];
	uint64_t e0 = wot_dns_withdraw_epoch(ws), now = 0;

	(void)state;
	assert_int_equal(wot_dns_withdraw_changes(ws, e0, names, 4, &now), 0);
	assert_int_equal(now, e0);
	assert_int_equal(wot_dns_withdraw_add(ws, "X.a.wot", 1, 0, "t"), 1);
	assert_int_equal(wot_dns_withdraw_add(ws, "x.a.wot", 1, 0, "t"), 0);
	assert_int_equal(wot_dns_withdraw_remove(ws, "nothere.wot", 1), 0);
	assert_int_equal(wot_dns_withdraw_remove(ws, "x.a.wot", 1), 1);
	/* Only real changes count, each with its name. */
	assert_int_equal(wot_dns_withdraw_changes(ws, e0, names, 4, &now), 2);
	assert_int_equal(now, e0 + 2);
	assert_int_equal(wot_dns_withdraw_epoch(ws), e0 + 2);
	assert_string_equal(names[0], "x.a.wot.");
	assert_string_equal(names[1], "x.a.wot.");
	assert_int_equal(wot_dns_withdraw_changes(ws, e0 + 1, names, 4, &now),
			 1);
	/* More than the caller has room for, or a clear: not by name. */
	assert_int_equal(wot_dns_withdraw_changes(ws, e0, names, 1, &now), -1);
	wot_dns_withdraw_clear(ws);
	assert_int_equal(wot_dns_withdraw_changes(ws, e0 + 2, names, 4, &now),
			 -1);
	assert_int_equal(now, e0 + 3);
	for (int i = 0; i <= WOT_WITHDRAW_CHANGES; i++)
		assert_int_equal(wot_dns_withdraw_add(
				     ws, i % 2 ? "b.wot" : "c.wot", 1, 0, "t") +
				     wot_dns_withdraw_remove(
					 ws, i % 2 ? "b.wot" : "c.wot", 1),
				 2);
	assert_int_equal(wot_dns_withdraw_changes(ws, now, names,
						  WOT_WITHDRAW_CHANGES, &now),
			 -1);
	assert_int_equal(
	    wot_dns_withdraw_changes(ws, now - WOT_WITHDRAW_CHANGES, names,
				     WOT_WITHDRAW_CHANGES, &now),
	    WOT_WITHDRAW_CHANGES);
	assert_string_equal(names[WOT_WITHDRAW_CHANGES - 1], "c.wot.");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(withdraw_skips_rrset, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(withdraw_changes_by_name, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(withdraw_sets_are_separate, setup,
					    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

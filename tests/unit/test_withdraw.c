/* test_withdraw.c - withdrawn RRsets stay out of every loaded table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "dns/dns.h"
#include "dns/withdraw.h"
#include "util/util.h"

static char path[64];

static int setup(void **state)
{
	FILE *fp;
	int fd;

	(void)state;
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
	wot_dns_withdraw_clear();
	return 0;
}

static size_t loaded(void)
{
	wot_dns_table *t = NULL;
	size_t n;

	assert_int_equal(wot_dns_table_load_file(&t, path), 0);
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
	assert_int_equal(wot_dns_withdraw_add("WWW.a.wot", 1, 42, "test"), 1);
	assert_int_equal(wot_dns_withdraw_add("www.a.wot.", 1, 43, "again"), 0);
	assert_true(wot_dns_withdraw_has("www.A.wot.", 1));
	assert_false(wot_dns_withdraw_has("www.a.wot.", 16));
	/* Both A records go, the TXT of the same name stays. */
	assert_int_equal(loaded(), 3);
	assert_int_equal(wot_dns_withdraw_list(w, 4), 1);
	assert_string_equal(w[0].name, "www.a.wot.");
	assert_int_equal(w[0].since, 42);
	assert_string_equal(w[0].why, "test");
	assert_int_equal(wot_dns_withdraw_remove("www.a.wot", 1), 1);
	assert_int_equal(wot_dns_withdraw_remove("www.a.wot", 1), 0);
	assert_int_equal(loaded(), 5);
	assert_int_equal(wot_dns_withdraw_add("", 1, 0, NULL), WOT_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(withdraw_skips_rrset, setup,
					    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

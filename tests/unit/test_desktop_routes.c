/*
 * test_desktop_routes.c - the routes file: what a table asks for, the
 * file's text, and reading it back as hostile input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dns/desktop/desktop.h"
#include "dns/daemon/routes.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/test_desktop_routesXXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return wot_rmtree(dir);
}

static char *in_dir(const char *name)
{
	return wot_path_join(dir, name);
}

static void write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static wot_dns_table *table_of(const char *zone)
{
	char *path = in_dir("t.zone");
	wot_dns_table *t = NULL;

	write_text(path, zone);
	assert_int_equal(wot_dns_table_load_file(&t, path), 0);
	free(path);
	return t;
}

static void expect_list(char **got, size_t n, const char *const *want)
{
	size_t i = 0;

	for (; want[i]; i++) {
		assert_true(i < n);
		assert_string_equal(got[i], want[i]);
	}
	assert_int_equal(n, i);
	assert_null(got[n]);
}

/* Overlay-only TLDs and apexes under normal TLDs; never a normal TLD, a
 * name under another route, or a name it cannot route. */
static void desktop_routes_of_table(void **state)
{
	static const char *const want[] = {"wot", "zz-overlay",
					   "alice.example.com", NULL};
	struct wot_dns_routes r;
	wot_dns_table *t = table_of(
	    "$TTL 300\n"
	    "alice.wot. IN SOA ns host 1 3600 600 86400 60\n"
	    "www.alice.wot. IN A 192.0.2.1\n"
	    "bob.wot. IN SOA ns host 1 3600 600 86400 60\n"
	    "x.zz-overlay. IN A 192.0.2.3\n" /* no apex: the TLD still */
	    "alice.example.com. IN SOA ns host 1 3600 600 86400 60\n"
	    "www.alice.example.com. IN A 192.0.2.2\n"
	    /* a zone inside another route's: covered */
	    "sub.alice.example.com. IN SOA ns host 1 3600 600 86400 60\n"
	    /* a normal name without an apex: not answered, not routed */
	    "www.example.org. IN A 192.0.2.4\n"
	    /* not a routing domain resolved takes: left out */
	    "a\\032b.example.net. IN SOA ns host 1 3600 600 86400 60\n");

	(void)state;
	assert_int_equal(wot_dns_routes_of_table(t, &r), 0);
	expect_list(r.route, r.n_route, want);
	expect_list(r.nta, r.n_nta, want);
	wot_dns_routes_clear(&r);
	wot_dns_table_free(t);
}

/* Written only when it changes; read back the same. */
static void desktop_routes_write_read(void **state)
{
	static const char *const want[] = {"wot", "alice.example.com", NULL};
	struct wot_dns_routes r = {0}, back;
	char *path = in_dir("routes");
	bool changed = false;
	struct stat a, b;

	(void)state;
	assert_int_equal(wot_dns_routes_read(path, &back), 0);
	assert_int_equal(back.n_route + back.n_nta, 0); /* missing: empty */
	for (int i = 0; want[i]; i++) {
		assert_int_equal(wot_dns_routes_add(&r, 0, want[i]), 0);
		assert_int_equal(wot_dns_routes_add(&r, 1, want[i]), 0);
	}
	assert_int_equal(wot_dns_routes_add(&r, 0, "wot"), 0);
	assert_int_equal(r.n_route, 2); /* no duplicate */
	assert_int_equal(wot_dns_routes_write(path, &r, &changed), 0);
	assert_true(changed);
	assert_int_equal(stat(path, &a), 0);
	assert_int_equal(wot_dns_routes_write(path, &r, &changed), 0);
	assert_false(changed);
	assert_int_equal(stat(path, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino); /* not replaced */
	assert_int_equal(wot_dns_routes_read(path, &back), 0);
	expect_list(back.route, back.n_route, want);
	expect_list(back.nta, back.n_nta, want);
	wot_dns_routes_clear(&back);
	wot_dns_routes_clear(&r);
	free(path);
}

static void expect_bad(const char *text, const char *msg)
{
	struct wot_dns_routes r;

	assert_true(wot_dns_routes_parse(text, strlen(text), "F", &r) < 0);
	if (!strstr(wot_error_last(), msg))
		fail_msg("'%s': got '%s', want '%s'", text, wot_error_last(),
			 msg);
	assert_int_equal(r.n_route + r.n_nta, 0);
}

/* Hostile text: every bad line is refused with FILE:LINE. */
static void desktop_routes_hostile(void **state)
{
	struct wot_dns_routes r;
	const char ok[] = "# c\n\nroute wot\r\nnta wot\n";
	char *big;
	size_t n = WOT_ROUTES_BYTES + 10;

	(void)state;
	assert_int_equal(wot_dns_routes_parse(ok, strlen(ok), "F", &r), 0);
	assert_int_equal(r.n_route, 1);
	wot_dns_routes_clear(&r);
	expect_bad("route wot\nroute .\n", "F:2: not a routable name");
	expect_bad("route WOT\n", "F:1: not a routable name");
	expect_bad("route wot.\n", "F:1: not a routable name");
	expect_bad("route a..b\n", "F:1: not a routable name");
	expect_bad("route -a.wot\n", "F:1: not a routable name");
	expect_bad("route ~wot\n", "F:1: not a routable name");
	expect_bad("route a\\032b\n", "F:1: not a routable name");
	expect_bad("nta\n", "F:1: want 'nta NAME'");
	expect_bad("route a b\n", "F:1: want 'route NAME'");
	expect_bad("\n\nsearch wot\n", "F:3: unknown entry");
	assert_true(wot_dns_routes_parse("route w\0ot\n", 11, "F", &r) < 0);
	assert_non_null(strstr(wot_error_last(), "NUL"));
	big = malloc(n);
	assert_non_null(big);
	memset(big, '\n', n);
	assert_int_equal(wot_dns_routes_parse(big, n, "F", &r), WOT_ELIMIT);
	free(big);
	/* 64-octet label, 254-octet name */
	expect_bad(
	    "route "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaa\n",
	    "F:1");
}

/* More entries than the limit: refused, not truncated silently. */
static void desktop_routes_too_many(void **state)
{
	wot_buf b = WOT_BUF_INIT;
	struct wot_dns_routes r;

	(void)state;
	for (int i = 0; i <= WOT_ROUTES_MAX; i++)
		assert_int_equal(wot_buf_printf(&b, "route n%d\n", i), 0);
	assert_int_equal(wot_dns_routes_parse(b.ptr, b.len, "F", &r),
			 WOT_ELIMIT);
	assert_non_null(strstr(wot_error_last(), "F:4097:"));
	wot_buf_dispose(&b);
}

/* A symlink planted for the file is not followed. */
static void desktop_routes_symlink(void **state)
{
	struct wot_dns_routes r;
	char *path = in_dir("link");

	(void)state;
	assert_int_equal(symlink("/etc/passwd", path), 0);
	assert_true(wot_dns_routes_read(path, &r) < 0);
	assert_non_null(strstr(wot_error_last(), path));
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(desktop_routes_of_table),
	    cmocka_unit_test(desktop_routes_write_read),
	    cmocka_unit_test(desktop_routes_hostile),
	    cmocka_unit_test(desktop_routes_too_many),
	    cmocka_unit_test(desktop_routes_symlink),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

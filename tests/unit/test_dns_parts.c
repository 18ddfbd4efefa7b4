/*
 * test_dns_parts.c - the accepted set as a composite table, one part per
 * shard: lookups go to the part of the name's shard, names of one label
 * stay empty non-terminals in the top part, and a reload reads only the
 * shards whose files changed (or all after the withdrawn set changed).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dns/resolver/resolver_int.h"
#include "dns/daemon/accepted.h"
#include "dns/peer/withdraw.h"
#include "sync/sync.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "table_ask.h"

#define SOA_ROOT ". 300 IN SOA ns. host. 1 3600 600 86400 60\n"

static ldns_pkt *ask(const wot_dns_table *t, const char *name,
		     ldns_rr_type type)
{
	return table_ask(t, name, type);
}

/* rcode, answer count and authority count of one query. */
static void expect(const wot_dns_table *t, const char *name, ldns_rr_type type,
		   int rcode, size_t an, size_t ns)
{
	ldns_pkt *p = ask(t, name, type);

	assert_int_equal(ldns_pkt_get_rcode(p), rcode);
	assert_int_equal(ldns_pkt_ancount(p), an);
	assert_int_equal(ldns_pkt_nscount(p), ns);
	ldns_pkt_free(p);
}

/* The A record of name as text ("" when none). */
static void expect_a(const wot_dns_table *t, const char *name, const char *a)
{
	ldns_pkt *p = ask(t, name, LDNS_RR_TYPE_A);
	char *got = ldns_pkt_ancount(p)
			? ldns_rdf2str(ldns_rr_rdf(
			      ldns_rr_list_rr(ldns_pkt_answer(p), 0), 0))
			: strdup("");

	assert_string_equal(got, a);
	free(got);
	ldns_pkt_free(p);
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* A part from master file text; sealed unless it is the top one. */
static wot_dns_table *part(const char *text, int seal)
{
	char path[] = "/tmp/test_dns_partsXXXXXX";
	int fd = mkstemp(path);
	wot_dns_table *t = NULL;

	assert_true(fd >= 0);
	close(fd);
	write_file(path, text);
	assert_int_equal(wot_dns_table_new(&t), 0);
	assert_int_equal(wot_dns_table_load_into(t, path), 0);
	if (seal)
		assert_int_equal(wot_dns_table_seal(t), 0);
	unlink(path);
	return t;
}

static void dns_parts_dispatch(void **state)
{
	wot_dns_table **parts = calloc(WOT_SHARDS + 1, sizeof(*parts));
	int zed = wot_shard_of_name("zed.wot."),
	    wild = wot_shard_of_name("*.wot.");
	wot_dns_table *t = NULL, *zp;

	(void)state;
	assert_non_null(parts);
	assert_int_not_equal(zed, wild);
	assert_int_equal(wot_shard_of_name("x.b.zed.wot"), zed);
	parts[zed] = part("$ORIGIN zed.wot.\n"
			  "@ 300 IN SOA ns host 1 3600 600 86400 60\n"
			  "www 300 IN A 192.0.2.1\n"
			  "x.b 300 IN A 192.0.2.2\n",
			  1);
	parts[wild] = part("*.wot. 300 IN A 192.0.2.99\n", 1);
	parts[WOT_SHARD_TOP] = part(SOA_ROOT "org. 300 IN A 192.0.2.7\n", 0);
	zp = parts[zed];
	assert_int_equal(
	    wot_dns_table_compose(&t, parts, &wot_dns_shard_partition), 0);
	assert_int_equal(wot_dns_table_count(t), 6);
	assert_ptr_equal(wot_dns_table_part(t, zed), zp);
	assert_null(wot_dns_table_part(t, 7 == zed ? 8 : 7));
	assert_null(wot_dns_table_part(zp, zed)); /* not a composite */

	expect_a(t, "WWW.zed.wot.", "192.0.2.1");
	expect_a(t, "x.b.zed.wot.", "192.0.2.2");
	expect_a(t, "org.", "192.0.2.7");
	/* zed.wot.'s own zone answers below it, from its part. */
	expect(t, "b.zed.wot.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, 0, 1);
	expect(t, "nothere.zed.wot.", LDNS_RR_TYPE_A, LDNS_RCODE_NXDOMAIN, 0,
	       1);
	/* wot. exists only as an ancestor of names in other parts: an
	 * empty non-terminal in top, so NODATA, not NXDOMAIN. */
	expect(t, "wot.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, 0, 1);
	expect(t, "wot.", LDNS_RR_TYPE_TXT, LDNS_RCODE_NOERROR, 0, 1);
	expect(t, "nothere.", LDNS_RR_TYPE_A, LDNS_RCODE_NXDOMAIN, 0, 1);
	/* The wildcard of wot. (its own shard) covers what does not exist. */
	expect_a(t, "zz.wot.", "192.0.2.99");
	wot_dns_table_free(t);
}

static void dns_parts_empty_top(void **state)
{
	wot_dns_table **parts = calloc(WOT_SHARDS + 1, sizeof(*parts));
	int s = wot_shard_of_name("a.wot.");
	wot_dns_table *t = NULL;

	(void)state;
	parts[s] = part("a.wot. 300 IN A 192.0.2.3\n", 1);
	assert_int_equal(
	    wot_dns_table_compose(&t, parts, &wot_dns_shard_partition), 0);
	assert_int_equal(wot_dns_table_count(t), 1);
	/* No zone apex anywhere: the overlay does not answer (a stub's
	 * question, with RD, is forwarded). */
	{
		uint8_t q[64], resp[512];
		size_t ql = 0, len = 0;
		int action = -1;
		ldns_pkt *pk = ldns_pkt_query_new(
		    ldns_dname_new_frm_str("a.wot."), LDNS_RR_TYPE_A,
		    LDNS_RR_CLASS_IN, LDNS_RD);
		uint8_t *w = NULL;
		assert_int_equal(ldns_pkt2wire(&w, pk, &ql), LDNS_STATUS_OK);
		assert_true(ql <= sizeof(q));
		assert_int_equal(wot_dns_answer(t, w, ql, 0, resp, sizeof(resp),
						&len, &action),
				 0);
		assert_int_equal(action, WOT_DNS_FORWARD);
		free(w);
		ldns_pkt_free(pk);
	}
	/* The top part now holds wot. and the root as ENTs. */
	assert_non_null(wot_dns_table_part(t, WOT_SHARD_TOP));
	assert_int_equal(wot_dns_table_add(t, NULL), WOT_EINVAL);
	wot_dns_table_free(t);
}

/* ---- wot_dns_accepted_load on a home written by hand ---- */

typedef struct {
	char dir[64];
	wot_home *h;
	wot_dns_withdraw_set *w;
	wot_dns_accepted *acc;
} fixture;

static void path_write(const fixture *f, const char *rel, const char *text)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", f->dir, rel);
	write_file(p, text);
}

/* A manifest of generation gen naming the shards of a.wot. (filegen fa)
 * and b.wot. (fb) and top (gen 1). */
/* A content hash the loader does not check. */
#define H40 "0123456789abcdef0123456789abcdef01234567"

static void manifest(const fixture *f, unsigned gen, unsigned fa, unsigned fb)
{
	int sa = wot_shard_of_name("a.wot"), sb = wot_shard_of_name("b.wot");
	char ida[WOT_SHARD_ID_MAX], idb[WOT_SHARD_ID_MAX], text[512];
	int lo = sa < sb ? sa : sb;
	unsigned flo = sa < sb ? fa : fb, fhi = sa < sb ? fb : fa;

	wot_shard_id(lo, ida);
	wot_shard_id(lo == sa ? sb : sa, idb);
	snprintf(text, sizeof(text),
		 "wotdns accepted 3\ngen %u\ngenerated 0\ninputs 0\n"
		 "totals 3 3 3 0 0 0\n"
		 "shard %s %u %s 1 1 1 0 0 -\nshard %s %u %s 1 1 1 0 0 -\n"
		 "shard top 1 %s 1 1 1 0 0 -\n",
		 gen, ida, flo, H40, idb, fhi, H40, H40);
	path_write(f, "state/accepted/manifest", text);
}

static void zone(const fixture *f, const char *name, unsigned filegen,
		 const char *text)
{
	char id[WOT_SHARD_ID_MAX], rel[64];

	wot_shard_id(wot_shard_of_name(name), id);
	snprintf(rel, sizeof(rel), "state/accepted/%s-%u.zone", id, filegen);
	path_write(f, rel, text);
}

static int home_setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	char p[128];

	snprintf(f->dir, sizeof(f->dir), "/tmp/test_dns_partsXXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(p, sizeof(p), "%s/state", f->dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/state/accepted", f->dir);
	mkdir(p, 0700);
	path_write(
	    f, "config",
	    "[identity]\nkey = 24C13CB8DCAC48D63DB5E952D45366280B9A1D30\n");
	zone(f, ".", 1, SOA_ROOT);
	zone(f, "a.wot", 1, "a.wot. 300 IN A 192.0.2.1\n");
	zone(f, "b.wot", 1, "b.wot. 300 IN A 192.0.2.2\n");
	manifest(f, 1, 1, 1);
	assert_int_equal(wot_home_open(&f->h, f->dir), 0);
	assert_int_equal(wot_dns_withdraw_new(&f->w), 0);
	assert_int_equal(wot_dns_accepted_new(&f->acc, f->h, f->w), 0);
	*state = f;
	return 0;
}

static int home_teardown(void **state)
{
	fixture *f = *state;
	char cmd[128];

	wot_dns_accepted_free(f->acc);
	wot_dns_withdraw_free(f->w);
	wot_home_free(f->h);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void dns_accepted_reuses_parts(void **state)
{
	fixture *f = *state;
	int sa = wot_shard_of_name("a.wot"), sb = wot_shard_of_name("b.wot");
	wot_dns_table *t1 = NULL, *t2 = NULL, *t3 = NULL;
	uint64_t gen = 0;

	assert_int_equal(wot_dns_accepted_load(f->acc, &t1, &gen), 0);
	assert_int_equal(gen, 1);
	assert_int_equal(wot_dns_table_count(t1), 3);
	expect_a(t1, "a.wot.", "192.0.2.1");
	expect(t1, "wot.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, 0, 1);

	/* Nothing changed: the same table. */
	assert_int_equal(wot_dns_accepted_load(f->acc, &t2, &gen), 0);
	assert_ptr_equal(t2, t1);
	wot_dns_table_free(t2);

	/* b.wot.'s shard rewritten at gen 2: a.wot.'s part is shared. */
	zone(f, "b.wot", 2, "b.wot. 300 IN A 192.0.2.22\n");
	manifest(f, 2, 1, 2);
	assert_int_equal(wot_dns_accepted_load(f->acc, &t2, &gen), 0);
	assert_int_equal(gen, 2);
	assert_ptr_not_equal(t2, t1);
	assert_ptr_equal(wot_dns_table_part(t2, sa),
			 wot_dns_table_part(t1, sa));
	assert_ptr_not_equal(wot_dns_table_part(t2, sb),
			     wot_dns_table_part(t1, sb));
	expect_a(t2, "b.wot.", "192.0.2.22");
	expect_a(t2, "a.wot.", "192.0.2.1");
	expect_a(t1, "b.wot.", "192.0.2.2"); /* the old one is untouched */
	expect(t2, "wot.", LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, 0, 1);
	wot_dns_table_free(t1); /* its shared part lives on in t2 */
	expect_a(t2, "a.wot.", "192.0.2.1");

	/* A full recompute writes every shard again under a new FILEGEN:
	 * the same bytes are not parsed again. */
	zone(f, "a.wot", 5, "a.wot. 300 IN A 192.0.2.1\n");
	zone(f, "b.wot", 5, "b.wot. 300 IN A 192.0.2.22\n");
	manifest(f, 5, 5, 5);
	assert_int_equal(wot_dns_accepted_load(f->acc, &t1, &gen), 0);
	assert_int_equal(gen, 5);
	assert_ptr_equal(wot_dns_table_part(t1, sa),
			 wot_dns_table_part(t2, sa));
	assert_ptr_equal(wot_dns_table_part(t1, sb),
			 wot_dns_table_part(t2, sb));
	wot_dns_table_free(t2);
	t2 = t1;
	/* A byte changed: parsed. */
	zone(f, "b.wot", 6, "b.wot. 300 IN A 192.0.2.23\n");
	manifest(f, 6, 5, 6);
	assert_int_equal(wot_dns_accepted_load(f->acc, &t1, &gen), 0);
	assert_ptr_not_equal(wot_dns_table_part(t1, sb),
			     wot_dns_table_part(t2, sb));
	expect_a(t1, "b.wot.", "192.0.2.23");
	wot_dns_table_free(t2);
	t2 = t1;

	/* A withdrawal reads the shard of its name again, skipping the
	 * RRset; the other parts stay. */
	assert_int_equal(wot_dns_withdraw_add(f->w, "a.wot", 1, 0, "test"), 1);
	assert_int_equal(wot_dns_accepted_load(f->acc, &t3, &gen), 0);
	assert_ptr_not_equal(wot_dns_table_part(t3, sa),
			     wot_dns_table_part(t2, sa));
	assert_ptr_equal(wot_dns_table_part(t3, sb),
			 wot_dns_table_part(t2, sb));
	expect_a(t3, "a.wot.", "");
	expect_a(t3, "b.wot.", "192.0.2.23");
	assert_int_equal(wot_dns_table_count(t3), 2);
	wot_dns_table_free(t2);
	/* Served again: read again. */
	assert_int_equal(wot_dns_withdraw_remove(f->w, "a.wot.", 1), 1);
	assert_int_equal(wot_dns_accepted_load(f->acc, &t2, &gen), 0);
	assert_ptr_not_equal(wot_dns_table_part(t2, sa),
			     wot_dns_table_part(t3, sa));
	assert_ptr_equal(wot_dns_table_part(t2, sb),
			 wot_dns_table_part(t3, sb));
	expect_a(t2, "a.wot.", "192.0.2.1");
	wot_dns_table_free(t3);
	/* A clear is not by name: every shard is read again. */
	wot_dns_withdraw_clear(f->w);
	assert_int_equal(wot_dns_accepted_load(f->acc, &t3, &gen), 0);
	assert_ptr_not_equal(wot_dns_table_part(t3, sb),
			     wot_dns_table_part(t2, sb));
	assert_int_equal(wot_dns_table_count(t3), 3);
	wot_dns_table_free(t3);
	wot_dns_table_free(t2);
}

static void dns_accepted_missing_shard(void **state)
{
	fixture *f = *state;
	wot_dns_table *t1 = NULL, *t2 = NULL;
	uint64_t gen = 0;

	assert_int_equal(wot_dns_accepted_load(f->acc, &t1, &gen), 0);
	/* A manifest naming a file that is not there (a recompute removed
	 * it and no newer manifest came): an error, the old set stands. */
	manifest(f, 3, 1, 9);
	assert_int_equal(wot_dns_accepted_load(f->acc, &t2, &gen), WOT_ENOENT);
	assert_null(t2);
	assert_non_null(strstr(wot_error_last(), "-9.zone"));
	/* Once it is there, only that shard is read. */
	zone(f, "b.wot", 9, "b.wot. 300 IN A 192.0.2.9\n");
	assert_int_equal(wot_dns_accepted_load(f->acc, &t2, &gen), 0);
	assert_int_equal(gen, 3);
	expect_a(t2, "b.wot.", "192.0.2.9");
	assert_ptr_equal(wot_dns_table_part(t2, wot_shard_of_name("a.wot")),
			 wot_dns_table_part(t1, wot_shard_of_name("a.wot")));
	wot_dns_table_free(t1);
	wot_dns_table_free(t2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(dns_parts_dispatch),
	    cmocka_unit_test(dns_parts_empty_top),
	    cmocka_unit_test_setup_teardown(dns_accepted_reuses_parts,
					    home_setup, home_teardown),
	    cmocka_unit_test_setup_teardown(dns_accepted_missing_shard,
					    home_setup, home_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_safety.c - safety against the source itself: [limits], what in a
 * tree is never read, freshness. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sync/sync.h"
#include "sync/source/source.h"
#include "sync/zone/zone.h"
#include "util/util.h"

static void safety_limits_from_config(void **state)
{
	wot_config cfg;
	wot_limits l;

	(void)state;
	assert_int_equal(wot_config_defaults(&cfg), 0);
	wot_limits_get(&cfg, &l);
	assert_int_equal(l.fetch_bytes, 64u << 20);
	assert_int_equal(l.commits, 10000);
	assert_int_equal(l.zone_bytes, 16384u * 1024);
	assert_int_equal(l.records, 100000);
	assert_int_equal(l.names, 100000);
	/* The built-in maxima hold whatever the config says. */
	cfg.limit_zone_kb = 0;
	cfg.limit_records = 5000000;
	wot_limits_get(&cfg, &l);
	assert_int_equal(l.zone_bytes, WOT_MAX_ZONE_BYTES);
	assert_int_equal(l.records, WOT_MAX_ZONE_RECORDS);
	assert_int_equal(wot_limits_fetch_error(&cfg), WOT_ELIMIT);
	assert_non_null(
	    strstr(wot_error_last(), "limit of 64 MB ([limits] fetch-size)"));
	wot_config_dispose(&cfg);
}

static void safety_zone_parse_stops_at_max(void **state)
{
	const char z[] = "$ORIGIN a.wot.\n@ IN A 192.0.2.1\n@ IN A 192.0.2.2\n"
			 "@ IN A 192.0.2.3\n@ IN A 192.0.2.4\n";
	ldns_rr_list *rrs = NULL;

	(void)state;
	assert_int_equal(wot_zone_parse_max(z, strlen(z), "z", 3, &rrs),
			 WOT_ELIMIT);
	assert_null(rrs);
	assert_string_equal(wot_error_last(), "z: more than 3 records");
	assert_int_equal(wot_zone_parse_max(z, strlen(z), "z", 4, &rrs), 0);
	assert_int_equal(ldns_rr_list_rr_count(rrs), 4);
	ldns_rr_list_deep_free(rrs);
	assert_int_equal(wot_zone_parse_max(z, strlen(z), "z", 0, &rrs), 0);
	ldns_rr_list_deep_free(rrs);
}

static void safety_freshness(void **state)
{
	wot_config cfg;
	wot_freshness f;
	const int64_t now = 1000000000;

	(void)state;
	assert_int_equal(wot_config_defaults(&cfg), 0);
	/* promise 3600 s: grace 360 s, implicit max age 4 x 3600 */
	wot_freshness_eval(&cfg, "alice", now - 3960, 3600, now, &f);
	assert_false(f.stale);
	wot_freshness_eval(&cfg, "alice", now - 3961, 3600, now, &f);
	assert_true(f.stale);
	assert_false(f.expired);
	assert_int_equal(f.max_age, 14400);
	wot_freshness_eval(&cfg, "alice", now - 14400, 3600, now, &f);
	assert_false(f.expired);
	wot_freshness_eval(&cfg, "alice", now - 14401, 3600, now, &f);
	assert_true(f.expired);
	/* a short promise still gets a minute of grace */
	wot_freshness_eval(&cfg, "alice", now - 70, 10, now, &f);
	assert_false(f.stale);
	wot_freshness_eval(&cfg, "alice", now - 71, 10, now, &f);
	assert_true(f.stale);
	/* no promise: never stale, and no implicit expiry */
	wot_freshness_eval(&cfg, "alice", now - 100000000, 0, now, &f);
	assert_false(f.stale);
	assert_false(f.expired);
	/* an explicit max-age applies to every source but self */
	cfg.max_age = 100;
	wot_freshness_eval(&cfg, "alice", now - 101, 0, now, &f);
	assert_true(f.expired);
	wot_freshness_eval(&cfg, "alice", now - 100, 0, now, &f);
	assert_false(f.expired);
	wot_freshness_eval(&cfg, WOT_SELF, now - 200, 60, now, &f);
	assert_false(f.expired);
	assert_true(f.stale);
	/* an unknown head time judges nothing */
	wot_freshness_eval(&cfg, "alice", 0, 60, now, &f);
	assert_false(f.stale);
	assert_false(f.expired);
	wot_config_dispose(&cfg);
}

/* A repository whose tree holds everything a hostile source could put
 * there besides regular files. */
typedef struct {
	char dir[64];
	git_repository *repo;
	git_oid commit;
	wot_home home;
} hostile;

static void blob(hostile *x, const char *data, git_oid *out)
{
	assert_int_equal(
	    git_blob_create_from_buffer(out, x->repo, data, strlen(data)), 0);
}

static void insert(git_treebuilder *tb, const char *name, const git_oid *id,
		   git_filemode_t mode)
{
	assert_int_equal(git_treebuilder_insert(NULL, tb, name, id, mode), 0);
}

static void build_hostile(hostile *x, const char *zone)
{
	git_treebuilder *zb = NULL, *rb = NULL;
	git_oid z, link, sub, ztree, root;
	git_signature *who = NULL;
	git_tree *tree = NULL;

	blob(x, zone, &z);
	blob(x, "/etc/passwd", &link);
	git_oid_fromstr(&sub, "0123456789012345678901234567890123456789");
	assert_int_equal(git_treebuilder_new(&zb, x->repo, NULL), 0);
	insert(zb, "a.zone", &z, GIT_FILEMODE_BLOB);
	insert(zb, "passwd.zone", &link, GIT_FILEMODE_LINK);
	insert(zb, "module", &sub, GIT_FILEMODE_COMMIT);
	insert(zb, "esc\033[2Jape.zone", &z, GIT_FILEMODE_BLOB);
	assert_int_equal(git_treebuilder_write(&ztree, zb), 0);
	assert_int_equal(git_treebuilder_new(&rb, x->repo, NULL), 0);
	insert(rb, "zones", &ztree, GIT_FILEMODE_TREE);
	insert(rb, "zone.txt", &link, GIT_FILEMODE_LINK);
	insert(rb, "keys", &link, GIT_FILEMODE_LINK);
	assert_int_equal(git_treebuilder_write(&root, rb), 0);
	assert_int_equal(git_tree_lookup(&tree, x->repo, &root), 0);
	assert_int_equal(git_signature_now(&who, "m", "m@example.invalid"), 0);
	assert_int_equal(git_commit_create(&x->commit, x->repo, NULL, who, who,
					   NULL, "hostile", tree, 0, NULL),
			 0);
	git_signature_free(who);
	git_tree_free(tree);
	git_treebuilder_free(zb);
	git_treebuilder_free(rb);
}

static int setup_hostile(void **state)
{
	hostile *x = calloc(1, sizeof(*x));
	char *git;

	snprintf(x->dir, sizeof(x->dir), "/tmp/wot-safety.XXXXXX");
	assert_non_null(mkdtemp(x->dir));
	git = wot_path_join(x->dir, "m.git");
	assert_int_equal(wot_git_acquire(), 0);
	assert_int_equal(git_repository_init(&x->repo, git, 1), 0);
	free(git);
	assert_int_equal(wot_config_defaults(&x->home.cfg), 0);
	x->home.dir = x->dir;
	*state = x;
	return 0;
}

static int teardown_hostile(void **state)
{
	hostile *x = *state;

	git_repository_free(x->repo);
	wot_git_release(); /* setup_hostile's reference */
	wot_config_dispose(&x->home.cfg);
	wot_rmtree(x->dir);
	free(x);
	return 0;
}

static int collect(const char *path, const char *data, size_t len, void *ctx)
{
	(void)data;
	(void)len;
	return wot_buf_printf(ctx, "%s\n", path);
}

static void safety_tree_only_regular_files(void **state)
{
	hostile *x = *state;
	wot_buf read = WOT_BUF_INIT;
	char *text = NULL;
	json_t *st, *ign;

	build_hostile(x, "$ORIGIN a.wot.\n@ IN A 192.0.2.1\n");
	assert_int_equal(wot_limits_content(&x->home, "m", x->repo, &x->commit),
			 0);
	/* What the readers read: the one regular zone file, nothing else. */
	assert_int_equal(
	    wot_repo_commit_zones(x->repo, &x->commit, collect, &read), 0);
	assert_string_equal(read.ptr, "zones/a.zone\n");
	wot_buf_dispose(&read);
	assert_int_equal(
	    wot_repo_commit_blobs(x->repo, &x->commit, "keys", collect, &read),
	    0);
	assert_null(read.ptr);
	/* And the rest is said, with a name safe for a terminal. */
	assert_int_equal(wot_sync_status_json(&x->home, "m", &text), 0);
	st = json_loads(text, 0, NULL);
	ign = json_object_get(st, "ignored");
	assert_int_equal(json_array_size(ign), 5);
	assert_non_null(strstr(text, "zones/passwd.zone: a symbolic link"));
	assert_non_null(strstr(text, "zones/module: a submodule (gitlink)"));
	assert_non_null(strstr(
	    text, "zones/esc?[2Jape.zone: a name with control characters"));
	assert_non_null(strstr(text, "\"zone.txt: a symbolic link\""));
	assert_non_null(strstr(text, "\"keys: a symbolic link\""));
	json_decref(st);
	free(text);
}

/* Two commits on one line: counted from the verified head on. */
static void safety_commits(hostile *x)
{
	git_commit *parent = NULL;
	git_tree *tree = NULL;
	git_signature *who = NULL;
	git_oid child;

	assert_int_equal(git_commit_lookup(&parent, x->repo, &x->commit), 0);
	assert_int_equal(git_commit_tree(&tree, parent), 0);
	assert_int_equal(git_signature_now(&who, "m", "m@example.invalid"), 0);
	assert_int_equal(git_commit_create(&child, x->repo, NULL, who, who,
					   NULL, "second", tree, 1,
					   (const git_commit **)&parent),
			 0);
	x->home.cfg.limit_commits = 1;
	assert_int_equal(
	    wot_limits_history(&x->home.cfg, x->repo, &child, NULL),
	    WOT_ELIMIT);
	assert_string_equal(wot_error_last(),
			    "more than 1 new commits in one sync ([limits] "
			    "commits)");
	assert_int_equal(
	    wot_limits_history(&x->home.cfg, x->repo, &child, &x->commit), 0);
	x->home.cfg.limit_commits = 0; /* off */
	assert_int_equal(
	    wot_limits_history(&x->home.cfg, x->repo, &child, NULL), 0);
	/* A commit over commit-size is judged from its header. */
	{
		size_t big = 70 * 1024;
		char *msg = malloc(big + 1);
		git_commit *c = NULL;
		git_oid fat, grand;
		assert_non_null(msg);
		memset(msg, 'm', big);
		msg[big] = '\0';
		assert_int_equal(
		    git_commit_create(&fat, x->repo, NULL, who, who, NULL, msg,
				      tree, 1, (const git_commit **)&parent),
		    0);
		free(msg);
		x->home.cfg.limit_commit_kb = 64;
		assert_int_equal(
		    wot_limits_history(&x->home.cfg, x->repo, &fat, &x->commit),
		    WOT_ELIMIT);
		assert_non_null(strstr(wot_error_last(),
				       ": 71 KB, over the limit of 64 KB "
				       "([limits] commit-size)"));
		/* ... below newer commits too */
		assert_int_equal(git_commit_lookup(&c, x->repo, &fat), 0);
		assert_int_equal(git_commit_create(&grand, x->repo, NULL, who,
						   who, NULL, "on top", tree, 1,
						   (const git_commit **)&c),
				 0);
		git_commit_free(c);
		assert_int_equal(wot_limits_history(&x->home.cfg, x->repo,
						    &grand, &x->commit),
				 WOT_ELIMIT);
		assert_non_null(strstr(wot_error_last(), "commit-size"));
		x->home.cfg.limit_commit_kb = 128;
		assert_int_equal(wot_limits_history(&x->home.cfg, x->repo,
						    &grand, &x->commit),
				 0);
	}
	git_signature_free(who);
	git_tree_free(tree);
	git_commit_free(parent);
}

static void safety_tree_limits(void **state)
{
	hostile *x = *state;
	char zone[4096];
	size_t n;

	n = (size_t)snprintf(zone, sizeof(zone),
			     "$ORIGIN a.wot.\n@ IN A 192.0.2.1\n"
			     "b IN A 192.0.2.1\nc IN A 192.0.2.1\n;");
	memset(zone + n, 'x', 1500);
	zone[n + 1500] = '\0';
	build_hostile(x, zone);
	x->home.cfg.limit_zone_kb = 1;
	assert_int_equal(wot_limits_content(&x->home, "m", x->repo, &x->commit),
			 WOT_ELIMIT);
	assert_string_equal(wot_error_last(),
			    "zones/a.zone: 2 KB, over the limit of 1 KB "
			    "([limits] zone-size)");
	x->home.cfg.limit_zone_kb = 2;
	x->home.cfg.limit_records = 2;
	assert_int_equal(wot_limits_content(&x->home, "m", x->repo, &x->commit),
			 WOT_ELIMIT);
	assert_string_equal(wot_error_last(),
			    "zones/a.zone: more than 2 records ([limits] "
			    "records)");
	x->home.cfg.limit_records = 3;
	x->home.cfg.limit_names = 2;
	assert_int_equal(wot_limits_content(&x->home, "m", x->repo, &x->commit),
			 WOT_ELIMIT);
	assert_string_equal(wot_error_last(),
			    "more than 2 distinct names in the source's zones "
			    "([limits] names)");
	x->home.cfg.limit_names = 3;
	assert_int_equal(wot_limits_content(&x->home, "m", x->repo, &x->commit),
			 0);
	safety_commits(x);
}

static void touch(const char *dir, const char *rel)
{
	char *p = wot_path_join(dir, rel);
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fclose(f);
	free(p);
}

static int exists(const char *dir, const char *rel)
{
	char *p = wot_path_join(dir, rel);
	int e = wot_path_exists(p);

	free(p);
	return e;
}

/* Only stale regular files go; links and directories stay, whatever
 * their names, and so does a temporary file of a live process. */
static void safety_recover_debris(void **state)
{
	hostile *x = *state;
	const char *git = git_repository_path(x->repo);
	char *p = NULL, *link = NULL, *state_dir = NULL;
	char live[64];

	assert_int_equal(wot_mkdir_p(p = wot_path_join(git, "refs/wotdns/"
							    "fetched"),
				     0700),
			 0);
	free(p);
	touch(git, "refs/wotdns/fetched/main.lock");
	touch(git, "refs/wotdns/verified.lock");
	touch(git, "FETCH_HEAD.lock");
	touch(git, "objects/pack/pack_git2_0123456789abcdef");
	touch(x->dir, "outside.lock");
	link = wot_path_join(git, "refs/wotdns/evil.lock");
	p = wot_path_join(x->dir, "outside.lock");
	assert_int_equal(symlink(p, link), 0);
	free(p);
	assert_int_equal(
	    wot_mkdir_p(p = wot_path_join(git, "refs/wotdns/dir.lock"), 0700),
	    0);
	free(p);
	assert_int_equal(wot_mirror_recover("m", x->repo), 4);
	assert_false(exists(git, "refs/wotdns/fetched/main.lock"));
	assert_false(exists(git, "refs/wotdns/verified.lock"));
	assert_false(exists(git, "FETCH_HEAD.lock"));
	assert_false(exists(git, "objects/pack/pack_git2_0123456789abcdef"));
	assert_true(exists(git, "refs/wotdns/evil.lock"));
	assert_true(exists(x->dir, "outside.lock"));
	assert_true(exists(git, "refs/wotdns/dir.lock"));
	/* state/: a dead process's temporary file goes, a live one's stays */
	state_dir = wot_path_join(x->dir, "state");
	assert_int_equal(wot_mkdir_p(state_dir, 0700), 0);
	snprintf(live, sizeof(live), "accepted.zone.tmp.%ld", (long)getppid());
	touch(state_dir, live);
	touch(state_dir, "accepted.json.tmp.999999999");
	assert_int_equal(wot_home_recover(&x->home), 1);
	assert_true(exists(state_dir, live));
	assert_false(exists(state_dir, "accepted.json.tmp.999999999"));
	free(state_dir);
	free(link);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(safety_limits_from_config),
	    cmocka_unit_test(safety_zone_parse_stops_at_max),
	    cmocka_unit_test(safety_freshness),
	    cmocka_unit_test_setup_teardown(safety_tree_only_regular_files,
					    setup_hostile, teardown_hostile),
	    cmocka_unit_test_setup_teardown(safety_tree_limits, setup_hostile,
					    teardown_hostile),
	    cmocka_unit_test_setup_teardown(safety_recover_debris,
					    setup_hostile, teardown_hostile),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	return rc;
}

/*
 * recover.c - what an interrupted sync leaves behind, cleared before the
 * next one.
 *
 * A crash or `kill -9` never damages the verified state: refs move by
 * lock file and rename, objects come before the refs that name them, and
 * state files are replaced by rename (docs/sync.md, "Crash safety").
 * But it leaves debris. libgit2 takes NAME.lock (created exclusively) for
 * every ref it updates, and a stale one makes every later update of that
 * ref fail, so a source would never advance again; the pack being
 * received stays as objects/pack/pack_git2_*; a state file being written
 * stays as PATH.tmp.PID. Every change to a mirror or to state/ happens
 * under the home lock, so while we hold it such debris is stale. (A
 * state temporary file is removed only when its process is gone: the
 * daemon writes its own files outside the home lock.)
 */
#include "sync/home/home.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef int (*stale_fn)(const char *name);

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static int is_lock(const char *name)
{
	return ends_with(name, ".lock");
}

static int is_pack_tmp(const char *name)
{
	return !strncmp(name, "pack_git2_", 10);
}

/* NAME.tmp.PID of a process that is gone. */
static int is_dead_tmp(const char *name)
{
	const char *t = strstr(name, ".tmp.");
	char *end;
	long pid;

	if (!t || !t[5])
		return 0;
	pid = strtol(t + 5, &end, 10);
	if (*end || pid <= 0 || (pid_t)pid == getpid())
		return 0;
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

/*
 * Remove the stale regular files of dir (links are never followed or
 * removed); with depth > 0, also in its subdirectories. label prefixes
 * the log lines. Returns how many were removed.
 */
static int sweep(const char *label, const char *dir, const char *rel,
		 stale_fn stale, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int removed = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		int sub = depth > 0 &&
			  (e->d_type == DT_DIR || e->d_type == DT_UNKNOWN);
		struct stat st;
		char *p, *r;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		/* Most entries are neither: no path, no lstat for them. */
		if (!sub && !stale(e->d_name))
			continue;
		p = wot_path_join(dir, e->d_name);
		r = *rel ? wot_strdup_printf("%s/%s", rel, e->d_name)
			 : strdup(e->d_name);
		if (p && r && lstat(p, &st) == 0) {
			if (S_ISDIR(st.st_mode) && depth > 0)
				removed += sweep(label, p, r, stale, depth - 1);
			else if (S_ISREG(st.st_mode) && stale(e->d_name) &&
				 unlink(p) == 0) {
				wot_log(WOT_LOG_NOTICE, "sync",
					"%s: removed %s, left by an "
					"interrupted sync",
					label, r);
				removed++;
			}
		}
		free(p);
		free(r);
	}
	closedir(d);
	return removed;
}

int wot_mirror_recover(const char *name, git_repository *repo)
{
	const char *gitdir = git_repository_path(repo);
	char *refs = wot_path_join(gitdir, "refs/wotdns");
	char *packs = wot_path_join(gitdir, "objects/pack");
	int n = 0;

	/* wotdns writes refs under refs/wotdns/ only (fetched/, verified,
	 * evidence/); libgit2 locks FETCH_HEAD and packed-refs at the top. */
	if (refs && packs) {
		n += sweep(name, gitdir, "", is_lock, 0);
		n += sweep(name, refs, "refs/wotdns", is_lock, 8);
		n += sweep(name, packs, "objects/pack", is_pack_tmp, 0);
	}
	free(refs);
	free(packs);
	return n;
}

/* A shard file's name: ID-GEN.zone, .json or .hist. */
static int is_shard_file(const char *name)
{
	const char *dash = strchr(name, '-'), *dot = strrchr(name, '.');

	return dash && dot && dot > dash + 1 &&
	       (!strcmp(dot, ".zone") || !strcmp(dot, ".json") ||
		!strcmp(dot, ".hist"));
}

/* Shard files no manifest names: written by a recompute that was killed
 * before its manifest replaced the old one. */
static int sweep_orphans(const wot_home *h)
{
	char *dir = wot_state_path(h, WOT_STATE_ACCEPTED);
	wot_manifest *m = NULL;
	wot_map *named = NULL;
	DIR *d = NULL;
	struct dirent *e;
	int n = 0, rc = wot_manifest_load((wot_home *)h, &m);

	/* An unreadable manifest: better to keep everything. */
	if ((rc < 0 && rc != WOT_ENOENT) || !dir || wot_map_new(&named) < 0)
		goto out;
	for (size_t i = 0; m && i < m->nshards; i++) {
		static const char *const kinds[] = {"zone", "json", "hist"};
		for (size_t k = 0; k < 3; k++) {
			char *p = wot_manifest_path((wot_home *)h,
						    &m->shards[i], kinds[k]);
			if (p)
				wot_map_put(named, strrchr(p, '/') + 1,
					    (void *)1, NULL);
			free(p);
		}
	}
	if (!(d = opendir(dir)))
		goto out;
	while ((e = readdir(d))) {
		struct stat st;
		char *p;
		if (!is_shard_file(e->d_name) || wot_map_get(named, e->d_name))
			continue;
		p = wot_path_join(dir, e->d_name);
		if (p && lstat(p, &st) == 0 && S_ISREG(st.st_mode) &&
		    unlink(p) == 0) {
			wot_log(WOT_LOG_NOTICE, "sync",
				"home: removed %s/%s, left by an "
				"interrupted sync",
				wot_state_rel(WOT_STATE_ACCEPTED), e->d_name);
			n++;
		}
		free(p);
	}
	closedir(d);
out:
	wot_error_clear();
	wot_map_free(named, NULL);
	wot_manifest_free(m);
	free(dir);
	return n;
}

int wot_home_recover(const wot_home *h)
{
	static const wot_state_file dirs[] = {
	    WOT_STATE_DIR, WOT_STATE_STATUS, WOT_STATE_EVIDENCE,
	    WOT_STATE_RRCACHE, WOT_STATE_ACCEPTED};
	int n = sweep_orphans(h);
	char *top = strdup(wot_home_dir(h));

	if (top)
		n += sweep("home", top, "", is_dead_tmp, 0);
	free(top);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char *p = wot_state_path(h, dirs[i]);
		if (p)
			n += sweep("home", p, wot_state_rel(dirs[i]),
				   is_dead_tmp, 0);
		free(p);
	}
	return n;
}

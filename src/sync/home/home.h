/*
 * home/home.h - the home inside the sync room (internal): its object, its
 * safety checks and lock, the config file, the sources list, the status
 * files and what an interrupted run leaves behind.
 */
#ifndef WOT_SYNC_HOME_H
#define WOT_SYNC_HOME_H

#include "sync/sync.h"
#include "util/util.h"

#include <git2.h>
#include <stdatomic.h>

struct wot_home {
	char *dir;
	wot_config cfg;
	unsigned lock_wait_s; /* wot_home_set_lock_wait */
	int git;	      /* holds a libgit2 reference (wot_git_acquire) */
	_Atomic(wot_tlds *) tlds; /* the public suffixes, read at first use */
};

/* homesafe.c: path (if it exists) belongs to owner or root and is not
 * writable by group or others; else WOT_EINVAL with a message naming the
 * path and the fix. check_dir covers the home directory and its config
 * (before the config is read), check_rest what the parsed config leads
 * to: sources.conf, state/, the keyring directory and its files. */
int wot_home_check_path(const char *path, unsigned owner);
int wot_home_check_dir(const char *dir, unsigned owner);
int wot_home_check_rest(const wot_home *h, unsigned owner);

/*
 * Exclusive lock on the home (HOME/lock) for everything that changes it or
 * the keyring: the daemon's sync and the CLI never interleave, so gpg never
 * revalidates the trustdb under a concurrent reader.
 */
int wot_home_lock(const wot_home *h, int *fd);
void wot_home_unlock(int fd);
/*
 * The longest line (without its newline) of an INI file we read: libinih
 * reads lines into a buffer of INI_MAX_LINE (200) bytes and parses the
 * rest of a longer line as a line of its own, so a value's tail could
 * become another key. wot_ini_parse refuses longer lines instead.
 */
enum { WOT_INI_LINE_MAX = 198 };

/* Parse config text; errors as "path:line: ...". */
int wot_config_parse(wot_config *cfg, const char *text, const char *path);
void wot_config_dispose(wot_config *cfg);
/* [discovery] auto: "off" -> 0, "valid" -> -1 (any valid key), "level:N"
 * -> N (valid and at most N certification steps away). */
int wot_discovery_parse(const char *text, int *level);
/* A config holding every default. */
int wot_config_defaults(wot_config *cfg);
/* Serialise cfg as INI text (caller frees). */
char *wot_config_format(const wot_config *cfg);
/* Save the sources file (self is not stored). */
int wot_sources_save(const wot_home *h, const wot_source *s, size_t n);
/* Status file helpers. */
int wot_status_write(const wot_home *h, const char *name, const char *head,
		     const char *error);

/* recover.c: debris of an interrupted sync (call with the home lock
 * held). Stale lock files (refs, FETCH_HEAD...) and partial packs of a
 * mirror; returns how many files were removed (each logged). */
int wot_mirror_recover(const char *name, git_repository *repo);
/* PATH.tmp.PID files of dead processes in the home and state/. */
int wot_home_recover(const wot_home *h);
/* Our own state files (a shard's history, a source's record cache) grow
 * with the names followed: about 80 bytes per name. */
#define WOT_MAX_STATE_BYTES (1u << 30)

/* All sources as wot_sources_load gives them, and *at the index of the
 * followed source name (never self: WOT_EINVAL; none: WOT_ENOENT, and
 * nothing to free). Caller frees with wot_sources_free(). */
int wot_sources_load_one(const wot_home *h, const char *name, wot_source **out,
			 size_t *n, size_t *at);

#endif

/* desktop_wire.h - internals of the desktop wiring (setup, journal, undo).
 *
 * A change to the system is a wd_change; the state of a path before it is a
 * wd_orig. The journal (desktop_journal.c) writes each path's original state
 * to disk before the first change to it, so undo can restore it after any
 * crash; a setup that fails half-way restores the in-memory originals of
 * what it changed in that run.
 */
#ifndef WOT_DNS_DESKTOP_WIRE_H
#define WOT_DNS_DESKTOP_WIRE_H

#include "dns/desktop/desktop.h"

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#define WD_JOURNAL_DIR "/var/lib/wotdns-desktop"
#define WD_RESOLV "/etc/resolv.conf"
#define WD_NSSWITCH "/etc/nsswitch.conf"
#define WD_NSS_CONF "/etc/wotdns/nss.conf"
#define WD_NM_DIR "/etc/NetworkManager"
#define WD_NM_CONF "/etc/NetworkManager/conf.d/90-wotdns.conf"
#define WD_UNIT_DIR "/etc/systemd/system"
#define WD_LISTEN_53 "127.0.0.1:53"
#define WD_LISTEN_53_V6 "[::1]:53"
#define WD_LISTEN_HIGH "127.0.0.1:5380"
#define WD_MAX_FILE (1024 * 1024)

/* What a path was (or is): absent, a regular file, a symbolic link, or a
 * directory (only ever recorded as "absent" and created by setup). */
enum wd_kind { WD_ABSENT, WD_FILE, WD_SYMLINK, WD_DIR };

struct wd_orig {
	enum wd_kind kind;
	char *data; /* file bytes or symlink target; owned */
	size_t len;
	unsigned mode; /* permission bits */
	uid_t uid;
	gid_t gid;
};

/* Reads what path is now (never following a final symlink). */
int wd_orig_read(const char *path, struct wd_orig *out);
void wd_orig_clear(struct wd_orig *o);
/* Puts path back as o describes (removes it if o was absent). */
int wd_orig_restore(const char *path, const struct wd_orig *o);

/* Writes a regular file: temp file in the same directory, mode and owner
 * set, fsync, rename; over a mount point (a bind-mounted resolv.conf in a
 * container) the file is rewritten in place instead. */
int wd_put_file(const char *path, const char *data, size_t len, unsigned mode,
		uid_t uid, gid_t gid);

/* One change setup makes. */
enum wd_op { WD_OP_WRITE, WD_OP_MKDIR, WD_OP_UNIT, WD_OP_RESOLVED };
struct wd_change {
	enum wd_op op;
	char *path; /* file or directory; unit name for WD_OP_UNIT */
	char *data; /* new bytes (WD_OP_WRITE); owned */
	size_t len;
	unsigned mode;
	uid_t uid;
	gid_t gid;
	const char *why; /* static text for the plan */
};

/* The journal: which paths setup changed and what they were before. */
enum wd_jkind { WD_J_PATH, WD_J_UNIT, WD_J_RESOLVED };
struct wd_jentry {
	enum wd_jkind kind;
	char *path; /* path, or unit name */
	int n;	    /* orig/N holds the bytes or link target */
	struct wd_orig orig;
};
struct wd_journal {
	char *user, *mode, *listen;
	bool nss, complete;
	struct wd_jentry *e;
	size_t n;
};

/* Loads the journal (a missing one is empty, *exists false). */
int wd_journal_load(struct wd_journal *j, bool *exists);
void wd_journal_clear(struct wd_journal *j);
int wd_journal_save(const struct wd_journal *j);
/* The index of path's entry, or -1. */
int wd_journal_find(const struct wd_journal *j, enum wd_jkind kind,
		    const char *path);
/* Records path's state now (o: read by the caller) before it changes:
 * bytes to orig/N, then the journal, both fsync'd. No-op when recorded. */
int wd_journal_record(struct wd_journal *j, enum wd_jkind kind,
		      const char *path, const struct wd_orig *o);
/* Undoes entry e (restores the path, disables the unit, resolved down),
 * saying so on log; with dry, only says what it would do. */
int wd_journal_undo_entry(const struct wd_jentry *e, FILE *log, bool dry);
/* Removes the journal and its saved originals. */
int wd_journal_remove(void);
/* Checks the journal directory is root's and private (creates it). */
int wd_journal_dir_ok(bool create);

/* Whether systemd runs as init (/run/systemd/system exists). */
bool wd_systemd_running(void);
/* Runs argv (no shell); 0 when it exits 0. Output goes to out. */
int wd_run(const char *const argv[], FILE *out);

/* The desktop user and their wotdns home. */
struct wd_user {
	char *name, *home, *config;
	uid_t uid;
	gid_t gid;
};
int wd_user_lookup(const char *name, struct wd_user *u);
void wd_user_clear(struct wd_user *u);

/* The nameserver addresses in resolv.conf text (caller frees the vector).
 */
int wd_resolv_nameservers(const char *text, char ***out);
/* resolv.conf text pointing at 127.0.0.1, keeping search/options lines. */
int wd_resolv_rewrite(const char *text, char **out);
/* The config text with `upstream = A` lines for each of ups added to its
 * [serve] section; *changed false when it already names an upstream. */
int wd_config_add_upstream(const char *text, char *const *ups, char **out,
			   bool *changed);
/* The drop-in for wotdns@USER.service: the listen addresses
 * (WOTDNS_SERVE_ARGS), the capability only for port 53, and BindPaths= for
 * a wotdns home outside /home/USER. */
struct wd_dropin {
	const char *mode, *user;
	const char *home;    /* the user's wotdns home */
	char *const *listen; /* NULL-terminated */
};
int wd_dropin_text(const struct wd_dropin *d, char **out);
/* Parses a drop-in setup wrote: its mode, user and first listen address
 * (each may be NULL; caller frees). */
int wd_dropin_parse(const char *text, char **mode, char **user, char **listen);

/* Sends one DNS question to server ("ADDR:PORT") and waits timeout_ms:
 * 0 and the rcode when anything answers. */
int wd_dns_ask(const char *server, const char *name, unsigned timeout_ms,
	       int *rcode);
/* Resolves name through getaddrinfo(): 0 and the first address text. */
int wd_gai(const char *name, char *addr, size_t cap);
/* An owner name with an address record from the user's accepted set, or
 * NULL (caller frees). */
char *wd_pick_overlay_name(const char *home);

#endif

/*
 * sync.h - the wotdns home, the own zone repository, followed sources,
 * fetching and verifying signed history, and the accepted record set.
 *
 * Layout of a home (see docs/design.md):
 *   config          INI settings (identity, serve)
 *   sources.conf    INI list of followed sources: [name] url=, key=
 *   gnupg/          keyring (unless config names another)
 *   own.git         the user's zone repository (bare, branch main)
 *   sources/N.git   mirrors; refs/wotdns/verified is the last verified head
 *   state/          accepted/ (manifest, shard files), status/N.json
 *
 * Conventions of every declaration below: a function returning int gives
 * 0 (or the count or flag it describes) on success and a negative WOT_E*
 * code on failure, with the last error set (wot_error_last). WOT_ENOMEM
 * may come from any function that allocates, and WOT_EIO from any that
 * reads or writes the home or takes its lock (also when another process
 * holds the lock past the lock wait); they are not repeated below, the
 * other codes are. What comes back through a pointer to a pointer is the
 * caller's, to free as said; a pointer returned as the value is borrowed
 * unless said.
 */
#ifndef WOT_SYNC_H
#define WOT_SYNC_H

#include "trust/trust.h"

#include <ldns/ldns.h>

#include <stddef.h>
#include <stdint.h>

#define WOT_OID_MAX 41
#define WOT_SELF "self" /* reserved source name for the own repository */

typedef struct wot_home wot_home;

typedef struct {
	const char *name;      /* user id name, default "wotdns user" */
	const char *email;     /* user id email, may be NULL */
	const char *key;       /* use this existing key instead of generating */
	const char *gnupghome; /* use this keyring instead of HOME/gnupg */
	long lock_wait_s;      /* for the first commit; -1: the default */
} wot_init_opts;
#define WOT_INIT_OPTS_INIT                                                     \
	{                                                                      \
		.name = NULL, .email = NULL, .key = NULL, .gnupghome = NULL,   \
		.lock_wait_s = -1                                              \
	}

/* Settings read from HOME/config (strings owned by the home). */
typedef struct {
	char *key;	 /* own fingerprint */
	char *gnupghome; /* keyring directory */
	char **listen;	 /* NULL-terminated */
	char **upstream; /* NULL-terminated; empty = /etc/resolv.conf */
	unsigned sync_interval;
	unsigned threads;	      /* listener threads, default 1 */
	unsigned cache_mb;	      /* upstream cache bound, 0 = no cache */
	unsigned upstream_timeout_ms; /* per upstream attempt */
	unsigned max_ttl;	      /* cap of upstream TTLs, seconds */
	char *user;		      /* drop root to this user after binding */
	unsigned no_upstream;	      /* overlay only: REFUSED outside it */
	unsigned forward_overlay_tlds; /* names under overlay-only TLDs no
					  record holds go upstream too */
	wot_trust_policy trust;	       /* [trust] weights, margin, shadow */
	unsigned completes_needed, marginals_needed, max_cert_depth;
	/* [peer]: what this peer announces in its repository's peer.conf,
	 * and where it listens for other peers (NOTIFY, opinions). */
	char **peer_endpoint;  /* announced "addr:port", NULL-terminated */
	char **peer_listen;    /* peer listener addresses; none by default */
	char **peer_notify;    /* extra endpoints told of every publish */
	unsigned peer_refresh; /* promise: head re-signed every N s; 0 none */
	unsigned peer_share_sources; /* list own sources in peer.conf */
	/* [sync] */
	unsigned sync_jobs;	/* sources fetched in parallel */
	unsigned max_age;	/* s; records of an older head expire; 0 off */
	unsigned notify_gap_ms; /* at most one NOTIFY-driven fetch per source
				   per gap */
	/* [limits] against hostile repositories */
	unsigned limit_fetch_mb;       /* bytes received in one fetch */
	unsigned limit_commits;	       /* new commits verified in one sync */
	unsigned limit_zone_kb;	       /* one zone file */
	unsigned limit_records;	       /* records in one zone file */
	unsigned limit_names;	       /* distinct owner names per source */
	unsigned limit_source_records; /* records of all zone files */
	unsigned limit_name_records;   /* records at one owner name */
	unsigned limit_rrset;	       /* records in one RRset */
	unsigned limit_commit_kb;      /* one commit object */
	unsigned limit_entries;	       /* entries of one tree */
	/* [discovery] friend-of-friend sources */
	char *discovery;	/* "off", "valid" or "level:N" */
	unsigned discovery_max; /* auto-followed sources at most */
	char *ca_file;		/* [sync] ca-file: CAs for https:// */
	char *ssh_key;		/* [sync] ssh-key: private key for ssh:// */
	/* [opinion] second opinions (docs/peer-protocol.md) */
	unsigned opinion_k;	      /* peers asked per changed RRset; 0 off */
	unsigned opinion_timeout_ms;  /* per question */
	unsigned opinion_unplaced_ms; /* first wait of an unplaced claim */
	char *opinion_policy;	      /* "serve" or "hold" */
	/* [opinion] neighbor majority (docs/design.md) */
	unsigned neighbors;	    /* N asked per sampled RRset; 0 off */
	unsigned majority;	    /* M of N that make us the outlier */
	unsigned neighbor_interval; /* s between rounds (+-20%); 0 off */
	unsigned neighbor_sample;   /* RRsets sampled per round */
} wot_config;

/* Default home: $WOTDNS_HOME, else $XDG_DATA_HOME/wotdns, else
 * ~/.local/share/wotdns. Caller frees. */
char *wot_home_default(void);

/*
 * Create a home in dir (must not already hold one), with its keyring and own
 * repository (first signed commit holds keys/<FPR>.asc). fpr receives the
 * user's fingerprint. Returns 0; WOT_EEXIST when dir is a home already;
 * WOT_EINVAL when dir or the keyring directory belongs to another user or
 * is writable by others, or opts->key matches several keys; WOT_ENOENT
 * when opts->key matches no secret key; WOT_EGPG (key generation,
 * signing); WOT_EGIT for the repository. On failure dir is no home (no config
 * is left).
 */
int wot_home_init(const char *dir, const wot_init_opts *opts,
		  char fpr[WOT_FPR_MAX]);
/*
 * Open an existing home; caller frees with wot_home_free(). The home, its
 * config, sources.conf, state/ and keyring must belong to the effective
 * user (or root) and be writable by no one else: WOT_EINVAL otherwise,
 * with a message naming the file and the fix. WOT_ENOENT when dir holds
 * no config (not a home); WOT_ESYNTAX ("config:LINE: ...") or WOT_EINVAL
 * for a config that does not parse or has no valid identity key;
 * WOT_EGIT when libgit2 cannot start. The home holds a reference of
 * libgit2 (and, once asked, its public suffix list) until it is freed.
 */
int wot_home_open(wot_home **out, const char *dir);
/* The same for a home that must belong to uid owner (or root): `serve`
 * run by root for the user it drops to. Same codes. */
int wot_home_open_owned(wot_home **out, const char *dir, unsigned owner);
/* Free h and what it holds (NULL is fine). */
void wot_home_free(wot_home *h);
/* h's settings and directory, borrowed for h's life. */
const wot_config *wot_home_config(const wot_home *h);
const char *wot_home_dir(const wot_home *h);
/* Open the home's keyring with its trust model settings; caller frees
 * with wot_trust_free(). WOT_EGPG when GPGME or gpg fails. */
int wot_home_trust(const wot_home *h, wot_trust **out);
/* How long a command waits for the home lock another process holds
 * before it gives up with WOT_EIO (it says once what it waits for). */
#define WOT_LOCK_WAIT_DEFAULT 60 /* seconds */
void wot_home_set_lock_wait(wot_home *h, unsigned seconds);
/* Path inside the home; caller frees; NULL when out of memory. */
char *wot_home_path(const wot_home *h, const char *rel);

/* ---- the state files of a home (state_path.c): the one table ---- */

typedef enum {
	WOT_STATE_DIR,		  /* state/ */
	WOT_STATE_ACCEPTED,	  /* state/accepted/: manifest, shard files */
	WOT_STATE_MANIFEST,	  /* state/accepted/manifest */
	WOT_STATE_STATUS,	  /* state/status/NAME.json, per source */
	WOT_STATE_EVIDENCE,	  /* state/evidence/NAME.json, per source */
	WOT_STATE_RRCACHE,	  /* state/cache/NAME.rr, per source */
	WOT_STATE_KEYS_CACHE,	  /* state/keys.cache: the keyring listed */
	WOT_STATE_DISCOVERY,	  /* state/discovery.json: failed follows */
	WOT_STATE_DISCOVER_STAMP, /* state/discover.stamp */
	WOT_STATE_OPINIONS,	  /* state/opinions.json: last checks */
	WOT_STATE_PEERS,	  /* state/peers.json: peer weights */
	WOT_STATE_ROUTES,	  /* state/routes: overlay TLDs for resolved */
	WOT_STATE_SERVE_SOCK,	  /* state/serve.sock: the control socket */
	WOT_STATE_NOTIFY_SOCK,	  /* state/notify.sock: "we published" */
	WOT_STATE_COUNT
} wot_state_file;

/* The path of f relative to the home ("state/accepted"; static), NULL
 * for a value outside the table. */
const char *wot_state_rel(wot_state_file f);
/* The path of f inside the home (caller frees); NULL when out of memory
 * or f is outside the table (error set). */
char *wot_state_path(const wot_home *h, wot_state_file f);
/* The file of source name in a per-source folder (WOT_STATE_STATUS,
 * _EVIDENCE, _RRCACHE), caller frees; NULL (error set) for another f or
 * when out of memory. name must be a valid source name. */
char *wot_state_source_path(const wot_home *h, wot_state_file f,
			    const char *name);

/* A followed source. */
typedef struct {
	char name[65];
	char *url;	       /* primary URL */
	char **mirrors;	       /* further URLs of the same history, NULL-
				  terminated (NULL when none) */
	char key[WOT_FPR_MAX]; /* pinned owner, "" until first verified sync */
	int discovered;	       /* auto-followed through friend-of-friend */
	int prefetched; /* fetched already in this sync (fetch_parallel.c): only
			   verification is left */
	char via[65];	/* discovered through this source, or "" */
	/* Out, set by a successful sync of the source: */
	char head[WOT_OID_MAX]; /* its verified head */
	int moved;		/* the head moved (or was first set) */
} wot_source;

/* All sources, self first. Caller frees with wot_sources_free().
 * WOT_ESYNTAX ("sources.conf:LINE: ...") for a file that does not
 * parse. */
int wot_sources_load(const wot_home *h, wot_source **out, size_t *n);
/* Free the n sources of s (NULL is fine). */
void wot_sources_free(wot_source *s, size_t n);
/* A source's evidence document, state/evidence/NAME.json (caller frees
 * *json): {"suspended": bool, "entries": [{kind, time, verified, offered,
 * offered_signer, owner, url}]}; an empty one when there is none (or it
 * does not parse). Returns 0 or WOT_ENOMEM. */
int wot_evidence_json(const wot_home *h, const char *name, char **json);
/* Resume a source suspended after an equivocation (takes the home lock).
 * WOT_EINVAL for a bad name or a source that is not suspended. */
int wot_source_trust_again(wot_home *h, const char *name);
/* 1 for a valid source name: [A-Za-z0-9_.-]{1,64}, not starting with
 * '.'; else 0. */
int wot_source_name_valid(const char *name);

/* ---- peer.conf (see docs/wotdns-peer.conf.5.md) ---- */

#define WOT_PEER_URLS_MAX 8

/* A source another peer follows, as its peer.conf lists it. */
typedef struct {
	char name[65];
	char **urls; /* url first, then mirrors; NULL-terminated */
	char key[WOT_FPR_MAX];
} wot_peer_source;

typedef struct {
	char **endpoints; /* "ADDR:PORT" (IP literals), NULL-terminated */
	size_t nendpoints;
	unsigned
	    refresh; /* head re-signed at least every N s; 0 = no promise */
	wot_peer_source *sources;
	size_t nsources;
} wot_peer_conf;

/* Release p (NULL is fine). */
void wot_peer_conf_free(wot_peer_conf *p);
/* peer.conf at source name's verified head; WOT_ENOENT when it has none
 * (or the source no verified head); WOT_ESYNTAX ("peer.conf:LINE: ...")
 * or WOT_ELIMIT when it does not parse; WOT_EGIT. Caller frees *out with
 * wot_peer_conf_free(). */
int wot_sync_peer_conf(wot_home *h, const char *name, wot_peer_conf **out);

/* ---- friend-of-friend discovery (discover.c, unfollow.c) ---- */

/* A source listed in a followed source's peer.conf. */
typedef struct {
	char name[65];	       /* as announced (may collide with ours) */
	char **urls;	       /* url first, then mirrors; NULL-terminated */
	char key[WOT_FPR_MAX]; /* announced owner */
	char **via;	       /* followed sources offering it, NULL-term. */
	wot_validity validity; /* of key for the user; UNKNOWN if absent */
	int level;	       /* WoT distance of key; -1 unreachable */
	int followed;	       /* already followed (by key or URL) */
	int ignored;	       /* unfollowed by the user: never auto */
	int would_follow;      /* [discovery] auto would take it */
	int64_t failed_at;     /* last automatic follow failed then (Unix
				  time; retried an hour later), else 0 */
	char error[256];       /* why it failed */
} wot_suggestion;

/*
 * Sources announced by followed sources' peer.conf at their verified
 * heads, one entry per owner key (urls of the first offer). Sources
 * already followed are included with followed = 1. Caller frees with
 * wot_suggestions_free(); WOT_EGIT or WOT_EGPG when a mirror or the
 * keyring cannot be read (a peer.conf that does not parse is skipped).
 */
int wot_sync_suggestions(wot_home *h, wot_trust *t, wot_suggestion **out,
			 size_t *n);
/* Free the n suggestions of s (NULL is fine). */
void wot_suggestions_free(wot_suggestion *s, size_t n);
/*
 * Stop following name: remove it from sources.conf with its mirror,
 * status and evidence files, remember it (key and URLs) in HOME/ignored so
 * discovery never adds it again, and recompute the accepted set (locked).
 * WOT_EINVAL for a bad name or self; WOT_ENOENT when name is not
 * followed; the recompute's codes (WOT_EGIT, WOT_EGPG).
 */
int wot_sync_unfollow(wot_home *h, wot_trust *t, const char *name);

/*
 * Give the followed source name the further URL url (add = 1), or take
 * the mirror url away (add = 0); locked. The next sync fetches and
 * compares it like every mirror. Returns 0; WOT_ENOENT for no such
 * source or (add = 0) a url that is no mirror of it; WOT_EEXIST when url
 * is already one of its URLs; WOT_ELIMIT past 8 mirrors; WOT_EINVAL for
 * a bad url or its primary URL.
 */
int wot_sync_mirror_edit(wot_home *h, const char *name, const char *url,
			 int add);

/* What a sync or recompute did. */
typedef struct {
	size_t sources, ok, failed, records, conflicts, rejected;
	size_t expired;	   /* sources past their maximum age, not served */
	size_t discovered; /* sources auto-followed by this sync */
	int unchanged;	   /* 1: no input changed, the outputs were kept */
} wot_sync_report;

/* ---- freshness (see docs/sync.md, "Freshness") ---- */

typedef struct {
	int64_t head_time; /* commit time of the verified head; 0 unknown */
	int64_t last_ok;   /* last successful fetch; 0 never */
	unsigned promise;  /* refresh promise of its peer.conf, s; 0 none */
	int64_t max_age;   /* records expire beyond this age, s; 0 never */
	int stale;	   /* head older than the promise plus a grace */
	int expired;	   /* head older than max_age: serves nothing */
} wot_freshness;

/* The freshness of source name at now from its status file (unknown
 * fields are 0; no file yet is no error). Returns 0 or WOT_ENOMEM. */
int wot_sync_freshness(const wot_home *h, const char *name, int64_t now,
		       wot_freshness *out);

/* ---- own repository ---- */

/*
 * Check every zone file with ldns (errors as file:line: message; nothing is
 * committed if any file is bad), then commit them as zones/<basename> in
 * one signed commit together with keys/. oid receives the commit id.
 * Returns 0; WOT_EINVAL (no file, or a name no source may claim) and
 * WOT_ESYNTAX ("file:line: ...") for bad zone files; WOT_ENOENT for a
 * missing file; WOT_ELIMIT for files over [limits]; WOT_EGPG (signing) or
 * WOT_EGIT (the commit).
 */
int wot_sync_publish(wot_home *h, wot_trust *t, const char *const *files,
		     size_t n, const char *msg, char oid[WOT_OID_MAX]);
/*
 * Certify fpr with the own key (exportable), set its ownertrust, and
 * republish keys/, as one locked operation. WOT_EGPG (unknown key,
 * certification), WOT_EGIT (the commit).
 */
int wot_sync_sign_friend(wot_home *h, wot_trust *t, const char *fpr,
			 wot_ownertrust level, char oid[WOT_OID_MAX]);
/* Set fpr's ownertrust and recompute the accepted set (locked): report
 * (may be NULL) gets what it did. WOT_EGPG, or the recompute's codes. */
int wot_sync_set_trust(wot_home *h, wot_trust *t, const char *fpr,
		       wot_ownertrust level, wot_sync_report *report);
/*
 * Renew: a new signed commit of the same zones and keys (peer.conf rebuilt
 * from [peer]), so followers see a fresh head (locked). oid may be NULL.
 * WOT_EGPG (signing), WOT_EGIT (no own head yet, or the commit).
 */
int wot_sync_renew(wot_home *h, wot_trust *t, const char *msg,
		   char oid[WOT_OID_MAX]);
/*
 * Renew if [peer] refresh is set and half of it has passed since the own
 * head was signed (the daemon calls this before each sync). Returns 1 when
 * it renewed (oid, if not NULL, gets the commit), 0 when not due, or a
 * negative code (also logged).
 */
int wot_sync_renew_due(wot_home *h, wot_trust *t, int64_t now,
		       char oid[WOT_OID_MAX]);

/* ---- sources ---- */

typedef enum {
	WOT_SYNC_EV_START,    /* source begins */
	WOT_SYNC_EV_FETCH,    /* objects: cur/total */
	WOT_SYNC_EV_DONE,     /* source finished: ok, message */
	WOT_SYNC_EV_ACCEPTED, /* record set recomputed: cur = records */
	WOT_SYNC_EV_BYTES     /* bytes received so far: cur */
} wot_sync_event;

typedef void (*wot_sync_progress)(wot_sync_event ev, const char *source,
				  size_t cur, size_t total, int ok,
				  const char *msg, void *data);

/* What to follow (wot_sync_follow). */
typedef struct {
	const char *url;	    /* the primary URL (required) */
	const char *const *mirrors; /* further URLs of the same history,
				       NULL-terminated; NULL for none */
	const char *name;	    /* NULL: derived from the URL */
	const char *key;	    /* pinned owner; NULL: the signer of the
				       first verified commit */
	wot_sync_progress progress; /* may be NULL */
	void *data;		    /* passed to progress */
} wot_follow_opts;
#define WOT_FOLLOW_OPTS_INIT                                                   \
	{                                                                      \
		.url = NULL, .mirrors = NULL, .name = NULL, .key = NULL,       \
		.progress = NULL, .data = NULL                                 \
	}

/*
 * Follow o->url as o->name (takes the home lock): fetch and verify once;
 * a source whose history does not verify is not added. Returns 0;
 * WOT_EINVAL for a bad name, key or URL; WOT_EEXIST when the name or URL
 * is already followed; WOT_EVERIFY when the history does not verify;
 * another negative code (WOT_EGIT, WOT_ENET, WOT_ELIMIT, WOT_ENOMEM...)
 * when the fetch failed.
 */
int wot_sync_follow(wot_home *h, wot_trust *t, const wot_follow_opts *o);

/*
 * Fetch every source, verify new commits, advance verified heads fast-forward
 * only, import keys, and recompute the accepted set. A source that fails
 * keeps its last verified head. Returns 0 even when some sources failed (see
 * report, and each source's status file); negative only when nothing
 * could be done: the lock, sources.conf (WOT_ESYNTAX), the recompute
 * (WOT_EGIT, WOT_EGPG). cb (may be NULL) sees each source's progress.
 */
int wot_sync_all(wot_home *h, wot_trust *t, wot_sync_progress cb, void *data,
		 wot_sync_report *report);

/*
 * Fetch, verify and recompute like wot_sync_all, but only the sources
 * named (names not followed are skipped; report->sources counts the
 * rest). Takes the home lock. src/sync/source/sync_named.c. Codes as
 * wot_sync_all.
 */
int wot_sync_sources(wot_home *h, wot_trust *t, const char *const *names,
		     size_t n, wot_sync_report *report);
/* The same for one source. */
int wot_sync_one(wot_home *h, wot_trust *t, const char *name,
		 wot_sync_report *report);
/* Endpoints to NOTIFY after a publish: those announced in the verified
 * peer.conf of every followed source, then [peer] notify, without
 * duplicates. *out is NULL-terminated; free with wot_notify_targets_free.
 * Returns 0 (a source without a readable peer.conf adds none) or a code
 * of wot_sources_load. */
int wot_sync_notify_targets(wot_home *h, char ***out, size_t *n);
/* Free v (NULL is fine). */
void wot_notify_targets_free(char **v);

/*
 * relation.c: how commit theirs relates to ours (both 40 hex digits) in
 * the mirror of source name: *out is WOT_REL_UNKNOWN for text that is no
 * commit id or a commit the mirror does not hold. Returns 0, or WOT_EGIT
 * when the mirror cannot be opened.
 */
int wot_sync_commit_relation(wot_home *h, const char *name, const char *ours,
			     const char *theirs, wot_rel *out);

/* ---- second opinions, the git side (opinion_git.c): where a commit a
 * peer claims stands against our verified head, what a commit says about a
 * name, fetching a claimed commit from the URLs a peer announces for that
 * source (docs/peer.md, "Second opinions"). Blocking: thread pool. ---- */

/* Where a claimed commit stands. */
enum {
	WOT_PLACE_SAME = 0,    /* our verified head */
	WOT_PLACE_BEHIND = 1,  /* an ancestor of it: the peer lags */
	WOT_PLACE_AHEAD = 2,   /* descends from it: we are behind */
	WOT_PLACE_FORK = 3,    /* in our mirror, neither: two histories */
	WOT_PLACE_UNKNOWN = 4, /* not in our mirror */
	WOT_PLACE_NOSOURCE = 5 /* we follow no such source (or no head) */
};

/* Static name of a WOT_PLACE_* value ("same", "behind"...). */
const char *wot_place_name(int place);

/* Place commit (40 hex) in source name's mirror (takes the home lock):
 * *place gets WOT_PLACE_*. WOT_EINVAL for a bad name or commit; WOT_EGIT
 * when the mirror cannot be read. */
int wot_sync_place(wot_home *h, const char *name, const char *commit,
		   int *place);

/*
 * Every record of the zone files in source name's commit (which must be in
 * our mirror; takes the home lock). Caller frees *out with
 * ldns_rr_list_deep_free. WOT_EINVAL for a bad name or commit; WOT_EGIT
 * when the commit is not in the mirror. A zone file that does not parse
 * adds no record (it was never accepted either).
 */
int wot_sync_records_at(wot_home *h, const char *name, const char *commit,
			ldns_rr_list **out);

/* 1 if source name is suspended after a proven equivocation, else 0. */
int wot_sync_source_suspended(wot_home *h, const char *name);

/* A commit a peer claims for one of our sources (all borrowed). */
typedef struct {
	const char *name;   /* our name for the source */
	const char *commit; /* 40 hex */
	/* NULL-terminated, may be NULL: the URLs peers announce for the
	 * source, at most WOT_PEER_URLS_MAX of them tried */
	char *const *urls;
} wot_peer_claim;

/* What came of it. */
typedef struct {
	int place;	  /* WOT_PLACE_* of the commit after the fetches */
	const char *kind; /* static: "equivocation", "rewrite" or "" */
	/* how many of urls answered the fetch: 0 means nothing was learnt,
	 * not that the commit is nowhere */
	size_t fetched;
} wot_peer_claim_result;

/*
 * Place c->commit in c->name's mirror; while it is not there, fetch
 * c->urls one by one into refs/wotdns/peer-fetched-N/, within [limits]
 * fetch-size, and place it again (takes the home lock). A claimed commit
 * that forks from our verified head is kept as evidence
 * (wot_evidence_refused: signed by the owner, it is an equivocation and
 * suspends the source); so is a fetched branch that forks, whatever was
 * claimed; out->kind says which ("" when nothing was kept about the
 * claimed commit). *out is always filled (place WOT_PLACE_UNKNOWN on
 * error). Returns 0; WOT_EINVAL for a bad source name or commit;
 * WOT_ENOENT for a source not followed or without a verified head;
 * WOT_EIO (the home lock), WOT_EGIT (the mirror) or WOT_ENOMEM. Nothing
 * to free.
 */
int wot_sync_fetch_claim(wot_home *h, wot_trust *t, const wot_peer_claim *c,
			 wot_peer_claim_result *out);

/* ---- the accepted set on disk (shard.c, manifest.c; docs/sync.md,
 * "The accepted set") ---- */

/* Largest shard file of the accepted set the resolver reads (a larger one
 * is skipped as corrupt: sync never writes one). */
#define WOT_MAX_SHARD_BYTES (512u << 20)

#define WOT_SHARDS 4096
#define WOT_SHARD_TOP WOT_SHARDS /* names of one label and the root */
#define WOT_SHARD_ID_MAX 8

/* The shard of a name from its wire form or its text (ldns escapes):
 * 0 .. WOT_SHARDS-1, or WOT_SHARD_TOP. No error. */
int wot_shard_of_wire(const uint8_t *wire, size_t len);
int wot_shard_of_name(const char *name);
/* "000".."fff" or "top" (the id in shard file names). */
void wot_shard_id(int shard, char out[WOT_SHARD_ID_MAX]);

/*
 * 1 if the last label of name (presentation form) is a TLD of the normal
 * DNS (the ICANN section of the public suffix list, a built-in core, any
 * two letters), 0 if it exists only in an overlay. Thread-safe; h reads
 * the list at its first call and keeps it until wot_home_free (without a
 * list, out of memory, every TLD counts as public). Sets no error.
 */
int wot_home_tld_public(wot_home *h, const char *name);

typedef struct {
	char *name, *key, *url;	  /* key "" when not pinned */
	char commit[WOT_OID_MAX]; /* verified head decided on; "" none */
	int expired;		  /* past its maximum age: serves nothing */
	int top;		  /* claimed a name of one label or a grant
				   * on one: a change means a full recompute */
} wot_manifest_source;

typedef struct {
	int shard;	  /* 0 .. WOT_SHARDS-1 or WOT_SHARD_TOP */
	uint64_t filegen; /* gen at which its files were written */
	size_t records, names, claims, rejected, conflicts;
	char hash[WOT_OID_MAX]; /* of its files' content: unchanged content
				 * keeps its files and generation */
	char **srcs; /* sources with claims in it (NULL-terminated) */
} wot_manifest_shard;

/*
 * state/accepted/manifest: the generation, a stamp of the inputs, totals,
 * every source as decided on, and every non-empty shard with the
 * generation of its files ID-FILEGEN.zone (accepted records, a master
 * file), .json (every claim explained) and .hist (ownership history and
 * first sights). It is replaced atomically after the shard files it names
 * are on disk: whoever reads it sees one whole generation.
 */
typedef struct {
	uint64_t gen, inputs;
	int64_t generated;
	int64_t until; /* the next expiry in the keyring; 0 unknown */
	size_t records, names, claims, rejected, conflicts, expired;
	wot_manifest_source *sources;
	size_t nsources;
	wot_manifest_shard *shards; /* ordered by shard */
	size_t nshards;
} wot_manifest;

/* Read the manifest; WOT_ENOENT when there is no accepted set yet,
 * WOT_ESYNTAX ("manifest:LINE: ...") when it does not parse. Free with
 * wot_manifest_free. */
int wot_manifest_load(wot_home *h, wot_manifest **out);
/* Free m (NULL is fine). */
void wot_manifest_free(wot_manifest *m);
/* The generation alone (0: no accepted set, or unreadable; no error),
 * for a cheap "is it new". */
uint64_t wot_manifest_gen(wot_home *h);
/* Path of one of the shard's files, kind "zone", "json" or "hist" (caller
 * frees; NULL when out of memory). */
char *wot_manifest_path(wot_home *h, const wot_manifest_shard *s,
			const char *kind);

/* ---- the accepted set explained (accepted_read.c) ---- */

/*
 * The accepted set as readers outside sync see it (`resolve`, `status`,
 * `conflicts`): a JSON document (caller frees *json) with "claims",
 * "names" (the accepted claim of each name) and "rejected" of the shards
 * read, and the totals of the whole set: "sources" [{name, key, url,
 * verified}], "records", "names_accepted", "expired", "generated". Each
 * claim is {name, type, source, signer, since, ..., reason (rejected
 * only)} as docs/sync.md, "The accepted set on disk", describes.
 * Returns 0; WOT_ENOENT when there is no accepted set yet; WOT_ESYNTAX
 * ("file:line: ...") when a file of it does not parse; WOT_ENOMEM.
 */
/* Only the shard holding name (and every name sharing it): fast at any
 * size. */
int wot_accepted_explain_name(wot_home *h, const char *name, char **json);
/* Only the shards holding a rejected claim. */
int wot_accepted_explain_rejected(wot_home *h, char **json);
/* Names of the sources whose records have expired ([sync] max-age) at
 * now, as "a, b" (caller frees), NULL when none. Returns 0, or a negative
 * code when the sources cannot be read. */
int wot_sources_expired(wot_home *h, int64_t now, char **list);

/* Per-source status as stored in state/status/<name>.json (JSON text;
 * caller frees; name must be a valid source name). WOT_ENOENT when the
 * source has none yet. */
int wot_sync_status_json(const wot_home *h, const char *name, char **json);

/* ---- where the normal DNS begins (zone/tld.c) ---- */

/* TLDs and public suffixes of the normal DNS: the ICANN section of the
 * public suffix list and a built-in core. Caller frees with
 * wot_tld_free(). Returns 0 (without a readable list, libpsl's built-in
 * copy is used and a warning logged) or WOT_ENOMEM. */
typedef struct wot_tlds wot_tlds;
int wot_tld_load(wot_tlds **out);
/* Free t (NULL is fine). */
void wot_tld_free(wot_tlds *t);
/* 1 if name's last label is a TLD of the normal DNS, else 0. */
int wot_tld_public(const wot_tlds *t, const char *name);

#endif

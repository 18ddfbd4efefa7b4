/*
 * daemon.h - `wotdns serve`: the resolver plus periodic sync, on one loop.
 *
 * Conventions: a function returning int gives 0 on success and a negative
 * WOT_E* code on failure, with the last error set (wot_error_last);
 * WOT_ENOMEM may come from any function that allocates and is not
 * repeated below. What comes back through a pointer to a pointer is the
 * caller's, to free as said.
 */
#ifndef WOT_DNS_DAEMON_H
#define WOT_DNS_DAEMON_H

#include "sync/sync.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A running daemon (wot_daemon_run owns it). */
typedef struct wot_daemon wot_daemon;

typedef struct {
	const char *const *listen; /* NULL: the config's, else defaults */
	size_t nlisten;
	const char *const *upstream; /* NULL: config's, else resolv.conf */
	size_t nupstream;
	int sync_interval; /* seconds; <0: config's; 0: never */
	int allow_nonloopback;
	const char *resolv_conf; /* NULL: /etc/resolv.conf */
	unsigned threads;	 /* listener threads; 0: config's */
	int cache_mb;		 /* upstream cache; <0: config's; 0: none */
	unsigned upstream_timeout_ms; /* 0: config's */
	const char *user; /* drop root to this user; NULL: config's */
	const char *const *peer_listen; /* NOTIFY listener; NULL: config's */
	size_t npeer_listen;
	/* 1: no upstream at all (overlay only, REFUSED outside it); 0: the
	 * config's [serve] no-upstream. Without it serve refuses to start
	 * when no upstream is usable. */
	int no_upstream;
	/* 1: leave the process's signals alone (several daemons in one
	 * process, an embedder): stop and reload with wot_daemon_stop and
	 * wot_daemon_reload instead. */
	int no_signals;
	/* Called on the daemon's loop once it serves (may be NULL): d is
	 * valid until wot_daemon_run returns. */
	void (*ready)(void *data, wot_daemon *d);
	void *ready_data;
	/* Rewrites each answer to an opinion question in place before it is
	 * sent (pkt: len bytes of cap); returns the new length. NULL (as in
	 * `wotdns serve`): the answers are the node's own. Only a program
	 * built on the library sets it: the lying peer of the tests
	 * (tests/tools/wot_liar). */
	size_t (*peer_answer)(void *data, uint8_t *pkt, size_t len, size_t cap);
	void *peer_answer_data;
} wot_daemon_opts;
#define WOT_DAEMON_OPTS_INIT                                                   \
	{                                                                      \
		.sync_interval = -1, .cache_mb = -1                            \
	}

/* How long the start waits for the upstreams' answers to the loop probe
 * (wot_dns_server_probe), at most. */
#define WOT_DAEMON_PROBE_MS 400

/*
 * Serve until SIGTERM or SIGINT (or wot_daemon_stop). Answers from the accepted
 * set (HOME/state/accepted/) at once, syncs on the thread pool every interval
 * and swaps the new record set in without pausing answers; SIGHUP reloads the
 * record set. Returns 0 after a clean shutdown. Refuses to start
 * (WOT_EINVAL, a message naming the fix) when no upstream is usable: none
 * configured or in resolv.conf besides itself, or each one sends the
 * start's probe back to us; unless o->no_upstream or the config's.
 * Also WOT_EINVAL for a bad address, thread count or user; WOT_ENET when
 * a listener or the control socket cannot be bound; WOT_EEXIST when
 * another daemon serves this home; WOT_EIO when privileges cannot be
 * dropped or the loop fails.
 */
int wot_daemon_run(wot_home *h, const wot_daemon_opts *o);

/*
 * Ask the running daemon d (from o->ready) to shut down as on SIGTERM,
 * from any thread; wot_daemon_run then returns. d must not be used
 * after that.
 */
void wot_daemon_stop(wot_daemon *d);
/* Ask d to reload its record set as on SIGHUP, from any thread. */
void wot_daemon_reload(wot_daemon *d);

/*
 * The running daemon's counters as JSON (caller frees *json), read from
 * its control socket. WOT_ENOENT when no daemon runs on this home;
 * WOT_ENET when it does not answer; WOT_ELIMIT for an answer too large.
 */
int wot_daemon_status(const wot_home *h, char **json);

/*
 * Tell the daemon running on this home that the own repository changed,
 * so it NOTIFYs its followers and serves the change. WOT_ENOENT when no
 * daemon runs (nothing to do then).
 */
int wot_daemon_notify(const wot_home *h);

/* ==== the routes file (routes_file.c): HOME/state/routes, written by the
 * daemon after every table swap, read by `wotdns desktop refresh` ==== */

/* The daemon's routes: the domains that must reach wotdns (routing domains
 * for resolved) and those that must not be DNSSEC-validated against the
 * real root (negative trust anchors). Names are lower-case presentation
 * form without the trailing dot ("wot", "alice.example.com"). */
struct wot_dns_routes {
	char **route; /* owned; route[n_route] == NULL */
	size_t n_route;
	char **nta; /* owned; nta[n_nta] == NULL */
	size_t n_nta;
};

/* Frees the arrays inside r (not r itself); accepts NULL. */
void wot_dns_routes_clear(struct wot_dns_routes *r);

/* Reads a routes file (STATE/routes in a wotdns home, written by the
 * daemon after every table swap). The file is hostile input: only
 * well-formed names are accepted; a bad line fails with FILE:LINE in the
 * last error. A missing file gives empty routes and 0. Codes as
 * wot_dns_routes_parse, and WOT_EIO when the file cannot be read.
 * Clear *out with wot_dns_routes_clear. */
int wot_dns_routes_read(const char *path, struct wot_dns_routes *out);

/* Limits on a routes file: it comes from a home another user owns. */
enum {
	WOT_ROUTES_MAX = 4096,	       /* entries of each kind */
	WOT_ROUTES_BYTES = 512 * 1024, /* the whole file */
	WOT_ROUTES_NAME_MAX = 253      /* one name, presentation */
};

/* 1 if name is one the routes file may hold: lower-case letters, digits,
 * '-' and '_', labels of 1..63 octets not starting or ending in '-',
 * no trailing dot, at most WOT_ROUTES_NAME_MAX octets. */
int wot_dns_routes_name_ok(const char *name);

/* Parses the text of a routes file; label names it in errors
 * ("LABEL:LINE: why"). Duplicates are dropped, order kept. WOT_ESYNTAX or
 * WOT_EINVAL for a bad line or name; WOT_ELIMIT for a text or a list too
 * large. Clear *out with wot_dns_routes_clear (also after an error). */
int wot_dns_routes_parse(const char *text, size_t len, const char *label,
			 struct wot_dns_routes *out);

/* Appends name (checked with wot_dns_routes_name_ok) to r's routes
 * (nta 0) or negative trust anchors (nta 1) unless already there.
 * WOT_EINVAL for a name that is not routable; WOT_ELIMIT past the
 * entries a file may hold. */
int wot_dns_routes_add(struct wot_dns_routes *r, int nta, const char *name);

/* The routes file's text for r (caller frees *out, *len bytes): 0 or
 * WOT_ENOMEM. */
int wot_dns_routes_format(const struct wot_dns_routes *r, char **out,
			  size_t *len);

/* Writes r to path (temp file and rename) unless path already holds
 * exactly that text; *changed (may be NULL) says whether it wrote.
 * WOT_EIO when it cannot write. */
int wot_dns_routes_write(const char *path, const struct wot_dns_routes *r,
			 bool *changed);

#endif

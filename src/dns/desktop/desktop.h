/* desktop.h - wiring wotdns into a desktop's name resolution
 * (wot_dns_desktop_*).
 *
 * `wotdns desktop setup | status | undo | refresh` are thin front ends over
 * this module. It edits system files (resolv.conf, nsswitch.conf, systemd
 * drop-ins, resolved's negative trust anchors) and talks to
 * systemd-resolved; every change setup makes is journalled so that undo
 * restores each touched file byte for byte.
 *
 * Contract between the two halves (written by two people, see
 * docs/wotdns-desktop.1.md):
 *   - desktop_resolved.c: how the routes the daemon writes (daemon.h,
 *     routes_file.c) are applied to systemd-resolved;
 *   - desktop_setup.c and friends: detection, the journal, setup, status,
 *     undo, doctor.
 *
 * Conventions: a function returning int gives 0 on success and a negative
 * WOT_E* code on failure, with the last error set (wot_error_last):
 * WOT_EIO when a file or D-Bus call fails, WOT_ENOMEM, and the codes said
 * below. A problem found by status or doctor is no failure: it is
 * counted in *problems.
 */
#ifndef WOT_DNS_DESKTOP_H
#define WOT_DNS_DESKTOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "dns/daemon/daemon.h" /* the routes file */

/* Whether systemd-resolved runs and answers on D-Bus (*active); 0 in
 * either case, a negative code only when the question cannot be asked. */
int wot_dns_desktop_resolved_detect(bool *active);

/* Makes systemd-resolved send exactly r->route to server ("ADDR:PORT")
 * through wotdns's own link, with r->nta as negative trust anchors (on the
 * link and in /etc/dnssec-trust-anchors.d/wotdns.negative). Idempotent;
 * with plan != NULL, prints each change to plan and makes none. WOT_EINVAL
 * for a bad server address; WOT_ENOENT when resolved is not running. */
int wot_dns_desktop_resolved_up(const char *server,
				const struct wot_dns_routes *r, FILE *plan);

/* Removes wotdns's link (resolved forgets its routes) and the negative
 * trust anchor file. Idempotent (nothing to remove is 0); plan as above. */
int wot_dns_desktop_resolved_down(FILE *plan);

/* ---- setup, status, undo, doctor (desktop_setup.c and friends) ---- */

/* What `wotdns desktop setup` is asked to do. */
struct wot_dns_desktop_opts {
	const char *user; /* the desktop user, whose home is the trust root */
	const char *bin;  /* the wotdns binary the unit runs */
	bool dry_run;	  /* print every change, make none */
	bool nss;	  /* also put wotdns into nsswitch.conf's hosts: */
	bool no_dns;	  /* with nss: leave resolv.conf/resolved alone */
	FILE *out;	  /* what is done (or would be), for the user */
};

/* Wires the desktop user's daemon into the system's name resolution, by
 * the path detect finds (systemd-resolved, NetworkManager, a plain
 * resolv.conf). Every file is journalled under /var/lib/wotdns-desktop
 * before it changes; a failure rolls back what this run changed. Running
 * it again on a wired system changes nothing. Needs root unless dry_run.
 * WOT_EINVAL when not root (and not dry_run) or the system cannot be
 * wired as found (the message says how to fix it); WOT_EEXIST when it is
 * wired already for another user or mode; WOT_EIO when a file or systemd
 * fails (what this run changed is rolled back). */
int wot_dns_desktop_setup(const struct wot_dns_desktop_opts *o);

/* Restores every path setup changed, byte for byte, from the journal, and
 * stops and disables the unit it enabled. Needs root unless dry_run.
 * 0 with nothing to undo; WOT_EINVAL when not root (and not dry_run);
 * WOT_EIO when a file cannot be restored. */
int wot_dns_desktop_undo(bool dry_run, FILE *out);

/* What status and doctor check. */
struct wot_dns_desktop_check_opts {
	const char *name;   /* overlay name to resolve (NULL: one accepted) */
	const char *normal; /* a name outside the overlay (NULL: default) */
	const char *home;   /* doctor: the home to check (NULL: the wired
			       user's) */
	FILE *out;
};

/* Prints what is wired, whether the daemon answers and whether an overlay
 * name and a normal name resolve through getaddrinfo(); *problems counts
 * what is broken. Needs no root. Returns 0 (problems are counted, not
 * returned) or WOT_ENOMEM. */
int wot_dns_desktop_status(const struct wot_dns_desktop_check_opts *o,
			   int *problems);

/* Checks the wiring end to end for the home o->home, one line per
 * problem with its fix; *problems counts them. Needs no root. Returns 0
 * (problems are counted, not returned). */
int wot_dns_desktop_doctor(const struct wot_dns_desktop_check_opts *o,
			   int *problems);

/* nsswitch.conf text with `wotdns` put right after `files` on its hosts:
 * line, every other byte kept; *changed false when wotdns is named
 * already. *out is the caller's to free. WOT_EINVAL without a hosts:
 * line. */
int wot_dns_desktop_nss_add(const char *text, char **out, bool *changed);
/* Whether the hosts: line of nsswitch.conf text names wotdns. */
bool wot_dns_desktop_nss_named(const char *text);

#endif

/* routes.h - the routes file the daemon writes after each table swap
 * (routes.c computes it, daemon_routes.c schedules the writes). */
#ifndef WOT_DNS_ROUTES_H
#define WOT_DNS_ROUTES_H

#include "dns/daemon/daemon.h"
#include "dns/resolver/resolver.h"

#include <stdbool.h>
#include <uv.h>

/* The routes t asks for: each overlay-only TLD under which t holds a
 * name, then each zone apex of t under a TLD of the normal DNS (names
 * under another route left out), each both a route and an nta. Sorted.
 * Caller clears *out. */
int wot_dns_routes_of_table(const wot_dns_table *t, struct wot_dns_routes *out);

/* Computes t's routes and writes HOME/state/routes when they differ from
 * the file's; *changed (may be NULL) says whether it wrote. */
int wot_dns_routes_save(const wot_home *h, const wot_dns_table *t,
			bool *changed);

/* Writes the routes off the loop: at most one write runs; a table
 * offered meanwhile waits (only the newest one). */
typedef struct wot_dns_routes_job wot_dns_routes_job;
int wot_dns_routes_job_new(wot_dns_routes_job **out, uv_loop_t *loop,
			   const wot_home *h);
/* Takes a new reference to t (the caller keeps its own). */
void wot_dns_routes_offer(wot_dns_routes_job *j, wot_dns_table *t);
/* Stops taking tables; frees j once its write (if any) has finished on
 * the loop. Accepts NULL. */
void wot_dns_routes_job_close(wot_dns_routes_job *j);

#endif

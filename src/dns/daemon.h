/*
 * daemon.h - `wotdns serve`: the resolver plus periodic sync, on one loop.
 */
#ifndef WOT_DNS_DAEMON_H
#define WOT_DNS_DAEMON_H

#include "sync/sync.h"

#include <stddef.h>

typedef struct {
	const char *const *listen; /* NULL: the config's, else defaults */
	size_t nlisten;
	const char *const *upstream; /* NULL: config's, else resolv.conf */
	size_t nupstream;
	int sync_interval; /* seconds; <0: config's; 0: never */
	int allow_nonloopback;
	const char *resolv_conf; /* NULL: /etc/resolv.conf */
} wot_daemon_opts;
#define WOT_DAEMON_OPTS_INIT                                                   \
	{                                                                      \
		NULL, 0, NULL, 0, -1, 0, NULL                                  \
	}

/*
 * Serve until SIGTERM or SIGINT. Answers from HOME/state/accepted.zone at
 * once, syncs on the thread pool every interval and swaps the new record
 * set in without pausing answers; SIGHUP reloads the record set. Returns 0
 * after a clean shutdown.
 */
int wot_daemon_run(wot_home *h, const wot_daemon_opts *o);

#endif

/*
 * daemon_int.h - pieces of `wotdns serve` kept out of daemon.c.
 */
#ifndef WOT_DNS_DAEMON_INT_H
#define WOT_DNS_DAEMON_INT_H

#include "dns/daemon/accepted.h"
#include "dns/daemon/daemon.h"
#include "dns/daemon/scheduler.h"
#include "dns/peer/peer.h"
#include "dns/resolver/resolver.h"

typedef struct {
	wot_dns_pool *pool;
	const char *const *listen; /* bound addresses, NULL-terminated */
	size_t records;
	uint64_t uptime_s;
	const wot_prop *prop;	       /* NOTIFY counters; may be NULL */
	const wot_opinions *opinions;  /* second opinions; may be NULL */
	const wot_neighbor *neighbors; /* neighbor majority; may be NULL */
	int no_upstream;	       /* overlay only, on purpose */
	wot_sched_stats sched;	       /* fetches the peer room asked for */
	wot_dns_accepted *accepted;    /* its last load's errors */
} wot_daemon_info;

/* The control socket's document (caller frees *json). */
int wot_daemon_status_json(const wot_daemon_info *info, char **json);

/*
 * When running as root: switch to user (or the config's serve.user) for
 * good, after the sockets are bound. The home must belong to that user, so
 * syncs keep working. Without a user, a root daemon keeps root (with a
 * warning). A user given while not root is an error.
 */
int wot_daemon_drop_privileges(const wot_home *h, const char *user);

/* d's withdrawn set (borrowed, thread-safe; lives as long as d): what the
 * neighbor rounds change, for tests. A change shows after a reload. */
wot_dns_withdraw_set *wot_daemon_withdrawn(wot_daemon *d);
/* The resolver's wot_dns_tld_check for a home (a wot_home *): its public
 * suffix list (wot_home_tld_public). */
int wot_dns_daemon_tld_public(void *home, const char *tld);

#endif

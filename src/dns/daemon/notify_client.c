/*
 * notify_client.c - `wotdns publish` telling a running daemon: connecting
 * to HOME/state/notify.sock is the whole message (nothing is parsed on
 * the daemon's side); the daemon answers with a one-line document.
 */
#include "dns/daemon/control.h"
#include "dns/daemon/daemon.h"
#include "util/util.h"

#include <stdlib.h>

int wot_daemon_notify(const wot_home *h)
{
	char *path = wot_state_path(h, WOT_STATE_NOTIFY_SOCK), *doc = NULL;
	int rc;

	if (!path)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	rc = wot_path_exists(path)
		 ? wot_dns_control_fetch(path, 1000, &doc)
		 : wot_error_set(WOT_ENOENT, "no running daemon");
	free(doc);
	free(path);
	return rc;
}

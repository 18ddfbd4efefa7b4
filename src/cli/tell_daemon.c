/* tell_daemon.c - after a commit to own.git, poke the running daemon. */
#include "cli/cli.h"
#include "dns/daemon/daemon.h"

#include <stdio.h>

void cli_tell_daemon(const wot_home *h)
{
	int rc = wot_daemon_notify(h);

	/* No daemon: followers learn of it at their next timed sync. A
	 * daemon that did not take the notice is worth a word, never a
	 * failure: the commit is made. */
	if (rc < 0 && rc != WOT_ENOENT)
		fprintf(stderr,
			"wotdns: could not tell the running daemon "
			"(followers learn of it at their next sync): "
			"%s\n",
			wot_error_last());
}

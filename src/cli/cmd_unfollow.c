/* cmd_unfollow.c - wotdns unfollow */
#include "cli/cli.h"

#include <stdio.h>

static const char help[] =
    "usage: wotdns unfollow NAME [--home DIR]\n\n"
    "Stop following source NAME: remove it from sources.conf together\n"
    "with its fetched history (HOME/sources/NAME.git), status and\n"
    "evidence, and recompute the accepted record set, so its records are\n"
    "no longer served. Its owner key and URLs are remembered in\n"
    "HOME/ignored: friend-of-friend discovery never follows it again.\n"
    "'wotdns follow' of it clears that. Keys already imported stay in the\n"
    "keyring.\n";

int cmd_unfollow(int argc, char **argv)
{
	static const struct option opts[] = {CLI_COMMON_OPTS,
					     {NULL, 0, NULL, 0}};
	wot_home *h = NULL;
	wot_trust *t = NULL;
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		CLI_COMMON_CASE(c, help);
		return cli_usage("unfollow", "bad option '%s'",
				 argv[optind - 1]);
	}
	if (optind + 1 != argc)
		return cli_usage("unfollow", "expected exactly one NAME");
	if ((rc = cli_open(&h, &t)) != EXIT_OK)
		return rc;
	if (wot_sync_unfollow(h, t, argv[optind]) < 0)
		rc = cli_fail_last("unfollow");
	else
		printf("%s: unfollowed\n", argv[optind]);
	wot_trust_free(t);
	wot_home_free(h);
	return rc;
}

/* cmd_sign_friend.c - wotdns sign-friend */
#include "cli/cli.h"
#include "dns/daemon/daemon.h"

#include <stdio.h>

static const char help[] =
    "usage: wotdns sign-friend FPR [--trust none|marginal|full]\n"
    "                          [--home DIR]\n\n"
    "Certify the friend's key FPR with your key (an exportable\n"
    "certification, published in your repository's keys/), set its\n"
    "ownertrust (default full: keys it certifies become valid for you),\n"
    "and republish keys/. The friend's key must already be in the\n"
    "keyring, e.g. from 'wotdns follow'.\n";

int cmd_sign_friend(int argc, char **argv)
{
	static const struct option opts[] = {
	    CLI_COMMON_OPTS,
	    {"trust", required_argument, NULL, 't'},
	    {NULL, 0, NULL, 0},
	};
	wot_ownertrust level = WOT_OWNERTRUST_FULL;
	wot_home *h = NULL;
	wot_trust *t = NULL;
	char fpr[WOT_FPR_MAX], oid[WOT_OID_MAX];
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		CLI_COMMON_CASE(c, help);
		if (c != 't')
			return cli_usage("sign-friend", "bad option '%s'",
					 argv[optind - 1]);
		if (wot_ownertrust_parse(optarg, &level) < 0 ||
		    level == WOT_OWNERTRUST_ULTIMATE ||
		    level == WOT_OWNERTRUST_UNKNOWN)
			return cli_usage(
			    "sign-friend",
			    "--trust takes none, marginal or full");
	}
	if (optind + 1 != argc)
		return cli_usage("sign-friend", "expected one fingerprint");
	if ((rc = cli_open(&h, &t)) != EXIT_OK)
		return rc;
	if ((rc = wot_trust_find_key(t, argv[optind], 0, fpr)) < 0) {
		/* A friend's key arrives by following their repository. */
		rc = rc == WOT_ENOENT
			 ? cli_fail("sign-friend: no key matches '%s' in your "
				    "keyring; follow the friend's repository "
				    "first ('wotdns follow URL'), which "
				    "imports their key",
				    argv[optind])
			 : cli_fail_last("sign-friend");
		goto out;
	}
	if (wot_sync_sign_friend(h, t, fpr, level, oid) < 0) {
		rc = cli_fail_last("sign-friend");
		goto out;
	}
	printf("certified %s, ownertrust %s, published %s\n", fpr,
	       wot_ownertrust_name(level), oid);
	cli_tell_daemon(h);
out:
	wot_trust_free(t);
	wot_home_free(h);
	return rc;
}

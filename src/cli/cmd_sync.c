/* cmd_sync.c - wotdns sync */
#include "cli/cli.h"

#include <stdio.h>

static const char help[] =
    "usage: wotdns sync [--home DIR]\n\n"
    "Fetch every source, verify each new commit (good signature by the\n"
    "source's pinned owner key, key not revoked or expired, zones parse),\n"
    "and advance its verified head fast-forward only. A source whose\n"
    "update fails keeps its last verified head and is reported. Then\n"
    "recompute the accepted record set. Exits 1 if any source failed.\n";

int cmd_sync(int argc, char **argv)
{
	static const struct option opts[] = {CLI_COMMON_OPTS,
					     {NULL, 0, NULL, 0}};
	wot_sync_report rep;
	wot_home *h = NULL;
	wot_trust *t = NULL;
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		CLI_COMMON_CASE(c, help);
		return cli_usage("sync", "bad option '%s'", argv[optind - 1]);
	}
	if (optind != argc)
		return cli_usage("sync", "unexpected argument '%s'",
				 argv[optind]);
	if ((rc = cli_open(&h, &t)) != EXIT_OK)
		return rc;
	if (wot_sync_all(h, t, cli_progress, NULL, &rep) < 0) {
		rc = cli_fail_last("sync");
	} else {
		printf("sources: %zu ok, %zu failed; records: %zu; "
		       "conflicts: %zu",
		       rep.ok, rep.failed, rep.records, rep.conflicts);
		if (rep.expired)
			printf("; expired: %zu", rep.expired);
		printf("\n");
		if (rep.failed)
			rc = cli_fail("%zu source(s) failed to sync",
				      rep.failed);
	}
	wot_trust_free(t);
	wot_home_free(h);
	return rc;
}

/* cmd_sync.c - wotdns sync */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static const char help[] =
    "usage: wotdns sync [--progress | --quiet] [--home DIR] [SOURCE...]\n\n"
    "Fetch every source, verify each new commit (good signature by the\n"
    "source's pinned owner key, key not revoked or expired, zones parse),\n"
    "and advance its verified head fast-forward only, within [limits]\n"
    "(fetch size, commits, zone size, records, names). A source whose\n"
    "update fails keeps its last verified head and is reported. Then\n"
    "follow the sources friend-of-friend discovery allows ([discovery]\n"
    "auto) and recompute the accepted record set, leaving out sources\n"
    "past their maximum age ([sync] max-age). Exits 1 if any source\n"
    "failed.\n\n"
    "On a terminal a progress line (sources done, objects, bytes) is\n"
    "updated on stderr; elsewhere only the summary line is printed, and\n"
    "failing sources on stderr.\n"
    "With SOURCE names, only those sources are fetched and verified (as\n"
    "after a NOTIFY); no discovery runs, and the accepted set is\n"
    "recomputed from every source's verified head as always.\n"
    "  --progress  show progress even when stderr is not a terminal\n"
    "  --quiet     no progress and no summary; failures only\n";

/* Every name must be a followed source (or self). */
static int check_names(wot_home *h, char **names, size_t n)
{
	wot_source *s = NULL;
	size_t ns = 0;
	int rc = EXIT_OK;

	if (wot_sources_load(h, &s, &ns) < 0)
		return cli_fail_last("sync");
	for (size_t i = 0; rc == EXIT_OK && i < n; i++) {
		size_t k = 0;
		while (k < ns && strcmp(s[k].name, names[i]))
			k++;
		if (k == ns)
			rc = cli_fail("sync: no source named '%s' (see "
				      "'wotdns sources')",
				      names[i]);
	}
	wot_sources_free(s, ns);
	return rc;
}

int cmd_sync(int argc, char **argv)
{
	static const struct option opts[] = {
	    CLI_COMMON_OPTS,
	    {"progress", no_argument, NULL, 'p'},
	    {"quiet", no_argument, NULL, 'q'},
	    {NULL, 0, NULL, 0}};
	cli_sync_progress prog;
	wot_sync_report rep;
	wot_home *h = NULL;
	wot_trust *t = NULL;
	int c, rc, mode = 0, quiet = 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		CLI_COMMON_CASE(c, help);
		if (c == 'p')
			mode = 1;
		else if (c == 'q')
			quiet = 1;
		else
			return cli_usage("sync", "bad option '%s'",
					 argv[optind - 1]);
	}
	if (quiet && mode)
		return cli_usage("sync", "--progress and --quiet disagree");
	cli_sync_progress_init(&prog, quiet ? -1 : mode);
	if ((rc = cli_open(&h, &t)) != EXIT_OK)
		return rc;
	if (optind < argc && (rc = check_names(h, argv + optind,
					       (size_t)(argc - optind))) != 0) {
		/* named a source that is not followed: reported */
	} else if ((optind < argc
			? wot_sync_sources(h, t,
					   (const char *const *)argv + optind,
					   (size_t)(argc - optind), &rep)
			: wot_sync_all(h, t, cli_sync_progress_cb, &prog,
				       &rep)) < 0) {
		rc = cli_fail_last("sync");
	} else {
		if (!quiet) {
			printf("sources: %zu ok, %zu failed; records: %zu; "
			       "conflicts: %zu",
			       rep.ok, rep.failed, rep.records, rep.conflicts);
			if (rep.expired)
				printf("; expired: %zu", rep.expired);
			printf("\n");
		}
		if (!quiet && rep.discovered)
			printf("discovered: %zu new source(s) followed (see "
			       "'wotdns sources')\n",
			       rep.discovered);
		if (rep.failed)
			rc = cli_fail("%zu source(s) failed to sync",
				      rep.failed);
	}
	wot_trust_free(t);
	cli_sync_progress_dispose(&prog);
	wot_home_free(h);
	return rc;
}

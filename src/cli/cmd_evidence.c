/* cmd_evidence.c - wotdns evidence, wotdns source trust-again */
#include "cli/cli.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char help[] =
    "usage: wotdns evidence [NAME] [--home DIR]\n\n"
    "Show what sources did that wotdns refused and kept as proof: a\n"
    "rolled-back or rewritten history, or an equivocation (two histories\n"
    "signed by the owner that do not descend from each other; the source\n"
    "is then suspended). Each entry names the verified head and the\n"
    "offered one; both commits stay in HOME/sources/NAME.git, so\n"
    "'git verify-commit' can check them. Without NAME, every source.\n"
    "Exits 1 if any source is suspended.\n";

static const char help_source[] =
    "usage: wotdns source trust-again NAME [--home DIR]\n\n"
    "Resume a source suspended after an equivocation: the next sync\n"
    "accepts new records from it again (fast-forward from its verified\n"
    "head only, as always). The evidence stays.\n";

/* Print one source's evidence; returns 1 if it is suspended. */
static int show(const wot_home *h, const char *name)
{
	char *text = NULL, when[32];
	json_t *o, *e;
	size_t i;
	int susp;

	if (wot_evidence_json(h, name, &text) < 0 ||
	    !(o = json_loads(text, 0, NULL))) {
		free(text);
		return 0;
	}
	susp = json_is_true(json_object_get(o, "suspended"));
	if (susp)
		printf("%s: SUSPENDED ('wotdns source trust-again %s' "
		       "resumes)\n",
		       name, name);
	json_array_foreach(json_object_get(o, "entries"), i, e)
	{
		time_t t =
		    (time_t)json_integer_value(json_object_get(e, "time"));
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", gmtime(&t));
		printf("%s: %s at %s UTC from %s\n  verified %s\n  offered  %s "
		       "(signed by %s)\n  check:   git --git-dir=%s/sources/"
		       "%s.git verify-commit %.12s %.12s\n",
		       name, cli_jstr(e, "kind"), when, cli_jstr(e, "url"),
		       cli_jstr(e, "verified"), cli_jstr(e, "offered"),
		       *cli_jstr(e, "offered_signer")
			   ? cli_jstr(e, "offered_signer")
			   : "nobody valid",
		       cli_home, name, cli_jstr(e, "verified"),
		       cli_jstr(e, "offered"));
	}
	json_decref(o);
	free(text);
	return susp;
}

int cmd_evidence(int argc, char **argv)
{
	static const struct option opts[] = {CLI_COMMON_OPTS,
					     {NULL, 0, NULL, 0}};
	wot_source *s = NULL;
	wot_home *h = NULL;
	size_t n = 0;
	int c, susp = 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		CLI_COMMON_CASE(c, help);
		return cli_usage("evidence", "bad option '%s'",
				 argv[optind - 1]);
	}
	if (argc - optind > 1)
		return cli_usage("evidence", "at most one source name");
	if (cli_home_open(&h) < 0)
		return cli_fail_last(NULL);
	if (optind < argc) {
		susp = show(h, argv[optind]);
	} else if (wot_sources_load(h, &s, &n) == 0) {
		for (size_t i = 0; i < n; i++)
			susp |= show(h, s[i].name);
	} else {
		wot_home_free(h);
		return cli_fail_last("sources");
	}
	wot_sources_free(s, n);
	wot_home_free(h);
	return susp ? EXIT_ERR : EXIT_OK;
}

int cmd_source(int argc, char **argv)
{
	static const struct option opts[] = {CLI_COMMON_OPTS,
					     {NULL, 0, NULL, 0}};
	wot_home *h = NULL;
	int c, rc = EXIT_OK;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		CLI_COMMON_CASE(c, help_source);
		return cli_usage("source", "bad option '%s'", argv[optind - 1]);
	}
	if (argc - optind != 2 || strcmp(argv[optind], "trust-again"))
		return cli_usage("source", "expected: trust-again NAME");
	if (cli_home_open(&h) < 0)
		return cli_fail_last(NULL);
	if (wot_source_trust_again(h, argv[optind + 1]) < 0)
		rc = cli_fail_last("source");
	else
		printf("%s: resumed; run 'wotdns sync'\n", argv[optind + 1]);
	wot_home_free(h);
	return rc;
}

/* cmd_sources.c - wotdns sources */
#include "cli/cli.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char help[] =
    "usage: wotdns sources [--suggested] [--json] [--home DIR]\n"
    "       wotdns sources mirror add|remove NAME URL [--home DIR]\n\n"
    "List the followed sources: name, URL and mirrors, pinned owner key,\n"
    "and for sources followed automatically the source that announced\n"
    "them.\n\n"
    "With --suggested, list instead the sources that followed sources\n"
    "announce in their peer.conf and that are not followed yet: URLs,\n"
    "announced owner key with its validity and WoT level for you, which\n"
    "sources offer it, and whether 'wotdns sync' would follow it\n"
    "([discovery] auto in wotdns-config(5)). Unfollowed sources are shown\n"
    "as ignored. Follow one by hand with 'wotdns follow URL --key FPR'.\n"
    "When there is nothing to suggest, it says so.\n\n"
    "'mirror add NAME URL' gives the followed source NAME a further URL\n"
    "of the same history (as 'follow --mirror' does, at most 8); the\n"
    "next sync fetches it and compares its head. 'mirror remove NAME URL'\n"
    "takes a mirror away. A local path must exist.\n"
    "  --json  one JSON document on stdout\n";

static json_t *strv_json(char *const *v)
{
	json_t *a = json_array();

	for (size_t i = 0; v && v[i]; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static void list_followed(const wot_source *s, size_t n, json_t *out)
{
	for (size_t i = 1; i < n; i++) {
		if (out) {
			json_array_append_new(
			    out, json_pack("{s:s,s:s,s:o,s:s,s:b,s:s}", "name",
					   s[i].name, "url", s[i].url,
					   "mirrors", strv_json(s[i].mirrors),
					   "key", s[i].key, "discovered",
					   s[i].discovered, "via", s[i].via));
			continue;
		}
		printf("%s  %s\n", s[i].name, s[i].url);
		for (char **m = s[i].mirrors; m && *m; m++)
			printf("  mirror %s\n", *m);
		printf("  key %s\n", s[i].key[0] ? s[i].key : "(not pinned)");
		if (s[i].discovered)
			printf("  discovered via %s\n",
			       s[i].via[0] ? s[i].via : "?");
	}
}

static const char *why_not(const wot_suggestion *g, const wot_config *c)
{
	if (g->would_follow)
		return "yes";
	if (g->ignored)
		return "no: unfollowed by you (ignored)";
	if (g->failed_at && time(NULL) - g->failed_at < 3600)
		return "not before an hour after the last try (see below)";
	if (!strcmp(c->discovery, "off"))
		return "no: [discovery] auto = off";
	if (g->validity == WOT_VALIDITY_MARGINAL)
		return "no: key validity marginal for you (needs full)";
	if (g->validity < WOT_VALIDITY_FULL)
		return g->validity == WOT_VALIDITY_NEVER
			   ? "no: key validity never for you (needs full)"
			   : "no: key validity unknown for you (needs full)";
	if (!strncmp(c->discovery, "level:", 6))
		return "no: key beyond [discovery] auto level";
	return "no: URL scheme not followed automatically";
}

static void list_suggested(const wot_suggestion *g, size_t n,
			   const wot_config *c, json_t *out)
{
	size_t shown = 0;

	for (size_t i = 0; i < n; i++)
		shown += !g[i].followed;
	/* Silence would look like a failure. */
	if (!shown && !out)
		printf("nothing to suggest: no followed source announces a "
		       "source you do not follow yet\n");
	for (size_t i = 0; i < n; i++) {
		const char *v = wot_validity_name(g[i].validity);
		if (g[i].followed)
			continue;
		if (out) {
			json_array_append_new(
			    out,
			    json_pack("{s:s,s:o,s:s,s:o,s:s,s:i,s:b,s:b}",
				      "name", g[i].name, "urls",
				      strv_json(g[i].urls), "key", g[i].key,
				      "via", strv_json(g[i].via), "validity", v,
				      "level", g[i].level, "ignored",
				      g[i].ignored, "auto", g[i].would_follow));
			continue;
		}
		printf("%s  %s\n", g[i].name, g[i].urls[0]);
		for (size_t j = 1; g[i].urls[j]; j++)
			printf("  mirror %s\n", g[i].urls[j]);
		printf("  key %s (%s", g[i].key, v);
		if (g[i].level >= 0)
			printf(", level %d", g[i].level);
		printf(")\n  offered by");
		for (char **w = g[i].via; w && *w; w++)
			printf(" %s", *w);
		printf("\n  auto-follow: %s\n", why_not(&g[i], c));
		if (g[i].failed_at) {
			time_t when = (time_t)g[i].failed_at;
			char ts[32];
			strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S",
				 gmtime(&when));
			printf("  last try failed at %s UTC: %s\n", ts,
			       g[i].error);
		}
	}
}

static int run(int suggested, int as_json)
{
	wot_home *h = NULL;
	wot_trust *t = NULL;
	wot_source *s = NULL;
	wot_suggestion *g = NULL;
	size_t n = 0, ng = 0;
	json_t *arr = as_json ? json_array() : NULL;
	int rc;

	if ((rc = cli_open(&h, &t)) != EXIT_OK) {
		json_decref(arr);
		return rc;
	}
	if (suggested ? wot_sync_suggestions(h, t, &g, &ng) < 0
		      : wot_sources_load(h, &s, &n) < 0)
		rc = cli_fail_last("sources");
	else if (suggested)
		list_suggested(g, ng, wot_home_config(h), arr);
	else
		list_followed(s, n, arr);
	if (rc == EXIT_OK && arr) {
		json_t *doc = json_pack(
		    "{s:O}", suggested ? "suggested" : "sources", arr);
		char *text = json_dumps(doc, JSON_INDENT(2));
		if (text)
			printf("%s\n", text);
		free(text);
		json_decref(doc);
	}
	json_decref(arr);
	wot_suggestions_free(g, ng);
	wot_sources_free(s, n);
	wot_trust_free(t);
	wot_home_free(h);
	return rc;
}

/* sources mirror add|remove NAME URL */
static int mirror(int argc, char **argv)
{
	wot_home *h = NULL;
	char *url = NULL;
	int add, rc;

	if (argc != 4 || (strcmp(argv[1], "add") && strcmp(argv[1], "remove")))
		return cli_usage("sources",
				 "expected 'mirror add|remove NAME URL'");
	add = !strcmp(argv[1], "add");
	/* A mirror that is removed need not exist any more. */
	if (add ? (rc = cli_source_url("sources mirror", argv[3], &url)) !=
		      EXIT_OK
		: !(url = strstr(argv[3], "://") ? strdup(argv[3])
						 : cli_abspath(argv[3])))
		return add ? rc : cli_fail("out of memory");
	if (cli_home_open(&h) < 0)
		rc = cli_fail_last(NULL);
	else if (wot_sync_mirror_edit(h, argv[2], url, add) < 0)
		rc = cli_fail_last("sources mirror");
	else
		printf("%s: mirror %s %s\n", argv[2], url,
		       add ? "added" : "removed");
	wot_home_free(h);
	free(url);
	return rc;
}

int cmd_sources(int argc, char **argv)
{
	static const struct option opts[] = {
	    CLI_COMMON_OPTS,
	    {"suggested", no_argument, NULL, 's'},
	    {"json", no_argument, NULL, 'j'},
	    {NULL, 0, NULL, 0},
	};
	int c, suggested = 0, as_json = 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		CLI_COMMON_CASE(c, help);
		if (c == 's')
			suggested = 1;
		else if (c == 'j')
			as_json = 1;
		else
			return cli_usage("sources", "bad option '%s'",
					 argv[optind - 1]);
	}
	if (optind < argc && !strcmp(argv[optind], "mirror") && !suggested &&
	    !as_json)
		return mirror(argc - optind, argv + optind);
	if (optind != argc)
		return cli_usage("sources", "unexpected argument '%s'",
				 argv[optind]);
	return run(suggested, as_json);
}

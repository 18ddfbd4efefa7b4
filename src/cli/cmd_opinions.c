/* cmd_opinions.c - wotdns opinions: what peers said about a name */
#include "cli/cli.h"
#include "dns/peer/peer.h"

#include <jansson.h>
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const char help[] =
    "usage: wotdns opinions NAME [TYPE] [--ask ADDR:PORT] [--format json]\n"
    "       wotdns opinions --head FPR --ask ADDR:PORT\n"
    "                                               [--home DIR]\n\n"
    "Show the second opinions the running daemon collected about NAME\n"
    "(every type, or only TYPE): for each check, the RRset's source and\n"
    "commit, and what each asked peer said (agree, lagging, ahead,\n"
    "unplaced, lie, equivocation, other-source, none, timeout, error),\n"
    "with the peer's weight, and, when a peer claimed a commit this node\n"
    "could not place, which head other peers hold for that source (the\n"
    "head question). Read from HOME/state/opinions.json (the last 256\n"
    "checks).\n\n"
    "--ask ADDR:PORT asks that peer now instead (TYPE defaults to A) and\n"
    "prints its answer (asked again over TCP when truncated over UDP),\n"
    "then asks it the head question about the answer's source and, when\n"
    "this home follows that source, says where the peer's commit and head\n"
    "stand against our verified head (same, behind, ahead, fork,\n"
    "unknown). With --head FPR, asks only which verified head the peer\n"
    "holds for the source owned by FPR. See docs/peer-protocol.md.\n\n"
    "Exits 1 when nothing is known about NAME (or the peer did not\n"
    "answer, or only with a truncated answer).\n";

static void print_check(json_t *c)
{
	char when[32];
	time_t t = (time_t)json_integer_value(json_object_get(c, "time"));
	char *type = ldns_rr_type2str(
	    (ldns_rr_type)json_integer_value(json_object_get(c, "type")));
	json_t *a;
	size_t i;

	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", gmtime(&t));
	printf("%s %s from %s at %.12s, checked %s UTC\n", cli_jstr(c, "name"),
	       type ? type : "?", cli_jstr(c, "source"), cli_jstr(c, "commit"),
	       when);
	free(type);
	json_array_foreach(json_object_get(c, "answers"), i, a)
	{
		printf("  %-22s %-13s", cli_jstr(a, "peer"),
		       cli_jstr(a, "verdict"));
		if (*cli_jstr(a, "commit"))
			printf(" at %.12s", cli_jstr(a, "commit"));
		printf(" (via %s, weight %.2f)", cli_jstr(a, "peer_source"),
		       json_number_value(json_object_get(a, "weight")));
		if (*cli_jstr(a, "note"))
			printf(": %s", cli_jstr(a, "note"));
		printf("\n");
	}
	/* asked when a claim could not be placed */
	json_array_foreach(json_object_get(c, "heads"), i, a)
	{
		printf("  %-22s head of %s: %.12s (via %s)\n",
		       cli_jstr(a, "peer"), cli_jstr(c, "source"),
		       cli_jstr(a, "commit"), cli_jstr(a, "peer_source"));
	}
}

static int show_saved(const char *name, int type, int json)
{
	char *text = NULL;
	json_t *checks = NULL, *c;
	wot_home *h = NULL;
	size_t i, found = 0;

	if (cli_home_open(&h) < 0)
		return cli_fail_last(NULL);
	if (wot_opinions_saved(h, name, (uint16_t)type, &text, &found) < 0) {
		wot_home_free(h);
		return cli_fail_last("opinions");
	}
	wot_home_free(h);
	if (json) {
		printf("%s\n", text);
	} else if (!found) {
		printf("%s%s: no second opinions yet (the daemon asks peers "
		       "when an RRset is new or changes)\n",
		       name, name[strlen(name) - 1] == '.' ? "" : ".");
	} else if ((checks = json_loads(text, 0, NULL))) {
		json_array_foreach(checks, i, c) print_check(c);
	}
	json_decref(checks);
	free(text);
	return found ? EXIT_OK : EXIT_ERR;
}

static void print_reply(const wot_opinion_reply *r, int head)
{
	if (r->truncated) {
		printf("error: truncated (no whole answer over TCP either)\n");
		return;
	}
	if (r->rcode || r->none) {
		printf("none (rcode %d)\n", r->rcode);
		return;
	}
	if (head) {
		printf("commit %s time %lld\n", r->commit, (long long)r->time);
		return;
	}
	printf("source %s name %s commit %s\n%s", r->fpr, r->source, r->commit,
	       r->digest ? r->digest : "");
}

/* Ask one peer one question now: the record question about name/type,
 * or the head question about fpr. */
static int ask_peer(const char *ep, const char *name, int type, const char *fpr,
		    wot_opinion_reply *r)
{
	wot_opinion_ask_opts o = WOT_OPINION_ASK_OPTS_INIT;

	o.endpoint = ep;
	o.name = name;
	o.type = (uint16_t)type;
	o.fpr = fpr;
	return wot_opinion_ask_now(&o, r);
}

/*
 * Where the peer's commit and head stand against our verified head of
 * the source owned by fpr, when this home follows it (else nothing).
 */
static void place_here(const char *fpr, const char *commit, const char *head)
{
	wot_home *h = NULL;
	wot_source *s = NULL;
	size_t n = 0;
	int pc = WOT_PLACE_NOSOURCE, ph = WOT_PLACE_NOSOURCE;

	if (cli_home_open(&h) == 0 && wot_sources_load(h, &s, &n) == 0)
		for (size_t i = 0; i < n; i++) {
			if (strcasecmp(s[i].key, fpr))
				continue;
			if (wot_sync_place(h, s[i].name, commit, &pc) < 0)
				pc = -1; /* "?" */
			if (head[0] &&
			    wot_sync_place(h, s[i].name, head, &ph) < 0)
				ph = -1;
			printf("here (%s): commit %s, head %s\n", s[i].name,
			       wot_place_name(pc),
			       head[0] ? wot_place_name(ph) : "none");
			break;
		}
	wot_error_clear();
	wot_sources_free(s, n);
	wot_home_free(h);
}

/* Ask one peer now. A record answer is followed by the head question
 * about its source, both placed against our own head when we follow it. */
static int ask_live(const char *ep, const char *name, int type, const char *fpr)
{
	wot_opinion_reply r, hr;
	int rc;

	if (ask_peer(ep, name, type, fpr, &r) < 0)
		return cli_fail_last("opinions");
	print_reply(&r, fpr != NULL);
	rc = r.truncated ? EXIT_ERR : EXIT_OK;
	if (!fpr && rc == EXIT_OK && !r.rcode && !r.none && r.fpr[0] &&
	    r.commit[0]) {
		if (ask_peer(ep, NULL, 0, r.fpr, &hr) < 0) {
			printf("head: %s\n", wot_error_last());
			wot_error_clear();
			hr.commit[0] = 0;
		} else {
			if (hr.rcode || hr.none || !hr.commit[0])
				printf("head none\n");
			else
				printf("head %s time %lld\n", hr.commit,
				       (long long)hr.time);
			wot_opinion_reply_dispose(&hr);
		}
		place_here(r.fpr, r.commit, hr.commit);
	}
	wot_opinion_reply_dispose(&r);
	return rc;
}

int cmd_opinions(int argc, char **argv)
{
	static const struct option opts[] = {
	    CLI_COMMON_OPTS,
	    {"ask", required_argument, NULL, 'a'},
	    {"head", required_argument, NULL, 'f'},
	    {"format", required_argument, NULL, 'F'},
	    {NULL, 0, NULL, 0}};
	const char *ask = NULL, *head = NULL, *name = NULL;
	int c, json = 0, type = 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		CLI_COMMON_CASE(c, help);
		if (c == 'a')
			ask = optarg;
		else if (c == 'f')
			head = optarg;
		else if (c == 'F' &&
			 (!strcmp(optarg, "json") || !strcmp(optarg, "text")))
			json = !strcmp(optarg, "json");
		else
			return cli_usage("opinions", "bad option '%s'",
					 argv[optind - 1]);
	}
	if (head && !ask)
		return cli_usage("opinions", "--head needs --ask ADDR:PORT");
	if (!head && (argc - optind < 1 || argc - optind > 2))
		return cli_usage("opinions", "expected NAME [TYPE]");
	if (head && argc != optind)
		return cli_usage("opinions", "--head takes no NAME");
	if (!head)
		name = argv[optind];
	if (!head && argc - optind == 2 &&
	    !(type = ldns_get_rr_type_by_name(argv[optind + 1])))
		return cli_usage("opinions", "unknown type '%s'",
				 argv[optind + 1]);
	if (ask)
		return ask_live(ask, name, type ? type : LDNS_RR_TYPE_A, head);
	return show_saved(name, type, json);
}

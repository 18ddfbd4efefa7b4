/* cmd_opinions.c - wotdns opinions: what peers said about a name */
#include "cli/cli.h"
#include "cli/state.h"
#include "dns/peer/peer.h"
#include "sync/opinion_git.h"

#include <ctype.h>
#include <jansson.h>
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
	char *path = NULL, *text = NULL, *want = NULL;
	json_t *doc = NULL, *out = json_array(), *c;
	wot_home *h = NULL;
	size_t i, found = 0;

	if (wot_home_open(&h, cli_home) < 0)
		return cli_fail_last(NULL);
	path = wot_home_path(h, "state/opinions.json");
	want = wot_strdup_printf("%s%s", name,
				 name[strlen(name) - 1] == '.' ? "" : ".");
	if (path && wot_file_read(path, 64 << 20, &text, NULL) == 0)
		doc = json_loads(text, 0, NULL);
	json_array_foreach(json_object_get(doc, "checks"), i, c)
	{
		if (strcasecmp(cli_jstr(c, "name"), want) ||
		    (type &&
		     json_integer_value(json_object_get(c, "type")) != type))
			continue;
		found++;
		if (json)
			json_array_append(out, c);
		else
			print_check(c);
	}
	if (json) {
		char *s = json_dumps(out, JSON_INDENT(2));
		printf("%s\n", s ? s : "[]");
		free(s);
	} else if (!found)
		printf("%s: no second opinions yet (the daemon asks peers "
		       "when an RRset is new or changes)\n",
		       want);
	json_decref(out);
	json_decref(doc);
	free(text);
	free(path);
	free(want);
	wot_home_free(h);
	return found ? EXIT_OK : EXIT_ERR;
}

typedef struct {
	wot_opinion_asker *a;
	uint8_t pkt[WOT_OPINION_TCP_MAX]; /* UDP, or TCP after TC */
	size_t len;
	int got;
} live_answer;

static void on_live(void *data, const uint8_t *pkt, size_t len, uint16_t id)
{
	live_answer *a = data;

	(void)id;
	if (pkt && len <= sizeof(a->pkt)) {
		memcpy(a->pkt, pkt, len);
		a->len = len;
		a->got = 1;
	}
	/* one question: done, let the loop end */
	wot_opinion_asker_close(a->a, NULL, NULL);
	a->a = NULL;
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

/*
 * Ask one peer one question now, on a loop of our own: the record
 * question about name/type, or the head question about fpr. *r gets the
 * parsed answer (dispose it) when 0 is returned.
 */
static int ask_peer(const char *ep, const char *name, int type, const char *fpr,
		    wot_opinion_reply *r)
{
	uv_loop_t loop;
	live_answer ans = {NULL, {0}, 0, 0};
	uint8_t q[300];
	char qname[300];
	size_t qlen;
	uint16_t id = (uint16_t)(time(NULL) ^ rand());
	int rc;

	if (fpr) {
		snprintf(qname, sizeof(qname), "%s._wotdns.", fpr);
		rc = wot_opinion_query_head(q, sizeof(q), id, fpr, &qlen);
		type = LDNS_RR_TYPE_TXT;
	} else {
		snprintf(qname, sizeof(qname), "%s%s", name,
			 name[strlen(name) - 1] == '.' ? "" : ".");
		rc = wot_opinion_query_record(q, sizeof(q), id, qname,
					      (uint16_t)type, &qlen);
	}
	for (char *p = qname; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (rc < 0)
		return rc;
	uv_loop_init(&loop);
	if ((rc = wot_opinion_asker_new(&ans.a, &loop)) == 0 &&
	    (rc = wot_opinion_ask(ans.a, ep, q, qlen, 2000, on_live, &ans)) < 0)
		wot_opinion_asker_close(ans.a, NULL, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	if (rc < 0)
		return rc;
	if (!ans.got)
		return wot_error_set(WOT_ENET, "no answer from %s", ep);
	return wot_opinion_reply_parse(ans.pkt, ans.len, id, qname,
				       (uint16_t)type, r);
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

	if (wot_home_open(&h, cli_home) == 0 &&
	    wot_sources_load(h, &s, &n) == 0)
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

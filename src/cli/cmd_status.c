/* cmd_status.c - wotdns status */
#include "cli/cli.h"
#include "dns/daemon/daemon.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char help[] =
    "usage: wotdns status [--home DIR]\n\n"
    "Show the sources with their pinned keys, verified heads, last\n"
    "errors and freshness (age of the signed head against the source's\n"
    "refresh promise: STALE, EXPIRED), tree entries ignored, the\n"
    "keyring's key counts, the accepted records and the\n"
    "conflicts; and, when 'wotdns serve' runs on this home, its\n"
    "counters: queries, overlay answers, cache hits, upstream answers,\n"
    "failures, a latency histogram and each upstream's RTT.\n";

/* Refused histories kept as proof, and a suspension. */
static void print_evidence(const wot_home *h, const char *name)
{
	char *text = NULL;
	json_t *o = NULL;
	size_t n;

	if (wot_evidence_json(h, name, &text) == 0)
		o = json_loads(text, 0, NULL);
	n = json_array_size(json_object_get(o, "entries"));
	if (json_is_true(json_object_get(o, "suspended")))
		printf("    SUSPENDED after an equivocation (see 'wotdns "
		       "evidence %s')\n",
		       name);
	if (n)
		printf("    evidence: %zu refused histor%s ('wotdns evidence "
		       "%s')\n",
		       n, n == 1 ? "y" : "ies", name);
	json_decref(o);
	free(text);
}

/* "42 s", "5 min", "3 h", "2 d". */
static const char *span(char *buf, size_t n, int64_t s)
{
	if (s < 120)
		snprintf(buf, n, "%lld s", (long long)s);
	else if (s < 7200)
		snprintf(buf, n, "%lld min", (long long)s / 60);
	else if (s < 172800)
		snprintf(buf, n, "%lld h", (long long)s / 3600);
	else
		snprintf(buf, n, "%lld d", (long long)s / 86400);
	return buf;
}

/* How old the verified head is against the source's promise, and what
 * in its tree is never read. */
static void print_fresh(const wot_home *h, const char *name, json_t *st)
{
	int64_t now = (int64_t)time(NULL);
	wot_freshness f;
	char a[32], b[32];
	size_t i;
	json_t *v;

	wot_sync_freshness(h, name, now, &f);
	if (f.head_time)
		printf("    head signed %s ago",
		       span(a, sizeof(a), now - f.head_time));
	if (f.head_time && f.promise)
		printf(", promised every %s", span(b, sizeof(b), f.promise));
	if (f.last_ok)
		printf("%slast good fetch %s ago", f.head_time ? "; " : "    ",
		       span(a, sizeof(a), now - f.last_ok));
	if (f.head_time || f.last_ok)
		printf("\n");
	if (f.stale)
		printf("    STALE: the head is older than the source's refresh "
		       "promise (%u s)\n",
		       f.promise);
	if (f.expired)
		printf("    EXPIRED: its records are not served (the head is "
		       "older than %lld s, %s)\n",
		       (long long)f.max_age,
		       wot_home_config(h)->max_age ? "[sync] max-age"
						   : "4 times its promise");
	json_array_foreach(json_object_get(st, "ignored"), i, v)
	    printf("    ignored: %s\n", json_string_value(v));
}

static void print_source(const wot_home *h, const wot_source *s)
{
	char *text = NULL;
	json_t *st = NULL;

	if (wot_sync_status_json(h, s->name, &text) == 0)
		st = json_loads(text, 0, NULL);
	printf("  %-12s %s\n    key %s\n    verified %s\n", s->name, s->url,
	       s->key[0] ? s->key : "(not pinned yet)",
	       st && json_string_length(json_object_get(st, "verified"))
		   ? json_string_value(json_object_get(st, "verified"))
		   : "(none)");
	if (st && json_object_get(st, "last_error"))
		printf("    last error: %s\n",
		       json_string_value(json_object_get(st, "last_error")));
	print_fresh(h, s->name, st);
	print_evidence(h, s->name);
	free(text);
	json_decref(st);
}

static void print_keys(wot_trust *t)
{
	wot_key_info *k = NULL;
	size_t n = 0, valid = 0;

	if (wot_trust_list(t, &k, &n) < 0) {
		printf("keys: %s\n", wot_error_last());
		return;
	}
	for (size_t i = 0; i < n; i++)
		valid += k[i].validity >= WOT_VALIDITY_FULL;
	printf("keys: %zu in keyring, %zu valid\n", n, valid);
	free(k);
}

static void print_accepted(void)
{
	json_t *acc = cli_load_rejected(1), *c, *contested = json_object();
	size_t i;

	if (!acc) {
		printf("records: none yet (run 'wotdns sync')\n");
		json_decref(contested);
		return;
	}
	printf(
	    "records: %lld accepted for %zu names\n",
	    (long long)json_integer_value(json_object_get(acc, "records")),
	    (size_t)json_integer_value(json_object_get(acc, "names_accepted")));
	json_array_foreach(json_object_get(acc, "rejected"), i, c)
	{
		printf("  rejected %s from %s (%s): %s\n",
		       json_string_value(json_object_get(c, "name")),
		       json_string_value(json_object_get(c, "source")),
		       json_string_value(json_object_get(c, "signer")),
		       json_string_value(json_object_get(c, "reason")));
		/* One conflict per contested name, as sync counts. */
		if (!strncmp(json_string_value(json_object_get(c, "reason")),
			     "conflict", 8))
			json_object_set_new(
			    contested,
			    json_string_value(json_object_get(c, "name")),
			    json_true());
	}
	printf("conflicts: %zu\n", json_object_size(contested));
	json_decref(contested);
	json_decref(acc);
}

#define JI(o, k) ((long long)json_integer_value(json_object_get((o), (k))))

static void print_upstreams(json_t *ups)
{
	size_t i;
	json_t *u;

	json_array_foreach(ups, i, u)
	{
		time_t at = (time_t)JI(u, "loop_detected_at");
		char when[32];
		struct tm tm;

		printf("  upstream %s: ",
		       json_string_value(json_object_get(u, "address")));
		if (at && localtime_r(&at, &tm) &&
		    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm))
			printf("loop detected at %s, not used; ", when);
		printf("srtt %lld ms, sent %lld, answered %lld, timeouts "
		       "%lld\n",
		       JI(u, "srtt_ms"), JI(u, "sent"), JI(u, "answered"),
		       JI(u, "timeouts"));
	}
}

/* Propagation counters (absent from an older daemon). */
static void print_notify(json_t *n)
{
	json_t *in = json_object_get(n, "received"),
	       *out = json_object_get(n, "sent"),
	       *sy = json_object_get(n, "syncs");

	if (!n)
		return;
	printf("  notify in: %lld NOTIFYs (accepted %lld, ignored %lld, "
	       "coalesced %lld), refused %lld, dropped %lld; fetches %lld "
	       "(failed %lld)\n",
	       JI(in, "notifies"), JI(in, "accepted"), JI(in, "ignored"),
	       JI(in, "coalesced"), JI(in, "refused"), JI(in, "dropped"),
	       JI(sy, "fetches"), JI(sy, "failed"));
	printf("  notify out: publishes %lld, sent %lld, answered %lld, "
	       "unanswered %lld\n",
	       JI(out, "publishes"), JI(out, "notifies"), JI(out, "answered"),
	       JI(out, "unanswered"));
}

/* Neighbor majority: counters, the last checks (at most 3 shown),
 * reports and withdrawn records (absent when the check is off). */
static void print_neighbors(json_t *n)
{
	size_t i;
	json_t *e;

	if (!n)
		return;
	printf("  neighbors: %lld rounds, %lld checks, %lld disagreements; "
	       "outlier: self %lld, behind %lld, neighbors %lld; withdrawn "
	       "%lld, restored %lld, re-syncs %lld\n",
	       JI(n, "rounds"), JI(n, "checks"), JI(n, "disagreements"),
	       JI(n, "self_outlier"), JI(n, "behind"),
	       JI(n, "neighbor_outliers"), JI(n, "withdrawn"),
	       JI(n, "restored"), JI(n, "resyncs"));
	json_array_foreach(json_object_get(n, "last_checks"), i, e)
	{
		if (i >= 3)
			break;
		printf("    check %s type %lld: %s (%lld asked, %lld "
		       "answered, %lld agree, %lld against, %lld lagging, "
		       "%lld needed; votes %.1f with us, %.1f against)\n",
		       json_string_value(json_object_get(e, "name")),
		       JI(e, "type"),
		       json_string_value(json_object_get(e, "verdict")),
		       JI(e, "asked"), JI(e, "answered"), JI(e, "agree"),
		       JI(e, "against"), JI(e, "lagging"), JI(e, "needed"),
		       json_number_value(json_object_get(e, "votes_ours")),
		       json_number_value(json_object_get(e, "votes_against")));
	}
	json_array_foreach(json_object_get(n, "reports"), i, e)
	    printf("    outlier (%s) %s type %lld: %s %s\n",
		   json_string_value(json_object_get(e, "kind")),
		   json_string_value(json_object_get(e, "name")), JI(e, "type"),
		   json_string_value(json_object_get(e, "who")),
		   json_string_value(json_object_get(e, "what")));
	json_array_foreach(json_object_get(n, "withdrawn"), i, e) printf(
	    "    withdrawn %s type %lld since %lld (%s)\n",
	    json_string_value(json_object_get(e, "name")), JI(e, "type"),
	    JI(e, "since"), json_string_value(json_object_get(e, "why")));
}

/* Second opinions (absent from an older daemon). */
static void print_opinions(json_t *o)
{
	json_t *q = json_object_get(o, "questions"), *p;
	size_t i;

	if (!json_is_object(o))
		return;
	printf("  opinions: k %lld, policy %s; checks %lld (last %lld), agree "
	       "%lld, lagging %lld, ahead %lld, disagreements %lld, lies %lld, "
	       "equivocations %lld, syncs %lld, unanswered %lld, unplaced "
	       "%lld\n",
	       JI(o, "k"), json_string_value(json_object_get(o, "policy")),
	       JI(o, "checks"), JI(o, "last_check"), JI(o, "agree"),
	       JI(o, "lagging"), JI(o, "ahead"), JI(o, "disagreements"),
	       JI(o, "lies"), JI(o, "equivocations"), JI(o, "syncs"),
	       JI(o, "unanswered"), JI(o, "unplaced"));
	printf("  opinion questions: sent %lld, answered %lld, timeouts %lld, "
	       "bytes out %lld, in %lld, again over tcp %lld (failed %lld), "
	       "head questions %lld, answered %lld\n",
	       JI(q, "sent"), JI(q, "answered"), JI(q, "timeouts"),
	       JI(q, "bytes_out"), JI(q, "bytes_in"), JI(q, "tcp"),
	       JI(q, "tcp_failed"), JI(q, "heads"), JI(q, "heads_answered"));
	json_array_foreach(json_object_get(o, "peers"), i, p)
	{
		printf("  peer %s (%s): weight %.2f, asked %lld, lies %lld\n",
		       json_string_value(json_object_get(p, "endpoint")),
		       json_string_value(json_object_get(p, "source")),
		       json_number_value(json_object_get(p, "weight")),
		       JI(p, "asked"), JI(p, "lies"));
	}
}

static void print_counters(json_t *doc)
{
	json_t *c = json_object_get(doc, "counters"), *lat, *cache, *v;
	const char *k;
	size_t i;

	printf("resolver: running (pid %lld, %lld thread%s, up %lld s, %lld "
	       "records)\n",
	       JI(doc, "pid"), JI(doc, "threads"),
	       JI(doc, "threads") == 1 ? "" : "s", JI(doc, "uptime_s"),
	       JI(doc, "records"));
	printf("  queries %lld: overlay %lld, cache hits %lld (stale %lld), "
	       "upstream answers %lld, failures %lld, dropped %lld\n",
	       JI(c, "queries"), JI(c, "overlay"), JI(c, "cache_hits"),
	       JI(c, "cache_stale"), JI(c, "upstream_answers"),
	       JI(c, "failures"), JI(c, "dropped"));
	lat = json_object_get(c, "latency");
	printf("  latency");
	json_object_foreach(lat, k, v)
	    printf(" %s %lld", k, (long long)json_integer_value(v));
	cache = json_object_get(c, "cache");
	printf("\n  cache %lld entries, %lld of %lld bytes; prefetches %lld\n",
	       JI(cache, "entries"), JI(cache, "bytes"), JI(cache, "max_bytes"),
	       JI(c, "prefetches"));
	json_array_foreach(json_object_get(doc, "load_errors"), i, v)
	    printf("  load error: %s\n", json_string_value(v));
	if (json_is_true(json_object_get(doc, "no_upstream")))
		printf("  no upstream (--no-upstream): names outside the "
		       "overlay get REFUSED\n");
	print_upstreams(json_object_get(doc, "upstreams"));
	print_notify(json_object_get(doc, "notify"));
	print_opinions(json_object_get(doc, "opinions"));
	print_neighbors(json_object_get(doc, "neighbors"));
}

/* The running daemon's counters, if one runs. */
static void print_resolver(const wot_home *h)
{
	char *text = NULL;
	json_t *doc;

	if (wot_daemon_status(h, &text) < 0) {
		printf("resolver: not running (%s)\n", wot_error_last());
		return;
	}
	doc = json_loads(text, 0, NULL);
	if (doc)
		print_counters(doc);
	else
		printf("resolver: unreadable counters\n");
	json_decref(doc);
	free(text);
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {CLI_COMMON_OPTS,
					     {NULL, 0, NULL, 0}};
	wot_source *s = NULL;
	wot_home *h = NULL;
	wot_trust *t = NULL;
	size_t n = 0;
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		CLI_COMMON_CASE(c, help);
		return cli_usage("status", "bad option '%s'", argv[optind - 1]);
	}
	if (optind != argc)
		return cli_usage("status", "unexpected argument");
	if ((rc = cli_open(&h, &t)) != EXIT_OK)
		return rc;
	printf("home: %s\nkey:  %s\n", cli_home, wot_home_config(h)->key);
	if (wot_sources_load(h, &s, &n) < 0) {
		rc = cli_fail_last("sources");
		goto out;
	}
	printf("sources: %zu\n", n);
	for (size_t i = 0; i < n; i++)
		print_source(h, &s[i]);
	print_keys(t);
	print_accepted();
	print_resolver(h);
out:
	wot_sources_free(s, n);
	wot_trust_free(t);
	wot_home_free(h);
	return rc;
}

/* test_sync.c - zone checking, config and source names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sync/sync.h"
#include "sync/accept/accept.h"
#include "sync/source/source.h"
#include "util/util.h"

static void sync_zone_ok(void **state)
{
	const char z[] =
	    "$ORIGIN alice.wot.\n$TTL 300\n"
	    "@ IN A 192.0.2.1\n@ IN AAAA 2001:db8::1\n"
	    "www IN CNAME @\n@ IN MX 10 mail\nmail IN A 192.0.2.2\n"
	    "_sip._tcp IN SRV 0 5 5060 sip\n@ IN TXT \"hi\"\n"
	    "sub IN NS ns.sub\n";
	ldns_rr_list *rrs = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(wot_zone_check(z, strlen(z), "a.zone", &n), 0);
	assert_int_equal(n, 8);
	assert_int_equal(wot_zone_parse(z, strlen(z), "a.zone", &rrs), 0);
	assert_int_equal(ldns_rr_list_rr_count(rrs), 8);
	ldns_rr_list_deep_free(rrs);
}

static void sync_zone_errors_name_line(void **state)
{
	const char bad[] = "$ORIGIN a.wot.\n$TTL 300\n@ IN A 192.0.2.1\n"
			   "\n; comment\nx IN A 300.1.1.1\ny IN A 192.0.2.3\n";
	const char noeol[] = "$ORIGIN a.wot.\n@ IN MX mail";

	(void)state;
	assert_int_equal(wot_zone_check(bad, strlen(bad), "z/bad.zone", NULL),
			 WOT_ESYNTAX);
	assert_non_null(strstr(wot_error_last(), "z/bad.zone:6: "));
	assert_int_equal(wot_zone_check(noeol, strlen(noeol), "n", NULL),
			 WOT_ESYNTAX);
	assert_non_null(strstr(wot_error_last(), "n:2: "));
	assert_int_equal(wot_zone_check("", 0, "e", NULL), WOT_ESYNTAX);
	/* a hostile zone must not read local files */
	assert_int_equal(
	    wot_zone_check("$INCLUDE /etc/passwd\n", 21, "inc", NULL),
	    WOT_ESYNTAX);
	assert_non_null(strstr(wot_error_last(), "inc:1: $INCLUDE"));
	/* meta types are not data: the resolver would refuse them */
	{
		const char meta[] = "$ORIGIN a.\n@ IN A 192.0.2.1\n"
				    "x IN TYPE250 \\# 0\n";
		assert_int_equal(
		    wot_zone_check(meta, strlen(meta), "meta", NULL),
		    WOT_ESYNTAX);
		assert_non_null(strstr(wot_error_last(), "meta:3: type 250"));
	}
	assert_int_equal(wot_zone_check("a\0b", 3, "bin", NULL), WOT_ESYNTAX);
	assert_non_null(strstr(wot_error_last(), "binary"));
	assert_int_equal(
	    wot_zone_check("$ORIGIN a.\n@ CH A 1.2.3.4\n", 25, "ch", NULL),
	    WOT_ESYNTAX);
}

/* Expect text refused with "label:line: ..." and what in the message. */
static void refused(const char *text, const char *where, const char *what)
{
	ldns_rr_list *rrs = NULL;

	assert_int_equal(wot_zone_parse(text, strlen(text), "r.zone", &rrs),
			 WOT_ESYNTAX);
	assert_null(rrs);
	if (!strstr(wot_error_last(), where) || !strstr(wot_error_last(), what))
		fail_msg("%s: got \"%s\", want %s ... %s", text,
			 wot_error_last(), where, what);
}

static void sync_zone_rules(void **state)
{
	const char ok[] =
	    "$ORIGIN a.wot.\n$TTL 300\n@ IN SOA ns h 1 3600 600 86400 60\n"
	    "@ IN TXT \"semi;colon\" \"(paren\" \"\\\"q\" ; a \" quote\n"
	    "www IN CNAME @\nwww IN RRSIG A 8 3 300 20300101000000 "
	    "20200101000000 1 a.wot. AAAA\nwww IN NSEC a.wot. A\n"
	    "k IN TXT ( \"one\"\n  \"two\" )\n@ 300 IN A 192.0.2.1\n"
	    "@ 300 IN A 192.0.2.2\nx 2147483647 IN A 192.0.2.3\n";
	const char *hdr = "$ORIGIN a.wot.\n$TTL 300\n";
	char buf[1024];
	ldns_rr_list *rrs = NULL;

	(void)state;
	assert_int_equal(wot_zone_parse(ok, strlen(ok), "ok", &rrs), 0);
	assert_int_equal(ldns_rr_list_rr_count(rrs), 9);
	ldns_rr_list_deep_free(rrs);
#define R(body, where, what)                                                   \
	do {                                                                   \
		snprintf(buf, sizeof(buf), "%s%s", hdr, body);                 \
		refused(buf, where, what);                                     \
	} while (0)
	/* quotes and parentheses */
	R("@ IN A 192.0.2.1\nt IN TXT \"open\nu IN A 192.0.2.2\n",
	  "r.zone:4:", "unterminated quote");
	R("t IN TXT \"open", "r.zone:3:", "unterminated quote");
	R("t IN TXT ( \"a\"\n\n", "r.zone:3:", "'(' never closed");
	R("t IN TXT \"a\" )\n", "r.zone:3:", "')' without '('");
	R("t IN TXT ( ( \"a\" ) )\n", "r.zone:3:", "'(' inside parentheses");
	/* CNAME and other data, two CNAMEs (RFC 1034 3.6.2, RFC 2181 10.1) */
	R("w IN A 192.0.2.1\nw IN CNAME @\n",
	  "r.zone:4:", "CNAME beside other data at w.a.wot. (line 3");
	R("w IN CNAME @\nW IN TXT \"x\"\n",
	  "r.zone:4:", "data beside the CNAME at w.a.wot. (line 3");
	R("w IN CNAME @\nw IN CNAME x\n", "r.zone:4:", "a second CNAME");
	R("@ IN SOA ns h 1 3600 600 86400 60\n@ IN CNAME x.example.\n",
	  "r.zone:4:", "CNAME beside other data at a.wot.");
	/* RFC 2181 5.2 and 8 */
	R("@ 300 IN A 192.0.2.1\n@ 60 IN A 192.0.2.2\n", "r.zone:4:",
	  "TTL 60 differs from TTL 300 of the same RRset on line 3");
	R("@ 2147483648 IN A 192.0.2.1\n",
	  "r.zone:3:", "TTL 2147483648 is over 2147483647");
	R("$TTL 4294967295\n@ IN A 192.0.2.1\n", "r.zone:4:", "is over");
	/* one SOA per zone, nothing outside the file's zones */
	R("@ IN SOA ns h 1 3600 600 86400 60\nA.wot. IN SOA ns h 2 3600 600 "
	  "86400 60\n",
	  "r.zone:4:", "a second SOA at a.wot. (line 3)");
	R("@ IN SOA ns h 1 3600 600 86400 60\nx IN A 192.0.2.1\n"
	  "b.wot. IN SOA ns h 1 3600 600 86400 60\nwww.b.wot. IN A 192.0.2.1\n"
	  "www.c.wot. IN A 192.0.2.1\n",
	  "r.zone:7:", "www.c.wot. is outside the zones of the file's SOA");
	R("@ IN SOA ns h 1 3600 600 86400 60\nwot. IN A 192.0.2.1\n",
	  "r.zone:4:", "wot. is outside the zones");
	{ /* several zones in one file, each with its SOA */
		const char two[] =
		    "$ORIGIN a.wot.\n@ IN SOA ns h 1 3600 600 86400 60\n"
		    "x.y IN A 192.0.2.1\nb.wot. IN SOA ns h 1 3600 600 86400 "
		    "60\nwww.b.wot. IN A 192.0.2.1\n";
		assert_int_equal(wot_zone_parse(two, strlen(two), "two", &rrs),
				 0);
		ldns_rr_list_deep_free(rrs);
	}
	/* names and labels too long (RFC 1035 2.3.4) */
	memset(buf, 0, sizeof(buf));
	{
		char body[600];
		memset(body, 'l', 64);
		snprintf(body + 64, sizeof(body) - 64, " IN A 192.0.2.1\n");
		R(body, "r.zone:3:", "");
		for (int i = 0; i < 5; i++)
			memcpy(body + i * 60,
			       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			       "aaaaaaaaaaaa.",
			       60);
		snprintf(body + 300, sizeof(body) - 300, " IN A 192.0.2.1\n");
		R(body, "r.zone:3:", "");
	}
#undef R
}

/* The tally counts a source's files together, as publish and sync do. */
static void sync_limits_tally(void **state)
{
	wot_limits lim = {0};
	wot_limits_tally *t = NULL;
	ldns_rr_list *rrs = NULL;
	char z[4096];
	size_t n = 0;

	(void)state;
	lim.rrset = 3;
	lim.name_records = 5;
	lim.source_records = 8;
	lim.names = 4;
	/* four A at one name: over rrset */
	assert_int_equal(wot_limits_tally_new(&lim, &t), 0);
	n = (size_t)snprintf(z, sizeof(z), "$ORIGIN a.wot.\n");
	for (int i = 1; i <= 4; i++)
		n += (size_t)snprintf(z + n, sizeof(z) - n,
				      "W IN A 192.0.2.%d\n", i);
	assert_int_equal(wot_zone_parse(z, n, "f", &rrs), 0);
	assert_int_equal(wot_limits_tally_add(t, "f", rrs), WOT_ELIMIT);
	assert_string_equal(wot_error_last(),
			    "f: more than 3 records in the RRset w.a.wot. A "
			    "([limits] rrset)");
	ldns_rr_list_deep_free(rrs);
	wot_limits_tally_free(t);
	/* three A and three TXT at one name, in two files: over name-records
	 */
	assert_int_equal(wot_limits_tally_new(&lim, &t), 0);
	snprintf(z, sizeof(z),
		 "$ORIGIN a.wot.\nw IN A 192.0.2.1\n"
		 "w IN A 192.0.2.2\nw IN A 192.0.2.3\n");
	assert_int_equal(wot_zone_parse(z, strlen(z), "f1", &rrs), 0);
	assert_int_equal(wot_limits_tally_add(t, "f1", rrs), 0);
	ldns_rr_list_deep_free(rrs);
	snprintf(z, sizeof(z),
		 "$ORIGIN a.wot.\nw IN TXT a\nw IN TXT b\n"
		 "w IN TXT c\n");
	assert_int_equal(wot_zone_parse(z, strlen(z), "f2", &rrs), 0);
	assert_int_equal(wot_limits_tally_add(t, "f2", rrs), WOT_ELIMIT);
	assert_string_equal(wot_error_last(), "f2: more than 5 records at "
					      "w.a.wot. ([limits] "
					      "name-records)");
	ldns_rr_list_deep_free(rrs);
	wot_limits_tally_free(t);
	/* nine names of one record: over names at the fifth */
	assert_int_equal(wot_limits_tally_new(&lim, &t), 0);
	n = (size_t)snprintf(z, sizeof(z), "$ORIGIN a.wot.\n");
	for (int i = 1; i <= 9; i++)
		n += (size_t)snprintf(z + n, sizeof(z) - n,
				      "n%d IN A 192.0.2.1\n", i);
	assert_int_equal(wot_zone_parse(z, n, "f", &rrs), 0);
	assert_int_equal(wot_limits_tally_add(t, "f", rrs), WOT_ELIMIT);
	assert_non_null(strstr(wot_error_last(), "([limits] names)"));
	wot_limits_tally_free(t);
	/* ... and with names off, over source-records at the ninth */
	lim.names = 0;
	assert_int_equal(wot_limits_tally_new(&lim, &t), 0);
	assert_int_equal(wot_limits_tally_add(t, "f", rrs), WOT_ELIMIT);
	assert_string_equal(wot_error_last(),
			    "f: more than 8 records in the source's zones "
			    "([limits] source-records)");
	ldns_rr_list_deep_free(rrs);
	wot_limits_tally_free(t);
}

static void sync_config_parse(void **state)
{
	const char text[] = "[identity]\nkey = "
			    "7C7891D5887AFFD6759FECBC68E5B0884212BC44\n"
			    "[serve]\nlisten = 127.0.0.1:5300\n"
			    "listen = [::1]:5300\nsync-interval = 60\n";
	wot_config c;
	char *back;

	(void)state;
	assert_int_equal(wot_config_parse(&c, text, "cfg"), 0);
	assert_string_equal(c.listen[0], "127.0.0.1:5300");
	assert_string_equal(c.listen[1], "[::1]:5300");
	assert_null(c.listen[2]);
	assert_null(c.upstream);
	assert_int_equal(c.sync_interval, 60);
	back = wot_config_format(&c);
	assert_non_null(strstr(back, "listen = [::1]:5300"));
	free(back);
	wot_config_dispose(&c);
	/* an explicit 0 means never, not "unset" */
	assert_int_equal(
	    wot_config_parse(&c, "[serve]\nsync-interval = 0\n", "cfg"), 0);
	assert_int_equal(c.sync_interval, 0);
	back = wot_config_format(&c);
	assert_non_null(strstr(back, "sync-interval = 0"));
	free(back);
	wot_config_dispose(&c);
	/* defaults */
	assert_int_equal(wot_config_parse(&c, "", "cfg"), 0);
	assert_string_equal(c.listen[0], "127.0.0.1:53");
	assert_int_equal(c.sync_interval, 300);
	back = wot_config_format(&c);
	assert_null(strstr(back, "sync-interval"));
	free(back);
	wot_config_dispose(&c);
}

static void sync_config_errors(void **state)
{
	wot_config c;

	(void)state;
	assert_int_equal(wot_config_parse(&c, "[serve]\nbogus = 1\n", "cfg"),
			 WOT_ESYNTAX);
	assert_non_null(strstr(wot_error_last(), "cfg:2"));
	assert_non_null(strstr(wot_error_last(), "serve.bogus"));
	wot_config_dispose(&c);
	assert_int_equal(
	    wot_config_parse(&c, "[serve]\n\nsync-interval = soon\n", "cfg"),
	    WOT_ESYNTAX);
	assert_non_null(strstr(wot_error_last(), "cfg:3"));
	wot_config_dispose(&c);
	/* addresses are checked as the file is read, not when serve binds */
	static const char *const bad[] = {
	    "[serve]\n\nlisten = 127.0.]\n",
	    "[serve]\n\nupstream = example.org\n",
	    "[peer]\n\nlisten = 127.0.0.1:99999\n",
	    "[peer]\n\nendpoint = [::1\n", "[peer]\n\nnotify = 300.1.2.3:53\n"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(wot_config_parse(&c, bad[i], "cfg"),
				 WOT_ESYNTAX);
		assert_non_null(strstr(wot_error_last(), "cfg:3"));
		wot_config_dispose(&c);
	}
	assert_int_equal(wot_config_parse(&c,
					  "[serve]\nlisten = [::1]:5353\n"
					  "upstream = 192.0.2.1\n"
					  "upstream = fe80::1%lo\n",
					  "cfg"),
			 0);
	assert_int_equal(wot_strv_len(c.upstream), 2);
	wot_config_dispose(&c);
}

static void sync_config_opinion(void **state)
{
	wot_config c;

	(void)state;
	assert_int_equal(wot_config_parse(&c, "", "cfg"), 0);
	assert_int_equal(c.opinion_k, 3);
	assert_int_equal(c.opinion_timeout_ms, 2000);
	assert_int_equal(c.opinion_unplaced_ms, 2000);
	assert_string_equal(c.opinion_policy, "serve");
	wot_config_dispose(&c);
	assert_int_equal(
	    wot_config_parse(&c,
			     "[opinion]\nk = 0\npolicy = hold\n"
			     "timeout = 500\nunplaced-wait = 300\n",
			     "cfg"),
	    0);
	assert_int_equal(c.opinion_k, 0);
	assert_int_equal(c.opinion_timeout_ms, 500);
	assert_int_equal(c.opinion_unplaced_ms, 300);
	assert_string_equal(c.opinion_policy, "hold");
	wot_config_dispose(&c);
	assert_int_equal(
	    wot_config_parse(&c, "[opinion]\npolicy = maybe\n", "cfg"),
	    WOT_ESYNTAX);
	assert_non_null(strstr(wot_error_last(), "cfg:2"));
	assert_non_null(strstr(wot_error_last(), "opinion.policy"));
	wot_config_dispose(&c);
}

static void sync_config_neighbors(void **state)
{
	wot_config c;

	(void)state;
	assert_int_equal(wot_config_parse(&c, "", "cfg"), 0);
	assert_int_equal(c.neighbors, 15);
	assert_int_equal(c.majority, 14);
	assert_int_equal(c.neighbor_interval, 600);
	assert_int_equal(c.neighbor_sample, 8);
	wot_config_dispose(&c);
	assert_int_equal(
	    wot_config_parse(&c,
			     "[opinion]\nneighbors = 5\n"
			     "majority = 4\nneighbor-interval = 2\n"
			     "neighbor-sample = 3\n",
			     "cfg"),
	    0);
	assert_int_equal(c.neighbors, 5);
	assert_int_equal(c.majority, 4);
	assert_int_equal(c.neighbor_interval, 2);
	assert_int_equal(c.neighbor_sample, 3);
	wot_config_dispose(&c);
	assert_int_equal(
	    wot_config_parse(&c, "[opinion]\nmajority = most\n", "cfg"),
	    WOT_ESYNTAX);
	assert_non_null(strstr(wot_error_last(), "cfg:2"));
	wot_config_dispose(&c);
}

static void sync_source_names(void **state)
{
	(void)state;
	assert_true(wot_source_name_valid("alice"));
	assert_true(wot_source_name_valid("a.b-c_d"));
	assert_false(wot_source_name_valid(""));
	assert_false(wot_source_name_valid(".hidden"));
	assert_false(wot_source_name_valid("../etc"));
	assert_false(wot_source_name_valid("a/b"));
	assert_false(wot_source_name_valid("a1234567890123456789012345678901234"
					   "567890123456789012345678901234"));
}

static void sync_config_issue6(void **state)
{
	wot_config c;
	char *back;
	int lv = 0;

	(void)state;
	assert_int_equal(wot_config_parse(&c, "", "cfg"), 0);
	assert_int_equal(c.peer_share_sources, 1);
	assert_string_equal(c.discovery, "valid");
	assert_int_equal(c.limit_fetch_mb, 64);
	assert_null(c.peer_endpoint);
	back = wot_config_format(&c);
	assert_null(strstr(back, "share-sources"));
	assert_null(strstr(back, "auto ="));
	free(back);
	wot_config_dispose(&c);
	assert_int_equal(wot_config_parse(&c,
					  "[peer]\nendpoint = 127.0.0.2:5300\n"
					  "share-sources = no\n"
					  "[discovery]\nauto = level:2\n",
					  "cfg"),
			 0);
	assert_int_equal(c.peer_share_sources, 0);
	assert_string_equal(c.peer_endpoint[0], "127.0.0.2:5300");
	back = wot_config_format(&c);
	assert_non_null(strstr(back, "share-sources = no"));
	assert_non_null(strstr(back, "auto = level:2"));
	free(back);
	wot_config_dispose(&c);
	assert_int_equal(
	    wot_config_parse(&c, "[discovery]\nauto = maybe\n", "cfg"),
	    WOT_ESYNTAX);
	wot_config_dispose(&c);
	assert_int_equal(
	    wot_config_parse(&c, "[peer]\nshare-sources = 2\n", "cfg"),
	    WOT_ESYNTAX);
	wot_config_dispose(&c);
	assert_int_equal(wot_discovery_parse("off", &lv), 0);
	assert_int_equal(lv, 0);
	assert_int_equal(wot_discovery_parse("valid", &lv), 0);
	assert_int_equal(lv, -1);
	assert_int_equal(wot_discovery_parse("level:3", &lv), 0);
	assert_int_equal(lv, 3);
	assert_int_equal(wot_discovery_parse("level:0", &lv), WOT_EINVAL);
	assert_int_equal(wot_discovery_parse("level:", &lv), WOT_EINVAL);
}

static void sync_peer_conf(void **state)
{
	const char ok[] =
	    "# comment\n[peer]\nendpoint = 127.0.0.9:5301\n"
	    "endpoint = [::1]:5301\nrefresh = 3600\nfuture = x\n"
	    "[source bob]\nurl = git://127.0.0.1/bob.git\n"
	    "mirror = /srv/bob.git\n"
	    "key = 7c78 91d5 887a ffd6 759f ecbc 68e5 b088 4212 bc44\n"
	    "[later-section]\nx = y\n";
	wot_peer_conf *p = NULL;

	(void)state;
	assert_int_equal(wot_peer_conf_parse(ok, strlen(ok), "bob", &p), 0);
	assert_int_equal(p->nendpoints, 2);
	assert_string_equal(p->endpoints[1], "[::1]:5301");
	assert_int_equal(p->refresh, 3600);
	assert_int_equal(p->nsources, 1);
	assert_string_equal(p->sources[0].name, "bob");
	assert_string_equal(p->sources[0].urls[1], "/srv/bob.git");
	assert_null(p->sources[0].urls[2]);
	assert_string_equal(p->sources[0].key,
			    "7C7891D5887AFFD6759FECBC68E5B0884212BC44");
	wot_peer_conf_free(p);
	const char *bad[] = {
	    "[peer]\nendpoint = example.org:53\n",
	    "[peer]\nendpoint = 127.0.0.1:0\n",
	    "[peer]\nendpoint = [::1:53\n",
	    "[peer]\nrefresh = soon\n",
	    "[source ../x]\nurl = a\nkey = "
	    "7C7891D5887AFFD6759FECBC68E5B0884212BC44\n",
	    "[source b]\nurl = a b\nkey = "
	    "7C7891D5887AFFD6759FECBC68E5B0884212BC44\n",
	    "[source b]\nurl = a\n",
	    "[source b]\nurl = a\nkey = 1234\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_not_equal(
		    wot_peer_conf_parse(bad[i], strlen(bad[i]), "x", &p), 0);
		assert_null(p);
		assert_non_null(strstr(wot_error_last(), "x"));
	}
	assert_true(wot_peer_endpoint_valid("127.0.0.1:53"));
	assert_false(wot_peer_endpoint_valid("127.0.0.1"));
	assert_false(wot_peer_endpoint_valid("127.0.0.1:65536"));
	/* line numbers point at the bad line */
	const char *l3 = "[peer]\n\nrefresh = x\n";
	assert_int_not_equal(
	    wot_peer_conf_parse(l3, strlen(l3), "peer.conf", &p), 0);
	assert_non_null(strstr(wot_error_last(), "peer.conf:3"));
}

/*
 * libinih reads lines of at most 198 bytes and parses the rest of a longer
 * line as a line of its own (found by tests/fuzz/fuzz_config): a URL's
 * tail in a source's peer.conf became a "key = FPR" line. A long line is
 * now an error naming it.
 */
static void sync_ini_long_lines(void **state)
{
	char text[2 * WOT_PEER_URL_MAX + 400], url[WOT_PEER_URL_MAX + 300];
	wot_peer_conf *p = NULL;
	wot_config cfg;

	(void)state;
	memset(url, 'a', sizeof(url));
	url[183] = '\0'; /* the first 199 bytes end just before "key" */
	snprintf(
	    text, sizeof(text),
	    "[source bob]\nkey = 7C7891D5887AFFD6759FECBC68E5B0884212BC44\n"
	    "url = https://x/%skey = "
	    "523F92BE9434B6BE2FE0BF8D72E8E25650A487B0\n",
	    url);
	assert_int_equal(
	    wot_peer_conf_parse(text, strlen(text), "peer.conf", &p),
	    WOT_ESYNTAX);
	assert_null(p);
	assert_non_null(strstr(wot_error_last(), "peer.conf:3: line longer"));
	url[183] = 'a';
	url[200] = '\0';
	snprintf(text, sizeof(text), "[identity]\ngnupghome = /%s\n", url);
	assert_int_equal(wot_config_parse(&cfg, text, "config"), WOT_ESYNTAX);
	assert_non_null(strstr(wot_error_last(), "config:2: line longer"));
	wot_config_dispose(&cfg);
	/* nor a continuation line that init could not write back */
	url[195] = '\0';
	assert_true(strlen(url) == 195);
	snprintf(text, sizeof(text), "[serve]\nlisten = 127.0.0.1:1\n  %s\n",
		 url);
	assert_int_equal(wot_config_parse(&cfg, text, "config"), WOT_ESYNTAX);
	assert_non_null(strstr(wot_error_last(), "config:3: value of"));
	wot_config_dispose(&cfg);
	/* nor one that, written back, would read as a comment */
	assert_int_equal(
	    wot_config_parse(&cfg, "[serve]\nuser =;x\n", "config"),
	    WOT_ESYNTAX);
	assert_non_null(strstr(wot_error_last(), "config:2: value of"));
	wot_config_dispose(&cfg);
	/* A URL is at most what sources.conf can hold as a mirror line. */
	memset(url, 'a', WOT_PEER_URL_MAX + 1);
	url[WOT_PEER_URL_MAX + 1] = '\0';
	snprintf(text, sizeof(text),
		 "[source b]\nurl=%s\nkey = "
		 "7C7891D5887AFFD6759FECBC68E5B0884212BC44\n",
		 url);
	assert_int_equal(wot_peer_conf_parse(text, strlen(text), "pc", &p),
			 WOT_ESYNTAX);
	url[WOT_PEER_URL_MAX] = '\0';
	snprintf(text, sizeof(text),
		 "[source b]\nurl=%s\nkey = "
		 "7C7891D5887AFFD6759FECBC68E5B0884212BC44\n",
		 url);
	assert_int_equal(wot_peer_conf_parse(text, strlen(text), "pc", &p), 0);
	assert_int_equal(strlen(p->sources[0].urls[0]), WOT_PEER_URL_MAX);
	assert_true(strlen("mirror = ") + WOT_PEER_URL_MAX <= WOT_INI_LINE_MAX);
	wot_peer_conf_free(p);
}

/* The shard documents are printed by hand: hostile names and user ids
 * must still give valid JSON that reads back to the same strings. */
static void sync_accept_json_escapes(void **state)
{
	wot_key_info keys[1];
	wot_claim c[3];
	const wot_claim *cp[3] = {&c[0], &c[1], &c[2]};
	char dir[] = "/tmp/wot-json-XXXXXX", *path;
	json_t *j, *o;

	(void)state;
	memset(keys, 0, sizeof(keys));
	memset(c, 0, sizeof(c));
	snprintf(keys[0].fpr, sizeof(keys[0].fpr), "K");
	snprintf(keys[0].uid, sizeof(keys[0].uid), "Zo\xc3\xab <z@x>");
	c[0] = (wot_claim){.name = "a\"b\\c\n\x01.wot.",
			   .source = "s\xff\xfe",
			   .signer = "K",
			   .commit = "abc",
			   .since = 7,
			   .weight = 0.9,
			   .accepted = 1,
			   .level = 1};
	c[1] = c[0];
	c[1].source = "t";
	c[1].accepted = 0;
	c[1].reason = "conflict: held by another key";
	c[1].winner = "K";
	c[2] = c[0];
	c[2].name = "x.wot.";
	c[2].signer = "unknown";
	c[2].weight = NAN; /* a broken weights config must not break JSON */
	assert_non_null(mkdtemp(dir));
	path = wot_path_join(dir, "000-1.json");
	wot_buf b = WOT_BUF_INIT;
	assert_int_equal(wot_accept_json_shard(&b, cp, 3, keys, 1), 0);
	assert_int_equal(wot_file_write_atomic(path, b.ptr, b.len), 0);
	wot_buf_dispose(&b);
	j = json_load_file(path, 0, NULL);
	assert_non_null(j);
	assert_int_equal(json_array_size(json_object_get(j, "claims")), 3);
	o = json_array_get(json_object_get(j, "claims"), 0);
	assert_string_equal(json_string_value(json_object_get(o, "name")),
			    "a\"b\\c\n\x01.wot.");
	assert_string_equal(json_string_value(json_object_get(o, "source")),
			    "s??");
	assert_string_equal(json_string_value(json_object_get(o, "uid")),
			    "Zo\xc3\xab <z@x>");
	assert_true(json_real_value(json_object_get(o, "weight")) == 0.9);
	assert_int_equal(json_integer_value(json_object_get(o, "since")), 7);
	o = json_array_get(json_object_get(j, "claims"), 1);
	assert_string_equal(json_string_value(json_object_get(o, "winner")),
			    "K");
	o = json_array_get(json_object_get(j, "claims"), 2);
	assert_null(json_object_get(o, "uid")); /* key not in the keyring */
	assert_null(json_object_get(o, "weight"));
	json_decref(j);
	unlink(path);
	rmdir(dir);
	free(path);
}

/* A name and every ancestor of two labels or more share a shard; names
 * of one label are top; text and wire forms agree, in any case. */
/* The names no claim may take (tld.c), IDNs in either form. */
static void sync_tld_reserved(void **state)
{
	wot_tlds *t = NULL;
	static const char *const bad[][2] = {
	    {".", "the root"},
	    {"", "the root"},
	    {"*.", "covering every name"},
	    {"com.", "a TLD"},
	    {"COM", "a TLD"},
	    {"zz.", "a TLD"}, /* a country code, assigned or not */
	    {"co.uk.", "a public suffix"},
	    {"kawasaki.jp.", "a public suffix"},
	    {"foo.ck.", "a public suffix"}, /* the list's "*.ck" */
	    {"xn--p1ai.", "a TLD"},
	    {"\\209\\128\\209\\132.", "a TLD"}, /* the U-label, escaped */
	    {"xn--o1ac.xn--90a3ac.", "a public suffix"},
	    {"arpa.", "arpa"},
	    {"in-addr.arpa.", "arpa"},
	    {"4.3.2.1.in-addr.arpa.", "arpa"},
	    {"x.ip6.arpa", "arpa"},
	    {"*.com.", "covering a public suffix"},
	    {"*.*.com.", "covering a public suffix"},
	    {"*.co.uk.", "covering a public suffix"},
	    {"*.xn--o1ac.xn--90a3ac.", "covering a public suffix"},
	    {"*.wot.", "directly under a name of one label"},
	};
	static const char *const ok[] = {
	    "google.com.",   "bob.co.uk.",   "*.bob.co.uk.", "alice.wot.",
	    "wot.",	     "p4top",	     "github.io.",   "www.ck.",
	    "com.xn--p1ai.", "*.alice.wot.", "arpa.wot.",    "x.arpanet.",
	};

	(void)state;
	assert_int_equal(wot_tld_load(&t), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *why = wot_tld_reserved(t, bad[i][0]);
		if (!why || !strstr(why, bad[i][1]))
			fail_msg("%s: got '%s', expected '%s'", bad[i][0],
				 why ? why : "(allowed)", bad[i][1]);
		assert_int_equal(strncmp(why, WOT_RESERVED_PREFIX,
					 strlen(WOT_RESERVED_PREFIX)),
				 0);
	}
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (wot_tld_reserved(t, ok[i]))
			fail_msg("%s: reserved (%s)", ok[i],
				 wot_tld_reserved(t, ok[i]));
	assert_true(wot_tld_public(t, "google.com."));
	assert_true(wot_tld_public(t, "x.xn--p1ai."));
	assert_false(wot_tld_public(t, "alice.wot."));
	assert_false(wot_tld_public(t, "."));
	wot_tld_free(t);
}

/* publish's check names the file and the line of the first bad record,
 * before the zone rules: here the SOA at co.uk. is the mistake, not that
 * alice.wot. is outside its zone (which wot_zone_rules would say). */
static void sync_tld_check_zone(void **state)
{
	const char z[] = "$ORIGIN alice.wot.\n$TTL 300\n; a comment\n\n"
			 "@ IN A 192.0.2.1\n"
			 "ns IN A 192.0.2.2\n"
			 "co.uk. IN SOA ns h ( 1 2\n 3 4 5 )\n";
	wot_tlds *t = NULL;
	ldns_rr_list *rrs = NULL;
	int *lines = NULL;

	(void)state;
	assert_int_equal(wot_tld_load(&t), 0);
	assert_int_equal(wot_zone_read(z, strlen(z), "z.zone", 0, &rrs, &lines),
			 0);
	assert_int_equal(wot_tld_check_zone(t, rrs, lines, "z.zone"),
			 WOT_EINVAL);
	assert_string_equal(wot_error_last(),
			    "z.zone:8: co.uk.: reserved name: a public suffix "
			    "of the normal DNS (no source may claim it)");
	assert_int_equal(wot_zone_rules(rrs, lines, "z.zone"), WOT_ESYNTAX);
	assert_string_equal(wot_error_last(),
			    "z.zone:5: alice.wot. is outside the zones of the "
			    "file's SOA records");
	ldns_rr_list_deep_free(rrs);
	free(lines);
	wot_error_clear();
	assert_int_equal(wot_zone_read(z, 76, "z.zone", 0, &rrs, &lines), 0);
	assert_int_equal(wot_tld_check_zone(t, rrs, lines, "z.zone"), 0);
	assert_int_equal(wot_zone_rules(rrs, lines, "z.zone"), 0);
	ldns_rr_list_deep_free(rrs);
	free(lines);
	wot_tld_free(t);
}

static void sync_shard_of(void **state)
{
	ldns_rdf *d = NULL;
	int s = wot_shard_of_name("www.alice.wot.");

	(void)state;
	assert_true(s >= 0 && s < WOT_SHARDS);
	assert_int_equal(wot_shard_of_name("alice.wot."), s);
	assert_int_equal(wot_shard_of_name("a.b.c.ALICE.Wot."), s);
	assert_int_equal(wot_shard_of_name("_wotdns.alice.wot."), s);
	assert_int_equal(wot_shard_of_name("alice.wot"), s); /* relative */
	assert_int_equal(wot_shard_of_name("wot."), WOT_SHARD_TOP);
	assert_int_equal(wot_shard_of_name("."), WOT_SHARD_TOP);
	assert_int_equal(wot_shard_of_name("a..wot."), WOT_SHARD_TOP);
	/* escapes: "\046" is a dot inside a label, not a separator */
	assert_int_equal(wot_shard_of_name("x\\046y."), WOT_SHARD_TOP);
	assert_int_equal(wot_shard_of_name("a\\.b.wot."),
			 wot_shard_of_name("a\\046b.wot."));
	assert_int_not_equal(wot_shard_of_name("a\\.b.wot."), WOT_SHARD_TOP);
	assert_int_equal(ldns_str2rdf_dname(&d, "Host.Alice.WOT."),
			 LDNS_STATUS_OK);
	assert_int_equal(wot_shard_of_wire(ldns_rdf_data(d), ldns_rdf_size(d)),
			 s);
	ldns_rdf_deep_free(d);
	/* a truncated wire name is never read past its end */
	assert_int_equal(wot_shard_of_wire((const uint8_t *)"\x05"
							    "alice\x03w",
					   8),
			 WOT_SHARD_TOP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(sync_zone_ok),
	    cmocka_unit_test(sync_zone_errors_name_line),
	    cmocka_unit_test(sync_zone_rules),
	    cmocka_unit_test(sync_limits_tally),
	    cmocka_unit_test(sync_config_parse),
	    cmocka_unit_test(sync_config_errors),
	    cmocka_unit_test(sync_config_opinion),
	    cmocka_unit_test(sync_config_neighbors),
	    cmocka_unit_test(sync_source_names),
	    cmocka_unit_test(sync_config_issue6),
	    cmocka_unit_test(sync_peer_conf),
	    cmocka_unit_test(sync_ini_long_lines),
	    cmocka_unit_test(sync_accept_json_escapes),
	    cmocka_unit_test(sync_shard_of),
	    cmocka_unit_test(sync_tld_reserved),
	    cmocka_unit_test(sync_tld_check_zone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

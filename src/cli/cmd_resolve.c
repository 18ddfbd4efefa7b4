/* cmd_resolve.c - wotdns resolve */
#include "cli/cli.h"
#include "cli/state.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char help[] =
    "usage: wotdns resolve [--explain] NAME [TYPE] [--home DIR]\n\n"
    "Print the accepted overlay records for NAME (all types, or TYPE)\n"
    "and their provenance: source, signer fingerprint and user id, key\n"
    "validity and WoT level, verified commit. When there is no answer,\n"
    "say why: no claim, untrusted signer, or conflict. Exits 1 when\n"
    "there is no answer. --explain prints the decision step by step:\n"
    "every claim on NAME, its signer's validity, level and weight, and\n"
    "why it was accepted or rejected.\n";

/* Every claim on name, with the engine's own explanation. */
static void explain_claims(json_t *acc, const char *name)
{
	json_t *c;
	size_t i;
	int n = 0;

	printf(";; decision for %s\n", name);
	json_array_foreach(json_object_get(acc, "claims"), i, c)
	{
		const char *nm = json_string_value(json_object_get(c, "name"));
		if (!nm || strcmp(nm, name))
			continue;
		n++;
		printf(";; claim %d: source %s, signer %s: %s\n", n,
		       json_string_value(json_object_get(c, "source")),
		       json_string_value(json_object_get(c, "signer")),
		       json_object_get(c, "reason") ? "REJECTED" : "ACCEPTED");
		printf(";;   %s\n",
		       json_string_value(json_object_get(c, "explain")));
	}
	if (!n)
		printf(";; no source claims this name\n");
}

static char *normalise(const char *in)
{
	size_t n = strlen(in);
	char *s = malloc(n + 2);

	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++)
		s[i] = (char)tolower((unsigned char)in[i]);
	if (n == 0 || s[n - 1] != '.')
		s[n++] = '.';
	s[n] = '\0';
	return s;
}

/*
 * A shard's records are written by the recompute one per line with the
 * absolute owner first: keep only the lines whose owner is want (the file
 * holds every accepted record of the shard, more than a zone may; the parse
 * below still compares names exactly). Caller disposes b.
 */
static void owner_lines(const char *text, const ldns_rdf *want, wot_buf *b)
{
	char *owner = ldns_rdf2str(want);
	size_t ol = owner ? strlen(owner) : 0;

	for (const char *p = text; owner && p && *p;) {
		const char *end = strchr(p, '\n');
		size_t n = end ? (size_t)(end - p) + 1 : strlen(p);
		if (n > ol && !strncasecmp(p, owner, ol) &&
		    (p[ol] == '\t' || p[ol] == ' '))
			wot_buf_put(b, p, n);
		p = end ? end + 1 : NULL;
	}
	free(owner);
}

/* Print matching records from name's shard; returns how many. */
static int print_records(const char *name, ldns_rr_type type, int any)
{
	char *path = cli_accepted_zone_of(name);
	ldns_rdf *want = ldns_dname_new_frm_str(name);
	ldns_rr_list *rrs = NULL;
	wot_buf lines = WOT_BUF_INIT;
	char *text = NULL;
	size_t len = 0;
	int found = 0;

	if (path && want && wot_file_read(path, 2u << 30, &text, &len) == 0)
		owner_lines(text, want, &lines);
	if (lines.len &&
	    wot_zone_parse(lines.ptr, lines.len, path, &rrs) == 0) {
		for (size_t i = 0; i < ldns_rr_list_rr_count(rrs); i++) {
			ldns_rr *rr = ldns_rr_list_rr(rrs, i);
			ldns_rr_type t = ldns_rr_get_type(rr);
			if (ldns_dname_compare(ldns_rr_owner(rr), want) ||
			    (!any && t != type && t != LDNS_RR_TYPE_CNAME))
				continue;
			ldns_rr_print(stdout, rr);
			found++;
		}
	}
	ldns_rr_list_deep_free(rrs);
	wot_buf_dispose(&lines);
	free(text);
	ldns_rdf_deep_free(want);
	free(path);
	return found;
}

static void print_claim(const char *label, json_t *c)
{
	printf("%s source %s, signer %s (%s), validity %s, level %lld, "
	       "commit %.12s",
	       label, json_string_value(json_object_get(c, "source")),
	       json_string_value(json_object_get(c, "signer")),
	       json_string_value(json_object_get(c, "uid"))
		   ? json_string_value(json_object_get(c, "uid"))
		   : "unknown user id",
	       json_string_value(json_object_get(c, "validity")),
	       (long long)json_integer_value(json_object_get(c, "level")),
	       json_string_value(json_object_get(c, "commit")));
	if (json_object_get(c, "reason"))
		printf("\n    rejected: %s",
		       json_string_value(json_object_get(c, "reason")));
	if (json_object_get(c, "winner"))
		printf(" (held by %s)",
		       json_string_value(json_object_get(c, "winner")));
	putchar('\n');
}

/* No claim at all; an expired source may be why. */
static int no_claim(const char *name)
{
	char *expired = cli_expired_sources();
	int rc;

	if (!expired)
		return cli_fail("no answer for %s: no source claims it", name);
	rc = cli_fail("no answer for %s: no source claims it (past their "
		      "maximum age, the records of %s are not served; see "
		      "'wotdns status')",
		      name, expired);
	free(expired);
	return rc;
}

/* Explain a missing answer; always returns EXIT_ERR. */
static int explain(json_t *acc, const char *name, const char *type)
{
	json_t *rej = json_object_get(acc, "rejected"), *c;
	size_t i;
	int n = 0;

	if (json_object_get(json_object_get(acc, "names"), name)) {
		print_claim(
		    "accepted:",
		    json_object_get(json_object_get(acc, "names"), name));
		return cli_fail("%s has no %s record (NODATA)", name, type);
	}
	json_array_foreach(rej, i, c)
	{
		if (strcmp(json_string_value(json_object_get(c, "name")), name))
			continue;
		print_claim("claim:", c);
		n++;
	}
	if (n)
		return cli_fail("no answer for %s: every claim was rejected",
				name);
	return no_claim(name);
}

int cmd_resolve(int argc, char **argv)
{
	static const struct option opts[] = {
	    CLI_COMMON_OPTS,
	    {"explain", no_argument, NULL, 'x'},
	    {NULL, 0, NULL, 0},
	};
	ldns_rr_type type = LDNS_RR_TYPE_A;
	int why = 0;
	const char *tname = "any";
	json_t *acc = NULL;
	char *name = NULL;
	int c, rc = EXIT_OK;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		CLI_COMMON_CASE(c, help);
		if (c == 'x') {
			why = 1;
			continue;
		}
		return cli_usage("resolve", "bad option '%s'",
				 argv[optind - 1]);
	}
	if (optind >= argc || argc - optind > 2)
		return cli_usage("resolve", "expected NAME [TYPE]");
	if (argc - optind == 2) {
		tname = argv[optind + 1];
		type = ldns_get_rr_type_by_name(tname);
		if (type == 0)
			return cli_usage("resolve", "unknown type '%s'", tname);
	}
	name = normalise(argv[optind]);
	if (!name || !(acc = cli_load_accepted_for(name, 0))) {
		free(name);
		return EXIT_ERR;
	}
	if (name && why)
		explain_claims(acc, name);
	if (name && print_records(name, type, argc - optind == 1) > 0) {
		json_t *p =
		    json_object_get(json_object_get(acc, "names"), name);
		if (p)
			print_claim(";; provenance:", p);
	} else {
		rc = name ? explain(acc, name, tname) : EXIT_ERR;
	}
	free(name);
	json_decref(acc);
	return rc;
}

/* cmd_resolve.c - wotdns resolve */
#include "cli/cli.h"
#include "dns/resolver/resolver.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char help[] =
    "usage: wotdns resolve [--explain] NAME [TYPE] [--home DIR]\n\n"
    "Answer NAME (every type at it, or TYPE) from the accepted set with\n"
    "the daemon's own code, as 'wotdns serve' answers it: wildcards,\n"
    "CNAME chains in the overlay, NXDOMAIN under an apex, or 'not in the\n"
    "overlay' when serve forwards the name. Prints the records and their\n"
    "provenance: source, signer fingerprint and user id, key\n"
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

/* The accepted claim that answers for owner: its own, else the wildcard
 * at its closest ancestor that has one (json of owner's shard). */
static json_t *claim_for(json_t *acc, const char *owner)
{
	json_t *names = json_object_get(acc, "names"), *c;
	char wild[1100];

	if ((c = json_object_get(names, owner)))
		return c;
	for (const char *p = strchr(owner, '.'); p && p[1];
	     p = strchr(p + 1, '.')) {
		snprintf(wild, sizeof(wild), "*.%s", p + 1);
		if ((c = json_object_get(names, wild)))
			return c;
	}
	return NULL;
}

/* The provenance line of one owner (lowercase) of the answer: the claim
 * is in the owner's shard, which for NAME is acc. */
static void provenance_of(const char *owner, const char *name, json_t *acc)
{
	json_t *a =
		   strcmp(owner, name) ? cli_load_accepted_for(owner, 1) : NULL,
	       *c = claim_for(a ? a : acc, owner);
	char label[1100];

	if (c) {
		if (strcmp(owner, name))
			snprintf(label, sizeof(label),
				 ";; provenance of %s:", owner);
		else
			snprintf(label, sizeof(label), ";; provenance:");
		print_claim(label, c);
	}
	json_decref(a);
}

/* ";; provenance" of every owner in the answers, each once. */
static void print_provenance(ldns_pkt **pkts, size_t n, const char *name,
			     json_t *acc)
{
	char *done[64];
	size_t ndone = 0;

	for (size_t k = 0; k < n; k++) {
		ldns_rr_list *an = ldns_pkt_answer(pkts[k]);
		for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++) {
			char *o =
			    ldns_rdf2str(ldns_rr_owner(ldns_rr_list_rr(an, i)));
			size_t j = 0;
			for (char *q = o; q && *q; q++)
				*q = (char)tolower((unsigned char)*q);
			while (o && j < ndone && strcmp(done[j], o))
				j++;
			if (!o || j < ndone || ndone == 64) {
				free(o);
				continue;
			}
			done[ndone++] = o;
			provenance_of(o, name, acc);
		}
	}
	for (size_t j = 0; j < ndone; j++)
		free(done[j]);
}

/* The last CNAME target of the answer, where the chain left the overlay. */
static void print_chase(ldns_pkt *p)
{
	ldns_rr_list *an = ldns_pkt_answer(p);
	size_t n = ldns_rr_list_rr_count(an);
	char *t =
	    n ? ldns_rdf2str(ldns_rr_rdf(ldns_rr_list_rr(an, n - 1), 0)) : NULL;

	printf(";; the CNAME chain leaves the overlay at %s: serve appends the "
	       "normal DNS's answer for it\n",
	       t ? t : "?");
	free(t);
}

/* No record: say what serve answers, and why. Returns EXIT_ERR. */
static int no_records(json_t *acc, const char *name, const char *tname,
		      ldns_pkt *p, int action)
{
	ldns_pkt_rcode rc = p ? ldns_pkt_get_rcode(p) : LDNS_RCODE_NOERROR;
	ldns_lookup_table *lt = ldns_lookup_by_id(ldns_rcodes, (int)rc);

	if (action == WOT_DNS_FORWARD || rc == LDNS_RCODE_NXDOMAIN)
		return explain(acc, name, tname);
	if (rc != LDNS_RCODE_NOERROR)
		return cli_fail("no answer for %s: %s", name,
				lt ? lt->name : "error");
	if (json_object_get(json_object_get(acc, "names"), name))
		return explain(acc, name, tname);
	return cli_fail("%s has no %s record (NODATA)", name, tname);
}

/* Ask the overlay as serve would: TYPE, or every type at NAME. */
static int ask_all(wot_dns_view *v, const char *name, int any,
		   ldns_rr_type type, ldns_pkt **pkts, size_t *n, int *action)
{
	uint16_t types[32];
	size_t nt = 0;
	int rc = 0;

	*n = 0;
	if (any && (rc = wot_dns_view_types(v, name, types, 32, &nt)) < 0)
		return rc;
	if (nt == 0)
		types[nt++] = (uint16_t)type;
	for (size_t i = 0; rc == 0 && i < nt; i++) {
		uint8_t *wire = NULL;
		size_t len = 0;
		rc = wot_dns_view_ask(v, name, types[i], &wire, &len, action);
		if (rc == 0 && *action != WOT_DNS_FORWARD &&
		    ldns_wire2pkt(&pkts[*n], wire, len) == LDNS_STATUS_OK)
			(*n)++;
		free(wire);
	}
	return rc;
}

/* Print the answer records; 1 if any, and if the chain left the overlay,
 * the point where it did. */
static int print_answers(ldns_pkt **pkts, size_t n, int action)
{
	int found = 0;

	for (size_t k = 0; k < n; k++) {
		ldns_rr_list *an = ldns_pkt_answer(pkts[k]);
		if (ldns_pkt_get_rcode(pkts[k]) != LDNS_RCODE_NOERROR)
			continue;
		for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++) {
			ldns_rr_print(stdout, ldns_rr_list_rr(an, i));
			found = 1;
		}
	}
	if (found && action == WOT_DNS_CHASE)
		print_chase(pkts[n - 1]);
	return found;
}

/* What serve does with the question: its rcode, or forwarding. */
static void print_header(const char *name, ldns_pkt *p, int action)
{
	ldns_lookup_table *lt =
	    p ? ldns_lookup_by_id(ldns_rcodes, (int)ldns_pkt_get_rcode(p))
	      : NULL;

	if (action == WOT_DNS_FORWARD || !p)
		printf(";; %s is not in the overlay: serve forwards it to the "
		       "normal DNS\n",
		       name);
	else
		printf(";; overlay answer: %s%s\n", lt ? lt->name : "?",
		       ldns_pkt_aa(p) ? ", authoritative" : "");
}

static int answer(json_t *acc, const char *name, int any, ldns_rr_type type,
		  const char *tname)
{
	wot_home *h = NULL;
	wot_dns_view *v = NULL;
	ldns_pkt *pkts[32] = {NULL};
	size_t n = 0;
	int action = WOT_DNS_FORWARD, rc;

	rc = cli_home_open(&h);
	if (rc == 0)
		rc = wot_dns_view_open(&v, h);
	if (rc == 0)
		rc = ask_all(v, name, any, type, pkts, &n, &action);
	if (rc == 0)
		print_header(name, n ? pkts[0] : NULL, action);
	if (rc < 0)
		rc = cli_fail_last("resolve");
	else if (print_answers(pkts, n, action)) {
		print_provenance(pkts, n, name, acc);
		rc = EXIT_OK;
	} else {
		rc = no_records(acc, name, tname, n ? pkts[0] : NULL, action);
	}
	for (size_t k = 0; k < n; k++)
		ldns_pkt_free(pkts[k]);
	wot_dns_view_free(v);
	wot_home_free(h);
	return rc;
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
	int c, rc;

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
	if (why)
		explain_claims(acc, name);
	rc = answer(acc, name, argc - optind == 1, type, tname);
	free(name);
	json_decref(acc);
	return rc;
}

/* cmd_trust.c - wotdns trust, wotdns trust set */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: wotdns trust [--home DIR]\n"
    "       wotdns trust set FPR none|marginal|full [--home DIR]\n\n"
    "List every key in the keyring as the trust engine sees it:\n"
    "fingerprint, user id, ownertrust, validity (gpg's classic trust\n"
    "model), WoT level (certification distance from you; - when\n"
    "unreachable), weight of its claims (see wotdns-config(5) [trust]),\n"
    "and which keys certified it.\n\n"
    "'trust set' changes a key's ownertrust (how far you rely on its\n"
    "certifications) and recomputes the accepted record set.\n";

static void print_key(const wot_key_info *k, const wot_cert *c, size_t nc,
		      const wot_key_info *all, size_t n,
		      const wot_trust_policy *pol)
{
	char lvl[12] = "-";
	int first = 1;

	if (k->level >= 0)
		snprintf(lvl, sizeof(lvl), "%d", k->level);
	printf("%s  %s\n", k->fpr, k->uid);
	printf("    ownertrust %-8s validity %-8s level %-2s weight %.2f%s\n",
	       wot_ownertrust_name(k->ownertrust),
	       wot_validity_name(k->validity), lvl,
	       wot_trust_weight(pol, k->validity, k->level),
	       k->revoked   ? "  REVOKED"
	       : k->expired ? "  EXPIRED"
			    : "");
	for (size_t i = 0; i < nc; i++) {
		const char *uid = "";
		if (strcmp(c[i].target, k->fpr))
			continue;
		for (size_t j = 0; j < n; j++)
			if (!strcmp(all[j].fpr, c[i].signer))
				uid = all[j].uid;
		printf("    %s %.16s %s\n",
		       first ? "certified by" : "            ", c[i].signer,
		       uid);
		first = 0;
	}
}

static int list_keys(wot_home *h, wot_trust *t)
{
	wot_key_info *k = NULL;
	wot_cert *c = NULL;
	size_t n = 0, nc = 0;

	if (wot_trust_list(t, &k, &n) < 0 || wot_trust_certs(t, &c, &nc) < 0) {
		free(k);
		return cli_fail_last("trust");
	}
	/* Own key first, then by level, so the web reads outwards. */
	for (int lvl = 0; lvl <= 64; lvl++)
		for (size_t i = 0; i < n; i++)
			if (k[i].level == lvl)
				print_key(&k[i], c, nc, k, n,
					  &wot_home_config(h)->trust);
	for (size_t i = 0; i < n; i++)
		if (k[i].level < 0 || k[i].level > 64)
			print_key(&k[i], c, nc, k, n,
				  &wot_home_config(h)->trust);
	free(k);
	free(c);
	return EXIT_OK;
}

static int set_trust(wot_home *h, wot_trust *t, const char *who,
		     const char *level)
{
	wot_ownertrust ot;
	wot_sync_report rep;
	char fpr[WOT_FPR_MAX];

	if (wot_ownertrust_parse(level, &ot) < 0 ||
	    ot == WOT_OWNERTRUST_ULTIMATE || ot == WOT_OWNERTRUST_UNKNOWN)
		return cli_usage("trust", "set takes none, marginal or full");
	if (wot_trust_find_key(t, who, 0, fpr) < 0)
		return cli_fail_last("trust set");
	if (!strcmp(fpr, wot_home_config(h)->key))
		return cli_fail("trust set: that is your own key");
	memset(&rep, 0, sizeof(rep));
	if (wot_sync_set_trust(h, t, fpr, ot, &rep) < 0)
		return cli_fail_last("trust set");
	printf("ownertrust of %s is now %s; records: %zu, conflicts: %zu\n",
	       fpr, wot_ownertrust_name(ot), rep.records, rep.conflicts);
	return EXIT_OK;
}

int cmd_trust(int argc, char **argv)
{
	static const struct option opts[] = {CLI_COMMON_OPTS,
					     {NULL, 0, NULL, 0}};
	wot_home *h = NULL;
	wot_trust *t = NULL;
	int c, rc, nargs;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		CLI_COMMON_CASE(c, help);
		return cli_usage("trust", "bad option '%s'", argv[optind - 1]);
	}
	nargs = argc - optind;
	if (nargs != 0 && !(nargs == 3 && !strcmp(argv[optind], "set")))
		return cli_usage("trust", "expected no argument, or "
					  "'set FPR LEVEL'");
	if ((rc = cli_open(&h, &t)) != EXIT_OK)
		return rc;
	rc = nargs ? set_trust(h, t, argv[optind + 1], argv[optind + 2])
		   : list_keys(h, t);
	wot_trust_free(t);
	wot_home_free(h);
	return rc;
}

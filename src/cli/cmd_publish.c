/* cmd_publish.c - wotdns publish */
#include "cli/cli.h"
#include "dns/daemon/daemon.h"

#include <stdio.h>

static const char help[] =
    "usage: wotdns publish ZONEFILE... [-m MSG | --message MSG] [--home DIR]\n"
    "       wotdns publish --renew [-m MSG | --message MSG] [--home DIR]\n\n"
    "Check every zone file with ldns (errors as file:line: message;\n"
    "a record at the root, a TLD, a public suffix or under arpa is\n"
    "refused; nothing is committed if any file is bad), then commit them\n"
    "to the own repository as zones/<basename> in one OpenPGP-signed\n"
    "commit,\n"
    "together with keys/ (your key and the keys you certified).\n"
    "The published zones become exactly the files given.\n"
    "Prints the commit id. A running 'wotdns serve' on this home is told,\n"
    "so it serves the change and sends a DNS NOTIFY to the followers'\n"
    "endpoints (see wotdns-peer.conf(5)).\n\n"
    "  --renew   sign a new commit of the same zones and keys, so\n"
    "            followers see a fresh head: keeps the [peer] refresh\n"
    "            promise without changing any record ('wotdns serve'\n"
    "            does this by itself when the promise is set)\n";

int cmd_publish(int argc, char **argv)
{
	static const struct option opts[] = {
	    CLI_COMMON_OPTS,
	    {"message", required_argument, NULL, 'm'},
	    {"renew", no_argument, NULL, 'r'},
	    {NULL, 0, NULL, 0},
	};
	const char *msg = NULL;
	int renew = 0;
	wot_home *h = NULL;
	wot_trust *t = NULL;
	char oid[WOT_OID_MAX];
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "hm:", opts, NULL)) != -1) {
		CLI_COMMON_CASE(c, help);
		if (c == 'r')
			renew = 1;
		else if (c == 'm')
			msg = optarg;
		else
			return cli_usage("publish", "bad option '%s'",
					 argv[optind - 1]);
	}
	if (renew && optind < argc)
		return cli_usage("publish",
				 "--renew keeps the published zones: no zone "
				 "file with it");
	if (!renew && optind >= argc)
		return cli_usage("publish", "no zone file given");
	if ((rc = cli_open(&h, &t)) != EXIT_OK)
		return rc;
	if (renew ? wot_sync_renew(h, t, msg, oid) < 0
		  : wot_sync_publish(h, t, (const char *const *)argv + optind,
				     (size_t)(argc - optind), msg, oid) < 0)
		rc = cli_fail_last(NULL);
	else
		printf("%s\n", oid);
	if (rc == EXIT_OK)
		cli_tell_daemon(h);
	wot_trust_free(t);
	wot_home_free(h);
	return rc;
}

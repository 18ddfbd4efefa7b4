/* cmd_doctor.c - wotdns doctor */
#include "cli/cli.h"
#include "dns/desktop/desktop.h"

#include <stdio.h>

static const char help[] =
    "usage: wotdns doctor [--home DIR] [--name NAME] [--normal NAME]\n\n"
    "Check the desktop wiring end to end and print one line per check:\n"
    "the home and its keyring, whether the daemon answers, whether an\n"
    "upstream answers and none is wotdns itself (a loop), the state of\n"
    "resolv.conf, NetworkManager, systemd-resolved's routes and\n"
    "nsswitch.conf (and the NSS module when nsswitch.conf names it), and\n"
    "whether an overlay name and a normal name resolve through the\n"
    "system (getaddrinfo). Each PROBLEM line names its fix. Exit 0 only\n"
    "when nothing is wrong. Needs no root: run it as the desktop user.\n\n"
    "  --name NAME     the overlay name to resolve (default: one of the\n"
    "                  accepted names)\n"
    "  --normal NAME   a name outside the overlay (default debian.org)\n";

int cmd_doctor(int argc, char **argv)
{
	static const struct option opts[] = {
	    CLI_COMMON_OPTS,
	    {"name", required_argument, NULL, 'N'},
	    {"normal", required_argument, NULL, 'O'},
	    {NULL, 0, NULL, 0}};
	struct wot_dns_desktop_check_opts o = {
	    .normal = "debian.org", .home = NULL, .out = stdout};
	int c, problems = 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		CLI_COMMON_CASE(c, help);
		if (c == 'N')
			o.name = optarg;
		else if (c == 'O')
			o.normal = optarg;
		else
			return cli_usage("doctor", "bad option '%s'",
					 argv[optind - 1]);
	}
	if (optind != argc)
		return cli_usage("doctor", "unexpected '%s'", argv[optind]);
	o.home = cli_home;
	if (wot_dns_desktop_doctor(&o, &problems) < 0)
		return cli_fail_last("doctor");
	if (problems)
		printf("%d problem%s\n", problems, problems == 1 ? "" : "s");
	else
		printf("healthy\n");
	return problems ? EXIT_ERR : EXIT_OK;
}

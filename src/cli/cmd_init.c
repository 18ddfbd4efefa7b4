/* cmd_init.c - wotdns init */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>

static const char help[] =
    "usage: wotdns init [--name NAME] [--email ADDR] [--key FPR]\n"
    "                   [--gnupghome DIR] [--home DIR]\n\n"
    "Create a wotdns home: a keyring in HOME/gnupg (or DIR with\n"
    "--gnupghome), an ed25519 signing key without passphrase (or the\n"
    "existing secret key FPR with --key), and the own zone repository\n"
    "HOME/own.git whose first signed commit holds keys/<FPR>.asc.\n"
    "The home is made mode 0700; a directory that belongs to another\n"
    "user is refused. Prints the fingerprint on the last line.\n";

int cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
	    CLI_COMMON_OPTS,
	    {"name", required_argument, NULL, 'n'},
	    {"email", required_argument, NULL, 'e'},
	    {"key", required_argument, NULL, 'k'},
	    {"gnupghome", required_argument, NULL, 'g'},
	    {NULL, 0, NULL, 0},
	};
	wot_init_opts o = WOT_INIT_OPTS_INIT;
	char fpr[WOT_FPR_MAX], *gnupghome = NULL;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		CLI_COMMON_CASE(c, help);
		switch (c) {
		case 'n':
			o.name = optarg;
			break;
		case 'e':
			o.email = optarg;
			break;
		case 'k':
			o.key = optarg;
			break;
		case 'g':
			o.gnupghome = optarg;
			break;
		default:
			return cli_usage("init", "bad option '%s'",
					 argv[optind - 1]);
		}
	}
	if (optind != argc)
		return cli_usage("init", "unexpected argument '%s'",
				 argv[optind]);
	if (o.gnupghome && !(gnupghome = cli_abspath(o.gnupghome)))
		return cli_fail("out of memory");
	o.gnupghome = gnupghome;
	o.lock_wait_s = cli_lock_wait_s();
	if (wot_home_init(cli_home, &o, fpr) < 0) {
		free(gnupghome);
		return cli_fail_last("init");
	}
	free(gnupghome);
	printf("home: %s\nkey:  %s\n%s\n", cli_home, fpr, fpr);
	return EXIT_OK;
}

/* cmd_desktop.c - wotdns desktop setup | status | undo (refresh: in
 * cmd_desktop_refresh.c). A thin front end over src/dns/desktop. */
#include "cli/cli.h"
#include "dns/desktop/desktop.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
    "usage: wotdns desktop setup [--user USER] [--dry-run] [--nss] "
    "[--no-dns]\n"
    "       wotdns desktop status [--name NAME] [--normal NAME]\n"
    "       wotdns desktop undo [--dry-run]\n"
    "       wotdns desktop refresh [--user USER] [--server ADDR:PORT] "
    "[--down]\n"
    "                              [--dry-run] [--home DIR]\n\n"
    "Wire the desktop user's wotdns daemon into the system's name\n"
    "resolution, say how it is wired, and take it out again. setup finds\n"
    "how the machine resolves names (systemd-resolved, NetworkManager or\n"
    "a plain /etc/resolv.conf), records the current nameservers as the\n"
    "user's [serve] upstream, writes the drop-in of wotdns@USER.service\n"
    "and points the system at it. Every file it changes is journalled in\n"
    "/var/lib/wotdns-desktop first: undo restores each byte for byte.\n"
    "setup and undo need root. See wotdns-desktop(1).\n\n"
    "  --user USER     the desktop user whose home is the trust root\n"
    "                  (default: $SUDO_USER)\n"
    "  --dry-run       print every change, make none\n"
    "  --nss           also put wotdns after files in nsswitch.conf's\n"
    "                  hosts: line (the NSS module asks the daemon)\n"
    "  --no-dns        with --nss: wire only NSS, leave the DNS alone\n"
    "  --name NAME     status: the overlay name to resolve (default: one\n"
    "                  of the user's accepted names)\n"
    "  --normal NAME   status: a name outside the overlay (default\n"
    "                  debian.org)\n"
    "  --server ADDR:PORT, --down, --home DIR\n"
    "                  refresh: see 'wotdns desktop refresh --help'\n";

/* The binary the unit runs: this one, wherever it is installed. */
static char *self_path(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n <= 0)
		return strdup("/usr/bin/wotdns");
	buf[n] = '\0';
	return strdup(buf);
}

static int run_setup(struct wot_dns_desktop_opts *o)
{
	char *bin = self_path();
	int rc;

	if (!o->user)
		o->user = getenv("SUDO_USER");
	if (!bin)
		return cli_fail("out of memory");
	o->bin = bin;
	o->out = stdout;
	rc = wot_dns_desktop_setup(o) < 0 ? cli_fail_last(NULL) : EXIT_OK;
	free(bin);
	return rc;
}

static int run_status(const char *name, const char *normal)
{
	struct wot_dns_desktop_check_opts o = {
	    .name = name, .normal = normal, .out = stdout};
	int problems = 0;

	if (wot_dns_desktop_status(&o, &problems) < 0)
		return cli_fail_last("status");
	if (problems)
		printf("%d problem%s\n", problems, problems == 1 ? "" : "s");
	return problems ? EXIT_ERR : EXIT_OK;
}

static int dispatch(const char *sub, struct wot_dns_desktop_opts *o,
		    const char *name, const char *normal)
{
	bool status = !strcmp(sub, "status"), undo = !strcmp(sub, "undo");

	if (strcmp(sub, "setup") && (o->user || o->nss || o->no_dns))
		return cli_usage("desktop", "--user, --nss and --no-dns are "
					    "for setup");
	if (!status && (name || normal))
		return cli_usage("desktop", "--name and --normal are for "
					    "status");
	if (status && o->dry_run)
		return cli_usage("desktop", "status changes nothing: no "
					    "--dry-run");
	if (o->no_dns && !o->nss)
		return cli_usage("desktop", "--no-dns wires only NSS: it "
					    "needs --nss");
	if (status)
		return run_status(name, normal ? normal : "debian.org");
	if (undo)
		return wot_dns_desktop_undo(o->dry_run, stdout) < 0
			   ? cli_fail_last(NULL)
			   : EXIT_OK;
	return run_setup(o);
}

int cmd_desktop(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"user", required_argument, NULL, 'u'},
	    {"dry-run", no_argument, NULL, 'n'},
	    {"nss", no_argument, NULL, 's'},
	    {"no-dns", no_argument, NULL, 'D'},
	    {"name", required_argument, NULL, 'N'},
	    {"normal", required_argument, NULL, 'O'},
	    /* refresh's own (cmd_desktop_refresh.c parses them). */
	    {"server", required_argument, NULL, 'R'},
	    {"down", no_argument, NULL, 'R'},
	    {"home", required_argument, NULL, 'R'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	struct wot_dns_desktop_opts o = {0};
	const char *sub = argc > 1 ? argv[1] : "", *name = NULL, *normal = NULL;
	int c;

	if (!strcmp(sub, "--help") || !strcmp(sub, "-h")) {
		fputs(help, stdout);
		return EXIT_OK;
	}
	if (!strcmp(sub, "refresh")) /* cmd_desktop_refresh.c */
		return cmd_desktop_refresh(argc - 1, argv + 1);
	if (strcmp(sub, "setup") && strcmp(sub, "status") &&
	    strcmp(sub, "undo"))
		return cli_usage("desktop",
				 "expected setup, status, undo or refresh%s%s",
				 *sub ? ", not " : "", sub);
	opterr = 0;
	while ((c = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			o.user = optarg;
			break;
		case 'n':
			o.dry_run = true;
			break;
		case 's':
			o.nss = true;
			break;
		case 'D':
			o.no_dns = true;
			break;
		case 'N':
			name = optarg;
			break;
		case 'O':
			normal = optarg;
			break;
		case 'h':
			fputs(help, stdout);
			return EXIT_OK;
		case 'R':
			return cli_usage("desktop", "%s is for refresh",
					 argv[optind]);
		default:
			return cli_usage("desktop", "bad option '%s'",
					 argv[optind]);
		}
	}
	if (optind + 1 != argc)
		return cli_usage("desktop", "unexpected '%s'",
				 argv[optind + 1]);
	return dispatch(sub, &o, name, normal);
}

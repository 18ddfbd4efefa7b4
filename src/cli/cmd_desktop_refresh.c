/* cmd_desktop_refresh.c - wotdns desktop refresh */
#include "cli/cli.h"
#include "dns/desktop/desktop.h"

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_SERVER "127.0.0.1:5380"

static const char help[] =
    "usage: wotdns desktop refresh [--user USER] [--server ADDR:PORT]\n"
    "                              [--down] [--dry-run] [--home DIR]\n\n"
    "Make systemd-resolved send the overlay's names, and only those, to\n"
    "wotdns: reads the routes the daemon wrote (HOME/state/routes: each\n"
    "overlay-only TLD and each accepted zone under a normal TLD) and sets\n"
    "them as routing-only domains of wotdns's own link wotdns0, whose DNS\n"
    "server is ADDR:PORT (default " DEFAULT_SERVER "), never a default\n"
    "route; the same names become negative trust anchors (on the link and\n"
    "in /etc/dnssec-trust-anchors.d/wotdns.negative). DNSSEC validation\n"
    "stays on for every other name. Run as root, by\n"
    "wotdns-routes@USER.path whenever the routes change.\n\n"
    "  --user USER  read USER's home (~USER/.local/share/wotdns unless\n"
    "               --home is given), with USER's permissions\n"
    "  --server A   where resolved sends the overlay's names\n"
    "  --down       remove the link and the negative trust anchors\n"
    "  --dry-run    print every change, make none\n";

typedef struct {
	const char *user, *server;
	int down, dry, explicit_home;
} refresh_opts;

/* The routes file, read with the permissions of pw (the home's owner
 * decides what is in it; root must not read more than it could). */
static int read_as(const struct passwd *pw, const char *path,
		   struct wot_dns_routes *r)
{
	gid_t groups[64];
	int n = pw ? getgroups(64, groups) : 0, rc;

	if (pw && (n < 0 || setgroups(1, &pw->pw_gid) < 0 ||
		   setegid(pw->pw_gid) < 0 || seteuid(pw->pw_uid) < 0))
		return cli_fail("cannot take %s's permissions to read %s",
				pw->pw_name, path);
	rc = wot_dns_routes_read(path, r);
	if (pw && (seteuid(0) < 0 || setegid(0) < 0 ||
		   setgroups((size_t)n, groups) < 0)) {
		wot_dns_routes_clear(r);
		return cli_fail("cannot get root's permissions back");
	}
	return rc < 0 ? cli_fail_last("desktop refresh") : EXIT_OK;
}

static int load_routes(const refresh_opts *o, struct wot_dns_routes *r)
{
	struct passwd *pw = NULL;
	char *home = NULL, *path;
	int rc;

	if (o->user && !(pw = getpwnam(o->user)))
		return cli_fail("desktop refresh: no user '%s'", o->user);
	if (pw && !o->explicit_home)
		home = wot_strdup_printf("%s/.local/share/wotdns", pw->pw_dir);
	path = wot_path_join(home ? home : cli_home,
			     wot_state_rel(WOT_STATE_ROUTES));
	if (!path) {
		free(home);
		return cli_fail("out of memory");
	}
	/* Already the user: nothing to take. */
	rc = read_as(pw && pw->pw_uid != geteuid() ? pw : NULL, path, r);
	free(path);
	free(home);
	return rc;
}

static int parse(int argc, char **argv, refresh_opts *o)
{
	static const struct option opts[] = {
	    CLI_COMMON_OPTS,
	    {"user", required_argument, NULL, 'u'},
	    {"server", required_argument, NULL, 's'},
	    {"down", no_argument, NULL, 'd'},
	    {"dry-run", no_argument, NULL, 'n'},
	    {NULL, 0, NULL, 0}};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'H')
			o->explicit_home = 1;
		CLI_COMMON_CASE(c, help);
		if (c == 'u')
			o->user = optarg;
		else if (c == 's')
			o->server = optarg;
		else if (c == 'd')
			o->down = 1;
		else if (c == 'n')
			o->dry = 1;
		else
			return cli_usage("desktop refresh", "bad option '%s'",
					 argv[optind - 1]);
	}
	if (optind != argc)
		return cli_usage("desktop refresh", "unexpected argument '%s'",
				 argv[optind]);
	return -1; /* go on */
}

/* Apply (or plan) the change; with a plan, say when there is none. */
static int apply(const refresh_opts *o, const struct wot_dns_routes *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *plan = o->dry ? open_memstream(&text, &len) : NULL;
	int rc;

	if (o->dry && !plan)
		return cli_fail("out of memory");
	rc = o->down ? wot_dns_desktop_resolved_down(plan)
		     : wot_dns_desktop_resolved_up(o->server, r, plan);
	if (plan)
		fclose(plan);
	if (rc < 0)
		rc = cli_fail_last("desktop refresh");
	else if (o->dry)
		fputs(len ? text : "nothing to change\n", stdout);
	else if (o->down)
		printf("wotdns0 removed: systemd-resolved no longer routes "
		       "names to wotdns\n");
	else
		printf("systemd-resolved routes %zu domain%s to %s\n",
		       r->n_route, r->n_route == 1 ? "" : "s", o->server);
	free(text);
	return rc;
}

int cmd_desktop_refresh(int argc, char **argv)
{
	refresh_opts o = {.server = DEFAULT_SERVER};
	struct wot_dns_routes r = {0};
	int rc = parse(argc, argv, &o);

	if (rc >= 0)
		return rc;
	if (geteuid() != 0 && !o.dry)
		return cli_fail("desktop refresh changes systemd-resolved's "
				"settings and /etc: run it as root (sudo "
				"wotdns desktop refresh --user USER), or "
				"with --dry-run");
	if (!o.down && (rc = load_routes(&o, &r)) != EXIT_OK)
		return rc;
	rc = apply(&o, &r);
	wot_dns_routes_clear(&r);
	return rc;
}

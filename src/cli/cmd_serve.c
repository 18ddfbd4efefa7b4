/* cmd_serve.c - wotdns serve */
#include "cli/cli.h"
#include "dns/daemon/daemon.h"
#include "dns/resolver/resolver.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static const char help[] =
    "usage: wotdns serve [--listen ADDR:PORT]... [--upstream ADDR:PORT]...\n"
    "                    [--no-upstream] [--sync-interval SEC] [--threads N]\n"
    "                    [--cache-size MB] [--upstream-timeout MS]\n"
    "                    [--user USER] [--allow-nonloopback]\n"
    "                    [--peer-listen ADDR:PORT]...\n"
    "                    [--verbose] [--home DIR]\n\n"
    "Run the loopback resolver in the foreground. Overlay names are\n"
    "answered from the accepted record set; every other query goes to\n"
    "the cache, then to the upstream resolvers (default: the nameservers\n"
    "in /etc/resolv.conf that are not this server), fastest first.\n"
    "serve refuses to start when no upstream is usable: none besides\n"
    "itself, or each one sends a probe question back to this server (a\n"
    "forwarding loop). A loop found later stops the use of that upstream.\n"
    "Names under a TLD only the overlay has, that no record holds, get\n"
    "NXDOMAIN here and never go upstream.\n"
    "Default listen: 127.0.0.1:53 and [::1]:53, UDP and TCP; port 0\n"
    "picks a free port (logged). Non-loopback addresses are refused\n"
    "without --allow-nonloopback. Syncs every SEC seconds (default 300,\n"
    "0 = never) without pausing answers. SIGHUP reloads the record set;\n"
    "SIGTERM and SIGINT exit cleanly. Under systemd (Type=notify units,\n"
    "see wotdns-serve(1)) it reports READY, RELOADING and STOPPING, pets\n"
    "the watchdog, and logs with journal priorities.\n\n"
    "  --no-upstream          overlay only: no upstream at all, names\n"
    "                         outside the overlay get REFUSED\n"
    "  --threads N            listener threads (SO_REUSEPORT; default 1)\n"
    "  --cache-size MB        upstream answer cache (default 32, 0 = off)\n"
    "  --upstream-timeout MS  per upstream attempt (default 1500)\n"
    "  --user USER            when started as root: become USER after\n"
    "                         binding (the home must belong to USER;\n"
    "                         root serves no other user's home without)\n"
    "  --peer-listen ADDR:PORT  answer NOTIFY and opinion questions\n"
    "                         from peers here (UDP+TCP;\n"
    "                         port 0 picks one, logged; default: the\n"
    "                         config's [peer] listen, else none). A\n"
    "                         NOTIFY for a followed source fetches it at\n"
    "                         once; see wotdns-peer.conf(5)\n"
    "  --verbose              log sync results and upstreams\n\n"
    "Counters: 'wotdns status' reads them from HOME/state/serve.sock.\n";

/* A whole number from lo to hi, or a usage error. */
static int number(const char *arg, const char *flag, long lo, long hi,
		  long *out)
{
	char *end;

	*out = strtol(arg, &end, 10);
	if (!*arg || *end || *out < lo || *out > hi)
		return cli_usage("serve", "%s wants a number from %ld to %ld",
				 flag, lo, hi);
	return EXIT_OK;
}

/*
 * Root serves a home for the user it becomes (--user, or [serve] user):
 * the home must then belong to that user, and is read as theirs. Anyone
 * else opens their own home. Root without either reads a user's home only
 * if its config names that user, so root never runs as root on a config
 * someone else wrote.
 */
static int open_home(wot_home **h, const char *user)
{
	const struct passwd *pw;
	const char *cfg_user;
	struct stat st;

	if (geteuid() != 0)
		return cli_home_open(h) < 0 ? cli_fail_last(NULL) : EXIT_OK;
	if (user) {
		if (!(pw = getpwnam(user)))
			return cli_fail("no such user: %s", user);
		if (cli_home_open_owned(h, pw->pw_uid) < 0)
			return cli_fail_last(NULL);
		return EXIT_OK;
	}
	if (stat(cli_home, &st) < 0 || st.st_uid == 0)
		return cli_home_open(h) < 0 ? cli_fail_last(NULL) : EXIT_OK;
	if (cli_home_open_owned(h, st.st_uid) < 0)
		return cli_fail_last(NULL);
	cfg_user = wot_home_config(*h)->user;
	if (!cfg_user || !(pw = getpwnam(cfg_user)) ||
	    pw->pw_uid != st.st_uid) {
		wot_home_free(*h);
		*h = NULL;
		return cli_fail("%s belongs to uid %u: as root, serve it with "
				"--user set to its owner",
				cli_home, (unsigned)st.st_uid);
	}
	return EXIT_OK;
}

/* An address is checked here, so a bad one is a usage error (exit 2)
 * like every other bad value, not a failure of the daemon (exit 1). */
static int push(const char ***v, size_t *n, const char *s, const char *flag)
{
	struct sockaddr_storage sa;
	const char **nv;

	if (wot_dns_parse_addr(s, 53, &sa) < 0)
		return cli_usage("serve", "%s: %s", flag, wot_error_last());
	nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv)
		return -1;
	nv[(*n)++] = s;
	*v = nv;
	return 0;
}

int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
	    CLI_COMMON_OPTS,
	    {"listen", required_argument, NULL, 'l'},
	    {"upstream", required_argument, NULL, 'u'},
	    {"sync-interval", required_argument, NULL, 's'},
	    {"allow-nonloopback", no_argument, NULL, 'A'},
	    {"threads", required_argument, NULL, 't'},
	    {"cache-size", required_argument, NULL, 'c'},
	    {"upstream-timeout", required_argument, NULL, 'T'},
	    {"user", required_argument, NULL, 'U'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"peer-listen", required_argument, NULL, 'P'},
	    {"no-upstream", no_argument, NULL, 'N'},
	    {NULL, 0, NULL, 0},
	};
	wot_daemon_opts o = WOT_DAEMON_OPTS_INIT;
	const char **listen = NULL, **up = NULL, **peer = NULL;
	wot_home *h = NULL;
	int c, rc = EXIT_OK, verbose = 0;
	long v;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "hv", opts, NULL)) != -1) {
		int common = cli_common_opt(c, optarg, help);
		if (common < 0) {
			rc = common == -1   ? EXIT_OK
			     : common == -3 ? EXIT_USAGE
					    : EXIT_ERR;
			goto out; /* --help printed, bad --home, or no memory */
		}
		if (common)
			continue;
		switch (c) {
		case 'l':
			rc = push(&listen, &o.nlisten, optarg, "--listen");
			break;
		case 'u':
			rc = push(&up, &o.nupstream, optarg, "--upstream");
			break;
		case 'P':
			rc = push(&peer, &o.npeer_listen, optarg,
				  "--peer-listen");
			break;
		case 's':
			rc = number(optarg, "--sync-interval", 0, 86400 * 30,
				    &v);
			o.sync_interval = (int)v;
			break;
		case 't':
			rc = number(optarg, "--threads", 1, 64, &v);
			o.threads = (unsigned)v;
			break;
		case 'c':
			rc = number(optarg, "--cache-size", 0, 65536, &v);
			o.cache_mb = (int)v;
			break;
		case 'T':
			rc =
			    number(optarg, "--upstream-timeout", 10, 60000, &v);
			o.upstream_timeout_ms = (unsigned)v;
			break;
		case 'U':
			o.user = optarg;
			break;
		case 'A':
			o.allow_nonloopback = 1;
			break;
		case 'N':
			o.no_upstream = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			rc = cli_usage("serve", "bad option '%s'",
				       argv[optind - 1]);
		}
		if (rc != EXIT_OK)
			goto out;
	}
	if (optind != argc) {
		rc = cli_usage("serve", "unexpected argument '%s'",
			       argv[optind]);
		goto out;
	}
	if (o.no_upstream && up) {
		rc = cli_usage("serve", "--no-upstream and --upstream "
					"contradict each other");
		goto out;
	}
	o.listen = listen;
	o.upstream = up;
	o.peer_listen = peer;
	wot_log_set(NULL, NULL, verbose ? WOT_LOG_INFO : WOT_LOG_NOTICE);
	if ((rc = open_home(&h, o.user)) != EXIT_OK)
		goto out;
	if (wot_daemon_run(h, &o) < 0)
		rc = cli_fail_last("serve");
out:
	wot_home_free(h);
	free(listen);
	free(up);
	free(peer);
	return rc;
}

/* main.c - wotdns command dispatch. */
#include "cli/cli.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *cli_home;
static char *home_alloc;

static const cli_command commands[] = {
    {"init", cmd_init, "create a home, a key and the own zone repository"},
    {"publish", cmd_publish, "check zone files and commit them, signed"},
    {"follow", cmd_follow, "add a friend's zone repository as a source"},
    {"sign-friend", cmd_sign_friend,
     "certify a friend's key and set its ownertrust"},
    {"sync", cmd_sync, "fetch and verify every source, recompute records"},
    {"serve", cmd_serve, "run the loopback DNS resolver"},
    {"resolve", cmd_resolve, "show the accepted answer and its provenance"},
    {"status", cmd_status, "show sources, keys, records and conflicts"},
    {"trust", cmd_trust,
     "list keys with validity, level and weight; set ownertrust"},
    {"conflicts", cmd_conflicts, "list claims that lost or that nobody won"},
    {"graph", cmd_graph, "draw the web of trust (Graphviz dot or png)"},
    {"evidence", cmd_evidence,
     "show refused histories and equivocations kept as proof"},
    {"opinions", cmd_opinions,
     "show what peers said about a name (second opinions)"},
    {"source", cmd_source, "source trust-again NAME: resume a suspended one"},
    {"sources", cmd_sources,
     "list sources, and those followed sources suggest"},
    {"unfollow", cmd_unfollow, "stop following a source, for good"},
    {"desktop", cmd_desktop,
     "wire the daemon into the system's resolver, or undo it"},
    {"doctor", cmd_doctor, "check the desktop wiring; print each fix"},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: wotdns [--home DIR] COMMAND [ARGS]\n\n"
		     "A web-of-trust overlay DNS resolver.\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++)
		fprintf(out, "  %-12s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(out,
		"\nEvery command takes --home DIR (default $WOTDNS_HOME, else\n"
		"$XDG_DATA_HOME/wotdns, else ~/.local/share/wotdns), "
		"--lock-wait SEC\n(how long to wait for the home lock another "
		"wotdns process holds;\ndefault 60) and --help. --version "
		"prints the version. See wotdns(1).\n");
}

char *cli_abspath(const char *path)
{
	char buf[PATH_MAX], cwd[PATH_MAX];

	if (realpath(path, buf))
		return strdup(buf);
	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return strdup(path);
	return wot_strdup_printf("%s/%s", cwd, path);
}

int cli_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("wotdns: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_ERR;
}

int cli_fail_last(const char *what)
{
	return what ? cli_fail("%s: %s", what, wot_error_last())
		    : cli_fail("%s", wot_error_last());
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "wotdns %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'wotdns %s --help'.\n", cmd);
	return EXIT_USAGE;
}

/* Absolute, so paths written into the home's config stay valid from any
 * working directory, wherever the home came from. */
static int set_home(const char *dir)
{
	char *abs = cli_abspath(dir);

	if (!abs)
		return -1;
	free(home_alloc);
	home_alloc = abs;
	cli_home = home_alloc;
	return 0;
}

/* --lock-wait SECONDS: how long a command waits for the home lock. */
static unsigned cli_lock_wait = WOT_LOCK_WAIT_DEFAULT;

unsigned cli_lock_wait_s(void)
{
	return cli_lock_wait;
}

int cli_home_open(wot_home **h)
{
	int rc = wot_home_open(h, cli_home);

	if (rc == 0)
		wot_home_set_lock_wait(*h, cli_lock_wait);
	return rc;
}

int cli_home_open_owned(wot_home **h, unsigned owner)
{
	int rc = wot_home_open_owned(h, cli_home, owner);

	if (rc == 0)
		wot_home_set_lock_wait(*h, cli_lock_wait);
	return rc;
}

static int set_lock_wait(const char *arg)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (!*arg || *end || v < 0 || v > 86400) {
		fprintf(stderr,
			"wotdns: --lock-wait wants seconds from 0 to "
			"86400, not '%s'\n",
			arg);
		return -3;
	}
	cli_lock_wait = (unsigned)v;
	return 1;
}

int cli_common_opt(int c, const char *arg, const char *help)
{
	if (c == 'W')
		return set_lock_wait(arg);
	if (c == 'H') {
		if (!*arg) {
			fprintf(stderr, "wotdns: --home wants a directory, "
					"not an empty string\n");
			return -3;
		}
		if (set_home(arg) < 0) {
			fprintf(stderr, "wotdns: out of memory\n");
			return -2;
		}
		return 1;
	}
	if (c == 'h') {
		fputs(help, stdout);
		return -1;
	}
	return 0;
}

int cli_open(wot_home **h, wot_trust **t)
{
	*h = NULL;
	*t = NULL;
	if (cli_home_open(h) < 0)
		return cli_fail_last(NULL);
	if (wot_home_trust(*h, t) < 0) {
		wot_home_free(*h);
		*h = NULL;
		return cli_fail_last("keyring");
	}
	return EXIT_OK;
}

void cli_progress(wot_sync_event ev, const char *source, size_t cur,
		  size_t total, int ok, const char *msg, void *data)
{
	int tty = isatty(STDERR_FILENO);

	(void)data;
	switch (ev) {
	case WOT_SYNC_EV_START:
		if (tty)
			fprintf(stderr, "[%zu/%zu] %s: fetching\r", cur, total,
				source);
		break;
	case WOT_SYNC_EV_FETCH:
		if (tty && total)
			fprintf(stderr, "        %s: objects %zu/%zu\r", source,
				cur, total);
		break;
	case WOT_SYNC_EV_DONE:
		/* Results are always shown: a failing source must be seen. */
		fprintf(stderr, "%s[%zu/%zu] %s: %s%.*s\n", tty ? "\033[K" : "",
			cur, total, source,
			ok ? "ok " : "FAILED: ", ok ? 12 : 1024,
			msg ? msg : "");
		break;
	case WOT_SYNC_EV_ACCEPTED:
		fprintf(stderr, "accepted records: %zu\n", cur);
		break;
	case WOT_SYNC_EV_BYTES:
		break;
	}
}

int main(int argc, char **argv)
{
	int i = 1, rc;

	/* Global options before the command. */
	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return EXIT_OK;
		} else if (!strcmp(argv[i], "--version")) {
			printf("wotdns 0.1.0\n");
			return EXIT_OK;
		} else if (!strcmp(argv[i], "--home") && i + 1 < argc) {
			cli_home = argv[i + 1];
			i += 2;
		} else if (!strncmp(argv[i], "--home=", 7)) {
			cli_home = argv[i++] + 7;
		} else if (!strcmp(argv[i], "--lock-wait") && i + 1 < argc) {
			if (set_lock_wait(argv[i + 1]) < 0)
				return EXIT_USAGE;
			i += 2;
		} else {
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	/* An empty home would silently be the working directory. */
	if (cli_home && !*cli_home) {
		fprintf(stderr, "wotdns: --home wants a directory, not an "
				"empty string\n");
		return EXIT_USAGE;
	}
	{
		char *def = cli_home ? NULL : wot_home_default();
		int bad = (!cli_home && !def) ||
			  set_home(cli_home ? cli_home : def) < 0;

		free(def);
		if (bad) {
			fprintf(stderr, "wotdns: out of memory\n");
			return EXIT_ERR;
		}
	}
	for (size_t k = 0; k < sizeof(commands) / sizeof(*commands); k++) {
		if (strcmp(argv[i], commands[k].name))
			continue;
		optind = 1;
		rc = commands[k].run(argc - i, argv + i);
		free(home_alloc);
		return rc;
	}
	fprintf(stderr, "wotdns: unknown command '%s'\n", argv[i]);
	usage(stderr);
	free(home_alloc);
	return EXIT_USAGE;
}

/* cmd_follow.c - wotdns follow */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
    "usage: wotdns follow URL [--mirror URL]... [--name NAME] [--key FPR]\n"
    "                     [--home DIR]\n\n"
    "Add a friend's zone repository as a source. URL is a path, file://,\n"
    "git:// or https:// URL. The source's owner key is pinned from --key,\n"
    "else from the signer of its first verified commit. Its history is\n"
    "fetched and verified now; keys in its keys/ are imported with their\n"
    "certifications (ownertrust never). NAME defaults to the repository\n"
    "name. Each --mirror adds a further URL of the same history: sync\n"
    "tries them in order when the first does not answer, and compares\n"
    "the heads they offer (a fork signed by the owner is an\n"
    "equivocation; see wotdns-evidence(1)). Following a source that was\n"
    "unfollowed takes it off the ignore list.\n";

int cli_source_url(const char *what, const char *arg, char **out)
{
	*out = NULL;
	/* URLs are kept as given; a local path is stored absolute. */
	if (strstr(arg, "://")) {
		if (!(*out = strdup(arg)))
			return cli_fail("out of memory");
		return EXIT_OK;
	}
	/* Else libgit2 takes it for a URL and says "unsupported URL
	 * protocol". */
	if (access(arg, F_OK) < 0)
		return cli_fail("%s: %s: no such file or directory (give the "
				"path of a git repository, or a URL with its "
				"scheme, e.g. https://)",
				what, arg);
	if (!(*out = cli_abspath(arg)))
		return cli_fail("out of memory");
	return EXIT_OK;
}

static void free_urls(char *url, char **mirrors, size_t n)
{
	free(url);
	for (size_t i = 0; i < n; i++)
		free(mirrors[i]);
}

int cmd_follow(int argc, char **argv)
{
	static const struct option opts[] = {
	    CLI_COMMON_OPTS,
	    {"name", required_argument, NULL, 'n'},
	    {"key", required_argument, NULL, 'k'},
	    {"mirror", required_argument, NULL, 'm'},
	    {NULL, 0, NULL, 0},
	};
	const char *margs[9] = {NULL};
	char *mirrors[9] = {NULL};
	size_t nm = 0;
	const char *name = NULL, *key = NULL;
	char *url = NULL;
	wot_home *h = NULL;
	wot_follow_opts fo = WOT_FOLLOW_OPTS_INIT;
	wot_trust *t = NULL;
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		CLI_COMMON_CASE(c, help);
		if (c == 'n')
			name = optarg;
		else if (c == 'k')
			key = optarg;
		else if (c == 'm' &&
			 nm + 1 < sizeof(mirrors) / sizeof(*mirrors))
			margs[nm++] = optarg;
		else if (c == 'm')
			return cli_usage("follow", "at most %zu --mirror",
					 sizeof(mirrors) / sizeof(*mirrors) -
					     1);
		else
			return cli_usage("follow", "bad option '%s'",
					 argv[optind - 1]);
	}
	if (optind + 1 != argc)
		return cli_usage("follow", "expected exactly one URL");
	rc = cli_source_url("follow", argv[optind], &url);
	for (size_t i = 0; i < nm && rc == EXIT_OK; i++)
		rc = cli_source_url("follow", margs[i], &mirrors[i]);
	if (rc != EXIT_OK) {
		free_urls(url, mirrors, nm);
		return rc;
	}
	fo.url = url;
	fo.mirrors = (const char *const *)mirrors;
	fo.name = name;
	fo.key = key;
	fo.progress = cli_progress;
	if ((rc = cli_open(&h, &t)) == EXIT_OK &&
	    wot_sync_follow(h, t, &fo) < 0)
		rc = cli_fail_last("follow");
	else if (rc == EXIT_OK)
		printf("following %s\n", url);
	free_urls(url, mirrors, nm);
	wot_trust_free(t);
	wot_home_free(h);
	return rc;
}

/* cmd_conflicts.c - wotdns conflicts */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static const char help[] =
    "usage: wotdns conflicts [--home DIR]\n\n"
    "List every claim that lost to another key or that nobody won:\n"
    "the name, the rejected side (source, signer, weight, commit) and\n"
    "the side that holds the name (or 'nobody' when no claim outweighs\n"
    "the others by the margin). Claims on reserved names (the root, a\n"
    "TLD, a public suffix, arpa, a wildcard covering one: never served,\n"
    "whatever the policy) are listed too. The last line counts the\n"
    "conflicts, one per contested name, and the claims rejected on\n"
    "them. Exits 0.\n";

static void side(const char *label, json_t *c)
{
	printf("    %-8s %s via %s, weight %.2f, validity %s, level %lld, "
	       "commit %.12s\n",
	       label, cli_jstr(c, "signer"), cli_jstr(c, "source"),
	       json_real_value(json_object_get(c, "weight")),
	       cli_jstr(c, "validity"),
	       (long long)json_integer_value(json_object_get(c, "level")),
	       cli_jstr(c, "commit"));
}

int cmd_conflicts(int argc, char **argv)
{
	static const struct option opts[] = {CLI_COMMON_OPTS,
					     {NULL, 0, NULL, 0}};
	json_t *acc, *c, *names, *contested;
	size_t i, n = 0, reserved = 0;
	int ch;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		CLI_COMMON_CASE(ch, help);
		return cli_usage("conflicts", "bad option '%s'",
				 argv[optind - 1]);
	}
	if (optind != argc)
		return cli_usage("conflicts", "unexpected argument");
	if (!(acc = cli_load_rejected(0)))
		return EXIT_ERR;
	names = json_object_get(acc, "names");
	/* A tie rejects every claim on a name: still one conflict. */
	contested = json_object();
	json_array_foreach(json_object_get(acc, "claims"), i, c)
	{
		json_t *held;
		if (!strncmp(cli_jstr(c, "reason"), "reserved name: ", 15)) {
			reserved++;
			printf("%s: %s\n", cli_jstr(c, "name"),
			       cli_jstr(c, "reason"));
			side("claim", c);
			continue;
		}
		if (strncmp(cli_jstr(c, "reason"), "conflict", 8))
			continue;
		n++;
		json_object_set_new(contested, cli_jstr(c, "name"),
				    json_true());
		printf("%s: %s\n", cli_jstr(c, "name"), cli_jstr(c, "reason"));
		side("claim", c);
		held = json_object_get(names, cli_jstr(c, "name"));
		if (held)
			side("held by", held);
		else
			printf("    held by  %s\n",
			       json_object_get(c, "winner")
				   ? cli_jstr(c, "winner")
				   : "nobody (not served)");
	}
	if (reserved)
		printf("%zu claim%s on reserved names\n", reserved,
		       reserved == 1 ? "" : "s");
	printf("%zu conflict%s (%zu claim%s rejected)\n",
	       json_object_size(contested),
	       json_object_size(contested) == 1 ? "" : "s", n,
	       n == 1 ? "" : "s");
	json_decref(contested);
	json_decref(acc);
	return EXIT_OK;
}

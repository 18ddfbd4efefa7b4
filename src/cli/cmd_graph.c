/* cmd_graph.c - wotdns graph */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char help[] =
    "usage: wotdns graph [--format dot|png] [-o FILE | --output FILE]\n"
    "                    [--home DIR]\n\n"
    "Draw the web of trust from your point of view: one node per key,\n"
    "ranked by WoT level (you at the top), coloured by validity\n"
    "(ultimate gold, full green, marginal yellow, otherwise grey; red\n"
    "border when revoked or expired), one edge per certification.\n"
    "dot (default) writes Graphviz source; png runs Graphviz's dot,\n"
    "which must be installed. Output goes to FILE or standard output.\n";

static const char *colour(const wot_key_info *k)
{
	static const char *const c[] = {"grey90", "grey70", "khaki1",
					"palegreen", "gold"};
	return c[k->validity <= WOT_VALIDITY_ULTIMATE ? k->validity : 0];
}

/* Quote a user id for DOT. */
static void quoted(FILE *out, const char *s)
{
	for (; *s; s++)
		if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if ((unsigned char)*s >= 0x20)
			fputc(*s, out);
}

static void write_dot(FILE *out, const wot_key_info *k, size_t n,
		      const wot_cert *c, size_t nc)
{
	fprintf(out, "digraph wot {\n  rankdir=TB;\n  node [shape=box, "
		     "style=filled, fontname=\"sans\"];\n");
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "  \"%s\" [label=\"", k[i].fpr);
		quoted(out, k[i].uid);
		fprintf(out, "\\n%.16s\\n%s, level %d\", fillcolor=%s%s];\n",
			k[i].fpr, wot_validity_name(k[i].validity), k[i].level,
			colour(&k[i]),
			k[i].revoked || k[i].expired ? ", color=red, penwidth=3"
						     : "");
	}
	for (int lvl = 0; lvl < 32; lvl++) {
		int any = 0;
		for (size_t i = 0; i < n; i++)
			if (k[i].level == lvl) {
				fprintf(out, "%s\"%s\"",
					any ? " " : "  { rank=same; ",
					k[i].fpr);
				any = 1;
			}
		if (any)
			fprintf(out, " }\n");
	}
	for (size_t i = 0; i < nc; i++)
		fprintf(out, "  \"%s\" -> \"%s\";\n", c[i].signer, c[i].target);
	fprintf(out, "}\n");
}

/* Run Graphviz without a shell: dot -Tpng [-o FILE] DOTFILE. */
static int run_dot(const char *dotfile, const char *file)
{
	char *argv[] = {"dot",	      "-Tpng",	       "-o",
			(char *)file, (char *)dotfile, NULL};
	pid_t pid;
	int status;

	if (!file) {
		argv[2] = (char *)dotfile;
		argv[3] = NULL;
	}
	if (posix_spawnp(&pid, "dot", NULL, NULL, argv, environ) != 0)
		return cli_fail("graph: png needs Graphviz's dot "
				"(apt-get install graphviz)");
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return cli_fail("graph: dot failed");
	return EXIT_OK;
}

static int emit(const char *format, const char *file, const wot_key_info *k,
		size_t n, const wot_cert *c, size_t nc)
{
	char tmp[] = "/tmp/wotdns-graph-XXXXXX";
	FILE *out;
	int fd, rc;

	if (strcmp(format, "png")) {
		out = file ? fopen(file, "w") : stdout;
		if (!out)
			return cli_fail("graph: cannot write %s", file);
		write_dot(out, k, n, c, nc);
		if (out != stdout && fclose(out) != 0)
			return cli_fail("graph: cannot write %s", file);
		return EXIT_OK;
	}
	if ((fd = mkstemp(tmp)) < 0 || !(out = fdopen(fd, "w")))
		return cli_fail("graph: cannot create a temporary file");
	write_dot(out, k, n, c, nc);
	rc = fclose(out) == 0 ? run_dot(tmp, file)
			      : cli_fail("graph: cannot write %s", tmp);
	unlink(tmp);
	return rc;
}

int cmd_graph(int argc, char **argv)
{
	static const struct option opts[] = {
	    CLI_COMMON_OPTS,
	    {"format", required_argument, NULL, 'f'},
	    {"output", required_argument, NULL, 'o'},
	    {NULL, 0, NULL, 0},
	};
	const char *format = "dot", *file = NULL;
	wot_key_info *k = NULL;
	wot_cert *c = NULL;
	wot_home *h = NULL;
	wot_trust *t = NULL;
	size_t n = 0, nc = 0;
	int ch, rc;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		CLI_COMMON_CASE(ch, help);
		if (ch == 'f')
			format = optarg;
		else if (ch == 'o')
			file = optarg;
		else
			return cli_usage("graph", "bad option '%s'",
					 argv[optind - 1]);
	}
	if (optind != argc)
		return cli_usage("graph", "unexpected argument");
	if (strcmp(format, "dot") && strcmp(format, "png"))
		return cli_usage("graph", "--format takes dot or png");
	if ((rc = cli_open(&h, &t)) != EXIT_OK)
		return rc;
	if (wot_trust_list(t, &k, &n) < 0 || wot_trust_certs(t, &c, &nc) < 0)
		rc = cli_fail_last("graph");
	else
		rc = emit(format, file, k, n, c, nc);
	free(k);
	free(c);
	wot_trust_free(t);
	wot_home_free(h);
	return rc;
}

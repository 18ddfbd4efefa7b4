/* wot_trustdump.c - test tool: a keyring's validity and level as computed
 * by the wotdns trust core, one "FPR validity level" line per key. */
#include "trust/graph.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	wot_graph_params p = WOT_GRAPH_PARAMS_INIT;
	wot_trust *t = NULL;
	wot_graph *g = NULL;
	int rc = 1;

	if (argc < 2) {
		fprintf(stderr, "usage: wot_trustdump GNUPGHOME [completes "
				"marginals depth]\n");
		return 2;
	}
	p.now = (int64_t)time(NULL);
	if (argc == 5) {
		p.completes_needed = (unsigned)atoi(argv[2]);
		p.marginals_needed = (unsigned)atoi(argv[3]);
		p.max_cert_depth = (unsigned)atoi(argv[4]);
	}
	if (wot_trust_open(&t, argv[1]) == 0 && wot_graph_load(t, &g) == 0 &&
	    wot_graph_compute(g, &p) == 0) {
		for (uint32_t i = 0; i < wot_graph_count(g); i++) {
			const wot_graph_key *k = wot_graph_key_at(g, i);
			printf("%s %s %d\n", k->fpr,
			       wot_validity_name(k->validity), k->level);
		}
		rc = 0;
	} else {
		fprintf(stderr, "wot_trustdump: %s\n", wot_error_last());
	}
	wot_graph_free(g);
	wot_trust_free(t);
	return rc;
}

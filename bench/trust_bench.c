/* trust_bench.c - times the trust core: a synthetic web of trust built in
 * memory, full computation, then recomputation after one new certification.
 * Optionally a real keyring: load through GPGME + compute. */
#include "trust/graph.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double ms_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) * 1e3 +
	       (double)(b.tv_nsec - a->tv_nsec) / 1e6;
}

static uint64_t rng = 88172645463325252ULL;
static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static int synthetic(unsigned nkeys, unsigned ncerts)
{
	wot_graph_params p = WOT_GRAPH_PARAMS_INIT;
	struct timespec t0;
	wot_graph *g = NULL;
	char fpr[41];
	size_t counts[5] = {0};
	double full, incr;

	if (wot_graph_new(&g) < 0)
		return 1;
	for (unsigned i = 0; i < nkeys; i++) {
		/* 1 user, then 20% full, 30% marginal, 50% unknown */
		unsigned r = next_rand() % 10;
		wot_ownertrust ot = i == 0  ? WOT_OWNERTRUST_ULTIMATE
				    : r < 2 ? WOT_OWNERTRUST_FULL
				    : r < 5 ? WOT_OWNERTRUST_MARGINAL
					    : WOT_OWNERTRUST_UNKNOWN;
		snprintf(fpr, sizeof(fpr), "%040u", i);
		wot_graph_add_key(g, fpr, ot, 0, 0, 1, NULL);
	}
	for (unsigned i = 0; i < 50 && i + 1 < nkeys; i++)
		wot_graph_add_cert(g, 0, i + 1, 0, 0, 0);
	for (unsigned i = 50; i < ncerts; i++)
		wot_graph_add_cert(g, next_rand() % nkeys, next_rand() % nkeys,
				   0, 0, 0);
	p.now = (int64_t)time(NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (wot_graph_compute(g, &p) < 0)
		return 1;
	full = ms_since(&t0);
	for (uint32_t i = 0; i < nkeys; i++)
		counts[wot_graph_key_at(g, i)->validity]++;
	wot_graph_add_cert(g, 0, nkeys - 1, 0, 0, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (wot_graph_compute(g, &p) < 0)
		return 1;
	incr = ms_since(&t0);
	printf("synthetic: %u keys, %u certifications\n", nkeys, ncerts);
	printf("  valid: %zu ultimate, %zu full, %zu marginal, %zu other\n",
	       counts[WOT_VALIDITY_ULTIMATE], counts[WOT_VALIDITY_FULL],
	       counts[WOT_VALIDITY_MARGINAL],
	       counts[WOT_VALIDITY_UNKNOWN] + counts[WOT_VALIDITY_NEVER]);
	printf("  full computation:            %8.1f ms  (target < 1000 ms: "
	       "%s)\n",
	       full, full < 1000 ? "met" : "MISSED");
	printf("  after one new certification: %8.1f ms  (target < 50 ms: "
	       "%s)\n",
	       incr, incr < 50 ? "met" : "MISSED");
	wot_graph_free(g);
	return 0;
}

static int keyring(const char *home)
{
	struct timespec t0;
	wot_trust *t = NULL;
	wot_graph *g = NULL;
	double ms;

	wot_graph_params p = WOT_GRAPH_PARAMS_INIT;

	p.now = (int64_t)time(NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (wot_trust_open(&t, home) < 0 || wot_graph_load(t, &g) < 0 ||
	    wot_graph_compute(g, &p) < 0) {
		fprintf(stderr, "trust_bench: %s\n", wot_error_last());
		return 1;
	}
	ms = ms_since(&t0);
	printf("%.1f %zu %zu\n", ms, wot_graph_count(g),
	       wot_graph_cert_count(g));
	wot_graph_free(g);
	wot_trust_free(t);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--keyring"))
		return keyring(argv[2]);
	return synthetic(argc > 1 ? (unsigned)atoi(argv[1]) : 100000,
			 argc > 2 ? (unsigned)atoi(argv[2]) : 1000000);
}

/*
 * accepted.c - loading the accepted record set for serving, with its
 * generation.
 *
 * Timed syncs and NOTIFY-driven syncs run on different pool threads and
 * can finish in either order; the generation (the manifest's, which every
 * recompute raises) lets the daemon refuse to swap an older record set
 * over a newer one.
 */
#include "dns/propagate.h"
#include "util/util.h"

#include <stdlib.h>

uint64_t wot_dns_accepted_gen(wot_home *h)
{
	return wot_manifest_gen(h);
}

static int load_once(wot_home *h, wot_dns_table **out, uint64_t *gen)
{
	wot_manifest *m = NULL;
	char **paths = NULL;
	int rc = wot_manifest_load(h, &m);

	*gen = 0;
	if (rc == WOT_ENOENT) {
		wot_error_clear();
		return wot_dns_table_new(out);
	}
	if (rc < 0)
		return rc;
	*gen = m->gen;
	paths = calloc(m->nshards + 1, sizeof(*paths));
	rc = paths ? 0 : wot_error_set(WOT_ENOMEM, "out of memory");
	for (size_t i = 0; rc == 0 && i < m->nshards; i++)
		if (!(paths[i] = wot_manifest_path(h, &m->shards[i], "zone")))
			rc = wot_error_set(WOT_ENOMEM, "out of memory");
	if (rc == 0)
		rc = wot_dns_table_load_files(out, (const char *const *)paths,
					      m->nshards);
	wot_strv_free(paths);
	wot_manifest_free(m);
	return rc;
}

int wot_dns_accepted_load(wot_home *h, wot_dns_table **out, uint64_t *gen)
{
	int rc = load_once(h, out, gen);

	/* A recompute that finished between reading the manifest and its
	 * shards has removed the files it replaced: read its manifest. */
	for (int i = 0; rc == WOT_ENOENT && i < 3; i++) {
		wot_error_clear();
		rc = load_once(h, out, gen);
	}
	return rc;
}

/*
 * fuzz_accepted.c - the accepted set on disk (state/accepted/, docs/
 * design.md "The accepted set on disk"), as the daemon and the next
 * recompute read it back: the manifest (src/sync/accept/manifest.c), each
 * shard's ID-GEN.zone (the resolver's table, src/dns/accepted.c, zonefile.c,
 * table.c; and the opinion book, src/dns/opinion_book.c), ID-GEN.json (the
 * book's provenance) and ID-GEN.hist (src/sync/accept/shard_hist.c).
 *
 * They are wotdns's own files, but a crash or a disk fault can leave
 * anything in them, and one bad shard must never stop a load.
 *
 * One input holds them all, separated by lines "%%": manifest, zone, json,
 * hist, and two parts that are ignored (they held the seen.json and
 * owners.json of homes from before the shards, which are no longer read;
 * the split stays so the corpus keeps its meaning). The zone, json and
 * hist are written for each of the first shards the manifest names.
 */
#include "dns/resolver/resolver_int.h"
#include "dns/peer/opinion.h"
#include "dns/daemon/accepted.h"
#include "fuzz.h"
#include "sync/accept/accept.h"

#include <string.h>
#include <unistd.h>

enum { PARTS = 6, SHARDS_WRITTEN = 2 };

static void write_home(wot_home *h, const char *rel, const uint8_t *d, size_t n)
{
	char *p = wot_home_path(h, rel);

	FUZZ_CHECK(p != NULL);
	fuzz_write(p + strlen(fuzz_setup()) + 1, d, n);
	free(p);
}

/* The daemon's load and the book's, over the shard files of m. */
static void load_set(wot_home *h, const wot_manifest *m, const uint8_t **pt,
		     const size_t *ln)
{
	static const char *const kinds[] = {"zone", "json", "hist"};
	size_t nw = m->nshards < SHARDS_WRITTEN ? m->nshards : SHARDS_WRITTEN;
	wot_dns_table *t = NULL;
	wot_opinion_book *b = NULL;
	wot_dns_accepted *acc = NULL;
	uint64_t gen = 0;

	for (size_t i = 0; i < nw; i++)
		for (int k = 0; k < 3; k++) {
			char *p = wot_manifest_path(h, &m->shards[i], kinds[k]);
			FUZZ_CHECK(p != NULL);
			fuzz_write(p + strlen(fuzz_setup()) + 1, pt[1 + k],
				   ln[1 + k]);
			free(p);
		}
	/* a fresh loader: the same gen would be served from the last
	 * table unread */
	FUZZ_CHECK(wot_dns_accepted_new(&acc, h, NULL) == 0);
	if (wot_dns_accepted_load(acc, &t, &gen) == 0) {
		FUZZ_CHECK(t != NULL && gen == m->gen);
		wot_dns_table_free(t);
	}
	wot_dns_accepted_free(acc);
	if (wot_opinion_book_load(&b, h) == 0)
		wot_opinion_book_free(b);
	for (size_t i = 0; i < nw; i++)
		for (int k = 0; k < 3; k++) {
			char *p = wot_manifest_path(h, &m->shards[i], kinds[k]);
			unlink(p);
			free(p);
		}
}

/* A shard's history as the next recompute reads it. */
static void read_hist(const uint8_t *d, size_t n, int top)
{
	wot_recompute r;
	const char *path = fuzz_write("hist", d, n);

	memset(&r, 0, sizeof(r));
	FUZZ_CHECK(wot_owners_new(&r.owners) == 0);
	FUZZ_CHECK(wot_seen_new(&r.seen) == 0);
	FUZZ_CHECK(wot_map_new(&r.top_acc) == 0);
	FUZZ_CHECK(wot_map_new(&r.top_owners) == 0);
	(void)wot_hist_read(&r, path, top);
	for (size_t i = 0; i < r.ngrants; i++) {
		free((char *)r.grants[i].name);
		free((char *)r.grants[i].from);
		free((char *)r.grants[i].to);
	}
	free(r.grants);
	wot_owners_free(r.owners);
	wot_seen_free(r.seen);
	wot_map_free(r.top_acc, NULL);
	wot_map_free(r.top_owners, free);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	wot_home *h = fuzz_home();
	const uint8_t *pt[PARTS];
	size_t ln[PARTS];
	wot_manifest *m = NULL;

	fuzz_split(data, size, pt, ln, PARTS);
	write_home(h, "state/accepted/manifest", pt[0], ln[0]);
	(void)wot_manifest_gen(h);
	if (wot_manifest_load(h, &m) == 0) {
		FUZZ_CHECK(m->gen != 0);
		load_set(h, m, pt, ln);
		wot_manifest_free(m);
	}
	read_hist(pt[3], ln[3], size & 1);
	wot_error_clear();
	return 0;
}

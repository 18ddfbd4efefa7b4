/*
 * accepted.c - loading the accepted record set for serving, with its
 * generation.
 *
 * Timed syncs and NOTIFY-driven syncs run on different pool threads and
 * can finish in either order; the generation (the manifest's, which every
 * recompute raises) lets the daemon refuse to swap an older record set
 * over a newer one.
 *
 * The set is a composite table, one part per shard (table.c). The last
 * one built is kept, so the next load parses only the shards whose file
 * generation changed, or which hold a name withdrawn or served again
 * since (withdraw.h), and shares every other part: a change in one source
 * among a thousand is served in a fraction of a second instead of
 * re-reading a million records. Loads are serialised (they would only
 * parse the same shards twice).
 */
#include "dns/dns_int.h"
#include "dns/propagate.h"
#include "dns/withdraw.h"
#include "util/util.h"

#include <inttypes.h>
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { NPARTS = WOT_SHARDS + 1 };

/* The last composite built and what its parts were read from. */
static struct {
	pthread_mutex_t lock;
	char *dir;	      /* home it was loaded from */
	wot_dns_table *table; /* one reference; NULL: none yet */
	uint64_t gen;
	uint64_t epoch;		  /* wot_dns_withdraw_epoch() when built */
	uint64_t filegen[NPARTS]; /* 0: empty part */
} last = {PTHREAD_MUTEX_INITIALIZER, NULL, NULL, 0, 0, {0}};

uint64_t wot_dns_accepted_gen(wot_home *h)
{
	return wot_manifest_gen(h);
}

/* Mark in stale[] the parts of the last composite that cannot serve
 * again: all when there is none, or it is another home's, or the withdrawn
 * set changed beyond what is remembered; else the shards of the names
 * withdrawn or served again since it was built. *epoch gets the withdraw
 * epoch the new composite reflects. */
static void find_stale(const char *dir, uint8_t *stale, uint64_t *epoch)
{
	char(*names)[256] = NULL;
	int same = last.table && !strcmp(last.dir, dir), n = -1;

	*epoch = wot_dns_withdraw_epoch(); /* before any shard is read */
	if (same && *epoch == last.epoch)
		n = 0;
	else if (same && (names = calloc(WOT_WITHDRAW_CHANGES, sizeof(*names))))
		n = wot_dns_withdraw_changes(last.epoch, names,
					     WOT_WITHDRAW_CHANGES, epoch);
	memset(stale, n < 0, NPARTS);
	for (int i = 0; i < n; i++)
		stale[wot_shard_of_name(names[i])] = 1;
	free(names);
}

/* The last composite's part for shard s, when it was read from the very
 * same file and no withdrawal touched it (referenced; else NULL). */
static wot_dns_table *reusable(const wot_manifest_shard *s,
			       const uint8_t *stale)
{
	wot_dns_table *p;

	if (!last.table || s->shard == WOT_SHARD_TOP || stale[s->shard] ||
	    last.filegen[s->shard] != s->filegen)
		return NULL;
	p = wot_dns_table_part(last.table, s->shard);
	wot_dns_table_ref(p);
	return p;
}

/* Parse one shard's zone file into *out; the top part stays unsealed
 * (wot_dns_table_compose adds to it). */
static int load_part(wot_home *h, const wot_manifest_shard *s,
		     wot_dns_table **out)
{
	char *path = wot_manifest_path(h, s, "zone");
	wot_dns_table *t = NULL;
	int rc = path ? wot_dns_table_new(&t)
		      : wot_error_set(WOT_ENOMEM, "out of memory");

	if (rc == 0)
		rc = wot_dns_table_load_into(t, path);
	if (rc == 0 && s->shard != WOT_SHARD_TOP)
		rc = wot_dns_table_seal(t);
	free(path);
	if (rc < 0) {
		wot_dns_table_free(t);
		t = NULL;
	}
	*out = t;
	return rc;
}

/* Keep t (referenced) as the base of the next load. */
static void remember(const char *dir, wot_dns_table *t, const wot_manifest *m,
		     uint64_t epoch)
{
	char *d = strdup(dir);

	wot_dns_table_free(last.table);
	free(last.dir);
	last.table = d ? t : NULL;
	last.dir = d;
	if (!d)
		return; /* no base: the next load reads everything */
	wot_dns_table_ref(t);
	last.gen = m->gen;
	last.epoch = epoch;
	memset(last.filegen, 0, sizeof(last.filegen));
	for (size_t i = 0; i < m->nshards; i++)
		last.filegen[m->shards[i].shard] = m->shards[i].filegen;
}

static int build(wot_home *h, const wot_manifest *m, wot_dns_table **out)
{
	const char *dir = wot_home_dir(h);
	uint8_t stale[NPARTS];
	uint64_t epoch;
	wot_dns_table **parts = calloc(NPARTS, sizeof(*parts));
	size_t parsed = 0;
	int rc = parts ? 0 : wot_error_set(WOT_ENOMEM, "out of memory");

	find_stale(dir, stale, &epoch);
	for (size_t i = 0; rc == 0 && i < m->nshards; i++) {
		const wot_manifest_shard *s = &m->shards[i];
		parts[s->shard] = reusable(s, stale);
		if (!parts[s->shard] && ++parsed)
			rc = load_part(h, s, &parts[s->shard]);
	}
	if (rc < 0) {
		for (size_t i = 0; parts && i < NPARTS; i++)
			wot_dns_table_free(parts[i]);
		free(parts);
	} else if ((rc = wot_dns_table_compose(out, parts)) == 0) {
		remember(dir, *out, m, epoch);
		wot_log(WOT_LOG_INFO, "dns",
			"accepted set %" PRIu64 ": read %zu of %zu shards",
			m->gen, parsed, m->nshards);
	}
	/* Parsing left the heap full of freed ldns objects: give the pages
	 * back, a daemon keeps running for months. */
	if (parsed)
		malloc_trim(0);
	return rc;
}

static int load_once(wot_home *h, wot_dns_table **out, uint64_t *gen)
{
	wot_manifest *m = NULL;
	int rc = wot_manifest_load(h, &m);

	*gen = 0;
	*out = NULL;
	if (rc == WOT_ENOENT) {
		wot_error_clear();
		return wot_dns_table_new(out);
	}
	if (rc < 0)
		return rc;
	*gen = m->gen;
	if (last.table && last.gen == m->gen &&
	    last.epoch == wot_dns_withdraw_epoch() &&
	    !strcmp(last.dir, wot_home_dir(h))) {
		wot_dns_table_ref(last.table); /* nothing changed */
		*out = last.table;
	} else {
		rc = build(h, m, out);
	}
	wot_manifest_free(m);
	return rc;
}

/*
 * Each shard's part is parsed, sealed into one block, and its parse-time
 * nodes freed: with glibc's default 128 KiB trim threshold every part
 * hands the top of the heap back to the kernel and faults it in again for
 * the next, which made a full load 40% slower than one big table. Keep
 * freed memory until build() trims once at the end.
 */
static void tune_malloc(void)
{
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
}

int wot_dns_accepted_load(wot_home *h, wot_dns_table **out, uint64_t *gen)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	int rc;

	pthread_once(&once, tune_malloc);
	pthread_mutex_lock(&last.lock);
	rc = load_once(h, out, gen);
	/* A recompute that finished between reading the manifest and its
	 * shards has removed the files it replaced: read its manifest. */
	for (int i = 0; rc == WOT_ENOENT && i < 3; i++) {
		wot_error_clear();
		rc = load_once(h, out, gen);
	}
	pthread_mutex_unlock(&last.lock);
	return rc;
}

void wot_dns_accepted_forget(void)
{
	pthread_mutex_lock(&last.lock);
	wot_dns_table_free(last.table);
	free(last.dir);
	last.table = NULL;
	last.dir = NULL;
	pthread_mutex_unlock(&last.lock);
}

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
 * one built is kept (in the daemon's wot_dns_accepted, one per home), so the
 * next load parses only the shards whose file generation changed, or which hold
 * a name withdrawn or served again since (withdraw.h), and shares every other
 * part: a change in one source among a thousand is served in a fraction of a
 * second instead of re-reading a million records. Loads are serialised (they
 * would only parse the same shards twice).
 *
 * One bad shard (a corrupted or oversized file, a record the table
 * refuses) never stops a load, a reload or a start: it is skipped and
 * reported, and the part the last composite had for it keeps serving
 * (none after a start). The errors of the last load are kept for the
 * daemon's status; the shard is read again at every load until it loads.
 */
#include "dns/resolver/resolver.h"
#include "dns/daemon/accepted.h"
#include "dns/peer/peer.h"
#include "util/util.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { NPARTS = WOT_SHARDS + 1 };

const wot_dns_partition wot_dns_shard_partition = {
    .nparts = WOT_SHARDS + 1,
    .part_of = wot_shard_of_wire,
};

/* The last composite built and what its parts were read from. */
struct wot_dns_accepted {
	pthread_mutex_t lock;
	wot_home *h;		 /* borrowed */
	wot_dns_withdraw_set *w; /* borrowed; NULL: nothing withdrawn */
	wot_dns_table *table;	 /* one reference; NULL: none yet */
	uint64_t gen;
	uint64_t epoch;		  /* wot_dns_withdraw_epoch() when built */
	uint64_t filegen[NPARTS]; /* 0: empty part */
	uint64_t hash[NPARTS];	  /* of each part's zone file; 0: unknown */
	char **errors; /* of the last load, NULL-terminated; NULL: none */
	uint64_t hash_key[2]; /* random: file contents come from sources */
};
typedef struct wot_dns_accepted acc_t;

uint64_t wot_dns_accepted_gen(wot_home *h)
{
	return wot_manifest_gen(h);
}

/* Mark in stale[] the parts of the last composite that cannot serve
 * again: all when there is none, or the withdrawn set changed beyond what
 * is remembered; else the shards of the names withdrawn or served again
 * since it was built. *epoch gets the withdraw epoch the new composite
 * reflects. */
static void find_stale(acc_t *last, uint8_t *stale, uint64_t *epoch)
{
	char(*names)[256] = NULL;
	int same = last->table != NULL, n = -1;

	*epoch = wot_dns_withdraw_epoch(last->w); /* before any shard is read */
	if (same && *epoch == last->epoch)
		n = 0;
	else if (same && (names = calloc(WOT_WITHDRAW_CHANGES, sizeof(*names))))
		n = wot_dns_withdraw_changes(last->w, last->epoch, names,
					     WOT_WITHDRAW_CHANGES, epoch);
	memset(stale, n < 0, NPARTS);
	for (int i = 0; i < n; i++)
		stale[wot_shard_of_name(names[i])] = 1;
	free(names);
}

/* Keyed hash of a file's bytes into *out (never 0). */
static int hash_file(const acc_t *last, const char *path, uint64_t *out)
{
	FILE *fp = fopen(path, "re");
	uint8_t buf[1 << 14];
	uint64_t h = 0;
	size_t n;

	if (!fp)
		return wot_error_set(errno == ENOENT ? WOT_ENOENT : WOT_EIO,
				     "%s: %s", path, strerror(errno));
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		h = wot_dns_siphash(last->hash_key[0] ^ h, last->hash_key[1],
				    buf, n);
	n = (size_t)ferror(fp);
	fclose(fp);
	if (n)
		return wot_error_set(WOT_EIO, "%s: read error", path);
	*out = h ? h : 1;
	return 0;
}

/* Parse one shard's zone file into *out; the top part stays unsealed
 * (wot_dns_table_compose adds to it). */
static int load_part(acc_t *last, const char *path, int top,
		     wot_dns_table **out)
{
	wot_dns_table *t = NULL;
	int rc = wot_dns_table_new(&t);

	/* Withdrawn until it settles (withdraw.h). */
	if (rc == 0)
		rc = wot_dns_table_load_filtered(
		    t, path, wot_dns_withdraw_skip_rr, last->w);
	if (rc == 0 && !top)
		rc = wot_dns_table_seal(t);
	if (rc < 0) {
		wot_dns_table_free(t);
		t = NULL;
	}
	*out = t;
	return rc;
}

/* What sync writes stays far below the bound: a larger file is not ours
 * (and is not even read to be hashed). */
static int size_ok(const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0 && (uint64_t)st.st_size > WOT_MAX_SHARD_BYTES)
		return wot_error_set(WOT_ELIMIT,
				     "%s: %" PRIu64 " MiB, over the %u MiB any "
				     "shard may hold",
				     path, (uint64_t)st.st_size >> 20,
				     WOT_MAX_SHARD_BYTES >> 20);
	return 0;
}

/*
 * The part for shard s into *out: the last composite's when it was read
 * from the same file, or from a file with the same bytes (a full
 * recompute rewrites every shard), and no withdrawal touched it; else
 * parsed. *hash gets the file's hash. Returns 1 when parsed, 0 when
 * reused, or an error.
 */
static int get_part(acc_t *last, const wot_manifest_shard *s,
		    const uint8_t *stale, uint64_t *hash, wot_dns_table **out)
{
	int id = s->shard, top = id == WOT_SHARD_TOP, rc = 0;
	wot_dns_table *old = last->table && !stale[id] && !top
				 ? wot_dns_table_part(last->table, id)
				 : NULL;
	char *path = NULL;

	*out = NULL;
	if (old && last->filegen[id] == s->filegen) {
		*hash = last->hash[id];
		wot_dns_table_ref(old);
		*out = old;
		return 0;
	}
	if (!(path = wot_manifest_path(last->h, s, "zone")))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	rc = size_ok(path);
	if (rc == 0 && !top)
		rc = hash_file(last, path, hash);
	if (rc == 0 && old && *hash == last->hash[id]) {
		wot_dns_table_ref(old);
		*out = old;
	} else if (rc == 0) {
		rc = load_part(last, path, top, out);
	}
	free(path);
	return rc < 0 ? rc : *out != old;
}

/* Keep t (referenced) as the base of the next load. */
static void remember(acc_t *last, wot_dns_table *t, const wot_manifest *m,
		     uint64_t epoch, const uint64_t *hash)
{
	wot_dns_table_free(last->table);
	last->table = t;
	wot_dns_table_ref(t);
	last->gen = m->gen;
	last->epoch = epoch;
	memset(last->filegen, 0, sizeof(last->filegen));
	/* A skipped shard (hash 0) is read again at the next load. */
	for (size_t i = 0; i < m->nshards; i++) {
		int id = m->shards[i].shard;
		last->filegen[id] =
		    hash[id] || id == WOT_SHARD_TOP ? m->shards[i].filegen : 0;
	}
	memcpy(last->hash, hash, sizeof(last->hash));
}

/*
 * Shard s did not load (rc, the last error): reported, and the last
 * composite's part for it kept when there is one. A missing file is not
 * skipped (the manifest changed under us: the caller reads it again), nor
 * is running out of memory.
 */
static int skip_part(acc_t *last, const wot_manifest_shard *s, int rc,
		     const uint8_t *stale, char ***errors, wot_dns_table **part)
{
	int same = last->table && !stale[s->shard];
	char *msg, id[WOT_SHARD_ID_MAX];

	if (rc == WOT_ENOENT || rc == WOT_ENOMEM)
		return rc;
	wot_shard_id(s->shard, id);
	msg = wot_strdup_printf("shard %s skipped: %s", id, wot_error_last());
	wot_log(WOT_LOG_ERR, "dns", "accepted set: %s",
		msg ? msg : "out of memory");
	if (!msg || wot_strv_push(errors, msg) < 0) {
		free(msg);
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	free(msg);
	wot_error_clear();
	*part = same && s->shard != WOT_SHARD_TOP
		    ? wot_dns_table_part(last->table, s->shard)
		    : NULL;
	if (*part)
		wot_dns_table_ref(*part);
	return 0;
}

static int build(acc_t *last, const wot_manifest *m, wot_dns_table **out)
{
	uint8_t stale[NPARTS];
	uint64_t epoch, *hash = calloc(NPARTS, sizeof(*hash));
	wot_dns_table **parts = calloc(NPARTS, sizeof(*parts));
	char **errors = NULL;
	size_t parsed = 0;
	int rc = parts && hash ? 0 : wot_error_set(WOT_ENOMEM, "out of memory");

	find_stale(last, stale, &epoch);
	for (size_t i = 0; rc == 0 && i < m->nshards; i++) {
		const wot_manifest_shard *s = &m->shards[i];
		rc =
		    get_part(last, s, stale, &hash[s->shard], &parts[s->shard]);
		parsed += rc == 1;
		if (rc < 0) {
			hash[s->shard] = 0; /* read again next time */
			rc = skip_part(last, s, rc, stale, &errors,
				       &parts[s->shard]);
		}
		rc = rc < 0 ? rc : 0;
	}
	if (rc < 0) {
		for (size_t i = 0; parts && i < NPARTS; i++)
			wot_dns_table_free(parts[i]);
		free(parts);
	} else if ((rc = wot_dns_table_compose(
			out, parts, &wot_dns_shard_partition)) == 0) {
		remember(last, *out, m, epoch, hash);
		wot_strv_free(last->errors);
		last->errors = errors;
		errors = NULL;
		wot_log(WOT_LOG_INFO, "dns",
			"accepted set %" PRIu64 ": read %zu of %zu shards",
			m->gen, parsed, m->nshards);
	}
	/* Parsing left the heap full of freed ldns objects: give the pages
	 * back, a daemon keeps running for months. */
	if (parsed)
		malloc_trim(0);
	wot_strv_free(errors);
	free(hash);
	return rc;
}

static int load_once(acc_t *last, wot_dns_table **out, uint64_t *gen)
{
	wot_manifest *m = NULL;
	int rc = wot_manifest_load(last->h, &m);

	*gen = 0;
	*out = NULL;
	if (rc == WOT_ENOENT) {
		wot_error_clear();
		return wot_dns_table_new(out);
	}
	if (rc < 0)
		return rc;
	*gen = m->gen;
	if (last->table && last->gen == m->gen &&
	    last->epoch == wot_dns_withdraw_epoch(last->w)) {
		wot_dns_table_ref(last->table); /* nothing changed */
		*out = last->table;
	} else {
		rc = build(last, m, out);
	}
	wot_manifest_free(m);
	return rc;
}

/*
 * Each shard's part is parsed, sealed into one block, and its parse-time
 * nodes freed: with glibc's default 128 KiB trim threshold every part
 * hands the top of the heap back to the kernel and faults it in again for
 * the next, which made a full load 40% slower than one big table. Keep
 * freed memory until build() trims once at the end. (The allocator's
 * setting is the process's: it is no state of any one daemon.)
 */
static void tune_malloc(void)
{
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
}

int wot_dns_accepted_new(wot_dns_accepted **out, wot_home *h,
			 wot_dns_withdraw_set *w)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	acc_t *a = calloc(1, sizeof(*a));

	*out = NULL;
	if (!a)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	pthread_once(&once, tune_malloc);
	pthread_mutex_init(&a->lock, NULL);
	a->h = h;
	a->w = w;
	if (uv_random(NULL, NULL, a->hash_key, sizeof(a->hash_key), 0, NULL) !=
	    0)
		a->hash_key[0] = wot_now_ms() * 0x9e3779b97f4a7c15ULL;
	*out = a;
	return 0;
}

void wot_dns_accepted_free(wot_dns_accepted *a)
{
	if (!a)
		return;
	wot_dns_table_free(a->table);
	wot_strv_free(a->errors);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

int wot_dns_accepted_load(wot_dns_accepted *a, wot_dns_table **out,
			  uint64_t *gen)
{
	int rc;

	pthread_mutex_lock(&a->lock);
	rc = load_once(a, out, gen);
	/* A recompute that finished between reading the manifest and its
	 * shards has removed the files it replaced: read its manifest. */
	for (int i = 0; rc == WOT_ENOENT && i < 3; i++) {
		wot_error_clear();
		rc = load_once(a, out, gen);
	}
	if (rc < 0) { /* the status says so until a load succeeds */
		char *msg = wot_strdup_printf("accepted set not loaded: %s",
					      wot_error_last());
		wot_strv_free(a->errors);
		a->errors = NULL;
		if (msg)
			wot_strv_push(&a->errors, msg);
		free(msg);
	}
	pthread_mutex_unlock(&a->lock);
	return rc;
}

int wot_dns_accepted_errors(wot_dns_accepted *a, char ***out)
{
	int rc = 0;

	*out = NULL;
	if (!a)
		return 0;
	pthread_mutex_lock(&a->lock);
	for (size_t i = 0; rc == 0 && a->errors && a->errors[i]; i++)
		rc = wot_strv_push(out, a->errors[i]);
	pthread_mutex_unlock(&a->lock);
	if (rc < 0) {
		wot_strv_free(*out);
		*out = NULL;
	}
	return rc;
}

void wot_dns_accepted_forget(wot_dns_accepted *a)
{
	pthread_mutex_lock(&a->lock);
	wot_dns_table_free(a->table);
	a->table = NULL;
	pthread_mutex_unlock(&a->lock);
}

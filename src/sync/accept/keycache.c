/*
 * keycache.c - the key listing a recompute uses, reused while the keyring
 * is unchanged.
 *
 * Listing a thousand keys with checked certifications costs gpg about a
 * second and a half, although a sync where one source published usually
 * leaves the keyring as it was. The listing (validity and WoT level of
 * every key, as wot_trust_list computes them) is kept in
 * state/keys.cache with what it was computed from: the keyring files
 * (inode, size, mtime), the configuration (trust model parameters, own
 * key) and the time of the next expiry of a key, subkey or certification
 * in it. It is used only while all of those hold, and never for more than
 * WOT_KEYCACHE_MAX_AGE; anything else lists the keys again.
 *
 * Layout: a text header (the inputs, "until T", "count N"), an empty line,
 * then N wot_key_info records as this build lays them out (the header's
 * first line names the record size, so another build does not read them).
 */
#include "sync/accept/accept.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define WOT_KEYCACHE_MAX_AGE 3600

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

int wot_stat_line(wot_buf *b, const char *label, const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return wot_buf_printf(b, "file %s -\n", label);
	return wot_buf_printf(b, "file %s %ju %jd %jd.%09ld\n", label,
			      (uintmax_t)st.st_ino, (intmax_t)st.st_size,
			      (intmax_t)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

int wot_keyring_stamp(const wot_home *h, wot_buf *b)
{
	static const char *const gpg[] = {"pubring.kbx", "pubring.gpg",
					  "trustdb.gpg", "gpg.conf"};
	char *cfg = wot_config_format(&h->cfg);
	int rc = cfg ? wot_buf_printf(b, "config %016" PRIx64 "\n", fnv1a(cfg))
		     : wot_error_set(WOT_ENOMEM, "out of memory");

	free(cfg);
	for (size_t i = 0; rc == 0 && i < sizeof(gpg) / sizeof(*gpg); i++) {
		char *p = wot_path_join(h->cfg.gnupghome, gpg[i]);
		rc = p ? wot_stat_line(b, gpg[i], p)
		       : wot_error_set(WOT_ENOMEM, "out of memory");
		free(p);
	}
	return rc;
}

/* What the listing depends on, as text (caller disposes b). */
static int inputs(wot_home *h, wot_buf *b)
{
	int rc =
	    wot_buf_printf(b, "wotdns key cache 1 %zu\n", sizeof(wot_key_info));

	return rc == 0 ? wot_keyring_stamp(h, b) : rc;
}

/* Every record must look like one wot_trust_list gives. */
static int records_sane(const wot_key_info *k, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (memchr(k[i].fpr, '\0', sizeof(k[i].fpr)) == NULL ||
		    memchr(k[i].uid, '\0', sizeof(k[i].uid)) == NULL ||
		    !wot_fpr_valid(k[i].fpr) || k[i].level < -1)
			return 0;
	return 1;
}

/* 1 and *keys, *n filled when the cache holds for want and now. */
static int cache_read(const char *path, const wot_buf *want, int64_t now,
		      wot_key_info **keys, size_t *n, int64_t *until_out)
{
	char *text = NULL, *rest;
	size_t len = 0, cnt = 0;
	long long until = 0, made = 0;
	int ok = 0, used = 0;

	if (wot_file_read(path, 64u << 20, &text, &len) < 0 ||
	    len < want->len || memcmp(text, want->ptr, want->len))
		goto out;
	rest = text + want->len;
	if (sscanf(rest, "made %lld\nuntil %lld\ncount %zu\n\n%n", &made,
		   &until, &cnt, &used) != 3 ||
	    used == 0 || now >= until || now < made ||
	    now - made >= WOT_KEYCACHE_MAX_AGE ||
	    len - want->len - (size_t)used != cnt * sizeof(wot_key_info))
		goto out;
	*keys = malloc(cnt ? cnt * sizeof(**keys) : 1);
	if (!*keys)
		goto out;
	memcpy(*keys, rest + used, cnt * sizeof(**keys));
	if (!records_sane(*keys, cnt)) {
		free(*keys);
		*keys = NULL;
		goto out;
	}
	*n = cnt;
	*until_out = until;
	ok = 1;
out:
	wot_error_clear();
	free(text);
	return ok;
}

static void cache_write(wot_home *h, const char *path, int64_t now,
			int64_t until, const wot_key_info *keys, size_t n)
{
	wot_buf b = WOT_BUF_INIT;
	int rc = inputs(h, &b);

	if (rc == 0)
		rc = wot_buf_printf(&b, "made %lld\nuntil %lld\ncount %zu\n\n",
				    (long long)now, (long long)until, n);
	if (rc == 0 && n)
		rc = wot_buf_put(&b, keys, n * sizeof(*keys));
	if (rc == 0)
		rc = wot_file_write_atomic(path, b.ptr, b.len);
	if (rc < 0) {
		/* Only costs a listing next time. */
		remove(path);
		wot_error_clear();
	}
	wot_buf_dispose(&b);
}

int wot_sync_keys(wot_home *h, wot_trust *t, wot_key_info **keys, size_t *n,
		  int64_t *until_out)
{
	char *path = wot_state_path(h, WOT_STATE_KEYS_CACHE);
	wot_buf want = WOT_BUF_INIT;
	int64_t now = (int64_t)time(NULL), until = 0;
	int rc;

	*keys = NULL;
	*n = 0;
	*until_out = 0;
	if (!path)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	if (inputs(h, &want) == 0 &&
	    cache_read(path, &want, now, keys, n, until_out)) {
		wot_buf_dispose(&want);
		free(path);
		return 0;
	}
	wot_buf_dispose(&want);
	wot_error_clear();
	rc = wot_trust_list_until(t, keys, n, &until);
	/* Stamped after the listing, which may touch the trustdb. */
	if (rc == 0) {
		cache_write(h, path, now, until, *keys, *n);
		*until_out = until;
	}
	free(path);
	return rc;
}

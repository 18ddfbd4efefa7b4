/*
 * withdraw.c - a daemon's set of withdrawn RRsets. It stays small (a
 * handful of disputed records), so a locked array does; the table loader
 * asks for every record, so the empty case costs one atomic load.
 */
#include "dns/peer/withdraw.h"
#include "util/util.h"

#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The names of the last changes, by epoch, so a loader can re-read just
 * their shards; name "" stands for "everything" (clear). */
enum { RING = WOT_WITHDRAW_CHANGES };

struct wot_dns_withdraw_set {
	pthread_mutex_t lock;
	wot_withdrawn *set;
	size_t nset, capset;
	atomic_size_t count;	    /* nset, readable without the lock */
	atomic_uint_fast64_t epoch; /* raised by every change of the set */
	struct {
		uint64_t epoch;
		char name[256];
	} ring[RING];
};

int wot_dns_withdraw_new(wot_dns_withdraw_set **out)
{
	wot_dns_withdraw_set *w = calloc(1, sizeof(*w));

	*out = NULL;
	if (!w)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	pthread_mutex_init(&w->lock, NULL);
	atomic_init(&w->count, 0);
	atomic_init(&w->epoch, 0);
	*out = w;
	return 0;
}

void wot_dns_withdraw_free(wot_dns_withdraw_set *w)
{
	if (!w)
		return;
	pthread_mutex_destroy(&w->lock);
	free(w->set);
	free(w);
}

/* Lowercase absolute form of name into out[256]; 0 or WOT_EINVAL. */
static int canon(const char *name, char out[256])
{
	size_t n = name ? strlen(name) : 0;

	if (!n || n > 254)
		return WOT_EINVAL;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)name[i]);
	if (out[n - 1] != '.')
		out[n++] = '.';
	out[n] = '\0';
	return 0;
}

/* One change to cname ("" for all) under the lock. */
static void changed(wot_dns_withdraw_set *w, const char *cname)
{
	uint64_t e = atomic_fetch_add(&w->epoch, 1) + 1;

	w->ring[e % RING].epoch = e;
	snprintf(w->ring[e % RING].name, sizeof(w->ring[0].name), "%s", cname);
}

static ssize_t find(const wot_dns_withdraw_set *w, const char *cname,
		    uint16_t type)
{
	for (size_t i = 0; i < w->nset; i++)
		if (w->set[i].type == type && !strcmp(w->set[i].name, cname))
			return (ssize_t)i;
	return -1;
}

/* Room for one more entry, under the lock: 1, or WOT_ELIMIT, WOT_ENOMEM. */
static int grow(wot_dns_withdraw_set *w)
{
	size_t nc = w->capset ? w->capset * 2 : 16;
	wot_withdrawn *ns;

	if (w->nset >= WOT_WITHDRAW_MAX)
		return WOT_ELIMIT;
	if (w->nset < w->capset)
		return 1;
	if (!(ns = realloc(w->set, nc * sizeof(*ns))))
		return WOT_ENOMEM;
	w->set = ns;
	w->capset = nc;
	return 1;
}

int wot_dns_withdraw_add(wot_dns_withdraw_set *w, const char *name,
			 uint16_t type, int64_t now, const char *why)
{
	char c[256];
	int rc;

	if (!w || canon(name, c) < 0)
		return wot_error_set(WOT_EINVAL, "withdraw: bad name");
	pthread_mutex_lock(&w->lock);
	rc = find(w, c, type) >= 0 ? 0 : grow(w);
	if (rc == 1) {
		wot_withdrawn *e = &w->set[w->nset++];
		memset(e, 0, sizeof(*e));
		memcpy(e->name, c, sizeof(e->name));
		e->type = type;
		e->since = now;
		snprintf(e->why, sizeof(e->why), "%s", why ? why : "");
		atomic_store(&w->count, w->nset);
		changed(w, c);
	}
	pthread_mutex_unlock(&w->lock);
	if (rc < 0)
		return wot_error_set(rc, "withdraw %s: %s", c,
				     rc == WOT_ELIMIT ? "too many withdrawn"
						      : "out of memory");
	return rc;
}

int wot_dns_withdraw_remove(wot_dns_withdraw_set *w, const char *name,
			    uint16_t type)
{
	char c[256];
	ssize_t i;

	if (!w || canon(name, c) < 0)
		return 0;
	pthread_mutex_lock(&w->lock);
	i = find(w, c, type);
	if (i >= 0) {
		w->set[i] = w->set[--w->nset];
		atomic_store(&w->count, w->nset);
		changed(w, c);
	}
	pthread_mutex_unlock(&w->lock);
	return i >= 0;
}

int wot_dns_withdraw_has(wot_dns_withdraw_set *w, const char *name,
			 uint16_t type)
{
	char c[256];
	int found;

	if (!w || !atomic_load(&w->count) || canon(name, c) < 0)
		return 0;
	pthread_mutex_lock(&w->lock);
	found = find(w, c, type) >= 0;
	pthread_mutex_unlock(&w->lock);
	return found;
}

int wot_dns_withdraw_skip_rr(void *set, const ldns_rr *rr)
{
	wot_dns_withdraw_set *w = set;
	char *owner;
	int found;

	if (!w || !atomic_load(&w->count))
		return 0;
	if (!(owner = ldns_rdf2str(ldns_rr_owner(rr))))
		return 0;
	found = wot_dns_withdraw_has(w, owner, (uint16_t)ldns_rr_get_type(rr));
	free(owner);
	return found;
}

size_t wot_dns_withdraw_list(wot_dns_withdraw_set *w, wot_withdrawn *out,
			     size_t cap)
{
	size_t n;

	if (!w)
		return 0;
	pthread_mutex_lock(&w->lock);
	n = w->nset;
	if (out && n && cap)
		memcpy(out, w->set, (n < cap ? n : cap) * sizeof(*out));
	pthread_mutex_unlock(&w->lock);
	return n;
}

void wot_dns_withdraw_clear(wot_dns_withdraw_set *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	free(w->set);
	w->set = NULL;
	w->nset = w->capset = 0;
	atomic_store(&w->count, 0);
	changed(w, "");
	pthread_mutex_unlock(&w->lock);
}

uint64_t wot_dns_withdraw_epoch(wot_dns_withdraw_set *w)
{
	return w ? atomic_load(&w->epoch) : 0;
}

int wot_dns_withdraw_changes(wot_dns_withdraw_set *w, uint64_t since,
			     char (*out)[256], size_t cap, uint64_t *now)
{
	int n = 0;

	if (!w) {
		*now = 0;
		return since ? -1 : 0;
	}
	pthread_mutex_lock(&w->lock);
	*now = atomic_load(&w->epoch);
	if (*now < since || *now - since > RING || *now - since > cap)
		n = -1;
	for (uint64_t e = since + 1; n >= 0 && e <= *now; e++) {
		if (w->ring[e % RING].epoch != e || !w->ring[e % RING].name[0])
			n = -1;
		else
			memcpy(out[n++], w->ring[e % RING].name, sizeof(*out));
	}
	pthread_mutex_unlock(&w->lock);
	return n;
}

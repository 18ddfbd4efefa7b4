/*
 * withdraw.c - the process-wide set of withdrawn RRsets. It stays small
 * (a handful of disputed records), so a locked array does; the table
 * loader asks for every record, so the empty case costs one atomic load.
 */
#include "dns/peer/withdraw.h"
#include "util/util.h"

#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static wot_withdrawn *set;
static size_t nset, capset;
static atomic_size_t count;	   /* nset, readable without the lock */
static atomic_uint_fast64_t epoch; /* raised by every change of the set */
/* The names of the last changes, by epoch, so a loader can re-read just
 * their shards; name "" stands for "everything" (clear). */
enum { RING = WOT_WITHDRAW_CHANGES };
static struct {
	uint64_t epoch;
	char name[256];
} ring[RING];

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
static void changed(const char *cname)
{
	uint64_t e = atomic_fetch_add(&epoch, 1) + 1;

	ring[e % RING].epoch = e;
	snprintf(ring[e % RING].name, sizeof(ring[0].name), "%s", cname);
}

static ssize_t find(const char *cname, uint16_t type)
{
	for (size_t i = 0; i < nset; i++)
		if (set[i].type == type && !strcmp(set[i].name, cname))
			return (ssize_t)i;
	return -1;
}

int wot_dns_withdraw_add(const char *name, uint16_t type, int64_t now,
			 const char *why)
{
	char c[256];
	int rc = 1;

	if (canon(name, c) < 0)
		return wot_error_set(WOT_EINVAL, "withdraw: bad name");
	pthread_mutex_lock(&lock);
	if (find(c, type) >= 0) {
		rc = 0;
	} else if (nset >= WOT_WITHDRAW_MAX) {
		rc = WOT_ELIMIT;
	} else if (nset == capset) {
		size_t nc = capset ? capset * 2 : 16;
		wot_withdrawn *ns = realloc(set, nc * sizeof(*ns));
		if (!ns)
			rc = WOT_ENOMEM;
		else {
			set = ns;
			capset = nc;
		}
	}
	if (rc == 1) {
		wot_withdrawn *w = &set[nset++];
		memset(w, 0, sizeof(*w));
		memcpy(w->name, c, sizeof(w->name));
		w->type = type;
		w->since = now;
		snprintf(w->why, sizeof(w->why), "%s", why ? why : "");
		atomic_store(&count, nset);
		changed(c);
	}
	pthread_mutex_unlock(&lock);
	if (rc < 0)
		return wot_error_set(rc, "withdraw %s: %s", c,
				     rc == WOT_ELIMIT ? "too many withdrawn"
						      : "out of memory");
	return rc;
}

int wot_dns_withdraw_remove(const char *name, uint16_t type)
{
	char c[256];
	ssize_t i;

	if (canon(name, c) < 0)
		return 0;
	pthread_mutex_lock(&lock);
	i = find(c, type);
	if (i >= 0) {
		set[i] = set[--nset];
		atomic_store(&count, nset);
		changed(c);
	}
	pthread_mutex_unlock(&lock);
	return i >= 0;
}

int wot_dns_withdraw_has(const char *name, uint16_t type)
{
	char c[256];
	int found;

	if (!atomic_load(&count) || canon(name, c) < 0)
		return 0;
	pthread_mutex_lock(&lock);
	found = find(c, type) >= 0;
	pthread_mutex_unlock(&lock);
	return found;
}

int wot_dns_withdraw_has_rr(const ldns_rr *rr)
{
	char *owner;
	int found;

	if (!atomic_load(&count))
		return 0;
	if (!(owner = ldns_rdf2str(ldns_rr_owner(rr))))
		return 0;
	found = wot_dns_withdraw_has(owner, (uint16_t)ldns_rr_get_type(rr));
	free(owner);
	return found;
}

size_t wot_dns_withdraw_list(wot_withdrawn *out, size_t cap)
{
	size_t n;

	pthread_mutex_lock(&lock);
	n = nset;
	if (out && n && cap)
		memcpy(out, set, (n < cap ? n : cap) * sizeof(*out));
	pthread_mutex_unlock(&lock);
	return n;
}

void wot_dns_withdraw_clear(void)
{
	pthread_mutex_lock(&lock);
	free(set);
	set = NULL;
	nset = capset = 0;
	atomic_store(&count, 0);
	changed("");
	pthread_mutex_unlock(&lock);
}

uint64_t wot_dns_withdraw_epoch(void)
{
	return atomic_load(&epoch);
}

int wot_dns_withdraw_changes(uint64_t since, char (*out)[256], size_t cap,
			     uint64_t *now)
{
	int n = 0;

	pthread_mutex_lock(&lock);
	*now = atomic_load(&epoch);
	if (*now < since || *now - since > RING || *now - since > cap)
		n = -1;
	for (uint64_t e = since + 1; n >= 0 && e <= *now; e++) {
		if (ring[e % RING].epoch != e || !ring[e % RING].name[0])
			n = -1;
		else
			memcpy(out[n++], ring[e % RING].name, sizeof(*out));
	}
	pthread_mutex_unlock(&lock);
	return n;
}

/* graph.c - the certification graph and GnuPG's classic trust model. */
#include "trust/graph.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_UIDS 256 /* certifications on later user ids are ignored */

typedef struct {
	uint32_t signer, target, uid;
	uint8_t revoked;
	int64_t expires;
} cert;

struct wot_graph {
	wot_graph_key *keys;
	size_t nkeys, capkeys;
	cert *certs;
	size_t ncerts, capcerts;
	wot_map *byfpr; /* fpr -> index + 1 */
	int dirty;
	/* certs[nindexed..ncerts) arrived after the index was built: a few
	 * are scanned directly, so one new certification costs no rebuild */
	size_t nindexed;
	/* certifications by signer and by target (indices into certs) */
	uint32_t *out_off, *out_idx, *in_off, *in_idx;
	/* scratch for compute */
	uint32_t *stamp, *cand, *klist, *next;
	uint8_t *full_trust, *used;
	uint64_t *seen;
	/* per user id (key k's ids start at uid_off[k]): counts accumulated
	 * over depths, as gpg keeps them in its trustdb */
	uint32_t *uid_off, *full_cnt, *marg_cnt;
	uint8_t *uid_status;
};

int wot_graph_new(wot_graph **out)
{
	wot_graph *g = calloc(1, sizeof(*g));
	int rc;

	*out = NULL;
	if (!g)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	if ((rc = wot_map_new(&g->byfpr)) < 0) {
		free(g);
		return rc;
	}
	*out = g;
	return 0;
}

static void free_index(wot_graph *g)
{
	free(g->out_off);
	free(g->out_idx);
	free(g->in_off);
	free(g->in_idx);
	free(g->stamp);
	free(g->cand);
	free(g->klist);
	free(g->next);
	free(g->full_trust);
	free(g->used);
	free(g->seen);
	free(g->uid_off);
	free(g->full_cnt);
	free(g->marg_cnt);
	free(g->uid_status);
	g->out_off = g->out_idx = g->in_off = g->in_idx = NULL;
	g->stamp = g->cand = g->klist = g->next = NULL;
	g->full_trust = g->used = g->uid_status = NULL;
	g->seen = NULL;
	g->uid_off = g->full_cnt = g->marg_cnt = NULL;
}

void wot_graph_free(wot_graph *g)
{
	if (!g)
		return;
	free_index(g);
	wot_map_free(g->byfpr, NULL);
	free(g->keys);
	free(g->certs);
	free(g);
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 64;
	void *np;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	if (!(np = realloc(*p, n * size)))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	*p = np;
	*cap = n;
	return 0;
}

int wot_graph_add_key(wot_graph *g, const char *fpr, wot_ownertrust ot,
		      int revoked, int64_t expires, uint32_t nuids,
		      uint32_t *index)
{
	wot_graph_key *k;
	int rc;

	if (wot_map_get(g->byfpr, fpr))
		return wot_error_set(WOT_EEXIST, "key %s twice", fpr);
	if ((rc = grow((void **)&g->keys, &g->capkeys, g->nkeys + 1,
		       sizeof(*g->keys))) < 0)
		return rc;
	k = &g->keys[g->nkeys];
	memset(k, 0, sizeof(*k));
	snprintf(k->fpr, sizeof(k->fpr), "%s", fpr);
	k->ownertrust = ot;
	k->revoked = revoked;
	k->expires = expires;
	k->nuids = nuids;
	k->level = -1;
	if ((rc = wot_map_put(g->byfpr, fpr, (void *)(uintptr_t)(g->nkeys + 1),
			      NULL)) < 0)
		return rc;
	if (index)
		*index = (uint32_t)g->nkeys;
	g->nkeys++;
	g->dirty = 1;
	return 0;
}

int wot_graph_add_cert(wot_graph *g, uint32_t signer, uint32_t target,
		       uint32_t uid, int64_t expires, int revoked)
{
	int rc;

	if (signer >= g->nkeys || target >= g->nkeys)
		return wot_error_set(WOT_EINVAL, "certification of no key");
	if ((rc = grow((void **)&g->certs, &g->capcerts, g->ncerts + 1,
		       sizeof(*g->certs))) < 0)
		return rc;
	g->certs[g->ncerts++] =
	    (cert){signer, target, uid, (uint8_t) !!revoked, expires};
	if (!g->stamp || g->ncerts - g->nindexed > 4096)
		g->dirty = 1;
	return 0;
}

int wot_graph_set_ownertrust(wot_graph *g, uint32_t index, wot_ownertrust ot)
{
	if (index >= g->nkeys)
		return wot_error_set(WOT_EINVAL, "no key %u", index);
	g->keys[index].ownertrust = ot;
	return 0;
}

size_t wot_graph_count(const wot_graph *g)
{
	return g->nkeys;
}

size_t wot_graph_cert_count(const wot_graph *g)
{
	return g->ncerts;
}

const wot_graph_key *wot_graph_key_at(const wot_graph *g, uint32_t index)
{
	return index < g->nkeys ? &g->keys[index] : NULL;
}

int wot_graph_find(const wot_graph *g, const char *fpr, uint32_t *index)
{
	uintptr_t v = (uintptr_t)wot_map_get(g->byfpr, fpr);

	if (!v)
		return WOT_ENOENT;
	*index = (uint32_t)(v - 1);
	return 0;
}

/* Counting sort of certification indices by signer or by target. */
static int csr(wot_graph *g, int by_target, uint32_t **off, uint32_t **idx)
{
	*off = calloc(g->nkeys + 1, sizeof(**off));
	*idx = malloc((g->ncerts ? g->ncerts : 1) * sizeof(**idx));
	if (!*off || !*idx)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	for (size_t i = 0; i < g->ncerts; i++)
		(*off)[(by_target ? g->certs[i].target : g->certs[i].signer) +
		       1]++;
	for (size_t k = 0; k < g->nkeys; k++)
		(*off)[k + 1] += (*off)[k];
	for (size_t i = 0; i < g->ncerts; i++) {
		uint32_t k =
		    by_target ? g->certs[i].target : g->certs[i].signer;
		(*idx)[(*off)[k]++] = (uint32_t)i;
	}
	for (size_t k = g->nkeys; k > 0; k--)
		(*off)[k] = (*off)[k - 1];
	(*off)[0] = 0;
	return 0;
}

static int build_index(wot_graph *g)
{
	size_t n = g->nkeys ? g->nkeys : 1;
	int rc;

	free_index(g);
	if ((rc = csr(g, 0, &g->out_off, &g->out_idx)) < 0 ||
	    (rc = csr(g, 1, &g->in_off, &g->in_idx)) < 0)
		return rc;
	g->stamp = calloc(n, sizeof(*g->stamp));
	g->cand = malloc(n * sizeof(*g->cand));
	g->klist = malloc(n * sizeof(*g->klist));
	g->next = malloc(n * sizeof(*g->next));
	g->full_trust = calloc(n, 1);
	g->used = calloc(n, 1);
	g->seen = calloc(n, sizeof(*g->seen));
	g->uid_off = calloc(n + 1, sizeof(*g->uid_off));
	if (!g->stamp || !g->cand || !g->klist || !g->next || !g->full_trust ||
	    !g->used || !g->seen || !g->uid_off)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	for (size_t k = 0; k < g->nkeys; k++)
		g->uid_off[k + 1] =
		    g->uid_off[k] +
		    (g->keys[k].nuids < MAX_UIDS ? g->keys[k].nuids : MAX_UIDS);
	n = g->uid_off[g->nkeys] ? g->uid_off[g->nkeys] : 1;
	g->full_cnt = calloc(n, sizeof(*g->full_cnt));
	g->marg_cnt = calloc(n, sizeof(*g->marg_cnt));
	g->uid_status = calloc(n, 1);
	if (!g->full_cnt || !g->marg_cnt || !g->uid_status)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	g->dirty = 0;
	g->nindexed = g->ncerts;
	return 0;
}

/* uid_status values, ordered like gpg's flags */
enum { UID_NONE = 0, UID_UNDEFINED = 1, UID_MARGINAL = 2, UID_FULL = 3 };

/* One certification of t by an introducer of this depth (stamp), once per
 * signer and user id. */
static void count_cert(wot_graph *g, const cert *ce, uint32_t t, uint32_t stamp,
		       uint64_t visit, const wot_graph_params *p,
		       uint8_t *signed_now)
{
	uint32_t base = g->uid_off[t], nu = g->uid_off[t + 1] - base;
	uint64_t mark = visit * MAX_UIDS + ce->uid;

	if (ce->uid >= nu || ce->signer == t || ce->revoked ||
	    g->stamp[ce->signer] != stamp ||
	    (ce->expires && ce->expires <= p->now) ||
	    g->seen[ce->signer] == mark)
		return;
	g->seen[ce->signer] = mark;
	switch (g->keys[ce->signer].ownertrust) {
	case WOT_OWNERTRUST_ULTIMATE:
		g->full_cnt[base + ce->uid] = p->completes_needed;
		break;
	case WOT_OWNERTRUST_FULL:
		g->full_cnt[base + ce->uid]++;
		break;
	case WOT_OWNERTRUST_MARGINAL:
		g->marg_cnt[base + ce->uid]++;
		break;
	default:
		break;
	}
	signed_now[ce->uid] = 1;
}

/*
 * validate_one_keyblock(): certifications of t by this depth's introducers
 * (stamp), one per signer and user id, added to the counts of earlier
 * depths. Returns 1 if any user id was signed at this depth; *full_now
 * tells whether one became or stayed fully valid at this depth.
 */
static int validate_one(wot_graph *g, uint32_t t, uint32_t stamp,
			uint64_t visit, const wot_graph_params *p,
			int *full_now)
{
	uint32_t base = g->uid_off[t], nu = g->uid_off[t + 1] - base;
	uint8_t signed_now[MAX_UIDS];
	int any = 0;

	memset(signed_now, 0, nu);
	*full_now = 0;
	for (uint32_t j = g->in_off[t]; j < g->in_off[t + 1]; j++)
		count_cert(g, &g->certs[g->in_idx[j]], t, stamp, visit, p,
			   signed_now);
	for (size_t j = g->nindexed; j < g->ncerts; j++)
		if (g->certs[j].target == t)
			count_cert(g, &g->certs[j], t, stamp, visit, p,
				   signed_now);
	for (uint32_t u = 0; u < nu; u++) {
		uint32_t f = g->full_cnt[base + u], m = g->marg_cnt[base + u];
		if (!signed_now[u])
			continue;
		any = 1;
		if (f >= p->completes_needed || m >= p->marginals_needed) {
			g->uid_status[base + u] = UID_FULL;
			*full_now = 1;
		} else {
			g->uid_status[base + u] =
			    f || m ? UID_MARGINAL : UID_UNDEFINED;
		}
	}
	return any;
}

/* Key validity: the best of its user ids; whether all are fully valid. */
static wot_validity key_validity(const wot_graph *g, uint32_t t, int *all)
{
	static const wot_validity map[] = {
	    WOT_VALIDITY_UNKNOWN, WOT_VALIDITY_UNKNOWN, WOT_VALIDITY_MARGINAL,
	    WOT_VALIDITY_FULL};
	uint8_t best = UID_NONE;

	*all = g->uid_off[t + 1] > g->uid_off[t];
	for (uint32_t u = g->uid_off[t]; u < g->uid_off[t + 1]; u++) {
		if (g->uid_status[u] > best)
			best = g->uid_status[u];
		if (g->uid_status[u] != UID_FULL)
			*all = 0;
	}
	return map[best];
}

/* Ultimately trusted keys open the walk; dead keys never take part. */
static size_t start(wot_graph *g, const wot_graph_params *p)
{
	size_t nk = 0;

	memset(g->full_cnt, 0, g->uid_off[g->nkeys] * sizeof(*g->full_cnt));
	memset(g->marg_cnt, 0, g->uid_off[g->nkeys] * sizeof(*g->marg_cnt));
	memset(g->uid_status, 0, g->uid_off[g->nkeys]);
	for (size_t i = 0; i < g->nkeys; i++) {
		wot_graph_key *k = &g->keys[i];
		k->validity = WOT_VALIDITY_UNKNOWN;
		k->level = -1;
		g->full_trust[i] = g->used[i] = 0;
		g->stamp[i] = 0;
		g->seen[i] = 0;
		if (k->revoked || (k->expires && k->expires <= p->now)) {
			k->validity = WOT_VALIDITY_NEVER;
			g->full_trust[i] = 1;
		} else if (k->ownertrust == WOT_OWNERTRUST_ULTIMATE) {
			k->validity = WOT_VALIDITY_ULTIMATE;
			k->level = 0;
			g->full_trust[i] = g->used[i] = 1;
			g->klist[nk++] = (uint32_t)i;
		}
	}
	return nk;
}

/* Keys certified by this depth's introducers, each once. */
static size_t candidates(wot_graph *g, size_t nk, uint32_t stamp)
{
	size_t nc = 0;

	for (size_t i = 0; i < nk; i++)
		g->stamp[g->klist[i]] = stamp;
	for (size_t i = 0; i < nk; i++) {
		uint32_t k = g->klist[i];
		for (uint32_t j = g->out_off[k]; j < g->out_off[k + 1]; j++) {
			uint32_t t = g->certs[g->out_idx[j]].target;
			/* seen[] doubles as the candidate mark here */
			if (g->full_trust[t] ||
			    g->seen[t] == UINT64_MAX - stamp)
				continue;
			g->seen[t] = UINT64_MAX - stamp;
			g->cand[nc++] = t;
		}
	}
	for (size_t j = g->nindexed; j < g->ncerts; j++) {
		uint32_t t = g->certs[j].target;
		if (g->stamp[g->certs[j].signer] != stamp || g->full_trust[t] ||
		    g->seen[t] == UINT64_MAX - stamp)
			continue;
		g->seen[t] = UINT64_MAX - stamp;
		g->cand[nc++] = t;
	}
	return nc;
}

int wot_graph_compute(wot_graph *g, const wot_graph_params *params)
{
	wot_graph_params p = WOT_GRAPH_PARAMS_INIT;
	uint64_t visit = 0;
	size_t nk;
	int rc;

	if (params)
		p = *params;
	if (p.now <= 0)
		return wot_error_set(WOT_EINVAL, "trust graph: no time given");
	if (!p.completes_needed)
		p.completes_needed = 1;
	if (!p.marginals_needed)
		p.marginals_needed = 1;
	if ((g->dirty || !g->stamp) && (rc = build_index(g)) < 0)
		return rc;
	nk = start(g, &p);
	for (unsigned depth = 0; depth < p.max_cert_depth && nk; depth++) {
		uint32_t stamp = depth + 1;
		size_t nc = candidates(g, nk, stamp), nn = 0;
		for (size_t i = 0; i < nc; i++) {
			uint32_t t = g->cand[i];
			int full_now, all;
			if (!validate_one(g, t, stamp, ++visit, &p, &full_now))
				continue;
			g->keys[t].validity = key_validity(g, t, &all);
			if (g->keys[t].level < 0)
				g->keys[t].level = (int)depth + 1;
			/* a key all of whose ids are fully valid is done */
			g->full_trust[t] = (uint8_t)all;
			if (full_now && !g->used[t]) {
				g->used[t] = 1;
				g->next[nn++] = t;
			}
		}
		memcpy(g->klist, g->next, nn * sizeof(*g->next));
		nk = nn;
	}
	return 0;
}

/* claims.c - deciding which claimed names are served. */
#include "trust/trust.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

static int label_count(const char *name)
{
	int n = 0;

	for (; *name; name++)
		if (*name == '.')
			n++;
	return n;
}

static int cmp_claims(const void *a, const void *b)
{
	const wot_claim *x = *(wot_claim *const *)a,
			*y = *(wot_claim *const *)b;
	int dx = label_count(x->name), dy = label_count(y->name), c;

	if (dx != dy)
		return dx - dy;
	if ((c = strcmp(x->name, y->name)))
		return c;
	return (x->since > y->since) - (x->since < y->since);
}

/* Owner of the closest enclosing name (itself included), or NULL. */
static const char *holder_of(const wot_owners *o, const char *name)
{
	for (const char *p = name; p && *p;) {
		const char *fpr = wot_owners_get(o, p);
		if (fpr)
			return fpr;
		p = strchr(p, '.');
		if (p)
			p++;
	}
	return NULL;
}

/*
 * No history: the earliest claim wins, unless another key claimed at the
 * same moment, in which case nobody gets it yet.
 */
static const char *first_claimant(wot_claim **g, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		if (strcmp(g[i]->signer, g[0]->signer) == 0)
			continue;
		if (g[i]->since == g[0]->since)
			return NULL;
		break;
	}
	return g[0]->signer;
}

static int decide_group(wot_claim **g, size_t n, wot_owners *owners)
{
	const char *holder = holder_of(owners, g[0]->name);
	int rc;

	if (!holder) {
		holder = first_claimant(g, n);
		if (holder && (rc = wot_owners_set(owners, g[0]->name, holder,
						   g[0]->since)) < 0)
			return rc;
		holder = holder ? wot_owners_get(owners, g[0]->name) : NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (holder && !strcmp(g[i]->signer, holder)) {
			g[i]->accepted = 1;
			continue;
		}
		g[i]->winner = holder;
		g[i]->reason = holder ? "conflict: name owned by another key"
				      : "conflict: claimed by several keys at "
					"once";
	}
	return 0;
}

int wot_trust_accept(wot_claim *claims, size_t n, wot_owners *owners)
{
	wot_claim **valid = calloc(n ? n : 1, sizeof(*valid));
	size_t nv = 0;
	int rc = 0;

	if (!valid)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		claims[i].accepted = 0;
		claims[i].winner = NULL;
		claims[i].reason = NULL;
		if (claims[i].validity >= WOT_VALIDITY_FULL)
			valid[nv++] = &claims[i];
		else
			claims[i].reason = "untrusted signer: key not valid";
	}
	/* Shallow names first, so an ancestor's owner is known before its
	 * subtree is decided. */
	qsort(valid, nv, sizeof(*valid), cmp_claims);
	for (size_t i = 0, j; i < nv && rc == 0; i = j) {
		for (j = i + 1;
		     j < nv && !strcmp(valid[j]->name, valid[i]->name); j++)
			;
		rc = decide_group(valid + i, j - i, owners);
	}
	free(valid);
	return rc;
}

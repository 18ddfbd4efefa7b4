/* claims.c - deciding which claimed names are served. */
#include "trust/trust.h"
#include "util/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	wot_owners *owners;
	const wot_accept_opts *o;
	wot_trust_policy pol;
	wot_map *signers; /* fpr -> const wot_signer * */
} engine;

static void note(wot_claim *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Append one step to the claim's explanation. */
static void note(wot_claim *c, const char *fmt, ...)
{
	size_t used = strlen(c->explain);
	va_list ap;

	if (used && used + 2 < sizeof(c->explain)) {
		memcpy(c->explain + used, "; ", 3);
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(c->explain + used, sizeof(c->explain) - used, fmt, ap);
	va_end(ap);
}

static const wot_signer *signer_of(const engine *e, const char *fpr)
{
	return fpr ? wot_map_get(e->signers, fpr) : NULL;
}

static int label_count(const char *name)
{
	int n = 0;

	for (; *name; name++)
		n += *name == '.';
	return n;
}

static int cmp_claims(const void *a, const void *b)
{
	const wot_claim *x = *(wot_claim *const *)a,
			*y = *(wot_claim *const *)b;
	int dx = label_count(x->name), dy = label_count(y->name);

	return dx != dy ? dx - dy : strcmp(x->name, y->name);
}

static int may_shadow(const engine *e, const wot_claim *c)
{
	const wot_signer *s = signer_of(e, c->signer);

	switch (e->pol.shadow) {
	case WOT_SHADOW_VALID:
		return c->validity >= WOT_VALIDITY_FULL;
	case WOT_SHADOW_FRIENDS:
		if (c->validity == WOT_VALIDITY_ULTIMATE)
			return 1;
		return s && c->validity >= WOT_VALIDITY_FULL && c->level == 1 &&
		       s->ownertrust >= WOT_OWNERTRUST_FULL;
	default:
		return c->validity == WOT_VALIDITY_ULTIMATE;
	}
}

/* In the words 'wotdns trust' uses for the validity, and what the policy
 * wants instead. */
static const char *untrusted_reason(wot_validity v)
{
	switch (v) {
	case WOT_VALIDITY_MARGINAL:
		return "untrusted signer: validity marginal (needs full)";
	case WOT_VALIDITY_NEVER:
		return "untrusted signer: validity never (needs full)";
	default:
		return "untrusted signer: validity unknown (needs full)";
	}
}

/* Steps 1 and 2: is the claim allowed to take part at all? */
static int eligible(const engine *e, wot_claim *c)
{
	c->weight = wot_trust_weight(&e->pol, c->validity, c->level);
	note(c, "signer %.16s: validity %s, level %d, weight %.2f", c->signer,
	     wot_validity_name(c->validity), c->level, c->weight);
	if (c->reserved) {
		c->reason = c->reserved;
		note(c, "rejected: %s, never served whatever the policy",
		     c->reserved);
		return 0;
	}
	if (c->validity < WOT_VALIDITY_FULL) {
		c->reason = untrusted_reason(c->validity);
		note(c, "rejected: only fully valid keys count");
		return 0;
	}
	if (c->shadows && !may_shadow(e, c)) {
		c->reason = "shadows the normal DNS: signer not allowed by "
			    "the shadow policy";
		note(c,
		     "rejected: name is under a TLD of the normal DNS and "
		     "the shadow policy is '%s'",
		     wot_shadow_name(e->pol.shadow));
		return 0;
	}
	return 1;
}

static const wot_grant *find_grant(const engine *e, const char *name,
				   const char *from, wot_grant_kind kind)
{
	for (size_t i = 0; from && i < e->o->ngrants; i++) {
		const wot_grant *g = &e->o->grants[i];
		if (g->kind == kind && !strcmp(g->name, name) &&
		    !strcmp(g->from, from))
			return g;
	}
	return NULL;
}

/* A name of one label or a reserved one holds only itself. */
static int passes_nothing(const engine *e, const char *name)
{
	return label_count(name) <= 1 ||
	       (e->o->reserved && e->o->reserved(name, e->o->reserved_ctx));
}

/*
 * Walk from the top label down to name: history gives holders, a transfer
 * by the current holder moves the name for good (recorded), a delegation
 * lends the subtree while it stays published.
 */
static int holder_of(engine *e, const char *name, const char **out)
{
	const char *anc[128], *h = NULL;
	int n = 0, rc = 0;

	for (const char *p = name; p && *p && n < 128; n++) {
		anc[n] = p;
		p = strchr(p, '.');
		p = p && p[1] ? p + 1 : NULL;
	}
	while (n-- > 0 && rc == 0) {
		const char *hist = wot_owners_get(e->owners, anc[n]);
		const wot_grant *g;
		if (hist)
			h = hist;
		for (int hop = 0; hop < 8; hop++) {
			g = find_grant(e, anc[n], h, WOT_GRANT_TRANSFER);
			if (!g || !strcmp(g->to, h))
				break;
			rc =
			    wot_owners_set(e->owners, anc[n], g->to, e->o->now);
			h = wot_owners_get(e->owners, anc[n]);
		}
		if ((g = find_grant(e, anc[n], h, WOT_GRANT_DELEGATE)))
			h = g->to;
		if (n > 0 && passes_nothing(e, anc[n]))
			h = NULL;
	}
	*out = h;
	return rc;
}

/*
 * Heaviest eligible signer, if it beats every other signer's claim (eligible
 * or not: a marginal rival still casts doubt) by the margin.
 */
static const char *contest(const engine *e, wot_claim **g, const char *ok,
			   size_t n, double *w1, double *w2)
{
	const char *best = NULL;

	*w1 = *w2 = 0.0;
	for (size_t i = 0; i < n; i++)
		if (ok[i] && (!best || g[i]->weight > *w1)) {
			*w1 = g[i]->weight;
			best = g[i]->signer;
		}
	for (size_t i = 0; i < n; i++)
		if (best && strcmp(g[i]->signer, best) && g[i]->weight > *w2)
			*w2 = g[i]->weight;
	return best && *w1 - *w2 >= e->pol.margin - 1e-9 ? best : NULL;
}

/* Who holds the group's name now: history and grants, or a fair contest. */
static int settle(engine *e, wot_claim **g, const char *ok, size_t n,
		  const char **holder)
{
	const wot_signer *hs;
	double w1, w2;
	int rc = holder_of(e, g[0]->name, holder);

	hs = rc == 0 ? signer_of(e, *holder) : NULL;
	if (rc == 0 && hs && hs->dead) {
		for (size_t i = 0; i < n; i++)
			note(g[i],
			     "holder %.16s is revoked or expired: the "
			     "name is free",
			     *holder);
		*holder = NULL;
	}
	if (rc < 0 || *holder)
		return rc;
	*holder = contest(e, g, ok, n, &w1, &w2);
	for (size_t i = 0; i < n; i++)
		note(g[i], "no holder: heaviest %.2f vs next %.2f, margin %.2f",
		     w1, w2, e->pol.margin);
	if (*holder)
		rc = wot_owners_set(e->owners, g[0]->name, *holder, e->o->now);
	return rc;
}

static int decide_group(engine *e, wot_claim **g, const char *ok, size_t n)
{
	const char *holder = NULL;
	int rc = settle(e, g, ok, n, &holder);

	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (!ok[i])
			continue;
		if (holder && !strcmp(g[i]->signer, holder)) {
			g[i]->accepted = 1;
			note(g[i], "accepted: this key holds the name");
			continue;
		}
		g[i]->winner = holder;
		g[i]->reason = holder ? "conflict: name owned by another key"
				      : "conflict: no claim outweighs the "
					"others by the margin";
		note(g[i], "rejected: %s", g[i]->reason + strlen("conflict: "));
		if (holder)
			note(g[i], "held by %s", holder);
	}
	return rc;
}

static int run(engine *e, wot_claim *claims, size_t n)
{
	wot_claim **all = calloc(n ? n : 1, sizeof(*all));
	char *ok = calloc(n ? n : 1, 1);
	int rc = 0;

	if (!all || !ok) {
		rc = wot_error_set(WOT_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		all[i] = &claims[i];
	/* Shallow names first, so an ancestor's holder is known before its
	 * subtree is decided. */
	qsort(all, n, sizeof(*all), cmp_claims);
	for (size_t i = 0; i < n; i++)
		ok[i] = (char)eligible(e, all[i]);
	for (size_t i = 0, j; i < n && rc == 0; i = j) {
		for (j = i + 1; j < n && !strcmp(all[j]->name, all[i]->name);
		     j++)
			;
		rc = decide_group(e, all + i, ok + i, j - i);
	}
out:
	free(all);
	free(ok);
	return rc;
}

int wot_trust_accept(wot_claim *claims, size_t n, wot_owners *owners,
		     const wot_accept_opts *opts)
{
	static const wot_trust_policy defaults = WOT_TRUST_POLICY_INIT;
	wot_accept_opts none = WOT_ACCEPT_OPTS_INIT;
	engine e = {owners, opts ? opts : &none, defaults, NULL};
	int rc;

	if (e.o->policy)
		e.pol = *e.o->policy;
	if ((rc = wot_map_new(&e.signers)) < 0)
		return rc;
	for (size_t i = 0; rc == 0 && i < e.o->nsigners; i++)
		rc = wot_map_put(e.signers, e.o->signers[i].fpr,
				 (void *)&e.o->signers[i], NULL);
	for (size_t i = 0; i < n; i++) {
		claims[i].accepted = 0;
		claims[i].winner = NULL;
		claims[i].reason = NULL;
		claims[i].explain[0] = '\0';
	}
	if (rc == 0)
		rc = run(&e, claims, n);
	wot_map_free(e.signers, NULL);
	return rc;
}

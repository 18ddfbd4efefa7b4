/*
 * opinion_claim.c - obtaining a commit a peer claims for a source we
 * cannot place (pool side; see opinion_int.h). The peer's own URLs come
 * first: only they can make a claim a lie. A peer that follows the source
 * without announcing it (discovered through a friend) announces no URL;
 * then the URLs the other known peers announce for that key are fetched
 * too, so an honest peer on the owner's other history still leads to the
 * proof of an equivocation.
 */
#include "dns/peer/opinion_int.h"
#include "sync/sync.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Append the URLs source owner fpr is announced under in the peer.conf of
 * our source name, up to WOT_PEER_URLS_MAX in all, without repeats. */
static void add_urls(wot_home *h, const char *name, const char *fpr,
		     char ***urls)
{
	wot_peer_conf *pc = NULL;

	if (wot_sync_peer_conf(h, name, &pc) < 0) {
		wot_error_clear();
		return;
	}
	for (size_t i = 0; i < pc->nsources; i++) {
		if (strcasecmp(pc->sources[i].key, fpr))
			continue;
		for (char **u = pc->sources[i].urls; u && *u; u++) {
			int seen = 0;
			for (char **v = *urls; v && *v && !seen; v++)
				seen = !strcmp(*u, *v);
			if (!seen && wot_strv_len(*urls) < WOT_PEER_URLS_MAX &&
			    wot_strv_push(urls, *u) < 0)
				wot_error_clear();
		}
	}
	wot_peer_conf_free(pc);
}

/* Fetch urls (may be empty) for the claim; fold the outcome into *out. */
static void try_urls(wot_home *h, wot_trust *t, const char *source,
		     const char *commit, char **urls, wot_claim_fetch *out,
		     size_t *fetched)
{
	const wot_peer_claim c = {
	    .name = source, .commit = commit, .urls = urls};
	wot_peer_claim_result r;

	/* Even with no URL: a forking commit we hold already is proof. */
	if (wot_sync_fetch_claim(h, t, &c, &r) < 0)
		wot_error_clear();
	*fetched = r.fetched;
	out->place = r.place;
	if (r.kind[0])
		out->kind = r.kind;
}

/* 1 if a peer before i announces through the same source (read once). */
static int source_seen(const wot_opinion_peer *peers, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (!strcmp(peers[j].source, peers[i].source))
			return 1;
	return 0;
}

/* The URLs the peers other than who announce for fpr, minus mine. */
static char **other_urls(wot_home *h, const wot_opinion_peer *peers,
			 size_t npeers, size_t who, const char *fpr,
			 char *const *mine)
{
	char **all = NULL, **todo = NULL;

	for (size_t i = 0; i < npeers; i++)
		if (i != who && strcmp(peers[i].source, peers[who].source) &&
		    !source_seen(peers, i))
			add_urls(h, peers[i].source, fpr, &all);
	for (char **o = all; o && *o; o++) {
		int tried = 0;
		for (char *const *m = mine; m && *m && !tried; m++)
			tried = !strcmp(*m, *o);
		if (!tried && wot_strv_push(&todo, *o) < 0)
			wot_error_clear();
	}
	wot_strv_free(all);
	return todo;
}

void wot_opinion_fetch_claim(wot_home *h, wot_trust *t,
			     const wot_opinion_claim *c, wot_claim_fetch *out)
{
	const wot_opinion_peer *peers = c->peers;
	size_t npeers = c->npeers, who = c->who;
	const char *source = c->source, *fpr = c->fpr, *commit = c->commit;
	char **mine = NULL, **others = NULL;

	memset(out, 0, sizeof(*out));
	out->place = WOT_PLACE_UNKNOWN;
	out->kind = "";
	if (who >= npeers)
		return;
	add_urls(h, peers[who].source, fpr, &mine);
	out->peer_urls = wot_strv_len(mine);
	try_urls(h, t, source, commit, mine, out, &out->peer_fetched);
	/* The peer's own URLs answered: what they hold is the answer. */
	if (out->place == WOT_PLACE_UNKNOWN && !out->peer_fetched) {
		others = other_urls(h, peers, npeers, who, fpr, mine);
		try_urls(h, t, source, commit, others, out,
			 &out->others_fetched);
	}
	wot_strv_free(mine);
	wot_strv_free(others);
}

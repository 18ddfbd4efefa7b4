/*
 * opinion_git.c - placing the commits peers claim (declared in sync.h).
 */
#include "sync/source/source.h"
#include "sync/zone/zone.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *wot_place_name(int place)
{
	static const char *const names[] = {"same", "behind",  "ahead",
					    "fork", "unknown", "nosource"};

	return place >= 0 && place <= WOT_PLACE_NOSOURCE ? names[place] : "?";
}

static int place_in(git_repository *repo, const git_oid *id,
		    const git_oid *verified)
{
	git_object *obj = NULL;

	if (git_oid_equal(id, verified))
		return WOT_PLACE_SAME;
	if (git_object_lookup(&obj, repo, id, GIT_OBJECT_COMMIT) != 0) {
		git_error_clear();
		return WOT_PLACE_UNKNOWN;
	}
	git_object_free(obj);
	if (git_graph_descendant_of(repo, verified, id) == 1)
		return WOT_PLACE_BEHIND;
	if (git_graph_descendant_of(repo, id, verified) == 1)
		return WOT_PLACE_AHEAD;
	return WOT_PLACE_FORK;
}

static int place_locked(wot_home *h, const char *name, const git_oid *id,
			int *place)
{
	git_repository *repo = NULL;
	git_oid verified;
	int rc;

	*place = WOT_PLACE_NOSOURCE;
	if ((rc = wot_sync_verified_head(h, name, &verified)) < 0) {
		wot_error_clear();
		return 0;
	}
	if ((rc = wot_sync_open_mirror(h, name, &repo)) < 0)
		return rc;
	*place = place_in(repo, id, &verified);
	git_repository_free(repo);
	return 0;
}

int wot_sync_place(wot_home *h, const char *name, const char *commit,
		   int *place)
{
	git_oid id;
	int lock = -1, rc;

	*place = WOT_PLACE_NOSOURCE;
	if (!wot_source_name_valid(name) || git_oid_fromstr(&id, commit) != 0)
		return wot_error_set(WOT_EINVAL, "bad source or commit");
	if ((rc = wot_home_lock(h, &lock)) == 0)
		rc = place_locked(h, name, &id, place);
	wot_home_unlock(lock);
	return rc;
}

static int add_zone(const char *path, const char *data, size_t len, void *ctx)
{
	ldns_rr_list *all = ctx, *one = NULL;
	int rc = wot_zone_parse(data, len, path, &one);

	if (rc < 0) {
		wot_error_clear(); /* a bad file was never accepted either */
		return 0;
	}
	while (ldns_rr_list_rr_count(one))
		ldns_rr_list_push_rr(all, ldns_rr_list_pop_rr(one));
	ldns_rr_list_free(one);
	return 0;
}

int wot_sync_records_at(wot_home *h, const char *name, const char *commit,
			ldns_rr_list **out)
{
	git_repository *repo = NULL;
	ldns_rr_list *all = NULL;
	git_oid id;
	int lock = -1, rc;

	*out = NULL;
	if (!wot_source_name_valid(name) || git_oid_fromstr(&id, commit) != 0)
		return wot_error_set(WOT_EINVAL, "bad source or commit");
	if (!(all = ldns_rr_list_new()))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	if ((rc = wot_home_lock(h, &lock)) == 0 &&
	    (rc = wot_sync_open_mirror(h, name, &repo)) == 0)
		rc = wot_repo_commit_zones(repo, &id, add_zone, all);
	git_repository_free(repo);
	wot_home_unlock(lock);
	if (rc < 0) {
		ldns_rr_list_deep_free(all);
		return rc;
	}
	*out = all;
	return 0;
}

static int find_source(wot_home *h, const char *name, wot_source **all,
		       size_t *n, wot_source **s)
{
	int rc = wot_sources_load(h, all, n);

	*s = NULL;
	for (size_t i = 0; rc == 0 && i < *n; i++)
		if (!strcmp((*all)[i].name, name))
			*s = &(*all)[i];
	if (rc == 0 && !*s)
		rc = wot_error_set(WOT_ENOENT, "no source %s", name);
	return rc;
}

/* Fetch one announced URL; a URL that does not answer proves nothing.
 * 1 if it answered. */
static int fetch_url(wot_home *h, git_repository *repo, const char *name,
		     size_t i, const char *url)
{
	wot_fetch_cap cap = {(size_t)h->cfg.limit_fetch_mb << 20, 0};
	char spec[96];
	wot_transport_opts o = {.cfg = &h->cfg,
				.url = url,
				.refspec = spec,
				.progress = wot_limits_transfer,
				.payload = &cap};

	snprintf(spec, sizeof(spec),
		 "+refs/heads/*:refs/wotdns/peer-fetched-%zu/*", i);
	if (wot_transport_fetch(repo, &o) < 0) {
		wot_log(WOT_LOG_INFO, "sync", "%s: peer's URL %s: %s", name,
			url, wot_error_last());
		wot_error_clear();
		return 0;
	}
	return 1;
}

/*
 * The branch a peer's URL i offered (its main or master) forks from our
 * verified head: whatever the peer claimed, that is evidence, and signed
 * by the owner an equivocation (a liar's made-up commit may come with an
 * honest URL). Once the source is suspended the proof is kept already.
 */
static void check_tip(const wot_home *h, wot_trust *t, const wot_source *s,
		      git_repository *repo, size_t i, const char *url,
		      const git_oid *verified)
{
	static const char *const branches[] = {"main", "master"};
	wot_source as_seen = *s;
	char ref[96];
	git_oid tip;

	for (size_t b = 0; b < 2; b++) {
		snprintf(ref, sizeof(ref), "refs/wotdns/peer-fetched-%zu/%s", i,
			 branches[b]);
		if (git_reference_name_to_id(&tip, repo, ref) != 0) {
			git_error_clear();
			continue;
		}
		if (wot_evidence_suspended(h, s->name) ||
		    place_in(repo, &tip, verified) != WOT_PLACE_FORK)
			return;
		as_seen.url = (char *)url;
		wot_evidence_refused(h, &as_seen, repo, t, &tip, verified);
		wot_log(WOT_LOG_WARNING, "sync", "%s (a peer's URL %s): %s",
			s->name, url, wot_error_last());
		wot_error_clear();
		return;
	}
}

static int claim_locked(wot_home *h, wot_trust *t, const wot_peer_claim *c,
			const git_oid *id, wot_peer_claim_result *out)
{
	const char *name = c->name;
	char *const *urls = c->urls;
	int *place = &out->place;
	size_t *fetched = &out->fetched;
	const char **kind = &out->kind;
	git_repository *repo = NULL;
	wot_source *all = NULL, *s = NULL;
	size_t n = 0;
	git_oid verified;
	int rc;

	if ((rc = find_source(h, name, &all, &n, &s)) < 0 ||
	    (rc = wot_sync_verified_head(h, name, &verified)) < 0 ||
	    (rc = wot_sync_open_mirror(h, name, &repo)) < 0)
		goto out;
	/* Fetched before (another peer's URL): no need to fetch again. */
	*place = place_in(repo, id, &verified);
	for (size_t i = 0; *place == WOT_PLACE_UNKNOWN && urls && urls[i] &&
			   i < WOT_PEER_URLS_MAX;
	     i++) {
		int ok = fetch_url(h, repo, name, i, urls[i]);
		*fetched += (size_t)ok;
		if ((*place = place_in(repo, id, &verified)) !=
		    WOT_PLACE_UNKNOWN)
			break;
		if (ok)
			check_tip(h, t, s, repo, i, urls[i], &verified);
	}
	if (*place == WOT_PLACE_FORK) {
		/* Keeps both commits and classifies: WOT_EVERIFY is the
		 * expected outcome here, not a failure of ours. */
		char msg[512];

		wot_evidence_refused(h, s, repo, t, id, &verified);
		snprintf(msg, sizeof(msg), "%s", wot_error_last());
		*kind = wot_evidence_suspended(h, name) ? "equivocation"
							: "rewrite";
		wot_log(WOT_LOG_WARNING, "sync", "%s (claimed by a peer): %s",
			name, msg);
		wot_error_clear();
	}
out:
	git_repository_free(repo);
	wot_sources_free(all, n);
	return rc;
}

int wot_sync_fetch_claim(wot_home *h, wot_trust *t, const wot_peer_claim *c,
			 wot_peer_claim_result *out)
{
	git_oid id;
	int lock = -1, rc;

	*out = (wot_peer_claim_result){.place = WOT_PLACE_UNKNOWN, .kind = ""};
	if (!wot_source_name_valid(c->name) ||
	    git_oid_fromstr(&id, c->commit) != 0)
		return wot_error_set(WOT_EINVAL, "bad source or commit");
	if ((rc = wot_home_lock(h, &lock)) == 0)
		rc = claim_locked(h, t, c, &id, out);
	wot_home_unlock(lock);
	return rc;
}

int wot_sync_source_suspended(wot_home *h, const char *name)
{
	return wot_source_name_valid(name) && wot_evidence_suspended(h, name);
}

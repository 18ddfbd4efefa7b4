/*
 * mirror.c - a source with several URLs (sources.conf "mirror ="). The
 * first URL that answers drives the verified head (fetch.c); the others
 * are fetched too, each into its own refs/wotdns/fetched-mN/, and compared
 * with the verified head. A mirror that is behind or ahead is fine (it
 * catches up); one offering a history that forks from the verified head
 * is kept as evidence, and if the owner signed it, that is an
 * equivocation: two signed histories from one key.
 */
#include "sync/source/source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int mirror_tip(git_repository *repo, size_t i, git_oid *out)
{
	char ref[64];

	snprintf(ref, sizeof(ref), "refs/wotdns/fetched-m%zu/main", i);
	if (git_reference_name_to_id(out, repo, ref) == 0)
		return 0;
	snprintf(ref, sizeof(ref), "refs/wotdns/fetched-m%zu/master", i);
	return git_reference_name_to_id(out, repo, ref) == 0 ? 0 : -1;
}

int wot_mirror_refused(const wot_home *h, wot_trust *t, const wot_source *s,
		       git_repository *repo, const git_oid *tip,
		       const git_oid *verified, size_t answered)
{
	wot_source as_seen = *s;

	if (answered > 0 && git_graph_descendant_of(repo, verified, tip) == 1) {
		wot_log(WOT_LOG_INFO, "sync",
			"%s: mirror %s is behind the verified head", s->name,
			s->mirrors[answered - 1]);
		return 0;
	}
	if (answered > 0)
		as_seen.url = s->mirrors[answered - 1];
	return wot_evidence_refused(h, &as_seen, repo, t, tip, verified);
}

/* Compare the tip URL i offers with the verified head. */
static int check_one(wot_home *h, wot_trust *t, const wot_source *s,
		     git_repository *repo, size_t i, const char *url)
{
	wot_fetch_cap cap = {(size_t)h->cfg.limit_fetch_mb << 20, 0};
	char spec[96];
	git_oid tip, verified;
	wot_source as_seen;
	wot_transport_opts o = {.cfg = &h->cfg,
				.url = url,
				.refspec = spec,
				.progress = wot_limits_transfer,
				.payload = &cap};

	snprintf(spec, sizeof(spec), "+refs/heads/*:refs/wotdns/fetched-m%zu/*",
		 i);
	/* [limits] fetch-size holds for every URL of a source. */
	if (wot_transport_fetch(repo, &o) < 0) {
		if (cap.over)
			wot_limits_fetch_error(&h->cfg);
		/* A mirror that is down is no evidence of anything. */
		wot_log(WOT_LOG_INFO, "sync", "%s: mirror %s: %s", s->name, url,
			wot_error_last());
		wot_error_clear();
		return 0;
	}
	if (mirror_tip(repo, i, &tip) < 0 ||
	    git_reference_name_to_id(&verified, repo, REF_VERIFIED) != 0 ||
	    git_oid_equal(&tip, &verified))
		return 0;
	/* Its history is judged from object headers before the graph
	 * checks read it; one over [limits] is no evidence either. */
	if (wot_limits_history(&h->cfg, repo, &tip, &verified) < 0) {
		wot_log(WOT_LOG_INFO, "sync", "%s: mirror %s: %s", s->name, url,
			wot_error_last());
		wot_error_clear();
		return 0;
	}
	if (git_graph_descendant_of(repo, &tip, &verified) == 1 ||
	    git_graph_descendant_of(repo, &verified, &tip) == 1)
		return 0;
	/* The evidence names the URL that offered the fork. */
	as_seen = *s;
	as_seen.url = (char *)url;
	return wot_evidence_refused(h, &as_seen, repo, t, &tip, &verified);
}

int wot_mirror_check(wot_home *h, wot_trust *t, const wot_source *s,
		     git_repository *repo, size_t answered)
{
	size_t n = 1;
	int rc = 0;

	while (s->mirrors && s->mirrors[n - 1])
		n++;
	for (size_t i = 0; i < n; i++) {
		const char *url = i == 0 ? s->url : s->mirrors[i - 1];
		int one;
		if (i == answered)
			continue;
		if ((one = check_one(h, t, s, repo, i, url)) < 0 && rc == 0)
			rc = one;
	}
	return rc;
}

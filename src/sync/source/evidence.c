/*
 * evidence.c - what a source did wrong, kept as proof.
 *
 * A fetched history that does not fast-forward from the verified head is
 * refused (fetch.c). Here it is classified and kept: the offered tip stays
 * reachable under refs/wotdns/evidence/ in the source's mirror, next to
 * refs/wotdns/verified, and state/evidence/NAME.json says what happened.
 *
 * - rollback: the offered tip is an ancestor of the verified head (an old
 *   signed state replayed);
 * - equivocation: the offered tip is signed by the source's owner but the
 *   two histories do not descend from each other: two signed histories
 *   from one key. The source is suspended: nothing new is accepted from it
 *   until the user says `wotdns source trust-again NAME`;
 * - rewrite: anything else (unsigned, or signed by another key).
 */
#include "sync/source/source.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { MAX_ENTRIES = 100 };

static char *evidence_path(const wot_home *h, const char *name)
{
	return wot_state_source_path(h, WOT_STATE_EVIDENCE, name);
}

/* The source's evidence document; an empty one if there is none. */
static json_t *load(const wot_home *h, const char *name)
{
	char *path = evidence_path(h, name), *text = NULL;
	json_t *o = NULL;

	if (path && wot_file_read(path, 4 << 20, &text, NULL) == 0)
		o = json_loads(text, 0, NULL);
	wot_error_clear();
	free(text);
	free(path);
	if (!o || !json_is_object(o)) {
		json_decref(o);
		o = json_pack("{s:b,s:[]}", "suspended", 0, "entries");
	}
	if (!json_is_array(json_object_get(o, "entries")))
		json_object_set_new(o, "entries", json_array());
	return o;
}

static int save(const wot_home *h, const char *name, json_t *o)
{
	char *dir = wot_state_path(h, WOT_STATE_EVIDENCE);
	char *path = evidence_path(h, name);
	char *text = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);
	int rc;

	if (!dir || !path || !text)
		rc = wot_error_set(WOT_ENOMEM, "out of memory");
	else if ((rc = wot_mkdir_p(dir, 0700)) == 0)
		rc = wot_file_write_atomic(path, text, strlen(text));
	free(dir);
	free(path);
	free(text);
	return rc;
}

int wot_evidence_suspended(const wot_home *h, const char *name)
{
	json_t *o = load(h, name);
	int s = json_is_true(json_object_get(o, "suspended"));

	json_decref(o);
	return s;
}

/* Signer of one commit if its signature is good, else "". */
static void good_signer(git_repository *repo, wot_trust *t, const git_oid *id,
			char out[WOT_FPR_MAX])
{
	git_buf sig = GIT_BUF_INIT, data = GIT_BUF_INIT;
	wot_sig_result r;
	git_oid copy = *id;

	out[0] = '\0';
	if (git_commit_extract_signature(&sig, &data, repo, &copy, NULL) == 0 &&
	    wot_trust_verify(t, sig.ptr, sig.size, data.ptr, data.size, &r) ==
		0 &&
	    r.good)
		snprintf(out, WOT_FPR_MAX, "%s", r.signer);
	wot_error_clear();
	git_buf_dispose(&sig);
	git_buf_dispose(&data);
}

static const char *classify(git_repository *repo, wot_trust *t,
			    const wot_source *s, const git_oid *tip,
			    const git_oid *verified, char signer[WOT_FPR_MAX])
{
	good_signer(repo, t, tip, signer);
	if (git_graph_descendant_of(repo, verified, tip) == 1)
		return "rollback";
	if (signer[0] && s->key[0] && !strcmp(signer, s->key))
		return "equivocation";
	return "rewrite";
}

/* 1 if this offered tip is already on record. */
static int known(json_t *entries, const char *offered)
{
	size_t i;
	json_t *e;

	json_array_foreach(entries, i, e)
	{
		const char *o =
		    json_string_value(json_object_get(e, "offered"));
		if (o && !strcmp(o, offered))
			return 1;
	}
	return 0;
}

/* Keep the offered commits: a ref in the mirror stops gc and the next
 * fetch's pruning from dropping them. */
static int keep_objects(git_repository *repo, const char *kind,
			const git_oid *tip, const char *hex)
{
	git_reference *ref = NULL;
	char name[128];
	int gerr;

	snprintf(name, sizeof(name), "refs/wotdns/evidence/%s-%.12s", kind,
		 hex);
	gerr =
	    git_reference_create(&ref, repo, name, tip, 1, "wotdns evidence");
	git_reference_free(ref);
	return gerr ? wot_git_error(WOT_EGIT, gerr, "evidence ref") : 0;
}

static int record(const wot_home *h, const wot_source *s, const char *kind,
		  const char *verified, const char *offered, const char *signer)
{
	json_t *o = load(h, s->name), *entries = json_object_get(o, "entries");
	int rc = 0;

	if (!known(entries, offered)) {
		if (json_array_size(entries) >= MAX_ENTRIES)
			json_array_remove(entries, 0);
		json_array_append_new(
		    entries,
		    json_pack("{s:s,s:I,s:s,s:s,s:s,s:s,s:s}", "kind", kind,
			      "time", (json_int_t)time(NULL), "verified",
			      verified, "offered", offered, "offered_signer",
			      signer, "owner", s->key, "url", s->url));
		if (!strcmp(kind, "equivocation"))
			json_object_set_new(o, "suspended", json_true());
		rc = save(h, s->name, o);
	}
	json_decref(o);
	return rc;
}

int wot_evidence_refused(const wot_home *h, const wot_source *s,
			 git_repository *repo, wot_trust *t, const git_oid *tip,
			 const git_oid *verified)
{
	char a[WOT_OID_MAX], b[WOT_OID_MAX], signer[WOT_FPR_MAX];
	const char *kind = classify(repo, t, s, tip, verified, signer);
	int rc;

	git_oid_tostr(a, sizeof(a), verified);
	git_oid_tostr(b, sizeof(b), tip);
	if ((rc = keep_objects(repo, kind, tip, b)) < 0 ||
	    (rc = record(h, s, kind, a, b, signer)) < 0)
		wot_log(WOT_LOG_WARNING, "sync", "%s: evidence not kept: %s",
			s->name, wot_error_last());
	if (!strcmp(kind, "equivocation"))
		return wot_error_set(WOT_EVERIFY,
				     "equivocation: %.12s and %.12s are both "
				     "signed by the owner and neither descends "
				     "from the other; source suspended (see "
				     "'wotdns evidence %s')",
				     a, b, s->name);
	return wot_error_set(
	    WOT_EVERIFY,
	    "refused %.12s: history %s (not a fast-forward "
	    "from verified %.12s; kept as evidence)",
	    b, !strcmp(kind, "rollback") ? "rolled back" : "rewritten", a);
}

int wot_evidence_json(const wot_home *h, const char *name, char **json)
{
	json_t *o = load(h, name);

	*json = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(o);
	return *json ? 0 : wot_error_set(WOT_ENOMEM, "out of memory");
}

int wot_source_trust_again(wot_home *h, const char *name)
{
	json_t *o = NULL;
	int lock = -1, rc;

	if (!wot_source_name_valid(name))
		return wot_error_set(WOT_EINVAL, "bad source name '%s'", name);
	if ((rc = wot_home_lock(h, &lock)) < 0)
		return rc;
	o = load(h, name);
	if (!json_is_true(json_object_get(o, "suspended"))) {
		rc = wot_error_set(WOT_EINVAL, "source %s is not suspended",
				   name);
	} else {
		json_object_set_new(o, "suspended", json_false());
		json_object_set_new(o, "resumed", json_integer(time(NULL)));
		rc = save(h, name, o);
	}
	json_decref(o);
	wot_home_unlock(lock);
	return rc;
}

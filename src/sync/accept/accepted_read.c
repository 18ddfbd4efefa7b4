/*
 * accepted_read.c - the accepted set explained, for readers outside the
 * room (the CLI's resolve, status and conflicts): the claims of the
 * shards asked for, under the manifest's totals and sources, as one JSON
 * document. The shard files' format stays the room's own.
 */
#include "sync/accept/accept.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* The shard's claims into doc's "claims", "names" (first accepted claim
 * per name) and "rejected". */
static int add_shard(json_t *doc, const char *path)
{
	json_error_t err;
	json_t *j = json_load_file(path, 0, &err), *c;
	json_t *names = json_object_get(doc, "names");
	size_t i;
	int rc = 0;

	if (!j)
		return wot_error_set(WOT_ESYNTAX, "%s:%d: %s", path, err.line,
				     err.text);
	json_array_foreach(json_object_get(j, "claims"), i, c)
	{
		const char *n = json_string_value(json_object_get(c, "name"));
		rc |= json_array_append(json_object_get(doc, "claims"), c);
		if (json_object_get(c, "reason"))
			rc |= json_array_append(
			    json_object_get(doc, "rejected"), c);
		else if (!json_object_get(names, n ? n : ""))
			rc |= json_object_set(names, n ? n : "", c);
	}
	json_decref(j);
	return rc ? wot_error_set(WOT_ENOMEM, "out of memory") : 0;
}

static json_t *manifest_doc(const wot_manifest *m)
{
	json_t *doc = json_pack(
	    "{s:[],s:{},s:[],s:[],s:I,s:I,s:I,s:I}", "claims", "names",
	    "rejected", "sources", "records", (json_int_t)m->records,
	    "names_accepted", (json_int_t)m->names, "generated",
	    (json_int_t)m->generated, "expired", (json_int_t)m->expired);

	for (size_t i = 0; doc && i < m->nsources; i++) {
		const wot_manifest_source *s = &m->sources[i];
		json_array_append_new(json_object_get(doc, "sources"),
				      json_pack("{s:s,s:s,s:s,s:s}", "name",
						s->name, "key", s->key, "url",
						s->url, "verified",
						s->expired ? "" : s->commit));
	}
	return doc;
}

/* The shards a reader asks for: one shard (shard >= 0), or those holding
 * a rejected claim (shard < 0). */
static int picked(const wot_manifest_shard *s, int shard)
{
	return shard >= 0 ? s->shard == shard : s->rejected > 0;
}

static int explain(wot_home *h, int shard, char **json)
{
	wot_manifest *m = NULL;
	json_t *doc = NULL;
	int rc = wot_manifest_load(h, &m);

	*json = NULL;
	if (rc < 0)
		return rc;
	if (!(doc = manifest_doc(m)))
		rc = wot_error_set(WOT_ENOMEM, "out of memory");
	for (size_t i = 0; rc == 0 && i < m->nshards; i++) {
		char *p;
		if (!picked(&m->shards[i], shard))
			continue;
		p = wot_manifest_path(h, &m->shards[i], "json");
		rc = p ? add_shard(doc, p)
		       : wot_error_set(WOT_ENOMEM, "out of memory");
		free(p);
	}
	if (rc == 0 && !(*json = json_dumps(doc, JSON_COMPACT)))
		rc = wot_error_set(WOT_ENOMEM, "out of memory");
	json_decref(doc);
	wot_manifest_free(m);
	return rc;
}

int wot_accepted_explain_name(wot_home *h, const char *name, char **json)
{
	return explain(h, wot_shard_of_name(name), json);
}

int wot_accepted_explain_rejected(wot_home *h, char **json)
{
	return explain(h, -1, json);
}

int wot_sources_expired(wot_home *h, int64_t now, char **list)
{
	wot_buf b = WOT_BUF_INIT;
	wot_source *s = NULL;
	size_t n = 0;
	int rc = wot_sources_load(h, &s, &n);

	*list = NULL;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		wot_freshness f;
		if (wot_sync_freshness(h, s[i].name, now, &f) < 0) {
			wot_error_clear(); /* unknown: not known expired */
			continue;
		}
		if (f.expired && wot_buf_printf(&b, "%s%s", b.len ? ", " : "",
						s[i].name) < 0)
			rc = wot_error_set(WOT_ENOMEM, "out of memory");
	}
	wot_sources_free(s, n);
	if (rc < 0)
		wot_buf_dispose(&b);
	else
		*list = b.ptr;
	return rc;
}

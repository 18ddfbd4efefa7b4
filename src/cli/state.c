/* state.c - reading the accepted set files and source freshness. */
#include "cli/cli.h"
#include "cli/state.h"

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

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
		return cli_fail("%s:%d: %s", path, err.line, err.text);
	json_array_foreach(json_object_get(j, "claims"), i, c)
	{
		const char *n = cli_jstr(c, "name");
		rc |= json_array_append(json_object_get(doc, "claims"), c);
		if (json_object_get(c, "reason"))
			rc |= json_array_append(
			    json_object_get(doc, "rejected"), c);
		else if (!json_object_get(names, n))
			rc |= json_object_set(names, n, c);
	}
	json_decref(j);
	return rc ? cli_fail("out of memory") : 0;
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

typedef int (*shard_pick)(const wot_manifest_shard *s, int arg);

static int pick_one(const wot_manifest_shard *s, int shard)
{
	return s->shard == shard;
}

static int pick_rejected(const wot_manifest_shard *s, int arg)
{
	(void)arg;
	return s->rejected > 0;
}

/* The shards pick chooses, under the manifest's totals and sources. */
static json_t *load_doc(int quiet, shard_pick pick, int arg)
{
	wot_home *h = NULL;
	wot_manifest *m = NULL;
	json_t *doc = NULL;
	int rc = wot_home_open(&h, cli_home);

	if (rc < 0) { /* the home itself: its own message */
		if (!quiet || rc != WOT_ENOENT)
			cli_fail_last(NULL);
		goto out;
	}
	rc = wot_manifest_load(h, &m);
	if (rc < 0) {
		if (!quiet || rc != WOT_ENOENT)
			cli_fail("no accepted record set yet (run 'wotdns "
				 "sync'): %s",
				 wot_error_last());
		goto out;
	}
	doc = manifest_doc(m);
	for (size_t i = 0; doc && i < m->nshards; i++) {
		char *p;
		if (!pick(&m->shards[i], arg))
			continue;
		p = wot_manifest_path(h, &m->shards[i], "json");
		if (!p || add_shard(doc, p) != 0) {
			json_decref(doc);
			doc = NULL;
		}
		free(p);
	}
out:
	wot_manifest_free(m);
	wot_home_free(h);
	return doc;
}

json_t *cli_load_accepted_for(const char *name, int quiet)
{
	return load_doc(quiet, pick_one, wot_shard_of_name(name));
}

json_t *cli_load_rejected(int quiet)
{
	return load_doc(quiet, pick_rejected, 0);
}

char *cli_accepted_zone_of(const char *name)
{
	wot_home *h = NULL;
	wot_manifest *m = NULL;
	const wot_manifest_shard *s;
	char *p = NULL;

	if (wot_home_open(&h, cli_home) == 0 && wot_manifest_load(h, &m) == 0 &&
	    (s = wot_manifest_find(m, wot_shard_of_name(name))))
		p = wot_manifest_path(h, s, "zone");
	wot_error_clear();
	wot_manifest_free(m);
	wot_home_free(h);
	return p;
}

const char *cli_jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

char *cli_expired_sources(void)
{
	int64_t now = (int64_t)time(NULL);
	wot_buf b = WOT_BUF_INIT;
	wot_source *s = NULL;
	wot_home *h = NULL;
	size_t n = 0;

	if (wot_home_open(&h, cli_home) == 0 &&
	    wot_sources_load(h, &s, &n) == 0)
		for (size_t i = 0; i < n; i++) {
			wot_freshness f;
			wot_sync_freshness(h, s[i].name, now, &f);
			if (f.expired)
				wot_buf_printf(&b, "%s%s", b.len ? ", " : "",
					       s[i].name);
		}
	wot_error_clear();
	wot_sources_free(s, n);
	wot_home_free(h);
	return b.ptr;
}

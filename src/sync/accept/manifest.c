/*
 * manifest.c - state/accepted/manifest, the index of the accepted set.
 *
 * Text, one entry per line:
 *   wotdns accepted 3
 *   gen N                 incremented by every recompute
 *   generated UNIXTIME
 *   inputs HEX            stamp of the keyring and configuration
 *   until UNIXTIME        the next expiry of a key or certification
 *   totals RECORDS NAMES CLAIMS REJECTED CONFLICTS EXPIRED
 *   source NAME KEY|- COMMIT|- EXPIRED TOP URL   (URL: rest of the line)
 *   shard ID FILEGEN HASH RECORDS NAMES CLAIMS REJECTED CONFLICTS SRC,SRC|-
 *     (HASH: SHA-1 of the shard's three files, see accept_out.c)
 * It is our own file, but it is still read as untrusted text: anything
 * else is a syntax error with its line.
 */
#include "sync/accept/accept.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MANIFEST_MAGIC "wotdns accepted 3"

static void shard_dispose(wot_manifest_shard *s)
{
	wot_strv_free(s->srcs);
}

void wot_manifest_free(wot_manifest *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nsources; i++) {
		free(m->sources[i].name);
		free(m->sources[i].key);
		free(m->sources[i].url);
	}
	free(m->sources);
	for (size_t i = 0; i < m->nshards; i++)
		shard_dispose(&m->shards[i]);
	free(m->shards);
	free(m);
}

static int grow(void **arr, size_t n, size_t size)
{
	void *p;

	/* The capacity is the next power of two from 16: grow on reaching it.
	 */
	if (n != 0 && (n < 16 || (n & (n - 1))))
		return 0;
	p = realloc(*arr, (n ? n * 2 : 16) * size);
	if (!p)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	*arr = p;
	return 0;
}

static int parse_source(wot_manifest *m, char *rest)
{
	char name[80], key[WOT_FPR_MAX + 2], commit[WOT_OID_MAX + 2];
	int expired, top, off = 0;
	wot_manifest_source *s;

	if (sscanf(rest, "%79s %51s %42s %d %d %n", name, key, commit, &expired,
		   &top, &off) != 5 ||
	    !off || !wot_source_name_valid(name) ||
	    (strcmp(commit, "-") && strlen(commit) != WOT_OID_MAX - 1))
		return -1;
	if (grow((void **)&m->sources, m->nsources, sizeof(*m->sources)) < 0)
		return WOT_ENOMEM;
	s = &m->sources[m->nsources];
	memset(s, 0, sizeof(*s));
	s->name = strdup(name);
	s->key = strdup(strcmp(key, "-") ? key : "");
	s->url = strdup(rest + off);
	if (strcmp(commit, "-")) /* checked above: exactly 40 digits */
		memcpy(s->commit, commit, WOT_OID_MAX);
	s->expired = expired != 0;
	s->top = top != 0;
	m->nsources++;
	if (!s->name || !s->key || !s->url)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	return 0;
}

static int parse_srcs(wot_manifest_shard *s, char *list)
{
	if (!strcmp(list, "-"))
		return 0;
	for (char *save = NULL, *t = strtok_r(list, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		if (!wot_source_name_valid(t))
			return -1;
		if (wot_strv_push(&s->srcs, t) < 0)
			return WOT_ENOMEM;
	}
	return 0;
}

static int parse_shard(wot_manifest *m, char *rest)
{
	char id[WOT_SHARD_ID_MAX], hash[WOT_OID_MAX + 2], *list;
	unsigned long long fg;
	size_t rec, nm, cl, rej, con;
	int off = 0, shard;
	wot_manifest_shard *s;

	if (sscanf(rest, "%7s %llu %42s %zu %zu %zu %zu %zu %n", id, &fg, hash,
		   &rec, &nm, &cl, &rej, &con, &off) != 8 ||
	    !off || strlen(hash) != WOT_OID_MAX - 1 ||
	    (shard = wot_shard_parse(id)) < 0 ||
	    (m->nshards && m->shards[m->nshards - 1].shard >= shard))
		return -1;
	if (grow((void **)&m->shards, m->nshards, sizeof(*m->shards)) < 0)
		return WOT_ENOMEM;
	s = &m->shards[m->nshards++];
	*s = (wot_manifest_shard){shard, fg, rec, nm, cl, rej, con, "", NULL};
	memcpy(s->hash, hash, WOT_OID_MAX);
	list = rest + off;
	return list[0] ? parse_srcs(s, list) : -1;
}

static int parse_line(wot_manifest *m, char *line, int n)
{
	unsigned long long u;
	long long l;

	if (n == 1)
		return strcmp(line, MANIFEST_MAGIC) ? -1 : 0;
	if (!strncmp(line, "source ", 7))
		return parse_source(m, line + 7);
	if (!strncmp(line, "shard ", 6))
		return parse_shard(m, line + 6);
	if (sscanf(line, "gen %llu", &u) == 1)
		return m->gen = u, 0;
	if (sscanf(line, "inputs %llx", &u) == 1)
		return m->inputs = u, 0;
	if (sscanf(line, "generated %lld", &l) == 1)
		return m->generated = l, 0;
	if (sscanf(line, "until %lld", &l) == 1)
		return m->until = l, 0;
	if (sscanf(line, "totals %zu %zu %zu %zu %zu %zu", &m->records,
		   &m->names, &m->claims, &m->rejected, &m->conflicts,
		   &m->expired) == 6)
		return 0;
	return -1;
}

static int parse(wot_manifest *m, char *text, const char *path)
{
	char *line = text, *nl;
	int n = 0, rc = 0;

	for (; rc == 0 && line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		rc = parse_line(m, line, ++n);
		if (rc == -1)
			rc = wot_error_set(WOT_ESYNTAX,
					   "%s:%d: not a manifest "
					   "line",
					   path, n);
	}
	if (rc == 0 && (n == 0 || !m->gen))
		rc =
		    wot_error_set(WOT_ESYNTAX, "%s: incomplete manifest", path);
	return rc;
}

int wot_manifest_load(wot_home *h, wot_manifest **out)
{
	char *path = wot_state_path(h, WOT_STATE_MANIFEST), *text = NULL;
	wot_manifest *m = calloc(1, sizeof(*m));
	int rc;

	*out = NULL;
	if (!path || !m)
		rc = wot_error_set(WOT_ENOMEM, "out of memory");
	else if ((rc = wot_file_read(path, 64u << 20, &text, NULL)) == 0)
		rc = parse(m, text, path);
	free(text);
	free(path);
	if (rc < 0) {
		wot_manifest_free(m);
		return rc;
	}
	*out = m;
	return 0;
}

uint64_t wot_manifest_gen(wot_home *h)
{
	char *path = wot_state_path(h, WOT_STATE_MANIFEST);
	char buf[128] = "";
	unsigned long long g = 0;
	FILE *fp = path ? fopen(path, "re") : NULL;

	/* The gen is on the second line: no need to read the rest. */
	if (fp) {
		size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
		buf[n] = '\0';
		fclose(fp);
		if (!strncmp(buf, MANIFEST_MAGIC "\n",
			     strlen(MANIFEST_MAGIC) + 1))
			sscanf(buf + strlen(MANIFEST_MAGIC) + 1, "gen %llu",
			       &g);
	}
	free(path);
	return g;
}

const wot_manifest_source *wot_manifest_source_find(const wot_manifest *m,
						    const char *name)
{
	for (size_t i = 0; m && i < m->nsources; i++)
		if (!strcmp(m->sources[i].name, name))
			return &m->sources[i];
	return NULL;
}

const wot_manifest_shard *wot_manifest_find(const wot_manifest *m, int shard)
{
	size_t lo = 0, hi = m ? m->nshards : 0;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (m->shards[mid].shard == shard)
			return &m->shards[mid];
		if (m->shards[mid].shard < shard)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

char *wot_manifest_path(wot_home *h, const wot_manifest_shard *s,
			const char *kind)
{
	char id[WOT_SHARD_ID_MAX], *rel, *p;

	wot_shard_id(s->shard, id);
	rel = wot_strdup_printf("%s/%s-%" PRIu64 ".%s",
				wot_state_rel(WOT_STATE_ACCEPTED), id,
				s->filegen, kind);
	p = rel ? wot_home_path(h, rel) : NULL;
	free(rel);
	return p;
}

int wot_manifest_save(wot_home *h, const wot_manifest *m)
{
	char *path = wot_state_path(h, WOT_STATE_MANIFEST);
	wot_buf b = WOT_BUF_INIT;
	int rc = wot_buf_printf(
	    &b,
	    MANIFEST_MAGIC "\ngen %" PRIu64
			   "\ngenerated %lld\ninputs %016" PRIx64
			   "\nuntil %lld\ntotals %zu %zu %zu %zu %zu %zu\n",
	    m->gen, (long long)m->generated, m->inputs, (long long)m->until,
	    m->records, m->names, m->claims, m->rejected, m->conflicts,
	    m->expired);

	for (size_t i = 0; rc == 0 && i < m->nsources; i++) {
		const wot_manifest_source *s = &m->sources[i];
		rc = wot_buf_printf(&b, "source %s %s %s %d %d %s\n", s->name,
				    s->key[0] ? s->key : "-",
				    s->commit[0] ? s->commit : "-", s->expired,
				    s->top, s->url);
	}
	for (size_t i = 0; rc == 0 && i < m->nshards; i++) {
		const wot_manifest_shard *s = &m->shards[i];
		char id[WOT_SHARD_ID_MAX];
		wot_shard_id(s->shard, id);
		rc = wot_buf_printf(
		    &b, "shard %s %" PRIu64 " %s %zu %zu %zu %zu %zu ", id,
		    s->filegen, s->hash, s->records, s->names, s->claims,
		    s->rejected, s->conflicts);
		for (size_t k = 0; rc == 0 && s->srcs && s->srcs[k]; k++)
			rc = wot_buf_printf(&b, "%s%s", k ? "," : "",
					    s->srcs[k]);
		if (rc == 0)
			rc = wot_buf_printf(&b, "%s\n",
					    s->srcs && s->srcs[0] ? "" : "-");
	}
	if (rc == 0)
		rc = path ? wot_file_write_atomic(path, b.ptr, b.len)
			  : wot_error_set(WOT_ENOMEM, "out of memory");
	wot_buf_dispose(&b);
	free(path);
	return rc;
}

/*
 * accept_json.c - state/accepted.json, written as a stream.
 *
 * The file carries every claim twice (in "claims", and in "names" or
 * "rejected"): with a million records, building it as a jansson tree took
 * most of a recompute and gigabytes of memory, so it is printed directly.
 * The document is the same as jansson would give (keys sorted, reals as
 * %.17g) without the indentation; invalid UTF-8 (which jansson refuses)
 * becomes '?'.
 */
#include "sync/sync_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "key": (keys are our own plain names). Two million claims are printed
 * with a dozen fields each: no printf for what is only copied. */
static int put_key(wot_buf *b, const char *key)
{
	size_t n = strlen(key);
	int rc = wot_buf_put(b, "\"", 1);

	if (rc == 0)
		rc = wot_buf_put(b, key, n);
	return rc == 0 ? wot_buf_put(b, "\":", 2) : rc;
}

/* "key":N, */
static int put_int(wot_buf *b, const char *key, long long v)
{
	char num[24], *p = num + sizeof(num);
	unsigned long long u =
	    v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	int rc = put_key(b, key);

	*--p = ',';
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	return rc == 0 ? wot_buf_put(b, p, (size_t)(num + sizeof(num) - p))
		       : rc;
}

/* "key":"value", */
static int put_kv(wot_buf *b, const char *key, const char *val)
{
	int rc = put_key(b, key);

	if (rc == 0)
		rc = wot_buf_json_str(b, val);
	return rc == 0 ? wot_buf_put(b, ",", 1) : rc;
}

static int put_real(wot_buf *b, const char *key, double v)
{
	/* Weights repeat claim after claim (one per signer): %.17g is slow. */
	static _Thread_local double last;
	static _Thread_local char num[64];
	int rc;

	if (!isfinite(v))
		return 0; /* JSON has no NaN or infinity; jansson left it out */
	if (!num[0] || memcmp(&last, &v, sizeof(v))) {
		snprintf(num, sizeof(num) - 2, "%.17g", v);
		if (!strpbrk(num, ".eE"))
			strcat(num, ".0");
		last = v;
	}
	rc = put_key(b, key);
	if (rc == 0)
		rc = wot_buf_put(b, num, strlen(num));
	return rc == 0 ? wot_buf_put(b, ",", 1) : rc;
}

/* Signers repeat claim after claim: remember the last lookup. */
static const wot_key_info *key_of(wot_accept_json *j, const char *fpr)
{
	if (j->last && !strcmp(j->last->fpr, fpr))
		return j->last;
	for (size_t i = 0; i < j->nkeys; i++)
		if (!strcmp(j->keys[i].fpr, fpr))
			return j->last = &j->keys[i];
	return NULL;
}

/* The document goes to disk a megabyte at a time: whole, it was 900 MB of
 * memory at a million records. */
static int spill(wot_buf *b, wot_accept_json *j, size_t min)
{
	int rc = 0;

	if (b->len >= min && b->len > 0)
		rc = wot_afile_write(j->out, b->ptr, b->len);
	if (b->len >= min) {
		b->len = 0;
		b->ptr[0] = '\0';
	}
	return rc;
}

/* One claim as an object, keys in sorted order. */
static int put_claim(wot_buf *b, wot_accept_json *j, const wot_claim *c)
{
	const wot_key_info *k = key_of(j, c->signer);
	int rc = wot_buf_put(b, "{", 1);

	if (rc == 0)
		rc = put_kv(b, "commit", c->commit);
	if (rc == 0)
		rc = put_kv(b, "explain", c->explain);
	if (rc == 0)
		rc = put_int(b, "level", c->level);
	if (rc == 0)
		rc = put_kv(b, "name", c->name);
	if (rc == 0 && c->reason)
		rc = put_kv(b, "reason", c->reason);
	if (rc == 0)
		rc = c->shadows ? wot_buf_put(b, "\"shadows\":true,", 15)
				: wot_buf_put(b, "\"shadows\":false,", 16);
	if (rc == 0)
		rc = put_kv(b, "signer", c->signer);
	if (rc == 0)
		rc = put_int(b, "since", (long long)c->since);
	if (rc == 0)
		rc = put_kv(b, "source", c->source);
	if (rc == 0 && k)
		rc = put_kv(b, "uid", k->uid);
	if (rc == 0)
		rc = put_kv(b, "validity", wot_validity_name(c->validity));
	if (rc == 0)
		rc = put_real(b, "weight", c->weight);
	if (rc == 0 && c->winner)
		rc = put_kv(b, "winner", c->winner);
	if (rc == 0) /* the last field's comma becomes the closing brace */
		b->ptr[b->len - 1] = '}';
	return rc;
}

/* "names": the first accepted claim of each name. */
static int put_names(wot_buf *b, wot_accept_json *j)
{
	wot_map *seen = NULL;
	int rc = wot_map_new(&seen), first = 1;

	if (rc == 0)
		rc = wot_buf_put(b, "\"names\":{", 9);
	for (size_t i = 0; rc == 0 && i < j->nclaims; i++) {
		const wot_claim *c = &j->claims[i];
		if (!c->accepted || wot_map_get(seen, c->name))
			continue;
		if ((rc = wot_map_put(seen, c->name, (void *)1, NULL)) < 0)
			break;
		rc = wot_buf_put(b, first ? "\n" : ",\n", first ? 1 : 2);
		first = 0;
		if (rc == 0)
			rc = wot_buf_json_str(b, c->name);
		if (rc == 0)
			rc = wot_buf_put(b, ":", 1);
		if (rc == 0)
			rc = put_claim(b, j, c);
		if (rc == 0)
			rc = spill(b, j, 1u << 20);
	}
	wot_map_free(seen, NULL);
	return rc == 0 ? wot_buf_put(b, "},", 2) : rc;
}

/* An array of the claims that are (all) or are not accepted. */
static int put_claims(wot_buf *b, wot_accept_json *j, const char *key,
		      int rejected_only)
{
	int rc = wot_buf_printf(b, "\"%s\":[", key), first = 1;

	for (size_t i = 0; rc == 0 && i < j->nclaims; i++) {
		if (rejected_only && j->claims[i].accepted)
			continue;
		rc = wot_buf_put(b, first ? "\n" : ",\n", first ? 1 : 2);
		first = 0;
		if (rc == 0)
			rc = put_claim(b, j, &j->claims[i]);
		if (rc == 0)
			rc = spill(b, j, 1u << 20);
	}
	return rc == 0 ? wot_buf_put(b, "],", 2) : rc;
}

static int put_sources(wot_buf *b, wot_accept_json *j)
{
	int rc = wot_buf_put(b, "\"sources\":[", 11);

	for (size_t i = 0; rc == 0 && i < j->nsources; i++) {
		const wot_accept_json_source *s = &j->sources[i];
		rc = wot_buf_put(b, i ? ",\n{" : "\n{", i ? 3 : 2);
		if (rc == 0)
			rc = put_kv(b, "key", s->key);
		if (rc == 0)
			rc = put_kv(b, "name", s->name);
		if (rc == 0)
			rc = put_kv(b, "url", s->url);
		if (rc == 0)
			rc = put_kv(b, "verified", s->verified);
		if (rc == 0)
			b->ptr[b->len - 1] = '}';
	}
	return rc == 0 ? wot_buf_put(b, "],", 2) : rc;
}

int wot_accept_json_write(const char *path, wot_accept_json *j,
			  size_t *conflicts)
{
	wot_buf b = WOT_BUF_INIT;
	int rc;

	*conflicts = 0;
	for (size_t i = 0; i < j->nclaims; i++)
		if (!j->claims[i].accepted && j->claims[i].reason &&
		    !strncmp(j->claims[i].reason, "conflict", 8))
			(*conflicts)++;
	if ((rc = wot_afile_open(&j->out, path)) < 0)
		return rc;
	rc = wot_buf_put(&b, "{", 1);
	if (rc == 0)
		rc = put_claims(&b, j, "claims", 0);
	if (rc == 0)
		rc = wot_buf_printf(&b, "\n\"generated\":%lld,",
				    (long long)j->generated);
	if (rc == 0)
		rc = put_names(&b, j);
	if (rc == 0)
		rc = wot_buf_printf(&b, "\n\"records\":%zu,", j->records);
	if (rc == 0)
		rc = put_claims(&b, j, "rejected", 1);
	if (rc == 0)
		rc = put_sources(&b, j);
	if (rc == 0)
		rc = wot_buf_printf(&b, "\n\"version\":1}\n");
	if (rc == 0)
		rc = spill(&b, j, 0);
	if (rc == 0)
		rc = wot_afile_commit(j->out);
	else
		wot_afile_abort(j->out);
	j->out = NULL;
	wot_buf_dispose(&b);
	return rc;
}

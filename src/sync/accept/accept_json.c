/*
 * accept_json.c - the claims of one shard explained
 * (state/accepted/ID-GEN.json).
 *
 * With a million records, building the documents as jansson trees took
 * most of a recompute, so they are printed directly. The document is the
 * same as jansson would give (keys sorted, reals as %.17g) without the
 * indentation; invalid UTF-8 (which jansson refuses) becomes '?'.
 */
#include "sync/accept/accept.h"

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

typedef struct {
	const wot_key_info *keys;
	size_t nkeys;
	const wot_key_info *last; /* lookup cache */
} key_list;

/* Signers repeat claim after claim: remember the last lookup. */
static const wot_key_info *key_of(key_list *j, const char *fpr)
{
	if (j->last && !strcmp(j->last->fpr, fpr))
		return j->last;
	for (size_t i = 0; i < j->nkeys; i++)
		if (!strcmp(j->keys[i].fpr, fpr))
			return j->last = &j->keys[i];
	return NULL;
}

/* One claim as an object, keys in sorted order. */
static int put_claim(wot_buf *b, key_list *j, const wot_claim *c)
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

int wot_accept_json_shard(wot_buf *b, const wot_claim *const *claims, size_t n,
			  const wot_key_info *keys, size_t nkeys)
{
	key_list k = {keys, nkeys, NULL};
	int rc = wot_buf_put(b, "{\"claims\":[", 11);

	for (size_t i = 0; rc == 0 && i < n; i++) {
		rc = wot_buf_put(b, i ? ",\n" : "\n", i ? 2 : 1);
		if (rc == 0)
			rc = put_claim(b, &k, claims[i]);
	}
	return rc == 0 ? wot_buf_put(b, "],\n\"version\":2}\n", 16) : rc;
}

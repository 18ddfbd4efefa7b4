/*
 * neighbor_peers.c - known peers and their opinion weights.
 *
 * state/peers.json is shared with the second-opinion code: one object per
 * peer fingerprint, each writer changing only its own keys, under a lock
 * of this process (both run in the daemon).
 */
#include "dns/neighbor_int.h"
#include "util/util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

enum { PEERS_JSON_MAX = 16 << 20 };

static pthread_mutex_t weights_lock = PTHREAD_MUTEX_INITIALIZER;

/* The document, or a new empty one (a damaged file is started over and
 * logged: weights are a hint, not a record). */
static json_t *weights_read(const char *path)
{
	char *text = NULL;
	json_t *doc = NULL;

	if (wot_path_exists(path) &&
	    wot_file_read(path, PEERS_JSON_MAX, &text, NULL) == 0)
		doc = json_loads(text, 0, NULL);
	free(text);
	if (doc && !json_is_object(json_object_get(doc, "peers"))) {
		json_decref(doc);
		doc = NULL;
	}
	if (!doc) {
		if (wot_path_exists(path))
			wot_log(WOT_LOG_WARNING, "dns",
				"%s: not a peers document, starting over",
				path);
		doc = json_pack("{s:i,s:{}}", "version", 1, "peers");
	}
	return doc;
}

static double weight_of(json_t *doc, const char *fpr)
{
	json_t *w = json_object_get(
	    json_object_get(json_object_get(doc, "peers"), fpr), "weight");

	return json_is_number(w)
		   ? wot_weight_update(json_number_value(w), WOT_WEIGHT_SILENT)
		   : WOT_WEIGHT_MAX;
}

static int known(const wot_nb_peer *p, size_t n, const char *fpr)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(p[i].fpr, fpr))
			return 1;
	return 0;
}

/* The first endpoint of source s's peer.conf into *p; 1 if it has one. */
static int peer_of(wot_home *h, const wot_source *s, wot_nb_peer *p)
{
	wot_peer_conf *pc = NULL;
	int ok = 0;

	if (wot_sync_peer_conf(h, s->name, &pc) == 0 && pc->nendpoints) {
		snprintf(p->fpr, sizeof(p->fpr), "%s", s->key);
		snprintf(p->endpoint, sizeof(p->endpoint), "%s",
			 pc->endpoints[0]);
		ok = 1;
	}
	wot_peer_conf_free(pc);
	wot_error_clear();
	return ok;
}

int wot_nb_peers_load(wot_home *h, wot_nb_peer **out, size_t *n)
{
	const char *self = wot_home_config(h)->key;
	char *path = wot_home_path(h, "state/peers.json");
	wot_source *s = NULL;
	size_t ns = 0;
	json_t *doc = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	if (!path)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	if ((rc = wot_sources_load(h, &s, &ns)) < 0)
		goto out;
	if (!(*out = calloc(ns ? ns : 1, sizeof(**out)))) {
		rc = wot_error_set(WOT_ENOMEM, "out of memory");
		goto out;
	}
	pthread_mutex_lock(&weights_lock);
	doc = weights_read(path);
	pthread_mutex_unlock(&weights_lock);
	for (size_t i = 0; i < ns; i++) {
		wot_nb_peer *p = &(*out)[*n];
		if (!s[i].key[0] || !strcmp(s[i].name, WOT_SELF) ||
		    (self && !strcasecmp(s[i].key, self)) ||
		    known(*out, *n, s[i].key) || !peer_of(h, &s[i], p))
			continue;
		p->weight = weight_of(doc, p->fpr);
		(*n)++;
	}
out:
	json_decref(doc);
	wot_sources_free(s, ns);
	free(path);
	return rc;
}

static void count_up(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	json_object_set_new(
	    o, key,
	    json_integer(json_is_integer(v) ? json_integer_value(v) + 1 : 1));
}

static void apply_one(json_t *peers, const wot_nb_event *e, int64_t now)
{
	json_t *o = json_object_get(peers, e->fpr);
	json_t *w;

	if (!json_is_object(o)) {
		o = json_object();
		json_object_set_new(peers, e->fpr, o);
	}
	w = json_object_get(o, "weight");
	json_object_set_new(
	    o, "weight",
	    json_real(wot_weight_update(
		json_is_number(w) ? json_number_value(w) : 1.0, e->event)));
	if (e->event == WOT_WEIGHT_OUTLIER) {
		count_up(o, "neighbor_outliers");
		json_object_set_new(o, "last_outlier", json_integer(now));
	} else if (e->event == WOT_WEIGHT_AGREED) {
		count_up(o, "neighbor_agreed");
	}
}

int wot_nb_weights_apply(wot_home *h, const wot_nb_event *ev, size_t n)
{
	char *path = wot_home_path(h, "state/peers.json"), *text = NULL;
	json_t *doc;
	int rc = 0;

	if (!path)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	if (!n) {
		free(path);
		return 0;
	}
	pthread_mutex_lock(&weights_lock);
	doc = weights_read(path);
	for (size_t i = 0; i < n; i++)
		apply_one(json_object_get(doc, "peers"), &ev[i],
			  (int64_t)time(NULL));
	text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
	rc = text ? wot_file_write_atomic(path, text, strlen(text))
		  : wot_error_set(WOT_ENOMEM, "out of memory");
	pthread_mutex_unlock(&weights_lock);
	json_decref(doc);
	free(text);
	free(path);
	return rc;
}

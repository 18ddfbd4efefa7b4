/*
 * opinion_peers.c - who can give a second opinion: the owners of the
 * followed (and discovered) sources, at the endpoints their signed
 * peer.conf announces, with the weight they earned (state/peers.json).
 */
#include "dns/peer/opinion_int.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { PEERS_JSON_MAX = 16 << 20 };

static int own_endpoint(const wot_config *c, const char *ep)
{
	for (char **e = c->peer_endpoint; e && *e; e++)
		if (!strcmp(*e, ep))
			return 1;
	return 0;
}

static wot_opinion_peer *find(wot_opinion_peer *v, size_t n, const char *ep)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].endpoint, ep))
			return &v[i];
	return NULL;
}

static void add_source(wot_home *h, const wot_source *s, wot_opinion_peer *v,
		       size_t *n)
{
	wot_peer_conf *pc = NULL;

	if (wot_sync_peer_conf(h, s->name, &pc) < 0) {
		wot_error_clear();
		return;
	}
	for (size_t i = 0; i < pc->nendpoints; i++) {
		wot_opinion_peer *p;
		if (*n >= WOT_OPINION_PEERS_MAX ||
		    own_endpoint(wot_home_config(h), pc->endpoints[i]) ||
		    find(v, *n, pc->endpoints[i]) ||
		    strlen(pc->endpoints[i]) >= sizeof(p->endpoint))
			continue;
		p = &v[(*n)++];
		memset(p, 0, sizeof(*p));
		snprintf(p->endpoint, sizeof(p->endpoint), "%s",
			 pc->endpoints[i]);
		snprintf(p->fpr, sizeof(p->fpr), "%s", s->key);
		snprintf(p->source, sizeof(p->source), "%s", s->name);
		snprintf(p->group, sizeof(p->group), "%s", s->via);
		p->weight = 1.0;
	}
	wot_peer_conf_free(pc);
}

/* Weights and counters earned before. */
static void merge_saved(wot_home *h, wot_opinion_peer *v, size_t n)
{
	char *path = wot_state_path(h, WOT_STATE_PEERS), *text = NULL;
	json_t *doc = NULL, *e;
	size_t i;

	if (path && wot_file_read(path, PEERS_JSON_MAX, &text, NULL) == 0)
		doc = json_loads(text, 0, NULL);
	wot_error_clear();
	json_array_foreach(json_object_get(doc, "peers"), i, e)
	{
		const char *ep =
		    json_string_value(json_object_get(e, "endpoint"));
		wot_opinion_peer *p = ep ? find(v, n, ep) : NULL;
		json_t *w = json_object_get(e, "weight");
		if (!p)
			continue;
		if (json_is_number(w) && json_number_value(w) >= 0 &&
		    json_number_value(w) <= 1)
			p->weight = json_number_value(w);
#define U(f) p->f = (uint64_t)json_integer_value(json_object_get(e, #f))
		U(asked);
		U(answered);
		U(agreed);
		U(lagging);
		U(lies);
		U(timeouts);
#undef U
		p->last_lie =
		    json_integer_value(json_object_get(e, "last_lie"));
	}
	json_decref(doc);
	free(text);
	free(path);
}

int wot_opinion_peers_load(wot_home *h, wot_opinion_peer **out, size_t *nout)
{
	wot_source *s = NULL;
	size_t ns = 0, n = 0;
	wot_opinion_peer *v = NULL;
	int rc;

	*out = NULL;
	*nout = 0;
	if ((rc = wot_sources_load(h, &s, &ns)) < 0)
		return rc;
	if (!(v = calloc(WOT_OPINION_PEERS_MAX, sizeof(*v)))) {
		wot_sources_free(s, ns);
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < ns; i++)
		if (strcmp(s[i].name, WOT_SELF) && s[i].key[0])
			add_source(h, &s[i], v, &n);
	wot_sources_free(s, ns);
	merge_saved(h, v, n);
	*out = v;
	*nout = n;
	return 0;
}

char *wot_opinion_peers_json(const wot_opinion_peer *p, size_t n)
{
	json_t *a = json_array(), *doc;
	char *text;

	for (size_t i = 0; i < n; i++)
		json_array_append_new(
		    a, json_pack("{s:s,s:s,s:s,s:s,s:f,s:I,s:I,s:I,s:I,s:I,s:I,"
				 "s:I}",
				 "endpoint", p[i].endpoint, "fpr", p[i].fpr,
				 "source", p[i].source, "group", p[i].group,
				 "weight", p[i].weight, "asked",
				 (json_int_t)p[i].asked, "answered",
				 (json_int_t)p[i].answered, "agreed",
				 (json_int_t)p[i].agreed, "lagging",
				 (json_int_t)p[i].lagging, "lies",
				 (json_int_t)p[i].lies, "timeouts",
				 (json_int_t)p[i].timeouts, "last_lie",
				 (json_int_t)p[i].last_lie));
	doc = json_pack("{s:i,s:o}", "version", 1, "peers", a);
	text = doc ? json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS) : NULL;
	json_decref(doc);
	return text;
}

static int chosen_has(const int *chosen, size_t n, size_t i)
{
	for (size_t k = 0; k < n; k++)
		if (chosen[k] == (int)i)
			return 1;
	return 0;
}

int wot_opinion_peer_pick(const wot_opinion_peer *v, size_t n,
			  const int *chosen, size_t nchosen, size_t want,
			  const char *owner)
{
	const char *group = nchosen ? v[chosen[0]].group : "";
	int best = -1, same = nchosen > 0, want_other;
	double best_key = -1;

	for (size_t k = 1; k < nchosen; k++)
		if (strcmp(v[chosen[k]].group, group))
			same = 0;
	want_other = same && want == nchosen + 1;
	for (int pass = 0; pass < 2 && best < 0; pass++)
		for (size_t i = 0; i < n; i++) {
			double key = (double)rand() / RAND_MAX * v[i].weight;
			if (chosen_has(chosen, nchosen, i) ||
			    (pass == 0 && want_other &&
			     !strcmp(v[i].group, group)))
				continue;
			if (owner && !strcasecmp(v[i].fpr, owner))
				key /= 4;
			if (key > best_key) {
				best_key = key;
				best = (int)i;
			}
		}
	return best;
}

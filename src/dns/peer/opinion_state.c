/*
 * opinion_state.c - what second opinions leave on disk:
 * state/opinions.json (the last checks, the withdrawn RRsets) and
 * state/peers.json (the peers' weights and counters).
 */
#include "dns/peer/opinions_int.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- pool side -------------------------------------------------------- */

int wot_opinions_write_state(wot_home *h, wot_state_file f, const char *text)
{
	char *path = wot_state_path(h, f);
	int rc = path && text ? wot_file_write_atomic(path, text, strlen(text))
			      : wot_error_set(WOT_ENOMEM, "out of memory");

	free(path);
	return rc;
}

void wot_opinions_save(wot_opinions *o)
{
	job *j;
	json_t *doc;

	if (!o->dirty || o->closer.closing || !(j = calloc(1, sizeof(*j))))
		return;
	o->dirty = 0;
	doc = json_pack("{s:i,s:I,s:O,s:O}", "version", 1, "generated",
			(json_int_t)time(NULL), "checks", o->history,
			"withdrawn", o->withdrawn);
	j->kind = JOB_SAVE;
	j->opinions = doc ? json_dumps(doc, JSON_INDENT(1)) : NULL;
	j->peersjson = wot_opinion_peers_json(o->peers, o->npeers);
	json_decref(doc);
	wot_opinions_enqueue(o, j);
}

/* What other peers said their head of c's source is. */
static json_t *heads_json(wot_opinions *o, const check *c)
{
	json_t *a = json_array();

	for (size_t i = 0; i < c->nheads; i++) {
		const wot_opinion_head_ans *h = &c->heads[i];
		json_array_append_new(
		    a, json_pack("{s:s,s:s,s:s}", "peer",
				 o->peers[h->peer].endpoint, "peer_source",
				 o->peers[h->peer].source, "commit",
				 h->none ? "none" : h->commit));
	}
	return a;
}

json_t *wot_opinions_check_json(wot_opinions *o, const check *c)
{
	json_t *a = json_array();

	for (size_t i = 0; i < c->nslots; i++) {
		const slot *s = &c->slots[i];
		const wot_opinion_peer *p = &o->peers[s->peer];
		json_array_append_new(
		    a, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:f}", "peer",
				 p->endpoint, "peer_source", p->source,
				 "verdict", s->verdict ? s->verdict : "?",
				 "commit", s->r.commit, "source", s->r.fpr,
				 "note", s->note, "weight", p->weight));
	}
	return json_pack("{s:s,s:i,s:s,s:s,s:s,s:I,s:o,s:o}", "name", c->name,
			 "type", (int)c->type, "source", c->source, "fpr",
			 c->fpr, "commit", c->commit, "time",
			 (json_int_t)c->time, "answers", a, "heads",
			 heads_json(o, c));
}

void wot_opinions_history_add(wot_opinions *o, const check *c)
{
	json_array_append_new(o->history, wot_opinions_check_json(o, c));
	while (json_array_size(o->history) > HISTORY)
		json_array_remove(o->history, 0);
	o->dirty = 1;
}

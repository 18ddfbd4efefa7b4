/*
 * neighbor_status.c - the neighbor-majority section of the daemon's
 * status document.
 */
#include "dns/peer/neighbor_int.h"
#include "dns/peer/withdraw.h"

/* ---- status ---------------------------------------------------------- */

static const char *verdict_name(int v)
{
	static const char *const names[] = {"agree", "outlier", "behind",
					    "undecided"};
	return v >= 0 && v <= 3 ? names[v] : "?";
}

static json_t *checks_json(const wot_neighbor *n)
{
	json_t *a = json_array();

	/* Newest first. */
	for (size_t k = 0; k < n->nchecks; k++) {
		const nb_check *c =
		    &n->checks[(n->check_pos + KEEP_CHECKS - 1 - k) %
			       KEEP_CHECKS];
		json_array_append_new(
		    a, json_pack("{s:I,s:s,s:i,s:s,s:i,s:i,s:i,s:i,s:i,s:i,"
				 "s:i,s:f,s:f}",
				 "time", (json_int_t)c->time, "name", c->name,
				 "type", c->type, "verdict",
				 verdict_name(c->verdict), "asked", c->asked,
				 "answered", c->answered, "counted", c->counted,
				 "agree", c->agree, "lagging", c->lagging,
				 "against", c->top, "needed", c->needed,
				 "votes_ours", c->ours_votes, "votes_against",
				 c->top_votes));
	}
	return a;
}

static json_t *reports_json(const wot_neighbor *n)
{
	json_t *a = json_array();

	for (size_t k = 0; k < n->nreports; k++) {
		const nb_report *p =
		    &n->reports[(n->report_pos + KEEP_REPORTS - 1 - k) %
				KEEP_REPORTS];
		json_array_append_new(
		    a, json_pack("{s:I,s:s,s:s,s:i,s:s,s:s}", "time",
				 (json_int_t)p->time, "kind", p->kind, "name",
				 p->name, "type", p->type, "who", p->who,
				 "what", p->what));
	}
	return a;
}

static json_t *withdrawn_json(const wot_neighbor *nb)
{
	wot_withdrawn w[SAMPLE_MAX];
	size_t n =
	    nb ? wot_dns_withdraw_list(nb->o.withdrawn, w, SAMPLE_MAX) : 0;
	json_t *a = json_array();

	for (size_t i = 0; i < n && i < SAMPLE_MAX; i++)
		json_array_append_new(
		    a, json_pack("{s:s,s:i,s:I,s:s}", "name", w[i].name, "type",
				 w[i].type, "since", (json_int_t)w[i].since,
				 "why", w[i].why));
	return a;
}

json_t *wot_neighbor_status(const wot_neighbor *n)
{
	nb_stats z = {0};
	const nb_stats *s = n ? &n->st : &z;
	json_t *doc = json_pack(
	    "{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "rounds",
	    (json_int_t)s->rounds, "checks", (json_int_t)s->checks, "questions",
	    (json_int_t)s->questions, "answers", (json_int_t)s->answers,
	    "timeouts", (json_int_t)s->timeouts, "disagreements",
	    (json_int_t)s->disagreements, "self_outlier",
	    (json_int_t)s->self_outlier, "behind", (json_int_t)s->behind,
	    "neighbor_outliers", (json_int_t)s->neighbor_outliers, "withdrawn",
	    (json_int_t)s->withdrawn, "restored", (json_int_t)s->restored,
	    "resyncs", (json_int_t)s->resyncs, "errors", (json_int_t)s->errors);

	if (!doc)
		return NULL;
	json_object_set_new(doc, "interval_s",
			    json_integer(n ? n->o.interval_s : 0));
	if (n && n->asker) {
		wot_opinion_ask_stats as;
		wot_opinion_asker_stats(n->asker, &as);
		json_object_set_new(doc, "bytes_out",
				    json_integer((json_int_t)as.bytes_out));
		json_object_set_new(doc, "bytes_in",
				    json_integer((json_int_t)as.bytes_in));
	}
	json_object_set_new(doc, "last_checks",
			    n ? checks_json(n) : json_array());
	json_object_set_new(doc, "reports", n ? reports_json(n) : json_array());
	json_object_set_new(doc, "withdrawn", withdrawn_json(n));
	if (n) {
		json_t *t = json_object();
		for (size_t i = 0; i < n->ntally; i++)
			json_object_set_new(
			    t, n->tally[i].key,
			    json_integer((json_int_t)n->tally[i].count));
		json_object_set_new(doc, "tally", t);
	}
	return doc;
}

/*
 * opinion_withdrawn.c - RRsets withdrawn after a failed check (an
 * equivocation caught): they stay withdrawn while their source is
 * suspended (`wotdns source trust-again` brings them back), saved in
 * state/opinions.json across restarts.
 */
#include "dns/peer/opinions_int.h"
#include "dns/peer/withdraw.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int suspended(wot_home *h, const char *source)
{
	char *text = NULL;
	json_t *o;
	int s = 0;

	if (wot_evidence_json(h, source, &text) == 0 &&
	    (o = json_loads(text, 0, NULL))) {
		s = json_is_true(json_object_get(o, "suspended"));
		json_decref(o);
	}
	wot_error_clear();
	free(text);
	return s;
}

/* What a table built from the book leaves out. */
typedef struct {
	json_t *keep;		   /* failed checks, "name/type" */
	wot_dns_withdraw_set *nbw; /* the neighbor majority's */
} skip_ctx;

static int skip_withdrawn(void *ctx, const wot_opinion_rrset *s)
{
	const skip_ctx *x = ctx;
	char key[300];

	/* The neighbor majority's withdrawals hold in every table. */
	if (wot_dns_withdraw_has(x->nbw, s->name, s->type))
		return 1;
	snprintf(key, sizeof(key), "%s/%u", s->name, (unsigned)s->type);
	return json_object_get(x->keep, key) != NULL;
}

/* The withdrawn set saved by the previous run. */
static json_t *load_withdrawn(wot_home *h)
{
	char *path = wot_state_path(h, WOT_STATE_OPINIONS), *text = NULL;
	json_t *doc = NULL, *w;

	if (path && wot_file_read(path, 64 << 20, &text, NULL) == 0)
		doc = json_loads(text, 0, NULL);
	wot_error_clear();
	w = json_object_get(doc, "withdrawn");
	w = json_is_object(w) ? json_deep_copy(w) : json_object();
	json_decref(doc);
	free(text);
	free(path);
	return w;
}

/*
 * Records withdrawn after a failed check stay withdrawn while their
 * source is suspended (`wotdns source trust-again` brings them back);
 * the table to serve then leaves them out.
 */
int wot_opinions_refresh_withdrawn(job *j)
{
	wot_home *h = j->o->h;
	skip_ctx x = {NULL, j->o->withdrawn_set};
	const char *key;
	json_t *v, *keep = json_object();
	void *tmp;
	int rc;

	if (j->first) {
		json_decref(j->withdrawn);
		j->withdrawn = load_withdrawn(h);
	}
	json_object_foreach_safe(j->withdrawn, tmp, key, v)
	{
		if (json_is_string(v) && suspended(h, json_string_value(v)))
			json_object_set(keep, key, v);
	}
	json_decref(j->withdrawn);
	j->withdrawn = keep;
	if (!json_object_size(keep))
		return 0;
	json_object_foreach(keep, key, v)
	{
		/* the book is still ours alone: mark, so peers hear "none" */
		const char *slash = strrchr(key, '/');
		char name[1100];
		if (!slash || (size_t)(slash - key) >= sizeof(name))
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(slash - key), key);
		if ((rc = wot_opinion_book_withdraw(
			 j->book, name, (uint16_t)atoi(slash + 1))) < 0)
			return rc;
	}
	x.keep = keep;
	return wot_opinion_book_table(j->book, skip_withdrawn, &x, &j->table);
}

/* Policy serve: what a failed check caught stops being served. */
void wot_opinions_withdraw(wot_opinions *o, const check *c)
{
	char key[300], tn[16];

	snprintf(key, sizeof(key), "%s/%u", c->name, (unsigned)c->type);
	if (json_object_get(o->withdrawn, key))
		return;
	json_object_set_new(o->withdrawn, key, json_string(c->source));
	wot_log(WOT_LOG_WARNING, "dns",
		"opinions: withdrawing %s/%s from %s after a failed check",
		c->name, wot_dns_type_name(c->type, tn), c->source);
	o->refresh_again = 1;
}

/*
 * opinions.c - second opinions in `wotdns serve` (docs/peer.md,
 * "Second opinions"): the object and its pool jobs.
 *
 * After every recompute the new accepted set is loaded as a book on the
 * thread pool; the peer listeners answer from it. Each RRset that is new
 * or changed (compared with the previous book) is checked
 * (opinion_check.c). Answers are judged by source commit: on the loop
 * when the peer holds our commit, else on the pool with git
 * (opinion_verify.c). With policy hold a new table waits here until its
 * checks are done or agreed. The daemon serves tables, recomputes and
 * syncs: asked through wot_peer_requests.
 */
#include "dns/net/net.h"
#include "dns/peer/opinions_int.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void on_done(uv_work_t *req, int status);
static void run_next(wot_opinions *o);

static void on_work(uv_work_t *req)
{
	job *j = req->data;
	wot_opinions *o = j->o;

	j->rc = 0;
	if (j->kind == JOB_REFRESH) {
		j->rc = wot_opinion_peers_load(o->h, &j->peers, &j->npeers);
		if (j->rc == 0 && !o->answering && (!o->k || !j->npeers))
			j->rc = wot_opinion_book_empty(&j->book);
		else if (j->rc == 0)
			/* o->book is only replaced on the loop between jobs */
			j->rc =
			    wot_opinion_book_reload(&j->book, o->h, o->book);
		if (j->rc == 0)
			j->rc = wot_opinions_refresh_withdrawn(j);
	} else if (j->kind == JOB_VERIFY) {
		wot_opinion_verify_ctx v = {.h = o->h,
					    .trust = &o->trust,
					    .req = &o->req,
					    .peers = o->peers,
					    .npeers = o->npeers,
					    .final = j->final};

		wot_opinion_verify(&v, j->c);
		j->synced = v.synced;
	} else {
		j->rc = wot_opinions_write_state(o->h, WOT_STATE_OPINIONS,
						 j->opinions);
		if (j->rc == 0)
			j->rc = wot_opinions_write_state(o->h, WOT_STATE_PEERS,
							 j->peersjson);
	}
	if (j->rc < 0)
		snprintf(j->err, sizeof(j->err), "%s", wot_error_last());
}

static void maybe_free(wot_opinions *o)
{
	wot_closer k;

	if (!wot_closer_done(&o->closer, &k))
		return;
	while (o->checks) {
		check *c = o->checks;
		o->checks = c->next;
		wot_opinions_check_free(c);
	}
	while (o->rechecks) {
		check *c = o->rechecks;
		o->rechecks = c->next;
		wot_opinions_check_free(c);
	}
	while (o->unplaced) {
		check *c = o->unplaced;
		o->unplaced = c->next;
		wot_opinions_check_free(c);
	}
	wot_dns_table_free(o->held);
	wot_opinion_book_free(o->book);
	wot_trust_free(o->trust);
	json_decref(o->history);
	json_decref(o->withdrawn);
	free(o->peers);
	free(o);
	wot_closer_end(&k);
}

void wot_opinions_job_free(job *j)
{
	wot_opinion_book_free(j->book);
	json_decref(j->withdrawn);
	free(j->peers);
	wot_dns_table_free(j->table);
	free(j->opinions);
	free(j->peersjson);
	free(j);
}

void wot_opinions_enqueue(wot_opinions *o, job *j)
{
	job **p = &o->queue;

	j->o = o;
	j->req.data = j;
	while (*p)
		p = &(*p)->next;
	*p = j;
	run_next(o);
}

/* One job at a time: they share the home lock anyway. */
static void run_next(wot_opinions *o)
{
	job *j = o->queue;

	if (o->running || !j || o->closer.closing)
		return;
	o->queue = j->next;
	j->next = NULL;
	if (uv_queue_work(o->loop, &j->req, on_work, on_done) < 0) {
		wot_opinions_job_free(j);
		return;
	}
	o->running = j;
	o->closer.live++;
}

/* Policy hold: the new table waits until its checks are done. */
void wot_opinions_release_held(wot_opinions *o)
{
	wot_dns_table *t = o->held;

	if (!t)
		return;
	o->held = NULL;
	uv_timer_stop(&o->hold_timer);
	o->req.serve(o->req.data, t, 0);
}

/* Keep the weights earned in this run for peers still known. */
static void merge_peers(wot_opinions *o, wot_opinion_peer *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < o->npeers; k++)
			if (!strcmp(v[i].endpoint, o->peers[k].endpoint)) {
				v[i] = o->peers[k];
				break;
			}
}

static void refresh_done(wot_opinions *o, job *j)
{
	wot_opinion_book *old = o->book;

	/* Checks in flight index the old list: let them end first. */
	if (!o->inflight) {
		merge_peers(o, j->peers, j->npeers);
		free(o->peers);
		o->peers = j->peers;
		o->npeers = j->npeers;
		j->peers = NULL;
	}
	o->book = j->book;
	j->book = NULL;
	json_decref(o->withdrawn);
	o->withdrawn = j->withdrawn;
	j->withdrawn = NULL;
	if (j->table) { /* without the withdrawn RRsets */
		if (o->held) {
			wot_dns_table_free(o->held);
			o->held = j->table;
		} else {
			o->req.serve(o->req.data, j->table, 0);
		}
		j->table = NULL;
	}
	if (old && o->k && o->npeers)
		wot_opinions_check_changes(o, old, o->book);
	else if (!old)
		wot_log(WOT_LOG_INFO, "dns",
			"opinions: %zu RRsets accepted, %zu known peers",
			wot_opinion_book_count(o->book), o->npeers);
	wot_opinion_book_free(old);
	if (o->inflight == o->settled)
		wot_opinions_release_held(o);
}

static void on_done(uv_work_t *req, int status)
{
	job *j = req->data;
	wot_opinions *o = j->o;

	o->closer.live--;
	o->running = NULL;
	if (status == 0 && j->rc < 0)
		wot_log(WOT_LOG_WARNING, "dns", "opinions: %s", j->err);
	if (status == 0 && !o->closer.closing) {
		if (j->kind == JOB_REFRESH && j->rc == 0)
			refresh_done(o, j);
		if (j->kind == JOB_VERIFY) {
			o->n_syncs += j->synced;
			wot_opinions_finish_check(o, j->c);
			/* a peer was ahead and the source synced: the daemon
			 * serves the recomputed set, then we look again */
			if (j->synced && o->req.recompute)
				o->req.recompute(o->req.data,
						 WOT_PEER_WHY_OPINION);
		}
	} else if (j->kind == JOB_VERIFY) {
		wot_opinions_check_free(j->c);
	}
	wot_opinions_job_free(j);
	run_next(o);
	maybe_free(o);
}

static void on_hold_timeout(uv_timer_t *t)
{
	wot_opinions *o = t->data;

	wot_log(WOT_LOG_NOTICE, "dns",
		"opinions: serving the new records (checks took longer than "
		"the timeout)");
	wot_opinions_release_held(o);
}

void wot_opinions_offer(wot_opinions *o, wot_dns_table *t)
{
	job *j;

	if (o->closer.closing) {
		wot_dns_table_free(t);
		return;
	}
	if (t && o->hold && o->k) {
		wot_dns_table_free(o->held); /* a newer set replaces it */
		o->held = t;
		uv_timer_start(&o->hold_timer, on_hold_timeout,
			       3ull * o->timeout_ms + HOLD_GRACE_MS, 0);
	} else if (t) {
		o->req.serve(o->req.data, t, 0);
	}
	if (!(j = calloc(1, sizeof(*j))))
		return;
	j->kind = JOB_REFRESH;
	j->first = !o->book && !o->queue && !o->running;
	j->withdrawn = json_deep_copy(o->withdrawn);
	wot_opinions_enqueue(o, j);
}

static size_t answer(void *data, const uint8_t *pkt, size_t len, uint8_t *out,
		     size_t cap)
{
	wot_opinions *o = data;
	size_t n = wot_opinion_answer(o->book, pkt, len, out, cap);

	if (n && o->rewrite)
		n = o->rewrite(o->rewrite_data, out, n, cap);
	return n;
}

/* 1 if prop listens for peers (then the book must be loaded even with
 * nobody to ask). */
static int has_listener(const wot_prop *prop)
{
	char addr[80];
	int yes = wot_prop_bound(prop, 0, addr, sizeof(addr)) == 0;

	wot_error_clear();
	return yes;
}

int wot_opinions_start(wot_opinions **out, uv_loop_t *loop, wot_home *h,
		       const wot_opinions_opts *oo)
{
	wot_prop *prop = oo->prop;
	const wot_config *cfg = wot_home_config(h);
	wot_opinions *o = calloc(1, sizeof(*o));
	int rc;

	*out = NULL;
	if (!o || !(o->history = json_array()) ||
	    !(o->withdrawn = json_object())) {
		if (o)
			json_decref(o->history);
		free(o);
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	/* Each daemon its own order of peers. */
	srand((unsigned)(uv_hrtime() ^ (uint64_t)uv_os_getpid()));
	o->loop = loop;
	o->clock = oo->clock ? *oo->clock : wot_net_loop_clock(loop);
	o->h = h;
	o->prop = prop;
	o->req = oo->req;
	o->withdrawn_set = oo->withdrawn;
	o->rewrite = oo->rewrite;
	o->rewrite_data = oo->rewrite_data;
	o->k = cfg->opinion_k;
	o->timeout_ms = cfg->opinion_timeout_ms ? cfg->opinion_timeout_ms : 1;
	o->unplaced_ms = cfg->opinion_unplaced_ms;
	o->hold = cfg->opinion_policy && !strcmp(cfg->opinion_policy, "hold");
	if ((rc = wot_opinion_asker_new(&o->asker, loop)) < 0) {
		json_decref(o->history);
		json_decref(o->withdrawn);
		free(o);
		return rc;
	}
	uv_timer_init(loop, &o->hold_timer);
	uv_timer_init(loop, &o->recheck_timer);
	uv_timer_init(loop, &o->unplaced_timer);
	o->hold_timer.data = o->recheck_timer.data = o;
	o->unplaced_timer.data = o;
	o->closer.live = 4; /* asker and three timers */
	wot_prop_on_query(prop, answer, o);
	o->answering = has_listener(prop);
	wot_opinion_asker_from_prop(o->asker, prop);
	wot_opinions_offer(o, NULL); /* the first book */
	*out = o;
	return 0;
}

json_t *wot_opinions_status(const wot_opinions *o)
{
	json_t *peers = json_array();
	wot_opinion_ask_stats st;

	if (!o)
		return json_null();
	wot_opinion_asker_stats(o->asker, &st);
	for (size_t i = 0; i < o->npeers; i++)
		json_array_append_new(
		    peers,
		    json_pack("{s:s,s:s,s:f,s:I,s:I}", "endpoint",
			      o->peers[i].endpoint, "source",
			      o->peers[i].source, "weight", o->peers[i].weight,
			      "lies", (json_int_t)o->peers[i].lies, "asked",
			      (json_int_t)o->peers[i].asked));
	return json_pack(
	    "{s:i,s:s,s:i,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:{s:I,s:I,"
	    "s:I,s:I,s:I,s:I,s:I,s:I,s:I},s:I,s:o}",
	    "k", (int)o->k, "policy", o->hold ? "hold" : "serve", "in_flight",
	    (int)o->inflight, "checks", (json_int_t)o->n_checks, "last_check",
	    (json_int_t)o->last_check, "agree", (json_int_t)o->n_agree,
	    "lagging", (json_int_t)o->n_lagging, "ahead",
	    (json_int_t)o->n_ahead, "disagreements", (json_int_t)o->n_disagree,
	    "lies", (json_int_t)o->n_lies, "equivocations",
	    (json_int_t)o->n_equivocations, "syncs", (json_int_t)o->n_syncs,
	    "unanswered", (json_int_t)o->n_unanswered, "questions", "sent",
	    (json_int_t)st.sent, "answered", (json_int_t)st.answered,
	    "timeouts", (json_int_t)st.timeouts, "bytes_out",
	    (json_int_t)st.bytes_out, "bytes_in", (json_int_t)st.bytes_in,
	    "tcp", (json_int_t)st.tcp, "tcp_failed", (json_int_t)st.tcp_failed,
	    "heads", (json_int_t)o->n_head_questions, "heads_answered",
	    (json_int_t)o->n_head_answers, "unplaced",
	    (json_int_t)o->n_unplaced, "peers", peers);
}

static void on_part_closed(void *data)
{
	wot_opinions *o = data;

	o->closer.live--;
	maybe_free(o);
}

static void on_timer_closed(uv_handle_t *h)
{
	on_part_closed(h->data);
}

void wot_opinions_close(wot_opinions *o, void (*cb)(void *data), void *data)
{
	if (!o || !wot_closer_begin(&o->closer, cb, data))
		return;
	while (o->queue) {
		job *j = o->queue;
		o->queue = j->next;
		if (j->kind == JOB_VERIFY)
			wot_opinions_check_free(j->c);
		wot_opinions_job_free(j);
	}
	wot_prop_on_query(o->prop, NULL, NULL);
	wot_opinion_asker_close(o->asker, on_part_closed, o);
	uv_close((uv_handle_t *)&o->hold_timer, on_timer_closed);
	uv_close((uv_handle_t *)&o->recheck_timer, on_timer_closed);
	uv_close((uv_handle_t *)&o->unplaced_timer, on_timer_closed);
}

void wot_opinions_peer_events(wot_opinions *o, const char *const *endpoints,
			      const int *events, size_t n)
{
	if (!o || o->closer.closing)
		return;
	for (size_t e = 0; e < n; e++)
		for (size_t i = 0; i < o->npeers; i++) {
			wot_opinion_peer *p = &o->peers[i];
			if (strcmp(p->endpoint, endpoints[e]))
				continue;
			p->weight = wot_weight_update(p->weight, events[e]);
			o->dirty = 1;
			break;
		}
	wot_opinions_save(o);
}

/*
 * propagate.c - NOTIFY in and out for `wotdns serve`.
 *
 * In: a NOTIFY names a key; every followed source pinned to that key is
 * asked of the daemon's scheduler (wot_peer_requests.sync), which fetches
 * it at most once per source per gap, coalesces bursts and swaps the
 * table.
 *
 * Out: `wotdns publish` connects to the daemon's HOME/state/notify.sock,
 * which calls wot_prop_announce: the followers' endpoints are read on the
 * pool, the NOTIFYs sent from the loop, and the daemon asked to re-sync
 * our own repository so it serves the change too.
 */
#include "dns/net/net.h"
#include "dns/peer/notify.h"
#include "dns/peer/peer.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { REFRESH_MIN_MS = 2000 }; /* unknown keys re-read sources.conf */

/* Sources as read on the pool: name and pinned key only. */
typedef struct {
	char name[65];
	char key[WOT_FPR_MAX];
} src_id;

typedef struct {
	uv_work_t req;
	wot_prop *p;
	int kind; /* JOB_TARGETS, JOB_REFRESH */
	char **targets;
	size_t ntargets;
	src_id *ids;
	size_t nids;
	int rc;
	char err[512];
} job;

enum { JOB_TARGETS, JOB_REFRESH };

struct wot_prop {
	uv_loop_t *loop;
	wot_clock clock; /* o.clock's copy, or the loop's */
	wot_home *h;
	wot_prop_opts o;
	wot_dns_peer_listener *listener;
	wot_dns_notifier *notifier;
	src_id *src; /* src[0] is self */
	size_t nsrc;
	job *side;	/* in flight */
	int side_again; /* a publish came while targets were read */
	/* Endpoints read by the last JOB_TARGETS: a publish is sent to
	 * them at once, and to any new ones when the fresh list is read. */
	char **targets;
	size_t ntargets;
	int notify_due;	 /* a publish waits for the fresh list */
	int sent_cached; /* ... and was sent to the cached one already */
	uint64_t last_refresh_ms;
	wot_prop_stats st;
	wot_closer closer; /* live: the parts and jobs running */
};

/* ---- pool side ---------------------------------------------------- */

static int read_ids(wot_home *h, src_id **out, size_t *n)
{
	wot_source *s = NULL;
	size_t ns = 0;
	int rc = wot_sources_load(h, &s, &ns);

	*out = NULL;
	*n = 0;
	if (rc < 0)
		return rc;
	if (!(*out = calloc(ns ? ns : 1, sizeof(**out)))) {
		wot_sources_free(s, ns);
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < ns; i++) {
		snprintf((*out)[i].name, sizeof((*out)[i].name), "%s",
			 s[i].name);
		snprintf((*out)[i].key, sizeof((*out)[i].key), "%s", s[i].key);
	}
	*n = ns;
	wot_sources_free(s, ns);
	return 0;
}

/* Reading the mirrors: never on the loop. */
static void on_work(uv_work_t *req)
{
	job *j = req->data;

	j->rc = 0;
	if (j->kind == JOB_TARGETS)
		j->rc =
		    wot_sync_notify_targets(j->p->h, &j->targets, &j->ntargets);
	if (j->rc == 0)
		j->rc = read_ids(j->p->h, &j->ids, &j->nids);
	if (j->rc < 0)
		snprintf(j->err, sizeof(j->err), "%s", wot_error_last());
}

/* ---- loop side ---------------------------------------------------- */

static void maybe_free(wot_prop *p)
{
	wot_closer k;

	if (!wot_closer_done(&p->closer, &k))
		return;
	wot_notify_targets_free(p->targets);
	free(p->src);
	free(p);
	wot_closer_end(&k);
}

static void job_free(job *j)
{
	wot_notify_targets_free(j->targets);
	free(j->ids);
	free(j);
}

/* A new list of sources (taken). */
static void take_ids(wot_prop *p, job *j)
{
	free(p->src);
	p->src = j->ids;
	p->nsrc = j->nids;
	j->ids = NULL;
	j->nids = 0;
	p->last_refresh_ms = wot_clock_now(&p->clock);
}

static void start_side(wot_prop *p, int kind);

static int queue(wot_prop *p, job *j, uv_after_work_cb done)
{
	int rc;

	j->p = p;
	j->req.data = j;
	rc = uv_queue_work(p->loop, &j->req, on_work, done);
	if (rc < 0) {
		wot_log(WOT_LOG_WARNING, "sync", "thread pool: %s",
			uv_strerror(rc));
		return -1;
	}
	p->closer.live++;
	return 0;
}

static int listed(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return 1;
	return 0;
}

static void send_targets(wot_prop *p, const char *own, char *const *v, size_t n)
{
	if (!own || !n)
		return;
	wot_log(WOT_LOG_INFO, "dns", "NOTIFY for %s to %zu endpoint%s", own, n,
		n == 1 ? "" : "s");
	wot_dns_notifier_send(p->notifier, own, (const char *const *)v, n);
}

/* A fresh list of endpoints: tell those a waiting publish has not
 * reached yet, and keep the list for the next publish. */
static void fresh_targets(wot_prop *p, job *j, const char *own)
{
	char **news = calloc(j->ntargets + 1, sizeof(*news));
	size_t n = 0;

	if (p->notify_due && news) {
		for (size_t i = 0; i < j->ntargets; i++)
			if (!p->sent_cached ||
			    !listed(p->targets, p->ntargets, j->targets[i]))
				news[n++] = j->targets[i];
		send_targets(p, own, news, n);
	} else if (p->notify_due) {
		send_targets(p, own, j->targets, j->ntargets);
	}
	free(news);
	p->notify_due = p->sent_cached = 0;
	wot_notify_targets_free(p->targets);
	p->targets = j->targets;
	p->ntargets = j->ntargets;
	j->targets = NULL;
}

static void side_done(uv_work_t *req, int status)
{
	job *j = req->data;
	wot_prop *p = j->p;
	const char *own = wot_home_config(p->h)->key;

	p->closer.live--;
	p->side = NULL;
	if (status == 0 && j->rc < 0)
		wot_log(WOT_LOG_WARNING, "sync", "%s", j->err);
	if (status == 0 && j->rc == 0 && !p->closer.closing) {
		take_ids(p, j);
		if (j->kind == JOB_TARGETS)
			fresh_targets(p, j, own);
	}
	job_free(j);
	if (p->side_again && !p->closer.closing) {
		p->side_again = 0;
		start_side(p, JOB_TARGETS);
	}
	maybe_free(p);
}

static void start_side(wot_prop *p, int kind)
{
	job *j;

	if (p->closer.closing)
		return;
	if (p->side) {
		p->side_again |= kind == JOB_TARGETS;
		return;
	}
	if (!(j = calloc(1, sizeof(*j))))
		return;
	j->kind = kind;
	if (queue(p, j, side_done) < 0) {
		job_free(j);
		return;
	}
	p->side = j;
}

/* The daemon syncs them (its limits, its table swap). */
static void ask_sync(wot_prop *p, const char *const *names, size_t n,
		     wot_peer_why why)
{
	if (n && p->o.req.sync)
		p->o.req.sync(p->o.req.data, names, n, why);
}

static void on_notify(void *data, const char *fpr)
{
	wot_prop *p = data;
	const char **names = calloc(p->nsrc + 1, sizeof(*names));
	size_t matched = 0;

	for (size_t i = 0; names && i < p->nsrc; i++) {
		src_id *s = &p->src[i];
		/* Only the owner's key names a source; our own zone changes
		 * only when we publish. */
		if (!s->key[0] || strcasecmp(s->key, fpr) || i == 0)
			continue;
		names[matched++] = s->name;
	}
	ask_sync(p, names, matched, WOT_PEER_WHY_NOTIFY);
	free(names);
	if (!matched) {
		p->st.ignored++;
		/* Perhaps followed since we last looked: re-read, rarely. */
		if (wot_clock_now(&p->clock) - p->last_refresh_ms >=
		    REFRESH_MIN_MS)
			start_side(p, JOB_REFRESH);
		return;
	}
	p->st.accepted++;
}

void wot_prop_announce(wot_prop *p)
{
	const char *self = p->nsrc ? p->src[0].name : NULL;

	p->st.publishes++;
	/* self: serve our own change too */
	ask_sync(p, &self, self ? 1 : 0, WOT_PEER_WHY_PUBLISH);
	if (p->targets) { /* no wait for the mirrors to be read again */
		send_targets(p, wot_home_config(p->h)->key, p->targets,
			     p->ntargets);
		p->sent_cached = 1;
	}
	p->notify_due = 1;
	start_side(p, JOB_TARGETS);
}

static void on_part_closed(void *data)
{
	wot_prop *p = data;

	p->closer.live--;
	maybe_free(p);
}

static int start_parts(wot_prop *p, const wot_prop_opts *o)
{
	src_id *ids = NULL;
	size_t n = 0;
	int rc;

	if ((rc = read_ids(p->h, &ids, &n)) == 0) {
		p->src = ids;
		p->nsrc = n;
		p->last_refresh_ms = wot_clock_now(&p->clock);
	} else {
		free(ids);
	}
	if (rc == 0 && (rc = wot_dns_notifier_new(&p->notifier, p->loop)) == 0)
		p->closer.live++;
	if (rc == 0 && o->nlisten &&
	    (rc = wot_dns_peer_listener_start(&p->listener, p->loop, o->listen,
					      o->nlisten, o->allow_nonloopback,
					      on_notify, p)) == 0) {
		wot_dns_peer_listener_set_clock(p->listener, o->clock);
		p->closer.live++;
	}
	if (rc == 0)
		start_side(p, JOB_TARGETS); /* read the endpoints ahead */
	return rc;
}

int wot_prop_start(wot_prop **out, uv_loop_t *loop, wot_home *h,
		   const wot_prop_opts *o)
{
	wot_prop *p = calloc(1, sizeof(*p));
	int rc;

	*out = NULL;
	if (!p)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	p->loop = loop;
	p->clock = o->clock ? *o->clock : wot_net_loop_clock(loop);
	p->h = h;
	p->o = *o;
	p->o.clock = NULL;  /* copied above */
	p->o.listen = NULL; /* used only here, not kept */
	if ((rc = start_parts(p, o)) < 0) {
		char msg[512];
		snprintf(msg, sizeof(msg), "%s", wot_error_last());
		wot_prop_close(p, NULL, NULL);
		return wot_error_set(rc, "%s", msg);
	}
	*out = p;
	return 0;
}

int wot_prop_bound(const wot_prop *p, size_t i, char *buf, size_t len)
{
	return wot_dns_peer_listener_bound(p ? p->listener : NULL, i, buf, len);
}

void wot_prop_on_query(wot_prop *p,
		       size_t (*fn)(void *data, const uint8_t *pkt, size_t len,
				    uint8_t *out, size_t cap),
		       void *data)
{
	if (p)
		wot_dns_peer_listener_on_query(p->listener, fn, data);
}

void wot_prop_stats_get(const wot_prop *p, wot_prop_stats *out)
{
	wot_dns_peer_stats ps;
	wot_dns_notifier_stats ns;

	memset(out, 0, sizeof(*out));
	if (!p)
		return;
	*out = p->st;
	wot_dns_peer_listener_stats(p->listener, &ps);
	wot_dns_notifier_stats_get(p->notifier, &ns);
	out->received = ps.received;
	out->notifies = ps.notifies;
	out->refused = ps.refused;
	out->dropped = ps.dropped;
	out->opinions = ps.opinions;
	out->sent = ns.sent;
	out->answered = ns.answered;
	out->unanswered = ns.failed;
}

void wot_prop_close(wot_prop *p, void (*cb)(void *data), void *data)
{
	if (!p || !wot_closer_begin(&p->closer, cb, data))
		return;
	if (p->listener)
		wot_dns_peer_listener_close(p->listener, on_part_closed, p);
	if (p->notifier)
		wot_dns_notifier_close(p->notifier, on_part_closed, p);
	p->listener = NULL;
	p->notifier = NULL;
	maybe_free(p);
}

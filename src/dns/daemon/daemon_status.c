/*
 * daemon_status.c - the counters document of a running daemon: built on
 * the daemon's loop for its control socket, read back by `wotdns status`.
 */
#include "dns/daemon/accepted.h"
#include "dns/daemon/control.h"
#include "dns/daemon/daemon_int.h"
#include "util/util.h"

#include <jansson.h>
#include <stdlib.h>
#include <unistd.h>

static const char *const bucket_names[WOT_DNS_LAT_BUCKETS] = {
    "<0.1ms", "<1ms", "<10ms", "<100ms", "<1s", ">=1s"};

static json_t *counters(const wot_dns_stats *st)
{
	json_t *lat = json_object();

	for (int i = 0; i < WOT_DNS_LAT_BUCKETS; i++)
		json_object_set_new(lat, bucket_names[i],
				    json_integer((json_int_t)st->latency[i]));
	return json_pack(
	    "{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o,s:{s:I,s:I,s:I}}",
	    "queries", (json_int_t)st->queries, "overlay",
	    (json_int_t)st->overlay, "forwarded", (json_int_t)st->forwarded,
	    "cache_hits", (json_int_t)st->cache_hits, "cache_stale",
	    (json_int_t)st->cache_stale, "prefetches",
	    (json_int_t)st->prefetches, "upstream_answers",
	    (json_int_t)st->upstream_answers, "failures",
	    (json_int_t)st->upstream_fail, "dropped", (json_int_t)st->dropped,
	    "latency", lat, "cache", "entries", (json_int_t)st->cache_entries,
	    "bytes", (json_int_t)st->cache_bytes, "max_bytes",
	    (json_int_t)st->cache_max_bytes);
}

static json_t *upstreams(wot_dns_pool *p)
{
	json_t *a = json_array();
	wot_dns_upstream_stat u;

	for (size_t i = 0; wot_dns_pool_upstream_stat(p, i, &u) == 0; i++)
		json_array_append_new(
		    a, json_pack("{s:s,s:I,s:I,s:I,s:I,s:I}", "address", u.addr,
				 "srtt_ms", (json_int_t)u.srtt_ms, "sent",
				 (json_int_t)u.sent, "answered",
				 (json_int_t)u.answered, "timeouts",
				 (json_int_t)u.timeouts, "loop_detected_at",
				 (json_int_t)u.loop_at));
	return a;
}

/* Propagation: NOTIFYs received on the peer port and sent after a
 * publish. */
static json_t *notify_counters(const wot_prop *p, const wot_sched_stats *f)
{
	wot_prop_stats s;

	wot_prop_stats_get(p, &s);
	return json_pack(
	    "{s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I},s:{s:I,s:I,s:I,s:I},s:{s:I,s:I}}",
	    "received", "packets", (json_int_t)s.received, "notifies",
	    (json_int_t)s.notifies, "accepted", (json_int_t)s.accepted,
	    "ignored", (json_int_t)s.ignored, "coalesced",
	    (json_int_t)f->coalesced, "refused", (json_int_t)s.refused,
	    "dropped", (json_int_t)s.dropped, "sent", "publishes",
	    (json_int_t)s.publishes, "notifies", (json_int_t)s.sent, "answered",
	    (json_int_t)s.answered, "unanswered", (json_int_t)s.unanswered,
	    "syncs", "fetches", (json_int_t)f->fetches, "failed",
	    (json_int_t)f->failed);
}

/* Shards the last load skipped, or why it failed: [] when none. */
static json_t *load_errors(wot_dns_accepted *acc)
{
	json_t *a = json_array();
	char **errors = NULL;

	wot_dns_accepted_errors(acc, &errors);
	for (size_t i = 0; errors && errors[i]; i++)
		json_array_append_new(a, json_string(errors[i]));
	wot_strv_free(errors);
	return a;
}

int wot_daemon_status_json(const wot_daemon_info *info, char **json)
{
	wot_dns_stats st;
	json_t *doc, *listen = json_array();

	wot_dns_pool_stats(info->pool, &st);
	for (size_t i = 0; info->listen && info->listen[i]; i++)
		json_array_append_new(listen, json_string(info->listen[i]));
	doc = json_pack("{s:I,s:I,s:I,s:I,s:o,s:o,s:o}", "pid",
			(json_int_t)getpid(), "uptime_s",
			(json_int_t)info->uptime_s, "threads",
			(json_int_t)wot_dns_pool_threads(info->pool), "records",
			(json_int_t)info->records, "listen", listen, "counters",
			counters(&st), "upstreams", upstreams(info->pool));
	if (doc)
		json_object_set_new(doc, "notify",
				    notify_counters(info->prop, &info->sched));
	if (doc)
		json_object_set_new(doc, "load_errors",
				    load_errors(info->accepted));
	if (doc)
		json_object_set_new(doc, "no_upstream",
				    json_boolean(info->no_upstream));
	if (doc && info->opinions)
		json_object_set_new(doc, "opinions",
				    wot_opinions_status(info->opinions));
	if (doc && info->neighbors)
		json_object_set_new(doc, "neighbors",
				    wot_neighbor_status(info->neighbors));
	*json = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
	json_decref(doc);
	return *json ? 0 : wot_error_set(WOT_ENOMEM, "out of memory");
}

int wot_daemon_status(const wot_home *h, char **json)
{
	char *path = wot_state_path(h, WOT_STATE_SERVE_SOCK);
	int rc;

	*json = NULL;
	if (!path)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	rc = wot_dns_control_fetch(path, 2000, json);
	free(path);
	return rc;
}

/*
 * server.c - the DNS server object: the listener's handler (each query
 * answered, chased or forwarded), the listener itself (net.h: one UDP
 * socket and one TCP listener per address), table swaps, and the close
 * sequence that lets the caller's loop close cleanly.
 */
#include "dns/resolver/cache.h"
#include "dns/resolver/server_int.h"
#include "util/util.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void wot_dns_server_send(wot_dns_server *s, const wot_dns_dest *d,
			 const uint8_t *buf, size_t len)
{
	if (s->closer.closing)
		return;
	if (!d->out) {
		wot_net_req_reply(d->req, buf, len);
		return;
	}
	/* The request of now: its reply goes back from the handler. */
	if (len > d->cap)
		return;
	if (buf != d->out)
		memcpy(d->out, buf, len);
	*d->rlen = len;
}

void wot_dns_server_latency(wot_dns_server *s, uint64_t t0)
{
	uint64_t ns = wot_dns_server_ns(s) - t0, bound = 100000; /* 0.1 ms */
	int i = 0;

	while (i < WOT_DNS_LAT_BUCKETS - 1 && ns >= bound) {
		bound *= 10;
		i++;
	}
	s->stats.latency[i]++;
}

int wot_dns_server_handle(void *ctx, wot_net_req *req, const uint8_t *pkt,
			  size_t len, uint8_t *out, size_t cap, size_t *rlen)
{
	wot_dns_server *s = ctx;
	wot_dns_dest d = {req, out, cap, rlen, 0};
	uint64_t t0 = wot_dns_server_ns(s);
	size_t alen = 0;
	int action = WOT_DNS_DROP, rc;

	*rlen = 0;
	s->stats.queries++;
	/* The answer is built where the listener sends it from. */
	rc = wot_dns_answer(s->table, pkt, len, wot_net_req_tcp(req), out, cap,
			    &alen, &action);
	if (rc < 0) {
		wot_log(WOT_LOG_WARNING, "dns", "answer: %s", wot_error_last());
		action = WOT_DNS_DROP;
	}
	switch (action) {
	case WOT_DNS_REPLY:
		s->stats.overlay++;
		wot_dns_server_send(s, &d, out, alen);
		wot_dns_server_latency(s, t0);
		break;
	case WOT_DNS_CHASE:
		s->stats.overlay++;
		wot_dns_chase(s, &d, pkt, len, out, alen, t0);
		break;
	case WOT_DNS_FORWARD:
		if (wot_dns_answer_local(s, &d, pkt, len)) {
			wot_dns_server_latency(s, t0);
			break;
		}
		s->stats.forwarded++;
		wot_dns_forward(s, &d, pkt, len, t0);
		break;
	default:
		s->stats.dropped++;
		break;
	}
	if (*rlen)
		return WOT_NET_REPLY;
	return d.kept ? WOT_NET_LATER : WOT_NET_DROP;
}

int wot_dns_server_new(wot_dns_server **out, uv_loop_t *loop,
		       const wot_dns_server_opts *opts)
{
	struct sockaddr_storage *ups = NULL;
	wot_dns_server *s = NULL;
	int rc = 0;

	*out = NULL;
	if (!loop || !opts || !opts->nlisten || !opts->listen ||
	    (opts->nupstream && !opts->upstream))
		return wot_error_set(WOT_EINVAL, "no loop or listen address");
	s = calloc(1, sizeof(*s));
	ups = calloc(opts->nupstream + 1, sizeof(*ups));
	if (s) {
		s->want = calloc(opts->nlisten, sizeof(*s->want));
		s->bound = calloc(opts->nlisten, sizeof(*s->bound));
	}
	if (!s || !ups || !s->want || !s->bound) {
		rc = wot_error_set(WOT_ENOMEM, "out of memory");
		goto out;
	}
	s->loop = loop;
	s->nls = opts->nlisten;
	for (size_t i = 0; i < opts->nlisten; i++) {
		rc = wot_dns_parse_addr(opts->listen[i], 53, &s->want[i]);
		if (rc < 0)
			goto out;
		if (!opts->allow_nonloopback &&
		    !wot_dns_addr_is_loopback(&s->want[i])) {
			rc = wot_error_set(WOT_EINVAL,
					   "refusing non-loopback listen "
					   "address %s",
					   opts->listen[i]);
			goto out;
		}
	}
	for (size_t i = 0; i < opts->nupstream; i++) {
		rc = wot_dns_parse_addr(opts->upstream[i], 53, &ups[i]);
		if (rc < 0)
			goto out;
	}
	if (opts->cache_bytes &&
	    (rc = wot_dns_cache_new(&s->cache, opts->cache_bytes)) < 0)
		goto out;
	s->reuseport = opts->reuseport;
	s->forward_overlay_tlds = opts->forward_overlay_tlds;
	s->tld_is_public = opts->tld_is_public;
	s->no_upstream = opts->no_upstream;
	s->max_ttl = opts->max_ttl ? opts->max_ttl : WOT_DNS_CACHE_MAX_TTL;
	if (opts->clock)
		s->clock = *opts->clock;
	if (opts->nupstream) {
		if (opts->loopguard) {
			s->guard = opts->loopguard;
			wot_dns_loopguard_ref(s->guard);
		} else if ((rc = wot_dns_loopguard_new(&s->guard, ups,
						       opts->nupstream)) < 0)
			goto out;
		rc = wot_dns_upstream_new(
		    &s->up, &(wot_dns_upstream_opts){
				.loop = loop,
				.addrs = ups,
				.n = opts->nupstream,
				.timeout_ms = opts->upstream_timeout_ms,
				.clock = s->clock.now_ms ? &s->clock : NULL,
				.io = opts->upstream_io});
		if (rc < 0)
			goto out;
		wot_dns_upstream_set_guard(s->up, s->guard);
		s->closer.live++;
	}
	*out = s;
	s = NULL;
out:
	if (s) {
		wot_dns_cache_free(s->cache);
		wot_dns_loopguard_free(s->guard);
		free(s->want);
		free(s->bound);
	}
	free(s);
	free(ups);
	return rc;
}

/* The resolver port: queries pipelined over TCP and answered as their
 * answers come, UDP in recvmmsg batches (RFC 7766 timeouts). */
static int listener_new(wot_dns_server *s)
{
	wot_net_listen_opts o = {
	    .handle = wot_dns_server_handle,
	    .cancel = wot_dns_client_cancel,
	    .ctx = s,
	    .flags = WOT_NET_BATCH | WOT_NET_BIGRCVBUF |
		     (s->reuseport ? WOT_NET_REUSEPORT : 0),
	    .udp_max = 65536,
	    .udp_reply_max = WOT_DNS_TCP_MAX,
	    .tcp_reply_max = WOT_DNS_TCP_MAX,
	    .tcp_msg_max = WOT_DNS_TCP_MAX,
	    .max_conns = WOT_DNS_MAX_CONNS,
	    .idle_ms = WOT_DNS_IDLE_MS,
	    .msg_ms = WOT_DNS_MSG_MS,
	    .backlog = WOT_DNS_BACKLOG,
	    .wqueue_max = WOT_DNS_WQUEUE_MAX,
	};
	int rc = wot_net_listener_new(&s->net, s->loop, &o);

	if (rc == 0)
		s->closer.live++;
	return rc;
}

int wot_dns_server_start(wot_dns_server *s)
{
	char addr[80];
	int rc;

	if (!s || s->started || s->closer.closing)
		return wot_error_set(WOT_EINVAL, "server already started");
	s->started = 1;
	if ((rc = listener_new(s)) < 0)
		return rc;
	for (size_t i = 0; i < s->nls; i++) {
		rc = wot_net_listener_add(s->net, &s->want[i], &s->bound[i]);
		if (rc < 0) {
			wot_dns_format_addr(&s->want[i], addr, sizeof(addr));
			return wot_error_wrap(rc, "%s", addr);
		}
		s->nbound = i + 1;
		wot_dns_format_addr(&s->bound[i], addr, sizeof(addr));
		wot_log(WOT_LOG_DEBUG, "dns", "listening on %s (UDP and TCP)",
			addr);
	}
	return 0;
}

int wot_dns_server_bound(const wot_dns_server *s, size_t i, char *buf,
			 size_t len)
{
	if (!s || i >= s->nbound || !buf)
		return wot_error_set(WOT_EINVAL, "listen entry %zu not bound",
				     i);
	return wot_dns_format_addr(&s->bound[i], buf, len);
}

void wot_dns_server_set_table(wot_dns_server *s, wot_dns_table *t)
{
	wot_dns_table *old;

	if (!s) {
		wot_dns_table_free(t);
		return;
	}
	/* Answers are built synchronously on the loop thread, so nothing
	 * still points into the old table. */
	old = s->table;
	s->table = t;
	/* Cached answers were scrubbed against the old overlay: those with
	 * a name the new one claims go at their next lookup, the rest (stale
	 * ones for serve-stale included) stay. */
	if (old != t)
		wot_dns_cache_set_overlay(s->cache, t);
	wot_dns_table_free(old);
}

void wot_dns_server_stats(const wot_dns_server *s, wot_dns_stats *out)
{
	wot_dns_cache_stats cs;
	wot_net_listen_stats ns;

	if (!out)
		return;
	memset(out, 0, sizeof(*out));
	if (!s)
		return;
	*out = s->stats;
	/* Datagrams too big to be a query of ours are dropped unread. */
	wot_net_listener_stats(s->net, &ns);
	out->dropped += ns.udp_partial;
	if (s->cache) {
		wot_dns_cache_get_stats(s->cache, &cs);
		out->cache_entries = cs.entries;
		out->cache_bytes = cs.bytes;
		out->cache_max_bytes = cs.max_bytes;
	}
}

void wot_dns_stats_add(wot_dns_stats *sum, const wot_dns_stats *s)
{
	/* Every field is a uint64_t counter or gauge: add them all. */
	uint64_t *d = (uint64_t *)sum;
	const uint64_t *v = (const uint64_t *)s;

	for (size_t i = 0; i < sizeof(*s) / sizeof(uint64_t); i++)
		d[i] += v[i];
}

int wot_dns_server_upstream_stat(const wot_dns_server *s, size_t i,
				 wot_dns_upstream_stat *out)
{
	if (!s || !s->up)
		return WOT_ENOENT;
	return wot_dns_upstream_get_stat(s->up, i, out);
}

void wot_dns_server_unref(wot_dns_server *s)
{
	wot_closer k;

	if (!wot_closer_release(&s->closer, &k))
		return;
	wot_dns_table_free(s->table);
	wot_dns_cache_free(s->cache);
	wot_dns_loopguard_free(s->guard);
	free(s->want);
	free(s->bound);
	free(s);
	wot_closer_end(&k);
}

static void on_listener_closed(void *data)
{
	wot_dns_server_unref(data);
}

static void on_upstream_closed(void *data)
{
	wot_dns_server_unref(data);
}

void wot_dns_server_close(wot_dns_server *s, void (*cb)(void *data), void *data)
{
	if (!s || !wot_closer_begin(&s->closer, cb, data))
		return;
	s->closer.live++; /* so nothing below can free s under us */
	/* Its kept requests end first (their clients freed), then the
	 * prefetches that have no client. */
	if (s->net)
		wot_net_listener_close(s->net, on_listener_closed, s);
	wot_dns_forward_cancel(s);
	if (s->up)
		wot_dns_upstream_close(s->up, on_upstream_closed, s);
	wot_dns_server_unref(s);
}

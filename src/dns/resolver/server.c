/*
 * server.c - the DNS server object: listeners (one UDP socket and one TCP
 * listener per address, sharing a port), UDP queries, table swaps, and the
 * close sequence that lets the caller's loop close cleanly.
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

enum { LISTEN_BACKLOG = 128 };

static void udp_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	wot_dns_listener *l = h->data;

	(void)hint;
	/* libuv splits this into 64 KiB slots, one datagram each; only the
	 * bytes received are ever touched. */
	buf->base = (char *)l->s->rbuf;
	buf->len = sizeof(l->s->rbuf);
}

void wot_dns_server_send(wot_dns_server *s, wot_dns_listener *l,
			 wot_dns_conn *conn,
			 const struct sockaddr_storage *addr,
			 const uint8_t *buf, size_t len)
{
	if (s->closing)
		return;
	if (conn)
		wot_dns_conn_write(conn, buf, len);
	else if (wot_dns_batch_add(l, addr, buf, len) < 0)
		wot_dns_udp_send(l, addr, buf, len);
}

void wot_dns_server_latency(wot_dns_server *s, uint64_t t0)
{
	uint64_t ns = uv_hrtime() - t0, bound = 100000; /* 0.1 ms */
	int i = 0;

	while (i < WOT_DNS_LAT_BUCKETS - 1 && ns >= bound) {
		bound *= 10;
		i++;
	}
	s->stats.latency[i]++;
}

void wot_dns_server_query(wot_dns_server *s, wot_dns_listener *l,
			  wot_dns_conn *conn,
			  const struct sockaddr_storage *addr,
			  const uint8_t *pkt, size_t len)
{
	uint64_t t0 = uv_hrtime();
	size_t rlen = 0;
	int action = WOT_DNS_DROP, rc;

	s->stats.queries++;
	rc = wot_dns_answer(s->table, pkt, len, conn != NULL, s->wbuf,
			    sizeof(s->wbuf), &rlen, &action);
	if (rc < 0) {
		wot_log(WOT_LOG_WARNING, "dns", "answer: %s", wot_error_last());
		action = WOT_DNS_DROP;
	}
	switch (action) {
	case WOT_DNS_REPLY:
		s->stats.overlay++;
		wot_dns_server_send(s, l, conn, addr, s->wbuf, rlen);
		wot_dns_server_latency(s, t0);
		break;
	case WOT_DNS_CHASE:
		s->stats.overlay++;
		wot_dns_chase(s, l, conn, addr, pkt, len, s->wbuf, rlen, t0);
		break;
	case WOT_DNS_FORWARD:
		if (wot_dns_answer_local(s, l, conn, addr, pkt, len)) {
			wot_dns_server_latency(s, t0);
			break;
		}
		s->stats.forwarded++;
		wot_dns_forward(s, l, conn, addr, pkt, len, t0);
		break;
	default:
		s->stats.dropped++;
		break;
	}
}

static void on_udp_recv(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf,
			const struct sockaddr *addr, unsigned flags)
{
	wot_dns_listener *l = h->data;
	struct sockaddr_storage from;

	if (nread < 0)
		wot_log(WOT_LOG_DEBUG, "dns", "UDP receive: %s",
			uv_strerror((int)nread));
	if (l->batch)
		l->batch->active = (flags & UV_UDP_MMSG_CHUNK) != 0;
	if (nread <= 0 || !addr || l->s->closing) {
		/* The end of a recvmmsg batch (MMSG_FREE): send the replies. */
		wot_dns_batch_flush(l);
		return;
	}
	if (flags & UV_UDP_PARTIAL) {
		l->s->stats.dropped++;
		return;
	}
	memset(&from, 0, sizeof(from));
	memcpy(&from, addr,
	       addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
					   : sizeof(struct sockaddr_in));
	wot_dns_server_query(l->s, l, NULL, &from, (const uint8_t *)buf->base,
			     (size_t)nread);
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
	if (s)
		s->ls = calloc(opts->nlisten, sizeof(*s->ls));
	if (!s || !ups || !s->ls) {
		rc = wot_error_set(WOT_ENOMEM, "out of memory");
		goto out;
	}
	s->loop = loop;
	s->nls = opts->nlisten;
	wot_dns_tcp_init(s);
	for (size_t i = 0; i < opts->nlisten; i++) {
		wot_dns_listener *l = &s->ls[i];
		l->s = s;
		rc = wot_dns_parse_addr(opts->listen[i], 53, &l->want);
		if (rc < 0)
			goto out;
		if (!opts->allow_nonloopback &&
		    !wot_dns_addr_is_loopback(&l->want)) {
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
				.timeout_ms = opts->upstream_timeout_ms});
		if (rc < 0)
			goto out;
		wot_dns_upstream_set_guard(s->up, s->guard);
		s->live++;
	}
	*out = s;
	s = NULL;
out:
	if (s) {
		wot_dns_cache_free(s->cache);
		wot_dns_loopguard_free(s->guard);
		free(s->ls);
	}
	free(s);
	free(ups);
	return rc;
}

static int listener_start(wot_dns_server *s, wot_dns_listener *l)
{
	int tfd = -1, ufd = -1, rc;

	rc = wot_dns_bind_pair(
	    &l->want,
	    WOT_DNS_BIND_BIGRCVBUF |
		(l->s->reuseport ? WOT_DNS_BIND_REUSEPORT : 0),
	    &l->bound, &tfd, &ufd);
	if (rc < 0)
		return rc;
	if (!l->batch && !(l->batch = calloc(1, sizeof(*l->batch)))) {
		close(tfd);
		close(ufd);
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	uv_tcp_init(s->loop, &l->tcp);
	/* recvmmsg(2): one system call reads a batch of queries. */
	uv_udp_init_ex(s->loop, &l->udp, UV_UDP_RECVMMSG);
	l->tcp.data = l->udp.data = l;
	l->tcp_open = l->udp_open = 1;
	s->live += 2;
	rc = uv_tcp_open(&l->tcp, tfd);
	if (rc == 0)
		tfd = -1;
	if (rc == 0 && (rc = uv_udp_open(&l->udp, ufd)) == 0)
		ufd = -1;
	if (rc == 0)
		rc = uv_listen((uv_stream_t *)&l->tcp, LISTEN_BACKLOG,
			       wot_dns_tcp_on_connection);
	if (rc == 0)
		rc = uv_udp_recv_start(&l->udp, udp_alloc, on_udp_recv);
	if (tfd >= 0)
		close(tfd);
	if (ufd >= 0)
		close(ufd);
	if (rc < 0)
		return wot_error_set(WOT_ENET, "listen: %s", uv_strerror(rc));
	return 0;
}

int wot_dns_server_start(wot_dns_server *s)
{
	char addr[80];
	int rc;

	if (!s || s->started || s->closing)
		return wot_error_set(WOT_EINVAL, "server already started");
	s->started = 1;
	for (size_t i = 0; i < s->nls; i++) {
		rc = listener_start(s, &s->ls[i]);
		if (rc < 0) {
			wot_dns_format_addr(&s->ls[i].want, addr, sizeof(addr));
			return wot_error_wrap(rc, "%s", addr);
		}
		wot_dns_format_addr(&s->ls[i].bound, addr, sizeof(addr));
		wot_log(WOT_LOG_DEBUG, "dns", "listening on %s (UDP and TCP)",
			addr);
	}
	return 0;
}

int wot_dns_server_bound(const wot_dns_server *s, size_t i, char *buf,
			 size_t len)
{
	if (!s || i >= s->nls || !s->ls[i].tcp_open || !buf)
		return wot_error_set(WOT_EINVAL, "listen entry %zu not bound",
				     i);
	return wot_dns_format_addr(&s->ls[i].bound, buf, len);
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

	if (!out)
		return;
	memset(out, 0, sizeof(*out));
	if (!s)
		return;
	*out = s->stats;
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
	void (*cb)(void *);
	void *data;

	if (--s->live > 0 || !s->closing)
		return;
	cb = s->close_cb;
	data = s->close_data;
	wot_dns_table_free(s->table);
	wot_dns_cache_free(s->cache);
	wot_dns_loopguard_free(s->guard);
	for (size_t i = 0; i < s->nls; i++)
		free(s->ls[i].batch);
	free(s->ls);
	free(s);
	if (cb)
		cb(data);
}

static void on_handle_closed(uv_handle_t *h)
{
	wot_dns_listener *l = h->data;

	wot_dns_server_unref(l->s);
}

static void on_upstream_closed(void *data)
{
	wot_dns_server_unref(data);
}

void wot_dns_server_close(wot_dns_server *s, void (*cb)(void *data), void *data)
{
	if (!s || s->closing)
		return;
	s->closing = 1;
	s->close_cb = cb;
	s->close_data = data;
	/* Hold one reference so nothing below can free s under us. */
	s->live++;
	for (size_t i = 0; i < s->nls; i++) {
		if (s->ls[i].udp_open)
			uv_close((uv_handle_t *)&s->ls[i].udp,
				 on_handle_closed);
		if (s->ls[i].tcp_open)
			uv_close((uv_handle_t *)&s->ls[i].tcp,
				 on_handle_closed);
	}
	wot_dns_forward_cancel(s, NULL);
	wot_conntab_close_all(&s->tcp);
	if (s->up)
		wot_dns_upstream_close(s->up, on_upstream_closed, s);
	wot_dns_server_unref(s);
}

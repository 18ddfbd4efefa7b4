/*
 * tcp.c - DNS over TCP (RFC 7766): 2-byte length framing, pipelined queries
 * answered as they complete, partial reads reassembled, a cap on unread
 * output. The connection table (conntab.c) bounds each message's time
 * and the idle time between them, and makes room for a newcomer.
 */
#include "dns/resolver/server_int.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
	uv_write_t req;
	wot_dns_conn *c;
	uint8_t data[];
} conn_write_req;

static void conn_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	wot_dns_conn *c = h->data;

	(void)hint;
	buf->base = (char *)c->s->rbuf;
	buf->len = 65536;
}

static void on_conn_handle_closed(uv_handle_t *h)
{
	wot_dns_conn *c = h->data;
	wot_dns_server *s = c->s;

	if (--c->handles > 0)
		return;
	wot_buf_dispose(&c->in);
	free(c);
	wot_dns_server_unref(s);
}

void wot_dns_conn_close(wot_dns_conn *c)
{
	wot_dns_server *s = c->s;

	if (c->closing)
		return;
	c->closing = 1;
	wot_conntab_remove(&c->slot);
	wot_dns_forward_cancel(s, c);
	uv_close((uv_handle_t *)&c->tcp, on_conn_handle_closed);
	uv_close((uv_handle_t *)&c->slot.timer, on_conn_handle_closed);
}

void wot_dns_conn_settle(wot_dns_conn *c)
{
	/* A client that half-closed still gets its pending answers. */
	if (!c->closing && c->eof && c->pending == 0 && c->writes == 0)
		wot_dns_conn_close(c);
}

static void on_write(uv_write_t *req, int status)
{
	conn_write_req *w = (conn_write_req *)req;
	wot_dns_conn *c = w->c;

	free(w);
	c->writes--;
	if (status < 0) {
		if (status != UV_ECANCELED)
			wot_log(WOT_LOG_DEBUG, "dns", "TCP write: %s",
				uv_strerror(status));
		wot_dns_conn_close(c);
		return;
	}
	wot_dns_conn_settle(c);
}

void wot_dns_conn_write(wot_dns_conn *c, const uint8_t *buf, size_t len)
{
	conn_write_req *w;
	uv_buf_t b;
	int rc;

	if (c->closing || len > WOT_DNS_TCP_MAX)
		return;
	if (uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp) >
	    WOT_DNS_WQUEUE_MAX) {
		wot_log(WOT_LOG_DEBUG, "dns", "TCP client not reading");
		wot_dns_conn_close(c);
		return;
	}
	w = malloc(sizeof(*w) + 2 + len);
	if (!w) {
		wot_dns_conn_close(c);
		return;
	}
	w->c = c;
	wot_wr16(w->data, (uint16_t)len);
	memcpy(w->data + 2, buf, len);
	b = uv_buf_init((char *)w->data, (unsigned)(len + 2));
	rc = uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, on_write);
	if (rc < 0) {
		wot_log(WOT_LOG_DEBUG, "dns", "TCP write: %s", uv_strerror(rc));
		free(w);
		wot_dns_conn_close(c);
		return;
	}
	c->writes++;
}

/* Upstream attempts are bounded, so waiting on them is not idling. */
static int conn_busy(wot_conn_slot *slot)
{
	return ((wot_dns_conn *)slot->owner)->pending > 0;
}

static void conn_evict(wot_conn_slot *slot)
{
	wot_dns_conn_close(slot->owner);
}

void wot_dns_tcp_init(wot_dns_server *s)
{
	wot_conntab_init(&s->tcp, WOT_DNS_MAX_CONNS, WOT_DNS_IDLE_MS,
			 WOT_DNS_MSG_MS, conn_busy, conn_evict);
}

/* Answer every complete message in the buffer; keep a partial tail.
 * Returns how many were taken. */
static size_t process(wot_dns_conn *c)
{
	size_t off = 0, mlen, n = 0;

	while (!c->closing && c->in.len - off >= 2) {
		mlen = wot_rd16((const uint8_t *)c->in.ptr + off);
		if (mlen < WOT_DNS_HDR_LEN) {
			/* Not even a header: the framing is lost. */
			wot_dns_conn_close(c);
			return n;
		}
		if (c->in.len - off < 2 + mlen)
			break;
		wot_dns_server_query(c->s, NULL, c, NULL,
				     (const uint8_t *)c->in.ptr + off + 2,
				     mlen);
		off += 2 + mlen;
		n++;
	}
	if (c->closing)
		return n;
	memmove(c->in.ptr, c->in.ptr + off, c->in.len - off);
	c->in.len -= off;
	return n;
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
	wot_dns_conn *c = stream->data;
	size_t n;

	if (c->closing || nread == 0)
		return;
	if (nread == UV_EOF) {
		uv_read_stop(stream);
		c->eof = 1;
		wot_dns_conn_settle(c);
		return;
	}
	if (nread < 0) {
		wot_dns_conn_close(c);
		return;
	}
	if (wot_buf_put(&c->in, buf->base, (size_t)nread) < 0) {
		wot_dns_conn_close(c);
		return;
	}
	n = process(c);
	if (!c->closing)
		wot_conntab_progress(&c->slot, n, c->in.len > 0);
}

/* A new connection object, in the table, with both handles open. */
static wot_dns_conn *conn_new(wot_dns_server *s)
{
	wot_dns_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->s = s;
	uv_tcp_init(s->loop, &c->tcp);
	c->tcp.data = c;
	wot_conntab_add(&s->tcp, &c->slot, s->loop, c);
	c->handles = 2;
	s->live++;
	return c;
}

void wot_dns_tcp_on_connection(uv_stream_t *server, int status)
{
	wot_dns_listener *l = server->data;
	wot_dns_conn *c;
	int rc, room;

	if (status < 0) {
		wot_log(WOT_LOG_WARNING, "dns", "TCP accept: %s",
			uv_strerror(status));
		return;
	}
	if (l->s->closing)
		return;
	/* Full: the longest idle or partial connection makes way. */
	room = wot_conntab_make_room(&l->s->tcp);
	if (!(c = conn_new(l->s)))
		return;
	rc = uv_accept(server, (uv_stream_t *)&c->tcp);
	if (rc == 0 && room < 0)
		rc = UV_EMFILE; /* accepted only to drain the backlog */
	if (rc == 0) {
		uv_tcp_nodelay(&c->tcp, 1);
		rc = uv_read_start((uv_stream_t *)&c->tcp, conn_alloc, on_read);
	}
	if (rc < 0) {
		wot_log(WOT_LOG_DEBUG, "dns", "TCP connection refused: %s",
			uv_strerror(rc));
		wot_dns_conn_close(c);
	}
}

/*
 * listen_tcp.c - the listener's DNS over TCP (RFC 7766): 2-byte length
 * framing, partial reads reassembled, pipelined messages answered as they
 * complete (or, WOT_NET_ONE_AT_A_TIME, the next one read only once the
 * answer to this one is written), a cap on unread output. The connection
 * table (conntab.c) bounds each message's time and the idle time between
 * them, and makes room for a newcomer.
 */
#include "dns/net/listen_int.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
	uv_write_t req;
	wot_net_conn *c;
	uint8_t data[];
} conn_write_req;

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf);

static void conn_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	wot_net_conn *c = h->data;

	(void)hint;
	buf->base = (char *)c->l->rbuf;
	buf->len =
	    c->l->rlen < WOT_NET_TCP_READ ? c->l->rlen : WOT_NET_TCP_READ;
}

static void on_conn_handle_closed(uv_handle_t *h)
{
	wot_net_conn *c = h->data;
	wot_net_listener *l = c->l;

	if (--c->handles > 0)
		return;
	wot_buf_dispose(&c->in);
	free(c);
	wot_net_listener_unref(l);
}

/* Every request c's handler kept ends here, as a drop. */
static void cancel_kept(wot_net_conn *c)
{
	wot_net_req *r;

	while ((r = c->kept)) {
		c->kept = r->next;
		r->prev = r->next = NULL;
		r->state = WOT_NET_REQ_ENDED;
		c->pending--;
		c->l->o.cancel(c->l->o.ctx, r);
	}
}

void wot_net_conn_close(wot_net_conn *c)
{
	if (c->closing)
		return;
	c->closing = 1;
	wot_net_conntab_remove(&c->slot);
	cancel_kept(c);
	uv_close((uv_handle_t *)&c->tcp, on_conn_handle_closed);
	uv_close((uv_handle_t *)&c->slot.timer, on_conn_handle_closed);
}

/* Nothing of c is under way: the handler holds no request of it and no
 * answer is being written. */
static int conn_idle(const wot_net_conn *c)
{
	return c->pending == 0 && c->writes == 0;
}

static void process(wot_net_conn *c);

static int read_start(wot_net_conn *c)
{
	if (c->reading || c->eof)
		return 0;
	c->reading = 1;
	return uv_read_start((uv_stream_t *)&c->tcp, conn_alloc, on_read);
}

void wot_net_conn_settle(wot_net_conn *c)
{
	/* Inside the handler the caller's loop goes on by itself. */
	if (c->closing || c->dispatching || !conn_idle(c))
		return;
	/* A client that half-closed still gets its pending answers. */
	if (c->eof) {
		wot_net_conn_close(c);
		return;
	}
	/* One at a time: the answer is out, on to the next message (one may
	 * be buffered already). */
	if (c->l->o.flags & WOT_NET_ONE_AT_A_TIME) {
		if (read_start(c) < 0)
			wot_net_conn_close(c);
		else
			process(c);
	}
}

static void on_write(uv_write_t *req, int status)
{
	conn_write_req *w = (conn_write_req *)req;
	wot_net_conn *c = w->c;

	free(w);
	c->writes--;
	if (status < 0) {
		if (status != UV_ECANCELED)
			wot_log(WOT_LOG_DEBUG, "dns", "TCP write: %s",
				uv_strerror(status));
		wot_net_conn_close(c);
		return;
	}
	wot_net_conn_settle(c);
}

void wot_net_conn_write(wot_net_conn *c, const uint8_t *buf, size_t len)
{
	conn_write_req *w;
	uv_buf_t b;
	int rc;

	if (c->closing || len > 65535)
		return;
	if (uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp) >
	    c->l->o.wqueue_max) {
		wot_log(WOT_LOG_DEBUG, "dns", "TCP client not reading");
		wot_net_conn_close(c);
		return;
	}
	w = malloc(sizeof(*w) + 2 + len);
	if (!w) {
		wot_net_conn_close(c);
		return;
	}
	w->c = c;
	w->data[0] = (uint8_t)(len >> 8);
	w->data[1] = (uint8_t)len;
	memcpy(w->data + 2, buf, len);
	b = uv_buf_init((char *)w->data, (unsigned)(len + 2));
	rc = uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, on_write);
	if (rc < 0) {
		wot_log(WOT_LOG_DEBUG, "dns", "TCP write: %s", uv_strerror(rc));
		free(w);
		wot_net_conn_close(c);
		return;
	}
	c->writes++;
}

/* Hand one whole message to the handler. */
static void conn_message(wot_net_conn *c, const uint8_t *msg, size_t len)
{
	wot_net_req req;

	memset(&req, 0, sizeof(req));
	req.l = c->l;
	req.conn = c;
	req.from = c->peer;
	c->dispatching = 1;
	wot_net_dispatch(c->l, &req, msg, len);
	c->dispatching = 0;
}

/* One at a time and an answer under way: leave the rest buffered and read
 * no more until it is written. */
static int must_wait(wot_net_conn *c)
{
	if (!(c->l->o.flags & WOT_NET_ONE_AT_A_TIME) || conn_idle(c))
		return 0;
	if (c->reading) {
		uv_read_stop((uv_stream_t *)&c->tcp);
		c->reading = 0;
	}
	return 1;
}

/* Answer every complete message in the buffer (one at a time: while
 * nothing is under way); keep a partial tail. Returns how many. */
static size_t take_messages(wot_net_conn *c)
{
	const uint8_t *p = (const uint8_t *)c->in.ptr;
	size_t off = 0, mlen, n = 0;

	while (!c->closing && !must_wait(c) && c->in.len - off >= 2) {
		mlen = wot_net_rd16(p + off);
		if (mlen < WOT_NET_HDR_LEN || mlen > c->l->o.tcp_msg_max) {
			/* No message is that size: the framing is lost. */
			c->l->st.bad_frames++;
			wot_net_conn_close(c);
			return n;
		}
		if (c->in.len - off < 2 + mlen)
			break;
		off += 2 + mlen;
		n++;
		conn_message(c, p + off - mlen, mlen);
	}
	if (c->closing)
		return n;
	memmove(c->in.ptr, c->in.ptr + off, c->in.len - off);
	c->in.len -= off;
	return n;
}

static void process(wot_net_conn *c)
{
	size_t n = take_messages(c);

	if (!c->closing)
		wot_net_conntab_progress(&c->slot, n, c->in.len > 0);
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
	wot_net_conn *c = stream->data;

	if (c->closing || nread == 0)
		return;
	if (nread == UV_EOF) {
		uv_read_stop(stream);
		c->reading = 0;
		c->eof = 1;
		wot_net_conn_settle(c);
		return;
	}
	if (nread < 0 || wot_buf_put(&c->in, buf->base, (size_t)nread) < 0) {
		wot_net_conn_close(c);
		return;
	}
	process(c);
}

/* Upstream attempts are bounded, so waiting on them is not idling. */
static int conn_busy(wot_net_slot *slot)
{
	return ((wot_net_conn *)slot->owner)->pending > 0;
}

static void conn_evict(wot_net_slot *slot)
{
	wot_net_conn_close(slot->owner);
}

void wot_net_tcp_init(wot_net_listener *l)
{
	wot_net_conntab_init(&l->tab, l->o.max_conns, l->o.idle_ms, l->o.msg_ms,
			     conn_busy, conn_evict);
}

/* A new connection object, in the table, with both handles open. */
static wot_net_conn *conn_new(wot_net_listener *l)
{
	wot_net_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->l = l;
	uv_tcp_init(l->loop, &c->tcp);
	c->tcp.data = c;
	wot_net_conntab_add(&l->tab, &c->slot, l->loop, c);
	c->handles = 2;
	l->closer.live++;
	return c;
}

static void on_connection(uv_stream_t *server, int status)
{
	wot_net_sock *s = server->data;
	wot_net_listener *l = s->l;
	int len = sizeof(struct sockaddr_storage), rc, room;
	wot_net_conn *c;

	if (status < 0) {
		wot_log(WOT_LOG_WARNING, "dns", "TCP accept: %s",
			uv_strerror(status));
		return;
	}
	if (l->closer.closing)
		return;
	/* Full: the longest idle or partial connection makes way. */
	room = wot_net_conntab_make_room(&l->tab);
	if (!(c = conn_new(l)))
		return;
	rc = uv_accept(server, (uv_stream_t *)&c->tcp);
	if (rc == 0 && room < 0)
		rc = UV_EMFILE; /* accepted only to drain the backlog */
	if (rc == 0)
		rc = uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&c->peer,
					&len);
	if (rc == 0) {
		uv_tcp_nodelay(&c->tcp, 1);
		rc = read_start(c);
	}
	if (rc < 0) {
		wot_log(WOT_LOG_DEBUG, "dns", "TCP connection refused: %s",
			uv_strerror(rc));
		wot_net_conn_close(c);
	}
}

int wot_net_tcp_start(wot_net_sock *s, int fd)
{
	wot_net_listener *l = s->l;
	int rc;

	uv_tcp_init(l->loop, &s->tcp);
	s->tcp.data = s;
	s->tcp_open = 1;
	l->closer.live++;
	rc = uv_tcp_open(&s->tcp, fd);
	if (rc < 0)
		close(fd);
	else
		rc = uv_listen((uv_stream_t *)&s->tcp, l->o.backlog,
			       on_connection);
	if (rc < 0)
		return wot_error_set(WOT_ENET, "listen: %s", uv_strerror(rc));
	return 0;
}

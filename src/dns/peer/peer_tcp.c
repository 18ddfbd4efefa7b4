/*
 * peer_tcp.c - NOTIFY and opinion questions over TCP on the peer port
 * (RFC 1996 allows either; RFC 7766 framing): the same answers as over
 * UDP, but an opinion may be up to WOT_PEER_TCP_WBUF bytes (what an RRset
 * too big for UDP is asked again for), at most 16 clients (the longest
 * idle or partial one makes way for a newcomer), 5 s idle timeout between
 * messages and 3 s for each message (conntab.c), one message in flight
 * per connection (a client that does not read its answers is not given
 * more).
 */
#include "dns/peer/peer_int.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct wot_peer_conn {
	wot_dns_peer_listener *l;
	wot_conn_slot slot; /* in l->tcp; its timer is our second handle */
	uv_tcp_t tcp;
	uv_write_t wreq;
	struct sockaddr_storage peer;
	size_t len;  /* bytes in in */
	int handles; /* open libuv handles, freed at 0 */
	int writing; /* an answer is being written */
	int closing;
	uint8_t in[2 + WOT_NOTIFY_MSG_MAX];
	uint8_t out[2 + WOT_PEER_TCP_WBUF];
};

static void conn_closed(uv_handle_t *h)
{
	wot_peer_conn *c = h->data;
	wot_dns_peer_listener *l = c->l;

	if (--c->handles > 0)
		return;
	free(c);
	wot_peer_handle_closed(l);
}

static void conn_close(wot_peer_conn *c)
{
	if (c->closing)
		return;
	c->closing = 1;
	wot_conntab_remove(&c->slot);
	uv_close((uv_handle_t *)&c->tcp, conn_closed);
	uv_close((uv_handle_t *)&c->slot.timer, conn_closed);
}

static void conn_evict(wot_conn_slot *slot)
{
	conn_close(slot->owner);
}

/* Answers are made at once: no connection waits on us (busy is NULL). */
void wot_peer_tcp_init(wot_dns_peer_listener *l)
{
	wot_conntab_init(&l->tcp, WOT_PEER_MAX_CONNS, WOT_PEER_IDLE_MS,
			 WOT_PEER_MSG_MS, NULL, conn_evict);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	wot_peer_conn *c = h->data;

	(void)hint;
	*b = uv_buf_init((char *)c->in + c->len,
			 (unsigned)(sizeof(c->in) - c->len));
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b);
static void drain(wot_peer_conn *c);

static void on_written(uv_write_t *req, int status)
{
	wot_peer_conn *c = req->data;

	c->writing = 0;
	if (status < 0 || c->closing) {
		conn_close(c);
		return;
	}
	/* Read the next message only now: one answer in flight at most. */
	if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) < 0)
		conn_close(c);
	else
		drain(c); /* a pipelined message may be waiting already */
}

/* A whole frame is in c->in: answer it, keep what follows. */
static void frame_answer(wot_peer_conn *c, size_t mlen)
{
	size_t rlen = 0;
	int v =
	    wot_peer_handle(c->l, (const struct sockaddr *)&c->peer, c->in + 2,
			    mlen, c->out + 2, sizeof(c->out) - 2, 1, &rlen);
	uv_buf_t b;

	memmove(c->in, c->in + 2 + mlen, c->len - 2 - mlen);
	c->len -= 2 + mlen;
	if (v == WOT_NOTIFY_DROP || !rlen) {
		conn_close(c); /* garbage over TCP: hang up */
		return;
	}
	wot_wr16(c->out, (uint16_t)rlen);
	b = uv_buf_init((char *)c->out, (unsigned)(rlen + 2));
	c->wreq.data = c;
	uv_read_stop((uv_stream_t *)&c->tcp);
	if (uv_write(&c->wreq, (uv_stream_t *)&c->tcp, &b, 1, on_written) < 0)
		conn_close(c);
	else
		c->writing = 1;
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
	wot_peer_conn *c = s->data;

	(void)b;
	if (n < 0) {
		conn_close(c);
		return;
	}
	c->len += (size_t)n;
	drain(c);
}

/* Answer the first whole frame buffered, if any (one at a time). */
static void drain(wot_peer_conn *c)
{
	size_t mlen, taken = 0;

	if (c->closing || c->writing)
		return;
	if (c->len >= 2) {
		mlen = wot_rd16(c->in);
		if (mlen < WOT_DNS_HDR_LEN || mlen > WOT_NOTIFY_MSG_MAX) {
			c->l->st.received++;
			c->l->st.dropped++;
			conn_close(c); /* no NOTIFY is that size */
			return;
		}
		if (c->len >= 2 + mlen) {
			frame_answer(c, mlen);
			taken = 1;
		}
	}
	if (!c->closing)
		wot_conntab_progress(&c->slot, taken, c->len > 0);
}

static void on_connection(uv_stream_t *server, int status)
{
	wot_peer_sock *ps = server->data;
	wot_dns_peer_listener *l = ps->l;
	wot_peer_conn *c;
	int len = sizeof(struct sockaddr_storage), room;

	if (status < 0 || l->closing)
		return;
	/* Full: the longest idle or partial connection makes way. */
	room = wot_conntab_make_room(&l->tcp);
	if (!(c = calloc(1, sizeof(*c))))
		return;
	c->l = l;
	uv_tcp_init(l->loop, &c->tcp);
	c->tcp.data = c;
	wot_conntab_add(&l->tcp, &c->slot, l->loop, c);
	c->handles = 2;
	l->live++;
	if (uv_accept(server, (uv_stream_t *)&c->tcp) < 0 || room < 0 ||
	    uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&c->peer, &len) <
		0 ||
	    uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) < 0)
		conn_close(c);
}

int wot_peer_tcp_start(wot_dns_peer_listener *l, wot_peer_sock *ps, int fd)
{
	int rc;

	uv_tcp_init(l->loop, &ps->tcp);
	ps->tcp.data = ps;
	ps->tcp_open = 1;
	l->live++;
	rc = uv_tcp_open(&ps->tcp, fd);
	if (rc < 0)
		close(fd);
	if (rc == 0)
		rc = uv_listen((uv_stream_t *)&ps->tcp, 16, on_connection);
	return rc < 0 ? wot_error_set(WOT_ENET, "peer listener (tcp): %s",
				      uv_strerror(rc))
		      : 0;
}

void wot_peer_tcp_close_all(wot_dns_peer_listener *l)
{
	wot_conntab_close_all(&l->tcp);
}

/*
 * opinion_tcp.c - one opinion question asked again over TCP (RFC 7766
 * framing) after its UDP answer came back truncated: connect, send the
 * question once, read one answer of at most max bytes, hang up. Every
 * byte from the peer is hostile: the frame length is checked against max
 * and the DNS header size before anything is kept, and nothing is read
 * beyond the first frame.
 */
#include "dns/peer/opinion_tcp.h"
#include "dns/resolver/resolver_int.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

struct wot_opinion_tcp {
	uv_tcp_t tcp;
	uv_timer_t timer;
	uv_connect_t conn;
	uv_write_t wr;
	wot_opinion_tcp_cb cb;
	void *data;
	size_t max, got;
	int handles, done;
	uint8_t q[2 + WOT_OPINION_TCP_QMAX];
	size_t qlen;
	uint8_t *in; /* 2 + max */
};

static void on_closed(uv_handle_t *h)
{
	wot_opinion_tcp *t = h->data;

	if (--t->handles > 0)
		return;
	free(t->in);
	free(t);
}

/* The one outcome: cb (unless cancelled), then close everything. */
static void finish(wot_opinion_tcp *t, const uint8_t *pkt, size_t len)
{
	if (t->done)
		return;
	t->done = 1;
	if (t->cb)
		t->cb(t->data, pkt, len);
	uv_close((uv_handle_t *)&t->tcp, on_closed);
	uv_close((uv_handle_t *)&t->timer, on_closed);
}

static void on_timeout(uv_timer_t *h)
{
	finish(h->data, NULL, 0);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	wot_opinion_tcp *t = h->data;

	(void)hint;
	*b = uv_buf_init((char *)t->in + t->got,
			 (unsigned)(2 + t->max - t->got));
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
	wot_opinion_tcp *t = s->data;
	size_t flen;

	(void)b;
	if (t->done)
		return;
	if (n < 0) { /* EOF or error before a whole frame */
		finish(t, NULL, 0);
		return;
	}
	t->got += (size_t)n;
	if (t->got < 2)
		return;
	flen = wot_rd16(t->in);
	if (flen < WOT_DNS_HDR_LEN || flen > t->max) {
		wot_log(WOT_LOG_INFO, "dns",
			"opinion over tcp: answer of %zu bytes refused", flen);
		finish(t, NULL, 0);
	} else if (t->got >= 2 + flen) {
		finish(t, t->in + 2, flen);
	}
}

static void on_written(uv_write_t *w, int status)
{
	wot_opinion_tcp *t = w->data;
	int rc;

	if (t->done)
		return;
	rc = status < 0
		 ? status
		 : uv_read_start((uv_stream_t *)&t->tcp, on_alloc, on_read);
	if (rc < 0)
		finish(t, NULL, 0);
}

static void on_connect(uv_connect_t *c, int status)
{
	wot_opinion_tcp *t = c->data;
	uv_buf_t b = uv_buf_init((char *)t->q, (unsigned)t->qlen);

	if (t->done)
		return;
	t->wr.data = t;
	if (status < 0 ||
	    uv_write(&t->wr, (uv_stream_t *)&t->tcp, &b, 1, on_written) < 0)
		finish(t, NULL, 0);
}

int wot_opinion_tcp_start(wot_opinion_tcp **out, uv_loop_t *loop,
			  const struct sockaddr *from,
			  const struct sockaddr *to, const uint8_t *q,
			  size_t qlen, size_t max, unsigned timeout_ms,
			  wot_opinion_tcp_cb cb, void *data)
{
	wot_opinion_tcp *t;
	int rc;

	*out = NULL;
	if (qlen < WOT_DNS_HDR_LEN || qlen > WOT_OPINION_TCP_QMAX ||
	    max < WOT_DNS_HDR_LEN || max > 65535)
		return wot_error_set(WOT_EINVAL, "opinion over tcp: bad "
						 "question or size");
	if (!(t = calloc(1, sizeof(*t))) || !(t->in = malloc(2 + max))) {
		free(t);
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	t->cb = cb;
	t->data = data;
	t->max = max;
	wot_wr16(t->q, (uint16_t)qlen);
	memcpy(t->q + 2, q, qlen);
	t->qlen = qlen + 2;
	uv_tcp_init(loop, &t->tcp);
	uv_timer_init(loop, &t->timer);
	t->tcp.data = t->timer.data = t->conn.data = t;
	t->handles = 2;
	/* the same source address as the UDP question: one rate bucket */
	rc = from ? uv_tcp_bind(&t->tcp, from, 0) : 0;
	if (rc == 0)
		rc = uv_tcp_connect(&t->conn, &t->tcp, to, on_connect);
	if (rc == 0)
		rc = uv_timer_start(&t->timer, on_timeout,
				    timeout_ms ? timeout_ms : 1, 0);
	if (rc < 0) {
		t->cb = NULL;
		finish(t, NULL, 0);
		return wot_error_set(WOT_ENET, "opinion over tcp: %s",
				     uv_strerror(rc));
	}
	*out = t;
	return 0;
}

void wot_opinion_tcp_cancel(wot_opinion_tcp *t)
{
	if (!t)
		return;
	t->cb = NULL;
	finish(t, NULL, 0);
}

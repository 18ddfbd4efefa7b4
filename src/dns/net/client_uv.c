/*
 * client_uv.c - the engine's real network and clock on a libuv loop: a
 * fresh socket per attempt (UDP, or TCP with RFC 7766 framing and
 * bounded frames), one timer for every deadline, the
 * loop's time as the clock. The decisions are all in client_core.c.
 */
#include "dns/net/client_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
	wot_net_client *c;
	uv_loop_t *loop;
	uv_timer_t timer;
	int live; /* open handles: the timer and each attempt */
	void (*done)(void *arg);
	void *arg;
	uint8_t rbuf[65536]; /* reads are synchronous: one buffer is enough */
} uv_net;

typedef struct {
	union {
		uv_handle_t h;
		uv_udp_t udp;
		uv_tcp_t tcp;
	} u;
	uv_net *n;
	wot_net_query *r; /* NULL once the engine is done with the attempt */
	struct sockaddr_storage to;
	uv_connect_t creq;
	uv_write_t wreq;
	size_t qlen, max, got;
	uint8_t *in; /* TCP: 2 + max bytes for the first frame */
	uint8_t q[]; /* TCP: the framed question */
} attempt;

static uint64_t loop_now(void *loop)
{
	return uv_now(loop);
}

wot_clock wot_net_loop_clock(uv_loop_t *loop)
{
	return (wot_clock){.now_ms = loop_now, .ctx = loop};
}

static void net_free(uv_net *n)
{
	void (*done)(void *) = n->done;
	void *arg = n->arg;

	free(n);
	if (done)
		done(arg);
}

static void on_handle_closed(uv_handle_t *h)
{
	uv_net *n = h->data;

	if (--n->live == 0)
		net_free(n);
}

static void on_attempt_closed(uv_handle_t *h)
{
	attempt *a = h->data;
	uv_net *n = a->n;

	free(a);
	if (--n->live == 0)
		net_free(n);
}

static void on_timer(uv_timer_t *t)
{
	uv_net *n = t->data;

	wot_net_client_tick(n->c);
}

static void io_arm(void *ctx, uint64_t at)
{
	uv_net *n = ctx;
	/* at is on the engine's clock, which may be an injected one. */
	uint64_t now = wot_clock_now(&n->c->clock);

	if (at == UINT64_MAX)
		uv_timer_stop(&n->timer);
	else
		uv_timer_start(&n->timer, on_timer, at > now ? at - now : 0, 0);
}

static void io_close(void *ctx, void *handle)
{
	attempt *a = handle;

	(void)ctx;
	a->r = NULL;
	uv_close(&a->u.h, on_attempt_closed);
}

static void io_shutdown(void *ctx, void (*done)(void *arg), void *arg)
{
	uv_net *n = ctx;

	n->done = done;
	n->arg = arg;
	uv_close((uv_handle_t *)&n->timer, on_handle_closed);
}

static void fail(attempt *a, int code)
{
	if (a->r)
		wot_net_client_fail(a->n->c, a->r, code);
}

static void udp_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	attempt *a = h->data;

	(void)hint;
	*b = uv_buf_init((char *)a->n->rbuf, sizeof(a->n->rbuf));
}

static void on_udp_recv(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf,
			const struct sockaddr *addr, unsigned flags)
{
	attempt *a = h->data;
	struct sockaddr_storage from;

	if (!a->r || nread <= 0 || !addr || (flags & UV_UDP_PARTIAL))
		return;
	memset(&from, 0, sizeof(from));
	memcpy(&from, addr,
	       addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
					   : sizeof(struct sockaddr_in));
	wot_net_client_input(a->n->c, a->r, &from, (uint8_t *)buf->base,
			     (size_t)nread);
}

/* Bind to from (port 0) or to any address of to's family: either way
 * the kernel picks a fresh random source port. */
static void bind_addr(const wot_net_send *s, struct sockaddr_storage *ss)
{
	if (s->from) {
		*ss = *s->from;
	} else {
		memset(ss, 0, sizeof(*ss));
		ss->ss_family = s->to->ss_family;
	}
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = 0;
	else
		((struct sockaddr_in *)ss)->sin_port = 0;
}

static int udp_open(attempt *a, const wot_net_send *s)
{
	struct sockaddr_storage src;
	uv_buf_t b = uv_buf_init((char *)s->pkt, (unsigned)s->len);
	int rc;

	bind_addr(s, &src);
	rc = uv_udp_bind(&a->u.udp, (const struct sockaddr *)&src, 0);
	if (rc == 0)
		rc = uv_udp_recv_start(&a->u.udp, udp_alloc, on_udp_recv);
	if (rc == 0)
		rc = uv_udp_try_send(&a->u.udp, &b, 1,
				     (const struct sockaddr *)s->to);
	return rc < 0 ? rc : 0;
}

static void tcp_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	attempt *a = h->data;

	(void)hint;
	*b = uv_buf_init((char *)a->in + a->got,
			 (unsigned)(2 + a->max - a->got));
}

/* Frames, each checked against max before anything is kept; one not
 * ours is dropped (the engine counts it) and the next one read. */
static void on_tcp_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *b)
{
	attempt *a = s->data;
	size_t flen;

	(void)b;
	if (!a->r || nread == 0)
		return;
	if (nread < 0) { /* EOF or error before a whole frame */
		fail(a, (int)nread);
		return;
	}
	a->got += (size_t)nread;
	while (a->r && a->got >= 2) {
		flen = (size_t)a->in[0] << 8 | a->in[1];
		if (flen < 12 || flen > a->max) {
			wot_log(WOT_LOG_INFO, "dns",
				"DNS over TCP: answer of %zu bytes refused",
				flen);
			fail(a, WOT_ELIMIT);
			return;
		}
		if (a->got < 2 + flen)
			return;
		wot_net_client_input(a->n->c, a->r, &a->to, a->in + 2, flen);
		if (!a->r)
			return;
		memmove(a->in, a->in + 2 + flen, a->got - 2 - flen);
		a->got -= 2 + flen;
	}
}

static void on_tcp_write(uv_write_t *w, int status)
{
	attempt *a = w->handle->data;
	int rc = status;

	if (!a->r)
		return;
	if (rc == 0)
		rc = uv_read_start(w->handle, tcp_alloc, on_tcp_read);
	if (rc < 0)
		fail(a, rc);
}

static void on_tcp_connect(uv_connect_t *c, int status)
{
	attempt *a = c->handle->data;
	uv_buf_t b = uv_buf_init((char *)a->q, (unsigned)a->qlen);
	int rc = status;

	if (!a->r)
		return;
	if (rc == 0)
		rc = uv_write(&a->wreq, c->handle, &b, 1, on_tcp_write);
	if (rc < 0)
		fail(a, rc);
}

static int tcp_open(attempt *a, const wot_net_send *s)
{
	struct sockaddr_storage src;
	int rc = 0;

	a->q[0] = (uint8_t)(s->len >> 8);
	a->q[1] = (uint8_t)s->len;
	memcpy(a->q + 2, s->pkt, s->len);
	a->qlen = s->len + 2;
	a->in = a->q + a->qlen;
	a->max = s->tcp_max;
	/* from the same address as the UDP question: one rate bucket */
	if (s->from) {
		bind_addr(s, &src);
		rc = uv_tcp_bind(&a->u.tcp, (const struct sockaddr *)&src, 0);
	}
	if (rc == 0)
		rc = uv_tcp_connect(&a->creq, &a->u.tcp,
				    (const struct sockaddr *)s->to,
				    on_tcp_connect);
	return rc < 0 ? rc : 0;
}

static int io_open(void *ctx, wot_net_query *r, const wot_net_send *s,
		   void **handle)
{
	uv_net *n = ctx;
	size_t extra = s->tcp ? 2 + s->len + 2 + s->tcp_max : 0;
	attempt *a = calloc(1, sizeof(*a) + extra);
	int rc;

	*handle = NULL;
	if (!a)
		return UV_ENOMEM;
	a->n = n;
	a->r = r;
	a->to = *s->to;
	rc = s->tcp ? uv_tcp_init(n->loop, &a->u.tcp)
		    : uv_udp_init(n->loop, &a->u.udp);
	if (rc < 0) {
		free(a);
		return rc;
	}
	a->u.h.data = a;
	n->live++;
	rc = s->tcp ? tcp_open(a, s) : udp_open(a, s);
	if (rc < 0) {
		wot_log(WOT_LOG_DEBUG, "dns", "DNS attempt: %s",
			uv_strerror(rc));
		io_close(n, a);
		return rc;
	}
	*handle = a;
	return 0;
}

int wot_net_uv_new(wot_net_client *c, uv_loop_t *loop)
{
	uv_net *n = calloc(1, sizeof(*n));

	if (!n)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	n->c = c;
	n->loop = loop;
	uv_timer_init(loop, &n->timer);
	n->timer.data = n;
	n->live = 1;
	c->io = (wot_net_io){
	    .open = io_open,
	    .close = io_close,
	    .arm = io_arm,
	    .shutdown = io_shutdown,
	    .ctx = n,
	};
	if (!c->clock.now_ms)
		c->clock = wot_net_loop_clock(loop);
	return 0;
}

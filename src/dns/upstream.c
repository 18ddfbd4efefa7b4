/*
 * upstream.c - forward queries to the upstream resolvers. Each attempt uses
 * a fresh socket (a new random source port) and a new random query ID; a
 * reply must match ID, source address and question, anything else is
 * ignored (RFC 5452). An attempt that times out or fails moves on to the
 * next upstream; when all have failed the caller gets NULL (SERVFAIL).
 */
#include "dns/server_int.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

typedef struct attempt attempt;

struct wot_dns_upstream {
	uv_loop_t *loop;
	struct sockaddr_storage *addrs;
	size_t n;
	unsigned timeout_ms;
	wot_dns_fwd *head; /* requests still waiting */
	size_t live;	   /* requests not yet freed */
	int closing;
	void (*close_cb)(void *data);
	void *close_data;
	uint8_t rbuf[65536]; /* reads are synchronous: one buffer is enough */
};

struct attempt {
	union {
		uv_handle_t h;
		uv_udp_t udp;
		uv_tcp_t tcp;
	} u;
	wot_dns_fwd *f;
	const struct sockaddr_storage *addr;
	int closing;
	uv_udp_send_t sreq;
	uv_connect_t creq;
	uv_write_t wreq;
	uint8_t hdr[2];
	wot_buf in;
};

struct wot_dns_fwd {
	wot_dns_upstream *u;
	wot_dns_fwd *prev, *next;
	wot_dns_fwd_cb cb;
	void *data;
	uint8_t *query;
	size_t qlen;
	uint16_t client_id, id;
	uint8_t lname[WOT_DNS_NAME_MAX];
	size_t lname_len;
	uint16_t qtype, qclass;
	int tcp, done;
	size_t next_server;
	uv_timer_t timer;
	attempt *cur;
	int refs; /* open handles: the timer and each attempt */
};

static void start_attempt(wot_dns_fwd *f);

static void fwd_unref(wot_dns_fwd *f)
{
	wot_dns_upstream *u = f->u;

	if (--f->refs > 0)
		return;
	free(f->query);
	free(f);
	if (--u->live == 0 && u->closing) {
		void (*cb)(void *) = u->close_cb;
		void *data = u->close_data;
		free(u->addrs);
		free(u);
		if (cb)
			cb(data);
	}
}

static void on_attempt_closed(uv_handle_t *h)
{
	attempt *a = h->data;
	wot_dns_fwd *f = a->f;

	wot_buf_dispose(&a->in);
	free(a);
	fwd_unref(f);
}

static void attempt_close(attempt *a)
{
	if (!a || a->closing)
		return;
	a->closing = 1;
	if (a->f->cur == a)
		a->f->cur = NULL;
	uv_close(&a->u.h, on_attempt_closed);
}

static void on_timer_closed(uv_handle_t *h)
{
	fwd_unref(h->data);
}

/* Done: deliver resp (NULL: all failed) unless cancelled, release. */
static void finish(wot_dns_fwd *f, uint8_t *resp, size_t len)
{
	wot_dns_upstream *u = f->u;
	wot_dns_fwd_cb cb = f->cb;

	if (f->done)
		return;
	f->done = 1;
	f->cb = NULL;
	if (f->prev)
		f->prev->next = f->next;
	else
		u->head = f->next;
	if (f->next)
		f->next->prev = f->prev;
	attempt_close(f->cur);
	uv_close((uv_handle_t *)&f->timer, on_timer_closed);
	if (!cb)
		return;
	if (resp)
		wot_wr16(resp, f->client_id);
	cb(f->data, resp, len);
}

/* The current attempt failed: close it and try the next upstream. */
static void attempt_failed(attempt *a)
{
	wot_dns_fwd *f = a->f;

	attempt_close(a);
	if (!f->done) {
		uv_timer_stop(&f->timer);
		start_attempt(f);
	}
}

static void on_timeout(uv_timer_t *t)
{
	wot_dns_fwd *f = t->data;

	attempt_close(f->cur);
	start_attempt(f);
}

static void fwd_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	attempt *a = h->data;

	(void)hint;
	buf->base = (char *)a->f->u->rbuf;
	buf->len = sizeof(a->f->u->rbuf);
}

static int reply_ok(const wot_dns_fwd *f, const uint8_t *p, size_t len)
{
	return wot_dns_reply_matches(p, len, f->id, f->lname, f->lname_len,
				     f->qtype, f->qclass);
}

static void on_udp_recv(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf,
			const struct sockaddr *addr, unsigned flags)
{
	attempt *a = h->data;
	struct sockaddr_storage from;

	if (a->closing || nread <= 0 || !addr || (flags & UV_UDP_PARTIAL))
		return;
	memset(&from, 0, sizeof(from));
	memcpy(&from, addr,
	       addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
					   : sizeof(struct sockaddr_in));
	if (!wot_dns_addr_equal(&from, a->addr) ||
	    !reply_ok(a->f, (const uint8_t *)buf->base, (size_t)nread)) {
		wot_log(WOT_LOG_DEBUG, "dns", "ignoring unmatched reply");
		return;
	}
	finish(a->f, (uint8_t *)buf->base, (size_t)nread);
}

static void on_udp_sent(uv_udp_send_t *req, int status)
{
	attempt *a = req->handle->data;

	if (status < 0 && !a->closing) {
		wot_log(WOT_LOG_DEBUG, "dns", "upstream send: %s",
			uv_strerror(status));
		attempt_failed(a);
	}
}

static int udp_start(attempt *a)
{
	wot_dns_fwd *f = a->f;
	struct sockaddr_storage any;
	uv_buf_t b = uv_buf_init((char *)f->query, (unsigned)f->qlen);
	int rc;

	/* Port 0: the kernel picks a random ephemeral source port. */
	memset(&any, 0, sizeof(any));
	any.ss_family = a->addr->ss_family;
	rc = uv_udp_bind(&a->u.udp, (const struct sockaddr *)&any, 0);
	if (rc == 0)
		rc = uv_udp_recv_start(&a->u.udp, fwd_alloc, on_udp_recv);
	if (rc == 0)
		rc = uv_udp_send(&a->sreq, &a->u.udp, &b, 1,
				 (const struct sockaddr *)a->addr, on_udp_sent);
	return rc;
}

/* Consume framed replies; finish on the first that matches. */
static void tcp_process(attempt *a)
{
	size_t off = 0, mlen;

	while (a->in.len - off >= 2) {
		mlen = wot_rd16((const uint8_t *)a->in.ptr + off);
		if (a->in.len - off < 2 + mlen)
			break;
		if (reply_ok(a->f, (const uint8_t *)a->in.ptr + off + 2,
			     mlen)) {
			finish(a->f, (uint8_t *)a->in.ptr + off + 2, mlen);
			return;
		}
		off += 2 + mlen;
	}
	memmove(a->in.ptr, a->in.ptr + off, a->in.len - off);
	a->in.len -= off;
}

static void on_tcp_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	attempt *a = s->data;

	if (a->closing || nread == 0)
		return;
	if (nread < 0 || wot_buf_put(&a->in, buf->base, (size_t)nread) < 0) {
		attempt_failed(a);
		return;
	}
	tcp_process(a);
}

static void on_tcp_write(uv_write_t *req, int status)
{
	attempt *a = req->handle->data;

	if (status < 0 && !a->closing)
		attempt_failed(a);
}

static void on_tcp_connect(uv_connect_t *req, int status)
{
	attempt *a = req->handle->data;
	uv_buf_t b[2];
	int rc = status;

	if (a->closing)
		return;
	wot_wr16(a->hdr, (uint16_t)a->f->qlen);
	b[0] = uv_buf_init((char *)a->hdr, 2);
	b[1] = uv_buf_init((char *)a->f->query, (unsigned)a->f->qlen);
	if (rc == 0)
		rc = uv_write(&a->wreq, req->handle, b, 2, on_tcp_write);
	if (rc == 0)
		rc = uv_read_start(req->handle, fwd_alloc, on_tcp_read);
	if (rc < 0) {
		wot_log(WOT_LOG_DEBUG, "dns", "upstream TCP: %s",
			uv_strerror(rc));
		attempt_failed(a);
	}
}

/* Open the handle of a new attempt; it counts as a ref once open. */
static int attempt_open(wot_dns_fwd *f, attempt **out)
{
	attempt *a = calloc(1, sizeof(*a));
	int rc;

	*out = NULL;
	if (!a)
		return UV_ENOMEM;
	a->f = f;
	a->addr = &f->u->addrs[f->next_server - 1];
	rc = f->tcp ? uv_tcp_init(f->u->loop, &a->u.tcp)
		    : uv_udp_init(f->u->loop, &a->u.udp);
	if (rc < 0) {
		free(a);
		return rc;
	}
	a->u.h.data = a;
	f->refs++;
	f->cur = a;
	*out = a;
	return 0;
}

static void start_attempt(wot_dns_fwd *f)
{
	attempt *a = NULL;
	int rc;

	if (f->next_server >= f->u->n) {
		finish(f, NULL, 0);
		return;
	}
	f->next_server++;
	rc = uv_random(NULL, NULL, &f->id, sizeof(f->id), 0, NULL);
	if (rc == 0) {
		wot_wr16(f->query, f->id);
		f->id = wot_rd16(f->query);
		rc = attempt_open(f, &a);
	}
	if (rc == 0)
		rc = f->tcp ? uv_tcp_connect(&a->creq, &a->u.tcp,
					     (const struct sockaddr *)a->addr,
					     on_tcp_connect)
			    : udp_start(a);
	if (rc < 0) {
		wot_log(WOT_LOG_DEBUG, "dns", "upstream attempt: %s",
			uv_strerror(rc));
		attempt_close(a);
		/* Fail over from the timer, never from the caller's stack. */
		uv_timer_start(&f->timer, on_timeout, 0, 0);
		return;
	}
	uv_timer_start(&f->timer, on_timeout, f->u->timeout_ms, 0);
}

int wot_dns_upstream_new(wot_dns_upstream **out, uv_loop_t *loop,
			 const struct sockaddr_storage *addrs, size_t n,
			 unsigned timeout_ms)
{
	wot_dns_upstream *u = NULL;

	*out = NULL;
	u = calloc(1, sizeof(*u));
	if (!u || !(u->addrs = calloc(n ? n : 1, sizeof(*addrs)))) {
		free(u);
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	if (n)
		memcpy(u->addrs, addrs, n * sizeof(*addrs));
	u->n = n;
	u->loop = loop;
	u->timeout_ms = timeout_ms ? timeout_ms : 1500;
	*out = u;
	return 0;
}

size_t wot_dns_upstream_count(const wot_dns_upstream *u)
{
	return u ? u->n : 0;
}

static wot_dns_fwd *fwd_new(wot_dns_upstream *u, const uint8_t *query,
			    size_t qlen, const wot_dns_query *q, int tcp)
{
	wot_dns_fwd *f = calloc(1, sizeof(*f));

	if (!f || !(f->query = malloc(qlen))) {
		free(f);
		return NULL;
	}
	memcpy(f->query, query, qlen);
	f->u = u;
	f->qlen = qlen;
	f->client_id = q->id;
	memcpy(f->lname, q->lname, q->qname_len);
	f->lname_len = q->qname_len;
	f->qtype = q->qtype;
	f->qclass = q->qclass;
	f->tcp = tcp;
	/* Ask upstream for no more than we may pass on over UDP. */
	if (!tcp && q->edns && q->opt_off + 2 <= qlen)
		wot_wr16(f->query + q->opt_off,
			 (uint16_t)wot_dns_query_udp_limit(q));
	return f;
}

int wot_dns_upstream_query(wot_dns_upstream *u, const uint8_t *query,
			   size_t qlen, const wot_dns_query *q, int tcp,
			   wot_dns_fwd_cb cb, void *data, wot_dns_fwd **out)
{
	wot_dns_fwd *f;

	if (out)
		*out = NULL;
	if (!u || u->closing || !u->n)
		return wot_error_set(WOT_ENOENT, "no upstream servers");
	if (!q->has_question || qlen < WOT_DNS_HDR_LEN || qlen > 65535)
		return wot_error_set(WOT_EINVAL, "query without question");
	f = fwd_new(u, query, qlen, q, tcp);
	if (!f)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	f->cb = cb;
	f->data = data;
	uv_timer_init(u->loop, &f->timer);
	f->timer.data = f;
	f->refs = 1;
	u->live++;
	f->next = u->head;
	if (u->head)
		u->head->prev = f;
	u->head = f;
	if (out)
		*out = f;
	start_attempt(f);
	return 0;
}

void wot_dns_upstream_cancel(wot_dns_fwd *f)
{
	if (!f)
		return;
	f->cb = NULL;
	finish(f, NULL, 0);
}

void wot_dns_upstream_close(wot_dns_upstream *u, void (*cb)(void *data),
			    void *data)
{
	if (!u || u->closing)
		return;
	u->closing = 1;
	u->close_cb = cb;
	u->close_data = data;
	while (u->head)
		wot_dns_upstream_cancel(u->head);
	if (u->live == 0) {
		free(u->addrs);
		free(u);
		if (cb)
			cb(data);
	}
}

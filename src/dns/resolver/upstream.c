/*
 * upstream.c - forward queries to the upstream resolvers. Each attempt uses
 * a fresh socket (a new random source port) and a new random query ID; a
 * reply must match ID, source address and question, anything else is
 * ignored (RFC 5452). Upstreams are tried fastest first by smoothed RTT,
 * with an occasional try of another one so a recovered server is noticed.
 * An attempt that times out or fails moves on to the next upstream; when
 * all have failed the caller gets NULL (SERVFAIL). A UDP reply with TC is
 * asked again over TCP from the same server.
 *
 * Each attempt carries its name in a random letter case and is registered
 * with the loop guard while it waits (loopguard.c); a server the guard
 * marks looped is skipped, and a reply from it counts as a failure.
 */
#include "dns/resolver/server_int.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

typedef struct attempt attempt;

enum {
	EXPLORE_ONE_IN = 20, /* queries that try a random server first */
	RTT_MIN_TIMEOUT_MS = 300,
	RTT_PENALTY_MAX = 4, /* cap of a failing server's srtt, in timeouts */
	PROBE_MS = 10000     /* explore one slower server at most this often */
};

typedef struct {
	unsigned srtt_ms; /* smoothed RTT; 0 = not measured yet */
	uint64_t probe_at;
	uint64_t sent, answered, timeouts;
} server_stat;

struct wot_dns_upstream {
	uv_loop_t *loop;
	wot_dns_loopguard *guard; /* borrowed; NULL: no loop checks */
	struct sockaddr_storage *addrs;
	server_stat *st;
	uint32_t rng;
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
	size_t server;
	uint64_t started; /* uv_now() at send */
	int closing;
	uv_udp_send_t sreq;
	uv_connect_t creq;
	uv_write_t wreq;
	uint8_t hdr[2];
	wot_buf in;
	wot_dns_loopentry le; /* in the guard while waiting */
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
	uint8_t oname[WOT_DNS_NAME_MAX]; /* the client's own spelling */
	size_t lname_len;
	uint16_t qtype, qclass;
	int tcp, done;
	size_t next_server; /* index into order */
	size_t norder;	    /* servers in order (looped ones left out) */
	uint8_t order[WOT_DNS_MAX_UPSTREAM];
	uv_timer_t timer;
	attempt *cur;
	int refs; /* open handles: the timer and each attempt */
};

static void start_attempt(wot_dns_fwd *f);

/* Not for security (IDs and ports come from uv_random and the kernel):
 * only to pick which server to explore. */
static uint32_t pick_random(wot_dns_upstream *u)
{
	u->rng ^= u->rng << 13;
	u->rng ^= u->rng >> 17;
	u->rng ^= u->rng << 5;
	return u->rng;
}

static void rtt_sample(wot_dns_upstream *u, const attempt *a)
{
	server_stat *st = &u->st[a->server];
	uint64_t rtt = uv_now(u->loop) - a->started;

	if (rtt == 0)
		rtt = 1;
	st->answered++;
	st->srtt_ms = st->srtt_ms
			  ? (unsigned)((7 * (uint64_t)st->srtt_ms + rtt) / 8)
			  : (unsigned)rtt;
}

static void rtt_penalty(wot_dns_upstream *u, size_t server)
{
	server_stat *st = &u->st[server];
	uint64_t v = st->srtt_ms ? 2 * (uint64_t)st->srtt_ms : u->timeout_ms;
	uint64_t cap = (uint64_t)u->timeout_ms * RTT_PENALTY_MAX;

	if (v < u->timeout_ms)
		v = u->timeout_ms;
	st->srtt_ms = (unsigned)(v < cap ? v : cap);
	st->timeouts++;
}

/* Give up on an attempt sooner when the server is known to be fast. */
static unsigned attempt_timeout(const wot_dns_upstream *u, size_t server)
{
	unsigned srtt = u->st[server].srtt_ms, t;

	if (!srtt || srtt >= u->timeout_ms)
		return u->timeout_ms;
	t = 3 * srtt + 100;
	if (t < RTT_MIN_TIMEOUT_MS)
		t = RTT_MIN_TIMEOUT_MS;
	return t < u->timeout_ms ? t : u->timeout_ms;
}

/*
 * Fastest first (unmeasured servers count as fastest, so each gets
 * measured). Now and then a slower server goes first, at most once per
 * PROBE_MS each, so one that recovered is found again without making many
 * queries wait for a dead one.
 */
static size_t order_servers(wot_dns_upstream *u, uint8_t *order)
{
	uint64_t now = uv_now(u->loop);
	size_t n = 0;

	for (size_t i = 0; i < u->n; i++) {
		size_t j = n++;
		if (wot_dns_loopguard_looped(u->guard, i)) {
			n--; /* it sends our questions back to us */
			continue;
		}
		while (j > 0 &&
		       u->st[order[j - 1]].srtt_ms > u->st[i].srtt_ms) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = (uint8_t)i;
	}
	/* Until the first choice is measured, the configured order rules. */
	if (n > 1 && u->st[order[0]].srtt_ms &&
	    pick_random(u) % EXPLORE_ONE_IN == 0) {
		size_t k = 1 + pick_random(u) % (n - 1);
		server_stat *st = &u->st[order[k]];
		if (st->probe_at <= now) {
			uint8_t tmp = order[k];
			st->probe_at = now + PROBE_MS;
			memmove(order + 1, order, k);
			order[0] = tmp;
		}
	}
	return n;
}

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
		free(u->st);
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
	wot_dns_loopguard_remove(a->f->u->guard, &a->le);
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

	rtt_penalty(f->u, a->server);
	attempt_close(a);
	if (!f->done) {
		uv_timer_stop(&f->timer);
		start_attempt(f);
	}
}

static void on_timeout(uv_timer_t *t)
{
	wot_dns_fwd *f = t->data;

	if (f->cur)
		rtt_penalty(f->u, f->cur->server);
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

/* RFC 7766: a truncated UDP reply is asked again over TCP, same server. */
static void retry_tcp(attempt *a)
{
	wot_dns_fwd *f = a->f;

	attempt_close(a);
	uv_timer_stop(&f->timer);
	f->tcp = 1;
	f->next_server--;
	start_attempt(f);
}

static int reply_ok(const wot_dns_fwd *f, const uint8_t *p, size_t len)
{
	return wot_dns_reply_matches(p, len, f->id, f->lname, f->lname_len,
				     f->qtype, f->qclass);
}

/*
 * The reply's question back in the client's spelling: records compressed
 * against it (an SOA's or CNAME's names pointing into the question) would
 * otherwise carry our random case into the answer and the cache.
 */
static void unmark_reply(const wot_dns_fwd *f, uint8_t *p, size_t len)
{
	uint8_t *name = p + WOT_DNS_HDR_LEN;

	if (len < WOT_DNS_HDR_LEN + f->lname_len)
		return;
	for (size_t i = 0; i < f->lname_len; i++)
		if ((name[i] | 0x20) != (f->oname[i] | 0x20))
			return; /* not written as we sent it (compressed) */
	memcpy(name, f->oname, f->lname_len);
}

/* The server was found looping while we waited: its reply is only our
 * own question answered by ourselves. Try the next one. */
static int looped_reply(attempt *a)
{
	wot_dns_fwd *f = a->f;

	if (!wot_dns_loopguard_looped(f->u->guard, a->server))
		return 0;
	attempt_close(a);
	uv_timer_stop(&f->timer);
	start_attempt(f);
	return 1;
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
	if (looped_reply(a))
		return;
	rtt_sample(a->f->u, a);
	unmark_reply(a->f, (uint8_t *)buf->base, (size_t)nread);
	if (wot_rd16((const uint8_t *)buf->base + 2) & WOT_F_TC) {
		retry_tcp(a);
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
			if (looped_reply(a))
				return;
			rtt_sample(a->f->u, a);
			unmark_reply(a->f, (uint8_t *)a->in.ptr + off + 2,
				     mlen);
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

static uint32_t random_bits(void *u)
{
	return pick_random(u);
}

/* A fresh random case for the name, registered with the guard so that
 * the question is known if it comes back to us. */
static void register_attempt(wot_dns_fwd *f, attempt *a)
{
	uint8_t *name = f->query + WOT_DNS_HDR_LEN;

	if (!f->u->guard ||
	    !wot_dns_loop_mark_name(name, f->lname_len, f->oname, random_bits,
				    f->u))
		return;
	a->le.name = name;
	a->le.len = f->lname_len;
	a->le.qtype = f->qtype;
	a->le.server = a->server;
	wot_dns_loopguard_add(f->u->guard, &a->le);
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
	a->server = f->order[f->next_server - 1];
	a->addr = &f->u->addrs[a->server];
	a->started = uv_now(f->u->loop);
	f->u->st[a->server].sent++;
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
	register_attempt(f, a);
	return 0;
}

static void start_attempt(wot_dns_fwd *f)
{
	attempt *a = NULL;
	int rc;

	if (f->next_server >= f->norder) {
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
	uv_timer_start(&f->timer, on_timeout, attempt_timeout(f->u, a->server),
		       0);
}

int wot_dns_upstream_new(wot_dns_upstream **out, uv_loop_t *loop,
			 const struct sockaddr_storage *addrs, size_t n,
			 unsigned timeout_ms)
{
	wot_dns_upstream *u = NULL;

	*out = NULL;
	if (n > WOT_DNS_MAX_UPSTREAM)
		return wot_error_set(WOT_ELIMIT, "at most %d upstream servers",
				     WOT_DNS_MAX_UPSTREAM);
	u = calloc(1, sizeof(*u));
	if (u) {
		u->addrs = calloc(n ? n : 1, sizeof(*addrs));
		u->st = calloc(n ? n : 1, sizeof(*u->st));
	}
	if (!u || !u->addrs || !u->st) {
		if (u)
			free(u->addrs);
		free(u);
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	if (uv_random(NULL, NULL, &u->rng, sizeof(u->rng), 0, NULL) < 0 ||
	    !u->rng)
		u->rng = 0x9e3779b9u;
	if (n)
		memcpy(u->addrs, addrs, n * sizeof(*addrs));
	u->n = n;
	u->loop = loop;
	u->timeout_ms = timeout_ms ? timeout_ms : 1500;
	*out = u;
	return 0;
}

int wot_dns_upstream_get_stat(const wot_dns_upstream *u, size_t i,
			      wot_dns_upstream_stat *out)
{
	if (!u || i >= u->n)
		return WOT_ENOENT;
	memset(out, 0, sizeof(*out));
	wot_dns_format_addr(&u->addrs[i], out->addr, sizeof(out->addr));
	out->srtt_ms = u->st[i].srtt_ms;
	out->sent = u->st[i].sent;
	out->answered = u->st[i].answered;
	out->timeouts = u->st[i].timeouts;
	out->loop_at = wot_dns_loopguard_looped(u->guard, i);
	return 0;
}

size_t wot_dns_upstream_count(const wot_dns_upstream *u)
{
	return u ? u->n : 0;
}

void wot_dns_upstream_set_guard(wot_dns_upstream *u, wot_dns_loopguard *g)
{
	if (u)
		u->guard = g;
}

const struct sockaddr_storage *wot_dns_upstream_addr(const wot_dns_upstream *u,
						     size_t i)
{
	return u && i < u->n ? &u->addrs[i] : NULL;
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
	memcpy(f->oname, q->qname, q->qname_len);
	f->lname_len = q->qname_len;
	f->qtype = q->qtype;
	f->qclass = q->qclass;
	f->tcp = tcp;
	/* Ask for as much as we take over UDP, whatever the client's own
	 * limit: the whole answer goes to the cache, and the client gets
	 * TC when it does not fit its buffer. */
	if (q->edns && q->opt_off + 2 <= qlen)
		wot_wr16(f->query + q->opt_off, WOT_DNS_EDNS_SIZE);
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
	f->norder = order_servers(u, f->order);
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
		free(u->st);
		free(u);
		if (cb)
			cb(data);
	}
}

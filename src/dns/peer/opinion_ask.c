/*
 * opinion_ask.c - asking peers opinion questions over UDP from the loop:
 * one unconnected socket per address family, questions matched to
 * answers by id and sender address, one timer for every deadline. A
 * question is sent once; a truncated answer makes it go once more to the
 * same peer over TCP (opinion_tcp.c); retrying elsewhere is the caller's
 * choice. Questions leave from the node's peer-listen address when it is
 * a specific one (wot_opinion_asker_source): a peer's per-address rate
 * limit then counts this node, not everyone sharing its host's default
 * route address. Questions carry a DNS cookie (RFC 7873): the server
 * cookie a peer gave is sent back to it, which proves our address and
 * lets its UDP answers be larger than the question (else it answers
 * with TC and the question goes over TCP).
 */
#include "dns/peer/cookie.h"
#include "dns/peer/opinion.h"
#include "dns/peer/opinion_tcp.h"
#include "dns/resolver/server_int.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

enum {
	ASK_MAX_PENDING = 4096,
	ASK_QMAX = WOT_OPINION_TCP_QMAX,
	ASK_JAR = 64 /* peers whose server cookie we keep (hashed) */
};

/* The server cookie a peer address gave us. */
typedef struct {
	struct sockaddr_storage addr;
	uint8_t server[WOT_COOKIE_SERVER_MAX];
	size_t len;
} ask_cookie;

typedef struct {
	struct sockaddr_storage addr;
	uint16_t id;
	uint64_t deadline;
	wot_opinion_ask_cb cb;
	void *data;
	unsigned timeout_ms;
	uint16_t qlen;
	uint8_t q[ASK_QMAX]; /* kept for the TCP retry */
} ask_pending;

/* A question asked again over TCP, its truncated UDP reply kept. */
typedef struct ask_retry {
	struct wot_opinion_asker *a;
	struct ask_retry *prev, *next;
	wot_opinion_tcp *t;
	struct sockaddr_storage addr;
	uint16_t id;
	wot_opinion_ask_cb cb;
	void *data;
	size_t udplen;
	uint8_t udp[];
} ask_retry;

struct wot_opinion_asker {
	uv_loop_t *loop;
	uv_udp_t udp[4]; /* see sock_for */
	int open[4];
	struct sockaddr_storage src[2]; /* port 0; family 0: any address */
	uv_timer_t timer;
	ask_pending *v;
	size_t n;
	ask_retry *retries; /* over TCP, in flight */
	wot_opinion_ask_stats st;
	uint64_t secret[2]; /* client cookies: a hash of the peer's address */
	ask_cookie jar[ASK_JAR];
	int live, closing;
	void (*close_cb)(void *data);
	void *close_data;
	uint8_t rbuf[WOT_OPINION_UDP_MAX * 2];
};

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	wot_opinion_asker *a = h->data;

	(void)hint;
	*b = uv_buf_init((char *)a->rbuf, sizeof(a->rbuf));
}

/* The hash of addr's family and IP under our secret. */
static uint64_t addr_hash(const wot_opinion_asker *a,
			  const struct sockaddr_storage *addr)
{
	uint8_t key[17] = {0};

	key[0] = (uint8_t)addr->ss_family;
	if (addr->ss_family == AF_INET6)
		memcpy(key + 1, &((const struct sockaddr_in6 *)addr)->sin6_addr,
		       16);
	else
		memcpy(key + 1, &((const struct sockaddr_in *)addr)->sin_addr,
		       4);
	return wot_dns_siphash(a->secret[0], a->secret[1], key, sizeof(key));
}

/* Our cookie for a peer: the client cookie is ours for its address, the
 * server cookie whatever it last gave us (none yet: length 0). */
static void cookie_for(const wot_opinion_asker *a,
		       const struct sockaddr_storage *addr, wot_dns_cookie *c)
{
	uint64_t h = addr_hash(a, addr);
	const ask_cookie *j = &a->jar[h % ASK_JAR];

	memset(c, 0, sizeof(*c));
	c->present = 1;
	memcpy(c->client, &h, WOT_COOKIE_CLIENT);
	if (j->len && wot_dns_addr_equal(&j->addr, addr)) {
		memcpy(c->server, j->server, j->len);
		c->server_len = j->len;
	}
}

/* Keep the server cookie of a reply from addr that echoes our client
 * cookie (a spoofed reply cannot know it). */
static void cookie_learn(wot_opinion_asker *a,
			 const struct sockaddr_storage *addr,
			 const uint8_t *pkt, size_t len)
{
	wot_dns_cookie got, ours;
	ask_cookie *j;

	if (wot_dns_cookie_read(pkt, len, &got) < 0 || !got.present ||
	    !got.server_len)
		return;
	cookie_for(a, addr, &ours);
	if (memcmp(got.client, ours.client, WOT_COOKIE_CLIENT))
		return;
	j = &a->jar[addr_hash(a, addr) % ASK_JAR];
	j->addr = *addr;
	memcpy(j->server, got.server, got.server_len);
	j->len = got.server_len;
}

/* A response with TC set (the header was length-checked). */
static int truncated(const uint8_t *pkt)
{
	return (pkt[2] & 0x80) && (pkt[2] & 0x02);
}

static void retry_unlink(ask_retry *r)
{
	if (r->prev)
		r->prev->next = r->next;
	else
		r->a->retries = r->next;
	if (r->next)
		r->next->prev = r->prev;
}

/* The TCP answer: passed on if it carries our id, else the UDP one. */
static void on_tcp(void *data, const uint8_t *pkt, size_t len)
{
	ask_retry *r = data;
	wot_opinion_asker *a = r->a;

	retry_unlink(r);
	if (pkt) {
		a->st.bytes_in += len;
		if (wot_rd16(pkt) != r->id) /* our question's answer only */
			pkt = NULL;
		else
			cookie_learn(a, &r->addr, pkt, len);
	}
	if (!pkt) {
		a->st.tcp_failed++;
		pkt = r->udp;
		len = r->udplen;
	}
	a->st.answered++;
	r->cb(r->data, pkt, len, r->id);
	free(r);
}

static int loopback(const struct sockaddr_storage *sa);

/*
 * The address the UDP question to dst left from (as sock_for chooses),
 * port 0, so the TCP retry leaves from there too: one rate bucket at the
 * peer. NULL for any.
 */
static const struct sockaddr *udp_source(const wot_opinion_asker *a,
					 const struct sockaddr_storage *dst,
					 struct sockaddr_storage *ss)
{
	int v6 = dst->ss_family == AF_INET6;

	if (!a->src[v6].ss_family || loopback(&a->src[v6]) > loopback(dst))
		return NULL;
	*ss = a->src[v6];
	return (const struct sockaddr *)ss;
}

/* Ask p again over TCP after the truncated reply udp; 0 if under way. */
static int retry_tcp(wot_opinion_asker *a, const ask_pending *p,
		     const uint8_t *udp, size_t len)
{
	ask_retry *r = malloc(sizeof(*r) + len);
	struct sockaddr_storage src;

	if (!r)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	memset(r, 0, sizeof(*r));
	r->a = a;
	r->addr = p->addr;
	r->id = p->id;
	r->cb = p->cb;
	r->data = p->data;
	r->udplen = len;
	memcpy(r->udp, udp, len);
	if (wot_opinion_tcp_start(&r->t, a->loop, udp_source(a, &p->addr, &src),
				  (const struct sockaddr *)&p->addr, p->q,
				  p->qlen, WOT_OPINION_TCP_MAX, p->timeout_ms,
				  on_tcp, r) < 0) {
		wot_log(WOT_LOG_INFO, "dns", "%s", wot_error_last());
		wot_error_clear();
		free(r);
		return -1;
	}
	a->st.tcp++;
	a->st.bytes_out += p->qlen + 2u;
	r->next = a->retries;
	if (a->retries)
		a->retries->prev = r;
	a->retries = r;
	return 0;
}

static void on_recv(uv_udp_t *u, ssize_t n, const uv_buf_t *b,
		    const struct sockaddr *from, unsigned flags)
{
	wot_opinion_asker *a = u->data;
	struct sockaddr_storage sa;
	uint16_t id;

	if (n < WOT_DNS_HDR_LEN || !from || a->closing ||
	    (flags & UV_UDP_PARTIAL))
		return;
	a->st.bytes_in += (uint64_t)n;
	memset(&sa, 0, sizeof(sa));
	memcpy(&sa, from,
	       from->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
					   : sizeof(struct sockaddr_in));
	id = wot_rd16((const uint8_t *)b->base);
	for (size_t i = 0; i < a->n; i++) {
		ask_pending *p = &a->v[i];
		wot_opinion_ask_cb cb = p->cb;
		void *data = p->data;
		if (p->id != id || !wot_dns_addr_equal(&sa, &p->addr))
			continue;
		cookie_learn(a, &sa, (const uint8_t *)b->base, (size_t)n);
		if (truncated((const uint8_t *)b->base) &&
		    retry_tcp(a, p, (const uint8_t *)b->base, (size_t)n) == 0) {
			a->v[i] = a->v[--a->n];
			return;
		}
		a->v[i] = a->v[--a->n];
		a->st.answered++;
		cb(data, (const uint8_t *)b->base, (size_t)n, id);
		return;
	}
}

/* 1 if sa is the any address of its family (0.0.0.0 or ::). */
static int unspecified(const struct sockaddr_storage *sa)
{
	static const uint8_t zero[16];

	if (sa->ss_family == AF_INET)
		return ((const struct sockaddr_in *)sa)->sin_addr.s_addr == 0;
	return !memcmp(&((const struct sockaddr_in6 *)sa)->sin6_addr, zero,
		       sizeof(zero));
}

static int loopback(const struct sockaddr_storage *sa)
{
	static const uint8_t one[16] = {[15] = 1};

	if (sa->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)sa)
				  ->sin_addr.s_addr) >>
			24) == 127;
	return !memcmp(&((const struct sockaddr_in6 *)sa)->sin6_addr, one,
		       sizeof(one));
}

/*
 * The socket for a question to dst: from our source address when we have
 * one for its family (a loopback source only towards loopback: it could
 * not reach anything else), else from the any address. Sockets: [0] v4
 * any, [1] v6 any, [2] v4 source, [3] v6 source.
 */
static uv_udp_t *sock_for(wot_opinion_asker *a,
			  const struct sockaddr_storage *dst)
{
	int v6 = dst->ss_family == AF_INET6, k = v6, rc;
	struct sockaddr_storage any;

	if (a->src[v6].ss_family && loopback(&a->src[v6]) <= loopback(dst))
		k = v6 + 2;
	if (a->open[k])
		return &a->udp[k];
	if (k >= 2)
		any = a->src[v6];
	else
		wot_dns_parse_addr(v6 ? "[::]:0" : "0.0.0.0:0", 0, &any);
	uv_udp_init(a->loop, &a->udp[k]);
	a->udp[k].data = a;
	a->open[k] = 1;
	a->live++;
	rc = uv_udp_bind(&a->udp[k], (const struct sockaddr *)&any, 0);
	if (rc == 0)
		rc = uv_udp_recv_start(&a->udp[k], on_alloc, on_recv);
	if (rc < 0)
		wot_log(WOT_LOG_WARNING, "dns", "opinion socket: %s",
			uv_strerror(rc));
	return &a->udp[k];
}

static void on_timer(uv_timer_t *t);

static void arm(wot_opinion_asker *a)
{
	uint64_t next = UINT64_MAX, now = uv_now(a->loop);

	for (size_t i = 0; i < a->n; i++)
		if (a->v[i].deadline < next)
			next = a->v[i].deadline;
	if (next == UINT64_MAX || a->closing)
		uv_timer_stop(&a->timer);
	else
		uv_timer_start(&a->timer, on_timer, next > now ? next - now : 0,
			       0);
}

static void on_timer(uv_timer_t *t)
{
	wot_opinion_asker *a = t->data;
	uint64_t now = uv_now(a->loop);

	for (size_t i = 0; i < a->n && !a->closing;) {
		ask_pending p = a->v[i];
		if (p.deadline > now) {
			i++;
			continue;
		}
		a->v[i] = a->v[--a->n];
		a->st.timeouts++;
		p.cb(p.data, NULL, 0, p.id); /* may ask again: appends */
	}
	arm(a);
}

int wot_opinion_asker_new(wot_opinion_asker **out, uv_loop_t *loop)
{
	wot_opinion_asker *a = calloc(1, sizeof(*a));

	*out = NULL;
	if (!a || !(a->v = calloc(ASK_MAX_PENDING, sizeof(*a->v)))) {
		free(a);
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	if (uv_random(NULL, NULL, a->secret, sizeof(a->secret), 0, NULL) != 0) {
		free(a->v);
		free(a);
		return wot_error_set(WOT_EIO, "no random bytes for cookies");
	}
	a->loop = loop;
	uv_timer_init(loop, &a->timer);
	a->timer.data = a;
	a->live = 1;
	*out = a;
	return 0;
}

int wot_opinion_asker_source(wot_opinion_asker *a, const char *addr)
{
	struct sockaddr_storage sa;
	int k, rc;

	if ((rc = wot_dns_parse_addr(addr, 0, &sa)) < 0)
		return rc;
	k = sa.ss_family == AF_INET6;
	if (unspecified(&sa) || a->src[k].ss_family || a->open[k + 2])
		return 0; /* the default route's address, or already chosen */
	if (k)
		((struct sockaddr_in6 *)&sa)->sin6_port = 0;
	else
		((struct sockaddr_in *)&sa)->sin_port = 0;
	a->src[k] = sa;
	return 0;
}

int wot_opinion_ask(wot_opinion_asker *a, const char *endpoint,
		    const uint8_t *q, size_t qlen, unsigned timeout_ms,
		    wot_opinion_ask_cb cb, void *data)
{
	struct sockaddr_storage sa;
	wot_dns_cookie ck;
	ask_pending *p;
	uv_buf_t b;
	size_t n;
	int rc;

	if (a->closing)
		return wot_error_set(WOT_EINVAL, "asker closing");
	if (qlen < WOT_DNS_HDR_LEN || qlen > ASK_QMAX)
		return wot_error_set(WOT_EINVAL, "bad question");
	if ((rc = wot_dns_parse_addr(endpoint, 53, &sa)) < 0)
		return rc;
	if (a->n >= ASK_MAX_PENDING)
		return wot_error_set(WOT_ELIMIT, "too many opinion questions "
						 "in flight");
	p = &a->v[a->n];
	memcpy(p->q, q, qlen);
	/* with our cookie when the question has room and an OPT for it */
	cookie_for(a, &sa, &ck);
	if ((n = wot_dns_cookie_put(p->q, qlen, sizeof(p->q), &ck)))
		qlen = n;
	b = uv_buf_init((char *)p->q, (unsigned)qlen);
	rc = uv_udp_try_send(sock_for(a, &sa), &b, 1,
			     (const struct sockaddr *)&sa);
	if (rc < 0)
		return wot_error_set(WOT_ENET, "opinion question to %s: %s",
				     endpoint, uv_strerror(rc));
	a->st.sent++;
	a->st.bytes_out += qlen;
	a->n++;
	p->addr = sa;
	p->id = wot_rd16(q);
	p->deadline = uv_now(a->loop) + timeout_ms;
	p->cb = cb;
	p->data = data;
	p->timeout_ms = timeout_ms;
	p->qlen = (uint16_t)qlen;
	arm(a);
	return 0;
}

void wot_opinion_asker_stats(const wot_opinion_asker *a,
			     wot_opinion_ask_stats *out)
{
	if (a)
		*out = a->st;
	else
		memset(out, 0, sizeof(*out));
}

static void on_closed(uv_handle_t *h)
{
	wot_opinion_asker *a = h->data;
	void (*cb)(void *) = a->close_cb;
	void *data = a->close_data;

	if (--a->live > 0)
		return;
	free(a->v);
	free(a);
	if (cb)
		cb(data);
}

void wot_opinion_asker_close(wot_opinion_asker *a, void (*cb)(void *data),
			     void *data)
{
	if (!a || a->closing)
		return;
	a->closing = 1;
	a->close_cb = cb;
	a->close_data = data;
	a->n = 0;
	while (a->retries) {
		ask_retry *r = a->retries;
		retry_unlink(r);
		wot_opinion_tcp_cancel(r->t);
		free(r);
	}
	for (int k = 0; k < 4; k++)
		if (a->open[k])
			uv_close((uv_handle_t *)&a->udp[k], on_closed);
	uv_close((uv_handle_t *)&a->timer, on_closed);
}

/*
 * opinion_ask.c - asking peers opinion questions from the loop, each one
 * request of the outgoing engine (dns/net/net.h: a fresh socket and ID,
 * answers matched by address, ID and question, a deadline). A question
 * is sent once; a truncated answer makes it go once more to the same peer
 * over TCP; retrying elsewhere is the caller's choice. Questions leave from the
 * node's peer-listen address when it is a specific one
 * (wot_opinion_asker_source): a peer's per-address rate limit then counts this
 * node, not everyone sharing its host's default route address. Questions carry
 * a DNS cookie (RFC 7873): the server cookie a peer gave is sent back to it,
 * which proves our address and lets its UDP answers be larger than the question
 * (else it answers with TC and the question goes over TCP).
 */
#include "dns/peer/cookie.h"
#include "dns/peer/opinion.h"
#include "dns/net/net.h"
#include "dns/resolver/resolver.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

enum {
	ASK_MAX_PENDING = 4096,
	ASK_QMAX = 340, /* a name of 255, our OPT and a COOKIE option */
	ASK_JAR = 64	/* peers whose server cookie we keep (hashed) */
};

/* The server cookie a peer address gave us. */
typedef struct {
	struct sockaddr_storage addr;
	uint8_t server[WOT_COOKIE_SERVER_MAX];
	size_t len;
} ask_cookie;

typedef struct {
	struct wot_opinion_asker *a;
	struct sockaddr_storage addr;
	uint16_t id;
	wot_opinion_ask_cb cb;
	void *data;
	uint16_t qlen;
	int used;
	uint8_t q[ASK_QMAX];
	wot_net_query req;
} ask_pending;

struct wot_opinion_asker {
	wot_net_client *net;
	struct sockaddr_storage src[2]; /* port 0; family 0: any address */
	ask_pending *v;
	uint16_t *free_ix; /* the slots of v not in use */
	size_t nfree;
	wot_opinion_ask_stats st;
	uint64_t secret[2]; /* client cookies: a hash of the peer's address */
	ask_cookie jar[ASK_JAR];
	wot_closer closer;
};

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
 * The address a question to dst leaves from (UDP and the TCP retry: one
 * rate bucket at the peer): our source address when we have one for its
 * family (a loopback source only towards loopback: it could not reach
 * anything else), else NULL for any.
 */
static const struct sockaddr_storage *
source_for(const wot_opinion_asker *a, const struct sockaddr_storage *dst)
{
	int v6 = dst->ss_family == AF_INET6;

	if (!a->src[v6].ss_family || loopback(&a->src[v6]) > loopback(dst))
		return NULL;
	return &a->src[v6];
}

static void slot_free(wot_opinion_asker *a, ask_pending *p)
{
	p->used = 0;
	a->free_ix[a->nfree++] = (uint16_t)(p - a->v);
}

/* Traffic of a finished question, for the counters. */
static void count(wot_opinion_asker *a, const ask_pending *p,
		  const wot_net_result *res)
{
	if (res->tc_rtt_ms) { /* the truncated UDP reply, then TCP */
		a->st.bytes_in += res->tc_len;
		a->st.tcp++;
		a->st.bytes_out += p->qlen + 2u;
		a->st.tcp_failed += res->status != WOT_NET_OK;
	}
	if (res->status == WOT_NET_OK)
		a->st.bytes_in += res->len;
	if (res->status == WOT_NET_OK || res->status == WOT_NET_TRUNCATED)
		a->st.answered++;
	else
		a->st.timeouts++;
}

/* The engine's one callback for a question: the answer (or, after TC
 * and a TCP retry that brought none, the truncated UDP reply), else
 * NULL. Dropped while closing (see opinion.h). */
static void on_done(wot_net_query *r, const wot_net_result *res)
{
	ask_pending *p = r->data;
	wot_opinion_asker *a = p->a;
	wot_opinion_ask_cb cb = p->cb;
	void *data = p->data;
	uint16_t id = p->id;
	const uint8_t *pkt = res->pkt;

	if (res->status == WOT_NET_CANCELLED)
		return;
	count(a, p, res);
	if (res->status != WOT_NET_OK && res->status != WOT_NET_TRUNCATED)
		pkt = NULL;
	if (pkt)
		cookie_learn(a, &p->addr, pkt, res->len);
	slot_free(a, p);
	cb(data, pkt, pkt ? res->len : 0, id); /* may ask again */
}

static void asker_free(wot_opinion_asker *a)
{
	free(a->v);
	free(a->free_ix);
	free(a);
}

int wot_opinion_asker_new_net(wot_opinion_asker **out,
			      const wot_net_client_opts *o)
{
	wot_opinion_asker *a = calloc(1, sizeof(*a));
	int rc;

	*out = NULL;
	if (!a || !(a->v = calloc(ASK_MAX_PENDING, sizeof(*a->v))) ||
	    !(a->free_ix = calloc(ASK_MAX_PENDING, sizeof(*a->free_ix)))) {
		if (a)
			asker_free(a);
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	if (uv_random(NULL, NULL, a->secret, sizeof(a->secret), 0, NULL) != 0) {
		asker_free(a);
		return wot_error_set(WOT_EIO, "no random bytes for cookies");
	}
	if ((rc = wot_net_client_new(&a->net, o)) < 0) {
		asker_free(a);
		return rc;
	}
	for (size_t i = ASK_MAX_PENDING; i-- > 0;)
		a->free_ix[a->nfree++] = (uint16_t)i;
	*out = a;
	return 0;
}

int wot_opinion_asker_new(wot_opinion_asker **out, uv_loop_t *loop)
{
	return wot_opinion_asker_new_net(out,
					 &(wot_net_client_opts){.loop = loop});
}

int wot_opinion_asker_source(wot_opinion_asker *a, const char *addr)
{
	struct sockaddr_storage sa;
	int k, rc;

	if ((rc = wot_dns_parse_addr(addr, 0, &sa)) < 0)
		return rc;
	k = sa.ss_family == AF_INET6;
	if (unspecified(&sa) || a->src[k].ss_family)
		return 0; /* the default route's address, or already chosen */
	if (k)
		((struct sockaddr_in6 *)&sa)->sin6_port = 0;
	else
		((struct sockaddr_in *)&sa)->sin_port = 0;
	a->src[k] = sa;
	return 0;
}

/* A slot for the question q to sa, with our cookie when the question
 * has room and an OPT for it. */
static ask_pending *slot_take(wot_opinion_asker *a,
			      const struct sockaddr_storage *sa,
			      const uint8_t *q, size_t qlen)
{
	ask_pending *p = &a->v[a->free_ix[--a->nfree]];
	wot_dns_cookie ck;
	size_t n;

	memset(p, 0, offsetof(ask_pending, q));
	p->a = a;
	p->used = 1;
	p->addr = *sa;
	p->id = wot_rd16(q);
	memcpy(p->q, q, qlen);
	cookie_for(a, sa, &ck);
	if ((n = wot_dns_cookie_put(p->q, qlen, sizeof(p->q), &ck)))
		qlen = n;
	p->qlen = (uint16_t)qlen;
	return p;
}

int wot_opinion_ask(wot_opinion_asker *a, const char *endpoint,
		    const uint8_t *q, size_t qlen, unsigned timeout_ms,
		    wot_opinion_ask_cb cb, void *data)
{
	struct sockaddr_storage sa;
	ask_pending *p;
	int rc;

	if (a->closer.closing)
		return wot_error_set(WOT_EINVAL, "asker closing");
	if (qlen < WOT_DNS_HDR_LEN || qlen > ASK_QMAX)
		return wot_error_set(WOT_EINVAL, "bad question");
	if ((rc = wot_dns_parse_addr(endpoint, 53, &sa)) < 0)
		return rc;
	if (!a->nfree)
		return wot_error_set(WOT_ELIMIT, "too many opinion questions "
						 "in flight");
	p = slot_take(a, &sa, q, qlen);
	p->cb = cb;
	p->data = data;
	rc = wot_net_request(a->net, &p->req,
			     &(wot_net_req_opts){
				 .to = &sa,
				 .from = source_for(a, &sa),
				 .query = p->q,
				 .qlen = p->qlen,
				 .timeout_ms = timeout_ms,
				 .tc_tcp = 1,
				 .tcp_max = WOT_OPINION_TCP_MAX,
				 .cb = on_done,
				 .data = p,
			     });
	if (rc < 0) {
		slot_free(a, p);
		return wot_error_wrap(rc, "opinion question to %s: ", endpoint);
	}
	a->st.sent++;
	a->st.bytes_out += p->qlen;
	return 0;
}

void wot_opinion_asker_stats(const wot_opinion_asker *a,
			     wot_opinion_ask_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!a)
		return;
	*out = a->st;
	for (size_t i = 0; i < ASK_MAX_PENDING; i++) /* retries under way */
		out->tcp += a->v[i].used && a->v[i].req.tcp;
}

static void on_net_closed(void *arg)
{
	wot_opinion_asker *a = arg;
	wot_closer k = a->closer;

	asker_free(a);
	wot_closer_end(&k);
}

void wot_opinion_asker_close(wot_opinion_asker *a, void (*cb)(void *data),
			     void *data)
{
	if (!a || !wot_closer_begin(&a->closer, cb, data))
		return;
	wot_net_client_close(a->net, on_net_closed, a);
}

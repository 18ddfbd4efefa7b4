/*
 * upstream.c - forward queries to the upstream resolvers. Each attempt uses
 * a fresh socket (a new random source port) and a new random query ID; a
 * reply must match ID, source address and question, anything else is
 * ignored (RFC 5452). Upstreams are tried fastest first by smoothed RTT,
 * with an occasional try of another one so a recovered server is noticed.
 * An attempt that times out or fails moves on to the next upstream; when
 * all have failed the caller gets NULL (SERVFAIL). A UDP reply with TC is
 * asked again over TCP from the same server. Sockets, IDs, matching,
 * deadlines and the TCP retry are the outgoing engine's (dns/net/net.h):
 * each try of a server is one engine request; the choice of server is
 * made here.
 *
 * Each attempt carries its name in a random letter case and is registered
 * with the loop guard while it waits (loopguard.c); a server the guard
 * marks looped is skipped, and a reply from it counts as a failure.
 */
#include "dns/net/net.h"
#include "dns/resolver/server_int.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	wot_net_client *net;
	wot_dns_loopguard *guard; /* borrowed; NULL: no loop checks */
	struct sockaddr_storage *addrs;
	server_stat *st;
	uint32_t rng;
	size_t n;
	unsigned timeout_ms;
	wot_dns_fwd *head; /* requests still waiting */
	wot_closer closer;
};

struct wot_dns_fwd {
	wot_dns_upstream *u;
	wot_dns_fwd *prev, *next;
	wot_dns_fwd_cb cb;
	void *data;
	uint8_t *query;
	size_t qlen;
	uint8_t oname[WOT_DNS_NAME_MAX]; /* the client's own spelling */
	size_t lname_len;
	uint16_t qtype;
	int tcp, done, asking;
	size_t server;	    /* the one being asked */
	size_t next_server; /* index into order */
	size_t norder;	    /* servers in order (looped ones left out) */
	uint8_t order[WOT_DNS_MAX_UPSTREAM];
	wot_net_query req;    /* the try of the current server */
	wot_dns_loopentry le; /* in the guard while waiting */
};

static void ask_next(wot_dns_fwd *f);

/* Not for security (IDs and ports come from the engine and the kernel):
 * only to pick which server to explore. */
static uint32_t pick_random(wot_dns_upstream *u)
{
	u->rng ^= u->rng << 13;
	u->rng ^= u->rng >> 17;
	u->rng ^= u->rng << 5;
	return u->rng;
}

static void rtt_sample(wot_dns_upstream *u, size_t server, unsigned rtt)
{
	server_stat *st = &u->st[server];

	if (rtt == 0)
		rtt = 1;
	st->answered++;
	st->srtt_ms = st->srtt_ms
			  ? (unsigned)((7 * (uint64_t)st->srtt_ms + rtt) / 8)
			  : rtt;
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
	uint64_t now = wot_net_client_now(u->net);
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

/* Done: deliver resp (NULL: all failed) unless cancelled, then free. */
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
	wot_dns_loopguard_remove(u->guard, &f->le);
	if (f->asking)
		wot_net_cancel(&f->req); /* its callback sees f->done */
	if (cb)
		cb(f->data, resp, len);
	free(f->query);
	free(f);
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
 * own question answered by ourselves (the engine's check hook). */
static int looped_reply(wot_net_query *r, const uint8_t *pkt, size_t len)
{
	wot_dns_fwd *f = r->data;

	(void)pkt;
	(void)len;
	return wot_dns_loopguard_looped(f->u->guard, f->server);
}

/* The engine's one callback for the try of f->server. */
static void on_reply(wot_net_query *r, const wot_net_result *res)
{
	wot_dns_fwd *f = r->data;
	wot_dns_upstream *u = f->u;

	f->asking = 0;
	wot_dns_loopguard_remove(u->guard, &f->le);
	if (f->done || res->status == WOT_NET_CANCELLED)
		return;
	if (res->tc_rtt_ms) /* the truncated UDP reply was a sample too */
		rtt_sample(u, f->server, res->tc_rtt_ms);
	f->tcp = res->tcp; /* after TC the next servers are asked over TCP */
	switch (res->status) {
	case WOT_NET_OK:
		rtt_sample(u, f->server, res->rtt_ms);
		unmark_reply(f, res->pkt, res->len);
		finish(f, res->pkt, res->len);
		return;
	case WOT_NET_REJECTED: /* looped: no sample, no penalty */
		break;
	default: /* timed out, failed, or TC and TCP failed */
		rtt_penalty(u, f->server);
		break;
	}
	ask_next(f);
}

static uint32_t random_bits(void *u)
{
	return pick_random(u);
}

/* A fresh random case for the name, registered with the guard so that
 * the question is known if it comes back to us. */
static void register_try(wot_dns_fwd *f)
{
	uint8_t *name = f->query + WOT_DNS_HDR_LEN;

	if (!f->u->guard ||
	    !wot_dns_loop_mark_name(name, f->lname_len, f->oname, random_bits,
				    f->u))
		return;
	f->le.name = name;
	f->le.len = f->lname_len;
	f->le.qtype = f->qtype;
	f->le.server = f->server;
	wot_dns_loopguard_add(f->u->guard, &f->le);
}

/* Ask the next server in order; NULL to the caller when none is left. */
static void ask_next(wot_dns_fwd *f)
{
	wot_dns_upstream *u = f->u;

	while (f->next_server < f->norder) {
		f->server = f->order[f->next_server++];
		u->st[f->server].sent++;
		register_try(f);
		if (wot_net_request(
			u->net, &f->req,
			&(wot_net_req_opts){
			    .to = &u->addrs[f->server],
			    .query = f->query,
			    .qlen = f->qlen,
			    .timeout_ms = attempt_timeout(u, f->server),
			    .tcp = f->tcp,
			    .tc_tcp = 1,
			    .cb = on_reply,
			    .check = looped_reply,
			    .data = f,
			}) == 0) {
			f->asking = 1;
			return;
		}
		wot_log(WOT_LOG_DEBUG, "dns", "upstream attempt: %s",
			wot_error_last());
		wot_dns_loopguard_remove(u->guard, &f->le);
	}
	finish(f, NULL, 0);
}

int wot_dns_upstream_new(wot_dns_upstream **out, const wot_dns_upstream_opts *o)
{
	wot_dns_upstream *u = NULL;
	size_t n = o->n;
	int rc = WOT_ENOMEM;

	*out = NULL;
	if (n > WOT_DNS_MAX_UPSTREAM)
		return wot_error_set(WOT_ELIMIT, "at most %d upstream servers",
				     WOT_DNS_MAX_UPSTREAM);
	if ((u = calloc(1, sizeof(*u)))) {
		u->addrs = calloc(n ? n : 1, sizeof(*u->addrs));
		u->st = calloc(n ? n : 1, sizeof(*u->st));
	}
	if (!u || !u->addrs || !u->st ||
	    (rc = wot_net_client_new(
		 &u->net, &(wot_net_client_opts){.loop = o->loop,
						 .clock = o->clock,
						 .io = o->io})) < 0) {
		if (u)
			free(u->addrs), free(u->st);
		free(u);
		return rc == WOT_ENOMEM ? wot_error_set(rc, "out of memory")
					: rc;
	}
	u->rng = o->seed;
	if (!u->rng && getentropy(&u->rng, sizeof(u->rng)) < 0)
		u->rng = 0;
	if (!u->rng) /* xorshift stays at 0 */
		u->rng = 0x9e3779b9u;
	if (n)
		memcpy(u->addrs, o->addrs, n * sizeof(*u->addrs));
	u->n = n;
	u->timeout_ms = o->timeout_ms ? o->timeout_ms : 1500;
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
	memcpy(f->oname, q->qname, q->qname_len);
	f->lname_len = q->qname_len;
	f->qtype = q->qtype;
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
	if (!u || u->closer.closing || !u->n)
		return wot_error_set(WOT_ENOENT, "no upstream servers");
	if (!q->has_question || qlen < WOT_DNS_HDR_LEN || qlen > 65535)
		return wot_error_set(WOT_EINVAL, "query without question");
	f = fwd_new(u, query, qlen, q, tcp);
	if (!f)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	f->cb = cb;
	f->data = data;
	f->norder = order_servers(u, f->order);
	f->next = u->head;
	if (u->head)
		u->head->prev = f;
	u->head = f;
	if (out)
		*out = f;
	ask_next(f);
	return 0;
}

void wot_dns_upstream_cancel(wot_dns_fwd *f)
{
	if (!f)
		return;
	f->cb = NULL;
	finish(f, NULL, 0);
}

static void on_net_closed(void *arg)
{
	wot_dns_upstream *u = arg;
	wot_closer k = u->closer;

	free(u->addrs);
	free(u->st);
	free(u);
	wot_closer_end(&k);
}

void wot_dns_upstream_close(wot_dns_upstream *u, void (*cb)(void *data),
			    void *data)
{
	if (!u || !wot_closer_begin(&u->closer, cb, data))
		return;
	while (u->head)
		wot_dns_upstream_cancel(u->head);
	wot_net_client_close(u->net, on_net_closed, u);
}

/*
 * peer_listen.c - the peer port: answers NOTIFY from other peers and, when
 * the daemon asks for it, opinion questions (plain QUERYs answered from
 * what this node accepts, docs/peer-protocol.md). It never forwards and
 * never recurses; every sender gets a bounded rate of answered packets,
 * and what a NOTIFY may trigger (a fetch) is rate limited again per source
 * by the caller.
 */
#include "dns/notify.h"
#include "dns/server_int.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	RL_SLOTS = 256,	  /* senders remembered (hashed by address) */
	RL_RATE = 20,	  /* NOTIFYs per second per sender */
	RL_BURST = 40,	  /* tokens at most */
	RBUF_SIZE = 4096, /* anything larger is no NOTIFY of ours */
	WBUF_SIZE = 1232  /* largest opinion answer (EDNS) */
};

typedef struct {
	uint8_t key[17]; /* family byte + address */
	uint64_t last_ms;
	double tokens;
} rl_slot;

typedef struct {
	wot_dns_peer_listener *l;
	uv_udp_t udp;
	struct sockaddr_storage want, bound;
	int open;
} peer_sock;

struct wot_dns_peer_listener {
	uv_loop_t *loop;
	peer_sock *socks;
	size_t n, live;
	wot_dns_notify_fn fn;
	void *data;
	wot_dns_peer_stats st;
	void (*close_cb)(void *data);
	void *close_data;
	int closing;
	rl_slot rl[RL_SLOTS];
	uint8_t rbuf[RBUF_SIZE];
	wot_dns_peer_query_fn qfn;
	void *qdata;
	uint8_t wbuf[WBUF_SIZE];
};

static void addr_key(const struct sockaddr *sa, uint8_t key[17])
{
	memset(key, 0, 17);
	key[0] = (uint8_t)sa->sa_family;
	if (sa->sa_family == AF_INET)
		memcpy(key + 1, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	else if (sa->sa_family == AF_INET6)
		memcpy(key + 1, &((const struct sockaddr_in6 *)sa)->sin6_addr,
		       16);
}

/* Token bucket per sender address (the port is the sender's choice, so
 * it is not part of the key). 1 if this packet may cause work. */
static int within_rate(wot_dns_peer_listener *l, const struct sockaddr *sa)
{
	uint8_t key[17];
	uint64_t h = 1469598103934665603ull, now = uv_now(l->loop);
	rl_slot *s;

	addr_key(sa, key);
	for (int i = 0; i < 17; i++)
		h = (h ^ key[i]) * 1099511628211ull;
	s = &l->rl[h % RL_SLOTS];
	if (memcmp(s->key, key, sizeof(key))) {
		memcpy(s->key, key, sizeof(key));
		s->tokens = RL_BURST;
	} else {
		s->tokens += (double)(now - s->last_ms) * RL_RATE / 1000.0;
		if (s->tokens > RL_BURST)
			s->tokens = RL_BURST;
	}
	s->last_ms = now;
	if (s->tokens < 1)
		return 0;
	s->tokens -= 1;
	return 1;
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	peer_sock *ps = h->data;

	(void)hint;
	*b = uv_buf_init((char *)ps->l->rbuf, sizeof(ps->l->rbuf));
}

static void answer_query(wot_dns_peer_listener *l, uv_udp_t *u,
			 const uint8_t *pkt, size_t n,
			 const struct sockaddr *from)
{
	size_t rlen = l->qfn(l->qdata, pkt, n, l->wbuf, sizeof(l->wbuf));

	if (!rlen) {
		l->st.dropped++;
		return;
	}
	uv_buf_t out = uv_buf_init((char *)l->wbuf, (unsigned)rlen);
	uv_udp_try_send(u, &out, 1, from);
	l->st.opinions++;
}

static void on_recv(uv_udp_t *u, ssize_t n, const uv_buf_t *b,
		    const struct sockaddr *from, unsigned flags)
{
	peer_sock *ps = u->data;
	wot_dns_peer_listener *l = ps->l;
	char fpr[WOT_FPR_MAX];
	size_t rlen;
	int verdict;

	if (n <= 0 || !from || l->closing)
		return;
	l->st.received++;
	verdict = (flags & UV_UDP_PARTIAL)
		      ? WOT_NOTIFY_DROP
		      : wot_dns_notify_classify((const uint8_t *)b->base,
						(size_t)n, fpr);
	if (verdict == WOT_NOTIFY_DROP || !within_rate(l, from)) {
		l->st.dropped++;
		return;
	}
	if (verdict == WOT_NOTIFY_REFUSED && l->qfn && n >= 4 &&
	    WOT_OPCODE(((uint8_t)b->base[2] << 8) | (uint8_t)b->base[3]) == 0) {
		answer_query(l, u, (const uint8_t *)b->base, (size_t)n, from);
		return;
	}
	rlen = wot_dns_notify_reply((const uint8_t *)b->base, (size_t)n,
				    verdict, l->wbuf, sizeof(l->wbuf));
	if (rlen) {
		uv_buf_t out = uv_buf_init((char *)l->wbuf, (unsigned)rlen);
		/* A full socket buffer drops the reply; the sender retries. */
		uv_udp_try_send(u, &out, 1, from);
	}
	if (verdict != WOT_NOTIFY_OK) {
		l->st.refused++;
		return;
	}
	l->st.notifies++;
	l->fn(l->data, fpr);
}

static void maybe_free(wot_dns_peer_listener *l)
{
	void (*cb)(void *) = l->close_cb;
	void *data = l->close_data;

	if (l->live)
		return;
	free(l->socks);
	free(l);
	if (cb)
		cb(data);
}

static void on_closed(uv_handle_t *h)
{
	peer_sock *ps = h->data;

	ps->l->live--;
	if (ps->l->closing)
		maybe_free(ps->l);
}

static int sock_start(wot_dns_peer_listener *l, peer_sock *ps)
{
	int len = sizeof(ps->bound), rc;

	uv_udp_init(l->loop, &ps->udp);
	ps->udp.data = ps;
	ps->open = 1;
	l->live++;
	rc = uv_udp_bind(&ps->udp, (const struct sockaddr *)&ps->want, 0);
	if (rc == 0)
		rc = uv_udp_getsockname(&ps->udp, (struct sockaddr *)&ps->bound,
					&len);
	if (rc == 0)
		rc = uv_udp_recv_start(&ps->udp, on_alloc, on_recv);
	if (rc < 0) {
		char addr[80] = "?";
		wot_dns_format_addr(&ps->want, addr, sizeof(addr));
		return wot_error_set(WOT_ENET, "peer listener %s: %s", addr,
				     uv_strerror(rc));
	}
	return 0;
}

static int parse_all(wot_dns_peer_listener *l, const char *const *addrs,
		     int allow_nonloopback)
{
	for (size_t i = 0; i < l->n; i++) {
		int rc = wot_dns_parse_addr(addrs[i], 53, &l->socks[i].want);
		if (rc < 0)
			return rc;
		if (!allow_nonloopback &&
		    !wot_dns_addr_is_loopback(&l->socks[i].want))
			return wot_error_set(WOT_EINVAL,
					     "refusing non-loopback peer "
					     "listen address %s "
					     "(--allow-nonloopback)",
					     addrs[i]);
		l->socks[i].l = l;
	}
	return 0;
}

int wot_dns_peer_listener_start(wot_dns_peer_listener **out, uv_loop_t *loop,
				const char *const *addrs, size_t n,
				int allow_nonloopback, wot_dns_notify_fn fn,
				void *data)
{
	wot_dns_peer_listener *l = calloc(1, sizeof(*l));
	int rc = 0;

	*out = NULL;
	if (!l || !(l->socks = calloc(n ? n : 1, sizeof(*l->socks)))) {
		free(l);
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	l->loop = loop;
	l->n = n;
	l->fn = fn;
	l->data = data;
	rc = parse_all(l, addrs, allow_nonloopback);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = sock_start(l, &l->socks[i]);
	if (rc < 0) {
		char msg[512];
		snprintf(msg, sizeof(msg), "%s", wot_error_last());
		wot_dns_peer_listener_close(l, NULL, NULL);
		return wot_error_set(rc, "%s", msg);
	}
	*out = l;
	return 0;
}

void wot_dns_peer_listener_on_query(wot_dns_peer_listener *l,
				    wot_dns_peer_query_fn fn, void *data)
{
	if (l) {
		l->qfn = fn;
		l->qdata = data;
	}
}

int wot_dns_peer_listener_bound(const wot_dns_peer_listener *l, size_t i,
				char *buf, size_t len)
{
	if (!l || i >= l->n)
		return wot_error_set(WOT_ENOENT, "no peer listener %zu", i);
	return wot_dns_format_addr(&l->socks[i].bound, buf, len);
}

void wot_dns_peer_listener_stats(const wot_dns_peer_listener *l,
				 wot_dns_peer_stats *out)
{
	if (l)
		*out = l->st;
	else
		memset(out, 0, sizeof(*out));
}

void wot_dns_peer_listener_close(wot_dns_peer_listener *l,
				 void (*cb)(void *data), void *data)
{
	if (!l)
		return;
	l->closing = 1;
	l->close_cb = cb;
	l->close_data = data;
	for (size_t i = 0; i < l->n; i++)
		if (l->socks[i].open) {
			l->socks[i].open = 0;
			uv_close((uv_handle_t *)&l->socks[i].udp, on_closed);
		}
	maybe_free(l);
}

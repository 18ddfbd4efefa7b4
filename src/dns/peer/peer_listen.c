/*
 * peer_listen.c - the peer port: answers NOTIFY from other peers and, when
 * the daemon asks for it, opinion questions (plain QUERYs answered from
 * what this node accepts, docs/peer-protocol.md). It never forwards and
 * never recurses; every sender gets a bounded rate of answered messages,
 * and what a NOTIFY may trigger (a fetch) is rate limited again per source
 * by the caller.
 */
#include "dns/peer/peer_int.h"
#include "util/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum {
	RL_RATE = 20, /* NOTIFYs per second per sender */
	RL_BURST = 40 /* tokens at most */
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
	wot_peer_rl_slot *s;

	addr_key(sa, key);
	for (int i = 0; i < 17; i++)
		h = (h ^ key[i]) * 1099511628211ull;
	s = &l->rl[h % WOT_PEER_RL_SLOTS];
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
	wot_peer_sock *ps = h->data;

	(void)hint;
	*b = uv_buf_init((char *)ps->l->rbuf, sizeof(ps->l->rbuf));
}

static int handle(wot_dns_peer_listener *l, const struct sockaddr *from,
		  const uint8_t *msg, size_t len, uint8_t *out, size_t cap,
		  size_t *reply)
{
	char fpr[WOT_FPR_MAX];
	int verdict = wot_dns_notify_classify(msg, len, fpr);

	*reply = 0;
	l->st.received++;
	if (verdict == WOT_NOTIFY_DROP || !within_rate(l, from)) {
		l->st.dropped++;
		return WOT_NOTIFY_DROP;
	}
	if (verdict == WOT_NOTIFY_REFUSED && l->qfn && len >= 4 &&
	    WOT_OPCODE(wot_rd16(msg + 2)) == 0) {
		/* a QUERY: an opinion question */
		if ((*reply = l->qfn(l->qdata, msg, len, out, cap)))
			l->st.opinions++;
		else
			l->st.dropped++;
		return verdict;
	}
	*reply = wot_dns_notify_reply(msg, len, verdict, out, cap);
	if (verdict != WOT_NOTIFY_OK) {
		l->st.refused++;
		return verdict;
	}
	l->st.notifies++;
	l->fn(l->data, fpr);
	return verdict;
}

/*
 * The room an answer to msg may take of cap: over UDP at most
 * WOT_PEER_AMPLIFY times msg (an answer must not be worth spoofing the
 * asker's address for) unless its server cookie proves the address; less
 * the cookie we add. ck gets msg's cookie, server cookie made fresh.
 */
static size_t answer_room(wot_dns_peer_listener *l, const struct sockaddr *from,
			  const uint8_t *msg, size_t len, size_t cap, int tcp,
			  wot_dns_cookie *ck)
{
	uint32_t now = (uint32_t)time(NULL);
	size_t room = cap;

	if (wot_dns_cookie_read(msg, len, ck) < 0)
		ck->present = 0;
	if (!tcp && !wot_dns_cookie_valid(l->cookie_secret, from, now, ck) &&
	    room > WOT_PEER_AMPLIFY * len)
		room = WOT_PEER_AMPLIFY * len;
	if (ck->present) {
		wot_dns_cookie_make(l->cookie_secret, from, now, ck);
		room = room > WOT_COOKIE_OPT ? room - WOT_COOKIE_OPT : 0;
	}
	return room;
}

int wot_peer_handle(wot_dns_peer_listener *l, const struct sockaddr *from,
		    const uint8_t *msg, size_t len, uint8_t *out, size_t cap,
		    int tcp, size_t *reply)
{
	wot_dns_cookie ck;
	size_t room = answer_room(l, from, msg, len, cap, tcp, &ck), n;
	int verdict = handle(l, from, msg, len, out, room, reply);

	/* RFC 7873 §5.2: every answer to a cookie carries a fresh one */
	if (*reply && ck.present &&
	    (n = wot_dns_cookie_put(out, *reply, cap, &ck)))
		*reply = n;
	return verdict;
}

static void on_recv(uv_udp_t *u, ssize_t n, const uv_buf_t *b,
		    const struct sockaddr *from, unsigned flags)
{
	wot_peer_sock *ps = u->data;
	wot_dns_peer_listener *l = ps->l;
	uint8_t out[WOT_PEER_WBUF];
	size_t rlen = 0;

	if (n <= 0 || !from || l->closing)
		return;
	if (flags & UV_UDP_PARTIAL) {
		l->st.received++;
		l->st.dropped++;
		return;
	}
	wot_peer_handle(l, from, (const uint8_t *)b->base, (size_t)n, out,
			sizeof(out), 0, &rlen);
	if (rlen) {
		uv_buf_t buf = uv_buf_init((char *)out, (unsigned)rlen);
		/* A full socket buffer drops the reply; the sender retries. */
		uv_udp_try_send(u, &buf, 1, from);
	}
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

void wot_dns_peer_listener_on_query(wot_dns_peer_listener *l,
				    wot_dns_peer_query_fn fn, void *data)
{
	if (l) {
		l->qfn = fn;
		l->qdata = data;
	}
}

void wot_peer_handle_closed(wot_dns_peer_listener *l)
{
	l->live--;
	if (l->closing)
		maybe_free(l);
}

static void on_closed(uv_handle_t *h)
{
	wot_peer_sock *ps = h->data;

	wot_peer_handle_closed(ps->l);
}

static int sock_start(wot_dns_peer_listener *l, wot_peer_sock *ps)
{
	int tfd = -1, ufd = -1, rc;

	if ((rc = wot_dns_bind_pair(&ps->want, 0, &ps->bound, &tfd, &ufd)) ==
	    0) {
		uv_udp_init(l->loop, &ps->udp);
		ps->udp.data = ps;
		ps->open = 1;
		l->live++;
		rc = uv_udp_open(&ps->udp, ufd);
		if (rc < 0)
			close(ufd);
		if (rc == 0)
			rc = uv_udp_recv_start(&ps->udp, on_alloc, on_recv);
		rc = rc < 0 ? wot_error_set(WOT_ENET, "%s", uv_strerror(rc))
			    : wot_peer_tcp_start(l, ps, tfd);
		tfd = -1;
	}
	if (tfd >= 0)
		close(tfd);
	if (rc < 0) {
		char addr[80] = "?";
		wot_dns_format_addr(&ps->want, addr, sizeof(addr));
		return wot_error_wrap(rc, "peer listener %s", addr);
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
	wot_peer_tcp_init(l);
	if (uv_random(NULL, NULL, l->cookie_secret, sizeof(l->cookie_secret), 0,
		      NULL) != 0) {
		free(l->socks);
		free(l);
		return wot_error_set(WOT_EIO, "no random bytes for cookies");
	}
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
	wot_peer_tcp_close_all(l);
	for (size_t i = 0; i < l->n; i++) {
		if (l->socks[i].open) {
			l->socks[i].open = 0;
			uv_close((uv_handle_t *)&l->socks[i].udp, on_closed);
		}
		if (l->socks[i].tcp_open) {
			l->socks[i].tcp_open = 0;
			uv_close((uv_handle_t *)&l->socks[i].tcp, on_closed);
		}
	}
	maybe_free(l);
}

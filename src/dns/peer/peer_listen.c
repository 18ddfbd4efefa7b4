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
	uint64_t h = 1469598103934665603ull, now = wot_clock_now(&l->clock);
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

/* The listener's handler: a NOTIFY or an opinion question, whole. */
static int on_message(void *ctx, wot_net_req *req, const uint8_t *msg,
		      size_t len, uint8_t *out, size_t cap, size_t *rlen)
{
	wot_dns_peer_listener *l = ctx;

	*rlen = 0;
	if (l->closer.closing)
		return WOT_NET_DROP;
	wot_peer_handle(l, wot_net_req_from(req), msg, len, out, cap,
			wot_net_req_tcp(req), rlen);
	return *rlen ? WOT_NET_REPLY : WOT_NET_DROP;
}

void wot_dns_peer_listener_on_query(wot_dns_peer_listener *l,
				    wot_dns_peer_query_fn fn, void *data)
{
	if (l) {
		l->qfn = fn;
		l->qdata = data;
	}
}

static void listener_free(wot_dns_peer_listener *l)
{
	wot_closer k = l->closer;

	free(l->want);
	free(l->bound);
	free(l);
	wot_closer_end(&k);
}

static void on_net_closed(void *data)
{
	listener_free(data);
}

/*
 * The peer port: answers are made at once; over TCP at most 16 clients
 * (the longest idle or partial one makes way for a newcomer), 5 s idle
 * timeout between messages and 3 s for each message, one message in
 * flight per connection (a client that does not read its answers is not
 * given more), and a message not answered (garbage) hangs up. Over UDP a
 * reply the socket cannot take at once is dropped; the sender retries.
 */
static int net_new(wot_dns_peer_listener *l)
{
	wot_net_listen_opts o = {
	    .handle = on_message,
	    .ctx = l,
	    .flags = WOT_NET_ONE_AT_A_TIME | WOT_NET_HANGUP_ON_DROP,
	    .udp_max = WOT_PEER_RBUF,
	    .udp_reply_max = WOT_PEER_WBUF,
	    .tcp_reply_max = WOT_PEER_TCP_WBUF,
	    .tcp_msg_max = WOT_NOTIFY_MSG_MAX,
	    .max_conns = WOT_PEER_MAX_CONNS,
	    .idle_ms = WOT_PEER_IDLE_MS,
	    .msg_ms = WOT_PEER_MSG_MS,
	    .backlog = WOT_PEER_MAX_CONNS,
	    .wqueue_max = 2 + WOT_PEER_TCP_WBUF,
	};

	return wot_net_listener_new(&l->net, l->loop, &o);
}

static int parse_all(wot_dns_peer_listener *l, const char *const *addrs,
		     int allow_nonloopback)
{
	for (size_t i = 0; i < l->n; i++) {
		int rc = wot_dns_parse_addr(addrs[i], 53, &l->want[i]);
		if (rc < 0)
			return rc;
		if (!allow_nonloopback &&
		    !wot_dns_addr_is_loopback(&l->want[i]))
			return wot_error_set(WOT_EINVAL,
					     "refusing non-loopback peer "
					     "listen address %s "
					     "(--allow-nonloopback)",
					     addrs[i]);
	}
	return 0;
}

static int listen_all(wot_dns_peer_listener *l)
{
	int rc = net_new(l);

	for (size_t i = 0; rc == 0 && i < l->n; i++) {
		rc = wot_net_listener_add(l->net, &l->want[i], &l->bound[i]);
		if (rc < 0) {
			char addr[80] = "?";
			wot_dns_format_addr(&l->want[i], addr, sizeof(addr));
			return wot_error_wrap(rc, "peer listener %s", addr);
		}
	}
	return rc;
}

int wot_dns_peer_listener_start(wot_dns_peer_listener **out, uv_loop_t *loop,
				const char *const *addrs, size_t n,
				int allow_nonloopback, wot_dns_notify_fn fn,
				void *data)
{
	wot_dns_peer_listener *l = calloc(1, sizeof(*l));
	int rc = 0;

	*out = NULL;
	if (l) {
		l->want = calloc(n ? n : 1, sizeof(*l->want));
		l->bound = calloc(n ? n : 1, sizeof(*l->bound));
	}
	if (!l || !l->want || !l->bound) {
		if (l)
			listener_free(l);
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	l->loop = loop;
	l->clock = wot_net_loop_clock(loop);
	l->n = n;
	if (uv_random(NULL, NULL, l->cookie_secret, sizeof(l->cookie_secret), 0,
		      NULL) != 0) {
		listener_free(l);
		return wot_error_set(WOT_EIO, "no random bytes for cookies");
	}
	l->fn = fn;
	l->data = data;
	rc = parse_all(l, addrs, allow_nonloopback);
	if (rc == 0)
		rc = listen_all(l);
	if (rc < 0) {
		char msg[512];
		snprintf(msg, sizeof(msg), "%s", wot_error_last());
		wot_dns_peer_listener_close(l, NULL, NULL);
		return wot_error_set(rc, "%s", msg);
	}
	*out = l;
	return 0;
}

void wot_dns_peer_listener_set_clock(wot_dns_peer_listener *l,
				     const wot_clock *c)
{
	l->clock = c ? *c : wot_net_loop_clock(l->loop);
}

int wot_dns_peer_listener_bound(const wot_dns_peer_listener *l, size_t i,
				char *buf, size_t len)
{
	if (!l || i >= l->n)
		return wot_error_set(WOT_ENOENT, "no peer listener %zu", i);
	return wot_dns_format_addr(&l->bound[i], buf, len);
}

void wot_dns_peer_listener_stats(const wot_dns_peer_listener *l,
				 wot_dns_peer_stats *out)
{
	wot_net_listen_stats ns;

	if (!l) {
		memset(out, 0, sizeof(*out));
		return;
	}
	*out = l->st;
	/* Too big a datagram or TCP frame to be anything of ours: received
	 * and dropped unread. */
	wot_net_listener_stats(l->net, &ns);
	out->received += ns.udp_partial + ns.bad_frames;
	out->dropped += ns.udp_partial + ns.bad_frames;
}

void wot_dns_peer_listener_close(wot_dns_peer_listener *l,
				 void (*cb)(void *data), void *data)
{
	if (!l || !wot_closer_begin(&l->closer, cb, data))
		return;
	if (l->net)
		wot_net_listener_close(l->net, on_net_closed, l);
	else
		listener_free(l);
}

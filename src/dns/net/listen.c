/*
 * listen.c - the listener: its sockets (one UDP socket and one TCP
 * listener per address, sharing a port), the handler each message goes
 * to, the requests it keeps, and the close sequence that cancels those and
 * lets the caller's loop close cleanly. The resolver port and the peer
 * port each run one, with options of their own (net.h).
 */
#include "dns/net/listen_int.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int opts_ok(const wot_net_listen_opts *o)
{
	return o->handle && o->udp_max && o->udp_max <= 65536 &&
	       o->tcp_reply_max <= 65535 && o->udp_reply_max <= 65535 &&
	       o->tcp_msg_max >= WOT_NET_HDR_LEN && o->tcp_msg_max <= 65535 &&
	       o->max_conns && o->backlog > 0;
}

int wot_net_listener_new(wot_net_listener **out, uv_loop_t *loop,
			 const wot_net_listen_opts *opts)
{
	wot_net_listener *l;
	size_t ocap;

	*out = NULL;
	if (!loop || !opts || !opts_ok(opts))
		return wot_error_set(WOT_EINVAL, "listener: bad options");
	if (!(l = calloc(1, sizeof(*l))))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	l->loop = loop;
	l->o = *opts;
	/* libuv reads a recvmmsg batch in 64 KiB slots, one datagram each
	 * (a smaller buffer it cannot split); else one datagram. */
	l->rlen = opts->flags & WOT_NET_BATCH ? 65536 * WOT_NET_RECV_BATCH
					      : opts->udp_max;
	ocap = opts->udp_reply_max > opts->tcp_reply_max ? opts->udp_reply_max
							 : opts->tcp_reply_max;
	l->rbuf = malloc(l->rlen);
	l->obuf = malloc(ocap ? ocap : 1);
	if (!l->rbuf || !l->obuf) {
		free(l->rbuf);
		free(l->obuf);
		free(l);
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	wot_net_tcp_init(l);
	*out = l;
	return 0;
}

static void on_sock_closed(uv_handle_t *h)
{
	wot_net_sock *s = h->data;

	wot_net_listener_unref(s->l);
}

int wot_net_listener_add(wot_net_listener *l,
			 const struct sockaddr_storage *want,
			 struct sockaddr_storage *bound)
{
	unsigned bflags = l->o.flags & (WOT_NET_REUSEPORT | WOT_NET_BIGRCVBUF);
	int tfd = -1, ufd = -1, rc;
	wot_net_sock *s;

	if (l->closer.closing)
		return wot_error_set(WOT_EINVAL, "listener closing");
	if (!(s = calloc(1, sizeof(*s))))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	if ((rc = wot_net_bind_pair(want, bflags, bound, &tfd, &ufd)) < 0) {
		free(s);
		return rc;
	}
	/* Linked now: whatever opens below, the close closes. */
	s->l = l;
	s->next = l->socks;
	l->socks = s;
	rc = wot_net_tcp_start(s, tfd);
	if (rc == 0)
		rc = wot_net_udp_start(s, ufd);
	else
		close(ufd);
	return rc;
}

void wot_net_listener_stats(const wot_net_listener *l,
			    wot_net_listen_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!l)
		return;
	*out = l->st;
	out->evicted = l->tab.evicted;
	out->expired = l->tab.expired;
}

void wot_net_listener_unref(wot_net_listener *l)
{
	wot_closer k;
	wot_net_sock *s;

	if (!wot_closer_release(&l->closer, &k))
		return;
	while ((s = l->socks)) {
		l->socks = s->next;
		free(s->batch);
		free(s);
	}
	free(l->rbuf);
	free(l->obuf);
	free(l);
	wot_closer_end(&k);
}

static void cancel_udp_kept(wot_net_listener *l)
{
	wot_net_req *r;

	while ((r = l->udp_kept)) {
		l->udp_kept = r->next;
		r->prev = r->next = NULL;
		r->state = WOT_NET_REQ_ENDED;
		l->o.cancel(l->o.ctx, r);
	}
}

void wot_net_listener_close(wot_net_listener *l, void (*cb)(void *data),
			    void *data)
{
	if (!l || !wot_closer_begin(&l->closer, cb, data))
		return;
	l->closer.live++; /* so nothing below can free l under us */
	cancel_udp_kept(l);
	wot_net_conntab_close_all(&l->tab);
	for (wot_net_sock *s = l->socks; s; s = s->next) {
		if (s->udp_open) {
			s->udp_open = 0;
			uv_close((uv_handle_t *)&s->udp, on_sock_closed);
		}
		if (s->tcp_open) {
			s->tcp_open = 0;
			uv_close((uv_handle_t *)&s->tcp, on_sock_closed);
		}
	}
	wot_net_listener_unref(l);
}

/* Send a reply to req's sender. */
static void send_reply(wot_net_req *req, const uint8_t *buf, size_t len)
{
	if (req->conn)
		wot_net_conn_write(req->conn, buf, len);
	else
		wot_net_udp_reply(req->sock, &req->from, buf, len);
}

void wot_net_dispatch(wot_net_listener *l, wot_net_req *req, const uint8_t *msg,
		      size_t len)
{
	size_t cap = req->conn ? l->o.tcp_reply_max : l->o.udp_reply_max;
	size_t rlen = 0;
	int r;

	req->state = WOT_NET_REQ_NOW;
	r = l->o.handle(l->o.ctx, req, msg, len, l->obuf, cap, &rlen);
	if (req->state != WOT_NET_REQ_NOW)
		return; /* kept: the handler ends it */
	if (r == WOT_NET_REPLY && rlen && rlen <= cap) {
		send_reply(req, l->obuf, rlen);
		return;
	}
	if (req->conn && (l->o.flags & WOT_NET_HANGUP_ON_DROP))
		wot_net_conn_close(req->conn);
}

void wot_net_req_keep(wot_net_req *dst, wot_net_req *req)
{
	wot_net_req **head;

	*dst = *req;
	req->state = WOT_NET_REQ_KEPT;
	dst->state = WOT_NET_REQ_KEPT;
	dst->prev = NULL;
	head = req->conn ? &req->conn->kept : &req->l->udp_kept;
	dst->next = *head;
	if (*head)
		(*head)->prev = dst;
	*head = dst;
	if (req->conn)
		req->conn->pending++;
}

/* End a kept req: unlinked, and its connection told. */
static void req_end(wot_net_req *req, const uint8_t *buf, size_t len)
{
	wot_net_conn *c = req->conn;

	if (req->state != WOT_NET_REQ_KEPT)
		return;
	req->state = WOT_NET_REQ_ENDED;
	if (req->prev)
		req->prev->next = req->next;
	else if (c)
		c->kept = req->next;
	else
		req->l->udp_kept = req->next;
	if (req->next)
		req->next->prev = req->prev;
	req->prev = req->next = NULL;
	if (c)
		c->pending--;
	if (buf)
		send_reply(req, buf, len);
	else if (c && (req->l->o.flags & WOT_NET_HANGUP_ON_DROP))
		wot_net_conn_close(c);
	if (c)
		wot_net_conn_settle(c);
}

void wot_net_req_reply(wot_net_req *req, const uint8_t *buf, size_t len)
{
	req_end(req, buf, len);
}

void wot_net_req_drop(wot_net_req *req)
{
	req_end(req, NULL, 0);
}

int wot_net_req_tcp(const wot_net_req *req)
{
	return req->conn != NULL;
}

const struct sockaddr *wot_net_req_from(const wot_net_req *req)
{
	return (const struct sockaddr *)&req->from;
}

size_t wot_net_req_pending(const wot_net_req *req)
{
	return req->conn ? req->conn->pending : 0;
}

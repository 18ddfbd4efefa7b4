/*
 * listen_udp.c - the listener's datagrams. With WOT_NET_BATCH, queries
 * arrive in recvmmsg(2) batches and the replies to a batch are collected
 * and leave in one sendmmsg(2), so a busy resolver makes two system calls
 * per batch instead of one per reply. libuv 1.44 has no batched send
 * (uv_udp_try_send2 came in 1.50), so the flush uses the handle's own
 * socket; libuv still owns it, and whatever the kernel does not take right
 * away goes through uv_udp_send. Without it, a reply the socket cannot
 * take at once is dropped (the sender retries).
 */
#include "dns/net/listen_int.h"
#include "util/util.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
	uv_udp_send_t req;
	uint8_t data[];
} udp_send;

static void on_udp_sent(uv_udp_send_t *req, int status)
{
	if (status < 0 && status != UV_ECANCELED)
		wot_log(WOT_LOG_DEBUG, "dns", "UDP send: %s",
			uv_strerror(status));
	free(req);
}

/* Send one reply through libuv: now, or (WOT_NET_BATCH) queued when the
 * socket is full. */
static void udp_send_now(wot_net_sock *s, const struct sockaddr_storage *addr,
			 const uint8_t *buf, size_t len)
{
	uv_buf_t b = uv_buf_init((char *)buf, (unsigned)len);
	udp_send *q;
	int rc;

	rc = uv_udp_try_send(&s->udp, &b, 1, (const struct sockaddr *)addr);
	if (rc >= 0 || (rc != UV_EAGAIN && rc != UV_ENOSYS) ||
	    !(s->l->o.flags & WOT_NET_BATCH)) {
		if (rc < 0)
			wot_log(WOT_LOG_DEBUG, "dns", "UDP send: %s",
				uv_strerror(rc));
		return;
	}
	/* The socket is busy: queue a copy, the caller's buffer is reused. */
	q = malloc(sizeof(*q) + len);
	if (!q)
		return;
	memcpy(q->data, buf, len);
	b = uv_buf_init((char *)q->data, (unsigned)len);
	rc = uv_udp_send(&q->req, &s->udp, &b, 1, (const struct sockaddr *)addr,
			 on_udp_sent);
	if (rc < 0) {
		wot_log(WOT_LOG_DEBUG, "dns", "UDP send: %s", uv_strerror(rc));
		free(q);
	}
}

static void batch_flush(wot_net_sock *s)
{
	wot_net_batch *b = s->batch;
	uv_os_fd_t fd;
	int sent = 0;

	if (!b || !b->n)
		return;
	if (uv_fileno((uv_handle_t *)&s->udp, &fd) == 0) {
		do
			sent = sendmmsg(fd, b->msg, (unsigned)b->n, 0);
		while (sent < 0 && errno == EINTR);
	}
	if (sent < 0)
		sent = 0;
	for (size_t i = (size_t)sent; i < b->n; i++)
		udp_send_now(s, &b->addr[i], b->data[i], b->iov[i].iov_len);
	b->n = 0;
}

/* Keep a reply for the batch's sendmmsg; 0 if kept, -1 if the caller must
 * send it itself (no batch running, or too big). */
static int batch_add(wot_net_sock *s, const struct sockaddr_storage *addr,
		     const uint8_t *buf, size_t len)
{
	wot_net_batch *b = s->batch;
	size_t i;

	if (!b || !b->active || len > sizeof(b->data[0]))
		return -1;
	if (b->n == WOT_NET_RECV_BATCH)
		batch_flush(s);
	i = b->n++;
	memcpy(b->data[i], buf, len);
	b->addr[i] = *addr;
	b->iov[i].iov_base = b->data[i];
	b->iov[i].iov_len = len;
	memset(&b->msg[i], 0, sizeof(b->msg[i]));
	b->msg[i].msg_hdr.msg_name = &b->addr[i];
	b->msg[i].msg_hdr.msg_namelen = addr->ss_family == AF_INET6
					    ? sizeof(struct sockaddr_in6)
					    : sizeof(struct sockaddr_in);
	b->msg[i].msg_hdr.msg_iov = &b->iov[i];
	b->msg[i].msg_hdr.msg_iovlen = 1;
	return 0;
}

void wot_net_udp_reply(wot_net_sock *s, const struct sockaddr_storage *addr,
		       const uint8_t *buf, size_t len)
{
	if (s->l->closer.closing || !s->udp_open)
		return;
	if (batch_add(s, addr, buf, len) < 0)
		udp_send_now(s, addr, buf, len);
}

static void udp_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	wot_net_sock *s = h->data;

	(void)hint;
	/* With recvmmsg libuv splits this into udp_max slots, one datagram
	 * each; only the bytes received are ever touched. */
	buf->base = (char *)s->l->rbuf;
	buf->len = s->l->rlen;
}

static void on_udp_recv(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf,
			const struct sockaddr *addr, unsigned flags)
{
	wot_net_sock *s = h->data;
	wot_net_listener *l = s->l;
	wot_net_req req;

	if (nread < 0)
		wot_log(WOT_LOG_DEBUG, "dns", "UDP receive: %s",
			uv_strerror((int)nread));
	if (s->batch)
		s->batch->active = (flags & UV_UDP_MMSG_CHUNK) != 0;
	if (nread <= 0 || !addr || l->closer.closing) {
		/* The end of a recvmmsg batch (MMSG_FREE): send the replies. */
		batch_flush(s);
		return;
	}
	if (flags & UV_UDP_PARTIAL) {
		l->st.udp_partial++;
		return;
	}
	memset(&req, 0, sizeof(req));
	req.l = l;
	req.sock = s;
	memcpy(&req.from, addr,
	       addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
					   : sizeof(struct sockaddr_in));
	wot_net_dispatch(l, &req, (const uint8_t *)buf->base, (size_t)nread);
}

int wot_net_udp_start(wot_net_sock *s, int fd)
{
	wot_net_listener *l = s->l;
	int batch = (l->o.flags & WOT_NET_BATCH) != 0, rc;

	if (batch && !s->batch && !(s->batch = calloc(1, sizeof(*s->batch)))) {
		close(fd);
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	/* recvmmsg(2): one system call reads a batch of queries. */
	uv_udp_init_ex(l->loop, &s->udp, batch ? UV_UDP_RECVMMSG : 0);
	s->udp.data = s;
	s->udp_open = 1;
	l->closer.live++;
	rc = uv_udp_open(&s->udp, fd);
	if (rc < 0)
		close(fd);
	else
		rc = uv_udp_recv_start(&s->udp, udp_alloc, on_udp_recv);
	if (rc < 0)
		return wot_error_set(WOT_ENET, "listen: %s", uv_strerror(rc));
	return 0;
}

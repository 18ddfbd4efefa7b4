/*
 * udpbatch.c - UDP replies. Queries arrive in recvmmsg(2) batches; the
 * replies to a batch are collected and leave in one sendmmsg(2), so a busy
 * resolver makes two system calls per batch instead of one per reply.
 * libuv 1.44 has no batched send (uv_udp_try_send2 came in 1.50), so the
 * flush uses the handle's own socket; libuv still owns it, and whatever
 * the kernel does not take right away goes through uv_udp_send.
 */
#include "dns/resolver/server_int.h"
#include "util/util.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

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

void wot_dns_udp_send(wot_dns_listener *l, const struct sockaddr_storage *addr,
		      const uint8_t *buf, size_t len)
{
	uv_buf_t b = uv_buf_init((char *)buf, (unsigned)len);
	udp_send *q;
	int rc;

	rc = uv_udp_try_send(&l->udp, &b, 1, (const struct sockaddr *)addr);
	if (rc >= 0 || (rc != UV_EAGAIN && rc != UV_ENOSYS)) {
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
	rc = uv_udp_send(&q->req, &l->udp, &b, 1, (const struct sockaddr *)addr,
			 on_udp_sent);
	if (rc < 0) {
		wot_log(WOT_LOG_DEBUG, "dns", "UDP send: %s", uv_strerror(rc));
		free(q);
	}
}

int wot_dns_batch_add(wot_dns_listener *l, const struct sockaddr_storage *addr,
		      const uint8_t *buf, size_t len)
{
	wot_dns_sendbatch *b = l->batch;
	size_t i;

	if (!b || !b->active || len > sizeof(b->data[0]))
		return -1;
	if (b->n == WOT_DNS_RECV_BATCH)
		wot_dns_batch_flush(l);
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

void wot_dns_batch_flush(wot_dns_listener *l)
{
	wot_dns_sendbatch *b = l->batch;
	uv_os_fd_t fd;
	int sent = 0;

	if (!b || !b->n)
		return;
	if (uv_fileno((uv_handle_t *)&l->udp, &fd) == 0) {
		do
			sent = sendmmsg(fd, b->msg, (unsigned)b->n, 0);
		while (sent < 0 && errno == EINTR);
	}
	if (sent < 0)
		sent = 0;
	for (size_t i = (size_t)sent; i < b->n; i++)
		wot_dns_udp_send(l, &b->addr[i], b->data[i], b->iov[i].iov_len);
	b->n = 0;
}

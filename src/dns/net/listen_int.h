/*
 * listen_int.h - the listener's objects, shared by listen.c (lifecycle,
 * requests), listen_udp.c (datagrams, batches) and listen_tcp.c (RFC 7766
 * connections).
 */
#ifndef WOT_NET_LISTEN_INT_H
#define WOT_NET_LISTEN_INT_H

#include "dns/net/conntab.h"
#include "dns/net/net.h"
#include "util/util.h"

#include <sys/socket.h>

enum {
	WOT_NET_HDR_LEN = 12,	   /* a DNS header: no message is shorter */
	WOT_NET_RECV_BATCH = 16,   /* datagrams per recvmmsg call */
	WOT_NET_BATCH_SLOT = 1232, /* a batched reply (the EDNS size) */
	WOT_NET_RCVBUF = 4 << 20,  /* UDP receive buffer (BIGRCVBUF) */
	WOT_NET_TCP_READ = 65536   /* bytes per TCP read */
};

/* The request states (wot_net_req.state). */
enum { WOT_NET_REQ_NOW, WOT_NET_REQ_KEPT, WOT_NET_REQ_ENDED };

/* Replies to one recvmmsg batch, sent with one sendmmsg (listen_udp.c). */
typedef struct {
	size_t n;
	int active; /* inside a batch: replies wait here */
	struct mmsghdr msg[WOT_NET_RECV_BATCH];
	struct iovec iov[WOT_NET_RECV_BATCH];
	struct sockaddr_storage addr[WOT_NET_RECV_BATCH];
	uint8_t data[WOT_NET_RECV_BATCH][WOT_NET_BATCH_SLOT];
} wot_net_batch;

/* One address: a UDP socket and a TCP listener on the same port. */
struct wot_net_sock {
	wot_net_listener *l;
	wot_net_sock *next;
	uv_udp_t udp;
	uv_tcp_t tcp;
	int udp_open, tcp_open;
	wot_net_batch *batch; /* WOT_NET_BATCH only */
};

struct wot_net_conn {
	wot_net_listener *l;
	wot_net_slot slot; /* in l->tab; its timer is our second handle */
	uv_tcp_t tcp;
	struct sockaddr_storage peer;
	wot_buf in;
	wot_net_req *kept; /* requests kept by the handler, not ended */
	size_t pending;	   /* how many */
	size_t writes;	   /* uv_write requests in flight */
	int handles;	   /* open libuv handles, freed at 0 */
	int closing, eof, reading;
	int dispatching; /* inside the handler: settle later */
};

struct wot_net_listener {
	uv_loop_t *loop;
	wot_net_listen_opts o;
	wot_net_sock *socks;
	wot_net_conntab tab;   /* the TCP connections */
	wot_net_req *udp_kept; /* UDP requests kept, not ended */
	wot_net_listen_stats st;
	wot_closer closer; /* live: open handles (sockets, connections) */
	uint8_t *rbuf;	   /* reads: UDP (a recvmmsg batch) and TCP */
	size_t rlen;
	uint8_t *obuf; /* a reply made now: 2 framing bytes, then the reply */
};

/* listen.c */
/* One handle of l closed: free l when it was the last and l closes. */
void wot_net_listener_unref(wot_net_listener *l);
/* Hand msg to the handler as req and send (or not) what it answers. */
void wot_net_dispatch(wot_net_listener *l, wot_net_req *req, const uint8_t *msg,
		      size_t len);
static inline uint16_t wot_net_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* listen_udp.c */
/* Start reading on s's UDP socket (fd bound; taken in every case). */
int wot_net_udp_start(wot_net_sock *s, int fd);
/* Send a UDP reply to addr: into the running batch, now, or queued. */
void wot_net_udp_reply(wot_net_sock *s, const struct sockaddr_storage *addr,
		       const uint8_t *buf, size_t len);

/* listen_tcp.c */
void wot_net_tcp_init(wot_net_listener *l);
/* Start listening on s's TCP socket (fd bound; taken in every case). */
int wot_net_tcp_start(wot_net_sock *s, int fd);
/* Write a reply (len bytes) on c, framed. */
void wot_net_conn_write(wot_net_conn *c, const uint8_t *buf, size_t len);
/* Close c (its kept requests cancelled); freed once its handles are. */
void wot_net_conn_close(wot_net_conn *c);
/* A kept request of c ended: go on reading, or close a half-closed c. */
void wot_net_conn_settle(wot_net_conn *c);

/* bind.c: TCP on want, then UDP on the very port TCP got (port 0 picks a
 * free one, retried when that port is taken for UDP). bound receives the
 * address; on error neither socket is left open. flags: WOT_NET_REUSEPORT,
 * WOT_NET_BIGRCVBUF. */
int wot_net_bind_pair(const struct sockaddr_storage *want, unsigned flags,
		      struct sockaddr_storage *bound, int *tfd, int *ufd);

#endif

/*
 * opinion_tcp.h - asking one opinion question over TCP, for the asker
 * (opinion_ask.c) when a peer's UDP answer has TC set.
 */
#ifndef WOT_DNS_OPINION_TCP_H
#define WOT_DNS_OPINION_TCP_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

/* largest question sent: a name of 255, our OPT and a COOKIE option */
enum { WOT_OPINION_TCP_QMAX = 340 };

typedef struct wot_opinion_tcp wot_opinion_tcp;

/* The answer (borrowed during the call), or pkt NULL: no whole answer of
 * at most max bytes within the timeout (refused, reset, too big). */
typedef void (*wot_opinion_tcp_cb)(void *data, const uint8_t *pkt, size_t len);

/*
 * Connect to to (from from's address when not NULL, any port), send q
 * (one frame), and call cb once with the first frame read back, if it is
 * 12 to max bytes, or NULL after timeout_ms or any failure. The object
 * frees itself after cb. Returns 0 or a negative code (cb never runs).
 */
int wot_opinion_tcp_start(wot_opinion_tcp **out, uv_loop_t *loop,
			  const struct sockaddr *from,
			  const struct sockaddr *to, const uint8_t *q,
			  size_t qlen, size_t max, unsigned timeout_ms,
			  wot_opinion_tcp_cb cb, void *data);
/* cb never runs; the object goes once its handles closed. Only before
 * cb ran. */
void wot_opinion_tcp_cancel(wot_opinion_tcp *t);

#endif

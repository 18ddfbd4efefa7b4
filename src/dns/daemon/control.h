/*
 * control.h - the daemon's read-only control socket and its client.
 */
#ifndef WOT_DNS_CONTROL_H
#define WOT_DNS_CONTROL_H

#include <stddef.h>
#include <uv.h>

typedef struct wot_dns_control wot_dns_control;

/* Produce the document a client gets: *json is malloc'ed, the control
 * socket frees it. Runs on the loop thread. */
typedef int (*wot_dns_control_fn)(void *data, char **json);

/*
 * Listen on the Unix socket at path (a stale socket there is replaced;
 * anything else there is an error). Each client gets fn's document and
 * EOF. Close with wot_dns_control_close(), which removes the socket.
 * On error nothing needs closing, but the loop must run once more.
 */
int wot_dns_control_start(wot_dns_control **out, uv_loop_t *loop,
			  const char *path, wot_dns_control_fn fn, void *data);
void wot_dns_control_close(wot_dns_control *c, void (*cb)(void *data),
			   void *data);

/*
 * Client: connect to the socket at path and read the document into *json
 * (caller frees), within timeout_ms. WOT_ENOENT when no daemon listens.
 */
int wot_dns_control_fetch(const char *path, unsigned timeout_ms, char **json);

#endif

/*
 * control.c - the daemon's control socket: a Unix socket in the home's
 * state directory (mode 0700, so only the user reaches it). A client that
 * connects gets one JSON document, the daemon's counters, and EOF. It is
 * read-only by design: nothing a client sends is ever parsed.
 */
#include "dns/daemon/control.h"
#include "util/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

enum { MAX_CLIENTS = 16, REPLY_MAX = 1 << 20 };

struct wot_dns_control {
	uv_loop_t *loop;
	uv_pipe_t pipe;
	char *path;
	wot_dns_control_fn fn;
	void *data;
	wot_closer closer; /* live: the clients connected */
};

typedef struct {
	wot_dns_control *c;
	uv_pipe_t pipe;
	uv_write_t wreq;
	char *text;
} ctl_client;

static void control_maybe_free(wot_dns_control *c)
{
	wot_closer k;

	/* pipe.data is cleared when the listening pipe has closed */
	if (c->pipe.data || !wot_closer_done(&c->closer, &k))
		return;
	free(c->path);
	free(c);
	wot_closer_end(&k);
}

static void on_client_closed(uv_handle_t *h)
{
	ctl_client *k = h->data;
	wot_dns_control *c = k->c;

	free(k->text);
	free(k);
	c->closer.live--;
	control_maybe_free(c);
}

static void on_written(uv_write_t *req, int status)
{
	ctl_client *k = req->data;

	(void)status;
	uv_close((uv_handle_t *)&k->pipe, on_client_closed);
}

static void serve_client(ctl_client *k)
{
	uv_buf_t b;

	k->text = NULL;
	if (k->c->fn(k->c->data, &k->text) < 0 || !k->text ||
	    strlen(k->text) > REPLY_MAX) {
		uv_close((uv_handle_t *)&k->pipe, on_client_closed);
		return;
	}
	b = uv_buf_init(k->text, (unsigned)strlen(k->text));
	k->wreq.data = k;
	if (uv_write(&k->wreq, (uv_stream_t *)&k->pipe, &b, 1, on_written) < 0)
		uv_close((uv_handle_t *)&k->pipe, on_client_closed);
}

static void on_connection(uv_stream_t *server, int status)
{
	wot_dns_control *c = server->data;
	ctl_client *k;

	if (status < 0 || c->closer.closing)
		return;
	k = calloc(1, sizeof(*k));
	if (!k || uv_pipe_init(c->loop, &k->pipe, 0) < 0) {
		free(k);
		return;
	}
	k->c = c;
	k->pipe.data = k;
	c->closer.live++;
	if (uv_accept(server, (uv_stream_t *)&k->pipe) < 0 ||
	    c->closer.live > MAX_CLIENTS) {
		uv_close((uv_handle_t *)&k->pipe, on_client_closed);
		return;
	}
	serve_client(k);
}

/* Remove a stale socket from an earlier run, but never anything else. */
static int clear_stale(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0
				       : wot_error_set(WOT_EIO, "%s: %s", path,
						       strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return wot_error_set(WOT_EEXIST,
				     "%s exists and is not a socket", path);
	if (unlink(path) < 0)
		return wot_error_set(WOT_EIO, "%s: %s", path, strerror(errno));
	return 0;
}

static void on_failed_closed(uv_handle_t *h)
{
	wot_dns_control *c = h->data;

	free(c->path);
	free(c);
}

int wot_dns_control_start(wot_dns_control **out, uv_loop_t *loop,
			  const char *path, wot_dns_control_fn fn, void *data)
{
	wot_dns_control *c = NULL;
	int rc;

	*out = NULL;
	if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return wot_error_set(WOT_ELIMIT,
				     "control socket path too long: %s", path);
	if ((rc = clear_stale(path)) < 0)
		return rc;
	c = calloc(1, sizeof(*c));
	if (!c || !(c->path = strdup(path))) {
		free(c);
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	c->loop = loop;
	c->fn = fn;
	c->data = data;
	uv_pipe_init(loop, &c->pipe, 0);
	c->pipe.data = c;
	rc = uv_pipe_bind(&c->pipe, path);
	if (rc == 0)
		rc = uv_listen((uv_stream_t *)&c->pipe, 8, on_connection);
	if (rc < 0) {
		wot_error_set(WOT_ENET, "%s: %s", path, uv_strerror(rc));
		/* The handle lives in c: free c once the loop closed it. */
		uv_close((uv_handle_t *)&c->pipe, on_failed_closed);
		return WOT_ENET;
	}
	*out = c;
	return 0;
}

static void on_pipe_closed(uv_handle_t *h)
{
	wot_dns_control *c = h->data;

	c->pipe.data = NULL;
	unlink(c->path);
	control_maybe_free(c);
}

void wot_dns_control_close(wot_dns_control *c, void (*cb)(void *data),
			   void *data)
{
	if (!c || !wot_closer_begin(&c->closer, cb, data))
		return;
	uv_close((uv_handle_t *)&c->pipe, on_pipe_closed);
}

/*
 * control_client.c - read the daemon's control socket: connect, read one
 * document to EOF, all on a private loop with a deadline.
 */
#include "dns/daemon/control.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

enum { DOC_MAX = 1 << 20 };

typedef struct {
	uv_pipe_t pipe;
	uv_timer_t timer;
	uv_connect_t creq;
	wot_buf in;
	const char *path;
	int rc, done;
	char rbuf[16384];
} fetch_t;

static void stop(fetch_t *f, int rc)
{
	if (f->done)
		return;
	f->done = 1;
	f->rc = rc;
	uv_close((uv_handle_t *)&f->pipe, NULL);
	uv_close((uv_handle_t *)&f->timer, NULL);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	fetch_t *f = h->data;

	(void)hint;
	*b = uv_buf_init(f->rbuf, sizeof(f->rbuf));
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
	fetch_t *f = s->data;

	if (n == UV_EOF)
		stop(f, 0);
	else if (n < 0)
		stop(f, wot_error_set(WOT_ENET, "control socket: %s",
				      uv_strerror((int)n)));
	else if (f->in.len + (size_t)n > DOC_MAX ||
		 wot_buf_put(&f->in, b->base, (size_t)n) < 0)
		stop(f, wot_error_set(WOT_ELIMIT, "control reply too large"));
}

static void on_connect(uv_connect_t *req, int status)
{
	fetch_t *f = req->data;

	/* No socket, or one nobody listens on: no daemon runs. Anything
	 * else (a socket this user may not use) is a daemon not reached. */
	if (status == UV_ENOENT || status == UV_ECONNREFUSED) {
		stop(f, wot_error_set(WOT_ENOENT, "no running daemon (%s)",
				      uv_strerror(status)));
		return;
	}
	if (status < 0) {
		stop(f, wot_error_set(WOT_ENET, "%s: %s", f->path,
				      uv_strerror(status)));
		return;
	}
	if (uv_read_start((uv_stream_t *)&f->pipe, on_alloc, on_read) < 0)
		stop(f, wot_error_set(WOT_ENET, "control socket: read"));
}

static void on_timeout(uv_timer_t *t)
{
	stop(t->data,
	     wot_error_set(WOT_ENET, "daemon did not answer on its control "
				     "socket"));
}

int wot_dns_control_fetch(const char *path, unsigned timeout_ms, char **json)
{
	uv_loop_t loop;
	fetch_t *f = calloc(1, sizeof(*f));
	int rc;

	*json = NULL;
	if (!f)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	if (uv_loop_init(&loop) < 0) {
		free(f);
		return wot_error_set(WOT_EIO, "loop");
	}
	uv_pipe_init(&loop, &f->pipe, 0);
	uv_timer_init(&loop, &f->timer);
	f->pipe.data = f->timer.data = f->creq.data = f;
	f->path = path;
	uv_pipe_connect(&f->creq, &f->pipe, path, on_connect);
	uv_timer_start(&f->timer, on_timeout, timeout_ms, 0);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	rc = f->rc;
	if (rc == 0 && wot_buf_put(&f->in, "", 1) == 0) {
		*json = f->in.ptr;
		f->in.ptr = NULL;
	} else if (rc == 0) {
		rc = wot_error_set(WOT_ENOMEM, "out of memory");
	}
	wot_buf_dispose(&f->in);
	free(f);
	return rc;
}

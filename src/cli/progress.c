/* progress.c - the progress line of 'wotdns sync'. */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REDRAW_MS 100 /* a terminal line is redrawn at most this often */

void cli_sync_progress_init(cli_sync_progress *p, int mode)
{
	memset(p, 0, sizeof(*p));
	p->tty = isatty(STDERR_FILENO);
	p->show = mode > 0 || (mode == 0 && p->tty);
}

void cli_sync_progress_dispose(cli_sync_progress *p)
{
	wot_map_free(p->seen, free);
	p->seen = NULL;
}

/* Counts of one source's fetch so far. */
typedef struct {
	size_t objects;
	uint64_t bytes;
} seen_counts;

/*
 * Fetches of several sources run at once ([sync] jobs) and report their
 * own running totals interleaved: add only what each one grew by.
 */
static void account(cli_sync_progress *p, const char *source, size_t objects,
		    uint64_t bytes, int is_bytes)
{
	seen_counts *c;

	if (!source || (!p->seen && wot_map_new(&p->seen) < 0))
		return;
	if (!(c = wot_map_get(p->seen, source))) {
		if (!(c = calloc(1, sizeof(*c))))
			return;
		if (wot_map_put(p->seen, source, c, NULL) < 0) {
			free(c);
			return;
		}
	}
	if (is_bytes) {
		if (bytes > c->bytes)
			p->bytes += bytes - c->bytes;
		c->bytes = bytes;
	} else {
		if (objects > c->objects)
			p->objects += objects - c->objects;
		c->objects = objects;
	}
}

static void human_bytes(uint64_t b, char *out, size_t len)
{
	if (b < 1024)
		snprintf(out, len, "%llu B", (unsigned long long)b);
	else if (b < 1024 * 1024)
		snprintf(out, len, "%.1f KiB", b / 1024.0);
	else
		snprintf(out, len, "%.1f MiB", b / (1024.0 * 1024.0));
}

/* On a terminal, one line redrawn in place; elsewhere (--progress into a
 * file or pipe) a line per finished source, so logs stay readable. */
static void draw(cli_sync_progress *p, int force)
{
	uint64_t now = wot_now_ms();
	char bytes[32];

	if (!p->show || (!p->tty && !force) ||
	    (!force && now - p->last_ms < REDRAW_MS))
		return;
	p->last_ms = now;
	human_bytes(p->bytes, bytes, sizeof(bytes));
	fprintf(stderr, "%ssync: %zu/%zu sources, %zu objects, %s%s",
		p->tty ? "\r\033[K" : "", p->done, p->total, p->objects, bytes,
		p->tty ? "" : "\n");
	p->drawn = p->tty;
	fflush(stderr);
}

void cli_sync_progress_cb(wot_sync_event ev, const char *source, size_t cur,
			  size_t total, int ok, const char *msg, void *data)
{
	cli_sync_progress *p = data;

	switch (ev) {
	case WOT_SYNC_EV_START:
		if (total > p->total)
			p->total = total;
		draw(p, 0);
		break;
	case WOT_SYNC_EV_FETCH:
		account(p, source, cur, 0, 0);
		draw(p, 0);
		break;
	case WOT_SYNC_EV_BYTES:
		account(p, source, 0, cur, 1);
		draw(p, 0);
		break;
	case WOT_SYNC_EV_DONE:
		p->done++;
		if (p->done > p->total)
			p->total = p->done;
		/* A failure is an error, not progress: always shown. */
		if (!ok) {
			fprintf(stderr, "%s%s: FAILED: %.1024s\n",
				p->drawn ? "\r\033[K" : "", source,
				msg ? msg : "");
			p->drawn = 0;
		}
		draw(p, 1);
		break;
	case WOT_SYNC_EV_ACCEPTED:
		if (p->drawn)
			fputc('\n', stderr);
		p->drawn = 0;
		break;
	}
}

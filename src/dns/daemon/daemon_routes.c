/*
 * daemon_routes.c - writing STATE/routes after each table swap.
 *
 * Walking the table is proportional to its names (a million on a large
 * overlay), so it runs on the thread pool, never on the loop that swaps
 * tables; answering threads are not involved at all. Swaps that come
 * while a write runs collapse into one: only the newest table matters.
 */
#include "dns/resolver/resolver.h"
#include "dns/daemon/routes.h"
#include "sync/sync.h"
#include "util/util.h"

#include <stdlib.h>

struct wot_dns_routes_job {
	uv_loop_t *loop;
	const wot_home *home;
	uv_work_t work;
	wot_dns_table *running; /* being written (one reference) */
	wot_dns_table *pending; /* offered meanwhile (one reference) */
	int closing;
	int rc;
	bool changed;
	char error[512];
};

static void start(wot_dns_routes_job *j);

static void routes_work(uv_work_t *req)
{
	wot_dns_routes_job *j = req->data;

	j->rc = wot_dns_routes_save(j->home, j->running, &j->changed);
	if (j->rc < 0)
		snprintf(j->error, sizeof(j->error), "%s", wot_error_last());
}

static void routes_done(uv_work_t *req, int status)
{
	wot_dns_routes_job *j = req->data;

	wot_dns_table_free(j->running);
	j->running = NULL;
	if (status == 0 && j->rc < 0)
		wot_log(WOT_LOG_WARNING, "dns", "routes not written: %s",
			j->error);
	else if (status == 0 && j->changed)
		wot_log(WOT_LOG_INFO, "dns", "routes updated (%s)",
			wot_state_rel(WOT_STATE_ROUTES));
	if (j->closing) {
		wot_dns_table_free(j->pending);
		free(j);
		return;
	}
	if (j->pending)
		start(j);
}

static void start(wot_dns_routes_job *j)
{
	j->running = j->pending;
	j->pending = NULL;
	j->work.data = j;
	j->rc = 0;
	j->changed = false;
	if (uv_queue_work(j->loop, &j->work, routes_work, routes_done) < 0) {
		wot_dns_table_free(j->running);
		j->running = NULL;
	}
}

int wot_dns_routes_job_new(wot_dns_routes_job **out, uv_loop_t *loop,
			   const wot_home *h)
{
	wot_dns_routes_job *j = calloc(1, sizeof(*j));

	if (!j)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	j->loop = loop;
	j->home = h;
	*out = j;
	return 0;
}

void wot_dns_routes_offer(wot_dns_routes_job *j, wot_dns_table *t)
{
	if (!j || j->closing || !t)
		return;
	wot_dns_table_ref(t);
	wot_dns_table_free(j->pending);
	j->pending = t;
	if (!j->running)
		start(j);
}

void wot_dns_routes_job_close(wot_dns_routes_job *j)
{
	if (!j)
		return;
	j->closing = 1;
	if (j->running)
		return; /* routes_done frees */
	wot_dns_table_free(j->pending);
	free(j);
}

/*
 * fetch_parallel.c - fetching many sources in parallel.
 *
 * A fetch mostly waits (on the network, or on another repository's files),
 * so [sync] jobs sources are fetched at once, each on its own thread with
 * its own libgit2 repository object. Verification stays sequential in
 * wot_sync_source: it needs the one GPGME context, and it is what decides
 * anything; a fetch only fills refs/wotdns/fetched/ in the mirror.
 */
#include "sync/source/source.h"

#include <pthread.h>
#include <stdlib.h>

typedef struct {
	wot_home *h;
	wot_source *s;
	size_t n, next;
	pthread_mutex_t lock; /* next, and calls of cb */
	wot_sync_progress cb;
	void *data;
} fetch_pool;

static void locked_cb(wot_sync_event ev, const char *source, size_t cur,
		      size_t total, int ok, const char *msg, void *data)
{
	fetch_pool *p = data;

	pthread_mutex_lock(&p->lock);
	p->cb(ev, source, cur, total, ok, msg, p->data);
	pthread_mutex_unlock(&p->lock);
}

static void *fetch_thread(void *arg)
{
	fetch_pool *p = arg;

	for (;;) {
		size_t i;
		pthread_mutex_lock(&p->lock);
		i = p->next++;
		pthread_mutex_unlock(&p->lock);
		if (i >= p->n)
			break;
		if (wot_evidence_suspended(p->h, p->s[i].name))
			continue;
		/* Errors stay on this thread: the source is fetched again by
		 * wot_sync_source, which reports them. */
		if (wot_sync_fetch_only(p->h, &p->s[i],
					p->cb ? locked_cb : NULL, p) == 0)
			p->s[i].prefetched = 1;
		wot_error_clear();
	}
	return NULL;
}

void wot_sync_prefetch(wot_home *h, wot_source *s, size_t n, unsigned jobs,
		       wot_sync_progress cb, void *data)
{
	fetch_pool p = {h, s, n, 0, PTHREAD_MUTEX_INITIALIZER, cb, data};
	pthread_t *tid;
	size_t started = 0;

	if (jobs > n)
		jobs = (unsigned)n;
	if (jobs < 2)
		return; /* wot_sync_source fetches each source itself */
	if (!(tid = calloc(jobs, sizeof(*tid))))
		return;
	wot_transport_setup(&h->cfg); /* before any thread fetches */
	for (; started < jobs; started++)
		if (pthread_create(&tid[started], NULL, fetch_thread, &p))
			break;
	/* With no thread at all, nothing is prefetched: still correct. */
	for (size_t i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	free(tid);
	pthread_mutex_destroy(&p.lock);
}

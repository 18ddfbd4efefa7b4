/*
 * notify_targets.c - whom to tell about a publish: the endpoints that the
 * followed sources announce in their verified peer.conf (a friend we
 * follow is a friend who probably follows us), plus [peer] notify.
 */
#include "sync/source/source.h"

#include <stdlib.h>
#include <string.h>

enum { TARGETS_MAX = 4096 };

static int add_unique(char ***v, size_t *n, const char *ep)
{
	char **nv;

	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i], ep))
			return 0;
	if (*n >= TARGETS_MAX)
		return 0; /* enough: the rest hear it from the timer */
	if (!(nv = realloc(*v, (*n + 2) * sizeof(*nv))))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	*v = nv;
	if (!(nv[*n] = strdup(ep)))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	nv[++*n] = NULL;
	return 0;
}

/* A source's announced endpoints; a source without peer.conf has none. */
static int add_source(wot_home *h, const char *name, char ***v, size_t *n)
{
	wot_peer_conf *pc = NULL;
	int rc = wot_sync_peer_conf(h, name, &pc);

	if (rc < 0) {
		if (rc != WOT_ENOENT)
			wot_log(WOT_LOG_INFO, "sync", "%s", wot_error_last());
		wot_error_clear();
		return 0;
	}
	for (size_t i = 0; rc == 0 && i < pc->nendpoints; i++)
		rc = add_unique(v, n, pc->endpoints[i]);
	wot_peer_conf_free(pc);
	return rc;
}

int wot_sync_notify_targets(wot_home *h, char ***out, size_t *nout)
{
	const wot_config *c = wot_home_config(h);
	wot_source *s = NULL;
	size_t ns = 0, n = 0;
	char **v = NULL;
	int rc;

	*out = NULL;
	*nout = 0;
	if ((rc = wot_sources_load(h, &s, &ns)) < 0)
		return rc;
	for (size_t i = 0; rc == 0 && i < ns; i++)
		if (strcmp(s[i].name, WOT_SELF))
			rc = add_source(h, s[i].name, &v, &n);
	for (char **e = c->peer_notify; rc == 0 && e && *e; e++)
		rc = add_unique(&v, &n, *e);
	wot_sources_free(s, ns);
	if (rc < 0) {
		wot_notify_targets_free(v);
		return rc;
	}
	*out = v;
	*nout = n;
	return 0;
}

void wot_notify_targets_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

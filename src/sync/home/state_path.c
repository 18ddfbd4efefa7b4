/*
 * state_path.c - the one table of the files and folders under HOME/state/
 * (sync.h, wot_state_file): every room names a state file through it, so
 * the layout of a home is written down once.
 */
#include "sync/home/home.h"

#include <stdlib.h>

typedef struct {
	const char *rel;    /* relative to the home */
	const char *suffix; /* per-source folders: NAME + suffix; else NULL */
} state_entry;

static const state_entry table[WOT_STATE_COUNT] = {
    [WOT_STATE_DIR] = {"state", NULL},
    [WOT_STATE_ACCEPTED] = {"state/accepted", NULL},
    [WOT_STATE_MANIFEST] = {"state/accepted/manifest", NULL},
    [WOT_STATE_STATUS] = {"state/status", ".json"},
    [WOT_STATE_EVIDENCE] = {"state/evidence", ".json"},
    [WOT_STATE_RRCACHE] = {"state/cache", ".rr"},
    [WOT_STATE_KEYS_CACHE] = {"state/keys.cache", NULL},
    [WOT_STATE_DISCOVERY] = {"state/discovery.json", NULL},
    [WOT_STATE_DISCOVER_STAMP] = {"state/discover.stamp", NULL},
    [WOT_STATE_OPINIONS] = {"state/opinions.json", NULL},
    [WOT_STATE_PEERS] = {"state/peers.json", NULL},
    [WOT_STATE_ROUTES] = {"state/routes", NULL},
    [WOT_STATE_SERVE_SOCK] = {"state/serve.sock", NULL},
    [WOT_STATE_NOTIFY_SOCK] = {"state/notify.sock", NULL},
};

const char *wot_state_rel(wot_state_file f)
{
	return (unsigned)f < WOT_STATE_COUNT ? table[f].rel : NULL;
}

char *wot_state_path(const wot_home *h, wot_state_file f)
{
	const char *rel = wot_state_rel(f);

	if (!rel) {
		wot_error_set(WOT_EINVAL, "no state file %d", (int)f);
		return NULL;
	}
	return wot_home_path(h, rel);
}

char *wot_state_source_path(const wot_home *h, wot_state_file f,
			    const char *name)
{
	char *rel, *p;

	if ((unsigned)f >= WOT_STATE_COUNT || !table[f].suffix) {
		wot_error_set(WOT_EINVAL, "no per-source state file %d",
			      (int)f);
		return NULL;
	}
	rel = wot_strdup_printf("%s/%s%s", table[f].rel, name, table[f].suffix);
	p = rel ? wot_home_path(h, rel) : NULL;
	free(rel);
	return p;
}

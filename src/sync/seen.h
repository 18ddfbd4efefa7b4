/* seen.h - first sight of each (source, name) (sync internal). */
#ifndef WOT_SYNC_SEEN_H
#define WOT_SYNC_SEEN_H

#include <stdint.h>

#include "sync/sync.h"

typedef struct wot_seen wot_seen;

void wot_seen_free(wot_seen *s);
/* When name was first seen from source; the first call for a pair records
 * now. -1 (error set) only when out of memory. */
int wot_seen_since(wot_seen *s, const char *source, const char *name,
		   int64_t now, int64_t *since);
/* An empty history (free with wot_seen_free). */
int wot_seen_new(wot_seen **out);
/* Record (source, name) -> since, replacing an earlier value. */
int wot_seen_put(wot_seen *s, const char *source, const char *name,
		 int64_t since);
/* fn over every entry (stops on a negative return, which is returned). */
typedef int (*wot_seen_fn)(const char *source, const char *name, int64_t since,
			   void *ctx);
int wot_seen_each(const wot_seen *s, wot_seen_fn fn, void *ctx);

#endif

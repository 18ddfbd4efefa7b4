/* state.h - reading the accepted set files for resolve and status. */
#ifndef WOT_CLI_STATE_H
#define WOT_CLI_STATE_H

#include <jansson.h>

/*
 * The accepted set explained (HOME/state/accepted/), as a document with
 * "claims", "names" (the accepted claim of each name), "rejected" (all
 * three for the shards read), "sources" (name, key, url, verified),
 * "records", "names_accepted", "expired" and "generated" (totals of the
 * whole set). NULL if there is none yet or a file is bad (a message is
 * printed, unless quiet and there is simply none). Caller decrefs.
 */
/* Read from the shard holding name only (its claims and those of every
 * name sharing its shard): what resolve needs, fast at any size. */
json_t *cli_load_accepted_for(const char *name, int quiet);
/* Read from the shards holding a rejected claim only (status, conflicts). */
json_t *cli_load_rejected(int quiet);
/* Path of the master file holding name's accepted records, NULL when no
 * shard holds it (caller frees). */
char *cli_accepted_zone_of(const char *name);
/* Names of the sources whose records have expired ([sync] max-age), as
 * "a, b"; NULL if none. Caller frees. */
char *cli_expired_sources(void);
/* The string member k of o, "" if absent (borrowed from o). */
const char *cli_jstr(json_t *o, const char *k);

#endif

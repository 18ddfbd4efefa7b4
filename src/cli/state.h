/* state.h - reading the accepted set files for resolve and status. */
#ifndef WOT_CLI_STATE_H
#define WOT_CLI_STATE_H

#include <jansson.h>

/*
 * The accepted set explained (HOME/state/accepted/): a document with
 * "claims" (every claim), "names" (the accepted claim of each name),
 * "rejected", "sources" (name, key, url, verified), "records", "expired"
 * and "generated". NULL if there is none yet or a file is bad (a message
 * is printed, unless quiet and there is simply none). Caller decrefs.
 */
json_t *cli_load_accepted(int quiet);
/* The same restricted to the shard holding name (its claims, and those
 * of every name sharing its shard): what resolve needs, read fast. */
json_t *cli_load_accepted_for(const char *name, int quiet);
/* Path of the master file holding name's accepted records, NULL when no
 * shard holds it (caller frees). */
char *cli_accepted_zone_of(const char *name);
/* Names of the sources whose records have expired ([sync] max-age), as
 * "a, b"; NULL if none. Caller frees. */
char *cli_expired_sources(void);
/* The string member k of o, "" if absent (borrowed from o). */
const char *cli_jstr(json_t *o, const char *k);

#endif

/* state.h - reading the accepted set files for resolve and status. */
#ifndef WOT_CLI_STATE_H
#define WOT_CLI_STATE_H

#include <jansson.h>

/* Parse HOME/state/accepted.json; NULL if missing or bad (a message is
 * printed unless quiet). */
json_t *cli_load_accepted(int quiet);
/* Names of the sources whose records have expired ([sync] max-age), as
 * "a, b"; NULL if none. Caller frees. */
char *cli_expired_sources(void);
/* The string member k of o, "" if absent (borrowed from o). */
const char *cli_jstr(json_t *o, const char *k);

#endif

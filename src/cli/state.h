/* state.h - reading the accepted set files for resolve and status. */
#ifndef WOT_CLI_STATE_H
#define WOT_CLI_STATE_H

#include <jansson.h>

/* Parse HOME/state/accepted.json; NULL (message printed) if missing. */
json_t *cli_load_accepted(void);

#endif

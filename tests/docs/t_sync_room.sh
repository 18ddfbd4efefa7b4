#!/usr/bin/env bash
# Issue 15 (the sync room): a home's state files are named in one table
# (src/sync/home/state_path.c), not as "state/..." literals across the tree;
# the CLI includes only the public headers of the rooms and reads no
# state file itself; sync.h is the only header of src/sync other rooms
# include; the sync room's files say what they hold.
. "$(dirname "$0")/lib.sh"

lit=$(grep -rnE '"state(/|")' "$SRC/src" --include='*.c' --include='*.h' |
	grep -v '^[^:]*src/sync/home/state_path\.c:' |
	grep -vE ':[0-9]+:\s*(/?\*|//)' | sed "s|^$SRC/||")
expect_eq "no state/ path literal outside the table" "$lit" ""

# The CLI: only the public headers of the rooms and its own cli.h.
allowed='^(util/util|trust/trust|sync/sync|dns/resolver/resolver|dns/peer/peer|dns/daemon/daemon|dns/desktop/desktop|cli/cli)\.h$'
bad=$(grep -hoE '^#include "[^"]+"' "$SRC"/src/cli/*.[ch] |
	sed 's/#include "\(.*\)"/\1/' | sort -u | grep -vE "$allowed")
expect_eq "the CLI includes only public headers" "$bad" ""
# ...and reads no state file itself (the library's readers do).
bad=$(grep -lE 'WOT_STATE_(ACCEPTED|MANIFEST|OPINIONS|PEERS|STATUS|EVIDENCE)|json_load_file|wot_manifest_(load|path)' \
	"$SRC"/src/cli/*.c | sed "s|^$SRC/||")
expect_eq "the CLI parses no accepted set or opinions file" "$bad" ""
expect_eq "the CLI runs no event loop" \
	"$(grep -l 'uv_run\|uv_loop_init' "$SRC"/src/cli/*.c)" ""

# Other rooms include only sync.h of the sync room.
bad=$(grep -rhoE '#include "sync/[^"]+"' "$SRC/src" --include='*.[ch]' \
	--exclude-dir=sync | sort -u | grep -v '"sync/sync.h"')
expect_eq "outside src/sync only sync/sync.h is included" "$bad" ""
expect_eq "src/sync holds one header at its top, sync.h" \
	"$(cd "$SRC/src/sync" && ls *.h)" "sync.h"
# Names that say what a file holds: no cache.c, one.c, run.c, jobs.c.
bad=$(find "$SRC/src/sync" -name cache.c -o -name one.c -o -name run.c \
	-o -name jobs.c | sed "s|^$SRC/||")
expect_eq "no vague file names in src/sync" "$bad" ""
finish

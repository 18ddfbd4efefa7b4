#!/usr/bin/env bash
# Issue 15 (the sync room): a home's state files are named in one table
# (src/sync/state_path.c), not as "state/..." literals across the tree;
# the CLI includes only the public headers of the rooms and reads no
# state file itself; sync.h is the only header of src/sync other rooms
# include; the sync room's files say what they hold.
. "$(dirname "$0")/lib.sh"

lit=$(grep -rnE '"state(/|")' "$SRC/src" --include='*.c' --include='*.h' |
	grep -v '^[^:]*src/sync/state_path\.c:' |
	grep -vE ':[0-9]+:\s*(/?\*|//)' | sed "s|^$SRC/||")
expect_eq "no state/ path literal outside the table" "$lit" ""
finish

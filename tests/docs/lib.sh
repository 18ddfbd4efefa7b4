# lib.sh - helpers for the docs tests (sourced by t_*.sh): the man pages,
# the bash completion and the install, against the real binary and the
# sources they must agree with.
set -u
W=${WOTDNS:?WOTDNS: the built wotdns binary}
SRC=${WOT_SOURCE_DIR:?}
BUILD=${WOT_BUILD_DIR:?}
MAN=$BUILD/man
T=$(mktemp -d "${TMPDIR:-/tmp}/wotdns-docs.XXXXXX")
trap 'rm -rf "$T"' EXIT
FAILS=0
PASSES=0
pass() { PASSES=$((PASSES + 1)); echo "ok - $*"; }
fail() { FAILS=$((FAILS + 1)); echo "FAIL - $*"; }
expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else
		fail "$1: got '$2', expected '$3'"; fi
}
finish() {
	echo "$PASSES passed, $FAILS failed"
	[ "$FAILS" -eq 0 ] && [ "$PASSES" -gt 0 ]
}

# commands: the command table, as `wotdns --help` prints it.
commands() {
	"$W" --help | awk '/^Commands:/ {on = 1; next} on && !NF {exit} on {print $1}'
}

# table_options CMD: the long options of CMD's getopt_long table in
# src/cli (the function main.c's command table names for CMD), --help
# left out, one a line, sorted.
table_options() {
	local fn file
	fn=$(sed -nE "s/^ *\{\"$1\", (cmd_[a-z_]+),.*/\1/p" "$SRC/src/cli/main.c")
	[ -n "$fn" ] || { echo "no function for $1 in main.c" >&2; return 1; }
	file=$(grep -l "^int $fn(int" "$SRC"/src/cli/cmd_*.c)
	{
		grep -q 'CLI_COMMON_OPTS' <(sed -n "/^int $fn(int/,/^}/p" "$file") &&
			echo "--home"
		sed -n "/^int $fn(int/,/^}/p" "$file" |
			sed -n '/struct option/,/};/p' |
			grep -oE '\{"[a-z][a-z0-9-]*"' | sed -E 's/\{"/--/; s/"$//'
	} | grep -vx -- --help | sort -u
}

# help_options CMD: the long options CMD --help shows in its usage lines
# and option lines (not those it mentions in prose), --help left out.
help_options() {
	"$W" "$1" --help | awk '
		/^usage:/ {u = 1}
		u && !NF {u = 0}
		u {print; next}
		/^ +-/ {
			for (i = 1; i <= NF; i++) {
				if ($i !~ /^-/ && $i !~ /^[A-Z]/) break
				print $i
			}
		}' | grep -oE -- '--[a-z][a-z0-9-]*' | grep -vx -- --help | sort -u
}

# page_of CMD: the Markdown page that documents CMD: wotdns-CMD.1.md, or
# the page whose NAME section names wotdns-CMD.
page_of() {
	local f
	if [ -f "$SRC/docs/wotdns-$1.1.md" ]; then
		echo "$SRC/docs/wotdns-$1.1.md"
		return
	fi
	for f in "$SRC"/docs/wotdns*.1.md; do
		page_names "$f" | grep -qx "wotdns-$1" && { echo "$f"; return; }
	done
}

# page_names PAGE.md: the names its NAME paragraph gives, one a line.
page_names() {
	awk '/^## NAME$/ {on = 1; next} on && NF {print; exit}' "$1" |
		sed 's/ - .*//' | tr ',' '\n' | tr -d ' '
}

# synopsis_options PAGE.md CMD: the long options in the SYNOPSIS lines
# of CMD (a line "wotdns CMD ..." and the lines continuing it), --help
# left out.
synopsis_options() {
	sed -n '/^## SYNOPSIS$/,/^## /p' "$1" |
		awk -v c="$2" '$1 == "wotdns" {cur = ($2 == c)} cur' |
		grep -oE -- '--[a-z][a-z0-9-]*' | grep -vx -- --help | sort -u
}

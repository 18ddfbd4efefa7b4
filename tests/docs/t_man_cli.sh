#!/usr/bin/env bash
# Issue 14: the pages agree with the program. Every command of the command
# table has a page (and wotdns(1) lists it); each page's SYNOPSIS names
# exactly the long options of the command's getopt table and of its
# --help; wotdns-config(5) documents exactly the options of the config
# table (src/sync/home/config.c) that drives the parser.
. "$(dirname "$0")/lib.sh"

cmds=$(commands)
[ "$(wc -l <<<"$cmds")" -ge 10 ] || fail "wotdns --help lists commands"
for c in $cmds; do
	page=$(page_of "$c")
	if [ -z "$page" ]; then
		fail "$c: no page docs/wotdns-$c.1.md and no page names wotdns-$c"
		continue
	fi
	pass "$c is documented in $(basename "$page")"
	[ -e "$MAN/man1/wotdns-$c.1" ] && pass "$c: man page wotdns-$c.1 built" ||
		fail "$c: no man page $MAN/man1/wotdns-$c.1"
	table=$(table_options "$c" | tr '\n' ' ')
	expect_eq "$c: SYNOPSIS options are its getopt options" \
		"$(synopsis_options "$page" "$c" | tr '\n' ' ')" "$table"
	expect_eq "$c: --help options are its getopt options" \
		"$(help_options "$c" | tr '\n' ' ')" "$table"
done

# wotdns(1) COMMANDS: the same commands, in the same order.
listed=$(sed -n '/^## COMMANDS$/,/^## /p' "$SRC/docs/wotdns.1.md" |
	sed -nE 's/^\| `([a-z-]+)` \|.*/\1/p')
expect_eq "wotdns(1) COMMANDS lists the command table" \
	"$(tr '\n' ' ' <<<"$listed")" "$(tr '\n' ' ' <<<"$cmds")"

# The config table: {"section", "name", ...} rows.
table=$(sed -n '/options\[\] = {/,/^};/p' "$SRC/src/sync/home/config.c" |
	grep -oE '\{"[a-z]+", "[a-z-]+"' | sed -E 's/\{"([a-z]+)", "([a-z-]+)"/\1.\2/' |
	sort -u)
[ "$(wc -l <<<"$table")" -ge 20 ] || fail "config table read from config.c"
# The page: the "`name = VALUE`" terms under "### [section]" headings of the
# HOME/config part (HOME/sources.conf has its own sections).
documented=$(sed -n '/^## HOME\/config$/,/^## HOME\/sources.conf$/p' \
	"$SRC/docs/wotdns-config.5.md" |
	awk '/^### \[/ {s = $2; gsub(/[\[\]:]/, "", s); next}
	     /^### / {s = ""}
	     s != "" && /^`[a-z-]+ = / {
		# A term may name several: `a = N`, `b = N`
		t = $0
		while (match(t, /`[a-z-]+ = /)) {
			print s "." substr(t, RSTART + 1, RLENGTH - 4)
			t = substr(t, RSTART + RLENGTH)
		}
	     }' |
	sort -u)
expect_eq "wotdns-config(5) documents every config table option" \
	"$(comm -23 <(echo "$table") <(echo "$documented") | tr '\n' ' ')" ""
expect_eq "wotdns-config(5) documents no option the table lacks" \
	"$(comm -13 <(echo "$table") <(echo "$documented") | tr '\n' ' ')" ""
finish

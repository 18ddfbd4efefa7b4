#!/usr/bin/env bash
# Issue 15: no test hook in what is shipped. The wotdns binary and the NSS
# module hold no WOTDNS_TEST string (no environment variable makes a node
# lie or otherwise behave for a test); the lying peer the tests need is
# tests/tools/wot_liar, which the package does not ship.
. "$(dirname "$0")/lib.sh"

for f in "$W" "${WOT_NSS_MODULE:-}"; do
	[ -n "$f" ] || continue
	[ -s "$f" ] || { fail "$f exists"; continue; }
	if grep -a -q WOTDNS_TEST "$f"; then
		fail "$(basename "$f") holds no WOTDNS_TEST string"
		grep -a -o 'WOTDNS_TEST[A-Z_]*' "$f" | sort -u
	else
		pass "$(basename "$f") holds no WOTDNS_TEST string"
	fi
done
# The lying peer lives with the test tools.
expect_match "the liar is its own program" "$("$LIAR" 2>&1)" \
	"usage: wot_liar"
finish

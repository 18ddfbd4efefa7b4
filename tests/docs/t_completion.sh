#!/usr/bin/env bash
# Issue 14: bash completion for commands, subcommands and options, taken
# from the binary so it cannot drift: checked here against the command
# table (wotdns --help) and each command's getopt_long table in src/cli.
. "$(dirname "$0")/lib.sh"

COMP=$SRC/completions/wotdns
# complete_words WORDS...: what Tab offers after WORDS (the last word is
# the one being completed; "" for a new word), sorted, space-separated. The
# command word is the binary's path, as when typed as ./wotdns.
complete_words() {
	bash --norc --noprofile -c '
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_wotdns "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		if [ -n "${COUNT:-}" ]; then echo "${#COMPREPLY[@]}"; exit; fi
		printf "%s\n" "${COMPREPLY[@]}"' _ "$COMP" "$W" "$@" |
		sort | tr '\n' ' ' | sed 's/ $//'
}

expect_eq "complete -p registers _wotdns" \
	"$(bash --norc --noprofile -c ". '$COMP'; complete -p wotdns")" \
	"complete -F _wotdns wotdns"
cmds=$(commands | sort | tr '\n' ' ' | sed 's/ $//')
expect_eq "wotdns <Tab>: the command table" "$(complete_words "")" "$cmds"
expect_eq "wotdns --home DIR <Tab>: the commands" \
	"$(complete_words --home "$T" "")" "$cmds"
expect_eq "wotdns --home=DIR <Tab>: the commands" \
	"$(complete_words --home = "$T" "")" "$cmds"
expect_eq "wotdns sig<Tab>" "$(complete_words sig)" "sign-friend"
expect_eq "wotdns --<Tab>" "$(complete_words --)" "--help --home --version"
for c in $(commands); do
	want=$( (table_options "$c"; echo --help) | sort | tr '\n' ' ' | sed 's/ $//')
	expect_eq "wotdns $c --<Tab>: its getopt options" \
		"$(complete_words "$c" --)" "$want"
done
expect_eq "wotdns trust <Tab>: set" "$(complete_words trust "")" "set"
expect_eq "wotdns source <Tab>: trust-again" \
	"$(complete_words source "")" "trust-again"
expect_eq "wotdns desktop <Tab>: its subcommands" \
	"$(complete_words desktop "")" "refresh setup status undo"
expect_eq "wotdns graph --format <Tab>: its values" \
	"$(complete_words graph --format "")" "dot png"
mkdir -p "$T/zones" && : >"$T/zones/a.zone" && : >"$T/zones/b c.zone"
expect_eq "wotdns publish -m M <Tab>: files" \
	"$(complete_words publish -m msg "$T/zones/")" "$T/zones/a.zone $T/zones/b c.zone"
expect_eq "a file name with a space is one word" \
	"$(COUNT=1 complete_words publish "$T/zones/b")" "1"
expect_eq "wotdns serve --listen <Tab>: no options offered" \
	"$(complete_words serve --listen "-")" ""
expect_eq "wotdns --home=<Tab>: directories" \
	"$(complete_words --home = "$T/z")" "$T/zones"
expect_eq "wotdns --home <Tab>: directories only" \
	"$(complete_words --home "$T/z")" "$T/zones"
finish

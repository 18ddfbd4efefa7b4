#!/usr/bin/env bash
# Issue 14: real man pages. Every docs/wotdns*.N.md (and the NSS
# module's docs/libnss_wotdns.8.md) is built into
# build/man/manN; each page passes `mandoc -Tlint` with nothing at level
# WARNING or above, and at STYLE level nothing but long source lines
# (pandoc keeps a paragraph's sentences on their own lines); groff renders
# it through `man -l` with no warning (tables wider than the terminal,
# lines it cannot break), as a manual, not as Markdown.
. "$(dirname "$0")/lib.sh"

n=0
for md in "$SRC"/docs/wotdns*.[1-8].md "$SRC"/docs/libnss_wotdns.8.md; do
	base=$(basename "$md" .md) # wotdns-publish.1
	page=$MAN/man${base##*.}/$base
	n=$((n + 1))
	if [ ! -f "$page" ] || [ -L "$page" ]; then
		fail "$base: not built ($page)"
		continue
	fi
	lint=$(mandoc -Tlint -Wstyle "$page" 2>&1 |
		grep -v 'STYLE: input text line longer than 80 bytes')
	expect_eq "$base: mandoc -Tlint clean (WARNING and STYLE)" "$lint" ""
	expect_eq "$base: title line" "$(grep '^\.TH ' "$page" | cut -d'"' -f2,4)" \
		"$(tr a-z A-Z <<<"${base%.*}")\"${base##*.}"
	out=$(MANWIDTH=80 man --warnings -l "$page" 2>"$T/err" | col -bx)
	expect_eq "$base: man -l renders without warnings" "$(cat "$T/err")" ""
	# A manual's sections, the page's own name first in NAME, and none of
	# the Markdown's marks left: links, backquotes, ** or an "# " title.
	grep -q '^NAME$' <<<"$out" && grep -q '^SYNOPSIS$' <<<"$out" &&
		grep -q '^SEE ALSO$' <<<"$out" && pass "$base: NAME, SYNOPSIS, SEE ALSO" ||
		fail "$base: sections missing: $(grep '^[A-Z]' <<<"$out" | tr '\n' ,)"
	expect_eq "$base: NAME starts with the page name" \
		"$(sed -n '/^NAME$/{n;p;q}' <<<"$out" | awk '{print $1}' | tr -d ,)" \
		"${base%.*}"
	# Page names and options copy out whole: never broken at a hyphen.
	expect_eq "$base: no page name or option broken at a line's end" \
		"$(grep -E -- '(wotdns|--[a-z][a-z-]*)(-|‐)$' <<<"$out" | head -3)" ""
	# whatis/apropos index the page under its names (lexgrog is how
	# mandb reads NAME).
	expect_eq "$base: whatis entries are its NAME's names" \
		"$(lexgrog "$page" | sed -E 's/^[^"]*"([^ ]+) - .*/\1/' | tr '\n' ' ')" \
		"$(page_names "$md" | tr '\n' ' ')"
	left=$(grep -nE '\]\(|`|\*\*|^# ' <<<"$out" | head -3)
	expect_eq "$base: no Markdown left in the text" "$left" ""
done
[ "$n" -ge 18 ] && pass "$n pages" || fail "only $n pages in docs/"

# Literals copy back out as typed: options with ASCII minus signs, not
# hyphens or dashes, and never hyphenated at a line's end.
out=$(MANWIDTH=60 man -l "$MAN/man1/wotdns-serve.1" 2>/dev/null | col -bx)
grep -q -- '--allow-nonloopback' <<<"$out" && pass "options keep ASCII minus signs" ||
	fail "no literal --allow-nonloopback in wotdns-serve(1)"
expect_eq "options are never hyphenated" \
	"$(grep -cE -- '--[a-z]+‐$|--[a-z]+-$' <<<"$out")" "0"
# A reference to another page reads as one.
grep -q 'wotdns-sync(1)' <<<"$(MANWIDTH=80 man -l "$MAN/man1/wotdns-publish.1" | col -bx)" &&
	pass "page references read NAME(N)" || fail "no wotdns-sync(1) in wotdns-publish(1)"

# Every other name a NAME section gives is a link to its page.
for md in "$SRC"/docs/wotdns*.[1-8].md "$SRC"/docs/libnss_wotdns.8.md; do
	base=$(basename "$md" .md)
	for n in $(page_names "$md"); do
		[ "$n" = "${base%.*}" ] && continue
		expect_eq "$n.${base##*.} is a link to $base" \
			"$(readlink "$MAN/man${base##*.}/$n.${base##*.}")" "$base"
	done
done
finish

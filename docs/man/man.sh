#!/usr/bin/env bash
# man.sh SRC.md OUTDIR VERSION - build the man page SRC.md describes into
# OUTDIR/manN/NAME.N, and a link for every other name its NAME section
# gives (wotdns-evidence(1) also documents `wotdns source`).
set -euo pipefail
src=$1 out=$2 version=$3
here=$(cd "$(dirname "$0")" && pwd)
base=$(basename "$src" .md)    # wotdns-publish.1
page=${base%.*} sec=${base##*.}
mkdir -p "$out/man$sec"
# The date of the page's last commit, so a build is reproducible; the
# source date when not in git.
date=$(git -C "$(dirname "$src")" log -1 --format=%cs -- "$(basename "$src")" 2>/dev/null || true)
[ -n "$date" ] || date=$(date -u -r "$src" +%F)
pandoc -f markdown -t man --standalone \
	--template="$here/man.template" --lua-filter="$here/man.lua" \
	-M title="${page^^}" -M section="$sec" -M date="$date" \
	-M footer="wotdns $version" -M header="wotdns manual" \
	-M source="docs/$(basename "$src")" \
	"$src" |
	# pandoc opens every section with .PP (and man.lua a code block with
	# .sp), which .SH already implies
	# (mandoc: "skipping paragraph macro").
	awk '/^\.(PP|sp)$/ && prev ~ /^\.S[HS] / {next} {print; prev = $0}' \
		>"$out/man$sec/$page.$sec.tmp"
mv "$out/man$sec/$page.$sec.tmp" "$out/man$sec/$page.$sec"
# NAME is one paragraph "name[, name...] - what it does"; every other
# name is a symbolic link to the page (Debian policy prefers links to .so).
names=$(awk '/^## NAME$/ {on = 1; next} on && NF {print; exit}' "$src")
names=${names%% - *}
IFS=', ' read -r -a list <<<"$names"
for n in "${list[@]}"; do
	[ "$n" = "$page" ] && continue
	ln -sfn "$page.$sec" "$out/man$sec/$n.$sec"
done

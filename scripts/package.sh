#!/usr/bin/env bash
# package.sh [OUTDIR] - build the wotdns Debian package (debian/, dh with
# the cmake buildsystem) from a copy of this tree, so nothing is written
# into it or its parent; the .deb, .dsc, source tarball, .buildinfo and
# .changes land in OUTDIR (default build-deb/). Needs scripts/deps.sh's
# packaging tools (debhelper, dpkg-dev) and the build dependencies.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build-deb}
mkdir -p "$out"
out=$(cd "$out" && pwd)

version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
cmake_version=$(sed -nE 's/^project\(wotdns VERSION ([0-9.]+).*/\1/p' \
	"$top/CMakeLists.txt")
if [ "$version" != "$cmake_version" ]; then
	echo "package.sh: debian/changelog says $version, CMakeLists.txt says" \
		"$cmake_version: add a changelog entry (dch -v $cmake_version)" >&2
	exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/wotdns-deb.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
src=$tmp/wotdns-$version
mkdir "$src"
# The files git would commit (tracked, and new ones not ignored), as they
# are in the working tree; outside git, the tree without its build dirs.
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$top" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
		tar --null -T - -cf -) | tar -C "$src" -xf -
else
	tar -C "$top" --exclude='./build*' --exclude=./.git -cf - . |
		tar -C "$src" -xf -
fi

(
	cd "$src"
	export DEB_BUILD_OPTIONS="parallel=$(nproc) ${DEB_BUILD_OPTIONS:-}"
	dpkg-buildpackage -us -uc --build=full >"$tmp/build.log" 2>&1
) || rc=$?
cp "$tmp/build.log" "$out/wotdns_${version}_build.log"
if [ "${rc:-0}" != 0 ]; then
	grep -E 'error|Error' "$tmp/build.log" | head -n 20 >&2
	echo "package.sh: dpkg-buildpackage failed: $out/wotdns_${version}_build.log" >&2
	exit 1
fi
for f in "$tmp"/wotdns*_"$version"*; do
	[ -f "$f" ] && cp "$f" "$out/" && echo "$out/$(basename "$f")"
done

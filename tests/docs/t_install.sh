#!/usr/bin/env bash
# Issue 14: cmake --install puts the binary, the NSS module, the man pages
# and the bash completion where glibc, man(1) and bash-completion find
# them, under --prefix and under DESTDIR (as a package build does).
. "$(dirname "$0")/lib.sh"

R=$T/root
cmake --install "$BUILD" --prefix "$R" >"$T/install.log" 2>&1
expect_eq "cmake --install --prefix exits 0" "$?" "0"
expect_eq "the binary runs from the prefix" "$("$R/bin/wotdns" --version)" \
	"$("$W" --version)"
for f in share/man/man1/wotdns.1 share/man/man1/wotdns-publish.1 \
	share/man/man1/wotdns-source.1 share/man/man5/wotdns-config.5 \
	share/man/man5/wotdns-peer.conf.5 \
	share/bash-completion/completions/wotdns \
	lib/systemd/system/wotdns.service lib/systemd/system/wotdns@.service; do
	[ -s "$R/$f" ] && pass "installed $f" || fail "not installed: $f"
done
# The NSS module: in the multiarch library directory (where glibc's
# dlopen finds libnss_*.so.2), named by its SONAME, exporting its entry
# points alone, linking neither libuv nor anything of wotdns's but ldns.
MA=$(gcc -print-multiarch)
NSS=$R/lib/$MA/libnss_wotdns.so.2
[ -f "$NSS" ] && pass "installed lib/$MA/libnss_wotdns.so.2" ||
	fail "no lib/$MA/libnss_wotdns.so.2 in $(cd "$R" && find . -name 'libnss*')"
expect_eq "the module's SONAME" \
	"$(readelf -d "$NSS" 2>&1 | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')" \
	"libnss_wotdns.so.2"
expect_eq "the module exports the _nss_wotdns_* entry points alone" \
	"$(nm -D --defined-only "$NSS" 2>&1 | awk '{print $3}' | sort | tr '\n' ' ')" \
	"_nss_wotdns_gethostbyname2_r _nss_wotdns_gethostbyname3_r _nss_wotdns_gethostbyname4_r _nss_wotdns_gethostbyname_r "
expect_eq "the module needs libc and ldns alone" \
	"$(readelf -d "$NSS" | sed -n 's/.*NEEDED.*\[\(.*\)\]/\1/p' |
		grep -v -e '^libasan' -e '^libubsan' | sort | tr '\n' ' ')" \
	"libc.so.6 libldns.so.3 "
[ -z "$(find "$R" -name 'libnss_wotdns.so' -o -name '*.a' | head -1)" ] &&
	pass "no development link or archive installed" ||
	fail "installed: $(find "$R" -name 'libnss_wotdns.so' -o -name '*.a')"

# One installed page per page in docs/, one per command.
expect_eq "every page in docs/ is installed" \
	"$(ls "$SRC"/docs/wotdns*.[1-8].md "$SRC"/docs/libnss_wotdns.8.md | wc -l)" \
	"$(find "$R/share/man" -type f | wc -l)"
for c in $(commands); do
	[ -e "$R/share/man/man1/wotdns-$c.1" ] && pass "man wotdns-$c is installed" ||
		fail "no page for the command $c"
done

# man(1) finds them through MANPATH, by name and by section.
export MANPATH=$R/share/man MANWIDTH=80 MANPAGER=cat PAGER=cat
expect_eq "man -w wotdns-publish" "$(man -w wotdns-publish 2>&1)" \
	"$R/share/man/man1/wotdns-publish.1"
expect_eq "man -w 5 wotdns-config" "$(man -w 5 wotdns-config 2>&1)" \
	"$R/share/man/man5/wotdns-config.5"
expect_eq "man -w wotdns-source: the page it links to" \
	"$(man -w wotdns-source 2>&1)" "$R/share/man/man1/wotdns-evidence.1"
out=$(man wotdns 2>&1 | col -bx)
grep -q '^WOTDNS(1) ' <<<"$out" && grep -q '^COMMANDS$' <<<"$out" &&
	pass "man wotdns shows the page" || fail "man wotdns: $(head -3 <<<"$out")"
out=$(man wotdns-source 2>&1 | col -bx)
grep -q 'trust-again' <<<"$out" && pass "man wotdns-source shows wotdns-evidence" ||
	fail "man wotdns-source: $(head -3 <<<"$out")"
unset MANPATH

# bash-completion's loader finds the completion on its own (as it does
# under /usr/share) once the prefix is in XDG_DATA_DIRS.
got=$(XDG_DATA_DIRS=$R/share BASH_COMPLETION_USER_DIR=$T/none \
	bash --norc --noprofile -c '
	. /usr/share/bash-completion/bash_completion
	__load_completion wotdns && complete -p wotdns' 2>&1)
expect_eq "bash-completion loads the installed completion" "$got" \
	"complete -F _wotdns wotdns"

# DESTDIR: the layout of a package, nothing outside it.
DESTDIR=$T/dest cmake --install "$BUILD" --prefix /usr >"$T/dest.log" 2>&1
expect_eq "DESTDIR install exits 0" "$?" "0"
expect_eq "DESTDIR install layout" \
	"$(cd "$T/dest" && find . \( -type f -o -type l \) | sort |
		grep -E 'bin/wotdns$|libnss_wotdns|man1/wotdns-publish.1$|man5/wotdns-config.5$|man8/libnss_wotdns.8$|completions/wotdns$|\.(service|path)$' |
		tr '\n' ' ')" \
	"./usr/bin/wotdns ./usr/lib/systemd/system/wotdns-routes@.path ./usr/lib/systemd/system/wotdns-routes@.service ./usr/lib/systemd/system/wotdns.service ./usr/lib/systemd/system/wotdns@.service ./usr/lib/$MA/libnss_wotdns.so.2 ./usr/share/bash-completion/completions/wotdns ./usr/share/man/man1/wotdns-publish.1 ./usr/share/man/man5/wotdns-config.5 ./usr/share/man/man8/libnss_wotdns.8 "
expect_eq "DESTDIR units start the binary at the prefix, not in DESTDIR" \
	"$(grep -h '^ExecStart=' "$T"/dest/usr/lib/systemd/system/*.service | sort | tr '\n' ' ')" \
	'ExecStart=/usr/bin/wotdns desktop refresh --user %i ExecStart=/usr/bin/wotdns serve ExecStart=/usr/bin/wotdns serve $WOTDNS_SERVE_ARGS '
finish

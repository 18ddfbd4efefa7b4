#!/usr/bin/env bash
# Issue 14 section 5: `bash scripts/package.sh` builds a Debian package
# from a copy of the tree (the tree stays as it was) that holds everything
# cmake --install installs, that lintian passes, and that installs, removes
# and purges for real: dpkg runs its maintainer scripts in a throwaway
# copy-on-write view of this machine (an overlay mount in a private mount
# namespace, chrooted), so the machine itself is never changed.
set -u
SRC=${WOT_SOURCE_DIR:?}
. "$SRC/tests/e2e/ns.sh"
W=${WOTDNS:?WOTDNS: the built wotdns binary}
T=$(mktemp -d "${TMPDIR:-/tmp}/wotdns-pkg.XXXXXX")
trap 'rm -rf "$T"' EXIT
FAILS=0 PASSES=0
pass() { PASSES=$((PASSES + 1)); echo "ok - $*"; }
fail() { FAILS=$((FAILS + 1)); echo "FAIL - $*"; }
expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else
		fail "$1: got '$2', expected '$3'"; fi
}

# --- build ---------------------------------------------------------------
# What a build in the tree would leave: untracked files in it (debian/files,
# obj-*/, debian/wotdns/), and dpkg-buildpackage's results in its parent.
tree_state() {
	git -C "$SRC" status --porcelain 2>/dev/null
	ls -a "$SRC" "$SRC/debian"
	ls "$SRC/.." | grep -E '^wotdns[_-].*\.(deb|ddeb|dsc|changes|buildinfo|tar\..z)$'
}
before=$(tree_state)
start=$SECONDS
if bash "$SRC/scripts/package.sh" "$T/out" >"$T/package.log" 2>&1; then
	pass "scripts/package.sh builds the package ($((SECONDS - start)) s)"
else
	fail "scripts/package.sh: $(tail -n 20 "$T/package.log")"
	echo "$PASSES passed, $FAILS failed"
	exit 1
fi
expect_eq "the source tree and its parent are left as they were" \
	"$(tree_state)" "$before"

version=$(sed -nE 's/^project\(wotdns VERSION ([0-9.]+).*/\1/p' "$SRC/CMakeLists.txt")
arch=$(dpkg --print-architecture)
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
deb=$T/out/wotdns_${version}_$arch.deb
changes=$T/out/wotdns_${version}_$arch.changes
for f in "$deb" "$changes" "$T/out/wotdns_$version.dsc"; do
	[ -s "$f" ] && pass "built $(basename "$f")" || fail "not built: $(basename "$f")"
done

# --- fields --------------------------------------------------------------
field() { dpkg-deb -f "$deb" "$1"; }
expect_eq "Package" "$(field Package)" "wotdns"
expect_eq "Version: the CMake project's" "$(field Version)" "$version"
expect_eq "Architecture" "$(field Architecture)" "$arch"
expect_eq "Section" "$(field Section)" "net"
deps=$(field Depends | tr -d ' ' | tr ',' '\n' | sed 's/(.*//' | sort)
for d in adduser gnupg publicsuffix libc6 libgit2-1.5 libgpgme11 libldns3 \
	libpsl5 libuv1 libjansson4 libinih1; do
	grep -qx "$d" <<<"$deps" && pass "Depends: $d" || fail "Depends lacks $d: $(field Depends)"
done
dpkg-deb -I "$deb" | grep -q '^ Description: .*resolver' &&
	pass "a Description" || fail "no Description: $(dpkg-deb -I "$deb")"

# --- contents ------------------------------------------------------------
# Every file the package must hold, and nothing else: the binary, one man
# page per page in docs/ (and a link per other name in its NAME line), the
# completion, the units, the NSS module, the Debian docs.
{
	echo "usr/bin/wotdns"
	echo "usr/share/bash-completion/completions/wotdns"
	for p in "$SRC"/docs/*.[1-8].md; do
		base=$(basename "$p" .md) sec=${base##*.}
		echo "usr/share/man/man$sec/$base.gz"
		names=$(awk '/^## NAME$/ {on = 1; next} on && NF {print; exit}' "$p")
		for n in $(tr ',' ' ' <<<"${names%% - *}"); do
			[ "$n.$sec" = "$base" ] || echo "usr/share/man/man$sec/$n.$sec.gz -> $base.gz"
		done
	done
	for u in wotdns.service wotdns@.service wotdns-routes@.path \
		wotdns-routes@.service "$SRC"/dist/systemd/*.{service,path,socket,timer}; do
		[ -e "$u" ] || [ "${u#/}" = "$u" ] || continue
		echo "lib/systemd/system/$(basename "$u")"
	done
	echo "lib/$ma/libnss_wotdns.so.2"
	echo "usr/share/doc/wotdns/README.Debian"
	echo "usr/share/doc/wotdns/changelog.gz"
	echo "usr/share/doc/wotdns/copyright"
} | sort -u >"$T/expected"
dpkg-deb -c "$deb" | grep -v '^d' |
	awk '{ $1 = $2 = $3 = $4 = $5 = ""; sub(/^ +\.\//, ""); print }' |
	sort >"$T/contents"
for must in usr/bin/wotdns usr/share/man/man1/wotdns.1.gz \
	usr/share/man/man1/wotdns-publish.1.gz usr/share/man/man5/wotdns-config.5.gz; do
	grep -qx "$must" "$T/expected" || fail "the expected list lacks $must"
done
missing=$(comm -23 "$T/expected" "$T/contents")
extra=$(comm -13 "$T/expected" "$T/contents")
[ -z "$missing" ] && pass "the package holds every expected file ($(wc -l <"$T/expected"))" ||
	fail "missing from the package: $(tr '\n' ' ' <<<"$missing")"
[ -z "$extra" ] && pass "the package holds nothing unexpected" ||
	fail "unexpected in the package: $(tr '\n' ' ' <<<"$extra")"
dpkg-deb -x "$deb" "$T/x"
expect_eq "the packaged binary is this tree's" "$("$T/x/usr/bin/wotdns" --version 2>&1)" \
	"$("$W" --version)"
dpkg-deb -e "$deb" "$T/ctl"
if grep -lE 'resolv\.conf|nsswitch|resolvectl|systemd-resolved' \
	$(ls "$T"/ctl/{preinst,postinst,prerm,postrm} 2>/dev/null) >/dev/null; then
	fail "a maintainer script touches the DNS wiring"
else
	pass "no maintainer script touches resolv.conf, nsswitch.conf or resolved"
fi

# --- lintian -------------------------------------------------------------
lintian --pedantic -I -E --tag-display-limit 0 "$changes" >"$T/lintian" 2>&1
allowed=$(grep -v '^#' "$SRC/tests/package/lintian-allow" | awk 'NF {print $1}')
bad=0
while read -r line; do
	tag=$(awk '{print $3}' <<<"$line")
	case $line in
	E:*) bad=1; fail "lintian: $line" ;;
	W:*) if grep -qx -- "$tag" <<<"$allowed"; then
		pass "lintian warning allowed (tests/package/lintian-allow): $line"
	else bad=1; fail "lintian: $line (not in tests/package/lintian-allow)"; fi ;;
	*) echo "# lintian: $line" ;;
	esac
done < <(grep -E '^[EWIPX]: ' "$T/lintian")
[ "$bad" = 0 ] && pass "lintian: no error, no warning beyond the allowlist"

# --- install, remove, purge ----------------------------------------------
# A copy-on-write view of / (writes go to a tmpfs) in a private mount
# namespace; dpkg runs chrooted in it, as on a real system whose
# dependencies are installed (this machine's: it builds wotdns).
cat >"$T/inroot.sh" <<'INROOT'
set -u
ok() { echo "ok - $*"; }
no() { echo "FAIL - $*"; }
sums() { sha256sum /etc/resolv.conf /etc/nsswitch.conf /etc/hosts 2>&1; ls /etc/systemd/resolved.conf.d 2>&1; }
wired=$(sums)
getent passwd wotdns >/dev/null && no "user wotdns exists before install"
dpkg -i /tmp/wotdns.deb >/tmp/i.log 2>&1 && ok "dpkg -i installs the package" ||
	no "dpkg -i: $(tail -n 5 /tmp/i.log)"
[ "$(dpkg-query -W -f '${Status}' wotdns)" = "install ok installed" ] &&
	ok "dpkg says installed" || no "status: $(dpkg-query -W -f '${Status}' wotdns)"
IFS=: read -r _ _ uid _ _ home shell < <(getent passwd wotdns)
[ "$home:$shell" = /var/lib/wotdns:/usr/sbin/nologin ] && [ "$uid" -lt 1000 ] &&
	ok "system user wotdns, home /var/lib/wotdns, no login shell" ||
	no "user wotdns: $(getent passwd wotdns)"
getent group wotdns >/dev/null && ok "group wotdns" || no "no group wotdns"
[ "$(stat -c '%U:%G %a' /var/lib/wotdns 2>&1)" = "wotdns:wotdns 700" ] &&
	ok "/var/lib/wotdns is wotdns's, mode 700" || no "/var/lib/wotdns: $(stat -c '%U:%G %a' /var/lib/wotdns 2>&1)"
while read -r u; do
	[ -f "/$u" ] && ok "unit $u installed" || no "unit $u missing"
done < <(grep '^lib/systemd/system/' /tmp/expected)
en=$(find /etc/systemd/system -name 'wotdns*' 2>/dev/null)
[ -z "$en" ] && ok "no unit enabled (nothing in /etc/systemd/system)" || no "enabled: $en"
[ "$(sums)" = "$wired" ] && ok "resolv.conf, nsswitch.conf, hosts, resolved untouched" ||
	no "DNS wiring changed by install"
wotdns --help 2>&1 | grep -q '^Commands:' && ok "wotdns --help" || no "wotdns --help: $(wotdns --help 2>&1 | head -3)"
[ "$(man -w wotdns 2>&1)" = /usr/share/man/man1/wotdns.1.gz ] &&
	[ "$(man -w 5 wotdns-config 2>&1)" = /usr/share/man/man5/wotdns-config.5.gz ] &&
	MANWIDTH=80 MANPAGER=cat man wotdns 2>/dev/null | col -bx | grep -q '^WOTDNS(1)' &&
	ok "man wotdns, man 5 wotdns-config" || no "man: $(man -w wotdns 2>&1)"
bash --norc --noprofile -c '. /usr/share/bash-completion/bash_completion
	__load_completion wotdns && complete -p wotdns' 2>&1 | grep -qx 'complete -F _wotdns wotdns' &&
	ok "bash completion loads" || no "bash completion"
if grep -q 'libnss_wotdns' /tmp/expected; then
	ls /lib/*/libnss_wotdns.so.2 >/dev/null 2>&1 && ldconfig -p | grep -q libnss_wotdns.so.2 &&
		ok "the NSS module is in the library path" || no "NSS module: $(ls /lib/*/libnss_wotdns* 2>&1)"
	# glibc finds and loads it from there (getent -s: without editing
	# nsswitch.conf); no daemon runs, so the name is not found, at once.
	LD_DEBUG=files timeout 5 getent -s hosts:wotdns hosts alice.wot >/tmp/nss.log 2>&1
	nss_rc=$?
	grep -q 'calling init: /lib/.*/libnss_wotdns.so.2' /tmp/nss.log && [ "$nss_rc" = 2 ] &&
		ok "glibc loads the installed NSS module (getent -s wotdns: not found)" ||
		no "getent -s wotdns: rc $nss_rc $(grep -i nss_wotdns /tmp/nss.log | head -3)"
fi

# state the system instance made, kept across remove
touch /var/lib/wotdns/state
dpkg -r wotdns >/tmp/r.log 2>&1 && ok "dpkg -r removes" || no "dpkg -r: $(tail -n 5 /tmp/r.log)"
[ -e /var/lib/wotdns/state ] && getent passwd wotdns >/dev/null &&
	ok "remove keeps /var/lib/wotdns and the user" || no "remove deleted state or the user"
[ ! -e /usr/bin/wotdns ] && ok "remove deletes the binary" || no "binary still there"

# desktop wiring journalled: remove runs `wotdns desktop undo` first and,
# should undo fail, refuses to go (DNS would stop at a removed resolver)
dpkg -i /tmp/wotdns.deb >/tmp/i2.log 2>&1 || no "reinstall: $(tail -n 5 /tmp/i2.log)"
mkdir -p /var/lib/wotdns-desktop
wotdns desktop undo >/tmp/undo.log 2>&1; undo_rc=$?
dpkg -r wotdns >/tmp/r2.log 2>&1; rm_rc=$?
grep -q "undoing 'wotdns desktop setup'" /tmp/r2.log && ok "prerm runs wotdns desktop undo" ||
	no "prerm did not run undo: $(cat /tmp/r2.log)"
status=$(dpkg-query -W -f '${Status}' wotdns 2>/dev/null)
if [ "$undo_rc" = 0 ]; then
	[ "$rm_rc" = 0 ] && [ "$status" != "install ok installed" ] &&
		ok "undo succeeds: removed" || no "undo ok but remove: $rm_rc $status"
else
	[ "$rm_rc" != 0 ] && [ "${status##* }" = installed ] && [ -x /usr/bin/wotdns ] &&
		grep -q "'wotdns desktop undo' failed" /tmp/r2.log &&
		ok "undo fails (exit $undo_rc): removal refused, wotdns stays installed" ||
		no "undo failed but remove: rc $rm_rc, $status"
	rm -rf /var/lib/wotdns-desktop
	dpkg -r wotdns >/tmp/r3.log 2>&1 || no "dpkg -r: $(tail -n 5 /tmp/r3.log)"
fi

dpkg -P wotdns >/tmp/p.log 2>&1 && ok "dpkg -P purges" || no "dpkg -P: $(tail -n 5 /tmp/p.log)"
[ ! -e /var/lib/wotdns ] && ok "purge deletes /var/lib/wotdns" || no "/var/lib/wotdns left"
! getent passwd wotdns >/dev/null && ! getent group wotdns >/dev/null &&
	ok "purge deletes user and group wotdns" || no "user/group left: $(getent passwd wotdns) $(getent group wotdns)"
[ -z "$(dpkg-query -W -f '${Status}' wotdns 2>/dev/null | grep -v not-installed)" ] &&
	ok "dpkg forgets the package" || no "dpkg: $(dpkg-query -W -f '${Status}' wotdns)"
[ "$(sums)" = "$wired" ] && ok "DNS wiring never changed" || no "DNS wiring changed"
INROOT
host() { getent passwd wotdns; getent group wotdns; ls -d /var/lib/wotdns 2>&1; }
host_before=$(host)
start=$SECONDS
wot_unshare -m bash -c '
	set -e
	T=$1 deb=$2
	mkdir "$T/ov"
	mount -t tmpfs tmpfs "$T/ov"
	mkdir "$T/ov/up" "$T/ov/work" "$T/ov/root"
	mount -t overlay overlay -o "lowerdir=/,upperdir=$T/ov/up,workdir=$T/ov/work" "$T/ov/root"
	r=$T/ov/root
	mount -t proc proc "$r/proc"
	mount --rbind /dev "$r/dev"
	mount -t tmpfs tmpfs "$r/tmp"
	mount -t tmpfs tmpfs "$r/run"
	cp "$deb" "$r/tmp/wotdns.deb"
	cp "$T/inroot.sh" "$r/tmp/inroot.sh"
	cp "$T/expected" "$r/tmp/expected"
	chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 bash /tmp/inroot.sh
' x "$T" "$deb" >"$T/inroot.log" 2>&1
cat "$T/inroot.log"
PASSES=$((PASSES + $(grep -c '^ok - ' "$T/inroot.log")))
FAILS=$((FAILS + $(grep -c '^FAIL - ' "$T/inroot.log")))
grep -q '^ok - dpkg -P purges' "$T/inroot.log" ||
	fail "the install run stopped early: $(tail -n 5 "$T/inroot.log")"
echo "# install/remove/purge in the overlay: $((SECONDS - start)) s"
expect_eq "the machine itself is unchanged (user, group, /var/lib/wotdns)" \
	"$(host)" "$host_before"

echo "$PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ] && [ "$PASSES" -gt 0 ]

#!/usr/bin/env bash
# Issue 14 sections 1 and 4, `wotdns desktop setup --nss [--no-dns]` in
# private namespaces (lib_desktop.sh): nsswitch.conf's hosts: line gets
# `wotdns` right after `files` and keeps every other byte (Debian's mdns
# line with its [NOTFOUND=return]), /etc/wotdns/nss.conf names the
# daemon's address, --no-dns leaves resolv.conf and the user's config
# alone, setup twice changes nothing, undo restores nsswitch.conf byte
# for byte. With the NSS module (src/dns/nss) where glibc looks for it,
# getent resolves overlay names through it with resolv.conf untouched.
. "$(dirname "$0")/lib_desktop.sh"

FILES=(/etc/resolv.conf /etc/nsswitch.conf "$DHOME/config" /etc/wotdns
	/etc/wotdns/nss.conf /etc/systemd/system/wotdns@$DUSER.service.d
	/etc/systemd/system/wotdns@$DUSER.service.d/desktop.conf)
DROPIN=/etc/systemd/system/wotdns@$DUSER.service.d/desktop.conf

# Debian 12's nsswitch.conf with libnss-mdns installed (tabs and all).
cat >/etc/nsswitch.conf <<'NEOF'
# /etc/nsswitch.conf
#
# Example configuration of GNU Name Service Switch functionality.
# If you have the `glibc-doc-reference' and `info' packages installed, try:
# `info libc "Name Service Switch"' for information about this file.

passwd:         files
group:          files
shadow:         files
gshadow:        files

hosts:          files mdns4_minimal [NOTFOUND=return] dns myhostname
networks:       files

protocols:      db files
services:       db files
ethers:         db files
rpc:            db files

netgroup:       nis
NEOF
normal_dns
desk_home
snapshot before "${FILES[@]}"

# --- --nss --no-dns ------------------------------------------------------------
out=$("$W" desktop setup --user "$DUSER" --nss --no-dns --dry-run 2>&1)
expect_match "dry run shows the hosts: line change (-)" "$out" \
	"- hosts:          files mdns4_minimal \[NOTFOUND=return\] dns myhostname"
expect_match "... (+)" "$out" \
	"\+ hosts:          files wotdns \[NOTFOUND=return\] mdns4_minimal \[NOTFOUND=return\] dns myhostname"
same before "${FILES[@]}"

out=$("$W" desktop setup --user "$DUSER" --nss --no-dns 2>&1)
expect_eq "setup --nss --no-dns: exit 0" "$?" 0
expect_eq "hosts: wotdns right after files, the rest kept" \
	"$(grep '^hosts:' /etc/nsswitch.conf)" \
	"hosts:          files wotdns [NOTFOUND=return] mdns4_minimal [NOTFOUND=return] dns myhostname"
expect_eq "every other line byte for byte" \
	"$(grep -v '^hosts:' /etc/nsswitch.conf | md5sum)" \
	"$(grep -v '^hosts:' "$T/snap/before/_etc_nsswitch.conf" | md5sum)"
expect_eq "nss.conf names the daemon's address" "$(cat /etc/wotdns/nss.conf)" \
	"server 127.0.0.1:5380"
expect_match "the drop-in listens on the high port" "$(cat "$DROPIN")" \
	"WOTDNS_SERVE_ARGS=--listen 127.0.0.1:5380\"$"
expect_eq "... with no capability" "$(grep -c CAP_ "$DROPIN")" 0
same before /etc/resolv.conf "$DHOME/config"

snapshot wired "${FILES[@]}"
out=$("$W" desktop setup --user "$DUSER" --nss --no-dns 2>&1)
expect_match "setup again: nothing to do" "$out" "everything is already wired \(nss-only"
same wired "${FILES[@]}"
out=$("$W" desktop setup --user "$DUSER" 2>&1)
expect_eq "setup with DNS over an nss-only wiring: refused" "$?" 1
expect_match "... says to undo first" "$out" "already wired as nss-only: run 'wotdns desktop undo' first"

# The NSS module: first missing (doctor says so), then where glibc looks.
MOD=${WOT_NSS_MODULE:-$(cd "$(dirname "$0")/../.." && pwd)/build/src/dns/nss/libnss_wotdns.so.2}
[ -f "$MOD" ] || { echo "the NSS module is not built: $MOD"; exit 1; }
out=$(as_user "$W" doctor --normal www.example.com 2>&1)
expect_match "doctor: nsswitch names a module that is not installed" "$out" \
	"PROBLEM +/etc/nsswitch.conf names wotdns and libnss_wotdns.so.2 is NOT installed"
libdir=$(dirname "$(ldd /bin/true | awk '/libc.so/ {print $3}')")
overlay "$libdir"
cp "$MOD" "$libdir/"
# An ASan build's module needs the sanitizer runtime first in getent.
GETENT=(getent)
asan=$(ldd "$MOD" | awk '/libasan/ {print $3}')
[ -n "$asan" ] && GETENT=(env LD_PRELOAD="$asan" ASAN_OPTIONS=detect_leaks=0 getent)
desk_serve --listen 127.0.0.1:5380
expect_eq "getent hosts alice.wot through the NSS module" \
	"$("${GETENT[@]}" hosts alice.wot | awk '{print $1}')" 2001:db8::1
expect_eq "a normal name still from DNS, resolv.conf untouched" \
	"$("${GETENT[@]}" hosts www.example.com | awk '{print $1}')" 203.0.113.7
out=$(as_user "$W" desktop status --normal www.example.com 2>&1)
expect_eq "status: exit 0" "$?" 0
out=$(as_user "$W" doctor --normal www.example.com 2>&1)
expect_match "doctor: the module is there" "$out" "libnss_wotdns.so.2 is installed"
stop_pid "$DESK_PID"

"$W" desktop undo >/dev/null
expect_eq "undo: exit 0" "$?" 0
same before "${FILES[@]}"

# --- --nss with the DNS wiring (plain resolv.conf) ------------------------------
"$W" desktop setup --user "$DUSER" --nss >/dev/null
expect_eq "setup --nss: nss.conf names :53" "$(cat /etc/wotdns/nss.conf)" \
	"server 127.0.0.1:53"
expect_eq "... and resolv.conf asks wotdns" "$(grep -c '^nameserver 127.0.0.1$' /etc/resolv.conf)" 1
out=$("$W" desktop setup --user "$DUSER" 2>&1)
expect_match "setup without --nss keeps the NSS wiring" "$out" "everything is already wired"
"$W" desktop undo >/dev/null
same before "${FILES[@]}"

# resolved's shape: wotdns before resolve and its action.
printf 'passwd: files\ngroup: files\nhosts:\tfiles resolve [!UNAVAIL=return] dns\n' \
	>/etc/nsswitch.conf
cp -a /etc/nsswitch.conf "$T/ns.resolved"
"$W" desktop setup --user "$DUSER" --nss --no-dns >/dev/null
expect_eq "resolved's hosts: line" "$(grep '^hosts:' /etc/nsswitch.conf)" \
	"$(printf 'hosts:\tfiles wotdns [NOTFOUND=return] resolve [!UNAVAIL=return] dns')"
"$W" desktop undo >/dev/null
cmp -s /etc/nsswitch.conf "$T/ns.resolved" && pass "undo: that file byte for byte" ||
	fail "undo: nsswitch.conf differs"
expect_clean_logs desk
finish

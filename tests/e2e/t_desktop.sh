#!/usr/bin/env bash
# Issue 14 section 1, the plain resolv.conf and NetworkManager paths of
# `wotdns desktop setup | status | undo`, in private mount and network
# namespaces (lib_desktop.sh): setup records the machine's nameserver as
# the desktop user's upstream, points resolv.conf at wotdns on 127.0.0.1:53,
# and then glibc's own resolver (getent, getaddrinfo) answers overlay names
# from the overlay and normal names from the old nameserver through
# wotdns; undo puts every file back byte for byte. Setup twice changes
# nothing, --dry-run changes nothing, a failure half-way rolls back, and
# a setup killed half-way is undone from its journal.
. "$(dirname "$0")/lib_desktop.sh"

FILES=(/etc/resolv.conf /etc/nsswitch.conf "$DHOME/config"
	/etc/systemd/system/wotdns@$DUSER.service.d
	/etc/systemd/system/wotdns@$DUSER.service.d/desktop.conf
	/etc/NetworkManager /etc/wotdns /var/lib/wotdns-desktop/journal)
DROPIN=/etc/systemd/system/wotdns@$DUSER.service.d/desktop.conf

normal_dns
desk_home
expect_eq "before: a normal name resolves (the machine's nameserver)" \
	"$(getent hosts www.example.com | awk '{print $1}')" 203.0.113.7
getent hosts alice.wot >/dev/null
expect_eq "before: an overlay name does not" "$?" 2

# --- refusals ------------------------------------------------------------
out=$(as_user "$W" desktop setup --user "$DUSER" 2>&1)
expect_eq "setup as a user: exit 1" "$?" 1
expect_eq "... says to run it as root" "$out" \
	"wotdns: desktop setup changes system files; run it as root: sudo wotdns desktop setup"
out=$("$W" desktop setup --user nobody 2>&1)
expect_eq "setup for a user without a home: exit 1" "$?" 1
expect_match "... says to init first" "$out" "run 'wotdns init' as nobody first"
out=$("$W" desktop setup --no-dns 2>&1)
expect_eq "--no-dns without --nss: usage error" "$?" 2

# --- dry run --------------------------------------------------------------
snapshot before "${FILES[@]}"
out=$(SUDO_USER=$DUSER "$W" desktop setup --dry-run 2>&1)
expect_eq "dry run: exit 0" "$?" 0
expect_match "... names the user's config" "$out" "rewrite $DHOME/config"
expect_match "... and the upstream it records" "$out" "\+ upstream = 127\.0\.0\.2"
expect_match "... and resolv.conf, old line" "$out" "- nameserver 127\.0\.0\.2"
expect_match "... and new line" "$out" "\+ nameserver 127\.0\.0\.1"
expect_match "... and the drop-in" "$out" "create $DROPIN"
expect_match "... with the capability" "$out" "AmbientCapabilities=CAP_NET_BIND_SERVICE"
same before "${FILES[@]}"

# --- a failure half-way rolls back ----------------------------------------
# nsswitch.conf read-only: the last step of setup --nss fails.
mount --bind /etc/nsswitch.conf /etc/nsswitch.conf &&
	mount -o remount,bind,ro /etc/nsswitch.conf
out=$("$W" desktop setup --user "$DUSER" --nss 2>&1 >/dev/null)
expect_eq "setup with a read-only nsswitch.conf: exit 1" "$?" 1
expect_match "... says what failed and that it put everything back" \
	"$out" "^wotdns: /etc/nsswitch.conf: .*nothing changed: setup put back"
umount /etc/nsswitch.conf
same before "${FILES[@]}"

# --- setup --------------------------------------------------------------------
out=$("$W" desktop setup --user "$DUSER" 2>&1)
expect_eq "setup: exit 0" "$?" 0
expect_match "... says what to run without systemd" "$out" \
	"serve --user $DUSER --listen 127.0.0.1:53 --listen \[::1\]:53"
expect_eq "resolv.conf asks wotdns" \
	"$(grep '^nameserver' /etc/resolv.conf | tr '\n' ' ')" "nameserver 127.0.0.1 "
expect_eq "... keeping search and options" \
	"$(grep -E '^(search|options)' /etc/resolv.conf | tr '\n' '|')" \
	"search example.com|options timeout:1 attempts:2|"
expect_eq "the user's config records the old nameserver" \
	"$(grep '^upstream' "$DHOME/config")" "upstream = 127.0.0.2"
expect_eq "... and is still theirs, 0600" "$(stat -c '%u %a' "$DHOME/config")" \
	"$DUID $(stat -c %a "$T/snap/before/$(echo "$DHOME/config" | tr / _)")"
expect_match "the drop-in listens on :53 (the unit's WOTDNS_SERVE_ARGS)" \
	"$(cat "$DROPIN")" 'Environment="WOTDNS_SERVE_ARGS=--listen 127.0.0.1:53 --listen \[::1\]:53"'
expect_eq "... and binds the home, which is not under /home" \
	"$(grep '^BindPaths=' "$DROPIN")" "BindPaths=$DHOME"
expect_eq "the journal is root's only" "$(stat -c '%a %u' /var/lib/wotdns-desktop)" "700 0"

desk_serve --listen 127.0.0.1:53 --listen "[::1]:53"
expect_eq "getent hosts alice.wot: from the overlay" \
	"$(getent hosts alice.wot | awk '{print $1}')" 2001:db8::1
expect_eq "getent ahosts alice.wot: both addresses" \
	"$(getent ahosts alice.wot | awk '{print $1}' | sort -u | tr '\n' ' ')" \
	"192.0.2.1 2001:db8::1 "
expect_eq "getent hosts www.example.com: the old nameserver, through wotdns" \
	"$(getent hosts www.example.com | awk '{print $1}')" 203.0.113.7
expect_eq "... the search line still works (www)" \
	"$(getent hosts www | awk '{print $1}')" 203.0.113.7

out=$(as_user "$W" desktop status --normal www.example.com 2>&1)
expect_eq "status (as the user): exit 0" "$?" 0
expect_match "... what is wired" "$out" "wired +plain for $DUSER, wotdns on 127.0.0.1:53"
expect_match "... the daemon answers" "$out" "ok +the daemon answers on 127.0.0.1:53"
expect_match "... an overlay name resolves" "$out" \
	"ok +overlay name alice.wot resolves through the system"
expect_match "... a normal name too" "$out" \
	"ok +normal name www.example.com resolves through the system: 203.0.113.7"
out=$(as_user "$W" doctor --normal www.example.com 2>&1)
expect_eq "doctor: healthy, exit 0" "$?" 0
expect_eq "... last line" "$(tail -n 1 <<<"$out")" healthy
[ "$(tail -n 1 <<<"$out")" = healthy ] || echo "$out"

# --- setup twice ---------------------------------------------------------------
snapshot wired "${FILES[@]}"
stamps=$(stat -c '%n %Y.%y' "${FILES[@]}" 2>/dev/null)
sleep 1.1
out=$("$W" desktop setup --user "$DUSER" 2>&1)
expect_eq "setup again: exit 0" "$?" 0
expect_match "... everything already wired" "$out" "everything is already wired"
same wired "${FILES[@]}"
expect_eq "... no file touched (mtimes)" "$(stat -c '%n %Y.%y' "${FILES[@]}" 2>/dev/null)" "$stamps"

# --- broken: status and doctor say so -----------------------------------------
stop_pid "$DESK_PID"
out=$(as_user "$W" desktop status --normal www.example.com 2>&1)
expect_eq "status with the daemon down: exit 1" "$?" 1
expect_match "... names it" "$out" "PROBLEM +the daemon does not answer on 127.0.0.1:53"
expect_match "... and the normal name fails" "$out" "PROBLEM +normal name www.example.com"
out=$(as_user "$W" doctor --normal www.example.com 2>&1)
expect_eq "doctor with the daemon down: exit 1" "$?" 1
expect_match "... one line with the fix" "$out" "PROBLEM +the daemon does not answer.*start it"

# --- undo ------------------------------------------------------------------------
out=$("$W" desktop undo --dry-run 2>&1)
expect_match "undo --dry-run says what it would do" "$out" "would restore /etc/resolv.conf"
same wired "${FILES[@]}"
out=$(as_user "$W" desktop undo 2>&1)
expect_match "undo as a user: refused" "$out" "run it as root: sudo wotdns desktop undo"
"$W" desktop undo >/dev/null
expect_eq "undo: exit 0" "$?" 0
same before "${FILES[@]}"
expect_eq "after undo: a normal name resolves as before" \
	"$(getent hosts www.example.com | awk '{print $1}')" 203.0.113.7
getent hosts alice.wot >/dev/null
expect_eq "... an overlay name does not" "$?" 2
out=$("$W" desktop undo 2>&1)
expect_match "undo again: nothing to undo" "$out" "nothing to undo"

# --- the old README advice: resolv.conf names only 127.0.0.1 ------------------
printf 'nameserver 127.0.0.1\n' >/etc/resolv.conf
snapshot selfonly "${FILES[@]}"
out=$("$W" desktop setup --user "$DUSER" 2>&1 >/dev/null)
expect_eq "setup with only wotdns in resolv.conf and no upstream: exit 1" "$?" 1
expect_match "... names the fix" "$out" \
	"names no nameserver besides wotdns itself, and $DHOME/config no upstream: add '\[serve\] upstream = ADDR'"
same selfonly "${FILES[@]}"
out=$(as_user "$W" doctor --normal www.example.com 2>&1)
expect_match "doctor: no upstream but itself, with the fix" "$out" \
	"PROBLEM +no upstream besides wotdns itself in /etc/resolv.conf: .*set '\[serve\] upstream = ADDR'"
expect_match "... and that the system is not wired" "$out" \
	"PROBLEM +the system does not ask wotdns: run 'sudo wotdns desktop setup"
printf '[serve]\nupstream = 127.0.0.1:53\n' >>"$DHOME/config"
out=$(as_user "$W" doctor --normal www.example.com 2>&1)
expect_match "doctor: an upstream that is wotdns itself is a loop" "$out" \
	"PROBLEM +upstream 127.0.0.1:53 is wotdns itself \(a loop\)"
cp -a "$T/snap/before/$(echo "$DHOME/config" | tr / _)" "$DHOME/config"
cp "$T/snap/before/_etc_resolv.conf" /etc/resolv.conf

# --- NetworkManager ----------------------------------------------------------
mkdir -p /etc/NetworkManager/conf.d
printf '%s\n' "# Generated by NetworkManager" "search example.com" \
	"nameserver 127.0.0.2" >/etc/resolv.conf
snapshot nm "${FILES[@]}" /etc/NetworkManager/conf.d \
	/etc/NetworkManager/conf.d/90-wotdns.conf
out=$("$W" desktop setup --user "$DUSER" 2>&1)
expect_eq "setup under NetworkManager: exit 0" "$?" 0
expect_match "... detected" "$out" "wired \(nm\) for $DUSER"
expect_eq "NetworkManager leaves resolv.conf alone" \
	"$(grep -v '^#' /etc/NetworkManager/conf.d/90-wotdns.conf | tr '\n' ' ')" \
	"[main] rc-manager=unmanaged "
expect_eq "resolv.conf no longer says NetworkManager wrote it" \
	"$(grep -c NetworkManager /etc/resolv.conf)" 0
out=$("$W" desktop setup --user "$DUSER" 2>&1)
expect_match "setup again under NetworkManager: nothing to do" "$out" \
	"everything is already wired \(nm for $DUSER"
"$W" desktop undo >/dev/null
same nm "${FILES[@]}" /etc/NetworkManager/conf.d /etc/NetworkManager/conf.d/90-wotdns.conf

# A symbolic link (NetworkManager's /run file) is recorded as a link and
# comes back as one.
mkdir -p /run/NetworkManager
printf 'nameserver 127.0.0.2\n' >/run/NetworkManager/resolv.conf
rm /etc/resolv.conf && ln -s /run/NetworkManager/resolv.conf /etc/resolv.conf
"$W" desktop setup --user "$DUSER" >/dev/null
expect_eq "setup replaces the link by a file" "$(stat -c %F /etc/resolv.conf)" "regular file"
expect_eq "... and never wrote through it" "$(cat /run/NetworkManager/resolv.conf)" \
	"nameserver 127.0.0.2"
"$W" desktop undo >/dev/null
expect_eq "undo: the link again" "$(readlink /etc/resolv.conf)" /run/NetworkManager/resolv.conf

# --- a setup killed half-way is undone from its journal ----------------------
# systemd "runs" (/run/systemd/system) and its systemctl hangs: setup is
# killed after it journalled and changed the config and the drop-in.
rm -rf /etc/resolv.conf /etc/NetworkManager
printf 'search example.com\nnameserver 127.0.0.2\n' >/etc/resolv.conf
snapshot crash "${FILES[@]}"
mkdir -p /run/systemd/system "$T/fakebin"
cat >"$T/fakebin/systemctl" <<EOS
#!/bin/sh
echo "\$*" >>"$T/systemctl.log"
[ "\$1" = daemon-reload ] && [ -e "$T/hang" ] && sleep 600
[ "\$1" = is-active ] && exit 3
exit 0
EOS
chmod 755 "$T/fakebin/systemctl"
touch "$T/hang"
PATH=$T/fakebin:$PATH "$W" desktop setup --user "$DUSER" >/dev/null 2>&1 &
spid=$!
for _ in $(seq 1 100); do
	grep -q daemon-reload "$T/systemctl.log" 2>/dev/null && break
	sleep 0.1
done
hung=$(pgrep -f "sleep 600" | head -n 1)
kill -9 "$spid"; wait "$spid" 2>/dev/null
[ -n "$hung" ] && kill "$hung"
expect_eq "the killed setup had changed the config" "$(grep -c '^upstream' "$DHOME/config")" 1
rm "$T/hang"
out=$(PATH=$T/fakebin:$PATH "$W" desktop undo 2>&1)
expect_eq "undo after the crash: exit 0" "$?" 0
expect_match "... disables the unit setup was enabling" "$(cat "$T/systemctl.log")" \
	"disable --now wotdns@$DUSER.service"
same crash "${FILES[@]}"
rm -rf /run/systemd
expect_clean_logs desk
finish

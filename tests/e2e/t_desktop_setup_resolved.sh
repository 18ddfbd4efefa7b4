#!/usr/bin/env bash
# Issue 14 section 1, the systemd-resolved path of `wotdns desktop setup |
# status | undo`, behind the real systemd-resolved of lib_resolved.sh (in
# its namespaces, with a DNSSEC-signed test root): setup detects resolved,
# has the user's daemon listen on 127.0.0.1:5380 (no capability), hands
# the routes the daemon wrote to resolved, and leaves resolv.conf,
# nsswitch.conf and the user's config alone; then glibc (getent, through
# resolved's stub) answers the overlay name from wotdns and the normal
# name from the normal DNS, still validated. Setup twice changes nothing;
# undo removes the link, the anchors file and the drop-in.
. "$(dirname "$0")/lib_resolved.sh"
. "$(dirname "$0")/lib.sh"
resolved_start
. "$(dirname "$0")/lib_desktop.sh"

DROPIN=/etc/systemd/system/wotdns@$DUSER.service.d/desktop.conf
NTA=/etc/dnssec-trust-anchors.d/wotdns.negative
FILES=(/etc/resolv.conf /etc/nsswitch.conf "$DHOME/config" "$DROPIN" "$NTA"
	/etc/systemd/system/wotdns@$DUSER.service.d)
desk_home
snapshot before "${FILES[@]}"
expect_eq "before: the normal name resolves through resolved" \
	"$(getent hosts www.normal | awk '{print $1}')" 192.0.2.80
getent hosts alice.wot >/dev/null
expect_eq "before: the overlay name does not" "$?" 2

# The daemon as the unit will run it; it writes its routes.
desk_serve --listen 127.0.0.1:5380
wait_for "the daemon writes its routes" 10 grep -qx "route wot" "$DHOME/state/routes"

out=$("$W" desktop setup --user "$DUSER" --dry-run 2>&1)
expect_match "dry run: resolved detected" "$out" "setup \(resolved for $DUSER\)"
expect_match "... the drop-in on the high port" "$out" "WOTDNS_SERVE_ARGS=--listen 127.0.0.1:5380\""
expect_match "... resolved gets the overlay's domains" "$out" \
	"systemd-resolved: send the overlay's domains to 127.0.0.1:5380"
same before "${FILES[@]}"
ip link show wotdns0 >/dev/null 2>&1 && fail "dry run made the link" ||
	pass "dry run made no link"

out=$("$W" desktop setup --user "$DUSER" 2>&1)
expect_eq "setup: exit 0" "$?" 0
expect_match "... wired through resolved" "$out" "wired \(resolved\) for $DUSER: wotdns listens on 127.0.0.1:5380"
expect_eq "the drop-in has no capability" "$(grep -c CAP_ "$DROPIN")" 0
expect_match "resolved routes the overlay's TLD to wotdns" \
	"$("$RESOLVECTL" domain wotdns0)" "~wot"
expect_eq "the negative trust anchor" "$(grep -v "^[#;]" "$NTA" | grep -v "^$")" wot
same before /etc/resolv.conf /etc/nsswitch.conf "$DHOME/config"
expect_eq "getent hosts alice.wot: from the overlay, through resolved" \
	"$(getent ahosts alice.wot | awk '{print $1}' | sort -u | tr "\n" " ")" "192.0.2.1 2001:db8::1 "
expect_eq "getent hosts www.normal: the normal DNS" \
	"$(getent hosts www.normal | awk '{print $1}')" 192.0.2.80
expect_match "... still validated (AD)" \
	"$(dig +time=2 +tries=1 @127.0.0.53 www.normal A)" "flags:.* ad"
out=$(as_user "$W" desktop status --normal www.normal 2>&1)
expect_eq "status: exit 0" "$?" 0
expect_match "... wired through resolved" "$out" "wired +resolved for $DUSER, wotdns on 127.0.0.1:5380"
expect_match "... resolved answers" "$out" "ok +systemd-resolved answers"
expect_match "... the overlay name" "$out" "ok +overlay name alice.wot resolves through the system: (192.0.2.1|2001:db8::1)"
out=$(as_user "$W" doctor --normal www.normal 2>&1)
expect_match "doctor: the routes" "$out" "ok +routes: 1 domains go to wotdns"

snapshot wired "${FILES[@]}"
out=$("$W" desktop setup --user "$DUSER" 2>&1)
expect_match "setup again: nothing to do" "$out" "everything is already wired \(resolved"
same wired "${FILES[@]}"

"$W" desktop undo >/dev/null
expect_eq "undo: exit 0" "$?" 0
same before "${FILES[@]}"
ip link show wotdns0 >/dev/null 2>&1 && fail "undo left the link" ||
	pass "undo removed wotdns's link"
getent hosts alice.wot >/dev/null
expect_eq "after undo: the overlay name is gone" "$?" 2
expect_eq "... the normal name resolves as before" \
	"$(getent hosts www.normal | awk '{print $1}')" 192.0.2.80
expect_clean_logs desk
finish

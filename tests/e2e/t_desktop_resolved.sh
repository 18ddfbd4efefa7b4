#!/usr/bin/env bash
# wotdns behind a real systemd-resolved (lib_resolved.sh: Debian's binary
# in a network and mount namespace, a DNSSEC-signed test root): the daemon
# writes its routes, `desktop refresh` hands them to resolved on wotdns's
# own link, and then through resolved's stub, resolvectl and glibc
# (getent, nsswitch "dns"): overlay names answer from wotdns without
# validation (negative trust anchor), the signed normal name still
# validates (AD), no normal name ever reaches wotdns, a new overlay TLD
# is routed after the next refresh, and --down removes it all.
. "$(dirname "$0")/lib_resolved.sh"
. "$(dirname "$0")/lib.sh"

# The DESIGN's desktop port; nothing else listens in this namespace.
WOT_SERVER=127.0.0.1:5380
refresh() { "$W" desktop refresh "$@"; }
stub() { dig +time=2 +tries=1 @127.0.0.53 "$@"; }
stub_a() { stub +short "$1" A | tail -n 1; }

resolved_start

peer me
zone "$T/alice.zone" alice.wot. "@ IN A 192.0.2.1"
wd me publish "$T/alice.zone" >/dev/null || exit 1
wd me sync >/dev/null 2>&1
# wotdns's own upstream records every query wotdns forwards: a normal
# name that reached wotdns would show there.
start_fake up ok
"$W" --home "$T/me" serve --listen "$WOT_SERVER" \
	--upstream "127.0.0.1:$FAKE_PORT" --sync-interval 1 \
	>"$T/serve-me.log" 2>&1 &
SERVE_PID=$!
PIDS+=("$SERVE_PID")
ROUTES="$T/me/state/routes"
wait_for "serve writes its routes" 10 grep -qx "route wot" "$ROUTES"
expect_eq "routes: the overlay-only TLD, as route and nta" \
	"$(grep -v '^#' "$ROUTES" | tr '\n' ' ')" "route wot nta wot "

expect_eq "before refresh resolved does not know the overlay" \
	"$(stub_a alice.wot)" ""

out=$(refresh --home "$T/me" --server "$WOT_SERVER" --dry-run 2>&1)
expect_match "dry run: the link it would create" "$out" "create link wotdns0"
expect_match "dry run: the routing domain" "$out" "routing domains: ~wot"
expect_match "dry run: the anchors file" "$out" "write /etc/dnssec-trust-anchors.d/wotdns.negative"
if ip link show wotdns0 >/dev/null 2>&1; then
	fail "dry run made the link"; else pass "dry run made no link"; fi
[ -e /etc/dnssec-trust-anchors.d/wotdns.negative ] &&
	fail "dry run wrote the anchors file" || pass "dry run wrote no file"

out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$W" \
	desktop refresh --home "$T/me" 2>&1)
rc=$?
expect_eq "not root: refused" "$rc" 1
expect_match "not root: says to run it as root" "$out" "run it as root"

out=$(refresh --home "$T/me" --server "$WOT_SERVER" 2>&1)
expect_match "refresh applies the routes" "$out" "routes 1 domain to $WOT_SERVER"
expect_match "the link has a DNS scope" "$("$RESOLVECTL" status wotdns0)" \
	"Current Scopes: DNS"
expect_match "its routing-only domain" "$("$RESOLVECTL" domain wotdns0)" "~wot"
expect_match "never a default route" \
	"$("$RESOLVECTL" default-route wotdns0)" "wotdns0[^:]*: no"
expect_eq "negative trust anchors file" \
	"$(grep -v '^;' /etc/dnssec-trust-anchors.d/wotdns.negative)" "wot"

# The overlay name, three ways.
out=$(stub alice.wot A)
expect_match "stub: overlay name answers" "$out" "alice.wot.[[:space:]].*192.0.2.1"
expect_match "stub: NOERROR, not SERVFAIL" "$out" "status: NOERROR"
if grep -q "flags:.* ad" <<<"$out"; then fail "overlay answer claims AD"
else pass "overlay answer is not validated (negative trust anchor)"; fi
out=$("$RESOLVECTL" query alice.wot 2>&1)
expect_match "resolvectl: overlay name" "$out" "alice.wot: 192.0.2.1"
expect_match "resolved sent it on wotdns0's scope" \
	"$(grep 'for <alice.wot IN A>' "$T/resolved.log")" "scope dns on wotdns0"
expect_match "resolvectl: not authenticated" "$out" "authenticated: no"
expect_eq "getent hosts: overlay name" \
	"$(getent hosts alice.wot | awk '{print $1}')" "192.0.2.1"

# The normal DNS, unchanged and still validated.
out=$(stub +dnssec www.normal A)
expect_match "stub: normal name" "$out" "www.normal.[[:space:]].*192.0.2.80"
expect_match "stub: normal name validated (AD)" "$out" "flags: qr rd ra ad"
out=$("$RESOLVECTL" query www.normal 2>&1)
expect_match "resolvectl: normal name authenticated" "$out" "authenticated: yes"
expect_eq "getent hosts: normal name" \
	"$(getent hosts www.normal | awk '{print $1}')" "192.0.2.80"
# (serve's start-up probe for a forwarding loop, one unguessable name
# under wotdns-probe., is its own and expected)
expect_eq "no query reached wotdns's upstream (no normal name, no loop)" \
	"$(grep -v 'name=[a-z0-9]*\.wotdns-probe\.$' "$T/fake-up.log" 2>/dev/null)" ""

out=$(refresh --home "$T/me" --server "$WOT_SERVER" --dry-run 2>&1)
expect_eq "refresh again: nothing to change" "$out" "nothing to change"

# A new overlay TLD: the daemon's next sync rewrites the routes; resolved
# routes it after the next refresh.
zone "$T/bob.zone" bob.mesh. "@ IN A 192.0.2.2"
wd me publish "$T/alice.zone" "$T/bob.zone" >/dev/null || exit 1
wait_for "the daemon's sync adds the new TLD to the routes" 20 \
	grep -qx "route mesh" "$ROUTES"
expect_eq "not routed before the refresh" "$(stub_a bob.mesh)" ""
refresh --home "$T/me" --server "$WOT_SERVER" >/dev/null
expect_eq "routed after the refresh" "$(stub_a bob.mesh)" "192.0.2.2"
expect_eq "getent: the new TLD" \
	"$(getent hosts bob.mesh | awk '{print $1}')" "192.0.2.2"
expect_eq "anchors file: both TLDs" \
	"$(grep -v '^;' /etc/dnssec-trust-anchors.d/wotdns.negative | tr '\n' ' ')" \
	"mesh wot "

# resolved forgets a link's settings when it restarts; refresh sets them
# again, and the anchors file is read at its start.
resolved_stop
resolved_run
expect_match "restarted resolved reads the anchors file" \
	"$(grep 'Negative trust anchors' "$T/resolved.log" | tail -n 1)" " mesh .*wot"
refresh --home "$T/me" --server "$WOT_SERVER" >/dev/null
expect_eq "after a restart and a refresh the overlay answers" \
	"$(stub_a alice.wot)" "192.0.2.1"

# --user reads the user's home with the user's permissions: a routes
# file only root may read is refused, not applied.
useradd -M -d "$T/uhome" -u 4242 wotuser
mkdir -p "$T/uhome/.local/share/wotdns" "$T/rootonly"
chmod 700 "$T/rootonly"
echo "route secret" >"$T/rootonly/routes"
ln -s "$T/rootonly" "$T/uhome/.local/share/wotdns/state"
chown -R 4242 "$T/uhome"
chmod 711 "$T/uhome"
out=$(refresh --user wotuser --server "$WOT_SERVER" 2>&1)
rc=$?
expect_eq "--user: a file the user cannot read is refused" "$rc" 1
expect_match "--user: says why" "$out" "Permission denied"
if "$RESOLVECTL" domain wotdns0 | grep -q secret; then
	fail "root-only routes applied"; else pass "root-only routes not applied"; fi
rm "$T/uhome/.local/share/wotdns/state"
mkdir -p "$T/uhome/.local/share/wotdns/state"
printf 'route wot\nnta wot\nroute bad..name\n' \
	>"$T/uhome/.local/share/wotdns/state/routes"
chown -R 4242 "$T/uhome"
out=$(refresh --user wotuser --server "$WOT_SERVER" 2>&1)
expect_match "--user: a bad line is refused with FILE:LINE" "$out" \
	"state/routes:3: not a routable name"
out=$(refresh --user nosuchuser 2>&1)
expect_match "--user: unknown user" "$out" "no user 'nosuchuser'"

out=$(refresh --down 2>&1)
expect_match "--down says what it did" "$out" "wotdns0 removed"
if ip link show wotdns0 >/dev/null 2>&1; then fail "--down: link still there"
else pass "--down: link removed"; fi
[ -e /etc/dnssec-trust-anchors.d/wotdns.negative ] &&
	fail "--down: anchors file still there" || pass "--down: anchors file removed"
expect_eq "--down: overlay name no longer answers" "$(stub_a alice.wot)" ""
expect_eq "--down: normal name still answers" "$(stub_a www.normal)" "192.0.2.80"
expect_eq "--down twice: nothing to change" \
	"$(refresh --down --dry-run 2>&1)" "nothing to change"

# Where IPv6 is disabled the link holds the IPv4 dummy address instead.
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
refresh --home "$T/me" --server "$WOT_SERVER" >/dev/null
expect_match "no IPv6: the link gets 192.0.0.8/32" \
	"$(ip -4 addr show dev wotdns0 2>&1)" "inet 192.0.0.8/32"
expect_eq "no IPv6: the overlay answers" "$(stub_a alice.wot)" "192.0.2.1"
expect_eq "no IPv6: the normal name too" "$(stub_a www.normal)" "192.0.2.80"
refresh --down >/dev/null

stop_pid "$SERVE_PID"
expect_clean_logs me
finish

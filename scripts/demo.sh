#!/usr/bin/env bash
# demo.sh - install what is missing, build, and run a local demo: three
# peers (alice, bob, carol) with their own keys and zone repositories;
# carol's resolver answers `dig` for alice's name, which she trusts only
# through bob's certification, and for bob's; everything else goes to a
# stand-in "normal DNS" (unbound on loopback). Nothing leaves the machine.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bash "$top/scripts/deps.sh"
bash "$top/scripts/build.sh" "$top/build"
export WOTDNS="$top/build/src/cli/wotdns"
set +eu
. "$top/tests/e2e/lib.sh"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

step "three peers create keys and zone repositories"
three_peers
zone "$T/bob.zone" bob.wot. "@ IN A 192.0.2.2" "@ IN AAAA 2001:db8::2" \
	"www IN CNAME bob.wot." "@ IN MX 10 mail" "mail IN A 192.0.2.25" \
	"@ IN TXT \"bob's overlay zone\""
wd bob publish "$T/bob.zone" >/dev/null
wd carol sync >/dev/null 2>&1
echo "alice $FPR_alice"
echo "bob   $FPR_bob   (certified alice, full trust)"
echo "carol $FPR_carol   (certified bob, full trust)"

step "carol's view of alice.wot (valid through bob's certification)"
run wd carol resolve alice.wot A

step "carol serves the overlay on loopback"
start_upstream
# No timed sync: only alice's NOTIFY will bring her next change. carol's
# peer listener takes NOTIFYs; its endpoint goes into carol's peer.conf.
start_serve carol --upstream "$UPSTREAM" --sync-interval 0 \
	--peer-listen 127.0.0.1:0
PEER=$(peer_port carol)
printf '\n[peer]\nendpoint = 127.0.0.1:%s\n' "$PEER" >>"$T/carol/config"
zone "$T/carol.zone" carol.wot. "@ IN A 192.0.2.3"
wd carol publish "$T/carol.zone" >/dev/null
echo "wotdns serve listening on 127.0.0.1:$PORT (upstream: unbound on $UPSTREAM)"
echo "carol's peer listener (NOTIFY) on 127.0.0.1:$PEER, announced in her peer.conf"
for qn in "alice.wot A" "alice.wot AAAA" "www.bob.wot A" "bob.wot MX" \
	"bob.wot TXT" "www.example.com A"; do
	run dig +noall +answer @127.0.0.1 -p "$PORT" $qn
done
echo "\$ dig @127.0.0.1 -p $PORT nothing.alice.wot A   (status and flags)"
dig +noall +comments @127.0.0.1 -p "$PORT" nothing.alice.wot A |
	grep -E "status|flags"

step "alice publishes a new address; her daemon NOTIFYs carol's"
# alice follows carol, which tells her carol's endpoint.
wd alice follow "$(repo carol)" --name carol >/dev/null 2>&1
CAROL_PORT=$PORT
start_serve alice --upstream "$UPSTREAM" --sync-interval 0
PORT=$CAROL_PORT
zone "$T/alice.zone" alice.wot. "@ IN A 192.0.2.100" "@ IN AAAA 2001:db8::1"
echo '$ wotdns --home alice publish alice.zone'
wd alice publish "$T/alice.zone"
t0=$(date +%s%N)
for _ in $(seq 1 500); do
	[ "$(q alice.wot A)" = 192.0.2.100 ] && break
	sleep 0.01
done
echo "carol answers the new address $((($(date +%s%N) - t0) / 1000000)) ms after the publish:"
run dig +noall +answer @127.0.0.1 -p "$PORT" alice.wot A
step "done (all demo processes are stopped on exit)"

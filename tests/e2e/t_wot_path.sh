#!/usr/bin/env bash
# Issue 3, points 1-3: a friend-of-a-friend's name answered by dig through
# carol's daemon, upstream fallback, and a live update without restart.
. "$(dirname "$0")/lib.sh"

three_peers
start_upstream
start_serve carol --upstream "$UPSTREAM" --sync-interval 1
P0=$SERVE_PID

# 1. alice's key is valid for carol only through bob's certification.
expect_eq "carol's dig alice.wot A" "$(q alice.wot A)" "192.0.2.1"
expect_eq "carol's dig alice.wot AAAA" "$(q alice.wot AAAA)" "2001:db8::1"
expect_match "overlay answer is authoritative" "$(qfull alice.wot A)" \
	"flags: qr aa rd ra;"
out=$(wd carol resolve alice.wot A)
expect_match "resolve shows provenance" "$out" \
	"source alice, signer $FPR_alice .*validity full, level 2"
expect_match "alice is level 2 for carol" \
	"$(wd carol status)" "records: [0-9]+ accepted"
# Without bob's certification, alice's key is not valid for carol.
peer dave
wd dave follow "$(repo alice)" --name alice >/dev/null 2>&1
wd dave sync >/dev/null 2>&1
expect_match "dave (no certification path) does not accept alice.wot" \
	"$(wd dave resolve alice.wot A 2>&1)" "untrusted signer"

# 2. A name outside the overlay goes to the (test) upstream.
expect_eq "upstream name through carol" "$(q www.example.com A)" \
	"203.0.113.7"
expect_match "upstream NXDOMAIN passes through" \
	"$(qfull nosuch.example.com A)" "status: NXDOMAIN"

# 3. alice publishes a change; carol's running daemon serves it after its
#    next sync, without restart.
zone "$T/alice2.zone" alice.wot. "@ IN A 192.0.2.99" "@ IN AAAA 2001:db8::1"
cp "$T/alice2.zone" "$T/alice.zone"
wd alice publish "$T/alice.zone" >/dev/null
wait_for "carol's daemon serves alice's update" 15 \
	bash -c "[ \"\$(dig +short @127.0.0.1 -p $PORT alice.wot A)\" = 192.0.2.99 ]"
expect_alive "daemon still running (no restart)" "$P0"

# SIGHUP reloads the record set written by a separate `wotdns sync`.
start_serve carol --upstream "$UPSTREAM" --sync-interval 0 --listen '[::1]:0'
P1=$SERVE_PID
zone "$T/alice.zone" alice.wot. "@ IN A 192.0.2.123" "@ IN AAAA 2001:db8::1"
wd alice publish "$T/alice.zone" >/dev/null
wd carol sync >/dev/null 2>&1
expect_eq "no timer sync: old answer until reload" "$(q alice.wot A)" "192.0.2.99"
kill -HUP "$P1"
wait_for "SIGHUP reloads the accepted set" 5 \
	bash -c "[ \"\$(dig +short @127.0.0.1 -p $PORT alice.wot A)\" = 192.0.2.123 ]"
V6PORT=$(sed -n 's/.*listening on \[::1\]:\([0-9]*\).*/\1/p' "$T/serve-carol.log" | head -n 1)
expect_eq "answers on [::1] too" \
	"$(dig +short +time=2 +tries=1 @::1 -p "$V6PORT" alice.wot A)" "192.0.2.123"
kill -TERM "$P1"
wait "$P1"
expect_eq "second daemon exits 0 on SIGTERM" "$?" "0"

# SIGTERM exits cleanly.
kill -TERM "$P0"
wait "$P0"
expect_eq "serve exits 0 on SIGTERM" "$?" "0"
finish

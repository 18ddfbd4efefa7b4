#!/usr/bin/env bash
# A reload of the accepted set keeps the upstream answer cache, except for
# what the new overlay claims. Checked with dig against `wotdns serve`
# forwarding to wot_fakedns:
#  (a) a friend publishes something unrelated, the daemon reloads, then the
#      upstream stops answering: a cached name is still served from the
#      cache (that it is served stale, TTL 30, once expired, RFC 8767, is
#      replayed on a fake clock: tests/unit/test_resolver_time.c,
#      time_stale_after_reload);
#  (b) a name answered from upstream and cached, then a friend's zone
#      (allowed to shadow the normal DNS) claims it: after the reload the
#      answer is the overlay's, never the cached upstream data;
#  (c) the same for a cached CNAME chain whose target the friend's zone
#      now holds, and, with the upstream gone, no stale copy of it either;
#      while an unrelated cached name is still answered from the cache.
. "$(dirname "$0")/lib.sh"

peer alice
peer bob
zone "$T/alice.zone" alice.wot. "@ IN A 192.0.2.1"
zone "$T/bob.zone" bob.wot. "@ IN A 192.0.2.2"
wd alice publish "$T/alice.zone" >/dev/null || exit 1
wd bob publish "$T/bob.zone" >/dev/null || exit 1
wd alice follow "$(repo bob)" --name bob >/dev/null 2>&1 || exit 1
# Certified and trusted fully: bob may shadow normal-DNS names for alice.
wd alice sign-friend "$FPR_bob" --trust full >/dev/null || exit 1
wd alice sync >/dev/null 2>&1 || exit 1
opts=(--sync-interval 0 --upstream-timeout 300)
full() { dig +time=3 +tries=1 @127.0.0.1 -p "$PORT" "$@"; }
# ans NAME TYPE: the answer section as "owner type data" lines on one line.
ans() {
	dig +noall +answer +time=3 +tries=1 @127.0.0.1 -p "$PORT" "$@" |
		awk '{print $1, $4, $5}' | tr '\n' ' '
}
# bob_publishes ZONEFILE...: bob publishes, alice syncs, her daemon reloads.
bob_publishes() {
	wd bob publish "$@" >/dev/null || { fail "bob publish"; return 1; }
	wd alice sync >/dev/null 2>&1 || { fail "alice sync"; return 1; }
	kill -HUP "$SERVE_PID"
}
served() { [ "$(dig +short +time=1 +tries=1 @127.0.0.1 -p "$PORT" "$1" A)" = "$2" ]; }

# --- (a) an unrelated change keeps the cache ----------------------------
start_fake keep ok
start_serve alice --upstream "127.0.0.1:$FAKE_PORT" "${opts[@]}"
expect_eq "(a) forwarded name answered" "$(ans www.example.test A)" \
	"www.example.test. A 192.0.2.53 "
zone "$T/bob.zone" bob.wot. "@ IN A 192.0.2.2" "news IN A 192.0.2.3"
bob_publishes "$T/bob.zone"
wait_for "(a) the reload serves bob's new record" 10 served news.bob.wot 192.0.2.3
stop_pid "$FAKE_PID"
out=$(full www.example.test A)
expect_match "(a) upstream gone: the cached name is still served" "$out" \
	"www.example.test.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+A[[:space:]]+192.0.2.53"
expect_match "(a) NOERROR, not SERVFAIL" "$out" "status: NOERROR"
stop_serve

# --- (b), (c) what the new overlay claims is never answered from the cache
start_fake evil hostile --evil shop.example.com
FAKE=$FAKE_PORT
start_serve alice --upstream "127.0.0.1:$FAKE" "${opts[@]}"
expect_match "(b) shop.example.com from the upstream" \
	"$(ans shop.example.com A)" "shop.example.com. A 192.0.2.53"
expect_match "(c) a chain into shop.example.com from the upstream" \
	"$(ans to-www.example.test A)" \
	"^to-www.example.test. CNAME www.shop.example.com. www.shop.example.com. A 6.6.6.6 "
expect_match "(c) another one" "$(ans to-mail.example.test A)" \
	"^to-mail.example.test. CNAME mail.shop.example.com. mail.shop.example.com. A 6.6.6.6 "
expect_match "an unrelated name" "$(ans www.example.test A)" \
	"www.example.test. A 192.0.2.53"
# Cached: asked again, the upstream hears nothing.
n=$(fake_udp "$FAKE")
ans shop.example.com A >/dev/null
ans to-www.example.test A >/dev/null
expect_eq "all of them cached" "$(fake_udp "$FAKE")" "$n"

zone "$T/shop.zone" shop.example.com. "@ IN A 192.0.2.77" \
	"www IN A 192.0.2.78" "mail IN A 192.0.2.79"
bob_publishes "$T/bob.zone" "$T/shop.zone"
wait_for "bob's shop.example.com is accepted and served" 10 \
	served www.shop.example.com 192.0.2.78
out=$(full shop.example.com A)
expect_match "(b) the claimed name: the overlay's answer" "$out" \
	"shop.example.com.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+A[[:space:]]+192.0.2.77"
expect_match "(b) authoritative" "$out" "flags: qr aa rd ra;"
if printf '%s' "$out" | grep -Eq '192\.0\.2\.53|6\.6\.6\.6'; then
	fail "(b) no cached upstream record"; printf '%s\n' "$out"
else pass "(b) no cached upstream record"; fi
n=$(fake_udp "$FAKE")
expect_eq "unrelated name: still from the cache after the reload" \
	"$(ans www.example.test A)" "www.example.test. A 192.0.2.53 "
expect_eq "the upstream was not asked for it" "$(fake_udp "$FAKE")" "$n"
expect_eq "(c) the cached chain now ends in the overlay" \
	"$(ans to-www.example.test A)" \
	"to-www.example.test. CNAME www.shop.example.com. www.shop.example.com. A 192.0.2.78 "
out=$(full to-www.example.test A)
if printf '%s' "$out" | grep -q '6\.6\.6\.6'; then
	fail "(c) no cached upstream record for the overlay"; printf '%s\n' "$out"
else pass "(c) no cached upstream record for the overlay"; fi
stop_pid "$FAKE_PID"
out=$(full to-mail.example.test A)
if printf '%s' "$out" | grep -q '6\.6\.6\.6'; then
	fail "(c) upstream gone: the old chain is not served stale"
	printf '%s\n' "$out"
else pass "(c) upstream gone: the old chain is not served stale"; fi
expect_match "(c) upstream gone: SERVFAIL" "$out" "status: SERVFAIL"
stop_serve
expect_clean_logs alice
finish

#!/usr/bin/env bash
# Issue 13 item 5: the peer port's UDP opinion answers are no amplifier.
# An asker that has not proven its address gets at most 3x its question
# over UDP (TC set when the opinion is larger, so it asks again over TCP);
# a valid DNS server cookie (RFC 7873), given in an earlier answer, proves
# it and gets the whole answer over UDP; TCP always does. wotdns's own
# asker still gets big opinions whole, and learns and sends the cookie.
. "$(dirname "$0")/lib.sh"

peer alice
soa='@ IN SOA ns.alice.wot. h.alice.wot. 1 3600 600 86400 60'
big=()
for i in 1 2 3 4; do
	big+=("big IN TXT \"$i$(printf 'x%.0s' $(seq 1 200))\"")
done
zone "$T/alice.zone" alice.wot. "$soa" "www IN A 192.0.2.10" "${big[@]}"
wd alice publish "$T/alice.zone" >/dev/null || exit 1
for n in bob carol; do
	peer "$n"
	wd "$n" follow "$(repo alice)" --name alice >/dev/null 2>&1 || exit 1
	wd "$n" sign-friend "$FPR_alice" --trust full >/dev/null || exit 1
	printf '\n[opinion]\nk = 1\ntimeout = 1000\n' >>"$T/$n/config"
	wd "$n" sync >/dev/null 2>&1
done
serve_peer carol

# ratio WHAT DIGOUT: "answer/question" sizes of a dig +qr output.
sizes() {
	local qs rs
	qs=$(printf '%s' "$1" | sed -n 's/.*QUERY SIZE: \([0-9]*\).*/\1/p' | head -n 1)
	rs=$(msg_size "$1")
	echo "${qs:-0} ${rs:-0}"
}
udp() { dig +qr +norec +time=2 +tries=1 +ignore +bufsize=1232 "$@"; }

for qn in "www.alice.wot A" "big.alice.wot TXT"; do
	for ck in +nocookie +cookie; do
		# shellcheck disable=SC2086
		out=$(udp $ck @127.0.0.1 -p "$PEER_carol" $qn)
		read -r qs rs <<<"$(sizes "$out")"
		[ "$rs" -gt 0 ] && [ "$rs" -le $((3 * qs)) ] &&
			pass "$qn, $ck: the UDP answer is at most 3x the question ($rs for $qs bytes)" ||
			fail "$qn, $ck: the UDP answer is at most 3x the question ($rs for $qs bytes)"
		expect_match "... truncated (TC): ask over TCP or with a cookie" \
			"$out" "flags: qr[a-z ]* tc"
	done
done

out=$(udp +cookie @127.0.0.1 -p "$PEER_carol" big.alice.wot TXT)
cookie=$(printf '%s' "$out" | sed -n 's/^; COOKIE: \([0-9a-f]*\).*/\1/p' | tail -n 1)
expect_match "the answer to a client cookie carries a server cookie (RFC 9018: 16 bytes)" \
	"$cookie" "^[0-9a-f]{48}$"
out=$(udp +cookie="$cookie" @127.0.0.1 -p "$PEER_carol" big.alice.wot TXT)
read -r qs rs <<<"$(sizes "$out")"
expect_eq "with that server cookie the UDP answer is whole (4 records)" \
	"$(printf '%s\n' "$out" | grep -c 'IN[[:space:]]*TXT[[:space:]]*"[0-9]xxx')" 4
[ "$rs" -gt $((3 * qs)) ] && pass "... larger than 3x the question ($rs for $qs bytes)" ||
	fail "... larger than 3x the question ($rs for $qs bytes)"
bad="${cookie:0:40}$(printf '%s' "${cookie:40:8}" | tr '0-9a-f' '1-9a-f0')"
out=$(udp +cookie="$bad" @127.0.0.1 -p "$PEER_carol" big.alice.wot TXT)
expect_match "a forged server cookie proves nothing: truncated" "$out" "flags: qr[a-z ]* tc"
# the cookie is bound to the asker's address: another one cannot use it
out=$(udp +cookie="$cookie" -b 127.0.0.2 @127.0.0.1 -p "$PEER_carol" big.alice.wot TXT)
expect_match "another address with that cookie: truncated" "$out" "flags: qr[a-z ]* tc"
out=$(dig +tcp +norec +time=2 +tries=1 @127.0.0.1 -p "$PEER_carol" big.alice.wot TXT)
expect_eq "over TCP the answer is whole" \
	"$(printf '%s\n' "$out" | grep -c 'IN[[:space:]]*TXT[[:space:]]*"[0-9]xxx')" 4

# wotdns's own asker: opinions --ask gets the big opinion whole (TC, then TCP)
out=$(wd bob opinions --ask "127.0.0.1:$PEER_carol" big.alice.wot TXT)
expect_eq "opinions --ask gets the big RRset whole" \
	"$(printf '%s\n' "$out" | grep -c '"[0-9]xxx')" 4
expect_match "... with its provenance" "$out" "^source $FPR_alice name alice commit [0-9a-f]{40}"

# bob's daemon asks carol about each change of alice's records: the first
# time even a small opinion is truncated over UDP and asked again over
# TCP, whose answer carries carol's server cookie; with it the next change
# is answered whole over UDP.
# bob learns carol's endpoint from her repository (peer.conf)
zone "$T/carol.zone" carol.wot. "@ IN A 192.0.2.2"
wd carol publish "$T/carol.zone" >/dev/null || exit 1
wd bob follow "$(repo carol)" --name carol >/dev/null 2>&1 || exit 1
wd bob sync >/dev/null 2>&1
serve_peer bob
# change N: www.alice.wot becomes 192.0.2.N, carol and bob take it, and
# bob's check with carol settles.
change() {
	zone "$T/alice.zone" alice.wot. "$soa" "www IN A 192.0.2.$1" "${big[@]}"
	wd alice publish "$T/alice.zone" >/dev/null || exit 1
	c=$(git -C "$(repo alice)" rev-parse HEAD)
	wd carol sync >/dev/null 2>&1
	kill -HUP "$PID_carol"
	wait_for "carol serves change $1" 10 \
		sh -c "dig +short @127.0.0.1 -p $PORT_carol www.alice.wot A | grep -qx 192.0.2.$1"
	wd bob sync >/dev/null 2>&1
	kill -HUP "$PID_bob"
	wait_for "bob's daemon checks change $1 with carol: agree" 15 \
		sh -c "'$W' --home '$T/bob' opinions www.alice.wot A | grep -q '127.0.0.1:$PEER_carol  *agree  *at ${c:0:12}'"
}
tcp_count() { wd bob status 2>&1 | sed -n 's/.*again over tcp \([0-9]*\).*/\1/p'; }
change 5
tcp1=$(tcp_count)
change 6
tcp2=$(tcp_count)
echo "# bob's questions asked again over tcp: $tcp1 after change 5, $tcp2 after 6"
[ "${tcp1:-0}" -ge 1 ] && pass "the first question went again over TCP ($tcp1)" ||
	fail "the first question went again over TCP ($tcp1)"
expect_eq "with carol's cookie the next one needed no TCP" "$tcp2" "$tcp1"

stop_peers bob carol
expect_clean_logs bob carol
finish

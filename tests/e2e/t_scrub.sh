#!/usr/bin/env bash
# The upstream is a party of the threat model: a hostile fake upstream
# (wot_fakedns --mode hostile) answers every A question with lies about the
# overlay zone alice.wot in every section. Checked with dig and kdig: no
# upstream record at or under an overlay apex reaches a client, forwarded
# or in a chased CNAME chain; a chain that comes back into the overlay is
# answered from it; out-of-bailiwick authority and additional records are
# dropped, in-bailiwick ones kept; AA only for the overlay's own answers;
# TTLs capped (RFC 2181 section 8, [serve] max-ttl); CNAME loops SERVFAIL;
# replies in another class refused.
. "$(dirname "$0")/lib.sh"

peer alice
zone "$T/alice.zone" alice.wot. "@ IN A 192.0.2.1" "www IN A 192.0.2.1" \
	"out IN CNAME www.example.test." "back IN CNAME to-www.example.test." \
	"loop IN CNAME to-loop.example.test." "self1 IN CNAME self2" \
	"self2 IN CNAME self1"
wd alice publish "$T/alice.zone" >/dev/null && wd alice sync >/dev/null 2>&1 ||
	{ echo "publish failed"; exit 1; }
opts=(--sync-interval 0 --upstream-timeout 300)
# full NAME TYPE [ARGS]: dig's whole output; ans: the answer section only.
full() { dig +time=3 +tries=1 @127.0.0.1 -p "$PORT" "$@"; }
ans() { dig +noall +answer +time=3 +tries=1 @127.0.0.1 -p "$PORT" "$@"; }
# no_lie WHAT OUTPUT: the hostile upstream's address is nowhere in it.
no_lie() {
	if printf '%s' "$2" | grep -q '6\.6\.6\.6'; then
		fail "$1: no upstream record for the overlay"
		printf '%s\n' "$2"
	else pass "$1: no upstream record for the overlay"; fi
}
# none_of WHAT OUTPUT REGEX: REGEX matches no line of OUTPUT.
none_of() {
	if printf '%s' "$2" | grep -Eq -- "$3"; then
		fail "$1: /$3/ found"; printf '%s\n' "$2"
	else pass "$1"; fi
}

start_fake evil hostile
EVIL=$FAKE_PORT
start_serve alice --upstream "127.0.0.1:$EVIL" "${opts[@]}"

# --- forwarded answers ---------------------------------------------------
for tr in udp tcp; do
	t=+notcp
	[ $tr = tcp ] && t=+tcp
	out=$(full www.example.test A $t)
	expect_match "$tr: forwarded name answered" "$out" \
		"www.example.test.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+A[[:space:]]+192.0.2.53"
	no_lie "$tr: forwarded" "$out"
	none_of "$tr: forwarded: no alice.wot record in any section" \
		"$out" "^[^;].*alice\.wot"
	none_of "$tr: forwarded: additional records nothing points to dropped" \
		"$out" "unrelated\.example|evil\.ns\.example"
	expect_match "$tr: forwarded: in-bailiwick authority kept" "$out" \
		"^test\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+NS[[:space:]]+ns\.test\."
	expect_match "$tr: forwarded: its glue kept" "$out" \
		"^ns\.test\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+A[[:space:]]+192\.0\.2\.54"
	expect_match "$tr: forwarded: not authoritative" "$out" "flags: qr rd ra;"
done
out=$(kdig @127.0.0.1 -p "$PORT" www.example.test A 2>&1)
no_lie "kdig: forwarded" "$out"
expect_match "kdig: forwarded answer" "$out" "192.0.2.53"
out=$(full www.example.test A)
no_lie "forwarded, from the cache" "$out"
none_of "from the cache: no alice.wot record" "$out" "^[^;].*alice\.wot"

# --- the overlay's own names and chased chains ---------------------------
out=$(full www.alice.wot A)
expect_match "overlay name: the overlay's address" "$out" \
	"www.alice.wot.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+A[[:space:]]+192.0.2.1"
expect_match "overlay name: authoritative" "$out" "flags: qr aa rd ra;"
for tr in udp tcp; do
	t=+notcp
	[ $tr = tcp ] && t=+tcp
	out=$(full out.alice.wot A $t)
	expect_eq "$tr: chase: the chain and the target's address" \
		"$(ans out.alice.wot A $t | awk '{print $1, $4, $5}' | tr '\n' ' ')" \
		"out.alice.wot. CNAME www.example.test. www.example.test. A 192.0.2.53 "
	no_lie "$tr: chase" "$out"
	none_of "$tr: chase: the upstream's NS for alice.wot dropped" "$out" \
		"^alice\.wot\..*NS"
	expect_match "$tr: chase: not authoritative (the upstream added to it)" \
		"$out" "flags: qr rd ra;"
	expect_eq "$tr: a chain back into the overlay is answered from it" \
		"$(ans back.alice.wot A $t | awk '{print $1, $4, $5}' | tr '\n' ' ')" \
		"back.alice.wot. CNAME to-www.example.test. to-www.example.test. CNAME www.alice.wot. www.alice.wot. A 192.0.2.1 "
	no_lie "$tr: chain back into the overlay" "$(full back.alice.wot A $t)"
done
expect_eq "forwarded chain into the overlay: answered from the overlay" \
	"$(ans to-www.example.test A | awk '{print $1, $4, $5}' | tr '\n' ' ')" \
	"to-www.example.test. CNAME www.alice.wot. www.alice.wot. A 192.0.2.1 "
out=$(full to-invented.example.test A)
expect_match "a name the upstream invents in the overlay: NXDOMAIN" "$out" \
	"status: NXDOMAIN"
expect_match "with the overlay's SOA" "$out" \
	"^alice\.wot\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+SOA"
no_lie "invented overlay name" "$out"

# --- CNAME loops ------------------------------------------------------------
for tr in udp tcp; do
	t=+notcp
	[ $tr = tcp ] && t=+tcp
	out=$(full self1.alice.wot A $t)
	expect_match "$tr: overlay CNAME loop: SERVFAIL" "$out" "status: SERVFAIL"
	expect_match "$tr: overlay CNAME loop: no records" "$out" "ANSWER: 0,"
	out=$(full loop.alice.wot A $t)
	expect_match "$tr: overlay -> upstream -> overlay loop: SERVFAIL" \
		"$out" "status: SERVFAIL"
	no_lie "$tr: loop" "$out"
done
stop_serve
stop_pid "$FAKE_PID"

# --- TTLs -------------------------------------------------------------------
start_fake huge ok --ttl 4294967295
start_serve alice --upstream "127.0.0.1:$FAKE_PORT" "${opts[@]}"
expect_eq "TTL 2^32-1 counts as 0 (RFC 2181 section 8)" \
	"$(ans big.ttl.test A | awk '{print $2}')" "0"
expect_eq "same in a chased chain" \
	"$(ans out.alice.wot A | awk '$4 == "A" {print $2}')" "0"
stop_serve
stop_pid "$FAKE_PID"
start_fake long ok --ttl 2147483647
start_serve alice --upstream "127.0.0.1:$FAKE_PORT" "${opts[@]}"
expect_eq "TTL 2^31-1 capped at the default max-ttl, 86400" \
	"$(ans long.ttl.test A | awk '{print $2}')" "86400"
stop_serve
printf '\n[serve]\nmax-ttl = 60\n' >>"$T/alice/config"
start_serve alice --upstream "127.0.0.1:$FAKE_PORT" "${opts[@]}"
expect_eq "[serve] max-ttl = 60 caps forwarded TTLs" \
	"$(ans long2.ttl.test A | awk '{print $2}')" "60"
expect_eq "and the chased target's" \
	"$(ans out.alice.wot A | awk '$4 == "A" {print $2}')" "60"
stop_serve
stop_pid "$FAKE_PID"

# --- replies in another class ---------------------------------------------
for m in chclass chquestion; do
	start_fake "$m" "$m"
	start_serve alice --upstream "127.0.0.1:$FAKE_PORT" "${opts[@]}"
	out=$(full x.class.test A)
	expect_match "$m: the reply is refused: SERVFAIL" "$out" "status: SERVFAIL"
	none_of "$m: its record is not relayed" "$out" "192\.0\.2\.53"
	stop_serve
	stop_pid "$FAKE_PID"
done
expect_clean_logs alice
finish

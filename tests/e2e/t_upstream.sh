#!/usr/bin/env bash
# Names outside the overlay, forwarded to fake upstreams (wot_fakedns):
# answers passed through, failover and RTT-based choice, forged replies
# rejected (RFC 5452), SERVFAIL, TC retried over TCP, large answers to
# small clients, the cache (positive and negative, RFC 2308), serve-stale
# (RFC 8767), and random IDs and source ports.
. "$(dirname "$0")/lib.sh"

peer ups
opts=(--sync-interval 0)
tmo=1500
if serve_supports --upstream-timeout; then
	pass "serve has --upstream-timeout"
	opts+=(--upstream-timeout 300)
	tmo=300
else
	fail "serve has --upstream-timeout (running with the default 1500 ms)"
fi
answer() { dig +noall +answer +time=4 +tries=1 @127.0.0.1 -p "$PORT" "$@"; }
ms() { echo $(($(date +%s%N) / 1000000)); }
# qtime DIGOUTPUT: the query time dig measured, in ms.
qtime() { printf '%s' "$1" | sed -n 's/^;; Query time: \([0-9]*\) msec/\1/p'; }
# fake_ports|fake_ids NAME PATTERN: distinct source ports|IDs of the
# queries fake NAME logged for names matching PATTERN.
fake_field() {
	grep -- "$3" "$T/fake-$2.log" | sed "s/.* $1=\\([0-9]*\\) .*/\\1/" |
		sort -u | wc -l
}
fake_ports() { fake_field port "$@"; }
fake_ids() { fake_field id "$@"; }

# --- one good upstream ---------------------------------------------------
start_fake good ok
G=$FAKE_PORT
start_serve ups --upstream "127.0.0.1:$G" "${opts[@]}"
expect_eq "forwarded name answered" "$(q www.foo.test A)" "192.0.2.53"
out=$(qfull www.foo.test AAAA)
expect_match "upstream NODATA passed on" "$out" "status: NOERROR"
expect_match "upstream NODATA keeps its SOA" "$out" "ANSWER: 0, AUTHORITY: 1"
expect_match "upstream NXDOMAIN passed on" "$(qfull nx.foo.test A)" \
	"status: NXDOMAIN"
expect_match "forwarded answers are not authoritative" \
	"$(qfull www.foo.test A)" "flags: qr rd ra;"

# The cache's timing (TTL countdown, expiry, negative TTLs, serve-stale,
# prefetch) is replayed on a fake clock in tests/unit/test_resolver_time.c;
# here the real daemon shows that it caches at all.
c0=$(fake_udp "$G")
t1=$(answer cached.foo.test A | awk '{print $2}')
t2=$(answer cached.foo.test A | awk '{print $2}')
c1=$(fake_udp "$G")
expect_eq "cache: a repeated query reaches the upstream once ($c0->$c1)" \
	"$((c1 - c0))" "1"
expect_eq "cache: second TTL ($t2) <= first ($t1)" \
	"$([ "${t2:-999}" -le "${t1:-0}" ] && echo yes)" "yes"
c0=$(fake_udp "$G")
s1=$(qfull nx.neg.test A)
s2=$(qfull nx.neg.test A)
c1=$(fake_udp "$G")
expect_match "negative cache: NXDOMAIN answered again" "$s2" "status: NXDOMAIN"
expect_match "negative cache: with the SOA" "$s2" "AUTHORITY: 1"
expect_eq "negative cache: NXDOMAIN reaches the upstream once ($c0->$c1)" \
	"$((c1 - c0))" "1"
c0=$(fake_udp "$G")
qfull nodata.neg.test AAAA >/dev/null
qfull nodata.neg.test AAAA >/dev/null
c1=$(fake_udp "$G")
expect_eq "negative cache: NODATA reaches the upstream once ($c0->$c1)" \
	"$((c1 - c0))" "1"

# RFC 5452: the client always uses ID 4660; upstream queries must not.
ok=0
for i in $(seq 1 20); do
	raw "$(wire_query 4660 256 "r$i.rnd.test" 1)" |
		grep -q "id=4660 rcode=NOERROR flags=qr,rd,ra qd=1 an=1" &&
		ok=$((ok + 1))
done
expect_eq "20 forwarded answers carry the client's ID" "$ok" "20"
p=$(fake_ports good rnd.test)
expect_eq "20 upstream queries from >= 18 source ports ($p)" \
	"$([ "$p" -ge 18 ] && echo yes)" "yes"
p=$(fake_ids good rnd.test)
expect_eq "20 upstream queries with >= 18 IDs ($p)" \
	"$([ "$p" -ge 18 ] && echo yes)" "yes"
stop_serve

if serve_supports --cache-size; then
	start_serve ups --upstream "127.0.0.1:$G" --cache-size 0 "${opts[@]}"
	c0=$(fake_udp "$G")
	q nocache.foo.test A >/dev/null
	q nocache.foo.test A >/dev/null
	c1=$(fake_udp "$G")
	expect_eq "--cache-size 0: every query reaches the upstream ($c0->$c1)" \
		"$((c1 - c0))" "2"
	stop_serve
else
	fail "serve has --cache-size"
fi

# --- failover and RTT-based choice ---------------------------------------
start_fake slow timeout
S=$FAKE_PORT
start_serve ups --upstream "127.0.0.1:$S" --upstream "127.0.0.1:$G" \
	"${opts[@]}"
out=$(qfull fo0.foo.test A +time=4)
t=$(qtime "$out")
expect_match "failover: the second upstream answers" "$out" \
	"IN[[:space:]]+A[[:space:]]+192.0.2.53"
expect_eq "failover: within the timeout and a bit ($t ms)" \
	"$([ "${t:-9999}" -lt $((tmo + 700)) ] && echo yes)" "yes"
sum=0
for i in $(seq 1 8); do
	t=$(qtime "$(qfull "fo$i.foo.test" A)")
	sum=$((sum + ${t:-$tmo}))
done
n=$(fake_udp "$S")
expect_eq "RTT choice: the dead upstream saw fewer than the 9 queries ($n)" \
	"$([ "${n:-9}" -lt 9 ] && echo yes)" "yes"
expect_eq "RTT choice: 8 later queries take under 4 timeouts ($sum ms)" \
	"$([ "$sum" -lt $((4 * tmo)) ] && echo yes)" "yes"
stop_serve

# --- forged and failing upstreams ----------------------------------------
start_fake forger wrongid
start_serve ups --upstream "127.0.0.1:$FAKE_PORT" "${opts[@]}"
for tr in udp tcp; do
	t0=$(ms)
	to=+notcp
	[ $tr = tcp ] && to=+tcp
	out=$(dig +time=8 +tries=1 $to @127.0.0.1 -p "$PORT" forged.foo.test A)
	t1=$(ms)
	expect_match "$tr: forged replies only: SERVFAIL" "$out" "status: SERVFAIL"
	if printf '%s' "$out" | grep -q 203.0.113.66; then
		fail "$tr: the forged address is never passed on"
	else pass "$tr: the forged address is never passed on"; fi
	expect_eq "$tr: SERVFAIL within a few seconds ($((t1 - t0)) ms)" \
		"$([ $((t1 - t0)) -lt 4000 ] && echo yes)" "yes"
done
stop_serve

start_fake late wrongid-then-ok
start_serve ups --upstream "127.0.0.1:$FAKE_PORT" "${opts[@]}"
expect_eq "wrong ID first, then the right reply: answered" \
	"$(q late.foo.test A | tr '\n' ' ')" "192.0.2.53 "
expect_eq "same over TCP" "$(q late2.foo.test A +tcp | tr '\n' ' ')" \
	"192.0.2.53 "
stop_serve

start_fake sf servfail
start_serve ups --upstream "127.0.0.1:$FAKE_PORT" "${opts[@]}"
expect_match "upstream SERVFAIL: SERVFAIL" "$(qfull sf.foo.test A)" \
	"status: SERVFAIL"
stop_serve

# --- truncation ------------------------------------------------------------
start_fake trunc tc
TC=$FAKE_PORT
start_serve ups --upstream "127.0.0.1:$TC" "${opts[@]}"
c0=$(fake_tcp "$TC")
out=$(qfull tc.foo.test A +ignore)
c1=$(fake_tcp "$TC")
expect_match "upstream TC: the UDP client gets the answer" "$out" \
	"IN[[:space:]]+A[[:space:]]+192.0.2.53"
expect_match "upstream TC: the answer is not truncated" "$out" \
	"flags: qr rd ra;"
expect_eq "upstream TC: retried over TCP by wotdns (tcp $c0->$c1)" \
	"$((c1 - c0))" "1"
stop_serve

start_fake big big
start_serve ups --upstream "127.0.0.1:$FAKE_PORT" "${opts[@]}"
out=$(qfull big.foo.test A +bufsize=512 +ignore)
s=$(msg_size "$out")
expect_match "60 records to a 512-byte client: TC" "$out" "flags: qr tc rd ra;"
expect_eq "60 records to a 512-byte client: <= 512 bytes ($s)" \
	"$([ "${s:-9999}" -le 512 ] && echo yes)" "yes"
out=$(qfull big2.foo.test A +noedns +ignore)
expect_match "60 records without EDNS: TC" "$out" "flags: qr tc rd ra;"
expect_match "60 records to a 1232-byte client over UDP" \
	"$(qfull big3.foo.test A +bufsize=1232 +ignore)" \
	"flags: qr rd ra;.*ANSWER: 60"
expect_match "60 records over TCP" "$(qfull big.foo.test A +tcp)" \
	"ANSWER: 60,"
expect_match "dig's TCP fallback gets all 60" \
	"$(qfull big4.foo.test A +bufsize=512)" "ANSWER: 60,"
stop_serve

# --- serve-stale and no upstream at all ----------------------------------
start_fake short ok --ttl 1
SHORT_PID=$FAKE_PID
start_serve ups --upstream "127.0.0.1:$FAKE_PORT" "${opts[@]}"
expect_eq "short-TTL answer" "$(answer stale.foo.test A | awk '{print $2, $5}')" \
	"1 192.0.2.53"
stop_pid "$SHORT_PID"
sleep 1.1 # the TTL of 1 s is over
expect_eq "upstream gone: stale answer with TTL 30 (RFC 8767)" \
	"$(answer stale.foo.test A | awk '{print $2, $5}')" "30 192.0.2.53"
expect_match "upstream gone: unknown name gets SERVFAIL" \
	"$(dig +time=5 +tries=1 @127.0.0.1 -p "$PORT" new.foo.test A)" \
	"status: SERVFAIL"
expect_alive "server alive" "$SERVE_PID"
stop_serve
finish

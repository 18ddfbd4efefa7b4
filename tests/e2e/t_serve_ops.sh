#!/usr/bin/env bash
# Issue 5: running the resolver day to day: listener threads sharing one
# address, reloads that never pause answers, counters shown by
# `wotdns status` from the running daemon, and dropping root (--user).
. "$(dirname "$0")/lib.sh"

peer zed
{
	echo '$ORIGIN zed.wot.'
	echo '@ IN SOA ns.zed.wot. h.zed.wot. 1 3600 600 86400 60'
	for i in $(seq 1 200); do echo "n$i IN A 192.0.2.$((i % 250 + 1))"; done
} >"$T/zed.zone"
wd zed publish "$T/zed.zone" >/dev/null
wd zed sync >/dev/null 2>&1
start_upstream

# Two listener threads on one port (SO_REUSEPORT).
start_serve zed --upstream "$UPSTREAM" --sync-interval 0 --threads 2
expect_match "threads are logged" "$(cat "$T/serve-zed.log")" \
	"listening on 127.0.0.1:$PORT"
ok=0
# One try each (a retry may leave from another port and reach the other
# thread), with time enough for a machine starved by parallel tests.
for i in $(seq 1 200); do
	[ "$(q n$i.zed.wot A +tries=1 +time=5)" = "192.0.2.$((i % 250 + 1))" ] &&
		ok=$((ok + 1))
done
expect_eq "every query answered by one of the threads" "$ok" "200"

# A reload while queries run: none goes unanswered, and all threads see
# the new record.
echo 'new IN A 198.51.100.99' >>"$T/zed.zone"
wd zed publish "$T/zed.zone" >/dev/null
wd zed sync >/dev/null 2>&1
for i in $(seq 1 400); do echo "n$((i % 200 + 1)).zed.wot A"; done >"$T/names"
"$WOT_BURST" --count 20000 --inflight 100 127.0.0.1 "$PORT" "$T/names" \
	>"$T/burst.out" 2>&1 &
BURST=$!
sleep 0.2
kill -HUP "$SERVE_PID"
wait "$BURST"
expect_eq "no query lost across a reload" "$?" "0"
seen=0
for i in $(seq 1 20); do
	[ "$(q new.zed.wot A)" = "198.51.100.99" ] && seen=$((seen + 1))
done
expect_eq "every thread serves the reloaded record" "$seen" "20"

# Counters from the running daemon.
q www.example.com A >/dev/null
q www.example.com A >/dev/null
q nothing.zed.wot A >/dev/null
sleep 0.7 # the other thread's counters are at most 0.5 s old
out=$(wd zed status)
expect_match "status shows the running resolver" "$out" \
	"resolver: running \(pid $SERVE_PID, 2 threads"
queries=$(sed -n 's/^  queries \([0-9]*\):.*/\1/p' <<<"$out")
[ "${queries:-0}" -ge 20000 ] && pass "status counts the queries ($queries)" ||
	fail "status counts the queries: '$queries'"
expect_match "status counts overlay answers" "$out" "overlay [1-9][0-9]*"
expect_match "status counts upstream answers" "$out" \
	"upstream answers [1-9]"
expect_match "status shows the latency histogram" "$out" \
	"latency <0.1ms [0-9]+ <1ms [0-9]+ <10ms [0-9]+"
expect_match "status shows each upstream with its RTT" "$out" \
	"upstream $UPSTREAM: srtt [0-9]+ ms, sent [1-9]"
expect_match "status shows the cache" "$out" "cache [1-9][0-9]* entries"
kill "$SERVE_PID"
wait "$SERVE_PID"
expect_eq "serve exits 0 on SIGTERM" "$?" "0"
[ ! -e "$T/zed/state/serve.sock" ] && pass "control socket removed on exit" ||
	fail "control socket left behind"
expect_match "status without a daemon says so" "$(wd zed status)" \
	"resolver: not running"

# A stray file where the socket goes is not removed, and serve still runs.
touch "$T/zed/state/serve.sock"
start_serve zed --sync-interval 0 --upstream "$UPSTREAM"
expect_eq "serve runs without its control socket" "$(q n1.zed.wot A)" \
	"192.0.2.2"
expect_match "and says why" "$(cat "$T/serve-zed.log")" \
	"no control socket.*exists and is not a socket"
kill "$SERVE_PID"
wait "$SERVE_PID"
rm -f "$T/zed/state/serve.sock"

# Prefetch: a name hit again in the last tenth of its TTL is refreshed
# from upstream before it expires, with no client waiting. Its timing is
# replayed on a fake clock in tests/unit/test_resolver_time.c
# (time_prefetch); here the real daemon shows that it prefetches at all,
# on a TTL of 2 s (the window is 1.8 s to 2 s). A hit that a busy machine
# delays past the window is a plain miss (TTL 2, not 1): then the next
# name is tried, at most three.
start_fake pf ok --ttl 2
start_serve zed --sync-interval 0 --upstream "127.0.0.1:$FAKE_PORT"
ms() { echo $(($(date +%s%N) / 1000000)); }
# asked NAME: how often the fake upstream was asked for NAME.
asked() { grep -ci "name=$1" "$T/fake-pf.log"; }
ttl() { dig +noall +answer @127.0.0.1 -p "$PORT" "$1" A | awk '{print $2}'; }
hit=
for i in 1 2 3; do
	n=hot$i.example.test
	q "$n" A >/dev/null
	t1=$(ms) # the answer was stored before now
	q "$n" A >/dev/null
	q "$n" A >/dev/null
	sleep "$(awk -v d=$((t1 + 1830 - $(ms))) \
		'BEGIN { printf "%.3f", (d > 0 ? d : 0) / 1000 }')"
	[ "$(ttl "$n")" = 1 ] && hit=$n && break
done
[ -n "$hit" ] && pass "prefetch: a hit in the last tenth of the TTL ($hit)" ||
	fail "prefetch: no hit landed in the last tenth of the TTL"
for _ in $(seq 1 20); do
	[ "$(asked "$hit")" = 2 ] && break
	sleep 0.1
done
n2=$(asked "$hit")
expect_eq "prefetch: the upstream was asked again before expiry" "$n2" "2"
# Past the first answer's end (2 s after t1): the refreshed one.
sleep "$(awk -v d=$((t1 + 2100 - $(ms))) \
	'BEGIN { printf "%.3f", (d > 0 ? d : 0) / 1000 }')"
expect_eq "prefetch: answered after the first answer's end" \
	"$(q "$hit" A)" "192.0.2.53"
expect_eq "prefetch: served from the refreshed entry, no question more" \
	"$(asked "$hit")" "$n2"
# (a retry after a stalled hit may have prefetched one more name: the
# exact count per entry is the unit table's)
expect_match "status counts the prefetch" "$(wd zed status)" \
	"prefetches [1-9]"
kill "$SERVE_PID"
wait "$SERVE_PID"

# Bad flag values are usage errors.
out=$(wd zed serve --threads 0 2>&1)
expect_eq "--threads 0 is a usage error" "$?" "2"
out=$(wd zed serve --cache-size x 2>&1)
expect_eq "--cache-size x is a usage error" "$?" "2"

# --user: only root can drop to another user; the home must be theirs.
if [ "$(id -u)" != 0 ]; then
	out=$(wd zed serve --listen 127.0.0.1:0 --user nobody 2>&1)
	expect_match "--user needs root" "$out" "needs root"
else
	out=$(wd zed serve --listen 127.0.0.1:0 --user nobody 2>&1)
	expect_match "--user refuses a home of another user" "$out" \
		"belongs to uid 0, not to nobody"
	# A home nobody owns, in a directory nobody can reach.
	D=$(mktemp -d /tmp/wotdns-user.XXXXXX)
	chmod 755 "$D"
	cp -a "$T/zed" "$D/zed"
	gpgconf --homedir "$D/zed/gnupg" --kill all 2>/dev/null
	sed -i "s|$T/zed|$D/zed|" "$D/zed/config"
	chown -R nobody:nogroup "$D/zed"
	"$W" --home "$D/zed" serve --listen 127.0.0.1:0 --sync-interval 0 \
		--upstream "$UPSTREAM" --user nobody >"$T/user.log" 2>&1 &
	UPID=$!
	PIDS+=($UPID)
	for _ in $(seq 1 50); do
		grep -q "running as nobody" "$T/user.log" && break
		sleep 0.1
	done
	UP=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' \
		"$T/user.log" | head -n 1)
	expect_match "root drops to --user after binding" \
		"$(cat "$T/user.log")" "running as nobody"
	expect_eq "the process runs as nobody" \
		"$(ps -o user= -p "$UPID" | tr -d ' ')" "nobody"
	expect_eq "and still answers" \
		"$(dig +short @127.0.0.1 -p "$UP" n1.zed.wot A)" "192.0.2.2"
	kill "$UPID"
	wait "$UPID"
	expect_eq "and exits 0" "$?" "0"
	gpgconf --homedir "$D/zed/gnupg" --kill all 2>/dev/null
	rm -rf "$D"
fi
finish

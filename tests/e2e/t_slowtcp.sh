#!/usr/bin/env bash
# Issue 13 item 5, TCP per RFC 7766 against slow clients, on the resolver
# port and on the peer port (serve --peer-listen): a message must arrive
# whole within 3 s of its first byte however its bytes trickle in; a
# connection that sends nothing waits for the idle timeout instead; and
# when the connection table is full the connection idle or partial for the
# longest makes way, so a fresh `dig +tcp` is answered at once while slow
# clients (wot_slowtcp, which reopens what the server closes) go on.
. "$(dirname "$0")/lib.sh"

SLOW=${WOT_SLOWTCP:-$TOOLS/wot_slowtcp}

peer zed
zone "$T/zed.zone" zed.wot. "@ IN A 192.0.2.10"
wd zed publish "$T/zed.zone" >/dev/null && wd zed sync >/dev/null 2>&1
serve_peer zed

field() { printf '%s' "$2" | sed -n "s/.*$1=\([0-9]*\).*/\1/p"; }

# The checks below wait on the daemon's timers, not on the CPU: those that
# do not disturb each other run at once (the resolver and the peer port
# have a connection table each).

# slow_start NAME PORT: 3 connections trickling a byte every 500 ms for 8 s,
# in the background, into $T/slow-NAME.out.
slow_start() {
	"$SLOW" --conns 3 --seconds 8 --interval 500 127.0.0.1 "$2" \
		>"$T/slow-$1.out" &
	SLOW_PIDS+=($!)
	PIDS+=($!)
}
# slow_check WHAT NAME: those connections were each closed about 3 s after
# their first byte.
slow_check() {
	local out life oldest closed
	out=$(cat "$T/slow-$2.out")
	echo "# $1: $out"
	closed=$(field closed_by_server "$out")
	life=$(field max_life_ms "$out")
	oldest=$(field oldest_open_ms "$out")
	[ "${closed:-0}" -ge 6 ] &&
		pass "$1: trickling connections are closed ($closed in 8 s)" ||
		fail "$1: trickling connections are closed ($closed in 8 s)"
	[ "${life:-0}" -ge 2500 ] && [ "${life:-0}" -le 4500 ] &&
		[ "${oldest:-99999}" -le 4500 ] &&
		pass "$1: ... at the 3 s message deadline (at most $life ms, oldest open $oldest ms)" ||
		fail "$1: ... at the 3 s message deadline (at most $life ms, oldest open $oldest ms)"
}
SLOW_PIDS=()
slow_start resolver "$PORT"
slow_start peer "$PEER_zed"
# A connection that sends nothing is between messages: the peer port's 5 s
# idle timeout, not the message deadline.
"$SLOW" --idle --conns 1 --seconds 7 127.0.0.1 "$PEER_zed" >"$T/slow-idle.out" &
SLOW_PIDS+=($!)
PIDS+=($!)
wait "${SLOW_PIDS[@]}"
slow_check "resolver" resolver
slow_check "peer port" peer

out=$(cat "$T/slow-idle.out")
echo "# peer port, idle: $out"
life=$(field max_life_ms "$out")
[ "${life:-0}" -ge 4500 ] && [ "${life:-0}" -le 6500 ] &&
	pass "peer port: a silent connection lasts the idle timeout ($life ms)" ||
	fail "peer port: a silent connection lasts the idle timeout ($life ms)"

# fresh_tcp WHAT PORT CHECK: while slow clients fill the table, five fresh
# TCP queries are each answered (CHECK: a regex of dig's output) in 1.5 s.
fresh_tcp() {
	local ok=0 slowest=0 t0 ms out
	for _ in 1 2 3 4 5; do
		t0=$(date +%s%N)
		out=$(dig +tcp +time=2 +tries=1 @127.0.0.1 -p "$2" zed.wot A)
		ms=$((($(date +%s%N) - t0) / 1000000))
		[ "$ms" -gt "$slowest" ] && slowest=$ms
		printf '%s' "$out" | grep -Eq -- "$3" && [ "$ms" -le 1500 ] &&
			ok=$((ok + 1))
		sleep 0.5
	done
	expect_eq "$1: fresh dig +tcp answered while the table is full (slowest $slowest ms)" \
		"$ok" 5
}
# full_start NAME PORT CONNS: CONNS slow clients for 12 s, in the
# background, into $T/full-NAME.out.
full_start() {
	"$SLOW" --conns "$3" --seconds 12 --interval 1000 127.0.0.1 "$2" \
		>"$T/full-$1.out" &
	SLOW_PIDS+=($!)
	PIDS+=($!)
}
# full_check WHAT PORT CHECK: while they run (both ports' checks fit in
# their 12 s), fresh queries are answered at once.
full_check() {
	local out
	fresh_tcp "$1" "$2" "$3"
	out=$(kdig +tcp +time=2 +retry=0 @127.0.0.1 -p "$2" zed.wot A)
	expect_match "$1: ... and kdig +tcp too" "$out" "$3"
}
# full_done WHAT NAME CONNS: no slow connection outlived the deadline.
full_done() {
	local out
	out=$(cat "$T/full-$2.out")
	echo "# $1, $3 slow clients: $out"
	[ "$(field oldest_open_ms "$out")" -le 4500 ] &&
		[ "$(field max_life_ms "$out")" -le 4500 ] &&
		pass "$1: ... and no slow connection outlived the message deadline" ||
		fail "$1: ... and no slow connection outlived the message deadline ($out)"
}
ANSWER="zed.wot.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+A[[:space:]]+192.0.2.10"
SLOW_PIDS=()
full_start resolver "$PORT" 140
full_start peer "$PEER_zed" 20
sleep 2
full_check "resolver" "$PORT" "$ANSWER"
# the peer port answers a QUERY (an opinion, or REFUSED without one)
full_check "peer port" "$PEER_zed" "status: (NOERROR|REFUSED)"
kill -0 "${SLOW_PIDS[@]}" 2>/dev/null &&
	pass "the slow clients filled both tables through those queries" ||
	fail "the slow clients filled both tables through those queries"
wait "${SLOW_PIDS[@]}"
full_done "resolver" resolver 140
full_done "peer port" peer 20

kill -0 "$PID_zed" 2>/dev/null && pass "the daemon still runs" ||
	fail "the daemon still runs"
stop_peers zed
expect_clean_logs zed
finish

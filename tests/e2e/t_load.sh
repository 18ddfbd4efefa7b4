#!/usr/bin/env bash
# Load: 1000 overlay names, 200000 UDP queries with 500 in flight
# (wot_burst, no retransmissions): every query answered, and the daemon's
# resident memory stays flat after a warm-up burst.
. "$(dirname "$0")/lib.sh"

peer lod
lines=("@ IN A 192.0.2.1")
: >"$T/names"
for i in $(seq 1 1000); do
	lines+=("h$i IN A 192.0.2.$((i % 250 + 1))")
	echo "h$i.lod.wot" >>"$T/names"
done
zone "$T/lod.zone" lod.wot. "${lines[@]}"
wd lod publish "$T/lod.zone" >/dev/null && wd lod sync >/dev/null 2>&1
start_fake up ok
start_serve lod --upstream "127.0.0.1:$FAKE_PORT" --sync-interval 0
expect_eq "a generated name is served" "$(q h999.lod.wot A)" "192.0.2.250"
expect_eq "the daemon is the process measured" "$(cat /proc/$SERVE_PID/comm)" \
	"wotdns"

out=$("$BURST" --count 20000 --inflight 500 127.0.0.1 "$PORT" "$T/names")
expect_match "warm-up: 20000 queries all answered" "$out" \
	"sent=20000 answered=20000 lost=0"
rss0=$(vmrss "$SERVE_PID")
out=$("$BURST" --count 200000 --inflight 500 127.0.0.1 "$PORT" "$T/names")
echo "# $(printf '%s' "$out" | tr '\n' ' ')"
expect_match "200000 queries, 500 in flight: all answered" "$out" \
	"sent=200000 answered=200000 lost=0"
expect_match "no error answers under load" "$out" "rcode_errors=0 stray=0"
rss1=$(vmrss "$SERVE_PID")
hexport=$(printf '%04X' "$PORT")
echo "# kernel drops at the daemon's UDP socket: $(awk -v p=":$hexport" \
	'$2 ~ p"$" {print $NF}' /proc/net/udp)"
echo "# VmRSS ${rss0} kB after warm-up, ${rss1} kB after 200000 queries"
expect_eq "VmRSS grew by less than 2 MiB ($((rss1 - rss0)) kB)" \
	"$([ $((rss1 - rss0)) -lt 2048 ] && echo yes)" "yes"
expect_eq "still answering" "$(q h1.lod.wot A)" "192.0.2.2"
expect_alive "server alive" "$SERVE_PID"
finish

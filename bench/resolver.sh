#!/usr/bin/env bash
# resolver.sh - dnsperf against `wotdns serve` answering 10,000 overlay
# names, and against unbound serving the same names as local-data, in one
# run on loopback. Prints queries/s for each and the ratio.
#
#   bash bench/resolver.sh            # 20 s per server
#   DURATION=5 NAMES=10000 bash bench/resolver.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
DURATION=${DURATION:-20}
NAMES=${NAMES:-10000}
WOT_BENCH_DEPS=1 bash "$top/scripts/deps.sh"
[ -x "$top/build/src/cli/wotdns" ] || bash "$top/scripts/build.sh"
W="$top/build/src/cli/wotdns"
T=$(mktemp -d /tmp/wotdns-bench.XXXXXX)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	gpgconf --homedir "$T/home/gnupg" --kill all 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

echo "generating $NAMES names..."
{
	echo '$ORIGIN bench.wot.'
	echo '$TTL 3600'
	for ((i = 0; i < NAMES; i++)); do
		echo "name$i IN A 198.18.$((i / 250 % 250)).$((i % 250 + 1))"
	done
} >"$T/bench.zone"
"$W" --home "$T/home" init --name bench >/dev/null
"$W" --home "$T/home" publish "$T/bench.zone" >/dev/null
"$W" --home "$T/home" sync >/dev/null 2>&1
shuf -r -n "$NAMES" -i 0-$((NAMES - 1)) | sed 's/.*/name&.bench.wot A/' >"$T/queries"

"$W" --home "$T/home" serve --listen 127.0.0.1:0 --sync-interval 0 \
	--upstream 127.0.0.1:9 >"$T/wot.log" 2>&1 &
PIDS+=($!)
WOTPID=$!
for _ in $(seq 1 100); do
	WPORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$T/wot.log" | head -n1)
	[ -n "$WPORT" ] && break
	sleep 0.1
done

UPORT=$((20000 + RANDOM % 40000))
{
	cat <<UEOF
server:
  interface: 127.0.0.1@$UPORT
  port: $UPORT
  num-threads: 1
  do-daemonize: no
  chroot: ""
  username: ""
  directory: "$T"
  pidfile: ""
  use-syslog: no
  logfile: "$T/unbound.log"
  verbosity: 0
  do-ip6: no
  access-control: 127.0.0.0/8 allow
  module-config: "iterator"
  local-zone: "bench.wot." static
UEOF
	awk '/ IN A /{printf "  local-data: \"%s.bench.wot. 3600 IN A %s\"\n", $1, $4}' "$T/bench.zone"
	printf 'remote-control:\n  control-enable: no\n'
} >"$T/unbound.conf"
unbound -d -c "$T/unbound.conf" >"$T/unbound.out" 2>&1 &
PIDS+=($!)
UBPID=$!
for _ in $(seq 1 100); do
	dig +short +time=1 +tries=1 @127.0.0.1 -p "$UPORT" name1.bench.wot A 2>/dev/null | grep -q 198 && break
	sleep 0.1
done
dig +short @127.0.0.1 -p "$WPORT" name1.bench.wot A | grep -q 198 || { echo "wotdns not answering"; exit 1; }

rss() { awk '/VmRSS/{print $2}' "/proc/$1/status"; }
perf() { # perf LABEL PORT PID
	local out
	out=$(dnsperf -s 127.0.0.1 -p "$2" -d "$T/queries" -l "$DURATION" -c 1 -q 200 2>&1)
	local qps lost lat
	qps=$(echo "$out" | awk '/Queries per second/{print $4}')
	lost=$(echo "$out" | awk '/Queries lost/{print $3}')
	lat=$(echo "$out" | awk '/Average Latency/{print $4}')
	printf '%-10s %12s qps  lost %-8s avg latency %ss  rss %s KiB\n' "$1" "$qps" "$lost" "$lat" "$(rss "$3")"
	echo "$qps" >"$T/qps.$1"
}
echo "dnsperf, $DURATION s each, $NAMES names, 1 client, 200 outstanding:"
perf wotdns "$WPORT" "$WOTPID"
perf unbound "$UPORT" "$UBPID"
awk -v a="$(cat "$T/qps.wotdns")" -v b="$(cat "$T/qps.unbound")" \
	'BEGIN{printf "ratio wotdns/unbound: %.2f\n", a / b}'

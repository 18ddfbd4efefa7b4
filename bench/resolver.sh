#!/usr/bin/env bash
# resolver.sh - dnsperf against `wotdns serve`, unbound and dnsmasq, in one
# run, all on loopback at free ports, all serving the same names:
#
#  1. overlay names: NAMES names (wotdns: a published zone in its home;
#     unbound: local-data; dnsmasq: an --addn-hosts file);
#  2. cached upstream names: NAMES other names served by a separate
#     unbound on loopback (local-data, TTL 3600); each resolver forwards to
#     it and is warmed by querying every name before the measured run;
#
# first with one listener thread each, then with THREADS listener threads
# (wotdns --threads, unbound num-threads + so-reuseport; dnsmasq is
# single-threaded by design and is not rerun). dnsperf runs DURATION
# seconds per server and case for queries/s, mean latency and lost
# queries, then LAT_DURATION seconds more with -v, whose per-query
# latencies give the 99th percentile (dnsperf 2.10 has no histogram; -v
# slows the client by about a tenth, so it stays out of the measured
# run). RSS is read right after the measured run, and the server's CPU
# time (user + system, /proc/PID/stat) over it per query completed ("CPU
# us/q", the column other load on the machine moves least). Also
# measures wotdns's memory per overlay record: (RSS with NAMES records -
# RSS with none) / NAMES, and again with NAMES_MEM records.
#
# Results (tables and ratios) go to stdout, progress to stderr.
#
#   bash bench/resolver.sh                    # 20 s per server and case
#   DURATION=3 bash bench/resolver.sh         # quick check
#   NAMES=10000 NAMES_MEM=0 THREADS=4 bash bench/resolver.sh
#
# Environment: DURATION (20), LAT_DURATION (5, at most DURATION; 0 = use
# -v in the measured run itself), NAMES (10000), THREADS (nproc), NAMES_MEM
# (100000, 0 = skip that step), OUTSTANDING (200 queries outstanding per
# dnsperf thread), CLIENTS_MT (4 x THREADS dnsperf clients, i.e. source
# ports, in the multi-thread runs, so that SO_REUSEPORT's hash spreads them
# over the listeners), WOT_CACHE_MB (32), WOTDNS (binary to use; default:
# a RelWithDebInfo build in build-bench/, made or updated here).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
DURATION=${DURATION:-20}
NAMES=${NAMES:-10000}
THREADS=${THREADS:-$(nproc)}
NAMES_MEM=${NAMES_MEM:-100000}
OUTSTANDING=${OUTSTANDING:-200}
CLIENTS_MT=${CLIENTS_MT:-$((4 * THREADS))}
WOT_CACHE_MB=${WOT_CACHE_MB:-32}
LAT_DURATION=${LAT_DURATION:-$((DURATION < 5 ? DURATION : 5))}

say() { echo "$*" >&2; }
die() { echo "resolver.sh: $*" >&2; exit 1; }

WOT_BENCH_DEPS=1 bash "$top/scripts/deps.sh" >&2
. "$top/bench/lib.sh"
bench_wotdns

SERVE_HELP=$("$W" serve --help 2>&1 || true)
HAS_THREADS=0
HAS_CACHE=0
grep -q -- '--threads' <<<"$SERVE_HELP" && HAS_THREADS=1
grep -q -- '--cache-size' <<<"$SERVE_HELP" && HAS_CACHE=1

T=$(mktemp -d /tmp/wotdns-bench.XXXXXX)
PIDS=()
HOMES=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	for p in "${HOMES[@]}"; do
		gpgconf --homedir "$p/gnupg" --kill all 2>/dev/null || true
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- helpers

rss() { awk '/^VmRSS/{print $2}' "/proc/$1/status"; } # KiB
cputicks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# A port free for both UDP and TCP on loopback (any socket using it counts).
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 40000))
		if [ -z "$(ss -Hantu "sport = :$p" 2>/dev/null)" ]; then
			echo "$p"
			return
		fi
	done
}

# wait_answer PORT NAME PID: until the server at PORT answers NAME A.
wait_answer() {
	local i
	for ((i = 0; i < 300; i++)); do
		kill -0 "$3" 2>/dev/null || return 1
		dig +short +time=1 +tries=1 @127.0.0.1 -p "$1" "$2" A 2>/dev/null |
			grep -q '^[0-9]' && return 0
		sleep 0.1
	done
	return 1
}

stop() { # stop PID
	local p keep=()
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
	for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	PIDS=("${keep[@]}")
}

# Starters set SPID and SPORT. $1 is a tag for the log and config files,
# $2 the name to check, then the server's own arguments.

# start_wotdns TAG NAME THREADS HOME [SERVE ARGS...]
start_wotdns() {
	local tag=$1 name=$2 th=$3 home=$4 try listen
	shift 4
	for try in 1 2 3 4 5; do
		listen=(--listen 127.0.0.1:0)
		# Several listeners: one port for all of them, chosen here.
		[ "$th" -gt 1 ] && listen=(--listen "127.0.0.1:$(free_port)" --threads "$th")
		"$W" --home "$home" serve "${listen[@]}" --sync-interval 0 "$@" \
			>"$T/$tag.log" 2>&1 &
		SPID=$!
		PIDS+=("$SPID")
		SPORT=
		for _ in $(seq 1 300); do
			SPORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' \
				"$T/$tag.log" | head -n1)
			[ -n "$SPORT" ] && break
			kill -0 "$SPID" 2>/dev/null || break
			sleep 0.1
		done
		if [ -n "$SPORT" ] && wait_answer "$SPORT" "$name" "$SPID"; then
			return 0
		fi
		stop "$SPID"
		grep -qi 'in use' "$T/$tag.log" || break
	done
	tail -n 5 "$T/$tag.log" >&2
	die "wotdns ($tag) did not start"
}

# start_unbound TAG NAME THREADS CONFIG-FRAGMENT-FILE
start_unbound() {
	local tag=$1 name=$2 th=$3 frag=$4 try
	for try in 1 2 3 4 5; do
		SPORT=$(free_port)
		{
			cat <<-UEOF
			server:
			  interface: 127.0.0.1@$SPORT
			  port: $SPORT
			  num-threads: $th
			  so-reuseport: yes
			  do-daemonize: no
			  chroot: ""
			  username: ""
			  directory: "$T"
			  pidfile: ""
			  use-syslog: no
			  logfile: "$T/$tag.log"
			  verbosity: 0
			  do-ip6: no
			  access-control: 127.0.0.0/8 allow
			  module-config: "iterator"
			UEOF
			cat "$frag"
			printf 'remote-control:\n  control-enable: no\n'
		} >"$T/$tag.conf"
		# The forward-zone clause, if any, must follow the server clause.
		if [ -f "$frag.tail" ]; then
			cat "$frag.tail" >>"$T/$tag.conf"
		fi
		unbound -d -c "$T/$tag.conf" >"$T/$tag.out" 2>&1 &
		SPID=$!
		PIDS+=("$SPID")
		wait_answer "$SPORT" "$name" "$SPID" && return 0
		stop "$SPID"
		cat "$T/$tag.out" "$T/$tag.log" 2>/dev/null | grep -qi 'in use' || break
	done
	cat "$T/$tag.out" "$T/$tag.log" 2>/dev/null | tail -n 5 >&2
	die "unbound ($tag) did not start"
}

# start_dnsmasq TAG NAME [DNSMASQ ARGS...]
start_dnsmasq() {
	local tag=$1 name=$2 try
	shift 2
	for try in 1 2 3 4 5; do
		SPORT=$(free_port)
		# Foreground, one process, loopback only, no DHCP, no system
		# files, no pid file in /run, no switch to a dnsmasq user.
		dnsmasq -k --conf-file=/dev/null --user=root \
			--pid-file="$T/$tag.pid" --log-facility="$T/$tag.log" \
			--listen-address=127.0.0.1 --bind-interfaces --port="$SPORT" \
			--no-hosts --no-resolv "$@" >"$T/$tag.out" 2>&1 &
		SPID=$!
		PIDS+=("$SPID")
		wait_answer "$SPORT" "$name" "$SPID" && return 0
		stop "$SPID"
		cat "$T/$tag.out" "$T/$tag.log" 2>/dev/null | grep -qi 'in use' || break
	done
	cat "$T/$tag.out" "$T/$tag.log" 2>/dev/null | tail -n 5 >&2
	die "dnsmasq ($tag) did not start"
}

# warm PORT THREADS CLIENTS: query every upstream name (twice, so that
# anything lost the first time is fetched the second).
warm() {
	local pass out
	for pass in 1 2; do
		out=$(dnsperf -s 127.0.0.1 -p "$1" -d "$T/q.up.all" -n 1 -T "$2" \
			-c "$3" -q 50 -t 5 2>&1) || true
		say "    warm-up pass $pass: $(awk '/Queries completed:/{c=$3}
			/Queries lost:/{l=$3} END{printf "%s completed, %s lost", c, l}' \
			<<<"$out")"
	done
}

# Results, by "CASE/SERVER".
declare -A R_QPS R_MEAN R_P99 R_LOST R_BAD R_RSS R_NOTE R_CPU

udp_drops() { # system-wide count of UDP datagrams dropped on full buffers
	awk '/^Udp:/ { if (!c) { for (i = 1; i <= NF; i++) if ($i == "RcvbufErrors") c = i }
		else print $c }' /proc/net/snmp
}

# p99 FILE: the 99th percentile, in ms, of the latencies in dnsperf -v
# output (lines "> RCODE name type seconds"; lost queries, "> T ...", have
# none), in 1 us buckets.
p99() {
	awk '$1 == ">" && NF >= 5 && $NF ~ /^[0-9.]+$/ {
			u = int($NF * 1000000 + 0.5); h[u]++; n++; if (u > m) m = u }
		END {
			if (!n) { print "-"; exit }
			t = n * 0.99; c = 0
			for (i = 0; i <= m; i++) if (i in h) {
				c += h[i]; if (c >= t) { printf "%.3f", i / 1000; exit } }
		}' "$1"
}

# perf CASE SERVER PORT PID QUERYFILE THREADS CLIENTS
perf() {
	local key="$1/$2" out="$T/perf.$1.$2" th=$6 cl=$7 up0= drops v=() cpu0
	local args=(-s 127.0.0.1 -p "$3" -d "$5" -T "$th" -c "$cl" -q "$((OUTSTANDING * th))")
	say "  dnsperf $2 ($1, $DURATION s, -T $th -c $cl -q $((OUTSTANDING * th)))..."
	[ "$1" = "${1%cached*}" ] || up0=$(cputicks "$UPPID")
	[ "$LAT_DURATION" = 0 ] && v=(-v)
	drops=$(udp_drops)
	cpu0=$(cputicks "$4")
	dnsperf "${args[@]}" -l "$DURATION" "${v[@]}" >"$out" 2>"$out.err" ||
		{ cat "$out.err" >&2; die "dnsperf failed against $2"; }
	cpu0=$(($(cputicks "$4") - cpu0))
	drops=$(($(udp_drops) - drops))
	R_RSS[$key]=$(rss "$4")
	R_QPS[$key]=$(awk '/Queries per second:/{printf "%.0f", $4}' "$out")
	R_MEAN[$key]=$(awk '/Average Latency \(s\):/{printf "%.3f", $4 * 1000}' "$out")
	R_LOST[$key]=$(awk '/Queries lost:/{print $3}' "$out")
	# The server's own CPU (user + system, /proc/PID/stat) per query
	# answered: what the machine's load changes least.
	R_CPU[$key]=$(awk -v t="$cpu0" -v hz="$(getconf CLK_TCK)" \
		'/Queries completed:/{if ($3 > 0) printf "%.2f", t * 1e6 / hz / $3}' "$out")
	R_BAD[$key]=$(awk '/Queries completed:/{c = $3}
		/Response codes:/{for (i = 1; i < NF; i++) if ($i == "NOERROR") n = $(i + 1)}
		END{print c - n}' "$out")
	[ "$drops" = 0 ] || say "    UDP datagrams dropped on full receive buffers during the run (whole system): $drops"
	if [ -n "$up0" ]; then
		local d=$(($(cputicks "$UPPID") - up0))
		[ "$d" -le 5 ] || say "    note: the upstream used $d ticks of CPU during the run (cache misses?)"
	fi
	if [ "$LAT_DURATION" != 0 ]; then
		# -v costs dnsperf about a tenth of its throughput: the
		# per-query latencies come from a second, separate run.
		say "  dnsperf -v $2 ($1, $LAT_DURATION s, for the latency percentile)..."
		dnsperf "${args[@]}" -l "$LAT_DURATION" -v >"$out" 2>"$out.err" ||
			{ cat "$out.err" >&2; die "dnsperf -v failed against $2"; }
	fi
	R_P99[$key]=$(p99 "$out")
	rm -f "$out" # can be hundreds of MB
}

skip() { # skip CASE SERVER REASON
	R_NOTE[$1/$2]=$3
	say "  $3"
}

row() { # row CASE SERVER LABEL
	local k="$1/$2"
	if [ -n "${R_NOTE[$k]:-}" ]; then
		printf '%-22s %s\n' "$3" "${R_NOTE[$k]}"
	elif [ -n "${R_QPS[$k]:-}" ]; then
		printf '%-22s %10s %9s %9s %8s %9s %9.1f %9s\n' "$3" "${R_QPS[$k]}" \
			"${R_MEAN[$k]}" "${R_P99[$k]}" "${R_LOST[$k]}" "${R_BAD[$k]}" \
			"$(awk -v k="${R_RSS[$k]}" 'BEGIN{print k / 1024}')" \
			"${R_CPU[$k]:--}"
	fi
}

ratio() { # ratio CASE-A CASE-B LABEL: wotdns over the other server
	local a=$1 b=$2
	if [ -z "${R_QPS[$a]:-}" ] || [ -z "${R_QPS[$b]:-}" ]; then
		printf 'ratio %-16s n/a\n' "$3:"
		return
	fi
	awk -v l="$3" -v q1="${R_QPS[$a]}" -v q2="${R_QPS[$b]}" \
		-v m1="${R_MEAN[$a]}" -v m2="${R_MEAN[$b]}" \
		-v p1="${R_P99[$a]}" -v p2="${R_P99[$b]}" \
		-v r1="${R_RSS[$a]}" -v r2="${R_RSS[$b]}" '
		function d(x, y) { return (y + 0 > 0 && x != "-") ? sprintf("%.2f", x / y) : "n/a" }
		BEGIN { printf "ratio %-16s queries/s %s  mean latency %s  p99 %s  RSS %s\n",
			l ":", d(q1, q2), d(m1, m2), d(p1, p2), d(r1, r2) }'
}

target() { # target KEY-WOT KEY-OTHER MIN LABEL
	local a=$1 b=$2
	if [ -z "${R_QPS[$a]:-}" ] || [ -z "${R_QPS[$b]:-}" ]; then
		echo "target $4: not measured"
		return
	fi
	awk -v l="$4" -v q1="${R_QPS[$a]}" -v q2="${R_QPS[$b]}" -v min="$3" \
		-v lost="${R_LOST[$a]}" 'BEGIN {
		r = q1 / q2
		printf "target %s: %.2f (>= %.1f) %s; wotdns lost %d: %s\n", l, r,
			min, (r >= min ? "met" : "MISSED"), lost, (lost == 0 ? "ok" : "MISSED") }'
}

table() { # table CASE TITLE [DNSMASQ-CASE]
	local c=$1 dm=${3:-$1}
	echo
	echo "== $2 =="
	printf '%-22s %10s %9s %9s %8s %9s %9s %9s\n' server queries/s "mean ms" \
		"p99 ms" lost '!NOERROR' "RSS MiB" "CPU us/q"
	row "$c" wotdns "wotdns serve"
	row "$c" unbound "unbound $UBVER"
	if [ "$dm" = "$c" ]; then
		row "$c" dnsmasq "dnsmasq $DMVER"
	else
		row "$dm" dnsmasq "dnsmasq $DMVER (1 thr)"
		echo "(dnsmasq is single-threaded by design: its row is the 1-thread run)"
	fi
	ratio "$c/wotdns" "$c/unbound" "wotdns/unbound"
	ratio "$c/wotdns" "$dm/dnsmasq" "wotdns/dnsmasq"
}

# ---------------------------------------------------------------- data

UBVER=$(unbound -V 2>/dev/null | awk '/^Version/{print $2}')
DMVER=$(dnsmasq --version 2>/dev/null | awk 'NR == 1{print $3}')

say "generating $NAMES overlay and $NAMES upstream names..."
gen_zone() { # gen_zone COUNT
	echo '$ORIGIN bench.wot.'
	echo '$TTL 3600'
	awk -v n="$1" 'BEGIN{for (i = 0; i < n; i++)
		printf "name%d IN A 198.18.%d.%d\n", i, int(i / 250) % 250, i % 250 + 1}'
}
gen_zone "$NAMES" >"$T/bench.zone"
awk '/ IN A /{printf "%s %s.bench.wot\n", $4, $1}' "$T/bench.zone" >"$T/bench.hosts"
{
	echo '  local-zone: "bench.wot." static'
	awk '/ IN A /{printf "  local-data: \"%s.bench.wot. 3600 IN A %s\"\n", $1, $4}' \
		"$T/bench.zone"
} >"$T/overlay.frag"
{
	echo '  local-zone: "up.bench." static'
	awk -v n="$NAMES" 'BEGIN{for (i = 0; i < n; i++)
		printf "  local-data: \"name%d.up.bench. 3600 IN A 198.19.%d.%d\"\n",
			i, int(i / 250) % 250, i % 250 + 1}'
} >"$T/upstream.frag"
# Queries: NAMES names drawn at random (with repetition); dnsperf loops.
shuf -r -n "$NAMES" -i 0-$((NAMES - 1)) | sed 's/.*/name&.bench.wot A/' >"$T/q.overlay"
shuf -r -n "$NAMES" -i 0-$((NAMES - 1)) | sed 's/.*/name&.up.bench A/' >"$T/q.up"
seq 0 $((NAMES - 1)) | sed 's/.*/name&.up.bench A/' >"$T/q.up.all"

say "wotdns homes: $NAMES-name overlay and empty..."
H="$T/home"
E="$T/empty"
HOMES+=("$H" "$E")
"$W" --home "$H" init --name bench >/dev/null
"$W" --home "$H" publish "$T/bench.zone" >/dev/null
"$W" --home "$H" sync >/dev/null 2>&1
"$W" --home "$E" init --name empty >/dev/null
"$W" --home "$E" sync >/dev/null 2>&1

# The upstream of the cached case: one unbound, left running throughout.
start_unbound upstream name1.up.bench 1 "$T/upstream.frag"
UPPORT=$SPORT
UPPID=$SPID
say "upstream: unbound on 127.0.0.1:$UPPORT ($NAMES names in up.bench.)"

# unbound as a caching forwarder to it.
cat >"$T/forward.frag" <<EOF
  do-not-query-localhost: no
  msg-cache-size: 64m
  rrset-cache-size: 128m
  prefetch: no
  qname-minimisation: no
EOF
printf 'forward-zone:\n  name: "."\n  forward-addr: 127.0.0.1@%s\n' \
	"$UPPORT" >"$T/forward.frag.tail"

# ---------------------------------------------------------------- memory

say "memory: wotdns with no records..."
# (it has no name of its own to answer: check it with a forwarded one)
start_wotdns wot-empty name1.up.bench 1 "$E" --upstream "127.0.0.1:$UPPORT"
RSS_EMPTY=$(rss "$SPID")
stop "$SPID"

# ---------------------------------------------------------------- runs

# run_cases CASE-SUFFIX THREADS CLIENTS
run_cases() {
	local sfx=$1 th=$2 cl=$3 c

	c=overlay$sfx
	say "$c: $NAMES overlay names, $th listener thread(s)"
	if [ "$th" -gt 1 ] && [ "$HAS_THREADS" = 0 ]; then
		skip "$c" wotdns "skipped: wotdns serve has no --threads"
	else
		start_wotdns "wot-$c" name1.bench.wot "$th" "$H" --upstream 127.0.0.1:9
		[ "$th" -gt 1 ] || RSS_IDLE=$(rss "$SPID")
		perf "$c" wotdns "$SPORT" "$SPID" "$T/q.overlay" "$th" "$cl"
		stop "$SPID"
	fi
	start_unbound "ub-$c" name1.bench.wot "$th" "$T/overlay.frag"
	perf "$c" unbound "$SPORT" "$SPID" "$T/q.overlay" "$th" "$cl"
	stop "$SPID"
	if [ "$th" = 1 ]; then
		start_dnsmasq "dm-$c" name1.bench.wot --addn-hosts="$T/bench.hosts" \
			--local-ttl=3600 --cache-size=20000
		perf "$c" dnsmasq "$SPORT" "$SPID" "$T/q.overlay" "$th" "$cl"
		stop "$SPID"
	fi

	c=cached$sfx
	say "$c: $NAMES cached upstream names, $th listener thread(s)"
	if [ "$HAS_CACHE" = 0 ]; then
		skip "$c" wotdns "skipped: wotdns serve has no --cache-size"
	elif [ "$th" -gt 1 ] && [ "$HAS_THREADS" = 0 ]; then
		skip "$c" wotdns "skipped: wotdns serve has no --threads"
	else
		start_wotdns "wot-$c" name1.up.bench "$th" "$E" \
			--upstream "127.0.0.1:$UPPORT" --cache-size "$WOT_CACHE_MB"
		warm "$SPORT" "$th" "$cl"
		perf "$c" wotdns "$SPORT" "$SPID" "$T/q.up" "$th" "$cl"
		stop "$SPID"
	fi
	start_unbound "ub-$c" name1.up.bench "$th" "$T/forward.frag"
	warm "$SPORT" "$th" "$cl"
	perf "$c" unbound "$SPORT" "$SPID" "$T/q.up" "$th" "$cl"
	stop "$SPID"
	if [ "$th" = 1 ]; then
		start_dnsmasq "dm-$c" name1.up.bench --server="127.0.0.1#$UPPORT" \
			--cache-size=20000 --dns-forward-max=1000
		warm "$SPORT" "$th" "$cl"
		perf "$c" dnsmasq "$SPORT" "$SPID" "$T/q.up" "$th" "$cl"
		stop "$SPID"
	fi
}

RSS_IDLE=
echo "wotdns $("$W" --version 2>/dev/null | head -n1), unbound $UBVER, dnsmasq $DMVER;" \
	"$(nproc) cores; dnsperf $DURATION s per server, $NAMES names"
if [ "$LAT_DURATION" = 0 ]; then
	echo "p99 from the measured run (dnsperf -v)"
else
	echo "p99 from a separate $LAT_DURATION s run with dnsperf -v, same load"
fi
run_cases "" 1 1
table overlay "overlay names, 1 listener thread (dnsperf -T 1 -c 1 -q $OUTSTANDING)"
target overlay/wotdns overlay/unbound 1.5 "overlay wotdns/unbound queries/s"
table cached "cached upstream names, 1 listener thread (dnsperf -T 1 -c 1 -q $OUTSTANDING)"
target cached/wotdns cached/unbound 1.0 "cached wotdns/unbound queries/s"

# Memory per overlay record.
echo
echo "== wotdns memory per overlay record =="
echo "RSS with no records: $RSS_EMPTY KiB"
if [ -n "$RSS_IDLE" ]; then
	awk -v n="$NAMES" -v a="$RSS_IDLE" -v b="$RSS_EMPTY" -v r="${R_RSS[overlay/wotdns]}" 'BEGIN {
		printf "RSS with %d records: %d KiB idle, %d KiB after the run\n", n, a, r
		x = (a - b) * 1024 / n
		printf "bytes per record (%d, idle): %.0f (target < 300: %s)\n", n, x,
			(x < 300 ? "met" : "MISSED") }'
fi
if [ "$NAMES_MEM" -gt 0 ]; then
	say "memory: wotdns with $NAMES_MEM records (publish + sync)..."
	B="$T/big"
	HOMES+=("$B")
	gen_zone "$NAMES_MEM" >"$T/big.zone"
	"$W" --home "$B" init --name big >/dev/null
	"$W" --home "$B" publish "$T/big.zone" >/dev/null
	"$W" --home "$B" sync >/dev/null 2>&1
	start_wotdns wot-big "name$((NAMES_MEM - 1)).bench.wot" 1 "$B" --upstream 127.0.0.1:9
	RSS_BIG=$(rss "$SPID")
	stop "$SPID"
	awk -v n="$NAMES_MEM" -v a="$RSS_BIG" -v b="$RSS_EMPTY" 'BEGIN {
		printf "RSS with %d records: %d KiB idle\n", n, a
		x = (a - b) * 1024 / n
		printf "bytes per record (%d, idle): %.0f (target < 300: %s)\n", n, x,
			(x < 300 ? "met" : "MISSED") }'
fi

echo
if [ "$THREADS" -gt 1 ]; then
	run_cases -mt "$THREADS" "$CLIENTS_MT"
	q=$((OUTSTANDING * THREADS))
	table overlay-mt "overlay names, $THREADS listener threads (dnsperf -T $THREADS -c $CLIENTS_MT -q $q)" overlay
	target overlay-mt/wotdns overlay-mt/unbound 1.5 "overlay wotdns/unbound queries/s, $THREADS threads"
	table cached-mt "cached upstream names, $THREADS listener threads (dnsperf -T $THREADS -c $CLIENTS_MT -q $q)" cached
	target cached-mt/wotdns cached-mt/unbound 1.0 "cached wotdns/unbound queries/s, $THREADS threads"
else
	echo "multi-thread runs skipped: THREADS=1"
fi

#!/usr/bin/env bash
# propagation.sh - how fast a publish reaches the followers' resolvers.
#
# One publisher (alice) and FOLLOWERS followers (default 20), each a
# `wotdns serve` on loopback with its own home and keyring. The followers
# announce a peer endpoint in their peer.conf; alice follows them, so her
# daemon knows whom to NOTIFY. Per round alice publishes a changed record;
# a poller then asks every follower over DNS (UDP, every POLL_MS) until it
# answers the new record. Latency = from `wotdns publish` returning to the
# first right answer of that follower.
#
#  1. notify: followers never sync on a timer (--sync-interval 0), so
#     only the NOTIFY sent by alice's daemon can explain the update;
#  2. reference: no NOTIFY (alice's daemon stopped), followers sync every
#     REF_INTERVAL seconds (default 1).
#
# Prints min/median/p90/max and the count under 0.5 s and under 1 s for
# each, and the ratio of the medians. Progress goes to stderr.
#
#   bash bench/propagation.sh
#   FOLLOWERS=5 ROUNDS=2 bash bench/propagation.sh   # quick check
#
# Environment: FOLLOWERS (20), ROUNDS (5 publishes per run), POLL_MS (5),
# TIMEOUT_S (10 per round), REF_INTERVAL (1), WOTDNS (binary; default: a
# RelWithDebInfo build in build-bench/, made or updated here).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
FOLLOWERS=${FOLLOWERS:-20}
ROUNDS=${ROUNDS:-5}
POLL_MS=${POLL_MS:-5}
TIMEOUT_S=${TIMEOUT_S:-10}
REF_INTERVAL=${REF_INTERVAL:-1}

say() { echo "propagation: $*" >&2; }
die() { say "$*"; exit 1; }

. "$top/bench/lib.sh"
bench_wotdns
command -v python3 >/dev/null || die "python3 is needed for the poller"

T=$(mktemp -d "${TMPDIR:-/tmp}/wotdns-prop.XXXXXX")
declare -A SPID # running daemons by peer name
export GIT_CONFIG_NOSYSTEM=1 HOME="$T/userhome"
mkdir -p "$HOME"
cleanup() {
	for p in "${SPID[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${SPID[@]}"; do wait "$p" 2>/dev/null || true; done
	for g in "$T"/*/gnupg; do
		[ -d "$g" ] && gpgconf --homedir "$g" --kill all 2>/dev/null
	done
	if [ -n "${KEEP:-}" ]; then say "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT

wd() { local h=$1; shift; "$W" --home "$T/$h" "$@"; }
peer() {
	wd "$1" init --name "$1" --email "$1@wot.test" | tail -n 1
}
SOA='@ IN SOA ns.alice.wot. h.alice.wot. 1 3600 600 86400 60'
# alice_zone N: alice's zone with round N's record
alice_zone() {
	printf '$ORIGIN alice.wot.\n$TTL 60\n%s\n@ IN A 192.0.2.1\nr IN TXT "round %s"\n' \
		"$SOA" "$1" >"$T/alice.zone"
}

# serve NAME ARGS...: start a daemon on free ports; sets PORT (and PEER
# when a peer listener was asked for).
serve() {
	local n=$1 log="$T/serve-$1.log" i
	shift
	: >"$log" # exists before the daemon's shell opens it
	"$W" --home "$T/$n" serve --listen 127.0.0.1:0 --upstream 127.0.0.1:9 \
		"$@" >"$log" 2>&1 &
	SPID[$n]=$!
	for i in $(seq 1 100); do
		PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" | head -n 1)
		PEER=$(sed -n 's/.*peer listener on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" | head -n 1)
		# the peer listener is logged just after the resolver
		if [ -n "$PORT" ] && { [ -n "$PEER" ] ||
			! printf '%s\n' "$@" | grep -q -- --peer-listen; }; then
			return 0
		fi
		sleep 0.1
	done
	cat "$log" >&2
	die "$n: serve did not start"
}
stop() {
	kill "${SPID[$1]}" 2>/dev/null || true
	wait "${SPID[$1]}" 2>/dev/null || true
	unset "SPID[$1]"
}

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg) # other work on the machine matters
say "creating alice and $FOLLOWERS followers (keys, repositories)..."
FPR_alice=$(peer alice)
alice_zone 0
wd alice publish "$T/alice.zone" >/dev/null
names=()
for i in $(seq 1 "$FOLLOWERS"); do
	f=f$i
	names+=("$f")
	peer "$f" >/dev/null
	wd "$f" follow "$T/alice/own.git" --name alice >/dev/null 2>&1
	wd "$f" sign-friend "$FPR_alice" --trust full >/dev/null
done

# start_followers ARGS...: every follower's daemon; writes T/ports.
start_followers() {
	: >"$T/ports"
	for f in "${names[@]}"; do
		serve "$f" "$@"
		echo "$PORT" >>"$T/ports"
		if [ -n "$PEER" ]; then echo "$f $PEER" >>"$T/peers"; fi
	done
}

say "starting the followers with peer listeners..."
: >"$T/peers"
start_followers --sync-interval 0 --peer-listen 127.0.0.1:0
while read -r f pp; do
	printf '\n[peer]\nendpoint = 127.0.0.1:%s\n' "$pp" >>"$T/$f/config"
	printf '$ORIGIN %s.wot.\n@ IN A 192.0.2.2\n' "$f" >"$T/$f.zone"
	wd "$f" publish "$T/$f.zone" >/dev/null
	wd alice follow "$T/$f/own.git" --name "$f" >/dev/null 2>&1
done <"$T/peers"
serve alice --sync-interval 0

# poll LABEL FIRST_ROUND: ROUNDS rounds of publish + poll; latencies (s,
# one per follower and round) appended to T/LABEL.
poll() {
	python3 - "$W" "$T" "$1" "$2" "$ROUNDS" "$POLL_MS" "$TIMEOUT_S" <<'PY'
import os, random, select, socket, struct, subprocess, sys, time
w, t, label, first, rounds, poll_ms, timeout = sys.argv[1:]
first, rounds, poll_ms, timeout = int(first), int(rounds), int(poll_ms), float(timeout)
ports = [int(x) for x in open(os.path.join(t, "ports")).read().split()]
qname = b"".join(bytes([len(l)]) + l for l in b"r.alice.wot".split(b".")) + b"\0"
out = open(os.path.join(t, label), "a")
socks = []
for p in ports:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect(("127.0.0.1", p))
    s.setblocking(False)
    socks.append(s)
for r in range(first, first + rounds):
    zone = os.path.join(t, "alice.zone")
    with open(zone, "w") as z:
        z.write('$ORIGIN alice.wot.\n$TTL 60\n@ IN SOA ns.alice.wot. h.alice.wot. 1 3600 600 86400 60\n'
                '@ IN A 192.0.2.1\nr IN TXT "round %d"\n' % r)
    want = b"round %d" % r
    subprocess.run([w, "--home", os.path.join(t, "alice"), "publish", zone],
                   check=True, stdout=subprocess.DEVNULL)
    t0 = time.monotonic()
    done = {}
    while len(done) < len(socks) and time.monotonic() - t0 < timeout:
        for i, s in enumerate(socks):
            if i in done:
                continue
            qid = random.randrange(65536)
            s.send(struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + qname + b"\0\x10\0\x01")
        end = time.monotonic() + poll_ms / 1000.0
        while time.monotonic() < end:
            ready, _, _ = select.select([s for i, s in enumerate(socks) if i not in done], [], [],
                                        max(0, end - time.monotonic()))
            for s in ready:
                try:
                    data = s.recv(2048)
                except OSError:
                    continue
                if want in data:
                    done[socks.index(s)] = time.monotonic() - t0
    for i in range(len(socks)):
        out.write("%.4f\n" % done.get(i, float("inf")))
    out.flush()
    print("round %d: %d/%d followers, slowest %.3f s%s" % (r, len(done), len(socks),
          max(done.values()) if done else float("nan"),
          "".join(" (no answer from port %d)" % ports[i] for i in range(len(socks)) if i not in done)),
          file=sys.stderr)
    time.sleep(0.5)
PY
}

stats() {
	python3 - "$T/$1" "$1" <<'PY'
import sys
v = sorted(float(x) for x in open(sys.argv[1]))
n = len(v)
def pct(p): return v[min(n - 1, int(p * n))]
fmt = lambda x: "%.3f" % x if x != float("inf") else "never"
print("%-10s n=%3d  min %s  median %s  p90 %s  max %s  <0.5s %d/%d  <1s %d/%d" % (
    sys.argv[2], n, fmt(v[0]), fmt(pct(0.5)), fmt(pct(0.9)), fmt(v[-1]),
    sum(x < 0.5 for x in v), n, sum(x < 1 for x in v), n))
PY
}

say "run 1: NOTIFY, followers never sync on a timer ($ROUNDS rounds)..."
poll notify 1
say "run 2: reference, no NOTIFY, followers sync every ${REF_INTERVAL}s..."
stop alice
for f in "${names[@]}"; do stop "$f"; done
: >"$T/peers"
start_followers --sync-interval "$REF_INTERVAL"
sleep 2 # let the first timed syncs settle
poll timer 100

echo "propagation: load average before and after: $LOAD0 / $(cut -d' ' -f1-3 /proc/loadavg)"
echo "propagation: 1 publisher, $FOLLOWERS followers on loopback, $ROUNDS rounds" \
	"(latency from 'wotdns publish' returning to the follower's answer, s)"
stats notify
stats timer
python3 - "$T/notify" "$T/timer" <<'PY'
import sys
med = []
for f in sys.argv[1:]:
    v = sorted(float(x) for x in open(f))
    med.append(v[len(v) // 2])
print("median ratio timer/notify: %.1fx" % (med[1] / med[0]))
PY

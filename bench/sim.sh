#!/usr/bin/env bash
# sim.sh - second opinions and neighbor majority among lying peers.
#
# NODES real `wotdns serve` daemons on loopback (default 30), each with its
# own home, keyring and published zone (n<i>.wot: SOA, @, www, mail, txt),
# its own loopback address (127.0.<i/200+1>.<i%200+1>: resolver and peer
# listener, so a peer's per-address rate limit counts each node alone; its
# questions leave from that address too) and its peer listener announced
# in its peer.conf. Each node
# follows FRIENDS_MIN..FRIENDS_MAX random others and sign-friends them
# (ownertrust full), so friend-of-friend discovery ([discovery] auto =
# valid) lets it follow most of the network. A share LIARS of the nodes
# (default 0.3; never the equivocating one) lie in their opinions
# (tests/tools/wot_liar): half always, half at random.
#
# Node 1 equivocates: its followers are split between two URLs of its
# repository, and a third of the way into the run each URL gets a
# different commit signed by its key (two histories, neither descending
# from the other).
#
# After DURATION seconds the script reads every daemon's counters (control
# socket) and evidence, and prints a table: lies detected (second opinions
# and neighbor majority), honest records wrongly withdrawn, outlier
# reports against honest peers, when the equivocation was detected (first
# node, median, last, nodes that caught it), and questions and bytes per
# node per minute. The same network then runs again as a reference with no
# liars (same graph, same equivocation), and the ratios are printed.
#
#   bash bench/sim.sh
#   NODES=12 DURATION=60 bash bench/sim.sh     # quick look
#
# Environment: NODES (30), LIARS (0.3), DURATION (180 s per run),
# FRIENDS_MIN (5), FRIENDS_MAX (8), NEIGHBOR_INTERVAL (5 s), NEIGHBORS
# (15), MAJORITY (14), SAMPLE (4 RRsets per round), OPINION_K (3),
# SYNC (30 s timer sync), SEED (1), REFERENCE (1: also run with no liars),
# KEEP (keep the directory), WOT_LIAR (the lying peer; default: built in
# build-bench-tools/), WOTDNS (binary; default: a RelWithDebInfo
# build in build-bench/).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
NODES=${NODES:-30}
LIARS=${LIARS:-0.3}
DURATION=${DURATION:-180}
FRIENDS_MIN=${FRIENDS_MIN:-5}
FRIENDS_MAX=${FRIENDS_MAX:-8}
NEIGHBOR_INTERVAL=${NEIGHBOR_INTERVAL:-5}
NEIGHBORS=${NEIGHBORS:-15}
MAJORITY=${MAJORITY:-14}
SAMPLE=${SAMPLE:-4}
OPINION_K=${OPINION_K:-3}
SYNC=${SYNC:-30}
SEED=${SEED:-1}
REFERENCE=${REFERENCE:-1}

say() { echo "sim: $*" >&2; }
die() { say "$*"; exit 1; }

[ "$NODES" -ge 4 ] || die "NODES must be at least 4"
. "$top/bench/lib.sh"
bench_wotdns
# The lying peers: tests/tools/wot_liar (WOT_LIAR, else built here).
if [ -n "${WOT_LIAR:-}" ]; then
	LIAR=$WOT_LIAR
else
	say "building wot_liar in build-bench-tools/..."
	{ cmake -S "$top" -B "$top/build-bench-tools" \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null &&
		cmake --build "$top/build-bench-tools" -j"$(nproc)" \
			--target wot_liar >/dev/null; } ||
		die "build of wot_liar failed (WOT_LIAR=/path/to/wot_liar)"
	LIAR="$top/build-bench-tools/tests/tools/wot_liar"
fi
command -v python3 >/dev/null || die "python3 is needed"

T=$(mktemp -d "${TMPDIR:-/tmp}/wotdns-sim.XXXXXX")
declare -A SPID # running daemons by node number
export GIT_CONFIG_NOSYSTEM=1 HOME="$T/userhome"
mkdir -p "$HOME"
git config --global init.defaultBranch main
git config --global protocol.file.allow always
kill_agents() {
	for g in "$T"/net/*/gnupg "$T"/eq*/gnupg; do
		[ -d "$g" ] && gpgconf --homedir "$g" --kill all 2>/dev/null
	done
	return 0
}
stop_all() {
	for p in "${SPID[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${SPID[@]}"; do wait "$p" 2>/dev/null || true; done
	SPID=()
	kill_agents
}
cleanup() {
	stop_all
	if [ -n "${KEEP:-}" ]; then say "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT

N="$T/net"
mkdir -p "$N"
wd() { local h=$1; shift; "$W" --home "$N/$h" "$@"; }
SOA() { echo "@ IN SOA ns.$1.wot. h.$1.wot. $2 3600 600 86400 60"; }
zone() { # zone NODE SERIAL ADDR_LAST_OCTET
	printf '$ORIGIN %s.wot.\n$TTL 60\n%s\n@ IN A 192.0.2.%s\nwww IN A 198.51.100.%s\nmail IN A 203.0.113.%s\ntxt IN TXT "node %s v%s"\n' \
		"$1" "$(SOA "$1" "$2")" "$3" "$3" "$3" "$1" "$2"
}

# ---- plan: ports, friend graph, liars (python, seeded) ----------------
python3 - "$N" "$NODES" "$FRIENDS_MIN" "$FRIENDS_MAX" "$LIARS" "$SEED" <<'PY'
import os, random, socket, sys
n_dir, nodes, fmin, fmax, liars, seed = sys.argv[1:]
nodes, fmin, fmax, liars = int(nodes), int(fmin), int(fmax), float(liars)
rnd = random.Random(int(seed))
socks, ports, ips = [], [], []
for i in range(1, nodes + 1):
    ip = "127.0.%d.%d" % (i // 200 + 1, i % 200 + 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((ip, 0))
    socks.append(s)
    ips.append(ip)
    ports.append(s.getsockname()[1])
with open(os.path.join(n_dir, "plan"), "w") as f:
    nl = int(round(liars * nodes))
    cand = list(range(2, nodes + 1))  # node 1 equivocates, never lies
    lying = rnd.sample(cand, min(nl, len(cand)))
    for i in range(1, nodes + 1):
        k = rnd.randint(min(fmin, nodes - 1), min(fmax, nodes - 1))
        friends = rnd.sample([j for j in range(1, nodes + 1) if j != i], k)
        lie = "-"
        if i in lying:
            lie = "always" if lying.index(i) % 2 == 0 else "random"
        f.write("%d %s:%d %s %s\n" % (i, ips[i - 1], ports[i - 1], lie,
                                      ",".join(map(str, friends))))
PY

declare -A PORTP LIE FRIENDS
while read -r i p l fr; do
	PORTP[$i]=$p
	LIE[$i]=$l
	FRIENDS[$i]=$fr
done <"$N/plan"

say "creating $NODES nodes (keys, zones, peer.conf)..."
mk_node() {
	local i=$1 p=$2 # p: ADDR:PORT
	"$W" --home "$N/n$i" init --name "n$i" --email "n$i@wot.test" |
		tail -n 1 >"$N/fpr.$i"
	cat >>"$N/n$i/config" <<EOF

[peer]
listen = $p
endpoint = $p

[opinion]
k = $OPINION_K
timeout = 1000
neighbors = $NEIGHBORS
majority = $MAJORITY
neighbor-interval = $NEIGHBOR_INTERVAL
neighbor-sample = $SAMPLE
EOF
	zone "n$i" 1 "$i" >"$N/n$i.zone"
	"$W" --home "$N/n$i" publish "$N/n$i.zone" >/dev/null
}
export -f mk_node zone SOA
export W N NEIGHBORS MAJORITY NEIGHBOR_INTERVAL SAMPLE OPINION_K
t0=$(date +%s.%N)
for i in $(seq 1 "$NODES"); do echo "$i ${PORTP[$i]}"; done |
	xargs -P 4 -n 2 bash -c 'mk_node "$0" "$1"' ||
	die "creating nodes failed"


# Node 1's two URLs (the same history until the equivocation).
git clone -q --bare "$N/n1/own.git" "$N/eqA.git"
git clone -q --bare "$N/n1/own.git" "$N/eqB.git"
url_of() { # url_of FOLLOWER FRIEND
	if [ "$2" = 1 ]; then
		if [ $(($1 % 2)) = 0 ]; then echo "$N/eqA.git"; else echo "$N/eqB.git"; fi
	else echo "$N/n$2/own.git"; fi
}

say "friend graph: each follows $FRIENDS_MIN..$FRIENDS_MAX others..."
# A follow may meet the friend's repository in the middle of its own
# sign-friend commit: try again.
befriend() {
	local i=$1 j k
	for j in ${2//,/ }; do
		for k in 1 2 3 4; do
			"$W" --home "$N/n$i" follow "$(url_of "$i" "$j")" \
				--name "n$j" >"$N/follow.$i.$j" 2>&1 && break
			[ "$k" = 4 ] && { echo "n$i follow n$j failed:" >&2;
				cat "$N/follow.$i.$j" >&2; return 1; }
			sleep 1
		done
		"$W" --home "$N/n$i" sign-friend "$(cat "$N/fpr.$j")" --trust full \
			>/dev/null || return 1
	done
}
export -f befriend url_of
for i in $(seq 1 "$NODES"); do echo "$i ${FRIENDS[$i]}"; done |
	xargs -P 4 -n 2 bash -c 'befriend "$0" "$1"' || die "friend graph failed"
# sign-friend republished node 1's keys: both URLs get that (one history).
git -C "$N/eqA.git" fetch -q "$N/n1/own.git" +main:main
git -C "$N/eqB.git" fetch -q "$N/n1/own.git" +main:main
# Friend-of-friend discovery before the clock starts: two syncs per node
# (the second sees the keys the first imported), so the daemons begin with
# the graph they would reach anyway and the run measures checks, not the
# first hundreds of gpg verifications.
say "friend-of-friend discovery (two syncs per node)..."
for _ in 1 2; do
	seq 1 "$NODES" | xargs -P 4 -I{} sh -c \
		'"$W" --home "$N/n{}" sync >/dev/null 2>&1 || true'
done
kill_agents
nsrc=$(ls -d "$N"/n*/sources/*.git | wc -l)
say "sources followed: $((nsrc / NODES)) per node on average"
# The equivocating commits, signed by node 1's key in two copies of its
# home (its own daemon never sees them).
kill_agents
for v in A B; do
	cp -a "$N/n1" "$T/eq$v"
	zone n1 2 "$([ $v = A ] && echo 101 || echo 102)" >"$T/eq$v.zone"
	"$W" --home "$T/eq$v" publish "$T/eq$v.zone" >/dev/null
	gpgconf --homedir "$T/eq$v/gnupg" --kill all 2>/dev/null || true
done
kill_agents
setup_s=$(python3 -c "import time; print('%.0f' % (time.time() - $t0))")
say "setup took ${setup_s} s; snapshot for the reference run..."
cp -a "$N" "$T/snapshot"

# serve I: start node I's daemon (liars run tests/tools/wot_liar).
serve() {
	local i=$1 log="$T/serve-$1.log" k
	if [ "${LIE[$i]}" != - ] && [ "$RUN_LIARS" = 1 ]; then
		"$LIAR" --lie "${LIE[$i]}" --home "$N/n$i" serve \
			--listen "${PORTP[$i]%:*}:0" --upstream 127.0.0.1:9 \
			--sync-interval "$SYNC" >"$log" 2>&1 &
	else
		"$W" --home "$N/n$i" serve --listen "${PORTP[$i]%:*}:0" \
			--upstream 127.0.0.1:9 --sync-interval "$SYNC" >"$log" 2>&1 &
	fi
	SPID[$i]=$!
	for k in $(seq 1 100); do
		grep -q "peer listener on" "$log" && return 0
		kill -0 "${SPID[$i]}" 2>/dev/null || break
		sleep 0.1
	done
	cat "$log" >&2
	die "n$i: serve did not start"
}

# run LABEL LIARS(0/1): one timed run; writes T/result.LABEL
run() {
	local label=$1 eq_at i
	RUN_LIARS=$2
	rm -rf "$N"
	cp -a "$T/snapshot" "$N"
	say "[$label] starting $NODES daemons..."
	for i in $(seq 1 "$NODES"); do serve "$i"; done
	local start
	start=$(date +%s.%N)
	eq_at=$((DURATION / 3))
	say "[$label] running ${DURATION} s; node 1 equivocates at +${eq_at} s"
	python3 "$T/poll.py" "$N" "$NODES" "$DURATION" "$eq_at" "$start" \
		"$T/eqA/own.git" "$T/eqB/own.git" "$N/eqA.git" "$N/eqB.git" \
		"$label" "$RUN_LIARS" >"$T/result.$label"
	stop_all
}

cat >"$T/poll.py" <<'PY'
import glob, json, os, socket, subprocess, sys, time, statistics
(n_dir, nodes, duration, eq_at, start, srcA, srcB, dstA, dstB, label,
 liars_on) = sys.argv[1:]
nodes, duration, eq_at, start = int(nodes), int(duration), int(eq_at), float(start)
plan, port = {}, {}
for line in open(os.path.join(n_dir, "plan")):
    i, pp, lie, fr = line.split()
    plan[int(i)] = lie if liars_on == "1" else "-"
    port[int(i)] = pp

fpr = {i: open(os.path.join(n_dir, "fpr.%d" % i)).read().strip()
       for i in range(1, nodes + 1)}
liar_fprs = {fpr[i] for i in plan if plan[i] != "-"}

def status(i):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(3)
    try:
        s.connect(os.path.join(n_dir, "n%d" % i, "state", "serve.sock"))
        data = b""
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
        return json.loads(data)
    except Exception:
        return {}
    finally:
        s.close()

def caught(i):
    # an equivocation of node 1 kept as evidence by node i
    for p in glob.glob(os.path.join(n_dir, "n%d" % i, "state", "evidence",
                                    "*.json")):
        try:
            d = json.load(open(p))
        except Exception:
            continue
        if any(e.get("kind") == "equivocation" for e in d.get("entries", [])):
            return True
    return False

first_status = {i: status(i) for i in range(1, nodes + 1)}
t_first = time.time()
eq_done, detect = None, {}
while time.time() - start < duration:
    now = time.time()
    if eq_done is None and now - start >= eq_at:
        subprocess.run(["git", "-C", dstA, "fetch", "-q", srcA,
                        "+main:main"], check=True)
        subprocess.run(["git", "-C", dstB, "fetch", "-q", srcB,
                        "+main:main"], check=True)
        eq_done = time.time()
    if eq_done is not None:
        for i in range(2, nodes + 1):
            if i not in detect and caught(i):
                detect[i] = time.time() - eq_done
    time.sleep(0.5)
elapsed_min = (time.time() - t_first) / 60.0
# followers of node 1 (explicit or discovered) at the end
followers = [i for i in range(2, nodes + 1)
             if os.path.isdir(os.path.join(n_dir, "n%d" % i, "sources",
                                           "n1.git"))]
docs = {i: status(i) for i in range(1, nodes + 1)}

def get(d, *path):
    for p in path:
        d = d.get(p, {}) if isinstance(d, dict) else {}
    return d if isinstance(d, (int, float)) else 0

res = {"label": label, "nodes": nodes, "liars": len(liar_fprs),
       "minutes": elapsed_min}
liar_eps = {port[i] for i in plan if plan[i] != "-"}
lies_op = false_op = eq_op = lies_nb = false_nb = wrong_wd = 0
unproven = 0
q = bytes_ = 0
for i in range(1, nodes + 1):
    d = docs[i]
    op, nb = d.get("opinions") or {}, d.get("neighbors") or {}
    if plan[i] == "-":
        # answers judged lies, by peer and record (state/opinions.json
        # keeps the last 256 checks)
        try:
            hist = json.load(open(os.path.join(
                n_dir, "n%d" % i, "state", "opinions.json"))).get("checks", [])
        except Exception:
            hist = []
        for ch in hist:
            for a in ch.get("answers", []):
                # the last attempt left it open: nothing could be fetched
                if (a.get("verdict") == "unplaced" and
                        "no proof either way" in a.get("note", "") and
                        a.get("peer") not in liar_eps):
                    unproven += 1
                if a.get("verdict") != "lie":
                    continue
                if a.get("peer") in liar_eps:
                    lies_op += 1
                elif ch.get("name", "").endswith("n1.wot."):
                    eq_op += 1
                else:
                    false_op += 1
    for key, cnt in (nb.get("tally") or {}).items():
        kind, _, subj = key.partition(":")
        if kind == "neighbor" and plan[i] == "-":
            who, _, zone = subj.partition(":")
            if who in liar_fprs:
                lies_nb += cnt
            elif zone != "n1.wot.":
                false_nb += cnt
        # node 1's records are rightly disputed after it equivocated
        if kind == "self" and plan[i] == "-" and not subj.endswith("n1.wot."):
            wrong_wd += cnt
    qs = get(nb, "questions") + get(op, "questions", "sent")
    bs = (get(nb, "bytes_out") + get(nb, "bytes_in") +
          get(op, "questions", "bytes_out") + get(op, "questions", "bytes_in"))
    q += qs
    bytes_ += bs
res.update(lies_opinion=lies_op, false_opinion=false_op, eq_opinion=eq_op,
           unproven=unproven,
           lies_neighbor=lies_nb,
           false_neighbor=false_nb, wrongly_withdrawn=wrong_wd,
           q_per_node_min=q / nodes / elapsed_min,
           bytes_per_node_min=bytes_ / nodes / elapsed_min,
           followers=len(followers),
           detected=len([i for i in detect if i in followers]),
           detect=sorted(detect.values()),
           neighbor_checks=sum(get(docs[i], "neighbors", "checks")
                               for i in docs),
           # peer messages the listeners dropped (rate limit per sender
           # address, or not a message of ours) and questions unanswered
           dropped=sum(get(docs[i], "notify", "received", "dropped")
                       for i in docs),
           unanswered=sum(get(docs[i], "neighbors", "timeouts") +
                          get(docs[i], "opinions", "questions", "timeouts")
                          for i in docs),
           self_outliers=sum(get(docs[i], "neighbors", "self_outlier")
                             for i in docs),
           running=sum(1 for i in docs if docs[i]))
print(json.dumps(res))
PY

run sim 1
if [ "$REFERENCE" = 1 ]; then run reference 0; fi

python3 - "$T" "$REFERENCE" "$NODES" "$LIARS" "$DURATION" "$setup_s" <<'PY'
import json, statistics, sys
t, ref, nodes, liars, duration, setup = sys.argv[1:]
runs = [json.load(open(t + "/result.sim"))]
if ref == "1":
    runs.append(json.load(open(t + "/result.reference")))
def det(r, f):
    d = r["detect"]
    if not d:
        return "-"
    return "%.1f" % {"first": d[0], "median": statistics.median(d),
                     "last": d[-1]}[f]
rows = [
    ("daemons running at the end", lambda r: "%d/%d" % (r["running"], r["nodes"])),
    ("lying peers", lambda r: str(r["liars"])),
    ("lies caught by second opinions (answers of liars)",
     lambda r: str(r["lies_opinion"])),
    ("  honest answers judged lies, n1's records (equivocation)",
     lambda r: str(r["eq_opinion"])),
    ("  honest answers judged lies, other records",
     lambda r: str(r["false_opinion"])),
    ("  honest answers left unplaced (nothing fetched, no weight change)",
     lambda r: str(r.get("unproven", "-"))),
    ("liars reported by neighbor majority", lambda r: str(r["lies_neighbor"])),
    ("honest peers reported as outliers", lambda r: str(r["false_neighbor"])),
    ("honest records wrongly withdrawn", lambda r: str(r["wrongly_withdrawn"])),
    ("neighbor checks (all nodes)", lambda r: str(r["neighbor_checks"])),
    ("peer messages dropped by rate limits (all nodes)",
     lambda r: str(r.get("dropped", "-"))),
    ("questions unanswered (timeouts, all nodes)",
     lambda r: str(r.get("unanswered", "-"))),
    ("equivocation caught by followers of n1",
     lambda r: "%d/%d" % (r["detected"], r["followers"])),
    ("  first detection, s", lambda r: det(r, "first")),
    ("  median detection, s", lambda r: det(r, "median")),
    ("  last detection, s", lambda r: det(r, "last")),
    ("questions per node per minute", lambda r: "%.1f" % r["q_per_node_min"]),
    ("bytes per node per minute", lambda r: "%.0f" % r["bytes_per_node_min"]),
]
print("nodes %s, liars %s, %s s per run, setup %s s" % (nodes, liars,
                                                        duration, setup))
hdr = "| measure | with liars |" + (" no liars (reference) | ratio |" if len(runs) > 1 else "")
print(hdr)
print("|---|---|" + ("---|---|" if len(runs) > 1 else ""))
for name, f in rows:
    cells = [f(r) for r in runs]
    line = "| %s | %s |" % (name, cells[0])
    if len(runs) > 1:
        try:
            a, b = float(cells[0].split("/")[0]), float(cells[1].split("/")[0])
            ratio = "%.2f" % (a / b) if b else "-"
        except ValueError:
            ratio = "-"
        line += " %s | %s |" % (cells[1], ratio)
    print(line)
PY

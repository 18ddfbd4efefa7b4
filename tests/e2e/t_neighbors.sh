#!/usr/bin/env bash
# Issue 7, neighbor majority: six daemons that all follow each other ask
# their neighbors about sampled records every second. frank's copy of
# alice's zone comes from a rewritten history (another commit signed by
# alice's key, served at another URL): the others agree with each other
# and not with him, so frank withdraws the record, re-syncs alice and
# reports himself as the outlier. erin lies in every opinion: the others
# report her as the outlier and lower her weight in state/peers.json.
# Second opinions are off ([opinion] k = 0) so only the majority acts.
. "$(dirname "$0")/lib.sh"

NOUP=127.0.0.1:9 # no upstream: only overlay names are asked here
NODES="alice bob carol dave erin frank"
soa() { echo "@ IN SOA ns.$1.wot. h.$1.wot. $2 3600 600 86400 60"; }

# Free UDP ports for the peer listeners, announced before the daemons run.
read -r -a PP < <(python3 -c '
import socket
s = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(6)]
for x in s: x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))')
k=0
for n in $NODES; do
	peer "$n"
	eval "PP_$n=${PP[$k]}"
	k=$((k + 1))
	# 6 neighbors at most: with N=15, M=10 the scaled majority is
	# ceil(10 * 5 / 15) = 4 of the 5 others.
	cat >>"$T/$n/config" <<EOF

[peer]
listen = 127.0.0.1:$(eval echo "\$PP_$n")
endpoint = 127.0.0.1:$(eval echo "\$PP_$n")

[opinion]
k = 0
neighbors = 15
majority = 10
neighbor-interval = 1
neighbor-sample = 8

[discovery]
auto = off
EOF
	zone "$T/$n.zone" "$n.wot." "$(soa "$n" 1)" "www IN A 192.0.2.$k"
	wd "$n" publish "$T/$n.zone" >/dev/null || exit 1
done

# alice's rewritten history: a copy of her home publishes another
# address; frank follows that copy's repository as "alice".
cp -a "$T/alice" "$T/evil"
gpgconf --homedir "$T/alice/gnupg" --kill all 2>/dev/null
zone "$T/evil.zone" alice.wot. "$(soa alice 2)" "www IN A 203.0.113.66"
wd evil publish "$T/evil.zone" >/dev/null || exit 1
gpgconf --homedir "$T/evil/gnupg" --kill all 2>/dev/null

# Each node's follows, certifications and sync write only its own home
# (the repositories they read are published by now): the nodes set up at
# once, as six people would.
SETUP=()
for n in $NODES; do
	(
		for m in $NODES; do
			[ "$n" = "$m" ] && continue
			url=$(repo "$m")
			[ "$n" = frank ] && [ "$m" = alice ] && url=$(repo evil)
			wd "$n" follow "$url" --name "$m" >/dev/null 2>&1 ||
				{ echo "$n follow $m failed"; exit 1; }
			wd "$n" sign-friend "$(eval echo "\$FPR_$m")" --trust full \
				>/dev/null || exit 1
		done
		wd "$n" sync >/dev/null 2>&1
		exit 0
	) &
	SETUP+=($!)
done
for p in "${SETUP[@]}"; do wait "$p" || exit 1; done

for n in $NODES; do
	if [ "$n" = erin ]; then
		W="$LIAR" start_serve "$n" --upstream "$NOUP" \
			--sync-interval 0
	else
		start_serve "$n" --upstream "$NOUP" --sync-interval 0
	fi
	eval "PORT_$n=$PORT"
done

# status_json NAME: the daemon's counters document (control socket).
status_json() {
	python3 - "$T/$1/state/serve.sock" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(3)
s.connect(sys.argv[1])
d = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    d += b
print(d.decode())
PY
}
# has_report NAME KIND [WHO]: NAME's daemon reports KIND (about WHO).
has_report() {
	status_json "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin).get("neighbors", {})
kind, who = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None
sys.exit(0 if any(r["kind"] == kind and (who is None or r["who"] == who)
                  for r in d.get("reports", [])) else 1)' "$2" ${3:+"$3"}
}
# frank answers, and with no address: a timed-out query (a loaded
# machine) is neither a pass nor the end of the wait.
frank_withdrawn() {
	local out
	PORT=$PORT_frank
	out=$(qfull www.alice.wot A +noall +comments +answer)
	echo "$out" | grep -Eq 'status: (NOERROR|NXDOMAIN)' &&
		echo "$out" | grep -q 'ANSWER: 0,' &&
		! echo "$out" | grep -q '203\.0\.113\.66'
}

PORT=$PORT_frank
# What frank accepts (his first neighbor round may already have withdrawn
# it from what he serves by now).
expect_match "frank accepts the rewritten record" \
	"$(wd frank resolve www.alice.wot A 2>&1)" "203\.0\.113\.66"
wait_for "frank finds himself the outlier on www.alice.wot" 40 \
	has_report frank self
wait_for "... and stops serving the record" 20 frank_withdrawn
expect_match "... which his accepted set still holds (withdrawn, not lost)" \
	"$(wd frank resolve www.alice.wot A 2>&1)" "203\.0\.113\.66"
PORT=$PORT_bob
expect_eq "bob still serves alice's record" "$(q www.alice.wot A)" \
	"192.0.2.1"
# Why he stopped: the record withdrawn, or (when a peer's answer already
# proved alice's key signed both histories) alice suspended as an
# equivocation, which takes her records out as well.
frank_says_why() {
	status_json frank | grep -q '"name": "www.alice.wot."' ||
		wd frank evidence alice 2>/dev/null | grep -q "alice: SUSPENDED"
}
wait_for "frank's status shows why: the withdrawn record or the proof" 10 \
	frank_says_why
expect_match "frank re-synced alice" "$(status_json frank)" \
	'"resyncs": [1-9]'
wait_for "bob reports erin, the lying neighbor" 30 has_report bob neighbor \
	"$FPR_erin"
weight=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
p = d.get("peers", [])
items = p if isinstance(p, list) else [dict(v, fpr=k) for k, v in p.items()]
print(min([e.get("weight", 1) for e in items if e.get("fpr") == sys.argv[2]]
          or [1]))' "$T/bob/state/peers.json" "$FPR_erin" 2>/dev/null)
expect_match "erin's weight at bob is below 1" "${weight:-1}" '^0\.[0-9]+'
if has_report bob neighbor "$FPR_dave"; then
	fail "an honest neighbor (dave) was reported"
else pass "no honest neighbor reported by bob"; fi
out=$(wd bob status 2>&1)
expect_match "wotdns status shows the neighbor checks" "$out" \
	"neighbors: .*checks"
expect_match "... with their weighted votes" "$out" \
	"needed; votes [0-9]+\.[0-9] with us, [0-9]+\.[0-9] against\)"
finish

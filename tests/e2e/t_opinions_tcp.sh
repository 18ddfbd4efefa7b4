#!/usr/bin/env bash
# Issue 7, the asker's edges (docs/peer-protocol.md): an opinion too big
# for UDP comes back truncated and is asked again over TCP, then judged
# like any other; a peer that does not answer is replaced by another; a
# hostile TCP answer (oversized, another id) is refused; and a claimed
# commit nobody can provide is weighed against the heads other peers hold
# (the head question) before anyone is called a liar.
. "$(dirname "$0")/lib.sh"

NOUP=127.0.0.1:9 # no upstream: only overlay names are asked here

peer alice
soa='@ IN SOA ns.alice.wot. h.alice.wot. 1 3600 600 86400 60'
zone "$T/alice.zone" alice.wot. "$soa" "www IN A 192.0.2.10"
wd alice publish "$T/alice.zone" >/dev/null || exit 1

reload() {
	wd "$1" sync >/dev/null 2>&1
	kill -HUP "$(eval echo "\$PID_$1")"
}

# A port nobody answers on (bound, then closed): dave's endpoint.
SILENT=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# bob follows alice through a copy of her repository that is updated by
# hand: he can be kept from her newest commit. carol and dave follow her
# directly and announce no source URLs (share-sources = no), so nobody can
# hand bob what the copy lacks.
git clone -q --mirror "$(repo alice)" "$T/alicecopy.git" || exit 1
for n in bob carol dave; do
	peer "$n"
	url=$(repo alice)
	[ "$n" = bob ] && url=$T/alicecopy.git
	wd "$n" follow "$url" --name alice >/dev/null 2>&1 || exit 1
	wd "$n" sign-friend "$FPR_alice" --trust full >/dev/null || exit 1
	printf '\n[opinion]\nk = 1\ntimeout = 1000\nunplaced-wait = 500\n' \
		>>"$T/$n/config"
	printf '\n[peer]\nshare-sources = no\n' >>"$T/$n/config"
done
serve_peer carol
printf '\n[peer]\nendpoint = 127.0.0.1:%s\n' "$SILENT" >>"$T/dave/config"
for n in carol dave; do
	zone "$T/$n.zone" "$n.wot." "@ IN A 192.0.2.2"
	wd "$n" publish "$T/$n.zone" >/dev/null || exit 1
	wd bob follow "$(repo "$n")" --name "$n" >/dev/null 2>&1 || exit 1
done
wd bob sync >/dev/null 2>&1
# bob asks one peer per change: dave first (weight 1 against 0), who never
# answers, so carol is asked after the timeout.
cat >"$T/bob/state/peers.json" <<EOF
{"version": 1, "peers": [
 {"endpoint": "127.0.0.1:$SILENT", "weight": 1},
 {"endpoint": "127.0.0.1:$PEER_carol", "weight": 0}]}
EOF
serve_peer bob
reload carol
sleep 1

# ---- a big RRset: truncated over UDP, whole over TCP -----------------------
big=()
for i in 1 2 3 4 5 6 7 8; do
	big+=("big IN TXT \"$i$(printf 'x%.0s' $(seq 1 200))\"")
done
zone "$T/alice.zone" alice.wot. "$soa" "www IN A 192.0.2.10" "${big[@]}"
wd alice publish "$T/alice.zone" >/dev/null || exit 1
git -C "$T/alicecopy.git" fetch -q || exit 1
reload carol
wait_for "carol accepts the big RRset" 10 \
	sh -c "dig +tcp +short @127.0.0.1 -p $PORT_carol big.alice.wot TXT | grep -c x | grep -qx 8"
out=$(dig +time=2 +tries=1 +ignore +bufsize=1232 @127.0.0.1 -p "$PEER_carol" big.alice.wot TXT)
expect_match "over UDP carol's opinion on it is truncated" "$out" "flags: qr[a-z ]* tc"
out=$(wd bob opinions --ask "127.0.0.1:$PEER_carol" big.alice.wot TXT)
expect_eq "opinions --ask gets it whole over TCP (8 records)" \
	"$(printf '%s\n' "$out" | grep -c '"[0-9]xxx')" 8
expect_match "... with its provenance" "$out" "^source $FPR_alice name alice commit [0-9a-f]{40}"
expect_match "... then the head question about its source" "$out" "^head [0-9a-f]{40} time [0-9]+"
expect_match "... both placed against bob's own head of alice (not synced yet)" \
	"$out" "^here \(alice\): commit unknown, head unknown"

reload bob
wait_for "bob checks the big RRset: dave times out, carol agrees over TCP" 15 \
	sh -c "'$W' --home '$T/bob' opinions big.alice.wot TXT | grep -q '127.0.0.1:$PEER_carol  *agree'"
out=$(wd bob opinions big.alice.wot TXT)
printf '%s\n' "$out" | sed 's/^/# /'
expect_match "... after asking dave, who timed out (the retry to another peer)" \
	"$out" "127.0.0.1:$SILENT  *timeout"
expect_eq "... dave first, then carol" \
	"$(printf '%s\n' "$out" | grep -o '127.0.0.1:[0-9]*' | tr '\n' ' ')" \
	"127.0.0.1:$SILENT 127.0.0.1:$PEER_carol "
expect_match "once bob synced, carol's commit and head are his" \
	"$(wd bob opinions --ask "127.0.0.1:$PEER_carol" big.alice.wot TXT)" \
	"^here \(alice\): commit same, head same"
out=$(wd bob status 2>&1)
expect_match "bob's status counts the question asked again over TCP" \
	"$out" "again over tcp [1-9][0-9]* \(failed 0\)"

# ---- hostile TCP answers ----------------------------------------------------
# A fake peer: over UDP a truncated echo of the question; over TCP a frame
# of 65535 bytes (mode huge), or a whole answer with another id (wrongid).
cat >"$T/hostile.py" <<'EOF'
import socket, struct, sys, threading
mode = sys.argv[1]
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
port = u.getsockname()[1]
t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(("127.0.0.1", port)); t.listen(4)
print(port, flush=True)
def reply(q, tc):
    flags = 0x8000 | (0x0200 if tc else 0)
    end = 12
    while q[end]: end += 1 + q[end]
    return q[:2] + struct.pack(">HHHHH", flags, 1, 0, 0, 0) + q[12:end + 5]
def udp():
    while True:
        q, a = u.recvfrom(2048)
        u.sendto(reply(q, True), a)
def tcp(c):
    q = c.recv(2048)[2:]
    if mode == "huge":
        c.sendall(b"\xff\xff" + b"A" * 4000)
    else:
        r = reply(q, False); r = bytes([r[0] ^ 0x55]) + r[1:]
        c.sendall(struct.pack(">H", len(r)) + r)
    try: c.recv(1)
    except OSError: pass
threading.Thread(target=udp, daemon=True).start()
while True:
    c, _ = t.accept()
    threading.Thread(target=tcp, args=(c,), daemon=True).start()
EOF
for mode in huge wrongid; do
	python3 "$T/hostile.py" "$mode" >"$T/hostile-$mode.port" &
	PIDS+=($!)
	hp=$!
	for _ in $(seq 1 50); do [ -s "$T/hostile-$mode.port" ] && break; sleep 0.1; done
	t0=$(date +%s%N)
	out=$(wd bob opinions --ask "127.0.0.1:$(cat "$T/hostile-$mode.port")" big.alice.wot TXT 2>&1)
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	expect_eq "a TCP answer that is $mode is refused: exit 1" "$rc" 1
	expect_match "... and reported as truncated" "$out" "^error: truncated"
	[ "$ms" -lt 3000 ] && pass "... within the timeout ($ms ms)" ||
		fail "... within the timeout ($ms ms)"
	stop_pid "$hp"
done

# ---- a claim nobody can provide, weighed with the head question ----------
# alice publishes .11 (the copy gets it) and then .12 (it does not). carol
# and dave hold .12; bob accepts .11 and asks one of them, who claims a
# commit bob can get from nowhere. Before calling that a lie bob asks the
# other one which head it holds for alice: the same commit. So the commit
# is out there and bob is the one behind: "ahead", no weight lost.
zone "$T/alice.zone" alice.wot. "$soa" "www IN A 192.0.2.11" "${big[@]}"
wd alice publish "$T/alice.zone" >/dev/null || exit 1
git -C "$T/alicecopy.git" fetch -q || exit 1
zone "$T/alice.zone" alice.wot. "$soa" "www IN A 192.0.2.12" "${big[@]}"
wd alice publish "$T/alice.zone" >/dev/null || exit 1
C3=$(git -C "$(repo alice)" rev-parse HEAD)
wd dave sync >/dev/null 2>&1
start_serve dave --upstream "$NOUP" --sync-interval 0 \
	--peer-listen "127.0.0.1:$SILENT"
PID_dave=$SERVE_PID
PEER_dave=$SILENT
reload carol
wait_for "carol and dave hold alice's newest commit" 10 \
	sh -c "'$W' --home '$T/bob' opinions --ask 127.0.0.1:$PEER_carol --head $FPR_alice | grep -q 'commit $C3' &&
		'$W' --home '$T/bob' opinions --ask 127.0.0.1:$PEER_dave --head $FPR_alice | grep -q 'commit $C3'"
out=$(wd bob opinions --ask "127.0.0.1:$PEER_carol" www.alice.wot A)
expect_match "opinions --ask: carol's head is her commit" "$out" "^head $C3 time [0-9]+"
expect_match "... both unknown to bob" "$out" "^here \(alice\): commit unknown, head unknown"
reload bob
wait_for "bob serves .11, the newest his copy has" 10 \
	sh -c "[ \"\$(dig +short +time=1 +tries=1 @127.0.0.1 -p $PORT_bob www.alice.wot A)\" = 192.0.2.11 ]"
wait_for "bob's check settles: the claim is 'ahead', not a lie" 40 \
	sh -c "'$W' --home '$T/bob' opinions www.alice.wot A | grep -q ' ahead .*we are behind'"
out=$(wd bob opinions www.alice.wot A)
printf '%s\n' "$out" | sed 's/^/# /'
expect_match "... first 'unplaced' while it was looked for" "$out" " unplaced "
expect_match "... the other peer's head, asked with the head question, is that commit" \
	"$out" "head of alice: ${C3:0:12} \(via (carol|dave)\)"
claimant=$(printf '%s\n' "$out" | sed -n 's/^  \(127[0-9.:]*\)  *ahead .*/\1/p' | tail -n 1)
w=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print([p['weight'] for p in d['peers'] if p['endpoint']==sys.argv[2]][0])" \
	"$T/bob/state/peers.json" "$claimant" 2>/dev/null)
# Its weight while the claim was unplaced against its weight now: 'ahead'
# adds 0.05 as an agreement does, a lie would have halved it.
w0=$(printf '%s\n' "$out" | sed -n "s/^  ${claimant//./\\.}  *unplaced .*weight \([0-9.]*\)).*/\1/p" | head -n 1)
if python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) >= float(sys.argv[2]) > 0 else 1)" \
	"${w:-0}" "${w0:-0}" 2>/dev/null; then
	pass "the claimant $claimant kept its weight ($w0 then $w)"
else
	fail "the claimant $claimant kept its weight: '$w0' while unplaced, now '$w'"
fi
if grep -q "opinion on www.alice.wot.*: lie" "$T/serve-bob.log"; then
	fail "bob's log warns of no lie"
else
	pass "bob's log warns of no lie"
fi
expect_match "bob's status counts the head question" "$(wd bob status 2>&1)" \
	"head questions [1-9][0-9]*, answered [1-9]"

stop_peers bob carol dave
expect_clean_logs bob carol dave
finish

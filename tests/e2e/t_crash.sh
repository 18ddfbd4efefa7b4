#!/usr/bin/env bash
# Issue 6: a crash or `kill -9` during a sync leaves the previous verified
# state serving. Alice publishes generation after generation; bob's sync
# is killed at a random point of each (fetch, verification, key import,
# recompute). After every kill a fresh resolver answers with one whole
# generation that bob had verified (the newest one if the recompute
# finished, else an older one: several killed syncs in a row may each
# move the verified head without the records following), never nothing;
# and the next sync succeeds despite whatever the killed one left behind.
. "$(dirname "$0")/lib.sh"

N=${WOT_CRASH_ROUNDS:-12}
peer alice
peer bob
# gen G: alice's zone at generation G, with enough records (8000) that a
# sync takes a moment; it ends with `publish`. Sets OID_G.
gen() {
	{
		echo "\$ORIGIN alice.wot."
		echo "\$TTL 300"
		echo "@ IN A 192.0.2.1"
		echo "v IN TXT \"gen$1\""
		seq 1 8000 | awk -v g="$1" \
			'{ printf "h%d IN A 10.%d.%d.%d\n", $1, g % 250, $1 / 256, $1 % 256 }'
	} >"$T/alice.zone"
	eval "OID_$1=$(wd alice publish "$T/alice.zone")"
}
gen 0
wd bob follow "$(repo alice)" --name alice >/dev/null 2>&1
wd bob sign-friend "$FPR_alice" --trust full >/dev/null
start=$(date +%s%N)
wd bob sync >/dev/null 2>&1 || fail "first sync"
FULL_MS=$((($(date +%s%N) - start) / 1000000))
echo "# one full sync takes $FULL_MS ms; kills land in 0..$((FULL_MS + 100)) ms"

verified() {
	git --git-dir="$T/bob/sources/alice.git" rev-parse refs/wotdns/verified
}
# generation of commit OID (or "?")
gen_of() {
	local g v
	for g in $(seq 0 "$N"); do
		v=OID_$g
		[ "${!v:-}" = "$1" ] && { echo "$g"; return; }
	done
	echo "?"
}
# served: the generation a fresh resolver answers for v.alice.wot, by DNS.
served() {
	start_serve bob --sync-interval 0 --no-upstream
	q v.alice.wot TXT | tr -d '"' | sed 's/^gen//'
	stop_serve
}

bad=0
EVER=" 0 " # generations seen as bob's verified head
for i in $(seq 1 "$N"); do
	before=$(gen_of "$(verified)")
	gen "$i"
	ms=$((RANDOM % (FULL_MS + 100)))
	"$W" --home "$T/bob" sync >/dev/null 2>&1 &
	pid=$!
	sleep "$(printf '0.%03d' "$ms")"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	after=$(gen_of "$(verified)")
	s=$(served)
	echo "# round $i: killed at $ms ms; verified gen$before -> gen$after; serving gen$s"
	EVER="$EVER$after "
	# Never nothing, never a generation bob had not verified, never one
	# newer than the verified head; the head itself moved to the new
	# generation or stayed.
	if [ -z "$s" ] || [ "$after" = "?" ] ||
		{ [ "$after" != "$before" ] && [ "$after" != "$i" ]; } ||
		[ "${EVER#* $s }" = "$EVER" ] || [ "$s" -gt "$after" ]; then
		bad=$((bad + 1))
		fail "round $i: verified gen$before -> gen$after, serving '$s'"
	fi
	# The whole record set of that generation, not a torn one.
	n=$(grep -c "^h[0-9]*\.alice\.wot\..*IN	A	10\.$((s % 250))\." \
		< <(accepted_zone "$T/bob"))
	[ "$n" = 8000 ] || { bad=$((bad + 1)); fail "round $i: $n records of gen$s"; }
done
expect_eq "after $N kills: always one whole verified generation served" "$bad" "0"

# The narrowest windows, planted: a kill between taking a lock file and
# renaming it leaves a stale lock that would block the ref forever; a
# kill mid-write leaves a temporary file.
M="$T/bob/sources/alice.git"
DEAD=$(sh -c 'echo $$')
touch "$M/refs/wotdns/verified.lock" "$M/refs/wotdns/fetched/main.lock" \
	"$M/objects/pack/pack_git2_0123456789abcdef" \
	"$T/bob/state/accepted/manifest.tmp.$DEAD" "$T/bob/state/accepted/07b-1.zone"
out=$(wd bob sync 2>&1)
expect_eq "the next sync succeeds" "$?" "0"
for f in refs/wotdns/verified.lock refs/wotdns/fetched/main.lock \
	objects/pack/pack_git2_0123456789abcdef; do
	expect_match "stale $f removed, and said" "$out" \
		"alice: removed $f, left by an interrupted sync"
done
expect_match "stale state temporary file removed, and said" "$out" \
	"home: removed state/accepted/manifest.tmp.$DEAD, left by an interrupted sync"
expect_match "shard file no manifest names removed, and said" "$out" \
	"home: removed state/accepted/07b-1.zone, left by an interrupted sync"
expect_match "it says nothing failed" "$out" "sources: 2 ok, 0 failed"
# A kill between a first verified head and its pin reaching sources.conf
# (as after a first sync of a hand-added source): the head pins again.
sed -i '/^key = /d' "$T/bob/sources.conf"
out=$(wd bob sync 2>&1)
expect_match "unpinned verified head: the sync succeeds" "$out" \
	"sources: 2 ok, 0 failed"
expect_match "unpinned verified head: pinned again to the head's signer" \
	"$(cat "$T/bob/sources.conf")" "key = $FPR_alice"
expect_eq "it reaches the latest generation" "$(gen_of "$(verified)")" "$N"
expect_eq "served: the latest generation" "$(served)" "$N"
expect_eq "no lock file is left in the mirror" \
	"$(find "$T/bob/sources" -name '*.lock' | wc -l)" "0"
expect_eq "no partial pack is left in the mirror" \
	"$(find "$M/objects/pack" -name 'pack_git2_*' | wc -l)" "0"
expect_eq "no temporary file is left in state/" \
	"$(find "$T/bob/state" -name '*.tmp.*' | wc -l)" "0"
finish

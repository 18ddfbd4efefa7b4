#!/usr/bin/env bash
# Issue 13, item 3: the same limits hold in publish, sync and the loader.
# A friend's hand-made commit over a limit (70,000 A records at one name;
# two files of 60,000 records; a 128 MB commit message) is refused at sync
# with the limit named, in `sync` and `status`, while the last good state
# keeps answering dig; publish refuses the same zones; the huge message
# is judged from its object header, so the sync stays small in memory.
# A corrupted or oversized shard in state/accepted/ stops neither a start
# nor a reload, and the daemon's status lists it.
. "$(dirname "$0")/lib.sh"

peer alice
peer bob
zone "$T/alice.zone" alice.wot. "@ IN A 192.0.2.1"
wd alice publish "$T/alice.zone" >/dev/null
zone "$T/bob.zone" bob.wot. "@ IN A 192.0.2.2"
wd bob publish "$T/bob.zone" >/dev/null
# Alice's repository over git:// from a git daemon on loopback, as from a
# server: with a local path libgit2 would pack her history in bob's own
# process, inflating every object as her server would.
for i in $(seq 1 20); do
	GPORT=$((20000 + RANDOM % 40000))
	git daemon --listen=127.0.0.1 --port="$GPORT" --base-path="$T" \
		--export-all --reuseaddr "$T" 2>/dev/null &
	GPID=$!
	PIDS+=("$GPID")
	sleep 0.3
	git ls-remote "git://127.0.0.1:$GPORT/alice/own.git" >/dev/null 2>&1 &&
		break
	stop_pid "$GPID"
done
trusted_source bob alice "git://127.0.0.1:$GPORT/alice/own.git"
ALICE=$(repo alice)
GOOD=$(git --git-dir="$ALICE" rev-parse main)
start_serve bob --sync-interval 0 --no-upstream
expect_eq "before: alice.wot served" "$(q alice.wot A)" "192.0.2.1"

# big NAME N ORIGIN: N A records at NAME (a zone file on stdout).
big() {
	echo "\$ORIGIN $3"
	echo "\$TTL 300"
	awk -v n="$2" -v name="$1" 'BEGIN { for (i = 0; i < n; i++)
		printf "%s IN A 10.%d.%d.%d\n", name, i / 65536 % 256,
			i / 256 % 256, i % 256 }'
}
# push_zones MSGFILE FILE...: alice's own signed commit, made by hand with
# git (publish would refuse it), with FILE... as her zones/.
push_zones() {
	local msg=$1 f c
	shift
	rm -rf "$T/wa"
	git clone -q "$ALICE" "$T/wa"
	git -C "$T/wa" rm -q -r zones
	mkdir -p "$T/wa/zones"
	for f in "$@"; do cp "$f" "$T/wa/zones/"; done
	git -C "$T/wa" add -A
	c=$(GNUPGHOME="$T/alice/gnupg" git -C "$T/wa" commit-tree \
		-S"$FPR_alice" -p HEAD -F "$msg" "$(git -C "$T/wa" write-tree)") ||
		fail "could not sign"
	git -C "$T/wa" push -q origin "$c:refs/heads/main"
}
verified() { git --git-dir="$T/bob/sources/alice.git" rev-parse refs/wotdns/verified; }
echo "limits" >"$T/msg"

# refused WHAT REGEX: bob's sync refuses alice's head with REGEX, in sync
# and status; the verified head stays; dig still gets the old address,
# after a reload too; then alice's repository is put back.
refused() {
	local out rc
	out=$(wd bob sync 2>&1)
	rc=$?
	expect_eq "$1: sync exits 1" "$rc" "1"
	expect_match "$1: sync names the limit" "$out" "alice: FAILED: $2"
	expect_match "$1: status names the limit" "$(wd bob status)" \
		"last error: $2"
	expect_eq "$1: verified head unchanged" "$(verified)" "$GOOD"
	expect_eq "$1: dig still gets the last good record" \
		"$(q alice.wot A)" "192.0.2.1"
	kill -HUP "$SERVE_PID"
	sleep 0.5
	expect_eq "$1: and after a reload" "$(q alice.wot A)" "192.0.2.1"
	git --git-dir="$ALICE" update-ref refs/heads/main "$GOOD"
}

# 70,000 A records at one name (the wire and the table hold far fewer).
big www 70000 alice.wot. >"$T/rrset.zone"
out=$(wd alice publish "$T/rrset.zone" 2>&1)
expect_eq "publish of 70,000 records at one name exits 1" "$?" "1"
expect_match "publish names the rrset limit" "$out" \
	"rrset.zone: more than 1000 records in the RRset www.alice.wot. A \(\[limits\] rrset\)"
push_zones "$T/msg" "$T/rrset.zone"
refused rrset \
	"zones/rrset.zone: more than 1000 records in the RRset www.alice.wot. A \(\[limits\] rrset\)"

# The records of one name, whatever their types.
{
	echo "\$ORIGIN alice.wot."
	echo "\$TTL 300"
	awk 'BEGIN { for (i = 0; i < 700; i++)
		printf "x IN A 10.0.%d.%d\nx IN AAAA 2001:db8::%x\nx IN TXT \"%d\"\n",
			i / 256, i % 256, i, i }'
} >"$T/name.zone"
out=$(wd alice publish "$T/name.zone" 2>&1)
expect_match "publish names the name-records limit" "$out" \
	"name.zone: more than 2000 records at x.alice.wot. \(\[limits\] name-records\)"
push_zones "$T/msg" "$T/name.zone"
refused name-records \
	"zones/name.zone: more than 2000 records at x.alice.wot. \(\[limits\] name-records\)"

# Two files of 60,000 records each: within the per-file limit, over the
# source's.
for f in s1 s2; do
	{
		echo "\$ORIGIN $f.alice.wot."
		echo "\$TTL 300"
		awk 'BEGIN { for (i = 0; i < 60000; i++)
			printf "n%d IN A 192.0.2.1\n", i }'
	} >"$T/$f.zone"
done
out=$(wd alice publish "$T/s1.zone" "$T/s2.zone" 2>&1)
expect_eq "publish of 120,000 records in two files exits 1" "$?" "1"
expect_match "publish names the source-records limit" "$out" \
	"s2.zone: more than 100000 records in the source's zones \(\[limits\] source-records\)"
push_zones "$T/msg" "$T/s1.zone" "$T/s2.zone"
refused source-records \
	"zones/s2.zone: more than 100000 records in the source's zones \(\[limits\] source-records\)"

# A 128 MB commit message packs to a few hundred KB: judged from the
# object header, it costs the follower no memory (it took 2.4 GB for an
# 800 MB message).
head -c $((128 << 20)) /dev/zero | tr '\0' m >"$T/huge.msg"
push_zones "$T/huge.msg" "$T/alice.zone"
rm -f "$T/huge.msg"
/usr/bin/time -v -o "$T/time" "$W" --home "$T/bob" sync >"$T/out" 2>&1
rc=$?
expect_eq "huge commit: sync exits 1" "$rc" "1"
expect_match "huge commit: refused from its header" "$(cat "$T/out")" \
	"alice: FAILED: commit [0-9a-f]{12}: 1310[0-9]{2} KB, over the limit of 64 KB \(\[limits\] commit-size\)"
RSS=$(awk -F': ' '/Maximum resident/ { print $2 }' "$T/time")
echo "# peak RSS of the sync: $RSS KB"
expect_eq "huge commit: sync peak RSS under 64 MB" "$((RSS < 65536))" "1"
expect_eq "huge commit: verified head unchanged" "$(verified)" "$GOOD"
expect_eq "huge commit: old record served" "$(q alice.wot A)" "192.0.2.1"
git --git-dir="$ALICE" update-ref refs/heads/main "$GOOD"
out=$(wd alice publish -m "$(head -c 70000 /dev/zero | tr '\0' m)" \
	"$T/alice.zone" 2>&1)
expect_match "publish refuses a message over commit-size" "$out" \
	"over the limit of 64 KB \(\[limits\] commit-size\)"

# Within the limits, an update goes through and is served.
zone "$T/alice.zone" alice.wot. "@ IN A 192.0.2.1" "www IN A 192.0.2.80"
wd alice publish "$T/alice.zone" >/dev/null
GOOD=$(git --git-dir="$ALICE" rev-parse main)
out=$(wd bob sync 2>&1)
expect_match "within the limits: sync ok" "$out" "sources: 2 ok, 0 failed"
kill -HUP "$SERVE_PID"
wait_for "within the limits: served" 5 \
	test "$(q www.alice.wot A)" = "192.0.2.80"
expect_eq "no load error in status" \
	"$(wd bob status | grep -c 'load error')" "0"

# A bad shard: a reload of a new generation whose alice shard the table
# refuses (an RRset too large, what the issue's 70,000 records became)
# keeps the shard's last part serving, serves the rest, and says so.
ACC="$T/bob/state/accepted"
GEN=$(accepted_gen bob)
NEW=$((GEN + 1))
SH=$(awk '$1 == "shard" && $NF == "alice" { print $2 }' "$ACC/manifest")
{
	echo "; wotdns accepted records, shard $SH (generated)"
	big alice.wot. 6000 alice.wot.
} >"$ACC/$SH-$NEW.zone"
awk -v g="$GEN" -v n="$NEW" -v sh="$SH" '
	$1 == "gen" { $2 = n }
	$1 == "shard" && $2 == sh { $3 = n; $4 = "0000000000000000000000000000000000000000" }
	{ print }' "$ACC/manifest" >"$ACC/manifest.new"
mv "$ACC/manifest.new" "$ACC/manifest"
kill -HUP "$SERVE_PID"
sleep 0.5
expect_eq "bad shard on reload: daemon runs" \
	"$(kill -0 "$SERVE_PID" 2>/dev/null && echo up || echo down)" "up"
expect_eq "bad shard on reload: its last part keeps serving" \
	"$(q www.alice.wot A)" "192.0.2.80"
expect_eq "bad shard on reload: other shards served" "$(q bob.wot A)" \
	"192.0.2.2"
expect_match "bad shard on reload: status lists it" "$(wd bob status)" \
	"load error: shard $SH skipped: .*$SH-$NEW.zone:[0-9]+: RRset of more than 5000 records"

# A start with a corrupted shard (garbage) starts and serves the rest.
stop_serve
printf 'alice.wot. 300 IN A 192.0.2.1\n((( garbage\n' >"$ACC/$SH-$NEW.zone"
start_serve bob --sync-interval 0 --no-upstream
expect_eq "corrupt shard at start: other shards served" "$(q bob.wot A)" \
	"192.0.2.2"
expect_match "corrupt shard at start: status lists it" "$(wd bob status)" \
	"load error: shard $SH skipped: .*$SH-$NEW.zone:2: "
# ... and an oversized one (sparse: no disk used).
stop_serve
truncate -s 600M "$ACC/$SH-$NEW.zone"
start_serve bob --sync-interval 0 --no-upstream
expect_eq "oversized shard at start: other shards served" \
	"$(q bob.wot A)" "192.0.2.2"
expect_match "oversized shard at start: status lists it" \
	"$(wd bob status)" \
	"load error: shard $SH skipped: .*: 600 MiB, over the 512 MiB any shard may hold"
# The next sync writes the shard again: served, no error left.
touch "$T/bob/gnupg/trustdb.gpg" # a full recompute
wd bob sync >/dev/null 2>&1
kill -HUP "$SERVE_PID"
wait_for "after a sync rewrote it: served again" 5 \
	test "$(q www.alice.wot A)" = "192.0.2.80"
expect_eq "after a sync rewrote it: no load error" \
	"$(wd bob status | grep -c 'load error')" "0"
finish

#!/usr/bin/env bash
# Issue 6, freeze: a source whose signed head is older than the refresh
# promise in its peer.conf is reported stale; past the maximum age its
# records are not served; `publish --renew` (or the daemon, on its own)
# keeps the promise.
. "$(dirname "$0")/lib.sh"

peer alice
peer bob
printf '[peer]\nrefresh = 600\n' >>"$T/alice/config"
zone "$T/alice.zone" alice.wot. "@ IN A 192.0.2.1"
wd alice publish "$T/alice.zone" >/dev/null
trusted_source bob alice
ALICE=$(repo alice)

alice_block() { wd bob status | sed -n '/^  alice /,/^  [a-z]/p'; }
out=$(alice_block)
expect_match "status: the head's age and the promise" "$out" \
	"head signed [0-9]+ s ago, promised every 10 min; last good fetch"
expect_eq "a fresh source is not stale" "$(echo "$out" | grep -c STALE)" "0"

# backdated AGE: alice signs a commit dated AGE seconds ago and pushes it
# (as a frozen or replaying publisher would present it).
backdated() {
	rm -rf "$T/wa"
	git clone -q "$ALICE" "$T/wa"
	echo "b$1 IN A 192.0.2.$((RANDOM % 200 + 2))" >>"$T/wa/zones/alice.zone"
	git -C "$T/wa" add -A
	GIT_COMMITTER_DATE="@$(($(date +%s) - $1)) +0000" \
		GNUPGHOME="$T/alice/gnupg" git -C "$T/wa" \
		-c user.signingkey="$FPR_alice" commit -q -S -m "old $1" ||
		fail "could not sign a backdated commit"
	git -C "$T/wa" push -q origin main
}

# Older than the promise plus its grace (600 + 60 s): stale, still served.
backdated 1000
out=$(wd bob sync 2>&1)
expect_match "stale: the sync itself succeeds" "$out" "sources: 2 ok, 0 failed"
out=$(alice_block)
expect_match "stale: status says so" "$out" \
	"STALE: the head is older than the source's refresh promise \(600 s\)"
expect_match "stale: records still served" "$(wd bob resolve alice.wot A)" \
	"^alice.wot.*192.0.2.1"

# Older than 4 times the promise (2400 s): expired, nothing served.
backdated 3000
out=$(wd bob sync 2>&1)
expect_match "expired: sync reports it" "$out" "expired: 1"
expect_match "expired: and says why" "$out" \
	"alice: records expired: the verified head was signed 3[0-9]{3} s ago, over the maximum age of 2400 s \(4 times its refresh promise\)"
expect_match "expired: status says so" "$(alice_block)" \
	"EXPIRED: its records are not served \(the head is older than 2400 s, 4 times its promise\)"
expect_match "expired: alice.wot is no longer accepted" \
	"$(wd bob resolve alice.wot A 2>&1)" "no source claims it \(past their maximum age, the records of alice are not served; see .wotdns status.\)"
wd bob resolve alice.wot A >/dev/null 2>&1
expect_eq "expired: resolve exits 1" "$?" "1"

# Renewal: the same zones and keys, signed now.
TREE=$(git --git-dir="$ALICE" rev-parse 'main^{tree}')
out=$(wd alice publish --renew)
expect_match "renew prints the new commit" "$out" "^[0-9a-f]{40}$"
expect_eq "renew keeps the tree" \
	"$(git --git-dir="$ALICE" rev-parse 'main^{tree}')" "$TREE"
GNUPGHOME="$T/alice/gnupg" git --git-dir="$ALICE" verify-commit main \
	2>/dev/null
expect_eq "renew is a signed commit" "$?" "0"
out=$(wd bob sync 2>&1)
expect_match "renewed: not expired any more" "$out" "sources: 2 ok, 0 failed"
expect_eq "renewed: no expiry reported" "$(echo "$out" | grep -c expired)" "0"
expect_match "renewed: records served again" "$(wd bob resolve alice.wot A)" \
	"^alice.wot.*192.0.2.1"
expect_eq "renewed: not stale" "$(alice_block | grep -c 'STALE\|EXPIRED')" "0"
out=$(wd alice publish --renew "$T/alice.zone" 2>&1)
expect_eq "renew with a zone file is a usage error" "$?" "2"

# An explicit [sync] max-age applies whatever the promise.
printf '[sync]\nmax-age = 300\n' >>"$T/bob/config"
backdated 500
out=$(wd bob sync 2>&1)
expect_match "max-age: expired" "$out" \
	"over the maximum age of 300 s \(\[sync\] max-age\)"
expect_match "max-age: status names the option" "$(alice_block)" \
	"EXPIRED: .*\[sync\] max-age"
expect_eq "max-age: self is not expired" \
	"$(wd bob status | sed -n '/^  self /,/^  alice /p' | grep -c EXPIRED)" "0"

# The daemon keeps the promise: alice's head is 500 s old, over half of
# 600 s, so her daemon renews it at its first sync.
OLD=$(git --git-dir="$ALICE" rev-parse main)
start_serve alice --sync-interval 3600
wait_for "daemon renews the head" 20 sh -c \
	"[ \"\$(git --git-dir='$ALICE' rev-parse main)\" != '$OLD' ]"
expect_match "daemon logs the renewal" "$(cat "$T/serve-alice.log")" \
	"renewed the own head as [0-9a-f]{12} \(refresh promise 600 s\)"
wait_for "the renewal is announced like a publish (NOTIFY out)" 10 sh -c \
	"'$W' --home '$T/alice' status | grep -q 'notify out: publishes 1'"
expect_eq "daemon renewal keeps the tree" \
	"$(git --git-dir="$ALICE" rev-parse 'main^{tree}')" \
	"$(git --git-dir="$ALICE" rev-parse "$OLD^{tree}")"
out=$(wd bob sync 2>&1)
expect_eq "after the daemon's renewal nothing expires" \
	"$(echo "$out" | grep -c expired)" "0"

# Expiry comes with time alone: no new commit, nothing else changed.
printf '[sync]\nmax-age = 2\n' >>"$T/bob/config"
wd bob sync >/dev/null 2>&1
sleep 3
out=$(wd bob sync 2>&1)
expect_match "time alone expires a source" "$out" "expired: 1"
expect_eq "and its records go" \
	"$(wd bob resolve alice.wot A 2>/dev/null | grep -c 192.0.2.1)" "0"
finish

#!/usr/bin/env bash
# Issue 3, point 4: what must be rejected, and the last good answer keeps
# being served through each rejection.
. "$(dirname "$0")/lib.sh"

three_peers
peer mallory
start_upstream
start_serve carol --upstream "$UPSTREAM" --sync-interval 1
ALICE=$(repo alice)
GOOD=$(git --git-dir="$ALICE" rev-parse main)
still_good() {
	expect_eq "$1: carol still serves alice.wot" "$(q alice.wot A)" \
		"192.0.2.1"
	expect_match "$1: resolve still accepts alice's record" \
		"$(wd carol resolve alice.wot A)" "^alice.wot.*192.0.2.1"
}
restore() { git --git-dir="$ALICE" update-ref refs/heads/main "$GOOD"; }
work() {
	rm -rf "$T/wa"
	git clone -q "$ALICE" "$T/wa"
	echo "www IN A 198.51.100.66" >>"$T/wa/zones/alice.zone"
	git -C "$T/wa" add -A
}

# a. an unsigned commit
work
git -C "$T/wa" commit -q --no-gpg-sign -m unsigned
git -C "$T/wa" push -q origin main
out=$(wd carol sync 2>&1)
expect_eq "unsigned: sync exits 1" "$?" "1"
expect_match "unsigned: reported" "$out" "alice: FAILED: commit [0-9a-f]+ is not signed"
expect_match "unsigned: status keeps the error" "$(wd carol status)" \
	"last error: commit [0-9a-f]+ is not signed"
still_good unsigned
restore

# b. a commit signed by another key
work
GNUPGHOME="$T/mallory/gnupg" git -C "$T/wa" -c user.signingkey="$FPR_mallory" \
	commit -q -S -m "mallory's" || fail "mallory could not sign"
git -C "$T/wa" push -q origin main
out=$(wd carol sync 2>&1)
expect_match "other key: reported" "$out" \
	"is signed by $FPR_mallory, not by the source owner $FPR_alice"
still_good "other key"
restore

# c. a force-pushed, rewritten history (signed by alice herself)
rm -rf "$T/wa"
git clone -q "$ALICE" "$T/wa"
echo "rewritten IN A 198.51.100.67" >>"$T/wa/zones/alice.zone"
git -C "$T/wa" add -A
GNUPGHOME="$T/alice/gnupg" git -C "$T/wa" -c user.signingkey="$FPR_alice" \
	commit -q -S --amend -m rewritten
git -C "$T/wa" push -q -f origin main
OFFERED=$(git --git-dir="$ALICE" rev-parse main)
out=$(wd carol sync 2>&1)
# (carol's daemon, syncing every second, may have seen it first)
expect_match "rewrite signed by the owner: an equivocation" "$out" \
	"alice: FAILED: (equivocation: ${GOOD:0:12} and ${OFFERED:0:12} are both signed by the owner|suspended after an equivocation)"
expect_eq "rewrite: rewritten name not served" "$(q rewritten.alice.wot A)" ""
still_good rewrite
out=$(wd carol evidence alice)
expect_eq "evidence: exits 1 while the source is suspended" "$?" "1"
expect_match "evidence: says what happened" "$out" "alice: equivocation at "
expect_match "evidence: names the verified head" "$out" "verified $GOOD"
expect_match "evidence: names the offered head and its signer" "$out" \
	"offered  $OFFERED \(signed by $FPR_alice\)"
GNUPGHOME="$T/carol/gnupg" git --git-dir="$T/carol/sources/alice.git" \
	verify-commit "$GOOD" "$OFFERED" 2>/dev/null
expect_eq "evidence: git verify-commit accepts both commits" "$?" "0"
expect_match "status shows the suspension" "$(wd carol status)" \
	"SUSPENDED after an equivocation"
restore
out=$(wd carol sync 2>&1)
expect_match "suspended: nothing new is accepted" "$out" \
	"alice: FAILED: suspended after an equivocation"
still_good suspended
out=$(wd carol source trust-again alice)
expect_match "trust-again resumes the source" "$out" "alice: resumed"
out=$(wd carol sync 2>&1)
expect_match "after trust-again the source syncs" "$out" "sources: [0-9]+ ok, 0 failed"
out=$(wd carol source trust-again alice 2>&1)
expect_eq "trust-again of a source not suspended exits 1" "$?" "1"

# c2. a rollback to an older signed state
git --git-dir="$ALICE" update-ref refs/heads/main "$GOOD~1"
out=$(wd carol sync 2>&1)
expect_match "rollback: refused and kept" "$out" \
	"history rolled back .*kept as evidence"
expect_match "rollback: in the evidence" "$(wd carol evidence alice)" \
	"alice: rollback at"
wd carol evidence alice >/dev/null
expect_eq "rollback: the source is not suspended" "$?" "0"
still_good rollback
restore

# d. records from a key nobody trusts
peer erin
zone "$T/erin.zone" erin.wot. "@ IN A 198.51.100.5"
wd erin publish "$T/erin.zone" >/dev/null
wd carol follow "$(repo erin)" --name erin >/dev/null 2>&1
wd carol sync >/dev/null 2>&1
expect_match "untrusted: resolve explains" \
	"$(wd carol resolve erin.wot A 2>&1)" "untrusted signer"
expect_eq "untrusted: not served by dig" "$(q erin.wot A)" ""
still_good untrusted

# e. a zone file with a syntax error: clear message, nothing committed
printf '$ORIGIN alice.wot.\n$TTL 300\n@ IN A 192.0.2.1\nbad IN A 999.1.2.3\n' \
	>"$T/bad.zone"
out=$(wd alice publish "$T/bad.zone" 2>&1)
rc=$?
expect_eq "bad zone: publish fails" "$rc" "1"
expect_match "bad zone: file:line message" "$out" "bad.zone:4: "
expect_eq "bad zone: nothing committed" \
	"$(git --git-dir="$ALICE" rev-parse main)" "$GOOD"
still_good "bad zone"

# f. a second key claiming alice's name (mallory is fully valid for carol)
zone "$T/mallory.zone" alice.wot. "@ IN A 198.51.100.13"
wd mallory publish "$T/mallory.zone" >/dev/null
wd carol follow "$(repo mallory)" --name mallory >/dev/null 2>&1
wd carol sign-friend "$FPR_mallory" --trust full >/dev/null
out=$(wd carol sync 2>&1)
expect_match "second claim: sync counts one conflict" "$out" "conflicts: 1"
expect_match "second claim: status counts one conflict" "$(wd carol status)" \
	"conflicts: 1"
expect_match "second claim: reported as a conflict" \
	"$(wd carol resolve alice.wot A 2>&1)" "^alice.wot.*192.0.2.1"
expect_match "second claim: status lists the conflict" \
	"$(wd carol status)" "rejected alice.wot. from mallory.*conflict"
sleep 1.5
still_good "second claim"

# g. an oversized key file is skipped, and said so
rm -rf "$T/wa"
git clone -q "$ALICE" "$T/wa"
head -c 1100000 /dev/zero | tr '\0' A >"$T/wa/keys/$(printf '%040d' 0).asc"
git -C "$T/wa" add -A
GNUPGHOME="$T/alice/gnupg" git -C "$T/wa" -c user.signingkey="$FPR_alice" \
	commit -q -S -m "big key file"
git -C "$T/wa" push -q origin main
# carol's daemon syncs every second: the warning shows in whichever sync
# saw the new head first, the daemon's log or this one.
out=$(wd carol sync 2>&1; cat "$T/serve-carol.log")
expect_match "big key file: skipped with a warning" "$out" \
	"keys/0{40}.asc: skipped, 1100000 bytes"
still_good "big key file"
restore
finish

#!/usr/bin/env bash
# Issue 13 items 10 and 11, signatures as a follower meets them: a commit
# signed by a signing subkey of the owner's key is the owner's; the
# owner's signature copied onto a commit with other content is refused; a
# refused commit's keys/ never reach the follower's keyring; a commit by
# an owner key that has expired or been revoked since is refused, with the
# reason in `status`. Through every refusal the last good records stay.
. "$(dirname "$0")/lib.sh"

peer alice
peer carol
peer mallory
zone "$T/alice.zone" alice.wot. "@ IN A 192.0.2.1"
wd alice publish "$T/alice.zone" >/dev/null || exit 1
wd carol follow "$(repo alice)" --name alice >/dev/null 2>&1 || exit 1
wd carol sign-friend "$FPR_alice" --trust full >/dev/null || exit 1
wd carol sync >/dev/null 2>&1 || exit 1
ALICE=$(repo alice)
ga() { gpg --homedir "$T/alice/gnupg" --batch --pinentry-mode loopback \
	--passphrase '' "$@"; }
gc() { gpg --homedir "$T/carol/gnupg" --batch "$@"; }

# commit_as KEY LINE: alice's repository gets LINE in her zone and her
# current public key in keys/, in one commit signed by KEY (git and gpg
# as a user would run them); prints nothing, sets HEAD_NEW.
commit_as() {
	rm -rf "$T/wa"
	git clone -q "$ALICE" "$T/wa"
	echo "$2" >>"$T/wa/zones/alice.zone"
	ga --armor --export "$FPR_alice" >"$T/wa/keys/$FPR_alice.asc"
	git -C "$T/wa" add -A
	GNUPGHOME="$T/alice/gnupg" git -C "$T/wa" -c user.signingkey="$1" \
		commit -q -S -m "$2" || fail "could not sign with $1"
	HEAD_NEW=$(git -C "$T/wa" rev-parse HEAD)
}
push() { git -C "$T/wa" push -q origin main; }
served() { wd carol resolve "$1" A 2>/dev/null | grep -c "$2"; }

# --- a signing subkey of the owner's key -----------------------------------
ga --quick-add-key "$FPR_alice" ed25519 sign 0 2>/dev/null ||
	fail "gpg could not add a subkey"
SUB=$(ga --with-colons --list-keys "$FPR_alice" | awk -F: '$1 == "fpr" { print $10 }' | sed -n 2p)
[ -n "$SUB" ] && [ "$SUB" != "$FPR_alice" ] || fail "no subkey"
commit_as "$SUB!" "sub IN A 192.0.2.11"
push
out=$(wd carol sync 2>&1)
expect_eq "a commit signed by the owner's subkey syncs" "$?" 0
expect_eq "... and its records are served" "$(served sub.alice.wot 192.0.2.11)" 1
expect_match "... as the owner's (the pin stays the primary key)" \
	"$(wd carol status)" "$FPR_alice"
GOOD=$(git --git-dir="$ALICE" rev-parse main)
still_good() {
	expect_eq "$1: alice.wot still served" "$(served alice.wot 192.0.2.1)" 1
	expect_eq "$1: sub.alice.wot still served" \
		"$(served sub.alice.wot 192.0.2.11)" 1
}
restore() { git --git-dir="$ALICE" update-ref refs/heads/main "$GOOD"; }

# --- the owner's signature over other content ----------------------------------
# A commit alice signed (never pushed), with its tree swapped for one
# holding an extra record: the gpgsig header is hers, byte for byte, but
# it signs other content. Its parent is the verified head: a plain
# fast-forward for carol.
commit_as "$FPR_alice!" "fine IN A 192.0.2.14"
echo "evil IN A 198.51.100.66" >>"$T/wa/zones/alice.zone"
git -C "$T/wa" add -A
EVIL_TREE=$(git -C "$T/wa" write-tree)
FORGED=$(git -C "$T/wa" cat-file commit "$HEAD_NEW" |
	sed "1s/^tree .*/tree $EVIL_TREE/" |
	git -C "$T/wa" hash-object -t commit -w --stdin)
git -C "$T/wa" update-ref refs/heads/main "$FORGED"
push
expect_match "the forged commit carries alice's signature" \
	"$(git --git-dir="$ALICE" cat-file commit "$FORGED")" "BEGIN PGP SIGNATURE"
out=$(wd carol sync 2>&1)
expect_eq "a copied signature: sync exits 1" "$?" 1
expect_match "... and says the signature is bad" "$out" \
	"alice: FAILED: commit ${FORGED:0:12}: .*(bad|BAD|Bad)"
expect_eq "... the forged record is not served" "$(served evil.alice.wot 198.51.100.66)" 0
still_good "copied signature"
restore

# --- a refused commit's keys/ stay out of the keyring ---------------------------
gpg --homedir "$T/mallory/gnupg" --batch --passphrase '' --pinentry-mode \
	loopback --quick-gen-key "eve <eve@wot.test>" ed25519 sign 0 2>/dev/null
EVE=$(gpg --homedir "$T/mallory/gnupg" --with-colons --list-keys eve@wot.test 2>/dev/null |
	awk -F: '$1 == "fpr" { print $10; exit }')
rm -rf "$T/wa"
git clone -q "$ALICE" "$T/wa"
gpg --homedir "$T/mallory/gnupg" --armor --export "$FPR_mallory" >"$T/wa/keys/$FPR_mallory.asc"
gpg --homedir "$T/mallory/gnupg" --armor --export "$EVE" >"$T/wa/keys/$EVE.asc"
echo "www IN A 198.51.100.67" >>"$T/wa/zones/alice.zone"
git -C "$T/wa" add -A
GNUPGHOME="$T/mallory/gnupg" git -C "$T/wa" -c user.signingkey="$FPR_mallory" \
	commit -q -S -m "mallory's keys" || fail "mallory could not sign"
push
out=$(wd carol sync 2>&1)
expect_match "mallory's commit is refused" "$out" \
	"is signed by $FPR_mallory, not by the source owner $FPR_alice"
gc --list-keys "$FPR_mallory" >/dev/null 2>&1
expect_eq "... the signer's key from its keys/ is not in carol's keyring" "$?" 2
gc --list-keys "$EVE" >/dev/null 2>&1
expect_eq "... nor any other key from its keys/" "$?" 2
still_good "mallory's keys"
restore

# --- expired since ------------------------------------------------------------
# Signed while alice's key was good, offered once it has expired: the
# follower, who learned the expiry, refuses it.
ga --quick-set-expire "$FPR_alice" seconds=6 2>/dev/null || fail "set expiry"
ga --quick-set-expire "$FPR_alice" seconds=6 '*' 2>/dev/null || fail "set expiry (subkeys)"
T0=$(date +%s)
commit_as "$FPR_alice!" "late IN A 192.0.2.12"
ga --armor --export "$FPR_alice" | gc --import 2>/dev/null
sleep $((T0 + 8 - $(date +%s)))
push
out=$(wd carol sync 2>&1)
expect_eq "a commit by an expired key: sync exits 1" "$?" 1
expect_match "... the reason is said" "$out" \
	"alice: FAILED: commit ${HEAD_NEW:0:12}: .*expired"
expect_match "... and kept in status" "$(wd carol status)" \
	"last error: commit ${HEAD_NEW:0:12}: .*expired"
expect_eq "... its record is not served" "$(served late.alice.wot 192.0.2.12)" 0
restore
ga --quick-set-expire "$FPR_alice" 0 2>/dev/null
ga --quick-set-expire "$FPR_alice" 0 '*' 2>/dev/null
ga --armor --export "$FPR_alice" | gc --import 2>/dev/null
out=$(wd carol sync 2>&1)
expect_eq "the expiry lifted, alice syncs again" "$?" 0
still_good "expiry lifted"

# --- revoked since --------------------------------------------------------------
commit_as "$FPR_alice!" "late IN A 192.0.2.13"
sed 's/^:-----/-----/' "$T/alice/gnupg/openpgp-revocs.d/$FPR_alice.rev" |
	ga --import 2>/dev/null
ga --armor --export "$FPR_alice" | gc --import 2>/dev/null
push
out=$(wd carol sync 2>&1)
expect_eq "a commit by a key revoked since: sync exits 1" "$?" 1
expect_match "... the reason is said" "$out" \
	"alice: FAILED: commit ${HEAD_NEW:0:12}: .*revoked"
expect_match "... and kept in status" "$(wd carol status)" \
	"last error: commit ${HEAD_NEW:0:12}: .*revoked"
expect_eq "... its record is not served" "$(served late.alice.wot 192.0.2.13)" 0
expect_eq "... nor any record of the revoked key" "$(served alice.wot 192.0.2.1)" 0

for h in alice carol mallory; do gpgconf --homedir "$T/$h/gnupg" --kill all; done
finish

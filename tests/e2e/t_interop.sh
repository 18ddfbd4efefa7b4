#!/usr/bin/env bash
# Issue 3, point 5: plain `git commit -S` by the owner is accepted, and plain
# `git verify-commit` accepts every commit wotdns makes.
. "$(dirname "$0")/lib.sh"

three_peers
ALICE=$(repo alice)

# git verify-commit, with a fresh keyring holding only alice's public key.
G="$T/gpg-verifier"
mkdir -m 700 -p "$G"
git --git-dir="$ALICE" show main:keys/"$FPR_alice".asc |
	gpg --homedir "$G" --batch --quiet --import 2>/dev/null
echo "$FPR_alice:6:" | gpg --homedir "$G" --batch --import-ownertrust 2>/dev/null
n=0
for c in $(git --git-dir="$ALICE" rev-list main); do
	if GNUPGHOME="$G" git --git-dir="$ALICE" verify-commit "$c" 2>/dev/null
	then n=$((n + 1)); else fail "git verify-commit $c"; fi
done
expect_eq "git verify-commit accepts all wotdns commits" "$n" \
	"$(git --git-dir="$ALICE" rev-list --count main)"
expect_match "commit carries a gpgsig header" \
	"$(git --git-dir="$ALICE" cat-file commit main)" "^gpgsig -----BEGIN PGP SIGNATURE"

# alice edits her zone with plain git and signs with `git commit -S`.
git clone -q "$ALICE" "$T/wa"
sed -i 's/192.0.2.1/192.0.2.77/' "$T/wa/zones/alice.zone"
echo "git IN TXT \"made with git commit -S\"" >>"$T/wa/zones/alice.zone"
GNUPGHOME="$T/alice/gnupg" git -C "$T/wa" -c user.signingkey="$FPR_alice" \
	commit -q -S -am "edit with plain git"
git -C "$T/wa" push -q origin main
out=$(wd carol sync 2>&1)
expect_eq "carol syncs a git commit -S" "$?" "0"
expect_match "carol accepts the new address" \
	"$(wd carol resolve alice.wot A)" "192.0.2.77"
expect_match "carol accepts the new TXT" \
	"$(wd carol resolve git.alice.wot TXT)" "made with git commit -S"
# and wotdns publishes on top of the plain-git commit
zone "$T/alice.zone" alice.wot. "@ IN A 192.0.2.78"
wd alice publish "$T/alice.zone" >/dev/null
expect_eq "publish builds on the plain-git commit" \
	"$(git --git-dir="$ALICE" rev-parse main~1)" \
	"$(git -C "$T/wa" rev-parse HEAD)"
wd carol sync >/dev/null 2>&1
expect_match "carol follows the next publish" \
	"$(wd carol resolve alice.wot A)" "192.0.2.78"
finish

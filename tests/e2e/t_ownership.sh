#!/usr/bin/env bash
# Name ownership with real keys: delegation, transfer, revocation of the
# holder's key, the shadowing policy, and the commands that explain it.
. "$(dirname "$0")/lib.sh"

for p in alice bob dave erin frank gina carol; do peer $p; done
zone "$T/alice.zone" alice.wot. "@ IN A 192.0.2.1"
wd alice publish "$T/alice.zone" >/dev/null
zone "$T/bob.zone" bob.wot. "@ IN A 192.0.2.2" \
	"_wotdns.lab IN TXT \"v=wotdns1; delegate=$FPR_dave\""
wd bob publish "$T/bob.zone" >/dev/null
zone "$T/dave.zone" bob.wot. "lab IN A 192.0.2.40" "pc.lab IN A 192.0.2.41" \
	"www IN A 192.0.2.42"
wd dave publish "$T/dave.zone" >/dev/null
zone "$T/erin.zone" erin.wot. "@ IN A 192.0.2.5"
wd erin publish "$T/erin.zone" >/dev/null
zone "$T/gina.zone" shop.com. "@ IN A 198.51.100.80"
wd gina publish "$T/gina.zone" >/dev/null
# gina is valid for carol only through bob (level 2)
wd bob follow "$(repo gina)" --name gina >/dev/null 2>&1
wd bob sign-friend "$FPR_gina" --trust marginal >/dev/null
for p in alice bob dave erin frank gina; do
	wd carol follow "$(repo $p)" --name $p >/dev/null 2>&1 || fail "follow $p"
done
for p in alice bob dave erin frank; do
	wd carol sign-friend "$(eval echo \$FPR_$p)" >/dev/null || fail "sign $p"
done
wd carol sync >/dev/null 2>&1

expect_match "trust lists gina at level 2" \
	"$(wd carol trust | grep -A1 "^$FPR_gina")" "validity full +level 2 "
expect_match "trust shows who certified gina" \
	"$(wd carol trust | grep -A2 "^$FPR_gina")" "certified by ${FPR_bob:0:16} bob"

# Delegation: bob lends lab.bob.wot to dave, nothing else.
expect_match "delegated subtree accepted" "$(wd carol resolve lab.bob.wot A)" \
	"192.0.2.40"
expect_match "delegated subtree, deeper name" \
	"$(wd carol resolve pc.lab.bob.wot A)" "192.0.2.41"
expect_match "outside the delegation: conflict" \
	"$(wd carol resolve www.bob.wot A 2>&1)" "name owned by another key"
out=$(wd carol conflicts)
expect_match "conflicts lists both sides" "$out" \
	"www.bob.wot.: conflict: name owned by another key"
expect_match "conflicts names the holder" "$out" "held by +$FPR_bob"

# Shadowing: gina (level 2) may not shadow shop.com under the default.
out=$(wd carol resolve --explain shop.com A 2>&1)
expect_match "shadowing refused for a level-2 key" "$out" \
	"shadow policy is 'friends'"
expect_match "resolve --explain gives the weight" "$out" \
	"validity full, level 2, weight 0.60"

# Transfer: alice hands alice.wot to dave with a signed record.
zone "$T/alice.zone" alice.wot. "@ IN A 192.0.2.1" \
	"_wotdns IN TXT \"v=wotdns1; transfer=$FPR_dave\""
wd alice publish "$T/alice.zone" >/dev/null
zone "$T/dave2.zone" alice.wot. "@ IN A 192.0.2.44"
wd dave publish "$T/dave.zone" "$T/dave2.zone" >/dev/null
wd carol sync >/dev/null 2>&1
expect_match "transferred name served from the new owner" \
	"$(wd carol resolve alice.wot A)" "192.0.2.44"
# ... for good: alice withdraws the record and claims it again.
zone "$T/alice.zone" alice.wot. "@ IN A 192.0.2.1"
wd alice publish "$T/alice.zone" >/dev/null
wd carol sync >/dev/null 2>&1
expect_match "a transfer stays after the record is gone" \
	"$(wd carol resolve alice.wot A)" "192.0.2.44"
expect_match "the old owner is now the conflict" \
	"$(wd carol resolve --explain alice.wot A)" "claim 1: source alice.*REJECTED"

# Revocation: erin's key is revoked; frank's claim on erin.wot wins.
rev="$T/erin/gnupg/openpgp-revocs.d/$FPR_erin.rev"
[ -f "$rev" ] || fail "gpg made no revocation certificate"
sed 's/^:-----/-----/' "$rev" | gpg --homedir "$T/carol/gnupg" --batch \
	--quiet --import 2>/dev/null
zone "$T/frank.zone" erin.wot. "@ IN A 192.0.2.66"
wd frank publish "$T/frank.zone" >/dev/null
wd carol sync >/dev/null 2>&1
expect_match "trust shows erin revoked" "$(wd carol trust)" "REVOKED"
out=$(wd carol resolve --explain erin.wot A)
expect_match "revoked holder's name goes to the heaviest claim" "$out" \
	"192.0.2.66"
expect_match "explanation names the revocation" "$out" "revoked or expired"

# The same facts over DNS.
start_upstream
start_serve carol --upstream "$UPSTREAM" --sync-interval 0
expect_eq "dig: delegated name" "$(q lab.bob.wot A)" "192.0.2.40"
expect_eq "dig: transferred name" "$(q alice.wot A)" "192.0.2.44"
expect_eq "dig: shadowing refused, upstream answers" "$(q shop.com A)" ""
kill -TERM "$SERVE_PID"; wait "$SERVE_PID"

# A looser policy lets valid level-2 keys shadow the normal DNS.
printf '\n[trust]\nshadow = valid\n' >>"$T/carol/config"
wd carol sync >/dev/null 2>&1
expect_match "shadow = valid accepts gina's shop.com" \
	"$(wd carol resolve shop.com A)" "198.51.100.80"

# trust set: carol stops relying on bob's certifications; gina, valid only
# through bob, loses validity and her claim with it.
out=$(wd carol trust set "$FPR_bob" none)
expect_match "trust set reports the change" "$out" "ownertrust of $FPR_bob is now none"
expect_match "gina is no longer valid" \
	"$(wd carol trust | grep -A1 "^$FPR_gina")" "validity (unknown|never)"
expect_match "her shop.com claim is now untrusted" \
	"$(wd carol resolve shop.com A 2>&1)" "untrusted signer"
out=$(wd carol trust set "$FPR_carol" full 2>&1)
expect_match "own key's trust cannot be changed" "$out" "your own key"

# graph: dot text always; png when Graphviz is installed.
out=$(wd carol graph)
expect_match "graph draws certifications" "$out" "\"$FPR_bob\" -> \"$FPR_gina\""
if command -v dot >/dev/null; then
	wd carol graph --format png -o "$T/wot.png"
	expect_match "graph --format png writes a PNG" \
		"$(head -c 8 "$T/wot.png" | od -An -c | tr -d ' ')" "PNG"
fi
finish

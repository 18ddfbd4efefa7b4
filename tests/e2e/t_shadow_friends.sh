#!/usr/bin/env bash
# Issue 13 item 11: the default shadow policy "friends" lets a key claim a
# name under a TLD of the normal DNS only if you certified it yourself
# (WoT level 1) AND you trust it fully. Each condition alone is not
# enough: a level-2 key with full ownertrust, and a level-1 key with
# marginal ownertrust, are both refused, in `resolve` and by the daemon,
# while the same keys are valid (shadow = valid accepts both).
. "$(dirname "$0")/lib.sh"

for p in carol bob dave erin; do peer $p; done
for p in bob dave erin; do
	zone "$T/$p.zone" "$p.com." "@ IN A 198.51.100.$((${#p} * 10))"
	wd $p publish "$T/$p.zone" >/dev/null || exit 1
done
# bob certifies dave: dave is at level 2 for carol, valid through bob
wd bob follow "$(repo dave)" --name dave >/dev/null 2>&1 || exit 1
wd bob sign-friend "$FPR_dave" --trust full >/dev/null || exit 1
for p in bob dave erin; do
	wd carol follow "$(repo $p)" --name $p >/dev/null 2>&1 || exit 1
done
wd carol sign-friend "$FPR_bob" --trust full >/dev/null || exit 1
wd carol sign-friend "$FPR_erin" --trust marginal >/dev/null || exit 1
wd carol sync >/dev/null 2>&1
wd carol trust set "$FPR_dave" full >/dev/null || fail "trust set dave full"

# row FPR: carol's view of a key: ownertrust, validity, level
row() { wd carol trust | grep -A1 "^$1"; }
expect_match "dave: full ownertrust, valid" "$(row "$FPR_dave")" "ownertrust full.*validity full|validity full.*ownertrust full"
expect_match "erin: marginal ownertrust, valid" "$(row "$FPR_erin")" "ownertrust marginal.*validity full|validity full.*ownertrust marginal"

out=$(wd carol resolve --explain bob.com A 2>&1)
expect_match "bob (level 1, full trust) shadows bob.com" "$out" "198.51.100.30"
out=$(wd carol resolve --explain dave.com A 2>&1)
expect_match "dave (level 2, full trust) may not shadow dave.com" "$out" \
	"shadow policy is 'friends'"
expect_match "... the explanation gives level 2" "$out" "validity full, level 2"
out=$(wd carol resolve --explain erin.com A 2>&1)
expect_match "erin (level 1, marginal trust) may not shadow erin.com" "$out" \
	"shadow policy is 'friends'"
expect_match "... the explanation gives level 1" "$out" "validity full, level 1"

NOUP=127.0.0.1:9
start_serve carol --upstream "$NOUP" --sync-interval 0
expect_eq "dig: bob.com from the overlay" "$(q bob.com A)" 198.51.100.30
expect_eq "dig: dave.com not from the overlay" "$(q dave.com A)" ""
expect_eq "dig: erin.com not from the overlay" "$(q erin.com A)" ""
stop_serve

printf '\n[trust]\nshadow = valid\n' >>"$T/carol/config"
wd carol sync >/dev/null 2>&1
expect_match "shadow = valid: dave.com accepted" \
	"$(wd carol resolve dave.com A 2>&1)" "198.51.100.40"
expect_match "shadow = valid: erin.com accepted" \
	"$(wd carol resolve erin.com A 2>&1)" "198.51.100.40"

for p in carol bob dave erin; do gpgconf --homedir "$T/$p/gnupg" --kill all; done
finish

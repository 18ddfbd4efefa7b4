#!/usr/bin/env bash
# Issue 13 item 10: CNAME chains across several sources. alice's name is
# a CNAME to bob's, bob's to dave's: carol's resolver answers with every
# RRset of the chain, each from the source that owns it; a chain hop into
# a name no accepted source holds is not invented. (`wotdns resolve` stops
# at the first CNAME today: item 2, one answering path, is another's.)
. "$(dirname "$0")/lib.sh"

for p in alice bob dave carol; do peer $p; done
zone "$T/alice.zone" alice.wot. "@ IN A 192.0.2.1" \
	"www IN CNAME www.bob.wot." "lost IN CNAME nothing.dave.wot."
zone "$T/bob.zone" bob.wot. "@ IN A 192.0.2.2" "www IN CNAME web.dave.wot."
zone "$T/dave.zone" dave.wot. "@ IN A 192.0.2.3" "web IN A 192.0.2.33" \
	"web IN AAAA 2001:db8::33"
for p in alice bob dave; do
	wd $p publish "$T/$p.zone" >/dev/null || exit 1
	wd carol follow "$(repo $p)" --name $p >/dev/null 2>&1 || exit 1
	wd carol sign-friend "$(eval echo "\$FPR_$p")" --trust full >/dev/null || exit 1
done
wd carol sync >/dev/null 2>&1 || fail "carol's sync"

start_serve carol --upstream 127.0.0.1:9 --sync-interval 0
out=$(qfull www.alice.wot A +noall +answer +comments)
ans=$(printf '%s\n' "$out" | awk '/^[a-z]/ && $4 ~ /^(A|AAAA|CNAME)$/ { print $1, $4, $5 }')
expect_eq "dig: the whole chain across three sources" "$ans" \
"www.alice.wot. CNAME www.bob.wot.
www.bob.wot. CNAME web.dave.wot.
web.dave.wot. A 192.0.2.33"
expect_match "... NOERROR" "$out" "status: NOERROR"
out=$(qfull www.alice.wot AAAA +noall +answer)
expect_match "dig AAAA: the chain ends in dave's AAAA" "$out" \
	"web\.dave\.wot\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+AAAA[[:space:]]+2001:db8::33"
expect_eq "... after both CNAMEs" "$(printf '%s\n' "$out" | grep -c CNAME)" 2
out=$(qfull www.bob.wot A +noall +answer)
expect_eq "dig from the middle: bob's CNAME and dave's A" \
	"$(printf '%s\n' "$out" | awk '{ print $4 }' | tr '\n' ' ')" "CNAME A "
out=$(qfull lost.alice.wot A +noall +answer +comments)
expect_eq "a hop to a name dave does not hold: no A invented" \
	"$(printf '%s\n' "$out" | awk '/^[a-z]/ && $4 == "A"' | wc -l)" 0
expect_match "... the CNAME is given, the end is NXDOMAIN" "$out" \
	"status: NXDOMAIN"
stop_serve

for p in alice bob dave carol; do gpgconf --homedir "$T/$p/gnupg" --kill all; done
finish

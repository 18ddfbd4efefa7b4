#!/usr/bin/env bash
# Issue 13, item 1: no claim at or above a public suffix, whatever the
# policy. Alice is bob's friend, certified with full trust (under the
# default shadow policy she may shadow registrable names such as shop.com),
# and still: the root, a TLD, a public suffix (IDNs compared as A-labels),
# arpa and every reverse zone, and wildcards covering any of these are
# refused by `publish` (file:line) and, when she crafts the commit by hand,
# rejected by bob's `sync`, listed by `status` and `conflicts`, while her
# other names are served and the normal DNS is still forwarded. A name of
# one label (a made-up TLD) holds only itself.
. "$(dirname "$0")/lib.sh"

peer alice
peer bob
peer carol
start_upstream

# --- publish refuses, with file:line and the reason -----------------------
# refused WHAT REASON RECORD...: alice's publish of a zone holding these
# records (line 3 on) fails and names line LINE of the file.
refused() {
	local what=$1 why=$2 out
	shift 2
	{ echo "\$ORIGIN ."; echo "\$TTL 300"; printf '%s\n' "$@"; } \
		>"$T/bad.zone"
	out=$(wd alice publish "$T/bad.zone" 2>&1)
	expect_eq "publish refuses $what: exit 1" "$?" "1"
	expect_match "publish refuses $what: file:line and reason" "$out" \
		"bad.zone:$(($# + 2)): .*reserved name: $why"
}
SOA="SOA ns.evil. h.evil. 1 3600 600 86400 60"
refused "the root" "the root of the DNS" ". $SOA"
refused "a wildcard at the root" "a wildcard covering every name" \
	"alice.wot. A 192.0.2.1" "*. A 198.51.100.1"
refused "a TLD" "a TLD of the normal DNS" "com. $SOA"
refused "co.uk" "a public suffix" "co.uk. $SOA"
refused "arpa" "arpa and the reverse zones" "arpa. $SOA"
refused "in-addr.arpa" "arpa and the reverse zones" "in-addr.arpa. $SOA"
# The reserved apex is what publish names, not that alice.wot. is outside
# the zone of the file's SOA (the zone rule, checked after).
refused "a reverse zone" "arpa and the reverse zones" \
	"alice.wot. A 192.0.2.1" "2.0.192.in-addr.arpa. $SOA"
refused "a TLD beside her name" "a TLD of the normal DNS" \
	"alice.wot. A 192.0.2.1" "com. $SOA"
refused "*.com" "a wildcard covering a public suffix" "*.com. A 198.51.100.1"
refused "*.co.uk" "a wildcard covering a public suffix" \
	"*.co.uk. A 198.51.100.1"
refused "an IDN TLD (xn--p1ai, .рф)" "a TLD of the normal DNS" \
	"xn--p1ai. $SOA"
refused "the IDN TLD as a U-label" "a TLD of the normal DNS" "рф. $SOA"
refused "an IDN public suffix (орг.срб)" "a public suffix" \
	"xn--o1ac.xn--90a3ac. $SOA"
refused "a wildcard under an IDN suffix" "a wildcard covering a public suffix" \
	"*.xn--o1ac.xn--90a3ac. A 198.51.100.1"
refused "a wildcard under a made-up TLD" \
	"a wildcard directly under a name of one label" "*.wot. A 198.51.100.1"
# What stays under the shadow policy or is an overlay name publishes: a
# file without SOA (any names) and the zone of a one-label apex.
zone "$T/ok.zone" alice.wot. "@ IN A 192.0.2.1" "www IN A 192.0.2.80" \
	"shop.com. IN A 198.51.100.80" "*.alice.wot. IN A 192.0.2.81"
zone "$T/wot.zone" wot. "@ IN $SOA" "@ IN A 192.0.2.99"
out=$(wd alice publish "$T/ok.zone" "$T/wot.zone" 2>&1)
expect_eq "a registrable name, a wildcard under it and a one-label apex publish" \
	"$?" "0"

# --- a hostile friend commits by hand: sync rejects, serves the rest -----
rm -rf "$T/wa"
git clone -q "$(repo alice)" "$T/wa"
# Each file a zone the zone rules accept (its names under its SOAs, or no
# SOA), so only the reserved names are what sync rejects.
Z="$T/wa/zones"
zone "$Z/root.zone" . "@ IN $SOA" "* IN A 198.51.100.66"
zone "$Z/com.zone" com. "@ IN $SOA" "* IN A 198.51.100.66"
zone "$Z/couk.zone" co.uk. "@ IN $SOA" "* IN A 198.51.100.66"
zone "$Z/arpa.zone" arpa. "@ IN $SOA" "in-addr IN $SOA" \
	"4.3.2.1.in-addr IN PTR evil."
zone "$Z/rf.zone" xn--p1ai. "@ IN $SOA"
zone "$Z/wild.zone" . "*.xn--o1ac.xn--90a3ac. IN A 198.51.100.66" \
	"*.wot. IN A 198.51.100.66"
(cd "$T/wa" && git add -A &&
	GNUPGHOME="$T/alice/gnupg" git -c user.signingkey="$FPR_alice" \
		commit -q -S -m "answer for the internet" &&
	git push -q origin HEAD:main) || fail "could not craft the commit"

wd bob follow "$(repo alice)" --name alice >/dev/null 2>&1
wd bob sign-friend "$FPR_alice" --trust full >/dev/null
# carol publishes a name under the made-up TLD alice holds the apex of.
zone "$T/carol.zone" carol.wot. "@ IN A 192.0.2.3"
wd carol publish "$T/carol.zone" >/dev/null || fail "carol publishes"
wd bob follow "$(repo carol)" --name carol >/dev/null 2>&1
wd bob sign-friend "$FPR_carol" --trust full >/dev/null
out=$(wd bob sync 2>&1)
expect_match "the sync succeeds" "$out" "sources: 3 ok, 0 failed"

st=$(wd bob status 2>&1)
cf=$(wd bob conflicts 2>&1)
for n in ". the root of the DNS" "\*\. a wildcard covering every name" \
	"com\. a TLD" "\*\.com\. a wildcard covering a public suffix" \
	"co\.uk\. a public suffix" "\*\.co\.uk\. a wildcard covering" \
	"arpa\. arpa and" "in-addr\.arpa\. arpa and" \
	"4\.3\.2\.1\.in-addr\.arpa\. arpa and" "xn--p1ai\. a TLD" \
	"\*\.xn--o1ac\.xn--90a3ac\. a wildcard covering a public suffix" \
	"\*\.wot\. a wildcard directly under a name of one label"; do
	name=${n%% *} why=${n#* }
	label=${name//\\/}
	expect_match "status lists $label" "$st" \
		"rejected $name from alice \([0-9A-F]+\): reserved name: $why"
	expect_match "conflicts lists $label" "$cf" \
		"^$name: reserved name: $why"
done
expect_match "resolve explains a rejected root" \
	"$(wd bob resolve . SOA 2>&1)" "rejected: reserved name: the root"

start_serve bob --upstream "$UPSTREAM"
expect_eq "alice's own name is served" "$(q www.alice.wot A)" "192.0.2.80"
expect_eq "her wildcard under her name is served" "$(q x.alice.wot A)" \
	"192.0.2.81"
expect_eq "her shadow of shop.com follows the policy (a full friend may)" \
	"$(q shop.com A)" "198.51.100.80"
out=$(qfull www.example.com A)
expect_match "the normal DNS is forwarded" "$out" "203\.0\.113\.7"
expect_match "a missing normal name is the upstream's NXDOMAIN" \
	"$(qfull nothing.example.com A)" "status: NXDOMAIN.*"
expect_eq "no wildcard answers for the internet" \
	"$(q google.com A)$(q x.co.uk A)$(q x.com A)" ""
expect_eq "no reverse zone" "$(q 4.3.2.1.in-addr.arpa PTR)" ""
expect_eq "nothing under .рф" "$(q x.xn--o1ac.xn--90a3ac A)" ""

# --- one label: alice holds the apex wot., not the names under it ---------
expect_eq "alice's one-label apex holds its own records" "$(q wot A)" \
	"192.0.2.99"
expect_eq "carol's name under it is hers, not a conflict" \
	"$(q carol.wot A)" "192.0.2.3"
expect_eq "conflicts lists nothing on carol.wot" \
	"$(printf '%s\n' "$cf" | grep -c '^carol.wot')" "0"
expect_eq "*.wot answers nothing" "$(q nobody.wot A)" ""
stop_serve

# --- whatever the policy: shadow = valid lets anyone shadow, not this -----
printf '\n[trust]\nshadow = valid\n' >>"$T/bob/config"
wd bob sync >/dev/null 2>&1
expect_match "under shadow = valid the root is still rejected" \
	"$(wd bob status 2>&1)" "rejected \. from alice .*the root of the DNS"
expect_eq "and no record of it is accepted" \
	"$(accepted_zone bob | grep -v '^;' | awk '$1 == "." || $1 == "com."' |
		wc -l)" "0"
finish

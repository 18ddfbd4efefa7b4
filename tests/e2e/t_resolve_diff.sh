#!/usr/bin/env bash
# Issue 13, item 2: one answering path. `wotdns resolve` and the daemon
# answer from the same code and data: for every question below (overlay
# names, wildcards, CNAME chains inside the overlay, across sources and out
# of it, names under an apex that nobody claims, empty non-terminals,
# shadowed names, rejected claims, normal names and missing ones) resolve's
# rcode and records must be the daemon's. A name resolve says is not in the
# overlay must get from the daemon exactly what the upstream gives; a chain
# that leaves the overlay must be the overlay part resolve prints followed
# by the upstream's answer for its target.
. "$(dirname "$0")/lib.sh"

peer me
for p in alice carol dave; do peer "$p"; done
start_upstream

SOA="SOA ns.alice.wot. h.alice.wot. 7 3600 600 86400 60"
zone "$T/alice.zone" alice.wot. "@ IN $SOA" "@ IN A 192.0.2.1" \
	"@ IN AAAA 2001:db8::1" "@ IN MX 10 mail" "mail IN A 192.0.2.25" \
	"@ IN TXT \"hello world\"" "www IN CNAME @" "*.alice.wot. IN A 192.0.2.9" \
	"*.alice.wot. IN TXT \"wild\"" "deep.ent IN A 192.0.2.10" \
	"out IN CNAME www.example.com." "l1 IN CNAME l2" "l2 IN CNAME l1"
# Her shadows of normal names, in a file of their own without an SOA: a
# file with alice.wot.'s SOA holds only names of her zone.
zone "$T/shadow.zone" . "shop.com. IN A 198.51.100.80" \
	"mail.example.com. IN AAAA 2001:db8::66"
zone "$T/carol.zone" carol.wot. "@ IN A 192.0.2.3" \
	"web IN CNAME www.alice.wot." "far IN CNAME x.alice.wot." \
	"nx IN CNAME nothing.alice.wot."
zone "$T/dave.zone" dave.wot. "@ IN A 192.0.2.4"
for p in alice carol dave; do
	files=("$T/$p.zone")
	[ "$p" = alice ] && files+=("$T/shadow.zone")
	wd "$p" publish "${files[@]}" >/dev/null || fail "$p publishes"
	wd me follow "$(repo "$p")" --name "$p" >/dev/null 2>&1 ||
		fail "follow $p"
done
# dave's key stays uncertified: his claim is rejected.
for p in alice carol; do
	wd me sign-friend "$(eval echo "\$FPR_$p")" --trust full >/dev/null
done
wd me sync >/dev/null 2>&1
start_serve me --upstream "$UPSTREAM"

# records: owner, type and data of the answer lines (no TTL: a cached
# upstream answer counts down), in order.
records() {
	awk 'NF >= 5 && $1 !~ /^;/ && $3 == "IN" {
		o = tolower($1); t = $4; $1 = $2 = $3 = $4 = ""
		sub(/^ +/, ""); print o, t, $0 }'
}
dig_at() { dig +time=2 +tries=1 -p "$1" @127.0.0.1 "$2" "$3" +noall \
	+comments +answer; }
rcode() { sed -n 's/.*status: \([A-Z]*\).*/\1/p' | head -n 1; }

# check NAME TYPE: resolve and the daemon agree.
check() {
	local n=$1 t=$2 r d up rr dr ur target
	r=$(wd me resolve "$n" "$t" 2>/dev/null)
	d=$(dig_at "$PORT" "$n" "$t")
	dr=$(printf '%s\n' "$d" | records)
	if printf '%s' "$r" | grep -q "is not in the overlay"; then
		up=$(dig_at "$UPORT" "$n" "$t")
		expect_eq "$n $t: forwarded, rcode as the upstream's" \
			"$(printf '%s' "$d" | rcode)" "$(printf '%s' "$up" | rcode)"
		expect_eq "$n $t: forwarded, records as the upstream's" \
			"$dr" "$(printf '%s\n' "$up" | records)"
		return
	fi
	expect_eq "$n $t: rcode" "$(printf '%s' "$d" | rcode)" \
		"$(printf '%s' "$r" | sed -n 's/^;; overlay answer: \([A-Z]*\).*/\1/p')"
	rr=$(printf '%s\n' "$r" | records)
	target=$(printf '%s' "$r" |
		sed -n 's/^;; the CNAME chain leaves the overlay at \([^:]*\):.*/\1/p')
	if [ -n "$target" ]; then
		ur=$(dig_at "$UPORT" "$target" "$t" | records)
		expect_eq "$n $t: the overlay part, then the upstream's answer" \
			"$dr" "$(printf '%s\n%s' "$rr" "$ur" | sed '/^$/d')"
	else
		expect_eq "$n $t: records" "$dr" "$rr"
	fi
}

for q in "alice.wot A" "alice.wot AAAA" "alice.wot MX" "alice.wot TXT" \
	"alice.wot SOA" "alice.wot SRV" "ALICE.Wot A" "mail.alice.wot A" \
	"www.alice.wot A" "www.alice.wot AAAA" "www.alice.wot CNAME" \
	"any.alice.wot A" "any.alice.wot TXT" "any.alice.wot AAAA" \
	"a.b.alice.wot A" "ent.alice.wot A" "x.ent.alice.wot A" \
	"deep.ent.alice.wot A" "out.alice.wot A" "l1.alice.wot A" \
	"carol.wot A" "web.carol.wot A" "far.carol.wot TXT" "nx.carol.wot A" \
	"missing.carol.wot A" "shop.com A" "shop.com AAAA" \
	"mail.example.com AAAA" "mail.example.com A" "dave.wot A" \
	"www.example.com A" "example.com SOA" "nothing.example.com A" \
	"google.com A" "wot A" "ghost.wot A" "x.y.wot AAAA" "com NS"; do
	# shellcheck disable=SC2086
	check $q
done

# resolve keeps what only it says: where the answer comes from.
out=$(wd me resolve web.carol.wot A)
expect_match "provenance of the name" "$out" ";; provenance: source carol"
expect_match "provenance of the CNAME target in another source" "$out" \
	";; provenance of www.alice.wot.: source alice"
expect_match "provenance of the apex the chain ends at" "$out" \
	";; provenance of alice.wot.: source alice"
expect_match "a wildcard answer names the wildcard's claim" \
	"$(wd me resolve any.alice.wot A)" ";; provenance: source alice"
out=$(wd me resolve dave.wot A 2>&1)
expect_eq "a rejected name: exit 1" "$?" "1"
# Under a TLD only the overlay has: serve answers NXDOMAIN itself, never
# forwarding it, and resolve says the same.
expect_match "a rejected name: NXDOMAIN here, as serve says" "$out" \
	";; overlay answer: NXDOMAIN, authoritative"
expect_match "a rejected name: and why" "$out" "rejected: untrusted signer"
out=$(wd me resolve google.com A 2>&1)
expect_match "a normal name: resolve says serve forwards it" "$out" \
	"google.com. is not in the overlay: serve forwards it"
out=$(wd me resolve missing.carol.wot A 2>&1)
expect_match "a missing name under an apex: NXDOMAIN, as serve says" "$out" \
	"overlay answer: NXDOMAIN"
stop_serve
finish

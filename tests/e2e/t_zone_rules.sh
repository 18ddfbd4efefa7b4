#!/usr/bin/env bash
# Issue 13, item 7: zone files that RFC 1034/1035/2181 forbid (a CNAME
# beside other data, a TXT with an unterminated quote, a second CNAME, an
# RRset with two TTLs, a TTL over 2^31-1, a name outside the file's SOA)
# are refused by publish with FILE:LINE, and the same zone in a friend's
# hand-made signed commit is refused at sync: nothing of it is served,
# the last good records are.
. "$(dirname "$0")/lib.sh"

peer alice
peer bob
zone "$T/alice.zone" alice.wot. "@ IN A 192.0.2.1"
wd alice publish "$T/alice.zone" >/dev/null
trusted_source bob alice
ALICE=$(repo alice)
GOOD=$(git --git-dir="$ALICE" rev-parse main)
start_serve bob --sync-interval 0 --no-upstream
expect_eq "before: alice.wot served" "$(q alice.wot A)" "192.0.2.1"
verified() { git --git-dir="$T/bob/sources/alice.git" rev-parse refs/wotdns/verified; }

# push_zone FILE: alice's signed commit with FILE as her only zone, made
# by hand (publish refuses it).
push_zone() {
	rm -rf "$T/wa"
	git clone -q "$ALICE" "$T/wa"
	git -C "$T/wa" rm -q -r zones
	mkdir -p "$T/wa/zones"
	cp "$1" "$T/wa/zones/"
	git -C "$T/wa" add -A
	GNUPGHOME="$T/alice/gnupg" git -C "$T/wa" \
		-c user.signingkey="$FPR_alice" commit -q -S -m bad ||
		fail "could not sign"
	git -C "$T/wa" push -q origin HEAD:main
}

# refused WHAT FILE REGEX NAME TYPE: publish of FILE fails with
# FILE:REGEX; the same zone pushed by hand is refused at sync with
# zones/FILE:REGEX; NAME TYPE is not served, alice.wot still is.
refused() {
	local what=$1 f=$2 re=$3 name=$4 type=$5 out rc
	out=$(wd alice publish "$T/$f" 2>&1)
	rc=$?
	expect_eq "$what: publish exits 1" "$rc" "1"
	expect_match "$what: publish says file:line" "$out" "$f:$re"
	push_zone "$T/$f"
	out=$(wd bob sync 2>&1)
	rc=$?
	expect_eq "$what: sync exits 1" "$rc" "1"
	expect_match "$what: sync says file:line" "$out" \
		"alice: FAILED: zones/$f:$re"
	expect_match "$what: status says it" "$(wd bob status)" \
		"last error: zones/$f:$re"
	expect_eq "$what: verified head unchanged" "$(verified)" "$GOOD"
	kill -HUP "$SERVE_PID"
	sleep 0.3
	expect_eq "$what: $name $type not served" "$(q "$name" "$type")" ""
	expect_eq "$what: the last good record served" "$(q alice.wot A)" \
		"192.0.2.1"
	git --git-dir="$ALICE" update-ref refs/heads/main "$GOOD"
}

zone "$T/cname.zone" alice.wot. "@ IN A 192.0.2.1" "www IN A 192.0.2.80" \
	"www IN CNAME evil.example."
refused "CNAME beside data" cname.zone \
	"5: CNAME beside other data at www.alice.wot. \(line 4; RFC 1034" \
	www.alice.wot CNAME

zone "$T/quote.zone" alice.wot. "@ IN A 192.0.2.1" 't IN TXT "open' \
	"evil IN A 198.51.100.66" 't2 IN TXT "x"'
refused "unterminated quote" quote.zone "4: unterminated quote" \
	t.alice.wot TXT

zone "$T/paren.zone" alice.wot. "@ IN A 192.0.2.1" \
	'p IN TXT ( "a"' "evil IN A 198.51.100.66"
refused "unclosed parenthesis" paren.zone "4: '\(' never closed" \
	evil.alice.wot A

zone "$T/two.zone" alice.wot. "@ IN A 192.0.2.1" "w IN CNAME a.example." \
	"w IN CNAME b.example."
refused "two CNAMEs" two.zone "5: a second CNAME at w.alice.wot." \
	w.alice.wot CNAME

zone "$T/ttl.zone" alice.wot. "@ 300 IN A 192.0.2.1" \
	"m 300 IN A 192.0.2.7" "m 60 IN A 192.0.2.8"
refused "differing TTLs" ttl.zone \
	"5: TTL 60 differs from TTL 300 of the same RRset on line 4" \
	m.alice.wot A

zone "$T/bigttl.zone" alice.wot. "@ IN A 192.0.2.1" \
	"b 4294967295 IN A 192.0.2.9"
refused "TTL over 2^31-1" bigttl.zone "4: TTL 4294967295 is over 2147483647" \
	b.alice.wot A

zone "$T/out.zone" alice.wot. "@ IN SOA ns h 1 3600 600 86400 60" \
	"@ IN A 192.0.2.1" "bob.wot. IN A 198.51.100.66"
refused "outside the SOA's zone" out.zone \
	"5: bob.wot. is outside the zones of the file's SOA records" bob.wot A

# A valid zone still goes through and is served.
zone "$T/alice.zone" alice.wot. "@ IN A 192.0.2.1" "www IN CNAME @" \
	'txt IN TXT "semi;colon" "(paren"'
wd alice publish "$T/alice.zone" >/dev/null
expect_match "a valid zone: sync ok" "$(wd bob sync 2>&1)" \
	"sources: 2 ok, 0 failed"
kill -HUP "$SERVE_PID"
wait_for "a valid zone: served" 5 \
	test "$(q txt.alice.wot TXT)" = '"semi;colon" "(paren"'
finish

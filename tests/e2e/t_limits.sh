#!/usr/bin/env bash
# Issue 6: [limits] against a hostile source. Each limit, when a source
# goes over it, is named with its option in `sync`'s output and in
# `status`; the source's verified head does not move and its last good
# records keep being served.
. "$(dirname "$0")/lib.sh"

peer alice
peer bob
zone "$T/alice.zone" alice.wot. "@ IN A 192.0.2.1" "@ IN AAAA 2001:db8::1"
wd alice publish "$T/alice.zone" >/dev/null
trusted_source bob alice
ALICE=$(repo alice)
GOOD=$(git --git-dir="$ALICE" rev-parse main)
cat >>"$T/bob/config" <<EOF
[limits]
fetch-size = 1
commits = 3
zone-size = 2
records = 6
names = 4
EOF

verified() { git --git-dir="$T/bob/sources/alice.git" rev-parse refs/wotdns/verified; }
restore() { git --git-dir="$ALICE" update-ref refs/heads/main "$GOOD"; }
# hit WHAT REGEX: the next sync fails on alice with REGEX, status keeps
# it, and nothing moved.
hit() {
	local out rc
	out=$(wd bob sync 2>&1)
	rc=$?
	expect_eq "$1: sync exits 1" "$rc" "1"
	expect_match "$1: sync names the limit and its option" "$out" \
		"alice: FAILED: $2"
	expect_match "$1: status shows it" "$(wd bob status)" \
		"last error: $2"
	expect_eq "$1: verified head unchanged" "$(verified)" "$GOOD"
	expect_match "$1: old record still accepted" \
		"$(wd bob resolve alice.wot A)" "^alice.wot.*192.0.2.1"
	restore
}

# records per zone file
zone "$T/r.zone" alice.wot. "@ IN A 192.0.2.1" "@ IN A 192.0.2.2" \
	"@ IN A 192.0.2.3" "@ IN A 192.0.2.4" "@ IN A 192.0.2.5" \
	"@ IN A 192.0.2.6" "@ IN A 192.0.2.7"
cp "$T/r.zone" "$T/alice.zone"
wd alice publish "$T/alice.zone" >/dev/null
hit records "zones/alice.zone: more than 6 records \(\[limits\] records\)"

# The publisher's own limits hold for what it publishes.
out=$(wd bob publish "$T/r.zone" 2>&1)
expect_eq "publish over the own records limit exits 1" "$?" "1"
expect_match "publish names the limit" "$out" \
	"r.zone: more than 6 records \(\[limits\] records\)"

# distinct names per source, across its zone files
zone "$T/alice.zone" alice.wot. "@ IN A 192.0.2.1" "a IN A 192.0.2.1" \
	"b IN A 192.0.2.1"
zone "$T/more.zone" more.wot. "@ IN A 192.0.2.1" "c IN A 192.0.2.1"
wd alice publish "$T/alice.zone" "$T/more.zone" >/dev/null
hit names "more than 4 distinct names in the source's zones \(\[limits\] names\)"

# size of one zone file (3 KB, the limit 2 KB)
zone "$T/alice.zone" alice.wot. "@ IN A 192.0.2.1" \
	"; $(head -c 3000 /dev/zero | tr '\0' x)"
wd alice publish "$T/alice.zone" >/dev/null
hit zone-size "zones/alice.zone: 3 KB, over the limit of 2 KB \(\[limits\] zone-size\)"

# new commits in one sync
for i in 1 2 3 4; do
	zone "$T/alice.zone" alice.wot. "@ IN A 192.0.2.1" "n$i IN A 192.0.2.9"
	wd alice publish "$T/alice.zone" >/dev/null
done
hit commits "more than 3 new commits in one sync \(\[limits\] commits\)"

# bytes received in one fetch: 1.2 MB that does not compress
{
	echo "\$ORIGIN alice.wot."
	echo "@ 300 IN A 192.0.2.1"
	head -c 1200000 /dev/urandom | base64 -w 200 |
		awk '{ print "t" NR " 300 IN TXT \"" $0 "\"" }'
} >"$T/alice.zone"
wd alice publish "$T/alice.zone" >/dev/null
hit fetch-size "fetch exceeds the limit of 1 MB \(\[limits\] fetch-size\)"
expect_eq "fetch-size: nothing of the big pack stayed" \
	"$(du -sk "$T/bob/sources/alice.git/objects" | cut -f1 |
		awk '{ print ($1 < 500) }')" "1"

# Within every limit, an update goes through.
zone "$T/alice.zone" alice.wot. "@ IN A 192.0.2.1" "www IN A 192.0.2.80"
wd alice publish "$T/alice.zone" >/dev/null
out=$(wd bob sync 2>&1)
expect_match "within the limits: alice syncs" "$out" "sources: 2 ok, 0 failed"
expect_match "within the limits: the new record is accepted" \
	"$(wd bob resolve www.alice.wot A)" "192.0.2.80"
expect_eq "within the limits: no error left in status" \
	"$(wd bob status | grep -c 'last error')" "0"
start_serve bob --sync-interval 3600 --no-upstream
expect_eq "served over DNS" "$(q www.alice.wot A)" "192.0.2.80"
finish

#!/usr/bin/env bash
# Issue 6, scale: sources fetched in parallel ([sync] jobs) give the same
# accepted set as one at a time; a sync where nothing changed keeps the
# accepted set as it is (no recompute); any change of a verified head or of
# the keyring, even made with gpg directly, is picked up by the next sync.
. "$(dirname "$0")/lib.sh"

peer me
for p in p1 p2 p3 p4 p5; do
	peer "$p"
	zone "$T/$p.zone" "$p.wot." "@ IN A 192.0.2.1" "www IN A 192.0.2.2"
	wd "$p" publish "$T/$p.zone" >/dev/null || exit 1
	wd me follow "$(repo "$p")" --name "$p" >/dev/null 2>&1 || exit 1
done
for p in p1 p2 p3 p4; do
	wd me sign-friend "$(eval echo "\$FPR_$p")" --trust full >/dev/null ||
		exit 1
done
set_jobs() {
	sed -i -e '/^jobs *=/d' -e "s/^\[sync\]\$/[sync]\njobs = $1/" "$T/me/config"
}
MANIFEST="$T/me/state/accepted/manifest"

set_jobs 4
out=$(wd me sync --progress 2>&1)
expect_eq "parallel sync succeeds" "$?" "0"
expect_match "every source reported" "$out" "sync: 6/6 sources"
expect_match "four friends' names accepted" "$(accepted_zone me)" "www.p4.wot."
accepted_zone me >"$T/parallel.zone"
# resolve reads only the owner's lines of its shard, in any case.
expect_match "resolve finds a record (name in upper case)" \
	"$(wd me resolve WWW.P1.WOT A 2>&1)" "^www.p1.wot.*192.0.2.2"
expect_eq "resolve does not take a longer name for it" \
	"$(wd me resolve p1.wot A 2>&1 | grep -c 'www')" "0"

# Nothing changed: the accepted set is not rewritten.
before=$(stat -c %Y.%i "$MANIFEST")
sleep 1.1
out=$(wd me sync 2>&1)
expect_eq "no-change sync succeeds" "$?" "0"
expect_match "no-change sync reports the same records" "$out" \
	"records: 8;"
expect_eq "no-change sync keeps the accepted set" "$(stat -c %Y.%i "$MANIFEST")" \
	"$before"

# One at a time (a config change: the next sync recomputes).
set_jobs 1
wd me sync >/dev/null 2>&1
expect_eq "jobs = 1 accepts the same records as jobs = 4" \
	"$(accepted_zone me | grep -v '^;' | grep -v SOA | sort)" "$(grep -v '^;' "$T/parallel.zone" | grep -v SOA | sort)"
set_jobs 4

# A new signed commit in one source is picked up.
zone "$T/p2.zone" p2.wot. "@ IN A 192.0.2.1" "www IN A 192.0.2.99"
wd p2 publish "$T/p2.zone" >/dev/null || exit 1
wd me sync >/dev/null 2>&1
expect_match "changed source's new record accepted" "$(accepted_zone me)" \
	"www.p2.wot.*192.0.2.99"

# A certification made with gpg itself, outside wotdns: p5 becomes valid
# and its names are accepted at the next sync although no head moved.
expect_eq "p5 not accepted before" "$(accepted_zone me | grep -c 'p5.wot')" "0"
gpg --homedir "$T/me/gnupg" --batch --quiet --yes --default-key "$FPR_me" \
	--quick-sign-key "$FPR_p5" >/dev/null 2>&1 || fail "gpg certify p5"
wd me sync >/dev/null 2>&1
expect_match "keyring change picked up without a new commit" \
	"$(accepted_zone me)" "www.p5.wot."

# The daemon's own sync finds nothing changed after a CLI sync rewrote the
# accepted set, and still swaps in the new records.
start_serve me --upstream 127.0.0.1:9 --sync-interval 1
expect_eq "daemon serves p1" "$(q www.p1.wot A)" "192.0.2.2"
zone "$T/p1.zone" p1.wot. "@ IN A 192.0.2.1" "www IN A 192.0.2.123"
wd p1 publish "$T/p1.zone" >/dev/null || exit 1
wd me sync >/dev/null 2>&1
serves_new() { [ "$(q www.p1.wot A)" = 192.0.2.123 ]; }
wait_for "daemon serves the record a CLI sync accepted" 10 serves_new
stop_serve

# A damaged manifest is reported with its line, and nothing is decided
# afresh behind the user's back (that would forget who held which name).
cp "$MANIFEST" "$T/manifest.good"
sed -i '3s/.*/garbage here/' "$MANIFEST"
out=$(wd me sync 2>&1)
expect_eq "damaged manifest: sync exits 1" "$?" "1"
expect_match "and names the file and line" "$out" \
	"state/accepted/manifest:3: not a manifest line"
expect_match "and says how to rebuild" "$out" "move state/accepted away"
cp "$T/manifest.good" "$MANIFEST"

# A source that cannot be fetched fails alone, in parallel too.
mv "$T/p3/own.git" "$T/p3/moved.git"
out=$(wd me sync 2>&1)
expect_eq "a failing source makes sync exit 1" "$?" "1"
expect_match "the failing source is reported" "$out" "p3: FAILED"
expect_match "its last verified records keep serving" "$(accepted_zone me)" \
	"www.p3.wot."
mv "$T/p3/moved.git" "$T/p3/own.git"
finish

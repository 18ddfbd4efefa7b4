#!/usr/bin/env bash
# Issue 13 item 11: the accepted set's manifest (state/accepted/manifest,
# which names every shard file the daemon loads) is replaced whole, never
# rewritten in place: a reader that opened it before a sync (a daemon
# reloading, `status`) still reads the complete old one, the new one is
# complete too, and nothing temporary is left beside it.
. "$(dirname "$0")/lib.sh"

peer alice
peer carol
zone "$T/alice.zone" alice.wot. "@ IN A 192.0.2.1"
wd alice publish "$T/alice.zone" >/dev/null || exit 1
wd carol follow "$(repo alice)" --name alice >/dev/null 2>&1 || exit 1
wd carol sign-friend "$FPR_alice" --trust full >/dev/null || exit 1
wd carol sync >/dev/null 2>&1 || exit 1
M="$T/carol/state/accepted/manifest"
cp "$M" "$T/manifest.before"
GEN=$(accepted_gen carol)

exec 3<"$M" # a reader that opened the manifest before the sync
zone "$T/alice.zone" alice.wot. "@ IN A 192.0.2.1" "www IN A 192.0.2.2"
wd alice publish "$T/alice.zone" >/dev/null || exit 1
wd carol sync >/dev/null 2>&1
if [ "$(accepted_gen carol)" != "$GEN" ]; then pass "the sync made a new generation"
else fail "the sync made no new generation"; fi
expect_eq "the reader still reads the whole old manifest" \
	"$(cat <&3 | md5sum)" "$(md5sum <"$T/manifest.before")"
exec 3<&-
expect_eq "the new manifest is whole: every shard it names exists" \
	"$(awk '$1 == "shard" { print $2 "-" $3 ".zone" }' "$M" |
		(cd "$T/carol/state/accepted" && xargs -r ls 2>&1 >/dev/null))" ""
expect_match "... and it serves the new record" \
	"$(wd carol resolve www.alice.wot A)" "192.0.2.2"
expect_eq "nothing temporary is left beside it" \
	"$(ls -A "$T/carol/state/accepted" | grep -Ev '\.(zone|json|hist)$|^manifest$')" ""

for p in alice carol; do gpgconf --homedir "$T/$p/gnupg" --kill all; done
finish

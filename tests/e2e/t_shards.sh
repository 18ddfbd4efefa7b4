#!/usr/bin/env bash
# Issue 6, scale: the accepted set lives in shards (state/accepted/); a
# change in one source rewrites only the shards of the names it had or
# has, and the result is always the one a full recompute gives (byte for
# byte): rival claims, ownership history and grants across sources
# included. A change that reaches a name of one label decides everything
# again; only shards whose content changed are ever written.
. "$(dirname "$0")/lib.sh"

peer me
for p in p1 p2 p3 p4; do peer "$p"; done
for p in p1 p2 p3 p4; do
	wd me follow "$(repo "$p")" --name "$p" >/dev/null 2>&1 || exit 1
	wd me sign-friend "$(eval echo "\$FPR_$p")" --trust full >/dev/null ||
		exit 1
done
M="$T/me/state/accepted/manifest"
# shards: the shard lines of the manifest without their source lists
shards() { awk '$1 == "shard" { print $2, $3, $4 }' "$M" | sort; }
# full_view: the accepted records, sorted, without the header lines
full_view() { accepted_zone me | grep -v '^;' | sort; }

# p1 holds dup.shared.wot first; p2 claims it later. p1 delegates
# sub.p1.wot to p2. p4 publishes a name of one label.
zone "$T/p1.zone" p1.wot. "@ IN A 192.0.2.1" \
	"_wotdns.sub IN TXT \"v=wotdns1; delegate=$FPR_p2\"" \
	"dup.shared.wot. IN A 192.0.2.11"
wd p1 publish "$T/p1.zone" >/dev/null || exit 1
wd me sync >/dev/null 2>&1
zone "$T/p2.zone" p2.wot. "@ IN A 192.0.2.2" \
	"dup.shared.wot. IN A 192.0.2.22"
zone "$T/p3.zone" p3.wot. "@ IN A 192.0.2.3" "www IN A 192.0.2.33"
zone "$T/p4.zone" p4top. "@ IN A 192.0.2.4"
for p in p2 p3 p4; do wd "$p" publish "$T/$p.zone" >/dev/null || exit 1; done
wd me sync >/dev/null 2>&1
expect_match "a manifest names every shard" "$(head -n 1 "$M")" \
	"^wotdns accepted 3$"
expect_match "p1 holds the name it claimed first" \
	"$(wd me resolve dup.shared.wot A 2>&1)" "192.0.2.11"
expect_match "resolve reads the name's shard" \
	"$(wd me resolve www.p3.wot A 2>&1)" "^www.p3.wot.*192.0.2.33"
expect_match "a name of one label is accepted (top)" \
	"$(wd me resolve p4top A 2>&1)" "192.0.2.4"
expect_eq "status counts every accepted name" \
	"$(wd me status 2>/dev/null | grep '^records:')" \
	"records: 6 accepted for 6 names"

# One source changes: only its shard is written again.
before=$(shards)
zone "$T/p3.zone" p3.wot. "@ IN A 192.0.2.3" "www IN A 192.0.2.34"
wd p3 publish "$T/p3.zone" >/dev/null || exit 1
out=$(wd me sync p3 2>&1)
expect_eq "sync p3 succeeds" "$?" "0"
changed=$(diff <(echo "$before") <(shards) | grep -c '^>')
expect_eq "one shard rewritten for p3's change" "$changed" "1"
expect_match "p3's new record accepted" "$(accepted_zone me)" \
	"www.p3.wot.*192.0.2.34"
files=$(ls "$T/me/state/accepted" | grep -vc '^manifest$')
expect_eq "the replaced files are gone (3 per shard)" "$files" \
	"$(($(shards | wc -l) * 3))"

# The rival changes its claim: the history in the shard keeps p1 holding.
zone "$T/p2.zone" p2.wot. "@ IN A 192.0.2.2" \
	"dup.shared.wot. IN A 192.0.2.23" "a.sub.p1.wot. IN A 192.0.2.24"
wd p2 publish "$T/p2.zone" >/dev/null || exit 1
wd me sync p2 >/dev/null 2>&1
expect_match "the holder keeps the name after the rival's change" \
	"$(wd me resolve dup.shared.wot A 2>&1)" "192.0.2.11"
expect_match "the rival's claim is a conflict" \
	"$(wd me conflicts 2>&1)" "dup.shared.wot.: conflict"
expect_match "p1's delegation (from p1's records) lets p2 publish under it" \
	"$(wd me resolve a.sub.p1.wot A 2>&1)" "192.0.2.24"

# The same as a full recompute (a keyring change forces one): the same
# records. (A name's first win is explained as a contest, later ones by
# its history, so a shard decided only once, here top, is written once
# more.) A full recompute that then changes nothing writes no file, and a
# running resolver reloads nothing.
incr=$(full_view)
gen=$(accepted_gen me)
full_next me
wd me sync >/dev/null 2>&1
expect_eq "the keyring change made a full recompute" \
	"$([ "$(accepted_gen me)" != "$gen" ] && echo yes)" "yes"
expect_eq "shard by shard gives what a full recompute gives" \
	"$(full_view)" "$incr"
before=$(shards)
gen=$(accepted_gen me)
full_next me
wd me sync >/dev/null 2>&1
expect_eq "and again a full recompute" \
	"$([ "$(accepted_gen me)" != "$gen" ] && echo yes)" "yes"
expect_eq "a full recompute that changes nothing keeps every shard file" \
	"$(shards)" "$before"

# A change that reaches top (a name of one label) decides everything
# again, and still writes only the shard whose content changed.
before=$(shards)
zone "$T/p4.zone" p4top. "@ IN A 192.0.2.44"
wd p4 publish "$T/p4.zone" >/dev/null || exit 1
wd me sync p4 >/dev/null 2>&1
expect_eq "a change in top writes only top again" \
	"$(diff <(echo "$before") <(shards) | grep '^>' | cut -d' ' -f2)" "top"
expect_match "and is served" "$(wd me resolve p4top A 2>&1)" "192.0.2.44"

# A grant on a name of top, read by a later run that does not decide top:
# p4 delegates p4top. to p3, then only p3 changes.
zone "$T/p4.zone" p4top. "@ IN A 192.0.2.44" \
	"_wotdns IN TXT \"v=wotdns1; delegate=$FPR_p3\""
wd p4 publish "$T/p4.zone" >/dev/null || exit 1
wd me sync p4 >/dev/null 2>&1
zone "$T/p3.zone" p3.wot. "@ IN A 192.0.2.3" "www IN A 192.0.2.34" \
	"x.p4top. IN A 192.0.2.35"
wd p3 publish "$T/p3.zone" >/dev/null || exit 1
before=$(shards)
wd me sync p3 >/dev/null 2>&1
expect_eq "p3's change leaves top as it was" \
	"$(diff <(echo "$before") <(shards) | grep '^>' | grep -c ' top ')" "0"
# (A name of one label holds only itself: the delegation is not even
# needed, but it must not disturb the incremental run either.)
expect_match "p3 publishes under p4top, whose holder holds only itself" \
	"$(wd me resolve x.p4top A 2>&1)" "192.0.2.35"
incr=$(full_view)
full_next me
wd me sync >/dev/null 2>&1
expect_eq "the same as a full recompute" "$(full_view)" "$incr"

# Unfollowing a source takes its names out of its shards only.
wd me unfollow p3 >/dev/null 2>&1 || fail "unfollow p3"
expect_eq "unfollowed source's names gone" \
	"$(accepted_zone me | grep -c 'p3.wot')" "0"
expect_match "other sources stay" "$(accepted_zone me)" "^p2.wot."
# Time alone: a certification that expires makes its key invalid, with no
# head, keyring file or configuration changed. The manifest knows the
# next expiry ("until"), and the first sync after it decides again.
peer p5
zone "$T/p5.zone" p5.wot. "@ IN A 192.0.2.5"
wd p5 publish "$T/p5.zone" >/dev/null || exit 1
wd me follow "$(repo p5)" --name p5 >/dev/null 2>&1 || exit 1
gpg --homedir "$T/me/gnupg" --batch --quiet --yes --default-key "$FPR_me" \
	--default-cert-expire seconds=6 --quick-sign-key "$FPR_p5" \
	>/dev/null 2>&1 || fail "gpg certify p5 for 6 s"
wd me sync >/dev/null 2>&1
expect_match "p5 valid while its certification holds" \
	"$(wd me resolve p5.wot A 2>&1)" "192.0.2.5"
until_t=$(awk '$1 == "until" { print $2 }' "$M")
expect_eq "the manifest knows when it expires" \
	"$((until_t - $(date +%s) <= 6 && until_t - $(date +%s) > -2))" "1"
sleep $((until_t - $(date +%s) + 1))
wd me sync >/dev/null 2>&1
expect_match "after the expiry, p5's names are no longer served" \
	"$(wd me resolve p5.wot A 2>&1)" "untrusted signer"
finish

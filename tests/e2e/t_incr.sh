#!/usr/bin/env bash
# Issue 6, scale: the recompute reuses what did not change (each source's
# records by verified commit in state/cache/NAME.rr, the key listing in
# state/keys.cache) without ever serving something else than a full
# recompute would; a damaged cache is parsed again, not trusted; and
# `wotdns sync SOURCE...` syncs only the sources named.
. "$(dirname "$0")/lib.sh"

peer me
for p in p1 p2 p3; do
	peer "$p"
	zone "$T/$p.zone" "$p.wot." "@ IN A 192.0.2.1" "www IN A 192.0.2.2" \
		"_wotdns IN TXT \"v=wotdns1; delegate=$(eval echo "\$FPR_$p")\""
	wd "$p" publish "$T/$p.zone" >/dev/null || exit 1
	wd me follow "$(repo "$p")" --name "$p" >/dev/null 2>&1 || exit 1
	wd me sign-friend "$(eval echo "\$FPR_$p")" --trust full >/dev/null ||
		exit 1
done
C="$T/me/state/cache"

wd me sync >/dev/null 2>&1
expect_eq "first sync accepts every source" "$(accepted_zone me | grep -c 'www\.p[123]\.wot')" "3"
expect_eq "one record cache per source with a verified head" \
	"$(ls "$C" | sort | tr '\n' ' ')" "p1.rr p2.rr p3.rr self.rr "
expect_match "the cache names the verified commit" "$(head -n 1 "$C/p1.rr")" \
	"^wotdns rr cache 1 $(git -C "$T/me/sources/p1.git" rev-parse refs/wotdns/verified) 3\$"
accepted_zone me | grep -v '^;' | sort >"$T/full.zone"

# A recompute from the caches (a keyring change forces one) gives the very
# same accepted set as the recompute that parsed the zones.
gen=$(accepted_gen me)
full_next me
wd me sync >/dev/null 2>&1
expect_eq "the keyring change made a recompute" \
	"$([ "$(accepted_gen me)" != "$gen" ] && echo yes)" "yes"
expect_eq "recompute from the caches: same accepted set" \
	"$(accepted_zone me | grep -v '^;' | sort)" "$(cat "$T/full.zone")"

# Damaged caches: cut short, another commit's, garbage, the key listing
# truncated. Each is parsed or listed again; the result is unchanged.
head -c 60 "$C/p1.rr" >"$C/p1.tmp" && mv "$C/p1.tmp" "$C/p1.rr"
sed -i '1s/cache 1 [0-9a-f]*/cache 1 0000000000000000000000000000000000000000/' "$C/p2.rr"
printf 'wotdns rr cache 1 %s 2\n1 evil.p3.wot.\0evil.p3.wot.\t1\tIN\tA\t6.6.6.6\n\0' \
	"$(git -C "$T/me/sources/p3.git" rev-parse refs/wotdns/verified)" >"$C/p3.rr"
truncate -s 100 "$T/me/state/keys.cache"
full_next me
wd me sync >/dev/null 2>&1
expect_eq "damaged caches ignored: same accepted set" \
	"$(accepted_zone me | grep -v '^;' | sort)" "$(cat "$T/full.zone")"
expect_eq "a forged cache of the right commit but wrong count is not served" \
	"$(accepted_zone me | grep -c 'evil')" "0"
expect_match "the damaged cache was rewritten" "$(head -n 1 "$C/p1.rr")" " 3\$"

# sync SOURCE: only p2 is fetched, although p1 published too.
zone "$T/p1.zone" p1.wot. "@ IN A 192.0.2.1" "www IN A 192.0.2.11"
wd p1 publish "$T/p1.zone" >/dev/null || exit 1
zone "$T/p2.zone" p2.wot. "@ IN A 192.0.2.1" "www IN A 192.0.2.22"
wd p2 publish "$T/p2.zone" >/dev/null || exit 1
out=$(wd me sync p2 2>&1)
expect_eq "sync p2 succeeds" "$?" "0"
expect_match "sync p2 reports one source" "$out" "sources: 1 ok, 0 failed"
expect_match "p2's new record accepted" "$(accepted_zone me)" "www.p2.wot.*192.0.2.22"
expect_match "p1 not fetched: its old record still served" "$(accepted_zone me)" \
	"www.p1.wot.*192.0.2.2\$"
expect_match "p2's cache follows its new verified head" "$(head -n 1 "$C/p2.rr")" \
	"$(git -C "$T/me/sources/p2.git" rev-parse refs/wotdns/verified)"
out=$(wd me sync nosuch p1 2>&1)
expect_eq "sync of a source not followed exits 1" "$?" "1"
expect_match "and says which" "$out" "no source named 'nosuch'"
expect_match "nothing fetched then" "$(accepted_zone me)" "www.p1.wot.*192.0.2.2\$"
wd me sync self p1 >/dev/null 2>&1
expect_match "sync self p1 picks up p1" "$(accepted_zone me)" "www.p1.wot.*192.0.2.11"

# The key listing is reused only while the keyring is unchanged: a
# certification removed with gpg directly takes p3's names away.
gpg --homedir "$T/me/gnupg" --batch --quiet --yes --delete-keys "$FPR_p3" \
	>/dev/null 2>&1 || fail "gpg delete p3"
wd me sync p1 >/dev/null 2>&1
expect_eq "keyring change seen by a one-source sync" \
	"$(accepted_zone me | grep -c 'p3.wot')" "0"

wd me unfollow p3 >/dev/null 2>&1 || fail "unfollow p3"
expect_eq "unfollow removes the source's record cache" \
	"$(ls "$C" | sort | tr '\n' ' ')" "p1.rr p2.rr self.rr "
finish

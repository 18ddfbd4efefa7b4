#!/usr/bin/env bash
# A source with several URLs: the verified head is the same whichever URL
# answered (primary down -> the mirror answers); a mirror offering a fork
# signed by the owner is kept as equivocation evidence.
. "$(dirname "$0")/lib.sh"

peer alice; peer bob; peer carol
publish() { zone "$T/a.zone" alice.wot. "@ IN A $1"; wd alice publish "$T/a.zone" >/dev/null || exit 1; }
verified() { git --git-dir="$T/$1/sources/$2.git" rev-parse refs/wotdns/verified; }
head_of() { git --git-dir="$1" rev-parse main; }
publish 192.0.2.1
PRIMARY="$T/primary.git"
git clone -q --bare "$(repo alice)" "$PRIMARY"
out=$(wd bob follow "$PRIMARY" --mirror "$(repo alice)" --name alice 2>&1)
expect_eq "follow with --mirror" "$?" "0"
expect_match "sources.conf keeps the mirror" "$(cat "$T/bob/sources.conf")" \
	"mirror = $(repo alice)"
expect_match "sources lists the mirror" "$(wd bob sources)" \
	"alice  $PRIMARY
  mirror $(repo alice)"
out=$(wd bob follow "$(repo alice)" --name again 2>&1)
expect_match "a URL followed as a mirror is already followed" "$out" \
	"already followed as 'alice'"
wd bob sign-friend "$FPR_alice" >/dev/null

# both up: the primary drives, the mirror agrees
publish 192.0.2.2
git --git-dir="$PRIMARY" fetch -q "$(repo alice)" main:main
wd bob sync >/dev/null 2>&1
expect_eq "both up: sync ok" "$?" "0"
expect_eq "both up: verified head is alice's" "$(verified bob alice)" \
	"$(head_of "$(repo alice)")"

# primary down: the mirror answers with the same history
mv "$PRIMARY" "$PRIMARY.off"
publish 192.0.2.3
out=$(wd bob sync 2>&1)
expect_eq "primary down: sync ok through the mirror" "$?" "0"
expect_eq "primary down: same verified head" "$(verified bob alice)" \
	"$(head_of "$(repo alice)")"
expect_match "primary down: new record served" \
	"$(wd bob resolve alice.wot A)" "192.0.2.3"
# every URL down: a failure, and the last verified head stays
mv "$(repo alice)" "$T/alice-own.off"
out=$(wd bob sync 2>&1)
expect_eq "all URLs down: sync fails" "$?" "1"
expect_match "all URLs down: reported" "$out" "alice: FAILED"
mv "$T/alice-own.off" "$(repo alice)"
expect_eq "all URLs down: head kept" "$(verified bob alice)" \
	"$(head_of "$(repo alice)")"
mv "$PRIMARY.off" "$PRIMARY"

# a mirror that lags behind is not evidence of anything, even when it is
# the only URL answering
publish 192.0.2.5
NEW=$(head_of "$(repo alice)")
git --git-dir="$PRIMARY" fetch -q "$(repo alice)" main:main
git --git-dir="$(repo alice)" update-ref refs/heads/main "$NEW~1"
out=$(wd bob sync 2>&1)
expect_eq "mirror behind, primary up: sync ok" "$?" "0"
expect_eq "mirror behind, primary up: head from the primary" \
	"$(verified bob alice)" "$NEW"
mv "$PRIMARY" "$PRIMARY.off"
out=$(wd bob sync 2>&1)
expect_eq "mirror behind, primary down: sync ok (nothing new)" "$?" "0"
expect_eq "mirror behind, primary down: head kept" "$(verified bob alice)" \
	"$NEW"
expect_eq "mirror behind: no evidence" \
	"$(wd bob evidence alice | grep -c rollback)" "0"
mv "$PRIMARY.off" "$PRIMARY"
git --git-dir="$(repo alice)" update-ref refs/heads/main "$NEW"

# a fork offered by a mirror: alice's home copied, both publish
cp -a "$T/alice" "$T/alice2"
wd carol follow "$(repo alice)" --mirror "$T/alice2/own.git" --name alice \
	>/dev/null 2>&1
expect_eq "carol follows alice with a mirror" "$?" "0"
publish 192.0.2.4
zone "$T/b.zone" alice.wot. "@ IN A 198.51.100.66"
wd alice2 publish "$T/b.zone" >/dev/null || fail "alice2 publish"
FORK=$(head_of "$T/alice2/own.git")
out=$(wd carol sync 2>&1)
expect_eq "fork on a mirror: sync exits 1" "$?" "1"
expect_match "fork on a mirror: equivocation reported" "$out" \
	"alice: FAILED: .*equivocation"
ev=$(wd carol evidence alice)
expect_match "evidence names the mirror URL" "$ev" \
	"alice: equivocation at .* from $T/alice2/own.git"
expect_match "evidence names the forked head" "$ev" "offered  $FORK"
expect_eq "verified head is the primary's" "$(verified carol alice)" \
	"$(head_of "$(repo alice)")"
finish

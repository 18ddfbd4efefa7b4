#!/usr/bin/env bash
# friend-of-friend discovery: bob shares the sources he follows in his
# peer.conf; alice (who follows bob) is offered them, and follows carol
# automatically only when carol's key is valid for her ([discovery] auto
# off / level:N / valid). dave's key is not valid for alice: only offered.
# unfollow is remembered: discovery does not add carol back.
. "$(dirname "$0")/lib.sh"

peer alice; peer bob; peer carol; peer dave
zone "$T/carol.zone" carol.wot. "@ IN A 192.0.2.3"
zone "$T/dave.zone" dave.wot. "@ IN A 192.0.2.4"
wd carol publish "$T/carol.zone" >/dev/null || exit 1
wd dave publish "$T/dave.zone" >/dev/null || exit 1
wd bob follow "$(repo carol)" --name carol >/dev/null 2>&1 || exit 1
wd bob follow "$(repo dave)" --name dave >/dev/null 2>&1 || exit 1
# bob certifies carol (and republishes keys/ and peer.conf)
wd bob sign-friend "$FPR_carol" >/dev/null || exit 1
wd alice follow "$(repo bob)" --name bob >/dev/null 2>&1 || exit 1
wd alice sign-friend "$FPR_bob" --trust full >/dev/null || exit 1
setauto() { printf '\n[discovery]\nauto = %s\n' "$1" >>"$T/alice/config"; }

# 1. auto = off: offered, not followed
setauto off
wd alice sync >/dev/null 2>&1
expect_eq "off: sync succeeds" "$?" "0"
out=$(wd alice sources --suggested)
expect_match "carol is suggested, offered by bob" "$out" \
	"carol  $(repo carol)
  key $FPR_carol \(full, level 2\)
  offered by bob
  auto-follow: no: \[discovery\] auto = off"
expect_match "dave is suggested, key not valid" "$out" \
	"dave  .*
  key $FPR_dave \(unknown\)
  offered by bob
  auto-follow: no: key validity unknown for you \(needs full\)"
expect_eq "off: carol not followed" "$(wd alice sources | grep -c '^carol')" "0"
json=$(wd alice sources --suggested --json)
expect_match "json lists carol with auto false" "$json" '"auto": false'

# 2. auto = level:1: carol is two steps away (alice -> bob -> carol)
sed -i '/^auto = /d' "$T/alice/config"; setauto level:1
wd alice sync >/dev/null 2>&1
expect_eq "level:1: carol not followed" \
	"$(wd alice sources | grep -c '^carol')" "0"
expect_match "level:1: explained" "$(wd alice sources --suggested)" \
	"auto-follow: no: key beyond \[discovery\] auto level"

# 3. auto = level:2 (then valid): carol followed, dave not
sed -i '/^auto = /d' "$T/alice/config"; setauto level:2
expect_match "level:2: carol would be followed" \
	"$(wd alice sources --suggested)" "auto-follow: yes"
out=$(wd alice sync 2>/dev/null)
expect_eq "level:2: sync succeeds" "$?" "0"
expect_match "sync reports the discovery" "$out" "discovered: 1 new source"
out=$(wd alice sources)
expect_match "carol followed, pinned, via bob" "$out" \
	"carol  $(repo carol)
  key $FPR_carol
  discovered via bob"
expect_eq "dave not followed" "$(printf '%s\n' "$out" | grep -c '^dave')" "0"
expect_match "sources.conf records it" "$(cat "$T/alice/sources.conf")" \
	"discovered = yes"
expect_match "carol's record resolves" "$(wd alice resolve carol.wot A)" \
	"192.0.2.3"
expect_eq "carol no longer suggested" \
	"$(wd alice sources --suggested | grep -c '^carol')" "0"
sed -i '/^auto = /d' "$T/alice/config"; setauto valid
out=$(wd alice sync 2>&1)
expect_match "valid: second sync, nothing new" "$out" "sources: 3 ok, 0 failed"

# 4. unfollow: gone, and not added back by discovery
out=$(wd alice unfollow carol)
expect_eq "unfollow succeeds" "$?" "0"
expect_eq "mirror removed" "$(ls "$T/alice/sources" | grep -c carol)" "0"
expect_eq "carol's record no longer served" \
	"$(wd alice resolve carol.wot A 2>/dev/null | grep -c 192.0.2.3)" "0"
wd alice sync >/dev/null 2>&1
expect_eq "sync does not re-add carol" "$(wd alice sources | grep -c '^carol')" "0"
expect_match "carol shown as ignored" "$(wd alice sources --suggested)" \
	"auto-follow: no: unfollowed by you \(ignored\)"
out=$(wd alice unfollow carol 2>&1)
expect_eq "unfollow of an unknown source exits 1" "$?" "1"
out=$(wd alice unfollow self 2>&1)
expect_eq "unfollow self exits 1" "$?" "1"
# following her by hand clears the ignore entry
wd alice follow "$(repo carol)" --name carol >/dev/null 2>&1
expect_eq "follow again" "$?" "0"
expect_eq "ignore entry cleared" "$(grep -c "^key $FPR_carol" "$T/alice/ignored")" "0"

# 5. a name already taken: the discovered source gets a suffix. alice
# follows erin under the name "dave", then bob certifies dave.
peer erin
wd erin publish "$T/carol.zone" >/dev/null 2>&1
wd alice follow "$(repo erin)" --name dave >/dev/null 2>&1 || fail "follow erin"
wd bob sign-friend "$FPR_dave" >/dev/null 2>&1
# first dave's repository is away: the failed try is recorded, and not
# repeated at every sync
mv "$(repo dave)" "$T/dave-away"
wd alice sync >/dev/null 2>&1
expect_eq "a failed auto-follow does not fail the sync" "$?" "0"
out=$(wd alice sources --suggested)
expect_match "the failure is shown" "$out" \
	"last try failed at .* UTC: .*$(repo dave)"
expect_match "and the retry delay" "$out" \
	"auto-follow: not before an hour after the last try"
mv "$T/dave-away" "$(repo dave)"
wd alice sync >/dev/null 2>&1
expect_eq "not retried within the hour" \
	"$(wd alice sources | grep -c '^dave-2')" "0"
rm "$T/alice/state/discovery.json" # as if the hour had passed
out=$(wd alice sync 2>/dev/null)
expect_match "dave now valid: followed" "$out" "discovered: 1 new source"
expect_match "under a free name" "$(wd alice sources)" \
	"dave-2  $(repo dave)
  key $FPR_dave
  discovered via bob"
expect_match "dave's record resolves" "$(wd alice resolve dave.wot A)" \
	"192.0.2.4"

wd alice sources --help | grep -q -- --suggested
expect_eq "sources --help" "$?" "0"
wd alice unfollow --help | grep -q ignored
expect_eq "unfollow --help" "$?" "0"
finish

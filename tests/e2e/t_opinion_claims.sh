#!/usr/bin/env bash
# Issue 7, second opinions: an honest peer on the other history of an
# equivocating source is never counted a liar. erin follows alice at a URL
# that later vanishes: the commit she names cannot be fetched from what she
# announces, so it stays "unplaced" (no proof either way, no weight lost)
# instead of becoming a lie after the last attempt. Once another known
# peer (frank) announces a URL that serves that history, the asker fetches
# it from there and keeps the equivocation as proof.
. "$(dirname "$0")/lib.sh"

NOUP=127.0.0.1:9

peer alice
soa='@ IN SOA ns.alice.wot. h.alice.wot. 1 3600 600 86400 60'
zone "$T/alice.zone" alice.wot. "$soa" "www IN A 192.0.2.10"
wd alice publish "$T/alice.zone" >/dev/null || exit 1
cp -r "$T/alice" "$T/alicefork" # the same key, a second history later
rm -f "$T/alicefork/gnupg/S."* "$T/alicefork/state/"*.sock
git clone -q --bare "$(repo alice)" "$T/erin-url.git"
git clone -q --bare "$(repo alice)" "$T/frank-url.git"

peer bob
wd bob follow "$(repo alice)" --name alice >/dev/null 2>&1 || exit 1
wd bob sign-friend "$FPR_alice" --trust full >/dev/null || exit 1
# unplaced claims verified again 0.5, 1.25, 2.5 s later instead of 2, 5,
# 10 (the schedule itself: test_peer_time's table)
printf '\n[opinion]\ntimeout = 1000\nunplaced-wait = 500\n' >>"$T/bob/config"
serve_peer bob
peer erin
wd erin follow "$T/erin-url.git" --name alice >/dev/null 2>&1 || exit 1
wd erin sign-friend "$FPR_alice" --trust full >/dev/null || exit 1
serve_peer erin
zone "$T/erin.zone" erin.wot. "@ IN A 192.0.2.2"
wd erin publish "$T/erin.zone" >/dev/null || exit 1
# frank runs no daemon (his endpoint does not answer): what matters is the
# URL his signed peer.conf announces for alice.
peer frank
wd frank follow "$T/frank-url.git" --name alice >/dev/null 2>&1 || exit 1
printf '\n[peer]\nendpoint = 127.0.0.1:9\n' >>"$T/frank/config"
zone "$T/frank.zone" frank.wot. "@ IN A 192.0.2.3"
wd frank publish "$T/frank.zone" >/dev/null || exit 1
for n in erin frank; do
	wd bob follow "$(repo $n)" --name $n >/dev/null 2>&1 ||
		{ echo "bob follow $n failed"; exit 1; }
done
reload() { wd "$1" sync >/dev/null 2>&1; kill -HUP "$(eval echo "\$PID_$1")"; }
reload bob

# ---- the other history, from a URL that is gone ---------------------------
zone "$T/fork.zone" alice.wot. "$soa" "www IN A 198.51.100.66"
wd alicefork publish "$T/fork.zone" >/dev/null || exit 1
git -C "$T/erin-url.git" fetch -q "$(repo alicefork)" +main:main
reload erin
wait_for "erin serves the other history" 10 sh -c \
	"'$W' --home '$T/bob' opinions --ask 127.0.0.1:$PEER_erin www.alice.wot A | grep -q 198.51.100.66"
mv "$T/erin-url.git" "$T/erin-url.gone"
zone "$T/alice.zone" alice.wot. "$soa" "www IN A 192.0.2.11"
wd alice publish "$T/alice.zone" >/dev/null || exit 1
reload bob
# Verified again after 0.5, 1.25 and 2.5 s: the last attempt decides.
wait_for "bob cannot place erin's commit and says why" 40 sh -c \
	"'$W' --home '$T/bob' opinions www.alice.wot A | grep -Eq '127.0.0.1:$PEER_erin +unplaced .*no URL the peer announces could be fetched'" ||
	{ wd bob opinions www.alice.wot A; sed 's/^/# bob: /' "$T/serve-bob.log" | tail -20; }
wd bob opinions www.alice.wot A | sed 's/^/# /'
if wd bob opinions www.alice.wot A | grep -Eq "127.0.0.1:$PEER_erin +lie"; then
	fail "erin, whose URL could not be fetched, is not called a liar"
else
	pass "erin, whose URL could not be fetched, is not called a liar"
fi
expect_match "... and keeps her weight" "$(wd bob status)" \
	"127.0.0.1:$PEER_erin .*weight 1"

# ---- another peer announces a URL with that history -----------------------
git -C "$T/frank-url.git" fetch -q "$(repo alicefork)" +main:main
zone "$T/alice.zone" alice.wot. "$soa" "www IN A 192.0.2.12"
wd alice publish "$T/alice.zone" >/dev/null || exit 1
reload bob
wait_for "bob fetches erin's commit from frank's URL: equivocation" 30 \
	sh -c "'$W' --home '$T/bob' evidence alice | grep -q 'alice: equivocation'" ||
	{ wd bob opinions www.alice.wot A; sed 's/^/# bob: /' "$T/serve-bob.log" | tail -20; }
expect_match "erin's answer is the proof, not a lie" \
	"$(wd bob opinions www.alice.wot A | tail -n 3)" \
	"127.0.0.1:$PEER_erin +equivocation"
if wd bob opinions www.alice.wot A | grep -Eq "127.0.0.1:$PEER_erin +lie"; then
	fail "erin is never judged a liar"
else
	pass "erin is never judged a liar"
fi

# ---- a neighbor round meets the other history ----------------------------
# carl asks no second opinions (k = 0): only his neighbor rounds, about
# records that do not change, can show him erin's history. He fetches the
# commit she names (from frank's URL) and keeps the proof.
peer carl
wd carl follow "$(repo alice)" --name alice >/dev/null 2>&1 || exit 1
wd carl sign-friend "$FPR_alice" --trust full >/dev/null || exit 1
for n in erin frank; do
	wd carl follow "$(repo $n)" --name $n >/dev/null 2>&1 || exit 1
done
wd carl sync >/dev/null 2>&1
printf '\n[opinion]\nk = 0\ntimeout = 1000\nneighbor-interval = 1\nneighbor-sample = 8\n' >>"$T/carl/config"
serve_peer carl
wait_for "carl's neighbor round proves the equivocation" 20 \
	sh -c "'$W' --home '$T/carl' evidence alice | grep -q 'alice: equivocation'" ||
	sed 's/^/# carl: /' "$T/serve-carl.log" | tail -20
expect_match "... and says so in his log" "$(cat "$T/serve-carl.log")" \
	"neighbors: source alice equivocates \(proof kept while looking for commit [0-9a-f]{12} named by 127.0.0.1:$PEER_erin\)"
expect_match "... with no second opinion asked" "$(wd carl status)" \
	"opinions: .*checks 0"

stop_peers bob erin carl
expect_clean_logs bob erin carl
finish

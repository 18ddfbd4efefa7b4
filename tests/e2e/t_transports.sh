#!/usr/bin/env bash
# follow over a local path, file:// and git:// (a git daemon on loopback),
# and owner-key pinning: --key, or the first commit's signer.
. "$(dirname "$0")/lib.sh"

peer alice
peer bob
zone "$T/alice.zone" alice.wot. "@ IN A 192.0.2.1"
wd alice publish "$T/alice.zone" >/dev/null

# git daemon on a free loopback port, exporting alice's home
for i in $(seq 1 20); do
	GPORT=$((20000 + RANDOM % 40000))
	git daemon --reuseaddr --listen=127.0.0.1 --port="$GPORT" \
		--base-path="$T" --export-all "$T" >"$T/gitd.log" 2>&1 &
	GPID=$!
	ok=0
	for _ in $(seq 1 30); do
		if git ls-remote "git://127.0.0.1:$GPORT/alice/own.git" >/dev/null 2>&1
		then ok=1; break; fi
		kill -0 $GPID 2>/dev/null || break
		sleep 0.1
	done
	[ $ok = 1 ] && { PIDS+=($GPID); break; }
	kill $GPID 2>/dev/null; wait $GPID 2>/dev/null
done
[ "${ok:-0}" = 1 ] || { fail "git daemon did not start"; finish; }

wd bob follow "$(repo alice)" --name by-path >/dev/null 2>&1
expect_eq "follow a local path" "$?" "0"
wd bob follow "file://$(repo alice)" --name by-file --key "$FPR_alice" >/dev/null 2>&1
expect_eq "follow file:// with --key" "$?" "0"
wd bob follow "git://127.0.0.1:$GPORT/alice/own.git" --name by-git >/dev/null 2>&1
expect_eq "follow git://" "$?" "0"
out=$(wd bob status)
for n in by-path by-file by-git; do
	expect_match "$n pinned to alice's key" "$out" \
		"$n .*
    key $FPR_alice"
done
wd bob sign-friend "$FPR_alice" >/dev/null
out=$(wd bob sync 2>&1)
expect_match "sync over all transports" "$out" "sources: 4 ok, 0 failed"
expect_match "alice.wot accepted" "$(wd bob resolve alice.wot A)" "192.0.2.1"

# A pinned key that is not the signer: refused, and nothing is added.
peer carol
out=$(wd carol follow "file://$(repo alice)" --name wrong --key "$FPR_bob" 2>&1)
expect_eq "follow with the wrong --key fails" "$?" "1"
expect_match "wrong key explained" "$out" "signed by $FPR_alice, not by the source owner $FPR_bob"
expect_eq "no source added" "$(wd carol status | grep -c '^  wrong')" "0"
expect_eq "no mirror left behind" "$(ls "$T/carol/sources" | grep -c wrong)" "0"
out=$(wd bob follow "$(repo alice)" --name again 2>&1)
expect_match "following one URL twice is refused" "$out" "already followed"
out=$(wd bob follow "$(repo alice)" --key nothex 2>&1)
expect_eq "a bad --key is refused" "$?" "1"
finish

#!/usr/bin/env bash
# Issue 14, section 6: the friction a new user hit, each as the user would
# see it (messages, exit codes, files, a README command that works).
. "$(dirname "$0")/lib.sh"

README=$(cd "$(dirname "$0")/../.." && pwd)/README.md
peer alice
peer bob
peer carol

# ---- a first publish commits a peer.conf ----------------------------------
zone "$T/alice.zone" alice.wot. "@ IN A 192.0.2.1"
wd alice publish "$T/alice.zone" >/dev/null || exit 1
pc=$(git --git-dir="$(repo alice)" show main:peer.conf 2>&1)
expect_match "a first publish commits a peer.conf" "$pc" '^# peer\.conf, published'
expect_eq "... with its [peer] section" "$(printf '%s\n' "$pc" | grep -c '^\[peer\]$')" "1"

# ---- follow a path that does not exist --------------------------------------
out=$(wd bob follow /nonexistent/repo.git 2>&1)
expect_eq "follow of a missing path exits 1" "$?" "1"
expect_match "... says the path does not exist" "$out" \
	"/nonexistent/repo.git: no such file or directory"
expect_eq "... names the path once" \
	"$(printf '%s' "$out" | grep -o /nonexistent/repo.git | wc -l)" "1"
expect_eq "... without libgit2's URL protocol error" \
	"$(printf '%s' "$out" | grep -c 'unsupported URL protocol')" "0"
expect_eq "... and follows nothing" "$(wd bob sources | grep -c repo.git)" "0"

# ---- sign-friend on a key that is not in the keyring yet --------------------
out=$(wd bob sign-friend "$FPR_alice" --trust full 2>&1)
expect_eq "sign-friend of an unknown key exits 1" "$?" "1"
expect_match "... says to follow first" "$out" \
	"no key matches '$FPR_alice' in your keyring; follow the friend's repository first"

# ---- sources --suggested with nothing to suggest ----------------------------
out=$(wd bob sources --suggested 2>&1)
expect_match "sources --suggested says there is nothing to suggest" "$out" \
	"^nothing to suggest"

# ---- a mirror added to a followed source, and removed -----------------------
wd bob follow "$(repo alice)" --name alice >/dev/null 2>&1 || exit 1
git clone -q --bare "$(repo alice)" "$T/mirror.git"
out=$(wd bob follow "$(repo alice)" --name alice --mirror "$T/mirror.git" 2>&1)
expect_match "follow on a followed name points to 'sources mirror add'" \
	"$out" "wotdns sources mirror add alice URL"
out=$(wd bob sources mirror add alice "$T/mirror.git" 2>&1)
expect_eq "sources mirror add exits 0" "$?" "0"
expect_eq "sources lists the mirror under alice" \
	"$(wd bob sources | grep -A1 "^alice  $(repo alice)$" | tail -n 1)" \
	"  mirror $T/mirror.git"
wd bob sync >/dev/null 2>&1
expect_eq "sync fetches the added mirror" "$(git --git-dir="$T/bob/sources/alice.git" \
	rev-parse refs/wotdns/fetched-m1/main 2>&1)" \
	"$(git --git-dir="$(repo alice)" rev-parse main)"
wd bob sources mirror add alice "$T/mirror.git" >/dev/null 2>&1
expect_eq "adding it twice is refused" "$?" "1"
wd bob sources mirror add alice "$T/nowhere.git" >/dev/null 2>&1
expect_eq "a mirror path that does not exist is refused" "$?" "1"
wd bob sources mirror add nobody "$T/mirror.git" >/dev/null 2>&1
expect_eq "a mirror for an unknown source is refused" "$?" "1"
wd bob sources mirror remove alice "$(repo alice)" >/dev/null 2>&1
expect_eq "the primary URL is no mirror to remove" "$?" "1"
wd bob sources mirror remove alice "$T/mirror.git" >/dev/null || fail "remove"
expect_eq "sources mirror remove takes it away" \
	"$(wd bob sources | grep -c mirror)" "0"
expect_match "sources --help documents 'mirror add'" \
	"$(wd bob sources --help)" "sources mirror add\|remove NAME URL"

# ---- a marginally valid signer: the words of 'trust' -----------------------
# carol trusts bob marginally; bob certified alice: alice is marginal for
# carol, and one marginal introducer is not enough (3 are needed).
wd bob sign-friend "$FPR_alice" --trust full >/dev/null || exit 1
wd carol follow "$(repo bob)" --name bob >/dev/null 2>&1 || exit 1
wd carol follow "$(repo alice)" --name alice >/dev/null 2>&1 || exit 1
wd carol sign-friend "$FPR_bob" --trust marginal >/dev/null || exit 1
wd carol sync >/dev/null 2>&1
expect_match "trust shows alice marginally valid" \
	"$(wd carol trust | grep -A2 "$FPR_alice")" "validity marginal"
expect_match "resolve says the same word, and what is needed" \
	"$(wd carol resolve alice.wot A 2>&1)" \
	"rejected: untrusted signer: validity marginal \(needs full\)"

# ---- one contested name is one conflict -------------------------------------
# alice and bob, both fully trusted by carol now, publish the same new name
# at once: a tie, both claims rejected, one conflict.
wd carol sign-friend "$FPR_bob" --trust full >/dev/null || exit 1
wd carol sign-friend "$FPR_alice" --trust full >/dev/null || exit 1
zone "$T/alice.zone" alice.wot. "@ IN A 192.0.2.1"
zone "$T/tie-a.zone" tie.wot. "@ IN A 192.0.2.10"
zone "$T/tie-b.zone" tie.wot. "@ IN A 192.0.2.20"
wd alice publish "$T/alice.zone" "$T/tie-a.zone" >/dev/null || exit 1
wd bob publish "$T/tie-b.zone" >/dev/null || exit 1
sout=$(wd carol sync 2>/dev/null)
out=$(wd carol conflicts)
expect_eq "both claims on tie.wot lost" \
	"$(printf '%s\n' "$out" | grep -c '^tie.wot.: conflict')" "2"
expect_match "conflicts counts one conflict for one contested name" "$out" \
	"^1 conflict \(2 claims rejected\)$"
expect_match "status counts it once" "$(wd carol status)" "conflicts: 1$"
expect_match "sync counts it once" "$sout" "conflicts: 1$"

# ---- the README's git daemon hint works as written --------------------------
cmds=$(sed -n '/^touch .*git-daemon-export-ok/p; /^git daemon /p' "$README")
expect_match "the README marks own.git export-ok" "$cmds" \
	"git-daemon-export-ok"
rm -f "$(repo alice)/git-daemon-export-ok"
(H="$T/alice"; eval "$(printf '%s\n' "$cmds" | grep '^touch')")
for i in $(seq 1 20); do
	GPORT=$((20000 + RANDOM % 40000))
	# as written, on loopback and a free port instead of 9418
	line=$(printf '%s\n' "$cmds" | grep '^git daemon' | sed "s/#.*//;
		s/^git daemon /git daemon --listen=127.0.0.1 --port=$GPORT /")
	(H="$T/alice"; eval "exec $line") >"$T/gitd.log" 2>&1 &
	GPID=$!
	ok=0
	for _ in $(seq 1 30); do
		if git ls-remote "git://127.0.0.1:$GPORT/own.git" >/dev/null 2>&1
		then ok=1; break; fi
		kill -0 $GPID 2>/dev/null || break
		sleep 0.1
	done
	[ $ok = 1 ] && { PIDS+=($GPID); break; }
	grep -q "Address already in use" "$T/gitd.log" || break
	kill $GPID 2>/dev/null; wait $GPID 2>/dev/null
done
expect_eq "the README's git daemon serves own.git" "$ok" "1"
peer dave
out=$(wd dave follow "git://127.0.0.1:$GPORT/own.git" --name alice 2>&1)
expect_eq "... and a friend follows it over git://" "$?" "0"

# ---- the home lock: say what is waited for, give up after a while -----------
# The holder is one process (no child of flock's left holding the lock).
(exec 9>>"$T/alice/lock" && flock 9 && exec sleep 60) >/dev/null 2>&1 &
LPID=$!
PIDS+=($LPID)
wait_for "a test process holds alice's home lock" 5 \
	sh -c "! flock -n '$T/alice/lock' true"
# by default it waits (60 s), but says so at once
"$W" --home "$T/alice" publish "$T/alice.zone" >/dev/null 2>"$T/wait.err" &
WPID=$!
PIDS+=($WPID)
wait_for "a waiting publish says what it waits for" 3 \
	grep -q "waiting for the home lock $T/alice/lock" "$T/wait.err"
expect_alive "... and keeps waiting" "$WPID"
stop_pid "$WPID"
start=$(date +%s)
out=$(timeout 20 "$W" --home "$T/alice" publish --lock-wait 2 \
	"$T/alice.zone" 2>&1)
rc=$?
took=$(($(date +%s) - start))
expect_eq "publish with the lock held gives up (exit 1)" "$rc" "1"
expect_match "... after about the --lock-wait seconds" "$took" "^[234]$"
expect_eq "... says once what it waits for" \
	"$(printf '%s\n' "$out" | grep -c 'waiting for the home lock')" "1"
expect_match "... and why it gave up" "$out" \
	"home lock $T/alice/lock is still held by another wotdns process after 2 s"
out=$(timeout 20 "$W" --home "$T/alice" --lock-wait 1 sync 2>&1)
expect_eq "sync takes the global --lock-wait too" "$?" "1"
expect_match "... and says why" "$out" "still held .* after 1 s"
expect_match "wotdns --help documents --lock-wait" "$("$W" --help)" \
	"--lock-wait SEC"
"$W" --home "$T/alice" --lock-wait soon status >/dev/null 2>&1
expect_eq "a bad --lock-wait is a usage error" "$?" "2"
stop_pid "$LPID"

# ---- bad values exit 2 ------------------------------------------------------
out=$("$W" --home "" status 2>&1)
expect_eq "--home '' exits 2" "$?" "2"
expect_match "... and says why" "$out" "--home wants a directory"
"$W" status --home "" >/dev/null 2>&1
expect_eq "a command's --home '' exits 2" "$?" "2"
out=$(timeout 10 "$W" --home "$T/alice" serve --listen 127.0.0.1:99999 2>&1)
expect_eq "serve --listen 127.0.0.1:99999 exits 2" "$?" "2"
expect_match "... naming the bad port" "$out" "bad port in '127.0.0.1:99999'"
timeout 10 "$W" --home "$T/alice" serve --upstream 'not an address' \
	>/dev/null 2>&1
expect_eq "serve --upstream with a bad address exits 2" "$?" "2"

# ---- an unusable signing key is named, with the reason ----------------------
zone "$T/x.zone" x.wot. "@ IN A 192.0.2.99"
peer exp
gpg --homedir "$T/exp/gnupg" --batch --quick-set-expire "$FPR_exp" \
	seconds=1 >/dev/null 2>&1
wait_for "gpg sees exp's key expire" 5 sh -c "gpg --homedir '$T/exp/gnupg' \
	--with-colons --list-keys $FPR_exp 2>/dev/null | grep -q '^pub:e:'"
out=$(wd exp publish "$T/x.zone" 2>&1)
expect_eq "publish with an expired key exits 1" "$?" "1"
expect_match "... names the key and says it expired" "$out" \
	"cannot sign with key $FPR_exp: it has expired"
peer rev
sed 's/^:-----/-----/' "$T/rev/gnupg/openpgp-revocs.d/$FPR_rev.rev" |
	gpg --homedir "$T/rev/gnupg" --batch --import >/dev/null 2>&1
out=$(wd rev publish "$T/x.zone" 2>&1)
expect_eq "publish with a revoked key exits 1" "$?" "1"
expect_match "... names the key and says it is revoked" "$out" \
	"cannot sign with key $FPR_rev: it is revoked"

finish

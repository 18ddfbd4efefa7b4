#!/usr/bin/env bash
# Issue 13 item 10: a long signed history. alice's repository holds N
# commits (default 1000), each signed by her; carol's [limits] commits is
# set to exactly the number of new commits, so this is the default
# 10,000-commit limit scaled down. The first sync verifies every commit
# and accepts the tip; a later sync verifies nothing again; one more
# commit on top is verified alone. Times are printed; HISTORY=10000 bash
# tests/e2e/t_history.sh measures the full size by hand (2.5 minutes to
# verify here: one gpg process per commit), too long for the suite.
. "$(dirname "$0")/lib.sh"

N=${HISTORY:-1000}
peer alice
peer carol
zone "$T/alice.zone" alice.wot. "@ IN A 192.0.2.1"
wd alice publish "$T/alice.zone" >/dev/null || exit 1
# extend REPO COUNT: COUNT commits on top of main, same tree, each signed
# by alice's key (wot_signchain: her gpg-agent signs them over one
# connection, not one gpg process per commit as git commit-tree -S would)
extend() {
	python3 "$(dirname "$0")/../tools/wot_signchain.py" "$1" \
		"$T/alice/gnupg" "$FPR_alice" "$2" >/dev/null ||
		fail "signing $2 commits"
}
ALICE=$(repo alice)
have=$(git --git-dir="$ALICE" rev-list --count main)
s0=$(date +%s%N)
extend "$ALICE" $((N - have))
echo "# signed $((N - have)) commits in $((($(date +%s%N) - s0) / 1000000)) ms"
expect_eq "alice's history has $N commits" "$(git --git-dir="$ALICE" rev-list --count main)" "$N"

printf '\n[limits]\ncommits = %s\n' "$N" >>"$T/carol/config"
s0=$(date +%s%N)
wd carol follow "$ALICE" --name alice >/dev/null 2>&1 || fail "follow"
wd carol sign-friend "$FPR_alice" --trust full >/dev/null || exit 1
out=$(wd carol sync 2>&1)
rc=$?
ms=$((($(date +%s%N) - s0) / 1000000))
echo "# follow (fetch, verify $N commits) and first sync: $ms ms"
FIRST=$ms
expect_eq "the whole history syncs" "$rc" 0
expect_eq "carol's verified head is alice's tip" \
	"$(wd carol status | awk '/^  alice/ { a = 1 } a && /verified/ { print $2; exit }')" \
	"$(git --git-dir="$ALICE" rev-parse main)"
expect_match "alice.wot is accepted" "$(wd carol resolve alice.wot A)" "192.0.2.1"

s0=$(date +%s%N)
wd carol sync >/dev/null 2>&1
ms=$((($(date +%s%N) - s0) / 1000000))
echo "# no-change sync: $ms ms"
if [ $((ms * 5)) -lt "$FIRST" ]; then pass "a sync with nothing new verifies nothing again"
else fail "a sync with nothing new took $ms ms, the whole history $FIRST ms"; fi

zone "$T/alice.zone" alice.wot. "@ IN A 192.0.2.1" "www IN A 192.0.2.2"
wd alice publish "$T/alice.zone" >/dev/null || exit 1
s0=$(date +%s%N)
out=$(wd carol sync 2>&1)
rc=$?
ms=$((($(date +%s%N) - s0) / 1000000))
echo "# one new commit on a $N-commit history: $ms ms"
expect_eq "one commit more syncs" "$rc" 0
if [ $((ms * 5)) -lt "$FIRST" ]; then pass "... and costs one verification, not $N"
else fail "one new commit took $ms ms, the whole history $FIRST ms"; fi
expect_match "... its record is served" "$(wd carol resolve www.alice.wot A)" "192.0.2.2"

for p in alice carol; do gpgconf --homedir "$T/$p/gnupg" --kill all; done
finish

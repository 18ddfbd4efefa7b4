#!/usr/bin/env bash
# A running daemon's reload after one source changed reads only the shards
# that source's change rewrote (the rest of the served set is shared): the
# new record is served, every other source's records still are, and the
# answers for names of one label, above every shard, stay the same.
. "$(dirname "$0")/lib.sh"

peer me
for p in p1 p2 p3; do peer "$p"; done
# Our own zone at wot.: its apex is in the top shard, the names it
# delegates below it each in their own.
zone "$T/me.zone" wot. "@ IN SOA ns.wot. host.wot. 1 3600 600 86400 60" \
	"@ IN TXT \"top\"" \
	"_wotdns.p1 IN TXT \"v=wotdns1; delegate=$FPR_p1\"" \
	"_wotdns.p2 IN TXT \"v=wotdns1; delegate=$FPR_p2\"" \
	"_wotdns.p3 IN TXT \"v=wotdns1; delegate=$FPR_p3\""
wd me publish "$T/me.zone" >/dev/null || exit 1
for p in p1 p2 p3; do
	zone "$T/$p.zone" "$p.wot." "@ IN A 192.0.2.1" "www IN A 192.0.2.2" \
		"a.b IN A 192.0.2.3"
	wd "$p" publish "$T/$p.zone" >/dev/null || exit 1
	wd me follow "$(repo "$p")" --name "$p" >/dev/null 2>&1 || exit 1
	wd me sign-friend "$(eval echo "\$FPR_$p")" --trust full >/dev/null ||
		exit 1
done
wd me sync >/dev/null 2>&1 || exit 1
start_upstream
start_serve me --upstream "$UPSTREAM" --sync-interval 0 -v
LOG="$T/serve-me.log"

# status, answer and authority counts of one query
shape() { qfull "$@" | grep -Eo 'status: [A-Z]+|(ANSWER|AUTHORITY): [0-9]+' | tr '\n' ' '; }
check_all() {
	local p
	for p in p1 p2 p3; do
		[ "$p" = "$1" ] && continue
		expect_eq "$p's record served ($2)" "$(q www.$p.wot A)" "192.0.2.2"
		expect_eq "$p's name below an ENT ($2)" "$(q a.b.$p.wot A)" "192.0.2.3"
	done
}
expect_match "the first load reads every shard" "$(cat "$LOG")" \
	"accepted set [0-9]+: read 4 of 4 shards"
expect_eq "wot. itself" "$(q wot TXT)" '"top"'
WOT_A=$(shape wot A)
expect_match "wot. has no A: NODATA with its SOA" "$WOT_A" \
	"status: NOERROR ANSWER: 0 AUTHORITY: 1"
NX=$(shape nothere.wot A)
expect_match "a name no shard holds: NXDOMAIN from wot." "$NX" \
	"status: NXDOMAIN ANSWER: 0 AUTHORITY: 1"
expect_match "an empty non-terminal in a source's shard: NODATA" \
	"$(shape b.p1.wot A)" "status: NOERROR ANSWER: 0 AUTHORITY: 1"
check_all "" "before"

# p2 publishes a change; a sync of p2 alone, then SIGHUP.
zone "$T/p2.zone" p2.wot. "@ IN A 192.0.2.1" "www IN A 192.0.2.22" \
	"a.b IN A 192.0.2.3" "new IN A 192.0.2.23"
wd p2 publish "$T/p2.zone" >/dev/null
wd me sync p2 >/dev/null 2>&1
expect_eq "no reload yet: the old answer" "$(q www.p2.wot A)" "192.0.2.2"
kill -HUP "$SERVE_PID"
wait_for "SIGHUP serves p2's change" 10 \
	bash -c "[ \"\$(dig +short @127.0.0.1 -p $PORT www.p2.wot A)\" = 192.0.2.22 ]"
expect_eq "p2's new name" "$(q new.p2.wot A)" "192.0.2.23"
expect_match "only p2's shard and top are read again" "$(cat "$LOG")" \
	"read 2 of 4 shards"
check_all p2 "after"
expect_eq "wot. unchanged after the reload" "$(shape wot A)" "$WOT_A"
expect_eq "NXDOMAIN below wot. unchanged" "$(shape nothere.wot A)" "$NX"
N=$(accepted_zone me | grep -cE '[[:space:]]IN[[:space:]]')
expect_match "the reload counts every shard's records" "$(cat "$LOG")" \
	"reloaded $N records"

# A reload with nothing changed reads nothing.
kill -HUP "$SERVE_PID"
wait_for "a second reload" 5 bash -c "[ \$(grep -c 'reloaded $N records' '$LOG') = 2 ]"
expect_eq "nothing read when nothing changed" \
	"$(grep -c 'read [0-9]* of' "$LOG")" "2"

# Shared parts are released exactly once (a sanitizer build reports
# leaks and double frees in the exit status and the log).
kill -TERM "$SERVE_PID"
wait "$SERVE_PID"
expect_eq "daemon exits 0" "$?" "0"
expect_eq "no sanitizer report" "$(grep -c 'Sanitizer' "$LOG")" "0"
finish

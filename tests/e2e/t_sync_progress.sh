#!/usr/bin/env bash
# wotdns sync: quiet in scripts (the summary line only), a progress line
# (sources done/total, objects, bytes) on a terminal or with --progress,
# nothing but failures with --quiet.
. "$(dirname "$0")/lib.sh"

peer alice; peer bob; peer carol
publish() { zone "$T/a.zone" alice.wot. "@ IN A $1"; wd alice publish "$T/a.zone" >/dev/null || exit 1; }
publish 192.0.2.1
wd bob follow "file://$(repo alice)" --name alice >/dev/null 2>&1 || exit 1
wd bob follow "$(repo carol)" --name carol >/dev/null 2>&1 || exit 1

publish 192.0.2.2
wd bob sync >"$T/out" 2>"$T/err"
expect_eq "not a terminal: sync exits 0" "$?" "0"
expect_eq "not a terminal: nothing on stderr" "$(cat "$T/err")" ""
expect_eq "not a terminal: one summary line" "$(wc -l <"$T/out")" "1"
expect_match "summary counts the sources" "$(cat "$T/out")" \
	"^sources: 3 ok, 0 failed; records: [0-9]+; conflicts: 0$"

publish 192.0.2.3
wd bob sync --progress >"$T/out" 2>"$T/err"
expect_match "--progress: sources, objects and bytes" "$(cat "$T/err")" \
	"sync: 3/3 sources, [1-9][0-9]* objects, [0-9.]+ (B|KiB|MiB)"
expect_match "--progress: a line per source" "$(head -n 1 "$T/err")" \
	"^sync: 1/3 sources"

out=$(wd bob sync --quiet 2>&1)
expect_eq "--quiet: exit 0" "$?" "0"
expect_eq "--quiet: no output" "$out" ""
out=$(wd bob sync --quiet --progress 2>&1)
expect_eq "--quiet with --progress is a usage error" "$?" "2"

# on a terminal (script(1) gives sync a pty): one line redrawn in place
if command -v script >/dev/null; then
	publish 192.0.2.4
	script -qec "'$W' --home '$T/bob' sync" /dev/null >"$T/tty" 2>&1
	expect_match "terminal: progress line redrawn in place" \
		"$(tr '\r' '\n' <"$T/tty")" "sync: 3/3 sources, [0-9]+ objects"
	expect_eq "terminal: redrawn with CR, not new lines" \
		"$(grep -c 'sync: [0-9]/3 sources' "$T/tty")" "1"
else
	echo "# script(1) missing: terminal case skipped"
fi

# a failing source is shown even when quiet
mv "$(repo carol)" "$T/carol-gone"
wd bob sync >"$T/out" 2>"$T/err"
expect_eq "failure: exit 1" "$?" "1"
expect_match "failure: named on stderr" "$(cat "$T/err")" "carol: FAILED: "
wd bob sync --quiet >"$T/out" 2>"$T/err"
expect_match "failure: named even with --quiet" "$(cat "$T/err")" "carol: FAILED: "
expect_eq "failure with --quiet: no summary" "$(cat "$T/out")" ""
mv "$T/carol-gone" "$(repo carol)"
finish

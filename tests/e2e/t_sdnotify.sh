#!/usr/bin/env bash
# Issue 14 (service): under systemd (Type=notify), serve says READY=1 only
# once it answers, RELOADING=1 then READY=1 around a SIGHUP reload,
# WATCHDOG=1 at half the watchdog interval, STOPPING=1 on SIGTERM; with
# its stderr as the journal's stream (JOURNAL_STREAM) its log lines carry
# sd-daemon priority prefixes. The notification socket is a real AF_UNIX
# datagram socket this test owns, as systemd's is.
. "$(dirname "$0")/lib.sh"

peer alice
zone "$T/alice.zone" alice.wot. "@ IN A 192.0.2.1"
wd alice publish "$T/alice.zone" >/dev/null || exit 1
wd alice sync >/dev/null 2>&1
start_upstream

# notify_listen NAME: a datagram socket at $T/NAME.sock logging every
# message to $T/NAME.log as one line (newlines as '|'), flushed at once.
notify_listen() {
	python3 -u - "$T/$1.sock" "$T/$1.log" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a") as log:
    while True:
        msg = s.recv(4096).decode()
        log.write(msg.replace("\n", "|") + "\n")
        log.flush()
PY
	PIDS+=($!)
	for _ in $(seq 1 50); do [ -S "$T/$1.sock" ] && return 0; sleep 0.1; done
	echo "no notify socket"; exit 1
}
# The watchdog is for this process only: WATCHDOG_PID is serve's own pid,
# which a wrapper knows as it execs it.
REAL_W=$W
cat >"$T/wrap" <<WEOF
#!/bin/sh
export WATCHDOG_PID=\$\$
exec "$REAL_W" "\$@"
WEOF
chmod +x "$T/wrap"
# lines N: the messages received so far.
lines() { cat "$T/$1.log" 2>/dev/null; }
count() { grep -c -- "$2" "$T/$1.log" 2>/dev/null; }

# --- READY only when the listener answers -----------------------------
notify_listen n1
W=$T/wrap NOTIFY_SOCKET=$T/n1.sock WATCHDOG_USEC=400000 \
	start_serve alice --upstream "$UPSTREAM" --sync-interval 0
wait_for "READY=1 arrives" 10 grep -q 'READY=1' "$T/n1.log"
# The first message is READY: nothing was announced before it, and the
# address it names answers overlay names at that moment.
first=$(grep -v '^WATCHDOG=1$' "$T/n1.log" | head -n 1)
expect_match "READY=1 with a status naming records and address" "$first" \
	"^READY=1\|STATUS=serving [1-9][0-9]* records on 127\.0\.0\.1:$PORT$"
N=$(sed -n 's/.*serving \([0-9]*\) records.*/\1/p' <<<"$first")
expect_eq "and the overlay answers once READY=1 is sent" \
	"$(q alice.wot A)" "192.0.2.1"
expect_match "the listener was logged before READY" \
	"$(cat "$T/serve-alice.log")" "listening on 127\.0\.0\.1:$PORT"

# --- the watchdog: WATCHDOG_USEC 400 ms, so a pet every 200 ms -------
c1=$(count n1 '^WATCHDOG=1$'); t1=$(date +%s%N)
sleep 2
c2=$(count n1 '^WATCHDOG=1$'); t2=$(date +%s%N)
want=$(((t2 - t1) / 200000000)) # pets due in the time that passed
n=$((c2 - c1))
[ "$n" -ge $((want / 2)) ] && [ "$n" -le $((want + 2)) ] && [ "$want" -ge 4 ] &&
	pass "WATCHDOG=1 repeats at half the interval ($n, $want due)" ||
	fail "WATCHDOG=1 repeats at half the interval: $n, $want due"

# --- reload: RELOADING=1 then READY=1 ---------------------------------
echo 'www IN A 192.0.2.9' >>"$T/alice.zone"
wd alice publish "$T/alice.zone" >/dev/null
wd alice sync >/dev/null 2>&1
before=$(grep -cv '^WATCHDOG=1$' "$T/n1.log")
kill -HUP "$SERVE_PID"
for _ in $(seq 1 50); do
	[ "$(grep -cv '^WATCHDOG=1$' "$T/n1.log")" -ge $((before + 2)) ] && break
	sleep 0.1
done
expect_eq "SIGHUP: RELOADING=1, then READY=1 with the new count" \
	"$(grep -v '^WATCHDOG=1$' "$T/n1.log" | tail -n +$((before + 1)) | tr '\n' ' ')" \
	"RELOADING=1 READY=1|STATUS=reloaded, serving $((N + 1)) records "
expect_eq "the reloaded record answers" "$(q www.alice.wot A)" "192.0.2.9"

# A reload that fails still ends in READY=1 (else systemd would hold the
# unit in "reloading"), with the failure as the status.
cp "$T/alice/state/accepted/manifest" "$T/manifest.good"
echo 'garbage line' >"$T/alice/state/accepted/manifest"
before=$(grep -cv '^WATCHDOG=1$' "$T/n1.log")
kill -HUP "$SERVE_PID"
for _ in $(seq 1 50); do
	[ "$(grep -cv '^WATCHDOG=1$' "$T/n1.log")" -ge $((before + 2)) ] && break
	sleep 0.1
done
expect_match "a failed reload: RELOADING=1, READY=1 and why" \
	"$(grep -v '^WATCHDOG=1$' "$T/n1.log" | tail -n +$((before + 1)) | tr '\n' ' ')" \
	"^RELOADING=1 READY=1\|STATUS=reload failed, serving $((N + 1)) records: .*manifest:1: not a manifest line $"
expect_eq "and the old records still answer" "$(q www.alice.wot A)" "192.0.2.9"
cp "$T/manifest.good" "$T/alice/state/accepted/manifest"

# --- SIGTERM: STOPPING=1, and no pet after it -------------------------
kill -TERM "$SERVE_PID"
wait "$SERVE_PID"
expect_eq "serve exits 0 on SIGTERM" "$?" "0"
expect_match "SIGTERM: STOPPING=1 is the last message" \
	"$(tail -n 1 "$T/n1.log")" "^STOPPING=1\|STATUS=shutting down$"

# --- no watchdog for another pid, no READY when start fails -----------
notify_listen n2
NOTIFY_SOCKET=$T/n2.sock WATCHDOG_USEC=200000 WATCHDOG_PID=1 \
	start_serve alice --upstream "$UPSTREAM" --sync-interval 0
wait_for "READY=1 arrives without a watchdog" 10 grep -q 'READY=1' "$T/n2.log"
sleep 0.6
expect_eq "WATCHDOG_PID of another process: READY=1 and no pet" \
	"$(count n2 '^READY=1') $(count n2 '^WATCHDOG=1$')" "1 0"
stop_serve
notify_listen n3
NOTIFY_SOCKET=$T/n3.sock "$W" --home "$T/nohome" serve --listen 127.0.0.1:0 \
	>"$T/nohome.log" 2>&1
expect_eq "serve on a home that does not exist fails" "$?" "1"
expect_eq "and never says READY=1" "$(count n3 'READY=1')" "0"

# --- journal priorities -----------------------------------------------
# journal_serve ARGS: serve alice with stderr in serve-alice.log and
# JOURNAL_STREAM naming that file (as systemd names the journal's socket).
: >"$T/serve-alice.log"
JS=$(stat -c '%d:%i' "$T/serve-alice.log")
rm -f "$T/alice/state/serve.sock"
touch "$T/alice/state/serve.sock" # a stray file: a warning
notify_listen n4 # READY=1: signals are handled from then on
JOURNAL_STREAM=$JS NOTIFY_SOCKET=$T/n4.sock start_serve alice \
	--upstream "$UPSTREAM" --sync-interval 0 --verbose
wait_for "READY=1 with JOURNAL_STREAM set" 10 grep -q 'READY=1' "$T/n4.log"
echo garbage >"$T/alice/state/accepted/manifest"
kill -HUP "$SERVE_PID" # an error
wait_for "the failed reload is logged" 5 grep -q 'reload:' "$T/serve-alice.log"
cp "$T/manifest.good" "$T/alice/state/accepted/manifest"
stop_serve
log=$(cat "$T/serve-alice.log")
expect_match "notice: <5>" "$log" "^<5>\[dns\] listening on 127\.0\.0\.1:$PORT"
expect_match "info: <6>" "$log" "^<6>\[dns\] upstream $UPSTREAM"
expect_match "warning: <4>" "$log" "^<4>\[dns\] no control socket"
expect_match "error: <3>" "$log" "^<3>\[dns\] reload: "
expect_eq "every line has a priority and no level word" \
	"$(grep -Evc '^<[3-7]>\[[a-z]+\] ' "$T/serve-alice.log")" "0"
expect_eq "and no repeated program name" "$(grep -c 'wotdns\[' "$T/serve-alice.log")" "0"

# JOURNAL_STREAM naming another file (stderr redirected under systemd):
# plain lines, as without it.
JOURNAL_STREAM=$(stat -c '%d:%i' "$T/alice.zone") start_serve alice \
	--upstream "$UPSTREAM" --sync-interval 0
stop_serve
expect_match "stderr not the journal's stream: plain lines" \
	"$(head -n 1 "$T/serve-alice.log")" "^wotdns\[dns\] (notice|warning): "
expect_eq "and no prefix" "$(grep -c '^<' "$T/serve-alice.log")" "0"
start_serve alice --upstream "$UPSTREAM" --sync-interval 0
stop_serve
expect_eq "no JOURNAL_STREAM: no prefix" "$(grep -c '^<' "$T/serve-alice.log")" "0"
expect_match "no JOURNAL_STREAM: level words" "$(cat "$T/serve-alice.log")" \
	"wotdns\[dns\] notice: listening on"
finish

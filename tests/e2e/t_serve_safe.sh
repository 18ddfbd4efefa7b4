#!/usr/bin/env bash
# serve never starts into a broken state (issue 14, section 2):
# - no usable upstream (resolv.conf naming only the daemon itself, or a
#   stub that forwards back to it: a real unbound, as systemd-resolved
#   would be): serve refuses to start, exit 1, one line naming the fix;
#   --no-upstream serves the overlay alone (REFUSED outside it);
# - a forwarding loop that appears at run time (a real unbound turned
#   into a forwarder to the daemon after the start) is found: that
#   upstream is no longer used, the client still gets its answer from the
#   other upstream, one log line, and `wotdns status` shows it;
# - names under a TLD only the overlay has, that no record holds, are
#   answered NXDOMAIN here: a recording upstream (wot_fakedns --log) sees
#   none of them, and sees the normal names.
# The start-up cases run in a network + mount namespace (unshare -mn), so
# the daemon can own 127.0.0.1:53 and /etc/resolv.conf is a test file.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ns.sh"

peer zed
zone "$T/zed.zone" zed.wot. "@ IN A 192.0.2.10" "www IN A 192.0.2.11" \
	"gone IN CNAME nobody.wot." \
	"a.b.c IN A 192.0.2.30"
wd zed publish "$T/zed.zone" >/dev/null && wd zed sync >/dev/null 2>&1

# ub_conf FILE ADDR PORT FWDPORT: unbound on ADDR@PORT forwarding every
# name to 127.0.0.1@FWDPORT, logging the questions it gets.
ub_conf() {
	cat >"$1" <<UEOF
server:
  interface: $2@$3
  port: $3
  do-daemonize: no
  chroot: ""
  username: ""
  directory: "$T"
  pidfile: ""
  use-syslog: no
  logfile: "$1.log"
  log-queries: yes
  do-ip6: no
  access-control: 127.0.0.0/8 allow
  module-config: "iterator"
  do-not-query-localhost: no
  infra-keep-probing: yes
  cache-max-ttl: 0
  cache-max-negative-ttl: 0
forward-zone:
  name: "."
  forward-addr: 127.0.0.1@$4
remote-control:
  control-enable: no
UEOF
}

# stop_clean: stop serve; its log holds no sanitizer report.
stop_clean() {
	stop_serve
	if grep -q "Sanitizer\|runtime error" "$T/serve-zed.log"; then
		fail "no sanitizer report from serve"; cat "$T/serve-zed.log"
	fi
}

# in_ns SCRIPT: run bash SCRIPT in a fresh network and mount namespace
# with lo up and $T/resolv.conf over /etc/resolv.conf.
in_ns() {
	# (a list of its own: "A && B && cmd &" would background the list,
	# and $! would not be cmd's)
	wot_unshare -mn bash -c "{ ip link set lo up &&
		mount --bind '$T/resolv.conf' /etc/resolv.conf; } || exit 1
		$1"
}

# --- 1. refusal at start --------------------------------------------------
echo "nameserver 127.0.0.1" >"$T/resolv.conf"
out=$(in_ns "timeout 10 '$W' --home '$T/zed' serve --listen 127.0.0.1:53 \
	--sync-interval 0 2>&1; echo \"exit=\$?\"")
expect_match "resolv.conf naming only itself: exit 1" "$out" "exit=1$"
expect_match "... one line saying why and what to do" "$out" \
	"^wotdns: serve: no usable upstream: /etc/resolv.conf names only 127\.0\.0\.1:53 \(this daemon\); set \[serve\] upstream in .*/zed/config, or run 'wotdns desktop setup', or pass --no-upstream to serve only the overlay$"
expect_eq "... and nothing else" "$(printf '%s\n' "$out" | grep -vc '^exit=')" 1

# A stub on 127.0.0.53 forwarding everything to the daemon (as a
# systemd-resolved with DNS=127.0.0.1 would): the probe finds the loop.
echo "nameserver 127.0.0.53" >"$T/resolv.conf"
ub_conf "$T/stub.conf" 127.0.0.53 53 53
out=$(in_ns "unbound -d -c '$T/stub.conf' >'$T/stub.out' 2>&1 & ub=\$!
	for i in \$(seq 1 50); do
		dig +time=1 +tries=1 @127.0.0.53 . SOA >/dev/null 2>&1 && break
		sleep 0.1
	done
	s=\$(date +%s%N)
	timeout 10 '$W' --home '$T/zed' serve --listen 127.0.0.1:53 \
		--sync-interval 0 2>&1; echo \"exit=\$?\"
	echo \"took=\$(( (\$(date +%s%N) - s) / 1000000 ))\"
	kill \$ub; wait \$ub")
expect_match "a stub forwarding back to us: exit 1" "$out" "^exit=1$"
expect_match "... naming the loop and the fix" "$out" \
	"no usable upstream: 127\.0\.0\.53:53 sends our questions back to this daemon \(a forwarding loop\); set \[serve\] upstream in .*, or run 'wotdns desktop setup', or pass --no-upstream"
took=$(printf '%s\n' "$out" | sed -n 's/^took=//p')
expect_eq "... found within the probe's deadline (${took} ms)" \
	"$([ "${took:-9999}" -lt 3000 ] && echo yes)" yes
expect_match "the stub really got the probe" "$(cat "$T/stub.conf.log")" \
	"wotdns-probe\. A IN"

# --no-upstream: the overlay alone; everything else REFUSED, nothing sent.
out=$(in_ns "unbound -d -c '$T/stub.conf' >'$T/stub.out' 2>&1 & ub=\$!
	'$W' --home '$T/zed' serve --listen 127.0.0.1:53 --no-upstream \
		--sync-interval 0 >'$T/noup.log' 2>&1 & sv=\$!
	for i in \$(seq 1 50); do
		dig +time=1 +tries=1 @127.0.0.1 zed.wot A >/dev/null 2>&1 && break
		sleep 0.1
	done
	echo overlay=\$(dig +short +time=2 +tries=1 @127.0.0.1 zed.wot A)
	dig +time=2 +tries=1 @127.0.0.1 www.example.com A | grep status
	kill \$sv; wait \$sv; echo serve-exit=\$?
	kill \$ub; wait \$ub")
expect_match "--no-upstream: serve starts and answers the overlay" "$out" \
	"overlay=192\.0\.2\.10"
expect_match "--no-upstream: other names get REFUSED" "$out" "status: REFUSED"
expect_match "--no-upstream: clean exit" "$out" "serve-exit=0"
expect_match "--no-upstream and --upstream: usage error" \
	"$(wd zed serve --no-upstream --upstream 127.0.0.1:9 2>&1 | tr "\n" " "; echo "exit=${PIPESTATUS[0]}")" \
	"contradict.*exit=2"

# --- 2. a loop that appears at run time -----------------------------------
start_upstream # the good upstream (unbound, www.example.com)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
SP=$(free_port)
LP=$(free_port)
DEAD=$(free_port)
# The looper starts as a forwarder to a dead port: at start it is no loop.
ub_conf "$T/loop.conf" 127.0.0.1 "$LP" "$DEAD"
unbound -d -c "$T/loop.conf" >"$T/loop.out" 2>&1 &
LPID=$!
PIDS+=("$LPID")
sleep 0.5
start_serve zed --listen "127.0.0.1:$SP" --upstream "127.0.0.1:$LP" \
	--upstream "$UPSTREAM" --sync-interval 0 --verbose
expect_eq "serve started with a forwarder that is no loop (yet)" \
	"$(grep -c 'no usable upstream' "$T/serve-zed.log")" 0
# Now the looper forwards to the daemon: a real loop.
kill "$LPID"; wait "$LPID" 2>/dev/null
ub_conf "$T/loop.conf" 127.0.0.1 "$LP" "$SP"
unbound -d -c "$T/loop.conf" >"$T/loop.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 50); do
	grep -q "start of service" "$T/loop.conf.log" 2>/dev/null && break
	sleep 0.1
done
out=$(dig +time=6 +tries=1 @127.0.0.1 -p "$SP" www.example.com A)
expect_match "the looping upstream first: the client still gets its answer" \
	"$out" "^www\.example\.com\..*IN[[:space:]]+A[[:space:]]+203\.0\.113\.7"
ms=$(printf '%s\n' "$out" | sed -n 's/^;; Query time: \([0-9]*\) msec/\1/p')
expect_eq "... at once, not after an upstream timeout (${ms} ms)" \
	"$([ "${ms:-9999}" -lt 1000 ] && echo yes)" yes
expect_eq "one log line names the loop" \
	"$(grep -c "upstream 127.0.0.1:$LP: forwarding loop (it sent our own question back to us): not used any more" "$T/serve-zed.log")" 1
st=$(wd zed status 2>&1)
expect_match "status shows the loop" "$st" \
	"upstream 127\.0\.0\.1:$LP: loop detected at [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}, not used"
# sent_to PORT: how many questions status says went to 127.0.0.1:PORT.
sent_to() {
	wd zed status 2>&1 | sed -n "s/^  upstream 127\.0\.0\.1:$1: .*sent \([0-9]*\),.*/\1/p"
}
sent0=$(sent_to "$LP")
for n in 1 2 3 4 5; do
	dig +short +time=3 +tries=1 @127.0.0.1 -p "$SP" "n$n.example.com" A >/dev/null
done
sleep 0.6 # other threads' counters are up to 0.5 s old
sent1=$(sent_to "$LP")
expect_eq "the looped upstream is asked no more ($sent0 -> $sent1)" \
	"${sent1:-none}" "${sent0:-unknown}"
expect_eq "names still answered by the other upstream" \
	"$(dig +short +time=3 +tries=1 @127.0.0.1 -p "$SP" mail.example.com AAAA)" "2001:db8::25"
stop_clean

# --- 3. overlay-only TLDs stay here ---------------------------------------
start_fake rec ok
start_serve zed --upstream "127.0.0.1:$FAKE_PORT" --sync-interval 0
for n in bob.wot x.y.wot nosuch.zed.wot.wot WWW.Bob.WOT wot; do
	q "$n" A >/dev/null
done
out=$(qfull bob.wot A)
expect_match "a name under an overlay-only TLD: NXDOMAIN" "$out" "status: NXDOMAIN"
expect_match "... answered here (aa)" "$out" "flags: qr aa rd ra;"
out=$(qfull wot SOA)
expect_match "the TLD itself (an empty non-terminal): NODATA" \
	"$out" "status: NOERROR"
expect_match "... with no answer" "$out" "ANSWER: 0,"
expect_eq "the overlay still answers" "$(q www.zed.wot A)" "192.0.2.11"
out=$(qfull gone.zed.wot A)
expect_match "a CNAME to a missing name under the overlay-only TLD: NXDOMAIN" \
	"$out" "status: NXDOMAIN"
expect_match "... with the overlay's CNAME" "$out" "gone\.zed\.wot\..*CNAME.*nobody\.wot\."
expect_eq "a normal name is forwarded" "$(q www.foo.test A)" "192.0.2.53"
q nx.com A >/dev/null
log=$(tr A-Z a-z <"$T/fake-rec.log" 2>/dev/null)
expect_match "the recording upstream saw the normal names" "$log" \
	"name=www\.foo\.test.*"
expect_match "... and a name under a real TLD" "$log" "name=nx\.com"
expect_eq "the recording upstream saw no name under .wot" \
	"$(printf '%s\n' "$log" | grep -ci 'wot\.\?$')" 0
stop_clean

# Configurable: forward-overlay-tlds = yes sends them upstream again.
printf '[serve]\nforward-overlay-tlds = yes\n' >>"$T/zed/config"
start_serve zed --upstream "127.0.0.1:$FAKE_PORT" --sync-interval 0
q carol.wot A >/dev/null
expect_match "forward-overlay-tlds = yes: forwarded" \
	"$(tr A-Z a-z <"$T/fake-rec.log")" "name=carol\.wot"
stop_clean

finish

#!/usr/bin/env bash
# systemd.sh [BUILD] - run the installed units under a real systemd: boot a
# Debian 12 container (systemd-nspawn -b, its own network namespace, only
# loopback) from a copy of a debootstrap minbase root, install wotdns into
# it with cmake --install, and check what a user would: wotdns@alice and
# wotdns.service become active only once they answer (Type=notify), answer
# overlay names on 127.0.0.1:5380 and :53, report a status, reload, log to
# the journal with priorities, run with the capabilities the units grant,
# are restarted by the watchdog when hung, and stop cleanly.
#
# A manual check, not a ctest: it needs root, systemd-nspawn
# (systemd-container), the network for apt-get inside the root, and the
# minbase tarball (WOT_MINBASE, default /work/chroot/pristine.tar; make one
# with `debootstrap --variant=minbase bookworm DIR && tar -C DIR -cf
# minbase.tar .`). The tarball is only read. Prints ok/FAIL lines; exits 1
# on any failure. Takes about two minutes.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
tarball=${WOT_MINBASE:-/work/chroot/pristine.tar}
W=$(mktemp -d /var/tmp/wotdns-systemd.XXXXXX)
R=$W/root
NSPAWN_PID=
fails=0
passes=0
pass() { passes=$((passes + 1)); echo "ok - $*"; }
fail() { fails=$((fails + 1)); echo "FAIL - $*"; }
expect_eq() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: got '$2', expected '$3'"; fi; }
expect_match() { if grep -Eq -- "$3" <<<"$2"; then pass "$1"; else fail "$1: '$2' does not match /$3/"; fi; }
cleanup() {
	if [ -n "$NSPAWN_PID" ] && kill -0 "$NSPAWN_PID" 2>/dev/null; then
		in_ct systemctl poweroff >/dev/null 2>&1 || kill "$NSPAWN_PID"
		for _ in $(seq 1 100); do kill -0 "$NSPAWN_PID" 2>/dev/null || break; sleep 0.2; done
		kill -9 "$NSPAWN_PID" 2>/dev/null
	fi
	rm -rf "$W"
}
trap cleanup EXIT
[ "$(id -u)" = 0 ] || { echo "systemd.sh: run as root"; exit 1; }
command -v systemd-nspawn >/dev/null || { echo "systemd.sh: apt-get install systemd-container"; exit 1; }
[ -x "$build/src/cli/wotdns" ] || { echo "systemd.sh: no build in $build"; exit 1; }

# nspawn without -b: run a command in the root (setup, before boot);
# only apt-get (net) uses the host's network.
net() { systemd-nspawn -q -D "$R" --register=no --keep-unit "$@"; }
run() { net --private-network "$@"; }
# in_ct CMD...: run CMD in the booted container (all its namespaces).
in_ct() { nsenter -t "$LEADER" -a "$@"; }

echo "# root: $R"
mkdir -p "$R" && tar -xf "$tarball" -C "$R" || exit 1
cp /etc/resolv.conf "$R/etc/resolv.conf"
net bash -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -qq --no-install-recommends systemd systemd-sysv \
	dbus libgpgme11 libgit2-1.5 libuv1 libldns3 libjansson4 libinih1 \
	libpsl5 publicsuffix gnupg gpg-agent git dnsutils' >"$W/apt.log" 2>&1 ||
	{ tail "$W/apt.log"; exit 1; }
DESTDIR=$R cmake --install "$build" --prefix /usr >"$W/install.log" 2>&1 ||
	{ cat "$W/install.log"; exit 1; }

# alice: a desktop user with her own home; wotdns: the system user with
# the shared home in /var/lib/wotdns. Each publishes a zone it accepts.
# The upstream is a documentation address: only overlay names are asked.
run bash -ec '
	useradd -m alice
	useradd --system --home-dir /var/lib/wotdns --shell /usr/sbin/nologin wotdns
	install -d -o wotdns -g wotdns -m 0700 /var/lib/wotdns
	setup() { # USER HOME NAME ADDR
		runuser -u "$1" -- env WOTDNS_HOME="$2" sh -ec "
			wotdns init --name $3 --email $3@wot.test >/dev/null
			printf \"\\n[serve]\\nupstream = 192.0.2.53\\n\" >>\"$2/config\"
			printf \"\\\$ORIGIN $3.wot.\\n@ 300 IN A $4\\n\" >$2/$3.zone
			wotdns publish $2/$3.zone >/dev/null
			wotdns sync >/dev/null
			gpgconf --homedir \"$2/gnupg\" --kill all"
	}
	setup alice /home/alice/.local/share/wotdns alice 192.0.2.1
	setup wotdns /var/lib/wotdns bob 192.0.2.2
	systemctl enable wotdns@alice.service wotdns.service
	# A short watchdog for the hang check below.
	mkdir -p /etc/systemd/system/wotdns@alice.service.d
	printf "[Service]\nWatchdogSec=3s\n" \
		>/etc/systemd/system/wotdns@alice.service.d/watchdog.conf
' >"$W/setup.log" 2>&1 || { cat "$W/setup.log"; exit 1; }

systemd-nspawn -D "$R" -b --register=no --keep-unit --private-network \
	-M wotdns-test >"$W/boot.log" 2>&1 &
NSPAWN_PID=$!
for _ in $(seq 1 300); do
	LEADER=$(pgrep -P "$NSPAWN_PID" | head -n 1)
	[ -n "$LEADER" ] && state=$(in_ct systemctl is-system-running 2>/dev/null)
	case ${state:-} in running | degraded) break ;; esac
	sleep 0.2
done
expect_match "the container booted systemd" "${state:-none}" "running|degraded"
echo "# $(in_ct systemctl --version | head -n 1)"

for u in wotdns@alice.service wotdns.service; do
	expect_eq "$u is active" "$(in_ct systemctl is-active "$u")" "active"
	expect_match "$u: systemd shows its STATUS=" \
		"$(in_ct systemctl show -p StatusText --value "$u")" \
		"^serving [0-9]+ records"
done
expect_eq "wotdns@alice answers alice.wot on 127.0.0.1:5380" \
	"$(in_ct dig +short +time=2 +tries=1 @127.0.0.1 -p 5380 alice.wot A)" "192.0.2.1"
expect_eq "wotdns.service answers bob.wot on 127.0.0.1:53" \
	"$(in_ct dig +short +time=2 +tries=1 @127.0.0.1 bob.wot A)" "192.0.2.2"

# Users and capabilities as the units say.
apid=$(in_ct systemctl show -p MainPID --value wotdns@alice.service)
spid=$(in_ct systemctl show -p MainPID --value wotdns.service)
expect_eq "wotdns@alice runs as alice" "$(in_ct stat -c %U "/proc/$apid")" "alice"
expect_eq "wotdns.service runs as wotdns" "$(in_ct stat -c %U "/proc/$spid")" "wotdns"
expect_eq "wotdns@alice: no capability" \
	"$(in_ct awk '/^Cap(Eff|Bnd)/ {print $2}' "/proc/$apid/status" | tr '\n' ' ')" \
	"0000000000000000 0000000000000000 "
expect_eq "wotdns.service: CAP_NET_BIND_SERVICE only" \
	"$(in_ct awk '/^Cap(Eff|Bnd)/ {print $2}' "/proc/$spid/status" | tr '\n' ' ')" \
	"0000000000000400 0000000000000400 "
expect_eq "wotdns@alice sees no other home" \
	"$(in_ct nsenter -t "$apid" -m ls -A /home | tr '\n' ' ')" "alice "
expect_eq "its control socket is in alice's wotdns home" \
	"$(in_ct stat -c %U /home/alice/.local/share/wotdns/state/serve.sock)" "alice"
expect_match "wotdns status reads the service's counters" \
	"$(in_ct runuser -u alice -- wotdns status 2>&1)" "resolver: running \(pid $apid"

# Reload: systemctl reload waits for RELOADING=1 .. READY=1.
Z=/home/alice/.local/share/wotdns/alice.zone
in_ct runuser -u alice -- sh -c "printf 'www 300 IN A 192.0.2.9\n' >>$Z &&
	wotdns publish $Z >/dev/null && wotdns sync >/dev/null"
in_ct systemctl reload wotdns@alice.service
expect_eq "systemctl reload exits 0" "$?" "0"
expect_match "the status says reloaded" \
	"$(in_ct systemctl show -p StatusText --value wotdns@alice.service)" "^reloaded, serving"
expect_eq "the reloaded record answers" \
	"$(in_ct dig +short +time=2 +tries=1 @127.0.0.1 -p 5380 www.alice.wot A)" "192.0.2.9"

# The journal: priorities from the <N> prefixes, no prefix in the text.
j=$(in_ct journalctl -u wotdns@alice.service -o json --output-fields=PRIORITY,MESSAGE)
expect_match "journal: 'listening on' at priority 5 (notice)" "$j" \
	'"PRIORITY":"5".*"MESSAGE":"\[dns\] listening on 127\.0\.0\.1:5380|"MESSAGE":"\[dns\] listening on 127\.0\.0\.1:5380.*"PRIORITY":"5"'
expect_eq "journal: no message keeps a <N> prefix" \
	"$(in_ct journalctl -u wotdns@alice.service -u wotdns.service -o cat | grep -c '^<[0-9]>')" "0"
expect_eq "journal: no warning or error from either unit" \
	"$(in_ct journalctl -u wotdns@alice.service -u wotdns.service -p warning -o cat | grep -v '^$')" ""

# The watchdog (3 s in this test's drop-in): petted while the loop runs,
# a restart when it stops: SIGABRT, which a stopped process takes only
# as the SIGKILL after TimeoutStopSec= (20 s), then RestartSec= (5 s).
sleep 7
expect_eq "petted: still the same process after 7 s" \
	"$(in_ct systemctl show -p MainPID --value wotdns@alice.service)" "$apid"
in_ct sh -c "kill -STOP $apid" # a hung loop (no procps in minbase)
for _ in $(seq 1 250); do
	npid=$(in_ct systemctl show -p MainPID --value wotdns@alice.service)
	[ "$npid" != "$apid" ] && [ "$npid" != 0 ] &&
		[ "$(in_ct systemctl is-active wotdns@alice.service)" = active ] && break
	sleep 0.2
done
expect_match "a hung daemon is killed by the watchdog" \
	"$(in_ct journalctl -u wotdns@alice.service -o cat)" "Watchdog timeout"
expect_eq "and restarted, answering again" \
	"$(in_ct dig +short +time=2 +tries=1 @127.0.0.1 -p 5380 alice.wot A)" "192.0.2.1"

# Stop: STOPPING=1, exit 0.
in_ct systemctl stop wotdns.service
expect_eq "systemctl stop: the service ended successfully" \
	"$(in_ct systemctl show -p Result --value wotdns.service) $(in_ct systemctl show -p ExecMainStatus --value wotdns.service)" \
	"success 0"
expect_match "and logged shutting down" \
	"$(in_ct journalctl -u wotdns.service -o cat)" "shutting down"
# The desktop path under a real systemd: `wotdns desktop setup` for alice
# (this container has a plain /etc/resolv.conf: the plain path) writes the
# drop-in (127.0.0.1:53, CAP_NET_BIND_SERVICE), restarts wotdns@alice and
# points resolv.conf at it; glibc then resolves alice.wot; undo puts the
# files back byte for byte and disables the unit. wotdns.service, which
# held :53, is stopped above.
in_ct sh -c 'printf "nameserver 192.0.2.53\n" >/etc/resolv.conf'
rc0=$(in_ct md5sum /etc/resolv.conf)
out=$(in_ct wotdns desktop setup --user alice 2>&1)
expect_eq "desktop setup --user alice: exit 0" "$?" "0"
echo "$out" | sed 's/^/#   /'
expect_eq "wotdns@alice is enabled" \
	"$(in_ct systemctl is-enabled wotdns@alice.service)" "enabled"
expect_eq "... and active" "$(in_ct systemctl is-active wotdns@alice.service)" "active"
expect_match "resolv.conf points at wotdns" "$(in_ct cat /etc/resolv.conf)" \
	"^nameserver 127\.0\.0\.1"
expect_eq "getent hosts alice.wot through glibc and resolv.conf" \
	"$(in_ct getent hosts alice.wot | awk 'NR == 1 {print $1}')" "192.0.2.1"
# (not ahosts: AI_ADDRCONFIG finds no address but loopback's in here)
expect_eq "setup again changes nothing" \
	"$(in_ct md5sum /etc/resolv.conf)" "$(in_ct wotdns desktop setup --user alice >/dev/null 2>&1; in_ct md5sum /etc/resolv.conf)"
out=$(in_ct wotdns desktop undo 2>&1)
expect_eq "desktop undo: exit 0" "$?" "0"
expect_eq "resolv.conf back byte for byte" "$(in_ct md5sum /etc/resolv.conf)" "$rc0"
expect_eq "the drop-in is gone" \
	"$(in_ct ls /etc/systemd/system/wotdns@alice.service.d 2>/dev/null | grep -c desktop)" "0"
echo "# $passes passed, $fails failed"
[ "$fails" -eq 0 ]

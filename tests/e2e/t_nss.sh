#!/usr/bin/env bash
# Issue 14 section 4: libnss_wotdns.so.2, loaded by the real glibc from the
# library directory, answers the overlay's names for `hosts: files wotdns
# dns`, returns at once for every other name (the `dns` source answers)
# and when the daemon is down, and never passes on what a hostile server
# in the daemon's place says.
#
# The machine is never rewired: the test runs itself again inside its own
# mount and network namespaces (unshare -mn). There
#  - /etc is an overlay: the host's /etc below, a tmpfs above holding the
#    test's nsswitch.conf, resolv.conf and wotdns/nss.conf. /etc/wotdns
#    does not exist on the host, and a bind mount needs an existing mount
#    point; the overlay adds it (and every write) in the namespace alone;
#  - the multiarch library directory is an overlay the same way, with
#    libnss_wotdns.so.2 in its upper layer: glibc dlopens the module by
#    name from its trusted directory, as from an installed package (no
#    LD_LIBRARY_PATH);
#  - lo is brought up; unbound, the test's "normal DNS", listens on
#    127.0.0.1:53 (resolv.conf has no port) and serve on a free port.
if [ -z "${WOT_NSS_IN_NS:-}" ]; then
	. "$(dirname "$0")/ns.sh"
	wot_unshare -mn env WOT_NSS_IN_NS=1 bash "$0" "$@"
	exit
fi
. "$(dirname "$0")/lib.sh"
MOD=${WOT_NSS_MODULE:-$(dirname "$W")/../dns/nss/libnss_wotdns.so.2}
[ -f "$MOD" ] || { echo "no module at $MOD"; exit 1; }
HERE=$(cd "$(dirname "$0")" && pwd)

# (wot_unshare made the mounts private, or showed they do not propagate)
# getaddrinfo's AI_ADDRCONFIG (getent ahosts*) wants an address of the
# family besides 127.0.0.1 and ::1, as a desktop's LAN address would be.
ip link set lo up && ip addr add 198.51.100.1/32 dev lo &&
	ip -6 addr add 2001:db8:ff::1/128 dev lo nodad || exit 1
NS=$T/ns
mkdir -p "$NS" && mount -t tmpfs tmpfs "$NS" || exit 1
LIBDIR=$(dirname "$(realpath "$(ldd /usr/bin/getent |
	awk '$1 ~ /^libc\.so/ {print $3}')")")
mkdir -p "$NS/etc/wotdns" "$NS/etc.work" "$NS/lib" "$NS/lib.work"
printf 'hosts: files wotdns dns\n' >"$NS/etc/nsswitch.conf"
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' \
	>"$NS/etc/resolv.conf"
cp "$MOD" "$NS/lib/libnss_wotdns.so.2"
mount -t overlay overlay \
	-o "lowerdir=/etc,upperdir=$NS/etc,workdir=$NS/etc.work" /etc &&
	mount -t overlay overlay \
		-o "lowerdir=$LIBDIR,upperdir=$NS/lib,workdir=$NS/lib.work" \
		"$LIBDIR" || exit 1
# The mounts go first (lazily), so cleanup can remove $T on the host.
trap 'umount -l /etc "$LIBDIR" "$NS" 2>/dev/null; cleanup' EXIT
[ -f "$LIBDIR/libnss_wotdns.so.2" ] && [ -d /etc/wotdns ] &&
	pass "namespace: module in $LIBDIR, /etc/wotdns, lo up" ||
	{ fail "namespace setup"; finish; exit 1; }

# An ASan build's module needs the sanitizer runtime first in the process.
GETENV=()
asan=$(ldd "$MOD" | awk '/libasan/ {print $3}')
[ -n "$asan" ] && GETENV=(env LD_PRELOAD="$asan" ASAN_OPTIONS=detect_leaks=0)
ge() { "${GETENV[@]}" getent "$@"; }
nss_conf() { printf '%s\n' "$@" >/etc/wotdns/nss.conf; }

peer alice
zone "$T/alice.zone" alice.wot. "@ IN A 192.0.2.1" "@ IN AAAA 2001:db8::1" \
	"www IN CNAME web" "web IN CNAME @" "v4 IN A 192.0.2.4" \
	"out IN CNAME www.example.com."
wd alice publish "$T/alice.zone" >/dev/null && wd alice sync >/dev/null 2>&1
UPSTREAM_PORT=53 start_upstream
start_serve alice --upstream 127.0.0.1:53 --sync-interval 0
nss_conf "# the test's daemon" "server 127.0.0.1:$PORT"
upstream_answers() {
	wd alice status 2>/dev/null |
		sed -n 's/.*upstream answers \([0-9]*\).*/\1/p'
}
ups0=$(upstream_answers)

# --- the daemon: RD=0 is "is this the overlay's?" ---------------------
out=$(qfull www.example.com A +norec)
expect_match "serve: RD=0 for a normal name is REFUSED" "$out" "status: REFUSED"
out=$(qfull alice.wot A +norec)
expect_match "serve: RD=0 for an overlay name is answered with AA" "$out" \
	"flags: qr aa ra;"

# --- overlay names through glibc --------------------------------------
out=$(ge hosts alice.wot)
expect_eq "getent hosts alice.wot (AAAA first, as getent asks)" \
	"$(tr -s ' ' <<<"$out")" "2001:db8::1 alice.wot"
out=$(ge ahosts alice.wot)
expect_eq "getent ahosts: the A and the AAAA address" \
	"$(awk '{print $1}' <<<"$out" | sort -u | tr '\n' ' ')" "192.0.2.1 2001:db8::1 "
expect_match "getent ahosts: the canonical name" "$(head -1 <<<"$out")" \
	"STREAM +alice\.wot$"
out=$(ge ahostsv4 alice.wot)
expect_eq "getent ahostsv4: A alone" \
	"$(awk '{print $1}' <<<"$out" | sort -u)" "192.0.2.1"
out=$(ge ahostsv6 alice.wot)
expect_eq "getent ahostsv6: AAAA alone" \
	"$(awk '{print $1}' <<<"$out" | sort -u)" "2001:db8::1"
out=$(ge hosts www.alice.wot)
expect_eq "CNAME chain inside the overlay: canonical name and aliases" \
	"$(tr -s ' ' <<<"$out")" "2001:db8::1 alice.wot www.alice.wot web.alice.wot"
out=$(ge ahosts www.alice.wot)
expect_match "getaddrinfo's canonical name is the chain's end" \
	"$(head -1 <<<"$out")" "^(192\.0\.2\.1|2001:db8::1) +STREAM alice\.wot$"
# gethostbyname_r (python's gethostbyname_ex calls it).
out=$("${GETENV[@]}" python3 -c '
import socket; print(socket.gethostbyname_ex("www.alice.wot"))')
expect_eq "gethostbyname_r" "$out" \
	"('alice.wot', ['www.alice.wot', 'web.alice.wot'], ['192.0.2.1'])"
out=$(ge ahosts v4.alice.wot)
expect_eq "a name with A only: ahosts gives the A address" \
	"$(awk '{print $1}' <<<"$out" | sort -u)" "192.0.2.4"
ge hosts nothere.alice.wot >/dev/null
expect_eq "an overlay NXDOMAIN: not found (exit 2)" "$?" "2"
# The overlay's own "no" is NOTFOUND, not "not mine": `[NOTFOUND=return]`
# after the module keeps the name from the normal DNS (the test's
# upstream logs every question it gets). Without it, dns asks next.
asked() { grep -c "$1" "$T/unbound/log" || true; }
expect_match "files wotdns dns: an overlay NXDOMAIN goes on to dns" \
	"$(asked 'nothere\.alice\.wot')" "^[1-9]"
printf 'hosts: files wotdns [NOTFOUND=return] dns\n' >/etc/nsswitch.conf
ge hosts gone.alice.wot >/dev/null
expect_eq "[NOTFOUND=return]: an overlay NXDOMAIN: exit 2" "$?" "2"
expect_eq "[NOTFOUND=return]: the name never reached the normal DNS" \
	"$(asked 'gone\.alice\.wot')" "0"
expect_match "[NOTFOUND=return]: a normal name still resolves" \
	"$(ge hosts www.example.com)" "203.0.113.7"
expect_match "[NOTFOUND=return]: an overlay name still resolves" \
	"$(ge hosts alice.wot)" "2001:db8::1"
printf 'hosts: files wotdns dns\n' >/etc/nsswitch.conf

# --- normal names: NOTFOUND from the module, the dns source answers ---
out=$(ge hosts www.example.com)
expect_eq "getent hosts www.example.com: from the test's upstream" \
	"$(tr -s ' ' <<<"$out")" "203.0.113.7 www.example.com"
out=$(ge ahostsv4 www.example.com)
expect_match "getent ahostsv4 www.example.com" "$out" "^203\.0\.113\.7 +STREAM"
expect_eq "the module's questions never reached the daemon's upstream" \
	"$(upstream_answers)" "$ups0"
# A chain out of the overlay: the dns source would ask for the overlay's
# name and find nothing; the module asks the daemon (RD) for the target.
out=$(ge hosts out.alice.wot)
expect_eq "a CNAME out of the overlay: followed through the daemon" \
	"$(tr -s ' ' <<<"$out")" "203.0.113.7 www.example.com out.alice.wot"
out=$(ge ahosts out.alice.wot)
expect_match "getaddrinfo for it: the target's address and canonical name" \
	"$(head -1 <<<"$out")" "^203\.0\.113\.7 +STREAM www\.example\.com$"

# The module's cost for a normal name: printed, not asserted.
runs() {
	local i t0 t1
	t0=$(date +%s%N)
	for i in $(seq 1 20); do ge hosts www.example.com >/dev/null; done
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 20000))
}
with=$(runs)
printf 'hosts: files dns\n' >/etc/nsswitch.conf
without=$(runs)
printf 'hosts: files wotdns dns\n' >/etc/nsswitch.conf
echo "# getent hosts www.example.com: ${with} us with wotdns, ${without} us" \
	"without: $((with - without)) us more (bound 200000 us)"

# --- a bad nss.conf: UNAVAIL, the next source still answers -----------
nss_conf "server not-an-address"
ge hosts alice.wot >/dev/null
expect_eq "bad nss.conf: the module is unavailable (exit 2)" "$?" "2"
expect_match "bad nss.conf: a normal name still resolves" \
	"$(ge hosts www.example.com)" "203.0.113.7"
nss_conf "server 127.0.0.1:$PORT"

# --- the daemon down ---------------------------------------------------
stop_serve
t0=$(date +%s%N)
timeout 2 "${GETENV[@]}" getent hosts alice.wot >/dev/null
rc=$?
t1=$(date +%s%N)
expect_eq "daemon down: getent hosts alice.wot is not found at once (exit 2)" \
	"$rc" "2"
echo "# daemon down: getent hosts alice.wot took $(((t1 - t0) / 1000000)) ms"
out=$(timeout 2 "${GETENV[@]}" getent ahosts www.example.com)
expect_match "daemon down: a normal name still resolves through dns" \
	"$out" "^203\.0\.113\.7 +STREAM"

# --- a hostile server in the daemon's place ----------------------------
hostile() {
	local mode=$1 i
	rm -f "$T/hport"
	python3 "$HERE/nss_hostile.py" "$mode" "$T/hport" &
	HPID=$!
	PIDS+=($HPID)
	for i in $(seq 1 50); do
		[ -s "$T/hport" ] && break
		sleep 0.1
	done
	nss_conf "server 127.0.0.1:$(cat "$T/hport")"
}
for mode in wrongid wrongq noaa garbage; do
	hostile "$mode"
	for db in hosts ahosts ahostsv4; do
		out=$(timeout 5 "${GETENV[@]}" getent $db alice.wot 2>&1)
		rc=$?
		expect_eq "hostile $mode: getent $db alice.wot not found (no crash)" \
			"$rc" "2"
		expect_eq "hostile $mode: getent $db gives no address" "$out" ""
	done
	expect_match "hostile $mode: normal names still resolve" \
		"$(ge ahostsv4 www.example.com)" "203.0.113.7"
	stop_pid "$HPID"
done
hostile mixed
out=$(ge ahostsv4 alice.wot)
expect_eq "junk first, then the real answer: the module waits for it" \
	"$(awk '{print $1}' <<<"$out" | sort -u)" "192.0.2.99"
stop_pid "$HPID"
finish

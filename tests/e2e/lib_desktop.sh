# lib_desktop.sh - a private machine for `wotdns desktop` tests (sourced
# first thing by tests/e2e/t_desktop*.sh, instead of lib.sh).
#
# The test runs in its own mount and network namespaces: /etc and
# /var/lib are overlays whose writes land in $T (the machine's own files
# are never written), /run is an empty tmpfs (no systemd, no
# NetworkManager here), lo is up. The desktop user is a real account,
# added to this /etc/passwd only, whose home is in $T.

# Sourced first thing: re-run the script in fresh mount and network
# namespaces, and refuse to go on anywhere else (every step below changes
# /etc and mounts; on the machine itself it must never run). Behind
# systemd-resolved, lib_resolved.sh made the namespaces, /etc's overlay,
# resolv.conf and nsswitch.conf, and the test sourced lib.sh: source this
# after resolved_start.
RESOLVED_MODE=${WOT_RESOLVED_NS:+1}
if [ -n "$RESOLVED_MODE" ]; then
	WOT_DESKTOP_NS=$(readlink /proc/1/ns/mnt)
elif [ -z "${WOT_DESKTOP_NS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "runs as root (namespaces)"; exit 1; }
	. "$(dirname "$0")/ns.sh"
	export WOT_DESKTOP_NS="$(readlink /proc/self/ns/mnt)"
	wot_unshare --mount --net bash "$0" "$@"
	exit
fi
if [ "$(readlink /proc/self/ns/mnt)" = "$WOT_DESKTOP_NS" ] ||
	[ "$(readlink /proc/self/ns/mnt)" = "$(readlink /proc/1/ns/mnt)" ]; then
	echo "not in a private mount namespace: refusing to touch /etc"
	exit 1
fi
[ -n "$RESOLVED_MODE" ] || . "$(dirname "$0")/lib.sh"
if [ -n "$RESOLVED_MODE" ] && [ "$(findmnt -n -o FSTYPE /etc)" != overlay ]; then
	echo "/etc is not the overlay resolved_start makes: refusing"
	exit 1
fi
[ -n "${T:-}" ] && [ -d "$T" ] || { echo "no test directory"; exit 1; }

DUSER=wotdesk
DUID=48300
DHOME_PW=$T/deskhome                    # the user's $HOME (passwd)
DHOME=$DHOME_PW/.local/share/wotdns     # their wotdns home
chmod 711 "$T"
mkdir -m 755 "$T/bin" && cp "$W" "$T/bin/wotdns" && chmod 755 "$T/bin/wotdns"
W=$T/bin/wotdns # the user must reach the binary (the build may be in /root)

# overlay DIR: writes to DIR go to $T/ov/DIR.
overlay() {
	local d=$T/ov${1//\//_}
	mkdir -p "$d/up" "$d/work"
	mount -t overlay overlay -o "lowerdir=$1,upperdir=$d/up,workdir=$d/work" "$1" ||
		{ echo "cannot overlay $1"; exit 1; }
}
[ -n "$RESOLVED_MODE" ] || overlay /etc
overlay /var/lib
if [ -z "$RESOLVED_MODE" ]; then
	mount -t tmpfs tmpfs /run || { echo "cannot mount /run"; exit 1; }
fi
ip link set lo up || { echo "no lo"; exit 1; }
rm -rf /etc/NetworkManager /etc/wotdns /var/lib/wotdns-desktop \
	/etc/systemd/system/wotdns@*.service.d
mkdir -p /etc/systemd/system
echo "$DUSER:x:$DUID:$DUID:wotdns desktop test:$DHOME_PW:/bin/sh" >>/etc/passwd
echo "$DUSER:x:$DUID:" >>/etc/group
mkdir -m 700 "$DHOME_PW" && chown "$DUID:$DUID" "$DHOME_PW"
if [ -z "$RESOLVED_MODE" ]; then
	rm -f /etc/resolv.conf
	printf '%s\n' "# the test machine's resolver" "search example.com" \
		"nameserver 127.0.0.2" "options timeout:1 attempts:2" >/etc/resolv.conf
	printf '%s\n' "# test nsswitch.conf" "passwd:         files" \
		"group:          files" "hosts:          files dns" \
		"networks:       files" >/etc/nsswitch.conf
fi

# as_user CMD...: run CMD as the desktop user.
as_user() {
	setpriv --reuid="$DUID" --regid="$DUID" --clear-groups \
		env HOME="$DHOME_PW" USER="$DUSER" "$@"
}
desk_cleanup() {
	gpgconf --homedir "$DHOME/gnupg" --kill all 2>/dev/null
	cleanup
}
trap desk_cleanup EXIT

# normal_dns: unbound on 127.0.0.2:53, the machine's "normal DNS"
# (resolv.conf cannot name a port; this network is the test's own).
normal_dns() {
	local d="$T/unbound"
	mkdir -p "$d"
	{
		unbound_server "$d" 127.0.0.2 53 "$d/log"
		cat <<UEOF
  local-zone: "." static
  local-zone: "example.com." static
  local-data: "example.com. 300 IN SOA ns.example.com. h.example.com. 1 3600 600 86400 60"
  local-data: "www.example.com. 300 IN A 203.0.113.7"
remote-control:
  control-enable: no
UEOF
	} >"$d/unbound.conf"
	unbound -d -c "$d/unbound.conf" >"$d/out" 2>&1 &
	PIDS+=($!)
	for _ in $(seq 1 50); do
		dig +short +time=1 +tries=1 @127.0.0.2 www.example.com A 2>/dev/null |
			grep -q 203 && return 0
		sleep 0.1
	done
	echo "unbound did not start"; cat "$d/out"; exit 1
}

# desk_home: the desktop user's home follows alice (alice.wot) with full
# trust and has synced; alice's repository is copied where they read it.
desk_home() {
	peer alice
	zone "$T/alice.zone" alice.wot. \
		"@ IN SOA ns.alice.wot. h.alice.wot. 1 3600 600 86400 60" \
		"@ IN A 192.0.2.1" "@ IN AAAA 2001:db8::1"
	wd alice publish "$T/alice.zone" >/dev/null || exit 1
	mkdir -p "$T/pub"
	git clone -q --bare "$(repo alice)" "$T/pub/alice.git" || exit 1
	chown -R "$DUID:$DUID" "$T/pub"
	as_user "$W" init --name desk >/dev/null 2>&1 || { echo "init failed"; exit 1; }
	as_user "$W" follow "$T/pub/alice.git" --name alice >/dev/null 2>&1 &&
		as_user "$W" sign-friend "$FPR_alice" --trust full >/dev/null &&
		as_user "$W" sync >/dev/null 2>&1 || { echo "desk home failed"; exit 1; }
}

# desk_serve [ARGS]: the user's daemon as the unit would run it (root
# binds, then becomes the user); ARGS are the listen options.
desk_serve() {
	: >"$T/serve-desk.log"
	"$W" --home "$DHOME" serve --user "$DUSER" --sync-interval 0 "$@" \
		>"$T/serve-desk.log" 2>&1 &
	DESK_PID=$!
	PIDS+=($DESK_PID)
	for _ in $(seq 1 100); do
		grep -q "ready: serving" "$T/serve-desk.log" && return 0
		kill -0 "$DESK_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "serve did not start:"; cat "$T/serve-desk.log"; exit 1
}

# snapshot NAME FILES...: copy FILES (bytes, mode, owner) to compare later;
# same NAME FILES...: each is byte for byte, mode and owner as in NAME.
snapshot() {
	local n=$1 f
	shift
	mkdir -p "$T/snap/$n"
	for f in "$@"; do
		if [ -d "$f" ]; then mkdir "$T/snap/$n/$(echo "$f" | tr / _)" &&
			chmod --reference="$f" "$T/snap/$n/$(echo "$f" | tr / _)"
		elif [ -e "$f" ]; then cp -a "$f" "$T/snap/$n/$(echo "$f" | tr / _)"
		else : >"$T/snap/$n/$(echo "$f" | tr / _).absent"; fi
	done
}
same() {
	local n=$1 f s
	shift
	for f in "$@"; do
		s="$T/snap/$n/$(echo "$f" | tr / _)"
		if [ -e "$s.absent" ]; then
			[ ! -e "$f" ] && pass "$f absent again" || fail "$f should be absent"
			continue
		fi
		if [ -d "$s" ] && [ -d "$f" ] && [ ! -L "$f" ]; then
			expect_eq "$f: a directory as it was ($n)" \
				"$(stat -c '%a %u %g' "$f")" "$(stat -c '%a %u %g' "$s")"
			continue
		fi
		if cmp -s "$s" "$f" &&
			[ "$(stat -c '%a %u %g %F' "$s")" = "$(stat -c '%a %u %g %F' "$f")" ]; then
			pass "$f as it was ($n), byte for byte"
		else
			fail "$f differs from $n: $(diff "$s" "$f" | head -5 | tr '\n' '|')"
		fi
	done
}

# lib_resolved.sh - a real systemd-resolved for end-to-end tests.
#
# Source it FIRST, before lib.sh: it re-executes the test inside a new
# network and mount namespace (`unshare -mn`), so nothing the test does
# (a link, resolv.conf, nsswitch.conf, trust anchors) reaches the machine
# running it. Then call resolved_start.
#
# Why the binary comes from Debian's mirror: installing the
# systemd-resolved package on the test machine would replace its
# /etc/resolv.conf with resolved's stub and start a system service. So
# the .deb is fetched with `apt-get download` (before entering the
# namespace, which has no network), cached in $WOT_CACHE (default
# BUILD/test-cache) under the version of the installed systemd package
# (resolved links libsystemd-shared of exactly that version), and
# unpacked with dpkg-deb -x. Its systemd-resolved runs from the unpacked
# tree with a private system D-Bus (dbus-daemon with resolved's own bus
# policy, DBUS_SYSTEM_BUS_ADDRESS pointing at it).
#
# The normal DNS of the namespace is unbound serving a DNSSEC-signed test
# root zone (ldns-keygen, ldns-signzone) holding www.normal A 192.0.2.80;
# resolved has DNSSEC=yes and that root's DS as its only positive trust
# anchor, so a validated answer carries AD.

if [ -z "${WOT_RESOLVED_NS:-}" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "FAIL - this test needs root: it runs systemd-resolved in" \
			"a network and mount namespace (unshare -mn)"
		exit 1
	fi
	_wd=${WOTDNS:-$(cd "$(dirname "$0")/../.." && pwd)/build/src/cli/wotdns}
	_cache=${WOT_CACHE:-${_wd%/src/cli/wotdns}/test-cache}
	_ver=$(dpkg-query -W -f='${Version}' systemd 2>/dev/null)
	[ -n "$_ver" ] || { echo "FAIL - the systemd package is not installed (scripts/deps.sh)"; exit 1; }
	_deb="$_cache/systemd-resolved_${_ver//:/%3a}_$(dpkg --print-architecture).deb"
	if [ ! -s "$_deb" ]; then
		mkdir -p "$_cache"
		# -o: apt's sandbox user may not write the cache directory.
		# Twice: one failed name lookup of the mirror is not fatal.
		for _try in 1 2; do
			(cd "$_cache" && apt-get download -q \
				-o APT::Sandbox::User=root \
				"systemd-resolved=$_ver") >"$_cache/apt.log" 2>&1 &&
				break
			sleep 2
		done
		if [ ! -s "$_deb" ]; then
			echo "FAIL - cannot download systemd-resolved $_ver:"
			cat "$_cache/apt.log"
			exit 1
		fi
	fi
	export WOT_RESOLVED_DEB=$_deb WOT_RESOLVED_NS=1
	. "$(dirname "$0")/ns.sh"
	wot_unshare -mn bash "$0" "$@"
	exit
fi

RESOLVED_DEB=$WOT_RESOLVED_DEB

# resolved_etc: a writable /etc for this namespace (an overlay whose upper
# layer is in $T: the machine's /etc is never written), holding the
# resolved user, resolved.conf, the trust anchor, resolv.conf pointing at
# resolved's stub and nsswitch.conf using dns.
resolved_etc() {
	mkdir -p "$T/etc-up" "$T/etc-work"
	mount -t overlay overlay \
		-o "lowerdir=/etc,upperdir=$T/etc-up,workdir=$T/etc-work" /etc ||
		{ echo "cannot mount an overlay on /etc"; exit 1; }
	grep -q '^systemd-resolve:' /etc/passwd ||
		echo 'systemd-resolve:x:991:991:systemd Resolver:/:/usr/sbin/nologin' >>/etc/passwd
	grep -q '^systemd-resolve:' /etc/group ||
		echo 'systemd-resolve:x:991:' >>/etc/group
	mkdir -p /etc/systemd /etc/dnssec-trust-anchors.d
	rm -f /etc/dnssec-trust-anchors.d/*
	printf '[Resolve]\nDNS=%s\nDNSSEC=yes\nLLMNR=no\nMulticastDNS=no\n' \
		"$RESOLVED_UPSTREAM" >/etc/systemd/resolved.conf
	# resolved reads "NAME IN DS ..." (no TTL)
	awk '{print $1, "IN DS", $5, $6, $7, $8}' "$T/rootzone/ksk.ds" \
		>/etc/dnssec-trust-anchors.d/test.positive
	rm -f /etc/resolv.conf
	echo "nameserver 127.0.0.53" >/etc/resolv.conf
	printf 'passwd: files\ngroup: files\nhosts: files dns\n' \
		>/etc/nsswitch.conf
}

# resolved_root_zone: the signed test root, in $T/rootzone.
resolved_root_zone() {
	local d="$T/rootzone" ksk zsk
	mkdir -p "$d"
	cat >"$d/root.zone" <<-EOF
	. 3600 IN SOA ns.normal. hostmaster.normal. 1 3600 600 86400 300
	. 3600 IN NS ns.normal.
	ns.normal. 3600 IN A 127.0.0.1
	www.normal. 3600 IN A 192.0.2.80
	EOF
	(
		cd "$d" || exit 1
		ksk=$(ldns-keygen -a ECDSAP256SHA256 -k .) &&
			zsk=$(ldns-keygen -a ECDSAP256SHA256 .) &&
			ldns-signzone root.zone "$zsk" "$ksk" &&
			ldns-key2ds -n -2 "$ksk.key" >ksk.ds
	) >"$d/sign.log" 2>&1 || { echo "cannot sign the test root:"; cat "$d/sign.log"; exit 1; }
}

. "$(dirname "${BASH_SOURCE[0]}")/lib_unbound.sh"

# resolved_upstream: unbound serving the signed root on 127.0.0.1:RPORT.
resolved_upstream() {
	local d="$T/rootzone" p pid
	for _ in $(seq 1 20); do
		p=$((20000 + RANDOM % 40000))
		{
			unbound_server "$d" "127.0.0.1@$p" "$p" "$d/unbound.log" \
				"log-queries: yes"
			cat <<-EOF
		auth-zone:
		  name: "."
		  zonefile: "$d/root.zone.signed"
		  for-downstream: yes
		  for-upstream: yes
		  fallback-enabled: no
		remote-control:
		  control-enable: no
		EOF
		} >"$d/unbound.conf"
		unbound -d -c "$d/unbound.conf" >"$d/unbound.out" 2>&1 &
		pid=$!
		for _ in $(seq 1 50); do
			if dig +short +time=1 +tries=1 @127.0.0.1 -p "$p" \
				www.normal A 2>/dev/null | grep -q 192.0.2.80; then
				PIDS+=("$pid")
				RESOLVED_UPSTREAM=127.0.0.1:$p
				return 0
			fi
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
	done
	echo "could not start unbound for the test root"; cat "$d/unbound.out"; exit 1
}

# resolved_dbus: a private system bus with resolved's policy.
resolved_dbus() {
	local d="$T/dbus"
	mkdir -p "$d"
	# resolved connects after dropping root for systemd-resolve.
	chmod 711 "$T"
	chmod 755 "$d"
	cat >"$d/system.conf" <<-EOF
	<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
	 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
	<busconfig>
	  <type>system</type>
	  <listen>unix:path=$d/system_bus_socket</listen>
	  <auth>EXTERNAL</auth>
	  <policy context="default">
	    <allow user="*"/>
	    <deny own="*"/>
	    <allow send_type="method_call"/>
	    <allow send_type="signal"/>
	    <allow send_requested_reply="true" send_type="method_return"/>
	    <allow send_requested_reply="true" send_type="error"/>
	    <allow receive_type="method_call"/>
	    <allow receive_type="method_return"/>
	    <allow receive_type="error"/>
	    <allow receive_type="signal"/>
	  </policy>
	  <include>$RESOLVED_ROOT/usr/share/dbus-1/system.d/org.freedesktop.resolve1.conf</include>
	</busconfig>
	EOF
	dbus-daemon --config-file="$d/system.conf" --nofork --nopidfile \
		>"$d/out" 2>&1 &
	PIDS+=($!)
	RESOLVED_DBUS_PID=$!
	export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$d/system_bus_socket"
	for _ in $(seq 1 50); do
		[ -S "$d/system_bus_socket" ] && return 0
		sleep 0.1
	done
	echo "dbus-daemon did not start:"; cat "$d/out"; exit 1
}

# resolved_run: (re)start systemd-resolved; waits until it answers on
# D-Bus. Sets RESOLVED_PID.
resolved_run() {
	SYSTEMD_LOG_LEVEL=debug SYSTEMD_LOG_TARGET=console \
		"$RESOLVED_ROOT/lib/systemd/systemd-resolved" \
		>>"$T/resolved.log" 2>&1 &
	RESOLVED_PID=$!
	PIDS+=("$RESOLVED_PID")
	for _ in $(seq 1 100); do
		"$RESOLVECTL" status >/dev/null 2>&1 && return 0
		kill -0 "$RESOLVED_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "systemd-resolved did not start:"; tail -n 30 "$T/resolved.log"; exit 1
}

# resolved_start: everything above, in order. The namespace gets an
# "uplink" (a veth with a documentation address): resolved sends nothing
# anywhere while no link has a routable address ("Network is down").
# Sets RESOLVECTL, RESOLVED_ROOT, RESOLVED_UPSTREAM, RESOLVED_PID.
resolved_start() {
	RESOLVED_ROOT="$T/resolved-root"
	RESOLVECTL="$RESOLVED_ROOT/usr/bin/resolvectl"
	dpkg-deb -x "$RESOLVED_DEB" "$RESOLVED_ROOT" ||
		{ echo "cannot unpack $RESOLVED_DEB"; exit 1; }
	ip link set lo up
	ip link add uplink0 type veth peer name uplink0p &&
		ip link set uplink0 up && ip link set uplink0p up &&
		ip addr add 198.51.100.2/24 dev uplink0 ||
		{ echo "cannot make the namespace's uplink"; exit 1; }
	resolved_root_zone
	resolved_upstream
	resolved_etc
	mount -t tmpfs tmpfs /run/systemd
	resolved_dbus
	resolved_run
}

# resolved_stop: stop resolved (stop_pid from lib.sh).
resolved_stop() { stop_pid "$RESOLVED_PID"; }

#!/usr/bin/env bash
# deps.sh - install the Debian 12 packages wotdns needs to build, test and
# run its demo; installs only what is missing. Run as root.
set -euo pipefail
PKGS=(build-essential cmake pkg-config
	libgpgme-dev libgpg-error-dev libgit2-dev libuv1-dev libldns-dev
	libcmocka-dev libinih-dev libjansson-dev libpsl-dev
	# libsystemd: sd_notify for the Type=notify units (src/dns/daemon/sdnotify.c)
	# and sd-bus, with which wotdns desktop talks to systemd-resolved
	libsystemd-dev
	gnupg gpg-agent git publicsuffix graphviz dnsutils knot-dnsutils unbound
	iproute2
	procps
	openssh-server openssh-client
	# tests/e2e: python3 (small hostile servers, the https git server),
	# openssl (its throwaway certificate), time (/usr/bin/time: peak RSS)
	python3 openssl time
	# the man pages: pandoc builds them from docs/*.md; tests/docs lints
	# them with mandoc, renders them with man-db (col: bsdextrautils) and
	# loads the completion with bash-completion's loader
	pandoc mandoc man-db bsdextrautils bash-completion
	# tests/e2e/lib_resolved.sh: resolved's binary comes from Debian's
	# systemd-resolved .deb (apt-get download, never installed) and links
	# the systemd package's libsystemd-shared; a private dbus-daemon; the
	# signed test root is made with ldnsutils (ldns-keygen, -signzone)
	# tests/docs/t_units.sh: systemd-analyze verify and security check
	# the units (installing systemd does not make it PID 1)
	systemd dbus-daemon ldnsutils
	# the Debian package: scripts/package.sh builds it with debhelper and
	# dpkg-dev (Rules-Requires-Root: no, so no fakeroot), tests/package
	# checks it with lintian and installs it with dpkg, which needs the
	# package's Depends on this machine (adduser, used by its postinst)
	adduser debhelper dpkg-dev lintian)
# bench/resolver.sh: dnsperf, and dnsmasq-base (the dnsmasq binary alone;
# unlike the dnsmasq package it has no system service to start).
[ "${WOT_BENCH_DEPS:-0}" = 1 ] && PKGS+=(dnsperf dnsmasq-base)
missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	# unbound is only the tests' stand-in upstream, started by the tests
	# on loopback ports: its package must not start or enable a system
	# resolver on port 53 as a side effect.
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod +x /usr/sbin/policy-rc.d
		trap 'rm -f /usr/sbin/policy-rc.d' EXIT
	fi
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	# openssh-server: tests/e2e/t_transports_remote.sh runs its own sshd
	# on a loopback port; the system ssh service is not wanted.
	if [[ " ${missing[*]} " == *" openssh-server "* ]] &&
		command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
		systemctl disable --now ssh >/dev/null 2>&1 || true
	fi
	if [[ " ${missing[*]} " == *" unbound "* ]] &&
		command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
		systemctl disable --now unbound >/dev/null 2>&1 || true
	fi
fi

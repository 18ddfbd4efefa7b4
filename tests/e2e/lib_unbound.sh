# lib_unbound.sh - the unbound configuration the end-to-end tests share
# (sourced by lib.sh and lib_resolved.sh, which runs before lib.sh).

# unbound_server DIR INTERFACE PORT LOG [LINE...]: print the server: block
# of an unbound that answers only loopback, in the foreground, with no
# chroot, user change, pid file, syslog or IPv6, iterating only what its
# local zones do not hold, writing its log to LOG; each LINE is one more
# server: option. The caller appends its zones and remote-control:.
unbound_server() {
	local l
	cat <<UEOF
server:
  interface: $2
  port: $3
  do-daemonize: no
  chroot: ""
  username: ""
  directory: "$1"
  pidfile: ""
  use-syslog: no
  logfile: "$4"
  do-ip6: no
  access-control: 127.0.0.0/8 allow
  module-config: "iterator"
UEOF
	shift 4
	for l in "$@"; do printf '  %s\n' "$l"; done
}

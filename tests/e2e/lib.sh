# lib.sh - shared helpers for wotdns end-to-end tests (sourced by t_*.sh).
#
# Every test runs real gpg, git, dig and unbound on loopback, in a private
# temporary directory, and stops every process it started (gpg-agent too).
set -u

. "$(dirname "${BASH_SOURCE[0]}")/lib_unbound.sh"
W=${WOTDNS:-$(cd "$(dirname "$0")/../.." && pwd)/build/src/cli/wotdns}
T=$(mktemp -d "${TMPDIR:-/tmp}/wotdns-e2e.XXXXXX")
PIDS=()
FAILS=0
PASSES=0
export GIT_CONFIG_NOSYSTEM=1 HOME="$T/userhome"
mkdir -p "$HOME"
git config --global user.name tester
git config --global user.email tester@example.invalid
git config --global init.defaultBranch main
git config --global protocol.file.allow always

cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	for g in "$T"/*/gnupg "$T"/gpg-*; do
		[ -d "$g" ] && gpgconf --homedir "$g" --kill all 2>/dev/null
	done
	stop_strays
	rm -rf "$T"
}
# stop_strays: stop what is left holding this test's output pipe (a child
# of a process the test stopped, such as flock's command): ctest waits for
# the pipe to close, so a stray would hold the test open until it ends.
stop_strays() {
	local out p f up=" " name
	out=$(readlink /proc/$$/fd/1 2>/dev/null) || return 0
	case $out in pipe:*) ;; *) return 0 ;; esac
	# this shell and its parents (a test re-run in a namespace) stay
	p=$$
	while [ "${p:-0}" -gt 1 ]; do
		up+="$p "
		p=$(awk '/^PPid:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
	done
	out=${out//[/\\[}
	for f in $(exec 2>/dev/null; find /proc/[0-9]*/fd -maxdepth 1 \( -name 1 -o -name 2 \) \
		-lname "${out//]/\\]}" 2>/dev/null); do
		p=${f#/proc/}
		p=${p%%/*}
		case $up in *" $p "*) continue ;; esac
		name=$(cat "/proc/$p/comm" 2>/dev/null) || continue
		echo "# stray process $p ($name) still held the output: stopped" >&2
		kill "$p" 2>/dev/null
		up+="$p "
	done
}
trap cleanup EXIT

pass() { PASSES=$((PASSES + 1)); echo "ok - $*"; }
fail() { FAILS=$((FAILS + 1)); echo "FAIL - $*"; }
# expect_eq WHAT ACTUAL EXPECTED
expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else
		fail "$1: got '$2', expected '$3'"; fi
}
# expect_match WHAT TEXT REGEX
expect_match() {
	if printf '%s' "$2" | grep -Eq -- "$3"; then pass "$1"; else
		fail "$1: '$2' does not match /$3/"; fi
}
# accepted_zone NAME|DIR: the accepted records of a home, every shard the
# manifest (HOME/state/accepted/manifest) names, as one master file.
accepted_zone() {
	local h=$1
	[ -d "$h" ] || h="$T/$1"
	[ -f "$h/state/accepted/manifest" ] || return 0
	awk '$1 == "shard" { print $2 "-" $3 ".zone" }' \
		"$h/state/accepted/manifest" |
		(cd "$h/state/accepted" && xargs -r cat)
}

# full_next NAME: NAME's next sync decides everything again, as after any
# change of its keyring (the keyring files are part of what the manifest
# records; a comment in the config is not, it changes nothing).
full_next() { touch "$T/$1/gnupg/trustdb.gpg"; }
# accepted_gen NAME: the generation of NAME's accepted set.
accepted_gen() { awk '$1 == "gen" { print $2 }' "$T/$1/state/accepted/manifest"; }

finish() {
	echo "$PASSES passed, $FAILS failed"
	[ "$FAILS" -eq 0 ]
	exit $?
}

# peer NAME: create a home in $T/NAME; sets FPR_<NAME>.
peer() {
	local fpr
	fpr=$("$W" --home "$T/$1" init --name "$1" --email "$1@wot.test" |
		tail -n 1) || { echo "init $1 failed"; exit 1; }
	eval "FPR_$1=$fpr"
}
wd() { local h=$1; shift; "$W" --home "$T/$h" "$@"; }
repo() { echo "$T/$1/own.git"; }
# trusted_source FOLLOWER SOURCE [URL]: FOLLOWER follows SOURCE's repository
# (or URL) under SOURCE's name, certifies its key with full ownertrust and
# syncs: the normal friendship most tests start from.
trusted_source() {
	local fpr
	eval "fpr=\$FPR_$2"
	wd "$1" follow "${3:-$(repo "$2")}" --name "$2" >/dev/null 2>&1
	wd "$1" sign-friend "$fpr" --trust full >/dev/null
	wd "$1" sync >/dev/null 2>&1
}

# peer_port HOME: the port of the peer listener HOME's serve logged (it
# logs it just after the resolver's line); waits up to 5 s, else fails.
peer_port() {
	local pp
	for _ in $(seq 1 50); do
		pp=$(sed -n 's/.*peer listener on 127\.0\.0\.1:\([0-9]*\).*/\1/p' \
			"$T/serve-$1.log" | head -n 1)
		[ -n "$pp" ] && { echo "$pp"; return 0; }
		sleep 0.1
	done
	return 1
}

# start_serve HOME [ARGS...]: serve on a free loopback port; sets PORT.
start_serve() {
	local h=$1 log i
	shift
	log="$T/serve-$h.log"
	: >"$log" # now, not in the child: no old port read from a restart
	"$W" --home "$T/$h" serve --listen 127.0.0.1:0 "$@" >"$log" 2>&1 &
	PIDS+=($!)
	SERVE_PID=$!
	for i in $(seq 1 200); do
		PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' \
			"$log" | head -n 1)
		# Bound is not ready: the start-up loop probe and the control
		# and notify sockets come after (a publish before "ready"
		# would not reach the daemon).
		[ -n "$PORT" ] && grep -q "ready: serving" "$log" && return 0
		kill -0 "$SERVE_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "serve did not start:"; cat "$log"; exit 1
}

# start_upstream: unbound on a free loopback port as "the normal DNS";
# sets UPSTREAM (ADDR@PORT style for dig is UPORT). UPSTREAM_PORT: that
# port instead (53 inside a test's own network namespace, for resolv.conf).
start_upstream() {
	local d="$T/unbound" i p
	mkdir -p "$d"
	for i in $(seq 1 20); do
		p=${UPSTREAM_PORT:-$((20000 + RANDOM % 40000))}
		{
			unbound_server "$d" "127.0.0.1@$p" "$p" "$d/log" \
				"log-queries: yes"
			cat <<UEOF
  local-zone: "." static
  local-zone: "example.com." static
  local-data: "example.com. 300 IN SOA ns.example.com. h.example.com. 1 3600 600 86400 60"
  local-data: "www.example.com. 300 IN A 203.0.113.7"
  local-data: "mail.example.com. 300 IN AAAA 2001:db8::25"
remote-control:
  control-enable: no
UEOF
		} >"$d/unbound.conf"
		unbound -d -c "$d/unbound.conf" >"$d/out" 2>&1 &
		local pid=$!
		for _ in $(seq 1 50); do
			if dig +short +time=1 +tries=1 @127.0.0.1 -p $p \
				www.example.com A 2>/dev/null | grep -q 203; then
				PIDS+=($pid)
				UPORT=$p
				UPSTREAM=127.0.0.1:$p
				return 0
			fi
			kill -0 $pid 2>/dev/null || break
			sleep 0.1
		done
		kill $pid 2>/dev/null; wait $pid 2>/dev/null
	done
	echo "could not start unbound"; cat "$d/out"; exit 1
}

# q NAME TYPE [DIGARGS...]: short answer from the daemon on $PORT.
q() {
	local n=$1 t=$2
	shift 2
	dig +short +time=2 +tries=1 @127.0.0.1 -p "$PORT" "$n" "$t" "$@"
}
# full dig output
qfull() {
	local n=$1 t=$2
	shift 2
	dig +time=2 +tries=1 @127.0.0.1 -p "$PORT" "$n" "$t" "$@"
}
# wait_for WHAT SECONDS CMD...: retry CMD until it succeeds.
wait_for() {
	local what=$1 secs=$2 i
	shift 2
	for i in $(seq 1 $((secs * 10))); do
		if "$@" >/dev/null 2>&1; then pass "$what"; return 0; fi
		sleep 0.1
	done
	fail "$what (timed out after ${secs}s)"
	return 1
}

# zone FILE ORIGIN LINES...: write a zone file.
zone() {
	local f=$1 o=$2
	shift 2
	{ echo "\$ORIGIN $o"; echo "\$TTL 300"; printf '%s\n' "$@"; } >"$f"
}

# three_peers: alice publishes alice.wot; bob follows alice and certifies
# her fully; carol follows bob and alice and certifies bob fully.
three_peers() {
	peer alice; peer bob; peer carol
	zone "$T/alice.zone" alice.wot. "@ IN A 192.0.2.1" \
		"@ IN AAAA 2001:db8::1"
	wd alice publish "$T/alice.zone" >/dev/null || exit 1
	wd bob follow "$(repo alice)" --name alice >/dev/null 2>&1 || exit 1
	wd bob sign-friend "$FPR_alice" --trust full >/dev/null || exit 1
	wd carol follow "$(repo bob)" --name bob >/dev/null 2>&1 || exit 1
	wd carol follow "$(repo alice)" --name alice >/dev/null 2>&1 || exit 1
	wd carol sign-friend "$FPR_bob" --trust full >/dev/null || exit 1
	wd carol sync >/dev/null 2>&1 || exit 1
}

# ---- resolver helpers (t_resolver, t_upstream, t_load) ------------------
TOOLS=$(cd "$(dirname "$0")/../.." && pwd)/build/tests/tools
FAKEDNS=${WOT_FAKEDNS:-$TOOLS/wot_fakedns}
# The lying peer (tests/tools/wot_liar.c): W="$LIAR" serve_peer NAME.
LIAR=${WOT_LIAR:-$TOOLS/wot_liar}
RAWDNS=${WOT_RAWDNS:-$TOOLS/wot_rawdns}
BURST=${WOT_BURST:-$TOOLS/wot_burst}

# stop_pid PID: stop one process this test started, wait for it, forget it.
stop_pid() {
	local p keep=()
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
	PIDS=("${keep[@]}")
}
# serve_peer NAME [ARGS...]: NAME's daemon (upstream $NOUP, no sync timer)
# with a peer listener on a free loopback port, announced as the endpoint
# in NAME's peer.conf; ARGS go to serve. The listener comes from
# --peer-listen, or with PEER_FROM_CONFIG=1 from [peer] listen in the
# config. Sets PORT_<NAME>, PEER_<NAME>, PID_<NAME>.
serve_peer() {
	local n=$1 pp listen=(--peer-listen 127.0.0.1:0)
	shift
	if [ "${PEER_FROM_CONFIG:-0}" = 1 ]; then
		printf '\n[peer]\nlisten = 127.0.0.1:0\n' >>"$T/$n/config"
		listen=()
	fi
	start_serve "$n" --upstream "${NOUP:-127.0.0.1:9}" --sync-interval 0 \
		"${listen[@]}" "$@"
	pp=$(peer_port "$n")
	[ -n "$pp" ] || { echo "no peer listener for $n"; cat "$T/serve-$n.log"; exit 1; }
	eval "PORT_$n=$PORT PEER_$n=$pp PID_$n=$SERVE_PID"
	printf '\n[peer]\nendpoint = 127.0.0.1:%s\n' "$pp" >>"$T/$n/config"
}
# stop_peers NAMES...: stop the daemons serve_peer started for NAMES.
stop_peers() {
	local n
	for n in "$@"; do stop_pid "$(eval echo "\$PID_$n")"; done
}
# expect_clean_logs NAMES...: no daemon log of NAMES holds a sanitizer
# report (each one that does is a failure, printed).
expect_clean_logs() {
	local n
	for n in "$@"; do
		if grep -q "Sanitizer\|runtime error" "$T/serve-$n.log"; then
			fail "no sanitizer report from $n"; cat "$T/serve-$n.log"
		fi
	done
	pass "every daemon stopped"
}
# expect_alive WHAT PID: PID (a daemon this test started) still runs.
expect_alive() {
	if kill -0 "$2" 2>/dev/null; then pass "$1"; else
		fail "$1: process $2 is gone"; fi
}
# stop_serve: stop the daemon started last by start_serve.
stop_serve() { stop_pid "$SERVE_PID"; }
# serve_supports OPTION: `wotdns serve --help` lists OPTION.
serve_supports() { "$W" serve --help 2>&1 | grep -q -- "$1"; }

# start_fake NAME MODE [ARGS...]: wot_fakedns (see tests/tools) on a free
# loopback port, logging its queries to $T/fake-NAME.log; sets FAKE_PORT
# and FAKE_PID.
start_fake() {
	local n=$1 m=$2 pf="$T/fake-$1.port" i
	shift 2
	rm -f "$pf"
	"$FAKEDNS" --listen 127.0.0.1:0 --mode "$m" --port-file "$pf" \
		--log "$T/fake-$n.log" "$@" >"$T/fake-$n.out" 2>&1 &
	FAKE_PID=$!
	PIDS+=("$FAKE_PID")
	for i in $(seq 1 50); do
		if [ -s "$pf" ]; then FAKE_PORT=$(cat "$pf"); return 0; fi
		kill -0 "$FAKE_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "wot_fakedns did not start:"; cat "$T/fake-$n.out"; exit 1
}
# fake_udp PORT / fake_tcp PORT: queries the fake on PORT has received.
fake_udp() {
	dig +short +time=1 +tries=1 @127.0.0.1 -p "$1" count.fake TXT CH |
		sed -n 's/.*udp=\([0-9]*\).*/\1/p'
}
fake_tcp() {
	dig +short +time=1 +tries=1 @127.0.0.1 -p "$1" count.fake TXT CH |
		sed -n 's/.*tcp=\([0-9]*\).*/\1/p'
}

# wire_name NAME: NAME in DNS wire format, as hex.
wire_name() {
	local IFS=. l out=
	for l in $1; do
		out+=$(printf '%02x' "${#l}")
		out+=$(printf '%s' "$l" | od -An -tx1 | tr -d ' \n')
	done
	printf '%s00' "$out"
}
# wire_query ID FLAGS NAME TYPE [CLASS]: hex of a one-question query
# (ID, FLAGS, TYPE and CLASS are numbers; no EDNS).
wire_query() {
	printf '%04x%04x0001000000000000%s%04x%04x' "$1" "$2" \
		"$(wire_name "$3")" "$4" "${5:-1}"
}
# frame HEX: the message with its 2-byte TCP length prefix.
frame() { printf '%04x%s' $((${#1} / 2)) "$1"; }
# raw [--OPT[=VAL]...] HEX...: wot_rawdns to the daemon on $PORT; prints the
# reply's summary lines (or "no reply").
raw() {
	local opts=()
	while [ $# -gt 0 ] && [ "${1#--}" != "$1" ]; do
		opts+=("$1"); shift
	done
	"$RAWDNS" "${opts[@]}" 127.0.0.1 "$PORT" "$@" | grep -v '^[0-9a-f]*$'
}
# msg_size DIGOUTPUT: the "MSG SIZE rcvd" number.
msg_size() { printf '%s' "$1" | sed -n 's/.*MSG SIZE  *rcvd: \([0-9]*\).*/\1/p'; }
# vmrss PID: resident set size in kB.
vmrss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

#!/usr/bin/env bash
# sync.sh - `wotdns sync` at scale (run by hand, not by ctest).
#
# SOURCES sources (default 1000), each a bare git repository with its own
# ed25519 owner key and one signed commit holding zones/sNNNN.zone with
# RECORDS records (default 1000; one name per record under sNNNN.wot) and
# keys/FPR.asc, laid out as `wotdns publish` makes it. The follower home
# certifies every owner key (so every record is acceptable) and follows
# every source (sources.conf written directly, keys pinned). Measured:
#
#  1. first full sync (fetch, verify every commit, accept every record);
#  2. no-change sync (target < 2 s at 1000 x 1000);
#  3. sync after one source among them published a new signed commit
#     (target < 1 s at 1000 x 1000), with `wotdns sync` (every source
#     fetched) and with `wotdns sync sN` (only that source, the path a
#     NOTIFY takes);
#  4. RSS of `wotdns serve` with the whole accepted set loaded (a few names
#     checked with dig first);
#  5. the running daemon's reload after one source changed: from
#     `wotdns sync sN` returning, SIGHUP, until dig gets the new record
#     (only that source's shards are read again), and the daemon's peak RSS
#     (VmHWM) after it.
#
# The same steps run first at SOURCES/10 sources as the reference, in the
# same invocation; the ratios show how each step scales (10 = linear).
#
#   bash bench/sync.sh                        # 1000 x 1000
#   SOURCES=100 RECORDS=100 bash bench/sync.sh   # quick check
#
# Environment: SOURCES (1000), RECORDS (1000), REPEAT (3: no-change and
# one-changed runs, median reported), REF (1: also run the SOURCES/10
# reference; 0 = skip), GEN_ONLY (a directory: only generate the data
# set there and keep it, e.g. for profiling), WOTDNS (binary; default: build/src/cli/wotdns,
# built if missing). Results go to stdout, progress to stderr.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
SOURCES=${SOURCES:-1000}
RECORDS=${RECORDS:-1000}
REPEAT=${REPEAT:-3}
REF=${REF:-1}
W=${WOTDNS:-$top/build/src/cli/wotdns}
[ -x "$W" ] || bash "$top/scripts/build.sh" >&2

say() { echo "$*" >&2; }
T=$(mktemp -d /tmp/wotdns-syncbench.XXXXXX)
PIDS=()
cleanup() {
	local p g
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	for g in "$T"/*/pub "$T"/*/home/gnupg; do
		[ -d "$g" ] && gpgconf --homedir "$g" --kill all 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
export GIT_CONFIG_NOSYSTEM=1 HOME="$T/userhome"
mkdir -p "$HOME"
git config --global user.name bench
git config --global user.email bench@bench.test
git config --global gpg.program gpg

ms() { date +%s%3N; }

# make_source DIR I FPR: bare repo DIR/rI.git, one commit signed by FPR.
make_source() {
	local d=$1 i=$2 f=$3 r zb kb zt kt rt c
	r="$d/src/s$i.git"
	git init -q --bare -b main "$r"
	{ read -r zb; read -r kb; } < <(git -C "$r" hash-object -w \
		"$d/zones/s$i.zone" "$d/keys/$f.asc")
	zt=$(printf '100644 blob %s\ts%s.zone\n' "$zb" "$i" | git -C "$r" mktree)
	kt=$(printf '100644 blob %s\t%s.asc\n' "$kb" "$f" | git -C "$r" mktree)
	rt=$(printf '040000 tree %s\tkeys\n040000 tree %s\tzones\n' "$kt" "$zt" |
		git -C "$r" mktree)
	c=$(GNUPGHOME="$d/pub" git -C "$r" commit-tree -S"$f" -m "publish" "$rt")
	git -C "$r" update-ref refs/heads/main "$c"
}
export -f make_source

# republish DIR I FPR: a second signed commit in source I, one record
# changed.
republish() {
	local d=$1 i=$2 f=$3 r zb zt rt c p
	r="$d/src/s$i.git"
	p=$(git -C "$r" rev-parse main)
	sed -i '0,/^h0 /s/^h0 .*/h0 IN A 192.0.2.77/' "$d/zones/s$i.zone"
	zb=$(git -C "$r" hash-object -w "$d/zones/s$i.zone")
	zt=$(printf '100644 blob %s\ts%s.zone\n' "$zb" "$i" | git -C "$r" mktree)
	rt=$(git -C "$r" ls-tree "$p" | grep -v 'zones$' |
		cat - <(printf '040000 tree %s\tzones\n' "$zt") | git -C "$r" mktree)
	c=$(GNUPGHOME="$d/pub" git -C "$r" commit-tree -S"$f" -p "$p" \
		-m "publish $(date +%s%N)" "$rt")
	git -C "$r" update-ref refs/heads/main "$c"
}

# generate DIR N R: owner keys, zones, repositories, follower home.
generate() {
	local d=$1 n=$2 rec=$3 i s e ffpr
	mkdir -p "$d/zones" "$d/keys" "$d/src"
	mkdir -m 700 "$d/pub"
	s=$(ms)
	for ((i = 0; i < n; i++)); do
		gpg --homedir "$d/pub" --batch --quiet --passphrase '' \
			--quick-gen-key "owner$i <owner$i@bench.test>" ed25519 \
			sign,cert never 2>/dev/null
	done
	mapfile -t F < <(gpg --homedir "$d/pub" --with-colons --list-keys \
		2>/dev/null | awk -F: '/^fpr/{print $10}')
	for ((i = 0; i < n; i++)); do
		gpg --homedir "$d/pub" --armor --export "${F[$i]}" \
			>"$d/keys/${F[$i]}.asc" 2>/dev/null
	done
	awk -v n="$n" -v r="$rec" -v d="$d/zones" 'BEGIN {
		for (i = 0; i < n; i++) {
			f = sprintf("%s/s%d.zone", d, i)
			printf "$ORIGIN s%d.wot.\n$TTL 3600\n", i > f
			for (j = 0; j < r; j++)
				printf "h%d IN A 10.%d.%d.%d\n", j, int(j / 65536) % 256,
				    int(j / 256) % 256, j % 256 > f
			close(f)
		}
	}'
	for ((i = 0; i < n; i++)); do echo "$i ${F[$i]}"; done |
		xargs -P 2 -n 2 bash -c 'make_source "$0" "$1" "$2"' "$d"
	e=$(ms)
	say "  $n sources: keys, zones and signed repositories in $(((e - s) / 1000)) s"
	"$W" --home "$d/home" init --name follower --email f@bench.test \
		>/dev/null 2>&1
	ffpr=$(awk -F' *= *' '$1=="key"{print $2; exit}' "$d/home/config")
	cat "$d/keys"/*.asc | gpg --homedir "$d/home/gnupg" --batch --quiet \
		--import 2>/dev/null
	for ((i = 0; i < n; i++)); do
		gpg --homedir "$d/home/gnupg" --batch --quiet --yes \
			--no-auto-check-trustdb --default-key "$ffpr" \
			--quick-sign-key "${F[$i]}" >/dev/null 2>&1
	done
	gpg --homedir "$d/home/gnupg" --batch --quiet --check-trustdb \
		>/dev/null 2>&1 || true
	for ((i = 0; i < n; i++)); do
		printf '\n[s%d]\nurl = %s\nkey = %s\n' "$i" "$d/src/s$i.git" "${F[$i]}"
	done >"$d/home/sources.conf"
	say "  follower certified $n keys in $((($(ms) - e) / 1000)) s"
}

med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }

# timed_sync DIR [SOURCE...]: prints milliseconds; fails loudly if the
# sync failed.
timed_sync() {
	local s e d=$1
	shift
	s=$(ms)
	if ! "$W" --home "$d/home" sync "$@" >"$d/sync.log" 2>&1; then
		say "sync failed:"; tail -5 "$d/sync.log" >&2; exit 1
	fi
	e=$(ms)
	echo $((e - s))
}

# serve_rss DIR N: start serve, check names with dig, print VmRSS KiB.
serve_rss() {
	local d=$1 n=$2 log="$1/serve.log" port="" i pid got rss rl
	"$W" --home "$d/home" serve --listen 127.0.0.1:0 --sync-interval 0 \
		--upstream 127.0.0.1:9 >"$log" 2>&1 &
	pid=$!
	PIDS+=("$pid")
	for i in $(seq 1 600); do
		port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' \
			"$log" | head -n 1)
		[ -n "$port" ] && break
		sleep 0.1
	done
	[ -n "$port" ] || { say "serve did not start"; cat "$log" >&2; exit 1; }
	for i in 0 $((n / 2)) $((n - 1)); do
		got=$(dig +short +time=2 +tries=1 @127.0.0.1 -p "$port" \
			"h$((RECORDS - 1)).s$i.wot" A)
		[ "$got" = "10.$(((RECORDS - 1) / 65536 % 256)).$(((RECORDS - 1) / 256 % 256)).$(((RECORDS - 1) % 256))" ] ||
			{ say "dig h$((RECORDS - 1)).s$i.wot: '$got'"; exit 1; }
	done
	got=$(dig +short +time=2 +tries=1 @127.0.0.1 -p "$port" h0.s0.wot A)
	[ "$got" = 192.0.2.77 ] || { say "changed record not served: '$got'"; exit 1; }
	rss=$(awk '/^VmRSS/{print $2}' "/proc/$pid/status")
	rl=$(reload_ms "$d" "$n" "$port" "$pid")
	echo "$rss $rl"
	kill "$pid"
	wait "$pid" 2>/dev/null || true
}

# reload_ms DIR N PORT PID: one source republishes, `sync sJ`, SIGHUP to
# the daemon PID; prints the milliseconds until it serves the change and
# its VmHWM (KiB).
reload_ms() {
	local d=$1 n=$2 port=$3 pid=$4 j=$(($2 / 2)) s got i
	republish "$d" "$j" "$(awk -F' = ' -v s="s$j" \
		'$0=="["s"]"{f=1} f&&$1=="key"{print $2; exit}' "$d/home/sources.conf")"
	timed_sync "$d" "s$j" >/dev/null
	s=$(ms)
	kill -HUP "$pid"
	for i in $(seq 1 3000); do
		got=$(dig +short +time=1 +tries=1 @127.0.0.1 -p "$port" "h0.s$j.wot" A)
		[ "$got" = 192.0.2.77 ] && break
		sleep 0.01
	done
	[ "$got" = 192.0.2.77 ] || { say "reload: h0.s$j.wot '$got'"; exit 1; }
	echo "$(($(ms) - s)) $(awk '/^VmHWM/{print $2}' "/proc/$pid/status")"
}

# run N: prints "full nochange onechanged rss_kib named reload_ms hwm_kib"
run() {
	local n=$1 d="$T/n$1" full nc=() oc=() on=() i j rss rl hwm out
	say "== $n sources x $RECORDS records =="
	generate "$d" "$n" "$RECORDS"
	full=$(timed_sync "$d")
	say "  first full sync: $full ms"
	for ((i = 0; i < REPEAT; i++)); do
		nc+=("$(timed_sync "$d")")
	done
	say "  no-change sync: ${nc[*]} ms"
	for ((i = 0; i < REPEAT; i++)); do
		republish "$d" $(((i * 7 + n / 3) % n)) \
			"$(awk -F' = ' -v s="s$(((i * 7 + n / 3) % n))" \
				'$0=="["s"]"{f=1} f&&$1=="key"{print $2; exit}' \
				"$d/home/sources.conf")"
		oc+=("$(timed_sync "$d")")
	done
	say "  one changed source: ${oc[*]} ms"
	# The same, syncing only that source (as after a NOTIFY).
	for ((i = 0; i < REPEAT; i++)); do
		j=$(((i * 7 + n / 3 + 1) % n))
		republish "$d" "$j" \
			"$(awk -F' = ' -v s="s$j" \
				'$0=="["s"]"{f=1} f&&$1=="key"{print $2; exit}' \
				"$d/home/sources.conf")"
		on+=("$(timed_sync "$d" "s$j")")
	done
	say "  one changed source, synced by name: ${on[*]} ms"
	republish "$d" 0 "$(awk -F' = ' '$0=="[s0]"{f=1} f&&$1=="key"{print $2; exit}' \
		"$d/home/sources.conf")"
	timed_sync "$d" >/dev/null
	out=$(serve_rss "$d" "$n")
	read -r rss rl hwm <<<"$out"
	say "  serve RSS: $rss KiB"
	say "  daemon reload after one changed source: $rl ms (peak RSS $hwm KiB)"
	echo "$full $(med "${nc[@]}") $(med "${oc[@]}") $rss $(med "${on[@]}") $rl $hwm"
	for g in "$d/pub" "$d/home/gnupg"; do
		gpgconf --homedir "$g" --kill all 2>/dev/null || true
	done
	rm -rf "$d"
}

row() {
	printf '%-10s %10s %12s %12s %12s %10s %10s\n' "$@"
}
say "wotdns: $W"
if [ -n "${GEN_ONLY:-}" ]; then
	# Keep a generated set for profiling: GEN_ONLY=DIR (must not exist).
	generate "$GEN_ONLY" "$SOURCES" "$RECORDS"
	trap - EXIT
	say "generated in $GEN_ONLY (HOME for git: $HOME)"
	exit 0
fi
if [ "$REF" = 1 ] && [ "$SOURCES" -ge 20 ]; then
	read -r rf rn ro rr ra rl rh < <(run $((SOURCES / 10)))
fi
read -r ff fn fo fr fa fl fh < <(run "$SOURCES")

echo "sync at scale: $RECORDS records per source (median of $REPEAT for no-change and one-changed)"
row "sources" "full ms" "no-change ms" "1 changed ms" "1 named ms" "RSS MiB" "reload ms"
[ -n "${rf:-}" ] && row "$((SOURCES / 10))" "$rf" "$rn" "$ro" "$ra" \
	"$(awk -v k="$rr" 'BEGIN{printf "%.1f", k / 1024}')" "$rl"
row "$SOURCES" "$ff" "$fn" "$fo" "$fa" "$(awk -v k="$fr" 'BEGIN{printf "%.1f", k / 1024}')" "$fl"
echo "daemon reload after one changed source (sync sN, SIGHUP, until served): $fl ms, peak RSS $(awk -v k="$fh" 'BEGIN{printf "%.1f", k / 1024}') MiB"
if [ -n "${rf:-}" ]; then
	awk -v a="$ff" -v b="$rf" -v c="$fn" -v d="$rn" -v e="$fo" -v f="$ro" \
		-v g="$fr" -v h="$rr" 'BEGIN {
		printf "ratio %dx sources:  full %.1f  no-change %.1f  1 changed %.1f  RSS %.1f\n",
		    10, a / b, c / (d ? d : 1), e / (f ? f : 1), g / h }'
fi
awk -v n="$SOURCES" -v r="$RECORDS" -v c="$fn" -v o="$fo" -v a="$fa" -v k="$fr" 'BEGIN {
	printf "target no-change < 2000 ms: %d ms %s\n", c, c < 2000 ? "met" : "NOT met"
	printf "target one changed < 1000 ms: %d ms (full sync), %d ms (sync SOURCE) %s\n", o, a, o < 1000 && a < 1000 ? "met" : "NOT met"
	printf "serve: %.0f bytes per accepted record\n", k * 1024 / (n * r)
}'

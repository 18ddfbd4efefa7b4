#!/usr/bin/env bash
# trust.sh - benchmark of the trust core (run by hand, not by ctest).
#  1. a synthetic web of trust in memory: 100,000 keys and 1,000,000
#     certifications; full computation, then after one new certification;
#  2. a real gpg keyring of KEYS keys (default 1000) with random
#     certifications: wotdns's full evaluation (GPGME listing with checked
#     signatures + core) against `gpg --check-trustdb` on the same keyring,
#     in the same run, as a ratio.
#   bash bench/trust.sh            KEYS=300 bash bench/trust.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
KEYS=${KEYS:-1000}
[ -f "$top/build/libwotdns.a" ] || bash "$top/scripts/build.sh"
T=$(mktemp -d /tmp/wotdns-trustbench.XXXXXX)
trap 'gpgconf --homedir "$T/gnupg" --kill all 2>/dev/null; rm -rf "$T"' EXIT
cc -O2 -std=c11 -D_GNU_SOURCE -I"$top/src" "$top/bench/trust_bench.c" \
	"$top/build/libwotdns.a" $(pkg-config --cflags --libs gpgme gpg-error \
	libgit2 libuv ldns jansson inih) -lpthread -o "$T/trust_bench"
"$T/trust_bench" 100000 1000000

echo "real keyring: generating $KEYS keys (takes a while)..."
G="$T/gnupg"
mkdir -m 700 "$G"
for ((i = 1; i <= KEYS; i++)); do
	gpg --homedir "$G" --batch --quiet --passphrase '' --quick-gen-key \
		"bench$i <b$i@bench.test>" ed25519 sign,cert never 2>/dev/null
	[ $((i % 100)) -eq 0 ] && echo "  $i keys"
done
mapfile -t F < <(gpg --homedir "$G" --with-colons --list-keys | awk -F: '/^fpr/{print $10}')
{ echo "${F[0]}:6:"; for ((i = 1; i < KEYS; i++)); do
	echo "${F[$i]}:$((3 + RANDOM % 3)):"; done; } |
	gpg --homedir "$G" --batch --import-ownertrust 2>/dev/null
echo "certifying (3 per key)..."
for ((i = 0; i < KEYS; i++)); do
	for _ in 1 2 3; do
		j=$((RANDOM % KEYS))
		[ $i -ne $j ] && gpg --homedir "$G" --batch --quiet --yes \
			--default-key "${F[$i]}" --quick-sign-key "${F[$j]}" &>/dev/null || true
	done
	[ $((i % 200)) -eq 0 ] && echo "  $i signers"
done
# gpg: an ownertrust change (not timed) makes the next --check-trustdb a
# full revalidation; only that revalidation is timed.
gt() {
	local s e
	echo "${F[1]}:$((3 + RANDOM % 3)):" | gpg --homedir "$G" --batch \
		--import-ownertrust 2>/dev/null
	s=$(date +%s%N)
	gpg --homedir "$G" --batch --quiet --check-trustdb --yes 2>/dev/null
	e=$(date +%s%N)
	echo $(((e - s) / 1000000))
}
gpg --homedir "$G" --batch --quiet --check-trustdb 2>/dev/null
gs=() ws=()
for r in 1 2 3; do
	gs+=("$(gt)")
	ws+=("$("$T/trust_bench" --keyring "$G" | awk '{print $1}')")
done
read -r _ nk nc < <("$T/trust_bench" --keyring "$G")
med() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
echo "real keyring: $nk keys, $nc certifications (median of 3 runs)"
printf '  gpg --check-trustdb:                 %8s ms\n' "$(med "${gs[@]}")"
printf '  wotdns (GPGME --check-sigs + core):  %8s ms\n' "$(med "${ws[@]}")"
awk -v w="$(med "${ws[@]}")" -v g="$(med "${gs[@]}")" \
	'BEGIN{printf "  ratio wotdns/gpg: %.2f\n", w / g}'

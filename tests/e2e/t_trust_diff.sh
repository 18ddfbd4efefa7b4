#!/usr/bin/env bash
# Differential test: the trust core's validity for every key must equal
# gpg's own (`gpg --list-keys --with-colons` after --check-trustdb) on
# random webs of trust built with real gpg: 20 graphs of 15 to 40 keys,
# mixed ownertrust, a chain deeper than max-cert-depth, a revoked key, an
# expired and a revoked certification. Seeds are fixed: reproducible.
. "$(dirname "$0")/lib.sh"

DUMP=${WOT_TRUSTDUMP:-$(dirname "$W")/../../tests/tools/wot_trustdump}
GRAPHS=${GRAPHS:-20}
POOLN=40
P="$T/gpg-pool"
mkdir -m 700 -p "$P"
g() { gpg --homedir "$1" --batch --quiet --no-tty "${@:2}"; }

echo "# generating a pool of $POOLN test keys"
for i in $(seq 1 $POOLN); do
	g "$P" --passphrase '' --quick-gen-key "k$i <k$i@diff.test>" ed25519 \
		sign,cert never 2>/dev/null
done
mapfile -t FPRS < <(g "$P" --with-colons --list-keys | awk -F: '/^fpr/{print $10}')
[ ${#FPRS[@]} -eq $POOLN ] || { fail "pool has ${#FPRS[@]} keys"; finish; }
for f in "${FPRS[@]}"; do
	g "$P" --armor --export-secret-keys "$f" >"$P/$f.sec"
	sed 's/^:-----/-----/' "$P/openpgp-revocs.d/$f.rev" >"$P/$f.rev"
done
gpgconf --homedir "$P" --kill all

vmap() { # gpg validity letter -> wotdns name
	case "$1" in
	u) echo ultimate ;; f) echo full ;; m) echo marginal ;;
	r | e | n) echo never ;; *) echo unknown ;;
	esac
}

compared=0
for s in $(seq 1 "$GRAPHS"); do
	RANDOM=$((s * 7919))
	H="$T/gpg-g$s"
	mkdir -m 700 -p "$H"
	n=$((15 + RANDOM % 26))
	# a random selection; key 0 is the user
	mapfile -t K < <(printf '%s\n' "${FPRS[@]}" | awk -v seed=$s \
		'BEGIN{srand(seed)} {print rand() "\t" $0}' | sort | cut -f2 |
		head -n $n)
	for f in "${K[@]}"; do cat "$P/$f.sec"; done | g "$H" --import 2>/dev/null
	{
		echo "${K[0]}:6:"
		for ((i = 1; i < n; i++)); do
			case $((RANDOM % 5)) in
			0) ;; 1) echo "${K[$i]}:3:" ;; 2) echo "${K[$i]}:4:" ;;
			*) echo "${K[$i]}:5:" ;;
			esac
		done
	} | g "$H" --import-ownertrust 2>/dev/null
	sign() { g "$H" --yes --default-key "$1" --quick-sign-key "$2" 2>/dev/null; }
	# a chain of fully trusted keys deeper than the depth limit
	prev=${K[0]}
	for i in 1 2 3 4 5 6 7; do
		sign "$prev" "${K[$i]}"
		[ $i -lt 7 ] && echo "${K[$i]}:5:" | g "$H" --import-ownertrust 2>/dev/null
		prev=${K[$i]}
	done
	# random certifications, the user's key signing more often
	for ((e = 0; e < n + n / 2; e++)); do
		a=$((RANDOM % 3 == 0 ? 0 : RANDOM % n)); b=$((RANDOM % n))
		[ $a -ne $b ] && sign "${K[$a]}" "${K[$b]}"
	done
	# an expired certification and a revoked one
	a=$((8 + RANDOM % (n - 8))); b=$((8 + RANDOM % (n - 8)))
	g "$H" --yes --default-key "${K[0]}" --default-cert-expire seconds=1 \
		--quick-sign-key "${K[$a]}" 2>/dev/null
	# (a second apart: gpg lets a certification stand against a
	# revocation from the same second, and so does the core)
	[ $a -ne $b ] && sign "${K[0]}" "${K[$b]}" && sleep 1.1 &&
		g "$H" --yes --default-key "${K[0]}" --quick-revoke-sig \
			"${K[$b]}" "${K[0]}" 2>/dev/null
	# a revoked key, and the last graph with non-default parameters
	r=$((1 + RANDOM % (n - 1)))
	g "$H" --import "$P/${K[$r]}.rev" 2>/dev/null
	args=() dump=()
	if [ "$s" -eq "$GRAPHS" ]; then
		args=(--completes-needed 2 --marginals-needed 2 --max-cert-depth 3)
		dump=(2 2 3)
	fi
	g "$H" "${args[@]}" --check-trustdb 2>/dev/null
	mapfile -t GPG < <(g "$H" "${args[@]}" --with-colons --list-keys |
		awk -F: '/^pub/{v=$2} /^fpr/ && v!=""{print $10, v; v=""}')
	declare -A OURS=()
	while read -r f v l; do OURS[$f]=$v; done < <("$DUMP" "$H" "${dump[@]}")
	bad=0
	for line in "${GPG[@]}"; do
		f=${line% *}
		want=$(vmap "${line#* }")
		if [ "${OURS[$f]:-missing}" != "$want" ]; then
			bad=$((bad + 1))
			echo "# graph $s: $f gpg=${line#* } ($want) wotdns=${OURS[$f]:-missing}"
		fi
		compared=$((compared + 1))
	done
	if [ $bad -eq 0 ]; then pass "graph $s: $n keys agree with gpg"
	else
		fail "graph $s: $bad of $n keys differ from gpg"
		[ -n "${KEEP_FAILED:-}" ] && cp -r "$H" "$KEEP_FAILED/g$s"
	fi
	gpgconf --homedir "$H" --kill all
	unset OURS
done
echo "# compared $compared keys over $GRAPHS graphs"
finish

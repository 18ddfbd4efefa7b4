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
# one gpg process for the whole pool (ed25519, no passphrase, no expiry)
for i in $(seq 1 $POOLN); do
	printf '%s\n' "%no-protection" "Key-Type: eddsa" "Key-Curve: ed25519" \
		"Key-Usage: sign,cert" "Name-Real: k$i" "Name-Email: k$i@diff.test" \
		"Expire-Date: 0" "%commit"
done | g "$P" --gen-key 2>/dev/null
mapfile -t FPRS < <(g "$P" --with-colons --list-keys | awk -F: '/^fpr/{print $10}')
[ ${#FPRS[@]} -eq $POOLN ] || { fail "pool has ${#FPRS[@]} keys"; finish; }
for f in "${FPRS[@]}"; do
	sed 's/^:-----/-----/' "$P/openpgp-revocs.d/$f.rev" >"$P/$f.rev"
done

vmap() { # gpg validity letter -> wotdns name, in WANT
	case "$1" in
	u) WANT=ultimate ;; f) WANT=full ;; m) WANT=marginal ;;
	r | e | n) WANT=never ;; *) WANT=unknown ;;
	esac
}

# Every graph is built first; then, a second later, its certification
# revocations are made and the graphs are compared. (A revocation must
# come a second after the certification it revokes: gpg lets a
# certification stand against a revocation from the same second, and so
# does the core. One wait serves all graphs, and the certifications that
# expire after a second have expired by then.)
declare -A REVOKE=() NKEYS=()
# pair SIGNER TARGET: SIGNER is to certify TARGET (in SIGNERS, ORDER)
pair() {
	[ -n "${SIGNERS[$2]+x}" ] || ORDER+=("$2")
	case "${SIGNERS[$2]:-} " in *" -u $1 "*) ;;
	*) SIGNERS[$2]+=" -u $1" ;; esac
}
for s in $(seq 1 "$GRAPHS"); do
	RANDOM=$((s * 7919))
	H="$T/gpg-g$s"
	mkdir -m 700 -p "$H"
	n=$((15 + RANDOM % 26))
	NKEYS[$s]=$n
	# a random selection; key 0 is the user
	mapfile -t K < <(printf '%s\n' "${FPRS[@]}" | awk -v seed=$s \
		'BEGIN{srand(seed)} {print rand() "\t" $0}' | sort | cut -f2 |
		head -n $n)
	printf '%s\n' "${K[@]}" >"$H/keys"
	g "$P" --armor --export-secret-keys "${K[@]}" | g "$H" --import 2>/dev/null
	{
		echo "${K[0]}:6:"
		for ((i = 1; i < n; i++)); do
			case $((RANDOM % 5)) in
			0) ;; 1) echo "${K[$i]}:3:" ;; 2) echo "${K[$i]}:4:" ;;
			*) echo "${K[$i]}:5:" ;;
			esac
		done
	} | g "$H" --import-ownertrust 2>/dev/null
	# the certifications, as signer-target pairs, made below with one gpg
	# call per target (each signer a -u)
	unset SIGNERS
	declare -A SIGNERS=()
	ORDER=()
	# a chain of fully trusted keys deeper than the depth limit
	prev=${K[0]}
	for i in 1 2 3 4 5 6 7; do
		pair "$prev" "${K[$i]}"
		prev=${K[$i]}
	done
	for i in 1 2 3 4 5 6; do echo "${K[$i]}:5:"; done |
		g "$H" --import-ownertrust 2>/dev/null
	# random certifications, the user's key signing more often
	for ((e = 0; e < n + n / 2; e++)); do
		a=$((RANDOM % 3 == 0 ? 0 : RANDOM % n)); b=$((RANDOM % n))
		[ $a -ne $b ] && pair "${K[$a]}" "${K[$b]}"
	done
	for t in "${ORDER[@]}"; do
		# shellcheck disable=SC2086 # the -u options, split
		g "$H" --yes ${SIGNERS[$t]} --quick-sign-key "$t" 2>/dev/null
	done
	# an expired certification and one to be revoked
	a=$((8 + RANDOM % (n - 8))); b=$((8 + RANDOM % (n - 8)))
	g "$H" --yes --default-key "${K[0]}" --default-cert-expire seconds=1 \
		--quick-sign-key "${K[$a]}" 2>/dev/null
	[ $a -ne $b ] && g "$H" --yes --default-key "${K[0]}" \
		--quick-sign-key "${K[$b]}" 2>/dev/null && REVOKE[$s]=${K[$b]}
	# a revoked key
	r=$((1 + RANDOM % (n - 1)))
	g "$H" --import "$P/${K[$r]}.rev" 2>/dev/null
	gpgconf --homedir "$H" --kill all
done
gpgconf --homedir "$P" --kill all
sleep 1.1

compared=0
for s in $(seq 1 "$GRAPHS"); do
	H="$T/gpg-g$s"
	n=${NKEYS[$s]}
	mapfile -t K <"$H/keys"
	[ -n "${REVOKE[$s]:-}" ] && g "$H" --yes --default-key "${K[0]}" \
		--quick-revoke-sig "${REVOKE[$s]}" "${K[0]}" 2>/dev/null
	# the last graph with non-default parameters
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
		vmap "${line#* }"
		if [ "${OURS[$f]:-missing}" != "$WANT" ]; then
			bad=$((bad + 1))
			echo "# graph $s: $f gpg=${line#* } ($WANT) wotdns=${OURS[$f]:-missing}"
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

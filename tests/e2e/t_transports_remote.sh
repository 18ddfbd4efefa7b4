#!/usr/bin/env bash
# follow over https:// (git http-backend behind a small TLS server, with a
# certificate made here and trusted through [sync] ca-file) and ssh:// (a
# throwaway sshd on a loopback port, key auth, host key in known_hosts).
# Parts whose tools are missing are skipped with a message.
. "$(dirname "$0")/lib.sh"

PY=$(command -v /usr/bin/python3 python3 | head -n 1)
peer alice; peer bob
zone "$T/alice.zone" alice.wot. "@ IN A 192.0.2.1"
wd alice publish "$T/alice.zone" >/dev/null || exit 1
setopt() { printf '\n[sync]\n%s = %s\n' "$2" "$3" >>"$T/$1/config"; }
# wait_file FILE: up to 5 s
wait_file() { for _ in $(seq 1 50); do [ -s "$1" ] && return 0; sleep 0.1; done; return 1; }

# ---- https:// ----
if [ -z "$PY" ] || ! command -v openssl >/dev/null; then
	echo "# SKIP https: python3 or openssl missing"
else
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 \
		-subj /CN=localhost -addext subjectAltName=DNS:localhost \
		-addext basicConstraints=critical,CA:TRUE 2>/dev/null
	"$PY" "$(dirname "$0")/https_git.py" "$T" "$T/cert.pem" "$T/key.pem" \
		"$T/https.port" 2>"$T/https.log" &
	PIDS+=($!)
	if ! wait_file "$T/https.port"; then
		fail "https server did not start: $(cat "$T/https.log")"
	else
		URL="https://localhost:$(cat "$T/https.port")/alice/own.git"
		out=$(wd bob follow "$URL" --name over-https 2>&1)
		expect_eq "https: an untrusted certificate is refused" "$?" "1"
		echo "# $out"
		expect_match "https: refusal explained" "$out" \
			"certificate|TLS|SSL|ssl"
		setopt bob ca-file "$T/cert.pem"
		out=$(wd bob follow "$URL" --name over-https 2>&1)
		expect_eq "https: follow with [sync] ca-file" "$?" "0"
		expect_match "https: pinned to alice" "$(wd bob sources)" \
			"over-https  $URL
  key $FPR_alice"
		wd bob sign-friend "$FPR_alice" >/dev/null 2>&1
		zone "$T/alice.zone" alice.wot. "@ IN A 192.0.2.2"
		wd alice publish "$T/alice.zone" >/dev/null
		wd bob sync >/dev/null 2>&1
		expect_eq "https: sync" "$?" "0"
		expect_match "https: new record accepted" \
			"$(wd bob resolve alice.wot A)" "192.0.2.2"
	fi
fi
finish

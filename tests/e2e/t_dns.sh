#!/usr/bin/env bash
# DNS behaviour of overlay answers, checked with real dig and kdig: record
# types, AA, NXDOMAIN vs NODATA with SOA, CNAME, case, EDNS0, truncation
# with TCP fallback, and hostile packets over UDP and TCP.
. "$(dirname "$0")/lib.sh"

peer zed
big=()
for i in $(seq 1 40); do
	big+=("big IN TXT \"record $i $(printf 'x%.0s' $(seq 1 80))\"")
done
zone "$T/zed.zone" zed.wot. "@ IN A 192.0.2.10" "@ IN AAAA 2001:db8::10" \
	"@ IN MX 10 mail" "mail IN A 192.0.2.25" "@ IN TXT \"v=spf1 -all\"" \
	"_sip._tcp IN SRV 0 5 5060 sip" "sip IN A 192.0.2.26" \
	"sub IN NS ns1.sub" "ns1.sub IN A 192.0.2.53" \
	"www IN CNAME web" "web IN CNAME @" "out IN CNAME www.example.com." \
	"a.b.c IN A 192.0.2.30" "${big[@]}"
wd zed publish "$T/zed.zone" >/dev/null && wd zed sync >/dev/null 2>&1
start_upstream
start_serve zed --upstream "$UPSTREAM" --sync-interval 0

expect_eq "A" "$(q zed.wot A)" "192.0.2.10"
expect_eq "AAAA" "$(q zed.wot AAAA)" "2001:db8::10"
expect_eq "MX" "$(q zed.wot MX)" "10 mail.zed.wot."
expect_eq "TXT" "$(q zed.wot TXT)" '"v=spf1 -all"'
expect_eq "SRV" "$(q _sip._tcp.zed.wot SRV)" "0 5 5060 sip.zed.wot."
expect_eq "NS" "$(q sub.zed.wot NS)" "ns1.sub.zed.wot."
expect_eq "CNAME chain inside the overlay" "$(q www.zed.wot A | tr '\n' ' ')" \
	"web.zed.wot. zed.wot. 192.0.2.10 "
out=$(q out.zed.wot A | tr '\n' ' ')
expect_eq "CNAME into the normal DNS is followed there" "$out" \
	"www.example.com. 203.0.113.7 "
out=$(qfull out.zed.wot A)
expect_match "the chased answer is not authoritative: the upstream added to it" \
	"$out" "flags: qr rd ra;"
out=$(qfull out.zed.wot AAAA)
expect_match "a target without that type: NODATA with its zone's SOA" \
	"$out" "ANSWER: 1, AUTHORITY: 1"
expect_match "and the SOA is the normal DNS's" "$out" \
	"example.com.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+SOA"
out=$(kdig +tcp @127.0.0.1 -p "$PORT" out.zed.wot A 2>&1)
expect_match "followed over TCP too" "$out" "203.0.113.7"

out=$(qfull nothere.zed.wot A)
expect_match "NXDOMAIN" "$out" "status: NXDOMAIN"
expect_match "NXDOMAIN is authoritative" "$out" "flags: qr aa"
expect_match "NXDOMAIN carries the SOA" "$out" "AUTHORITY: 1"
expect_match "SOA in authority" "$out" "zed.wot.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+SOA"
out=$(qfull zed.wot SRV)
expect_match "NODATA is NOERROR" "$out" "status: NOERROR"
expect_match "NODATA has no answer and the SOA" "$out" "ANSWER: 0, AUTHORITY: 1"
expect_match "empty non-terminal is NODATA" "$(qfull b.c.zed.wot A)" \
	"status: NOERROR.*"
expect_match "never AD on overlay answers" "$(qfull zed.wot A +adflag)" \
	"flags: qr aa rd ra;"

out=$(qfull ZeD.WoT A)
expect_match "case-insensitive match" "$out" "192.0.2.10"
expect_match "question echoed as asked" "$out" ";ZeD.WoT.[[:space:]]+IN[[:space:]]+A"

expect_match "EDNS0 payload advertised" "$(qfull zed.wot A +edns=0)" "udp: 1232"
expect_match "EDNS version 1 gets BADVERS" \
	"$(qfull zed.wot A +edns=1 +noednsnegotiation)" "BADVERS"

out=$(qfull big.zed.wot TXT +ignore +bufsize=1232)
expect_match "large answer over UDP is truncated" "$out" "flags: qr aa tc"
out=$(qfull big.zed.wot TXT)
expect_match "dig falls back to TCP and gets all 40" "$out" "ANSWER: 40"
out=$(kdig +tcp @127.0.0.1 -p "$PORT" big.zed.wot TXT 2>&1)
expect_match "kdig over TCP gets all 40" "$out" "ANSWER: 40"
out=$(kdig @127.0.0.1 -p "$PORT" zed.wot AAAA 2>&1)
expect_match "kdig over UDP" "$out" "2001:db8::10"

# Hostile packets: garbage over UDP and TCP must not hurt the server.
for i in $(seq 1 50); do
	head -c $((RANDOM % 600 + 1)) /dev/urandom >/dev/udp/127.0.0.1/"$PORT"
done
printf '\x00\x05\x12\x34\x00' >/dev/udp/127.0.0.1/"$PORT"
{ printf '\xff\xff'; head -c 3000 /dev/urandom; } >/dev/tcp/127.0.0.1/"$PORT" 2>/dev/null
{ printf '\x00\x0c'; head -c 12 /dev/zero; } >/dev/tcp/127.0.0.1/"$PORT" 2>/dev/null
expect_eq "still answering after garbage" "$(q zed.wot A)" "192.0.2.10"
out=$(qfull zed.wot A +opcode=2)
expect_match "unknown opcode is NOTIMP" "$out" "status: NOTIMP"
expect_alive "server alive" "$SERVE_PID"
finish

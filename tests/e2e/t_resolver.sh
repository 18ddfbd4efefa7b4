#!/usr/bin/env bash
# Overlay answers per RFC 1034/1035/2181/4592/6891/8482 beyond t_dns.sh:
# minimal ANY, RD echoed, wildcards, EDNS options, versions and sizes,
# malformed queries over UDP and TCP (sent raw with wot_rawdns), zone
# transfer and UPDATE refused, other classes, and TCP pipelining.
. "$(dirname "$0")/lib.sh"

peer rex
mid=() big=()
for i in $(seq 1 10); do
	mid+=("mid IN TXT \"mid $i $(printf 'm%.0s' $(seq 1 54))\"")
done
for i in $(seq 1 40); do
	big+=("big IN TXT \"big $i $(printf 'b%.0s' $(seq 1 84))\"")
done
zone "$T/rex.zone" rex.wot. "@ IN A 192.0.2.10" "@ IN AAAA 2001:db8::10" \
	"@ IN MX 10 mail" "mail IN A 192.0.2.25" "@ IN TXT \"v=spf1 -all\"" \
	"two IN TXT \"$(printf 't%.0s' $(seq 1 60))\"" \
	"two IN TXT \"$(printf 'u%.0s' $(seq 1 60))\"" \
	"*.wild IN A 192.0.2.77" "host.wild IN A 192.0.2.78" \
	"${mid[@]}" "${big[@]}"
wd rex publish "$T/rex.zone" >/dev/null && wd rex sync >/dev/null 2>&1
start_fake up ok
start_serve rex --upstream "127.0.0.1:$FAKE_PORT" --sync-interval 0
answer() { dig +noall +answer +time=2 +tries=1 @127.0.0.1 -p "$PORT" "$@"; }

# RFC 8482: ANY gets one RRset, authoritatively.
out=$(qfull rex.wot ANY)
expect_match "ANY is authoritative" "$out" "flags: qr aa"
n=$(answer rex.wot ANY | awk '{print $4}' | sort -u | grep -c .)
expect_eq "ANY is answered with exactly one RRset (RFC 8482)" "$n" "1"
n=$(answer rex.wot ANY +tcp | awk '{print $4}' | sort -u | grep -c .)
expect_eq "ANY over TCP: one RRset too" "$n" "1"

# RFC 1035 4.1.1: RD is copied into the response.
expect_match "RD not set in the query, not set in the answer" \
	"$(qfull rex.wot A +norecurse)" "flags: qr aa ra;"

# RFC 4592 wildcards.
expect_eq "wildcard answers a missing name" "$(q x.wild.rex.wot A)" \
	"192.0.2.77"
expect_match "wildcard answer is owned by the query name" \
	"$(answer x.wild.rex.wot A)" "^x\.wild\.rex\.wot\.[[:space:]]"
expect_eq "wildcard covers deeper names" "$(q a.b.wild.rex.wot A)" \
	"192.0.2.77"
expect_eq "an existing name beats the wildcard" "$(q host.wild.rex.wot A)" \
	"192.0.2.78"
out=$(qfull x.wild.rex.wot AAAA)
expect_match "wildcard NODATA for another type" "$out" \
	"status: NOERROR"
expect_match "wildcard NODATA has no answer and the SOA" "$out" \
	"ANSWER: 0, AUTHORITY: 1"
expect_match "no wildcard below an existing name (RFC 4592 2.2.1)" \
	"$(qfull a.host.wild.rex.wot A)" "status: NXDOMAIN"
out=$(qfull wild.rex.wot A)
expect_match "the wildcard's parent exists (empty non-terminal)" "$out" \
	"status: NOERROR"
expect_match "the empty non-terminal is not synthesised" "$out" "ANSWER: 0,"

# RFC 6891: unknown options ignored, version 1 refused, sizes honoured.
out=$(qfull rex.wot A +ednsopt=65001:abcd +nocmd)
expect_match "unknown EDNS option: still answered" "$out" \
	"rex.wot.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+A[[:space:]]+192.0.2.10"
expect_match "unknown EDNS option: our OPT with udp 1232" "$out" "udp: 1232"
if printf '%s' "$out" | grep -q 65001; then
	fail "unknown EDNS option is not echoed"
else pass "unknown EDNS option is not echoed"; fi
out=$(qfull rex.wot A +edns=1 +noednsnegotiation)
expect_match "BADVERS answer has no records" "$out" "ANSWER: 0"
expect_match "BADVERS answer carries our OPT, version 0" "$out" \
	"EDNS: version: 0"

out=$(qfull mid.rex.wot TXT +bufsize=512 +ignore)
expect_match "512-byte client: TC when the answer does not fit" "$out" \
	"flags: qr aa tc"
s=$(msg_size "$out")
expect_eq "512-byte client: UDP reply <= 512 bytes ($s)" \
	"$([ "${s:-9999}" -le 512 ] && echo yes)" "yes"
out=$(qfull mid.rex.wot TXT +noedns +ignore)
expect_match "no EDNS: TC when the answer does not fit" "$out" \
	"flags: qr aa tc"
s=$(msg_size "$out")
expect_eq "no EDNS: UDP reply <= 512 bytes ($s)" \
	"$([ "${s:-9999}" -le 512 ] && echo yes)" "yes"
out=$(qfull two.rex.wot TXT +bufsize=100 +ignore)
expect_match "EDNS size below 512 counts as 512" "$out" \
	"flags: qr aa rd ra;.*ANSWER: 2"
out=$(qfull mid.rex.wot TXT +bufsize=4096 +ignore)
s=$(msg_size "$out")
expect_match "4096-byte client: mid-size answer whole over UDP" "$out" \
	"flags: qr aa rd ra;.*ANSWER: 10"
expect_eq "4096-byte client: reply above 512 bytes ($s)" \
	"$([ "${s:-0}" -gt 512 ] && echo yes)" "yes"
out=$(qfull big.rex.wot TXT +bufsize=4096 +ignore)
s=$(msg_size "$out")
expect_match "4096-byte client: big answer truncated" "$out" "flags: qr aa tc"
expect_eq "4096-byte client: UDP reply capped at 1232 bytes ($s)" \
	"$([ "${s:-9999}" -le 1232 ] && echo yes)" "yes"

# Malformed and unusual queries, raw, over UDP and TCP.
hdr1=123401000001000000000000
qname=$(wire_name rex.wot)
quest=${qname}00010001 # rex.wot A IN
good=$(wire_query 4660 256 rex.wot 1)
opt=00002904d0000000000000 # OPT: root, udp 1232, no options
for tr in udp tcp; do
	o=(--timeout=700)
	[ $tr = tcp ] && o+=(--tcp)
	expect_match "$tr: a well-formed raw query is answered" \
		"$(raw "${o[@]}" "$good")" "id=4660 rcode=NOERROR flags=qr,aa,rd,ra qd=1 an=1"
	expect_match "$tr: two questions: FORMERR" \
		"$(raw "${o[@]}" "123401000002000000000000$quest$quest")" \
		"id=4660 rcode=FORMERR"
	expect_match "$tr: name cut short: FORMERR" \
		"$(raw "${o[@]}" "$hdr1"03726578)" "id=4660 rcode=FORMERR"
	expect_match "$tr: question without class: FORMERR" \
		"$(raw "${o[@]}" "$hdr1$qname"0001)" "id=4660 rcode=FORMERR"
	expect_match "$tr: header only, no question: FORMERR" \
		"$(raw "${o[@]}" 123401000000000000000000)" "id=4660 rcode=FORMERR"
	expect_eq "$tr: a response (QR set) is not answered" \
		"$(raw "${o[@]}" "$(wire_query 4660 $((0x8100)) rex.wot 1)")" \
		"no reply"
	out=$(raw "${o[@]}" 00)
	expect_match "$tr: a 1-byte message is not answered" "$out" \
		"^no reply$"
	if printf '%s' "$out" | grep -q "^id="; then
		fail "$tr: nothing answers a 1-byte message"
	else pass "$tr: nothing answers a 1-byte message"; fi
	expect_match "$tr: name pointing at itself: FORMERR" \
		"$(raw "${o[@]}" "$hdr1"c00c00010001)" "id=4660 rcode=FORMERR"
	expect_match "$tr: compression loop through a label: FORMERR" \
		"$(raw "${o[@]}" "$hdr1"0161c00c00010001)" "id=4660 rcode=FORMERR"
	expect_match "$tr: two OPT records: FORMERR (RFC 6891 6.1.1)" \
		"$(raw "${o[@]}" "123401000001000000000002$quest$opt$opt")" \
		"id=4660 rcode=FORMERR"
	expect_match "$tr: OPT outside the additional section: FORMERR" \
		"$(raw "${o[@]}" "123401000001000100000000$quest$opt")" \
		"id=4660 rcode=FORMERR"
	expect_match "$tr: AXFR refused" \
		"$(raw "${o[@]}" "$(wire_query 4660 0 rex.wot 252)")" \
		"id=4660 rcode=(REFUSED|NOTIMP)"
	expect_match "$tr: opcode UPDATE: NOTIMP" \
		"$(raw "${o[@]}" "$(wire_query 4660 $((0x2800)) rex.wot 6)")" \
		"id=4660 rcode=NOTIMP"
done
expect_match "class CH for an overlay name: REFUSED" \
	"$(qfull rex.wot A -c CH)" "status: REFUSED"
expect_match "class CH over TCP: REFUSED" \
	"$(qfull rex.wot TXT -c CH +tcp)" "status: REFUSED"

# RFC 7766: several queries on one connection, a bad one among them, and
# one that waits for the upstream while an overlay answer goes first.
out=$(raw --tcp --raw --count=3 "$(frame "$(wire_query 1 256 rex.wot 1)")" \
	"$(frame "123401000002000000000000$quest$quest")" \
	"$(frame "$(wire_query 2 256 mail.rex.wot 1)")")
expect_match "pipelined: first answer" "$out" "id=1 rcode=NOERROR .*an=1"
expect_match "pipelined: malformed one gets FORMERR" "$out" \
	"id=4660 rcode=FORMERR"
expect_match "pipelined: third answer after the bad one" "$out" \
	"id=2 rcode=NOERROR .*an=1"
out=$(raw --tcp --raw --count=2 \
	"$(frame "$(wire_query 7 256 www.example.test 1)")" \
	"$(frame "$(wire_query 8 256 rex.wot 28)")")
expect_match "pipelined: forwarded query answered on the connection" \
	"$out" "id=7 rcode=NOERROR .*an=1"
expect_match "pipelined: overlay query answered on the connection" \
	"$out" "id=8 rcode=NOERROR .*an=1"

expect_eq "still answering after all that" "$(q rex.wot A)" "192.0.2.10"
expect_alive "server alive" "$SERVE_PID"
finish

#!/usr/bin/env bash
# DNS conformance points found by ISC's EDNS compliance test and by hand,
# checked with dig, kdig and raw packets (wot_rawdns): the DO bit copied
# into answers (RFC 3225), NOTIMP for other opcodes without RA (RFC 8906),
# CHAOS names (version.bind ...) and other classes answered here and never
# forwarded (a recording fake upstream proves nothing left), FORMERR with
# the query's OPT (RFC 6891 section 7), and a TCP frame too short to be a
# message closing the connection.
. "$(dirname "$0")/lib.sh"

peer rex
zone "$T/rex.zone" rex.wot. "@ IN A 192.0.2.10"
wd rex publish "$T/rex.zone" >/dev/null && wd rex sync >/dev/null 2>&1 ||
	{ echo "publish failed"; exit 1; }
start_fake rec ok
UP=$FAKE_PORT
start_serve rex --upstream "127.0.0.1:$UP" --sync-interval 0 \
	--upstream-timeout 300
quest=$(wire_name rex.wot)00010001 # rex.wot A IN
opt=00002904d0000000000000	    # OPT: root, udp 1232, no options

# --- RFC 3225: DO copied ----------------------------------------------------
for n in rex.wot nothere.rex.wot; do
	expect_match "DO copied into the overlay answer for $n" \
		"$(qfull $n A +dnssec)" "EDNS: version: 0, flags: do;"
done
expect_match "DO copied into a forwarded answer" \
	"$(qfull www.example.test A +dnssec)" "EDNS: version: 0, flags: do;"
expect_match "no DO asked, none given" "$(qfull rex.wot A)" \
	"EDNS: version: 0, flags:;"
expect_match "kdig sees DO too" \
	"$(kdig +dnssec @127.0.0.1 -p "$PORT" rex.wot A 2>&1)" "flags: do;"

# --- opcodes: NOTIMP, no RA -------------------------------------------------
for tr in udp tcp; do
	o=(--timeout=700)
	[ $tr = tcp ] && o+=(--tcp)
	# opcode 15 with RD; opcode 2 (STATUS) without; UPDATE with EDNS
	expect_match "$tr: opcode 15: NOTIMP, RD copied, no RA" \
		"$(raw "${o[@]}" "$(wire_query 4660 $((0x7900)) rex.wot 6)")" \
		"id=4660 rcode=NOTIMP flags=qr,rd qd="
	expect_match "$tr: opcode STATUS without RD: NOTIMP, bare flags" \
		"$(raw "${o[@]}" "$(wire_query 4660 $((0x1000)) rex.wot 6)")" \
		"id=4660 rcode=NOTIMP flags=qr qd="
	expect_match "$tr: UPDATE with an OPT: NOTIMP with an OPT" \
		"$(raw "${o[@]}" "123428000001000000000001$quest$opt")" \
		"id=4660 rcode=NOTIMP flags=qr .*ar=1"
done
out=$(qfull rex.wot SOA +opcode=15)
expect_match "dig +opcode=15: NOTIMP" "$out" "status: NOTIMP"
expect_match "dig +opcode=15: RD copied, no RA, no AA" "$out" "flags: qr rd;"

# --- CHAOS and other classes: answered here, never forwarded -------------
c0=$(fake_udp "$UP")
t0=$(fake_tcp "$UP")
for n in version.bind hostname.bind id.server version.server; do
	for t in +notcp +tcp; do
		expect_match "$n CH TXT ($t): REFUSED here" \
			"$(qfull $n TXT -c CH $t)" "status: REFUSED"
	done
done
expect_match "kdig version.bind CH TXT: REFUSED" \
	"$(kdig @127.0.0.1 -p "$PORT" version.bind TXT CH 2>&1)" "REFUSED"
expect_match "class HS for a normal name: REFUSED" \
	"$(qfull www.example.test A -c HS)" "status: REFUSED"
expect_match "class ANY for a normal name: REFUSED" \
	"$(qfull www.example.test A -c ANY)" "status: REFUSED"
expect_eq "the upstream saw no UDP query for any of them" \
	"$(fake_udp "$UP")" "$c0"
expect_eq "nor a TCP one" "$(fake_tcp "$UP")" "$t0"
if grep -Eq "bind|server|type=16" "$T/fake-rec.log" 2>/dev/null; then
	fail "the upstream's log holds none of those names"
	cat "$T/fake-rec.log"
else pass "the upstream's log holds none of those names"; fi
expect_match "REFUSED without AA and with RA" "$(qfull version.bind TXT -c CH)" \
	"flags: qr rd ra;"

# --- RFC 6891 section 7: FORMERR keeps the OPT ----------------------------
for tr in udp tcp; do
	o=(--timeout=700)
	[ $tr = tcp ] && o+=(--tcp)
	expect_match "$tr: two questions and an OPT: FORMERR with an OPT" \
		"$(raw "${o[@]}" "123401000002000000000001$quest$quest$opt")" \
		"id=4660 rcode=FORMERR flags=qr,rd,ra .*ar=1"
	expect_match "$tr: no question and an OPT: FORMERR with an OPT" \
		"$(raw "${o[@]}" "123401000000000000000001$opt")" \
		"id=4660 rcode=FORMERR .*qd=0 .*ar=1"
	expect_match "$tr: no OPT, none in the FORMERR" \
		"$(raw "${o[@]}" "123401000002000000000000$quest$quest")" \
		"id=4660 rcode=FORMERR .*ar=0"
done

# --- TCP: a frame too short to be a message ends the connection ---------
good=$(wire_query 4661 256 rex.wot 1)
for len in 1 11; do
	short=$(printf '%04x' $len)$(head -c $len /dev/zero | od -An -tx1 | tr -d ' \n')
	out=$(raw --tcp --raw --count=2 --timeout=3000 "$short$(frame "$good")")
	expect_match "a $len-byte frame closes the connection" "$out" "^closed"
	none_of_id=$(printf '%s' "$out" | grep -c "id=4661")
	expect_eq "the query after a $len-byte frame is not answered" \
		"$none_of_id" "0"
done
t1=$(date +%s%N)
out=$(raw --tcp --raw --count=1 --timeout=5000 "0001ff")
t2=$(date +%s%N)
expect_eq "closed at once, not at the idle timeout ($(((t2 - t1) / 1000000)) ms)" \
	"$([ $(((t2 - t1) / 1000000)) -lt 2000 ] && echo yes)" "yes"
expect_match "a 12-byte frame (a bare header) is still answered" \
	"$(raw --tcp --raw --count=2 "$(frame 123401000000000000000000)$(frame "$good")")" \
	"id=4661 rcode=NOERROR"
expect_eq "still answering" "$(q rex.wot A)" "192.0.2.10"
stop_serve
expect_clean_logs rex
finish

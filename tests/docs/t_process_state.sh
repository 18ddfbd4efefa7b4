#!/usr/bin/env bash
# Issue 15: no process-wide state outside logging and the last-error slot,
# so two daemons (two homes) live in one process. Every variable of static
# storage in libwotdns (data, bss and thread-local sections of its
# objects; constants live elsewhere) must be one of those below, each
# with the reason it belongs to the process rather than to a home.
. "$(dirname "$0")/lib.sh"
LIB=$BUILD/libwotdns.a
command -v objdump >/dev/null || fail "objdump missing (binutils)"
[ -f "$LIB" ] || fail "no $LIB"

# OBJECT SYMBOL: why it is the process's.
ALLOWED="
log.c.o log_sink		logging: the application's one sink
log.c.o log_data		logging
log.c.o log_max			logging
log.c.o log_lock		logging
log.c.o journal			logging: stderr is the journal's or not
log.c.o journal_once		logging
error.c.o last_msg		the thread-local last error
error.c.o last_code		the thread-local last error
accept_json.c.o num.0		thread-local text of the last number formatted (a pure memo)
accept_json.c.o last.1		the same memo's key
repo.c.o owner_once		libgit2's owner validation: one libgit2 setting per process
transport.c.o ca_lock		libgit2's CA setting: one per process (transport.c says why)
transport.c.o ca_set		the file libgit2 holds for it
keyring.c.o gpgme_once	GPGME's initialisation: once per process
keyring.c.o gpgme_ok		its result
accepted.c.o once.0		malloc's trim threshold: the process's allocator
sdnotify.c.o warned.0		sd_notify's socket is the process's: warn once
"

found=$(objdump -t "$LIB" | awk '
	/^[^ ]+\.o:/ { obj = $1; sub(/:$/, "", obj) }
	$0 ~ /\t/ {
		split($0, p, "\t"); n = split(p[1], f, " ");
		sec = f[n]; flags = substr(p[1], 18, 7);
		m = split(p[2], q, " ");
		# __odr_asan.*, __asan_*, __ubsan_*: sanitizer instrumentation
		if (sec ~ /^\.(data|bss|tdata|tbss)$/ && flags !~ /d/ &&
		    q[m] !~ /^__(odr_asan|asan|ubsan)/)
			print obj, q[m];
	}' | sort -u)
[ -n "$found" ] && pass "objdump lists libwotdns's static variables" ||
	fail "objdump found no static variable at all in $LIB"
unexpected=""
while read -r obj sym; do
	[ -z "$obj" ] && continue
	grep -qE "^$obj $sym[[:space:]]" <<<"$ALLOWED" ||
		unexpected+="$obj $sym"$'\n'
done <<<"$found"
expect_eq "no process-wide state but logging, the last error and the listed library settings" "$unexpected" ""
finish

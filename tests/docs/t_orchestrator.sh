#!/usr/bin/env bash
# Issue 15 (rooms): the daemon is the one orchestrator. Under src/dns only
# the daemon's scheduler runs a sync, recomputes the accepted set or swaps
# the served table; the peer room asks it (wot_peer_requests) and includes
# no daemon header; the daemon and the CLI see the peer room through its
# one public header; the trust core stays pure; no source file is over 800
# lines.
. "$(dirname "$0")/lib.sh"
cd "$SRC" || exit 1

# Calls (not declarations) of the entry points that run a sync, recompute
# or swap, in C files under src/dns.
RUNS='wot_sync_(all|sources|one|renew_due)|wot_dns_accepted_load|wot_dns_pool_set_table'
calls=$(grep -EnH "\b($RUNS)\(" $(find src/dns -name '*.c') |
	grep -v '^src/dns/daemon/scheduler\.c:' |
	grep -v '^src/dns/daemon/accepted\.c:[0-9]*:int wot_dns_accepted_load(' |
	grep -v '^src/dns/resolver/pool\.c:.*void wot_dns_pool_set_table(')
expect_eq "only the daemon's scheduler syncs, recomputes and swaps tables" \
	"$calls" ""

expect_eq "the peer room includes no daemon header" \
	"$(grep -EnH '#include "dns/daemon/' src/dns/peer/*.[ch])" ""

expect_eq "the daemon and the CLI include only peer.h of the peer room" \
	"$(grep -EnH '#include "dns/peer/' src/dns/daemon/*.[ch] src/cli/*.[ch] |
		grep -v '"dns/peer/peer\.h"')" ""

# The trust core (src/trust/*.[ch], not its gpg/ adapter): trust/ and util/
# headers only, and no I/O library.
expect_eq "the trust core includes only trust/ and util/ headers" \
	"$(grep -EnH '#include "' src/trust/*.[ch] | grep -Ev '"(trust|util)/')" ""
expect_eq "the trust core includes no gpgme, uv, git2 or ldns" \
	"$(grep -EnH '#include <(gpgme|uv|git2|ldns)' src/trust/*.[ch])" ""

big=$(find src -name '*.[ch]' -exec wc -l {} + | grep -v ' total$' |
	awk '$1 > 800 {print $2 " (" $1 " lines)"}')
expect_eq "no source file over 800 lines" "$big" ""
finish

#!/usr/bin/env bash
# Issue 15: the rooms of the tree and what may call what
# (docs/design.md, "The rooms"). Each room has one public header; a file
# includes its own room's headers and the public headers of the rooms
# below it, never another room's internals:
#
#   util                                       (nothing)
#   trust core   src/trust/*        util; and no gpgme, git2, libuv, ldns:
#                                   it is pure, the GPGME adapter is
#   trust/gpg    src/trust/gpg/     the trust core, util
#   sync         src/sync/          trust, util
#   net          src/dns/net/       util
#   resolver     src/dns/resolver/  net, util (never sync, peer or trust)
#   peer         src/dns/peer/      resolver, net, sync, trust, util
#   daemon       src/dns/daemon/    every public header
#   desktop      src/dns/desktop/   daemon, sync, trust, util
#   nss          src/dns/nss/       its own files (a plugin: libc + ldns)
#   cli          src/cli/           every public header, never an internal one
#
# Also: a public header includes only public headers, no source file
# (in src/ or tests/) over 800 lines, and in src/dns only the daemon
# starts a sync or swaps a served table.
. "$(dirname "$0")/lib.sh"
cd "$SRC/src" || exit 1

# The one public header of each room, by room path.
declare -A PUB=([util]=util/util.h [trust]=trust/trust.h [sync]=sync/sync.h
	[dns/net]=dns/net/net.h [dns/resolver]=dns/resolver/resolver.h
	[dns/peer]=dns/peer/peer.h [dns/daemon]=dns/daemon/daemon.h
	[dns/desktop]=dns/desktop/desktop.h)
# Which rooms' public headers a room may include (besides its own files).
declare -A MAY=([util]="" [trust]="util" [trust/gpg]="util"
	[sync]="trust util" [dns/net]="util" [dns/resolver]="dns/net util"
	[dns/peer]="dns/resolver dns/net sync trust util"
	[dns/daemon]="dns/peer dns/resolver dns/net sync trust util"
	[dns/desktop]="dns/daemon sync trust util" [dns/nss]=""
	[cli]="dns/desktop dns/daemon dns/peer dns/resolver dns/net sync trust util")

room_of() { # FILE -> its room
	case $1 in
	trust/gpg/*) echo trust/gpg ;;
	dns/*/*) echo "${1%/*}" | cut -d/ -f1,2 ;;
	*) echo "${1%%/*}" ;;
	esac
}

# allowed ROOM HEADER: may a file of ROOM include the project header HEADER?
allowed() {
	local room=$1 hdr=$2 r
	# A bare name is a file next to the includer (the NSS plugin's way).
	[[ $hdr != */* ]] && return 0
	# Its own room's files (trust/gpg also sees the trust core's).
	case $room in
	trust/gpg) [[ $hdr == trust/* ]] && return 0 ;;
	*) [[ $hdr == "$room"/* && $(room_of "$hdr") == "$room" ]] && return 0 ;;
	esac
	for r in ${MAY[$room]}; do
		[ "$hdr" = "${PUB[$r]}" ] && return 0
	done
	return 1
}

bad=""
nfiles=0
while IFS= read -r f; do
	nfiles=$((nfiles + 1))
	room=$(room_of "$f")
	if [ -z "${MAY[$room]+x}" ]; then
		bad+="$f: in no room of the layout"$'\n'
		continue
	fi
	while IFS= read -r hdr; do
		allowed "$room" "$hdr" ||
			bad+="$f: $room may not include \"$hdr\""$'\n'
	done < <(sed -n 's/^#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
done < <(find . -name '*.[ch]' | sed 's#^\./##' | sort)
[ "$nfiles" -gt 100 ] && pass "the layering rules looked at $nfiles files" ||
	fail "only $nfiles source files found under $SRC/src"
expect_eq "every #include follows the rooms' layering" "$bad" ""

# The pure trust core: no library that does I/O, and no I/O of its own.
impure=$(grep -nE '^#[[:space:]]*include[[:space:]]*<(gpgme|git2|uv|ldns|systemd|sys/socket)' \
	trust/*.[ch] 2>/dev/null)
expect_eq "the trust core includes no I/O library" "$impure" ""
io=$(grep -nE '\b(fopen|open|openat|opendir|read|write|socket|time|getenv)\(' \
	trust/*.c 2>/dev/null)
expect_eq "the trust core does no I/O and reads no clock" "$io" ""

# One public header per room, where the layout says.
for r in "${!PUB[@]}"; do
	[ -f "${PUB[$r]}" ] && pass "$r: public header ${PUB[$r]}" ||
		fail "$r: no public header ${PUB[$r]}"
done

# A public header is what other rooms see: it includes other public
# headers only, never its own room's internals (else they leak out).
leaks=""
for r in "${!PUB[@]}"; do
	while IFS= read -r hdr; do
		pub=0
		for q in "${PUB[@]}"; do [ "$hdr" = "$q" ] && pub=1; done
		[ $pub = 1 ] || leaks+="${PUB[$r]} includes \"$hdr\""$'\n'
	done < <(sed -n 's/^#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "${PUB[$r]}")
done
expect_eq "a public header includes no internal header" "$leaks" ""

# The tests' C files too: a test file is read as often as the code.
big=$(find . ../tests -name '*.[ch]' -exec wc -l {} + | awk '$2 != "total" && $1 > 800 {print $2 ": " $1 " lines"}')
expect_eq "no source file over 800 lines" "$big" ""

# The daemon is the one orchestrator: elsewhere in src/dns nothing starts
# a sync run or swaps a served table.
calls=$(grep -rnE '\bwot_sync_(one|run|sources|all)\(|\bwot_dns_(server|pool)_swap\w*\(' \
	dns --include='*.c' | grep -v '^dns/daemon/')
expect_eq "only src/dns/daemon starts syncs and swaps tables" "$calls" ""
finish

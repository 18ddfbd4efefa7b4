#!/usr/bin/env bash
# Issue 6: a hostile tree. Alice's history, validly signed, carries
# symbolic links (to files outside the repository), a submodule, a
# subdirectory, names with control characters and names git forbids, and
# an oversized blob. Only regular files are read: the rest is reported as
# ignored, nothing outside the repository is read, and nothing outside
# the follower's home is written.
. "$(dirname "$0")/lib.sh"

peer alice
peer bob
zone "$T/alice.zone" alice.wot. "@ IN A 192.0.2.1"
wd alice publish "$T/alice.zone" >/dev/null
trusted_source bob alice
ALICE=$(repo alice)
GOOD=$(git --git-dir="$ALICE" rev-parse main)

# Files outside any repository that the links point to.
mkdir -p "$T/secret"
zone "$T/secret/canary.zone" alice.wot. "stolen IN A 198.51.100.66"
cp "$T/secret/canary.zone" "$T/secret/key.asc"

rm -rf "$T/wa"
git clone -q "$ALICE" "$T/wa"
cd "$T/wa" || exit 1
echo "www IN A 192.0.2.80" >>zones/alice.zone
ln -s "$T/secret/canary.zone" zones/passwd.zone
ln -s "$T/secret/canary.zone" zone.txt
ln -s "$T/secret/key.asc" keys/evil.asc
mkdir zones/sub
zone zones/sub/deep.zone alice.wot. "deep IN A 198.51.100.67"
zone "zones/esc$(printf '\033')[31mred.zone" alice.wot. "esc IN A 198.51.100.68"
git add -A
git update-index --add --cacheinfo "160000,$GOOD,zones/module"
GNUPGHOME="$T/alice/gnupg" git -c user.signingkey="$FPR_alice" \
	commit -q -S -m "hostile tree" || fail "could not sign"
# with_zone_entry BASE ENTRY MSG [PARENT]: a signed commit of BASE's tree
# with ENTRY ("MODE TYPE OID<TAB>NAME") added to zones/, on PARENT (default
# BASE), built with plumbing.
with_zone_entry() {
	local zt rt
	zt=$( { git ls-tree -z "$1:zones"; printf '%s\0' "$2"; } | git mktree -z)
	rt=$( { git ls-tree -z "$1" | grep -zv '	zones$'
		printf '040000 tree %s\tzones\0' "$zt"; } | git mktree -z)
	GNUPGHOME="$T/alice/gnupg" git commit-tree -S"$FPR_alice" \
		-p "${4:-$1}" -m "$3" "$rt"
}
# A name git forbids, "..", only a crafted tree can hold.
C=$(with_zone_entry HEAD \
	"100644 blob $(git rev-parse HEAD:zones/sub/deep.zone)	.." "dot-dot")
# ... and a name with a slash, which not even git mktree writes: the raw
# tree object, by hand.
ZT=$(python3 -c '
import subprocess, sys
out = subprocess.run(["git", "ls-tree", "-z", sys.argv[1] + ":zones"],
                     capture_output=True, check=True).stdout
raw = b""
for e in out.split(b"\0"):
    if e:
        meta, name = e.split(b"\t", 1)
        mode, _, oid = meta.split(b" ")
        raw += mode.lstrip(b"0") + b" " + name + b"\0" + bytes.fromhex(oid.decode())
raw += b"100644 sub2/evil.zone\0" + bytes.fromhex(sys.argv[2])
print(subprocess.run(["git", "hash-object", "-t", "tree", "-w", "--literally",
                      "--stdin"], input=raw, capture_output=True,
                     check=True).stdout.decode().strip())
' "$C" "$(git rev-parse HEAD:zones/sub/deep.zone)")
RT=$( { git ls-tree -z "$C" | grep -zv '	zones$'
	printf '040000 tree %s\tzones\0' "$ZT"; } | git mktree -z)
C=$(GNUPGHOME="$T/alice/gnupg" git commit-tree -S"$FPR_alice" -p "$C" \
	-m "slash" "$RT")
git push -q origin "$C:refs/heads/main"
cd - >/dev/null || exit 1

# The sync, watched: every file it opens, creates, renames or removes.
if strace -o /dev/null true 2>/dev/null; then
	TRACE="$T/trace"
	# (LeakSanitizer cannot run under ptrace; the sanitizer build's
	# leak checks come from the other tests.)
	out=$(ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
		strace -f -qq -o "$TRACE" -e trace=%file \
		"$W" --home "$T/bob" sync 2>&1)
else
	TRACE=
	out=$(wd bob sync 2>&1)
fi
expect_match "hostile tree: the sync succeeds" "$out" "sources: 2 ok, 0 failed"
for w in "zones/passwd.zone: a symbolic link" "zone.txt: a symbolic link" \
	"keys/evil.asc: a symbolic link" "zones/sub: a directory" \
	"zones/module: a submodule \(gitlink\)" \
	"zones/esc\?\[31mred.zone: a name with control characters" \
	"zones/\.\.: a name git forbids" \
	"zones/sub2/evil.zone: a name git forbids"; do
	expect_match "reported: $w" "$out" \
		"alice: ignored $w \(only regular files are read\)"
	expect_match "status lists: $w" "$(wd bob status)" "ignored: $w"
done
expect_eq "no escape sequence reaches the output" \
	"$(printf '%s' "$out" | grep -c "$(printf '\033')")" "0"
expect_match "the regular zone file is read" \
	"$(wd bob resolve www.alice.wot A)" "192.0.2.80"
for n in stolen deep esc; do
	expect_eq "$n.alice.wot (not a regular file in zones/) is not served" \
		"$(wd bob resolve $n.alice.wot A 2>/dev/null | grep -c 198.51)" "0"
done
if [ -n "$TRACE" ]; then
	expect_eq "nothing outside the repository is read" \
		"$(grep -c "$T/secret" "$TRACE")" "0"
	# Writes: opened for writing, created, renamed, removed, linked.
	writes=$(grep -E '^[0-9]+ +((open|openat|creat)\(.*(O_WRONLY|O_RDWR|O_CREAT)|(rename|renameat|renameat2|unlink|unlinkat|mkdir|mkdirat|rmdir|link|linkat|symlink|symlinkat)\()' \
		"$TRACE" | grep -v ' = -1 ' |
		grep -oE '"[^"]*"' | tr -d '"' | sort -u |
		grep -vE "^($T/bob/|/dev/null$|/dev/tty$)" |
		grep -vE '^[^/]' || true)
	expect_eq "nothing outside the home is written" "$writes" ""
else
	echo "# strace unusable here: read/write tracing skipped"
fi

# An oversized zone file (100 MB of zeros, a tiny pack): refused from its
# object header before it is inflated; the old records keep serving.
BIG=$(head -c 100000000 /dev/zero | git -C "$T/wa" hash-object -w --stdin)
C=$(cd "$T/wa" && with_zone_entry HEAD "100644 blob $BIG	big.zone" big "$C")
git -C "$T/wa" push -q origin "$C:refs/heads/main"
out=$(wd bob sync 2>&1)
expect_eq "oversized: sync exits 1" "$?" "1"
expect_match "oversized: named with its limit" "$out" \
	"alice: FAILED: zones/big.zone: 97657 KB, over the limit of 16384 KB \(\[limits\] zone-size\)"
expect_match "oversized: the last verified records keep serving" \
	"$(wd bob resolve www.alice.wot A)" "192.0.2.80"
finish

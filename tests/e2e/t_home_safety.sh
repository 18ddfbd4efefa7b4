#!/usr/bin/env bash
# Issue 13 item 6, local users: a home, its config, sources.conf, state/
# and keyring must belong to the user wotdns runs for and be writable by
# no one else, or every command refuses them with one line naming the file
# and the fix; init makes the home 0700 and will not take another user's
# directory. Under `serve --user`, the notify socket is the user's, so
# their `publish` reaches the daemon, and a publish that cannot reach a
# running daemon says so. Another user is a numeric uid no account has
# (chown, setpriv), and nobody for `serve --user`.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || { echo "runs as root (chown, setpriv)"; exit 1; }
OTHER=48213 # no account: only ever a number on files
chmod 711 "$T" # the other users reach their homes inside it
# The build tree may be where other users cannot reach it (a clone in
# /root): they run a copy (libwotdns is linked in statically).
mkdir -m 755 "$T/bin" && cp "$W" "$T/bin/wotdns" && chmod 755 "$T/bin/wotdns"
WA=$T/bin/wotdns

# as UID CMD...: run CMD as a uid (and group) of that number, no groups
as() {
	local u=$1
	shift
	setpriv --reuid="$u" --regid="$u" --clear-groups env HOME="$T/userhome" "$@"
}

# refused WHAT CMD... : CMD fails with exit 1 and one line on stderr
refused() {
	local what=$1 out rc
	shift
	out=$("$@" 2>&1 >/dev/null)
	rc=$?
	expect_eq "$what: exit 1" "$rc" 1
	expect_eq "$what: one line" "$(printf '%s\n' "$out" | wc -l)" 1
	LAST=$out
}

# --- init ------------------------------------------------------------------
mkdir "$T/wide" && chmod 0777 "$T/wide"
"$W" --home "$T/wide" init --name wide >/dev/null 2>&1
expect_eq "init takes an empty dir of one's own" "$?" 0
expect_eq "... and makes it 0700" "$(stat -c %a "$T/wide")" 700

mkdir "$T/theirs" && chmod 0777 "$T/theirs" && chown "$OTHER:$OTHER" "$T/theirs"
refused "init in another user's directory" "$W" --home "$T/theirs" init
expect_match "... names the owner" "$LAST" \
	"$T/theirs belongs to uid $OTHER, not to uid 0"
expect_eq "... and leaves nothing there" "$(ls -A "$T/theirs")" ""

mkdir -m 0770 "$T/sharedgpg"
refused "init with a group-writable --gnupghome" \
	"$W" --home "$T/g" init --gnupghome "$T/sharedgpg"
expect_match "... names it and the fix" "$LAST" "chmod go-w $T/sharedgpg"
expect_eq "... and makes no home" "$(ls -A "$T/g" 2>/dev/null)" ""

# --- every command, on a home someone else can change ------------------------
peer alice
soa='@ IN SOA ns.alice.wot. h.alice.wot. 1 3600 600 86400 60'
zone "$T/alice.zone" alice.wot. "$soa" "@ IN A 192.0.2.1"
wd alice publish "$T/alice.zone" >/dev/null || exit 1
printf '[bob]\nurl = %s\n' "$T/nowhere.git" >"$T/alice/sources.conf"
gpgconf --homedir "$T/alice/gnupg" --kill all
wd alice status >/dev/null
expect_eq "a home of one's own opens" "$?" 0

# Each command below opens the home (serve too, before it binds).
for rel in "" config sources.conf state gnupg gnupg/pubring.kbx \
	gnupg/trustdb.gpg; do
	p="$T/alice/$rel"
	p=${p%/}
	for mode in g+w o+w; do
		chmod "$mode" "$p"
		for cmd in status sources sync conflicts "resolve alice.wot" \
			"publish $T/alice.zone"; do
			# shellcheck disable=SC2086
			refused "$cmd, ${rel:-home} $mode" wd alice $cmd
			expect_match "... names the file and the fix" "$LAST" \
				"$p is writable by group or others: .*\(chmod go-w $p\)"
		done
		out=$(timeout 10 "$W" --home "$T/alice" serve --listen 127.0.0.1:0 \
			--upstream 127.0.0.1:9 --sync-interval 0 2>&1)
		expect_eq "serve, ${rel:-home} $mode: exit 1" "$?" 1
		expect_match "... says why" "$out" "chmod go-w $p"
		chmod go-w "$p"
	done
done
wd alice status >/dev/null
expect_eq "once fixed, the home opens again" "$?" 0
expect_eq "the published zone is still there" \
	"$(git --git-dir="$(repo alice)" show main:zones/alice.zone | grep -c 192.0.2.1)" 1

for rel in "" config sources.conf gnupg; do
	p="$T/alice/$rel"
	p=${p%/}
	chown "$OTHER" "$p"
	refused "status, ${rel:-home} owned by another user" wd alice status
	expect_match "... names the file, the owner and the fix" "$LAST" \
		"$p belongs to uid $OTHER, not to uid 0 who runs wotdns: .*chown 0 $p"
	chown 0 "$p"
done

# The other side: that user's own home is theirs to use, root's is not
# theirs to trust with a file of a third user in it.
mkdir "$T/other" && chown "$OTHER:$OTHER" "$T/other"
as "$OTHER" "$WA" --home "$T/other/h" init --name other >/dev/null 2>&1
expect_eq "another user inits a home of their own" "$?" 0
as "$OTHER" "$WA" --home "$T/other/h" status >/dev/null 2>&1
expect_eq "... and uses it" "$?" 0
printf '[x]\nurl = %s\n' "$T/nowhere.git" >"$T/other/h/sources.conf"
chown $((OTHER + 1)) "$T/other/h/sources.conf"
refused "their sources.conf owned by a third user" \
	as "$OTHER" "$WA" --home "$T/other/h" status
expect_match "... is refused" "$LAST" "sources.conf belongs to uid $((OTHER + 1))"
refused "their serve, with that sources.conf" as "$OTHER" timeout 10 \
	"$WA" --home "$T/other/h" serve --listen 127.0.0.1:0 --upstream 127.0.0.1:9
expect_match "... is refused too" "$LAST" "sources.conf belongs to uid $((OTHER + 1))"
chown "$OTHER" "$T/other/h/sources.conf"
refused "root does not serve a user's home as root" timeout 10 \
	"$W" --home "$T/other/h" serve --listen 127.0.0.1:0 --upstream 127.0.0.1:9
expect_match "... and says to use --user" "$LAST" "with --user set to its owner"
gpgconf --homedir "$T/other/h/gnupg" --kill all

# --- serve --user: the notify socket is the user's ----------------------------
peer nob
zone "$T/nob.zone" nob.wot. "${soa//alice/nob}" "@ IN A 192.0.2.7"
gpgconf --homedir "$T/nob/gnupg" --kill all
chown -R nobody:nogroup "$T/nob"
start_serve nob --user nobody --upstream 127.0.0.1:9 --sync-interval 0
NOBODY=$(id -u nobody)
wait_for "serve dropped to nobody" 10 grep -q "running as nobody" "$T/serve-nob.log"
expect_eq "the notify socket belongs to nobody" \
	"$(stat -c %U "$T/nob/state/notify.sock")" nobody
expect_eq "the control socket belongs to nobody" \
	"$(stat -c %U "$T/nob/state/serve.sock")" nobody
err=$(as "$NOBODY" "$WA" --home "$T/nob" publish "$T/nob.zone" 2>&1 >/dev/null)
expect_eq "nobody publishes" "$?" 0
expect_eq "... and the daemon is told, nothing to say" "$err" ""
expect_match "the daemon counted the publish" \
	"$(as "$NOBODY" "$WA" --home "$T/nob" status 2>&1)" "publishes[^0-9]*1"

# A daemon its user cannot reach: publish commits and says so.
chown root:root "$T/nob/state/notify.sock"
chmod 0755 "$T/nob/state/notify.sock"
zone "$T/nob.zone" nob.wot. "${soa//alice/nob}" "@ IN A 192.0.2.8"
err=$(as "$NOBODY" "$WA" --home "$T/nob" publish "$T/nob.zone" 2>&1 >/dev/null)
expect_eq "publish to an unreachable daemon still commits (exit 0)" "$?" 0
expect_match "... and says the daemon was not told" "$err" \
	"could not tell the running daemon .*notify.sock: permission denied"
expect_eq "the commit is made" \
	"$(git --git-dir="$(repo nob)" show main:zones/nob.zone | grep -c 192.0.2.8)" 1
stop_serve
expect_eq "the daemon removed its sockets" \
	"$(ls "$T/nob/state" | grep -c sock)" 0
gpgconf --homedir "$T/nob/gnupg" --kill all
finish

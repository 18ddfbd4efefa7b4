#!/usr/bin/env bash
# The command line: --help everywhere, usage errors exit 2, clear errors
# exit 1 with a one-line "wotdns: ..." message.
. "$(dirname "$0")/lib.sh"

for c in init publish follow sign-friend sync serve resolve status sources unfollow opinions; do
	out=$("$W" "$c" --help)
	expect_eq "$c --help exits 0" "$?" "0"
	expect_match "$c --help shows usage" "$out" "^usage: wotdns $c"
	expect_match "$c -h shows usage" "$("$W" "$c" -h)" "^usage: wotdns $c"
	"$W" "$c" --no-such-option >/dev/null 2>&1
	expect_eq "$c with a bad option exits 2" "$?" "2"
done
expect_match "wotdns --help lists commands" "$("$W" --help)" "sign-friend"
"$W" frobnicate >/dev/null 2>&1
expect_eq "unknown command exits 2" "$?" "2"

out=$("$W" --home "$T/none" status 2>&1)
expect_eq "status without a home exits 1" "$?" "1"
expect_match "status without a home explains" "$out" \
	"^wotdns: .*is not a wotdns home \(run 'wotdns init' first\)"

peer alice
out=$(WOTDNS_HOME="$T/alice" "$W" status)
expect_match "WOTDNS_HOME selects the home" "$out" "key:  $FPR_alice"
out=$(wd alice init 2>&1)
expect_eq "init twice exits 1" "$?" "1"
expect_match "init twice explains" "$out" "already a wotdns home"

out=$(wd alice publish "$T/missing.zone" 2>&1)
expect_eq "publish of a missing file exits 1" "$?" "1"
expect_match "publish of a missing file names it" "$out" "missing.zone"
printf '$ORIGIN a.wot.\n@ IN A 192.0.2.1\n' >"$T/ok.zone"
printf '$ORIGIN b.wot.\n@ 300 IN MX mail\n' >"$T/bad2.zone"
before=$(git --git-dir="$(repo alice)" rev-parse main)
out=$(wd alice publish "$T/ok.zone" "$T/bad2.zone" 2>&1)
expect_eq "one bad file fails the publish" "$?" "1"
expect_match "error names file and line" "$out" "bad2.zone:2: "
expect_eq "nothing committed" "$(git --git-dir="$(repo alice)" rev-parse main)" \
	"$before"
oid=$(wd alice publish "$T/ok.zone" -m "first zone")
expect_match "publish prints the commit id" "$oid" "^[0-9a-f]{40}$"
expect_eq "publishing the same zone again makes no empty commit" \
	"$(wd alice publish "$T/ok.zone")" "$oid"
wd alice sync >/dev/null 2>&1
expect_match "resolve shows the SOA" "$(wd alice resolve a.wot SOA)" \
	"^a.wot.[[:space:]].*SOA"
printf '$ORIGIN m.wot.\n@ IN A 192.0.2.1\nx IN TYPE250 \\# 0\n' >"$T/meta.zone"
out=$(wd alice publish "$T/meta.zone" 2>&1)
expect_match "a meta type is refused at publish" "$out" "meta.zone:3: type 250"
# a relative --home works from anywhere afterwards
mkdir -p "$T/cwd1" "$T/cwd2"
(cd "$T/cwd1" && "$W" --home rel init --name rel >/dev/null)
out=$(cd "$T/cwd2" && "$W" --home "$T/cwd1/rel" status 2>&1)
expect_match "relative --home is stored absolute" "$out" "keys: 1 in keyring"
expect_match "gnupghome in config is absolute" \
	"$(cat "$T/cwd1/rel/config")" "gnupghome = /"
(cd "$T/cwd1" && "$W" --home rel follow ../alice/own.git >/dev/null 2>&1)
expect_match "a relative source path is stored absolute" \
	"$(cat "$T/cwd1/rel/sources.conf")" "url = $T/alice/own.git"
# a hand-written key in gpg's spaced, lower-case form is accepted
spaced=$(echo "$FPR_alice" | sed 's/..../& /g' | tr A-F a-f)
printf '[spaced]\nurl = %s\nkey = %s\n' "$T/alice/own.git" "$spaced" \
	>>"$T/cwd1/rel/sources.conf"
out=$("$W" --home "$T/cwd1/rel" status 2>&1)
expect_match "a spaced lower-case key in sources.conf is read" "$out" \
	"key $FPR_alice"
gpgconf --homedir "$T/cwd1/rel/gnupg" --kill all
# a relative --home after the command and a relative WOTDNS_HOME too
(cd "$T/cwd1" && "$W" init --home rel2 --name rel2 >/dev/null 2>&1)
expect_match "relative --home after init gives an absolute gnupghome" \
	"$(cat "$T/cwd1/rel2/config")" "gnupghome = $T/cwd1/rel2/gnupg"
(cd "$T/cwd1" && WOTDNS_HOME=rel3 "$W" init --name rel3 >/dev/null 2>&1)
expect_match "relative WOTDNS_HOME gives an absolute gnupghome" \
	"$(cat "$T/cwd1/rel3/config")" "gnupghome = $T/cwd1/rel3/gnupg"
gpgconf --homedir "$T/cwd1/rel2/gnupg" --kill all
gpgconf --homedir "$T/cwd1/rel3/gnupg" --kill all
expect_eq "commit message kept" \
	"$(git --git-dir="$(repo alice)" log -1 --format=%s)" "first zone"

out=$(wd alice follow /nonexistent/repo.git 2>&1)
expect_eq "follow of a missing repo exits 1" "$?" "1"
expect_match "follow of a missing repo explains" "$out" "^wotdns: follow: "
expect_eq "failed follow adds no source" \
	"$(wd alice status | sed -n 's/^sources: //p')" "1"
out=$(wd alice sign-friend 0000000000000000000000000000000000000000 2>&1)
expect_eq "sign-friend of an unknown key exits 1" "$?" "1"
out=$(wd alice resolve nothing.wot 2>&1)
expect_eq "resolve without an answer exits 1" "$?" "1"
out=$(wd alice serve --listen 192.0.2.1:5353 --no-upstream 2>&1)
expect_eq "non-loopback listen is refused" "$?" "1"
expect_match "non-loopback refusal explains" "$out" "loopback"
finish

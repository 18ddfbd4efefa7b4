# ns.sh - sourced by tests that run inside their own mount (and network)
# namespace. wot_unshare ARGS... runs `unshare ARGS...` so that no mount
# the test makes there reaches the machine.
#
# unshare makes the new namespace's mounts private by remounting /, which
# fails (EINVAL) where / is no mount point: a plain chroot, as a minimal
# root is often entered. There the test goes on without that remount only
# if a mount made in a new namespace is shown not to come back here (the
# chroot's runner made its mounts private); otherwise it stops and says
# how to run it.
wot_unshare() {
	local d
	if unshare -m --propagation private true 2>/dev/null; then
		unshare --propagation private "$@"
		return
	fi
	d=$(mktemp -d /tmp/wotdns-ns-probe.XXXXXX) || return 1
	unshare -m --propagation unchanged \
		sh -c "mount -t tmpfs wotdns-probe '$d' && : >'$d/seen'" 2>/dev/null
	if [ -e "$d/seen" ]; then
		umount "$d" 2>/dev/null
		rmdir "$d" 2>/dev/null
		echo "FAIL - / is not a mount point (a chroot?) and mounts made in" \
			"a new namespace show up here: run the tests in a container," \
			"or enter the root with its mounts private (unshare -m" \
			"--propagation private chroot ROOT ...)"
		return 1
	fi
	rmdir "$d"
	unshare --propagation unchanged "$@"
}

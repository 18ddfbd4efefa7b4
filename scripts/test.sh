#!/usr/bin/env bash
# test.sh - install what is missing, build, and run the whole test suite:
# unit and end-to-end tests on a normal build, then again under
# AddressSanitizer and UndefinedBehaviorSanitizer (the package test, which
# builds from the tree and not from the build, runs in the first only).
# WOT_TEST_JOBS tests run at a time (default 4: most end-to-end tests wait
# on timers and peers, not on the CPU; ctest starts the longest first).
# The sanitizer build compiles while the first run's tests wait on their
# peers.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
jobs=${WOT_TEST_JOBS:-4}
asan=1
[ "${WOT_SKIP_ASAN:-0}" = 1 ] && asan=0
bash "$top/scripts/deps.sh"
bash "$top/scripts/build.sh" "$top/build"
if [ "$asan" = 1 ]; then
	log=$(mktemp "${TMPDIR:-/tmp}/wotdns-asan-build.XXXXXX")
	trap 'rm -f "$log"' EXIT
	mkdir -p "$top/build-asan" # before t_package looks at the tree
	bash "$top/scripts/build.sh" "$top/build-asan" -DWOT_SANITIZE=ON \
		-DCMAKE_BUILD_TYPE=Debug >"$log" 2>&1 &
	builder=$!
fi
rc=0
ctest --test-dir "$top/build" --output-on-failure -j"$jobs" || rc=$?
if [ "$asan" = 1 ]; then
	if ! wait "$builder"; then
		cat "$log" >&2
		echo "test.sh: the sanitizer build failed" >&2
		exit 1
	fi
	[ "$rc" = 0 ] || exit "$rc"
	# A smaller quarantine than ASan's 256 MB: the daemons start a gpg
	# for every signature through GPGME's fork(), whose cost grows with
	# the heap the quarantine keeps resident (t_history: 41 s against
	# 21 s). Use-after-free of the last 8 MB freed is still caught, and
	# reports show 10 frames of where memory was taken and given back
	# (30 by default: every malloc pays for the walk).
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:quarantine_size_mb=8:malloc_context_size=10 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --test-dir "$top/build-asan" --output-on-failure -j"$jobs"
fi
exit "$rc"

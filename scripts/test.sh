#!/usr/bin/env bash
# test.sh - install what is missing, build, and run the whole test suite:
# unit and end-to-end tests on a normal build, then again under
# AddressSanitizer and UndefinedBehaviorSanitizer (the package test, which
# builds from the tree and not from the build, runs in the first only).
# WOT_TEST_JOBS tests run at a time (default 4: most end-to-end tests wait
# on timers and peers, not on the CPU; ctest starts the longest first).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
jobs=${WOT_TEST_JOBS:-4}
bash "$top/scripts/deps.sh"
bash "$top/scripts/build.sh" "$top/build"
ctest --test-dir "$top/build" --output-on-failure -j"$jobs"
if [ "${WOT_SKIP_ASAN:-0}" != 1 ]; then
	bash "$top/scripts/build.sh" "$top/build-asan" -DWOT_SANITIZE=ON \
		-DCMAKE_BUILD_TYPE=Debug
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --test-dir "$top/build-asan" --output-on-failure -j"$jobs"
fi

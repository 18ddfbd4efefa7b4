#!/usr/bin/env bash
# test.sh - install what is missing, build, and run the whole test suite:
# unit and end-to-end tests on a normal build, then again under
# AddressSanitizer and UndefinedBehaviorSanitizer.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bash "$top/scripts/deps.sh"
bash "$top/scripts/build.sh" "$top/build"
ctest --test-dir "$top/build" --output-on-failure -j2
if [ "${WOT_SKIP_ASAN:-0}" != 1 ]; then
	bash "$top/scripts/build.sh" "$top/build-asan" -DWOT_SANITIZE=ON \
		-DCMAKE_BUILD_TYPE=Debug
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --test-dir "$top/build-asan" --output-on-failure -j2
fi

#!/usr/bin/env bash
# fuzz.sh [SECONDS] [HARNESS...] - build the libFuzzer harnesses
# (tests/fuzz/fuzz_*.c, cmake -DWOT_FUZZ=ON with clang, ASan and UBSan) in
# build-fuzz/ and run each for SECONDS (default 60), one after the other,
# one process each (the machine is shared: nice'd). HARNESS is a name such
# as fuzz_query or query; none: all. Prints executions and findings per
# harness; exits 1 when any harness found something. See docs/fuzzing.md.
#
# Each run starts from the committed seed corpus (tests/fuzz/corpus/H/,
# never written here) plus what earlier runs found (build-fuzz/run/H/
# corpus). A finding is saved as build-fuzz/run/H/crash-* (or leak-,
# timeout-, oom-); reproduce it with `build-fuzz/tests/fuzz/H FILE`, fix
# the library, and commit the file to tests/fuzz/corpus/H/ so the suite
# (ctest -L fuzz) replays it.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
say() { printf '%s\n' "$*" >&2; }
die() { say "fuzz.sh: $*"; exit 1; }

secs=${1:-60}
shift || true
[[ $secs =~ ^[0-9]+$ ]] || die "SECONDS must be a number"

# clang and its libFuzzer runtime (Debian 12: clang 14); only for fuzzing,
# so not in scripts/deps.sh.
need=()
for p in clang libclang-rt-14-dev; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || die "install ${need[*]} (as root)"
	say "installing: ${need[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "${need[@]}" >/dev/null
fi

dir=$top/build-fuzz
say "building the fuzz harnesses in $dir..."
CC=clang cmake -S "$top" -B "$dir" -DWOT_FUZZ=ON \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
all=()
for f in "$top"/tests/fuzz/fuzz_*.c; do
	all+=("$(basename "$f" .c)")
done
if [ $# -gt 0 ]; then
	want=()
	for h in "$@"; do want+=("fuzz_${h#fuzz_}"); done
else
	want=("${all[@]}")
fi
for h in "${want[@]}"; do
	[ -f "$top/tests/fuzz/$h.c" ] || die "no harness $h (have: ${all[*]})"
done
nice cmake --build "$dir" -j"$(nproc)" --target "${want[@]}" >/dev/null

found=0
printf '%-16s %8s %12s %10s %6s %8s  %s\n' harness seconds executions \
	'exec/s' cov corpus findings
for h in "${want[@]}"; do
	run=$dir/run/$h
	mkdir -p "$run/corpus"
	log=$run/last.log
	before=$(find "$run" -maxdepth 1 -type f \( -name 'crash-*' -o \
		-name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
	# -timeout: an input taking 10 s is a hang, a finding too.
	set +e
	nice -n 10 "$dir/tests/fuzz/$h" -max_total_time="$secs" \
		-print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
		-max_len=8192 -artifact_prefix="$run/" \
		"$run/corpus" "$top/tests/fuzz/corpus/$h" >"$log" 2>&1
	rc=$?
	set -e
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	ncorp=$(find "$run/corpus" -type f | wc -l)
	after=$(find "$run" -maxdepth 1 -type f \( -name 'crash-*' -o \
		-name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
	new=$((after - before))
	what=$new
	if [ $rc -ne 0 ] || [ $new -gt 0 ]; then
		found=1
		what="$new (exit $rc; see $log)"
	fi
	printf '%-16s %8s %12s %10s %6s %8s  %s\n' "$h" "$secs" \
		"${execs:-?}" "${rate:-?}" "${cov:-?}" "$ncorp" "$what"
done
exit $found

# lib.sh - shared by the benchmarks (sourced; the caller defines say, die
# and top).

# bench_wotdns: set W to the binary to measure: $WOTDNS, else an optimised
# build in build-bench/ (made or updated here; the default build/ may be a
# Debug build).
bench_wotdns() {
	if [ -n "${WOTDNS:-}" ]; then
		W=$WOTDNS
	else
		say "building wotdns (RelWithDebInfo) in build-bench/..."
		{ cmake -S "$top" -B "$top/build-bench" \
			-DCMAKE_BUILD_TYPE=RelWithDebInfo -DWOT_TESTS=OFF >/dev/null &&
			cmake --build "$top/build-bench" -j"$(nproc)" \
				--target wotdns-bin >/dev/null; } ||
			die "build failed (WOTDNS=/path/to/wotdns uses another binary)"
		W="$top/build-bench/src/cli/wotdns"
	fi
	[ -x "$W" ] || die "no wotdns binary at $W"
}

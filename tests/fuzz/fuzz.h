/*
 * fuzz.h - what every fuzz harness shares (tests/fuzz/fuzz_*.c).
 *
 * Each harness defines LLVMFuzzerTestOneInput and feeds the bytes to one
 * real parser of outside input in libwotdns. Built with clang and
 * -fsanitize=fuzzer (cmake -DWOT_FUZZ=ON, bench/fuzz.sh) it is a libFuzzer
 * binary; in the normal build it is linked with replay_main.c and ctest
 * replays its corpus (tests/fuzz/corpus/<harness>/). See docs/fuzzing.md.
 */
#ifndef WOT_FUZZ_H
#define WOT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * A property of the parser's result that must hold for every input. Unlike
 * assert() it is never compiled out, so a violation is a finding in every
 * build (abort: libFuzzer saves the input, the replay test fails).
 */
#define FUZZ_CHECK(cond)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #cond);                              \
			abort();                                               \
		}                                                              \
	} while (0)

/* Silence the library's log and make a private scratch directory (once).
 * Returns the directory (borrowed). */
const char *fuzz_setup(void);

/*
 * Write data to the file rel (may name a subdirectory made beforehand)
 * under the scratch directory, replacing it; returns its path (static
 * buffer, valid until the next call). Some parsers only take a path, and
 * wot_file_read refuses symlinks such as /proc/self/fd/N, so a real file.
 */
const char *fuzz_write(const char *rel, const uint8_t *data, size_t size);

struct wot_home;
/*
 * A wotdns home in the scratch directory (a config with an identity key,
 * and state/accepted/), opened once (borrowed).
 */
struct wot_home *fuzz_home(void);

/*
 * Split data at the separator line "%%" (the bytes "\n%%\n") into at most
 * max parts; part i is parts[i]/lens[i] (pointers into data), the missing
 * ones empty. Returns the number of parts found. Lets one input hold
 * several files.
 */
size_t fuzz_split(const uint8_t *data, size_t size, const uint8_t **parts,
		  size_t *lens, size_t max);

/* data as a NUL-terminated string (caller frees); NULL on no memory. */
char *fuzz_strndup(const uint8_t *data, size_t size);

#endif

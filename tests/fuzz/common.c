/* common.c - the helpers of fuzz.h, linked into every harness. */
#include "fuzz.h"
#include "sync/sync.h"
#include "util/util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

static char scratch[256];

static void rm_scratch(void)
{
	char cmd[300];

	/* Only our own mkdtemp directory; nothing else is ever removed. */
	if (scratch[0] && !strncmp(scratch, "/tmp/wotfuzz.", 13)) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
		if (system(cmd) != 0)
			fprintf(stderr, "fuzz: could not remove %s\n", scratch);
	}
}

const char *fuzz_setup(void)
{
	if (scratch[0])
		return scratch;
	wot_log_set(NULL, NULL, 0); /* nothing is logged */
	snprintf(scratch, sizeof(scratch), "/tmp/wotfuzz.XXXXXX");
	if (!mkdtemp(scratch)) {
		perror("fuzz: mkdtemp");
		abort();
	}
	atexit(rm_scratch);
	return scratch;
}

const char *fuzz_write(const char *rel, const uint8_t *data, size_t size)
{
	static char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", fuzz_setup(), rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size)) {
		perror(path);
		abort();
	}
	close(fd);
	return path;
}

char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

struct wot_home *fuzz_home(void)
{
	static const char cfg[] =
	    "[identity]\nkey = 0123456789ABCDEF0123456789ABCDEF01234567\n";
	static wot_home *home;
	char dir[512];

	if (home)
		return home;
	fuzz_write("config", (const uint8_t *)cfg, sizeof(cfg) - 1);
	snprintf(dir, sizeof(dir), "%s/state", fuzz_setup());
	mkdir(dir, 0700);
	snprintf(dir, sizeof(dir), "%s/state/accepted", fuzz_setup());
	mkdir(dir, 0700);
	if (wot_home_open(&home, fuzz_setup()) < 0) {
		fprintf(stderr, "fuzz: home: %s\n", wot_error_last());
		abort();
	}
	return home;
}

size_t fuzz_split(const uint8_t *data, size_t size, const uint8_t **parts,
		  size_t *lens, size_t max)
{
	static const uint8_t sep[] = "\n%%\n";
	size_t n = 0, start = 0;

	for (size_t i = 0; i < max; i++) {
		parts[i] = data;
		lens[i] = 0;
	}
	while (n < max && start <= size) {
		const uint8_t *hit =
		    n + 1 < max ? memmem(data + start, size - start, sep, 4)
				: NULL;
		size_t end = hit ? (size_t)(hit - data) : size;
		parts[n] = data + start;
		lens[n++] = end - start;
		if (!hit)
			break;
		start = end + 4;
	}
	return n;
}

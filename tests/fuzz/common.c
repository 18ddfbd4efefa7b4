/* common.c - the helpers of fuzz.h, linked into every harness. */
#include "fuzz.h"
#include "util/util.h"

#include <fcntl.h>
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

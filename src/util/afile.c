/* afile.c - a file written in pieces and put in place atomically. */
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct wot_afile {
	char *path, *tmp;
	int fd;
};

int wot_afile_open(wot_afile **out, const char *path)
{
	wot_afile *f = calloc(1, sizeof(*f));

	*out = NULL;
	if (f)
		f->fd = -1;
	if (!f || !(f->path = strdup(path)) ||
	    !(f->tmp = wot_strdup_printf("%s.tmp.%ld", path, (long)getpid()))) {
		wot_afile_abort(f);
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	f->fd =
	    open(f->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		 0644);
	if (f->fd < 0) {
		int rc =
		    wot_error_set(WOT_EIO, "%s: %s", f->tmp, strerror(errno));
		free(f->tmp);
		f->tmp = NULL; /* nothing to remove */
		wot_afile_abort(f);
		return rc;
	}
	*out = f;
	return 0;
}

int wot_afile_write(wot_afile *f, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(f->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return wot_error_set(WOT_EIO, "%s: %s", f->tmp,
					     strerror(errno));
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void fsync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd =
	    copy ? open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;

	if (fd >= 0) {
		fsync(fd); /* best effort: the rename itself is atomic */
		close(fd);
	}
	free(copy);
}

int wot_afile_commit(wot_afile *f)
{
	int rc = 0, fd = f->fd;

	f->fd = -1;
	if (fsync(fd) < 0 || close(fd) < 0)
		rc = wot_error_set(WOT_EIO, "%s: %s", f->tmp, strerror(errno));
	else if (rename(f->tmp, f->path) < 0)
		rc = wot_error_set(WOT_EIO, "%s: %s", f->path, strerror(errno));
	if (rc == 0) {
		fsync_dir(f->path);
		free(f->tmp);
		f->tmp = NULL;
	}
	wot_afile_abort(f);
	return rc;
}

void wot_afile_abort(wot_afile *f)
{
	if (!f)
		return;
	if (f->fd >= 0)
		close(f->fd);
	if (f->tmp)
		unlink(f->tmp);
	free(f->tmp);
	free(f->path);
	free(f);
}

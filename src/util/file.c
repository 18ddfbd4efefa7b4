/* file.c - atomic writes, symlink-safe reads, directories. */
#include "util/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int wot_file_read(const char *path, size_t max, char **out, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd, rc = 0;

	*out = NULL;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return wot_error_set(errno == ENOENT ? WOT_ENOENT : WOT_EIO,
				     "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = wot_error_set(WOT_EIO, "%s: not a regular file", path);
		goto out;
	}
	if ((size_t)st.st_size > max) {
		rc = wot_error_set(WOT_ELIMIT, "%s: larger than %zu bytes",
				   path, max);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		rc = wot_error_set(WOT_ENOMEM, "out of memory");
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	*out = buf;
	buf = NULL;
	if (len)
		*len = got;
out:
	free(buf);
	close(fd);
	return rc;
}

static int fsync_dir_of(const char *path)
{
	char *copy = strdup(path);
	int fd;

	if (!copy)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd < 0)
		return 0; /* best effort: the rename itself is atomic */
	fsync(fd);
	close(fd);
	return 0;
}

static int write_replace(const char *path, const void *data, size_t len,
			 int durable)
{
	char *tmp = wot_strdup_printf("%s.tmp.%ld", path, (long)getpid());
	const char *p = data;
	int fd, rc = 0;

	if (!tmp)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		  0644);
	if (fd < 0) {
		rc = wot_error_set(WOT_EIO, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = wot_error_set(WOT_EIO, "%s: %s", tmp,
					   strerror(errno));
			close(fd);
			unlink(tmp);
			goto out;
		}
		p += n;
		len -= (size_t)n;
	}
	if ((durable && fsync(fd) < 0) || close(fd) < 0) {
		rc = wot_error_set(WOT_EIO, "%s: %s", tmp, strerror(errno));
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, path) < 0) {
		rc = wot_error_set(WOT_EIO, "%s: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = durable ? fsync_dir_of(path) : 0;
out:
	free(tmp);
	return rc;
}

int wot_file_write_atomic(const char *path, const void *data, size_t len)
{
	return write_replace(path, data, len, 1);
}

int wot_file_write_nosync(const char *path, const void *data, size_t len)
{
	return write_replace(path, data, len, 0);
}

int wot_mkdir_p(const char *path, unsigned mode)
{
	char *copy = strdup(path);
	struct stat st;
	int rc = 0;

	if (!copy)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	for (char *p = copy + 1;; p++) {
		char c = *p;
		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (mkdir(copy, mode) < 0 && errno != EEXIST) {
			rc = wot_error_set(WOT_EIO, "mkdir %s: %s", copy,
					   strerror(errno));
			break;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	if (rc == 0 && (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode)))
		rc = wot_error_set(WOT_EIO, "%s: not a directory", path);
	free(copy);
	return rc;
}

int wot_path_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

static int rm_error(const char *what, const char *path)
{
	return wot_error_set(WOT_EIO, "%s %s: %s", what, path, strerror(errno));
}

int wot_rmtree(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	int rc = 0;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : rm_error("lstat", path);
	if (!S_ISDIR(st.st_mode))
		return unlink(path) < 0 ? rm_error("unlink", path) : 0;
	d = opendir(path);
	if (!d)
		return rm_error("opendir", path);
	while ((e = readdir(d)) != NULL) {
		char *sub;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		sub = wot_path_join(path, e->d_name);
		if (!sub)
			rc = wot_error_set(WOT_ENOMEM, "out of memory");
		else if (wot_rmtree(sub) < 0)
			rc = WOT_EIO; /* its error is set */
		free(sub);
	}
	closedir(d);
	if (rmdir(path) < 0 && rc == 0)
		rc = rm_error("rmdir", path);
	return rc;
}

char *wot_path_join(const char *a, const char *b)
{
	return wot_strdup_printf("%s/%s", a, b);
}

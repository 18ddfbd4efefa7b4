/* desktop_file.c - reading and restoring what a system path was. */
#include "dns/desktop/desktop_wire.h"
#include "util/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void wd_orig_clear(struct wd_orig *o)
{
	if (!o)
		return;
	free(o->data);
	memset(o, 0, sizeof(*o));
}

static int read_link(const char *path, struct wd_orig *out)
{
	char buf[PATH_MAX];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);

	if (n < 0)
		return wot_error_set(WOT_EIO, "%s: %s", path, strerror(errno));
	buf[n] = '\0';
	if (!(out->data = strdup(buf)))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	out->len = (size_t)n;
	return 0;
}

int wd_orig_read(const char *path, struct wd_orig *out)
{
	struct stat st;

	memset(out, 0, sizeof(*out));
	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		return wot_error_set(WOT_EIO, "%s: %s", path, strerror(errno));
	}
	out->mode = st.st_mode & 07777;
	out->uid = st.st_uid;
	out->gid = st.st_gid;
	if (S_ISLNK(st.st_mode)) {
		out->kind = WD_SYMLINK;
		return read_link(path, out);
	}
	if (S_ISDIR(st.st_mode)) {
		out->kind = WD_DIR;
		return 0;
	}
	if (!S_ISREG(st.st_mode))
		return wot_error_set(WOT_EINVAL,
				     "%s: neither a file, a directory nor a "
				     "symbolic link: left alone",
				     path);
	out->kind = WD_FILE;
	return wot_file_read(path, WD_MAX_FILE, &out->data, &out->len);
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A mount point cannot be renamed over: rewrite it in place. */
static int put_in_place(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return wot_error_set(WOT_EIO, "%s: %s", path, strerror(errno));
	if (write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		int e = errno;
		close(fd);
		return wot_error_set(WOT_EIO, "%s: %s", path, strerror(e));
	}
	close(fd);
	return 0;
}

static char *temp_name(const char *path)
{
	return wot_strdup_printf("%s.wotdns-tmp.%ld", path, (long)getpid());
}

int wd_put_file(const char *path, const char *data, size_t len, unsigned mode,
		uid_t uid, gid_t gid)
{
	char *tmp = temp_name(path);
	int fd = -1, rc = 0;

	if (!tmp)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0) {
		rc = wot_error_set(WOT_EIO, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (write_all(fd, data, len) < 0 || fchown(fd, uid, gid) < 0 ||
	    fchmod(fd, mode) < 0 || fsync(fd) < 0) {
		rc = wot_error_set(WOT_EIO, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	close(fd);
	fd = -1;
	if (rename(tmp, path) == 0)
		goto out;
	if (errno != EBUSY) {
		rc = wot_error_set(WOT_EIO, "%s: %s", path, strerror(errno));
		goto out;
	}
	rc = put_in_place(path, data, len);
out:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return rc;
}

static int put_symlink(const char *path, const char *target)
{
	char *tmp = temp_name(path);
	int rc = 0;

	if (!tmp)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	unlink(tmp);
	if (symlink(target, tmp) < 0 || rename(tmp, path) < 0) {
		rc = wot_error_set(WOT_EIO, "%s: %s", path, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return rc;
}

static int remove_path(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0
				       : wot_error_set(WOT_EIO, "%s: %s", path,
						       strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		/* Only setup's own, now empty, directory goes. */
		if (rmdir(path) < 0 && errno != ENOTEMPTY && errno != EEXIST)
			return wot_error_set(WOT_EIO, "%s: %s", path,
					     strerror(errno));
		return 0;
	}
	if (unlink(path) < 0)
		return wot_error_set(WOT_EIO, "%s: %s", path, strerror(errno));
	return 0;
}

int wd_orig_restore(const char *path, const struct wd_orig *o)
{
	switch (o->kind) {
	case WD_ABSENT:
		return remove_path(path);
	case WD_FILE:
		return wd_put_file(path, o->data ? o->data : "", o->len,
				   o->mode, o->uid, o->gid);
	case WD_SYMLINK:
		return put_symlink(path, o->data);
	case WD_DIR:
		return 0; /* directories that existed are never changed */
	}
	return wot_error_set(WOT_EINVAL, "%s: unknown state", path);
}

/*
 * privdrop.c - give up root after binding port 53 (`serve --user`).
 */
#include "dns/daemon/daemon_int.h"
#include "util/util.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The daemon writes to its home on every sync: it must be the user's. */
static int check_home(const wot_home *h, const struct passwd *pw)
{
	struct stat st;
	const char *dir = wot_home_dir(h);

	if (stat(dir, &st) < 0)
		return wot_error_set(WOT_EIO, "%s: %s", dir, strerror(errno));
	if (st.st_uid != pw->pw_uid)
		return wot_error_set(WOT_EINVAL,
				     "home %s belongs to uid %u, not to %s "
				     "(uid %u): chown -R it first",
				     dir, (unsigned)st.st_uid, pw->pw_name,
				     (unsigned)pw->pw_uid);
	return 0;
}

/* The control and notify sockets were made by root: hand them over, or
 * the user's own `status` and `publish` could not connect. */
static void chown_sockets(const wot_home *h, const struct passwd *pw)
{
	static const wot_state_file sock[] = {WOT_STATE_SERVE_SOCK,
					      WOT_STATE_NOTIFY_SOCK};

	for (size_t i = 0; i < sizeof(sock) / sizeof(*sock); i++) {
		char *path = wot_state_path(h, sock[i]);
		if (path && lchown(path, pw->pw_uid, pw->pw_gid) < 0 &&
		    errno != ENOENT)
			wot_log(WOT_LOG_WARNING, "dns", "%s: %s", path,
				strerror(errno));
		free(path);
	}
}

int wot_daemon_drop_privileges(const wot_home *h, const char *user)
{
	const char *name = user ? user : wot_home_config(h)->user;
	struct passwd *pw;
	int rc;

	if (geteuid() != 0) {
		if (user)
			return wot_error_set(WOT_EINVAL,
					     "--user %s needs root (the daemon "
					     "runs as uid %u already)",
					     user, (unsigned)geteuid());
		return 0;
	}
	if (!name) {
		wot_log(WOT_LOG_WARNING, "dns",
			"running as root; use --user USER to drop privileges "
			"after binding");
		return 0;
	}
	errno = 0;
	if (!(pw = getpwnam(name)))
		return wot_error_set(WOT_EINVAL, "no such user: %s", name);
	if (pw->pw_uid == 0)
		return 0;
	if ((rc = check_home(h, pw)) < 0)
		return rc;
	chown_sockets(h, pw);
	/* Groups first, while still allowed; then for good (no saved id). */
	if (setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 ||
	    setuid(pw->pw_uid) < 0)
		return wot_error_set(WOT_EIO, "dropping to %s: %s", name,
				     strerror(errno));
	if (setuid(0) == 0)
		return wot_error_set(WOT_EIO, "could regain root after "
					      "dropping privileges");
	wot_log(WOT_LOG_NOTICE, "dns", "running as %s (uid %u)", name,
		(unsigned)pw->pw_uid);
	return 0;
}

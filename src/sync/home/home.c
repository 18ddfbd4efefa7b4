/* home.c - creating and opening a wotdns home, the sources list. */
#include "sync/source/source.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *wot_home_default(void)
{
	const char *env = getenv("WOTDNS_HOME");
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");

	if (env && *env)
		return strdup(env);
	if (xdg && *xdg)
		return wot_path_join(xdg, "wotdns");
	return wot_strdup_printf("%s/.local/share/wotdns", home ? home : ".");
}

char *wot_home_path(const wot_home *h, const char *rel)
{
	return wot_path_join(h->dir, rel);
}

const wot_config *wot_home_config(const wot_home *h)
{
	return &h->cfg;
}

const char *wot_home_dir(const wot_home *h)
{
	return h->dir;
}

int wot_home_open(wot_home **out, const char *dir)
{
	return wot_home_open_owned(out, dir, (unsigned)geteuid());
}

int wot_home_open_owned(wot_home **out, const char *dir, unsigned owner)
{
	wot_home *h = NULL;
	char *path = NULL, *text = NULL;
	int rc;

	*out = NULL;
	path = wot_path_join(dir, "config");
	if (!path)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	/* Before reading it: what another user wrote is never parsed. */
	rc = wot_home_check_dir(dir, owner);
	if (rc == 0)
		rc = wot_file_read(path, 1 << 20, &text, NULL);
	if (rc == WOT_ENOENT)
		rc = wot_error_set(WOT_ENOENT,
				   "%s is not a wotdns home (run 'wotdns "
				   "init' first)",
				   dir);
	if (rc < 0)
		goto out;
	h = calloc(1, sizeof(*h));
	if (!h || !(h->dir = strdup(dir))) {
		rc = wot_error_set(WOT_ENOMEM, "out of memory");
		goto out;
	}
	h->lock_wait_s = WOT_LOCK_WAIT_DEFAULT;
	if ((rc = wot_git_acquire()) < 0)
		goto out;
	h->git = 1;
	if ((rc = wot_config_parse(&h->cfg, text, path)) < 0)
		goto out;
	if (h->cfg.key)
		wot_fpr_normalise(h->cfg.key);
	if (!h->cfg.key || !wot_fpr_valid(h->cfg.key)) {
		rc = wot_error_set(WOT_ESYNTAX, "%s: identity.key missing",
				   path);
		goto out;
	}
	if (!h->cfg.gnupghome &&
	    !(h->cfg.gnupghome = wot_path_join(dir, "gnupg")))
		rc = wot_error_set(WOT_ENOMEM, "out of memory");
	if (rc == 0)
		rc = wot_home_check_rest(h, owner);
	if (rc == 0) {
		*out = h;
		h = NULL;
	}
out:
	wot_home_free(h);
	free(path);
	free(text);
	return rc;
}

void wot_home_free(wot_home *h)
{
	if (!h)
		return;
	wot_config_dispose(&h->cfg);
	wot_tld_free(atomic_load(&h->tlds));
	if (h->git)
		wot_git_release();
	free(h->dir);
	free(h);
}

int wot_home_tld_public(wot_home *h, const char *name)
{
	wot_tlds *t = atomic_load(&h->tlds), *none = NULL;

	if (!t) {
		/* Two threads may both read it: the first stored wins. */
		if (wot_tld_load(&t) < 0) {
			wot_error_clear();
			return 1; /* the name goes upstream as without a list */
		}
		if (!atomic_compare_exchange_strong(&h->tlds, &none, t)) {
			wot_tld_free(t);
			t = none;
		}
	}
	return wot_tld_public(t, name);
}

void wot_home_set_lock_wait(wot_home *h, unsigned seconds)
{
	h->lock_wait_s = seconds;
}

/* The holder writes its pid into the lock file, so a waiter can say whom
 * it waits for (flock itself does not tell). */
static const char *lock_holder(int fd, char *out, size_t len)
{
	char buf[24] = {0};
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	long pid = n > 0 ? strtol(buf, NULL, 10) : 0;

	if (pid > 0)
		snprintf(out, len, " (pid %ld)", pid);
	else
		out[0] = '\0';
	return out;
}

static void lock_mark(int fd)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());

	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n)
		wot_log(WOT_LOG_DEBUG, "sync", "lock: pid not written");
}

/* Poll, so the wait can end: flock has no timeout of its own. */
static int lock_poll(int fd, const char *p, unsigned lock_wait_s)
{
	uint64_t waited_ms = 0;
	char who[40];

	wot_log(WOT_LOG_NOTICE, "sync",
		"waiting for the home lock %s, held by another wotdns "
		"process%s (a sync, publish, follow...); giving up after %u s",
		p, lock_holder(fd, who, sizeof(who)), lock_wait_s);
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return wot_error_set(WOT_EIO, "lock: %s",
					     strerror(errno));
		if (waited_ms >= (uint64_t)lock_wait_s * 1000)
			return wot_error_set(
			    WOT_EIO,
			    "the home lock %s is still held by another wotdns "
			    "process%s after %u s; try again when it is done, "
			    "or wait longer with --lock-wait SECONDS",
			    p, lock_holder(fd, who, sizeof(who)), lock_wait_s);
		usleep(100 * 1000);
		waited_ms += 100;
	}
}

int wot_home_lock(const wot_home *h, int *fd)
{
	char *p = wot_home_path(h, "lock");
	int rc = 0;

	*fd = p ? open(p, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600) : -1;
	if (*fd < 0)
		rc = wot_error_set(WOT_EIO, "%s: %s", p ? p : "lock",
				   strerror(errno));
	else if (flock(*fd, LOCK_EX | LOCK_NB) < 0)
		rc = errno == EWOULDBLOCK || errno == EINTR
			 ? lock_poll(*fd, p, h->lock_wait_s)
			 : wot_error_set(WOT_EIO, "lock: %s", strerror(errno));
	if (rc == 0)
		lock_mark(*fd);
	else if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
	free(p);
	return rc;
}

void wot_home_unlock(int fd)
{
	if (fd >= 0) {
		/* No stale pid for the next waiter to name. */
		if (ftruncate(fd, 0) < 0)
			wot_log(WOT_LOG_DEBUG, "sync", "lock: not cleared");
		close(fd); /* releases the flock */
	}
}

int wot_source_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 64 || name[0] == '.')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("_.-", name[i]))
			return 0;
	return 1;
}

struct src_list {
	wot_source *v;
	size_t n;
	int rc;
};

/* A hand-written key may be spaced ("ABCD EF01 ...") or lower-case, like
 * identity.key: normalise first, then validate. */
static int key_ok(wot_source *s, const char *value)
{
	char tmp[128];

	if (strlen(value) >= sizeof(tmp))
		return 0;
	snprintf(tmp, sizeof(tmp), "%s", value);
	wot_fpr_normalise(tmp);
	if ((*tmp && !wot_fpr_valid(tmp)) || strlen(tmp) >= sizeof(s->key))
		return 0;
	memcpy(s->key, tmp, strlen(tmp) + 1);
	return 1;
}

static int mirror_add(wot_source *s, const char *url)
{
	size_t n = 0;
	char **nv;

	while (s->mirrors && s->mirrors[n])
		n++;
	if (!(nv = realloc(s->mirrors, (n + 2) * sizeof(*nv))))
		return WOT_ENOMEM;
	s->mirrors = nv;
	if (!(nv[n] = strdup(url)))
		return WOT_ENOMEM;
	nv[n + 1] = NULL;
	return 0;
}

static int src_handler(void *user, const char *section, const char *key,
		       const char *value)
{
	struct src_list *l = user;
	wot_source *s = NULL;

	for (size_t i = 1; i < l->n && !s; i++)
		if (!strcmp(l->v[i].name, section))
			s = &l->v[i];
	if (!s) {
		wot_source *nv;
		if (!wot_source_name_valid(section) ||
		    !strcmp(section, WOT_SELF))
			return l->rc = WOT_ESYNTAX, 0;
		if (!(nv = realloc(l->v, (l->n + 1) * sizeof(*nv))))
			return l->rc = WOT_ENOMEM, 0;
		l->v = nv;
		s = &l->v[l->n++];
		memset(s, 0, sizeof(*s));
		snprintf(s->name, sizeof(s->name), "%s", section);
	}
	if (!strcmp(key, "url")) {
		free(s->url);
		s->url = strdup(value);
	} else if (!strcmp(key, "key") && key_ok(s, value)) {
		/* key_ok stored it */
	} else if (!strcmp(key, "mirror") && *value) {
		if (mirror_add(s, value) < 0)
			return l->rc = WOT_ENOMEM, 0;
	} else if (!strcmp(key, "discovered") &&
		   (!strcmp(value, "yes") || !strcmp(value, "no"))) {
		s->discovered = !strcmp(value, "yes");
	} else if (!strcmp(key, "via") && wot_source_name_valid(value)) {
		snprintf(s->via, sizeof(s->via), "%s", value);
	} else {
		return l->rc = WOT_ESYNTAX, 0;
	}
	return 1;
}

int wot_sources_load(const wot_home *h, wot_source **out, size_t *n)
{
	struct src_list l = {NULL, 0, 0};
	char *path = wot_home_path(h, "sources.conf"), *text = NULL;
	int rc, line = 0;

	*out = NULL;
	*n = 0;
	l.v = calloc(1, sizeof(*l.v));
	if (!path || !l.v) {
		rc = wot_error_set(WOT_ENOMEM, "out of memory");
		goto out;
	}
	/* Self comes first: the user's own zone is a source like any other. */
	snprintf(l.v[0].name, sizeof(l.v[0].name), WOT_SELF);
	l.v[0].url = wot_home_path(h, "own.git");
	snprintf(l.v[0].key, sizeof(l.v[0].key), "%s", h->cfg.key);
	l.n = 1;
	rc = wot_file_read(path, 1 << 22, &text, NULL);
	if (rc == WOT_ENOENT) {
		rc = 0;
		wot_error_clear();
	} else if (rc == 0 &&
		   (line = wot_text_long_line(text, WOT_INI_LINE_MAX)) != 0) {
		/* libinih would read the rest as a line of its own */
		rc = wot_error_set(WOT_ESYNTAX,
				   "%s:%d: line longer than %d bytes", path,
				   line, WOT_INI_LINE_MAX);
	} else if (rc == 0 &&
		   (line = ini_parse_string(text, src_handler, &l)) != 0) {
		rc = wot_error_set(WOT_ESYNTAX, "%s:%d: bad source entry", path,
				   line);
	}
	for (size_t i = 0; rc == 0 && i < l.n; i++)
		if (!l.v[i].url)
			rc = wot_error_set(WOT_ESYNTAX,
					   "%s: source %s has no url", path,
					   l.v[i].name);
	if (rc == 0) {
		*out = l.v;
		*n = l.n;
		l.v = NULL;
	}
out:
	wot_sources_free(l.v, l.n);
	free(path);
	free(text);
	return rc;
}

int wot_sources_load_one(const wot_home *h, const char *name, wot_source **out,
			 size_t *n, size_t *at)
{
	int rc;

	if (!strcmp(name, WOT_SELF))
		return wot_error_set(
		    WOT_EINVAL, "'%s' is the own zone, not a source", WOT_SELF);
	if ((rc = wot_sources_load(h, out, n)) < 0)
		return rc;
	for (*at = 1; *at < *n && strcmp((*out)[*at].name, name); ++*at)
		;
	if (*at < *n)
		return 0;
	wot_sources_free(*out, *n);
	*out = NULL;
	*n = 0;
	return wot_error_set(WOT_ENOENT, "no source named '%s'", name);
}

void wot_sources_free(wot_source *s, size_t n)
{
	for (size_t i = 0; s && i < n; i++) {
		free(s[i].url);
		wot_strv_free(s[i].mirrors);
	}
	free(s);
}

/* A URL whose line would be too long to read back is not written. */
static int url_fits(const char *url)
{
	if (url && strlen(url) > WOT_PEER_URL_MAX)
		return wot_error_set(WOT_ELIMIT,
				     "URL longer than %d bytes: %.40s...",
				     WOT_PEER_URL_MAX, url);
	return 0;
}

int wot_sources_save(const wot_home *h, const wot_source *s, size_t n)
{
	wot_buf b = WOT_BUF_INIT;
	char *path = wot_home_path(h, "sources.conf");
	int rc = 0;

	rc = wot_buf_printf(&b, "# sources followed by wotdns; edit with "
				"'wotdns follow'\n");
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (!strcmp(s[i].name, WOT_SELF))
			continue;
		if ((rc = url_fits(s[i].url)) < 0)
			break;
		for (char **m = s[i].mirrors; rc == 0 && m && *m; m++)
			rc = url_fits(*m);
		if (rc < 0)
			break;
		rc = wot_buf_printf(&b, "\n[%s]\nurl = %s\n", s[i].name,
				    s[i].url);
		for (char **m = s[i].mirrors; rc == 0 && m && *m; m++)
			rc = wot_buf_printf(&b, "mirror = %s\n", *m);
		if (rc == 0)
			rc = wot_buf_printf(&b, "key = %s\n", s[i].key);
		if (rc == 0 && s[i].discovered)
			rc = wot_buf_printf(&b, "discovered = yes\n");
		if (rc == 0 && s[i].via[0])
			rc = wot_buf_printf(&b, "via = %s\n", s[i].via);
	}
	if (rc == 0 && path)
		rc = wot_file_write_atomic(path, b.ptr, b.len);
	wot_buf_dispose(&b);
	free(path);
	return rc;
}

int wot_home_trust(const wot_home *h, wot_trust **out)
{
	int rc = wot_trust_open(out, h->cfg.gnupghome);

	if (rc == 0)
		wot_trust_set_model(*out, h->cfg.completes_needed,
				    h->cfg.marginals_needed,
				    h->cfg.max_cert_depth);
	return rc;
}

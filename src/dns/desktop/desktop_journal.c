/* desktop_journal.c - the record of what desktop setup changed.
 *
 * WD_JOURNAL_DIR/journal lists, one a line, every path setup touched and
 * what it was before; orig/N holds the original bytes or link target. Both
 * are written and fsync'd before the change they describe, so undo finds
 * the original of every path it may have touched, even after a crash. Only
 * root writes here: the directory must be root's and private, or undo
 * could be made to write anywhere. Hence not /var/lib/wotdns: that is
 * wotdns.service's StateDirectory=, which systemd hands (recursively) to
 * the unprivileged user wotdns, and which purging the package removes.
 */
#include "dns/desktop/desktop_wire.h"
#include "util/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define JOURNAL WD_JOURNAL_DIR "/journal"
#define ORIG WD_JOURNAL_DIR "/orig"

static int dir_private(const char *dir, bool want_private)
{
	struct stat st;

	if (lstat(dir, &st) < 0)
		return wot_error_set(WOT_EIO, "%s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & (want_private ? 077 : 022)))
		return wot_error_set(WOT_EINVAL,
				     "%s must be a directory of root's that "
				     "no one else can %s (chown root %s; "
				     "chmod %s %s)",
				     dir, want_private ? "read" : "write", dir,
				     want_private ? "0700" : "go-w", dir);
	return 0;
}

int wd_journal_dir_ok(bool create)
{
	int rc;

	if (create && !wot_path_exists(WD_JOURNAL_DIR)) {
		if (mkdir(WD_JOURNAL_DIR, 0700) < 0 && errno != EEXIST)
			return wot_error_set(WOT_EIO, "%s: %s", WD_JOURNAL_DIR,
					     strerror(errno));
	}
	if ((rc = dir_private("/var/lib", false)) < 0)
		return rc;
	return dir_private(WD_JOURNAL_DIR, true);
}

void wd_journal_clear(struct wd_journal *j)
{
	for (size_t i = 0; i < j->n; i++) {
		free(j->e[i].path);
		wd_orig_clear(&j->e[i].orig);
	}
	free(j->e);
	free(j->user);
	free(j->mode);
	free(j->listen);
	memset(j, 0, sizeof(*j));
}

static const char *kind_word(const struct wd_jentry *e)
{
	static const char *const w[] = {"absent", "file", "symlink", "dir"};

	if (e->kind == WD_J_UNIT)
		return "unit";
	if (e->kind == WD_J_RESOLVED)
		return "resolved";
	return w[e->orig.kind];
}

int wd_journal_save(const struct wd_journal *j)
{
	wot_buf b = WOT_BUF_INIT;
	int rc = 0;

	wot_buf_printf(&b, "wotdns-desktop-journal 1\nuser %s\nmode %s\n",
		       j->user ? j->user : "-", j->mode ? j->mode : "-");
	wot_buf_printf(&b, "listen %s\nnss %d\n", j->listen ? j->listen : "-",
		       j->nss ? 1 : 0);
	for (size_t i = 0; i < j->n; i++) {
		const struct wd_jentry *e = &j->e[i];
		rc = wot_buf_printf(&b, "%s %d %o %u %u %s\n", kind_word(e),
				    e->n, e->orig.mode, (unsigned)e->orig.uid,
				    (unsigned)e->orig.gid, e->path);
	}
	if (j->complete)
		rc = wot_buf_printf(&b, "complete\n");
	if (rc == 0)
		rc = wot_file_write_atomic(JOURNAL, b.ptr, b.len);
	wot_buf_dispose(&b);
	return rc;
}

static int orig_path(int n, char *buf, size_t cap)
{
	return snprintf(buf, cap, "%s/%d", ORIG, n) >= (int)cap ? -1 : 0;
}

static int load_orig(struct wd_jentry *e)
{
	char p[256];

	if (e->orig.kind != WD_FILE && e->orig.kind != WD_SYMLINK)
		return 0;
	orig_path(e->n, p, sizeof(p));
	return wot_file_read(p, WD_MAX_FILE, &e->orig.data, &e->orig.len);
}

static int parse_kind(const char *w, struct wd_jentry *e)
{
	static const char *const k[] = {"absent", "file", "symlink", "dir"};

	e->kind = WD_J_PATH;
	if (!strcmp(w, "unit"))
		e->kind = WD_J_UNIT;
	else if (!strcmp(w, "resolved"))
		e->kind = WD_J_RESOLVED;
	else {
		for (int i = 0; i < 4; i++)
			if (!strcmp(w, k[i])) {
				e->orig.kind = (enum wd_kind)i;
				return 0;
			}
		return -1;
	}
	return 0;
}

static int parse_entry(struct wd_journal *j, const char *line)
{
	char word[16];
	unsigned mode, uid, gid;
	int n, off = 0;
	struct wd_jentry e = {0}, *ne;

	if (sscanf(line, "%15s %d %o %u %u %n", word, &n, &mode, &uid, &gid,
		   &off) != 5 ||
	    !off || !line[off] || parse_kind(word, &e) < 0)
		return -1;
	e.n = n;
	e.orig.mode = mode & 07777;
	e.orig.uid = uid;
	e.orig.gid = gid;
	if (!(e.path = strdup(line + off)))
		return -1;
	if (load_orig(&e) < 0 ||
	    !(ne = realloc(j->e, (j->n + 1) * sizeof(*ne)))) {
		free(e.path);
		wd_orig_clear(&e.orig);
		return -1;
	}
	j->e = ne;
	j->e[j->n++] = e;
	return 0;
}

static int set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = strcmp(v, "-") ? strdup(v) : NULL;
	return 0;
}

static int parse_line(struct wd_journal *j, const char *line)
{
	if (!strncmp(line, "user ", 5))
		return set_str(&j->user, line + 5);
	if (!strncmp(line, "mode ", 5))
		return set_str(&j->mode, line + 5);
	if (!strncmp(line, "listen ", 7))
		return set_str(&j->listen, line + 7);
	if (!strncmp(line, "nss ", 4)) {
		j->nss = line[4] == '1';
		return 0;
	}
	if (!strcmp(line, "complete")) {
		j->complete = true;
		return 0;
	}
	if (!strcmp(line, "wotdns-desktop-journal 1"))
		return 0;
	return parse_entry(j, line);
}

int wd_journal_load(struct wd_journal *j, bool *exists)
{
	char *text = NULL, *save = NULL;
	size_t len, ln = 0;
	int rc;

	memset(j, 0, sizeof(*j));
	*exists = false;
	if (!wot_path_exists(JOURNAL))
		return 0;
	if ((rc = wd_journal_dir_ok(false)) < 0)
		return rc;
	if ((rc = wot_file_read(JOURNAL, WD_MAX_FILE, &text, &len)) < 0)
		return rc;
	*exists = true;
	for (char *l = strtok_r(text, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		ln++;
		if (parse_line(j, l) < 0) {
			rc = wot_error_set(WOT_ESYNTAX, "%s:%zu: bad entry",
					   JOURNAL, ln);
			break;
		}
	}
	free(text);
	if (rc < 0)
		wd_journal_clear(j);
	return rc;
}

int wd_journal_find(const struct wd_journal *j, enum wd_jkind kind,
		    const char *path)
{
	for (size_t i = 0; i < j->n; i++)
		if (j->e[i].kind == kind && !strcmp(j->e[i].path, path))
			return (int)i;
	return -1;
}

static int next_n(const struct wd_journal *j)
{
	int n = 0;

	for (size_t i = 0; i < j->n; i++)
		if (j->e[i].n >= n)
			n = j->e[i].n + 1;
	return n;
}

int wd_journal_record(struct wd_journal *j, enum wd_jkind kind,
		      const char *path, const struct wd_orig *o)
{
	struct wd_jentry e = {.kind = kind, .n = next_n(j)}, *ne;
	char p[256];
	int rc;

	if (wd_journal_find(j, kind, path) >= 0)
		return 0;
	if (strchr(path, '\n'))
		return wot_error_set(WOT_EINVAL, "a path with a newline");
	if (o)
		e.orig = *o;
	e.orig.data = NULL;
	if (o && (o->kind == WD_FILE || o->kind == WD_SYMLINK)) {
		orig_path(e.n, p, sizeof(p));
		if ((rc = wot_mkdir_p(ORIG, 0700)) < 0 ||
		    (rc = wot_file_write_atomic(p, o->data ? o->data : "",
						o->len)) < 0)
			return rc;
		if (!(e.orig.data = malloc(o->len + 1)))
			return wot_error_set(WOT_ENOMEM, "out of memory");
		memcpy(e.orig.data, o->data ? o->data : "", o->len);
		e.orig.data[o->len] = '\0';
	}
	if (!(e.path = strdup(path)) ||
	    !(ne = realloc(j->e, (j->n + 1) * sizeof(*ne)))) {
		free(e.path);
		wd_orig_clear(&e.orig);
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	j->e = ne;
	j->e[j->n++] = e;
	return wd_journal_save(j);
}

/* Says what undoing e does ("would" first when dry). */
static void describe(const struct wd_jentry *e, FILE *log, bool dry)
{
	const char *w = dry ? "  would " : "";

	if (e->kind == WD_J_RESOLVED)
		fprintf(log, "%sremove wotdns's routes from systemd-resolved\n",
			w);
	else if (e->kind == WD_J_UNIT)
		fprintf(log, "%sstop and disable %s\n", w, e->path);
	else if (e->orig.kind == WD_ABSENT)
		fprintf(log, "%sremove %s (setup created it)\n", w, e->path);
	else if (e->orig.kind == WD_SYMLINK)
		fprintf(log, "%srestore the symbolic link %s -> %s\n", w,
			e->path, e->orig.data);
	else if (e->orig.kind == WD_FILE)
		fprintf(log, "%srestore %s (%zu bytes, %04o %u:%u)\n", w,
			e->path, e->orig.len, e->orig.mode,
			(unsigned)e->orig.uid, (unsigned)e->orig.gid);
}

int wd_journal_undo_entry(const struct wd_jentry *e, FILE *log, bool dry)
{
	describe(e, log, dry);
	if (dry)
		return 0;
	if (e->kind == WD_J_RESOLVED)
		return wot_dns_desktop_resolved_down(NULL);
	if (e->kind == WD_J_UNIT) {
		const char *argv[] = {"systemctl", "disable", "--now", e->path,
				      NULL};
		if (!wd_systemd_running()) {
			fprintf(log, "  (systemd is not running: stop the "
				     "wotdns serve started by hand)\n");
			return 0;
		}
		return wd_run(argv, log);
	}
	return wd_orig_restore(e->path, &e->orig);
}

int wd_journal_remove(void)
{
	int rc = wot_rmtree(ORIG);

	if (unlink(JOURNAL) < 0 && errno != ENOENT)
		return wot_error_set(WOT_EIO, "%s: %s", JOURNAL,
				     strerror(errno));
	return rc;
}

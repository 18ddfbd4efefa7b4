/* desktop_plan.c - the list of changes setup makes, and how it prints
 * them (--dry-run). A change whose target already is what setup wants is
 * left out, so a second setup has nothing to do. */
#include "dns/desktop/desktop_plan.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void wd_plan_clear(struct wd_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->c[i].path);
		free(p->c[i].data);
	}
	free(p->c);
	memset(p, 0, sizeof(*p));
}

static int push(struct wd_plan *p, struct wd_change *c)
{
	struct wd_change *nc = realloc(p->c, (p->n + 1) * sizeof(*nc));

	if (!nc) {
		free(c->path);
		free(c->data);
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	p->c = nc;
	p->c[p->n++] = *c;
	return 0;
}

int wd_plan_op(struct wd_plan *p, enum wd_op op, const char *what,
	       const char *why)
{
	struct wd_change c = {.op = op, .path = strdup(what), .why = why};

	if (!c.path)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	return push(p, &c);
}

int wd_plan_mkdir(struct wd_plan *p, const char *dir, const char *why)
{
	char *copy = strdup(dir);
	int rc = 0;

	if (!copy)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	/* Each missing ancestor, top down, so undo removes them all. */
	for (char *s = copy + 1; rc == 0; s++) {
		char c = *s;
		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (!wot_path_exists(copy))
			rc = wd_plan_op(p, WD_OP_MKDIR, copy, why);
		*s = c;
		if (!c)
			break;
	}
	free(copy);
	return rc;
}

int wd_plan_write(struct wd_plan *p, const char *path, char *data,
		  const struct wd_orig *now, const char *why)
{
	struct wd_change c = {.op = WD_OP_WRITE, .data = data, .why = why};

	c.len = strlen(data);
	if (now->kind == WD_FILE && now->len == c.len &&
	    !memcmp(now->data, data, c.len)) {
		free(data);
		return 0; /* already so */
	}
	c.mode = now->kind == WD_FILE ? now->mode : 0644;
	c.uid = now->kind == WD_FILE ? now->uid : 0;
	c.gid = now->kind == WD_FILE ? now->gid : 0;
	if (!(c.path = strdup(path))) {
		free(data);
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	return push(p, &c);
}

/* Whether line (n bytes) is one of text's lines. */
static bool has_line(const char *text, const char *line, size_t n)
{
	for (const char *p = text; *p;) {
		const char *e = strchr(p, '\n');
		size_t m = e ? (size_t)(e - p) : strlen(p);
		if (m == n && !memcmp(p, line, n))
			return true;
		p += m + (e != NULL);
	}
	return false;
}

/* Lines of a that b lacks, each after mark. */
static void lines_not_in(FILE *out, const char *a, const char *b, char mark)
{
	for (const char *p = a; *p;) {
		const char *e = strchr(p, '\n');
		size_t m = e ? (size_t)(e - p) : strlen(p);
		if (!has_line(b, p, m))
			fprintf(out, "    %c %.*s\n", mark, (int)m, p);
		p += m + (e != NULL);
	}
}

static void print_write(FILE *out, const struct wd_change *c)
{
	struct wd_orig now;

	if (wd_orig_read(c->path, &now) < 0)
		memset(&now, 0, sizeof(now));
	if (now.kind == WD_SYMLINK)
		fprintf(out,
			"  replace the symbolic link %s (-> %s) by a "
			"file (%s)\n",
			c->path, now.data, c->why);
	else if (now.kind == WD_FILE)
		fprintf(out, "  rewrite %s (%s)\n", c->path, c->why);
	else
		fprintf(out, "  create %s, %04o %u:%u (%s)\n", c->path, c->mode,
			(unsigned)c->uid, (unsigned)c->gid, c->why);
	if (now.kind == WD_FILE)
		lines_not_in(out, now.data, c->data, '-');
	lines_not_in(out, c->data, now.kind == WD_FILE ? now.data : "", '+');
	wd_orig_clear(&now);
}

void wd_plan_print(FILE *out, const struct wd_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct wd_change *c = &p->c[i];
		switch (c->op) {
		case WD_OP_WRITE:
			print_write(out, c);
			break;
		case WD_OP_MKDIR:
			fprintf(out, "  create directory %s (%s)\n", c->path,
				c->why);
			break;
		case WD_OP_UNIT:
			fprintf(out,
				"  systemctl daemon-reload; enable and "
				"(re)start %s\n",
				c->path);
			break;
		case WD_OP_RESOLVED:
			fprintf(out,
				"  systemd-resolved: send the overlay's "
				"domains to %s\n",
				c->path);
			break;
		}
	}
}

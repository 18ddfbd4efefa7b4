/*
 * routes_file.c - the routes file (STATE/routes): what the daemon
 * tells root about the domains resolved must send to wotdns.
 *
 * The daemon runs as the desktop user and writes the file; `wotdns
 * desktop refresh` reads it as root and hands its names to
 * systemd-resolved. Whoever controls the home controls the file, so it is
 * read as hostile: a bounded size and count, one entry per line, and
 * names restricted to the letters resolved and a routing domain need (no
 * escapes, no spaces, no root, no trailing dot).
 */
#include "dns/daemon/daemon.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

void wot_dns_routes_clear(struct wot_dns_routes *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_route; i++)
		free(r->route[i]);
	for (size_t i = 0; i < r->n_nta; i++)
		free(r->nta[i]);
	free(r->route);
	free(r->nta);
	memset(r, 0, sizeof(*r));
}

static int label_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '_';
}

int wot_dns_routes_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0, lab = 0;

	if (n == 0 || n > WOT_ROUTES_NAME_MAX)
		return 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || name[i] == '.') {
			if (lab == 0 || lab > 63 || name[i - 1] == '-' ||
			    name[i - lab] == '-')
				return 0;
			lab = 0;
			continue;
		}
		if (!label_char(name[i]))
			return 0;
		lab++;
	}
	return 1;
}

int wot_dns_routes_add(struct wot_dns_routes *r, int nta, const char *name)
{
	char ***v = nta ? &r->nta : &r->route;
	size_t *n = nta ? &r->n_nta : &r->n_route;
	char **grown;

	if (!wot_dns_routes_name_ok(name))
		return wot_error_set(WOT_EINVAL, "not a routable name: %.80s",
				     name ? name : "");
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i], name))
			return 0;
	if (*n >= WOT_ROUTES_MAX)
		return wot_error_set(WOT_ELIMIT, "more than %d %s entries",
				     WOT_ROUTES_MAX, nta ? "nta" : "route");
	if (!(grown = realloc(*v, (*n + 2) * sizeof(**v))))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	*v = grown;
	if (!(grown[*n] = strdup(name)))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	grown[++*n] = NULL;
	return 0;
}

/* One line (without its newline): "route NAME", "nta NAME", a comment or
 * blank. */
static int parse_line(char *line, const char *label, int lineno,
		      struct wot_dns_routes *out)
{
	char *kw, *name, *extra, *save = NULL;
	int nta, rc;

	kw = strtok_r(line, " \t\r", &save);
	if (!kw || kw[0] == '#')
		return 0;
	name = strtok_r(NULL, " \t\r", &save);
	extra = strtok_r(NULL, " \t\r", &save);
	if (strcmp(kw, "route") && strcmp(kw, "nta"))
		return wot_error_set(WOT_ESYNTAX,
				     "%s:%d: unknown entry '%.40s' (want "
				     "route or nta)",
				     label, lineno, kw);
	if (!name || extra)
		return wot_error_set(WOT_ESYNTAX,
				     "%s:%d: want '%s NAME', one name", label,
				     lineno, kw);
	nta = !strcmp(kw, "nta");
	if (!wot_dns_routes_name_ok(name))
		return wot_error_set(WOT_EINVAL,
				     "%s:%d: not a routable name: '%.80s'",
				     label, lineno, name);
	rc = wot_dns_routes_add(out, nta, name);
	if (rc < 0)
		return wot_error_set(rc, "%s:%d: %s", label, lineno,
				     wot_error_last());
	return 0;
}

int wot_dns_routes_parse(const char *text, size_t len, const char *label,
			 struct wot_dns_routes *out)
{
	struct wot_dns_routes r = {0};
	char *copy = NULL, *line, *next;
	int rc = 0, lineno = 0;

	memset(out, 0, sizeof(*out));
	if (len > WOT_ROUTES_BYTES)
		return wot_error_set(WOT_ELIMIT, "%s: larger than %d bytes",
				     label, WOT_ROUTES_BYTES);
	if (memchr(text, '\0', len))
		return wot_error_set(WOT_EINVAL, "%s: holds a NUL byte", label);
	if (!(copy = malloc(len + 1)))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	memcpy(copy, text, len);
	copy[len] = '\0';
	for (line = copy; rc == 0 && line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		rc = parse_line(line, label, ++lineno, &r);
	}
	free(copy);
	if (rc < 0) {
		wot_dns_routes_clear(&r);
		return rc;
	}
	*out = r;
	return 0;
}

int wot_dns_routes_read(const char *path, struct wot_dns_routes *out)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = wot_file_read(path, WOT_ROUTES_BYTES, &text, &len);
	if (rc == WOT_ENOENT) {
		wot_error_clear();
		return 0;
	}
	if (rc < 0)
		return rc; /* the message names the path */
	rc = wot_dns_routes_parse(text, len, path, out);
	free(text);
	return rc;
}

int wot_dns_routes_format(const struct wot_dns_routes *r, char **out,
			  size_t *len)
{
	static const char head[] =
	    "# written by wotdns serve after each change of the accepted "
	    "set;\n# read by `wotdns desktop refresh`\n";
	wot_buf b = WOT_BUF_INIT;
	int rc = wot_buf_put(&b, head, sizeof(head) - 1);

	for (size_t i = 0; rc == 0 && i < r->n_route; i++)
		rc = wot_buf_printf(&b, "route %s\n", r->route[i]);
	for (size_t i = 0; rc == 0 && i < r->n_nta; i++)
		rc = wot_buf_printf(&b, "nta %s\n", r->nta[i]);
	if (rc < 0) {
		wot_buf_dispose(&b);
		return rc;
	}
	*len = b.len;
	*out = b.ptr;
	return 0;
}

int wot_dns_routes_write(const char *path, const struct wot_dns_routes *r,
			 bool *changed)
{
	char *text = NULL, *old = NULL;
	size_t len = 0, oldlen = 0;
	int rc;

	if (changed)
		*changed = false;
	if ((rc = wot_dns_routes_format(r, &text, &len)) < 0)
		return rc;
	if (wot_file_read(path, WOT_ROUTES_BYTES, &old, &oldlen) == 0 &&
	    oldlen == len && !memcmp(old, text, len))
		goto out;
	wot_error_clear();
	if ((rc = wot_file_write_atomic(path, text, len)) == 0 && changed)
		*changed = true;
out:
	free(old);
	free(text);
	return rc;
}

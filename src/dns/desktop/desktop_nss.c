/* desktop_nss.c - putting `wotdns` into the hosts: line of nsswitch.conf.
 *
 * Only the hosts: line changes, and only by inserting
 * " wotdns [NOTFOUND=return]" after the `files` service (and its [action]
 * if it has one): every other byte, tabs, comments and other actions stay
 * as they were. The action makes the overlay's own "no such name" final,
 * so a miss under an overlay-only TLD never goes on to dns; names outside
 * the overlay are UNAVAIL to the module and go on (libnss_wotdns(8)).
 */
#include "dns/desktop/desktop.h"
#include "util/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define NSS_ENTRY "wotdns [NOTFOUND=return]"

/* If line (len bytes) is a hosts: line, the offset just after the colon. */
static size_t hosts_key(const char *line, size_t len)
{
	size_t i = 0;

	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (len - i < 5 || strncmp(line + i, "hosts", 5))
		return 0;
	i += 5;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	return i < len && line[i] == ':' ? i + 1 : 0;
}

struct tok {
	size_t start, end;
	bool action; /* a [...] block */
};

/* The next service or action of the line from *i; false at the end (or a
 * comment). */
static bool next_tok(const char *l, size_t len, size_t *i, struct tok *t)
{
	size_t p = *i;

	while (p < len && isspace((unsigned char)l[p]))
		p++;
	if (p >= len || l[p] == '#')
		return false;
	t->start = p;
	t->action = l[p] == '[';
	if (t->action) {
		while (p < len && l[p] != ']')
			p++;
		p += p < len;
	} else {
		while (p < len && !isspace((unsigned char)l[p]) &&
		       l[p] != '[' && l[p] != '#')
			p++;
	}
	t->end = p;
	*i = p;
	return true;
}

static bool tok_is(const char *l, const struct tok *t, const char *w)
{
	size_t n = strlen(w);
	return !t->action && t->end - t->start == n &&
	       !strncmp(l + t->start, w, n);
}

/* Where " wotdns" goes in a hosts: line: after files (and its action),
 * else before the first service; (size_t)-1 when wotdns is named. */
static size_t insert_at(const char *l, size_t len, size_t from)
{
	struct tok t;
	size_t i = from, at = (size_t)-2, first = (size_t)-2;

	while (next_tok(l, len, &i, &t)) {
		if (tok_is(l, &t, "wotdns"))
			return (size_t)-1;
		if (first == (size_t)-2 && !t.action)
			first = t.start;
		if (tok_is(l, &t, "files")) {
			size_t j = i;
			struct tok a;
			at = t.end;
			if (next_tok(l, len, &j, &a) && a.action)
				at = a.end;
		}
	}
	if (at != (size_t)-2)
		return at;
	return first;
}

static bool line_names(const char *l, size_t len)
{
	size_t k = hosts_key(l, len);
	return k && insert_at(l, len, k) == (size_t)-1;
}

bool wot_dns_desktop_nss_named(const char *text)
{
	for (const char *p = text; *p;) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (line_names(p, n))
			return true;
		p += n + (e != NULL);
	}
	return false;
}

/* Appends one line (n bytes, newline not included) with wotdns added. */
static int edit_line(wot_buf *b, const char *l, size_t n, bool *seen,
		     bool *changed)
{
	size_t k = hosts_key(l, n), at;

	if (!k)
		return wot_buf_put(b, l, n);
	*seen = true;
	at = insert_at(l, n, k);
	if (at == (size_t)-1)
		return wot_buf_put(b, l, n);
	if (at == (size_t)-2) { /* "hosts:" alone: files first, as glibc */
		*changed = true;
		wot_buf_put(b, l, n);
		return wot_buf_printf(b, " files " NSS_ENTRY " dns");
	}
	*changed = true;
	wot_buf_put(b, l, at);
	if (at < n && l[at] != ' ' && l[at] != '\t' && l[at] != '[') {
		/* before the first service: the entry, then it */
		wot_buf_printf(b, "%s ", NSS_ENTRY);
		return wot_buf_put(b, l + at, n - at);
	}
	wot_buf_printf(b, " %s", NSS_ENTRY);
	return wot_buf_put(b, l + at, n - at);
}

int wot_dns_desktop_nss_add(const char *text, char **out, bool *changed)
{
	wot_buf b = WOT_BUF_INIT;
	bool seen = false;
	int rc = 0;

	*out = NULL;
	*changed = false;
	for (const char *p = text; *p && rc == 0;) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		rc = edit_line(&b, p, n, &seen, changed);
		if (rc == 0 && e)
			rc = wot_buf_put(&b, "\n", 1);
		p += n + (e != NULL);
	}
	if (rc == 0 && !seen)
		rc = wot_error_set(
		    WOT_EINVAL, "/etc/nsswitch.conf has no hosts: line; "
				"add 'hosts: files " NSS_ENTRY " dns' by hand");
	if (rc == 0)
		rc = wot_buf_put(&b, "", 1);
	if (rc < 0) {
		wot_buf_dispose(&b);
		return rc == WOT_ENOMEM
			   ? wot_error_set(WOT_ENOMEM, "out of memory")
			   : rc;
	}
	*out = b.ptr;
	return 0;
}

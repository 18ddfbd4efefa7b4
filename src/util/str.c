/* str.c - strings, buffers and fingerprints. */
#include "util/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *wot_strdup_printf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

static int buf_grow(wot_buf *b, size_t need)
{
	size_t cap = b->cap ? b->cap : 256;
	char *p;

	if (b->len + need + 1 <= b->cap)
		return 0;
	while (cap < b->len + need + 1)
		cap *= 2;
	p = realloc(b->ptr, cap);
	if (!p)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	b->ptr = p;
	b->cap = cap;
	return 0;
}

int wot_buf_put(wot_buf *b, const void *data, size_t len)
{
	int rc = buf_grow(b, len);

	if (rc < 0)
		return rc;
	memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return 0;
}

int wot_buf_printf(wot_buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n, rc;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	rc = wot_buf_put(b, s, (size_t)n);
	free(s);
	return rc;
}

void wot_buf_dispose(wot_buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
}

int wot_fpr_valid(const char *fpr)
{
	size_t n = 0;

	if (!fpr)
		return 0;
	for (; fpr[n]; n++)
		if (!isxdigit((unsigned char)fpr[n]))
			return 0;
	return n == 40 || n == 64;
}

void wot_fpr_normalise(char *fpr)
{
	char *w = fpr;

	for (char *r = fpr; *r; r++)
		if (!isspace((unsigned char)*r))
			*w++ = (char)toupper((unsigned char)*r);
	*w = '\0';
}

size_t wot_strv_len(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

int wot_strv_push(char ***v, const char *s)
{
	size_t n = wot_strv_len(*v);
	char **nv = realloc(*v, (n + 2) * sizeof(*nv));

	if (!nv)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	*v = nv;
	nv[n + 1] = NULL;
	if (!(nv[n] = strdup(s)))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	return 0;
}

void wot_strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

int wot_text_long_line(const char *text, size_t max)
{
	int line = 1;

	for (const char *p = text; *p; line++) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n > max)
			return line;
		if (!nl)
			break;
		p = nl + 1;
	}
	return 0;
}

unsigned wot_name_char(const char **p)
{
	const char *s = *p;

	if (s[0] == '\\' && isdigit((unsigned char)s[1]) &&
	    isdigit((unsigned char)s[2]) && isdigit((unsigned char)s[3])) {
		*p = s + 3;
		return (unsigned)((s[1] - '0') * 100 + (s[2] - '0') * 10 +
				  (s[3] - '0'));
	}
	if (s[0] == '\\' && s[1]) {
		*p = s + 1;
		return (unsigned char)s[1];
	}
	return (unsigned char)s[0];
}

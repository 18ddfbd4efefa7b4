/*
 * json_scan.c - reading back, quickly, the large JSON documents wotdns
 * printed by hand (owners.json, seen.json, read once when a home from
 * before the sharded accepted set is migrated).
 *
 * jansson builds a tree of the whole document: at a million names that was
 * five seconds of every recompute. These readers accept only a plain
 * subset (strings of printable ASCII without escapes, integers), which is
 * all those documents hold in practice; anything else makes the caller fall
 * back to jansson, so a document is never read differently.
 */
#include "util/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void skip_ws(wot_jscan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' ||
				 *s->p == '\t' || *s->p == '\r'))
		s->p++;
}

int wot_jscan_peek(wot_jscan *s)
{
	skip_ws(s);
	return s->p < s->end ? (unsigned char)*s->p : -1;
}

int wot_jscan_char(wot_jscan *s, char c)
{
	if (wot_jscan_peek(s) != (unsigned char)c)
		return -1;
	s->p++;
	return 0;
}

int wot_jscan_str(wot_jscan *s, char *buf, size_t cap)
{
	const char *q;
	size_t n;

	if (wot_jscan_char(s, '"') < 0)
		return -1;
	for (q = s->p; q < s->end && *q != '"'; q++)
		if ((unsigned char)*q < 0x20 || (unsigned char)*q > 0x7e ||
		    *q == '\\')
			return -1;
	n = (size_t)(q - s->p);
	if (q == s->end || n >= cap)
		return -1;
	memcpy(buf, s->p, n);
	buf[n] = '\0';
	s->p = q + 1;
	return 0;
}

int wot_jscan_int(wot_jscan *s, int64_t *out)
{
	char tmp[24], *stop;
	size_t n = 0;
	long long v;

	skip_ws(s);
	while (s->p + n < s->end && n < sizeof(tmp) - 1 &&
	       (s->p[n] == '-' || (s->p[n] >= '0' && s->p[n] <= '9')))
		n++;
	if (n == 0 || n == sizeof(tmp) - 1)
		return -1;
	memcpy(tmp, s->p, n);
	tmp[n] = '\0';
	errno = 0;
	v = strtoll(tmp, &stop, 10);
	if (errno || *stop || (n > 1 && tmp[tmp[0] == '-'] == '0'))
		return -1;
	s->p += n;
	*out = v;
	return 0;
}

int wot_jscan_end(wot_jscan *s)
{
	return wot_jscan_peek(s) == -1 ? 0 : -1;
}

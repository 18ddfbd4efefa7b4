/* json_str.c - JSON string literals for documents printed by hand. */
#include "util/util.h"

#include <stdio.h>
#include <string.h>

/* Length of the well-formed UTF-8 sequence at p (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), 0 if there is none. A NUL
 * ends the string, so no check reads past it. */
static size_t utf8_len(const unsigned char *p)
{
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		return (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (p[0] >= 0xe0 && p[0] <= 0xef) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[0] == 0xe0 && p[1] < 0xa0) ||
		    (p[0] == 0xed && p[1] >= 0xa0))
			return 0;
		return 3;
	}
	if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[3] & 0xc0) != 0x80 || (p[0] == 0xf0 && p[1] < 0x90) ||
		    (p[0] == 0xf4 && p[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

int wot_buf_json_str(wot_buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int rc = wot_buf_put(b, "\"", 1);

	while (rc == 0 && *p) {
		const unsigned char *run = p;
		size_t n;
		char esc[8];
		while (*p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
			p++;
		while (*p >= 0x80 && (n = utf8_len(p)) > 0)
			p += n;
		if (p > run) {
			rc = wot_buf_put(b, run, (size_t)(p - run));
			continue;
		}
		if (*p == '"' || *p == '\\')
			snprintf(esc, sizeof(esc), "\\%c", *p);
		else if (*p < 0x20)
			snprintf(esc, sizeof(esc), "\\u%04x", *p);
		else
			snprintf(esc, sizeof(esc), "?"); /* invalid UTF-8 */
		rc = wot_buf_put(b, esc, strlen(esc));
		p++;
	}
	return rc == 0 ? wot_buf_put(b, "\"", 1) : rc;
}

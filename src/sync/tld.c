/* tld.c - which names exist in the normal DNS: the ICANN TLDs. */
#include "sync/sync_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define PSL_PATH "/usr/share/publicsuffix/public_suffix_list.dat"

/*
 * Without the public suffix list, the gTLDs most worth protecting and every
 * two-letter (country code) TLD still count as the normal DNS.
 */
static const char *const fallback[] = {
    "com",  "net", "org", "edu", "gov", "mil",	"int",	 "info",  "biz",
    "name", "pro", "app", "dev", "io",	"arpa", "local", "onion", NULL};

static int add(wot_map *m, const char *label)
{
	char buf[80];
	size_t n = 0;

	for (; label[n] && n + 1 < sizeof(buf); n++)
		buf[n] = (char)tolower((unsigned char)label[n]);
	buf[n] = '\0';
	return n ? wot_map_put(m, buf, (void *)1, NULL) : 0;
}

int wot_tld_load(wot_map **out)
{
	char *text = NULL, *save = NULL, *line;
	int rc, icann = 0;

	if ((rc = wot_map_new(out)) < 0)
		return rc;
	for (size_t i = 0; fallback[i] && rc == 0; i++)
		rc = add(*out, fallback[i]);
	if (rc < 0 || wot_file_read(PSL_PATH, 16u << 20, &text, NULL) < 0) {
		wot_error_clear();
		return rc;
	}
	for (line = strtok_r(text, "\n", &save); line && rc == 0;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strstr(line, "===BEGIN ICANN DOMAINS==="))
			icann = 1;
		else if (strstr(line, "===END ICANN DOMAINS==="))
			icann = 0;
		else if (icann && line[0] != '/' && !strchr(line, '.') &&
			 !isspace((unsigned char)line[0]))
			rc = add(*out, line);
	}
	free(text);
	return rc;
}

int wot_tld_public(const wot_map *tlds, const char *name)
{
	char label[80];
	const char *end = name + strlen(name), *start;
	size_t n;

	if (end > name && end[-1] == '.')
		end--;
	for (start = end; start > name && start[-1] != '.'; start--)
		;
	n = (size_t)(end - start);
	if (n == 0 || n >= sizeof(label))
		return 0;
	memcpy(label, start, n);
	label[n] = '\0';
	/* Any two-letter label is a country code, assigned or not yet. */
	return n == 2 || wot_map_get(tlds, label) != NULL;
}

/*
 * tld.c - where the normal DNS begins: its TLDs and public suffixes.
 *
 * libpsl reads the public suffix list (the publicsuffix package) and
 * compares IDNs in either form, so "xn--p1ai" and its U-label match the
 * same rule. Only the ICANN section counts: private suffixes (github.io)
 * are registrable names like any other, under the shadow policy. The
 * list's implicit "*" rule is not used: an unlisted label such as "wot"
 * is an overlay name, not a suffix.
 */
#include "sync/zone/zone.h"

#include <ctype.h>
#include <ldns/ldns.h>
#include <libpsl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PSL_PATH "/usr/share/publicsuffix/public_suffix_list.dat"

struct wot_tlds {
	psl_ctx_t *psl; /* NULL: neither the list nor libpsl's own copy */
	wot_map *core;	/* labels that count as TLDs in any case */
};

/*
 * TLDs that count whatever the list says: the gTLDs most worth
 * protecting, and special-use names (RFC 6761, RFC 7686) the normal DNS
 * must keep. Every label of two letters (a country code, assigned or not
 * yet) counts too.
 */
static const char *const core[] = {
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

int wot_tld_load(wot_tlds **out)
{
	wot_tlds *t = calloc(1, sizeof(*t));
	int rc = t ? wot_map_new(&t->core)
		   : wot_error_set(WOT_ENOMEM, "out of memory");

	for (size_t i = 0; rc == 0 && core[i]; i++)
		rc = add(t->core, core[i]);
	if (rc < 0) {
		wot_tld_free(t);
		return rc;
	}
	t->psl = psl_load_file(PSL_PATH);
	if (!t->psl) {
		/* libpsl's built-in copy: older, but a list all the same. */
		const psl_ctx_t *b = psl_builtin();
		if (!b || psl_suffix_count(b) <= 0)
			wot_log(WOT_LOG_WARNING, "sync",
				"%s: cannot read the public suffix list; only "
				"TLDs are protected",
				PSL_PATH);
	}
	*out = t;
	return 0;
}

void wot_tld_free(wot_tlds *t)
{
	if (!t)
		return;
	psl_free(t->psl);
	wot_map_free(t->core, NULL);
	free(t);
}

/* Raise when what wot_tld_reserved refuses changes. */
#define RESERVED_RULES 1

int wot_tld_stamp(wot_buf *b)
{
	struct stat st;
	char line[96];

	if (stat(PSL_PATH, &st) < 0)
		memset(&st, 0, sizeof(st));
	snprintf(line, sizeof(line), "reserved %d psl %lld %lld\n",
		 RESERVED_RULES, (long long)st.st_size, (long long)st.st_mtime);
	return wot_buf_put(b, line, strlen(line));
}

static const psl_ctx_t *list_of(const wot_tlds *t)
{
	return t->psl ? t->psl : psl_builtin();
}

/* A presentation name of at most 255 octets, escapes included (\DDD). */
enum { NAME_TEXT_MAX = 4 * 255 + 2 };

/*
 * name (presentation form, absolute or not, any case) into buf as
 * lowercase bytes without the final dot, "\DDD" and "\X" escapes decoded
 * (ldns prints a UTF-8 label that way, and libpsl compares U-labels too);
 * "" for the root. -1 if it does not fit.
 */
static int bare(const char *name, char *buf, size_t cap)
{
	size_t n = 0;

	for (const char *p = name; *p; p++) {
		unsigned c;

		if (*p == '.' && !p[1])
			break; /* the final dot */
		c = wot_name_char(&p);
		if (n + 1 >= cap || c == 0 || c > 255)
			return -1;
		buf[n++] = (char)tolower((int)c);
	}
	buf[n] = '\0';
	return 0;
}

/* 1 if the bare name of one label is a TLD of the normal DNS. */
static int is_tld(const wot_tlds *t, const char *label)
{
	const psl_ctx_t *psl = list_of(t);

	if (strlen(label) == 2 || wot_map_get(t->core, label))
		return 1;
	return psl &&
	       psl_is_public_suffix2(
		   psl, label, PSL_TYPE_ICANN | PSL_TYPE_NO_STAR_RULE) == 1;
}

int wot_tld_public(const wot_tlds *t, const char *name)
{
	char buf[NAME_TEXT_MAX];
	const char *last;

	if (bare(name, buf, sizeof(buf)) < 0 || !buf[0])
		return 0;
	last = strrchr(buf, '.');
	return is_tld(t, last ? last + 1 : buf);
}

static int under_arpa(const char *b)
{
	size_t n = strlen(b);

	return !strcmp(b, "arpa") || (n > 5 && !strcmp(b + n - 5, ".arpa"));
}

const char *wot_tld_reserved(const wot_tlds *t, const char *name)
{
	char buf[NAME_TEXT_MAX];
	const char *b = buf;
	const psl_ctx_t *psl = list_of(t);
	int wild = 0;

	if (bare(name, buf, sizeof(buf)) < 0)
		return NULL; /* not a name the zone parser lets through */
	/* A wildcard stands for every name below its parent. */
	while (b[0] == '*' && (b[1] == '.' || b[1] == '\0')) {
		wild = 1;
		b += b[1] ? 2 : 1;
	}
	if (!b[0])
		return wild ? WOT_RESERVED_WILD_ROOT : WOT_RESERVED_ROOT;
	if (under_arpa(b))
		return WOT_RESERVED_ARPA;
	if (!strchr(b, '.')) {
		if (is_tld(t, b))
			return wild ? WOT_RESERVED_WILD_SUFFIX
				    : WOT_RESERVED_TLD;
		return wild ? WOT_RESERVED_WILD_ONE : NULL;
	}
	if (psl && psl_is_public_suffix2(
		       psl, b, PSL_TYPE_ICANN | PSL_TYPE_NO_STAR_RULE) == 1)
		return wild ? WOT_RESERVED_WILD_SUFFIX : WOT_RESERVED_SUFFIX;
	return NULL;
}

int wot_tld_check_zone(const wot_tlds *t, const ldns_rr_list *rrs,
		       const int *lines, const char *label)
{
	for (size_t i = 0; i < ldns_rr_list_rr_count(rrs); i++) {
		char *owner =
		    ldns_rdf2str(ldns_rr_owner(ldns_rr_list_rr(rrs, i)));
		const char *why = owner ? wot_tld_reserved(t, owner) : NULL;
		int rc;
		if (!why) {
			free(owner);
			continue;
		}
		rc = wot_error_set(WOT_EINVAL,
				   "%s:%d: %s: %s (no source may claim it)",
				   label, lines[i], owner, why);
		free(owner);
		return rc;
	}
	return 0;
}

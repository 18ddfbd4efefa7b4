/* config.c - the HOME/config file: one table drives parsing and docs. */
#include "sync/sync_int.h"

#include <ini.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { OPT_STR, OPT_STRV, OPT_UINT } opt_type;

static const struct option {
	const char *section, *name;
	opt_type type;
	const char *def;
	size_t off;
} options[] = {
    {"identity", "key", OPT_STR, NULL, offsetof(wot_config, key)},
    {"identity", "gnupghome", OPT_STR, NULL, offsetof(wot_config, gnupghome)},
    {"serve", "listen", OPT_STRV, "127.0.0.1:53 [::1]:53",
     offsetof(wot_config, listen)},
    {"serve", "upstream", OPT_STRV, NULL, offsetof(wot_config, upstream)},
    {"serve", "sync-interval", OPT_UINT, "300",
     offsetof(wot_config, sync_interval)},
};

static int strv_push(char ***v, const char *s)
{
	size_t n = 0;
	char **nv;

	while (*v && (*v)[n])
		n++;
	nv = realloc(*v, (n + 2) * sizeof(*nv));
	if (!nv)
		return WOT_ENOMEM;
	*v = nv;
	if (!(nv[n] = strdup(s)))
		return WOT_ENOMEM;
	nv[n + 1] = NULL;
	return 0;
}

static void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static int set_opt(wot_config *cfg, const struct option *o, const char *val)
{
	void *field = (char *)cfg + o->off;
	char *end;
	unsigned long u;

	switch (o->type) {
	case OPT_STR:
		free(*(char **)field);
		*(char **)field = strdup(val);
		return *(char **)field ? 0 : WOT_ENOMEM;
	case OPT_STRV:
		return strv_push((char ***)field, val);
	case OPT_UINT:
		u = strtoul(val, &end, 10);
		if (!*val || *end || u > 86400 * 365)
			return WOT_EINVAL;
		*(unsigned *)field = (unsigned)u;
		return 0;
	}
	return WOT_EINVAL;
}

struct parse_ctx {
	wot_config *cfg;
	const char *path;
	int rc;
};

static int handler(void *user, const char *section, const char *name,
		   const char *value)
{
	struct parse_ctx *p = user;

	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
		if (strcmp(options[i].section, section) ||
		    strcmp(options[i].name, name))
			continue;
		if (set_opt(p->cfg, &options[i], value) == 0)
			return 1;
		p->rc = wot_error_set(WOT_ESYNTAX, "bad value for %s.%s: '%s'",
				      section, name, value);
		return 0;
	}
	p->rc =
	    wot_error_set(WOT_ESYNTAX, "unknown option %s.%s", section, name);
	return 0;
}

static int apply_defaults(wot_config *cfg)
{
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
		const struct option *o = &options[i];
		void *field = (char *)cfg + o->off;
		char *copy, *save = NULL;

		if (!o->def || (o->type != OPT_UINT && *(char **)field))
			continue;
		if (o->type == OPT_UINT && *(unsigned *)field != UINT_MAX)
			continue;
		if (!(copy = strdup(o->def)))
			return WOT_ENOMEM;
		for (char *tok = strtok_r(copy, " ", &save); tok;
		     tok = strtok_r(NULL, " ", &save))
			set_opt(cfg, o, tok);
		free(copy);
	}
	return 0;
}

int wot_config_parse(wot_config *cfg, const char *text, const char *path)
{
	struct parse_ctx p = {cfg, path, 0};
	int line;

	memset(cfg, 0, sizeof(*cfg));
	/* Unset numbers are UINT_MAX, so an explicit 0 stays 0. */
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++)
		if (options[i].type == OPT_UINT)
			*(unsigned *)((char *)cfg + options[i].off) = UINT_MAX;
	line = ini_parse_string(text, handler, &p);
	if (line != 0) {
		if (!p.rc)
			wot_error_set(WOT_ESYNTAX, "syntax error");
		return wot_error_wrap(WOT_ESYNTAX, "%s:%d", path, line);
	}
	return apply_defaults(cfg);
}

void wot_config_dispose(wot_config *cfg)
{
	free(cfg->key);
	free(cfg->gnupghome);
	strv_free(cfg->listen);
	strv_free(cfg->upstream);
	memset(cfg, 0, sizeof(*cfg));
}

char *wot_config_format(const wot_config *cfg)
{
	wot_buf b = WOT_BUF_INIT;
	const char *section = "";

	wot_buf_printf(&b, "# wotdns configuration; see wotdns-config(5)\n");
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
		const struct option *o = &options[i];
		const void *field = (const char *)cfg + o->off;

		if (strcmp(section, o->section))
			wot_buf_printf(&b, "\n[%s]\n", section = o->section);
		if (o->type == OPT_STR && *(char *const *)field)
			wot_buf_printf(&b, "%s = %s\n", o->name,
				       *(char *const *)field);
		for (char *const *v = *(char **const *)field;
		     o->type == OPT_STRV && v && *v; v++)
			wot_buf_printf(&b, "%s = %s\n", o->name, *v);
		if (o->type == OPT_UINT &&
		    *(const unsigned *)field != UINT_MAX &&
		    (!o->def ||
		     *(const unsigned *)field != strtoul(o->def, NULL, 10)))
			wot_buf_printf(&b, "%s = %u\n", o->name,
				       *(const unsigned *)field);
	}
	return b.ptr;
}

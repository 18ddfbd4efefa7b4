/* config.c - the HOME/config file: one table drives parsing and docs. */
#include "sync/home/home.h"

#include <ini.h>
#include <math.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum {
	OPT_STR,
	OPT_STRV,
	OPT_ADDRV, /* repeated ADDR[:PORT], checked as read */
	OPT_UINT,
	OPT_NUM,
	OPT_SHADOW,
	OPT_BOOL,
	OPT_DISCOVERY
} opt_type;

static const struct option {
	const char *section, *name;
	opt_type type;
	const char *def;
	size_t off;
} options[] = {
    {"identity", "key", OPT_STR, NULL, offsetof(wot_config, key)},
    {"identity", "gnupghome", OPT_STR, NULL, offsetof(wot_config, gnupghome)},
    {"serve", "listen", OPT_ADDRV, "127.0.0.1:53 [::1]:53",
     offsetof(wot_config, listen)},
    {"serve", "upstream", OPT_ADDRV, NULL, offsetof(wot_config, upstream)},
    {"serve", "sync-interval", OPT_UINT, "300",
     offsetof(wot_config, sync_interval)},
    {"serve", "threads", OPT_UINT, "1", offsetof(wot_config, threads)},
    {"serve", "cache-size", OPT_UINT, "32", offsetof(wot_config, cache_mb)},
    {"serve", "upstream-timeout", OPT_UINT, "1500",
     offsetof(wot_config, upstream_timeout_ms)},
    {"serve", "max-ttl", OPT_UINT, "86400", offsetof(wot_config, max_ttl)},
    {"serve", "user", OPT_STR, NULL, offsetof(wot_config, user)},
    {"serve", "no-upstream", OPT_BOOL, "no", offsetof(wot_config, no_upstream)},
    {"serve", "forward-overlay-tlds", OPT_BOOL, "no",
     offsetof(wot_config, forward_overlay_tlds)},
    {"trust", "completes-needed", OPT_UINT, "1",
     offsetof(wot_config, completes_needed)},
    {"trust", "marginals-needed", OPT_UINT, "3",
     offsetof(wot_config, marginals_needed)},
    {"trust", "max-cert-depth", OPT_UINT, "5",
     offsetof(wot_config, max_cert_depth)},
    {"trust", "weight-ultimate", OPT_NUM, "1",
     offsetof(wot_config, trust.weight_ultimate)},
    {"trust", "weight-full", OPT_NUM, "0.9",
     offsetof(wot_config, trust.weight_full)},
    {"trust", "weight-marginal", OPT_NUM, "0.4",
     offsetof(wot_config, trust.weight_marginal)},
    {"trust", "level-decay", OPT_NUM, "0.5",
     offsetof(wot_config, trust.level_decay)},
    {"trust", "margin", OPT_NUM, "0.25", offsetof(wot_config, trust.margin)},
    {"trust", "shadow", OPT_SHADOW, "friends",
     offsetof(wot_config, trust.shadow)},
    {"peer", "endpoint", OPT_ADDRV, NULL, offsetof(wot_config, peer_endpoint)},
    {"peer", "listen", OPT_ADDRV, NULL, offsetof(wot_config, peer_listen)},
    {"peer", "notify", OPT_ADDRV, NULL, offsetof(wot_config, peer_notify)},
    {"peer", "refresh", OPT_UINT, "0", offsetof(wot_config, peer_refresh)},
    {"peer", "share-sources", OPT_BOOL, "yes",
     offsetof(wot_config, peer_share_sources)},
    {"sync", "jobs", OPT_UINT, "4", offsetof(wot_config, sync_jobs)},
    {"sync", "max-age", OPT_UINT, "0", offsetof(wot_config, max_age)},
    {"sync", "notify-gap", OPT_UINT, "250",
     offsetof(wot_config, notify_gap_ms)},
    {"sync", "ca-file", OPT_STR, NULL, offsetof(wot_config, ca_file)},
    {"sync", "ssh-key", OPT_STR, NULL, offsetof(wot_config, ssh_key)},
    {"limits", "fetch-size", OPT_UINT, "64",
     offsetof(wot_config, limit_fetch_mb)},
    {"limits", "commits", OPT_UINT, "10000",
     offsetof(wot_config, limit_commits)},
    {"limits", "zone-size", OPT_UINT, "16384",
     offsetof(wot_config, limit_zone_kb)},
    {"limits", "records", OPT_UINT, "100000",
     offsetof(wot_config, limit_records)},
    {"limits", "names", OPT_UINT, "100000", offsetof(wot_config, limit_names)},
    {"limits", "source-records", OPT_UINT, "100000",
     offsetof(wot_config, limit_source_records)},
    {"limits", "name-records", OPT_UINT, "2000",
     offsetof(wot_config, limit_name_records)},
    {"limits", "rrset", OPT_UINT, "1000", offsetof(wot_config, limit_rrset)},
    {"limits", "commit-size", OPT_UINT, "64",
     offsetof(wot_config, limit_commit_kb)},
    {"limits", "entries", OPT_UINT, "10000",
     offsetof(wot_config, limit_entries)},
    {"discovery", "auto", OPT_DISCOVERY, "valid",
     offsetof(wot_config, discovery)},
    {"discovery", "max", OPT_UINT, "100", offsetof(wot_config, discovery_max)},
    {"opinion", "k", OPT_UINT, "3", offsetof(wot_config, opinion_k)},
    {"opinion", "timeout", OPT_UINT, "2000",
     offsetof(wot_config, opinion_timeout_ms)},
    {"opinion", "unplaced-wait", OPT_UINT, "2000",
     offsetof(wot_config, opinion_unplaced_ms)},
    {"opinion", "policy", OPT_STR, "serve",
     offsetof(wot_config, opinion_policy)},
    {"opinion", "neighbors", OPT_UINT, "15", offsetof(wot_config, neighbors)},
    {"opinion", "majority", OPT_UINT, "14", offsetof(wot_config, majority)},
    {"opinion", "neighbor-interval", OPT_UINT, "600",
     offsetof(wot_config, neighbor_interval)},
    {"opinion", "neighbor-sample", OPT_UINT, "8",
     offsetof(wot_config, neighbor_sample)},
};
#define NOPTS (sizeof(options) / sizeof(options[0]))

_Static_assert(WOT_INI_LINE_MAX <= INI_MAX_LINE - 2,
	       "libinih must read every line we accept whole");

static int set_num(void *field, opt_type t, const char *val)
{
	char *end;
	unsigned long u;
	double d;

	if (t == OPT_SHADOW)
		return wot_shadow_parse(val, field) < 0 ? WOT_EINVAL : 0;
	if (t == OPT_BOOL) {
		if (!strcmp(val, "yes") || !strcmp(val, "true") ||
		    !strcmp(val, "1"))
			*(unsigned *)field = 1;
		else if (!strcmp(val, "no") || !strcmp(val, "false") ||
			 !strcmp(val, "0"))
			*(unsigned *)field = 0;
		else
			return WOT_EINVAL;
		return 0;
	}
	if (t == OPT_UINT) {
		u = strtoul(val, &end, 10);
		if (!*val || *end || u > 86400 * 365)
			return WOT_EINVAL;
		*(unsigned *)field = (unsigned)u;
		return 0;
	}
	d = strtod(val, &end);
	if (!*val || *end || !isfinite(d) || d < 0 || d > 1000)
		return WOT_EINVAL;
	*(double *)field = d;
	return 0;
}

static int set_opt(wot_config *cfg, const struct option *o, const char *val)
{
	void *field = (char *)cfg + o->off;

	switch (o->type) {
	case OPT_DISCOVERY:
		if (wot_discovery_parse(val, NULL) < 0)
			return WOT_EINVAL;
		/* stored as its text */
		__attribute__((fallthrough));
	case OPT_STR:
		if (o->off == offsetof(wot_config, opinion_policy) &&
		    strcmp(val, "serve") && strcmp(val, "hold"))
			return WOT_EINVAL;
		free(*(char **)field);
		*(char **)field = strdup(val);
		return *(char **)field ? 0 : WOT_ENOMEM;
	case OPT_ADDRV: {
		struct sockaddr_storage sa;

		if (wot_addr_parse(val, 53, &sa) < 0)
			return WOT_EINVAL;
	}
		__attribute__((fallthrough));
	case OPT_STRV:
		return wot_strv_push((char ***)field, val);
	default:
		return set_num(field, o->type, val);
	}
}

struct parse_ctx {
	wot_config *cfg;
	char set[NOPTS];
	int rc;
};

static int handler(void *user, const char *section, const char *name,
		   const char *value)
{
	struct parse_ctx *p = user;

	for (size_t i = 0; i < NOPTS; i++) {
		if (strcmp(options[i].section, section) ||
		    strcmp(options[i].name, name))
			continue;
		/* A continuation line could hold a value that, written back
		 * as "name = value" (wot_config_format), is too long to read;
		 * "name =;x" one that would then read as a comment.
		 */
		if (strlen(name) + 3 + strlen(value) > WOT_INI_LINE_MAX ||
		    value[0] == ';') {
			p->rc = wot_error_set(WOT_ESYNTAX,
					      "value of %s.%s too long or "
					      "starting with ';'",
					      section, name);
			return 0;
		}
		if (set_opt(p->cfg, &options[i], value) == 0) {
			p->set[i] = 1;
			return 1;
		}
		p->rc = wot_error_set(WOT_ESYNTAX, "bad value for %s.%s: '%s'",
				      section, name, value);
		return 0;
	}
	p->rc =
	    wot_error_set(WOT_ESYNTAX, "unknown option %s.%s", section, name);
	return 0;
}

/* Options the file did not set take their defaults. */
static int apply_defaults(wot_config *cfg, const char *set)
{
	for (size_t i = 0; i < NOPTS; i++) {
		char *copy, *save = NULL;
		if (set[i] || !options[i].def)
			continue;
		if (!(copy = strdup(options[i].def)))
			return WOT_ENOMEM;
		for (char *tok = strtok_r(copy, " ", &save); tok;
		     tok = strtok_r(NULL, " ", &save))
			set_opt(cfg, &options[i], tok);
		free(copy);
	}
	return 0;
}

int wot_config_parse(wot_config *cfg, const char *text, const char *path)
{
	struct parse_ctx p;
	int line;

	memset(cfg, 0, sizeof(*cfg));
	memset(&p, 0, sizeof(p));
	p.cfg = cfg;
	/* libinih would read the rest of a long line as a line of its own */
	if ((line = wot_text_long_line(text, WOT_INI_LINE_MAX)) != 0)
		return wot_error_set(WOT_ESYNTAX,
				     "%s:%d: line longer than %d bytes", path,
				     line, WOT_INI_LINE_MAX);
	line = ini_parse_string(text, handler, &p);
	if (line != 0) {
		if (!p.rc)
			wot_error_set(WOT_ESYNTAX, "syntax error");
		return wot_error_wrap(WOT_ESYNTAX, "%s:%d", path, line);
	}
	return apply_defaults(cfg, p.set);
}

void wot_config_dispose(wot_config *cfg)
{
	free(cfg->key);
	free(cfg->gnupghome);
	free(cfg->user);
	free(cfg->discovery);
	free(cfg->ca_file);
	free(cfg->ssh_key);
	free(cfg->opinion_policy);
	wot_strv_free(cfg->listen);
	wot_strv_free(cfg->upstream);
	wot_strv_free(cfg->peer_endpoint);
	wot_strv_free(cfg->peer_listen);
	wot_strv_free(cfg->peer_notify);
	memset(cfg, 0, sizeof(*cfg));
}

/* Value of a scalar option as text, for writing and default comparison. */
static void scalar_text(const struct option *o, const void *field, char *buf,
			size_t len)
{
	if (o->type == OPT_UINT)
		snprintf(buf, len, "%u", *(const unsigned *)field);
	else if (o->type == OPT_BOOL)
		snprintf(buf, len, "%s",
			 *(const unsigned *)field ? "yes" : "no");
	else if (o->type == OPT_NUM)
		snprintf(buf, len, "%g", *(const double *)field);
	else
		snprintf(buf, len, "%s",
			 wot_shadow_name(*(const wot_shadow_policy *)field));
}

char *wot_config_format(const wot_config *cfg)
{
	wot_buf b = WOT_BUF_INIT;
	const char *section = "";
	char val[64];

	wot_buf_printf(&b, "# wotdns configuration; see wotdns-config(5)\n");
	for (size_t i = 0; i < NOPTS; i++) {
		const struct option *o = &options[i];
		const void *field = (const char *)cfg + o->off;

		if (strcmp(section, o->section))
			wot_buf_printf(&b, "\n[%s]\n", section = o->section);
		if ((o->type == OPT_STR || o->type == OPT_DISCOVERY) &&
		    *(char *const *)field &&
		    (!o->def || strcmp(*(char *const *)field, o->def)))
			wot_buf_printf(&b, "%s = %s\n", o->name,
				       *(char *const *)field);
		if (o->type == OPT_STRV || o->type == OPT_ADDRV)
			for (char *const *v = *(char **const *)field; v && *v;
			     v++)
				wot_buf_printf(&b, "%s = %s\n", o->name, *v);
		if (o->type == OPT_STR || o->type == OPT_STRV ||
		    o->type == OPT_ADDRV || o->type == OPT_DISCOVERY)
			continue;
		/* Defaults stay implicit, so a later default change applies. */
		scalar_text(o, field, val, sizeof(val));
		if (!o->def || strcmp(val, o->def))
			wot_buf_printf(&b, "%s = %s\n", o->name, val);
	}
	return b.ptr;
}

int wot_config_defaults(wot_config *cfg)
{
	return wot_config_parse(cfg, "", "defaults");
}

int wot_discovery_parse(const char *text, int *level)
{
	char *end;
	unsigned long n;
	int lv;

	if (!strcmp(text, "off"))
		lv = 0;
	else if (!strcmp(text, "valid"))
		lv = -1;
	else if (!strncmp(text, "level:", 6)) {
		n = strtoul(text + 6, &end, 10);
		if (!text[6] || *end || n < 1 || n > 64)
			return WOT_EINVAL;
		lv = (int)n;
	} else
		return WOT_EINVAL;
	if (level)
		*level = lv;
	return 0;
}

/*
 * peer_conf.c - peer.conf, the file a peer publishes beside its zones: where
 * other peers reach it, how often it promises to re-sign its head, and the
 * sources it follows (friend-of-friend discovery). Every byte of a
 * follower's copy came from a peer, so parsing is strict and bounded.
 */
#include "sync/source/source.h"

#include <arpa/inet.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct peer_parse {
	wot_peer_conf *p;
	wot_peer_source *cur; /* source section being read, else NULL */
	int in_peer;
	int rc;
};

int wot_peer_endpoint_valid(const char *ep)
{
	char host[64];
	const char *colon;
	unsigned char buf[16];
	char *end;
	unsigned long port;

	if (ep[0] == '[') {
		const char *close = strchr(ep, ']');
		if (!close || close[1] != ':' ||
		    (size_t)(close - ep - 1) >= sizeof(host))
			return 0;
		memcpy(host, ep + 1, close - ep - 1);
		host[close - ep - 1] = '\0';
		colon = close + 1;
		if (inet_pton(AF_INET6, host, buf) != 1)
			return 0;
	} else {
		colon = strrchr(ep, ':');
		if (!colon || (size_t)(colon - ep) >= sizeof(host))
			return 0;
		memcpy(host, ep, colon - ep);
		host[colon - ep] = '\0';
		if (inet_pton(AF_INET, host, buf) != 1)
			return 0;
	}
	port = strtoul(colon + 1, &end, 10);
	return colon[1] && !*end && port > 0 && port < 65536;
}

/* A URL a follower may be offered: printable, no spaces, bounded. */
static int url_ok(const char *u)
{
	size_t n = strlen(u);

	if (n == 0 || n > WOT_PEER_URL_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)u[i] <= ' ' || u[i] == 0x7f)
			return 0;
	return 1;
}

static int new_source(struct peer_parse *pp, const char *name)
{
	wot_peer_conf *p = pp->p;
	wot_peer_source *nv;

	for (size_t i = 0; i < p->nsources; i++)
		if (!strcmp(p->sources[i].name, name))
			return wot_error_set(WOT_ESYNTAX,
					     "source %s listed twice", name);
	if (p->nsources >= WOT_PEER_SOURCES_MAX)
		return wot_error_set(WOT_ELIMIT, "more than %d sources",
				     WOT_PEER_SOURCES_MAX);
	if (!(nv = realloc(p->sources, (p->nsources + 1) * sizeof(*nv))))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	p->sources = nv;
	pp->cur = &nv[p->nsources++];
	memset(pp->cur, 0, sizeof(*pp->cur));
	snprintf(pp->cur->name, sizeof(pp->cur->name), "%s", name);
	return 0;
}

static int peer_key(struct peer_parse *pp, const char *key, const char *val)
{
	wot_peer_conf *p = pp->p;
	char *end;
	unsigned long u;
	int rc;

	if (!strcmp(key, "endpoint")) {
		if (!wot_peer_endpoint_valid(val))
			return wot_error_set(
			    WOT_ESYNTAX, "endpoint '%s' is not ADDR:PORT", val);
		if (p->nendpoints >= WOT_PEER_ENDPOINTS_MAX)
			return wot_error_set(WOT_ELIMIT,
					     "more than %d endpoints",
					     WOT_PEER_ENDPOINTS_MAX);
		if ((rc = wot_strv_push(&p->endpoints, val)) == 0)
			p->nendpoints++;
		return rc;
	}
	if (!strcmp(key, "refresh")) {
		u = strtoul(val, &end, 10);
		if (!*val || *end || u > 86400u * 365)
			return wot_error_set(
			    WOT_ESYNTAX, "refresh '%s' is not seconds", val);
		p->refresh = (unsigned)u;
	}
	return 0; /* unknown keys: written by a newer wotdns */
}

static int source_key(struct peer_parse *pp, const char *key, const char *val)
{
	wot_peer_source *s = pp->cur;
	char fpr[WOT_FPR_MAX * 2];

	if (!strcmp(key, "url") || !strcmp(key, "mirror")) {
		if (!url_ok(val))
			return wot_error_set(WOT_ESYNTAX, "bad url");
		if (wot_strv_len(s->urls) >= WOT_PEER_URLS_MAX)
			return wot_error_set(WOT_ELIMIT, "more than %d urls",
					     WOT_PEER_URLS_MAX);
		return wot_strv_push(&s->urls, val);
	}
	if (!strcmp(key, "key")) {
		if (strlen(val) >= sizeof(fpr))
			return wot_error_set(WOT_ESYNTAX, "bad key");
		snprintf(fpr, sizeof(fpr), "%s", val);
		wot_fpr_normalise(fpr);
		if (!wot_fpr_valid(fpr) || strlen(fpr) >= sizeof(s->key))
			return wot_error_set(
			    WOT_ESYNTAX, "key '%s' is not a fingerprint", val);
		memcpy(s->key, fpr, strlen(fpr) + 1);
	}
	return 0;
}

static int handler(void *user, const char *section, const char *key,
		   const char *val)
{
	struct peer_parse *pp = user;
	int rc = 0;

	if (!strcmp(section, "peer"))
		rc = peer_key(pp, key, val);
	else if (!strncmp(section, "source ", 7)) {
		const char *name = section + 7;
		if (!pp->cur || strcmp(pp->cur->name, name)) {
			if (!wot_source_name_valid(name))
				rc = wot_error_set(
				    WOT_ESYNTAX, "bad source name '%s'", name);
			else
				rc = new_source(pp, name);
		}
		if (rc == 0)
			rc = source_key(pp, key, val);
	}
	/* other sections: a newer format; ignored */
	pp->rc = rc;
	return rc == 0;
}

int wot_peer_conf_parse(const char *text, size_t len, const char *label,
			wot_peer_conf **out)
{
	struct peer_parse pp = {0};
	char *copy;
	int line;

	*out = NULL;
	if (len > WOT_PEER_CONF_MAX)
		return wot_error_set(WOT_ELIMIT, "%s: %zu bytes (limit %d)",
				     label, len, WOT_PEER_CONF_MAX);
	if (memchr(text, '\0', len))
		return wot_error_set(WOT_ESYNTAX, "%s: NUL byte", label);
	if (!(copy = malloc(len + 1)) || !(pp.p = calloc(1, sizeof(*pp.p)))) {
		free(copy);
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	/* libinih reads the rest of a long line as a line of its own: the
	 * tail of a URL would become a key */
	if ((line = wot_text_long_line(copy, WOT_INI_LINE_MAX)) != 0) {
		free(copy);
		wot_peer_conf_free(pp.p);
		return wot_error_set(WOT_ESYNTAX,
				     "%s:%d: line longer than %d bytes", label,
				     line, WOT_INI_LINE_MAX);
	}
	line = ini_parse_string(copy, handler, &pp);
	free(copy);
	for (size_t i = 0; line == 0 && i < pp.p->nsources; i++)
		if (!pp.p->sources[i].urls || !pp.p->sources[i].key[0]) {
			wot_error_set(WOT_ESYNTAX,
				      "source %s needs url and key",
				      pp.p->sources[i].name);
			line = -1;
		}
	if (line != 0) {
		if (!pp.rc)
			pp.rc = line > 0
				    ? wot_error_set(WOT_ESYNTAX, "syntax error")
				    : WOT_ESYNTAX;
		wot_peer_conf_free(pp.p);
		return line > 0 ? wot_error_wrap(pp.rc, "%s:%d", label, line)
				: wot_error_wrap(pp.rc, "%s", label);
	}
	*out = pp.p;
	return 0;
}

void wot_peer_conf_free(wot_peer_conf *p)
{
	if (!p)
		return;
	wot_strv_free(p->endpoints);
	for (size_t i = 0; i < p->nsources; i++)
		wot_strv_free(p->sources[i].urls);
	free(p->sources);
	free(p);
}

/* The own peer.conf: [peer] from the config, and the followed sources
 * with a pinned owner when the config shares them. Always some text:
 * every commit holds a peer.conf, if only to say nothing is announced. */
int wot_peer_conf_own(const wot_home *h, char **text)
{
	const wot_config *c = wot_home_config(h);
	wot_source *s = NULL;
	size_t n = 0, shared = 0;
	wot_buf b = WOT_BUF_INIT;
	int rc = 0;

	*text = NULL;
	if (c->peer_share_sources && (rc = wot_sources_load(h, &s, &n)) < 0)
		return rc;
	wot_buf_printf(&b, "# peer.conf, published by wotdns; see "
			   "wotdns-peer.conf(5)\n[peer]\n");
	for (char **e = c->peer_endpoint; e && *e; e++)
		wot_buf_printf(&b, "endpoint = %s\n", *e);
	if (c->peer_refresh)
		wot_buf_printf(&b, "refresh = %u\n", c->peer_refresh);
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(s[i].name, WOT_SELF) || !s[i].key[0])
			continue;
		wot_buf_printf(&b, "\n[source %s]\nurl = %s\n", s[i].name,
			       s[i].url);
		for (char **m = s[i].mirrors; m && *m; m++)
			wot_buf_printf(&b, "mirror = %s\n", *m);
		wot_buf_printf(&b, "key = %s\n", s[i].key);
		shared++;
	}
	if (!c->peer_endpoint && !c->peer_refresh && !shared)
		wot_buf_printf(&b, "# nothing announced: no endpoint, no "
				   "refresh promise, no shared sources\n");
	wot_sources_free(s, n);
	if (!b.ptr)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	*text = b.ptr;
	return 0;
}

struct peer_blob {
	const char *label;
	wot_peer_conf *p;
	int rc, found;
};

static int peer_blob(const char *path, const char *data, size_t len, void *ctx)
{
	struct peer_blob *pb = ctx;

	if (strcmp(path, "peer.conf"))
		return 0;
	pb->found = 1;
	pb->rc = wot_peer_conf_parse(data, len, pb->label, &pb->p);
	return pb->rc;
}

int wot_sync_peer_conf(wot_home *h, const char *name, wot_peer_conf **out)
{
	git_repository *repo = NULL;
	git_oid head;
	char *label = wot_strdup_printf("%s: peer.conf", name);
	struct peer_blob pb = {label, NULL, 0, 0};
	int rc;

	*out = NULL;
	if (!label)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	rc = wot_sync_open_mirror(h, name, &repo);
	if (rc == 0 && git_reference_name_to_id(&head, repo, REF_VERIFIED))
		rc = wot_error_set(WOT_ENOENT, "%s: no verified head", name);
	if (rc == 0)
		rc = wot_repo_commit_blobs(repo, &head, "", peer_blob, &pb);
	if (rc == 0 && !pb.found)
		rc = wot_error_set(WOT_ENOENT, "%s has no peer.conf", name);
	if (rc == 0)
		*out = pb.p;
	else
		wot_peer_conf_free(pb.p);
	git_repository_free(repo);
	free(label);
	return rc;
}

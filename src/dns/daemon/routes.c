/*
 * routes.c - the routes a served table asks for (STATE/routes).
 *
 * systemd-resolved sends a name to wotdns only if it falls under one of
 * wotdns's routing domains; every other name goes where it went before.
 * The routes are therefore the smallest set covering what the overlay
 * answers: each TLD that exists only in the overlay ("wot"), and each
 * accepted zone apex under a TLD of the normal DNS ("alice.example.com"),
 * never the normal TLD itself. The same names are negative trust anchors:
 * the overlay's answers carry no signature the real root vouches for.
 */
#include "dns/daemon/daemon.h"
#include "dns/resolver/resolver.h"
#include "dns/daemon/routes.h"
#include "sync/sync.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
	wot_tlds *tlds;
	wot_map *tld;  /* overlay-only TLDs */
	wot_map *apex; /* apexes under a normal TLD */
	int rc;
} collect_t;

/* Lowercase wire name to "a.b.c"; -1 if it is the root or is not a name
 * the routes file may hold (escapes, odd bytes). */
static int wire_text(const uint8_t *w, size_t len, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < len && w[i];) {
		size_t l = w[i++];
		if (i + l > len || o + l + 2 > cap)
			return -1;
		if (o)
			out[o++] = '.';
		memcpy(out + o, w + i, l);
		o += l;
		i += l;
	}
	out[o] = '\0';
	return o && wot_dns_routes_name_ok(out) ? 0 : -1;
}

static int visit(void *arg, const wot_dns_node *n)
{
	collect_t *c = arg;
	char name[WOT_ROUTES_NAME_MAX + 2];
	const char *tld;

	if (wire_text(n->name, n->namelen, name, sizeof(name)) < 0)
		return 0;
	tld = strrchr(name, '.');
	tld = tld ? tld + 1 : name;
	if (!wot_tld_public(c->tlds, tld))
		c->rc = wot_map_put(c->tld, tld, (void *)1, NULL);
	else if (tld != name && wot_dns_node_rrset(n, WOT_T_SOA))
		c->rc = wot_map_put(c->apex, name, (void *)1, NULL);
	return c->rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* 1 if a proper ancestor of name is a key of m. */
static int covered(const wot_map *m, const char *name)
{
	for (const char *p = strchr(name, '.'); p; p = strchr(p + 1, '.'))
		if (wot_map_get(m, p + 1))
			return 1;
	return 0;
}

/* The keys of m, sorted, into out (route and nta); names under another
 * key are left out (the ancestor's route covers them). */
static int add_keys(const wot_map *m, struct wot_dns_routes *out)
{
	size_t n = wot_map_count(m), pos = 0, k = 0;
	const char **keys = calloc(n ? n : 1, sizeof(*keys));
	const char *key;
	void *val;
	int rc = 0;

	if (!keys)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	while (k < n && wot_map_next(m, &pos, &key, &val))
		keys[k++] = key;
	qsort(keys, k, sizeof(*keys), cmp_str);
	for (size_t i = 0; rc == 0 && i < k; i++) {
		if (covered(m, keys[i]))
			continue;
		rc = wot_dns_routes_add(out, 0, keys[i]);
		if (rc == 0)
			rc = wot_dns_routes_add(out, 1, keys[i]);
	}
	free(keys);
	return rc;
}

int wot_dns_routes_of_table(const wot_dns_table *t, struct wot_dns_routes *out)
{
	collect_t c = {0};
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = wot_tld_load(&c.tlds)) < 0 ||
	    (rc = wot_map_new(&c.tld)) < 0 || (rc = wot_map_new(&c.apex)) < 0)
		goto out;
	wot_dns_table_walk(t, visit, &c);
	if ((rc = c.rc) < 0 || (rc = add_keys(c.tld, out)) < 0 ||
	    (rc = add_keys(c.apex, out)) < 0)
		goto out;
out:
	if (rc < 0)
		wot_dns_routes_clear(out);
	wot_map_free(c.apex, NULL);
	wot_map_free(c.tld, NULL);
	wot_tld_free(c.tlds);
	return rc;
}

int wot_dns_routes_save(const wot_home *h, const wot_dns_table *t,
			bool *changed)
{
	struct wot_dns_routes r = {0};
	char *path = wot_state_path(h, WOT_STATE_ROUTES);
	int rc = path ? wot_dns_routes_of_table(t, &r)
		      : wot_error_set(WOT_ENOMEM, "out of memory");

	if (rc == 0)
		rc = wot_dns_routes_write(path, &r, changed);
	wot_dns_routes_clear(&r);
	free(path);
	return rc;
}

/*
 * lookup.c - one question answered as the daemon answers it, from the
 * accepted set on disk, for `wotdns resolve`.
 *
 * The answer comes from wot_dns_answer over a composite table (table.c),
 * the daemon's own code and layout. Only the parts the answer can look
 * into are read: a name is looked up in the part of its shard, and
 * answer.c looks up the name, each ancestor (the apex) and the wildcard
 * under each ancestor, then the same for every CNAME target. So a few
 * shards answer any question, whatever the size of the set, exactly as
 * the whole set would.
 */
#include "dns/resolver/resolver.h"
#include "dns/daemon/accepted.h"
#include "dns/daemon/daemon_int.h"
#include "sync/sync.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

enum { NPARTS = WOT_SHARDS + 1, MAX_ROUNDS = WOT_DNS_CNAME_HOPS + 2 };

struct wot_dns_view {
	wot_home *home;	       /* borrowed */
	wot_manifest *m;       /* NULL: no accepted set yet */
	wot_dns_table **parts; /* sealed parts read so far, not top */
	uint8_t *want;	       /* shards the answers need */
	wot_dns_table *table;  /* composite of parts and a fresh top */
	int dirty;	       /* want grew since table was built */
};

int wot_dns_view_open(wot_dns_view **out, wot_home *h)
{
	wot_dns_view *v = calloc(1, sizeof(*v));
	int rc = 0;

	*out = NULL;
	if (!v || !(v->parts = calloc(NPARTS, sizeof(*v->parts))) ||
	    !(v->want = calloc(NPARTS, 1))) {
		wot_dns_view_free(v);
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	v->home = h;
	rc = wot_manifest_load(h, &v->m);
	if (rc == WOT_ENOENT) {
		wot_error_clear(); /* no accepted set: every name forwarded */
		rc = 0;
	}
	if (rc < 0) {
		wot_dns_view_free(v);
		return rc;
	}
	v->want[WOT_SHARD_TOP] = 1;
	v->dirty = 1;
	*out = v;
	return 0;
}

void wot_dns_view_free(wot_dns_view *v)
{
	if (!v)
		return;
	for (size_t i = 0; v->parts && i < NPARTS; i++)
		wot_dns_table_free(v->parts[i]);
	free(v->parts);
	free(v->want);
	wot_dns_table_free(v->table);
	wot_manifest_free(v->m);
	free(v);
}

/* Mark the shards answer.c looks into for the wire name. */
static void want_name(wot_dns_view *v, const uint8_t *name, size_t len)
{
	uint8_t wild[WOT_DNS_NAME_MAX + 2];
	size_t off = 0;

	for (;;) {
		int s = wot_shard_of_wire(name + off, len - off);
		if (s >= 0 && s < NPARTS && !v->want[s])
			v->want[s] = v->dirty = 1;
		if (off > 0 && len - off + 2 <= sizeof(wild)) {
			wild[0] = 1;
			wild[1] = '*';
			memcpy(wild + 2, name + off, len - off);
			s = wot_shard_of_wire(wild, len - off + 2);
			if (s >= 0 && s < NPARTS && !v->want[s])
				v->want[s] = v->dirty = 1;
		}
		if (off >= len || name[off] == 0)
			return;
		off += (size_t)name[off] + 1;
	}
}

static int load_part(wot_dns_view *v, const wot_manifest_shard *s, int seal,
		     wot_dns_table **out)
{
	char *path = wot_manifest_path(v->home, s, "zone");
	int rc = path ? wot_dns_table_new(out)
		      : wot_error_set(WOT_ENOMEM, "out of memory");

	if (rc == 0)
		rc = wot_dns_table_load_into(*out, path);
	if (rc == 0 && seal)
		rc = wot_dns_table_seal(*out);
	if (rc < 0) {
		wot_dns_table_free(*out);
		*out = NULL;
	}
	free(path);
	return rc;
}

/* Read the wanted parts not read yet, and compose them again with a
 * fresh top (compose fills the top with the others' names, then seals
 * it). */
static int rebuild(wot_dns_view *v)
{
	wot_dns_table **parts = NULL;
	int rc = 0;

	for (size_t i = 0; v->m && rc == 0 && i < v->m->nshards; i++) {
		const wot_manifest_shard *s = &v->m->shards[i];
		if (s->shard != WOT_SHARD_TOP && v->want[s->shard] &&
		    !v->parts[s->shard])
			rc = load_part(v, s, 1, &v->parts[s->shard]);
	}
	if (rc == 0 && !(parts = calloc(NPARTS, sizeof(*parts))))
		rc = wot_error_set(WOT_ENOMEM, "out of memory");
	for (size_t i = 0; v->m && rc == 0 && i < v->m->nshards; i++)
		if (v->m->shards[i].shard == WOT_SHARD_TOP)
			rc = load_part(v, &v->m->shards[i], 0,
				       &parts[WOT_SHARD_TOP]);
	for (size_t i = 0; rc == 0 && i < WOT_SHARDS; i++)
		if ((parts[i] = v->parts[i]))
			wot_dns_table_ref(parts[i]);
	if (rc < 0) {
		for (size_t i = 0; parts && i < NPARTS; i++)
			wot_dns_table_free(parts[i]);
		free(parts);
		return rc;
	}
	wot_dns_table_free(v->table);
	v->table = NULL;
	if ((rc = wot_dns_table_compose(&v->table, parts,
					&wot_dns_shard_partition)) == 0)
		v->dirty = 0;
	return rc;
}

/* Every CNAME target in the answer section of resp, to want_name. */
static void want_targets(wot_dns_view *v, const uint8_t *resp, size_t len)
{
	ldns_pkt *p = NULL;
	ldns_rr_list *an;

	if (ldns_wire2pkt(&p, resp, len) != LDNS_STATUS_OK)
		return;
	an = ldns_pkt_answer(p);
	for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(an, i);
		const ldns_rdf *d = ldns_rr_rdf(rr, 0);
		uint8_t name[WOT_DNS_NAME_MAX];
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_CNAME || !d ||
		    ldns_rdf_size(d) > sizeof(name))
			continue;
		memcpy(name, ldns_rdf_data(d), ldns_rdf_size(d));
		wot_dns_name_lower(name, ldns_rdf_size(d));
		want_name(v, name, ldns_rdf_size(d));
	}
	ldns_pkt_free(p);
}

/* The lowercase wire form of a presentation name into out. */
static int wire_of(const char *name, uint8_t *out, size_t *len)
{
	ldns_rdf *d = NULL;

	if (ldns_str2rdf_dname(&d, name) != LDNS_STATUS_OK || !d ||
	    ldns_rdf_size(d) > WOT_DNS_NAME_MAX) {
		ldns_rdf_deep_free(d);
		return wot_error_set(WOT_EINVAL, "%s: not a domain name", name);
	}
	*len = ldns_rdf_size(d);
	memcpy(out, ldns_rdf_data(d), *len);
	wot_dns_name_lower(out, *len);
	ldns_rdf_deep_free(d);
	return 0;
}

/* A query as a stub sends it: RD, one question, no EDNS. */
static size_t make_query(const uint8_t *name, size_t nlen, uint16_t type,
			 uint8_t *q)
{
	static const uint8_t hdr[WOT_DNS_HDR_LEN] = {0x77, 0x77, 0x01,
						     0x00, 0x00, 0x01};

	memcpy(q, hdr, sizeof(hdr));
	memcpy(q + WOT_DNS_HDR_LEN, name, nlen);
	wot_wr16(q + WOT_DNS_HDR_LEN + nlen, type);
	wot_wr16(q + WOT_DNS_HDR_LEN + nlen + 2, WOT_C_IN);
	return WOT_DNS_HDR_LEN + nlen + 4;
}

int wot_dns_daemon_tld_public(void *home, const char *tld)
{
	return wot_home_tld_public(home, tld);
}

/* What serve answers itself instead of forwarding (local.c): a name under
 * a TLD only the overlay has, unless [serve] forward-overlay-tlds. */
static void local_answer(wot_dns_view *v, const uint8_t *q, size_t qlen,
			 uint8_t *buf, size_t *len, int *action)
{
	const wot_config *cfg = wot_home_config(v->home);
	const wot_dns_tld_check pub = {.fn = wot_dns_daemon_tld_public,
				       .ctx = v->home};
	wot_dns_query pq;
	unsigned rcode;

	if ((cfg && cfg->forward_overlay_tlds) ||
	    wot_dns_query_parse(q, qlen, &pq) != WOT_DNS_PARSE_OK ||
	    !wot_dns_tld_nonpublic(pq.lname, pq.qname_len, &pub))
		return;
	/* Whether the overlay has the TLD at all takes every part: rare
	 * (a missing name under a TLD the normal DNS lacks), and the daemon
	 * has them all. */
	for (size_t i = 0; i < NPARTS; i++)
		if (!v->want[i])
			v->want[i] = v->dirty = 1;
	if ((v->dirty && rebuild(v) < 0) ||
	    !wot_dns_overlay_tld_rcode(v->table, pq.lname, pq.qname_len, &pub,
				       &rcode) ||
	    !(*len = wot_dns_error_response(&pq, rcode, buf, WOT_DNS_TCP_MAX)))
		return;
	wot_wr16(buf + 2, (uint16_t)(wot_rd16(buf + 2) | WOT_F_AA));
	*action = WOT_DNS_REPLY;
}

int wot_dns_view_ask(wot_dns_view *v, const char *name, uint16_t type,
		     uint8_t **resp, size_t *resp_len, int *action)
{
	uint8_t wire[WOT_DNS_NAME_MAX],
	    q[WOT_DNS_HDR_LEN + WOT_DNS_NAME_MAX + 4];
	size_t nlen = 0, qlen;
	uint8_t *buf = NULL;
	int rc;

	*resp = NULL;
	*resp_len = 0;
	if ((rc = wire_of(name, wire, &nlen)) < 0)
		return rc;
	if (!(buf = malloc(WOT_DNS_TCP_MAX)))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	qlen = make_query(wire, nlen, type, q);
	want_name(v, wire, nlen);
	/* Each round reads the shards of the CNAME targets found in the
	 * last; the chain is at most WOT_DNS_CNAME_HOPS long. */
	for (int round = 0; rc == 0 && round < MAX_ROUNDS; round++) {
		if (v->dirty && (rc = rebuild(v)) < 0)
			break;
		rc = wot_dns_answer(v->table, q, qlen, 1, buf, WOT_DNS_TCP_MAX,
				    resp_len, action);
		if (rc == 0 && *action != WOT_DNS_FORWARD)
			want_targets(v, buf, *resp_len);
		if (!v->dirty)
			break;
	}
	if (rc == 0 && *action == WOT_DNS_FORWARD)
		local_answer(v, q, qlen, buf, resp_len, action);
	if (rc < 0) {
		free(buf);
		return rc;
	}
	*resp = buf;
	return 0;
}

int wot_dns_view_types(wot_dns_view *v, const char *name, uint16_t *types,
		       size_t cap, size_t *n)
{
	uint8_t wire[WOT_DNS_NAME_MAX];
	size_t nlen = 0;
	int rc;

	*n = 0;
	if ((rc = wire_of(name, wire, &nlen)) < 0)
		return rc;
	want_name(v, wire, nlen);
	if (v->dirty && (rc = rebuild(v)) < 0)
		return rc;
	*n = wot_dns_answer_types(v->table, wire, nlen, types, cap);
	return 0;
}

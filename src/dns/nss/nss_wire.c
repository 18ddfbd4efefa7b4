/*
 * nss_wire.c - the question the module asks (RD=0: "is this name the
 * overlay's?") and the answer read back, with ldns. The daemon marks the
 * overlay's own answers with AA; without AA, or REFUSED, the name is not
 * the overlay's and the next NSS source answers. An answer that is not
 * for our question (ID, flags, question) is ignored: the caller keeps
 * waiting for the real one.
 */
#include <ldns/ldns.h>
#include <string.h>
#include <sys/socket.h>

#include "nss_int.h"

static int host_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* A host name as glibc's callers expect one: LDH (and _) labels of 1..63
 * bytes, at most 253 bytes without the final dot. */
static int name_ok(const char *name)
{
	size_t n = strlen(name), label = 0;

	if (n && name[n - 1] == '.')
		n--;
	if (n == 0 || n > WOT_NSS_NAME_MAX - 1)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (name[i] == '.') {
			if (label == 0)
				return 0;
			label = 0;
		} else if (!host_char((uint8_t)name[i]) || ++label > 63) {
			return 0;
		}
	}
	return label > 0;
}

int wot_nss_query_build(const char *name, uint16_t type, uint16_t id, int rd,
			uint8_t *out, size_t *len)
{
	ldns_rdf *qname = NULL;
	ldns_pkt *p = NULL;
	uint8_t *wire = NULL;
	size_t n = 0;
	int rc = -1;

	if (!name || !name_ok(name) || !(qname = ldns_dname_new_frm_str(name)))
		return -1;
	/* The packet owns qname from here. */
	if (!(p = ldns_pkt_query_new(qname, (ldns_rr_type)type,
				     LDNS_RR_CLASS_IN, 0)))
		return -1;
	ldns_pkt_set_id(p, id);
	ldns_pkt_set_rd(p, rd != 0);
	/* EDNS0: room for many addresses without TC (loopback: no
	 * fragmentation to fear). */
	ldns_pkt_set_edns_udp_size(p, 1232);
	if (ldns_pkt2wire(&wire, p, &n) == LDNS_STATUS_OK &&
	    n <= WOT_NSS_QUERY_MAX) {
		memcpy(out, wire, n);
		*len = n;
		rc = 0;
	}
	LDNS_FREE(wire);
	ldns_pkt_free(p);
	return rc;
}

/* The wire name d (uncompressed, as ldns keeps it) as a host name without
 * the final dot, into out; -1 for anything but a host name. */
static int name_str(const ldns_rdf *d, char *out)
{
	const uint8_t *w = ldns_rdf_data(d);
	size_t n = ldns_rdf_size(d), i = 0, o = 0;

	if (ldns_rdf_get_type(d) != LDNS_RDF_TYPE_DNAME || n < 2)
		return -1; /* the root is no host name */
	while (i < n && w[i] != 0) {
		size_t l = w[i++];
		if (l > 63 || i + l >= n || o + l + 1 >= WOT_NSS_NAME_MAX)
			return -1;
		for (size_t k = 0; k < l; k++) {
			if (!host_char(w[i + k]))
				return -1;
			out[o++] = (char)w[i + k];
		}
		out[o++] = '.';
		i += l;
	}
	if (o == 0)
		return -1;
	out[o - 1] = '\0';
	return 0;
}

/* ID, QR, opcode, no TC, one question equal to q's. */
static int is_reply_to(const ldns_pkt *q, const ldns_pkt *a)
{
	const ldns_rr *qq, *aq;

	if (ldns_pkt_id(q) != ldns_pkt_id(a) || !ldns_pkt_qr(a) ||
	    ldns_pkt_get_opcode(a) != LDNS_PACKET_QUERY || ldns_pkt_tc(a) ||
	    ldns_pkt_qdcount(a) != 1 ||
	    ldns_rr_list_rr_count(ldns_pkt_question(a)) != 1)
		return 0;
	qq = ldns_rr_list_rr(ldns_pkt_question(q), 0);
	aq = ldns_rr_list_rr(ldns_pkt_question(a), 0);
	return ldns_rr_get_type(qq) == ldns_rr_get_type(aq) &&
	       ldns_rr_get_class(qq) == ldns_rr_get_class(aq) &&
	       ldns_dname_compare(ldns_rr_owner(qq), ldns_rr_owner(aq)) == 0;
}

static void add_addr(wot_nss_result *res, const ldns_rr *rr, ldns_rr_type t)
{
	const ldns_rdf *d = ldns_rr_rdf(rr, 0);
	size_t want = t == LDNS_RR_TYPE_A ? 4 : 16;
	wot_nss_addr *a;

	if (ldns_rr_rd_count(rr) != 1 || !d || ldns_rdf_size(d) != want ||
	    res->naddrs == WOT_NSS_MAX_ADDRS)
		return;
	a = &res->addrs[res->naddrs++];
	a->family = t == LDNS_RR_TYPE_A ? AF_INET : AF_INET6;
	memcpy(a->addr, ldns_rdf_data(d), want);
	if (res->ttl < 0 || (int64_t)ldns_rr_ttl(rr) < res->ttl)
		res->ttl = ldns_rr_ttl(rr) > INT32_MAX
			       ? INT32_MAX
			       : (int32_t)ldns_rr_ttl(rr);
}

/* The addresses of cur of type t; returns cur's CNAME target, if any. */
static const ldns_rdf *step(const ldns_rr_list *an, const ldns_rdf *cur,
			    ldns_rr_type t, wot_nss_result *res)
{
	const ldns_rdf *target = NULL;

	for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(an, i);
		if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN ||
		    ldns_dname_compare(ldns_rr_owner(rr), cur) != 0)
			continue;
		if (ldns_rr_get_type(rr) == t)
			add_addr(res, rr, t);
		else if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME &&
			 !target && ldns_rr_rd_count(rr) == 1)
			target = ldns_rr_rdf(rr, 0);
	}
	return target;
}

/* The canonical name first, then the aliases in the chain's order. */
static void canon_first(wot_nss_result *res)
{
	char last[WOT_NSS_NAME_MAX];
	size_t n = res->nnames;

	memcpy(last, res->names[n - 1], sizeof(last));
	memmove(res->names[1], res->names[0], (n - 1) * sizeof(res->names[0]));
	memcpy(res->names[0], last, sizeof(last));
}

/* Follow the CNAME chain from the question's name inside the answer. */
static wot_nss_verdict walk(const ldns_pkt *a, wot_nss_result *res)
{
	const ldns_rr *aq = ldns_rr_list_rr(ldns_pkt_question(a), 0);
	ldns_rr_type t = ldns_rr_get_type(aq);
	const ldns_rdf *cur = ldns_rr_owner(aq), *next;

	if (t != LDNS_RR_TYPE_A && t != LDNS_RR_TYPE_AAAA)
		return WOT_NSS_NOTFOUND;
	for (;;) {
		if (res->nnames == WOT_NSS_MAX_NAMES ||
		    name_str(cur, res->names[res->nnames]) < 0)
			return WOT_NSS_NOTFOUND; /* a loop, or no host name */
		res->nnames++;
		next = step(ldns_pkt_answer(a), cur, t, res);
		if (res->naddrs || !next)
			break;
		cur = next;
	}
	canon_first(res);
	return res->naddrs ? WOT_NSS_FOUND : WOT_NSS_NODATA;
}

static wot_nss_verdict judge(const ldns_pkt *q, const ldns_pkt *a,
			     wot_nss_result *res)
{
	if (!is_reply_to(q, a))
		return WOT_NSS_IGNORE;
	/* Only the overlay's own answers carry AA; REFUSED means "not
	 * mine", NXDOMAIN "no such overlay name": the next source asks.
	 * With RD the question was for the normal DNS's answer. */
	if ((!ldns_pkt_aa(a) && !ldns_pkt_rd(q)) ||
	    ldns_pkt_get_rcode(a) != LDNS_RCODE_NOERROR)
		return WOT_NSS_NOTFOUND;
	return walk(a, res);
}

wot_nss_verdict wot_nss_answer_read(const uint8_t *q, size_t qlen,
				    const uint8_t *pkt, size_t len,
				    wot_nss_result *res)
{
	ldns_pkt *qp = NULL, *ap = NULL;
	wot_nss_verdict v = WOT_NSS_IGNORE;

	memset(res, 0, sizeof(*res));
	res->ttl = -1;
	if (len >= LDNS_HEADER_SIZE &&
	    ldns_wire2pkt(&qp, q, qlen) == LDNS_STATUS_OK &&
	    ldns_wire2pkt(&ap, pkt, len) == LDNS_STATUS_OK)
		v = judge(qp, ap, res);
	ldns_pkt_free(qp);
	ldns_pkt_free(ap);
	if (v != WOT_NSS_FOUND && v != WOT_NSS_NODATA) {
		memset(res, 0, sizeof(*res));
		res->ttl = -1;
	}
	return v;
}

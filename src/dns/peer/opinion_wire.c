/*
 * opinion_wire.c - the two opinion questions on the wire: building them,
 * answering them from a book (hostile packets: parsed by the same bounded
 * reader as every query), and reading the answers (hostile too: parsed by
 * ldns, every field checked). See docs/peer-protocol.md.
 */
#include "dns/resolver/resolver.h"
#include "dns/peer/opinion.h"
#include "util/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { T_TXT = 16, T_A = 1, T_AAAA = 28, OPCODE_QUERY = 0 };

static const uint8_t opinion_owner[] = "\x08_opinion\x07_wotdns";
#define OPINION_OWNER_LEN 18 /* with the root byte */

/* Header, one question, our OPT (so answers up to 1232 bytes fit). */
static int build(uint8_t *buf, size_t cap, uint16_t id, const char *name,
		 uint16_t type, size_t *len)
{
	ldns_rdf *d = NULL;
	size_t nl, o;

	if (ldns_str2rdf_dname(&d, name) != LDNS_STATUS_OK || !d)
		return wot_error_set(WOT_EINVAL, "bad name '%s'", name);
	nl = ldns_rdf_size(d);
	if (cap < WOT_DNS_HDR_LEN + nl + 4 + WOT_DNS_OPT_LEN) {
		ldns_rdf_deep_free(d);
		return wot_error_set(WOT_ELIMIT, "question buffer too small");
	}
	memset(buf, 0, WOT_DNS_HDR_LEN);
	wot_wr16(buf, id);
	wot_wr16(buf + 4, 1);
	wot_wr16(buf + 10, 1);
	memcpy(buf + WOT_DNS_HDR_LEN, ldns_rdf_data(d), nl);
	wot_dns_name_lower(buf + WOT_DNS_HDR_LEN, nl);
	o = WOT_DNS_HDR_LEN + nl;
	ldns_rdf_deep_free(d);
	wot_wr16(buf + o, type);
	wot_wr16(buf + o + 2, WOT_C_IN);
	o += 4;
	buf[o] = 0; /* OPT: root owner, type, size, ttl 0, no rdata */
	wot_wr16(buf + o + 1, WOT_T_OPT);
	wot_wr16(buf + o + 3, WOT_OPINION_UDP_MAX);
	memset(buf + o + 5, 0, 6);
	*len = o + WOT_DNS_OPT_LEN;
	return 0;
}

int wot_opinion_query_record(uint8_t *buf, size_t cap, uint16_t id,
			     const char *name, uint16_t type, size_t *len)
{
	return build(buf, cap, id, name, type, len);
}

int wot_opinion_query_head(uint8_t *buf, size_t cap, uint16_t id,
			   const char *fpr, size_t *len)
{
	char name[100];
	if (!wot_fpr_valid(fpr))
		return wot_error_set(WOT_EINVAL, "bad fingerprint '%s'", fpr);
	if (strlen(fpr) == 40)
		snprintf(name, sizeof(name), "%s._wotdns.", fpr);
	else
		snprintf(name, sizeof(name), "%.32s.%s._wotdns.", fpr,
			 fpr + 32);
	return build(buf, cap, id, name, T_TXT, len);
}

/* ---- answering -------------------------------------------------------- */

/* TXT rdata from strings; 0 if it does not fit. */
static size_t txt_rdata(uint8_t *out, size_t cap, const char *const *s,
			size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(s[i]);
		if (l > 255 || o + 1 + l > cap)
			return 0;
		out[o++] = (uint8_t)l;
		memcpy(out + o, s[i], l);
		o += l;
	}
	return o;
}

/* The fingerprint of "<fpr>._wotdns." (lowercase text), or -1. */
static int head_fpr(const char *name, char fpr[WOT_FPR_MAX])
{
	size_t n = strlen(name), o = 0;
	const char *suf = "._wotdns.";

	if (n < strlen(suf) || strcasecmp(name + n - strlen(suf), suf))
		return -1;
	for (size_t i = 0; i < n - strlen(suf); i++) {
		if (name[i] == '.' && o == 32 && i == 32)
			continue; /* v5: two labels of 32 digits */
		if (!isxdigit((unsigned char)name[i]) || o >= 64)
			return -1;
		fpr[o++] = (char)toupper((unsigned char)name[i]);
	}
	fpr[o] = '\0';
	return o == 40 || o == 64 ? 0 : -1;
}

static int add_set(wot_dns_msg *m, const wot_dns_query *q,
		   const wot_opinion_rrset *s)
{
	ldns_buffer *buf = ldns_buffer_new(512);
	int rc = buf ? 0 : -1;

	for (size_t i = 0; rc == 0 && i < ldns_rr_list_rr_count(s->rrs); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(s->rrs, i);
		ldns_buffer_clear(buf);
		if (ldns_rr_rdata2buffer_wire(buf, rr) != LDNS_STATUS_OK) {
			rc = -1;
			break;
		}
		rc = wot_dns_msg_rr(
		    m,
		    &(wot_dns_rr_head){.section = 1,
				       .owner = q->qname,
				       .owner_len = q->qname_len,
				       .type = s->type,
				       .ttl = ldns_rr_ttl(rr)},
		    ldns_buffer_begin(buf), ldns_buffer_position(buf));
	}
	ldns_buffer_free(buf);
	return rc;
}

static int add_provenance(wot_dns_msg *m, const wot_opinion_rrset *s)
{
	char src[80], commit[60], name[80];
	const char *v[4] = {"v=1", src, commit, name};
	uint8_t rd[300];
	size_t rl;

	if (!s || !s->source) {
		const char *none[2] = {"v=1", "none"};
		rl = txt_rdata(rd, sizeof(rd), none, 2);
	} else {
		snprintf(src, sizeof(src), "source=%s", s->fpr);
		snprintf(commit, sizeof(commit), "commit=%s", s->commit);
		snprintf(name, sizeof(name), "name=%s", s->source);
		rl = txt_rdata(rd, sizeof(rd), v, 4);
	}
	return wot_dns_msg_rr(m,
			      &(wot_dns_rr_head){.section = 3,
						 .owner = opinion_owner,
						 .owner_len = OPINION_OWNER_LEN,
						 .type = T_TXT},
			      rd, rl);
}

/* The answer does not fit this transport (or the room the listener gives
 * an asker that has not proven its address): the asker may use TCP. */
static size_t truncated(wot_dns_msg *m, const wot_dns_query *q)
{
	wot_dns_msg_reset(m);
	m->buf[2] |= WOT_F_TC >> 8;
	if (q->edns)
		wot_dns_msg_opt(m, 0, 0);
	return wot_dns_msg_finish(m, WOT_RCODE_NOERROR);
}

static size_t answer_record(const wot_opinion_book *b, const wot_dns_query *q,
			    const char *name, wot_dns_msg *m)
{
	const wot_opinion_rrset *s = wot_opinion_book_get(b, name, q->qtype);

	if (wot_opinion_book_withdrawn(b, s))
		s = NULL; /* not accepted any more */
	if ((s && add_set(m, q, s) < 0) || add_provenance(m, s) < 0 ||
	    (q->edns && wot_dns_msg_opt(m, 0, 0) < 0))
		return truncated(m, q);
	return wot_dns_msg_finish(m, WOT_RCODE_NOERROR);
}

static size_t answer_head(const wot_opinion_book *b, const wot_dns_query *q,
			  const char *fpr, wot_dns_msg *m)
{
	const wot_opinion_head *hd = wot_opinion_book_head(b, fpr);
	char commit[60], tm[40];
	const char *v[3] = {"v=1", commit, tm};
	uint8_t rd[200];
	size_t rl;

	if (!hd) {
		if (q->edns && wot_dns_msg_opt(m, 0, 0) < 0)
			return truncated(m, q);
		return wot_dns_msg_finish(m, WOT_RCODE_NXDOMAIN);
	}
	snprintf(commit, sizeof(commit), "commit=%s", hd->commit);
	snprintf(tm, sizeof(tm), "time=%lld", (long long)hd->time);
	rl = txt_rdata(rd, sizeof(rd), v, 3);
	if (wot_dns_msg_rr(m,
			   &(wot_dns_rr_head){.section = 1,
					      .owner = q->qname,
					      .owner_len = q->qname_len,
					      .type = T_TXT},
			   rd, rl) < 0 ||
	    (q->edns && wot_dns_msg_opt(m, 0, 0) < 0))
		return truncated(m, q);
	return wot_dns_msg_finish(m, WOT_RCODE_NOERROR);
}

static int refused_type(uint16_t t)
{
	return t == WOT_T_ANY || t == WOT_T_AXFR || t == WOT_T_IXFR ||
	       t == WOT_T_MAILA || t == WOT_T_MAILB || t == WOT_T_OPT;
}

size_t wot_opinion_answer(const wot_opinion_book *b, const uint8_t *pkt,
			  size_t len, uint8_t *out, size_t cap)
{
	wot_dns_query q;
	wot_dns_msg m;
	ldns_rdf *d = NULL;
	char *name = NULL, fpr[WOT_FPR_MAX];
	size_t limit, rlen;

	if (wot_dns_query_parse(pkt, len, &q) != WOT_DNS_PARSE_OK ||
	    (q.flags & WOT_F_QR) || WOT_OPCODE(q.flags) != OPCODE_QUERY)
		return 0;
	/* over TCP (a cap beyond UDP's) the whole cap is ours */
	limit = cap > WOT_OPINION_UDP_MAX ? cap : wot_dns_query_udp_limit(&q);
	if (limit > cap)
		limit = cap;
	/* No RA: the peer port never recurses. */
	if (wot_dns_msg_begin(&m, out, limit, &q,
			      (uint16_t)(WOT_F_QR | (q.flags & WOT_F_RD))) < 0)
		return 0;
	if (!q.has_question || q.qclass != WOT_C_IN || refused_type(q.qtype))
		return wot_dns_msg_finish(&m, WOT_RCODE_REFUSED);
	d = ldns_dname_new_frm_data((uint16_t)q.qname_len, q.lname);
	name = d ? ldns_rdf2str(d) : NULL;
	ldns_rdf_deep_free(d);
	if (!name)
		return wot_dns_msg_finish(&m, WOT_RCODE_SERVFAIL);
	if (q.qtype == T_TXT && head_fpr(name, fpr) == 0)
		rlen = answer_head(b, &q, fpr, &m);
	else
		rlen = answer_record(b, &q, name, &m);
	free(name);
	return rlen;
}

/* ---- reading answers -------------------------------------------------- */

void wot_opinion_reply_dispose(wot_opinion_reply *r)
{
	if (r) {
		free(r->digest);
		r->digest = NULL;
	}
}

static int hex_ok(const char *s, size_t n)
{
	if (strlen(s) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* One TXT string of ours: "key=value"; bad values are ignored. */
static void txt_field(wot_opinion_reply *r, const char *s, int *version)
{
	const char *v = strchr(s, '=');

	if (!strcmp(s, "v=1"))
		*version = 1;
	else if (!strcmp(s, "none"))
		r->none = 1;
	else if (v && !strncmp(s, "source=", 7) &&
		 (hex_ok(v + 1, 40) || hex_ok(v + 1, 64))) {
		memcpy(r->fpr, v + 1, strlen(v + 1) + 1); /* checked: 40/64 */
		for (char *p = r->fpr; *p; p++)
			*p = (char)toupper((unsigned char)*p);
	} else if (v && !strncmp(s, "commit=", 7) && hex_ok(v + 1, 40)) {
		memcpy(r->commit, v + 1, 41);
		for (char *p = r->commit; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	} else if (v && !strncmp(s, "name=", 5) && wot_source_name_valid(v + 1))
		snprintf(r->source, sizeof(r->source), "%.64s", v + 1);
	else if (v && !strncmp(s, "time=", 5))
		r->time = strtoll(v + 1, NULL, 10);
}

/* Read the first TXT owned by owner (any case) in list; 1 if found. */
static int read_txt(const ldns_rr_list *l, const char *owner,
		    wot_opinion_reply *r)
{
	int version = 0;

	for (size_t i = 0; l && i < ldns_rr_list_rr_count(l); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(l, i);
		char *o;
		int match;
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_TXT)
			continue;
		o = ldns_rdf2str(ldns_rr_owner(rr));
		match = o && !strcasecmp(o, owner);
		free(o);
		if (!match)
			continue;
		for (size_t k = 0; k < ldns_rr_rd_count(rr) && k < 8; k++) {
			const ldns_rdf *f = ldns_rr_rdf(rr, k);
			char s[256];
			size_t n = ldns_rdf_size(f);
			if (n < 1 || ldns_rdf_data(f)[0] != n - 1)
				continue;
			memcpy(s, ldns_rdf_data(f) + 1, n - 1);
			s[n - 1] = '\0';
			if (strlen(s) == n - 1)
				txt_field(r, s, &version);
		}
		return version == 1;
	}
	return 0;
}

static int question_ok(const ldns_pkt *p, uint16_t id, const char *name,
		       uint16_t type)
{
	const ldns_rr_list *q = ldns_pkt_question(p);
	const ldns_rr *rr;
	char *o;
	int ok;

	if (ldns_pkt_id(p) != id || !ldns_pkt_qr(p) ||
	    ldns_rr_list_rr_count(q) != 1)
		return 0;
	rr = ldns_rr_list_rr(q, 0);
	if (ldns_rr_get_type(rr) != type)
		return 0;
	o = ldns_rdf2str(ldns_rr_owner(rr));
	ok = o && !strcasecmp(o, name);
	free(o);
	return ok;
}

int wot_opinion_reply_parse(const uint8_t *pkt, size_t len, uint16_t id,
			    const char *name, uint16_t type,
			    wot_opinion_reply *out)
{
	ldns_pkt *p = NULL;
	char fpr[WOT_FPR_MAX];
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (len > WOT_DNS_TCP_MAX ||
	    wot_dns_wire2pkt(&p, pkt, len) != LDNS_STATUS_OK)
		return wot_error_set(WOT_EDNS, "malformed opinion answer");
	if (!question_ok(p, id, name, type)) {
		rc = wot_error_set(WOT_EDNS, "answer to another question");
		goto out;
	}
	out->rcode = ldns_pkt_get_rcode(p);
	out->truncated = ldns_pkt_tc(p);
	if (out->rcode != LDNS_RCODE_NOERROR || out->truncated) {
		out->none = out->rcode == LDNS_RCODE_NXDOMAIN;
		goto out;
	}
	if (type == T_TXT && head_fpr(name, fpr) == 0) {
		if (!read_txt(ldns_pkt_answer(p), name, out) || !out->commit[0])
			out->none = 1;
		goto out;
	}
	if (!read_txt(ldns_pkt_additional(p), WOT_OPINION_OWNER, out)) {
		rc = wot_error_set(WOT_EDNS, "no opinion record in the answer");
		goto out;
	}
	if (!out->none && (!out->fpr[0] || !out->commit[0])) {
		rc =
		    wot_error_set(WOT_EDNS, "opinion without source or commit");
		goto out;
	}
	rc = wot_opinion_digest(ldns_pkt_answer(p), name, type, &out->digest);
out:
	ldns_pkt_free(p);
	return rc;
}

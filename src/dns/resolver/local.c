/*
 * local.c - questions the overlay does not cover that are still answered
 * here, never forwarded:
 *  - our own forwarded question coming back (a forwarding loop): SERVFAIL,
 *    and the upstream it went to is marked looped (loopguard.c);
 *  - a name under a TLD only the overlay has, that no accepted record
 *    holds: NXDOMAIN (NODATA for an empty non-terminal), so the names a
 *    user looks up in the overlay never leak to the normal DNS;
 *  - anything else when serve runs without upstream on purpose: REFUSED
 *    (a stub resolver then asks its next nameserver).
 */
#include "dns/resolver/server_int.h"
#include "util/util.h"

#include <string.h>

static void reply_rcode(wot_dns_server *s, const wot_dns_dest *d,
			const wot_dns_query *q, unsigned rcode, int aa)
{
	size_t limit =
	    wot_dns_dest_tcp(d) ? WOT_DNS_TCP_MAX : wot_dns_query_udp_limit(q);
	size_t len = wot_dns_error_response(q, rcode, s->wbuf, limit);

	if (!len)
		return;
	if (aa)
		wot_wr16(s->wbuf + 2,
			 (uint16_t)(wot_rd16(s->wbuf + 2) | WOT_F_AA));
	wot_dns_server_send(s, d, s->wbuf, len);
}

/* A question of ours came back: 1 (and the upstream marked) if so. */
static int came_back(wot_dns_server *s, const wot_dns_query *q)
{
	size_t server;

	if (!s->guard ||
	    !wot_dns_loopguard_check(s->guard, q->qname, q->qname_len, q->qtype,
				     &server))
		return 0;
	if (wot_dns_loopguard_mark(s->guard, server))
		wot_log(WOT_LOG_ERR, "dns",
			"upstream %s: forwarding loop (it sent our own "
			"question back to us): not used any more",
			wot_dns_loopguard_addr(s->guard, server));
	return 1;
}

/* The offset of the last label of a wire name; len - 1 for the root. */
static size_t last_label(const uint8_t *name, size_t len)
{
	size_t off = 0, last = len - 1;

	while (off < len && name[off]) {
		last = off;
		off += (size_t)name[off] + 1;
	}
	return last;
}

int wot_dns_tld_nonpublic(const uint8_t *lname, size_t len,
			  const wot_dns_tld_check *is_public)
{
	size_t off = last_label(lname, len), n = lname[off];
	char label[64];

	if (n == 0 || !is_public || !is_public->fn)
		return 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = lname[off + 1 + i];
		/* No TLD of the normal DNS has other bytes (IDN TLDs are
		 * A-labels): an overlay's own. */
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-'))
			return 1;
		label[i] = (char)c;
	}
	label[n] = '\0';
	return !is_public->fn(is_public->ctx, label);
}

/* 1 if the TLD of lname has records in t and the normal DNS has no such
 * TLD. */
static int overlay_only_tld(const wot_dns_table *t, const uint8_t *lname,
			    size_t len, const wot_dns_tld_check *is_public)
{
	size_t off = last_label(lname, len);

	return t && lname[off] != 0 &&
	       wot_dns_table_find(t, lname + off, len - off) &&
	       wot_dns_tld_nonpublic(lname, len, is_public);
}

int wot_dns_overlay_tld_rcode(const wot_dns_table *t, const uint8_t *lname,
			      size_t len, const wot_dns_tld_check *is_public,
			      unsigned *rcode)
{
	if (!overlay_only_tld(t, lname, len, is_public))
		return 0;
	*rcode = wot_dns_table_find(t, lname, len) ? WOT_RCODE_NOERROR
						   : WOT_RCODE_NXDOMAIN;
	return 1;
}

int wot_dns_answer_local(wot_dns_server *s, const wot_dns_dest *d,
			 const uint8_t *pkt, size_t len)
{
	wot_dns_query q;
	unsigned rcode;

	if (wot_dns_query_parse(pkt, len, &q) != WOT_DNS_PARSE_OK ||
	    !q.has_question)
		return 0;
	if (came_back(s, &q)) {
		s->stats.upstream_fail++;
		reply_rcode(s, d, &q, WOT_RCODE_SERVFAIL, 0);
		return 1;
	}
	if (!s->forward_overlay_tlds &&
	    wot_dns_overlay_tld_rcode(s->table, q.lname, q.qname_len,
				      &s->tld_is_public, &rcode)) {
		s->stats.overlay++;
		reply_rcode(s, d, &q, rcode, 1);
		return 1;
	}
	if (s->no_upstream) {
		reply_rcode(s, d, &q, WOT_RCODE_REFUSED, 0);
		return 1;
	}
	return 0;
}

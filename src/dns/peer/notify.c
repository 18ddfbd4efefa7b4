/*
 * notify.c - the wire side of NOTIFY between peers (RFC 1996): building
 * our NOTIFY, classifying what arrives on the peer port, and the replies.
 * Pure functions; every byte of a received packet is checked.
 */
#include "dns/resolver/resolver.h"
#include "dns/peer/notify.h"
#include "util/util.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

enum { OPCODE_QUERY = 0, OPCODE_NOTIFY = 4 };

static const uint8_t suffix[] = "\x07_wotdns"; /* then the root label */
#define SUFFIX_LEN 8

/* Fingerprint digits as labels of a wire name ("<fpr>._wotdns."). */
static int fpr_name(const char *fpr, uint8_t *out, size_t *len)
{
	size_t n = strlen(fpr), o = 0, per;

	if (!wot_fpr_valid(fpr))
		return wot_error_set(WOT_EINVAL, "bad fingerprint '%s'", fpr);
	per = n == 40 ? 40 : 32; /* a label holds at most 63 bytes */
	for (size_t i = 0; i < n; i += per) {
		out[o++] = (uint8_t)per;
		for (size_t j = 0; j < per; j++)
			out[o++] = (uint8_t)tolower((unsigned char)fpr[i + j]);
	}
	memcpy(out + o, suffix, SUFFIX_LEN);
	o += SUFFIX_LEN;
	out[o++] = 0;
	*len = o;
	return 0;
}

int wot_dns_notify_build(uint8_t *buf, size_t cap, uint16_t id, const char *fpr,
			 size_t *len)
{
	uint8_t name[WOT_DNS_NAME_MAX];
	size_t nlen = 0;
	int rc;

	if ((rc = fpr_name(fpr, name, &nlen)) < 0)
		return rc;
	if (cap < WOT_DNS_HDR_LEN + nlen + 4)
		return wot_error_set(WOT_ELIMIT, "NOTIFY buffer too small");
	memset(buf, 0, WOT_DNS_HDR_LEN);
	wot_wr16(buf, id);
	/* RFC 1996 3.7: opcode NOTIFY, AA set, one question. */
	wot_wr16(buf + 2, (uint16_t)((OPCODE_NOTIFY << 11) | WOT_F_AA));
	wot_wr16(buf + 4, 1);
	memcpy(buf + WOT_DNS_HDR_LEN, name, nlen);
	wot_wr16(buf + WOT_DNS_HDR_LEN + nlen, WOT_T_SOA);
	wot_wr16(buf + WOT_DNS_HDR_LEN + nlen + 2, WOT_C_IN);
	*len = WOT_DNS_HDR_LEN + nlen + 4;
	return 0;
}

/* The fingerprint a lowercase wire name stands for, or -1. */
static int name_fpr(const uint8_t *n, size_t len, char fpr[WOT_FPR_MAX])
{
	size_t off = 0, o = 0;

	while (off < len && n[off] && o < 64) {
		size_t l = n[off];
		if (off + SUFFIX_LEN + 1 == len &&
		    !memcmp(n + off, suffix, SUFFIX_LEN))
			break;
		/* one label of 40 digits, or two of 32 */
		if (!(l == 40 && o == 0) && !(l == 32 && (o == 0 || o == 32)))
			return -1;
		for (size_t i = 1; i <= l; i++) {
			if (off + i >= len || !isxdigit(n[off + i]))
				return -1;
			fpr[o++] = (char)toupper(n[off + i]);
		}
		off += l + 1;
	}
	fpr[o] = '\0';
	if (o != 40 && o != 64)
		return -1;
	if (off + SUFFIX_LEN + 1 != len || memcmp(n + off, suffix, SUFFIX_LEN))
		return -1;
	return 0;
}

int wot_dns_notify_classify(const uint8_t *pkt, size_t len,
			    char fpr[WOT_FPR_MAX])
{
	wot_dns_query q;
	unsigned op;

	fpr[0] = '\0';
	if (wot_dns_query_parse(pkt, len, &q) != WOT_DNS_PARSE_OK)
		return WOT_NOTIFY_DROP;
	if (q.flags & WOT_F_QR)
		return WOT_NOTIFY_DROP; /* never answer an answer: no loops */
	op = WOT_OPCODE(q.flags);
	if (op != OPCODE_NOTIFY)
		return op == OPCODE_QUERY ? WOT_NOTIFY_REFUSED
					  : WOT_NOTIFY_NOTIMP;
	if (!q.has_question || q.qtype != WOT_T_SOA || q.qclass != WOT_C_IN ||
	    name_fpr(q.lname, q.qname_len, fpr) < 0) {
		fpr[0] = '\0';
		return WOT_NOTIFY_REFUSED;
	}
	return WOT_NOTIFY_OK;
}

size_t wot_dns_notify_reply(const uint8_t *pkt, size_t len, int verdict,
			    uint8_t *out, size_t cap)
{
	static const unsigned rcodes[] = {WOT_RCODE_NOERROR, WOT_RCODE_REFUSED,
					  WOT_RCODE_NOTIMP};
	wot_dns_query q;
	wot_dns_msg m;
	uint16_t flags;

	if (verdict < WOT_NOTIFY_OK || verdict > WOT_NOTIFY_NOTIMP ||
	    wot_dns_query_parse(pkt, len, &q) != WOT_DNS_PARSE_OK)
		return 0;
	/* No RA: the peer port never recurses. No OPT echo: the reply is
	 * tiny and a peer needs nothing from EDNS here. */
	flags = (uint16_t)(WOT_F_QR | (q.flags & 0x7800u));
	if (verdict == WOT_NOTIFY_OK)
		flags |= WOT_F_AA;
	if (wot_dns_msg_begin(&m, out, cap, &q, flags) < 0) {
		q.has_question = 0;
		if (wot_dns_msg_begin(&m, out, cap, &q, flags) < 0)
			return 0;
	}
	return wot_dns_msg_finish(&m, rcodes[verdict]);
}

int wot_dns_notify_is_answer(const uint8_t *pkt, size_t len, uint16_t id,
			     const char *fpr)
{
	wot_dns_query q;
	char got[WOT_FPR_MAX];

	if (wot_dns_query_parse(pkt, len, &q) != WOT_DNS_PARSE_OK ||
	    q.id != id || !(q.flags & WOT_F_QR) ||
	    WOT_OPCODE(q.flags) != OPCODE_NOTIFY || !q.has_question ||
	    q.qtype != WOT_T_SOA)
		return 0;
	if (name_fpr(q.lname, q.qname_len, got) < 0)
		return 0;
	return strcasecmp(got, fpr) == 0;
}

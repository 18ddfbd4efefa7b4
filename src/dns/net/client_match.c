/*
 * client_match.c - is this packet the answer to our question (RFC 5452):
 * the engine takes a reply only when ID, QR, opcode and the question
 * (name in any case, type, class) are ours. Hostile input: every byte
 * is checked before it is read.
 */
#include "dns/net/net.h"

#include <string.h>

/* The end of the uncompressed name at off, 0 if there is none. */
static size_t name_end(const uint8_t *p, size_t len, size_t off)
{
	while (off < len) {
		uint8_t l = p[off];
		if (l == 0)
			return off + 1;
		if (l > 63)
			return 0; /* a pointer: never in our own question */
		off += 1 + (size_t)l;
	}
	return 0;
}

static uint8_t lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c | 0x20) : c;
}

/* Same labels, letters in any case; both names end at n bytes. */
static int name_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t l = a[i];
		if (b[i] != a[i])
			return 0;
		for (size_t k = 1; k <= l && i + k < n; k++)
			if (lower(a[i + k]) != lower(b[i + k]))
				return 0;
		i += 1 + l;
	}
	return 1;
}

int wot_net_reply_matches(const uint8_t *query, size_t qlen, const uint8_t *pkt,
			  size_t len)
{
	const size_t hdr = WOT_DNS_HDR_LEN;
	size_t qe, pe;
	uint16_t pf, qf;

	if (qlen < hdr || len < hdr || wot_rd16(pkt) != wot_rd16(query))
		return 0;
	pf = wot_rd16(pkt + 2);
	qf = wot_rd16(query + 2);
	if (!(pf & WOT_F_QR) || WOT_OPCODE(pf) != WOT_OPCODE(qf))
		return 0;
	if (wot_rd16(pkt + 4) != 1 || wot_rd16(query + 4) != 1)
		return 0;
	qe = name_end(query, qlen, hdr);
	pe = name_end(pkt, len, hdr);
	if (!qe || !pe || qe != pe || qe + 4 > qlen || pe + 4 > len)
		return 0;
	return name_equal(query + hdr, pkt + hdr, qe - hdr) &&
	       !memcmp(query + qe, pkt + pe, 4);
}

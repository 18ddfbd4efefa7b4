/*
 * fuzz_query.c - DNS queries as the server parses and answers them
 * (wot_dns_answer: src/dns/wire.c, answer.c), the bytes of one UDP
 * datagram or one TCP message, answered both ways.
 */
#include "dns/resolver/resolver_int.h"
#include "fuzz.h"
#include "table.h"
#include "util/util.h"

#include <string.h>

/* Whatever the server sends must be a DNS message answering this one. */
static void check_reply(const uint8_t *q, size_t qlen, const uint8_t *r,
			size_t rlen, size_t limit)
{
	ldns_pkt *pkt = NULL;

	FUZZ_CHECK(rlen >= WOT_DNS_HDR_LEN && rlen <= limit);
	FUZZ_CHECK(qlen >= WOT_DNS_HDR_LEN);
	FUZZ_CHECK(!memcmp(r, q, 2));		/* same ID */
	FUZZ_CHECK(wot_rd16(r + 2) & WOT_F_QR); /* an answer */
	FUZZ_CHECK(!(wot_rd16(q + 2) & WOT_F_QR));
	FUZZ_CHECK(wot_dns_wire2pkt(&pkt, r, rlen) == LDNS_STATUS_OK);
	ldns_pkt_free(pkt);
}

static void answer(const uint8_t *data, size_t size, int tcp)
{
	static uint8_t resp[WOT_DNS_TCP_MAX];
	size_t rlen = 0, limit = WOT_DNS_TCP_MAX;
	int action = -1, rc;
	wot_dns_query q;

	rc = wot_dns_answer(fuzz_table(), data, size, tcp, resp, sizeof(resp),
			    &rlen, &action);
	FUZZ_CHECK(rc <= 0);
	if (rc < 0)
		return;
	FUZZ_CHECK(action == WOT_DNS_REPLY || action == WOT_DNS_FORWARD ||
		   action == WOT_DNS_DROP || action == WOT_DNS_CHASE);
	if (action != WOT_DNS_REPLY && action != WOT_DNS_CHASE)
		return;
	if (!tcp && wot_dns_query_parse(data, size, &q) != WOT_DNS_PARSE_NOHDR)
		limit = wot_dns_query_udp_limit(&q);
	check_reply(data, size, resp, rlen, limit);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_setup();
	answer(data, size, 0);
	answer(data, size, 1);
	wot_error_clear();
	return 0;
}

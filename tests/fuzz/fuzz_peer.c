/*
 * fuzz_peer.c - one message on the peer port (UDP datagram or TCP frame)
 * as the peer listener handles it (wot_peer_handle, src/dns/peer_listen.c):
 * NOTIFY (src/dns/notify.c) or an opinion question answered from a real
 * opinion book (src/dns/opinion_wire.c, docs/peer-protocol.md); and the
 * same bytes read as the answer a peer sent to our opinion questions
 * (record and head) and to our NOTIFY.
 */
#include "dns/peer/opinion.h"
#include "dns/peer/peer_int.h"
#include "fuzz.h"

#include <arpa/inet.h>
#include <string.h>

#define FPR "0123456789ABCDEF0123456789ABCDEF01234567"

static wot_opinion_book *book;
static wot_dns_peer_listener *lis;
static uv_loop_t loop;

static const char manifest[] =
    "wotdns accepted 3\ngen 3\n"
    "source self " FPR " aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 0 1 x\n"
    "shard 8e9 3 bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb 3 2 2 0 0 self\n";
static const char zone[] =
    "alice.wot. 3600 IN SOA ns.alice.wot. h.alice.wot. 1 3600 600 86400 "
    "300\nalice.wot. 3600 IN A 192.0.2.1\nwww.alice.wot. 60 IN A 192.0.2.2\n"
    "www.alice.wot. 60 IN A 192.0.2.3\nwww.alice.wot. 60 IN TXT \"x\"\n";
static const char claims[] =
    "{\"claims\":[{\"name\":\"alice.wot.\",\"source\":\"self\",\"signer\":"
    "\"" FPR "\",\"commit\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"},"
    "{\"name\":\"www.alice.wot.\",\"source\":\"self\",\"signer\":\"" FPR
    "\",\"commit\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}],"
    "\"version\":2}";

static void on_notify(void *data, const char *fpr)
{
	(void)data;
	FUZZ_CHECK(strlen(fpr) == 40 || strlen(fpr) == 64);
}

static size_t on_query(void *data, const uint8_t *pkt, size_t len, uint8_t *out,
		       size_t cap)
{
	(void)data;
	return wot_opinion_answer(book, pkt, len, out, cap);
}

/* A listener object with no socket: wot_peer_handle is all we call. */
static void setup(void)
{
	fuzz_home();
	fuzz_write("state/accepted/manifest", (const uint8_t *)manifest,
		   sizeof(manifest) - 1);
	fuzz_write("state/accepted/8e9-3.zone", (const uint8_t *)zone,
		   sizeof(zone) - 1);
	fuzz_write("state/accepted/8e9-3.json", (const uint8_t *)claims,
		   sizeof(claims) - 1);
	if (wot_opinion_book_load(&book, fuzz_home()) < 0 ||
	    wot_opinion_book_count(book) != 4) {
		fprintf(stderr, "fuzz_peer: book: %s\n", wot_error_last());
		abort();
	}
	FUZZ_CHECK(uv_loop_init(&loop) == 0);
	lis = calloc(1, sizeof(*lis));
	FUZZ_CHECK(lis != NULL);
	lis->loop = &loop;
	lis->fn = on_notify;
	lis->qfn = on_query;
}

static void check_reply(const uint8_t *q, size_t qlen, const uint8_t *r,
			size_t rlen)
{
	ldns_pkt *p = NULL;

	FUZZ_CHECK(qlen >= 2 && rlen >= WOT_DNS_HDR_LEN);
	FUZZ_CHECK(!memcmp(q, r, 2) && (r[2] & 0x80));
	FUZZ_CHECK(wot_dns_wire2pkt(&p, r, rlen) == LDNS_STATUS_OK);
	ldns_pkt_free(p);
}

static void handle(const uint8_t *data, size_t size, size_t cap)
{
	static uint8_t out[WOT_PEER_TCP_WBUF];
	static uint32_t n;
	struct sockaddr_in from = {.sin_family = AF_INET};
	size_t reply = 0;
	int v;

	/* a new sender each time, so the rate limit never drops it */
	from.sin_addr.s_addr = htonl(0x0a000000u | (++n & 0xffffffu));
	/* every other message as if over TCP: the UDP room differs (3x the
	 * question without a server cookie) */
	v = wot_peer_handle(lis, (const struct sockaddr *)&from, data, size,
			    out, cap, (int)(n & 1), &reply);
	FUZZ_CHECK(v >= WOT_NOTIFY_OK && v <= WOT_NOTIFY_DROP);
	FUZZ_CHECK(reply <= cap);
	if (reply)
		check_reply(data, size, out, reply);
}

/* The bytes as a peer's answer to each of our questions. */
static void as_answers(const uint8_t *data, size_t size)
{
	uint16_t id = size >= 2 ? (uint16_t)(data[0] << 8 | data[1]) : 0;
	wot_opinion_reply r;

	/* an opinion that names no holder is refused, not half-read */
	if (wot_opinion_reply_parse(data, size, id, "www.alice.wot.", 1, &r) ==
		0 &&
	    r.rcode == 0 && !r.truncated && !r.none)
		FUZZ_CHECK(r.fpr[0] && r.commit[0] && r.digest);
	wot_opinion_reply_dispose(&r);
	(void)wot_opinion_reply_parse(data, size, id,
				      "0123456789abcdef0123456789abcdef01234567"
				      "._wotdns.",
				      16, &r);
	wot_opinion_reply_dispose(&r);
	(void)wot_dns_notify_is_answer(data, size, id, FPR);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!book)
		setup();
	handle(data, size, WOT_PEER_WBUF);
	handle(data, size, WOT_PEER_TCP_WBUF);
	as_answers(data, size);
	wot_error_clear();
	return 0;
}

/*
 * fuzz_upstream.c - an upstream resolver's reply, as the forwarder
 * matches it (wot_dns_reply_matches, src/dns/upstream.c), the cache
 * stores and serves it (src/dns/cache.c), and the server relays it to a
 * client or appends it to an overlay CNAME (src/dns/forward.c, chase.c).
 *
 * The input is the reply. Its question says what is asked: a client asks
 * a live resolver (srv.h) exactly that over UDP (or, when the reply is for
 * www.example.com and bit 0 of the second byte is set, asks the overlay
 * name out.alice.wot, a CNAME to it, so the reply is chased); the resolver
 * forwards the question to the harness's fake upstream, which sends the
 * input back with the forwarded query's ID. A reply with TC makes the
 * forwarder ask again over TCP (src/dns/upstream.c, its frame reader):
 * the fake upstream then sends two frames, the input as it is (its own
 * ID: to be skipped) and the input with the query's ID and TC cleared.
 */
#include "dns/resolver/cache.h"
#include "fuzz.h"
#include "srv.h"
#include "util/util.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const uint8_t target[] = "\3www\7example\3com"; /* + root byte */
static const uint8_t chase_name[] = "\3out\5alice\3wot";

/* A query for name/type/class (edns: with an OPT, do: its DO bit). */
static size_t build_query(uint8_t *buf, uint16_t id, const uint8_t *name,
			  size_t nlen, uint16_t type, uint16_t cls, int edns,
			  int dnssec)
{
	static const uint8_t opt[] = {0, 0, 41, 4, 208, 0, 0, 0, 0, 0, 0};
	size_t n = WOT_DNS_HDR_LEN;

	memset(buf, 0, WOT_DNS_HDR_LEN);
	wot_wr16(buf, id);
	wot_wr16(buf + 2, WOT_F_RD);
	wot_wr16(buf + 4, 1);
	wot_wr16(buf + 10, edns ? 1 : 0);
	memcpy(buf + n, name, nlen);
	n += nlen;
	wot_wr16(buf + n, type);
	wot_wr16(buf + n + 2, cls);
	n += 4;
	if (edns) {
		memcpy(buf + n, opt, sizeof(opt));
		if (dnssec)
			buf[n + 7] = 0x80;
		n += sizeof(opt);
	}
	return n;
}

/* Whatever the resolver answers a client is bounded and answers it. */
static void check_client(const uint8_t *r, size_t rlen, uint16_t id,
			 size_t limit)
{
	FUZZ_CHECK(rlen >= WOT_DNS_HDR_LEN && rlen <= limit);
	FUZZ_CHECK(wot_rd16(r) == id && (wot_rd16(r + 2) & WOT_F_QR));
}

/* The cache, directly: store the reply and answer the question from it
 * (a new cache each time, so what comes out is this reply's). */
static void through_cache(const uint8_t *data, size_t size,
			  const wot_dns_query *rq, uint8_t ctl)
{
	wot_dns_cache *cache = NULL;
	static uint8_t out[WOT_DNS_TCP_MAX];
	uint64_t now = 1000000;
	uint8_t qb[WOT_DNS_NAME_MAX + 40];
	size_t ql, len = 0, limit;
	wot_dns_query q;
	ldns_pkt *p = NULL;
	int r, pf = 0;

	FUZZ_CHECK(wot_dns_cache_new(&cache, 1 << 16) == 0);
	ql = build_query(qb, 0x5151, rq->qname, rq->qname_len, rq->qtype,
			 rq->qclass, ctl & 2, ctl & 4);
	FUZZ_CHECK(wot_dns_query_parse(qb, ql, &q) == WOT_DNS_PARSE_OK);
	limit = ctl & 8 ? WOT_DNS_TCP_MAX : wot_dns_query_udp_limit(&q);
	(void)wot_dns_cache_put(cache, &q, data, size, now);
	/* later, by up to 8.5 minutes (expired and stale entries too) */
	r = wot_dns_cache_get(cache, &q, now + (uint64_t)(ctl >> 4) * 32000, 1,
			      out, limit, &len, &pf);
	wot_dns_cache_free(cache);
	if (r == WOT_DNS_CACHE_MISS)
		return;
	check_client(out, len, 0x5151, limit);
	/* The cache passes on what it cannot read (an A record of 3 bytes
	 * stays one), but never breaks a reply that was well formed (that
	 * ldns reads as its record lengths say). */
	if (wot_dns_wire2pkt(&p, data, size) != LDNS_STATUS_OK)
		return;
	ldns_pkt_free(p);
	p = NULL;
	FUZZ_CHECK(wot_dns_wire2pkt(&p, out, len) == LDNS_STATUS_OK);
	ldns_pkt_free(p);
}

/* The fake upstream's side of one exchange. */
typedef struct {
	const uint8_t *data;
	size_t size;
	int conn; /* a TCP connection from the forwarder, or -1 */
	uint8_t in[600];
	size_t inlen;
} upstream;

/* The input with the forwarded query's ID (tc: TC cleared, framed, after
 * a frame with the input's own ID, which the forwarder must skip). */
static void reply(upstream *u, const uint8_t *query, int tcp, int fd,
		  const struct sockaddr *to, socklen_t tolen)
{
	size_t n = tcp ? 4 + 2 * u->size : u->size;
	uint8_t *b = malloc(n), *r = tcp ? b + 4 + u->size : b;

	FUZZ_CHECK(b != NULL);
	if (tcp) {
		wot_wr16(b, (uint16_t)u->size);
		memcpy(b + 2, u->data, u->size);
		wot_wr16(b + 2 + u->size, (uint16_t)u->size);
	}
	memcpy(r, u->data, u->size);
	memcpy(r, query, 2);
	if (tcp)
		r[2] &= (uint8_t) ~(WOT_F_TC >> 8);
	if (tcp)
		(void)!write(fd, b, n); /* a few KiB: the buffer takes it */
	else
		sendto(fd, b, n, 0, to, tolen);
	free(b);
}

/* Something arrived at the fake upstream (fds index who). */
static void upstream_event(upstream *u, const fuzz_srv *s, int who)
{
	struct sockaddr_storage from;
	socklen_t flen = sizeof(from);
	uint8_t buf[600];
	ssize_t n;

	if (who == 1) { /* UDP */
		n = recvfrom(s->upfd, buf, sizeof(buf), 0,
			     (struct sockaddr *)&from, &flen);
		if (n >= 2)
			reply(u, buf, 0, s->upfd, (struct sockaddr *)&from,
			      flen);
	} else if (who == 2 && u->conn < 0) { /* TC: the forwarder's TCP */
		u->conn = accept4(s->uptcp, NULL, NULL, SOCK_NONBLOCK);
	} else if (who == 3) {
		n = read(u->conn, u->in + u->inlen, sizeof(u->in) - u->inlen);
		if (n <= 0) {
			close(u->conn);
			u->conn = -1;
			return;
		}
		u->inlen += (size_t)n;
		if (u->inlen >= 4 && u->inlen >= 2 + (size_t)wot_rd16(u->in))
			reply(u, u->in + 2, 1, u->conn, NULL, 0);
	}
}

/* Ask the live resolver; answer its upstream query with the input. */
static void through_server(const uint8_t *data, size_t size,
			   const wot_dns_query *rq, int chase)
{
	static int cfd = -1;
	static uint16_t id;
	const fuzz_srv *s = fuzz_srv_get();
	upstream u = {data, size, -1, {0}, 0};
	uint8_t qb[WOT_DNS_NAME_MAX + 40], buf[65536];
	int fds[4], who = -1;
	ssize_t n;
	size_t ql;

	if (cfd < 0) {
		cfd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
		FUZZ_CHECK(cfd >= 0 && connect(cfd, (struct sockaddr *)&s->addr,
					       sizeof(s->addr)) == 0);
	}
	while (recv(cfd, buf, sizeof(buf), 0) > 0 ||
	       recv(s->upfd, buf, sizeof(buf), 0) > 0)
		; /* late replies of an earlier input */
	ql = chase ? build_query(qb, ++id, chase_name, sizeof(chase_name),
				 rq->qtype, 1, 1, 0)
		   : build_query(qb, ++id, rq->qname, rq->qname_len, rq->qtype,
				 rq->qclass, 0, 0);
	FUZZ_CHECK(send(cfd, qb, ql, 0) == (ssize_t)ql);
	for (uint64_t end = uv_hrtime() + 3000000000ull;
	     who != 0 && uv_hrtime() < end;) {
		fds[0] = cfd;
		fds[1] = s->upfd;
		fds[2] = s->uptcp;
		fds[3] = u.conn;
		who = fuzz_srv_wait(fds, u.conn >= 0 ? 4 : 3, 100);
		if (who > 0)
			upstream_event(&u, s, who);
	}
	if (u.conn >= 0)
		close(u.conn);
	/* the resolver answers every query: from the overlay, the upstream,
	 * or SERVFAIL after its timeout */
	FUZZ_CHECK(who == 0);
	n = recv(cfd, buf, sizeof(buf), 0);
	FUZZ_CHECK(n > 0);
	check_client(buf, (size_t)n, id, WOT_DNS_UDP_MIN);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	wot_dns_query rq;
	uint8_t ctl = size > 1 ? data[1] : 0;
	int st, match, chase;

	fuzz_setup();
	st = wot_dns_query_parse(data, size, &rq);
	if (st == WOT_DNS_PARSE_NOHDR || !rq.has_question)
		return 0;
	/* the forwarder's test for "an answer to our question" */
	match = wot_dns_reply_matches(data, size, rq.id, rq.lname, rq.qname_len,
				      rq.qtype, rq.qclass);
	FUZZ_CHECK(match == ((rq.flags & WOT_F_QR) && !WOT_OPCODE(rq.flags)));
	through_cache(data, size, &rq, ctl);
	if (!match || size > WOT_DNS_TCP_MAX)
		return 0;
	chase = (ctl & 1) && rq.qname_len == sizeof(target) &&
		!memcmp(rq.lname, target, sizeof(target)) && rq.qclass == 1;
	through_server(data, size, &rq, chase);
	wot_error_clear();
	return 0;
}

/* fakedns.h - what the parts of wot_fakedns share: the modes, the query
 * as parsed, the options the answers depend on, and the answers
 * (fakedns_answer.c). The server itself: wot_fakedns.c.
 */
#ifndef WOT_FAKEDNS_H
#define WOT_FAKEDNS_H

#include <stddef.h>
#include <stdint.h>

enum mode {
	M_OK,
	M_TIMEOUT,
	M_WRONGID,
	M_WRONGID_OK,
	M_SERVFAIL,
	M_TC,
	M_BIG,
	M_HOSTILE,
	M_CHCLASS,
	M_CHQUESTION,
	M_COUNT
};

enum {
	BIG_COUNT = 60,
	MSG_MAX = 65535,
	T_A = 1,
	T_NS = 2,
	T_CNAME = 5,
	T_SOA = 6,
	T_TXT = 16,
	T_OPT = 41,
	C_IN = 1,
	C_CH = 3,
	F_QR = 0x8000,
	F_TC = 0x0200,
	F_RD = 0x0100,
	F_RA = 0x0080,
	R_SERVFAIL = 2,
	R_NXDOMAIN = 3,
	R_REFUSED = 5,
};

typedef struct {
	uint16_t id, flags, qtype, qclass;
	uint8_t qname[256]; /* wire, as asked */
	size_t qname_len;
	char text[1024]; /* presentation, lowercase */
	int edns;
	uint16_t edns_size;
} query;

/* Set by main, read by the answers: the mode, the options and the
 * queries counted so far (for "count.fake. TXT"). */
typedef struct {
	enum mode mode;
	uint32_t ttl;
	const char *evil;
	unsigned long nudp, ntcp;
} fake_conf;

extern fake_conf fake;

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

/* The query in p (len bytes); -1 if it is not one to answer. */
int parse_query(const uint8_t *p, size_t len, query *q);
/* The normal answer to q (lie: the A record is 203.0.113.66 instead; tc:
 * the question only, with TC); its length, 0 if it does not fit cap. */
size_t build_answer(const query *q, uint8_t *buf, size_t cap, int lie, int tc);
/* The answer to "count.fake. TXT": the queries counted so far. */
size_t build_count(const query *q, uint8_t *buf, size_t cap);
/* The same answer for a question with one more label in front. */
size_t build_other_question(const query *q, uint8_t *buf, size_t cap);

#endif

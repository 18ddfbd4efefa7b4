/*
 * test_dns_answer_wire.c - wot_dns_answer (pure, no sockets) on a table
 * built here: the message around the records. EDNS sizes, truncation,
 * BADVERS, malformed and refused queries, random bytes, a small buffer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "answer_fixture.h"

static void dns_answer_edns_sizes(void **state)
{
	fixture *f = *state;
	size_t len;
	ldns_pkt *p;
	char line[300], txt[201];

	/* 5 x ~230 bytes of TXT: fits 1232, not 512 or 600. */
	memset(txt, 'x', 200);
	txt[200] = '\0';
	for (int i = 0; i < 5; i++) {
		snprintf(line, sizeof(line),
			 "mid.example.wot. 300 IN TXT \"%d%s\"", i, txt);
		add_rr(f->t, line);
	}
	p = ask(f, "mid.example.wot.", LDNS_RR_TYPE_TXT, 4096, 0, &len);
	assert_false(ldns_pkt_tc(p));
	assert_int_equal(ldns_pkt_ancount(p), 5);
	assert_true(ldns_pkt_edns(p));
	assert_int_equal(ldns_pkt_edns_udp_size(p), 1232);
	assert_true(len > 600 && len <= 1232);
	ldns_pkt_free(p);

	p = ask(f, "mid.example.wot.", LDNS_RR_TYPE_TXT, 600, 0, &len);
	assert_true(ldns_pkt_tc(p));
	assert_int_equal(ldns_pkt_ancount(p), 0);
	assert_true(ldns_pkt_edns(p)); /* OPT kept even when truncated */
	assert_true(len <= 600);
	ldns_pkt_free(p);

	p = ask(f, "mid.example.wot.", LDNS_RR_TYPE_TXT, -1, 0, &len);
	assert_true(ldns_pkt_tc(p));
	assert_false(ldns_pkt_edns(p));
	assert_int_equal(ldns_pkt_qdcount(p), 1);
	assert_true(len <= 512);
	ldns_pkt_free(p);

	/* Sizes below 512 are treated as 512. */
	p = ask(f, "www.example.wot.", LDNS_RR_TYPE_A, 100, 0, &len);
	assert_false(ldns_pkt_tc(p));
	assert_int_equal(ldns_pkt_ancount(p), 1);
	ldns_pkt_free(p);
}

static void dns_answer_tc_udp_full_tcp(void **state)
{
	fixture *f = *state;
	char line[128];
	size_t len;
	ldns_pkt *p;

	for (int i = 0; i < 300; i++) {
		snprintf(line, sizeof(line),
			 "big.example.wot. 300 IN AAAA 2001:db8::%x", i + 1);
		add_rr(f->t, line);
	}
	p = ask(f, "big.example.wot.", LDNS_RR_TYPE_AAAA, 4096, 0, &len);
	assert_true(ldns_pkt_tc(p));
	assert_true(ldns_pkt_aa(p));
	assert_int_equal(ldns_pkt_ancount(p), 0);
	assert_int_equal(ldns_pkt_qdcount(p), 1);
	assert_true(len <= 1232);
	ldns_pkt_free(p);

	p = ask(f, "big.example.wot.", LDNS_RR_TYPE_AAAA, 4096, 1, &len);
	assert_false(ldns_pkt_tc(p));
	assert_int_equal(ldns_pkt_ancount(p), 300);
	assert_true(len > 1232);
	ldns_pkt_free(p);
}

static void dns_answer_badvers(void **state)
{
	fixture *f = *state;
	ldns_pkt *q =
	    ldns_pkt_query_new(ldns_dname_new_frm_str("www.example.wot."),
			       LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, 0);
	uint8_t *wire = NULL;
	size_t qlen;
	ldns_pkt *p;

	ldns_pkt_set_id(q, 0x1234);
	ldns_pkt_set_edns_udp_size(q, 1232);
	ldns_pkt_set_edns_version(q, 1);
	assert_int_equal(ldns_pkt2wire(&wire, q, &qlen), LDNS_STATUS_OK);
	p = ask_wire(f, wire, qlen, 0, WOT_DNS_REPLY, NULL);
	/* BADVERS = 16: 0 in the header, 1 in the OPT's extended rcode. */
	assert_int_equal(ldns_pkt_get_rcode(p), 0);
	assert_true(ldns_pkt_edns(p));
	assert_int_equal(ldns_pkt_edns_extended_rcode(p), 1);
	assert_int_equal(ldns_pkt_edns_version(p), 0);
	assert_int_equal(ldns_pkt_ancount(p), 0);
	ldns_pkt_free(p);
	ldns_pkt_free(q);
	free(wire);
}

/* Raw answer; returns the action, the response in f->resp. */
static int raw(fixture *f, const uint8_t *q, size_t qlen, size_t *len)
{
	int action = -1;

	assert_int_equal(wot_dns_answer(f->t, q, qlen, 0, f->resp,
					sizeof(f->resp), len, &action),
			 0);
	return action;
}

static void dns_answer_malformed(void **state)
{
	fixture *f = *state;
	size_t qlen, len;
	uint8_t *good =
	    make_query("www.example.wot.", LDNS_RR_TYPE_A, -1, &qlen);
	uint8_t buf[600];

	/* Truncated header: nothing to answer to. */
	for (size_t n = 0; n < 12; n++)
		assert_int_equal(raw(f, good, n, &len), WOT_DNS_DROP);
	/* Truncated question: FORMERR echoing the ID. */
	for (size_t n = 12; n < qlen; n++) {
		assert_int_equal(raw(f, good, n, &len), WOT_DNS_REPLY);
		assert_int_equal(f->resp[3] & 0xf, LDNS_RCODE_FORMERR);
		assert_int_equal(f->resp[0], 0x12);
		assert_int_equal(f->resp[1], 0x34);
		assert_true(f->resp[2] & 0x80);
	}
	/* A response (QR=1) is never answered. */
	memcpy(buf, good, qlen);
	buf[2] |= 0x80;
	assert_int_equal(raw(f, buf, qlen, &len), WOT_DNS_DROP);
	/* Opcode STATUS: NOTIMP. */
	memcpy(buf, good, qlen);
	buf[2] = (uint8_t)((buf[2] & 0x87) | (2 << 3));
	assert_int_equal(raw(f, buf, qlen, &len), WOT_DNS_REPLY);
	assert_int_equal(f->resp[3] & 0xf, LDNS_RCODE_NOTIMPL);
	/* qdcount 0 and 2: FORMERR. */
	memcpy(buf, good, qlen);
	buf[5] = 0;
	assert_int_equal(raw(f, buf, qlen, &len), WOT_DNS_REPLY);
	assert_int_equal(f->resp[3] & 0xf, LDNS_RCODE_FORMERR);
	buf[5] = 2;
	assert_int_equal(raw(f, buf, qlen, &len), WOT_DNS_REPLY);
	assert_int_equal(f->resp[3] & 0xf, LDNS_RCODE_FORMERR);
	/* Name that points at itself: FORMERR, no hang. */
	memcpy(buf, good, 12);
	buf[12] = 0xC0;
	buf[13] = 12;
	memset(buf + 14, 0, 4);
	assert_int_equal(raw(f, buf, 18, &len), WOT_DNS_REPLY);
	assert_int_equal(f->resp[3] & 0xf, LDNS_RCODE_FORMERR);
	/* Claims an additional record that is not there. */
	memcpy(buf, good, qlen);
	buf[11] = 1;
	assert_int_equal(raw(f, buf, qlen, &len), WOT_DNS_REPLY);
	assert_int_equal(f->resp[3] & 0xf, LDNS_RCODE_FORMERR);
	free(good);
}

static void dns_answer_two_opt_formerr(void **state)
{
	fixture *f = *state;
	size_t qlen, len;
	uint8_t *q =
	    make_query("www.example.wot.", LDNS_RR_TYPE_A, 1232, &qlen);
	uint8_t buf[600];

	assert_true(qlen + 11 < sizeof(buf));
	memcpy(buf, q, qlen);
	memcpy(buf + qlen, q + qlen - 11, 11); /* a second OPT */
	buf[11] = 2;
	assert_int_equal(raw(f, buf, qlen + 11, &len), WOT_DNS_REPLY);
	assert_int_equal(f->resp[3] & 0xf, LDNS_RCODE_FORMERR);
	free(q);
}

static void dns_answer_refused_class_axfr(void **state)
{
	fixture *f = *state;
	size_t qlen, len;
	uint8_t *q = make_query("example.wot.", LDNS_RR_TYPE_AXFR, -1, &qlen);

	assert_int_equal(raw(f, q, qlen, &len), WOT_DNS_REPLY);
	assert_int_equal(f->resp[3] & 0xf, LDNS_RCODE_REFUSED);
	free(q);
	q = make_query("www.example.wot.", LDNS_RR_TYPE_A, -1, &qlen);
	q[qlen - 1] = 3; /* class CH */
	assert_int_equal(raw(f, q, qlen, &len), WOT_DNS_REPLY);
	assert_int_equal(f->resp[3] & 0xf, LDNS_RCODE_REFUSED);
	free(q);
}

/* Every reply must be well-formed-ish and within the UDP limit. */
static void check_fuzz_reply(fixture *f, const uint8_t *q, size_t qlen)
{
	size_t len = 0;
	int action = -1;

	assert_int_equal(
	    wot_dns_answer(f->t, q, qlen, 0, f->resp, 4096, &len, &action), 0);
	if (action != WOT_DNS_REPLY) {
		assert_int_equal(len, 0);
		return;
	}
	assert_true(len >= 12 && len <= 1232);
	assert_true(f->resp[2] & 0x80);
	assert_memory_equal(f->resp, q, 2);
}

static void dns_answer_random_bytes(void **state)
{
	fixture *f = *state;
	uint8_t buf[512];
	size_t qlen;
	uint8_t *seed =
	    make_query("a.b.c.example.wot.", LDNS_RR_TYPE_TXT, 1232, &qlen);

	srand(1234);
	for (int i = 0; i < 20000; i++) {
		size_t n = (size_t)rand() % sizeof(buf);
		for (size_t k = 0; k < n; k++)
			buf[k] = (uint8_t)rand();
		if (n >= 4 && (i & 1))
			buf[2] &= 0x7f; /* let more of them past the QR check */
		check_fuzz_reply(f, buf, n);
	}
	/* Mutations of a valid query reach deeper into the parser. */
	for (int i = 0; i < 20000; i++) {
		size_t n = qlen - (size_t)(rand() % 3 == 0 ? rand() % 8 : 0);
		memcpy(buf, seed, qlen);
		for (int k = 0; k < 1 + rand() % 4; k++)
			buf[12 + (size_t)rand() % (qlen - 12)] =
			    (uint8_t)rand();
		check_fuzz_reply(f, buf, n);
	}
	free(seed);
}

static void dns_answer_small_buffer(void **state)
{
	fixture *f = *state;
	size_t qlen, len = 7;
	int action = -1;
	uint8_t *q = make_query("www.example.wot.", LDNS_RR_TYPE_A, -1, &qlen);

	/* Too small for even header+question: an error, never an overrun. */
	assert_true(
	    wot_dns_answer(f->t, q, qlen, 0, f->resp, 20, &len, &action) < 0);
	assert_int_equal(len, 0);
	/* Room for header+question only: TC. */
	assert_int_equal(
	    wot_dns_answer(f->t, q, qlen, 1, f->resp, qlen, &len, &action), 0);
	assert_int_equal(action, WOT_DNS_REPLY);
	assert_true(len <= qlen);
	assert_true(f->resp[2] & 0x02);
	free(q);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(dns_answer_edns_sizes),	   T(dns_answer_tc_udp_full_tcp),
	    T(dns_answer_badvers),	   T(dns_answer_malformed),
	    T(dns_answer_two_opt_formerr), T(dns_answer_refused_class_axfr),
	    T(dns_answer_random_bytes),	   T(dns_answer_small_buffer),
	};

	wot_log_set(NULL, NULL, WOT_LOG_WARNING);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

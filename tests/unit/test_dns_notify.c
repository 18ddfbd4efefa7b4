/*
 * test_dns_notify.c - NOTIFY between peers on the wire (src/dns/notify.c):
 * what we send, what the peer port accepts, refuses or drops, and the
 * replies.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dns/peer/notify.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FPR4 "0F1E2D3C4B5A69788796A5B4C3D2E1F00A1B2C3D"
#define FPR5 "00112233445566778899AABBCCDDEEFF0123456789ABCDEF0011223344556677"

static size_t build(uint8_t *buf, uint16_t id, const char *fpr)
{
	size_t len = 0;

	assert_int_equal(
	    wot_dns_notify_build(buf, WOT_NOTIFY_MSG_MAX, id, fpr, &len), 0);
	return len;
}

/* A message with a one-question header and a name given as text labels
 * ("a.b" -> 1a1b0). */
static size_t message(uint8_t *buf, uint16_t id, uint16_t flags,
		      const char *name, uint16_t type)
{
	size_t o = 12;
	const char *p = name;

	memset(buf, 0, 12);
	buf[0] = (uint8_t)(id >> 8);
	buf[1] = (uint8_t)id;
	buf[2] = (uint8_t)(flags >> 8);
	buf[3] = (uint8_t)flags;
	buf[5] = 1;
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);
		buf[o++] = (uint8_t)l;
		memcpy(buf + o, p, l);
		o += l;
		p += l + (dot ? 1 : 0);
	}
	buf[o++] = 0;
	buf[o++] = (uint8_t)(type >> 8);
	buf[o++] = (uint8_t)type;
	buf[o++] = 0;
	buf[o++] = 1;
	return o;
}

static void notify_roundtrip_v4(void **state)
{
	uint8_t buf[WOT_NOTIFY_MSG_MAX];
	char fpr[WOT_FPR_MAX];
	size_t len = build(buf, 0x1234, FPR4);

	(void)state;
	/* opcode NOTIFY, AA, not a response; the name is lowercase */
	assert_int_equal(buf[2], 0x24);
	assert_non_null(memmem(buf, len, "0f1e2d3c", 8));
	assert_non_null(
	    memmem(buf, len, "\x07_wotdns\x00\x00\x06\x00\x01", 12));
	assert_int_equal(wot_dns_notify_classify(buf, len, fpr), WOT_NOTIFY_OK);
	assert_string_equal(fpr, FPR4);
}

static void notify_roundtrip_v5_two_labels(void **state)
{
	uint8_t buf[WOT_NOTIFY_MSG_MAX];
	char fpr[WOT_FPR_MAX];
	size_t len = build(buf, 7, FPR5);

	(void)state;
	assert_int_equal(buf[12], 32); /* a label holds at most 63 bytes */
	assert_int_equal(wot_dns_notify_classify(buf, len, fpr), WOT_NOTIFY_OK);
	assert_string_equal(fpr, FPR5);
}

static void notify_build_rejects_bad_fpr(void **state)
{
	uint8_t buf[WOT_NOTIFY_MSG_MAX];
	size_t len = 0;

	(void)state;
	assert_int_equal(wot_dns_notify_build(buf, sizeof(buf), 1, "abc", &len),
			 WOT_EINVAL);
	assert_int_equal(wot_dns_notify_build(buf, sizeof(buf), 1,
					      "0F1E2D3C4B5A69788796A5B4C3D2E1F0"
					      "0A1B2C3Z",
					      &len),
			 WOT_EINVAL);
	assert_int_equal(wot_dns_notify_build(buf, 20, 1, FPR4, &len),
			 WOT_ELIMIT);
}

static void notify_classify_refuses_and_drops(void **state)
{
	uint8_t buf[WOT_NOTIFY_MSG_MAX];
	char fpr[WOT_FPR_MAX];
	size_t len;

	(void)state;
	/* a plain query, even for our name: refused */
	len = message(buf, 1, 0x0100,
		      "0f1e2d3c4b5a69788796a5b4c3d2e1f00a1b2c3d."
		      "_wotdns",
		      6);
	assert_int_equal(wot_dns_notify_classify(buf, len, fpr),
			 WOT_NOTIFY_REFUSED);
	/* an UPDATE: not implemented */
	len = message(buf, 1, 5 << 11, "alice.wot", 6);
	assert_int_equal(wot_dns_notify_classify(buf, len, fpr),
			 WOT_NOTIFY_NOTIMP);
	/* NOTIFY for a name that is not ours, or the wrong type */
	len = message(buf, 1, 0x2400, "alice.wot", 6);
	assert_int_equal(wot_dns_notify_classify(buf, len, fpr),
			 WOT_NOTIFY_REFUSED);
	len = message(buf, 1, 0x2400,
		      "0f1e2d3c4b5a69788796a5b4c3d2e1f00a1b2c3d._wotdns", 1);
	assert_int_equal(wot_dns_notify_classify(buf, len, fpr),
			 WOT_NOTIFY_REFUSED);
	/* extra label in front, short fingerprint, 40+32 digits, non-hex */
	len = message(buf, 1, 0x2400,
		      "x.0f1e2d3c4b5a69788796a5b4c3d2e1f00a1b2c3d._wotdns", 6);
	assert_int_equal(wot_dns_notify_classify(buf, len, fpr),
			 WOT_NOTIFY_REFUSED);
	len = message(buf, 1, 0x2400, "0f1e2d3c._wotdns", 6);
	assert_int_equal(wot_dns_notify_classify(buf, len, fpr),
			 WOT_NOTIFY_REFUSED);
	len = message(buf, 1, 0x2400,
		      "0f1e2d3c4b5a69788796a5b4c3d2e1f00a1b2c3d."
		      "00112233445566778899aabbccddeeff._wotdns",
		      6);
	assert_int_equal(wot_dns_notify_classify(buf, len, fpr),
			 WOT_NOTIFY_REFUSED);
	len = message(buf, 1, 0x2400,
		      "0g1e2d3c4b5a69788796a5b4c3d2e1f00a1b2c3d._wotdns", 6);
	assert_int_equal(wot_dns_notify_classify(buf, len, fpr),
			 WOT_NOTIFY_REFUSED);
	assert_string_equal(fpr, "");
	/* a response is never answered (no ping-pong); garbage is dropped */
	len = build(buf, 3, FPR4);
	buf[2] |= 0x80;
	assert_int_equal(wot_dns_notify_classify(buf, len, fpr),
			 WOT_NOTIFY_DROP);
	len = build(buf, 3, FPR4);
	assert_int_equal(wot_dns_notify_classify(buf, len - 3, fpr),
			 WOT_NOTIFY_DROP);
	assert_int_equal(wot_dns_notify_classify(buf, 5, fpr), WOT_NOTIFY_DROP);
}

static void notify_mixed_case_name_ok(void **state)
{
	uint8_t buf[WOT_NOTIFY_MSG_MAX];
	char fpr[WOT_FPR_MAX];
	size_t len =
	    message(buf, 1, 0x2400,
		    "0F1E2D3C4B5A69788796A5B4C3D2E1F00A1B2C3D._WotDNS", 6);

	(void)state;
	assert_int_equal(wot_dns_notify_classify(buf, len, fpr), WOT_NOTIFY_OK);
	assert_string_equal(fpr, FPR4);
}

static void notify_replies(void **state)
{
	uint8_t q[WOT_NOTIFY_MSG_MAX], r[WOT_NOTIFY_MSG_MAX];
	size_t qlen = build(q, 0xbeef, FPR4), rlen;

	(void)state;
	rlen = wot_dns_notify_reply(q, qlen, WOT_NOTIFY_OK, r, sizeof(r));
	assert_int_equal(rlen, qlen); /* header and question, nothing more */
	assert_int_equal(r[0], 0xbe);
	assert_int_equal(r[1], 0xef);
	assert_int_equal(r[2], 0x80 | 0x20 | 0x04); /* QR, NOTIFY, AA */
	assert_int_equal(r[3] & 0x0f, 0);	    /* NOERROR */
	assert_memory_equal(r + 12, q + 12, qlen - 12);
	assert_int_equal(wot_dns_notify_is_answer(r, rlen, 0xbeef, FPR4), 1);
	assert_int_equal(wot_dns_notify_is_answer(r, rlen, 0xbeee, FPR4), 0);
	assert_int_equal(wot_dns_notify_is_answer(r, rlen, 0xbeef, FPR5), 0);
	assert_int_equal(wot_dns_notify_is_answer(q, qlen, 0xbeef, FPR4), 0);

	rlen = wot_dns_notify_reply(q, qlen, WOT_NOTIFY_REFUSED, r, sizeof(r));
	assert_int_equal(r[2] & 0x04, 0); /* no AA */
	assert_int_equal(r[3] & 0x0f, 5);
	rlen = wot_dns_notify_reply(q, qlen, WOT_NOTIFY_NOTIMP, r, sizeof(r));
	assert_int_equal(r[3] & 0x0f, 4);
	assert_int_equal(
	    wot_dns_notify_reply(q, qlen, WOT_NOTIFY_DROP, r, sizeof(r)), 0);
	/* too small for the question: header only */
	rlen = wot_dns_notify_reply(q, qlen, WOT_NOTIFY_OK, r, 20);
	assert_int_equal(rlen, 12);
}

static void notify_random_bytes(void **state)
{
	uint8_t buf[600], out[WOT_NOTIFY_MSG_MAX];
	char fpr[WOT_FPR_MAX];
	unsigned seed = 12345;

	(void)state;
	for (int i = 0; i < 20000; i++) {
		size_t len = (size_t)(rand_r(&seed) % sizeof(buf));
		for (size_t j = 0; j < len; j++)
			buf[j] = (uint8_t)rand_r(&seed);
		if (len > 12 && i % 2) {
			buf[2] = 0x24; /* mostly NOTIFY headers */
			buf[4] = 0;
			buf[5] = 1;
		}
		int v = wot_dns_notify_classify(buf, len, fpr);
		assert_true(v >= WOT_NOTIFY_OK && v <= WOT_NOTIFY_DROP);
		if (v == WOT_NOTIFY_OK)
			assert_true(wot_fpr_valid(fpr));
		assert_true(wot_dns_notify_reply(buf, len, v, out,
						 sizeof(out)) <= sizeof(out));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(notify_roundtrip_v4),
	    cmocka_unit_test(notify_roundtrip_v5_two_labels),
	    cmocka_unit_test(notify_build_rejects_bad_fpr),
	    cmocka_unit_test(notify_classify_refuses_and_drops),
	    cmocka_unit_test(notify_mixed_case_name_ok),
	    cmocka_unit_test(notify_replies),
	    cmocka_unit_test(notify_random_bytes),
	};

	wot_log_set(NULL, NULL, WOT_LOG_WARNING);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

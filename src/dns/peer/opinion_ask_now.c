/*
 * opinion_ask_now.c - one question to one peer, asked and answered on a
 * loop of its own (`wotdns opinions --ask`): the record question about
 * name/type or the head question about a source's owner.
 */
#include "dns/peer/opinion.h"
#include "util/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
	wot_opinion_asker *a;
	uint8_t pkt[WOT_OPINION_TCP_MAX]; /* UDP, or TCP after TC */
	size_t len;
	int got;
} live_answer;

static void on_live(void *data, const uint8_t *pkt, size_t len, uint16_t id)
{
	live_answer *a = data;

	(void)id;
	if (pkt && len <= sizeof(a->pkt)) {
		memcpy(a->pkt, pkt, len);
		a->len = len;
		a->got = 1;
	}
	/* one question: done, let the loop end */
	wot_opinion_asker_close(a->a, NULL, NULL);
	a->a = NULL;
}

/* The question into q (*qlen), its lowercase owner into qname and its
 * type into *type. */
static int build(const wot_opinion_ask_opts *o, uint16_t id, uint8_t *q,
		 size_t cap, size_t *qlen, char *qname, size_t qcap,
		 uint16_t *type)
{
	int rc;

	if (o->fpr) {
		snprintf(qname, qcap, "%s._wotdns.", o->fpr);
		rc = wot_opinion_query_head(q, cap, id, o->fpr, qlen);
		*type = LDNS_RR_TYPE_TXT;
	} else {
		size_t n = o->name ? strlen(o->name) : 0;
		if (!n)
			return wot_error_set(WOT_EINVAL,
					     "no name to ask about");
		snprintf(qname, qcap, "%s%s", o->name,
			 o->name[n - 1] == '.' ? "" : ".");
		*type = o->type;
		rc = wot_opinion_query_record(q, cap, id, qname, o->type, qlen);
	}
	for (char *p = qname; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return rc;
}

int wot_opinion_ask_now(const wot_opinion_ask_opts *o, wot_opinion_reply *out)
{
	uv_loop_t loop;
	live_answer ans = {NULL, {0}, 0, 0};
	uint8_t q[300];
	char qname[300];
	size_t qlen = 0;
	uint16_t id = (uint16_t)(time(NULL) ^ rand()), type = 0;
	int rc = build(o, id, q, sizeof(q), &qlen, qname, sizeof(qname), &type);

	if (rc < 0)
		return rc;
	if (uv_loop_init(&loop) < 0)
		return wot_error_set(WOT_ENOMEM, "cannot start a loop");
	if ((rc = wot_opinion_asker_new(&ans.a, &loop)) == 0 &&
	    (rc = wot_opinion_ask(ans.a, o->endpoint, q, qlen, o->timeout_ms,
				  on_live, &ans)) < 0)
		wot_opinion_asker_close(ans.a, NULL, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	if (rc < 0)
		return rc;
	if (!ans.got)
		return wot_error_set(WOT_ENET, "no answer from %s",
				     o->endpoint);
	return wot_opinion_reply_parse(ans.pkt, ans.len, id, qname, type, out);
}

/*
 * notify_send.c - telling followers that our zone changed: one NOTIFY per
 * endpoint over UDP, repeated with a doubling interval until answered
 * (RFC 1996 3.6, with intervals for a sub-second overlay instead of a
 * minute). Each endpoint is one request of the outgoing engine
 * (dns/net/net.h: sends at 0, 0.2, 0.6 and 1.4 s, given up at 3 s); runs
 * on the daemon's loop, nothing here blocks.
 */
#include "dns/net/net.h"
#include "dns/peer/notify.h"
#include "dns/resolver/resolver.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	MAX_PENDING = 1024,
	FIRST_RETRY_MS = 200,
	TRIES = 4 /* sends per endpoint: at 0, 0.2, 0.6 and 1.4 s */
};

typedef struct {
	wot_dns_notifier *s;
	struct sockaddr_storage addr;
	char fpr[WOT_FPR_MAX];
	int used, asking;
	size_t len;
	uint8_t msg[WOT_NOTIFY_MSG_MAX];
	wot_net_query req;
} pending;

struct wot_dns_notifier {
	wot_net_client *net;
	pending *v; /* MAX_PENDING slots */
	wot_dns_notifier_stats st;
	wot_closer closer;
};

/* The engine's one callback for an endpoint. */
static void on_done(wot_net_query *r, const wot_net_result *res)
{
	pending *p = r->data;
	wot_dns_notifier *s = p->s;
	char addr[80] = "?";

	p->asking = 0;
	s->st.sent += res->attempts;
	if (res->status == WOT_NET_CANCELLED)
		return; /* restarted or closing: the slot is the caller's */
	if (res->status == WOT_NET_OK) {
		s->st.answered++;
	} else {
		wot_dns_format_addr(&p->addr, addr, sizeof(addr));
		wot_log(WOT_LOG_INFO, "dns",
			"NOTIFY to %s: no answer after %u tries", addr,
			res->attempts);
		s->st.failed++;
	}
	p->used = 0;
}

/* (Re)start the NOTIFY of p from its first try. */
static int start(wot_dns_notifier *s, pending *p)
{
	if (p->asking)
		wot_net_cancel(&p->req); /* a newer change restarts */
	if (wot_dns_notify_build(p->msg, sizeof(p->msg), 0, p->fpr, &p->len) <
	    0)
		return -1;
	if (wot_net_request(s->net, &p->req,
			    &(wot_net_req_opts){
				.to = &p->addr,
				.query = p->msg,
				.qlen = p->len,
				.timeout_ms = FIRST_RETRY_MS,
				.tries = TRIES,
				.backoff = 1,
				.cb = on_done,
				.data = p,
			    }) < 0)
		return -1;
	p->asking = 1;
	return 0;
}

int wot_dns_notifier_new_net(wot_dns_notifier **out,
			     const wot_net_client_opts *o)
{
	wot_dns_notifier *s = calloc(1, sizeof(*s));
	int rc = WOT_ENOMEM;

	*out = NULL;
	if (!s || !(s->v = calloc(MAX_PENDING, sizeof(*s->v))) ||
	    (rc = wot_net_client_new(&s->net, o)) < 0) {
		if (s)
			free(s->v);
		free(s);
		return rc == WOT_ENOMEM ? wot_error_set(rc, "out of memory")
					: rc;
	}
	*out = s;
	return 0;
}

int wot_dns_notifier_new(wot_dns_notifier **out, uv_loop_t *loop)
{
	return wot_dns_notifier_new_net(out,
					&(wot_net_client_opts){.loop = loop});
}

/* The entry for addr and fpr; a new one if none. */
static pending *entry(wot_dns_notifier *s, const struct sockaddr_storage *a,
		      const char *fpr)
{
	pending *free_slot = NULL;

	for (size_t i = 0; i < MAX_PENDING; i++) {
		pending *p = &s->v[i];
		if (!p->used) {
			if (!free_slot)
				free_slot = p;
		} else if (wot_dns_addr_equal(a, &p->addr) &&
			   !strcmp(p->fpr, fpr)) {
			return p;
		}
	}
	if (!free_slot)
		return NULL;
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->s = s;
	free_slot->used = 1;
	free_slot->addr = *a;
	snprintf(free_slot->fpr, sizeof(free_slot->fpr), "%s", fpr);
	return free_slot;
}

int wot_dns_notifier_send(wot_dns_notifier *s, const char *fpr,
			  const char *const *endpoints, size_t n)
{
	struct sockaddr_storage sa;
	size_t skipped = 0;

	if (!wot_fpr_valid(fpr))
		return wot_error_set(WOT_EINVAL, "bad fingerprint '%s'", fpr);
	for (size_t i = 0; i < n && !s->closer.closing; i++) {
		pending *p;
		if (wot_dns_parse_addr(endpoints[i], 53, &sa) < 0) {
			wot_log(WOT_LOG_WARNING, "dns", "NOTIFY: %s",
				wot_error_last());
			continue;
		}
		if (!(p = entry(s, &sa, fpr))) {
			skipped++;
			continue;
		}
		if (start(s, p) < 0) {
			wot_log(WOT_LOG_WARNING, "dns", "NOTIFY: %s",
				wot_error_last());
			p->used = 0;
		}
	}
	if (skipped)
		wot_log(WOT_LOG_WARNING, "dns",
			"NOTIFY: %zu endpoints skipped (%d pending at most)",
			skipped, MAX_PENDING);
	return 0;
}

void wot_dns_notifier_stats_get(const wot_dns_notifier *s,
				wot_dns_notifier_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!s)
		return;
	*out = s->st;
	for (size_t i = 0; i < MAX_PENDING; i++) /* sends still waiting */
		if (s->v[i].asking)
			out->sent += s->v[i].req.attempts;
}

static void on_net_closed(void *arg)
{
	wot_dns_notifier *s = arg;
	wot_closer k = s->closer;

	free(s->v);
	free(s);
	wot_closer_end(&k);
}

void wot_dns_notifier_close(wot_dns_notifier *s, void (*cb)(void *data),
			    void *data)
{
	if (!s || !wot_closer_begin(&s->closer, cb, data))
		return;
	wot_net_client_close(s->net, on_net_closed, s);
}

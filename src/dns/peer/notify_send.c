/*
 * notify_send.c - telling followers that our zone changed: one NOTIFY per
 * endpoint over UDP, repeated with a doubling interval until answered
 * (RFC 1996 3.6, with intervals for a sub-second overlay instead of a
 * minute). Runs on the daemon's loop; nothing here blocks.
 */
#include "dns/peer/notify.h"
#include "dns/resolver/server_int.h"
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
	struct sockaddr_storage addr;
	char fpr[WOT_FPR_MAX];
	uint16_t id;
	int tries;
	uint64_t next_ms;
} pending;

struct wot_dns_notifier {
	uv_loop_t *loop;
	uv_udp_t udp[2]; /* IPv4, IPv6: opened on first use */
	int open[2];
	uv_timer_t timer;
	pending *v;
	size_t n;
	wot_dns_notifier_stats st;
	int live, closing;
	void (*close_cb)(void *data);
	void *close_data;
	uint8_t rbuf[WOT_NOTIFY_MSG_MAX * 2];
};

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	wot_dns_notifier *s = h->data;

	(void)hint;
	*b = uv_buf_init((char *)s->rbuf, sizeof(s->rbuf));
}

static void drop(wot_dns_notifier *s, size_t i)
{
	s->v[i] = s->v[--s->n];
}

static void on_recv(uv_udp_t *u, ssize_t n, const uv_buf_t *b,
		    const struct sockaddr *from, unsigned flags)
{
	wot_dns_notifier *s = u->data;
	struct sockaddr_storage sa;

	(void)flags;
	if (n <= 0 || !from)
		return;
	memset(&sa, 0, sizeof(sa));
	memcpy(&sa, from,
	       from->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
					   : sizeof(struct sockaddr_in));
	for (size_t i = 0; i < s->n; i++) {
		if (!wot_dns_addr_equal(&sa, &s->v[i].addr) ||
		    !wot_dns_notify_is_answer((const uint8_t *)b->base,
					      (size_t)n, s->v[i].id,
					      s->v[i].fpr))
			continue;
		s->st.answered++;
		drop(s, i);
		return;
	}
}

/* The socket for this family, opened (unconnected, any port) on demand. */
static uv_udp_t *sock_for(wot_dns_notifier *s, int family)
{
	int k = family == AF_INET6;
	struct sockaddr_storage any;
	int rc;

	if (s->open[k])
		return &s->udp[k];
	wot_dns_parse_addr(k ? "[::]:0" : "0.0.0.0:0", 0, &any);
	uv_udp_init(s->loop, &s->udp[k]);
	s->udp[k].data = s;
	s->open[k] = 1;
	s->live++;
	rc = uv_udp_bind(&s->udp[k], (const struct sockaddr *)&any, 0);
	if (rc == 0)
		rc = uv_udp_recv_start(&s->udp[k], on_alloc, on_recv);
	if (rc < 0)
		wot_log(WOT_LOG_WARNING, "dns", "notify socket: %s",
			uv_strerror(rc));
	return &s->udp[k];
}

static void send_one(wot_dns_notifier *s, pending *p)
{
	uint8_t msg[WOT_NOTIFY_MSG_MAX];
	size_t len;
	uv_buf_t b;

	if (wot_dns_notify_build(msg, sizeof(msg), p->id, p->fpr, &len) < 0)
		return;
	b = uv_buf_init((char *)msg, (unsigned)len);
	/* EAGAIN just waits for the next try. */
	if (uv_udp_try_send(sock_for(s, p->addr.ss_family), &b, 1,
			    (const struct sockaddr *)&p->addr) >= 0)
		s->st.sent++;
	p->next_ms = uv_now(s->loop) + ((uint64_t)FIRST_RETRY_MS << p->tries);
	p->tries++;
}

static void on_timer(uv_timer_t *t);

static void arm(wot_dns_notifier *s)
{
	uint64_t next = UINT64_MAX, now = uv_now(s->loop);

	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].next_ms < next)
			next = s->v[i].next_ms;
	if (next == UINT64_MAX || s->closing)
		uv_timer_stop(&s->timer);
	else
		uv_timer_start(&s->timer, on_timer, next > now ? next - now : 0,
			       0);
}

static void on_timer(uv_timer_t *t)
{
	wot_dns_notifier *s = t->data;
	uint64_t now = uv_now(s->loop);

	for (size_t i = 0; i < s->n;) {
		pending *p = &s->v[i];
		if (p->next_ms > now) {
			i++;
		} else if (p->tries >= TRIES) {
			char addr[80] = "?";
			wot_dns_format_addr(&p->addr, addr, sizeof(addr));
			wot_log(WOT_LOG_INFO, "dns",
				"NOTIFY to %s: no answer after %d tries", addr,
				TRIES);
			s->st.failed++;
			drop(s, i);
		} else {
			send_one(s, p);
			i++;
		}
	}
	arm(s);
}

int wot_dns_notifier_new(wot_dns_notifier **out, uv_loop_t *loop)
{
	wot_dns_notifier *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!s || !(s->v = calloc(MAX_PENDING, sizeof(*s->v)))) {
		free(s);
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	s->loop = loop;
	uv_timer_init(loop, &s->timer);
	s->timer.data = s;
	s->live = 1;
	*out = s;
	return 0;
}

/* The entry for addr and fpr; a new one (with a fresh id) if none. */
static pending *entry(wot_dns_notifier *s, const struct sockaddr_storage *a,
		      const char *fpr)
{
	pending *p;

	for (size_t i = 0; i < s->n; i++)
		if (wot_dns_addr_equal(a, &s->v[i].addr) &&
		    !strcmp(s->v[i].fpr, fpr))
			return &s->v[i];
	if (s->n >= MAX_PENDING)
		return NULL;
	p = &s->v[s->n++];
	memset(p, 0, sizeof(*p));
	p->addr = *a;
	snprintf(p->fpr, sizeof(p->fpr), "%s", fpr);
	if (uv_random(NULL, NULL, &p->id, sizeof(p->id), 0, NULL) != 0)
		p->id = (uint16_t)(uv_hrtime() ^ s->n);
	return p;
}

int wot_dns_notifier_send(wot_dns_notifier *s, const char *fpr,
			  const char *const *endpoints, size_t n)
{
	struct sockaddr_storage sa;
	size_t skipped = 0;

	if (!wot_fpr_valid(fpr))
		return wot_error_set(WOT_EINVAL, "bad fingerprint '%s'", fpr);
	for (size_t i = 0; i < n && !s->closing; i++) {
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
		p->tries = 0; /* a newer change restarts the retries */
		send_one(s, p);
	}
	if (skipped)
		wot_log(WOT_LOG_WARNING, "dns",
			"NOTIFY: %zu endpoints skipped (%d pending at most)",
			skipped, MAX_PENDING);
	arm(s);
	return 0;
}

void wot_dns_notifier_stats_get(const wot_dns_notifier *s,
				wot_dns_notifier_stats *out)
{
	if (s)
		*out = s->st;
	else
		memset(out, 0, sizeof(*out));
}

static void on_closed(uv_handle_t *h)
{
	wot_dns_notifier *s = h->data;
	void (*cb)(void *) = s->close_cb;
	void *data = s->close_data;

	if (--s->live > 0)
		return;
	free(s->v);
	free(s);
	if (cb)
		cb(data);
}

void wot_dns_notifier_close(wot_dns_notifier *s, void (*cb)(void *data),
			    void *data)
{
	if (!s || s->closing)
		return;
	s->closing = 1;
	s->close_cb = cb;
	s->close_data = data;
	for (int k = 0; k < 2; k++)
		if (s->open[k])
			uv_close((uv_handle_t *)&s->udp[k], on_closed);
	uv_close((uv_handle_t *)&s->timer, on_closed);
}

/*
 * probe.c - at start, is any upstream a way back to ourselves?
 *
 * Each upstream gets, all at once, one question for an unguessable name
 * (20 random letters and digits under "wotdns-probe."), registered with
 * the loop guard. A stub that forwards to us (systemd-resolved's
 * 127.0.0.53, a dnsmasq or unbound pointed at our address, our own
 * address) hands it to our listener, which marks that upstream looped
 * (local.c). The probe ends when every upstream has answered or been
 * marked, or at the deadline: a normal start waits one round trip to the
 * slowest upstream, at most the deadline. An upstream that does not
 * answer in time is not counted as a loop (it may just be slow or not
 * reachable yet).
 */
#include "dns/resolver/server_int.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

enum { PROBE_LABEL = 20, PROBE_QMAX = WOT_DNS_HDR_LEN + 64 + 4 };

typedef struct probe_set probe_set;

typedef struct {
	uv_udp_t udp;
	probe_set *ps;
	size_t server;
	int open, done;
	uint16_t id;
	uv_udp_send_t sreq;
	uint8_t q[PROBE_QMAX];
	size_t qlen;
	struct sockaddr_storage addr;
	wot_dns_loopentry le;
} probe_one;

struct probe_set {
	wot_dns_server *s;
	uv_timer_t timer;
	int expired;
	size_t n, open;
	probe_one p[WOT_DNS_MAX_UPSTREAM];
	uint8_t rbuf[65536];
};

static const uint8_t suffix[] = "\x0cwotdns-probe";

/* The question: ID, RD, one question NAME A IN; returns its length. */
static size_t probe_query(probe_one *p)
{
	static const char set[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	uint8_t rnd[2 + PROBE_LABEL], *q = p->q;
	size_t off = WOT_DNS_HDR_LEN;

	if (uv_random(NULL, NULL, rnd, sizeof(rnd), 0, NULL) < 0)
		return 0;
	memset(q, 0, WOT_DNS_HDR_LEN);
	memcpy(q, rnd, 2);
	p->id = wot_rd16(q);
	wot_wr16(q + 2, WOT_F_RD);
	wot_wr16(q + 4, 1);
	q[off++] = PROBE_LABEL;
	for (size_t i = 0; i < PROBE_LABEL; i++)
		q[off++] = (uint8_t)set[rnd[2 + i] % 36];
	memcpy(q + off, suffix, sizeof(suffix)); /* with the root byte */
	off += sizeof(suffix);
	wot_wr16(q + off, WOT_T_A);
	wot_wr16(q + off + 2, WOT_C_IN);
	return off + 4;
}

static void probe_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	probe_one *p = h->data;

	(void)hint;
	buf->base = (char *)p->ps->rbuf;
	buf->len = sizeof(p->ps->rbuf);
}

static void probe_recv(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf,
		       const struct sockaddr *addr, unsigned flags)
{
	probe_one *p = h->data;
	struct sockaddr_storage from;
	const uint8_t *r = (const uint8_t *)buf->base;

	if (nread < WOT_DNS_HDR_LEN || !addr || (flags & UV_UDP_PARTIAL))
		return;
	memset(&from, 0, sizeof(from));
	memcpy(&from, addr,
	       addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
					   : sizeof(struct sockaddr_in));
	if (wot_dns_addr_equal(&from, &p->addr) && wot_rd16(r) == p->id &&
	    (wot_rd16(r + 2) & WOT_F_QR))
		p->done = 1; /* an answer, whatever it says */
}

static void on_closed(uv_handle_t *h)
{
	probe_one *p = h->data;

	p->ps->open--;
}

static void on_timer_closed(uv_handle_t *h)
{
	probe_set *ps = h->data;

	ps->open--;
}

static void on_deadline(uv_timer_t *t)
{
	probe_set *ps = t->data;

	ps->expired = 1;
}

static int probe_start(probe_set *ps, probe_one *p)
{
	struct sockaddr_storage any;
	uv_buf_t b;
	int rc;

	if (!(p->qlen = probe_query(p)))
		return -1;
	p->le.name = p->q + WOT_DNS_HDR_LEN;
	p->le.len = p->qlen - WOT_DNS_HDR_LEN - 4;
	p->le.qtype = WOT_T_A;
	p->le.server = p->server;
	wot_dns_loopguard_add(ps->s->guard, &p->le);
	if ((rc = uv_udp_init(ps->s->loop, &p->udp)) < 0)
		return rc;
	p->udp.data = p;
	p->open = 1;
	ps->open++;
	memset(&any, 0, sizeof(any));
	any.ss_family = p->addr.ss_family;
	b = uv_buf_init((char *)p->q, (unsigned)p->qlen);
	rc = uv_udp_bind(&p->udp, (const struct sockaddr *)&any, 0);
	if (rc == 0)
		rc = uv_udp_recv_start(&p->udp, probe_alloc, probe_recv);
	if (rc == 0)
		rc = uv_udp_send(&p->sreq, &p->udp, &b, 1,
				 (const struct sockaddr *)&p->addr, NULL);
	return rc;
}

/* Every probe answered or come back, or the deadline passed. */
static int settled(const probe_set *ps)
{
	if (ps->expired)
		return 1;
	for (size_t i = 0; i < ps->n; i++)
		if (!ps->p[i].done &&
		    !wot_dns_loopguard_looped(ps->s->guard, i))
			return 0;
	return 1;
}

int wot_dns_server_probe(wot_dns_server *s, unsigned deadline_ms,
			 size_t *looped)
{
	probe_set *ps;

	*looped = 0;
	if (!s || !s->up || !s->guard)
		return 0;
	if (!(ps = calloc(1, sizeof(*ps))))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	ps->s = s;
	ps->n = wot_dns_upstream_count(s->up);
	uv_timer_init(s->loop, &ps->timer);
	ps->timer.data = ps;
	uv_timer_start(&ps->timer, on_deadline, deadline_ms, 0);
	for (size_t i = 0; i < ps->n; i++) {
		probe_one *p = &ps->p[i];
		p->ps = ps;
		p->server = i;
		p->addr = *wot_dns_upstream_addr(s->up, i);
		/* A probe that cannot be sent proves nothing either way. */
		if (probe_start(ps, p) < 0)
			p->done = 1;
	}
	while (!settled(ps))
		uv_run(s->loop, UV_RUN_ONCE);
	for (size_t i = 0; i < ps->n; i++) {
		wot_dns_loopguard_remove(s->guard, &ps->p[i].le);
		if (ps->p[i].open)
			uv_close((uv_handle_t *)&ps->p[i].udp, on_closed);
		*looped += wot_dns_loopguard_looped(s->guard, i) != 0;
	}
	ps->open++;
	uv_close((uv_handle_t *)&ps->timer, on_timer_closed);
	while (ps->open)
		uv_run(s->loop, UV_RUN_ONCE);
	free(ps);
	return 0;
}

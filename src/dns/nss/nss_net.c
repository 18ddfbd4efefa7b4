/*
 * nss_net.c - the exchange with the daemon: one connected UDP socket on
 * loopback (so only the server's own address can answer, and a daemon
 * that is down shows as ECONNREFUSED at once), random IDs, both questions
 * sent at once, one deadline for all. Answers that are not ours are read
 * and dropped until the deadline.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "nss_int.h"

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* IDs nobody else can guess (the source port is random too). */
static void random_ids(uint16_t *ids, size_t n)
{
	struct timespec ts;

	if (getrandom(ids, n * sizeof(*ids), GRND_NONBLOCK) !=
	    (ssize_t)(n * sizeof(*ids))) {
		/* Early boot, no entropy yet: loopback only, still unique. */
		clock_gettime(CLOCK_MONOTONIC, &ts);
		for (size_t i = 0; i < n; i++)
			ids[i] = (uint16_t)(ts.tv_nsec >> (i * 4)) ^
				 (uint16_t)getpid();
	}
	if (n == 2 && ids[0] == ids[1])
		ids[1] ^= 1;
}

typedef struct {
	uint8_t q[2][WOT_NSS_QUERY_MAX];
	size_t qlen[2];
	size_t n, open; /* questions, those still unanswered */
	wot_nss_verdict *verdicts;
	wot_nss_result *res;
} exchange;

/* 1 once done: every question answered, or one said NOTFOUND. */
static int take_answer(exchange *x, const uint8_t *pkt, size_t len)
{
	for (size_t i = 0; i < x->n; i++) {
		wot_nss_verdict v;
		if (x->verdicts[i] != WOT_NSS_IGNORE)
			continue;
		v = wot_nss_answer_read(x->q[i], x->qlen[i], pkt, len,
					&x->res[i]);
		if (v == WOT_NSS_IGNORE)
			continue;
		x->verdicts[i] = v;
		x->open--;
		return v == WOT_NSS_NOTFOUND || x->open == 0;
	}
	return 0;
}

static int wait_answers(int fd, exchange *x, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	uint8_t buf[WOT_NSS_PKT_MAX];

	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int64_t left = deadline - now_ms();
		ssize_t n;
		int r;

		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&p, 1, (int)left);
		if (r == 0)
			return -ETIMEDOUT;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r < 0)
			continue;
		n = recv(fd, buf, sizeof(buf), MSG_TRUNC | MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno; /* ECONNREFUSED: nobody listens */
		if ((size_t)n > sizeof(buf))
			continue; /* cut short: not an answer */
		if (take_answer(x, buf, (size_t)n))
			return 0;
	}
}

static int send_all(int fd, exchange *x)
{
	for (size_t i = 0; i < x->n; i++)
		if (send(fd, x->q[i], x->qlen[i], MSG_NOSIGNAL) < 0)
			return -errno;
	return 0;
}

int wot_nss_ask(const wot_nss_question *q, wot_nss_verdict *verdicts,
		wot_nss_result *res)
{
	exchange x = {.n = q->ntypes,
		      .open = q->ntypes,
		      .verdicts = verdicts,
		      .res = res};
	uint16_t ids[2];
	int fd = -1, rc;

	if (q->ntypes == 0 || q->ntypes > 2)
		return -EINVAL;
	random_ids(ids, q->ntypes);
	for (size_t i = 0; i < q->ntypes; i++) {
		verdicts[i] = WOT_NSS_IGNORE;
		memset(&res[i], 0, sizeof(res[i]));
		if (wot_nss_query_build(q->name, q->types[i], ids[i], q->rd,
					x.q[i], &x.qlen[i]) < 0) {
			verdicts[0] = WOT_NSS_NOTFOUND; /* no host name */
			return 0;
		}
	}
	fd = socket(q->addr->ss_family,
		    SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)q->addr, q->alen) < 0)
		rc = -errno;
	else if ((rc = send_all(fd, &x)) == 0)
		rc = wait_answers(fd, &x, q->timeout_ms);
	close(fd);
	return rc;
}

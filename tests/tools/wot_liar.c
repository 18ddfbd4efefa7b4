/*
 * wot_liar.c - a lying peer for the tests, built on libwotdns: a real
 * node (`wotdns serve` through wot_daemon_run: it syncs, answers DNS,
 * NOTIFY and head questions like any other) whose answers to record
 * opinion questions lie, as docs/peer-protocol.md ("Lying peers in the
 * tests") says: A and AAAA answers get another address (the last byte
 * changed), answers of other types keep their records but name a commit
 * that does not exist. The shipped binary holds none of this.
 *
 *   wot_liar [--lie always|random] --home DIR serve [serve options]
 *
 * Serve options: --listen, --upstream, --peer-listen (each repeatable),
 * --sync-interval, --threads, --no-upstream, --allow-nonloopback,
 * --verbose. Exit 0 after SIGTERM, 1 on failure, 2 on bad usage.
 */
#include "dns/daemon/daemon.h"
#include "sync/sync.h"
#include "util/util.h"

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { T_A = 1, T_TXT = 16, T_AAAA = 28, HDR = 12 };

static int random_mode; /* lie in about half of the answers */

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Offset past the name at o (compression pointers end it), or 0. */
static size_t skip_name(const uint8_t *p, size_t len, size_t o)
{
	while (o < len) {
		if ((p[o] & 0xc0) == 0xc0)
			return o + 2 <= len ? o + 2 : 0;
		if (!p[o])
			return o + 1;
		o += (size_t)p[o] + 1;
	}
	return 0;
}

/* 1 if the question (at HDR) is a head question: TXT "<fpr>._wotdns.". */
static int head_question(const uint8_t *p, size_t len, size_t qend)
{
	size_t l = p[HDR];

	return rd16(p + qend - 4) == T_TXT && (l == 40 || l == 64) &&
	       HDR + 1 + l + 9 <= len && p[HDR + 1 + l] == 7 &&
	       !memcmp(p + HDR + 2 + l, "_wotdns", 7) && !p[HDR + 9 + l];
}

/* The "commit=" string of the TXT rdata at rd (n bytes): its last hex
 * digit changed, so the commit does not exist. */
static void flip_commit(uint8_t *rd, size_t n)
{
	for (size_t i = 0; i < n; i += (size_t)rd[i] + 1) {
		size_t l = rd[i];
		if (i + 1 + l > n)
			return;
		if (l > 7 && !memcmp(rd + i + 1, "commit=", 7)) {
			uint8_t *last = rd + i + l;
			*last = *last == '0' ? '1' : '0'; /* still hex */
		}
	}
}

/* Lie in place in the answer p (len bytes) to a record question. */
static size_t lie(void *data, uint8_t *p, size_t len, size_t cap)
{
	size_t o, n[3], qend;
	int lied = 0;

	(void)data;
	(void)cap;
	if (len < HDR || rd16(p + 4) != 1 || !(qend = skip_name(p, len, HDR)) ||
	    (qend += 4) > len || head_question(p, len, qend) ||
	    (random_mode && rand() & 1))
		return len;
	n[0] = rd16(p + 6);
	n[1] = rd16(p + 8);
	n[2] = rd16(p + 10);
	o = qend;
	for (int sec = 0; sec < 3; sec++)
		for (size_t i = 0; i < n[sec]; i++) {
			uint16_t type, rdlen;
			if (!(o = skip_name(p, len, o)) || o + 10 > len)
				return len;
			type = rd16(p + o);
			rdlen = rd16(p + o + 8);
			o += 10;
			if (o + rdlen > len)
				return len;
			if (sec == 0 && ((type == T_A && rdlen == 4) ||
					 (type == T_AAAA && rdlen == 16))) {
				p[o + rdlen - 1] ^= 0x5a;
				lied = 1;
			}
			/* Could not change the records: claim a commit
			 * that does not exist instead. */
			if (sec == 2 && type == T_TXT && !lied)
				flip_commit(p + o, rdlen);
			o += rdlen;
		}
	return len;
}

static int add(const char ***v, size_t *n, const char *s)
{
	const char **nv = realloc(*v, (*n + 1) * sizeof(*nv));

	if (!nv)
		return -1;
	nv[(*n)++] = s;
	*v = nv;
	return 0;
}

static int usage(const char *why)
{
	fprintf(stderr,
		"wot_liar: %s\nusage: wot_liar [--lie always|random] --home "
		"DIR serve [--listen A] [--upstream A] [--peer-listen A] "
		"[--sync-interval S] [--threads N] [--no-upstream] "
		"[--allow-nonloopback] [--verbose]\n",
		why);
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"lie", required_argument, NULL, 'L'},
	    {"home", required_argument, NULL, 'H'},
	    {"listen", required_argument, NULL, 'l'},
	    {"upstream", required_argument, NULL, 'u'},
	    {"peer-listen", required_argument, NULL, 'P'},
	    {"sync-interval", required_argument, NULL, 's'},
	    {"threads", required_argument, NULL, 't'},
	    {"no-upstream", no_argument, NULL, 'N'},
	    {"allow-nonloopback", no_argument, NULL, 'A'},
	    {"verbose", no_argument, NULL, 'v'},
	    {NULL, 0, NULL, 0},
	};
	wot_daemon_opts o = WOT_DAEMON_OPTS_INIT;
	const char **listen = NULL, **up = NULL, **peer = NULL, *home = NULL;
	wot_home *h = NULL;
	int c, rc = 0, verbose = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'L':
			if (strcmp(optarg, "always") &&
			    strcmp(optarg, "random"))
				return usage("--lie is always or random");
			random_mode = !strcmp(optarg, "random");
			break;
		case 'H':
			home = optarg;
			break;
		case 'l':
			rc = add(&listen, &o.nlisten, optarg);
			break;
		case 'u':
			rc = add(&up, &o.nupstream, optarg);
			break;
		case 'P':
			rc = add(&peer, &o.npeer_listen, optarg);
			break;
		case 's':
			o.sync_interval = atoi(optarg);
			break;
		case 't':
			o.threads = (unsigned)atoi(optarg);
			break;
		case 'N':
			o.no_upstream = 1;
			break;
		case 'A':
			o.allow_nonloopback = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			return usage("bad option");
		}
		if (rc < 0)
			return 1;
	}
	if (!home || optind != argc - 1 || strcmp(argv[optind], "serve"))
		return usage("wants --home DIR serve");
	o.listen = listen;
	o.upstream = up;
	o.peer_listen = peer;
	o.peer_answer = lie;
	srand((unsigned)(time(NULL) ^ (unsigned)getpid()));
	wot_log_set(NULL, NULL, verbose ? WOT_LOG_INFO : WOT_LOG_NOTICE);
	wot_log(WOT_LOG_WARNING, "dns",
		"wot_liar: this peer lies in its opinions (%s; for tests only)",
		random_mode ? "at random" : "always");
	rc = wot_home_open(&h, home) < 0 || wot_daemon_run(h, &o) < 0;
	if (rc)
		fprintf(stderr, "wot_liar: %s\n", wot_error_last());
	wot_home_free(h);
	free(listen);
	free(up);
	free(peer);
	return rc;
}

/*
 * nss_int.h - the parts of libnss_wotdns.so.2 (the glibc NSS module for the
 * hosts database): the configuration file, the question, the answer read
 * into a result, the result laid out in glibc's buffers, the exchange over
 * loopback UDP. Everything but nss_net.c is pure, for the unit tests.
 *
 * The module is loaded into every process that resolves a name: no
 * libwotdns, no libuv, no global mutable state, every fd closed. Every byte
 * of an answer is hostile until checked.
 */
#ifndef WOT_NSS_INT_H
#define WOT_NSS_INT_H

#include <netdb.h>
#include <nss.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Written by `wotdns desktop setup --nss`; absent: 127.0.0.1:53. */
#define WOT_NSS_CONF "/etc/wotdns/nss.conf"
/* The whole exchange, both questions of gethostbyname4_r included. */
#define WOT_NSS_TIMEOUT_MS 250
/* Addresses kept from one answer, and names in one CNAME chain (the
 * daemon's own bound is 8 hops). */
#define WOT_NSS_MAX_ADDRS 32
#define WOT_NSS_MAX_NAMES 10
/* A presentation-form host name without the final dot, NUL included. */
#define WOT_NSS_NAME_MAX 254
/* The largest datagram read: a larger one is cut, so ignored. */
#define WOT_NSS_PKT_MAX 4096

/* What one answer says. */
typedef enum {
	WOT_NSS_IGNORE = 0, /* not an answer to our question: keep waiting */
	WOT_NSS_FOUND,	    /* the overlay's name, with addresses */
	WOT_NSS_NODATA,	    /* the overlay's name, no address of that type */
	WOT_NSS_NOTFOUND,   /* not the overlay's: the next source answers */
} wot_nss_verdict;

typedef struct {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
} wot_nss_addr;

/* An answer read: the chain's names (names[0] the canonical name, the
 * end of the chain; the others the aliases, the question first). */
typedef struct {
	char names[WOT_NSS_MAX_NAMES][WOT_NSS_NAME_MAX];
	size_t nnames;
	wot_nss_addr addrs[WOT_NSS_MAX_ADDRS];
	size_t naddrs;
	int32_t ttl;
} wot_nss_result;

/*
 * Read the configuration at path into *addr and *len. A missing file gives
 * the default 127.0.0.1:53. Returns 0, or -1 when the file cannot be read
 * or holds anything but comments, blank lines and one `server ADDR:PORT`
 * (IPv4, or [IPv6]:PORT).
 */
int wot_nss_conf_read(const char *path, struct sockaddr_storage *addr,
		      socklen_t *len);

/* The largest question built (a name is at most 255 bytes). */
#define WOT_NSS_QUERY_MAX 512

/*
 * Build the question for name (presentation form, final dot optional) and
 * type (1 A, 28 AAAA) with this ID into out (WOT_NSS_QUERY_MAX bytes);
 * *len gets its size. rd 0: "is this the overlay's?"; rd 1: the normal
 * DNS's answer, through the daemon (the target of a CNAME that left the
 * overlay). Returns 0, or -1 for a name that is no host name.
 */
int wot_nss_query_build(const char *name, uint16_t type, uint16_t id, int rd,
			uint8_t *out, size_t *len);

/*
 * Read pkt (len bytes, hostile) as the answer to the question q (qlen
 * bytes, from wot_nss_query_build). On WOT_NSS_FOUND, res holds the
 * addresses (all of q's type) and the chain's names; on WOT_NSS_NODATA
 * the chain's names alone. An answer to an RD=0 question counts only with
 * AA (the overlay's own); to an RD=1 question, with or without. Any other
 * verdict leaves res empty.
 */
wot_nss_verdict wot_nss_answer_read(const uint8_t *q, size_t qlen,
				    const uint8_t *pkt, size_t len,
				    wot_nss_result *res);

/*
 * Lay res out in buf (buflen bytes) as glibc's struct hostent for af:
 * only res's addresses of that family. Returns NSS_STATUS_SUCCESS, or
 * NSS_STATUS_TRYAGAIN with *errnop ERANGE and *h_errnop NETDB_INTERNAL
 * when buf is too small (glibc grows it and asks again).
 */
enum nss_status wot_nss_fill_hostent(const wot_nss_result *res, int af,
				     struct hostent *h, char *buf,
				     size_t buflen, int *errnop, int *h_errnop);

/*
 * Lay res out in buf as a list of struct gaih_addrtuple (every address,
 * the canonical name on each). *pat: NULL, or a tuple of the caller's
 * that receives the first. Same returns as wot_nss_fill_hostent.
 */
enum nss_status wot_nss_fill_tuples(const wot_nss_result *res,
				    struct gaih_addrtuple **pat, char *buf,
				    size_t buflen, int *errnop, int *h_errnop);

/* One round of questions to the daemon. */
typedef struct {
	const struct sockaddr_storage *addr; /* the daemon */
	socklen_t alen;
	const char *name;
	const uint16_t *types; /* 1 or 2 types, asked at once */
	size_t ntypes;
	int rd;		/* as wot_nss_query_build's */
	int timeout_ms; /* for the whole round */
} wot_nss_question;

/*
 * Ask q's questions and wait for their answers (those that are not
 * WOT_NSS_IGNORE). verdicts[i] and res[i] get each answer; an unanswered
 * one stays WOT_NSS_IGNORE. Stops early once one says WOT_NSS_NOTFOUND.
 * Returns 0 when every question got an answer or one said NOTFOUND, else
 * a negative errno: -ECONNREFUSED (no daemon), -ETIMEDOUT, or the
 * socket's error.
 */
int wot_nss_ask(const wot_nss_question *q, wot_nss_verdict *verdicts,
		wot_nss_result *res);

#endif

/*
 * nss_wotdns.c - the entry points glibc looks up in libnss_wotdns.so.2
 * for the hosts database (`hosts: files wotdns dns` in nsswitch.conf).
 *
 * The module answers only the overlay's names: it asks the running daemon
 * with RD=0, and the daemon answers its own names with AA and REFUSES the
 * rest. Not the overlay's: NOTFOUND, the next source answers. A CNAME
 * chain that leaves the overlay is followed through the daemon. No daemon,
 * no answer within 250 ms, or a bad /etc/wotdns/nss.conf: UNAVAIL, at
 * once (glibc goes on to the next source as well).
 */
#include <errno.h>
#include <string.h>

#include "nss_int.h"

#define EXPORT __attribute__((visibility("default")))

EXPORT enum nss_status _nss_wotdns_gethostbyname4_r(const char *name,
						    struct gaih_addrtuple **pat,
						    char *buf, size_t buflen,
						    int *errnop, int *h_errnop,
						    int32_t *ttlp);
EXPORT enum nss_status
_nss_wotdns_gethostbyname3_r(const char *name, int af, struct hostent *h,
			     char *buf, size_t buflen, int *errnop,
			     int *h_errnop, int32_t *ttlp, char **canonp);
EXPORT enum nss_status _nss_wotdns_gethostbyname2_r(const char *name, int af,
						    struct hostent *h,
						    char *buf, size_t buflen,
						    int *errnop, int *h_errnop);
EXPORT enum nss_status _nss_wotdns_gethostbyname_r(const char *name,
						   struct hostent *h, char *buf,
						   size_t buflen, int *errnop,
						   int *h_errnop);

static enum nss_status status(enum nss_status st, int err, int herr,
			      int *errnop, int *h_errnop)
{
	*errnop = err;
	*h_errnop = herr;
	return st;
}

/* The overlay's chain (in res, canonical name first), then the normal
 * DNS's from its end (in out): out's canonical name, every other name an
 * alias, the overlay's first. */
static void join_chains(wot_nss_result *res, const wot_nss_result *out)
{
	wot_nss_result j = *out;

	j.nnames = 1;
	for (size_t k = 1; k < res->nnames && j.nnames < WOT_NSS_MAX_NAMES; k++)
		memcpy(j.names[j.nnames++], res->names[k], WOT_NSS_NAME_MAX);
	for (size_t k = 1; k < out->nnames && j.nnames < WOT_NSS_MAX_NAMES; k++)
		memcpy(j.names[j.nnames++], out->names[k], WOT_NSS_NAME_MAX);
	*res = j;
}

/*
 * A CNAME chain of the overlay that ends without an address left the
 * overlay (the daemon answers RD=0 authoritatively, without following
 * it): ask the daemon again, with RD, for the normal DNS's answer for the
 * chain's end, which the `dns` source could not find (it would ask for
 * the overlay's name).
 */
static void follow_out(wot_nss_question *q, wot_nss_verdict *v,
		       wot_nss_result *res)
{
	char target[WOT_NSS_NAME_MAX] = "";
	wot_nss_verdict v2[2] = {WOT_NSS_IGNORE, WOT_NSS_IGNORE};
	wot_nss_result r2[2];

	for (size_t i = 0; i < q->ntypes; i++)
		if (v[i] == WOT_NSS_NODATA && res[i].nnames > 1)
			memcpy(target, res[i].names[0], sizeof(target));
	if (!target[0])
		return;
	q->name = target;
	q->rd = 1;
	wot_nss_ask(q, v2, r2);
	for (size_t i = 0; i < q->ntypes; i++) {
		if (v[i] != WOT_NSS_NODATA || res[i].nnames < 2 ||
		    v2[i] != WOT_NSS_FOUND ||
		    strcmp(res[i].names[0], target) != 0)
			continue;
		join_chains(&res[i], &r2[i]);
		v[i] = WOT_NSS_FOUND;
	}
}

/* Ask for the types; on NSS_STATUS_SUCCESS res[0] holds every address. */
static enum nss_status lookup(const char *name, const uint16_t *types, size_t n,
			      wot_nss_result *res, int *errnop, int *h_errnop)
{
	wot_nss_verdict v[2] = {WOT_NSS_IGNORE, WOT_NSS_IGNORE};
	struct sockaddr_storage addr;
	wot_nss_question q = {.addr = &addr,
			      .name = name,
			      .types = types,
			      .ntypes = n,
			      .timeout_ms = WOT_NSS_TIMEOUT_MS};
	size_t found = 0;
	int rc;

	if (wot_nss_conf_read(WOT_NSS_CONF, &addr, &q.alen) < 0)
		return status(NSS_STATUS_UNAVAIL, EINVAL, NO_RECOVERY, errnop,
			      h_errnop);
	rc = wot_nss_ask(&q, v, res);
	for (size_t i = 0; i < n; i++)
		if (v[i] == WOT_NSS_NOTFOUND)
			return status(NSS_STATUS_NOTFOUND, ENOENT,
				      HOST_NOT_FOUND, errnop, h_errnop);
	if (rc == 0)
		follow_out(&q, v, res);
	for (size_t i = 0; i < n; i++)
		found += v[i] == WOT_NSS_FOUND;
	if (rc < 0 && !found)
		return status(NSS_STATUS_UNAVAIL, -rc, NO_RECOVERY, errnop,
			      h_errnop);
	if (!found)
		return status(NSS_STATUS_NOTFOUND, ENOENT, NO_DATA, errnop,
			      h_errnop);
	/* Both types: the AAAA answer's addresses join the A answer's. */
	if (n == 2 && v[0] != WOT_NSS_FOUND)
		memcpy(&res[0], &res[1], sizeof(res[0]));
	else if (n == 2 && v[1] == WOT_NSS_FOUND)
		for (size_t i = 0;
		     i < res[1].naddrs && res[0].naddrs < WOT_NSS_MAX_ADDRS;
		     i++)
			res[0].addrs[res[0].naddrs++] = res[1].addrs[i];
	return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_wotdns_gethostbyname4_r(const char *name,
					     struct gaih_addrtuple **pat,
					     char *buf, size_t buflen,
					     int *errnop, int *h_errnop,
					     int32_t *ttlp)
{
	static const uint16_t types[2] = {1, 28}; /* A, AAAA */
	wot_nss_result res[2];
	enum nss_status st;

	st = lookup(name, types, 2, res, errnop, h_errnop);
	if (st != NSS_STATUS_SUCCESS)
		return st;
	st = wot_nss_fill_tuples(&res[0], pat, buf, buflen, errnop, h_errnop);
	if (st == NSS_STATUS_SUCCESS && ttlp)
		*ttlp = res[0].ttl;
	return st;
}

enum nss_status _nss_wotdns_gethostbyname3_r(const char *name, int af,
					     struct hostent *h, char *buf,
					     size_t buflen, int *errnop,
					     int *h_errnop, int32_t *ttlp,
					     char **canonp)
{
	uint16_t type = af == AF_INET6 ? 28 : 1;
	wot_nss_result res[1];
	enum nss_status st;

	if (af != AF_INET && af != AF_INET6)
		return status(NSS_STATUS_UNAVAIL, EAFNOSUPPORT, NO_RECOVERY,
			      errnop, h_errnop);
	st = lookup(name, &type, 1, res, errnop, h_errnop);
	if (st != NSS_STATUS_SUCCESS)
		return st;
	st =
	    wot_nss_fill_hostent(&res[0], af, h, buf, buflen, errnop, h_errnop);
	if (st == NSS_STATUS_SUCCESS && ttlp)
		*ttlp = res[0].ttl;
	if (st == NSS_STATUS_SUCCESS && canonp)
		*canonp = h->h_name;
	return st;
}

enum nss_status _nss_wotdns_gethostbyname2_r(const char *name, int af,
					     struct hostent *h, char *buf,
					     size_t buflen, int *errnop,
					     int *h_errnop)
{
	return _nss_wotdns_gethostbyname3_r(name, af, h, buf, buflen, errnop,
					    h_errnop, NULL, NULL);
}

enum nss_status _nss_wotdns_gethostbyname_r(const char *name, struct hostent *h,
					    char *buf, size_t buflen,
					    int *errnop, int *h_errnop)
{
	return _nss_wotdns_gethostbyname3_r(name, AF_INET, h, buf, buflen,
					    errnop, h_errnop, NULL, NULL);
}

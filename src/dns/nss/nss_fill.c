/*
 * nss_fill.c - a result laid out in the caller's buffer, as glibc wants
 * it: every pointer in struct hostent and struct gaih_addrtuple points into
 * buf, each piece aligned for its type. Too small a buffer is ERANGE with
 * NSS_STATUS_TRYAGAIN: glibc then grows the buffer and asks again.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdalign.h>
#include <string.h>

#include "nss_int.h"

/* Pieces are cut from the front of the caller's buffer. */
typedef struct {
	char *p;
	size_t left;
} wbuf;

static void *take(wbuf *b, size_t n, size_t align)
{
	size_t pad = (align - (uintptr_t)b->p % align) % align;
	void *r;

	if (pad > b->left || n > b->left - pad)
		return NULL;
	r = b->p + pad;
	b->p += pad + n;
	b->left -= pad + n;
	return r;
}

static char *take_str(wbuf *b, const char *s)
{
	size_t n = strlen(s) + 1;
	char *r = take(b, n, 1);

	if (r)
		memcpy(r, s, n);
	return r;
}

static enum nss_status too_small(int *errnop, int *h_errnop)
{
	*errnop = ERANGE;
	*h_errnop = NETDB_INTERNAL;
	return NSS_STATUS_TRYAGAIN;
}

static size_t count_family(const wot_nss_result *res, int af)
{
	size_t n = 0;

	for (size_t i = 0; i < res->naddrs; i++)
		n += res->addrs[i].family == af;
	return n;
}

/* The canonical name and the aliases (NULL-terminated). */
static int fill_names(const wot_nss_result *res, wbuf *b, struct hostent *h)
{
	size_t nal = res->nnames ? res->nnames - 1 : 0;
	char **al = take(b, (nal + 1) * sizeof(char *), alignof(char *));

	if (!al || !res->nnames || !(h->h_name = take_str(b, res->names[0])))
		return -1;
	for (size_t i = 0; i < nal; i++)
		if (!(al[i] = take_str(b, res->names[i + 1])))
			return -1;
	al[nal] = NULL;
	h->h_aliases = al;
	return 0;
}

enum nss_status wot_nss_fill_hostent(const wot_nss_result *res, int af,
				     struct hostent *h, char *buf,
				     size_t buflen, int *errnop, int *h_errnop)
{
	size_t n = count_family(res, af), k = 0;
	size_t alen = af == AF_INET6 ? 16 : 4;
	wbuf b = {buf, buflen};
	char **list;
	char *addrs;

	if (n == 0) {
		*errnop = ENOENT;
		*h_errnop = NO_DATA;
		return NSS_STATUS_NOTFOUND;
	}
	list = take(&b, (n + 1) * sizeof(char *), alignof(char *));
	addrs = take(&b, n * alen, alignof(struct in6_addr));
	if (!list || !addrs || fill_names(res, &b, h) < 0)
		return too_small(errnop, h_errnop);
	for (size_t i = 0; i < res->naddrs; i++) {
		if (res->addrs[i].family != af)
			continue;
		memcpy(addrs + k * alen, res->addrs[i].addr, alen);
		list[k] = addrs + k * alen;
		k++;
	}
	list[n] = NULL;
	h->h_addrtype = af;
	h->h_length = (int)alen;
	h->h_addr_list = list;
	return NSS_STATUS_SUCCESS;
}

enum nss_status wot_nss_fill_tuples(const wot_nss_result *res,
				    struct gaih_addrtuple **pat, char *buf,
				    size_t buflen, int *errnop, int *h_errnop)
{
	wbuf b = {buf, buflen};
	struct gaih_addrtuple *t;
	char *name;

	if (res->naddrs == 0 || res->nnames == 0) {
		*errnop = ENOENT;
		*h_errnop = NO_DATA;
		return NSS_STATUS_NOTFOUND;
	}
	name = take_str(&b, res->names[0]);
	t = take(&b, res->naddrs * sizeof(*t), alignof(struct gaih_addrtuple));
	if (!name || !t)
		return too_small(errnop, h_errnop);
	memset(t, 0, res->naddrs * sizeof(*t));
	for (size_t i = 0; i < res->naddrs; i++) {
		t[i].next = i + 1 < res->naddrs ? &t[i + 1] : NULL;
		t[i].name = name;
		t[i].family = res->addrs[i].family;
		memcpy(t[i].addr, res->addrs[i].addr,
		       res->addrs[i].family == AF_INET6 ? 16 : 4);
	}
	/* A caller may hand in the first tuple (older glibc did). */
	if (*pat)
		**pat = t[0];
	else
		*pat = t;
	return NSS_STATUS_SUCCESS;
}

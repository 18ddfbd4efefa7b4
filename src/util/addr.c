/*
 * addr.c - the text form of a socket address: "IPv4[:PORT]",
 * "[IPv6][:PORT]" or a bare IPv6 literal. Pure (no I/O), so the config
 * parser can check an address when it reads the file, and the resolver
 * read it the same way later.
 */
#include "util/util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

enum { HOST_MAX = 64 };

static int parse_port(const char *s, unsigned *port)
{
	unsigned long v = 0;

	if (!*s || strlen(s) > 5)
		return -1;
	for (const char *p = s; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v > 65535)
		return -1;
	*port = (unsigned)v;
	return 0;
}

/* Split spec into host and port text; v6 tells whether host is IPv6. */
static int split_spec(const char *spec, char *host, const char **port, int *v6)
{
	const char *colon = strchr(spec, ':'), *end;
	size_t hlen;

	*port = NULL;
	*v6 = 0;
	if (spec[0] == '[') {
		end = strchr(spec, ']');
		if (!end || (end[1] && end[1] != ':'))
			return -1;
		*port = end[1] ? end + 2 : NULL;
		spec++;
		*v6 = 1;
	} else if (colon && strchr(colon + 1, ':')) {
		end = spec + strlen(spec); /* bare IPv6, no port */
		*v6 = 1;
	} else {
		end = colon ? colon : spec + strlen(spec);
		*port = colon ? colon + 1 : NULL;
	}
	hlen = (size_t)(end - spec);
	if (hlen == 0 || hlen >= HOST_MAX)
		return -1;
	memcpy(host, spec, hlen);
	host[hlen] = '\0';
	return 0;
}

/* host as a numeric address of the family (getaddrinfo with
 * AI_NUMERICHOST never asks the network; it takes IPv6 scope ids). */
static int numeric(const char *host, int family, unsigned port,
		   struct sockaddr_storage *out)
{
	struct addrinfo hints, *ai = NULL;
	struct in_addr a4;
	int ok;

	/* getaddrinfo takes inet_aton's forms ("1.2.3" is 1.2.0.3): an
	 * IPv4 address is the dotted quad only */
	if (family == AF_INET && inet_pton(AF_INET, host, &a4) != 1)
		return -1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_flags = AI_NUMERICHOST;
	if (getaddrinfo(host, NULL, &hints, &ai) != 0 || !ai)
		return -1;
	ok = ai->ai_addrlen <= sizeof(*out);
	if (ok) {
		memcpy(out, ai->ai_addr, ai->ai_addrlen);
		if (family == AF_INET6)
			((struct sockaddr_in6 *)out)->sin6_port =
			    htons((uint16_t)port);
		else
			((struct sockaddr_in *)out)->sin_port =
			    htons((uint16_t)port);
	}
	freeaddrinfo(ai);
	return ok ? 0 : -1;
}

int wot_addr_parse(const char *spec, unsigned default_port,
		   struct sockaddr_storage *out)
{
	char host[HOST_MAX];
	const char *port_s = NULL;
	unsigned port = default_port;
	int v6;

	if (!spec || !out)
		return wot_error_set(WOT_EINVAL, "no address");
	memset(out, 0, sizeof(*out));
	if (split_spec(spec, host, &port_s, &v6) < 0)
		return wot_error_set(WOT_EINVAL, "bad address '%s'", spec);
	if ((port_s && parse_port(port_s, &port) < 0) || port > 65535)
		return wot_error_set(WOT_EINVAL, "bad port in '%s'", spec);
	if (numeric(host, v6 ? AF_INET6 : AF_INET, port, out) == 0)
		return 0;
	memset(out, 0, sizeof(*out));
	return wot_error_set(WOT_EINVAL,
			     "bad address '%s': not an IP%s address literal",
			     spec, v6 ? "v6" : "v4");
}

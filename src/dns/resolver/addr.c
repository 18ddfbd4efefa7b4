/*
 * addr.c - socket address parsing and formatting, and the upstream list
 * taken from resolv.conf.
 */
#include "dns/resolver/resolver_int.h"
#include "dns/resolver/server_int.h"
#include "util/util.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

enum { HOST_MAX = 64, RESOLVCONF_MAX = 1 << 20 };

int wot_dns_parse_addr(const char *spec, unsigned default_port,
		       struct sockaddr_storage *out)
{
	/* one grammar for the config check and the sockets (util/addr.c) */
	return wot_addr_parse(spec, default_port, out);
}

int wot_dns_format_addr(const struct sockaddr_storage *sa, char *buf,
			size_t len)
{
	char host[HOST_MAX];
	int rc, n;

	if (sa->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		rc = uv_ip4_name(in, host, sizeof(host));
		n = rc ? 0
		       : snprintf(buf, len, "%s:%u", host, ntohs(in->sin_port));
	} else if (sa->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 =
		    (const struct sockaddr_in6 *)sa;
		rc = uv_ip6_name(in6, host, sizeof(host));
		n = rc ? 0
		       : snprintf(buf, len, "[%s]:%u", host,
				  ntohs(in6->sin6_port));
	} else {
		return wot_error_set(WOT_EINVAL, "unknown address family");
	}
	if (rc != 0)
		return wot_error_set(WOT_EINVAL, "cannot format address: %s",
				     uv_strerror(rc));
	if (n < 0 || (size_t)n >= len)
		return wot_error_set(WOT_ELIMIT, "address buffer too small");
	return 0;
}

int wot_dns_addr_is_loopback(const struct sockaddr_storage *sa)
{
	if (sa->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 =
		    (const struct sockaddr_in6 *)sa;
		const uint8_t *a = in6->sin6_addr.s6_addr;
		static const uint8_t mapped[12] = {0, 0, 0, 0, 0,    0,
						   0, 0, 0, 0, 0xff, 0xff};
		if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
			return 1;
		return memcmp(a, mapped, 12) == 0 && a[12] == 127;
	}
	return 0;
}

int wot_dns_addr_equal(const struct sockaddr_storage *a,
		       const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const struct sockaddr_in *)a;
		const struct sockaddr_in *y = (const struct sockaddr_in *)b;
		return x->sin_port == y->sin_port &&
		       x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)a;
		const struct sockaddr_in6 *y = (const struct sockaddr_in6 *)b;
		return x->sin6_port == y->sin6_port &&
		       memcmp(&x->sin6_addr, &y->sin6_addr, 16) == 0;
	}
	return 0;
}

void wot_dns_strv_free(char **v)
{
	wot_strv_free(v);
}

/* The address of a "nameserver ADDR" line, NULL if the line is another. */
static char *nameserver_token(char *line)
{
	char *tok, *save = NULL;

	tok = strtok_r(line, " \t\r", &save);
	if (!tok || strcmp(tok, "nameserver") != 0)
		return NULL;
	tok = strtok_r(NULL, " \t\r#;", &save);
	/* Scoped link-local servers cannot be written as ADDR:PORT. */
	if (!tok || strchr(tok, '%'))
		return NULL;
	return tok;
}

static int excluded(const struct sockaddr_storage *sa,
		    const struct sockaddr_storage *exclude, size_t nexclude)
{
	for (size_t i = 0; i < nexclude; i++)
		if (wot_dns_addr_equal(sa, &exclude[i]))
			return 1;
	return 0;
}

int wot_dns_resolvconf_upstreams(const char *path,
				 const struct sockaddr_storage *exclude,
				 size_t nexclude, char ***out)
{
	char *text = NULL, *line, *save = NULL, *tok;
	char addr[HOST_MAX + 16], real[PATH_MAX];
	struct sockaddr_storage sa;
	char **v = NULL;
	int rc;

	*out = NULL;
	/* A system file, commonly a symlink (systemd-resolved, resolvconf):
	 * resolve it, then read the target without following further. */
	if (!realpath(path, real))
		snprintf(real, sizeof(real), "%s", path);
	rc = wot_file_read(real, RESOLVCONF_MAX, &text, NULL);
	if (rc < 0)
		goto out;
	v = calloc(1, sizeof(*v));
	if (!v) {
		rc = wot_error_set(WOT_ENOMEM, "out of memory");
		goto out;
	}
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		tok = nameserver_token(line);
		if (!tok || wot_dns_parse_addr(tok, 53, &sa) < 0 ||
		    excluded(&sa, exclude, nexclude))
			continue;
		rc = wot_dns_format_addr(&sa, addr, sizeof(addr));
		if (rc < 0 || (rc = wot_strv_push(&v, addr)) < 0)
			goto out;
	}
	wot_error_clear();
	*out = v;
	v = NULL;
out:
	wot_dns_strv_free(v);
	free(text);
	return rc;
}

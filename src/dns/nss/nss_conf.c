/*
 * nss_conf.c - /etc/wotdns/nss.conf: where the daemon listens.
 *
 *   # written by wotdns desktop setup --nss
 *   server 127.0.0.1:5380
 *
 * Read whole (a small bounded file) and strictly: anything else makes the
 * module UNAVAIL rather than ask a server nobody meant.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nss_int.h"

#define CONF_MAX 4096

static int parse_port(const char *s, uint16_t *port)
{
	unsigned long v = 0;

	if (!*s || strlen(s) > 5)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (v == 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* "1.2.3.4:53" or "[::1]:53". */
static int parse_server(char *s, struct sockaddr_storage *addr, socklen_t *len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)addr;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)addr;
	char *colon, *host = s;
	uint16_t port;

	memset(addr, 0, sizeof(*addr));
	if (*s == '[') {
		char *end = strchr(s, ']');
		if (!end || end[1] != ':' || parse_port(end + 2, &port) < 0)
			return -1;
		*end = '\0';
		if (inet_pton(AF_INET6, s + 1, &in6->sin6_addr) != 1)
			return -1;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		*len = sizeof(*in6);
		return 0;
	}
	if (!(colon = strrchr(s, ':')) || parse_port(colon + 1, &port) < 0)
		return -1;
	*colon = '\0';
	if (inet_pton(AF_INET, host, &in4->sin_addr) != 1)
		return -1;
	in4->sin_family = AF_INET;
	in4->sin_port = htons(port);
	*len = sizeof(*in4);
	return 0;
}

static void set_default(struct sockaddr_storage *addr, socklen_t *len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)addr;

	memset(addr, 0, sizeof(*addr));
	in4->sin_family = AF_INET;
	in4->sin_port = htons(53);
	in4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	*len = sizeof(*in4);
}

/* One line, NUL-terminated, without its newline. */
static int parse_line(char *line, int *seen, struct sockaddr_storage *addr,
		      socklen_t *len)
{
	char *key, *val, *extra, *save = NULL;

	if (strchr(line, '#'))
		*strchr(line, '#') = '\0';
	if (!(key = strtok_r(line, " \t\r", &save)))
		return 0; /* blank */
	val = strtok_r(NULL, " \t\r", &save);
	extra = strtok_r(NULL, " \t\r", &save);
	if (strcmp(key, "server") != 0 || !val || extra || *seen)
		return -1;
	*seen = 1;
	return parse_server(val, addr, len);
}

static int read_all(const char *path, char *buf, size_t cap, size_t *n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	ssize_t r = 0;

	*n = 0;
	if (fd < 0)
		return errno == ENOENT ? 1 : -1;
	while (*n < cap) {
		r = read(fd, buf + *n, cap - *n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		*n += (size_t)r;
	}
	close(fd);
	return r < 0 || *n >= cap ? -1 : 0; /* too large: not ours */
}

int wot_nss_conf_read(const char *path, struct sockaddr_storage *addr,
		      socklen_t *len)
{
	char buf[CONF_MAX], *line, *nl;
	int seen = 0, rc;
	size_t n;

	set_default(addr, len);
	rc = read_all(path, buf, sizeof(buf) - 1, &n);
	if (rc != 0)
		return rc > 0 ? 0 : -1;
	buf[n] = '\0';
	if (memchr(buf, '\0', n))
		return -1;
	for (line = buf; line && *line; line = nl) {
		if ((nl = strchr(line, '\n')))
			*nl++ = '\0';
		if (parse_line(line, &seen, addr, len) < 0) {
			set_default(addr, len);
			return -1;
		}
	}
	return 0;
}

/*
 * bind.c - the TCP and UDP sockets of one listening address, bound to the
 * same port (the listener, listen.c).
 */
#include "dns/net/listen_int.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum { BIND_TRIES = 8 };

static unsigned addr_port(const struct sockaddr_storage *sa)
{
	if (sa->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return ntohs(((const struct sockaddr_in *)sa)->sin_port);
}

static int bind_socket(int type, const struct sockaddr_storage *sa,
		       unsigned flags, int *fd)
{
	socklen_t slen = sa->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
						   : sizeof(struct sockaddr_in);
	int one = 1, rcvbuf = WOT_NET_RCVBUF, err;

	*fd = socket(sa->ss_family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (*fd < 0)
		return -errno;
	if (type == SOCK_STREAM)
		setsockopt(*fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* A burst of queries waits in the kernel while we answer: room for
	 * thousands, not the default couple of hundred. Best effort: FORCE
	 * works for root, the plain one up to net.core.rmem_max. */
	if (type == SOCK_DGRAM && (flags & WOT_NET_BIGRCVBUF) &&
	    setsockopt(*fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)) < 0)
		setsockopt(*fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	/* One socket per listener thread; the kernel spreads the load. */
	if ((flags & WOT_NET_REUSEPORT) &&
	    setsockopt(*fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0) {
		err = errno;
		close(*fd);
		*fd = -1;
		return -err;
	}
	if (sa->ss_family == AF_INET6)
		setsockopt(*fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(*fd, (const struct sockaddr *)sa, slen) == 0)
		return 0;
	err = errno;
	close(*fd);
	*fd = -1;
	return -err;
}

int wot_net_bind_pair(const struct sockaddr_storage *want, unsigned flags,
		      struct sockaddr_storage *bound, int *tfd, int *ufd)
{
	socklen_t slen = sizeof(*bound);
	int err = 0;

	for (int i = 0; i < BIND_TRIES; i++) {
		if ((err = bind_socket(SOCK_STREAM, want, flags, tfd)) < 0)
			break;
		if (getsockname(*tfd, (struct sockaddr *)bound, &slen) < 0) {
			err = -errno;
			break;
		}
		if ((err = bind_socket(SOCK_DGRAM, bound, flags, ufd)) == 0)
			return 0;
		close(*tfd);
		*tfd = -1;
		if (err != -EADDRINUSE || addr_port(want) != 0)
			break;
	}
	if (*tfd >= 0)
		close(*tfd);
	*tfd = -1;
	return wot_error_set(WOT_ENET, "bind: %s", strerror(-err));
}

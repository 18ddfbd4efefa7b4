/*
 * desktop_link.c - wotdns's own network link, wotdns0.
 *
 * systemd-resolved routes domains per link, as split-DNS VPNs use it, but
 * it ignores the loopback link, and a link gets a unicast DNS scope only
 * while it is "relevant": IFF_UP and IFF_LOWER_UP (carrier), not
 * loopback, and at least one address of global scope (a link-local fe80::
 * address is not enough). So wotdns0 is a dummy link, or where the kernel
 * has no dummy module a veth pair wotdns0/wotdns0p with both ends up (a
 * veth has carrier only while its peer is up), holding one unique-local
 * IPv6 /128 (no prefix route, no duplicate address detection), or where
 * IPv6 is disabled the IPv4 dummy address 192.0.0.8/32 (RFC 7600): it
 * routes nothing anywhere; the DNS server resolved sends to is
 * 127.0.0.1:PORT.
 *
 * The link is made with iproute2's `ip`, run without a shell.
 */
#include "dns/desktop/desktop_int.h"
#include "util/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Runs argv (argv[0] looked up in PATH), stderr kept for the error. */
static int run(const char *const argv[])
{
	posix_spawn_file_actions_t fa;
	char err[512] = "";
	int fds[2], status = 0, rc;
	pid_t pid;
	ssize_t n;
	size_t got = 0;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return wot_error_set(WOT_EIO, "pipe: %s", strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv,
			  environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	while (rc == 0 && got + 1 < sizeof(err) &&
	       (n = read(fds[0], err + got, sizeof(err) - 1 - got)) > 0)
		got += (size_t)n;
	err[got] = '\0';
	close(fds[0]);
	if (rc != 0)
		return wot_error_set(WOT_EIO, "%s: %s", argv[0], strerror(rc));
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	err[strcspn(err, "\n")] = '\0';
	return wot_error_set(WOT_EIO, "%s %s %s: %s", argv[0], argv[1],
			     argv[2] ? argv[2] : "", err[0] ? err : "failed");
}

int wot_desktop_link_index(const char *name)
{
	return (int)if_nametoindex(name);
}

/* 1 if the link is up (administratively). */
static int link_up(const char *name)
{
	struct ifreq ifr = {0};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), up;

	if (fd < 0)
		return 0;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	up = ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP);
	close(fd);
	return up;
}

/* 1 if ifa is one of the addresses wotdns0 gets. */
static int ours(const struct ifaddrs *ifa)
{
	struct in6_addr v6;
	struct in_addr v4;
	const struct sockaddr *sa = ifa->ifa_addr;

	inet_pton(AF_INET6, WOT_DESKTOP_LINK_ADDR, &v6);
	inet_pton(AF_INET, WOT_DESKTOP_LINK_ADDR4, &v4);
	if (sa && sa->sa_family == AF_INET6)
		return !memcmp(&((const struct sockaddr_in6 *)sa)->sin6_addr,
			       &v6, sizeof(v6));
	return sa && sa->sa_family == AF_INET &&
	       ((const struct sockaddr_in *)sa)->sin_addr.s_addr == v4.s_addr;
}

/* 1 if the link holds one of its addresses. */
static int has_addr(const char *name)
{
	struct ifaddrs *ifa = NULL;
	int found = 0;

	if (getifaddrs(&ifa) < 0)
		return 0;
	for (struct ifaddrs *i = ifa; i && !found; i = i->ifa_next)
		found = !strcmp(i->ifa_name, name) && ours(i);
	freeifaddrs(ifa);
	return found;
}

/* The IPv6 address, else (IPv6 disabled) the IPv4 one. */
static int add_addr(void)
{
	const char *const v6[] = {"ip",
				  "-6",
				  "addr",
				  "add",
				  WOT_DESKTOP_LINK_ADDR "/128",
				  "dev",
				  WOT_DESKTOP_LINK,
				  "nodad",
				  "noprefixroute",
				  NULL};
	const char *const v4[] = {"ip",
				  "-4",
				  "addr",
				  "add",
				  WOT_DESKTOP_LINK_ADDR4 "/32",
				  "dev",
				  WOT_DESKTOP_LINK,
				  "noprefixroute",
				  NULL};

	if (run(v6) == 0)
		return 0;
	wot_error_clear();
	return run(v4);
}

static int create(FILE *plan)
{
	const char *const dummy[] = {"ip",   "link",  "add", WOT_DESKTOP_LINK,
				     "type", "dummy", NULL};
	const char *const veth[] = {
	    "ip",   "link", "add",  WOT_DESKTOP_LINK, "type",
	    "veth", "peer", "name", WOT_DESKTOP_PEER, NULL};

	if (plan) {
		fprintf(plan, "create link %s (dummy, else veth pair %s/%s)\n",
			WOT_DESKTOP_LINK, WOT_DESKTOP_LINK, WOT_DESKTOP_PEER);
		return 0;
	}
	if (run(dummy) == 0)
		return 0;
	/* No dummy module (a kernel built without it): a veth pair does. */
	wot_error_clear();
	return run(veth);
}

static int bring_up(const char *name, FILE *plan)
{
	const char *const argv[] = {"ip", "link", "set", name, "up", NULL};

	if (link_up(name))
		return 0;
	if (plan) {
		fprintf(plan, "bring link %s up\n", name);
		return 0;
	}
	return run(argv);
}

int wot_desktop_link_ensure(FILE *plan, bool *created)
{
	int rc = 0, fresh = !wot_desktop_link_index(WOT_DESKTOP_LINK);

	*created = fresh;
	if (fresh && (rc = create(plan)) < 0)
		return rc;
	if (fresh && plan) {
		fprintf(plan, "bring link %s up, add address %s/128\n",
			WOT_DESKTOP_LINK, WOT_DESKTOP_LINK_ADDR);
		return 0;
	}
	if ((rc = bring_up(WOT_DESKTOP_LINK, plan)) < 0)
		return rc;
	if (wot_desktop_link_index(WOT_DESKTOP_PEER) &&
	    (rc = bring_up(WOT_DESKTOP_PEER, plan)) < 0)
		return rc;
	if (has_addr(WOT_DESKTOP_LINK))
		return 0;
	if (plan) {
		fprintf(plan, "add address %s/128 to %s\n",
			WOT_DESKTOP_LINK_ADDR, WOT_DESKTOP_LINK);
		return 0;
	}
	return add_addr();
}

int wot_desktop_link_remove(FILE *plan)
{
	const char *const argv[] = {"ip", "link", "del", WOT_DESKTOP_LINK,
				    NULL};

	if (!wot_desktop_link_index(WOT_DESKTOP_LINK))
		return 0;
	if (plan) {
		fprintf(plan, "delete link %s (resolved forgets its routes)\n",
			WOT_DESKTOP_LINK);
		return 0;
	}
	return run(argv);
}

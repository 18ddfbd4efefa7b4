/* desktop_sys.c - what the desktop wiring asks of the system: the user,
 * systemd, a DNS question, getaddrinfo(). */
#include "dns/desktop/desktop_wire.h"
#include "util/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

bool wd_systemd_running(void)
{
	struct stat st;

	return lstat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode);
}

int wd_run(const char *const argv[], FILE *out)
{
	pid_t pid;
	int status;

	fflush(out);
	if ((pid = fork()) < 0)
		return wot_error_set(WOT_EIO, "fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(fileno(out), STDOUT_FILENO);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return wot_error_set(WOT_EIO, "waitpid: %s",
					     strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return wot_error_set(WOT_EIO, "%s %s failed", argv[0], argv[1]);
	return 0;
}

void wd_user_clear(struct wd_user *u)
{
	free(u->name);
	free(u->home);
	free(u->config);
	memset(u, 0, sizeof(*u));
}

int wd_user_lookup(const char *name, struct wd_user *u)
{
	struct passwd *pw;
	struct stat st;

	memset(u, 0, sizeof(*u));
	if (!name || !*name)
		return wot_error_set(WOT_EINVAL,
				     "name the desktop user whose wotdns home "
				     "is the trust root: --user USER (or run "
				     "it through sudo)");
	if (!(pw = getpwnam(name)))
		return wot_error_set(WOT_ENOENT, "no such user: %s", name);
	u->name = strdup(name);
	u->home = wot_strdup_printf("%s/.local/share/wotdns", pw->pw_dir);
	u->config = u->home ? wot_path_join(u->home, "config") : NULL;
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	if (!u->name || !u->home || !u->config) {
		wd_user_clear(u);
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	if (lstat(u->config, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != u->uid) {
		int rc = wot_error_set(WOT_ENOENT,
				       "%s has no wotdns home (%s): run "
				       "'wotdns init' as %s first",
				       name, u->home, name);
		wd_user_clear(u);
		return rc;
	}
	return 0;
}

/* A question for name/A with a random ID, in wire form. */
static size_t build_query(const char *name, unsigned char *q, size_t cap,
			  unsigned id)
{
	size_t n = 12;

	memset(q, 0, 12);
	q[0] = (unsigned char)(id >> 8);
	q[1] = (unsigned char)id;
	q[2] = 0x01; /* RD */
	q[5] = 1;    /* QDCOUNT */
	while (*name && n + 70 < cap) {
		size_t l = strcspn(name, ".");
		if (l == 0 || l > 63)
			return 0;
		q[n++] = (unsigned char)l;
		memcpy(q + n, name, l);
		n += l;
		name += l;
		if (*name == '.')
			name++;
	}
	q[n++] = 0;
	q[n++] = 0;
	q[n++] = 1; /* A */
	q[n++] = 0;
	q[n++] = 1; /* IN */
	return n;
}

int wd_dns_ask(const char *server, const char *name, unsigned timeout_ms,
	       int *rcode)
{
	struct sockaddr_storage ss;
	unsigned char q[300], r[1500];
	unsigned id = (unsigned)(wot_now_ms() ^ (unsigned)getpid()) & 0xffff;
	size_t qlen = build_query(name, q, sizeof(q), id);
	uint64_t end = wot_now_ms() + timeout_ms;
	int fd, rc;

	if ((rc = wot_addr_parse(server, 53, &ss)) < 0)
		return rc;
	if (!qlen)
		return wot_error_set(WOT_EINVAL, "bad name: %s", name);
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    sendto(fd, q, qlen, 0, (struct sockaddr *)&ss,
		   ss.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
					    : sizeof(struct sockaddr_in)) < 0) {
		rc = wot_error_set(WOT_ENET, "%s: %s", server, strerror(errno));
		goto out;
	}
	rc = wot_error_set(WOT_ENET, "%s: no answer within %u ms", server,
			   timeout_ms);
	for (uint64_t now; (now = wot_now_ms()) < end;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n;
		if (poll(&p, 1, (int)(end - now)) <= 0)
			continue;
		n = recv(fd, r, sizeof(r), 0);
		if (n < 0) {
			rc = wot_error_set(WOT_ENET, "%s: %s", server,
					   strerror(errno));
			break;
		}
		if (n >= 12 && ((unsigned)r[0] << 8 | r[1]) == id &&
		    (r[2] & 0x80)) {
			*rcode = r[3] & 0x0f;
			rc = 0;
			break;
		}
	}
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

int wd_gai(const char *name, char *addr, size_t cap)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
	int e = getaddrinfo(name, NULL, &hints, &res);

	if (e != 0)
		return wot_error_set(WOT_ENOENT, "%s: %s", name,
				     e == EAI_SYSTEM ? strerror(errno)
						     : gai_strerror(e));
	if (getnameinfo(res->ai_addr, res->ai_addrlen, addr, (socklen_t)cap,
			NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(addr, cap, "?");
	freeaddrinfo(res);
	return 0;
}

/* The owner of the first A or AAAA record in one shard's master file. */
static char *first_address_owner(const char *text)
{
	const char *p = text;

	while (*p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char line[512], owner[256], w[4][64];
		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		p = e ? e + 1 : p + n;
		if (sscanf(line, "%255s %63s %63s %63s", owner, w[0], w[1],
			   w[2]) < 4)
			continue;
		for (int i = 0; i < 3; i++)
			if (!strcmp(w[i], "A") || !strcmp(w[i], "AAAA")) {
				size_t l = strlen(owner);
				if (l > 1 && owner[l - 1] == '.')
					owner[l - 1] = '\0';
				return strdup(owner);
			}
	}
	return NULL;
}

char *wd_pick_overlay_name(const char *home)
{
	char *mf = wot_strdup_printf("%s/state/accepted/manifest", home);
	char *text = NULL, *save = NULL, *name = NULL;
	size_t len;

	if (!mf || wot_file_read(mf, WD_MAX_FILE, &text, &len) < 0) {
		free(mf);
		return NULL;
	}
	for (char *l = strtok_r(text, "\n", &save); l && !name;
	     l = strtok_r(NULL, "\n", &save)) {
		char a[64], b[64], *zone, *z = NULL;
		size_t zl;
		if (sscanf(l, "shard %63s %63s", a, b) != 2)
			continue;
		zone = wot_strdup_printf("%s/state/accepted/%s-%s.zone", home,
					 a, b);
		if (zone && wot_file_read(zone, WD_MAX_FILE, &z, &zl) == 0)
			name = first_address_owner(z);
		free(z);
		free(zone);
	}
	free(text);
	free(mf);
	return name;
}

/* srv.c - the live resolver of srv.h. */
#include "srv.h"
#include "dns/resolver/resolver.h"
#include "dns/peer/notify.h"
#include "dns/peer/opinion.h"
#include "fuzz.h"
#include "table.h"

#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static uv_loop_t loop;
static wot_dns_server *server;
static fuzz_srv srv;
static wot_dns_peer_listener *peer;

static void on_notify(void *data, const char *fpr)
{
	(void)data;
	(void)fpr;
}

static size_t on_question(void *data, const uint8_t *pkt, size_t len,
			  uint8_t *out, size_t cap)
{
	(void)data;
	return wot_opinion_answer(NULL, pkt, len, out, cap);
}

static void parse_bound(const char *text, struct sockaddr_in *out)
{
	struct sockaddr_storage ss;

	FUZZ_CHECK(wot_dns_parse_addr(text, 53, &ss) == 0);
	memcpy(out, &ss, sizeof(*out));
}

/* Binds the fake upstream's UDP socket and a TCP listener on one port.
 * The kernel picks the UDP port; another test may already hold it for TCP,
 * so a collision takes a fresh port rather than failing the run. */
static void bind_upstream(struct sockaddr_in *up)
{
	for (int tries = 0; tries < 64; tries++) {
		socklen_t len = sizeof(*up);

		memset(up, 0, sizeof(*up));
		up->sin_family = AF_INET;
		up->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		srv.upfd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
		FUZZ_CHECK(srv.upfd >= 0 &&
			   bind(srv.upfd, (struct sockaddr *)up, len) == 0 &&
			   getsockname(srv.upfd, (struct sockaddr *)up, &len) ==
			       0);
		srv.uptcp = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		FUZZ_CHECK(srv.uptcp >= 0);
		if (bind(srv.uptcp, (struct sockaddr *)up, sizeof(*up)) == 0 &&
		    listen(srv.uptcp, 16) == 0)
			return;
		close(srv.uptcp);
		close(srv.upfd);
	}
	FUZZ_CHECK(!"no port free for both UDP and TCP");
}

static void start(void)
{
	const char *addrs[] = {"127.0.0.1:0"};
	wot_dns_server_opts o = WOT_DNS_SERVER_OPTS_INIT;
	struct sockaddr_in up;
	char upstr[64], bound[64];
	const char *ups[1] = {upstr};
	wot_dns_table *t = (wot_dns_table *)fuzz_table();

	bind_upstream(&up);
	srv.upaddr = up;
	snprintf(upstr, sizeof(upstr), "127.0.0.1:%u", ntohs(up.sin_port));
	o.listen = addrs;
	o.nlisten = 1;
	o.upstream = ups;
	o.nupstream = 1;
	/* a reply that never comes (ignored as unmatched) costs this */
	o.upstream_timeout_ms = 100;
	o.cache_bytes = 0; /* every query reaches the upstream */
	FUZZ_CHECK(uv_loop_init(&loop) == 0);
	FUZZ_CHECK(wot_dns_server_new(&server, &loop, &o) == 0);
	FUZZ_CHECK(wot_dns_server_start(server) == 0);
	wot_dns_table_ref(t); /* the server takes one reference */
	wot_dns_server_set_table(server, t);
	FUZZ_CHECK(wot_dns_server_bound(server, 0, bound, sizeof(bound)) == 0);
	parse_bound(bound, &srv.addr);
	FUZZ_CHECK(wot_dns_peer_listener_start(&peer, &loop, addrs, 1, 0,
					       on_notify, NULL) == 0);
	wot_dns_peer_listener_on_query(peer, on_question, NULL);
	FUZZ_CHECK(wot_dns_peer_listener_bound(peer, 0, bound, sizeof(bound)) ==
		   0);
	parse_bound(bound, &srv.peer);
}

const fuzz_srv *fuzz_srv_get(void)
{
	if (!server) {
		fuzz_setup();
		start();
	}
	return &srv;
}

int fuzz_srv_wait(const int *fds, int n, int timeout_ms)
{
	uint64_t end = uv_hrtime() + (uint64_t)timeout_ms * 1000000u;
	struct pollfd p[5];

	FUZZ_CHECK(n >= 0 && n <= 4);
	for (;;) {
		uint64_t now = uv_hrtime();
		int wait = now >= end ? 0 : (int)((end - now) / 1000000u) + 1;
		int next = uv_backend_timeout(&loop);

		if (next >= 0 && next < wait)
			wait = next;
		p[0] = (struct pollfd){.fd = uv_backend_fd(&loop),
				       .events = POLLIN};
		for (int i = 0; i < n; i++)
			p[1 + i] =
			    (struct pollfd){.fd = fds[i], .events = POLLIN};
		poll(p, (nfds_t)n + 1, wait);
		uv_run(&loop, UV_RUN_NOWAIT);
		for (int i = 0; i < n; i++) {
			p[1 + i].revents = 0;
			if (poll(&p[1 + i], 1, 0) > 0 &&
			    (p[1 + i].revents & (POLLIN | POLLHUP | POLLERR)))
				return i;
		}
		if (uv_hrtime() >= end)
			return -1;
	}
}

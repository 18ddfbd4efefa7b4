/*
 * srv.h - a real resolver (wot_dns_server on its own libuv loop, answering
 * from the table of table.h) on a loopback port, for the harnesses that
 * feed it bytes over real sockets: TCP streams (fuzz_tcp.c) and upstream
 * replies (fuzz_upstream.c); and a peer listener (NOTIFY and opinion
 * questions, answered from an empty book) on the same loop. The harness drives
 * the loop itself, so the whole exchange runs on one thread.
 */
#ifndef WOT_FUZZ_SRV_H
#define WOT_FUZZ_SRV_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
	struct sockaddr_in addr;   /* the server's UDP and TCP port */
	struct sockaddr_in peer;   /* the peer listener's (notify.h) */
	int upfd;		   /* the fake upstream's UDP socket */
	int uptcp;		   /* and its TCP listener, same port */
	struct sockaddr_in upaddr; /* its address (the server's upstream) */
} fuzz_srv;

/* The server (started on first use; borrowed). Aborts on failure. */
const fuzz_srv *fuzz_srv_get(void);

/*
 * Run the server's loop until one of the n fds is readable or timeout_ms
 * has passed. Returns the index of a readable fd, else -1.
 */
int fuzz_srv_wait(const int *fds, int n, int timeout_ms);

#endif

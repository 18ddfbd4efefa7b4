/*
 * server_close.h - what the resolver's unit tests do at the end: close
 * the server, run its loop until the close callback came, and check that
 * it left no handle behind (the loop closes cleanly).
 */
#ifndef WOT_TEST_SERVER_CLOSE_H
#define WOT_TEST_SERVER_CLOSE_H

#include "dns/resolver/resolver.h"

#include <uv.h>

static inline void server_close_counted(void *data)
{
	(*(int *)data)++;
}

/* Closes s on loop (called once per test; asserts through cmocka). */
static inline void server_close_drain(wot_dns_server *s, uv_loop_t *loop)
{
	int closed = 0;

	wot_dns_server_close(s, server_close_counted, &closed);
	for (int i = 0; i < 1000 && !closed; i++)
		uv_run(loop, UV_RUN_NOWAIT);
	assert_int_equal(closed, 1);
	assert_int_equal(uv_run(loop, UV_RUN_NOWAIT), 0);
	assert_int_equal(uv_loop_close(loop), 0);
}

#endif

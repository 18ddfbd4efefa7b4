/*
 * clock.c - the injected clock (util.h): timing code reads the time
 * through a wot_clock so that unit tables can drive it on a fake one.
 */
#include "util/util.h"

uint64_t wot_clock_now(const wot_clock *c)
{
	if (!c || !c->now_ms)
		return wot_now_ms();
	return c->now_ms(c->ctx);
}

/*
 * closer.c - the close of an object that owns libuv handles (util.h):
 * one place for the "closing once, last reference frees, then the
 * caller's callback" steps every such object takes.
 */
#include "util/util.h"

#include <string.h>

int wot_closer_begin(wot_closer *c, void (*cb)(void *data), void *data)
{
	if (!c || c->closing)
		return 0;
	c->closing = 1;
	c->cb = cb;
	c->data = data;
	return 1;
}

int wot_closer_done(const wot_closer *c, wot_closer *saved)
{
	if (!c->closing || c->live > 0)
		return 0;
	*saved = *c;
	return 1;
}

int wot_closer_release(wot_closer *c, wot_closer *saved)
{
	c->live--;
	return wot_closer_done(c, saved);
}

void wot_closer_end(const wot_closer *saved)
{
	if (saved->cb)
		saved->cb(saved->data);
}

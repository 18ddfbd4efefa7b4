/*
 * sched_plan.c - the scheduler's book of source fetches (sched_plan.h).
 */
#include "dns/daemon/sched_plan.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static wot_sched_src *find(wot_sched_plan *p, const char *name, int add)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->src[i].name, name))
			return &p->src[i];
	if (!add)
		return NULL;
	if (p->n == p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 16;
		wot_sched_src *v = realloc(p->src, nc * sizeof(*v));
		if (!v)
			return NULL;
		p->src = v;
		p->cap = nc;
	}
	memset(&p->src[p->n], 0, sizeof(p->src[0]));
	snprintf(p->src[p->n].name, sizeof(p->src[0].name), "%s", name);
	return &p->src[p->n++];
}

int wot_sched_plan_request(wot_sched_plan *p, const char *name, int gap)
{
	wot_sched_src *st;
	int folded;

	if (strlen(name) >= sizeof(p->src[0].name))
		return wot_error_set(WOT_EINVAL, "source name too long");
	if (!(st = find(p, name, 1)))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	folded = st->pending || st->running;
	st->pending = 1;
	st->counted |= gap != 0;
	st->urgent |= !gap;
	return folded;
}

int wot_sched_plan_take(wot_sched_plan *p, uint64_t now, wot_sched_take *out)
{
	memset(out, 0, sizeof(*out));
	out->next = UINT64_MAX;
	if (!(out->names = calloc(p->n + 1, sizeof(char *))))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	for (size_t i = 0; i < p->n; i++) {
		wot_sched_src *st = &p->src[i];
		uint64_t due = st->last_ms + p->gap_ms;
		if (!st->pending || st->running)
			continue;
		if (!st->urgent && st->fetched && due > now) {
			out->next = due < out->next ? due : out->next;
			continue;
		}
		if (!(out->names[out->n] = strdup(st->name)))
			break;
		out->n++;
		out->counted |= st->counted;
		p->fetches += st->counted != 0;
		p->resyncs += !st->counted;
		st->pending = st->urgent = st->counted = 0;
		st->running = 1;
		st->fetched = 1;
		st->last_ms = now;
	}
	return 0;
}

void wot_sched_plan_done(wot_sched_plan *p, const char *name, int ok)
{
	wot_sched_src *st = find(p, name, 0);

	if (!st)
		return;
	st->running = 0;
	if (!ok)
		st->pending = 1; /* try again on the next take */
}

void wot_sched_take_free(wot_sched_take *t)
{
	for (size_t i = 0; t->names && i < t->n; i++)
		free(t->names[i]);
	free(t->names);
	t->names = NULL;
	t->n = 0;
}

void wot_sched_plan_free(wot_sched_plan *p)
{
	free(p->src);
	memset(p, 0, sizeof(*p));
}

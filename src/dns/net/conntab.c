/*
 * conntab.c - a bounded table of TCP connections in order of activity,
 * with one timer per connection: the idle timeout between messages, or
 * the deadline of the message under way. Only a whole message counts as
 * activity, so bytes trickled in move neither the timer nor the order.
 */
#include "dns/net/conntab.h"

#include <stddef.h>

static wot_net_slot *slot_of(uv_timer_t *h)
{
	return (wot_net_slot *)((char *)h - offsetof(wot_net_slot, timer));
}

static int busy(const wot_net_conntab *t, wot_net_slot *s)
{
	return t->busy && t->busy(s);
}

static void on_timer(uv_timer_t *h)
{
	wot_net_slot *s = slot_of(h);
	wot_net_conntab *t = s->tab;

	if (!s->partial && busy(t, s)) {
		uv_timer_start(h, on_timer, t->idle_ms, 0);
		return;
	}
	if (s->partial)
		t->expired++;
	t->close(s);
}

void wot_net_conntab_init(wot_net_conntab *t, size_t max, unsigned idle_ms,
			  unsigned msg_ms, wot_net_busy_fn busy_fn,
			  wot_net_evict_fn close)
{
	t->head = t->tail = NULL;
	t->n = 0;
	t->max = max;
	t->idle_ms = idle_ms;
	t->msg_ms = msg_ms;
	t->busy = busy_fn;
	t->close = close;
	t->evicted = t->expired = 0;
}

static void unlink_slot(wot_net_conntab *t, wot_net_slot *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		t->head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	else
		t->tail = s->prev;
	s->prev = s->next = NULL;
}

static void append(wot_net_conntab *t, wot_net_slot *s)
{
	s->prev = t->tail;
	s->next = NULL;
	if (t->tail)
		t->tail->next = s;
	else
		t->head = s;
	t->tail = s;
}

int wot_net_conntab_make_room(wot_net_conntab *t)
{
	if (t->n < t->max)
		return 0;
	for (wot_net_slot *s = t->head; s; s = s->next) {
		if (busy(t, s))
			continue;
		t->evicted++;
		t->close(s);
		return 0;
	}
	return -1;
}

void wot_net_conntab_add(wot_net_conntab *t, wot_net_slot *s, uv_loop_t *loop,
			 void *owner)
{
	s->tab = t;
	s->owner = owner;
	s->partial = 0;
	uv_timer_init(loop, &s->timer);
	s->timer.data = owner;
	append(t, s);
	s->linked = 1;
	t->n++;
	uv_timer_start(&s->timer, on_timer, t->idle_ms, 0);
}

void wot_net_conntab_remove(wot_net_slot *s)
{
	if (!s->linked)
		return;
	unlink_slot(s->tab, s);
	s->linked = 0;
	s->tab->n--;
	uv_timer_stop(&s->timer);
}

void wot_net_conntab_progress(wot_net_slot *s, size_t messages, int partial)
{
	wot_net_conntab *t = s->tab;

	if (!s->linked)
		return;
	if (messages) {
		unlink_slot(t, s);
		append(t, s);
		s->partial = 0;
	}
	if (partial && !s->partial) {
		s->partial = 1;
		uv_timer_start(&s->timer, on_timer, t->msg_ms, 0);
	} else if (!partial && messages) {
		uv_timer_start(&s->timer, on_timer, t->idle_ms, 0);
	}
}

void wot_net_conntab_close_all(wot_net_conntab *t)
{
	while (t->head)
		t->close(t->head);
}

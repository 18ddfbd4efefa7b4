/*
 * conntab.h - the TCP connections of one listener, kept as RFC 7766 asks:
 * each message must arrive whole within msg_ms of its first byte (a client
 * trickling bytes cannot hold a slot for longer), a connection between
 * messages closes after idle_ms, and when the table is full the connection
 * idle or partial for the longest is closed so that the newcomer is served
 * (§6.2.3). The listener's TCP side (listen_tcp.c) keeps one per
 * listener. Loop thread only.
 */
#ifndef WOT_NET_CONNTAB_H
#define WOT_NET_CONNTAB_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

typedef struct wot_net_conntab wot_net_conntab;
typedef struct wot_net_slot wot_net_slot;

/* 1 if the connection waits on bounded work of ours (an upstream): then
 * it is neither idle (its idle timer starts again) nor evicted. */
typedef int (*wot_net_busy_fn)(wot_net_slot *s);
/* Close the connection of s; must call wot_net_conntab_remove(s) at once. */
typedef void (*wot_net_evict_fn)(wot_net_slot *s);

/* Embedded in each connection. */
struct wot_net_slot {
	wot_net_conntab *tab;
	wot_net_slot *prev, *next;
	uv_timer_t timer; /* the connection closes this handle itself */
	void *owner;	  /* the connection (also timer.data) */
	int partial;	  /* a message has begun: its deadline runs */
	int linked;
};

struct wot_net_conntab {
	wot_net_slot *head, *tail; /* head: the least recently active */
	size_t n, max;
	unsigned idle_ms, msg_ms;
	wot_net_busy_fn busy; /* NULL: never busy */
	wot_net_evict_fn close;
	uint64_t evicted; /* closed to make room */
	uint64_t expired; /* closed at a message deadline */
};

/* An empty table of at most max connections. */
void wot_net_conntab_init(wot_net_conntab *t, size_t max, unsigned idle_ms,
			  unsigned msg_ms, wot_net_busy_fn busy,
			  wot_net_evict_fn close);
/*
 * Room for one more connection: when the table is full, close the least
 * recently active connection that is not busy. 0, or -1 when every
 * connection is busy (the newcomer must be refused).
 */
int wot_net_conntab_make_room(wot_net_conntab *t);
/* Link s as the most recent, its timer initialised on loop with data
 * owner and the idle timeout running. Counts even beyond max. */
void wot_net_conntab_add(wot_net_conntab *t, wot_net_slot *s, uv_loop_t *loop,
			 void *owner);
/* Unlink s and stop its timer (the owner then closes s->timer). */
void wot_net_conntab_remove(wot_net_slot *s);
/*
 * After a read: messages whole messages were taken (the connection becomes
 * the most recent; the idle timeout runs again), partial: bytes of a
 * further message are buffered (its deadline starts with its first byte
 * and is not moved by later ones).
 */
void wot_net_conntab_progress(wot_net_slot *s, size_t messages, int partial);
/* Close every connection. */
void wot_net_conntab_close_all(wot_net_conntab *t);

#endif

/*
 * sdnotify.h - tell systemd (Type=notify) how `wotdns serve` is doing:
 * READY, RELOADING, STOPPING, STATUS, and the watchdog, petted from the
 * loop that answers queries so a hung loop stops petting.
 *
 * Without NOTIFY_SOCKET every call does nothing.
 */
#ifndef WOT_DNS_SDNOTIFY_H
#define WOT_DNS_SDNOTIFY_H

#include <uv.h>

typedef struct {
	uv_timer_t timer;
	int watchdog; /* the timer runs */
} wot_sdnotify;

/*
 * Start petting the watchdog at half the interval systemd asked for
 * (WATCHDOG_USEC, for this pid) on loop. n is the caller's; close it with
 * wot_sdnotify_close before the loop closes. Never fails.
 */
void wot_sdnotify_start(wot_sdnotify *n, uv_loop_t *loop);

/* Send state lines ("READY=1\nSTATUS=..."), printf-style. */
void wot_sdnotify_send(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* Stop the watchdog timer (uv_close; nothing to free). */
void wot_sdnotify_close(wot_sdnotify *n);

#endif

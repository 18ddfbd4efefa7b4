/*
 * sdnotify.c - systemd's notification protocol through libsystemd.
 */
#include "dns/daemon/sdnotify.h"
#include "util/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>

void wot_sdnotify_send(const char *fmt, ...)
{
	static int warned; /* once: the watchdog would repeat it */
	char msg[512];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* 0: no NOTIFY_SOCKET, not run by systemd. A failure costs systemd
	 * a state change, never an answer: say so once and go on.
	 * Only the loop's thread calls this. */
	if ((rc = sd_notify(0, msg)) < 0 && !warned++)
		wot_log(WOT_LOG_WARNING, "dns", "sd_notify: %s", strerror(-rc));
}

static void pet(uv_timer_t *timer)
{
	(void)timer;
	wot_sdnotify_send("WATCHDOG=1");
}

void wot_sdnotify_start(wot_sdnotify *n, uv_loop_t *loop)
{
	uint64_t usec = 0;

	n->watchdog = 0;
	/* > 0 only when WATCHDOG_USEC is set and WATCHDOG_PID (if set) is
	 * this process. */
	if (sd_watchdog_enabled(0, &usec) <= 0 || usec < 2000)
		return;
	uv_timer_init(loop, &n->timer);
	uv_timer_start(&n->timer, pet, 0, usec / 2000);
	n->watchdog = 1;
	wot_log(WOT_LOG_INFO, "dns", "watchdog: every %llu ms",
		(unsigned long long)(usec / 2000));
}

void wot_sdnotify_close(wot_sdnotify *n)
{
	if (n->watchdog)
		uv_close((uv_handle_t *)&n->timer, NULL);
	n->watchdog = 0;
}

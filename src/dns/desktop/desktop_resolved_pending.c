/* desktop_resolved_pending.c - TEMPORARY: lets the desktop half link until
 * the resolved half (desktop_routes.c, desktop_resolved.c) is merged. Drop
 * this file (and its CMake line) at that merge. */
#include "dns/desktop/desktop.h"
#include "util/util.h"

#include <string.h>

void wot_dns_desktop_routes_clear(struct wot_dns_desktop_routes *r)
{
	(void)r;
}

int wot_dns_desktop_routes_read(const char *path,
				struct wot_dns_desktop_routes *out)
{
	(void)path;
	memset(out, 0, sizeof(*out));
	return wot_error_set(WOT_EINVAL, "systemd-resolved support is not "
					 "built in yet");
}

int wot_dns_desktop_resolved_detect(bool *active)
{
	*active = false;
	return wot_error_set(WOT_EINVAL, "systemd-resolved support is not "
					 "built in yet");
}

int wot_dns_desktop_resolved_up(const char *server,
				const struct wot_dns_desktop_routes *r,
				FILE *plan)
{
	(void)server;
	(void)r;
	(void)plan;
	return wot_error_set(WOT_EINVAL, "systemd-resolved support is not "
					 "built in yet");
}

int wot_dns_desktop_resolved_down(FILE *plan)
{
	(void)plan;
	return wot_error_set(WOT_EINVAL, "systemd-resolved support is not "
					 "built in yet");
}

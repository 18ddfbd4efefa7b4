/*
 * desktop_resolved.c - routing the overlay's domains to wotdns through
 * systemd-resolved, over D-Bus (sd-bus).
 *
 * Only wotdns's routes reach it: each is a routing-only domain ("~wot")
 * of wotdns's own link, and the link is never a default route, so every
 * other name goes where it went before and nothing loops back. DNSSEC
 * stays on: the routes are negative trust anchors, on the link (at once)
 * and in WOT_DESKTOP_NTA_FILE (read when resolved starts).
 *
 * resolved keeps per-link settings made over D-Bus only in memory: after
 * a restart of resolved the link is bare and `up` sets it again; `up`
 * compares first, so a second run changes nothing.
 */
#include "dns/desktop/desktop.h"
#include "dns/desktop/desktop_int.h"
#include "util/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#define MANAGER_PATH "/org/freedesktop/resolve1"
#define MANAGER WOT_RESOLVE1 ".Manager"

int wot_desktop_bus_fail(int r, const sd_bus_error *e, const char *what)
{
	return wot_error_set(WOT_EIO, "systemd-resolved: %s: %s", what,
			     e && e->message ? e->message : strerror(-r));
}

static int open_bus(sd_bus **bus)
{
	int r = sd_bus_open_system(bus);

	if (r < 0)
		return wot_error_set(WOT_EIO, "cannot reach the system bus: %s",
				     strerror(-r));
	return 0;
}

static int has_resolved(sd_bus *bus, bool *active)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	int yes = 0, r;

	r = sd_bus_call_method(bus, "org.freedesktop.DBus",
			       "/org/freedesktop/DBus", "org.freedesktop.DBus",
			       "NameHasOwner", &e, &m, "s", WOT_RESOLVE1);
	if (r >= 0)
		r = sd_bus_message_read(m, "b", &yes);
	*active = r >= 0 && yes;
	if (r < 0)
		r = wot_desktop_bus_fail(r, &e, "NameHasOwner");
	sd_bus_error_free(&e);
	sd_bus_message_unref(m);
	return r < 0 ? r : 0;
}

int wot_dns_desktop_resolved_detect(bool *active)
{
	sd_bus *bus = NULL;
	int rc;

	*active = false;
	if (open_bus(&bus) < 0) {
		wot_error_clear(); /* no system bus: no resolved */
		return 0;
	}
	rc = has_resolved(bus, active);
	sd_bus_flush_close_unref(bus);
	return rc;
}

/* "ADDR:PORT" into family, address bytes and port. */
static int parse_server(const char *server, int *family, uint8_t addr[16],
			size_t *alen, uint16_t *port)
{
	struct sockaddr_storage ss;

	if (wot_addr_parse(server, 53, &ss) < 0)
		return wot_error_set(WOT_EINVAL, "server %s: %s", server,
				     wot_error_last());
	*family = ss.ss_family;
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		memcpy(addr, &s4->sin_addr, 4);
		*alen = 4;
		*port = ntohs(s4->sin_port);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		memcpy(addr, &s6->sin6_addr, 16);
		*alen = 16;
		*port = ntohs(s6->sin6_port);
	}
	return 0;
}

static char *server_text(int family, const void *addr, uint16_t port)
{
	char a[INET6_ADDRSTRLEN] = "?";

	inet_ntop(family, addr, a, sizeof(a));
	return family == AF_INET6 ? wot_strdup_printf("[%s]:%u", a, port)
				  : wot_strdup_printf("%s:%u", a, port);
}

/* names joined by ' ', each after prefix. */
static char *join(char *const *names, size_t n, const char *prefix)
{
	wot_buf b = WOT_BUF_INIT;
	int rc = wot_buf_put(&b, "", 1);

	b.len = 0;
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = wot_buf_printf(&b, "%s%s%s", i ? " " : "", prefix,
				    names[i]);
	if (rc < 0) {
		wot_buf_dispose(&b);
		return NULL;
	}
	return b.ptr;
}

static int wanted(const char *server, const struct wot_dns_routes *r,
		  wot_desktop_conf *c)
{
	uint8_t a[16] = {0};
	size_t alen = 0;
	int family = 0, rc;
	uint16_t port = 0;

	memset(c, 0, sizeof(*c));
	if ((rc = parse_server(server, &family, a, &alen, &port)) < 0)
		return rc;
	c->dns = server_text(family, a, port);
	c->domains = join(r->route, r->n_route, "~");
	c->ntas = join(r->nta, r->n_nta, "");
	c->llmnr = strdup("no");
	c->mdns = strdup("no");
	if (!c->dns || !c->domains || !c->ntas || !c->llmnr || !c->mdns) {
		wot_desktop_conf_clear(c);
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	return 0;
}

/* resolved learns of a new link from the kernel a moment later. */
static int link_path(sd_bus *bus, int ifindex, char **path)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	const char *p = NULL;
	int r = -ENXIO;

	for (int i = 0; i < 50; i++) {
		sd_bus_error_free(&e);
		sd_bus_message_unref(m);
		m = NULL;
		r = sd_bus_call_method(bus, WOT_RESOLVE1, MANAGER_PATH, MANAGER,
				       "GetLink", &e, &m, "i", ifindex);
		if (r >= 0 || !sd_bus_error_has_name(
				  &e, "org.freedesktop.resolve1.NoSuchLink"))
			break;
		usleep(100 * 1000);
	}
	if (r >= 0)
		r = sd_bus_message_read(m, "o", &p);
	if (r >= 0 && !(*path = strdup(p)))
		r = -ENOMEM;
	if (r < 0)
		r = wot_desktop_bus_fail(r, &e, "GetLink " WOT_DESKTOP_LINK);
	sd_bus_error_free(&e);
	sd_bus_message_unref(m);
	return r < 0 ? r : 0;
}

static int nta_file_text(const struct wot_dns_routes *r, char **out)
{
	wot_buf b = WOT_BUF_INIT;
	int rc = wot_buf_printf(
	    &b, "; written by wotdns desktop refresh: the overlay's domains "
		"are not\n; validated against the DNS root\n");

	for (size_t i = 0; rc == 0 && i < r->n_nta; i++)
		rc = wot_buf_printf(&b, "%s\n", r->nta[i]);
	if (rc < 0) {
		wot_buf_dispose(&b);
		return rc;
	}
	*out = b.ptr;
	return 0;
}

static int nta_file_sync(const struct wot_dns_routes *r, FILE *plan)
{
	char *want = NULL, *have = NULL;
	size_t len = 0;
	int rc = nta_file_text(r, &want);

	if (rc < 0)
		return rc;
	if (wot_file_read(WOT_DESKTOP_NTA_FILE, 1 << 20, &have, &len) == 0 &&
	    !strcmp(have, want))
		goto out;
	wot_error_clear();
	if (plan)
		fprintf(plan, "write %s (%zu names)\n", WOT_DESKTOP_NTA_FILE,
			r->n_nta);
	else if ((rc = wot_mkdir_p(WOT_DESKTOP_NTA_DIR, 0755)) == 0)
		rc = wot_file_write_atomic(WOT_DESKTOP_NTA_FILE, want,
					   strlen(want));
out:
	free(want);
	free(have);
	return rc;
}

int wot_dns_desktop_resolved_up(const char *server,
				const struct wot_dns_routes *r, FILE *plan)
{
	sd_bus *bus = NULL;
	wot_desktop_conf want = {0}, have = {0};
	char *path = NULL;
	bool active = false, created = false;
	int rc;

	if ((rc = wanted(server, r, &want)) < 0 || (rc = open_bus(&bus)) < 0 ||
	    (rc = has_resolved(bus, &active)) < 0)
		goto out;
	if (!active) {
		rc = wot_error_set(WOT_ENOENT,
				   "systemd-resolved is not running");
		goto out;
	}
	if ((rc = nta_file_sync(r, plan)) < 0 ||
	    (rc = wot_desktop_link_ensure(plan, &created)) < 0)
		goto out;
	if (!(created && plan) &&
	    (rc = link_path(bus, wot_desktop_link_index(WOT_DESKTOP_LINK),
			    &path)) == 0)
		rc = wot_desktop_conf_read(bus, path, &have);
	if (rc == 0)
		rc = wot_desktop_conf_apply(
		    bus, wot_desktop_link_index(WOT_DESKTOP_LINK), &want, &have,
		    plan);
out:
	free(path);
	wot_desktop_conf_clear(&want);
	wot_desktop_conf_clear(&have);
	sd_bus_flush_close_unref(bus);
	return rc;
}

int wot_dns_desktop_resolved_down(FILE *plan)
{
	int rc = wot_desktop_link_remove(plan);

	if (rc < 0 || !wot_path_exists(WOT_DESKTOP_NTA_FILE))
		return rc;
	if (plan) {
		fprintf(plan, "remove %s\n", WOT_DESKTOP_NTA_FILE);
		return 0;
	}
	if (unlink(WOT_DESKTOP_NTA_FILE) < 0 && errno != ENOENT)
		return wot_error_set(WOT_EIO, "%s: %s", WOT_DESKTOP_NTA_FILE,
				     strerror(errno));
	return 0;
}

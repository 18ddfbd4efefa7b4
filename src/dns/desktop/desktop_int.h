/* desktop_int.h - internals of the desktop wiring's resolved half. */
#ifndef WOT_DNS_DESKTOP_INT_H
#define WOT_DNS_DESKTOP_INT_H

#include <stdbool.h>
#include <stdio.h>
#include <systemd/sd-bus.h>

#define WOT_RESOLVE1 "org.freedesktop.resolve1"
#define WOT_RESOLVE1_LINK WOT_RESOLVE1 ".Link"

/* wotdns's own link (desktop_link.c explains why one is needed). */
#define WOT_DESKTOP_LINK "wotdns0"
#define WOT_DESKTOP_PEER "wotdns0p"
/* fd + "wotdns0" in ASCII: a unique-local address nobody routes. */
#define WOT_DESKTOP_LINK_ADDR "fd77:6f74:646e:7330::1"
/* Where IPv6 is disabled: the IPv4 dummy address (RFC 7600). */
#define WOT_DESKTOP_LINK_ADDR4 "192.0.0.8"
/* Negative trust anchors that outlive a restart of resolved. */
#define WOT_DESKTOP_NTA_DIR "/etc/dnssec-trust-anchors.d"
#define WOT_DESKTOP_NTA_FILE WOT_DESKTOP_NTA_DIR "/wotdns.negative"

/* The link's ifindex, 0 if there is none. */
int wot_desktop_link_index(const char *name);
/* Creates wotdns0 if missing, brings it (and a veth peer) up, adds the
 * address; *created says whether it was missing. With plan, prints what
 * it would do and does nothing. */
int wot_desktop_link_ensure(FILE *plan, bool *created);
/* Deletes wotdns0 (and its veth peer) if it exists; plan as above. */
int wot_desktop_link_remove(FILE *plan);

/* A link's settings in resolved, each list as one string (compared and
 * printed as such). */
typedef struct {
	char *dns;	    /* "ADDR:PORT" ("[ADDR]:PORT" for IPv6) */
	char *domains;	    /* "~a ~b" */
	char *ntas;	    /* "a b" */
	int default_route;  /* 0, 1 */
	char *llmnr, *mdns; /* "no" */
} wot_desktop_conf;
void wot_desktop_conf_clear(wot_desktop_conf *c);
/* WOT_EIO with e's message (or -r's), prefixed "systemd-resolved: what". */
int wot_desktop_bus_fail(int r, const sd_bus_error *e, const char *what);
/* Reads the settings of resolved's link object path into *out. */
int wot_desktop_conf_read(sd_bus *bus, const char *path, wot_desktop_conf *out);
/* Sets each setting of want that differs from have on link ifindex; with
 * plan, prints each instead. */
int wot_desktop_conf_apply(sd_bus *bus, int ifindex,
			   const wot_desktop_conf *want,
			   const wot_desktop_conf *have, FILE *plan);

#endif

/* desktop_check.h - checks shared by status and doctor (internal). */
#ifndef WOT_DNS_DESKTOP_CHECK_H
#define WOT_DNS_DESKTOP_CHECK_H

#include "dns/desktop/desktop_wire.h"

/* What setup wired, from its unit drop-in (readable by anyone). */
struct wd_wiring {
	char *mode, *user, *listen, *dropin; /* dropin NULL: not wired */
};
int wd_wiring_find(struct wd_wiring *w);
void wd_wiring_clear(struct wd_wiring *w);

/* One line "ok ..." or "PROBLEM ..." (counted). */
void wd_say(int *problems, bool ok, FILE *out, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* getaddrinfo() of both names (overlay may be NULL: a note). */
void wd_check_names(const char *overlay, const char *normal, FILE *out,
		    int *problems);
/* A DNS question to listen. */
void wd_check_daemon(const char *listen, const char *name, FILE *out,
		     int *problems);
/* resolv.conf, NetworkManager, nsswitch.conf as the wiring wants them. */
void wd_check_files(const struct wd_wiring *w, FILE *out, int *problems);

#endif

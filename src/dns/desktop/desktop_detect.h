/* desktop_detect.h - how the machine resolves names (internal). */
#ifndef WOT_DNS_DESKTOP_DETECT_H
#define WOT_DNS_DESKTOP_DETECT_H

#include "dns/desktop/desktop_wire.h"

struct wd_sys {
	struct wd_orig resolv; /* /etc/resolv.conf itself */
	char *resolv_text;     /* what it says, through a link */
	char *link_target;     /* when it is a symbolic link */
	bool resolved;	       /* systemd-resolved answers */
	bool stub;	       /* resolv.conf points at resolved's stub */
	bool nm;	       /* NetworkManager writes resolv.conf */
	bool nm_installed;     /* /etc/NetworkManager exists */
	const char *mode;      /* "resolved", "nm" or "plain" */
};

int wd_detect(struct wd_sys *s);
void wd_sys_clear(struct wd_sys *s);

#endif

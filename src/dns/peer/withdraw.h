/*
 * withdraw.h - changing the withdrawn set (internal to the peer room; the
 * set itself, what the daemon creates, frees and loads with, is in
 * peer.h). After changing the set the caller reloads the table.
 */
#ifndef WOT_DNS_WITHDRAW_H
#define WOT_DNS_WITHDRAW_H

#include "dns/peer/peer.h"

#include <ldns/ldns.h>
#include <stddef.h>
#include <stdint.h>

enum { WOT_WITHDRAW_MAX = 4096 }; /* entries at most; more are refused */

/* One withdrawn RRset (copied out by wot_dns_withdraw_list). */
typedef struct {
	char name[256]; /* lowercase, absolute */
	uint16_t type;
	int64_t since; /* Unix time it was withdrawn */
	char why[96];
} wot_withdrawn;

/*
 * Withdraw name (any case, absolute or not) / type. Returns 1 when added,
 * 0 when it was withdrawn already, WOT_ELIMIT when the set is full,
 * WOT_EINVAL for a bad name.
 */
int wot_dns_withdraw_add(wot_dns_withdraw_set *w, const char *name,
			 uint16_t type, int64_t now, const char *why);
/* Serve it again: 1 when it was withdrawn, else 0. */
int wot_dns_withdraw_remove(wot_dns_withdraw_set *w, const char *name,
			    uint16_t type);
/* 1 if name/type is withdrawn. */
int wot_dns_withdraw_has(wot_dns_withdraw_set *w, const char *name,
			 uint16_t type);
/* Up to cap entries into out; returns how many are withdrawn in all. */
size_t wot_dns_withdraw_list(wot_dns_withdraw_set *w, wot_withdrawn *out,
			     size_t cap);
/* Forget everything (tests). */
void wot_dns_withdraw_clear(wot_dns_withdraw_set *w);
#endif

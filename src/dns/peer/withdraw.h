/*
 * withdraw.h - records a daemon stops serving until they settle: an
 * RRset a near-unanimous majority of neighbors contradicts (neighbor.c),
 * or one a failed second opinion marked. Each daemon owns one set
 * (thread-safe) and hands it to its accepted-set loader, which skips the
 * RRsets in it (wot_dns_withdraw_skip_rr as the table loader's filter),
 * so whichever path reloads the table keeps them out. After changing the
 * set the caller reloads the table.
 */
#ifndef WOT_DNS_WITHDRAW_H
#define WOT_DNS_WITHDRAW_H

#include <ldns/ldns.h>
#include <stddef.h>
#include <stdint.h>

enum { WOT_WITHDRAW_MAX = 4096 };   /* entries at most; more are refused */
enum { WOT_WITHDRAW_CHANGES = 64 }; /* changes remembered by name */

/* One withdrawn RRset (copied out by wot_dns_withdraw_list). */
typedef struct {
	char name[256]; /* lowercase, absolute */
	uint16_t type;
	int64_t since; /* Unix time it was withdrawn */
	char why[96];
} wot_withdrawn;

typedef struct wot_dns_withdraw_set wot_dns_withdraw_set;

/* An empty set into *out (the caller frees it): 0 or WOT_ENOMEM. */
int wot_dns_withdraw_new(wot_dns_withdraw_set **out);
/* Free w (NULL is fine). */
void wot_dns_withdraw_free(wot_dns_withdraw_set *w);

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
/* 1 if the owner of rr and its type are withdrawn in set (a
 * wot_dns_withdraw_set *): the table loader's filter (wot_dns_rr_skip_fn). */
int wot_dns_withdraw_skip_rr(void *set, const ldns_rr *rr);
/* Up to cap entries into out; returns how many are withdrawn in all. */
size_t wot_dns_withdraw_list(wot_dns_withdraw_set *w, wot_withdrawn *out,
			     size_t cap);
/* Forget everything (tests). */
void wot_dns_withdraw_clear(wot_dns_withdraw_set *w);
/* Raised by every change of the set: a table loaded at another epoch may
 * hold RRsets now withdrawn, or lack ones served again. */
uint64_t wot_dns_withdraw_epoch(wot_dns_withdraw_set *w);
/*
 * The names withdrawn or served again after epoch since, into out (cap
 * entries); *now gets the epoch they lead to. Returns how many, or -1 when
 * they are not all remembered (more than WOT_WITHDRAW_CHANGES or cap, or a
 * clear): then every loaded record may be affected.
 */
int wot_dns_withdraw_changes(wot_dns_withdraw_set *w, uint64_t since,
			     char (*out)[256], size_t cap, uint64_t *now);

#endif

/*
 * withdraw.h - records the daemon stops serving until they settle: an
 * RRset a near-unanimous majority of neighbors contradicts (neighbor.c),
 * or one a failed second opinion marked. The set is process-wide and
 * thread-safe; every table load (wot_dns_table_load_file) skips the
 * RRsets in it, so whichever path reloads the table keeps them out.
 * After changing the set the caller reloads the table.
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

/*
 * Withdraw name (any case, absolute or not) / type. Returns 1 when added,
 * 0 when it was withdrawn already, WOT_ELIMIT when the set is full,
 * WOT_EINVAL for a bad name.
 */
int wot_dns_withdraw_add(const char *name, uint16_t type, int64_t now,
			 const char *why);
/* Serve it again: 1 when it was withdrawn, else 0. */
int wot_dns_withdraw_remove(const char *name, uint16_t type);
/* 1 if name/type is withdrawn. */
int wot_dns_withdraw_has(const char *name, uint16_t type);
/* 1 if the owner of rr and its type are withdrawn (the table loader). */
int wot_dns_withdraw_has_rr(const ldns_rr *rr);
/* Up to cap entries into out; returns how many are withdrawn in all. */
size_t wot_dns_withdraw_list(wot_withdrawn *out, size_t cap);
/* Forget everything (tests). */
void wot_dns_withdraw_clear(void);
/* Raised by every change of the set: a table loaded at another epoch may
 * hold RRsets now withdrawn, or lack ones served again. */
uint64_t wot_dns_withdraw_epoch(void);
/*
 * The names withdrawn or served again after epoch since, into out (cap
 * entries); *now gets the epoch they lead to. Returns how many, or -1 when
 * they are not all remembered (more than WOT_WITHDRAW_CHANGES or cap, or a
 * clear): then every loaded record may be affected.
 */
int wot_dns_withdraw_changes(uint64_t since, char (*out)[256], size_t cap,
			     uint64_t *now);

#endif

/*
 * own/own.h - the own repository inside the sync room (internal).
 */
#ifndef WOT_SYNC_OWN_H
#define WOT_SYNC_OWN_H

#include "sync/home/home.h"

/* The same without taking the lock (caller holds it). */
int wot_sync_publish_keys_locked(wot_home *h, wot_trust *t, const char *msg,
				 char oid[WOT_OID_MAX]);

/* Republish keys/ (own key and the keys it certified) keeping the zones. */
int wot_sync_publish_keys(wot_home *h, wot_trust *t, const char *msg,
			  char oid[WOT_OID_MAX]);

#endif

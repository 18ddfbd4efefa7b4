/* zone.h - zone text to ldns records (sync internal). */
#ifndef WOT_SYNC_ZONE_H
#define WOT_SYNC_ZONE_H

#include <ldns/ldns.h>

#include "sync/sync.h"

#endif

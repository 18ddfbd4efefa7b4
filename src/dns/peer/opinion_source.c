/*
 * opinion_source.c - which address opinion and neighbor questions leave
 * from: the peer listener's own (see wot_opinion_asker_source).
 */
#include "dns/peer/opinion_int.h"
#include "dns/peer/peer.h"
#include "util/util.h"

void wot_opinion_asker_from_prop(wot_opinion_asker *a, const wot_prop *prop)
{
	char addr[80];

	for (size_t i = 0;
	     a && wot_prop_bound(prop, i, addr, sizeof(addr)) == 0; i++)
		if (wot_opinion_asker_source(a, addr) < 0)
			wot_log(WOT_LOG_INFO, "dns", "opinion source %s: %s",
				addr, wot_error_last());
	wot_error_clear(); /* the end of the list, or no listener */
}

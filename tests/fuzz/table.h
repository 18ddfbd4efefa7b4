/*
 * table.h - the small overlay every DNS harness answers from: a zone with
 * the shapes the answer code treats apart (apex, data, wildcard, CNAME in
 * and out of the overlay, a CNAME loop, an RRset too big for UDP, an
 * empty non-terminal, a delegation-like NS).
 */
#ifndef WOT_FUZZ_TABLE_H
#define WOT_FUZZ_TABLE_H

#include "dns/resolver/resolver.h"

/* The table (built and sealed once; borrowed). Aborts on failure. */
const wot_dns_table *fuzz_table(void);

#endif

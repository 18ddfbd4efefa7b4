/*
 * rdata.c - where the names are in the rdata of the types that may carry
 * compressed names (RFC 3597 section 4: only the types of RFC 1035 and a
 * few later ones ldns decompresses). The cache checks those names before
 * it keeps a message; the scrubber expands them before it copies a record
 * into a message of its own, where the old pointers would mean nothing.
 */
#include "dns/resolver/resolver_int.h"

static const wot_dns_rd_layout layouts[] = {
    {2, 0, 0, 1, 0},		       /* NS */
    {3, 0, 0, 1, 0},		       /* MD */
    {4, 0, 0, 1, 0},		       /* MF */
    {5, 0, 0, 1, 0},		       /* CNAME */
    {6, 0, 0, 2, 20},		       /* SOA */
    {7, 0, 0, 1, 0},		       /* MB */
    {8, 0, 0, 1, 0},		       /* MG */
    {9, 0, 0, 1, 0},		       /* MR */
    {12, 0, 0, 1, 0},		       /* PTR */
    {14, 0, 0, 2, 0},		       /* MINFO */
    {15, 2, 0, 1, 0},		       /* MX */
    {17, 0, 0, 2, 0},		       /* RP */
    {18, 2, 0, 1, 0},		       /* AFSDB */
    {21, 2, 0, 1, 0},		       /* RT */
    {24, 18, 0, 1, WOT_DNS_RD_ANY},    /* SIG */
    {26, 2, 0, 2, 0},		       /* PX */
    {30, 0, 0, 1, WOT_DNS_RD_ANY},     /* NXT */
    {33, 6, 0, 1, 0},		       /* SRV */
    {35, 4, 3, 1, 0},		       /* NAPTR */
    {36, 2, 0, 1, 0},		       /* KX */
    {39, 0, 0, 1, 0},		       /* DNAME */
    {46, 18, 0, 1, WOT_DNS_RD_ANY},    /* RRSIG */
    {47, 0, 0, 1, WOT_DNS_RD_ANY},     /* NSEC */
    {55, 0, 0, 0, WOT_DNS_RD_REFUSE},  /* HIP */
    {58, 0, 0, 2, 0},		       /* TALINK */
    {64, 2, 0, 1, WOT_DNS_RD_ANY},     /* SVCB */
    {65, 2, 0, 1, WOT_DNS_RD_ANY},     /* HTTPS */
    {107, 2, 0, 1, 0},		       /* LP */
    {249, 0, 0, 0, WOT_DNS_RD_REFUSE}, /* TKEY */
    {250, 0, 0, 0, WOT_DNS_RD_REFUSE}, /* TSIG */
};

const wot_dns_rd_layout *wot_dns_rd_layout_of(uint16_t type)
{
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
		if (layouts[i].type == type)
			return &layouts[i];
	return NULL;
}

/*
 * dns_int.h - internals shared by the files of the DNS module: the table
 * layout, the bounds-checked wire reader/writer, and the upstream forwarder.
 * Nothing here is part of the public contract in dns.h.
 */
#ifndef WOT_DNS_INT_H
#define WOT_DNS_INT_H

#include "dns/resolver/resolver.h"
#include "dns/net/net.h"

#include <stddef.h>
#include <stdint.h>

/* Wire constants we need without pulling ldns enums into every file. */
enum {
	WOT_DNS_HDR_LEN = 12,
	WOT_DNS_NAME_MAX = 255,
	WOT_DNS_UDP_MIN = 512,
	WOT_DNS_EDNS_SIZE = 1232, /* what we advertise and cap UDP at */
	WOT_DNS_TCP_MAX = 65535,
	WOT_DNS_OPT_LEN = 11, /* root name + fixed fields, no options */
	WOT_DNS_CNAME_HOPS =
	    16,		       /* CNAMEs in one answer, overlay and upstream */
	WOT_DNS_CHASE_MAX = 4, /* upstream questions for one answer */
	WOT_DNS_MAX_UPSTREAM = 8, /* upstream servers per resolver */
};

enum {
	WOT_RCODE_NOERROR = 0,
	WOT_RCODE_FORMERR = 1,
	WOT_RCODE_SERVFAIL = 2,
	WOT_RCODE_NXDOMAIN = 3,
	WOT_RCODE_NOTIMP = 4,
	WOT_RCODE_REFUSED = 5,
	WOT_RCODE_BADVERS = 16,
};

enum {
	WOT_T_A = 1,
	WOT_T_CNAME = 5,
	WOT_T_SOA = 6,
	WOT_T_AAAA = 28,
	WOT_T_DNAME = 39,
	WOT_T_OPT = 41,
	WOT_T_RRSIG = 46,
	WOT_T_IXFR = 251,
	WOT_T_AXFR = 252,
	WOT_T_MAILB = 253,
	WOT_T_MAILA = 254,
	WOT_T_ANY = 255,
	WOT_C_IN = 1,
	WOT_C_ANY = 255,
};

/* Header flag bits in the second 16-bit word. */
#define WOT_F_QR 0x8000u
#define WOT_F_AA 0x0400u
#define WOT_F_TC 0x0200u
#define WOT_F_RD 0x0100u
#define WOT_F_RA 0x0080u
#define WOT_F_AD 0x0020u
#define WOT_F_CD 0x0010u
#define WOT_OPCODE(flags) (((flags) >> 11) & 0xfu)

static inline uint16_t wot_rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t wot_rd32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

static inline void wot_wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void wot_wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* ---- table.c ---------------------------------------------------------- */

/* One RRset. data holds count entries of [ttl:4][rdlen:2][rdata]. */
typedef struct {
	uint16_t type;
	uint16_t count;
	uint32_t len, cap;
	uint8_t *data;
} wot_dns_rrset;

/* One owner name. nsets == 0 marks an empty non-terminal. */
typedef struct wot_dns_node {
	wot_dns_rrset *sets;
	uint16_t nsets, capsets;
	uint8_t namelen;
	uint8_t name[]; /* lowercase wire format, absolute */
} wot_dns_node;

/* Find the node of a lowercase wire name, NULL if absent. */
const wot_dns_node *wot_dns_table_find(const wot_dns_table *t,
				       const uint8_t *lname, size_t len);
/* RRset of one type at node, NULL if absent. */
const wot_dns_rrset *wot_dns_node_rrset(const wot_dns_node *n, uint16_t type);
/* 1 if the table holds at least one SOA (so lookups can be skipped). */
int wot_dns_table_has_apex(const wot_dns_table *t);
/* How a composite table splits names into parts (the daemon passes the
 * accepted set's shards; the resolver knows no layout of its own). */
typedef struct {
	size_t nparts; /* parts[0 .. nparts-1]; the last is the top part */
	/* The part of a lowercase wire name (len > 0): 0 .. nparts-1, the
	 * top part for names of at most one label. */
	int (*part_of)(const uint8_t *lname, size_t len);
} wot_dns_partition;

/*
 * A composite table over parts[0 .. how->nparts-1] (calloc'd, the last
 * the top part): a name is looked up in the part how->part_of gives, NULL
 * parts hold nothing. Takes the array and one reference to each part, on
 * failure too; *how is copied. Every part but the top is
 * sealed; the top (unsealed, or NULL for an empty one) gets an empty
 * non-terminal for each name of at most one label in the others, then is
 * sealed. Free *out with wot_dns_table_free, which drops the parts.
 */
int wot_dns_table_compose(wot_dns_table **out, wot_dns_table **parts,
			  const wot_dns_partition *how);
/* Part i of a composite (borrowed; NULL if t is not one). */
wot_dns_table *wot_dns_table_part(const wot_dns_table *t, int i);
/* Add a master file's records to the unsealed t (zonefile.c: no seal, no
 * malloc_trim). */
int wot_dns_table_load_into(wot_dns_table *t, const char *path);
/* 1 to leave rr out of the table being loaded, else 0 (data: the
 * caller's, e.g. the daemon's withdrawn set). */
typedef int (*wot_dns_rr_skip_fn)(void *data, const ldns_rr *rr);
/* wot_dns_table_load_into without the records skip (may be NULL) says 1
 * for. */
int wot_dns_table_load_filtered(wot_dns_table *t, const char *path,
				wot_dns_rr_skip_fn skip, void *data);
/* Call cb for every node of t (every part of a composite), in no order,
 * until cb returns non-zero (returned). */
int wot_dns_table_walk(const wot_dns_table *t,
		       int (*cb)(void *arg, const wot_dns_node *n), void *arg);
/* SipHash-2-4 of in under the key k0/k1 (hash tables keyed per instance). */
uint64_t wot_dns_siphash(uint64_t k0, uint64_t k1, const uint8_t *in,
			 size_t len);

/* ---- wire.c ----------------------------------------------------------- */

/*
 * Read the possibly compressed name at off in pkt into out (uncompressed,
 * case kept); *end is the offset just past its bytes at off. Pointers
 * must point backwards. Returns 0, or -1 if malformed.
 */
int wot_dns_read_name(const uint8_t *pkt, size_t len, size_t off, uint8_t *out,
		      size_t *outlen, size_t *end);
/* Length of the wire name at p (labels and the root byte), 0 if invalid. */
size_t wot_dns_name_len(const uint8_t *p, size_t avail);
/* Lowercase ASCII letters of a wire name in place (label bytes only). */
void wot_dns_name_lower(uint8_t *name, size_t len);
/* Offset of the parent of the wire name (skip one label), or len at root. */
size_t wot_dns_name_parent(const uint8_t *name, size_t len);

/* What the reader learned from a query. */
typedef struct {
	uint16_t id, flags, qdcount;
	uint16_t qtype, qclass;
	uint8_t qname[WOT_DNS_NAME_MAX]; /* as asked: case preserved */
	uint8_t lname[WOT_DNS_NAME_MAX]; /* lowercased */
	size_t qname_len;
	size_t qend;	  /* offset just past the question in the packet */
	int has_question; /* qdcount == 1 and the question parsed */
	int edns;	  /* an OPT record was present */
	uint16_t edns_size;
	uint8_t edns_version;
	int edns_do;	/* the OPT's DO bit was set */
	size_t opt_off; /* offset of the OPT CLASS field, when edns */
} wot_dns_query;

enum { WOT_DNS_PARSE_OK = 0, WOT_DNS_PARSE_NOHDR = 1, WOT_DNS_PARSE_BAD = 2 };

/*
 * Parse a query: header, question (only when qdcount == 1), and every other
 * record just enough to find the OPT. Returns WOT_DNS_PARSE_*; on
 * WOT_DNS_PARSE_BAD the header fields of q are still valid.
 */
int wot_dns_query_parse(const uint8_t *pkt, size_t len, wot_dns_query *q);

/* UDP response size limit for a parsed query (RFC 6891 with our cap). */
size_t wot_dns_query_udp_limit(const wot_dns_query *q);

/*
 * 1 if pkt is a response with this id and a single question equal to
 * lname/qtype/qclass (name compared case-insensitively).
 */
int wot_dns_reply_matches(const uint8_t *pkt, size_t len, uint16_t id,
			  const uint8_t *lname, size_t lname_len,
			  uint16_t qtype, uint16_t qclass);

/*
 * ldns_wire2pkt for a message from the network (a peer's answer, an
 * upstream's reply): refused (LDNS_STATUS_WIRE_RDATA_ERR) unless ldns
 * reads every record to the end its RDLENGTH gives, as wire.c and cache.c
 * do, and additional holds at most one OPT and one TSIG (ldns 1.8.3
 * leaks the others). Found by tests/fuzz/fuzz_peer and fuzz_upstream.
 */
ldns_status wot_dns_wire2pkt(ldns_pkt **out, const uint8_t *pkt, size_t len);

enum { WOT_DNS_COMP_MAX = 64 };

/* Response writer with name compression; never writes past cap. */
typedef struct {
	uint8_t *buf;
	size_t cap, len;
	uint16_t counts[4]; /* qd, an, ns, ar */
	uint16_t comp[WOT_DNS_COMP_MAX];
	size_t ncomp;
} wot_dns_msg;

/* Start a response: header from q with flags/rcode, question if present. */
int wot_dns_msg_begin(wot_dns_msg *m, uint8_t *buf, size_t cap,
		      const wot_dns_query *q, uint16_t flags);
/* One piece of rdata. */
typedef struct {
	const uint8_t *ptr;
	size_t len;
} wot_dns_part;

/* As wot_dns_msg_rr, with the rdata given in nparts pieces. */
int wot_dns_msg_rr_parts(wot_dns_msg *m, int section, const uint8_t *owner,
			 size_t owner_len, uint16_t type, uint32_t ttl,
			 const wot_dns_part *parts, size_t nparts,
			 int name_rdata);
/* Append one RR to section (1 answer, 2 authority, 3 additional).
 * Returns -1 and leaves the message unchanged if it does not fit.
 * name_rdata: the rdata is a single name worth remembering for compression. */
int wot_dns_msg_rr(wot_dns_msg *m, int section, const uint8_t *owner,
		   size_t owner_len, uint16_t type, uint32_t ttl,
		   const uint8_t *rdata, size_t rdlen, int name_rdata);
/* Append our OPT record (size 1232, extended rcode bits, the DO bit when
 * dnssec_ok: RFC 3225 has the query's DO copied into the answer). */
int wot_dns_msg_opt(wot_dns_msg *m, unsigned ext_rcode, int dnssec_ok);
/* Write the section counts and rcode into the header; returns the length. */
size_t wot_dns_msg_finish(wot_dns_msg *m, unsigned rcode);
/* Drop every record after the question (keeps header flags). */
void wot_dns_msg_reset(wot_dns_msg *m);

/* ---- rdata.c ---------------------------------------------------------- */

enum { WOT_DNS_RD_ANY = -1, WOT_DNS_RD_REFUSE = -2 };

/*
 * The rdata of type: pre fixed bytes, strs character-strings, names
 * (possibly compressed) names, then tail bytes exactly (WOT_DNS_RD_ANY:
 * anything; WOT_DNS_RD_REFUSE: a type never kept).
 */
typedef struct {
	uint16_t type;
	uint8_t pre, strs, names;
	int8_t tail;
} wot_dns_rd_layout;

/* The layout of type, NULL for types whose rdata holds no compressed
 * name (copied as they are). */
const wot_dns_rd_layout *wot_dns_rd_layout_of(uint16_t type);

/* ---- answer.c --------------------------------------------------------- */

/* The types of the RRsets at the node that answers the lowercase wire
 * name (its own, else the wildcard that covers it; none outside the
 * overlay), up to cap of them; returns how many. */
size_t wot_dns_answer_types(const wot_dns_table *t, const uint8_t *lname,
			    size_t len, uint16_t *types, size_t cap);

/*
 * Build an error response (header, question when known, OPT when the query
 * had one) for a parsed query. Returns the length, 0 if cap is too small.
 */
/* 1 and *rcode (NXDOMAIN, or NOERROR for the TLD's own empty node) when
 * lname is under a TLD only the overlay has and t holds no record for it:
 * such names are answered here, never forwarded (local.c). 0 otherwise. */
/* 1 if the TLD of the lowercase wire name is none of the normal DNS's
 * (as is_public says; NULL: all are), 0 for the root or a real TLD. */
int wot_dns_tld_nonpublic(const uint8_t *lname, size_t len,
			  wot_dns_tld_public_fn is_public);
int wot_dns_overlay_tld_rcode(const wot_dns_table *t, const uint8_t *lname,
			      size_t len, wot_dns_tld_public_fn is_public,
			      unsigned *rcode);
size_t wot_dns_error_response(const wot_dns_query *q, unsigned rcode,
			      uint8_t *resp, size_t cap);

/* 1 if the lowercase name is at or under an apex of t (t may be NULL). */
int wot_dns_overlay_covers(const wot_dns_table *t, const uint8_t *lname,
			   size_t len);

enum {
	WOT_DNS_WALK_DONE = 0, /* answered; the rcode is set */
	WOT_DNS_WALK_LEFT =
	    1, /* a CNAME left the overlay: name is its target */
	WOT_DNS_WALK_LOOP = 2, /* more than WOT_DNS_CNAME_HOPS CNAMEs */
	WOT_DNS_WALK_FULL = 3  /* m has no room */
};

/*
 * Append the overlay's answer for the lowercase name (name/len, updated)
 * to m: answer records following CNAMEs inside the overlay, the SOA for
 * NXDOMAIN and NODATA. *hops counts the CNAMEs of the whole answer, so a
 * caller chaining overlay and upstream parts shares one bound. Returns
 * WOT_DNS_WALK_*; *rcode is set on WOT_DNS_WALK_DONE.
 */
int wot_dns_overlay_walk(const wot_dns_table *t, const wot_dns_query *q,
			 wot_dns_msg *m, uint8_t *name, size_t *len,
			 unsigned *hops, unsigned *rcode);

/* ---- splice.c --------------------------------------------------------- */

/* One upstream reply (borrowed). */
typedef struct {
	const uint8_t *pkt;
	size_t len;
} wot_dns_upreply;

typedef struct {
	const wot_dns_table *t;	    /* the overlay (NULL: none) */
	const wot_dns_query *q;	    /* the client's query */
	const wot_dns_upreply *ups; /* replies to the questions asked so far */
	size_t nups;
	uint32_t max_ttl; /* no upstream TTL above this */
} wot_dns_splice_in;

enum { WOT_DNS_SPLICE_DONE = 0, WOT_DNS_SPLICE_NEED = 1 };

typedef struct {
	int status;    /* WOT_DNS_SPLICE_* */
	size_t len;    /* DONE: the answer's length */
	int cacheable; /* DONE: the upstream's alone, may be cached for q */
	int servfail;  /* DONE: the answer is SERVFAIL (a loop, a bad reply) */
	uint8_t need[WOT_DNS_NAME_MAX]; /* NEED: ask the upstream for this */
	size_t need_len;		/* (lowercase; q's type, class IN) */
} wot_dns_splice_out;

/*
 * Build the answer to in->q into buf (at most cap bytes; callers give
 * WOT_DNS_TCP_MAX and truncate for UDP) from the overlay and the upstream
 * replies, scrubbed by the rules at the top of splice.c. NEED: the chain
 * reached a name outside the overlay no reply answers; ask for it and
 * call again with that reply added. Returns 0 or WOT_ELIMIT.
 */
int wot_dns_splice(const wot_dns_splice_in *in, uint8_t *buf, size_t cap,
		   wot_dns_splice_out *out);

/* ---- upstream.c ------------------------------------------------------- */

typedef struct wot_dns_upstream wot_dns_upstream;
typedef struct wot_dns_fwd wot_dns_fwd;

/*
 * Called once per forwarded query unless cancelled. resp is the upstream's
 * reply with the client's ID restored (borrowed, valid during the call), or
 * NULL when every upstream failed.
 */
typedef void (*wot_dns_fwd_cb)(void *data, const uint8_t *resp, size_t len);

/* What a forwarder is built from; designated initialisers. */
typedef struct {
	uv_loop_t *loop;		      /* for the real network */
	const struct sockaddr_storage *addrs; /* copied */
	size_t n;			      /* at most WOT_DNS_MAX_UPSTREAM */
	unsigned timeout_ms;		      /* per try, 0: 1500 */
	const wot_clock *clock;		      /* NULL: the loop's time */
	const wot_net_io *io;		      /* NULL: real sockets (tests) */
} wot_dns_upstream_opts;

/* Forwarder over o->addrs. Returns 0, WOT_ELIMIT (too many servers),
 * WOT_EINVAL or WOT_ENOMEM. Free with wot_dns_upstream_close(). */
int wot_dns_upstream_new(wot_dns_upstream **out,
			 const wot_dns_upstream_opts *o);
/* Number of configured upstream servers. */
size_t wot_dns_upstream_count(const wot_dns_upstream *u);
/* Register every attempt with g (borrowed, outlives u) and skip the
 * servers g marks looped. */
void wot_dns_upstream_set_guard(wot_dns_upstream *u, wot_dns_loopguard *g);
/* Server i's address (borrowed), NULL past the end. */
const struct sockaddr_storage *wot_dns_upstream_addr(const wot_dns_upstream *u,
						     size_t i);
/*
 * Forward a parsed query (q describes query/qlen). tcp selects TCP to the
 * upstream. *out (optional) identifies the request for cancel; it stays
 * valid until cb runs or the request is cancelled.
 */
int wot_dns_upstream_query(wot_dns_upstream *u, const uint8_t *query,
			   size_t qlen, const wot_dns_query *q, int tcp,
			   wot_dns_fwd_cb cb, void *data, wot_dns_fwd **out);
/* Cancel a request: its cb will never run. */
void wot_dns_upstream_cancel(wot_dns_fwd *f);
/* Server i's counters; WOT_ENOENT past the end. */
int wot_dns_upstream_get_stat(const wot_dns_upstream *u, size_t i,
			      wot_dns_upstream_stat *out);
/* Cancel everything, close every handle, free, then cb(data). */
void wot_dns_upstream_close(wot_dns_upstream *u, void (*cb)(void *data),
			    void *data);

#endif

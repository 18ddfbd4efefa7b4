/*
 * dns.h - the loopback resolver: answer table, DNS server, upstream forwarder.
 *
 * The table holds the accepted overlay records. Every SOA record in it marks a
 * zone apex: names at or under an apex are answered authoritatively (AA set,
 * NXDOMAIN/NODATA with the SOA in authority); every other name is forwarded to
 * the upstream resolvers.
 *
 * Conventions: a function returning int gives 0 (or the count or flag it
 * describes) on success and a negative WOT_E* code on failure, with the
 * last error set (wot_error_last); WOT_ENOMEM may come from any function
 * that allocates and is not repeated below. What comes back through a
 * pointer to a pointer is the caller's, to free as said.
 */
#ifndef WOT_DNS_H
#define WOT_DNS_H

#include "dns/net/net.h"

#include <ldns/ldns.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

typedef struct wot_dns_table wot_dns_table;
typedef struct wot_dns_server wot_dns_server;

/* New empty table; caller frees with wot_dns_table_free(). */
int wot_dns_table_new(wot_dns_table **out);
/* Add one record (the table copies it). WOT_EINVAL for a record the
 * table cannot hold (bad rdata: ldns's reason) or a sealed table;
 * WOT_ELIMIT past WOT_MAX_RRSET records in one RRset, too many types at a
 * name or rdata over 65535 bytes. */
int wot_dns_table_add(wot_dns_table *t, const ldns_rr *rr);
/*
 * Load a master file (the accepted set written by the trust engine) into a new
 * table. Errors name file:line. Caller frees *out. WOT_ENOENT for a
 * missing file, WOT_EIO when it cannot be read, and the codes of
 * wot_dns_table_add for a bad record.
 */
int wot_dns_table_load_file(wot_dns_table **out, const char *path);
/* Pack the table into one block (less memory, fewer cache misses); no
 * record can be added afterwards. wot_dns_table_load_file seals. 0 or
 * WOT_ENOMEM. */
int wot_dns_table_seal(wot_dns_table *t);
/* Number of records held. */
size_t wot_dns_table_count(const wot_dns_table *t);
/* Take one more reference (for another listener thread). A table is
 * read-only once handed to a server, so threads share it. */
void wot_dns_table_ref(wot_dns_table *t);
/* Drop a reference; the last one frees. Thread-safe. */
void wot_dns_table_free(wot_dns_table *t);

/* What wot_dns_answer decided. */
enum {
	WOT_DNS_REPLY = 0,
	WOT_DNS_FORWARD = 1,
	WOT_DNS_DROP = 2,
	WOT_DNS_CHASE = 3 /* resp ends in a CNAME out of the overlay */
};

/*
 * Answer one query from the table (pure: no I/O). query/qlen is the wire
 * query. On WOT_DNS_REPLY, resp holds *resp_len bytes (never more than
 * resp_cap); tcp selects the size limit (UDP: the client's EDNS0 size or 512,
 * truncated answers get TC). WOT_DNS_FORWARD means the name is not in the
 * overlay and the query has RD (without RD: a REFUSED reply, never
 * forwarded). WOT_DNS_CHASE: resp is a complete answer whose CNAME chain
 * leaves the overlay (RD only); a recursive server appends the target's
 * answer from the normal DNS. WOT_DNS_DROP means the packet is not worth an
 * answer. *action receives the decision. Returns 0 or a negative WOT_E* code.
 */
int wot_dns_answer(const wot_dns_table *t, const uint8_t *query, size_t qlen,
		   int tcp, uint8_t *resp, size_t resp_cap, size_t *resp_len,
		   int *action);

/*
 * The accepted set of a home as the daemon answers from it, for one-off
 * questions (`wotdns resolve`): answers come from wot_dns_answer over the
 * same table layout, reading only the shards an answer looks into (the
 * name's, its ancestors', their wildcards' and those of every CNAME
 * target). The daemon's withdrawn RRsets (neighbors, second opinions)
 * live in the daemon only and are not known here.
 */
typedef struct wot_home wot_home;
typedef struct wot_dns_view wot_dns_view;
/* Open the accepted set of h (borrowed, must outlive the view); an
 * empty one when there is none yet. Caller frees with
 * wot_dns_view_free(). WOT_ESYNTAX when the manifest does not parse. */
int wot_dns_view_open(wot_dns_view **out, wot_home *h);
/* Free v (NULL is fine). */
void wot_dns_view_free(wot_dns_view *v);
/*
 * Answer NAME (presentation form) TYPE, class IN, as a query with RD and
 * no EDNS over TCP (never truncated). *resp (caller frees) holds
 * *resp_len bytes of wire answer; *action as from wot_dns_answer:
 * WOT_DNS_FORWARD (no answer: the daemon asks the upstream) or
 * WOT_DNS_REPLY / WOT_DNS_CHASE. WOT_EINVAL for a bad name; the codes
 * of wot_dns_table_load_file when a shard file it needs cannot be read
 * or holds a bad record.
 */
int wot_dns_view_ask(wot_dns_view *v, const char *name, uint16_t type,
		     uint8_t **resp, size_t *resp_len, int *action);
/* The types held at the node that answers NAME (its own or a wildcard's),
 * up to cap, in *n (0 outside the overlay or for a missing name). Codes
 * as wot_dns_view_ask. */
int wot_dns_view_types(wot_dns_view *v, const char *name, uint16_t *types,
		       size_t cap, size_t *n);

/* Whether tld (one lower-case label, no dot) is a TLD of the normal DNS:
 * fn(ctx, tld) returns 1 if so. fn NULL: every TLD is. */
typedef struct {
	int (*fn)(void *ctx, const char *tld);
	void *ctx; /* the caller's (the daemon's home), borrowed */
} wot_dns_tld_check;

/* Forwarding loops seen by a set of servers (loopguard.c). */
typedef struct wot_dns_loopguard wot_dns_loopguard;

typedef struct {
	/* "127.0.0.1:53", "[::1]:53"; port 0 picks a free port, the same
	 * for UDP and TCP of one address. */
	const char *const *listen;
	size_t nlisten;
	/* "127.0.0.1:5353", "[::1]:53"; port defaults to 53. */
	const char *const *upstream;
	size_t nupstream;
	unsigned upstream_timeout_ms; /* per attempt; 0 = default 1500 */
	int allow_nonloopback; /* refuse non-loopback listen unless set */
	size_t cache_bytes;    /* upstream answer cache bound; 0 = no cache */
	int reuseport; /* SO_REUSEPORT, so several servers share addresses */
	/* TTL cap of upstream records, in seconds; 0 = 86400. Values with
	 * the top bit set count as 0 (RFC 2181 section 8). */
	uint32_t max_ttl;
	/* Names under a TLD only the overlay has, that no record holds, go
	 * upstream too (default 0: answered NXDOMAIN here, never sent). */
	int forward_overlay_tlds;
	/* No upstream on purpose: names outside the overlay get REFUSED. */
	int no_upstream;
	/* Shared by the servers of a pool (referenced); NULL: the server
	 * makes its own. */
	wot_dns_loopguard *loopguard;
	/* Whether a TLD (lower-case label) is one of the normal DNS's: the
	 * resolver knows no list of its own (the daemon passes the public
	 * suffix list's). fn NULL: every TLD is, so nothing is answered
	 * NXDOMAIN for lack of a TLD. */
	wot_dns_tld_check tld_is_public;
	/* The time the cache (TTLs, negative and stale entries, prefetch),
	 * the latency counters and the upstream forwarder's deadlines read
	 * (copied); NULL: the loop's (uv_now, uv_hrtime). Unit tables pass a
	 * fake one. */
	const wot_clock *clock;
	/* The upstream forwarder's network (copied); NULL: real sockets on
	 * the loop. Unit tables pass a fake one. A pool of more than one
	 * thread takes neither. */
	const wot_net_io *upstream_io;
} wot_dns_server_opts;
#define WOT_DNS_SERVER_OPTS_INIT                                               \
	{                                                                      \
		.listen = NULL, .nlisten = 0, .upstream = NULL,                \
		.nupstream = 0, .loopguard = NULL,                             \
		.tld_is_public = {.fn = NULL, .ctx = NULL}, .clock = NULL,     \
		.upstream_io = NULL                                            \
	}

/*
 * Create a server on loop (not started). The options are copied. Caller
 * releases with wot_dns_server_close(); the object is freed before cb runs.
 * WOT_EINVAL for no loop, no listen address, a bad address or a
 * non-loopback one without allow_nonloopback.
 */
int wot_dns_server_new(wot_dns_server **out, uv_loop_t *loop,
		       const wot_dns_server_opts *opts);
/* Bind every listen address (UDP and TCP) and start answering.
 * WOT_EINVAL when started already; WOT_ENET (or WOT_EIO) when an address
 * cannot be bound, the message naming it. */
int wot_dns_server_start(wot_dns_server *s);
/* Address actually bound for listen entry i, as "127.0.0.1:PORT" or
 * "[::1]:PORT", into buf (len bytes). WOT_EINVAL for an entry not
 * bound; WOT_ELIMIT when buf is too small. */
int wot_dns_server_bound(const wot_dns_server *s, size_t i, char *buf,
			 size_t len);
/* Swap in a new table atomically (takes ownership, frees the old one). */
void wot_dns_server_set_table(wot_dns_server *s, wot_dns_table *t);
/* Stop listening, cancel pending upstream queries, free; then cb(data). */
void wot_dns_server_close(wot_dns_server *s, void (*cb)(void *data),
			  void *data);

/*
 * Ask each upstream of s, all at once, a question for an unguessable name
 * and run s's loop until each has answered or sent the question back to
 * our own listeners (a forwarding loop: that upstream is marked and no
 * longer used), at most deadline_ms. *looped: how many upstreams are
 * marked. Call after wot_dns_server_start. 0 (whatever the upstreams
 * did) or WOT_ENOMEM.
 */
int wot_dns_server_probe(wot_dns_server *s, unsigned deadline_ms,
			 size_t *looped);

/* Answers by time from receiving the query to sending the answer: below
 * 0.1 ms, 1 ms, 10 ms, 100 ms, 1 s, and the rest. */
enum { WOT_DNS_LAT_BUCKETS = 6 };

/* Counters since start. */
typedef struct {
	uint64_t queries;   /* every packet received */
	uint64_t overlay;   /* answered from the overlay (and its errors) */
	uint64_t forwarded; /* not in the overlay: cache or upstream */
	uint64_t cache_hits, cache_stale, prefetches;
	uint64_t upstream_answers; /* answers that came from an upstream */
	uint64_t upstream_fail;	   /* SERVFAIL: no upstream answered */
	uint64_t dropped;	   /* not answered at all (not a query) */
	uint64_t latency[WOT_DNS_LAT_BUCKETS];
	uint64_t cache_entries, cache_bytes, cache_max_bytes; /* gauges */
} wot_dns_stats;
/* Counters of this server (add them up over several with
 * wot_dns_stats_add). */
void wot_dns_server_stats(const wot_dns_server *s, wot_dns_stats *out);
void wot_dns_stats_add(wot_dns_stats *sum, const wot_dns_stats *s);

/* One upstream server as this server's forwarder sees it. */
typedef struct {
	char addr[64];
	unsigned srtt_ms; /* 0: not measured yet */
	uint64_t sent, answered, timeouts;
	int64_t loop_at; /* unix time a forwarding loop was seen; 0: never */
} wot_dns_upstream_stat;
/* Upstream i of the server, WOT_ENOENT past the end. */
int wot_dns_server_upstream_stat(const wot_dns_server *s, size_t i,
				 wot_dns_upstream_stat *out);

/*
 * Parse "ADDR:PORT", "[V6]:PORT" or "ADDR" (default_port) into a sockaddr.
 * WOT_EINVAL with the reason for bad text (numeric only: no name lookup).
 */
int wot_dns_parse_addr(const char *spec, unsigned default_port,
		       struct sockaddr_storage *out);

/* Nameservers from a resolv.conf file that are not in the exclude list.
 * *out is a NULL-terminated array of "ADDR:53" strings; free with
 * wot_dns_strv_free(). A missing or unreadable file gives none and 0;
 * lines that do not parse are skipped. 0 or WOT_ENOMEM. */
int wot_dns_resolvconf_upstreams(const char *path,
				 const struct sockaddr_storage *exclude,
				 size_t nexclude, char ***out);
void wot_dns_strv_free(char **v);

/* ==== the resolver on one or more listener threads (pool.c,
 * SO_REUSEPORT) ==== */

typedef struct wot_dns_pool wot_dns_pool;

/*
 * threads servers with options opts (copied): the first on loop, the
 * others on threads of their own. The cache bound is shared out among
 * them. Caller releases with wot_dns_pool_close(). WOT_EINVAL for
 * threads outside 1..64 and the codes of
 * wot_dns_server_new; WOT_ELIMIT for too many upstreams.
 */
int wot_dns_pool_new(wot_dns_pool **out, uv_loop_t *loop,
		     const wot_dns_server_opts *opts, unsigned threads);
/* Bind and start answering on every thread: codes as
 * wot_dns_server_start. */
int wot_dns_pool_start(wot_dns_pool *p);
/* As wot_dns_server_bound, for the pool's listen entry i. */
int wot_dns_pool_bound(const wot_dns_pool *p, size_t i, char *buf, size_t len);
/* Swap in a new table on every thread (takes ownership). */
void wot_dns_pool_set_table(wot_dns_pool *p, wot_dns_table *t);
/* Counters summed over the threads (the other threads' are at most
 * half a second old). */
void wot_dns_pool_stats(const wot_dns_pool *p, wot_dns_stats *out);
/* How many servers (threads) p runs. */
unsigned wot_dns_pool_threads(const wot_dns_pool *p);
/* Upstream i's counters summed over the threads; WOT_ENOENT past the end. */
int wot_dns_pool_upstream_stat(const wot_dns_pool *p, size_t i,
			       wot_dns_upstream_stat *out);
/* The server on the caller's loop (borrowed), e.g. for upstream stats. */
wot_dns_server *wot_dns_pool_server(wot_dns_pool *p);
/* Stop the other threads (waits for them), close the loop's server, free;
 * cb(data) runs when the loop's server is closed. */
void wot_dns_pool_close(wot_dns_pool *p, void (*cb)(void *data), void *data);

/* ==== the table as the daemon builds and reads it ==== */

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
 * WOT_EINVAL for a bad partition or a part in the wrong place.
 */
int wot_dns_table_compose(wot_dns_table **out, wot_dns_table **parts,
			  const wot_dns_partition *how);
/* Part i of a composite (borrowed; NULL if t is not one). */
wot_dns_table *wot_dns_table_part(const wot_dns_table *t, int i);
/* Add a master file's records to the unsealed t (zonefile.c: no seal, no
 * malloc_trim). Codes as wot_dns_table_load_file. */
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

/* ---- answers the daemon's one-off view shares (answer.c, local.c) ---- */

/* The types of the RRsets at the node that answers the lowercase wire
 * name (its own, else the wildcard that covers it; none outside the
 * overlay), up to cap of them; returns how many. */
size_t wot_dns_answer_types(const wot_dns_table *t, const uint8_t *lname,
			    size_t len, uint16_t *types, size_t cap);

/* 1 if the TLD of the lowercase wire name is none of the normal DNS's
 * (as is_public says; NULL or no fn: all are), 0 for the root or a real
 * TLD. */
int wot_dns_tld_nonpublic(const uint8_t *lname, size_t len,
			  const wot_dns_tld_check *is_public);
/* 1 and *rcode (NXDOMAIN, or NOERROR for the TLD's own empty node) when
 * lname is under a TLD only the overlay has and t holds no record for it:
 * such names are answered here, never forwarded (local.c). 0 otherwise. */
int wot_dns_overlay_tld_rcode(const wot_dns_table *t, const uint8_t *lname,
			      size_t len, const wot_dns_tld_check *is_public,
			      unsigned *rcode);
/*
 * Build an error response (header, question when known, OPT when the query
 * had one) for a parsed query. Returns the length, 0 if cap is too small.
 */
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

/* Socket addresses (addr.c): format one as "ADDR:PORT" / "[V6]:PORT"
 * into buf (WOT_EINVAL for an unknown family, WOT_ELIMIT when buf is too
 * small); 1 if one is a loopback address / two are equal, else 0. */
int wot_dns_format_addr(const struct sockaddr_storage *sa, char *buf,
			size_t len);
int wot_dns_addr_is_loopback(const struct sockaddr_storage *sa);
int wot_dns_addr_equal(const struct sockaddr_storage *a,
		       const struct sockaddr_storage *b);

#endif

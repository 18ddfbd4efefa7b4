/*
 * opinion.h - the peer protocol's two questions (docs/peer-protocol.md):
 * "what do you accept for NAME/TYPE, from which source, at which commit"
 * and "which verified head do you hold for source FPR", asked as ordinary
 * DNS queries on a peer's announced endpoint.
 *
 * - the book: what this node would answer (its accepted RRsets with their
 *   provenance, and its verified heads), loaded on the thread pool;
 * - the wire: building questions, answering them from a book, and parsing
 *   answers (every byte of which is hostile);
 * - the asker: sending questions to endpoints from the loop, with a
 *   timeout per question.
 */
#ifndef WOT_DNS_OPINION_H
#define WOT_DNS_OPINION_H

#include "dns/net/net.h"
#include "dns/resolver/resolver.h"
#include "sync/sync.h"

#include <ldns/ldns.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#define WOT_OPINION_OWNER "_opinion._wotdns."
enum {
	WOT_OPINION_UDP_MAX = 1232,  /* largest answer over UDP */
	WOT_OPINION_TCP_MAX = 16384, /* largest answer over TCP */
	WOT_OPINION_DIGEST_MAX = 4096
};

/* ---- the book (opinion_book.c) ---- */

/* One accepted RRset with its provenance (all strings owned by the book). */
typedef struct {
	char *name; /* lowercase, absolute ("www.alice.wot.") */
	uint16_t type;
	char *source; /* our name for the source */
	char fpr[WOT_FPR_MAX];
	char commit[WOT_OID_MAX];
	char *digest; /* canonical form, see wot_opinion_digest */
	ldns_rr_list *rrs;
	/* Entries may be shared by several books: they never change once
	 * loaded. Marks (withdrawn) are the book's: wot_opinion_book_withdrawn
	 */
} wot_opinion_rrset;

/* A verified head we hold. */
typedef struct {
	char fpr[WOT_FPR_MAX];
	char source[65];
	char commit[WOT_OID_MAX];
	int64_t time; /* commit time; 0 unknown */
} wot_opinion_head;

typedef struct wot_opinion_book wot_opinion_book;

/*
 * Load the accepted set's shards (state/accepted/: each shard's records and
 * the claims giving their provenance) and the verified heads of the
 * sources (blocking: run it on the thread pool). A home without accepted
 * records gives an empty book. Caller frees with wot_opinion_book_free().
 */
int wot_opinion_book_load(wot_opinion_book **out, wot_home *h);
/*
 * The same, taking from prev (may be NULL) every shard whose files did not
 * change since prev was loaded (same FILEGEN and content hash); only the
 * others are parsed. The parts taken are shared, not copied: prev may be
 * freed before or after *out, on any thread, but must stay alive until
 * this returns. prev is only read, so the loop may keep reading it.
 */
int wot_opinion_book_reload(wot_opinion_book **out, wot_home *h,
			    const wot_opinion_book *prev);
/* A book holding nothing (nobody to answer or ask: the records are not
 * loaded twice for nothing). */
int wot_opinion_book_empty(wot_opinion_book **out);
void wot_opinion_book_free(wot_opinion_book *b);
/* Borrowed entry for name (any case, absolute or not) and type, or NULL. */
const wot_opinion_rrset *wot_opinion_book_get(const wot_opinion_book *b,
					      const char *name, uint16_t type);
/* Borrowed head of the source owned by fpr, or NULL. */
const wot_opinion_head *wot_opinion_book_head(const wot_opinion_book *b,
					      const char *fpr);
/* Entry i (0 .. count-1) in a stable order (by shard, then name and
 * type). */
size_t wot_opinion_book_count(const wot_opinion_book *b);
const wot_opinion_rrset *wot_opinion_book_at(const wot_opinion_book *b,
					     size_t i);

/*
 * Mark the RRset name/type of b withdrawn (after a failed check: answered
 * as "none"). Only while b is not yet shared with the loop. 0, or
 * WOT_ENOMEM.
 */
int wot_opinion_book_withdraw(wot_opinion_book *b, const char *name,
			      uint16_t type);
/* 1 if entry s is marked withdrawn in b, else 0. */
int wot_opinion_book_withdrawn(const wot_opinion_book *b,
			       const wot_opinion_rrset *s);
/*
 * Call fn for every entry of nb that ob may not hold the same: those of
 * the shards whose files differ between the two books, and those withdrawn
 * in ob (ob NULL: every entry). The caller still compares each with ob's.
 */
void wot_opinion_book_changes(const wot_opinion_book *nb,
			      const wot_opinion_book *ob,
			      void (*fn)(void *ctx, const wot_opinion_rrset *s),
			      void *ctx);

/*
 * A table of every RRset of b except those for which skip(ctx, set)
 * returns 1 (withdrawn ones: the book's marks and the daemon's withdrawn
 * set). Caller frees *out with wot_dns_table_free.
 */
int wot_opinion_book_table(const wot_opinion_book *b,
			   int (*skip)(void *ctx, const wot_opinion_rrset *s),
			   void *ctx, wot_dns_table **out);

/*
 * Canonical text of the records of rrs owned by name with this type
 * (rdata only, TTL and case of names ignored, sorted, one per line), so
 * two RRsets compare with strcmp. Caller frees *out.
 */
int wot_opinion_digest(const ldns_rr_list *rrs, const char *name, uint16_t type,
		       char **out);

/* ---- the wire (opinion_wire.c) ---- */

/* A question about name/type (record) into buf; *len its length. */
int wot_opinion_query_record(uint8_t *buf, size_t cap, uint16_t id,
			     const char *name, uint16_t type, size_t *len);
/* The head question for fpr ("<fpr>._wotdns. TXT"). */
int wot_opinion_query_head(uint8_t *buf, size_t cap, uint16_t id,
			   const char *fpr, size_t *len);

/*
 * Answer a QUERY that arrived on the peer port from book b (may be NULL:
 * nothing accepted yet). pkt is hostile. Returns the reply length, 0 when
 * the packet gets no reply. A cap of at most
 * WOT_OPINION_UDP_MAX is a UDP answer: it also keeps to the asker's EDNS
 * size (512 without), TC set when the RRset does not fit. A larger cap is
 * a TCP answer, which may fill the whole cap.
 */
size_t wot_opinion_answer(const wot_opinion_book *b, const uint8_t *pkt,
			  size_t len, uint8_t *out, size_t cap);

/* What a peer said. */
typedef struct {
	int rcode;
	int truncated;
	int none; /* the peer accepts nothing there / holds no such head */
	char fpr[WOT_FPR_MAX];
	char commit[WOT_OID_MAX];
	char source[65];
	int64_t time; /* head answers */
	char *digest; /* record answers (caller frees); NULL if none */
} wot_opinion_reply;

/*
 * Parse a reply to our question id about name/type (type TXT and name
 * "<fpr>._wotdns." for a head question). WOT_EDNS when pkt is not a
 * well-formed answer to that question. Free with wot_opinion_reply_dispose.
 */
int wot_opinion_reply_parse(const uint8_t *pkt, size_t len, uint16_t id,
			    const char *name, uint16_t type,
			    wot_opinion_reply *out);
void wot_opinion_reply_dispose(wot_opinion_reply *r);

/* ---- the asker (opinion_ask.c) ---- */

typedef struct wot_opinion_asker wot_opinion_asker;

/* Answer to one question: pkt NULL on timeout (borrowed during the call). */
typedef void (*wot_opinion_ask_cb)(void *data, const uint8_t *pkt, size_t len,
				   uint16_t id);

int wot_opinion_asker_new(wot_opinion_asker **out, uv_loop_t *loop);
/* The same on the engine o describes (an injected clock and network in
 * tests). Returns 0, WOT_EINVAL, WOT_EIO or WOT_ENOMEM. */
int wot_opinion_asker_new_net(wot_opinion_asker **out,
			      const wot_net_client_opts *o);
/*
 * Send the questions of addr's family from addr's IP (any port), so that
 * peers see the address this node listens on and rate-limit it alone.
 * The any address (0.0.0.0, ::) keeps the default; the first specific
 * address of a family wins; call before the first question of that
 * family. Returns 0 or WOT_EINVAL for an address that does not parse.
 */
int wot_opinion_asker_source(wot_opinion_asker *a, const char *addr);
/*
 * Send the question q (its id is in its first two bytes) to endpoint
 * ("ADDR:PORT"), once, and call cb with the first matching reply or NULL
 * after timeout_ms. A matching UDP reply with TC set is not passed on:
 * the same question goes to the same address over TCP (a new timeout_ms,
 * answers of at most WOT_OPINION_TCP_MAX bytes), and cb gets the TCP
 * answer, or the truncated UDP reply when TCP brought no whole answer
 * with our id. Returns 0 or a negative code (then cb never runs).
 */
int wot_opinion_ask(wot_opinion_asker *a, const char *endpoint,
		    const uint8_t *q, size_t qlen, unsigned timeout_ms,
		    wot_opinion_ask_cb cb, void *data);
/* Counters: questions sent, answers, timeouts, bytes out and in (UDP and
 * TCP), questions asked again over TCP and of them those that failed. */
typedef struct {
	uint64_t sent, answered, timeouts, bytes_out, bytes_in;
	uint64_t tcp, tcp_failed;
} wot_opinion_ask_stats;
void wot_opinion_asker_stats(const wot_opinion_asker *a,
			     wot_opinion_ask_stats *out);
/* Questions still pending are cancelled and their callbacks dropped
 * (never called: the callers free what they point at before closing);
 * cb(data) once closed. */
void wot_opinion_asker_close(wot_opinion_asker *a, void (*cb)(void *data),
			     void *data);

#endif

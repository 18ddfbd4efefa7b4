/*
 * peer.h - the peer protocol's public header: what other rooms and the
 * CLI use of it.
 */
#ifndef WOT_DNS_PEER_H
#define WOT_DNS_PEER_H

#include "sync/sync.h"

#include <stddef.h>
#include <stdint.h>

/* ==== issue 15 (i15-sync): second opinions for the CLI's `opinions`;
 * merge with the rest of this header ==== */

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

/* Release what r holds (not r itself). */
void wot_opinion_reply_dispose(wot_opinion_reply *r);

/*
 * The second opinions the daemon saved (state/opinions.json, its last
 * checks) about name (any case, absolute or not) and type (0: every type),
 * as a JSON array of checks, oldest first (caller frees *json): {name,
 * type, source, commit, time, answers: [{peer, verdict, commit,
 * peer_source, weight, note}], heads: [{peer, commit, peer_source}]}.
 * *count gets their number. No file yet is no check: "[]". Returns 0 or
 * WOT_ENOMEM.
 */
int wot_opinions_saved(wot_home *h, const char *name, uint16_t type,
		       char **json, size_t *count);

/* One question asked now (wot_opinion_ask_now). */
typedef struct {
	const char *endpoint; /* "ADDR:PORT" of the peer */
	const char *name;     /* the record question about name/type... */
	uint16_t type;
	const char *fpr;     /* ...or, when set, the head question */
	unsigned timeout_ms; /* per attempt (UDP, then TCP after TC) */
} wot_opinion_ask_opts;
#define WOT_OPINION_ASK_OPTS_INIT                                              \
	{                                                                      \
		.endpoint = NULL, .name = NULL, .type = 1 /* A */,             \
		.fpr = NULL, .timeout_ms = 2000                                \
	}

/*
 * Ask one peer one question now and wait for the answer, on a loop of
 * its own (blocking; never from the daemon's loop). *out gets the parsed
 * answer (dispose it) when 0 is returned. WOT_EINVAL for a bad name,
 * fingerprint or endpoint; WOT_ENET when no answer came in time; WOT_EDNS
 * when the answer is no well-formed answer to the question.
 */
int wot_opinion_ask_now(const wot_opinion_ask_opts *opts,
			wot_opinion_reply *out);

/* ==== end of the i15-sync section ==== */

#endif

/*
 * shard.c - which part of the accepted set a name belongs to.
 *
 * The accepted set is kept in 4096 shards plus "top" (state/accepted/), so
 * that a change in one source rewrites, and the resolver reloads, only the
 * shards of the names it touches. A name's shard is decided by its last two
 * labels: every ancestor a decision depends on (holders, grants, the
 * closest accepted apex) then lies in the same shard, except the names of
 * one label or the root, which are ancestors of everything and form "top".
 * The hash is FNV-1a over the lower-cased wire form of those two labels, so
 * the resolver can place a query name without printing it.
 */
#include "sync/accept/accept.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int wot_shard_of_wire(const uint8_t *wire, size_t len)
{
	size_t off = 0, prev = 0, prev2 = 0, labels = 0;
	uint32_t h = 2166136261u;

	/* Offsets of the last two labels; stop at the root or the end. */
	while (off < len && wire[off] != 0) {
		prev2 = prev;
		prev = off;
		labels++;
		off += (size_t)wire[off] + 1;
	}
	if (labels < 2 || off > len)
		return WOT_SHARD_TOP;
	for (size_t i = prev2; i < off; i++)
		h = (h ^ (uint8_t)tolower(wire[i])) * 16777619u;
	return (int)(h % WOT_SHARDS);
}

/* Text name (absolute or not, ldns escapes) to wire form; -1 if it is
 * not a name. */
static int to_wire(const char *name, uint8_t *w, size_t cap, size_t *len)
{
	size_t lab = 0, at = 1; /* w[lab] is the open label's length */

	if (!strcmp(name, ".")) {
		w[0] = 0;
		*len = 1;
		return 0;
	}
	for (const char *p = name; *p; p++) {
		unsigned c = (unsigned char)*p;
		if (c == '.') {
			if (at - lab - 1 == 0)
				return -1; /* empty label */
			w[lab] = (uint8_t)(at - lab - 1);
			lab = at++;
			continue;
		}
		if ((c = wot_name_char(&p)) > 255)
			return -1;
		if (at + 2 > cap || at - lab > 63)
			return -1;
		w[at++] = (uint8_t)c;
	}
	if (at - lab - 1 > 0) { /* relative name: close its last label */
		w[lab] = (uint8_t)(at - lab - 1);
		lab = at;
	}
	w[lab] = 0;
	*len = lab + 1;
	return 0;
}

int wot_shard_of_name(const char *name)
{
	uint8_t w[256];
	size_t len = 0;

	/* A name that cannot be read is never served; top only costs time. */
	return to_wire(name, w, sizeof(w), &len) < 0
		   ? WOT_SHARD_TOP
		   : wot_shard_of_wire(w, len);
}

void wot_shard_id(int shard, char out[WOT_SHARD_ID_MAX])
{
	if (shard == WOT_SHARD_TOP)
		snprintf(out, WOT_SHARD_ID_MAX, "top");
	else
		snprintf(out, WOT_SHARD_ID_MAX, "%03x", (unsigned)shard);
}

int wot_shard_parse(const char *id)
{
	char *end = NULL;
	unsigned long v;

	if (!strcmp(id, "top"))
		return WOT_SHARD_TOP;
	if (strlen(id) != 3 || !isxdigit((unsigned char)id[0]))
		return -1;
	v = strtoul(id, &end, 16);
	return *end || v >= WOT_SHARDS ? -1 : (int)v;
}

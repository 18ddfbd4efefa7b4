/* map.c - open-addressing string hash map (FNV-1a, mixed; linear probing). */
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

/* Each slot keeps its key's hash: a probe compares hashes first, so it
 * neither follows the key pointer nor runs strcmp on a mismatch (at a
 * million names those were a quarter of a recompute). */
struct wot_map {
	char **keys;
	void **vals;
	uint64_t *hashes;
	size_t cap, count;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	/* FNV's low bits, which pick the slot, mix poorly for names that
	 * differ only near their end: fold the high bits in. */
	h ^= h >> 32;
	h *= 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}

int wot_map_new(wot_map **out)
{
	wot_map *m = calloc(1, sizeof(*m));

	*out = NULL;
	if (!m)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	m->cap = 16;
	m->keys = calloc(m->cap, sizeof(*m->keys));
	m->vals = calloc(m->cap, sizeof(*m->vals));
	m->hashes = calloc(m->cap, sizeof(*m->hashes));
	if (!m->keys || !m->vals || !m->hashes) {
		wot_map_free(m, NULL);
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	*out = m;
	return 0;
}

void wot_map_free(wot_map *m, void (*free_val)(void *))
{
	if (!m)
		return;
	for (size_t i = 0; m->keys && i < m->cap; i++) {
		if (!m->keys[i])
			continue;
		free(m->keys[i]);
		if (free_val)
			free_val(m->vals[i]);
	}
	free(m->keys);
	free(m->vals);
	free(m->hashes);
	free(m);
}

static size_t slot_h(const wot_map *m, const char *key, uint64_t h)
{
	size_t i = h & (m->cap - 1);

	while (m->keys[i] && (m->hashes[i] != h || strcmp(m->keys[i], key)))
		i = (i + 1) & (m->cap - 1);
	return i;
}

void *wot_map_get(const wot_map *m, const char *key)
{
	size_t i = slot_h(m, key, hash(key));
	return m->keys[i] ? m->vals[i] : NULL;
}

static int grow(wot_map *m)
{
	wot_map big = {NULL, NULL, NULL, m->cap * 2, 0};

	big.keys = calloc(big.cap, sizeof(*big.keys));
	big.vals = calloc(big.cap, sizeof(*big.vals));
	big.hashes = calloc(big.cap, sizeof(*big.hashes));
	if (!big.keys || !big.vals || !big.hashes) {
		free(big.keys);
		free(big.vals);
		free(big.hashes);
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->keys[i])
			continue;
		/* keys are distinct: the first free slot is theirs */
		size_t j = m->hashes[i] & (big.cap - 1);
		while (big.keys[j])
			j = (j + 1) & (big.cap - 1);
		big.keys[j] = m->keys[i];
		big.vals[j] = m->vals[i];
		big.hashes[j] = m->hashes[i];
	}
	free(m->keys);
	free(m->vals);
	free(m->hashes);
	m->keys = big.keys;
	m->vals = big.vals;
	m->hashes = big.hashes;
	m->cap = big.cap;
	return 0;
}

int wot_map_put(wot_map *m, const char *key, void *val, void **old)
{
	uint64_t h = hash(key);
	size_t i;

	if (old)
		*old = NULL;
	if ((m->count + 1) * 4 > m->cap * 3 && grow(m) < 0)
		return WOT_ENOMEM;
	i = slot_h(m, key, h);
	if (m->keys[i]) {
		if (old)
			*old = m->vals[i];
		m->vals[i] = val;
		return 0;
	}
	if (!(m->keys[i] = strdup(key)))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	m->vals[i] = val;
	m->hashes[i] = h;
	m->count++;
	return 0;
}

size_t wot_map_count(const wot_map *m)
{
	return m->count;
}

int wot_map_next(const wot_map *m, size_t *pos, const char **key, void **val)
{
	while (*pos < m->cap) {
		size_t i = (*pos)++;
		if (m->keys[i]) {
			*key = m->keys[i];
			*val = m->vals[i];
			return 1;
		}
	}
	return 0;
}

/* map.c - open-addressing string hash map (FNV-1a, linear probing). */
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

struct wot_map {
	char **keys;
	void **vals;
	size_t cap, count;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
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
	if (!m->keys || !m->vals) {
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
	free(m);
}

static size_t slot(const wot_map *m, const char *key)
{
	size_t i = hash(key) & (m->cap - 1);

	while (m->keys[i] && strcmp(m->keys[i], key))
		i = (i + 1) & (m->cap - 1);
	return i;
}

void *wot_map_get(const wot_map *m, const char *key)
{
	size_t i = slot(m, key);
	return m->keys[i] ? m->vals[i] : NULL;
}

static int grow(wot_map *m)
{
	wot_map big = {NULL, NULL, m->cap * 2, 0};

	big.keys = calloc(big.cap, sizeof(*big.keys));
	big.vals = calloc(big.cap, sizeof(*big.vals));
	if (!big.keys || !big.vals) {
		free(big.keys);
		free(big.vals);
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->keys[i])
			continue;
		size_t j = slot(&big, m->keys[i]);
		big.keys[j] = m->keys[i];
		big.vals[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = big.keys;
	m->vals = big.vals;
	m->cap = big.cap;
	return 0;
}

int wot_map_put(wot_map *m, const char *key, void *val, void **old)
{
	size_t i;

	if (old)
		*old = NULL;
	if ((m->count + 1) * 4 > m->cap * 3 && grow(m) < 0)
		return WOT_ENOMEM;
	i = slot(m, key);
	if (m->keys[i]) {
		if (old)
			*old = m->vals[i];
		m->vals[i] = val;
		return 0;
	}
	if (!(m->keys[i] = strdup(key)))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	m->vals[i] = val;
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

/*
 * accepted.c - loading the accepted record set for serving, with its
 * generation.
 *
 * Timed syncs and NOTIFY-driven syncs run on different pool threads and
 * can finish in either order; the generation (the file's change time, read
 * before the records) lets the daemon refuse to swap an older record set
 * over a newer one.
 */
#include "dns/propagate.h"
#include "util/util.h"

#include <stdlib.h>
#include <sys/stat.h>

static uint64_t gen_of(const struct stat *st)
{
	return (uint64_t)st->st_mtim.tv_sec * 1000000000u +
	       (uint64_t)st->st_mtim.tv_nsec;
}

uint64_t wot_dns_accepted_gen(wot_home *h)
{
	char *path = wot_home_path(h, "state/accepted.zone");
	struct stat st;
	uint64_t gen = path && stat(path, &st) == 0 ? gen_of(&st) : 0;

	free(path);
	return gen;
}

int wot_dns_accepted_load(wot_home *h, wot_dns_table **out, uint64_t *gen)
{
	char *path = wot_home_path(h, "state/accepted.zone");
	struct stat st;
	int rc;

	*gen = 0;
	if (!path)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	/* Stat first: content read afterwards is at least this new. */
	if (stat(path, &st) == 0) {
		*gen = gen_of(&st);
		rc = wot_dns_table_load_file(out, path);
	} else
		rc = wot_dns_table_new(out);
	free(path);
	return rc;
}

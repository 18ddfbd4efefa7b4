/* desktop_plan.h - the changes one setup run makes (internal). */
#ifndef WOT_DNS_DESKTOP_PLAN_H
#define WOT_DNS_DESKTOP_PLAN_H

#include "dns/desktop/desktop_wire.h"

struct wd_plan {
	struct wd_change *c;
	size_t n;
};

void wd_plan_clear(struct wd_plan *p);
/* A unit or resolved step; what is the unit name or the server. */
int wd_plan_op(struct wd_plan *p, enum wd_op op, const char *what,
	       const char *why);
/* Creates dir and each missing ancestor. */
int wd_plan_mkdir(struct wd_plan *p, const char *dir, const char *why);
/* path gets data (taken over); nothing when it is already so. A new file
 * is 0644 root's; an existing one keeps its mode and owner. */
int wd_plan_write(struct wd_plan *p, const char *path, char *data,
		  const struct wd_orig *now, const char *why);
/* Prints each change and a diff-like summary of each file. */
void wd_plan_print(FILE *out, const struct wd_plan *p);

#endif

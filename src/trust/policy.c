/* policy.c - signer weights, the shadowing policy, grant records. */
#include "trust/trust.h"
#include "util/util.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

double wot_trust_weight(const wot_trust_policy *p, wot_validity v, int level)
{
	double base;

	switch (v) {
	case WOT_VALIDITY_ULTIMATE:
		base = p->weight_ultimate;
		break;
	case WOT_VALIDITY_FULL:
		base = p->weight_full;
		break;
	case WOT_VALIDITY_MARGINAL:
		base = p->weight_marginal;
		break;
	default:
		return 0.0;
	}
	/* Trust thins out with distance: a friend of a friend's word counts
	 * less than a friend's. */
	if (level <= 1)
		return base;
	return base / (1.0 + p->level_decay * (double)(level - 1));
}

static const char *const shadow_names[] = {"nobody", "friends", "valid"};

const char *wot_shadow_name(wot_shadow_policy s)
{
	return (unsigned)s <= WOT_SHADOW_VALID ? shadow_names[s] : "?";
}

int wot_shadow_parse(const char *s, wot_shadow_policy *out)
{
	for (int i = 0; i <= WOT_SHADOW_VALID; i++)
		if (!strcmp(s, shadow_names[i])) {
			*out = (wot_shadow_policy)i;
			return 0;
		}
	return wot_error_set(WOT_EINVAL,
			     "unknown shadow policy '%s' (nobody, friends, "
			     "valid)",
			     s);
}

/* "v=wotdns1; transfer=FPR" or "v=wotdns1; delegate=FPR" (spaces free). */
int wot_grant_parse(const char *txt, wot_grant_kind *kind, char to[WOT_FPR_MAX])
{
	char buf[256], *save = NULL, *tok;
	int version = 0;

	*kind = 0;
	to[0] = '\0';
	if (strlen(txt) >= sizeof(buf))
		return WOT_EINVAL;
	snprintf(buf, sizeof(buf), "%s", txt);
	for (tok = strtok_r(buf, ";", &save); tok;
	     tok = strtok_r(NULL, ";", &save)) {
		while (isspace((unsigned char)*tok))
			tok++;
		for (char *e = tok + strlen(tok);
		     e > tok && isspace((unsigned char)e[-1]);)
			*--e = '\0';
		if (!strcmp(tok, "v=wotdns1")) {
			version = 1;
		} else if (!*kind && !strncmp(tok, "transfer=", 9)) {
			*kind = WOT_GRANT_TRANSFER;
			snprintf(to, WOT_FPR_MAX, "%s", tok + 9);
		} else if (!*kind && !strncmp(tok, "delegate=", 9)) {
			*kind = WOT_GRANT_DELEGATE;
			snprintf(to, WOT_FPR_MAX, "%s", tok + 9);
		}
	}
	wot_fpr_normalise(to);
	if (!version || !*kind || !wot_fpr_valid(to)) {
		*kind = 0;
		return WOT_EINVAL;
	}
	return 0;
}

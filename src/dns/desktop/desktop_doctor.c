/* desktop_doctor.c - `wotdns doctor`: the wiring end to end, each problem
 * on one line with its fix. Reads only; runs as the home's user. */
#include "dns/desktop/desktop_check.h"
#include "sync/sync.h"
#include "trust/trust.h"
#include "util/util.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

struct doc {
	const struct wot_dns_desktop_check_opts *o;
	FILE *out;
	int *problems;
	wot_home *h;
	const wot_config *cfg;
	struct wd_wiring w;
	const char *listen; /* where the daemon answers */
};

static void check_keyring(struct doc *d)
{
	wot_trust *t = NULL;
	wot_key_info k;
	char fpr[WOT_FPR_MAX];

	if (wot_home_trust(d->h, &t) < 0) {
		wd_say(d->problems, false, d->out,
		       "keyring: %s: fix the keyring named in %s/config",
		       wot_error_last(), wot_home_dir(d->h));
		return;
	}
	if (wot_trust_find_key(t, d->cfg->key, 1, fpr) < 0 ||
	    wot_trust_key_info(t, d->cfg->key, &k) < 0 || k.revoked ||
	    k.expired)
		wd_say(d->problems, false, d->out,
		       "keyring: your key %s is missing, has no secret part, "
		       "or is revoked or expired: restore it or run 'wotdns "
		       "init' on a new home",
		       d->cfg->key);
	else
		wd_say(d->problems, true, d->out, "keyring usable, key %s",
		       d->cfg->key);
	wot_trust_free(t);
}

/* The upstreams serve would use: the config's, else resolv.conf's. */
static char **upstreams(const struct doc *d, bool *from_resolv)
{
	char **ups = NULL, *text = NULL;
	size_t len;

	*from_resolv = !d->cfg->upstream || !d->cfg->upstream[0];
	if (!*from_resolv) {
		for (size_t i = 0; d->cfg->upstream[i]; i++)
			wot_strv_push(&ups, d->cfg->upstream[i]);
		return ups;
	}
	if (wot_file_read(WD_RESOLV, WD_MAX_FILE, &text, &len) == 0)
		wd_resolv_nameservers(text, &ups);
	free(text);
	return ups;
}

/* Whether an upstream address is wotdns itself (a loop). */
static bool is_self(const struct doc *d, const char *up)
{
	struct sockaddr_storage a, b;

	if (wot_addr_parse(up, 53, &a) < 0)
		return false;
	for (size_t i = 0; d->cfg->listen && d->cfg->listen[i]; i++)
		if (wot_addr_parse(d->cfg->listen[i], 53, &b) == 0 &&
		    !memcmp(&a, &b, sizeof(a)))
			return true;
	return d->listen && wot_addr_parse(d->listen, 53, &b) == 0 &&
	       !memcmp(&a, &b, sizeof(a));
}

static void check_upstream(struct doc *d)
{
	bool from_resolv, any = false, answers = false;
	char **ups = upstreams(d, &from_resolv);
	int rcode;

	for (size_t i = 0; ups && ups[i]; i++) {
		if (is_self(d, ups[i])) {
			wd_say(d->problems, false, d->out,
			       "upstream %s is wotdns itself (a loop): set "
			       "'[serve] upstream = ADDR' in %s/config to "
			       "your network's nameserver",
			       ups[i], wot_home_dir(d->h));
			continue;
		}
		any = true;
		if (!answers &&
		    wd_dns_ask(ups[i], d->o->normal, 1500, &rcode) == 0)
			answers = true;
	}
	if (!any)
		wd_say(d->problems, false, d->out,
		       "no upstream besides wotdns itself%s: ordinary names "
		       "would fail; set '[serve] upstream = ADDR' in "
		       "%s/config",
		       from_resolv ? " in /etc/resolv.conf" : "",
		       wot_home_dir(d->h));
	else
		wd_say(d->problems, answers, d->out,
		       "an upstream answers for %s%s", d->o->normal,
		       answers ? ""
			       : ": none does; set '[serve] upstream = "
				 "ADDR' to a nameserver that answers");
	wot_strv_free(ups);
}

static void check_nss_module(struct doc *d)
{
	char *text = NULL;
	size_t len;
	void *so;

	if (wot_file_read(WD_NSSWITCH, WD_MAX_FILE, &text, &len) < 0 ||
	    !wot_dns_desktop_nss_named(text)) {
		free(text);
		return;
	}
	free(text);
	/* The search glibc's NSS itself does for the module. */
	so = dlopen("libnss_wotdns.so.2", RTLD_LAZY | RTLD_LOCAL);
	wd_say(d->problems, so != NULL, d->out,
	       "%s names wotdns and libnss_wotdns.so.2 %s", WD_NSSWITCH,
	       so ? "is installed"
		  : "is NOT installed: install it (cmake --install) or run "
		    "'sudo wotdns desktop undo'");
	if (so)
		dlclose(so);
}

/* Whether the wiring (if any) is this home's. */
static void check_wiring(struct doc *d)
{
	struct wd_user u;
	char a[PATH_MAX], b[PATH_MAX];

	if (wd_wiring_find(&d->w) < 0 || !d->w.dropin) {
		wd_say(d->problems, false, d->out,
		       "the system does not ask wotdns: run 'sudo wotdns "
		       "desktop setup --user %s'",
		       getenv("USER") ? getenv("USER") : "USER");
		return;
	}
	if (wd_user_lookup(d->w.user, &u) < 0 || !realpath(u.home, a) ||
	    !realpath(wot_home_dir(d->h), b) || strcmp(a, b))
		wd_say(d->problems, false, d->out,
		       "the system is wired to %s's home, not to %s: run "
		       "doctor as %s, or 'sudo wotdns desktop undo' and set "
		       "up again for yourself",
		       d->w.user, wot_home_dir(d->h), d->w.user);
	else
		wd_say(d->problems, true, d->out,
		       "wired (%s) to this home, wotdns on %s", d->w.mode,
		       d->w.listen);
	wd_user_clear(&u);
	d->listen = d->w.listen;
	wd_check_files(&d->w, d->out, d->problems);
}

static void check_routes(struct doc *d)
{
	struct wot_dns_routes r = {0};
	char *path;

	if (!d->w.mode || strcmp(d->w.mode, "resolved"))
		return;
	path = wot_state_path(d->h, WOT_STATE_ROUTES);
	if (path && wot_dns_routes_read(path, &r) == 0)
		wd_say(d->problems, true, d->out,
		       "routes: %zu domains go to wotdns (%s)", r.n_route,
		       path);
	else
		wd_say(d->problems, false, d->out,
		       "routes: %s: start the daemon (it writes them), then "
		       "'sudo wotdns desktop refresh'",
		       wot_error_last());
	wot_dns_routes_clear(&r);
	free(path);
}

int wot_dns_desktop_doctor(const struct wot_dns_desktop_check_opts *o,
			   int *problems)
{
	struct doc d = {.o = o, .out = o->out, .problems = problems};
	char *pick = NULL;

	*problems = 0;
	if (wot_home_open(&d.h, o->home) < 0) {
		wd_say(problems, false, o->out,
		       "home: %s (run 'wotdns init' to make one)",
		       wot_error_last());
		return 0;
	}
	d.cfg = wot_home_config(d.h);
	wd_say(problems, true, o->out, "home %s", wot_home_dir(d.h));
	check_keyring(&d);
	check_wiring(&d);
	if (!d.listen)
		d.listen = d.cfg->listen && d.cfg->listen[0] ? d.cfg->listen[0]
							     : WD_LISTEN_53;
	pick = o->name ? NULL : wd_pick_overlay_name(wot_home_dir(d.h));
	wd_check_daemon(d.listen,
			o->name ? o->name
			: pick	? pick
				: o->normal,
			o->out, problems);
	check_upstream(&d);
	check_nss_module(&d);
	check_routes(&d);
	wd_check_names(o->name ? o->name : pick, o->normal, o->out, problems);
	free(pick);
	wd_wiring_clear(&d.w);
	wot_home_free(d.h);
	return 0;
}

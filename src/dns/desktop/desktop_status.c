/* desktop_status.c - `wotdns desktop status`: what is wired, and whether
 * names resolve through the system's own resolver. Reads only. */
#include "dns/desktop/desktop_check.h"
#include "util/util.h"

#include <glob.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void wd_wiring_clear(struct wd_wiring *w)
{
	free(w->mode);
	free(w->user);
	free(w->listen);
	free(w->dropin);
	memset(w, 0, sizeof(*w));
}

int wd_wiring_find(struct wd_wiring *w)
{
	glob_t g;
	int rc = 0;

	memset(w, 0, sizeof(*w));
	if (glob(WD_UNIT_DIR "/wotdns@*.service.d/desktop.conf", 0, NULL, &g) !=
	    0)
		return 0;
	for (size_t i = 0; i < g.gl_pathc && !w->dropin; i++) {
		char *text = NULL;
		size_t len;
		if (wot_file_read(g.gl_pathv[i], WD_MAX_FILE, &text, &len) < 0)
			continue;
		if (wd_dropin_parse(text, &w->mode, &w->user, &w->listen) ==
			0 &&
		    w->mode && w->user && w->listen)
			w->dropin = strdup(g.gl_pathv[i]);
		else {
			free(w->mode);
			free(w->user);
			free(w->listen);
			w->mode = w->user = w->listen = NULL;
		}
		free(text);
	}
	globfree(&g);
	if (w->mode && !w->dropin)
		rc = wot_error_set(WOT_ENOMEM, "out of memory");
	return rc;
}

void wd_say(int *problems, bool ok, FILE *out, const char *fmt, ...)
{
	va_list ap;

	fputs(ok ? "ok       " : "PROBLEM  ", out);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
	if (!ok)
		(*problems)++;
}

void wd_check_names(const char *overlay, const char *normal, FILE *out,
		    int *problems)
{
	char addr[64];

	if (!overlay)
		fprintf(out, "note     no overlay name to try (none accepted "
			     "yet, or the home is not readable): give "
			     "--name NAME\n");
	else if (wd_gai(overlay, addr, sizeof(addr)) == 0)
		wd_say(problems, true, out,
		       "overlay name %s resolves through the system: %s",
		       overlay, addr);
	else
		wd_say(problems, false, out,
		       "overlay name %s does not resolve through the "
		       "system (%s): is the daemon up and the system wired "
		       "to it? ('wotdns doctor' says)",
		       overlay, wot_error_last());
	if (wd_gai(normal, addr, sizeof(addr)) == 0)
		wd_say(problems, true, out,
		       "normal name %s resolves through the system: %s", normal,
		       addr);
	else
		wd_say(problems, false, out,
		       "normal name %s does not resolve through the system "
		       "(%s): check the daemon's upstream ('wotdns doctor' "
		       "says)",
		       normal, wot_error_last());
}

void wd_check_daemon(const char *listen, const char *name, FILE *out,
		     int *problems)
{
	int rcode = 0;

	if (wd_dns_ask(listen, name, 1500, &rcode) == 0)
		wd_say(problems, true, out, "the daemon answers on %s", listen);
	else
		wd_say(problems, false, out,
		       "the daemon does not answer on %s (%s): start it "
		       "(sudo systemctl start wotdns@USER, or wotdns serve)",
		       listen, wot_error_last());
}

static void unit_state(const struct wd_wiring *w, FILE *out, int *problems)
{
	char *unit = wot_strdup_printf("wotdns@%s.service", w->user);
	const char *en[] = {"systemctl", "is-enabled", "--quiet", unit, NULL};
	const char *ac[] = {"systemctl", "is-active", "--quiet", unit, NULL};
	FILE *null = fopen("/dev/null", "w");

	if (!unit || !null)
		goto out;
	if (!wd_systemd_running()) {
		fprintf(out, "note     systemd is not running: the unit is "
			     "not used; wotdns serve runs by hand\n");
		goto out;
	}
	wd_say(problems, wd_run(en, null) == 0, out, "%s is enabled%s", unit,
	       "");
	wd_say(problems, wd_run(ac, null) == 0, out, "%s is active", unit);
out:
	if (null)
		fclose(null);
	free(unit);
}

void wd_check_files(const struct wd_wiring *w, FILE *out, int *problems)
{
	char *text = NULL, **ns = NULL;
	size_t len;
	bool nss_conf = wot_path_exists(WD_NSS_CONF);

	if (!strcmp(w->mode, "plain") || !strcmp(w->mode, "nm")) {
		if (wot_file_read(WD_RESOLV, WD_MAX_FILE, &text, &len) == 0)
			wd_resolv_nameservers(text, &ns);
		wd_say(problems, ns && !strcmp(ns[0], "127.0.0.1"), out,
		       "%s asks wotdns first (nameserver %s)", WD_RESOLV,
		       ns ? ns[0] : "none");
		free(text);
		text = NULL;
		wot_strv_free(ns);
	}
	if (!strcmp(w->mode, "resolved")) {
		bool active = false;
		wot_dns_desktop_resolved_detect(&active);
		wd_say(problems, active, out, "systemd-resolved answers%s",
		       active ? ""
			      : ": start it (systemctl start "
				"systemd-resolved)");
	}
	if (!strcmp(w->mode, "nm"))
		wd_say(problems, wot_path_exists(WD_NM_CONF), out,
		       "NetworkManager leaves resolv.conf alone (%s)",
		       WD_NM_CONF);
	if (wot_file_read(WD_NSSWITCH, WD_MAX_FILE, &text, &len) == 0 &&
	    (nss_conf || wot_dns_desktop_nss_named(text)))
		wd_say(problems, wot_dns_desktop_nss_named(text) && nss_conf,
		       out, "%s hosts: names wotdns, %s %s", WD_NSSWITCH,
		       WD_NSS_CONF, nss_conf ? "present" : "MISSING");
	free(text);
}

int wot_dns_desktop_status(const struct wot_dns_desktop_check_opts *o,
			   int *problems)
{
	struct wd_wiring w;
	struct wd_user u = {0};
	char *pick = NULL;
	int rc;

	*problems = 0;
	if ((rc = wd_wiring_find(&w)) < 0)
		return rc;
	if (!w.dropin) {
		wd_say(problems, false, o->out,
		       "not wired: run 'sudo wotdns desktop setup'");
		wd_check_names(o->name, o->normal, o->out, problems);
		return 0;
	}
	fprintf(o->out, "wired    %s for %s, wotdns on %s (%s)\n", w.mode,
		w.user, w.listen, w.dropin);
	wd_check_files(&w, o->out, problems);
	unit_state(&w, o->out, problems);
	if (!o->name && wd_user_lookup(w.user, &u) == 0)
		pick = wd_pick_overlay_name(u.home);
	wd_check_daemon(w.listen,
			o->name ? o->name
			: pick	? pick
				: o->normal,
			o->out, problems);
	if (!strcmp(w.mode, "nss-only"))
		fprintf(o->out, "note     nss-only: normal names do not go "
				"through wotdns\n");
	wd_check_names(o->name ? o->name : pick, o->normal, o->out, problems);
	free(pick);
	wd_user_clear(&u);
	wd_wiring_clear(&w);
	return 0;
}

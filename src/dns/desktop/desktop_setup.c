/* desktop_setup.c - `wotdns desktop setup`: plan the changes, journal
 * each path before it changes, roll back on failure. */
#include "dns/desktop/desktop_detect.h"
#include "dns/desktop/desktop_plan.h"
#include "sync/sync.h"
#include "util/util.h"

#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define ROOT_MSG                                                               \
	"desktop setup changes system files; run it as root: sudo wotdns "     \
	"desktop setup"

static const char NM_TEXT[] =
    "# Written by 'wotdns desktop setup'; 'wotdns desktop undo' removes "
    "it.\n"
    "# NetworkManager stops writing /etc/resolv.conf (which points at "
    "wotdns\n# now) but still writes each network's nameservers to\n"
    "# /run/NetworkManager/resolv.conf, where 'wotdns doctor' compares "
    "them\n# with the upstreams wotdns forwards to.\n"
    "[main]\nrc-manager=unmanaged\n";

struct ctx {
	const struct wot_dns_desktop_opts *o;
	struct wd_user u;
	struct wd_sys sys;
	struct wd_journal j;
	bool jexists;
	const char *mode;
	char *listen[3];
	char *unit, *dropin_dir, *dropin;
	struct wd_plan plan;
};

/* resolv.conf's nameservers but wotdns itself, as upstream lines. */
static int upstreams(struct ctx *c, char ***out)
{
	char **ns = NULL;
	int rc = wd_resolv_nameservers(c->sys.resolv_text, &ns);

	*out = NULL;
	for (size_t i = 0; rc == 0 && ns && ns[i]; i++) {
		struct sockaddr_storage ss;
		char *v;
		if (!strcmp(ns[i], "127.0.0.1") || !strcmp(ns[i], "::1") ||
		    !strcmp(ns[i], "0.0.0.0") || !strcmp(ns[i], "127.0.0.53"))
			continue;
		if (wot_addr_parse(ns[i], 53, &ss) < 0) {
			fprintf(c->o->out, "note: nameserver %s skipped (%s)\n",
				ns[i], wot_error_last());
			continue;
		}
		v = strchr(ns[i], ':') ? wot_strdup_printf("[%s]:53", ns[i])
				       : strdup(ns[i]);
		rc = v ? wot_strv_push(out, v) : WOT_ENOMEM;
		free(v);
	}
	wot_strv_free(ns);
	return rc;
}

static int plan_config(struct ctx *c)
{
	struct wd_orig now;
	char **ups = NULL, *text = NULL;
	bool changed;
	int rc;

	if ((rc = wd_orig_read(c->u.config, &now)) < 0)
		return rc;
	if ((rc = upstreams(c, &ups)) < 0)
		goto out;
	if ((rc = wd_config_add_upstream(now.data, ups ? ups : (char *[]){NULL},
					 &text, &changed)) < 0 ||
	    !changed)
		goto out;
	if (!ups) {
		rc = wot_error_set(WOT_EINVAL,
				   "/etc/resolv.conf names no nameserver "
				   "besides wotdns itself, and %s no "
				   "upstream: add '[serve] upstream = ADDR' "
				   "to it (as %s), then run setup again",
				   c->u.config, c->u.name);
		goto out;
	}
	rc = wd_plan_write(&c->plan, c->u.config, text, &now,
			   "the upstreams wotdns forwards other names to");
	text = NULL;
out:
	free(text);
	wot_strv_free(ups);
	wd_orig_clear(&now);
	return rc;
}

/* Plans path := text (a copy of text). */
static int plan_text(struct ctx *c, const char *path, const char *text,
		     const char *why)
{
	struct wd_orig now;
	char *data = strdup(text);
	int rc;

	if (!data)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	if ((rc = wd_orig_read(path, &now)) == 0)
		rc = wd_plan_write(&c->plan, path, data, &now, why);
	else
		free(data);
	wd_orig_clear(&now);
	return rc;
}

static int plan_dropin(struct ctx *c)
{
	char *text = NULL;
	int rc;

	struct wd_dropin d = {.mode = c->mode,
			      .user = c->u.name,
			      .home = c->u.home,
			      .listen = c->listen};

	if ((rc = wd_dropin_text(&d, &text)) < 0)
		return rc;
	if ((rc = wd_plan_mkdir(&c->plan, c->dropin_dir, "unit drop-ins")) == 0)
		rc = plan_text(c, c->dropin, text,
			       "the daemon's listen addresses");
	free(text);
	if (rc == 0 && wd_systemd_running()) {
		const char *argv[] = {"systemctl", "is-active", "--quiet",
				      c->unit, NULL};
		FILE *null = fopen("/dev/null", "w");
		bool active = null && wd_run(argv, null) == 0;
		if (null)
			fclose(null);
		if (c->plan.n || !active)
			rc = wd_plan_op(&c->plan, WD_OP_UNIT, c->unit, "");
	}
	return rc;
}

static int plan_nss(struct ctx *c)
{
	struct wd_orig now;
	char *text = NULL, *conf;
	bool changed;
	int rc;

	if (!(conf = wot_strdup_printf("server %s\n", c->listen[0])))
		return wot_error_set(WOT_ENOMEM, "out of memory");
	if ((rc = wd_plan_mkdir(&c->plan, "/etc/wotdns", "wotdns's settings")) <
		0 ||
	    (rc = plan_text(c, WD_NSS_CONF, conf,
			    "where the NSS module asks")) < 0 ||
	    (rc = wd_orig_read(WD_NSSWITCH, &now)) < 0)
		goto out;
	if (now.kind != WD_FILE)
		rc = wot_error_set(WOT_EINVAL, "%s is not a regular file",
				   WD_NSSWITCH);
	else if ((rc = wot_dns_desktop_nss_add(now.data, &text, &changed)) ==
		     0 &&
		 changed) {
		rc = wd_plan_write(&c->plan, WD_NSSWITCH, text, &now,
				   "hosts: asks wotdns after files");
		text = NULL;
	}
	wd_orig_clear(&now);
out:
	free(text);
	free(conf);
	return rc;
}

static int plan_resolv(struct ctx *c)
{
	char *text = NULL;
	int rc;

	if (!strcmp(c->mode, "resolved")) {
		if (wd_journal_find(&c->j, WD_J_RESOLVED, "resolved") >= 0)
			return 0;
		return wd_plan_op(&c->plan, WD_OP_RESOLVED, c->listen[0], "");
	}
	if ((rc = wd_resolv_rewrite(c->sys.resolv_text, &text)) < 0)
		return rc;
	return wd_plan_write(&c->plan, WD_RESOLV, text, &c->sys.resolv,
			     "the system asks wotdns");
}

static int make_plan(struct ctx *c)
{
	bool dns = strcmp(c->mode, "nss-only") != 0;
	bool fwd = dns && strcmp(c->mode, "resolved") != 0;
	int rc = 0;

	if (fwd)
		rc = plan_config(c);
	if (rc == 0 && !strcmp(c->mode, "nm")) {
		rc = wd_plan_mkdir(&c->plan, WD_NM_DIR "/conf.d",
				   "NetworkManager settings");
		if (rc == 0)
			rc = plan_text(c, WD_NM_CONF, NM_TEXT,
				       "NetworkManager leaves resolv.conf "
				       "alone");
	}
	if (rc == 0)
		rc = plan_dropin(c);
	if (rc == 0 && dns)
		rc = plan_resolv(c);
	if (rc == 0 && (c->o->nss || c->j.nss))
		rc = plan_nss(c);
	return rc;
}

static int unit_up(const char *unit, FILE *out)
{
	const char *reload[] = {"systemctl", "daemon-reload", NULL};
	const char *enable[] = {"systemctl", "enable", unit, NULL};
	const char *restart[] = {"systemctl", "restart", unit, NULL};
	int rc;

	if ((rc = wd_run(reload, out)) < 0 || (rc = wd_run(enable, out)) < 0)
		return rc;
	return wd_run(restart, out);
}

/* Reads the user's routes file with the user's permissions: root must not
 * read, through a home the user controls, what the user could not. */
static int routes_as_user(const struct wd_user *u, const char *path,
			  struct wot_dns_routes *r)
{
	gid_t groups[64];
	int n, rc;

	if (geteuid() != 0)
		return wot_dns_routes_read(path, r);
	n = getgroups(64, groups);
	if (n < 0 || setgroups(1, &u->gid) < 0 || setegid(u->gid) < 0 ||
	    seteuid(u->uid) < 0)
		rc = wot_error_set(WOT_EIO, "cannot take %s's permissions",
				   u->name);
	else
		rc = wot_dns_routes_read(path, r);
	if (seteuid(0) < 0 || setegid(0) < 0 ||
	    (n >= 0 && setgroups((size_t)n, groups) < 0))
		abort(); /* root's permissions are gone: do nothing more */
	return rc;
}

static int resolved_up(struct ctx *c, const char *server)
{
	struct wot_dns_routes r = {0};
	char *path = wot_path_join(c->u.home, wot_state_rel(WOT_STATE_ROUTES));
	int rc;

	if (!path)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	rc = routes_as_user(&c->u, path, &r);
	if (rc == 0)
		rc = wot_dns_desktop_resolved_up(server, &r, NULL);
	if (rc == 0 && r.n_route == 0)
		fprintf(c->o->out,
			"note: %s holds no routes yet; once the daemon runs "
			"it writes them, and 'wotdns desktop refresh --user "
			"%s' (run by wotdns-routes@%s.path) applies them\n",
			path, c->u.name, c->u.name);
	wot_dns_routes_clear(&r);
	free(path);
	return rc;
}

/* NetworkManager rereads its settings; if it does not run, nothing to do. */
static void nm_reload(FILE *out)
{
	const char *active[] = {"systemctl", "is-active", "--quiet",
				"NetworkManager", NULL};
	const char *reload[] = {"systemctl", "reload", "NetworkManager", NULL};
	FILE *null = fopen("/dev/null", "w");

	if (null && wd_systemd_running() && wd_run(active, null) == 0 &&
	    wd_run(reload, out) < 0)
		fprintf(out, "warning: could not reload NetworkManager\n");
	if (null)
		fclose(null);
}

static int apply(struct ctx *c, const struct wd_change *ch)
{
	switch (ch->op) {
	case WD_OP_WRITE: {
		int rc = wd_put_file(ch->path, ch->data, ch->len, ch->mode,
				     ch->uid, ch->gid);
		if (rc == 0 && !strcmp(ch->path, WD_NM_CONF))
			nm_reload(c->o->out);
		return rc;
	}
	case WD_OP_MKDIR:
		if (mkdir(ch->path, 0755) < 0)
			return wot_error_set(WOT_EIO, "mkdir %s: %s", ch->path,
					     strerror(errno));
		return 0;
	case WD_OP_UNIT:
		return unit_up(ch->path, c->o->out);
	case WD_OP_RESOLVED:
		return resolved_up(c, ch->path);
	}
	return wot_error_set(WOT_EINVAL, "unknown change");
}

/* Journals a change's target as it is now (before), then makes it. */
static int step(struct ctx *c, const struct wd_change *ch,
		struct wd_orig *before)
{
	int rc;

	memset(before, 0, sizeof(*before));
	if (ch->op == WD_OP_UNIT)
		rc = wd_journal_record(&c->j, WD_J_UNIT, ch->path, NULL);
	else if (ch->op == WD_OP_RESOLVED)
		rc = wd_journal_record(&c->j, WD_J_RESOLVED, "resolved", NULL);
	else if ((rc = wd_orig_read(ch->path, before)) == 0)
		rc = wd_journal_record(&c->j, WD_J_PATH, ch->path, before);
	return rc < 0 ? rc : apply(c, ch);
}

/* Whether path still is as o describes (the step that failed may have
 * changed nothing). */
static bool unchanged(const char *path, const struct wd_orig *o)
{
	struct wd_orig now;
	bool same;

	if (wd_orig_read(path, &now) < 0)
		return false;
	same = now.kind == o->kind && now.len == o->len &&
	       now.mode == o->mode && now.uid == o->uid && now.gid == o->gid &&
	       (!o->len || !memcmp(now.data, o->data, o->len));
	wd_orig_clear(&now);
	return same;
}

/* Puts back what steps 0..last of this run changed, newest first, and
 * forgets the journal entries this run added. */
static void rollback(struct ctx *c, struct wd_orig *before, size_t last,
		     size_t n0)
{
	for (size_t i = last + 1; i-- > 0;) {
		const struct wd_change *ch = &c->plan.c[i];
		struct wd_jentry e = {.path = ch->path};
		int rc;
		if (ch->op == WD_OP_UNIT || ch->op == WD_OP_RESOLVED) {
			e.kind =
			    ch->op == WD_OP_UNIT ? WD_J_UNIT : WD_J_RESOLVED;
			rc = wd_journal_undo_entry(&e, c->o->out, false);
		} else if (!unchanged(ch->path, &before[i]))
			rc = wd_orig_restore(ch->path, &before[i]);
		else
			rc = 0;
		if (rc < 0)
			fprintf(c->o->out, "rollback: %s\n", wot_error_last());
	}
	while (c->j.n > n0) {
		struct wd_jentry *e = &c->j.e[--c->j.n];
		free(e->path);
		wd_orig_clear(&e->orig);
	}
	if (c->j.n == 0 && !c->jexists)
		wd_journal_remove();
	else
		wd_journal_save(&c->j);
}

static int execute(struct ctx *c)
{
	struct wd_orig *before = calloc(c->plan.n, sizeof(*before));
	size_t n0 = c->j.n, i;
	int rc = 0;

	if (!before)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	for (i = 0; i < c->plan.n && rc == 0; i++) {
		rc = step(c, &c->plan.c[i], &before[i]);
		if (rc < 0) {
			char msg[1024];
			snprintf(msg, sizeof(msg), "%s", wot_error_last());
			rollback(c, before, i, n0);
			rc = wot_error_set(rc,
					   "%s (nothing changed: setup "
					   "put back what it had done)",
					   msg);
		}
	}
	if (rc == 0) {
		c->j.complete = true;
		rc = wd_journal_save(&c->j);
	}
	for (i = 0; i < c->plan.n; i++)
		wd_orig_clear(&before[i]);
	free(before);
	return rc;
}

static void ctx_clear(struct ctx *c)
{
	wd_user_clear(&c->u);
	wd_sys_clear(&c->sys);
	wd_journal_clear(&c->j);
	wd_plan_clear(&c->plan);
	for (int i = 0; i < 3; i++)
		free(c->listen[i]);
	free(c->unit);
	free(c->dropin_dir);
	free(c->dropin);
}

/* The mode: the journal's when wired already, else what detect found. */
static int choose_mode(struct ctx *c)
{
	const char *want = c->o->no_dns ? "nss-only" : c->sys.mode;

	if (c->jexists && c->j.mode) {
		if (c->j.user && strcmp(c->j.user, c->u.name))
			return wot_error_set(WOT_EEXIST,
					     "already wired for %s: run "
					     "'wotdns desktop undo' first",
					     c->j.user);
		if (c->o->no_dns != !strcmp(c->j.mode, "nss-only"))
			return wot_error_set(WOT_EEXIST,
					     "already wired as %s: run "
					     "'wotdns desktop undo' first",
					     c->j.mode);
		want = c->j.mode;
	} else if (!strcmp(want, "plain") && c->sys.stub)
		return wot_error_set(WOT_EINVAL,
				     "/etc/resolv.conf points at "
				     "systemd-resolved's stub, but "
				     "systemd-resolved does not answer: start "
				     "it (systemctl start systemd-resolved) or "
				     "point resolv.conf at your nameservers, "
				     "then run setup again");
	c->mode = want;
	return 0;
}

static int prepare(struct ctx *c)
{
	bool high;
	int rc;

	if ((rc = wd_user_lookup(c->o->user, &c->u)) < 0 ||
	    (rc = wd_journal_load(&c->j, &c->jexists)) < 0 ||
	    (rc = wd_detect(&c->sys)) < 0 || (rc = choose_mode(c)) < 0)
		return rc;
	high = !strcmp(c->mode, "resolved") || !strcmp(c->mode, "nss-only");
	c->listen[0] = strdup(high ? WD_LISTEN_HIGH : WD_LISTEN_53);
	c->listen[1] = high ? NULL : strdup(WD_LISTEN_53_V6);
	c->unit = wot_strdup_printf("wotdns@%s.service", c->u.name);
	c->dropin_dir = wot_strdup_printf("%s/%s.d", WD_UNIT_DIR, c->unit);
	c->dropin = wot_strdup_printf("%s/desktop.conf", c->dropin_dir);
	if (!c->listen[0] || (!high && !c->listen[1]) || !c->dropin)
		return wot_error_set(WOT_ENOMEM, "out of memory");
	if (!c->jexists) {
		c->j.user = strdup(c->u.name);
		c->j.mode = strdup(c->mode);
		c->j.listen = strdup(c->listen[0]);
	}
	c->j.nss |= c->o->nss;
	return c->j.user && c->j.mode && c->j.listen
		   ? 0
		   : wot_error_set(WOT_ENOMEM, "out of memory");
}

static void next_steps(const struct ctx *c)
{
	FILE *out = c->o->out;

	fprintf(out, "wired (%s) for %s: wotdns listens on %s%s%s\n", c->mode,
		c->u.name, c->listen[0], c->listen[1] ? " and " : "",
		c->listen[1] ? c->listen[1] : "");
	if (wd_systemd_running())
		return;
	fprintf(out,
		"systemd is not running here, so nothing started the "
		"resolver: run it yourself, as root:\n  %s --home %s serve "
		"--user %s --listen %s%s%s\n",
		c->o->bin, c->u.home, c->u.name, c->listen[0],
		c->listen[1] ? " --listen " : "",
		c->listen[1] ? c->listen[1] : "");
}

int wot_dns_desktop_setup(const struct wot_dns_desktop_opts *o)
{
	struct ctx c = {.o = o};
	int rc;

	if (!o->dry_run && geteuid() != 0)
		return wot_error_set(WOT_EINVAL, ROOT_MSG);
	if (!o->dry_run && (rc = wd_journal_dir_ok(true)) < 0)
		goto out;
	if ((rc = prepare(&c)) < 0 || (rc = make_plan(&c)) < 0)
		goto out;
	if (c.plan.n == 0) {
		fprintf(o->out,
			"everything is already wired (%s for %s, wotdns on "
			"%s): nothing changed\n",
			c.mode, c.u.name, c.listen[0]);
		if (!o->dry_run && !c.j.complete) {
			c.j.complete = true;
			rc = wd_journal_save(&c.j);
		}
		goto out;
	}
	if (o->dry_run) {
		fprintf(o->out,
			"setup (%s for %s) would make %zu changes, "
			"and makes none now (--dry-run):\n",
			c.mode, c.u.name, c.plan.n);
		wd_plan_print(o->out, &c.plan);
		goto out;
	}
	wd_plan_print(o->out, &c.plan);
	if ((rc = execute(&c)) == 0)
		next_steps(&c);
out:
	ctx_clear(&c);
	return rc;
}

/* Keeps only the entries undo could not undo (marked in bad), in order. */
static void keep_failed(struct wd_journal *j, const bool *bad)
{
	size_t k = 0;

	for (size_t i = 0; i < j->n; i++) {
		if (bad[i]) {
			j->e[k++] = j->e[i];
			continue;
		}
		free(j->e[i].path);
		wd_orig_clear(&j->e[i].orig);
	}
	j->n = k;
}

int wot_dns_desktop_undo(bool dry_run, FILE *out)
{
	struct wd_journal j;
	bool exists, *bad;
	size_t failed = 0;
	int rc;

	if (!dry_run && geteuid() != 0)
		return wot_error_set(WOT_EINVAL,
				     "desktop undo changes system files; run "
				     "it as root: sudo wotdns desktop undo");
	if ((rc = wd_journal_load(&j, &exists)) < 0)
		return rc;
	if (!exists) {
		fprintf(out, "nothing to undo: no wiring recorded in %s\n",
			WD_JOURNAL_DIR);
		return 0;
	}
	if (!(bad = calloc(j.n + 1, sizeof(*bad)))) {
		wd_journal_clear(&j);
		return wot_error_set(WOT_ENOMEM, "out of memory");
	}
	if (dry_run)
		fprintf(out, "undo would (and does not now, --dry-run):\n");
	for (size_t i = j.n; i-- > 0;)
		if (wd_journal_undo_entry(&j.e[i], out, dry_run) < 0) {
			fprintf(out, "FAILED: %s\n", wot_error_last());
			bad[i] = true;
			failed++;
		}
	if (!dry_run && failed == 0) {
		rc = wd_journal_remove();
		if (wd_systemd_running()) {
			const char *argv[] = {"systemctl", "daemon-reload",
					      NULL};
			wd_run(argv, out);
			nm_reload(out);
		}
		if (rc == 0)
			fprintf(out, "undone: every file setup changed is as "
				     "it was\n");
	} else if (!dry_run) {
		keep_failed(&j, bad);
		wd_journal_save(&j);
		rc = wot_error_set(WOT_EIO,
				   "%zu changes could not be undone; fix what "
				   "is said above and run undo again",
				   failed);
	}
	free(bad);
	wd_journal_clear(&j);
	return rc;
}

/*
 * desktop_resolved_link.c - reading and setting wotdns0's settings in
 * systemd-resolved (org.freedesktop.resolve1, resolved 252's interface).
 *
 * Each setting is compared as text first: a run that finds everything in
 * place calls nothing, and a plan lists exactly what would change.
 */
#include "dns/desktop/desktop_int.h"
#include "util/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define MANAGER_PATH "/org/freedesktop/resolve1"
#define MANAGER WOT_RESOLVE1 ".Manager"

void wot_desktop_conf_clear(wot_desktop_conf *c)
{
	free(c->dns);
	free(c->domains);
	free(c->ntas);
	free(c->llmnr);
	free(c->mdns);
	memset(c, 0, sizeof(*c));
}

static int get(sd_bus *bus, const char *path, const char *prop, const char *sig,
	       sd_bus_message **m)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	int r = sd_bus_get_property(bus, WOT_RESOLVE1, path, WOT_RESOLVE1_LINK,
				    prop, &e, m, sig);

	if (r < 0)
		r = wot_desktop_bus_fail(r, &e, prop);
	sd_bus_error_free(&e);
	return r < 0 ? r : 0;
}

/* One (iayqs) entry of DNSEx as "ADDR:PORT" appended to b. */
static int read_server(sd_bus_message *m, wot_buf *b)
{
	char a[INET6_ADDRSTRLEN] = "?";
	const void *addr = NULL;
	const char *name = NULL;
	size_t alen = 0;
	int32_t family = 0;
	uint16_t port = 0;
	int r = sd_bus_message_read(m, "i", &family);

	if (r >= 0)
		r = sd_bus_message_read_array(m, 'y', &addr, &alen);
	if (r >= 0)
		r = sd_bus_message_read(m, "qs", &port, &name);
	if (r < 0)
		return r;
	if ((family == AF_INET && alen == 4) ||
	    (family == AF_INET6 && alen == 16))
		inet_ntop(family, addr, a, sizeof(a));
	if (!port)
		port = 53;
	return wot_buf_printf(b, family == AF_INET6 ? "%s[%s]:%u" : "%s%s:%u",
			      b->len ? " " : "", a, port) < 0
		   ? -ENOMEM
		   : 0;
}

/* One (sb) entry of Domains as "~name" or "name" appended to b. */
static int read_domain(sd_bus_message *m, wot_buf *b)
{
	const char *name = NULL;
	int route = 0, r = sd_bus_message_read(m, "sb", &name, &route);

	if (r < 0)
		return r;
	return wot_buf_printf(b, "%s%s%s", b->len ? " " : "", route ? "~" : "",
			      name) < 0
		   ? -ENOMEM
		   : 0;
}

/* An array property as one string of its entries. sig is the entry's
 * signature: "s", "(sb)" or "(iayqs)". */
static int read_list(sd_bus *bus, const char *path, const char *prop,
		     const char *sig, char **out)
{
	char asig[16];
	sd_bus_message *m = NULL;
	wot_buf b = WOT_BUF_INIT;
	int r;

	snprintf(asig, sizeof(asig), "a%s", sig);
	if ((r = get(bus, path, prop, asig, &m)) < 0)
		return r;
	if (wot_buf_put(&b, "", 1) < 0)
		r = -ENOMEM;
	b.len = 0;
	if (r >= 0)
		r = sd_bus_message_enter_container(m, 'a', sig);
	while (r >= 0) {
		const char *s = NULL;
		if (sig[0] == 's') {
			if ((r = sd_bus_message_read(m, "s", &s)) <= 0)
				break;
			r = wot_buf_printf(&b, "%s%s", b.len ? " " : "", s);
			continue;
		}
		r = sd_bus_message_enter_container(
		    m, 'r', sig[1] == 's' ? "sb" : "iayqs");
		if (r <= 0)
			break;
		r = sig[1] == 's' ? read_domain(m, &b) : read_server(m, &b);
		if (r >= 0)
			r = sd_bus_message_exit_container(m);
	}
	sd_bus_message_unref(m);
	if (r < 0) {
		wot_buf_dispose(&b);
		return r == -ENOMEM ? wot_error_set(WOT_ENOMEM, "out of memory")
				    : wot_desktop_bus_fail(r, NULL, prop);
	}
	*out = b.ptr;
	return 0;
}

static int read_string(sd_bus *bus, const char *path, const char *prop,
		       char **out)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	int r = sd_bus_get_property_string(bus, WOT_RESOLVE1, path,
					   WOT_RESOLVE1_LINK, prop, &e, out);

	if (r < 0)
		r = wot_desktop_bus_fail(r, &e, prop);
	sd_bus_error_free(&e);
	return r < 0 ? r : 0;
}

int wot_desktop_conf_read(sd_bus *bus, const char *path, wot_desktop_conf *out)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	int r, yes = 0;

	memset(out, 0, sizeof(*out));
	if ((r = read_list(bus, path, "DNSEx", "(iayqs)", &out->dns)) < 0 ||
	    (r = read_list(bus, path, "Domains", "(sb)", &out->domains)) < 0 ||
	    (r = read_list(bus, path, "DNSSECNegativeTrustAnchors", "s",
			   &out->ntas)) < 0 ||
	    (r = read_string(bus, path, "LLMNR", &out->llmnr)) < 0 ||
	    (r = read_string(bus, path, "MulticastDNS", &out->mdns)) < 0)
		goto out;
	r = sd_bus_get_property_trivial(bus, WOT_RESOLVE1, path,
					WOT_RESOLVE1_LINK, "DefaultRoute", &e,
					'b', &yes);
	if (r < 0)
		r = wot_desktop_bus_fail(r, &e, "DefaultRoute");
	out->default_route = yes;
out:
	sd_bus_error_free(&e);
	if (r < 0)
		wot_desktop_conf_clear(out);
	return r < 0 ? r : 0;
}

/* ---- setting --------------------------------------------------------- */

/* A method call on the manager for link ifindex, its arguments appended
 * by fill. */
static int call(sd_bus *bus, const char *method, int ifindex,
		int (*fill)(sd_bus_message *m, const void *arg),
		const void *arg)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL, *reply = NULL;
	int r = sd_bus_message_new_method_call(bus, &m, WOT_RESOLVE1,
					       MANAGER_PATH, MANAGER, method);

	if (r >= 0)
		r = sd_bus_message_append(m, "i", ifindex);
	if (r >= 0)
		r = fill(m, arg);
	if (r >= 0)
		r = sd_bus_call(bus, m, 0, &e, &reply);
	if (r < 0)
		r = wot_desktop_bus_fail(r, &e, method);
	sd_bus_error_free(&e);
	sd_bus_message_unref(m);
	sd_bus_message_unref(reply);
	return r < 0 ? r : 0;
}

/* "ADDR:PORT" or "[ADDR]:PORT" as one (iayqs). */
static int fill_dns(sd_bus_message *m, const void *arg)
{
	struct sockaddr_storage ss;
	const void *a;
	size_t alen;
	uint16_t port;
	int r;

	if (wot_addr_parse(arg, 53, &ss) < 0)
		return -EINVAL;
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)&ss;
		a = &s4->sin_addr;
		alen = 4;
		port = ntohs(s4->sin_port);
	} else {
		const struct sockaddr_in6 *s6 = (const void *)&ss;
		a = &s6->sin6_addr;
		alen = 16;
		port = ntohs(s6->sin6_port);
	}
	if ((r = sd_bus_message_open_container(m, 'a', "(iayqs)")) < 0 ||
	    (r = sd_bus_message_open_container(m, 'r', "iayqs")) < 0 ||
	    (r = sd_bus_message_append(m, "i", (int32_t)ss.ss_family)) < 0 ||
	    (r = sd_bus_message_append_array(m, 'y', a, alen)) < 0 ||
	    (r = sd_bus_message_append(m, "qs", port, "")) < 0 ||
	    (r = sd_bus_message_close_container(m)) < 0)
		return r;
	return sd_bus_message_close_container(m);
}

/* A space-separated list; with sb, each "~name" as (name, true). */
static int fill_list(sd_bus_message *m, const char *list, int sb)
{
	char *copy = strdup(list), *save = NULL;
	int r = copy ? sd_bus_message_open_container(m, 'a', sb ? "(sb)" : "s")
		     : -ENOMEM;

	for (char *t = copy ? strtok_r(copy, " ", &save) : NULL; r >= 0 && t;
	     t = strtok_r(NULL, " ", &save)) {
		int route = t[0] == '~';
		r = sb ? sd_bus_message_append(m, "(sb)", t + route, route)
		       : sd_bus_message_append(m, "s", t);
	}
	free(copy);
	return r < 0 ? r : sd_bus_message_close_container(m);
}

static int fill_domains(sd_bus_message *m, const void *arg)
{
	return fill_list(m, arg, 1);
}

static int fill_ntas(sd_bus_message *m, const void *arg)
{
	return fill_list(m, arg, 0);
}

static int fill_string(sd_bus_message *m, const void *arg)
{
	return sd_bus_message_append(m, "s", (const char *)arg);
}

static int fill_bool(sd_bus_message *m, const void *arg)
{
	return sd_bus_message_append(m, "b", *(const int *)arg);
}

/* One setting: compared as text, printed or set. */
static int one(sd_bus *bus, int ifindex, FILE *plan, const char *what,
	       const char *want, const char *have, const char *method,
	       int (*fill)(sd_bus_message *, const void *), const void *arg)
{
	if (have && !strcmp(want, have))
		return 0;
	if (plan) {
		fprintf(plan, "resolved: wotdns0 %s: %s\n", what,
			want[0] ? want : "(none)");
		return 0;
	}
	return call(bus, method, ifindex, fill, arg);
}

int wot_desktop_conf_apply(sd_bus *bus, int ifindex,
			   const wot_desktop_conf *want,
			   const wot_desktop_conf *have, FILE *plan)
{
	int off = 0, rc;

	/* Off first, and always: resolved makes a link without routing-only
	 * domains a default route unless told otherwise, and the property
	 * does not say whether it was told. */
	if (plan && (!have->dns || have->default_route))
		fprintf(plan, "resolved: wotdns0 default route: no\n");
	else if (!plan && (rc = call(bus, "SetLinkDefaultRoute", ifindex,
				     fill_bool, &off)) < 0)
		return rc;
	if ((rc = one(bus, ifindex, plan, "LLMNR", want->llmnr, have->llmnr,
		      "SetLinkLLMNR", fill_string, want->llmnr)) < 0 ||
	    (rc = one(bus, ifindex, plan, "mDNS", want->mdns, have->mdns,
		      "SetLinkMulticastDNS", fill_string, want->mdns)) < 0 ||
	    (rc = one(bus, ifindex, plan, "negative trust anchors", want->ntas,
		      have->ntas, "SetLinkDNSSECNegativeTrustAnchors",
		      fill_ntas, want->ntas)) < 0 ||
	    (rc = one(bus, ifindex, plan, "routing domains", want->domains,
		      have->domains, "SetLinkDomains", fill_domains,
		      want->domains)) < 0)
		return rc;
	return one(bus, ifindex, plan, "DNS server", want->dns, have->dns,
		   "SetLinkDNSEx", fill_dns, want->dns);
}

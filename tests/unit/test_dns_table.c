/*
 * test_dns_table.c - loading master files into the table, table scale,
 * address parsing and the resolv.conf upstream list.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dns/resolver/resolver.h"
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "table_ask.h"

/* An A query (table_ask.h). */
static ldns_pkt *ask(const wot_dns_table *t, const char *name)
{
	return table_ask(t, name, LDNS_RR_TYPE_A);
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void dns_table_load_file(void **state)
{
	char path[] = "/tmp/test_dns_zoneXXXXXX";
	wot_dns_table *t = NULL;
	int fd = mkstemp(path);
	ldns_pkt *p;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	write_file(path, "$ORIGIN example.wot.\n$TTL 300\n"
			 "@ IN SOA ns1 host 1 3600 600 86400 60\n"
			 "; a comment\n\n"
			 "www IN A 192.0.2.1\n"
			 "www IN A 192.0.2.1\n" /* duplicate: counted once */
			 "txt 60 IN TXT \"x\"\n"
			 "$ORIGIN other.wot.\n" /* a second zone, same file */
			 "@ IN SOA ns1 host 1 3600 600 86400 60\n"
			 "www IN A 192.0.2.2\n");
	assert_int_equal(wot_dns_table_load_file(&t, path), 0);
	assert_int_equal(wot_dns_table_count(t), 5);
	p = ask(t, "www.other.wot.");
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_true(ldns_pkt_aa(p));
	assert_int_equal(ldns_pkt_ancount(p), 1);
	ldns_pkt_free(p);
	wot_dns_table_free(t);

	write_file(path, "$ORIGIN example.wot.\n"
			 "@ 300 IN SOA ns1 host 1 2 3 4 5\n"
			 "www 300 IN A 192.0.2.1\n"
			 "bad 300 IN A 999.1.2.3\n");
	assert_int_equal(wot_dns_table_load_file(&t, path), WOT_ESYNTAX);
	assert_null(t);
	if (!strstr(wot_error_last(), ":4: "))
		fail_msg("no line number: %s", wot_error_last());
	assert_non_null(strstr(wot_error_last(), path));

	/* ldns parses class CH; the table refuses it, naming the line. */
	write_file(path, "www.example.wot. 300 CH A 192.0.2.1\n");
	assert_int_equal(wot_dns_table_load_file(&t, path), WOT_ESYNTAX);
	assert_non_null(strstr(wot_error_last(), ":1"));
	assert_non_null(strstr(wot_error_last(), "class IN"));
	unlink(path);
	assert_int_equal(wot_dns_table_load_file(&t, path), WOT_ENOENT);
}

static void dns_table_scale(void **state)
{
	wot_dns_table *t = NULL;
	ldns_rr *soa = NULL, *rr = ldns_rr_new();
	uint8_t rdata[4] = {10, 0, 0, 0};
	char name[64];
	ldns_pkt *p;
	enum { N = 200000 };

	(void)state;
	assert_int_equal(wot_dns_table_new(&t), 0);
	assert_int_equal(ldns_rr_new_frm_str(&soa,
					     "big.wot. 60 IN SOA a. b. 1 2 3 4 "
					     "5",
					     0, NULL, NULL),
			 LDNS_STATUS_OK);
	assert_int_equal(wot_dns_table_add(t, soa), 0);
	ldns_rr_set_type(rr, LDNS_RR_TYPE_A);
	ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
	ldns_rr_set_ttl(rr, 60);
	ldns_rr_push_rdf(rr, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_A, 4, rdata));
	for (int i = 0; i < N; i++) {
		ldns_rdf *owner;
		snprintf(name, sizeof(name), "h%d.g%d.big.wot.", i, i % 97);
		owner = ldns_dname_new_frm_str(name);
		ldns_rr_set_owner(rr, owner);
		assert_int_equal(wot_dns_table_add(t, rr), 0);
		ldns_rdf_deep_free(owner);
	}
	ldns_rr_set_owner(rr, NULL);
	assert_int_equal(wot_dns_table_count(t), N + 1);
	p = ask(t, "H4242.G71.BIG.WOT.");
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_pkt_ancount(p), 1);
	ldns_pkt_free(p);
	p = ask(t, "g5.big.wot."); /* empty non-terminal */
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_pkt_ancount(p), 0);
	ldns_pkt_free(p);
	p = ask(t, "h4242.g70.big.wot.");
	assert_int_equal(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
	ldns_pkt_free(p);
	ldns_rr_free(rr);
	ldns_rr_free(soa);
	wot_dns_table_free(t);
}

static void dns_table_add_rejects(void **state)
{
	wot_dns_table *t = NULL;
	ldns_rr *rr = NULL;

	(void)state;
	assert_int_equal(wot_dns_table_new(&t), 0);
	assert_int_equal(
	    ldns_rr_new_frm_str(&rr, "x.wot. 60 CH TXT \"a\"", 0, NULL, NULL),
	    LDNS_STATUS_OK);
	assert_int_equal(wot_dns_table_add(t, rr), WOT_EINVAL);
	ldns_rr_free(rr);
	assert_int_equal(
	    ldns_rr_new_frm_str(&rr, "x.wot. 60 IN ANY \\# 0", 0, NULL, NULL),
	    LDNS_STATUS_OK);
	assert_int_equal(wot_dns_table_add(t, rr), WOT_EINVAL);
	ldns_rr_free(rr);
	assert_int_equal(wot_dns_table_add(t, NULL), WOT_EINVAL);
	assert_int_equal(wot_dns_table_count(t), 0);
	wot_dns_table_free(t);
}

static void dns_parse_addr(void **state)
{
	struct sockaddr_storage sa;
	struct sockaddr_in *in = (struct sockaddr_in *)&sa;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&sa;
	static const char *const bad[] = {"",
					  "localhost",
					  "1.2.3.4:",
					  "1.2.3.4:99999",
					  "1.2.3.4:12a",
					  "[::1",
					  "[::1]x",
					  "[::1]:",
					  "1.2.3:53",
					  "256.1.1.1",
					  "[1.2.3.4]:53",
					  ":53"};

	(void)state;
	assert_int_equal(wot_dns_parse_addr("127.0.0.1:5353", 53, &sa), 0);
	assert_int_equal(sa.ss_family, AF_INET);
	assert_int_equal(ntohs(in->sin_port), 5353);
	assert_int_equal(ntohl(in->sin_addr.s_addr), 0x7f000001);
	assert_int_equal(wot_dns_parse_addr("10.1.2.3", 53, &sa), 0);
	assert_int_equal(ntohs(in->sin_port), 53);
	assert_int_equal(wot_dns_parse_addr("[::1]:853", 53, &sa), 0);
	assert_int_equal(sa.ss_family, AF_INET6);
	assert_int_equal(ntohs(in6->sin6_port), 853);
	assert_true(IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr));
	assert_int_equal(wot_dns_parse_addr("::1", 54, &sa), 0);
	assert_int_equal(ntohs(in6->sin6_port), 54);
	assert_int_equal(wot_dns_parse_addr("[::1]", 53, &sa), 0);
	assert_int_equal(ntohs(in6->sin6_port), 53);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (wot_dns_parse_addr(bad[i], 53, &sa) != WOT_EINVAL)
			fail_msg("accepted '%s'", bad[i]);
}

static void dns_resolvconf(void **state)
{
	char path[] = "/tmp/test_dns_resolvXXXXXX";
	struct sockaddr_storage ex[2];
	char **v = NULL;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	write_file(path, "# generated\nsearch example.com\n"
			 "nameserver 127.0.0.1\n"
			 "nameserver 192.0.2.10 # comment\n"
			 "nameserver\t::1\n"
			 "nameserver fe80::1%eth0\n"
			 "nameserver not-an-address\n"
			 "options edns0\n"
			 "nameserver 2001:db8::53\n");
	assert_int_equal(wot_dns_parse_addr("127.0.0.1:53", 53, &ex[0]), 0);
	assert_int_equal(wot_dns_parse_addr("[::1]:5353", 53, &ex[1]), 0);
	assert_int_equal(wot_dns_resolvconf_upstreams(path, ex, 2, &v), 0);
	assert_non_null(v);
	assert_string_equal(v[0], "192.0.2.10:53");
	assert_string_equal(v[1], "[::1]:53"); /* other port: kept */
	assert_string_equal(v[2], "[2001:db8::53]:53");
	assert_null(v[3]);
	wot_dns_strv_free(v);
	/* /etc/resolv.conf is often a symlink (systemd-resolved). */
	{
		char link_[sizeof(path) + 8];
		snprintf(link_, sizeof(link_), "%s.link", path);
		assert_int_equal(symlink(path, link_), 0);
		assert_int_equal(
		    wot_dns_resolvconf_upstreams(link_, NULL, 0, &v), 0);
		assert_string_equal(v[0], "127.0.0.1:53");
		wot_dns_strv_free(v);
		unlink(link_);
	}
	/* Nothing usable is an empty list, not an error. */
	write_file(path, "search example.com\n");
	assert_int_equal(wot_dns_resolvconf_upstreams(path, NULL, 0, &v), 0);
	assert_non_null(v);
	assert_null(v[0]);
	wot_dns_strv_free(v);
	unlink(path);
	assert_int_equal(wot_dns_resolvconf_upstreams(path, NULL, 0, &v),
			 WOT_ENOENT);
	assert_null(v);
	wot_dns_strv_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(dns_table_load_file),
	    cmocka_unit_test(dns_table_scale),
	    cmocka_unit_test(dns_table_add_rejects),
	    cmocka_unit_test(dns_parse_addr),
	    cmocka_unit_test(dns_resolvconf),
	};

	wot_log_set(NULL, NULL, WOT_LOG_WARNING);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

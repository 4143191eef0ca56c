/*
 * test_dn.c: DN parsing, comparison and rendering, without certificates.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "test.h"

static int
parse_ok(const char *s, struct dn *dn)
{
	const char	*errstr;

	return dn_parse(s, strlen(s), dn, &errstr) == 0;
}

static int
parse_err(const char *s)
{
	struct dn	 dn;
	const char	*errstr = NULL;
	int		 r;

	r = dn_parse(s, strlen(s), &dn, &errstr);
	if (r == 0)
		dn_free(&dn);
	return r == -1 && errstr != NULL && dn.nrdn == 0;
}

/* 1 when a and b parse to equal DNs. */
static int
same(const char *a, const char *b)
{
	struct dn	 da, db;
	int		 eq;

	if (!parse_ok(a, &da))
		return -1;
	if (!parse_ok(b, &db)) {
		dn_free(&da);
		return -1;
	}
	eq = dn_equal(&da, &db);
	dn_free(&da);
	dn_free(&db);
	return eq;
}

static void
render(const char *in, const char *want)
{
	struct dn	 dn;
	char		*s = NULL;

	CHECK(parse_ok(in, &dn));
	CHECK_STR(s = dn_render(&dn), want);
	free(s);
	dn_free(&dn);
}

/* Names: short, long, any case, OID are one; twins; Unicode. */
static void
test_names(void)
{
	CHECK(same("CN=alice,O=Example", "commonName=alice,organizationName=Example") == 1);
	CHECK(same("CN=alice,O=Example", "cn=alice,o=Example") == 1);
	CHECK(same("CN=alice,O=Example", "2.5.4.3=alice,2.5.4.10=Example") == 1);
	CHECK(same("CN=alice,O=Example", "/O=Example/CN=alice") == 1);
	CHECK(same("CN=alice, O=Example", "/O=Example/CN=alice") == 1);
	CHECK(same("UID=a1,DC=example", "userId=a1,domainComponent=example") == 1);
	CHECK(same("serialNumber=42", "SERIALNUMBER=42") == 1);
	/* Twins: one field differs. */
	CHECK(same("CN=alice,O=Example", "CN=alice,O=example") == 0);
	CHECK(same("CN=alice,O=Example", "CN=alicE,O=Example") == 0);
	CHECK(same("CN=alice,O=Example", "O=Example,CN=alice") == 0);
	CHECK(same("CN=alice,O=Example", "CN=alice,OU=Example") == 0);
	CHECK(same("CN=alice,O=Example", "CN=alice,O=Example,C=US") == 0);
	CHECK(same("CN=alice,O=Example", "CN=alice") == 0);
	/* Unicode look-alikes stay distinct; escaped and raw UTF-8 are one. */
	CHECK(same("CN=alice", "CN=\xd0\xb0lice") == 0);
	CHECK(same("CN=M\xc3\xbcller", "CN=M\\C3\\BCller") == 1);
	CHECK(same("CN=M\xc3\xbcller", "CN=Mu\xcc\x88ller") == 0);
}

/* Multi-valued RDNs compare as sets, but stay one RDN. */
static void
test_multi_rdn(void)
{
	CHECK(same("CN=a+UID=b,O=X", "UID=b+CN=a,O=X") == 1);
	CHECK(same("CN=a+UID=b,O=X", "CN=a,UID=b,O=X") == 0);
	CHECK(same("CN=a+UID=b,O=X", "CN=a+UID=c,O=X") == 0);
	CHECK(same("CN=a+CN=a,O=X", "CN=a+CN=b,O=X") == 0);
}

/* Escapes: an escaped comma is data, never a separator. */
static void
test_escapes(void)
{
	struct dn	 dn;

	CHECK(parse_ok("CN=alice\\,O=Admin,O=Example", &dn));
	CHECK(dn.nrdn == 2);
	if (dn.nrdn == 2) {
		CHECK_STR(dn.rdn[1].ava[0].value, "alice,O=Admin");
		CHECK_STR(dn.rdn[0].ava[0].name, "O");
		CHECK_STR(dn.rdn[1].ava[0].oid, "2.5.4.3");
	}
	dn_free(&dn);
	CHECK(same("CN=alice\\,O=Admin,O=Example", "CN=alice,O=Admin,O=Example") == 0);
	CHECK(same("CN=alice\\+O=Admin", "CN=alice+O=Admin") == 0);
	CHECK(same("/O=Example/CN=alice\\/O=Admin", "CN=alice/O=Admin,O=Example") == 1);
	CHECK(same("/O=Example/CN=alice\\/O=Admin", "/O=Example/CN=alice/O=Admin") == 0);
	CHECK(same("/CN=M\\xC3\\xBCller", "CN=M\xc3\xbcller") == 1);
	CHECK(parse_ok("CN=a\\00b", &dn));
	CHECK(dn.nrdn == 1 && dn.rdn[0].ava[0].len == 3);
	dn_free(&dn);
}

/* Errors: unknown names, bad escapes, #hex, stray specials. */
static void
test_errors(void)
{
	CHECK(parse_err("XX=alice"));
	CHECK(parse_err("CN=alice,Bogus=1"));
	CHECK(parse_err("CN=a\\"));
	CHECK(parse_err("CN=a\\G1"));
	CHECK(parse_err("CN=#0C03616263"));
	CHECK(parse_err("CN=a;b"));
	CHECK(parse_err("CN=a\"b"));
	CHECK(parse_err("CN=alice,"));
	CHECK(parse_err("CN=alice+"));
	CHECK(parse_err("alice"));
	CHECK(parse_err("CN= alice"));
	CHECK(parse_err("CN=alice ,O=x"));
	CHECK(parse_err("1.2..3=x"));
	CHECK(parse_err("/CN=a\\q"));
	CHECK(parse_err("/CN=a/"));
}

/* uid is userId (RFC 4514), in any case; never uniqueIdentifier */
static void
test_uid(void)
{
	CHECK(same("uid=a1", "0.9.2342.19200300.100.1.1=a1") == 1);
	CHECK(same("UID=a1", "uid=a1") == 1);
	CHECK(same("/Uid=a1", "userId=a1") == 1);
	CHECK(same("uid=a1", "uniqueIdentifier=a1") == 0);
	CHECK(same("E=a@b,street=x", "emailAddress=a@b,2.5.4.9=x") == 1);
	render("uid=a1,dc=org", "UID=a1,DC=org");
}

/* at most AUTHZ_RDN_MAX values in one RDN */
static void
test_rdn_max(void)
{
	struct dn	 dn;
	char		 big[8 * (AUTHZ_RDN_MAX + 2)], *p = big;
	int		 i;

	for (i = 0; i < AUTHZ_RDN_MAX; i++)
		p += sprintf(p, "%sCN=%d", i ? "+" : "", i);
	CHECK(parse_ok(big, &dn) && dn.nrdn == 1 &&
	    dn.rdn[0].nava == AUTHZ_RDN_MAX);
	CHECK(dn_equal(&dn, &dn) == 1);
	dn_free(&dn);
	strcpy(p, "+CN=x");
	CHECK(parse_err(big));
	p = big;	/* the slash form too */
	for (i = 0; i <= AUTHZ_RDN_MAX; i++)
		p += sprintf(p, "%sCN=%d", i ? "+" : "/", i);
	CHECK(parse_err(big));
}

/* The empty DN. */
static void
test_empty(void)
{
	struct dn	 dn;

	CHECK(parse_ok("", &dn) && dn.nrdn == 0);
	dn_free(&dn);
}

/* Rendering: RFC 4514, most specific first, as OpenSSL escapes. */
static void
test_render(void)
{
	render("/O=Example/OU=Eng/CN=alice", "CN=alice,OU=Eng,O=Example");
	render("CN=a\\,b\\+c\\\"d\\\\e\\<f\\>g\\;h", "CN=a\\,b\\+c\\\"d\\\\e\\<f\\>g\\;h");
	render("CN=\\#x\\ ,O=a#b c", "CN=\\#x\\ ,O=a#b c");
	render("CN=\\01\\7F\\C3\\BC", "CN=\\01\\7F\xc3\xbc");
	render("CN=a+UID=b,O=X", "CN=a+UID=b,O=X");	/* stable round trip */
	render("commonName=a,1.2.3.4=x", "CN=a,1.2.3.4=x");
}

/* dn_matches_forwarded on parsed DNs */
static void
test_forwarded(void)
{
	struct dn	 dn;

	CHECK(parse_ok("CN=alice,O=Example", &dn));
	CHECK(dn_matches_forwarded(&dn, "CN=alice,O=Example") == 1);
	CHECK(dn_matches_forwarded(&dn, "/O=Example/CN=alice") == 1);
	CHECK(dn_matches_forwarded(&dn, "/O=Example/CN=bob") == 0);
	CHECK(dn_matches_forwarded(&dn, "CN=alice,O=Example,") == 0);
	CHECK(dn_matches_forwarded(&dn, "") == 0);
	CHECK(dn_matches_forwarded(&dn, NULL) == 0);
	dn_free(&dn);
}

/* forwarded(DN, S): dn_matches_forwarded() of the RFC 4514 DN and S. */
static int
forwarded(const char *dn_str, const char *s)
{
	struct dn	 dn;
	int		 r;

	if (!parse_ok(dn_str, &dn))
		return -1;
	r = dn_matches_forwarded(&dn, s);
	dn_free(&dn);
	return r;
}

/*
 * lighttpd's SSL_CLIENT_S_DN (XN_FLAG_ONELINE without ESC_MSB): only
 * that print of the very DN is accepted; every near miss is denied.
 * test_cert checks it against OpenSSL over crafted certificates.
 */
static void
test_forwarded_lighttpd(void)
{
	const char	*alice = "CN=alice,OU=Eng,O=Lab";
	char		 cn[400], want[400];

	CHECK(forwarded(alice, "O = Lab, OU = Eng, CN = alice") == 1);
	CHECK(forwarded(alice, "O = Lab, OU = Eng, CN = bob") == 0);
	CHECK(forwarded(alice, "CN = alice, OU = Eng, O = Lab") == 0);
	CHECK(forwarded(alice, "O = Lab,OU = Eng,CN = alice") == 0);
	CHECK(forwarded(alice, "O=Lab, OU=Eng, CN=alice") == 0);
	CHECK(forwarded(alice, "O = Lab, OU = Eng, CN =  alice") == 0);
	CHECK(forwarded(alice, "O = Lab, OU = Eng, CN = alice ") == 0);
	CHECK(forwarded(alice, "O = Lab, OU = Eng, CN = alice,") == 0);
	CHECK(forwarded(alice, "o = Lab, OU = Eng, CN = alice") == 0);
	CHECK(forwarded(alice, "O = Lab, OU = Eng, CN = \"alice\"") == 0);
	CHECK(forwarded(alice, "O = Lab, OU = Eng + CN = alice") == 0);
	CHECK(forwarded(alice, "O = Lab, OU = Eng, CN = alice, CN = alice") == 0);
	/* Specials: quoted, '"' and '\' with a backslash, controls as \XX. */
	CHECK(forwarded("CN=a\\,b\\\"c\\\\d,O=Lab",
	    "O = Lab, CN = \"a,b\\\"c\\\\d\"") == 1);
	CHECK(forwarded("CN=a\\,b\\\"c\\\\d,O=Lab",
	    "O = Lab, CN = a\\,b\\\"c\\\\d") == 0);
	CHECK(forwarded("CN=a\\,b\\\"c\\\\d,O=Lab",
	    "O = Lab, CN = \"a,b\"c\\d\"") == 0);
	CHECK(forwarded("CN=x\\\"y", "CN = x\\\"y") == 1);
	CHECK(forwarded("CN=x\\\"y", "CN = \"x\\\"y\"") == 0);
	CHECK(forwarded("CN=\\#x,O=\\ a", "O = \" a\", CN = \"#x\"") == 1);
	CHECK(forwarded("CN=\\#", "CN = #") == 1);
	CHECK(forwarded("CN=\\#", "CN = \"#\"") == 0);
	CHECK(forwarded("CN=a#b=c/d", "CN = a#b=c/d") == 1);
	CHECK(forwarded("CN=a\\0Ab\\7F", "CN = a\\0Ab\\7F") == 1);
	CHECK(forwarded("CN=a\\0Ab\\7F", "CN = a\\0ab\\7f") == 0);
	CHECK(forwarded("CN=Jos\\C3\\A9", "CN = Jos\xc3\xa9") == 1);
	CHECK(forwarded("CN=Jos\\C3\\A9", "CN = Jos\\C3\\A9") == 0);
	/* A multi-valued RDN, in certificate order, " + " inside. */
	CHECK(forwarded("UID=a1+CN=alice,O=Lab", "O = Lab, CN = alice + UID = a1") == 1);
	CHECK(forwarded("UID=a1+CN=alice,O=Lab", "O = Lab, UID = a1 + CN = alice") == 0);
	CHECK(forwarded("UID=a1+CN=alice,O=Lab", "O = Lab, CN = alice, UID = a1") == 0);
	/* lighttpd cuts the print at 255 bytes: a cut DN is denied. */
	memcpy(cn, "CN=", 3);
	memset(cn + 3, 'x', 300);
	strcpy(cn + 303, ",O=Lab");
	snprintf(want, sizeof(want), "O = Lab, CN = %.300s", cn + 3);
	CHECK(forwarded(cn, want) == 1);
	want[255] = '\0';
	CHECK(forwarded(cn, want) == 0);
	/* 255 bytes in all: lighttpd sends it whole */
	strcpy(cn + 3 + 255 - strlen("O = Lab, CN = "), ",O=Lab");
	CHECK(strlen(want) == 255 && forwarded(cn, want) == 1);
}

int
main(void)
{
	test_names();
	test_multi_rdn();
	test_escapes();
	test_errors();
	test_uid();
	test_rdn_max();
	test_empty();
	test_render();
	test_forwarded();
	test_forwarded_lighttpd();
	return test_done();
}

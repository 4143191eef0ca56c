/*
 * test_dn.c: DN parsing, comparison and rendering, without certificates.
 */
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

int
main(void)
{
	struct dn	 dn;

	/* Names: short, long, any case, OID are one. */
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
	/* Multi-valued RDNs compare as sets, but stay one RDN. */
	CHECK(same("CN=a+UID=b,O=X", "UID=b+CN=a,O=X") == 1);
	CHECK(same("CN=a+UID=b,O=X", "CN=a,UID=b,O=X") == 0);
	CHECK(same("CN=a+UID=b,O=X", "CN=a+UID=c,O=X") == 0);
	CHECK(same("CN=a+CN=a,O=X", "CN=a+CN=b,O=X") == 0);
	/* Escapes: an escaped comma is data, never a separator. */
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
	/* Errors: unknown names, bad escapes, #hex, stray specials. */
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
	/* uid is userId (RFC 4514), in any case; never uniqueIdentifier */
	CHECK(same("uid=a1", "0.9.2342.19200300.100.1.1=a1") == 1);
	CHECK(same("UID=a1", "uid=a1") == 1);
	CHECK(same("/Uid=a1", "userId=a1") == 1);
	CHECK(same("uid=a1", "uniqueIdentifier=a1") == 0);
	CHECK(same("E=a@b,street=x", "emailAddress=a@b,2.5.4.9=x") == 1);
	render("uid=a1,dc=org", "UID=a1,DC=org");
	/* at most AUTHZ_RDN_MAX values in one RDN */
	{
		char	 big[8 * (AUTHZ_RDN_MAX + 2)], *p = big;
		int	 i;

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
	CHECK(parse_ok("", &dn) && dn.nrdn == 0);
	dn_free(&dn);
	/* Rendering: RFC 4514, most specific first, as OpenSSL escapes. */
	render("/O=Example/OU=Eng/CN=alice", "CN=alice,OU=Eng,O=Example");
	render("CN=a\\,b\\+c\\\"d\\\\e\\<f\\>g\\;h", "CN=a\\,b\\+c\\\"d\\\\e\\<f\\>g\\;h");
	render("CN=\\#x\\ ,O=a#b c", "CN=\\#x\\ ,O=a#b c");
	render("CN=\\01\\7F\\C3\\BC", "CN=\\01\\7F\xc3\xbc");
	render("CN=a+UID=b,O=X", "CN=a+UID=b,O=X");	/* stable round trip */
	render("commonName=a,1.2.3.4=x", "CN=a,1.2.3.4=x");
	/* dn_matches_forwarded on parsed DNs */
	CHECK(parse_ok("CN=alice,O=Example", &dn));
	CHECK(dn_matches_forwarded(&dn, "CN=alice,O=Example") == 1);
	CHECK(dn_matches_forwarded(&dn, "/O=Example/CN=alice") == 1);
	CHECK(dn_matches_forwarded(&dn, "/O=Example/CN=bob") == 0);
	CHECK(dn_matches_forwarded(&dn, "CN=alice,O=Example,") == 0);
	CHECK(dn_matches_forwarded(&dn, "") == 0);
	CHECK(dn_matches_forwarded(&dn, NULL) == 0);
	dn_free(&dn);
	return test_done();
}

/*
 * test_scan.c: fcgi/scan.c, the pre-scanner of one FastCGI request.
 *
 * Requests are built here with a small record encoder, the way nginx
 * (RESPONDER, params padded to 8 bytes, an empty stdin) and Apache
 * (AUTHORIZER, no stdin) send them, then broken one field at a time.
 * Every test that expects COMPLETE also feeds each shorter prefix and
 * expects INCOMPLETE, so "wait for more" and "decided" cannot be mixed
 * up at any byte.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scan.h"
#include "test.h"

#define T_BEGIN		1
#define T_ABORT		2
#define T_PARAMS	4
#define T_STDIN		5
#define T_DATA		8
#define T_GET_VALUES	9
#define RESPONDER	1
#define AUTHORIZER	2
#define FILTER		3

/* A request being built, and a params stream being built. */
struct msg {
	unsigned char	b[4 * SCAN_MAX_REQUEST];
	size_t		n;
};

static struct msg	 m, m2;
static struct msg	 ps;	/* params stream */

static void
put(struct msg *x, const void *p, size_t n)
{
	if (x->n + n > sizeof(x->b))
		abort();
	if (n > 0)
		memcpy(x->b + x->n, p, n);
	x->n += n;
}

/* Appends a record: header, content, plen zero bytes of padding. */
static void
record(struct msg *x, int type, unsigned id, const void *c, size_t clen,
    size_t plen)
{
	unsigned char	 h[8] = { 1, (unsigned char)type,
	    (unsigned char)(id >> 8), (unsigned char)id,
	    (unsigned char)(clen >> 8), (unsigned char)clen,
	    (unsigned char)plen, 0 };
	unsigned char	 zero[256] = { 0 };

	put(x, h, sizeof(h));
	put(x, c, clen);
	put(x, zero, plen);
}

static void
begin(struct msg *x, int role, int flags, unsigned id)
{
	unsigned char	 b[8] = { (unsigned char)(role >> 8),
	    (unsigned char)role, (unsigned char)flags, 0, 0, 0, 0, 0 };

	record(x, T_BEGIN, id, b, 8, 0);
}

static void
putlen(struct msg *s, size_t n, int wide)
{
	unsigned char	 b[4];

	if (n < 128 && !wide) {
		b[0] = (unsigned char)n;
		put(s, b, 1);
		return;
	}
	b[0] = (unsigned char)(0x80 | n >> 24);
	b[1] = (unsigned char)(n >> 16);
	b[2] = (unsigned char)(n >> 8);
	b[3] = (unsigned char)n;
	put(s, b, 4);
}

static void
pairn(struct msg *s, const void *name, size_t nlen, const void *value,
    size_t vlen)
{
	putlen(s, nlen, 0);
	putlen(s, vlen, 0);
	put(s, name, nlen);
	put(s, value, vlen);
}

static void
pair(struct msg *s, const char *name, const char *value)
{
	pairn(s, name, strlen(name), value, strlen(value));
}

/*
 * Appends the params stream s as PARAMS records of at most chunk bytes,
 * each padded to a multiple of 8 when pad8, then the empty PARAMS.
 */
static void
params(struct msg *x, unsigned id, const struct msg *s, size_t chunk,
    int pad8)
{
	size_t	 off, n;

	for (off = 0; off < s->n; off += n) {
		n = s->n - off < chunk ? s->n - off : chunk;
		record(x, T_PARAMS, id, s->b + off, n, pad8 ? (8 - n % 8) % 8 :
		    0);
	}
	record(x, T_PARAMS, id, NULL, 0, 0);
}

static enum scan_status
scan(const struct msg *x, size_t len, struct scan_result *r)
{
	return scan_request(len == 0 ? NULL : x->b, len, r);
}

/* x becomes one authorizer request (id 1): s's params, chunk bytes a record. */
static void
request_of(struct msg *x, const struct msg *s, size_t chunk, int pad8)
{
	x->n = 0;
	begin(x, AUTHORIZER, 0, 1);
	params(x, 1, s, chunk, pad8);
}

/*
 * 1 when x scans COMPLETE with length x->n and the given fault, and
 * every prefix INCOMPLETE: each one up to 2 KiB long requests, else
 * the first and last 64 and about 2,000 in between, at odd steps.
 */
static int
complete(const struct msg *x, const char *fault)
{
	struct scan_result	 r;
	size_t			 i, stride = (x->n / 2048) | 1;
	int			 ok = 1;

	for (i = 0; i < x->n; i++) {
		if (i % stride != 0 && i > 64 && i + 64 < x->n)
			continue;
		if (scan(x, i, &r) != SCAN_INCOMPLETE || r.reason != NULL ||
		    r.fault != NULL || r.length != 0) {
			fprintf(stderr, "prefix %zu of %zu: %d %s\n", i, x->n,
			    (int)scan(x, i, &r), r.reason ? r.reason : "");
			ok = 0;
			break;
		}
	}
	if (scan(x, x->n, &r) != SCAN_COMPLETE || r.length != x->n) {
		fprintf(stderr, "whole %zu: status %d length %zu reason %s\n",
		    x->n, (int)scan(x, x->n, &r), r.length,
		    r.reason ? r.reason : "(null)");
		return 0;
	}
	if (fault == NULL ? r.fault != NULL || r.reason != NULL :
	    r.fault == NULL || strcmp(r.fault, fault) != 0 ||
	    r.reason != r.fault) {
		fprintf(stderr, "fault: got %s want %s\n",
		    r.fault ? r.fault : "(null)", fault ? fault : "(null)");
		return 0;
	}
	return ok;
}

/* The reason when x's first len bytes scan INVALID, else NULL. */
static const char *
invalid(const struct msg *x, size_t len)
{
	struct scan_result	 r;

	if (scan(x, len, &r) != SCAN_INVALID || r.fault != NULL ||
	    r.length != 0)
		return NULL;
	return r.reason;
}

/* A 1.3 KB certificate in nginx's $ssl_client_raw_cert form. */
static void
fakecert(char *out, size_t size)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t	 i, n = 0;

	n += (size_t)snprintf(out, size, "-----BEGIN CERTIFICATE-----\n");
	for (i = 0; i < 1280; i++) {
		out[n++] = b64[(i * 7 + i / 64) % 64];
		if (i % 64 == 63)
			out[n++] = '\n';
	}
	snprintf(out + n, size - n, "-----END CERTIFICATE-----\n");
}

/* The params nginx sends from fastcgi_params plus the SSL ones. */
static void
nginx_params(struct msg *s)
{
	static char	 cert[2048];

	fakecert(cert, sizeof(cert));
	s->n = 0;
	pair(s, "QUERY_STRING", "");
	pair(s, "REQUEST_METHOD", "GET");
	pair(s, "CONTENT_TYPE", "");
	pair(s, "CONTENT_LENGTH", "");
	pair(s, "SCRIPT_NAME", "/auth");
	pair(s, "REQUEST_URI", "/admin/x?y=1");
	pair(s, "DOCUMENT_URI", "/auth");
	pair(s, "DOCUMENT_ROOT", "/usr/share/nginx/html");
	pair(s, "SERVER_PROTOCOL", "HTTP/1.1");
	pair(s, "REQUEST_SCHEME", "https");
	pair(s, "HTTPS", "on");
	pair(s, "GATEWAY_INTERFACE", "CGI/1.1");
	pair(s, "SERVER_SOFTWARE", "nginx/1.24.0");
	pair(s, "REMOTE_ADDR", "203.0.113.7");
	pair(s, "REMOTE_PORT", "50312");
	pair(s, "SERVER_ADDR", "192.0.2.1");
	pair(s, "SERVER_PORT", "443");
	pair(s, "SERVER_NAME", "admin.example.com");
	pair(s, "REDIRECT_STATUS", "200");
	pair(s, "SSL_CLIENT_VERIFY", "SUCCESS");
	pair(s, "SSL_CLIENT_S_DN", "CN=alice,OU=Eng,O=Example");
	pair(s, "SSL_CLIENT_I_DN", "CN=Example Client CA,O=Example");
	pair(s, "SSL_CLIENT_SERIAL", "1001");
	pair(s, "SSL_CLIENT_CERT", cert);
	pair(s, "HTTP_HOST", "admin.example.com");
	pair(s, "HTTP_USER_AGENT", "curl/8.5.0");
}

/* nginx: RESPONDER, keep-alive, params padded, empty stdin. */
static void
nginx_request(struct msg *x, size_t chunk)
{
	x->n = 0;
	nginx_params(&ps);
	begin(x, RESPONDER, 1, 1);
	params(x, 1, &ps, chunk, 1);
	record(x, T_STDIN, 1, NULL, 0, 0);
}

static void
test_nginx(void)
{
	struct scan_result	 r;
	size_t			 n;

	nginx_request(&m, 65535);
	CHECK(ps.n > 1300 && ps.n < 4096);
	CHECK(complete(&m, NULL));
	CHECK(scan(&m, m.n, &r) == SCAN_COMPLETE);
	CHECK(r.role == RESPONDER && r.keep_conn == 1 && r.request_id == 1);
	CHECK(r.reason == NULL && r.fault == NULL);

	/* Role and id are known as soon as BEGIN_REQUEST is whole. */
	CHECK(scan(&m, 15, &r) == SCAN_INCOMPLETE && r.role == 0);
	CHECK(scan(&m, 16, &r) == SCAN_INCOMPLETE && r.role == RESPONDER &&
	    r.keep_conn == 1 && r.request_id == 1);

	/* A second request behind it is not looked at. */
	n = m.n;
	nginx_request(&m2, 65535);
	put(&m, m2.b, m2.n);
	CHECK(scan(&m, m.n, &r) == SCAN_COMPLETE && r.length == n);
	CHECK(scan(&m, n + 3, &r) == SCAN_COMPLETE && r.length == n);
	m.b[n] = 0xff;		/* whatever follows */
	CHECK(scan(&m, m.n, &r) == SCAN_COMPLETE && r.length == n);

	/* Pairs and lengths split across records, at every size. */
	for (n = 1; n <= 17; n++) {
		nginx_request(&m, n);
		CHECK(complete(&m, NULL));
	}
	nginx_request(&m, 1000);
	CHECK(complete(&m, NULL));

	/* Request id 0xffff, a stdin with content, big padding. */
	m.n = 0;
	nginx_params(&ps);
	begin(&m, RESPONDER, 0, 0xffff);
	params(&m, 0xffff, &ps, 65535, 1);
	record(&m, T_STDIN, 0xffff, "body", 4, 255);
	record(&m, T_STDIN, 0xffff, "more", 4, 0);
	record(&m, T_STDIN, 0xffff, NULL, 0, 0);
	CHECK(complete(&m, NULL));
	CHECK(scan(&m, m.n, &r) == SCAN_COMPLETE && r.request_id == 0xffff &&
	    r.keep_conn == 0);
}

/* Apache mod_authnz_fcgi: AUTHORIZER, no stdin; and FILTER. */
static void
test_authorizer(void)
{
	struct scan_result	 r;
	size_t			 n;

	m.n = 0;
	nginx_params(&ps);
	begin(&m, AUTHORIZER, 0, 1);
	params(&m, 1, &ps, 65535, 0);
	CHECK(complete(&m, NULL));
	CHECK(scan(&m, m.n, &r) == SCAN_COMPLETE && r.role == AUTHORIZER &&
	    r.keep_conn == 0);

	/* A stdin sent anyway is left where it is. */
	n = m.n;
	record(&m, T_STDIN, 1, NULL, 0, 0);
	CHECK(scan(&m, m.n, &r) == SCAN_COMPLETE && r.length == n);

	/* FILTER ends with its params too: the daemon answers 500. */
	m.n = 0;
	begin(&m, FILTER, 1, 3);
	params(&m, 3, &ps, 100, 1);
	CHECK(complete(&m, NULL));
	CHECK(scan(&m, m.n, &r) == SCAN_COMPLETE && r.role == FILTER &&
	    r.keep_conn == 1 && r.request_id == 3);

	/* No params at all. */
	m.n = 0;
	begin(&m, AUTHORIZER, 0, 1);
	record(&m, T_PARAMS, 1, NULL, 0, 0);
	CHECK(complete(&m, NULL));
	CHECK(m.n == 24);
}

static void
test_flags(void)
{
	struct scan_result	 r;

	m.n = 0;
	begin(&m, RESPONDER, 0xfe, 1);		/* reserved bits only */
	record(&m, T_PARAMS, 1, NULL, 0, 0);
	record(&m, T_STDIN, 1, NULL, 0, 0);
	CHECK(scan(&m, m.n, &r) == SCAN_COMPLETE && r.keep_conn == 0);
	m.b[10] = 0xff;
	CHECK(scan(&m, m.n, &r) == SCAN_COMPLETE && r.keep_conn == 1);
	m.b[10] = 0x01;
	CHECK(scan(&m, m.n, &r) == SCAN_COMPLETE && r.keep_conn == 1);
}

static void
test_padding(void)
{
	ps.n = 0;
	pair(&ps, "SSL_CLIENT_VERIFY", "SUCCESS");

	/* Non-empty PARAMS and STDIN records may be padded, up to 255. */
	m.n = 0;
	begin(&m, RESPONDER, 0, 1);
	record(&m, T_PARAMS, 1, ps.b, ps.n, 255);
	record(&m, T_PARAMS, 1, NULL, 0, 0);
	record(&m, T_STDIN, 1, "x", 1, 7);
	record(&m, T_STDIN, 1, NULL, 0, 0);
	CHECK(complete(&m, NULL));

	/* libfcgi would read this padding as the next header. */
	m.n = 0;
	begin(&m, RESPONDER, 0, 1);
	m.b[6] = 8;
	record(&m, T_PARAMS, 1, NULL, 0, 0);
	CHECK_STR(invalid(&m, 8), "padding libfcgi would misread");

	m.n = 0;
	begin(&m, RESPONDER, 0, 1);
	record(&m, T_PARAMS, 1, ps.b, ps.n, 0);
	record(&m, T_PARAMS, 1, NULL, 0, 8);
	CHECK_STR(invalid(&m, m.n - 8), "padding libfcgi would misread");

	m.n = 0;
	begin(&m, RESPONDER, 0, 1);
	record(&m, T_PARAMS, 1, NULL, 0, 0);
	record(&m, T_STDIN, 1, NULL, 0, 1);
	CHECK_STR(invalid(&m, m.n - 1), "padding libfcgi would misread");
}

static void
test_faults(void)
{
	static const char	 v[] = "SUCCESS\0junk";
	struct msg		*s = &ps;
	char			 name[16];
	int			 i;

	/* A NUL in a value: SSL_CLIENT_VERIFY="SUCCESS\0junk". */
	nginx_params(s);
	pairn(s, "X_VERIFY", 8, v, sizeof(v) - 1);
	m.n = 0;
	begin(&m, RESPONDER, 1, 1);
	params(&m, 1, s, 65535, 1);
	record(&m, T_STDIN, 1, NULL, 0, 0);
	CHECK(complete(&m, "param value holds a NUL byte"));

	/* ... also when it is the last byte, split across records. */
	s->n = 0;
	pairn(s, "SSL_CLIENT_CERT", 15, "-----\0", 6);
	request_of(&m, s, 3, 1);
	CHECK(complete(&m, "param value holds a NUL byte"));

	/* A NUL in a name. */
	s->n = 0;
	pair(s, "A", "1");
	pairn(s, "SSL_CLIENT_VERIFY\0X", 19, "SUCCESS", 7);
	request_of(&m, s, 65535, 0);
	CHECK(complete(&m, "param name holds a NUL byte"));

	/* Both: the first pair with one wins. */
	s->n = 0;
	pairn(s, "V", 1, "a\0", 2);
	pairn(s, "N\0", 2, "b", 1);
	request_of(&m, s, 65535, 0);
	CHECK(complete(&m, "param value holds a NUL byte"));

	/* A duplicate, also when one copy is split across records. */
	nginx_params(s);
	pair(s, "SSL_CLIENT_VERIFY", "NONE");
	for (i = 1; i <= 9; i += 4) {
		m.n = 0;
		begin(&m, RESPONDER, 1, 1);
		params(&m, 1, s, i == 9 ? 65535 : (size_t)i, 1);
		record(&m, T_STDIN, 1, NULL, 0, 0);
		CHECK(complete(&m, "duplicate param"));
	}

	/* An '=' in a name: libfcgi would read "HTTP_HOST=X" + "a" as
	 * HTTP_HOST "X=a", a duplicate of the real one. */
	s->n = 0;
	pair(s, "HTTP_HOST", "a.example.com");
	pair(s, "HTTP_HOST=X", "b.example.com");
	request_of(&m, s, 65535, 0);
	CHECK(complete(&m, "param name holds '='"));
	s->n = 0;
	pair(s, "X", "a=b");
	request_of(&m, s, 65535, 0);
	CHECK(complete(&m, NULL));

	/* Same length or same prefix is no duplicate; empty names are. */
	s->n = 0;
	pair(s, "SSL_CLIENT_S_DN", "a");
	pair(s, "SSL_CLIENT_I_DN", "b");
	pair(s, "SSL_CLIENT_S_D", "c");
	pair(s, "SSL_CLIENT_S_DNX", "d");
	pair(s, "", "e");
	request_of(&m, s, 5, 0);
	CHECK(complete(&m, NULL));
	pair(s, "", "f");
	request_of(&m, s, 5, 0);
	CHECK(complete(&m, "duplicate param"));

	/* 256 params pass, 257 do not; too many wins over the rest. */
	s->n = 0;
	for (i = 0; i < SCAN_MAX_PARAMS; i++) {
		snprintf(name, sizeof(name), "P%03d", i);
		pair(s, name, "v");
	}
	request_of(&m, s, 65535, 0);
	CHECK(complete(&m, NULL));
	pair(s, "P000", "dup\0");
	request_of(&m, s, 65535, 0);
	CHECK(complete(&m, "too many params"));

	/* Lengths in the 4-byte form although they are short. */
	s->n = 0;
	putlen(s, 4, 1);
	putlen(s, 1, 1);
	put(s, "NAME", 4);
	put(s, "v", 1);
	request_of(&m, s, 3, 0);
	CHECK(complete(&m, NULL));
}

/* Records and pairs that announce more than SCAN_MAX_REQUEST. */
static void
test_limits(void)
{
	static unsigned char	 big[SCAN_MAX_REQUEST];
	unsigned char		 lens[8];
	struct scan_result	 r;
	size_t			 v, s, i;

	memset(big, 'x', sizeof(big));

	/*
	 * The largest RESPONDER request: 16 (BEGIN) + 8 + S (one PARAMS
	 * record) + 8 + 8 (the empty PARAMS and STDIN) = 65536.
	 */
	s = SCAN_MAX_REQUEST - 40;
	v = s - 6;			/* 1 + 4 length bytes, name "X" */
	ps.n = 0;
	pairn(&ps, "X", 1, big, v);
	CHECK(ps.n == s);
	m.n = 0;
	begin(&m, RESPONDER, 1, 1);
	params(&m, 1, &ps, 65535, 0);
	record(&m, T_STDIN, 1, NULL, 0, 0);
	CHECK(m.n == SCAN_MAX_REQUEST);
	CHECK(complete(&m, NULL));

	/* One more value byte: refused when the header arrives. */
	ps.n = 0;
	pairn(&ps, "X", 1, big, v + 1);
	m.n = 0;
	begin(&m, RESPONDER, 1, 1);
	params(&m, 1, &ps, 65535, 0);
	record(&m, T_STDIN, 1, NULL, 0, 0);
	CHECK(invalid(&m, 23) == NULL);
	CHECK_STR(invalid(&m, 24), "request too large");
	CHECK_STR(invalid(&m, m.n), "request too large");

	/* The same split in two records: the pair's lengths tell. */
	m.n = 0;
	begin(&m, RESPONDER, 1, 1);
	record(&m, T_PARAMS, 1, ps.b, 8, 0);
	CHECK(invalid(&m, 28) == NULL);		/* lengths not yet whole */
	CHECK_STR(invalid(&m, 29), "param too long");
	ps.n = 0;
	pairn(&ps, "X", 1, big, v - 8);		/* 8 more for the header */
	m.n = 0;
	begin(&m, RESPONDER, 1, 1);
	record(&m, T_PARAMS, 1, ps.b, 8, 0);
	record(&m, T_PARAMS, 1, ps.b + 8, ps.n - 8, 0);
	record(&m, T_PARAMS, 1, NULL, 0, 0);
	record(&m, T_STDIN, 1, NULL, 0, 0);
	CHECK(m.n == SCAN_MAX_REQUEST);
	CHECK(complete(&m, NULL));
	m.b[16 + 8 + 4] += 1;		/* the value length's last byte */
	CHECK_STR(invalid(&m, 32), "param too long");

	/* AUTHORIZER has no empty STDIN: 8 bytes more room. */
	ps.n = 0;
	pairn(&ps, "X", 1, big, v + 8);
	request_of(&m, &ps, 65535, 0);
	CHECK(m.n == SCAN_MAX_REQUEST);
	CHECK(complete(&m, NULL));

	/* A 2 GiB value, announced in an 8-byte record: at once. */
	lens[0] = 1;
	lens[1] = 0xff;
	lens[2] = lens[3] = lens[4] = 0xff;
	lens[5] = 'X';
	lens[6] = lens[7] = 'v';
	m.n = 0;
	begin(&m, RESPONDER, 1, 1);
	record(&m, T_PARAMS, 1, lens, 8, 0);
	CHECK_STR(invalid(&m, m.n), "param too long");
	CHECK(invalid(&m, m.n - 4) == NULL);
	CHECK_STR(invalid(&m, m.n - 3), "param too long");
	/* ... and a 2 GiB name, in a record announcing 65535 bytes. */
	m.n = 0;
	begin(&m, AUTHORIZER, 1, 1);
	record(&m, T_PARAMS, 1, big, 1000, 0);
	m.b[24] = 0xff;
	m.b[25] = m.b[26] = m.b[27] = 0xff;
	m.b[28] = 1;
	CHECK(invalid(&m, 28) == NULL);
	CHECK_STR(invalid(&m, 29), "param too long");

	/* A content length that crosses 64 KiB: before its bytes. */
	m.n = 0;
	ps.n = 0;
	pairn(&ps, "X", 1, big, 60000);
	begin(&m, RESPONDER, 1, 1);
	record(&m, T_PARAMS, 1, ps.b, 40000, 0);
	record(&m, T_PARAMS, 1, ps.b + 40000, ps.n - 40000, 0);
	i = m.n;			/* then 8 + clen + 8 + 8 */
	record(&m, T_PARAMS, 1, big, SCAN_MAX_REQUEST - i - 24, 0);
	CHECK(scan(&m, i + 8, &r) == SCAN_INCOMPLETE);
	m.n = i;
	record(&m, T_PARAMS, 1, big, SCAN_MAX_REQUEST - i - 23, 0);
	CHECK(scan(&m, i + 7, &r) == SCAN_INCOMPLETE);
	CHECK_STR(invalid(&m, i + 8), "request too large");

	/* A body beyond the limit: refused at its header. */
	m.n = 0;
	begin(&m, RESPONDER, 1, 1);
	record(&m, T_PARAMS, 1, NULL, 0, 0);
	record(&m, T_STDIN, 1, big, 60000, 0);
	i = m.n;			/* then 8 + clen + 8 */
	record(&m, T_STDIN, 1, big, SCAN_MAX_REQUEST - i - 16, 0);
	record(&m, T_STDIN, 1, NULL, 0, 0);
	CHECK(m.n == SCAN_MAX_REQUEST);
	CHECK(complete(&m, NULL));
	m.n = i;
	record(&m, T_STDIN, 1, big, SCAN_MAX_REQUEST - i - 15, 0);
	CHECK_STR(invalid(&m, i + 8), "request too large");
	m.n = i;
	record(&m, T_STDIN, 1, big, SCAN_MAX_REQUEST - i - 16, 0);
	record(&m, T_STDIN, 1, big, 1, 0);
	CHECK_STR(invalid(&m, m.n - 1), "request too large");

	/* SCAN_MAX_REQUEST bytes always decide. */
	CHECK(scan(&m, SCAN_MAX_REQUEST, &r) != SCAN_INCOMPLETE);
}

static void
test_invalid(void)
{
	static const char	 http[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	static const unsigned char tls[] = { 0x16, 0x03, 0x01, 0x02, 0x00 };
	struct scan_result	 r;
	size_t			 n;

	/* Not FastCGI: refused at the first byte. */
	m.n = 0;
	put(&m, http, sizeof(http) - 1);
	CHECK_STR(invalid(&m, 1), "not FastCGI version 1");
	CHECK_STR(invalid(&m, m.n), "not FastCGI version 1");
	m.n = 0;
	put(&m, tls, sizeof(tls));
	CHECK_STR(invalid(&m, 1), "not FastCGI version 1");

	/* Wrong version, first and later. */
	nginx_request(&m, 65535);
	m.b[0] = 2;
	CHECK_STR(invalid(&m, 1), "not FastCGI version 1");
	nginx_request(&m, 65535);
	m.b[16] = 0;
	CHECK(scan(&m, 16, &r) == SCAN_INCOMPLETE);
	CHECK_STR(invalid(&m, 17), "not FastCGI version 1");
	nginx_request(&m, 65535);
	m.b[m.n - 8] = 2;
	CHECK_STR(invalid(&m, m.n), "not FastCGI version 1");

	/* Unknown types and types out of place. */
	nginx_request(&m, 65535);
	m.b[1] = 0;
	CHECK_STR(invalid(&m, 2), "unknown record type");
	m.b[1] = 12;
	CHECK_STR(invalid(&m, 2), "unknown record type");
	m.b[1] = 0xff;
	CHECK_STR(invalid(&m, 2), "unknown record type");
	m.b[1] = T_PARAMS;
	CHECK_STR(invalid(&m, 2), "expected FCGI_BEGIN_REQUEST");
	nginx_request(&m, 65535);
	m.b[17] = T_STDIN;
	CHECK_STR(invalid(&m, 18), "expected FCGI_PARAMS");
	m.b[17] = T_BEGIN;
	CHECK_STR(invalid(&m, 18), "expected FCGI_PARAMS");
	m.b[17] = T_DATA;
	CHECK_STR(invalid(&m, 18), "expected FCGI_PARAMS");
	m.b[17] = T_ABORT;
	CHECK_STR(invalid(&m, 18), "expected FCGI_PARAMS");
	nginx_request(&m, 65535);
	m.b[m.n - 7] = T_PARAMS;
	CHECK_STR(invalid(&m, m.n), "expected FCGI_STDIN");
	m.b[m.n - 7] = 12;
	CHECK_STR(invalid(&m, m.n - 6), "unknown record type");

	/* Management records: GET_VALUES first, or mid-request. */
	m.n = 0;
	ps.n = 0;
	pair(&ps, "FCGI_MAX_CONNS", "");
	record(&m, T_GET_VALUES, 0, ps.b, ps.n, 0);
	CHECK_STR(invalid(&m, 2), "expected FCGI_BEGIN_REQUEST");
	nginx_request(&m, 65535);
	m.b[2] = m.b[3] = 0;
	CHECK(scan(&m, 7, &r) == SCAN_INCOMPLETE);
	CHECK_STR(invalid(&m, 8), "management record");
	nginx_request(&m, 65535);
	m.b[18] = m.b[19] = 0;
	CHECK_STR(invalid(&m, 24), "management record");

	/* The request id changes. */
	nginx_request(&m, 65535);
	m.b[19] = 2;
	CHECK(scan(&m, 23, &r) == SCAN_INCOMPLETE);
	CHECK_STR(invalid(&m, 24), "request id changed");
	nginx_request(&m, 65535);
	m.b[m.n - 6] = 1;			/* id 0x101 */
	CHECK_STR(invalid(&m, m.n), "request id changed");

	/* BEGIN_REQUEST of another length. */
	for (n = 0; n <= 16; n++) {
		if (n == 8)
			continue;
		nginx_request(&m, 65535);
		m.b[5] = (unsigned char)n;
		CHECK_STR(invalid(&m, 8), "FCGI_BEGIN_REQUEST length is not 8");
	}
	nginx_request(&m, 65535);
	m.b[4] = 1;
	CHECK_STR(invalid(&m, 8), "FCGI_BEGIN_REQUEST length is not 8");

	/* Roles libfcgi does not know. */
	nginx_request(&m, 65535);
	m.b[9] = 0;
	CHECK(scan(&m, 15, &r) == SCAN_INCOMPLETE);
	CHECK_STR(invalid(&m, 16), "unknown role");
	CHECK(scan(&m, 16, &r) == SCAN_INVALID && r.role == 0);
	m.b[9] = 4;
	CHECK_STR(invalid(&m, 16), "unknown role");
	m.b[8] = 1;
	m.b[9] = RESPONDER;
	CHECK_STR(invalid(&m, 16), "unknown role");

	/* A pair that overruns the params. */
	ps.n = 0;
	put(&ps, "\x05\x01" "AB", 4);
	request_of(&m, &ps, 65535, 1);
	CHECK(scan(&m, m.n - 1, &r) == SCAN_INCOMPLETE);
	CHECK_STR(invalid(&m, m.n), "truncated param");
	ps.n = 0;
	put(&ps, "\x05", 1);			/* no value length */
	request_of(&m, &ps, 65535, 0);
	CHECK_STR(invalid(&m, m.n), "truncated param");
	ps.n = 0;
	put(&ps, "\x01\x80\x00", 3);		/* half a 4-byte length */
	request_of(&m, &ps, 65535, 0);
	CHECK_STR(invalid(&m, m.n), "truncated param");

	/* Nothing at all, and garbage. */
	CHECK(scan_request(NULL, 0, &r) == SCAN_INCOMPLETE &&
	    r.reason == NULL && r.role == 0);
	m.n = 0;
	put(&m, "\x01\x01\x00\x01\x00\x08\x00\x00garbage!", 16);
	CHECK_STR(invalid(&m, 16), "unknown role");
}

static uint32_t
rnd(void)
{
	static uint32_t	 x = 2463534242u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return x;
}

/*
 * Mutated requests: the status over growing prefixes is INCOMPLETE,
 * then only COMPLETE of one length or only INVALID; a result never
 * points past the bytes given; SCAN_MAX_REQUEST bytes always decide.
 */
static void
test_mutations(int rounds)
{
	static struct msg	 base;
	struct scan_result	 r;
	enum scan_status	 st, last;
	size_t			 i, n, len, first;
	int			 k, bad = 0;

	for (k = 0; k < rounds && !bad; k++) {
		nginx_request(&base, 1 + rnd() % 64);
		if (rnd() % 4 == 0) {
			base.n = 0;
			begin(&base, AUTHORIZER, 0, 1);
			params(&base, 1, &ps, 1 + rnd() % 300, rnd() % 2);
		}
		m = base;
		for (n = 1 + rnd() % 4; n > 0; n--) {
			i = rnd() % m.n;
			switch (rnd() % 4) {
			case 0:
				m.b[i] = (unsigned char)rnd();
				break;
			case 1:
				m.b[i] ^= (unsigned char)(1u << rnd() % 8);
				break;
			case 2:
				m.b[i] = (unsigned char)(rnd() % 2 ? 0 : 0xff);
				break;
			default:
				m.n = i + 1;
				break;
			}
		}
		last = SCAN_INCOMPLETE;
		first = 0;
		for (len = 0; len <= m.n && !bad; len++) {
			st = scan(&m, len, &r);
			if (st == SCAN_COMPLETE && (r.length > len ||
			    r.length > SCAN_MAX_REQUEST || r.length < 24))
				bad = 1;
			if (st == SCAN_COMPLETE && last != SCAN_COMPLETE)
				first = r.length;
			if (last != SCAN_INCOMPLETE && st != last)
				bad = 1;
			if (st == SCAN_COMPLETE && r.length != first)
				bad = 1;
			if (st == SCAN_INVALID && (r.reason == NULL ||
			    r.fault != NULL))
				bad = 1;
			if (st == SCAN_INCOMPLETE && (r.reason != NULL ||
			    len >= SCAN_MAX_REQUEST))
				bad = 1;
			last = st;
		}
		if (bad)
			fprintf(stderr, "mutation round %d, prefix %zu\n", k,
			    len - 1);
	}
	CHECK(!bad);

	/* Random bytes after a valid BEGIN_REQUEST, up to 64 KiB. */
	for (k = 0; k < 50; k++) {
		m.n = 0;
		begin(&m, RESPONDER, 1, 1);
		while (m.n < SCAN_MAX_REQUEST) {
			m.b[m.n] = (unsigned char)rnd();
			m.n++;
		}
		CHECK(scan(&m, m.n, &r) != SCAN_INCOMPLETE);
	}
}

int
main(int argc, char *argv[])
{
	test_nginx();
	test_authorizer();
	test_flags();
	test_padding();
	test_faults();
	test_limits();
	test_invalid();
	test_mutations(argc > 1 ? atoi(argv[1]) : 40);
	return test_done();
}

/*
 * test_fcgi_ref.c: certauthzd reads FastCGI params with its own parser
 * (fcgi/scan.c: scan_request(), then scan_params_copy()); this holds
 * that parser to libfcgi's reading of the same bytes.
 *
 * Each case is a request built here (random from a fixed seed, plus a
 * few made by hand): params of random names and values, lengths in the
 * 1- and 4-byte forms, the params stream cut into records at random
 * points (down to 1 byte) with random padding, the RESPONDER or
 * AUTHORIZER role, a stdin for the responder.  The bytes go to
 * libfcgi's FCGX_Accept_r() over a socketpair, as the daemon once
 * served them; libfcgi's envp ("NAME=VALUE" C strings after
 * FCGI_ROLE) must equal, pair for pair and in order, what
 * scan_params_copy() copied, read the way libfcgi's strings read (cut
 * at a NUL byte).  Some names repeat, hold '=' or NUL bytes, and some
 * requests carry more than SCAN_MAX_PARAMS params: scan_request()
 * must report exactly those as faults, the one scan.h names for the
 * pairs as generated (certauthzd denies them), and the copies must
 * still agree with libfcgi for as many as were copied.
 */
#include "config.h"

#include <sys/socket.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fastcgi.h>
#include <fcgiapp.h>

#include "scan.h"
#include "test.h"

#define CASES		2000
#define MAXPAIRS	(SCAN_MAX_PARAMS + 8)

static uint64_t	 rng = 0x9e3779b97f4a7c15ULL;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n == 0 ? 0 : (unsigned)(rng % n);
}

struct pair {
	unsigned char	*name, *value;
	size_t		 nlen, vlen;
};

struct msg {
	unsigned char	 b[SCAN_MAX_REQUEST];
	size_t		 n;
};

static void
put(struct msg *m, const void *p, size_t n)
{
	if (m->n + n > sizeof(m->b)) {
		fprintf(stderr, "case too large\n");
		exit(1);
	}
	if (n > 0)
		memcpy(m->b + m->n, p, n);
	m->n += n;
}

static void
record(struct msg *m, int type, const unsigned char *c, size_t clen,
    size_t plen)
{
	unsigned char	 h[8] = { 1, (unsigned char)type, 0, 1,
	    (unsigned char)(clen >> 8), (unsigned char)clen,
	    (unsigned char)plen, 0 };
	static const unsigned char zero[8];

	put(m, h, 8);
	put(m, c, clen);
	put(m, zero, plen);
}

static size_t
putlen(unsigned char *p, size_t v, int longform)
{
	if (v < 128 && !longform) {
		p[0] = (unsigned char)v;
		return 1;
	}
	p[0] = (unsigned char)(0x80 | v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
	return 4;
}

/* The request of role for pairs p[0..n-1], params cut every cut bytes
 * (0: at random). */
static void
build(struct msg *m, int role, const struct pair *p, size_t n, size_t cut)
{
	static unsigned char	 stream[SCAN_MAX_REQUEST];
	unsigned char		 begin[8] = { 0, (unsigned char)role,
	    (unsigned char)rnd(2), 0, 0, 0, 0, 0 };
	unsigned char		 in[300];
	size_t			 len = 0, off, k, i;
	int			 small;

	for (i = 0; i < n; i++) {
		len += putlen(stream + len, p[i].nlen, rnd(8) == 0);
		len += putlen(stream + len, p[i].vlen, rnd(8) == 0);
		memcpy(stream + len, p[i].name, p[i].nlen);
		len += p[i].nlen;
		memcpy(stream + len, p[i].value, p[i].vlen);
		len += p[i].vlen;
	}
	m->n = 0;
	record(m, 1, begin, 8, 0);
	small = len < 4000 && rnd(4) == 0;	/* many tiny records */
	for (off = 0; off < len; off += k) {
		k = cut != 0 ? cut : 1 + rnd(small ? 16 : 4000);
		if (k > len - off)
			k = len - off;
		record(m, 4, stream + off, k, rnd(8));
	}
	record(m, 4, NULL, 0, 0);
	if (role == FCGI_RESPONDER) {
		for (i = 0; i < sizeof(in); i++)
			in[i] = (unsigned char)rnd(256);
		if (rnd(2))
			record(m, 5, in, 1 + rnd(sizeof(in)), rnd(8));
		record(m, 5, NULL, 0, 0);
	}
}

/* "NAME=VALUE" as libfcgi's C string reads it: cut at the first NUL. */
static void
joined(char *out, const char *name, size_t nlen, const char *value,
    size_t vlen)
{
	memcpy(out, name, nlen);
	out[nlen] = '=';
	memcpy(out + nlen + 1, value, vlen);
	out[nlen + 1 + vlen] = '\0';
}

/* The fault scan.h names for pairs p[0..n-1], in its order, or NULL. */
static const char *
expected_fault(const struct pair *p, size_t n)
{
	size_t	 i, j;

	if (n > SCAN_MAX_PARAMS)
		return "too many params";
	for (i = 0; i < n; i++) {
		if (memchr(p[i].name, '\0', p[i].nlen) != NULL)
			return "param name holds a NUL byte";
		if (memchr(p[i].name, '=', p[i].nlen) != NULL)
			return "param name holds '='";
		if (p[i].vlen > 0 && memchr(p[i].value, '\0', p[i].vlen) != NULL)
			return "param value holds a NUL byte";
	}
	for (i = 1; i < n; i++)
		for (j = 0; j < i; j++)
			if (p[i].nlen == p[j].nlen &&
			    memcmp(p[i].name, p[j].name, p[i].nlen) == 0)
				return "duplicate param";
	return NULL;
}

/* Runs m through scan and libfcgi; compares.  Returns the scan fault. */
static const char *
compare(const struct msg *m, size_t npairs)
{
	static char		 copies[SCAN_MAX_REQUEST];
	static struct scan_param sp[SCAN_MAX_PARAMS];
	static char		 ours[SCAN_MAX_REQUEST + 2];
	struct scan_result	 res;
	FCGX_Request		 r;
	char			 buf[4096];
	size_t			 n, i;
	int			 sv[2];

	CHECK(scan_request(m->b, m->n, &res) == SCAN_COMPLETE);
	CHECK(res.length == m->n);
	n = scan_params_copy(m->b, m->n, copies, sp, SCAN_MAX_PARAMS);
	CHECK(n == (npairs < SCAN_MAX_PARAMS ? npairs : SCAN_MAX_PARAMS));

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1 ||
	    write(sv[0], m->b, m->n) != (ssize_t)m->n) {
		perror("socketpair/write");
		exit(1);
	}
	shutdown(sv[0], SHUT_WR);
	FCGX_InitRequest(&r, -1, 0);
	r.ipcFd = sv[1];
	r.keepConnection = 1;
	r.detached = 1;
	CHECK(FCGX_Accept_r(&r) == 0);
	CHECK(r.role == res.role);
	CHECK(r.keepConnection == res.keep_conn);
	for (i = 0; i < n && r.envp != NULL; i++) {
		if (r.envp[i + 1] == NULL) {
			CHECK(!"libfcgi has fewer params");
			break;
		}
		joined(ours, sp[i].name, sp[i].namelen, sp[i].value,
		    sp[i].valuelen);
		CHECK_STR(ours, r.envp[i + 1]);
		/* each copy is followed by its NUL */
		CHECK(sp[i].name[sp[i].namelen] == '\0' &&
		    sp[i].value[sp[i].valuelen] == '\0');
	}
	if (npairs <= SCAN_MAX_PARAMS && r.envp != NULL)
		CHECK(r.envp[n + 1] == NULL);
	if (r.role == FCGI_RESPONDER)
		while (FCGX_GetStr(buf, sizeof(buf), r.in) > 0)
			;
	FCGX_Free(&r, 0);
	close(sv[0]);
	close(sv[1]);
	return res.fault;
}

static unsigned char	 pool[MAXPAIRS][2][9000];
static int		 odd;	/* this request may hold faults */

/* A random name: mostly CGI-like, sometimes holding '=' or NUL. */
static size_t
rname(unsigned char *p)
{
	static const char	 cs[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ_";
	size_t			 n = 1 + rnd(rnd(10) == 0 ? 200 : 20), i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)cs[rnd(sizeof(cs) - 1)];
	if (odd && rnd(50) == 0)
		p[rnd((unsigned)n)] = '=';
	if (odd && rnd(80) == 0)
		p[rnd((unsigned)n)] = '\0';
	return n;
}

static size_t
rvalue(unsigned char *p)
{
	size_t	 n = rnd(rnd(6) == 0 ? 9000 : 60), i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(rnd(3) ? 0x20 + rnd(95) : 1 + rnd(255));
	if (odd && n > 0 && rnd(80) == 0)
		p[rnd((unsigned)n)] = '\0';
	return n;
}

static void
random_cases(void)
{
	static struct msg	 m;
	struct pair		 p[MAXPAIRS];
	size_t			 n, i, j, total;
	const char		*fault;
	int			 c, faults = 0;

	for (c = 0; c < CASES; c++) {
		n = rnd(10) == 0 ? rnd(MAXPAIRS) : rnd(40);
		odd = rnd(4) == 0;
		total = 0;
		for (i = 0; i < n; i++) {
			p[i].name = pool[i][0];
			p[i].value = pool[i][1];
			if (odd && i > 0 && rnd(30) == 0) {	/* repeated */
				j = rnd((unsigned)i);
				p[i].nlen = p[j].nlen;
				memcpy(p[i].name, p[j].name, p[i].nlen);
			} else
				p[i].nlen = rname(p[i].name);
			p[i].vlen = rvalue(p[i].value);
			if ((total += p[i].nlen + p[i].vlen + 16) >
			    SCAN_MAX_REQUEST / 2)
				p[i].vlen = 0;
		}
		build(&m, rnd(2) ? FCGI_RESPONDER : FCGI_AUTHORIZER, p, n, 0);
		fault = compare(&m, n);
		CHECK_STR(fault, expected_fault(p, n));
		if (fault != NULL)
			faults++;
	}
	/* The generator reaches both sides: clean requests and faults. */
	CHECK(faults > CASES / 20 && faults < CASES / 2);
	printf("%d random requests, %d with a fault\n", CASES, faults);
}

/* By hand: no params; a pair split at every byte; 4-byte lengths. */
static void
fixed_cases(void)
{
	static struct msg	 m;
	static unsigned char	 big[9000];
	struct pair		 p[3] = {
		{ (unsigned char *)"SSL_CLIENT_VERIFY", (unsigned char *)"SUCCESS",
		    17, 7 },
		{ (unsigned char *)"REQUEST_URI", (unsigned char *)"/a?b=c",
		    11, 6 },
		{ (unsigned char *)"SSL_CLIENT_CERT", big, 15, sizeof(big) },
	};

	memset(big, 'A', sizeof(big));
	build(&m, FCGI_AUTHORIZER, p, 0, 0);
	CHECK(compare(&m, 0) == NULL);
	build(&m, FCGI_RESPONDER, p, 2, 1);
	CHECK(compare(&m, 2) == NULL);
	build(&m, FCGI_RESPONDER, p, 3, 7);
	CHECK(compare(&m, 3) == NULL);
}

int
main(void)
{
	if (FCGX_Init() != 0) {
		fprintf(stderr, "FCGX_Init failed\n");
		return 1;
	}
	fixed_cases();
	random_cases();
	return test_done();
}

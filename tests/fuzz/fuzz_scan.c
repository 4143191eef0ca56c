/*
 * fuzz_scan.c: scan_request() (fcgi/scan.c), the first code that reads
 * bytes from the socket, on the bytes of a connection as they arrive.
 *
 * Input: the raw bytes of a FastCGI connection.  Invariants, from
 * scan.h's contract:
 *  - SCAN_COMPLETE claims 1..len bytes, at most SCAN_MAX_REQUEST; a
 *    role, a request id and no reason unless there is a fault; and a
 *    plain re-reading of the records it claims (the reference below:
 *    BEGIN_REQUEST, PARAMS to an empty one, STDIN to an empty one for
 *    a responder, ending exactly there) agrees on the role, keep_conn,
 *    id and on the fault, which bounds the params (SCAN_MAX_PARAMS,
 *    no NUL or '=' in a name, no NUL in a value, no duplicate name);
 *  - SCAN_INVALID has a reason and no fault; SCAN_INCOMPLETE neither,
 *    and never at SCAN_MAX_REQUEST bytes or more;
 *  - scan_params_copy() on a COMPLETE request copies the pairs the
 *    reference reads, in order, byte for byte, each followed by a NUL,
 *    within the request's length, up to SCAN_MAX_PARAMS of them;
 *  - the bytes after a whole request are not looked at, and a prefix
 *    of the input is never INVALID unless the input is, never COMPLETE
 *    unless the input is the same request, and knows the same role.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "scan.h"

enum { T_BEGIN = 1, T_PARAMS = 4, T_STDIN = 5, RESPONDER = 1, FILTER = 3 };

struct ref {
	int		 role, keep_conn;
	unsigned	 request_id;
	const char	*fault;
	unsigned char	*params;	/* the params stream, np bytes */
	size_t		 np;
};

/* A pair's length: 1 byte below 128, else 4 with the high bit set. */
static int
ref_length(const unsigned char *p, size_t n, size_t *off, size_t *len)
{
	if (*off >= n)
		return -1;
	if (p[*off] < 128) {
		*len = p[(*off)++];
		return 0;
	}
	if (n - *off < 4)
		return -1;
	*len = ((size_t)p[*off] & 0x7f) << 24 | (size_t)p[*off + 1] << 16 |
	    (size_t)p[*off + 2] << 8 | p[*off + 3];
	*off += 4;
	return 0;
}

/* The fault of the params p (n bytes) as scan.h orders them. */
static const char *
ref_fault(const unsigned char *p, size_t n)
{
	size_t		 off = 0, count = 0, nlen, vlen, i, j;
	size_t		*name = NULL, *namelen = NULL;
	const char	*bytefault = NULL, *fault = NULL;

	if ((name = malloc((n + 1) * sizeof(*name))) == NULL ||
	    (namelen = malloc((n + 1) * sizeof(*namelen))) == NULL)
		abort();
	while (off < n) {
		FUZZ_ASSERT(ref_length(p, n, &off, &nlen) == 0);
		FUZZ_ASSERT(ref_length(p, n, &off, &vlen) == 0);
		FUZZ_ASSERT(nlen <= n - off && vlen <= n - off - nlen);
		if (bytefault == NULL && memchr(p + off, '\0', nlen) != NULL)
			bytefault = "param name holds a NUL byte";
		if (bytefault == NULL && memchr(p + off, '=', nlen) != NULL)
			bytefault = "param name holds '='";
		if (bytefault == NULL &&
		    memchr(p + off + nlen, '\0', vlen) != NULL)
			bytefault = "param value holds a NUL byte";
		name[count] = off;
		namelen[count++] = nlen;
		off += nlen + vlen;
	}
	if (count > SCAN_MAX_PARAMS)
		fault = "too many params";
	else if (bytefault != NULL)
		fault = bytefault;
	for (i = 1; i < count && fault == NULL; i++)
		for (j = 0; j < i && fault == NULL; j++)
			if (namelen[i] == namelen[j] &&
			    memcmp(p + name[i], p + name[j], namelen[i]) == 0)
				fault = "duplicate param";
	free(name);
	free(namelen);
	return fault;
}

/*
 * Re-reads the len bytes a COMPLETE scan claimed, record by record, and
 * asserts they are exactly one request.  Fills *r.
 */
static void
ref_request(const unsigned char *buf, size_t len, struct ref *r)
{
	unsigned char	*params;
	size_t		 off = 0, np = 0, clen, plen;
	int		 type, stage = T_BEGIN;

	if ((params = malloc(len)) == NULL)
		abort();
	memset(r, 0, sizeof(*r));
	while (stage != 0) {
		FUZZ_ASSERT(len - off >= 8 && buf[off] == 1);
		type = buf[off + 1];
		clen = (size_t)buf[off + 4] << 8 | buf[off + 5];
		plen = buf[off + 6];
		FUZZ_ASSERT(len - off - 8 >= clen + plen);
		FUZZ_ASSERT(type == stage);
		if (stage == T_BEGIN) {
			FUZZ_ASSERT(clen == 8 && plen == 0);
			r->request_id = (unsigned)buf[off + 2] << 8 |
			    buf[off + 3];
			r->role = buf[off + 8] << 8 | buf[off + 9];
			r->keep_conn = buf[off + 10] & 1;
			FUZZ_ASSERT(r->request_id != 0);
			FUZZ_ASSERT(r->role >= RESPONDER && r->role <= FILTER);
			stage = T_PARAMS;
		} else {
			FUZZ_ASSERT(((unsigned)buf[off + 2] << 8 |
			    buf[off + 3]) == r->request_id);
			FUZZ_ASSERT(clen != 0 || plen == 0);
			if (stage == T_PARAMS) {
				memcpy(params + np, buf + off + 8, clen);
				np += clen;
			}
			if (clen == 0)
				stage = stage == T_PARAMS &&
				    r->role == RESPONDER ? T_STDIN : 0;
		}
		off += 8 + clen + plen;
	}
	FUZZ_ASSERT(off == len);	/* nothing claimed past its end */
	r->fault = ref_fault(params, np);
	r->params = params;
	r->np = np;
}

/*
 * scan_params_copy() of the COMPLETE request buf (len bytes) against
 * the pairs of the reference's params stream.
 */
static void
check_copy(const unsigned char *buf, size_t len, const struct ref *r)
{
	static struct scan_param p[SCAN_MAX_PARAMS];
	char			*out;
	size_t			 n, i, off = 0, nlen, vlen;

	/* exactly len bytes, so that ASan sees a copy overrun its room */
	if ((out = malloc(len)) == NULL)
		abort();
	n = scan_params_copy(buf, len, out, p, SCAN_MAX_PARAMS);
	for (i = 0; off < r->np; i++) {
		FUZZ_ASSERT(ref_length(r->params, r->np, &off, &nlen) == 0);
		FUZZ_ASSERT(ref_length(r->params, r->np, &off, &vlen) == 0);
		if (i < n) {
			FUZZ_ASSERT(p[i].namelen == nlen &&
			    p[i].valuelen == vlen);
			FUZZ_ASSERT(memcmp(p[i].name, r->params + off,
			    nlen) == 0 && p[i].name[nlen] == '\0');
			FUZZ_ASSERT(memcmp(p[i].value, r->params + off + nlen,
			    vlen) == 0 && p[i].value[vlen] == '\0');
		}
		off += nlen + vlen;
	}
	FUZZ_ASSERT(n == (i < SCAN_MAX_PARAMS ? i : SCAN_MAX_PARAMS));
	free(out);
}

static int
same_fault(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

/* Asserts what scan.h promises of one result, whatever the input. */
static void
check_result(enum scan_status st, const struct scan_result *r, size_t len)
{
	FUZZ_ASSERT(r->role == 0 ? r->request_id == 0 && r->keep_conn == 0 :
	    r->role >= RESPONDER && r->role <= FILTER &&
	    r->request_id > 0 && r->request_id <= 0xffff &&
	    (r->keep_conn == 0 || r->keep_conn == 1));
	switch (st) {
	case SCAN_COMPLETE:
		FUZZ_ASSERT(r->length > 0 && r->length <= len &&
		    r->length <= SCAN_MAX_REQUEST);
		FUZZ_ASSERT(r->role != 0);
		FUZZ_ASSERT(r->reason == r->fault);
		break;
	case SCAN_INVALID:
		FUZZ_ASSERT(r->reason != NULL && r->fault == NULL);
		break;
	case SCAN_INCOMPLETE:
		FUZZ_ASSERT(r->reason == NULL && r->fault == NULL);
		FUZZ_ASSERT(len < SCAN_MAX_REQUEST);
		break;
	default:
		FUZZ_ASSERT(!"a status scan.h does not name");
	}
}

/* The same input, cut at n bytes, against the whole input's result. */
static void
check_prefix(const uint8_t *data, size_t n, enum scan_status whole,
    const struct scan_result *w)
{
	struct scan_result	 r;
	enum scan_status	 st;

	st = scan_request(n ? data : NULL, n, &r);
	check_result(st, &r, n);
	if (whole != SCAN_INVALID)
		FUZZ_ASSERT(st != SCAN_INVALID);
	if (st == SCAN_COMPLETE)
		FUZZ_ASSERT(whole == SCAN_COMPLETE && r.length == w->length &&
		    same_fault(r.fault, w->fault));
	if (whole == SCAN_COMPLETE)
		FUZZ_ASSERT(n < w->length ? st != SCAN_COMPLETE :
		    st == SCAN_COMPLETE);
	if (r.role != 0)
		FUZZ_ASSERT(r.role == w->role &&
		    r.request_id == w->request_id &&
		    r.keep_conn == w->keep_conn);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char	 big[SCAN_MAX_REQUEST];
	struct scan_result	 r, r2;
	struct ref		 ref;
	enum scan_status	 st;
	size_t			 i;

	st = scan_request(size ? data : NULL, size, &r);
	check_result(st, &r, size);
	/* pure: the same bytes, the same answer */
	FUZZ_ASSERT(scan_request(size ? data : NULL, size, &r2) == st &&
	    memcmp(&r, &r2, sizeof(r)) == 0);

	if (st == SCAN_COMPLETE) {
		ref_request(data, r.length, &ref);
		FUZZ_ASSERT(ref.role == r.role &&
		    ref.request_id == r.request_id &&
		    ref.keep_conn == r.keep_conn);
		FUZZ_ASSERT(same_fault(ref.fault, r.fault));
		check_copy(data, r.length, &ref);
		free(ref.params);
		/* exactly the request, without what follows: the same */
		check_prefix(data, r.length, st, &r);
		check_prefix(data, r.length - 1, st, &r);
	}
	for (i = 0; i < 8; i++)
		check_prefix(data, size * i / 8, st, &r);

	/* A read of SCAN_MAX_REQUEST bytes always decides. */
	if (st == SCAN_INCOMPLETE) {
		memcpy(big, data, size);
		memset(big + size, 0, sizeof(big) - size);
		st = scan_request(big, sizeof(big), &r2);
		check_result(st, &r2, sizeof(big));
		FUZZ_ASSERT(st != SCAN_INCOMPLETE);
	}
	return 0;
}

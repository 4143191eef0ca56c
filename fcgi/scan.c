/*
 * scan.c: is there one whole, acceptable FastCGI request in these
 * bytes?  The contract is in scan.h.
 *
 * Two passes over buf, both bounded by it.  scan_records() walks the
 * record headers, checks each one as soon as its bytes are there, and
 * finds where the request ends (or that it needs more bytes, or more
 * than SCAN_MAX_REQUEST of them).  scan_params() then reads the params
 * stream in place through a cursor that steps over the record headers
 * and padding scan_records() has already checked, so a pair split
 * across records needs no copy.
 *
 * The FastCGI constants come from the FastCGI 1.0 specification; they
 * are defined here so that this file builds, and fuzzes, without
 * libfcgi's headers.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "scan.h"

#define SCAN_HEADER_LEN		8
#define SCAN_RECORD_MAX		0xffff	/* content bytes in one record */
#define SCAN_VERSION_1		1
#define SCAN_BEGIN_REQUEST	1
#define SCAN_PARAMS		4
#define SCAN_STDIN		5
#define SCAN_MAXTYPE		11	/* FCGI_UNKNOWN_TYPE */
#define SCAN_RESPONDER		1
#define SCAN_FILTER		3
#define SCAN_KEEP_CONN		1
#define SCAN_DUP_SLOTS		(2 * SCAN_MAX_PARAMS)	/* never full */

/* Where scan_records() is in the request: the record it expects. */
enum scan_state { SCAN_S_BEGIN, SCAN_S_PARAMS, SCAN_S_STDIN, SCAN_S_DONE };

/* What a cursor step found. */
enum scan_step {
	SCAN_DATA,	/* bytes */
	SCAN_END,	/* the empty PARAMS record */
	SCAN_MORE,	/* the end of buf */
	SCAN_TRUNC	/* the end of the params, inside a pair */
};

/*
 * A read position in the params stream.  pos is the next content byte
 * when left > 0; when left == 0 the current record's content is used
 * up and its pad bytes of padding, then the next header, start at pos.
 */
struct scan_cursor {
	const unsigned char	*buf;
	size_t			 len;
	size_t			 pos;
	size_t			 left;
	size_t			 pad;
};

/*
 * Where a name starts (a cursor's pos, left, pad), its length and a
 * hash of its bytes, which spares the duplicate check most of its
 * byte comparisons.
 */
struct scan_name {
	size_t			 pos;
	size_t			 left;
	size_t			 pad;
	size_t			 len;
	uint32_t		 hash;
};

/*
 * Fewest bytes the request still needs from a record boundary at which
 * st is expected: down to the empty PARAMS and, for RESPONDER, the
 * empty STDIN.
 */
static size_t
scan_tail(enum scan_state st, int role)
{
	switch (st) {
	case SCAN_S_BEGIN:
		return 3 * SCAN_HEADER_LEN;
	case SCAN_S_PARAMS:
		return SCAN_HEADER_LEN *
		    (role == SCAN_RESPONDER ? 2 : 1);
	case SCAN_S_STDIN:
		return SCAN_HEADER_LEN;
	default:
		return 0;
	}
}

/* Returns NULL when a record of this type may come in state st. */
static const char *
scan_type(enum scan_state st, unsigned type)
{
	if (type == 0 || type > SCAN_MAXTYPE)
		return "unknown record type";
	switch (st) {
	case SCAN_S_BEGIN:
		return type == SCAN_BEGIN_REQUEST ? NULL :
		    "expected FCGI_BEGIN_REQUEST";
	case SCAN_S_PARAMS:
		return type == SCAN_PARAMS ? NULL : "expected FCGI_PARAMS";
	default:
		return type == SCAN_STDIN ? NULL : "expected FCGI_STDIN";
	}
}

/*
 * Walks the records of buf.  Returns SCAN_INVALID with *reason set,
 * SCAN_INCOMPLETE, or SCAN_COMPLETE with res->length set.  Fills
 * res->role, keep_conn and request_id once BEGIN_REQUEST is whole.
 * Every header that is whole in buf and that this walk passed is one
 * that scan_params() may read without checking it again.
 */
static enum scan_status
scan_records(const unsigned char *buf, size_t len, struct scan_result *res,
    const char **reason)
{
	enum scan_state		 st = SCAN_S_BEGIN, next;
	const unsigned char	*h;
	size_t			 off = 0, avail, clen, plen, rec;
	unsigned		 id;

	while (st != SCAN_S_DONE) {
		if (off + scan_tail(st, res->role) > SCAN_MAX_REQUEST) {
			*reason = "request too large";
			return SCAN_INVALID;
		}
		h = buf + off;
		avail = len - off;
		/* Refuse a wrong version or type at its first byte. */
		if (avail >= 1 && h[0] != SCAN_VERSION_1) {
			*reason = "not FastCGI version 1";
			return SCAN_INVALID;
		}
		if (avail >= 2 && (*reason = scan_type(st, h[1])) != NULL)
			return SCAN_INVALID;
		if (avail < SCAN_HEADER_LEN)
			return SCAN_INCOMPLETE;

		id = (unsigned)h[2] << 8 | h[3];
		clen = (size_t)h[4] << 8 | h[5];
		plen = h[6];
		rec = SCAN_HEADER_LEN + clen + plen;
		if (id == 0) {
			*reason = "management record";
			return SCAN_INVALID;
		}
		if (st != SCAN_S_BEGIN && id != res->request_id) {
			*reason = "request id changed";
			return SCAN_INVALID;
		}
		if (st == SCAN_S_BEGIN && clen != 8) {
			*reason = "FCGI_BEGIN_REQUEST length is not 8";
			return SCAN_INVALID;
		}
		if (plen != 0 && (st == SCAN_S_BEGIN || clen == 0)) {
			*reason = "padding libfcgi would misread";
			return SCAN_INVALID;
		}

		if (st == SCAN_S_BEGIN)
			next = SCAN_S_PARAMS;
		else if (clen != 0)
			next = st;
		else if (st == SCAN_S_PARAMS && res->role == SCAN_RESPONDER)
			next = SCAN_S_STDIN;
		else
			next = SCAN_S_DONE;
		/* BEGIN_REQUEST is 16 bytes at offset 0: it always fits. */
		if (st != SCAN_S_BEGIN &&
		    off + rec + scan_tail(next, res->role) > SCAN_MAX_REQUEST) {
			*reason = "request too large";
			return SCAN_INVALID;
		}
		if (avail < rec)
			return SCAN_INCOMPLETE;

		if (st == SCAN_S_BEGIN) {
			res->role = h[8] << 8 | h[9];
			if (res->role < SCAN_RESPONDER || res->role > SCAN_FILTER) {
				res->role = 0;
				*reason = "unknown role";
				return SCAN_INVALID;
			}
			res->keep_conn = (h[10] & SCAN_KEEP_CONN) != 0;
			res->request_id = id;
		}
		off += rec;
		st = next;
	}
	res->length = off;
	return SCAN_COMPLETE;
}

/*
 * Finds the next contiguous run of params bytes: *p and *n on
 * SCAN_DATA; SCAN_END at the empty PARAMS record; SCAN_MORE when buf
 * ends first.  Does not move the cursor past the bytes it returns.
 */
static enum scan_step
scan_chunk(struct scan_cursor *c, const unsigned char **p, size_t *n)
{
	const unsigned char	*h;
	size_t			 clen;

	while (c->left == 0) {
		if (c->len - c->pos < c->pad + SCAN_HEADER_LEN)
			return SCAN_MORE;
		h = c->buf + c->pos + c->pad;
		clen = (size_t)h[4] << 8 | h[5];
		if (clen == 0)
			return SCAN_END;
		c->pos += c->pad + SCAN_HEADER_LEN;
		c->left = clen;
		c->pad = h[6];
	}
	if (c->pos == c->len)
		return SCAN_MORE;
	*p = c->buf + c->pos;
	*n = c->left < c->len - c->pos ? c->left : c->len - c->pos;
	return SCAN_DATA;
}

static void
scan_skip(struct scan_cursor *c, size_t n)
{
	c->pos += n;
	c->left -= n;
}

/*
 * Reads one name or value length (1 byte, or 4 with the high bit of
 * the first set) into *v.  SCAN_END only before its first byte.
 */
static enum scan_step
scan_length(struct scan_cursor *c, size_t *v)
{
	const unsigned char	*p;
	size_t			 n;
	enum scan_step		 r;
	int			 i, need = 1;

	/* Most lengths are one byte inside the current record. */
	if (c->left > 0 && c->pos < c->len && (c->buf[c->pos] & 0x80) == 0) {
		*v = c->buf[c->pos];
		scan_skip(c, 1);
		return SCAN_DATA;
	}
	*v = 0;
	for (i = 0; i < need; i++) {
		if ((r = scan_chunk(c, &p, &n)) != SCAN_DATA)
			return r == SCAN_END && i > 0 ? SCAN_TRUNC : r;
		if (i == 0 && (p[0] & 0x80) != 0) {
			need = 4;
			*v = p[0] & 0x7f;
		} else
			*v = *v << 8 | p[0];
		scan_skip(c, 1);
	}
	return SCAN_DATA;
}

/*
 * Steps over n bytes of a name or value; sets *nul when one is 0.  For
 * a name (eq not NULL), sets *eq when one is '=' and hashes the bytes
 * into *hash.
 */
static enum scan_step
scan_bytes(struct scan_cursor *c, size_t n, int *nul, int *eq,
    uint32_t *hash)
{
	const unsigned char	*p;
	size_t			 k, i;
	enum scan_step		 r;

	while (n > 0) {
		if ((r = scan_chunk(c, &p, &k)) != SCAN_DATA)
			return r == SCAN_END ? SCAN_TRUNC : r;
		if (k > n)
			k = n;
		if (memchr(p, 0, k) != NULL)
			*nul = 1;
		if (eq != NULL) {
			if (memchr(p, '=', k) != NULL)
				*eq = 1;
			for (i = 0; i < k; i++)	/* FNV-1a */
				*hash = (*hash ^ p[i]) * 16777619u;
		}
		scan_skip(c, k);
		n -= k;
	}
	return SCAN_DATA;
}

/*
 * Copies n bytes of a name or value to out; returns 0, or -1 when the
 * params end first (never on a request scan_params() saw whole).
 */
static int
scan_copy(struct scan_cursor *c, size_t n, char *out)
{
	const unsigned char	*p;
	size_t			 k;

	while (n > 0) {
		if (scan_chunk(c, &p, &k) != SCAN_DATA)
			return -1;
		if (k > n)
			k = n;
		memcpy(out, p, k);
		scan_skip(c, k);
		out += k;
		n -= k;
	}
	return 0;
}

/*
 * Returns NULL when a pair whose name and value take need more bytes
 * from c can still end within SCAN_MAX_REQUEST, at best: it fills the
 * current record, each further record costs a header, and the empty
 * PARAMS (and STDIN) come after.
 */
static const char *
scan_fits(const struct scan_cursor *c, size_t need, int role)
{
	size_t	 rest, end;

	if (need > SCAN_MAX_REQUEST)
		return "param too long";
	if (need <= c->left)
		return NULL;	/* scan_records() checked this record */
	rest = need - c->left;
	end = c->pos + c->left + c->pad +
	    (rest + SCAN_RECORD_MAX - 1) / SCAN_RECORD_MAX * SCAN_HEADER_LEN +
	    rest + scan_tail(SCAN_S_PARAMS, role);
	return end > SCAN_MAX_REQUEST ? "param too long" : NULL;
}

/* 1 when the names a and b, both whole in buf, are equal. */
static int
scan_equal(const unsigned char *buf, size_t len, const struct scan_name *na,
    const struct scan_name *nb)
{
	struct scan_cursor	 a = { buf, len, na->pos, na->left, na->pad };
	struct scan_cursor	 b = { buf, len, nb->pos, nb->left, nb->pad };
	const unsigned char	*pa, *pb;
	size_t			 ka, kb, n = na->len;

	if (na->len != nb->len)
		return 0;
	while (n > 0) {
		if (scan_chunk(&a, &pa, &ka) != SCAN_DATA ||
		    scan_chunk(&b, &pb, &kb) != SCAN_DATA)
			return 1;	/* cannot happen (names are whole):
					   a duplicate, so a deny */
		if (ka > n)
			ka = n;
		if (kb < ka)
			ka = kb;
		if (memcmp(pa, pb, ka) != 0)
			return 0;
		scan_skip(&a, ka);
		scan_skip(&b, ka);
		n -= ka;
	}
	return 1;
}

/*
 * 1 when two of the n names (n <= SCAN_MAX_PARAMS) are equal.  Each
 * name goes into an open-addressed table by its hash; only names of
 * equal hash and length are compared byte for byte.
 */
static int
scan_duplicate(const unsigned char *buf, size_t len,
    const struct scan_name *names, size_t n)
{
	uint16_t	 slot[SCAN_DUP_SLOTS];	/* index + 1; 0: empty */
	size_t		 i, k;

	memset(slot, 0, sizeof(slot));
	for (i = 0; i < n; i++) {
		for (k = names[i].hash % SCAN_DUP_SLOTS; slot[k] != 0;
		    k = (k + 1) % SCAN_DUP_SLOTS)
			if (names[slot[k] - 1].hash == names[i].hash &&
			    scan_equal(buf, len, &names[slot[k] - 1],
			    &names[i]))
				return 1;
		slot[k] = (uint16_t)(i + 1);
	}
	return 0;
}

/*
 * Reads the params of the request in buf, whose BEGIN_REQUEST
 * scan_records() has accepted.  Returns SCAN_INVALID with *reason set,
 * SCAN_INCOMPLETE when buf ends inside them, else SCAN_COMPLETE with
 * *fault set or NULL (scan.h says which fault wins).
 */
static enum scan_status
scan_params(const unsigned char *buf, size_t len, int role,
    const char **reason, const char **fault)
{
	struct scan_name	 names[SCAN_MAX_PARAMS];
	struct scan_cursor	 c = { buf, len, 2 * SCAN_HEADER_LEN, 0, 0 };
	struct scan_name	 at;
	const char		*bytefault = NULL;
	size_t			 n, vlen;
	enum scan_step		 r;
	int			 namenul, nameeq, valuenul;

	*reason = *fault = NULL;
	for (n = 0;; n++) {
		if ((r = scan_length(&c, &at.len)) == SCAN_END)
			break;		/* the end of the params */
		if (r == SCAN_DATA && (r = scan_length(&c, &vlen)) == SCAN_END)
			r = SCAN_TRUNC;
		if (r == SCAN_DATA &&
		    (*reason = scan_fits(&c, at.len + vlen, role)) != NULL)
			return SCAN_INVALID;
		at.pos = c.pos;
		at.left = c.left;
		at.pad = c.pad;
		at.hash = 2166136261u;
		namenul = nameeq = valuenul = 0;
		if (r == SCAN_DATA)
			r = scan_bytes(&c, at.len, &namenul, &nameeq,
			    &at.hash);
		if (r == SCAN_DATA)
			r = scan_bytes(&c, vlen, &valuenul, NULL, NULL);
		if (r == SCAN_TRUNC) {
			*reason = "truncated param";
			return SCAN_INVALID;
		}
		if (r == SCAN_MORE)
			return SCAN_INCOMPLETE;
		/*
		 * libfcgi hands "NAME=VALUE" on: a NUL cuts it, and an '='
		 * in the name makes "HOST=X" + "a" read as HOST "X=a", a
		 * duplicate that the byte comparison below cannot see.
		 */
		if (bytefault == NULL && namenul)
			bytefault = "param name holds a NUL byte";
		if (bytefault == NULL && nameeq)
			bytefault = "param name holds '='";
		if (bytefault == NULL && valuenul)
			bytefault = "param value holds a NUL byte";
		if (n < SCAN_MAX_PARAMS)
			names[n] = at;
	}

	if (n > SCAN_MAX_PARAMS)
		*fault = "too many params";
	else if (bytefault != NULL)
		*fault = bytefault;
	else if (scan_duplicate(buf, len, names, n))
		*fault = "duplicate param";
	return SCAN_COMPLETE;
}

enum scan_status
scan_request(const unsigned char *buf, size_t len, struct scan_result *res)
{
	enum scan_status	 st, pst;
	const char		*reason = NULL, *fault = NULL;

	memset(res, 0, sizeof(*res));
	if (len == 0)
		return SCAN_INCOMPLETE;
	if ((st = scan_records(buf, len, res, &reason)) == SCAN_INVALID) {
		res->reason = reason;
		return SCAN_INVALID;
	}
	if (res->role == 0)
		return SCAN_INCOMPLETE;	/* BEGIN_REQUEST not yet whole */

	pst = scan_params(buf, len, res->role, &reason, &fault);
	if (pst == SCAN_INVALID) {
		res->length = 0;
		res->reason = reason;
		return SCAN_INVALID;
	}
	if (st == SCAN_INCOMPLETE)
		return SCAN_INCOMPLETE;
	if (pst != SCAN_COMPLETE) {
		/* Cannot happen: scan_records() saw the params end. */
		res->length = 0;
		res->reason = "params not whole";
		return SCAN_INVALID;
	}
	res->fault = res->reason = fault;
	return SCAN_COMPLETE;
}

size_t
scan_params_copy(const unsigned char *buf, size_t len, char *out,
    struct scan_param *p, size_t max)
{
	struct scan_cursor	 c = { buf, len, 2 * SCAN_HEADER_LEN, 0, 0 };
	size_t			 n, nlen, vlen;

	for (n = 0; n < max; n++) {
		if (scan_length(&c, &nlen) != SCAN_DATA ||
		    scan_length(&c, &vlen) != SCAN_DATA)
			break;
		/*
		 * A pair took at least 2 length bytes more in buf, and its
		 * name and value were there: out stays within len bytes.
		 */
		p[n].name = out;
		p[n].namelen = nlen;
		if (scan_copy(&c, nlen, out) == -1)
			break;
		out += nlen;
		*out++ = '\0';
		p[n].value = out;
		p[n].valuelen = vlen;
		if (scan_copy(&c, vlen, out) == -1)
			break;
		out += vlen;
		*out++ = '\0';
	}
	return n;
}

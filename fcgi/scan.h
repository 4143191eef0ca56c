/*
 * scan.h: decides, from the bytes of a connection that have already
 * arrived, whether they hold one whole FastCGI request, and whether its
 * params are acceptable; then copies those params out.
 *
 * The daemon reads the bytes of a connection and calls scan_request()
 * on all it has so far; on SCAN_COMPLETE it takes the params with
 * scan_params_copy(), so that the bytes it decides on are read by this
 * one parser (tests/unit/test_fcgi_ref.c holds it to libfcgi's reading
 * of the same bytes).  The scanner is pure: no I/O, no allocation, no
 * global state, no libfcgi; it may be called again on a longer prefix
 * of the same connection at any time.
 *
 * What a request is.  An FCGI_BEGIN_REQUEST record (content length 8,
 * no padding, requestId not 0, role RESPONDER, AUTHORIZER or FILTER),
 * then FCGI_PARAMS records of that requestId up to an empty one (no
 * padding), then, for RESPONDER only, FCGI_STDIN records up to an empty
 * one (no padding).  Any other role ends with its params: AUTHORIZER
 * (Apache sends no stdin) and FILTER (answered 500 by the daemon, which
 * never reads its stdin).  Bytes after the request are not looked at.
 * Records may be split at any byte.  Non-empty PARAMS and STDIN records
 * may carry padding.  The params are the concatenated PARAMS contents,
 * name-value pairs whose lengths take 1 byte (< 128) or 4 bytes (high
 * bit set), and which may cross record boundaries.
 *
 * Stricter than libfcgi, by choice, and each one INVALID:
 *  - any record with requestId 0 (management records such as
 *    FCGI_GET_VALUES: nginx and Apache never send them), and any record
 *    of another requestId (multiplexing);
 *  - any record type out of place: ABORT_REQUEST, DATA, STDIN before
 *    the end of params, a second BEGIN_REQUEST, an unknown type;
 *  - padding on BEGIN_REQUEST or on an empty PARAMS or STDIN record:
 *    libfcgi does not skip it there, and would take it for the next
 *    header (and then wait for content that was never scanned);
 *  - a role libfcgi does not know (it would drop the connection).
 *
 * SCAN_MAX_REQUEST bounds the whole request: headers, contents, padding
 * and stdin.  A request that needs more is INVALID as soon as a header
 * or a pair's announced lengths show it, before the bytes arrive.
 */
#ifndef SCAN_H
#define SCAN_H

#include <stddef.h>

#define SCAN_MAX_REQUEST	(64 * 1024)	/* bytes of one request */
#define SCAN_MAX_PARAMS		256		/* params in one request */

enum scan_status {
	SCAN_INCOMPLETE,	/* nothing wrong seen yet; wait for more */
	SCAN_COMPLETE,		/* buf starts with one whole request */
	SCAN_INVALID		/* not a request we read: close, no answer */
};

struct scan_result {
	int		 role;		/* from BEGIN_REQUEST; 0 until seen */
	int		 keep_conn;	/* FCGI_KEEP_CONN; 0 until seen */
	unsigned	 request_id;	/* 0 until BEGIN_REQUEST is seen */
	size_t		 length;	/* COMPLETE: bytes of the request */
	const char	*reason;	/* INVALID, or COMPLETE with a fault */
	const char	*fault;		/* COMPLETE but must be denied */
};

/*
 * Scans the len bytes at buf (buf may be NULL when len is 0) and fills
 * *res.  Returns:
 *
 * SCAN_COMPLETE: buf starts with one whole request of res->length
 *   bytes (<= SCAN_MAX_REQUEST; more bytes may follow it).  res->fault
 *   is NULL when the params are acceptable; else the request must be
 *   answered with a deny, and res->fault (also in res->reason) is one
 *   of, the first that applies: "too many params" (more than
 *   SCAN_MAX_PARAMS), "param name holds a NUL byte", "param name
 *   holds '='" or "param value holds a NUL byte" (the first pair with
 *   one), "duplicate param" (one name twice, compared byte for byte).
 * SCAN_INVALID: res->reason says why in a few words; the connection is
 *   to be closed without an answer.  Once a prefix of a connection's
 *   bytes is INVALID, every longer one is too.
 * SCAN_INCOMPLETE: no fault visible yet, and the request can still fit
 *   in SCAN_MAX_REQUEST bytes.  Never returned when len >=
 *   SCAN_MAX_REQUEST, so a read of SCAN_MAX_REQUEST bytes always
 *   decides.  res->reason and res->fault are NULL.
 *
 * role, keep_conn and request_id are set once a whole, acceptable
 * BEGIN_REQUEST was seen, whatever the status; else they are 0.  Reason
 * and fault texts are static.  Takes time linear in len, plus a comparison of
 * the names for duplicates once the params are whole; about 8 KiB of
 * stack.
 */
enum scan_status scan_request(const unsigned char *buf, size_t len,
    struct scan_result *res);

/*
 * One param of a whole request as scan_params_copy() copied it: name
 * and value each followed by a NUL byte, with their lengths (a value
 * may hold a NUL byte where scan_request() reported that fault).
 */
struct scan_param {
	const char	*name;
	size_t		 namelen;
	const char	*value;
	size_t		 valuelen;
};

/*
 * For the len bytes at buf, on which scan_request() returned
 * SCAN_COMPLETE: copies the first max params, in the order sent, into
 * out, which has room for len bytes (a pair never takes more there
 * than it took in buf), and points p[0..] at them.  Returns how many
 * were copied: all of them unless there are more than max.  Checks
 * nothing again; on other bytes it stops at the first pair that is not
 * whole, and writes within len bytes of out.
 */
size_t	 scan_params_copy(const unsigned char *buf, size_t len, char *out,
	    struct scan_param *p, size_t max);

#endif /* SCAN_H */

/*
 * ping.c: `certauthz ping [-t SECONDS] SOCKET`, a health check of a
 * running certauthzd for systemd, monitoring and load balancers.
 *
 * It sends one built-in probe request and reads the answer, all within
 * the timeout (default 2 s, connecting included):
 *
 *   unix:PATH, tcp:HOST:PORT            FastCGI: BEGIN_REQUEST
 *                                       (RESPONDER, no keep-alive), the
 *                                       probe params, an empty PARAMS,
 *                                       an empty STDIN; then the STDOUT
 *                                       records up to END_REQUEST
 *   http:unix:PATH, http:tcp:HOST:PORT  HTTP/1.1: a GET with the probe
 *                                       headers; then the answer's head
 *
 * The probe is a client that presented no certificate
 * (SSL_CLIENT_VERIFY NONE, as nginx forwards it, or the same header):
 * a daemon that decides with a loaded policy denies it before reading
 * the policy, so 403 is the one healthy answer, whatever the policy
 * says.  500 is a daemon without a usable policy; 200 to a request
 * without a certificate is not certauthzd's answer.  Both, no answer,
 * a timeout and anything malformed exit 1.
 *
 * The FastCGI records are written here from the FastCGI 1.0
 * specification: authz/ never includes fcgiapp.h.  Everything read is
 * bounded (PING_READ_MAX in all).
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define PING_TIMEOUT_MS		2000
#define PING_TIMEOUT_MAX_S	3600
#define PING_READ_MAX		(64 * 1024)	/* bytes of an answer */
#define PING_URI		"/certauthz-ping"

/* FastCGI 1.0 */
#define PING_FCGI_VERSION	1
#define PING_FCGI_BEGIN		1
#define PING_FCGI_END		3
#define PING_FCGI_PARAMS	4
#define PING_FCGI_STDIN		5
#define PING_FCGI_STDOUT	6
#define PING_FCGI_STDERR	7
#define PING_FCGI_RESPONDER	1
#define PING_FCGI_COMPLETE	0	/* END_REQUEST's protocolStatus */
#define PING_FCGI_ID		1

/* The probe's params, and the HTTP listener's headers for the same. */
static const char *const ping_params[][2] = {
	{ "SSL_CLIENT_VERIFY",	"NONE" },
	{ "REQUEST_URI",	PING_URI },
	{ "REQUEST_METHOD",	"GET" },
};

static const char ping_http_head[] =
    "GET " PING_URI " HTTP/1.1\r\n"
    "Host: certauthzd\r\n"
    "X-Certauthz-Verify: NONE\r\n"
    "X-Original-URI: " PING_URI "\r\n"
    "X-Forwarded-Method: GET\r\n"
    "User-Agent: certauthz-ping\r\n"
    "Connection: close\r\n"
    "\r\n";

/* A connection with its deadline (CLOCK_MONOTONIC, ms). */
struct ping_conn {
	int		 fd;
	long long	 deadline;
};

static long long
ping_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for events on c->fd until the deadline; NULL, or what failed. */
static const char *
ping_wait(const struct ping_conn *c, short events)
{
	struct pollfd	 pfd;
	long long	 left;
	int		 n;

	for (;;) {
		if ((left = c->deadline - ping_now()) <= 0)
			return "timed out";
		pfd.fd = c->fd;
		pfd.events = events;
		pfd.revents = 0;
		if ((n = poll(&pfd, 1, (int)left)) == -1 && errno != EINTR)
			return strerror(errno);
		if (n > 0)
			return NULL;
	}
}

/* Connects a non-blocking socket to sa; NULL, or what failed. */
static const char *
ping_connect(struct ping_conn *c, int family, const struct sockaddr *sa,
    socklen_t salen)
{
	const char	*why;
	socklen_t	 len = sizeof(int);
	int		 err = 0;

	if ((c->fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		return strerror(errno);
	if (connect(c->fd, sa, salen) == 0)
		return NULL;
	if (errno != EINPROGRESS && errno != EAGAIN && errno != EINTR)
		goto fail;
	if ((why = ping_wait(c, POLLOUT)) != NULL) {
		close(c->fd);
		c->fd = -1;
		return why;
	}
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		goto fail;
	if (err == 0)
		return NULL;
	errno = err;
fail:
	why = strerror(errno);
	close(c->fd);
	c->fd = -1;
	return why;
}

/* Connects to unix:PATH or tcp:HOST:PORT; NULL, or what failed. */
static const char *
ping_dial(struct ping_conn *c, const char *spec)
{
	struct sockaddr_un	 sun;
	struct addrinfo		 hints, *res, *ai;
	char			 host[256], *port, *h;
	const char		*why = "no address";
	int			 gai;

	if (strncmp(spec, "unix:", 5) == 0) {
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		if (spec[5] == '\0' ||
		    strlen(spec + 5) >= sizeof(sun.sun_path))
			return "bad unix socket path";
		memcpy(sun.sun_path, spec + 5, strlen(spec + 5));
		return ping_connect(c, AF_UNIX, (struct sockaddr *)&sun,
		    sizeof(sun));
	}
	if (strncmp(spec, "tcp:", 4) != 0)
		return "not unix:PATH or tcp:HOST:PORT";
	if (snprintf(host, sizeof(host), "%s", spec + 4) >=
	    (int)sizeof(host) || (port = strrchr(host, ':')) == NULL ||
	    port[1] == '\0')
		return "not tcp:HOST:PORT";
	*port++ = '\0';
	h = host;
	if (h[0] == '[' && port - h >= 3 && port[-2] == ']') {
		h++;
		port[-2] = '\0';
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((gai = getaddrinfo(h, port, &hints, &res)) != 0)
		return gai_strerror(gai);
	for (ai = res; ai != NULL; ai = ai->ai_next)
		if ((why = ping_connect(c, ai->ai_family, ai->ai_addr,
		    ai->ai_addrlen)) == NULL)
			break;
	freeaddrinfo(res);
	return why;
}

/* Writes all of buf before the deadline; NULL, or what failed. */
static const char *
ping_write(const struct ping_conn *c, const unsigned char *buf, size_t len)
{
	const char	*why;
	ssize_t		 n;

	while (len > 0) {
		if ((why = ping_wait(c, POLLOUT)) != NULL)
			return why;
		if ((n = send(c->fd, buf, len, MSG_NOSIGNAL)) == -1) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return strerror(errno);
		}
		buf += n;
		len -= (size_t)n;
	}
	return NULL;
}

/*
 * Reads what has arrived into buf[*len..max) before the deadline.
 * Returns NULL, or what failed: EOF is "closed".
 */
static const char *
ping_read(const struct ping_conn *c, unsigned char *buf, size_t *len,
    size_t max)
{
	const char	*why;
	ssize_t		 n;

	if (*len >= max)
		return "answer too long";
	for (;;) {
		if ((why = ping_wait(c, POLLIN)) != NULL)
			return why;
		if ((n = recv(c->fd, buf + *len, max - *len, 0)) == -1) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return strerror(errno);
		}
		if (n == 0)
			return "connection closed before the answer ended";
		*len += (size_t)n;
		return NULL;
	}
}

/* Appends a record header of type and content length n to b at *o. */
static void
ping_fcgi_header(unsigned char *b, size_t *o, int type, size_t n)
{
	b[(*o)++] = PING_FCGI_VERSION;
	b[(*o)++] = (unsigned char)type;
	b[(*o)++] = 0;
	b[(*o)++] = PING_FCGI_ID;
	b[(*o)++] = (unsigned char)(n >> 8);
	b[(*o)++] = (unsigned char)(n & 0xff);
	b[(*o)++] = 0;		/* padding */
	b[(*o)++] = 0;
}

/* Writes the FastCGI probe into b (at least 512 bytes); its length. */
static size_t
ping_fcgi_request(unsigned char *b)
{
	size_t	 o = 0, n = 0, i, nl, vl;

	ping_fcgi_header(b, &o, PING_FCGI_BEGIN, 8);
	b[o++] = 0;
	b[o++] = PING_FCGI_RESPONDER;
	memset(b + o, 0, 6);	/* flags 0: no FCGI_KEEP_CONN; reserved */
	o += 6;
	for (i = 0; i < sizeof(ping_params) / sizeof(ping_params[0]); i++)
		n += 2 + strlen(ping_params[i][0]) + strlen(ping_params[i][1]);
	ping_fcgi_header(b, &o, PING_FCGI_PARAMS, n);
	for (i = 0; i < sizeof(ping_params) / sizeof(ping_params[0]); i++) {
		/* each name and value is shorter than 128: 1-byte lengths */
		nl = strlen(ping_params[i][0]);
		vl = strlen(ping_params[i][1]);
		b[o++] = (unsigned char)nl;
		b[o++] = (unsigned char)vl;
		memcpy(b + o, ping_params[i][0], nl);
		o += nl;
		memcpy(b + o, ping_params[i][1], vl);
		o += vl;
	}
	ping_fcgi_header(b, &o, PING_FCGI_PARAMS, 0);
	ping_fcgi_header(b, &o, PING_FCGI_STDIN, 0);
	return o;
}

/*
 * The status of a CGI head ("Status: 403 Forbidden\r\n..."), as
 * FastCGI's STDOUT carries it: *status is 200 when no Status header is
 * there, as CGI says.  NULL, or what is wrong.
 */
static const char *
ping_cgi_status(const char *out, int *status)
{
	const char	*p, *eol;
	char		*end;
	long		 v;

	*status = 200;
	for (p = out; *p != '\0'; p = eol + 1) {
		if ((eol = strchr(p, '\n')) == NULL)
			return "the answer's head does not end";
		if (eol == p || (eol == p + 1 && p[0] == '\r'))
			return NULL;
		if (strncasecmp(p, "Status:", 7) != 0)
			continue;
		for (p += 7; *p == ' ' || *p == '\t'; p++)
			;
		v = strtol(p, &end, 10);
		if (end != p + 3 || v < 100 || v > 599 ||
		    (*end != ' ' && *end != '\r' && *end != '\n'))
			return "malformed Status header";
		*status = (int)v;
	}
	return "the answer's head does not end";
}

/* The FastCGI round-trip; NULL with *status, or what failed. */
static const char *
ping_fcgi(const struct ping_conn *c, int *status)
{
	unsigned char	*b, req[512];
	char		*out;
	const char	*why;
	size_t		 len = 0, o = 0, olen = 0, clen, rlen;
	int		 type;

	if ((why = ping_write(c, req, ping_fcgi_request(req))) != NULL)
		return why;
	if ((b = malloc(PING_READ_MAX)) == NULL ||
	    (out = malloc(PING_READ_MAX + 1)) == NULL) {
		free(b);
		return "out of memory";
	}
	for (;;) {
		if (len - o < 8) {
			if ((why = ping_read(c, b, &len, PING_READ_MAX)) !=
			    NULL)
				break;
			continue;
		}
		/* a record header is checked as soon as it is there */
		type = b[o + 1];
		clen = (size_t)b[o + 4] << 8 | b[o + 5];
		rlen = 8 + clen + b[o + 6];
		why = "malformed FastCGI record";
		if (b[o] != PING_FCGI_VERSION || b[o + 2] != 0 ||
		    b[o + 3] != PING_FCGI_ID || (type != PING_FCGI_STDOUT &&
		    type != PING_FCGI_STDERR && type != PING_FCGI_END) ||
		    (type == PING_FCGI_END && clen != 8))
			break;
		if (len - o < rlen) {
			if ((why = ping_read(c, b, &len, PING_READ_MAX)) !=
			    NULL)
				break;
			continue;
		}
		if (type == PING_FCGI_STDOUT) {
			memcpy(out + olen, b + o + 8, clen);
			olen += clen;
		} else if (type == PING_FCGI_END) {
			why = "END_REQUEST without a complete answer";
			if (b[o + 8 + 4] != PING_FCGI_COMPLETE || olen == 0)
				break;
			out[olen] = '\0';
			why = strlen(out) != olen ? "NUL byte in the answer" :
			    ping_cgi_status(out, status);
			break;
		}
		o += rlen;
	}
	free(b);
	free(out);
	return why;
}

/* The HTTP round-trip; NULL with *status, or what failed. */
static const char *
ping_http(const struct ping_conn *c, int *status)
{
	unsigned char	*b;
	const char	*why;
	char		*end;
	size_t		 len = 0;
	long		 v;

	if ((why = ping_write(c, (const unsigned char *)ping_http_head,
	    sizeof(ping_http_head) - 1)) != NULL)
		return why;
	if ((b = malloc(PING_READ_MAX + 1)) == NULL)
		return "out of memory";
	for (;;) {
		/* PING_READ_MAX - 1: room for the NUL */
		if ((why = ping_read(c, b, &len, PING_READ_MAX)) != NULL)
			break;
		b[len] = '\0';
		if (memchr(b, '\0', len) != NULL) {
			why = "NUL byte in the answer";
			break;
		}
		if (strstr((char *)b, "\r\n\r\n") == NULL)
			continue;
		why = "malformed status line";
		if (strncmp((char *)b, "HTTP/1.", 7) != 0 ||
		    (b[7] != '0' && b[7] != '1') || b[8] != ' ')
			break;
		v = strtol((char *)b + 9, &end, 10);
		if (end != (char *)b + 12 || v < 100 || v > 599 ||
		    (*end != ' ' && *end != '\r'))
			break;
		*status = (int)v;
		why = NULL;
		break;
	}
	free(b);
	return why;
}

int
ping_run(int argc, char *argv[])
{
	struct ping_conn	 c = { -1, 0 };
	const char		*spec, *why;
	char			*end, buf[64];
	double			 secs = PING_TIMEOUT_MS / 1000.0;
	long long		 t0;
	int			 http = 0, status = 0;

	if (argc == 4 && strcmp(argv[1], "-t") == 0) {
		secs = strtod(argv[2], &end);
		if (end == argv[2] || *end != '\0' || !(secs > 0) ||
		    secs > PING_TIMEOUT_MAX_S) {
			fprintf(stderr, "certauthz: ping: -t %s: not a "
			    "number of seconds in (0, %d]\n", argv[2],
			    PING_TIMEOUT_MAX_S);
			return 2;
		}
		spec = argv[3];
	} else if (argc == 2 && argv[1][0] != '-')
		spec = argv[1];
	else {
		fprintf(stderr, "usage: certauthz ping [-t SECONDS] "
		    "SOCKET\n");
		return 2;
	}
	if (strncmp(spec, "http:", 5) == 0)
		http = 1;
	t0 = ping_now();
	c.deadline = t0 + (long long)(secs * 1000 + 0.5);
	if (c.deadline == t0)
		c.deadline++;
	if ((why = ping_dial(&c, spec + (http ? 5 : 0))) == NULL)
		why = http ? ping_http(&c, &status) : ping_fcgi(&c, &status);
	if (c.fd != -1)
		close(c.fd);
	if (why == NULL && status != 403) {
		snprintf(buf, sizeof(buf), "answered %d%s", status,
		    status == 500 ? ": no usable policy" : status == 200 ?
		    " to a request without a certificate" : "");
		why = buf;
	}
	if (why != NULL) {
		fprintf(stderr, "certauthz: ping %s: %s\n", spec, why);
		return 1;
	}
	printf("%s: ok, 403 to the probe in %lld ms\n", spec,
	    ping_now() - t0);
	return 0;
}

/*
 * fcgi-load: a FastCGI load generator for certauthzd and the null
 * responder.
 *
 * It opens CONNS connections to a unix or TCP socket and keeps one
 * request in flight on each, from a single thread with poll(2).  Every
 * request carries the params of a template (NAME=VALUE lines, as nginx
 * sends them for auth_request; see params.txt) with the SSL_CLIENT_*
 * params replaced by those of one certificate from a list, round robin.
 * Each list line is "STATUS FILE": the status the answer must have and a
 * PEM certificate.  The certificate is sent as nginx's
 * $ssl_client_escaped_cert; serial and DNs as nginx prints them.
 *
 * With -k every connection carries FCGI_KEEP_CONN and is reused (nginx
 * with fastcgi_keep_conn and an upstream keepalive pool); without it,
 * each request opens a new connection, as auth_request without
 * keep-alive and mod_authnz_fcgi do.
 *
 * -e STATUS expects that status of every answer (the null responder).
 * With -a the requests use the AUTHORIZER role and send no stdin.
 *
 * libfcgi serves a kept connection with one thread until the client
 * closes it: with -k, CONNS must not exceed the server's threads, or the
 * connections beyond them wait for the end of the run.
 *
 * The run stops after -t SECONDS or -N REQUESTS, whichever comes first.
 * It prints one line of key=value pairs: counts per status, answers that
 * differ from the expected status ("wrong"), transport errors, rate,
 * latency percentiles and, with -P PID, the CPU time that process used
 * per request (utime+stime from /proc/PID/stat).  Exit status 1 when any
 * answer was wrong or failed.
 */

#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#define FCGI_BEGIN_REQUEST	1
#define FCGI_END_REQUEST	3
#define FCGI_PARAMS		4
#define FCGI_STDIN		5
#define FCGI_STDOUT		6
#define FCGI_KEEP_CONN		1
#define FCGI_RESPONDER		1
#define FCGI_AUTHORIZER		2

#define HIST_MAX	1000000		/* 1 µs buckets up to 1 s */
#define MAX_CONNS	1024

struct buf {
	unsigned char	*p;
	size_t		 len, cap;
};

struct client {			/* one certificate: one encoded request */
	struct buf	 req;
	int		 expect;
};

struct conn {
	int		 fd;
	size_t		 client;
	struct timespec	 start;
	unsigned char	 in[65536];
	size_t		 inlen;
	int		 status;	/* parsed from the first STDOUT bytes */
	char		 head[64];
	size_t		 headlen;
};

static struct client	*clients;
static size_t		 nclients, next_client;
static int		 keepconn, role = FCGI_RESPONDER, expect_all;
static const char	*sockspec;
static struct sockaddr_storage sa;
static socklen_t	 salen;
static uint64_t		*hist;
static uint64_t		 nreq, n200, n403, nother, nwrong, nerr, overflow;
static uint64_t		 maxus;

static void die(const char *, ...)
    __attribute__((format(printf, 1, 2), noreturn));

static void
die(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "fcgi-load: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(2);
}

static void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 256;
		if ((b->p = realloc(b->p, b->cap)) == NULL)
			die("%s", "out of memory");
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void
record(struct buf *b, int type, const void *p, size_t n)
{
	unsigned char	h[8] = { 1, (unsigned char)type, 0, 1, 0, 0, 0, 0 };
	unsigned char	pad[8] = { 0 };
	size_t		padlen = (8 - n % 8) % 8;

	h[4] = (unsigned char)(n >> 8);
	h[5] = (unsigned char)n;
	h[6] = (unsigned char)padlen;
	buf_add(b, h, 8);
	buf_add(b, p, n);
	buf_add(b, pad, padlen);
}

static void
nvlen(struct buf *b, size_t n)
{
	unsigned char	l[4];

	if (n < 128) {
		l[0] = (unsigned char)n;
		buf_add(b, l, 1);
	} else {
		l[0] = (unsigned char)((n >> 24) | 0x80);
		l[1] = (unsigned char)(n >> 16);
		l[2] = (unsigned char)(n >> 8);
		l[3] = (unsigned char)n;
		buf_add(b, l, 4);
	}
}

static void
param(struct buf *b, const char *name, const char *value)
{
	nvlen(b, strlen(name));
	nvlen(b, strlen(value));
	buf_add(b, name, strlen(name));
	buf_add(b, value, strlen(value));
}

/* nginx's ngx_escape_uri(NGX_ESCAPE_URI_COMPONENT), as for
 * $ssl_client_escaped_cert. */
static char *
escape(const char *s)
{
	static const char	 keep[] = "-._~";
	char			*out, *o;

	if ((out = malloc(strlen(s) * 3 + 1)) == NULL)
		die("%s", "out of memory");
	for (o = out; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || (c && strchr(keep, c) != NULL))
			*o++ = (char)c;
		else
			o += sprintf(o, "%%%02X", c);
	}
	*o = '\0';
	return out;
}

static char *
name_rfc2253(X509_NAME *n)
{
	BIO	*bio = BIO_new(BIO_s_mem());
	char	*p, *s;
	long	 len;

	X509_NAME_print_ex(bio, n, 0, XN_FLAG_RFC2253);
	len = BIO_get_mem_data(bio, &p);
	if ((s = strndup(p, (size_t)len)) == NULL)
		die("%s", "out of memory");
	BIO_free(bio);
	return s;
}

struct tparam {
	char	*name, *value;
};
static struct tparam	*tmpl;
static size_t		 ntmpl;

static void
load_template(const char *path)
{
	FILE	*f;
	char	 line[65536], *eq;

	if ((f = fopen(path, "r")) == NULL)
		die("cannot open %s", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if ((eq = strchr(line, '=')) == NULL || line[0] == '#')
			continue;
		*eq = '\0';
		tmpl = realloc(tmpl, (ntmpl + 1) * sizeof(*tmpl));
		if (tmpl == NULL)
			die("%s", "out of memory");
		tmpl[ntmpl].name = strdup(line);
		tmpl[ntmpl].value = strdup(eq + 1);
		ntmpl++;
	}
	fclose(f);
}

static void
add_client(int expect, const char *pemfile)
{
	FILE		*f;
	X509		*x;
	BIGNUM		*bn;
	char		*pem, *esc, *serial, *sdn, *idn;
	long		 len;
	struct buf	 params = { 0 };
	unsigned char	 begin[8] = { 0, 0, 0, 0, 0, 0, 0, 0 };
	struct client	*c;
	size_t		 i, off;

	if ((f = fopen(pemfile, "r")) == NULL)
		die("cannot open %s", pemfile);
	if ((x = PEM_read_X509(f, NULL, NULL, NULL)) == NULL)
		die("no certificate in %s", pemfile);
	fclose(f);
	{
		BIO	*bio = BIO_new(BIO_s_mem());
		char	*p;
		PEM_write_bio_X509(bio, x);
		len = BIO_get_mem_data(bio, &p);
		pem = strndup(p, (size_t)len);
		BIO_free(bio);
	}
	esc = escape(pem);
	bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	serial = BN_bn2hex(bn);
	sdn = name_rfc2253(X509_get_subject_name(x));
	idn = name_rfc2253(X509_get_issuer_name(x));

	for (i = 0; i < ntmpl; i++) {
		const char *n = tmpl[i].name, *v = tmpl[i].value;
		if (strcmp(n, "SSL_CLIENT_CERT") == 0)
			v = esc;
		else if (strcmp(n, "SSL_CLIENT_M_SERIAL") == 0)
			v = serial;
		else if (strcmp(n, "SSL_CLIENT_S_DN") == 0)
			v = sdn;
		else if (strcmp(n, "SSL_CLIENT_I_DN") == 0)
			v = idn;
		param(&params, n, v);
	}

	clients = realloc(clients, (nclients + 1) * sizeof(*clients));
	if (clients == NULL)
		die("%s", "out of memory");
	c = &clients[nclients++];
	memset(c, 0, sizeof(*c));
	c->expect = expect;
	begin[1] = (unsigned char)role;
	begin[2] = keepconn ? FCGI_KEEP_CONN : 0;
	record(&c->req, FCGI_BEGIN_REQUEST, begin, 8);
	/* nginx sends params in records of at most 32 KB; ours fit one. */
	for (off = 0; off < params.len; off += 32768) {
		size_t n = params.len - off < 32768 ? params.len - off : 32768;
		record(&c->req, FCGI_PARAMS, params.p + off, n);
	}
	record(&c->req, FCGI_PARAMS, NULL, 0);
	if (role == FCGI_RESPONDER)
		record(&c->req, FCGI_STDIN, NULL, 0);

	free(params.p);
	free(pem);
	free(esc);
	OPENSSL_free(serial);
	free(sdn);
	free(idn);
	BN_free(bn);
	X509_free(x);
}

static void
load_clients(const char *path)
{
	FILE	*f;
	char	 line[4096], file[4096];
	int	 expect;

	if ((f = fopen(path, "r")) == NULL)
		die("cannot open %s", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%d %4095s", &expect, file) != 2)
			die("bad line in %s", path);
		add_client(expect, file);
	}
	fclose(f);
	if (nclients == 0)
		die("no clients in %s", path);
}

static void
parse_sock(const char *s)
{
	memset(&sa, 0, sizeof(sa));
	if (strncmp(s, "unix:", 5) == 0) {
		struct sockaddr_un *un = (struct sockaddr_un *)&sa;
		un->sun_family = AF_UNIX;
		if (strlen(s + 5) >= sizeof(un->sun_path))
			die("socket path too long: %s", s);
		strcpy(un->sun_path, s + 5);
		salen = sizeof(*un);
	} else if (strncmp(s, "tcp:", 4) == 0) {
		struct sockaddr_in *in = (struct sockaddr_in *)&sa;
		char	 host[256];
		const char *colon = strrchr(s + 4, ':');
		if (colon == NULL || (size_t)(colon - s - 4) >= sizeof(host))
			die("bad socket %s", s);
		memcpy(host, s + 4, (size_t)(colon - s - 4));
		host[colon - s - 4] = '\0';
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)atoi(colon + 1));
		if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
			die("bad IPv4 address in %s", s);
		salen = sizeof(*in);
	} else
		die("socket must be unix:PATH or tcp:ADDR:PORT, not %s", s);
}

static int
conn_open(void)
{
	int	fd, one = 1;

	if ((fd = socket(sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, salen) == -1) {
		close(fd);
		return -1;
	}
	if (sa.ss_family == AF_INET)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static uint64_t
us_since(const struct timespec *a, const struct timespec *b)
{
	return (uint64_t)((b->tv_sec - a->tv_sec) * 1000000000LL +
	    (b->tv_nsec - a->tv_nsec)) / 1000;
}

static int
write_all(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Starts the next request on c, opening a connection when needed. */
static int
conn_send(struct conn *c)
{
	int	tries;

	c->client = next_client++ % nclients;
	c->inlen = c->headlen = 0;
	c->status = 0;
	clock_gettime(CLOCK_MONOTONIC, &c->start);
	for (tries = 0; tries < 2; tries++) {
		if (c->fd == -1 && (c->fd = conn_open()) == -1)
			return -1;
		if (write_all(c->fd, clients[c->client].req.p,
		    clients[c->client].req.len) == 0)
			return 0;
		/* a kept connection the server closed: one retry */
		close(c->fd);
		c->fd = -1;
	}
	return -1;
}

static void
finish(struct conn *c, int ok)
{
	struct timespec	 now;
	uint64_t	 us;

	clock_gettime(CLOCK_MONOTONIC, &now);
	us = us_since(&c->start, &now);
	nreq++;
	if (!ok) {
		nerr++;
		return;
	}
	if (us < HIST_MAX)
		hist[us]++;
	else
		overflow++;
	if (us > maxus)
		maxus = us;
	if (c->status == 200)
		n200++;
	else if (c->status == 403)
		n403++;
	else
		nother++;
	if (c->status != (expect_all ? expect_all :
	    clients[c->client].expect))
		nwrong++;
}

/* Parses the status of CGI output "Status: NNN ..." (no Status: 200). */
static void
sniff_status(struct conn *c, const unsigned char *p, size_t n)
{
	size_t	room = sizeof(c->head) - 1 - c->headlen;

	if (n > room)
		n = room;
	memcpy(c->head + c->headlen, p, n);
	c->headlen += n;
	c->head[c->headlen] = '\0';
	if (strncmp(c->head, "Status: ", 8) == 0 && c->headlen >= 11)
		c->status = atoi(c->head + 8);
	else if (c->headlen >= 8 && strncmp(c->head, "Status: ", 8) != 0)
		c->status = 200;
}

/* Reads what is there; returns 1 when the request ended, 0 for more,
 * -1 on error. */
static int
conn_read(struct conn *c)
{
	ssize_t	 r;
	size_t	 off, clen, plen;

	r = read(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen);
	if (r == -1 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (r <= 0)
		return -1;
	c->inlen += (size_t)r;
	for (off = 0; c->inlen - off >= 8; off += 8 + clen + plen) {
		unsigned char *h = c->in + off;
		clen = (size_t)h[4] << 8 | h[5];
		plen = h[6];
		if (c->inlen - off < 8 + clen + plen)
			break;
		if (h[1] == FCGI_STDOUT)
			sniff_status(c, h + 8, clen);
		else if (h[1] == FCGI_END_REQUEST) {
			if (c->inlen - off != 8 + clen + plen)
				return -1;	/* bytes after the end */
			c->inlen = 0;
			if (role == FCGI_AUTHORIZER && c->status == 0)
				c->status = 200;
			return 1;
		}
	}
	memmove(c->in, c->in + off, c->inlen - off);
	c->inlen -= off;
	if (c->inlen == sizeof(c->in))
		return -1;
	return 0;
}

static uint64_t
pid_cpu_ticks(long pid)
{
	char		 path[64], line[4096], *p;
	unsigned long	 ut, st;
	FILE		*f;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	p = fgets(line, sizeof(line), f);
	fclose(f);
	if (p == NULL || (p = strrchr(line, ')')) == NULL)
		return 0;
	/* after ")": state ppid pgrp session tty tpgid flags minflt
	 * cminflt majflt cmajflt utime stime */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
	    "%lu %lu", &ut, &st) != 2)
		return 0;
	return ut + st;
}

static uint64_t
percentile(uint64_t total, double q)
{
	uint64_t	want = (uint64_t)(total * q), seen = 0, i;

	for (i = 0; i < HIST_MAX; i++) {
		seen += hist[i];
		if (seen > want)
			return i;
	}
	return HIST_MAX;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void
usage(void)
{
	fprintf(stderr, "usage: fcgi-load -s unix:PATH|tcp:ADDR:PORT "
	    "-p TEMPLATE -C CLIENTS [-c CONNS] [-e STATUS] [-k] [-a]\n"
	    "                 [-t SECONDS] [-N REQUESTS] [-P PID] "
	    "[-i MS] [-l LABEL]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	const char	*tpath = NULL, *cpath = NULL, *label = "-";
	double		 seconds = 5;
	uint64_t	 maxreq = UINT64_MAX, ticks0 = 0, ticks1 = 0;
	uint64_t	*slots = NULL, nslots = 0, slotreq = 0, lastslot = 0;
	long		 pid = 0, hz = sysconf(_SC_CLK_TCK);
	int		 nconns = 8, interval = 0, ch, i, active;
	struct conn	*conns;
	struct pollfd	*pfd;
	struct timespec	 t0, now;
	double		 el;

	while ((ch = getopt(argc, argv, "s:p:C:c:e:kat:N:P:i:l:")) != -1) {
		switch (ch) {
		case 's': sockspec = optarg; break;
		case 'p': tpath = optarg; break;
		case 'C': cpath = optarg; break;
		case 'c': nconns = atoi(optarg); break;
		case 'e': expect_all = atoi(optarg); break;
		case 'k': keepconn = 1; break;
		case 'a': role = FCGI_AUTHORIZER; break;
		case 't': seconds = atof(optarg); break;
		case 'N': maxreq = strtoull(optarg, NULL, 10); break;
		case 'P': pid = atol(optarg); break;
		case 'i': interval = atoi(optarg); break;
		case 'l': label = optarg; break;
		default: usage();
		}
	}
	if (sockspec == NULL || tpath == NULL || cpath == NULL ||
	    nconns < 1 || nconns > MAX_CONNS || seconds <= 0)
		usage();
	signal(SIGPIPE, SIG_IGN);
	parse_sock(sockspec);
	load_template(tpath);
	load_clients(cpath);
	if ((hist = calloc(HIST_MAX, sizeof(*hist))) == NULL ||
	    (conns = calloc((size_t)nconns, sizeof(*conns))) == NULL ||
	    (pfd = calloc((size_t)nconns, sizeof(*pfd))) == NULL)
		die("%s", "out of memory");
	if (interval > 0) {
		nslots = (uint64_t)(seconds * 1000 / interval) + 2;
		if ((slots = calloc(nslots, sizeof(*slots))) == NULL)
			die("%s", "out of memory");
	}

	if (pid)
		ticks0 = pid_cpu_ticks(pid);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < nconns; i++) {
		conns[i].fd = -1;
		if (conn_send(&conns[i]) == -1)
			die("cannot send to %s", sockspec);
	}
	active = nconns;
	uint64_t started = (uint64_t)nconns;
	int stopping = 0;
	while (active > 0) {
		for (i = 0; i < nconns; i++) {
			pfd[i].fd = conns[i].fd;
			pfd[i].events = POLLIN;
		}
		if (poll(pfd, (nfds_t)nconns, 1000) == -1 && errno != EINTR)
			die("%s", "poll failed");
		clock_gettime(CLOCK_MONOTONIC, &now);
		el = (double)us_since(&t0, &now) / 1e6;
		if (el >= seconds)
			stopping = 1;
		for (i = 0; i < nconns; i++) {
			struct conn *c = &conns[i];
			int r;

			if (c->fd == -1 || pfd[i].revents == 0)
				continue;
			if ((r = conn_read(c)) == 0)
				continue;
			finish(c, r == 1);
			if (slots) {
				uint64_t s = (uint64_t)(el * 1000) /
				    (uint64_t)interval;
				if (s < nslots) {
					slots[s]++;
					lastslot = s;
				}
			}
			if (r == -1 || !keepconn) {
				close(c->fd);
				c->fd = -1;
			}
			if (stopping || started >= maxreq) {
				if (c->fd != -1)
					close(c->fd);
				c->fd = -1;
				active--;
				continue;
			}
			started++;
			if (conn_send(c) == -1) {
				finish(c, 0);
				if (c->fd != -1)
					close(c->fd);
				c->fd = -1;
				active--;
			}
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	el = (double)us_since(&t0, &now) / 1e6;
	if (pid)
		ticks1 = pid_cpu_ticks(pid);

	uint64_t ok = nreq - nerr;
	printf("label=%s mode=%s conns=%d clients=%zu requests=%llu "
	    "seconds=%.2f rps=%.0f p50_us=%llu p99_us=%llu max_us=%llu "
	    "s200=%llu s403=%llu other=%llu wrong=%llu errors=%llu",
	    label, keepconn ? "keepalive" : "newconn", nconns, nclients,
	    (unsigned long long)nreq, el, nreq / el,
	    (unsigned long long)percentile(ok, 0.5),
	    (unsigned long long)percentile(ok, 0.99),
	    (unsigned long long)maxus,
	    (unsigned long long)n200, (unsigned long long)n403,
	    (unsigned long long)nother, (unsigned long long)nwrong,
	    (unsigned long long)nerr);
	if (pid)
		printf(" cpu_us_per_req=%.1f",
		    nreq ? (double)(ticks1 - ticks0) * 1e6 / hz / nreq : 0);
	if (slots && lastslot >= 3) {
		/* whole slots only: drop the first and the last */
		uint64_t n = lastslot - 1, med;
		qsort(slots + 1, n, sizeof(*slots), cmp_u64);
		med = slots[1 + n / 2];
		printf(" slot_ms=%d slot_min=%llu slot_median=%llu "
		    "dip=%.2f", interval, (unsigned long long)slots[1],
		    (unsigned long long)med,
		    med ? 1.0 - (double)slots[1] / med : 0);
	}
	(void)slotreq;
	(void)overflow;
	printf("\n");
	return (nwrong || nerr || nother) ? 1 : 0;
}

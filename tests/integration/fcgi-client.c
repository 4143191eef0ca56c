/*
 * fcgi-client.c: a small FastCGI client for tests and benchmarks.
 *
 * usage: fcgi-client -s unix:/path|tcp:HOST:PORT [-r ROLE] [-k]
 *            [-n REQS] [-c CONNS] [-H SECS] [-f FILE] [-D NAME]
 *            [-B BYTES] [-R FILE] [-q] [-t SECS] [NAME=VALUE ...]
 *
 *   -r ROLE   responder (default), authorizer, filter, or a number
 *   -k        set FCGI_KEEP_CONN (implied by -n > 1)
 *   -n REQS   requests on each connection, one after the other
 *   -c CONNS  connections, one after the other (with -H: all held open)
 *   -H SECS   open all CONNS at once, run the requests, print "ready",
 *             then hold the connections idle SECS seconds
 *   -f FILE   params, one NAME=VALUE a line; VALUE "@PATH" reads PATH
 *   -D NAME   send the param NAME a second time (value "dup")
 *   -B BYTES  add a param BIG of BYTES bytes
 *   -R FILE   send FILE's bytes raw instead of a request, print the
 *             number of bytes answered until EOF
 *   -q        print only one "STATUS COUNT" line per status at the end
 *   -t SECS   read timeout (default 10)
 * Params on the command line take the same NAME=VALUE form.  Without
 * -q the stdout records of each answer are printed as they come.
 * Exit status: 0 when every request got an END_REQUEST, 1 otherwise.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAXPARAMS	1024

struct param {
	char	*name;
	char	*value;
	size_t	 vlen;
};

static struct param	params[MAXPARAMS];
static size_t		nparams;
static const char	*sockspec;
static int		role = 1, keep, quiet, timeout = 10;
static long		counts[1000];

static void __attribute__((noreturn))
die(const char *what)
{
	fprintf(stderr, "fcgi-client: %s: %s\n", what, strerror(errno));
	exit(2);
}

static char *
readfile(const char *path, size_t *len)
{
	FILE	*fp;
	char	*buf = NULL;
	size_t	 cap = 0, n = 0, r;

	if ((fp = fopen(path, "rb")) == NULL)
		die(path);
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = (cap + 4096) * 2;
			if ((buf = realloc(buf, cap)) == NULL)
				die("realloc");
		}
		if ((r = fread(buf + n, 1, 4096, fp)) == 0)
			break;
		n += r;
	}
	fclose(fp);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static void
addparam(const char *nv)
{
	const char	*eq = strchr(nv, '=');
	struct param	*p;

	if (eq == NULL || nparams == MAXPARAMS) {
		fprintf(stderr, "fcgi-client: bad param %s\n", nv);
		exit(2);
	}
	p = &params[nparams++];
	p->name = strndup(nv, (size_t)(eq - nv));
	if (eq[1] == '@')
		p->value = readfile(eq + 2, &p->vlen);
	else {
		p->value = strdup(eq + 1);
		p->vlen = strlen(eq + 1);
	}
}

static void
addfile(const char *path)
{
	char	*buf, *line, *save = NULL;
	size_t	 len;

	buf = readfile(path, &len);
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		if (*line != '\0' && *line != '#')
			addparam(line);
	free(buf);
}

static int
dial(void)
{
	struct sockaddr_un	 sun;
	struct addrinfo		 hints, *res;
	struct timeval		 tv = { timeout, 0 };
	char			 host[256], *port, *h;
	int			 fd;

	if (strncmp(sockspec, "unix:", 5) == 0) {
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s",
		    sockspec + 5);
		if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
			die("socket");
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
			die(sockspec);
	} else if (strncmp(sockspec, "tcp:", 4) == 0) {
		snprintf(host, sizeof(host), "%s", sockspec + 4);
		if ((port = strrchr(host, ':')) == NULL)
			die("tcp:HOST:PORT");
		*port++ = '\0';
		h = host;
		if (*h == '[') {
			h++;
			h[strlen(h) - 1] = '\0';
		}
		memset(&hints, 0, sizeof(hints));
		hints.ai_socktype = SOCK_STREAM;
		if (getaddrinfo(h, port, &hints, &res) != 0)
			die("getaddrinfo");
		if ((fd = socket(res->ai_family, SOCK_STREAM, 0)) == -1)
			die("socket");
		if (connect(fd, res->ai_addr, res->ai_addrlen) == -1)
			die(sockspec);
		freeaddrinfo(res);
	} else {
		errno = EINVAL;
		die(sockspec);
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static void
writeall(int fd, const unsigned char *p, size_t n)
{
	ssize_t	 w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			die("write");
		}
		p += w;
		n -= (size_t)w;
	}
}

static void
record(int fd, int type, const unsigned char *body, size_t len)
{
	unsigned char	 h[8];
	size_t		 n;

	do {
		n = len > 65535 ? 65535 : len;
		h[0] = 1;
		h[1] = (unsigned char)type;
		h[2] = 0;
		h[3] = 1;
		h[4] = (unsigned char)(n >> 8);
		h[5] = (unsigned char)n;
		h[6] = 0;
		h[7] = 0;
		writeall(fd, h, 8);
		if (n > 0) {	/* body may be NULL when len is 0 */
			writeall(fd, body, n);
			body += n;
			len -= n;
		}
	} while (len > 0);
}

static unsigned char	*pbuf;
static size_t		 plen, pcap;

static void
pput(const void *p, size_t n)
{
	if (plen + n > pcap) {
		pcap = (plen + n) * 2 + 4096;
		if ((pbuf = realloc(pbuf, pcap)) == NULL)
			die("realloc");
	}
	memcpy(pbuf + plen, p, n);
	plen += n;
}

static void
plength(size_t n)
{
	unsigned char	 b[4];

	if (n < 128) {
		b[0] = (unsigned char)n;
		pput(b, 1);
	} else {
		b[0] = (unsigned char)((n >> 24) | 0x80);
		b[1] = (unsigned char)(n >> 16);
		b[2] = (unsigned char)(n >> 8);
		b[3] = (unsigned char)n;
		pput(b, 4);
	}
}

static void
pparam(const char *name, const char *value, size_t vlen)
{
	plength(strlen(name));
	plength(vlen);
	pput(name, strlen(name));
	pput(value, vlen);
}

/* Sends one request; params are built once. */
static void
sendreq(int fd, const char *dup, size_t big)
{
	unsigned char	 begin[8] = { 0, 0, 0, 0, 0, 0, 0, 0 };
	size_t		 i;
	char		*b;

	if (pbuf == NULL) {
		for (i = 0; i < nparams; i++)
			pparam(params[i].name, params[i].value,
			    params[i].vlen);
		if (dup != NULL)
			pparam(dup, "dup", 3);
		if (big > 0) {
			if ((b = malloc(big)) == NULL)
				die("malloc");
			memset(b, 'x', big);
			pparam("BIG", b, big);
			free(b);
		}
		if (plen == 0)
			pput("", 0);
	}
	begin[1] = (unsigned char)role;
	begin[2] = keep ? 1 : 0;
	record(fd, 1, begin, 8);
	if (plen > 0)
		record(fd, 4, pbuf, plen);
	record(fd, 4, NULL, 0);
	if (role == 1)
		record(fd, 5, NULL, 0);
}

static int
readall(int fd, unsigned char *p, size_t n)
{
	ssize_t	 r;

	while (n > 0) {
		if ((r = read(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Reads records until END_REQUEST; returns 0, or -1 on EOF/error. */
static int
readresp(int fd)
{
	unsigned char	 h[8], body[65536 + 256];
	char		*out = NULL;
	size_t		 outlen = 0, len;
	int		 status;

	for (;;) {
		if (readall(fd, h, 8) == -1)
			goto fail;
		len = ((size_t)h[4] << 8 | h[5]) + h[6];
		if (readall(fd, body, len) == -1)
			goto fail;
		len -= h[6];
		if (h[1] == 6) {
			if ((out = realloc(out, outlen + len + 1)) == NULL)
				die("realloc");
			memcpy(out + outlen, body, len);
			outlen += len;
			out[outlen] = '\0';
		} else if (h[1] == 7)
			fwrite(body, 1, len, stderr);
		else if (h[1] == 3)
			break;
	}
	if (!quiet && outlen > 0)
		fwrite(out, 1, outlen, stdout);
	status = 0;
	if (out != NULL && strncmp(out, "Status: ", 8) == 0)
		status = atoi(out + 8);
	if (status < 0 || status > 999)
		status = 0;
	counts[status]++;
	free(out);
	return 0;
fail:
	free(out);
	return -1;
}

int
main(int argc, char *argv[])
{
	const char	*dup = NULL, *raw = NULL, *errs;
	size_t		 big = 0, rawlen, total;
	long		 nreq = 1, nconn = 1, hold = -1, c, i;
	int		 ch, fd, *fds, rc = 0;
	unsigned char	 buf[4096];
	char		*rawbuf;
	ssize_t		 r;

	while ((ch = getopt(argc, argv, "s:r:kn:c:H:f:D:B:R:qt:")) != -1) {
		switch (ch) {
		case 's': sockspec = optarg; break;
		case 'r':
			if (strcmp(optarg, "responder") == 0)
				role = 1;
			else if (strcmp(optarg, "authorizer") == 0)
				role = 2;
			else if (strcmp(optarg, "filter") == 0)
				role = 3;
			else
				role = atoi(optarg);
			break;
		case 'k': keep = 1; break;
		case 'n': nreq = atol(optarg); break;
		case 'c': nconn = atol(optarg); break;
		case 'H': hold = atol(optarg); break;
		case 'f': addfile(optarg); break;
		case 'D': dup = optarg; break;
		case 'B': big = (size_t)atol(optarg); break;
		case 'R': raw = optarg; break;
		case 'q': quiet = 1; break;
		case 't': timeout = atoi(optarg); break;
		default:
			fprintf(stderr, "see the comment at the top of "
			    "fcgi-client.c\n");
			return 2;
		}
	}
	for (; optind < argc; optind++)
		addparam(argv[optind]);
	if (sockspec == NULL || nreq < 1 || nconn < 1)
		return 2;
	if (nreq > 1)
		keep = 1;

	if (raw != NULL) {
		rawbuf = readfile(raw, &rawlen);
		fd = dial();
		writeall(fd, (unsigned char *)rawbuf, rawlen);
		shutdown(fd, SHUT_WR);
		total = 0;
		while ((r = read(fd, buf, sizeof(buf))) > 0)
			total += (size_t)r;
		printf("%zu\n", total);
		close(fd);
		free(rawbuf);
		return 0;
	}

	if ((fds = calloc((size_t)nconn, sizeof(int))) == NULL)
		die("calloc");
	for (c = 0; c < nconn; c++) {
		fd = dial();
		for (i = 0; i < nreq; i++) {
			sendreq(fd, dup, big);
			if (readresp(fd) == -1) {
				errs = errno ? strerror(errno) : "EOF";
				fprintf(stderr, "fcgi-client: conn %ld req %ld:"
				    " no END_REQUEST (%s)\n", c, i, errs);
				rc = 1;
				break;
			}
		}
		if (hold >= 0)
			fds[c] = fd;
		else
			close(fd);
	}
	if (hold >= 0) {
		printf("ready\n");
		fflush(stdout);
		sleep((unsigned int)hold);
		for (c = 0; c < nconn; c++)
			close(fds[c]);
	}
	if (quiet)
		for (i = 0; i < 1000; i++)
			if (counts[i] > 0)
				printf("%ld %ld\n", i, counts[i]);
	free(fds);
	return rc;
}

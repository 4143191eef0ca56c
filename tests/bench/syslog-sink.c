/*
 * syslog-sink: the syslog daemon of `make bench`.
 *
 * Binds a unix datagram socket at PATH (certauthzd is pointed at it with
 * CERTAUTHZD_LOG_SOCKET instead of /dev/log) and appends every datagram
 * it receives to FILE, one line each, as a syslog daemon would.  The
 * bench reads the us= figures from FILE, so the daemon runs without -d
 * and pays for its log line what it pays in production: one send(2) to
 * a listening syslog socket.  It drains the socket with recvmmsg(2), up
 * to SINK_BATCH datagrams a call: Linux queues at most
 * net.unix.max_dgram_qlen datagrams (10 unless systemd raised it to 512)
 * before certauthzd's send() fails and the line is dropped and counted.
 * FILE is flushed whenever the socket is momentarily empty, so a line is
 * in FILE shortly after it was sent.
 *
 * usage: syslog-sink PATH FILE
 * SIGTERM/SIGINT flush FILE, unlink PATH and exit 0.
 */

#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SINK_RCVBUF	(8 * 1024 * 1024)
#define SINK_BATCH	64
#define SINK_LINE	8192

static volatile sig_atomic_t	stopping;

static void
stop(int sig)
{
	(void)sig;
	stopping = 1;
}

int
main(int argc, char *argv[])
{
	static char		 buf[SINK_BATCH][SINK_LINE];
	struct mmsghdr		 m[SINK_BATCH];
	struct iovec		 iov[SINK_BATCH];
	struct sockaddr_un	 sun;
	struct sigaction	 sa;
	FILE			*out;
	size_t			 len;
	int			 fd, i, n, size = SINK_RCVBUF;

	if (argc != 3 || strlen(argv[1]) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "usage: syslog-sink PATH FILE\n");
		return 2;
	}
	if ((out = fopen(argv[2], "a")) == NULL) {
		perror(argv[2]);
		return 1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, argv[1], strlen(argv[1]) + 1);
	unlink(argv[1]);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		perror(argv[1]);
		return 1;
	}
	/* best effort: the kernel caps it at net.core.rmem_max */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = stop;	/* no SA_RESTART: recv() returns EINTR */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	for (i = 0; i < SINK_BATCH; i++) {
		iov[i].iov_base = buf[i];
		iov[i].iov_len = SINK_LINE - 1;
		memset(&m[i].msg_hdr, 0, sizeof(m[i].msg_hdr));
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	while (!stopping) {
		if ((n = recvmmsg(fd, m, SINK_BATCH, MSG_DONTWAIT, NULL)) == -1 &&
		    (errno == EAGAIN || errno == EWOULDBLOCK)) {
			fflush(out);
			n = recvmmsg(fd, m, SINK_BATCH, MSG_WAITFORONE, NULL);
		}
		if (n == -1) {
			if (errno == EINTR)
				continue;
			perror("recvmmsg");
			break;
		}
		for (i = 0; i < n; i++) {
			len = m[i].msg_len;
			if (len > 0 && buf[i][len - 1] == '\n')
				len--;
			buf[i][len] = '\n';
			fwrite(buf[i], 1, len + 1, out);
		}
	}
	fclose(out);
	unlink(argv[1]);
	return 0;
}

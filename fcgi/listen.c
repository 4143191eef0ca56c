/*
 * listen.c: the listening socket.
 *
 * "unix:/path" is created with the requested mode.  A file already at
 * the path is replaced only when it is a socket that nobody answers on
 * (connect() is refused): a live daemon or a non-socket is never
 * removed.  "tcp:HOST:PORT" binds one address (IPv6 as "[::1]:PORT").
 * Without a spec, the socket systemd passes (LISTEN_PID/LISTEN_FDS,
 * fd 3) is used, else fd 0 when it is a listening socket, as mod_fcgid
 * and spawn-fcgi start FastCGI programs.  The socket returned is
 * non-blocking and close-on-exec.
 */
#include "config.h"	/* _GNU_SOURCE (AC_USE_SYSTEM_EXTENSIONS) */

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "certauthzd.h"
#include "log.h"

#define LISTEN_BACKLOG	1024

/* Returns 1 when fd is a listening socket. */
static int
listen_is_listening(int fd)
{
	int		 on = 0;
	socklen_t	 len = sizeof(on);

	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == -1)
		return 0;
	return on != 0;
}

static int
listen_setflags(int fd)
{
	int	 fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1) {
		log_warn("%s: fcntl", __func__);
		return -1;
	}
	return 0;
}

/* Removes a stale socket at sun->sun_path; -1 when it must stay. */
static int
listen_unix_stale(const struct sockaddr_un *sun)
{
	struct stat	 st;
	int		 fd, rc;

	if (lstat(sun->sun_path, &st) == -1)
		return errno == ENOENT ? 0 : (log_warn("%s: %s", __func__,
		    sun->sun_path), -1);
	if (!S_ISSOCK(st.st_mode)) {
		log_warnx("%s: %s exists and is not a socket", __func__,
		    sun->sun_path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("%s: socket", __func__);
		return -1;
	}
	rc = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	close(fd);
	if (rc == 0 || errno != ECONNREFUSED) {
		log_warnx("%s: %s is in use (a daemon listens there?)",
		    __func__, sun->sun_path);
		return -1;
	}
	if (unlink(sun->sun_path) == -1) {
		log_warn("%s: unlink %s", __func__, sun->sun_path);
		return -1;
	}
	log_info("removed stale socket %s", sun->sun_path);
	return 0;
}

static int
listen_unix(const char *path, mode_t mode)
{
	struct sockaddr_un	 sun;
	mode_t			 old;
	int			 fd = -1;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (*path != '/' ||
	    strlen(path) >= sizeof(sun.sun_path)) {
		log_warnx("%s: bad socket path %s", __func__, path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	if (listen_unix_stale(&sun) == -1)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("%s: socket", __func__);
		return -1;
	}
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		umask(old);
		log_warn("%s: bind %s", __func__, path);
		goto fail;
	}
	umask(old);
	if (chmod(path, mode) == -1) {
		log_warn("%s: chmod %s", __func__, path);
		unlink(path);
		goto fail;
	}
	if (listen(fd, LISTEN_BACKLOG) == -1) {
		log_warn("%s: listen %s", __func__, path);
		unlink(path);
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

static int
listen_tcp(const char *spec)
{
	struct addrinfo	 hints, *res = NULL;
	char		 host[256], *port;
	const char	*h;
	int		 fd = -1, on = 1, rc;

	if (strlen(spec) >= sizeof(host))
		goto bad;
	strcpy(host, spec);
	if (host[0] == '[') {
		if ((port = strchr(host, ']')) == NULL || port[1] != ':')
			goto bad;
		*port = '\0';
		port += 2;
		h = host + 1;
	} else {
		if ((port = strrchr(host, ':')) == NULL)
			goto bad;
		*port++ = '\0';
		h = host;
	}
	if (*port == '\0')
		goto bad;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(*h ? h : NULL, port, &hints, &res)) != 0) {
		log_warnx("%s: %s: %s", __func__, spec, gai_strerror(rc));
		return -1;
	}
	if ((fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC,
	    res->ai_protocol)) == -1) {
		log_warn("%s: socket", __func__);
		goto fail;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (res->ai_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	if (bind(fd, res->ai_addr, res->ai_addrlen) == -1 ||
	    listen(fd, LISTEN_BACKLOG) == -1) {
		log_warn("%s: bind %s", __func__, spec);
		goto fail;
	}
	freeaddrinfo(res);
	return fd;
fail:
	if (fd != -1)
		close(fd);
	freeaddrinfo(res);
	return -1;
bad:
	log_warnx("%s: bad address tcp:%s (HOST:PORT or [V6]:PORT)",
	    __func__, spec);
	return -1;
}

/* systemd socket activation: fd 3 when LISTEN_PID is ours. */
static int
listen_systemd(void)
{
	const char	*pid = getenv("LISTEN_PID");
	const char	*fds = getenv("LISTEN_FDS");
	char		 me[32];
	int		 ok;

	if (pid == NULL || fds == NULL)
		return -1;
	snprintf(me, sizeof(me), "%ld", (long)getpid());
	ok = strcmp(pid, me) == 0 && atoi(fds) >= 1;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (!ok)
		return -1;
	if (atoi(fds) > 1)
		log_warnx("%s: %s sockets passed; using fd 3 only", __func__,
		    fds);
	return 3;
}

int
listen_open(const char *spec, mode_t mode, char **unlink_path)
{
	int	 fd;

	*unlink_path = NULL;
	if (spec == NULL) {
		if ((fd = listen_systemd()) == -1) {
			if (!listen_is_listening(0)) {
				log_warnx("no -s, no LISTEN_FDS and fd 0 is "
				    "not a listening socket");
				return -1;
			}
			fd = 0;
		} else if (!listen_is_listening(fd)) {
			log_warnx("fd 3 from systemd is not a listening "
			    "socket");
			return -1;
		}
	} else if (strncmp(spec, "unix:", 5) == 0) {
		if ((fd = listen_unix(spec + 5, mode)) == -1)
			return -1;
		if ((*unlink_path = strdup(spec + 5)) == NULL) {
			unlink(spec + 5);
			close(fd);
			return -1;
		}
	} else if (strncmp(spec, "tcp:", 4) == 0) {
		if ((fd = listen_tcp(spec + 4)) == -1)
			return -1;
	} else {
		log_warnx("bad socket %s: unix:/path or tcp:HOST:PORT", spec);
		return -1;
	}
	if (listen_setflags(fd) == -1) {
		if (fd > 2)
			close(fd);
		return -1;
	}
	return fd;
}

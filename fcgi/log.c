/*
 * log.c: the daemon's logging, after relayd's log.c.
 *
 * Everything goes to syslog with ident "certauthzd" and the facility the
 * policy names; with -d it is also written to stderr, one line per
 * message.  log_warn() appends strerror(errno).  fatal() and fatalx()
 * are for start-up only: they exit 1.  syslog(3) and stdio lock
 * internally, so any thread may log.
 */
#include "config.h"	/* _GNU_SOURCE (AC_USE_SYSTEM_EXTENSIONS) */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"

static int	log_debugging;

static void	log_vlog(int, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));

/* May be called again (reload) to apply a new facility. */
void
log_init(int debug, int facility)
{
	log_debugging = debug;
	openlog("certauthzd", LOG_PID | LOG_NDELAY, facility);
}

static void
log_vlog(int priority, const char *fmt, va_list ap)
{
	va_list	 ap2;

	if (log_debugging) {
		va_copy(ap2, ap);
		vfprintf(stderr, fmt, ap2);
		fputc('\n', stderr);
		fflush(stderr);
		va_end(ap2);
	}
	vsyslog(priority, fmt, ap);
}

/* Logs a ready-made line (a decision line) verbatim, never as a format. */
void
log_line(int priority, const char *line)
{
	if (log_debugging) {
		fprintf(stderr, "%s\n", line);
		fflush(stderr);
	}
	syslog(priority, "%s", line);
}

void
log_warn(const char *fmt, ...)
{
	char	 buf[1024];
	int	 saved = errno;
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_warnx("%s: %s", buf, strerror(saved));
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vlog(LOG_ERR, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (!log_debugging)
		return;
	va_start(ap, fmt);
	log_vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	char	 buf[1024];
	int	 saved = errno;
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_warnx("fatal: %s: %s", buf, strerror(saved));
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	char	 buf[1024];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_warnx("fatal: %s", buf);
	exit(1);
}

/*
 * log.h: relayd-style logging for certauthzd.  Messages go to syslog
 * (ident "certauthzd", through each thread's own socket: see log.c)
 * and, with -d, to stderr as well.  log_init() comes first, in the
 * main thread, before any other thread; later calls (reload) change
 * only the facility.
 */
#ifndef LOG_H
#define LOG_H

#include <stdarg.h>

void	log_init(int debug, int facility);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_line(int priority, const char *line);
void	log_hold(void);
int	log_timeout(void);
void	log_flush(void);
void	log_hold_shared(void);
void	log_release(void);
int	log_flusher_start(void);
void	log_flusher_stop(void);
unsigned long log_dropped(void);

#endif /* LOG_H */

/*
 * policy_load.h: the state of one authz_policy_load(), shared by the
 * files of the loader: policy.c (lists, conditions, rules, policies and
 * the load itself), policy_settings.c, policy_lint.c and policy_msg.c;
 * and policy_file.c's file checks, which use no loader state.  Not part
 * of the library's interface: only authz.h is.
 *
 * The contract of every part is the error counter ld->errors: each
 * error is reported (policy_msg(), ERR) and counted, and any error
 * refuses the whole file.  A function returns a value only when its
 * caller needs one to go on.
 */
#ifndef POLICY_LOAD_H
#define POLICY_LOAD_H

#include <stddef.h>

#include <libconfig.h>

#include "authz.h"
#include "policy_impl.h"

/* A policy, list, CA or CRL file is at most this large (a list of
 * 1,000,000 e-mail addresses is about 30 MB). */
#define POLICY_FILE_MAX		(256L * 1024 * 1024)
#define POLICY_FILE_MAX_TEXT	"256 MiB"

struct lentry {
	const char	*s;
	int		 line;
};

struct list {
	const char	*name;
	const char	*decl;		/* the file that declares it */
	const char	*file;		/* where the entries are */
	int		 line;
	char		*buf;		/* a list file's contents */
	struct lentry	*e;
	size_t		 n;
	struct valueset	*compiled[K_NKINDS];
	int		 failed[K_NKINDS];
	int		 broken;	/* did not load: reported */
};

struct loader {
	const char		*file;
	char			*dir;	/* of file; NULL: the cwd */
	int			 flags;
	authz_msg_fn		 msg;
	void			*arg;
	int			 errors;
	struct authz_policy	*p;
	struct list		*lists;
	size_t			 nlists;
	char			*nbuf;		/* normalization buffer */
	size_t			 nbufsize;
	int			 has_ca;	/* ca_file is set */
	char			*shadow;	/* settings.shadow, resolved */
	int			 shadow_line;
};

/* authz_policy_load() flag: this is a shadow candidate, which names none. */
#define POLICY_LOAD_SHADOW	0x100

/*
 * policy_msg.c.  policy_msg() hands msg "FILE:LINE: text" (or "FILE:
 * text" when line is 0; file NULL: the policy file), counting it in
 * ld->errors, or, for a warning, "FILE:LINE: warning: text", only with
 * AUTHZ_LOAD_LINT and not counted.  policy_oom() reports that memory
 * ran out and returns -1, for callers that return it.
 * policy_source() is the file a setting was read from (an @include).
 */
void		 policy_msg(struct loader *, const char *file, int line,
		    int warning, const char *, ...)
		    __attribute__((format(printf, 5, 6)));
int		 policy_oom(struct loader *);
const char	*policy_source(struct loader *, const config_setting_t *);

/* An error at setting s; a warning at line of the policy file. */
#define ERR(ld, s, ...) policy_msg((ld), policy_source(ld, s), \
	config_setting_source_line(s), 0, __VA_ARGS__)
#define WARN(ld, line, ...) policy_msg((ld), NULL, (line), 1, __VA_ARGS__)

/*
 * policy_file.c: files as the loader may read them, whatever they are.
 * policy_file_regular() returns 0 when path is a regular file of at
 * most POLICY_FILE_MAX bytes, else -1 with *why set.
 * policy_file_slurp() reads all of such a file into *buf, malloc'ed and
 * NUL-terminated; a file that holds a NUL byte is refused.  Returns 0,
 * or -1 with *why set.  policy_file_path() is path resolved against
 * dir (NULL: left as it is), copied into the arena; NULL on ENOMEM.
 */
int		 policy_file_regular(const char *path, const char **why);
int		 policy_file_slurp(const char *path, char **buf, size_t *len,
		    const char **why);
char		*policy_file_path(struct arena *, const char *dir,
		    const char *path);

/* policy_settings.c: the settings group, into ld->p. */
void		 policy_settings(struct loader *, const config_setting_t *);

/*
 * policy_watch.c: records path as it is now (before it is read) among
 * the files of ld->p, for authz_policy_changed().
 */
void		 policy_watch(struct loader *, const char *path);

/* policy_lint.c: the warnings of AUTHZ_LOAD_LINT, on a loaded policy. */
void		 policy_lint(struct loader *);

#endif /* POLICY_LOAD_H */

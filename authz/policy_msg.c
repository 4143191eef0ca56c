/*
 * policy_msg.c: how the loader reports.  Every error names the file and
 * line it is about, as libconfig gives them, like `nginx -t`; it is
 * counted in ld->errors, and any error refuses the whole file.
 * Warnings (AUTHZ_LOAD_LINT only) are not counted.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "policy_load.h"

void
policy_msg(struct loader *ld, const char *file, int line, int warning,
    const char *fmt, ...)
{
	char	 text[1024], out[1400];
	va_list	 ap;

	if (warning && !(ld->flags & AUTHZ_LOAD_LINT))
		return;
	if (!warning)
		ld->errors++;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(out, sizeof(out), "%s:%d: %s%s", file ? file :
		    ld->file, line, warning ? "warning: " : "", text);
	else	/* the file as a whole: unreadable, out of memory */
		snprintf(out, sizeof(out), "%s: %s%s", file ? file : ld->file,
		    warning ? "warning: " : "", text);
	if (ld->msg != NULL)
		ld->msg(ld->arg, out);
}

int
policy_oom(struct loader *ld)
{
	policy_msg(ld, NULL, 0, 0, "%s: out of memory", __func__);
	return -1;
}

const char *
policy_source(struct loader *ld, const config_setting_t *s)
{
	const char	*f = config_setting_source_file(s);

	return f != NULL ? f : ld->file;
}

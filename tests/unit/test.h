/*
 * test.h: the smallest harness that prints file and line on failure.
 * A test program returns fails() from main: 0 when every check held,
 * 1 otherwise; automake's harness counts it as PASS or FAIL.
 */
#ifndef TEST_H
#define TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_failures;
static int test_checks;

#define CHECK(cond) do {						\
	test_checks++;							\
	if (!(cond)) {							\
		test_failures++;					\
		fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__,\
		    #cond);						\
	}								\
} while (0)

#define CHECK_STR(got, want) do {					\
	const char *g_ = (got), *w_ = (want);				\
	test_checks++;							\
	if (g_ == NULL || w_ == NULL ? g_ != w_ : strcmp(g_, w_) != 0) {\
		test_failures++;					\
		fprintf(stderr, "%s:%d: FAIL: %s\n  got:  %s\n  want: %s\n",\
		    __FILE__, __LINE__, #got, g_ ? g_ : "(null)",	\
		    w_ ? w_ : "(null)");				\
	}								\
} while (0)

/*
 * Reads DIR/NAME.pem into a malloc'ed, NUL-terminated string and sets
 * *len; exits when it cannot (a missing test input is a failure).
 */
static inline char *
test_slurp(const char *d, const char *name, size_t *len)
{
	char	 path[4096], *buf;
	FILE	*f;
	long	 n;

	snprintf(path, sizeof(path), "%s/%s.pem", d, name);
	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "%s: cannot open\n", path);
		exit(1);
	}
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0)
		exit(1);
	rewind(f);
	if ((buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n)
		exit(1);
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

static inline int
test_done(void)
{
	printf("%d checks, %d failed\n", test_checks, test_failures);
	return test_failures != 0;
}

#endif /* TEST_H */

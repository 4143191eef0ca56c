/*
 * test.h: the smallest harness that prints file and line on failure.
 * A test program returns fails() from main: 0 when every check held,
 * 1 otherwise; automake's harness counts it as PASS or FAIL.
 */
#ifndef TEST_H
#define TEST_H

#include <stdio.h>
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

static inline int
test_done(void)
{
	printf("%d checks, %d failed\n", test_checks, test_failures);
	return test_failures != 0;
}

#endif /* TEST_H */

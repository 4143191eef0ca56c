/*
 * fuzz.h: shared by the libFuzzer targets and the regression driver.
 *
 * FUZZ_ASSERT() aborts with file:line so that libFuzzer records the
 * input as a crash and the regression driver fails.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_ASSERT(c) do {						\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: invariant failed: %s\n",	\
		    __FILE__, __LINE__, #c);				\
		abort();						\
	}								\
} while (0)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* fuzz_util.c */
char	*fuzz_tempfile(const char *, const void *, size_t);
char	*fuzz_testcert(void);

#endif /* FUZZ_H */

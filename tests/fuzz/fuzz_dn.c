/*
 * fuzz_dn.c: dn_parse() on any bytes; for what parses, the round trip
 * parse(render(x)) is equal to x and rendering is stable.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dn	 a, b;
	const char	*err = NULL;
	char		*ra, *rb, *s;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	if (dn_parse((const char *)data, size, &a, &err) == -1) {
		FUZZ_ASSERT(err != NULL);
		FUZZ_ASSERT(a.nrdn == 0);
		dn_free(&a);
		return 0;
	}
	FUZZ_ASSERT(dn_equal(&a, &a) == 1);
	ra = dn_render(&a);
	FUZZ_ASSERT(ra != NULL);
	if (a.nrdn > 0) {
		FUZZ_ASSERT(dn_parse(ra, strlen(ra), &b, &err) == 0);
		FUZZ_ASSERT(dn_equal(&a, &b) == 1);
		rb = dn_render(&b);
		FUZZ_ASSERT(rb != NULL);
		/* Rendering is stable: render(parse(render(x))) == render(x). */
		FUZZ_ASSERT(strcmp(ra, rb) == 0);
		FUZZ_ASSERT(dn_matches_forwarded(&a, ra) == 1);
		free(rb);
		dn_free(&b);
	}
	/* The raw input as a forwarded DN: any answer, no crash. */
	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	(void)dn_matches_forwarded(&a, s);
	free(s);
	free(ra);
	dn_free(&a);
	return 0;
}

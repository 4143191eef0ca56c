/*
 * driver.c: runs a fuzz target without libFuzzer, so that the inputs
 * kept in tests/fuzz/regress/ (and any corpus) run in `make check` under
 * gcc, ASan or valgrind.
 *
 * Usage: regress-X FILE|DIR ...   (each regular file is one input)
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static int
run_file(const char *path)
{
	FILE		*fp;
	uint8_t		*buf = NULL, *nbuf;
	size_t		 len = 0, cap = 0, n;

	if ((fp = fopen(path, "rb")) == NULL) {
		perror(path);
		return -1;
	}
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			if ((nbuf = realloc(buf, cap)) == NULL)
				abort();
			buf = nbuf;
		}
		if ((n = fread(buf + len, 1, cap - len, fp)) == 0)
			break;
		len += n;
	}
	fclose(fp);
	/* An exact-size copy, so that ASan sees any read past the end. */
	if ((nbuf = malloc(len ? len : 1)) == NULL)
		abort();
	memcpy(nbuf, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput(nbuf, len);
	free(nbuf);
	return 0;
}

static int
run_path(const char *path, int *count)
{
	struct stat	 st;
	DIR		*d;
	struct dirent	*de;
	char		*sub;
	int		 rv = 0;

	if (stat(path, &st) == -1) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return run_file(path);
	}
	if ((d = opendir(path)) == NULL) {
		perror(path);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (asprintf(&sub, "%s/%s", path, de->d_name) == -1)
			abort();
		if (run_path(sub, count) == -1)
			rv = -1;
		free(sub);
	}
	closedir(d);
	return rv;
}

int
main(int argc, char *argv[])
{
	int	 i, count = 0, rv = 0;

	for (i = 1; i < argc; i++)
		if (run_path(argv[i], &count) == -1)
			rv = 1;
	printf("%s: %d inputs\n", argv[0], count);
	return rv;
}

/*
 * policy_file.c: the files a policy names (the policy itself, its
 * @include files, list files, ca_file, crl_file), opened as the loader
 * may read them.  Only a regular file of at most POLICY_FILE_MAX bytes
 * will do: a directory, a FIFO or a device could hang the loader or
 * make it allocate without bound.  Nothing here reports or keeps state:
 * each function says why it failed, and the caller reports.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy_load.h"

/*
 * Opens path for reading and returns the descriptor, or -1 with a reason in
 * *why.  Only a regular file of at most POLICY_FILE_MAX bytes will do: a
 * directory (whose lseek() size on ext4 is 2^63-1), a FIFO or a device
 * could hang the loader or make it allocate without bound.  O_NONBLOCK
 * keeps open() itself from waiting on a FIFO.  *size is the file's size.
 */
static int
policy_file_open(const char *path, size_t *size, const char **why)
{
	struct stat	 st;
	int		 fd;

	*why = NULL;
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) ==
	    -1) {
		*why = strerror(errno);
		return -1;
	}
	if (fstat(fd, &st) == -1)
		*why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		*why = "not a regular file";
	else if (st.st_size > POLICY_FILE_MAX)
		*why = "larger than " POLICY_FILE_MAX_TEXT;
	if (*why != NULL) {
		close(fd);
		return -1;
	}
	*size = (size_t)st.st_size;
	return fd;
}

int
policy_file_regular(const char *path, const char **why)
{
	size_t	 size;
	int	 fd;

	if ((fd = policy_file_open(path, &size, why)) == -1)
		return -1;
	close(fd);
	return 0;
}

int
policy_file_slurp(const char *path, char **buf, size_t *len, const char **why)
{
	size_t	 size, got = 0;
	ssize_t	 r;
	int	 fd;

	*buf = NULL;
	if ((fd = policy_file_open(path, &size, why)) == -1)
		return -1;
	if ((*buf = malloc(size + 1)) == NULL) {
		*why = "out of memory";
		close(fd);
		return -1;
	}
	/* a file that grows meanwhile is read up to its size at open */
	while (got < size) {
		if ((r = read(fd, *buf + got, size - got)) == -1) {
			if (errno == EINTR)
				continue;
			*why = strerror(errno);
			break;
		}
		if (r == 0) {
			*why = "short read";
			break;
		}
		got += (size_t)r;
	}
	close(fd);
	if (got != size) {
		free(*buf);
		*buf = NULL;
		return -1;
	}
	(*buf)[got] = '\0';
	*len = got;
	/* libconfig reads on past a NUL byte; C strings and the include
	 * scan would not */
	if (memchr(*buf, '\0', got) != NULL) {
		*why = "holds a NUL byte";
		free(*buf);
		*buf = NULL;
		return -1;
	}
	return 0;
}

char *
policy_file_path(struct arena *a, const char *dir, const char *path)
{
	char	*r;
	size_t	 n;

	if (path[0] == '/' || dir == NULL)
		return arena_strndup(a, path, strlen(path));
	n = strlen(dir) + strlen(path) + 2;
	if ((r = arena_alloc(a, n)) == NULL)
		return NULL;
	snprintf(r, n, "%s/%s", dir, path);
	return r;
}

/*
 * maxrss.c: runs a command and prints its peak resident set size in KiB
 * its wall time and its CPU time (user + system) in milliseconds on
 * stderr ("maxrss=N wall_ms=N cpu_ms=N"), for
 * tests/golden/biglist.sh (/usr/bin/time may be absent).  Exits with
 * the command's status.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <stdio.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char *argv[])
{
	struct rusage	 ru;
	struct timespec	 t0, t1;
	pid_t		 pid;
	int		 status;

	if (argc < 2) {
		fprintf(stderr, "usage: maxrss COMMAND [ARG ...]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((pid = fork()) == -1) {
		perror("maxrss: fork");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		perror("maxrss: exec");
		_exit(127);
	}
	if (waitpid(pid, &status, 0) == -1) {
		perror("maxrss: waitpid");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	getrusage(RUSAGE_CHILDREN, &ru);
	fprintf(stderr, "maxrss=%ld wall_ms=%ld cpu_ms=%ld\n", ru.ru_maxrss,
	    (long)((t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000),
	    (long)((ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
	    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
}

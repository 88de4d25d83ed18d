/*
 * test_worker: the confinement of worker children (worker.h).  A child
 * keeps none of the caller's descriptors but its pipe and the standard
 * streams and runs under its limits; a child that never answers is
 * killed, reaped and its pipe closed when its time is up -- no zombie, no
 * descriptor left behind.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "worker.h"

#define MARKER_FD	57	/* a number no test harness uses */

/* Descriptors open in this process now. */
static int
open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;		/* the directory's own */
}

/* No child of this process is left, running or a zombie. */
static void
assert_no_children(void)
{
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void
test_timeout_kills_reaps_and_closes(void **state)
{
	char err[256], *out = NULL;
	struct timespec a, b;
	int before = open_fds();

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(worker_probe(WORKER_PROBE_HANG, 1, &out, err,
	    sizeof(err)), -1);
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_null(out);
	assert_non_null(strstr(err, "in time"));
	assert_true(b.tv_sec - a.tv_sec <= 3);
	assert_int_equal(open_fds(), before);
	assert_no_children();
	/* And again: nothing piles up. */
	assert_int_equal(worker_probe(WORKER_PROBE_HANG, 1, &out, err,
	    sizeof(err)), -1);
	assert_int_equal(open_fds(), before);
	assert_no_children();
}

static void
test_child_keeps_no_inherited_descriptor(void **state)
{
	char err[256], *out = NULL, line[32];
	int fd, before;

	(void)state;
	/* Inheritable (no O_CLOEXEC), as a descriptor a library opened
	 * carelessly would be. */
	fd = open("/dev/null", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(dup2(fd, MARKER_FD), MARKER_FD);
	before = open_fds();
	assert_int_equal(worker_probe(WORKER_PROBE_REPORT, 10, &out, err,
	    sizeof(err)), 0);
	assert_non_null(out);
	print_message("%s", out);
	snprintf(line, sizeof(line), "fd %d\n", fd);
	assert_null(strstr(out, line));
	snprintf(line, sizeof(line), "fd %d\n", MARKER_FD);
	assert_null(strstr(out, line));
	assert_non_null(strstr(out, "fd 2\n"));	/* the log */
	/* The standard streams and the pipe: nothing else. */
	{
		int n = 0;

		for (const char *p = out; (p = strstr(p, "fd ")) != NULL; p++)
			n++;
		assert_true(n <= 4);
	}
	assert_int_equal(open_fds(), before);
	assert_no_children();
	close(MARKER_FD);
	close(fd);
	free(out);
}

static void
test_child_runs_under_limits(void **state)
{
	char err[256], *out = NULL;
	const char *as;

	(void)state;
	assert_int_equal(worker_probe(WORKER_PROBE_REPORT, 10, &out, err,
	    sizeof(err)), 0);
	assert_non_null(strstr(out, "cpu 20\n"));
	assert_non_null(strstr(out, "nofile 16\n"));
	assert_non_null(strstr(out, "fsize 0\n"));
	assert_non_null(as = strstr(out, "as "));
#if !defined(__SANITIZE_ADDRESS__)
	/* Bounded, and at most a few GiB (the fork's mappings + 512 MiB). */
	assert_true(strtoll(as + 3, NULL, 10) > 0);
	assert_true(strtoll(as + 3, NULL, 10) < 8LL * 1024 * 1024 * 1024);
#endif
	free(out);
	assert_no_children();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timeout_kills_reaps_and_closes),
		cmocka_unit_test(test_child_keeps_no_inherited_descriptor),
		cmocka_unit_test(test_child_runs_under_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * util: the *.conf folder lister (dotfiles skipped, sorted by name); which
 * hosts are loopback (plain text is allowed to them).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static void
touch(const char *dir, const char *name)
{
	char *p = xasprintf("%s/%s", dir, name);
	FILE *fp = fopen(p, "w");

	assert_non_null(fp);
	fclose(fp);
	free(p);
}

static void
test_conf_files(void **state)
{
	static const char *const files[] = { "b.conf", "a.conf", ".a.conf",
	    "._c.conf", "c.conf.bak", ".conf", "z.txt", "10.conf" };
	static const char *const want[] = { "10.conf", "a.conf", "b.conf" };
	char dir[] = "/tmp/escbot-test-util-XXXXXX", **v, *p;
	size_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		touch(dir, files[i]);
	p = xasprintf("%s/sub.conf", dir);
	assert_int_equal(mkdir(p, 0700), 0);	/* listed: the reader says */
	free(p);
	assert_int_equal(conf_files(dir, &v, &n), 0);
	assert_int_equal(n, 4);
	for (size_t i = 0; i < 3; i++) {
		p = xasprintf("%s/%s", dir, want[i]);
		assert_string_equal(v[i], p);
		free(p);
	}
	assert_null(v[n]);
	for (size_t i = 0; i < n; i++)
		unlink(v[i]);
	rmdir(v[3]);
	conf_files_free(v);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		p = xasprintf("%s/%s", dir, files[i]);
		unlink(p);
		free(p);
	}
	assert_int_equal(conf_files(dir, &v, &n), 0);
	assert_int_equal(n, 0);
	assert_null(v[0]);
	conf_files_free(v);
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(conf_files(dir, &v, &n), -1);
	assert_null(v);
}

static void
test_host_is_loopback(void **state)
{
	static const struct { const char *host; int want; } rows[] = {
		{ "localhost", 1 }, { "LOCALHOST", 1 }, { "127.0.0.1", 1 },
		{ "127.1.2.3", 1 }, { "::1", 1 }, { "[::1]", 1 },
		{ "127.evil.com", 0 }, { "127.0.0.1.nip.io", 0 },
		{ "128.0.0.1", 0 }, { "localhost.evil.com", 0 },
		{ "imap.example.gov.uk", 0 }, { "", 0 }, { "127.", 0 },
	};

	(void)state;
	assert_int_equal(host_is_loopback(NULL), 0);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (host_is_loopback(rows[i].host) != rows[i].want)
			fail_msg("host_is_loopback(\"%s\") != %d", rows[i].host,
			    rows[i].want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conf_files),
		cmocka_unit_test(test_host_is_loopback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

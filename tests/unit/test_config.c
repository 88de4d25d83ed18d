/*
 * Config validation: every kind of mistake is refused with file:line, and
 * a config with just the contract keys loads with the defaults.
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

#include "config.h"
#include "diag.h"
#include "util.h"

static char dir[] = "/tmp/escbot-test-config-XXXXXX";

static const char minimal[] =
    "database = \"var/escbot.db\";\n"
    "rules_dir = \"rules\";\n"
    "templates_dir = \"mail-templates\";\n"
    "directory = \"directory.conf\";\n"
    "allowed_sender_domains = [ \"example.gov.uk\", \"example.nhs.uk\" ];\n"
    "imap = { host = \"imap.example.gov.uk\"; port = 993; tls = \"implicit\";\n"
    "         user = \"box@example.gov.uk\"; password = \"pw\";\n"
    "         ca_file = \"\"; folder = \"INBOX\"; };\n"
    "smtp = { url = \"smtps://smtp.example.gov.uk:465\"; user = \"box\";\n"
    "         password = \"pw\"; from = \"Escalations <box@example.gov.uk>\";\n"
    "         ca_file = \"\"; };\n";

static char *
write_conf(const char *text)
{
	char *path = xasprintf("%s/escbot.conf", dir);
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	return path;
}

/* Load text; returns the number of errors and the diagnostics. */
static int
load(const char *text, char **out, struct config **cfg)
{
	struct diag d = { 0, NULL };
	char *path = write_conf(text), *buf = NULL;
	size_t len = 0;
	struct config *c = NULL;

	d.out = open_memstream(&buf, &len);
	config_load(path, &c, &d);
	fclose(d.out);
	*out = buf;
	if (cfg)
		*cfg = c;
	else
		config_free(c);
	free(path);
	return d.errors;
}

static void
test_minimal_loads_with_defaults(void **state)
{
	struct config *c;
	char *msgs;

	(void)state;
	assert_int_equal(load(minimal, &msgs, &c), 0);
	assert_non_null(c);
	assert_string_equal(msgs, "");
	assert_int_equal(c->imap.port, 993);
	assert_int_equal(c->imap.tls, CONFIG_TLS_IMPLICIT);
	assert_string_equal(c->imap.processed_folder, "Processed");
	assert_string_equal(c->imap.rejected_folder, "Rejected");
	assert_int_equal(c->poll_interval, 60);
	assert_int_equal(c->imap.batch, 100);
	assert_int_equal(c->work_open, 9 * 60);
	assert_int_equal(c->work_close, 17 * 60);
	assert_int_equal(c->personal_to, PERSONAL_TO_STAGE_ROLES);
	assert_string_equal(c->smtp.from_addr, "box@example.gov.uk");
	/* Paths are relative to the config file's folder. */
	assert_true(strncmp(c->database, dir, strlen(dir)) == 0);
	assert_true(config_domain_allowed(c, "a@example.gov.uk"));
	assert_true(config_domain_allowed(c, "a@wigan.example.gov.uk"));
	assert_false(config_domain_allowed(c, "a@evilexample.gov.uk"));
	assert_false(config_domain_allowed(c, "a@example.gov.uk.evil.com"));
	config_free(c);
	free(msgs);
}

static char *
replace(const char *from, const char *to)
{
	const char *p = strstr(minimal, from);
	struct strbuf sb = { 0 };

	assert_non_null(p);
	sb_add(&sb, minimal, (size_t)(p - minimal));
	sb_adds(&sb, to);
	sb_adds(&sb, p + strlen(from));
	return sb_steal(&sb);
}

static void
expect(const char *text, const char *needle, int line)
{
	char *msgs, want[256];

	assert_true(load(text, &msgs, NULL) > 0);
	if (line > 0) {
		snprintf(want, sizeof(want), "escbot.conf:%d: ", line);
		if (strstr(msgs, want) == NULL)
			fail_msg("no \"%s\" in: %s", want, msgs);
	}
	if (strstr(msgs, needle) == NULL)
		fail_msg("no \"%s\" in: %s", needle, msgs);
	free(msgs);
}

static void
test_unknown_key(void **state)
{
	char *t;

	(void)state;
	t = xasprintf("%spoll_intervall = 30;\n", minimal);
	expect(t, "unknown key \"poll_intervall\"", 12);
	free(t);
	t = replace("folder = \"INBOX\";", "folder = \"INBOX\"; fodler = \"x\";");
	expect(t, "unknown key \"fodler\" in imap", 8);
	free(t);
}

static void
test_wrong_type(void **state)
{
	char *t;

	(void)state;
	t = replace("port = 993;", "port = \"993\";");
	expect(t, "\"port\" must be a number, not a string", 6);
	free(t);
	t = replace("allowed_sender_domains = [ \"example.gov.uk\", \"example.nhs.uk\" ];",
	    "allowed_sender_domains = \"example.gov.uk\";");
	expect(t, "must be an array", 5);
	free(t);
	t = replace("folder = \"INBOX\";", "folder = \"INBOX\"; batch = 0;");
	expect(t, "\"batch\" must be between 1 and 1000", 8);
	free(t);
}

static void
test_missing_required(void **state)
{
	char *t;

	(void)state;
	t = replace("database = \"var/escbot.db\";\n", "");
	expect(t, "missing required key \"database\"", 0);
	free(t);
	t = replace("from = \"Escalations <box@example.gov.uk>\";", "");
	expect(t, "missing required key \"from\"", 0);
	free(t);
}

static void
test_bad_values(void **state)
{
	char *t;

	(void)state;
	t = replace("tls = \"implicit\";", "tls = \"yes\";");
	expect(t, "imap.tls must be", 6);
	free(t);
	/* Plain IMAP to a remote host would send the password in clear. */
	t = replace("tls = \"implicit\";", "tls = \"none\";");
	expect(t, "allow_plaintext", 6);
	free(t);
	t = replace("url = \"smtps://smtp.example.gov.uk:465\";",
	    "url = \"http://smtp.example.gov.uk\";");
	expect(t, "smtp.url must start", 9);
	free(t);
	t = replace("\"example.nhs.uk\"", "\"not a domain\"");
	expect(t, "is not a domain", 5);
	free(t);
	t = replace("from = \"Escalations <box@example.gov.uk>\";", "from = \"nobody\";");
	expect(t, "holds no email address", 0);
	free(t);
	t = replace("database = \"var/escbot.db\";",
	    "database = \"var/escbot.db\"; personal_to = \"everyone\";");
	expect(t, "personal_to \"everyone\": use \"stage_roles\" or "
	    "\"nobody\"", 1);
	free(t);
}

static void
test_personal_to(void **state)
{
	struct config *c;
	char *msgs, *t;

	(void)state;
	t = replace("database = \"var/escbot.db\";",
	    "database = \"var/escbot.db\"; personal_to = \"nobody\";");
	assert_int_equal(load(t, &msgs, &c), 0);
	assert_string_equal(msgs, "");
	assert_int_equal(c->personal_to, PERSONAL_TO_NOBODY);
	config_free(c);
	free(msgs);
	free(t);
}

static void
test_all_errors_reported(void **state)
{
	char *t, *msgs;

	(void)state;
	t = xasprintf("%sfoo = 1;\nbar = 2;\n", minimal);
	assert_int_equal(load(t, &msgs, NULL), 2);
	assert_non_null(strstr(msgs, "\"foo\""));
	assert_non_null(strstr(msgs, "\"bar\""));
	free(msgs);
	free(t);
}

static void
test_syntax_error_has_line(void **state)
{
	char *t;

	(void)state;
	t = xasprintf("%spoll_interval = ;\n", minimal);
	expect(t, "syntax error", 12);
	free(t);
}

static void
test_password_file_mode(void **state)
{
	char *t, *pw, *msgs;
	struct config *c;
	FILE *fp;

	(void)state;
	pw = xasprintf("%s/imap.secret", dir);
	fp = fopen(pw, "w");
	fputs("s3cret\n", fp);
	fclose(fp);
	chmod(pw, 0644);
	t = replace("password = \"pw\";\n         ca_file",
	    "password_file = \"imap.secret\";\n         ca_file");
	expect(t, "readable by group or others", 7);
	chmod(pw, 0600);
	assert_int_equal(load(t, &msgs, &c), 0);
	assert_string_equal(c->imap.password, "s3cret");
	/* Never echoed into diagnostics. */
	assert_null(strstr(msgs, "s3cret"));
	config_free(c);
	free(msgs);
	free(t);
	unlink(pw);
	free(pw);
}

/* What the first login would trip on: no password, or an empty file. */
static void
test_imap_password_needed(void **state)
{
	char *t, *pw;
	FILE *fp;

	(void)state;
	t = replace("password = \"pw\";\n         ca_file", "ca_file");
	expect(t, "imap needs password_file (or password) to log in as "
	    "box@example.gov.uk, or auth = \"xoauth2\"", 6);
	free(t);
	t = replace("password = \"pw\";\n         ca_file",
	    "password = \"\";\n         ca_file");
	expect(t, "imap.password is empty", 7);
	free(t);
	pw = xasprintf("%s/imap.secret", dir);
	fp = fopen(pw, "w");
	assert_non_null(fp);
	fputs("\n", fp);
	fclose(fp);
	chmod(pw, 0600);
	t = replace("password = \"pw\";\n         ca_file",
	    "password_file = \"imap.secret\";\n         ca_file");
	expect(t, "imap.password_file ", 7);
	expect(t, "/imap.secret is empty: its first line is the secret", 7);
	free(t);
	unlink(pw);
	free(pw);
}

/* check-config's database check: the folder must be there, writable. */
static void
test_database_folder(void **state)
{
	struct diag d = { 0, NULL };
	struct config *c;
	char *msgs, *buf = NULL, *var;
	size_t len;

	(void)state;
	assert_int_equal(load(minimal, &msgs, &c), 0);
	free(msgs);
	d.out = open_memstream(&buf, &len);
	assert_int_equal(config_check_database(c, &d), -1);
	fclose(d.out);
	assert_non_null(strstr(buf, "escbot.conf:1: database "));
	assert_non_null(strstr(buf, "/var: No such file or directory"));
	free(buf);
	var = xasprintf("%s/var", dir);
	assert_int_equal(mkdir(var, 0700), 0);
	d.out = open_memstream(&buf, &len);
	assert_int_equal(config_check_database(c, &d), 0);
	fclose(d.out);
	assert_string_equal(buf, "");
	free(buf);
	rmdir(var);
	free(var);
	config_free(c);
}

/* Unset paths come from the data folder; without one, each is named. */
static void
test_paths_default_to_data_folder(void **state)
{
	struct config *c;
	char *t, *msgs, *dd = config_data_dir(), *want;

	(void)state;
	t = replace("rules_dir = \"rules\";\n", "");
	if (dd[0] == '\0') {
		expect(t, "rules_dir is not set, and escbot's data folder is "
		    "not in ", 0);
	} else {
		assert_int_equal(load(t, &msgs, &c), 0);
		want = xasprintf("%s/rules", dd);
		assert_string_equal(c->rules_dir, want);
		assert_int_equal(c->line.rules_dir, 0);
		free(want);
		free(msgs);
		config_free(c);
	}
	free(t);
	/* Set ones keep their line, for check-config's messages. */
	assert_int_equal(load(minimal, &msgs, &c), 0);
	assert_int_equal(c->line.rules_dir, 2);
	assert_int_equal(c->line.templates_dir, 3);
	config_free(c);
	free(msgs);
	free(dd);
}

static void
test_missing_file(void **state)
{
	struct diag d = { 0, NULL };
	struct config *c;
	char *buf = NULL;
	size_t len;

	(void)state;
	d.out = open_memstream(&buf, &len);
	assert_int_equal(config_load("/nonexistent/escbot.conf", &c, &d), -1);
	fclose(d.out);
	assert_non_null(strstr(buf, "/nonexistent/escbot.conf: cannot read"));
	free(buf);
}

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
	char *p = xasprintf("%s/escbot.conf", dir);

	(void)state;
	unlink(p);
	free(p);
	rmdir(dir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal_loads_with_defaults),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_wrong_type),
		cmocka_unit_test(test_missing_required),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_personal_to),
		cmocka_unit_test(test_all_errors_reported),
		cmocka_unit_test(test_syntax_error_has_line),
		cmocka_unit_test(test_password_file_mode),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_imap_password_needed),
		cmocka_unit_test(test_database_folder),
		cmocka_unit_test(test_paths_default_to_data_folder),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

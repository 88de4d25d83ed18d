/*
 * OAuth building blocks without a network: the JSON reader, how a token
 * endpoint's answers are classed (final for a revoked grant, temporary for
 * 5xx), the token cache (reused while it has five minutes left, ignored when
 * its mode is too open or it is for another client), private files written
 * atomically with mode 0600, and the oauth2 keys of escbot.conf.  The token
 * endpoint used is a closed loopback port, so any attempt to ask it is a
 * temporary failure that the tests can see.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "diag.h"
#include "log.h"
#include "oauth.h"
#include "util.h"

static char dir[] = "/tmp/escbot-test-oauth-XXXXXX";
static char closed_url[64];

/* --- JSON ------------------------------------------------------------------ */

static char *
field(const char *json, const char *key, int want)
{
	char *v = NULL;
	int r = oauth_json_field(json, strlen(json), key, &v);

	if (r != want)
		fail_msg("oauth_json_field(%s, %s) = %d, want %d", json, key,
		    r, want);
	return v;
}

static void
test_json_strings(void **state)
{
	const char *j = " {\"token_type\":\"Bearer\", \"access_token\" : "
	    "\"eyJ0eXAi.abc-_~+/=\",\n\"expires_in\": 3599, \"ext\": "
	    "{\"a\": [1, 2.5e3, -0.5, true, false, null, \"}\"]}, "
	    "\"esc\": \"q\\\"b\\\\s\\/n\\nt\\tu\\u00e9\\ud83d\\ude00\"} ";
	char *v;

	(void)state;
	v = field(j, "access_token", 1);
	assert_string_equal(v, "eyJ0eXAi.abc-_~+/=");
	free(v);
	v = field(j, "expires_in", 1);
	assert_string_equal(v, "3599");
	free(v);
	v = field(j, "ext", 1);
	assert_string_equal(v, "{\"a\": [1, 2.5e3, -0.5, true, false, null, "
	    "\"}\"]}");
	free(v);
	v = field(j, "esc", 1);
	assert_string_equal(v, "q\"b\\s/n\nt\tu\xc3\xa9\xf0\x9f\x98\x80");
	free(v);
	assert_null(field(j, "refresh_token", 0));
	/* Only top-level members count. */
	assert_null(field(j, "a", 0));
	assert_null(field("{}", "a", 0));
	/* The first of two equal keys wins. */
	v = field("{\"a\":\"1\",\"a\":\"2\"}", "a", 1);
	assert_string_equal(v, "1");
	free(v);
}

static void
test_json_malformed(void **state)
{
	static const char *const bad[] = {
		"", "[]", "\"a\"", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}",
		"{\"a\":1} x", "{\"a\":01}", "{\"a\":1.}", "{\"a\":-}",
		"{\"a\":\"x}", "{\"a\":\"\x01\"}", "{\"a\":\"\\x\"}",
		"{\"a\":\"\\u12\"}", "{\"a\":\"\\ud800\"}",
		"{\"a\":\"\\udc00\"}", "{\"a\":\"\\u0000\"}", "{\"a\":tru}",
		"{\"a\":[1,]}", "{\"a\":{\"b\"}}", "{a:1}", "{\"a\":1 \"b\":2}",
		"{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]"
		"]]]]]]]]]]]]]]]]]]]]]]]]]}",
		NULL
	};
	char *v;

	(void)state;
	for (size_t i = 0; bad[i] != NULL; i++) {
		v = (char *)1;
		if (oauth_json_field(bad[i], strlen(bad[i]), "a", &v) != -1)
			fail_msg("accepted: %s", bad[i]);
		assert_null(v);
	}
	/* A NUL inside the given length is not JSON either. */
	assert_int_equal(oauth_json_field("{\"a\":1}\0", 8, "a", &v), -1);
}

/* --- classifying answers ------------------------------------------------- */

static int
reply(long status, const char *body, struct oauth_reply *r, char *err,
    size_t errlen)
{
	return oauth_parse_reply(status, body, body ? strlen(body) : 0, r,
	    err, errlen);
}

static void
test_reply_ok(void **state)
{
	struct oauth_reply r;
	char err[512];

	(void)state;
	assert_int_equal(reply(200, "{\"token_type\":\"Bearer\",\"scope\":"
	    "\"x\",\"expires_in\":3599,\"ext_expires_in\":3599,"
	    "\"access_token\":\"AT1\"}", &r, err, sizeof(err)), OAUTH_OK);
	assert_string_equal(r.access_token, "AT1");
	assert_null(r.refresh_token);
	assert_int_equal(r.expires_in, 3599);
	oauth_reply_free(&r);

	/* expires_in as a string (older Azure endpoints), a rotated
	 * refresh token, token_type in another case. */
	assert_int_equal(reply(200, "{\"token_type\":\"bearer\",\"expires_in\":"
	    "\"600\",\"access_token\":\"AT2\",\"refresh_token\":\"RT2\"}", &r,
	    err, sizeof(err)), OAUTH_OK);
	assert_int_equal(r.expires_in, 600);
	assert_string_equal(r.refresh_token, "RT2");
	oauth_reply_free(&r);

	/* No expires_in: -1, the caller picks a short default. */
	assert_int_equal(reply(200, "{\"access_token\":\"AT3\"}", &r, err,
	    sizeof(err)), OAUTH_OK);
	assert_int_equal(r.expires_in, -1);
	oauth_reply_free(&r);
}

static void
expect_reply(long status, const char *body, int rc, const char *needle)
{
	struct oauth_reply r;
	char err[512] = "";

	if (reply(status, body, &r, err, sizeof(err)) != rc)
		fail_msg("HTTP %ld %s: not class %d: %s", status,
		    body ? body : "(none)", rc, err);
	assert_null(r.access_token);
	assert_null(r.refresh_token);
	if (strstr(err, needle) == NULL)
		fail_msg("no \"%s\" in: %s", needle, err);
	if (strchr(err, '\n') != NULL)
		fail_msg("newline in: %s", err);
}

static void
test_reply_errors(void **state)
{
	(void)state;
	expect_reply(400, "{\"error\":\"invalid_grant\",\"error_description\":"
	    "\"AADSTS70008: The refresh token has expired.\\r\\nTrace ID: "
	    "x\"}", OAUTH_ERR_FINAL, "grant expired or revoked: re-authorise "
	    "escbot");
	expect_reply(401, "{\"error\":\"invalid_client\"}", OAUTH_ERR_FINAL,
	    "re-authorise escbot");
	expect_reply(400, "{\"error\":\"unauthorized_client\"}",
	    OAUTH_ERR_FINAL, "re-authorise escbot");
	expect_reply(400, "{\"error\":\"invalid_scope\",\"error_description\":"
	    "\"bad scope\"}", OAUTH_ERR_FINAL, "invalid_scope: bad scope");
	expect_reply(404, "<html>not found</html>", OAUTH_ERR_FINAL,
	    "check oauth2.token_url");
	expect_reply(302, "", OAUTH_ERR_FINAL, "HTTP 302");
	expect_reply(500, "{\"error\":\"server_error\"}", OAUTH_ERR_TEMP,
	    "HTTP 500 server_error");
	expect_reply(503, "<html>busy</html>", OAUTH_ERR_TEMP, "will retry");
	expect_reply(429, NULL, OAUTH_ERR_TEMP, "HTTP 429");
	/* A 200 that is not a usable answer: a proxy page, say. */
	expect_reply(200, "<html>hello</html>", OAUTH_ERR_TEMP,
	    "without a JSON object");
	expect_reply(200, "{\"token_type\":\"Bearer\"}", OAUTH_ERR_TEMP,
	    "without a usable access_token");
	expect_reply(200, "{\"access_token\":\"a b\"}", OAUTH_ERR_TEMP,
	    "without a usable access_token");
	expect_reply(200, "{\"access_token\":\"AT\",\"token_type\":\"mac\"}",
	    OAUTH_ERR_FINAL, "not a Bearer token");
	expect_reply(200, "{\"access_token\":\"AT\",\"refresh_token\":"
	    "\"x\\ny\"}", OAUTH_ERR_TEMP, "malformed refresh_token");
}

/* --- files and the cache --------------------------------------------------- */

static char *
path_in(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static mode_t
mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	assert_int_equal(chmod(path, mode), 0);
}

/* Nothing but the named files in dir: no temporary file left behind. */
static void
no_stray_files(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strstr(e->d_name, ".tmp") != NULL)
			fail_msg("stray file %s", e->d_name);
	closedir(d);
}

static void
test_write_private(void **state)
{
	char *p = path_in("private"), *data = NULL, err[256];
	mode_t old;

	(void)state;
	write_file(p, "old\n", 0644);
	old = umask(0);
	assert_int_equal(oauth_write_private(p, "new\n", 4, err, sizeof(err)),
	    0);
	umask(old);
	assert_int_equal(mode_of(p), 0600);
	assert_int_equal(file_read_all(p, &data, NULL), 0);
	assert_string_equal(data, "new\n");
	free(data);
	no_stray_files();
	/* A folder that does not exist: an error, and nothing written. */
	free(p);
	p = path_in("nope/private");
	assert_int_equal(oauth_write_private(p, "x", 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "nope"));
	free(p);
	p = path_in("private");
	unlink(p);
	free(p);
}

static void
params(struct oauth_params *p, const char *cache)
{
	memset(p, 0, sizeof(*p));
	p->token_url = closed_url;
	p->client_id = "client-1";
	p->client_secret = "s3cret-client";
	p->scope = "https://outlook.office365.com/.default";
	p->grant = OAUTH_GRANT_CLIENT_CREDENTIALS;
	p->token_cache = cache;
	p->timeout = 5;
}

static int
get(const struct oauth_params *p, time_t now, char **tok, char *err,
    size_t errlen)
{
	int rc = oauth_token(p, now, tok, err, errlen);

	if (rc != OAUTH_OK)
		assert_null(*tok);
	return rc;
}

static void
test_cache_validity(void **state)
{
	struct oauth_params p;
	char *cache = path_in("token.cache"), *tok = NULL, *data = NULL;
	char err[512];
	time_t now = 1767225600;	/* 2026-01-01 */

	(void)state;
	oauth_reset();
	params(&p, cache);
	unlink(cache);
	/* Nothing cached: the (closed) endpoint is asked, temporarily. */
	assert_int_equal(get(&p, now, &tok, err, sizeof(err)),
	    OAUTH_ERR_TEMP);
	assert_non_null(strstr(err, "unreachable"));

	assert_int_equal(oauth_cache_put(&p, "cached-AT", now + 3600, err,
	    sizeof(err)), 0);
	assert_int_equal(mode_of(cache), 0600);
	assert_int_equal(file_read_all(cache, &data, NULL), 0);
	assert_non_null(strstr(data, "cached-AT"));
	/* The cache holds the token only, no secret. */
	assert_null(strstr(data, "s3cret"));
	free(data);
	no_stray_files();

	/* From memory, then (after a restart) from the file. */
	assert_int_equal(get(&p, now, &tok, err, sizeof(err)), OAUTH_OK);
	assert_string_equal(tok, "cached-AT");
	free(tok);
	oauth_reset();
	assert_int_equal(get(&p, now + 3600 - 300, &tok, err, sizeof(err)),
	    OAUTH_OK);
	assert_string_equal(tok, "cached-AT");
	free(tok);
	/* Less than five minutes left: a new one is asked for. */
	assert_int_equal(get(&p, now + 3600 - 299, &tok, err, sizeof(err)),
	    OAUTH_ERR_TEMP);
	oauth_reset();
	assert_int_equal(get(&p, now + 3600 - 299, &tok, err, sizeof(err)),
	    OAUTH_ERR_TEMP);

	/* Another client or scope never gets this token. */
	oauth_reset();
	p.scope = "https://graph.microsoft.com/.default";
	assert_int_equal(get(&p, now, &tok, err, sizeof(err)),
	    OAUTH_ERR_TEMP);
	params(&p, cache);

	/* A cache file others can read is not trusted. */
	oauth_reset();
	assert_int_equal(chmod(cache, 0644), 0);
	assert_int_equal(get(&p, now, &tok, err, sizeof(err)),
	    OAUTH_ERR_TEMP);
	assert_int_equal(chmod(cache, 0600), 0);
	assert_int_equal(get(&p, now, &tok, err, sizeof(err)), OAUTH_OK);
	free(tok);

	/* Refused by the server: forgotten, memory and file. */
	oauth_forget(&p);
	assert_int_equal(access(cache, F_OK), -1);
	assert_int_equal(get(&p, now, &tok, err, sizeof(err)),
	    OAUTH_ERR_TEMP);

	/* A damaged cache file is ignored. */
	write_file(cache, "escbot-oauth2-cache 1\nexpires x\n", 0600);
	oauth_reset();
	assert_int_equal(get(&p, now, &tok, err, sizeof(err)),
	    OAUTH_ERR_TEMP);

	/* Memory only, without a cache file. */
	params(&p, NULL);
	assert_int_equal(oauth_cache_put(&p, "mem-AT", now + 600, err,
	    sizeof(err)), 0);
	assert_int_equal(get(&p, now, &tok, err, sizeof(err)), OAUTH_OK);
	assert_string_equal(tok, "mem-AT");
	free(tok);
	oauth_reset();
	unlink(cache);
	free(cache);
}

static void
test_refresh_token_file(void **state)
{
	struct oauth_params p;
	char *rt = path_in("refresh.token"), *tok = NULL, err[512];

	(void)state;
	oauth_reset();
	params(&p, NULL);
	p.grant = OAUTH_GRANT_REFRESH_TOKEN;
	p.client_secret = NULL;
	p.refresh_token_file = rt;
	unlink(rt);
	assert_int_equal(get(&p, 1000, &tok, err, sizeof(err)),
	    OAUTH_ERR_FINAL);
	assert_non_null(strstr(err, "refresh_token_file"));
	write_file(rt, "RT-secret-1\n", 0644);
	assert_int_equal(get(&p, 1000, &tok, err, sizeof(err)),
	    OAUTH_ERR_FINAL);
	assert_non_null(strstr(err, "chmod 600"));
	write_file(rt, "\n", 0600);
	assert_int_equal(get(&p, 1000, &tok, err, sizeof(err)),
	    OAUTH_ERR_FINAL);
	assert_non_null(strstr(err, "re-authorise"));
	/* A good file: the endpoint is asked (and is down: temporary). */
	write_file(rt, "RT-secret-1\n", 0600);
	assert_int_equal(get(&p, 1000, &tok, err, sizeof(err)),
	    OAUTH_ERR_TEMP);
	assert_null(strstr(err, "RT-secret"));
	/* Missing settings are final. */
	p.refresh_token_file = NULL;
	assert_int_equal(get(&p, 1000, &tok, err, sizeof(err)),
	    OAUTH_ERR_FINAL);
	params(&p, NULL);
	p.client_secret = "";
	assert_int_equal(get(&p, 1000, &tok, err, sizeof(err)),
	    OAUTH_ERR_FINAL);
	/* Plain http is for loopback test endpoints only. */
	params(&p, NULL);
	p.token_url = "http://login.example.com/token";
	assert_int_equal(get(&p, 1000, &tok, err, sizeof(err)),
	    OAUTH_ERR_FINAL);
	assert_non_null(strstr(err, "https"));
	unlink(rt);
	free(rt);
}

/* --- escbot.conf ------------------------------------------------------------ */

static const char base_conf[] =
    "database = \"var/escbot.db\";\n"
    "rules_dir = \"rules\";\n"
    "templates_dir = \"mail-templates\";\n"
    "directory = \"directory.conf\";\n"
    "allowed_sender_domains = [ \"example.gov.uk\" ];\n"
    "imap = { host = \"outlook.office365.com\"; user = \"box@example.gov.uk\";\n"
    "         %s };\n"
    "smtp = { url = \"smtp://smtp.office365.com:587\";\n"
    "         from = \"Escalations <box@example.gov.uk>\"; %s };\n"
    "%s";

static int
load_conf(const char *imap, const char *smtp, const char *rest, char **msgs,
    struct config **out)
{
	struct diag d = { 0, NULL };
	char *path = path_in("escbot.conf"), *text;
	size_t len = 0;
	struct config *c = NULL;

	text = xasprintf(base_conf, imap, smtp, rest);
	write_file(path, text, 0600);
	free(text);
	*msgs = NULL;
	d.out = open_memstream(msgs, &len);
	config_load(path, &c, &d);
	fclose(d.out);
	if (out != NULL)
		*out = c;
	else
		config_free(c);
	free(path);
	return d.errors;
}

static void
conf_error(const char *imap, const char *smtp, const char *rest,
    const char *needle)
{
	char *msgs;

	if (load_conf(imap, smtp, rest, &msgs, NULL) == 0)
		fail_msg("accepted, expected \"%s\"", needle);
	if (strstr(msgs, needle) == NULL)
		fail_msg("no \"%s\" in: %s", needle, msgs);
	if (strstr(msgs, "cl-s3cret") != NULL)
		fail_msg("secret in: %s", msgs);
	free(msgs);
}

static void
test_config_keys(void **state)
{
	struct config *c;
	char *msgs, *sec = path_in("client.secret"), *rt =
	    path_in("refresh.token");
	const char *cc = "oauth2 = { token_url = \"https://login.microsoftonline"
	    ".com/tenant-1/oauth2/v2.0/token\"; client_id = \"app-1\";\n"
	    "  client_secret_file = \"client.secret\"; token_cache = "
	    "\"var/token.cache\"; };\n";

	(void)state;
	write_file(sec, "cl-s3cret\n", 0600);
	write_file(rt, "RT\n", 0600);

	/* Defaults: password for both. */
	assert_int_equal(load_conf("password = \"pw\";", "password = \"pw\";",
	    "", &msgs, &c), 0);
	assert_int_equal(c->imap.auth, CONFIG_AUTH_PASSWORD);
	assert_int_equal(c->smtp.auth, CONFIG_AUTH_PASSWORD);
	assert_int_equal(c->oauth2.enabled, 0);
	config_free(c);
	free(msgs);

	/* client_credentials with a secret file. */
	assert_int_equal(load_conf("auth = \"xoauth2\";", "auth = \"xoauth2\"; "
	    "user = \"box@example.gov.uk\";", cc, &msgs, &c), 0);
	assert_string_equal(msgs, "");
	assert_int_equal(c->imap.auth, CONFIG_AUTH_XOAUTH2);
	assert_int_equal(c->smtp.auth, CONFIG_AUTH_XOAUTH2);
	assert_int_equal(c->oauth2.enabled, 1);
	assert_int_equal(c->oauth2.grant, CONFIG_GRANT_CLIENT_CREDENTIALS);
	assert_string_equal(c->oauth2.client_secret, "cl-s3cret");
	assert_string_equal(c->oauth2.scope,
	    "https://outlook.office365.com/.default");
	assert_true(strncmp(c->oauth2.token_cache, dir, strlen(dir)) == 0);
	assert_string_equal(c->oauth2.ca_file, "");
	config_free(c);
	free(msgs);

	/* refresh_token grant, public client (no secret). */
	assert_int_equal(load_conf("auth = \"xoauth2\";", "",
	    "oauth2 = { token_url = \"https://login.example/t\"; client_id = "
	    "\"app\"; grant = \"refresh_token\"; refresh_token_file = "
	    "\"refresh.token\"; scope = \"https://outlook.office365.com/"
	    "IMAP.AccessAsUser.All offline_access\"; };\n", &msgs, &c), 0);
	assert_int_equal(c->oauth2.grant, CONFIG_GRANT_REFRESH_TOKEN);
	assert_string_equal(c->oauth2.refresh_token_file, rt);
	assert_string_equal(c->oauth2.client_secret, "");
	config_free(c);
	free(msgs);

	conf_error("auth = \"oauth\";", "", "", "imap.auth must be");
	conf_error("auth = \"xoauth2\";", "", "", "needs an oauth2 group");
	conf_error("password = \"pw\";", "auth = \"xoauth2\";", cc,
	    "needs smtp.user");
	conf_error("auth = \"xoauth2\"; password = \"pw\";", "", cc,
	    "remove imap.password");
	conf_error("password = \"pw\";", "", cc, "neither imap.auth nor");
	conf_error("auth = \"xoauth2\";", "", "oauth2 = { token_url = "
	    "\"https://x/t\"; client_id = \"a\"; client_secret = \"s\"; "
	    "tenant = \"t\"; };\n", "unknown key \"tenant\" in oauth2");
	conf_error("auth = \"xoauth2\";", "", "oauth2 = { token_url = "
	    "\"http://login.example/t\"; client_id = \"a\"; client_secret = "
	    "\"s\"; };\n", "must start with https://");
	conf_error("auth = \"xoauth2\";", "", "oauth2 = { token_url = "
	    "\"https://x/t\"; client_id = \"a\"; };\n",
	    "needs client_secret or client_secret_file");
	conf_error("auth = \"xoauth2\";", "", "oauth2 = { token_url = "
	    "\"https://x/t\"; client_id = \"a\"; client_secret = \"s\"; "
	    "client_secret_file = \"client.secret\"; };\n", "not both");
	conf_error("auth = \"xoauth2\";", "", "oauth2 = { token_url = "
	    "\"https://x/t\"; client_id = \"a\"; grant = \"password\"; };\n",
	    "oauth2.grant must be");
	conf_error("auth = \"xoauth2\";", "", "oauth2 = { token_url = "
	    "\"https://x/t\"; client_id = \"a\"; grant = \"refresh_token\"; "
	    "};\n", "needs refresh_token_file");
	conf_error("auth = \"xoauth2\";", "", "oauth2 = { token_url = "
	    "\"https://x/t\"; client_id = \"a\"; client_secret = \"s\"; "
	    "refresh_token_file = \"refresh.token\"; };\n",
	    "only used with grant");
	conf_error("auth = \"xoauth2\";", "", "oauth2 = { client_id = \"a\"; "
	    "client_secret = \"s\"; };\n", "missing required key \"token_url\"");
	write_file(sec, "cl-s3cret\n", 0640);
	conf_error("auth = \"xoauth2\";", "", cc, "readable by group or others");
	write_file(rt, "RT\n", 0644);
	conf_error("auth = \"xoauth2\";", "", "oauth2 = { token_url = "
	    "\"https://x/t\"; client_id = \"a\"; grant = \"refresh_token\"; "
	    "refresh_token_file = \"refresh.token\"; };\n",
	    "readable by group or others");
	unlink(sec);
	unlink(rt);
	free(sec);
	free(rt);
}

/* --- set-up ------------------------------------------------------------------ */

static int
setup(void **state)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd;

	(void)state;
	log_init(-1);
	if (mkdtemp(dir) == NULL)
		return -1;
	/* A loopback port nobody listens on. */
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl) == -1)
		return -1;
	snprintf(closed_url, sizeof(closed_url), "http://127.0.0.1:%d/token",
	    ntohs(sa.sin_port));
	close(fd);
	return 0;
}

static int
teardown(void **state)
{
	char *p = path_in("escbot.conf");

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
		cmocka_unit_test(test_json_strings),
		cmocka_unit_test(test_json_malformed),
		cmocka_unit_test(test_reply_ok),
		cmocka_unit_test(test_reply_errors),
		cmocka_unit_test(test_write_private),
		cmocka_unit_test(test_cache_validity),
		cmocka_unit_test(test_refresh_token_file),
		cmocka_unit_test(test_config_keys),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

/*
 * oauth: gets the OAuth 2.0 access tokens escbot logs in with (XOAUTH2) when
 * the mailbox is on Microsoft 365 / Exchange Online and basic auth is off.
 * A token is taken from memory or from the token_cache file while it has at
 * least five minutes left, else asked for at token_url with libcurl: a
 * form-encoded POST with the client_credentials grant (client id and secret)
 * or the refresh_token grant (the refresh token kept in refresh_token_file),
 * TLS always verified, connect and total timeouts set, redirects refused.
 * The JSON answer is read by a small strict parser of the top-level object
 * (no JSON library is needed for three fields).  A rotated refresh token and
 * the cache are replaced atomically (temporary file, fsync, rename) with
 * mode 0600, and files readable by group or others are refused.  Failures
 * are classed like IMAP ones: a revoked or expired grant, a wrong client or
 * secret, a wrong URL or a refused certificate are final (the administrator
 * must act); network trouble, timeouts and 5xx answers are temporary.
 * Tokens and secrets never reach a log line or an error string.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "log.h"
#include "oauth.h"
#include "smtp.h"
#include "util.h"

#define OAUTH_DEFAULT_TIMEOUT	30
#define OAUTH_CONNECT_TIMEOUT	10
#define OAUTH_MARGIN		300		/* seconds a token must have left */
#define OAUTH_DEFAULT_LIFETIME	600		/* when expires_in is missing */
#define OAUTH_MAX_LIFETIME	(366LL * 86400)
#define OAUTH_MAX_BODY		(64 * 1024)	/* endpoint answer */
#define OAUTH_MAX_FILE		(64 * 1024)	/* cache, refresh token */
#define OAUTH_MAX_TOKEN		(32 * 1024)
#define JSON_MAX_DEPTH		32
#define CACHE_MAGIC		"escbot-oauth2-cache 1"

/* The one token held in memory (escbot has one oauth2 group). */
static struct {
	char	*key;
	char	*token;
	time_t	 expires;
} mem;

static void
wipe_free(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

/* 1 if every byte is printable ASCII other than space: what may go into
 * a SASL line, a form field and a line of the cache file. */
static int
token_ok(const char *s)
{
	size_t n = 0;

	if (s == NULL || *s == '\0')
		return 0;
	for (; *s; s++, n++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return n <= OAUTH_MAX_TOKEN;
}

/* --- JSON: just enough to read a token endpoint's answer ---------------- */

struct jp {
	const char	*p;
	const char	*e;
};

static void
json_ws(struct jp *j)
{
	while (j->p < j->e && (*j->p == ' ' || *j->p == '\t' ||
	    *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int
json_hex4(struct jp *j, unsigned *v)
{
	unsigned x = 0;
	int i;
	char c;

	if (j->e - j->p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		c = *j->p++;
		x <<= 4;
		if (c >= '0' && c <= '9')
			x |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			x |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			x |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*v = x;
	return 0;
}

static void
utf8_add(struct strbuf *sb, unsigned cp)
{
	if (cp < 0x80)
		sb_addc(sb, (char)cp);
	else if (cp < 0x800) {
		sb_addc(sb, (char)(0xc0 | (cp >> 6)));
		sb_addc(sb, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		sb_addc(sb, (char)(0xe0 | (cp >> 12)));
		sb_addc(sb, (char)(0x80 | ((cp >> 6) & 0x3f)));
		sb_addc(sb, (char)(0x80 | (cp & 0x3f)));
	} else {
		sb_addc(sb, (char)(0xf0 | (cp >> 18)));
		sb_addc(sb, (char)(0x80 | ((cp >> 12) & 0x3f)));
		sb_addc(sb, (char)(0x80 | ((cp >> 6) & 0x3f)));
		sb_addc(sb, (char)(0x80 | (cp & 0x3f)));
	}
}

/* A string at j->p (on its opening quote), decoded into sb when sb is not
 * NULL.  \u0000 and lone surrogates are refused. */
static int
json_string(struct jp *j, struct strbuf *sb)
{
	unsigned char c;
	unsigned cp, lo;

	if (j->p >= j->e || *j->p != '"')
		return -1;
	j->p++;
	while (j->p < j->e) {
		c = (unsigned char)*j->p++;
		if (c == '"')
			return 0;
		if (c < 0x20)
			return -1;
		if (c != '\\') {
			if (sb != NULL)
				sb_addc(sb, (char)c);
			continue;
		}
		if (j->p >= j->e)
			return -1;
		c = (unsigned char)*j->p++;
		switch (c) {
		case '"': case '\\': case '/':
			break;
		case 'b': c = '\b'; break;
		case 'f': c = '\f'; break;
		case 'n': c = '\n'; break;
		case 'r': c = '\r'; break;
		case 't': c = '\t'; break;
		case 'u':
			if (json_hex4(j, &cp) == -1 || cp == 0 ||
			    (cp >= 0xdc00 && cp <= 0xdfff))
				return -1;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (j->e - j->p < 2 || j->p[0] != '\\' ||
				    j->p[1] != 'u')
					return -1;
				j->p += 2;
				if (json_hex4(j, &lo) == -1 || lo < 0xdc00 ||
				    lo > 0xdfff)
					return -1;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
			}
			if (sb != NULL)
				utf8_add(sb, cp);
			continue;
		default:
			return -1;
		}
		if (sb != NULL)
			sb_addc(sb, (char)c);
	}
	return -1;
}

static int
json_digits(struct jp *j)
{
	const char *s = j->p;

	while (j->p < j->e && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > s ? 0 : -1;
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int
json_number(struct jp *j)
{
	if (j->p < j->e && *j->p == '-')
		j->p++;
	if (j->p < j->e && *j->p == '0')
		j->p++;
	else if (json_digits(j) == -1)
		return -1;
	if (j->p < j->e && *j->p == '.') {
		j->p++;
		if (json_digits(j) == -1)
			return -1;
	}
	if (j->p < j->e && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->e && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (json_digits(j) == -1)
			return -1;
	}
	return 0;
}

static int
json_literal(struct jp *j, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(j->e - j->p) < n || memcmp(j->p, word, n) != 0)
		return -1;
	j->p += n;
	return 0;
}

/* Skip one value of any kind. */
static int
json_value(struct jp *j, int depth)
{
	char close;

	json_ws(j);
	if (j->p >= j->e || depth > JSON_MAX_DEPTH)
		return -1;
	switch (*j->p) {
	case '"':
		return json_string(j, NULL);
	case 't':
		return json_literal(j, "true");
	case 'f':
		return json_literal(j, "false");
	case 'n':
		return json_literal(j, "null");
	case '{':
	case '[':
		close = *j->p == '{' ? '}' : ']';
		j->p++;
		json_ws(j);
		if (j->p < j->e && *j->p == close) {
			j->p++;
			return 0;
		}
		for (;;) {
			if (close == '}') {
				json_ws(j);
				if (json_string(j, NULL) == -1)
					return -1;
				json_ws(j);
				if (j->p >= j->e || *j->p++ != ':')
					return -1;
			}
			if (json_value(j, depth + 1) == -1)
				return -1;
			json_ws(j);
			if (j->p >= j->e)
				return -1;
			if (*j->p == close) {
				j->p++;
				return 0;
			}
			if (*j->p++ != ',')
				return -1;
		}
	default:
		return json_number(j);
	}
}

int
oauth_json_field(const char *json, size_t len, const char *key, char **out)
{
	struct jp j = { json, json + len };
	struct strbuf sb = { 0 };
	const char *start;
	char *name, *val = NULL;
	int match;

	*out = NULL;
	json_ws(&j);
	if (j.p >= j.e || *j.p++ != '{')
		return -1;
	json_ws(&j);
	if (j.p < j.e && *j.p == '}')
		j.p++;
	else {
		for (;;) {
			json_ws(&j);
			if (json_string(&j, &sb) == -1)
				goto fail;
			name = sb_steal(&sb);
			match = val == NULL && strcmp(name, key) == 0;
			free(name);
			json_ws(&j);
			if (j.p >= j.e || *j.p++ != ':')
				goto fail;
			json_ws(&j);
			start = j.p;
			if (match && j.p < j.e && *j.p == '"') {
				if (json_string(&j, &sb) == -1)
					goto fail;
				val = sb_steal(&sb);
			} else {
				if (json_value(&j, 1) == -1)
					goto fail;
				if (match)
					val = xstrndup(start,
					    (size_t)(j.p - start));
			}
			json_ws(&j);
			if (j.p >= j.e)
				goto fail;
			if (*j.p == '}') {
				j.p++;
				break;
			}
			if (*j.p++ != ',')
				goto fail;
		}
	}
	json_ws(&j);
	if (j.p != j.e)
		goto fail;
	*out = val;
	return val != NULL;

fail:
	if (sb.buf != NULL)
		explicit_bzero(sb.buf, sb.len);
	sb_reset(&sb);
	wipe_free(val);
	return -1;
}

/* --- the endpoint's answer ---------------------------------------------- */

void
oauth_reply_free(struct oauth_reply *r)
{
	if (r == NULL)
		return;
	wipe_free(r->access_token);
	wipe_free(r->refresh_token);
	r->access_token = r->refresh_token = NULL;
}

/* "3599" (a number, or a string as some endpoints send) to seconds. */
static long long
parse_seconds(const char *s)
{
	long long v = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > OAUTH_MAX_LIFETIME)
			return OAUTH_MAX_LIFETIME;
		v = v * 10 + (*s - '0');
	}
	return v > OAUTH_MAX_LIFETIME ? OAUTH_MAX_LIFETIME : v;
}

static int
is_grant_error(const char *e)
{
	return e != NULL && (strcmp(e, "invalid_grant") == 0 ||
	    strcmp(e, "unauthorized_client") == 0 ||
	    strcmp(e, "invalid_client") == 0);
}

int
oauth_parse_reply(long status, const char *body, size_t len,
    struct oauth_reply *out, char *err, size_t errlen)
{
	char *error = NULL, *desc = NULL, *type = NULL, *exp = NULL;
	int rc = OAUTH_ERR_TEMP, json;

	memset(out, 0, sizeof(*out));
	out->expires_in = -1;
	if (body == NULL)
		len = 0;
	if (status >= 200 && status <= 299) {
		json = len > 0 ? oauth_json_field(body, len, "access_token",
		    &out->access_token) : -1;
		if (json == -1) {
			errf(err, errlen, "oauth2: token endpoint answered "
			    "HTTP %ld without a JSON object", status);
			goto fail;
		}
		if (json == 0 || !token_ok(out->access_token)) {
			errf(err, errlen, "oauth2: token endpoint answered "
			    "HTTP %ld without a usable access_token", status);
			goto fail;
		}
		if (oauth_json_field(body, len, "token_type", &type) == 1 &&
		    str_casecmp(type, "Bearer") != 0) {
			rc = OAUTH_ERR_FINAL;
			errf(err, errlen, "oauth2: token endpoint issued a "
			    "\"%.40s\" token, not a Bearer token", type);
			goto fail;
		}
		if (oauth_json_field(body, len, "expires_in", &exp) == 1)
			out->expires_in = parse_seconds(exp);
		if (oauth_json_field(body, len, "refresh_token",
		    &out->refresh_token) == 1 &&
		    !token_ok(out->refresh_token)) {
			errf(err, errlen, "oauth2: token endpoint sent a "
			    "malformed refresh_token");
			goto fail;
		}
		rc = OAUTH_OK;
		goto fail;
	}
	if (len > 0 && oauth_json_field(body, len, "error", &error) == 1)
		(void)oauth_json_field(body, len, "error_description", &desc);
	if (status == 0 || status == 408 || status == 429 || status >= 500) {
		errf(err, errlen, "oauth2: token endpoint answered HTTP %ld"
		    "%s%.40s%s%.160s; will retry", status, error ? " " : "",
		    error ? error : "", desc ? ": " : "", desc ? desc : "");
		goto fail;
	}
	rc = OAUTH_ERR_FINAL;
	if (status >= 400 && status <= 499 && is_grant_error(error))
		errf(err, errlen, "oauth2: grant expired or revoked: "
		    "re-authorise escbot (token endpoint said %s%s%.160s)",
		    error, desc ? ": " : "", desc ? desc : "");
	else if (status >= 400 && status <= 499 && error != NULL)
		errf(err, errlen, "oauth2: token endpoint refused the "
		    "request (HTTP %ld, %.40s%s%.160s): check the oauth2 "
		    "settings", status, error, desc ? ": " : "",
		    desc ? desc : "");
	else
		errf(err, errlen, "oauth2: token endpoint answered HTTP "
		    "%ld: check oauth2.token_url", status);
fail:
	if (rc != OAUTH_OK) {
		oauth_reply_free(out);
		out->expires_in = -1;
	}
	free(error);
	free(desc);
	free(type);
	free(exp);
	return rc;
}

/* --- files ---------------------------------------------------------------- */

static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t r;

	while (len > 0) {
		r = write(fd, p, len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

int
oauth_write_private(const char *path, const char *data, size_t len,
    char *err, size_t errlen)
{
	char *tmp, *dcopy = NULL;
	int fd, dfd, rc = -1;

	tmp = xasprintf("%s.tmpXXXXXX", path);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		errf(err, errlen, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	if (fchmod(fd, S_IRUSR | S_IWUSR) == -1 ||
	    write_all(fd, data, len) == -1 || fsync(fd) == -1) {
		errf(err, errlen, "%s: %s", tmp, strerror(errno));
		close(fd);
		goto fail;
	}
	if (close(fd) == -1) {
		errf(err, errlen, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (rename(tmp, path) == -1) {
		errf(err, errlen, "rename to %s: %s", path, strerror(errno));
		goto fail;
	}
	/* The rename itself must survive a crash too. */
	dcopy = xstrdup(path);
	if ((dfd = open(dirname(dcopy), O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) != -1) {
		(void)fsync(dfd);
		close(dfd);
	}
	rc = 0;
fail:
	if (rc == -1)
		(void)unlink(tmp);
	free(dcopy);
	free(tmp);
	return rc;
}

/*
 * A private file's contents: must be a regular file not accessible by
 * group or others (checked on the open descriptor).  Returns 0, -1 with
 * errno (ENOENT: no such file), or -2 when the mode is too open.
 */
static int
read_private(const char *path, char **out)
{
	struct strbuf sb = { 0 };
	struct stat st;
	char buf[4096];
	ssize_t r;
	int fd, rc = -1;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		return -1;
	if (fstat(fd, &st) == -1)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		rc = -2;
		goto fail;
	}
	for (;;) {
		r = read(fd, buf, sizeof(buf));
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			goto fail;
		if (r == 0)
			break;
		if (sb.len + (size_t)r > OAUTH_MAX_FILE) {
			errno = EFBIG;
			goto fail;
		}
		sb_add(&sb, buf, (size_t)r);
	}
	explicit_bzero(buf, sizeof(buf));
	*out = sb_steal(&sb);
	rc = 0;
fail:
	if (rc != 0 && sb.buf != NULL) {
		explicit_bzero(sb.buf, sb.len);
		sb_reset(&sb);
	}
	close(fd);
	return rc;
}

/* --- the cache ------------------------------------------------------------ */

/* 1 if s is 1 to max decimal digits. */
static int
all_digits(const char *s, size_t max)
{
	size_t n = strspn(s, "0123456789");

	return n > 0 && n <= max && s[n] == '\0';
}

/* What the cached token is for: a config change must not reuse it. */
static char *
cache_key(const struct oauth_params *p)
{
	const char *parts[4];
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */
	size_t i;
	const char *s;

	parts[0] = p->token_url;
	parts[1] = p->client_id;
	parts[2] = p->scope ? p->scope : "";
	parts[3] = p->grant == OAUTH_GRANT_REFRESH_TOKEN ? "refresh_token" :
	    "client_credentials";
	for (i = 0; i < 4; i++) {
		for (s = parts[i]; *s; s++) {
			h ^= (unsigned char)*s;
			h *= 0x100000001b3ULL;
		}
		h ^= 0xff;
		h *= 0x100000001b3ULL;
	}
	return xasprintf("%016llx", (unsigned long long)h);
}

static void
mem_clear(void)
{
	free(mem.key);
	wipe_free(mem.token);
	mem.key = mem.token = NULL;
	mem.expires = 0;
}

static void
mem_set(const char *key, const char *token, time_t expires)
{
	mem_clear();
	mem.key = xstrdup(key);
	mem.token = xstrdup(token);
	mem.expires = expires;
}

/* The token of the cache file when it is for `key`: 0 and *token, or -1. */
static int
cache_read(const char *path, const char *key, char **token, time_t *expires)
{
	char *data = NULL, *line, *save = NULL, *tok = NULL;
	long long exp = -1;
	int n = 0, r, rc = -1;

	*token = NULL;
	r = read_private(path, &data);
	if (r == -2) {
		log_warnx("oauth2: token_cache %s is accessible by group or "
		    "others; not using it (it will be rewritten mode 600)",
		    path);
		return -1;
	}
	if (r == -1) {
		if (errno != ENOENT)
			log_warnx("oauth2: token_cache %s: %s", path,
			    strerror(errno));
		return -1;
	}
	for (line = strtok_r(data, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save), n++) {
		if (n == 0 && strcmp(line, CACHE_MAGIC) != 0)
			goto fail;
		else if (strncmp(line, "key ", 4) == 0 &&
		    strcmp(line + 4, key) != 0)
			goto fail;
		else if (strncmp(line, "expires ", 8) == 0)
			exp = all_digits(line + 8, 18) ?
			    strtoll(line + 8, NULL, 10) : -1;
		else if (strncmp(line, "access_token ", 13) == 0 &&
		    tok == NULL)
			tok = xstrdup(line + 13);
	}
	if (n < 4 || exp < 0 || !token_ok(tok))
		goto fail;
	*token = tok;
	*expires = (time_t)exp;
	tok = NULL;
	rc = 0;
fail:
	if (rc == -1)
		log_debug("oauth2: token_cache %s not usable; asking the "
		    "endpoint", path);
	wipe_free(tok);
	wipe_free(data);
	return rc;
}

int
oauth_cache_put(const struct oauth_params *p, const char *token,
    time_t expires, char *err, size_t errlen)
{
	char *key, *text;
	int rc = 0;

	if (!token_ok(token)) {
		errf(err, errlen, "oauth2: malformed access token");
		return -1;
	}
	key = cache_key(p);
	mem_set(key, token, expires);
	if (p->token_cache != NULL && p->token_cache[0] != '\0') {
		text = xasprintf("%s\nkey %s\nexpires %lld\naccess_token %s\n",
		    CACHE_MAGIC, key, (long long)expires, token);
		rc = oauth_write_private(p->token_cache, text, strlen(text),
		    err, errlen);
		wipe_free(text);
	}
	free(key);
	return rc;
}

void
oauth_forget(const struct oauth_params *p)
{
	char *key = cache_key(p);

	if (mem.key != NULL && strcmp(mem.key, key) == 0)
		mem_clear();
	free(key);
	if (p->token_cache != NULL && p->token_cache[0] != '\0' &&
	    unlink(p->token_cache) == -1 && errno != ENOENT)
		log_warnx("oauth2: token_cache %s: %s", p->token_cache,
		    strerror(errno));
}

void
oauth_reset(void)
{
	mem_clear();
}

/* --- the request ---------------------------------------------------------- */

static size_t
body_cb(char *ptr, size_t size, size_t n, void *arg)
{
	struct strbuf *sb = arg;
	size_t len = size * n;

	if (sb->len + len > OAUTH_MAX_BODY)
		return 0;	/* curl stops with CURLE_WRITE_ERROR */
	sb_add(sb, ptr, len);
	return len;
}

static void
form_add(struct strbuf *sb, CURL *curl, const char *name, const char *value)
{
	char *v;

	if ((v = curl_easy_escape(curl, value, 0)) == NULL)
		fatalx("oauth2: out of memory");
	if (sb->len > 0)
		sb_addc(sb, '&');
	sb_adds(sb, name);
	sb_addc(sb, '=');
	sb_adds(sb, v);
	explicit_bzero(v, strlen(v));
	curl_free(v);
}

/* "https" for any host, "http" too when the host is loopback (tests);
 * NULL with err set when the URL is not usable. */
static const char *
url_protocols(const char *url, char *err, size_t errlen)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL;
	const char *proto = NULL;

	if ((u = curl_url()) == NULL)
		fatalx("oauth2: out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		errf(err, errlen, "oauth2: token_url is not a URL");
		goto fail;
	}
	if (str_casecmp(scheme, "https") == 0)
		proto = "https";
	else if (str_casecmp(scheme, "http") == 0 && host_is_loopback(host))
		proto = "http";
	else
		errf(err, errlen, "oauth2: token_url must be https://");
fail:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return proto;
}

/* The refresh token of refresh_token_file (first line). */
static int
read_refresh_token(const struct oauth_params *p, char **out, char *err,
    size_t errlen)
{
	char *data = NULL;
	int r;

	*out = NULL;
	r = read_private(p->refresh_token_file, &data);
	if (r == -2) {
		errf(err, errlen, "oauth2: refresh_token_file %s is "
		    "accessible by group or others; chmod 600 it",
		    p->refresh_token_file);
		return OAUTH_ERR_FINAL;
	}
	if (r == -1) {
		errf(err, errlen, "oauth2: refresh_token_file %s: %s",
		    p->refresh_token_file, strerror(errno));
		return errno == ENOENT || errno == EACCES || errno == EINVAL ?
		    OAUTH_ERR_FINAL : OAUTH_ERR_TEMP;
	}
	data[strcspn(data, "\r\n")] = '\0';
	str_trim(data);
	if (!token_ok(data)) {
		errf(err, errlen, "oauth2: refresh_token_file %s holds no "
		    "refresh token: re-authorise escbot",
		    p->refresh_token_file);
		wipe_free(data);
		return OAUTH_ERR_FINAL;
	}
	*out = data;
	return OAUTH_OK;
}

/* An error text must not carry a secret, even if an endpoint echoed it. */
static void
redact(char *err, size_t errlen, const char *secret)
{
	if (err == NULL || errlen == 0 || secret == NULL ||
	    strlen(secret) < 6 || strstr(err, secret) == NULL)
		return;
	errf(err, errlen, "oauth2: token endpoint refused the request "
	    "(its answer quoted a secret and is not shown)");
}

/* POST the grant to token_url and read the answer. */
static int
request_token(const struct oauth_params *p, const char *refresh,
    struct oauth_reply *reply, char *err, size_t errlen)
{
	char errbuf[CURL_ERROR_SIZE];
	struct strbuf form = { 0 }, body = { 0 };
	struct curl_slist *hdrs = NULL;
	const char *proto;
	CURL *curl = NULL;
	CURLcode cc;
	long status = 0, timeout;
	int rc = OAUTH_ERR_FINAL;

	memset(reply, 0, sizeof(*reply));
	errbuf[0] = '\0';
	if ((proto = url_protocols(p->token_url, err, errlen)) == NULL)
		goto fail;
	if ((curl = curl_easy_init()) == NULL) {
		rc = OAUTH_ERR_TEMP;
		errf(err, errlen, "oauth2: curl_easy_init failed");
		goto fail;
	}
	if (p->grant == OAUTH_GRANT_REFRESH_TOKEN) {
		form_add(&form, curl, "grant_type", "refresh_token");
		form_add(&form, curl, "refresh_token", refresh);
	} else
		form_add(&form, curl, "grant_type", "client_credentials");
	form_add(&form, curl, "client_id", p->client_id);
	if (p->client_secret != NULL && p->client_secret[0] != '\0')
		form_add(&form, curl, "client_secret", p->client_secret);
	if (p->scope != NULL && p->scope[0] != '\0')
		form_add(&form, curl, "scope", p->scope);
	if ((hdrs = curl_slist_append(NULL, "Accept: application/json")) ==
	    NULL)
		fatalx("oauth2: out of memory");
	timeout = p->timeout > 0 ? p->timeout : OAUTH_DEFAULT_TIMEOUT;

	curl_easy_setopt(curl, CURLOPT_URL, p->token_url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, proto);
	curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT,
	    timeout < OAUTH_CONNECT_TIMEOUT ? timeout : OAUTH_CONNECT_TIMEOUT);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, timeout);
	smtp_curl_verify(curl, p->ca_file);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "escbot");
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, form.buf);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)form.len);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, body_cb);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);

	cc = curl_easy_perform(curl);
	if (cc != CURLE_OK) {
		const char *why = errbuf[0] ? errbuf : curl_easy_strerror(cc);

		if (smtp_curl_cert_error(cc))
			errf(err, errlen, "oauth2: token endpoint "
			    "certificate refused (administrator: fix "
			    "oauth2.ca_file or the server's certificate): %s",
			    why);
		else if (cc == CURLE_UNSUPPORTED_PROTOCOL ||
		    cc == CURLE_URL_MALFORMAT)
			errf(err, errlen, "oauth2: token_url: %s", why);
		else {
			rc = OAUTH_ERR_TEMP;
			errf(err, errlen, "oauth2: token endpoint "
			    "unreachable: %s (curl %d); will retry", why,
			    (int)cc);
		}
		goto fail;
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	rc = oauth_parse_reply(status, body.buf, body.len, reply, err,
	    errlen);
	if (rc != OAUTH_OK) {
		redact(err, errlen, p->client_secret);
		redact(err, errlen, refresh);
	}
fail:
	if (form.buf != NULL)
		explicit_bzero(form.buf, form.len);
	if (body.buf != NULL)
		explicit_bzero(body.buf, body.len);
	sb_reset(&form);
	sb_reset(&body);
	curl_slist_free_all(hdrs);
	if (curl != NULL)
		curl_easy_cleanup(curl);
	return rc;
}

static int
check_params(const struct oauth_params *p, char *err, size_t errlen)
{
	if (p->token_url == NULL || p->token_url[0] == '\0' ||
	    p->client_id == NULL || p->client_id[0] == '\0') {
		errf(err, errlen, "oauth2: token_url and client_id are "
		    "required");
		return -1;
	}
	if (p->grant == OAUTH_GRANT_REFRESH_TOKEN &&
	    (p->refresh_token_file == NULL || p->refresh_token_file[0] == '\0')) {
		errf(err, errlen, "oauth2: the refresh_token grant needs "
		    "refresh_token_file");
		return -1;
	}
	if (p->grant == OAUTH_GRANT_CLIENT_CREDENTIALS &&
	    (p->client_secret == NULL || p->client_secret[0] == '\0')) {
		errf(err, errlen, "oauth2: the client_credentials grant "
		    "needs a client secret");
		return -1;
	}
	return 0;
}

int
oauth_token(const struct oauth_params *p, time_t now, char **token,
    char *err, size_t errlen)
{
	struct oauth_reply reply = { 0 };
	char *key = NULL, *cached = NULL, *refresh = NULL, *text;
	char werr[256];
	time_t expires;
	long long life;
	int rc = OAUTH_ERR_FINAL;

	*token = NULL;
	if (check_params(p, err, errlen) == -1)
		return OAUTH_ERR_FINAL;
	key = cache_key(p);
	if (mem.key != NULL && strcmp(mem.key, key) == 0 &&
	    mem.expires - now >= OAUTH_MARGIN) {
		*token = xstrdup(mem.token);
		rc = OAUTH_OK;
		goto fail;
	}
	if (p->token_cache != NULL && p->token_cache[0] != '\0' &&
	    cache_read(p->token_cache, key, &cached, &expires) == 0 &&
	    expires - now >= OAUTH_MARGIN) {
		mem_set(key, cached, expires);
		*token = cached;
		cached = NULL;
		log_debug("oauth2: access token from %s", p->token_cache);
		rc = OAUTH_OK;
		goto fail;
	}
	if (p->grant == OAUTH_GRANT_REFRESH_TOKEN &&
	    (rc = read_refresh_token(p, &refresh, err, errlen)) != OAUTH_OK)
		goto fail;
	if ((rc = request_token(p, refresh, &reply, err, errlen)) != OAUTH_OK)
		goto fail;

	if (p->grant == OAUTH_GRANT_REFRESH_TOKEN &&
	    reply.refresh_token != NULL &&
	    strcmp(reply.refresh_token, refresh) != 0) {
		/* The old one may stop working soon: keep the new one. */
		text = xasprintf("%s\n", reply.refresh_token);
		if (oauth_write_private(p->refresh_token_file, text,
		    strlen(text), werr, sizeof(werr)) == -1)
			log_warnx("oauth2: the token endpoint rotated the "
			    "refresh token but it could not be saved: %s",
			    werr);
		else
			log_info("oauth2: new refresh token saved to %s",
			    p->refresh_token_file);
		wipe_free(text);
	}
	life = reply.expires_in >= 0 ? reply.expires_in :
	    OAUTH_DEFAULT_LIFETIME;
	expires = now + (time_t)life;
	if (oauth_cache_put(p, reply.access_token, expires, werr,
	    sizeof(werr)) == -1)
		log_warnx("oauth2: token_cache not written: %s", werr);
	log_info("oauth2: new access token, valid for %lld min",
	    life / 60);
	*token = xstrdup(reply.access_token);
	rc = OAUTH_OK;
fail:
	if (rc == OAUTH_OK && err != NULL && errlen > 0)
		err[0] = '\0';
	oauth_reply_free(&reply);
	wipe_free(refresh);
	wipe_free(cached);
	free(key);
	return rc;
}

int
oauth_token_until(const struct oauth_params *p, time_t now, char **token,
    time_t *until, char *err, size_t errlen)
{
	int rc = oauth_token(p, now, token, err, errlen);

	/* Every token handed out has just been put in memory. */
	*until = rc == OAUTH_OK ? mem.expires : 0;
	return rc;
}

/*
 * config: reads escbot.conf.  The reader is strict on purpose: a typo in a
 * key name would otherwise leave a safeguarding mailbox unwatched or a
 * certificate check silently off, so unknown keys are errors and every
 * error is reported, with its line, before escbot refuses to start.
 */
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "cfg.h"
#include "config.h"
#include "docx.h"
#include "util.h"

static const char *const top_keys[] = {
	"database", "rules_dir", "templates_dir", "directory",
	"allowed_sender_domains", "imap", "smtp", "holidays",
	"working_hours", "poll_interval", "authserv_id", "sender_authentication",
	"max_message_size",
	"max_replies_per_sender_per_day", "digest",
	"max_emails_per_recipient_per_day", "retention_months", "limits",
	"admin_email", "admin_name", "oauth2", "personal_to", NULL
};
static const char *const limit_keys[] = { "attachment_size", "mime_parts",
	"field_length", "docx_unpacked_size", "docx_ratio", NULL };
static const char *const digest_keys[] = { "recipients", "periods",
    "year_start", "csv_attachment_max", NULL };
static const char *const imap_keys[] = {
	"host", "port", "tls", "user", "password", "password_file", "ca_file",
	"folder", "processed_folder", "rejected_folder", "timeout",
	"allow_plaintext", "auth", "batch", NULL
};
static const char *const smtp_keys[] = {
	"url", "user", "password", "password_file", "from", "ca_file",
	"starttls", "timeout", "retry_min", "retry_max", "allow_plaintext",
	"auth", NULL
};
static const char *const oauth2_keys[] = {
	"token_url", "client_id", "client_secret", "client_secret_file",
	"scope", "grant", "refresh_token_file", "token_cache", "ca_file", NULL
};

#ifndef ESCBOT_DATADIR		/* the Makefile's $(PREFIX)/share/escbot */
#define ESCBOT_DATADIR	"/usr/local/share/escbot"
#endif
#define HOLIDAYS_FILE	"bank-holidays-england-wales.txt"

#define OAUTH2_DEFAULT_SCOPE	"https://outlook.office365.com/.default"
static const char *const hours_keys[] = { "start", "end", NULL };

char *
config_addr_spec(const char *s)
{
	return addr_spec(s);
}

int
config_domain_allowed(const struct config *c, const char *addr)
{
	const char *dom = addr_domain(addr);

	for (size_t i = 0; dom != NULL && i < c->nallowed; i++)
		if (addr_domain_matches(dom, c->allowed_domains[i]))
			return 1;
	return 0;
}

static int
parse_hhmm(const char *s, int *min)
{
	int h, m;
	char extra;

	if (s == NULL || sscanf(s, "%d:%d%c", &h, &m, &extra) != 2)
		return -1;
	if (h < 0 || h > 23 || m < 0 || m > 59)
		return -1;
	*min = h * 60 + m;
	return 0;
}

/* digest.year_start: the month the financial year starts, by name
 * ("April") or number (4). */
static void
load_year_start(struct config *c, const config_setting_t *g,
    const char *path, struct diag *d)
{
	static const char *const months[] = { "january", "february", "march",
	    "april", "may", "june", "july", "august", "september", "october",
	    "november", "december" };
	config_setting_t *s = config_setting_get_member(g, "year_start");
	const char *v;

	if (s == NULL)
		return;
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		c->digest.year_start = cfg_int(g, "year_start", 0, 4, 1, 12, path,
		    d);
		return;
	}
	v = config_setting_get_string(s);
	for (int i = 0; i < 12; i++)
		if (str_casecmp(v, months[i]) == 0) {
			c->digest.year_start = i + 1;
			return;
		}
	diag_error(d, path, cfg_line(s), "digest.year_start: \"%s\" is not a "
	    "month (\"April\", or 1 to 12)", v);
}

/* The secret is `key` (password), or the first line of `key`_file, which
 * must not be readable by group or others. */
static char *
read_secret_key(const config_setting_t *g, const char *what, const char *key,
    const char *dir, const char *file, struct diag *d)
{
	config_setting_t *pf;
	struct stat st;
	char *path, *data = NULL, *nl, *fkey;

	if (g == NULL)
		return xstrdup("");
	fkey = xasprintf("%s_file", key);
	pf = config_setting_get_member(g, fkey);
	if (pf == NULL) {
		free(fkey);
		return cfg_string(g, key, 0, "", file, d);
	}
	if (config_setting_get_member(g, key) != NULL)
		diag_error(d, file, cfg_line(pf),
		    "%s: give %s or %s, not both", what, key, fkey);
	if (config_setting_type(pf) != CONFIG_TYPE_STRING) {
		diag_error(d, file, cfg_line(pf), "%s.%s must be a string",
		    what, fkey);
		free(fkey);
		return xstrdup("");
	}
	path = cfg_path(dir, config_setting_get_string(pf));
	if (stat(path, &st) == -1 || file_read_all(path, &data, NULL) == -1) {
		diag_error(d, file, cfg_line(pf), "%s.%s %s: %s",
		    what, fkey, path, strerror(errno));
		free(path);
		free(fkey);
		return xstrdup("");
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO))
		diag_error(d, file, cfg_line(pf),
		    "%s.%s %s is readable by group or others; chmod 600 it",
		    what, fkey, path);
	if ((nl = strpbrk(data, "\r\n")) != NULL)
		*nl = '\0';
	if (data[0] == '\0')
		diag_error(d, file, cfg_line(pf), "%s.%s %s is empty: its first "
		    "line is the secret", what, fkey, path);
	free(path);
	free(fkey);
	return data;
}

static char *
read_secret(const config_setting_t *g, const char *what, const char *dir,
    const char *file, struct diag *d)
{
	return read_secret_key(g, what, "password", dir, file, d);
}

/* imap.auth / smtp.auth: "password" (the default) or "xoauth2". */
static enum config_auth
load_auth(const config_setting_t *g, const char *what, const char *file,
    struct diag *d)
{
	enum config_auth a = CONFIG_AUTH_PASSWORD;
	char *v;

	if (g == NULL)
		return a;
	v = cfg_string(g, "auth", 0, "password", file, d);
	if (strcmp(v, "xoauth2") == 0)
		a = CONFIG_AUTH_XOAUTH2;
	else if (strcmp(v, "password") != 0)
		diag_error(d, file, cfg_line(config_setting_get_member(g,
		    "auth")), "%s.auth must be \"password\" or \"xoauth2\", "
		    "not \"%s\"", what, v);
	if (a == CONFIG_AUTH_XOAUTH2 &&
	    (config_setting_get_member(g, "password") != NULL ||
	    config_setting_get_member(g, "password_file") != NULL))
		diag_error(d, file, cfg_line(config_setting_get_member(g,
		    "auth")), "%s.auth = \"xoauth2\" logs in with an OAuth "
		    "token: remove %s.password / %s.password_file", what, what,
		    what);
	free(v);
	return a;
}

/* Host part of an smtp(s):// URL, into buf. */
static void
url_host(const char *url, char *buf, size_t len)
{
	const char *p = strstr(url, "://"), *e;

	buf[0] = '\0';
	if (p == NULL)
		return;
	p += 3;
	if ((e = strchr(p, '@')) != NULL && e < p + strcspn(p, "/"))
		p = e + 1;
	e = p + strcspn(p, *p == '[' ? "]" : ":/");
	if (*p == '[')
		p++;
	if ((size_t)(e - p) < len) {
		memcpy(buf, p, (size_t)(e - p));
		buf[e - p] = '\0';
	}
}

/* An optional path key of `g`, made absolute; "" when absent or empty. */
static char *
opt_path(const config_setting_t *g, const char *key, struct config *c,
    struct diag *d)
{
	char *v = cfg_string(g, key, 0, "", c->file, d), *p;

	if (v[0] == '\0')
		return v;
	p = cfg_path(c->dir, v);
	free(v);
	return p;
}

/* Dovecot, Exchange and the rest all want a password: check-config says
 * so rather than the first login ("password_file" empty: read_secret). */
static void
check_imap_password(const struct config *c, const config_setting_t *g,
    struct diag *d)
{
	const config_setting_t *k = config_setting_get_member(g, "password");

	if (k == NULL && config_setting_get_member(g, "password_file") == NULL)
		diag_error(d, c->file, cfg_line(g), "imap needs password_file "
		    "(or password) to log in as %s, or auth = \"xoauth2\"",
		    c->imap.user);
	else if (k != NULL && c->imap.password[0] == '\0')
		diag_error(d, c->file, cfg_line(k), "imap.password is empty");
}

static void
load_imap(struct config *c, const config_setting_t *g, struct diag *d)
{
	const char *f = c->file;
	char *tls;
	int plain;

	cfg_check_keys(g, imap_keys, "imap", f, d);
	c->imap.host = cfg_string(g, "host", 1, "", f, d);
	tls = cfg_string(g, "tls", 0, "implicit", f, d);
	if (strcmp(tls, "implicit") == 0)
		c->imap.tls = CONFIG_TLS_IMPLICIT;
	else if (strcmp(tls, "starttls") == 0)
		c->imap.tls = CONFIG_TLS_STARTTLS;
	else if (strcmp(tls, "none") == 0)
		c->imap.tls = CONFIG_TLS_NONE;
	else
		diag_error(d, f, cfg_line(config_setting_get_member(g, "tls")),
		    "imap.tls must be \"implicit\", \"starttls\" or \"none\", not \"%s\"",
		    tls);
	c->imap.port = cfg_int(g, "port", 0,
	    c->imap.tls == CONFIG_TLS_IMPLICIT ? 993 : 143, 1, 65535, f, d);
	c->imap.user = cfg_string(g, "user", 1, "", f, d);
	c->imap.auth = load_auth(g, "imap", f, d);
	c->imap.password = read_secret(g, "imap", c->dir, f, d);
	if (g != NULL && c->imap.auth == CONFIG_AUTH_PASSWORD)
		check_imap_password(c, g, d);
	c->imap.ca_file = opt_path(g, "ca_file", c, d);
	c->imap.folder = cfg_string(g, "folder", 0, "INBOX", f, d);
	c->imap.processed_folder = cfg_string(g, "processed_folder", 0,
	    "Processed", f, d);
	c->imap.rejected_folder = cfg_string(g, "rejected_folder", 0,
	    "Rejected", f, d);
	c->imap.timeout = cfg_int(g, "timeout", 0, 60, 1, 3600, f, d);
	c->imap.batch = cfg_int(g, "batch", 0, 100, 1, 1000, f, d);
	plain = cfg_bool(g, "allow_plaintext", 0, f, d);
	if (c->imap.tls == CONFIG_TLS_NONE && !plain && !host_is_loopback(c->imap.host))
		diag_error(d, f, cfg_line(config_setting_get_member(g, "tls")),
		    "imap.tls = \"none\" sends the password in clear to %s; "
		    "set imap.allow_plaintext = true if you really mean it",
		    c->imap.host);
	free(tls);
}

static void
load_smtp(struct config *c, const config_setting_t *g, struct diag *d)
{
	const char *f = c->file;
	char host[256];
	int plain;

	cfg_check_keys(g, smtp_keys, "smtp", f, d);
	c->smtp.url = cfg_string(g, "url", 1, "", f, d);
	if (c->smtp.url[0] && strncmp(c->smtp.url, "smtp://", 7) != 0 &&
	    strncmp(c->smtp.url, "smtps://", 8) != 0)
		diag_error(d, f, cfg_line(config_setting_get_member(g, "url")),
		    "smtp.url must start with smtps:// or smtp://");
	c->smtp.user = cfg_string(g, "user", 0, "", f, d);
	c->smtp.auth = load_auth(g, "smtp", f, d);
	if (c->smtp.auth == CONFIG_AUTH_XOAUTH2 && c->smtp.user[0] == '\0')
		diag_error(d, f, cfg_line(config_setting_get_member(g, "auth")),
		    "smtp.auth = \"xoauth2\" needs smtp.user (the mailbox "
		    "escbot sends as)");
	c->smtp.password = read_secret(g, "smtp", c->dir, f, d);
	c->smtp.from = cfg_string(g, "from", 1, "", f, d);
	if (strpbrk(c->smtp.from, "\r\n") != NULL)
		diag_error(d, f, cfg_line(config_setting_get_member(g, "from")),
		    "smtp.from must be one line");
	else if (c->smtp.from[0] &&
	    (c->smtp.from_addr = config_addr_spec(c->smtp.from)) == NULL)
		diag_error(d, f, cfg_line(config_setting_get_member(g, "from")),
		    "smtp.from \"%s\" holds no email address", c->smtp.from);
	c->smtp.ca_file = opt_path(g, "ca_file", c, d);
	c->smtp.starttls = cfg_bool(g, "starttls", 1, f, d);
	c->smtp.timeout = cfg_int(g, "timeout", 0, 60, 1, 3600, f, d);
	c->smtp.retry_min = cfg_int(g, "retry_min", 0, 60, 1, 86400, f, d);
	c->smtp.retry_max = cfg_int(g, "retry_max", 0, 3600, 1, 7 * 86400, f, d);
	plain = cfg_bool(g, "allow_plaintext", 0, f, d);
	url_host(c->smtp.url, host, sizeof(host));
	if (strncmp(c->smtp.url, "smtp://", 7) == 0 && !c->smtp.starttls &&
	    !plain && !host_is_loopback(host))
		diag_error(d, f, cfg_line(config_setting_get_member(g, "starttls")),
		    "smtp.starttls = false sends mail in clear to %s; "
		    "set smtp.allow_plaintext = true if you really mean it", host);
}

/* The oauth2 group (XOAUTH2 for Microsoft 365): where tokens come from. */
static void
load_oauth2(struct config *c, const config_setting_t *root, struct diag *d)
{
	const char *f = c->file;
	const config_setting_t *g, *k;
	struct stat st;
	char host[256], *grant, *dir, *tmp;
	int used = c->imap.auth == CONFIG_AUTH_XOAUTH2 ||
	    c->smtp.auth == CONFIG_AUTH_XOAUTH2;

	g = cfg_group(root, "oauth2", 0, 0, f, d);
	if (g == NULL) {
		if (used)
			diag_error(d, f, cfg_line(root), "%s.auth = \"xoauth2\" "
			    "needs an oauth2 group (token_url, client_id, ...)",
			    c->imap.auth == CONFIG_AUTH_XOAUTH2 ? "imap" :
			    "smtp");
		return;
	}
	c->oauth2.enabled = 1;
	if (!used)
		diag_error(d, f, cfg_line(g), "oauth2 is set but neither "
		    "imap.auth nor smtp.auth is \"xoauth2\"");
	cfg_check_keys(g, oauth2_keys, "oauth2", f, d);
	c->oauth2.token_url = cfg_string(g, "token_url", 1, "", f, d);
	url_host(c->oauth2.token_url, host, sizeof(host));
	if (c->oauth2.token_url[0] &&
	    strncmp(c->oauth2.token_url, "https://", 8) != 0 &&
	    !(strncmp(c->oauth2.token_url, "http://", 7) == 0 &&
	    host_is_loopback(host)))
		diag_error(d, f, cfg_line(config_setting_get_member(g,
		    "token_url")), "oauth2.token_url must start with https://");
	c->oauth2.client_id = cfg_string(g, "client_id", 1, "", f, d);
	if ((k = config_setting_get_member(g, "client_id")) != NULL &&
	    c->oauth2.client_id[0] == '\0')
		diag_error(d, f, cfg_line(k), "oauth2.client_id is empty");
	c->oauth2.client_secret = read_secret_key(g, "oauth2",
	    "client_secret", c->dir, f, d);
	c->oauth2.scope = cfg_string(g, "scope", 0, OAUTH2_DEFAULT_SCOPE, f,
	    d);
	grant = cfg_string(g, "grant", 0, "client_credentials", f, d);
	if (strcmp(grant, "client_credentials") == 0)
		c->oauth2.grant = CONFIG_GRANT_CLIENT_CREDENTIALS;
	else if (strcmp(grant, "refresh_token") == 0)
		c->oauth2.grant = CONFIG_GRANT_REFRESH_TOKEN;
	else
		diag_error(d, f, cfg_line(config_setting_get_member(g,
		    "grant")), "oauth2.grant must be \"client_credentials\" "
		    "or \"refresh_token\", not \"%s\"", grant);
	free(grant);
	if (c->oauth2.grant == CONFIG_GRANT_CLIENT_CREDENTIALS &&
	    c->oauth2.client_secret[0] == '\0')
		diag_error(d, f, cfg_line(g), "oauth2: the client_credentials "
		    "grant needs client_secret or client_secret_file");

	c->oauth2.refresh_token_file = opt_path(g, "refresh_token_file", c, d);
	k = config_setting_get_member(g, "refresh_token_file");
	if (c->oauth2.grant == CONFIG_GRANT_REFRESH_TOKEN) {
		if (c->oauth2.refresh_token_file[0] == '\0')
			diag_error(d, f, cfg_line(k ? k : g), "oauth2: "
			    "grant = \"refresh_token\" needs refresh_token_file");
		else if (stat(c->oauth2.refresh_token_file, &st) == -1)
			diag_error(d, f, cfg_line(k), "oauth2.refresh_token_file "
			    "%s: %s", c->oauth2.refresh_token_file,
			    strerror(errno));
		else if (!S_ISREG(st.st_mode))
			diag_error(d, f, cfg_line(k), "oauth2.refresh_token_file "
			    "%s is not a file", c->oauth2.refresh_token_file);
		else if (st.st_mode & (S_IRWXG | S_IRWXO))
			diag_error(d, f, cfg_line(k), "oauth2.refresh_token_file "
			    "%s is readable by group or others; chmod 600 it",
			    c->oauth2.refresh_token_file);
		else {
			/* Rotated tokens are written next to it. */
			tmp = xstrdup(c->oauth2.refresh_token_file);
			dir = dirname(tmp);
			if (access(dir, W_OK | X_OK) == -1)
				diag_error(d, f, cfg_line(k), "oauth2: folder %s "
				    "of refresh_token_file must be writable: %s",
				    dir, strerror(errno));
			free(tmp);
		}
	} else if (k != NULL)
		diag_error(d, f, cfg_line(k), "oauth2.refresh_token_file is "
		    "only used with grant = \"refresh_token\"");
	c->oauth2.token_cache = opt_path(g, "token_cache", c, d);
	if (c->oauth2.token_cache[0] != '\0' &&
	    c->oauth2.refresh_token_file[0] != '\0' &&
	    strcmp(c->oauth2.token_cache, c->oauth2.refresh_token_file) == 0)
		diag_error(d, f, cfg_line(g), "oauth2: token_cache and "
		    "refresh_token_file must be different files");
	c->oauth2.ca_file = opt_path(g, "ca_file", c, d);
}

static char *
path_key(const config_setting_t *root, const char *key, int required,
    const char *def, struct config *c, struct diag *d)
{
	char *v, *p;

	v = cfg_string(root, key, required, def, c->file, d);
	if (v == NULL)
		return NULL;
	p = cfg_path(c->dir, v);
	free(v);
	return p;
}

char *
config_data_dir(void)
{
	char exe[PATH_MAX], *slash, *cand[3] = { NULL, NULL, NULL };
	char *marker, *found = NULL;
	struct stat st;
	ssize_t n;

	cand[0] = xstrdup(ESCBOT_DATADIR);
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL)
			*slash = '\0';
		cand[1] = xasprintf("%s/../share/escbot", exe);
		cand[2] = xasprintf("%s/..", exe);
	}
	for (size_t i = 0; i < 3; i++) {
		if (found == NULL && cand[i] != NULL) {
			marker = xasprintf("%s/mail-templates", cand[i]);
			if (stat(marker, &st) == 0 && S_ISDIR(st.st_mode))
				found = realpath(cand[i], NULL);
			free(marker);
		}
		free(cand[i]);
	}
	return found ? found : xstrdup("");
}

/* The path key `key`: its value made absolute against the configuration's
 * folder (*line its line), or `def` in the data folder when it is not set
 * (*line 0; an error when there is no data folder). */
static char *
data_path_key(const config_setting_t *root, const char *key, const char *def,
    struct config *c, int *line, struct diag *d)
{
	const config_setting_t *s = config_setting_get_member(root, key);

	*line = cfg_line(s);
	if (s != NULL)
		return path_key(root, key, 1, "", c, d);
	*line = 0;
	if (c->datadir[0] == '\0') {
		diag_error(d, c->file, 0, "%s is not set, and escbot's data "
		    "folder is not in %s nor beside the program: set %s", key,
		    ESCBOT_DATADIR, key);
		return xstrdup("");
	}
	return xasprintf("%s/%s", c->datadir, def);
}

int
config_check_database(const struct config *c, struct diag *d)
{
	int errors0 = d->errors;
	char *tmp = xstrdup(c->database), *dir = dirname(tmp);
	struct stat st;

	if (stat(dir, &st) == -1)
		diag_error(d, c->file, c->line.database, "database %s: folder "
		    "%s: %s", c->database, dir, strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		diag_error(d, c->file, c->line.database, "database %s: %s is "
		    "not a folder", c->database, dir);
	else if (access(dir, W_OK | X_OK) == -1)
		diag_error(d, c->file, c->line.database, "database %s: folder "
		    "%s is not writable: %s", c->database, dir,
		    strerror(errno));
	free(tmp);
	return d->errors == errors0 ? 0 : -1;
}

/* database, and the paths that default to the data folder.  A holiday
 * file beside the configuration is taken before the shipped one (and is
 * the one calendar_load() says is missing when there is no data folder). */
static void
load_paths(struct config *c, const config_setting_t *root, struct diag *d)
{
	char *beside;

	c->datadir = config_data_dir();
	c->line.database = cfg_line(config_setting_get_member(root,
	    "database"));
	c->database = path_key(root, "database", 1, "", c, d);
	c->lock_file = xasprintf("%s.lock", c->database);
	c->rules_dir = data_path_key(root, "rules_dir", "rules", c,
	    &c->line.rules_dir, d);
	c->templates_dir = data_path_key(root, "templates_dir",
	    "mail-templates", c, &c->line.templates_dir, d);
	c->directory = data_path_key(root, "directory", "etc/partnerships",
	    c, &c->line.directory, d);
	beside = cfg_path(c->dir, HOLIDAYS_FILE);
	if (config_setting_get_member(root, "holidays") == NULL &&
	    (access(beside, F_OK) == 0 || c->datadir[0] == '\0')) {
		c->holidays = beside;
		return;
	}
	free(beside);
	c->holidays = data_path_key(root, "holidays", "etc/" HOLIDAYS_FILE, c,
	    &c->line.holidays, d);
}

static const char *const sender_auth_names[] = {
	[SENDER_AUTH_DMARC] = "dmarc", [SENDER_AUTH_STRICT] = "strict",
	[SENDER_AUTH_OFF] = "off",
};

const char *
config_sender_auth_name(enum config_sender_auth a)
{
	return sender_auth_names[a];
}

/* sender_authentication = "dmarc" | "strict" | "off" (default "dmarc"). */
static void
load_sender_auth(struct config *c, const config_setting_t *root,
    const char *path, struct diag *d)
{
	char *v = cfg_string(root, "sender_authentication", 0, "dmarc", path, d);
	size_t i;

	for (i = 0; i < sizeof(sender_auth_names) / sizeof(sender_auth_names[0]); i++)
		if (strcmp(v, sender_auth_names[i]) == 0)
			break;
	if (i == sizeof(sender_auth_names) / sizeof(sender_auth_names[0])) {
		diag_error(d, path, cfg_line(config_setting_get_member(root,
		    "sender_authentication")), "sender_authentication \"%s\": "
		    "use \"dmarc\", \"strict\" or \"off\"", v);
		i = SENDER_AUTH_DMARC;
	}
	c->sender_auth = (enum config_sender_auth)i;
	free(v);
}

/* personal_to: who the personal answers of a case's form may be emailed
 * to. */
static void
load_personal_to(struct config *c, const config_setting_t *root,
    const char *path, struct diag *d)
{
	char *v = cfg_string(root, "personal_to", 0, "stage_roles", path, d);

	if (strcmp(v, "stage_roles") == 0)
		c->personal_to = PERSONAL_TO_STAGE_ROLES;
	else if (strcmp(v, "nobody") == 0)
		c->personal_to = PERSONAL_TO_NOBODY;
	else {
		diag_error(d, path, cfg_line(config_setting_get_member(root,
		    "personal_to")), "personal_to \"%s\": use \"stage_roles\" "
		    "or \"nobody\"", v);
		c->personal_to = PERSONAL_TO_STAGE_ROLES;
	}
	free(v);
}

/* allowed_sender_domains: lower case, a leading "@" or "." dropped. */
static void
load_domains(struct config *c, const config_setting_t *root,
    const char *path, struct diag *d)
{
	char *s;
	size_t i;

	c->allowed_domains = cfg_strings(root, "allowed_sender_domains", 1,
	    &c->nallowed, path, d);
	for (i = 0; i < c->nallowed; i++) {
		for (s = c->allowed_domains[i]; *s; s++)
			*s = (char)tolower((unsigned char)*s);
		s = c->allowed_domains[i];
		if (*s == '@' || *s == '.')
			memmove(s, s + 1, strlen(s));
		if (*s == '\0' || strchr(s, '.') == NULL || strpbrk(s, " @"))
			diag_error(d, path, cfg_line(config_setting_get_member(root,
			    "allowed_sender_domains")),
			    "allowed_sender_domains: \"%s\" is not a domain", s);
	}
	if (c->nallowed == 0 &&
	    config_setting_get_member(root, "allowed_sender_domains") != NULL)
		diag_error(d, path, cfg_line(config_setting_get_member(root,
		    "allowed_sender_domains")),
		    "allowed_sender_domains is empty: nobody could open a case");
}

/* limits { ... } and working_hours { start; end; }. */
static void
load_limits(struct config *c, const config_setting_t *root,
    const char *path, struct diag *d)
{
	config_setting_t *g;

	g = cfg_group(root, "limits", 0, 0, path, d);
	cfg_check_keys(g, limit_keys, "limits", path, d);
	c->limits.attachment_size = cfg_int(g, "attachment_size", 0,
	    10 * 1024 * 1024, 1024, 1024 * 1024 * 1024, path, d);
	c->limits.mime_parts = cfg_int(g, "mime_parts", 0, 100, 1, 10000, path, d);
	c->limits.field_length = cfg_int(g, "field_length", 0, 20000, 100,
	    10000000, path, d);
	/* The default is docx.h's (docx_default_limits): one number. */
	c->limits.docx_unpacked = cfg_int(g, "docx_unpacked_size", 0,
	    (int)docx_default_limits.max_unpacked, 1024, 256 * 1024 * 1024,
	    path, d);
	c->limits.docx_ratio = cfg_int(g, "docx_ratio", 0,
	    (int)docx_default_limits.max_ratio, 2, 10000, path, d);
	c->work_open = 9 * 60;
	c->work_close = 17 * 60;
	if ((g = cfg_group(root, "working_hours", 0, 0, path, d)) != NULL) {
		char *a, *b;

		cfg_check_keys(g, hours_keys, "working_hours", path, d);
		a = cfg_string(g, "start", 0, "09:00", path, d);
		b = cfg_string(g, "end", 0, "17:00", path, d);
		if (parse_hhmm(a, &c->work_open) == -1 ||
		    parse_hhmm(b, &c->work_close) == -1 ||
		    c->work_open >= c->work_close)
			diag_error(d, path, cfg_line(g),
			    "working_hours: start and end must be \"HH:MM\", start before end");
		free(a);
		free(b);
	}
}

/* digest { recipients; periods; year_start; csv_attachment_max; }. */
static void
load_digest(struct config *c, const config_setting_t *root,
    const char *path, struct diag *d)
{
	config_setting_t *g;
	size_t i;

	c->digest.week = c->digest.quarter = c->digest.half_year = 1;
	c->digest.year_start = 4;
	c->digest.csv_max = DIGEST_CSV_MAX;
	if ((g = cfg_group(root, "digest", 0, 0, path, d)) != NULL) {
		char **periods;
		size_t np;

		load_year_start(c, g, path, d);
		c->digest.csv_max = cfg_int(g, "csv_attachment_max", 0,
		    DIGEST_CSV_MAX, 0, 25 * 1024 * 1024, path, d);
		cfg_check_keys(g, digest_keys, "digest", path, d);
		c->digest.recipients = cfg_strings(g, "recipients", 0,
		    &c->digest.nrecipients, path, d);
		for (i = 0; i < c->digest.nrecipients; i++) {
			char *a = config_addr_spec(c->digest.recipients[i]);

			if (a == NULL)
				diag_error(d, path, cfg_line(g), "digest.recipients: "
				    "\"%s\" is not an email address",
				    c->digest.recipients[i]);
			free(a);
		}
		if (config_setting_get_member(g, "periods") != NULL) {
			periods = cfg_strings(g, "periods", 0, &np, path, d);
			c->digest.week = c->digest.quarter = c->digest.half_year = 0;
			c->digest.year = 0;
			for (i = 0; i < np; i++) {
				if (strcmp(periods[i], "week") == 0)
					c->digest.week = 1;
				else if (strcmp(periods[i], "quarter") == 0)
					c->digest.quarter = 1;
				else if (strcmp(periods[i], "half-year") == 0)
					c->digest.half_year = 1;
				else if (strcmp(periods[i], "year") == 0)
					c->digest.year = 1;
				else
					diag_error(d, path, cfg_line(g), "digest.periods: "
					    "\"%s\" is not week, quarter, half-year or year",
					    periods[i]);
			}
			cfg_strings_free(periods);
		}
	}
	if (c->digest.recipients == NULL)
		c->digest.recipients = xcalloc(1, sizeof(char *));
}

int
config_load(const char *path, struct config **out, struct diag *d)
{
	struct config *c;
	config_t cf;
	config_setting_t *root, *g;
	char *tmp;
	int errors0 = d->errors;

	*out = NULL;
	c = xcalloc(1, sizeof(*c));
	c->file = xstrdup(path);
	tmp = xstrdup(path);
	c->dir = xstrdup(dirname(tmp));
	free(tmp);
	if (cfg_open(&cf, path, d) == -1) {
		config_destroy(&cf);
		config_free(c);
		return -1;
	}
	root = config_root_setting(&cf);
	cfg_check_keys(root, top_keys, NULL, path, d);

	load_paths(c, root, d);
	load_domains(c, root, path, d);
	c->authserv_id = cfg_string(root, "authserv_id", 0, "", path, d);
	load_sender_auth(c, root, path, d);
	load_personal_to(c, root, path, d);
	c->admin_email = cfg_string(root, "admin_email", 0, "", path, d);
	if (c->admin_email[0]) {
		char *a = config_addr_spec(c->admin_email);

		if (a == NULL || strpbrk(c->admin_email, "\r\n"))
			diag_error(d, path, cfg_line(config_setting_get_member(root,
			    "admin_email")), "admin_email \"%s\" is not an email "
			    "address", c->admin_email);
		free(a);
	}
	c->admin_name = cfg_string(root, "admin_name", 0,
	    "the escbot administrator", path, d);
	if (c->admin_name[0] == '\0' || strpbrk(c->admin_name, "\r\n"))
		diag_error(d, path, cfg_line(config_setting_get_member(root,
		    "admin_name")), "admin_name must be one line of text");
	c->poll_interval = cfg_int(root, "poll_interval", 0, 60, 5, 86400, path, d);
	c->max_message_size = cfg_int(root, "max_message_size", 0,
	    25 * 1024 * 1024, 1024, 1024 * 1024 * 1024, path, d);
	c->max_replies_per_sender_day = cfg_int(root,
	    "max_replies_per_sender_per_day", 0, 20, 1, 100000, path, d);

	c->max_emails_per_recipient_day = cfg_int(root,
	    "max_emails_per_recipient_per_day", 0, 100, 1, 100000, path, d);
	c->retention_months = cfg_int(root, "retention_months", 0, 24, 0, 1200,
	    path, d);
	load_limits(c, root, path, d);
	load_digest(c, root, path, d);
	g = cfg_group(root, "imap", 1, 0, path, d);
	load_imap(c, g, d);
	g = cfg_group(root, "smtp", 1, 0, path, d);
	load_smtp(c, g, d);
	load_oauth2(c, root, d);

	config_destroy(&cf);
	if (d->errors != errors0) {
		config_free(c);
		return -1;
	}
	*out = c;
	return 0;
}

void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	free(c->file);
	free(c->dir);
	free(c->datadir);
	free(c->database);
	free(c->lock_file);
	free(c->rules_dir);
	free(c->templates_dir);
	free(c->directory);
	free(c->holidays);
	cfg_strings_free(c->allowed_domains);
	cfg_strings_free(c->digest.recipients);
	free(c->authserv_id);
	free(c->admin_email);
	free(c->admin_name);
	free(c->imap.host);
	free(c->imap.user);
	if (c->imap.password)
		explicit_bzero(c->imap.password, strlen(c->imap.password));
	free(c->imap.password);
	free(c->imap.ca_file);
	free(c->imap.folder);
	free(c->imap.processed_folder);
	free(c->imap.rejected_folder);
	free(c->smtp.url);
	free(c->smtp.user);
	if (c->smtp.password)
		explicit_bzero(c->smtp.password, strlen(c->smtp.password));
	free(c->smtp.password);
	free(c->smtp.from);
	free(c->smtp.from_addr);
	free(c->smtp.ca_file);
	free(c->oauth2.token_url);
	free(c->oauth2.client_id);
	if (c->oauth2.client_secret)
		explicit_bzero(c->oauth2.client_secret,
		    strlen(c->oauth2.client_secret));
	free(c->oauth2.client_secret);
	free(c->oauth2.scope);
	free(c->oauth2.refresh_token_file);
	free(c->oauth2.token_cache);
	free(c->oauth2.ca_file);
	free(c);
}

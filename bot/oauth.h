/*
 * oauth: OAuth 2.0 access tokens for XOAUTH2 logins to Microsoft 365 /
 * Exchange Online (or any RFC 6749 token endpoint), where basic auth is
 * off.  oauth_token() hands out a token that stays valid for at least five
 * more minutes: from memory, else from the optional token_cache file, else
 * fresh from token_url (client_credentials or refresh_token grant).  A
 * rotated refresh token and the cache are written atomically, mode 0600.
 * Tokens and secrets never reach a log line or an error string.
 */
#ifndef ESCBOT_OAUTH_H
#define ESCBOT_OAUTH_H

#include <stddef.h>
#include <time.h>

enum oauth_grant {
	OAUTH_GRANT_CLIENT_CREDENTIALS = 0,
	OAUTH_GRANT_REFRESH_TOKEN,
};

struct oauth_params {
	const char	*token_url;	/* https://login.microsoftonline.com/T/oauth2/v2.0/token */
	const char	*client_id;
	const char	*client_secret;	/* NULL or "": none (public client) */
	const char	*scope;		/* e.g. https://outlook.office365.com/.default */
	enum oauth_grant grant;
	const char	*refresh_token_file;	/* refresh_token grant: required */
	const char	*token_cache;	/* NULL or "": cache in memory only */
	const char	*ca_file;	/* NULL or "": system trust store */
	int		 timeout;	/* seconds for the whole request; 0: 30 */
};

/* Same classes as imap.h: a temporary failure is retried later (network,
 * 5xx, timeout); a final one needs the administrator (grant revoked or
 * expired, wrong client or secret, wrong URL, certificate refused). */
enum oauth_err { OAUTH_OK = 0, OAUTH_ERR_TEMP = -1, OAUTH_ERR_FINAL = -2 };

/* An access token valid for at least 5 minutes after `now` (give the real
 * clock, not a --now time).  *token is the caller's to free (wipe it with
 * explicit_bzero first).  On failure err says why, without secrets. */
int	oauth_token(const struct oauth_params *, time_t now, char **token,
	    char *err, size_t errlen);
/* oauth_token(), also telling until when the token is valid. */
int	oauth_token_until(const struct oauth_params *, time_t now,
	    char **token, time_t *until, char *err, size_t errlen);
/* The server refused a token we thought valid: forget it (memory and the
 * cache file) so that the next oauth_token() asks the endpoint again. */
void	oauth_forget(const struct oauth_params *);
/* Forget every token held in memory (configuration reload, tests). */
void	oauth_reset(void);

/* --- building blocks, exposed for the unit tests ----------------------- */

/* What a token endpoint answered. */
struct oauth_reply {
	char		*access_token;
	char		*refresh_token;	/* NULL: not rotated */
	long long	 expires_in;	/* seconds; -1: not given */
};

/* Classify an endpoint answer (HTTP status and body): OAUTH_OK with *out
 * filled (free with oauth_reply_free), or an error class with err set. */
int	oauth_parse_reply(long status, const char *body, size_t len,
	    struct oauth_reply *out, char *err, size_t errlen);
void	oauth_reply_free(struct oauth_reply *);
/* The member `key` of the top-level JSON object in json[0..len): 1 and
 * *out (a string's decoded value, or a number's or literal's text; the
 * caller frees), 0 when absent, -1 when json is not a well-formed object. */
int	oauth_json_field(const char *json, size_t len, const char *key,
	    char **out);
/* Remember a token (memory, and the cache file when configured). */
int	oauth_cache_put(const struct oauth_params *, const char *token,
	    time_t expires, char *err, size_t errlen);
/* Replace `path` with `data` atomically (temporary file in the same
 * folder, fsync, rename, fsync of the folder), mode 0600. */
int	oauth_write_private(const char *path, const char *data, size_t len,
	    char *err, size_t errlen);

#endif

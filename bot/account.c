/*
 * account: IMAP and SMTP logins from the configuration (account.h).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "log.h"
#include "worker.h"

void
account_oauth_params(const struct config *c, struct oauth_params *p)
{
	memset(p, 0, sizeof(*p));
	p->token_url = c->oauth2.token_url;
	p->client_id = c->oauth2.client_id;
	p->client_secret = c->oauth2.client_secret;
	p->scope = c->oauth2.scope;
	p->grant = c->oauth2.grant == CONFIG_GRANT_REFRESH_TOKEN ?
	    OAUTH_GRANT_REFRESH_TOKEN : OAUTH_GRANT_CLIENT_CREDENTIALS;
	p->refresh_token_file = c->oauth2.refresh_token_file;
	p->token_cache = c->oauth2.token_cache;
	p->ca_file = c->oauth2.ca_file;
	p->timeout = c->imap.timeout;
}

void
account_imap_params(const struct config *c, struct imap_params *p)
{
	memset(p, 0, sizeof(*p));
	p->host = c->imap.host;
	p->port = c->imap.port;
	p->tls = c->imap.tls == CONFIG_TLS_NONE ? IMAP_TLS_NONE :
	    c->imap.tls == CONFIG_TLS_STARTTLS ? IMAP_TLS_STARTTLS :
	    IMAP_TLS_IMPLICIT;
	p->user = c->imap.user;
	p->password = c->imap.password;
	p->ca_file = c->imap.ca_file;
	p->folder = c->imap.folder;
	p->timeout = c->imap.timeout;
}

static void
token_free(char **token)
{
	if (*token != NULL) {
		explicit_bzero(*token, strlen(*token));
		free(*token);
	}
	*token = NULL;
}

int
account_imap_xoauth2(const struct imap_params *p,
    const struct oauth_params *op, struct imap **out, char *err,
    size_t errlen)
{
	struct imap_params q = *p;
	enum fail reach = FAIL_NONE;
	char *token = NULL;
	int rc = IMAP_ERR_TEMP;

	*out = NULL;
	for (int tries = 0; tries < 2; tries++) {
		rc = worker_oauth_token(op, time(NULL), &token, err, errlen);
		if (rc != OAUTH_OK)
			return rc == OAUTH_ERR_FINAL ? IMAP_ERR_FINAL :
			    IMAP_ERR_TEMP;
		q.oauth_token = token;
		rc = imap_open_fail(&q, out, &reach, err, errlen);
		token_free(&token);
		if (rc == IMAP_OK || reach != FAIL_AUTH || tries > 0)
			break;
		/* Revoked before its expiry, or a cache gone stale: drop it
		 * and try once with a token fresh from the endpoint. */
		log_warnx("imap: %s; asking the token endpoint for a new token",
		    err);
		worker_oauth_forget(op);
	}
	return rc;
}

int
account_imap_open(const struct config *c, struct imap **out, char *err,
    size_t errlen)
{
	struct imap_params p;
	struct oauth_params op;

	account_imap_params(c, &p);
	if (c->imap.auth != CONFIG_AUTH_XOAUTH2)
		return imap_open(&p, out, err, errlen);
	account_oauth_params(c, &op);
	return account_imap_xoauth2(&p, &op, out, err, errlen);
}

int
account_smtp_open(const struct config *c, struct account_smtp *a, char *err,
    size_t errlen)
{
	memset(a, 0, sizeof(*a));
	a->p.url = c->smtp.url;
	a->p.user = c->smtp.user;
	a->p.password = c->smtp.password;
	a->p.ca_file = c->smtp.ca_file;
	a->p.starttls = c->smtp.starttls;
	a->p.timeout = c->smtp.timeout;
	if (c->smtp.auth != CONFIG_AUTH_XOAUTH2)
		return 0;
	account_oauth_params(c, &a->op);
	/* Real time, not --now: token lifetimes are the server's. */
	if (worker_oauth_token(&a->op, time(NULL), &a->token, err, errlen) !=
	    OAUTH_OK)
		return -1;
	a->p.oauth_token = a->token;
	return 0;
}

void
account_smtp_refused(struct account_smtp *a)
{
	if (a->token != NULL)
		worker_oauth_forget(&a->op);
}

void
account_smtp_close(struct account_smtp *a)
{
	token_free(&a->token);
	a->p.oauth_token = NULL;
}

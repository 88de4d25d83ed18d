/*
 * account: the configuration turned into an IMAP or an SMTP login, and the
 * one place that does the XOAUTH2 dance -- get a token (worker.h, in a
 * child), try it, and when the server refuses it forget it and (IMAP) try
 * a fresh one once.  Both ingest and the outbox log in through here.
 * Everything handed out points into the config, except the token an
 * account_smtp holds, which account_smtp_close() wipes and frees.
 */
#ifndef ESCBOT_ACCOUNT_H
#define ESCBOT_ACCOUNT_H

#include <stddef.h>

#include "config.h"
#include "imap.h"
#include "oauth.h"
#include "smtp.h"

/* The oauth2 group as oauth_token() parameters (pointers into c; the
 * timeout is imap.timeout). */
void	account_oauth_params(const struct config *, struct oauth_params *);
/* The imap group as imap_open() parameters, without a token. */
void	account_imap_params(const struct config *, struct imap_params *);

/* Log in to the mailbox of c (password or XOAUTH2) and SELECT its folder:
 * IMAP_OK and *out (close with imap_close), or IMAP_ERR_TEMP /
 * IMAP_ERR_FINAL with err saying why. */
int	account_imap_open(const struct config *, struct imap **out,
	    char *err, size_t errlen);
/* imap_open() with XOAUTH2 and a token from worker_oauth_token() (p's
 * password and oauth_token unused).  A token the server refuses is
 * forgotten and a new one tried once.  An OAuth failure comes back in
 * the same classes, err says why. */
int	account_imap_xoauth2(const struct imap_params *,
	    const struct oauth_params *, struct imap **out, char *err,
	    size_t errlen);

/* The SMTP login of a config, for one round of sending. */
struct account_smtp {
	struct smtp_params	 p;	/* p.oauth_token: token, or NULL */
	struct oauth_params	 op;	/* when smtp.auth is xoauth2 */
	char			*token;	/* owned; NULL with a password */
};
/* Fill *a from c, with a token when smtp.auth is xoauth2: 0, or -1 when
 * no token could be had (err says why; temporary). */
int	account_smtp_open(const struct config *, struct account_smtp *,
	    char *err, size_t errlen);
/* The server refused the login (FAIL_AUTH): forget a token, so the next
 * round asks the endpoint for a new one. */
void	account_smtp_refused(struct account_smtp *);
/* Wipe and free the token. */
void	account_smtp_close(struct account_smtp *);

#endif

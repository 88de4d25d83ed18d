/*
 * imap: the one IMAP session escbot holds, on libetpan.  TLS is implicit,
 * STARTTLS or none; with TLS the server certificate chain and host name are
 * verified (system trust store, or ca_file) before LOGIN, and SNI is sent.
 * Login is LOGIN with a password, or AUTHENTICATE XOAUTH2 with an OAuth
 * access token (Microsoft 365; account.h gets the token).  New mail can be waited for with IDLE.
 * Messages are addressed by UID only.  A message leaves the inbox only by
 * imap_move(), which escbot calls after the commit that recorded it.
 */
#ifndef ESCBOT_IMAP_H
#define ESCBOT_IMAP_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "fail.h"

enum imap_tls { IMAP_TLS_IMPLICIT, IMAP_TLS_STARTTLS, IMAP_TLS_NONE };

struct imap_params {
	const char	*host;
	int		 port;
	enum imap_tls	 tls;
	const char	*user;
	const char	*password;	/* LOGIN; unused with oauth_token */
	const char	*oauth_token;	/* non-NULL: AUTHENTICATE XOAUTH2 with
					 * this access token (oauth.h) */
	const char	*ca_file;	/* "" or NULL: system trust store */
	const char	*folder;	/* e.g. "INBOX" */
	int		 timeout;	/* seconds, for connect and each command */
};

/* Failure classes: a temporary failure is retried later (network, server
 * down, timeout); a final one needs the administrator (bad password,
 * certificate refused, folder missing); a refused one is about the
 * messages asked for, not the session: the server answered NO or BAD to a
 * FETCH and the connection is still usable (Microsoft 365 refuses a
 * message it "could not convert to an RFC-822 compatible format"). */
enum imap_err { IMAP_OK = 0, IMAP_ERR_TEMP = -1, IMAP_ERR_FINAL = -2,
	IMAP_ERR_REFUSED = -3 };

struct imap;

/* Connect, verify, log in, SELECT the folder.  On success *out is the
 * session (close with imap_close).  On failure err says why. */
int	imap_open(const struct imap_params *, struct imap **out,
	    char *err, size_t errlen);
/* imap_open(), also saying how far a failure reaches (fail.h): FAIL_AUTH
 * when the server turned the login down (account.h then asks for a new
 * OAuth token once), else FAIL_SERVER; FAIL_NONE on success. */
int	imap_open_fail(const struct imap_params *, struct imap **out,
	    enum fail *reach, char *err, size_t errlen);
/* UIDVALIDITY of the selected folder. */
uint32_t imap_uidvalidity(const struct imap *);
/* UIDs >= min_uid in the folder, ascending.  *uids is the caller's to free. */
int	imap_list_uids(struct imap *, uint32_t min_uid, uint32_t **uids,
	    size_t *n, char *err, size_t errlen);
/* The whole message (BODY.PEEK[], so \Seen is left alone).  *raw is the
 * caller's to free; NUL-terminated, *len excludes the NUL.
 * IMAP_ERR_REFUSED when the server will not give this message out. */
int	imap_fetch(struct imap *, uint32_t uid, char **raw, size_t *len,
	    char *err, size_t errlen);
/* A message fetched by imap_fetch_many(). */
struct imap_msg {
	uint32_t	 uid;
	char		*raw;	/* the caller's to free; NULL when the message
				 * is no longer on the server */
	size_t		 len;
};
/* Fetch a run of messages at once: the first k of uids[0..n) (ascending)
 * whose RFC822.SIZEs add up to at most max_bytes, always at least one, with
 * two round trips (the sizes, then the bodies) instead of one per message.
 * out (room for n) gets them in order and *got is k; raw as imap_fetch().
 * IMAP_ERR_REFUSED when the server refused the FETCH (one of the messages
 * it will not give out, perhaps): ask for them one at a time to find it. */
int	imap_fetch_many(struct imap *, const uint32_t *uids, size_t n,
	    size_t max_bytes, struct imap_msg *out, size_t *got, char *err,
	    size_t errlen);
/* Move a message to `folder`, creating it when missing: MOVE when the
 * server has it, else UID COPY + \Deleted + UID EXPUNGE (UIDPLUS) of that
 * UID only.  A message already gone counts as moved. */
int	imap_move(struct imap *, uint32_t uid, const char *folder,
	    char *err, size_t errlen);
/* Move several messages at once (one UID MOVE, or COPY + \Deleted + UID
 * EXPUNGE of the set); UIDs already gone are ignored by the server.  The
 * way to move a batch: one round trip instead of one per message. */
int	imap_move_uids(struct imap *, const uint32_t *uids, size_t n,
	    const char *folder, char *err, size_t errlen);
/* APPEND a message to a folder (used by tests and the demo tooling). */
int	imap_append(struct imap *, const char *folder, const char *raw,
	    size_t len, char *err, size_t errlen);
/* 1 if the server offers IDLE (RFC 2177). */
int	imap_idle_supported(struct imap *);
/*
 * Wait in IDLE on the selected folder until the server reports new mail
 * (EXISTS or RECENT): 1; or until max_seconds have passed (capped at 29
 * minutes; the caller then simply calls again) or *stop (may be NULL)
 * becomes non-zero: 0.  The IDLE is ended with DONE before returning, so
 * the session can be used at once.  The wait is poll() on the socket (and
 * on data already buffered by libetpan or GnuTLS), woken at least once a
 * second to look at *stop and at once by a signal.  IMAP_ERR_TEMP (-1): the
 * connection is lost (the session is then unusable; close it and open a new
 * one); IMAP_ERR_FINAL (-2): the server has no IDLE.
 */
int	imap_idle_wait(struct imap *, int max_seconds,
	    volatile sig_atomic_t *stop, char *err, size_t errlen);
void	imap_close(struct imap *);

#endif

/*
 * smtp: hands one message to the submission server with libcurl:
 * smtps:// (implicit TLS) or smtp:// with STARTTLS required unless the URL
 * is loopback and tls is explicitly off; AUTH when a user is set (with
 * the password, or XOAUTH2 with an OAuth bearer token for Microsoft 365);
 * certificates verified (system store or ca_file).  One recipient per send,
 * so a permanent refusal of one address never blocks the others.
 */
#ifndef ESCBOT_SMTP_H
#define ESCBOT_SMTP_H

#include <stddef.h>

#include "fail.h"

struct smtp_params {
	const char	*url;		/* smtps://host:465 or smtp://host:587 */
	const char	*user;		/* NULL or "": no AUTH */
	const char	*password;
	const char	*oauth_token;	/* non-NULL: AUTH XOAUTH2 as user with
					 * this bearer token, not the password */
	const char	*ca_file;	/* "" or NULL: system trust store */
	int		 starttls;	/* smtp:// only: 1 require, 0 plain */
	int		 timeout;	/* seconds */
};

/* Send `len` bytes of `data` (a complete RFC 5322 message with CRLF or LF
 * line ends) from envelope `mail_from` to `rcpt`.  FAIL_NONE when sent;
 * else how far the failure reaches (fail.h): FAIL_RCPT for a 5xx to RCPT
 * TO, FAIL_MSG for a 5xx refusal of this message (its size, its content;
 * do not retry), FAIL_SENDER for a 5xx to MAIL FROM or DATA or a policy
 * refusal (x.7.x) of the message (escbot may not send as mail_from: stop
 * the round, a person must act), FAIL_SERVER or FAIL_AUTH when the
 * server cannot take anything now (unreachable, certificate, login
 * refused: stop the round), FAIL_TEMP for a 4xx of this one.  err gets
 * the server's reply or curl's reason, for people. */
enum fail smtp_send(const struct smtp_params *, const char *mail_from,
		    const char *rcpt, const char *data, size_t len,
		    char *err, size_t errlen);
/* Log in as a send would (TLS, STARTTLS, AUTH) and say NOOP; nothing is
 * sent.  FAIL_NONE with the server's last reply in err, or how far the
 * failure reaches (FAIL_SERVER, FAIL_AUTH), err saying why.  For
 * check-config --connect. */
enum fail smtp_login(const struct smtp_params *, char *err, size_t errlen);
/* A session keeps the connection (TLS and login included) open from one
 * send to the next with the same parameters: the way to send a batch.  A
 * failed send closes it and the next send opens a new one.  smtp_send()
 * is a session of one send. */
struct smtp_session;
struct smtp_session *smtp_session_new(void);
enum fail smtp_session_send(struct smtp_session *,
		    const struct smtp_params *, const char *mail_from,
		    const char *rcpt, const char *data, size_t len, char *err,
		    size_t errlen);
/* Says QUIT on an open connection and frees the session. */
void	smtp_session_free(struct smtp_session *);
/* Certificates verified, peer and host name, against ca_file (NULL or
 * "": the system store), on a libcurl easy handle (shared by every
 * libcurl user: SMTP and the OAuth2 token endpoint). */
void	smtp_curl_verify(void *curl, const char *ca_file);
/* 1 when a libcurl result code means the peer's certificate was refused
 * (shared by every libcurl user: SMTP and the OAuth2 token endpoint). */
int	smtp_curl_cert_error(int curlcode);
/* Call once at start-up and once at exit (libcurl global state). */
void	smtp_global_init(void);
void	smtp_global_cleanup(void);

#endif

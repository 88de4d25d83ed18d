/*
 * mailer: writes the RFC 5322 messages escbot sends.  Every message is
 * marked Auto-Submitted: auto-generated and X-Auto-Response-Suppress: All
 * (so out-of-office robots stay quiet), carries a Message-ID derived from
 * its outbox token and the installation's secret key (the same email
 * always has the same id, so a resend after a crash can be recognised,
 * and no one without the key can forge one), threads to the case with
 * In-Reply-To / References, and has a UTF-8 text part (and an HTML
 * alternative when the template has one).  Header values are stripped of
 * CR, LF and controls.  Bodies are quoted-printable (text) or base64
 * (attachments) inside random MIME boundaries that the content is checked
 * not to hold, and no encoded line starts with "--": no text given to
 * mailer_compose can end a part or start another.
 * Returned strings are the caller's to free; an unusable random source or
 * HMAC is fatal (fatalx), as no message can be written without them.
 */
#ifndef ESCBOT_MAILER_H
#define ESCBOT_MAILER_H

#include <stddef.h>
#include <time.h>

struct attachment_out {
	const char	*filename;	/* ASCII */
	const char	*content_type;	/* e.g. "text/csv; charset=UTF-8" */
	const char	*data;
	size_t		 len;
};

struct outgoing {
	const char		*from;		/* "Name <addr>" */
	const char *const	*to;
	size_t			 nto;
	const char *const	*cc;
	size_t			 ncc;
	const char		*subject;
	const char		*text;
	const char		*html;		/* may be NULL */
	const char		*message_id;	/* without <> */
	const char		*in_reply_to;	/* without <>, may be NULL */
	const char		*references;	/* ids without <>, space separated */
	time_t			 date;
	const struct attachment_out *attachments;	/* may be NULL */
	size_t			 nattachments;
};

#define MAILER_KEY_LEN	32	/* bytes of the Message-ID key */

/* "escbot.<HMAC-SHA256(key, token), 32 hex digits>@<domain of from_addr>":
 * the same for the same key and token, unguessable without the key. */
char	*mailer_message_id(const unsigned char key[MAILER_KEY_LEN],
	    const char *token, const char *from_addr);
char	*mailer_compose(const struct outgoing *);
/* RFC 2047 encoded-word form of a header value when it is not ASCII. */
char	*mailer_encode_header(const char *value);

#endif

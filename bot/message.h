/*
 * message: turns a raw RFC 5322 message into a normal form escbot can
 * classify: decoded headers (RFC 2047, UTF-8), the sender, the threading
 * headers, the best text body in UTF-8 (text/plain, or text from HTML when
 * there is none; format=flowed undone), the HTML body, and the attachments
 * decoded, with the files inside a TNEF winmail.dat added as attachments
 * of their own (tnef.h).  A multipart cut short before its close
 * delimiters keeps every part that is there.  Parsing uses
 * libetpan's MIME parser; charsets are converted with iconv, an unknown
 * charset falls back to a lossy UTF-8 cleanup rather than failing.
 *
 * Everything in a struct message is owned by it; message_free() frees all.
 */
#ifndef ESCBOT_MESSAGE_H
#define ESCBOT_MESSAGE_H

#include <stddef.h>
#include <time.h>

struct msg_header {
	char	*name;		/* as in the message, e.g. "Auto-Submitted" */
	char	*value;		/* unfolded, RFC 2047 decoded, UTF-8 */
};

struct msg_attachment {
	char	*filename;	/* RFC 2231 / 2047 decoded, may be NULL */
	char	*content_type;	/* lower case, e.g. "application/pdf" */
	char	*data;		/* decoded bytes (NUL-terminated for safety) */
	size_t	 len;
};

struct message {
	struct msg_header	*headers;
	size_t			 nheaders;
	char			*message_id;	/* without <>, NULL if absent */
	char			*in_reply_to;	/* without <>, NULL if absent */
	char			*references;	/* raw list, NULL if absent */
	char			*subject;	/* decoded, "" if absent */
	char			*from_addr;	/* lower-cased addr-spec, NULL if none */
	char			*from_name;	/* display name, may be NULL */
	char			*return_path;	/* NULL absent, "" for <> */
	time_t			 date;		/* Date: header, 0 if unparsable */
	char			*content_type;	/* top-level, lower case */
	char			*text;		/* UTF-8 body text, "" if none */
	char			*html;		/* UTF-8 HTML body, NULL if none */
	struct msg_attachment	*attachments;
	size_t			 nattachments;
	int			 is_report;	/* multipart/report (DSN, MDN) */
};

/*
 * Parse `len` bytes at `raw`.  Returns 0 and sets *out (caller frees with
 * message_free), or -1 with a reason in err for input that is not a
 * message at all, or whose MIME structure is nested too deep or has too
 * many parts to be parsed safely (checked before libetpan sees it, for
 * every spelling of the Content-Type).  Other damaged MIME inside a
 * message is tolerated.
 */
int		 message_parse(const char *raw, size_t len, struct message **out,
		    char *err, size_t errlen);
/* First header with this name (case-insensitive), or NULL. */
const char	*message_header(const struct message *, const char *name);
void		 message_free(struct message *);

/* Convert `len` bytes in `charset` to a new UTF-8 string (caller frees).
 * Unknown charsets and invalid bytes never fail: bad bytes become U+FFFD. */
char		*message_to_utf8(const char *charset, const char *in, size_t len);
/* Plain text from an HTML fragment: tags dropped, block elements and table
 * cells become line breaks / tabs, entities decoded.  Caller frees. */
char		*message_html_to_text(const char *html);

#endif

/*
 * quote: where the sender's own text ends.  A reply, or a form sent by
 * email, carries after what its sender wrote the history it answers and
 * a signature.  The one detector here finds the first line that starts
 * any of them:
 *  - a line starting with '>' (after at most three spaces): quoting;
 *  - "On <date>, <name> wrote:", on one line or wrapped onto the next
 *    (Gmail, Apple Mail, Thunderbird);
 *  - a "-----Original Message-----" line, with or without spaces (Outlook);
 *  - a forwarded or replied-to header block: "From:" followed within five
 *    lines by "Sent:", "Date:", "To:", "Subject:" or "Cc:", or Outlook's
 *    "_____" rule just above such a block;
 *  - the signature delimiter "-- " on a line of its own.
 * Lines end in "\n" or "\r\n".  A sign-off ("Kind regards") is not history
 * (a reply command may be followed by one); quote_signoff() tells forms,
 * which end there once a label has been read.
 */
#ifndef ESCBOT_QUOTE_H
#define ESCBOT_QUOTE_H

#include <stddef.h>

/* Bytes of text before quoted history, a forwarded header block, or a
 * "-- " signature; strlen(text) when there is none, 0 for NULL. */
size_t	quote_own_len(const char *text);
/* A copy of that part (caller frees); never NULL. */
char	*quote_own_text(const char *text);
/* Is the line s..e (white space around it ignored) only a sign-off:
 * "Kind regards", "Thanks", "Sent from my iPhone"?  1 or 0. */
int	quote_signoff(const char *s, const char *e);

#endif

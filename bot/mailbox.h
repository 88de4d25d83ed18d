/*
 * mailbox: from the IMAP inbox to the database.  Each batch of messages is
 * fetched, each message decided by intake and carried out by casework --
 * with the emails it calls for, in one transaction -- and only once that
 * is on disk moved out of the inbox to Processed or Rejected.  Nothing is
 * ever deleted.
 */
#ifndef ESCBOT_MAILBOX_H
#define ESCBOT_MAILBOX_H

#include <stddef.h>
#include <stdint.h>

struct escbot;
struct imap;

enum mailbox_status { MAILBOX_OK = 0, MAILBOX_TEMP = -1, MAILBOX_FINAL = -2 };

/* Open the configured mailbox folder (password or XOAUTH2).  IMAP_OK and
 * *out, or IMAP_ERR_TEMP / IMAP_ERR_FINAL with err. */
int	mailbox_imap_open(struct escbot *, struct imap **out, char *err,
	    size_t errlen);
/* One pass over the inbox.  Returns the number of messages handled, or
 * MAILBOX_TEMP / MAILBOX_FINAL when the mailbox could not be read. */
int	mailbox_pass(struct escbot *);
/* Record one raw message (already fetched) and what it causes, and commit.
 * *folder gets where it belongs (the Processed or Rejected folder name;
 * caller frees).  0, or -1 when nothing could be committed (the message
 * must stay in the inbox). */
int	mailbox_message(struct escbot *, const char *raw, size_t len,
	    uint32_t uidvalidity, uint32_t uid, char **folder);

#endif

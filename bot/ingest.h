/*
 * ingest: from the mailbox to the database.  Each message is fetched,
 * classified (auto-reply, bounce, our own mail, stranger, reply in a case
 * thread, form, noise), turned into a case change and the emails it calls
 * for, and recorded -- all in one transaction -- and only then moved out of
 * the inbox to Processed or Rejected.  Nothing is ever deleted.
 */
#ifndef ESCBOT_INGEST_H
#define ESCBOT_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "escbot.h"

enum ingest_status { INGEST_OK = 0, INGEST_TEMP = -1, INGEST_FINAL = -2 };

struct imap;

/* Open the configured mailbox folder (password or XOAUTH2).  IMAP_OK and
 * *out, or IMAP_ERR_TEMP / IMAP_ERR_FINAL with err. */
int	ingest_imap_open(struct escbot *, struct imap **out, char *err,
	    size_t errlen);
/* One pass over the inbox.  Returns the number of messages handled, or
 * INGEST_TEMP / INGEST_FINAL when the mailbox could not be read. */
int	ingest_mailbox(struct escbot *);
/* Process one raw message (already fetched) and commit what it causes.
 * *folder gets where it belongs ("Processed"/"Rejected" names from the
 * config; caller frees).  0, or -1 when nothing could be committed (the
 * message must stay in the inbox). */
int	ingest_message(struct escbot *, const char *raw, size_t len,
	    uint32_t uidvalidity, uint32_t uid, char **folder);

#endif

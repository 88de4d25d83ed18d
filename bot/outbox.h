/*
 * outbox: sends what the store has queued, one delivery (message and
 * recipient) at a time, after the commit that queued it.  A temporary
 * failure is retried with exponential backoff; a permanent refusal of one
 * recipient marks that delivery failed and never blocks the others.
 */
#ifndef ESCBOT_OUTBOX_H
#define ESCBOT_OUTBOX_H

struct escbot;

/* Send every delivery that is due.  Returns the number sent, or -1 when the
 * server could not be reached at all (the rest wait for the next run). */
int	outbox_flush(struct escbot *);

#endif

/*
 * outbox: at-least-once delivery.  A delivery is marked sent only after the
 * server accepted it, so a crash in between sends it again -- with the same
 * Message-ID, which lets a recipient's client (and the tests) recognise it.
 * While the server is unreachable the outage is logged once, not once per
 * message or per poll.  A result that cannot be recorded (disk full) ends
 * the round at once: the row is left as it was and sent again next round,
 * never again in this one.  A server that refuses escbot as the sender
 * holds the whole outbox (backing off, the administrator told once);
 * nothing fails for good because of it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "casework.h"
#include "escbot.h"
#include "log.h"
#include "outbox.h"
#include "util.h"
#include "worker.h"
#include "store.h"

#define BATCH	100

static struct outage outage;	/* while the SMTP server is unreachable */
static struct outage unrecorded;	/* while results cannot be recorded */

/* While the server refuses escbot as the sender: no sends before `until`;
 * `rounds` refused in a row set the backoff. */
static struct {
	time_t	until;
	int	rounds;
} held;

static time_t
backoff(const struct escbot *e, int attempts)
{
	time_t d = e->cfg->smtp.retry_min;

	for (int i = 0; i < attempts && d < e->cfg->smtp.retry_max; i++)
		d *= 2;
	return d > e->cfg->smtp.retry_max ? e->cfg->smtp.retry_max : d;
}

/* What the result callback needs to record each email as it goes. */
struct round {
	struct escbot		*e;
	struct outbox_item	**sent_items;	/* by index in the batch */
	struct account_smtp	*acct;
	time_t			 now;
	int			 sent;
	int			 unreachable;
	int			 unrecorded;	/* a result could not be stored */
	int			 refused;	/* FAIL_SENDER */
	char			 why[512];	/* the sender refusal */
};

/* The deliveries left pending by a round that stopped here: log once. */
static void
record_failed(struct round *rd)
{
	rd->unrecorded = 1;
	outage_begin(&unrecorded, "outbox: cannot record what was sent (%s); "
	    "stopping until the next round", store_error(rd->e->store));
}

static int
record_result(void *arg, size_t i, enum fail r, const char *err)
{
	struct round *rd = arg;
	struct escbot *e = rd->e;
	struct outbox_item *it = rd->sent_items[i];
	enum delivery_result dr;
	time_t next = 0;

	if (r == FAIL_NONE) {
		crashpoint("after-send");
		dr = DELIVERY_SENT;
		rd->sent++;
		outage_end(&outage, "smtp: server reachable again");
		log_info("sent %s to %s", it->token, it->rcpt);
	} else if (FAIL_FOR_GOOD(r)) {
		dr = DELIVERY_FAILED;
		log_warnx("smtp: %s refused for good for %s: %s", it->token,
		    it->rcpt, err);
	} else {
		dr = DELIVERY_RETRY;
		next = rd->now + backoff(e, it->attempts);
		/* The server's problem, not this recipient's: the child has
		 * stopped this round. */
		if (FAIL_STOPS_ROUND(r)) {
			/* A refused token is fetched anew next run. */
			if (r == FAIL_AUTH)
				account_smtp_refused(rd->acct);
			if (r == FAIL_SENDER) {
				rd->refused = 1;
				snprintf(rd->why, sizeof(rd->why), "%s", err);
			}
			rd->unreachable = 1;
			outage_begin(&outage, "smtp: cannot send (%s); will retry",
			    err);
		} else
			log_warnx("smtp: %s to %s deferred: %s", it->token,
			    it->rcpt, err);
	}
	if (store_outbox_result(e->store, it->delivery_id, dr,
	    dr == DELIVERY_SENT ? NULL : err, next, rd->now) == -1) {
		/* Sent but not recorded: the row must not come back this
		 * round (its Message-ID marks a send next round a repeat). */
		record_failed(rd);
		return -1;
	}
	crashpoint("after-record");
	outage_end(&unrecorded, "outbox: results recorded again");
	return 0;
}

/*
 * After a round the server refused escbot as the sender: hold the outbox
 * (doubling from retry_min to retry_max) and tell the administrator when
 * the hold begins.  The email tried keeps its own backoff, so a refusal
 * that was one message's after all holds the rest for one round only.
 */
static void
hold_outbox(struct escbot *e, const struct round *rd)
{
	if (!rd->refused) {
		if (rd->sent > 0)
			held.rounds = 0;
		return;
	}
	held.until = rd->now + backoff(e, held.rounds);
	if (held.rounds++ == 0 &&
	    casework_alert(e, "smtp", rd->why) == -1)
		log_warnx("alert: %s", store_error(e->store));
}

/* Emails this batch already sends to rcpt before item i. */
static int
earlier_to(struct outbox_item **sending, size_t nsending, const char *rcpt)
{
	int k = 0;

	for (size_t j = 0; j < nsending; j++)
		if (strcmp(sending[j]->rcpt, rcpt) == 0)
			k++;
	return k;
}

/*
 * An email not to send now: over its recipient's daily limit (held for an
 * hour) or emptied by retention (failed).  1 when set aside, 0 to send it,
 * -1 when setting it aside could not be recorded (the round must end).
 */
static int
set_aside(struct round *rd, struct outbox_item *it,
    struct outbox_item **sending, size_t nsending, time_t now)
{
	struct escbot *e = rd->e;
	int rc;

	if (store_sent_count(e->store, it->rcpt, now - 86400) +
	    earlier_to(sending, nsending, it->rcpt) >=
	    e->cfg->max_emails_per_recipient_day) {
		/* A loop or a flood: hold this recipient's mail for an hour
		 * rather than add to it. */
		log_warnx("outbox: %s has had %d emails in 24 hours; holding %s",
		    it->rcpt, e->cfg->max_emails_per_recipient_day, it->token);
		rc = store_outbox_result(e->store, it->delivery_id,
		    DELIVERY_RETRY, "held: daily limit for this recipient "
		    "reached", now + 3600, now);
	} else if (it->data[0] == '\0') {
		/* Emptied by retention before it could be sent. */
		rc = store_outbox_result(e->store, it->delivery_id,
		    DELIVERY_FAILED, "purged by retention", 0, now);
	} else
		return 0;
	if (rc == -1) {
		record_failed(rd);
		return -1;
	}
	return 1;
}

int
outbox_flush(struct escbot *e)
{
	struct account_smtp acct;
	struct outbox_item *items;
	struct outbox_item **sending = NULL;
	struct worker_mail *mails = NULL;
	struct round rd;
	char err[1024];
	size_t n, nsending;
	time_t now;
	int got;

	memset(&rd, 0, sizeof(rd));
	if (held.rounds > 0 && escbot_now(e) < held.until)
		return -1;	/* still refused as the sender: wait */
	if (account_smtp_open(e->cfg, &acct, err, sizeof(err)) == -1) {
		outage_begin(&outage, "smtp: cannot send (%s); will retry", err);
		return -1;
	}
	rd.acct = &acct;
	rd.e = e;
	/* What is sent must have been durably decided: a crash after the
	 * send then finds it recorded, not forgotten. */
	if (store_sync(e->store) == -1) {
		rd.sent = -1;
		goto done;
	}
	for (;;) {
		now = escbot_now(e);
		if (store_outbox_ready(e->store, now, &items, &n, BATCH) == -1) {
			rd.sent = -1;
			goto done;
		}
		if (n == 0) {
			free(items);
			break;
		}
		sending = xreallocarray(sending, n, sizeof(*sending));
		mails = xreallocarray(mails, n, sizeof(*mails));
		nsending = 0;
		for (size_t i = 0; i < n; i++) {
			struct outbox_item *it = &items[i];
			int aside = set_aside(&rd, it, sending, nsending, now);

			if (aside == -1)
				break;
			if (aside == 1)
				continue;
			sending[nsending] = it;
			mails[nsending].rcpt = it->rcpt;
			mails[nsending].data = it->data;
			mails[nsending].len = strlen(it->data);
			nsending++;
		}
		/* One child sends the batch; each result is recorded here as
		 * it comes back. */
		rd.sent_items = sending;
		rd.now = now;
		got = rd.unrecorded ? 0 : worker_smtp_send(&acct.p,
		    e->cfg->smtp.from_addr, mails, nsending, e->lock_fd, e->stop,
		    record_result, &rd, err, sizeof(err));
		if (got == -1) {
			outage_begin(&outage, "smtp: cannot send (%s); will retry",
			    err);
			rd.unreachable = 1;
		}
		for (size_t i = 0; i < n; i++)
			outbox_item_free(&items[i]);
		free(items);
		if (rd.unreachable || rd.unrecorded) {
			rd.sent = -1;
			break;
		}
		if (n < BATCH || (e->stop && *e->stop) ||
		    (got >= 0 && (size_t)got < nsending))
			break;
	}
done:
	hold_outbox(e, &rd);
	free(sending);
	free(mails);
	account_smtp_close(&acct);
	return rd.sent;
}

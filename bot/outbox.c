/*
 * outbox: at-least-once delivery.  A delivery is marked sent only after the
 * server accepted it, so a crash in between sends it again -- with the same
 * Message-ID, which lets a recipient's client (and the tests) recognise it.
 * While the server is unreachable the outage is logged once, not once per
 * message or per poll.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "oauth.h"
#include "outbox.h"
#include "smtp.h"
#include "util.h"

#define BATCH	100

static int outage;	/* 1 while the SMTP server is unreachable */

static time_t
backoff(const struct escbot *e, int attempts)
{
	time_t d = e->cfg->smtp.retry_min;

	for (int i = 0; i < attempts && d < e->cfg->smtp.retry_max; i++)
		d *= 2;
	return d > e->cfg->smtp.retry_max ? e->cfg->smtp.retry_max : d;
}

int
outbox_flush(struct escbot *e)
{
	struct smtp_params p;
	struct outbox_item *items;
	enum smtp_result r;
	char err[1024];
	size_t n;
	time_t now;
	int sent = 0, unreachable = 0;
	struct oauth_params op;
	char *token = NULL;

	memset(&p, 0, sizeof(p));
	p.url = e->cfg->smtp.url;
	p.user = e->cfg->smtp.user;
	p.password = e->cfg->smtp.password;
	p.ca_file = e->cfg->smtp.ca_file;
	p.starttls = e->cfg->smtp.starttls;
	p.timeout = e->cfg->smtp.timeout;
	if (e->cfg->smtp.auth == CONFIG_AUTH_XOAUTH2) {
		/* Real time, not --now: token lifetimes are the server's. */
		config_oauth_params(e->cfg, &op);
		if (oauth_token(&op, time(NULL), &token, err, sizeof(err)) !=
		    OAUTH_OK) {
			if (!outage)
				log_warnx("smtp: cannot send (%s); will retry", err);
			outage = 1;
			return -1;
		}
		p.oauth_token = token;
	}
	/* What is sent must have been durably decided: a crash after the
	 * send then finds it recorded, not forgotten. */
	if (store_sync(e->store) == -1) {
		sent = -1;
		goto done;
	}
	for (;;) {
		now = escbot_now(e);
		if (store_outbox_ready(e->store, now, &items, &n, BATCH) == -1) {
			sent = -1;
			goto done;
		}
		if (n == 0) {
			free(items);
			break;
		}
		for (size_t i = 0; i < n && !unreachable &&
		    !(e->stop && *e->stop); i++) {
			struct outbox_item *it = &items[i];
			enum delivery_result dr;
			time_t next = 0;

			if (store_sent_count(e->store, it->rcpt, now - 86400) >=
			    e->cfg->max_emails_per_recipient_day) {
				/* A loop or a flood: hold this recipient's mail
				 * for an hour rather than add to it. */
				log_warnx("outbox: %s has had %d emails in 24 hours; "
				    "holding %s", it->rcpt,
				    e->cfg->max_emails_per_recipient_day, it->token);
				store_outbox_result(e->store, it->delivery_id,
				    DELIVERY_RETRY, "held: daily limit for this "
				    "recipient reached", now + 3600, now);
				continue;
			}
			if (it->data[0] == '\0') {
				/* Emptied by retention before it could be sent. */
				store_outbox_result(e->store, it->delivery_id,
				    DELIVERY_FAILED, "purged by retention", 0, now);
				continue;
			}
			r = smtp_send(&p, e->cfg->smtp.from_addr, it->rcpt, it->data,
			    strlen(it->data), err, sizeof(err));
			if (r == SMTP_SENT) {
				dr = DELIVERY_SENT;
				sent++;
				if (outage)
					log_info("smtp: server reachable again");
				outage = 0;
				log_info("sent %s to %s", it->token, it->rcpt);
			} else if (r == SMTP_PERMFAIL) {
				dr = DELIVERY_FAILED;
				log_warnx("smtp: %s refused for good for %s: %s",
				    it->token, it->rcpt, err);
			} else {
				dr = DELIVERY_RETRY;
				next = now + backoff(e, it->attempts);
				/* The server's problem, not this recipient's:
				 * stop this round. */
				if (strncmp(err, SMTP_SERVER_ERROR_PREFIX,
				    strlen(SMTP_SERVER_ERROR_PREFIX)) == 0) {
					/* A refused token is fetched anew next run. */
					if (token && strstr(err, "XOAUTH2 login refused"))
						oauth_forget(&op);
					unreachable = 1;
					if (!outage)
						log_warnx("smtp: cannot send (%s); "
						    "will retry", err);
					outage = 1;
				} else
					log_warnx("smtp: %s to %s deferred: %s",
					    it->token, it->rcpt, err);
			}
			if (store_outbox_result(e->store, it->delivery_id, dr,
			    dr == DELIVERY_SENT ? NULL : err, next, now) == -1)
				log_warnx("outbox: %s", store_error(e->store));
		}
		for (size_t i = 0; i < n; i++)
			outbox_item_free(&items[i]);
		free(items);
		if (unreachable) {
			sent = -1;
			break;
		}
		if (n < BATCH || (e->stop && *e->stop))
			break;
	}
done:
	if (token) {
		explicit_bzero(token, strlen(token));
		free(token);
	}
	return sent;
}

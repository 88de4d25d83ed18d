/*
 * mailbox: from the IMAP inbox to the database, I/O only.  What a message
 * means is intake's decision and carrying it out is casework's; this file
 * does the order of operations that is the heart of "never lose a form".
 * A message is recorded (with what it caused) in one transaction keyed by
 * a fingerprint of its bytes; only after that commit is on disk is it
 * moved out of the inbox.  A crash before the commit leaves it in the inbox
 * to be done again; a crash after it finds the fingerprint and only
 * finishes the move.  A message escbot cannot handle is moved to Rejected
 * with the reason, never deleted, and a message that makes processing
 * itself fail stays where it is.
 */
#include <stdarg.h>
#include <time.h>
#include <unistd.h>
#include <gnutls/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "casework.h"
#include "docx.h"
#include "imap.h"
#include "intake.h"
#include "mailbox.h"
#include "log.h"
#include "message.h"
#include "util.h"
#include "worker.h"
#include "store.h"
#include "escbot.h"

static char *
fingerprint(const char *raw, size_t len)
{
	unsigned char dig[32];
	char *hex;

	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, raw, len, dig) != 0)
		fatalx("sha256 unavailable");
	hex = xmalloc(7 + 64 + 1);
	memcpy(hex, "sha256:", 7);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 7 + i * 2, 3, "%02x", dig[i]);
	return hex;
}

#define DOCX_TIMEOUT	60	/* seconds to read one Word document */

/*
 * Read every Word attachment in a child (a document that crashes or hangs
 * the parser ends the child and is refused like any other).  0, or -1
 * when a document could not be read now (not its fault: the message stays
 * in the inbox).
 */
static int
read_docs(struct escbot *e, const struct message *m, struct intake_input *in)
{
	struct docx_limits lim = docx_default_limits;

	lim.max_unpacked = (size_t)e->cfg->limits.docx_unpacked;
	lim.max_ratio = (unsigned)e->cfg->limits.docx_ratio;
	in->docs = xcalloc(m->nattachments ? m->nattachments : 1,
	    sizeof(*in->docs));
	in->docs_read = 1;
	for (size_t i = 0; i < m->nattachments; i++) {
		const struct msg_attachment *a = &m->attachments[i];
		char why[256];
		int rc;

		if (!docx_is_docx(a->filename, a->content_type, a->data, a->len))
			continue;
		if (a->len > (size_t)e->cfg->limits.attachment_size) {
			in->docs[i].refused = xasprintf("the document is larger "
			    "than the %d KB a form may be", e->cfg->limits.
			    attachment_size / 1024);
			continue;
		}
		rc = worker_docx_to_text(a->data, a->len, &lim, DOCX_TIMEOUT,
		    &in->docs[i].text, why, sizeof(why));
		if (rc == WORKER_TEMP) {
			log_warnx("Word attachment not read now: %s", why);
			return -1;
		}
		if (rc == -1) {
			in->docs[i].text = NULL;
			in->docs[i].refused = xstrdup(why);
		}
	}
	return 0;
}

static void
free_docs(struct intake_input *in, size_t n)
{
	for (size_t i = 0; in->docs && i < n; i++) {
		free(in->docs[i].text);
		free(in->docs[i].refused);
	}
	free(in->docs);
	in->docs = NULL;
}

/* What the message means, decided by intake (reading its Word files when
 * intake asks), carried out by casework.  0, or -1 to abandon. */
static int
decide_and_apply(struct escbot *e, const struct message *m, const char *raw,
    size_t len, struct verdict *v, time_t now)
{
	struct intake_lookup look;
	struct intake_input in = { m, raw, len, NULL, 0, e->cfg, e->rules,
	    e->dir, e->cal, &look, now };
	int rc = -1;

	casework_lookup(e, &look);
	if (intake_decide(&in, v) == -1)
		goto done;
	if (v->kind == VERDICT_READ_DOCS) {
		verdict_free(v);
		if (read_docs(e, m, &in) == -1 || intake_decide(&in, v) == -1)
			goto done;
	}
	rc = casework_verdict(e, m, v, now);
done:
	free_docs(&in, m->nattachments);
	return rc;
}

int
mailbox_message(struct escbot *e, const char *raw, size_t len,
    uint32_t uidvalidity, uint32_t uid, char **folder)
{
	struct processed_msg pm;
	struct verdict v;
	struct message *m = NULL;
	char err[256], *fp, *known = NULL;
	time_t now = escbot_now(e);
	int rc;

	*folder = NULL;
	memset(&v, 0, sizeof(v));
	fp = fingerprint(raw, len);
	if ((rc = store_processed_find(e->store, fp, &known)) == 1) {
		/* Done before (a crash before the move, a re-delivery, a new
		 * UIDVALIDITY): only the move is left. */
		log_info("uid %u: already processed; moving to %s", uid, known);
		*folder = known;
		free(fp);
		return 0;
	}
	if (rc == -1 || store_begin(e->store) == -1)
		goto fail;
	v.kind = VERDICT_REJECT;
	if (len > (size_t)e->cfg->max_message_size)
		verdict_outcome(&v, "rejected", 1,
		    "message of %zu bytes is over max_message_size", len);
	else if (message_parse(raw, len, &m, err, sizeof(err)) == -1)
		verdict_outcome(&v, "rejected", 1, "unreadable message: %s", err);
	else if (m->message_id && m->from_addr &&
	    (rc = store_processed_find_id(e->store, m->message_id, m->from_addr,
	    &known)) != 0) {
		/* The same message delivered again with other trace headers:
		 * it goes where the first copy went, and nothing is done. */
		if (rc == -1)
			goto fail_txn;
		v.outcome = "duplicate";
		v.reason = xstrdup("a copy of a message already processed");
		v.rejected = strcmp(known, e->cfg->imap.rejected_folder) == 0;
	} else if (decide_and_apply(e, m, raw, len, &v, now) == -1)
		goto fail_txn;
	memset(&pm, 0, sizeof(pm));
	pm.uidvalidity = uidvalidity;
	pm.uid = uid;
	pm.fingerprint = fp;
	pm.message_id = m ? m->message_id : NULL;
	pm.sender = m ? m->from_addr : NULL;
	pm.outcome = v.outcome;
	pm.reason = v.reason;
	pm.folder = v.rejected ? e->cfg->imap.rejected_folder :
	    e->cfg->imap.processed_folder;
	pm.case_id = v.case_id;
	pm.at = now;
	if (store_processed_add(e->store, &pm) == -1 ||
	    store_commit(e->store) == -1)
		goto fail_txn;
	log_info("uid %u: %s: %s", uid, v.outcome, v.reason);
	*folder = xstrdup(pm.folder);
	message_free(m);
	verdict_free(&v);
	free(known);
	free(fp);
	return 0;
fail_txn:
	store_rollback(e->store);
fail:
	log_warnx("uid %u: not processed, left in the inbox: %s", uid,
	    store_error(e->store));
	message_free(m);
	verdict_free(&v);
	free(known);
	free(fp);
	return -1;
}

/* Date: of a raw message before `since` (a message without one is not). */
static int
older_than(const char *raw, size_t len, time_t since)
{
	struct message *m;
	char err[128];
	int old = 0;

	if (message_parse(raw, len, &m, err, sizeof(err)) == 0) {
		old = m->date != 0 && m->date < since;
		message_free(m);
	}
	return old;
}

/* At most imap.batch messages (and this many bytes, unless one message
 * is larger) are fetched, committed and moved together: two fetch round
 * trips, one commit and one MOVE per batch rather than per message. */
#define FETCH_BATCH_BYTES	(8 * 1024 * 1024)

static struct outage imap_outage;	/* while the mailbox cannot be reached */

/* Committed messages waiting to be moved, by destination folder. */
struct moves {
	struct {
		char		*folder;
		uint32_t	*uids;
		size_t		 n;
	} f[4];
	size_t	nf;
	size_t	n;		/* messages in all folders */
};

static void
moves_add(struct moves *mv, const char *folder, uint32_t uid)
{
	size_t i;

	for (i = 0; i < mv->nf; i++)
		if (strcmp(mv->f[i].folder, folder) == 0)
			break;
	if (i == mv->nf) {
		if (mv->nf == sizeof(mv->f) / sizeof(mv->f[0]))
			fatalx("mailbox: too many destination folders");
		mv->f[mv->nf++].folder = xstrdup(folder);
	}
	mv->f[i].uids = xreallocarray(mv->f[i].uids, mv->f[i].n + 1,
	    sizeof(uint32_t));
	mv->f[i].uids[mv->f[i].n++] = uid;
	mv->n++;
}

/* Move what is waiting.  0, or -1 (logged; *stop_at set to the first UID
 * not moved, so the next pass finds it again). */
static int
moves_flush(struct escbot *e, struct imap *im, struct moves *mv,
    uint32_t *stop_at)
{
	char err[512];
	int rc = 0;

	/* Nothing leaves the inbox before its record is on disk. */
	if (mv->n > 0 && store_sync(e->store) == -1) {
		for (size_t i = 0; i < mv->nf; i++)
			if (mv->f[i].n > 0 && (*stop_at == 0 ||
			    mv->f[i].uids[0] < *stop_at))
				*stop_at = mv->f[i].uids[0];
		rc = -1;
		goto done;
	}
	if (mv->n > 0)
		crashpoint("after-sync");
	for (size_t i = 0; i < mv->nf; i++) {
		if (mv->f[i].n == 0)
			continue;
		if (rc == 0 && imap_move_uids(im, mv->f[i].uids, mv->f[i].n,
		    mv->f[i].folder, err, sizeof(err)) != IMAP_OK) {
			log_warnx("imap: move of %zu message%s to %s: %s",
			    mv->f[i].n, mv->f[i].n == 1 ? "" : "s",
			    mv->f[i].folder, err);
			rc = -1;
		}
		if (rc == -1 && (*stop_at == 0 || mv->f[i].uids[0] < *stop_at))
			*stop_at = mv->f[i].uids[0];
		mv->f[i].n = 0;
	}
	if (rc == 0 && mv->n > 0)
		crashpoint("after-move");
done:
	for (size_t i = 0; i < mv->nf; i++)
		mv->f[i].n = 0;
	mv->n = 0;
	return rc;
}

static void
moves_free(struct moves *mv)
{
	for (size_t i = 0; i < mv->nf; i++) {
		free(mv->f[i].folder);
		free(mv->f[i].uids);
	}
	memset(mv, 0, sizeof(*mv));
}

/* The cursor stays at or before uid: the first UID not handled. */
static void
keep_back(uint32_t *stop_at, uint32_t uid)
{
	if (*stop_at == 0 || uid < *stop_at)
		*stop_at = uid;
}

static int
stopping(const struct escbot *e)
{
	return e->stop != NULL && *e->stop;
}

static void
show_progress(size_t i, size_t n, const struct timespec *t0)
{
	struct timespec t1;
	double secs;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0->tv_sec) +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
	fprintf(stderr, "\r%zu/%zu messages, %.1f per second ", i, n,
	    secs > 0 ? (double)i / secs : 0.0);
}

/*
 * Process fetched messages in one transaction (store.h's batch): each
 * message is its own unit, so one that fails is left in the inbox alone.
 * Only when the batch is committed are its messages queued for the move
 * and *handled advanced; if the commit fails, none of them is, and the
 * cursor stays before the batch.  Returns -1 when the pass should stop.
 */
static int
mailbox_batch(struct escbot *e, struct imap_msg *msgs, size_t got,
    uint32_t uidv, struct moves *mv, uint32_t *handled, uint32_t *stop_at,
    int *done, int *failed)
{
	struct { uint32_t uid; char *folder; } *ok;
	uint32_t next = *handled;
	size_t nok = 0, j;
	int rc = 0;

	ok = xcalloc(got, sizeof(*ok));
	if (store_batch_begin(e->store) == -1) {
		log_warnx("uid %u: not processed, left in the inbox: %s",
		    msgs[0].uid, store_error(e->store));
		rc = -1;
		goto fail;
	}
	for (j = 0; j < got && !stopping(e); j++) {
		struct imap_msg *m = &msgs[j];

		if (m->raw == NULL) {
			/* Listed, then gone before the fetch (another client
			 * moved it): the next pass looks again. */
			log_warnx("uid %u: no longer on the server", m->uid);
			keep_back(stop_at, m->uid);
			continue;
		}
		if (e->since && older_than(m->raw, m->len, e->since)) {
			/* run --since: a backfill limited to recent mail
			 * leaves older messages where they are. */
			log_debug("uid %u: before --since; left in the inbox",
			    m->uid);
			next = m->uid + 1;
			continue;
		}
		if (mailbox_message(e, m->raw, m->len, uidv, m->uid,
		    &ok[nok].folder) == -1) {
			/* Left in the inbox; the cursor stays before it so
			 * the next pass tries it again. */
			keep_back(stop_at, m->uid);
			(*failed)++;
			continue;
		}
		ok[nok++].uid = m->uid;
		next = m->uid + 1;
	}
	if (store_batch_commit(e->store) == -1) {
		log_warnx("uids %u-%u: not recorded, left in the inbox: %s",
		    msgs[0].uid, msgs[got - 1].uid, store_error(e->store));
		keep_back(stop_at, msgs[0].uid);
		*failed += (int)nok;
		rc = -1;
		goto fail;
	}
	crashpoint("after-commit");
	log_debug("uids %u-%u: %zu message%s committed", msgs[0].uid,
	    msgs[got - 1].uid, nok, nok == 1 ? "" : "s");
	for (size_t k = 0; k < nok; k++)
		moves_add(mv, ok[k].folder, ok[k].uid);
	*done += (int)nok;
	*handled = next;
fail:
	for (size_t k = 0; k < nok; k++)
		free(ok[k].folder);
	free(ok);
	for (j = 0; j < got; j++) {
		free(msgs[j].raw);
		msgs[j].raw = NULL;
	}
	return rc;
}

int
mailbox_imap_open(struct escbot *e, struct imap **out, char *err,
    size_t errlen)
{
	return account_imap_open(e->cfg, out, err, errlen);
}

/* A message the server will not give out is tried again after
 * REFUSED_RETRY_MIN seconds, doubling up to REFUSED_RETRY_MAX. */
#define REFUSED_RETRY_MIN	300
#define REFUSED_RETRY_MAX	(6 * 3600)

/* One pass over the folder. */
struct pass {
	struct escbot		*e;
	struct imap		*im;
	const char		*folder;
	uint32_t		 uidv;
	struct unfetchable	*held;	/* refused by the server before */
	size_t			 nheld;
	struct moves		 mv;
	uint32_t		 handled;	/* one past the last handled */
	uint32_t		 stop_at;	/* first not handled, or 0 */
	int			 done, failed, refused, broken;
};

static struct unfetchable *
held_find(struct pass *p, uint32_t uid)
{
	for (size_t i = 0; i < p->nheld; i++)
		if (p->held[i].uid == uid)
			return &p->held[i];
	return NULL;
}

/* Take the messages still waiting out their backoff out of uids (they
 * stay in the inbox, and the cursor before them), and forget the ones no
 * longer in the folder.  Returns the new count. */
static size_t
skip_held(struct pass *p, uint32_t *uids, size_t n, time_t now)
{
	size_t i, k = 0, j = 0;

	for (i = 0; i < n; i++) {
		while (j < p->nheld && p->held[j].uid < uids[i])
			(void)store_unfetchable_del(p->e->store, p->folder,
			    p->uidv, p->held[j++].uid);
		if (j < p->nheld && p->held[j].uid == uids[i] &&
		    p->held[j++].next_try > now) {
			log_debug("uid %u: refused by the server before; not "
			    "asked for again yet", uids[i]);
			keep_back(&p->stop_at, uids[i]);
			p->refused++;
			continue;
		}
		uids[k++] = uids[i];
	}
	while (j < p->nheld)
		(void)store_unfetchable_del(p->e->store, p->folder, p->uidv,
		    p->held[j++].uid);
	return k;
}

/* The server will not give this message out: it stays in the inbox, the
 * cursor before it; it is tried again with backoff, and the administrator
 * told (once a day) the first time. */
static void
refused(struct pass *p, uint32_t uid, const char *err)
{
	struct unfetchable *h = held_find(p, uid);
	time_t now = escbot_now(p->e), wait = REFUSED_RETRY_MIN;
	int attempts = h != NULL ? h->attempts + 1 : 1;
	char *note;

	for (int i = 1; i < attempts && wait < REFUSED_RETRY_MAX; i++)
		wait *= 2;
	if (wait > REFUSED_RETRY_MAX)
		wait = REFUSED_RETRY_MAX;
	keep_back(&p->stop_at, uid);
	p->refused++;
	log_warnx("uid %u: the server will not give this message out (%s); "
	    "left in the inbox, try %d, next in %lld s", uid, err, attempts,
	    (long long)wait);
	if (store_unfetchable_put(p->e->store, p->folder, p->uidv, uid,
	    attempts, now + wait, err) == -1)
		log_warnx("uid %u: %s", uid, store_error(p->e->store));
	if (attempts > 1)
		return;
	note = xasprintf("The server will not give out the message with UID "
	    "%u (UIDVALIDITY %u) in %s: %s. The other messages are processed; "
	    "this one stays in the mailbox and is tried again later. Open it "
	    "in a mail client, and forward it again if it is a form.", uid,
	    p->uidv, p->folder, err);
	if (casework_alert(p->e, "IMAP message", note) == -1)
		log_warnx("alert: %s", store_error(p->e->store));
	free(note);
}

/* Messages the server refused before and now gave out. */
static void
forget_refusals(struct pass *p, const uint32_t *uids, size_t got)
{
	for (size_t k = 0; k < got; k++) {
		if (held_find(p, uids[k]) == NULL)
			continue;
		log_info("uid %u: the server gives this message out again",
		    uids[k]);
		(void)store_unfetchable_del(p->e->store, p->folder, p->uidv,
		    uids[k]);
	}
}

/* Fetch, record and move the listed messages, batch by batch.  A batch
 * the server refuses is asked for one message at a time, so that the one
 * it will not give out is held back alone. */
static void
fetch_all(struct pass *p, const uint32_t *uids, size_t n)
{
	struct imap_msg *msgs;
	struct timespec t0;
	size_t batch = (size_t)p->e->cfg->imap.batch, got, want, solo_end = 0;
	char err[512];
	int rc, progress = n >= 20 && isatty(STDERR_FILENO);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	msgs = xcalloc(batch, sizeof(*msgs));
	for (size_t i = 0; i < n && !stopping(p->e); i += got) {
		if (progress)
			show_progress(i, n, &t0);
		want = i < solo_end ? 1 : n - i < batch ? n - i : batch;
		rc = imap_fetch_many(p->im, uids + i, want, FETCH_BATCH_BYTES,
		    msgs, &got, err, sizeof(err));
		if (rc == IMAP_ERR_REFUSED && want > 1) {
			log_warnx("imap: %s; fetching uids %u-%u one at a time",
			    err, uids[i], uids[i + want - 1]);
			solo_end = i + want;
			got = 0;
			continue;
		}
		if (rc == IMAP_ERR_REFUSED) {
			refused(p, uids[i], err);
			got = 1;
			continue;
		}
		if (rc != IMAP_OK) {
			log_warnx("imap: uid %u: %s", uids[i], err);
			p->broken = 1;
			break;
		}
		crashpoint("after-fetch");
		forget_refusals(p, uids + i, got);
		if (mailbox_batch(p->e, msgs, got, p->uidv, &p->mv, &p->handled,
		    &p->stop_at, &p->done, &p->failed) == -1 ||
		    moves_flush(p->e, p->im, &p->mv, &p->stop_at) == -1) {
			/* Left in the inbox, the cursor before them. */
			p->broken = 1;
			break;
		}
		/* Every message of the batch is committed, durable and moved:
		 * the cursor may pass it, unless one before it was not. */
		if (!p->stop_at)
			store_mailbox_set(p->e->store, p->folder, p->uidv,
			    p->handled);
	}
	free(msgs);
	if (progress)
		fprintf(stderr, "\r%zu/%zu messages done%20s\n", n, n, "");
}

int
mailbox_pass(struct escbot *e)
{
	struct pass p;
	uint32_t known_uidv = 0, next_uid = 1, *uids = NULL;
	size_t n = 0;
	char err[512];
	int rc;

	memset(&p, 0, sizeof(p));
	p.e = e;
	p.folder = e->cfg->imap.folder;
	if ((rc = mailbox_imap_open(e, &p.im, err, sizeof(err))) != IMAP_OK) {
		/* Once per outage, not once per poll. */
		outage_begin(&imap_outage, "imap: %s%s", err,
		    rc == IMAP_ERR_TEMP ? "; will retry" : "");
		snprintf(e->last_error, sizeof(e->last_error), "%s", err);
		return rc == IMAP_ERR_FINAL ? MAILBOX_FINAL : MAILBOX_TEMP;
	}
	outage_end(&imap_outage, "imap: %s reachable again", e->cfg->imap.host);
	p.uidv = imap_uidvalidity(p.im);
	if (store_mailbox_get(e->store, p.folder, &known_uidv, &next_uid) == 1 &&
	    known_uidv != p.uidv) {
		/* The server renumbered the folder: look at everything again;
		 * fingerprints keep what was done from being done twice. */
		log_warnx("imap: %s UIDVALIDITY changed (%u -> %u); rescanning",
		    p.folder, known_uidv, p.uidv);
		next_uid = 1;
	}
	if (known_uidv != p.uidv)
		next_uid = 1;
	if ((rc = imap_list_uids(p.im, next_uid, &uids, &n, err,
	    sizeof(err))) != 0) {
		log_warnx("imap: %s", err);
		imap_close(p.im);
		return rc == IMAP_ERR_FINAL ? MAILBOX_FINAL : MAILBOX_TEMP;
	}
	if (store_unfetchable_list(e->store, p.folder, p.uidv, &p.held,
	    &p.nheld) == -1)
		log_warnx("imap: messages refused before: %s",
		    store_error(e->store));
	n = skip_held(&p, uids, n, escbot_now(e));
	fetch_all(&p, uids, n);
	(void)moves_flush(e, p.im, &p.mv, &p.stop_at);
	moves_free(&p.mv);
	/* The cursor never passes a message that was not handled: the first
	 * one left behind, else the last one handled, else where it was. */
	store_mailbox_set(e->store, p.folder, p.uidv, p.stop_at ? p.stop_at :
	    p.handled ? p.handled : next_uid);
	free(uids);
	free(p.held);
	imap_close(p.im);
	/* A message not recorded or not given out stays in the inbox for a
	 * later pass, as does the rest after a lost connection: say so to a
	 * scheduler running "run --once". */
	return p.failed || p.refused || p.broken ? MAILBOX_TEMP : p.done;
}

/*
 * worker: the work that needs libcurl, libzip or libxml2 -- submitting
 * mail, asking an OAuth2 token endpoint, reading a Word document -- done in
 * a short-lived child process that loads bot/escbot-net.so (netplugin.h),
 * does it, reports back over a pipe and exits.  The daemon itself never
 * maps those libraries, so it stays small while it waits (make bench), and
 * a crash or a hang in a document parser or a TLS stack ends a child, not
 * the daemon: the message stays in the inbox, the email in the outbox.
 *
 * The child is a fork: it sees the caller's memory as it was, touches no
 * database and leaves with _exit().  Everything it hands back is copied
 * into memory the caller owns.  It shares the database lock (flock) with
 * the daemon, so a daemon killed in the middle of a send cannot be
 * replaced by one that sends the same email beside it; the orphan stops
 * at its next report, which has no reader (the email in hand is then sent
 * again, with the same Message-ID, as after any crash).
 */
#ifndef ESCBOT_WORKER_H
#define ESCBOT_WORKER_H

#include <signal.h>
#include <stddef.h>
#include <time.h>

#include "docx.h"
#include "fail.h"
#include "oauth.h"
#include "smtp.h"

struct worker_mail {
	const char	*rcpt;
	const char	*data;
	size_t		 len;
};

/* Called in the caller's process as each result comes back: mail i of the
 * batch, how far its failure reaches (FAIL_NONE when sent; fail.h) and
 * the server's words for the log (err, "" when sent). */
typedef void (*worker_mail_done)(void *arg, size_t i, enum fail,
    const char *err);

/*
 * Send mails[0..n) in order, from `from`, in one child.  The child stops
 * after the mail in hand when *stop (may be NULL) is set -- SIGTERM is
 * passed on to it -- and after a failure that is the server's
 * (FAIL_STOPS_ROUND).  Returns how many results came
 * back (the rest were not tried), or -1 when the child could not do its
 * work at all (err says why; temporary).
 */
int	worker_smtp_send(const struct smtp_params *, const char *from,
	    const struct worker_mail *mails, size_t n,
	    volatile sig_atomic_t *stop, worker_mail_done done, void *arg,
	    char *err, size_t errlen);

/* oauth_token() in a child, with the token kept in the caller's memory
 * until five minutes before it expires (so a child runs only for a new
 * one).  Same results and ownership as oauth_token(). */
int	worker_oauth_token(const struct oauth_params *, time_t now,
	    char **token, char *err, size_t errlen);
/* oauth_forget(): the token in memory, and (in a child) the cache file. */
void	worker_oauth_forget(const struct oauth_params *);
/* Forget every token held in memory (configuration reload). */
void	worker_oauth_reset(void);

/* docx_to_text() in a child.  -1 (err says why) when the document is
 * refused -- by the reader, or because the child crashed, was killed or
 * took longer than `timeout` seconds over it; WORKER_TEMP (-2) when no
 * child could read it at all (no fork, no plugin): try again later. */
#define WORKER_TEMP	(-2)
int	worker_docx_to_text(const char *data, size_t len,
	    const struct docx_limits *, int timeout, char **out, char *err,
	    size_t errlen);

#endif

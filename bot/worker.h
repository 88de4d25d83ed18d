/*
 * worker: the work that needs libcurl, libzip or libxml2 -- submitting
 * mail, asking an OAuth2 token endpoint, reading a Word document -- done in
 * a short-lived child process that loads bot/escbot-net.so (a Word
 * document: bot/escbot-docx.so; netplugin.h), does it, reports back over
 * a socket pair and exits.  The daemon itself never
 * maps those libraries, so it stays small while it waits (make bench), and
 * a crash or a hang in a document parser or a TLS stack ends a child, not
 * the daemon: the message stays in the inbox, the email in the outbox.
 *
 * The child is a fork: it sees the caller's memory as it was, touches no
 * database and leaves with _exit().  It keeps none of the caller's
 * descriptors but its socket, the standard streams and (a sending child)
 * the database lock, and runs under limits of memory (RLIMIT_AS), CPU
 * time and descriptors, so that no document or server can make it take
 * the machine.  Everything it hands back is copied
 * into memory the caller owns.  It shares the database lock (flock) with
 * the daemon, so a daemon killed in the middle of a send cannot be
 * replaced by one that sends the same email beside it.  A sending child
 * sends each next email only on the caller's go-ahead, given once the
 * last one's result is recorded, so a caller that cannot record (a full
 * disk) or is gone leaves at most the email in hand to be sent again,
 * with the same Message-ID, as after any crash.
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
 * the server's words for the log (err, "" when sent).  Returns 0 to go
 * on, -1 to end the batch at once (say, the result could not be
 * recorded): the child is killed, the mail in its hands unfinished. */
typedef int (*worker_mail_done)(void *arg, size_t i, enum fail,
    const char *err);

/*
 * Send mails[0..n) in order, from `from`, in one child.  The child keeps
 * no descriptor of the caller's but keep_fd (-1: none; the database lock,
 * so that it is held while the child sends) and the standard streams.  It
 * stops after the mail in hand when *stop (may be NULL) is set -- SIGTERM
 * is passed on to it -- and after a failure that is the server's or the
 * sender's (FAIL_STOPS_ROUND).  Returns how many results came back (the
 * rest were not tried), or -1 when the child could not do its work at all
 * (err says why; temporary).
 */
int	worker_smtp_send(const struct smtp_params *, const char *from,
	    const struct worker_mail *mails, size_t n, int keep_fd,
	    volatile sig_atomic_t *stop, worker_mail_done done, void *arg,
	    char *err, size_t errlen);

/* smtp_login() in a child: the login a send would make, and NOOP. */
enum fail worker_smtp_login(const struct smtp_params *, char *err,
	    size_t errlen);

/* oauth_token() in a child, with the token kept in the caller's memory
 * until five minutes before it expires (so a child runs only for a new
 * one).  Same results and ownership as oauth_token(). */
int	worker_oauth_token(const struct oauth_params *, time_t now,
	    char **token, char *err, size_t errlen);
/* oauth_forget(): the token in memory, and (in a child) the cache file. */
void	worker_oauth_forget(const struct oauth_params *);
/* Forget every token held in memory (configuration reload). */
void	worker_oauth_reset(void);

/* docx_to_text() in a child that may use 512 MiB of memory beyond what
 * the fork starts with, 20 s of CPU, 16 descriptors and write no file.
 * -1 (err says why, in words for the sender) when the document is
 * refused -- by the reader, or because the child crashed, ran out of
 * memory or CPU, or took longer than `timeout` seconds over it;
 * WORKER_TEMP (-2) when no child could read it at all (no fork, no
 * plugin): try again later. */
#define WORKER_TEMP	(-2)
int	worker_docx_to_text(const char *data, size_t len,
	    const struct docx_limits *, int timeout, char **out, char *err,
	    size_t errlen);

/* For worker.c's own tests: a child confined as the Word reader's is.
 * WORKER_PROBE_REPORT: 0 and *out (the caller frees) lists what the child
 * sees: "fd N" for each open descriptor, then "as N", "cpu N", "nofile N"
 * and "fsize N" (its soft limits, -1 unlimited).  WORKER_PROBE_HANG: the
 * child never answers; after `timeout` seconds it is killed and reaped and
 * -1 returned (err), as for any worker that is too late. */
enum worker_probe { WORKER_PROBE_REPORT, WORKER_PROBE_HANG };
int	worker_probe(enum worker_probe, int timeout, char **out, char *err,
	    size_t errlen);

#endif

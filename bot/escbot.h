/*
 * escbot: what one running instance holds -- its configuration, rules,
 * directory, calendar and store -- and the clock it acts by (the real one,
 * or the --now time a test or a what-if question gives).  Loading checks
 * everything and reports every mistake as file:line before anything runs.
 */
#ifndef ESCBOT_ESCBOT_H
#define ESCBOT_ESCBOT_H

#include <signal.h>
#include <stdio.h>
#include <time.h>

#include "mailer.h"

struct calendar;
struct config;
struct diag;
struct directory;
struct ruleset;
struct store;

#define ESCBOT_VERSION	"0.1.0"

struct themes;	/* themes.h */

struct escbot {
	struct config		*cfg;
	struct ruleset		*rules;
	struct directory	*dir;
	struct calendar		*cal;
	struct store		*store;
	struct themes		*themes;	/* for the board's reports */
	time_t			 now_fixed;	/* --now, 0 for the real clock */
	time_t			 since;		/* run --since: older mail left alone */
	volatile sig_atomic_t	*stop;		/* set by SIGTERM: finish the
						   message in hand, then stop */
	char			 last_error[512];	/* of the last failed fetch */
	int			 lock_fd;
	/* The Message-ID key, <database>.key (escbot_open_store). */
	unsigned char		 msgid_key[MAILER_KEY_LEN];
};

/* Load config, rules, forms, directory, calendar and check templates. */
int	escbot_load(struct escbot *, const char *config_path, struct diag *);
/* What is not wrong but will surprise: directory agencies at domains
 * outside allowed_sender_domains, a holiday file that ends within twelve
 * months of `now`.  One "file: warning: ..." line each on fp; how many. */
int	escbot_warnings(const struct escbot *, time_t now, FILE *fp);
/* Open the database, with the instance lock: LOCK_NEED (run, tick,
 * sending) fails when another escbot holds it; LOCK_TRY takes it when
 * free (e->lock_fd != -1 says); LOCK_NONE reads only.  Loads the
 * Message-ID key from <database>.key into e->msgid_key, creating it (32
 * random bytes, mode 0600) the first time; a key file open to group or
 * others, or not 32 bytes, is refused with the reason in err. */
enum escbot_lock { LOCK_NONE, LOCK_TRY, LOCK_NEED };
int	escbot_open_store(struct escbot *, enum escbot_lock, char *err,
	    size_t errlen);
void	escbot_unload(struct escbot *);
/* Re-read everything from `path` (SIGHUP).  On any error the running
 * configuration is kept and -1 returned; the store and lock stay open. */
int	escbot_reload(struct escbot *, const char *path, struct diag *);
time_t	escbot_now(const struct escbot *);

#endif

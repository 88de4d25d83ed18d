/*
 * util: allocation wrappers that abort on out-of-memory, a growable string
 * buffer and small string helpers shared by every subsystem.  Everything
 * returned by x*() and sb_steal() is owned by the caller and freed with free().
 */
#ifndef ESCBOT_UTIL_H
#define ESCBOT_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));

/* Growable NUL-terminated buffer.  Zero-initialise before use. */
struct strbuf {
	char	*buf;
	size_t	 len;
	size_t	 cap;
};

void	 sb_add(struct strbuf *, const char *, size_t);
void	 sb_adds(struct strbuf *, const char *);
void	 sb_addc(struct strbuf *, char);
void	 sb_addf(struct strbuf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 sb_vaddf(struct strbuf *, const char *, va_list);
/* Returns the buffer (never NULL, "" when empty); the strbuf is reset. */
char	*sb_steal(struct strbuf *);
void	 sb_reset(struct strbuf *);

/* ASCII-only helpers (locale independent). */
int	 str_casecmp(const char *, const char *);
int	 str_ncasecmp(const char *, const char *, size_t);
/* Case-insensitive substring search; NULL if absent. */
const char *str_casestr(const char *, const char *);
/* Trim ASCII whitespace in place; returns its argument. */
char	*str_trim(char *);
/* Copy with every CR, LF and other C0 control replaced by a space. */
char	*str_header_safe(const char *);
/* 1 for "localhost", 127.x.y.z and ::1 (with or without brackets): hosts
 * where plain text never leaves the machine. */
int	 host_is_loopback(const char *host);
/* Write a message into a caller's error buffer (err may be NULL or
 * errlen 0); control characters become spaces so it stays one log line. */
void	 errf(char *err, size_t errlen, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* The "dir/name" paths of the *.conf files in dir, dotfiles skipped
 * (editor and resource-fork droppings), sorted by name: 0 and *paths
 * (NULL-terminated; free with conf_files_free) and *n, or -1 (errno set)
 * when dir cannot be read. */
int	 conf_files(const char *dir, char ***paths, size_t *n);
void	 conf_files_free(char **paths);
/* 0 if the whole file was read into *out (NUL-terminated), -1 otherwise. */
int	 file_read_all(const char *, char **out, size_t *lenp);

/*
 * Fault injection for the crash tests, in the spirit of mbsync's -Tj.
 * With ESCBOT_CRASH_AT=step in the environment, crashpoint("step")
 * logs one line and abort()s the process at that step of ingest or
 * sending; with any other value, or none, it does nothing.  The steps:
 *
 *   after-fetch    a batch of messages fetched, nothing recorded yet
 *   after-commit   the batch's transaction committed, not yet synced
 *   after-sync     the commit synced to disk, nothing moved yet
 *   after-move     the batch moved out of the inbox, cursor not advanced
 *   after-send     an email accepted by the SMTP server, not yet recorded
 *   after-record   the send recorded as sent
 *
 * Always compiled in; the environment is read once, at the first call.
 */
void	 crashpoint(const char *step);

#endif

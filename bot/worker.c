/*
 * worker: libcurl, libzip and libxml2 work in short-lived child processes
 * (worker.h).  A child is forked with a pipe back to the caller, loads
 * escbot-net.so, or escbot-docx.so to read a Word document (found beside
 * the escbot binary, as in the build tree, or in ../lib/escbot as
 * installed), does one job and writes fixed-size
 * records, each followed by its strings, then leaves with _exit() so that
 * nothing of the caller's (atexit handlers, stdio buffers, SQLite) runs
 * twice.  The caller reads with a deadline and reaps the child; a child
 * that dies or hangs is reported as a failure of its job, never of escbot.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "netplugin.h"
#include "util.h"
#include "worker.h"

#define TOKEN_MARGIN	300	/* seconds a cached token must still have */
#define FORGET_TIMEOUT	30	/* seconds to remove a token cache file */
#define MAX_STRING	(256u * 1024 * 1024)	/* sanity bound on a reply */
#define MIB		(1024u * 1024)

/* AddressSanitizer reserves terabytes of address space: no RLIMIT_AS. */
#if defined(__SANITIZE_ADDRESS__)
#define NO_AS_LIMIT	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NO_AS_LIMIT	1
#endif
#endif

/*
 * What a child may use, set in the child before it does anything: address
 * space beyond what the fork already has mapped (the plugin and its
 * libraries, the parser's and TLS stack's heaps must fit), CPU seconds
 * (SIGXCPU ends it), descriptors, and whether it may write files.
 */
struct child_limits {
	size_t	as_extra;	/* bytes */
	rlim_t	cpu;		/* seconds */
	rlim_t	nofile;
	int	no_files;	/* RLIMIT_FSIZE 0 */
};

static const struct child_limits smtp_limits = { 256 * MIB, 120, 64, 0 };
static const struct child_limits oauth_limits = { 256 * MIB, 60, 32, 0 };
static const struct child_limits docx_child_limits = { 512 * MIB, 20, 16, 1 };

/* ---------------------------------------------------------- in the child */

/* A plugin's table (netplugin.h): linked into this program already (the
 * test tools, which link everything), else the library `file` loaded from
 * beside the binary or ../lib/escbot. */
static const struct net_plugin *
plugin_load(const char *file, const char *symbol, char *err, size_t errlen)
{
	const struct net_plugin *(*get)(void);
	const struct net_plugin *np;
	char exe[PATH_MAX], path[PATH_MAX + 64], *slash;
	void *h = NULL, *sym;
	ssize_t n;

	if ((sym = dlsym(RTLD_DEFAULT, symbol)) == NULL) {
		if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) <= 0) {
			errf(err, errlen, "worker: /proc/self/exe: %s",
			    strerror(errno));
			return NULL;
		}
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL)
			*slash = '\0';
		for (size_t i = 0; h == NULL && i < 2; i++) {
			if (snprintf(path, sizeof(path), i ? "%s/../lib/escbot/%s" :
			    "%s/%s", exe, file) >= (int)sizeof(path))
				continue;
			h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
		}
		if (h == NULL) {
			errf(err, errlen, "worker: cannot load %s beside %s or "
			    "in %s/../lib/escbot: %s", file, exe, exe, dlerror());
			return NULL;
		}
		if ((sym = dlsym(h, symbol)) == NULL) {
			errf(err, errlen, "worker: %s has no %s", file, symbol);
			return NULL;
		}
	}
	/* A function pointer from dlsym(): POSIX guarantees the cast. */
	memcpy(&get, &sym, sizeof(get));
	np = get();
	if (np->version != NET_PLUGIN_VERSION) {
		errf(err, errlen, "worker: %s is from another version of "
		    "escbot (table %d, not %d)", file, np->version,
		    NET_PLUGIN_VERSION);
		return NULL;
	}
	if (np->smtp_global_init != NULL)
		np->smtp_global_init();
	return np;
}

/* The mail and OAuth2 plugin; the Word reader's, smaller. */
static const struct net_plugin *
net_plugin(char *err, size_t errlen)
{
	return plugin_load(NET_PLUGIN_FILE, NET_PLUGIN_SYMBOL, err, errlen);
}

#ifndef NO_AS_LIMIT
/* Bytes of address space mapped now (/proc/self/statm), 0 if unknown. */
static size_t
mapped_now(void)
{
	unsigned long pages = 0;
	FILE *f;

	if ((f = fopen("/proc/self/statm", "re")) == NULL)
		return 0;
	if (fscanf(f, "%lu", &pages) != 1)
		pages = 0;
	fclose(f);
	return (size_t)pages * (size_t)sysconf(_SC_PAGESIZE);
}
#endif

/* Close every descriptor from `from` up to and including `to`. */
static int
close_span(unsigned from, unsigned to)
{
	if (from > to)
		return 0;
	if (close_range(from, to, 0) == 0)
		return 0;
	if (errno != ENOSYS)
		return -1;
	for (long fd = from, max = sysconf(_SC_OPEN_MAX); fd <= (long)to &&
	    fd < max; fd++)
		(void)close((int)fd);
	return 0;
}

/*
 * Under valgrind (make check-valgrind) the client's descriptors and
 * address space are valgrind's to manage: closing its descriptors or
 * limiting them or the address space fails.  There only the CPU and
 * file-size limits are set.
 */
static int
under_valgrind(void)
{
	const char *p = getenv("LD_PRELOAD");

	return p != NULL && strstr(p, "vgpreload") != NULL;
}

/*
 * In the child: close every descriptor it inherited but the standard
 * streams (the log is stderr), its pipe and `keep` (-1: none), then set
 * its limits.  0, or -1 (the child must not go on).
 */
static int
child_confine(int pipefd, int keep, const struct child_limits *l)
{
	int kept[2] = { keep < pipefd ? keep : pipefd,
	    keep < pipefd ? pipefd : keep };
	unsigned from = 3;
	struct rlimit r;
	int vg = under_valgrind();

	for (int i = 0; i < 2 && !vg; i++) {
		if (kept[i] < (int)from)
			continue;
		if (close_span(from, (unsigned)kept[i] - 1) == -1)
			return -1;
		from = (unsigned)kept[i] + 1;
	}
	if (!vg && close_span(from, ~0U) == -1)
		return -1;
#ifndef NO_AS_LIMIT
	if (!vg) {
		size_t as = mapped_now();

		r.rlim_cur = r.rlim_max = (rlim_t)(as + l->as_extra);
		if (as != 0 && setrlimit(RLIMIT_AS, &r) == -1)
			return -1;
	}
#endif
	r.rlim_cur = l->cpu;
	r.rlim_max = l->cpu + 5;	/* SIGXCPU first, SIGKILL after */
	if (setrlimit(RLIMIT_CPU, &r) == -1)
		return -1;
	r.rlim_cur = r.rlim_max = l->nofile;
	if (!vg && setrlimit(RLIMIT_NOFILE, &r) == -1)
		return -1;
	if (l->no_files) {
		r.rlim_cur = r.rlim_max = 0;
		if (setrlimit(RLIMIT_FSIZE, &r) == -1)
			return -1;
	}
	return 0;
}

static int
write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* ----------------------------------------------------- in the caller */

struct child {
	pid_t	pid;
	int	fd;
	int	forwarded;	/* SIGTERM passed on */
};

/*
 * Fork a child that runs job(fd, arg) within limits `l`, holding no
 * descriptor of the caller's but its end of a socket pair (answers go up
 * it; a sending child waits on it for the go-ahead before each next
 * email) and `keep` (-1: none), and exits with what job returns (127 when
 * it could not be confined).
 */
static int
child_start(struct child *c, const struct child_limits *l, int keep,
    int (*job)(int fd, void *arg), void *arg, char *err, size_t errlen)
{
	int p[2];

	memset(c, 0, sizeof(*c));
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) == -1) {
		errf(err, errlen, "worker: socketpair: %s", strerror(errno));
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	if ((c->pid = fork()) == -1) {
		errf(err, errlen, "worker: fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (c->pid == 0) {
		close(p[0]);
		if (child_confine(p[1], keep, l) == -1)
			_exit(127);
		_exit(job(p[1], arg));
	}
	close(p[1]);
	c->fd = p[0];
	return 0;
}

/*
 * Read exactly len bytes by `deadline` (monotonic seconds; 0: none).
 * 1: read; 0: the child closed the pipe before the first byte; -1: it
 * closed it in the middle, or the deadline passed (err says which).
 * A signal that sets *stop is passed on to the child once.
 */
static int
child_read(struct child *c, void *buf, size_t len, time_t deadline,
    volatile sig_atomic_t *stop, char *err, size_t errlen)
{
	char *p = buf;
	size_t got = 0;
	struct timespec now;
	struct pollfd pfd;
	ssize_t n;
	int wait_ms, rc;

	while (got < len) {
		if (stop != NULL && *stop && !c->forwarded) {
			kill(c->pid, SIGTERM);
			c->forwarded = 1;
		}
		wait_ms = -1;
		if (deadline != 0) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec >= deadline) {
				errf(err, errlen, "worker: no answer in time; "
				    "stopped");
				return -1;
			}
			wait_ms = (int)(deadline - now.tv_sec) * 1000;
		}
		pfd.fd = c->fd;
		pfd.events = POLLIN;
		if ((rc = poll(&pfd, 1, wait_ms)) == -1) {
			if (errno == EINTR)
				continue;
			errf(err, errlen, "worker: poll: %s", strerror(errno));
			return -1;
		}
		if (rc == 0)
			continue;	/* time is up: said above */
		if ((n = read(c->fd, p + got, len - got)) == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			errf(err, errlen, "worker: read: %s", strerror(errno));
			return -1;
		}
		if (n == 0) {
			if (got == 0)
				return 0;
			errf(err, errlen, "worker: answer cut short");
			return -1;
		}
		got += (size_t)n;
	}
	return 1;
}

/* A string of len bytes that follows a record: NUL-terminated, the
 * caller's to free. */
static char *
child_read_string(struct child *c, uint64_t len, time_t deadline,
    volatile sig_atomic_t *stop, char *err, size_t errlen)
{
	char *s;

	if (len > MAX_STRING) {
		errf(err, errlen, "worker: answer of %llu bytes refused",
		    (unsigned long long)len);
		return NULL;
	}
	s = xmalloc((size_t)len + 1);
	if (len > 0 && child_read(c, s, (size_t)len, deadline, stop, err,
	    errlen) != 1) {
		if (err[0] == '\0')
			errf(err, errlen, "worker: answer cut short");
		free(s);
		return NULL;
	}
	s[len] = '\0';
	return s;
}

/* Close the pipe and reap the child (killed first when `kill_it`).  0 when
 * it exited 0; else -1 and, unless err already holds a reason, why. */
static int
child_end(struct child *c, int kill_it, char *err, size_t errlen)
{
	int st;

	close(c->fd);
	if (kill_it)
		kill(c->pid, SIGKILL);
	while (waitpid(c->pid, &st, 0) == -1)
		if (errno != EINTR) {
			errf(err, errlen, "worker: waitpid: %s",
			    strerror(errno));
			return -1;
		}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (err[0] == '\0') {
		if (WIFSIGNALED(st))
			errf(err, errlen, "worker: stopped by signal %d",
			    WTERMSIG(st));
		else
			errf(err, errlen, "worker: exit status %d",
			    WEXITSTATUS(st));
	}
	return -1;
}

static time_t
deadline_in(int seconds)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec + seconds;
}

/*
 * For a child that answers nothing: wait up to `seconds` for it to close
 * its pipe, then close ours and reap it -- killed when it is late or says
 * anything.  Always ends the child.  0 when it exited 0, else -1 (err).
 */
static int
child_finish(struct child *c, int seconds, char *err, size_t errlen)
{
	char byte;
	int rc;

	rc = child_read(c, &byte, 1, deadline_in(seconds), NULL, err, errlen);
	if (rc == 1)
		errf(err, errlen, "worker: unexpected answer");
	return child_end(c, rc != 0, err, errlen) == -1 || rc != 0 ? -1 : 0;
}

/* ------------------------------------------------------------------ smtp */

struct mail_rec {
	uint32_t	index;		/* UINT32_MAX: the child could not start */
	int32_t		result;
	uint32_t	errlen;
};

struct smtp_job {
	const struct smtp_params	*p;
	const char			*from;
	const struct worker_mail	*mails;
	size_t				 n;
	volatile sig_atomic_t		*stop;
};

static int
smtp_job(int fd, void *arg)
{
	struct smtp_job *j = arg;
	const struct net_plugin *np;
	struct smtp_session *session;
	struct mail_rec r;
	char err[1024] = "", go;
	int rc = 0;

	if ((np = net_plugin(err, sizeof(err))) == NULL) {
		r.index = UINT32_MAX;
		r.result = FAIL_TEMP;
		r.errlen = (uint32_t)strlen(err);
		return write_full(fd, &r, sizeof(r)) == -1 ||
		    write_full(fd, err, r.errlen) == -1 ? 1 : 0;
	}
	/* One connection, TLS handshake and login for the whole batch. */
	session = np->smtp_session_new();
	for (size_t i = 0; i < j->n; i++) {
		if (j->stop != NULL && *j->stop)
			break;
		err[0] = '\0';
		r.index = (uint32_t)i;
		r.result = np->smtp_session_send(session, j->p, j->from,
		    j->mails[i].rcpt, j->mails[i].data, j->mails[i].len, err,
		    sizeof(err));
		if (r.result == FAIL_NONE)
			err[0] = '\0';
		r.errlen = (uint32_t)strlen(err);
		if (write_full(fd, &r, sizeof(r)) == -1 ||
		    write_full(fd, err, r.errlen) == -1) {
			rc = 1;
			break;
		}
		if (FAIL_STOPS_ROUND(r.result))
			break;
		/* The next email only once this one's result is recorded:
		 * a caller that cannot record it stops the batch here, with
		 * nothing more sent (a read of 0: it went away). */
		if (i + 1 < j->n && read(fd, &go, 1) != 1)
			break;
	}
	np->smtp_session_free(session);
	return rc;
}

int
worker_smtp_send(const struct smtp_params *p, const char *from,
    const struct worker_mail *mails, size_t n, int keep_fd,
    volatile sig_atomic_t *stop, worker_mail_done done, void *arg, char *err,
    size_t errlen)
{
	struct smtp_job j = { p, from, mails, n, stop };
	struct child c;
	struct mail_rec r;
	char *text;
	int got = 0, rc, failed = 0;
	/* curl gives up on a message after p->timeout; this is a backstop
	 * against a child that hangs anyway. */
	int per_mail = (p->timeout > 0 ? p->timeout : 60) * 2 + 30;

	err[0] = '\0';
	if (n == 0)
		return 0;
	if (child_start(&c, &smtp_limits, keep_fd, smtp_job, &j, err,
	    errlen) == -1)
		return -1;
	for (;;) {
		rc = child_read(&c, &r, sizeof(r), deadline_in(per_mail), stop,
		    err, errlen);
		if (rc == 0)
			break;
		if (rc == -1) {
			failed = 1;
			break;
		}
		if (r.index == UINT32_MAX) {
			/* The child could not load the plugin. */
			if ((text = child_read_string(&c, r.errlen, 0, NULL,
			    err, errlen)) != NULL) {
				errf(err, errlen, "%s", text);
				free(text);
			}
			failed = 1;
			break;
		}
		if (r.index != (uint32_t)got || r.index >= n) {
			errf(err, errlen, "worker: answer out of order");
			failed = 1;
			break;
		}
		if ((text = child_read_string(&c, r.errlen,
		    deadline_in(per_mail), stop, err, errlen)) == NULL) {
			failed = 1;
			break;
		}
		rc = done(arg, r.index, (enum fail)r.result, text);
		free(text);
		got++;
		if (rc == -1) {
			/* The caller cannot go on: end the child now; it waits
			 * for the go-ahead, so nothing more is sent. */
			(void)child_end(&c, 1, err, errlen);
			return got;
		}
		/* Recorded: the go-ahead for the next one. */
		if ((size_t)got < n && !FAIL_STOPS_ROUND(r.result) &&
		    send(c.fd, "g", 1, MSG_NOSIGNAL) != 1) {
			errf(err, errlen, "worker: go-ahead: %s",
			    strerror(errno));
			failed = 1;
			break;
		}
	}
	if (child_end(&c, failed, err, errlen) == -1 && got == 0)
		return -1;
	if (failed && got == 0)
		return -1;
	if (failed || err[0] != '\0')
		log_warnx("smtp: %s after %d of %zu emails", err, got, n);
	return got;
}

/* A login check: one record (result, length of the words) and the words. */
struct login_rec {
	int32_t		result;
	uint32_t	errlen;
};

static int
login_job(int fd, void *arg)
{
	const struct smtp_params *p = arg;
	const struct net_plugin *np;
	struct login_rec r = { FAIL_TEMP, 0 };
	char err[1024] = "";

	if ((np = net_plugin(err, sizeof(err))) != NULL)
		r.result = np->smtp_login(p, err, sizeof(err));
	r.errlen = (uint32_t)strlen(err);
	return write_full(fd, &r, sizeof(r)) == -1 ||
	    write_full(fd, err, r.errlen) == -1 ? 1 : 0;
}

enum fail
worker_smtp_login(const struct smtp_params *p, char *err, size_t errlen)
{
	struct login_rec r;
	struct child c;
	char *text;
	int timeout = (p->timeout > 0 ? p->timeout : 60) * 2 + 30;

	err[0] = '\0';
	if (child_start(&c, &smtp_limits, -1, login_job, (void *)p, err,
	    errlen) == -1)
		return FAIL_TEMP;
	if (child_read(&c, &r, sizeof(r), deadline_in(timeout), NULL, err,
	    errlen) != 1 || (text = child_read_string(&c, r.errlen,
	    deadline_in(timeout), NULL, err, errlen)) == NULL) {
		if (err[0] == '\0')
			errf(err, errlen, "smtp: the login check ended "
			    "without an answer");
		(void)child_end(&c, 1, err, errlen);
		return FAIL_TEMP;
	}
	(void)child_end(&c, 0, err, errlen);
	errf(err, errlen, "%s", text);
	free(text);
	return (enum fail)r.result;
}

/* ----------------------------------------------------------------- oauth */

struct token_rec {
	int32_t		rc;
	uint32_t	toklen;
	uint32_t	errlen;
	int64_t		until;
};

struct oauth_job {
	const struct oauth_params	*p;
	time_t				 now;
	int				 forget;
};

static int
oauth_job(int fd, void *arg)
{
	struct oauth_job *j = arg;
	const struct net_plugin *np;
	struct token_rec r = { OAUTH_ERR_TEMP, 0, 0, 0 };
	char err[512] = "", *token = NULL;
	time_t until = 0;
	int rc;

	np = net_plugin(err, sizeof(err));
	if (j->forget) {
		if (np == NULL) {
			log_warnx("%s", err);
			return 1;
		}
		np->oauth_forget(j->p);
		return 0;
	}
	if (np != NULL)
		r.rc = np->oauth_token_until(j->p, j->now, &token, &until,
		    err, sizeof(err));
	r.toklen = token ? (uint32_t)strlen(token) : 0;
	r.errlen = r.rc == OAUTH_OK ? 0 : (uint32_t)strlen(err);
	r.until = (int64_t)until;
	rc = write_full(fd, &r, sizeof(r)) == -1 ||
	    write_full(fd, token ? token : "", r.toklen) == -1 ||
	    write_full(fd, err, r.errlen) == -1;
	if (token != NULL) {
		explicit_bzero(token, strlen(token));
		free(token);
	}
	return rc;
}

/* Tokens held by the caller: one per (endpoint, client, scope, grant). */
static struct held_token {
	char	*key;
	char	*token;
	time_t	 until;
} held[4];

static char *
token_key(const struct oauth_params *p)
{
	return xasprintf("%s\n%s\n%s\n%d\n%s", p->token_url, p->client_id,
	    p->scope ? p->scope : "", (int)p->grant,
	    p->token_cache ? p->token_cache : "");
}

static void
held_clear(struct held_token *h)
{
	if (h->token != NULL) {
		explicit_bzero(h->token, strlen(h->token));
		free(h->token);
	}
	free(h->key);
	memset(h, 0, sizeof(*h));
}

static struct held_token *
held_find(const char *key)
{
	for (size_t i = 0; i < sizeof(held) / sizeof(held[0]); i++)
		if (held[i].key != NULL && strcmp(held[i].key, key) == 0)
			return &held[i];
	return NULL;
}

int
worker_oauth_token(const struct oauth_params *p, time_t now, char **token,
    char *err, size_t errlen)
{
	struct oauth_job j = { p, now, 0 };
	struct held_token *h;
	struct token_rec r;
	struct child c;
	char *key = token_key(p), *tok = NULL, *why = NULL;
	int rc = OAUTH_ERR_TEMP;
	int timeout = (p->timeout > 0 ? p->timeout : 30) + 30;

	*token = NULL;
	err[0] = '\0';
	if ((h = held_find(key)) != NULL && h->until - now >= TOKEN_MARGIN) {
		*token = xstrdup(h->token);
		free(key);
		return OAUTH_OK;
	}
	if (child_start(&c, &oauth_limits, -1, oauth_job, &j, err,
	    errlen) == -1)
		goto done;
	if (child_read(&c, &r, sizeof(r), deadline_in(timeout), NULL, err,
	    errlen) != 1 ||
	    (tok = child_read_string(&c, r.toklen, deadline_in(timeout), NULL,
	    err, errlen)) == NULL ||
	    (why = child_read_string(&c, r.errlen, deadline_in(timeout), NULL,
	    err, errlen)) == NULL) {
		if (err[0] == '\0')
			errf(err, errlen, "oauth2: the token request ended "
			    "without an answer");
		(void)child_end(&c, 1, err, errlen);
		goto done;
	}
	if (child_end(&c, 0, err, errlen) == -1 && r.rc == OAUTH_OK) {
		/* The answer came whole; the exit status is not its. */
		err[0] = '\0';
	}
	rc = r.rc;
	if (rc != OAUTH_OK) {
		errf(err, errlen, "%s", why);
		goto done;
	}
	if (h == NULL) {
		for (size_t i = 0; h == NULL && i < sizeof(held) /
		    sizeof(held[0]); i++)
			if (held[i].key == NULL)
				h = &held[i];
		if (h == NULL)
			h = &held[0];
	}
	held_clear(h);
	h->key = key;
	key = NULL;
	h->token = xstrdup(tok);
	h->until = (time_t)r.until;
	*token = tok;
	tok = NULL;
	err[0] = '\0';
done:
	if (tok != NULL) {
		explicit_bzero(tok, strlen(tok));
		free(tok);
	}
	free(why);
	free(key);
	return rc;
}

void
worker_oauth_forget(const struct oauth_params *p)
{
	struct oauth_job j = { p, 0, 1 };
	struct held_token *h;
	struct child c;
	char *key = token_key(p), err[256] = "";

	if ((h = held_find(key)) != NULL)
		held_clear(h);
	free(key);
	/* The cache file is the plugin's to remove. */
	if (p->token_cache == NULL || p->token_cache[0] == '\0')
		return;
	if (child_start(&c, &oauth_limits, -1, oauth_job, &j, err,
	    sizeof(err)) == -1 || child_finish(&c, FORGET_TIMEOUT, err,
	    sizeof(err)) == -1)
		log_warnx("oauth2: token_cache %s not removed: %s",
		    p->token_cache, err);
}

void
worker_oauth_reset(void)
{
	for (size_t i = 0; i < sizeof(held) / sizeof(held[0]); i++)
		held_clear(&held[i]);
}

/* ------------------------------------------------------------------ docx */

struct docx_rec {
	int32_t		rc;
	uint32_t	errlen;
	uint64_t	textlen;
};

struct docx_job {
	const char			*data;
	size_t				 len;
	const struct docx_limits	*lim;
};

static int
docx_job(int fd, void *arg)
{
	struct docx_job *j = arg;
	const struct net_plugin *np;
	struct docx_rec r = { -1, 0, 0 };
	char err[512] = "", *text = NULL;
	int rc;

	if ((np = plugin_load(DOCX_PLUGIN_FILE, DOCX_PLUGIN_SYMBOL, err,
	    sizeof(err))) != NULL)
		r.rc = np->docx_to_text(j->data, j->len, j->lim, &text, err,
		    sizeof(err));
	else
		r.rc = WORKER_TEMP;
	r.textlen = r.rc == 0 && text ? strlen(text) : 0;
	r.errlen = r.rc == 0 ? 0 : (uint32_t)strlen(err);
	rc = write_full(fd, &r, sizeof(r)) == -1 ||
	    write_full(fd, text ? text : "", (size_t)r.textlen) == -1 ||
	    write_full(fd, err, r.errlen) == -1;
	free(text);
	return rc;
}

int
worker_docx_to_text(const char *data, size_t len,
    const struct docx_limits *lim, int timeout, char **out, char *err,
    size_t errlen)
{
	struct docx_job j = { data, len, lim };
	struct docx_rec r;
	struct child c;
	char *text = NULL, *why = NULL;
	time_t deadline = deadline_in(timeout > 0 ? timeout : 60);

	*out = NULL;
	err[0] = '\0';
	if (child_start(&c, &docx_child_limits, -1, docx_job, &j, err,
	    errlen) == -1)
		return WORKER_TEMP;
	if (child_read(&c, &r, sizeof(r), deadline, NULL, err, errlen) != 1 ||
	    (text = child_read_string(&c, r.textlen, deadline, NULL, err,
	    errlen)) == NULL ||
	    (why = child_read_string(&c, r.errlen, deadline, NULL, err,
	    errlen)) == NULL) {
		/* Killed, crashed, too slow or out of memory: the document
		 * is refused, with a reason for its sender. */
		(void)child_end(&c, 1, err, errlen);
		log_warnx("Word reader: %s", err[0] ? err : "no answer");
		errf(err, errlen, "the document could not be read within the "
		    "time and memory allowed for a Word document");
		free(text);
		return -1;
	}
	(void)child_end(&c, 0, err, errlen);
	if (r.rc == WORKER_TEMP) {
		/* The child could not load the reader. */
		errf(err, errlen, "%s", why);
		free(why);
		free(text);
		return WORKER_TEMP;
	}
	if (r.rc != 0) {
		errf(err, errlen, "%s", why);
		free(why);
		free(text);
		return -1;
	}
	free(why);
	err[0] = '\0';
	*out = text;
	return 0;
}

/* ---------------------------------------------------------------- probe */

static int
probe_job(int fd, void *arg)
{
	static const struct { const char *name; int res; } lims[] = {
		{ "as", RLIMIT_AS }, { "cpu", RLIMIT_CPU },
		{ "nofile", RLIMIT_NOFILE }, { "fsize", RLIMIT_FSIZE } };
	enum worker_probe what = *(enum worker_probe *)arg;
	struct strbuf sb = { NULL, 0, 0 };
	struct rlimit r;
	char line[64];
	uint64_t len;
	int rc;

	if (what == WORKER_PROBE_HANG)
		for (;;)
			pause();
	/* Each possible number, without opening a descriptor to look. */
	for (int i = 0; i < 1024; i++)
		if (fcntl(i, F_GETFD) != -1) {
			snprintf(line, sizeof(line), "fd %d\n", i);
			sb_adds(&sb, line);
		}
	for (size_t i = 0; i < sizeof(lims) / sizeof(lims[0]); i++) {
		if (getrlimit(lims[i].res, &r) == -1)
			continue;
		snprintf(line, sizeof(line), "%s %lld\n", lims[i].name,
		    r.rlim_cur == RLIM_INFINITY ? -1LL : (long long)r.rlim_cur);
		sb_adds(&sb, line);
	}
	len = sb.len;
	rc = write_full(fd, &len, sizeof(len)) == -1 ||
	    write_full(fd, sb.buf ? sb.buf : "", sb.len) == -1;
	sb_reset(&sb);
	return rc;
}

int
worker_probe(enum worker_probe what, int timeout, char **out, char *err,
    size_t errlen)
{
	struct child c;
	uint64_t len;

	*out = NULL;
	err[0] = '\0';
	if (child_start(&c, &docx_child_limits, -1, probe_job, &what, err,
	    errlen) == -1)
		return -1;
	if (what == WORKER_PROBE_HANG)
		return child_finish(&c, timeout, err, errlen);
	if (child_read(&c, &len, sizeof(len), deadline_in(timeout), NULL, err,
	    errlen) != 1 || (*out = child_read_string(&c, len,
	    deadline_in(timeout), NULL, err, errlen)) == NULL) {
		(void)child_end(&c, 1, err, errlen);
		return -1;
	}
	return child_end(&c, 0, err, errlen);
}

/*
 * imap: escbot's IMAP client on libetpan.  libetpan's own TLS code (GnuTLS
 * build) verifies nothing, so this file opens the TCP connection and the
 * TLS session itself, with GnuTLS verifying the chain (system trust store
 * or ca_file) and the host name during the handshake and SNI set, and hands
 * the connection to libetpan as a small mailstream_low driver: at connect
 * time for implicit TLS, in place of the plain driver after STARTTLS.  The
 * same driver carries plain connections so that every socket has send and
 * receive timeouts and never raises SIGPIPE.  Commands use UIDs only.
 * Login is LOGIN, or AUTHENTICATE XOAUTH2 with an OAuth access token.
 * imap_idle_wait() sits in IDLE with poll() on the socket (after looking at
 * what libetpan and GnuTLS have already buffered, which poll cannot see)
 * and ends it with DONE before returning.
 * Failures are sorted into temporary (network, timeout, BYE, server
 * trouble) and final (login refused, certificate refused, folder missing).
 * Passwords and tokens never reach a log line or an error string.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <libetpan/libetpan.h>

#include "imap.h"
#include "log.h"
#include "util.h"

#define IMAP_DEFAULT_TIMEOUT	60
#define IMAP_MAX_FOLDERS	16
#define IMAP_IDLE_MAX		(29 * 60)	/* RFC 2177: re-IDLE before 30 min */
#define IMAP_IDLE_SLICE_MS	1000		/* how often *stop is looked at */

/* One connection under libetpan: a socket, with a TLS session or not. */
struct conn {
	int			 fd;
	int			 timeout;	/* seconds */
	gnutls_session_t	 sess;		/* NULL: plain */
	gnutls_certificate_credentials_t cred;
};

struct imap {
	mailimap	*mi;
	char		*where;		/* "host:port" for messages */
	int		 broken;	/* stream unusable: fail fast */
	uint32_t	 uidvalidity;
	char		*folders[IMAP_MAX_FOLDERS];	/* known to exist */
	size_t		 nfolders;
};

/* --- the mailstream_low driver ------------------------------------------ */

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static ssize_t
conn_read(mailstream_low *s, void *buf, size_t count)
{
	struct conn *c = s->data;
	struct pollfd pfd;
	long long deadline;
	ssize_t r;
	int left;

	if (c->fd < 0)
		return -1;
	if (c->sess == NULL) {
		/* SO_RCVTIMEO bounds the wait. */
		do
			r = recv(c->fd, buf, count, 0);
		while (r == -1 && errno == EINTR);
		return r;
	}
	/* GnuTLS answers GNUTLS_E_AGAIN after handling a post-handshake
	 * message (TLS 1.3 session tickets) even on a blocking socket, so
	 * wait for data with poll and retry until the deadline. */
	deadline = now_ms() + (long long)c->timeout * 1000;
	for (;;) {
		if (gnutls_record_check_pending(c->sess) == 0) {
			left = (int)(deadline - now_ms());
			if (left <= 0)
				return -1;
			pfd.fd = c->fd;
			pfd.events = POLLIN;
			r = poll(&pfd, 1, left);
			if (r == -1 && errno == EINTR)
				continue;
			if (r <= 0)
				return -1;
		}
		r = gnutls_record_recv(c->sess, buf, count);
		if (r >= 0)
			return r;
		if (r != GNUTLS_E_AGAIN && r != GNUTLS_E_INTERRUPTED)
			return -1;
	}
}

static ssize_t
conn_write(mailstream_low *s, const void *buf, size_t count)
{
	struct conn *c = s->data;
	ssize_t r;

	if (c->fd < 0)
		return -1;
	if (c->sess != NULL) {
		do
			r = gnutls_record_send(c->sess, buf, count);
		while (r == GNUTLS_E_INTERRUPTED);
		return r < 0 ? -1 : r;
	}
	do
		r = send(c->fd, buf, count, MSG_NOSIGNAL);
	while (r == -1 && errno == EINTR);
	return r;
}

static int
conn_close(mailstream_low *s)
{
	struct conn *c = s->data;

	if (c->sess != NULL && c->fd >= 0)
		(void)gnutls_bye(c->sess, GNUTLS_SHUT_WR);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	return 0;
}

static int
conn_get_fd(mailstream_low *s)
{
	struct conn *c = s->data;

	return c->fd;
}

static void
conn_free(struct conn *c)
{
	if (c == NULL)
		return;
	if (c->sess != NULL)
		gnutls_deinit(c->sess);
	if (c->cred != NULL)
		gnutls_certificate_free_credentials(c->cred);
	free(c);
}

/* Like libetpan's socket driver, free does not close the descriptor: the
 * plain driver is freed and its socket kept when STARTTLS replaces it. */
static void
conn_low_free(mailstream_low *s)
{
	conn_free(s->data);
	s->data = NULL;
	free(s);
}

static mailstream_low_driver conn_driver = {
	.mailstream_read = conn_read,
	.mailstream_write = conn_write,
	.mailstream_close = conn_close,
	.mailstream_get_fd = conn_get_fd,
	.mailstream_free = conn_low_free,
	.mailstream_cancel = NULL,
	.mailstream_get_cancel = NULL,
	.mailstream_get_certificate_chain = NULL,
	.mailstream_setup_idle = NULL,
	.mailstream_unsetup_idle = NULL,
	.mailstream_interrupt_idle = NULL,
};

/* --- TCP and TLS ------------------------------------------------------- */

static int
is_ip_literal(const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, buf) == 1 ||
	    inet_pton(AF_INET6, host, buf) == 1;
}

static void
set_socket_timeouts(int fd, int timeout)
{
	struct timeval tv = { .tv_sec = timeout, .tv_usec = 0 };

	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* Connect with a timeout to each address of host in turn.  Returns the
 * connected, blocking socket or -1 (always a temporary failure). */
static int
tcp_connect(const char *host, int port, int timeout, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL, *ai;
	char portstr[16];
	int fd = -1, r, soerr;
	socklen_t sl;
	struct pollfd pfd;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_ADDRCONFIG;
	snprintf(portstr, sizeof(portstr), "%d", port);
	r = getaddrinfo(host, portstr, &hints, &res);
	if (r != 0) {
		errf(err, errlen, "%s:%d: cannot resolve: %s", host, port,
		    gai_strerror(r));
		return -1;
	}
	errf(err, errlen, "%s:%d: no usable address", host, port);
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, ai->ai_protocol);
		if (fd == -1) {
			errf(err, errlen, "%s:%d: socket: %s", host, port,
			    strerror(errno));
			continue;
		}
		r = connect(fd, ai->ai_addr, ai->ai_addrlen);
		if (r == -1 && errno == EINPROGRESS) {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			do
				r = poll(&pfd, 1, timeout * 1000);
			while (r == -1 && errno == EINTR);
			if (r == 0) {
				errno = ETIMEDOUT;
				r = -1;
			} else if (r > 0) {
				sl = sizeof(soerr);
				if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr,
				    &sl) == -1)
					soerr = errno;
				errno = soerr;
				r = soerr ? -1 : 0;
			}
		}
		if (r == 0)
			break;
		errf(err, errlen, "connect to %s:%d: %s", host, port,
		    strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1)
		return -1;
	/* Back to blocking; the socket timeouts bound every read/write. */
	r = fcntl(fd, F_GETFL);
	if (r == -1 || fcntl(fd, F_SETFL, r & ~O_NONBLOCK) == -1) {
		errf(err, errlen, "%s:%d: fcntl: %s", host, port,
		    strerror(errno));
		close(fd);
		return -1;
	}
	set_socket_timeouts(fd, timeout);
	return fd;
}

/*
 * TLS client handshake on fd with the chain and the host name verified by
 * GnuTLS during the handshake.  Returns a conn (which does not own fd
 * until it is wrapped) or NULL with *klass set.
 */
static struct conn *
tls_handshake(int fd, const struct imap_params *p, int timeout, int *klass,
    char *err, size_t errlen)
{
	struct conn *c;
	unsigned int status;
	gnutls_datum_t out;
	int r, tries;

	c = xcalloc(1, sizeof(*c));
	c->fd = fd;
	c->timeout = timeout;
	*klass = IMAP_ERR_FINAL;
	if ((r = gnutls_certificate_allocate_credentials(&c->cred)) < 0) {
		c->cred = NULL;
		errf(err, errlen, "TLS credentials: %s", gnutls_strerror(r));
		goto fail;
	}
	if (p->ca_file != NULL && p->ca_file[0] != '\0') {
		r = gnutls_certificate_set_x509_trust_file(c->cred, p->ca_file,
		    GNUTLS_X509_FMT_PEM);
		if (r <= 0) {
			errf(err, errlen, "ca_file %s: %s", p->ca_file,
			    r < 0 ? gnutls_strerror(r) :
			    "no certificate in it");
			goto fail;
		}
	} else {
		r = gnutls_certificate_set_x509_system_trust(c->cred);
		if (r <= 0) {
			errf(err, errlen, "system trust store: %s",
			    r < 0 ? gnutls_strerror(r) : "no certificate");
			goto fail;
		}
	}
	if ((r = gnutls_init(&c->sess, GNUTLS_CLIENT | GNUTLS_NO_SIGNAL)) < 0) {
		c->sess = NULL;
		errf(err, errlen, "TLS init: %s", gnutls_strerror(r));
		goto fail;
	}
	if ((r = gnutls_set_default_priority(c->sess)) < 0 ||
	    (r = gnutls_credentials_set(c->sess, GNUTLS_CRD_CERTIFICATE,
	    c->cred)) < 0) {
		errf(err, errlen, "TLS setup: %s", gnutls_strerror(r));
		goto fail;
	}
	/* SNI carries DNS names only (RFC 6066). */
	if (!is_ip_literal(p->host) && (r = gnutls_server_name_set(c->sess,
	    GNUTLS_NAME_DNS, p->host, strlen(p->host))) < 0) {
		errf(err, errlen, "TLS SNI: %s", gnutls_strerror(r));
		goto fail;
	}
	/* Chain against the trust list and host name (DNS name or IP
	 * address SAN), checked inside the handshake. */
	gnutls_session_set_verify_cert(c->sess, p->host, 0);
	gnutls_transport_set_int(c->sess, fd);
	gnutls_handshake_set_timeout(c->sess, (unsigned)timeout * 1000);

	tries = 0;
	do
		r = gnutls_handshake(c->sess);
	while (r < 0 && r != GNUTLS_E_AGAIN && !gnutls_error_is_fatal(r) &&
	    ++tries < 100);
	if (r == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR) {
		status = gnutls_session_get_verify_cert_status(c->sess);
		if (gnutls_certificate_verification_status_print(status,
		    GNUTLS_CRT_X509, &out, 0) == 0) {
			errf(err, errlen, "%s:%d: certificate refused: %s",
			    p->host, p->port, (char *)out.data);
			gnutls_free(out.data);
		} else
			errf(err, errlen, "%s:%d: certificate refused",
			    p->host, p->port);
		goto fail;
	}
	if (r < 0) {
		*klass = IMAP_ERR_TEMP;
		errf(err, errlen, "%s:%d: TLS handshake: %s", p->host,
		    p->port, r == GNUTLS_E_AGAIN ? "timed out" :
		    gnutls_strerror(r));
		goto fail;
	}
	/* Belt and braces: the handshake must have verified a chain. */
	if (gnutls_certificate_type_get(c->sess) != GNUTLS_CRT_X509 ||
	    gnutls_certificate_verify_peers3(c->sess, p->host, &status) < 0 ||
	    status != 0) {
		errf(err, errlen, "%s:%d: certificate refused", p->host,
		    p->port);
		goto fail;
	}
	return c;

fail:
	c->fd = -1;
	conn_free(c);
	return NULL;
}

static mailstream_low *
conn_wrap(struct conn *c)
{
	mailstream_low *low;

	if ((low = mailstream_low_new(c, &conn_driver)) == NULL)
		fatalx("mailstream_low_new");
	return low;
}

/* --- IMAP helpers --------------------------------------------------------- */

static const char *
server_text(const struct imap *im)
{
	const char *t = im->mi != NULL ? im->mi->imap_response : NULL;

	return t != NULL && *t != '\0' ? t : "no reason given";
}

/*
 * Map a libetpan result to IMAP_ERR_TEMP or IMAP_ERR_FINAL and describe it.
 * Stream-level trouble (I/O, timeout, BYE, garbage) leaves the session
 * unusable.  `final_code` is the libetpan error that counts as final for
 * this command (e.g. MAILIMAP_ERROR_LOGIN), or 0.
 */
static int
fail_cmd(struct imap *im, int r, int final_code, const char *what,
    uint32_t uid, char *err, size_t errlen)
{
	char ctx[64] = "";

	if (uid != 0)
		snprintf(ctx, sizeof(ctx), "UID %u: ", uid);
	switch (r) {
	case MAILIMAP_ERROR_STREAM:
	case MAILIMAP_ERROR_PARSE:
	case MAILIMAP_ERROR_MEMORY:
	case MAILIMAP_ERROR_BAD_STATE:
		im->broken = 1;
		errf(err, errlen, "%s: %s%s: connection lost or timed out",
		    im->where, ctx, what);
		return IMAP_ERR_TEMP;
	case MAILIMAP_ERROR_FATAL:
	case MAILIMAP_ERROR_DONT_ACCEPT_CONNECTION:
		im->broken = 1;
		errf(err, errlen, "%s: %s%s: server said BYE: %s", im->where,
		    ctx, what, server_text(im));
		return IMAP_ERR_TEMP;
	default:
		errf(err, errlen, "%s: %s%s failed: %s", im->where, ctx,
		    what, server_text(im));
		return final_code != 0 && r == final_code ? IMAP_ERR_FINAL :
		    IMAP_ERR_TEMP;
	}
}

static int
check_usable(struct imap *im, char *err, size_t errlen)
{
	if (im->broken || im->mi->imap_stream == NULL) {
		errf(err, errlen, "%s: connection already lost", im->where);
		return IMAP_ERR_TEMP;
	}
	return IMAP_OK;
}

static int
refresh_capability(struct imap *im, char *err, size_t errlen)
{
	struct mailimap_capability_data *cap = NULL;
	int r;

	r = mailimap_capability(im->mi, &cap);
	if (cap != NULL)
		mailimap_capability_data_free(cap);
	if (r != MAILIMAP_NO_ERROR)
		return fail_cmd(im, r, 0, "CAPABILITY", 0, err, errlen);
	return IMAP_OK;
}

/* A COPY or MOVE refused with [TRYCREATE]: the folder is missing and
 * could not be created, which needs the administrator. */
static int
fail_copy(struct imap *im, int r, const char *what, uint32_t uid,
    const char *folder, char *err, size_t errlen)
{
	int rc = fail_cmd(im, r, 0, what, uid, err, errlen);

	if (rc == IMAP_ERR_TEMP && !im->broken &&
	    im->mi->imap_response_info != NULL &&
	    im->mi->imap_response_info->rsp_trycreate) {
		errf(err, errlen, "%s: UID %u: %s: folder %s is missing: %s",
		    im->where, uid, what, folder, server_text(im));
		rc = IMAP_ERR_FINAL;
	}
	return rc;
}

static int
uid_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* UIDs >= min in the selected folder that are not \Deleted (a message
 * moved without UIDPLUS stays behind flagged \Deleted). */
static int
search_uids(struct imap *im, uint32_t min, uint32_t max, uint32_t **uids,
    size_t *n, char *err, size_t errlen)
{
	struct mailimap_search_key *key, *k;
	struct mailimap_set *set;
	clist *result = NULL;
	clistiter *it;
	uint32_t *v = NULL, u;
	size_t cnt = 0, cap = 0;
	int r, rc = IMAP_OK;

	*uids = NULL;
	*n = 0;
	if (min == 0)
		min = 1;
	if ((key = mailimap_search_key_new_multiple_empty()) == NULL ||
	    (set = mailimap_set_new_interval(min, max)) == NULL ||
	    (k = mailimap_search_key_new_uid(set)) == NULL)
		fatalx("imap: out of memory");
	if (mailimap_search_key_multiple_add(key, k) != MAILIMAP_NO_ERROR)
		fatalx("imap: out of memory");
	k = mailimap_search_key_new(MAILIMAP_SEARCH_KEY_UNDELETED, NULL, NULL,
	    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	    NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL);
	if (k == NULL ||
	    mailimap_search_key_multiple_add(key, k) != MAILIMAP_NO_ERROR)
		fatalx("imap: out of memory");
	r = mailimap_uid_search(im->mi, NULL, key, &result);
	mailimap_search_key_free(key);
	if (r != MAILIMAP_NO_ERROR) {
		rc = fail_cmd(im, r, 0, "UID SEARCH", 0, err, errlen);
		goto fail;
	}
	for (it = clist_begin(result); it != NULL; it = clist_next(it)) {
		u = *(uint32_t *)clist_content(it);
		/* "min:*" also matches the highest UID when it is < min. */
		if (u < min || (max != 0 && u > max))
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 64;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		v[cnt++] = u;
	}
	if (cnt > 1) {
		size_t i, j;

		qsort(v, cnt, sizeof(*v), uid_cmp);
		for (i = 1, j = 1; i < cnt; i++)
			if (v[i] != v[j - 1])
				v[j++] = v[i];
		cnt = j;
	}
	*uids = v;
	*n = cnt;
	v = NULL;
fail:
	free(v);
	if (result != NULL)
		mailimap_search_result_free(result);
	return rc;
}

/* Make sure `folder` exists, creating it when LIST does not show it. */
static int
ensure_folder(struct imap *im, const char *folder, char *err, size_t errlen)
{
	clist *list = NULL;
	clistiter *it;
	struct mailimap_mailbox_list *mb;
	int r, found = 0, rc = IMAP_OK;
	size_t i;

	for (i = 0; i < im->nfolders; i++)
		if (strcmp(im->folders[i], folder) == 0)
			return IMAP_OK;
	r = mailimap_list(im->mi, "", folder, &list);
	if (r != MAILIMAP_NO_ERROR) {
		rc = fail_cmd(im, r, 0, "LIST", 0, err, errlen);
		goto fail;
	}
	for (it = clist_begin(list); it != NULL; it = clist_next(it)) {
		mb = clist_content(it);
		if (mb != NULL && mb->mb_name != NULL &&
		    (strcmp(mb->mb_name, folder) == 0 ||
		    (str_casecmp(folder, "INBOX") == 0 &&
		    str_casecmp(mb->mb_name, "INBOX") == 0)))
			found = 1;
	}
	if (!found) {
		r = mailimap_create(im->mi, folder);
		if (r == MAILIMAP_ERROR_CREATE) {
			/* Someone else may have made it meanwhile
			 * ([ALREADYEXISTS]); a real failure shows up as
			 * [TRYCREATE] when the folder is used. */
			log_debug("imap: CREATE %s: %s", folder,
			    server_text(im));
			goto fail;
		} else if (r != MAILIMAP_NO_ERROR) {
			rc = fail_cmd(im, r, 0, "CREATE", 0, err, errlen);
			goto fail;
		} else
			log_info("imap: created folder %s", folder);
	}
	if (im->nfolders < IMAP_MAX_FOLDERS)
		im->folders[im->nfolders++] = xstrdup(folder);
fail:
	if (list != NULL)
		mailimap_list_result_free(list);
	return rc;
}

/* AUTHENTICATE XOAUTH2 (user name and bearer token, SASL-IR).  *refused
 * is set when the server turned the token down (as after LOGIN). */
static int
login_xoauth2(struct imap *im, const struct imap_params *p, int *refused,
    char *err, size_t errlen)
{
	int r, rc;

	if (im->mi->imap_connection_info == NULL ||
	    im->mi->imap_connection_info->imap_capability == NULL) {
		if ((rc = refresh_capability(im, err, errlen)) != IMAP_OK)
			return rc;
	}
	if (!mailimap_has_xoauth2(im->mi)) {
		errf(err, errlen, "%s: server does not offer AUTH=XOAUTH2 "
		    "(check imap.auth)", im->where);
		return IMAP_ERR_FINAL;
	}
	r = mailimap_oauth2_authenticate(im->mi, p->user, p->oauth_token);
	if (r != MAILIMAP_NO_ERROR) {
		*refused = r == MAILIMAP_ERROR_LOGIN;
		return fail_cmd(im, r, MAILIMAP_ERROR_LOGIN,
		    "AUTHENTICATE XOAUTH2", 0, err, errlen);
	}
	return IMAP_OK;
}

/* --- the API ----------------------------------------------------------- */

static int
open_session(const struct imap_params *p, struct imap **out, int *refused,
    char *err, size_t errlen)
{
	struct imap *im;
	struct conn *c = NULL;
	mailstream *stream = NULL;
	mailstream_low *low, *old;
	int fd = -1, r, timeout, klass, rc = IMAP_ERR_TEMP;

	*out = NULL;
	if (p->host == NULL || *p->host == '\0' || p->port <= 0 ||
	    p->port > 65535 || p->user == NULL ||
	    (p->password == NULL && p->oauth_token == NULL) ||
	    p->folder == NULL || *p->folder == '\0') {
		errf(err, errlen, "imap: host, port, user, password (or "
		    "OAuth token) and folder are required");
		return IMAP_ERR_FINAL;
	}
	timeout = p->timeout > 0 ? p->timeout : IMAP_DEFAULT_TIMEOUT;
	im = xcalloc(1, sizeof(*im));
	im->where = xasprintf("%s:%d", p->host, p->port);
	if ((im->mi = mailimap_new(0, NULL)) == NULL)
		fatalx("mailimap_new");
	mailimap_set_timeout(im->mi, timeout);

	if ((fd = tcp_connect(p->host, p->port, timeout, err, errlen)) == -1)
		goto fail;
	if (p->tls == IMAP_TLS_IMPLICIT) {
		if ((c = tls_handshake(fd, p, timeout, &klass, err,
		    errlen)) == NULL) {
			rc = klass;
			goto fail;
		}
	} else {
		c = xcalloc(1, sizeof(*c));
		c->fd = fd;
		c->timeout = timeout;
	}
	fd = -1;	/* the conn has it now */
	low = conn_wrap(c);
	c = NULL;
	if ((stream = mailstream_new(low, 8192)) == NULL)
		fatalx("mailstream_new");
	/* From here on the session owns the stream. */
	r = mailimap_connect(im->mi, stream);
	stream = NULL;
	if (r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED &&
	    r != MAILIMAP_NO_ERROR_AUTHENTICATED) {
		rc = fail_cmd(im, r, 0, "greeting", 0, err, errlen);
		goto fail;
	}

	if (p->tls == IMAP_TLS_STARTTLS) {
		r = mailimap_starttls(im->mi);
		if (r == MAILIMAP_ERROR_STARTTLS) {
			rc = IMAP_ERR_FINAL;
			errf(err, errlen, "%s: server refused STARTTLS: %s",
			    im->where, server_text(im));
			goto fail;
		} else if (r != MAILIMAP_NO_ERROR) {
			rc = fail_cmd(im, r, 0, "STARTTLS", 0, err, errlen);
			goto fail;
		}
		/* Anything already buffered was sent in clear before the
		 * handshake and could be an injection (CVE-2020-15953). */
		if (im->mi->imap_stream->read_buffer_len != 0) {
			im->broken = 1;
			rc = IMAP_ERR_FINAL;
			errf(err, errlen, "%s: data injected after STARTTLS",
			    im->where);
			goto fail;
		}
		old = mailstream_get_low(im->mi->imap_stream);
		if ((c = tls_handshake(mailstream_low_get_fd(old), p, timeout,
		    &klass, err, errlen)) == NULL) {
			im->broken = 1;
			rc = klass;
			goto fail;
		}
		low = conn_wrap(c);
		c = NULL;
		mailstream_low_free(old);	/* keeps the socket open */
		mailstream_set_low(im->mi->imap_stream, low);
		/* Capabilities from before TLS are not to be trusted. */
		if ((rc = refresh_capability(im, err, errlen)) != IMAP_OK)
			goto fail;
	}

	if (im->mi->imap_state != MAILIMAP_STATE_AUTHENTICATED &&
	    p->oauth_token != NULL) {
		if ((rc = login_xoauth2(im, p, refused, err, errlen)) !=
		    IMAP_OK)
			goto fail;
	} else if (im->mi->imap_state != MAILIMAP_STATE_AUTHENTICATED) {
		r = mailimap_login(im->mi, p->user, p->password);
		if (r != MAILIMAP_NO_ERROR) {
			*refused = r == MAILIMAP_ERROR_LOGIN;
			rc = fail_cmd(im, r, MAILIMAP_ERROR_LOGIN, "LOGIN", 0,
			    err, errlen);
			goto fail;
		}
	}
	/* The set may grow after login (MOVE, UIDPLUS). */
	if ((rc = refresh_capability(im, err, errlen)) != IMAP_OK)
		goto fail;
	r = mailimap_select(im->mi, p->folder);
	if (r != MAILIMAP_NO_ERROR) {
		rc = fail_cmd(im, r, MAILIMAP_ERROR_SELECT, "SELECT", 0, err,
		    errlen);
		goto fail;
	}
	if (im->mi->imap_selection_info != NULL)
		im->uidvalidity = im->mi->imap_selection_info->sel_uidvalidity;
	if (im->uidvalidity == 0) {
		rc = IMAP_ERR_FINAL;
		errf(err, errlen, "%s: folder %s has no UIDVALIDITY",
		    im->where, p->folder);
		goto fail;
	}
	log_debug("imap: %s: logged in, %s selected, uidvalidity %u",
	    im->where, p->folder, im->uidvalidity);
	*out = im;
	return IMAP_OK;

fail:
	if (c != NULL) {
		c->fd = -1;
		conn_free(c);
	}
	if (fd != -1)
		close(fd);
	im->broken = 1;
	imap_close(im);
	return rc;
}

int
imap_open(const struct imap_params *p, struct imap **out, char *err,
    size_t errlen)
{
	enum fail reach;

	return imap_open_fail(p, out, &reach, err, errlen);
}

int
imap_open_fail(const struct imap_params *p, struct imap **out,
    enum fail *reach, char *err, size_t errlen)
{
	int refused = 0, rc;

	rc = open_session(p, out, &refused, err, errlen);
	*reach = rc == IMAP_OK ? FAIL_NONE : refused ? FAIL_AUTH : FAIL_SERVER;
	return rc;
}

uint32_t
imap_uidvalidity(const struct imap *im)
{
	return im->uidvalidity;
}

int
imap_list_uids(struct imap *im, uint32_t min_uid, uint32_t **uids, size_t *n,
    char *err, size_t errlen)
{
	int rc;

	*uids = NULL;
	*n = 0;
	if ((rc = check_usable(im, err, errlen)) != IMAP_OK)
		return rc;
	return search_uids(im, min_uid, 0, uids, n, err, errlen);
}

/* A set of UIDs for a command. */
static struct mailimap_set *
uid_set(const uint32_t *uids, size_t n)
{
	struct mailimap_set *set;

	if ((set = mailimap_set_new_empty()) == NULL)
		fatalx("imap: out of memory");
	for (size_t i = 0; i < n; i++)
		if (mailimap_set_add_single(set, uids[i]) != MAILIMAP_NO_ERROR)
			fatalx("imap: out of memory");
	return set;
}

/* What one FETCH response says of a message: its UID, and its size or its
 * body when they were asked for. */
struct fetched {
	uint32_t	 uid;
	uint32_t	 size;
	const char	*body;
	size_t		 blen;
};

static void
read_fetched(const struct mailimap_msg_att *ma, struct fetched *f)
{
	struct mailimap_msg_att_item *item;
	struct mailimap_msg_att_body_section *bs;

	memset(f, 0, sizeof(*f));
	for (clistiter *jt = clist_begin(ma->att_list); jt != NULL;
	    jt = clist_next(jt)) {
		item = clist_content(jt);
		if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC ||
		    item->att_data.att_static == NULL)
			continue;
		switch (item->att_data.att_static->att_type) {
		case MAILIMAP_MSG_ATT_UID:
			f->uid = item->att_data.att_static->att_data.att_uid;
			break;
		case MAILIMAP_MSG_ATT_RFC822_SIZE:
			f->size = item->att_data.att_static->att_data.
			    att_rfc822_size;
			break;
		case MAILIMAP_MSG_ATT_BODY_SECTION:
			bs = item->att_data.att_static->att_data.
			    att_body_section;
			if (bs != NULL && bs->sec_body_part != NULL) {
				f->body = bs->sec_body_part;
				f->blen = bs->sec_length;
			}
			break;
		}
	}
}

/* Index of uid in the ascending uids[0..n), or n. */
static size_t
uid_index(const uint32_t *uids, size_t n, uint32_t uid)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (uids[mid] < uid)
			lo = mid + 1;
		else if (uids[mid] > uid)
			hi = mid;
		else
			return mid;
	}
	return n;
}

/* How many of uids[0..n) to fetch at once: the longest run whose sizes add
 * up to max_bytes (at least one), by one UID FETCH of RFC822.SIZE. */
/* A FETCH the server answered with NO or BAD while the session stays
 * usable is about the messages: IMAP_ERR_REFUSED. */
static int
fail_fetch(struct imap *im, int r, uint32_t uid, char *err, size_t errlen)
{
	int rc = fail_cmd(im, r, 0, "UID FETCH", uid, err, errlen);

	if (rc == IMAP_ERR_TEMP && !im->broken &&
	    im->mi->imap_stream != NULL && r == MAILIMAP_ERROR_UID_FETCH)
		rc = IMAP_ERR_REFUSED;
	return rc;
}

static int
fetch_run_length(struct imap *im, const uint32_t *uids, size_t n,
    size_t max_bytes, size_t *run, char *err, size_t errlen)
{
	struct mailimap_set *set;
	struct mailimap_fetch_type *ft;
	struct mailimap_fetch_att *att;
	struct fetched f;
	clist *result = NULL;
	uint32_t *sizes;
	size_t total = 0, k;
	int r;

	sizes = xcalloc(n, sizeof(*sizes));
	set = uid_set(uids, n);
	if ((ft = mailimap_fetch_type_new_fetch_att_list_empty()) == NULL ||
	    (att = mailimap_fetch_att_new_uid()) == NULL ||
	    mailimap_fetch_type_new_fetch_att_list_add(ft, att) != 0 ||
	    (att = mailimap_fetch_att_new_rfc822_size()) == NULL ||
	    mailimap_fetch_type_new_fetch_att_list_add(ft, att) != 0)
		fatalx("imap: out of memory");
	r = mailimap_uid_fetch(im->mi, set, ft, &result);
	mailimap_fetch_type_free(ft);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR) {
		free(sizes);
		return fail_fetch(im, r, uids[0], err, errlen);
	}
	for (clistiter *it = clist_begin(result); it != NULL;
	    it = clist_next(it)) {
		read_fetched(clist_content(it), &f);
		if ((k = uid_index(uids, n, f.uid)) < n)
			sizes[k] = f.size;
	}
	mailimap_fetch_list_free(result);
	/* A message gone since it was listed has no size and costs nothing. */
	for (k = 0; k < n; k++) {
		if (k > 0 && total + sizes[k] > max_bytes)
			break;
		total += sizes[k];
	}
	free(sizes);
	*run = k;
	return IMAP_OK;
}

int
imap_fetch_many(struct imap *im, const uint32_t *uids, size_t n,
    size_t max_bytes, struct imap_msg *out, size_t *got, char *err,
    size_t errlen)
{
	struct mailimap_set *set;
	struct mailimap_fetch_type *ft;
	struct mailimap_section *sec;
	struct mailimap_fetch_att *att;
	struct fetched f;
	clist *result = NULL;
	size_t run = 1, k;
	int r, rc;

	*got = 0;
	if (n == 0)
		return IMAP_OK;
	if ((rc = check_usable(im, err, errlen)) != IMAP_OK)
		return rc;
	if (n > 1 && (rc = fetch_run_length(im, uids, n, max_bytes, &run, err,
	    errlen)) != IMAP_OK)
		return rc;
	set = uid_set(uids, run);
	if ((ft = mailimap_fetch_type_new_fetch_att_list_empty()) == NULL ||
	    (att = mailimap_fetch_att_new_uid()) == NULL ||
	    mailimap_fetch_type_new_fetch_att_list_add(ft, att) != 0 ||
	    (sec = mailimap_section_new(NULL)) == NULL ||
	    (att = mailimap_fetch_att_new_body_peek_section(sec)) == NULL ||
	    mailimap_fetch_type_new_fetch_att_list_add(ft, att) != 0)
		fatalx("imap: out of memory");
	r = mailimap_uid_fetch(im->mi, set, ft, &result);
	mailimap_fetch_type_free(ft);
	mailimap_set_free(set);
	if (r != MAILIMAP_NO_ERROR)
		return fail_fetch(im, r, uids[0], err, errlen);
	for (k = 0; k < run; k++) {
		out[k].uid = uids[k];
		out[k].raw = NULL;
		out[k].len = 0;
	}
	/* The server may add unsolicited FETCH responses (flag changes of
	 * other messages): only ours with a body count. */
	for (clistiter *it = clist_begin(result); it != NULL;
	    it = clist_next(it)) {
		read_fetched(clist_content(it), &f);
		if (f.body == NULL || (k = uid_index(uids, run, f.uid)) == run ||
		    out[k].raw != NULL)
			continue;
		out[k].raw = xmalloc(f.blen + 1);
		memcpy(out[k].raw, f.body, f.blen);
		out[k].raw[f.blen] = '\0';
		out[k].len = f.blen;
	}
	mailimap_fetch_list_free(result);
	*got = run;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	return IMAP_OK;
}

int
imap_fetch(struct imap *im, uint32_t uid, char **raw, size_t *len, char *err,
    size_t errlen)
{
	struct imap_msg m;
	size_t got;
	int rc;

	*raw = NULL;
	*len = 0;
	if ((rc = imap_fetch_many(im, &uid, 1, SIZE_MAX, &m, &got, err,
	    errlen)) != IMAP_OK)
		return rc;
	if (m.raw == NULL) {
		errf(err, errlen, "%s: UID %u: no such message", im->where, uid);
		return IMAP_ERR_TEMP;
	}
	*raw = m.raw;
	*len = m.len;
	return IMAP_OK;
}

/* The move for servers without MOVE: UID COPY, \Deleted, and UID EXPUNGE
 * of that one UID when UIDPLUS allows it. */
static int
copy_delete(struct imap *im, struct mailimap_set *set, uint32_t uid,
    const char *folder, char *err, size_t errlen)
{
	struct mailimap_flag_list *fl;
	struct mailimap_store_att_flags *sf;
	int r;

	r = mailimap_uid_copy(im->mi, set, folder);
	if (r != MAILIMAP_NO_ERROR)
		return fail_copy(im, r, "UID COPY", uid, folder, err, errlen);
	if ((fl = mailimap_flag_list_new_empty()) == NULL ||
	    mailimap_flag_list_add(fl, mailimap_flag_new_deleted()) != 0 ||
	    (sf = mailimap_store_att_flags_new_add_flags_silent(fl)) == NULL)
		fatalx("imap: out of memory");
	r = mailimap_uid_store(im->mi, set, sf);
	mailimap_store_att_flags_free(sf);
	if (r != MAILIMAP_NO_ERROR)
		return fail_cmd(im, r, 0, "UID STORE", uid, err, errlen);
	if (!mailimap_has_extension(im->mi, "UIDPLUS")) {
		/* A plain EXPUNGE could remove other people's \Deleted
		 * messages: leave it flagged; imap_list_uids skips it. */
		log_warnx("imap: UID %u: copied to %s and flagged \\Deleted; "
		    "server has no UIDPLUS, so it is not expunged", uid,
		    folder);
		return IMAP_OK;
	}
	r = mailimap_uid_expunge(im->mi, set);
	if (r != MAILIMAP_NO_ERROR)
		return fail_cmd(im, r, 0, "UID EXPUNGE", uid, err, errlen);
	return IMAP_OK;
}

int
imap_move(struct imap *im, uint32_t uid, const char *folder, char *err,
    size_t errlen)
{
	struct mailimap_set *set;
	uint32_t *found = NULL;
	size_t n = 0;
	int r, rc;

	if ((rc = check_usable(im, err, errlen)) != IMAP_OK)
		return rc;
	if ((rc = ensure_folder(im, folder, err, errlen)) != IMAP_OK)
		return rc;
	/* Already gone (moved by an earlier run, or by a person)? */
	if ((rc = search_uids(im, uid, uid, &found, &n, err, errlen)) !=
	    IMAP_OK)
		return rc;
	free(found);
	if (n == 0) {
		log_info("imap: UID %u: already gone from the folder", uid);
		return IMAP_OK;
	}
	if ((set = mailimap_set_new_single(uid)) == NULL)
		fatalx("imap: out of memory");
	if (mailimap_has_extension(im->mi, "MOVE")) {
		r = mailimap_uid_move(im->mi, set, folder);
		if (r != MAILIMAP_NO_ERROR)
			rc = fail_copy(im, r, "UID MOVE", uid, folder, err,
			    errlen);
	} else
		rc = copy_delete(im, set, uid, folder, err, errlen);
	mailimap_set_free(set);
	if (rc == IMAP_OK) {
		log_debug("imap: UID %u: moved to %s", uid, folder);
		if (err != NULL && errlen > 0)
			err[0] = '\0';
	}
	return rc;
}

int
imap_move_uids(struct imap *im, const uint32_t *uids, size_t n,
    const char *folder, char *err, size_t errlen)
{
	struct mailimap_set *set;
	int r, rc;

	if (n == 0)
		return IMAP_OK;
	if ((rc = check_usable(im, err, errlen)) != IMAP_OK)
		return rc;
	if ((rc = ensure_folder(im, folder, err, errlen)) != IMAP_OK)
		return rc;
	set = uid_set(uids, n);
	if (mailimap_has_extension(im->mi, "MOVE")) {
		r = mailimap_uid_move(im->mi, set, folder);
		if (r != MAILIMAP_NO_ERROR)
			rc = fail_copy(im, r, "UID MOVE", uids[0], folder, err,
			    errlen);
	} else
		rc = copy_delete(im, set, uids[0], folder, err, errlen);
	mailimap_set_free(set);
	if (rc == IMAP_OK) {
		log_debug("imap: %zu message%s moved to %s", n, n == 1 ? "" : "s",
		    folder);
		if (err != NULL && errlen > 0)
			err[0] = '\0';
	}
	return rc;
}

int
imap_append(struct imap *im, const char *folder, const char *raw, size_t len,
    char *err, size_t errlen)
{
	int r, rc;

	if ((rc = check_usable(im, err, errlen)) != IMAP_OK)
		return rc;
	if ((rc = ensure_folder(im, folder, err, errlen)) != IMAP_OK)
		return rc;
	r = mailimap_append(im->mi, folder, NULL, NULL, raw, len);
	if (r != MAILIMAP_NO_ERROR)
		return fail_cmd(im, r, 0, "APPEND", 0, err, errlen);
	return IMAP_OK;
}

int
imap_idle_supported(struct imap *im)
{
	return im != NULL && !im->broken && im->mi != NULL &&
	    im->mi->imap_stream != NULL && mailimap_has_idle(im->mi);
}

/* Server data already read from the socket but not parsed: in libetpan's
 * buffer, or decrypted and held by GnuTLS.  poll() cannot see either. */
static int
idle_pending(struct imap *im)
{
	mailstream *s = im->mi->imap_stream;
	mailstream_low *low = mailstream_get_low(s);
	struct conn *c;

	if (s->read_buffer_len > 0)
		return 1;
	if (low != NULL && low->driver == &conn_driver &&
	    (c = low->data) != NULL && c->sess != NULL &&
	    gnutls_record_check_pending(c->sess) > 0)
		return 1;
	return 0;
}

/*
 * Did the answer just parsed report new messages?  EXISTS gives the new
 * count after any EXPUNGE before it (libetpan lowers sel_exists for each
 * EXPUNGE), so messages were added when the count plus the expunges of
 * this answer is above the count before it.  RECENT counts only when it
 * grows: Dovecot sends it when an expunge lowers it too.
 */
static int
idle_new_mail(struct imap *im, uint32_t exists0, uint32_t recent0)
{
	struct mailimap_selection_info *si = im->mi->imap_selection_info;
	struct mailimap_response_info *ri = im->mi->imap_response_info;
	uint64_t expunged = 0;

	if (si == NULL)
		return 0;
	if (ri != NULL && ri->rsp_expunged != NULL)
		expunged = (uint64_t)clist_count(ri->rsp_expunged);
	if (si->sel_has_exists &&
	    (uint64_t)si->sel_exists + expunged > (uint64_t)exists0)
		return 1;
	return si->sel_has_recent && si->sel_recent > recent0;
}

/* Whatever went wrong while idling, the IDLE state of the session is not
 * known any more: it can only be closed. */
static int
idle_fail(struct imap *im, int r, const char *what, char *err, size_t errlen)
{
	(void)fail_cmd(im, r, 0, what, 0, err, errlen);
	im->broken = 1;
	return IMAP_ERR_TEMP;
}

/* Wait for the socket to be readable, the deadline or *stop: 1 when
 * there is something to read, 0 otherwise, -1 on a poll failure. */
static int
idle_sleep(struct imap *im, int fd, long long deadline,
    volatile sig_atomic_t *stop)
{
	struct pollfd pfd;
	long long left;
	int r;

	for (;;) {
		if (stop != NULL && *stop)
			return 0;
		if (idle_pending(im))
			return 1;
		if ((left = deadline - now_ms()) <= 0)
			return 0;
		pfd.fd = fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		r = poll(&pfd, 1, left < IMAP_IDLE_SLICE_MS ? (int)left :
		    IMAP_IDLE_SLICE_MS);
		if (r > 0)
			return 1;	/* data, or a hang-up DONE will see */
		if (r == -1 && errno != EINTR)
			return -1;
	}
}

int
imap_idle_wait(struct imap *im, int max_seconds, volatile sig_atomic_t *stop,
    char *err, size_t errlen)
{
	struct mailimap_selection_info *si;
	long long deadline;
	uint32_t exists0, recent0;
	int r, rc, fd, woken, got = 0;

	if ((rc = check_usable(im, err, errlen)) != IMAP_OK)
		return rc;
	if (!mailimap_has_idle(im->mi)) {
		errf(err, errlen, "%s: server does not offer IDLE",
		    im->where);
		return IMAP_ERR_FINAL;
	}
	if ((si = im->mi->imap_selection_info) == NULL) {
		errf(err, errlen, "%s: IDLE without a selected folder",
		    im->where);
		return IMAP_ERR_FINAL;
	}
	if (max_seconds <= 0 || max_seconds > IMAP_IDLE_MAX)
		max_seconds = IMAP_IDLE_MAX;
	deadline = now_ms() + (long long)max_seconds * 1000;

	while (!(stop != NULL && *stop)) {
		/* Mail that came since the last command (SELECT, the
		 * previous DONE) is reported by a NOOP: libetpan's IDLE
		 * drops what the server sends before its "+". */
		si->sel_has_exists = 0;
		si->sel_has_recent = 0;
		exists0 = si->sel_exists;
		recent0 = si->sel_recent;
		if ((r = mailimap_noop(im->mi)) != MAILIMAP_NO_ERROR)
			return idle_fail(im, r, "NOOP", err, errlen);
		if (idle_new_mail(im, exists0, recent0)) {
			got = 1;
			break;
		}
		if ((stop != NULL && *stop) || now_ms() >= deadline)
			break;
		exists0 = si->sel_exists;
		recent0 = si->sel_recent;
		if ((r = mailimap_idle(im->mi)) != MAILIMAP_NO_ERROR)
			return idle_fail(im, r, "IDLE", err, errlen);
		fd = mailimap_idle_get_fd(im->mi);
		woken = idle_sleep(im, fd, deadline, stop);
		if (woken == -1) {
			im->broken = 1;
			errf(err, errlen, "%s: IDLE: poll: %s", im->where,
			    strerror(errno));
			return IMAP_ERR_TEMP;
		}
		/* DONE; the untagged answers that woke us are parsed with
		 * the answer to it (EXISTS sets sel_has_exists). */
		if ((r = mailimap_idle_done(im->mi)) != MAILIMAP_NO_ERROR)
			return idle_fail(im, r, "IDLE", err, errlen);
		if (idle_new_mail(im, exists0, recent0)) {
			got = 1;
			break;
		}
		if (!woken)
			break;	/* deadline or stop */
		/* Something else (a keep-alive, flags, an EXPUNGE): idle
		 * again. */
	}
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (got)
		log_debug("imap: %s: new mail reported while idling",
		    im->where);
	return got;
}

void
imap_close(struct imap *im)
{
	size_t i;

	if (im == NULL)
		return;
	if (im->mi != NULL) {
		/* LOGOUT on a dead connection would only wait for the
		 * timeout: close it directly instead. */
		if (im->broken && im->mi->imap_stream != NULL) {
			mailstream_close(im->mi->imap_stream);
			im->mi->imap_stream = NULL;
		}
		mailimap_free(im->mi);	/* LOGOUT when still connected */
	}
	for (i = 0; i < im->nfolders; i++)
		free(im->folders[i]);
	free(im->where);
	free(im);
}

/*
 * smtp: the only place escbot talks SMTP.  smtp_send() hands one complete
 * message to the submission server for one recipient with libcurl, over
 * smtps:// (implicit TLS) or smtp:// with STARTTLS required (plain text only
 * when the server is on loopback and STARTTLS is explicitly off), with AUTH
 * when a user is configured (PLAIN/LOGIN with the password, or XOAUTH2 with
 * an OAuth bearer token) and certificate and host name checks always on.
 * Its job beyond sending is to say what a failure means for the outbox: a
 * 5xx answer to RCPT is permanent for that recipient, to the message
 * itself for that message, to MAIL or DATA (or a policy x.7.x to the
 * message) is the sender's and holds every email; everything else (4xx, refused or timed-out connections, DNS,
 * TLS, login and certificate trouble) is temporary and retried, with an error
 * text that tells an administrator what to fix.  The message is put on the
 * wire with CRLF line ends whatever it was given with.  Passwords are never
 * logged, and neither are tokens or the protocol dialogue that carries them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "addr.h"
#include "log.h"
#include "smtp.h"
#include "util.h"

#define SMTP_DEFAULT_TIMEOUT	60
#define SMTP_REPLY_MAX		200

/* Which command the last server reply answers; decides 5xx handling. */
enum smtp_phase {
	PHASE_CONNECT = 0,	/* greeting, EHLO, STARTTLS, AUTH, ... */
	PHASE_MAIL,
	PHASE_RCPT,
	PHASE_DATA,
	PHASE_BODY,		/* the reply to the message itself */
};

struct upload {
	const char	*buf;
	size_t		 len;
	size_t		 pos;
};

struct dialogue {
	enum smtp_phase	 phase;
	int		 quit;		/* QUIT sent: later replies don't count */
	long		 code;		/* code of the last reply before QUIT */
	char		 reply[SMTP_REPLY_MAX];	/* last reply line, sanitised */
};

static int smtp_initialised;

void
smtp_global_init(void)
{
	CURLcode rc;

	if (smtp_initialised++)
		return;
	if ((rc = curl_global_init(CURL_GLOBAL_DEFAULT)) != CURLE_OK)
		fatalx("curl_global_init: %s", curl_easy_strerror(rc));
}

void
smtp_global_cleanup(void)
{
	if (smtp_initialised == 0 || --smtp_initialised > 0)
		return;
	curl_global_cleanup();
}

static size_t
read_cb(char *dst, size_t size, size_t nitems, void *arg)
{
	struct upload *up = arg;
	size_t n = size * nitems;

	if (n > up->len - up->pos)
		n = up->len - up->pos;
	memcpy(dst, up->buf + up->pos, n);
	up->pos += n;
	return n;
}

/* "250 OK" or "250-SIZE" to 250; 0 for anything else. */
static long
reply_code(const char *r)
{
	if (r[0] < '1' || r[0] > '5' || r[1] < '0' || r[1] > '9' ||
	    r[2] < '0' || r[2] > '9' ||
	    (r[3] != '\0' && r[3] != ' ' && r[3] != '-'))
		return 0;
	return (r[0] - '0') * 100 + (r[1] - '0') * 10 + (r[2] - '0');
}

/*
 * Follows the dialogue without keeping any of it except the verb of the
 * last command and the last reply line: AUTH lines carry the password.
 */
static int
debug_cb(CURL *curl, curl_infotype type, char *text, size_t len, void *arg)
{
	struct dialogue *d = arg;
	size_t i, n;

	(void)curl;
	if (d->quit)
		return 0;
	switch (type) {
	case CURLINFO_HEADER_OUT:
		if (len >= 4 && str_ncasecmp(text, "QUIT", 4) == 0)
			d->quit = 1;
		else if (len >= 4 && str_ncasecmp(text, "MAIL", 4) == 0)
			d->phase = PHASE_MAIL;
		else if (len >= 4 && str_ncasecmp(text, "RCPT", 4) == 0)
			d->phase = PHASE_RCPT;
		else if (len >= 4 && str_ncasecmp(text, "DATA", 4) == 0)
			d->phase = PHASE_DATA;
		else if (d->phase != PHASE_BODY)
			/* EHLO, STARTTLS, AUTH and its continuation lines */
			d->phase = PHASE_CONNECT;
		break;
	case CURLINFO_DATA_OUT:
		if (d->phase == PHASE_DATA)
			d->phase = PHASE_BODY;
		break;
	case CURLINFO_HEADER_IN:
		n = len < sizeof(d->reply) - 1 ? len : sizeof(d->reply) - 1;
		for (i = 0; i < n; i++) {
			unsigned char c = (unsigned char)text[i];

			d->reply[i] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
		}
		d->reply[n] = '\0';
		str_trim(d->reply);
		d->code = reply_code(d->reply);
		break;
	default:
		break;
	}
	return 0;
}

/* The message with every line ending CRLF, ending with one. */
static char *
to_crlf(const char *data, size_t len, size_t *outlen)
{
	struct strbuf sb = { 0 };
	size_t i;

	for (i = 0; i < len; i++) {
		if (data[i] == '\r') {
			sb_add(&sb, "\r\n", 2);
			if (i + 1 < len && data[i + 1] == '\n')
				i++;
		} else if (data[i] == '\n')
			sb_add(&sb, "\r\n", 2);
		else
			sb_addc(&sb, data[i]);
	}
	if (sb.len < 2 || memcmp(sb.buf + sb.len - 2, "\r\n", 2) != 0)
		sb_add(&sb, "\r\n", 2);
	*outlen = sb.len;
	return sb_steal(&sb);
}

/*
 * "Name <a@b>" or "a@b" to "<a@b>"; NULL if the address is empty or has
 * control characters (which could inject SMTP commands).
 */
static char *
envelope_addr(const char *s)
{
	const char *b, *e, *p;
	size_t len;

	if (s == NULL)
		return NULL;
	for (p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return NULL;
	b = addr_span(s, &len);
	e = b + len;
	for (p = b; p < e; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '<' ||
		    *p == '>')
			return NULL;
	/* "<>" is the null reverse path, allowed for MAIL FROM only. */
	return xasprintf("<%.*s>", (int)(e - b), b);
}

/* 1 if the URL's host is a loopback address. */
static int
url_is_loopback(const char *url)
{
	CURLU *u;
	char *host = NULL;
	int loop = 0;

	if ((u = curl_url()) == NULL)
		return 0;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		goto fail;
	loop = host_is_loopback(host);
fail:
	curl_free(host);
	curl_url_cleanup(u);
	return loop;
}

void
smtp_curl_verify(void *handle, const char *ca_file)
{
	CURL *curl = handle;

	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
	if (ca_file != NULL && ca_file[0] != '\0') {
		curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file);
		curl_easy_setopt(curl, CURLOPT_CAPATH, NULL);
	}
}

int
smtp_curl_cert_error(int rc)
{
	switch (rc) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_INVALIDCERTSTATUS:
		return 1;
	default:
		return 0;
	}
}

/* The enhanced status code (RFC 3463) after the reply code in `reply`
 * ("550 5.7.1 ..."): 1 and class.subject.detail, or 0 when there is none. */
static int
enhanced_status(const char *reply, int st[3])
{
	const char *p = reply + 3;
	char *end;
	long v;

	while (*p == ' ' || *p == '-')
		p++;
	for (int i = 0; i < 3; i++) {
		if (*p < '0' || *p > '9')
			return 0;
		v = strtol(p, &end, 10);
		if (v > 999 || (i < 2 && *end != '.'))
			return 0;
		st[i] = (int)v;
		p = end + (i < 2);
	}
	return st[0] >= 2 && st[0] <= 5;
}

/*
 * How far a 5xx to MAIL, RCPT, DATA or the message reaches.  RCPT: this
 * recipient.  MAIL and DATA: escbot as a sender (every email has the same
 * envelope sender), except a size refusal (552, x.3.4), which is this
 * message's.  The message: its own fault (content, size), except a
 * security or policy refusal (x.7.x: "not allowed to send as"), which is
 * the sender's.
 */
static enum fail
refusal_reach(enum smtp_phase phase, long code, const char *reply)
{
	int st[3] = { 0, 0, 0 }, has = enhanced_status(reply, st);
	int size = code == 552 || (has && st[1] == 3 && st[2] == 4);

	switch (phase) {
	case PHASE_RCPT:
		return FAIL_RCPT;
	case PHASE_MAIL:
	case PHASE_DATA:
		return size ? FAIL_MSG : FAIL_SENDER;
	default:
		return has && st[1] == 7 ? FAIL_SENDER : FAIL_MSG;
	}
}

/* Decide how far a failed transfer reaches and describe it in err. */
static enum fail
classify(CURLcode rc, long code, const struct dialogue *d, int oauth,
    const char *errbuf, char *err, size_t errlen)
{
	enum fail res = FAIL_SERVER;
	const char *hint = "";
	const char *why = errbuf[0] ? errbuf : curl_easy_strerror(rc);

	if (smtp_curl_cert_error(rc))
		hint = "SMTP server certificate rejected (administrator: "
		    "fix smtp.ca_file or the server's certificate; "
		    "nothing is sent until then): ";
	else if (rc == CURLE_USE_SSL_FAILED)
		hint = "SMTP server does not offer STARTTLS (administrator: "
		    "check smtp.url): ";
	else if (rc == CURLE_LOGIN_DENIED) {
		res = FAIL_AUTH;
		hint = oauth ? "SMTP XOAUTH2 login refused (administrator: "
		    "check smtp.user and that the application may send as "
		    "it): " : "SMTP login refused (administrator: check "
		    "smtp.user and the password): ";
	} else if (code == 530 && d->phase == PHASE_MAIL)
		hint = "SMTP server wants authentication (administrator: "
		    "set smtp.user and the password): ";
	else if (code >= 500 && code <= 599 && (d->phase == PHASE_MAIL ||
	    d->phase == PHASE_RCPT || d->phase == PHASE_DATA ||
	    d->phase == PHASE_BODY)) {
		res = refusal_reach(d->phase, code, d->reply);
		if (res == FAIL_SENDER)
			hint = "SMTP server refuses escbot as the sender "
			    "(administrator: check smtp.from and that the "
			    "account may send as it; nothing is sent until "
			    "then): ";
	}
	else if (rc == CURLE_COULDNT_RESOLVE_HOST)
		hint = "SMTP server name not found: ";
	else if (rc == CURLE_COULDNT_CONNECT)
		hint = "SMTP server unreachable: ";
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		hint = "SMTP server timed out: ";
	else if (code == 421 || rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR ||
	    rc == CURLE_GOT_NOTHING || rc == CURLE_WEIRD_SERVER_REPLY ||
	    rc == CURLE_SSL_CONNECT_ERROR)
		hint = "SMTP server unavailable: ";
	else
		res = FAIL_TEMP;	/* a 4xx for this one email */

	if (d->reply[0] && code >= 400)
		snprintf(err, errlen, "%s%s (curl %d); server said: %s",
		    hint, why, (int)rc, d->reply);
	else
		snprintf(err, errlen, "%s%s (curl %d)", hint, why, (int)rc);
	return res;
}

/*
 * Every option of a session but the transfer's own: the server, TLS
 * (always verified; STARTTLS mandatory off loopback), the login, the
 * timeouts, and the dialogue watched through debug_cb.  FAIL_NONE, or
 * FAIL_SERVER with err when the parameters cannot work.
 */
static enum fail
session_options(CURL *curl, const struct smtp_params *p, char *errbuf,
    struct dialogue *dlg, char *err, size_t errlen)
{
	long timeout = p->timeout > 0 ? p->timeout : SMTP_DEFAULT_TIMEOUT;
	int implicit;

	if (p->url == NULL || (str_ncasecmp(p->url, "smtp://", 7) != 0 &&
	    str_ncasecmp(p->url, "smtps://", 8) != 0)) {
		snprintf(err, errlen, "smtp.url must start with smtp:// or "
		    "smtps://");
		return FAIL_SERVER;
	}
	implicit = str_ncasecmp(p->url, "smtps://", 8) == 0;
	curl_easy_reset(curl);
	curl_easy_setopt(curl, CURLOPT_URL, p->url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, timeout);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, timeout);

	/* TLS: always verified; STARTTLS mandatory off loopback. */
	smtp_curl_verify(curl, p->ca_file);
	if (!implicit) {
		if (p->starttls || !url_is_loopback(p->url))
			curl_easy_setopt(curl, CURLOPT_USE_SSL,
			    (long)CURLUSESSL_ALL);
		else
			curl_easy_setopt(curl, CURLOPT_USE_SSL,
			    (long)CURLUSESSL_NONE);
	}

	if (p->oauth_token != NULL && (p->user == NULL ||
	    p->user[0] == '\0')) {
		snprintf(err, errlen, "SMTP XOAUTH2 needs smtp.user");
		return FAIL_SERVER;
	}
	if (p->user != NULL && p->user[0] != '\0') {
		curl_easy_setopt(curl, CURLOPT_USERNAME, p->user);
		if (p->oauth_token != NULL) {
			curl_easy_setopt(curl, CURLOPT_XOAUTH2_BEARER,
			    p->oauth_token);
			curl_easy_setopt(curl, CURLOPT_LOGIN_OPTIONS,
			    "AUTH=XOAUTH2");
		} else
			curl_easy_setopt(curl, CURLOPT_PASSWORD,
			    p->password ? p->password : "");
	}

	/* Verbose output goes to debug_cb only, which keeps no secrets. */
	curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, debug_cb);
	curl_easy_setopt(curl, CURLOPT_DEBUGDATA, dlg);
	curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L);

	return FAIL_NONE;
}

static size_t
discard_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	(void)data;
	(void)arg;
	return size * nmemb;
}

enum fail
smtp_login(const struct smtp_params *p, char *err, size_t errlen)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct dialogue dlg = { 0 };
	enum fail res;
	CURL *curl;
	CURLcode rc;
	long code = 0;

	err[0] = '\0';
	if ((curl = curl_easy_init()) == NULL) {
		snprintf(err, errlen, "out of memory");
		return FAIL_TEMP;
	}
	if ((res = session_options(curl, p, errbuf, &dlg, err, errlen)) !=
	    FAIL_NONE)
		goto fail;
	/* No MAIL FROM and no recipient: after the greeting, EHLO, STARTTLS
	 * and AUTH, curl sends this one command and nothing is sent. */
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "NOOP");
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard_cb);
	rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
	if (dlg.code != 0)
		code = dlg.code;
	if (rc == CURLE_OK) {
		snprintf(err, errlen, "%s", dlg.reply);
		res = FAIL_NONE;
	} else
		res = classify(rc, code, &dlg, p->oauth_token != NULL, errbuf,
		    err, errlen);
fail:
	curl_easy_cleanup(curl);	/* QUIT */
	return res;
}

struct smtp_session {
	CURL	*curl;		/* holds the open connection between sends */
};

struct smtp_session *
smtp_session_new(void)
{
	struct smtp_session *s = xcalloc(1, sizeof(*s));

	if ((s->curl = curl_easy_init()) == NULL)
		fatalx("smtp: curl_easy_init failed");
	return s;
}

void
smtp_session_free(struct smtp_session *s)
{
	if (s == NULL)
		return;
	curl_easy_cleanup(s->curl);	/* QUIT on an open connection */
	free(s);
}

enum fail
smtp_send(const struct smtp_params *p, const char *mail_from,
    const char *rcpt, const char *data, size_t len, char *err, size_t errlen)
{
	struct smtp_session *s = smtp_session_new();
	enum fail res;

	res = smtp_session_send(s, p, mail_from, rcpt, data, len, err, errlen);
	smtp_session_free(s);
	return res;
}

enum fail
smtp_session_send(struct smtp_session *s, const struct smtp_params *p,
    const char *mail_from, const char *rcpt, const char *data, size_t len,
    char *err, size_t errlen)
{
	char errbuf[CURL_ERROR_SIZE];
	struct dialogue dlg = { 0 };
	struct upload up = { 0 };
	struct curl_slist *rcpts = NULL;
	enum fail res = FAIL_TEMP;
	char *from = NULL, *to = NULL, *msg = NULL;
	CURL *curl = s->curl;
	CURLcode rc;
	long code = 0;
	size_t msglen;
	char dummy[1];

	/* Callers may pass no buffer; keep one so snprintf has a target. */
	if (err == NULL || errlen == 0) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = '\0';
	errbuf[0] = '\0';

	if ((from = envelope_addr(mail_from)) == NULL) {
		snprintf(err, errlen, "invalid envelope sender address");
		goto fail;
	}
	if ((to = envelope_addr(rcpt)) == NULL || strcmp(to, "<>") == 0) {
		snprintf(err, errlen, "invalid recipient address");
		res = FAIL_RCPT;
		goto fail;
	}
	if (data == NULL || len == 0) {
		snprintf(err, errlen, "empty message");
		res = FAIL_MSG;
		goto fail;
	}
	msg = to_crlf(data, len, &msglen);
	up.buf = msg;
	up.len = msglen;

	rcpts = curl_slist_append(NULL, to);
	if (rcpts == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	/* Every option anew; the connection of the last send, if still
	 * open, is kept by the handle and reused when it matches. */
	if ((res = session_options(curl, p, errbuf, &dlg, err, errlen)) !=
	    FAIL_NONE)
		goto fail;
	res = FAIL_TEMP;
	curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpts);
	curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(curl, CURLOPT_READDATA, &up);
	curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)msglen);

	rc = curl_easy_perform(curl);
	/* The last code curl saw may be the answer to its QUIT after a
	 * failure; the reply that caused the failure is the one before. */
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
	if (dlg.code != 0)
		code = dlg.code;
	if (rc == CURLE_OK) {
		res = FAIL_NONE;
		snprintf(err, errlen, "%s", dlg.reply);
		log_debug("smtp: sent to %s: %s", to, dlg.reply);
		goto fail;
	}
	res = classify(rc, code, &dlg, p->oauth_token != NULL, errbuf, err,
	    errlen);
	log_debug("smtp: %s to %s: %s",
	    FAIL_FOR_GOOD(res) ? "permanent failure" : "temporary failure",
	    to, err);

fail:
	/* Nothing of this send (buffers on this stack, the recipient list)
	 * may be reached by the handle after it; a failed transfer has
	 * already made libcurl close its connection. */
	curl_easy_reset(curl);
	curl_slist_free_all(rcpts);
	free(msg);
	free(to);
	free(from);
	return res;
}

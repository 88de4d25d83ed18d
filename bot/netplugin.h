/*
 * netplugin: the parts of escbot that need libcurl, libzip or libxml2 --
 * mail submission (smtp.h), the OAuth2 token endpoint (oauth.h) and Word
 * documents (docx.h) -- gathered behind one table, built as
 * bot/escbot-net.so.  Only worker.c's child processes load it, so that
 * the long-running daemon never maps those libraries (and what they pull
 * in: OpenSSL, Kerberos, LDAP, ICU).  The table's functions have the
 * contracts of the headers they come from.
 */
#ifndef ESCBOT_NETPLUGIN_H
#define ESCBOT_NETPLUGIN_H

#include <stddef.h>
#include <time.h>

#include "docx.h"
#include "oauth.h"
#include "smtp.h"

/* Raised whenever the table changes: a stale escbot-net.so is refused. */
#define NET_PLUGIN_VERSION	4
#define NET_PLUGIN_SYMBOL	"escbot_net_plugin"
#define NET_PLUGIN_FILE		"escbot-net.so"

struct net_plugin {
	int	version;
	void	(*smtp_global_init)(void);
	struct smtp_session *(*smtp_session_new)(void);
	enum fail (*smtp_session_send)(struct smtp_session *,
		    const struct smtp_params *, const char *mail_from,
		    const char *rcpt, const char *data, size_t len, char *err,
		    size_t errlen);
	void	(*smtp_session_free)(struct smtp_session *);
	enum fail (*smtp_login)(const struct smtp_params *, char *err,
		    size_t errlen);
	int	(*oauth_token_until)(const struct oauth_params *, time_t now,
		    char **token, time_t *until, char *err, size_t errlen);
	void	(*oauth_forget)(const struct oauth_params *);
	int	(*docx_to_text)(const char *data, size_t len,
		    const struct docx_limits *, char **out, char *err,
		    size_t errlen);
};

/* The table (static storage). */
const struct net_plugin *escbot_net_plugin(void);

/* The Word reader alone, as bot/escbot-docx.so (docxplugin.c): libzip
 * and libxml2 only, so that a child reading a document maps far less and
 * starts sooner.  Its table has version and docx_to_text; the rest are
 * NULL. */
#define DOCX_PLUGIN_SYMBOL	"escbot_docx_plugin"
#define DOCX_PLUGIN_FILE	"escbot-docx.so"
const struct net_plugin *escbot_docx_plugin(void);

#endif

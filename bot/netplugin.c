/*
 * netplugin: the table that bot/escbot-net.so exports (netplugin.h).  It
 * is the one symbol worker.c looks up after loading the library.
 */
#include "netplugin.h"

static const struct net_plugin table = {
	.version = NET_PLUGIN_VERSION,
	.smtp_global_init = smtp_global_init,
	.smtp_session_new = smtp_session_new,
	.smtp_session_send = smtp_session_send,
	.smtp_session_free = smtp_session_free,
	.smtp_login = smtp_login,
	.oauth_token_until = oauth_token_until,
	.oauth_forget = oauth_forget,
	.docx_to_text = docx_to_text,
};

const struct net_plugin *
escbot_net_plugin(void)
{
	return &table;
}

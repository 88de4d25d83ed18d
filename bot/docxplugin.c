/*
 * docxplugin: the table that bot/escbot-docx.so exports (netplugin.h):
 * the Word reader alone, without the mail and OAuth2 code, so that a child
 * reading a document loads libzip and libxml2 but not libcurl and what it
 * pulls in (TLS, Kerberos, LDAP, SSH).
 */
#include "netplugin.h"

static const struct net_plugin table = {
	.version = NET_PLUGIN_VERSION,
	.docx_to_text = docx_to_text,
};

const struct net_plugin *
escbot_docx_plugin(void)
{
	return &table;
}

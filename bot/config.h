/*
 * config: escbot.conf (libconfig), loaded and validated.  Every key of the
 * DESIGN.md contract, plus optional keys with defaults; an unknown key, a
 * wrong type or a missing required key is a "file:line: message" error.
 * Relative paths are resolved against the folder of the config file;
 * rules_dir, templates_dir, directory and holidays default to escbot's
 * data folder (config_data_dir()).
 * The struct and all its strings are owned by it; free with config_free().
 */
#ifndef ESCBOT_CONFIG_H
#define ESCBOT_CONFIG_H

#include <stddef.h>

#include "diag.h"

/* How escbot logs in to the IMAP and SMTP servers (imap.auth, smtp.auth). */
enum config_auth { CONFIG_AUTH_PASSWORD = 0, CONFIG_AUTH_XOAUTH2 };
/* imap.tls and oauth2.grant; account.h turns them into the clients'. */
enum config_tls { CONFIG_TLS_IMPLICIT, CONFIG_TLS_STARTTLS, CONFIG_TLS_NONE };
enum config_grant { CONFIG_GRANT_CLIENT_CREDENTIALS = 0,
	CONFIG_GRANT_REFRESH_TOKEN };

#define DIGEST_CSV_MAX	(2 * 1024 * 1024)

struct config {
	char		*file;
	char		*dir;			/* folder of the config file */
	char		*datadir;		/* escbot's shipped data, where
						   unset paths default to; ""
						   when none was found */
	struct {				/* where each path was set; 0
						   when it is the default */
		int	 database, rules_dir, templates_dir, directory,
			 holidays;
	}		 line;
	char		*database;
	char		*lock_file;		/* database + ".lock" */
	char		*rules_dir;
	char		*templates_dir;
	char		*directory;
	char		*holidays;
	char		**allowed_domains;	/* lower case, NULL-terminated */
	size_t		 nallowed;
	char		*authserv_id;		/* trusted Authentication-Results;
						   "": the topmost header */
	enum config_sender_auth {
		SENDER_AUTH_DMARC,	/* refuse dmarc=fail (default) */
		SENDER_AUTH_STRICT,	/* and anything but dmarc=pass */
		SENDER_AUTH_OFF,	/* check nothing */
	}		 sender_auth;		/* sender_authentication */
	/* Who a case's personal answers (a form's fields marked personal)
	 * may be emailed to: the role holders of the stage an email is about
	 * at the case's agencies, and the raiser (default); or nobody. */
	enum config_personal_to {
		PERSONAL_TO_STAGE_ROLES,
		PERSONAL_TO_NOBODY,
	}		 personal_to;
	char		*admin_email;		/* alerts: "" for none */
	char		*admin_name;		/* who the command line acts as,
						   in emails ({{actor}}) */
	int		 work_open, work_close;	/* minutes after midnight */
	int		 poll_interval;		/* seconds */
	int		 max_message_size;	/* bytes */
	int		 max_replies_per_sender_day;
	int		 max_emails_per_recipient_day;
	int		 retention_months;	/* 0: keep personal fields */
	struct {
		int	 attachment_size;	/* bytes */
		int	 mime_parts;
		int	 field_length;		/* characters of one answer */
		int	 docx_unpacked;		/* bytes */
		int	 docx_ratio;
	} limits;

	struct {
		char	**recipients;	/* "Name <addr>"; empty: board_inbox */
		size_t	  nrecipients;
		int	  week, quarter, half_year, year;	/* which are sent */
		int	  year_start;	/* month the financial year starts, 1-12 */
		int	  csv_max;	/* bytes of CSV attached at most; a
					   larger one is written to a file */
	} digest;

	struct {
		char		*host;
		int		 port;
		enum config_tls	 tls;
		char		*user;
		char		*password;
		char		*ca_file;
		char		*folder;
		char		*processed_folder;
		char		*rejected_folder;
		int		 timeout;
		int		 batch;	/* messages fetched, committed
					 * and moved together */
		enum config_auth auth;
	} imap;

	struct {
		char	*url;
		char	*user;
		char	*password;
		char	*from;		/* header value "Name <addr>" */
		char	*from_addr;	/* addr-spec, lower case */
		char	*ca_file;
		int	 starttls;
		int	 timeout;
		int	 retry_min;	/* seconds before the first retry */
		int	 retry_max;	/* cap of the exponential backoff */
		enum config_auth auth;
	} smtp;

	/* The oauth2 group: present (and required) when an auth is xoauth2. */
	struct {
		int		 enabled;
		char		*token_url;
		char		*client_id;
		char		*client_secret;	/* "" with no secret */
		char		*scope;
		enum config_grant grant;
		char		*refresh_token_file;	/* "" unless refresh_token */
		char		*token_cache;	/* "": none */
		char		*ca_file;	/* "": system trust store */
	} oauth2;
};

/* The folder of escbot's shipped rules, forms, templates, directory and
 * holidays: the one built in (ESCBOT_DATADIR, $(PREFIX)/share/escbot),
 * else ../share/escbot from the running program (a staged or moved
 * install), else the source tree it was built in (bot/..).  The first
 * that holds mail-templates/, made absolute; "" when none does.  Caller
 * frees. */
char	*config_data_dir(void);
/* Load and validate.  Returns 0 and *out, or -1 after reporting every
 * problem to d (nothing in *out). */
int	config_load(const char *path, struct config **out, struct diag *d);
void	config_free(struct config *);
/* check-config's: the database's folder is there, and writable for the
 * database, its journal and its lock.  0, or -1 after one error. */
int	config_check_database(const struct config *, struct diag *);
/* 1 if addr's domain (or a parent domain) is in allowed_sender_domains. */
int	config_domain_allowed(const struct config *, const char *addr);
/* addr_spec() (addr.h), under its old name: the addr-spec of "Name <addr>"
 * or of a bare address, lower case; NULL when there is none.  Caller frees. */
char	*config_addr_spec(const char *);

/* "dmarc", "strict" or "off". */
const char *config_sender_auth_name(enum config_sender_auth);

#endif

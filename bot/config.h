/*
 * config: escbot.conf (libconfig), loaded and validated.  Every key of the
 * DESIGN.md contract, plus optional keys with defaults; an unknown key, a
 * wrong type or a missing required key is a "file:line: message" error.
 * Relative paths are resolved against the folder of the config file.
 * The struct and all its strings are owned by it; free with config_free().
 */
#ifndef ESCBOT_CONFIG_H
#define ESCBOT_CONFIG_H

#include <stddef.h>

#include "diag.h"
#include "imap.h"

struct config {
	char		*file;
	char		*dir;			/* folder of the config file */
	char		*database;
	char		*lock_file;		/* database + ".lock" */
	char		*rules_dir;
	char		*templates_dir;
	char		*directory;
	char		*holidays;
	char		**allowed_domains;	/* lower case, NULL-terminated */
	size_t		 nallowed;
	char		*authserv_id;		/* trusted Authentication-Results */
	int		 work_open, work_close;	/* minutes after midnight */
	int		 poll_interval;		/* seconds */
	int		 max_message_size;	/* bytes */
	int		 max_replies_per_sender_day;

	struct {
		char	**recipients;	/* "Name <addr>"; empty: board_inbox */
		size_t	  nrecipients;
		int	  week, quarter, half_year;	/* which are sent */
	} digest;

	struct {
		char		*host;
		int		 port;
		enum imap_tls	 tls;
		char		*user;
		char		*password;
		char		*ca_file;
		char		*folder;
		char		*processed_folder;
		char		*rejected_folder;
		int		 timeout;
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
	} smtp;
};

/* Load and validate.  Returns 0 and *out, or -1 after reporting every
 * problem to d (nothing in *out). */
int	config_load(const char *path, struct config **out, struct diag *d);
void	config_free(struct config *);
/* 1 if addr's domain (or a parent domain) is in allowed_sender_domains. */
int	config_domain_allowed(const struct config *, const char *addr);
/* The addr-spec of "Name <addr>" or of a bare address, lower case; NULL
 * when there is none.  Caller frees. */
char	*config_addr_spec(const char *);

#endif

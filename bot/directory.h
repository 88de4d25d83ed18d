/*
 * directory: who to chase.  etc/directory.conf lists the agencies (name,
 * the names and abbreviations forms use for them, email domains) with a
 * contact for each agency role, and the partnership's own roles.  Contacts
 * are "Name <addr>" strings; a role may hold several.
 * Everything is owned by the struct directory; free with directory_free().
 */
#ifndef ESCBOT_DIRECTORY_H
#define ESCBOT_DIRECTORY_H

#include <stddef.h>

#include "diag.h"

/* Roles a stage may chase.  Agency roles are looked up at each involved
 * agency; partnership roles once for the partnership. */
extern const char *const directory_agency_roles[];
extern const char *const directory_partnership_roles[];

struct dir_role {
	char	 *role;
	char	**contacts;	/* "Name <addr>", NULL-terminated */
	char	**addrs;	/* their bare addresses (NULL when unusable) */
	size_t	  ncontacts;
};

struct dir_agency {
	char		*id;
	char		*name;
	char		**aliases;	/* NULL-terminated */
	size_t		 naliases;
	char		**domains;	/* lower case, NULL-terminated */
	size_t		 ndomains;
	struct dir_role	*roles;
	size_t		 nroles;
};

struct directory {
	struct dir_agency	*agencies;
	size_t			 nagencies;
	struct dir_role		*partnership;
	size_t			 npartnership;
};

int	directory_load(const char *path, struct directory **out, struct diag *);
void	directory_free(struct directory *);
/* 1 if `role` is a known agency or partnership role. */
int	directory_role_known(const char *role);
int	directory_role_is_partnership(const char *role);
const struct dir_agency *directory_agency_by_id(const struct directory *,
	    const char *id);
/* The agency whose domain matches the address's domain (or a parent). */
const struct dir_agency *directory_agency_by_email(const struct directory *,
	    const char *addr);
/* Agencies named in text by name or alias (whole words, any case): their
 * indexes are written to idx (up to max); returns how many. */
size_t	directory_agencies_in_text(const struct directory *, const char *text,
	    size_t *idx, size_t max);
/* Contacts for a role: at an agency (agency != NULL) or the partnership. */
const struct dir_role *directory_role(const struct directory *,
	    const struct dir_agency *, const char *role);
/* 1 if addr is any contact in the directory. */
int	directory_has_contact(const struct directory *, const char *addr);

#endif

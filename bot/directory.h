/*
 * directory: who to chase, one partnership at a time.  A partnership file
 * (etc/partnerships/ID.conf) names the partnership (id, name, its own
 * roles) and lists its agencies (name, the names and abbreviations forms
 * use for them, email domains) with a contact for each agency role, and
 * optionally other contacts for children's and for adults' work.
 * Contacts are "Name <addr>" strings; a role may hold several.
 * directory_load reads one file (one partnership) or a folder of them (a
 * set, chained by next).  Everything is owned by the first struct
 * directory; free with directory_free().
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

/* Which contacts of an agency a protocol uses (its `service`). */
enum dir_service { DIR_BOTH, DIR_CHILDREN, DIR_ADULTS };

struct dir_agency {
	char		*id;
	char		*name;
	char		**aliases;	/* NULL-terminated */
	size_t		 naliases;
	char		**domains;	/* lower case, NULL-terminated */
	size_t		 ndomains;
	struct dir_role	*roles;		/* for the directory's service */
	size_t		 nroles;
	/* The children's and adults' blocks as written (base only). */
	struct dir_role	*svc_roles[2];
	size_t		 nsvc_roles[2];
};

struct directory {
	char			*id;	/* "" for a single file without one */
	char			*name;
	char			*file;	/* it was read from */
	int			 id_line;
	struct dir_agency	*agencies;
	size_t			 nagencies;
	struct dir_role		*partnership;
	size_t			 npartnership;
	/* The same agencies with their children's (0) and adults' (1)
	 * contacts in place of the plain ones where given; NULL in a view. */
	struct directory	*views[2];
	enum dir_service	 service;	/* of this view */
	struct directory	*next;		/* the next partnership */
};

/* path: a partnership file, or a folder of them (*.conf, each with its
 * partnership id, no id twice). */
int	directory_load(const char *path, struct directory **out, struct diag *);
void	directory_free(struct directory *);
/* The partnership of the set with this id, or NULL. */
const struct directory *directory_partnership(const struct directory *set,
	    const char *id);
/* How many partnerships the set holds. */
size_t	directory_count(const struct directory *set);
/* The partnership as seen for a kind of work. */
const struct directory *directory_for_service(const struct directory *,
	    enum dir_service);
/* 1 if `role` is a known agency or partnership role. */
int	directory_role_known(const char *role);
int	directory_role_is_partnership(const char *role);
const struct dir_agency *directory_agency_by_id(const struct directory *,
	    const char *id);
/* The agency whose domain matches the address's domain (or a parent). */
const struct dir_agency *directory_agency_by_email(const struct directory *,
	    const char *addr);
/*
 * Agencies a form's agency answer names ("Telford & Wrekin Council,
 * Family Safeguarding Team; West Mercia Police and the health visiting
 * service").  The answer is cut into items at ";", ",", "/", " - ",
 * brackets and the word "and" ("&" joins); an item is an agency when it IS
 * its name or one of its aliases (case, punctuation, a leading "the" and
 * a trailing "service" or "team" aside) or starts with one followed by one
 * of those separators ("GMP - DC Sample", "Shropcom (health visiting)").
 * A generic word inside a sentence never matches: "Alex's school" is not
 * "School".  An item after a recognised agency that follows a comma, a
 * slash or a bracket qualifies it (a team, a role) and is dropped; any
 * other item no name fits is kept, as written, in unresolved.  "No",
 * "None", "N/A", "Not known" and the like name nothing.  Results are
 * added to out (each agency and text once).
 */
#define DIR_NAMES_MAX 32
struct dir_names {
	size_t	 idx[DIR_NAMES_MAX];		/* agencies, in order */
	size_t	 n;
	char	*unresolved[DIR_NAMES_MAX];	/* texts no agency fits */
	size_t	 nunresolved;
};
void	directory_agencies_named(const struct directory *, const char *text,
	    struct dir_names *out);
void	directory_names_free(struct dir_names *);
/* 1 when an answer says no agency is involved: empty, "No", "None",
 * "N/A", "Not known", "Not involved", "-". */
int	directory_answer_is_none(const char *answer);
/* The agency the whole of name is, or starts with (as above), or NULL. */
const struct dir_agency *directory_agency_named(const struct directory *,
	    const char *name);
/* Contacts for a role: at an agency (agency != NULL) or the partnership. */
const struct dir_role *directory_role(const struct directory *,
	    const struct dir_agency *, const char *role);
/* 1 if addr is any contact in the directory (every partnership of the
 * set, every kind of work). */
int	directory_has_contact(const struct directory *, const char *addr);
/* The agency at addr's domain in any partnership of the set, or NULL. */
const struct dir_agency *directory_set_agency_by_email(
	    const struct directory *set, const char *addr);

#endif

/*
 * directory: the contact directory of the partnership, read from
 * libconfig.  It answers two questions for the engine: which agency does a
 * sender or a form belong to, and who holds a role there.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "cfg.h"
#include "directory.h"
#include "util.h"

const char *const directory_agency_roles[] = {
	"practitioner", "line_manager", "safeguarding_lead", "head_of_service",
	"director", "board_rep", NULL
};
const char *const directory_partnership_roles[] = {
	"business_manager", "service_manager", "partnership_manager",
	"executive_lead", "independent_chair", "board_inbox", NULL
};

static int
in_list(const char *s, const char *const *l)
{
	for (; *l; l++)
		if (strcmp(s, *l) == 0)
			return 1;
	return 0;
}

int
directory_role_known(const char *role)
{
	return in_list(role, directory_agency_roles) ||
	    in_list(role, directory_partnership_roles);
}

int
directory_role_is_partnership(const char *role)
{
	return in_list(role, directory_partnership_roles);
}

/* A role is a string or an array of strings, each holding an address. */
static void
load_roles(const config_setting_t *g, const char *const *known,
    struct dir_role **out, size_t *nout, const char *file, struct diag *d)
{
	config_setting_t *m;
	struct dir_role *r;
	char *a;
	int i, n;

	*out = NULL;
	*nout = 0;
	if (g == NULL)
		return;
	cfg_check_keys(g, known, "contacts", file, d);
	n = config_setting_length(g);
	*out = xcalloc((size_t)n + 1, sizeof(**out));
	for (i = 0; i < n; i++) {
		m = config_setting_get_elem(g, (unsigned)i);
		if (!in_list(config_setting_name(m), known))
			continue;
		r = &(*out)[(*nout)++];
		r->role = xstrdup(config_setting_name(m));
		if (config_setting_type(m) == CONFIG_TYPE_STRING) {
			r->contacts = xcalloc(2, sizeof(char *));
			r->contacts[0] = xstrdup(config_setting_get_string(m));
			r->ncontacts = 1;
		} else
			r->contacts = cfg_strings(g, r->role, 1, &r->ncontacts,
			    file, d);
		/* Parsed once here: every message is checked against
		 * them (directory_has_contact). */
		r->addrs = xcalloc(r->ncontacts + 1, sizeof(char *));
		for (size_t k = 0; k < r->ncontacts; k++) {
			if ((a = addr_spec(r->contacts[k])) == NULL ||
			    strpbrk(r->contacts[k], "\r\n"))
				diag_error(d, file, cfg_line(m),
				    "%s: \"%s\" is not an email address",
				    r->role, r->contacts[k]);
			r->addrs[k] = a;
		}
	}
}

static void
free_roles(struct dir_role *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(r[i].role);
		for (size_t k = 0; r[i].addrs && k < r[i].ncontacts; k++)
			free(r[i].addrs[k]);
		free(r[i].addrs);
		cfg_strings_free(r[i].contacts);
	}
	free(r);
}

int
directory_load(const char *path, struct directory **out, struct diag *d)
{
	static const char *const top[] = { "agencies", "partnership", NULL };
	static const char *const akeys[] = { "id", "name", "aliases",
	    "domains", "contacts", NULL };
	struct directory *dir;
	struct dir_agency *a;
	config_setting_t *root, *list, *e;
	config_t cf;
	int errors0 = d->errors, i, n;

	*out = NULL;
	dir = xcalloc(1, sizeof(*dir));
	if (cfg_open(&cf, path, d) == -1)
		goto fail;
	root = config_root_setting(&cf);
	cfg_check_keys(root, top, NULL, path, d);
	list = cfg_group(root, "agencies", 1, 1, path, d);
	n = list ? config_setting_length(list) : 0;
	dir->agencies = xcalloc((size_t)n + 1, sizeof(*dir->agencies));
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(list, (unsigned)i);
		if (!config_setting_is_group(e)) {
			diag_error(d, path, cfg_line(e), "agencies: each entry must be { ... }");
			continue;
		}
		cfg_check_keys(e, akeys, "agency", path, d);
		a = &dir->agencies[dir->nagencies++];
		a->id = cfg_string(e, "id", 1, "", path, d);
		a->name = cfg_string(e, "name", 1, "", path, d);
		a->aliases = cfg_strings(e, "aliases", 0, &a->naliases, path, d);
		a->domains = cfg_strings(e, "domains", 0, &a->ndomains, path, d);
		for (size_t k = 0; k < a->ndomains; k++)
			for (char *p = a->domains[k]; *p; p++)
				*p = (char)tolower((unsigned char)*p);
		load_roles(cfg_group(e, "contacts", 0, 0, path, d),
		    directory_agency_roles, &a->roles, &a->nroles, path, d);
		for (size_t k = 0; k + 1 < dir->nagencies; k++)
			if (strcmp(dir->agencies[k].id, a->id) == 0)
				diag_error(d, path, cfg_line(e),
				    "agency id \"%s\" used twice", a->id);
	}
	load_roles(cfg_group(root, "partnership", 0, 0, path, d),
	    directory_partnership_roles, &dir->partnership, &dir->npartnership,
	    path, d);
	config_destroy(&cf);
	if (d->errors != errors0)
		goto fail_free;
	*out = dir;
	return 0;
fail:
	config_destroy(&cf);
fail_free:
	directory_free(dir);
	return -1;
}

void
directory_free(struct directory *dir)
{
	if (dir == NULL)
		return;
	for (size_t i = 0; i < dir->nagencies; i++) {
		struct dir_agency *a = &dir->agencies[i];

		free(a->id);
		free(a->name);
		cfg_strings_free(a->aliases);
		cfg_strings_free(a->domains);
		free_roles(a->roles, a->nroles);
	}
	free(dir->agencies);
	free_roles(dir->partnership, dir->npartnership);
	free(dir);
}

const struct dir_agency *
directory_agency_by_id(const struct directory *dir, const char *id)
{
	for (size_t i = 0; id && i < dir->nagencies; i++)
		if (strcmp(dir->agencies[i].id, id) == 0)
			return &dir->agencies[i];
	return NULL;
}

const struct dir_agency *
directory_agency_by_email(const struct directory *dir, const char *addr)
{
	const char *dom = addr_domain(addr);

	for (size_t i = 0; dom != NULL && i < dir->nagencies; i++)
		for (size_t k = 0; k < dir->agencies[i].ndomains; k++)
			if (addr_domain_matches(dom,
			    dir->agencies[i].domains[k]))
				return &dir->agencies[i];
	return NULL;
}

/* Whole-word, case-insensitive occurrence of word in text. */
static int
has_word(const char *text, const char *word)
{
	size_t n = strlen(word);
	const char *p = text;

	if (n == 0)
		return 0;
	while ((p = str_casestr(p, word)) != NULL) {
		int before = p == text || !isalnum((unsigned char)p[-1]);
		int after = !isalnum((unsigned char)p[n]);

		if (before && after)
			return 1;
		p++;
	}
	return 0;
}

size_t
directory_agencies_in_text(const struct directory *dir, const char *text,
    size_t *idx, size_t max)
{
	size_t found = 0;

	for (size_t i = 0; i < dir->nagencies && found < max; i++) {
		const struct dir_agency *a = &dir->agencies[i];
		int hit = has_word(text, a->name);

		for (size_t k = 0; !hit && k < a->naliases; k++)
			hit = has_word(text, a->aliases[k]);
		if (hit)
			idx[found++] = i;
	}
	return found;
}

const struct dir_role *
directory_role(const struct directory *dir, const struct dir_agency *a,
    const char *role)
{
	const struct dir_role *r = a ? a->roles : dir->partnership;
	size_t n = a ? a->nroles : dir->npartnership;

	for (size_t i = 0; i < n; i++)
		if (strcmp(r[i].role, role) == 0)
			return &r[i];
	return NULL;
}

static int
roles_have(const struct dir_role *r, size_t n, const char *addr)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < r[i].ncontacts; k++)
			if (r[i].addrs[k] && str_casecmp(r[i].addrs[k], addr) == 0)
				return 1;
	return 0;
}

int
directory_has_contact(const struct directory *dir, const char *addr)
{
	if (addr == NULL)
		return 0;
	for (size_t i = 0; i < dir->nagencies; i++)
		if (roles_have(dir->agencies[i].roles, dir->agencies[i].nroles, addr))
			return 1;
	return roles_have(dir->partnership, dir->npartnership, addr);
}

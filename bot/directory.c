/*
 * directory: the contact directory of each partnership, read from
 * libconfig.  It answers two questions for the engine: which agency does a
 * sender or a form belong to, and who holds a role there.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
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

/* A role is a string or an array of strings, each holding an address.
 * keys: what the group may hold (the roles, and more). */
static void
load_roles(const config_setting_t *g, const char *const *known,
    const char *const *keys, const char *what, struct dir_role **out,
    size_t *nout, const char *file, struct diag *d)
{
	config_setting_t *m;
	struct dir_role *r;
	char *a;
	int i, n;

	*out = NULL;
	*nout = 0;
	if (g == NULL)
		return;
	cfg_check_keys(g, keys, what, file, d);
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

/* A view's agency roles: the service's where given, else the plain ones
 * (shallow copies: the base owns the strings). */
static void
merge_roles(const struct dir_agency *a, int svc, struct dir_agency *out)
{
	const struct dir_role *o = a->svc_roles[svc];
	size_t no = a->nsvc_roles[svc], n = 0;

	out->roles = xcalloc(a->nroles + no + 1, sizeof(*out->roles));
	for (size_t i = 0; i < no; i++)
		out->roles[n++] = o[i];
	for (size_t i = 0; i < a->nroles; i++) {
		size_t k;

		for (k = 0; k < no; k++)
			if (strcmp(o[k].role, a->roles[i].role) == 0)
				break;
		if (k == no)
			out->roles[n++] = a->roles[i];
	}
	out->nroles = n;
	out->svc_roles[0] = out->svc_roles[1] = NULL;
	out->nsvc_roles[0] = out->nsvc_roles[1] = 0;
}

static struct directory *
make_view(const struct directory *dir, int svc)
{
	struct directory *v = xcalloc(1, sizeof(*v));

	*v = *dir;
	v->views[0] = v->views[1] = NULL;
	v->next = NULL;
	v->service = svc == 0 ? DIR_CHILDREN : DIR_ADULTS;
	v->agencies = xcalloc(dir->nagencies + 1, sizeof(*v->agencies));
	for (size_t i = 0; i < dir->nagencies; i++) {
		v->agencies[i] = dir->agencies[i];
		merge_roles(&dir->agencies[i], svc, &v->agencies[i]);
	}
	return v;
}

static void
free_view(struct directory *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->nagencies; i++)
		free(v->agencies[i].roles);
	free(v->agencies);
	free(v);
}

/* One partnership file.  need_id: it is one of a folder's. */
static struct directory *
load_file(const char *path, int need_id, struct diag *d)
{
	static const char *const top[] = { "agencies", "partnership", NULL };
	static const char *const akeys[] = { "id", "name", "aliases",
	    "domains", "contacts", "children", "adults", NULL };
	static const char *pkeys[16];
	struct directory *dir;
	struct dir_agency *a;
	config_setting_t *root, *list, *e, *pg, *m;
	config_t cf;
	int errors0 = d->errors, i, n;
	size_t np = 0;

	if (pkeys[0] == NULL) {
		pkeys[np++] = "id";
		pkeys[np++] = "name";
		for (size_t k = 0; directory_partnership_roles[k]; k++)
			pkeys[np++] = directory_partnership_roles[k];
		pkeys[np] = NULL;
	}
	dir = xcalloc(1, sizeof(*dir));
	dir->file = xstrdup(path);
	if (cfg_open(&cf, path, d) == -1) {
		dir->id = xstrdup("");
		dir->name = xstrdup("");
		goto fail;
	}
	root = config_root_setting(&cf);
	cfg_check_keys(root, top, NULL, path, d);
	pg = cfg_group(root, "partnership", 0, 0, path, d);
	dir->id = pg ? cfg_string(pg, "id", 0, "", path, d) : xstrdup("");
	dir->name = pg ? cfg_string(pg, "name", 0, dir->id, path, d) :
	    xstrdup("");
	if (pg != NULL && (m = config_setting_get_member(pg, "id")) != NULL)
		dir->id_line = cfg_line(m);
	else
		dir->id_line = pg ? cfg_line(pg) : 1;
	if (need_id && dir->id[0] == '\0')
		diag_error(d, path, dir->id_line, "no partnership id: each file "
		    "of a directory folder is one partnership, partnership = "
		    "{ id = \"...\"; name = \"...\"; roles }");
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
		    directory_agency_roles, directory_agency_roles, "contacts",
		    &a->roles, &a->nroles, path, d);
		load_roles(cfg_group(e, "children", 0, 0, path, d),
		    directory_agency_roles, directory_agency_roles, "children",
		    &a->svc_roles[0], &a->nsvc_roles[0], path, d);
		load_roles(cfg_group(e, "adults", 0, 0, path, d),
		    directory_agency_roles, directory_agency_roles, "adults",
		    &a->svc_roles[1], &a->nsvc_roles[1], path, d);
		for (size_t k = 0; k + 1 < dir->nagencies; k++)
			if (strcmp(dir->agencies[k].id, a->id) == 0)
				diag_error(d, path, cfg_line(e),
				    "agency id \"%s\" used twice", a->id);
	}
	load_roles(pg, directory_partnership_roles, pkeys, "partnership",
	    &dir->partnership, &dir->npartnership, path, d);
	dir->views[0] = make_view(dir, 0);
	dir->views[1] = make_view(dir, 1);
	config_destroy(&cf);
	if (d->errors != errors0)
		goto fail_free;
	return dir;
fail:
	config_destroy(&cf);
fail_free:
	directory_free(dir);
	return NULL;
}

int
directory_load(const char *path, struct directory **out, struct diag *d)
{
	struct directory *head = NULL, **tail = &head, *p;
	struct stat st;
	char **paths = NULL;
	size_t npaths = 0;
	int errors0 = d->errors;

	*out = NULL;
	if (stat(path, &st) == -1 || !S_ISDIR(st.st_mode)) {
		if ((*out = load_file(path, 0, d)) == NULL)
			return -1;
		return 0;
	}
	if (conf_files(path, &paths, &npaths) == -1) {
		diag_error(d, path, 0, "cannot open the directory folder: %s",
		    strerror(errno));
		return -1;
	}
	if (npaths == 0)
		diag_error(d, path, 0, "no partnership files (*.conf) in the "
		    "directory folder");
	for (size_t i = 0; i < npaths; i++) {
		if ((p = load_file(paths[i], 1, d)) == NULL)
			continue;
		for (const struct directory *q = head; q; q = q->next)
			if (strcmp(q->id, p->id) == 0)
				diag_error(d, p->file, p->id_line,
				    "partnership id \"%s\" used twice (also "
				    "in %s)", p->id, q->file);
		*tail = p;
		tail = &p->next;
	}
	conf_files_free(paths);
	if (d->errors != errors0) {
		directory_free(head);
		return -1;
	}
	*out = head;
	return 0;
}

void
directory_free(struct directory *dir)
{
	struct directory *next;

	for (; dir != NULL; dir = next) {
		next = dir->next;
		free_view(dir->views[0]);
		free_view(dir->views[1]);
		for (size_t i = 0; i < dir->nagencies; i++) {
			struct dir_agency *a = &dir->agencies[i];

			free(a->id);
			free(a->name);
			cfg_strings_free(a->aliases);
			cfg_strings_free(a->domains);
			free_roles(a->roles, a->nroles);
			free_roles(a->svc_roles[0], a->nsvc_roles[0]);
			free_roles(a->svc_roles[1], a->nsvc_roles[1]);
		}
		free(dir->agencies);
		free_roles(dir->partnership, dir->npartnership);
		free(dir->id);
		free(dir->name);
		free(dir->file);
		free(dir);
	}
}

const struct directory *
directory_partnership(const struct directory *set, const char *id)
{
	for (; set && id; set = set->next)
		if (strcmp(set->id, id) == 0)
			return set;
	return NULL;
}

size_t
directory_count(const struct directory *set)
{
	size_t n = 0;

	for (; set; set = set->next)
		n++;
	return n;
}

const struct directory *
directory_for_service(const struct directory *dir, enum dir_service s)
{
	if (dir == NULL || s == DIR_BOTH || dir->views[0] == NULL)
		return dir;
	return dir->views[s == DIR_CHILDREN ? 0 : 1];
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

/*
 * Names of agencies as forms write them.  A text is cut into words (case
 * and punctuation aside, "&" read as "and", apostrophes dropped) with what
 * separates each word from the one before: ";" or a line break ends an
 * item, ",", "/" and a spaced dash separate items that may qualify the one
 * before ("Telford & Wrekin Council, Family Safeguarding Team"), "(" and
 * ")" a qualifier in brackets, and the word "and" (not "&") splits items
 * outside brackets.
 */
#define NW_HARD	0x01	/* ; or line break before the word */
#define NW_SOFT	0x02	/* , / or a spaced dash before it */
#define NW_OPEN	0x04	/* ( before it */
#define NW_CLOSE 0x08	/* ) before it */
#define NW_AMP	0x10	/* the word is "&" */
#define NW_MAXWORDS 256	/* of an answer */
#define NW_NAMEWORDS 24		/* of a name */

struct nword {
	size_t	s, e;		/* in the text */
	int	gap;		/* NW_* of what is before it */
	char	w[40];		/* normalised */
};

struct nwords {
	struct nword	*w;
	size_t		 n;
};

static int
nw_is(const struct nword *w, const char *s)
{
	return strcmp(w->w, s) == 0;
}

/* At most max words are read (the rest of a long answer is not). */
static void
nw_split(const char *text, struct nwords *out, size_t max)
{
	const unsigned char *p = (const unsigned char *)text;
	int gap = 0;

	out->w = xcalloc(max, sizeof(*out->w));
	out->n = 0;
	while (*p) {
		if (*p == ';' || *p == '\n' || *p == '\r')
			gap |= NW_HARD;
		else if (*p == ',' || *p == '/')
			gap |= NW_SOFT;
		else if (*p == '(' || *p == '[')
			gap |= NW_OPEN;
		else if (*p == ')' || *p == ']')
			gap |= NW_CLOSE;
		else if (*p == '-' && (p == (const unsigned char *)text ||
		    isspace(p[-1]) || isspace(p[1]) || p[1] == '\0'))
			gap |= NW_SOFT;
		else if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0x93 ||
		    p[2] == 0x94)) {
			gap |= NW_SOFT;		/* en or em dash */
			p += 3;
			continue;
		}
		if (*p == '&' || isalnum(*p) || *p >= 0x80) {
			struct nword *w;
			size_t k = 0;

			if (out->n == max)
				break;
			w = &out->w[out->n++];
			w->gap = gap;
			gap = 0;
			w->s = (size_t)(p - (const unsigned char *)text);
			if (*p == '&') {
				snprintf(w->w, sizeof(w->w), "and");
				w->gap |= NW_AMP;
				p++;
			} else {
				for (; *p; p++) {
					if (*p == '\'' && isalnum(p[1]))
						continue;
					if (p[0] == 0xe2 && p[1] == 0x80 &&
					    p[2] == 0x99) {	/* ’ */
						p += 2;
						continue;
					}
					if (p[0] == 0xe2 && p[1] == 0x80 &&
					    (p[2] == 0x93 || p[2] == 0x94))
						break;
					if (!isalnum(*p) && *p < 0x80)
						break;
					if (k + 1 < sizeof(w->w))
						w->w[k++] = (char)tolower(*p);
				}
				w->w[k] = '\0';
			}
			w->e = (size_t)(p - (const unsigned char *)text);
			continue;
		}
		p++;
	}
}

/* Is the item starting at word i over once the words [i, j) are read? */
static int
nw_boundary(const struct nwords *t, size_t j)
{
	if (j >= t->n)
		return 1;
	if (t->w[j].gap & (NW_HARD | NW_SOFT | NW_OPEN | NW_CLOSE))
		return 1;
	return nw_is(&t->w[j], "and") && !(t->w[j].gap & NW_AMP);
}

/* Past the "service(s)" or "team" words at j that end a name ("the health
 * visiting service" is "Health Visiting"). */
static size_t
nw_skip_tail(const struct nwords *t, size_t j)
{
	while (j < t->n && !(t->w[j].gap & (NW_HARD | NW_SOFT | NW_OPEN)) &&
	    (nw_is(&t->w[j], "service") || nw_is(&t->w[j], "services") ||
	    nw_is(&t->w[j], "team")))
		j++;
	return j;
}

/* How many words of t from i the name n is (0: it is not there): the
 * name's words, then the item's end. */
static size_t
nw_match(const struct nwords *t, size_t i, const char *name)
{
	struct nwords a;
	size_t k, lo = 0, hi, j;

	nw_split(name, &a, NW_NAMEWORDS);
	hi = a.n;
	if (hi > 1 && nw_is(&a.w[0], "the"))
		lo++;
	while (hi > lo + 1 && (nw_is(&a.w[hi - 1], "service") ||
	    nw_is(&a.w[hi - 1], "services") || nw_is(&a.w[hi - 1], "team")))
		hi--;
	if (hi == lo || i + (hi - lo) > t->n) {
		free(a.w);
		return 0;
	}
	for (k = lo; k < hi; k++) {
		const struct nword *w = &t->w[i + k - lo];

		if (strcmp(w->w, a.w[k].w) != 0 ||
		    (k > lo && (w->gap & NW_HARD)))
			break;
	}
	free(a.w);
	if (k < hi)
		return 0;
	j = nw_skip_tail(t, i + (hi - lo));
	return nw_boundary(t, j) ? j - i : 0;
}

/* The agency whose name or alias is the item at word i (after "the"):
 * the longest wins.  *len is the words it took. */
static const struct dir_agency *
nw_agency(const struct directory *dir, const struct nwords *t, size_t i,
    size_t *len)
{
	const struct dir_agency *best = NULL;
	size_t bl = 0, off = 0, m;

	if (i + 1 < t->n && nw_is(&t->w[i], "the") &&
	    !(t->w[i + 1].gap & (NW_HARD | NW_SOFT)))
		off = 1;
	for (size_t x = 0; x < dir->nagencies; x++) {
		const struct dir_agency *a = &dir->agencies[x];

		for (size_t k = 0; k <= a->naliases; k++) {
			const char *n = k == 0 ? a->name : a->aliases[k - 1];

			m = nw_match(t, i + off, n);
			if (m == 0 && off)
				m = nw_match(t, i, n);
			else if (m)
				m += off;
			if (m > bl) {
				bl = m;
				best = a;
			}
		}
	}
	*len = bl;
	return best;
}

/* Answers that name no agency: "No", "None", "N/A", "Not known"; with
 * yes, also "Yes", "Known", "Involved" (which say an agency is involved
 * without naming it). */
static int
nw_nothing(const struct nwords *t, size_t i, size_t j, int yes)
{
	static const char *const none[] = { "no", "none", "na", "n a", "nil",
	    "not known", "unknown", "not applicable", "not involved", "tbc",
	    NULL };
	static const char *const some[] = { "known", "yes", "involved", NULL };
	char buf[64] = "";

	for (size_t k = i; k < j; k++) {
		if (strlen(buf) + strlen(t->w[k].w) + 2 >= sizeof(buf))
			return 0;
		if (k > i)
			strcat(buf, " ");
		strcat(buf, t->w[k].w);
	}
	if (i == j)
		return 1;
	for (const char *const *n = none; *n; n++)
		if (strcmp(buf, *n) == 0)
			return 1;
	for (const char *const *n = some; yes && *n; n++)
		if (strcmp(buf, *n) == 0)
			return 1;
	return 0;
}

int
directory_answer_is_none(const char *answer)
{
	struct nwords t;
	int none;

	if (answer == NULL)
		return 1;
	nw_split(answer, &t, NW_NAMEWORDS);
	none = nw_nothing(&t, 0, t.n, 0);
	free(t.w);
	return none;
}

static void
names_add_agency(struct dir_names *out, size_t idx)
{
	for (size_t k = 0; k < out->n; k++)
		if (out->idx[k] == idx)
			return;
	if (out->n < DIR_NAMES_MAX)
		out->idx[out->n++] = idx;
}

static void
names_add_text(struct dir_names *out, const char *s, size_t len)
{
	char *t;

	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	if (len == 0)
		return;
	t = xstrndup(s, len);
	for (size_t k = 0; k < out->nunresolved; k++)
		if (str_casecmp(out->unresolved[k], t) == 0) {
			free(t);
			return;
		}
	if (out->nunresolved < DIR_NAMES_MAX)
		out->unresolved[out->nunresolved++] = t;
	else
		free(t);
}

void
directory_agencies_named(const struct directory *dir, const char *text,
    struct dir_names *out)
{
	struct nwords t;
	size_t i = 0, len, j;
	int prev = 0, depth = 0;

	if (text == NULL)
		return;
	nw_split(text, &t, NW_MAXWORDS);
	if (nw_nothing(&t, 0, t.n, 1))	/* "N/A" as a whole */
		i = t.n;
	while (i < t.n) {
		const struct dir_agency *a;
		int gap = t.w[i].gap;

		if (gap & NW_HARD)
			prev = 0;
		if (nw_is(&t.w[i], "and") && !(gap & NW_AMP)) {
			prev = 0;
			i++;
			continue;
		}
		if ((a = nw_agency(dir, &t, i, &len)) != NULL) {
			names_add_agency(out, (size_t)(a - dir->agencies));
			prev = 1;
			i += len;
			continue;
		}
		/* An item no name fits: up to the next separator outside
		 * brackets. */
		depth = (gap & NW_OPEN) ? 1 : 0;
		for (j = i + 1; j < t.n; j++) {
			int g = t.w[j].gap;

			if (g & NW_CLOSE)
				depth = 0;
			if (depth == 0 && (g & (NW_HARD | NW_SOFT)))
				break;
			if (depth == 0 && nw_is(&t.w[j], "and") &&
			    !(g & NW_AMP))
				break;
			if (g & NW_OPEN)	/* "Team (T&W)": the item's */
				depth = 1;
		}
		/* "..., Family Safeguarding Team": a team of the agency
		 * before is no agency of its own. */
		if (!(prev && (gap & (NW_SOFT | NW_OPEN))) &&
		    !nw_nothing(&t, i, j, 1)) {
			size_t s = t.w[i].s, e = t.w[j - 1].e;

			if ((gap & NW_OPEN) && s > 0 && text[s - 1] == '(')
				s--;
			while (text[e] == ')' || text[e] == ']' ||
			    (text[e] == ' ' && (text[e + 1] == ')' ||
			    text[e + 1] == ']')))
				e++;
			names_add_text(out, text + s, e - s);
			prev = 0;
		}
		i = j;
	}
	free(t.w);
}

const struct dir_agency *
directory_agency_named(const struct directory *dir, const char *name)
{
	struct nwords t;
	const struct dir_agency *a = NULL;
	size_t len;

	if (name == NULL)
		return NULL;
	nw_split(name, &t, NW_NAMEWORDS);
	if (t.n > 0)
		a = nw_agency(dir, &t, 0, &len);
	free(t.w);
	return a;
}

void
directory_names_free(struct dir_names *n)
{
	for (size_t k = 0; k < n->nunresolved; k++)
		free(n->unresolved[k]);
	memset(n, 0, sizeof(*n));
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
directory_has_contact(const struct directory *set, const char *addr)
{
	if (addr == NULL)
		return 0;
	for (const struct directory *dir = set; dir; dir = dir->next) {
		for (size_t i = 0; i < dir->nagencies; i++) {
			const struct dir_agency *a = &dir->agencies[i];

			if (roles_have(a->roles, a->nroles, addr) ||
			    roles_have(a->svc_roles[0], a->nsvc_roles[0], addr) ||
			    roles_have(a->svc_roles[1], a->nsvc_roles[1], addr))
				return 1;
		}
		if (roles_have(dir->partnership, dir->npartnership, addr))
			return 1;
	}
	return 0;
}

const struct dir_agency *
directory_set_agency_by_email(const struct directory *set, const char *addr)
{
	const struct dir_agency *a;

	for (; set; set = set->next)
		if ((a = directory_agency_by_email(set, addr)) != NULL)
			return a;
	return NULL;
}

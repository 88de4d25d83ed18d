/*
 * formdef: loading the form files.  Each .conf in rules/forms/ is checked
 * key by key with file:line diagnostics (unknown keys, bad names and
 * types, duplicate fields, grid cells and boundaries that clash with
 * labels), then its labels are normalised and sorted once into the
 * form's index, so that reading a message does not redo it.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "formdef.h"
#include "text.h"
#include "util.h"

static const char *const top_keys[] = { "form", NULL };
static const char *const form_keys[] = {
	"id", "title", "patterns", "fields", "boundaries", "records",
	"template", NULL
};
static const char *const records_keys[] = {
	"headings", "field", "number", "parts", NULL
};
static const char *const field_keys[] = {
	"name", "label", "aliases", "type", "required", "personal", "example",
	"after", "row", "column", "agency", NULL
};

static int
ident_ok(const char *s, int dash)
{
	if (!islower((unsigned char)*s))
		return 0;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) &&
		    *s != '_' && !(dash && *s == '-'))
			return 0;
	return 1;
}

/* A string or an array of strings (row / column names). */
static char **
names_of(const config_setting_t *g, const char *key, size_t *n,
    const char *file, struct diag *d)
{
	config_setting_t *s = config_setting_get_member(g, key);
	char **v;

	*n = 0;
	if (s != NULL && config_setting_type(s) == CONFIG_TYPE_STRING) {
		v = xcalloc(2, sizeof(char *));
		v[0] = xstrdup(config_setting_get_string(s));
		*n = 1;
		return v;
	}
	if (s != NULL && !config_setting_is_array(s) && !config_setting_is_list(s)) {
		diag_error(d, file, cfg_line(s),
		    "\"%s\" must be a string or an array of strings", key);
		return xcalloc(1, sizeof(char *));
	}
	return cfg_strings(g, key, 0, n, file, d);
}

static void
free_strv(char **v)
{
	cfg_strings_free(v);
}

static void
field_free(struct form_field_def *f)
{
	free(f->name);
	free(f->label);
	free_strv(f->aliases);
	free(f->example);
	free(f->after);
	free_strv(f->rows);
	free_strv(f->columns);
}

static void
records_free(struct form_records *r)
{
	if (r == NULL)
		return;
	free_strv(r->headings);
	free(r->field);
	free_strv(r->number);
	for (size_t i = 0; i < r->nparts; i++) {
		free_strv(r->parts[i]);
		if (r->parts_norm)
			free_strv(r->parts_norm[i]);
	}
	free(r->parts);
	free(r->parts_norm);
	free_strv(r->number_norm);
	free(r);
}

static void
form_free(struct form_def *f)
{
	free(f->id);
	free(f->title);
	free_strv(f->patterns);
	for (size_t i = 0; i < f->nfields; i++)
		field_free(&f->fields[i]);
	free(f->fields);
	free(f->file);
	free_strv(f->boundaries);
	records_free(f->records);
	form_index_free(f->index);
	free(f->template_name);
	free(f->template_data);
}

/* Reports a name (label, alias, pattern) with no letters or digits. */
static void
check_words(const char *s, const char *what, const config_setting_t *at,
    const char *file, struct diag *d)
{
	size_t n;
	char *t = text_label_norm(s, &n);

	if (n == 0)
		diag_error(d, file, cfg_line(at), "%s \"%s\" has no letters or digits",
		    what, s);
	free(t);
}

static void
load_field(struct form_field_def *f, const config_setting_t *e,
    const char *file, struct diag *d)
{
	config_setting_t *s;
	char *type;

	cfg_check_keys(e, field_keys, "field", file, d);
	f->name = cfg_string(e, "name", 1, "", file, d);
	if (f->name[0] && !ident_ok(f->name, 0))
		diag_error(d, file, cfg_line(config_setting_get_member(e, "name")),
		    "field name \"%s\": use lower-case letters, digits and _",
		    f->name);
	f->label = cfg_string(e, "label", 1, "", file, d);
	if (f->label[0])
		check_words(f->label, "label", config_setting_get_member(e, "label"),
		    file, d);
	f->aliases = cfg_strings(e, "aliases", 0, &f->naliases, file, d);
	s = config_setting_get_member(e, "aliases");
	for (size_t i = 0; i < f->naliases; i++)
		check_words(f->aliases[i], "alias", s, file, d);
	type = cfg_string(e, "type", 0, "text", file, d);
	if (form_type_parse(type, &f->type) != 0)
		diag_error(d, file, cfg_line(config_setting_get_member(e, "type")),
		    "field \"%s\": unknown type \"%s\" (text, date, yesno, email, "
		    "phone or nhs)", f->name, type);
	free(type);
	f->required = cfg_bool(e, "required", 0, file, d);
	f->personal = cfg_bool(e, "personal", 0, file, d);
	f->example = cfg_string(e, "example", 0, "", file, d);
	f->after = cfg_string(e, "after", 0, NULL, file, d);
	type = cfg_string(e, "agency", 0, "", file, d);
	s = config_setting_get_member(e, "agency");
	if (strcmp(type, "raising") == 0)
		f->agency = AGENCY_RAISING;
	else if (strcmp(type, "receiving") == 0)
		f->agency = AGENCY_RECEIVING;
	else if (strcmp(type, "involved") == 0)
		f->agency = AGENCY_INVOLVED;
	else if (s != NULL)
		diag_error(d, file, cfg_line(s), "field \"%s\": agency \"%s\" "
		    "is not \"raising\", \"receiving\" or \"involved\"",
		    f->name, type);
	free(type);
	if (f->agency != AGENCY_NONE && (f->personal ||
	    f->type != FIELD_TEXT))
		diag_error(d, file, cfg_line(s), "field \"%s\": an agency "
		    "field must be a text field and not personal (its answer "
		    "is repeated in the acknowledgement)", f->name);
	f->rows = names_of(e, "row", &f->nrows, file, d);
	f->columns = names_of(e, "column", &f->ncolumns, file, d);
	if ((f->nrows == 0) != (f->ncolumns == 0))
		diag_error(d, file, cfg_line(e),
		    "field \"%s\": a grid cell needs both row and column", f->name);
	for (size_t i = 0; i < f->nrows; i++)
		check_words(f->rows[i], "row", e, file, d);
	for (size_t i = 0; i < f->ncolumns; i++)
		check_words(f->columns[i], "column", e, file, d);
}

static void
check_form(struct form_def *fd, const config_setting_t *g,
    const config_setting_t *list, const char *file, struct diag *d)
{
	config_setting_t *bs = config_setting_get_member(g, "boundaries");

	for (size_t i = 0; i < fd->nfields; i++) {
		struct form_field_def *f = &fd->fields[i];
		const config_setting_t *e = config_setting_get_elem(list,
		    (unsigned)i);

		for (size_t j = 0; j < i; j++) {
			if (f->name[0] && strcmp(fd->fields[j].name, f->name) == 0) {
				diag_error(d, file, cfg_line(e),
				    "field \"%s\" is defined twice (first at line %d)",
				    f->name, cfg_line(config_setting_get_elem(list,
				    (unsigned)j)));
				break;
			}
			if (f->nrows && f->ncolumns && fd->fields[j].nrows &&
			    fd->fields[j].ncolumns &&
			    text_same_label(f->rows[0], fd->fields[j].rows[0]) &&
			    text_same_label(f->columns[0], fd->fields[j].columns[0]))
				diag_error(d, file, cfg_line(e),
				    "field \"%s\" is the same grid cell as \"%s\"",
				    f->name, fd->fields[j].name);
		}
		if (f->after != NULL) {
			if (form_field_find(fd, f->after) == NULL ||
			    strcmp(f->after, f->name) == 0)
				diag_error(d, file,
				    cfg_line(config_setting_get_member(e, "after")),
				    "field \"%s\": after names \"%s\", which is not "
				    "another field of this form", f->name, f->after);
		}
	}
	for (size_t b = 0; b < fd->nboundaries; b++) {
		check_words(fd->boundaries[b], "boundary", bs, file, d);
		for (size_t i = 0; i < fd->nfields; i++) {
			const struct form_field_def *f = &fd->fields[i];
			int clash = text_same_label(fd->boundaries[b], f->label);

			for (size_t a = 0; !clash && a < f->naliases; a++)
				clash = text_same_label(fd->boundaries[b], f->aliases[a]);
			if (clash)
				diag_error(d, file, cfg_line(bs),
				    "boundary \"%s\" is also a label of field \"%s\"",
				    fd->boundaries[b], f->name);
		}
	}
}

/* One part of a record: a label or an array of labels. */
static char **
record_part(const config_setting_t *e, const char *file, struct diag *d)
{
	int n = config_setting_type(e) == CONFIG_TYPE_STRING ? 1 :
	    config_setting_is_array(e) ? config_setting_length(e) : 0;
	char **v = xcalloc((size_t)n + 1, sizeof(char *));
	const char *s;

	if (n == 0)
		diag_error(d, file, cfg_line(e), "records: each part is a "
		    "label or an array of labels [ \"...\", ... ]");
	for (int i = 0; i < n; i++) {
		s = config_setting_type(e) == CONFIG_TYPE_STRING ?
		    config_setting_get_string(e) :
		    config_setting_get_string_elem(e, i);
		if (s == NULL) {
			diag_error(d, file, cfg_line(e),
			    "records: a part's labels must be strings");
			break;
		}
		v[i] = xstrdup(s);
		check_words(s, "records label", e, file, d);
	}
	return v;
}

/* A NULL-terminated copy of v's labels, normalised. */
static char **
norm_strv(char **v)
{
	size_t n = 0;
	char **out;

	while (v != NULL && v[n] != NULL)
		n++;
	out = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		out[i] = text_label_norm(v[i], NULL);
	return out;
}

/* The optional "records" group; checked against the form's fields. */
static struct form_records *
load_records(const struct form_def *fd, const config_setting_t *g,
    const char *file, struct diag *d)
{
	config_setting_t *rg = config_setting_get_member(g, "records"), *ps;
	struct form_records *r;
	char name[128];
	int n;

	if (rg == NULL)
		return NULL;
	r = xcalloc(1, sizeof(*r));
	r->line = cfg_line(rg);
	if (!config_setting_is_group(rg)) {
		diag_error(d, file, r->line, "records must be a group "
		    "{ headings = ...; field = ...; parts = (...); }");
		return r;
	}
	cfg_check_keys(rg, records_keys, "records", file, d);
	r->headings = cfg_strings(rg, "headings", 1, &r->nheadings, file, d);
	r->field = cfg_string(rg, "field", 1, "", file, d);
	r->number = cfg_strings(rg, "number", 0, &r->nnumber, file, d);
	ps = config_setting_get_member(rg, "parts");
	n = ps && config_setting_is_list(ps) ? config_setting_length(ps) : 0;
	if (n == 0)
		diag_error(d, file, ps ? cfg_line(ps) : r->line, "records: "
		    "parts must be a list ( [ \"label\", ... ], ... )");
	r->parts = xcalloc((size_t)n + 1, sizeof(*r->parts));
	for (int i = 0; i < n; i++)
		r->parts[r->nparts++] = record_part(
		    config_setting_get_elem(ps, (unsigned)i), file, d);
	r->number_norm = norm_strv(r->number);
	r->parts_norm = xcalloc(r->nparts + 1, sizeof(*r->parts_norm));
	for (size_t i = 0; i < r->nparts; i++)
		r->parts_norm[i] = norm_strv(r->parts[i]);
	snprintf(name, sizeof(name), "%s1", r->field);
	if (r->field[0] && form_field_find(fd, name) == NULL)
		diag_error(d, file, r->line, "records: field \"%s\" names "
		    "no field of this form (\"%s\" is not defined)", r->field,
		    name);
	return r;
}

/*
 * The blank form named by `template`: a .docx beside the form file (or a
 * path relative to its folder), read now so that a missing or unreadable
 * file is a file:line mistake at start-up rather than a reply without its
 * attachment.  Its file name is what the sender sees: ASCII letters,
 * digits, spaces, '.', '-' and '_'.
 */
static void
load_template(struct form_def *fd, const config_setting_t *g,
    const char *path, struct diag *d)
{
	config_setting_t *s = config_setting_get_member(g, "template");
	char *v, *dir, *full = NULL, *slash;
	const char *base;
	struct stat st;
	size_t n;
	int line;

	if (s == NULL)
		return;
	line = cfg_line(s);
	v = cfg_string(g, "template", 0, "", path, d);
	base = (slash = strrchr(v, '/')) ? slash + 1 : v;
	n = strlen(base);
	if (n < 6 || str_casecmp(base + n - 5, ".docx") != 0) {
		diag_error(d, path, line, "template \"%s\": the blank form "
		    "must be a Word .docx file", v);
		goto done;
	}
	for (const char *c = base; *c; c++)
		if (!isalnum((unsigned char)*c) && strchr(" .-_", *c) == NULL) {
			diag_error(d, path, line, "template \"%s\": use ASCII "
			    "letters, digits, spaces, '.', '-' and '_' in its "
			    "name (the name the sender sees)", v);
			goto done;
		}
	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	else
		strcpy(dir, ".");
	full = cfg_path(dir, v);
	free(dir);
	if (stat(full, &st) == 0 && (!S_ISREG(st.st_mode) ||
	    st.st_size > FORM_TEMPLATE_MAX)) {
		diag_error(d, path, line, "template \"%s\": %s is not a file "
		    "of at most %d bytes", v, full, FORM_TEMPLATE_MAX);
		goto done;
	}
	if (file_read_all(full, &fd->template_data, &fd->template_len) == -1) {
		diag_error(d, path, line, "template \"%s\": cannot read %s: %s",
		    v, full, strerror(errno));
		goto done;
	}
	if (fd->template_len == 0 || fd->template_len > FORM_TEMPLATE_MAX) {
		diag_error(d, path, line, "template \"%s\": %zu bytes (a blank "
		    "form has 1 to %d)", v, fd->template_len,
		    FORM_TEMPLATE_MAX);
		free(fd->template_data);
		fd->template_data = NULL;
		fd->template_len = 0;
		goto done;
	}
	fd->template_name = xstrdup(base);
done:
	free(full);
	free(v);
}

static void
load_file(struct form_set *set, const char *path, struct diag *d)
{
	config_t cf;
	config_setting_t *root, *g, *list, *e, *id;
	struct form_def fd;
	int n;

	memset(&fd, 0, sizeof(fd));
	if (cfg_open(&cf, path, d) != 0)
		goto done;
	root = config_root_setting(&cf);
	cfg_check_keys(root, top_keys, NULL, path, d);
	if ((g = cfg_group(root, "form", 1, 0, path, d)) == NULL)
		goto done;
	cfg_check_keys(g, form_keys, "form", path, d);
	fd.file = xstrdup(path);
	fd.id = cfg_string(g, "id", 1, "", path, d);
	id = config_setting_get_member(g, "id");
	if (id != NULL && !ident_ok(fd.id, 1))
		diag_error(d, path, cfg_line(id),
		    "form id \"%s\": use lower-case letters, digits, - and _", fd.id);
	fd.title = cfg_string(g, "title", 1, "", path, d);
	if (fd.title[0] == '\0' && config_setting_get_member(g, "title") != NULL)
		diag_error(d, path, cfg_line(config_setting_get_member(g, "title")),
		    "title is empty");
	fd.patterns = cfg_strings(g, "patterns", 1, &fd.npatterns, path, d);
	if (fd.npatterns == 0 && config_setting_get_member(g, "patterns"))
		diag_error(d, path, cfg_line(config_setting_get_member(g, "patterns")),
		    "patterns is empty: give the title text that recognises the form");
	for (size_t i = 0; i < fd.npatterns; i++)
		check_words(fd.patterns[i], "pattern",
		    config_setting_get_member(g, "patterns"), path, d);
	fd.boundaries = cfg_strings(g, "boundaries", 0, &fd.nboundaries, path, d);
	load_template(&fd, g, path, d);
	list = cfg_group(g, "fields", 1, 1, path, d);
	n = list ? config_setting_length(list) : 0;
	if (list != NULL && n == 0)
		diag_error(d, path, cfg_line(list), "fields is empty");
	fd.fields = xcalloc((size_t)n + 1, sizeof(*fd.fields));
	for (int i = 0; i < n; i++) {
		struct form_field_def *f = &fd.fields[fd.nfields++];

		e = config_setting_get_elem(list, (unsigned)i);
		if (!config_setting_is_group(e)) {
			diag_error(d, path, cfg_line(e),
			    "each field must be a group { name = ...; label = ...; }");
			f->name = xstrdup("");
			f->label = xstrdup("");
			f->example = xstrdup("");
			f->aliases = xcalloc(1, sizeof(char *));
			f->rows = xcalloc(1, sizeof(char *));
			f->columns = xcalloc(1, sizeof(char *));
			continue;
		}
		load_field(f, e, path, d);
	}
	if (list != NULL)
		check_form(&fd, g, list, path, d);
	fd.records = load_records(&fd, g, path, d);
	for (size_t i = 0; i < set->nforms; i++)
		if (fd.id[0] && strcmp(set->forms[i].id, fd.id) == 0) {
			diag_error(d, path, cfg_line(id),
			    "form id \"%s\" is already defined in %s", fd.id,
			    set->forms[i].file);
			goto done;
		}
	if (fd.id[0] == '\0')
		goto done;
	set->forms = xreallocarray(set->forms, set->nforms + 1,
	    sizeof(*set->forms));
	set->forms[set->nforms++] = fd;
	memset(&fd, 0, sizeof(fd));
done:
	form_free(&fd);
	config_destroy(&cf);
}

int
form_set_load(const char *dir, struct form_set **out, struct diag *d)
{
	struct form_set *set;
	char **paths;
	size_t npaths;
	int errors0 = d->errors;

	set = xcalloc(1, sizeof(*set));
	*out = set;
	if (conf_files(dir, &paths, &npaths) == -1) {
		diag_error(d, dir, 0, "cannot open the forms folder: %s",
		    strerror(errno));
		goto fail;
	}
	for (size_t i = 0; i < npaths; i++)
		load_file(set, paths[i], d);
	conf_files_free(paths);
	for (size_t i = 0; i < set->nforms; i++)
		set->forms[i].index = form_index_build(&set->forms[i]);
	if (npaths == 0)
		diag_error(d, dir, 0, "no form files (*.conf) in the forms folder");
fail:
	return d->errors == errors0 ? 0 : -1;
}

void
form_set_free(struct form_set *set)
{
	if (set == NULL)
		return;
	for (size_t i = 0; i < set->nforms; i++)
		form_free(&set->forms[i]);
	free(set->forms);
	free(set);
}

const struct form_def *
form_set_find(const struct form_set *set, const char *id)
{
	if (set == NULL || id == NULL)
		return NULL;
	for (size_t i = 0; i < set->nforms; i++)
		if (strcmp(set->forms[i].id, id) == 0)
			return &set->forms[i];
	return NULL;
}

const struct form_field_def *
form_field_find(const struct form_def *def, const char *name)
{
	if (def == NULL || name == NULL)
		return NULL;
	for (size_t i = 0; i < def->nfields; i++)
		if (def->fields[i].name && strcmp(def->fields[i].name, name) == 0)
			return &def->fields[i];
	return NULL;
}

/* The index: what form_extract and form_recognise match against. */

static int
cmp_lab(const void *a, const void *b)
{
	const struct form_label *x = a, *y = b;
	int c = strcmp(x->norm, y->norm);

	if (c != 0)
		return c;
	if (x->kind != y->kind)
		return x->kind - y->kind;
	return x->ref < y->ref ? -1 : x->ref > y->ref;
}

static void
add_lab(struct form_index *x, const char *text, int kind, size_t ref)
{
	struct form_label *l;
	size_t len;
	char *n = text_label_norm(text, &len);

	if (len == 0) {
		free(n);
		return;
	}
	for (size_t i = 0; i < x->nlabs; i++)
		if (x->labs[i].kind == kind && x->labs[i].ref == ref &&
		    strcmp(x->labs[i].norm, n) == 0) {
			free(n);
			return;
		}
	x->labs = xreallocarray(x->labs, x->nlabs + 1, sizeof(*x->labs));
	l = &x->labs[x->nlabs++];
	l->norm = n;
	l->len = len;
	l->kind = kind;
	l->ref = ref;
	l->number = strspn(n, "0123456789") == len;
	if (len > x->maxlen)
		x->maxlen = len;
}

/* Group id of a row or column name list: the first field using it. */
static long
group_of(const struct form_def *def, size_t i, int col)
{
	const struct form_field_def *f = &def->fields[i];
	char **v = col ? f->columns : f->rows;
	size_t nv = col ? f->ncolumns : f->nrows;

	if (nv == 0)
		return -1;
	for (size_t j = 0; j <= i; j++) {
		const struct form_field_def *g = &def->fields[j];

		if ((col ? g->ncolumns : g->nrows) > 0 &&
		    text_same_label((col ? g->columns : g->rows)[0], v[0]))
			return (long)j;
	}
	return (long)i;
}

/* The labels of a form, normalised and sorted once, when it is loaded. */
struct form_index *
form_index_build(const struct form_def *def)
{
	struct form_index *x = xcalloc(1, sizeof(*x));

	x->frow = xcalloc(def->nfields + 1, sizeof(long));
	x->fcol = xcalloc(def->nfields + 1, sizeof(long));
	for (size_t i = 0; i < def->nfields; i++) {
		const struct form_field_def *f = &def->fields[i];

		x->frow[i] = group_of(def, i, 0);
		x->fcol[i] = group_of(def, i, 1);
		add_lab(x, f->label, LAB_FIELD, i);
		for (size_t a = 0; a < f->naliases; a++)
			add_lab(x, f->aliases[a], LAB_FIELD, i);
		for (size_t a = 0; a < f->nrows; a++)
			add_lab(x, f->rows[a], LAB_ROW, (size_t)x->frow[i]);
		for (size_t a = 0; a < f->ncolumns; a++)
			add_lab(x, f->columns[a], LAB_COLUMN, (size_t)x->fcol[i]);
	}
	for (size_t b = 0; b < def->nboundaries; b++)
		add_lab(x, def->boundaries[b], LAB_BOUNDARY, 0);
	/* A records heading ends the answer above it, like a boundary. */
	for (size_t h = 0; def->records && h < def->records->nheadings; h++)
		add_lab(x, def->records->headings[h], LAB_BOUNDARY, 0);
	if (x->nlabs > 1)
		qsort(x->labs, x->nlabs, sizeof(*x->labs), cmp_lab);
	x->titles = xcalloc(def->npatterns + 1, sizeof(char *));
	x->title_lens = xcalloc(def->npatterns + 1, sizeof(size_t));
	x->ntitles = def->npatterns;
	for (size_t k = 0; k < def->npatterns; k++)
		x->titles[k] = text_norm_dup(def->patterns[k], &x->title_lens[k]);
	return x;
}

void
form_index_free(struct form_index *x)
{
	if (x == NULL)
		return;
	for (size_t i = 0; i < x->nlabs; i++)
		free(x->labs[i].norm);
	free(x->labs);
	free(x->frow);
	free(x->fcol);
	for (size_t k = 0; k < x->ntitles; k++)
		free(x->titles[k]);
	free(x->titles);
	free(x->title_lens);
	free(x);
}

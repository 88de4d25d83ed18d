/*
 * cfg: small wrappers around libconfig that turn every mistake into a
 * diag line with the file and line number, and keep going so the
 * administrator sees all of them at once.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "util.h"

int
cfg_open(config_t *cf, const char *path, struct diag *d)
{
	config_init(cf);
	config_set_options(cf, 0);	/* no silent int->float conversions */
	if (config_read_file(cf, path) == CONFIG_TRUE)
		return 0;
	if (config_error_type(cf) == CONFIG_ERR_FILE_IO)
		diag_error(d, path, 0, "cannot read: %s", strerror(errno ? errno : ENOENT));
	else
		diag_error(d, config_error_file(cf) ? config_error_file(cf) : path,
		    config_error_line(cf), "%s", config_error_text(cf));
	return -1;
}

int
cfg_line(const config_setting_t *s)
{
	while (s != NULL) {
		if (config_setting_source_line(s) > 0)
			return config_setting_source_line(s);
		s = config_setting_parent(s);
	}
	return 0;
}

const char *
cfg_file(const config_setting_t *s, const char *fallback)
{
	const char *f = s ? config_setting_source_file(s) : NULL;

	return f ? f : fallback;
}

static int
name_known(const char *name, const char *const *known)
{
	for (; *known; known++)
		if (strcmp(name, *known) == 0)
			return 1;
	return 0;
}

void
cfg_check_keys(const config_setting_t *group, const char *const *known,
    const char *what, const char *file, struct diag *d)
{
	config_setting_t *m;
	int i, n;

	if (group == NULL || !config_setting_is_group(group))
		return;
	n = config_setting_length(group);
	for (i = 0; i < n; i++) {
		m = config_setting_get_elem(group, (unsigned)i);
		if (!name_known(config_setting_name(m), known))
			diag_error(d, cfg_file(m, file), cfg_line(m),
			    "unknown key \"%s\"%s%s", config_setting_name(m),
			    what ? " in " : "", what ? what : "");
	}
}

static const char *
type_name(int t)
{
	switch (t) {
	case CONFIG_TYPE_GROUP: return "a group { }";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64: return "a number";
	case CONFIG_TYPE_FLOAT: return "a decimal number";
	case CONFIG_TYPE_STRING: return "a string";
	case CONFIG_TYPE_BOOL: return "true or false";
	case CONFIG_TYPE_ARRAY: return "an array [ ]";
	case CONFIG_TYPE_LIST: return "a list ( )";
	default: return "nothing";
	}
}

static config_setting_t *
member(const config_setting_t *group, const char *name, int required,
    int want, const char *file, struct diag *d)
{
	config_setting_t *s;

	s = group ? config_setting_get_member(group, name) : NULL;
	if (s == NULL) {
		if (required)
			diag_error(d, cfg_file(group, file), cfg_line(group),
			    "missing required key \"%s\"", name);
		return NULL;
	}
	if (config_setting_type(s) != want &&
	    !(want == CONFIG_TYPE_INT && config_setting_type(s) == CONFIG_TYPE_INT64)) {
		diag_error(d, cfg_file(s, file), cfg_line(s),
		    "\"%s\" must be %s, not %s", name, type_name(want),
		    type_name(config_setting_type(s)));
		return NULL;
	}
	return s;
}

char *
cfg_string(const config_setting_t *group, const char *name, int required,
    const char *def, const char *file, struct diag *d)
{
	config_setting_t *s;

	s = member(group, name, required, CONFIG_TYPE_STRING, file, d);
	if (s == NULL)
		return def ? xstrdup(def) : NULL;
	return xstrdup(config_setting_get_string(s));
}

int
cfg_int(const config_setting_t *group, const char *name, int required,
    int def, int min, int max, const char *file, struct diag *d)
{
	config_setting_t *s;
	long long v;

	s = member(group, name, required, CONFIG_TYPE_INT, file, d);
	if (s == NULL)
		return def;
	v = config_setting_get_int64(s);
	if (v < min || v > max) {
		diag_error(d, cfg_file(s, file), cfg_line(s),
		    "\"%s\" must be between %d and %d", name, min, max);
		return def;
	}
	return (int)v;
}

int
cfg_bool(const config_setting_t *group, const char *name, int def,
    const char *file, struct diag *d)
{
	config_setting_t *s;

	s = member(group, name, 0, CONFIG_TYPE_BOOL, file, d);
	return s ? config_setting_get_bool(s) : def;
}

char **
cfg_strings(const config_setting_t *group, const char *name, int required,
    size_t *np, const char *file, struct diag *d)
{
	config_setting_t *s, *e;
	char **v;
	int i, n;

	*np = 0;
	s = group ? config_setting_get_member(group, name) : NULL;
	if (s == NULL) {
		if (required)
			diag_error(d, cfg_file(group, file), cfg_line(group),
			    "missing required key \"%s\"", name);
		return xcalloc(1, sizeof(char *));
	}
	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		diag_error(d, cfg_file(s, file), cfg_line(s),
		    "\"%s\" must be an array of strings [ \"...\", ... ]", name);
		return xcalloc(1, sizeof(char *));
	}
	n = config_setting_length(s);
	v = xcalloc((size_t)n + 1, sizeof(char *));
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned)i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			diag_error(d, cfg_file(e, file), cfg_line(e),
			    "\"%s\": element %d must be a string", name, i + 1);
			continue;
		}
		v[(*np)++] = xstrdup(config_setting_get_string(e));
	}
	return v;
}

config_setting_t *
cfg_group(const config_setting_t *group, const char *name, int required,
    int list, const char *file, struct diag *d)
{
	return member(group, name, required,
	    list ? CONFIG_TYPE_LIST : CONFIG_TYPE_GROUP, file, d);
}

void
cfg_strings_free(char **v)
{
	if (v == NULL)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

char *
cfg_path(const char *base, const char *path)
{
	if (path == NULL)
		return NULL;
	if (path[0] == '/' || base == NULL || base[0] == '\0')
		return xstrdup(path);
	return xasprintf("%s/%s", base, path);
}

/*
 * themes: reading rules/reports/themes.conf through cfg, so a mistake in
 * it is reported as file:line like any other rules file.
 */
#include <stdlib.h>

#include "cfg.h"
#include "themes.h"
#include "util.h"

static void
theme_load(config_setting_t *e, struct themes *th, const char *path,
    struct diag *d)
{
	static const char *const keys[] = { "name", "keywords", NULL };
	struct theme *t;

	if (!config_setting_is_group(e)) {
		diag_error(d, path, cfg_line(e), "each theme must be { ... }");
		return;
	}
	cfg_check_keys(e, keys, "theme", path, d);
	t = &th->t[th->n++];
	t->name = cfg_string(e, "name", 1, "", path, d);
	t->keywords = cfg_strings(e, "keywords", 1, &t->nkeywords, path, d);
}

int
themes_load(const char *rules_dir, struct themes **out, struct diag *d)
{
	static const char *const top[] = { "themes", NULL };
	struct themes *th = xcalloc(1, sizeof(*th));
	config_setting_t *list;
	config_t cf;
	char *path = xasprintf("%s/reports/themes.conf", rules_dir);
	int errors0 = d->errors, n;

	*out = NULL;
	if (cfg_open(&cf, path, d) == 0) {
		cfg_check_keys(config_root_setting(&cf), top, NULL, path, d);
		list = cfg_group(config_root_setting(&cf), "themes", 1, 1, path, d);
		n = list ? config_setting_length(list) : 0;
		if (n > THEMES_MAX) {
			diag_error(d, path, cfg_line(list), "at most %d themes",
			    THEMES_MAX);
			n = THEMES_MAX;
		}
		th->t = xcalloc((size_t)n + 1, sizeof(*th->t));
		for (int i = 0; i < n; i++)
			theme_load(config_setting_get_elem(list, (unsigned)i), th,
			    path, d);
	}
	config_destroy(&cf);
	free(path);
	if (d->errors != errors0) {
		themes_free(th);
		return -1;
	}
	*out = th;
	return 0;
}

void
themes_free(struct themes *th)
{
	if (th == NULL)
		return;
	for (size_t i = 0; i < th->n; i++) {
		free(th->t[i].name);
		cfg_strings_free(th->t[i].keywords);
	}
	free(th->t);
	free(th);
}

/*
 * themes: the report themes of rules/reports/themes.conf, rules data
 * loaded with the rules -- each a name and the keywords that put a case
 * under it when one of its answers contains them (case-insensitive).
 * The board's reports (digest.h) read the loaded set.
 * The set and its strings are owned by it; themes_free() releases them.
 */
#ifndef ESCBOT_THEMES_H
#define ESCBOT_THEMES_H

#include <stddef.h>

#include "diag.h"

#define THEMES_MAX	32	/* a case's themes are a bit each */

struct theme {
	char	 *name;
	char	**keywords;
	size_t	  nkeywords;
};

struct themes {
	struct theme	*t;
	size_t		 n;
};

/* rules_dir/reports/themes.conf: 0 and *out set, or -1 with diag lines
 * (and *out NULL). */
int	themes_load(const char *rules_dir, struct themes **out, struct diag *);
void	themes_free(struct themes *);

#endif

/*
 * cfg: checked reading of libconfig files.  Every reader (escbot.conf, the
 * directory, the rules) goes through these so that an unknown key, a wrong
 * type or a missing required key is reported the same way, as
 * "file:line: message", and every mistake is reported before giving up.
 * Strings returned are copies owned by the caller.
 */
#ifndef ESCBOT_CFG_H
#define ESCBOT_CFG_H

#include <libconfig.h>
#include <stddef.h>

#include "diag.h"

/* Read `path` into `cf` (config_init is done here).  On a syntax error the
 * error is reported to d and -1 returned; the caller still config_destroy()s. */
int	 cfg_open(config_t *cf, const char *path, struct diag *d);
/* Line of a setting (its own, or its parent's when libconfig has none). */
int	 cfg_line(const config_setting_t *);
const char *cfg_file(const config_setting_t *, const char *fallback);
/* Report every member of `group` whose name is not in the NULL-terminated
 * `known` list.  `what` names the group in messages ("imap"). */
void	 cfg_check_keys(const config_setting_t *group, const char *const *known,
	    const char *what, const char *file, struct diag *);
/* Getters: the setting `name` of `group`.  When absent: a required one is
 * reported, an optional one gives the default.  A wrong type is reported. */
char	*cfg_string(const config_setting_t *group, const char *name,
	    int required, const char *def, const char *file, struct diag *);
int	 cfg_int(const config_setting_t *group, const char *name, int required,
	    int def, int min, int max, const char *file, struct diag *);
int	 cfg_bool(const config_setting_t *group, const char *name, int def,
	    const char *file, struct diag *);
/* An array or list of strings; *n gets its length.  NULL-terminated copy. */
char	**cfg_strings(const config_setting_t *group, const char *name,
	    int required, size_t *n, const char *file, struct diag *);
/* A group member that must itself be a group (or list when list != 0). */
config_setting_t *cfg_group(const config_setting_t *group, const char *name,
	    int required, int list, const char *file, struct diag *);
void	 cfg_strings_free(char **);
/* `path` made absolute relative to the folder `base` (caller frees). */
char	*cfg_path(const char *base, const char *path);

#endif

/*
 * text: UTF-8 text as the form readers compare it.  Labels, titles and
 * sign-offs are matched in a normalised form: ASCII letters and digits
 * lower-cased, full stops and apostrophes dropped, every other run of
 * characters one space.  Text is passed as s..e ranges (e the end, not
 * NUL-terminated) unless said otherwise.
 *
 * Returned strings are the caller's to free; pointers set through
 * arguments point into the caller's text.
 */
#ifndef ESCBOT_TEXT_H
#define ESCBOT_TEXT_H

#include <stddef.h>

/* Writes at most cap bytes of the normalised form of s..e to out (not
 * terminated) and returns the length written.  map[i], when map is not
 * NULL, is the offset in s just after the character that produced out[i];
 * *all, when all is not NULL, is set when the whole input was used. */
size_t	text_norm(const char *s, const char *e, char *out, size_t cap,
	    size_t *map, int *all);
/* Normalised copy of a NUL-terminated string; its length in *lenp when
 * lenp is not NULL.  Caller frees. */
char	*text_norm_dup(const char *s, size_t *lenp);
/* A printed label as matched: normalised, without a trailing
 * "(if applicable)"-style parenthesis or ":", "?", ".", "*", "-".
 * Caller frees. */
char	*text_label_norm(const char *label, size_t *lenp);
/* Do a and b name the same label (text_label_norm)?  1 or 0. */
int	text_same_label(const char *a, const char *b);

/* Is there white space at p (ASCII, NBSP, ZWSP, NNBSP, BOM)?  1 and its
 * length in *n, or 0. */
int	text_space_at(const char *p, const char *e, size_t *n);
/* Narrows *s..*e to exclude white space at both ends. */
void	text_trim(const char **s, const char **e);
/* Does s..e start / end with word, ignoring ASCII case?  1 or 0. */
int	text_starts_ci(const char *s, const char *e, const char *word);
int	text_ends_ci(const char *s, const char *e, const char *word);
/* End of the line starting at s (at its '\n' or at end), without a
 * trailing '\r'; *next is the start of the following line, or end. */
const char *text_line_end(const char *s, const char *end, const char **next);

#endif

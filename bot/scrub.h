/*
 * scrub: free text made fit for a report or a log.  Pure: no I/O, no
 * locale, no state.  What it removes, each replaced by SCRUB_MARK:
 *   - the case's own personal values (the answers of fields a form marks
 *     personal), each as a whole and each word in it of three
 *     characters or more, or two starting with a capital ("Jo"), as whole
 *     words, ignoring ASCII case;
 *   - dates: 14/03/2016, 14-03-16, 2016-03-14, 14.3.2016, 03/2016,
 *     "14 March 2016", "14th of Mar", "March 14, 2016", "March 2016";
 *   - NHS numbers and phone numbers: any run of digits (spaces, '-', '.',
 *     '(', ')' and a leading '+' between them) holding 9 digits or more,
 *     so 999 000 0018, 9990000018, 01952 123456, +44 (0)7700 900123;
 *   - UK postcodes (TF1 2AB, M1 1AA, SW1A 1AA, EC1A1BB);
 *   - email addresses.
 * It errs on the side of removing: "2-7-11-14-18-25" goes too.
 */
#ifndef ESCBOT_SCRUB_H
#define ESCBOT_SCRUB_H

#include <stddef.h>

#define SCRUB_MARK	"[removed]"

/* A copy of text with the above replaced (adjacent removals make one
 * SCRUB_MARK).  personal[0..n) may hold NULL or empty values (skipped).
 * The caller frees the result; text NULL gives "". */
char	*scrub_text(const char *text, const char *const *personal, size_t n);

#endif

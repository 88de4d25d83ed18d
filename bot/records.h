/*
 * records: a form's repeated records (formdef.h, struct form_records) as
 * people write them one part a line, rewritten into the one line per
 * record that the form reader (form.h) reads as a field.  Two layouts,
 * found after the records' heading:
 *
 *  - blocks: "No: 1", "Action: ...", "Agency and owner: ...", "Deadline:
 *    ..." (the number optional: records without one are numbered on; a
 *    part already given starts the next record; a label alone on its line
 *    takes the next line as its answer);
 *  - the table flattened one cell a line (Outlook's text/plain of a pasted
 *    table): the column headings one a line, then each row from its number,
 *    one cell a line.
 *
 * Record N becomes "LABEL: part; part; ..." where LABEL is the label of
 * the field named records->field followed by N; a ';' inside a part
 * becomes ',' (as form.c does inside a table cell).  The records are
 * followed by their heading, which the form's index holds as a boundary
 * (formdef.h), so that what follows them is not read into the last.  A
 * table already written a row a line with tabs is left to the form
 * reader.
 */
#ifndef ESCBOT_RECORDS_H
#define ESCBOT_RECORDS_H

#include "formdef.h"

/* The text with its records rewritten (caller frees), or NULL when the
 * form has no records or the text holds none in these layouts.  Labels
 * and grid names are looked up in the form's index (formdef.h, built by
 * form_set_load): of a form without one only the records are read. */
char	*records_rewrite(const struct form_def *, const char *text);

#endif

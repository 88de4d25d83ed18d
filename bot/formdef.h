/*
 * formdef: the partnership's forms as data.  One libconfig file per form
 * in rules/forms/ (see rules/forms/README) gives the title patterns that
 * recognise it and each field's name, label, aliases, type and whether it
 * is required; mistakes are reported as file:line.  A new form is a new
 * file, not a C change.  This is what the protocols (rules.h) and the
 * engine need; reading a form from a message is form.h.
 *
 * Array members (aliases, rows, columns, boundaries, patterns) are also
 * NULL-terminated.  All memory belongs to the form set; free it with
 * form_set_free().
 */
#ifndef ESCBOT_FORMDEF_H
#define ESCBOT_FORMDEF_H

#include <stddef.h>

#include "diag.h"
#include "value.h"

/* What a field says about the case's agencies (`agency` in the form
 * file): nothing, the raising agency, the receiving agencies (the answer
 * names them), or one row of an "agencies involved" grid (the label names
 * the agency; an answer says it is involved). */
enum form_agency { AGENCY_NONE, AGENCY_RAISING, AGENCY_RECEIVING,
    AGENCY_INVOLVED };

struct form_field_def {
	char			 *name;		/* key in the case, e.g. "dob" */
	char			 *label;	/* as printed on the form */
	char			**aliases;	/* other labels people use */
	size_t			  naliases;
	enum form_field_type	  type;
	int			  required;
	int			  personal;	/* a personal identifier: never
						   in logs, digests; purged */
	char			 *example;	/* what a valid value looks like */
	/* Additions (all optional in the form file). */
	char			 *after;	/* the label only means this field
						   once field `after`'s label has been
						   seen ("Date" after "Response");
						   NULL when unset */
	char			**rows;		/* a cell of a grid: the row's names
						   ("Adult at risk 1"), NULL-terminated */
	size_t			  nrows;
	char			**columns;	/* and the column's ("Name", "D.O.B") */
	size_t			  ncolumns;
	enum form_agency	  agency;
};

/*
 * Repeated records of a form written one part a line (records.h): planned
 * actions typed as blocks ("No: 1", "Action: ...", "Deadline: ...") or a
 * table flattened one cell a line.  Record N is the field named field
 * followed by N ("action_" + "3"), its parts joined "; " in order.
 */
struct form_records {
	char		**headings;	/* the heading the records follow;
					   also a boundary of the form */
	size_t		  nheadings;
	char		 *field;	/* field name prefix, e.g. "action_" */
	char		**number;	/* labels of the record's number */
	size_t		  nnumber;
	char		***parts;	/* each part's labels, NULL-terminated */
	size_t		  nparts;
	char		**number_norm;	/* the same labels normalised */
	char		***parts_norm;	/* (text_label_norm), as matched */
	int		  line;		/* where it was defined */
};

struct form_def {
	char			*id;		/* e.g. "twsp-referral" */
	char			*title;		/* human title for replies */
	char			**patterns;	/* any one present recognises it */
	size_t			 npatterns;
	struct form_field_def	*fields;
	size_t			 nfields;
	char			*file;		/* where it was defined */
	char			**boundaries;	/* headings that end an answer and
						   are not fields ("Signature") */
	size_t			 nboundaries;
	struct form_records	*records;	/* NULL: none */
	struct form_index	*index;		/* the labels prepared at load
						   (NULL: built by each
						   form_extract) */
	/* The blank form (`template`, relative to the forms folder), read
	 * at load: attached to the replies that ask for the form again.
	 * NULL and 0 when the form file names none. */
	char			*template_name;	/* its file name, for the
						   attachment */
	char			*template_data;
	size_t			 template_len;
};

/* The largest blank form a form file may name. */
#define FORM_TEMPLATE_MAX	(2 * 1024 * 1024)

struct form_set {
	struct form_def	*forms;
	size_t		 nforms;
};

/* Load every *.conf in dir (sorted by name).  Errors go to diag as
 * file:line; returns 0 when diag gained no errors, else -1.  *out is
 * always set (caller frees with form_set_free). */
int	form_set_load(const char *dir, struct form_set **out, struct diag *);
void	form_set_free(struct form_set *);
const struct form_def *form_set_find(const struct form_set *, const char *id);
/* The field called `name` in a form, or NULL. */
const struct form_field_def *form_field_find(const struct form_def *,
	    const char *name);

/*
 * A form's vocabulary as the extractor matches it: every label, alias,
 * grid row / column name and boundary, normalised (text.h), sorted by
 * text then kind; and the title patterns normalised.
 */
enum form_label_kind { LAB_FIELD, LAB_COLUMN, LAB_ROW, LAB_BOUNDARY };

struct form_label {
	char	*norm;
	size_t	 len;
	int	 kind;		/* enum form_label_kind */
	int	 number;	/* only digits ("1" for a table row): matched
				   only at the start of a line */
	size_t	 ref;		/* field index, or row / column group */
};

struct form_index {
	struct form_label *labs;
	size_t		 nlabs;
	size_t		 maxlen;	/* longest label, normalised */
	long		*frow, *fcol;	/* grid row / column group per field
					   (the first field naming it), -1 */
	char		**titles;	/* the title patterns, normalised */
	size_t		*title_lens;
	size_t		 ntitles;
};

/* The index of a form not loaded by form_set_load (caller frees with
 * form_index_free). */
struct form_index *form_index_build(const struct form_def *);
void	form_index_free(struct form_index *);

#endif

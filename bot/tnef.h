/*
 * tnef: the files and the text inside a TNEF stream (MS-OXTNEF), the
 * winmail.dat (application/ms-tnef) that Outlook and on-premises Exchange
 * send in place of MIME attachments.  Pure and bounded: no I/O; every
 * length in the stream is checked against what remains of it and every
 * attribute's checksum is verified; a stream that is not TNEF, or is
 * damaged or cut short inside an attribute, gives nothing at all (TNEF
 * has no end marker: one cut between two attributes is a shorter stream,
 * and gives the whole files before the cut).  At most
 * TNEF_MAX_FILES files are kept, and none larger than TNEF_MAX_FILE bytes.
 *
 * Everything in a struct tnef is owned by it; tnef_free() frees all.
 */
#ifndef ESCBOT_TNEF_H
#define ESCBOT_TNEF_H

#include <stddef.h>

#define TNEF_SIGNATURE	0x223e9f78UL
#define TNEF_MAX_FILES	100
#define TNEF_MAX_FILE	(32 * 1024 * 1024)

struct tnef_file {
	char	*name;		/* UTF-8: the long file name, else the short
				 * one (attAttachTitle); NULL if none */
	char	*content_type;	/* lower case, guessed from the name, else
				 * the attachment's MIME tag, else
				 * "application/octet-stream" */
	char	*data;		/* the bytes, NUL-terminated for safety */
	size_t	 len;
};

struct tnef {
	struct tnef_file	*files;
	size_t			 nfiles;
	char			*body;	/* UTF-8 message text (attBody, else
					 * PidTagBody), NULL if none */
};

/*
 * Read the `len` bytes at `data` as a TNEF stream.  0 and *out set
 * (caller frees with tnef_free) when it is a whole, well-formed stream,
 * even one with no files; -1 and *out NULL otherwise.
 */
int		 tnef_parse(const char *data, size_t len, struct tnef **out);
void		 tnef_free(struct tnef *);

/* Whether a MIME part is a TNEF stream, by its content type (lower case)
 * or file name (either may be NULL). */
int		 tnef_is_tnef(const char *content_type, const char *filename);

/* The content type for a file name, from its extension (".docx" ->
 * the Word type), or NULL when the extension is not known.  Static. */
const char	*tnef_type_for_name(const char *name);

#endif

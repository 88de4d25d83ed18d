/*
 * docx: the text of a Word .docx attachment, laid out the way form.c reads
 * a form pasted into an email.  Paragraphs are lines (list numbers as Word
 * draws them, text boxes on the lines after their paragraph); a table row
 * is one line with its cells separated by a TAB ("Label:<TAB>value"),
 * merged cells keeping the other cells in their columns, a cell merged
 * downwards repeated in the rows below, a nested table kept in its cell;
 * content controls give their text; a Yes / No pair of check boxes reads
 * as the ticked word ("Yes", "No", nothing when neither), other check
 * boxes "[x]" / "[ ]"; struck-through text is wrapped in "~~" (so "Yes /
 * ~~No~~" reads as yes).  The archive and the XML are
 * hostile input: sizes and compression ratios are checked before anything
 * is inflated, and no DTD, entity or network resource is ever loaded.
 */
#ifndef ESCBOT_DOCX_H
#define ESCBOT_DOCX_H

#include <stddef.h>

#define DOCX_CONTENT_TYPE \
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document"

struct docx_limits {
	size_t		max_unpacked;	/* bytes of the document part once
					   inflated */
	unsigned	max_ratio;	/* unpacked / packed size of a part
					   (checked above 64 KiB unpacked) */
	size_t		max_entries;	/* files in the archive */
};

/* 16 MiB, 100, 1000.  A zero field in the limits given means its default. */
extern const struct docx_limits docx_default_limits;

/*
 * The text of a .docx held in data..len.  lim NULL means the defaults.
 * 0 and *out (UTF-8, NUL-terminated, caller frees), or -1, *out NULL and
 * a sentence for the sender in err (when errlen > 0), starting with one of:
 *   "not a Word .docx file"
 *   "document larger than N bytes when unpacked"
 *   "compression ratio over N: refused as a zip bomb"
 *   "more than N files in the .docx: refused as a zip bomb"
 *   "damaged" (followed by what is wrong)
 */
int	docx_to_text(const char *data, size_t len, const struct docx_limits *lim,
	    char **out, char *err, size_t errlen);

/* Does an attachment look like a .docx: by content type, by a ".docx"
 * file name, or by its bytes (a ZIP naming word/document.xml, or the
 * word/document2.xml some Word versions write)?  Any argument may be NULL.
 * 1 or 0. */
int	docx_is_docx(const char *filename, const char *content_type,
	    const char *data, size_t len);

#endif

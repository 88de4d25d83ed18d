/*
 * docx_detect: what escbot knows of Word documents without opening one --
 * whether an attachment is one, and the default limits for reading it.
 * The reading itself (docx.c, libzip and libxml2) happens in a worker
 * child (worker.h); this part is needed by the daemon, which never loads
 * those libraries.
 */
#include <ctype.h>
#include <string.h>

#include "docx.h"
#include "util.h"

const struct docx_limits docx_default_limits = {
	16 * 1024 * 1024, 100, 1000
};

int
docx_is_docx(const char *filename, const char *content_type,
    const char *data, size_t len)
{
	if (content_type != NULL) {
		const char *s = content_type;
		size_t n = strlen(DOCX_CONTENT_TYPE);

		while (isspace((unsigned char)*s))
			s++;
		if (str_ncasecmp(s, DOCX_CONTENT_TYPE, n) == 0 &&
		    (s[n] == '\0' || s[n] == ';' || isspace((unsigned char)s[n])))
			return 1;
	}
	if (filename != NULL) {
		size_t n = strlen(filename);

		while (n > 0 && (isspace((unsigned char)filename[n - 1]) ||
		    filename[n - 1] == '"'))
			n--;
		if (n > 5 && str_ncasecmp(filename + n - 5, ".docx", 5) == 0)
			return 1;
	}
	/* "word/document" also finds a word/document2.xml. */
	return data != NULL && len >= 4 && memcmp(data, "PK\3\4", 4) == 0 &&
	    memmem(data, len, "word/document", 13) != NULL;
}

/*
 * fuzz_docx: libFuzzer target for reading hostile Word attachments.  An
 * input that starts with "PK" is given to docx_to_text as a whole .docx;
 * any other is taken as word/document.xml and packed first into a stored
 * (uncompressed) zip with the right checksum, so that mutations reach the
 * XML walk and are not all stopped by the zip's CRC.  Checks: a result is
 * either text (valid UTF-8, no NUL before its end) or a reason, never both;
 * docx_is_docx never crashes.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 -D_GNU_SOURCE \
 *       -Ibot tests/fuzz/fuzz_docx.c bot/docx.c bot/util.c bot/log.c \
 *       $(pkg-config --cflags --libs libzip libxml-2.0 zlib) \
 *       -o tests/fuzz/fuzz_docx
 *   mkdir -p /tmp/docx-corpus
 *   tests/fuzz/fuzz_docx -max_total_time=60 -max_len=65536 /tmp/docx-corpus \
 *       tests/fixtures/docx
 * (the first folder collects new inputs; the fixtures seed it).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "docx.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
le16(struct strbuf *sb, unsigned v)
{
	sb_addc(sb, (char)(v & 0xff));
	sb_addc(sb, (char)((v >> 8) & 0xff));
}

static void
le32(struct strbuf *sb, unsigned long v)
{
	le16(sb, (unsigned)(v & 0xffff));
	le16(sb, (unsigned)((v >> 16) & 0xffff));
}

/* A zip holding one stored entry, word/document.xml = data. */
static void
stored_zip(struct strbuf *sb, const uint8_t *data, size_t len)
{
	static const char name[] = "word/document.xml";
	unsigned long crc = crc32(0L, data, (uInt)len);
	size_t cd, cdlen;

	le32(sb, 0x04034b50);		/* local header */
	le16(sb, 20);
	le16(sb, 0);
	le16(sb, 0);			/* stored */
	le16(sb, 0);
	le16(sb, 0x21);
	le32(sb, crc);
	le32(sb, (unsigned long)len);
	le32(sb, (unsigned long)len);
	le16(sb, sizeof(name) - 1);
	le16(sb, 0);
	sb_add(sb, name, sizeof(name) - 1);
	sb_add(sb, (const char *)data, len);
	cd = sb->len;
	le32(sb, 0x02014b50);		/* central directory */
	le16(sb, 20);
	le16(sb, 20);
	le16(sb, 0);
	le16(sb, 0);
	le16(sb, 0);
	le16(sb, 0x21);
	le32(sb, crc);
	le32(sb, (unsigned long)len);
	le32(sb, (unsigned long)len);
	le16(sb, sizeof(name) - 1);
	le16(sb, 0);
	le16(sb, 0);
	le16(sb, 0);
	le16(sb, 0);
	le32(sb, 0);
	le32(sb, 0);
	sb_add(sb, name, sizeof(name) - 1);
	cdlen = sb->len - cd;
	le32(sb, 0x06054b50);		/* end of central directory */
	le16(sb, 0);
	le16(sb, 0);
	le16(sb, 1);
	le16(sb, 1);
	le32(sb, (unsigned long)cdlen);
	le32(sb, (unsigned long)cd);
	le16(sb, 0);
}

static int
valid_utf8(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; ) {
		size_t k;

		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if (p[i] < 0xc2 || p[i] > 0xf4)
			return 0;
		k = p[i] >= 0xf0 ? 3 : p[i] >= 0xe0 ? 2 : 1;
		if (k > n - i - 1)
			return 0;
		for (size_t j = 1; j <= k; j++)
			if ((p[i + j] & 0xc0) != 0x80)
				return 0;
		i += k + 1;
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct docx_limits lim = { 4 * 1024 * 1024, 100, 100 };
	struct strbuf zip = { NULL, 0, 0 };
	const char *in = (const char *)data;
	char err[256], *text = NULL;
	size_t len = size;
	int rc;

	if (size < 2 || data[0] != 'P' || data[1] != 'K') {
		stored_zip(&zip, data, size);
		in = zip.buf;
		len = zip.len;
	}
	err[0] = '\0';
	rc = docx_to_text(in, len, &lim, &text, err, sizeof(err));
	if (rc == 0) {
		if (text == NULL || !valid_utf8((const unsigned char *)text,
		    strlen(text)))
			abort();
		free(text);
	} else if (rc != -1 || text != NULL || err[0] == '\0')
		abort();
	(void)docx_is_docx(NULL, NULL, in, len);
	sb_reset(&zip);
	return 0;
}

/*
 * fuzz_tnef: libFuzzer target for the TNEF reader.  The input is a
 * winmail.dat as it could arrive inside a message; it is parsed, and every
 * file and the text of the result are read so that a bad pointer or
 * length shows.  Seeded with a stream made by tests/lib/tnef.py.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "log.h"
#include "tnef.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct tnef *t;
	size_t sum = 0;

	log_init(-1);
	if (tnef_parse((const char *)data, len, &t) == -1)
		return 0;
	for (size_t i = 0; i < t->nfiles; i++) {
		sum += t->files[i].len + strlen(t->files[i].content_type);
		sum += (unsigned char)t->files[i].data[t->files[i].len];
		if (t->files[i].name != NULL)
			sum += strlen(t->files[i].name);
		if (t->files[i].len > 0)
			sum += (unsigned char)t->files[i].data[0];
	}
	if (t->body != NULL)
		sum += strlen(t->body);
	tnef_free(t);
	return sum == (size_t)-1;
}

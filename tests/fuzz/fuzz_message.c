/*
 * fuzz_message: libFuzzer target for the MIME parser.  The input is a raw
 * message as it could arrive in the mailbox; it is parsed, and every part
 * of the result is read so that a bad pointer or length shows.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "log.h"
#include "message.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct message *m;
	char err[256];
	size_t sum = 0;

	log_init(-1);
	if (message_parse((const char *)data, len, &m, err, sizeof(err)) == -1)
		return 0;
	for (size_t i = 0; i < m->nheaders; i++)
		sum += strlen(m->headers[i].name) + strlen(m->headers[i].value);
	sum += strlen(m->subject) + strlen(m->text);
	if (m->html)
		sum += strlen(m->html);
	for (size_t i = 0; i < m->nattachments; i++)
		sum += m->attachments[i].len +
		    (m->attachments[i].filename ? strlen(m->attachments[i].filename) : 0);
	(void)message_header(m, "Auto-Submitted");
	message_free(m);
	return sum == (size_t)-1;
}

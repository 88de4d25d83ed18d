/*
 * fuzz_intake: libFuzzer target for the intake core.  The input is a raw
 * message: it is parsed, and intake decides what it means against the
 * shipped configuration, rules and directory (run from the repository
 * root) and a fake store that knows one open case, TWSP-2026-0001, whose
 * thread holds every "escbot." Message-ID.  When intake asks for the Word
 * attachments, each attachment's own bytes are given as its text, so the
 * document path is fuzzed too.  Every verdict must be complete.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "escbot.h"
#include "intake.h"
#include "message.h"
#include "util.h"

static struct escbot e;

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct diag d = { 0, NULL };

	(void)argc;
	(void)argv;
	if (escbot_load(&e, "etc/escbot.conf", &d) != 0)
		abort();
	return 0;
}

static int
fake_case(void *arg, const char *ref, struct case_state *c)
{
	(void)arg;
	if (strcmp(ref, "TWSP-2026-0001") != 0)
		return 0;
	c->id = 1;
	c->ref = xstrdup(ref);
	c->protocol = xstrdup("twsp");
	c->form = xstrdup("twsp-referral");
	return 1;
}

static int
fake_msgid(void *arg, const char *msgid, char **ref)
{
	(void)arg;
	if (strncmp(msgid, "escbot.", 7) != 0)
		return 0;
	*ref = xstrdup("TWSP-2026-0001");
	return 1;
}

static int
fake_fields(void *arg, const char *protocol, const char **names,
    const char **values, size_t n, char **ref)
{
	(void)arg;
	(void)protocol;
	(void)names;
	if (n > 0 && strcmp(values[0], "TW-48213") == 0) {
		*ref = xstrdup("TWSP-2026-0001");
		return 1;
	}
	return 0;
}

static int
fake_participant(void *arg, int64_t case_id, const char *addr)
{
	(void)arg;
	(void)case_id;
	return strncmp(addr, "casey@", 6) == 0;
}

static int
fake_field(void *arg, int64_t case_id, const char *name, char **value)
{
	(void)arg;
	(void)case_id;
	if (strcmp(name, "client_ref") != 0)
		return 0;
	*value = xstrdup("TW-48213");
	return 1;
}

static void
check(const struct verdict *v)
{
	if (v->outcome == NULL || v->reason == NULL ||
	    strcmp(verdict_kind_name(v->kind), "?") == 0)
		abort();
	if ((v->kind == VERDICT_OPEN || v->kind == VERDICT_JOIN ||
	    v->kind == VERDICT_RECORD_RESOLVED || v->kind == VERDICT_INCOMPLETE) &&
	    (v->result == NULL || v->rule == NULL || v->proto == NULL))
		abort();
	if ((v->kind == VERDICT_JOIN || v->kind == VERDICT_COMMAND ||
	    v->kind == VERDICT_NOTE || v->kind == VERDICT_BOUNCE) && v->ref == NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct intake_lookup look = { NULL, fake_case, fake_msgid,
	    fake_fields, fake_participant, fake_field };
	struct intake_input in;
	struct verdict v;
	struct message *m;
	char err[256];

	if (message_parse((const char *)data, size, &m, err, sizeof(err)) == -1)
		return 0;
	memset(&in, 0, sizeof(in));
	in.msg = m;
	in.raw = (const char *)data;
	in.len = size;
	in.cfg = e.cfg;
	in.rules = e.rules;
	in.dir = e.dir;
	in.cal = e.cal;
	in.look = &look;
	in.now = 1795000000;	/* 2026-11-18 */
	if (intake_decide(&in, &v) == 0 && v.kind == VERDICT_READ_DOCS) {
		verdict_free(&v);
		in.docs = xcalloc(m->nattachments + 1, sizeof(*in.docs));
		in.docs_read = 1;
		for (size_t i = 0; i < m->nattachments; i++)
			if (i % 2 == 0)
				in.docs[i].text = xstrndup(m->attachments[i].data,
				    m->attachments[i].len);
			else
				in.docs[i].refused = xstrdup("damaged");
		if (intake_decide(&in, &v) == 0)
			check(&v);
		for (size_t i = 0; i < m->nattachments; i++) {
			free(in.docs[i].text);
			free(in.docs[i].refused);
		}
		free(in.docs);
	} else
		check(&v);
	verdict_free(&v);
	message_free(m);
	return 0;
}

/*
 * fuzz_config: libFuzzer target for the configuration readers.  The input
 * is written to a file and read as escbot.conf, as directory.conf and as
 * a protocol file; each must refuse or accept it without crashing.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "directory.h"
#include "log.h"
#include "rules.h"
#include "util.h"

static char dir[] = "/tmp/escbot-fuzz-config-XXXXXX";

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *cmd;

	(void)argc;
	(void)argv;
	log_init(-1);
	if (mkdtemp(dir) == NULL)
		abort();
	/* A rules folder with the real forms, where the input is a protocol. */
	cmd = xasprintf("cp -r rules/forms %s/ 2>/dev/null", dir);
	if (system(cmd) != 0)
		abort();
	free(cmd);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct diag d = { 0, NULL };
	struct config *c;
	struct directory *dr;
	struct ruleset *rs;
	char *path = xasprintf("%s/p.conf", dir);
	FILE *fp;

	d.out = fopen("/dev/null", "w");
	if ((fp = fopen(path, "w")) == NULL)
		abort();
	fwrite(data, 1, len, fp);
	fclose(fp);
	if (config_load(path, &c, &d) == 0)
		config_free(c);
	if (directory_load(path, &dr, &d) == 0)
		directory_free(dr);
	if (rules_load(dir, &rs, &d) == 0)
		rules_free(rs);
	fclose(d.out);
	unlink(path);
	free(path);
	return 0;
}

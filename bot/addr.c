/*
 * addr: the addr-spec parser and domain matcher (addr.h).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "util.h"

const char *
addr_span(const char *s, size_t *len)
{
	const char *b, *e;

	*len = 0;
	if (s == NULL)
		return NULL;
	if ((b = strrchr(s, '<')) != NULL && (e = strchr(b, '>')) != NULL) {
		*len = (size_t)(e - b - 1);
		return b + 1;
	}
	for (b = s; *b && isspace((unsigned char)*b); b++)
		;
	for (e = b + strlen(b); e > b && isspace((unsigned char)e[-1]); e--)
		;
	*len = (size_t)(e - b);
	return b;
}

char *
addr_spec(const char *s)
{
	const char *b;
	char *a, *p;
	size_t len;

	if ((b = addr_span(s, &len)) == NULL)
		return NULL;
	a = str_trim(xstrndup(b, len));
	for (p = a; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (strchr(a, '@') == NULL || strpbrk(a, " \t\r\n<>,;\"") != NULL) {
		free(a);
		return NULL;
	}
	return a;
}

const char *
addr_domain(const char *addr)
{
	const char *at;

	if (addr == NULL || (at = strrchr(addr, '@')) == NULL)
		return NULL;
	return at + 1;
}

int
addr_domain_matches(const char *domain, const char *pattern)
{
	size_t dl, pl;

	if (domain == NULL || pattern == NULL)
		return 0;
	dl = strlen(domain);
	pl = strlen(pattern);
	if (str_casecmp(domain, pattern) == 0)
		return 1;
	return dl > pl && domain[dl - pl - 1] == '.' &&
	    str_casecmp(domain + dl - pl, pattern) == 0;
}

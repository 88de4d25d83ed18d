/*
 * addr: email addresses as escbot reads and compares them -- the one
 * addr-spec parser and the one domain matcher.  Pure: no I/O, no state.
 * addr_spec() returns memory the caller frees; the others point into
 * their argument.
 */
#ifndef ESCBOT_ADDR_H
#define ESCBOT_ADDR_H

#include <stddef.h>

/* Where the addr-spec of s is: inside the last "<...>" when there is one
 * (as written), else all of s without its leading and trailing blanks.
 * Returns a pointer into s and its length in *len; NULL for NULL. */
const char *addr_span(const char *s, size_t *len);
/* The addr-spec of "Name <a@b>", "<a@b>" or "a@b", trimmed and lower
 * case; NULL when there is none (no '@', or a blank or one of <>,;"
 * inside).  Caller frees. */
char	*addr_spec(const char *s);
/* The domain of an address: what follows its last '@'; NULL without. */
const char *addr_domain(const char *addr);
/* 1 when domain is pattern or a subdomain of it (x.nhs.example.uk
 * matches nhs.example.uk, evilnhs.example.uk does not), ignoring case. */
int	 addr_domain_matches(const char *domain, const char *pattern);

#endif

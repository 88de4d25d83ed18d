/*
 * util: the allocation wrappers abort on out-of-memory because escbot has no
 * sensible way to continue half-way through recording a case; every other
 * failure is reported to the caller.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		fatal("malloc %zu", n);
	return p;
}

void *
xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);

	if (p == NULL)
		fatal("calloc %zu*%zu", n, m);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		fatal("realloc %zu", n);
	return q;
}

void *
xreallocarray(void *p, size_t n, size_t m)
{
	if (m && n > SIZE_MAX / m)
		fatalx("reallocarray overflow %zu*%zu", n, m);
	return xrealloc(p, n * m);
}

char *
xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");

	if (p == NULL)
		fatal("strdup");
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = strndup(s ? s : "", n);

	if (p == NULL)
		fatal("strndup");
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("vasprintf");
	return p;
}

static void
sb_grow(struct strbuf *sb, size_t more)
{
	size_t need;

	if (more > SIZE_MAX - sb->len - 1)
		fatalx("strbuf overflow");
	need = sb->len + more + 1;
	if (need <= sb->cap)
		return;
	if (sb->cap == 0)
		sb->cap = 64;
	while (sb->cap < need)
		sb->cap = sb->cap > SIZE_MAX / 2 ? need : sb->cap * 2;
	sb->buf = xrealloc(sb->buf, sb->cap);
}

void
sb_add(struct strbuf *sb, const char *s, size_t n)
{
	sb_grow(sb, n);
	if (n)
		memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void
sb_adds(struct strbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

void
sb_addc(struct strbuf *sb, char c)
{
	sb_add(sb, &c, 1);
}

void
sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	char *p;
	int n;

	if ((n = vasprintf(&p, fmt, ap)) < 0)
		fatal("vasprintf");
	sb_add(sb, p, (size_t)n);
	free(p);
}

void
sb_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sb_vaddf(sb, fmt, ap);
	va_end(ap);
}

char *
sb_steal(struct strbuf *sb)
{
	char *p = sb->buf ? sb->buf : xstrdup("");

	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return p;
}

void
sb_reset(struct strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

int
str_casecmp(const char *a, const char *b)
{
	unsigned char ca, cb;

	do {
		ca = (unsigned char)tolower((unsigned char)*a++);
		cb = (unsigned char)tolower((unsigned char)*b++);
	} while (ca && ca == cb);
	return ca - cb;
}

int
str_ncasecmp(const char *a, const char *b, size_t n)
{
	unsigned char ca = 0, cb = 0;

	while (n--) {
		ca = (unsigned char)tolower((unsigned char)*a++);
		cb = (unsigned char)tolower((unsigned char)*b++);
		if (ca != cb || ca == 0)
			break;
	}
	return ca - cb;
}

const char *
str_casestr(const char *hay, const char *needle)
{
	/* glibc's is many times faster than a byte loop: every form is
	 * searched for each agency name and alias in the directory. */
	return strcasestr(hay, needle);
}

char *
str_trim(char *s)
{
	char *b = s, *e;

	while (*b && isspace((unsigned char)*b))
		b++;
	if (b != s)
		memmove(s, b, strlen(b) + 1);
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

char *
str_header_safe(const char *s)
{
	char *p, *q;

	p = xstrdup(s);
	for (q = p; *q; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			*q = ' ';
	return p;
}

int
file_read_all(const char *path, char **out, size_t *lenp)
{
	struct strbuf sb = { 0 };
	char buf[8192];
	size_t n;
	FILE *fp;

	*out = NULL;
	if ((fp = fopen(path, "rb")) == NULL)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		sb_add(&sb, buf, n);
	if (ferror(fp)) {
		fclose(fp);
		sb_reset(&sb);
		errno = EIO;
		return -1;
	}
	fclose(fp);
	if (lenp)
		*lenp = sb.len;
	*out = sb_steal(&sb);
	return 0;
}

void
errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	for (char *p = err; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
}

int
host_is_loopback(const char *host)
{
	struct in_addr a4;

	if (host == NULL)
		return 0;
	if (str_casecmp(host, "localhost") == 0 || strcmp(host, "::1") == 0 ||
	    strcmp(host, "[::1]") == 0)
		return 1;
	/* A dotted IPv4 address in 127/8, nothing else: "127.evil.com" is
	 * a name anyone can point anywhere. */
	return inet_pton(AF_INET, host, &a4) == 1 &&
	    (ntohl(a4.s_addr) >> 24) == 127;
}

static int
cmp_paths(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
conf_files(const char *dir, char ***paths, size_t *n)
{
	struct dirent *de;
	char **v = NULL;
	size_t len, nv = 0;
	DIR *dp;

	*paths = NULL;
	*n = 0;
	if ((dp = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(dp)) != NULL) {
		len = strlen(de->d_name);
		if (len <= 5 || de->d_name[0] == '.' ||
		    strcmp(de->d_name + len - 5, ".conf") != 0)
			continue;
		v = xreallocarray(v, nv + 2, sizeof(*v));
		v[nv++] = xasprintf("%s/%s", dir, de->d_name);
	}
	closedir(dp);
	if (v == NULL)
		v = xcalloc(1, sizeof(*v));
	v[nv] = NULL;
	/* One folder, so sorting the paths sorts the names. */
	qsort(v, nv, sizeof(*v), cmp_paths);
	*paths = v;
	*n = nv;
	return 0;
}

void
conf_files_free(char **paths)
{
	for (size_t i = 0; paths != NULL && paths[i] != NULL; i++)
		free(paths[i]);
	free(paths);
}

void
crashpoint(const char *step)
{
	static const char *want;
	static int looked;

	if (!looked) {
		want = getenv("ESCBOT_CRASH_AT");
		looked = 1;
	}
	if (want == NULL || strcmp(want, step) != 0)
		return;
	log_warnx("crash injected %s (ESCBOT_CRASH_AT)", step);
	abort();
}

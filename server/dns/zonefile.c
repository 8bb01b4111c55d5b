/*
 * zonefile.c -- RFC 1035 master-file parser.
 *
 * A file is streamed through a window of ZF_WINDOW bytes and tokenized in
 * place: a token is a (pointer, length) into the window, escapes still in
 * it, so there is no allocation per token or per record. A logical line
 * (parentheses join physical lines) is only tokenized once it lies whole in
 * the window: when the scan reaches the end of the window first, the line's
 * bytes move to the front, the rest of the window is refilled, and the line
 * is scanned again from its start (the window doubles only for a line
 * longer than itself). The token array of one logical line is reused for
 * every line and only grows.
 *
 * Acceptance follows BIND's named-checkzone, which is what users check their
 * zones with: TTL defaults, "1h30" being an error, TTLs above 2^31-1 read as
 * 0 (RFC 2181 section 8), newlines not allowed inside quotes, and the origin
 * and current owner restored after $INCLUDE.
 */
#include "dns/zonefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dns/name.h"
#include "dns/rdata.h"
#include "dns/wire.h"

#define ZF_INCLUDE_MAX ZONEFILE_INCLUDE_MAX /* $INCLUDE nesting limit: stops loops */
#ifndef ZF_WINDOW
#define ZF_WINDOW (1u << 20) /* streaming window of one open file (tests shrink it) */
#endif
#define ZF_MORE 1                /* read_line: the window ends inside the line */
#define ZF_TOKENS_MAX (1u << 18) /* enough for 64 KiB of hex, one digit per token */
#define ZF_PATH_MAX 4096
#define ZF_TTL_MAX 0x7fffffffu /* RFC 2181 section 8 */

struct zf {
	zf_rr_cb cb;
	void *ctx;
	char *err;
	size_t errcap;

	uint8_t origin[NAME_MAXLEN];
	bool has_origin;
	uint8_t owner[NAME_MAXLEN];
	bool has_owner;
	/* The owner token as written, while owner is its value under the
	 * current origin (0: not known): repeated owners skip the name parse. */
	char owner_text[64];
	size_t owner_textlen;
	uint32_t dflt_ttl; /* from $TTL, or the SOA MINIMUM when it stood in */
	bool has_dflt;
	uint32_t last_ttl; /* last explicit TTL (RFC 1035 semantics) */
	bool has_last;
	int depth;
	unsigned max_depth;
	uint64_t max_bytes; /* 0: no limit */
	uint64_t bytes;     /* read so far, every file */
	char **paths;       /* $INCLUDE paths, kept until the parse ends */
	size_t npaths;

	/* Tokens of the current logical line and the line each starts on. */
	rdata_tok_t *toks;
	unsigned *lines;
	size_t ntok, captok;

	uint8_t rdata[65535];
};

/* One file (or memory text) being read. */
struct src {
	const char *name;
	const char *p, *end;
	unsigned line;
	bool eof;  /* nothing follows end: memory text, or the file is read */
	int fd;    /* -1 for memory text */
	char *buf; /* the window of a file */
	size_t cap;
};

static int zf_fail(struct zf *z, const char *file, unsigned line, int st, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int zf_fail(struct zf *z, const char *file, unsigned line, int st, const char *fmt, ...)
{
	if (!z->err || z->errcap == 0)
		return st;
	int n = line ? snprintf(z->err, z->errcap, "%s:%u: ", file, line)
		     : snprintf(z->err, z->errcap, "%s: ", file);
	if (n < 0 || (size_t)n >= z->errcap)
		return st;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(z->err + n, z->errcap - (size_t)n, fmt, ap);
	va_end(ap);
	return st;
}

/*
 * A token as it can be quoted inside an error message: bounded in length,
 * non-printable bytes as \DDD, so a fuzzed file cannot garble the message.
 */
static const char *tok_show(const rdata_tok_t *t, char *buf, size_t cap)
{
	size_t n = 0, lim = 64;
	if (t->quoted)
		buf[n++] = '"';
	for (size_t i = 0; i < t->len && n + 8 < cap; i++) {
		if (i == lim) {
			memcpy(buf + n, "...", 3);
			n += 3;
			break;
		}
		unsigned char c = (unsigned char)t->s[i];
		if (c < 0x20 || c >= 0x7f)
			n += (size_t)snprintf(buf + n, cap - n, "\\%03u", c);
		else
			buf[n++] = (char)c;
	}
	if (t->quoted)
		buf[n++] = '"';
	buf[n] = 0;
	return buf;
}

/* ---- tokenizer ------------------------------------------------------- */

static int tok_push(struct zf *z, struct src *s, const char *p, size_t len, bool quoted,
		    unsigned line)
{
	if (z->ntok == z->captok) {
		if (z->captok >= ZF_TOKENS_MAX)
			return zf_fail(z, s->name, line, ST_ELIMIT,
				       "too many tokens in one record (limit %u)", ZF_TOKENS_MAX);
		size_t nc = z->captok ? z->captok * 2 : 64;
		rdata_tok_t *nt = realloc(z->toks, nc * sizeof(*nt));
		if (!nt)
			return zf_fail(z, s->name, line, ST_ENOMEM, "out of memory");
		z->toks = nt;
		unsigned *nl = realloc(z->lines, nc * sizeof(*nl));
		if (!nl)
			return zf_fail(z, s->name, line, ST_ENOMEM, "out of memory");
		z->lines = nl;
		z->captok = nc;
	}
	z->toks[z->ntok] = (rdata_tok_t){ .s = p, .len = len, .quoted = quoted };
	z->lines[z->ntok++] = line;
	return 0;
}

/*
 * Scan a quoted section starting just after its opening quote at *pp.
 * Leaves *pp on the closing quote. A backslash escapes the next byte; an
 * unescaped newline or the end of the text means the quote is unterminated.
 */
static int scan_quoted(struct zf *z, struct src *s, const char **pp, unsigned qline)
{
	const char *q = *pp;
	while (q < s->end && *q != '"') {
		if (*q == '\n')
			break;
		if (*q == '\\' && q + 1 < s->end) {
			if (q[1] == '\n')
				s->line++;
			q += 2;
			continue;
		}
		q++;
	}
	if (q >= s->end && !s->eof)
		return ZF_MORE;
	if (q >= s->end || *q != '"')
		return zf_fail(z, s->name, qline, ST_ESYNTAX, "unterminated quoted string");
	*pp = q;
	return 0;
}

/* What a byte is to the tokenizer: one table lookup per byte of the text
 * instead of a chain of comparisons. 0: part of a token. */
enum { C_TOK, C_SPACE, C_NL, C_SEMI, C_LPAR, C_RPAR, C_QUOTE, C_ESC };
static const uint8_t tok_class[256] = {
	[' '] = C_SPACE, ['\t'] = C_SPACE, ['\r'] = C_SPACE, ['\n'] = C_NL,  [';'] = C_SEMI,
	['('] = C_LPAR,  [')'] = C_RPAR,   ['"'] = C_QUOTE,  ['\\'] = C_ESC,
};

/*
 * Read the next logical line's tokens into z->toks. *blank tells whether its
 * first physical line starts with white space (owner = previous owner).
 * Returns 0 with z->ntok == 0 at the end of the text, or ZF_MORE when the
 * window ends before the line does (the caller refills and calls again from
 * the line's start).
 */
static int read_line(struct zf *z, struct src *s, bool *blank)
{
	int paren = 0;
	unsigned paren_line = 0;
	const char *bol = s->p; /* beginning of the current physical line */
	bool started = false;
	int r;

	z->ntok = 0;
	*blank = false;
	while (s->p < s->end) {
		char c = *s->p;
		uint8_t k = tok_class[(unsigned char)c];
		if (k == C_NL) {
			s->line++;
			s->p++;
			bol = s->p;
			if (paren == 0 && z->ntok > 0)
				return 0;
			if (paren == 0)
				started = false; /* e.g. a line holding only "( )" */
			continue;
		}
		if (k == C_SPACE) {
			s->p++;
			continue;
		}
		if (k == C_SEMI) {
			const char *nl = memchr(s->p, '\n', (size_t)(s->end - s->p));
			s->p = nl ? nl : s->end;
			continue;
		}
		if (!started) {
			started = true;
			*blank = *bol == ' ' || *bol == '\t';
		}
		if (c == '(') {
			if (paren++ == 0)
				paren_line = s->line;
			s->p++;
			continue;
		}
		if (c == ')') {
			if (paren == 0)
				return zf_fail(z, s->name, s->line, ST_ESYNTAX, "unbalanced ')'");
			paren--;
			s->p++;
			continue;
		}
		unsigned line = s->line;
		if (c == '"') {
			const char *q = s->p + 1;
			if ((r = scan_quoted(z, s, &q, line)) != 0)
				return r;
			if ((r = tok_push(z, s, s->p + 1, (size_t)(q - s->p - 1), true, line)) < 0)
				return r;
			s->p = q + 1;
			continue;
		}
		const char *q = s->p;
		while (q < s->end) {
			k = tok_class[(unsigned char)*q];
			if (k == C_TOK) {
				q++;
				continue;
			}
			if (k != C_ESC)
				break;
			if (q + 1 < s->end) {
				if (q[1] == '\n')
					s->line++;
				q += 2;
				continue;
			}
			q++;
		}
		if (q >= s->end && !s->eof)
			return ZF_MORE; /* the token may go on past the window */
		/* key="value" (SVCB parameters) is one token, as in BIND. */
		if (q < s->end && *q == '"' && q > s->p && q[-1] == '=') {
			const char *e = q + 1;
			if ((r = scan_quoted(z, s, &e, s->line)) != 0)
				return r;
			q = e + 1;
		}
		if ((r = tok_push(z, s, s->p, (size_t)(q - s->p), false, line)) < 0)
			return r;
		s->p = q;
	}
	if (!s->eof)
		return ZF_MORE;
	if (paren > 0)
		return zf_fail(z, s->name, paren_line, ST_ESYNTAX, "unbalanced '('");
	return 0;
}

/* ---- records and directives ------------------------------------------ */

/* Word a name_from_text failure; tok is the name as written. */
static int name_fail(struct zf *z, struct src *s, unsigned line, int st, const rdata_tok_t *t,
		     const char *what)
{
	char show[300];
	switch (st) {
	case ST_EINVAL:
		return zf_fail(z, s->name, line, ST_ESYNTAX, "relative name '%s' but no $ORIGIN",
			       tok_show(t, show, sizeof(show)));
	case ST_ELABEL:
		return zf_fail(z, s->name, line, ST_ESYNTAX, "label longer than 63 bytes");
	case ST_ENAME:
		return zf_fail(z, s->name, line, ST_ESYNTAX, "name longer than 255 bytes");
	default:
		return zf_fail(z, s->name, line, ST_ESYNTAX, "expected %s, got '%s'", what,
			       tok_show(t, show, sizeof(show)));
	}
}

static int name_parse(struct zf *z, struct src *s, size_t i, uint8_t *out, const char *what)
{
	const rdata_tok_t *t = &z->toks[i];
	int r = name_from_text(t->s, t->len, z->has_origin ? z->origin : NULL, out);
	if (r < 0)
		return name_fail(z, s, z->lines[i], r, t, what);
	return 0;
}

static int class_from_text(const char *s, size_t len, uint16_t *cls)
{
	static const struct {
		const char *name;
		size_t len;
		uint16_t cls;
	} classes[] = {
		{ "IN", 2, CLASS_IN },   { "CH", 2, CLASS_CH },     { "CHAOS", 5, CLASS_CH },
		{ "HS", 2, CLASS_HS },   { "HESIOD", 6, CLASS_HS }, { "NONE", 4, CLASS_NONE },
		{ "ANY", 3, CLASS_ANY },
	};
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		if (classes[i].len == len && strncasecmp(s, classes[i].name, len) == 0) {
			*cls = classes[i].cls;
			return 0;
		}
	}
	if (len > 5 && len <= 10 && strncasecmp(s, "CLASS", 5) == 0) {
		uint32_t v = 0;
		for (size_t i = 5; i < len; i++) {
			if (s[i] < '0' || s[i] > '9')
				return ST_ENOENT;
			v = v * 10 + (uint32_t)(s[i] - '0');
		}
		if (v > 65535)
			return ST_ENOENT;
		*cls = (uint16_t)v;
		return 0;
	}
	return ST_ENOENT;
}

static int extra_args(struct zf *z, struct src *s, size_t max, const char *dir)
{
	char show[300];
	if (z->ntok <= max)
		return 0;
	return zf_fail(z, s->name, z->lines[max], ST_ESYNTAX,
		       "expected end of line after %s, got '%s'", dir,
		       tok_show(&z->toks[max], show, sizeof(show)));
}

/*
 * Open path for streaming into s. Returns 0, -errno, or 1 when the file
 * would take the text over the byte limit.
 */
static int src_open(struct zf *z, struct src *s, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	if (z->max_bytes && (uint64_t)st.st_size > z->max_bytes - z->bytes) {
		close(fd);
		return 1;
	}
	size_t cap = (uint64_t)st.st_size < ZF_WINDOW ? (size_t)st.st_size + 1 : ZF_WINDOW;
	char *b = malloc(cap);
	if (!b) {
		close(fd);
		return -ENOMEM;
	}
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	*s = (struct src){
		.name = path, .p = b, .end = b, .line = 1, .fd = fd, .buf = b, .cap = cap
	};
	return 0;
}

static void src_close(struct src *s)
{
	if (s->fd >= 0)
		close(s->fd);
	free(s->buf);
	s->fd = -1;
	s->buf = NULL;
}

/*
 * Keep the bytes from s->p on, move them to the front of the window (which
 * doubles when they fill it) and read more after them. Sets eof at the end
 * of the file.
 */
static int src_refill(struct zf *z, struct src *s)
{
	size_t keep = (size_t)(s->end - s->p);
	if (keep == s->cap) {
		size_t nc = s->cap * 2;
		char *nb = realloc(s->buf, nc);
		if (!nb)
			return zf_fail(z, s->name, s->line, ST_ENOMEM, "out of memory");
		s->p = nb + (s->p - s->buf);
		s->buf = nb;
		s->cap = nc;
	}
	memmove(s->buf, s->p, keep);
	s->p = s->buf;
	s->end = s->buf + keep;
	while (s->end < s->buf + s->cap) {
		ssize_t n = read(s->fd, (char *)s->end, (size_t)(s->buf + s->cap - s->end));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return zf_fail(z, s->name, 0, ST_EIO, "cannot read: %s", strerror(errno));
		if (n == 0) {
			s->eof = true;
			break;
		}
		s->end += n;
		z->bytes += (uint64_t)n;
		if (z->max_bytes && z->bytes > z->max_bytes)
			return zf_fail(z, s->name, s->line, ST_ELIMIT,
				       "zone text is more than %llu bytes (limit)",
				       (unsigned long long)z->max_bytes);
	}
	return 0;
}

/* read_line, refilling the window of a file until the line is whole in it. */
static int next_line(struct zf *z, struct src *s, bool *blank)
{
	for (;;) {
		const char *p0 = s->p;
		unsigned line0 = s->line;
		int r = read_line(z, s, blank);
		if (r != ZF_MORE)
			return r;
		s->p = p0;
		s->line = line0;
		if ((r = src_refill(z, s)) < 0)
			return r;
	}
}

static int parse_src(struct zf *z, struct src *s);

static int do_include(struct zf *z, struct src *s)
{
	char path[ZF_PATH_MAX];
	const rdata_tok_t *ft = &z->toks[1];
	unsigned line = z->lines[0];
	int r;

	if (z->ntok < 2)
		return zf_fail(z, s->name, line, ST_ESYNTAX, "expected a file name after $INCLUDE");
	if ((r = extra_args(z, s, 3, "$INCLUDE")) < 0)
		return r;
	if (z->depth >= (int)z->max_depth)
		return zf_fail(z, s->name, line, ST_ELIMIT, "$INCLUDE nested too deeply (limit %u)",
			       z->max_depth);
	if (memchr(ft->s, 0, ft->len))
		return zf_fail(z, s->name, line, ST_ESYNTAX, "expected a file name after $INCLUDE");

	/* Relative paths are relative to the including file's directory. */
	size_t dirlen = 0;
	if (ft->len == 0 || ft->s[0] != '/') {
		const char *slash = strrchr(s->name, '/');
		dirlen = slash ? (size_t)(slash - s->name) + 1 : 0;
	}
	if (dirlen + ft->len + 1 > sizeof(path))
		return zf_fail(z, s->name, line, ST_ELIMIT, "$INCLUDE path too long");
	memcpy(path, s->name, dirlen);
	memcpy(path + dirlen, ft->s, ft->len);
	path[dirlen + ft->len] = 0;

	/* Saved before the origin argument is applied: both come back after. */
	uint8_t saved_origin[NAME_MAXLEN], saved_owner[NAME_MAXLEN];
	bool had_origin = z->has_origin, had_owner = z->has_owner;
	memcpy(saved_origin, z->origin, sizeof(saved_origin));
	memcpy(saved_owner, z->owner, sizeof(saved_owner));

	if (z->ntok == 3) {
		uint8_t o[NAME_MAXLEN];
		if ((r = name_parse(z, s, 2, o, "an origin name after the $INCLUDE file")) < 0)
			return r;
		memcpy(z->origin, o, name_len(o));
		z->has_origin = true;
	}

	/* The path outlives this call: records carry it until the parse ends. */
	char **np = realloc(z->paths, (z->npaths + 1) * sizeof(*np));
	if (!np)
		return zf_fail(z, s->name, line, ST_ENOMEM, "out of memory");
	z->paths = np;
	if (!(np[z->npaths] = strdup(path)))
		return zf_fail(z, s->name, line, ST_ENOMEM, "out of memory");
	const char *ipath = np[z->npaths++];

	struct src in;
	if ((r = src_open(z, &in, ipath)) != 0) {
		if (r > 0)
			return zf_fail(
				z, s->name, line, ST_ELIMIT,
				"included file '%s' takes the zone text over %llu bytes (limit)",
				ipath, (unsigned long long)z->max_bytes);
		return zf_fail(z, s->name, line, ST_EIO, "cannot read included file '%s': %s",
			       ipath, strerror(-r));
	}
	z->depth++;
	r = parse_src(z, &in);
	z->depth--;
	src_close(&in);
	if (r < 0)
		return r;

	memcpy(z->origin, saved_origin, sizeof(saved_origin));
	memcpy(z->owner, saved_owner, sizeof(saved_owner));
	z->has_origin = had_origin, z->has_owner = had_owner;
	z->owner_textlen = 0;
	return 0;
}

static int do_directive(struct zf *z, struct src *s)
{
	const rdata_tok_t *d = &z->toks[0];
	unsigned line = z->lines[0];
	char show[300];
	int r;

	z->owner_textlen = 0; /* the origin or the owner may change */
	if (d->len == 7 && strncasecmp(d->s, "$ORIGIN", 7) == 0) {
		uint8_t o[NAME_MAXLEN];
		if (z->ntok < 2)
			return zf_fail(z, s->name, line, ST_ESYNTAX,
				       "expected a domain name after $ORIGIN");
		if ((r = extra_args(z, s, 2, "$ORIGIN")) < 0)
			return r;
		if ((r = name_parse(z, s, 1, o, "a domain name after $ORIGIN")) < 0)
			return r;
		memcpy(z->origin, o, name_len(o));
		z->has_origin = true;
		return 0;
	}
	if (d->len == 4 && strncasecmp(d->s, "$TTL", 4) == 0) {
		uint32_t ttl;
		if (z->ntok < 2)
			return zf_fail(z, s->name, line, ST_ESYNTAX, "expected a TTL after $TTL");
		if ((r = extra_args(z, s, 2, "$TTL")) < 0)
			return r;
		if (z->toks[1].quoted ||
		    rdata_ttl_from_text(z->toks[1].s, z->toks[1].len, &ttl) < 0)
			return zf_fail(z, s->name, z->lines[1], ST_ESYNTAX,
				       "expected a TTL (a number or units like 1h30m), got '%s'",
				       tok_show(&z->toks[1], show, sizeof(show)));
		z->dflt_ttl = ttl > ZF_TTL_MAX ? 0 : ttl;
		z->has_dflt = true;
		return 0;
	}
	if (d->len == 8 && strncasecmp(d->s, "$INCLUDE", 8) == 0)
		return do_include(z, s);
	return zf_fail(z, s->name, line, ST_ESYNTAX, "unsupported directive '%s'",
		       tok_show(d, show, sizeof(show)));
}

static int do_record(struct zf *z, struct src *s, bool blank)
{
	char show[300];
	size_t i = 0;
	unsigned line = z->lines[0];
	int r;

	if (blank) {
		if (!z->has_owner)
			return zf_fail(
				z, s->name, line, ST_ESYNTAX,
				"expected an owner name (a blank owner needs a previous record)");
	} else {
		const rdata_tok_t *t0 = &z->toks[0];
		if (t0->quoted || t0->len != z->owner_textlen ||
		    memcmp(t0->s, z->owner_text, t0->len) != 0) {
			uint8_t o[NAME_MAXLEN];
			if ((r = name_parse(z, s, 0, o, "an owner name")) < 0)
				return r;
			memcpy(z->owner, o, name_len(o));
			z->has_owner = true;
			z->owner_textlen = 0;
			if (!t0->quoted && t0->len <= sizeof(z->owner_text)) {
				memcpy(z->owner_text, t0->s, t0->len);
				z->owner_textlen = t0->len;
			}
		}
		i = 1;
	}

	/* TTL and class, each optional, in either order. */
	bool has_ttl = false, has_class = false;
	uint32_t ttl = 0;
	for (int k = 0; k < 2 && i < z->ntok; k++) {
		const rdata_tok_t *t = &z->toks[i];
		uint16_t cls;
		if (t->quoted)
			break;
		if (!has_ttl && t->len > 0 && t->s[0] >= '0' && t->s[0] <= '9') {
			if (rdata_ttl_from_text(t->s, t->len, &ttl) < 0)
				return zf_fail(
					z, s->name, z->lines[i], ST_ESYNTAX,
					"expected a TTL (a number or units like 1h30m), got '%s'",
					tok_show(t, show, sizeof(show)));
			if (ttl > ZF_TTL_MAX)
				ttl = 0; /* RFC 2181 section 8, as BIND does */
			has_ttl = true;
			i++;
		} else if (!has_class && class_from_text(t->s, t->len, &cls) == 0) {
			if (cls != CLASS_IN)
				return zf_fail(z, s->name, z->lines[i], ST_ESYNTAX,
					       "class '%s' is not supported (only IN)",
					       tok_show(t, show, sizeof(show)));
			has_class = true;
			i++;
		} else {
			break;
		}
	}

	if (i >= z->ntok)
		return zf_fail(z, s->name, z->lines[z->ntok - 1], ST_ESYNTAX,
			       "expected a record type");
	const rdata_tok_t *tt = &z->toks[i];
	uint16_t type;
	if (tt->quoted || rrtype_from_text(tt->s, tt->len, &type) < 0)
		return zf_fail(z, s->name, z->lines[i], ST_ESYNTAX, "unknown type '%s'",
			       tok_show(tt, show, sizeof(show)));
	if (rrtype_is_meta(type))
		return zf_fail(z, s->name, z->lines[i], ST_ESYNTAX,
			       "meta type '%s' cannot appear in zone data",
			       tok_show(tt, show, sizeof(show)));
	i++;

	const char *expected = NULL;
	size_t bad = 0, nrd = z->ntok - i;
	r = rdata_parse_text(type, z->toks + i, nrd, z->has_origin ? z->origin : NULL, z->rdata,
			     sizeof(z->rdata), &expected, &bad);
	if (r < 0) {
		size_t at = bad < nrd ? i + bad : z->ntok - 1;
		const rdata_tok_t *bt = bad < nrd ? &z->toks[at] : NULL;
		unsigned bline = z->lines[at];
		if (r == ST_EINVAL || r == ST_ELABEL || r == ST_ENAME)
			return name_fail(z, s, bline, r, bt ? bt : tt, expected);
		if (r == ST_ESPACE)
			return zf_fail(z, s->name, bline, ST_ESYNTAX,
				       "rdata longer than 65535 bytes");
		if (!bt)
			return zf_fail(z, s->name, bline, ST_ESYNTAX, "expected %s",
				       expected ? expected : "valid rdata");
		return zf_fail(z, s->name, bline, ST_ESYNTAX, "expected %s, got '%s'",
			       expected ? expected : "valid rdata",
			       tok_show(bt, show, sizeof(show)));
	}

	/* TTL defaults as named-checkzone applies them. */
	if (has_ttl) {
		z->last_ttl = ttl;
		z->has_last = true;
	} else if (z->has_dflt) {
		ttl = z->dflt_ttl;
	} else if (z->has_last) {
		ttl = z->last_ttl;
	} else if (type == RR_SOA && r >= 20) {
		/* BIND: "no TTL specified; using SOA MINTTL instead", and the
		 * minimum then stands in for $TTL for later records. */
		ttl = wire_get32(z->rdata + r - 4);
		if (ttl > ZF_TTL_MAX)
			ttl = 0;
		z->dflt_ttl = ttl;
		z->has_dflt = true;
	} else {
		return zf_fail(z, s->name, line, ST_ESYNTAX,
			       "no TTL specified (no $TTL and no earlier TTL)");
	}

	if (!z->cb)
		return 0;
	zf_rr_t rr = {
		.owner = z->owner,
		.type = type,
		.rclass = CLASS_IN,
		.ttl = ttl,
		.rdata = z->rdata,
		.rdlen = (uint16_t)r,
		.file = s->name,
		.line = line,
	};
	r = z->cb(z->ctx, &rr, z->err, z->errcap);
	return r < 0 ? r : 0;
}

static int parse_src(struct zf *z, struct src *s)
{
	for (;;) {
		bool blank;
		int r = next_line(z, s, &blank);
		if (r < 0)
			return r;
		if (z->ntok == 0)
			return 0;
		const rdata_tok_t *t0 = &z->toks[0];
		if (!blank && !t0->quoted && t0->len > 0 && t0->s[0] == '$')
			r = do_directive(z, s);
		else
			r = do_record(z, s, blank);
		if (r < 0)
			return r;
	}
}

static struct zf *zf_new(const uint8_t *origin, const zf_limits_t *lim, zf_rr_cb cb, void *ctx,
			 char *err, size_t errcap)
{
	struct zf *z = calloc(1, sizeof(*z));
	if (!z)
		return NULL;
	z->cb = cb, z->ctx = ctx, z->err = err, z->errcap = errcap;
	z->max_depth = ZF_INCLUDE_MAX;
	if (lim && lim->max_depth && lim->max_depth < ZF_INCLUDE_MAX)
		z->max_depth = lim->max_depth;
	z->max_bytes = lim ? lim->max_bytes : 0;
	if (origin && name_check(origin, NAME_MAXLEN) > 0) {
		memcpy(z->origin, origin, name_len(origin));
		z->has_origin = true;
	}
	if (err && errcap)
		err[0] = 0;
	return z;
}

static void zf_free(struct zf *z)
{
	for (size_t i = 0; i < z->npaths; i++)
		free(z->paths[i]);
	free(z->paths);
	free(z->toks);
	free(z->lines);
	free(z);
}

int zonefile_parse_mem_ex(const char *name, const char *text, size_t len, const uint8_t *origin,
			  const zf_limits_t *limits, zf_rr_cb cb, void *ctx, char *err,
			  size_t errcap)
{
	struct zf *z = zf_new(origin, limits, cb, ctx, err, errcap);
	if (!z) {
		if (err && errcap)
			snprintf(err, errcap, "%s: out of memory", name);
		return ST_ENOMEM;
	}
	int r;
	if (text && z->max_bytes && len > z->max_bytes) {
		r = zf_fail(z, name, 0, ST_ELIMIT, "zone text is more than %llu bytes (limit)",
			    (unsigned long long)z->max_bytes);
	} else {
		if (!text)
			text = "", len = 0;
		struct src s = {
			.name = name, .p = text, .end = text + len, .line = 1, .eof = true, .fd = -1
		};
		z->bytes = len;
		r = parse_src(z, &s);
	}
	zf_free(z);
	return r;
}

int zonefile_parse_mem(const char *name, const char *text, size_t len, const uint8_t *origin,
		       zf_rr_cb cb, void *ctx, char *err, size_t errcap)
{
	return zonefile_parse_mem_ex(name, text, len, origin, NULL, cb, ctx, err, errcap);
}

int zonefile_parse_ex(const char *path, const uint8_t *origin, const zf_limits_t *limits,
		      zf_rr_cb cb, void *ctx, char *err, size_t errcap)
{
	struct zf *z = zf_new(origin, limits, cb, ctx, err, errcap);
	if (!z) {
		if (err && errcap)
			snprintf(err, errcap, "%s: out of memory", path);
		return ST_ENOMEM;
	}
	struct src s;
	int r = src_open(z, &s, path);
	if (r != 0) {
		if (r > 0)
			r = zf_fail(z, path, 0, ST_ELIMIT,
				    "zone text is more than %llu bytes (limit)",
				    (unsigned long long)z->max_bytes);
		else if (err && errcap)
			snprintf(err, errcap, "%s: cannot read: %s", path, strerror(-r)),
				r = ST_EIO;
		else
			r = ST_EIO;
	} else {
		r = parse_src(z, &s);
		src_close(&s);
	}
	zf_free(z);
	return r;
}

int zonefile_parse(const char *path, const uint8_t *origin, zf_rr_cb cb, void *ctx, char *err,
		   size_t errcap)
{
	return zonefile_parse_ex(path, origin, NULL, cb, ctx, err, errcap);
}

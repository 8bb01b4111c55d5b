#include "dns/name.h"

#include <stdio.h>
#include <string.h>

int name_unpack(const uint8_t *msg, size_t msglen, size_t *pos, uint8_t *out)
{
	size_t p = *pos;
	size_t end = 0; /* where the name ends at *pos, once a pointer is taken */
	size_t n = 0;
	int jumped = 0;

	for (;;) {
		if (p >= msglen)
			return ST_ETRUNC;
		uint8_t len = msg[p];
		if ((len & 0xC0) == 0xC0) {
			if (p + 1 >= msglen)
				return ST_ETRUNC;
			size_t target = (size_t)(len & 0x3F) << 8 | msg[p + 1];
			/* Strictly backwards guarantees termination; nothing
			 * before the 12-byte header can start a name. */
			if (target >= p || target < 12)
				return ST_EPTR;
			if (!jumped)
				end = p + 2, jumped = 1;
			p = target;
			continue;
		}
		if (len & 0xC0)
			return ST_ELABEL;
		if (n + 1 + len > NAME_MAXLEN)
			return ST_ENAME;
		if (p + 1 + len > msglen)
			return ST_ETRUNC;
		memcpy(out + n, msg + p, 1 + (size_t)len);
		n += 1 + (size_t)len;
		p += 1 + (size_t)len;
		if (len == 0)
			break;
	}
	*pos = jumped ? end : p;
	return (int)n;
}

int name_check(const uint8_t *buf, size_t len)
{
	size_t n = 0;
	for (;;) {
		if (n >= len)
			return ST_ETRUNC;
		uint8_t l = buf[n];
		if (l > 63)
			return ST_ELABEL;
		if (n + 1 + l > NAME_MAXLEN)
			return ST_ENAME;
		if (n + 1 + l > len)
			return ST_ETRUNC;
		n += 1 + (size_t)l;
		if (l == 0)
			return (int)n;
	}
}

size_t name_len(const uint8_t *name)
{
	const uint8_t *p = name;
	while (*p)
		p += 1 + *p;
	return (size_t)(p - name) + 1;
}

int name_labels(const uint8_t *name)
{
	int n = 0;
	while (*name) {
		name += 1 + *name;
		n++;
	}
	return n;
}

const uint8_t *name_skip(const uint8_t *name, int n)
{
	while (n-- > 0 && *name)
		name += 1 + *name;
	return name;
}

size_t name_lower(uint8_t *dst, const uint8_t *src)
{
	size_t len = name_len(src);
	for (size_t i = 0; i < len;) {
		uint8_t l = src[i];
		dst[i++] = l;
		for (uint8_t j = 0; j < l; j++, i++)
			dst[i] = name_lower_byte(src[i]);
	}
	return len;
}

bool name_equal(const uint8_t *a, const uint8_t *b)
{
	for (;;) {
		if (*a != *b)
			return false;
		uint8_t l = *a;
		if (l == 0)
			return true;
		for (uint8_t i = 1; i <= l; i++)
			if (name_lower_byte(a[i]) != name_lower_byte(b[i]))
				return false;
		a += 1 + l, b += 1 + l;
	}
}

bool name_is_sub(const uint8_t *name, const uint8_t *parent)
{
	int nl = name_labels(name), pl = name_labels(parent);
	if (nl < pl)
		return false;
	return name_equal(name_skip(name, nl - pl), parent);
}

int text_char(const char *s, size_t len, size_t *i)
{
	size_t p = *i;
	unsigned c = (unsigned char)s[p];
	if (c != '\\') {
		*i = p + 1;
		return (int)c;
	}
	if (p + 1 >= len)
		return ST_EMALF;
	unsigned d = (unsigned char)s[p + 1];
	if (d < '0' || d > '9') {
		*i = p + 2;
		return (int)d;
	}
	if (p + 3 >= len)
		return ST_EMALF;
	unsigned d2 = (unsigned char)s[p + 2], d3 = (unsigned char)s[p + 3];
	if (d2 < '0' || d2 > '9' || d3 < '0' || d3 > '9')
		return ST_EMALF;
	c = (d - '0') * 100 + (d2 - '0') * 10 + (d3 - '0');
	if (c > 255)
		return ST_EMALF;
	*i = p + 4;
	return (int)c;
}

int name_from_text(const char *text, size_t len, const uint8_t *origin, uint8_t *out)
{
	if (len == 1 && text[0] == '@') {
		if (!origin)
			return ST_EINVAL;
		size_t ol = name_len(origin);
		memcpy(out, origin, ol);
		return (int)ol;
	}
	if (len == 1 && text[0] == '.') {
		out[0] = 0;
		return 1;
	}
	if (len == 0)
		return ST_EMALF;

	size_t n = 0;   /* bytes written */
	size_t lab = 0; /* offset of the current label's length byte */
	int absolute = 0;
	out[0] = 0;
	n = 1;
	for (size_t i = 0; i < len;) {
		if (text[i] == '.') {
			if (n - lab - 1 == 0)
				return ST_EMALF; /* empty label */
			if (i == len - 1) {
				absolute = 1;
				break;
			}
			lab = n;
			if (n >= NAME_MAXLEN)
				return ST_ENAME;
			out[n++] = 0;
			i++;
			continue;
		}
		int c = text_char(text, len, &i);
		if (c < 0)
			return c;
		if (n - lab - 1 >= 63)
			return ST_ELABEL;
		if (n >= NAME_MAXLEN - 1)
			return ST_ENAME;
		out[n++] = (uint8_t)c;
		out[lab]++;
	}
	/* Terminate: the last label is non-empty here. */
	if (absolute) {
		if (n + 1 > NAME_MAXLEN)
			return ST_ENAME;
		out[n++] = 0;
		return (int)n;
	}
	if (!origin)
		return ST_EINVAL;
	size_t ol = name_len(origin);
	if (n + ol > NAME_MAXLEN)
		return ST_ENAME;
	memcpy(out + n, origin, ol);
	return (int)(n + ol);
}

int name_to_text(const uint8_t *name, char *buf, size_t cap)
{
	size_t n = 0;
	if (*name == 0) {
		if (cap < 2)
			return ST_ESPACE;
		buf[0] = '.', buf[1] = 0;
		return 1;
	}
	while (*name) {
		uint8_t l = *name++;
		for (uint8_t i = 0; i < l; i++) {
			uint8_t c = name[i];
			if (n + 5 >= cap)
				return ST_ESPACE;
			if (c == '.' || c == '\\' || c == '"' || c == '(' || c == ')' || c == ';' ||
			    c == '@' || c == '$') {
				buf[n++] = '\\';
				buf[n++] = (char)c;
			} else if (c < 0x21 || c > 0x7e) {
				n += (size_t)snprintf(buf + n, cap - n, "\\%03u", c);
			} else {
				buf[n++] = (char)c;
			}
		}
		name += l;
		if (n + 2 >= cap)
			return ST_ESPACE;
		buf[n++] = '.';
	}
	buf[n] = 0;
	return (int)n;
}

const char *name_str(const uint8_t *name, char *buf, size_t cap)
{
	if (name_to_text(name, buf, cap) < 0)
		snprintf(buf, cap, "?");
	return buf;
}

/* Where each label of name starts; returns how many there are. */
static int label_starts(const uint8_t *name, uint8_t at[NAME_MAXLABELS])
{
	int n = 0;
	for (size_t p = 0; name[p] != 0 && n < NAME_MAXLABELS; p += 1u + name[p])
		at[n++] = (uint8_t)p;
	return n;
}

int name_canon_cmp(const uint8_t *a, const uint8_t *b)
{
	uint8_t at_a[NAME_MAXLABELS], at_b[NAME_MAXLABELS];
	int na = label_starts(a, at_a), nb = label_starts(b, at_b);
	for (int i = na - 1, j = nb - 1; i >= 0 && j >= 0; i--, j--) {
		const uint8_t *la = a + at_a[i], *lb = b + at_b[j];
		unsigned len = la[0] < lb[0] ? la[0] : lb[0];
		for (unsigned k = 1; k <= len; k++) {
			uint8_t x = name_lower_byte(la[k]), y = name_lower_byte(lb[k]);
			if (x != y)
				return x < y ? -1 : 1;
		}
		if (la[0] != lb[0])
			return la[0] < lb[0] ? -1 : 1;
	}
	return na < nb ? -1 : na > nb;
}

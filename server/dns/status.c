#include "dns/status.h"

#include <stddef.h>

static const char *const messages[] = {
	[0] = "ok",
	[-ST_ENOMEM] = "out of memory",
	[-ST_ESPACE] = "no space left in buffer",
	[-ST_EMALF] = "malformed data",
	[-ST_ELABEL] = "label longer than 63 bytes",
	[-ST_ENAME] = "name longer than 255 bytes",
	[-ST_EPTR] = "bad compression pointer",
	[-ST_ETRUNC] = "data ends early",
	[-ST_EEXIST] = "already exists",
	[-ST_ENOENT] = "not found",
	[-ST_EIO] = "i/o error",
	[-ST_ESYNTAX] = "syntax error",
	[-ST_ESEMANTIC] = "zone check failed",
	[-ST_ELIMIT] = "limit reached",
	[-ST_EINVAL] = "invalid argument",
};

const char *status_str(int code)
{
	if (code > 0 || code <= ST__MIN || messages[-code] == NULL)
		return "unknown error";
	return messages[-code];
}

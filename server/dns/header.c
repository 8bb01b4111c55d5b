/*
 * header.c -- names of the header's flags, opcodes and rcodes.
 */
#include "dns/header.h"

#include <string.h>

const dns_flag_name_t dns_flag_names[DNS_FLAG_NAMES] = {
	{ DNS_QR, "qr" }, { DNS_AA, "aa" }, { DNS_TC, "tc" }, { DNS_RD, "rd" },
	{ DNS_RA, "ra" }, { DNS_AD, "ad" }, { DNS_CD, "cd" },
};

static const char *const rcode_names[] = {
	"NOERROR",  "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",  "REFUSED",
	"YXDOMAIN", "YXRRSET", "NXRRSET",  "NOTAUTH",  "NOTZONE",
};
#define RCODE_NAMES (sizeof(rcode_names) / sizeof(rcode_names[0]))

const char *rcode_str(uint16_t rcode)
{
	if (rcode < RCODE_NAMES)
		return rcode_names[rcode];
	if (rcode == RCODE_BADVERS)
		return "BADVERS";
	return "RCODE?";
}

int rcode_from_str(const char *name)
{
	for (size_t i = 0; i < RCODE_NAMES; i++)
		if (strcmp(rcode_names[i], name) == 0)
			return (int)i;
	return strcmp(name, "BADVERS") == 0 ? RCODE_BADVERS : -1;
}

const char *opcode_str(unsigned opcode)
{
	static const char *const s[] = {
		"QUERY", "IQUERY", "STATUS", "OPCODE3", "NOTIFY", "UPDATE"
	};
	return opcode < sizeof(s) / sizeof(s[0]) ? s[opcode] : "OPCODE?";
}

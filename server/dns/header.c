/*
 * header.c -- names of the header's flags, opcodes and rcodes.
 */
#include "dns/header.h"

const dns_flag_name_t dns_flag_names[DNS_FLAG_NAMES] = {
	{ DNS_QR, "qr" }, { DNS_AA, "aa" }, { DNS_TC, "tc" }, { DNS_RD, "rd" },
	{ DNS_RA, "ra" }, { DNS_AD, "ad" }, { DNS_CD, "cd" },
};

const char *rcode_str(uint16_t rcode)
{
	static const char *const s[] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
		"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE",
	};
	if (rcode < sizeof(s) / sizeof(s[0]))
		return s[rcode];
	if (rcode == RCODE_BADVERS)
		return "BADVERS";
	return "RCODE?";
}

const char *opcode_str(unsigned opcode)
{
	static const char *const s[] = { "QUERY", "IQUERY", "STATUS", "OPCODE3", "NOTIFY", "UPDATE" };
	return opcode < sizeof(s) / sizeof(s[0]) ? s[opcode] : "OPCODE?";
}

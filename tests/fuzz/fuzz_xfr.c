/*
 * fuzz_xfr.c -- both sides of a zone transfer on hostile bytes. The input
 * is a sequence of messages, each with a 2-byte length as over TCP: the
 * first is a request to a zoneset whose zone allows transfers to the
 * client and is pulled from it too (so AXFR, IXFR and NOTIFY all get
 * through to their handling, over UDP or TCP as the first input byte's
 * bit 0 says), and any stream it starts is drained, checking each message
 * fits; then every message, the first one included, is fed to an AXFR
 * client (xfrin) as a primary's answer, which must end in a clean result
 * or a reason, never a crash or a leak.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "dns/respond.h"
#include "dns/xfr.h"
#include "dns/xfrin.h"
#include "dns/zone_build.h"
#include "dns/zoneset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static const char ZONE[] =
	"$ORIGIN test.\n$TTL 3600\n"
	"@ SOA ns.test. host.test. 5 7200 900 1209600 300\n@ NS ns.test.\nns A 192.0.2.1\n"
	"child NS ns1.child\nns1.child A 192.0.2.10\nns1.child AAAA 2001:db8::10\n"
	"www A 192.0.2.80\nwww TXT \"hello\"\nmx MX 10 www\n";

static zoneset_t *zs;
static xfr_spec_t spec;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	char err[512];
	zone_t *z = NULL;
	if (zone_load_mem("fuzz", ZONE, sizeof(ZONE) - 1, NULL, NULL, NULL, &z, err, sizeof(err)) ||
	    zoneset_from_zones(&z, 1, GLUE_FULL, &zs, err, sizeof(err))) {
		fprintf(stderr, "fuzz zone: %s\n", err);
		abort();
	}
	if (xfr_addr_parse("127.0.0.0/8", true, 53, &spec.allow[0], err, sizeof(err)) ||
	    xfr_addr_parse("127.0.0.1", false, 53, &spec.primary, err, sizeof(err)))
		abort();
	spec.nallow = 1;
	spec.has_primary = true;
	zs->xfr[0] = &spec;
	zs->nxfr = 1;
	return 0;
}

static uint8_t out[RESPOND_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (zs == NULL)
		LLVMFuzzerInitialize(NULL, NULL);
	if (size < 1)
		return 0;
	bool tcp = data[0] & 1;
	data++, size--;
	struct sockaddr_in peer = { .sin_family = AF_INET, .sin_port = htons(53) };
	inet_pton(AF_INET, "127.0.0.1", &peer.sin_addr);

	xfrin_t in;
	const uint8_t origin[] = "\x04test";
	/* The client asked with the first message's ID: the answers get that far. */
	uint16_t id = size >= 4 ? (uint16_t)(data[2] << 8 | data[3]) : 0;
	xfrin_init(&in, origin, id, NULL, NULL, "fuzz");
	bool first = true, ended = false;
	size_t off = 0;
	while (size - off >= 2) {
		size_t len = (size_t)data[off] << 8 | data[off + 1];
		off += 2;
		if (len > size - off)
			len = size - off;
		const uint8_t *msg = data + off;
		off += len;
		if (first) {
			first = false;
			xfr_result_t res;
			(void)xfr_answer(zs, msg, len, tcp, (struct sockaddr *)&peer, 1800000000u,
					 out, &res);
			if (res.len > RESPOND_MAX)
				abort();
			if (res.stream) {
				size_t n;
				unsigned msgs = 0;
				while ((n = xfr_out_next(res.stream, out, RESPOND_MAX)) > 0)
					if (n > RESPOND_MAX || ++msgs > 1000)
						abort();
				xfr_out_free(res.stream);
			}
		}
		if (!ended) {
			int r = xfrin_feed(&in, msg, len, 1800000000u);
			if (r < 0 && in.err[0] == 0)
				abort(); /* every failure says why */
			ended = r != 0;
		}
	}
	xfrin_free(&in);
	return 0;
}

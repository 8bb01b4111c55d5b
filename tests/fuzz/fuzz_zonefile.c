/*
 * fuzz_zonefile.c -- the zone-file parser and zone builder on arbitrary
 * text. Either the zone loads or an error message naming the place comes
 * back; never a crash, a leak or a read out of bounds.
 */
#include <stdlib.h>
#include <string.h>

#include "dns/zone.h"
#include "dns/zone_build.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	zone_t *z = NULL;
	err[0] = 0;
	int rc = zone_load_mem("fuzz.zone", (const char *)data, size, (const uint8_t *)"\4test\0",
			       NULL, NULL, &z, err, sizeof(err));
	if (rc == 0) {
		if (!z || zone_apex(z) == NULL)
			abort();
		zone_free(z);
	} else if (err[0] == 0 || strlen(err) >= sizeof(err)) {
		abort(); /* every failure explains itself */
	}
	return 0;
}

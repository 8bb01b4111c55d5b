#include "dns/zoneset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/name.h"

void zoneset_free(zoneset_t *zs)
{
	if (!zs)
		return;
	for (size_t i = 0; i < zs->nzones; i++)
		zone_free(zs->zones[i]);
	free(zs->zones);
	free(zs);
}

int zoneset_from_zones(zone_t **zones, size_t n, uint8_t glue_policy, zoneset_t **out, char *err,
		       size_t errcap)
{
	zoneset_t *zs = calloc(1, sizeof(*zs));
	zone_t **copy = calloc(n ? n : 1, sizeof(*copy));
	if (!zs || !copy) {
		free(zs);
		free(copy);
		for (size_t i = 0; i < n; i++)
			zone_free(zones[i]);
		snprintf(err, errcap, "out of memory");
		return ST_ENOMEM;
	}
	memcpy(copy, zones, n * sizeof(*copy));
	zs->zones = copy;
	zs->nzones = n;
	zs->glue_policy = glue_policy;
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < i; j++) {
			if (name_equal(zone_origin(copy[i]), zone_origin(copy[j]))) {
				char origin[NAME_TEXT_MAX];
				name_to_text(zone_origin(copy[i]), origin, sizeof(origin));
				snprintf(err, errcap, "%s: zone %s is already loaded from %s",
					 zone_file(copy[i]), origin, zone_file(copy[j]));
				zoneset_free(zs);
				return ST_EEXIST;
			}
		}
	}
	*out = zs;
	return ST_OK;
}

int zoneset_load(const zone_spec_t *specs, size_t n, uint8_t glue_policy, zone_warn_cb warn,
		 void *warn_ctx, zoneset_t **out, char *err, size_t errcap)
{
	zone_t **zones = calloc(n ? n : 1, sizeof(*zones));
	if (!zones) {
		snprintf(err, errcap, "out of memory");
		return ST_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		uint8_t origin[NAME_MAXLEN];
		const uint8_t *op = NULL;
		int rc;
		if (specs[i].origin) {
			rc = name_from_text(specs[i].origin, strlen(specs[i].origin), (const uint8_t *)"", origin);
			if (rc < 0) {
				snprintf(err, errcap, "%s: bad zone origin '%s': %s", specs[i].file,
					 specs[i].origin, status_str(rc));
				goto fail;
			}
			op = origin;
		}
		rc = zone_load(specs[i].file, op, warn, warn_ctx, &zones[i], err, errcap);
		if (rc != ST_OK)
			goto fail;
		zone_set_glue_policy(zones[i], specs[i].glue_policy);
		continue;
	fail:
		for (size_t j = 0; j < i; j++)
			zone_free(zones[j]);
		free(zones);
		return rc < 0 ? rc : ST_EINVAL;
	}
	int rc = zoneset_from_zones(zones, n, glue_policy, out, err, errcap);
	free(zones);
	return rc;
}

const zone_t *zoneset_find(const zoneset_t *zs, const uint8_t *lname)
{
	const zone_t *best = NULL;
	size_t bestlen = 0;
	size_t len = name_len(lname);
	for (size_t i = 0; i < zs->nzones; i++) {
		const uint8_t *origin = zone_origin(zs->zones[i]);
		size_t olen = name_len(origin);
		if (olen > len || (best && olen <= bestlen))
			continue;
		/* The origin must be a suffix of lname on a label boundary. */
		if (name_is_sub(lname, origin)) {
			best = zs->zones[i];
			bestlen = olen;
		}
	}
	return best;
}

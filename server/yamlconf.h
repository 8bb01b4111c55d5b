/*
 * yamlconf.h -- the YAML configuration (-c FILE) -> srvconf_t.
 *
 * docs/config.md is the reference. The file is read whole with libyaml's
 * document API; every node carries its line, so every problem is reported
 * as "FILE:LINE: what was expected". Unknown keys, duplicate keys and bad
 * values are errors, never ignored. Nothing is loaded here: zone files are
 * only named (relative paths made relative to the YAML file's directory);
 * zoneset_load() reads them. Every fault_t.where, deleg_spec_t.where,
 * vserver_t.where and zone_where is "BASENAME:LINE" of the entry, so engine
 * errors and the start-up announcements point back into the file.
 */
#ifndef GLUED_YAMLCONF_H
#define GLUED_YAMLCONF_H

#include <stddef.h>

#include "config.h"

/* Longest configuration file read. */
#define YAMLCONF_MAX_BYTES (4u << 20)

/*
 * Read and check the configuration file path into out (which need not be
 * initialised). Returns 0, or a negative status with the message in err
 * ("path:line: ..."); on failure out holds nothing.
 */
int yamlconf_load(const char *path, srvconf_t *out, char *err, size_t errcap) MUST_CHECK;

/*
 * The same for text already in memory (len bytes); path names it in
 * messages and gives the directory that relative zone paths start from.
 */
int yamlconf_parse(const char *path, const char *text, size_t len, srvconf_t *out, char *err,
		   size_t errcap) MUST_CHECK;

#endif

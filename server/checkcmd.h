/*
 * checkcmd.h -- glued --check: load and check everything, print the
 * findings, exit.
 *
 * Each zone of each server on its own (warnings and errors per zone, with
 * its delegation rules), then each server whole (duplicate origins), then
 * the policies that break the RFCs, then the delegation checks over all of
 * it (analysis/check.h) with a predicted outcome per delegation, then the
 * configuration's scenarios against the simulated resolver. When a server
 * serves a signed root zone, its DS (check_anchor: what glued
 * --trust-anchor writes) is the trust anchor: the predictions validate and
 * the scenarios' dnssec (and ede) are judged. With --json, stdout is one
 * JSON object per line.
 */
#ifndef GLUED_CHECKCMD_H
#define GLUED_CHECKCMD_H

#include "config.h"

/* Run --check for cfg. Returns the exit status: 0, or 1 when anything
 * failed to load or a check found an error. */
int checkcmd_run(const config_t *cfg);

struct view;
/*
 * The server that gives the final authoritative answer to scenario t when
 * an iterating resolver walks the virtual servers of sc (served as v) from
 * the root: its index in sc->servers, or -1 when the walk does not end in
 * one (a SERVFAIL scenario, no root). For the banner's dig lines.
 */
int checkcmd_answering_server(const srvconf_t *sc, const struct view *v, const scenario_t *t);

#endif

/*
 * banner.h -- what glued says when it starts serving: the servers, their
 * zones and rules, the policies that break the RFCs on purpose, and for the
 * bundled lab the dig commands to try.
 *
 * Every line goes through log.h (stderr). The announcements are the
 * zoneset's structured records (zoneset_announce) put into words here, each
 * with where it was configured.
 */
#ifndef GLUED_BANNER_H
#define GLUED_BANNER_H

#include <stddef.h>

#include "config.h"
#include "view.h"

/* The start-up banner of a daemon serving view v (built from sc) with
 * nworkers threads. */
void banner_print(const config_t *cfg, const srvconf_t *sc, const view_t *v, unsigned nworkers);

/* Every RFC-breaking policy of server vs (served by zs), as warnings.
 * Returns how many there were. */
size_t banner_announce(const vserver_t *vs, const zoneset_t *zs);

/* The same for every server of a view built from sc. */
size_t banner_announce_all(const srvconf_t *sc, const view_t *v);

#endif

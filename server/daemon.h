/*
 * daemon.h -- glued serving: the view, the workers, signals, reload and
 * privileges.
 *
 * What glued serves is a srvconf_t (config.h): from the YAML file (-c, or
 * the bundled lab.yaml when neither -c nor -z is given) or from -l/-z. Each
 * of its virtual servers becomes one zoneset; together they form the view
 * (view.h) the workers answer from. The main thread owns a small uv loop of
 * its own that only handles signals: SIGINT/SIGTERM stop the workers and
 * end the process with status 0; SIGHUP reads the configuration and every
 * zone again into a new view and hands it to every worker; the old view is
 * freed once all workers have acknowledged the switch. The sockets stay
 * open through a reload, so no query is lost, and where glued listens
 * cannot change without a restart.
 */
#ifndef GLUED_DAEMON_H
#define GLUED_DAEMON_H

#include "config.h"

/*
 * Serve what cfg describes until SIGINT or SIGTERM. Returns the process's
 * exit status: 0 after a clean stop, 1 when the configuration, a zone, a
 * socket or the privileges could not be set up (said on stderr).
 */
int daemon_run(const config_t *cfg);

#endif
